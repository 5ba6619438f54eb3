//! `--format html` (issue 16): one self-contained page. Nothing in it may make a
//! request (no `src`, `href`, `url(` or external anything), its Content-Security-Policy
//! names exactly the inline stylesheet and script by their hashes, tenant values come
//! out as text, the findings data holds what the JSON report holds, it speaks the
//! five languages, and a healthy tenant's page has no findings. The page in a real
//! browser is tests/browser.rs.

mod support;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use support::{bin, copy_dir, fixture, json_report};

const AS_OF: &str = "2026-11-20T12:00:00Z";

/// The page of a run, and its exit code.
fn page(args: &[&str]) -> (String, i32) {
    let out = bin()
        .args(args)
        .args(["--format", "html"])
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty() || out.status.code() != Some(2),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

/// The contents of every `<tag …>…</tag>` element, with its opening tag.
fn elements<'p>(page: &'p str, tag: &str) -> Vec<(&'p str, &'p str)> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at..];
        let head_end = after.find('>').unwrap();
        let body_end = after.find(&close).unwrap();
        out.push((&after[..=head_end], &after[head_end + 1..body_end]));
        rest = &after[body_end + close.len()..];
    }
    out
}

fn sha256(text: &str) -> String {
    format!(
        "'sha256-{}'",
        STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

fn csp(page: &str) -> &str {
    let at = page
        .find("http-equiv=\"Content-Security-Policy\" content=\"")
        .expect("a Content-Security-Policy meta element");
    let rest = &page[at..];
    let start = rest.find("content=\"").unwrap() + "content=\"".len();
    let end = start + rest[start..].find('"').unwrap();
    &rest[start..end]
}

/// The findings data blocks of a page, parsed.
fn findings_data(page: &str) -> Vec<serde_json::Value> {
    elements(page, "script")
        .into_iter()
        .filter(|(head, _)| {
            head.contains("type=\"application/json\"") && !head.contains("ld-labels")
        })
        .map(|(_, body)| serde_json::from_str(body).unwrap())
        .collect()
}

/// Findings per rule in the page's data.
fn page_counts(data: &serde_json::Value) -> BTreeMap<String, usize> {
    let rules = data["rules"].as_array().unwrap();
    let mut counts = BTreeMap::new();
    for row in data["rows"].as_array().unwrap() {
        let rule = rules[row[1].as_u64().unwrap() as usize].as_str().unwrap();
        *counts.entry(rule.to_string()).or_default() += 1;
    }
    counts
}

/// Findings per rule in the JSON report.
fn json_counts(report: &serde_json::Value) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        *counts
            .entry(f["rule"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    counts
}

/// The page's markup with the bodies of its style and script elements left out: what
/// is left of `<` there is a tag (maud writes any `<` of text as `&lt;`).
fn markup_only(page: &str) -> String {
    let mut out = String::new();
    let mut rest = page;
    loop {
        let next = ["<style", "<script"]
            .iter()
            .filter_map(|t| rest.find(t).map(|at| (at, *t)))
            .min();
        let Some((at, tag)) = next else {
            out.push_str(rest);
            return out;
        };
        let head_end = at + rest[at..].find('>').unwrap() + 1;
        out.push_str(&rest[..head_end]);
        let close = format!("</{}>", &tag[1..]);
        rest = &rest[head_end + rest[head_end..].find(&close).unwrap()..];
    }
}

/// Every tag of the markup, lower case.
fn tags(page: &str) -> Vec<String> {
    let markup = markup_only(page);
    markup
        .split('<')
        .skip(1)
        .map(|t| t[..t.find('>').unwrap()].to_lowercase())
        .collect()
}

/// The attribute names of a tag (`div class="a b" hidden` gives class, hidden).
fn attribute_names(tag: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut chars = tag.chars().skip_while(|c| !c.is_whitespace()).peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let name: String =
            std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=')).collect();
        if name.is_empty() {
            if chars.next().is_none() {
                return names;
            }
            continue;
        }
        names.push(name);
        if chars.next_if_eq(&'=').is_some() {
            match chars.next() {
                Some(q @ ('"' | '\'')) => while chars.next().is_some_and(|c| c != q) {},
                _ => while chars.next_if(|c| !c.is_whitespace()).is_some() {},
            }
        }
    }
}

fn assert_self_contained(what: &str, page: &str) {
    assert!(page.starts_with("<!DOCTYPE html>"), "{what}");
    for tag in tags(page) {
        let name = tag.split_whitespace().next().unwrap_or_default();
        assert!(
            ![
                "link", "iframe", "object", "embed", "img", "base", "form", "frame", "audio",
                "video", "source", "use", "image"
            ]
            .contains(&name),
            "{what}: <{tag}>"
        );
        // Attribute names: none that loads or runs anything.
        for attr_name in attribute_names(&tag) {
            let attr_name = attr_name.as_str();
            assert!(
                ![
                    "src",
                    "href",
                    "xlink:href",
                    "srcset",
                    "action",
                    "formaction",
                    "style",
                    "background",
                    "poster"
                ]
                .contains(&attr_name)
                    && !attr_name.starts_with("on"),
                "{what}: <{tag}>"
            );
        }
        assert!(!tag.contains("http-equiv=\"refresh"), "{what}: <{tag}>");
    }

    let policy = csp(page);
    assert!(
        policy.starts_with("default-src 'none';"),
        "{what}: {policy}"
    );
    assert!(!policy.contains("unsafe"), "{what}: {policy}");
    let styles = elements(page, "style");
    let scripts: Vec<_> = elements(page, "script")
        .into_iter()
        .filter(|(head, _)| !head.contains("application/json"))
        .collect();
    assert_eq!((styles.len(), scripts.len()), (1, 1), "{what}");
    assert!(
        policy.contains(&format!("style-src {};", sha256(styles[0].1))),
        "{what}: the policy does not name the stylesheet: {policy}"
    );
    assert!(
        policy.contains(&format!("script-src {};", sha256(scripts[0].1))),
        "{what}: the policy does not name the script: {policy}"
    );
    let css = styles[0].1.to_lowercase();
    assert!(
        !css.contains("url(") && !css.contains("@import") && !css.contains("@font-face"),
        "{what}"
    );
    let js = scripts[0].1;
    for call in [
        "http",
        "fetch(",
        "XMLHttpRequest",
        "WebSocket",
        "sendBeacon",
        "import(",
        "innerHTML",
        "eval(",
        "new Function",
    ] {
        assert!(!js.contains(call), "{what}: the script holds {call}");
    }
}

#[test]
fn the_sample_page_is_self_contained_and_holds_the_json_reports_findings() {
    let args = ["diagnose", "fixtures/sample", "--fail-on", "never"];
    let (html, code) = page(&args);
    assert_eq!(code, 0);
    assert_self_contained("sample", &html);
    let (report, _) = json_report(&args);
    let data = findings_data(&html);
    assert_eq!(data.len(), 1);
    let expected = json_counts(&report);
    assert!(!expected.is_empty());
    assert_eq!(page_counts(&data[0]), expected);
    // The summary table counts the same, per rule.
    for (rule, count) in &expected {
        let rows: usize = html
            .match_indices(&format!("data-rule=\"{rule}\" data-count=\""))
            .map(|(at, m)| {
                let rest = &html[at + m.len()..];
                rest[..rest.find('"').unwrap()].parse::<usize>().unwrap()
            })
            .sum();
        assert_eq!(rows, *count, "{rule}");
    }
    // Each rule and cause's fix once.
    for rule in expected.keys() {
        let causes: std::collections::BTreeSet<Option<&str>> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule.as_str())
            .map(|f| f["cause"].as_str())
            .collect();
        let of_rule = html
            .match_indices("<article class=\"fix ")
            .filter(|(at, _)| {
                html[*at..]
                    .split('>')
                    .next()
                    .unwrap()
                    .contains(&format!("data-rule=\"{rule}\""))
            })
            .count();
        assert_eq!(of_rule, causes.len(), "{rule}: one fix per cause");
    }
    // The overview: a card per health item, the skipped checks and notes said.
    for h in report["health"].as_array().unwrap() {
        let item = h["item"].as_str().unwrap();
        assert!(html.contains(&format!("data-item=\"{item}\"")), "{item}");
    }
    for s in report["skipped"].as_array().unwrap() {
        let rule = s["rule"].as_str().unwrap();
        assert!(
            html.contains(&format!("<li data-rule=\"{rule}\"")),
            "{rule}"
        );
    }
    // Charts: one SVG per chart, drawn from the data.
    assert!(html.matches("<svg ").count() >= 4, "charts");
}

#[test]
fn the_page_is_the_same_bytes_every_time() {
    let args = [
        "diagnose",
        "fixtures/sample",
        "--as-of",
        AS_OF,
        "--lang",
        "ja",
    ];
    assert_eq!(page(&args), page(&args));
}

#[test]
fn a_generated_tenants_page_counts_what_the_json_report_counts() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("tenant");
    support::synth::generate(3_000, &dir, 5, support::synth::Shape::Realistic).unwrap();
    let dir = dir.to_str().unwrap();
    let args = [
        "diagnose",
        dir,
        "--as-of",
        support::synth::AS_OF,
        "--fail-on",
        "never",
    ];
    let (html, code) = page(&args);
    assert_eq!(code, 0);
    assert_self_contained("generated", &html);
    let (report, _) = json_report(&args);
    let data = findings_data(&html);
    assert_eq!(page_counts(&data[0]), json_counts(&report));
    assert_eq!(
        data[0]["rows"].as_array().unwrap().len(),
        report["findings"].as_array().unwrap().len()
    );
    // A check that could not run is said: the generated tenant has no
    // intune-mtd-connector.json.
    let skipped = report["skipped"].as_array().unwrap();
    assert!(!skipped.is_empty());
    assert!(html.contains("data-section=\"skipped\""));
    for s in skipped {
        let rule = s["rule"].as_str().unwrap();
        assert!(
            html.contains(&format!(
                "<li data-rule=\"{rule}\" data-cause=\"{}\"",
                s["cause"].as_str().unwrap()
            )),
            "{rule}"
        );
    }
}

