//! `groups.json`: Entra groups with their direct members (Microsoft Graph shape).

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(expecting = "an object with a \"value\" list of groups (Microsoft Graph)")]
pub struct GroupsFile {
    pub value: Vec<GroupRecord>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(expecting = "a group object with \"id\", \"displayName\" and \"members\"")]
pub struct GroupRecord {
    pub id: String,
    #[serde(rename = "displayName", default)]
    pub display_name: Option<String>,
    #[serde(rename = "securityEnabled", default)]
    pub security_enabled: Option<bool>,
    #[serde(default, deserialize_with = "super::lookout_config::null_as_default")]
    pub members: Vec<MemberRecord>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(expecting = "a member object with \"@odata.type\" and \"id\"")]
pub struct MemberRecord {
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(rename = "userPrincipalName", default)]
    pub user_principal_name: Option<String>,
    #[serde(default)]
    pub mail: Option<String>,
    #[serde(rename = "displayName", default)]
    pub display_name: Option<String>,
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
        match self
            .odata_type
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("#microsoft.graph.user") => MemberKind::User,
            Some("#microsoft.graph.group") => MemberKind::Group,
            Some(_) => MemberKind::Other,
            // No type: a member with a UPN can only be a user.
            None if self.user_principal_name.is_some() => MemberKind::User,
            None => MemberKind::Other,
        }
    }
}
