//! Storage migrations of the users pallet.

use crate::pallet::*;
use frame_support::{
	migrations::VersionedMigration,
	pallet_prelude::*,
	storage::{storage_prefix, unhashed},
	traits::{PalletInfoAccess, UncheckedOnRuntimeUpgrade},
};

/// Version 1: views are deduplicated per window in `ViewsSeen`; version 0's `LastView`
/// (one entry per viewer and item, never removed) goes.
pub mod v1 {
	use super::*;

	/// Removes every `LastView` entry. The current window starts empty: a viewer counted
	/// in the hour before the upgrade may be counted once more in it.
	pub struct InnerMigrateV0ToV1<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let prefix = storage_prefix(Pallet::<T>::name().as_bytes(), b"LastView");
			let removed = unhashed::clear_prefix(&prefix, None, None).unique as u64;
			T::DbWeight::get().writes(removed.saturating_add(1))
		}
	}

	/// The migration, run only while the pallet's on-chain storage version is 0.
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
