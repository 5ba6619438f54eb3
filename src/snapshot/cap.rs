//! Every text value read from a snapshot is capped in length as it is read, so that
//! one value cannot cost time and memory out of proportion: a 50 MB device name is
//! otherwise copied, wrapped and escaped by every printer, and a 500 MB one read from
//! JSON was held several times over.
//!
//! The cap, [`MAX_CHARS`], is four times the longest real field: Intune device names
//! are at most 255 characters, user principal names 113, Entra group display names
//! 256, and Lookout's fields (guids, e-mail addresses, versions, states) shorter
//! still. A longer value is damage or an attack; it is kept cut to the cap, and the
//! file gets a note saying how many values were cut and where the first was.
//!
//! JSON text that a field holds to be parsed later (an audit record's
//! `modifiedProperties` values, which Graph writes JSON-encoded) gets a larger cap,
//! [`MAX_JSON_TEXT_CHARS`], so that a value of [`MAX_CHARS`] characters survives the
//! encoding. A column whose every cell is JSON text (Log Analytics' `TargetResources`
//! and `InitiatedBy`) is parsed whole, whatever its length, by [`parse_json_text`]:
//! what is kept from it is capped, not the text parsed.
//!
//! JSON is capped inside serde: [`Capper`] wraps a deserializer so that every string
//! (keys included) reaches the record's own visitors already cut. A string without
//! escapes is borrowed from the input, so the whole of a long one is never copied;
//! one with escapes is unescaped once, by serde_json, and only its cut start copied.
//! The wrapper costs a large device list a tenth of its reading time, so a file that
//! cannot hold a string over the cap ([`may_hold_long_strings`], looked at when its
//! text is checked) is read without it.

use super::form::{Location, Note};
use super::text::surrogates;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use std::cell::{Cell, RefCell};
use std::fmt;

/// Longest text value kept, in characters.
pub const MAX_CHARS: usize = 1024;

/// Longest JSON text kept in a field that holds JSON to be parsed later: enough for a
/// value of [`MAX_CHARS`] characters written in `\u` escapes, twelve bytes each
/// outside the Basic Multilingual Plane, and what surrounds it.
pub const MAX_JSON_TEXT_CHARS: usize = 16 * MAX_CHARS;

/// The keys whose values are JSON text (`"\"Lookout Pilot\""`), capped at
/// [`MAX_JSON_TEXT_CHARS`].
const JSON_TEXT_KEYS: [&str; 4] = ["oldValue", "newValue", "OldValue", "NewValue"];

/// Longest field name a note shows, in characters.
const FIELD_SHOWN: usize = 64;

/// Whether JSON text may hold a string (or key) over [`MAX_CHARS`] characters, as far
/// as the blocks of 512 bytes that start in `starts` tell. `false` for every block is
/// certain; `true` only likely: every block holds a quote that no backslash escapes,
/// in every JSON text but one with a string of more than 1,023 bytes (whose quotes
/// inside are all escaped), or with long stretches of white space or numbers. Most
/// blocks show such a quote in their first bytes: the look costs a few bytes' in 512.
pub fn may_hold_long_strings(json: &[u8], starts: std::ops::Range<usize>) -> bool {
    const BLOCK: usize = 512;
    // A run without such a quote that holds no whole block is under two blocks long:
    // no string inside it reaches MAX_CHARS bytes, let alone characters.
    const _: () = assert!(2 * BLOCK <= MAX_CHARS);
    let first = starts.start.next_multiple_of(BLOCK);
    (first..starts.end.min(json.len()))
        .step_by(BLOCK)
        .any(|start| {
            let end = (start + BLOCK).min(json.len());
            !(start..end).any(|i| json[i] == b'"' && (i == 0 || json[i - 1] != b'\\'))
        })
}

/// `text` cut to `max` characters, or `None` when it is not longer.
pub fn cut(text: &str, max: usize) -> Option<&str> {
    // A character is at least one byte: a text of at most `max` bytes fits.
    if text.len() <= max {
        return None;
    }
    text.char_indices().nth(max).map(|(at, _)| &text[..at])
}

/// The values cut while a file was read: how many, and where the first one was.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cuts {
    pub count: usize,
    pub first: Option<FirstCut>,
}

/// The field of the first value cut (a JSON key or a CSV column) and, where the file
/// has records, the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstCut {
    pub field: String,
    pub at: Option<Location>,
}

