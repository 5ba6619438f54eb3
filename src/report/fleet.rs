//! The fleet at a glance, for the HTML report's charts: how the Lookout devices are
//! activated and protected, how long ago they checked in, and which OS versions the
//! Intune mobile devices run against the minimums lookout.json configures. Counted
//! once when the report is built (printers only draw them); counts and version
//! numbers only, so nothing here quotes a tenant's identifiers.

use crate::model::Tenant;
use crate::snapshot::lookout_config::DEFAULT_DISCONNECTED_AFTER_DAYS;
use crate::snapshot::time::Time;
use crate::snapshot::values::{ActivationStatus, MobilePlatform, ProtectionStatus};
use crate::version;
use chrono::Duration;
use std::cmp::Ordering;

/// One part of a status mix: a stable key (`activated`, `other`, `none`) and its count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice {
    pub key: &'static str,
    pub count: usize,
}

/// Last check-ins of activated devices, by age at the judging time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckinAges {
    /// Devices whose age falls in `[from_days, to_days)` days (`to_days` None: open),
    /// youngest first; the last bucket is past the disconnected threshold.
    pub buckets: Vec<AgeBucket>,
    /// No check-in or activation time at all.
    pub never: usize,
    /// Recorded after the judging time.
    pub after_as_of: usize,
    /// The threshold Lookout applies (the configured one, held to 1-90 days).
    pub disconnected_after_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgeBucket {
    pub from_days: i64,
    /// Exclusive; `None` for "more than `from_days`".
    pub to_days: Option<i64>,
    pub count: usize,
    /// Past the disconnected threshold: these devices count as disconnected.
    pub stale: bool,
}

