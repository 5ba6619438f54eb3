//! Local fakes of Microsoft Graph v1.0, the Microsoft identity platform's token and
//! device-code endpoints and the Lookout Mobile Risk API v2, each on its own loopback
//! port, serving one tenant (fixtures/export-json-twin by default) for `collect` to
//! read. They check requests as the real services do, record every request, and can
//! be scripted per test: throttling, outages, expiring tokens, missing permissions,
//! malformed or cut-off pages, silence.

pub mod certificate;
pub mod graph;
pub mod http;
pub mod identity;
pub mod lookout;
pub mod odata;
pub mod tenant;

pub use certificate::TestCertificate;
pub use http::{Reply, Request, Response};
pub use tenant::Tenant;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use http::Server;
use serde_json::json;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// The code a person would type at https://microsoft.com/devicelogin.
pub const DEVICE_USER_CODE: &str = "FAKE-7QX4";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Graph,
    Login,
    Lookout,
}

/// One request as a fake received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub service: Service,
    pub request: Request,
    pub at: Instant,
    /// The status the fake answered with (`None`: it did not answer).
    pub status: Option<u16>,
}

impl Recorded {
    pub fn is(&self, service: Service, path_part: &str) -> bool {
        self.service == service
            && self
                .request
                .path
                .to_ascii_lowercase()
                .contains(&path_part.to_ascii_lowercase())
    }
}

/// A scripted answer that replaces the normal one for matching requests.
#[derive(Debug, Clone)]
pub struct Fault {
    service: Service,
    /// Part of the path, without regard to case.
    path_part: String,
    /// Matching requests answered normally before the fault starts.
    after: usize,
    /// How many matching requests it answers; then normal answers resume.
    times: usize,
    reply: Reply,
    seen: usize,
}

impl Fault {
    pub fn new(service: Service, path_part: &str, reply: Reply) -> Fault {
        Fault {
            service,
            path_part: path_part.to_owned(),
            after: 0,
            times: 1,
            reply,
            seen: 0,
        }
    }

    pub fn graph(path_part: &str, reply: Reply) -> Fault {
        Fault::new(Service::Graph, path_part, reply)
    }

    pub fn lookout(path_part: &str, reply: Reply) -> Fault {
        Fault::new(Service::Lookout, path_part, reply)
    }

    pub fn login(path_part: &str, reply: Reply) -> Fault {
        Fault::new(Service::Login, path_part, reply)
    }

    /// Lets `n` matching requests through first.
    pub fn after(mut self, n: usize) -> Fault {
        self.after = n;
        self
    }

    pub fn times(mut self, n: usize) -> Fault {
        self.times = n;
        self
    }

    pub fn always(self) -> Fault {
        self.times(usize::MAX)
    }

    /// The reply for this request, if the fault applies to it.
    fn take(&mut self, service: Service, path: &str) -> Option<Reply> {
        if service != self.service
            || !path
                .to_ascii_lowercase()
                .contains(&self.path_part.to_ascii_lowercase())
        {
            return None;
        }
        self.seen += 1;
        let n = self.seen - 1;
        (n >= self.after && n - self.after < self.times).then(|| self.reply.clone())
    }
}

/// Canned answers, from the published examples (research/17/examples).
pub mod replies {
    use super::{graph, lookout, Reply};

    /// 429 with `Retry-After` (Graph's TooManyRequests body and headers).
    pub fn graph_throttled(retry_after: u32) -> Reply {
        Reply::Send(
            graph::error(429, "TooManyRequests", "Too many requests from Identifier:West Europe under category:throttle.aad.ags.subscriptionservice.dc.list. Please try again later.")
                .with_header("Retry-After", &retry_after.to_string()),
        )
    }

    /// 503 serviceNotAvailable, without `Retry-After` unless given.
    pub fn graph_unavailable(retry_after: Option<u32>) -> Reply {
        let r = graph::error(503, "serviceNotAvailable", "The service is not available. Try the request again after a delay. There may be a Retry-After header.");
        Reply::Send(match retry_after {
            Some(s) => r.with_header("Retry-After", &s.to_string()),
            None => r,
        })
    }

    /// 403 from an Entra ID (directory) endpoint: the code says nothing of which
    /// permission is missing.
    pub fn graph_directory_denied() -> Reply {
        Reply::Send(graph::error(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ))
    }

