//! `lookout-doctor collect` end to end: the real binary against local fakes of
//! Microsoft Graph v1.0, the Microsoft identity platform and the Lookout Mobile Risk
//! API v2 (tests/support/fakes), serving the tenant of fixtures/export-json-twin.
//! What it collects must diagnose exactly as the hand export does; every way the
//! services fail must end in a clear message, exit 2 and nothing half-written; no
//! secret may reach any output.

mod support;
// Only this test needs the fakes: the other test crates, which share tests/support,
// are not made to compile them.
#[path = "support/fakes/mod.rs"]
mod fakes;

use fakes::graph::REQUEST_ID;
use fakes::http::{call, percent_encode};
use fakes::{
    replies, Fakes, Fault, Options, Proxy, Reply, Response, Service, Tenant, TestCertificate,
    DEVICE_USER_CODE,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The instant the hand export was taken (fixtures/export-json-twin/snapshot.json):
/// both snapshots are judged at it.
const AS_OF: &str = "2026-11-20T12:00:00Z";
/// Early enough for every audit record of the twin (the oldest is from March 2026).
const SINCE: &str = "2026-01-01T00:00:00Z";
/// Seconds per request: short, so that a silent server ends a test quickly.
const TIMEOUT: u64 = 2;

/// The longest a run may take when a service stops answering: the request times out,
/// is tried once more after a short wait (collect's policy for timeouts), times out
/// again; the rest is margin for the requests before it and a loaded machine.
fn silence_bound() -> Duration {
    Duration::from_secs(2 * TIMEOUT + 5)
}

/// Variables that would change where the tool connects or what it signs in with:
/// none may leak in from the developer's shell.
const NETWORK_ENV: [&str; 14] = [
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "AZURE_AUTHORITY_HOST",
    "LOOKOUT_APPLICATION_KEY",
    "ALL_PROXY",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "all_proxy",
    "https_proxy",
    "http_proxy",
    "CI",
];

/// One run of the binary.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Run {
    fn describe(&self) -> String {
        format!(
            "exit {} after {:.1} s\n--- stdout\n{}\n--- stderr\n{}",
            self.code,
            self.elapsed.as_secs_f64(),
            self.stdout,
            self.stderr
        )
    }

    #[track_caller]
    fn assert_written(&self) {
        assert_eq!(self.code, 0, "collect failed: {}", self.describe());
    }

    /// Exit 2 with a message naming each of `parts` (case-insensitive).
    #[track_caller]
    fn assert_refused(&self, parts: &[&str]) {
        assert_eq!(self.code, 2, "expected exit 2: {}", self.describe());
        let stderr = self.stderr.to_lowercase();
        for part in parts {
            assert!(
                stderr.contains(&part.to_lowercase()),
                "stderr does not name {part:?}: {}",
                self.describe()
            );
        }
    }
}

/// `collect DIR ARGS` with the tests' usual options (a short `--timeout`, the hand
/// export's instant as `--as-of`, `--since` early enough for every audit record unless
/// ARGS gives one), the fakes' credentials in the environment plus `env`, and nothing
/// else from the developer's shell; stdin, stdout and stderr are not terminals.
fn run_collect(fakes: &Fakes, dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = support::bin();
    for var in NETWORK_ENV {
        cmd.env_remove(var);
    }
    cmd.arg("collect")
        .arg(dir)
        .args(["--timeout", &TIMEOUT.to_string(), "--as-of", AS_OF]);
    if !args.contains(&"--since") {
        cmd.args(["--since", SINCE]);
    }
    cmd.args(args)
        .envs(fakes.env())
        .envs(env.iter().copied())
        .write_stdin("");
    let started = Instant::now();
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

/// `collect DIR` against the fakes, with `extra` arguments and `env` variables.
fn collect_with(fakes: &Fakes, dir: &Path, env: &[(&str, &str)], extra: &[&str]) -> Run {
    let urls = fakes.url_args();
    let mut args: Vec<&str> = urls.iter().map(String::as_str).collect();
    args.extend_from_slice(extra);
    run_collect(fakes, dir, env, &args)
}

fn collect(fakes: &Fakes, dir: &Path, extra: &[&str]) -> Run {
    collect_with(fakes, dir, &[], extra)
}

/// A folder holding only the twin's lookout.json: the Lookout console's settings,
/// which have no API and which the administrator writes by hand.
fn dir_with_twin_settings() -> (tempfile::TempDir, PathBuf) {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("snapshot");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(
        support::fixture("export-json-twin").join("lookout.json"),
        dir.join("lookout.json"),
    )
    .unwrap();
    (parent, dir)
}

/// The findings that matter for equality (rule, subject, cause, severity), sorted,
/// and the exit code of `diagnose DIR` judged as of the hand export's instant.
fn findings(dir: &Path) -> (Vec<String>, i32) {
    let (report, code) =
        support::json_report(&["diagnose", dir.to_str().unwrap(), "--as-of", AS_OF]);
    let mut found: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{} cause={} {}",
                f["rule"].as_str().unwrap(),
                f["subject"]["kind"].as_str().unwrap_or(""),
                f["subject"]["id"].as_str().unwrap_or(""),
                f["cause"].as_str().unwrap_or("-"),
                f["severity"].as_str().unwrap()
            )
        })
        .collect();
    found.sort();
    (found, code)
}

#[track_caller]
fn assert_diagnoses_as_the_twin(dir: &Path) {
    let expected = findings(&support::fixture("export-json-twin"));
    let got = findings(dir);
    assert!(!expected.0.is_empty());
    assert_eq!(
        got,
        expected,
        "collected {} diagnoses differently from the hand export",
        dir.display()
    );
}

/// Every file under a folder, by path relative to it, with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            if e.file_type().unwrap().is_dir() {
                pending.push(e.path());
            } else {
                files.insert(
                    e.path().strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(e.path()).unwrap(),
                );
            }
        }
    }
    files
}

/// The parent folder as it was before a run: a failed run must leave it so (no DIR
/// if there was none, DIR unchanged if there was, no temporary folder beside it).
struct Untouched {
    parent: PathBuf,
    entries: BTreeSet<std::ffi::OsString>,
    files: BTreeMap<PathBuf, Vec<u8>>,
}

fn entries(dir: &Path) -> BTreeSet<std::ffi::OsString> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect()
}

impl Untouched {
    fn record(parent: &Path) -> Untouched {
        Untouched {
            parent: parent.to_path_buf(),
            entries: entries(parent),
            files: tree(parent),
        }
    }

