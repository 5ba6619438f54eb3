//! JSON exports as the tools write them, read in one typed pass straight from the
//! bytes (no `serde_json::Value` tree, so big device lists stay fast):
//!
//! - an envelope page: `{"@odata.context": ..., "value": [...]}` (Graph) or
//!   `{"count": n, "devices": [...]}` (Lookout), with any other keys ignored;
//! - a list of such pages (one file per paged download, or pages saved together);
//! - a bare list of records (`ConvertTo-Json` of `Get-Mg*` output, a portal download);
//! - a single record (`ConvertTo-Json` unwraps a one-item list; a Graph entity).
//!
//! An object is a page when it holds the list key or a paging key (`count`,
//! `@odata.nextLink`, ...). Its leading `@odata.*` keys are kept aside until that is
//! known, then replayed into the record when it turns out to be one. Errors keep the
//! file's line and column because everything runs inside serde_json. Every string
//! read is capped in length (`cap`), each record's cuts counted at its position.

use super::cap::{Capper, Cuts};
use super::form::{Form, Location, Note, SkipReason, Skips};
use super::text::FileText;
use super::{FileInfo, Format, Input, LoadError, Loaded};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, IntoDeserializer, MapAccess,
    SeqAccess, Visitor,
};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

/// A record type of one export, read through its raw (tolerant) form.
pub trait Record: Sized {
    type Raw: DeserializeOwned;

    /// Whether a file may hold several JSON documents one after another (JSON Lines,
    /// as Azure Monitor writes its storage blobs) rather than exactly one.
    const JSON_LINES: bool = false;

    /// Turns what was read into a record, or says why it is skipped. `Err` means the
    /// file cannot be right (reported at the record's position).
    fn from_raw(raw: Self::Raw, seen: &mut Seen) -> Result<Kept<Self>, String>;

    /// Why a file is refused as a whole, from what its records revealed: a form that
    /// reads without error but cannot stand in for the export. Checked before any
    /// other error, so `from_raw` may stop the read with `Err` once it knows.
    fn refusal(_seen: &Seen) -> Option<String> {
        None
    }
}

pub enum Kept<T> {
    Record(T),
    Skip(SkipReason),
}

/// Things a record's spelling revealed about the export.
#[derive(Debug, Default, Clone, Copy)]
pub struct Seen {
    /// Older camelCase names (`activationStatus`, `emailAddress`).
    pub legacy_names: bool,
    /// Lookout event objects (`target` + `details`).
    pub events: bool,
    /// Lookout Mobile Risk API v2 events (`change_type`, a `device` block): the event
    /// stream, which is not a device list.
    pub v2_event_stream: bool,
    /// Azure Monitor records (`time`, `operationName`, `category`, `properties`).
    pub azure_monitor: bool,
}

/// What a document of one input looks like.
pub struct Shape {
    /// The keys that hold the record list inside a page.
    pub list_keys: &'static [&'static str],
    /// What the file should hold, for errors.
    pub expecting: &'static str,
    /// What to write when there really are no records.
    pub empty: &'static str,
}

/// One envelope object.
#[derive(Debug, Default, Clone)]
pub struct Page {
    /// Records in its list (skipped ones included).
    pub records: usize,
    /// Lookout's `count`.
    pub count: Option<u64>,
    /// Graph's `@odata.count` (the total over all pages, when asked for).
    pub odata_count: Option<u64>,
    /// `@odata.nextLink` or `moreEvents: true`: another page followed this one.
    pub has_next: bool,
}

/// Everything read from one JSON file.
#[derive(Debug)]
pub struct JsonDoc<T> {
    pub records: Vec<T>,
    pub pages: Vec<Page>,
    /// Records that were not inside a page.
    pub bare: usize,
    /// The top level was a list (of pages or of records).
    pub root_list: bool,
    /// JSON documents in the file: one, or one per line in JSON Lines.
    pub documents: usize,
    pub list_key: Option<&'static str>,
    /// Keys written in PascalCase, the way Graph PowerShell names properties.
    pub pascal_case: bool,
    /// Fields no record type reads (sampled on the first record of each list).
    pub ignored: BTreeSet<String>,
    pub skips: Skips,
    pub seen: Seen,
    /// Values cut to their cap.
    pub cuts: Cuts,
}

