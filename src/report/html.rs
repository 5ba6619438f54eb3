//! `--format html`: one self-contained page to open offline or from an e-mail
//! attachment: the health overview as cards, the charts of the fleet as inline SVG,
//! each fix once, and every finding in a table to filter and sort.
//!
//! Nothing leaves the page: its stylesheet and script are inline, and a strict
//! Content-Security-Policy (`default-src 'none'`) allows exactly those two blocks,
//! by the SHA-256 of their text. The markup is written with maud, whose templates
//! are checked when the tool is compiled and escape every interpolated value as
//! HTML; tenant values are made visible first ([`escape::terminal`]: controls,
//! bidi overrides and invisible characters as `\u{..}`), so a name cannot reorder or
//! hide the text around it. The findings are data, not markup: a JSON block the
//! script reads, with `<`, `>`, `&` and the line separators escaped so it can never
//! close its element, and that the script writes with `textContent` only.

use super::fixes::Fix;
use super::fleet::{Fleet, OsVersions, Slice};
use super::sentences;
use super::{Printer, Report, ReportFinding};
use crate::escape;
use crate::finding::Severity;
use crate::messages::{self, Messages};
use crate::snapshot::values::MobilePlatform;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::io::{self, Write};

const CSS: &str = include_str!("html/report.css");
const JS: &str = include_str!("html/report.js");

/// The findings' statuses, in the order the page's data numbers them.
const STATUSES: [&str; 4] = ["open", "new", "unchanged", "suppressed"];

pub struct HtmlPrinter;

impl Printer for HtmlPrinter {
    fn print(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        self.print_many(std::slice::from_ref(report), out)
    }

    /// Several tenants: one page, a section per tenant.
    fn print_many(&self, reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
        let Some(first) = reports.first() else {
            return Ok(());
        };
        let msg = messages::get(&first.lang);
        out.write_all(page(reports, &first.lang, msg).into_string().as_bytes())?;
        out.write_all(b"\n")
    }
}

/// `sha256-…` of an inline block, as a Content-Security-Policy source.
pub fn csp_hash(text: &str) -> String {
    format!(
        "'sha256-{}'",
        STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

/// The page's policy: nothing but its own stylesheet and script, no request at all.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(CSS),
        csp_hash(JS)
    )
}

/// A tenant value as shown: hidden characters made visible (maud escapes the HTML).
fn v(s: &str) -> Cow<'_, str> {
    escape::terminal(s)
}

/// JSON text safe inside a `<script type="application/json">` element: nothing in it
/// can end the element or the script (`<`, `>`, `&`, U+2028, U+2029 as `\uXXXX`).
pub fn script_json(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len() + 64);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn severity_key(s: Severity) -> &'static str {
    s.as_str()
}

fn page(reports: &[Report], lang: &str, msg: &Messages) -> Markup {
    let title = match reports {
        [one] => match &one.snapshot.tenant_id {
            Some(id) => format!("{} · {}", msg.t("html.title"), v(id)),
            None => msg.t("html.title"),
        },
        _ => format!(
            "{} · {}",
            msg.t("html.title"),
            msg.f("report.tenants_heading", &[("count", &reports.len())])
        ),
    };
    let labels = serde_json::json!({
        "severity": Severity::ALL.map(|s| s.label(msg)),
        "severityKeys": Severity::ALL.map(severity_key),
        "status": STATUSES.map(|s| msg.t(&format!("html.status_{s}"))),
        "statusKeys": STATUSES,
        "showing": msg.t("html.showing"),
        "noMatch": msg.t("html.no_match"),
        "none": msg.t("value.none"),
    });
    html! {
        (DOCTYPE)
        html lang=(lang) {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(content_security_policy());
                meta name="referrer" content="no-referrer";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(format!("lookout-doctor {}", reports[0].tool.version));
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                @if reports.len() > 1 {
                    header.top {
                        h1 { (msg.f("report.tenants_heading", &[("count", &reports.len())])) }
                        (tenants_table(reports, msg))
                    }
                }
                @for (i, r) in reports.iter().enumerate() {
                    (tenant(r, i, msg))
                }
                script type="application/json" id="ld-labels" { (PreEscaped(script_json(&labels))) }
                script { (PreEscaped(JS)) }
            }
        }
    }
}

