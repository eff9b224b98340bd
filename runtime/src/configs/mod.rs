//! Pallet configurations: one `impl pallet_x::Config for Runtime` block per pallet,
//! with the parameters it needs beside it. Split per domain as this file grows.

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_MILLIS},
		ConstantMultiplier, Weight,
	},
};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{FixedPointNumber, Perbill};
use sp_version::RuntimeVersion;

mod ad_exchange;
mod beefy;
mod consortium;
mod media;
mod micropay;
mod pti;
mod revive;
pub use ad_exchange::AdValidatorBond;
pub use consortium::{
	CouncilCollective, CouncilMajorityOrRoot, CouncilTwoThirdsOrRoot, MIN_VALIDATORS,
	PRODUCTION_MIN_VALIDATORS,
};
pub use media::REPLICATION_FACTOR;
pub use pti::{AllowanceDeposit, TreasuryAccount, DEFAULT_REDISTRIBUTION_SHARE};
pub use revive::CHAIN_ID;

// `derive_impl` injects the aggregated runtime types (RuntimeEvent, PalletInfo, ...) by name.
use super::*;
use crate::weights::{BlockExecutionWeight, ExtrinsicBaseWeight};

/// Most validators a consortium may have; bounds the authority lists.
pub const MAX_AUTHORITIES: u32 = 32;

// ---------------------------------------------------------------- frame-system

/// Normal (user) extrinsics may fill 75% of a block; the rest is kept for operational ones.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// A block's compute budget: a third of the slot (one second of a three-second block), since
/// the author must build the block, and every validator import it, within the slot. The
/// proof size is unbounded: a solochain has no relay chain to send a proof of validity to.
const MAXIMUM_BLOCK_WEIGHT: Weight =
	Weight::from_parts(MILLI_SECS_PER_BLOCK / 3 * WEIGHT_REF_TIME_PER_MILLIS, u64::MAX);

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	/// `MAXIMUM_BLOCK_WEIGHT`, split between the classes as
	/// `BlockWeights::with_sensible_defaults` splits it, with this runtime's own base weights
	/// (`crate::weights`, from `benchmark overhead` on the release node) instead of the SDK's.
	pub RuntimeBlockWeights: frame_system::limits::BlockWeights =
		frame_system::limits::BlockWeights::builder()
			.base_block(BlockExecutionWeight::get())
			.for_class(DispatchClass::all(), |weights| {
				weights.base_extrinsic = ExtrinsicBaseWeight::get();
			})
			.for_class(DispatchClass::Normal, |weights| {
				weights.max_total = Some(NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
			})
			.for_class(DispatchClass::Operational, |weights| {
				weights.max_total = Some(MAXIMUM_BLOCK_WEIGHT);
				weights.reserved =
					Some(MAXIMUM_BLOCK_WEIGHT - NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
			})
			.avg_block_initialization(Perbill::from_percent(10))
			.build_or_panic();
	/// 5 MiB blocks, 75% of it for normal extrinsics.
	pub RuntimeBlockLength: frame_system::limits::BlockLength =
		frame_system::limits::BlockLength::builder()
			.max_length(5 * 1024 * 1024)
			.modify_max_length_for_class(DispatchClass::Normal, |max| {
				*max = NORMAL_DISPATCH_RATIO * *max
			})
			.build();
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	// The node's database is ParityDB (node/src/command.rs): its read and write costs.
	type DbWeight = ParityDbWeight;
	// The transaction extensions' weights with those database costs (the prelude's `()`
	// charges RocksDB's, 4 reads and 2 writes per extrinsic: ≈ 260 µs too much).
	type ExtensionsWeightInfo = frame_system::SubstrateExtensionsWeight<Runtime>;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
	// Every new Substrate account gets its H160 in pallet-revive, and loses it when reaped.
	type OnNewAccount = pallet_revive::AutoMapper<Runtime>;
	type OnKilledAccount = pallet_revive::AutoMapper<Runtime>;
	type BaseCallFilter = consortium::NoDirectKeyPurge;
}

// ---------------------------------------------------------------- consensus

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	// Equivocation reports need historical session proofs and an offences pallet; the
	// consortium's council deals with misbehaving validators instead (see beefy.rs).
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

// ---------------------------------------------------------------- PTI token and fees

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

/// The fee multiplier, constant: fees do not float with congestion on a consortium
/// chain (blocks are rarely full and validators are known), so prices stay predictable.
/// It is 100 rather than 1 because pallet-revive derives the Ethereum gas price from
/// it (see `configs/revive.rs`).
pub const FEE_MULTIPLIER: u128 = 100;

parameter_types! {
	pub FeeMultiplier: Multiplier = Multiplier::saturating_from_integer(FEE_MULTIPLIER);
	/// PTI charged per byte of extrinsic: a typical 150-byte transfer adds 0.00015 PTI.
	pub const TransactionByteFee: Balance = MICRO_PTI;
}

/// PTI (smallest unit) per picosecond of weight, before the multiplier: 10^5, so a
/// dispatch pays 10^7 per picosecond (0.001 PTI per 0.1 ms) once multiplied. A balance
/// transfer costs about 0.006 PTI. pallet-revive requires this `BlockRatioFee` form: it
/// converts fees back into weight for Ethereum gas estimates.
pub type WeightToFee = pallet_revive::evm::fees::BlockRatioFee<100_000, 1, Runtime, Balance>;

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = WeightToFee;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

// ---------------------------------------------------------------- sudo (dev chains)

/// Sudo exists for the development and local presets only: the production preset
/// sets no key, and the council (with `Whitelist` for root calls) governs instead.
impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}
