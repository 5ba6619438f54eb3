//! `cargo xtask new-rule SLUG`: scaffolds a rule, so that adding one is "run it, fill
//! the blanks". It writes the rule's module, its knowledge in every language, a
//! fixture (a copy of fixtures/healthy) with its expected findings, declares the rule
//! in src/rules/registry.rs and adds its row to the README's rules table and its
//! fixture to fixtures/README.md. Every blank is marked `BLANK`, and the test suite
//! fails, listing them, until none is left.

use std::fs;
use std::path::{Path, PathBuf};

/// The marker of a blank. tests/knowledge.rs (`nothing_is_left_to_fill_in`) looks for
/// the same text, so the two must agree.
pub const BLANK: &str = "FILL IN";

const RULE_TEMPLATE: &str = include_str!("../templates/rule.rs.tmpl");
const KNOWLEDGE_TEMPLATE: &str = include_str!("../templates/knowledge.toml.tmpl");
const EXPECTED_TEMPLATE: &str = include_str!("../templates/expected.json.tmpl");

const REGISTRY: &str = "src/rules/registry.rs";
const README: &str = "README.md";
const FIXTURE_LIST: &str = "fixtures/README.md";
/// The fixture a new rule's fixture starts from: a tenant without any finding.
const HEALTHY: &str = "fixtures/healthy";

pub const SEVERITIES: [&str; 3] = ["error", "warning", "info"];
pub const SUBJECT_KINDS: [&str; 5] = ["tenant", "connector", "group", "user", "device"];

/// The two parts of the catalogue, in catalogue order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Scenario,
    Configuration,
}

impl Section {
    pub fn parse(s: &str) -> Option<Section> {
        match s {
            "scenario" => Some(Section::Scenario),
            "config" => Some(Section::Configuration),
            _ => None,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Section::Scenario => "troubleshooting scenario",
            Section::Configuration => "configuration audit",
        }
    }

    /// The comment that opens the section in the registry's table.
    fn registry_heading(self) -> &'static str {
        match self {
            Section::Scenario => "// Troubleshooting scenarios",
            Section::Configuration => "// Configuration audit",
        }
    }

    /// The row that opens the section in the README's rules table.
    fn readme_heading(self) -> &'static str {
        match self {
            Section::Scenario => "| **Troubleshooting scenarios** | | |",
            Section::Configuration => "| **Configuration audit** | | |",
        }
    }

    /// How the fixture folders of the section are named (`scenario-...`, `config-...`).
    fn fixture_prefix(self) -> &'static str {
        match self {
            Section::Scenario => "scenario",
            Section::Configuration => "config",
        }
    }

    /// Subjects are devices in the troubleshooting scenarios, mostly the connector's
    /// settings in the configuration audit.
    pub fn default_subject(self) -> &'static str {
        match self {
            Section::Scenario => "device",
            Section::Configuration => "connector",
        }
    }
}

/// Slugs are lower-case ASCII words joined by single hyphens, as the report's JSON
/// Schema requires.
pub fn check_slug(slug: &str) -> Result<(), String> {
    let kebab = !slug.is_empty()
        && slug
            .split('-')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()));
    if kebab {
        Ok(())
    } else {
        Err(format!(
            "\"{slug}\" is not a kebab-case slug: use lower-case words (a-z) joined by single \
             hyphens, like device-missing"
        ))
    }
}

/// The new rule, as the flags describe it.
#[derive(Debug, Clone)]
pub struct Spec {
    pub slug: String,
    pub section: Section,
    /// One of `SEVERITIES`.
    pub severity: String,
    /// One of `SUBJECT_KINDS`.
    pub subject: String,
}

