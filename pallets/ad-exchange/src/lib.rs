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
//!
//! ## Code layout
//! As pallet-nfts: this file holds the configuration, storage, events, errors and the
//! calls, each of which checks its origin and calls a `do_*` function; the logic is in
//! `features/` by feature (`campaigns`, `validators`, `channel_blocks`, `disputes`,
//! `claims`), the types in `types.rs` (their type information keeps the path
//! `pallet_ad_exchange::pallet::…`, so the metadata did not change when they moved).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod features;
pub mod migrations;
#[cfg(test)]
mod mock;
pub mod runtime_api;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use paratii_primitives::adx::{CampaignId, ChannelBlock};
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	// The types live in `types.rs`; paths such as `crate::pallet::Campaign` still name them.
	pub use crate::{features::disputes::supermajority, types::*};
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate, MutateHold},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use paratii_primitives::adx;
	use sp_core::H256;
	use sp_runtime::{traits::Zero, AccountId32, Perbill};

	pub type BalanceOf<T> = <<T as Config>::Currency as Inspect<AccountId32>>::Balance;

	/// 1: campaigns hold a storage deposit; only the last outcome is kept
	/// ([`crate::migrations::v1`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<AccountId = AccountId32, Hash = H256> {
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
			Self::do_create_campaign(
				advertiser,
				budget,
				max_price_per_view,
				shares,
				validators,
				participants,
				auditor,
				valid_until,
				challenge_period,
				spec_hash,
			)
		}

		/// Adds `amount` to an active campaign's budget (the advertiser's).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::top_up())]
		pub fn top_up(origin: OriginFor<T>, campaign: CampaignId, amount: u128) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_top_up(who, campaign, amount)
		}

		/// Applies to be an ad validator, holding `ValidatorBond`; governance admits the
		/// caller to the registry (`admit_validator`).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::register_validator())]
		pub fn register_validator(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_validator(who)
		}

		/// Leaves the registry: no new campaign or dispute may choose the caller; its bond
		/// stays held for `UnbondingPeriod` and while it is still assigned.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::unregister_validator())]
		pub fn unregister_validator(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unregister_validator(who)
		}

		/// Releases an unbonded validator's bond.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::withdraw_bond())]
		pub fn withdraw_bond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_bond(who)
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
			Self::do_submit_part(who, campaign, block, part_hash, location)
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
			Self::do_submit_result(who, campaign, block, result_hash, payouts_root, total)
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
			Self::do_open_dispute(who, campaign, block)
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
			Self::do_finalize(campaign, block)
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
			Self::do_resolve_dispute(campaign, block, result_hash)
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
			Self::do_claim(campaign, beneficiary, cumulative, proof)
		}

		/// Closes a campaign with no block pending, refunding the budget never settled to
		/// the advertiser: by the advertiser after `valid_until`, or at any time while its
		/// validators have not all accepted it (no block has opened); by anyone once
		/// `CloseGracePeriod` has passed after `valid_until`. Claims keep paying.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::close_campaign(T::MaxValidators::get()))]
		pub fn close_campaign(origin: OriginFor<T>, campaign: CampaignId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_close_campaign(who, campaign)
		}

		/// Admits an applicant (`register_validator`) to the registry, from which campaigns
		/// name their validators and disputes draw their panels (governance).
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::admit_validator())]
		pub fn admit_validator(origin: OriginFor<T>, validator: AccountId32) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_admit_validator(validator)
		}

		/// One of the campaign's validators agrees to serve it: from now on its bond stays
		/// held until the campaign closes. Channel blocks open once all have accepted.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::accept_campaign())]
		pub fn accept_campaign(origin: OriginFor<T>, campaign: CampaignId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_accept_campaign(who, campaign)
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
			Self::do_reap_campaign(campaign, max_records)
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
			Self::do_draw_panel(campaign, block)
		}
	}

	impl<T: Config> Pallet<T> {
		pub(crate) fn now() -> BlockNumberFor<T> {
			frame_system::Pallet::<T>::block_number()
		}
	}
}