impl<T> Default for JsonDoc<T> {
    fn default() -> Self {
        JsonDoc {
            records: Vec::new(),
            pages: Vec::new(),
            bare: 0,
            root_list: false,
            documents: 0,
            list_key: None,
            pascal_case: false,
            ignored: BTreeSet::new(),
            skips: Skips::default(),
            seen: Seen::default(),
            cuts: Cuts::default(),
        }
    }
}

impl<T> JsonDoc<T> {
    /// The generic form; loaders refine it (Lookout API, events).
    pub fn form(&self) -> Form {
        if self.pascal_case {
            Form::GraphPowerShellJson
        } else if !self.pages.is_empty() {
            Form::GraphJson {
                pages: self.pages.len(),
            }
        } else if self.root_list {
            Form::JsonList
        } else {
            Form::Json
        }
    }
}

/// Reads a file of `input` that holds `T` records in any of the JSON forms: the
/// whole of the reading for inputs that need nothing more.
pub fn read<T: Record>(
    input: Input,
    path: &Path,
    text: &FileText,
    shape: &Shape,
) -> Result<Loaded<Vec<T>>, LoadError> {
    let mut info = FileInfo::new(input, path, Format::Json, text);
    let doc = parse::<T>(path, text, shape)?;
    info.take_json(&doc);
    info.records = doc.records.len();
    Ok(Loaded {
        records: doc.records,
        info,
        pages: doc.pages,
    })
}

/// The first key of a document that is an object (`{"tables": ...`), read without
/// parsing the rest: how a form with its own layout is told apart before reading.
pub fn first_key(text: &str) -> Option<String> {
    let rest = text.trim_start().strip_prefix('{')?;
    serde_json::Deserializer::from_str(rest)
        .into_iter::<String>()
        .next()?
        .ok()
}

/// Bytes of the shortest record a real export writes (a device with its id, user and
/// a few states); used only to size the record list up front.
const SMALLEST_TYPICAL_RECORD: usize = 128;

/// Reads one JSON export of `T` records.
pub fn parse<T: Record>(
    path: &Path,
    text: &FileText,
    shape: &Shape,
) -> Result<JsonDoc<T>, LoadError> {
    let bytes = text.as_bytes();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(LoadError::Invalid {
            path: path.to_owned(),
            message: "the file is empty; export it again".into(),
        });
    }
    let mut ctx = Ctx {
        doc: JsonDoc::default(),
        shape,
        page_no: 0,
        expected_records: bytes.len() / SMALLEST_TYPICAL_RECORD,
        text,
        done_with: 0,
        capping: text.may_hold_long_strings(),
    };
    // The text is known to be UTF-8, so serde_json need not check it string by
    // string (a third faster on a large device list).
    let read = read_document(&mut ctx, text.as_str());
    if let Some(message) = T::refusal(&ctx.doc.seen) {
        return Err(LoadError::Invalid {
            path: path.to_owned(),
            message,
        });
    }
    read.map_err(|e| LoadError::json(path.to_owned(), &e))?;
    ctx.doc.skips.check_usable(ctx.doc.records.len(), path)?;
    ctx.doc.records.shrink_to_fit();
    Ok(ctx.doc)
}

fn read_document<T: Record>(ctx: &mut Ctx<'_, T>, text: &str) -> serde_json::Result<()> {
    let mut de = serde_json::Deserializer::from_str(text);
    RootSeed { ctx: &mut *ctx }.deserialize(&mut de)?;
    ctx.doc.documents = 1;
    if !T::JSON_LINES {
        return de.end();
    }
    // `end` fails, without moving, when more than white space follows: the next
    // document starts there.
    while de.end().is_err() {
        RootSeed { ctx: &mut *ctx }.deserialize(&mut de)?;
        ctx.doc.documents += 1;
    }
    Ok(())
}

