//! Which files of a snapshot folder hold which input. Every entry of the folder is
//! looked at, and each file is recognised by its content (`detect`), whatever its
//! name; a SPEC name (`intune-devices.json`, ...) only says what a file should be when
//! its content does not tell, and breaks ties. Besides plain files:
//!
//! - `.zip` archives (the Intune admin center's export downloads as one) are read as
//!   the files they hold, entries at any depth, shown as `archive.zip/entry.csv`;
//! - an Entra "Download members" file lists one group's members without naming the
//!   group: its file name does (`group-members/<group display name>.csv`, or the same
//!   name anywhere else);
//! - every other entry (a subfolder, a system file, a file nothing recognises) is
//!   listed as not read, with the reason.
//!
//! JSON pages come in several files, merged in natural name order; a CSV export is
//! always one file, so two of them (or JSON next to CSV) are refused: we would not
//! know which one is current.

use super::detect::{
    classify, file_name, has_ext, not_an_export_by_name, Content, Head, Recognised, Seen,
    UnreadFile, UnreadReason, Verdict,
};
use super::form::Form;
use super::text::{self, zipped, FileText};
use super::{Format, Input, LoadError};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::Arc;

/// The folder that holds Entra "Download members" files, one per group.
pub const GROUP_MEMBERS_DIR: &str = "group-members";

/// Whether symbolic links that lead out of the snapshot folder are followed
/// (`--follow-links`). They are not by default: a snapshot committed to a repository
/// and diagnosed in CI could otherwise have the run read any file of the machine (a
/// token, a key) and quote it in an error, into the job's log.
static FOLLOW_LINKS: AtomicBool = AtomicBool::new(false);

/// Has links out of the snapshot folder followed (`true`) or refused (the default).
pub fn follow_links(follow: bool) {
    FOLLOW_LINKS.store(follow, AtomicOrdering::Relaxed);
}

/// Refuses `path`, in the snapshot folder whose canonical path is `root`, when it is
/// a symbolic link whose target (all links followed) lies outside that folder, unless
/// such links are followed ([`follow_links`]). Only paths are looked at, never the
/// target's content. A link that leads nowhere (to nothing, or in a loop) is left to
/// the reading, which says what is wrong with it and reads nothing.
pub fn check_link(root: &Path, path: &Path) -> Result<(), LoadError> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link || FOLLOW_LINKS.load(AtomicOrdering::Relaxed) {
        return Ok(());
    }
    match path.canonicalize() {
        Ok(target) if !target.starts_with(root) => Err(LoadError::LinkOutside {
            path: path.to_owned(),
            // As the link says it (what it points to), not what it resolves to.
            target: std::fs::read_link(path)
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }),
        _ => Ok(()),
    }
}

/// One file of a snapshot, and what it holds.
#[derive(Debug, Clone)]
pub struct Source {
    /// Where the file is (an archive's entry: the archive's path joined with the
    /// entry's); messages name it by this.
    pub path: PathBuf,
    /// How the file is shown: its path inside the snapshot folder
    /// (`intune_devices.json`, `group-members/Lookout Pilot.csv`,
    /// `export.zip/DevicesWithInventory_1.csv`).
    pub name: String,
    pub input: Input,
    pub format: Format,
    /// The form its head showed (the loader may refine it: pages, events).
    pub form: Form,
    /// An Entra "Download members" file of one group, named by the file name: its
    /// members join the groups the input's other files list.
    pub group_members: bool,
    origin: Origin,
}

/// Where a source's bytes are.
#[derive(Debug, Clone)]
enum Origin {
    /// A file of the folder, at `Source::path`.
    File,
    /// An entry of an archive, which shares one decompression allowance with the
    /// archive's other entries.
    Zipped {
        archive: PathBuf,
        index: usize,
        budget: Arc<zipped::Budget>,
    },
}

