//! The terminal report: a header (with the dossier of each `--user` and `--device`),
//! the health, a table of findings per rule and cause, then the findings: a rule and
//! cause with one finding in full (diagnosis, evidence, impact, numbered fix), one
//! with several explained once above a table of its subjects cut at `--max-rows`.
//! Colour only when asked for or on a terminal (decided by the caller); the layout is
//! the same either way. Lines fit the report's width but for tokens that cannot be
//! broken. Every tenant value is escaped for a terminal (prose by [`wrap_hanging`],
//! the rest where it is written), before colour codes are added.

use super::dossier::{CheckIn, DevicePair, Dossier, IntuneRecord, Link, LookoutRecord, Membership};
use super::focus::FocusKind;
use super::fold::{self, SubjectTable};
use super::layout::{display_width, wrap_hanging, Style};
use super::overview::Health;
use super::sentences;
use super::{CauseGroup, Printer, Report, ReportFinding};
use crate::escape::{self, terminal};
use crate::finding::Severity;
use crate::knowledge;
use crate::messages::{self, Messages};
use colored::{ColoredString, Colorize};
use comfy_table::{presets, ColumnConstraint, ContentArrangement, Table, Width};
use std::io::{self, Write};

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

    /// A finding's first line, "ERROR rule · subject [NEW]", wrapped as prose (the
    /// subject may be long), then painted: the severity, the rule and the tag.
    fn heading(
        &self,
        msg: &Messages,
        plain: &str,
        severity: Severity,
        rule: &str,
        tag: Option<&str>,
    ) -> String {
        let wrapped = self.wrap_hanging("", "  ", plain);
        if !self.style.color {
            return wrapped;
        }
        let label = severity.label(msg);
        // The escaped subject holds no colour codes, and each painted word comes
        // before it: the first occurrence of each is the one to paint.
        let painted = wrapped
            .replacen(&label, &self.severity_label(msg, severity), 1)
            .replacen(rule, &self.paint(rule, |t| t.bold()), 1);
        match tag {
            // The tag comes last, after the subject: its last occurrence is the one.
            Some(tag) => match painted.rfind(tag) {
                Some(at) => format!(
                    "{}{}{}",
                    &painted[..at],
                    self.paint(tag, |t| t.magenta().bold()),
                    &painted[at + tag.len()..]
                ),
                None => painted,
            },
            None => painted,
        }
    }

    fn paint(&self, text: &str, f: impl Fn(&str) -> ColoredString) -> String {
        if self.style.color {
            f(text).to_string()
        } else {
            text.to_string()
        }
    }

    fn severity_label(&self, msg: &Messages, s: Severity) -> String {
        let label = s.label(msg);
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
            self.wrap(
                &msg.f("report.snapshot", &[("path", &terminal(&r.snapshot.path))]),
                ""
            )
        )?;
        match &r.snapshot.tenant_id {
            Some(id) => writeln!(
                out,
                "{}",
                self.wrap(&msg.f("report.tenant", &[("tenant_id", &terminal(id))]), "")
            )?,
            None => writeln!(out, "{}", msg.t("report.tenant_unknown"))?,
        }
        writeln!(out, "{}", self.wrap(&r.as_of_line(msg), ""))?;
        if let Some(far) = &r.as_of_far {
            writeln!(out, "{}", self.wrap(far, ""))?;
        }
        let c = &r.snapshot.counts;
        let read = msg.f(
            "report.read",
            &[
                ("groups", &c.groups),
                ("users", &c.users),
                ("lookout_devices", &c.lookout_devices),
                ("intune_devices", &c.intune_devices),
            ],
        );
        writeln!(out, "{}", self.wrap(&read, ""))?;
        if !r.focus.is_empty() {
            let queries: Vec<&str> = r.focus.iter().map(|e| e.query.as_str()).collect();
            writeln!(
                out,
                "{}",
                self.wrap(
                    &msg.f("report.focus", &[("focus", &queries.join(", "))]),
                    ""
                )
            )?;
            for e in &r.focus {
                let line = self.wrap_hanging("  - ", "    ", &e.describe(r));
                if e.found {
                    writeln!(out, "{line}")?;
                    if let Some(d) = &e.dossier {
                        self.dossier(d, e.kind == FocusKind::User, msg, out)?;
                    }
                } else {
                    writeln!(out, "{}", self.paint(&line, |t| t.yellow().bold()))?;
                }
            }
        }
        Ok(())
    }
}

