//! The human report of the sample tenant in every language, kept as golden files
//! (tests/golden/sample.<lang>.txt). A change in wording or layout shows up as a diff;
//! after reviewing it, refresh the files with `UPDATE_GOLDEN=1 cargo test --test golden`.

use assert_cmd::Command;
use lookout_doctor::messages::LANGUAGES;

#[test]
fn sample_report_in_every_language() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for lang in LANGUAGES {
        let out = Command::cargo_bin("lookout-doctor")
            .unwrap()
            .args([
                "diagnose",
                "fixtures/sample",
                "--lang",
                lang,
                "--color",
                "never",
            ])
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.contains('⟦'), "{lang}: a message key has no text");
        let path = format!("tests/golden/sample.{lang}.txt");
        if update {
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if want != text {
            failures.push(format!("{path} differs (UPDATE_GOLDEN=1 to accept)"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn language_comes_from_the_locale_environment() {
    let run = |vars: &[(&str, &str)]| {
        let mut cmd = Command::cargo_bin("lookout-doctor").unwrap();
        cmd.args(["diagnose", "fixtures/healthy"])
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    assert!(run(&[("LANG", "ko_KR.UTF-8")]).contains("통합 상태"));
    assert!(run(&[("LANG", "ko_KR.UTF-8"), ("LC_ALL", "ja_JP.UTF-8")]).contains("統合の正常性"));
    assert!(run(&[("LC_MESSAGES", "pt_BR.UTF-8")]).contains("Snapshot"));
    assert!(run(&[("LANG", "fr_FR.UTF-8")]).contains("Integration health"));
    // Machine fields never change with the language.
    let json = |lang: &str| {
        let out = Command::cargo_bin("lookout-doctor")
            .unwrap()
            .args([
                "diagnose",
                "fixtures/sample",
                "--format",
                "json",
                "--lang",
                lang,
            ])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"]
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
    let en = json("en");
    for lang in ["ko", "ja", "zh-TW", "pt-BR"] {
        assert_eq!(json(lang), en, "{lang}");
    }
}
