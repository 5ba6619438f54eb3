//! Entra groups with their direct members. Accepted as:
//!
//! - `groups.json`: Microsoft Graph groups (any envelope, pages, or Graph PowerShell
//!   objects whose members carry `AdditionalProperties`), members inline or not;
//! - `groups.csv`: one row per membership (group id, group name, member id, member
//!   UPN, member type), or the Entra "Download groups" list (no members);
//! - `group-members/<group display name>.csv` (or the same name elsewhere in the
//!   snapshot): the Entra "Download members" file of one group. The file name gives
//!   the group; its members join the group of that exact name from the files above,
//!   or make a group of their own whose object id is learnt from a nested-group row
//!   elsewhere or, failing that, made up (and noted).

use super::csv_table::CsvTable;
use super::detect::{Head, Recognised};
use super::form::{Form, Note, SkipReason, Skips};
use super::json_doc::{self, Kept, Record, Seen, Shape};
use super::lenient;
use super::text::FileText;
use super::{FileInfo, Format, Input, LoadError, Loaded, Text};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(expecting = "a group object with \"id\", \"displayName\" and \"members\"")]
pub struct GroupRecord {
    #[serde(alias = "Id")]
    pub id: Text,
    #[serde(rename = "displayName", alias = "DisplayName", default)]
    pub display_name: Option<Text>,
    #[serde(
        rename = "securityEnabled",
        alias = "SecurityEnabled",
        default,
        deserialize_with = "lenient::opt_bool"
    )]
    pub security_enabled: Option<bool>,
    #[serde(default, alias = "Members", deserialize_with = "lenient::list")]
    pub members: Vec<MemberRecord>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "RawMember")]
pub struct MemberRecord {
    pub odata_type: Option<Text>,
    pub id: Option<Text>,
    pub user_principal_name: Option<Text>,
    pub mail: Option<Text>,
    pub display_name: Option<Text>,
}

/// A member as Graph writes it, or as Graph PowerShell does: `Id` on the object and
/// everything else inside `AdditionalProperties`.
#[derive(Debug, Default, Deserialize)]
#[serde(expecting = "a member object with \"@odata.type\" and \"id\"")]
struct RawMember {
    #[serde(rename = "@odata.type", default)]
    odata_type: Option<Text>,
    #[serde(default, alias = "Id")]
    id: Option<Text>,
    #[serde(rename = "userPrincipalName", alias = "UserPrincipalName", default)]
    user_principal_name: Option<Text>,
    #[serde(default, alias = "Mail")]
    mail: Option<Text>,
    #[serde(rename = "displayName", alias = "DisplayName", default)]
    display_name: Option<Text>,
    #[serde(
        rename = "AdditionalProperties",
        alias = "additionalProperties",
        default,
        deserialize_with = "lenient::opt_object"
    )]
    additional: Option<Box<RawMember>>,
}

