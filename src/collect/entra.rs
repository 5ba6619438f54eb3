//! Access tokens for Microsoft Graph from the Microsoft identity platform (v2.0
//! endpoints of the sign-in authority, `--login-url`):
//!
//! - app-only client credentials, with a client secret or a certificate (a signed
//!   client assertion, see [`super::certificate`]): the unattended way, for CI;
//! - the device authorization grant, for a person at a terminal: the tool prints a
//!   URL and a code, the person signs in with a browser anywhere, the tool polls.
//!
//! Three form posts, written here rather than through an OAuth2 crate: it keeps
//! Entra's own error details (the AADSTS code, trace and correlation ids) that make a
//! failed sign-in explainable, and every secret in a type that never prints.

use super::certificate::{random_uuid, Certificate};
use super::cloud::Origin;
use super::http::{self, Exchange, Http, Request};
use super::secret::Secret;
use anyhow::{anyhow, bail, Result};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// How the application proves who it is.
pub enum Credential {
    Secret(Secret),
    Certificate(Box<Certificate>),
    /// A person signs in; the application is a public client and sends no secret.
    DeviceCode,
}

/// A token is renewed this long before it expires, so none expires mid-request.
const RENEW_MARGIN: Duration = Duration::from_secs(300);

/// The shortest wait between two polls of a device-code sign-in.
const MIN_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Signs the application (or a person) in to Graph, and keeps the token.
pub struct Entra {
    login: Origin,
    /// `AZURE_TENANT_ID`: a GUID or a verified domain; `organizations` for a person
    /// signing in without one.
    tenant: String,
    client_id: String,
    scope: String,
    credential: Credential,
    token: Option<Token>,
}

struct Token {
    value: Secret,
    renew_at: Instant,
}

impl Entra {
    pub fn new(
        login: Origin,
        tenant: String,
        client_id: String,
        scope: String,
        credential: Credential,
    ) -> Entra {
        Entra {
            login,
            tenant,
            client_id,
            scope,
            credential,
            token: None,
        }
    }

    /// Whether a person signed in (delegated permissions apply, not application ones).
    pub fn is_person(&self) -> bool {
        matches!(self.credential, Credential::DeviceCode)
    }

    /// A valid token: the one held, or a new one when it is missing or about to expire.
    pub fn token(&mut self, http: &Http) -> Result<Secret> {
        if let Some(t) = self.token.as_ref().filter(|t| Instant::now() < t.renew_at) {
            return Ok(t.value.clone());
        }
        if self.token.is_some() && self.is_person() {
            bail!("the sign-in is about to expire; run collect again to sign in anew");
        }
        self.acquire(http)
    }

    /// A new token after Graph refused the one held (401). A person's sign-in cannot
    /// be renewed without them.
    pub fn renew(&mut self, http: &Http) -> Result<Secret> {
        if self.is_person() {
            bail!("Microsoft Graph no longer accepts the sign-in (HTTP 401); run collect again to sign in anew");
        }
        self.token = None;
        self.acquire(http)
    }

    fn token_url(&self) -> String {
        self.login.join(&format!(
            "/{}/oauth2/v2.0/token",
            http::percent_encode(&self.tenant)
        ))
    }

    fn acquire(&mut self, http: &Http) -> Result<Secret> {
        let token = match &self.credential {
            Credential::Secret(secret) => {
                self.client_credentials(http, &[("client_secret", secret.expose())])?
            }
            Credential::Certificate(cert) => {
                let url = self.token_url();
                let assertion = cert.assertion(
                    &self.client_id,
                    &url,
                    chrono::Utc::now().timestamp(),
                    &random_uuid(),
                )?;
                http.scrubber().register(&assertion);
                self.client_credentials(
                    http,
                    &[
                        (
                            "client_assertion_type",
                            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                        ),
                        ("client_assertion", assertion.expose()),
                    ],
                )?
            }
            Credential::DeviceCode => self.device_code(http)?,
        };
        let value = token.value.clone();
        self.token = Some(token);
        Ok(value)
    }