struct Ctx<'s, T> {
    doc: JsonDoc<T>,
    shape: &'s Shape,
    /// 1-based number of the page being read.
    page_no: usize,
    /// Room to reserve for records before the first list is read.
    expected_records: usize,
    /// The whole input, and how much of it has been handed back
    /// ([`FileText::done_with`]).
    text: &'s FileText,
    done_with: usize,
    /// The input may hold a string over the cap: records are read through the
    /// capping wrapper.
    capping: bool,
}

impl<T: Record> Ctx<'_, T> {
    fn list_key(&self, key: &str) -> Option<&'static str> {
        self.shape.list_keys.iter().copied().find(|k| *k == key)
    }

    /// Reads one record, its strings capped by `capper`; the first of each list also
    /// reports the fields it ignored.
    fn read_record<'de, D: Deserializer<'de>>(
        &mut self,
        d: D,
        sample: bool,
        capper: &Capper<'de>,
    ) -> Result<T::Raw, D::Error> {
        match (sample, self.capping) {
            (false, false) => <T::Raw as serde::Deserialize>::deserialize(d),
            (false, true) => <T::Raw as serde::Deserialize>::deserialize(capper.deserializer(d)),
            (true, _) => self.sample_record(capper.deserializer(d)),
        }
    }

    /// Reads the first record of a list, noting the fields it ignored.
    fn sample_record<'de, D: Deserializer<'de>>(&mut self, d: D) -> Result<T::Raw, D::Error> {
        let mut ignored = Vec::new();
        let raw = serde_ignored::deserialize(d, |p| {
            // Graph's annotations (`@odata.context`, `@odata.etag`) are not data.
            let name = path_name(&p);
            if !name.starts_with("@odata.") {
                ignored.push(name);
            }
        })?;
        if ignored
            .iter()
            .any(|k| k.starts_with(|c: char| c.is_ascii_uppercase()))
        {
            self.doc.pascal_case = true;
        }
        self.doc.ignored.extend(ignored);
        Ok(raw)
    }

    /// Takes a record read at `at`, and the cuts `capper` made in it.
    fn accept<E: de::Error>(
        &mut self,
        raw: T::Raw,
        at: Location,
        capper: &Capper<'_>,
    ) -> Result<(), E> {
        capper.take_into(&mut self.doc.cuts, Some(at.clone()));
        match T::from_raw(raw, &mut self.doc.seen).map_err(E::custom)? {
            Kept::Record(r) => self.doc.records.push(r),
            Kept::Skip(reason) => self.doc.skips.add(reason, at),
        }
        Ok(())
    }

    /// The parser has reached `at` (an address inside the input): what lies well
    /// before it is handed back, a few megabytes at a time. Three lists are read at
    /// once: steps of 16 MB kept up to 96 MB of passed pages resident (a fifth of a
    /// realistic 100,000-user snapshot's peak memory, a third of a short one's).
    fn passed(&mut self, at: usize) {
        const STEP: usize = 2 << 20;
        let text = self.text.as_bytes();
        let offset = at.wrapping_sub(text.as_ptr() as usize);
        if offset <= text.len() && offset >= self.done_with + 2 * STEP {
            self.done_with = offset - STEP;
            self.text.done_with(self.done_with);
        }
    }

    fn location(&self, index: usize) -> Location {
        Location::Json {
            page: (self.doc.root_list && self.page_no > 0).then_some(self.page_no),
            index,
        }
    }
}

/// `a.b.c` from a serde_ignored path, without list indexes.
fn path_name(p: &serde_ignored::Path) -> String {
    use serde_ignored::Path;
    match p {
        Path::Root => String::new(),
        Path::Map { parent, key } => match path_name(parent) {
            base if base.is_empty() => key.clone(),
            base => format!("{base}.{key}"),
        },
        Path::Seq { parent, .. }
        | Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => path_name(parent),
    }
}

