//! A minimal runtime for the users pallet's tests: balances for deposits and a media
//! registry whose active ids the tests choose.

use crate as pallet_users;
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
};
use frame_system::EnsureRoot;
use paratii_primitives::{MediaId, MediaRegistry};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Users: pallet_users,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

thread_local! {
	static ACTIVE_MEDIA: RefCell<Vec<MediaId>> = const { RefCell::new(Vec::new()) };
}

/// A media registry for tests: the ids in `ACTIVE_MEDIA` exist.
pub struct MockMedia;
impl MockMedia {
	pub fn set_active(ids: &[MediaId]) {
		ACTIVE_MEDIA.with(|m| *m.borrow_mut() = ids.to_vec());
	}
}
impl MediaRegistry for MockMedia {
	fn is_active(id: MediaId) -> bool {
		ACTIVE_MEDIA.with(|m| m.borrow().contains(&id))
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn create_for_benchmark() -> MediaId {
		ACTIVE_MEDIA.with(|m| {
			let id = m.borrow().iter().max().map_or(0, |m| m + 1);
			m.borrow_mut().push(id);
			id
		})
	}
}

pub const DEPOSIT: u64 = 100;
pub const THRESHOLD: u32 = 3;
pub const REACTION_DEPOSIT: u64 = 20;
pub const FLAG_DEPOSIT: u64 = 30;
pub const MAX_VIEW_BATCH: u32 = 4;
pub const MAX_VIEWS_PER_BLOCK: u32 = 6;
pub const VIEW_WINDOW: u64 = 10;
pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const GATEWAY: u64 = 10;
pub const POOR: u64 = 99;
/// A media item that exists in every test.
pub const MEDIA: MediaId = 7;

parameter_types! {
	pub const UserDeposit: u64 = DEPOSIT;
}

impl pallet_users::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type UserDeposit = UserDeposit;
	type MaxNameLen = ConstU32<16>;
	type MaxProfileCidLen = ConstU32<64>;
	type MaxFlagReasonLen = ConstU32<32>;
	type FlagThreshold = ConstU32<THRESHOLD>;
	type ReactionDeposit = ConstU64<REACTION_DEPOSIT>;
	type FlagDeposit = ConstU64<FLAG_DEPOSIT>;
	type MaxViewBatch = ConstU32<MAX_VIEW_BATCH>;
	type MaxViewsPerBlock = ConstU32<MAX_VIEWS_PER_BLOCK>;
	type ViewWindow = ConstU64<VIEW_WINDOW>;
	type AdminOrigin = EnsureRoot<u64>;
	type Media = MockMedia;
	type WeightInfo = ();
}

/// Funded accounts 1..=5 and 10 (the gateway, a view recorder); media 7 exists.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = RuntimeGenesisConfig {
		balances: pallet_balances::GenesisConfig {
			balances: (1..=5).chain([GATEWAY]).map(|a| (a, 1_000)).chain([(POOR, 50)]).collect(),
			..Default::default()
		},
		users: pallet_users::GenesisConfig { users: vec![], view_recorders: vec![GATEWAY] },
		..Default::default()
	}
	.build_storage()
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		MockMedia::set_active(&[MEDIA]);
	});
	ext
}