impl Source {
    /// Reads the file's text (an archive's entry: decompressed, within its bounds).
    pub fn read_text(&self) -> Result<FileText, LoadError> {
        match &self.origin {
            Origin::File => text::read_text(&self.path),
            Origin::Zipped {
                archive,
                index,
                budget,
            } => zipped::read_entry(archive, *index, &self.path, budget),
        }
    }

    /// The group an Entra "Download members" file lists: its file name without `.csv`.
    pub fn group(&self) -> &str {
        let name = file_name(&self.name);
        name.rsplit_once('.').map_or(name, |(stem, _)| stem)
    }
}

/// A snapshot folder's files, by the input each holds, in reading order (pages in
/// natural name order; for the groups, "Download members" files after the exports),
/// and every entry that is not read, with its reason. Found once, before anything is
/// read.
#[derive(Debug, Clone)]
pub struct Plan {
    dir: PathBuf,
    sources: BTreeMap<Input, Vec<Source>>,
    unread: Vec<UnreadFile>,
}

impl Plan {
    /// Finds the files of every input in `dir`; refuses a folder that is not a
    /// snapshot (no lookout.json, no device list) or where it is unclear which file
    /// holds an input.
    pub fn discover(dir: &Path) -> Result<Plan, LoadError> {
        match std::fs::metadata(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(LoadError::NoSuchFolder {
                    path: dir.to_owned(),
                })
            }
            // A folder on the way cannot be searched: the folder may well be there.
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                return Err(LoadError::FolderDenied {
                    path: dir.to_owned(),
                })
            }
            Err(source) => {
                return Err(LoadError::Io {
                    path: dir.to_owned(),
                    source,
                })
            }
            Ok(m) if !m.is_dir() => {
                return Err(LoadError::NotAFolder {
                    path: dir.to_owned(),
                })
            }
            Ok(_) => {}
        }
        let root = dir.canonicalize().map_err(|source| LoadError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let mut found = Found {
            dir: dir.to_owned(),
            root,
            sources: Vec::new(),
            unread: Vec::new(),
        };
        found.folder(dir, "")?;
        let plan = Plan {
            dir: dir.to_owned(),
            sources: by_input(dir, found.sources)?,
            unread: found.unread,
        };
        if !plan.has(Input::Lookout) {
            return Err(LoadError::Missing {
                dir: dir.to_owned(),
                file: "lookout.json",
                why: "it holds the Lookout tenant and connector settings; `lookout-doctor init` explains each field",
            });
        }
        if !plan.has(Input::LookoutDevices) && !plan.has(Input::IntuneDevices) {
            return Err(LoadError::Missing {
                dir: dir.to_owned(),
                file: "lookout-devices.json or intune-devices.json",
                why: "at least one device list is needed to diagnose devices (an Intune admin center export DevicesWithInventory_*.csv counts)",
            });
        }
        Ok(plan)
    }

    /// The folder the plan is of.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the snapshot has a file of `input`.
    pub fn has(&self, input: Input) -> bool {
        self.sources.contains_key(&input)
    }

    /// The inputs the snapshot has, in [`Input`] order.
    pub fn inputs(&self) -> impl Iterator<Item = Input> + '_ {
        self.sources.keys().copied()
    }

    /// The files of `input`, in reading order; none when the snapshot lacks it.
    pub fn sources(&self, input: Input) -> &[Source] {
        self.sources.get(&input).map_or(&[], Vec::as_slice)
    }

    /// The entries of the folder that are not read, in folder order.
    pub fn unread(&self) -> &[UnreadFile] {
        &self.unread
    }
}

/// What the walk over a folder found.
struct Found {
    dir: PathBuf,
    /// The folder's canonical path, which links may not lead out of.
    root: PathBuf,
    sources: Vec<Source>,
    unread: Vec<UnreadFile>,
}

