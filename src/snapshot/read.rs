//! The one path from a snapshot's files to its records. The folder loader ([`load`],
//! [`Plan::read`]) and [`load_bytes`] (fuzzing, property tests) both go through
//! [`read_files`], and it through [`read_file`], the one place that knows which
//! module reads which input: they cannot read a file differently.

use super::discover::{self, Plan, Source, GROUP_MEMBERS_DIR};
use super::json_doc::{self, Page};
use super::text::{self, FileText};
use super::Note;
use super::{audit_logs, groups, intune_devices, lookout_config, lookout_devices, manifest};
use super::{mtd_connector, service_principals, FileInfo, Input, LoadError, Loaded, Snapshot};
use std::path::Path;

/// Loads a snapshot folder. Only reads: nothing is ever written into it.
pub fn load(dir: &Path) -> Result<Snapshot, LoadError> {
    let plan = Plan::discover(dir)?;
    let inputs: Vec<Input> = plan.inputs().collect();
    plan.assemble(plan.read_each(&inputs))
}

impl Plan {
    /// Reads every file of `input` into a part of a snapshot, which holds nothing when
    /// the snapshot has no such file.
    pub fn read(&self, input: Input) -> Result<Snapshot, LoadError> {
        let mut part = Snapshot::default();
        let files = self
            .sources(input)
            .iter()
            .map(|source| source.read_text().map(|text| (source, text)));
        read_files(&mut part, files)?;
        Ok(part)
    }

    /// Reads each of `inputs` on its own thread (the big device lists are
    /// independent); the parts come back in the order of `inputs`.
    pub fn read_each(&self, inputs: &[Input]) -> Vec<(Input, Result<Snapshot, LoadError>)> {
        std::thread::scope(|scope| {
            let reading: Vec<_> = inputs
                .iter()
                .map(|&input| (input, scope.spawn(move || self.read(input))))
                .collect();
            reading
                .into_iter()
                .map(|(input, thread)| {
                    let part = thread
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    (input, part)
                })
                .collect()
        })
    }
    /// Puts the parts of the snapshot read apart together, in [`Input`] order, with
    /// the entries that were not read. The first error in that order is the one
    /// reported, whichever thread met its error first, so that a run fails the same
    /// way every time.
    pub fn assemble(
        &self,
        mut parts: Vec<(Input, Result<Snapshot, LoadError>)>,
    ) -> Result<Snapshot, LoadError> {
        parts.sort_by_key(|(input, _)| *input);
        let mut snap = Snapshot {
            dir: self.dir().to_owned(),
            unread: self.unread().to_vec(),
            ..Snapshot::default()
        };
        for (_, part) in parts {
            snap.absorb(part?);
        }
        Ok(snap)
    }
}

/// Reads one file's bytes into `snap` as if the file `name` were in the snapshot
/// folder: recognised by its content as the folder loader recognises it (the name
/// only a hint, or the group of an Entra "Download members" file), replacing what
/// `snap` held for that input (a member file adds its group's members instead).
/// Nothing touches the disk: the fuzz targets and property tests drive every loader
/// through this, with the same decoding and checks as [`load`]. On error `snap` is
/// left as it was.
pub fn load_bytes(snap: &mut Snapshot, name: &str, bytes: &[u8]) -> Result<(), LoadError> {
    let source = discover::source_of_bytes(name, bytes)?;
    let text = text::decode(Path::new(name), bytes.to_vec())?;
    let mut part = Snapshot::default();
    if source.group_members {
        part.groups = snap.groups.clone();
    }
    read_files(&mut part, std::iter::once(Ok((&source, text))))?;
    if !source.group_members {
        snap.files.retain(|f| f.input != source.input);
    }
    snap.absorb(part);
    Ok(())
}

/// Reads files of one input, in order, into `part`. Pages are checked for
/// completeness over all the files, and noted on the last, where a missing page would
/// have followed. `group-members/` files are read after the others and folded into
/// the groups `part` holds by then, under one entry.
fn read_files<'s>(
    part: &mut Snapshot,
    files: impl Iterator<Item = Result<(&'s Source, FileText), LoadError>>,
) -> Result<(), LoadError> {
    let first = part.files.len();
    let mut pages = Vec::new();
    let mut member_files = Vec::new();
    for file in files {
        let (source, mut text) = file?;
        if source.format == super::Format::Json {
            text.repair_json_escapes();
        }
        if source.group_members {
            member_files.push((
                source,
                groups::read_member_file(&source.path, &source.name, &text)?,
            ));
        } else {
            pages.extend(read_file(part, source, &text)?);
        }
    }
    let infos = &mut part.files[first..];
    let total = infos.iter().map(|f| f.records + f.skipped_total()).sum();
    if let Some(last) = infos.last_mut() {
        last.notes
            .extend(json_doc::completeness_notes(&pages, total));
        // A valid export of nothing (`"devices": []`) is read, and said loudly.
        if total == 0 {
            last.notes.push(Note::NoRecords);
        }
    }
    if !member_files.is_empty() {
        let all = part.groups.get_or_insert_with(Vec::new);
        check_member_file_names(all, &member_files)?;
        let name = member_files_name(member_files.iter().map(|(s, _)| s.name.as_str()));
        let files = member_files.into_iter().map(|(_, f)| f).collect();
        part.files
            .push(groups::fold_member_files(all, files, &name));
    }
    Ok(())
}

