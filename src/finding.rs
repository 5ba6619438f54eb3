//! What a rule reports: a finding about one subject, with the facts that prove it.

use crate::rules::RuleId;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use std::fmt;

/// How bad a finding is. Ordered worst first, so sorting puts errors on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }

    /// True when `self` is at least as severe as `threshold`.
    pub fn at_least(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubjectKind {
    Tenant,
    Connector,
    Group,
    User,
    Device,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Tenant => "tenant",
            SubjectKind::Connector => "connector",
            SubjectKind::Group => "group",
            SubjectKind::User => "user",
            SubjectKind::Device => "device",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub id: String,
    /// A human name: device name, group display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The user the subject belongs to (a device's owner), lower-case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

impl Subject {
    pub fn new(kind: SubjectKind, id: impl Into<String>) -> Subject {
        Subject {
            kind,
            id: id.into(),
            name: None,
            user: None,
        }
    }

    pub fn named(mut self, name: Option<&str>) -> Subject {
        self.name = name.filter(|n| !n.is_empty()).map(str::to_owned);
        self
    }

    pub fn owned_by(mut self, user: Option<&str>) -> Subject {
        self.user = user.filter(|u| !u.is_empty()).map(str::to_lowercase);
        self
    }
}

/// The facts behind a finding, in the order the rule recorded them. Keys are stable
/// (scripts read them, and the knowledge templates name them as placeholders).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence(Vec<(&'static str, Value)>);

impl Evidence {
    pub fn new() -> Evidence {
        Evidence(Vec::new())
    }

    /// Records a fact; `None` becomes JSON null so the key is always present.
    pub fn with(mut self, key: &'static str, value: impl Into<Value>) -> Evidence {
        self.set(key, value);
        self
    }

    pub fn set(&mut self, key: &'static str, value: impl Into<Value>) {
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&'static str, &mut Value)> {
        self.0.iter_mut().map(|(k, v)| (*k, v))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Evidence {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Who and what a finding concerns, for `--user` / `--device` focus. Not part of the
/// report: the subject and evidence say the same for readers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Concerns {
    /// Lower-case UPNs / e-mail addresses.
    pub users: Vec<String>,
    /// Lower-case device identifiers: Lookout guid, Intune id, Entra device id.
    pub devices: Vec<String>,
}

/// A configuration finding that explains another finding: fix it, and the other goes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RootCause {
    pub rule: RuleId,
    pub subject: String,
}

/// One problem found by one rule about one subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    pub subject: Subject,
    /// Which branch of the troubleshooting tree applies (a stable slug).
    pub cause: Option<&'static str>,
    pub evidence: Evidence,
    pub concerns: Concerns,
    /// Set by a rule when a configuration problem may explain this finding; the engine
    /// keeps it only if that configuration finding was really reported.
    pub root_cause: Option<RootCause>,
    /// The reason of the suppression that covers this finding, if any.
    pub suppressed: Option<String>,
}

impl Finding {
    pub fn new(rule: RuleId, severity: Severity, subject: Subject) -> Finding {
        Finding {
            rule,
            severity,
            subject,
            cause: None,
            evidence: Evidence::new(),
            concerns: Concerns::default(),
            root_cause: None,
            suppressed: None,
        }
    }

    pub fn caused_by(mut self, rule: RuleId, subject: impl Into<String>) -> Finding {
        self.root_cause = Some(RootCause {
            rule,
            subject: subject.into(),
        });
        self
    }

    pub fn cause(mut self, cause: &'static str) -> Finding {
        self.cause = Some(cause);
        self
    }

    pub fn evidence(mut self, evidence: Evidence) -> Finding {
        self.evidence = evidence;
        self
    }

    pub fn concerning_user(mut self, user: Option<&str>) -> Finding {
        if let Some(u) = user.filter(|u| !u.is_empty()) {
            let u = u.to_lowercase();
            if !self.concerns.users.contains(&u) {
                self.concerns.users.push(u);
            }
        }
        self
    }

    pub fn concerning_device(mut self, id: Option<&str>) -> Finding {
        if let Some(d) = id.filter(|d| !d.is_empty()) {
            let d = d.to_lowercase();
            if !self.concerns.devices.contains(&d) {
                self.concerns.devices.push(d);
            }
        }
        self
    }

    /// The report order: severity (worst first), then rule slug, then subject id.
    pub fn sort_key(&self) -> (Severity, &str, &str, Option<&str>) {
        (
            self.severity,
            self.rule.slug(),
            &self.subject.id,
            self.cause,
        )
    }
}