    /// 403 from an Intune endpoint: the message is itself JSON naming the scopes.
    pub fn graph_intune_denied(scopes: &str) -> Reply {
        let inner = serde_json::json!({
            "_version": 3,
            "Message": format!("Application is not authorized to perform this operation. Application must have one of the following scopes: {scopes} - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: 5c977c7f-ae03-4be0-82c2-408eafb65caf - Url: https://fef.msub05.manage.microsoft.com/DeviceFE/StatelessDeviceFEService/deviceManagement/managedDevices?api-version=2024-01-01"),
            "CustomApiErrorPhrase": "",
            "RetryAfter": null,
            "ErrorSourceService": "",
            "HttpHeaders": "{}"
        });
        Reply::Send(graph::error(403, "Forbidden", &inner.to_string()))
    }

    /// A 200 whose body is the garbled page reported for directoryAudits
    /// (microsoftgraph/microsoft-graph-docs#3648), verbatim.
    pub fn graph_malformed_page() -> Reply {
        let body = "{\"id\":\"Sync_HM0PK_XXXXX\"{\n  \"error\": {\n    \"code\": \"BadRequest\",\n    \"message\": \"The property 'category[Nullable=False]' of type 'Edm.String' has a null value, which is not allowed.\",\n    \"innerError\": {\n      \"request-id\": \"08732999-580d-4632-ab23-5a2d533078f1\",\n      \"date\": \"2018-12-17T03:24:44\"\n    }\n  }\n";
        Reply::Send(super::Response::raw(200, "application/json", body))
    }

    /// The Lookout API's 429 (whether it sends Retry-After is unconfirmed: this one does).
    pub fn lookout_throttled(retry_after: u32) -> Reply {
        Reply::Send(
            lookout::error(429, "TOO_MANY_REQUESTS", "Rate limit exceeded")
                .with_header("Retry-After", &retry_after.to_string()),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Client credentials: app-only.
    App,
    /// Device code: a person's.
    Delegated,
    Lookout,
}

#[derive(Debug)]
struct Issued {
    token: String,
    kind: TokenKind,
    /// Requests it may still authorise (`None`: any number).
    uses_left: Option<usize>,
}

#[derive(Debug)]
pub struct DeviceCodeGrant {
    pub device_code: String,
    pub pending_left: usize,
}

/// The secrets the tool is given.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub certificate: Option<TestCertificate>,
    pub lookout_key: String,
}

/// Knobs of a run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The most items Graph puts on one page, whatever `$top` asks.
    pub graph_page_size: usize,
    /// Every Graph listing starts with an empty page carrying a nextLink (legal:
    /// "a page of results may contain zero or more results").
    pub graph_empty_first_pages: bool,
    /// The first Graph token stops working after this many Graph requests.
    pub graph_token_uses: Option<usize>,
    /// The first Lookout token stops working after this many device pages.
    pub lookout_token_uses: Option<usize>,
    pub device_code_pending: usize,
    pub device_code_interval: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            graph_page_size: 100,
            graph_empty_first_pages: false,
            graph_token_uses: None,
            lookout_token_uses: None,
            device_code_pending: 1,
            device_code_interval: 1,
        }
    }
}

pub struct Origins {
    pub graph: String,
    pub login: String,
    pub lookout: String,
}

/// Everything the three fakes share.
pub struct State {
    pub tenant: Tenant,
    pub credentials: Credentials,
    pub options: Options,
    pub origins: Origins,
    faults: Vec<Fault>,
    log: Vec<Recorded>,
    tokens: Vec<Issued>,
    pub device_code: Option<DeviceCodeGrant>,
    pub assertion_ids: Vec<String>,
}

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).unwrap();
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

