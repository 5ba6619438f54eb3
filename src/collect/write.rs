//! Writing the snapshot folder so that it appears whole or not at all: every file is
//! written into a staging folder beside the target (same parent, so the same file
//! system), and the staging folder is renamed into place only once everything was
//! collected. A failed run removes the staging folder and leaves the target as it was.
//!
//! An existing target keeps the files a person wrote (`lookout.json`,
//! `lookout-doctor.toml`, `README.md`): they are carried into the new folder. The
//! files an earlier `collect` wrote are replaced. Anything else would be lost, so
//! the target is then refused, naming those files, before anything is collected.

use anyhow::{anyhow, bail, Context as _, Result};
use serde_json::Value;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The files a person keeps in a snapshot folder, carried over into the new one.
pub const KEPT: [&str; 3] = ["lookout.json", "lookout-doctor.toml", "README.md"];

/// What `collect` writes besides `lookout.json` (and so may replace).
pub const WRITTEN: [&str; 7] = [
    "snapshot.json",
    "groups.json",
    "intune-devices.json",
    "lookout-devices.json",
    "audit-logs.json",
    "intune-mtd-connector.json",
    "service-principals.json",
];

/// Files operating systems leave in folders; losing them loses nothing.
const CLUTTER: [&str; 3] = [".DS_Store", "Thumbs.db", "desktop.ini"];

/// The value of `tool` in the `snapshot.json` that `collect` writes: how a folder
/// written by an earlier run is told from a snapshot exported by hand.
pub const TOOL: &str = "lookout-doctor collect";

/// The folder to write, as found before collecting.
#[derive(Debug)]
pub struct Target {
    pub path: PathBuf,
    /// `lookout.json`, if the folder has one.
    pub lookout_json: Option<PathBuf>,
}

impl Target {
    /// Looks at `dir`: a missing folder is fine, a file is not, and a folder holding
    /// anything `collect` would lose is refused.
    pub fn inspect(dir: &Path) -> Result<Target> {
        if dir.file_name().is_none() {
            bail!(
                "{}: give the snapshot folder by its name (such as ../contoso): collect replaces the folder whole",
                dir.display()
            );
        }
        let meta = match std::fs::metadata(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Target {
                    path: dir.to_owned(),
                    lookout_json: None,
                })
            }
            Err(e) => {
                return Err(e).with_context(|| format!("{}: cannot look at it", dir.display()))
            }
            Ok(m) => m,
        };
        if !meta.is_dir() {
            bail!("{}: exists and is not a folder", dir.display());
        }
        let lost = would_lose(dir)?;
        if !lost.is_empty() {
            bail!(
                "{}: the folder holds files that collect did not write and would lose: {}. Move them elsewhere or collect into another folder (lookout.json, lookout-doctor.toml and README.md are kept)",
                dir.display(),
                lost.join(", ")
            );
        }
        let lookout_json = dir.join("lookout.json");
        Ok(Target {
            path: dir.to_owned(),
            lookout_json: lookout_json.is_file().then_some(lookout_json),
        })
    }
}

/// The entries of `dir` that replacing it would lose, sorted.
fn would_lose(dir: &Path) -> Result<Vec<String>> {
    let by_collect = written_by_collect(&dir.join("snapshot.json"));
    let mut lost = Vec::new();
    for entry in std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list the folder", dir.display()))?
    {
        let entry = entry.with_context(|| format!("{}: cannot list the folder", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        let replaceable = (is_file && KEPT.contains(&name.as_str()))
            || (is_file && by_collect && WRITTEN.contains(&name.as_str()))
            || CLUTTER.contains(&name.as_str());
        if !replaceable {
            lost.push(if is_file { name } else { format!("{name}/") });
        }
    }
    lost.sort();
    Ok(lost)
}

/// Whether `snapshot.json` says `collect` wrote its folder.
fn written_by_collect(manifest: &Path) -> bool {
    std::fs::read(manifest)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .is_some_and(|v| v.get("tool").and_then(Value::as_str) == Some(TOOL))
}

/// The folder being filled, beside the target. Dropped without [`Staging::commit`],
/// it is removed with everything in it.
pub struct Staging {
    dir: tempfile::TempDir,
}

impl Staging {
    pub fn beside(target: &Path) -> Result<Staging> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("{}: cannot create the folder", parent.display()))?;
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.collect-"))
            .tempdir_in(&parent)
            .with_context(|| {
                format!(
                    "{}: cannot create a folder beside the snapshot",
                    parent.display()
                )
            })?;
        Ok(Staging { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Starts a list file: `{"<key>": [` records, one a line `], ...}`.
    pub fn list(&self, name: &str, key: &str) -> Result<ListFile> {
        ListFile::create(&self.path().join(name), key)
    }

    /// Writes a whole JSON document.
    pub fn json(&self, name: &str, value: &Value) -> Result<()> {
        let mut text = serde_json::to_string_pretty(value)?;
        text.push('\n');
        self.bytes(name, text.as_bytes())
    }

    pub fn bytes(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path().join(name);
        let mut f =
            File::create(&path).with_context(|| format!("{}: cannot write", path.display()))?;
        f.write_all(bytes)
            .and_then(|()| f.sync_all())
            .with_context(|| format!("{}: cannot write", path.display()))
    }

    /// Copies the kept files the target holds now into the new folder; returns their
    /// names.
    pub fn carry_over(&self, target: &Path) -> Result<Vec<&'static str>> {
        let mut carried = Vec::new();
        for name in KEPT {
            let from = target.join(name);
            if !from.is_file() {
                continue;
            }
            let to = self.path().join(name);
            std::fs::copy(&from, &to)
                .and_then(|_| File::open(&to)?.sync_all())
                .with_context(|| {
                    format!("{}: cannot copy it into the new snapshot", from.display())
                })?;
            carried.push(name);
        }
        Ok(carried)
    }

    /// Puts the new folder in the target's place. An existing target is checked
    /// again (something may have been added meanwhile), moved aside, replaced, and
    /// removed; if the replacement fails, it is moved back.
    pub fn commit(self, target: &Path) -> Result<()> {
        let exists = target.exists();
        if exists {
            Target::inspect(target)?;
        }
        let staged = self.dir.keep();
        let result = if exists {
            swap(&staged, target)
        } else {
            std::fs::rename(&staged, target).with_context(|| {
                format!(
                    "{}: cannot move the new snapshot into place",
                    target.display()
                )
            })
        };
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&staged);
        }
        result?;
        sync_parent(target);
        Ok(())
    }
}

