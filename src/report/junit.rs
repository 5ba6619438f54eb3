//! `--format junit`: JUnit XML for CI test dashboards. One suite per rule; one test
//! case per rule and subject. A finding that fails the run (at or above --fail-on, not
//! suppressed) is a failure carrying the diagnosis and the fix; a suppressed one is
//! skipped with its reason; a rule that found nothing is one passing case; a rule that
//! could not run is a skipped case (a failure when `--fail-on-skipped` fails the run on
//! it). Files not recognised and the `--user`/`--device` asked about have a suite each.
//!
//! Dashboards show these texts to people, some of them with terminal colours: tenant
//! values are escaped as for a terminal. quick-junit escapes markup but not the
//! characters XML 1.0 forbids, so the document is checked for those last.

use super::layout::numbered;
use super::{Printer, Report, ReportFinding};
use crate::escape::{self, terminal};
use crate::rules::RuleId;
use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};
use std::io::{self, Write};

pub struct JunitPrinter;

fn details(f: &ReportFinding) -> String {
    format!(
        "{}\n\n{}\n\nFix:\n{}",
        f.diagnosis_with(terminal),
        f.impact,
        numbered(f.remediation).join("\n")
    )
}

impl Printer for JunitPrinter {
    fn print(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut report = JunitReport::new("lookout-doctor");
        add_suites(r, None, &mut report);
        write_xml(&report, out)
    }

    /// One document; each tenant's suites are named "<snapshot>: <rule>".
    fn print_many(&self, reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
        let mut report = JunitReport::new("lookout-doctor");
        for r in reports {
            add_suites(r, Some(&terminal(&r.snapshot.path)), &mut report);
        }
        write_xml(&report, out)
    }
}

/// The document, with any character XML 1.0 forbids shown as an escape: such a
/// character can only be in text or in an attribute value, so this never changes
/// the markup.
fn write_xml(report: &JunitReport, out: &mut dyn Write) -> io::Result<()> {
    let xml = report.to_string().map_err(io::Error::other)?;
    out.write_all(escape::xml(&xml).as_bytes())?;
    out.write_all(b"\n")
}

/// One suite per rule of the catalogue, with one case per finding of that rule.
fn add_suites(r: &Report, prefix: Option<&str>, report: &mut JunitReport) {
    for &rule in RuleId::ALL {
        let name = match prefix {
            Some(p) => format!("{p}: {rule}"),
            None => rule.slug().to_string(),
        };
        let mut suite = TestSuite::new(name);
        let findings: Vec<&ReportFinding> = r.findings.iter().filter(|f| f.rule == rule).collect();
        if let Some(skip) = r.skipped.iter().find(|s| s.rule == rule) {
            let status = not_run(
                terminal(&skip.reason).into_owned(),
                r.fail.skipped && skip.for_lack_of_input(),
            );
            suite.add_test_case(TestCase::new(rule.slug(), status));
        } else if findings.is_empty() {
            let mut case = TestCase::new(rule.slug(), TestCaseStatus::success());
            case.set_classname(rule.slug());
            suite.add_test_case(case);
        }
        for f in findings {
            let fails = r.fails(f);
            let status = if let Some(reason) = &f.suppressed {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!("suppressed: {}", terminal(reason)));
                s
            } else if fails {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(f.title)
                    .set_type(f.severity.as_str())
                    .set_description(details(f));
                s
            } else {
                TestCaseStatus::success()
            };
            let mut case = TestCase::new(f.subject_label_with(terminal), status);
            case.set_classname(f.rule.slug());
            // Reported but below the threshold: keep the details as output.
            if !fails && !f.is_suppressed() {
                case.set_system_out(details(f));
            }
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    let suite_name = |name: &str| match prefix {
        Some(p) => format!("{p}: {name}"),
        None => name.to_string(),
    };
    // Files of the snapshot not recognised: nothing in them was checked.
    let unread: Vec<_> = r.unread_files().collect();
    if !unread.is_empty() {
        let mut suite = TestSuite::new(suite_name("unread-files"));
        for n in unread {
            let status = not_run(terminal(&n.message).into_owned(), r.fail.skipped);
            let mut case = TestCase::new(terminal(&n.file).into_owned(), status);
            case.set_classname("unread-files");
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    // Each --user and --device: found (with its facts) or not in any export.
    if !r.focus.is_empty() {
        let mut suite = TestSuite::new(suite_name("focus"));
        for e in &r.focus {
            let name = format!("{} {}", e.kind.as_str(), terminal(&e.query));
            let mut case = if e.found {
                let mut case = TestCase::new(name, TestCaseStatus::success());
                case.set_system_out(e.describe_with(r, terminal));
                case
            } else {
                let mut status = TestCaseStatus::skipped();
                status.set_message(e.describe_with(r, terminal));
                TestCase::new(name, status)
            };
            case.set_classname("focus");
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
}

/// A check or file the run could not look at: skipped, or a failure when
/// `--fail-on-skipped` makes it fail the run.
fn not_run(message: String, fails: bool) -> TestCaseStatus {
    if fails {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(message).set_type("not-run");
        s
    } else {
        let mut s = TestCaseStatus::skipped();
        s.set_message(message);
        s
    }
}