impl State {
    /// A JWT-shaped access token, as Entra issues them (a tool may read its claims).
    pub fn issue_graph_token(&mut self, kind: TokenKind) -> String {
        let now = chrono::Utc::now().timestamp();
        let mut claims = json!({
            "aud": format!("{}/", self.origins.graph),
            "iss": format!("https://sts.windows.net/{}/", self.tenant.id),
            "iat": now, "nbf": now, "exp": now + 3599,
            "appid": self.credentials.client_id,
            "tid": self.tenant.id,
            "uti": random_hex(8),
            "ver": "1.0",
        });
        if kind == TokenKind::App {
            claims["idtyp"] = json!("app");
            claims["roles"] = json!([
                "DeviceManagementManagedDevices.Read.All",
                "DeviceManagementServiceConfig.Read.All",
                "AuditLog.Read.All",
                "Directory.Read.All"
            ]);
        } else {
            claims["idtyp"] = json!("user");
            claims["scp"] = json!("DeviceManagementManagedDevices.Read.All DeviceManagementServiceConfig.Read.All AuditLog.Read.All Directory.Read.All");
            claims["upn"] = json!("megan.bowen@contoso.com");
        }
        let token = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"RS256","kid":"fake-graph"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string().as_bytes()),
            URL_SAFE_NO_PAD.encode(random_hex(64).as_bytes())
        );
        let first = !self.tokens.iter().any(|t| t.kind != TokenKind::Lookout);
        self.tokens.push(Issued {
            token: token.clone(),
            kind,
            uses_left: self.options.graph_token_uses.filter(|_| first),
        });
        token
    }

    pub fn issue_lookout_token(&mut self) -> String {
        let token = format!(
            "eyJraWQiOiJmYWtlIiwiYWxnIjoiUlMyNTYifQ.{}.{}",
            random_hex(24),
            random_hex(32)
        );
        let first = !self.tokens.iter().any(|t| t.kind == TokenKind::Lookout);
        self.tokens.push(Issued {
            token: token.clone(),
            kind: TokenKind::Lookout,
            uses_left: self.options.lookout_token_uses.filter(|_| first),
        });
        token
    }

    /// Spends one use of a token: `None` if this fake never issued it (for that
    /// service), `Some(false)` if it has expired.
    pub fn use_token(&mut self, service: TokenKind, token: &str) -> Option<bool> {
        let issued = self.tokens.iter_mut().find(|t| {
            t.token == token && ((service == TokenKind::Lookout) == (t.kind == TokenKind::Lookout))
        })?;
        Some(match issued.uses_left.as_mut() {
            None => true,
            Some(0) => false,
            Some(n) => {
                *n -= 1;
                true
            }
        })
    }

    /// Graph's answer to a missing, foreign or expired bearer token.
    pub fn check_graph_token(&mut self, req: &Request) -> Result<(), Response> {
        let Some(token) = req.bearer() else {
            return Err(graph::error(
                401,
                "InvalidAuthenticationToken",
                "Access token is empty.",
            ));
        };
        match self.use_token(TokenKind::App, token) {
            Some(true) => Ok(()),
            Some(false) => Err(graph::error(
                401,
                "InvalidAuthenticationToken",
                "Access token has expired or is not yet valid.",
            )),
            None => Err(graph::error(
                401,
                "InvalidAuthenticationToken",
                "IDX14100: JWT is not well formed, there are no dots (.).",
            )),
        }
    }

    fn handle(&mut self, service: Service, req: &Request) -> Reply {
        let scripted = self
            .faults
            .iter_mut()
            .find_map(|f| f.take(service, &req.path));
        let reply = scripted.unwrap_or_else(|| {
            Reply::Send(match service {
                Service::Graph => graph::handle(self, req),
                Service::Login => identity::handle(self, req),
                Service::Lookout => lookout::handle(self, req),
            })
        });
        let status = match &reply {
            Reply::Send(r) => Some(r.status),
            _ => None,
        };
        self.log.push(Recorded {
            service,
            request: req.clone(),
            at: Instant::now(),
            status,
        });
        reply
    }
}

/// An HTTP CONNECT proxy that lets nothing through and remembers where each
/// connection was headed: with `HTTPS_PROXY` pointing at it, a run that would reach a
/// real cloud host names that host here instead, with no network involved.
pub struct Proxy {
    server: Server,
    targets: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    pub fn start() -> Proxy {
        let targets = Arc::new(Mutex::new(Vec::new()));
        let log = targets.clone();
        let server = Server::serve(
            Server::bind(),
            Arc::new(move |req: &Request| {
                log.lock()
                    .unwrap()
                    .push(format!("{} {}", req.method, req.target));
                Reply::Send(Response::raw(
                    403,
                    "text/plain",
                    "refused by the test proxy",
                ))
            }),
        );
        Proxy { server, targets }
    }

    pub fn origin(&self) -> String {
        self.server.origin()
    }

    /// `CONNECT host:port` (or `METHOD url`) of each request, in order.
    pub fn targets(&self) -> Vec<String> {
        self.targets.lock().unwrap().clone()
    }
}

/// The three fakes, running until dropped.
pub struct Fakes {
    state: Arc<Mutex<State>>,
    // Held for their Drop, which stops them.
    _servers: Vec<Server>,
    pub graph_url: String,
    pub login_url: String,
    pub lookout_url: String,
}

impl Fakes {
    /// The twin tenant with a client secret.
    pub fn start() -> Fakes {
        Fakes::with(Tenant::twin(), Options::default())
    }

