//! The hostile catalogue's files and sizes (issue 15, items 6 to 9): where the report
//! is written (`--output` onto a device, a pipe, a socket, a link, a file whose mode
//! and owner must stay), links that lead out of the snapshot folder, values of
//! unbounded length, lone surrogates, and folders that cannot be searched.
//!
//! Some cases need root (a device node of their own, a file given to another owner)
//! and some need a user whom permissions stop: each is skipped with a note where it
//! cannot be made, never failed. CI runs as root; run the suite as an ordinary user
//! for the others.

#![cfg(unix)]

mod support;

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};
use support::{bin, copy_dir};

/// No case may take longer; the named pipe nobody reads takes ten seconds of it.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// A copy of a fixture in a temporary folder, and the copy's path.
fn snapshot(fixture: &str) -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("snapshot");
    copy_dir(&Path::new("fixtures").join(fixture), &dir);
    (root, dir)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).timeout(TIME_LIMIT).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `diagnose DIR --format json --output OUT` on the healthy fixture (exit 0).
fn report_to(out: &Path) -> Output {
    run(&[
        "diagnose",
        "fixtures/healthy",
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ])
}

fn assert_report(bytes: &[u8]) {
    let report: serde_json::Value = serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}): {:.300}", text(bytes)));
    assert_eq!(report["snapshot"]["path"], "fixtures/healthy");
}

/// Whether this test runs as root: a file it makes is root's.
fn root() -> bool {
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid() == 0
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mkfifo {}", path.display());
}

/// A device node of the test's own (root only): `kind` is `c` or `b`.
fn mknod(path: &Path, kind: &str, major: u32, minor: u32) -> bool {
    std::process::Command::new("mknod")
        .arg(path)
        .args([kind, &major.to_string(), &minor.to_string()])
        .status()
        .is_ok_and(|s| s.success())
}

// --- Item 6: where the report is written ---------------------------------------

/// A regular file is replaced whole, keeping its permission bits; the rename leaves
/// no temporary file behind.
#[test]
fn a_replaced_report_keeps_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    std::fs::write(&out, "stale").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
    let o = report_to(&out);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(o.stdout.is_empty());
    assert_report(&std::fs::read(&out).unwrap());
    assert_eq!(out.metadata().unwrap().mode() & 0o7777, 0o640);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// A new file gets what a shell's `>` would give it: 0666 less the umask.
#[test]
fn a_new_report_follows_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    for (umask, mode) in [("022", 0o644), ("077", 0o600), ("002", 0o664)] {
        let out = dir.path().join(format!("report-{umask}.json"));
        let o = assert_cmd::Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
            .arg(assert_cmd::cargo::cargo_bin("lookout-doctor"))
            .args(["diagnose", "fixtures/healthy", "--output"])
            .arg(&out)
            .timeout(TIME_LIMIT)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert_eq!(
            out.metadata().unwrap().mode() & 0o7777,
            mode,
            "umask {umask}"
        );
    }
}

/// Root may give the new file the old one's owner and group, and does. (Others may
/// only keep a group they belong to: skipped unless root.)
#[test]
fn a_replaced_report_keeps_its_owner_as_root() {
    if !root() {
        println!("note: skipping the owner case: only root may give a file to another user");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    std::fs::write(&out, "stale").unwrap();
    std::os::unix::fs::chown(&out, Some(4242), Some(4343)).unwrap();
    let o = report_to(&out);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let meta = out.metadata().unwrap();
    assert_eq!((meta.uid(), meta.gid()), (4242, 4343));
    assert_report(&std::fs::read(&out).unwrap());
}

/// A link is followed: the file it points to is replaced (mode kept), the link stays;
/// a link to nothing yet creates what it names.
#[test]
fn a_link_is_followed_to_the_file_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.json");
    std::fs::write(&real, "stale").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o604)).unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("real.json", &link).unwrap();
    let o = report_to(&link);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert_report(&std::fs::read(&real).unwrap());
    assert_eq!(real.metadata().unwrap().mode() & 0o7777, 0o604);

    let dangling = dir.path().join("dangling.json");
    std::os::unix::fs::symlink("made.json", &dangling).unwrap();
    let o = report_to(&dangling);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(dangling
        .symlink_metadata()
        .unwrap()
        .file_type()
        .is_symlink());
    assert_report(&std::fs::read(dir.path().join("made.json")).unwrap());
}

/// A link of the test's own to `/dev/stdout`: the report reaches the standard output
/// (a pipe here), and the link stays.
#[test]
fn a_link_to_standard_output_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("out.json");
    std::os::unix::fs::symlink("/dev/stdout", &link).unwrap();
    let o = report_to(&link);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert_report(&o.stdout);
}