/// Keys that only a page carries.
fn is_paging_key(key: &str) -> bool {
    matches!(
        key,
        "count"
            | "totalCount"
            | "moreEvents"
            | "streamPosition"
            | "@odata.count"
            | "@odata.nextLink"
            | "@odata.deltaLink"
    )
}

struct RootSeed<'c, 's, T> {
    ctx: &'c mut Ctx<'s, T>,
}

impl<'de, T: Record> DeserializeSeed<'de> for RootSeed<'_, '_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Record> Visitor<'de> for RootSeed<'_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.ctx.shape.expecting)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        read_object(self.ctx, map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.ctx.doc.root_list = true;
        let mut items = 0;
        while seq
            .next_element_seed(ItemSeed {
                ctx: &mut *self.ctx,
            })?
            .is_some()
        {
            items += 1;
        }
        if items == 0 {
            // An empty list says nothing about what was exported; a real "none" is
            // written as an empty page.
            return Err(de::Error::custom(format!(
                "the file holds an empty list; expected {} (if there really are none, write {})",
                self.ctx.shape.expecting, self.ctx.shape.empty
            )));
        }
        Ok(())
    }
}

/// One item of a top-level list: a page or a record.
struct ItemSeed<'c, 's, T> {
    ctx: &'c mut Ctx<'s, T>,
}

impl<'de, T: Record> DeserializeSeed<'de> for ItemSeed<'_, '_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Record> Visitor<'de> for ItemSeed<'_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a page object or a record object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        read_object(self.ctx, map)
    }
}

/// An object at the top level or in a top-level list: decides page or record from
/// its keys, then reads it as that.
fn read_object<'de, T: Record, A: MapAccess<'de>>(
    ctx: &mut Ctx<'_, T>,
    mut map: A,
) -> Result<(), A::Error> {
    let capper = Capper::new();
    let mut pending: Vec<(String, serde_json::Value)> = Vec::new();
    loop {
        let Some(key) = map.next_key_seed(capper.key_seed(PhantomData::<String>))? else {
            return Err(de::Error::custom(format!(
                "this object holds no records; expected {}",
                ctx.shape.expecting
            )));
        };
        if ctx.list_key(&key).is_some() || is_paging_key(&key) {
            return read_page(ctx, map, pending, key, &capper);
        }
        if key.starts_with("@odata.") {
            pending.push((key, map.next_value_seed(capper.seed(PhantomData))?));
            continue;
        }
        return read_bare_record(ctx, map, pending, key, &capper);
    }
}

/// A page: its record list, and its paging keys (their values capped by `capper`,
/// whose cuts are the page's).
fn read_page<'de, T: Record, A: MapAccess<'de>>(
    ctx: &mut Ctx<'_, T>,
    mut map: A,
    pending: Vec<(String, serde_json::Value)>,
    first: String,
    capper: &Capper<'de>,
) -> Result<(), A::Error> {
    ctx.page_no += 1;
    let mut page = Page::default();
    for (key, value) in &pending {
        page_meta(&mut page, key, value);
    }
    let mut lists_seen: Vec<&'static str> = Vec::new();
    let mut key = Some(first);
    while let Some(k) = key {
        if let Some(list_key) = ctx.list_key(&k) {
            // serde_json keeps the last of two equal keys; reading both lists would
            // count every record twice, keeping one would drop the other silently.
            if lists_seen.contains(&list_key) {
                return Err(de::Error::custom(format!(
                    "the key \"{list_key}\" appears twice in this object: a JSON object names each key once; keep one of the two lists (were two exports pasted together?)"
                )));
            }
            lists_seen.push(list_key);
            ctx.doc.list_key = Some(list_key);
            page.records += map.next_value_seed(ListSeed { ctx: &mut *ctx })?;
        } else if is_paging_key(&k) {
            let value: serde_json::Value = map.next_value_seed(capper.seed(PhantomData))?;
            page_meta(&mut page, &k, &value);
        } else {
            map.next_value::<IgnoredAny>()?;
        }
        key = map.next_key_seed(capper.key_seed(PhantomData::<String>))?;
    }
    capper.take_into(&mut ctx.doc.cuts, None);
    if lists_seen.is_empty() {
        return Err(de::Error::custom(format!(
            "this page has no {} list; expected {}",
            ctx.shape
                .list_keys
                .iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(" or "),
            ctx.shape.expecting
        )));
    }
    ctx.doc.pages.push(page);
    Ok(())
}