/// One fact of a device, as each side of the dossier's table writes it.
type DossierRow<'a> = (
    &'static str,
    Box<dyn Fn(&IntuneRecord) -> String + 'a>,
    Box<dyn Fn(&LookoutRecord) -> String + 'a>,
);

impl HumanPrinter {
    /// A user's or device's dossier, under the line that says where it was found.
    fn dossier(
        &self,
        d: &Dossier,
        is_user: bool,
        msg: &Messages,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let line = |key: &str, args: &[(&str, &dyn std::fmt::Display)]| {
            self.wrap_hanging("    ", "      ", &msg.f(key, args))
        };
        if let Some(name) = &d.name {
            writeln!(out, "{}", line("dossier.name", &[("name", name)]))?;
        }
        if let Some(owner) = &d.owner {
            writeln!(out, "{}", line("dossier.owner", &[("owner", owner)]))?;
        }
        match &d.groups {
            Some(groups) if groups.is_empty() => {
                writeln!(out, "{}", line("dossier.groups_none", &[]))?;
            }
            Some(groups) => {
                let groups = groups.join(", ");
                writeln!(out, "{}", line("dossier.groups", &[("groups", &groups)]))?;
            }
            None if is_user => writeln!(out, "{}", line("dossier.groups_unknown", &[]))?,
            None => {}
        }
        if d.groups.is_some() {
            if d.enrollment.is_empty() {
                writeln!(out, "{}", line("dossier.enrollment_none", &[]))?;
            } else {
                writeln!(out, "{}", line("dossier.enrollment", &[]))?;
            }
            for e in &d.enrollment {
                let group = &e.configured;
                let text = match &e.membership {
                    Membership::Direct => msg.f("dossier.direct", &[("group", group)]),
                    Membership::Nested(path) => {
                        msg.f("dossier.nested", &[("group", group), ("path", path)])
                    }
                    Membership::CaseMismatch {
                        actual,
                        path: Some(path),
                    } => msg.f(
                        "dossier.case_mismatch_nested",
                        &[("group", group), ("actual", actual), ("path", path)],
                    ),
                    Membership::CaseMismatch { actual, path: None } => msg.f(
                        "dossier.case_mismatch",
                        &[("group", group), ("actual", actual)],
                    ),
                    Membership::NotMember => msg.f("dossier.not_member", &[("group", group)]),
                    Membership::NoSuchGroup => msg.f("dossier.no_such_group", &[("group", group)]),
                };
                writeln!(out, "{}", self.wrap_hanging("      - ", "        ", &text))?;
            }
        }
        if d.devices.is_empty() {
            return writeln!(out, "{}", line("dossier.devices_none", &[]));
        }
        writeln!(
            out,
            "{}",
            line("dossier.devices", &[("count", &d.devices.len())])
        )?;
        // A shared account may own hundreds of devices: cut like a subject table.
        let (shown, more) = fold::rows_shown(d.devices.len(), self.style.max_rows);
        for pair in &d.devices[..shown] {
            self.device_pair(pair, msg, out)?;
        }
        if more > 0 {
            let more = msg.f("grouped.more", &[("count", &more)]);
            writeln!(out, "{}", self.wrap(&more, "    "))?;
        }
        Ok(())
    }