/// Replaces the folder `target` with `staged`.
fn swap(staged: &Path, target: &Path) -> Result<()> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let aside = target.with_file_name(format!(".{name}.previous-{}", std::process::id()));
    std::fs::rename(target, &aside).with_context(|| {
        format!(
            "{}: cannot move the previous snapshot aside",
            target.display()
        )
    })?;
    if let Err(e) = std::fs::rename(staged, target) {
        let restored = std::fs::rename(&aside, target);
        return Err(anyhow!(e)).with_context(|| match restored {
            Ok(()) => format!(
                "{}: cannot move the new snapshot into place; the previous one is unchanged",
                target.display()
            ),
            Err(_) => format!(
                "{}: cannot move the new snapshot into place; the previous one is at {}",
                target.display(),
                aside.display()
            ),
        });
    }
    if std::fs::remove_dir_all(&aside).is_err() {
        eprintln!(
            "warning: the new snapshot is in place, but the previous one could not be removed from {}",
            aside.display()
        );
    }
    Ok(())
}

/// Makes the rename durable where the file system allows it.
fn sync_parent(target: &Path) {
    #[cfg(unix)]
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        let _ = File::open(parent).and_then(|d| d.sync_all());
    }
    #[cfg(not(unix))]
    let _ = target;
}

/// A JSON list written record by record, so a large device list never sits in
/// memory whole.
pub struct ListFile {
    out: BufWriter<File>,
    path: PathBuf,
    records: usize,
}

impl ListFile {
    fn create(path: &Path, key: &str) -> Result<ListFile> {
        let file =
            File::create(path).with_context(|| format!("{}: cannot write", path.display()))?;
        let mut list = ListFile {
            out: BufWriter::new(file),
            path: path.to_owned(),
            records: 0,
        };
        let head = format!("{{\n  {}: [", serde_json::to_string(key)?);
        list.write(head.as_bytes())?;
        Ok(list)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .with_context(|| format!("{}: cannot write", self.path.display()))
    }

    pub fn push(&mut self, record: &Value) -> Result<()> {
        let sep: &[u8] = if self.records == 0 {
            b"\n    "
        } else {
            b",\n    "
        };
        self.write(sep)?;
        let text = serde_json::to_vec(record)?;
        self.write(&text)?;
        self.records += 1;
        Ok(())
    }

    pub fn records(&self) -> usize {
        self.records
    }

