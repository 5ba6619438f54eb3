//! The limits of the platforms the CI formats are read on, and what is folded to stay
//! within them. Decided here, from the report and from the sizes of the pieces a
//! printer has laid out; printers only write what is kept and the counts of what is
//! not, so every format that folds says exactly what it left out.
//!
//! - Markdown is a GitHub step summary: GitHub refuses one over 1 MiB.
//! - GitHub shows about ten annotations per level (error, warning, notice) of a step.
//! - Code scanning rejects a SARIF run of more than 25,000 results.

use super::{CauseGroup, Report, ReportFinding};
use crate::finding::Severity;
use crate::rules::RuleId;

/// GitHub's limit for one step summary (`$GITHUB_STEP_SUMMARY`): 1 MiB.
pub const STEP_SUMMARY_LIMIT: usize = 1 << 20;

/// The bytes a markdown report may take: under [`STEP_SUMMARY_LIMIT`] with a margin
/// for what a workflow writes around it (a heading, a second short report).
pub const MARKDOWN_BUDGET: usize = 1_000_000;

/// The annotations of one level GitHub shows for a step; more are dropped unseen.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// Code scanning rejects a run with more results than this.
pub const SARIF_RESULTS_PER_RUN: usize = 25_000;

/// A part of a document that may be folded, by its laid-out size in bytes: a head
/// (a heading and the explanation) shown whole or not at all, rows shown from the
/// first, and the line that says how many rows were left out.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub head: usize,
    pub rows: Vec<usize>,
    /// The longest the fold line can be (written with the largest count).
    pub fold_line: usize,
}

/// What of a [`Section`] is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kept {
    pub head: bool,
    pub rows: usize,
}

/// Which heads and rows of `sections` fit in `budget` bytes beside `fixed` bytes
/// written whatever happens. When everything fits, everything is kept. Otherwise the
/// fold line of every section is set aside first (so each can say what it left out),
/// then heads are kept in order while they fit, then rows are shared out evenly: every
/// kept section gets its first k rows for the largest k that fits, then one more row
/// each, in order, while they fit. A large group so never crowds out the explanation
/// and first rows of the groups after it. The same sizes always give the same answer.
pub fn fit(budget: usize, fixed: usize, sections: &[Section]) -> Vec<Kept> {
    let everything: usize = fixed
        + sections
            .iter()
            .map(|s| s.head + s.rows.iter().sum::<usize>())
            .sum::<usize>();
    if everything <= budget {
        return sections
            .iter()
            .map(|s| Kept {
                head: true,
                rows: s.rows.len(),
            })
            .collect();
    }
    let folds: usize = sections.iter().map(|s| s.fold_line).sum();
    let mut left = budget.saturating_sub(fixed + folds);
    let mut kept: Vec<Kept> = sections
        .iter()
        .map(|s| {
            let head = s.head <= left;
            if head {
                left -= s.head;
            }
            Kept { head, rows: 0 }
        })
        .collect();
    // Bytes of each kept section's first k rows.
    let prefix: Vec<Vec<usize>> = sections
        .iter()
        .map(|s| {
            std::iter::once(0)
                .chain(s.rows.iter().scan(0, |sum, &r| {
                    *sum += r;
                    Some(*sum)
                }))
                .collect()
        })
        .collect();
    let cost = |k: usize| -> usize {
        kept.iter()
            .zip(&prefix)
            .filter(|(kept, _)| kept.head)
            .map(|(_, p)| p[k.min(p.len() - 1)])
            .sum()
    };
    let longest = sections.iter().map(|s| s.rows.len()).max().unwrap_or(0);
    // The largest k whose cost fits: cost grows with k.
    let (mut low, mut high) = (0, longest);
    while low < high {
        let mid = (low + high).div_ceil(2);
        if cost(mid) <= left {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    left -= cost(low);
    for (k, s) in kept.iter_mut().zip(sections) {
        if k.head {
            k.rows = low.min(s.rows.len());
            if let Some(&next) = s.rows.get(low) {
                if next <= left {
                    left -= next;
                    k.rows += 1;
                }
            }
        }
    }
    kept
}

/// What `--format github` writes in one step, for one report or several: at most
/// [`ANNOTATIONS_PER_LEVEL`] annotations per level, what the runs could not see
/// included, and one notice when more were folded.
#[derive(Debug)]
pub struct Annotations<'r> {
    /// Per report, the groups kept, in report order.
    pub shown: Vec<Vec<CauseGroup<'r>>>,
    /// The groups left out, in report order.
    pub folded: Vec<FoldedAnnotation>,
}

/// A rule and cause of one report that has no annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldedAnnotation {
    /// Its index among the reports of the step.
    pub report: usize,
    pub severity: Severity,
    pub rule: RuleId,
    pub cause: Option<&'static str>,
    /// Its findings, those it explains included.
    pub count: usize,
}