    /// An Intune device beside its Lookout records: one row per fact.
    fn device_pair(&self, p: &DevicePair, msg: &Messages, out: &mut dyn Write) -> io::Result<()> {
        let none = || msg.t("value.none");
        let cell =
            |v: &Option<String>| v.as_deref().map_or_else(none, |v| terminal(v).into_owned());
        let check_in = |c: &Option<CheckIn>| {
            c.as_ref().map_or_else(none, |c| {
                msg.f("dossier.check_in", &[("at", &c.at), ("days", &c.days)])
            })
        };
        let mut header = vec![String::new(), "Intune".to_string()];
        let lookouts = p.lookout.len().max(1);
        for i in 0..lookouts {
            header.push(if lookouts > 1 {
                format!("Lookout ({})", i + 1)
            } else {
                "Lookout".to_string()
            });
        }
        let rows: [DossierRow; 8] = [
            (
                "dossier.row_id",
                Box::new(|i| terminal(&i.id).into_owned()),
                Box::new(|l| terminal(&l.guid).into_owned()),
            ),
            (
                "dossier.row_link",
                Box::new(|i| {
                    i.entra_device_id
                        .as_deref()
                        .map_or_else(none, |e| msg.f("dossier.entra_id", &[("id", &terminal(e))]))
                }),
                Box::new(|l| {
                    let id = terminal(l.device_id.as_deref().unwrap_or_default()).into_owned();
                    let key = match l.link {
                        Link::IntuneId => "dossier.link_intune",
                        Link::EntraId => "dossier.link_entra",
                        Link::Elsewhere => "dossier.link_elsewhere",
                        Link::Missing => "dossier.link_missing",
                    };
                    msg.f(key, &[("id", &id)])
                }),
            ),
            (
                "dossier.row_name",
                Box::new(|i| cell(&i.name)),
                Box::new(|l| cell(&l.name)),
            ),
            (
                "dossier.row_user",
                Box::new(|i| cell(&i.user)),
                Box::new(|l| cell(&l.user)),
            ),
            (
                "dossier.row_os",
                Box::new(|i| cell(&i.os)),
                Box::new(|l| cell(&l.os)),
            ),
            (
                "dossier.row_status",
                Box::new(|i| cell(&i.compliance)),
                Box::new(|l| {
                    let parts: Vec<String> = [&l.activation, &l.protection]
                        .into_iter()
                        .flatten()
                        .map(|s| terminal(s).into_owned())
                        .collect();
                    if parts.is_empty() {
                        none()
                    } else {
                        parts.join(" · ")
                    }
                }),
            ),
            (
                "dossier.row_threat",
                Box::new(|i| cell(&i.threat_state)),
                Box::new(|l| cell(&l.security)),
            ),
            (
                "dossier.row_check_in",
                Box::new(|i| check_in(&i.last_check_in)),
                Box::new(|l| check_in(&l.last_check_in)),
            ),
        ];
        let mut table = self.table();
        table.set_header(header);
        for (i, (label, intune, lookout)) in rows.iter().enumerate() {
            let mut row = vec![msg.t(label)];
            row.push(match &p.intune {
                Some(r) => intune(r),
                // The first row says there is none; the others stay empty.
                None if i == 0 => msg.t("dossier.no_record"),
                None => String::new(),
            });
            if p.lookout.is_empty() {
                row.push(if i == 0 {
                    msg.t("dossier.no_record")
                } else {
                    String::new()
                });
            }
            for l in &p.lookout {
                row.push(lookout(l));
            }
            table.add_row(row);
        }
        writeln!(out, "{table}")
    }

    fn summary_table(&self, r: &Report, msg: &Messages, out: &mut dyn Write) -> io::Result<()> {
        let mut table = self.table();
        table.set_header(vec![
            msg.t("report.col_severity"),
            msg.t("report.col_rule"),
            msg.t("report.col_count"),
            msg.t("report.col_title"),
        ]);
        for row in &r.by_rule {
            table.add_row(vec![
                row.severity.label(msg),
                row.rule.to_string(),
                row.count.to_string(),
                row.title.to_string(),
            ]);
            // A rule with causes gets a row per cause under it: the work each one is.
            if row.causes.iter().any(|c| c.cause.is_some()) {
                for c in &row.causes {
                    table.add_row(vec![
                        String::new(),
                        String::new(),
                        c.count.to_string(),
                        format!("· {}", c.cause.unwrap_or("—")),
                    ]);
                }
            }
        }
        writeln!(out, "{table}")
    }

