//! `--format markdown`: for a ticket or a pipeline summary (e.g. `$GITHUB_STEP_SUMMARY`).
//! Tables for the overview, then each finding with its diagnosis and numbered fix; the
//! evidence folds away in a `<details>` block. Every tenant value is written as text,
//! never as markup ([`escape::markdown`]), in tables and in prose alike; the tool's own
//! texts (remediation steps with their links) are written as they are.

use super::layout::numbered;
use super::overview::Health;
use super::{Printer, Report, ReportFinding};
use crate::escape::{self, markdown, markdown_code};
use crate::knowledge;
use crate::messages::{self, Messages};
use std::io::{self, Write};

pub struct MarkdownPrinter;

fn icon(h: Health) -> &'static str {
    match h {
        Health::Ok => "🟢",
        Health::Warning => "🟡",
        Health::Error => "🔴",
        Health::Unknown => "⚪",
    }
}

impl MarkdownPrinter {
    fn finding(&self, f: &ReportFinding, msg: &Messages, out: &mut dyn Write) -> io::Result<()> {
        let mut tags = String::new();
        if f.is_new() {
            tags.push_str(" · **NEW**");
        }
        writeln!(
            out,
            "### {} `{}` · {}{tags}\n",
            msg.t(&format!("severity.{}", f.severity.as_str())),
            f.rule,
            f.subject_label_with(markdown)
        )?;
        writeln!(out, "**{}**\n", f.title)?;
        if let Some(cause) = f.cause {
            writeln!(out, "{}: `{cause}`\n", msg.t("report.cause"))?;
        }
        let diagnosis = f.diagnosis_with(markdown);
        writeln!(out, "{}\n", escape::markdown_paragraph(&diagnosis))?;
        writeln!(out, "{}: {}\n", msg.t("report.impact"), f.impact)?;
        writeln!(out, "{}:\n", msg.t("report.remediation"))?;
        for step in numbered(f.remediation) {
            writeln!(out, "{step}")?;
        }
        writeln!(out)?;
        if !f.evidence.is_empty() {
            writeln!(
                out,
                "<details><summary>{}</summary>\n",
                msg.t("report.evidence")
            )?;
            writeln!(out, "| | |\n|---|---|")?;
            for (k, v) in f.evidence.iter() {
                let text = knowledge::value_text(v).unwrap_or_else(|| msg.t("value.none"));
                writeln!(out, "| {k} | {} |", markdown(&text))?;
            }
            writeln!(out, "\n</details>\n")?;
        }
        if !f.references.is_empty() {
            let links: Vec<String> = f.references.iter().map(|r| format!("<{r}>")).collect();
            writeln!(
                out,
                "{}: {}\n",
                msg.t("report.references"),
                links.join(" · ")
            )?;
        }
        Ok(())
    }
}

