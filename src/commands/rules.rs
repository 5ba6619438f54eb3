//! `lookout-doctor rules`: the catalogue.

use crate::cli::{CatalogueFormat, RulesArgs};
use crate::knowledge;
use crate::messages;
use crate::rules::RuleId;
use anyhow::Result;
use std::io::Write;

pub fn run(args: &RulesArgs, out: &mut dyn Write) -> Result<u8> {
    let msg = messages::current();
    match args.format {
        CatalogueFormat::Json => {
            let list: Vec<serde_json::Value> = RuleId::ALL
                .iter()
                .map(|&id| {
                    let (r, k) = (id.rule(), knowledge::of(id));
                    serde_json::json!({
                        "rule": id,
                        "default_severity": r.default_severity(),
                        "subject_kind": r.subject_kind(),
                        "causes": r.causes(),
                        "title": k.text(messages::language()).title,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &list)?;
            writeln!(out)?;
        }
        CatalogueFormat::Human => {
            let mut table = comfy_table::Table::new();
            table
                .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
                .set_header(vec![
                    msg.t("rules.col_slug"),
                    msg.t("rules.col_severity"),
                    msg.t("rules.col_subject"),
                    msg.t("rules.col_title"),
                ]);
            for &id in RuleId::ALL {
                let r = id.rule();
                table.add_row(vec![
                    id.slug().to_string(),
                    r.default_severity().to_string(),
                    r.subject_kind().as_str().to_string(),
                    knowledge::of(id).text(messages::language()).title.clone(),
                ]);
            }
            writeln!(out, "{table}")?;
            writeln!(
                out,
                "{}",
                msg.f("rules.footer", &[("count", &RuleId::ALL.len())])
            )?;
        }
    }
    Ok(0)
}
