//! Storage migrations of the ad exchange.

use crate::pallet::*;
use frame_support::{
	migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::AccountId32;

/// Version 1: a campaign records the storage deposit it holds, and only each campaign's
/// last outcome is kept.
pub mod v1 {
	use super::*;

	/// A campaign as version 0 stored it (runtime 110): no deposit.
	#[derive(Encode, Decode)]
	#[allow(dead_code)]
	pub struct OldCampaign<T: Config> {
		pub advertiser: AccountId32,
		pub budget: u128,
		pub settled: u128,
		pub claimed: u128,
		pub refunded: u128,
		pub max_price_per_view: u128,
		pub shares: Shares,
		pub validators: BoundedVec<AccountId32, T::MaxValidators>,
		pub accepted: u32,
		pub participants: BoundedVec<AccountId32, T::MaxParticipants>,
		pub auditor: Option<AccountId32>,
		pub valid_until: BlockNumberFor<T>,
		pub challenge_period: BlockNumberFor<T>,
		pub spec_hash: H256,
		pub balance_root: H256,
		pub next_block: crate::ChannelBlock,
		pub status: CampaignStatus,
	}

	/// Campaigns created before the deposit hold none (`deposit: 0`: reaping them
	/// releases nothing), and the per-block outcomes of version 0 — keyed by campaign and
	/// block, under the same prefix as today's per-campaign map — are removed: their
	/// history is in the events.
	pub struct InnerMigrateV0ToV1<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut campaigns = 0u64;
			Campaigns::<T>::translate::<OldCampaign<T>, _>(|_, old| {
				campaigns += 1;
				Some(Campaign {
					advertiser: old.advertiser,
					budget: old.budget,
					settled: old.settled,
					claimed: old.claimed,
					refunded: old.refunded,
					deposit: 0,
					max_price_per_view: old.max_price_per_view,
					shares: old.shares,
					validators: old.validators,
					accepted: old.accepted,
					participants: old.participants,
					auditor: old.auditor,
					valid_until: old.valid_until,
					challenge_period: old.challenge_period,
					spec_hash: old.spec_hash,
					balance_root: old.balance_root,
					next_block: old.next_block,
					status: old.status,
				})
			});
			let outcomes = Outcomes::<T>::clear(u32::MAX, None).unique as u64;
			T::DbWeight::get().reads_writes(campaigns, campaigns.saturating_add(outcomes))
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
