//! Writing reports to files: atomically (a temporary file in the same folder, then a
//! rename), so an existing file is never left half-written, and never into the
//! snapshot folder, which lookout-doctor only reads.

use anyhow::{bail, Context as _, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Replaces (or creates) `path` with `bytes` in one step.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".lookout-doctor-")
        .tempfile_in(&dir)
        .with_context(|| {
            format!(
                "{}: cannot create a temporary file next to the output",
                dir.display()
            )
        })?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("{}: cannot write the report", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("{}: cannot replace the file", path.display()))?;
    Ok(())
}

/// Refuses an output path inside the snapshot folder.
pub fn ensure_outside(output: &Path, snapshot_dir: &Path) -> Result<()> {
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let (Ok(out_dir), Ok(snap)) = (parent.canonicalize(), snapshot_dir.canonicalize()) else {
        return Ok(()); // a missing folder fails later with its own message
    };
    if out_dir.starts_with(&snap) {
        bail!(
            "{}: refusing to write inside the snapshot folder {} (lookout-doctor never writes into a snapshot); choose another path",
            output.display(),
            snapshot_dir.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_files_and_guards_the_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old content that is longer").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(leftovers.len(), 1, "temporary files left behind");
        assert!(ensure_outside(&dir.path().join("x.json"), dir.path()).is_err());
        assert!(ensure_outside(Path::new("/tmp/elsewhere.json"), dir.path()).is_ok());
    }
}
