//! Writing reports to files, and never into the snapshot folder, which lookout-doctor
//! only reads.
//!
//! What is at the path decides how:
//! - a regular file, or nothing yet: replaced (or created) atomically, a temporary file
//!   in the same folder then a rename, so a reader never sees it half-written. A file
//!   replaced keeps its permission bits and, where this user may set them, its owner
//!   and group; a new file gets what a shell's `>` would give it (0666 less the umask);
//! - a symbolic link: followed, and what it points to is written as above (a link to
//!   nothing creates the file it names);
//! - this process's own standard output or error (`/dev/stdout`, `/dev/fd/2`, or a
//!   file the shell redirected it to): written to the stream, as `>` or `>>` opened it;
//! - a character device (`/dev/null`, a terminal), a named pipe or a socket: written
//!   through, never replaced. A named pipe that nobody opens for reading within
//!   [`FIFO_READER_WAIT`] is an error rather than a hang;
//! - a folder or a block device (a disk): refused.

use anyhow::{anyhow, bail, Context as _, Result};
use std::fs::Metadata;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a named pipe given as the output may go without a reader.
pub const FIFO_READER_WAIT: Duration = Duration::from_secs(10);

/// Most links followed from the output path to what it names (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Writes the report `bytes` to `path`, as the module's documentation says.
pub fn write_report(path: &Path, bytes: &[u8]) -> Result<()> {
    let shown = path.display();
    match std::fs::metadata(path) {
        Ok(meta) => {
            #[cfg(unix)]
            if let Some(stream) = standard_stream(&meta) {
                return stream
                    .write(bytes)
                    .with_context(|| format!("{shown}: cannot write the report"));
            }
            if meta.is_file() {
                let target = path
                    .canonicalize()
                    .with_context(|| format!("{shown}: cannot find the file it names"))?;
                return replace(&target, bytes, Some(&meta))
                    .with_context(|| format!("{shown}: cannot write the report"));
            }
            if meta.is_dir() {
                bail!("{shown}: is a folder; give the name of a file for the report");
            }
            write_through(path, &meta, bytes)
                .with_context(|| format!("{shown}: cannot write the report"))
        }
        // Nothing there, or a link to nothing: the file is created where the link
        // points, as a shell's `>` would.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let target = link_target(path)?;
            replace(&target, bytes, None)
                .with_context(|| format!("{shown}: cannot write the report"))
        }
        Err(e) => Err(e).with_context(|| format!("{shown}: cannot write the report")),
    }
}

/// Refuses an output path that is, or leads through links to, a file inside the
/// snapshot folder.
pub fn ensure_outside(output: &Path, snapshot_dir: &Path) -> Result<()> {
    let Ok(snap) = snapshot_dir.canonicalize() else {
        return Ok(()); // a missing folder fails later with its own message
    };
    let destination = match output.canonicalize() {
        Ok(existing) => existing,
        Err(_) => match link_target(output) {
            Ok(new) => new,
            Err(_) => return Ok(()), // refused later, when it is written
        },
    };
    let parent = match destination.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(folder) = parent.canonicalize() else {
        return Ok(()); // a missing folder fails later with its own message
    };
    if folder.starts_with(&snap) {
        bail!(
            "{}: refusing to write inside the snapshot folder {} (lookout-doctor never writes into a snapshot); choose another path",
            output.display(),
            snapshot_dir.display()
        );
    }
    Ok(())
}

/// The file a path names once its links are followed, when nothing exists there
/// (yet): the path itself, or the last link's target, which need not exist.
fn link_target(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_owned();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let text = std::fs::read_link(&current)
                    .with_context(|| format!("{}: cannot read the link", current.display()))?;
                // A relative link is relative to the folder the link is in.
                current = match current.parent() {
                    Some(dir) => dir.join(text),
                    None => text,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(anyhow!(
        "{}: too many symbolic links one after another (a loop?); give the file itself",
        path.display()
    ))
}

/// Replaces (or creates) the regular file `target` with `bytes` in one step: a
/// temporary file next to it, given the old file's permissions and owner (`old`), or
/// the umask's for a new file, then renamed over it.
fn replace(target: &Path, bytes: &[u8], old: Option<&Metadata>) -> Result<()> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".lookout-doctor-");
    #[cfg(unix)]
    if old.is_none() {
        use std::os::unix::fs::PermissionsExt;
        // The mode is given to open(2), which takes the umask off it.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(&dir).with_context(|| {
        format!(
            "{}: cannot create a temporary file next to the output",
            dir.display()
        )
    })?;
    if let Some(old) = old {
        keep_owner_and_mode(tmp.as_file(), old)?;
    }
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .context("cannot write the temporary file")?;
    tmp.persist(target)
        .map_err(|e| e.error)
        .context("cannot replace the file")?;
    Ok(())
}

