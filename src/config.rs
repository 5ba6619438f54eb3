//! `lookout-doctor.toml`: per-rule severity, rules turned off, and suppressions with a
//! mandatory reason and an optional expiry (SPEC section 7). Read from the snapshot
//! folder or `--config FILE`. Unknown keys are errors with their line, so a typo never
//! silently disables a check.

use crate::escape::quote;
use crate::finding::Severity;
use crate::rules::RuleId;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "lookout-doctor.toml";

/// What a rule's findings are reported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    At(Severity),
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" | "allow" => Some(Level::Off),
            other => Severity::parse(other).map(Level::At),
        }
    }
}

/// Where a severity change or a rule switch-off came from (the report says which).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    ConfigFile(PathBuf),
    CommandLine,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub rule: RuleId,
    pub subject: String,
    pub reason: String,
    pub expires: Option<NaiveDate>,
}

/// The policy a run applies on top of the rules' own verdicts.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub levels: BTreeMap<RuleId, (Level, Origin)>,
    pub suppressions: Vec<Suppression>,
    /// The file the policy was read from, if any.
    pub source: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", path.display(), position.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
pub struct ConfigError {
    pub path: PathBuf,
    /// Line and column (1-based), when known.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    suppress: Vec<Spanned<RawSuppression>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuppression {
    rule: Spanned<String>,
    subject: String,
    reason: String,
    #[serde(default)]
    expires: Option<Spanned<String>>,
}

/// Line and column of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |nl| before.len() - nl - 1)
        + 1;
    (line, column)
}

impl Policy {
    /// Reads `--config FILE`, else `lookout-doctor.toml` in the snapshot folder, else
    /// returns an empty policy.
    pub fn load(explicit: Option<&Path>, snapshot_dir: &Path) -> Result<Policy, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_owned(),
            None => {
                let p = snapshot_dir.join(FILE_NAME);
                if !p.is_file() {
                    return Ok(Policy::default());
                }
                // Part of the snapshot: a link out of it is refused like an export's.
                if let Ok(root) = snapshot_dir.canonicalize() {
                    crate::snapshot::discover::check_link(&root, &p).map_err(|e| ConfigError {
                        path: p.clone(),
                        position: None,
                        message: format!("cannot read the configuration file: {e}"),
                    })?;
                }
                p
            }
        };
        // The same guarded reader as the snapshot: regular files only, size-limited.
        let bytes = crate::snapshot::text::read_utf8(&path).map_err(|e| ConfigError {
            path: path.clone(),
            position: None,
            message: format!("cannot read the configuration file: {e}"),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| ConfigError {
            path: path.clone(),
            position: None,
            message: "the file is not UTF-8 text".into(),
        })?;
        Policy::parse(&path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Policy, ConfigError> {
        let err = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
            path: path.to_owned(),
            position: span.map(|s| position(text, s.start)),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            // toml's message repeats the position as a snippet; keep its first line,
            // and of any value it quotes a short prefix.
            let message = e.message().lines().next().unwrap_or_default();
            let message = crate::escape::parser_message(message);
            err(e.span(), message)
        })?;
        let origin = Origin::ConfigFile(path.to_owned());
        let mut policy = Policy {
            source: Some(path.to_owned()),
            ..Policy::default()
        };
        for (slug, level) in raw.rules {
            let rule = rule_named(slug.get_ref()).map_err(|m| err(Some(slug.span()), m))?;
            let parsed = Level::parse(level.get_ref()).ok_or_else(|| {
                err(
                    Some(level.span()),
                    format!(
                        "{} is not a level; expected error, warning, info or off",
                        quote(level.get_ref())
                    ),
                )
            })?;
            policy.levels.insert(rule, (parsed, origin.clone()));
        }
        for s in raw.suppress {
            let span = s.span();
            let s = s.into_inner();
            let rule = rule_named(s.rule.get_ref()).map_err(|m| err(Some(s.rule.span()), m))?;
            if s.reason.trim().is_empty() {
                return Err(err(
                    Some(span),
                    "a suppression needs a reason (who decided, why, ticket)".into(),
                ));
            }
            let expires = match s.expires {
                None => None,
                Some(e) => Some(
                    NaiveDate::parse_from_str(e.get_ref().trim(), "%Y-%m-%d").map_err(|_| {
                        err(
                            Some(e.span()),
                            format!(
                                "expires {} is not a date; expected YYYY-MM-DD",
                                quote(e.get_ref())
                            ),
                        )
                    })?,
                ),
            };
            policy.suppressions.push(Suppression {
                rule,
                subject: s.subject,
                reason: s.reason,
                expires,
            });
        }
        Ok(policy)
    }

    /// Applies `--allow/--warn/--deny RULE`, which win over the file.
    pub fn override_level(&mut self, slug: &str, level: Level) -> Result<(), String> {
        let rule = rule_named(slug)?;
        self.levels.insert(rule, (level, Origin::CommandLine));
        Ok(())
    }

    pub fn level(&self, rule: RuleId) -> Option<&(Level, Origin)> {
        self.levels.get(&rule)
    }
}

