//! `--redact`: replace every user name, e-mail, device name and identifier in the
//! report with a stable pseudonym, so a report can go to Lookout support without
//! leaking who or what it is about. Pseudonyms are HMAC-SHA256 of the identifier under
//! a key that never appears in the output: random per run, or taken from
//! LOOKOUT_DOCTOR_REDACT_KEY so pseudonyms stay the same across runs and snapshots.
//!
//! Building the report applies it (`report::BuildOptions::redactor`): a finding's
//! facts are redacted before its diagnosis is rendered from them, so prose never
//! carries a real name; the remaining free text that quotes tenant data (health
//! details, notes, suppressions) is scanned for every known identifier.

use crate::finding::Finding;
use crate::model::Tenant;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::collections::BTreeMap;

pub const KEY_ENV: &str = "LOOKOUT_DOCTOR_REDACT_KEY";

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
            Kind::Email => format!("user-{digest}@redacted.invalid"),
            Kind::Person => format!("person-{digest}"),
            Kind::Device => format!("device-{digest}"),
            Kind::Id => format!("id-{digest}"),
            Kind::Group => format!("group-{digest}"),
            Kind::Tenant => format!("tenant-{digest}"),
        }
    }
}

/// What `--redact` keeps readable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keep {
    /// `--redact-keep groups`: group names and ids stay (they are rarely personal).
    pub groups: bool,
}

pub struct Redactor {
    key: Vec<u8>,
    /// Identifier -> pseudonym. Addresses and ids are keyed lower-case (they compare
    /// without case); names keep their case, because a name that differs only in case
    /// is a finding of its own (enrollment-group-case-mismatch).
    table: BTreeMap<String, String>,
    /// Free-text matchers: case-sensitive names first, then case-insensitive ids.
    matchers: Vec<(AhoCorasick, Vec<String>)>,
}

impl Kind {
    fn case_sensitive(self) -> bool {
        matches!(self, Kind::Group | Kind::Device | Kind::Person)
    }
}

/// Identifiers shorter than this are not searched for inside free text (they would
/// match ordinary words); they are still replaced where they are a whole value.
const MIN_TEXT_MATCH: usize = 4;

impl Redactor {
    /// The key from LOOKOUT_DOCTOR_REDACT_KEY, else 32 random bytes.
    pub fn key_from_env() -> anyhow::Result<Vec<u8>> {
        if let Some(k) = std::env::var_os(KEY_ENV).filter(|k| !k.is_empty()) {
            return Ok(k.to_string_lossy().as_bytes().to_vec());
        }
        let mut key = vec![0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| anyhow::anyhow!("no randomness for the redaction key: {e}"))?;
        Ok(key)
    }

    pub fn new(tenant: &Tenant, key: Vec<u8>, keep: Keep) -> Redactor {
        let mut r = Redactor {
            key,
            table: BTreeMap::new(),
            matchers: Vec::new(),
        };
        let mut kinds: BTreeMap<String, Kind> = BTreeMap::new();
        r.collect(tenant, keep, &mut kinds);
        for sensitive in [true, false] {
            let mut pairs: Vec<(&String, &String)> = r
                .table
                .iter()
                .filter(|(k, _)| {
                    kinds[*k].case_sensitive() == sensitive && k.chars().count() >= MIN_TEXT_MATCH
                })
                .collect();
            // Longest first, so "alice@contoso.com" wins over a shorter overlapping name.
            pairs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
            let matcher = AhoCorasickBuilder::new()
                .ascii_case_insensitive(!sensitive)
                .match_kind(MatchKind::LeftmostLongest)
                .build(pairs.iter().map(|(k, _)| k.as_str()));
            if let Ok(m) = matcher {
                r.matchers
                    .push((m, pairs.iter().map(|(_, v)| (*v).clone()).collect()));
            }
        }
        r
    }

    fn digest(&self, kind: Kind, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC takes keys of any length");
        mac.update(format!("{kind:?}:{value}").as_bytes());
        let bytes = mac.finalize().into_bytes();
        bytes[..6].iter().map(|b| format!("{b:02x}")).collect()
    }