#[test]
fn a_healthy_tenants_page_shows_no_findings() {
    let (html, code) = page(&["diagnose", "fixtures/healthy"]);
    assert_eq!(code, 0);
    assert_self_contained("healthy", &html);
    assert!(html.contains("No problems found."));
    assert!(findings_data(&html).is_empty());
    assert!(!html.contains("<section class=\"findings\""));
    assert!(!html.contains("<article class=\"fix"));
    assert!(!html.contains("card error") && !html.contains("card warning"));
}

#[test]
fn every_language_renders() {
    for lang in ["en", "ja", "ko", "pt-BR", "zh-TW"] {
        let (html, code) = page(&[
            "diagnose",
            "fixtures/sample",
            "--lang",
            lang,
            "--fail-on",
            "never",
        ]);
        assert_eq!(code, 0, "{lang}");
        assert_self_contained(lang, &html);
        assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{lang}");
        let locale: toml::Table =
            toml::from_str(&std::fs::read_to_string(format!("locales/{lang}.toml")).unwrap())
                .unwrap();
        let own = &locale["html"];
        for key in [
            "title",
            "charts_heading",
            "findings_heading",
            "fixes_heading",
        ] {
            let text = own[key].as_str().unwrap();
            assert!(html.contains(text), "{lang}: {key} {text:?}");
        }
        if lang != "en" {
            assert!(
                !html.contains("Every finding"),
                "{lang}: English left in the page"
            );
        }
        let labels = elements(&html, "script")
            .into_iter()
            .find(|(head, _)| head.contains("ld-labels"))
            .map(|(_, body)| serde_json::from_str::<serde_json::Value>(body).unwrap())
            .unwrap();
        assert_eq!(
            labels["noMatch"],
            own["no_match"].as_str().unwrap(),
            "{lang}"
        );
    }
}