/// The OS versions of one platform's Intune devices, by major version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsVersions {
    pub platform: MobilePlatform,
    /// The minimum lookout.json configures for the platform, as written.
    pub minimum: Option<String>,
    /// Ascending by major version.
    pub majors: Vec<OsMajor>,
    /// Devices with no version, or one that does not start with a number.
    pub unknown: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsMajor {
    pub major: u64,
    /// At or above the minimum (all of them when no minimum is configured).
    pub supported: usize,
    /// Below the configured minimum: Lookout does not run on these.
    pub below_minimum: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fleet {
    pub lookout_devices: usize,
    /// Every Lookout record by activation status.
    pub activation: Vec<Slice>,
    /// Activated records by protection status.
    pub protection: Vec<Slice>,
    pub checkins: CheckinAges,
    /// Android then iOS; a platform with no device and no minimum is left out.
    pub os_versions: Vec<OsVersions>,
}

/// Adds one to the slice with `key`, appending it the first time; ordered later.
fn bump(slices: &mut Vec<Slice>, key: &'static str) {
    match slices.iter_mut().find(|s| s.key == key) {
        Some(s) => s.count += 1,
        None => slices.push(Slice { key, count: 1 }),
    }
}

/// The slices in the order of `keys`, empty ones left out.
fn ordered(mut slices: Vec<Slice>, keys: &[&str]) -> Vec<Slice> {
    slices.sort_by_key(|s| keys.iter().position(|k| *k == s.key));
    slices
}

pub const ACTIVATION_KEYS: &[&str] = &[
    "activated",
    "pending",
    "deactivated",
    "deleted",
    "other",
    "none",
];
pub const PROTECTION_KEYS: &[&str] = &["protected", "disconnected", "uninstalled", "other", "none"];

pub fn build(t: &Tenant, as_of: Time) -> Fleet {
    let mut activation = Vec::new();
    let mut protection = Vec::new();
    let threshold = disconnected_threshold(t.config.disconnected_after_days());
    let mut checkins = CheckinAges {
        buckets: age_buckets(threshold),
        disconnected_after_days: threshold,
        ..CheckinAges::default()
    };
    for d in &t.lookout_devices {
        bump(
            &mut activation,
            match &d.activation_status {
                Some(ActivationStatus::Activated) => "activated",
                Some(ActivationStatus::Pending) => "pending",
                Some(ActivationStatus::Deactivated) => "deactivated",
                Some(ActivationStatus::Deleted) => "deleted",
                Some(ActivationStatus::Other(_)) => "other",
                None => "none",
            },
        );
        if d.activation_status != Some(ActivationStatus::Activated) {
            continue;
        }
        bump(
            &mut protection,
            match &d.protection_status {
                Some(ProtectionStatus::Protected) => "protected",
                Some(ProtectionStatus::Disconnected) => "disconnected",
                Some(ProtectionStatus::Uninstalled) => "uninstalled",
                Some(ProtectionStatus::Other(_)) => "other",
                None => "none",
            },
        );
        // The last contact as device-disconnected judges it.
        match d.checkin_time.or(d.activated_at) {
            None => checkins.never += 1,
            Some(at) if at > as_of => checkins.after_as_of += 1,
            Some(at) => {
                // Stale past the threshold to the second, as the rule counts.
                let age = as_of - at;
                let stale = age > Duration::days(threshold);
                let buckets = &mut checkins.buckets;
                let at = match buckets
                    .iter()
                    .position(|b| b.to_days.is_some_and(|to| age < Duration::days(to)))
                {
                    _ if stale => buckets.len() - 1,
                    Some(at) => at,
                    // Exactly at the threshold: not yet disconnected.
                    None => buckets.len().saturating_sub(2),
                };
                buckets[at].count += 1;
            }
        }
    }
    let os_versions = [MobilePlatform::Android, MobilePlatform::Ios]
        .into_iter()
        .filter_map(|p| os_versions(t, p))
        .collect();
    Fleet {
        lookout_devices: t.lookout_devices.len(),
        activation: ordered(activation, ACTIVATION_KEYS),
        protection: ordered(protection, PROTECTION_KEYS),
        checkins,
        os_versions,
    }
}

/// The threshold Lookout applies: the configured value held to the 1-90 days the
/// console accepts, as device-disconnected applies it.
fn disconnected_threshold(configured: i64) -> i64 {
    if configured < 1 {
        DEFAULT_DISCONNECTED_AFTER_DAYS
    } else {
        configured.min(90)
    }
}

/// Under a day, up to a week, up to the threshold, past it (device-disconnected's
/// "more than the threshold").
fn age_buckets(threshold: i64) -> Vec<AgeBucket> {
    let mut edges = vec![0, 1];
    if threshold > 8 {
        edges.push(8);
    }
    if threshold > 1 {
        edges.push(threshold + 1);
    }
    let mut buckets: Vec<AgeBucket> = edges
        .windows(2)
        .map(|w| AgeBucket {
            from_days: w[0],
            to_days: Some(w[1]),
            count: 0,
            stale: false,
        })
        .collect();
    // The bucket before the stale one ends at the threshold itself.
    if let Some(last) = buckets.last_mut() {
        last.to_days = Some(threshold);
    }
    buckets.push(AgeBucket {
        from_days: threshold,
        to_days: None,
        count: 0,
        stale: true,
    });
    buckets
}

fn os_versions(t: &Tenant, platform: MobilePlatform) -> Option<OsVersions> {
    let minimum = match platform {
        MobilePlatform::Android => t.config.min_os_versions.android.as_deref(),
        MobilePlatform::Ios => t.config.min_os_versions.ios.as_deref(),
    }
    .map(str::trim)
    .filter(|m| !m.is_empty());
    let mut majors: Vec<OsMajor> = Vec::new();
    let mut unknown = 0;
    let mut devices = 0;
    for d in &t.intune_devices {
        let on_platform = d
            .operating_system
            .as_ref()
            .and_then(|os| os.mobile_platform())
            == Some(platform);
        if !on_platform {
            continue;
        }
        devices += 1;
        let version = d.os_version.as_deref().map(str::trim).unwrap_or_default();
        let Some(major) = major_of(version) else {
            unknown += 1;
            continue;
        };
        let below = minimum.and_then(|m| version::compare(version, m)) == Some(Ordering::Less);
        let at = match majors.binary_search_by_key(&major, |m| m.major) {
            Ok(at) => at,
            Err(at) => {
                majors.insert(
                    at,
                    OsMajor {
                        major,
                        supported: 0,
                        below_minimum: 0,
                    },
                );
                at
            }
        };
        if below {
            majors[at].below_minimum += 1;
        } else {
            majors[at].supported += 1;
        }
    }
    (devices > 0 || minimum.is_some()).then(|| OsVersions {
        platform,
        minimum: minimum.map(str::to_owned),
        majors,
        unknown,
    })
}

/// The leading number of a version ("16" of "16.4.1"), if it starts with one.
fn major_of(version: &str) -> Option<u64> {
    let digits: String = version.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_buckets_end_at_the_threshold() {
        let b = age_buckets(30);
        let edges: Vec<_> = b
            .iter()
            .map(|b| (b.from_days, b.to_days, b.stale))
            .collect();
        assert_eq!(
            edges,
            [
                (0, Some(1), false),
                (1, Some(8), false),
                (8, Some(30), false),
                (30, None, true)
            ]
        );
        let short: Vec<_> = age_buckets(1)
            .iter()
            .map(|b| (b.from_days, b.to_days))
            .collect();
        assert_eq!(short, [(0, Some(1)), (1, None)]);
        let week: Vec<_> = age_buckets(5)
            .iter()
            .map(|b| (b.from_days, b.to_days))
            .collect();
        assert_eq!(week, [(0, Some(1)), (1, Some(5)), (5, None)]);
    }

    #[test]
    fn major_versions() {
        assert_eq!(major_of("16.4.1"), Some(16));
        assert_eq!(major_of("9"), Some(9));
        assert_eq!(major_of("beta"), None);
        assert_eq!(major_of(""), None);
    }
}
