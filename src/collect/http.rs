//! HTTP for `collect`: one `ureq` agent (rustls, no OpenSSL), a timeout per request,
//! no redirects (a bearer token never follows one), statuses left to the caller, and
//! the retry policy every service shares:
//!
//! - 429, 503 and 504, and refused, reset or cut-off connections are retried at most
//!   [`MAX_RETRIES`] times; a request that timed out is retried once (a server that
//!   stays silent for a whole `--timeout` is not worth several more);
//! - the wait is the server's `Retry-After` (seconds or an HTTP date) when it gives
//!   one, else an exponential backoff with jitter;
//! - no single wait exceeds [`MAX_WAIT`] (a longer `Retry-After` gives up at once),
//!   and the whole run waits at most [`RUN_WAIT_BUDGET`];
//! - nothing else is retried here: 400, 403 and 404 are answers, and a 401 is the
//!   caller's to handle with a new token.
//!
//! `--verbose` logs each request: method, URL (query values that could be secret
//! masked), status and duration. Headers and bodies are never logged, and every line
//! passes the run's [`Scrubber`].

use super::progress::{Bar, Board};
use super::secret::{Scrubber, Secret};
use std::cell::Cell;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// `value` percent-encoded but for RFC 3986's unreserved characters, so that nothing
/// in it (a tenant domain, a group id, a paging cursor) can change the path or query
/// it is put in.
pub fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Retries of one request after its first attempt.
pub const MAX_RETRIES: u32 = 3;
/// Retries of one request that timed out.
pub const MAX_TIMEOUT_RETRIES: u32 = 1;
/// The first backoff wait; each retry doubles it.
pub const BACKOFF_BASE: Duration = Duration::from_secs(1);
/// The longest single wait.
pub const MAX_WAIT: Duration = Duration::from_secs(60);
/// The most a run waits in total, over all its requests.
pub const RUN_WAIT_BUDGET: Duration = Duration::from_secs(300);
/// The largest response body read (a Graph page of 999 objects or a Lookout page of
/// 1,000 devices is a few megabytes).
const BODY_LIMIT: u64 = 64 * 1024 * 1024;

/// Query parameters whose values are never shown in a logged URL.
const SECRET_PARAMS: &[&str] = &[
    "access_token",
    "client_secret",
    "client_assertion",
    "code",
    "device_code",
    "key",
    "password",
    "sig",
    "signature",
    "token",
];

/// How a request is sent.
pub enum Method<'a> {
    Get,
    /// `application/x-www-form-urlencoded`; values may be secrets, and are never logged.
    PostForm(&'a [(&'a str, &'a str)]),
}

/// One request. Not `Debug`: it may carry a secret.
pub struct Request<'a> {
    pub method: Method<'a>,
    pub url: &'a str,
    /// Sent as `Authorization: Bearer ...`.
    pub bearer: Option<&'a Secret>,
    /// The endpoint's progress line, which shows waits.
    pub bar: Option<&'a Bar>,
}

impl<'a> Request<'a> {
    pub fn get(url: &'a str, bearer: &'a Secret) -> Request<'a> {
        Request {
            method: Method::Get,
            url,
            bearer: Some(bearer),
            bar: None,
        }
    }

    pub fn post_form(url: &'a str, form: &'a [(&'a str, &'a str)]) -> Request<'a> {
        Request {
            method: Method::PostForm(form),
            url,
            bearer: None,
            bar: None,
        }
    }

    /// Shows the request's waits on `bar`.
    pub fn on(mut self, bar: Option<&'a Bar>) -> Request<'a> {
        self.bar = bar;
        self
    }

    fn method_name(&self) -> &'static str {
        match self.method {
            Method::Get => "GET",
            Method::PostForm(_) => "POST",
        }
    }
}

/// A response, whatever its status.
#[derive(Debug)]
pub struct Exchange {
    pub status: u16,
    /// `request-id` (Graph), else `client-request-id`, `x-ms-request-id` or
    /// `x-request-id`: what the service's support asks for.
    pub request_id: Option<String>,
    pub body: Vec<u8>,
    /// Attempts made, the last one included.
    pub attempts: u32,
    /// Why retrying stopped early, when it did (a `Retry-After` too long, the run's
    /// waiting budget spent).
    pub gave_up: Option<String>,
}

impl Exchange {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// What the retries came to, for an error message: "" after one attempt.
    pub fn retry_note(&self) -> String {
        retry_note(self.attempts, self.gave_up.as_deref())
    }
}

