//! `lookout-doctor explain RULE`: one rule in full.

use crate::cli::{ExplainArgs, PIPE_WIDTH};
use crate::knowledge;
use crate::messages;
use crate::report::layout::wrap_hanging;
use crate::rules::RuleId;
use anyhow::{bail, Result};
use std::io::Write;

pub fn run(args: &ExplainArgs, out: &mut dyn Write) -> Result<u8> {
    let slug = args.rule.trim().to_lowercase();
    let Some(id) = RuleId::from_slug(&slug) else {
        let best = RuleId::ALL
            .iter()
            .map(|r| (strsim::jaro_winkler(&slug, r.slug()), r.slug()))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        match best {
            Some((score, s)) if score > 0.8 => bail!("unknown rule \"{}\"; did you mean \"{s}\"? (`lookout-doctor rules` lists them all)", args.rule),
            _ => bail!("unknown rule \"{}\" (`lookout-doctor rules` lists them all)", args.rule),
        }
    };
    let msg = messages::current();
    let rule = id.rule();
    let k = knowledge::of(id);
    let text = k.text(messages::language());
    let wrap = |s: &str| wrap_hanging(PIPE_WIDTH, "  ", "  ", s);
    writeln!(out, "{id} — {}", text.title)?;
    writeln!(
        out,
        "{}",
        msg.f(
            "explain.default_severity",
            &[
                ("severity", &rule.default_severity()),
                ("subject", &rule.subject_kind().as_str())
            ]
        )
    )?;
    let files: Vec<String> = rule.needs().iter().map(|i| i.file_name()).collect();
    writeln!(
        out,
        "{}",
        msg.f("explain.needs", &[("files", &files.join(", "))])
    )?;
    for (heading, body) in [
        ("explain.what", &text.what),
        ("explain.why", &text.why),
        ("explain.example", &text.example),
    ] {
        writeln!(out, "\n{}:\n{}", msg.t(heading), wrap(body))?;
    }
    if !rule.causes().is_empty() {
        writeln!(out, "\n{}:", msg.t("explain.causes"))?;
        for c in rule.causes() {
            let meaning = text.causes.get(*c).map(String::as_str).unwrap_or("");
            writeln!(
                out,
                "{}",
                wrap_hanging(PIPE_WIDTH, "  - ", "    ", &format!("{c}: {meaning}"))
            )?;
        }
    }
    writeln!(
        out,
        "\n{}:\n{}",
        msg.t("explain.impact"),
        wrap(&text.impact)
    )?;
    let mut fixes: Vec<(Option<&str>, &Vec<String>)> = Vec::new();
    if let Some(d) = text.remediation.get("default") {
        fixes.push((None, d));
    }
    for c in rule.causes() {
        if let Some(steps) = text.remediation.get(*c) {
            fixes.push((Some(c), steps));
        }
    }
    writeln!(out, "\n{}:", msg.t("explain.fix"))?;
    for (cause, steps) in fixes {
        if let Some(c) = cause {
            writeln!(
                out,
                "  {}:",
                msg.f("explain.fix_for_cause", &[("cause", &c)])
            )?;
        }
        for (i, step) in steps.iter().enumerate() {
            let first = format!("    {}. ", i + 1);
            let rest = " ".repeat(first.len());
            writeln!(out, "{}", wrap_hanging(PIPE_WIDTH, &first, &rest, step))?;
        }
    }
    writeln!(out, "\n{}:", msg.t("explain.references"))?;
    for r in &k.references {
        writeln!(out, "  {r}")?;
    }
    Ok(0)
}
