//! The catalogue of hostile inputs (issue 8): half-downloaded exports, files saved by
//! the wrong program, links and folders where files belong, snapshots that mix two
//! tenants. Each case is one line of the table in [`cases`]: the files written over a
//! copy of the healthy fixture, and what the run must give.
//!
//! A case that must fail gives exit 2 from both `diagnose` and `validate`, nothing on
//! stdout (no partial report), no panic, and a message on stderr that holds every
//! expected piece: the first names the file and the line and column (or the CSV
//! record), the others say what went wrong in words a person can act on. A case that
//! must not fail (unknown values, unknown keys, mixed tenants) gives a report.
//!
//! `HOSTILE_SHOW=1 cargo test --test hostile -- --nocapture` prints every message.

mod support;

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{bin, copy_dir};

/// No case may take longer: a hang (a pipe read, a link loop) fails the case.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// A small lookout.json that is valid: the cases that damage it start from here.
const LOOKOUT_OK: &str = r#"{"tenant": {"azure_ad_tenant_id": "b5f0c4d2-7a3e-4e91-8c6d-1f2a9e3b7c40", "consent": {"granted": true}}}"#;

/// What a case puts at a path of the snapshot folder.
#[derive(Clone, Copy)]
enum Content {
    Text(&'static str),
    Bytes(&'static [u8]),
    /// Made at test time (too large, or too regular, to write out).
    Made(fn() -> Vec<u8>),
    Folder,
    /// A symbolic link to this target (relative to the link's folder).
    Link(&'static str),
    /// A named pipe: reading it would wait for a writer forever.
    Fifo,
    Remove,
}
use Content::*;

/// What the run must give.
enum Expect {
    /// Exit 2; stderr holds every piece, the first naming the file and position.
    Fails(&'static [&'static str]),
    /// A report with this exit code, whose JSON holds every piece.
    Reports(i32, &'static [&'static str]),
}

/// Which path is given to the command.
#[derive(Clone, Copy)]
enum Target {
    Snapshot,
    /// A path inside the snapshot folder instead of the folder itself.
    Inside(&'static str),
}

struct Case {
    name: &'static str,
    files: Vec<(&'static str, Content)>,
    env: Vec<(&'static str, &'static str)>,
    target: Target,
    expect: Expect,
}

fn fails(
    name: &'static str,
    files: &[(&'static str, Content)],
    pieces: &'static [&'static str],
) -> Case {
    Case {
        name,
        files: files.to_vec(),
        env: Vec::new(),
        target: Target::Snapshot,
        expect: Expect::Fails(pieces),
    }
}

fn reports(
    name: &'static str,
    files: &[(&'static str, Content)],
    code: i32,
    pieces: &'static [&'static str],
) -> Case {
    Case {
        expect: Expect::Reports(code, pieces),
        ..fails(name, files, &[])
    }
}

impl Case {
    fn env(mut self, key: &'static str, value: &'static str) -> Case {
        self.env.push((key, value));
        self
    }

    fn target(mut self, target: Target) -> Case {
        self.target = target;
        self
    }
}

/// The healthy lookout.json with a setting nobody reads, 10,000 lists deep: skipped
/// without recursion, so it is only noted as an unknown setting.
fn deep_lookout() -> Vec<u8> {
    let depth = 10_000;
    let healthy = std::fs::read_to_string("fixtures/healthy/lookout.json").unwrap();
    let body = healthy.trim_end().strip_suffix('}').unwrap();
    format!(
        "{body}, \"extra\": {}{}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    )
    .into_bytes()
}

/// A Graph page whose `@odata.context` nests 10,000 lists deep.
fn deep_odata() -> Vec<u8> {
    let depth = 10_000;
    format!(
        "{{\"@odata.context\": {}{}, \"value\": [{{\"id\": \"d1\"}}]}}",
        "[".repeat(depth),
        "]".repeat(depth)
    )
    .into_bytes()
}

/// A Graph page whose first group's members nest 10,000 objects deep.
fn deep_groups() -> Vec<u8> {
    let depth = 10_000;
    format!(
        "{{\"value\": [{{\"id\": \"g1\", \"members\": [{}{}]}}]}}",
        "{\"AdditionalProperties\": ".repeat(depth),
        "}".repeat(depth)
    )
    .into_bytes()
}

/// lookout.json in UTF-16LE (with BOM) holding a lone surrogate in a value.
fn utf16_lone_surrogate() -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "{\"tenant\": {\"azure_ad_tenant_id\": \"x"
        .encode_utf16()
        .chain([0xD800])
        .chain("\"}}".encode_utf16())
    {
        bytes.extend(unit.to_le_bytes());
    }
    bytes
}

/// A lookout.json of 2,000 bytes, for the size limit.
fn padded_lookout() -> Vec<u8> {
    format!("{LOOKOUT_OK}{}", " ".repeat(2_000 - LOOKOUT_OK.len())).into_bytes()
}

#[rustfmt::skip]
fn cases() -> Vec<Case> {
    const NO_LOOKOUT_LIST: (&str, Content) = ("lookout-devices.json", Remove);
    vec![
        // Empty and truncated files.
        fails("empty lookout.json", &[("lookout.json", Text(""))], &["lookout.json: the file is empty"]),
        fails("whitespace-only lookout.json", &[("lookout.json", Text(" \r\n\t\n"))], &["lookout.json: the file is empty"]),
        fails("empty device list", &[("intune-devices.json", Text(""))], &["intune-devices.json: the file is empty; export it again"]),
        fails("empty CSV device list", &[NO_LOOKOUT_LIST, ("lookout-devices.csv", Text("\r\n"))], &["lookout-devices.csv: the file is empty"]),
        fails("lookout.json cut inside an object", &[("lookout.json", Text("{\"tenant\": {"))], &["lookout.json:1:12: EOF while parsing an object", "the file ends too early (truncated download or copy?)"]),
        fails("lookout.json cut inside a string", &[("lookout.json", Text("{\"tenant\": {\"azure_ad_tenant_id\": \"b5f0"))], &["lookout.json:1:39: EOF while parsing a string", "ends too early"]),
        fails("device list cut after a record", &[("lookout-devices.json", Text("{\"count\": 2, \"devices\": [{\"guid\": \"g1\"},"))], &["lookout-devices.json:1:40: EOF while parsing a value", "ends too early"]),
        fails("device list cut after a key", &[("intune-devices.json", Text("{\"value\": [{\"id\": \"d1\", \"deviceName\":"))], &["intune-devices.json:1:37: EOF while parsing a value", "ends too early"]),
        fails("audit log cut in a number", &[("audit-logs.json", Text("{\"value\": [], \"@odata.count\": 1"))], &["audit-logs.json:1:31: EOF while parsing an object", "ends too early"]),
        // The wrong shape.
        fails("lookout.json is a list", &[("lookout.json", Text("[{\"tenant\": {}}]"))], &["lookout.json:1:1: invalid type: a list […], expected an object with the sections tenant"]),
        fails("a settings section is a list", &[("lookout.json", Text("{\"tenant\": {\"consent\": [true]}}"))], &["lookout.json:1:23: invalid type: a list […], expected an object with \"granted\""]),
        fails("snapshot.json is a list", &[("snapshot.json", Text("[\"2026-11-20T12:00:00Z\", \"b5f0\"]"))], &["snapshot.json:1:1: invalid type: a list […], expected an object with \"exported_at\""]),
        fails("a record is a list", &[("intune-devices.json", Text("{\"value\": [[\"d1\", \"Phone\"]]}"))], &["intune-devices.json:1:11: invalid type: a list […], expected a record object"]),
        fails("lookout.json is a string", &[("lookout.json", Text("\"lookout\""))], &["lookout.json:1:9: invalid type: string \"lookout\", expected an object with the sections"]),
        fails("lookout.json is null", &[("lookout.json", Text("null"))], &["lookout.json:1:4: invalid type: null, expected an object"]),
        fails("lookout.json is a CSV", &[("lookout.json", Text("tenant,consent\nx,y\n"))], &["lookout.json:1:2: a bare word where a value was expected", "not valid JSON"]),
        fails("device list without its list", &[("lookout-devices.json", Text("{\"count\": 3}"))], &["lookout-devices.json:1:12: this page has no \"devices\" or \"events\" or \"value\" list"]),
        fails("device list that is an empty list", &[("intune-devices.json", Text("[]"))], &["intune-devices.json:1:2: the file holds an empty list", "write {\"value\": []}"]),
        fails("device list whose list is an object", &[("intune-devices.json", Text("{\"value\": {\"id\": \"d1\"}}"))], &["intune-devices.json:1:11: invalid type: an object {…}, expected a list of records"]),
        fails("flattened nested object", &[("lookout-devices.json", Text("{\"devices\": [{\"guid\": \"g1\", \"details\": \"@{external_id=abc}\"}]}"))], &["lookout-devices.json:1:", "ConvertTo-Json stopped at its -Depth; export again with ConvertTo-Json -Depth 10"]),
        // Wrong value types.
        fails("string for a bool", &[("lookout.json", Text("{\"tenant\": {\"consent\": {\n  \"granted\": \"maybe\"}}}"))], &["lookout.json:2:20: invalid type: string \"maybe\", expected true, false or null"]),
        fails("number for a string", &[("lookout.json", Text("{\"tenant\": {\"azure_ad_tenant_id\": 5}}"))], &["lookout.json:1:35: invalid type: integer `5`, expected a string"]),
        fails("object for a list", &[("lookout.json", Text("{\"intune_connector\": {\"enrollment_groups\": {}}}"))], &["lookout.json:1:43: invalid type: an object {…}, expected a list […]"]),
        fails("text for a number", &[("lookout.json", Text("{\"intune_connector\": {\"heartbeat_frequency_minutes\": \"five\"}}"))], &["lookout.json:1:59: invalid type: string \"five\", expected a whole number, 0 or more"]),
        fails("negative polling interval", &[("lookout.json", Text("{\"intune_connector\": {\"heartbeat_frequency_minutes\": -5}}"))], &["lookout.json:1:55: invalid value: integer `-5`, expected a whole number, 0 or more"]),
        fails("unknown coverage", &[("lookout.json", Text("{\"coverage\": \"everything\"}"))], &["lookout.json:1:25: unknown variant `everything`, expected `enrollment-groups` or `all-mobile-devices`"]),
        fails("number for a device id", &[("intune-devices.json", Text("{\"value\": [{\"id\": 5}]}"))], &["intune-devices.json:1:19: invalid type: integer `5`, expected a string"]),
        fails("number out of range", &[("intune-mtd-connector.json", Text("{\"id\": \"c\", \"partnerUnresponsivenessThresholdInDays\": 1e400}"))], &["intune-mtd-connector.json:1:", "number out of range: no setting or export field holds a number this large"]),
        fails("threshold beyond Int32", &[("intune-mtd-connector.json", Text("{\"id\": \"c\", \"partnerUnresponsivenessThresholdInDays\": 99999999999}"))], &["intune-mtd-connector.json:1:", "99999999999 days is out of range"]),
        fails("an enterprise application list record of no known kind", &[("service-principals.json", Text("{\"value\": [{\"id\": \"x\", \"deletedDateTime\": null}]}"))], &["service-principals.json:1:", "neither a service principal", "nor an appRoleAssignment"]),
        fails("device without a guid", &[("lookout-devices.json", Text("{\"devices\": [{\"activation_status\": \"PENDING\"}]}"))], &["lookout-devices.json:1:", "missing field `guid`"]),
        // Not text, or damaged text.
        fails("invalid UTF-8 in JSON", &[("lookout.json", Bytes(b"{\"tenant\": {\n \"azure_ad_tenant_id\": \"caf\xE9\"}}"))], &["lookout.json:2:28: the text is not valid UTF-8 (byte 0xE9)", "save it as UTF-8"]),
        fails("invalid UTF-8 in CSV (Windows-1252)", &[NO_LOOKOUT_LIST, ("lookout-devices.csv", Bytes(b"guid,email\ng1,Ren\xE9@contoso.com\n"))], &["lookout-devices.csv:2:7: the text is not valid UTF-8", "CSV UTF-8"]),
        fails("NUL byte in JSON", &[("lookout.json", Bytes(b"{\"tenant\": {\"azure_ad_tenant_id\": \"a\0b\"}}"))], &["lookout.json:1:37: a NUL byte (0x00)", "export it again"]),
        fails("NUL bytes ending a CSV", &[NO_LOOKOUT_LIST, ("lookout-devices.csv", Bytes(b"guid\ng1\n\0\0\0\0"))], &["lookout-devices.csv:3:1: a NUL byte"]),
        fails("byte-order mark starting a line", &[NO_LOOKOUT_LIST, ("lookout-devices.csv", Text("guid,email\ng1,a@x.com\n\u{feff}guid,email\ng2,b@x.com\n"))], &["lookout-devices.csv:3:1: a byte-order mark (U+FEFF) starts this line", "two exports were probably joined"]),
        fails("byte-order mark between JSON documents", &[("snapshot.json", Text("{}\u{feff}{}"))], &["snapshot.json:1:3: there is more text after the end of the JSON document"]),
        fails("two JSON documents in one file", &[("intune-devices.json", Text("{\"value\": [{\"id\": \"d1\"}]}\n{\"value\": []}"))], &["intune-devices.json:2:1: there is more text after the end of the JSON document", "keep one per file"]),
        fails("UTF-16 with an odd byte count", &[("lookout.json", Bytes(b"\xFF\xFE{\0}\0\n"))], &["lookout.json: UTF-16 text with an odd number of bytes (7)", "cut short"]),
        fails("JSON with a comment", &[("snapshot.json", Text("// exported by hand\n{}"))], &["snapshot.json:1:1: expected value", "not valid JSON"]),
        fails("JSON with a trailing comma", &[("lookout.json", Text("{\"tenant\": {},}"))], &["lookout.json:1:15: trailing comma", "not valid JSON"]),
        // Nesting and duplicates.
        fails("10,000-deep nesting in a page's annotation", &[("intune-devices.json", Made(deep_odata))], &["intune-devices.json:1:146: the JSON nests more than 128 levels deep"]),
        fails("10,000-deep nesting in groups.json", &[("groups.json", Made(deep_groups))], &["groups.json:1:", "nests more than 128 levels deep"]),
        fails("duplicate key in lookout.json", &[("lookout.json", Text("{\"tenant\": {},\n \"tenant\": {}}"))], &["lookout.json:2:9: duplicate field `tenant`", "keep only one"]),
        fails("duplicate record list", &[("intune-devices.json", Text("{\"value\": [{\"id\": \"d1\"}], \"value\": [{\"id\": \"d2\"}]}"))], &["intune-devices.json:1:", "the key \"value\" appears twice in this object"]),
        fails("duplicate field in a record", &[("intune-devices.json", Text("{\"value\": [{\"id\": \"d1\", \"id\": \"d2\"}]}"))], &["intune-devices.json:1:", "duplicate field `id`"]),
        // Impossible dates.
        fails("February 30th", &[("lookout-devices.json", Text("{\"devices\": [{\"guid\": \"g1\", \"checkin_time\": \"2026-02-30T10:00:00Z\"}]}"))], &["lookout-devices.json:1:", "\"2026-02-30T10:00…\" is not a timestamp (accepted: 2026-11-20T07:00:00Z"]),
        fails("hour 25", &[("intune-devices.json", Text("{\"value\": [{\"id\": \"d1\", \"lastSyncDateTime\": \"2026-11-20T25:00:00Z\"}]}"))], &["intune-devices.json:1:", "\"2026-11-20T25:00…\" is not a timestamp"]),
        fails("impossible date in a CSV", &[("intune-devices.json", Remove), ("intune-devices.csv", Text("id,lastSyncDateTime\nd1,2026-11-20T07:00:00Z\nd2,2026-13-01 07:00\n"))], &["intune-devices.csv: record 2 (line 3): column \"lastSyncDateTime\": \"2026-13-01 07:00\" is not a timestamp"]),
        fails("year beyond 9999", &[("snapshot.json", Text("{\"exported_at\": \"/Date(8210266876799999)/\"}"))], &["snapshot.json:1:", "outside the years 0001-9999"]),
        // Folders, links, pipes where files belong.
        fails("lookout.json is a folder", &[("lookout.json", Remove), ("lookout.json", Folder)], &["lookout.json: is a folder, but a file was expected"]),
        fails("a device list page is a folder link", &[("intune-devices-2.json", Link("."))], &["intune-devices-2.json: is a folder, but a file was expected"]),
        fails("lookout.json links to itself", &[("lookout.json", Remove), ("lookout.json", Link("lookout.json"))], &["lookout.json: is a symbolic link that cannot be followed", "points back to itself"]),
        fails("two pages link to each other", &[("intune-devices-2.json", Link("intune-devices-3.json")), ("intune-devices-3.json", Link("intune-devices-2.json"))], &["intune-devices-2.json: is a symbolic link that cannot be followed"]),
        fails("dangling link", &[("lookout-devices.json", Remove), ("lookout-devices.json", Link("exports/lookout-devices.json"))], &["lookout-devices.json: is a symbolic link whose target (exports/lookout-devices.json) does not exist"]),
        fails("a link out of the snapshot folder", &[("lookout.json", Remove), ("lookout.json", Link("/dev/zero"))], &["lookout.json: is a symbolic link to ", "outside the snapshot folder; it was not followed", "--follow-links"]),
        fails("named pipe", &[("audit-logs.json", Remove), ("audit-logs.json", Fifo)], &["audit-logs.json: is a named pipe (FIFO), not a regular file"]),
        fails("member file is a folder link", &[("group-members/Lookout Pilot.csv", Link(".."))], &["Lookout Pilot.csv: is a folder, but a file was expected"]),
        // Missing pieces.
        fails("missing lookout.json", &[("lookout.json", Remove)], &["required file lookout.json is missing", "`lookout-doctor init` explains each field"]),
        fails("no device list", &[("lookout-devices.json", Remove), ("intune-devices.json", Remove)], &["required file lookout-devices.json or intune-devices.json is missing"]),
        fails("snapshot path is a file", &[], &["lookout.json: not a folder; give the snapshot folder"]).target(Target::Inside("lookout.json")),
        fails("snapshot path does not exist", &[], &["no-such-folder: snapshot folder not found"]).target(Target::Inside("no-such-folder")),
        fails("JSON and CSV of one export", &[("lookout-devices.csv", Text("guid\ng1\n"))], &["both lookout-devices.json and lookout-devices.csv are present; keep only one"]),
        // CSV damage.
        fails("CSV without its key column", &[NO_LOOKOUT_LIST, ("lookout-devices.csv", Text("email,platform\na@x.com,IOS\n"))], &["lookout-devices.csv: header row (line 1): the header row has no Lookout device guid column", "is this the Lookout device list?"]),
        fails("Intune CSV without Device ID", &[("intune-devices.json", Remove), ("DevicesWithInventory_1.csv", Text("Device name,Primary user UPN,Last check-in\nP,a@x.com,\n"))], &["DevicesWithInventory_1.csv: header row (line 1):", "has no \"Device ID\" column"]),
        fails("member file without id or UPN", &[("group-members/Lookout Pilot.csv", Text("Name,Mail\nA,a@x.com\n"))], &["Lookout Pilot.csv: header row (line 1): this does not look like an Entra \"Download members\" file"]),
        fails("ragged CSV row", &[NO_LOOKOUT_LIST, ("lookout-devices.csv", Text("guid,email,platform\ng1,a@x.com,IOS\ng2,b@x.com\n"))], &["lookout-devices.csv: record 2 (line 3): this record has 2 fields but the header has 3 columns"]),
        fails("CSV quote never closed (last cell)", &[NO_LOOKOUT_LIST, ("lookout-devices.csv", Text("guid,email\ng1,\"a@x.com\ng2,b@x.com\n"))], &["lookout-devices.csv: record 1 (line 2): a quoted cell that starts here is never closed"]),
        fails("CSV quote never closed (mid-row)", &[NO_LOOKOUT_LIST, ("lookout-devices.csv", Text("guid,email,platform\ng1,\"a@x.com,IOS\ng2,b@x.com,ANDROID\n"))], &["lookout-devices.csv: record 1 (line 2): a quoted cell that starts here is never closed"]),
        fails("CSV header quote never closed", &[NO_LOOKOUT_LIST, ("lookout-devices.csv", Text("guid,\"email\ng1,a@x.com\n"))], &["lookout-devices.csv: header row (line 1): a quoted cell that starts here is never closed"]),
        fails("CSV bool that is not one", &[("groups.json", Remove), ("groups.csv", Text("Group ID,Group name,Security enabled\ng1,Pilot,sometimes\n"))], &["groups.csv: record 1 (line 2): \"sometimes\" is not True or False"]),
        fails("CSV where no row can be used", &[NO_LOOKOUT_LIST, ("lookout-devices.csv", Text("guid,email\n,a@x.com\n,b@x.com\n"))], &["lookout-devices.csv: record 1 (line 2):"]),
        // Limits.
        fails("file over the size limit", &[("lookout.json", Made(padded_lookout))], &["lookout.json: the file is 2.0 KiB (2000 bytes), over the limit of 1000 bytes per input file", "LOOKOUT_DOCTOR_MAX_FILE_SIZE"]).env("LOOKOUT_DOCTOR_MAX_FILE_SIZE", "1000"),
        fails("size limit that is not a size", &[], &["LOOKOUT_DOCTOR_MAX_FILE_SIZE: \"lots\" is not a size"]).env("LOOKOUT_DOCTOR_MAX_FILE_SIZE", "lots"),
        // Not errors: kept, noted, or a finding.
        reports("size limit with a unit", &[], 0, &[]).env("LOOKOUT_DOCTOR_MAX_FILE_SIZE", "64 MiB"),
        reports("unknown enum values", &[("lookout-devices.json", Text("{\"devices\": [{\"guid\": \"g1\", \"activation_status\": \"SUSPENDED\", \"platform\": \"BLACKBERRY\"}]}"))], 1, &["unknown activation_status: \\\"SUSPENDED\\\" (1)", "unknown platform: \\\"BLACKBERRY\\\" (1)"]),
        reports("unknown keys in exports", &[("intune-mtd-connector.json", Text("{\"id\": \"2c7790de-8b02-4814-85cf-e0c59380dee8\", \"partnerState\": \"enabled\", \"androidEnabled\": true, \"iosEnabled\": true, \"lastHeartbeatDateTime\": \"2026-11-20T11:00:00Z\", \"futureField\": {\"x\": [1, 2]}}"))], 0, &[]),
        reports("misspelt key in lookout.json", &[("lookout.json", Text("{\"tenant\": {\"azure_ad_tenant_id\": \"b5f0c4d2-7a3e-4e91-8c6d-1f2a9e3b7c40\", \"consent\": {\"granted\": true}}, \"intune_conector\": {}}"))], 1, &["unknown setting \\\"intune_conector\\\" was ignored"]),
        reports("an empty enterprise application list: no Lookout application", &[("service-principals.json", Text("{\"value\": []}"))], 1, &["\"rule\": \"consent-not-granted\"", "\"decided_by\": \"service-principals.json\""]),
        reports("mixed tenants", &[("snapshot.json", Text("{\"exported_at\": \"2026-11-20T12:00:00Z\", \"tenant_id\": \"00000000-1111-2222-3333-444444444444\"}"))], 1, &["\"rule\": \"tenant-not-linked\""]),
        reports("10,000-deep nesting in an unknown setting", &[("lookout.json", Made(deep_lookout))], 0, &["unknown setting \\\"extra\\\" was ignored"]),
        reports("a folder loop in group-members", &[("group-members/loop", Link(".")), ("group-members/up", Link(".."))], 0, &[]),
        reports("UTF-16 with a lone surrogate", &[("lookout.json", Made(utf16_lone_surrogate))], 1, &["1 lone UTF-16 surrogate(s)", "replaced with U+FFFD, the first on line 1"]),
        reports("byte-order mark inside a value", &[("lookout.json", Text("{\"tenant\": {\"azure_ad_tenant_id\": \"b5f0c4d2-7a3e-4e91-8c6d-1f2a9e3b7c40\", \"consent\": {\"granted\": true, \"granted_by\": \"x\u{feff}y\"}}}"))], 1, &[]),
        // Found by fuzzing (fuzz/README.md lists what each target found).
        reports("fuzz: first line cut inside a character", &[NO_LOOKOUT_LIST, ("lookout-devices.csv", Text("guid\u{feff},email\ng1,a@x.com\n"))], 1, &[]),
        fails("fuzz: member file starting with a BOM and a control byte", &[("group-members/Lookout Pilot.csv", Bytes(b"\xef\xbb\xbf\"id\x01\xef\xbb\xbfsep=;\r\nGroup ID;Group name\r\n"))], &["Lookout Pilot.csv: header row (line 1): a quoted cell that starts here is never closed"]),
        reports("a file name ending in a wide character", &[("日本語", Text("notes"))], 0, &[]),
        reports("Graph's zero date means never", &[("intune-mtd-connector.json", Text("{\"id\": \"2c7790de-8b02-4814-85cf-e0c59380dee8\", \"partnerState\": \"enabled\", \"androidEnabled\": true, \"iosEnabled\": true, \"lastHeartbeatDateTime\": \"0001-01-01T00:00:00+02:00\"}"))], 1, &["intune-mtd-partner-unresponsive"]),
    ]
}

/// Writes one entry; `Remove` takes away what the fixture had there.
fn put(dir: &Path, rel: &str, content: Content) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    match content {
        Text(t) => std::fs::write(&path, t).unwrap(),
        Bytes(b) => std::fs::write(&path, b).unwrap(),
        Made(f) => std::fs::write(&path, f()).unwrap(),
        Folder => std::fs::create_dir_all(&path).unwrap(),
        Link(target) => symlink(target, &path),
        Fifo => {
            let ok = std::process::Command::new("mkfifo")
                .arg(&path)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "mkfifo {}", path.display());
        }
        Remove => {
            if path.is_dir() && !path.is_symlink() {
                std::fs::remove_dir_all(&path).unwrap();
            } else {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

#[cfg(unix)]
fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(not(unix))]
fn symlink(_: &str, _: &Path) {
    panic!("symbolic link cases run on Unix only");
}

/// Builds the case's snapshot and runs `diagnose --format json` and `validate` on it.
/// Returns what went wrong, if anything.
fn check(case: &Case, root: &Path) -> Result<(), String> {
    let dir = root.join("snapshot");
    copy_dir(Path::new("fixtures/healthy"), &dir);
    for (rel, content) in &case.files {
        put(&dir, rel, *content);
    }
    let target: PathBuf = match case.target {
        Target::Snapshot => dir.clone(),
        Target::Inside(rel) => dir.join(rel),
    };
    let target = target.to_str().unwrap();
    let commands: &[&[&str]] = match case.expect {
        Expect::Fails(_) => &[
            &["diagnose", target, "--format", "json"],
            &["validate", target],
        ],
        Expect::Reports(..) => &[&["diagnose", target, "--format", "json"]],
    };
    for args in commands {
        let started = Instant::now();
        let mut cmd = bin();
        cmd.args(*args).timeout(TIME_LIMIT);
        for (k, v) in &case.env {
            cmd.env(k, v);
        }
        let out = cmd.output().map_err(|e| format!("{}: {e}", args[0]))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        let what = format!(
            "{} -> exit {code:?}\nstderr: {stderr}\nstdout: {:.400}",
            args[0], stdout
        );
        if std::env::var_os("HOSTILE_SHOW").is_some() {
            // `HOSTILE_SHOW=1 cargo test --test hostile -- --nocapture` prints every
            // message, to read them the way an administrator would.
            println!(
                "{:<45} {} {code:?} {}",
                case.name,
                args[0],
                stderr.trim_end()
            );
        }
        if started.elapsed() >= TIME_LIMIT {
            return Err(format!("{what}\ntook {:?}", started.elapsed()));
        }
        if stderr.contains("panicked") {
            return Err(format!("{what}\npanicked"));
        }
        match case.expect {
            Expect::Fails(pieces) => {
                if code != Some(2) || !stdout.is_empty() {
                    return Err(format!("{what}\nexpected exit 2 and no output"));
                }
                if let Some(p) = pieces.iter().find(|p| !stderr.contains(*p)) {
                    return Err(format!("{what}\nmissing from stderr: {p}"));
                }
                // One message, kept short even when the value quoted is huge.
                if stderr.lines().count() > 3 || stderr.len() > 2_000 {
                    return Err(format!("{what}\nstderr too long"));
                }
            }
            Expect::Reports(want, pieces) => {
                if code != Some(want) {
                    return Err(format!("{what}\nexpected exit {want}"));
                }
                serde_json::from_str::<serde_json::Value>(&stdout)
                    .map_err(|e| format!("{what}\nno JSON report: {e}"))?;
                if let Some(p) = pieces.iter().find(|p| !stdout.contains(*p)) {
                    return Err(format!("{what}\nmissing from the report: {p}"));
                }
            }
        }
    }
    Ok(())
}

#[test]
fn catalogue_of_hostile_inputs() {
    let cases = cases();
    assert!(cases.len() >= 45, "the catalogue has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let root = tempfile::tempdir().unwrap();
        if let Err(e) = check(case, root.path()) {
            failures.push(format!("--- {}\n{e}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn case_names_are_unique() {
    let mut names: Vec<&str> = cases().iter().map(|c| c.name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "two cases share a name");
}

/// Runs `diagnose` on a snapshot folder within [`TIME_LIMIT`].
fn diagnose(dir: &Path) -> (Option<i32>, String, String, Duration) {
    let started = Instant::now();
    let out = bin()
        .args(["diagnose", dir.to_str().unwrap(), "--format", "json"])
        .timeout(TIME_LIMIT)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

/// A 100 MB single line, made at test time: first where a boolean belongs (an error
/// that must quote only a little of it), then as a device name nobody asks about (a
/// report). Both must finish in bounded time; on Unix the run also gets a 1.5 GB
/// address-space limit, so reading the file may not multiply it many times over.
#[test]
fn a_100_mb_single_line_stays_bounded() {
    const SIZE: usize = 100 * 1024 * 1024;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("snapshot");
    copy_dir(Path::new("fixtures/healthy"), &dir);
    let huge = "A".repeat(SIZE);

    let lookout = format!("{{\"tenant\": {{\"consent\": {{\"granted\": \"{huge}\"}}}}}}");
    std::fs::write(dir.join("lookout.json"), lookout).unwrap();
    let (code, stdout, stderr, took) = diagnose_limited(&dir);
    assert_eq!(code, Some(2), "{stderr:.2000}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("lookout.json:1:")
            && stderr.contains("expected true, false or null")
            && stderr.contains("string \"AAAAAAAAAAAAAAAA…\","),
        "{stderr:.2000}"
    );
    assert!(stderr.len() < 2_000, "stderr is {} bytes", stderr.len());
    assert!(took < TIME_LIMIT, "took {took:?}");

    std::fs::copy("fixtures/healthy/lookout.json", dir.join("lookout.json")).unwrap();
    // A Windows PC nobody asks about: loaded, never reported.
    let intune = std::fs::read_to_string("fixtures/healthy/intune-devices.json").unwrap();
    let extra = format!(
        "\"value\": [{{\"id\": \"pc-1\", \"operatingSystem\": \"Windows\", \"deviceName\": \"{huge}\"}},"
    );
    std::fs::write(
        dir.join("intune-devices.json"),
        intune.replacen("\"value\": [", &extra, 1),
    )
    .unwrap();
    drop(huge);
    let (code, stdout, stderr, took) = diagnose_limited(&dir);
    assert_eq!(code, Some(0), "{stderr:.2000}");
    assert!(stdout.len() < 1_000_000, "report is {} bytes", stdout.len());
    assert!(took < TIME_LIMIT, "took {took:?}");
}

/// [`diagnose`] under an address-space limit where `sh` and `ulimit -v` exist.
fn diagnose_limited(dir: &Path) -> (Option<i32>, String, String, Duration) {
    let binary = assert_cmd::cargo::cargo_bin("lookout-doctor");
    let limited = cfg!(unix)
        && std::process::Command::new("sh")
            .args(["-c", "ulimit -v 1500000"])
            .status()
            .is_ok_and(|s| s.success());
    if !limited {
        return diagnose(dir);
    }
    let started = Instant::now();
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1500000 && exec \"$0\" diagnose \"$1\" --format json")
        .arg(binary)
        .arg(dir)
        .env_remove("LOOKOUT_DOCTOR_MAX_FILE_SIZE")
        .timeout(TIME_LIMIT)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

/// chmod 000 on a file and on the group-members folder. As root, permissions do not
/// stop reads, so the case cannot be made: it is skipped with a note, not failed.
#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_named() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("snapshot");
    copy_dir(Path::new("fixtures/healthy"), &dir);
    let file = dir.join("lookout.json");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&file).is_ok() {
        println!(
            "note: skipping the unreadable-file case: this test runs as a user whom permissions do not stop (root)"
        );
        return;
    }
    let (code, stdout, stderr, _) = diagnose(&dir);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("lookout.json: permission denied: this user may not read the file"),
        "{stderr}"
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();

    let members = dir.join("group-members");
    std::fs::create_dir(&members).unwrap();
    std::fs::set_permissions(&members, std::fs::Permissions::from_mode(0o000)).unwrap();
    let (code, _, stderr, _) = diagnose(&dir);
    std::fs::set_permissions(&members, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("group-members: cannot list the folder"),
        "{stderr}"
    );
}

/// A member file whose name is not UTF-8 (Latin-1 from an old ZIP tool) is read by
/// its real name; the group takes the name as shown.
#[cfg(target_os = "linux")]
#[test]
fn file_names_that_are_not_utf8_are_read() {
    use std::os::unix::ffi::OsStrExt;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("snapshot");
    copy_dir(Path::new("fixtures/healthy"), &dir);
    let members = dir.join("group-members");
    std::fs::create_dir(&members).unwrap();
    let name = std::ffi::OsStr::from_bytes(b"\xC9quipe.csv");
    std::fs::write(
        members.join(name),
        "id,userPrincipalName\nu9,zoe@contoso.com\n",
    )
    .unwrap();
    let (code, stdout, stderr, _) = diagnose(&dir);
    assert_eq!(code, Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["snapshot"]["counts"]["groups"], 7, "{report:#}");
}