/// No response at all.
#[derive(Debug)]
pub struct TransportError {
    pub what: String,
    pub attempts: u32,
    pub gave_up: Option<String>,
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{}",
            self.what,
            retry_note(self.attempts, self.gave_up.as_deref())
        )
    }
}

fn retry_note(attempts: u32, gave_up: Option<&str>) -> String {
    match (attempts, gave_up) {
        (_, Some(why)) => format!(" ({why})"),
        (0 | 1, None) => String::new(),
        (n, None) => format!(" (after {n} attempts)"),
    }
}

/// The run's HTTP client.
pub struct Http {
    agent: ureq::Agent,
    timeout: Duration,
    verbose: bool,
    board: Board,
    scrubber: Scrubber,
    waited: Cell<Duration>,
    requests: Cell<usize>,
}

impl Http {
    pub fn new(timeout: Duration, verbose: bool, board: Board, scrubber: Scrubber) -> Http {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .user_agent(format!("lookout-doctor/{}", env!("CARGO_PKG_VERSION")))
            .build();
        Http {
            agent: config.into(),
            timeout,
            verbose,
            board,
            scrubber,
            waited: Cell::new(Duration::ZERO),
            requests: Cell::new(0),
        }
    }

    pub fn scrubber(&self) -> &Scrubber {
        &self.scrubber
    }

    pub fn board(&self) -> &Board {
        &self.board
    }

    /// Requests sent so far, retries included.
    pub fn requests(&self) -> usize {
        self.requests.get()
    }

    /// Sends `req` under the retry policy. A status is never an error here; the
    /// last response is returned when the retries run out.
    pub fn send(&self, req: &Request) -> Result<Exchange, TransportError> {
        let mut retries = 0;
        loop {
            let outcome = self.once(req);
            let wait = match &outcome {
                Ok(ex) if is_throttled(ex.status) => Some(match &ex.retry_after {
                    Some(value) => match parse_retry_after(value, chrono::Utc::now()) {
                        Some(d) => Wait::Asked(d),
                        None => Wait::Backoff(backoff(retries, jitter())),
                    },
                    None => Wait::Backoff(backoff(retries, jitter())),
                }),
                Err(f) if f.retry != Retry::No => Some(Wait::Backoff(backoff(retries, jitter()))),
                _ => None,
            };
            let attempts = retries + 1;
            let Some(wait) = wait else {
                return finish(outcome, attempts, None);
            };
            let limit = match &outcome {
                Err(f) if f.retry == Retry::Once => MAX_TIMEOUT_RETRIES,
                _ => MAX_RETRIES,
            };
            if retries >= limit {
                return finish(outcome, attempts, None);
            }
            let d = wait.duration();
            let gave_up = if matches!(wait, Wait::Asked(_)) && d > MAX_WAIT {
                Some(format!(
                    "the service asked to retry after {} s, longer than collect waits ({} s)",
                    d.as_secs(),
                    MAX_WAIT.as_secs()
                ))
            } else if self.waited.get() + d > RUN_WAIT_BUDGET {
                Some(format!(
                    "gave up after {attempts} attempts: the run already waited {} s for throttled or unavailable services",
                    self.waited.get().as_secs()
                ))
            } else {
                None
            };
            if gave_up.is_some() {
                return finish(outcome, attempts, gave_up);
            }
            let why = match wait {
                Wait::Asked(_) => "Retry-After",
                Wait::Backoff(_) => "backoff",
            };
            if let Some(bar) = req.bar {
                bar.waiting(&format!("waiting {} s ({why})", d.as_secs_f32().ceil()));
            }
            if self.verbose {
                self.log(&format!(
                    "  retrying in {:.1} s ({why}), retry {} of {limit}",
                    d.as_secs_f32(),
                    retries + 1
                ));
            }
            std::thread::sleep(d);
            self.waited.set(self.waited.get() + d);
            retries += 1;
        }
    }

    /// One attempt, logged when verbose.
    fn once(&self, req: &Request) -> Result<Attempt, Failure> {
        self.requests.set(self.requests.get() + 1);
        let started = Instant::now();
        let result = self.exchange(req);
        if self.verbose {
            let outcome = match &result {
                Ok(a) => a.status.to_string(),
                Err(f) => format!("failed: {}", f.what),
            };
            self.log(&format!(
                "{} {} -> {outcome} ({} ms)",
                req.method_name(),
                loggable_url(req.url),
                started.elapsed().as_millis()
            ));
        }
        result
    }

