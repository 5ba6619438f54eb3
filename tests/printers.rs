//! Every printer pinned: what the binary prints in each output format for a
//! representative set of runs, in English and Japanese (the sample's human report in
//! every language), and what `validate`, `rules` and `explain` print. Each case is one
//! insta snapshot, tests/snapshots/printers__<case>.<format>.<language>.snap, holding
//! the exit code, stdout and stderr; its header names the command that made it.
//!
//! A change in what any printer writes fails here with a diff. How to review and accept
//! one is in the README ("Run the test suite").

mod support;

use insta::assert_snapshot;
use std::process::Output;
use support::{bin, fixture, json_report, save_baseline};

/// The key of the redacted runs: fixed, so their pseudonyms are the same every time.
const REDACT_KEY: &str = "printers snapshot key";

/// A `diagnose` run pinned in every format.
struct Run {
    /// Fixture names; more than one is a multi-tenant run.
    fixtures: &'static [&'static str],
    /// Options added to the command line.
    options: &'static [&'static str],
    /// When set, the run is compared with a baseline: the JSON report of the same
    /// fixtures with these options, made in the same language just before.
    baseline: Option<&'static [&'static str]>,
    /// Pseudonymised with `--redact` and [`REDACT_KEY`].
    redact: bool,
}

const fn diagnose(fixtures: &'static [&'static str]) -> Run {
    Run {
        fixtures,
        options: &[],
        baseline: None,
        redact: false,
    }
}

impl Run {
    const fn with(self, options: &'static [&'static str]) -> Run {
        Run { options, ..self }
    }

    const fn with_baseline(self, options: &'static [&'static str]) -> Run {
        Run {
            baseline: Some(options),
            ..self
        }
    }

    const fn redacted(self) -> Run {
        Run {
            redact: true,
            ..self
        }
    }
}

const SAMPLE: Run = diagnose(&["sample"]);

/// One test per case, format and language, named `case::format::language`, so a
/// printer change lists every snapshot it touches and `cargo test --test printers
/// sample::` runs one case.
macro_rules! pin_every_format {
    ($($case:ident: $run:expr;)*) => {$(
        mod $case {
            pin_every_format!(@formats $case, $run; human json markdown sarif junit csv github);
        }
    )*};
    (@formats $case:ident, $run:expr; $($format:ident)*) => {$(
        mod $format {
            use crate::*;

            #[test]
            fn en() {
                pin_diagnose(stringify!($case), &$run, stringify!($format), "en");
            }

            #[test]
            fn ja() {
                pin_diagnose(stringify!($case), &$run, stringify!($format), "ja");
            }
        }
    )*};
}

pin_every_format! {
    sample: SAMPLE;
    healthy: diagnose(&["healthy"]);
    // A device finding listed under the configuration mistake that causes it.
    config_enrollment_group_case_mismatch: diagnose(&["config-enrollment-group-case-mismatch"]);
    scenario_device_missing: diagnose(&["scenario-device-missing"]);
    // Lookout device events alone, with no snapshot.json: data notes, skipped rules,
    // health that cannot be judged, and the time to judge at given by --as-of.
    export_lookout_events: diagnose(&["export-lookout-events"])
        .with(&["--as-of", "2026-11-20T12:00:00Z"]);
    multi_tenant: diagnose(&["scenario-consent-not-granted", "scenario-device-pending"]);
    // Against a baseline judged a day later and focused on Alex and Lynne: Alex's
    // finding unchanged, Diego's and Isaiah's new, Lynne's (not yet due) resolved.
    baseline: diagnose(&["scenario-device-disconnected"]).with_baseline(&[
        "--as-of",
        "2026-11-21T12:00:00Z",
        "--user",
        "alex.wilber@contoso.com",
        "--user",
        "lynne.robbins@contoso.com",
    ]);
    redact: diagnose(&["scenario-device-active-without-id"]).redacted();
    // The help desk asks about Frank, whose phone is not in Lookout: his device's
    // finding, and his console access (none) as a fact, not an error.
    focus_user: diagnose(&["scenario-device-missing"])
        .with(&["--user", "frank.oconnor@contoso.com"]);
    // A misspelt user and a device id no export knows: said plainly, exit 0.
    focus_not_found: diagnose(&["scenario-device-pending"]).with(&[
        "--user",
        "lidia.holoway@contoso.com",
        "--device",
        "00bc9c4d-2397-4a7b-85fe-99c334e06e0d",
    ]);
    // Checks skipped for lack of input fail the run: exit 2, the reason on stderr.
    fail_on_skipped: diagnose(&["export-lookout-events"])
        .with(&["--as-of", "2026-11-20T12:00:00Z", "--fail-on-skipped"]);
}

#[test]
fn sample_human_in_the_other_languages() {
    for lang in ["ko", "zh-TW", "pt-BR"] {
        pin_diagnose("sample", &SAMPLE, "human", lang);
    }
}

#[test]
fn validate() {
    for name in ["sample", "export-admin-center"] {
        for lang in ["en", "ja"] {
            let dir = fixture(name);
            let args = ["validate", dir.to_str().unwrap(), "--lang", lang];
            pin_command(&format!("validate.{name}.{lang}"), &args);
        }
    }
}

