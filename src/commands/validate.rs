//! `lookout-doctor validate DIR`: load and cross-check a snapshot, no rules. Per file
//! it says which export it recognised, how many records it read and skipped (and
//! why), and which columns or fields nothing reads, then names every entry of the
//! folder it did not read, with the reason; a file that cannot be read at all stops
//! the load with exit 2, naming the file and the line or record. `--redact` shows
//! every identifier (file names included) as `diagnose --redact` would.

use crate::cli::{RedactKeep, ValidateArgs, PIPE_WIDTH};
use crate::escape;
use crate::messages::{self, Messages};
use crate::model::Tenant;
use crate::redact::{Keep, RedactKey, Redactor};
use crate::report::layout::wrap_hanging;
use crate::report::REDACTED_SNAPSHOT_PATH;
use crate::snapshot::{FileInfo, Format, Input};
use anyhow::{anyhow, Context as _, Result};
use rustc_hash::FxHashSet as HashSet;
use std::borrow::Cow;
use std::io::Write;

/// Column and field names listed before "… and N more": enough to recognise the
/// export, short enough for a terminal.
const IGNORED_SHOWN: usize = 12;

pub fn run(args: &ValidateArgs, out: &mut dyn Write) -> Result<u8> {
    let key = args.redact.then(RedactKey::from_env).transpose()?;
    let paths = [(args.dir.as_path(), REDACTED_SNAPSHOT_PATH)];
    let loaded = super::load(&args.dir).with_context(|| "the snapshot could not be loaded");
    let tenant = match (loaded, &key) {
        (Ok(tenant), _) => tenant,
        (Err(e), Some(key)) => return Err(Redactor::without_tenant(key).error(&e, &paths)),
        (Err(e), None) => return Err(e),
    };
    let redactor = key.map(|key| {
        let keep = Keep {
            groups: args.redact_keep.contains(&RedactKeep::Groups),
        };
        Redactor::new(&tenant, &key, keep)
    });
    let result = validate(args, &tenant, redactor.as_ref(), out).map_err(|e| match &redactor {
        Some(r) => r.error(&e, &paths),
        None => e,
    });
    // The process ends next: freeing the model one allocation at a time would only
    // delay it (`diagnose` does not free its last tenant's either).
    drop(redactor);
    std::mem::forget(tenant);
    result
}

/// Text from the snapshot as validate shows it: redacted under `--redact`.
fn shown<'a>(r: Option<&Redactor>, s: &'a str) -> Cow<'a, str> {
    match r {
        Some(r) => Cow::Owned(r.text(s)),
        None => Cow::Borrowed(s),
    }
}

fn validate(
    args: &ValidateArgs,
    tenant: &Tenant,
    r: Option<&Redactor>,
    out: &mut dyn Write,
) -> Result<u8> {
    let msg = messages::current();
    let path = match r {
        Some(_) => REDACTED_SNAPSHOT_PATH.to_string(),
        None => args.dir.to_string_lossy().into_owned(),
    };
    writeln!(
        out,
        "{}",
        msg.f("validate.heading", &[("path", &escape::terminal(&path))])
    )?;
    for input in Input::ALL {
        let mut files = tenant.files.iter().filter(|f| f.input == input).peekable();
        if files.peek().is_none() {
            writeln!(
                out,
                "  {}",
                msg.f("validate.absent", &[("name", &input.file_name())])
            )?;
        }
        for f in files {
            print_file(out, msg, f, r)?;
        }
    }
    if !tenant.unread.is_empty() {
        writeln!(out, "\n{}:", msg.t("validate.unread.heading"))?;
        for u in &tenant.unread {
            let line = format!(
                "{}: {}",
                shown(r, &u.name),
                shown(r, &u.reason.describe(msg))
            );
            writeln!(out, "{}", wrap_hanging(PIPE_WIDTH, "  ", "      ", &line))?;
        }
    }
    let checks = cross_checks(tenant);
    if !checks.is_empty() {
        writeln!(out, "\n{}:", msg.t("validate.cross_heading"))?;
        for c in checks {
            let examples: Vec<Cow<str>> = c.examples.iter().map(|e| shown(r, e)).collect();
            let line = msg.f(
                &format!("validate.cross.{}", c.key),
                &[("count", &c.count), ("examples", &examples.join(", "))],
            );
            writeln!(out, "{}", wrap_hanging(PIPE_WIDTH, "  - ", "    ", &line))?;
        }
    }
    // A template's placeholder is no value: the file is not filled in yet.
    let placeholders = &tenant.config.placeholders;
    if !placeholders.is_empty() {
        let file = tenant.files.iter().find(|f| f.input == Input::Lookout);
        let keys: Vec<&str> = placeholders.iter().map(|p| p.key.as_str()).collect();
        out.flush()?;
        return Err(anyhow!(msg.f(
            "validate.placeholders",
            &[
                ("count", &keys.len()),
                (
                    "file",
                    &shown(r, file.map_or("lookout.json", |f| f.name.as_str()))
                ),
                ("keys", &keys.join(", ")),
            ],
        )));
    }
    writeln!(out, "\n{}", msg.t("validate.ok"))?;
    Ok(0)
}

