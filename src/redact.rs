//! `--redact`: replace every user name, e-mail, device name and identifier in the
//! output with a stable pseudonym, so a report can go to Lookout support without
//! leaking who or what it is about. Pseudonyms are HMAC-SHA256 of the identifier under
//! a key that never appears in the output: random per run, or taken from
//! LOOKOUT_DOCTOR_REDACT_KEY so pseudonyms stay the same across runs and snapshots.
//!
//! Three passes find identifiers. Fields that hold one (a subject, a user, a device
//! name) are replaced whole, known to the snapshot or not. Free text is searched for
//! every identifier the snapshot holds: names as written (a name that differs only in
//! case is a finding of its own, enrollment-group-case-mismatch), addresses and ids in
//! any letter case (Unicode lower-casing), names and ids shorter than four characters
//! only as whole words ("HR", not the "HR" of "THREE"). Then a pattern pass replaces
//! every e-mail address and GUID left, known or not, with the pseudonym it would have
//! if it were known.
//!
//! Building the report applies it (`report::BuildOptions::redactor`): a finding's
//! facts are redacted before its diagnosis is rendered from them, then every other
//! section of the report. Errors of a redacted run go through [`Redactor::error`].

use crate::finding::{Finding, SubjectKind};
use crate::model::Tenant;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub const KEY_ENV: &str = "LOOKOUT_DOCTOR_REDACT_KEY";

/// The key pseudonyms are derived from.
#[derive(Clone)]
pub struct RedactKey {
    bytes: Vec<u8>,
    /// Taken from LOOKOUT_DOCTOR_REDACT_KEY: the same identifiers get the same
    /// pseudonyms in every run (what matching a redacted baseline needs).
    pub stable: bool,
}

impl RedactKey {
    /// The key from LOOKOUT_DOCTOR_REDACT_KEY, else 32 random bytes.
    pub fn from_env() -> anyhow::Result<RedactKey> {
        if let Some(k) = std::env::var_os(KEY_ENV).filter(|k| !k.is_empty()) {
            return Ok(RedactKey {
                bytes: k.to_string_lossy().as_bytes().to_vec(),
                stable: true,
            });
        }
        let mut bytes = vec![0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| anyhow::anyhow!("no randomness for the redaction key: {e}"))?;
        Ok(RedactKey {
            bytes,
            stable: false,
        })
    }

    /// A key given as it is.
    #[cfg(test)]
    pub fn fixed(key: &[u8]) -> RedactKey {
        RedactKey {
            bytes: key.to_vec(),
            stable: true,
        }
    }
}

impl std::fmt::Debug for RedactKey {
    /// Never the key itself, not even in a debug dump.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RedactKey {{ stable: {} }}", self.stable)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Email,
    Person,
    Device,
    Id,
    Group,
    Tenant,
}

impl Kind {
    fn pseudonym(self, digest: &str) -> String {
        match self {
            Kind::Email => format!("user-{digest}@{PSEUDONYM_DOMAIN}"),
            Kind::Person => format!("person-{digest}"),
            Kind::Device => format!("device-{digest}"),
            Kind::Id => format!("id-{digest}"),
            Kind::Group => format!("group-{digest}"),
            Kind::Tenant => format!("tenant-{digest}"),
        }
    }

    /// Names keep their case: two spellings of a group are two groups to the reader.
    /// Addresses and ids compare without case.
    fn case_sensitive(self) -> bool {
        matches!(self, Kind::Group | Kind::Device | Kind::Person)
    }
}

/// The domain of every pseudonymous address: reserved, so it can never be delivered.
const PSEUDONYM_DOMAIN: &str = "redacted.invalid";

/// Hex digits of a pseudonym's digest.
const DIGEST_HEX: usize = 12;