fn page_meta(page: &mut Page, key: &str, value: &serde_json::Value) {
    match key {
        "count" | "totalCount" => page.count = value.as_u64(),
        "@odata.count" => page.odata_count = value.as_u64(),
        "@odata.nextLink" => page.has_next |= value.as_str().is_some_and(|s| !s.is_empty()),
        "moreEvents" => page.has_next |= value.as_bool() == Some(true),
        _ => {}
    }
}

/// A record outside a page, whose first keys (capped by `capper`, as the rest of it
/// will be) were read to tell.
fn read_bare_record<'de, T: Record, A: MapAccess<'de>>(
    ctx: &mut Ctx<'_, T>,
    map: A,
    pending: Vec<(String, serde_json::Value)>,
    first: String,
    capper: &Capper<'de>,
) -> Result<(), A::Error> {
    ctx.doc.bare += 1;
    if first.starts_with(|c: char| c.is_ascii_uppercase()) {
        ctx.doc.pascal_case = true;
    }
    let replay = Replay {
        pending: pending.into_iter(),
        value: None,
        first: Some(Cow::Owned(first)),
        inner: map,
    };
    let sample = ctx.doc.bare == 1;
    let raw = ctx.read_record(
        de::value::MapAccessDeserializer::new(replay),
        sample,
        capper,
    )?;
    let at = ctx.location(ctx.doc.bare);
    ctx.accept(raw, at, capper)
}

/// A map whose first keys were already read: gives them back, then the rest.
struct Replay<'de, A> {
    pending: std::vec::IntoIter<(String, serde_json::Value)>,
    value: Option<serde_json::Value>,
    /// Borrowed from the input when it could be.
    first: Option<Cow<'de, str>>,
    inner: A,
}

impl<'de, A> Replay<'de, A> {
    /// A map whose first key (only) was already read.
    fn after_key(first: Option<Cow<'de, str>>, inner: A) -> Self {
        Replay {
            pending: Vec::new().into_iter(),
            value: None,
            first,
            inner,
        }
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        if let Some((key, value)) = self.pending.next() {
            self.value = Some(value);
            return seed.deserialize(key.into_deserializer()).map(Some);
        }
        match self.first.take() {
            Some(Cow::Borrowed(key)) => seed
                .deserialize(de::value::BorrowedStrDeserializer::new(key))
                .map(Some),
            Some(Cow::Owned(key)) => seed.deserialize(key.into_deserializer()).map(Some),
            None => self.inner.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match self.value.take() {
            Some(v) => seed.deserialize(v).map_err(de::Error::custom),
            None => self.inner.next_value_seed(seed),
        }
    }
}

/// The record list of a page; yields how many records it held.
struct ListSeed<'c, 's, T> {
    ctx: &'c mut Ctx<'s, T>,
}

impl<'de, T: Record> DeserializeSeed<'de> for ListSeed<'_, '_, T> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Record> Visitor<'de> for ListSeed<'_, '_, T> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of records")
    }

    fn visit_unit<E: de::Error>(self) -> Result<usize, E> {
        Ok(0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        // Growing a list of a million records by doubling copies it again and again
        // into freshly zeroed pages. Reserving for as many records as the file could
        // hold costs nothing until used: untouched capacity is never paged in, and
        // the unused rest is given back once the file is read. Where the system will
        // not promise that much address space, the list just grows as it goes.
        let expected = seq.size_hint().unwrap_or(self.ctx.expected_records);
        let _ = self.ctx.doc.records.try_reserve(expected);
        self.ctx.expected_records = 0;
        let mut index = 0;
        while seq
            .next_element_seed(RecordSeed {
                ctx: &mut *self.ctx,
                index: index + 1,
            })?
            .is_some()
        {
            index += 1;
        }
        Ok(index)
    }
}