    pub fn with(tenant: Tenant, options: Options) -> Fakes {
        let (graph, login, lookout) = (Server::bind(), Server::bind(), Server::bind());
        let origin = |l: &std::net::TcpListener| format!("http://{}", l.local_addr().unwrap());
        let origins = Origins {
            graph: origin(&graph),
            login: origin(&login),
            lookout: origin(&lookout),
        };
        // Secrets unique to the run, so that finding one in an output cannot be chance.
        let credentials = Credentials {
            tenant_id: tenant.id.clone(),
            client_id: "5f0e2f43-6c5b-4d8e-9a71-0c3b2d1e4f56".into(),
            client_secret: Some(format!("Qx8~secret.{}", random_hex(16))),
            certificate: None,
            lookout_key: format!("lk-appkey-{}", random_hex(24)),
        };
        let state = Arc::new(Mutex::new(State {
            tenant,
            credentials,
            options,
            origins,
            faults: Vec::new(),
            log: Vec::new(),
            tokens: Vec::new(),
            device_code: None,
            assertion_ids: Vec::new(),
        }));
        let serve = |listener, service| {
            let state = state.clone();
            Server::serve(
                listener,
                Arc::new(move |req: &Request| state.lock().unwrap().handle(service, req)),
            )
        };
        let s = state.lock().unwrap();
        let (graph_url, login_url, lookout_url) = (
            s.origins.graph.clone(),
            s.origins.login.clone(),
            s.origins.lookout.clone(),
        );
        drop(s);
        Fakes {
            _servers: vec![
                serve(graph, Service::Graph),
                serve(login, Service::Login),
                serve(lookout, Service::Lookout),
            ],
            state,
            graph_url,
            login_url,
            lookout_url,
        }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    pub fn fail(&self, fault: Fault) -> &Fakes {
        self.state().faults.push(fault);
        self
    }

    /// Authenticates with the test certificate instead of a secret.
    pub fn use_certificate(&self, cert: TestCertificate) {
        let mut s = self.state();
        s.credentials.client_secret = None;
        s.credentials.certificate = Some(cert);
    }

    /// A person signs in with a device code: no secret, no certificate.
    pub fn use_device_code(&self) {
        let mut s = self.state();
        s.credentials.client_secret = None;
        s.credentials.certificate = None;
    }

    pub fn credentials(&self) -> Credentials {
        self.state().credentials.clone()
    }

    /// Every request so far, in order of answer.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state().log.clone()
    }

    /// Requests to one service whose path holds `path_part`.
    pub fn requests_to(&self, service: Service, path_part: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.is(service, path_part))
            .collect()
    }

    /// Every access token the fakes issued.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state()
            .tokens
            .iter()
            .map(|t| t.token.clone())
            .collect()
    }

    /// The secrets that must never appear in any output: the client secret, the
    /// Lookout application key, every access token issued, the certificate's key.
    pub fn secrets(&self) -> Vec<String> {
        let c = self.credentials();
        let mut secrets: Vec<String> = c.client_secret.into_iter().chain([c.lookout_key]).collect();
        secrets.extend(self.issued_tokens());
        // A token's signature alone would give it away as well.
        secrets.extend(
            self.issued_tokens()
                .iter()
                .filter_map(|t| t.rsplit('.').next().map(str::to_owned)),
        );
        secrets.extend(c.certificate.into_iter().flat_map(|c| c.key_lines));
        secrets
    }

    /// The environment the tool reads its credentials from, as the Azure SDKs name it.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let c = self.credentials();
        let mut env = vec![
            ("AZURE_TENANT_ID", c.tenant_id),
            ("AZURE_CLIENT_ID", c.client_id),
            ("LOOKOUT_APPLICATION_KEY", c.lookout_key),
        ];
        if let Some(secret) = c.client_secret {
            env.push(("AZURE_CLIENT_SECRET", secret));
        }
        if let Some(cert) = c.certificate {
            env.push((
                "AZURE_CLIENT_CERTIFICATE_PATH",
                cert.path.display().to_string(),
            ));
        }
        env
    }

    /// `--graph-url`, `--login-url`, `--lookout-url` pointing at the fakes.
    pub fn url_args(&self) -> Vec<String> {
        vec![
            "--graph-url".into(),
            self.graph_url.clone(),
            "--login-url".into(),
            self.login_url.clone(),
            "--lookout-url".into(),
            self.lookout_url.clone(),
        ]
    }
}
