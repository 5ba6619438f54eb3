//! The closed value sets of the exports (activation status, protection status, ...).
//! Matching ignores letter case; a value outside the set is kept as `Other` and
//! reported by the loader, never a crash.

use serde::{Deserialize, Deserializer};

macro_rules! value_set {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => [$($spelling:literal),+]),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// A value outside the known set, as written in the export.
            Other(String),
        }

        impl $name {
            /// Reads a value; empty means "not set".
            pub fn parse(raw: &str) -> Option<$name> {
                let s = raw.trim();
                if s.is_empty() {
                    return None;
                }
                $(if [$($spelling),+].iter().any(|k: &&str| k.eq_ignore_ascii_case(s)) {
                    return Some($name::$variant);
                })+
                Some($name::Other(s.to_string()))
            }

            /// The canonical spelling (the first listed), or the raw unknown value.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => [$($spelling),+][0],)+
                    $name::Other(s) => s,
                }
            }

            /// The value as written, when it is outside the known set.
            pub fn unknown(&self) -> Option<&str> {
                match self {
                    $name::Other(s) => Some(s),
                    _ => None,
                }
            }

            pub fn deserialize_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<$name>, D::Error> {
                let raw: Option<std::borrow::Cow<'de, str>> = Option::deserialize(d)?;
                Ok(raw.and_then(|s| $name::parse(&s)))
            }
        }
    };
}

value_set!(
    /// Lookout `activation_status`.
    ActivationStatus {
        Pending => ["PENDING"],
        Activated => ["ACTIVATED", "ACTIVE"],
        Deactivated => ["DEACTIVATED"],
        Deleted => ["DELETED"],
    }
);

value_set!(
    /// Lookout `protection_status`.
    ProtectionStatus {
        Protected => ["PROTECTED"],
        Disconnected => ["DISCONNECTED"],
        Uninstalled => ["UNINSTALLED"],
    }
);

value_set!(
    /// Lookout `security_status`, including the older THREAT_* spellings.
    SecurityStatus {
        Secure => ["SECURE"],
        ThreatsLow => ["THREATS_LOW", "THREAT_LOW"],
        ThreatsMedium => ["THREATS_MEDIUM", "THREAT_MEDIUM"],
        ThreatsHigh => ["THREATS_HIGH", "THREAT_HIGH"],
    }
);

value_set!(
    /// Lookout `platform`.
    LookoutPlatform {
        Android => ["ANDROID"],
        Ios => ["IOS"],
        Unknown => ["UNKNOWN"],
    }
);

value_set!(
    /// The kind of system an Intune device runs. Graph's `operatingSystem` says
    /// `iOS`, `iPadOS`, `Android`; the admin center's `OS` column says `iOS/iPadOS` and
    /// names the Android Enterprise kind; Entra writes `AndroidForWork`.
    OsKind {
        Android => [
            "Android",
            "Android (personally-owned work profile)",
            "Android (corporate-owned work profile)",
            "Android (fully managed)",
            "Android (dedicated)",
            "Android (device administrator)",
            "Android Enterprise",
            "AndroidEnterprise",
            "AndroidForWork",
            "AndroidAOSP"
        ],
        Ios => ["iOS", "iPhone", "iOS/iPadOS"],
        IpadOs => ["iPadOS", "iPad"],
        Windows => ["Windows", "Windows 10", "Windows 11"],
        MacOs => ["macOS", "MacMDM", "Mac"],
        Linux => ["Linux"],
        ChromeOs => ["ChromeOS"],
        Unknown => ["Unknown"],
    }
);

/// Intune's operating system of a device: what kind it is, and the label the export
/// wrote (`iOS/iPadOS`, `Android (fully managed)`), which is what evidence shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OperatingSystem {
    pub kind: OsKind,
    label: super::Text,
}

impl OperatingSystem {
    /// Reads a value; empty means "not set".
    pub fn parse(raw: &str) -> Option<OperatingSystem> {
        OsKind::parse(raw).map(|kind| OperatingSystem {
            kind,
            label: raw.trim().into(),
        })
    }