    fn client_credentials(&self, http: &Http, proof: &[(&str, &str)]) -> Result<Token> {
        let url = self.token_url();
        let mut form = vec![
            ("client_id", self.client_id.as_str()),
            ("scope", self.scope.as_str()),
            ("grant_type", "client_credentials"),
        ];
        form.extend_from_slice(proof);
        let ex = http
            .send(&Request::post_form(&url, &form))
            .map_err(|e| anyhow!("Microsoft Entra sign-in: POST {url}: {e}"))?;
        if !ex.is_success() {
            return Err(sign_in_error(&url, &ex, false));
        }
        self.read_token(http, &url, &ex)
    }

    /// The device authorization grant (RFC 8628 as Entra implements it).
    fn device_code(&self, http: &Http) -> Result<Token> {
        let url = self.login.join(&format!(
            "/{}/oauth2/v2.0/devicecode",
            http::percent_encode(&self.tenant)
        ));
        let form = [
            ("client_id", self.client_id.as_str()),
            ("scope", self.scope.as_str()),
        ];
        let ex = http
            .send(&Request::post_form(&url, &form))
            .map_err(|e| anyhow!("Microsoft Entra sign-in: POST {url}: {e}"))?;
        if !ex.is_success() {
            return Err(sign_in_error(&url, &ex, true));
        }
        let grant: DeviceAuthorization = serde_json::from_slice(&ex.body).map_err(|_| {
            anyhow!("Microsoft Entra sign-in: POST {url}: the answer is not a device-code grant")
        })?;
        let device_code = Secret::new(grant.device_code);
        http.scrubber().register(&device_code);
        let minutes = grant.expires_in.div_ceil(60);
        let say = http.scrubber().scrub(&format!(
            "To sign in, open {} in a browser and enter the code {} (valid for {minutes} min).",
            grant.verification_uri, grant.user_code
        ));
        http.board().suspend(|| eprintln!("{say}"));
        let token_url = self.token_url();
        let mut poll = DevicePoll::new(grant.interval, grant.expires_in, Instant::now());
        loop {
            let pause = poll.interval();
            std::thread::sleep(pause);
            let form = [
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", self.client_id.as_str()),
                ("device_code", device_code.expose()),
            ];
            let ex = http
                .send(&Request::post_form(&token_url, &form))
                .map_err(|e| anyhow!("Microsoft Entra sign-in: POST {token_url}: {e}"))?;
            if ex.is_success() {
                return self.read_token(http, &token_url, &ex);
            }
            let error = serde_json::from_slice::<TokenError>(&ex.body)
                .ok()
                .and_then(|e| e.error)
                .unwrap_or_default();
            match poll.next(&error, Instant::now()) {
                PollStep::Wait => {}
                PollStep::Stop(why) => {
                    return Err(sign_in_error(&token_url, &ex, true).context(why));
                }
            }
        }
    }

    fn read_token(&self, http: &Http, url: &str, ex: &Exchange) -> Result<Token> {
        let parsed: TokenResponse = serde_json::from_slice(&ex.body).map_err(|_| {
            anyhow!(
                "Microsoft Entra sign-in: POST {url}: HTTP {} but no access token in the answer",
                ex.status
            )
        })?;
        let value = Secret::new(parsed.access_token);
        http.scrubber().register(&value);
        let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(3599));
        Ok(Token {
            value,
            renew_at: Instant::now() + lifetime.saturating_sub(RENEW_MARGIN),
        })
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default, deserialize_with = "number_or_text")]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct DeviceAuthorization {
    device_code: String,
    user_code: String,
    verification_uri: String,
    #[serde(
        default = "default_device_expiry",
        deserialize_with = "number_or_text_15min"
    )]
    expires_in: u64,
    #[serde(default, deserialize_with = "number_or_text")]
    interval: Option<u64>,
}

fn default_device_expiry() -> u64 {
    900
}

/// Entra's error answer (RFC 6749 5.2 plus its own fields).
#[derive(Deserialize, Default)]
struct TokenError {
    error: Option<String>,
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<u64>,
    trace_id: Option<String>,
    correlation_id: Option<String>,
}

fn number_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

fn number_or_text_15min<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(number_or_text(d)?.unwrap_or_else(default_device_expiry))
}

