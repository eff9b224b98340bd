//! # Ad exchange pallet
//!
//! Advertisers buy viewers' attention: a **campaign** escrows its budget, and its
//! participants (the exchange that runs the real-time auctions, the auditor) settle the
//! views off chain in **channel blocks** (see [`paratii_primitives::adx`] for the
//! messages and the processing both sides share). The chain only sees hashes: each
//! participant's part, each validator's result. When a campaign's validators agree and
//! nobody disputes within the challenge period, the block's Merkle root of cumulative
//! earnings becomes the campaign's balance root and every earner (viewer, producer,
//! the redistribution fund) pulls what it earned with a proof.
//!
//! ```text
//!  create_campaign ──► block N open ──submit_part (each participant, once, within
//!   (budget escrowed)      │            CollectionWindow)
//!                          ▼
//!                     submit_result (each campaign validator once, after the window)
//!                     ┌────┴──────────────────────┐
//!               all equal                    two differ / open_dispute
//!                     ▼                           ▼
//!   Agreed ── challenge period ──► finalize   Disputed: registry validators added,
//!     │ open_dispute (participant/advertiser,    ⅔ of all agree ─► finalized, the
//!     │  bonded, before the period ends)         others slashed; no ⅔ by the deadline
//!     └──────────────────────► Disputed          ─► the council resolves (or discards)
//!   finalized: balance root updated, block N+1 opens; claim(cumulative, proof) any time;
//!   close_campaign after valid_until with no block pending: unspent budget refunded
//! ```
//!
//! ## Calls
//! - [`Pallet::create_campaign`], [`Pallet::top_up`]: the advertiser's; the budget (and
//!   an existential deposit that keeps the escrow alive, returned when all is paid) moves
//!   to the campaign's sub-account. [`Pallet::accept_campaign`]: each validator the
//!   campaign names agrees to serve it; no channel block opens before all have.
//! - [`Pallet::register_validator`] (an application: holds [`Config::ValidatorBond`]),
//!   [`Pallet::admit_validator`] (governance: enters the registry),
//!   [`Pallet::unregister_validator`], [`Pallet::withdraw_bond`] (after
//!   [`Config::UnbondingPeriod`], when no campaign or dispute still needs the validator).
//! - [`Pallet::submit_part`], [`Pallet::submit_result`], [`Pallet::open_dispute`],
//!   [`Pallet::draw_panel`] (anyone), [`Pallet::finalize`] (anyone),
//!   [`Pallet::resolve_dispute`] (governance, for a deadlock only).
//! - [`Pallet::claim`] (anyone, for any beneficiary: pays the difference between the
//!   proven cumulative earnings and what was withdrawn; never lapses),
//!   [`Pallet::close_campaign`] (the advertiser; anyone once [`Config::CloseGracePeriod`]
//!   has passed after `valid_until`), [`Pallet::reap_campaign`] (anyone, once a closed
//!   campaign's earnings are all claimed: removes its records and releases its deposit).
//!
//! ## What keeps it honest
//! - At least two validators per campaign, distinct, bonded, none of them the
//!   advertiser: no single validator and no advertiser alone can finalize.
//! - A result hash commits to the chain, campaign, block, the parts posted and the
//!   balance root it starts from ([`paratii_primitives::adx::result_hash`]); the pallet
//!   recomputes it, so a result cannot be replayed on another block or campaign.
//! - Block numbers and campaign ids are the chain's counters: nobody picks them, so
//!   nobody can jump a channel to its last nonce.
//! - Settled totals only grow and never exceed the budget; claims never exceed what
//!   was settled; refunds only what was never settled.
//! - An agreed result settles only after the campaign's challenge period, which is at
//!   least [`Config::MinChallengePeriod`]: ten minutes of blocks in the shipped runtime
//!   (a couple of blocks would let an underpaying result settle before any participant
//!   could notice and dispute it); the test build shortens it to two blocks.
//!
//! ## Bonds and consent
//! A validator's bond is held while it is registered, for [`Config::UnbondingPeriod`]
//! after it leaves, and while any campaign it accepted or dispute it sits on still needs
//! it. Naming a validator in `create_campaign` binds it to nothing: its bond counts for
//! the campaign only once it calls `accept_campaign`, and a campaign whose validators
//! have not all accepted opens no channel block and may be closed by its advertiser at
//! any time. After `valid_until` the advertiser closes the campaign; if it does not,
//! anyone may once [`Config::CloseGracePeriod`] more has passed (the refund still goes to
//! the advertiser), so no advertiser can keep validators' bonds assigned forever.
//!
//! ## What the chain keeps, and who pays for it
//! A campaign's record (about 1 KB with 16 participants) and the outcome of its last
//! ended channel block are kept while the campaign exists, paid for by a storage deposit
//! ([`Config::CampaignDeposit`]) held from the advertiser at `create_campaign`. Earlier
//! outcomes are not kept: each ended block replaces the last one's, and the history is in
//! the `BlockFinalized` and `BlockDiscarded` events. A closed campaign whose settled
//! earnings have all been claimed — anyone may claim for any beneficiary, so an
//! advertiser who wants its deposit back can push the last payouts itself — is removed by
//! [`Pallet::reap_campaign`] (anyone may call it): the beneficiaries' withdrawal records
//! in batches of at most [`MAX_REAP_BATCH`], then the record and the outcome, and the
//! deposit is released to the advertiser. The deposit was chosen over pruning alone
//! because claims never lapse: a record whose last beneficiary never claims would
//! otherwise stay forever for nobody's account; with the deposit, whoever keeps it pays.
//!
//! ## The registry and dispute panels
//! The registry is curated: `register_validator` applies (holding the bond) and the
//! governance origin admits (`admit_validator`). Registration was permissionless, and
//! then one operator could bond many accounts and fill a dispute panel with them; with
//! accounts free to create, a per-account cap bounds nothing, so the council that
//! admits the consortium's block validators also decides who may judge disputes.
//!
//! A dispute's panel — up to [`Config::MaxDisputeValidators`] registry validators — is
//! drawn by [`Pallet::draw_panel`] from the hash of the block [`Config::PanelDrawDelay`]
//! blocks after the dispute opened: nobody knows that hash when the dispute is submitted
//! (the parent hash, used before, was known and let a disputer time its dispute). The
//! panel is a sample without replacement (a Fisher–Yates shuffle keyed by that hash, the
//! campaign and the block), not a run of neighbours in the sorted registry, and it never
//! includes the campaign's validators, its advertiser, its participants, its auditor or
//! the disputer. What one block author can bias: the author of the drawing block can
//! reorder or leave out extrinsics and so choose among the panels of the blocks it could
//! build, or skip its slot and leave the draw to the next author's block; it can choose
//! only among validators the council admitted, and only if it is the author of that one
//! block (Aura's order is known, so this is an author colluding with a disputant). Aura
//! offers no VRF and a commit–reveal round would need every panel member online twice;
//! a curated registry bounds what the remaining bias can buy. If nobody draws while the
//! block's hash is still kept ([`frame_system::Config::BlockHashCount`]), the draw moves
//! to a later block.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
pub mod runtime_api;
#[cfg(test)]
mod tests;
pub mod weights;

