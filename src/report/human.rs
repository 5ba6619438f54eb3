//! The terminal report: a header, a summary table, then each finding with its
//! diagnosis, evidence, impact and numbered fix. Colour only when asked for or on a
//! terminal (decided by the caller); the layout is the same either way.

use super::overview::Health;
use super::{Printer, Report, ReportFinding};
use crate::engine::SuppressionState;
use crate::finding::Severity;
use crate::knowledge;
use crate::messages::{self, Messages};
use crate::rules::RuleId;
use colored::{ColoredString, Colorize};
use comfy_table::{presets, ContentArrangement, Table};
use std::collections::BTreeMap;
use std::collections::HashSet;
use std::io::{self, Write};

/// How the human report is laid out.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// Wrap prose at this many columns.
    pub width: usize,
    /// When the run fails, to explain the exit code.
    pub fail: super::FailPolicy,
}

impl Style {
    /// No colour, the fixed pipe width, failing on errors: the command line's defaults
    /// when stdout is not a terminal.
    pub fn plain() -> Style {
        Style {
            color: false,
            width: 100,
            fail: super::FailPolicy {
                threshold: Some(Severity::Error),
                new_only: false,
            },
        }
    }
}

pub struct HumanPrinter {
    pub style: Style,
}

impl HumanPrinter {
    /// A table in the report's style, as wide as the prose.
    fn table(&self) -> Table {
        let mut table = Table::new();
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(self.style.width as u16);
        table
    }

    fn paint(&self, text: &str, f: impl Fn(&str) -> ColoredString) -> String {
        if self.style.color {
            f(text).to_string()
        } else {
            text.to_string()
        }
    }

    fn severity_label(&self, msg: &Messages, s: Severity) -> String {
        let label = msg.t(&format!("severity.{}", s.as_str()));
        self.paint(&label, |t| match s {
            Severity::Error => t.red().bold(),
            Severity::Warning => t.yellow().bold(),
            Severity::Info => t.cyan().bold(),
        })
    }

    fn wrap(&self, text: &str, indent: &str) -> String {
        wrap_hanging(self.style.width, indent, indent, text)
    }

    fn wrap_hanging(&self, first: &str, rest: &str, text: &str) -> String {
        wrap_hanging(self.style.width, first, rest, text)
    }

    fn header(&self, r: &Report, msg: &Messages, out: &mut dyn Write) -> io::Result<()> {
        let title = msg.f("report.title", &[("version", &r.tool.version)]);
        writeln!(out, "{}", self.paint(&title, |t| t.bold()))?;
        writeln!(
            out,
            "{}",
            msg.f("report.snapshot", &[("path", &r.snapshot.path)])
        )?;
        match &r.snapshot.tenant_id {
            Some(id) => writeln!(out, "{}", msg.f("report.tenant", &[("tenant_id", id)]))?,
            None => writeln!(out, "{}", msg.t("report.tenant_unknown"))?,
        }
        let as_of_key = match r.as_of_source {
            super::AsOfSource::Option => "report.as_of_option",
            super::AsOfSource::Snapshot => "report.as_of_snapshot",
            super::AsOfSource::CurrentTime => "report.as_of_now",
        };
        writeln!(
            out,
            "{}",
            self.wrap(&msg.f(as_of_key, &[("as_of", &r.as_of)]), "")
        )?;
        let c = &r.snapshot.counts;
        writeln!(
            out,
            "{}",
            msg.f(
                "report.read",
                &[
                    ("groups", &c.groups),
                    ("users", &c.users),
                    ("lookout_devices", &c.lookout_devices),
                    ("intune_devices", &c.intune_devices),
                ],
            )
        )?;
        if !r.focus.is_empty() {
            writeln!(
                out,
                "{}",
                self.wrap(
                    &msg.f("report.focus", &[("focus", &r.focus.join(", "))]),
                    ""
                )
            )?;
        }
        Ok(())
    }

    fn summary_table(&self, r: &Report, msg: &Messages, out: &mut dyn Write) -> io::Result<()> {
        let mut per_rule: BTreeMap<(Severity, &str), (usize, &str)> = BTreeMap::new();
        for f in &r.findings {
            per_rule
                .entry((f.severity, f.rule.slug()))
                .or_insert((0, f.title))
                .0 += 1;
        }
        let mut table = self.table();
        table.set_header(vec![
            msg.t("report.col_severity"),
            msg.t("report.col_rule"),
            msg.t("report.col_count"),
            msg.t("report.col_title"),
        ]);
        for ((severity, rule), (count, title)) in per_rule {
            table.add_row(vec![
                msg.t(&format!("severity.{}", severity.as_str())),
                rule.to_string(),
                count.to_string(),
                title.to_string(),
            ]);
        }
        writeln!(out, "{table}")
    }

