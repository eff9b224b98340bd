//! # Paratii chain runtime
//!
//! The state machine of Paratii chain, a consortium chain for decentralized media.
//! This crate holds the types every other part of the system shares (block, account,
//! balance), the pallet composition (`#[frame_support::runtime]` below), and, in
//! submodules, one file per concern:
//!
//! - [`configs`]: one `impl pallet_x::Config for Runtime` block per pallet;
//! - [`apis`]: the runtime APIs the node, polkadot.js and the services call;
//! - [`genesis_config_presets`]: the named genesis presets (`development`,
//!   `local_testnet`) the node's chain specs are built from;
//! - [`precompiles`]: what Solidity sees of the chain: PTI as an ERC20, media proofs.
//!
//! PTI is the native token: 18 decimals, so one balance serves polkadot.js and
//! Ethereum wallets alike. The EVM is `pallet-revive` (see [`configs`]): Ethereum
//! transactions arrive as `Revive::eth_transact` extrinsics, wrapped by the
//! [`UncheckedExtrinsic`] below and charged with the same [`TxExtension`] pipeline as
//! Substrate transactions ([`EthExtraImpl`]).

#![cfg_attr(not(feature = "std"), no_std)]
// `#[frame_support::runtime]` expands into large enums (RuntimeCall and friends).
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

// Declared before `apis`: it defines the `list_benchmarks!`/`add_benchmarks!` macros.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
pub mod apis;
pub mod configs;
pub mod genesis_config_presets;
pub mod precompiles;
pub mod weights;

use alloc::vec::Vec;
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::{runtime_version, RuntimeVersion};

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types: what the node needs to know of blocks without knowing the runtime's
/// extrinsic format, so it keeps syncing across runtime upgrades.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
	/// The keys a validator registers for its session (`session.setKeys`): block
	/// authoring (Aura, sr25519), finality (GRANDPA, ed25519) and the BEEFY commitments
	/// the Ethereum bridge checks (ecdsa).
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
		pub beefy: Beefy,
	}
}

/// The types of the Merkle Mountain Range of blocks (`Mmr`), for its runtime API.
pub mod mmr {
	use super::Runtime;
	pub use pallet_mmr::primitives::*;

	/// The MMR leaf: parent hash, BEEFY next-authority-set root and leaf extra.
	pub type Leaf = <<Runtime as pallet_mmr::Config>::LeafData as LeafDataProvider>::LeafData;
	/// Keccak-256, so Ethereum can check MMR proofs.
	pub type Hashing = <Runtime as pallet_mmr::Config>::Hashing;
	/// The MMR's node and root hash.
	pub type Hash = <Hashing as sp_runtime::traits::Hash>::Output;
}

#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("paratii"),
	impl_name: alloc::borrow::Cow::Borrowed("paratii-node"),
	authoring_version: 1,
	// Bump on every change of runtime logic: nodes and wallets key caches on it.
	spec_version: 114,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Target block time: three seconds, chosen from `scripts/block-time.sh`'s measurements on
/// the four-validator network (README, "Block time"): the same registrations per second as
/// six-second blocks, at full weight and with no missed slot, but half the wait from upload
/// to finalized proof; two seconds fell behind its own ceiling. Blocks are produced once per
/// Aura slot of this length, and every period counted in blocks ([`MINUTES`], [`HOURS`],
/// [`DAYS`]) and the block's compute budget follow it.
///
/// `PARATII_BLOCK_MS` set when the runtime is built overrides it, for measuring other
/// block times (`scripts/block-time.sh` builds 6- and 2-second runtimes); the value must
/// divide a minute. Chains run the default.
pub const MILLI_SECS_PER_BLOCK: u64 = match option_env!("PARATII_BLOCK_MS") {
	Some(ms) => block_ms(ms),
	None => 3000,
};

/// `PARATII_BLOCK_MS` as milliseconds; a build with a value that is not a whole number
/// of milliseconds in `1000..=60000` dividing 60,000 fails with the reason.
const fn block_ms(text: &str) -> u64 {
	let digits = text.as_bytes();
	assert!(!digits.is_empty(), "PARATII_BLOCK_MS is empty: unset it or give milliseconds");
	let mut ms = 0u64;
	let mut i = 0;
	while i < digits.len() {
		assert!(
			digits[i].is_ascii_digit(),
			"PARATII_BLOCK_MS must be a whole number of milliseconds"
		);
		ms = ms * 10 + (digits[i] - b'0') as u64;
		assert!(ms <= 60_000, "PARATII_BLOCK_MS must be at most 60000");
		i += 1;
	}
	assert!(
		ms >= 1000 && 60_000 % ms == 0,
		"PARATII_BLOCK_MS must be at least 1000 and divide 60000"
	);
	ms
}
/// Aura slot length. It cannot change after genesis without halting block production.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

// Time measured in blocks.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
pub const HOURS: BlockNumber = MINUTES * 60;
pub const DAYS: BlockNumber = HOURS * 24;

/// A period the tests must wait through: `shipped` in the runtime that ships, `fast` in a
/// test build (feature `fast-runtime`, what `scripts/test.sh` and `scripts/dev.sh` build,
/// as polkadot's own `fast-runtime`), so a test crosses it in seconds instead of minutes.
/// The production runtime tier checks the shipped values on the wasm that ships.
pub const fn shipped_or_fast(shipped: BlockNumber, fast: BlockNumber) -> BlockNumber {
	if cfg!(feature = "fast-runtime") {
		fast
	} else {
		shipped
	}
}