    #[track_caller]
    fn check(&self, run: &Run) {
        assert_eq!(
            entries(&self.parent),
            self.entries,
            "something was left beside DIR: {}",
            run.describe()
        );
        let after = tree(&self.parent);
        assert_eq!(
            after.keys().collect::<Vec<_>>(),
            self.files.keys().collect::<Vec<_>>(),
            "files appeared or vanished: {}",
            run.describe()
        );
        assert!(after == self.files, "a file changed: {}", run.describe());
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fresh parent folder and the path of a DIR that does not exist yet.
fn fresh_dir() -> (tempfile::TempDir, PathBuf) {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("snapshot");
    (parent, dir)
}

/// Fakes whose Graph pages hold at most `page` items, so that every listing of the
/// twin spans several pages.
fn paged_fakes(page: usize) -> Fakes {
    Fakes::with(
        Tenant::twin(),
        Options {
            graph_page_size: page,
            ..Options::default()
        },
    )
}

/// How many records a collected file holds (`value` for Graph, `devices` for Lookout).
fn records(path: &Path) -> usize {
    let doc = read_json(path);
    doc.get("value")
        .or_else(|| doc.get("devices"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

/// Requests a fake did not answer with 200, for a failure message.
fn refused_requests(fakes: &Fakes) -> Vec<String> {
    fakes
        .requests()
        .iter()
        .filter(|r| r.status != Some(200))
        .map(|r| {
            format!(
                "{:?} {} {} -> {:?}",
                r.service, r.request.method, r.request.target, r.status
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------
// The same tenant, collected and exported by hand, gives the same findings.

#[test]
fn collect_then_diagnose_gives_the_findings_of_the_hand_export() {
    let fakes = paged_fakes(5);
    let (_parent, dir) = dir_with_twin_settings();
    let run = collect(&fakes, &dir, &[]);
    run.assert_written();
    assert!(
        refused_requests(&fakes).is_empty(),
        "requests the services would refuse: {:#?}",
        refused_requests(&fakes)
    );
    assert_diagnoses_as_the_twin(&dir);

    // Every listing was followed through its pages: 25 devices at 5 a page.
    assert_eq!(
        fakes
            .requests_to(Service::Graph, "/deviceManagement/managedDevices")
            .len(),
        5
    );
    assert_eq!(records(&dir.join("intune-devices.json")), 25);
    assert_eq!(records(&dir.join("audit-logs.json")), 19);
    assert_eq!(records(&dir.join("lookout-devices.json")), 16);
    for file in [
        "groups.json",
        "intune-mtd-connector.json",
        "service-principals.json",
    ] {
        assert!(dir.join(file).is_file(), "{file} was not written");
    }
    let settings = std::fs::read(dir.join("lookout.json")).unwrap();
    let twin_settings =
        std::fs::read(support::fixture("export-json-twin").join("lookout.json")).unwrap();
    assert_eq!(
        settings, twin_settings,
        "the administrator's lookout.json was not kept as it was"
    );

    let manifest = read_json(&dir.join("snapshot.json"));
    let exported_at = manifest["exported_at"].as_str().unwrap_or_default();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(exported_at).ok(),
        chrono::DateTime::parse_from_rfc3339(AS_OF).ok(),
        "snapshot.json: {manifest:#}"
    );
    assert!(manifest["tenant_id"]
        .as_str()
        .is_some_and(|t| t.eq_ignore_ascii_case(&fakes.credentials().tenant_id)));
    let text = manifest.to_string();
    assert!(
        text.contains(env!("CARGO_PKG_VERSION")),
        "no tool version: {manifest:#}"
    );
    // Per file, where it came from: the pages and records served (SPEC 8).
    let source = |file: &str, key: &str| manifest["files"][file][key].as_u64();
    let served = |path: &str| fakes.requests_to(Service::Graph, path).len() as u64;
    assert_eq!(
        source("intune-devices.json", "pages"),
        Some(5),
        "{manifest:#}"
    );
    assert_eq!(
        source("intune-devices.json", "records"),
        Some(25),
        "{manifest:#}"
    );
    assert_eq!(
        source("audit-logs.json", "records"),
        Some(19),
        "{manifest:#}"
    );
    assert_eq!(
        source("audit-logs.json", "pages"),
        Some(served("/auditLogs/directoryAudits")),
        "{manifest:#}"
    );
    assert_eq!(
        source("lookout-devices.json", "records"),
        Some(16),
        "{manifest:#}"
    );
    for file in [
        "groups.json",
        "intune-mtd-connector.json",
        "service-principals.json",
    ] {
        assert!(
            source(file, "records").is_some(),
            "snapshot.json does not say where {file} came from: {manifest:#}"
        );
    }
}

#[test]
fn every_group_with_its_members_on_request() {
    let fakes = paged_fakes(5);
    let (_parent, dir) = dir_with_twin_settings();
    collect(&fakes, &dir, &["--all-groups"]).assert_written();
    assert!(
        refused_requests(&fakes).is_empty(),
        "{:#?}",
        refused_requests(&fakes)
    );
    assert_diagnoses_as_the_twin(&dir);
    // All ten groups, the 23 members of the largest (more than $expand's 20) included.
    let groups = read_json(&dir.join("groups.json"));
    let groups = groups["value"].as_array().unwrap();
    assert_eq!(groups.len(), 10, "{groups:#?}");
    let staff = groups
        .iter()
        .find(|g| g["displayName"] == "All Contoso Staff")
        .unwrap();
    assert_eq!(staff["members"].as_array().map_or(0, Vec::len), 23);
}

#[test]
fn empty_pages_that_carry_a_next_link_are_followed() {
    // A recent --since keeps the audit queries within Graph's pace for reports (five
    // requests in ten seconds), which collect keeps to.
    let args = ["--since", "2026-11-01T00:00:00Z"];
    let collected = |empty_first_pages| {
        let fakes = Fakes::with(
            Tenant::twin(),
            Options {
                graph_page_size: 10,
                graph_empty_first_pages: empty_first_pages,
                ..Options::default()
            },
        );
        let (parent, dir) = dir_with_twin_settings();
        collect(&fakes, &dir, &args).assert_written();
        (parent, dir)
    };
    let (_plain, plain) = collected(false);
    let (_empty, with_empty_pages) = collected(true);
    for file in [
        "intune-devices.json",
        "groups.json",
        "audit-logs.json",
        "intune-mtd-connector.json",
        "service-principals.json",
    ] {
        assert_eq!(
            read_json(&with_empty_pages.join(file)),
            read_json(&plain.join(file)),
            "{file}"
        );
    }
}

#[test]
fn lookout_devices_are_read_through_every_page_by_oid() {
    let fakes = Fakes::with(
        Tenant::twin().with_more_lookout_devices(2_100),
        Options::default(),
    );
    let (_parent, dir) = dir_with_twin_settings();
    collect(&fakes, &dir, &[]).assert_written();
    let doc = read_json(&dir.join("lookout-devices.json"));
    let guids: BTreeSet<&str> = doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["guid"].as_str())
        .collect();
    assert_eq!(
        doc["devices"].as_array().unwrap().len(),
        2_116,
        "devices missing or repeated"
    );
    assert_eq!(guids.len(), 2_116);
    let pages = fakes.requests_to(Service::Lookout, "/mra/api/v2/devices");
    assert!(pages.len() >= 3, "{} pages for 2,116 devices", pages.len());
    // Each page after the first asks for the devices after the last one it received.
    let served: Vec<Value> = fakes.state().tenant.lookout_devices.clone();
    let mut seen = 0;
    for page in &pages {
        match page.request.query("oid") {
            None => assert_eq!(seen, 0, "a later page without oid"),
            Some(oid) => assert_eq!(served[seen - 1]["oid"], oid, "oid is not the last device's"),
        }
        let limit: usize = page
            .request
            .query("limit")
            .map_or(100, |l| l.parse().unwrap());
        seen = (seen + limit).min(served.len());
    }
}

// ---------------------------------------------------------------------------------
// Throttling and outages: waited out, within bounds.

#[test]
fn graph_throttling_waits_for_retry_after() {
    let fakes = paged_fakes(10);
    fakes.fail(
        Fault::graph(
            "/deviceManagement/managedDevices",
            replies::graph_throttled(1),
        )
        .after(1),
    );
    let (_parent, dir) = dir_with_twin_settings();
    collect(&fakes, &dir, &[]).assert_written();
    assert_diagnoses_as_the_twin(&dir);
    let pages = fakes.requests_to(Service::Graph, "/deviceManagement/managedDevices");
    let throttled = pages.iter().position(|r| r.status == Some(429)).unwrap();
    let retried = &pages[throttled + 1];
    assert_eq!(
        retried.request.target, pages[throttled].request.target,
        "not the same page again"
    );
    let waited = retried.at - pages[throttled].at;
    assert!(
        waited >= Duration::from_millis(950),
        "retried after {waited:?}, Retry-After: 1"
    );
}

#[test]
fn a_passing_outage_is_retried() {
    let fakes = Fakes::start();
    fakes.fail(Fault::graph(
        "/auditLogs/directoryAudits",
        replies::graph_unavailable(None),
    ));
    let (_parent, dir) = dir_with_twin_settings();
    collect(&fakes, &dir, &[]).assert_written();
    assert_diagnoses_as_the_twin(&dir);
}

#[test]
fn a_lasting_outage_fails_after_a_few_tries() {
    let fakes = Fakes::start();
    fakes.fail(
        Fault::graph(
            "/deviceManagement/managedDevices",
            replies::graph_unavailable(Some(1)),
        )
        .always(),
    );
    let (parent, dir) = fresh_dir();
    let untouched = Untouched::record(parent.path());
    let run = collect(&fakes, &dir, &[]);
    run.assert_refused(&["managedDevices", "503", "serviceNotAvailable"]);
    untouched.check(&run);
    let tries = fakes
        .requests_to(Service::Graph, "/deviceManagement/managedDevices")
        .len();
    assert!(
        (2..=5).contains(&tries),
        "{tries} tries of a service that is down"
    );
}

#[test]
fn a_retry_after_longer_than_collect_waits_gives_up_at_once() {
    let fakes = Fakes::start();
    fakes.fail(
        Fault::graph(
            "/deviceManagement/managedDevices",
            replies::graph_throttled(3_600),
        )
        .always(),
    );
    let (parent, dir) = fresh_dir();
    let untouched = Untouched::record(parent.path());
    let run = collect(&fakes, &dir, &[]);
    run.assert_refused(&["managedDevices", "429"]);
    untouched.check(&run);
    assert!(run.elapsed < Duration::from_secs(20), "{}", run.describe());
}

#[test]
fn lookout_throttling_waits_for_retry_after() {
    let fakes = Fakes::start();
    fakes.fail(Fault::lookout(
        "/mra/api/v2/devices",
        replies::lookout_throttled(1),
    ));
    let (_parent, dir) = dir_with_twin_settings();
    collect(&fakes, &dir, &[]).assert_written();
    assert_diagnoses_as_the_twin(&dir);
    let pages = fakes.requests_to(Service::Lookout, "/mra/api/v2/devices");
    assert_eq!(pages[0].status, Some(429));
    assert!(pages[1].at - pages[0].at >= Duration::from_millis(950));
}

// ---------------------------------------------------------------------------------
// Tokens that expire mid-run, credentials that are refused.

#[test]
fn a_graph_token_that_expires_mid_run_is_renewed_once() {
    let fakes = Fakes::with(
        Tenant::twin(),
        Options {
            graph_page_size: 5,
            graph_token_uses: Some(5),
            ..Options::default()
        },
    );
    let (_parent, dir) = dir_with_twin_settings();
    collect(&fakes, &dir, &[]).assert_written();
    assert_diagnoses_as_the_twin(&dir);
    let graph = fakes.requests_to(Service::Graph, "/v1.0/");
    let expired = graph
        .iter()
        .position(|r| r.status == Some(401))
        .expect("the token expired");
    assert_eq!(graph.iter().filter(|r| r.status == Some(401)).count(), 1);
    let (before, after) = (&graph[expired], &graph[expired + 1]);
    assert_eq!(
        after.request.target, before.request.target,
        "the refused request was not sent again"
    );
    assert_ne!(
        after.request.bearer(),
        before.request.bearer(),
        "sent again with the expired token"
    );
    assert_eq!(
        fakes
            .requests_to(Service::Login, "/oauth2/v2.0/token")
            .len(),
        2
    );
}

#[test]
fn a_token_refused_again_after_renewal_is_a_clear_failure() {
    let fakes = Fakes::start();
    let refused = Reply::Send(fakes::graph::error(
        401,
        "InvalidAuthenticationToken",
        "Access token has expired or is not yet valid.",
    ));
    fakes.fail(Fault::graph("/deviceManagement/managedDevices", refused).always());
    let (parent, dir) = dir_with_twin_settings();
    let untouched = Untouched::record(parent.path());
    let run = collect(&fakes, &dir, &[]);
    run.assert_refused(&["managedDevices", "401", "InvalidAuthenticationToken"]);
    untouched.check(&run);
    // One new token, one more try: no loop.
    let tries = fakes
        .requests_to(Service::Graph, "/deviceManagement/managedDevices")
        .len();
    assert!(tries <= 3, "{tries} tries with refused tokens");
}

#[test]
fn a_lookout_token_that_expires_mid_run_is_renewed_without_repeating_devices() {
    let fakes = Fakes::with(
        Tenant::twin().with_more_lookout_devices(1_500),
        Options {
            lookout_token_uses: Some(1),
            ..Options::default()
        },
    );
    let (_parent, dir) = dir_with_twin_settings();
    collect(&fakes, &dir, &[]).assert_written();
    assert_eq!(
        fakes.requests_to(Service::Lookout, "/oauth2/token").len(),
        2
    );
    let doc = read_json(&dir.join("lookout-devices.json"));
    let devices = doc["devices"].as_array().unwrap();
    let guids: BTreeSet<&str> = devices.iter().filter_map(|d| d["guid"].as_str()).collect();
    assert_eq!((devices.len(), guids.len()), (1_516, 1_516));
}

#[test]
fn a_refused_client_secret_is_a_clear_failure() {
    let fakes = Fakes::start();
    let (parent, dir) = dir_with_twin_settings();
    let untouched = Untouched::record(parent.path());
    let wrong = "Wr0ng~secret.value.that.must.not.be.echoed";
    let run = collect_with(&fakes, &dir, &[("AZURE_CLIENT_SECRET", wrong)], &[]);
    run.assert_refused(&["oauth2/v2.0/token", "401", "AADSTS7000215"]);
    untouched.check(&run);
    assert!(
        !run.stderr.contains(wrong) && !run.stdout.contains(wrong),
        "{}",
        run.describe()
    );
}

#[test]
fn a_refused_lookout_key_is_a_clear_failure() {
    let fakes = Fakes::start();
    let (parent, dir) = dir_with_twin_settings();
    let untouched = Untouched::record(parent.path());
    let wrong = "lk-wrong-application-key-that-must-not-be-echoed";
    let run = collect_with(&fakes, &dir, &[("LOOKOUT_APPLICATION_KEY", wrong)], &[]);
    run.assert_refused(&["/oauth2/token", "401", "invalid_client"]);
    untouched.check(&run);
    assert!(
        !run.stderr.contains(wrong) && !run.stdout.contains(wrong),
        "{}",
        run.describe()
    );
}

#[test]
fn a_missing_lookout_key_is_named_before_anything_is_read() {
    let fakes = Fakes::start();
    let (parent, dir) = fresh_dir();
    let untouched = Untouched::record(parent.path());
    let run = collect_with(&fakes, &dir, &[("LOOKOUT_APPLICATION_KEY", "")], &[]);
    run.assert_refused(&["LOOKOUT_APPLICATION_KEY"]);
    untouched.check(&run);
    assert!(
        fakes.requests().is_empty(),
        "requests sent: {:#?}",
        fakes.requests().len()
    );
}

#[test]
fn no_lookout_skips_the_lookout_api() {
    let fakes = Fakes::start();
    let (_parent, dir) = dir_with_twin_settings();
    collect_with(
        &fakes,
        &dir,
        &[("LOOKOUT_APPLICATION_KEY", "")],
        &["--no-lookout"],
    )
    .assert_written();
    assert!(fakes.requests_to(Service::Lookout, "/").is_empty());
    assert!(!dir.join("lookout-devices.json").exists());
    assert!(dir.join("intune-devices.json").is_file());
}

// ---------------------------------------------------------------------------------
// Missing permissions: the 403 names the permission to grant.

#[test]
fn a_missing_directory_permission_is_named() {
    let fakes = Fakes::start();
    fakes.fail(
        Fault::graph(
            "/auditLogs/directoryAudits",
            replies::graph_directory_denied(),
        )
        .always(),
    );
    let (parent, dir) = dir_with_twin_settings();
    let untouched = Untouched::record(parent.path());
    let run = collect(&fakes, &dir, &[]);
    run.assert_refused(&[
        "auditLogs/directoryAudits",
        "403",
        "Authorization_RequestDenied",
        "AuditLog.Read.All",
        REQUEST_ID,
    ]);
    untouched.check(&run);
}

#[test]
fn a_missing_intune_permission_is_named() {
    let fakes = Fakes::start();
    fakes.fail(
        Fault::graph(
            "/deviceManagement/managedDevices",
            replies::graph_intune_denied("DeviceManagementManagedDevices.Read.All, DeviceManagementManagedDevices.ReadWrite.All"),
        )
        .always(),
    );
    let (parent, dir) = fresh_dir();
    let untouched = Untouched::record(parent.path());
    let run = collect(&fakes, &dir, &[]);
    run.assert_refused(&[
        "deviceManagement/managedDevices",
        "403",
        "DeviceManagementManagedDevices.Read.All",
    ]);
    untouched.check(&run);
}

#[test]
fn a_missing_group_permission_is_named() {
    let fakes = Fakes::start();
    fakes.fail(Fault::graph("/groups", replies::graph_directory_denied()).always());
    let (parent, dir) = dir_with_twin_settings();
    let untouched = Untouched::record(parent.path());
    let run = collect(&fakes, &dir, &[]);
    run.assert_refused(&[
        "/groups",
        "403",
        "Authorization_RequestDenied",
        "GroupMember.Read.All",
    ]);
    untouched.check(&run);
}

// ---------------------------------------------------------------------------------
// Broken answers: malformed, cut off, never sent.

#[test]
fn a_malformed_page_read_once_more_is_accepted() {
    let fakes = paged_fakes(5);
    fakes.fail(
        Fault::graph(
            "/auditLogs/directoryAudits",
            replies::graph_malformed_page(),
        )
        .after(1),
    );
    let (_parent, dir) = dir_with_twin_settings();
    collect(&fakes, &dir, &[]).assert_written();
    assert_diagnoses_as_the_twin(&dir);
}

#[test]
fn a_page_that_stays_malformed_is_a_clear_failure() {
    let fakes = paged_fakes(5);
    fakes.fail(
        Fault::graph(
            "/auditLogs/directoryAudits",
            replies::graph_malformed_page(),
        )
        .after(1)
        .always(),
    );
    let (parent, dir) = dir_with_twin_settings();
    let untouched = Untouched::record(parent.path());
    let run = collect(&fakes, &dir, &[]);
    run.assert_refused(&["auditLogs/directoryAudits", "page"]);
    untouched.check(&run);
}

#[test]
fn a_body_cut_off_halfway_is_retried() {
    let fakes = paged_fakes(10);
    let page = fakes_page_reply(&fakes);
    fakes.fail(Fault::graph("/deviceManagement/managedDevices", Reply::HangUp(page)).after(1));
    let (_parent, dir) = dir_with_twin_settings();
    collect(&fakes, &dir, &[]).assert_written();
    assert_diagnoses_as_the_twin(&dir);
}

/// A full-size 200 answer to cut in half: the shape of a real page.
fn fakes_page_reply(fakes: &Fakes) -> Response {
    let devices: Vec<Value> = fakes.state().tenant.managed_devices.clone();
    Response::json(200, &serde_json::json!({"value": devices}))
}

#[test]
fn a_server_that_stops_answering_fails_within_the_timeout() {
    let fakes = paged_fakes(10);
    fakes.fail(
        Fault::graph("/deviceManagement/managedDevices", Reply::Silent)
            .after(1)
            .always(),
    );
    let (parent, dir) = dir_with_twin_settings();
    let untouched = Untouched::record(parent.path());
    let run = collect(&fakes, &dir, &[]);
    run.assert_refused(&["managedDevices", "timeout"]);
    untouched.check(&run);
    let bound = silence_bound();
    assert!(
        run.elapsed >= Duration::from_secs(TIMEOUT),
        "{}",
        run.describe()
    );
    assert!(
        run.elapsed <= bound,
        "a silent server held collect {:?} (--timeout {TIMEOUT}): {}",
        run.elapsed,
        run.describe()
    );
}

#[test]
fn a_body_that_stalls_halfway_fails_within_the_timeout() {
    let fakes = paged_fakes(10);
    let page = fakes_page_reply(&fakes);
    fakes.fail(
        Fault::graph("/deviceManagement/managedDevices", Reply::Stall(page))
            .after(1)
            .always(),
    );
    let (parent, dir) = fresh_dir();
    let untouched = Untouched::record(parent.path());
    let run = collect(&fakes, &dir, &[]);
    run.assert_refused(&["managedDevices", "timeout"]);
    untouched.check(&run);
    assert!(run.elapsed <= silence_bound(), "{}", run.describe());
}

#[test]
fn a_silent_sign_in_fails_within_the_timeout() {
    let fakes = Fakes::start();
    fakes.fail(Fault::login("/oauth2/v2.0/token", Reply::Silent).always());
    let (parent, dir) = fresh_dir();
    let untouched = Untouched::record(parent.path());
    let run = collect(&fakes, &dir, &[]);
    run.assert_refused(&["oauth2/v2.0/token", "timeout"]);
    untouched.check(&run);
    assert!(run.elapsed <= silence_bound(), "{}", run.describe());
}

#[test]
fn a_silent_lookout_api_fails_within_the_timeout() {
    let fakes = Fakes::start();
    fakes.fail(Fault::lookout("/mra/api/v2/devices", Reply::Silent).always());
    let (parent, dir) = dir_with_twin_settings();
    let untouched = Untouched::record(parent.path());
    let run = collect(&fakes, &dir, &[]);
    run.assert_refused(&["/mra/api/v2/devices", "timeout"]);
    untouched.check(&run);
    assert!(run.elapsed <= silence_bound(), "{}", run.describe());
}

#[test]
fn a_next_link_to_another_host_is_not_followed() {
    let fakes = Fakes::start();
    let elsewhere = Fakes::start();
    let page = Response::json(
        200,
        &serde_json::json!({
            "value": [],
            "@odata.nextLink": format!("{}/v1.0/deviceManagement/managedDevices?$skiptoken=RFNwdAIAAQAAACo00000", elsewhere.graph_url)
        }),
    );
    fakes.fail(Fault::graph("/deviceManagement/managedDevices", Reply::Send(page)).always());
    let (parent, dir) = fresh_dir();
    let untouched = Untouched::record(parent.path());
    let run = collect(&fakes, &dir, &[]);
    assert_eq!(run.code, 2, "{}", run.describe());
    untouched.check(&run);
    assert!(
        elsewhere.requests().is_empty(),
        "the bearer token went to another host"
    );
}

// ---------------------------------------------------------------------------------
// The folder: kept settings, a started template, whole or nothing.

#[test]
fn collecting_again_keeps_the_settings_and_replaces_the_data() {
    let fakes = Fakes::start();
    let (_parent, dir) = dir_with_twin_settings();
    collect(&fakes, &dir, &[]).assert_written();
    // A severity it restates leaves the findings as they are.
    let config = "# kept by collect\n[rules]\ndevice-pending = \"warning\"\n";
    std::fs::write(dir.join("lookout-doctor.toml"), config).unwrap();
    std::fs::write(dir.join("README.md"), "notes of the administrator\n").unwrap();
    std::fs::write(dir.join("intune-devices.json"), r#"{"value": []}"#).unwrap();
    collect(&fakes, &dir, &[]).assert_written();
    assert_eq!(
        std::fs::read_to_string(dir.join("lookout-doctor.toml")).unwrap(),
        config
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("README.md")).unwrap(),
        "notes of the administrator\n"
    );
    assert_eq!(
        std::fs::read(dir.join("lookout.json")).unwrap(),
        std::fs::read(support::fixture("export-json-twin").join("lookout.json")).unwrap()
    );
    assert_eq!(
        records(&dir.join("intune-devices.json")),
        25,
        "the earlier data was not replaced"
    );
    assert_diagnoses_as_the_twin(&dir);
    // Nothing left beside the folder.
    let beside: Vec<_> = entries(dir.parent().unwrap()).into_iter().collect();
    assert_eq!(beside, vec![std::ffi::OsString::from("snapshot")]);
}

#[test]
fn a_folder_with_files_collect_did_not_write_is_refused_as_it_is() {
    let fakes = Fakes::start();
    let (parent, dir) = dir_with_twin_settings();
    // A hand export: replacing the folder would lose it.
    std::fs::copy(
        support::fixture("export-json-twin").join("groups.json"),
        dir.join("groups.json"),
    )
    .unwrap();
    let untouched = Untouched::record(parent.path());
    let run = collect(&fakes, &dir, &[]);
    run.assert_refused(&["groups.json"]);
    untouched.check(&run);
    assert!(
        fakes.requests().is_empty(),
        "collected before refusing the folder"
    );
}

#[test]
fn a_new_folder_starts_from_the_template_with_the_tenant_id() {
    let fakes = Fakes::start();
    let (parent, dir) = fresh_dir();
    collect(&fakes, &dir, &[]).assert_written();
    let settings = read_json(&dir.join("lookout.json"));
    assert!(
        settings["tenant"]["azure_ad_tenant_id"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case(&fakes.credentials().tenant_id)),
        "{settings:#}"
    );
    // The console's group ids cannot come from Graph: placeholders, not guesses.
    assert!(settings["console_access"]["full_access_group_id"]
        .as_str()
        .is_none_or(|g| fakes.state().tenant.group(g).is_none()));
    // The collected folder loads; the placeholders are reported, not a crash.
    let (report, code) = support::json_report(&["diagnose", dir.to_str().unwrap()]);
    assert!(
        code == 0 || code == 1,
        "diagnose of a started folder: exit {code}, {report:#}"
    );
    assert_eq!(entries(parent.path()).len(), 1);
}

#[test]
fn a_failed_run_leaves_an_earlier_snapshot_as_it_was() {
    let fakes = Fakes::start();
    let (parent, dir) = dir_with_twin_settings();
    collect(&fakes, &dir, &[]).assert_written();
    fakes.fail(Fault::lookout("/mra/api/v2/devices", replies::lookout_throttled(3_600)).always());
    let untouched = Untouched::record(parent.path());
    let run = collect(&fakes, &dir, &[]);
    run.assert_refused(&["/mra/api/v2/devices", "429"]);
    untouched.check(&run);
}

// ---------------------------------------------------------------------------------
// Secrets never appear: not in stdout, stderr (even --verbose), any collected file
// or any report of the collected folder.

#[track_caller]
fn assert_no_secret(secrets: &[String], place: &str, text: &str) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "a secret ({}…) appears in {place}",
            &secret[..6.min(secret.len())]
        );
    }
}

#[track_caller]
fn assert_no_secret_anywhere(fakes: &Fakes, run: &Run, dir: &Path) {
    let secrets = fakes.secrets();
    assert!(
        secrets.len() >= 3,
        "no token was issued: {}",
        run.describe()
    );
    assert_no_secret(&secrets, "stdout", &run.stdout);
    assert_no_secret(&secrets, "stderr", &run.stderr);
    for (path, bytes) in tree(dir) {
        assert_no_secret(
            &secrets,
            &path.display().to_string(),
            &String::from_utf8_lossy(&bytes),
        );
    }
    for format in ["json", "human"] {
        let out = support::bin()
            .args([
                "diagnose",
                dir.to_str().unwrap(),
                "--as-of",
                AS_OF,
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert_no_secret(
            &secrets,
            &format!("the {format} report"),
            &String::from_utf8_lossy(&out.stdout),
        );
        assert_no_secret(
            &secrets,
            "diagnose's stderr",
            &String::from_utf8_lossy(&out.stderr),
        );
    }
}

#[test]
fn no_secret_appears_in_any_output_even_verbose() {
    let fakes = Fakes::with(
        Tenant::twin(),
        Options {
            graph_page_size: 10,
            graph_token_uses: Some(4),
            ..Options::default()
        },
    );
    fakes.fail(
        Fault::graph(
            "/deviceManagement/managedDevices",
            replies::graph_throttled(1),
        )
        .after(1),
    );
    let (_parent, dir) = dir_with_twin_settings();
    let run = collect(&fakes, &dir, &["--verbose"]);
    run.assert_written();
    assert!(
        run.stderr.lines().count() > 5,
        "--verbose said little: {}",
        run.describe()
    );
    // Two Graph tokens (one renewed) and a Lookout one.
    assert!(fakes.issued_tokens().len() >= 3);
    assert_no_secret_anywhere(&fakes, &run, &dir);
}

#[test]
fn no_secret_appears_when_the_run_fails() {
    let fakes = Fakes::start();
    fakes.fail(Fault::graph("/groups", replies::graph_directory_denied()).always());
    let (_parent, dir) = dir_with_twin_settings();
    let run = collect(&fakes, &dir, &["--verbose"]);
    assert_eq!(run.code, 2, "{}", run.describe());
    let secrets = fakes.secrets();
    assert_no_secret(&secrets, "stdout", &run.stdout);
    assert_no_secret(&secrets, "stderr", &run.stderr);
}

// ---------------------------------------------------------------------------------
// Other ways to sign in: a certificate, a person with a device code.

fn certificate_sign_in(cert: TestCertificate) {
    let fakes = Fakes::start();
    fakes.use_certificate(cert);
    let (_parent, dir) = dir_with_twin_settings();
    let run = collect(&fakes, &dir, &["--verbose"]);
    run.assert_written();
    assert_diagnoses_as_the_twin(&dir);
    let token_requests = fakes.requests_to(Service::Login, "/oauth2/v2.0/token");
    assert_eq!(token_requests.len(), 1);
    let form = token_requests[0].request.form();
    let names: Vec<&str> = form.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"client_assertion") && !names.contains(&"client_secret"),
        "{names:?}"
    );
    assert_no_secret_anywhere(&fakes, &run, &dir);
}

#[test]
fn a_certificate_signs_in_with_a_signed_assertion() {
    certificate_sign_in(TestCertificate::pkcs8());
}

#[test]
fn a_certificate_with_a_pkcs1_key_after_it_signs_in_too() {
    certificate_sign_in(TestCertificate::pkcs1());
}

#[test]
fn a_person_signs_in_with_a_device_code() {
    let fakes = Fakes::with(
        Tenant::twin(),
        Options {
            device_code_pending: 1,
            device_code_interval: 1,
            ..Options::default()
        },
    );
    fakes.use_device_code();
    let (_parent, dir) = dir_with_twin_settings();
    let run = collect(&fakes, &dir, &["--device-code"]);
    run.assert_written();
    assert_diagnoses_as_the_twin(&dir);
    assert!(
        run.stderr.contains(DEVICE_USER_CODE),
        "no code shown: {}",
        run.describe()
    );
    assert!(
        run.stderr.contains("https://microsoft.com/devicelogin"),
        "{}",
        run.describe()
    );
    assert!(
        !run.stdout.contains(DEVICE_USER_CODE),
        "the sign-in belongs on stderr"
    );
    let polls = fakes.requests_to(Service::Login, "/oauth2/v2.0/token");
    assert_eq!(polls.len(), 2, "one pending answer, then the token");
    assert_eq!(
        polls[0].request.form_value("grant_type").as_deref(),
        Some("urn:ietf:params:oauth:grant-type:device_code")
    );
    assert!(
        polls[1].at - polls[0].at >= Duration::from_millis(950),
        "polled faster than the interval"
    );
    assert_no_secret_anywhere(&fakes, &run, &dir);
}

#[test]
fn without_a_secret_or_a_terminal_the_device_code_must_be_asked_for() {
    let fakes = Fakes::start();
    fakes.use_device_code();
    let (parent, dir) = fresh_dir();
    let untouched = Untouched::record(parent.path());
    let run = collect(&fakes, &dir, &[]);
    run.assert_refused(&["AZURE_CLIENT_SECRET", "--device-code"]);
    untouched.check(&run);
    assert!(fakes.requests_to(Service::Login, "/").is_empty());
}

// ---------------------------------------------------------------------------------
// stderr: no progress noise when it is not a terminal.

#[test]
fn stderr_holds_one_summary_line_when_not_a_terminal() {
    for ci in [Some("true"), None] {
        let fakes = paged_fakes(10);
        let (_parent, dir) = dir_with_twin_settings();
        let env: Vec<(&str, &str)> = ci.map(|v| ("CI", v)).into_iter().collect();
        let run = collect_with(&fakes, &dir, &env, &[]);
        run.assert_written();
        let lines: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert_eq!(lines.len(), 1, "CI={ci:?}: {}", run.describe());
        assert!(
            !run.stderr.contains('\r') && !run.stderr.contains('\u{1b}'),
            "progress drawing: {:?}",
            run.stderr
        );
    }
}

// ---------------------------------------------------------------------------------
// National clouds: each --cloud reaches its own sign-in authority and Graph. The
// real hosts are never contacted: a proxy that refuses every tunnel records where
// the tool was headed (the fakes on 127.0.0.1 are reached directly, NO_PROXY).

/// (--cloud, sign-in authority, Graph) as learn.microsoft.com/graph/deployments gives them.
const CLOUDS: [(&str, &str, &str); 4] = [
    ("global", "login.microsoftonline.com", "graph.microsoft.com"),
    ("usgov", "login.microsoftonline.us", "graph.microsoft.us"),
    (
        "usgov-dod",
        "login.microsoftonline.us",
        "dod-graph.microsoft.us",
    ),
    (
        "china",
        "login.chinacloudapi.cn",
        "microsoftgraph.chinacloudapi.cn",
    ),
];

/// `collect` with only some of the fakes' URLs, its other traffic sent to `proxy`.
fn collect_through(proxy: &Proxy, fakes: &Fakes, dir: &Path, args: &[&str]) -> Run {
    let origin = proxy.origin();
    let env = [
        ("HTTPS_PROXY", origin.as_str()),
        ("HTTP_PROXY", origin.as_str()),
        ("NO_PROXY", "127.0.0.1"),
    ];
    run_collect(fakes, dir, &env, args)
}

#[test]
fn each_cloud_signs_in_and_reads_graph_at_its_own_hosts() {
    for (cloud, login, graph) in CLOUDS {
        let fakes = Fakes::start();
        let (parent, dir) = fresh_dir();
        let untouched = Untouched::record(parent.path());

        // The sign-in authority of the cloud.
        let proxy = Proxy::start();
        let run = collect_through(&proxy, &fakes, &dir, &["--cloud", cloud]);
        run.assert_refused(&[login]);
        assert_eq!(
            proxy.targets(),
            vec![format!("CONNECT {login}:443")],
            "--cloud {cloud}"
        );
        untouched.check(&run);

        // Signed in at the fake authority: the token is asked for the cloud's Graph,
        // which is where the first request then goes.
        let proxy = Proxy::start();
        let run = collect_through(
            &proxy,
            &fakes,
            &dir,
            &[
                "--cloud",
                cloud,
                "--login-url",
                &fakes.login_url,
                "--lookout-url",
                &fakes.lookout_url,
            ],
        );
        assert_eq!(run.code, 2, "{}", run.describe());
        let token = fakes.requests_to(Service::Login, "/oauth2/v2.0/token");
        let scope = token.last().unwrap().request.form_value("scope");
        assert_eq!(
            scope,
            Some(format!("https://{graph}/.default")),
            "--cloud {cloud}"
        );
        assert_eq!(
            proxy.targets(),
            vec![format!("CONNECT {graph}:443")],
            "--cloud {cloud}"
        );
        untouched.check(&run);
    }
}

#[test]
fn the_lookout_api_has_one_host_for_every_cloud() {
    for (cloud, ..) in CLOUDS {
        let fakes = Fakes::start();
        let (_parent, dir) = fresh_dir();
        let proxy = Proxy::start();
        let args = [
            "--cloud",
            cloud,
            "--login-url",
            &fakes.login_url,
            "--graph-url",
            &fakes.graph_url,
        ];
        let run = collect_through(&proxy, &fakes, &dir, &args);
        run.assert_refused(&["api.lookout.com"]);
        assert_eq!(
            proxy.targets(),
            vec!["CONNECT api.lookout.com:443".to_owned()],
            "--cloud {cloud}"
        );
    }
}

#[test]
fn graph_has_no_audit_log_in_the_cloud_operated_by_21vianet() {
    let fakes = Fakes::start();
    let (_parent, dir) = dir_with_twin_settings();
    collect(&fakes, &dir, &["--cloud", "china"]).assert_written();
    assert!(fakes
        .requests_to(Service::Graph, "/auditLogs/directoryAudits")
        .is_empty());
    assert!(!dir.join("audit-logs.json").exists());
    assert!(dir.join("intune-devices.json").is_file());
}

// ---------------------------------------------------------------------------------
// The fakes themselves answer as the real services do (no binary involved).

/// A Graph token from the fake authority, as `Authorization` header value.
fn fake_graph_bearer(fakes: &Fakes) -> String {
    let c = fakes.credentials();
    let form = format!(
        "client_id={}&scope={}%2F.default&client_secret={}&grant_type=client_credentials",
        c.client_id,
        percent_encode(&fakes.graph_url),
        percent_encode(c.client_secret.as_deref().unwrap())
    );
    let (status, body) = call(
        "POST",
        &format!("{}/{}/oauth2/v2.0/token", fakes.login_url, c.tenant_id),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &form,
    );
    assert_eq!(status, 200, "{body}");
    let token: Value = serde_json::from_str(&body).unwrap();
    format!("Bearer {}", token["access_token"].as_str().unwrap())
}

#[test]
fn the_fake_graph_pages_filters_and_refuses_as_graph_does() {
    let fakes = Fakes::start();
    let bearer = fake_graph_bearer(&fakes);
    let get = |url: &str, headers: &[(&str, &str)]| {
        let mut all = vec![("Authorization", bearer.as_str())];
        all.extend_from_slice(headers);
        let (status, body) = call("GET", url, &all, "");
        (status, serde_json::from_str::<Value>(&body).unwrap())
    };

    // Paging by $top: three pages of managed devices, the query kept in each link.
    let mut url = format!(
        "{}/v1.0/deviceManagement/managedDevices?$top=10&$select=id,deviceName",
        fakes.graph_url
    );
    let mut ids = Vec::new();
    loop {
        let (status, page) = get(&url, &[]);
        assert_eq!(status, 200, "{page}");
        ids.extend(
            page["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].clone()),
        );
        assert_eq!(
            page["value"][0].as_object().unwrap().len(),
            3,
            "$select not applied: {page}"
        );
        match page["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(next.contains("$top=10&$select=id,deviceName"), "{next}");
                url = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(ids.len(), 25);

    // A property the resource does not have, and $count without ConsistencyLevel.
    let (status, body) = get(
        &format!(
            "{}/v1.0/deviceManagement/managedDevices?$select=id,ownerType",
            fakes.graph_url
        ),
        &[],
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("BadRequest"))
    );
    let count_url = format!(
        "{}/v1.0/groups?$count=true&$filter=startswith(displayName,'Lookout')",
        fakes.graph_url
    );
    assert_eq!(get(&count_url, &[]).0, 400);
    let (status, body) = get(&count_url, &[("ConsistencyLevel", "eventual")]);
    assert_eq!(
        (status, body["@odata.count"].as_u64()),
        (200, Some(6)),
        "{body}"
    );

    // Group names compare without regard to case; a quote in a name is doubled.
    let (_, body) = get(
        &format!(
            "{}/v1.0/groups?$filter=displayName%20eq%20'Lookout%20wave%203'",
            fakes.graph_url
        ),
        &[],
    );
    assert_eq!(body["value"][0]["displayName"], "Lookout Wave 3");
    let (status, _) = get(
        &format!(
            "{}/v1.0/groups?$filter=displayName%20eq%20'O''Connor'",
            fakes.graph_url
        ),
        &[],
    );
    assert_eq!(status, 200);

    // Audit records filtered by time and activity.
    let (_, body) = get(
        &format!(
            "{}/v1.0/auditLogs/directoryAudits?$filter=activityDateTime%20ge%202026-11-01T00:00:00Z%20and%20activityDisplayName%20eq%20'Remove%20member%20from%20group'",
            fakes.graph_url
        ),
        &[],
    );
    assert_eq!(body["value"].as_array().unwrap().len(), 2, "{body}");

    // Nested groups: Lookout Pilot holds two groups, their users and two of its own.
    let pilot = "f687aff5-6b0e-4319-84f6-5f831425a1c6";
    let (_, body) = get(
        &format!("{}/v1.0/groups/{pilot}/transitiveMembers", fakes.graph_url),
        &[],
    );
    assert_eq!(body["value"].as_array().unwrap().len(), 2 + 6 + 6 + 2);

    // No token, or an unknown one: 401 InvalidAuthenticationToken.
    let (status, body) = call(
        "GET",
        &format!("{}/v1.0/organization", fakes.graph_url),
        &[],
        "",
    );
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("InvalidAuthenticationToken"));
}

#[test]
fn the_fake_lookout_api_pages_by_oid_and_checks_its_key() {
    let fakes = Fakes::start();
    let key = format!("Bearer {}", fakes.credentials().lookout_key);
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let token_url = format!("{}/oauth2/token", fakes.lookout_url);
    let (status, _) = call(
        "POST",
        &token_url,
        &[form[0], ("Authorization", "Bearer wrong")],
        "grant_type=client_credentials",
    );
    assert_eq!(status, 401);
    let (status, body) = call(
        "POST",
        &token_url,
        &[form[0], ("Authorization", &key)],
        "grant_type=client_credentials",
    );
    assert_eq!(status, 200, "{body}");
    let token: Value = serde_json::from_str(&body).unwrap();
    let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
    let devices = |query: &str| {
        let (status, body) = call(
            "GET",
            &format!("{}/mra/api/v2/devices?{query}", fakes.lookout_url),
            &[("Authorization", &bearer)],
            "",
        );
        (status, serde_json::from_str::<Value>(&body).unwrap())
    };
    let (_, first) = devices("limit=10");
    assert_eq!(
        (
            first["count"].as_u64(),
            first["devices"].as_array().unwrap().len()
        ),
        (Some(16), 10)
    );
    let last = first["devices"][9]["oid"].as_str().unwrap().to_owned();
    let (_, second) = devices(&format!("limit=10&oid={last}"));
    assert_eq!(second["devices"].as_array().unwrap().len(), 6);
    assert_eq!(devices("limit=1001").0, 400);
}

#[test]
fn the_fake_authority_verifies_certificate_assertions() {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use base64::Engine as _;
    let fakes = Fakes::start();
    let cert = TestCertificate::pkcs8();
    fakes.use_certificate(cert.clone());
    let c = fakes.credentials();
    let token_url = format!("{}/{}/oauth2/v2.0/token", fakes.login_url, c.tenant_id);
    let pem = std::fs::read_to_string(&cert.path).unwrap();
    let key_b64: String = pem
        .split("-----BEGIN PRIVATE KEY-----")
        .nth(1)
        .and_then(|k| k.split("-----END").next())
        .unwrap()
        .to_owned();
    let key = ring::signature::RsaKeyPair::from_pkcs8(
        &STANDARD
            .decode(key_b64.split_whitespace().collect::<String>())
            .unwrap(),
    )
    .unwrap();
    let sign = |aud: &str, jti: &str| {
        let now = chrono::Utc::now().timestamp();
        let header =
            serde_json::json!({"alg": "PS256", "typ": "JWT", "x5t#S256": cert.sha256_thumbprint()});
        let claims = serde_json::json!({"aud": aud, "iss": c.client_id, "sub": c.client_id, "jti": jti, "nbf": now, "iat": now, "exp": now + 300});
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string().as_bytes()),
            URL_SAFE_NO_PAD.encode(claims.to_string().as_bytes())
        );
        let mut sig = vec![0; key.public().modulus_len()];
        key.sign(
            &ring::signature::RSA_PSS_SHA256,
            &ring::rand::SystemRandom::new(),
            signed.as_bytes(),
            &mut sig,
        )
        .unwrap();
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(&sig))
    };
    let post = |assertion: &str| {
        let form = format!(
            "client_id={}&scope={}%2F.default&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={assertion}&grant_type=client_credentials",
            c.client_id,
            percent_encode(&fakes.graph_url)
        );
        call(
            "POST",
            &token_url,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            &form,
        )
    };
    let good = sign(&token_url, "6f1d6c1e-0000-4000-8000-000000000001");
    let (status, body) = post(&good);
    assert_eq!(status, 200, "{body}");
    // The same jti again, another audience, a changed signature: refused.
    assert_eq!(post(&good).0, 401);
    assert_eq!(
        post(&sign(
            "https://login.microsoftonline.com/x/oauth2/v2.0/token",
            "jti-2"
        ))
        .0,
        401
    );
    let mut tampered = sign(&token_url, "jti-3");
    tampered.replace_range(tampered.len() - 8.., "AAAAAAAA");
    assert_eq!(post(&tampered).0, 401);
}

// ---------------------------------------------------------------------------------
// What only the sources can tell: evidence the hand export rarely has.

#[test]
fn since_a_number_of_days_counts_back_from_the_export() {
    let fakes = Fakes::start();
    let (_parent, dir) = dir_with_twin_settings();
    collect(&fakes, &dir, &["--since", "7"]).assert_written();
    for audit in fakes.requests_to(Service::Graph, "/auditLogs/directoryAudits") {
        let filter = audit
            .request
            .query("$filter")
            .unwrap_or_default()
            .to_owned();
        assert!(
            filter.contains("activityDateTime ge 2026-11-13T12:00:00"),
            "{filter}"
        );
    }
    // Three of the twin's records are from the last week before the export.
    assert_eq!(records(&dir.join("audit-logs.json")), 3);
}

#[test]
fn lookout_without_admin_consent_in_entra_is_found() {
    let mut tenant = Tenant::twin();
    tenant.grants.clear();
    tenant.app_role_assignments.clear();
    let fakes = Fakes::with(tenant, Options::default());
    let (_parent, dir) = dir_with_twin_settings();
    collect(&fakes, &dir, &[]).assert_written();
    let (found, _) = findings(&dir);
    // lookout.json says consent was granted; Entra's own record says otherwise.
    assert!(
        found.iter().any(|f| f.starts_with("consent-not-granted ")),
        "{found:#?}"
    );
}

#[test]
fn a_deleted_console_group_is_evidence_not_a_failure() {
    let read_only = "752475df-3233-4421-a0c7-8cf1dd2573a9";
    let mut tenant = Tenant::twin();
    tenant.groups.retain(|g| g["id"] != read_only);
    for members in tenant.members.values_mut() {
        members.retain(|m| m != read_only);
    }
    let fakes = Fakes::with(tenant, Options::default());
    let (_parent, dir) = dir_with_twin_settings();
    collect(&fakes, &dir, &[]).assert_written();
    assert!(fakes
        .requests_to(Service::Graph, read_only)
        .iter()
        .any(|r| r.status == Some(404)));
    let (found, _) = findings(&dir);
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("console-access-group-not-found ")),
        "{found:#?}"
    );
}
