//! A minimal runtime for the micropay pallet's tests: balances, a media registry whose
//! owners the tests choose, and a plain account as the redistribution fund.

use crate as pallet_micropay;
use core::cell::RefCell;
use frame_support::{derive_impl, parameter_types, traits::ConstU32, traits::ConstU64};
use paratii_primitives::{MediaId, MediaOwnership};
use sp_core::H256;
use sp_runtime::{BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Micropay: pallet_micropay,
	}
);

pub type AccountId = u64;

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type ExistentialDeposit = ConstU64<ED>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

thread_local! {
	/// (id, owner, active)
	static MEDIA: RefCell<Vec<(MediaId, AccountId, bool)>> = const { RefCell::new(Vec::new()) };
}

/// A media registry for tests.
pub struct MockMedia;
impl MockMedia {
	pub fn add(id: MediaId, owner: AccountId) {
		MEDIA.with(|m| m.borrow_mut().push((id, owner, true)));
	}
	pub fn delete(id: MediaId) {
		MEDIA.with(|m| m.borrow_mut().iter_mut().filter(|e| e.0 == id).for_each(|e| e.2 = false));
	}
}
impl MediaOwnership<AccountId> for MockMedia {
	fn active_owner(id: MediaId) -> Option<AccountId> {
		MEDIA.with(|m| m.borrow().iter().find(|e| e.0 == id && e.2).map(|e| e.1))
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn create_owned_for_benchmark(owner: &AccountId) -> MediaId {
		let id = MEDIA.with(|m| m.borrow().iter().map(|e| e.0 + 1).max().unwrap_or(0));
		Self::add(id, *owner);
		id
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn delete_for_benchmark(id: MediaId) {
		Self::delete(id);
	}
}

pub const ED: u64 = 10;
pub const CHANNEL_DEPOSIT: u64 = 7;
pub const FUND: AccountId = 100;
pub const VIEWER: AccountId = 1;
pub const HUB: AccountId = 2;
pub const ALICE: AccountId = 3;
pub const BOB: AccountId = 4;
/// Alice's and Bob's videos.
pub const ALICES: MediaId = 10;
pub const BOBS: MediaId = 11;
pub const MAX_MEDIA: u32 = 3;
pub const LIFETIME: u64 = 1_000;
pub const CHALLENGE: u64 = 20;
pub const GENESIS: H256 = H256::repeat_byte(0x42);

parameter_types! {
	pub const Fund: AccountId = FUND;
	pub const Share: Perbill = Perbill::from_percent(20);
}

impl pallet_micropay::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Media = MockMedia;
	type Fund = Fund;
	type RedistributionShare = Share;
	type ChannelDeposit = ConstU64<CHANNEL_DEPOSIT>;
	type MaxMediaPerChannel = ConstU32<MAX_MEDIA>;
	type MaxVouchersPerSettlement = ConstU32<3>;
	type MaxLifetime = ConstU64<LIFETIME>;
	type ChallengePeriod = ConstU64<CHALLENGE>;
	type WeightInfo = ();
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(VIEWER, 10_000), (HUB, 100), (ALICE, 100), (BOB, 100), (FUND, ED)],
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		frame_system::BlockHash::<Test>::insert(0, GENESIS);
		MEDIA.with(|m| m.borrow_mut().clear());
		MockMedia::add(ALICES, ALICE);
		MockMedia::add(BOBS, BOB);
	});
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext
}
