//! `lookout-doctor collect DIR`: a complete snapshot folder straight from the
//! sources (SPEC 8), so that nothing but `lookout.json` is exported by hand.
//!
//! The run signs in to Microsoft Graph ([`entra`]) and to the Lookout API
//! ([`lookout`]) first, so a credential problem is said before anything is read;
//! then reads Graph ([`tenant`]) and the Lookout device list into a staging folder
//! beside `DIR`, and renames it into place at the very end ([`write`]). Any failure
//! leaves `DIR` as it was.
//!
//! Secrets (the client secret, the certificate's key, the application key, every
//! token) live in [`secret::Secret`], which never prints; every line written to
//! stderr also passes the run's [`secret::Scrubber`].

pub mod certificate;
pub mod cloud;
pub mod entra;
pub mod graph;
pub mod http;
pub mod lookout;
pub mod progress;
pub mod secret;
pub mod tenant;
pub mod write;

use anyhow::{anyhow, bail, Context as _, Result};
use cloud::{Cloud, Endpoints};
use entra::{Credential, Entra};
use graph::Graph;
use http::Http;
use progress::Board;
use secret::{Scrubber, Secret};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use write::{Staging, Target};

/// What a run is asked to do (the command line).
#[derive(Debug)]
pub struct Settings {
    pub dir: PathBuf,
    pub cloud: Cloud,
    pub endpoints: Endpoints,
    pub since: Since,
    pub all_groups: bool,
    pub no_lookout: bool,
    pub timeout: Duration,
    /// The `exported_at` to record; now when `None`.
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    pub verbose: bool,
}

/// How far back the audit logs are read (`--since`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    Days(u32),
    At(chrono::DateTime<chrono::Utc>),
}

/// The audit-log retention Entra offers at most (P1/P2: 30 days); asking further
/// back is allowed, a year is the sanity bound.
const MAX_SINCE_DAYS: u32 = 366;

impl Since {
    /// `30`, `30d` or an RFC 3339 time.
    pub fn parse(value: &str) -> Result<Since> {
        let v = value.trim();
        let days = v.strip_suffix(['d', 'D']).unwrap_or(v);
        if !days.is_empty() && days.bytes().all(|b| b.is_ascii_digit()) {
            return match days.parse::<u32>() {
                Ok(n) if (1..=MAX_SINCE_DAYS).contains(&n) => Ok(Since::Days(n)),
                _ => bail!("--since \"{value}\": a number of days from 1 to {MAX_SINCE_DAYS}"),
            };
        }
        chrono::DateTime::parse_from_rfc3339(v)
            .map(|t| Since::At(t.with_timezone(&chrono::Utc)))
            .map_err(|_| {
                anyhow!("--since \"{value}\": expected a number of days (30) or an RFC 3339 time (2026-10-21T00:00:00Z)")
            })
    }

    /// The instant, counted back from the export's.
    pub fn resolve(
        self,
        exported_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<chrono::DateTime<chrono::Utc>> {
        match self {
            Since::Days(n) => Ok(exported_at - chrono::Duration::days(i64::from(n))),
            Since::At(t) if t > exported_at => bail!(
                "--since {} is after the time of the export ({})",
                rfc3339(t),
                rfc3339(exported_at)
            ),
            Since::At(t) => Ok(t),
        }
    }
}

/// `2026-11-20T12:00:00Z` (fractions of a second only when there are some).
pub fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// The credentials, from the environment variables the Azure SDKs read.
pub struct Credentials {
    pub tenant: String,
    pub client_id: String,
    pub credential: Credential,
    /// `None` with `--no-lookout`.
    pub lookout_key: Option<Secret>,
}

impl Credentials {
    /// Reads the credentials through `var` (the environment); a person signs in with
    /// a device code when asked to, or when nothing else is given and `terminal`.
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
        device_code: bool,
        terminal: bool,
        no_lookout: bool,
    ) -> Result<Credentials> {
        let var = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let lookout_key = if no_lookout {
            None
        } else {
            Some(Secret::new(var("LOOKOUT_APPLICATION_KEY").ok_or_else(|| {
                anyhow!("LOOKOUT_APPLICATION_KEY is not set: give the Lookout application key (Lookout console, System > Application Keys), or pass --no-lookout to leave the Lookout device list out")
            })?))
        };
        let client_id = var("AZURE_CLIENT_ID").ok_or_else(|| {
            anyhow!("AZURE_CLIENT_ID is not set: give the Application (client) ID of the app registration lookout-doctor signs in with (README: \"Collecting from the sources\")")
        })?;
        if var("AZURE_CLIENT_CERTIFICATE_PASSWORD").is_some() {
            bail!("AZURE_CLIENT_CERTIFICATE_PASSWORD is set, but a password-protected certificate is not supported: give an unencrypted PEM file with the certificate and its key in AZURE_CLIENT_CERTIFICATE_PATH, and unset the password");
        }
        let credential = match (var("AZURE_CLIENT_SECRET"), var("AZURE_CLIENT_CERTIFICATE_PATH")) {
            _ if device_code => Credential::DeviceCode,
            (Some(secret), _) => Credential::Secret(Secret::new(secret)),
            (None, Some(path)) => {
                Credential::Certificate(Box::new(certificate::Certificate::load(Path::new(&path))?))
            }
            (None, None) if terminal => Credential::DeviceCode,
            (None, None) => bail!(
                "neither AZURE_CLIENT_SECRET nor AZURE_CLIENT_CERTIFICATE_PATH is set: give one for the app registration, or pass --device-code to sign in as a person"
            ),
        };
        let tenant = match (var("AZURE_TENANT_ID"), &credential) {
            (Some(t), _) => t,
            // A person's account says which tenant it belongs to.
            (None, Credential::DeviceCode) => "organizations".to_owned(),
            (None, _) => bail!("AZURE_TENANT_ID is not set: give the Directory (tenant) ID of the tenant to collect"),
        };
        Ok(Credentials {
            tenant,
            client_id,
            credential,
            lookout_key,
        })
    }

