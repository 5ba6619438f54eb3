//! Which files of a snapshot folder hold which input. The SPEC names
//! (`intune-devices.json`, ...) work as always; besides them:
//!
//! - every file whose name starts with the SPEC stem is a page of that export
//!   (`intune-devices-001.json`, `groups_page2.json`), merged in natural name order;
//! - the Intune admin center's `DevicesWithInventory_<id>.csv` is the Intune device list;
//! - `group-members/<group display name>.csv` holds one Entra "Download members" file
//!   per group.
//!
//! JSON pages come in several files; a CSV export is always one file, so two of them
//! (or JSON next to CSV) are refused: we would not know which one is current.

use super::{Format, Input, LoadError};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The folder that holds Entra "Download members" files, one per group.
pub const GROUP_MEMBERS_DIR: &str = "group-members";

/// One file of a snapshot, and what it holds.
#[derive(Debug, Clone)]
pub struct Source {
    /// Where the file is; messages name it by this too.
    pub path: PathBuf,
    pub input: Input,
    pub format: Format,
    /// An Entra "Download members" file of one group (`group-members/<group>.csv`):
    /// its members join the groups the input's other files list.
    pub group_members: bool,
}

/// A snapshot folder's files, by the input each holds, in reading order (pages in
/// natural name order; for the groups, `group-members/` files after the exports).
/// Found once, before anything is read.
#[derive(Debug, Clone)]
pub struct Plan {
    dir: PathBuf,
    sources: BTreeMap<Input, Vec<Source>>,
}

