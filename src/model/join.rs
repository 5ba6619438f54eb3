//! Linking the two device lists: each Lookout record to the Intune device its device
//! ID names, and Lookout records that share a device ID.

use super::lower;
use crate::snapshot::intune_devices::IntuneDevice;
use crate::snapshot::lookout_devices::LookoutDevice;
use crate::snapshot::Text;
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;

/// What one bucket of [`DeviceLinks::build`]'s join finds.
struct JoinedBucket {
    /// Each of the bucket's Lookout records (by position) and its Intune device.
    links: Vec<(u32, Option<u32>)>,
    /// Records that share an id.
    duplicates: Vec<Vec<usize>>,
}

fn join_bucket(intune_ids: &[(IdKey, u32)], lookout_ids: &[(IdKey, u32)]) -> JoinedBucket {
    let mut intune_by_id: HashMap<&str, u32> = HashMap::default();
    intune_by_id.reserve(intune_ids.len());
    for (id, ix) in intune_ids {
        intune_by_id.entry(id.as_str()).or_insert(*ix);
    }
    let mut first_with_id: HashMap<&str, u32> = HashMap::default();
    first_with_id.reserve(lookout_ids.len());
    let mut groups: HashMap<u32, Vec<usize>> = HashMap::default();
    let links = lookout_ids
        .iter()
        .map(|(id, ix)| {
            let first = *first_with_id.entry(id.as_str()).or_insert(*ix);
            if first != *ix {
                groups
                    .entry(first)
                    .or_insert_with(|| vec![first as usize])
                    .push(*ix as usize);
            }
            (*ix, intune_by_id.get(id.as_str()).copied())
        })
        .collect();
    JoinedBucket {
        links,
        duplicates: groups.into_values().collect(),
    }
}

/// Buckets of a hash join: enough that one bucket's table fits in a core's cache on
/// the largest tenants, few enough that small ones do not notice them.
const PARTITIONS: usize = 256;

/// An id (trimmed, lower-case) as a bucket keeps it: copied when it fits a compact
/// string's inline bytes, so that a bucket's keys sit together in memory; borrowed
/// from its record when it is longer (GUIDs are), where a copy would allocate.
enum IdKey<'a> {
    Copied(Text),
    Borrowed(Cow<'a, str>),
}

impl IdKey<'_> {
    fn as_str(&self) -> &str {
        match self {
            IdKey::Copied(id) => id,
            IdKey::Borrowed(id) => id,
        }
    }
}

/// Ids with their record's position, bucketed by hash; each bucket keeps the order
/// the ids were pushed in.
struct Partitioned<'a> {
    parts: Vec<Vec<(IdKey<'a>, u32)>>,
}

impl<'a> Partitioned<'a> {
    fn with_capacity(ids: usize) -> Partitioned<'a> {
        let each = ids / PARTITIONS + ids / (PARTITIONS * 8) + 1;
        Partitioned {
            parts: (0..PARTITIONS).map(|_| Vec::with_capacity(each)).collect(),
        }
    }

    fn push(&mut self, id: &'a str, ix: usize) {
        let id = match lower(id) {
            Cow::Borrowed(short) if short.len() <= std::mem::size_of::<Text>() => {
                IdKey::Copied(Text::from(short))
            }
            long => IdKey::Borrowed(long),
        };
        let hash = std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, id.as_str());
        // Middle bits: a bucket's table places entries by the low bits and tells
        // them apart by the top seven, which must not be the same for all of them.
        let part = (hash >> 40) as usize % PARTITIONS;
        self.parts[part].push((id, ix as u32));
    }
}

/// How the two device lists point at each other, resolved once.
pub(super) struct DeviceLinks {
    pub(super) lookout_link: Vec<Option<u32>>,
    pub(super) records_start: Vec<u32>,
    pub(super) records_of: Vec<u32>,
    pub(super) duplicate_ids: Vec<Vec<usize>>,
}

