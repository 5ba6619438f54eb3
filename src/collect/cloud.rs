//! Where the services are: Microsoft's national clouds (the Graph host, the sign-in
//! authority and the token scope follow the cloud; tokens of one cloud are not
//! accepted by another) and the Lookout API, each overridable with an origin.

use anyhow::Result;
use clap::ValueEnum;
use std::fmt;

/// A Microsoft cloud (learn.microsoft.com/graph/deployments).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Cloud {
    /// The worldwide service, also for Microsoft 365 GCC.
    Global,
    /// US Government L4 (GCC High).
    Usgov,
    /// US Government L5 (DoD).
    UsgovDod,
    /// Microsoft Graph operated by 21Vianet in China.
    China,
}

/// The Lookout Mobile Risk API: one host for every cloud (no government or regional
/// host is published).
pub const LOOKOUT_API: &str = "https://api.lookout.com";

impl Cloud {
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::Usgov => "usgov",
            Cloud::UsgovDod => "usgov-dod",
            Cloud::China => "china",
        }
    }

    pub fn graph(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::Usgov => "https://graph.microsoft.us",
            Cloud::UsgovDod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    pub fn login(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::Usgov | Cloud::UsgovDod => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }

    /// Whether Graph serves `auditLogs/directoryAudits` in this cloud: not in the
    /// one operated by 21Vianet.
    pub fn has_audit_logs(self) -> bool {
        self != Cloud::China
    }
}

/// `scheme://host[:port]`, lower-case, without a trailing slash: what a service's
/// paths are appended to, and what a link must start with to be followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl Origin {
    /// Reads the origin given to `flag`. Plain `http` is refused except on the
    /// loopback interface: a bearer token must not travel in the clear.
    pub fn parse(flag: &str, value: &str) -> Result<Origin> {
        let bad = |why: &str| {
            anyhow::anyhow!(
                "{flag} \"{value}\": {why} (expected an origin such as https://graph.microsoft.com; the tool appends the paths)"
            )
        };
        let trimmed = value.trim();
        let (scheme, rest) = trimmed.split_once("://").ok_or_else(|| bad("not a URL"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(bad("only https is supported"));
        }
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#']) {
            return Err(bad("a path, query or fragment is not allowed"));
        }
        if authority.contains('@') {
            return Err(bad("user names and passwords do not belong in the URL"));
        }
        let (host, port) = split_port(authority).ok_or_else(|| bad("the port is not a number"))?;
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let origin = Origin {
            port: port.filter(|&p| Some(p) != default_port(&scheme)),
            scheme,
            host: host.to_ascii_lowercase(),
        };
        if origin.scheme == "http" && !origin.is_loopback() {
            return Err(bad("plain http is allowed only on the loopback interface"));
        }
        Ok(origin)
    }

    fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// Whether `url` is on this origin (same scheme, host and port).
    pub fn owns(&self, url: &str) -> bool {
        let Some((scheme, rest)) = url.split_once("://") else {
            return false;
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let Some((host, port)) = split_port(authority) else {
            return false;
        };
        let scheme = scheme.to_ascii_lowercase();
        let port = port.filter(|&p| Some(p) != default_port(&scheme));
        !authority.contains('@')
            && scheme == self.scheme
            && host.eq_ignore_ascii_case(&self.host)
            && port == self.port
    }

    /// The origin followed by `path` (which starts with `/`).
    pub fn join(&self, path: &str) -> String {
        format!("{self}{path}")
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    }
}

/// `host[:port]` (an IPv6 host in brackets) into its parts; `None` for a port that
/// is not a number.
fn split_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let colon = if authority.starts_with('[') {
        authority
            .find(']')
            .and_then(|end| authority[end..].find(':').map(|c| end + c))
    } else {
        authority.rfind(':')
    };
    match colon {
        None => Some((authority, None)),
        Some(c) => {
            let port = authority[c + 1..].parse().ok()?;
            Some((&authority[..c], Some(port)))
        }
    }
}