impl Plan {
    /// Finds the files of every input in `dir`; refuses a folder that is not a
    /// snapshot (no lookout.json, no device list) or where it is unclear which file
    /// holds an input.
    pub fn discover(dir: &Path) -> Result<Plan, LoadError> {
        match std::fs::metadata(dir) {
            Err(_) => {
                return Err(LoadError::NoSuchFolder {
                    path: dir.to_owned(),
                })
            }
            Ok(m) if !m.is_dir() => {
                return Err(LoadError::NotAFolder {
                    path: dir.to_owned(),
                })
            }
            Ok(_) => {}
        }
        let folder = Folder::read(dir)?;
        let mut sources: BTreeMap<Input, Vec<Source>> = BTreeMap::new();
        for input in Input::ALL {
            if let Some(found) = folder.sources(input)? {
                let files = found.files.into_iter().map(|path| Source {
                    path,
                    input,
                    format: found.format,
                    group_members: false,
                });
                sources.insert(input, files.collect());
            }
        }
        let members: Vec<Source> = folder
            .group_member_files()?
            .into_iter()
            .map(|path| Source {
                path,
                input: Input::Groups,
                format: Format::Csv,
                group_members: true,
            })
            .collect();
        if !members.is_empty() {
            sources.entry(Input::Groups).or_default().extend(members);
        }
        let plan = Plan {
            dir: dir.to_owned(),
            sources,
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
}

/// The files found for one input.
struct Sources {
    format: Format,
    files: Vec<PathBuf>,
}

/// A folder's file names, read once.
struct Folder {
    dir: PathBuf,
    names: Vec<String>,
    /// The real names of files whose names are not UTF-8 (an old ZIP tool's
    /// `\xC9quipe.csv`), by the name shown: matching and messages use the shown name,
    /// reading needs the real one.
    not_utf8: HashMap<String, OsString>,
}

impl Folder {
    fn read(dir: &Path) -> Result<Folder, LoadError> {
        let entries = std::fs::read_dir(dir).map_err(|e| LoadError::Invalid {
            path: dir.to_owned(),
            message: format!("cannot list the folder: {e}"),
        })?;
        let mut names = Vec::new();
        let mut not_utf8 = HashMap::new();
        // Everything but folders: a symbolic link, a pipe or a device with an export's
        // name is read (links) or refused with a reason (the rest) by
        // `text::read_text`, never silently passed over.
        for entry in entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
        {
            let real = entry.file_name();
            let name = real.to_string_lossy().into_owned();
            // Hidden files and Office lock files (`~$name.csv`) are never exports.
            if name.starts_with('.') || name.starts_with("~$") {
                continue;
            }
            if real.to_str().is_none() {
                not_utf8.insert(name.clone(), real);
            }
            names.push(name);
        }
        names.sort_by(|a, b| natural_cmp(a, b));
        Ok(Folder {
            dir: dir.to_owned(),
            names,
            not_utf8,
        })
    }

    /// The path of a listed file.
    fn path(&self, name: &str) -> PathBuf {
        match self.not_utf8.get(name) {
            Some(real) => self.dir.join(real),
            None => self.dir.join(name),
        }
    }

    /// The files of `input`, or `None` when the snapshot does not have it.
    fn sources(&self, input: Input) -> Result<Option<Sources>, LoadError> {
        if let Some(exact) = self.exact(input)? {
            return Ok(Some(exact));
        }
        if matches!(input, Input::Manifest | Input::Lookout) {
            return Ok(None);
        }
        let json = self.matching(input, "json");
        let csv = if input.accepts_csv() {
            self.matching(input, "csv")
        } else {
            Vec::new()
        };
        match (json.is_empty(), csv.len()) {
            (true, 0) => Ok(None),
            (false, 0) => Ok(Some(Sources {
                format: Format::Json,
                files: json.iter().map(|n| self.path(n)).collect(),
            })),
            (true, 1) => Ok(Some(Sources {
                format: Format::Csv,
                files: vec![self.path(csv[0])],
            })),
            (true, _) => Err(self.ambiguous(csv[0], csv[1])),
            (false, _) => Err(self.ambiguous(json[0], csv[0])),
        }
    }

    /// `stem.json` / `stem.csv` exactly, as SPEC names them.
    fn exact(&self, input: Input) -> Result<Option<Sources>, LoadError> {
        let json = self.dir.join(format!("{}.json", input.stem()));
        let csv = self.dir.join(format!("{}.csv", input.stem()));
        // "Is there an entry of that name", not `exists()`: that follows links and
        // would call a dangling or looping lookout.json missing instead of broken.
        let present = |p: &Path| std::fs::symlink_metadata(p).is_ok();
        let json_exists = present(&json);
        let csv_exists = input.accepts_csv() && present(&csv);
        let (path, format) = match (json_exists, csv_exists) {
            (true, true) => {
                return Err(self.ambiguous(
                    &format!("{}.json", input.stem()),
                    &format!("{}.csv", input.stem()),
                ))
            }
            (true, false) => (json, Format::Json),
            (false, true) => (csv, Format::Csv),
            (false, false) => return Ok(None),
        };
        if path.is_dir() {
            return Err(LoadError::Invalid {
                path,
                message: "is a folder, but a file was expected".into(),
            });
        }
        // Other pages next to the SPEC name join it (`groups.json`, `groups-2.json`).
        let ext = format.as_str();
        let files = self
            .matching(input, ext)
            .iter()
            .map(|n| self.path(n))
            .collect::<Vec<_>>();
        if format == Format::Csv && files.len() > 1 {
            return Err(self.ambiguous(&files_name(&files[0]), &files_name(&files[1])));
        }
        let other = if format == Format::Json {
            "csv"
        } else {
            "json"
        };
        if let Some(clash) = self
            .matching(input, other)
            .first()
            .filter(|_| input.accepts_csv())
        {
            return Err(self.ambiguous(&files_name(&path), clash));
        }
        Ok(Some(Sources {
            format,
            files: if files.is_empty() { vec![path] } else { files },
        }))
    }

    /// File names of `input` with extension `ext`, in natural order.
    fn matching(&self, input: Input, ext: &str) -> Vec<&String> {
        self.names
            .iter()
            .filter(|n| belongs_to(n, input, ext))
            .collect()
    }

    fn ambiguous(&self, a: &str, b: &str) -> LoadError {
        LoadError::Ambiguous {
            dir: self.dir.clone(),
            a: a.to_owned(),
            b: b.to_owned(),
        }
    }

    /// `group-members/*.csv`, in natural order (empty when the folder is absent).
    fn group_member_files(&self) -> Result<Vec<PathBuf>, LoadError> {
        let sub = self.dir.join(GROUP_MEMBERS_DIR);
        if !sub.is_dir() {
            return Ok(Vec::new());
        }
        let folder = Folder::read(&sub)?;
        Ok(folder
            .names
            .iter()
            .filter(|n| has_ext(n, "csv"))
            .map(|n| folder.path(n))
            .collect())
    }
}

fn files_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn has_ext(name: &str, ext: &str) -> bool {
    // Compared as bytes: slicing the name as text would split a character of a
    // name such as `日本語` and panic.
    let (name, ext) = (name.as_bytes(), ext.as_bytes());
    name.len() > ext.len() + 1
        && name[name.len() - ext.len() - 1] == b'.'
        && name[name.len() - ext.len()..].eq_ignore_ascii_case(ext)
}

/// The file a name stands for, as a snapshot folder would read it (`lookout.json`,
/// `intune-devices-2.json`, `DevicesWithInventory_1.csv`,
/// `group-members/<group>.csv`, ...); `None` when it names no snapshot file.
pub fn source_of(name: &str) -> Option<Source> {
    let path = PathBuf::from(name);
    if let Some(group) = name.strip_prefix(&format!("{GROUP_MEMBERS_DIR}/")) {
        return (has_ext(group, "csv") && !group.contains('/')).then_some(Source {
            path,
            input: Input::Groups,
            format: Format::Csv,
            group_members: true,
        });
    }
    input_of(name).map(|(input, format)| Source {
        path,
        input,
        format,
        group_members: false,
    })
}

/// The input and format a file name stands for, as a snapshot folder would read it
/// (`lookout.json`, `intune-devices-2.json`, `DevicesWithInventory_1.csv`, ...).
fn input_of(name: &str) -> Option<(Input, Format)> {
    let lower = name.to_ascii_lowercase();
    Input::ALL.into_iter().find_map(|input| {
        let exact = |ext: &str| lower == format!("{}.{ext}", input.stem());
        if exact("json") || belongs_to(name, input, "json") {
            Some((input, Format::Json))
        } else if input.accepts_csv() && (exact("csv") || belongs_to(name, input, "csv")) {
            Some((input, Format::Csv))
        } else {
            None
        }
    })
}

/// Whether a file name is one of `input`'s files: the SPEC stem as a prefix (any
/// letter case), or the admin center's Intune export name.
fn belongs_to(name: &str, input: Input, ext: &str) -> bool {
    if !has_ext(name, ext) {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    let stem = input.stem();
    // `lookout` is a prefix of `lookout-devices`; lookout.json is only ever exact.
    let by_stem = !matches!(input, Input::Manifest | Input::Lookout) && lower.starts_with(stem);
    let admin_center = input == Input::IntuneDevices
        && ext == "csv"
        && (lower.starts_with("deviceswithinventory") || lower.starts_with("devicewithinventory"));
    by_stem || admin_center
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
    fn names_of_each_input() {
        assert!(belongs_to(
            "intune-devices-002.json",
            Input::IntuneDevices,
            "json"
        ));
        assert!(belongs_to(
            "DevicesWithInventory_3f1c.csv",
            Input::IntuneDevices,
            "csv"
        ));
        assert!(!belongs_to(
            "DevicesWithInventory_3f1c.json",
            Input::IntuneDevices,
            "json"
        ));
        assert!(belongs_to("Groups_page1.JSON", Input::Groups, "json"));
        // Names that end in a character of several bytes.
        assert!(!has_ext("日本語", "csv"));
        assert!(!has_ext("a€json", "json"));
        assert!(has_ext("Übersicht.csv", "csv"));
        assert!(!belongs_to("lookout-devices.json", Input::Lookout, "json"));
        assert!(!belongs_to(
            "intune-mtd-connector.json",
            Input::IntuneDevices,
            "json"
        ));
        assert_eq!(
            input_of("lookout.json"),
            Some((Input::Lookout, Format::Json))
        );
        assert_eq!(
            input_of("intune-mtd-connector.json"),
            Some((Input::MtdConnector, Format::Json))
        );
        assert_eq!(
            input_of("DevicesWithInventory_1.csv"),
            Some((Input::IntuneDevices, Format::Csv))
        );
        assert_eq!(input_of("lookout.csv"), None);
    }
}
