//! The Lookout Mobile Risk API v2: an access token for the application key (sent
//! as `Authorization: Bearer <key>` with `grant_type=client_credentials`, Lookout's
//! own client authentication), then the device list, page after page.
//!
//! Paging: `limit` devices a page and `oid` = the last device's `oid` for the next
//! one; `count` is the fleet's total. The published sources disagree on which
//! signal ends the list, so it ends at an empty page, when `count` devices were read,
//! or, when the API gives no `count`, at a page shorter than asked. A page shorter
//! than asked does not end it while `count` says more devices exist: the API may
//! serve fewer devices a page than asked. An `oid` that comes back is refused:
//! the list would never end.
//!
//! An access token lasts about two hours; it is renewed before it expires, and once
//! more when a page is refused with 401 (that page is then asked again, so no device
//! is read twice).

use super::cloud::Origin;
use super::http::{self, Exchange, Http, RateLimit, Request};
use super::progress::Bar;
use super::secret::Secret;
use anyhow::{anyhow, Result};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Devices asked for a page: the API's largest page.
pub const PAGE_LIMIT: usize = 1000;

/// All Mobile Risk API v2 endpoints share 100 requests a minute.
const REQUESTS_PER_MINUTE: usize = 100;

/// Renew this long before the token expires.
const RENEW_MARGIN: Duration = Duration::from_secs(300);

const DEVICES_PATH: &str = "/mra/api/v2/devices";

/// What the device list came to.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeviceList {
    pub pages: usize,
    /// The fleet's total as the API said it (`count`).
    pub reported: Option<u64>,
}

/// A client of the Lookout API, signed in with the application key.
pub struct Lookout<'h> {
    http: &'h Http,
    origin: Origin,
    key: Secret,
    token: Option<(Secret, Instant)>,
    pace: RateLimit,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<f64>,
}

#[derive(Deserialize)]
struct DevicesPage {
    #[serde(default)]
    count: Option<u64>,
    devices: Vec<Value>,
}

/// Lookout's error answers: its API's (`errorCode`, `message`, `requestId`) and its
/// token endpoint's (RFC 6749: `error`, `error_description`).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    error_code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    #[serde(rename = "error")]
    oauth_error: Option<String>,
    #[serde(rename = "error_description")]
    oauth_description: Option<String>,
}

