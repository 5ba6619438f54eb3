//! Devices: each Intune device's owner, resolved once, and what the device lists
//! say about one another once linked ([`super::join`]).

use super::{lower, non_empty, Enrolment, Tenant, UserIx};
use crate::snapshot::intune_devices::IntuneDevice;
use crate::snapshot::lookout_devices::LookoutDevice;
use crate::snapshot::values::ActivationStatus;

/// An Intune device's owner as a read-only pass over the user index finds it.
enum Owner<'d> {
    None,
    Known(u32),
    /// Not known yet (or known with fewer identifiers): intern this UPN.
    New(&'d str),
}

impl Tenant {
    pub(super) fn index_intune_users(&mut self, devices: &[IntuneDevice]) {
        // Most owners are already known from the groups, with every identifier the
        // device carries: finding them only reads the index, so that pass runs in
        // parallel. The others are then interned one by one in device order,
        // which gives exactly what a single pass would.
        let found: Vec<Owner> = {
            use rayon::prelude::*;
            let this = &*self;
            devices.par_iter().map(|d| this.known_owner(d)).collect()
        };
        // Each owner interned may bring three keys (UPN, object id, mail). Sized once,
        // the index is not rehashed as it grows: a rehash looks up every user's keys
        // again, at random, and on a million-user tenant that was a tenth of the run.
        let new = found.iter().filter(|o| matches!(o, Owner::New(_))).count();
        self.user_by_key.reserve(new * 3);
        self.users.reserve(new);
        self.intune_owner = devices
            .iter()
            .zip(found)
            .map(|(d, owner)| match owner {
                Owner::None => None,
                Owner::Known(ix) => Some(ix),
                Owner::New(upn) => {
                    let ix = self.intern_user(
                        upn,
                        d.user_id.as_deref(),
                        d.email_address.as_deref(),
                        None,
                    );
                    u32::try_from(ix).ok()
                }
            })
            .collect();
    }