    fn finding(
        &self,
        f: &ReportFinding,
        msg: &Messages,
        lang: &str,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let subject = f.subject_label();
        let new = if f.baseline_state == Some(super::baseline::BaselineState::New) {
            format!(
                " {}",
                self.paint(&format!("[{}]", msg.t("report.new")), |t| t
                    .magenta()
                    .bold())
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "{} {} · {}{new}",
            self.severity_label(msg, f.severity),
            self.paint(f.rule.slug(), |t| t.bold()),
            subject
        )?;
        writeln!(out, "{}", self.wrap(f.title, "  "))?;
        if let Some(cause) = f.cause {
            let meaning = knowledge::of(f.rule)
                .text(lang)
                .causes
                .get(cause)
                .cloned()
                .unwrap_or_default();
            let line = if meaning.is_empty() {
                format!("{}: {cause}", msg.t("report.cause"))
            } else {
                format!("{}: {cause}. {meaning}", msg.t("report.cause"))
            };
            writeln!(out, "{}", self.wrap(&line, "  "))?;
        }
        writeln!(
            out,
            "{}",
            self.wrap(
                &format!("{}: {}", msg.t("report.diagnosis"), f.diagnosis),
                "  "
            )
        )?;
        if !f.evidence.is_empty() {
            writeln!(out, "  {}:", msg.t("report.evidence"))?;
            let key_width = f.evidence.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (key, value) in f.evidence.iter() {
                let text = match value {
                    serde_json::Value::Bool(b) => {
                        msg.t(if *b { "value.true" } else { "value.false" })
                    }
                    v => knowledge::value_text(v).unwrap_or_else(|| msg.t("value.none")),
                };
                let first = format!("    {key:<key_width$}  ");
                let rest = " ".repeat(first.chars().count());
                writeln!(out, "{}", self.wrap_hanging(&first, &rest, &text))?;
            }
        }
        writeln!(
            out,
            "{}",
            self.wrap(&format!("{}: {}", msg.t("report.impact"), f.impact), "  ")
        )?;
        if !f.remediation.is_empty() {
            writeln!(out, "  {}:", msg.t("report.remediation"))?;
            for (i, step) in f.remediation.iter().enumerate() {
                let first = format!("    {}. ", i + 1);
                let rest = " ".repeat(first.chars().count());
                writeln!(out, "{}", self.wrap_hanging(&first, &rest, step))?;
            }
        }
        if !f.references.is_empty() {
            writeln!(out, "  {}:", msg.t("report.references"))?;
            for r in f.references {
                writeln!(out, "    {r}")?;
            }
        }
        Ok(())
    }
}

impl HumanPrinter {
    fn health(&self, r: &Report, msg: &Messages, out: &mut dyn Write) -> io::Result<()> {
        if r.health.is_empty() {
            return Ok(());
        }
        writeln!(
            out,
            "{}:",
            self.paint(&msg.t("health.heading"), |t| t.bold())
        )?;
        let label_width = r
            .health
            .iter()
            .map(|h| display_width(&h.label))
            .max()
            .unwrap_or(0);
        // Pad by display width: a status or label in CJK takes two columns a character.
        let status_width = [Health::Ok, Health::Warning, Health::Error, Health::Unknown]
            .iter()
            .map(|&h| display_width(&msg.t(&format!("health.status.{}", health_key(h)))))
            .max()
            .unwrap_or(4);
        for h in &r.health {
            let status = msg.t(&format!("health.status.{}", health_key(h.status)));
            let status = format!(
                "{status}{}",
                " ".repeat(status_width - display_width(&status))
            );
            let status = self.paint(&status, |t| match h.status {
                Health::Ok => t.green().bold(),
                Health::Warning => t.yellow().bold(),
                Health::Error => t.red().bold(),
                Health::Unknown => t.dimmed(),
            });
            let pad = " ".repeat(label_width - display_width(&h.label));
            let first = format!("  {status} {}{pad}  ", h.label);
            let rest = " ".repeat(2 + status_width + 1 + label_width + 2);
            writeln!(out, "{}", self.wrap_hanging(&first, &rest, &h.detail))?;
        }
        Ok(())
    }