impl Printer for MarkdownPrinter {
    /// A table of all tenants, then each tenant's report.
    fn print_many(&self, reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
        let Some(first) = reports.first() else {
            return Ok(());
        };
        let msg = messages::get(&first.lang);
        writeln!(
            out,
            "# {}\n",
            msg.f("report.tenants_heading", &[("count", &reports.len())])
        )?;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|---|",
            msg.t("report.col_snapshot"),
            msg.t("report.col_tenant"),
            msg.t("severity.error"),
            msg.t("severity.warning"),
            msg.t("severity.info"),
            msg.t("report.suppressed"),
            msg.t("report.col_result")
        )?;
        for r in reports {
            let s = &r.summary;
            let result = if r.exit_code() != 0 {
                "report.result_fail"
            } else {
                "report.result_pass"
            };
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                markdown_code(&r.snapshot.path),
                r.snapshot
                    .tenant_id
                    .as_deref()
                    .map(markdown_code)
                    .unwrap_or_default(),
                s.error,
                s.warning,
                s.info,
                s.suppressed,
                msg.t(result)
            )?;
        }
        for r in reports {
            writeln!(out, "\n---\n")?;
            self.print(r, out)?;
        }
        Ok(())
    }

    fn print(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let msg = messages::get(&r.lang);
        writeln!(
            out,
            "# {}\n",
            msg.f("report.title", &[("version", &r.tool.version)])
        )?;
        writeln!(
            out,
            "- {}",
            msg.f(
                "report.snapshot",
                &[("path", &markdown_code(&r.snapshot.path))]
            )
        )?;
        if let Some(id) = &r.snapshot.tenant_id {
            writeln!(
                out,
                "- {}",
                msg.f("report.tenant", &[("tenant_id", &markdown_code(id))])
            )?;
        }
        writeln!(
            out,
            "- {}\n",
            msg.f("report.markdown_as_of", &[("as_of", &r.as_of)])
        )?;

        let s = &r.summary;
        writeln!(
            out,
            "| {} | {} | {} | {} |\n|---|---|---|---|\n| {} | {} | {} | {} |\n",
            msg.t("severity.error"),
            msg.t("severity.warning"),
            msg.t("severity.info"),
            msg.t("report.suppressed"),
            s.error,
            s.warning,
            s.info,
            s.suppressed
        )?;
        let verdict = match r.exit_code() {
            2 => msg.t("report.markdown_fails_incomplete"),
            1 => msg.t("report.markdown_fails"),
            _ if !r.is_complete() => msg.t("report.markdown_passes_incomplete"),
            _ => msg.t("report.markdown_passes"),
        };
        writeln!(out, "**{verdict}**\n")?;

        // What the run could not see comes before what it found.
        if !r.focus.is_empty() {
            writeln!(out, "## {}\n", msg.t("report.focus_heading"))?;
            for e in &r.focus {
                let mark = if e.found { "" } else { "⚠️ " };
                writeln!(out, "- {mark}{}", e.describe_with(r, markdown))?;
            }
            writeln!(out)?;
        }
        if !r.skipped.is_empty() {
            writeln!(out, "## {}\n", msg.t("report.skipped_heading"))?;
            for sk in &r.skipped {
                let mark = if sk.for_lack_of_input() {
                    "⚠️ "
                } else {
                    ""
                };
                writeln!(out, "- {mark}`{}`: {}", sk.rule, markdown(&sk.reason))?;
            }
            writeln!(out)?;
        }
        if !r.notes.is_empty() {
            writeln!(out, "## {}\n", msg.t("report.notes_heading"))?;
            for n in &r.notes {
                let mark = if n.unread { "⚠️ " } else { "" };
                writeln!(
                    out,
                    "- {mark}{}: {}",
                    markdown_code(&n.file),
                    markdown(&n.message)
                )?;
            }
            writeln!(out)?;
        }

        if !r.health.is_empty() {
            writeln!(out, "## {}\n", msg.t("health.heading"))?;
            writeln!(out, "| | | |\n|---|---|---|")?;
            for h in &r.health {
                writeln!(
                    out,
                    "| {} | {} | {} |",
                    icon(h.status),
                    h.label,
                    markdown(&h.detail)
                )?;
            }
            writeln!(out)?;
        }

        writeln!(out, "## {}\n", msg.t("report.findings_heading"))?;
        if r.open().next().is_none() {
            writeln!(out, "{}\n", msg.t("report.no_findings"))?;
        } else {
            writeln!(
                out,
                "| {} | {} | {} | {} |\n|---|---|---|---|",
                msg.t("report.col_severity"),
                msg.t("report.col_rule"),
                msg.t("report.col_subject"),
                msg.t("report.cause")
            )?;
            for f in r.open() {
                writeln!(
                    out,
                    "| {} | `{}` | {} | {} |",
                    msg.t(&format!("severity.{}", f.severity.as_str())),
                    f.rule,
                    f.subject_label_with(markdown),
                    f.cause.map(|c| format!("`{c}`")).unwrap_or_default()
                )?;
            }
            writeln!(out)?;
            for f in r.open() {
                self.finding(f, msg, out)?;
            }
        }

        if let Some(resolved) = r.resolved.as_ref().filter(|v| !v.is_empty()) {
            writeln!(out, "## {}\n", msg.t("report.resolved_heading"))?;
            for f in resolved {
                // The baseline is a file like any other: its words are values too.
                writeln!(
                    out,
                    "- {} · {} {}",
                    markdown_code(&f.rule),
                    markdown(&f.subject.kind),
                    markdown(&f.subject.id)
                )?;
            }
            writeln!(out)?;
        }
        if r.suppressed().next().is_some() {
            writeln!(out, "## {}\n", msg.t("report.suppressed_heading"))?;
            for f in r.suppressed() {
                writeln!(
                    out,
                    "- `{}` · {}: {}",
                    f.rule,
                    f.subject_label_with(markdown),
                    markdown(f.suppressed.as_deref().unwrap_or_default())
                )?;
            }
            writeln!(out)?;
        }
        Ok(())
    }
}
