//! The consortium: who validates and who governs.
//!
//! - `Consortium` (pallet-consortium) keeps the validator set as on-chain state and is
//!   pallet-session's session manager and session clock; the council admits and removes
//!   validators (root may too, which is sudo on dev chains).
//! - `Session` hands each session's validators and their session keys (aura, grandpa,
//!   beefy) to Aura, GRANDPA and BEEFY.
//! - `Authorship` tells the consortium who authored each block, for its idle reports.
//! - `Council` (pallet-collective) votes motions; `CouncilMembership`
//!   (pallet-membership) manages its members.

use frame_support::traits::{ConstU128, EitherOfDiverse};
use frame_system::EnsureRoot;
use sp_runtime::traits::{ConvertInto, OpaqueKeys};

use super::*;

/// Fewest validators the consortium may shrink to: below it one crashed node would stop
/// finality (GRANDPA needs more than 2/3 of the votes).
pub const MIN_VALIDATORS: u32 = 1;

parameter_types! {
	/// Sessions cannot be shorter than one minute: BEEFY signs at least one block per
	/// session and votes at most every 8 blocks.
	pub const MinSessionPeriod: BlockNumber = MINUTES;
}

/// A council motion passed by more than half of the council, or root.
pub type CouncilMajorityOrRoot = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionMoreThan<AccountId, CouncilCollective, 1, 2>,
>;

/// A council motion passed by at least two thirds of the council, or root.
pub type CouncilTwoThirdsOrRoot = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 2, 3>,
>;

impl pallet_consortium::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type GovernanceOrigin = CouncilMajorityOrRoot;
	type ValidatorRegistration = Session;
	type ActiveValidators = Session;
	type MinValidators = ConstU32<MIN_VALIDATORS>;
	type MaxValidators = ConstU32<MAX_AUTHORITIES>;
	type MinSessionPeriod = MinSessionPeriod;
	type WeightInfo = pallet_consortium::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::ConsortiumBenchmarkHelper;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	// A validator is identified by its account.
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Consortium;
	type NextSessionRotation = Consortium;
	type SessionManager = Consortium;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	// Validators are known organisations: misbehaviour is for the council, not for
	// automatic disabling.
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = ConstU128<0>;
}

impl pallet_authorship::Config for Runtime {
	// The author's account, through the session's validator list and Aura's slot author.
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Aura>;
	type EventHandler = Consortium;
}

parameter_types! {
	/// A council motion is open for three days.
	pub const CouncilMotionDuration: BlockNumber = 3 * DAYS;
	pub const CouncilMaxProposals: u32 = 100;
	pub const CouncilMaxMembers: u32 = 32;
	/// A motion may dispatch at most half a block.
	pub MaxCouncilProposalWeight: Weight = Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

/// The council's instance of pallet-collective.
pub type CouncilCollective = pallet_collective::Instance1;

impl pallet_collective::Config<CouncilCollective> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = CouncilMotionDuration;
	type MaxProposals = CouncilMaxProposals;
	type MaxMembers = CouncilMaxMembers;
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	// Members change through CouncilMembership only.
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxCouncilProposalWeight;
	type DisapproveOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	type Consideration = ();
}

impl pallet_membership::Config<pallet_membership::Instance1> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = CouncilTwoThirdsOrRoot;
	type RemoveOrigin = CouncilTwoThirdsOrRoot;
	type SwapOrigin = CouncilTwoThirdsOrRoot;
	type ResetOrigin = CouncilTwoThirdsOrRoot;
	type PrimeOrigin = CouncilTwoThirdsOrRoot;
	type MembershipInitialized = Council;
	type MembershipChanged = Council;
	type MaxMembers = CouncilMaxMembers;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}