    fn exchange(&self, req: &Request) -> Result<Attempt, Failure> {
        let bearer = req.bearer.map(|t| format!("Bearer {}", t.expose()));
        let sent = match req.method {
            Method::Get => {
                let mut b = self.agent.get(req.url).header("Accept", "application/json");
                if let Some(auth) = &bearer {
                    b = b.header("Authorization", auth);
                }
                b.call()
            }
            Method::PostForm(form) => {
                let mut b = self
                    .agent
                    .post(req.url)
                    .header("Accept", "application/json");
                if let Some(auth) = &bearer {
                    b = b.header("Authorization", auth);
                }
                b.send_form(form.iter().copied())
            }
        };
        let mut response = sent.map_err(|e| self.failure(&e))?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let status = response.status().as_u16();
        let retry_after = header("retry-after");
        let request_id = [
            "request-id",
            "client-request-id",
            "x-ms-request-id",
            "x-request-id",
        ]
        .into_iter()
        .find_map(header);
        let body = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_vec()
            .map_err(|e| self.failure(&e))?;
        Ok(Attempt {
            status,
            retry_after,
            request_id,
            body,
        })
    }

    fn failure(&self, e: &ureq::Error) -> Failure {
        use std::io::ErrorKind;
        let (what, retry) = match e {
            ureq::Error::Timeout(_) => (
                format!(
                    "no complete answer within {} s (timeout, --timeout)",
                    self.timeout.as_secs()
                ),
                Retry::Once,
            ),
            ureq::Error::Io(io) => (
                match io.kind() {
                    ErrorKind::ConnectionRefused => "connection refused".to_owned(),
                    ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => {
                        "the connection was reset".to_owned()
                    }
                    ErrorKind::UnexpectedEof => {
                        "the connection closed before the response was complete".to_owned()
                    }
                    _ => format!("network error: {io}"),
                },
                Retry::Yes,
            ),
            ureq::Error::ConnectionFailed => ("the connection failed".to_owned(), Retry::Yes),
            ureq::Error::Protocol(p) => (format!("malformed HTTP response: {p}"), Retry::Yes),
            ureq::Error::HostNotFound => ("host not found".to_owned(), Retry::No),
            ureq::Error::BodyExceedsLimit(_) => (
                format!(
                    "the response is larger than {} MB",
                    BODY_LIMIT / 1024 / 1024
                ),
                Retry::No,
            ),
            // A proxy that refuses the tunnel, TLS, a bad URL: asking again changes nothing.
            other => (other.to_string(), Retry::No),
        };
        Failure {
            what: self.scrubber.scrub(&what),
            retry,
        }
    }

    /// A line on stderr (above the bars), with secrets masked.
    pub fn log(&self, line: &str) {
        self.board.println(&self.scrubber.scrub(line));
    }
}

/// One attempt's response.
struct Attempt {
    status: u16,
    retry_after: Option<String>,
    request_id: Option<String>,
    body: Vec<u8>,
}

/// One attempt without a response.
struct Failure {
    what: String,
    retry: Retry,
}

/// Whether a failed attempt is worth another.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Retry {
    No,
    /// A timeout: once.
    Once,
    /// Up to [`MAX_RETRIES`] times.
    Yes,
}

enum Wait {
    Asked(Duration),
    Backoff(Duration),
}

impl Wait {
    fn duration(&self) -> Duration {
        match self {
            Wait::Asked(d) | Wait::Backoff(d) => *d,
        }
    }
}

fn finish(
    outcome: Result<Attempt, Failure>,
    attempts: u32,
    gave_up: Option<String>,
) -> Result<Exchange, TransportError> {
    match outcome {
        Ok(a) => Ok(Exchange {
            status: a.status,
            request_id: a.request_id,
            body: a.body,
            attempts,
            gave_up,
        }),
        Err(f) => Err(TransportError {
            what: f.what,
            attempts,
            gave_up,
        }),
    }
}

/// Statuses that mean "later": throttled, unavailable, or a gateway that gave up.
pub fn is_throttled(status: u16) -> bool {
    matches!(status, 429 | 503 | 504)
}

/// A `Retry-After` value: delay-seconds, or an HTTP date (RFC 9110 10.2.3), as a
/// wait from `now`. A date in the past is no wait; anything else is not understood.
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    // IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") is an RFC 2822 date.
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

/// The wait before retry `retry` (0 for the first) when the server names none:
/// 1 s, 2 s, 4 s, ... plus up to a quarter more at random (`jitter` in [0, 1)), so
/// that parallel clients do not come back in step; never more than [`MAX_WAIT`].
pub fn backoff(retry: u32, jitter: f64) -> Duration {
    let base = BACKOFF_BASE.saturating_mul(1 << retry.min(16));
    let spread = base.mul_f64(jitter.clamp(0.0, 1.0) / 4.0);
    (base + spread).min(MAX_WAIT)
}