impl Found {
    /// Looks at every entry of `folder`, whose entries are shown as `prefix` + name.
    fn folder(&mut self, folder: &Path, prefix: &str) -> Result<(), LoadError> {
        let entries = std::fs::read_dir(folder).map_err(|e| LoadError::Invalid {
            path: folder.to_owned(),
            message: if e.kind() == std::io::ErrorKind::PermissionDenied {
                "cannot list the folder: permission denied: this user may not read it; give read and search permission (e.g. chmod a+rx) or run as its owner".into()
            } else {
                format!("cannot list the folder: {e}")
            },
        })?;
        let mut names: Vec<(String, std::ffi::OsString)> = entries
            .flatten()
            // Names that are not UTF-8 (an old ZIP tool's `\xC9quipe.csv`) are shown
            // and matched as text, and read by their real name.
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.file_name()))
            .collect();
        names.sort_by(|a, b| natural_cmp(&a.0, &b.0));
        let members = prefix == format!("{GROUP_MEMBERS_DIR}/");
        for (name, real) in names {
            let shown = format!("{prefix}{name}");
            let path = folder.join(&real);
            // Links are followed: a link to a folder is a folder.
            let is_dir = std::fs::metadata(&path).is_ok_and(|m| m.is_dir());
            if let Some(reason) = not_an_export_by_name(&name) {
                self.unread(if is_dir { format!("{shown}/") } else { shown }, reason);
            } else if is_dir && prefix.is_empty() && name == GROUP_MEMBERS_DIR {
                check_link(&self.root, &path)?;
                self.folder(&path, &format!("{GROUP_MEMBERS_DIR}/"))?;
            } else if is_dir && ["json", "csv", "zip"].iter().any(|ext| has_ext(&name, ext)) {
                // Named like an export, where an export belongs.
                return Err(LoadError::Invalid {
                    path,
                    message: "is a folder, but a file was expected".into(),
                });
            } else if is_dir {
                self.unread(format!("{shown}/"), UnreadReason::Folder);
            } else {
                // Everything else is a file to recognise: a pipe, a device or a
                // broken link is refused with a reason by reading it, never passed
                // over. Not even its head is read before a link is checked.
                check_link(&self.root, &path)?;
                let head = Head::read(&path, &shown)?;
                if matches!(head.content, Content::Archive) {
                    self.archive(&path, &shown)?;
                } else {
                    self.add(path, shown, &head, Origin::File, members)?;
                }
            }
        }
        Ok(())
    }

    /// Looks at every file of an archive.
    fn archive(&mut self, path: &Path, shown: &str) -> Result<(), LoadError> {
        let mut entries = zipped::entries(path)?;
        // An Office document is a zip of XML parts: one file, not its parts.
        if entries.iter().any(|e| e.name == "[Content_Types].xml") {
            let workbook = entries.iter().any(|e| e.name.starts_with("xl/"));
            self.unread(
                shown.to_owned(),
                UnreadReason::NotRecognised {
                    seen: if workbook {
                        Seen::Workbook
                    } else {
                        Seen::Binary
                    },
                    closest: None,
                },
            );
            return Ok(());
        }
        entries.sort_by(|a, b| natural_cmp(&a.name, &b.name));
        let budget = Arc::new(zipped::Budget::new()?);
        for entry in entries {
            let inner = format!("{shown}/{}", entry.name);
            let system = entry
                .name
                .split('/')
                .any(|part| part.eq_ignore_ascii_case("__MACOSX"));
            let by_name = not_an_export_by_name(file_name(&entry.name));
            let reason = match entry.kind {
                _ if system => Some(UnreadReason::System),
                _ if by_name.is_some() => by_name,
                zipped::EntryKind::Encrypted => Some(UnreadReason::Encrypted),
                zipped::EntryKind::Unsupported(method) => {
                    Some(UnreadReason::UnsupportedCompression { method })
                }
                zipped::EntryKind::File => None,
            };
            if let Some(reason) = reason {
                self.unread(inner, reason);
                continue;
            }
            let head = Head::grow(&inner, |len| zipped::read_head(path, entry.index, len))?;
            // A snapshot folder zipped whole keeps its group-members/ folder.
            let members = entry
                .name
                .rsplit('/')
                .nth(1)
                .is_some_and(|dir| dir == GROUP_MEMBERS_DIR);
            let origin = Origin::Zipped {
                archive: path.to_owned(),
                index: entry.index,
                budget: Arc::clone(&budget),
            };
            self.add(self.dir.join(&inner), inner, &head, origin, members)?;
        }
        Ok(())
    }

    fn unread(&mut self, name: String, reason: UnreadReason) {
        self.unread.push(UnreadFile { name, reason });
    }

    /// Adds a recognised file as a source, or an unrecognised one as not read.
    fn add(
        &mut self,
        path: PathBuf,
        shown: String,
        head: &Head,
        origin: Origin,
        in_members_folder: bool,
    ) -> Result<(), LoadError> {
        match decide(head, in_members_folder) {
            Verdict::Read(r) => {
                if let Some(why) = r.refused {
                    return Err(LoadError::Invalid { path, message: why });
                }
                self.sources.push(Source {
                    path,
                    name: shown,
                    input: r.input,
                    format: r.format,
                    form: r.form,
                    group_members: r.group_members,
                    origin,
                });
            }
            Verdict::Unread(reason) => self.unread(shown, reason),
        }
        Ok(())
    }
}

