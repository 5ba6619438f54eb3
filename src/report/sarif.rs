//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards. Every rule of the
//! catalogue is described (help text, default level); each finding is a result whose
//! ruleId is the rule slug, located at the snapshot file it comes from and, logically,
//! at its subject. What the run could not see (checks skipped, files not read, a
//! `--user`/`--device` no export knows) is in the invocation's
//! `toolExecutionNotifications`. Code scanning rejects a run of more than 25,000
//! results: past that, the results kept are chosen by [`Report::sarif_results`], and
//! a notification and the run's properties say what was left out. The output is
//! checked against the official schema in the tests.

use super::layout::numbered;
use super::limits::{SarifResults, SARIF_RESULTS_PER_RUN};
use super::{Printer, Report, ReportFinding};
use crate::escape::fold_lines;
use crate::finding::Severity;
use crate::knowledge;
use crate::messages;
use crate::rules::RuleId;
use serde_json::{json, Value};
use std::io::{self, Write};

pub struct SarifPrinter;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule_descriptor(id: RuleId, lang: &str) -> Value {
    let rule = id.rule();
    let k = knowledge::of(id);
    let t = k.text(lang);
    let steps = numbered(t.remediation("default".into()));
    let help_text = format!(
        "{}\n\n{}\n\n{}",
        t.what.trim(),
        t.why.trim(),
        steps.join("\n")
    );
    let help_markdown = format!(
        "{}\n\n{}\n\n{}\n\n{}",
        t.what.trim(),
        t.why.trim(),
        steps.join("\n"),
        k.references
            .iter()
            .map(|r| format!("- <{r}>"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let mut d = json!({
        "id": id,
        "name": id,
        "shortDescription": {"text": t.title},
        "fullDescription": {"text": t.what.trim()},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": level(rule.default_severity())},
        "properties": {
            "subject_kind": rule.subject_kind().as_str(),
            "causes": rule.causes(),
            "tags": ["lookout", "intune"],
        },
    });
    if let Some(first) = k.references.first() {
        d["helpUri"] = json!(first);
    }
    d
}

/// A path as a SARIF URI reference: forward slashes, spaces escaped.
fn uri(path: &str) -> String {
    let p = path
        .replace('\\', "/")
        .replace('%', "%25")
        .replace(' ', "%20");
    if p.starts_with('/') {
        format!("file://{p}")
    } else {
        p
    }
}

fn result(r: &Report, f: &ReportFinding, rule_index: usize) -> Value {
    let mut v = json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": {"text": format!("{} {}", f.title, f.diagnosis)},
        "locations": [{
            "physicalLocation": {"artifactLocation": {"uri": uri(r.file_of(f))}},
            "logicalLocations": [{
                "name": f.subject.id,
                "kind": f.subject.kind.as_str(),
                "fullyQualifiedName": format!("{}/{}", f.subject.kind.as_str(), f.subject.id),
            }],
        }],
        "partialFingerprints": {
            "lookoutDoctorSubject/v1": format!("{}:{}:{}", f.rule, f.subject.kind.as_str(), f.subject.id),
        },
        "properties": {
            "cause": f.cause,
            "subject": f.subject,
            "remediation": f.remediation,
            "evidence": f.evidence,
        },
    });
    if let Some(state) = f.baseline_state {
        v["baselineState"] = json!(state);
    }
    if let Some(reason) = &f.suppressed {
        v["suppressions"] =
            json!([{"kind": "external", "status": "accepted", "justification": reason}]);
    }
    v
}

/// The kinds of tool execution notification, in the order of the driver's
/// `notifications` descriptors, with the message key of their description. The last
/// is described only in a run that folded results, so other runs read as before.
const NOTIFICATIONS: [(&str, &str); 4] = [
    ("check-skipped", "report.skipped_heading"),
    ("file-not-read", "report.unread_heading"),
    ("focus-not-found", "report.not_found_title"),
    ("results-folded", "limits.sarif_folded_title"),
];

/// The notification saying which results were left out, if any were.
fn folded_notification(r: &Report, results: &SarifResults<'_>) -> Option<Value> {
    if results.folded.is_empty() {
        return None;
    }
    let msg = messages::get(&r.lang);
    let groups: Vec<String> = results
        .folded
        .iter()
        .map(|f| {
            let suppressed = if f.suppressed { ", suppressed" } else { "" };
            format!("{} {}{suppressed}: {}", level(f.severity), f.rule, f.count)
        })
        .collect();
    let text = msg.f(
        "limits.sarif_folded",
        &[
            ("limit", &SARIF_RESULTS_PER_RUN),
            ("kept", &results.kept.len()),
            ("total", &r.findings.len()),
            ("folded", &results.folded_count()),
            ("groups", &groups.join("; ")),
        ],
    );
    Some(notification(3, "warning", text))
}

fn notification(kind: usize, level: &str, text: String) -> Value {
    json!({
        "level": level,
        "message": {"text": text},
        "descriptor": {"id": NOTIFICATIONS[kind].0, "index": kind},
    })
}

fn at_file(path: &str) -> Value {
    json!([{"physicalLocation": {"artifactLocation": {"uri": uri(path)}}}])
}

/// What the run could not see: each skipped check (a warning when a file it reads is
/// missing, a note when turned off or with nothing to judge), each file not recognised,
/// each `--user`/`--device` no export knows.
fn execution_notifications(r: &Report) -> Vec<Value> {
    let catalogue = RuleId::ALL;
    let mut all = Vec::new();
    for s in &r.skipped {
        let level = if s.for_lack_of_input() {
            "warning"
        } else {
            "note"
        };
        let mut n = notification(0, level, format!("{}: {}", s.rule, s.reason));
        let index = catalogue.iter().position(|&id| id == s.rule).unwrap_or(0);
        n["associatedRule"] = json!({"id": s.rule, "index": index});
        n["properties"] = json!({"cause": s.cause.as_str()});
        if let Some(input) = s.input {
            n["properties"]["input"] = json!(input.stem());
            n["locations"] = at_file(r.path_of(input));
        }
        all.push(n);
    }
    for note in r.unread_files() {
        let text = format!("{}: {}", fold_lines(&note.file), note.message);
        let mut n = notification(1, "warning", text);
        n["locations"] = at_file(&r.path_in_snapshot(&note.file));
        all.push(n);
    }
    for e in r.focus_not_found() {
        let mut n = notification(2, "warning", e.describe_with(r, fold_lines));
        n["properties"] = json!({"kind": e.kind.as_str(), "query": e.query});
        all.push(n);
    }
    all
}

/// One SARIF run: the catalogue and one report's results.
fn run_of(r: &Report) -> Value {
    let catalogue = RuleId::ALL;
    let descriptors: Vec<Value> = catalogue
        .iter()
        .map(|&id| rule_descriptor(id, &r.lang))
        .collect();
    let kept = r.sarif_results();
    let results: Vec<Value> = kept
        .kept
        .iter()
        .map(|f| {
            let index = catalogue.iter().position(|&id| id == f.rule).unwrap_or(0);
            result(r, f, index)
        })
        .collect();
    let mut run = json!({
        "tool": {"driver": {
            "name": r.tool.name,
            "version": r.tool.version,
            "semanticVersion": r.tool.version,
            "rules": descriptors,
        }},
        "automationDetails": {"id": format!("lookout-doctor/{}", r.snapshot.tenant_id.as_deref().unwrap_or(&r.snapshot.path))},
        "invocations": [{
            // With --fail-on-skipped, a run that did not read the whole snapshot failed.
            "executionSuccessful": !r.fails_incomplete(),
            "properties": {"as_of": r.as_of, "snapshot": r.snapshot.path},
        }],
        "results": results,
    });
    let mut notifications = execution_notifications(r);
    let folded = folded_notification(r, &kept);
    if !kept.folded.is_empty() {
        let folded: Vec<Value> = kept
            .folded
            .iter()
            .map(|f| {
                json!({
                    "ruleId": f.rule,
                    "level": level(f.severity),
                    "suppressed": f.suppressed,
                    "count": f.count,
                })
            })
            .collect();
        run["properties"] = json!({"lookoutDoctorFolded": {
            "limit": SARIF_RESULTS_PER_RUN,
            "findings": r.findings.len(),
            "results": kept.kept.len(),
            "folded": folded,
        }});
    }
    let described = if folded.is_some() { 4 } else { 3 };
    notifications.extend(folded);
    if !notifications.is_empty() {
        let msg = messages::get(&r.lang);
        run["tool"]["driver"]["notifications"] = NOTIFICATIONS[..described]
            .iter()
            .map(|(id, key)| json!({"id": id, "shortDescription": {"text": msg.t(key)}}))
            .collect();
        run["invocations"][0]["toolExecutionNotifications"] = notifications.into();
    }
    run
}

fn write_log(runs: Vec<Value>, out: &mut dyn Write) -> io::Result<()> {
    let sarif = json!({"$schema": SCHEMA, "version": "2.1.0", "runs": runs});
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    out.write_all(b"\n")
}

impl Printer for SarifPrinter {
    fn print(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        write_log(vec![run_of(r)], out)
    }

    /// One SARIF log with one run per tenant.
    fn print_many(&self, reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
        write_log(reports.iter().map(run_of).collect(), out)
    }
}