/// A random number in [0, 1).
fn jitter() -> f64 {
    getrandom::u32().map_or(0.5, |r| f64::from(r) / (f64::from(u32::MAX) + 1.0))
}

/// `url` as logged: the values of query parameters that could hold a secret masked.
pub fn loggable_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let params: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if SECRET_PARAMS.iter().any(|s| k.eq_ignore_ascii_case(s)) => {
                format!("{k}={}", super::secret::MASK)
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", params.join("&"))
}

/// At most `max` requests in any `window`: how long to wait before the next one.
/// (Graph's audit-log reports allow 5 requests per 10 s; Lookout's API 100 a minute.)
pub struct RateLimit {
    max: usize,
    window: Duration,
    sent: VecDeque<Instant>,
}

impl RateLimit {
    pub fn new(max: usize, window: Duration) -> RateLimit {
        RateLimit {
            max: max.max(1),
            window,
            sent: VecDeque::new(),
        }
    }

    /// The wait before a request at `now` (zero when the window has room).
    pub fn delay(&mut self, now: Instant) -> Duration {
        while self
            .sent
            .front()
            .is_some_and(|&t| now.duration_since(t) >= self.window)
        {
            self.sent.pop_front();
        }
        if self.sent.len() < self.max {
            return Duration::ZERO;
        }
        let oldest = self.sent[0];
        (oldest + self.window).saturating_duration_since(now)
    }

    /// Records a request sent at `now`.
    pub fn record(&mut self, now: Instant) {
        self.sent.push_back(now);
    }

    /// Waits for room, then records the request.
    pub fn pace(&mut self) {
        let d = self.delay(Instant::now());
        if !d.is_zero() {
            std::thread::sleep(d);
        }
        self.record(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
            .unwrap();
        assert_eq!(parse_retry_after("5", now), Some(Duration::from_secs(5)));
        assert_eq!(
            parse_retry_after(" 41 ", now),
            Some(Duration::from_secs(41))
        );
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Fri, 20 Nov 2026 12:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Fri, 20 Nov 2026 11:59:00 GMT", now),
            Some(Duration::ZERO)
        );
        for bad in ["", "-1", "1.5", "soon", "2026-11-20T12:00:30Z"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter_and_a_cap() {
        for retry in 0..6 {
            let low = backoff(retry, 0.0);
            let high = backoff(retry, 0.999_999);
            let base = Duration::from_secs(1 << retry);
            assert_eq!(low, base.min(MAX_WAIT));
            assert!(high >= low && high <= base.mul_f64(1.25).min(MAX_WAIT));
        }
        assert_eq!(backoff(3, 0.5), Duration::from_millis(9000));
        assert_eq!(backoff(40, 1.0), MAX_WAIT);
        // The whole default retry sequence stays well inside one run's budget.
        let worst: Duration = (0..MAX_RETRIES).map(|r| backoff(r, 1.0)).sum();
        assert!(worst < RUN_WAIT_BUDGET / 10);
    }

    #[test]
    fn only_throttling_and_unavailability_are_retried() {
        for s in [429, 503, 504] {
            assert!(is_throttled(s));
        }
        for s in [200, 400, 401, 403, 404, 500, 502] {
            assert!(!is_throttled(s));
        }
    }

    #[test]
    fn secret_query_values_are_masked_in_logs() {
        assert_eq!(
            loggable_url("https://h/p?$filter=x&code=abc&Access_Token=t&limit=5"),
            "https://h/p?$filter=x&code=***&Access_Token=***&limit=5"
        );
        assert_eq!(loggable_url("https://h/p"), "https://h/p");
    }

    #[test]
    fn rate_limit_spaces_requests_over_the_window() {
        let mut rl = RateLimit::new(2, Duration::from_secs(10));
        let t0 = Instant::now();
        assert_eq!(rl.delay(t0), Duration::ZERO);
        rl.record(t0);
        rl.record(t0 + Duration::from_secs(1));
        assert_eq!(
            rl.delay(t0 + Duration::from_secs(2)),
            Duration::from_secs(8)
        );
        assert_eq!(rl.delay(t0 + Duration::from_secs(10)), Duration::ZERO);
        rl.record(t0 + Duration::from_secs(10));
        assert_eq!(
            rl.delay(t0 + Duration::from_secs(10)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn retry_notes_say_what_the_retries_came_to() {
        assert_eq!(retry_note(1, None), "");
        assert_eq!(retry_note(4, None), " (after 4 attempts)");
        assert_eq!(retry_note(2, Some("why")), " (why)");
    }
}
