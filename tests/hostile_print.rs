//! The hostile-input catalogue, printing half (issue 15): names typed by ordinary
//! people reach help-desk terminals, CI logs, spreadsheets and job summaries. A copy
//! of the sample snapshot gets payloads in a device name, a group name, a consent
//! name, a setting key, a file name, a suppression and a baseline; every format, in
//! English and Japanese, colour on and off, must show them as text and nothing else:
//! no escape sequence or invisible character reaches a terminal, no line reads as a
//! GitHub Actions workflow command, no Markdown markup, no spreadsheet formula, no
//! character XML forbids. Errors quote a short, escaped prefix of a value.
//!
//! Run against the binary of the landed tree (`CARGO_BIN_EXE_lookout-doctor=OLD
//! cargo test --test hostile_print`), every test here fails.

mod support;

use std::path::Path;
use support::{bin, copy_dir};

/// A device name: window title, clipboard write, hyperlink, clear screen, a carriage
/// return that would overwrite the finding, bidi override, C1 CSI, DEL, zero-width
/// and isolate characters, workflow commands after line breaks, HTML, links, a
/// heading, the end of the evidence block, a table pipe, characters XML forbids.
const DEVICE: &str = "Diego\u{1b}]0;pwned\u{7}\u{1b}]52;c;Y3VybCBldmls\u{7}\u{1b}]8;;https://evil.example\u{1b}\\link\u{1b}]8;;\u{1b}\\\u{1b}[2J\u{1b}[H\rall good\u{202e}txt.exe\u{9b}31m\u{7f}\u{200b}\u{2066}later\n::add-mask::secret\r\n::error::x <img src=x onerror=alert(1)> [click](https://evil) https://evil.example # h </details> | \u{fffe}\u{ffff}\u{1}";
/// A group name the enrollment settings list: a formula, then a Markdown heading and
/// HTML after a line break. (A formula behind a TAB or CR cannot start a cell at all:
/// the TAB is escaped as text first.)
const GROUP: &str = "=HYPERLINK(\"https://evil\",\"x\")\n# heading <b>x</b>\r::warning::group";
/// Who granted consent (the health overview quotes it): a negative number.
const GRANTED_BY: &str = "-1\r\n::add-mask::granted\u{1b}]0;t\u{7}";
/// A setting nobody reads (a note quotes its key).
const SETTING: &str = "@SUM(1)\n::notice::setting\u{1b}[2J\u{202e}";
/// A file of the snapshot folder nothing recognises (notes and validate name it).
const FILE: &str = "evil\n::error::file\u{1b}]0;t\u{7}+1.txt";
/// A suppression's reason, shown with the finding it covers.
const REASON: &str = "+ok\r\n::add-mask::reason <img src=x> \u{1b}[31m";

