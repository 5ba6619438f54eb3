//! `--baseline REPORT.json`: compare this run with an earlier JSON report, so a
//! pipeline can fail on new findings only and show what got fixed. A finding is the
//! same when its rule and subject (kind and id) are the same.

use super::ReportFinding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    New,
    Unchanged,
}

/// What is kept of an earlier report.
#[derive(Debug, Deserialize)]
pub struct Baseline {
    #[serde(default)]
    snapshot: Option<BaselineSnapshot>,
    findings: Vec<BaselineFinding>,
}

#[derive(Debug, Deserialize)]
struct BaselineSnapshot {
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    tenant_id: Option<String>,
}

/// A baseline file: one report, or (from a multi-tenant run) an array of them.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum BaselineFile {
    One(Baseline),
    Many(Vec<Baseline>),
}

/// The baselines of one or many tenants.
#[derive(Debug)]
pub struct Baselines(Vec<Baseline>);

impl Baselines {
    pub fn load(path: &Path) -> anyhow::Result<Baselines> {
        // The same guarded reader as the snapshot: regular files only, size-limited.
        let bytes = crate::snapshot::text::read_utf8(path)
            .map_err(|e| anyhow::anyhow!("cannot read the baseline report: {e}"))?;
        // Parse once as JSON for a precise position, then as a report.
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            anyhow::anyhow!(
                "{}:{}:{}: not valid JSON ({}); create a baseline with `diagnose --format json --output FILE`",
                path.display(),
                e.line(),
                e.column(),
                e.to_string().split(" at line").next().unwrap_or_default()
            )
        })?;
        let file: BaselineFile = serde_json::from_value(value).map_err(|e| {
            anyhow::anyhow!(
                "{}: not a lookout-doctor JSON report: {}",
                path.display(),
                crate::escape::parser_message(&e.to_string())
            )
        })?;
        Ok(Baselines(match file {
            BaselineFile::One(b) => vec![b],
            BaselineFile::Many(v) => v,
        }))
    }

    /// The baseline of a tenant: the only one, or the one with the same tenant id (or,
    /// without ids, the same snapshot path).
    pub fn for_tenant(&self, tenant_id: Option<&str>, path: &str) -> Option<&Baseline> {
        if let [only] = self.0.as_slice() {
            return Some(only);
        }
        self.0.iter().find(|b| {
            let snap = b.snapshot.as_ref();
            match (tenant_id, snap.and_then(|s| s.tenant_id.as_deref())) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => snap.and_then(|s| s.path.as_deref()) == Some(path),
            }
        })
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct BaselineSubject {
    pub kind: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct BaselineFinding {
    rule: String,
    #[serde(default)]
    severity: Option<String>,
    subject: BaselineSubject,
    #[serde(default)]
    cause: Option<String>,
    #[serde(default)]
    title: Option<String>,
}

/// A baseline finding that this run no longer reports.
#[derive(Debug, Clone, Serialize)]
pub struct ResolvedFinding {
    pub rule: String,
    pub severity: Option<String>,
    pub subject: BaselineSubject,
    pub cause: Option<String>,
    pub title: Option<String>,
}

impl Baseline {
    /// Marks each finding new or unchanged; returns how many are new (not counting
    /// suppressed ones) and the baseline findings that are gone.
    pub fn compare(&self, findings: &mut [ReportFinding]) -> (usize, Vec<ResolvedFinding>) {
        let before: BTreeSet<(&str, &str, &str)> = self
            .findings
            .iter()
            .map(|f| {
                (
                    f.rule.as_str(),
                    f.subject.kind.as_str(),
                    f.subject.id.as_str(),
                )
            })
            .collect();
        let mut new = 0;
        let mut now = BTreeSet::new();
        for f in findings.iter_mut() {
            let key = (
                f.rule.slug(),
                f.subject.kind.as_str(),
                f.subject.id.as_str(),
            );
            let state = if before.contains(&key) {
                BaselineState::Unchanged
            } else {
                if !f.is_suppressed() {
                    new += 1;
                }
                BaselineState::New
            };
            f.baseline_state = Some(state);
            now.insert((f.rule.to_string(), key.1.to_string(), key.2.to_string()));
        }
        let resolved = self
            .findings
            .iter()
            .filter(|f| {
                !now.contains(&(f.rule.clone(), f.subject.kind.clone(), f.subject.id.clone()))
            })
            .map(|f| ResolvedFinding {
                rule: f.rule.clone(),
                severity: f.severity.clone(),
                subject: f.subject.clone(),
                cause: f.cause.clone(),
                title: f.title.clone(),
            })
            .collect();
        (new, resolved)
    }
}
