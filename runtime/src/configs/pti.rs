//! PTI economics: the redistribution fund is pallet-treasury's pot (the council spends
//! it with `treasury.spend`), and pallet-pti sells media into it and onboards users with
//! claims and vouchers.

use frame_support::{
	parameter_types,
	traits::{
		tokens::{pay::PayFromAccount, UnityAssetBalanceConversion},
		ConstU32,
	},
	PalletId,
};
use frame_system::EnsureWithSuccess;
use sp_runtime::{traits::IdentityLookup, Perbill};

use super::consortium::CouncilTwoThirdsOrRoot;
use super::*;

/// The redistribution share of purchases at genesis (the original Store's 30 %).
pub const DEFAULT_REDISTRIBUTION_SHARE: Perbill = Perbill::from_percent(30);

parameter_types! {
	pub const TreasuryPalletId: PalletId = PalletId(*b"py/trsry");
	pub TreasuryAccount: AccountId = Treasury::account_id();
	/// Approved spends are paid out within a day.
	pub const SpendPayoutPeriod: BlockNumber = DAYS;
	/// The most one council motion may spend: the whole supply (the council is trusted
	/// with the fund; each spend is a ⅔ motion).
	pub const MaxTreasurySpend: Balance = Balance::MAX;
	pub const PtiPalletId: PalletId = PalletId(*b"py/ptipl");
	/// Governance may give the fund at most half of each purchase.
	pub const MaxRedistributionShare: Perbill = Perbill::from_percent(50);
	/// A standing ERC20 allowance: one storage item of two account ids and a balance.
	pub const AllowanceDeposit: Balance = super::revive::deposit(1, 32 + 32 + 16);
	/// Claims may pay at most 10,000 PTI a day in all.
	pub const MaxClaimedPerDay: Balance = 10_000 * PTI;
}

impl pallet_treasury::Config for Runtime {
	type Currency = Balances;
	type RejectOrigin = CouncilTwoThirdsOrRoot;
	type RuntimeEvent = RuntimeEvent;
	type SpendPeriod = ConstU32<DAYS>;
	// Nothing burns: the fund is the community's.
	type Burn = ();
	type PalletId = TreasuryPalletId;
	type BurnDestination = ();
	type WeightInfo = pallet_treasury::weights::SubstrateWeight<Runtime>;
	type SpendFunds = ();
	type MaxApprovals = ConstU32<100>;
	// A ⅔ council motion spends; root (through the whitelist) too.
	type SpendOrigin = EnsureWithSuccess<CouncilTwoThirdsOrRoot, AccountId, MaxTreasurySpend>;
	type AssetKind = ();
	type Beneficiary = AccountId;
	type BeneficiaryLookup = IdentityLookup<AccountId>;
	type Paymaster = PayFromAccount<Balances, TreasuryAccount>;
	type BalanceConverter = UnityAssetBalanceConversion;
	type PayoutPeriod = SpendPayoutPeriod;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
	type BlockNumberProvider = System;
}

impl pallet_pti::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type Media = Media;
	type Fund = TreasuryAccount;
	type AdminOrigin = CouncilTwoThirdsOrRoot;
	type PalletId = PtiPalletId;
	type MaxRedistributionShare = MaxRedistributionShare;
	type ClaimPeriod = ConstU32<DAYS>;
	type MaxClaimedPerPeriod = MaxClaimedPerDay;
	// Claims and vouchers expire within 30 days: their records are kept that long.
	type MaxLifetime = ConstU32<{ 30 * DAYS }>;
	// As polkadot's claims: above fee-less signed transactions, far below operational
	// ones. Spam is kept out by validity (each needs a fresh signature that pays).
	type UnsignedPriority = frame_support::traits::ConstU64<100>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AllowanceDeposit = AllowanceDeposit;
	type WeightInfo = pallet_pti::weights::SubstrateWeight<Runtime>;
}
