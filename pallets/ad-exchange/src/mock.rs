//! A minimal runtime for the ad exchange's tests: balances with holds, a plain account
//! as the fund, root as governance (it admits validators), and sr25519 keys for the
//! off-chain side.

use crate as pallet_ad_exchange;
use frame_support::{derive_impl, parameter_types, traits::ConstU32, PalletId};
use frame_system::EnsureRoot;
use sp_core::{sr25519, Pair};
use sp_runtime::{AccountId32, BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		AdExchange: pallet_ad_exchange,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId32;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId32>;
	type AccountData = pallet_balances::AccountData<u128>;
}

pub const ED: u128 = 10;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = u128;
	type AccountStore = System;
	type ExistentialDeposit = frame_support::traits::ConstU128<ED>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

pub const BOND: u128 = 1_000;
pub const DISPUTE_BOND: u128 = 500;
pub const COLLECTION: u64 = 5;
pub const RESULT_WINDOW: u64 = 5;
pub const DISPUTE_PERIOD: u64 = 10;
pub const UNBONDING: u64 = 20;
pub const DRAW_DELAY: u64 = 2;
pub const CLOSE_GRACE: u64 = 10;
pub const CAMPAIGN_DEPOSIT: u128 = 50;

parameter_types! {
	pub const AdxPalletId: PalletId = PalletId(*b"py/adexc");
	pub FundAccount: AccountId32 = account("Fund");
	pub const Slash: Perbill = Perbill::from_percent(10);
}

impl pallet_ad_exchange::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Fund = FundAccount;
	type GovernanceOrigin = EnsureRoot<AccountId32>;
	type PalletId = AdxPalletId;
	type MaxValidators = ConstU32<4>;
	type MaxParticipants = ConstU32<4>;
	type MaxDisputeValidators = ConstU32<4>;
	type MaxRegistered = ConstU32<12>;
	type MaxLocationLength = ConstU32<64>;
	type MaxProofLength = ConstU32<32>;
	type ValidatorBond = frame_support::traits::ConstU128<BOND>;
	type DisputeBond = frame_support::traits::ConstU128<DISPUTE_BOND>;
	type SlashFraction = Slash;
	type UnbondingPeriod = frame_support::traits::ConstU64<UNBONDING>;
	type CollectionWindow = frame_support::traits::ConstU64<COLLECTION>;
	type ResultWindow = frame_support::traits::ConstU64<RESULT_WINDOW>;
	type DisputePeriod = frame_support::traits::ConstU64<DISPUTE_PERIOD>;
	type PanelDrawDelay = frame_support::traits::ConstU64<DRAW_DELAY>;
	type CloseGracePeriod = frame_support::traits::ConstU64<CLOSE_GRACE>;
	type MinChallengePeriod = frame_support::traits::ConstU64<2>;
	type MaxChallengePeriod = frame_support::traits::ConstU64<100>;
	type MaxCampaignDuration = frame_support::traits::ConstU64<1_000>;
	type MinBudget = frame_support::traits::ConstU128<100>;
	type CampaignDeposit = frame_support::traits::ConstU128<CAMPAIGN_DEPOSIT>;
	type WeightInfo = ();
}

/// The development key `//{name}`. Deriving one runs the dev phrase's PBKDF2 (2,048
/// rounds of HMAC-SHA512, unoptimised in test builds): each name is derived once per test
/// binary and kept, for the tests build hundreds of externalities over the same names.
pub fn pair(name: &str) -> sr25519::Pair {
	static PAIRS: std::sync::OnceLock<
		std::sync::Mutex<std::collections::BTreeMap<String, sr25519::Pair>>,
	> = std::sync::OnceLock::new();
	let pairs = PAIRS.get_or_init(Default::default);
	let mut pairs = pairs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
	pairs
		.entry(name.to_string())
		.or_insert_with(|| {
			sr25519::Pair::from_string(&format!("//{name}"), None).expect("a valid dev seed")
		})
		.clone()
}

pub fn account(name: &str) -> AccountId32 {
	AccountId32::from(pair(name).public().0)
}

/// Who has PTI at genesis: the advertiser, the participants, the validators, the fund.
pub const FUNDED: &[&str] = &[
	"Advertiser",
	"Exchange",
	"Auditor",
	"Viewer",
	"Producer",
	"Fund",
	"V1",
	"V2",
	"V3",
	"V4",
	"V5",
	"V6",
	"V7",
	"V8",
];

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t =
		frame_system::GenesisConfig::<Test>::default().build_storage().expect("genesis builds");
	pallet_balances::GenesisConfig::<Test> {
		balances: FUNDED.iter().map(|n| (account(n), 1_000_000)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.expect("balances genesis");
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