/// Whether a value is already a pseudonym (a redacted baseline's subject): it is left
/// as it is rather than redacted twice.
pub fn is_pseudonym(s: &str) -> bool {
    let s = s.trim();
    let digest = |rest: &str| {
        rest.len() == DIGEST_HEX
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    if let Some(local) = s
        .strip_suffix(PSEUDONYM_DOMAIN)
        .and_then(|s| s.strip_suffix('@'))
    {
        return local.strip_prefix("user-").is_some_and(digest);
    }
    ["person-", "device-", "id-", "group-", "tenant-"]
        .iter()
        .any(|p| s.strip_prefix(p).is_some_and(digest))
}

/// Lower-cased char by char, so a text and the identifiers searched in it fold alike
/// (`str::to_lowercase` would treat a final sigma by its context).
fn fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// What `--redact` keeps readable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keep {
    /// `--redact-keep groups`: group names and ids stay (they are rarely personal).
    pub groups: bool,
}

/// Identifiers shorter than this are searched for in free text as whole words only:
/// "HR" is a group, the "HR" inside "THREE" is not.
const WHOLE_WORD_BELOW: usize = 4;

/// A single character is not searched for in free text at all (it would replace the
/// article "A" of every sentence); it is still replaced where it is a whole value.
const MIN_TEXT_MATCH: usize = 2;

/// Identifiers searched for in free text, each with its pseudonym.
#[derive(Default)]
struct Matcher {
    /// Four characters or more: anywhere, the longest of those starting leftmost.
    long: Option<(AhoCorasick, Vec<String>)>,
    /// Shorter: every occurrence, kept where it stands as a whole word (a rejected
    /// occurrence must not hide an overlapping one that is a word).
    short: Option<(AhoCorasick, Vec<String>)>,
}

impl Matcher {
    fn new(entries: &BTreeMap<String, String>) -> Matcher {
        let (short, long): (Vec<_>, Vec<_>) = entries
            .iter()
            .filter(|(k, _)| k.chars().count() >= MIN_TEXT_MATCH)
            .map(|(k, p)| (k.as_str(), p.clone()))
            .partition(|(k, _)| k.chars().count() < WHOLE_WORD_BELOW);
        Matcher {
            long: Matcher::automaton(long, MatchKind::LeftmostLongest),
            short: Matcher::automaton(short, MatchKind::Standard),
        }
    }

    fn automaton(
        mut searched: Vec<(&str, String)>,
        kind: MatchKind,
    ) -> Option<(AhoCorasick, Vec<String>)> {
        if searched.is_empty() {
            return None;
        }
        // Longest first: in sorted order, building the automaton of a fleet's
        // identifiers takes several times as long (its states are renumbered in long
        // chains of swaps).
        searched.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
        // A fleet holds hundreds of thousands of identifiers: the automaton that is
        // quickest to build (a DFA, or a compacted NFA, spends seconds relabelling
        // its states), for texts that are short.
        let automaton = AhoCorasickBuilder::new()
            .match_kind(kind)
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .build(searched.iter().map(|(k, _)| k))
            .ok()?;
        Some((automaton, searched.into_iter().map(|(_, p)| p).collect()))
    }

    /// Every occurrence in `original`, searched in its folded copy when there is one.
    fn find<'a>(&'a self, original: &str, folded: Option<&Folded>, spans: &mut Vec<Span<'a>>) {
        let haystack = folded.map_or(original, |f| f.text.as_str());
        let range = |m: aho_corasick::Match| match folded {
            Some(f) => f.original_range(original, m.start(), m.end()),
            None => (m.start(), m.end()),
        };
        let span = |(start, end), with: &'a String| Span {
            start,
            end,
            with: Cow::Borrowed(with),
        };
        if let Some((automaton, pseudonyms)) = &self.long {
            for m in automaton.find_iter(haystack) {
                spans.push(span(range(m), &pseudonyms[m.pattern().as_usize()]));
            }
        }
        if let Some((automaton, pseudonyms)) = &self.short {
            for m in automaton.find_overlapping_iter(haystack) {
                let (start, end) = range(m);
                if is_whole_word(original, start, end) {
                    spans.push(span((start, end), &pseudonyms[m.pattern().as_usize()]));
                }
            }
        }
    }
}

