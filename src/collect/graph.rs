//! Microsoft Graph v1.0 as `collect` reads it: lists followed through every
//! `@odata.nextLink` (only on the configured Graph origin: the bearer token goes
//! wherever a link points), a new token once after a 401, a malformed page fetched
//! once more, and errors that name the endpoint, the HTTP status, Graph's error code,
//! the request id and, for a 403, the permission that is missing.

use super::cloud::Origin;
use super::entra::Entra;
use super::http::{Exchange, Http, RateLimit, Request};
use super::progress::Bar;
use anyhow::{anyhow, Result};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;

/// The Graph APIs `collect` reads, for messages and the permission each needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    Organization,
    ManagedDevices,
    Groups,
    GroupMembers,
    DirectoryAudits,
    MtdConnectors,
    ServicePrincipals,
    PermissionGrants,
    AppRoleAssignments,
}

/// The least Graph permission an API needs: as an application permission (client
/// credentials) and as a delegated one (a person signed in with a device code).
#[derive(Debug, PartialEq, Eq)]
pub struct Permission {
    pub application: &'static str,
    pub delegated: &'static str,
}

impl Api {
    /// The permission to name when Graph answers 403 (research/17 section 6.2).
    pub fn permission(self) -> Permission {
        let (application, delegated) = match self {
            Api::Organization => ("Directory.Read.All (or Organization.Read.All)", "User.Read"),
            Api::ManagedDevices => (
                "DeviceManagementManagedDevices.Read.All",
                "DeviceManagementManagedDevices.Read.All",
            ),
            Api::Groups => (
                "Directory.Read.All (or GroupMember.Read.All)",
                "GroupMember.Read.All",
            ),
            Api::GroupMembers => (
                "Directory.Read.All (or GroupMember.Read.All with User.Read.All)",
                "GroupMember.Read.All with User.ReadBasic.All",
            ),
            Api::DirectoryAudits => (
                "AuditLog.Read.All and Directory.Read.All",
                "AuditLog.Read.All and Directory.Read.All, and a role that may read audit logs (such as Reports Reader)",
            ),
            Api::MtdConnectors => (
                "DeviceManagementServiceConfig.Read.All",
                "DeviceManagementServiceConfig.Read.All",
            ),
            Api::ServicePrincipals | Api::AppRoleAssignments => (
                "Directory.Read.All (or Application.Read.All)",
                "Application.Read.All",
            ),
            Api::PermissionGrants => ("Directory.Read.All", "Directory.Read.All"),
        };
        Permission {
            application,
            delegated,
        }
    }
}

/// What a list came to.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub pages: usize,
    pub records: usize,
}

impl std::ops::AddAssign for Paging {
    fn add_assign(&mut self, other: Paging) {
        self.pages += other.pages;
        self.records += other.records;
    }
}

/// A signed-in Graph client.
pub struct Graph<'h> {
    http: &'h Http,
    entra: Entra,
    origin: Origin,
}

#[derive(Deserialize)]
struct Page {
    value: Vec<Value>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
}