/// What a file is: what its content says, and in `group-members/` a CSV that nothing
/// recognises is still read as the member file it should be, so that its loader
/// says what is wrong with it.
fn decide(head: &Head, in_members_folder: bool) -> Verdict {
    match classify(head) {
        Verdict::Unread(UnreadReason::NotRecognised { .. })
            if in_members_folder
                && has_ext(file_name(&head.name), "csv")
                && !matches!(head.content, Content::Json(_)) =>
        {
            let mut r = Recognised::new(
                Input::Groups,
                Format::Csv,
                Form::EntraMembersCsv { files: 1 },
                0,
            );
            r.group_members = true;
            Verdict::Read(r)
        }
        verdict => verdict,
    }
}

/// The sources of each input in reading order; refuses an input held by two exports
/// that do not add up (two CSV files, JSON beside CSV, two lookout.json).
fn by_input(dir: &Path, sources: Vec<Source>) -> Result<BTreeMap<Input, Vec<Source>>, LoadError> {
    let mut by_input: BTreeMap<Input, Vec<Source>> = BTreeMap::new();
    for source in sources {
        by_input.entry(source.input).or_default().push(source);
    }
    let ambiguous = |a: &Source, b: &Source| LoadError::Ambiguous {
        dir: dir.to_owned(),
        a: a.name.clone(),
        b: b.name.clone(),
    };
    for (input, files) in &mut by_input {
        // Exports first, in natural name order, then the member files.
        files.sort_by(|a, b| {
            a.group_members
                .cmp(&b.group_members)
                .then_with(|| natural_cmp(&a.name, &b.name))
        });
        let exports: Vec<&Source> = files.iter().filter(|s| !s.group_members).collect();
        let json: Vec<&&Source> = exports
            .iter()
            .filter(|s| s.format == Format::Json)
            .collect();
        let csv: Vec<&&Source> = exports.iter().filter(|s| s.format == Format::Csv).collect();
        match (json.as_slice(), csv.as_slice()) {
            ([j, ..], [c, ..]) => return Err(ambiguous(j, c)),
            (_, [a, b, ..]) => return Err(ambiguous(a, b)),
            ([a, b, ..], _) if matches!(input, Input::Manifest | Input::Lookout) => {
                return Err(ambiguous(a, b))
            }
            _ => {}
        }
    }
    Ok(by_input)
}

