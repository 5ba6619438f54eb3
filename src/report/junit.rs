//! `--format junit`: JUnit XML for CI test dashboards. One suite per rule; one test
//! case per rule and subject. A finding that fails the run (at or above --fail-on, not
//! suppressed) is a failure carrying the diagnosis and the fix; a suppressed one is
//! skipped with its reason; a rule that found nothing is one passing case.

use super::layout::numbered;
use super::{Printer, Report, ReportFinding};
use crate::rules::RuleId;
use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};
use std::io::{self, Write};

pub struct JunitPrinter;

fn details(f: &ReportFinding) -> String {
    format!(
        "{}\n\n{}\n\nFix:\n{}",
        f.diagnosis,
        f.impact,
        numbered(f.remediation).join("\n")
    )
}

impl Printer for JunitPrinter {
    fn print(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut report = JunitReport::new("lookout-doctor");
        add_suites(r, None, &mut report);
        report.serialize(&mut *out).map_err(io::Error::other)?;
        out.write_all(b"\n")
    }

    /// One document; each tenant's suites are named "<snapshot>: <rule>".
    fn print_many(&self, reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
        let mut report = JunitReport::new("lookout-doctor");
        for r in reports {
            add_suites(r, Some(&r.snapshot.path), &mut report);
        }
        report.serialize(&mut *out).map_err(io::Error::other)?;
        out.write_all(b"\n")
    }
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
            let mut status = TestCaseStatus::skipped();
            status.set_message(skip.reason.clone());
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
                s.set_message(format!("suppressed: {reason}"));
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
            let mut case = TestCase::new(f.subject_label(), status);
            case.set_classname(f.rule.slug());
            // Reported but below the threshold: keep the details as output.
            if !fails && !f.is_suppressed() {
                case.set_system_out(details(f));
            }
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
}