impl<'h> Lookout<'h> {
    pub fn new(http: &'h Http, origin: Origin, key: Secret) -> Lookout<'h> {
        Lookout {
            http,
            origin,
            key,
            token: None,
            pace: RateLimit::new(REQUESTS_PER_MINUTE, Duration::from_secs(60)),
        }
    }

    /// Trades the application key for a token now, so that a bad key is said before
    /// anything else is read.
    pub fn sign_in(&mut self) -> Result<()> {
        self.token().map(drop)
    }

    fn token(&mut self) -> Result<Secret> {
        match &self.token {
            Some((t, renew_at)) if Instant::now() < *renew_at => Ok(t.clone()),
            _ => self.new_token(),
        }
    }

    fn new_token(&mut self) -> Result<Secret> {
        let url = self.origin.join("/oauth2/token");
        self.pace.pace();
        let form = [("grant_type", "client_credentials")];
        let ex = self
            .http
            .send(&Request {
                bearer: Some(&self.key),
                ..Request::post_form(&url, &form)
            })
            .map_err(|e| anyhow!("Lookout sign-in: POST {url}: {e}"))?;
        if !ex.is_success() {
            let mut msg = describe("Lookout sign-in failed: POST", &url, &ex);
            if matches!(ex.status, 400 | 401 | 403) {
                msg.push_str(". LOOKOUT_APPLICATION_KEY was not accepted: it may be mistyped, revoked or expired (a key lasts one year); generate a new one in the Lookout console under System > Application Keys");
            }
            return Err(anyhow!(msg));
        }
        let parsed: TokenResponse = serde_json::from_slice(&ex.body).map_err(|_| {
            anyhow!(
                "Lookout sign-in: POST {url}: HTTP {} but no access token in the answer",
                ex.status
            )
        })?;
        let token = Secret::new(parsed.access_token);
        self.http.scrubber().register(&token);
        let lifetime = parsed
            .expires_in
            .filter(|s| s.is_finite() && *s > 0.0)
            .map_or(Duration::from_secs(7200), |s| {
                Duration::from_secs_f64(s.min(1e7))
            });
        self.token = Some((
            token.clone(),
            Instant::now() + lifetime.saturating_sub(RENEW_MARGIN),
        ));
        Ok(token)
    }

    /// Every device, page by page to `on_page`.
    pub fn devices(
        &mut self,
        bar: Option<&Bar>,
        mut on_page: impl FnMut(Vec<Value>) -> Result<()>,
    ) -> Result<DeviceList> {
        let mut cursor = Cursor::new(PAGE_LIMIT);
        loop {
            let page_no = cursor.pages + 1;
            let url = self.origin.join(&cursor.path());
            let page = self.page(&url, page_no, bar)?;
            let next = cursor.advance(page.count, &page.devices).map_err(|why| {
                anyhow!("Lookout Mobile Risk API GET {DEVICES_PATH}, page {page_no}: {why}")
            })?;
            on_page(page.devices)?;
            if let Some(bar) = bar {
                bar.update(cursor.pages, cursor.total, cursor.count);
            }
            if next == Next::Done {
                return Ok(DeviceList {
                    pages: cursor.pages,
                    reported: cursor.count,
                });
            }
        }
    }

    /// One page: a new token once if the API says the token expired, and the page
    /// fetched once more if it does not parse.
    fn page(&mut self, url: &str, page_no: usize, bar: Option<&Bar>) -> Result<DevicesPage> {
        let mut renewed = false;
        let mut reread = false;
        loop {
            let token = self.token()?;
            self.pace.pace();
            let ex = self
                .http
                .send(&Request::get(url, &token).on(bar))
                .map_err(|e| {
                    anyhow!("Lookout Mobile Risk API GET {DEVICES_PATH}, page {page_no}: {e}")
                })?;
            if !renewed && token_expired(&ex) {
                renewed = true;
                self.token = None;
                continue;
            }
            if !ex.is_success() {
                return Err(anyhow!(describe(
                    "Lookout Mobile Risk API GET",
                    &format!("{DEVICES_PATH}, page {page_no}"),
                    &ex
                )));
            }
            match serde_json::from_slice(&ex.body) {
                Ok(page) => return Ok(page),
                Err(_) if !reread => reread = true,
                Err(e) => {
                    return Err(anyhow!(
                        "Lookout Mobile Risk API GET {DEVICES_PATH}, page {page_no}: not a device list (an object with \"devices\"), twice: {e}"
                    ))
                }
            }
        }
    }
}

/// A refused token: 401, or Lookout's `EXPIRED_TOKEN` error code with another
/// error status.
fn token_expired(ex: &Exchange) -> bool {
    ex.status == 401
        || (!ex.is_success()
            && serde_json::from_slice::<ErrorBody>(&ex.body).is_ok_and(|b| {
                b.error_code
                    .is_some_and(|c| c.eq_ignore_ascii_case("EXPIRED_TOKEN"))
            }))
}

/// `<what> <where>: HTTP <status>, <error code>, request id <id>: <message>`.
fn describe(what: &str, place: &str, ex: &Exchange) -> String {
    let body: ErrorBody = serde_json::from_slice(&ex.body).unwrap_or_default();
    let mut msg = format!("{what} {place}: HTTP {}", ex.status);
    if let Some(code) = body.error_code.as_ref().or(body.oauth_error.as_ref()) {
        msg.push_str(&format!(", {code}"));
    }
    if let Some(id) = body.request_id.as_ref().or(ex.request_id.as_ref()) {
        msg.push_str(&format!(", request id {id}"));
    }
    msg.push_str(&ex.retry_note());
    if let Some(m) = body
        .message
        .as_ref()
        .or(body.oauth_description.as_ref())
        .map(|m| m.trim())
        .filter(|m| !m.is_empty())
    {
        msg.push_str(&format!(": {m}"));
    }
    msg
}

/// Whether another page follows.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    More,
    Done,
}

/// Where the paging stands.
#[derive(Debug)]
struct Cursor {
    limit: usize,
    pages: usize,
    total: usize,
    /// The fleet's total, from the first page that says it.
    count: Option<u64>,
    oid: Option<String>,
    seen: HashSet<String>,
}

impl Cursor {
    fn new(limit: usize) -> Cursor {
        Cursor {
            limit,
            pages: 0,
            total: 0,
            count: None,
            oid: None,
            seen: HashSet::new(),
        }
    }

    /// The next page's path and query.
    fn path(&self) -> String {
        match &self.oid {
            None => format!("{DEVICES_PATH}?limit={}", self.limit),
            Some(oid) => format!(
                "{DEVICES_PATH}?limit={}&oid={}",
                self.limit,
                http::percent_encode(oid)
            ),
        }
    }