fn tenants_table(reports: &[Report], msg: &Messages) -> Markup {
    html! {
        table.counts {
            thead { tr {
                @for (i, heading) in sentences::tenant_columns(msg).iter().enumerate() {
                    th class=[sentences::TENANT_COUNT_COLUMNS.contains(&i).then_some("num")] {
                        (heading)
                    }
                }
            } }
            tbody { @for r in reports { tr {
                td.mono { (v(&r.snapshot.path)) }
                td.mono { (r.snapshot.tenant_id.as_deref().map_or_else(|| msg.t("value.none"), |id| v(id).into_owned())) }
                td.num { (r.summary.error) }
                td.num { (r.summary.warning) }
                td.num { (r.summary.info) }
                td.num { (r.summary.suppressed) }
                td { (r.result(msg)) }
            } } }
        }
    }
}

fn tenant(r: &Report, i: usize, msg: &Messages) -> Markup {
    let c = &r.snapshot.counts;
    // Coloured by what was found, whatever --fail-on made of it.
    let verdict = if r.exit_code() != 0 || r.summary.error > 0 {
        "fail"
    } else if !r.is_complete() || r.summary.warning > 0 {
        "incomplete"
    } else {
        "pass"
    };
    let s = &r.summary;
    html! {
        header.top id=(format!("tenant-{i}")) {
            h1 { (msg.t("html.title")) }
            p { (msg.f("report.snapshot", &[("path", &v(&r.snapshot.path))])) }
            p { @match &r.snapshot.tenant_id {
                Some(id) => (msg.f("report.tenant", &[("tenant_id", &v(id))])),
                None => (msg.t("report.tenant_unknown")),
            } }
            p { (r.as_of_line(msg)) }
            @if let Some(far) = &r.as_of_far { p { (far) } }
            p { (msg.f("report.read", &[
                ("groups", &c.groups),
                ("users", &c.users),
                ("lookout_devices", &c.lookout_devices),
                ("intune_devices", &c.intune_devices),
            ])) }
            p { (msg.f("report.title", &[("version", &r.tool.version)])) }
            p class=(format!("verdict {verdict}")) { (r.exit_line(msg)) }
        }
        main {
            div.totals {
                div.total.error { b { (s.error) } (msg.t("severity.error")) }
                div.total.warning { b { (s.warning) } (msg.t("severity.warning")) }
                div.total.info { b { (s.info) } (msg.t("severity.info")) }
                div.total { b { (s.suppressed) } (msg.t("report.suppressed")) }
                @if let Some(new) = s.new { div.total { b { (new) } (msg.t("report.new")) } }
            }
            (completeness(r, msg))
            h2 { (msg.t("health.heading")) }
            div.cards {
                @for h in &r.health {
                    div class=(format!("card {}", h.status.as_str())) data-item=(h.item) {
                        span.status { (h.status.label(msg)) }
                        div.label { (h.label) }
                        div.detail { (v(&h.detail)) }
                    }
                }
            }
            @if r.findings.is_empty() {
                p.verdict.pass { (msg.t(if r.is_complete() { "report.no_findings" } else { "report.no_findings_incomplete" })) }
            } @else {
                h2 { (msg.t("report.findings_heading")) }
                table.counts {
                    thead { tr {
                        th { (msg.t("report.col_severity")) }
                        th { (msg.t("report.col_rule")) }
                        th.num { (msg.t("report.col_count")) }
                        th { (msg.t("report.col_title")) }
                    } }
                    tbody { @for row in &r.by_rule { tr data-rule=(row.rule.slug()) data-count=(row.count) {
                        td class=(format!("sev {}", severity_key(row.severity))) { (row.severity.label(msg)) }
                        td.mono { (row.rule.slug()) }
                        td.num { (row.count) }
                        td { (row.title) }
                    } } }
                }
            }
            h2 { (msg.t("html.charts_heading")) }
            (charts(r, msg))
            @if !r.fixes.is_empty() {
                h2 { (msg.t("html.fixes_heading")) }
                div.fixes { @for fix in &r.fixes { (fix_article(fix, msg)) } }
            }
            @if !r.findings.is_empty() {
                (findings_table(r, i, msg))
            }
            (resolved(r, msg))
        }
    }
}