/// The source of one file given as bytes (`load_bytes`), recognised as a folder would
/// recognise it; `name` is its name in the folder (`group-members/<group>.csv` for a
/// member file there).
pub(crate) fn source_of_bytes(name: &str, bytes: &[u8]) -> Result<Source, LoadError> {
    let head = Head::of_bytes(name, bytes, true);
    let in_members_folder = name
        .strip_prefix(&format!("{GROUP_MEMBERS_DIR}/"))
        .is_some_and(|rest| !rest.contains('/'));
    match decide(&head, in_members_folder) {
        Verdict::Read(r) => match r.refused {
            Some(message) => Err(LoadError::Invalid {
                path: name.into(),
                message,
            }),
            None => Ok(Source {
                path: name.into(),
                name: name.to_owned(),
                input: r.input,
                format: r.format,
                form: r.form,
                group_members: r.group_members,
                origin: Origin::File,
            }),
        },
        Verdict::Unread(reason) => Err(LoadError::Invalid {
            path: name.into(),
            message: format!("not read: {}", reason.describe(crate::messages::current())),
        }),
    }
}

/// Whether a "Download members" file's name (without `.csv`) can be a group's display
/// name. A name an export tool or a person gives a download (`exportGroupMembers_2026-11-20`,
/// `members`, `groups`, one with a date or an object id in it) cannot: such a file
/// whose name is no group of the snapshot is refused rather than read as a new group.
pub fn plausible_group_name(name: &str) -> bool {
    let n = super::csv_table::normalize_header(name);
    let generic = [
        "groups",
        "group",
        "members",
        "groupmembers",
        "users",
        "export",
        "download",
        "data",
        "book1",
        "untitled",
        "list",
    ];
    let stems = Input::ALL.map(|i| super::csv_table::normalize_header(i.stem()));
    let digits = name.chars().filter(char::is_ascii_digit).count();
    let hex_run = name
        .split(|c: char| !c.is_ascii_hexdigit() && c != '-')
        .any(|part| part.len() >= 32);
    !(n.is_empty()
        || generic.contains(&n.as_str())
        || stems.contains(&n)
        || n.starts_with("export")
        || n.starts_with("download")
        // A date (2026-11-20, 20261120) or a time stamp.
        || digits >= 8
        || hex_run)
}

/// Orders `page-2` before `page-10`: digit runs compare by value, letters ignore
/// case (byte order breaks ties, so the order is total).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    natural_cmp_folded(a.as_bytes(), b.as_bytes()).then_with(|| a.cmp(b))
}

fn natural_cmp_folded(mut a: &[u8], mut b: &[u8]) -> Ordering {
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (na, ra) = split_digits(a);
                let (nb, rb) = split_digits(b);
                let by_value = na
                    .trim_start_matches('0')
                    .len()
                    .cmp(&nb.trim_start_matches('0').len())
                    .then_with(|| na.trim_start_matches('0').cmp(nb.trim_start_matches('0')))
                    .then_with(|| na.len().cmp(&nb.len()));
                if by_value != Ordering::Equal {
                    return by_value;
                }
                (a, b) = (ra, rb);
            }
            (Some(x), Some(y)) => {
                let by_char = x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase());
                if by_char != Ordering::Equal {
                    return by_char;
                }
                (a, b) = (&a[1..], &b[1..]);
            }
        }
    }
}

fn split_digits(s: &[u8]) -> (&str, &[u8]) {
    let end = s
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(s.len());
    // Only ASCII digits, so always valid UTF-8.
    (
        std::str::from_utf8(&s[..end]).unwrap_or_default(),
        &s[end..],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec!["p-10.json", "p-2.json", "p-1.json", "P-3.json", "p.json"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            ["p-1.json", "p-2.json", "P-3.json", "p-10.json", "p.json"]
        );
    }

    #[test]
    fn group_names_and_download_names() {
        for name in [
            "Lookout Pilot",
            "Lookout Wave 1",
            "SecOps Analysts",
            "Équipe 2026",
        ] {
            assert!(plausible_group_name(name), "{name}");
        }
        for name in [
            "exportGroupMembers_2026-11-20",
            "groups",
            "group-members",
            "Members",
            "download (3)",
            "20261120",
            "f687aff5-6b0e-4319-84f6-5f831425a1c6",
            "intune-devices",
        ] {
            assert!(!plausible_group_name(name), "{name}");
        }
    }
}