    /// A one-line mention of a finding explained by another.
    fn dependent_line(&self, f: &ReportFinding, msg: &Messages) -> String {
        let new = if f.baseline_state == Some(super::baseline::BaselineState::New) {
            format!(" [{}]", msg.t("report.new"))
        } else {
            String::new()
        };
        format!(
            "{} {} · {}{new}",
            msg.t(&format!("severity.{}", f.severity.as_str())),
            f.rule,
            f.subject_label()
        )
    }
}

fn health_key(h: Health) -> &'static str {
    match h {
        Health::Ok => "ok",
        Health::Warning => "warning",
        Health::Error => "error",
        Health::Unknown => "unknown",
    }
}

fn display_width(s: &str) -> usize {
    textwrap::core::display_width(s)
}

impl Printer for HumanPrinter {
    fn print(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let msg = messages::get(&r.lang);
        self.header(r, msg, out)?;
        writeln!(out)?;
        self.health(r, msg, out)?;
        writeln!(out)?;
        let open: Vec<&ReportFinding> = r.findings.iter().filter(|f| !f.is_suppressed()).collect();
        if open.is_empty() {
            writeln!(
                out,
                "{}",
                self.paint(&msg.t("report.no_findings"), |t| t.green().bold())
            )?;
        } else {
            self.summary_table(r, msg, out)?;
        }
        let skipped: Vec<String> = r
            .skipped
            .iter()
            .map(|s| format!("{}: {}", s.rule, s.reason))
            .collect();
        self.list(msg, "report.skipped_heading", &skipped, out)?;
        let notes: Vec<String> = r
            .notes
            .iter()
            .map(|n| format!("{}: {}", n.file, n.message))
            .collect();
        self.list(msg, "report.notes_heading", &notes, out)?;
        let stale: Vec<String> = r
            .suppressions
            .iter()
            .filter(|s| s.state != SuppressionState::Applied)
            .map(|s| {
                let key = match s.state {
                    SuppressionState::Expired => "report.suppression_expired",
                    _ => "report.suppression_unmatched",
                };
                msg.f(
                    key,
                    &[
                        ("rule", &s.rule),
                        ("subject", &s.subject),
                        ("expires", &s.expires.clone().unwrap_or_default()),
                    ],
                )
            })
            .collect();
        self.list(msg, "report.suppressions_heading", &stale, out)?;

        if !open.is_empty() {
            writeln!(out)?;
            writeln!(
                out,
                "{}",
                self.paint(&msg.t("report.findings_heading"), |t| t.bold().underline())
            )?;
            // A finding explained by a configuration finding is listed under it, so the
            // admin fixes one setting instead of reading many findings.
            let shown: HashSet<(RuleId, &str)> = open
                .iter()
                .map(|f| (f.rule, f.subject.id.as_str()))
                .collect();
            fn cause_of<'f>(
                f: &'f ReportFinding,
                shown: &HashSet<(RuleId, &str)>,
            ) -> Option<(RuleId, &'f str)> {
                f.root_cause
                    .as_ref()
                    .filter(|rc| shown.contains(&(rc.rule, rc.subject.as_str())))
                    .map(|rc| (rc.rule, rc.subject.as_str()))
            }
            for f in open.iter().filter(|f| cause_of(f, &shown).is_none()) {
                writeln!(out)?;
                self.finding(f, msg, &r.lang, out)?;
                let dependents: Vec<&&ReportFinding> = open
                    .iter()
                    .filter(|d| cause_of(d, &shown) == Some((f.rule, f.subject.id.as_str())))
                    .collect();
                if !dependents.is_empty() {
                    let heading = format!(
                        "{}:",
                        msg.f("report.explains", &[("count", &dependents.len())])
                    );
                    writeln!(out, "{}", self.wrap(&heading, "  "))?;
                    for d in dependents {
                        writeln!(
                            out,
                            "{}",
                            self.wrap_hanging("    - ", "      ", &self.dependent_line(d, msg))
                        )?;
                    }
                }
            }
        }
        let suppressed: Vec<String> = r
            .findings
            .iter()
            .filter_map(|f| {
                f.suppressed
                    .as_ref()
                    .map(|reason| format!("{} · {}", self.dependent_line(f, msg), reason))
            })
            .collect();
        self.list(msg, "report.suppressed_heading", &suppressed, out)?;
        if let Some(resolved) = &r.resolved {
            let lines: Vec<String> = resolved
                .iter()
                .map(|f| format!("{} · {} {}", f.rule, f.subject.kind, f.subject.id))
                .collect();
            self.list(msg, "report.resolved_heading", &lines, out)?;
        }