    /// Many findings of one rule and cause: the explanation, impact and fix once, then
    /// a table of the subjects, cut at `--max-rows`.
    fn cause_group(&self, g: &CauseGroup, msg: &Messages, out: &mut dyn Write) -> io::Result<()> {
        let first = g.members[0].finding;
        let new = g.members.iter().filter(|m| m.finding.is_new()).count();
        let mut heading = format!("{} {}", g.severity.label(msg), g.rule.slug());
        if let Some(cause) = g.cause {
            heading.push_str(&format!(" · {cause}"));
        }
        heading.push_str(&format!(
            " · {}",
            msg.f("grouped.count", &[("count", &g.members.len())])
        ));
        let tag = format!("[{}]", msg.f("grouped.new_count", &[("count", &new)]));
        if new > 0 {
            heading.push_str(&format!(" {tag}"));
        }
        let tag = (new > 0).then_some(tag.as_str());
        writeln!(
            out,
            "{}",
            self.heading(msg, &heading, g.severity, g.rule.slug(), tag)
        )?;
        writeln!(out, "{}", self.wrap(first.title, "  "))?;
        self.cause_line(first, msg, out)?;
        let table = SubjectTable::of(g, self.style.max_rows);
        if !table.shared.is_empty() {
            writeln!(out, "  {}:", msg.t("grouped.shared"))?;
            self.evidence(&table.shared, msg, out)?;
        }
        self.advice(first, msg, out)?;
        self.subject_table(&table, msg, out)?;
        let explains: Vec<&ReportFinding> = g
            .members
            .iter()
            .flat_map(|m| m.explains.iter().copied())
            .collect();
        self.explained(&explains, msg, out)
    }

    /// The subjects of a table, one row each, then how many were left out.
    fn subject_table(
        &self,
        t: &SubjectTable,
        msg: &Messages,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let mut table = self.table();
        let mut header = vec![msg.t("grouped.col_id")];
        if t.columns.name {
            header.push(msg.t("grouped.col_name"));
        }
        if t.columns.user {
            header.push(msg.t("grouped.col_user"));
        }
        header.extend(t.columns.facts.iter().map(|k| k.to_string()));
        table.set_header(header);
        let mut rows = Vec::with_capacity(t.rows.len());
        for f in &t.rows {
            let mut id = terminal(&f.subject.id).into_owned();
            if f.is_new() {
                id.push_str(&format!(" [{}]", msg.t("report.new")));
            }
            let mut row = vec![id];
            let optional = |v: &Option<String>| {
                v.as_deref()
                    .map_or_else(|| msg.t("value.none"), |v| terminal(v).into_owned())
            };
            if t.columns.name {
                row.push(optional(&f.subject.name));
            }
            if t.columns.user {
                row.push(optional(&f.subject.user));
            }
            for key in &t.columns.facts {
                let text = f
                    .evidence
                    .get(key)
                    .map_or_else(|| msg.t("value.none"), |v| self.value(v, msg));
                row.push(terminal(&text).into_owned());
            }
            rows.push(row);
        }
        self.protect_columns(&mut table, &rows, t.columns.facts.len());
        table.add_rows(rows);
        writeln!(out, "{table}")?;
        if t.more > 0 {
            let more = msg.f("grouped.more", &[("count", &t.more)]);
            writeln!(out, "{}", self.wrap(&more, "  "))?;
        }
        Ok(())
    }