    /// Closes the list, adds `after` (keys that follow it), and syncs the file.
    pub fn finish(mut self, after: &[(&str, Value)]) -> Result<usize> {
        let mut tail = if self.records == 0 {
            String::from("]")
        } else {
            String::from("\n  ]")
        };
        for (k, v) in after {
            tail.push_str(&format!(",\n  {}: {}", serde_json::to_string(k)?, v));
        }
        tail.push_str("\n}\n");
        self.write(tail.as_bytes())?;
        let file = self
            .out
            .into_inner()
            .map_err(|e| anyhow!("{}: cannot write: {}", self.path.display(), e.error()))?;
        file.sync_all()
            .with_context(|| format!("{}: cannot write", self.path.display()))?;
        Ok(self.records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    #[test]
    fn lists_are_valid_json_however_long() {
        let root = tempfile::tempdir().unwrap();
        let staging = Staging::beside(&root.path().join("snap")).unwrap();
        let mut l = staging.list("a.json", "devices").unwrap();
        l.push(&json!({"guid": "1"})).unwrap();
        l.push(&json!({"guid": "2", "x": [1, 2]})).unwrap();
        assert_eq!(l.finish(&[("count", json!(2))]).unwrap(), 2);
        let v: Value =
            serde_json::from_slice(&std::fs::read(staging.path().join("a.json")).unwrap()).unwrap();
        assert_eq!(
            v,
            json!({"devices": [{"guid": "1"}, {"guid": "2", "x": [1, 2]}], "count": 2})
        );
        staging
            .list("b.json", "value")
            .unwrap()
            .finish(&[])
            .unwrap();
        let v: Value =
            serde_json::from_slice(&std::fs::read(staging.path().join("b.json")).unwrap()).unwrap();
        assert_eq!(v, json!({"value": []}));
    }

    #[test]
    fn a_new_folder_appears_whole_and_nothing_is_left_beside_it() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("snap");
        let t = Target::inspect(&target).unwrap();
        assert!(t.lookout_json.is_none());
        let staging = Staging::beside(&target).unwrap();
        assert!(staging.path().starts_with(root.path()));
        staging.bytes("groups.json", b"{}").unwrap();
        assert!(
            !target.exists(),
            "nothing under the real name before the commit"
        );
        staging.commit(&target).unwrap();
        assert_eq!(names(&target), ["groups.json"]);
        assert_eq!(names(root.path()), ["snap"]);
    }

    #[test]
    fn a_failed_run_leaves_the_target_as_it_was() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("snap");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("lookout.json"), "{}").unwrap();
        {
            let staging = Staging::beside(&target).unwrap();
            staging.bytes("groups.json", b"{}").unwrap();
            // dropped: the run failed
        }
        assert_eq!(names(root.path()), ["snap"]);
        assert_eq!(names(&target), ["lookout.json"]);
    }

    #[test]
    fn an_earlier_snapshot_is_replaced_keeping_what_a_person_wrote() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("snap");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("lookout.json"), "{\"mine\": 1}").unwrap();
        std::fs::write(target.join("lookout-doctor.toml"), "x = 1").unwrap();
        std::fs::write(
            target.join("snapshot.json"),
            json!({"tool": TOOL}).to_string(),
        )
        .unwrap();
        std::fs::write(target.join("intune-devices.json"), "old").unwrap();
        std::fs::write(target.join("audit-logs.json"), "old").unwrap();
        let t = Target::inspect(&target).unwrap();
        assert_eq!(t.lookout_json, Some(target.join("lookout.json")));
        let staging = Staging::beside(&target).unwrap();
        staging.bytes("intune-devices.json", b"new").unwrap();
        assert_eq!(
            staging.carry_over(&target).unwrap(),
            ["lookout.json", "lookout-doctor.toml"]
        );
        staging.commit(&target).unwrap();
        assert_eq!(
            names(&target),
            ["intune-devices.json", "lookout-doctor.toml", "lookout.json"]
        );
        assert_eq!(
            std::fs::read_to_string(target.join("intune-devices.json")).unwrap(),
            "new"
        );
        assert_eq!(
            std::fs::read_to_string(target.join("lookout.json")).unwrap(),
            "{\"mine\": 1}"
        );
        assert_eq!(
            names(root.path()),
            ["snap"],
            "no staging or previous folder left"
        );
    }

    #[test]
    fn files_collect_did_not_write_are_never_lost() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("snap");
        std::fs::create_dir_all(target.join("group-members")).unwrap();
        std::fs::write(target.join("lookout.json"), "{}").unwrap();
        // A snapshot exported by hand: its files are someone's work.
        std::fs::write(
            target.join("snapshot.json"),
            r#"{"exported_at": "2026-11-20T12:00:00Z"}"#,
        )
        .unwrap();
        std::fs::write(target.join("intune-devices.json"), "{}").unwrap();
        std::fs::write(target.join("notes.txt"), "mine").unwrap();
        std::fs::write(target.join(".DS_Store"), "").unwrap();
        let e = Target::inspect(&target).unwrap_err().to_string();
        assert!(
            e.contains(
                "would lose: group-members/, intune-devices.json, notes.txt, snapshot.json."
            ),
            "{e}"
        );
        // Something added while collecting stops the commit too.
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("snap");
        std::fs::create_dir(&target).unwrap();
        Target::inspect(&target).unwrap();
        let staging = Staging::beside(&target).unwrap();
        std::fs::write(target.join("late.csv"), "x").unwrap();
        assert!(staging
            .commit(&target)
            .unwrap_err()
            .to_string()
            .contains("late.csv"));
        assert_eq!(names(&target), ["late.csv"]);
        assert_eq!(names(root.path()), ["snap"]);
    }

    #[test]
    fn a_file_is_not_a_target() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("snap");
        std::fs::write(&target, "x").unwrap();
        assert!(Target::inspect(&target)
            .unwrap_err()
            .to_string()
            .contains("is not a folder"));
    }
}