impl<'h> Graph<'h> {
    pub fn new(http: &'h Http, entra: Entra, origin: Origin) -> Graph<'h> {
        Graph {
            http,
            entra,
            origin,
        }
    }

    /// Signs in now, so that a credential problem is said before anything else.
    pub fn sign_in(&mut self) -> Result<()> {
        self.entra.token(self.http).map(drop)
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// Every record of the list at `path` (`/v1.0/...` with its query), page by page
    /// to `on_page`, in order. `bar` shows the waits; the caller, who knows what the
    /// records add up to, shows the counts.
    pub fn list(
        &mut self,
        api: Api,
        path: &str,
        bar: Option<&Bar>,
        on_page: impl FnMut(Vec<Value>) -> Result<()>,
    ) -> Result<Paging> {
        self.list_paced(api, path, bar, None, on_page)
    }

    /// [`Graph::list`], each page's request waiting for room under `pace`.
    pub fn list_paced(
        &mut self,
        api: Api,
        path: &str,
        bar: Option<&Bar>,
        mut pace: Option<&mut RateLimit>,
        mut on_page: impl FnMut(Vec<Value>) -> Result<()>,
    ) -> Result<Paging> {
        let mut url = self.origin.join(path);
        let mut seen = HashSet::new();
        let mut paging = Paging::default();
        loop {
            let page_no = paging.pages + 1;
            if let Some(pace) = pace.as_deref_mut() {
                pace.pace();
            }
            let page: Page = self.fetch_json(api, &url, page_no, bar)?;
            paging.pages = page_no;
            paging.records += page.value.len();
            on_page(page.value)?;
            seen.insert(url);
            let Some(next) = page.next_link.filter(|l| !l.is_empty()) else {
                return Ok(paging);
            };
            if !self.origin.owns(&next) {
                return Err(anyhow!(
                    "Microsoft Graph {}: the link to page {} points to {}, not to the Graph origin {}; collect does not follow it (the access token would go with it)",
                    endpoint(path),
                    page_no + 1,
                    origin_of(&next),
                    self.origin
                ));
            }
            if seen.contains(&next) {
                return Err(anyhow!(
                    "Microsoft Graph {}: page {page_no} links back to a page already read; the list would never end",
                    endpoint(path)
                ));
            }
            url = next;
        }
    }

    /// The object at `path`, or `None` when Graph says it does not exist (404).
    pub fn get(&mut self, api: Api, path: &str) -> Result<Option<Value>> {
        let url = self.origin.join(path);
        let ex = self.fetch(api, &url, None, true)?;
        if ex.status == 404 {
            return Ok(None);
        }
        self.parse(api, &url, 1, None, ex).map(Some)
    }

    /// A page parsed as `T`; a page that does not parse is fetched once more (Graph
    /// has been seen to send a garbled page now and then).
    fn fetch_json<T: serde::de::DeserializeOwned>(
        &mut self,
        api: Api,
        url: &str,
        page_no: usize,
        bar: Option<&Bar>,
    ) -> Result<T> {
        let ex = self.fetch(api, url, bar, false)?;
        self.parse(api, url, page_no, bar, ex)
    }

    fn parse<T: serde::de::DeserializeOwned>(
        &mut self,
        api: Api,
        url: &str,
        page_no: usize,
        bar: Option<&Bar>,
        ex: Exchange,
    ) -> Result<T> {
        if let Ok(v) = serde_json::from_slice(&ex.body) {
            return Ok(v);
        }
        let again = self.fetch(api, url, bar, false)?;
        serde_json::from_slice(&again.body).map_err(|e| {
            anyhow!(
                "Microsoft Graph {}: page {page_no} is not a valid Graph answer, twice (HTTP {}{}): {e}",
                endpoint(url_path(url)),
                again.status,
                request_id_note(&again, None)
            )
        })
    }

    /// One successful response (or a 404 when `may_be_missing`), with a new token
    /// once after a 401.
    fn fetch(
        &mut self,
        api: Api,
        url: &str,
        bar: Option<&Bar>,
        may_be_missing: bool,
    ) -> Result<Exchange> {
        let token = self.entra.token(self.http)?;
        let mut ex = self.send(url, &token, bar)?;
        if ex.status == 401 {
            let token = self.entra.renew(self.http)?;
            ex = self.send(url, &token, bar)?;
        }
        if ex.is_success() || (may_be_missing && ex.status == 404) {
            return Ok(ex);
        }
        Err(graph_error(api, url_path(url), &ex, self.entra.is_person()))
    }

    fn send(
        &self,
        url: &str,
        token: &super::secret::Secret,
        bar: Option<&Bar>,
    ) -> Result<Exchange> {
        self.http
            .send(&Request::get(url, token).on(bar))
            .map_err(|e| anyhow!("Microsoft Graph {}: {e}", endpoint(url_path(url))))
    }
}

/// `GET /v1.0/...`, without the query: how messages name an endpoint.
fn endpoint(path: &str) -> String {
    format!("GET {}", path.split('?').next().unwrap_or(path))
}

/// The path and query of a URL on a known origin.
fn url_path(url: &str) -> &str {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url)
}

/// `scheme://host[:port]` of a link, for a message.
fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!(
            "{scheme}://{}",
            rest.split(['/', '?', '#']).next().unwrap_or("")
        ),
        None => "a relative link".to_owned(),
    }
}

/// Graph's error answer.
#[derive(Deserialize, Default)]
struct ErrorBody {
    error: Option<ErrorDetail>,
}

#[derive(Deserialize, Default)]
struct ErrorDetail {
    code: Option<String>,
    message: Option<String>,
    #[serde(rename = "innerError", alias = "innererror")]
    inner: Option<InnerError>,
}

#[derive(Deserialize, Default)]
struct InnerError {
    #[serde(rename = "request-id")]
    request_id: Option<String>,
    #[serde(rename = "client-request-id")]
    client_request_id: Option<String>,
}

fn request_id_note(ex: &Exchange, detail: Option<&ErrorDetail>) -> String {
    let from_body = detail
        .and_then(|d| d.inner.as_ref())
        .and_then(|i| i.request_id.clone().or_else(|| i.client_request_id.clone()));
    from_body
        .or_else(|| ex.request_id.clone())
        .map(|id| format!(", request-id {id}"))
        .unwrap_or_default()
}