pub use paratii_primitives::adx::{CampaignId, ChannelBlock};
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use codec::{DecodeWithMemTracking, Encode, MaxEncodedLen};
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, InspectHold, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Preservation, Restriction},
		},
		CloneNoBound, DebugNoBound, EqNoBound, PalletId, PartialEqNoBound,
	};
	use frame_system::pallet_prelude::*;
	use paratii_primitives::adx::{self, Split};
	use sp_core::H256;
	use sp_io::hashing::blake2_256;
	use sp_runtime::{
		traits::{AccountIdConversion, Saturating, Zero},
		AccountId32, Perbill,
	};

	pub type BalanceOf<T> = <<T as Config>::Currency as Inspect<AccountId32>>::Balance;

	/// The shares of a paid view; they must add up to 100 %.
	#[derive(
		Clone,
		Copy,
		PartialEq,
		Eq,
		Debug,
		Encode,
		Decode,
		DecodeWithMemTracking,
		TypeInfo,
		MaxEncodedLen,
	)]
	pub struct Shares {
		pub viewer: Perbill,
		pub producer: Perbill,
		pub fund: Perbill,
	}

	impl Shares {
		pub fn split(&self) -> Option<Split> {
			Split::new(
				self.viewer.deconstruct(),
				self.producer.deconstruct(),
				self.fund.deconstruct(),
			)
		}
	}

	#[derive(
		Clone,
		Copy,
		PartialEq,
		Eq,
		Debug,
		Encode,
		Decode,
		DecodeWithMemTracking,
		TypeInfo,
		MaxEncodedLen,
	)]
	pub enum CampaignStatus {
		Active,
		/// Refunded; claims still pay.
		Closed,
	}

	/// A campaign: its terms, its escrow's accounting and its channel's position.
	#[derive(
		CloneNoBound,
		PartialEqNoBound,
		EqNoBound,
		DebugNoBound,
		Encode,
		Decode,
		TypeInfo,
		MaxEncodedLen,
	)]
	#[scale_info(skip_type_params(T))]
	pub struct Campaign<T: Config> {
		pub advertiser: AccountId32,
		/// Everything escrowed for views (top-ups included).
		pub budget: u128,
		/// Sum of the finalized blocks' totals.
		pub settled: u128,
		/// Paid out by claims.
		pub claimed: u128,
		/// Returned to the advertiser at closing.
		pub refunded: u128,
		/// The storage deposit held from the advertiser until `reap_campaign`.
		pub deposit: u128,
		pub max_price_per_view: u128,
		pub shares: Shares,
		pub validators: BoundedVec<AccountId32, T::MaxValidators>,
		/// Which of `validators` accepted the campaign: bit `i` for `validators[i]`.
		pub accepted: u32,
		pub participants: BoundedVec<AccountId32, T::MaxParticipants>,
		pub auditor: Option<AccountId32>,
		pub valid_until: BlockNumberFor<T>,
		pub challenge_period: BlockNumberFor<T>,
		/// Targeting and creative spec, off chain.
		pub spec_hash: H256,
		/// Payouts root of the last finalized block (zero before the first).
		pub balance_root: H256,
		/// The channel block that is (or will be) open.
		pub next_block: ChannelBlock,
		pub status: CampaignStatus,
	}

	/// A participant's part of a channel block.
	#[derive(
		CloneNoBound,
		PartialEqNoBound,
		EqNoBound,
		DebugNoBound,
		Encode,
		Decode,
		TypeInfo,
		MaxEncodedLen,
	)]
	#[scale_info(skip_type_params(T))]
	pub struct Part<T: Config> {
		pub participant: AccountId32,
		/// [`adx::part_hash`] of its messages.
		pub part_hash: H256,
		/// Where validators fetch it (a URL or content address).
		pub location: BoundedVec<u8, T::MaxLocationLength>,
	}

	/// What a validator posted for a block.
	#[derive(
		Clone,
		Copy,
		PartialEq,
		Eq,
		Debug,
		Encode,
		Decode,
		DecodeWithMemTracking,
		TypeInfo,
		MaxEncodedLen,
	)]
	pub struct PostedResult {
		pub result_hash: H256,
		pub payouts_root: H256,
		pub total: u128,
	}

	/// Where a pending channel block stands.
	#[derive(
		CloneNoBound,
		PartialEqNoBound,
		EqNoBound,
		DebugNoBound,
		Encode,
		Decode,
		TypeInfo,
		MaxEncodedLen,
	)]
	#[scale_info(skip_type_params(T))]
	pub enum BlockStatus<T: Config> {
		/// Parts until `collect_until`, then results.
		Collecting,
		/// All validators posted the same result; disputes until `challenge_end`,
		/// `finalize` from then on.
		Agreed { challenge_end: BlockNumberFor<T> },
		/// ⅔ of the campaign's and the `added` validators (the panel) decide; the council
		/// after `deadline`.
		Disputed {
			deadline: BlockNumberFor<T>,
			/// The block whose hash draws the panel, until `draw_panel` has drawn it.
			draw_at: Option<BlockNumberFor<T>>,
			added: BoundedVec<AccountId32, T::MaxDisputeValidators>,
			/// Who opened it and the bond held, when it was opened by `open_dispute`.
			disputer: Option<(AccountId32, u128)>,
			/// The agreed result it challenges, if there was one.
			challenged: Option<H256>,
		},
	}

	/// A pending channel block.
	#[derive(
		CloneNoBound,
		PartialEqNoBound,
		EqNoBound,
		DebugNoBound,
		Encode,
		Decode,
		TypeInfo,
		MaxEncodedLen,
	)]
	#[scale_info(skip_type_params(T))]
	pub struct PendingBlock<T: Config> {
		pub opened_at: BlockNumberFor<T>,
		pub collect_until: BlockNumberFor<T>,
		pub parts: BoundedVec<Part<T>, T::MaxParticipants>,
		pub results: BoundedVec<(AccountId32, PostedResult), MaxDisputeSet<T>>,
		pub status: BlockStatus<T>,
	}

	/// How a channel block ended; written once, never changed.
	#[derive(
		Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
	)]
	pub enum Outcome<BlockNumber> {
		Finalized {
			result: PostedResult,
			at: BlockNumber,
		},
		/// The council discarded it: nothing paid.
		Discarded {
			at: BlockNumber,
		},
	}

	/// A registered ad validator.
	#[derive(
		Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
	)]
	pub struct ValidatorInfo<BlockNumber> {
		/// Campaigns and disputes that still need it.
		pub assignments: u32,
		/// When it unregistered.
		pub unbonding_since: Option<BlockNumber>,
	}

	/// The validators a dispute may have: the campaign's and the added ones.
	pub struct MaxDisputeSet<T>(PhantomData<T>);
	impl<T: Config> Get<u32> for MaxDisputeSet<T> {
		fn get() -> u32 {
			T::MaxValidators::get().saturating_add(T::MaxDisputeValidators::get())
		}
	}

	/// A payout proof as `claim` takes it.
	pub type ProofOf<T> = adx::PayoutProof<BoundedVec<[u8; 32], <T as Config>::MaxProofLength>>;

	/// 1: campaigns hold a storage deposit; only the last outcome is kept
	/// ([`crate::migrations::v1`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<AccountId = AccountId32> {
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// PTI.
		type Currency: Mutate<AccountId32, Balance = u128>
			+ MutateHold<AccountId32, Reason = Self::RuntimeHoldReason>;
		type RuntimeHoldReason: From<HoldReason>;
		/// The redistribution fund: receives slashed bonds.
		type Fund: Get<AccountId32>;
		/// Admits validators to the registry and resolves deadlocked disputes.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Derives the campaigns' escrow accounts.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Validators per campaign (at least two are required).
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		/// Participants per campaign: at most [`adx::MAX_PARTS`].
		#[pallet::constant]
		type MaxParticipants: Get<u32>;
		/// Validators drawn from the registry for a dispute's panel.
		#[pallet::constant]
		type MaxDisputeValidators: Get<u32>;
		/// Registered validators.
		#[pallet::constant]
		type MaxRegistered: Get<u32>;
		#[pallet::constant]
		type MaxLocationLength: Get<u32>;
		/// Siblings in a payout proof (2^32 leaves need 32).
		#[pallet::constant]
		type MaxProofLength: Get<u32>;
		/// Held from each registered validator.
		#[pallet::constant]
		type ValidatorBond: Get<u128>;
		/// Held from whoever opens a dispute; lost if the challenged result wins.
		#[pallet::constant]
		type DisputeBond: Get<u128>;
		/// The part of its bond a validator loses for posting a losing result.
		#[pallet::constant]
		type SlashFraction: Get<Perbill>;
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;
		/// Blocks a channel block takes parts after its first one.
		#[pallet::constant]
		type CollectionWindow: Get<BlockNumberFor<Self>>;
		/// Blocks validators have after the collection window before a missing result
		/// may be escalated to a dispute.
		#[pallet::constant]
		type ResultWindow: Get<BlockNumberFor<Self>>;
		/// Blocks a dispute's validators have before the council may decide.
		#[pallet::constant]
		type DisputePeriod: Get<BlockNumberFor<Self>>;
		/// Blocks from a dispute's opening to the block whose hash draws its panel
		/// (at least one: that hash must be unknown when the dispute is submitted).
		#[pallet::constant]
		type PanelDrawDelay: Get<BlockNumberFor<Self>>;
		/// How long after `valid_until` only the advertiser may close a campaign; anyone
		/// may after that.
		#[pallet::constant]
		type CloseGracePeriod: Get<BlockNumberFor<Self>>;
		#[pallet::constant]
		type MinChallengePeriod: Get<BlockNumberFor<Self>>;
		#[pallet::constant]
		type MaxChallengePeriod: Get<BlockNumberFor<Self>>;
		#[pallet::constant]
		type MaxCampaignDuration: Get<BlockNumberFor<Self>>;
		#[pallet::constant]
		type MinBudget: Get<u128>;
		/// Held from the advertiser while the campaign's record and its last outcome are
		/// kept (released by `reap_campaign`).
		#[pallet::constant]
		type CampaignDeposit: Get<u128>;
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A registered ad validator's bond.
		ValidatorBond,
		/// An open dispute's bond.
		DisputeBond,
		/// A campaign's storage deposit.
		CampaignDeposit,
	}

	#[pallet::storage]
	pub type NextCampaignId<T> = StorageValue<_, CampaignId, ValueQuery>;

	#[pallet::storage]
	pub type Campaigns<T: Config> = StorageMap<_, Blake2_128Concat, CampaignId, Campaign<T>>;

	/// The pending channel block of each campaign that has one (at most one).
	#[pallet::storage]
	pub type Pending<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		CampaignId,
		Twox64Concat,
		ChannelBlock,
		PendingBlock<T>,
	>;

	/// How each campaign's last ended channel block ended: `(block, outcome)`. Earlier
	/// blocks' outcomes are in the `BlockFinalized` and `BlockDiscarded` events.
	#[pallet::storage]
	pub type Outcomes<T: Config> =
		StorageMap<_, Blake2_128Concat, CampaignId, (ChannelBlock, Outcome<BlockNumberFor<T>>)>;

	/// What each beneficiary has withdrawn from each campaign.
	#[pallet::storage]
	pub type Withdrawn<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		CampaignId,
		Blake2_128Concat,
		AccountId32,
		u128,
		ValueQuery,
	>;

	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageMap<_, Blake2_128Concat, AccountId32, ValidatorInfo<BlockNumberFor<T>>>;

	/// Validators that campaigns and disputes may choose: admitted by governance, not
	/// unbonding, bond intact. Sorted.
	#[pallet::storage]
	pub type Registry<T: Config> =
		StorageValue<_, BoundedVec<AccountId32, T::MaxRegistered>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		CampaignCreated {
			campaign: CampaignId,
			advertiser: AccountId32,
			budget: u128,
			escrow: AccountId32,
		},
		ToppedUp {
			campaign: CampaignId,
			amount: u128,
			budget: u128,
		},
		/// An application: the bond is held; governance admits it to the registry.
		ValidatorRegistered {
			validator: AccountId32,
			bond: u128,
		},
		ValidatorAdmitted {
			validator: AccountId32,
		},
		CampaignAccepted {
			campaign: CampaignId,
			validator: AccountId32,
		},
		ValidatorUnbonding {
			validator: AccountId32,
		},
		BondWithdrawn {
			validator: AccountId32,
			amount: u128,
		},
		PartSubmitted {
			campaign: CampaignId,
			block: ChannelBlock,
			participant: AccountId32,
			part_hash: H256,
			location: BoundedVec<u8, T::MaxLocationLength>,
		},
		ResultSubmitted {
			campaign: CampaignId,
			block: ChannelBlock,
			validator: AccountId32,
			result_hash: H256,
		},
		BlockAgreed {
			campaign: CampaignId,
			block: ChannelBlock,
			challenge_end: BlockNumberFor<T>,
		},
		/// The panel is drawn from the hash of block `draw_at` (`draw_panel`, from the
		/// block after it).
		DisputeOpened {
			campaign: CampaignId,
			block: ChannelBlock,
			by: Option<AccountId32>,
			draw_at: BlockNumberFor<T>,
			deadline: BlockNumberFor<T>,
		},
		PanelDrawn {
			campaign: CampaignId,
			block: ChannelBlock,
			panel: Vec<AccountId32>,
		},
		/// The drawing block's hash is no longer kept: the panel is drawn from a later one.
		PanelDrawPostponed {
			campaign: CampaignId,
			block: ChannelBlock,
			draw_at: BlockNumberFor<T>,
		},
		ValidatorSlashed {
			validator: AccountId32,
			amount: u128,
		},
		DisputerSlashed {
			disputer: AccountId32,
			amount: u128,
		},
		BlockFinalized {
			campaign: CampaignId,
			block: ChannelBlock,
			total: u128,
			payouts_root: H256,
		},
		BlockDiscarded {
			campaign: CampaignId,
			block: ChannelBlock,
		},
		Claimed {
			campaign: CampaignId,
			beneficiary: AccountId32,
			amount: u128,
			cumulative: u128,
		},
		CampaignClosed {
			campaign: CampaignId,
			refunded: u128,
		},
		/// `removed` withdrawal records of a closed campaign were removed; more remain
		/// (call `reap_campaign` again).
		ClaimRecordsRemoved {
			campaign: CampaignId,
			removed: u32,
		},
		/// A closed, fully claimed campaign's records were removed and its storage
		/// deposit released to the advertiser.
		CampaignReaped {
			campaign: CampaignId,
			deposit: u128,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No campaign with this id.
		UnknownCampaign,
		/// Only the campaign's advertiser may do this.
		NotAdvertiser,
		/// The campaign is closed.
		CampaignClosed,
		/// The budget is below `MinBudget`.
		BudgetTooSmall,
		/// The maximum price per view must be above zero and at most the budget.
		BadMaxPrice,
		/// The shares must add up to exactly 100 %.
		SharesNotWhole,
		/// A campaign needs at least two validators.
		TooFewValidators,
		/// A validator is listed twice.
		DuplicateValidator,
		/// A validator is not in the registry (unregistered, unbonding or slashed).
		NotARegisteredValidator,
		/// The advertiser cannot validate its own campaign.
		AdvertiserIsValidator,
		/// A campaign needs at least one participant.
		NoParticipants,
		/// A participant is listed twice.
		DuplicateParticipant,
		/// `valid_until` must be in the future, within `MaxCampaignDuration`.
		BadValidUntil,
		/// The challenge period must be within `MinChallengePeriod..=MaxChallengePeriod`.
		BadChallengePeriod,
		/// The advertiser cannot pay the budget plus the escrow's existential deposit.
		CannotPayBudget,
		/// A counter would overflow.
		Overflow,
		/// Already registered as an ad validator.
		AlreadyRegistered,
		/// Not a registered ad validator.
		NotRegistered,
		/// The registry is full.
		RegistryFull,
		/// The validator bond cannot be held from this account.
		CannotPayBond,
		/// Unregister first, then wait the unbonding period.
		NotUnbonding,
		/// The unbonding period has not passed.
		StillUnbonding,
		/// A campaign or dispute still needs this validator.
		StillAssigned,
		/// Only the campaign's participants may submit parts.
		NotAParticipant,
		/// That is not the campaign's open channel block (see `next_block`).
		WrongBlock,
		/// The campaign's `valid_until` has passed: no new channel blocks.
		CampaignExpired,
		/// The block's collection window has closed.
		CollectionClosed,
		/// This participant already submitted its part of the block.
		PartAlreadySubmitted,
		/// No part has been submitted for this block: nothing to validate.
		NoOpenBlock,
		/// Results are taken once the collection window has closed.
		StillCollecting,
		/// Not one of the validators of this campaign or of the block's dispute.
		NotAValidator,
		/// This validator already posted its result for the block.
		ResultAlreadySubmitted,
		/// The result hash does not commit to this chain, campaign, block, the parts
		/// posted and the campaign's balance root with this payouts root and total.
		ResultHashMismatch,
		/// The total would settle more than the budget.
		ExceedsBudget,
		/// The block is not agreed (still collecting, or disputed).
		NotAgreed,
		/// The challenge period has not ended.
		ChallengePeriodNotOver,
		/// The challenge period has ended: finalize instead.
		ChallengePeriodOver,
		/// The block is already disputed.
		AlreadyDisputed,
		/// Only a participant or the advertiser may dispute.
		NotEntitledToDispute,
		/// Nothing to dispute yet: the block is collecting and its validators still have
		/// time (`ResultWindow`) to post.
		NothingToDispute,
		/// The dispute bond cannot be held from this account.
		CannotPayDisputeBond,
		/// The block is not disputed.
		NotDisputed,
		/// The dispute's validators still have time (until its deadline).
		DisputeStillRunning,
		/// No validator posted that result.
		UnknownResult,
		/// The proof does not prove these cumulative earnings in the balance root.
		InvalidProof,
		/// Everything proven has already been withdrawn.
		NothingToClaim,
		/// A new account needs at least the existential deposit: claim when the
		/// earnings have grown.
		BelowExistentialDeposit,
		/// Claims would pay more than was settled.
		ClaimExceedsSettled,
		/// The campaign runs until `valid_until`; after that only its advertiser may close it
		/// until `CloseGracePeriod` has passed.
		CampaignStillRunning,
		/// The account has not applied (`register_validator`), or is leaving.
		NotApplied,
		/// The validator is already in the registry.
		AlreadyAdmitted,
		/// The validator's held bond is below `ValidatorBond` (it was slashed): it must
		/// unregister, withdraw and apply again.
		BondBelowMinimum,
		/// The caller is not one of the campaign's validators.
		NotACampaignValidator,
		/// The caller already accepted this campaign.
		AlreadyAccepted,
		/// Not every validator of the campaign has accepted it (`accept_campaign`): no
		/// channel block opens until they have.
		NotAccepted,
		/// The dispute's panel is already drawn.
		PanelAlreadyDrawn,
		/// The panel is drawn from the hash of block `draw_at`: from the block after it.
		PanelNotYetDrawable,
		/// A channel block is pending: finalize (or resolve) it first.
		BlockPending,
		/// The advertiser cannot pay the campaign's storage deposit (`CampaignDeposit`).
		CannotPayCampaignDeposit,
		/// Only a closed campaign can be reaped: close it first.
		CampaignNotClosed,
		/// Settled earnings are still unclaimed: claim them (anyone may, for any
		/// beneficiary) before reaping the campaign.
		EarningsUnclaimed,
		/// At most `MAX_REAP_BATCH` withdrawal records are removed per call.
		ReapBatchTooLarge,
	}

	/// Most withdrawal records one `reap_campaign` removes.
	pub const MAX_REAP_BATCH: u32 = 512;

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxValidators::get() >= 2, "a campaign needs two validators");
			assert!(T::MaxValidators::get() <= u32::BITS, "`accepted` has a bit per validator");
			assert!(!T::PanelDrawDelay::get().is_zero(), "the drawing block must come later");
			assert!(
				T::MaxParticipants::get() as usize <= adx::MAX_PARTS,
				"one part per participant, at most adx::MAX_PARTS"
			);
			assert!(
				T::MaxRegistered::get() >= MaxDisputeSet::<T>::get(),
				"the registry must hold a campaign's and a dispute's validators"
			);
			assert!(T::MinChallengePeriod::get() <= T::MaxChallengePeriod::get());
			assert!(T::MaxProofLength::get() >= 32, "proofs for up to 2^32 earners");
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Creates a campaign and escrows `budget` (plus the escrow's existential deposit,
		/// returned when everything is paid) from the caller, the advertiser, holding
		/// `CampaignDeposit` from it until the campaign is reaped.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_campaign(validators.len() as u32, participants.len() as u32))]
		pub fn create_campaign(
			origin: OriginFor<T>,
			budget: u128,
			max_price_per_view: u128,
			shares: Shares,
			validators: BoundedVec<AccountId32, T::MaxValidators>,
			participants: BoundedVec<AccountId32, T::MaxParticipants>,
			auditor: Option<AccountId32>,
			valid_until: BlockNumberFor<T>,
			challenge_period: BlockNumberFor<T>,
			spec_hash: H256,
		) -> DispatchResult {
			let advertiser = ensure_signed(origin)?;
			ensure!(budget >= T::MinBudget::get(), Error::<T>::BudgetTooSmall);
			ensure!(
				max_price_per_view > 0 && max_price_per_view <= budget,
				Error::<T>::BadMaxPrice
			);
			ensure!(shares.split().is_some(), Error::<T>::SharesNotWhole);
			ensure!(validators.len() >= 2, Error::<T>::TooFewValidators);
			ensure!(!validators.contains(&advertiser), Error::<T>::AdvertiserIsValidator);
			ensure!(all_distinct(&validators), Error::<T>::DuplicateValidator);
			let registry = Registry::<T>::get();
			ensure!(
				validators.iter().all(|v| registry.binary_search(v).is_ok()),
				Error::<T>::NotARegisteredValidator
			);
			ensure!(!participants.is_empty(), Error::<T>::NoParticipants);
			ensure!(all_distinct(&participants), Error::<T>::DuplicateParticipant);
			let now = Self::now();
			ensure!(
				valid_until > now
					&& valid_until <= now.saturating_add(T::MaxCampaignDuration::get()),
				Error::<T>::BadValidUntil
			);
			ensure!(
				challenge_period >= T::MinChallengePeriod::get()
					&& challenge_period <= T::MaxChallengePeriod::get(),
				Error::<T>::BadChallengePeriod
			);
			let id = NextCampaignId::<T>::get();
			let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let escrow = Self::escrow(id);
			let deposit =
				budget.checked_add(T::Currency::minimum_balance()).ok_or(Error::<T>::Overflow)?;
			T::Currency::transfer(&advertiser, &escrow, deposit, Preservation::Preserve)
				.map_err(|_| Error::<T>::CannotPayBudget)?;
			let storage_deposit = T::CampaignDeposit::get();
			T::Currency::hold(&HoldReason::CampaignDeposit.into(), &advertiser, storage_deposit)
				.map_err(|_| Error::<T>::CannotPayCampaignDeposit)?;
			// The validators are bound (`assign`) only when they accept.
			NextCampaignId::<T>::put(next);
			Campaigns::<T>::insert(
				id,
				Campaign {
					advertiser: advertiser.clone(),
					budget,
					settled: 0,
					claimed: 0,
					refunded: 0,
					deposit: storage_deposit,
					max_price_per_view,
					shares,
					validators,
					accepted: 0,
					participants,
					auditor,
					valid_until,
					challenge_period,
					spec_hash,
					balance_root: H256::zero(),
					next_block: 0,
					status: CampaignStatus::Active,
				},
			);
			Self::deposit_event(Event::CampaignCreated {
				campaign: id,
				advertiser,
				budget,
				escrow,
			});
			Ok(())
		}

		/// Adds `amount` to an active campaign's budget (the advertiser's).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::top_up())]
		pub fn top_up(origin: OriginFor<T>, campaign: CampaignId, amount: u128) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Campaigns::<T>::try_mutate(campaign, |c| {
				let c = c.as_mut().ok_or(Error::<T>::UnknownCampaign)?;
				ensure!(c.advertiser == who, Error::<T>::NotAdvertiser);
				ensure!(c.status == CampaignStatus::Active, Error::<T>::CampaignClosed);
				c.budget = c.budget.checked_add(amount).ok_or(Error::<T>::Overflow)?;
				T::Currency::transfer(
					&who,
					&Self::escrow(campaign),
					amount,
					Preservation::Preserve,
				)
				.map_err(|_| Error::<T>::CannotPayBudget)?;
				Self::deposit_event(Event::ToppedUp { campaign, amount, budget: c.budget });
				Ok(())
			})
		}

		/// Applies to be an ad validator, holding `ValidatorBond`; governance admits the
		/// caller to the registry (`admit_validator`).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::register_validator())]
		pub fn register_validator(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!Validators::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
			let bond = T::ValidatorBond::get();
			T::Currency::hold(&HoldReason::ValidatorBond.into(), &who, bond)
				.map_err(|_| Error::<T>::CannotPayBond)?;
			Validators::<T>::insert(&who, ValidatorInfo { assignments: 0, unbonding_since: None });
			Self::deposit_event(Event::ValidatorRegistered { validator: who, bond });
			Ok(())
		}

		/// Leaves the registry: no new campaign or dispute may choose the caller; its bond
		/// stays held for `UnbondingPeriod` and while it is still assigned.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::unregister_validator())]
		pub fn unregister_validator(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Validators::<T>::try_mutate(&who, |info| {
				let info = info.as_mut().ok_or(Error::<T>::NotRegistered)?;
				ensure!(info.unbonding_since.is_none(), Error::<T>::NotRegistered);
				info.unbonding_since = Some(Self::now());
				Ok::<_, DispatchError>(())
			})?;
			Self::remove_from_registry(&who);
			Self::deposit_event(Event::ValidatorUnbonding { validator: who });
			Ok(())
		}

		/// Releases an unbonded validator's bond.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::withdraw_bond())]
		pub fn withdraw_bond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let info = Validators::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			let since = info.unbonding_since.ok_or(Error::<T>::NotUnbonding)?;
			ensure!(
				Self::now() >= since.saturating_add(T::UnbondingPeriod::get()),
				Error::<T>::StillUnbonding
			);
			ensure!(info.assignments == 0, Error::<T>::StillAssigned);
			let reason = HoldReason::ValidatorBond.into();
			let amount = T::Currency::balance_on_hold(&reason, &who);
			T::Currency::release(&reason, &who, amount, Precision::Exact)?;
			Validators::<T>::remove(&who);
			Self::deposit_event(Event::BondWithdrawn { validator: who, amount });
			Ok(())
		}

		/// Posts the caller's part of the campaign's open channel block: the hash of its
		/// messages and where to fetch them. The first part opens the block's collection
		/// window.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::submit_part())]
		pub fn submit_part(
			origin: OriginFor<T>,
			campaign: CampaignId,
			block: ChannelBlock,
			part_hash: H256,
			location: BoundedVec<u8, T::MaxLocationLength>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let c = Campaigns::<T>::get(campaign).ok_or(Error::<T>::UnknownCampaign)?;
			ensure!(c.status == CampaignStatus::Active, Error::<T>::CampaignClosed);
			ensure!(c.participants.contains(&who), Error::<T>::NotAParticipant);
			ensure!(c.accepted == Self::all_accepted(&c), Error::<T>::NotAccepted);
			ensure!(block == c.next_block, Error::<T>::WrongBlock);
			let now = Self::now();
			let mut pending = match Pending::<T>::get(campaign, block) {
				Some(p) => p,
				None => {
					ensure!(now < c.valid_until, Error::<T>::CampaignExpired);
					PendingBlock {
						opened_at: now,
						collect_until: now.saturating_add(T::CollectionWindow::get()),
						parts: Default::default(),
						results: Default::default(),
						status: BlockStatus::Collecting,
					}
				},
			};
			ensure!(
				matches!(pending.status, BlockStatus::Collecting) && now < pending.collect_until,
				Error::<T>::CollectionClosed
			);
			ensure!(
				!pending.parts.iter().any(|p| p.participant == who),
				Error::<T>::PartAlreadySubmitted
			);
			// Cannot fail: one part per participant, at most `MaxParticipants`.
			pending
				.parts
				.try_push(Part { participant: who.clone(), part_hash, location: location.clone() })
				.map_err(|_| Error::<T>::PartAlreadySubmitted)?;
			Pending::<T>::insert(campaign, block, pending);
			Self::deposit_event(Event::PartSubmitted {
				campaign,
				block,
				participant: who,
				part_hash,
				location,
			});
			Ok(())
		}

		/// Posts the caller's result for a channel block (each of the campaign's — or the
		/// dispute's — validators once, after the collection window). When all the
		/// campaign's validators agree the challenge period starts; when two differ the
		/// block is disputed; in a dispute, the result ⅔ of its validators post wins.
		#[pallet::call_index(6)]
		#[pallet::weight(
			T::WeightInfo::submit_result_agreeing(T::MaxValidators::get())
				.max(T::WeightInfo::submit_result_disputing())
				.max(T::WeightInfo::submit_result_resolving())
		)]
		pub fn submit_result(
			origin: OriginFor<T>,
			campaign: CampaignId,
			block: ChannelBlock,
			result_hash: H256,
			payouts_root: H256,
			total: u128,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let c = Campaigns::<T>::get(campaign).ok_or(Error::<T>::UnknownCampaign)?;
			let mut pending = Pending::<T>::get(campaign, block).ok_or(Error::<T>::NoOpenBlock)?;
			let now = Self::now();
			ensure!(now >= pending.collect_until, Error::<T>::StillCollecting);
			let in_dispute = match &pending.status {
				BlockStatus::Disputed { added, .. } => added.contains(&who),
				_ => false,
			};
			ensure!(c.validators.contains(&who) || in_dispute, Error::<T>::NotAValidator);
			ensure!(
				!pending.results.iter().any(|(v, _)| *v == who),
				Error::<T>::ResultAlreadySubmitted
			);
			ensure!(
				c.settled.checked_add(total).is_some_and(|t| t <= c.budget),
				Error::<T>::ExceedsBudget
			);
			ensure!(
				result_hash
					== Self::expected_result_hash(
						campaign,
						block,
						&c,
						&pending,
						&payouts_root,
						total
					),
				Error::<T>::ResultHashMismatch
			);
			let posted = PostedResult { result_hash, payouts_root, total };
			pending
				.results
				.try_push((who.clone(), posted))
				.map_err(|_| Error::<T>::ResultAlreadySubmitted)?;
			Self::deposit_event(Event::ResultSubmitted {
				campaign,
				block,
				validator: who,
				result_hash,
			});

			// Charged for the worst path; refunded to the path taken.
			let mut actual = T::WeightInfo::submit_result_agreeing(c.validators.len() as u32);
			if matches!(pending.status, BlockStatus::Collecting) {
				if pending.results.iter().any(|(_, r)| r.result_hash != result_hash) {
					Self::open(campaign, block, &mut pending, None, None);
					actual = T::WeightInfo::submit_result_disputing();
				} else if pending.results.len() == c.validators.len() {
					let challenge_end = now.saturating_add(c.challenge_period);
					pending.status = BlockStatus::Agreed { challenge_end };
					Self::deposit_event(Event::BlockAgreed { campaign, block, challenge_end });
				}
			}
			if let Some(winner) = Self::supermajority_result(&c, &pending) {
				Self::settle(campaign, block, c, pending, Some(winner))?;
				return Ok(Some(T::WeightInfo::submit_result_resolving()).into());
			}
			Pending::<T>::insert(campaign, block, pending);
			Ok(Some(actual).into())
		}

		/// Challenges a channel block (a participant or the advertiser, holding
		/// `DisputeBond`): an agreed block before its challenge period ends, or a block
		/// whose validators have not all posted by the end of the result window. A panel
		/// of registry validators is drawn later (`draw_panel`); the bond is lost if the
		/// challenged result wins.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::open_dispute())]
		pub fn open_dispute(
			origin: OriginFor<T>,
			campaign: CampaignId,
			block: ChannelBlock,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let c = Campaigns::<T>::get(campaign).ok_or(Error::<T>::UnknownCampaign)?;
			ensure!(
				c.participants.contains(&who) || c.advertiser == who,
				Error::<T>::NotEntitledToDispute
			);
			ensure!(c.accepted == Self::all_accepted(&c), Error::<T>::NotAccepted);
			let mut pending = Pending::<T>::get(campaign, block).ok_or(Error::<T>::NoOpenBlock)?;
			let now = Self::now();
			let challenged = match pending.status {
				BlockStatus::Agreed { challenge_end } => {
					ensure!(now < challenge_end, Error::<T>::ChallengePeriodOver);
					pending.results.first().map(|(_, r)| r.result_hash)
				},
				BlockStatus::Collecting => {
					ensure!(
						now >= pending.collect_until.saturating_add(T::ResultWindow::get()),
						Error::<T>::NothingToDispute
					);
					None
				},
				BlockStatus::Disputed { .. } => return Err(Error::<T>::AlreadyDisputed.into()),
			};
			let bond = T::DisputeBond::get();
			T::Currency::hold(&HoldReason::DisputeBond.into(), &who, bond)
				.map_err(|_| Error::<T>::CannotPayDisputeBond)?;
			Self::open(campaign, block, &mut pending, Some((who, bond)), challenged);
			Pending::<T>::insert(campaign, block, pending);
			Ok(())
		}

		/// Finalizes an agreed channel block once its challenge period has ended (anyone).
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::finalize())]
		pub fn finalize(
			origin: OriginFor<T>,
			campaign: CampaignId,
			block: ChannelBlock,
		) -> DispatchResult {
			ensure_signed(origin)?;
			let c = Campaigns::<T>::get(campaign).ok_or(Error::<T>::UnknownCampaign)?;
			let pending = Pending::<T>::get(campaign, block).ok_or(Error::<T>::NoOpenBlock)?;
			let BlockStatus::Agreed { challenge_end } = pending.status else {
				return Err(Error::<T>::NotAgreed.into());
			};
			ensure!(Self::now() >= challenge_end, Error::<T>::ChallengePeriodNotOver);
			let result = pending.results.first().map(|(_, r)| *r).ok_or(Error::<T>::NotAgreed)?;
			Self::settle(campaign, block, c, pending, Some(result))
		}

		/// Decides a dispute whose validators reached no ⅔ majority by its deadline:
		/// finalizes one of the posted results (`Some(result_hash)`, its opponents
		/// slashed) or discards the block (`None`: nothing paid, nobody slashed).
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::resolve_dispute())]
		pub fn resolve_dispute(
			origin: OriginFor<T>,
			campaign: CampaignId,
			block: ChannelBlock,
			result_hash: Option<H256>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let c = Campaigns::<T>::get(campaign).ok_or(Error::<T>::UnknownCampaign)?;
			let pending = Pending::<T>::get(campaign, block).ok_or(Error::<T>::NoOpenBlock)?;
			let BlockStatus::Disputed { deadline, .. } = pending.status else {
				return Err(Error::<T>::NotDisputed.into());
			};
			ensure!(Self::now() >= deadline, Error::<T>::DisputeStillRunning);
			let result = match result_hash {
				Some(h) => Some(
					pending
						.results
						.iter()
						.find(|(_, r)| r.result_hash == h)
						.map(|(_, r)| *r)
						.ok_or(Error::<T>::UnknownResult)?,
				),
				None => None,
			};
			Self::settle(campaign, block, c, pending, result)
		}

		/// Pays `beneficiary` (anyone may send it) what it earned in `campaign` beyond what
		/// it withdrew: `cumulative` proven against the campaign's balance root.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::claim(proof.path.len() as u32))]
		pub fn claim(
			origin: OriginFor<T>,
			campaign: CampaignId,
			beneficiary: AccountId32,
			cumulative: u128,
			proof: ProofOf<T>,
		) -> DispatchResult {
			ensure_signed(origin)?;
			let mut c = Campaigns::<T>::get(campaign).ok_or(Error::<T>::UnknownCampaign)?;
			ensure!(
				adx::verify_payout(&c.balance_root.0, beneficiary.as_ref(), cumulative, &proof),
				Error::<T>::InvalidProof
			);
			let withdrawn = Withdrawn::<T>::get(campaign, &beneficiary);
			let amount = cumulative
				.checked_sub(withdrawn)
				.filter(|a| !a.is_zero())
				.ok_or(Error::<T>::NothingToClaim)?;
			let claimed = c
				.claimed
				.checked_add(amount)
				.filter(|t| *t <= c.settled)
				.ok_or(Error::<T>::ClaimExceedsSettled)?;
			let escrow = Self::escrow(campaign);
			T::Currency::transfer(&escrow, &beneficiary, amount, Preservation::Preserve)
				.map_err(|_| Error::<T>::BelowExistentialDeposit)?;
			c.claimed = claimed;
			Withdrawn::<T>::insert(campaign, &beneficiary, cumulative);
			Self::return_escrow_deposit(campaign, &c);
			Campaigns::<T>::insert(campaign, c);
			Self::deposit_event(Event::Claimed { campaign, beneficiary, amount, cumulative });
			Ok(())
		}

		/// Closes a campaign with no block pending, refunding the budget never settled to
		/// the advertiser: by the advertiser after `valid_until`, or at any time while its
		/// validators have not all accepted it (no block has opened); by anyone once
		/// `CloseGracePeriod` has passed after `valid_until`. Claims keep paying.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::close_campaign(T::MaxValidators::get()))]
		pub fn close_campaign(origin: OriginFor<T>, campaign: CampaignId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut c = Campaigns::<T>::get(campaign).ok_or(Error::<T>::UnknownCampaign)?;
			ensure!(c.status == CampaignStatus::Active, Error::<T>::CampaignClosed);
			let now = Self::now();
			let expired = now >= c.valid_until;
			if c.advertiser == who {
				ensure!(
					expired || c.accepted != Self::all_accepted(&c),
					Error::<T>::CampaignStillRunning
				);
			} else {
				ensure!(
					now >= c.valid_until.saturating_add(T::CloseGracePeriod::get()),
					Error::<T>::CampaignStillRunning
				);
			}
			ensure!(!Pending::<T>::contains_key(campaign, c.next_block), Error::<T>::BlockPending);
			let refund = c.budget.checked_sub(c.settled).ok_or(Error::<T>::Overflow)?;
			if refund > 0 {
				T::Currency::transfer(
					&Self::escrow(campaign),
					&c.advertiser,
					refund,
					Preservation::Preserve,
				)?;
			}
			c.refunded = refund;
			c.status = CampaignStatus::Closed;
			for (i, v) in c.validators.iter().enumerate() {
				if c.accepted & (1 << i) != 0 {
					Self::assign(v, false);
				}
			}
			Self::return_escrow_deposit(campaign, &c);
			Campaigns::<T>::insert(campaign, c);
			Self::deposit_event(Event::CampaignClosed { campaign, refunded: refund });
			Ok(())
		}

		/// Admits an applicant (`register_validator`) to the registry, from which campaigns
		/// name their validators and disputes draw their panels (governance).
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::admit_validator())]
		pub fn admit_validator(origin: OriginFor<T>, validator: AccountId32) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let info = Validators::<T>::get(&validator).ok_or(Error::<T>::NotApplied)?;
			ensure!(info.unbonding_since.is_none(), Error::<T>::NotApplied);
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ValidatorBond.into(), &validator)
					>= T::ValidatorBond::get(),
				Error::<T>::BondBelowMinimum
			);
			let mut registry = Registry::<T>::get();
			let at = registry.binary_search(&validator).err().ok_or(Error::<T>::AlreadyAdmitted)?;
			registry.try_insert(at, validator.clone()).map_err(|_| Error::<T>::RegistryFull)?;
			Registry::<T>::put(registry);
			Self::deposit_event(Event::ValidatorAdmitted { validator });
			Ok(())
		}

		/// One of the campaign's validators agrees to serve it: from now on its bond stays
		/// held until the campaign closes. Channel blocks open once all have accepted.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::accept_campaign())]
		pub fn accept_campaign(origin: OriginFor<T>, campaign: CampaignId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut c = Campaigns::<T>::get(campaign).ok_or(Error::<T>::UnknownCampaign)?;
			ensure!(c.status == CampaignStatus::Active, Error::<T>::CampaignClosed);
			ensure!(Self::now() < c.valid_until, Error::<T>::CampaignExpired);
			let index = c
				.validators
				.iter()
				.position(|v| *v == who)
				.ok_or(Error::<T>::NotACampaignValidator)?;
			let bit = 1u32 << index;
			ensure!(c.accepted & bit == 0, Error::<T>::AlreadyAccepted);
			ensure!(
				Registry::<T>::get().binary_search(&who).is_ok(),
				Error::<T>::NotARegisteredValidator
			);
			c.accepted |= bit;
			Self::assign(&who, true);
			Campaigns::<T>::insert(campaign, c);
			Self::deposit_event(Event::CampaignAccepted { campaign, validator: who });
			Ok(())
		}

		/// Removes a closed campaign whose settled earnings have all been claimed (anyone
		/// may call it): up to `max_records` of its beneficiaries' withdrawal records
		/// (at most `MAX_REAP_BATCH`) per call, and, once none remain, the campaign's
		/// record and last outcome; its storage deposit is then released to the advertiser.
		/// Call it again while it reports `ClaimRecordsRemoved`.
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::reap_campaign(*max_records))]
		pub fn reap_campaign(
			origin: OriginFor<T>,
			campaign: CampaignId,
			max_records: u32,
		) -> DispatchResult {
			ensure_signed(origin)?;
			ensure!(max_records <= MAX_REAP_BATCH, Error::<T>::ReapBatchTooLarge);
			let c = Campaigns::<T>::get(campaign).ok_or(Error::<T>::UnknownCampaign)?;
			ensure!(c.status == CampaignStatus::Closed, Error::<T>::CampaignNotClosed);
			ensure!(c.claimed == c.settled, Error::<T>::EarningsUnclaimed);
			// Nothing more can be claimed (claimed == settled, and nothing settles after
			// closing), so a beneficiary whose record is gone cannot claim again.
			let removed =
				Withdrawn::<T>::drain_prefix(campaign).take(max_records as usize).count() as u32;
			if Withdrawn::<T>::iter_prefix(campaign).next().is_some() {
				Self::deposit_event(Event::ClaimRecordsRemoved { campaign, removed });
				return Ok(());
			}
			Campaigns::<T>::remove(campaign);
			Outcomes::<T>::remove(campaign);
			Self::return_escrow_deposit(campaign, &c);
			let released = T::Currency::release(
				&HoldReason::CampaignDeposit.into(),
				&c.advertiser,
				c.deposit,
				Precision::BestEffort,
			)?;
			Self::deposit_event(Event::CampaignReaped { campaign, deposit: released });
			Ok(())
		}

		/// Draws a dispute's panel from the hash of block `draw_at` (anyone, from the block
		/// after it): up to `MaxDisputeValidators` registry validators sampled without
		/// replacement, none of them the campaign's validators, advertiser, participants,
		/// auditor or the disputer. A result that already has ⅔ of the campaign's and the
		/// panel's validators settles the block.
		#[pallet::call_index(14)]
		#[pallet::weight(
			T::WeightInfo::draw_panel()
				.max(T::WeightInfo::submit_result_resolving())
		)]
		pub fn draw_panel(
			origin: OriginFor<T>,
			campaign: CampaignId,
			block: ChannelBlock,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let c = Campaigns::<T>::get(campaign).ok_or(Error::<T>::UnknownCampaign)?;
			let mut pending = Pending::<T>::get(campaign, block).ok_or(Error::<T>::NoOpenBlock)?;
			let BlockStatus::Disputed { draw_at, added, disputer, .. } = &mut pending.status else {
				return Err(Error::<T>::NotDisputed.into());
			};
			let at = draw_at.ok_or(Error::<T>::PanelAlreadyDrawn)?;
			let now = Self::now();
			ensure!(now > at, Error::<T>::PanelNotYetDrawable);
			let seed = frame_system::Pallet::<T>::block_hash(at);
			if seed == Default::default() {
				let later = now.saturating_add(T::PanelDrawDelay::get());
				*draw_at = Some(later);
				Pending::<T>::insert(campaign, block, pending);
				Self::deposit_event(Event::PanelDrawPostponed { campaign, block, draw_at: later });
				return Ok(Some(T::WeightInfo::draw_panel()).into());
			}
			let disputer = disputer.as_ref().map(|(d, _)| d);
			let mut candidates: Vec<AccountId32> = Registry::<T>::get()
				.into_iter()
				.filter(|v| {
					!c.validators.contains(v)
						&& *v != c.advertiser
						&& !c.participants.contains(v)
						&& c.auditor.as_ref() != Some(v)
						&& disputer != Some(v)
				})
				.collect();
			let size = candidates.len().min(T::MaxDisputeValidators::get() as usize);
			// A partial Fisher–Yates shuffle: position `i` takes one of the candidates not
			// yet taken, picked by the hash of (seed, campaign, block, i).
			for i in 0..size {
				let r = (seed.as_ref(), campaign, block, i as u32).using_encoded(blake2_256);
				let r = u64::from_le_bytes(r[..8].try_into().unwrap_or_default());
				let j = i + (r % (candidates.len() - i) as u64) as usize;
				candidates.swap(i, j);
			}
			candidates.truncate(size);
			for v in &candidates {
				Self::assign(v, true);
			}
			// Cannot fail: at most `MaxDisputeValidators`.
			*added = BoundedVec::truncate_from(candidates.clone());
			*draw_at = None;
			Self::deposit_event(Event::PanelDrawn { campaign, block, panel: candidates });
			let drawn = T::WeightInfo::draw_panel();
			if let Some(winner) = Self::supermajority_result(&c, &pending) {
				Self::settle(campaign, block, c, pending, Some(winner))?;
				return Ok(
					Some(drawn.saturating_add(T::WeightInfo::submit_result_resolving())).into()
				);
			}
			Pending::<T>::insert(campaign, block, pending);
			Ok(Some(drawn).into())
		}
	}

	fn all_distinct(accounts: &[AccountId32]) -> bool {
		let mut sorted: Vec<&AccountId32> = accounts.iter().collect();
		sorted.sort();
		sorted.windows(2).all(|w| w[0] != w[1])
	}

	/// The smallest number of votes that is at least ⅔ of `n`.
	pub fn supermajority(n: u32) -> u32 {
		(2 * n).div_ceil(3)
	}

	impl<T: Config> Pallet<T> {
		fn now() -> BlockNumberFor<T> {
			frame_system::Pallet::<T>::block_number()
		}

		/// The account a campaign's budget is escrowed in.
		pub fn escrow(campaign: CampaignId) -> AccountId32 {
			T::PalletId::get().into_sub_account_truncating(campaign)
		}

		pub fn genesis_hash() -> [u8; 32] {
			let hash = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
			let mut out = [0u8; 32];
			out.copy_from_slice(hash.as_ref());
			out
		}

		pub fn channel(campaign: CampaignId, block: ChannelBlock) -> adx::Channel {
			adx::Channel { genesis: Self::genesis_hash(), campaign, block }
		}

		/// The parts posted for a block, as [`adx::parts_digest`] takes them.
		pub fn parts_digest(pending: &PendingBlock<T>) -> [u8; 32] {
			let parts: Vec<([u8; 32], [u8; 32])> = pending
				.parts
				.iter()
				.map(|p| (p.participant.clone().into(), p.part_hash.0))
				.collect();
			adx::parts_digest(&parts)
		}

		fn expected_result_hash(
			campaign: CampaignId,
			block: ChannelBlock,
			c: &Campaign<T>,
			pending: &PendingBlock<T>,
			payouts_root: &H256,
			total: u128,
		) -> H256 {
			H256(adx::result_hash(
				&Self::channel(campaign, block),
				&Self::parts_digest(pending),
				&c.balance_root.0,
				&payouts_root.0,
				total,
			))
		}

		/// The campaign's terms as [`adx::process`] takes them.
		pub fn terms(c: &Campaign<T>) -> adx::Terms {
			adx::Terms {
				max_price_per_view: c.max_price_per_view,
				// Checked at creation.
				split: c.shares.split().unwrap_or(adx::Split {
					viewer: 0,
					producer: 0,
					fund: adx::PPB,
				}),
				fund: T::Fund::get().into(),
				participants: c.participants.iter().map(|p| p.clone().into()).collect(),
				auditor: c.auditor.clone().map(Into::into),
			}
		}

		/// `accepted` when every validator of `c` has accepted it.
		pub fn all_accepted(c: &Campaign<T>) -> u32 {
			u32::MAX.checked_shr(u32::BITS - c.validators.len() as u32).unwrap_or(0)
		}

		/// In a dispute whose panel is drawn, the result at least ⅔ of its validators (the
		/// campaign's and the panel) posted.
		fn supermajority_result(
			c: &Campaign<T>,
			pending: &PendingBlock<T>,
		) -> Option<PostedResult> {
			let BlockStatus::Disputed { added, draw_at: None, .. } = &pending.status else {
				return None;
			};
			let needed = supermajority((c.validators.len() + added.len()) as u32) as usize;
			pending.results.iter().map(|(_, r)| *r).find(|r| {
				pending.results.iter().filter(|(_, o)| o.result_hash == r.result_hash).count()
					>= needed
			})
		}

		/// Counts a campaign or dispute that needs `validator` (or one that no longer does).
		fn assign(validator: &AccountId32, add: bool) {
			Validators::<T>::mutate(validator, |info| {
				if let Some(info) = info {
					info.assignments = if add {
						info.assignments.saturating_add(1)
					} else {
						info.assignments.saturating_sub(1)
					};
				}
			});
		}

		fn remove_from_registry(who: &AccountId32) {
			Registry::<T>::mutate(|r| {
				if let Ok(i) = r.binary_search(who) {
					r.remove(i);
				}
			});
		}

		/// Turns a pending block into a dispute whose panel `draw_panel` draws from the
		/// hash of the block `PanelDrawDelay` later (see the crate docs).
		fn open(
			campaign: CampaignId,
			block: ChannelBlock,
			pending: &mut PendingBlock<T>,
			disputer: Option<(AccountId32, u128)>,
			challenged: Option<H256>,
		) {
			let draw_at = Self::now().saturating_add(T::PanelDrawDelay::get());
			let deadline = draw_at.saturating_add(T::DisputePeriod::get());
			Self::deposit_event(Event::DisputeOpened {
				campaign,
				block,
				by: disputer.as_ref().map(|(d, _)| d.clone()),
				draw_at,
				deadline,
			});
			pending.status = BlockStatus::Disputed {
				deadline,
				draw_at: Some(draw_at),
				added: Default::default(),
				disputer,
				challenged,
			};
		}

		/// Ends a pending block: `Some(result)` finalizes it (balance root, settled total,
		/// losers slashed), `None` discards it. Either way the next block opens.
		fn settle(
			campaign: CampaignId,
			block: ChannelBlock,
			mut c: Campaign<T>,
			pending: PendingBlock<T>,
			result: Option<PostedResult>,
		) -> DispatchResult {
			let now = Self::now();
			c.next_block = block.checked_add(1).ok_or(Error::<T>::Overflow)?;
			if let Some(result) = result {
				c.settled = c
					.settled
					.checked_add(result.total)
					.filter(|s| *s <= c.budget)
					.ok_or(Error::<T>::ExceedsBudget)?;
				c.balance_root = result.payouts_root;
				for (validator, posted) in &pending.results {
					if posted.result_hash != result.result_hash {
						Self::slash_validator(validator);
					}
				}
				Outcomes::<T>::insert(campaign, (block, Outcome::Finalized { result, at: now }));
				Self::deposit_event(Event::BlockFinalized {
					campaign,
					block,
					total: result.total,
					payouts_root: result.payouts_root,
				});
			} else {
				Outcomes::<T>::insert(campaign, (block, Outcome::Discarded { at: now }));
				Self::deposit_event(Event::BlockDiscarded { campaign, block });
			}
			if let BlockStatus::Disputed { added, disputer, challenged, .. } = pending.status {
				for v in &added {
					Self::assign(v, false);
				}
				if let Some((who, bond)) = disputer {
					let reason = HoldReason::DisputeBond.into();
					let lost = challenged.is_some() && challenged == result.map(|r| r.result_hash);
					if lost {
						let moved = T::Currency::transfer_on_hold(
							&reason,
							&who,
							&T::Fund::get(),
							bond,
							Precision::BestEffort,
							Restriction::Free,
							Fortitude::Force,
						)
						.unwrap_or_default();
						Self::deposit_event(Event::DisputerSlashed {
							disputer: who,
							amount: moved,
						});
					} else {
						let _ = T::Currency::release(&reason, &who, bond, Precision::BestEffort);
					}
				}
			}
			Pending::<T>::remove(campaign, block);
			Campaigns::<T>::insert(campaign, c);
			Ok(())
		}

		/// Moves `SlashFraction` of a validator's bond to the fund; a validator left with
		/// less than `ValidatorBond` leaves the registry.
		fn slash_validator(validator: &AccountId32) {
			let reason = HoldReason::ValidatorBond.into();
			let held = T::Currency::balance_on_hold(&reason, validator);
			let amount = T::SlashFraction::get() * held;
			let moved = T::Currency::transfer_on_hold(
				&reason,
				validator,
				&T::Fund::get(),
				amount,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)
			.unwrap_or_default();
			if held.saturating_sub(moved) < T::ValidatorBond::get() {
				Self::remove_from_registry(validator);
			}
			Self::deposit_event(Event::ValidatorSlashed {
				validator: validator.clone(),
				amount: moved,
			});
		}

		/// Once a closed campaign has paid every settled planck, the escrow's existential
		/// deposit goes back to the advertiser (and the escrow account is reaped).
		fn return_escrow_deposit(campaign: CampaignId, c: &Campaign<T>) {
			if c.status == CampaignStatus::Closed && c.claimed == c.settled {
				let escrow = Self::escrow(campaign);
				let rest = T::Currency::balance(&escrow);
				if !rest.is_zero() {
					let _ = T::Currency::transfer(
						&escrow,
						&c.advertiser,
						rest,
						Preservation::Expendable,
					);
				}
			}
		}

		/// `account`'s cumulative earnings in `cumulative` and their proof against its
		/// payouts root.
		pub fn payout_proof(
			cumulative: Vec<(AccountId32, u128)>,
			account: AccountId32,
		) -> Option<(u128, adx::PayoutProof<Vec<[u8; 32]>>)> {
			let mut cumulative: Vec<([u8; 32], u128)> =
				cumulative.into_iter().map(|(a, v)| (a.into(), v)).collect();
			cumulative.sort();
			let account: [u8; 32] = account.into();
			let index = cumulative.iter().position(|(a, _)| *a == account)?;
			Some((cumulative[index].1, adx::payout_proof(&cumulative, index)?))
		}

		/// Runs [`adx::process`] for a pending block with the parts fetched from their
		/// locations (in the order the chain lists them) and the cumulative earnings after
		/// the previous block: what a validator posts. Checks the parts against their
		/// hashes and `previous` against the balance root.
		pub fn process_block(
			campaign: CampaignId,
			block: ChannelBlock,
			previous: Vec<(AccountId32, u128)>,
			parts: Vec<Vec<adx::Message>>,
		) -> Result<adx::BlockOutput, runtime_api::ProcessBlockError> {
			use runtime_api::ProcessBlockError as E;
			let c = Campaigns::<T>::get(campaign).ok_or(E::UnknownCampaign)?;
			let pending = Pending::<T>::get(campaign, block).ok_or(E::NoOpenBlock)?;
			if parts.len() != pending.parts.len() {
				return Err(E::PartCount { expected: pending.parts.len() as u32 });
			}
			for (index, (part, posted)) in parts.iter().zip(pending.parts.iter()).enumerate() {
				if adx::part_hash(part) != posted.part_hash.0 {
					return Err(E::PartMismatch { index: index as u32 });
				}
			}
			let previous: Vec<([u8; 32], u128)> =
				previous.into_iter().map(|(a, v)| (a.into(), v)).collect();
			if H256(adx::payouts_root(&previous)) != c.balance_root {
				return Err(E::PreviousMismatch);
			}
			let terms = Self::terms(&c);
			let input = adx::BlockInput {
				channel: Self::channel(campaign, block),
				terms: &terms,
				remaining_budget: c.budget.saturating_sub(c.settled),
				parts_digest: Self::parts_digest(&pending),
				previous: &previous,
			};
			adx::process(&input, &parts, |signature, message, public| {
				sp_io::crypto::sr25519_verify(
					&sp_core::sr25519::Signature::from_raw(*signature),
					message,
					&sp_core::sr25519::Public::from_raw(*public),
				)
			})
			.map_err(E::Process)
		}
	}
}