/// What the run could not do, and what it was asked about: checks not run, files not
/// read, notes, the users and devices of `--user`/`--device`, suppressions to review.
fn completeness(r: &Report, msg: &Messages) -> Markup {
    let stale: Vec<String> = r.stale_suppressions().map(|s| s.describe(msg, v)).collect();
    let unread: Vec<_> = r.unread_files().collect();
    let read_notes: Vec<_> = r.notes.iter().filter(|n| !n.unread).collect();
    html! {
        @if !r.focus.is_empty() {
            div.notice.plain {
                h3 { (msg.t("report.focus_heading")) }
                ul { @for e in &r.focus { li { (e.describe_with(r, escape::terminal)) } } }
            }
        }
        @if !r.skipped.is_empty() {
            div class=(if r.skipped_for_lack_of_input().next().is_some() { "notice" } else { "notice plain" }) data-section="skipped" {
                h3 { (msg.t("report.skipped_heading")) }
                ul { @for s in &r.skipped {
                    li data-rule=(s.rule.slug()) data-cause=(s.cause.as_str()) {
                        code { (s.rule.slug()) } " — " (s.title) ": " (v(&s.reason))
                    }
                } }
            }
        }
        @if !unread.is_empty() {
            div.notice data-section="unread" {
                h3 { (msg.t("report.unread_heading")) }
                ul { @for n in &unread { li { code { (v(&n.file)) } ": " (v(&n.message)) } } }
            }
        }
        @if !read_notes.is_empty() {
            div.notice.plain data-section="notes" {
                h3 { (msg.t("report.notes_heading")) }
                ul { @for n in &read_notes { li { code { (v(&n.file)) } ": " (v(&n.message)) } } }
            }
        }
        @if !stale.is_empty() {
            div.notice data-section="suppressions" {
                h3 { (msg.t("report.suppressions_heading")) }
                ul { @for line in &stale { li { (line) } } }
            }
        }
    }
}

fn resolved(r: &Report, msg: &Messages) -> Markup {
    html! {
        @if let Some(resolved) = r.resolved.as_ref().filter(|r| !r.is_empty()) {
            div.notice.plain data-section="resolved" {
                h3 { (msg.t("report.resolved_heading")) }
                ul { @for f in resolved {
                    li { code { (v(&f.rule)) } " · " (v(&f.subject.kind)) " " (v(&f.subject.id)) }
                } }
            }
        }
    }
}