/// JSON text of a string, without its quotes.
fn json_str(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap();
    quoted[1..quoted.len() - 1].to_string()
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

/// The sample snapshot with every payload, and a baseline whose resolved finding is
/// hostile too.
fn hostile_snapshot(root: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = root.join("snapshot");
    copy_dir(Path::new("fixtures/sample"), &dir);
    replace_in(
        &dir.join("intune-devices.json"),
        "Diego's iPhone 13 mini",
        &json_str(DEVICE),
    );
    let lookout = dir.join("lookout.json");
    replace_in(
        &lookout,
        "\"Lookout wave 3\"",
        &format!("\"{}\"", json_str(GROUP)),
    );
    replace_in(
        &lookout,
        "\"granted_by\": \"megan.bowen@contoso.com\"",
        &format!("\"granted_by\": \"{}\"", json_str(GRANTED_BY)),
    );
    let text = std::fs::read_to_string(&lookout).unwrap();
    let text = text.trim_end().strip_suffix('}').unwrap();
    std::fs::write(&lookout, format!("{text}, \"{}\": 1}}", json_str(SETTING))).unwrap();
    std::fs::write(dir.join(FILE), "not an export").unwrap();
    let reason = REASON.replace('\\', "\\\\").replace('"', "\\\"");
    let reason = reason
        .replace('\r', "\\r")
        .replace('\n', "\\n")
        .replace('\u{1b}', "\\u001b");
    std::fs::write(
        dir.join("lookout-doctor.toml"),
        format!(
            "[[suppress]]\nrule = \"device-pending\"\nsubject = \"e689bebd-9052-44d6-bdca-7cdd4d39b53f\"\nreason = \"{reason}\"\n\n[[suppress]]\nrule = \"device-missing\"\nsubject = \"gone\\u001b]0;t\\u0007\\n::add-mask::stale\"\nreason = \"r\"\n"
        ),
    )
    .unwrap();
    let baseline = root.join("baseline.json");
    std::fs::write(
        &baseline,
        serde_json::json!({"findings": [{
            "rule": "device-missing\u{1b}]0;t\u{7}",
            "subject": {"kind": "device\n::error::baseline", "id": "<img src=x>\u{202e}"},
        }]})
        .to_string(),
    )
    .unwrap();
    (dir, baseline)
}

/// Runs the binary; stdout, stderr and the exit code.
fn run(args: &[&str]) -> (String, String, Option<i32>) {
    let out = bin().args(args).output().unwrap();
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
    (stdout, stderr, out.status.code())
}

/// A character that changes what a terminal or a log viewer shows without being shown.
fn hidden(c: char) -> bool {
    (c < ' ' && c != '\n')
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || ('\u{200b}'..='\u{200f}').contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// No hidden character; with colour, ESC only opens an SGR colour sequence.
fn assert_nothing_hidden(what: &str, out: &str, color: bool) {
    let mut rest = out;
    if color {
        let mut plain = String::new();
        while let Some(at) = rest.find('\u{1b}') {
            plain.push_str(&rest[..at]);
            let sgr = rest[at + 1..].strip_prefix('[').and_then(|s| {
                let end = s.find(|c: char| !c.is_ascii_digit() && c != ';')?;
                (s.as_bytes()[end] == b'm').then(|| &s[end + 1..])
            });
            rest = sgr.unwrap_or_else(|| {
                panic!(
                    "{what}: an escape that is not a colour: {:?}",
                    &rest[at..(at + 20).min(rest.len())]
                )
            });
        }
        plain.push_str(rest);
        return assert_nothing_hidden(what, &plain, false);
    }
    if let Some(at) = out.find(hidden) {
        let from = out[..at].char_indices().rev().nth(40).map_or(0, |(i, _)| i);
        panic!(
            "{what}: a hidden character: {:?}",
            &out[from..(at + 8).min(out.len())]
        );
    }
}

/// No line a GitHub runner would read as a workflow command, except the github
/// format's own annotations.
fn assert_no_workflow_command(what: &str, out: &str, ours: bool) {
    for line in out.lines() {
        let start = line.trim_start();
        if !start.starts_with("::") {
            continue;
        }
        let own = ours
            && ["::error ", "::warning ", "::notice "]
                .iter()
                .any(|c| start.starts_with(c));
        assert!(own, "{what}: a workflow command: {line:?}");
    }
}

/// Runs `diagnose` in one format on the hostile snapshot, in English and Japanese,
/// colour off and on, and checks each output.
fn every_run_of(format: &str) {
    let root = tempfile::tempdir().unwrap();
    let (dir, baseline) = hostile_snapshot(root.path());
    let dir = dir.to_str().unwrap();
    let baseline = baseline.to_str().unwrap();
    for lang in ["en", "ja"] {
        for color in ["never", "always"] {
            let what = format!("{format} {lang} colour {color}");
            let (out, err, code) = run(&[
                "diagnose",
                dir,
                "--format",
                format,
                "--lang",
                lang,
                "--color",
                color,
                "--baseline",
                baseline,
                "--as-of",
                "2026-11-20T12:00:00Z",
            ]);
            assert_eq!(code, Some(1), "{what}: {err}");
            let styled = format == "human" && color == "always";
            check(&what, format, &out, styled);
        }
    }
}

#[test]
fn the_human_report_shows_hostile_values_as_text() {
    every_run_of("human");
}

#[test]
fn markdown_shows_hostile_values_as_text() {
    every_run_of("markdown");
}

#[test]
fn csv_shows_hostile_values_as_text() {
    every_run_of("csv");
}

#[test]
fn junit_shows_hostile_values_as_text() {
    every_run_of("junit");
}

#[test]
fn github_annotations_show_hostile_values_as_text() {
    every_run_of("github");
}

#[test]
fn the_html_page_shows_hostile_values_as_text() {
    every_run_of("html");
}

#[test]
fn json_and_sarif_keep_exact_values_and_fold_prose() {
    every_run_of("json");
    every_run_of("sarif");
}

/// What each format must hold, beyond the checks every text format shares.
fn check(what: &str, format: &str, out: &str, styled: bool) {
    match format {
        "json" | "sarif" => {
            // Machine formats keep exact values, escaped the JSON way.
            assert!(!out.contains(|c: char| c < ' ' && c != '\n'), "{what}");
            let doc: serde_json::Value = serde_json::from_str(out).unwrap();
            if format == "json" {
                check_json(what, &doc);
            }
        }
        // The CSV's byte-order mark is the one invisible character on purpose.
        "csv" => assert_nothing_hidden(what, out.trim_start_matches('\u{feff}'), false),
        _ => assert_nothing_hidden(what, out, styled),
    }
    assert_no_workflow_command(what, out, format == "github");
    match format {
        "human" | "github" | "junit" => {
            // The finding is there, its payload visible, not hidden by the CR (the
            // human report may wrap it at its spaces, as any prose).
            let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains("Diego\\u{1b}]0;pwned\\u{7}"), "{what}");
            assert!(flat.contains("\\rall good\\u{202e}txt.exe"), "{what}");
        }
        "markdown" => check_markdown(what, out),
        // Every value as text: no element of a payload, hidden characters visible.
        "html" => {
            for tag in ["<img", "<b>x</b>", "</details>"] {
                assert!(!out.contains(tag), "{what}: {tag}");
            }
            // The device is in the findings' data (JSON, so its backslashes doubled).
            assert!(out.contains("Diego\\\\u{1b}]0;pwned\\\\u{7}"), "{what}");
            assert!(out.contains("&lt;b&gt;x&lt;/b&gt;"), "{what}");
        }
        "csv" => check_csv(what, out),
        _ => {}
    }
    if format == "junit" {
        roxmltree::Document::parse(out).unwrap_or_else(|e| panic!("{what}: {e}"));
    }
}

fn check_json(what: &str, doc: &serde_json::Value) {
    let findings = doc["findings"].as_array().unwrap();
    let diego = findings
        .iter()
        .find(|f| f["subject"]["name"] == DEVICE)
        .unwrap_or_else(|| panic!("{what}: the device name is not kept exact"));
    // Prose quotes it with its line breaks folded.
    let diagnosis = diego["diagnosis"].as_str().unwrap();
    assert!(
        diagnosis.contains("⏎::add-mask::secret"),
        "{what}: {diagnosis}"
    );
    let prose = findings
        .iter()
        .map(|f| &f["diagnosis"])
        .chain(
            doc["health"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| &h["detail"]),
        )
        .chain(
            doc["notes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| &n["message"]),
        );
    for text in prose {
        assert!(
            !text.as_str().unwrap().contains(['\n', '\r']),
            "{what}: {text}"
        );
    }
}

fn check_markdown(what: &str, out: &str) {
    assert!(!out.contains("<img") && !out.contains("<b>"), "{what}");
    assert_eq!(
        out.matches("</details>").count(),
        out.matches("<details>").count(),
        "{what}: the evidence block is closed early"
    );
    assert!(out.contains("`[click](https://evil)`"), "{what}");
    assert!(out.contains("`https://evil.example`"), "{what}");
    assert!(
        !out.contains("# heading") || out.contains("⏎# heading"),
        "{what}"
    );
    for line in out.lines() {
        assert!(!line.starts_with("# h"), "{what}: {line}");
        // A table row keeps its cells: the payload's pipe is escaped.
        if line.starts_with('|') {
            assert!(!line.contains("</details> | "), "{what}: {line}");
        }
    }
}

fn check_csv(what: &str, out: &str) {
    let body = out
        .strip_prefix('\u{feff}')
        .unwrap_or_else(|| panic!("{what}: no BOM"));
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader.headers().unwrap().clone();
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        rows += 1;
        for (column, cell) in header.iter().zip(record.iter()) {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{what}: {column} may run as a formula: {cell:?}"
            );
            // Only the tool's own numbered steps and links span lines.
            if !matches!(column, "remediation" | "references") {
                assert!(!cell.contains('\n'), "{what}: {column}: {cell:?}");
            }
        }
    }
    assert!(rows > 5, "{what}");
    assert!(body.contains("'=HYPERLINK("), "{what}");
    assert!(body.contains("'+ok\\r\\n::add-mask::reason"), "{what}");
}