    /// Takes in a page; says whether another follows, or why paging cannot go on.
    fn advance(&mut self, count: Option<u64>, devices: &[Value]) -> Result<Next, String> {
        self.pages += 1;
        self.total += devices.len();
        if self.count.is_none() {
            self.count = count;
        }
        let Some(last) = devices.last() else {
            return Ok(Next::Done);
        };
        match self.count {
            Some(c) if self.total as u64 >= c => return Ok(Next::Done),
            None if devices.len() < self.limit => return Ok(Next::Done),
            _ => {}
        }
        let oid = match last.get("oid") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                return Err(
                    "the last device has no \"oid\", so the next page cannot be asked for".into(),
                )
            }
        };
        if !self.seen.insert(oid.clone()) {
            return Err(format!(
                "the API sent the devices after oid {oid} again; the list would never end"
            ));
        }
        self.oid = Some(oid);
        Ok(Next::More)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn devices(oids: &[&str]) -> Vec<Value> {
        oids.iter()
            .map(|o| json!({"guid": format!("g{o}"), "oid": o}))
            .collect()
    }

    #[test]
    fn pages_follow_the_last_oid_until_count() {
        let mut c = Cursor::new(2);
        assert_eq!(c.path(), "/mra/api/v2/devices?limit=2");
        assert_eq!(c.advance(Some(5), &devices(&["1", "2"])), Ok(Next::More));
        assert_eq!(c.path(), "/mra/api/v2/devices?limit=2&oid=2");
        assert_eq!(c.advance(Some(5), &devices(&["3", "4"])), Ok(Next::More));
        assert_eq!(c.advance(Some(5), &devices(&["5"])), Ok(Next::Done));
        assert_eq!((c.pages, c.total, c.count), (3, 5, Some(5)));
    }

    #[test]
    fn an_empty_page_ends_the_list() {
        let mut c = Cursor::new(2);
        assert_eq!(c.advance(Some(9), &devices(&["1", "2"])), Ok(Next::More));
        assert_eq!(c.advance(Some(9), &[]), Ok(Next::Done));
        assert_eq!(c.total, 2);
    }

    #[test]
    fn a_short_page_ends_the_list_only_without_a_count() {
        let mut c = Cursor::new(1000);
        assert_eq!(c.advance(None, &devices(&["1", "2"])), Ok(Next::Done));
        // With a count saying more exist, the API serves smaller pages than asked.
        let mut c = Cursor::new(1000);
        assert_eq!(c.advance(Some(4), &devices(&["1", "2"])), Ok(Next::More));
        assert_eq!(c.advance(Some(4), &devices(&["3", "4"])), Ok(Next::Done));
    }

    #[test]
    fn a_repeated_or_missing_oid_stops_paging() {
        let mut c = Cursor::new(2);
        assert_eq!(c.advance(None, &devices(&["1", "2"])), Ok(Next::More));
        let e = c.advance(None, &devices(&["1", "2"])).unwrap_err();
        assert!(e.contains("oid 2 again"), "{e}");
        let mut c = Cursor::new(1);
        let e = c.advance(None, &[json!({"guid": "x"})]).unwrap_err();
        assert!(e.contains("no \"oid\""), "{e}");
        // Numeric oids are used as they are; odd characters are encoded.
        let mut c = Cursor::new(1);
        assert_eq!(c.advance(None, &[json!({"oid": 42})]), Ok(Next::More));
        assert_eq!(c.path(), "/mra/api/v2/devices?limit=1&oid=42");
        let mut c = Cursor::new(1);
        assert_eq!(c.advance(None, &[json!({"oid": "a b&c"})]), Ok(Next::More));
        assert_eq!(c.path(), "/mra/api/v2/devices?limit=1&oid=a%20b%26c");
    }

    fn exchange(status: u16, body: &str) -> Exchange {
        Exchange {
            status,
            request_id: None,
            body: body.as_bytes().to_vec(),
            attempts: 1,
            gave_up: None,
        }
    }

    #[test]
    fn expired_tokens_are_recognised_and_errors_described() {
        let expired = r#"{"type":"Error","statusCode":401,"errorCode":"EXPIRED_TOKEN","message":"Access token expired","requestId":"497a5de3"}"#;
        assert!(token_expired(&exchange(401, "")));
        assert!(token_expired(&exchange(400, expired)));
        assert!(!token_expired(&exchange(
            403,
            r#"{"errorCode":"FORBIDDEN"}"#
        )));
        assert_eq!(
            describe("Lookout Mobile Risk API GET", "/mra/api/v2/devices, page 2", &exchange(400, expired)),
            "Lookout Mobile Risk API GET /mra/api/v2/devices, page 2: HTTP 400, EXPIRED_TOKEN, request id 497a5de3: Access token expired"
        );
        assert_eq!(
            describe(
                "Lookout sign-in failed: POST",
                "u",
                &exchange(401, r#"{"error": "invalid_client"}"#)
            ),
            "Lookout sign-in failed: POST u: HTTP 401, invalid_client"
        );
    }
}