/// A stretch of text to replace.
struct Span<'a> {
    start: usize,
    end: usize,
    with: Cow<'a, str>,
}

/// A text lower-cased for matching, with the way back: lower-casing can change a
/// character's length in bytes ('İ' is two bytes, "i̇" three; the Kelvin sign three,
/// 'k' one), so positions in the folded text are mapped to the original's.
struct Folded {
    text: String,
    /// For each byte of `text`, the start of the original character it came from;
    /// empty when the text is ASCII (positions are then the same).
    origin: Vec<usize>,
}

impl Folded {
    fn new(s: &str) -> Folded {
        if s.is_ascii() {
            return Folded {
                text: s.to_ascii_lowercase(),
                origin: Vec::new(),
            };
        }
        let mut text = String::with_capacity(s.len());
        let mut origin = Vec::with_capacity(s.len());
        for (at, c) in s.char_indices() {
            for lower in c.to_lowercase() {
                text.push(lower);
                origin.extend(std::iter::repeat_n(at, lower.len_utf8()));
            }
        }
        Folded { text, origin }
    }

    /// The range of the original characters a folded range came from, whole
    /// characters only.
    fn original_range(&self, original: &str, start: usize, end: usize) -> (usize, usize) {
        if self.origin.is_empty() {
            return (start, end);
        }
        let last = self.origin[end - 1];
        let last_len = original[last..].chars().next().map_or(0, char::len_utf8);
        (self.origin[start], last + last_len)
    }
}

/// Letters, digits and `_` make words; a short identifier must not touch one.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_whole_word(s: &str, start: usize, end: usize) -> bool {
    !s[..start].chars().next_back().is_some_and(is_word_char)
        && !s[end..].chars().next().is_some_and(is_word_char)
}

pub struct Redactor {
    key: Vec<u8>,
    /// Names (people, devices, groups), as written -> pseudonym.
    names: BTreeMap<String, String>,
    /// Addresses and ids, folded -> pseudonym.
    ids: BTreeMap<String, String>,
    /// Values shown as they are, folded: hardware models, and group names and ids
    /// under `--redact-keep groups`.
    kept: BTreeSet<String>,
    keep: Keep,
    name_matcher: Matcher,
    id_matcher: Matcher,
}

impl Redactor {
    pub fn new(tenant: &Tenant, key: &RedactKey, keep: Keep) -> Redactor {
        let mut r = Redactor::without_tenant(key);
        r.keep = keep;
        r.collect(tenant);
        r.name_matcher = Matcher::new(&r.names);
        r.id_matcher = Matcher::new(&r.ids);
        r
    }

    /// A redactor that knows no identifier: what an error of a snapshot that could not
    /// be loaded goes through (the pattern pass still finds addresses and GUIDs).
    pub fn without_tenant(key: &RedactKey) -> Redactor {
        Redactor {
            key: key.bytes.clone(),
            names: BTreeMap::new(),
            ids: BTreeMap::new(),
            kept: BTreeSet::new(),
            keep: Keep::default(),
            name_matcher: Matcher::default(),
            id_matcher: Matcher::default(),
        }
    }

    fn digest(&self, kind: Kind, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC takes keys of any length");
        mac.update(format!("{kind:?}:{value}").as_bytes());
        let bytes = mac.finalize().into_bytes();
        bytes[..DIGEST_HEX / 2]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The pseudonym of an identifier of a kind, known to the snapshot or not.
    fn pseudonym(&self, kind: Kind, value: &str) -> String {
        let value = value.trim();
        if kind.case_sensitive() {
            kind.pseudonym(&self.digest(kind, value))
        } else {
            kind.pseudonym(&self.digest(kind, &fold(value)))
        }
    }

    fn add(&mut self, kind: Kind, value: Option<&str>) {
        let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return;
        };
        let key = if kind.case_sensitive() {
            v.to_string()
        } else {
            fold(v)
        };
        // The first kind an identifier is seen as names it.
        if self.names.contains_key(&key) || self.ids.contains_key(&key) {
            return;
        }
        let pseudonym = kind.pseudonym(&self.digest(kind, &key));
        match kind.case_sensitive() {
            true => self.names.insert(key, pseudonym),
            false => self.ids.insert(key, pseudonym),
        };
    }

