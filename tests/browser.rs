//! The HTML report in a real browser (issue 16): headless Chromium opens the sample's
//! page and a generated 20,000-user tenant's, runs its script, and the DOM it leaves
//! says what the JSON report says: the findings per rule (counted by the page's own
//! script from its data), and with a filter in the address exactly the matching rows.
//! Chromium's network log shows that no request leaves the page, its console shows no
//! error, and the page records no script error and no Content-Security-Policy
//! violation. A screenshot of each page is kept in the target folder
//! (`target/tmp/browser/`).
//!
//! Without Chromium the tests say so and pass, unless LOOKOUT_DOCTOR_BROWSER_TESTS=1
//! (as .ci/run sets it after installing Chromium), when they fail.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::bin;

/// The browser, or None when the tests cannot run here (and may be skipped).
fn chromium() -> Option<PathBuf> {
    let named = std::env::var_os("CHROMIUM").map(PathBuf::from);
    let found = named
        .into_iter()
        .chain(
            ["chromium", "chromium-browser", "google-chrome"]
                .iter()
                .flat_map(|name| {
                    std::env::var_os("PATH")
                        .map(|p| {
                            std::env::split_paths(&p)
                                .map(|d| d.join(name))
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_default()
                }),
        )
        .find(|p| p.is_file());
    if found.is_none() {
        let required = std::env::var("LOOKOUT_DOCTOR_BROWSER_TESTS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "LOOKOUT_DOCTOR_BROWSER_TESTS=1 but no Chromium (chromium, chromium-browser, google-chrome or $CHROMIUM) was found"
        );
        eprintln!("skipped: no Chromium on this machine (install it, or see .ci/run)");
    }
    found
}

/// Where the screenshots are kept.
fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What one headless run of Chromium left: its output, its stderr and its network log.
struct Run {
    stdout: String,
    stderr: String,
    net_log: serde_json::Value,
    took: Duration,
}

/// Opens `url` in a fresh headless Chromium with `extra` arguments (`--dump-dom`,
/// `--screenshot=…`), its network logged and its console on stderr.
fn open(browser: &Path, url: &str, extra: &[String]) -> Run {
    let profile = tempfile::tempdir().unwrap();
    let net_log = profile.path().join("net-log.json");
    let started = Instant::now();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-client-side-phishing-detection",
            "--no-pings",
            "--disable-domain-reliability",
            "--disable-breakpad",
            "--disable-extensions",
            "--disable-dev-shm-usage",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=30000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.path().join("profile").display()
        ))
        .arg(format!("--log-net-log={}", net_log.display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "chromium failed on {url}: {stderr}");
    let text = std::fs::read_to_string(&net_log).unwrap_or_default();
    // Chromium may end without closing the log's JSON; the events so far are complete.
    let net_log = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .unwrap_or_else(|e| panic!("{url}: the network log does not parse: {e}"));
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
        net_log,
        took,
    }
}

/// The URLs of the requests the page made, from Chromium's network log: requests
/// whose initiator is an origin (the page's is `null`, as a file's), or that are keyed
/// to the page's site (`file://`). The browser's own traffic (its clock, its account
/// check) is initiated by no origin and keyed to other sites; it is not the page's.
fn page_requests(log: &serde_json::Value) -> Vec<String> {
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_u64();
    let mut urls = Vec::new();
    for event in log["events"].as_array().into_iter().flatten() {
        if event["type"].as_u64() != start_job || start_job.is_none() {
            continue;
        }
        let params = &event["params"];
        let url = params["url"].as_str().unwrap_or_default();
        let initiated = params["initiator"]
            .as_str()
            .is_some_and(|i| i != "not an origin");
        let keyed = params["network_isolation_key"]
            .as_str()
            .is_some_and(|k| k.contains("file://"));
        let local = ["file:", "data:"].iter().any(|s| url.starts_with(s));
        if (initiated || keyed) && !local {
            urls.push(url.to_string());
        }
    }
    urls
}

/// What the page wrote to the console (`--enable-logging=stderr` logs every console
/// message as `…:CONSOLE:…`; the report's script writes none), and what Chromium
/// said about a blocked resource.
fn console_messages(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains(":CONSOLE")
                || l.contains("Uncaught")
                || l.contains("Content Security Policy")
                || l.contains("Refused to")
        })
        .collect()
}

/// An attribute's value in an opening tag.
fn attr<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    Some(&tag[at..at + tag[at..].find('"')?])
}

/// The opening tags of elements named `tag` that hold `needle`.
fn tags_with<'d>(dom: &'d str, tag: &str, needle: &str) -> Vec<&'d str> {
    dom.match_indices(&format!("<{tag} "))
        .map(|(at, _)| &dom[at..at + dom[at..].find('>').unwrap() + 1])
        .filter(|t| t.contains(needle))
        .collect()
}