        writeln!(out)?;
        let s = &r.summary;
        let mut summary = msg.f(
            "report.summary",
            &[
                ("error", &s.error),
                ("warning", &s.warning),
                ("info", &s.info),
            ],
        );
        if s.suppressed > 0 {
            summary.push(' ');
            summary.push_str(&msg.f("report.summary_suppressed", &[("count", &s.suppressed)]));
        }
        if let Some(new) = s.new {
            summary.push(' ');
            summary.push_str(&msg.f("report.summary_new", &[("count", &new)]));
        }
        writeln!(out, "{}", self.wrap(&summary, ""))?;
        let exit_line = match self.style.fail.threshold {
            None => msg.t("report.exit_never"),
            Some(threshold) => {
                let key = match (r.exit_code(self.style.fail) == 1, self.style.fail.new_only) {
                    (true, false) => "report.exit_fail",
                    (true, true) => "report.exit_fail_new",
                    (false, false) => "report.exit_ok",
                    (false, true) => "report.exit_ok_new",
                };
                msg.f(key, &[("fail_on", &threshold.as_str())])
            }
        };
        writeln!(out, "{exit_line}")
    }

    /// A table of all tenants, then each tenant's report under a rule line.
    fn print_many(&self, reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
        let Some(first) = reports.first() else {
            return Ok(());
        };
        let msg = messages::get(&first.lang);
        self.tenants_table(reports, msg, out)?;
        for r in reports {
            writeln!(out)?;
            writeln!(out, "{}", "═".repeat(self.style.width.min(100)))?;
            self.print(r, out)?;
        }
        Ok(())
    }
}

impl HumanPrinter {
    /// The per-tenant table that opens a multi-tenant run.
    fn tenants_table(
        &self,
        reports: &[Report],
        msg: &Messages,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let mut table = self.table();
        table.set_header(vec![
            msg.t("report.col_snapshot"),
            msg.t("report.col_tenant"),
            msg.t("severity.error"),
            msg.t("severity.warning"),
            msg.t("severity.info"),
            msg.t("report.suppressed"),
            msg.t("report.col_result"),
        ]);
        for r in reports {
            let s = &r.summary;
            let result = if r.exit_code(self.style.fail) == 1 {
                "report.result_fail"
            } else {
                "report.result_pass"
            };
            table.add_row(vec![
                r.snapshot.path.clone(),
                r.snapshot
                    .tenant_id
                    .clone()
                    .unwrap_or_else(|| msg.t("value.none")),
                s.error.to_string(),
                s.warning.to_string(),
                s.info.to_string(),
                s.suppressed.to_string(),
                msg.t(result),
            ]);
        }
        writeln!(
            out,
            "{}",
            self.paint(
                &msg.f("report.tenants_heading", &[("count", &reports.len())]),
                |t| t.bold()
            )
        )?;
        writeln!(out, "{table}")
    }

    /// A titled bullet list; nothing at all when empty.
    fn list(
        &self,
        msg: &Messages,
        heading: &str,
        items: &[String],
        out: &mut dyn Write,
    ) -> io::Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        writeln!(out)?;
        writeln!(out, "{}:", self.paint(&msg.t(heading), |t| t.bold()))?;
        for item in items {
            writeln!(out, "{}", self.wrap_hanging("  - ", "    ", item))?;
        }
        Ok(())
    }
}

/// Wraps prose. Latin text breaks only at spaces, so URLs and console paths stay whole;
/// text with CJK characters (no spaces between words) breaks where Unicode allows.
pub fn wrap_hanging(width: usize, first: &str, rest: &str, text: &str) -> String {
    use textwrap::{WordSeparator, WordSplitter};
    let cjk = text.chars().any(|c| c as u32 >= 0x2E80);
    let separator = if cjk {
        WordSeparator::UnicodeBreakProperties
    } else {
        WordSeparator::AsciiSpace
    };
    let opts = textwrap::Options::new(width.max(40))
        .initial_indent(first)
        .subsequent_indent(rest)
        .word_separator(separator)
        .word_splitter(WordSplitter::NoHyphenation)
        .break_words(cjk);
    textwrap::fill(text.trim(), opts)
}