/// A character device of the test's own, a copy of /dev/null (root only: mknod):
/// written through, so it stays a device.
#[test]
fn a_character_device_is_written_through_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let null = dir.path().join("null");
    if !mknod(&null, "c", 1, 3) {
        println!("note: skipping the device-node case: only root may make a device node");
        return;
    }
    let o = report_to(&null);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(null.metadata().unwrap().file_type().is_char_device());
}

/// A block device (a disk) is never written onto, nor replaced (root only: mknod).
#[test]
fn a_block_device_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("disk");
    if !mknod(&disk, "b", 7, 250) {
        println!("note: skipping the block-device case: only root may make a device node");
        return;
    }
    let o = report_to(&disk);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("is a block device"),
        "{}",
        text(&o.stderr)
    );
    assert!(disk.metadata().unwrap().file_type().is_block_device());
}

/// The real /dev/null and /dev/stdout: what root sees (an ordinary user could not
/// have replaced them anyway, so for one this only checks the report is written).
#[test]
fn real_dev_null_and_dev_stdout_stay_what_they_are() {
    let o = report_to(Path::new("/dev/null"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(Path::new("/dev/null")
        .metadata()
        .unwrap()
        .file_type()
        .is_char_device());
    let before = std::fs::read_link("/dev/stdout").ok();
    let o = report_to(Path::new("/dev/stdout"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_report(&o.stdout);
    assert_eq!(std::fs::read_link("/dev/stdout").ok(), before);
}

/// A named pipe with a reader gets the report; the pipe stays a pipe.
#[test]
fn a_named_pipe_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    let reading = fifo.clone();
    let reader = std::thread::spawn(move || std::fs::read(reading).unwrap());
    let o = report_to(&fifo);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // Replaced by a file, the pipe would leave the reader waiting: check first.
    assert!(fifo.metadata().unwrap().file_type().is_fifo(), "replaced");
    assert_report(&reader.join().unwrap());
}

/// A named pipe nobody reads is an error after a while, not a hang.
#[test]
fn a_named_pipe_nobody_reads_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    let started = Instant::now();
    let o = report_to(&fifo);
    assert!(started.elapsed() < TIME_LIMIT);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("nobody opened for reading within 10 seconds"),
        "{}",
        text(&o.stderr)
    );
    assert!(fifo.metadata().unwrap().file_type().is_fifo());
}

/// A socket that takes a connection gets the report; the socket stays.
#[test]
fn a_socket_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let reader = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        bytes
    });
    let o = report_to(&path);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(path.metadata().unwrap().file_type().is_socket(), "replaced");
    assert_report(&reader.join().unwrap());
}