/// The rule a slug of the file or the command line names, else an error that suggests
/// the closest slug.
fn rule_named(slug: &str) -> Result<RuleId, String> {
    if let Some(rule) = RuleId::from_slug(slug) {
        return Ok(rule);
    }
    let hint = RuleId::ALL
        .iter()
        .map(|r| (strsim::jaro_winkler(slug, r.slug()), r.slug()))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score > 0.8)
        .map(|(_, s)| format!("; did you mean \"{s}\"?"))
        .unwrap_or_default();
    Err(format!(
        "unknown rule {}{hint} (`lookout-doctor rules` lists them)",
        quote(slug)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Policy, String> {
        Policy::parse(Path::new("lookout-doctor.toml"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn levels_and_suppressions() {
        let p = parse(
            "[rules]\ndevice-pending = \"info\"\ndevice-duplicate = \"off\"\n\n[[suppress]]\nrule = \"device-disconnected\"\nsubject = \"lk-7f3a\"\nreason = \"lost phone, ticket 4411\"\nexpires = \"2026-12-31\"\n",
        )
        .unwrap();
        assert_eq!(
            p.level(RuleId::DevicePending).unwrap().0,
            Level::At(Severity::Info)
        );
        assert_eq!(p.level(RuleId::DeviceDuplicate).unwrap().0, Level::Off);
        assert_eq!(p.suppressions[0].rule, RuleId::DeviceDisconnected);
        assert_eq!(
            p.suppressions[0].expires,
            NaiveDate::from_ymd_opt(2026, 12, 31)
        );
    }

    #[test]
    fn mistakes_name_the_key_and_line() {
        let e = parse("[rules]\ndevice-pendng = \"info\"\n").unwrap_err();
        assert!(e.starts_with("lookout-doctor.toml:2:1: unknown rule \"device-pendng\"; did you mean \"device-pending\"?"), "{e}");
        let e = parse("[rule]\ndevice-pending = \"info\"\n").unwrap_err();
        assert!(
            e.contains(":1:") && e.contains("unknown field `rule`"),
            "{e}"
        );
        let e = parse("[[suppress]]\nrule = \"device-pending\"\nsubject = \"x\"\nreason = \"r\"\nexpire = \"2026-01-01\"\n").unwrap_err();
        assert!(e.contains("unknown field `expire`"), "{e}");
        let e = parse("[[suppress]]\nrule = \"device-pending\"\nsubject = \"x\"\n").unwrap_err();
        assert!(e.contains("missing field `reason`"), "{e}");
        let e = parse("[[suppress]]\nrule = \"device-pending\"\nsubject = \"x\"\nreason = \" \"\n")
            .unwrap_err();
        assert!(e.contains("needs a reason"), "{e}");
        let e = parse("[rules]\ndevice-pending = \"loud\"\n").unwrap_err();
        assert!(e.starts_with("lookout-doctor.toml:2:18:"), "{e}");
        let e = parse("[[suppress]]\nrule = \"device-pending\"\nsubject = \"x\"\nreason = \"r\"\nexpires = \"31/12/2026\"\n").unwrap_err();
        assert!(e.contains(":5:11:") && e.contains("YYYY-MM-DD"), "{e}");
    }

    #[test]
    fn values_in_messages_are_short_and_escaped() {
        let e = parse("[rules]\n\"ghp_0123456789abcdefghij\" = \"info\"\n").unwrap_err();
        assert!(e.contains("unknown rule \"ghp_0123456789ab…\""), "{e}");
        let e = parse("[ghp_0123456789abcdefghij]\n").unwrap_err();
        assert!(e.contains("unknown field `ghp_0123456789ab…`"), "{e}");
        let e = parse("[rules]\ndevice-pending = \"ghp_0123456789abcdefghij\"\n").unwrap_err();
        assert!(e.contains("\"ghp_0123456789ab…\" is not a level"), "{e}");
        assert!(!e.contains("cdefghij"), "{e}");
    }
}