impl From<RawMember> for MemberRecord {
    fn from(raw: RawMember) -> MemberRecord {
        let extra = raw
            .additional
            .map(|b| MemberRecord::from(*b))
            .unwrap_or_default();
        MemberRecord {
            odata_type: raw.odata_type.or(extra.odata_type),
            id: raw.id.or(extra.id),
            user_principal_name: raw.user_principal_name.or(extra.user_principal_name),
            mail: raw.mail.or(extra.mail),
            display_name: raw.display_name.or(extra.display_name),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberKind {
    User,
    Group,
    /// Devices, service principals, contacts: never Lookout users.
    Other,
}

impl MemberRecord {
    pub fn kind(&self) -> MemberKind {
        let is = |name: &str, kind: &str| name.eq_ignore_ascii_case(kind);
        match self.odata_type.as_deref() {
            Some(t) if is(t, "#microsoft.graph.user") => MemberKind::User,
            Some(t) if is(t, "#microsoft.graph.group") => MemberKind::Group,
            Some(_) => MemberKind::Other,
            // No type: a member with a UPN can only be a user.
            None if self.user_principal_name.is_some() => MemberKind::User,
            None => MemberKind::Other,
        }
    }
}

impl Record for GroupRecord {
    type Raw = GroupRecord;

    fn from_raw(raw: GroupRecord, _: &mut Seen) -> Result<Kept<Self>, String> {
        Ok(Kept::Record(raw))
    }
}

const SHAPE: Shape = Shape {
    list_keys: &["value"],
    expecting: "an object with a \"value\" list of groups (Microsoft Graph), a list of such pages, or a list of groups (PowerShell ConvertTo-Json)",
    empty: "{\"value\": []}",
};

/// Reads one file of `groups.json` (or its pages) or `groups.csv`. The Entra
/// "Download members" files are read by [`read_member_file`] instead.
pub fn read(
    format: Format,
    path: &Path,
    text: &FileText,
) -> Result<Loaded<Vec<GroupRecord>>, LoadError> {
    match format {
        Format::Json => json_doc::read(Input::Groups, path, text, &SHAPE),
        Format::Csv => {
            let mut info = FileInfo::new(Input::Groups, path, format, text);
            let groups = from_csv(path, text.as_bytes(), &mut info)?;
            Ok(Loaded {
                records: groups,
                info,
                pages: Vec::new(),
            })
        }
    }
}

/// `@odata.type` of a member from the type written in a CSV ("User", "Group",
/// "#microsoft.graph.user", "servicePrincipal"), Entra's user type ("Member",
/// "Guest": users), or a UPN. `None` when nothing tells.
fn member_type(object_type: Option<&str>, user_type: Option<&str>, has_upn: bool) -> Option<Text> {
    if let Some(t) = object_type {
        let t = t.trim();
        let bare = t
            .get(..17)
            .filter(|p| p.eq_ignore_ascii_case("#microsoft.graph."))
            .map_or(t, |_| &t[17..]);
        let compact: String = bare.chars().filter(|c| !c.is_whitespace()).collect();
        return Some(compact_str::format_compact!(
            "#microsoft.graph.{}",
            lower_first(&compact)
        ));
    }
    let is_user_type = user_type.is_some_and(|u| {
        ["member", "guest"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(u.trim()))
    });
    (is_user_type || has_upn).then(|| Text::const_new("#microsoft.graph.user"))
}

/// `ServicePrincipal` -> `servicePrincipal`, `USER` -> `user`.
fn lower_first(s: &str) -> String {
    if s.chars().all(|c| !c.is_lowercase()) {
        return s.to_lowercase();
    }
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

mod columns {
    pub const GROUP_ID: &[&str] = &["Group ID", "groupId", "Group object ID"];
    pub const GROUP_NAME: &[&str] = &["Group name", "Group display name", "groupDisplayName"];
    pub const SECURITY: &[&str] = &[
        "Security enabled",
        "securityEnabled",
        "groupSecurityEnabled",
    ];
    pub const MEMBER_ID: &[&str] = &["Member ID", "Member object ID", "memberObjectId"];
    pub const MEMBER_UPN: &[&str] = &[
        "Member UPN",
        "memberUserPrincipalName",
        "Member user principal name",
    ];
    pub const MEMBER_MAIL: &[&str] = &["Member mail", "memberMail", "Member email"];
    pub const MEMBER_NAME: &[&str] = &["Member name", "Member display name", "memberDisplayName"];
    pub const MEMBER_TYPE: &[&str] = &[
        "Member type",
        "memberType",
        "memberOdataType",
        "Member object type",
    ];
    // Entra "Download members" / "Download groups" (and their spelled-out forms).
    pub const ID: &[&str] = &["id", "Object ID", "objectId"];
    pub const UPN: &[&str] = &["userPrincipalName", "User principal name", "UPN"];
    pub const NAME: &[&str] = &["displayName", "Display name", "Name"];
    pub const MAIL: &[&str] = &["mail", "Email", "E-mail"];
    pub const OBJECT_TYPE: &[&str] = &[
        "objectType",
        "Object type",
        "Member type",
        "memberType",
        "@odata.type",
        "type",
    ];
    pub const USER_TYPE: &[&str] = &["userType", "User type"];
}

/// A group's own properties (Graph `group`), besides `displayName`.
const GROUP_KEYS: [&str; 9] = [
    "securityEnabled",
    "groupTypes",
    "mailEnabled",
    "members",
    "mailNickname",
    "membershipRule",
    "securityIdentifier",
    "visibility",
    "isAssignableToRole",
];

/// Whether a head is one of the group exports: Graph groups (by their properties or
/// Graph's context), the membership CSV, the Entra group list, or an Entra
/// "Download members" file (whose group only its name says).
pub(crate) fn recognise(head: &Head) -> Option<Recognised> {
    if let Some(c) = head.csv() {
        let csv = |form, score| Recognised::new(Input::Groups, Format::Csv, form, score);
        if c.has(columns::GROUP_ID) || c.has(columns::GROUP_NAME) {
            let fields = [
                columns::GROUP_ID,
                columns::GROUP_NAME,
                columns::MEMBER_ID,
                columns::MEMBER_UPN,
                columns::MEMBER_TYPE,
                columns::MEMBER_NAME,
                columns::MEMBER_MAIL,
            ];
            return Some(csv(Form::MembershipCsv, c.count(&fields)));
        }
        let user_columns = c.has(columns::UPN) || c.has(columns::USER_TYPE);
        let fields = [
            columns::ID,
            columns::UPN,
            columns::NAME,
            columns::MAIL,
            columns::USER_TYPE,
            columns::MEMBER_TYPE,
        ];
        if c.has(columns::ID) && user_columns {
            let mut r = csv(Form::EntraMembersCsv { files: 1 }, c.count(&fields));
            r.group_members = true;
            return Some(r);
        }
        let list_fields = [
            columns::ID,
            columns::NAME,
            columns::MAIL,
            columns::SECURITY,
            &["Group type", "groupTypes"][..],
            &["Membership type", "membershipRule"][..],
        ];
        return (c.has(columns::ID) && c.has(columns::NAME))
            .then(|| csv(Form::GroupListCsv, c.count(&list_fields)));
    }
    let j = head.json()?;
    let context = j.context_is("groups");
    let keys = if j.has("displayName") {
        j.count(&GROUP_KEYS)
    } else {
        0
    };
    let claim = |score| {
        let mut r = Recognised::new(Input::Groups, Format::Json, j.form(), score);
        r.empty = j.empty_list;
        r
    };
    if context || keys > 0 {
        Some(claim(1 + keys + if context { 5 } else { 0 }))
    } else {
        j.is_empty_graph_page().then(|| claim(0))
    }
}

/// Reads `groups.csv`: memberships, or the Entra group list.
fn from_csv(path: &Path, bytes: &[u8], info: &mut FileInfo) -> Result<Vec<GroupRecord>, LoadError> {
    let table = CsvTable::open(path, bytes)?;
    if table.has(columns::GROUP_ID) || table.has(columns::GROUP_NAME) {
        info.form = Form::MembershipCsv;
        return memberships(table, info);
    }
    if table.has(columns::UPN) || table.has(columns::USER_TYPE) {
        return Err(table.header_error(
            "this looks like the Entra \"Download members\" file of one group: it does not say which group. Save it as group-members/<group display name>.csv instead",
        ));
    }
    if table.has(columns::ID) && table.has(columns::NAME) {
        info.form = Form::GroupListCsv;
        return group_list(table, info);
    }
    Err(table.header_error(
        "expected one row per membership with the columns Group ID, Group name, Member ID, Member UPN and Member type, or the Entra group list (id, displayName)",
    ))
}

fn memberships(mut table: CsvTable, info: &mut FileInfo) -> Result<Vec<GroupRecord>, LoadError> {
    let group_id = table.column(columns::GROUP_ID);
    let group_name = table.column(columns::GROUP_NAME);
    let security = table.column(columns::SECURITY);
    let member_id = table.column(columns::MEMBER_ID);
    let upn = table.column(columns::MEMBER_UPN);
    let mail = table.column(columns::MEMBER_MAIL);
    let name = table.column(columns::MEMBER_NAME);
    let kind = table.column(columns::MEMBER_TYPE);
    let mut groups: Vec<GroupRecord> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut skips = Skips::default();
    let mut rows = 0;
    while let Some(row) = table.next_row()? {
        let (gid, gname) = (row.text(group_id), row.text(group_name));
        let Some(key) = gid
            .clone()
            .or_else(|| gname.as_deref().map(|n| synthetic_id(n).into()))
        else {
            skips.add(SkipReason::NoGroup, row.location());
            continue;
        };
        rows += 1;
        let ix = *by_id.entry(key.to_lowercase().into()).or_insert_with(|| {
            groups.push(GroupRecord {
                id: key.clone(),
                ..GroupRecord::default()
            });
            groups.len() - 1
        });
        let g = &mut groups[ix];
        g.display_name = g.display_name.take().or(gname);
        g.security_enabled = g.security_enabled.or(row.bool(security)?);
        let (mid, mupn) = (row.text(member_id), row.text(upn));
        // A row without a member lists an empty group, so it is not lost.
        if mid.is_none() && mupn.is_none() {
            continue;
        }
        g.members.push(MemberRecord {
            odata_type: member_type(row.text(kind).as_deref(), None, mupn.is_some()),
            id: mid,
            user_principal_name: mupn,
            mail: row.text(mail),
            display_name: row.text(name),
        });
    }
    finish_csv(&table, info, skips, rows)?;
    Ok(groups)
}

fn group_list(mut table: CsvTable, info: &mut FileInfo) -> Result<Vec<GroupRecord>, LoadError> {
    let id = table.column(columns::ID);
    let name = table.column(columns::NAME);
    let security = table.column(columns::SECURITY);
    let mut groups = Vec::new();
    let mut skips = Skips::default();
    while let Some(row) = table.next_row()? {
        let Some(gid) = row.text(id) else {
            skips.add(SkipReason::NoGroup, row.location());
            continue;
        };
        groups.push(GroupRecord {
            id: gid,
            display_name: row.text(name),
            security_enabled: row.bool(security)?,
            members: Vec::new(),
        });
    }
    finish_csv(&table, info, skips, groups.len())?;
    Ok(groups)
}

fn finish_csv(
    table: &CsvTable,
    info: &mut FileInfo,
    skips: Skips,
    kept: usize,
) -> Result<(), LoadError> {
    skips.check_usable(kept, table.path())?;
    info.take_csv(table, skips);
    info.records = kept;
    Ok(())
}

/// The id given to a group known only by name: stable, and plainly not an Entra id.
pub fn synthetic_id(name: &str) -> String {
    format!("synthetic:{name}")
}

/// One group's Entra "Download members" file, read: its members, and what was
/// learnt about the file. [`fold_member_files`] adds them to the groups.
pub struct MemberFile {
    members: GroupMembers,
    info: FileInfo,
}

/// The members of one group from its Entra "Download members" file.
struct GroupMembers {
    /// The file name without `.csv`: the group's display name.
    group: String,
    label: String,
    members: Vec<MemberRecord>,
}

/// Reads an Entra "Download members" file (`group-members/<group display name>.csv`,
/// or shown as `name` elsewhere): its file name names the group.
pub fn read_member_file(path: &Path, name: &str, text: &FileText) -> Result<MemberFile, LoadError> {
    let mut info = FileInfo::new(Input::Groups, path, Format::Csv, text);
    let members = parse_member_file(path, name, text.as_bytes(), &mut info)?;
    Ok(MemberFile { members, info })
}

fn parse_member_file(
    path: &Path,
    name: &str,
    bytes: &[u8],
    info: &mut FileInfo,
) -> Result<GroupMembers, LoadError> {
    let label = name.to_owned();
    let file = super::detect::file_name(name);
    let group = file
        .rsplit_once('.')
        .map_or(file, |(stem, _)| stem)
        .to_owned();
    let mut table = CsvTable::open(path, bytes)?.with_label(label.clone());
    let id = table.column(columns::ID);
    let upn = table.column(columns::UPN);
    if id.is_none() && upn.is_none() {
        return Err(table.header_error(
            "this does not look like an Entra \"Download members\" file: it has neither an \"id\" (Object ID) nor a \"userPrincipalName\" column",
        ));
    }
    let name = table.column(columns::NAME);
    let mail = table.column(columns::MAIL);
    let object_type = table.column(columns::OBJECT_TYPE);
    let user_type = table.column(columns::USER_TYPE);
    let mut members = Vec::new();
    let mut skips = Skips::default();
    while let Some(row) = table.next_row()? {
        let (mid, mupn) = (row.text(id), row.text(upn));
        if mid.is_none() && mupn.is_none() {
            skips.add(SkipReason::NoMember, row.location());
            continue;
        }
        members.push(MemberRecord {
            odata_type: member_type(
                row.text(object_type).as_deref(),
                row.text(user_type).as_deref(),
                mupn.is_some(),
            ),
            id: mid,
            user_principal_name: mupn,
            mail: row.text(mail),
            display_name: row.text(name),
        });
    }
    skips.check_usable(members.len(), path)?;
    info.take_csv(&table, skips);
    info.records = members.len();
    Ok(GroupMembers {
        group,
        label,
        members,
    })
}

/// Folds the members of each file into the group of its name (or a new group); the
/// files share one entry, shown as `name`, which this returns.
pub fn fold_member_files(
    groups: &mut Vec<GroupRecord>,
    files: Vec<MemberFile>,
    name: &str,
) -> FileInfo {
    let mut info = FileInfo::named(Input::Groups, name, Format::Csv);
    info.form = Form::EntraMembersCsv { files: files.len() };
    let mut member_files = Vec::with_capacity(files.len());
    for file in files {
        info.add(file.info);
        member_files.push(file.members);
    }
    info.quirks.sort();
    info.quirks.dedup();
    info.ignored.sort();
    info.ignored.dedup();
    let learnt = nested_group_ids(groups, &member_files);
    for file in member_files {
        match groups
            .iter()
            .position(|g| g.display_name.as_deref() == Some(file.group.as_str()))
        {
            Some(ix) => add_members(&mut groups[ix], file.members),
            None => {
                let id = match learnt.get(&file.group) {
                    Some(id) => id.clone(),
                    None => {
                        info.notes.push(Note::SyntheticGroupId {
                            group: file.group.clone(),
                            file: file.label.clone(),
                            id: synthetic_id(&file.group),
                        });
                        synthetic_id(&file.group)
                    }
                };
                groups.push(GroupRecord {
                    id: id.into(),
                    display_name: Some(file.group.into()),
                    security_enabled: None,
                    members: file.members,
                });
            }
        }
    }
    type_untyped_members(groups, &mut info);
    info
}

/// Group ids by display name, from members that are (or may be) groups: a nested
/// group's row carries its id and name, which is how a group known only from its file
/// name gets its real id. Names seen with two different ids are left out.
fn nested_group_ids(groups: &[GroupRecord], files: &[GroupMembers]) -> HashMap<String, String> {
    let mut ids: HashMap<String, Option<String>> = HashMap::new();
    // A downloaded row without type or UPN may be a group; it only counts when its
    // name is that of a group-members file, which the caller checks.
    let maybe_group = |m: &&MemberRecord| {
        m.kind() == MemberKind::Group || (m.odata_type.is_none() && m.user_principal_name.is_none())
    };
    let nested = groups
        .iter()
        .flat_map(|g| &g.members)
        .chain(files.iter().flat_map(|f| &f.members))
        .filter(maybe_group);
    for m in nested {
        if let (Some(name), Some(id)) = (m.display_name.as_deref(), m.id.as_deref()) {
            let slot = ids
                .entry(name.to_owned())
                .or_insert_with(|| Some(id.to_owned()));
            if slot
                .as_deref()
                .is_some_and(|known| !known.eq_ignore_ascii_case(id))
            {
                *slot = None;
            }
        }
    }
    ids.into_iter()
        .filter_map(|(n, id)| id.map(|i| (n, i)))
        .collect()
}

/// Adds members the group does not list yet (same object id or UPN).
fn add_members(group: &mut GroupRecord, members: Vec<MemberRecord>) {
    let key = |m: &MemberRecord| {
        m.id.as_deref()
            .or(m.user_principal_name.as_deref())
            .map(str::to_lowercase)
    };
    let mut known: HashSet<String> = group.members.iter().filter_map(key).collect();
    for m in members {
        if key(&m).is_none_or(|k| known.insert(k)) {
            group.members.push(m);
        }
    }
}

/// A downloaded member row with no type and no UPN is a nested group when its id is
/// one of the groups read; otherwise it stays unknown (a device, most likely).
fn type_untyped_members(groups: &mut [GroupRecord], info: &mut FileInfo) {
    let ids: HashSet<String> = groups.iter().map(|g| g.id.to_lowercase().into()).collect();
    let mut unknown = 0;
    for m in groups.iter_mut().flat_map(|g| g.members.iter_mut()) {
        if m.odata_type.is_some() || m.user_principal_name.is_some() {
            continue;
        }
        match m.id.as_deref().map(str::to_lowercase) {
            Some(id) if ids.contains(&id) => m.odata_type = Some("#microsoft.graph.group".into()),
            _ => unknown += 1,
        }
    }
    if unknown > 0 {
        info.notes.push(Note::UntypedMembers { count: unknown });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::form::Location;
    use crate::snapshot::{checked, Quirk};

    /// Where the first skipped record is.
    fn first_location(info: &FileInfo) -> Option<&Location> {
        info.skipped.first().map(|s| &s.first)
    }

    #[test]
    fn powershell_members_with_additional_properties() {
        let json = r##"[{"Id":"g1","DisplayName":"Pilot","SecurityEnabled":"True","Members":[
            {"Id":"u1","DeletedDateTime":null,"AdditionalProperties":{"@odata.type":"#microsoft.graph.user","userPrincipalName":"a@x.com","displayName":"A"}},
            {"Id":"g2","AdditionalProperties":{"@odata.type":"#microsoft.graph.group","displayName":"Wave"}}]}]"##;
        let read = read(Format::Json, Path::new("groups.json"), &checked(json)).unwrap();
        let (groups, info) = (read.records, read.info);
        assert_eq!(groups[0].security_enabled, Some(true));
        assert_eq!(groups[0].members[0].kind(), MemberKind::User);
        assert_eq!(
            groups[0].members[0].user_principal_name.as_deref(),
            Some("a@x.com")
        );
        assert_eq!(groups[0].members[1].kind(), MemberKind::Group);
        assert_eq!(info.form, Form::GraphPowerShellJson);
    }

    #[test]
    fn truncated_powershell_members_are_an_error() {
        let json = r#"{"value":[{"Id":"g1","Members":["Microsoft.Graph.PowerShell.Models.MicrosoftGraphDirectoryObject"]}]}"#;
        let err = read(Format::Json, Path::new("groups.json"), &checked(json))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("groups.json:1:") && err.contains("-Depth 10"),
            "{err}"
        );
    }

    #[test]
    fn membership_rows() {
        let csv = "Group ID;Group name;Security enabled;Member ID;Member UPN;Member type\n\
                   g1;Pilot;True;u1;a@x.com;User\n\
                   g1;Pilot;True;g2;;Group\n\
                   g3;Empty;false;;;\n\
                   ;;;u9;z@x.com;User\n";
        let read = read(Format::Csv, Path::new("groups.csv"), &checked(csv)).unwrap();
        let (groups, info) = (read.records, read.info);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].members.len(), 2);
        assert_eq!(groups[0].members[1].kind(), MemberKind::Group);
        assert!(groups[1].members.is_empty());
        assert_eq!(groups[1].security_enabled, Some(false));
        assert_eq!(info.skipped[0].reason, SkipReason::NoGroup);
    }

    #[test]
    fn member_downloads_need_a_group_name() {
        let mut info = FileInfo::named(Input::Groups, "groups.csv", Format::Csv);
        let err = from_csv(
            Path::new("groups.csv"),
            b"id,displayName,userPrincipalName,userType\n1,A,a@x.com,Member\n",
            &mut info,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("group-members/"), "{err}");
    }

    #[test]
    fn member_files_join_groups_by_name_or_get_an_id() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("group-members");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(
            sub.join("Pilot.csv"),
            "\u{feff}id,displayName,userPrincipalName,userType\r\nu1,A,a@x.com,Member\r\ng2,Wave,,\r\n",
        )
        .unwrap();
        std::fs::write(
            sub.join("Wave.csv"),
            "Object ID,Display name,User principal name,Member type\nu2,B,b@x.com,User\n,,,\n",
        )
        .unwrap();
        std::fs::write(
            sub.join("Orphans.csv"),
            "id,userPrincipalName\nu3,c@x.com\n",
        )
        .unwrap();
        let mut groups = vec![GroupRecord {
            id: "g1".into(),
            display_name: Some("Pilot".into()),
            ..GroupRecord::default()
        }];
        let files = ["Orphans.csv", "Pilot.csv", "Wave.csv"].map(|f| {
            let path = sub.join(f);
            let text = crate::snapshot::text::read_text(&path).unwrap();
            read_member_file(&path, &format!("group-members/{f}"), &text).unwrap()
        });
        let info = fold_member_files(&mut groups, files.into(), "group-members/");
        assert_eq!(groups.len(), 3);
        // The nested-group row of Pilot.csv gives Wave its real id.
        let wave = groups
            .iter()
            .find(|g| g.display_name.as_deref() == Some("Wave"))
            .unwrap();
        assert_eq!(wave.id, "g2");
        assert_eq!(groups[0].members[1].kind(), MemberKind::Group);
        let orphans = groups
            .iter()
            .find(|g| g.display_name.as_deref() == Some("Orphans"))
            .unwrap();
        assert_eq!(orphans.id, "synthetic:Orphans");
        assert!(
            info.notes.contains(&Note::SyntheticGroupId {
                group: "Orphans".into(),
                file: "group-members/Orphans.csv".into(),
                id: "synthetic:Orphans".into()
            }),
            "{:?}",
            info.notes
        );
        assert_eq!(info.form, Form::EntraMembersCsv { files: 3 });
        assert_eq!(info.records, 4);
        assert_eq!(
            first_location(&info),
            Some(&Location::Csv {
                file: Some("group-members/Wave.csv".into()),
                record: 2,
                line: 3
            })
        );
        assert!(info.quirks.contains(&Quirk::Utf8Bom));
    }
}