    /// A group's name or id: redacted, or kept under `--redact-keep groups`.
    fn add_group(&mut self, kind: Kind, value: Option<&str>) {
        if self.keep.groups {
            self.keep_value(value);
        } else {
            self.add(kind, value);
        }
    }

    fn keep_value(&mut self, value: Option<&str>) {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            self.kept.insert(fold(v));
        }
    }

    /// Every identifier the snapshot holds, by kind.
    fn collect(&mut self, t: &Tenant) {
        for u in &t.users {
            let kind = if u.upn.contains('@') {
                Kind::Email
            } else {
                Kind::Id
            };
            self.add(kind, Some(&u.upn));
            self.add(Kind::Email, u.mail.as_deref());
            self.add(Kind::Id, u.object_id.as_deref());
            self.add(Kind::Person, u.display_name.as_deref());
        }
        for d in &t.intune_devices {
            self.add(Kind::Id, Some(&d.id));
            self.add(Kind::Id, d.azure_ad_device_id.as_deref());
            self.add(Kind::Id, d.user_id.as_deref());
            self.add(Kind::Device, d.device_name.as_deref());
            self.add(Kind::Email, d.user_principal_name.as_deref());
            self.add(Kind::Email, d.email_address.as_deref());
        }
        for d in &t.lookout_devices {
            self.add(Kind::Id, Some(&d.guid));
            self.add(Kind::Id, d.details.external_id.as_deref());
            self.add(Kind::Email, d.email.as_deref());
            // Hardware models ("Google Pixel 8") identify nobody and stay readable,
            // also where a device with no name of its own is named by its model.
            self.keep_value(d.hardware_name().as_deref());
        }
        for e in &t.audit {
            self.add(Kind::Email, e.user_upn.as_deref());
            self.add(Kind::Id, e.user_id.as_deref());
            self.add(Kind::Email, e.actor.as_deref());
            self.add_group(Kind::Id, e.group_id.as_deref());
            self.add_group(Kind::Group, e.group_name.as_deref());
        }
        for p in &t.service_principals {
            // The object id is this tenant's; the app id is the publisher's, and the
            // pattern pass redacts it like any GUID.
            self.add(Kind::Id, p.id.as_deref());
        }
        let cfg = &t.config;
        self.add(Kind::Tenant, t.tenant_id.as_deref());
        self.add(Kind::Tenant, cfg.tenant.azure_ad_tenant_id.as_deref());
        self.add(Kind::Email, cfg.tenant.consent.granted_by.as_deref());
        for u in &cfg.console_access.expected_users {
            self.add(Kind::Email, Some(u));
        }
        if let Some(c) = &cfg.intune_connector {
            for m in &c.error_management_emails {
                self.add(Kind::Email, Some(m));
            }
        }
        for c in &t.mtd_connectors {
            self.add(Kind::Id, c.id.as_deref());
        }
        for g in &t.groups {
            self.add_group(Kind::Id, Some(&g.id));
            self.add_group(Kind::Group, Some(&g.name));
            for id in &g.unresolved_groups {
                self.add_group(Kind::Id, Some(id));
            }
        }
        for g in &t.enrollment_groups {
            self.add_group(Kind::Group, Some(&g.name));
        }
        self.add_group(Kind::Id, cfg.console_access.full_access_group_id.as_deref());
        self.add_group(
            Kind::Id,
            cfg.console_access.restricted_access_group_id.as_deref(),
        );
    }

    /// The pseudonym of a whole value the snapshot knows.
    fn known(&self, v: &str) -> Option<&str> {
        self.names
            .get(v)
            .or_else(|| self.ids.get(&fold(v)))
            .map(String::as_str)
    }

    fn is_kept(&self, v: &str) -> bool {
        !self.kept.is_empty() && self.kept.contains(&fold(v.trim()))
    }

    /// A string with every identifier in it replaced: those the snapshot knows, then
    /// every e-mail address and GUID left.
    pub fn text(&self, s: &str) -> String {
        let trimmed = s.trim();
        if let Some(p) = self.known(trimmed) {
            return p.to_string();
        }
        let mut spans = Vec::new();
        self.name_matcher.find(s, None, &mut spans);
        if !self.ids.is_empty() {
            self.id_matcher.find(s, Some(&Folded::new(s)), &mut spans);
        }
        self.patterns(s, &mut spans);
        replace(s, spans)
    }

    /// E-mail addresses and GUIDs, known or not: a known one gets its pseudonym, any
    /// other the one it would get if the snapshot knew it.
    fn patterns<'a>(&'a self, s: &str, spans: &mut Vec<Span<'a>>) {
        for (start, end) in emails(s).chain(guids(s)) {
            let found = &s[start..end];
            if self.is_kept(found) || is_pseudonym(found) {
                continue;
            }
            let with = match self.ids.get(&fold(found)) {
                Some(p) => Cow::Borrowed(p.as_str()),
                None if found.contains('@') => Cow::Owned(self.pseudonym(Kind::Email, found)),
                None => Cow::Owned(self.pseudonym(Kind::Id, found)),
            };
            spans.push(Span { start, end, with });
        }
    }

    /// A whole value that is an identifier of a kind, whether the snapshot knows it or
    /// not (a stale suppression's subject, a baseline's resolved device): its
    /// pseudonym. An address or a GUID gets the pseudonym the pattern pass gives it.
    fn identifier(&self, kind: Kind, v: &str) -> String {
        let trimmed = v.trim();
        if let Some(p) = self.known(trimmed) {
            return p.to_string();
        }
        if trimmed.is_empty() || is_pseudonym(trimmed) || self.is_kept(trimmed) {
            return v.to_string();
        }
        let kind = if is_email(trimmed) {
            Kind::Email
        } else if is_guid(trimmed) && kind != Kind::Tenant {
            Kind::Id
        } else {
            kind
        };
        self.pseudonym(kind, trimmed)
    }

    /// A subject's id, by what the subject is. A connector's id is a fixed name or
    /// the partner's published id; anything else identifies its subject.
    pub fn subject_id(&self, kind: SubjectKind, id: &str) -> String {
        match kind {
            SubjectKind::Connector => self.text(id),
            SubjectKind::Tenant => self.identifier(Kind::Tenant, id),
            SubjectKind::Group if self.keep.groups => id.to_string(),
            SubjectKind::Group => self.identifier(Kind::Group, id),
            SubjectKind::User => self.user(id),
            SubjectKind::Device => self.identifier(Kind::Id, id),
        }
    }

    /// A subject's human name: a device name (a device without one is named by its
    /// hardware model, which stays) or a group's display name.
    pub fn subject_name(&self, kind: SubjectKind, name: &str) -> String {
        match kind {
            SubjectKind::Device => self.identifier(Kind::Device, name),
            SubjectKind::Group if self.keep.groups => name.to_string(),
            SubjectKind::Group => self.identifier(Kind::Group, name),
            SubjectKind::User => self.identifier(Kind::Person, name),
            SubjectKind::Tenant | SubjectKind::Connector => self.text(name),
        }
    }

    /// A user: a UPN or e-mail address, else an object id.
    pub fn user(&self, u: &str) -> String {
        self.identifier(Kind::Id, u)
    }

    /// A device: any of its ids.
    pub fn device(&self, d: &str) -> String {
        self.identifier(Kind::Id, d)
    }

    /// A group's display name, unless kept.
    pub fn group_name(&self, g: &str) -> String {
        self.subject_name(SubjectKind::Group, g)
    }

    /// A group's object id, unless kept.
    pub fn group_id(&self, g: &str) -> String {
        self.subject_id(SubjectKind::Group, g)
    }

    /// The tenant's id.
    pub fn tenant(&self, id: &str) -> String {
        self.identifier(Kind::Tenant, id)
    }

    fn value(&self, v: &mut Value) {
        match v {
            Value::String(s) => *s = self.text(s),
            Value::Array(items) => items.iter_mut().for_each(|i| self.value(i)),
            Value::Object(map) => map.values_mut().for_each(|i| self.value(i)),
            _ => {}
        }
    }

    /// Redacts what a finding carries: its facts, before any text is rendered from
    /// them, and the reason of the suppression covering it.
    pub fn finding(&self, f: &mut Finding) {
        let kind = f.subject.kind;
        f.subject.id = self.subject_id(kind, &f.subject.id);
        f.subject.name = f
            .subject
            .name
            .as_deref()
            .map(|n| self.subject_name(kind, n));
        f.subject.user = f.subject.user.as_deref().map(|u| self.user(u));
        for (_, v) in f.evidence.iter_mut() {
            self.value(v);
        }
        if let Some(rc) = &mut f.root_cause {
            rc.subject = self.subject_id(rc.rule.rule().subject_kind(), &rc.subject);
        }
        if let Some(reason) = &f.suppressed {
            f.suppressed = Some(self.text(reason));
        }
    }

    /// An error of a redacted run, to be shown on stderr: the folders and files it
    /// names shown by the labels given (`paths`: a path and what to show instead),
    /// every value it quotes replaced (rule names excepted: they are the tool's own
    /// words), and every identifier left in it redacted.
    pub fn error(&self, e: &anyhow::Error, paths: &[(&Path, &str)]) -> anyhow::Error {
        if e.downcast_ref::<RedactedError>().is_some() {
            return RedactedError(format!("{e:#}")).into();
        }
        let message = replace_paths(&format!("{e:#}"), paths);
        let message = self.quoted_values(&message);
        RedactedError(self.text(&message)).into()
    }

    /// `"value"` becomes `"redacted"`, or the value's pseudonym when it is a known
    /// identifier.
    fn quoted_values(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(open) = rest.find('"') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('"') else { break };
            let quoted = &after[..close];
            out.push_str(&rest[..=open]);
            let shown = if is_pseudonym(quoted) || crate::rules::RuleId::from_slug(quoted).is_some()
            {
                quoted
            } else {
                self.known(quoted.trim()).unwrap_or("redacted")
            };
            out.push_str(shown);
            out.push('"');
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// An error message already run through the redactor: shown as it is.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RedactedError(String);

/// Replaces each path (as given, and as the system resolves it) where it stands as a
/// path: not inside a longer name, so the folder `.` leaves the dots of a sentence.
fn replace_paths(message: &str, paths: &[(&Path, &str)]) -> String {
    let mut needles: Vec<(String, &str)> = Vec::new();
    for (path, label) in paths {
        let given = path.display().to_string();
        let resolved = std::fs::canonicalize(path)
            .ok()
            .map(|p| p.display().to_string());
        for p in std::iter::once(given).chain(resolved) {
            let p = p.trim_end_matches(['/', '\\']).to_string();
            if !p.is_empty() {
                needles.push((p, label));
            }
        }
    }
    // Longest first: a tenant's folder before the folder holding it.
    needles.sort_by_key(|(needle, _)| std::cmp::Reverse(needle.len()));
    let mut out = message.to_string();
    for (needle, label) in needles {
        let mut replaced = String::with_capacity(out.len());
        let mut from = 0;
        for (at, _) in out.match_indices(needle.as_str()) {
            let end = at + needle.len();
            let before_ok = !out[..at]
                .chars()
                .next_back()
                .is_some_and(|c| is_word_char(c) || matches!(c, '.' | '-' | '/' | '\\'));
            let after_ok = out[end..]
                .chars()
                .next()
                .is_none_or(|c| !(is_word_char(c) || matches!(c, '.' | '-')));
            if at >= from && before_ok && after_ok {
                replaced.push_str(&out[from..at]);
                replaced.push_str(label);
                from = end;
            }
        }
        replaced.push_str(&out[from..]);
        out = replaced;
    }
    out
}

/// Applies the spans that do not overlap, leftmost first, the longest of those that
/// start at the same place.
fn replace(s: &str, mut spans: Vec<Span<'_>>) -> String {
    if spans.is_empty() {
        return s.to_string();
    }
    spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out = String::with_capacity(s.len());
    let mut done = 0;
    for span in spans {
        if span.start < done {
            continue;
        }
        out.push_str(&s[done..span.start]);
        out.push_str(&span.with);
        done = span.end;
    }
    out.push_str(&s[done..]);
    out
}

/// Characters of an address's local part: RFC 5322's, less those that more often
/// belong to the text around an address (`=`, `/`, `?`, braces, quotes but `'`).
fn is_local_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(
            c,
            '.' | '_' | '%' | '+' | '-' | '\'' | '#' | '&' | '~' | '^'
        )
}

fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-')
}

/// The e-mail addresses (and UPN-like `x@y.z`) of a text, as byte ranges.
fn emails(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(rel) = s[from..].find('@') {
            let at = from + rel;
            from = at + 1;
            // The local part: back over its characters, then forward to its first
            // letter or digit (an opening quote or dot is not part of it).
            let mut start = at;
            for (i, c) in s[..at].char_indices().rev() {
                if !is_local_char(c) {
                    break;
                }
                start = i;
            }
            start += s[start..at]
                .find(char::is_alphanumeric)
                .unwrap_or(at - start);
            if start == at {
                continue;
            }
            // The domain: labels of letters, digits and hyphens, at least two.
            let mut end = at + 1;
            for (i, c) in s[at + 1..].char_indices() {
                if !is_domain_char(c) {
                    break;
                }
                end = at + 1 + i + c.len_utf8();
            }
            let domain = &s[at + 1..end];
            let domain = domain.split("..").next().unwrap_or_default();
            let domain = domain.trim_end_matches(['.', '-']);
            let labels = domain.split('.').count();
            if labels < 2
                || domain
                    .split('.')
                    .any(|l| l.is_empty() || l.starts_with('-'))
            {
                continue;
            }
            let end = at + 1 + domain.len();
            from = end;
            return Some((start, end));
        }
        None
    })
}