#[test]
fn validate_shows_hostile_values_as_text() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = hostile_snapshot(root.path());
    for lang in ["en", "ja"] {
        let (out, err, code) = run(&["validate", dir.to_str().unwrap(), "--lang", lang]);
        assert_eq!(code, Some(0), "{err}");
        let what = format!("validate {lang}");
        assert_nothing_hidden(&what, &out, false);
        assert_no_workflow_command(&what, &out, false);
        assert!(
            out.contains("evil\\n::error::file\\u{1b}]0;t\\u{7}+1.txt"),
            "{out}"
        );
    }
}

/// A value that `::` only starts a line of after wrapping: spaces, then the command.
#[test]
fn wrapped_prose_never_starts_a_line_with_a_workflow_command() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("snapshot");
    copy_dir(Path::new("fixtures/sample"), &dir);
    for pad in 0..40 {
        let name = format!("{} ::add-mask::wrapped", "x".repeat(pad));
        std::fs::copy(
            "fixtures/sample/intune-devices.json",
            dir.join("intune-devices.json"),
        )
        .unwrap();
        replace_in(
            &dir.join("intune-devices.json"),
            "Diego's iPhone 13 mini",
            &name,
        );
        for lang in ["en", "ja"] {
            let (out, _, _) = run(&["diagnose", dir.to_str().unwrap(), "--lang", lang]);
            assert!(out.contains("::add-mask::wrapped"), "{pad} {lang}");
            assert_no_workflow_command(&format!("padding {pad} {lang}"), &out, false);
        }
    }
}