/// One record inside a page's list.
struct RecordSeed<'c, 's, T> {
    ctx: &'c mut Ctx<'s, T>,
    /// 1-based position in the list.
    index: usize,
}

impl<'de, T: Record> DeserializeSeed<'de> for RecordSeed<'_, '_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        // Only an object is a record: serde's derived structs would also take a list
        // and read it by position, turning `["a", "b"]` into a device silently.
        d.deserialize_map(self)
    }
}

impl<'de, T: Record> Visitor<'de> for RecordSeed<'_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record object {...}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let capper = Capper::new();
        // The record's first key, read here to learn where in the input the parser
        // is (a key without escapes is borrowed from the input), then handed on.
        let first = map.next_key_seed(KeySeed { capper: &capper })?;
        if let Some(Cow::Borrowed(key)) = &first {
            self.ctx.passed(key.as_ptr() as usize);
        }
        let map = Replay::after_key(first, map);
        let raw = self.ctx.read_record(
            de::value::MapAccessDeserializer::new(map),
            self.index == 1,
            &capper,
        )?;
        let at = self.ctx.location(self.index);
        self.ctx.accept(raw, at, &capper)
    }
}

/// A map key, borrowed from the input when it can be, else copied capped (a
/// borrowed one is capped when it is handed on).
struct KeySeed<'c, 'de> {
    capper: &'c Capper<'de>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, 'de> {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, 'de> {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(self.capper.cap(v, true).to_owned()))
    }
}

