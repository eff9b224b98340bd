//! The ad exchange's types: campaigns, channel blocks, results, outcomes, validators.
//! Their type information keeps the `pallet` path they had inside the pallet module,
//! so the runtime's metadata (and every client generated from it) is unchanged.

use crate::*;
use codec::{DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use frame_system::pallet_prelude::*;
use paratii_primitives::adx::{self, Split};
use sp_core::H256;
use sp_runtime::{AccountId32, Perbill};

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
#[scale_info(replace_segment("types", "pallet"))]
pub struct Shares {
	pub viewer: Perbill,
	pub producer: Perbill,
	pub fund: Perbill,
}

impl Shares {
	/// The shares as [`adx::process`] takes them, if they add up to 100 %.
	pub fn split(&self) -> Option<Split> {
		Split::new(self.viewer.deconstruct(), self.producer.deconstruct(), self.fund.deconstruct())
	}

	/// The shares as [`adx::process`] takes them, unchecked: for a campaign's shares,
	/// which `create_campaign` accepted only when [`Self::split`] found them whole and
	/// which never change.
	pub fn accepted_split(&self) -> Split {
		Split {
			viewer: self.viewer.deconstruct(),
			producer: self.producer.deconstruct(),
			fund: self.fund.deconstruct(),
		}
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
#[scale_info(replace_segment("types", "pallet"))]
pub enum CampaignStatus {
	Active,
	/// Refunded; claims still pay.
	Closed,
}

/// A campaign: its terms, its escrow's accounting and its channel's position.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
#[scale_info(replace_segment("types", "pallet"))]
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
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
#[scale_info(replace_segment("types", "pallet"))]
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
#[scale_info(replace_segment("types", "pallet"))]
pub struct PostedResult {
	pub result_hash: H256,
	pub payouts_root: H256,
	pub total: u128,
}

/// Where a pending channel block stands.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
#[scale_info(replace_segment("types", "pallet"))]
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
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
#[scale_info(replace_segment("types", "pallet"))]
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
#[scale_info(replace_segment("types", "pallet"))]
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
#[scale_info(replace_segment("types", "pallet"))]
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
