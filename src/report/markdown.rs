//! `--format markdown`: for a ticket or a pipeline summary (e.g. `$GITHUB_STEP_SUMMARY`).
//! Tables for the overview and the findings per rule and cause, then each rule and
//! cause once: a finding alone as a block with its diagnosis, numbered fix and
//! evidence (folded away in `<details>`), several as their explanation and fix once,
//! then a table of their subjects. The output stays under GitHub's 1 MiB limit for a
//! step summary: what does not fit is folded ([`limits::fit`]) and each section says
//! how many it left out. Every tenant value is written as text, never as markup
//! ([`escape::markdown`]), in tables and in prose alike; the tool's own texts
//! (remediation steps with their links) are written as they are.

use super::fold::SubjectColumns;
use super::layout::numbered;
use super::limits::{self, Kept, Section};
use super::overview::Health;
use super::sentences;
use super::{CauseGroup, Printer, Report, ReportFinding};
use crate::escape::{self, markdown, markdown_code};
use crate::knowledge;
use crate::messages::{self, Messages};
use crate::rules::RuleId;
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
            f.severity.label(msg),
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

/// A laid-out part of the report that may be folded: `head` is written whole or not
/// at all, then the rows kept, then `end`; `fold` says what was left out.
struct Part {
    head: String,
    rows: Vec<String>,
    end: String,
    fold: Fold,
}

/// What a part lists, to say how many of them were left out.
#[derive(Clone, Copy)]
enum Fold {
    /// The open findings of a rule and cause (those listed under them included).
    Findings {
        rule: RuleId,
        cause: Option<&'static str>,
        total: usize,
    },
    Resolved,
    Suppressed,
}

impl Fold {
    /// The line saying `left_out` rows were not listed; `after_rows` when it follows
    /// the rows that were.
    fn line(self, msg: &Messages, left_out: usize, after_rows: bool) -> String {
        let text = match self {
            Fold::Findings { rule, cause, .. } => {
                let what = match cause {
                    Some(c) => format!("`{rule}` (`{c}`)"),
                    None => format!("`{rule}`"),
                };
                let key = if after_rows {
                    "limits.md_more"
                } else {
                    "limits.md_not_listed"
                };
                msg.f(key, &[("count", &left_out), ("what", &what)])
            }
            Fold::Resolved => msg.f("limits.md_resolved_more", &[("count", &left_out)]),
            Fold::Suppressed => msg.f("limits.md_suppressed_more", &[("count", &left_out)]),
        };
        format!("_{text}_\n\n")
    }

    /// Open findings a part lists.
    fn findings(self) -> usize {
        match self {
            Fold::Findings { total, .. } => total,
            Fold::Resolved | Fold::Suppressed => 0,
        }
    }
}