/// An Entra "Download members" file does not say which group it lists: its name
/// does. One whose name is no group of the snapshot and could not be a group's name
/// either (`exportGroupMembers_2026-11-20.csv`) is refused, not read as a new group.
fn check_member_file_names(
    groups: &[groups::GroupRecord],
    files: &[(&Source, groups::MemberFile)],
) -> Result<(), LoadError> {
    for (source, _) in files {
        let group = source.group();
        let known = groups
            .iter()
            .any(|g| g.display_name.as_deref() == Some(group));
        if !known && !discover::plausible_group_name(group) {
            return Err(LoadError::Invalid {
                path: source.path.clone(),
                message: format!(
                    "this is an Entra \"Download members\" file, which does not say which group it lists, and its name \"{group}\" is no group of the snapshot's group list; name the file after the group's display name, exactly as Entra shows it (e.g. {GROUP_MEMBERS_DIR}/Lookout Pilot.csv)"
                ),
            });
        }
    }
    Ok(())
}

/// How the one entry of all "Download members" files is shown: `group-members/`
/// for the files in that folder, and the name of each file elsewhere.
fn member_files_name<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let folder = format!("{GROUP_MEMBERS_DIR}/");
    let mut shown: Vec<&str> = Vec::new();
    for name in names {
        let name = if name.starts_with(&folder) {
            folder.as_str()
        } else {
            name
        };
        if !shown.contains(&name) {
            shown.push(name);
        }
    }
    shown.join(", ")
}

/// Reads one file into `part` with its input's module, adding to what earlier files
/// (pages) of the input gave; returns its pages.
fn read_file(
    part: &mut Snapshot,
    source: &Source,
    text: &FileText,
) -> Result<Vec<Page>, LoadError> {
    let (path, format) = (source.path.as_path(), source.format);
    let (info, pages) = match source.input {
        Input::Manifest => {
            let read = manifest::read(path, text)?;
            part.manifest = Some(read.records);
            (read.info, read.pages)
        }
        Input::Lookout => {
            let read = lookout_config::read(path, text)?;
            part.lookout = read.records;
            (read.info, read.pages)
        }
        Input::Groups => add(&mut part.groups, groups::read(format, path, text)?),
        Input::LookoutDevices => add(
            &mut part.lookout_devices,
            lookout_devices::read(format, path, text)?,
        ),
        Input::IntuneDevices => add(
            &mut part.intune_devices,
            intune_devices::read(format, path, text)?,
        ),
        Input::AuditLogs => add(&mut part.audit_logs, audit_logs::read(path, text)?),
        Input::MtdConnector => add(&mut part.mtd_connectors, mtd_connector::read(path, text)?),
        Input::ServicePrincipals => add(
            &mut part.service_principals,
            service_principals::read(path, text)?,
        ),
    };
    let mut info = info;
    // Shown by its place in the snapshot (`export.zip/Devices.csv`), not its base name.
    info.name.clone_from(&source.name);
    part.files.push(info);
    Ok(pages)
}

/// Appends a file's records to its input's list.
fn add<T>(list: &mut Option<Vec<T>>, read: Loaded<Vec<T>>) -> (FileInfo, Vec<Page>) {
    match list {
        Some(all) => all.extend(read.records),
        None => *list = Some(read.records),
    }
    (read.info, read.pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixture whose inputs are one file each reads the same from its folder as from
    /// its files' bytes: the two ways in share one path.
    #[test]
    fn folder_and_bytes_read_alike() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut compared = 0;
        for entry in std::fs::read_dir(fixtures).unwrap() {
            let dir = entry.unwrap().path();
            let Ok(plan) = Plan::discover(&dir) else {
                continue;
            };
            if plan.inputs().any(|input| plan.sources(input).len() > 1) {
                continue;
            }
            let from_folder = load(&dir).unwrap();
            let mut from_bytes = Snapshot {
                dir: dir.clone(),
                ..Snapshot::default()
            };
            for source in plan.inputs().flat_map(|input| plan.sources(input)) {
                let bytes = std::fs::read(&source.path).unwrap();
                load_bytes(&mut from_bytes, &source.name, &bytes).unwrap();
            }
            // What was not read is the folder's to say.
            from_bytes.unread = plan.unread().to_vec();
            assert_eq!(
                format!("{from_folder:?}"),
                format!("{from_bytes:?}"),
                "{}",
                dir.display()
            );
            compared += 1;
        }
        assert!(compared >= 20, "only {compared} fixtures compared");
    }
}
