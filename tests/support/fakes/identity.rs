//! The Microsoft identity platform's v2.0 endpoints: `/{tenant}/oauth2/v2.0/token`
//! (client credentials with a secret or a certificate's signed assertion, and the
//! device-code grant) and `/{tenant}/oauth2/v2.0/devicecode`, with Entra's error
//! bodies (research/17/examples/identity).

use super::http::{Request, Response};
use super::{certificate, State, TokenKind};
use serde_json::json;

/// Entra's error body: `error`, `error_description` starting with the AADSTS code,
/// `error_codes`, trace and correlation ids.
pub fn error(status: u16, error: &str, code: u32, description: &str) -> Response {
    let trace = "654ce9b2-a626-4e0b-8598-0cac69970200";
    let correlation = "5be327fc-93cb-4bef-ab4e-0373f11a8017";
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
    Response::json(
        status,
        &json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {description}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {now}"),
            "error_codes": [code],
            "timestamp": now,
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": format!("https://login.microsoftonline.com/error?code={code}")
        }),
    )
}

pub fn handle(state: &mut State, req: &Request) -> Response {
    let parts: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let [tenant, "oauth2", "v2.0", endpoint] = parts.as_slice() else {
        return error(
            404,
            "invalid_request",
            90002,
            "The fake sign-in authority has no such endpoint.",
        );
    };
    if req.method != "POST" {
        return error(
            405,
            "invalid_request",
            900561,
            "The endpoint only accepts POST requests.",
        );
    }
    let known_tenant = tenant.eq_ignore_ascii_case(&state.tenant.id)
        || tenant.eq_ignore_ascii_case("contoso.onmicrosoft.com");
    if !known_tenant {
        return error(
            400,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
        );
    }
    let form_type = req.header("content-type").is_some_and(|t| {
        t.to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
    });
    if !form_type {
        return error(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        );
    }
    match *endpoint {
        "token" => token(state, req, tenant),
        "devicecode" => device_code(state, req),
        _ => error(
            404,
            "invalid_request",
            90002,
            "The fake sign-in authority has no such endpoint.",
        ),
    }
}

fn token(state: &mut State, req: &Request, tenant: &str) -> Response {
    let client_id = req.form_value("client_id").unwrap_or_default();
    if client_id != state.credentials.client_id {
        return error(
            400,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{client_id}' was not found in the directory 'Contoso'."),
        );
    }
    match req.form_value("grant_type").as_deref() {
        Some("client_credentials") => client_credentials(state, req, tenant),
        Some("urn:ietf:params:oauth:grant-type:device_code") => poll_device_code(state, req),
        other => error(
            400,
            "unsupported_grant_type",
            70003,
            &format!(
                "The app requested an unsupported grant type '{}'.",
                other.unwrap_or("")
            ),
        ),
    }
}

/// Microsoft Graph in each national cloud (learn.microsoft.com/graph/deployments): the
/// fake authority stands in for any of them.
pub const CLOUD_GRAPH_HOSTS: [&str; 4] = [
    "https://graph.microsoft.com",
    "https://graph.microsoft.us",
    "https://dod-graph.microsoft.us",
    "https://microsoftgraph.chinacloudapi.cn",
];

/// The scope of an app-only token: `{Graph}/.default`, for the fake Graph's origin or
/// a cloud's Graph.
fn graph_default_scope(state: &State, scope: &str) -> bool {
    let scope = scope.trim();
    std::iter::once(state.origins.graph.as_str())
        .chain(CLOUD_GRAPH_HOSTS)
        .any(|g| scope == format!("{g}/.default"))
}

fn client_credentials(state: &mut State, req: &Request, tenant: &str) -> Response {
    let scope = req.form_value("scope").unwrap_or_default();
    if !graph_default_scope(state, &scope) {
        return error(
            400,
            "invalid_scope",
            70011,
            &format!("The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."),
        );
    }
    let secret = req.form_value("client_secret");
    let assertion = req.form_value("client_assertion");
    match (secret, assertion) {
        (Some(secret), None) => {
            if state.credentials.client_secret.as_deref() != Some(secret.as_str()) {
                return error(
                    401,
                    "invalid_client",
                    7000215,
                    &format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.", state.credentials.client_id),
                );
            }
        }
        (None, Some(assertion)) => {
            let assertion_type = req.form_value("client_assertion_type").unwrap_or_default();
            if assertion_type != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
                return error(400, "invalid_request", 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
            }
            let audience = format!("{}/{tenant}/oauth2/v2.0/token", state.origins.login);
            let Some(cert) = state.credentials.certificate.clone() else {
                return error(401, "invalid_client", 700027, "Client assertion failed signature validation: no certificate is registered for the application.");
            };
            let verdict = certificate::verify_assertion(
                &cert,
                &assertion,
                &state.credentials.client_id,
                &audience,
                &mut state.assertion_ids,
            );
            if let Err(why) = verdict {
                return error(401, "invalid_client", 700027, &format!("Client assertion failed signature validation. {why}"));
            }
        }
        (Some(_), Some(_)) => {
            return error(400, "invalid_request", 7000218, "Only one of 'client_secret' and 'client_assertion' may be sent.")
        }
        (None, None) => {
            return error(400, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
        }
    }
    let token = state.issue_graph_token(TokenKind::App);
    Response::json(
        200,
        &json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}),
    )
}

fn device_code(state: &mut State, req: &Request) -> Response {
    let client_id = req.form_value("client_id").unwrap_or_default();
    if client_id != state.credentials.client_id {
        return error(400, "unauthorized_client", 700016, &format!("Application with identifier '{client_id}' was not found in the directory 'Contoso'."));
    }
    if req
        .form_value("scope")
        .unwrap_or_default()
        .trim()
        .is_empty()
    {
        return error(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        );
    }
    let device_code = format!(
        "GMMhmHCXhWEzkobqIHGG_EnNYYsAkukHspeYUk9E8{}",
        super::random_hex(8)
    );
    state.device_code = Some(super::DeviceCodeGrant {
        device_code: device_code.clone(),
        pending_left: state.options.device_code_pending,
    });
    let interval = state.options.device_code_interval;
    Response::json(
        200,
        &json!({
            "user_code": super::DEVICE_USER_CODE,
            "device_code": device_code,
            "verification_uri": "https://microsoft.com/devicelogin",
            "expires_in": 900,
            "interval": interval,
            "message": format!("To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code {} to authenticate.", super::DEVICE_USER_CODE)
        }),
    )
}

fn poll_device_code(state: &mut State, req: &Request) -> Response {
    let sent = req.form_value("device_code").unwrap_or_default();
    let Some(grant) = state.device_code.as_mut().filter(|g| g.device_code == sent) else {
        return error(
            400,
            "bad_verification_code",
            70000,
            "The device code is not valid.",
        );
    };
    if grant.pending_left > 0 {
        grant.pending_left -= 1;
        // Verbatim shape of the pending answer (Azure SDK for Go's test fixture).
        return Response::json(
            400,
            &json!({"error": "authorization_pending", "error_description": "Authorization pending.", "error_codes": [], "timestamp": "2019-12-01 19:00:00Z", "trace_id": "2d091b0", "correlation_id": "a999", "error_uri": "https://login.contoso.com/error?code=0"}),
        );
    }
    state.device_code = None;
    let token = state.issue_graph_token(TokenKind::Delegated);
    Response::json(
        200,
        &json!({"token_type": "Bearer", "scope": "https://graph.microsoft.com/.default", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}),
    )
}