fn text_of(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> io::Result<String> {
    let mut buf = Vec::new();
    write(&mut buf)?;
    String::from_utf8(buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// A row of a cause group's table: the subject, its name and user, then the facts.
fn subject_row(
    f: &ReportFinding,
    columns: &SubjectColumns,
    explained: bool,
    msg: &Messages,
) -> String {
    let mut subject = format!("{} {}", f.subject.kind.as_str(), markdown(&f.subject.id));
    if explained {
        subject = format!("↳ {} `{}` · {subject}", f.severity.label(msg), f.rule);
    }
    if f.is_new() {
        subject.push_str(" · **NEW**");
    }
    let mut cells = vec![subject];
    let value = |v: &Option<String>| v.as_deref().map(markdown).unwrap_or_default().into_owned();
    if columns.name {
        cells.push(value(&f.subject.name));
    }
    if columns.user {
        cells.push(value(&f.subject.user));
    }
    for key in &columns.facts {
        let value = if explained {
            None
        } else {
            f.evidence.get(key).and_then(knowledge::value_text)
        };
        cells.push(value.map_or_else(String::new, |v| markdown(&v).into_owned()));
    }
    format!("| {} |\n", cells.join(" | "))
}

/// Several findings of one rule and cause: the explanation and fix once, then the
/// subjects' table.
fn group_head(g: &CauseGroup<'_>, columns: &SubjectColumns, msg: &Messages) -> String {
    let f = g.members[0].finding;
    let mut head = format!("### {} `{}`", f.severity.label(msg), f.rule);
    if let Some(cause) = g.cause {
        head.push_str(&format!(" · `{cause}`"));
    }
    head.push_str(&format!(
        " · {}\n\n**{}**\n\n",
        msg.f("limits.findings_count", &[("count", &g.total())]),
        f.title
    ));
    if let Some(line) = f.cause_line(msg, |c| format!("`{c}`")) {
        head.push_str(&format!("{line}\n\n"));
    }
    head.push_str(&format!("{}: {}\n\n", msg.t("report.impact"), f.impact));
    head.push_str(&format!("{}:\n\n", msg.t("report.remediation")));
    for step in numbered(f.remediation) {
        head.push_str(&step);
        head.push('\n');
    }
    head.push('\n');
    if !f.references.is_empty() {
        let links: Vec<String> = f.references.iter().map(|r| format!("<{r}>")).collect();
        head.push_str(&format!(
            "{}: {}\n\n",
            msg.t("report.references"),
            links.join(" · ")
        ));
    }
    head.push_str(&table_header(columns, msg));
    head
}

fn table_header(columns: &SubjectColumns, msg: &Messages) -> String {
    let mut names = vec![msg.t("report.col_subject")];
    if columns.name {
        names.push(msg.t("limits.col_name"));
    }
    if columns.user {
        names.push(msg.t("limits.col_user"));
    }
    names.extend(columns.facts.iter().map(|k| k.to_string()));
    format!(
        "| {} |\n|{}\n",
        names.join(" | "),
        "---|".repeat(names.len())
    )
}

impl MarkdownPrinter {
    /// One part per rule and cause, then the resolved and the suppressed findings.
    fn parts(&self, r: &Report, msg: &Messages) -> io::Result<Vec<Part>> {
        let mut parts = Vec::new();
        for g in r.cause_groups() {
            let fold = Fold::Findings {
                rule: g.rule,
                cause: g.cause,
                total: g.total(),
            };
            // The same columns as the human report's table of the group.
            let columns = SubjectColumns::with_explained(&g);
            let part = if let [alone] = g.members.as_slice() {
                // A finding alone reads as a block; those it explains as a table.
                let mut head = text_of(|out| self.finding(alone.finding, msg, out))?;
                if !alone.explains.is_empty() {
                    let count = alone.explains.len();
                    head.push_str(&format!(
                        "{}:\n\n",
                        msg.f("report.explains", &[("count", &count)])
                    ));
                    head.push_str(&table_header(&columns, msg));
                }
                let rows = alone
                    .explains
                    .iter()
                    .map(|f| subject_row(f, &columns, true, msg))
                    .collect();
                let end = if alone.explains.is_empty() { "" } else { "\n" };
                Part {
                    head,
                    rows,
                    end: end.into(),
                    fold,
                }
            } else {
                let mut rows = Vec::with_capacity(g.total());
                for m in &g.members {
                    rows.push(subject_row(m.finding, &columns, false, msg));
                    for f in &m.explains {
                        rows.push(subject_row(f, &columns, true, msg));
                    }
                }
                Part {
                    head: group_head(&g, &columns, msg),
                    rows,
                    end: "\n".into(),
                    fold,
                }
            };
            parts.push(part);
        }
        if let Some(resolved) = r.resolved.as_ref().filter(|v| !v.is_empty()) {
            parts.push(Part {
                head: format!("## {}\n\n", msg.t("report.resolved_heading")),
                // The baseline is a file like any other: its words are values too.
                rows: resolved
                    .iter()
                    .map(|f| {
                        format!(
                            "- {} · {} {}\n",
                            markdown_code(&f.rule),
                            markdown(&f.subject.kind),
                            markdown(&f.subject.id)
                        )
                    })
                    .collect(),
                end: "\n".into(),
                fold: Fold::Resolved,
            });
        }
        if r.suppressed().next().is_some() {
            parts.push(Part {
                head: format!("## {}\n\n", msg.t("report.suppressed_heading")),
                rows: r
                    .suppressed()
                    .map(|f| {
                        format!(
                            "- `{}` · {}: {}\n",
                            f.rule,
                            f.subject_label_with(markdown),
                            markdown(f.suppressed.as_deref().unwrap_or_default())
                        )
                    })
                    .collect(),
                end: "\n".into(),
                fold: Fold::Suppressed,
            });
        }
        Ok(parts)
    }

    /// The report in at most `budget` bytes (unless its overview alone is larger).
    fn print_within(&self, r: &Report, budget: usize, out: &mut dyn Write) -> io::Result<()> {
        let msg = messages::get(&r.lang);
        let (top, overview) = (
            text_of(|out| self.top(r, msg, out))?,
            text_of(|out| self.overview(r, msg, out))?,
        );
        let parts = self.parts(r, msg)?;
        let total: usize = parts.iter().map(|p| p.fold.findings()).sum();
        // The notices a folded report adds, at their longest.
        let notice = |shown: usize| {
            format!(
                "> ⚠️ {}\n\n",
                msg.f("limits.md_folded", &[("shown", &shown), ("total", &total)])
            )
        };
        let closing = |shown: usize| {
            format!(
                "---\n\n_{}_\n",
                msg.f("limits.md_end", &[("shown", &shown), ("total", &total)])
            )
        };
        let sections: Vec<Section> = parts
            .iter()
            .map(|p| Section {
                head: p.head.len() + p.end.len(),
                rows: p.rows.iter().map(String::len).collect(),
                // Which of the two wordings is written depends on what fits: budget
                // for the longer, so the report never runs past its share.
                fold_line: [false, true]
                    .map(|after_rows| p.fold.line(msg, p.rows.len().max(total), after_rows).len())
                    .into_iter()
                    .max()
                    .unwrap_or(0),
            })
            .collect();
        let fixed = top.len() + overview.len() + notice(total).len() + closing(total).len();
        let kept = limits::fit(budget, fixed, &sections);
        let complete = kept
            .iter()
            .zip(&parts)
            .all(|(k, p)| k.head && k.rows == p.rows.len());
        // Findings listed: every row kept of a part of findings. A finding alone is its
        // part's head; those it explains are its rows.
        let shown: usize = kept
            .iter()
            .zip(&parts)
            .map(|(k, p)| match p.fold {
                Fold::Findings { total, .. } if k.head => total - (p.rows.len() - k.rows),
                _ => 0,
            })
            .sum();
        out.write_all(top.as_bytes())?;
        if !complete {
            out.write_all(notice(shown).as_bytes())?;
        }
        out.write_all(overview.as_bytes())?;
        for (Kept { head, rows }, p) in kept.into_iter().zip(&parts) {
            if head {
                out.write_all(p.head.as_bytes())?;
                for row in &p.rows[..rows] {
                    out.write_all(row.as_bytes())?;
                }
                out.write_all(p.end.as_bytes())?;
            }
            let left_out = if head {
                p.rows.len() - rows
            } else {
                p.fold.findings().max(p.rows.len())
            };
            if left_out > 0 {
                out.write_all(p.fold.line(msg, left_out, head).as_bytes())?;
            }
        }
        if !complete {
            out.write_all(closing(shown).as_bytes())?;
        }
        Ok(())
    }

    /// The title, the run's facts and its verdict.
    fn top(&self, r: &Report, msg: &Messages, out: &mut dyn Write) -> io::Result<()> {
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
        writeln!(out, "**{verdict}**\n")
    }

    /// What the run could not see, the health overview and the count of findings per
    /// rule and cause.
    fn overview(&self, r: &Report, msg: &Messages, out: &mut dyn Write) -> io::Result<()> {
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
            return writeln!(out, "{}\n", msg.t("report.no_findings"));
        }
        writeln!(
            out,
            "| {} | {} | {} | {} |\n|---|---|---|---|",
            msg.t("report.col_severity"),
            msg.t("report.col_rule"),
            msg.t("report.cause"),
            msg.t("report.col_count"),
        )?;
        for row in &r.by_rule {
            for c in &row.causes {
                writeln!(
                    out,
                    "| {} | `{}` | {} | {} |",
                    row.severity.label(msg),
                    row.rule,
                    c.cause.map(|c| format!("`{c}`")).unwrap_or_default(),
                    c.count,
                )?;
            }
        }
        writeln!(out)
    }
}

impl Printer for MarkdownPrinter {
    /// A table of all tenants, then each tenant's report, the budget shared evenly.
    fn print_many(&self, reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
        let Some(first) = reports.first() else {
            return Ok(());
        };
        let msg = messages::get(&first.lang);
        let table = text_of(|out| tenants_table(reports, msg, out))?;
        out.write_all(table.as_bytes())?;
        const RULE: &str = "\n---\n\n";
        let share = (limits::MARKDOWN_BUDGET.saturating_sub(table.len()) / reports.len())
            .saturating_sub(RULE.len());
        // A report's top and overview are written whatever its share, so with hundreds
        // of tenants the shares alone cannot keep the summary under the limit: stop
        // before the report that would pass it, and say how many were left out.
        let mut written = table.len();
        let reserve = RULE.len()
            + msg
                .f("limits.md_tenants_more", &[("count", &reports.len())])
                .len()
            + 2;
        for (i, r) in reports.iter().enumerate() {
            let text = text_of(|buf| self.print_within(r, share, buf))?;
            let last = i + 1 == reports.len();
            let room = if last { 0 } else { reserve };
            if written + RULE.len() + text.len() + room > limits::MARKDOWN_BUDGET {
                let left = reports.len() - i;
                let line = msg.f("limits.md_tenants_more", &[("count", &left)]);
                writeln!(out, "{RULE}_{line}_")?;
                break;
            }
            out.write_all(RULE.as_bytes())?;
            out.write_all(text.as_bytes())?;
            written += RULE.len() + text.len();
        }
        Ok(())
    }

    fn print(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        self.print_within(r, limits::MARKDOWN_BUDGET, out)
    }
}

fn tenants_table(reports: &[Report], msg: &Messages, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "# {}\n",
        msg.f("report.tenants_heading", &[("count", &reports.len())])
    )?;
    writeln!(
        out,
        "| {} |\n|---|---|---|---|---|---|---|",
        sentences::tenant_columns(msg).join(" | ")
    )?;
    for r in reports {
        let s = &r.summary;
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
            r.result(msg)
        )?;
    }
    Ok(())
}
