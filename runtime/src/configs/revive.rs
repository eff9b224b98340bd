//! The EVM: `pallet-revive` with EVM bytecode enabled, so Solidity compiled by plain
//! `solc` deploys and runs, and Ethereum wallets sign transactions for it.
//!
//! Units. PTI has 18 decimals like ether, so one wei is one smallest PTI unit
//! (`NativeToEthRatio = 1`) and MetaMask shows the same balance polkadot.js does.
//!
//! Gas. pallet-revive prices gas from the Substrate fee: an Ethereum transaction pays
//! exactly the PTI fee of its weight and length, and reports it as
//! `gas × gas price`. The gas price is `fee multiplier × GasScale` wei. Our fee
//! multiplier is a constant [`FEE_MULTIPLIER`] (100) and `GasScale` is 10^9, so the
//! gas price is a flat 100 gwei and gas amounts stay in Ethereum's range (an EIP-1559
//! PTI transfer measured 151,496 gas), which keeps tools that assume Ethereum-sized gas
//! limits working.
//!
//! Accounts. Substrate accounts are mapped to an H160 automatically when they are
//! created (`AutoMap`, through `frame_system`'s `OnNewAccount`), so //Alice can use the
//! EVM with her own key; an Ethereum key's account is its H160 followed by twelve
//! `0xEE` bytes.

use frame_support::{
	parameter_types,
	traits::{ConstBool, ConstU32, ConstU64},
};
use frame_system::EnsureSigned;
use pallet_revive::{evm::fees::Info as FeeInfo, AccountId32Mapper};
use sp_runtime::{FixedU128, Perbill};

use super::*;

/// The EIP-155 chain id of Paratii chain: "PARATII" on a phone keypad, away from the
/// well-known ids (1, 5, 1337, 31337, 420420420, ...). Register it on chainlist.org
/// before a public launch.
pub const CHAIN_ID: u64 = 7_272_844;

/// Storage deposit for `items` storage items and `bytes` bytes: 2 milli-PTI per item
/// (20,000 gas, what Ethereum charges to create a storage slot) and 20 micro-PTI per
/// byte (200 gas, Ethereum's price per byte of contract code). Refunded when the
/// storage is freed.
pub const fn deposit(items: u32, bytes: u32) -> Balance {
	items as Balance * 2 * MILLI_PTI + bytes as Balance * 20 * MICRO_PTI
}

parameter_types! {
	pub const DepositPerItem: Balance = deposit(1, 0);
	pub const DepositPerByte: Balance = deposit(0, 1);
	/// A contract's own storage slots are child-trie items: cheaper than top-level ones,
	/// as Solidity stores every value in its own slot.
	pub const DepositPerChildTrieItem: Balance = deposit(1, 0) / 100;
	/// Instantiating from a code hash locks this share of the code's deposit, so code
	/// in use cannot be removed from under a contract.
	pub const CodeHashLockupDepositPercent: Perbill = Perbill::from_percent(30);
	/// At most 90% of an extrinsic's weight is available to one Ethereum transaction.
	pub MaxEthExtrinsicWeight: FixedU128 = FixedU128::from_rational(9, 10);
}

impl pallet_revive::Config for Runtime {
	type Time = Timestamp;
	type Balance = Balance;
	type Currency = Balances;
	// Gas rounding leftovers are burnt.
	type OnBurn = ();
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeHoldReason = RuntimeHoldReason;
	type WeightInfo = pallet_revive::weights::SubstrateWeight<Runtime>;
	// Besides the built-in Ethereum precompiles (ecrecover, sha256, ripemd160, identity,
	// modexp, bn128, blake2f): PTI as an ERC20 and the media proofs.
	type Precompiles = (crate::precompiles::PtiErc20, crate::precompiles::MediaProofs);
	// `block.coinbase`: the author's account as Authorship found it at the start of the
	// block (before a session rotation), not the Aura key (a validator's keys need not be
	// its account).
	type FindAuthor = super::consortium::RecordedAuthor;
	type DepositPerByte = DepositPerByte;
	type DepositPerItem = DepositPerItem;
	type DepositPerChildTrieItem = DepositPerChildTrieItem;
	type CodeHashLockupDepositPercent = CodeHashLockupDepositPercent;
	type AddressMapper = AccountId32Mapper<Self>;
	type AllowEVMBytecode = ConstBool<true>;
	type UploadOrigin = EnsureSigned<AccountId>;
	type InstantiateOrigin = EnsureSigned<AccountId>;
	type RuntimeMemory = ConstU32<{ 128 * 1024 * 1024 }>;
	type PVFMemory = ConstU32<{ 512 * 1024 * 1024 }>;
	type ChainId = ConstU64<CHAIN_ID>;
	type NativeToEthRatio = ConstU32<1>;
	type FeeInfo = FeeInfo<Address, Signature, EthExtraImpl>;
	type Deposit = ();
	type MaxEthExtrinsicWeight = MaxEthExtrinsicWeight;
	type DebugEnabled = ConstBool<false>;
	type AutoMap = ConstBool<true>;
	type GasScale = ConstU32<1_000_000_000>;
}