/// A bar of a horizontal bar chart: its label and its parts (count, colour class).
struct Bar {
    label: String,
    parts: Vec<(usize, &'static str)>,
}

const CHART_WIDTH: usize = 640;
const LABEL_WIDTH: usize = 236;
const NUMBER_WIDTH: usize = 64;
const ROW_HEIGHT: usize = 24;

/// A bar laid out: its parts as (x, width, count, class), where it ends, its total.
type LaidBar = (Vec<(f64, f64, usize, &'static str)>, f64, usize);

/// Horizontal bars on one scale, each with its total at its end.
fn bar_chart(title: &str, bars: &[Bar]) -> Markup {
    let max = bars
        .iter()
        .map(|b| b.parts.iter().map(|p| p.0).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let span = (CHART_WIDTH - LABEL_WIDTH - NUMBER_WIDTH) as f64;
    let height = bars.len() * ROW_HEIGHT + 4;
    // Each bar's parts side by side, then where its total goes.
    let laid: Vec<LaidBar> = bars
        .iter()
        .map(|bar| {
            let mut x = LABEL_WIDTH as f64;
            let mut parts = Vec::new();
            for &(count, class) in bar.parts.iter().filter(|p| p.0 > 0) {
                // A part too small to see at this scale still shows.
                let w = (count as f64 / max as f64 * span).max(1.5);
                parts.push((x, w, count, class));
                x += w;
            }
            (parts, x, bar.parts.iter().map(|p| p.0).sum())
        })
        .collect();
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {CHART_WIDTH} {height}")) role="img" aria-label=(title) {
            @for (i, (bar, (parts, end, total))) in bars.iter().zip(&laid).enumerate() {
                @let y = i * ROW_HEIGHT;
                text x=(LABEL_WIDTH - 8) y=(y + 16) text-anchor="end" { (bar.label) }
                rect.track x=(LABEL_WIDTH) y=(y + 4) width=(format!("{span:.1}")) height="16" rx="2" {}
                @for (x, w, count, class) in parts {
                    rect class=(class) x=(format!("{x:.1}")) y=(y + 4) width=(format!("{w:.1}")) height="16" rx="2" {
                        title { (bar.label) ": " (count) }
                    }
                }
                text.n x=(format!("{:.1}", end + 6.0)) y=(y + 16) { (total) }
            }
        }
    }
}

fn legend(items: &[(&'static str, String)]) -> Markup {
    html! {
        div.legend { @for (class, label) in items { span { span class=(format!("sw {class}")) {} (label) } } }
    }
}

fn figure(title: &str, body: Markup) -> Markup {
    html! {
        figure.chart { figcaption { (title) } (body) }
    }
}

fn status_class(key: &str) -> &'static str {
    match key {
        "activated" | "protected" => "f-ok",
        "pending" => "f-warning",
        "disconnected" | "uninstalled" => "f-error",
        "deactivated" | "deleted" => "f-muted",
        _ => "f-unknown",
    }
}

fn slices(slices: &[Slice], msg: &Messages) -> Vec<Bar> {
    slices
        .iter()
        .map(|s| Bar {
            label: msg.t(&format!("html.state.{}", s.key)),
            parts: vec![(s.count, status_class(s.key))],
        })
        .collect()
}

fn charts(r: &Report, msg: &Messages) -> Markup {
    let fleet: &Fleet = &r.fleet;
    let no_devices = html! { p { (msg.t("html.no_devices")) } };
    let rules: Vec<Bar> = r
        .by_rule
        .iter()
        .map(|row| Bar {
            label: row.rule.slug().to_string(),
            parts: vec![(row.count, severity_fill(row.severity))],
        })
        .collect();
    let ages = &fleet.checkins;
    let mut age_bars: Vec<Bar> = ages
        .buckets
        .iter()
        .map(|b| Bar {
            label: match (b.from_days, b.to_days) {
                (_, None) => msg.f("html.age_over", &[("days", &b.from_days)]),
                (0, Some(1)) => msg.t("html.age_day"),
                (from, Some(to)) => msg.f("html.age_range", &[("from", &from), ("to", &to)]),
            },
            parts: vec![(b.count, if b.stale { "f-error" } else { "f-ok" })],
        })
        .collect();
    if ages.never > 0 {
        age_bars.push(Bar {
            label: msg.t("html.age_never"),
            parts: vec![(ages.never, "f-unknown")],
        });
    }
    if ages.after_as_of > 0 {
        age_bars.push(Bar {
            label: msg.t("html.age_future"),
            parts: vec![(ages.after_as_of, "f-unknown")],
        });
    }
    let activated = fleet.protection.iter().map(|s| s.count).sum::<usize>();
    html! {
        div.charts {
            @let title = msg.t("html.chart_rules");
            (figure(&title, html! {
                @if rules.is_empty() { p { (msg.t("report.no_findings")) } } @else {
                    (bar_chart(&title, &rules))
                    (legend(&Severity::ALL.map(|s| (severity_fill(s), s.label(msg)))))
                }
            }))
            @let title = msg.f("html.chart_activation", &[("count", &fleet.lookout_devices)]);
            (figure(&title, html! {
                @if fleet.activation.is_empty() { (no_devices) } @else { (bar_chart(&title, &slices(&fleet.activation, msg))) }
            }))
            @let title = msg.f("html.chart_protection", &[("count", &activated)]);
            (figure(&title, html! {
                @if fleet.protection.is_empty() { (no_devices) } @else { (bar_chart(&title, &slices(&fleet.protection, msg))) }
            }))
            @let title = msg.f("html.chart_checkins", &[("days", &ages.disconnected_after_days)]);
            (figure(&title, html! {
                @if activated == 0 { (no_devices) } @else {
                    (bar_chart(&title, &age_bars))
                    p { (msg.f("html.checkins_note", &[("days", &ages.disconnected_after_days)])) }
                }
            }))
            @for os in &fleet.os_versions {
                @let platform = match os.platform { MobilePlatform::Android => "Android", MobilePlatform::Ios => "iOS" };
                @let title = msg.f("html.chart_os", &[("platform", &platform)]);
                @let bars = os_bars(os, platform, msg);
                (figure(&title, html! {
                    @if bars.is_empty() { (no_devices) } @else { (bar_chart(&title, &bars)) }
                    p { @match &os.minimum {
                        Some(min) => (msg.f("html.os_minimum", &[("version", &v(min))])),
                        None => (msg.t("html.os_no_minimum")),
                    } }
                    (legend(&[("f-ok", msg.t("html.os_supported")), ("f-error", msg.t("html.os_below"))]))
                }))
            }
        }
    }
}

fn os_bars(os: &OsVersions, platform: &str, msg: &Messages) -> Vec<Bar> {
    let mut bars: Vec<Bar> = os
        .majors
        .iter()
        .map(|m| Bar {
            label: format!("{platform} {}", m.major),
            parts: vec![(m.supported, "f-ok"), (m.below_minimum, "f-error")],
        })
        .collect();
    if os.unknown > 0 {
        bars.push(Bar {
            label: msg.t("html.os_unknown"),
            parts: vec![(os.unknown, "f-unknown")],
        });
    }
    bars
}

fn severity_fill(s: Severity) -> &'static str {
    match s {
        Severity::Error => "f-error",
        Severity::Warning => "f-warning",
        Severity::Info => "f-info",
    }
}

fn fix_article(fix: &Fix, msg: &Messages) -> Markup {
    let sev = severity_key(fix.severity);
    html! {
        article class=(format!("fix {sev}")) data-rule=(fix.rule.slug()) data-cause=[fix.cause] {
            h3 { (fix.title) }
            p.meta {
                span class=(format!("sev {sev}")) { (fix.severity.label(msg)) }
                " · " code { (fix.rule.slug()) }
                @if let Some(cause) = fix.cause { " · " (msg.t("report.cause")) ": " code { (cause) } }
                " · " (msg.f("html.fix_count", &[("count", &fix.count)]))
                @if fix.suppressed > 0 { " (" (msg.t("report.suppressed")) ": " (fix.suppressed) ")" }
            }
            @if let Some(meaning) = fix.cause_meaning { p { (meaning) } }
            p { b { (msg.t("report.impact")) ": " } (fix.impact) }
            @if !fix.remediation.is_empty() {
                b { (msg.t("report.remediation")) ":" }
                ol { @for step in fix.remediation { li { (step) } } }
            }
            @if !fix.references.is_empty() {
                p.refs { (msg.t("report.references")) ": "
                    @for (n, reference) in fix.references.iter().enumerate() {
                        @if n > 0 { " · " }
                        code { (reference) }
                    }
                }
            }
        }
    }
}

/// The findings as the page's script reads them: rule and cause names once, then a
/// row per finding `[severity, rule, cause, kind, id, name, user, status, diagnosis]`
/// (severity, rule, cause and status as indexes; cause -1 for none).
pub fn findings_data(findings: &[ReportFinding]) -> serde_json::Value {
    let mut rules: Vec<&str> = Vec::new();
    let mut causes: Vec<&str> = Vec::new();
    let index = |list: &mut Vec<&'static str>, name: &'static str| -> i64 {
        match list.iter().position(|n| *n == name) {
            Some(at) => at as i64,
            None => {
                list.push(name);
                list.len() as i64 - 1
            }
        }
    };
    let rows: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let sev = Severity::ALL.iter().position(|s| *s == f.severity);
            let status = STATUSES.iter().position(|s| *s == f.status());
            serde_json::json!([
                sev,
                index(&mut rules, f.rule.slug()),
                f.cause.map_or(-1, |c| index(&mut causes, c)),
                f.subject.kind.as_str(),
                v(&f.subject.id),
                f.subject.name.as_deref().map(v),
                f.subject.user.as_deref().map(v),
                status,
                f.diagnosis_with(escape::terminal),
            ])
        })
        .collect();
    serde_json::json!({ "rules": rules, "causes": causes, "rows": rows })
}

