//! A test runtime with the real `pallet-session` driven by the consortium pallet:
//! accounts 1..=4 are the genesis validators, 5 and 6 have session keys but are not
//! validators, 7 has no session keys. Sessions last `PERIOD` blocks.

use crate as pallet_consortium;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks},
	weights::Weight,
};
use frame_system::EnsureRoot;
use pallet_session::SessionHandler;
use sp_runtime::{
	testing::UintAuthorityId,
	traits::{ConvertInto, OpaqueKeys},
	BuildStorage, KeyTypeId, RuntimeAppPublic,
};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Consortium: pallet_consortium,
		Session: pallet_session,
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

parameter_types! {
	/// The authorities the session handler was last told about.
	pub static Authorities: Vec<u64> = vec![];
}

/// Records the authorities `pallet-session` hands to consensus (Aura, GRANDPA, BEEFY in
/// the runtime).
pub struct RecordingSessionHandler;
impl SessionHandler<u64> for RecordingSessionHandler {
	const KEY_TYPE_IDS: &'static [KeyTypeId] = &[UintAuthorityId::ID];
	fn on_genesis_session<K: OpaqueKeys>(validators: &[(u64, K)]) {
		Authorities::set(validators.iter().map(|(v, _)| *v).collect());
	}
	fn on_new_session<K: OpaqueKeys>(_: bool, validators: &[(u64, K)], _: &[(u64, K)]) {
		Authorities::set(validators.iter().map(|(v, _)| *v).collect());
	}
	fn on_disabled(_: u32) {}
}

impl pallet_session::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = u64;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Consortium;
	type NextSessionRotation = Consortium;
	type SessionManager = Consortium;
	type SessionHandler = RecordingSessionHandler;
	type Keys = UintAuthorityId;
	type DisablingStrategy = ();
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = ConstU64<0>;
}

pub const PERIOD: u64 = 10;
pub const MAX_PERIOD: u64 = 100;

/// `session.purgeKeys`, as the runtime wires it.
pub struct PurgeThroughSession;
impl crate::SessionKeys<u64> for PurgeThroughSession {
	fn purge_keys(who: u64) -> frame_support::dispatch::DispatchResult {
		Session::purge_keys(RuntimeOrigin::signed(who))
	}
}
pub const MIN_VALIDATORS: u32 = 2;
pub const MAX_VALIDATORS: u32 = 5;
/// Has session keys, is not a validator.
pub const CANDIDATE: u64 = 5;
/// Has session keys, is not a validator.
pub const OTHER_CANDIDATE: u64 = 6;
/// Has no session keys.
pub const KEYLESS: u64 = 7;

#[cfg(feature = "runtime-benchmarks")]
pub struct SessionKeysHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for SessionKeysHelper {
	fn register_session_keys(who: &u64) {
		pallet_session::NextKeys::<Test>::insert(who, UintAuthorityId(*who));
	}
}

thread_local! {
	/// What `OnValidatorChange` was told: `(added?, who)`.
	pub static VALIDATOR_CHANGES: core::cell::RefCell<Vec<(bool, u64)>> = Default::default();
}
/// Records what the consortium tells `OnValidatorChange`; refuses account 6 as a
/// council member, to test that a refusal undoes the change.
pub struct RecordChanges;
impl crate::OnValidatorChange<u64> for RecordChanges {
	fn added(who: &u64) -> frame_support::dispatch::DispatchResult {
		frame_support::ensure!(*who != OTHER_CANDIDATE, "no seat for 6");
		VALIDATOR_CHANGES.with(|c| c.borrow_mut().push((true, *who)));
		Ok(())
	}
	fn removed(who: &u64) -> frame_support::dispatch::DispatchResult {
		VALIDATOR_CHANGES.with(|c| c.borrow_mut().push((false, *who)));
		Ok(())
	}
	fn weight() -> Weight {
		Weight::from_parts(2_000, 0)
	}
}

/// What the mock charges for pallet-authorship's author lookup.
pub const AUTHOR_LOOKUP: Weight = Weight::from_parts(1_000, 0);
parameter_types! {
	pub const AuthorLookup: Weight = AUTHOR_LOOKUP;
}

impl pallet_consortium::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type GovernanceOrigin = EnsureRoot<u64>;
	type ValidatorRegistration = Session;
	type ActiveValidators = Session;
	type MinValidators = ConstU32<MIN_VALIDATORS>;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type MinSessionPeriod = ConstU64<5>;
	type MaxSessionPeriod = ConstU64<MAX_PERIOD>;
	type SessionKeys = PurgeThroughSession;
	type OnValidatorChange = RecordChanges;
	type AuthorLookupWeight = AuthorLookup;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = SessionKeysHelper;
}

fn keys(ids: impl Iterator<Item = u64>) -> Vec<(u64, u64, UintAuthorityId)> {
	ids.map(|id| (id, id, UintAuthorityId(id))).collect()
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	new_test_ext_with_minimum(MIN_VALIDATORS)
}

/// Four validators, whose chain's genesis sets the minimum (and floor) to `min_validators`.
pub fn new_test_ext_with_minimum(min_validators: u32) -> sp_io::TestExternalities {
	let storage = RuntimeGenesisConfig {
		balances: pallet_balances::GenesisConfig {
			balances: (1..=7).map(|a| (a, 1_000)).collect(),
			..Default::default()
		},
		consortium: pallet_consortium::GenesisConfig {
			validators: vec![4, 2, 3, 1],
			session_period: PERIOD,
			min_validators,
		},
		session: pallet_session::GenesisConfig {
			keys: keys(1..=4),
			non_authority_keys: keys([CANDIDATE, OTHER_CANDIDATE].into_iter()),
		},
		..Default::default()
	}
	.build_storage()
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs blocks up to `n`, each authored by the next validator of the session round
/// robin (as Aura does) unless it is in `offline`.
pub fn run_to_block_with_offline(n: u64, offline: &[u64]) {
	use pallet_authorship::EventHandler;
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Session::on_initialize(next);
		let validators = pallet_session::Validators::<Test>::get();
		let author = validators[(next as usize) % validators.len()];
		if !offline.contains(&author) {
			Consortium::note_author(author);
		}
	}
}

pub fn run_to_block(n: u64) {
	run_to_block_with_offline(n, &[])
}