    /// When a subject table is wider than the report, keeps the identifiers whole
    /// (they are copied from a terminal) and the facts' one-word names unbroken, as
    /// long as that leaves the name and user columns room to wrap in.
    fn protect_columns(&self, table: &mut Table, rows: &[Vec<String>], facts: usize) {
        let columns = table.column_count();
        let widest = |i: usize| {
            let header = table
                .header()
                .and_then(|h| h.cell_iter().nth(i))
                .map_or(0, |c| display_width(&c.content()));
            rows.iter()
                .map(|r| display_width(&r[i]))
                .chain([header])
                .max()
                .unwrap_or(0)
        };
        let natural: Vec<usize> = (0..columns).map(widest).collect();
        // Each column takes its padding and a border: 3 columns, plus the last border.
        let room = self.style.width.saturating_sub(3 * columns + 1);
        if natural.iter().sum::<usize>() <= room {
            return;
        }
        // The columns between the id and the facts (name, user) wrap at spaces or,
        // failing that, anywhere: each keeps at least this much.
        const WRAPPING_MIN: usize = 12;
        let wrapping = columns - 1 - facts;
        let id = natural[0];
        let fact_bounds: Vec<usize> = (columns - facts..columns)
            .map(|i| {
                let header = table
                    .header()
                    .and_then(|h| h.cell_iter().nth(i))
                    .map_or(0, |c| display_width(&c.content()));
                header.min(natural[i]).min(room / 6)
            })
            .collect();
        let mut bound = |i: usize, w: usize| {
            if let Some(column) = table.column_mut(i) {
                // The boundary counts the cell's padding, a space each side.
                column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(
                    (w + 2) as u16,
                )));
            }
        };
        let id_fits = id + wrapping * WRAPPING_MIN <= room;
        if id_fits {
            bound(0, id);
        }
        let reserved = if id_fits { id } else { 0 } + wrapping * WRAPPING_MIN;
        if reserved + fact_bounds.iter().sum::<usize>() <= room {
            for (k, w) in fact_bounds.into_iter().enumerate() {
                bound(columns - facts + k, w);
            }
        }
    }

    /// An evidence value as the report reads it: yes/no, lists joined, "—" for none.
    fn value(&self, v: &serde_json::Value, msg: &Messages) -> String {
        match v {
            serde_json::Value::Bool(b) => msg.t(if *b { "value.true" } else { "value.false" }),
            v => knowledge::value_text(v).unwrap_or_else(|| msg.t("value.none")),
        }
    }

    /// The findings another one explains, one line each, at most `--max-rows`.
    fn explained(
        &self,
        explains: &[&ReportFinding],
        msg: &Messages,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        if explains.is_empty() {
            return Ok(());
        }
        let heading = format!(
            "{}:",
            msg.f("report.explains", &[("count", &explains.len())])
        );
        writeln!(out, "{}", self.wrap(&heading, "  "))?;
        let (shown, more) = fold::rows_shown(explains.len(), self.style.max_rows);
        for d in &explains[..shown] {
            writeln!(
                out,
                "{}",
                self.wrap_hanging("    - ", "      ", &self.dependent_line(d, msg))
            )?;
        }
        if more > 0 {
            let more = msg.f("grouped.more", &[("count", &more)]);
            writeln!(out, "{}", self.wrap(&more, "    "))?;
        }
        Ok(())
    }

    fn finding(&self, f: &ReportFinding, msg: &Messages, out: &mut dyn Write) -> io::Result<()> {
        let subject = f.subject_label_with(terminal);
        let mut heading = format!("{} {} · {subject}", f.severity.label(msg), f.rule.slug());
        let new = format!("[{}]", msg.t("report.new"));
        if f.is_new() {
            heading.push_str(&format!(" {new}"));
        }
        let tag = f.is_new().then_some(new.as_str());
        writeln!(
            out,
            "{}",
            self.heading(msg, &heading, f.severity, f.rule.slug(), tag)
        )?;
        writeln!(out, "{}", self.wrap(f.title, "  "))?;
        self.cause_line(f, msg, out)?;
        writeln!(
            out,
            "{}",
            self.wrap(
                &format!(
                    "{}: {}",
                    msg.t("report.diagnosis"),
                    f.diagnosis_with(escape::none)
                ),
                "  "
            )
        )?;
        if !f.evidence.is_empty() {
            writeln!(out, "  {}:", msg.t("report.evidence"))?;
            let facts: Vec<_> = f.evidence.iter().collect();
            self.evidence(&facts, msg, out)?;
        }
        self.advice(f, msg, out)
    }

    /// Facts as aligned "key  value" lines.
    fn evidence(
        &self,
        facts: &[(&str, &serde_json::Value)],
        msg: &Messages,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let key_width = facts.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (key, value) in facts {
            let text = self.value(value, msg);
            let first = format!("    {key:<key_width$}  ");
            let rest = " ".repeat(first.chars().count());
            writeln!(out, "{}", self.wrap_hanging(&first, &rest, &text))?;
        }
        Ok(())
    }

    /// "Cause: slug. What it means.", when the finding has a cause.
    fn cause_line(&self, f: &ReportFinding, msg: &Messages, out: &mut dyn Write) -> io::Result<()> {
        if let Some(line) = f.cause_line(msg, str::to_string) {
            writeln!(out, "{}", self.wrap(&line, "  "))?;
        }
        Ok(())
    }

    /// The impact, the numbered fix and the references: the same for every finding of
    /// a rule and cause.
    fn advice(&self, f: &ReportFinding, msg: &Messages, out: &mut dyn Write) -> io::Result<()> {
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
            .map(|&h| display_width(&h.label(msg)))
            .max()
            .unwrap_or(4);
        for h in &r.health {
            let status = h.status.label(msg);
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
        let new = if f.is_new() {
            format!(" [{}]", msg.t("report.new"))
        } else {
            String::new()
        };
        format!(
            "{} {} · {}{new}",
            f.severity.label(msg),
            f.rule,
            f.subject_label()
        )
    }
}