fn upper_first(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

impl Spec {
    /// The rule's type and `RuleId` variant: `device-missing` → `DeviceMissing`.
    pub fn type_name(&self) -> String {
        self.slug.split('-').map(upper_first).collect()
    }

    /// The rule's module: `device-missing` → `device_missing`.
    pub fn module(&self) -> String {
        self.slug.replace('-', "_")
    }

    /// The fixture folder and expected-findings file name.
    pub fn fixture(&self) -> String {
        format!("{}-{}", self.section.fixture_prefix(), self.slug)
    }

    /// The rule's line in the registry's table.
    pub fn declaration(&self) -> String {
        format!("{} {} \"{}\";", self.type_name(), self.module(), self.slug)
    }

    fn readme_row(&self) -> String {
        format!(
            "| `{}` | {} | {BLANK}: what it finds, in a few words |",
            self.slug, self.severity
        )
    }

    fn fixture_line(&self) -> String {
        format!(
            "- `{}/`: {BLANK}: what this copy of `healthy/` changes, and the findings it \
             gives ({}).",
            self.fixture(),
            self.slug
        )
    }

    /// Fills a template's `{{name}}`s.
    pub fn render(&self, template: &str) -> String {
        let exit_code = if self.severity == "error" { "1" } else { "0" };
        [
            ("{{slug}}", self.slug.clone()),
            ("{{Type}}", self.type_name()),
            ("{{severity}}", self.severity.clone()),
            ("{{Severity}}", upper_first(&self.severity)),
            ("{{subject}}", self.subject.clone()),
            ("{{Subject}}", upper_first(&self.subject)),
            ("{{exit_code}}", exit_code.to_string()),
        ]
        .iter()
        .fold(template.to_string(), |text, (name, value)| {
            text.replace(name, value)
        })
    }
}

/// A line of the registry's table, as (type, module, slug).
fn declaration(line: &str) -> Option<(&str, &str, &str)> {
    let mut words = line.split_whitespace();
    let (ty, module, slug) = (words.next()?, words.next()?, words.next()?);
    let slug = slug.strip_prefix('"')?.strip_suffix("\";")?;
    let is_type = ty.starts_with(|c: char| c.is_ascii_uppercase());
    (words.next().is_none() && is_type).then_some((ty, module, slug))
}

/// Joins lines back, keeping the text's final newline.
fn join(lines: &[String], like: &str) -> String {
    let mut text = lines.join("\n");
    if like.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Adds the rule's line at the end of its section of the registry's table.
pub fn insert_declaration(registry: &str, spec: &Spec) -> Result<String, String> {
    let mut lines: Vec<String> = registry.lines().map(str::to_owned).collect();
    if lines
        .iter()
        .filter_map(|l| declaration(l))
        .any(|(_, _, slug)| slug == spec.slug)
    {
        return Err(format!(
            "rule \"{}\" already exists ({REGISTRY} declares it)",
            spec.slug
        ));
    }
    let heading = spec.section.registry_heading();
    let start = lines
        .iter()
        .position(|l| l.trim() == heading)
        .ok_or_else(|| format!("{REGISTRY} has no \"{heading}\" line to add the rule under"))?;
    let indent: String = lines[start]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let end = lines[start + 1..]
        .iter()
        .position(|l| declaration(l).is_none())
        .map_or(lines.len(), |n| start + 1 + n);
    lines.insert(end, format!("{indent}{}", spec.declaration()));
    Ok(join(&lines, registry))
}

/// Adds the rule's row at the end of its section of the README's rules table.
pub fn insert_readme_row(readme: &str, spec: &Spec) -> Result<String, String> {
    let mut lines: Vec<String> = readme.lines().map(str::to_owned).collect();
    let row_start = format!("| `{}` |", spec.slug);
    if lines.iter().any(|l| l.starts_with(&row_start)) {
        return Err(format!("{README} already has a row for \"{}\"", spec.slug));
    }
    let heading = spec.section.readme_heading();
    let start = lines
        .iter()
        .position(|l| l == heading)
        .ok_or_else(|| format!("{README} has no \"{heading}\" row in its rules table"))?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| !l.starts_with("| `"))
        .map_or(lines.len(), |n| start + 1 + n);
    lines.insert(end, spec.readme_row());
    Ok(join(&lines, readme))
}

/// Adds the fixture's line after the last fixture of its section in fixtures/README.md.
pub fn insert_fixture_line(list: &str, spec: &Spec) -> Result<String, String> {
    let mut lines: Vec<String> = list.lines().map(str::to_owned).collect();
    let prefix = format!("- `{}-", spec.section.fixture_prefix());
    let last = lines
        .iter()
        .rposition(|l| l.starts_with(&prefix))
        .ok_or_else(|| format!("{FIXTURE_LIST} lists no {prefix}...` fixture to add to"))?;
    lines.insert(last + 1, spec.fixture_line());
    Ok(join(&lines, list))
}

fn read(root: &Path, file: &str) -> Result<String, String> {
    fs::read_to_string(root.join(file)).map_err(|e| format!("cannot read {file}: {e}"))
}

fn write(root: &Path, file: &str, text: &str) -> Result<(), String> {
    fs::write(root.join(file), text).map_err(|e| format!("cannot write {file}: {e}"))
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Writes the new rule's files under `root` (the repository) and registers it.
/// Nothing is written when the rule, one of its files or an anchor is missing or
/// already there. Returns what was written, for the report.
pub fn create(root: &Path, spec: &Spec) -> Result<Vec<String>, String> {
    check_slug(&spec.slug)?;
    let module = format!("src/rules/{}.rs", spec.module());
    let knowledge = format!("rules/{}.toml", spec.slug);
    let fixture = format!("fixtures/{}", spec.fixture());
    let expected = format!("tests/expected/{}.json", spec.fixture());
    let registry = insert_declaration(&read(root, REGISTRY)?, spec)?;
    let readme = insert_readme_row(&read(root, README)?, spec)?;
    let fixture_list = insert_fixture_line(&read(root, FIXTURE_LIST)?, spec)?;
    for path in [&module, &knowledge, &fixture, &expected] {
        if root.join(path).exists() {
            return Err(format!("{path} already exists; not overwriting it"));
        }
    }

    write(root, &module, &spec.render(RULE_TEMPLATE))?;
    write(root, &knowledge, &spec.render(KNOWLEDGE_TEMPLATE))?;
    copy_dir(&root.join(HEALTHY), &root.join(&fixture))
        .map_err(|e| format!("cannot copy {HEALTHY} to {fixture}: {e}"))?;
    write(root, &expected, &spec.render(EXPECTED_TEMPLATE))?;
    write(root, REGISTRY, &registry)?;
    write(root, README, &readme)?;
    write(root, FIXTURE_LIST, &fixture_list)?;
    Ok(vec![
        module,
        knowledge,
        format!("{fixture}/ (a copy of {HEALTHY}/)"),
        expected,
        format!("{REGISTRY} (declared: {})", spec.declaration()),
        format!("{README} (a row in the rules table)"),
        format!("{FIXTURE_LIST} (a line for the fixture)"),
    ])
}

/// Where the repository is: the xtask crate sits at its top. Cargo names the crate's
/// folder at run time too; that is the one to trust, because checkouts that share a
/// target directory can run a build made in another checkout.
pub fn repository() -> PathBuf {
    let xtask = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    xtask
        .parent()
        .expect("the xtask crate is inside the repository")
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;
    use indoc::indoc;

    fn spec(slug: &str, section: Section) -> Spec {
        Spec {
            slug: slug.into(),
            section,
            severity: "warning".into(),
            subject: section.default_subject().into(),
        }
    }

    const REGISTRY_TEXT: &str = indoc! {r#"
        macro_rules! rule_table {
            ($expand:ident) => {
                $expand! {
                    // Troubleshooting scenarios
                    DeviceMissing device_missing "device-missing";
                    DevicePending device_pending "device-pending";
                    // Configuration audit
                    TenantNotLinked tenant_not_linked "tenant-not-linked";
                }
            };
        }
    "#};

    const README_TEXT: &str = indoc! {"
        | rule | default severity | what it finds |
        |---|---|---|
        | **Troubleshooting scenarios** | | |
        | `device-missing` | warning | a phone is missing |
        | **Configuration audit** | | |
        | `tenant-not-linked` | error | the tenant is not linked |

        When a configuration problem explains device findings...
    "};

    const FIXTURE_LIST_TEXT: &str = indoc! {"
        - `healthy/`: everything correct.
        - `scenario-device-missing/`: phones without a record.
        - `sample/`: README demo.

        ## Configuration audit

        - `config-tenant-not-linked/`: linked to another tenant.
    "};

    #[test]
    fn slugs_must_be_kebab_case() {
        for good in ["device-missing", "a", "intune-mtd-partner-unresponsive"] {
            assert!(check_slug(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Device-Missing",
            "device_missing",
            "-device",
            "device-",
            "device--missing",
            "device missing",
            "device-missing-2",
            "déjà-vu",
        ] {
            let e = check_slug(bad).unwrap_err();
            assert!(e.contains("not a kebab-case slug"), "{bad}: {e}");
        }
    }

    #[test]
    fn names_follow_from_the_slug() {
        let s = spec("device-active-without-id", Section::Scenario);
        assert_eq!(s.type_name(), "DeviceActiveWithoutId");
        assert_eq!(s.module(), "device_active_without_id");
        assert_eq!(s.fixture(), "scenario-device-active-without-id");
        assert_eq!(
            s.declaration(),
            r#"DeviceActiveWithoutId device_active_without_id "device-active-without-id";"#
        );
        assert_eq!(
            spec("state-sync-disabled", Section::Configuration).fixture(),
            "config-state-sync-disabled"
        );
    }

    #[test]
    fn a_scenario_is_declared_at_the_end_of_the_scenarios() {
        let out =
            insert_declaration(REGISTRY_TEXT, &spec("device-lost", Section::Scenario)).unwrap();
        assert_eq!(
            out,
            indoc! {r#"
                macro_rules! rule_table {
                    ($expand:ident) => {
                        $expand! {
                            // Troubleshooting scenarios
                            DeviceMissing device_missing "device-missing";
                            DevicePending device_pending "device-pending";
                            DeviceLost device_lost "device-lost";
                            // Configuration audit
                            TenantNotLinked tenant_not_linked "tenant-not-linked";
                        }
                    };
                }
            "#}
        );
    }

    #[test]
    fn a_configuration_rule_is_declared_at_the_end_of_the_table() {
        let out = insert_declaration(
            REGISTRY_TEXT,
            &spec("connector-paused", Section::Configuration),
        )
        .unwrap();
        assert_eq!(
            out,
            indoc! {r#"
                macro_rules! rule_table {
                    ($expand:ident) => {
                        $expand! {
                            // Troubleshooting scenarios
                            DeviceMissing device_missing "device-missing";
                            DevicePending device_pending "device-pending";
                            // Configuration audit
                            TenantNotLinked tenant_not_linked "tenant-not-linked";
                            ConnectorPaused connector_paused "connector-paused";
                        }
                    };
                }
            "#}
        );
    }

    #[test]
    fn an_existing_slug_is_refused() {
        let e = insert_declaration(
            REGISTRY_TEXT,
            &spec("device-pending", Section::Configuration),
        )
        .unwrap_err();
        assert_eq!(
            e,
            "rule \"device-pending\" already exists (src/rules/registry.rs declares it)"
        );
        let e = insert_declaration("no table here\n", &spec("x", Section::Scenario)).unwrap_err();
        assert!(
            e.contains("no \"// Troubleshooting scenarios\" line"),
            "{e}"
        );
    }

    #[test]
    fn readme_rows_go_to_the_end_of_their_section() {
        let out = insert_readme_row(README_TEXT, &spec("device-lost", Section::Scenario)).unwrap();
        assert!(out.contains(indoc! {"
            | `device-missing` | warning | a phone is missing |
            | `device-lost` | warning | FILL IN: what it finds, in a few words |
            | **Configuration audit** | | |
        "}));
        let out = insert_readme_row(
            README_TEXT,
            &spec("connector-paused", Section::Configuration),
        )
        .unwrap();
        assert_eq!(
            out,
            indoc! {"
                | rule | default severity | what it finds |
                |---|---|---|
                | **Troubleshooting scenarios** | | |
                | `device-missing` | warning | a phone is missing |
                | **Configuration audit** | | |
                | `tenant-not-linked` | error | the tenant is not linked |
                | `connector-paused` | warning | FILL IN: what it finds, in a few words |

                When a configuration problem explains device findings...
            "}
        );
        let e =
            insert_readme_row(README_TEXT, &spec("device-missing", Section::Scenario)).unwrap_err();
        assert!(e.contains("already has a row"), "{e}");
    }

    #[test]
    fn fixture_lines_follow_their_section() {
        let out = insert_fixture_line(FIXTURE_LIST_TEXT, &spec("device-lost", Section::Scenario))
            .unwrap();
        assert!(out.contains(indoc! {"
            - `scenario-device-missing/`: phones without a record.
            - `scenario-device-lost/`: FILL IN: what this copy of `healthy/` changes, and the findings it gives (device-lost).
            - `sample/`: README demo.
        "}));
        let out = insert_fixture_line(
            FIXTURE_LIST_TEXT,
            &spec("connector-paused", Section::Configuration),
        )
        .unwrap();
        assert!(out.ends_with("(connector-paused).\n"), "{out}");
    }

    #[test]
    fn templates_are_filled_and_marked_blank() {
        let s = Spec {
            severity: "error".into(),
            ..spec("device-lost", Section::Scenario)
        };
        for template in [RULE_TEMPLATE, KNOWLEDGE_TEMPLATE, EXPECTED_TEMPLATE] {
            let text = s.render(template);
            assert!(!text.contains("{{"), "{text}");
            assert!(text.contains(BLANK), "{text}");
        }
        let rule = s.render(RULE_TEMPLATE);
        assert!(rule.contains("pub struct DeviceLost;"));
        assert!(rule.contains("default_severity: Severity::Error,"));
        assert!(rule.contains("subject_kind: SubjectKind::Device,"));
        assert!(rule.contains("run_one(RuleId::DeviceLost)"));
        let expected = s.render(EXPECTED_TEMPLATE);
        assert!(expected.contains(r#""exit_code": 1,"#));
        assert!(expected.contains(r#""rule": "device-lost","#));
        let knowledge = s.render(KNOWLEDGE_TEMPLATE);
        for lang in ["[en]", "[ko]", "[ja]", "[\"zh-TW\"]", "[\"pt-BR\"]"] {
            assert!(knowledge.contains(lang), "{lang}");
        }
    }

    /// The repository's own files have the anchors the generator needs, and know the
    /// rules that exist.
    #[test]
    fn the_repository_files_take_a_new_rule() {
        let root = repository();
        let registry = read(&root, REGISTRY).unwrap();
        let readme = read(&root, README).unwrap();
        let fixtures = read(&root, FIXTURE_LIST).unwrap();
        for section in [Section::Scenario, Section::Configuration] {
            let s = spec("no-such-rule-yet", section);
            let out = insert_declaration(&registry, &s).unwrap();
            assert_eq!(out.lines().count(), registry.lines().count() + 1);
            insert_readme_row(&readme, &s).unwrap();
            insert_fixture_line(&fixtures, &s).unwrap();
        }
        let e = insert_declaration(&registry, &spec("device-missing", Section::Scenario));
        assert!(e.unwrap_err().contains("already exists"));
    }
}