/// A device name that would run a script, close the data block, spoof text with a
/// bidi override, and break a JavaScript string with a line separator.
const DEVICE: &str = "Diego</script><script>alert(1)</script><img src=x onerror=alert(2)>\"'&amp;\u{202e}gpj.exe\u{2028}\u{2029}<!--";
/// A group name the health overview quotes.
const GROUP: &str = "<b onmouseover=alert(3)>wave</b>\u{1b}[2J";
/// A suppression's reason and subject.
const REASON: &str = "<svg onload=alert(4)>";

#[test]
fn hostile_values_come_out_as_text() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("snapshot");
    copy_dir(&fixture("sample"), &dir);
    let json = |s: &str| {
        let q = serde_json::to_string(s).unwrap();
        q[1..q.len() - 1].to_string()
    };
    let replace = |file: &Path, from: &str, to: &str| {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(text.contains(from), "{}: {from}", file.display());
        std::fs::write(file, text.replace(from, to)).unwrap();
    };
    replace(
        &dir.join("intune-devices.json"),
        "Diego's iPhone 13 mini",
        &json(DEVICE),
    );
    replace(
        &dir.join("lookout.json"),
        "\"Lookout wave 3\"",
        &format!("\"{}\"", json(GROUP)),
    );
    std::fs::write(
        dir.join("lookout-doctor.toml"),
        format!(
            "[[suppress]]\nrule = \"device-missing\"\nsubject = \"{}\"\nreason = \"r\"\n\n[[suppress]]\nrule = \"device-pending\"\nsubject = \"e689bebd-9052-44d6-bdca-7cdd4d39b53f\"\nreason = \"{}\"\n",
            json(REASON),
            json(REASON)
        ),
    )
    .unwrap();
    let dir = dir.to_str().unwrap();
    for lang in ["en", "ja"] {
        let args = [
            "diagnose",
            dir,
            "--as-of",
            AS_OF,
            "--lang",
            lang,
            "--fail-on",
            "never",
        ];
        let (html, code) = page(&args);
        assert_eq!(code, 0, "{lang}");
        let what = format!("hostile {lang}");
        assert_self_contained(&what, &html);
        // Exactly the page's own elements: the script, the labels, one data block.
        assert_eq!(html.matches("<script").count(), 3, "{what}");
        assert_eq!(html.matches("</script>").count(), 3, "{what}");
        for tag in ["<img", "<b ", "<svg onload", "<!--"] {
            assert!(!html.contains(tag), "{what}: {tag}");
        }
        for hidden in ['\u{202e}', '\u{2028}', '\u{2029}', '\u{1b}'] {
            assert!(!html.contains(hidden), "{what}: {hidden:?} in the page");
        }
        // As text in the markup: escaped, hidden characters made visible.
        assert!(
            html.contains("&lt;b onmouseover=alert(3)&gt;wave&lt;/b&gt;\\u{1b}[2J"),
            "{what}"
        );
        // In the data: the exact value, hidden characters made visible.
        let data = findings_data(&html);
        let rows = data[0]["rows"].as_array().unwrap();
        let visible = DEVICE
            .replace('\u{202e}', "\\u{202e}")
            .replace('\u{2028}', "\\u{2028}")
            .replace('\u{2029}', "\\u{2029}");
        assert!(
            rows.iter().any(|r| r[5] == visible.as_str()),
            "{what}: the device's name is not in the data as text"
        );
        let (report, _) = json_report(&args);
        assert_eq!(page_counts(&data[0]), json_counts(&report), "{what}");
    }
}

