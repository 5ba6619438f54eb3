//! The sentences several formats say alike about a run, worded once here so the
//! human report and the HTML page (and markdown, where it says the same) cannot
//! drift apart. Each takes the report language's messages; one that quotes a value
//! of the configuration or tenant takes the escaper of the medium it is written in.

use super::{AsOfSource, Report, ReportFinding, SuppressionEntry};
use crate::engine::SuppressionState;
use crate::escape::Escape;
use crate::finding::Severity;
use crate::messages::Messages;

impl Severity {
    /// The severity in the report language, as every format but the machine ones
    /// labels it.
    pub fn label(self, msg: &Messages) -> String {
        msg.t(&format!("severity.{}", self.as_str()))
    }
}

impl SuppressionEntry {
    /// Matched nothing, or has expired: the configuration needs a look.
    pub fn is_stale(&self) -> bool {
        self.state != SuppressionState::Applied
    }

    /// Why a stale suppression needs a look, in one line, its subject written by
    /// `value`, the escaper of the medium the line is for.
    pub fn describe(&self, msg: &Messages, value: Escape) -> String {
        let key = match self.state {
            SuppressionState::Expired => "report.suppression_expired",
            _ => "report.suppression_unmatched",
        };
        msg.f(
            key,
            &[
                ("rule", &self.rule),
                ("subject", &value(&self.subject)),
                ("expires", &self.expires.clone().unwrap_or_default()),
            ],
        )
    }
}

/// The headings of the table of tenants a run of several opens with: snapshot, tenant,
/// the counts per severity and suppressed (numbers), and the result.
pub fn tenant_columns(msg: &Messages) -> [String; 7] {
    [
        msg.t("report.col_snapshot"),
        msg.t("report.col_tenant"),
        msg.t("severity.error"),
        msg.t("severity.warning"),
        msg.t("severity.info"),
        msg.t("report.suppressed"),
        msg.t("report.col_result"),
    ]
}

/// The columns of [`tenant_columns`] that hold numbers.
pub const TENANT_COUNT_COLUMNS: std::ops::Range<usize> = 2..6;

impl Report {
    /// When the findings were judged, and where that time came from.
    pub fn as_of_line(&self, msg: &Messages) -> String {
        let key = match self.as_of_source {
            AsOfSource::Option => "report.as_of_option",
            AsOfSource::Snapshot => "report.as_of_snapshot",
            AsOfSource::CurrentTime => "report.as_of_now",
        };
        msg.f(key, &[("as_of", &self.as_of)])
    }

    /// The run's exit, and what `--fail-on` made of the findings.
    pub fn exit_line(&self, msg: &Messages) -> String {
        match self.fail.threshold {
            _ if self.fails_incomplete() => msg.t("report.exit_incomplete"),
            None => msg.t("report.exit_never"),
            Some(threshold) => {
                let key = match (self.exit_code() == 1, self.fail.new_only) {
                    (true, false) => "report.exit_fail",
                    (true, true) => "report.exit_fail_new",
                    (false, false) => "report.exit_ok",
                    (false, true) => "report.exit_ok_new",
                };
                msg.f(key, &[("fail_on", &threshold.as_str())])
            }
        }
    }

    /// The run's result in the table of tenants: failed when its exit code is not 0.
    pub fn result(&self, msg: &Messages) -> String {
        msg.t(if self.exit_code() != 0 {
            "report.result_fail"
        } else {
            "report.result_pass"
        })
    }
}

impl ReportFinding {
    /// The finding's cause and what it means (`Cause: <cause>. <meaning>`), the cause
    /// written by `slug` (how the medium sets a slug apart); none without a cause.
    pub fn cause_line(&self, msg: &Messages, slug: fn(&str) -> String) -> Option<String> {
        let cause = slug(self.cause?);
        Some(match self.cause_meaning {
            None => format!("{}: {cause}", msg.t("report.cause")),
            Some(meaning) => format!("{}: {cause}. {meaning}", msg.t("report.cause")),
        })
    }
}