/// Notes on whether all pages of one input were saved, over all its files.
pub fn completeness_notes(pages: &[Page], total: usize) -> Vec<Note> {
    let mut notes = Vec::new();
    if pages.last().is_some_and(|p| p.has_next) {
        notes.push(Note::MorePages);
    }
    // Lookout's `count` is either per page or the total; only a file that fits
    // neither reading lost something.
    let counts: Vec<u64> = pages.iter().filter_map(|p| p.count).collect();
    let per_page = pages
        .iter()
        .all(|p| p.count.is_none_or(|c| c == p.records as u64));
    let as_total = counts.iter().all(|&c| c == total as u64);
    if !counts.is_empty() && !per_page && !as_total {
        notes.push(Note::CountMismatch {
            key: "count",
            count: counts[0],
            total,
        });
    }
    if let Some(odata) = pages.iter().find_map(|p| p.odata_count) {
        if odata != total as u64 {
            notes.push(Note::CountMismatch {
                key: "@odata.count",
                count: odata,
                total,
            });
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Rec {
        #[serde(alias = "Id")]
        id: String,
        #[serde(rename = "@odata.type", default)]
        odata_type: Option<String>,
    }

    impl Record for Rec {
        type Raw = Rec;
        fn from_raw(raw: Rec, _: &mut Seen) -> Result<Kept<Rec>, String> {
            if raw.id == "skip" {
                return Ok(Kept::Skip(SkipReason::NoDeviceId));
            }
            Ok(Kept::Record(raw))
        }
    }

    const SHAPE: Shape = Shape {
        list_keys: &["value"],
        expecting: "an object with a \"value\" list",
        empty: "{\"value\": []}",
    };

    fn parse_str(s: &str) -> Result<JsonDoc<Rec>, String> {
        let text = crate::snapshot::text::decode(Path::new("t.json"), s.into()).unwrap();
        parse::<Rec>(Path::new("t.json"), &text, &SHAPE).map_err(|e| e.to_string())
    }

    fn ids(d: &JsonDoc<Rec>) -> Vec<&str> {
        d.records.iter().map(|r| r.id.as_str()).collect()
    }

    #[test]
    fn graph_page_with_odata_keys_first() {
        let d = parse_str(r#"{"@odata.context":"x","@odata.nextLink":"n","value":[{"id":"a","extra":1},{"id":"b"}]}"#).unwrap();
        assert_eq!(ids(&d), ["a", "b"]);
        assert_eq!(d.pages.len(), 1);
        assert!(d.pages[0].has_next);
        assert!(d.ignored.contains("extra"));
        assert_eq!(d.form(), Form::GraphJson { pages: 1 });
    }

    #[test]
    fn list_of_pages_and_bare_records() {
        let d =
            parse_str(r#"[{"value":[{"id":"a"}]},{"value":[{"id":"b"}],"@odata.context":"x"}]"#)
                .unwrap();
        assert_eq!(ids(&d), ["a", "b"]);
        assert_eq!(d.form(), Form::GraphJson { pages: 2 });
        let d = parse_str(r#"[{"Id":"a","AdditionalProperties":{}},{"Id":"b"}]"#).unwrap();
        assert_eq!(ids(&d), ["a", "b"]);
        assert_eq!(d.form(), Form::GraphPowerShellJson);
    }

    #[test]
    fn single_records_keep_their_odata_keys() {
        let d = parse_str(r##"{"@odata.type":"#microsoft.graph.user","id":"a"}"##).unwrap();
        assert_eq!(
            d.records[0].odata_type.as_deref(),
            Some("#microsoft.graph.user")
        );
        assert_eq!(d.form(), Form::Json);
    }

    #[test]
    fn skips_are_counted_with_their_position() {
        let d =
            parse_str(r#"[{"value":[{"id":"a"}]},{"value":[{"id":"x"},{"id":"skip"}]}]"#).unwrap();
        assert_eq!(d.skips.total(), 1);
        assert_eq!(
            d.skips.0[0].first,
            Location::Json {
                page: Some(2),
                index: 2
            }
        );
    }

    #[test]
    fn shape_errors_have_positions() {
        let e = parse_str("[]").unwrap_err();
        assert!(e.contains("t.json:1:") && e.contains("empty list"), "{e}");
        let e = parse_str(r#"{"@odata.count": 3}"#).unwrap_err();
        assert!(e.contains("no \"value\" list"), "{e}");
        let e = parse_str("{\n\"value\": [{\"id\": 5}]}").unwrap_err();
        assert!(e.contains("t.json:2:"), "{e}");
        let e = parse_str(r#"{"value": [{"id": "a"}], "value": [{"id": "b"}]}"#).unwrap_err();
        assert!(
            e.contains("t.json:1:") && e.contains("\"value\" appears twice"),
            "{e}"
        );
        let e = parse_str(r#"{"value": [{"id": "a", "id": "b"}]}"#).unwrap_err();
        assert!(e.contains("duplicate field `id`"), "{e}");
        let e = parse_str(r#"{"value": [["a"]]}"#).unwrap_err();
        assert!(e.contains("expected a record object"), "{e}");
        let e = parse_str("7").unwrap_err();
        assert!(
            e.contains("expected an object with a \"value\" list"),
            "{e}"
        );
    }

    #[test]
    fn completeness() {
        let page = |records, count, has_next| Page {
            records,
            count,
            odata_count: None,
            has_next,
        };
        assert!(
            completeness_notes(&[page(2, Some(2), false), page(1, Some(1), false)], 3).is_empty()
        );
        assert!(
            completeness_notes(&[page(2, Some(3), false), page(1, Some(3), false)], 3).is_empty()
        );
        assert_eq!(completeness_notes(&[page(2, Some(5), false)], 2).len(), 1);
        assert_eq!(completeness_notes(&[page(2, None, true)], 2).len(), 1);
    }
}
