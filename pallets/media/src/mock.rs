//! A runtime for the media pallet's tests with the real users and topology pallets,
//! `AccountId32` accounts (so receipts have their production layout), and ed25519
//! cluster keys from fixed seeds.

use crate as pallet_media;
use core::{cell::Cell, time::Duration};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, UnixTime},
};
use frame_system::EnsureRoot;
use paratii_primitives::{receipt_message, ClusterId};
use sp_core::{ed25519, Pair, H256};
use sp_runtime::{traits::IdentityLookup, AccountId32, BuildStorage};

use crate::{ObjectInput, ObjectKind, StorageReceipt};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Topology: pallet_topology,
		Users: pallet_users,
		Media: pallet_media,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId32;
	type Lookup = IdentityLookup<AccountId32>;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

parameter_types! {
	pub const HeartbeatTimeout: u64 = 100;
	pub const UserDeposit: u64 = 10;
}

impl pallet_topology::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type AdminOrigin = EnsureRoot<AccountId32>;
	type MaxClusters = ConstU32<32>;
	type MaxEndpointLen = ConstU32<64>;
	type HeartbeatTimeout = HeartbeatTimeout;
	type WeightInfo = ();
}

impl pallet_users::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type UserDeposit = UserDeposit;
	type MaxNameLen = ConstU32<32>;
	type MaxProfileCidLen = ConstU32<64>;
	type MaxFlagReasonLen = ConstU32<64>;
	type FlagThreshold = ConstU32<3>;
	type ReactionDeposit = ConstU64<1>;
	type FlagDeposit = ConstU64<1>;
	type MaxViewBatch = ConstU32<8>;
	type MaxViewsPerBlock = ConstU32<16>;
	type ViewWindow = ConstU64<10>;
	type AdminOrigin = EnsureRoot<AccountId32>;
	type Media = Media;
	type WeightInfo = ();
}

thread_local! {
	static NOW_MS: Cell<u64> = const { Cell::new(1_700_000_000_000) };
}

/// Moves the block time tests see to `ms`.
pub fn set_now(ms: u64) {
	NOW_MS.with(|t| t.set(ms));
}

/// The block time tests see, in Unix milliseconds.
pub fn now_ms() -> u64 {
	NOW_MS.with(|t| t.get())
}

/// How long receipts are taken in tests (an hour, as in the runtime), and the clock skew.
pub const RECEIPT_LIFETIME: u64 = 3_600_000;
pub const RECEIPT_SKEW: u64 = 60_000;

/// The block time tests see.
pub struct MockTime;
impl UnixTime for MockTime {
	fn now() -> Duration {
		Duration::from_millis(NOW_MS.with(|t| t.get()))
	}
}

/// Replication factor in tests, as in the runtime.
pub const RF: u32 = 2;
pub const DEPOSIT_PER_ITEM: u64 = 100;
pub const DEPOSIT_PER_BYTE: u64 = 1;
/// What each funded account starts with.
pub const BALANCE: u64 = 100_000;

impl pallet_media::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Users = Users;
	type Clusters = Topology;
	type Time = MockTime;
	type ReplicationFactor = ConstU32<RF>;
	type MaxObjects = ConstU32<4>;
	type MaxReceipts = ConstU32<4>;
	type MaxTitleLen = ConstU32<128>;
	type MaxLabelLen = ConstU32<16>;
	type ReceiptLifetime = ConstU64<RECEIPT_LIFETIME>;
	type ReceiptClockSkew = ConstU64<RECEIPT_SKEW>;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type DepositPerItem = ConstU64<DEPOSIT_PER_ITEM>;
	type DepositPerByte = ConstU64<DEPOSIT_PER_BYTE>;
	type OnRegistered = ();
	type OnDeleted = ();
	type WeightInfo = ();
}

pub fn account(n: u8) -> AccountId32 {
	AccountId32::new([n; 32])
}
pub fn alice() -> AccountId32 {
	account(1)
}
pub fn bob() -> AccountId32 {
	account(2)
}

/// The key pair of cluster `id` (clusters are registered in id order from seeds 100+).
pub fn cluster_pair(id: ClusterId) -> ed25519::Pair {
	ed25519::Pair::from_seed(&[100 + id as u8; 32])
}

/// A content hash for test object `n`.
pub fn hash(n: u8) -> H256 {
	H256::repeat_byte(n)
}

/// `cluster`'s receipt for `(hash, size)` owned by `owner` on this chain, signed now.
pub fn receipt(cluster: ClusterId, hash: H256, size: u64, owner: &AccountId32) -> StorageReceipt {
	receipt_at(cluster, hash, size, owner, now_ms())
}

/// `cluster`'s receipt for `(hash, size)` owned by `owner`, signed at `issued_at`.
pub fn receipt_at(
	cluster: ClusterId,
	hash: H256,
	size: u64,
	owner: &AccountId32,
	issued_at: u64,
) -> StorageReceipt {
	let genesis = System::block_hash(0);
	let message = receipt_message(&genesis, cluster, &hash, size, owner, issued_at);
	StorageReceipt { cluster, issued_at, signature: cluster_pair(cluster).sign(&message).0 }
}

/// An object of `kind` with valid receipts from `clusters`.
pub fn object(
	kind: ObjectKind<Vec<u8>>,
	n: u8,
	clusters: &[ClusterId],
	owner: &AccountId32,
) -> ObjectInput {
	let size = 1000 + n as u64;
	ObjectInput {
		kind,
		content_hash: hash(n),
		size,
		receipts: clusters.iter().map(|c| receipt(*c, hash(n), size, owner)).collect(),
	}
}

/// Alice and Bob funded and registered as users (Charlie funded only), four active
/// clusters 0..=3, block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let clusters = (0..4)
		.map(|id| (account(50), cluster_pair(id).public().0, b"http://cluster".to_vec(), 1 << 40))
		.collect();
	let storage = RuntimeGenesisConfig {
		balances: pallet_balances::GenesisConfig {
			balances: (1..=3).map(|n| (account(n), BALANCE)).collect(),
			..Default::default()
		},
		topology: pallet_topology::GenesisConfig { clusters },
		users: pallet_users::GenesisConfig {
			users: vec![(alice(), b"alice".to_vec()), (bob(), b"bob".to_vec())],
			view_recorders: vec![],
		},
		..Default::default()
	}
	.build_storage()
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| System::set_block_number(1));
	ext
}
