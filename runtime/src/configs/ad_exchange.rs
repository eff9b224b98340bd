//! The ad exchange: campaigns escrow PTI, bonded ad validators settle channel blocks,
//! slashed bonds go to the redistribution fund (the treasury's pot), and the council
//! admits validators to the registry and resolves deadlocked disputes.

use frame_support::{parameter_types, traits::ConstU32, PalletId};
use sp_runtime::Perbill;

use super::consortium::CouncilTwoThirdsOrRoot;
use super::pti::TreasuryAccount;
use super::*;

parameter_types! {
	pub const AdExchangePalletId: PalletId = PalletId(*b"py/adexc");
	/// What a validator risks: 10 % of it per losing result.
	pub const AdValidatorBond: Balance = 1_000 * PTI;
	pub const AdValidatorSlash: Perbill = Perbill::from_percent(10);
	/// Makes a frivolous dispute cost more than the fees of the calls it causes.
	pub const AdDisputeBond: Balance = 100 * PTI;
	pub const MinCampaignBudget: Balance = PTI;
	/// What a campaign's record (up to 8 validators, 16 participants: about 1 KB) and its
	/// last outcome cost in storage, at the EVM's storage-deposit prices (revive.rs).
	pub const CampaignDeposit: Balance = super::revive::deposit(2, 1_300);
}

impl pallet_ad_exchange::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Fund = TreasuryAccount;
	type GovernanceOrigin = CouncilTwoThirdsOrRoot;
	type PalletId = AdExchangePalletId;
	type MaxValidators = ConstU32<8>;
	type MaxParticipants = ConstU32<{ paratii_primitives::adx::MAX_PARTS as u32 }>;
	type MaxDisputeValidators = ConstU32<8>;
	type MaxRegistered = ConstU32<64>;
	type MaxLocationLength = ConstU32<256>;
	type MaxProofLength = ConstU32<32>;
	type ValidatorBond = AdValidatorBond;
	type DisputeBond = AdDisputeBond;
	type SlashFraction = AdValidatorSlash;
	type UnbondingPeriod = ConstU32<{ 7 * DAYS }>;
	// A minute of parts, then ten minutes for validators to fetch, process and post.
	type CollectionWindow = ConstU32<MINUTES>;
	type ResultWindow = ConstU32<{ 10 * MINUTES }>;
	type DisputePeriod = ConstU32<HOURS>;
	// The panel is drawn from the hash of a block a minute after the dispute opens
	// (two blocks in the test build): unknown to whoever submits the dispute.
	type PanelDrawDelay = ConstU32<{ crate::shipped_or_fast(MINUTES, 2) }>;
	// A day after `valid_until` for the advertiser to close its campaign; anyone after.
	type CloseGracePeriod = ConstU32<{ crate::shipped_or_fast(DAYS, 5) }>;
	// Ten minutes for anyone to dispute an underpaying result before it settles (two
	// blocks in the test build).
	type MinChallengePeriod = ConstU32<{ crate::shipped_or_fast(10 * MINUTES, 2) }>;
	type MaxChallengePeriod = ConstU32<DAYS>;
	type MaxCampaignDuration = ConstU32<{ 365 * DAYS }>;
	type MinBudget = MinCampaignBudget;
	type CampaignDeposit = CampaignDeposit;
	type WeightInfo = pallet_ad_exchange::weights::SubstrateWeight<Runtime>;
}