/// A failed Graph request in words: `Microsoft Graph GET /v1.0/...: HTTP 403,
/// Forbidden, request-id ...: <Graph's message>. <what is missing>`.
pub fn graph_error(api: Api, path: &str, ex: &Exchange, person: bool) -> anyhow::Error {
    let body: ErrorBody = serde_json::from_slice(&ex.body).unwrap_or_default();
    let detail = body.error.unwrap_or_default();
    let mut msg = format!("Microsoft Graph {}: HTTP {}", endpoint(path), ex.status);
    if let Some(code) = detail.code.as_deref().filter(|c| !c.is_empty()) {
        msg.push_str(&format!(", {code}"));
    }
    msg.push_str(&request_id_note(ex, Some(&detail)));
    msg.push_str(&ex.retry_note());
    let raw = detail.message.as_deref().unwrap_or("");
    let said = readable_message(raw);
    if !said.is_empty() {
        msg.push_str(&format!(": {said}"));
    }
    if ex.status == 403 {
        let p = api.permission();
        let asked = intune_scopes(raw);
        let asked = if asked.is_empty() {
            String::new()
        } else {
            format!(" (the service asks for one of: {})", asked.join(", "))
        };
        msg.push_str(&if person {
            format!(
                ". Missing permission: the delegated Microsoft Graph permission {}{asked}, consented for the app registration, and a role of the signed-in person that may read it",
                p.delegated
            )
        } else {
            format!(
                ". Missing permission: the Microsoft Graph application permission {}{asked}; add it under API permissions in the app registration and grant admin consent",
                p.application
            )
        });
    }
    anyhow!(msg)
}

/// Graph's message for people: Intune wraps its own as a JSON text whose `Message`
/// ends in operation and activity ids (kept in the request id already).
fn readable_message(raw: &str) -> String {
    let inner = serde_json::from_str::<Value>(raw.trim())
        .ok()
        .and_then(|v| v.get("Message").and_then(Value::as_str).map(str::to_owned));
    let text = inner.unwrap_or_else(|| raw.to_owned());
    let text = text
        .split(" - Operation ID")
        .next()
        .unwrap_or(&text)
        .trim()
        .trim_end_matches('.');
    text.to_owned()
}

/// The scopes Intune names in its 403 ("Application must have one of the following
/// scopes: A, B - Operation ID ..."), under their current names.
pub fn intune_scopes(message: &str) -> Vec<String> {
    const MARK: &str = "must have one of the following scopes:";
    let lower = message.to_ascii_lowercase();
    let Some(at) = lower.find(MARK) else {
        return Vec::new();
    };
    let rest = &message[at + MARK.len()..];
    let end = [" - Operation ID", "\"", "\\", "\r", "\n"]
        .iter()
        .filter_map(|stop| rest.find(stop))
        .min()
        .unwrap_or(rest.len());
    rest[..end]
        .split(',')
        .map(|s| s.trim().trim_end_matches('.'))
        .filter(|s| !s.is_empty())
        // Intune's messages still use the permission's old name.
        .map(|s| {
            s.replace(
                "DeviceManagementServiceConfiguration.",
                "DeviceManagementServiceConfig.",
            )
        })
        .collect()
}

/// A string literal for `$filter`: quoted, with every `'` doubled (OData's escape).
pub fn odata_string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// `path?k=v&...` with each value percent-encoded (RFC 3986): a group's name may hold
/// `&`, `#`, `+` or anything else.
pub fn with_query(path: &str, params: &[(&str, &str)]) -> String {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect();
    format!("{path}?{}", query.join("&"))
}

fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'\''
            | b'('
            | b')'
            | b','
            | b'$'
            | b':' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(status: u16, body: &str, request_id: Option<&str>) -> Exchange {
        Exchange {
            status,
            request_id: request_id.map(str::to_owned),
            body: body.as_bytes().to_vec(),
            attempts: 1,
            gave_up: None,
        }
    }

    #[test]
    fn filters_escape_quotes_and_queries_encode_everything_else() {
        assert_eq!(odata_string("Lookout Pilot"), "'Lookout Pilot'");
        assert_eq!(odata_string("O'Brien's"), "'O''Brien''s'");
        let filter = format!("displayName eq {}", odata_string("R&D #1 + O'Neil 100%"));
        assert_eq!(
            with_query("/v1.0/groups", &[("$filter", &filter), ("$select", "id,displayName")]),
            "/v1.0/groups?$filter=displayName%20eq%20'R%26D%20%231%20%2B%20O''Neil%20100%25'&$select=id,displayName"
        );
        assert_eq!(percent_encode("Grüppe"), "Gr%C3%BCppe");
    }

    #[test]
    fn every_api_names_a_permission() {
        for api in [
            Api::Organization,
            Api::ManagedDevices,
            Api::Groups,
            Api::GroupMembers,
            Api::DirectoryAudits,
            Api::MtdConnectors,
            Api::ServicePrincipals,
            Api::PermissionGrants,
            Api::AppRoleAssignments,
        ] {
            let p = api.permission();
            assert!(p.application.contains(".Read"), "{api:?}");
            assert!(p.delegated.contains(".Read"), "{api:?}");
        }
        assert!(Api::DirectoryAudits
            .permission()
            .application
            .contains("AuditLog.Read.All and Directory.Read.All"));
    }

    #[test]
    fn intune_403_names_the_scopes_it_asks_for() {
        let body = include_str!("testdata/error-403-intune-forbidden.json");
        let e = graph_error(
            Api::MtdConnectors,
            "/v1.0/deviceManagement/mobileThreatDefenseConnectors",
            &exchange(403, body, None),
            false,
        )
        .to_string();
        assert_eq!(
            e,
            "Microsoft Graph GET /v1.0/deviceManagement/mobileThreatDefenseConnectors: HTTP 403, Forbidden, \
             request-id 5c977c7f-ae03-4be0-82c2-408eafb65caf: Application is not authorized to perform this operation. \
             Application must have one of the following scopes: DeviceManagementConfiguration.Read.All, \
             DeviceManagementConfiguration.ReadWrite.All. Missing permission: the Microsoft Graph application permission \
             DeviceManagementServiceConfig.Read.All (the service asks for one of: DeviceManagementConfiguration.Read.All, \
             DeviceManagementConfiguration.ReadWrite.All); add it under API permissions in the app registration and grant admin consent"
        );
        assert_eq!(
            intune_scopes("Application must have one of the following scopes: DeviceManagementServiceConfiguration.Read.All, DeviceManagementServiceConfig.ReadWrite.All - Operation ID (for customer support): 0"),
            ["DeviceManagementServiceConfig.Read.All", "DeviceManagementServiceConfig.ReadWrite.All"]
        );
        assert!(intune_scopes("Insufficient privileges").is_empty());
    }

    #[test]
    fn directory_403_names_our_permission_and_the_request_id() {
        let body = r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"2024-05-07T15:39:39","request-id":"aa324f0f","client-request-id":"bb"}}}"#;
        let e = graph_error(
            Api::DirectoryAudits,
            "/v1.0/auditLogs/directoryAudits?$filter=x",
            &exchange(403, body, None),
            false,
        )
        .to_string();
        assert_eq!(
            e,
            "Microsoft Graph GET /v1.0/auditLogs/directoryAudits: HTTP 403, Authorization_RequestDenied, request-id aa324f0f: \
             Insufficient privileges to complete the operation. Missing permission: the Microsoft Graph application permission \
             AuditLog.Read.All and Directory.Read.All; add it under API permissions in the app registration and grant admin consent"
        );
        let e = graph_error(
            Api::Groups,
            "/v1.0/groups",
            &exchange(403, body, None),
            true,
        )
        .to_string();
        assert!(
            e.contains("delegated Microsoft Graph permission GroupMember.Read.All"),
            "{e}"
        );
    }

    #[test]
    fn other_errors_keep_status_code_and_header_request_id() {
        let e = graph_error(
            Api::ManagedDevices,
            "/v1.0/deviceManagement/managedDevices",
            &exchange(
                429,
                r#"{"error":{"code":"TooManyRequests","message":"Please try again later."}}"#,
                Some("rid-9"),
            ),
            false,
        )
        .to_string();
        assert_eq!(e, "Microsoft Graph GET /v1.0/deviceManagement/managedDevices: HTTP 429, TooManyRequests, request-id rid-9: Please try again later");
        let e = graph_error(
            Api::Groups,
            "/v1.0/groups",
            &exchange(500, "oops", None),
            false,
        )
        .to_string();
        assert_eq!(e, "Microsoft Graph GET /v1.0/groups: HTTP 500");
    }

    #[test]
    fn links_are_described_by_their_origin() {
        assert_eq!(
            origin_of("https://evil.example:8443/v1.0/x?y"),
            "https://evil.example:8443"
        );
        assert_eq!(origin_of("/v1.0/x"), "a relative link");
        assert_eq!(
            url_path("http://127.0.0.1:9/v1.0/groups?$top=1"),
            "/v1.0/groups?$top=1"
        );
    }
}