/// What a failed sign-in says: the endpoint, the status, Entra's error and AADSTS
/// code with its first line of explanation, the ids Microsoft support asks for, and
/// what to do about the common causes.
fn sign_in_error(url: &str, ex: &Exchange, person: bool) -> anyhow::Error {
    let e: TokenError = serde_json::from_slice(&ex.body).unwrap_or_default();
    let mut msg = format!(
        "Microsoft Entra sign-in failed: POST {url}: HTTP {}",
        ex.status
    );
    if let Some(code) = &e.error {
        msg.push_str(&format!(", {code}"));
    }
    let description = e
        .error_description
        .as_deref()
        .and_then(|d| d.lines().next())
        .map(str::trim)
        .filter(|d| !d.is_empty());
    if let Some(d) = description {
        msg.push_str(&format!(": {d}"));
    }
    let ids: Vec<String> = [
        ("trace id", &e.trace_id),
        ("correlation id", &e.correlation_id),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
    .chain(
        ex.request_id
            .iter()
            .filter(|_| e.trace_id.is_none())
            .map(|r| format!("request id {r}")),
    )
    .collect();
    if !ids.is_empty() {
        msg.push_str(&format!(" ({})", ids.join(", ")));
    }
    msg.push_str(&ex.retry_note());
    let aadsts = e.error_codes.first().copied().or_else(|| {
        description
            .and_then(|d| d.strip_prefix("AADSTS"))
            .and_then(|d| d.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
    });
    if let Some(hint) = aadsts.and_then(|code| sign_in_hint(code, person)) {
        msg.push_str(&format!(". {hint}"));
    }
    anyhow!(msg)
}

/// What to do about the sign-in failures seen most (AADSTS codes,
/// learn.microsoft.com/entra/identity-platform/reference-error-codes).
fn sign_in_hint(code: u64, person: bool) -> Option<&'static str> {
    Some(match code {
        7000215 => "AZURE_CLIENT_SECRET must be the secret's Value, not its Secret ID",
        7000222 => "The client secret has expired: create a new one under Certificates & secrets",
        700016 => "No application with this AZURE_CLIENT_ID exists in the tenant: check AZURE_CLIENT_ID and AZURE_TENANT_ID",
        90002 | 900023 => "The tenant was not found: check AZURE_TENANT_ID (the Directory (tenant) ID or a verified domain)",
        700027 => "The certificate is not the one uploaded to the app registration, or the key does not match it",
        70011 => "The scope was refused: check --graph-url and --cloud (the scope is the Graph origin followed by /.default)",
        65001 => "The permissions were not consented: grant admin consent for them in the app registration",
        53003 if person => "Conditional Access blocked the sign-in (device-code sign-in is often blocked): sign in from an allowed device or use client credentials",
        53003 => "Conditional Access blocked the sign-in",
        7000218 => "The app registration does not allow device-code sign-in: set Authentication > Allow public client flows to Yes, or give AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH",
        _ => return None,
    })
}

/// Where a device-code sign-in stands after a poll was answered "not yet".
#[derive(Debug, PartialEq, Eq)]
pub enum PollStep {
    /// Poll again after [`DevicePoll::interval`].
    Wait,
    /// Stop: the sign-in will not complete, for this reason.
    Stop(&'static str),
}

/// The polling of a device-code sign-in (RFC 8628 3.4-3.5): every `interval`, 5 s
/// slower after `slow_down`, until the code expires.
#[derive(Debug)]
pub struct DevicePoll {
    interval: Duration,
    deadline: Instant,
}

impl DevicePoll {
    pub fn new(interval: Option<u64>, expires_in: u64, now: Instant) -> DevicePoll {
        DevicePoll {
            interval: Duration::from_secs(interval.unwrap_or(5)).max(MIN_POLL_INTERVAL),
            deadline: now + Duration::from_secs(expires_in),
        }
    }

    /// How long to wait before the next poll.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The next step after the token endpoint answered with `error`.
    pub fn next(&mut self, error: &str, now: Instant) -> PollStep {
        match error {
            "authorization_pending" => {}
            "slow_down" => self.interval += Duration::from_secs(5),
            "authorization_declined" => return PollStep::Stop("the sign-in was declined"),
            "expired_token" => {
                return PollStep::Stop(
                    "the code expired before anyone signed in with it; run collect again",
                )
            }
            "bad_verification_code" => {
                return PollStep::Stop("the sign-in service did not recognise the device code")
            }
            _ => return PollStep::Stop("the device-code sign-in failed"),
        }
        if now + self.interval > self.deadline {
            return PollStep::Stop(
                "the code expired before anyone signed in with it; run collect again",
            );
        }
        PollStep::Wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_code_polling_follows_the_answers() {
        let t0 = Instant::now();
        let mut poll = DevicePoll::new(Some(5), 900, t0);
        assert_eq!(poll.interval(), Duration::from_secs(5));
        assert_eq!(poll.next("authorization_pending", t0), PollStep::Wait);
        assert_eq!(poll.interval(), Duration::from_secs(5));
        assert_eq!(poll.next("slow_down", t0), PollStep::Wait);
        assert_eq!(poll.interval(), Duration::from_secs(10));
        assert_eq!(poll.next("slow_down", t0), PollStep::Wait);
        assert_eq!(poll.interval(), Duration::from_secs(15));
        for (error, why) in [
            ("authorization_declined", "declined"),
            ("expired_token", "expired"),
            ("bad_verification_code", "did not recognise"),
            ("invalid_client", "failed"),
            ("", "failed"),
        ] {
            match DevicePoll::new(Some(1), 900, t0).next(error, t0) {
                PollStep::Stop(w) => assert!(w.contains(why), "{error}: {w}"),
                PollStep::Wait => panic!("{error} must stop"),
            }
        }
    }

    #[test]
    fn device_code_polling_stops_at_the_deadline() {
        let t0 = Instant::now();
        let mut poll = DevicePoll::new(Some(5), 12, t0);
        assert_eq!(
            poll.next("authorization_pending", t0 + Duration::from_secs(5)),
            PollStep::Wait
        );
        assert!(matches!(
            poll.next("authorization_pending", t0 + Duration::from_secs(10)),
            PollStep::Stop(w) if w.contains("expired")
        ));
        // No interval, or zero: never a busy loop.
        assert_eq!(
            DevicePoll::new(None, 900, t0).interval(),
            Duration::from_secs(5)
        );
        assert_eq!(
            DevicePoll::new(Some(0), 900, t0).interval(),
            MIN_POLL_INTERVAL
        );
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
    fn sign_in_errors_name_the_code_the_ids_and_the_fix() {
        let body = include_str!("testdata/token-error-invalid-client-secret.json");
        let e = sign_in_error(
            "https://login/t/oauth2/v2.0/token",
            &exchange(401, body),
            false,
        )
        .to_string();
        assert!(e.starts_with("Microsoft Entra sign-in failed: POST https://login/t/oauth2/v2.0/token: HTTP 401, invalid_client: AADSTS7000215: Invalid client secret provided."), "{e}");
        assert!(
            e.contains("trace id 654ce9b2-a626-4e0b-8598-0cac69970200"),
            "{e}"
        );
        assert!(e.contains("correlation id 5be327fc"), "{e}");
        assert!(e.contains("Value, not its Secret ID"), "{e}");
        assert!(
            !e.contains("Timestamp"),
            "only the first line of the description: {e}"
        );
        // Without error_codes the AADSTS number is read from the description.
        let e = sign_in_error(
            "u",
            &exchange(400, r#"{"error":"invalid_request","error_description":"AADSTS90002: Tenant 'x' not found."}"#),
            false,
        )
        .to_string();
        assert!(e.contains("check AZURE_TENANT_ID"), "{e}");
        let e = sign_in_error("u", &exchange(502, "<html>bad gateway</html>"), false).to_string();
        assert_eq!(e, "Microsoft Entra sign-in failed: POST u: HTTP 502");
    }

    #[test]
    fn tenants_cannot_change_the_token_path() {
        assert_eq!(
            http::percent_encode("contoso.onmicrosoft.com"),
            "contoso.onmicrosoft.com"
        );
        assert_eq!(http::percent_encode("a/../b?c"), "a%2F..%2Fb%3Fc");
    }
}