fn is_email(s: &str) -> bool {
    emails(s).next() == Some((0, s.len()))
}

/// Length of `8-4-4-4-12`.
const GUID_LEN: usize = 36;

fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == GUID_LEN
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The GUIDs of a text (not touching other letters or digits), as byte ranges; the
/// nil GUID is a placeholder, not an identifier.
fn guids(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let b = s.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at + GUID_LEN <= b.len() {
            let start = at;
            at += 1;
            let end = start + GUID_LEN;
            let bounded = (start == 0 || !b[start - 1].is_ascii_alphanumeric())
                && (end == b.len() || !b[end].is_ascii_alphanumeric());
            if bounded && s.is_char_boundary(start) && s.is_char_boundary(end) {
                let candidate = &s[start..end];
                if is_guid(candidate) {
                    at = end;
                    if candidate.bytes().all(|c| c == b'0' || c == b'-') {
                        continue;
                    }
                    return Some((start, end));
                }
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::Fixture;

    fn redactor() -> Redactor {
        Redactor::new(
            &Fixture::new().tenant(),
            &RedactKey::fixed(b"k"),
            Keep::default(),
        )
    }

    #[test]
    fn addresses_and_guids_are_found_in_text() {
        fn found(s: &str) -> Vec<&str> {
            emails(s).map(|(a, b)| &s[a..b]).collect()
        }
        assert_eq!(
            found("mail 'o'brien@x.example', <bob+1@mail.contoso.com>. and ÉLODIE@contoso.fr."),
            [
                "o'brien@x.example",
                "bob+1@mail.contoso.com",
                "ÉLODIE@contoso.fr"
            ]
        );
        assert_eq!(found("@odata.context, a@b, x@y.z"), ["x@y.z"]);
        assert_eq!(
            found("guest alice_contoso.com#EXT#@fabrikam.onmicrosoft.com"),
            ["alice_contoso.com#EXT#@fabrikam.onmicrosoft.com"]
        );
        let g = "{830217B0-1C50-4D1B-90B3-232493251EC7}";
        let ids: Vec<&str> = guids(g).map(|(a, b)| &g[a..b]).collect();
        assert_eq!(ids, ["830217B0-1C50-4D1B-90B3-232493251EC7"]);
        let not = "x830217b0-1c50-4d1b-90b3-232493251ec7 00000000-0000-0000-0000-000000000000";
        assert_eq!(guids(not).count(), 0);
    }

    #[test]
    fn unknown_addresses_and_guids_get_the_pseudonym_they_would_have_if_known() {
        let r = redactor();
        let text = r.text("ask élodie@contoso.com or 5a7e0c3b-0000-4000-8000-00000000abcd");
        assert!(
            !text.contains("contoso") && !text.contains("abcd"),
            "{text}"
        );
        assert_eq!(
            r.text("ÉLODIE@CONTOSO.COM"),
            r.pseudonym(Kind::Email, "élodie@contoso.com")
        );
        // Already redacted: left as it is.
        let p = r.pseudonym(Kind::Email, "x@y.z");
        assert_eq!(r.text(&p), p);
        assert_eq!(r.user(&p), p);
    }

    #[test]
    fn ids_are_found_in_free_text_in_any_letter_case() {
        let mut r = Redactor::without_tenant(&RedactKey::fixed(b"k"));
        r.add(Kind::Id, Some("lk-écran-Ω1"));
        r.id_matcher = Matcher::new(&r.ids);
        let p = r.pseudonym(Kind::Id, "lk-écran-ω1");
        assert_eq!(r.text("İ lost LK-ÉCRAN-Ω1."), format!("İ lost {p}."));
    }

    #[test]
    fn folding_maps_positions_back_through_length_changes() {
        // 'İ' folds to two characters, the Kelvin sign to one byte fewer.
        let s = "İ\u{212A} bob@contoso.com İ";
        let f = Folded::new(s);
        let at = f.text.find("bob").unwrap();
        assert_eq!(
            f.original_range(s, at, at + 3),
            (s.find("bob").unwrap(), s.find("bob").unwrap() + 3)
        );
    }

    #[test]
    fn short_names_are_whole_words_only() {
        let mut r = Redactor::without_tenant(&RedactKey::fixed(b"k"));
        r.add(Kind::Group, Some("HR"));
        r.name_matcher = Matcher::new(&r.names);
        let text = r.text("HR > THREE HRS (HR-Team)");
        assert!(text.contains("THREE HRS"), "{text}");
        assert_eq!(text.matches("group-").count(), 2, "{text}");
        assert!(!text.contains("HR >") && !text.contains("(HR-"), "{text}");
    }

    #[test]
    fn paths_are_replaced_where_they_stand_as_paths() {
        let dir = Path::new("fixtures/contoso");
        let msg = "fixtures/contoso/lookout.json:1:2: bad. fixtures/contoso2 fixtures/contoso";
        assert_eq!(
            replace_paths(msg, &[(dir, "snapshot")]),
            "snapshot/lookout.json:1:2: bad. fixtures/contoso2 snapshot"
        );
        let dot = Path::new(".");
        assert_eq!(
            replace_paths("./lookout.json: the end.", &[(dot, "snapshot")]),
            "snapshot/lookout.json: the end."
        );
    }

    #[test]
    fn pseudonyms_are_recognised() {
        let r = redactor();
        for kind in [
            Kind::Email,
            Kind::Person,
            Kind::Device,
            Kind::Id,
            Kind::Group,
            Kind::Tenant,
        ] {
            assert!(is_pseudonym(&r.pseudonym(kind, "x")));
        }
        assert!(!is_pseudonym("device-pixel"));
        assert!(!is_pseudonym("user-0123456789ab@contoso.com"));
    }
}
