//! A minimal runtime for the PTI pallet's tests: balances, a media registry whose
//! owners the tests choose, and a plain account as the redistribution fund.

use crate as pallet_pti;
use core::cell::RefCell;
use frame_support::{derive_impl, parameter_types, traits::ConstU64, PalletId};
use frame_system::EnsureRoot;
use paratii_primitives::{MediaId, MediaOwnership};
use sp_core::{sr25519, Pair, H256};
use sp_runtime::{BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Pti: pallet_pti,
	}
);

/// Accounts of 16 bytes, so that the pots' sub-accounts (`modl` + pallet id +
/// `claims`/`vouchers`, truncated) differ.
pub type AccountId = u128;

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
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
pub const ALLOWANCE_DEPOSIT: u64 = 5;
pub const FUND: AccountId = 100;
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
pub const NEWBIE: AccountId = 50;
pub const DISTRIBUTOR: AccountId = 60;
/// Alice's picture.
pub const MEDIA_ID: MediaId = 7;
pub const PERIOD: u64 = 100;
pub const CAP: u64 = 1_000;
pub const LIFETIME: u64 = 500;
pub const GENESIS: H256 = H256::repeat_byte(0x42);

parameter_types! {
	pub const Fund: AccountId = FUND;
	pub const PtiPalletId: PalletId = PalletId(*b"py/ptipt");
	pub const MaxShare: Perbill = Perbill::from_percent(100);
}

impl pallet_pti::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type Media = MockMedia;
	type Fund = Fund;
	type AdminOrigin = EnsureRoot<AccountId>;
	type PalletId = PtiPalletId;
	type MaxRedistributionShare = MaxShare;
	type ClaimPeriod = ConstU64<PERIOD>;
	type MaxClaimedPerPeriod = ConstU64<CAP>;
	type MaxLifetime = ConstU64<LIFETIME>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AllowanceDeposit = ConstU64<ALLOWANCE_DEPOSIT>;
	type UnsignedPriority = ConstU64<100>;
	type WeightInfo = ();
}

/// The distributor's claim-signing key in tests.
pub fn distributor_key() -> sr25519::Pair {
	sr25519::Pair::from_string("//Distributor", None).expect("a valid URI")
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(ALICE, 10_000),
			(BOB, 10_000),
			(CHARLIE, 10_000),
			(FUND, ED),
			(DISTRIBUTOR, 1_000),
			(Pti::claims_pot(), 5_000),
		],
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	pallet_pti::GenesisConfig::<Test> {
		redistribution_share: Perbill::from_percent(30),
		distributor: Some((DISTRIBUTOR, distributor_key().public())),
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		frame_system::BlockHash::<Test>::insert(0, GENESIS);
		MEDIA.with(|m| m.borrow_mut().clear());
		MockMedia::add(MEDIA_ID, ALICE);
	});
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext
}