impl Annotations<'_> {
    /// The findings the folded annotations would have shown.
    pub fn folded_findings(&self) -> usize {
        self.folded.iter().map(|f| f.count).sum()
    }
}

/// The cause groups `--format github` annotates for the reports of one step: per
/// level, the groups with the most findings first (ties in report order) while the
/// level has room beside the gap annotations; the notice level keeps one slot for
/// the notice saying what was folded, when anything was.
pub fn annotations(reports: &[Report]) -> Annotations<'_> {
    let groups: Vec<(usize, CauseGroup<'_>)> = reports
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.cause_groups().into_iter().map(move |g| (i, g)))
        .collect();
    let mut room = [ANNOTATIONS_PER_LEVEL; 3];
    for (room, gaps) in room.iter_mut().zip(gap_annotations_shown(reports)) {
        *room -= gaps;
    }
    let mut per_level = [0usize; 3];
    for (_, g) in &groups {
        per_level[level_index(g.severity)] += 1;
    }
    // A level with more groups than room: one notice says what was folded.
    if per_level.iter().zip(room).any(|(&n, r)| n > r) {
        room[2] = room[2].saturating_sub(1);
    }
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&i| {
        let g = &groups[i].1;
        (level_index(g.severity), std::cmp::Reverse(g.total()), i)
    });
    let mut keep = vec![false; groups.len()];
    let mut used = [0usize; 3];
    for i in order {
        let level = level_index(groups[i].1.severity);
        if used[level] < room[level] {
            used[level] += 1;
            keep[i] = true;
        }
    }
    let mut shown: Vec<Vec<CauseGroup<'_>>> = reports.iter().map(|_| Vec::new()).collect();
    let mut folded = Vec::new();
    for ((report, g), keep) in groups.into_iter().zip(keep) {
        if keep {
            shown[report].push(g);
        } else {
            folded.push(FoldedAnnotation {
                report,
                severity: g.severity,
                rule: g.rule,
                cause: g.cause,
                count: g.total(),
            });
        }
    }
    Annotations { shown, folded }
}

/// How many annotations of each level (error, warning, notice) report what the run
/// could not see: `--user`/`--device` not found, checks skipped for lack of input,
/// files not recognised (warnings), checks turned off (a notice).
pub fn gap_annotations(r: &Report) -> [usize; 3] {
    let warnings = [
        r.focus_not_found().next().is_some(),
        r.skipped_for_lack_of_input().next().is_some(),
        r.unread_files().next().is_some(),
    ];
    let notice = r.skipped.iter().any(|s| !s.for_lack_of_input());
    [
        0,
        warnings.iter().filter(|&&w| w).count(),
        usize::from(notice),
    ]
}

/// How many gap annotations of each level the reports of one step may write: many
/// tenants in one step can have more gaps than a level shows. The notice level keeps
/// one slot for the notice saying what was folded. The rest are plain log lines.
pub const GAP_ROOM: [usize; 3] = [
    ANNOTATIONS_PER_LEVEL,
    ANNOTATIONS_PER_LEVEL,
    ANNOTATIONS_PER_LEVEL - 1,
];