impl DeviceLinks {
    /// Resolves every Lookout device ID to its Intune device once, and groups records
    /// that share a device ID.
    ///
    /// This is a join of two lists of up to millions of ids, done as a partitioned
    /// hash join: each id is copied, with its record's position, into one of
    /// [`PARTITIONS`] buckets by its hash, in list order; then each bucket is joined
    /// with a hash table small enough to stay in the processor's cache. One big table
    /// would cost a cache miss per id, which on a million-device tenant made this
    /// the slowest part of building the model. Equal ids always share a bucket and
    /// keep their list order in it, so the result is exactly a one-table join's.
    pub(super) fn build(
        intune_devices: &[IntuneDevice],
        lookout_devices: &[LookoutDevice],
    ) -> DeviceLinks {
        // An Intune device is found by its id or its Entra device id, the first
        // device (in file order) to carry an id winning.
        let mut intune_ids = Partitioned::with_capacity(intune_devices.len() * 2);
        for (ix, d) in intune_devices.iter().enumerate() {
            intune_ids.push(&d.id, ix);
            if let Some(aad) = d.entra_device_id() {
                intune_ids.push(aad, ix);
            }
        }
        let mut lookout_ids = Partitioned::with_capacity(lookout_devices.len());
        for (ix, d) in lookout_devices.iter().enumerate() {
            if let Some(id) = d.device_id() {
                lookout_ids.push(id, ix);
            }
        }
        // The buckets are independent: they are joined in parallel, each giving the
        // links of its Lookout records and its groups of duplicates.
        use rayon::prelude::*;
        let joined: Vec<JoinedBucket> = intune_ids
            .parts
            .par_iter()
            .zip(&lookout_ids.parts)
            .map(|(intune_part, lookout_part)| join_bucket(intune_part, lookout_part))
            .collect();
        let mut links = vec![None; lookout_devices.len()];
        let mut duplicates: Vec<Vec<usize>> = Vec::new();
        for bucket in joined {
            for (ix, link) in bucket.links {
                links[ix as usize] = link;
            }
            duplicates.extend(bucket.duplicates);
        }
        duplicates.sort_unstable();
        // Intune device -> its records, as one flat list with offsets.
        let mut start = vec![0u32; intune_devices.len() + 1];
        for &l in links.iter().flatten() {
            start[l as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut fill = start.clone();
        let mut records = vec![0u32; links.iter().flatten().count()];
        for (ix, l) in links.iter().enumerate() {
            if let Some(l) = *l {
                records[fill[l as usize] as usize] = ix as u32;
                fill[l as usize] += 1;
            }
        }
        DeviceLinks {
            lookout_link: links,
            records_start: start,
            records_of: records,
            duplicate_ids: duplicates,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::lookout_devices::Details;
    use proptest::prelude::*;

    /// Short and long ids, in several spellings of the same id, and blanks: enough
    /// overlap for every kind of collision the join must resolve.
    const IDS: &[&str] = &[
        "d-1",
        "D-1",
        " d-1 ",
        "d-2",
        "aad-1",
        "00000000-0000-0000-0000-000000000000",
        "830217b0-1c50-4d1b-90b3-232493251ec7",
        "830217B0-1C50-4D1B-90B3-232493251EC7",
        "9a73bc23-c7c2-523c-97c1-604cb5e53d2e",
        "",
    ];

    fn id() -> impl Strategy<Value = Option<&'static str>> {
        proptest::option::of(proptest::sample::select(IDS))
    }

    /// The join as one table and one pass: what the partitioned join must equal.
    fn one_table_join(intune: &[IntuneDevice], lookout: &[LookoutDevice]) -> DeviceLinks {
        let mut by_id: HashMap<String, u32> = HashMap::default();
        for (ix, d) in intune.iter().enumerate() {
            by_id.entry(lower(&d.id).into_owned()).or_insert(ix as u32);
            if let Some(aad) = d.entra_device_id() {
                by_id.entry(lower(aad).into_owned()).or_insert(ix as u32);
            }
        }
        let mut first: HashMap<String, usize> = HashMap::default();
        let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        let mut links = Vec::new();
        for (ix, d) in lookout.iter().enumerate() {
            let id = d.device_id().map(|i| lower(i).into_owned());
            links.push(id.as_ref().and_then(|i| by_id.get(i).copied()));
            if let Some(id) = id {
                let f = *first.entry(id).or_insert(ix);
                if f != ix {
                    groups.entry(f).or_insert_with(|| vec![f]).push(ix);
                }
            }
        }
        DeviceLinks {
            lookout_link: links,
            records_start: Vec::new(),
            records_of: Vec::new(),
            duplicate_ids: groups.into_values().collect(),
        }
    }

    proptest! {
        #[test]
        fn partitioned_join_equals_one_table(
            intune in proptest::collection::vec((proptest::sample::select(IDS), id()), 0..40),
            lookout in proptest::collection::vec(id(), 0..40),
        ) {
            let intune: Vec<IntuneDevice> = intune
                .into_iter()
                .map(|(id, aad)| IntuneDevice {
                    id: id.into(),
                    azure_ad_device_id: aad.map(Text::from),
                    ..IntuneDevice::default()
                })
                .collect();
            let lookout: Vec<LookoutDevice> = lookout
                .into_iter()
                .map(|id| LookoutDevice {
                    details: Details { external_id: id.map(Text::from) },
                    ..LookoutDevice::default()
                })
                .collect();
            let got = DeviceLinks::build(&intune, &lookout);
            let want = one_table_join(&intune, &lookout);
            prop_assert_eq!(&got.lookout_link, &want.lookout_link);
            prop_assert_eq!(&got.duplicate_ids, &want.duplicate_ids);
            // Every link appears once in the Intune side's record lists.
            for (l, link) in got.lookout_link.iter().enumerate() {
                if let Some(i) = link {
                    let i = *i as usize;
                    let records = &got.records_of
                        [got.records_start[i] as usize..got.records_start[i + 1] as usize];
                    prop_assert!(records.contains(&(l as u32)));
                }
            }
            prop_assert_eq!(got.records_of.len(), got.lookout_link.iter().flatten().count());
        }
    }
}