/// Findings per rule, and the JSON report.
fn json_counts(args: &[&str]) -> (BTreeMap<String, usize>, serde_json::Value) {
    let (report, _) = support::json_report(args);
    let mut counts = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        *counts
            .entry(f["rule"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    (counts, report)
}

/// Writes the page of a run to `path`.
fn write_page(args: &[&str], path: &Path) {
    let out = bin()
        .args(args)
        .args(["--format", "html", "--output"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        path.exists(),
        "{args:?}: no page written: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

/// Opens the page with a filter in its address and checks the DOM the script leaves
/// against the JSON report; then a screenshot of the unfiltered page.
fn check_page(browser: &Path, name: &str, args: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join(format!("{name}.html"));
    write_page(args, &page);
    let (counts, report) = json_counts(args);
    assert!(!counts.is_empty(), "{name}: no findings to show");
    let findings = report["findings"].as_array().unwrap();

    // The filter: the most frequent rule at its first finding's severity.
    let (rule, _) = counts.iter().max_by_key(|(_, n)| **n).unwrap();
    let severity = findings
        .iter()
        .find(|f| f["rule"] == rule.as_str())
        .unwrap()["severity"]
        .as_str()
        .unwrap();
    let matching = findings
        .iter()
        .filter(|f| f["rule"] == rule.as_str() && f["severity"] == severity)
        .count();
    let url = format!("{}#severity={severity}&rule={rule}", file_url(&page));
    let run = open(browser, &url, &["--dump-dom".to_string()]);
    let dom = &run.stdout;
    eprintln!(
        "{name}: {} bytes, loaded and rendered in {:.2} s",
        std::fs::metadata(&page).unwrap().len(),
        run.took.as_secs_f64()
    );

    let html_tag = &dom[dom.find("<html").unwrap()..];
    let html_tag = &html_tag[..html_tag.find('>').unwrap()];
    assert_eq!(
        attr(html_tag, "data-ready"),
        Some("1"),
        "{name}: the script did not finish: {}",
        run.stderr
    );
    assert_eq!(
        attr(html_tag, "data-js-errors"),
        None,
        "{name}: script errors: {}",
        run.stderr
    );
    assert_eq!(
        attr(html_tag, "data-csp-violation"),
        None,
        "{name}: a CSP violation"
    );
    assert_eq!(
        console_messages(&run.stderr),
        Vec::<&str>::new(),
        "{name}: console"
    );
    assert_eq!(
        page_requests(&run.net_log),
        Vec::<String>::new(),
        "{name}: requests left the page"
    );

    // Counts per rule, as the page's script counted them from its data.
    let select = &dom[dom.find("data-filter=\"rule\"").unwrap()..];
    let select = &select[..select.find("</select>").unwrap()];
    for (rule, n) in &counts {
        let option = tags_with(select, "option", &format!("value=\"{rule}\""));
        assert_eq!(option.len(), 1, "{name}: {rule}");
        assert_eq!(
            attr(option[0], "data-count"),
            Some(n.to_string().as_str()),
            "{name}: {rule}"
        );
    }
    let options = tags_with(select, "option", "data-count=");
    let total: usize = options
        .iter()
        .filter(|o| attr(o, "value") != Some(""))
        .map(|o| attr(o, "data-count").unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(total, findings.len(), "{name}: the rules' counts add up");

    // The filter from the address: exactly the matching rows, a page at a time.
    let count = tags_with(dom, "p", "class=\"count\"");
    assert_eq!(count.len(), 1, "{name}");
    assert_eq!(
        attr(count[0], "data-count"),
        Some(matching.to_string().as_str()),
        "{name}: {url}"
    );
    let rows = tags_with(dom, "tr", "data-row-rule=");
    assert_eq!(rows.len(), matching.min(100), "{name}: rows shown");
    assert!(
        rows.iter()
            .all(|r| attr(r, "data-row-rule") == Some(rule.as_str())),
        "{name}"
    );
    assert_eq!(
        attr(count[0], "data-shown"),
        Some(rows.len().to_string().as_str())
    );
    let controls = tags_with(dom, "select", "data-filter=\"severity\"");
    assert_eq!(controls.len(), 1);

    // A value the data does not hold matches nothing rather than everything.
    let url = format!("{}#rule=no-such-rule", file_url(&page));
    let none = open(browser, &url, &["--dump-dom".to_string()]);
    let count = tags_with(&none.stdout, "p", "class=\"count\"");
    assert_eq!(
        attr(count[0], "data-count"),
        Some("0"),
        "{name}: an unknown rule"
    );

    let shot = artifacts().join(format!("{name}.png"));
    let _ = std::fs::remove_file(&shot);
    let run = open(
        browser,
        &file_url(&page),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2200".to_string(),
            "--hide-scrollbars".to_string(),
        ],
    );
    assert!(shot.is_file(), "{name}: no screenshot: {}", run.stderr);
    assert_eq!(
        page_requests(&run.net_log),
        Vec::<String>::new(),
        "{name}: requests left the page"
    );
    eprintln!("{name}: screenshot {}", shot.display());
}

#[test]
fn the_sample_page_works_in_chromium() {
    let Some(browser) = chromium() else { return };
    check_page(
        &browser,
        "sample",
        &["diagnose", "fixtures/sample", "--fail-on", "never"],
    );
}

#[test]
fn a_20000_user_tenants_page_works_in_chromium() {
    let Some(browser) = chromium() else { return };
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("tenant");
    support::synth::generate(20_000, &dir, 7, support::synth::Shape::Realistic).unwrap();
    let dir = dir.to_str().unwrap();
    check_page(
        &browser,
        "tenant-20000",
        &[
            "diagnose",
            dir,
            "--as-of",
            support::synth::AS_OF,
            "--fail-on",
            "never",
        ],
    );
}

/// The checks above can fail: a page that loads an image and writes to the console is
/// caught by both.
#[test]
fn the_checks_catch_a_request_and_a_console_message() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let probe = dir.path().join("probe.html");
    std::fs::write(
        &probe,
        "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/probe.png\"><script>console.error(\"probe\");</script></body></html>",
    )
    .unwrap();
    let run = open(&browser, &file_url(&probe), &["--dump-dom".to_string()]);
    assert_eq!(
        page_requests(&run.net_log),
        ["http://127.0.0.1:9/probe.png"]
    );
    assert_eq!(console_messages(&run.stderr).len(), 1, "{}", run.stderr);
}