    /// The label as the export wrote it.
    pub fn as_str(&self) -> &str {
        &self.label
    }

    /// The label, when it is no known system.
    pub fn unknown(&self) -> Option<&str> {
        self.kind.unknown()
    }

    /// The Lookout for Work platform of a device, or `None` if Lookout does not run on it.
    pub fn mobile_platform(&self) -> Option<MobilePlatform> {
        match self.kind {
            OsKind::Android => Some(MobilePlatform::Android),
            OsKind::Ios | OsKind::IpadOs => Some(MobilePlatform::Ios),
            _ => None,
        }
    }

    pub fn deserialize_opt<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OperatingSystem>, D::Error> {
        let raw: Option<std::borrow::Cow<'de, str>> = Option::deserialize(d)?;
        Ok(raw.and_then(|s| OperatingSystem::parse(&s)))
    }
}

value_set!(
    /// Graph `mobileThreatDefenseConnector.partnerState`: the documented values (the
    /// beta reference lists the last three; v1.0 returns them too).
    PartnerState {
        Unavailable => ["unavailable"],
        Available => ["available"],
        Enabled => ["enabled"],
        Unresponsive => ["unresponsive"],
        NotSetUp => ["notSetUp"],
        Error => ["error"],
        UnknownFutureValue => ["unknownFutureValue"],
    }
);

/// The two platforms Lookout for Work supports (iPadOS counts as iOS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MobilePlatform {
    Android,
    Ios,
}

impl SecurityStatus {
    /// The threat level of a THREATS_* status.
    pub fn threat_level(&self) -> Option<&'static str> {
        match self {
            SecurityStatus::ThreatsHigh => Some("high"),
            SecurityStatus::ThreatsMedium => Some("medium"),
            SecurityStatus::ThreatsLow => Some("low"),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_case_and_unknown_values() {
        assert_eq!(
            ActivationStatus::parse("activated"),
            Some(ActivationStatus::Activated)
        );
        assert_eq!(
            ActivationStatus::parse(" Pending "),
            Some(ActivationStatus::Pending)
        );
        assert_eq!(ActivationStatus::parse(""), None);
        let odd = ActivationStatus::parse("SUSPENDED").unwrap();
        assert_eq!(odd.unknown(), Some("SUSPENDED"));
        assert_eq!(odd.as_str(), "SUSPENDED");
        assert_eq!(ActivationStatus::Activated.unknown(), None);
        assert_eq!(
            SecurityStatus::parse("threat_high"),
            Some(SecurityStatus::ThreatsHigh)
        );
        assert_eq!(
            OperatingSystem::parse("ipados").unwrap().mobile_platform(),
            Some(MobilePlatform::Ios)
        );
        assert_eq!(
            OperatingSystem::parse("Windows").unwrap().mobile_platform(),
            None
        );
    }

    /// The admin center's `OS` column and Entra's values, in any letter case, with the
    /// label kept as written.
    #[test]
    fn admin_center_and_entra_labels() {
        for (label, platform) in [
            ("iOS/iPadOS", MobilePlatform::Ios),
            ("IOS/IPADOS", MobilePlatform::Ios),
            (
                "Android (personally-owned work profile)",
                MobilePlatform::Android,
            ),
            (
                "Android (Corporate-Owned Work Profile)",
                MobilePlatform::Android,
            ),
            ("Android (fully managed)", MobilePlatform::Android),
            ("Android (dedicated)", MobilePlatform::Android),
            ("Android (device administrator)", MobilePlatform::Android),
            ("Android Enterprise", MobilePlatform::Android),
            ("AndroidEnterprise", MobilePlatform::Android),
            ("androidforwork", MobilePlatform::Android),
        ] {
            let os = OperatingSystem::parse(&format!(" {label} ")).unwrap();
            assert_eq!(os.mobile_platform(), Some(platform), "{label}");
            assert_eq!(os.unknown(), None, "{label}");
            assert_eq!(os.as_str(), label);
        }
        let odd = OperatingSystem::parse("Tizen").unwrap();
        assert_eq!(
            (odd.unknown(), odd.mobile_platform()),
            (Some("Tizen"), None)
        );
    }
}
