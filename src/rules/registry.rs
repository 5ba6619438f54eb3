//! The rule catalogue, declared once. Each line of the table below names a rule's
//! variant of `RuleId` (also the name of its type), its module (`src/rules/<module>.rs`)
//! and its slug (stable public API, and the name of its knowledge file
//! `rules/<slug>.toml`). The module declarations, `RuleId` and everything it knows
//! follow from the table, so a rule's slug is written in one place in the code.
//! `cargo xtask new-rule SLUG` adds a line here.

/// Expands the table into the rule modules, `RuleId` and its lookups.
macro_rules! declare_rules {
    ($($variant:ident $module:ident $slug:literal;)*) => {
        $(mod $module;)*

        /// A rule of the catalogue. Its order is the catalogue's; output that is sorted
        /// by rule sorts by `slug()` instead, as it always has.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId {
            $($variant,)*
        }

        impl RuleId {
            /// Every rule, in catalogue order: the troubleshooting scenarios, then the
            /// configuration audit of the setup guide.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The stable slug: reports, configuration files and scripts use it.
            pub const fn slug(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $slug,)*
                }
            }

            /// The rule a slug names, if any (exact, lower-case).
            pub fn from_slug(slug: &str) -> Option<RuleId> {
                match slug {
                    $($slug => Some(RuleId::$variant),)*
                    _ => None,
                }
            }

            /// The rule itself: what it needs, and its check.
            pub fn rule(self) -> &'static dyn Rule {
                match self {
                    $(RuleId::$variant => &$module::$variant,)*
                }
            }

            /// The rule's knowledge file (`rules/<slug>.toml`), embedded at build time.
            pub fn knowledge_source(self) -> &'static str {
                match self {
                    $(RuleId::$variant => include_str!(concat!("../../rules/", $slug, ".toml")),)*
                }
            }
        }

        $(impl Registered for $module::$variant {
            const ID: RuleId = RuleId::$variant;
        })*

        /// Each rule's module name, for the test that modules, slugs and files match.
        #[cfg(test)]
        const MODULES: &[(RuleId, &str)] = &[$((RuleId::$variant, stringify!($module)),)*];
    };
}

/// Hands the table to `declare_rules!` (invoked from `rules/mod.rs`, so that the
/// modules it declares are `rules::<module>`). Catalogue order is the order of the
/// lines; `cargo xtask new-rule` appends to the end of a section.
macro_rules! rule_table {
    ($expand:ident) => {
        $expand! {
            // Troubleshooting scenarios
            ConsoleAccessDenied console_access_denied "console-access-denied";
            ConsoleAccessRestricted console_access_restricted "console-access-restricted";
            ConsentNotGranted consent_not_granted "consent-not-granted";
            DeviceMissing device_missing "device-missing";
            DevicePending device_pending "device-pending";
            DeviceActiveWithoutId device_active_without_id "device-active-without-id";
            DeviceDisconnected device_disconnected "device-disconnected";
            DeviceNewOwner device_new_owner "device-new-owner";
            // Configuration audit
            TenantNotLinked tenant_not_linked "tenant-not-linked";
            ConsoleAccessGroupNotFound console_access_group_not_found "console-access-group-not-found";
            EnrollmentGroupNotFound enrollment_group_not_found "enrollment-group-not-found";
            EnrollmentGroupCaseMismatch enrollment_group_case_mismatch "enrollment-group-case-mismatch";
            EnrollmentGroupEmpty enrollment_group_empty "enrollment-group-empty";
            IntuneConnectorMissing intune_connector_missing "intune-connector-missing";
            StateSyncDisabled state_sync_disabled "state-sync-disabled";
            ErrorNotificationsUnset error_notifications_unset "error-notifications-unset";
            DisconnectedThresholdOutOfRange disconnected_threshold_out_of_range "disconnected-threshold-out-of-range";
            IntuneMtdConnectorNotEnabled intune_mtd_connector_not_enabled "intune-mtd-connector-not-enabled";
            IntuneMtdPartnerUnresponsive intune_mtd_partner_unresponsive "intune-mtd-partner-unresponsive";
            DeviceThreatDetected device_threat_detected "device-threat-detected";
            DeviceDuplicate device_duplicate "device-duplicate";
            EnrollmentGroupsUnset enrollment_groups_unset "enrollment-groups-unset";
        }
    };
}

/// A rule reads as its slug wherever it is shown or serialized.
impl std::fmt::Display for super::RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.slug())
    }
}

impl serde::Serialize for super::RuleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.slug())
    }
}

#[cfg(test)]
mod tests {
    use crate::knowledge;
    use crate::rules::{RuleId, MODULES};
    use std::collections::BTreeSet;

    /// The file stems in `dir` with extension `ext`.
    fn stems(dir: &str, ext: &str) -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect()
    }

    fn is_kebab_case(slug: &str) -> bool {
        !slug.is_empty()
            && slug
                .split('-')
                .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
    }

    fn upper_camel(slug: &str) -> String {
        slug.split('-')
            .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
            .collect()
    }

    /// Ids, slugs, rule modules and knowledge files correspond one to one: no
    /// knowledge file without a rule, no rule without its file and module.
    #[test]
    fn ids_slugs_modules_and_knowledge_files_correspond() {
        let mut slugs = BTreeSet::new();
        for &id in RuleId::ALL {
            let slug = id.slug();
            assert!(slugs.insert(slug), "duplicate slug {slug}");
            assert!(is_kebab_case(slug), "{slug} is not kebab-case");
            assert_eq!(RuleId::from_slug(slug), Some(id));
            assert_eq!(format!("{id:?}"), upper_camel(slug), "{slug}: variant name");
            knowledge::parse(id).unwrap();
        }
        let modules: BTreeSet<String> = MODULES.iter().map(|(_, m)| m.to_string()).collect();
        let want_modules: BTreeSet<String> = slugs.iter().map(|s| s.replace('-', "_")).collect();
        assert_eq!(modules, want_modules, "module names are the slugs with '_'");
        let mut files = stems("src/rules", "rs");
        for helper in ["mod", "registry", "testkit"] {
            files.remove(helper);
        }
        same_set("src/rules/*.rs", &files, &modules);
        let slugs: BTreeSet<String> = slugs.iter().map(|s| s.to_string()).collect();
        same_set("rules/*.toml", &stems("rules", "toml"), &slugs);
    }

    /// Names the files without a rule and the rules without a file.
    fn same_set(files: &str, found: &BTreeSet<String>, declared: &BTreeSet<String>) {
        let stray: Vec<_> = found.difference(declared).collect();
        let missing: Vec<_> = declared.difference(found).collect();
        assert!(
            stray.is_empty() && missing.is_empty(),
            "{files}: not in the registry {stray:?}; registered without a file {missing:?}"
        );
    }

    #[test]
    fn unknown_slugs_name_no_rule() {
        assert_eq!(
            RuleId::from_slug("device-missing"),
            Some(RuleId::DeviceMissing)
        );
        assert_eq!(RuleId::from_slug("Device-Missing"), None);
        assert_eq!(RuleId::from_slug(""), None);
    }
}