/// Errors on stderr: a value is quoted short and escaped, never raw (a line break in
/// it cannot start a workflow command), whatever read it.
#[test]
fn errors_quote_a_short_escaped_prefix() {
    let secret = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";
    let cases: Vec<(&str, String)> = vec![
        (
            "lookout.json",
            format!(
                "{{\"tenant\": {{\"consent\": {{\"granted\": \"{secret}\\n::add-mask::x\\u001b]0;t\\u0007\"}}}}}}"
            ),
        ),
        (
            "lookout.json",
            format!("{{\"coverage\": \"{secret}`, expected `x\"}}"),
        ),
        (
            "groups.csv",
            "Group ID,Group name,Security enabled\ng1,Pilot,\"later\n::add-mask::secret\u{1b}]0;t\u{7}\"\n"
                .to_string(),
        ),
        (
            "lookout-doctor.toml",
            format!("[rules]\n\"{secret}\" = \"info\"\n"),
        ),
    ];
    for (file, content) in cases {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("snapshot");
        copy_dir(Path::new("fixtures/healthy"), &dir);
        if file == "groups.csv" {
            std::fs::remove_file(dir.join("groups.json")).unwrap();
        }
        std::fs::write(dir.join(file), content).unwrap();
        for lang in ["en", "ja"] {
            let (out, err, code) = run(&["diagnose", dir.to_str().unwrap(), "--lang", lang]);
            let what = format!("{file} {lang}: {err}");
            assert_eq!(code, Some(2), "{what}");
            assert!(out.is_empty(), "{what}");
            assert_nothing_hidden(&what, &err, false);
            assert_no_workflow_command(&what, &err, false);
            assert_eq!(err.lines().count(), 1, "{what}");
            assert!(!err.contains("cdefghij"), "{what}");
            assert!(
                err.contains("ghp_0123456789ab…") || err.contains("\"later\\n::add-mask…\""),
                "{what}"
            );
        }
    }
}