/// One file: what it is and how much of it was used, then its notes.
fn print_file(
    out: &mut dyn Write,
    msg: &Messages,
    f: &FileInfo,
    r: Option<&Redactor>,
) -> Result<()> {
    let skipped = match f.skipped_total() {
        0 => String::new(),
        n => msg.f("validate.detail.skipped_suffix", &[("count", &n)]),
    };
    let quirks = if f.quirks.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = f.quirks.iter().map(|q| q.describe(msg)).collect();
        msg.f("validate.detail.quirks", &[("list", &list.join(", "))])
    };
    let line = msg.f(
        "validate.detail.file_line",
        &[
            ("name", &shown(r, &f.name)),
            // Names say little once files are recognised by content: say what it holds.
            (
                "input",
                &msg.t(&format!("validate.input.{}", f.input.stem())),
            ),
            ("format", &f.format.as_str()),
            ("records", &f.records),
            ("skipped", &skipped),
            ("form", &f.form.describe(msg)),
            ("quirks", &quirks),
        ],
    );
    writeln!(out, "{}", wrap_hanging(PIPE_WIDTH, "  ", "      ", &line))?;
    if !f.ignored.is_empty() {
        writeln!(
            out,
            "{}",
            wrap_hanging(PIPE_WIDTH, "      ", "        ", &ignored_line(msg, f, r))
        )?;
    }
    for n in &f.notes {
        writeln!(
            out,
            "{}",
            wrap_hanging(
                PIPE_WIDTH,
                "      - ",
                "        ",
                &shown(r, &n.describe(msg))
            )
        )?;
    }
    Ok(())
}

/// The columns or fields nothing reads: an arbitrary sheet's header may name anyone.
fn ignored_line(msg: &Messages, f: &FileInfo, r: Option<&Redactor>) -> String {
    let mut list: Vec<String> = f
        .ignored
        .iter()
        .take(IGNORED_SHOWN)
        .map(|c| shown(r, c).into_owned())
        .collect();
    if f.ignored.len() > IGNORED_SHOWN {
        list.push(msg.f(
            "validate.detail.more",
            &[("count", &(f.ignored.len() - IGNORED_SHOWN))],
        ));
    }
    let key = match f.format {
        Format::Csv => "validate.detail.ignored_columns",
        Format::Json => "validate.detail.ignored_fields",
    };
    msg.f(
        key,
        &[("count", &f.ignored.len()), ("list", &list.join(", "))],
    )
}

/// Something `validate` noticed across files: how many records, a few examples.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CrossCheck {
    /// Message key under `validate.cross.` in locales/.
    key: &'static str,
    count: usize,
    examples: Vec<String>,
}

/// Consistency checks across files (no rule verdicts): links that point nowhere,
/// members that cannot be resolved, identifiers used twice.
fn cross_checks(tenant: &Tenant) -> Vec<CrossCheck> {
    const EXAMPLES: usize = 5;
    let mut out = Vec::new();
    let mut push = |key: &'static str, mut items: Vec<String>| {
        if items.is_empty() {
            return;
        }
        items.sort();
        items.dedup();
        let count = items.len();
        items.truncate(EXAMPLES);
        out.push(CrossCheck {
            key,
            count,
            examples: items,
        });
    };
    if tenant.has(Input::IntuneDevices) {
        push(
            "unlinked_device_ids",
            tenant
                .lookout_devices
                .iter()
                .filter(|d| d.device_id().is_some() && tenant.linked_intune(d).is_none())
                .map(|d| format!("{} → {}", d.guid, d.device_id().unwrap_or_default()))
                .collect(),
        );
    }
    let mut seen = HashSet::default();
    push(
        "duplicate_guids",
        tenant
            .lookout_devices
            .iter()
            .filter(|d| !seen.insert(d.guid.to_lowercase()))
            .map(|d| d.guid.to_string())
            .collect(),
    );
    if tenant.has(Input::Groups) {
        push(
            "unknown_nested_groups",
            tenant
                .groups
                .iter()
                .flat_map(|g| {
                    g.unresolved_groups
                        .iter()
                        .map(move |id| format!("{} ∋ {id}", g.name))
                })
                .collect(),
        );
        push(
            "unknown_lookout_users",
            tenant
                .lookout_devices
                .iter()
                .filter_map(|d| d.email.as_deref().map(str::trim).filter(|e| !e.is_empty()))
                .filter(|e| tenant.user(e).is_none())
                .map(str::to_lowercase)
                .collect(),
        );
    }
    push(
        "mobile_without_owner",
        tenant
            .intune_devices
            .iter()
            .filter(|d| {
                d.operating_system
                    .as_ref()
                    .and_then(|o| o.mobile_platform())
                    .is_some()
            })
            .filter(|d| d.owner().is_none())
            .map(|d| d.id.to_string())
            .collect(),
    );
    out
}
