//! Every rule has complete knowledge text, every diagnosis template only names
//! evidence the rule really provides, every rule has a fixture that triggers it, and
//! nothing `cargo xtask new-rule` left to fill in is still blank. (That ids, modules
//! and knowledge files correspond is a unit test of `rules::registry`.)

use lookout_doctor::knowledge;
use lookout_doctor::rules::RuleId;
use std::collections::BTreeSet;

#[test]
fn every_rule_has_complete_english_text() {
    for &id in RuleId::ALL {
        let r = id.rule();
        let k = knowledge::of(id);
        let t = k.texts.get("en").unwrap_or_else(|| panic!("{id}: no [en]"));
        for (field, value) in [
            ("title", &t.title),
            ("what", &t.what),
            ("why", &t.why),
            ("example", &t.example),
            ("impact", &t.impact),
        ] {
            assert!(value.trim().len() > 10, "{id}: {field} is empty");
            assert!(!value.contains('{'), "{id}: {field} has a placeholder");
        }
        assert!(
            !k.references.is_empty() && k.references.iter().all(|u| u.starts_with("https://")),
            "{id}: references"
        );
        for cause in r.causes() {
            assert!(
                t.causes.contains_key(*cause),
                "{id}: no meaning for cause {cause}"
            );
            assert!(
                t.diagnosis.contains_key(*cause),
                "{id}: no diagnosis for cause {cause}"
            );
        }
        if r.causes().is_empty() {
            assert!(
                t.diagnosis.contains_key("default"),
                "{id}: no default diagnosis"
            );
        }
        assert!(
            t.remediation.get("default").is_some_and(|s| !s.is_empty()),
            "{id}: no default remediation"
        );
        for key in t
            .diagnosis
            .keys()
            .chain(t.remediation.keys())
            .chain(t.causes.keys())
        {
            assert!(
                key == "default" || r.causes().contains(&key.as_str()),
                "{id}: text for unknown cause {key}"
            );
        }
    }
}

#[test]
fn every_rule_fires_on_some_fixture() {
    let mut fired = BTreeSet::new();
    for entry in std::fs::read_dir("tests/expected").unwrap().flatten() {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
        for run in v["runs"].as_array().unwrap() {
            for f in run["findings"].as_array().unwrap() {
                fired.insert((
                    f["rule"].as_str().unwrap().to_string(),
                    f["cause"].as_str().map(str::to_string),
                ));
            }
        }
    }
    for &id in RuleId::ALL {
        let r = id.rule();
        assert!(
            fired.iter().any(|(rule, _)| rule == id.slug()),
            "no fixture triggers {id}"
        );
        for cause in r.causes() {
            assert!(
                fired.contains(&(id.slug().to_string(), Some(cause.to_string()))),
                "no fixture triggers {id} with cause {cause}"
            );
        }
    }
}

/// Every rule speaks every language completely, with the same facts: same causes,
/// same number of remediation steps, and the same placeholders in each diagnosis.
#[test]
fn every_rule_is_translated_completely() {
    for &id in RuleId::ALL {
        let k = knowledge::of(id);
        let en = &k.texts["en"];
        for lang in lookout_doctor::messages::LANGUAGES {
            let t = k
                .texts
                .get(lang)
                .unwrap_or_else(|| panic!("{id}: no [{lang}]"));
            for (field, value) in [
                ("title", &t.title),
                ("what", &t.what),
                ("why", &t.why),
                ("example", &t.example),
                ("impact", &t.impact),
            ] {
                assert!(!value.trim().is_empty(), "{id} [{lang}] {field} is empty");
            }
            assert_eq!(
                t.causes.keys().collect::<Vec<_>>(),
                en.causes.keys().collect::<Vec<_>>(),
                "{id} [{lang}] causes"
            );
            assert_eq!(
                t.diagnosis.keys().collect::<Vec<_>>(),
                en.diagnosis.keys().collect::<Vec<_>>(),
                "{id} [{lang}] diagnosis"
            );
            for (cause, template) in &en.diagnosis {
                let mut want = knowledge::placeholders(template);
                let mut got = knowledge::placeholders(&t.diagnosis[cause]);
                want.sort_unstable();
                got.sort_unstable();
                want.dedup();
                got.dedup();
                assert_eq!(got, want, "{id} [{lang}] diagnosis.{cause} placeholders");
                assert_eq!(
                    t.diagnosis[cause].matches("[[").count(),
                    template.matches("[[").count(),
                    "{id} [{lang}] diagnosis.{cause} segments"
                );
            }
            for (cause, steps) in &en.remediation {
                let theirs = t
                    .remediation
                    .get(cause)
                    .unwrap_or_else(|| panic!("{id} [{lang}] remediation.{cause}"));
                assert_eq!(
                    theirs.len(),
                    steps.len(),
                    "{id} [{lang}] remediation.{cause} steps"
                );
            }
        }
    }
}

/// What `cargo xtask new-rule` writes where a person has to write something.
const BLANK: &str = "FILL IN";

/// A new rule is not done while a blank the generator left is still there: its
/// module, its knowledge file, the fixture expectations, the fixture list and the
/// README's rules table.
#[test]
fn nothing_is_left_to_fill_in() {
    let mut sources: Vec<(String, String)> = RuleId::ALL
        .iter()
        .flat_map(|id| {
            let module = format!("src/rules/{}.rs", id.slug().replace('-', "_"));
            let text = std::fs::read_to_string(&module).unwrap();
            [
                (module, text),
                (
                    format!("rules/{id}.toml"),
                    id.knowledge_source().to_string(),
                ),
            ]
        })
        .collect();
    let mut expected: Vec<_> = std::fs::read_dir("tests/expected")
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    expected.sort();
    for path in expected {
        let text = std::fs::read_to_string(&path).unwrap();
        sources.push((path.display().to_string(), text));
    }
    let fixture_list = std::fs::read_to_string("fixtures/README.md").unwrap();
    sources.push(("fixtures/README.md".into(), fixture_list));
    // In the README only the rules table is generated; its prose may name the marker.
    let readme = std::fs::read_to_string("README.md").unwrap();
    let table = readme
        .lines()
        .map(|l| if l.starts_with("| `") { l } else { "" })
        .collect::<Vec<_>>()
        .join("\n");
    sources.push(("README.md".into(), table));
    let blanks: Vec<String> = sources
        .iter()
        .flat_map(|(file, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| line.contains(BLANK))
                .map(move |(i, line)| format!("{file}:{}: {}", i + 1, line.trim()))
        })
        .collect();
    assert!(
        blanks.is_empty(),
        "{} blanks left by `cargo xtask new-rule` to fill in:\n{}",
        blanks.len(),
        blanks.join("\n")
    );
}