/// The sample's page, pinned: a change in what the HTML printer writes shows as a
/// diff. The stylesheet and the script are pinned by their hashes in the policy (their
/// text is in src/report/html/), and each tag starts a line so the diff reads.
#[test]
fn the_sample_page_is_pinned() {
    let (html, _) = page(&[
        "diagnose",
        "fixtures/sample",
        "--as-of",
        AS_OF,
        "--fail-on",
        "never",
    ]);
    let mut pinned = html.clone();
    for (_, body) in elements(&html, "style").into_iter().chain(
        elements(&html, "script")
            .into_iter()
            .filter(|(head, _)| !head.contains("application/json")),
    ) {
        pinned = pinned.replace(body, "…");
    }
    insta::assert_snapshot!("html_sample_en", pinned.replace("><", ">\n<"));
}

/// `--redact`: the page shows pseudonyms only, in its markup and in its data alike.
#[test]
fn a_redacted_page_names_no_one() {
    let out = bin()
        .args([
            "diagnose",
            "fixtures/sample",
            "--redact",
            "--fail-on",
            "never",
            "--format",
            "html",
        ])
        .env("LOOKOUT_DOCTOR_REDACT_KEY", "html test key")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let html = String::from_utf8(out.stdout).unwrap();
    assert_self_contained("redacted", &html);
    for real in [
        "Diego",
        "contoso.com",
        "Lookout Pilot",
        "b5f0c4d2",
        "megan.bowen",
        "fixtures/sample",
    ] {
        assert!(!html.contains(real), "{real} in the redacted page");
    }
    assert!(!findings_data(&html)[0]["rows"]
        .as_array()
        .unwrap()
        .is_empty());
}