    /// Registers every secret held with `scrubber`.
    pub fn register(&self, scrubber: &Scrubber) {
        if let Credential::Secret(s) = &self.credential {
            scrubber.register(s);
        }
        if let Some(k) = &self.lookout_key {
            scrubber.register(k);
        }
    }
}

/// What a run wrote, for the summary line.
#[derive(Debug)]
pub struct Summary {
    pub dir: PathBuf,
    pub tenant_id: String,
    /// (what, how many), in file order.
    pub counts: Vec<(&'static str, usize)>,
    pub notes: Vec<String>,
    pub requests: usize,
    pub elapsed: Duration,
}

impl Summary {
    /// The one line said at the end.
    pub fn line(&self) -> String {
        let counts: Vec<String> = self
            .counts
            .iter()
            .map(|(what, n)| format!("{n} {what}"))
            .collect();
        let mut line = format!(
            "collected {} (tenant {}): {}; {} requests in {:.1} s",
            self.dir.display(),
            self.tenant_id,
            counts.join(", "),
            self.requests,
            self.elapsed.as_secs_f64()
        );
        for note in &self.notes {
            line.push_str("; ");
            line.push_str(note);
        }
        line
    }
}

/// What the summary line counts, from which file's `records`.
const SUMMARY_COUNTS: [(&str, &str); 6] = [
    ("intune-devices.json", "Intune devices"),
    ("lookout-devices.json", "Lookout devices"),
    ("groups.json", "groups"),
    ("audit-logs.json", "audit records"),
    ("intune-mtd-connector.json", "MTD connectors"),
    ("service-principals.json", "applications"),
];

/// Collects the snapshot folder.
pub fn run(
    settings: &Settings,
    creds: Credentials,
    board: &Board,
    scrubber: &Scrubber,
) -> Result<Summary> {
    let started = Instant::now();
    let target = Target::inspect(&settings.dir)?;
    let plan = match &target.lookout_json {
        Some(path) => plan_from(path, settings.all_groups)?,
        None => Plan {
            groups: tenant::GroupPlan {
                all: settings.all_groups,
                ..Default::default()
            },
            app_id: None,
        },
    };
    let exported_at = settings.as_of.unwrap_or_else(|| {
        let now = chrono::Utc::now();
        chrono::Timelike::with_nanosecond(&now, 0).unwrap_or(now)
    });
    let since = settings.since.resolve(exported_at)?;

    creds.register(scrubber);
    let http = Http::new(
        settings.timeout,
        settings.verbose,
        board.clone(),
        scrubber.clone(),
    );
    let entra = Entra::new(
        settings.endpoints.login.clone(),
        creds.tenant,
        creds.client_id,
        settings.endpoints.graph_scope(),
        creds.credential,
    );
    let mut graph = Graph::new(&http, entra, settings.endpoints.graph.clone());
    graph.sign_in()?;
    let mut lookout = creds
        .lookout_key
        .map(|key| lookout::Lookout::new(&http, settings.endpoints.lookout.clone(), key));
    if let Some(l) = &mut lookout {
        l.sign_in()?;
    }

    let staging = Staging::beside(&settings.dir)?;
    let tenant_id = tenant::tenant_id(&mut graph, board)?;
    let intune = tenant::managed_devices(&mut graph, &staging, board)?;
    let groups = tenant::groups(&mut graph, &staging, board, &plan.groups)?;
    let audit = if settings.cloud.has_audit_logs() {
        tenant::audit_logs(&mut graph, &staging, board, &rfc3339(since))?
    } else {
        skipped(
            "Microsoft Graph does not offer audit logs in the China cloud (operated by 21Vianet)",
        )
    };
    let mtd = tenant::mtd_connectors(&mut graph, &staging, board)?;
    let principals =
        tenant::service_principals(&mut graph, &staging, board, plan.app_id.as_deref())?;
    let lookout_devices = match &mut lookout {
        Some(l) => lookout_devices(l, &staging, board, &settings.endpoints.lookout)?,
        None => skipped("--no-lookout"),
    };

    let carried = staging.carry_over(&settings.dir)?;
    let mut notes = Vec::new();
    let lookout_json = if carried.contains(&"lookout.json") {
        json!({"source": "kept from the folder"})
    } else {
        staging.bytes("lookout.json", lookout_template(&tenant_id).as_bytes())?;
        notes.push("lookout.json was started from the template: fill in its placeholders, then collect again".to_owned());
        json!({"source": "lookout-doctor init's template, with tenant.azure_ad_tenant_id from GET /v1.0/organization; the console settings have no API and are to be filled in by hand"})
    };
    if !settings.cloud.has_audit_logs() {
        notes.push("no audit logs (not available in the China cloud)".to_owned());
    }

    let mut files = Map::new();
    files.insert("lookout.json".into(), lookout_json);
    for (name, source) in [
        ("groups.json", groups),
        ("intune-devices.json", intune),
        ("lookout-devices.json", lookout_devices),
        ("audit-logs.json", audit),
        ("intune-mtd-connector.json", mtd),
        ("service-principals.json", principals),
    ] {
        files.insert(name.into(), Value::Object(source));
    }
    let counts = SUMMARY_COUNTS
        .iter()
        .filter_map(|&(file, what)| {
            let n = files.get(file)?.get("records")?.as_u64()?;
            Some((what, n as usize))
        })
        .collect();
    staging.json(
        "snapshot.json",
        &manifest(exported_at, &tenant_id, settings.cloud, files),
    )?;
    staging.commit(&settings.dir)?;
    Ok(Summary {
        dir: settings.dir.clone(),
        tenant_id,
        counts,
        notes,
        requests: http.requests(),
        elapsed: started.elapsed(),
    })
}

/// `snapshot.json`: the instant and tenant `diagnose` reads, what wrote it, and where
/// each file came from.
fn manifest(
    exported_at: chrono::DateTime<chrono::Utc>,
    tenant_id: &str,
    cloud: Cloud,
    files: Map<String, Value>,
) -> Value {
    json!({
        "exported_at": rfc3339(exported_at),
        "tenant_id": tenant_id,
        "tool": write::TOOL,
        "tool_version": env!("CARGO_PKG_VERSION"),
        "cloud": cloud.name(),
        "files": files,
    })
}

/// `snapshot.json`'s entry for a file not collected, and why.
fn skipped(why: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("skipped".into(), json!(why));
    m
}

/// What `lookout.json` asks to be collected.
#[derive(Debug)]
struct Plan {
    groups: tenant::GroupPlan,
    app_id: Option<String>,
}

/// Reads the folder's `lookout.json` as `diagnose` would (placeholders are unknown).
fn plan_from(path: &Path, all_groups: bool) -> Result<Plan> {
    let text = crate::snapshot::text::read_text(path).map_err(|e| anyhow!("{e}"))?;
    let config = crate::snapshot::lookout_config::read(path, &text)
        .map_err(|e| anyhow!("{e}"))
        .context(
            "collect reads lookout.json to know which groups to collect; fix it or move it away",
        )?
        .records;
    let console = &config.console_access;
    let console_ids = [
        ("full_access_group_id", &console.full_access_group_id),
        (
            "restricted_access_group_id",
            &console.restricted_access_group_id,
        ),
    ]
    .into_iter()
    .filter_map(|(setting, id)| {
        id.as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(|id| (setting, id.to_owned()))
    })
    .collect();
    Ok(Plan {
        groups: tenant::GroupPlan {
            enrollment_names: config
                .enrollment_group_names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            console_ids,
            all: all_groups,
        },
        app_id: config
            .tenant
            .consent
            .app_id
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned),
    })
}