impl Cuts {
    /// Counts one value cut, of `field`, at `at`.
    pub fn add(&mut self, field: &str, at: Option<Location>) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(FirstCut {
                field: shown_field(field),
                at,
            });
        }
    }

    /// The note a file gets when values were cut.
    pub fn note(&self) -> Option<Note> {
        let first = self.first.as_ref().filter(|_| self.count > 0)?;
        Some(Note::ValuesCut {
            count: self.count,
            limit: MAX_CHARS,
            field: first.field.clone(),
            at: first.at.clone(),
        })
    }
}

/// A field's name as a note shows it: a name is short, but a crafted key need not be.
fn shown_field(field: &str) -> String {
    match cut(field, FIELD_SHOWN) {
        Some(start) => format!("{start}…"),
        None => field.to_owned(),
    }
}

/// JSON text held in a value (a Log Analytics `dynamic` cell), parsed whole whatever
/// its length, what it holds capped as a file's values are (cuts counted in `cuts`,
/// the first placed at `at`). A lone surrogate escape in it is repaired, as in a file.
pub fn parse_json_text<T: DeserializeOwned>(
    text: &str,
    cuts: &mut Cuts,
    at: Option<Location>,
) -> serde_json::Result<T> {
    let repaired = surrogates::repair_json(text);
    let text = repaired.as_ref().map_or(text, |(t, _)| t.as_str());
    let capper = Capper::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(capper.deserializer(&mut de))?;
    de.end()?;
    capper.take_into(cuts, at);
    Ok(value)
}

/// Caps the strings of one JSON value (a record, a settings file) as they are read,
/// and counts what it cut. The key last read names the field of a cut.
pub struct Capper<'de> {
    cut: Cell<usize>,
    first_field: RefCell<Option<String>>,
    /// The key last read, borrowed from the input when it has no escapes.
    key: Cell<Option<&'de str>>,
    /// The key last read when it could not be borrowed.
    owned_key: RefCell<String>,
}

impl Default for Capper<'_> {
    fn default() -> Self {
        Capper::new()
    }
}

impl<'de> Capper<'de> {
    pub fn new() -> Self {
        Capper {
            cut: Cell::new(0),
            first_field: RefCell::new(None),
            key: Cell::new(None),
            owned_key: RefCell::new(String::new()),
        }
    }

    /// `d`, with every string it gives capped.
    #[inline]
    pub fn deserializer<D: Deserializer<'de>>(&self, d: D) -> Capped<'_, 'de, D> {
        Capped {
            inner: d,
            capper: self,
            key: false,
        }
    }

    /// `seed`, reading a value (not a key) with every string capped.
    #[inline]
    pub fn seed<S: DeserializeSeed<'de>>(&self, seed: S) -> CappedSeed<'_, 'de, S> {
        CappedSeed {
            inner: seed,
            capper: self,
            key: false,
        }
    }

    /// `seed`, reading a map's key, capped.
    #[inline]
    pub fn key_seed<S: DeserializeSeed<'de>>(&self, seed: S) -> CappedSeed<'_, 'de, S> {
        CappedSeed {
            inner: seed,
            capper: self,
            key: true,
        }
    }

    /// Adds the values cut so far to `cuts`, the first placed at `at`, and starts
    /// counting afresh.
    pub fn take_into(&self, cuts: &mut Cuts, at: Option<Location>) {
        let count = self.cut.replace(0);
        if count == 0 {
            return;
        }
        let field = self.first_field.take().unwrap_or_default();
        if cuts.first.is_none() {
            cuts.first = Some(FirstCut {
                field: shown_field(&field),
                at,
            });
        }
        cuts.count += count;
    }

    /// `text` cut to its cap (a key's is [`MAX_CHARS`]), the cut counted.
    #[inline]
    pub fn cap<'a>(&self, text: &'a str, is_key: bool) -> &'a str {
        if text.len() <= MAX_CHARS {
            return text;
        }
        self.cap_long(text, is_key)
    }

    /// [`cap`](Self::cap) for a text that may be over it: rare, kept out of line.
    #[cold]
    #[inline(never)]
    fn cap_long<'a>(&self, text: &'a str, is_key: bool) -> &'a str {
        let max = if !is_key && self.in_json_text() {
            MAX_JSON_TEXT_CHARS
        } else {
            MAX_CHARS
        };
        match cut(text, max) {
            None => text,
            Some(start) => {
                self.cut.set(self.cut.get() + 1);
                let mut first = self.first_field.borrow_mut();
                if first.is_none() {
                    *first = Some(self.field());
                }
                start
            }
        }
    }

    #[inline]
    fn borrowed_key(&self, key: &'de str) {
        self.key.set(Some(key));
    }

    fn owned_key(&self, key: &str) {
        self.key.set(None);
        let mut owned = self.owned_key.borrow_mut();
        owned.clear();
        owned.push_str(cut(key, FIELD_SHOWN + 1).unwrap_or(key));
    }

    /// The key last read.
    fn field(&self) -> String {
        match self.key.get() {
            Some(key) => cut(key, FIELD_SHOWN + 1).unwrap_or(key).to_owned(),
            None => self.owned_key.borrow().clone(),
        }
    }

    fn in_json_text(&self) -> bool {
        match self.key.get() {
            Some(key) => JSON_TEXT_KEYS.contains(&key),
            None => JSON_TEXT_KEYS.contains(&self.owned_key.borrow().as_str()),
        }
    }
}

