//! Every rule has complete knowledge text, every diagnosis template only names
//! evidence the rule really provides, and every rule has a fixture that triggers it.

use lookout_doctor::knowledge;
use lookout_doctor::rules;
use std::collections::BTreeSet;

#[test]
fn slugs_are_unique_kebab_case_and_match_their_files() {
    let mut seen = BTreeSet::new();
    for r in rules::all() {
        let slug = r.slug();
        assert!(seen.insert(slug), "duplicate slug {slug}");
        assert!(
            slug.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{slug} is not kebab-case"
        );
        knowledge::parse(*r).unwrap();
    }
    let files: BTreeSet<String> = std::fs::read_dir("rules")
        .unwrap()
        .flatten()
        .map(|e| e.path().file_stem().unwrap().to_string_lossy().to_string())
        .collect();
    let registered: BTreeSet<String> = seen.iter().map(|s| s.to_string()).collect();
    // Files for rules still being built may exist; every registered rule needs its file.
    assert!(registered.is_subset(&files));
}

#[test]
fn every_rule_has_complete_english_text() {
    for r in rules::all() {
        let k = knowledge::of(r.slug());
        let t = k
            .texts
            .get("en")
            .unwrap_or_else(|| panic!("{}: no [en]", r.slug()));
        for (field, value) in [
            ("title", &t.title),
            ("what", &t.what),
            ("why", &t.why),
            ("example", &t.example),
            ("impact", &t.impact),
        ] {
            assert!(value.trim().len() > 10, "{}: {field} is empty", r.slug());
            assert!(
                !value.contains('{'),
                "{}: {field} has a placeholder",
                r.slug()
            );
        }
        assert!(
            !k.references.is_empty() && k.references.iter().all(|u| u.starts_with("https://")),
            "{}: references",
            r.slug()
        );
        for cause in r.causes() {
            assert!(
                t.causes.contains_key(*cause),
                "{}: no meaning for cause {cause}",
                r.slug()
            );
            assert!(
                t.diagnosis.contains_key(*cause),
                "{}: no diagnosis for cause {cause}",
                r.slug()
            );
        }
        if r.causes().is_empty() {
            assert!(
                t.diagnosis.contains_key("default"),
                "{}: no default diagnosis",
                r.slug()
            );
        }
        assert!(
            t.remediation.get("default").is_some_and(|s| !s.is_empty()),
            "{}: no default remediation",
            r.slug()
        );
        for key in t
            .diagnosis
            .keys()
            .chain(t.remediation.keys())
            .chain(t.causes.keys())
        {
            assert!(
                key == "default" || r.causes().contains(&key.as_str()),
                "{}: text for unknown cause {key}",
                r.slug()
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
    for r in rules::all() {
        assert!(
            fired.iter().any(|(rule, _)| rule == r.slug()),
            "no fixture triggers {}",
            r.slug()
        );
        for cause in r.causes() {
            assert!(
                fired.contains(&(r.slug().to_string(), Some(cause.to_string()))),
                "no fixture triggers {} with cause {cause}",
                r.slug()
            );
        }
    }
}

/// Every rule speaks every language completely, with the same facts: same causes,
/// same number of remediation steps, and the same placeholders in each diagnosis.
#[test]
fn every_rule_is_translated_completely() {
    for r in rules::all() {
        let k = knowledge::of(r.slug());
        let en = &k.texts["en"];
        for lang in lookout_doctor::messages::LANGUAGES {
            let t = k
                .texts
                .get(lang)
                .unwrap_or_else(|| panic!("{}: no [{lang}]", r.slug()));
            for (field, value) in [
                ("title", &t.title),
                ("what", &t.what),
                ("why", &t.why),
                ("example", &t.example),
                ("impact", &t.impact),
            ] {
                assert!(
                    !value.trim().is_empty(),
                    "{} [{lang}] {field} is empty",
                    r.slug()
                );
            }
            assert_eq!(
                t.causes.keys().collect::<Vec<_>>(),
                en.causes.keys().collect::<Vec<_>>(),
                "{} [{lang}] causes",
                r.slug()
            );
            assert_eq!(
                t.diagnosis.keys().collect::<Vec<_>>(),
                en.diagnosis.keys().collect::<Vec<_>>(),
                "{} [{lang}] diagnosis",
                r.slug()
            );
            for (cause, template) in &en.diagnosis {
                let mut want = knowledge::placeholders(template);
                let mut got = knowledge::placeholders(&t.diagnosis[cause]);
                want.sort_unstable();
                got.sort_unstable();
                want.dedup();
                got.dedup();
                assert_eq!(
                    got,
                    want,
                    "{} [{lang}] diagnosis.{cause} placeholders",
                    r.slug()
                );
                assert_eq!(
                    t.diagnosis[cause].matches("[[").count(),
                    template.matches("[[").count(),
                    "{} [{lang}] diagnosis.{cause} segments",
                    r.slug()
                );
            }
            for (cause, steps) in &en.remediation {
                let theirs = t
                    .remediation
                    .get(cause)
                    .unwrap_or_else(|| panic!("{} [{lang}] remediation.{cause}", r.slug()));
                assert_eq!(
                    theirs.len(),
                    steps.len(),
                    "{} [{lang}] remediation.{cause} steps",
                    r.slug()
                );
            }
        }
    }
}