/// A link that leads into the snapshot folder is inside it.
#[test]
fn a_link_into_the_snapshot_is_refused_as_output() {
    let (root, dir) = snapshot("healthy");
    let link = root.path().join("out.json");
    std::os::unix::fs::symlink(dir.join("report.json"), &link).unwrap();
    let o = run(&[
        "diagnose",
        dir.to_str().unwrap(),
        "--output",
        link.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("never writes into a snapshot"));
    assert!(!dir.join("report.json").exists());
}

// --- Item 7: links out of the snapshot folder ------------------------------------

/// What a runner keeps outside the snapshot: a token a type error would quote.
const SECRET: &str = "ghp_R3allyS3cretT0kenOfTheRunner";

/// Puts a file beside the snapshot folder (`root/outside/`) and links `link` (in the
/// folder) to it, by a relative path (`../outside/...`).
fn link_out(root: &Path, dir: &Path, link: &str, content: &str) {
    let outside = root.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let name = Path::new(link).file_name().unwrap();
    std::fs::write(outside.join(name), content).unwrap();
    let up = "../".repeat(link.matches('/').count() + 1);
    let at = dir.join(link);
    let _ = std::fs::remove_file(&at);
    std::os::unix::fs::symlink(Path::new(&up).join("outside").join(name), &at).unwrap();
}

/// Both commands refuse the link, name it and where it points as the link says (its
/// start at least: the target is quoted short), and never show what the target holds.
fn assert_refused(dir: &Path, link: &str) {
    for command in ["diagnose", "validate"] {
        let o = run(&[command, dir.to_str().unwrap()]);
        let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
        assert_eq!(o.status.code(), Some(2), "{command}: {stderr}");
        assert!(stdout.is_empty(), "{command}: {stdout:.500}");
        assert!(
            stderr.contains(&format!("{link}: is a symbolic link to \"../"))
                && stderr.contains("outside the snapshot folder; it was not followed"),
            "{command}: {stderr}"
        );
        assert!(!stderr.contains("ghp_"), "{command}: {stderr}");
    }
}

#[test]
fn a_link_out_of_the_snapshot_is_not_read() {
    let (root, dir) = snapshot("healthy");
    let secret = format!(r#"{{"tenant": {{"consent": {{"granted": "{SECRET}"}}}}}}"#);
    link_out(root.path(), &dir, "lookout.json", &secret);
    assert_refused(&dir, "lookout.json");

    // Given --follow-links (before or after the command), it is read.
    for args in [
        ["--follow-links", "validate", dir.to_str().unwrap()],
        ["validate", dir.to_str().unwrap(), "--follow-links"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            text(&o.stderr).contains("expected true, false or null"),
            "{}",
            text(&o.stderr)
        );
    }
}

/// Followed, a link to a device is still refused as a device: only files are read.
#[test]
fn a_device_linked_in_is_refused_even_when_links_are_followed() {
    let (_root, dir) = snapshot("healthy");
    std::fs::remove_file(dir.join("lookout.json")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("lookout.json")).unwrap();
    let o = run(&["diagnose", dir.to_str().unwrap(), "--follow-links"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("lookout.json: is a device, not a regular file"),
        "{}",
        text(&o.stderr)
    );
}

/// Recognising a file reads its head, which would show the keys of an outside JSON
/// file among the entries not read: the link is checked first.
#[test]
fn a_link_out_is_checked_before_its_head_is_read() {
    let (root, dir) = snapshot("healthy");
    link_out(
        root.path(),
        &dir,
        "notes.json",
        &format!(r#"{{"{SECRET}": 1}}"#),
    );
    assert_refused(&dir, "notes.json");
}

/// The group-members folder, and a member file in it, linked out.
#[test]
fn member_files_and_their_folder_linked_out_are_not_read() {
    let (root, dir) = snapshot("healthy");
    let members = "id,userPrincipalName\nu1,ghp_someone@contoso.com\n";
    std::fs::create_dir(dir.join("group-members")).unwrap();
    link_out(
        root.path(),
        &dir,
        "group-members/Lookout Pilot.csv",
        members,
    );
    assert_refused(&dir, "group-members/Lookout Pilot.csv");

    let (root, dir) = snapshot("healthy");
    let outside = root.path().join("outside-members");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("Lookout Pilot.csv"), members).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("group-members")).unwrap();
    let o = run(&["validate", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("group-members: is a symbolic link to ")
            && !text(&o.stderr).contains("ghp_"),
        "{}",
        text(&o.stderr)
    );
}

/// The policy file of the snapshot folder is part of it.
#[test]
fn a_policy_file_linked_out_is_not_read() {
    let (root, dir) = snapshot("healthy");
    link_out(
        root.path(),
        &dir,
        "lookout-doctor.toml",
        &format!("[rules]\n\"device-pending\" = \"{SECRET}\"\n"),
    );
    let o = run(&["diagnose", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = text(&o.stderr);
    assert!(
        stderr.contains("lookout-doctor.toml: is a symbolic link to ") && !stderr.contains("ghp_"),
        "{stderr}"
    );
}

/// Links that stay inside the folder keep working.
#[test]
fn links_inside_the_snapshot_are_read() {
    let (_root, dir) = snapshot("healthy");
    std::fs::create_dir(dir.join("exports")).unwrap();
    std::fs::rename(dir.join("lookout.json"), dir.join("exports/lookout.json")).unwrap();
    std::os::unix::fs::symlink("exports/lookout.json", dir.join("lookout.json")).unwrap();
    // Through a link to the folder itself, too.
    std::fs::rename(
        dir.join("intune-devices.json"),
        dir.join("exports/intune-devices.json"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        dir.join("exports/../exports/intune-devices.json"),
        dir.join("intune-devices.json"),
    )
    .unwrap();
    let o = run(&["diagnose", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

// --- Item 8: values of unbounded length -------------------------------------------

/// A device name of `len` characters in place of `name`, in `file` of the copy.
fn long_name(dir: &Path, file: &str, name: &str, len: usize) {
    let path = dir.join(file);
    let content = std::fs::read_to_string(&path).unwrap();
    assert!(content.contains(name), "{file} has no {name}");
    std::fs::write(&path, content.replacen(name, &"N".repeat(len), 1)).unwrap();
}

/// The cut values of a report's notes, and the longest run of the name's letter.
fn notes_and_longest(report: &str) -> (Vec<String>, usize) {
    let json: serde_json::Value = serde_json::from_str(report).unwrap();
    let notes = json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.to_string())
        .filter(|n| n.contains("were cut"))
        .collect();
    let longest = report.split(|c| c != 'N').map(str::len).max().unwrap_or(0);
    (notes, longest)
}

#[test]
fn a_long_json_value_is_cut_with_a_note() {
    let (_root, dir) = snapshot("sample");
    long_name(&dir, "intune-devices.json", "Diego's iPhone 13 mini", 5_000);
    let o = run(&["diagnose", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let (notes, longest) = notes_and_longest(&text(&o.stdout));
    assert_eq!(longest, 1_024);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("1 value(s) longer than 1024 characters were cut")
            && notes[0].contains("record 9 (field \\\"deviceName\\\")"),
        "{notes:?}"
    );
}

/// A 20 MB device name in a CSV export: the CSV report stays small and quick.
#[test]
fn a_long_csv_value_is_cut_with_a_note_and_stays_quick() {
    let (_root, dir) = snapshot("export-csv");
    long_name(&dir, "intune-devices.csv", "Miriam's Galaxy A35", 20 << 20);
    let started = Instant::now();
    let o = run(&["diagnose", dir.to_str().unwrap(), "--format", "csv"]);
    assert!(started.elapsed() < TIME_LIMIT);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        o.stdout.len() < 1_000_000,
        "report is {} bytes",
        o.stdout.len()
    );
    assert!(text(&o.stdout).contains(&format!(",{},", "N".repeat(1_024))));
    let o = run(&["diagnose", dir.to_str().unwrap(), "--format", "json"]);
    let (notes, longest) = notes_and_longest(&text(&o.stdout));
    assert_eq!(longest, 1_024);
    assert!(
        notes.len() == 1 && notes[0].contains("record 13, line 15 (field \\\"DeviceName\\\")"),
        "{notes:?}"
    );
}

/// A Log Analytics CSV's TargetResources cell is JSON text, parsed whole however long;
/// what it holds is capped.
#[test]
fn json_text_in_a_cell_is_parsed_whole_and_what_it_holds_is_cut() {
    let (_root, dir) = snapshot("export-log-analytics");
    let path = dir.join("query_data.csv");
    let csv = std::fs::read_to_string(&path).unwrap();
    let target = r#"""displayName"":null,""type"":""User"""#;
    assert!(csv.contains(target));
    let long = format!(
        r#"""displayName"":""{}"",""type"":""User"""#,
        "N".repeat(3_000)
    );
    std::fs::write(&path, csv.replacen(target, &long, 1)).unwrap();
    let before = run(&["validate", "fixtures/export-log-analytics"]);
    let after = run(&["validate", dir.to_str().unwrap()]);
    assert_eq!(after.status.code(), Some(0), "{}", text(&after.stderr));
    let records = |o: &Output| {
        text(&o.stdout)
            .lines()
            .find(|l| l.contains("query_data.csv"))
            .map(str::to_owned)
    };
    assert_eq!(records(&after), records(&before));
    assert!(
        text(&after.stdout).contains("1 value(s) longer than 1024 characters were cut"),
        "{}",
        text(&after.stdout)
    );
}

// --- Item 9: lone surrogates, folders that cannot be searched ----------------------

#[test]
fn a_lone_surrogate_escape_is_repaired_with_a_note() {
    let (_root, dir) = snapshot("sample");
    let path = dir.join("intune-devices.json");
    let json = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        json.replacen("Diego's iPhone 13 mini", r"Diego\ud800 iPhone", 1),
    )
    .unwrap();
    let o = run(&["diagnose", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let report = text(&o.stdout);
    assert!(report.contains("Diego\u{fffd} iPhone"));
    assert!(
        report.contains("1 lone UTF-16 surrogate(s)") && report.contains("the first on line 150"),
        "{report:.3000}"
    );
}

/// chmod 000 on the folder above the snapshot, on the snapshot folder, and `r--` on it
/// (names listed, files out of reach). As root, permissions do not stop reads: the
/// case is skipped with a note.
#[test]
fn folders_that_cannot_be_searched_say_permission_denied() {
    if root() {
        println!("note: skipping the permission cases: this test runs as root, whom permissions do not stop");
        return;
    }
    let (root_dir, dir) = snapshot("healthy");
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    let denied = |expected: &str| {
        for command in ["diagnose", "validate"] {
            let o = run(&[command, dir.to_str().unwrap()]);
            let stderr = text(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{stderr}");
            assert!(
                stderr.contains(expected) && !stderr.contains("not found"),
                "{command}: {stderr}"
            );
        }
    };
    mode(root_dir.path(), 0o000);
    denied("permission denied: this user may not reach the snapshot folder");
    mode(root_dir.path(), 0o700);
    mode(&dir, 0o000);
    denied("cannot list the folder: permission denied");
    mode(&dir, 0o400);
    denied("permission denied: this user may not search a folder on the way to the file");
    mode(&dir, 0o755);
}