impl Printer for HumanPrinter {
    fn print(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let msg = messages::get(&r.lang);
        self.header(r, msg, out)?;
        writeln!(out)?;
        self.health(r, msg, out)?;
        writeln!(out)?;
        let any_open = r.open().next().is_some();
        let unknown: Vec<&str> = r.focus_not_found().map(|e| e.query.as_str()).collect();
        if !any_open && r.is_complete() && unknown.is_empty() {
            writeln!(
                out,
                "{}",
                self.paint(&msg.t("report.no_findings"), |t| t.green().bold())
            )?;
        } else if !any_open {
            // "No problems found" alone would read as a clean bill of health.
            let mut lines = Vec::new();
            if !r.is_complete() {
                lines.push(msg.t("report.no_findings_incomplete"));
            }
            if !unknown.is_empty() {
                let queries = unknown.join(", ");
                lines.push(msg.f("report.no_findings_not_found", &[("queries", &queries)]));
            }
            for line in lines {
                let text = self.wrap(&line, "");
                writeln!(out, "{}", self.paint(&text, |t| t.yellow().bold()))?;
            }
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
            .stale_suppressions()
            .map(|s| s.describe(msg, escape::none))
            .collect();
        self.list(msg, "report.suppressions_heading", &stale, out)?;

        if any_open {
            writeln!(out)?;
            writeln!(
                out,
                "{}",
                self.paint(&msg.t("report.findings_heading"), |t| t.bold().underline())
            )?;
            for group in r.cause_groups() {
                writeln!(out)?;
                match group.members.as_slice() {
                    // One finding reads in full, with its own values.
                    [only] => {
                        self.finding(only.finding, msg, out)?;
                        self.explained(&only.explains, msg, out)?;
                    }
                    _ => self.cause_group(&group, msg, out)?,
                }
            }
        }
        let suppressed: Vec<String> = r
            .suppressed()
            .map(|f| {
                let reason = f.suppressed.as_deref().unwrap_or_default();
                format!("{} · {reason}", self.dependent_line(f, msg))
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
        writeln!(out, "{}", self.wrap(&r.exit_line(msg), ""))
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
        table.set_header(sentences::tenant_columns(msg));
        for r in reports {
            let s = &r.summary;
            table.add_row(vec![
                terminal(&r.snapshot.path).into_owned(),
                r.snapshot
                    .tenant_id
                    .as_deref()
                    .map_or_else(|| msg.t("value.none"), |id| terminal(id).into_owned()),
                s.error.to_string(),
                s.warning.to_string(),
                s.info.to_string(),
                s.suppressed.to_string(),
                r.result(msg),
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