/// A deserializer whose strings are capped by a [`Capper`]; `key` when what it reads
/// is a map's key.
pub struct Capped<'c, 'de, D> {
    inner: D,
    capper: &'c Capper<'de>,
    key: bool,
}

impl<'c, 'de, D> Capped<'c, 'de, D> {
    #[inline]
    fn wrap<V>(&self, visitor: V) -> CappedVisitor<'c, 'de, V> {
        CappedVisitor {
            inner: visitor,
            capper: self.capper,
            key: self.key,
        }
    }
}

macro_rules! forward_deserialize {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        #[inline]
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            let visitor = self.wrap(visitor);
            self.inner.$method($($arg,)* visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Capped<'_, 'de, D> {
    type Error = D::Error;

    forward_deserialize! {
        deserialize_any();
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_option();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
        deserialize_ignored_any();
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// A visitor that gets its strings capped, and whatever it reads further (an
/// object's fields, a list's items) read through [`Capped`] too.
struct CappedVisitor<'c, 'de, V> {
    inner: V,
    capper: &'c Capper<'de>,
    key: bool,
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty);)*) => {$(
        #[inline]
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.inner.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for CappedVisitor<'_, 'de, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.inner.expecting(f)
    }

    forward_visit! {
        visit_bool(bool);
        visit_i8(i8);
        visit_i16(i16);
        visit_i32(i32);
        visit_i64(i64);
        visit_i128(i128);
        visit_u8(u8);
        visit_u16(u16);
        visit_u32(u32);
        visit_u64(u64);
        visit_u128(u128);
        visit_f32(f32);
        visit_f64(f64);
        visit_char(char);
        visit_bytes(&[u8]);
        visit_borrowed_bytes(&'de [u8]);
        visit_byte_buf(Vec<u8>);
    }

    #[inline]
    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        if self.key {
            self.capper.owned_key(v);
        }
        self.inner.visit_str(self.capper.cap(v, self.key))
    }

    #[inline]
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        if self.key {
            self.capper.borrowed_key(v);
        }
        self.inner.visit_borrowed_str(self.capper.cap(v, self.key))
    }

    #[inline]
    fn visit_string<E: de::Error>(self, mut v: String) -> Result<V::Value, E> {
        if self.key {
            self.capper.owned_key(&v);
        }
        let kept = self.capper.cap(&v, self.key).len();
        v.truncate(kept);
        self.inner.visit_string(v)
    }

    #[inline]
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    #[inline]
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    #[inline]
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(self.capper.deserializer(d))
    }

    #[inline]
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(self.capper.deserializer(d))
    }

    #[inline]
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.inner.visit_seq(CappedAccess {
            inner: seq,
            capper: self.capper,
        })
    }

    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.inner.visit_map(CappedAccess {
            inner: map,
            capper: self.capper,
        })
    }

    #[inline]
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(CappedAccess {
            inner: data,
            capper: self.capper,
        })
    }
}

/// A seed whose value is read through [`Capped`].
pub struct CappedSeed<'c, 'de, S> {
    inner: S,
    capper: &'c Capper<'de>,
    key: bool,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for CappedSeed<'_, 'de, S> {
    type Value = S::Value;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.inner.deserialize(Capped {
            inner: d,
            capper: self.capper,
            key: self.key,
        })
    }
}

/// A list's items, an object's keys and values, an enum's variant, each read through
/// [`Capped`].
struct CappedAccess<'c, 'de, A> {
    inner: A,
    capper: &'c Capper<'de>,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for CappedAccess<'_, 'de, A> {
    type Error = A::Error;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.inner.next_element_seed(self.capper.seed(seed))
    }

    #[inline]
    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for CappedAccess<'_, 'de, A> {
    type Error = A::Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.inner.next_key_seed(self.capper.key_seed(seed))
    }