/// The gap annotations of each level the reports of one step write, within
/// [`GAP_ROOM`].
pub fn gap_annotations_shown(reports: &[Report]) -> [usize; 3] {
    let mut total = [0usize; 3];
    for r in reports {
        for (t, gaps) in total.iter_mut().zip(gap_annotations(r)) {
            *t += gaps;
        }
    }
    [0, 1, 2].map(|level| total[level].min(GAP_ROOM[level]))
}

fn level_index(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

impl Report {
    /// The findings a SARIF run lists: all of them, or, past
    /// [`SARIF_RESULTS_PER_RUN`], open ones before suppressed ones, worst severity
    /// first, then in report order; written in report order.
    pub fn sarif_results(&self) -> SarifResults<'_> {
        let total = self.findings.len();
        if total <= SARIF_RESULTS_PER_RUN {
            return SarifResults {
                kept: self.findings.iter().collect(),
                folded: Vec::new(),
            };
        }
        let mut order: Vec<usize> = (0..total).collect();
        order.sort_by_key(|&i| {
            let f = &self.findings[i];
            (f.is_suppressed(), f.severity, i)
        });
        let mut keep = vec![false; total];
        for &i in &order[..SARIF_RESULTS_PER_RUN] {
            keep[i] = true;
        }
        let mut kept = Vec::with_capacity(SARIF_RESULTS_PER_RUN);
        let mut folded: Vec<FoldedResults> = Vec::new();
        for (f, keep) in self.findings.iter().zip(keep) {
            if keep {
                kept.push(f);
                continue;
            }
            let suppressed = f.is_suppressed();
            match folded.iter_mut().find(|c| {
                c.rule == f.rule && c.severity == f.severity && c.suppressed == suppressed
            }) {
                Some(c) => c.count += 1,
                None => folded.push(FoldedResults {
                    severity: f.severity,
                    rule: f.rule,
                    suppressed,
                    count: 1,
                }),
            }
        }
        SarifResults { kept, folded }
    }
}

/// The results of a SARIF run and what was left out.
#[derive(Debug)]
pub struct SarifResults<'r> {
    /// In report order.
    pub kept: Vec<&'r ReportFinding>,
    /// The findings left out, counted by severity, rule and whether suppressed, in
    /// report order.
    pub folded: Vec<FoldedResults>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldedResults {
    pub severity: Severity,
    pub rule: RuleId,
    pub suppressed: bool,
    pub count: usize,
}