    fn add(&mut self, kinds: &mut BTreeMap<String, Kind>, kind: Kind, value: Option<&str>) {
        let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return;
        };
        let key = if kind.case_sensitive() {
            v.to_string()
        } else {
            v.to_lowercase()
        };
        if !self.table.contains_key(&key) {
            let p = kind.pseudonym(&self.digest(kind, &key));
            self.table.insert(key.clone(), p);
            kinds.insert(key, kind);
        }
    }

    /// Every identifier the snapshot holds, by kind.
    fn collect(&mut self, t: &Tenant, keep: Keep, kinds: &mut BTreeMap<String, Kind>) {
        for u in &t.users {
            let kind = if u.upn.contains('@') {
                Kind::Email
            } else {
                Kind::Id
            };
            self.add(kinds, kind, Some(&u.upn));
            self.add(kinds, Kind::Email, u.mail.as_deref());
            self.add(kinds, Kind::Id, u.object_id.as_deref());
            self.add(kinds, Kind::Person, u.display_name.as_deref());
        }
        for d in &t.intune_devices {
            self.add(kinds, Kind::Id, Some(&d.id));
            self.add(kinds, Kind::Id, d.azure_ad_device_id.as_deref());
            self.add(kinds, Kind::Id, d.user_id.as_deref());
            self.add(kinds, Kind::Device, d.device_name.as_deref());
            self.add(kinds, Kind::Email, d.user_principal_name.as_deref());
            self.add(kinds, Kind::Email, d.email_address.as_deref());
        }
        for d in &t.lookout_devices {
            self.add(kinds, Kind::Id, Some(&d.guid));
            self.add(kinds, Kind::Id, d.details.external_id.as_deref());
            self.add(kinds, Kind::Email, d.email.as_deref());
            // Hardware models ("Google Pixel 8") identify nobody and stay readable.
        }
        for e in &t.audit {
            self.add(kinds, Kind::Email, e.user_upn.as_deref());
            self.add(kinds, Kind::Id, e.user_id.as_deref());
            self.add(kinds, Kind::Email, e.actor.as_deref());
            if !keep.groups {
                self.add(kinds, Kind::Id, e.group_id.as_deref());
                self.add(kinds, Kind::Group, e.group_name.as_deref());
            }
        }
        let cfg = &t.config;
        self.add(kinds, Kind::Tenant, t.tenant_id.as_deref());
        self.add(
            kinds,
            Kind::Tenant,
            cfg.tenant.azure_ad_tenant_id.as_deref(),
        );
        self.add(kinds, Kind::Email, cfg.tenant.consent.granted_by.as_deref());
        for u in &cfg.console_access.expected_users {
            self.add(kinds, Kind::Email, Some(u));
        }
        if let Some(c) = &cfg.intune_connector {
            for m in &c.error_management_emails {
                self.add(kinds, Kind::Email, Some(m));
            }
        }
        for c in &t.mtd_connectors {
            self.add(kinds, Kind::Id, c.id.as_deref());
        }
        if !keep.groups {
            for g in &t.groups {
                self.add(kinds, Kind::Id, Some(&g.id));
                self.add(kinds, Kind::Group, Some(&g.name));
                for id in &g.unresolved_groups {
                    self.add(kinds, Kind::Id, Some(id));
                }
            }
            for g in &t.enrollment_groups {
                self.add(kinds, Kind::Group, Some(&g.name));
            }
            self.add(
                kinds,
                Kind::Id,
                cfg.console_access.full_access_group_id.as_deref(),
            );
            self.add(
                kinds,
                Kind::Id,
                cfg.console_access.restricted_access_group_id.as_deref(),
            );
        }
    }

    /// A string with every known identifier in it replaced.
    pub fn text(&self, s: &str) -> String {
        let trimmed = s.trim();
        if let Some(p) = self
            .table
            .get(trimmed)
            .or_else(|| self.table.get(&trimmed.to_lowercase()))
        {
            return p.clone();
        }
        let mut out = s.to_string();
        for (matcher, replacements) in &self.matchers {
            out = matcher.replace_all(&out, replacements);
        }
        out
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
        f.subject.id = self.text(&f.subject.id);
        f.subject.name = f.subject.name.as_deref().map(|n| self.text(n));
        f.subject.user = f.subject.user.as_deref().map(|u| self.text(u));
        for (_, v) in f.evidence.iter_mut() {
            self.value(v);
        }
        if let Some(rc) = &mut f.root_cause {
            rc.subject = self.text(&rc.subject);
        }
        if let Some(reason) = &f.suppressed {
            f.suppressed = Some(self.text(reason));
        }
    }
}