    #[inline]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.inner.next_value_seed(self.capper.seed(seed))
    }

    #[inline]
    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'c, 'de, A: EnumAccess<'de>> EnumAccess<'de> for CappedAccess<'c, 'de, A> {
    type Error = A::Error;
    type Variant = CappedAccess<'c, 'de, A::Variant>;

    #[inline]
    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), A::Error> {
        let (value, variant) = self.inner.variant_seed(self.capper.seed(seed))?;
        Ok((
            value,
            CappedAccess {
                inner: variant,
                capper: self.capper,
            },
        ))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for CappedAccess<'_, 'de, A> {
    type Error = A::Error;

    #[inline]
    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }

    #[inline]
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.inner.newtype_variant_seed(self.capper.seed(seed))
    }

    #[inline]
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.inner.tuple_variant(
            len,
            CappedVisitor {
                inner: visitor,
                capper: self.capper,
                key: false,
            },
        )
    }

    #[inline]
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.inner.struct_variant(
            fields,
            CappedVisitor {
                inner: visitor,
                capper: self.capper,
                key: false,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Rec {
        name: String,
        #[serde(default)]
        tags: Vec<crate::snapshot::Text>,
        #[serde(default)]
        new_value: Option<String>,
        #[serde(default)]
        extra: Option<serde_json::Value>,
    }

    fn read(json: &str) -> (Rec, Cuts) {
        let capper = Capper::new();
        let mut de = serde_json::Deserializer::from_str(json);
        let rec = Rec::deserialize(capper.deserializer(&mut de)).unwrap();
        let mut cuts = Cuts::default();
        capper.take_into(&mut cuts, None);
        (rec, cuts)
    }

    #[test]
    fn long_strings_are_cut_and_counted_wherever_they_are() {
        let long = "é".repeat(3000);
        let json = format!(
            r#"{{"name": "{long}", "tags": ["a", "{long}"], "extra": {{"k": ["x\n{long}"]}}}}"#
        );
        let (rec, cuts) = read(&json);
        assert_eq!(rec.name.chars().count(), MAX_CHARS);
        assert_eq!(rec.tags[1].chars().count(), MAX_CHARS);
        let extra = rec.extra.unwrap();
        assert_eq!(extra["k"][0].as_str().unwrap().chars().count(), MAX_CHARS);
        assert_eq!(cuts.count, 3);
        assert_eq!(cuts.first.unwrap().field, "name");
        let (rec, cuts) = read(r#"{"name": "short", "tags": ["a"]}"#);
        assert_eq!(rec.name, "short");
        assert_eq!(cuts, Cuts::default());
    }

    #[test]
    fn json_text_fields_have_a_larger_cap() {
        let encoded = format!("[\\\"{}\\\"]", "\\\\u00e9".repeat(1500));
        let (rec, cuts) = read(&format!(r#"{{"name": "n", "newValue": "{encoded}"}}"#));
        assert_eq!(cuts.count, 0);
        let decoded: Vec<String> = serde_json::from_str(&rec.new_value.unwrap()).unwrap();
        assert_eq!(decoded[0].chars().count(), 1500);
    }

    #[test]
    fn keys_are_capped_and_name_the_field() {
        let key = "k".repeat(5000);
        let (_, cuts) = read(&format!(r#"{{"name": "n", "extra": {{"{key}": 1}}}}"#));
        assert_eq!(cuts.count, 1);
        let field = cuts.first.unwrap().field;
        assert!(field.ends_with('…') && field.chars().count() == FIELD_SHOWN + 1);
    }

    #[test]
    fn errors_read_as_without_the_cap() {
        let capper = Capper::new();
        let mut de = serde_json::Deserializer::from_str(r#"{"name": 5}"#);
        let e = Rec::deserialize(capper.deserializer(&mut de)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid type: integer `5`, expected a string at line 1 column 10"
        );
    }

    #[test]
    fn files_that_cannot_hold_long_strings_are_told() {
        let short = format!("[{}]", r#"{"a": "b\"c", "n": 12345},"#.repeat(10_000));
        assert!(!may_hold_long_strings(short.as_bytes(), 0..short.len()));
        for long in [
            format!(r#"["{}"]"#, "x".repeat(1100)),
            format!(r#"["{}"]"#, r#"x\""#.repeat(400)),
        ] {
            let text = format!("[{}{long}]", r#"{"a": "b"},"#.repeat(100));
            assert!(may_hold_long_strings(text.as_bytes(), 0..text.len()));
        }
    }

    #[test]
    fn json_text_is_parsed_whole() {
        let long = "x".repeat(5000);
        let text = format!(r#"[{{"name": "{long}"}}, {{"name": "\ud800"}}]"#);
        let mut cuts = Cuts::default();
        let recs: Vec<Rec> = parse_json_text(&text, &mut cuts, None).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[1].name, "\u{fffd}");
        assert_eq!(cuts.count, 1);
    }
}
