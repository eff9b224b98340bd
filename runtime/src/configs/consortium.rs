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
//! - `Whitelist` (pallet-whitelist, with `Preimage`) is the council's path to root:
//!   one two-thirds motion whitelists the hash of a root call (a runtime upgrade, say
//!   `system.authorizeUpgrade`), a second dispatches the call itself as root. Two
//!   votes, the first on the exact hash, so members can check the code they approve;
//!   no sudo key and no token-holder referendum (a consortium's members are its
//!   validators' operators, not token holders, so pallet-democracy/referenda would
//!   hand upgrades to whoever holds PTI).
//!
//! `session.purgeKeys` is filtered out (see [`NoDirectKeyPurge`]): a validator's keys
//! go through `consortium.purgeKeys`, which refuses while it is a validator.

use frame_support::traits::{ConstU128, Contains, EitherOfDiverse, LinearStoragePrice};
use frame_system::{EnsureRoot, RawOrigin};
use sp_runtime::{
	traits::{ConvertInto, OpaqueKeys},
	DispatchResult,
};

use super::*;

/// The floor of the consortium's minimum size: one, for single-validator dev chains.
/// Each chain sets its own minimum at genesis (`consortium.minValidators`): the
/// production preset uses [`PRODUCTION_MIN_VALIDATORS`].
pub const MIN_VALIDATORS: u32 = 1;
/// The fewest validators a production chain may shrink to: with fewer than three, one
/// crashed node stops finality (GRANDPA needs more than 2/3 of the votes).
pub const PRODUCTION_MIN_VALIDATORS: u32 = 3;

parameter_types! {
	/// Sessions cannot be shorter than one minute: BEEFY signs at least one block per
	/// session and votes at most every 8 blocks. Test builds allow ten blocks (30 s), so
	/// the tests that go through validator-set changes wait seconds per session.
	pub const MinSessionPeriod: BlockNumber = crate::shipped_or_fast(MINUTES, 10);
	/// Nor longer than a day: validator changes take effect within two sessions, so a
	/// longer period would leave a removed validator in place for days (and a huge one
	/// would freeze the set for good).
	pub const MaxSessionPeriod: BlockNumber = DAYS;
}

/// The runtime's call filter: everything but `session.purgeKeys`, which goes through
/// `consortium.purgeKeys` so that a validator cannot drop itself (and the authority
/// set below `MinValidators`) by removing its keys.
pub struct NoDirectKeyPurge;
impl Contains<RuntimeCall> for NoDirectKeyPurge {
	fn contains(call: &RuntimeCall) -> bool {
		!matches!(call, RuntimeCall::Session(pallet_session::Call::purge_keys { .. }))
	}
}

/// `consortium.purgeKeys`' way to pallet-session: its own `purge_keys`, as signed by
/// the validator (deposit and consumer reference handled as pallet-session does).
pub struct SessionKeyPurge;
impl pallet_consortium::SessionKeys<AccountId> for SessionKeyPurge {
	fn purge_keys(who: AccountId) -> DispatchResult {
		pallet_session::Pallet::<Runtime>::purge_keys(RuntimeOrigin::signed(who))
	}
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
	type GovernanceOrigin = CouncilTwoThirdsOrRoot;
	type ValidatorRegistration = Session;
	type ActiveValidators = Session;
	type MinValidators = ConstU32<MIN_VALIDATORS>;
	type MaxValidators = ConstU32<MAX_AUTHORITIES>;
	type MinSessionPeriod = MinSessionPeriod;
	type MaxSessionPeriod = MaxSessionPeriod;
	type SessionKeys = SessionKeyPurge;
	type OnValidatorChange = CouncilFollowsValidators;
	type AuthorLookupWeight = AuthorLookupWeight;
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

parameter_types! {
	/// pallet-authorship's author lookup in every block, which it does not charge: Aura's
	/// authorities and the session's validators read (`FindAccountFromAuthorIndex`), its
	/// `Author` entry written, and cleared in `on_finalize`.
	pub AuthorLookupWeight: Weight =
		<Runtime as frame_system::Config>::DbWeight::get().reads_writes(2, 2);
}

/// The block's author for `pallet-revive` (`block.coinbase`, the Ethereum RPC's miner):
/// the one pallet-authorship found at the start of the block, which the consortium keeps,
/// before a session rotation replaces the validator list that the Aura slot indexes.
pub struct RecordedAuthor;
impl frame_support::traits::FindAuthor<AccountId> for RecordedAuthor {
	fn find_author<'a, I>(digests: I) -> Option<AccountId>
	where
		I: 'a + IntoIterator<Item = (sp_runtime::ConsensusEngineId, &'a [u8])>,
	{
		// Before this block's `on_initialize` nothing is kept for it: the lookup is still
		// right then, the rotation comes after.
		Consortium::block_author().or_else(|| {
			pallet_session::FindAccountFromAuthorIndex::<Runtime, Aura>::find_author(digests)
		})
	}
}

/// Keeps the council the validators' operators: an added validator gets a seat (unless it
/// has one), a removed one loses it, through pallet-membership (which tells the council,
/// pallet-collective, and drops the member's votes on open motions).
pub struct CouncilFollowsValidators;
impl pallet_consortium::OnValidatorChange<AccountId> for CouncilFollowsValidators {
	fn added(who: &AccountId) -> DispatchResult {
		if CouncilMembership::contains(who) {
			return Ok(());
		}
		CouncilMembership::add_member(RawOrigin::Root.into(), who.clone().into())
			.map(|_| ())
			.map_err(|e| e.error)
	}
	fn removed(who: &AccountId) -> DispatchResult {
		if !CouncilMembership::contains(who) {
			return Ok(());
		}
		CouncilMembership::remove_member(RawOrigin::Root.into(), who.clone().into())
			.map(|_| ())
			.map_err(|e| e.error)
	}
	fn weight() -> Weight {
		use pallet_membership::WeightInfo;
		type Weights = pallet_membership::weights::SubstrateWeight<Runtime>;
		let members = CouncilMaxMembers::get();
		Weights::add_member(members).max(Weights::remove_member(members))
	}
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

parameter_types! {
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
	/// A whitelisted call deferred before its hash was whitelisted may wait a week.
	pub const DeferredDispatchExpiration: BlockNumber = 7 * DAYS;
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_preimage::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type ManagerOrigin = CouncilTwoThirdsOrRoot;
	// A noted preimage holds storage-deposit prices (see revive.rs): 2 milli-PTI plus
	// 20 micro-PTI per byte.
	type Consideration = frame_support::traits::fungible::HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<super::revive::DepositPerItem, super::revive::DepositPerByte, Balance>,
	>;
}

impl pallet_whitelist::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WhitelistOrigin = CouncilTwoThirdsOrRoot;
	type DispatchWhitelistedOrigin = CouncilTwoThirdsOrRoot;
	type Preimages = Preimage;
	type DeferredDispatchExpiration = DeferredDispatchExpiration;
	type BlockNumberProvider = System;
	type WeightInfo = pallet_whitelist::weights::SubstrateWeight<Runtime>;
}