    /// The device's owner when interning it would change nothing.
    fn known_owner<'d>(&self, d: &'d IntuneDevice) -> Owner<'d> {
        let Some(upn) = non_empty(&d.user_principal_name) else {
            return Owner::None;
        };
        let Some(ix) = self.user_by_key.get(&self.users, &lower(upn)) else {
            return Owner::New(upn);
        };
        let user = &self.users[ix];
        let adds_id = user.object_id.is_none() && d.user_id.is_some();
        let adds_mail = user.mail.is_none()
            && d.email_address
                .as_deref()
                .is_some_and(|m| !m.trim().is_empty());
        match u32::try_from(ix) {
            Ok(ix) if !adds_id && !adds_mail => Owner::Known(ix),
            _ => Owner::New(upn),
        }
    }

    /// The primary user of an Intune device (the one [`IntuneDevice::owner`] names).
    pub fn intune_owner(&self, device: &IntuneDevice) -> Option<UserIx> {
        let ix = Self::index_in(&self.intune_devices, device)?;
        self.intune_owner[ix].map(|u| u as UserIx)
    }

    /// How an Intune device's primary user is in an enrollment group, if they are:
    /// [`Tenant::enrolment`] of its owner, without looking the owner up by name.
    pub fn intune_enrolment(&self, device: &IntuneDevice) -> Option<Enrolment> {
        self.intune_owner(device).and_then(|u| self.enrolled[u])
    }

    /// The position of a record in its list, when `item` is a reference into it.
    fn index_in<T>(list: &[T], item: &T) -> Option<usize> {
        let start = list.as_ptr() as usize;
        let at = item as *const T as usize;
        let size = std::mem::size_of::<T>().max(1);
        (at >= start && at < start + list.len() * size).then(|| (at - start) / size)
    }

    /// The Intune device a Lookout record's device ID points to.
    pub fn linked_intune(&self, device: &LookoutDevice) -> Option<&IntuneDevice> {
        let ix = Self::index_in(&self.lookout_devices, device)?;
        self.lookout_link[ix].map(|l| &self.intune_devices[l as usize])
    }

    /// Lookout records whose device ID points to this Intune device (by Intune id or
    /// Entra device id), deleted ones included, in file order.
    pub fn lookout_records_for(&self, device: &IntuneDevice) -> Vec<&LookoutDevice> {
        self.lookout_records_of(device).collect()
    }

    /// [`Tenant::lookout_records_for`] without collecting them.
    pub fn lookout_records_of<'t>(
        &'t self,
        device: &IntuneDevice,
    ) -> impl Iterator<Item = &'t LookoutDevice> + 't {
        let range = Self::index_in(&self.intune_devices, device).map_or(0..0, |ix| {
            self.records_start[ix] as usize..self.records_start[ix + 1] as usize
        });
        self.records_of[range]
            .iter()
            .map(|&r| &self.lookout_devices[r as usize])
    }

    /// Groups of Lookout records (indexes, file order) that share one device ID.
    pub fn duplicate_device_ids(&self) -> &[Vec<usize>] {
        &self.duplicate_ids
    }

    /// A name for a Lookout device: the Intune device name if linked, else its hardware.
    pub fn lookout_device_name(&self, device: &LookoutDevice) -> Option<String> {
        self.linked_intune(device)
            .and_then(|i| non_empty(&i.device_name).map(str::to_owned))
            .or_else(|| device.hardware_name().map(String::from))
    }

    /// Every identifier of a Lookout device and its Intune twin (for focus matching).
    pub fn lookout_device_ids<'a>(&'a self, device: &'a LookoutDevice) -> Vec<&'a str> {
        let mut ids = vec![device.guid.as_str()];
        ids.extend(device.device_id());
        if let Some(i) = self.linked_intune(device) {
            ids.push(i.id.as_str());
            ids.extend(i.entra_device_id());
        }
        ids
    }

    pub fn is_deleted(device: &LookoutDevice) -> bool {
        device.activation_status == Some(ActivationStatus::Deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::super::directory::tests::{identity, NAMES};
    use super::*;
    use crate::snapshot::Text;
    use proptest::prelude::*;

    proptest! {
        /// The owner pass (read-only and parallel, then the rest in order) leaves the
        /// directory and the owners exactly as interning every device in order does.
        #[test]
        fn owner_pass_equals_interning_in_order(
            members in proptest::collection::vec(identity(), 0..30),
            devices in proptest::collection::vec(identity(), 0..30),
        ) {
            use crate::snapshot::groups::{GroupRecord, MemberRecord};
            let members = members
                .into_iter()
                .map(|(upn, id, mail)| MemberRecord {
                    odata_type: Some("#microsoft.graph.user".into()),
                    id: id.map(Text::from),
                    user_principal_name: upn.map(Text::from),
                    mail: mail.map(Text::from),
                    display_name: None,
                })
                .collect();
            let directory = Tenant::directory(vec![GroupRecord {
                id: "g".into(),
                display_name: Some("G".into()),
                security_enabled: Some(true),
                members,
            }]);
            let devices: Vec<IntuneDevice> = devices
                .into_iter()
                .map(|(upn, user_id, email)| IntuneDevice {
                    id: "d".into(),
                    user_principal_name: upn.map(Text::from),
                    user_id: user_id.map(Text::from),
                    email_address: email.map(Text::from),
                    ..IntuneDevice::default()
                })
                .collect();
            let mut fast = directory.clone();
            fast.index_intune_users(&devices);
            let mut slow = directory;
            let owners: Vec<Option<u32>> = devices
                .iter()
                .map(|d| {
                    let upn = non_empty(&d.user_principal_name)?;
                    let ix = slow.intern_user(
                        upn,
                        d.user_id.as_deref(),
                        d.email_address.as_deref(),
                        None,
                    );
                    Some(ix as u32)
                })
                .collect();
            prop_assert_eq!(&fast.intune_owner, &owners);
            prop_assert_eq!(format!("{:?}", fast.users), format!("{:?}", slow.users));
            for key in NAMES {
                prop_assert_eq!(fast.user(key), slow.user(key));
            }
        }
    }
}