#[test]
fn rules() {
    for format in ["human", "json"] {
        for lang in ["en", "ja"] {
            let args = ["rules", "--format", format, "--lang", lang];
            pin_command(&format!("rules.{format}.{lang}"), &args);
        }
    }
}

#[test]
fn explain() {
    for lang in ["en", "ja"] {
        let args = ["explain", "device-missing", "--lang", lang];
        pin_command(&format!("explain.device-missing.{lang}"), &args);
    }
}

/// Without `--lang`, the language comes from the locale variables as POSIX orders them;
/// the machine fields of a report are the same in every language.
#[test]
fn language_comes_from_the_locale_environment() {
    let run = |vars: &[(&str, &str)]| {
        let mut cmd = bin();
        cmd.args(["diagnose", "fixtures/healthy"]);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    assert!(run(&[("LANG", "ko_KR.UTF-8")]).contains("통합 상태"));
    assert!(run(&[("LANG", "ko_KR.UTF-8"), ("LC_ALL", "ja_JP.UTF-8")]).contains("統合の正常性"));
    assert!(run(&[("LC_MESSAGES", "pt_BR.UTF-8")]).contains("Snapshot"));
    assert!(run(&[("LANG", "fr_FR.UTF-8")]).contains("Integration health"));
    let machine_fields = |lang: &str| {
        let (report, _) = json_report(&["diagnose", "fixtures/sample", "--lang", lang]);
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].clone(),
                    f["subject"].clone(),
                    f["cause"].clone(),
                    f["severity"].clone(),
                    f["evidence"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let en = machine_fields("en");
    for lang in ["ko", "ja", "zh-TW", "pt-BR"] {
        assert_eq!(machine_fields(lang), en, "{lang}");
    }
}

/// Pins one `diagnose` run as `<case>.<format>.<lang>`, the case named with dashes.
fn pin_diagnose(case: &str, run: &Run, format: &str, lang: &str) {
    let folders: Vec<String> = run
        .fixtures
        .iter()
        .map(|name| fixture(name).to_str().unwrap().to_owned())
        .collect();
    let mut args = vec!["diagnose"];
    args.extend(folders.iter().map(String::as_str));
    args.extend(run.options);
    args.extend(["--format", format, "--lang", lang, "--color", "never"]);
    let mut env = Vec::new();
    let mut baseline_origin = String::new();
    // Holds the baseline report of a run that has one.
    let tmp = tempfile::tempdir().unwrap();
    let baseline = tmp.path().join("BASELINE.json");
    if let Some(options) = run.baseline {
        let mut before = vec!["diagnose"];
        before.extend(folders.iter().map(String::as_str));
        before.extend(options);
        before.extend(["--lang", lang]);
        save_baseline(&before, &baseline);
        baseline_origin = format!(
            "\nBASELINE.json is the output of: {} --format json",
            command_line(&before, &[])
        );
        args.extend(["--baseline", baseline.to_str().unwrap()]);
    }
    if run.redact {
        args.push("--redact");
        env.push(("LOOKOUT_DOCTOR_REDACT_KEY", REDACT_KEY));
    }
    // The baseline's folder differs on every run: the header shows the file's name.
    let description = command_line(&args, &env)
        .replace(baseline.to_str().unwrap(), "BASELINE.json")
        + &baseline_origin;
    let name = format!("{}.{format}.{lang}", case.replace('_', "-"));
    pin(&name, &args, &env, description);
}

/// Pins a command that needs no setup.
fn pin_command(name: &str, args: &[&str]) {
    pin(name, args, &[], command_line(args, &[]));
}

/// Runs the binary and compares its exit code, stdout and stderr with the snapshot
/// `name`, whose header shows `description`: how to make the same run by hand.
fn pin(name: &str, args: &[&str], env: &[(&str, &str)], description: String) {
    let mut cmd = bin();
    cmd.args(args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    let out = cmd.output().unwrap();
    let text = transcript(&out);
    assert!(!text.contains('⟦'), "{name}: a message key has no text");
    assert!(!text.contains('\x1b'), "{name}: colour codes");
    // insta reads "\r\n" as "\n"; no output writes it today, so none may start to
    // unnoticed.
    assert!(!text.contains('\r'), "{name}: a carriage return");
    let mut settings = insta::Settings::clone_current();
    settings.set_description(description);
    settings.set_omit_expression(true);
    settings.bind(|| assert_snapshot!(name, text));
}

/// The transcript of a run, laid out like insta-cmd's: stdout's bytes stand between
/// the two markers exactly as printed, trailing blank lines included.
fn transcript(out: &Output) -> String {
    format!(
        "exit_code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        out.status.code().unwrap(),
        std::str::from_utf8(&out.stdout).unwrap(),
        std::str::from_utf8(&out.stderr).unwrap(),
    )
}

/// The command as a person would type it.
fn command_line(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut words: Vec<String> = env.iter().map(|(k, v)| format!("{k}='{v}'")).collect();
    words.push("lookout-doctor".into());
    words.extend(args.iter().map(|a| a.to_string()));
    words.join(" ")
}
