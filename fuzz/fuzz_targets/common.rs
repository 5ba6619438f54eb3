//! What every loader target does with its input: read it into the healthy fixture
//! tenant in place of that file (as `snapshot::load` would read the file), and when it
//! loads, run the rest of the tool on it (model, rules, report, JSON and human
//! printers), so a value that loads but breaks a rule is found too.
//!
//! A load error is fine; it must name the file. A panic, a hang or an out-of-memory
//! is a finding.

use lookout_doctor::engine::{self, Options};
use lookout_doctor::model::Tenant;
use lookout_doctor::report::{self, BuildOptions, Style};
use lookout_doctor::snapshot::{self, Snapshot};
use std::sync::OnceLock;

/// The healthy fixture, read through the same entry point.
fn base() -> &'static Snapshot {
    static BASE: OnceLock<Snapshot> = OnceLock::new();
    BASE.get_or_init(|| {
        macro_rules! fixture {
            ($name:literal) => {
                (
                    $name,
                    include_bytes!(concat!(
                        env!("CARGO_MANIFEST_DIR"),
                        "/../fixtures/healthy/",
                        $name
                    ))
                    .as_slice(),
                )
            };
        }
        let files = [
            fixture!("snapshot.json"),
            fixture!("lookout.json"),
            fixture!("groups.json"),
            fixture!("lookout-devices.json"),
            fixture!("intune-devices.json"),
            fixture!("audit-logs.json"),
            fixture!("intune-mtd-connector.json"),
        ];
        let mut snap = Snapshot::default();
        for (name, bytes) in files {
            snapshot::load_bytes(&mut snap, name, bytes).expect("the healthy fixture loads");
        }
        snap
    })
}

/// Loads `data` as the file `name` and, if it loads, diagnoses the tenant.
pub fn run(name: &str, data: &[u8]) {
    let mut snap = base().clone();
    if let Err(e) = snapshot::load_bytes(&mut snap, name, data) {
        let shown = e.to_string();
        assert!(
            shown.starts_with(name),
            "the error does not name the file: {shown}"
        );
        return;
    }
    let tenant = Tenant::build(snap);
    let as_of = chrono::DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let outcome = engine::run(
        &tenant,
        &Options {
            as_of,
            ..Options::default()
        },
    );
    let report = report::build(&tenant, outcome, &BuildOptions::plain("fuzz", as_of));
    let style = Style::plain();
    let mut out = Vec::new();
    for format in [report::Format::Json, report::Format::Human] {
        report::printer(format, style)
            .print(&report, &mut out)
            .expect("printing to memory cannot fail");
    }
}