/// The three services of a run.
#[derive(Clone, Debug)]
pub struct Endpoints {
    pub graph: Origin,
    pub login: Origin,
    pub lookout: Origin,
}

impl Endpoints {
    /// The cloud's defaults, each replaced by its flag when given.
    pub fn new(
        cloud: Cloud,
        graph: Option<&str>,
        login: Option<&str>,
        lookout: Option<&str>,
    ) -> Result<Endpoints> {
        let pick = |flag: &str, given: Option<&str>, default: &str| {
            Origin::parse(flag, given.unwrap_or(default))
        };
        Ok(Endpoints {
            graph: pick("--graph-url", graph, cloud.graph())?,
            login: pick("--login-url", login, cloud.login())?,
            lookout: pick("--lookout-url", lookout, LOOKOUT_API)?,
        })
    }

    /// The token scope for Graph: app-only tokens ask for everything consented.
    pub fn graph_scope(&self) -> String {
        format!("{}/.default", self.graph)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_and_checked() {
        let o = Origin::parse("--graph-url", "HTTPS://Graph.Microsoft.com:443/").unwrap();
        assert_eq!(o.to_string(), "https://graph.microsoft.com");
        let local = Origin::parse("--graph-url", "http://127.0.0.1:8080").unwrap();
        assert_eq!(local.join("/v1.0/x"), "http://127.0.0.1:8080/v1.0/x");
        assert!(Origin::parse("--graph-url", "http://[::1]:9").is_ok());
        assert!(Origin::parse("--graph-url", "http://localhost:9").is_ok());
        for bad in [
            "graph.microsoft.com",
            "ftp://graph.microsoft.com",
            "http://graph.microsoft.com",
            "https://graph.microsoft.com/v1.0",
            "https://graph.microsoft.com?x=1",
            "https://user:pw@graph.microsoft.com",
            "https://graph.microsoft.com:port",
            "https://",
        ] {
            let e = Origin::parse("--graph-url", bad).unwrap_err().to_string();
            assert!(e.starts_with("--graph-url"), "{bad}: {e}");
        }
    }

    #[test]
    fn only_links_on_the_origin_are_owned() {
        let o = Origin::parse("--graph-url", "https://graph.microsoft.com").unwrap();
        assert!(o.owns("https://graph.microsoft.com/v1.0/groups?$skiptoken=x"));
        assert!(o.owns("https://GRAPH.microsoft.com:443/v1.0/groups"));
        assert!(!o.owns("http://graph.microsoft.com/v1.0/groups"));
        assert!(!o.owns("https://graph.microsoft.com.evil.example/v1.0"));
        assert!(!o.owns("https://graph.microsoft.com:8443/v1.0"));
        assert!(!o.owns("https://evil.example@graph.microsoft.com/v1.0"));
        assert!(!o.owns("https://graph.microsoft.com@evil.example/v1.0"));
        assert!(!o.owns("/v1.0/groups"));
        let local = Origin::parse("--graph-url", "http://127.0.0.1:8080").unwrap();
        assert!(local.owns("http://127.0.0.1:8080/v1.0/x"));
        assert!(!local.owns("http://127.0.0.1:8081/v1.0/x"));
    }

    #[test]
    fn each_cloud_has_its_hosts_and_flags_win() {
        let e = Endpoints::new(Cloud::UsgovDod, None, None, None).unwrap();
        assert_eq!(e.graph.to_string(), "https://dod-graph.microsoft.us");
        assert_eq!(e.login.to_string(), "https://login.microsoftonline.us");
        assert_eq!(e.lookout.to_string(), LOOKOUT_API);
        assert_eq!(e.graph_scope(), "https://dod-graph.microsoft.us/.default");
        let e = Endpoints::new(
            Cloud::China,
            Some("http://127.0.0.1:1"),
            Some("http://127.0.0.1:2"),
            Some("http://127.0.0.1:3"),
        )
        .unwrap();
        assert_eq!(e.graph_scope(), "http://127.0.0.1:1/.default");
        assert!(!Cloud::China.has_audit_logs());
        assert!(Cloud::Usgov.has_audit_logs());
    }
}
