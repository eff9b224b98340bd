//! Pay as you watch: payment channels from viewers to gateway operators, settled per
//! media item into the owners' accounts and the redistribution fund (the treasury's
//! pot), with the PTI pallet's redistribution share.

use frame_support::{
	parameter_types,
	traits::{ConstU32, Get},
};
use sp_runtime::Perbill;

use super::pti::TreasuryAccount;
use super::*;

/// Items one channel pays at most: a month of a viewing habit.
pub const MAX_MEDIA_PER_CHANNEL: u32 = 128;

parameter_types! {
	/// A channel's record (two accounts, a key, two balances, a block, a count) and a
	/// settled amount per item it may pay.
	pub const ChannelDeposit: Balance = super::revive::deposit(
		1 + MAX_MEDIA_PER_CHANNEL,
		32 + 32 + 32 + 16 + 16 + 4 + 4 + MAX_MEDIA_PER_CHANNEL * (8 + 8 + 16 + 16),
	);
}

/// The fund's part of each payment: the PTI pallet's redistribution share, as for
/// purchases.
pub struct PtiRedistributionShare;
impl Get<Perbill> for PtiRedistributionShare {
	fn get() -> Perbill {
		pallet_pti::RedistributionShare::<Runtime>::get()
	}
}

impl pallet_micropay::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Media = Media;
	type Fund = TreasuryAccount;
	type RedistributionShare = PtiRedistributionShare;
	type ChannelDeposit = ChannelDeposit;
	type MaxMediaPerChannel = ConstU32<MAX_MEDIA_PER_CHANNEL>;
	type MaxVouchersPerSettlement = ConstU32<64>;
	// A channel lives at most 90 days; payees settle within a day of its expiry.
	type MaxLifetime = ConstU32<{ 90 * DAYS }>;
	type ChallengePeriod = ConstU32<{ shipped_or_fast(DAYS, 5) }>;
	type WeightInfo = pallet_micropay::weights::SubstrateWeight<Runtime>;
}