/// `lookout-devices.json`: the API's device objects as they came, `count` = the
/// devices written (the loader checks it against the list).
fn lookout_devices(
    lookout: &mut lookout::Lookout,
    staging: &Staging,
    board: &Board,
    origin: &cloud::Origin,
) -> Result<Map<String, Value>> {
    let bar = board.bar("Lookout devices");
    let mut file = staging.list("lookout-devices.json", "devices")?;
    let list = lookout.devices(Some(&bar), |page| {
        page.iter().try_for_each(|d| file.push(d))
    })?;
    let written = file.records();
    file.finish(&[("count", json!(written))])?;
    bar.done(&format!("{written} devices"));
    let mut m = Map::new();
    m.insert("source".into(), json!(origin.to_string()));
    m.insert("endpoints".into(), json!(["GET /mra/api/v2/devices"]));
    m.insert("pages".into(), json!(list.pages));
    m.insert("records".into(), json!(written));
    if let Some(reported) = list.reported.filter(|&r| r != written as u64) {
        // The fleet changed while it was read, or the API's count is not the total.
        m.insert("reported_count".into(), json!(reported));
    }
    Ok(m)
}

/// `init`'s `lookout.json` template with the tenant id Graph gave.
fn lookout_template(tenant_id: &str) -> String {
    crate::commands::init::LOOKOUT_TEMPLATE.replacen(
        "\"azure_ad_tenant_id\": \"00000000-0000-0000-0000-000000000000\"",
        &format!("\"azure_ad_tenant_id\": {}", json!(tenant_id)),
        1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn since_takes_days_or_a_time() {
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
            .unwrap();
        assert_eq!(Since::parse("30").unwrap(), Since::Days(30));
        assert_eq!(Since::parse("7d").unwrap(), Since::Days(7));
        assert_eq!(
            rfc3339(Since::Days(30).resolve(at).unwrap()),
            "2026-10-21T12:00:00Z"
        );
        let t = Since::parse("2026-11-01T00:00:00+01:00").unwrap();
        assert_eq!(rfc3339(t.resolve(at).unwrap()), "2026-10-31T23:00:00Z");
        assert!(Since::parse("2026-12-01T00:00:00Z")
            .unwrap()
            .resolve(at)
            .is_err());
        for bad in ["0", "-3", "400", "yesterday", ""] {
            assert!(
                Since::parse(bad)
                    .unwrap_err()
                    .to_string()
                    .starts_with("--since"),
                "{bad}"
            );
        }
    }

    #[test]
    fn credentials_come_from_the_azure_sdk_variables() {
        let base = [
            ("AZURE_TENANT_ID", "contoso.onmicrosoft.com"),
            ("AZURE_CLIENT_ID", "app-1"),
            ("AZURE_CLIENT_SECRET", "s3cret-value"),
            ("LOOKOUT_APPLICATION_KEY", "lookout-key-1"),
        ];
        let c = Credentials::from_env(env(&base), false, false, false).unwrap();
        assert!(matches!(c.credential, Credential::Secret(_)));
        assert_eq!(c.tenant, "contoso.onmicrosoft.com");
        let scrub = Scrubber::default();
        c.register(&scrub);
        assert_eq!(scrub.scrub("s3cret-value lookout-key-1"), "*** ***");

        let e = |vars: &[(&str, &str)], device: bool, terminal: bool, no_lookout: bool| {
            Credentials::from_env(env(vars), device, terminal, no_lookout)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(
            e(&base[..3], false, false, false).starts_with("LOOKOUT_APPLICATION_KEY is not set")
        );
        assert_eq!(e(&base[..3], false, false, true), "");
        assert!(e(&[base[0], base[2], base[3]], false, false, false)
            .starts_with("AZURE_CLIENT_ID is not set"));
        assert!(e(&[base[1], base[2], base[3]], false, false, false)
            .starts_with("AZURE_TENANT_ID is not set"));
        assert!(e(&[base[0], base[1], base[3]], false, false, false).contains("--device-code"));
        let mut with_password = base.to_vec();
        with_password.push(("AZURE_CLIENT_CERTIFICATE_PASSWORD", "pw"));
        assert!(e(&with_password, false, false, false).contains("not supported"));
        // A person: asked for, or at a terminal with nothing else given.
        let person = [base[1], base[3]];
        let c = Credentials::from_env(env(&person), false, true, false).unwrap();
        assert!(matches!(c.credential, Credential::DeviceCode));
        assert_eq!(c.tenant, "organizations");
        let c = Credentials::from_env(env(&base), true, false, false).unwrap();
        assert!(matches!(c.credential, Credential::DeviceCode));
        // An empty variable is an unset one.
        let blank = [base[0], base[1], ("AZURE_CLIENT_SECRET", " "), base[3]];
        assert!(e(&blank, false, false, false).contains("neither AZURE_CLIENT_SECRET"));
    }

    #[test]
    fn the_template_gets_the_tenant_id_and_keeps_its_other_placeholders() {
        let text = lookout_template("b5f0c4d2-7a3e-4e91-8c6d-1f2a9e3b7c40");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v["tenant"]["azure_ad_tenant_id"],
            "b5f0c4d2-7a3e-4e91-8c6d-1f2a9e3b7c40"
        );
        assert!(v["console_access"]["full_access_group_id"]
            .as_str()
            .unwrap()
            .starts_with("REPLACE"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lookout.json");
        std::fs::write(&path, &text).unwrap();
        let plan = plan_from(&path, false).unwrap();
        assert!(
            plan.groups.enrollment_names.is_empty(),
            "placeholders are not groups"
        );
        assert!(plan.groups.console_ids.is_empty());
        assert_eq!(plan.app_id, None);
    }

    #[test]
    fn the_plan_names_the_configured_groups() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lookout.json");
        std::fs::copy("fixtures/export-json-twin/lookout.json", &path).unwrap();
        let plan = plan_from(&path, true).unwrap();
        assert_eq!(
            plan.groups.enrollment_names,
            ["Lookout Pilot", "Lookout wave 3"]
        );
        assert_eq!(
            plan.groups.console_ids,
            [
                (
                    "full_access_group_id",
                    "a9f00309-2f22-42a2-9f6d-649885cc2bfc".to_owned()
                ),
                (
                    "restricted_access_group_id",
                    "752475df-3233-4421-a0c7-8cf1dd2573a9".to_owned()
                )
            ]
        );
        assert!(plan.groups.all);
        std::fs::write(&path, "{ not json").unwrap();
        assert!(plan_from(&path, false)
            .unwrap_err()
            .to_string()
            .contains("lookout.json"));
    }

    /// What `diagnose` reads of snapshot.json is there, and a later run knows the
    /// folder for one it wrote.
    #[test]
    fn the_manifest_says_when_whence_and_by_what() {
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
            .unwrap();
        let mut files = Map::new();
        files.insert("audit-logs.json".into(), Value::Object(skipped("why")));
        let m = manifest(
            at,
            "b5f0c4d2-7a3e-4e91-8c6d-1f2a9e3b7c40",
            Cloud::China,
            files,
        );
        assert_eq!(
            m,
            json!({
                "exported_at": "2026-11-20T12:00:00Z",
                "tenant_id": "b5f0c4d2-7a3e-4e91-8c6d-1f2a9e3b7c40",
                "tool": "lookout-doctor collect",
                "tool_version": env!("CARGO_PKG_VERSION"),
                "cloud": "china",
                "files": {"audit-logs.json": {"skipped": "why"}}
            })
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snapshot.json");
        std::fs::write(&path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
        let text = crate::snapshot::text::read_text(&path).unwrap();
        let read = crate::snapshot::manifest::read(&path, &text)
            .unwrap()
            .records;
        assert_eq!(read.exported_at, Some(at));
        assert_eq!(
            read.tenant_id.as_deref(),
            Some("b5f0c4d2-7a3e-4e91-8c6d-1f2a9e3b7c40")
        );
        std::fs::write(dir.path().join("groups.json"), "{}").unwrap();
        assert!(
            Target::inspect(dir.path()).is_ok(),
            "an earlier collect's folder"
        );
    }

    #[test]
    fn the_summary_is_one_line() {
        let s = Summary {
            dir: PathBuf::from("snap"),
            tenant_id: "t".into(),
            counts: vec![("Intune devices", 25), ("groups", 10)],
            notes: vec!["no audit logs (not available in the China cloud)".into()],
            requests: 14,
            elapsed: Duration::from_millis(3300),
        };
        assert_eq!(
            s.line(),
            "collected snap (tenant t): 25 Intune devices, 10 groups; 14 requests in 3.3 s; no audit logs (not available in the China cloud)"
        );
    }
}