/// One of the findings table's filters: a labelled list of (value, label) choices
/// after "all".
fn filter(
    label: &str,
    key: &str,
    all: &str,
    options: impl Iterator<Item = (String, String)>,
) -> Markup {
    html! {
        label { (label)
            select data-filter=(key) {
                option value="" { (all) }
                @for (value, label) in options { option value=(value) data-label=(label) { (label) } }
            }
        }
    }
}

fn findings_table(r: &Report, i: usize, msg: &Messages) -> Markup {
    let mut rules: Vec<&str> = r.by_rule.iter().map(|c| c.rule.slug()).collect();
    rules.sort_unstable();
    rules.dedup();
    let mut causes: Vec<&str> = r.fixes.iter().filter_map(|f| f.cause).collect();
    causes.sort_unstable();
    causes.dedup();
    let statuses: &[&str] = if r.summary.new.is_some() {
        &STATUSES
    } else {
        &["open", "suppressed"]
    };
    let all = msg.t("html.filter_all");
    let columns = [
        ("severity", msg.t("report.col_severity")),
        ("rule", msg.t("report.col_rule")),
        ("cause", msg.t("report.cause")),
        ("subject", msg.t("report.col_subject")),
        ("diagnosis", msg.t("report.diagnosis")),
        ("status", msg.t("html.col_status")),
    ];
    html! {
        section.findings id=(format!("findings-{i}")) {
            h2 { (msg.t("html.findings_heading")) }
            div.controls {
                (filter(&msg.t("report.col_rule"), "rule", &all,
                    rules.iter().map(|r| (r.to_string(), r.to_string()))))
                (filter(&msg.t("report.col_severity"), "severity", &all,
                    Severity::ALL.iter().map(|s| (s.as_str().to_string(), s.label(msg).to_string()))))
                (filter(&msg.t("report.cause"), "cause", &all,
                    causes.iter().map(|c| (c.to_string(), c.to_string()))))
                (filter(&msg.t("html.col_status"), "status", &all,
                    statuses.iter().map(|s| (s.to_string(), msg.t(&format!("html.status_{s}")).to_string()))))
                label { (msg.t("html.filter_search"))
                    input type="search" data-filter="q";
                }
                button type="button" data-action="reset" { (msg.t("html.filter_reset")) }
            }
            p.hint { (msg.t("html.share_hint")) }
            p.count data-count=(r.findings.len()) {}
            p.print-only { (msg.t("html.print_note")) }
            noscript { p.notice { (msg.t("html.noscript")) } }
            table.findings {
                thead { tr { @for (key, label) in &columns {
                    th { button type="button" data-sort=(key) { (label) } span.print-label { (label) } }
                } } }
                tbody {}
            }
            div.pager {
                button type="button" data-action="prev" { (msg.t("html.prev")) }
                button type="button" data-action="next" { (msg.t("html.next")) }
            }
            script type="application/json" { (PreEscaped(script_json(&findings_data(&r.findings)))) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_in_a_script_cannot_close_it() {
        let value = serde_json::json!([
            "</script><script>alert(1)</script>",
            "a&b",
            "\u{2028}\u{2029}"
        ]);
        let text = script_json(&value);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        assert!(!text.contains('\u{2028}') && !text.contains('\u{2029}'));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn the_policy_names_the_inline_blocks() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none';"));
        assert!(csp.contains(&csp_hash(CSS)) && csp.contains(&csp_hash(JS)));
        assert!(!CSS.contains("</style") && !JS.contains("</script"));
    }
}