/// Gives the temporary file the replaced file's owner and group where this user may
/// (root may; others may keep a group they belong to), then its permission bits. The
/// set-user-id, set-group-id and sticky bits are not carried over, as the kernel
/// clears the first two whenever a file is written.
#[cfg(unix)]
fn keep_owner_and_mode(file: &std::fs::File, old: &Metadata) -> Result<()> {
    use std::os::unix::fs::{fchown, MetadataExt, PermissionsExt};
    if fchown(file, Some(old.uid()), Some(old.gid())).is_err() {
        let _ = fchown(file, None, Some(old.gid()));
    }
    file.set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o777))
        .context("cannot give the new file the old one's permissions")
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &std::fs::File, old: &Metadata) -> Result<()> {
    file.set_permissions(old.permissions())
        .context("cannot give the new file the old one's permissions")
}

/// This process's standard output or error, when `meta` is the file it is open on.
#[cfg(unix)]
fn standard_stream(meta: &Metadata) -> Option<Stream> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let same = |fd: std::os::fd::BorrowedFd<'_>| {
        fd.try_clone_to_owned()
            .and_then(|fd| std::fs::File::from(fd).metadata())
            .is_ok_and(|m| m.dev() == meta.dev() && m.ino() == meta.ino())
    };
    if same(std::io::stdout().as_fd()) {
        Some(Stream::Stdout)
    } else if same(std::io::stderr().as_fd()) {
        Some(Stream::Stderr)
    } else {
        None
    }
}

#[cfg(unix)]
enum Stream {
    Stdout,
    Stderr,
}

#[cfg(unix)]
impl Stream {
    fn write(self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Stream::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(bytes).and_then(|_| out.flush())
            }
            Stream::Stderr => std::io::stderr().lock().write_all(bytes),
        }
    }
}

/// Writes into an existing file that is not a regular one, never replacing it.
#[cfg(unix)]
fn write_through(path: &Path, meta: &Metadata, bytes: &[u8]) -> Result<()> {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_block_device() {
        bail!("is a block device (a disk or a partition): a report is never written onto one; give the name of a file");
    }
    if kind.is_socket() {
        let mut socket = std::os::unix::net::UnixStream::connect(path)
            .context("is a socket that takes no stream connection")?;
        socket.write_all(bytes)?;
        socket.shutdown(std::net::Shutdown::Write)?;
        return Ok(());
    }
    if kind.is_fifo() {
        return write_fifo(path, bytes);
    }
    // A character device: /dev/null, a terminal.
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)?
        .write_all(bytes)?;
    Ok(())
}

#[cfg(not(unix))]
fn write_through(path: &Path, _: &Metadata, bytes: &[u8]) -> Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)?
        .write_all(bytes)?;
    Ok(())
}

/// Writes into a named pipe. Opening one for writing waits for a reader, maybe
/// forever: it is opened without waiting, again and again, until a reader has it open
/// or [`FIFO_READER_WAIT`] has passed. The report is then written as the reader takes
/// it, as into any pipe.
#[cfg(unix)]
fn write_fifo(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::ErrorKind;
    use std::os::unix::fs::OpenOptionsExt;
    const POLL: Duration = Duration::from_millis(10);
    let started = std::time::Instant::now();
    let mut pipe = loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
        {
            Ok(pipe) => break pipe,
            // ENXIO: no process has the pipe open for reading.
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
                if started.elapsed() >= FIFO_READER_WAIT {
                    bail!(
                        "is a named pipe that nobody opened for reading within {} seconds; start the reader first (e.g. `cat {}`)",
                        FIFO_READER_WAIT.as_secs(),
                        path.display()
                    );
                }
                std::thread::sleep(POLL);
            }
            Err(e) => return Err(e.into()),
        }
    };
    // The pipe stays non-blocking (safe code cannot change that): a full pipe is
    // waited out a moment at a time.
    let mut rest = bytes;
    while !rest.is_empty() {
        match pipe.write(rest) {
            Ok(0) => bail!("the reader of the named pipe stopped reading"),
            Ok(n) => rest = &rest[n..],
            Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(POLL / 10),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
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
        write_report(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(leftovers.len(), 1, "temporary files left behind");
        assert!(ensure_outside(&dir.path().join("x.json"), dir.path()).is_err());
        assert!(ensure_outside(Path::new("/tmp/elsewhere.json"), dir.path()).is_ok());
        let e = write_report(dir.path(), b"x").unwrap_err().to_string();
        assert!(e.contains("is a folder"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_to_what_they_name() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.json");
        symlink("real.json", &link).unwrap();
        write_report(&link, b"new").unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        // A link to nothing yet creates what it names.
        let dangling = dir.path().join("dangling.json");
        symlink("sub/made.json", &dangling).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        write_report(&dangling, b"made").unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("sub/made.json")).unwrap(),
            b"made"
        );
        // A link into the snapshot is inside it.
        let snap = dir.path().join("snap");
        std::fs::create_dir(&snap).unwrap();
        let into = dir.path().join("into.json");
        symlink("snap/report.json", &into).unwrap();
        assert!(ensure_outside(&into, &snap).is_err());
        let looped = dir.path().join("loop.json");
        symlink("loop.json", &looped).unwrap();
        assert!(write_report(&looped, b"x").is_err());
    }
}