impl SarifResults<'_> {
    pub fn folded_count(&self) -> usize {
        self.folded.iter().map(|f| f.count).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Evidence, Finding, Subject, SubjectKind};
    use crate::report::{printer, Format, SkipCause, Style};
    use std::collections::BTreeMap;

    /// A report of `count` findings of `rule`, spread over `causes` causes (none when
    /// 0) and the given severities in turn, every `suppress`th one suppressed.
    fn fleet(specs: &[(RuleId, Severity, usize, usize)], suppress: usize) -> Report {
        let mut findings = Vec::new();
        let mut n = 0;
        for &(rule, severity, causes, count) in specs {
            for i in 0..count {
                n += 1;
                let id = format!("{n:08}-6d1f-4c53-9a77-{i:012}");
                let mut subject = Subject::new(SubjectKind::Device, id);
                // Long names and users, as real fleets have, and one hostile.
                subject.name = Some(format!("Device of a very long display name {i} <b>|*_"));
                subject.user = Some(format!(
                    "someone.with.a.long.name{i}@contoso-pharma.onmicrosoft.com"
                ));
                let mut f = Finding::new(rule, severity, subject);
                f.evidence = Evidence::new()
                    .with("os_version", format!("17.{}", i % 7))
                    .with(
                        "last_check_in",
                        format!("2026-09-{:02}T06:00:00Z", 1 + i % 28),
                    );
                if causes > 0 {
                    f.cause = Some(
                        [
                            "c-alpha",
                            "c-beta",
                            "c-gamma",
                            "c-delta",
                            "c-epsilon",
                            "c-zeta",
                            "c-eta",
                            "c-theta",
                            "c-iota",
                            "c-kappa",
                            "c-lambda",
                            "c-mu",
                        ][i % causes],
                    );
                }
                if suppress > 0 && n % suppress == 0 {
                    f.suppressed = Some("known".into());
                }
                findings.push(f);
            }
        }
        crate::report::report_of(findings)
    }

    fn print(r: &Report, format: Format) -> String {
        let mut out = Vec::new();
        printer(format, Style::plain()).print(r, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Open findings per (rule, cause), as the JSON report counts them.
    fn open_counts(r: &Report) -> BTreeMap<(String, String), usize> {
        let mut counts = BTreeMap::new();
        for f in r.open() {
            *counts
                .entry((f.rule.to_string(), f.cause.unwrap_or("").to_string()))
                .or_default() += 1;
        }
        counts
    }

    #[test]
    fn a_fleet_s_markdown_is_folded_under_the_step_summary_limit_and_says_what_it_left_out() {
        let r = fleet(
            &[
                (RuleId::DeviceMissing, Severity::Error, 3, 12_000),
                (RuleId::DevicePending, Severity::Warning, 0, 9_000),
                (RuleId::DeviceDisconnected, Severity::Error, 2, 3),
            ],
            0,
        );
        let md = print(&r, Format::Markdown);
        assert!(md.len() <= MARKDOWN_BUDGET, "{} bytes", md.len());
        assert!(
            md.contains("to stay under GitHub's 1 MiB limit"),
            "the notice"
        );
        assert!(
            md.trim_end().ends_with("`--format csv` lists them all._"),
            "the closing line"
        );
        // Rows listed plus the counts said folded are every open finding, per rule and cause.
        let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut section = (String::new(), String::new());
        // A finding alone is a block: counted once its cause line has been read.
        let mut alone = false;
        let count_alone =
            |seen: &mut BTreeMap<_, usize>, section: &(String, String), alone: &mut bool| {
                if std::mem::take(alone) {
                    *seen.entry(section.clone()).or_default() += 1;
                }
            };
        for line in md.lines() {
            if let Some(rest) = line.strip_prefix("### ") {
                count_alone(&mut seen, &section, &mut alone);
                let ticks: Vec<&str> = rest.split('`').collect();
                let cause = if rest.contains(" · `c-") {
                    ticks[3]
                } else {
                    ""
                };
                section = (ticks[1].to_string(), cause.to_string());
                alone = rest.contains(" · device ");
            } else if let Some(cause) = line.strip_prefix("Cause: `").filter(|_| alone) {
                section.1 = cause.trim_end_matches('`').to_string();
            } else if line.starts_with("| device ") {
                *seen.entry(section.clone()).or_default() += 1;
            } else if let Some(rest) = line.strip_prefix('_') {
                if let Some((count, what)) = rest.split_once(" more finding(s) of ") {
                    let ticks: Vec<&str> = what.split('`').collect();
                    let cause = if ticks[2] == " (" { ticks[3] } else { "" };
                    *seen
                        .entry((ticks[1].to_string(), cause.to_string()))
                        .or_default() += count.parse::<usize>().unwrap();
                }
            }
        }
        count_alone(&mut seen, &section, &mut alone);
        assert_eq!(seen, open_counts(&r));
        // The small group is listed whole, and every group got rows.
        assert!(
            md.contains("### ERROR `device-disconnected` · `c-alpha`")
                || md.contains("### ERROR `device-disconnected` · device")
        );
        assert!(!md.contains("of `device-disconnected`"), "not folded");
        // Tenant strings stay text in the folded rows too.
        assert!(!md.contains("<b>"));
        assert!(md.contains("&lt;b>\\|\\*\\_"));
    }

    #[test]
    fn a_small_report_s_markdown_is_not_folded() {
        let r = fleet(&[(RuleId::DeviceMissing, Severity::Error, 2, 40)], 0);
        let md = print(&r, Format::Markdown);
        assert!(!md.contains("not listed"));
        assert!(!md.contains("1 MiB"));
        assert_eq!(md.matches("| device ").count(), 40);
    }

    #[test]
    fn github_annotates_at_most_ten_per_level_one_per_rule_and_cause_and_says_what_it_folded() {
        let r = fleet(
            &[
                (RuleId::DeviceMissing, Severity::Error, 12, 1_200),
                (RuleId::DevicePending, Severity::Warning, 0, 30),
                (RuleId::DeviceDisconnected, Severity::Info, 12, 24),
                (RuleId::DeviceNewOwner, Severity::Info, 0, 1),
            ],
            0,
        );
        let out = print(&r, Format::Github);
        let level = |l: &str| {
            out.lines()
                .filter(|line| line.starts_with(&format!("::{l} ")))
                .count()
        };
        assert_eq!(
            (level("error"), level("warning"), level("notice")),
            (10, 1, 10)
        );
        // Shown counts plus the folded ones are every open finding.
        let mut shown = 0;
        for line in out
            .lines()
            .filter(|l| l.starts_with("::") && l.contains("device(s)::"))
        {
            let title = line.split(",title=").nth(1).unwrap();
            let count = title
                .split("%3A ")
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap();
            shown += count.parse::<usize>().unwrap();
        }
        shown += out
            .lines()
            .filter(|l| l.contains("title=device-new-owner · device"))
            .count();
        let notice = out
            .lines()
            .find(|l| l.contains("more annotation(s) not shown"))
            .unwrap();
        let folded: usize = notice
            .split("so ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            shown + folded,
            r.open().count(),
            "{shown} + {folded}\n{out}"
        );
        assert!(notice.contains("`--format csv` lists them all"));
        // The groups with the most findings are kept: each error group has 100, so
        // the last two causes by slug are folded; the info group of one finding too.
        assert!(
            notice.contains("error device-missing (c-zeta): 100"),
            "{notice}"
        );
        assert!(notice.contains("notice device-new-owner: 1"), "{notice}");
    }

    #[test]
    fn markdown_stays_within_its_budget_in_every_language_with_many_causes() {
        for lang in ["en", "ja", "ko", "pt-BR", "zh-TW"] {
            let mut r = fleet(
                &[
                    (RuleId::DeviceMissing, Severity::Error, 12, 9_000),
                    (RuleId::DevicePending, Severity::Warning, 12, 3_007),
                    (RuleId::DeviceDisconnected, Severity::Info, 12, 1_803),
                ],
                0,
            );
            r.lang = lang.to_string();
            let md = print(&r, Format::Markdown);
            assert!(md.len() <= MARKDOWN_BUDGET, "{lang}: {} bytes", md.len());
        }
    }

    #[test]
    fn hundreds_of_tenants_in_one_summary_stay_under_the_limit_and_say_how_many_were_left_out() {
        let reports: Vec<Report> = (0..1_000)
            .map(|_| fleet(&[(RuleId::DeviceMissing, Severity::Error, 3, 30)], 0))
            .collect();
        let mut out = Vec::new();
        printer(Format::Markdown, Style::plain())
            .print_many(&reports, &mut out)
            .unwrap();
        let md = String::from_utf8(out).unwrap();
        assert!(md.len() <= MARKDOWN_BUDGET, "{} bytes", md.len());
        // Each tenant's report opens with the report's title, a level-one heading.
        let shown = md.matches("\n---\n\n# ").count();
        assert!(shown > 0 && shown < 1_000, "{shown} reports");
        let tail = md.lines().last().unwrap();
        assert!(
            tail.contains(&format!(
                "{} more tenant report(s) not listed",
                1_000 - shown
            )),
            "{tail}"
        );
    }

    #[test]
    fn the_gaps_of_many_tenants_keep_to_ten_annotations_per_level() {
        let reports: Vec<Report> = (0..12)
            .map(|_| {
                let mut r = fleet(&[(RuleId::DeviceMissing, Severity::Error, 3, 30)], 0);
                for (rule, cause) in [
                    (RuleId::DevicePending, SkipCause::MissingInput),
                    (RuleId::DeviceDuplicate, SkipCause::TurnedOff),
                ] {
                    r.skipped.push(crate::report::SkippedRule {
                        rule,
                        cause,
                        input: None,
                        reason: "not in this snapshot".into(),
                        title: "",
                    });
                }
                r
            })
            .collect();
        let mut out = Vec::new();
        printer(Format::Github, Style::plain())
            .print_many(&reports, &mut out)
            .unwrap();
        let out = String::from_utf8(out).unwrap();
        for level in ["error", "warning", "notice"] {
            let n = out
                .lines()
                .filter(|l| l.starts_with(&format!("::{level} ")))
                .count();
            assert!(n <= ANNOTATIONS_PER_LEVEL, "{n} {level}s\n{out}");
        }
        // The gaps past the room are still in the log, as plain lines.
        assert_eq!(out.matches("not in this snapshot").count(), 24, "{out}");
        assert!(out
            .lines()
            .all(|l| !l.starts_with("warning:") || !l.contains("::")));
    }

    #[test]
    fn tenants_in_one_step_share_its_ten_annotations_per_level() {
        let tenant = || fleet(&[(RuleId::DeviceMissing, Severity::Error, 8, 80)], 0);
        let reports = [tenant(), tenant()];
        let mut out = Vec::new();
        printer(Format::Github, Style::plain())
            .print_many(&reports, &mut out)
            .unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out.lines().filter(|l| l.starts_with("::error ")).count(),
            10
        );
        let notices: Vec<&str> = out.lines().filter(|l| l.starts_with("::notice ")).collect();
        assert_eq!(notices.len(), 1, "{out}");
        assert!(
            notices[0].contains("so 60 finding(s) in 6 group(s)"),
            "{out}"
        );
        assert!(
            notices[0].contains("snap error device-missing (c-"),
            "{out}"
        );
        // Each tenant still ends with its own counts.
        assert_eq!(out.matches("lookout-doctor: 80 error(s)").count(), 2);
    }

    #[test]
    fn github_folds_nothing_and_adds_no_notice_when_a_level_has_room() {
        let r = fleet(&[(RuleId::DeviceMissing, Severity::Error, 10, 100)], 0);
        let out = print(&r, Format::Github);
        assert_eq!(
            out.lines().filter(|l| l.starts_with("::error ")).count(),
            10
        );
        assert!(!out.contains("::notice"));
    }

    #[test]
    fn sarif_keeps_the_worst_25000_results_and_says_what_it_left_out() {
        let r = fleet(
            &[
                (RuleId::DeviceMissing, Severity::Info, 0, 6_000),
                (RuleId::DevicePending, Severity::Warning, 0, 10_000),
                (RuleId::DeviceDisconnected, Severity::Error, 0, 10_000),
            ],
            5,
        );
        let sarif: serde_json::Value = serde_json::from_str(&print(&r, Format::Sarif)).unwrap();
        let run = &sarif["runs"][0];
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), SARIF_RESULTS_PER_RUN);
        let count = |level: &str, suppressed: bool| {
            results
                .iter()
                .filter(|x| x["level"] == level && x.get("suppressions").is_some() == suppressed)
                .count()
        };
        // Every open finding is kept, then the worst of the suppressed ones: 1,000
        // suppressed notes are left out.
        assert_eq!(
            (count("error", false), count("warning", false)),
            (8_000, 8_000)
        );
        assert_eq!(count("note", false), 4_800);
        let suppressed = (
            count("error", true),
            count("warning", true),
            count("note", true),
        );
        assert_eq!(suppressed, (2_000, 2_000, 200));
        let folded = &run["properties"]["lookoutDoctorFolded"];
        assert_eq!(folded["findings"], 26_000);
        let left_out: u64 = folded["folded"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["count"].as_u64().unwrap())
            .sum();
        assert_eq!(left_out as usize + results.len(), r.findings.len());
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        let note = notes
            .iter()
            .find(|n| n["descriptor"]["id"] == "results-folded")
            .unwrap();
        assert!(note["message"]["text"]
            .as_str()
            .unwrap()
            .contains("25000 of 26000"));
        assert_eq!(
            run["tool"]["driver"]["notifications"][3]["id"],
            "results-folded"
        );
        // Still valid SARIF: checked against the official schema, results cut short
        // to keep the debug run quick.
        let mut few = sarif.clone();
        few["runs"][0]["results"]
            .as_array_mut()
            .unwrap()
            .truncate(20);
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/schemas/sarif-2.1.0.json"
        );
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(&few).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn sarif_of_a_report_within_the_limit_keeps_every_result_and_says_nothing() {
        let r = fleet(&[(RuleId::DevicePending, Severity::Warning, 0, 300)], 7);
        let sarif: serde_json::Value = serde_json::from_str(&print(&r, Format::Sarif)).unwrap();
        let run = &sarif["runs"][0];
        assert_eq!(run["results"].as_array().unwrap().len(), 300);
        assert!(run.get("properties").is_none());
        assert!(run["invocations"][0]
            .get("toolExecutionNotifications")
            .is_none());
    }

    fn section(head: usize, rows: &[usize]) -> Section {
        Section {
            head,
            rows: rows.to_vec(),
            fold_line: 10,
        }
    }

    fn rows(kept: &[Kept]) -> Vec<usize> {
        kept.iter().map(|k| k.rows).collect()
    }

    #[test]
    fn everything_is_kept_when_it_fits_without_setting_fold_lines_aside() {
        let s = [section(10, &[5, 5]), section(10, &[5])];
        // 40 bytes fit exactly, though the fold lines would not fit beside them.
        let kept = fit(40, 0, &s);
        assert!(kept.iter().all(|k| k.head));
        assert_eq!(rows(&kept), [2, 1]);
    }

    #[test]
    fn rows_are_shared_evenly_so_a_large_group_leaves_room_for_the_next() {
        let big = section(10, &[5; 100]);
        let small = section(10, &[5, 5, 5]);
        // Fixed 20, fold lines 20, heads 20: 40 bytes for rows.
        let kept = fit(100, 20, &[big.clone(), small.clone()]);
        assert_eq!(rows(&kept), [5, 3]);
        // One row more than an even share goes to the first in order.
        let kept = fit(65, 0, &[big.clone(), big]);
        assert_eq!(rows(&kept), [3, 2]);
    }

    #[test]
    fn a_head_that_does_not_fit_drops_its_section_but_not_its_fold_line() {
        let kept = fit(50, 0, &[section(100, &[1]), section(10, &[1, 1])]);
        assert_eq!(
            kept,
            [
                Kept {
                    head: false,
                    rows: 0
                },
                Kept {
                    head: true,
                    rows: 2
                }
            ]
        );
    }

    #[test]
    fn what_is_kept_never_exceeds_the_budget() {
        let sections: Vec<Section> = (1..20)
            .map(|i| section(i * 7, &vec![i * 3 + 1; i * 13]))
            .collect();
        for budget in [0, 50, 333, 1000, 2500, 10_000] {
            let kept = fit(budget, 17, &sections);
            let used: usize = 17
                + sections
                    .iter()
                    .zip(&kept)
                    .map(|(s, k)| {
                        s.fold_line
                            + if k.head {
                                s.head + s.rows[..k.rows].iter().sum::<usize>()
                            } else {
                                0
                            }
                    })
                    .sum::<usize>();
            assert!(used <= budget.max(17 + 19 * 10), "{budget}: {used}");
        }
    }
}
