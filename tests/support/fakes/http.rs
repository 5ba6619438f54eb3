//! A small threaded HTTP/1.1 server on the loopback interface: enough of the protocol
//! for a real HTTP client (keep-alive, Content-Length and chunked request bodies), and
//! the misbehaviours a mock-server crate cannot script easily: a server that accepts
//! and never answers, a body cut off halfway, a connection dropped mid-body.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The request target exactly as sent (path and query, still percent-encoded).
    pub target: String,
    /// The path, percent-decoded.
    pub path: String,
    /// The query parameters, percent-decoded, in order.
    pub query: Vec<(String, String)>,
    /// Header names in lower case, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter; OData system options are matched without regard to case.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as an `application/x-www-form-urlencoded` form.
    pub fn form(&self) -> Vec<(String, String)> {
        parse_query(&String::from_utf8_lossy(&self.body))
    }

    pub fn form_value(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// The token of an `Authorization: Bearer` header.
    pub fn bearer(&self) -> Option<&str> {
        let value = self.header("authorization")?;
        let (scheme, token) = value.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    }
}

/// A complete answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, body: &serde_json::Value) -> Response {
        Response::raw(status, "application/json; charset=utf-8", body.to_string())
    }

    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// What the server does with a request.
#[derive(Debug, Clone)]
pub enum Reply {
    Send(Response),
    /// Read the request, then never answer (until the server is dropped).
    Silent,
    /// Send the status line, the headers with the full Content-Length and half the
    /// body, then stall.
    Stall(Response),
    /// Send the status line, the headers with the full Content-Length and half the
    /// body, then close the connection.
    HangUp(Response),
}

/// Set when the server is dropped: wakes every connection that is waiting.
#[derive(Default)]
struct Closing {
    closed: Mutex<bool>,
    wake: Condvar,
    flag: AtomicBool,
}

impl Closing {
    fn is_closed(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    fn wait(&self) {
        let mut closed = self.closed.lock().unwrap();
        while !*closed {
            closed = self.wake.wait(closed).unwrap();
        }
    }

    fn close(&self) {
        self.flag.store(true, Ordering::SeqCst);
        *self.closed.lock().unwrap() = true;
        self.wake.notify_all();
    }
}

pub type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// A listening server; dropping it stops it and ends every connection it holds.
pub struct Server {
    addr: SocketAddr,
    closing: Arc<Closing>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds a free port on 127.0.0.1 without serving yet, so that every fake knows
    /// the others' addresses before the first request.
    pub fn bind() -> TcpListener {
        TcpListener::bind("127.0.0.1:0").expect("bind a loopback port")
    }

    pub fn serve(listener: TcpListener, handler: Handler) -> Server {
        let addr = listener.local_addr().unwrap();
        let closing = Arc::new(Closing::default());
        let accept = {
            let closing = closing.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if closing.is_closed() {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (handler, closing) = (handler.clone(), closing.clone());
                    std::thread::spawn(move || serve_connection(stream, &handler, &closing));
                }
            })
        };
        Server {
            addr,
            closing,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.closing.close();
        // The accept loop is blocked in accept(): one last connection wakes it.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn serve_connection(mut stream: TcpStream, handler: &Handler, closing: &Closing) {
    // A short read timeout lets an idle keep-alive connection notice the server closing.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buffered = Vec::new();
    while let Some(request) = read_request(&mut stream, &mut buffered, closing) {
        let written = match handler(&request) {
            Reply::Send(response) => write_response(&mut stream, &response, None),
            Reply::Silent => {
                closing.wait();
                break;
            }
            Reply::Stall(response) => {
                let _ = write_response(&mut stream, &response, Some(response.body.len() / 2));
                closing.wait();
                break;
            }
            Reply::HangUp(response) => {
                let _ = write_response(&mut stream, &response, Some(response.body.len() / 2));
                break;
            }
        };
        let close = request
            .header("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"));
        if written.is_err() || close {
            break;
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}

/// Reads more bytes into `buf`; `None` at the end of the stream or when the server closes.
fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>, closing: &Closing) -> Option<()> {
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return Some(());
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if closing.is_closed() {
                    return None;
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads one request; bytes after it stay in `buf` for the next one (pipelining).
fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>, closing: &Closing) -> Option<Request> {
    let head_end = loop {
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i;
        }
        fill(stream, buf, closing)?;
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    buf.drain(..head_end + 4);
    let mut lines = head.split("\r\n");
    let mut parts = lines.next()?.split(' ');
    let (method, target) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let body = if header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        read_chunked(stream, buf, closing)?
    } else {
        let length: usize = header("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        while buf.len() < length {
            fill(stream, buf, closing)?;
        }
        buf.drain(..length).collect()
    };
    let (raw_path, raw_query) = target.split_once('?').unwrap_or((&target, ""));
    Some(Request {
        path: percent_decode(raw_path, false),
        query: parse_query(raw_query),
        method,
        target: target.clone(),
        headers,
        body,
    })
}

fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>, closing: &Closing) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(i) = find(buf, b"\r\n") {
                break i;
            }
            fill(stream, buf, closing)?;
        };
        let size_text = String::from_utf8_lossy(&buf[..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        buf.drain(..line_end + 2);
        while buf.len() < size + 2 {
            fill(stream, buf, closing)?;
        }
        body.extend(buf.drain(..size));
        buf.drain(..2);
        if size == 0 {
            return Some(body);
        }
    }
}

/// Writes a response; with `cut`, only that many body bytes, though the headers
/// announce them all.
fn write_response(stream: &mut TcpStream, r: &Response, cut: Option<usize>) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    for (name, value) in &r.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", r.body.len()));
    stream.write_all(head.as_bytes())?;
    stream.write_all(&r.body[..cut.unwrap_or(r.body.len())])?;
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// `a=1&b=x%20y` into pairs, `+` read as a space (as servers built on ASP.NET do).
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(n, true), percent_decode(v, true))
        })
        .collect()
}

pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(hi), Some(lo)) => {
                        out.push((hi * 16 + lo) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A one-shot client for the fakes' own tests: `Connection: close`, the whole answer.
pub fn call(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (host, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(host).unwrap();
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    stream
        .write_all(format!("{head}\r\n{body}").as_bytes())
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, body.to_owned())
}