/// The charts are drawn from the snapshot: the sample's Lookout records by activation
/// status, and its Intune phones by OS version against lookout.json's minimums, as
/// counted straight from the fixture's files.
#[test]
fn the_charts_count_the_snapshot() {
    let (html, _) = page(&["diagnose", "fixtures/sample", "--fail-on", "never"]);
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(fixture("sample").join(name)).unwrap())
            .unwrap()
    };
    let lookout = read("lookout-devices.json");
    let mut activation: BTreeMap<String, usize> = BTreeMap::new();
    for d in lookout["devices"].as_array().unwrap() {
        let status = d["activation_status"].as_str().unwrap().to_lowercase();
        *activation.entry(status).or_default() += 1;
    }
    for (status, n) in &activation {
        assert!(
            html.contains(&format!("<title>{status}: {n}</title>")),
            "activation {status}: {n}"
        );
    }
    // Android below lookout.json's minimum ("10") is drawn red, the rest green; iPadOS
    // counts as iOS.
    let intune = read("intune-devices.json");
    let minimums = read("lookout.json")["min_os_versions"].clone();
    assert_eq!(minimums["android"], "10");
    let mut by_major: BTreeMap<(String, u64), (usize, usize)> = BTreeMap::new();
    for d in intune["value"].as_array().unwrap() {
        let platform = match d["operatingSystem"].as_str().unwrap() {
            "Android" => "Android",
            "iOS" | "iPadOS" => "iOS",
            _ => continue,
        };
        let version = d["osVersion"].as_str().unwrap();
        let major: u64 = version.split('.').next().unwrap().parse().unwrap();
        let below = platform == "Android" && major < 10 || platform == "iOS" && major < 16;
        let entry = by_major.entry((platform.to_string(), major)).or_default();
        if below {
            entry.1 += 1;
        } else {
            entry.0 += 1;
        }
    }
    assert!(
        by_major.values().any(|(_, below)| *below > 0),
        "the sample has an old phone"
    );
    for ((platform, major), (supported, below)) in &by_major {
        let label = format!("{platform} {major}");
        let drawn = |class: &str, n: usize| {
            let bar = format!("class=\"{class}\"");
            let title = format!("<title>{label}: {n}</title>");
            html.match_indices(&title)
                .any(|(at, _)| html[..at].rsplit("<rect").next().unwrap().contains(&bar))
        };
        if *supported > 0 {
            assert!(drawn("f-ok", *supported), "{label}: {supported} supported");
        }
        if *below > 0 {
            assert!(
                drawn("f-error", *below),
                "{label}: {below} below the minimum"
            );
        }
        assert!(html.contains(&format!(">{label}</text>")), "{label}");
    }
}
