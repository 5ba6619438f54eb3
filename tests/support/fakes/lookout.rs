//! The Lookout Mobile Risk API v2: `POST /oauth2/token` (the application key as a
//! bearer credential, `grant_type=client_credentials`) and `GET /mra/api/v2/devices`
//! paged by `limit` (at most 1000) and the `oid` of the last device seen, `count`
//! being the fleet total (research/17 §4; research/14/2-lookout-mra).

use super::http::{Request, Response};
use super::{State, TokenKind};
use serde_json::json;

/// The Mobile Risk API's error body (its v1 schema; v2 has published none).
pub fn error(status: u16, code: &str, message: &str) -> Response {
    Response::json(
        status,
        &json!({"type": "Error", "statusCode": status, "errorCode": code, "message": message,
                "requestId": "497a5de3-1a85-4a7c-9ac3-e81098e4fd82"}),
    )
}

/// The largest page the API serves.
pub const MAX_LIMIT: usize = 1000;
/// The page size without `limit`.
pub const DEFAULT_LIMIT: usize = 100;

pub fn handle(state: &mut State, req: &Request) -> Response {
    match (req.method.as_str(), req.path.as_str()) {
        ("POST", "/oauth2/token") => token(state, req),
        ("GET", "/mra/api/v2/devices") => devices(state, req),
        _ => error(
            404,
            "NOT_FOUND",
            &format!("No route for {} {}", req.method, req.path),
        ),
    }
}

fn token(state: &mut State, req: &Request) -> Response {
    let invalid_client = || {
        Response::json(
            401,
            &json!({"error": "invalid_client", "error_description": "Invalid application key"}),
        )
    };
    if req.bearer() != Some(state.credentials.lookout_key.as_str()) {
        return invalid_client();
    }
    let form = req.header("content-type").is_some_and(|t| {
        t.to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
    });
    if !form || req.form_value("grant_type").as_deref() != Some("client_credentials") {
        return Response::json(
            400,
            &json!({"error": "invalid_request", "error_description": "grant_type must be client_credentials"}),
        );
    }
    let token = state.issue_lookout_token();
    let expires_at = chrono::Utc::now().timestamp_millis() + 7_199_000;
    Response::json(
        200,
        &json!({"access_token": token, "token_type": "Bearer", "expires_at": expires_at, "expires_in": 7199, "scope": ""}),
    )
}

fn devices(state: &mut State, req: &Request) -> Response {
    match req.bearer().map(|t| state.use_token(TokenKind::Lookout, t)) {
        Some(Some(true)) => {}
        Some(Some(false)) => return error(401, "EXPIRED_TOKEN", "Access token expired"),
        _ => return error(401, "INVALID_TOKEN", "Access token is missing or not valid"),
    }
    let limit = match req.query("limit").map(str::parse::<usize>) {
        None => DEFAULT_LIMIT,
        Some(Ok(l)) if (1..=MAX_LIMIT).contains(&l) => l,
        Some(_) => return error(400, "INVALID_PARAMETER", "limit must be between 1 and 1000"),
    };
    let fleet = &state.tenant.lookout_devices;
    let start = match req.query("oid") {
        None => 0,
        Some(after) => match fleet.iter().position(|d| d["oid"] == after) {
            Some(i) => i + 1,
            None => return error(400, "INVALID_PARAMETER", &format!("unknown oid '{after}'")),
        },
    };
    let page: Vec<_> = fleet.iter().skip(start).take(limit).cloned().collect();
    Response::json(200, &json!({"count": fleet.len(), "devices": page}))
}
