//! Each rule's knowledge, as data: title, what it checks, why it matters, an example,
//! the impact, a diagnosis template per cause and the remediation steps, from
//! `rules/<slug>.toml` (embedded at build time so the binary stands alone).
//!
//! Diagnosis templates name evidence keys as `{placeholders}`. A segment written
//! `[[ ... ]]` is dropped when a placeholder inside it has no value, so a sentence
//! like "deleted[[ on {deleted_at}]]" reads well whether or not the date is known.

use crate::escape;
use crate::finding::{Evidence, Finding, Subject};
use crate::rules::RuleId;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub const FALLBACK_LANG: &str = "en";

/// A rule's knowledge file; its name (`rules/<slug>.toml`) says which rule it is for.
#[derive(Debug, Deserialize)]
pub struct Knowledge {
    pub references: Vec<String>,
    /// Texts per language code ("en", "ko", ...).
    #[serde(flatten)]
    pub texts: BTreeMap<String, RuleText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleText {
    pub title: String,
    pub what: String,
    pub why: String,
    pub example: String,
    pub impact: String,
    /// One sentence per cause slug: what that branch means.
    #[serde(default)]
    pub causes: BTreeMap<String, String>,
    /// Templates per cause slug, plus "default".
    pub diagnosis: BTreeMap<String, String>,
    /// Ordered steps per cause slug, plus "default".
    pub remediation: BTreeMap<String, Vec<String>>,
}

impl Knowledge {
    /// The text in `lang`, or English when that language is missing.
    pub fn text(&self, lang: &str) -> &RuleText {
        self.texts
            .get(lang)
            .or_else(|| self.texts.get(FALLBACK_LANG))
            .expect("every knowledge file has English text (checked by tests)")
    }
}

impl RuleText {
    fn for_cause<'a, T>(map: &'a BTreeMap<String, T>, cause: Option<&str>) -> Option<&'a T> {
        cause
            .and_then(|c| map.get(c))
            .or_else(|| map.get("default"))
    }

    pub fn diagnosis_template(&self, cause: Option<&str>) -> &str {
        Self::for_cause(&self.diagnosis, cause).map_or("", String::as_str)
    }

    pub fn remediation(&self, cause: Option<&str>) -> &[String] {
        Self::for_cause(&self.remediation, cause).map_or(&[], Vec::as_slice)
    }
}

/// Parses one knowledge file; used at start-up and by the completeness tests.
pub fn parse(rule: RuleId) -> Result<Knowledge, String> {
    toml::from_str(rule.knowledge_source()).map_err(|e| format!("rules/{rule}.toml: {e}"))
}

/// The knowledge of one rule, every file parsed on first use.
pub fn of(rule: RuleId) -> &'static Knowledge {
    static ALL: OnceLock<Vec<Knowledge>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        RuleId::ALL
            .iter()
            .map(|&r| {
                parse(r).unwrap_or_else(|e| panic!("embedded rule knowledge is invalid: {e}"))
            })
            .collect()
    });
    // `RuleId::ALL` lists the variants in declaration order, so a variant's
    // discriminant is its position.
    &all[rule as usize]
}

/// How evidence values read inside a sentence.
pub fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "true" } else { "false" }.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => Some(
            items
                .iter()
                .map(|i| value_text(i).unwrap_or_else(|| "—".into()))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Value::Object(_) => Some(v.to_string()),
    }
}

/// Fills a template from a finding's evidence and subject. Unknown placeholders are
/// left as written (the tests catch them); missing values read as "—".
pub fn render(template: &str, finding: &Finding) -> String {
    render_with(template, &finding.subject, &finding.evidence, escape::none)
}

/// [`render`] with each value written by `value`, the escaper of the medium the
/// sentence is for; the template's own words are left as they are.
pub fn render_with(
    template: &str,
    subject: &Subject,
    evidence: &Evidence,
    value: escape::Escape,
) -> String {
    let text = |s: &str| value(s).into_owned();
    let lookup = |key: &str| -> Option<Option<String>> {
        match key {
            "subject_id" => Some(Some(text(&subject.id))),
            "subject_name" => Some(subject.name.as_deref().map(text)),
            "subject_user" => Some(subject.user.as_deref().map(text)),
            _ => evidence
                .get(key)
                .map(|v| value_text(v).as_deref().map(text)),
        }
    };
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find("[[") {
        out.push_str(&fill(&rest[..start], &lookup, false).unwrap_or_default());
        let Some(len) = rest[start + 2..].find("]]") else {
            rest = &rest[start..];
            break;
        };
        let segment = &rest[start + 2..start + 2 + len];
        if let Some(text) = fill(segment, &lookup, true) {
            out.push_str(&text);
        }
        rest = &rest[start + 2 + len + 2..];
    }
    out.push_str(&fill(rest, &lookup, false).unwrap_or_default());
    out
}

/// Replaces `{key}`s. With `optional`, returns None as soon as a value is missing.
fn fill(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<Option<String>>,
    optional: bool,
) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return Some(out);
        };
        let key = &after[..close];
        match lookup(key) {
            Some(Some(v)) => out.push_str(&v),
            // Inside an optional segment, an unknown or absent fact drops the segment.
            Some(None) | None if optional => return None,
            Some(None) => out.push('—'),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The `{placeholders}` a template names, for the completeness tests.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Severity, SubjectKind};

    fn finding() -> Finding {
        Finding::new(
            RuleId::DevicePending,
            Severity::Error,
            Subject::new(SubjectKind::Device, "lk-1"),
        )
        .evidence(
            Evidence::new()
                .with("group", "Lookout Pilot")
                .with("at", serde_json::Value::Null)
                .with("groups", vec!["A", "B"]),
        )
    }

    #[test]
    fn fills_placeholders_and_drops_optional_segments() {
        let f = finding();
        assert_eq!(
            render("{subject_id} left {group}[[ on {at}]].", &f),
            "lk-1 left Lookout Pilot."
        );
        assert_eq!(render("in {groups}; at {at}", &f), "in A, B; at —");
        assert_eq!(
            render("[[group {group}]] {nope}", &f),
            "group Lookout Pilot {nope}"
        );
    }

    #[test]
    fn values_are_escaped_for_the_medium_and_never_read_as_placeholders() {
        let f = finding().evidence(Evidence::new().with("group", "{subject_id}\n[[x]]"));
        let text = render_with(
            "{group} [[on {at}]]",
            &f.subject,
            &f.evidence,
            escape::fold_lines,
        );
        assert_eq!(text, "{subject_id}⏎[[x]] ");
    }
}