/// PTI has 18 decimals, like ether: one PTI is 10^18 of the smallest unit.
pub const TOKEN_DECIMALS: u8 = 18;
/// The native token's symbol, as wallets show it.
pub const TOKEN_SYMBOL: &str = "PTI";
/// The SS58 address prefix (42: the generic Substrate prefix).
pub const SS58_PREFIX: u16 = 42;
/// One PTI.
pub const PTI: Balance = 1_000_000_000_000_000_000;
/// One thousandth of a PTI.
pub const MILLI_PTI: Balance = PTI / 1_000;
/// One millionth of a PTI.
pub const MICRO_PTI: Balance = MILLI_PTI / 1_000;
/// The smallest balance an account may hold; below it the account is reaped.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_PTI;

/// An index to a block.
pub type BlockNumber = u32;
/// Alias to 512-bit hash when used in the context of a transaction signature on the chain.
pub type Signature = MultiSignature;
/// An account: the public key of the transaction signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// A balance of PTI in its smallest unit.
pub type Balance = u128;
/// Index of a transaction in the chain.
pub type Nonce = u32;
/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;
/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A Block signed with a Justification.
pub type SignedBlock = generic::SignedBlock<Block>;
/// BlockId type as expected by this runtime.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions every signed extrinsic carries, checked in this order.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	// Turns the origin of an `eth_transact` into the signer of the Ethereum transaction;
	// after every extension that relies on a signed origin.
	pallet_revive::evm::tx_extension::SetOrigin<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// The transaction extensions an Ethereum transaction gets once pallet-revive has
/// checked its ECDSA signature: the same pipeline as a Substrate transaction, so it
/// pays its fee in PTI and bumps the signer's nonce like any other.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EthExtraImpl;

impl pallet_revive::evm::runtime::EthExtra for EthExtraImpl {
	type Config = Runtime;
	type ExtensionV0 = TxExtension;
	type ExtensionOtherVersions = sp_runtime::traits::InvalidVersion;

	fn get_eth_extension(nonce: Nonce, tip: Balance) -> Self::ExtensionV0 {
		(
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(generic::Era::Immortal),
			frame_system::CheckNonce::<Runtime>::from(nonce),
			frame_system::CheckWeight::<Runtime>::new(),
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(tip),
			frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
			pallet_revive::evm::tx_extension::SetOrigin::<Runtime>::new_from_eth_transaction(),
			frame_system::WeightReclaim::<Runtime>::new(),
		)
	}
}

/// Unchecked extrinsic type as expected by this runtime: Substrate extrinsics, plus
/// Ethereum transactions submitted unsigned through `Revive::eth_transact`.
pub type UncheckedExtrinsic =
	pallet_revive::evm::runtime::UncheckedExtrinsic<Address, Signature, EthExtraImpl>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations to run on the next runtime upgrade, besides the pallets' own: each runs
/// only while its pallet's on-chain storage version is the one it migrates from.
type Migrations = (
	pallet_ad_exchange::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_users::migrations::v1::MigrateV0ToV1<Runtime>,
);

/// Executive: dispatches incoming extrinsics to the right pallet.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	// The consortium: validators and governance. Declaration order is hook and genesis
	// order: Authorship reads the author from the session's validators before Session
	// rotates, and the Consortium's genesis validators exist before Session's genesis asks
	// for them.
	#[runtime::pallet_index(7)]
	pub type Authorship = pallet_authorship;

	#[runtime::pallet_index(8)]
	pub type Consortium = pallet_consortium;

	#[runtime::pallet_index(9)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(10)]
	pub type Council = pallet_collective<Instance1>;

	#[runtime::pallet_index(11)]
	pub type CouncilMembership = pallet_membership<Instance1>;

	// BEEFY and the MMR, after Session: a block's MMR leaf carries the BEEFY set that a
	// session change in the same block installs.
	#[runtime::pallet_index(12)]
	pub type Beefy = pallet_beefy;

	#[runtime::pallet_index(13)]
	pub type Mmr = pallet_mmr;

	#[runtime::pallet_index(14)]
	pub type BeefyMmrLeaf = pallet_beefy_mmr;

	// The council's path to root calls (runtime upgrades).
	#[runtime::pallet_index(15)]
	pub type Preimage = pallet_preimage;

	#[runtime::pallet_index(16)]
	pub type Whitelist = pallet_whitelist;

	// Paratii's media domain.
	#[runtime::pallet_index(20)]
	pub type Topology = pallet_topology;

	#[runtime::pallet_index(21)]
	pub type Users = pallet_users;

	#[runtime::pallet_index(22)]
	pub type Media = pallet_media;

	// PTI economics: the redistribution fund (the treasury's pot) and the store,
	// claims and vouchers.
	#[runtime::pallet_index(23)]
	pub type Treasury = pallet_treasury;

	#[runtime::pallet_index(24)]
	pub type Pti = pallet_pti;

	// The Ethereum bridge: each block's media root in the BEEFY MMR leaf.
	#[runtime::pallet_index(25)]
	pub type Bridge = pallet_bridge;

	// The ad exchange: campaigns, channel blocks, ad validators, per-view payouts.
	#[runtime::pallet_index(26)]
	pub type AdExchange = pallet_ad_exchange;

	// Pay as you watch: payment channels settled per media item.
	#[runtime::pallet_index(27)]
	pub type Micropay = pallet_micropay;

	// The EVM: Ethereum transactions, Solidity contracts, H160 accounts.
	#[runtime::pallet_index(30)]
	pub type Revive = pallet_revive;
}
