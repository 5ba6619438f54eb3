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
    /// Intune `operatingSystem`. Only the mobile ones matter to Lookout for Work.
    OperatingSystem {
        Android => ["Android", "AndroidEnterprise", "AndroidForWork", "Android (personally-owned work profile)", "AndroidAOSP"],
        Ios => ["iOS", "iPhone"],
        IpadOs => ["iPadOS", "iPad"],
        Windows => ["Windows", "Windows 10", "Windows 11"],
        MacOs => ["macOS", "MacMDM", "Mac"],
        Linux => ["Linux"],
        ChromeOs => ["ChromeOS"],
        Unknown => ["Unknown"],
    }
);

impl OperatingSystem {
    /// The Lookout for Work platform of a device, or `None` if Lookout does not run on it.
    pub fn mobile_platform(&self) -> Option<MobilePlatform> {
        match self {
            OperatingSystem::Android => Some(MobilePlatform::Android),
            OperatingSystem::Ios | OperatingSystem::IpadOs => Some(MobilePlatform::Ios),
            _ => None,
        }
    }
}

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
}
