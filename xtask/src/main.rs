//! Repository chores for lookout-doctor, run as `cargo xtask <task>`.

mod new_rule;

use new_rule::{Section, Spec, BLANK, SEVERITIES, SUBJECT_KINDS};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask new-rule SLUG [--section scenario|config] [--severity error|warning|info]
                                [--subject tenant|connector|group|user|device]

Scaffolds a rule: its module, its knowledge in every language, a fixture with its
expected findings, its line in the registry and its row in the README.
  --section   where it goes in the catalogue (default: scenario)
  --severity  its default severity (default: warning)
  --subject   what its findings are about (default: device for a scenario,
              connector for a configuration rule)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("new-rule") => new_rule(&args[1..]),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown task \"{other}\"\n\n{USAGE}")),
        None => Err(format!("no task given\n\n{USAGE}")),
    }
}

/// A flag's value if it is one of `allowed`.
fn one_of(flag: &str, value: Option<&String>, allowed: &[&str]) -> Result<String, String> {
    match value {
        Some(v) if allowed.contains(&v.as_str()) => Ok(v.clone()),
        Some(v) => Err(format!(
            "{flag} \"{v}\" is not one of {}",
            allowed.join(", ")
        )),
        None => Err(format!("{flag} needs a value: {}", allowed.join(", "))),
    }
}

fn new_rule(args: &[String]) -> Result<(), String> {
    let mut slug = None;
    let mut section = Section::Scenario;
    let mut severity = "warning".to_string();
    let mut subject = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            "--section" => {
                let value = one_of("--section", rest.next(), &["scenario", "config"])?;
                section = Section::parse(&value).expect("checked by one_of");
            }
            "--severity" => severity = one_of("--severity", rest.next(), &SEVERITIES)?,
            "--subject" => subject = Some(one_of("--subject", rest.next(), &SUBJECT_KINDS)?),
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option {flag}\n\n{USAGE}"))
            }
            _ if slug.is_some() => return Err(format!("one slug at a time\n\n{USAGE}")),
            value => slug = Some(value.to_string()),
        }
    }
    let slug = slug.ok_or_else(|| format!("new-rule needs the rule's slug\n\n{USAGE}"))?;
    let spec = Spec {
        slug,
        section,
        severity,
        subject: subject.unwrap_or_else(|| section.default_subject().to_string()),
    };
    let written = new_rule::create(&new_rule::repository(), &spec)?;
    println!(
        "new rule {} ({}, {}, about a {}):",
        spec.slug,
        spec.section.describe(),
        spec.severity,
        spec.subject
    );
    for w in written {
        println!("  {w}");
    }
    println!(
        "\nNext: write check() and its test in src/rules/{}.rs, bend the fixture so the \
         rule fires, and fill every blank marked \"{BLANK}\". `cargo test` fails, listing \
         the blanks left, until they are all filled.",
        spec.module()
    );
    Ok(())
}
