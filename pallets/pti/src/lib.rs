//! # PTI pallet
//!
//! Paratii's economics in PTI, the chain's native token (pallet-balances). The original
//! Paratii did these in Ethereum contracts (Store/VideoStore, Avatar, PTIDistributor,
//! Vouchers); this pallet keeps their semantics and fixes their known weaknesses.
//!
//! ## The store
//! - [`Pallet::set_price`]: a media item's owner puts it on sale (`Some(price)`, above
//!   `0`: a free item needs no price, and a purchase at `0` would only store a record for
//!   a fee) or takes it off (`None`). A deleted item's price is removed with it
//!   ([`Pallet::on_media_deleted`], which the media pallet calls).
//! - [`Pallet::buy`]: pays **exactly** the price, which must not be above the buyer's
//!   `max_price` (a seller cannot raise the price under a pending purchase), once per
//!   buyer and item. [`RedistributionShare`] of it goes to the redistribution fund —
//!   the treasury's pot (`Config::Fund`), which the council spends from with
//!   `treasury.spend` — and the rest to the owner. Purchases move PTI; none is created
//!   or destroyed. The purchase is recorded in [`Purchases`] (price paid, block).
//! - [`Pallet::set_redistribution_share`]: governance, at most
//!   `Config::MaxRedistributionShare`.
//!
//! ## Distributor claims
//! Onboarding new users with PTI. Governance sets the distributor
//! ([`Pallet::set_distributor`]): an account (which may create vouchers) and an
//! sr25519 key that signs claims off chain:
//! `(b"paratii/claim/v1", genesis_hash, claim_id, beneficiary, amount, expires_at)`,
//! SCALE-encoded (the tag as its 16 raw bytes, `claim_id` u64 LE, `amount` u128 LE,
//! `expires_at` u32 LE). [`Pallet::claim`] pays from the claims pot
//! ([`Pallet::claims_pot`], funded by governance) once per `claim_id`, before
//! `expires_at`, and within the **distribution cap**: claims and the vouchers the
//! distributor creates together pay at most `Config::MaxClaimedPerPeriod` in any
//! `Config::ClaimPeriod` consecutive blocks. The bound is rolling, not per fixed
//! window (a fixed window lets twice the cap through across its boundary): what was paid
//! is counted in [`DISTRIBUTION_BUCKETS`] parts of the period ([`RecentlyDistributed`]),
//! and a payment is refused when it and everything paid in the last
//! `DISTRIBUTION_BUCKETS + 1` parts exceed the cap. Any `ClaimPeriod` blocks lie within
//! that many parts, so the cap holds over every period; the price is that a payment may
//! be refused up to one part (1/24 of the period) before a strict sliding window would
//! allow it.
//! The beneficiary is in the signed message, so nobody can redirect a claim; the
//! genesis hash makes a claim for one chain useless on another. A claim may be an
//! **unsigned transaction** (validated by the distributor's signature, one in the pool
//! per claim id), so a brand new account with no PTI can submit it.
//!
//! ## Vouchers
//! A voucher code is turned into an sr25519 key (the secret URI
//! `//paratii//voucher//<code>`, see the README); [`Pallet::create_voucher`]
//! (governance or the distributor's account) registers its public key and moves the
//! amount from the fund to the vouchers pot ([`Pallet::vouchers_pot`]). The fund is the
//! treasury's pot, which only governance spends: a voucher the distributor's account
//! creates counts against the distribution cap, like a claim, so a stolen or rogue
//! distributor key moves at most the cap per period out of it (and cannot re-arm what it
//! spent by cancelling); governance's own vouchers are not capped.
//! [`Pallet::redeem_voucher`] pays it to a beneficiary given a signature by the code's
//! key over `(b"paratii/voucher/v1", genesis_hash, public_key, beneficiary)`: the code
//! never appears on chain, and a copied pending transaction cannot be redirected.
//! Redemption may be unsigned too. Redeemed and cancelled vouchers stay as tombstones
//! and are never re-armed; [`Pallet::cancel_voucher`] returns an expired voucher's
//! amount to the fund.
//!
//! ## Allowances (PTI as an ERC20)
//! The runtime exposes PTI to Solidity as an ERC20 precompile; its `approve` and
//! `transferFrom` keep their allowances here, and Substrate accounts use the same ones.
//! - [`Pallet::approve`]: sets how much `spender` may move from the caller's PTI (ERC20
//!   set semantics: the new value replaces the old one; `0` removes it). A standing
//!   allowance holds `Config::AllowanceDeposit` from its owner, released when it is
//!   used up or set to `0`, so allowances cost what they store.
//! - [`Pallet::transfer_approved`]: the spender moves up to its allowance from the
//!   owner to anyone, the way the EVM moves PTI ([`Pallet::transfer_as_evm`]): the
//!   owner keeps its existential deposit and pays a new account's on top (counted
//!   against the allowance), so the receiver gains exactly the amount. An allowance of
//!   the balance type's maximum is never decreased (ERC20's "infinite approval").
//!
//! ## Code layout
//! As pallet-nfts: this file holds the configuration, storage, events, errors and the
//! calls, each of which checks its origin and calls a `do_*` function; the logic is in
//! `features/` by feature (`store`, `claims`, `vouchers`, `allowances`), the types in
//! `types.rs` (their type information keeps the path `pallet_pti::pallet::…`, so the
//! metadata did not change when they moved).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod features;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use weights::WeightInfo;

/// Tag of the message a distributor signs for a claim.
pub const CLAIM_TAG: &[u8; 16] = b"paratii/claim/v1";
/// Tag of the message a voucher's key signs for its redemption.
pub const VOUCHER_TAG: &[u8; 18] = b"paratii/voucher/v1";

/// A claim's id, chosen by the distributor; each pays at most once.
pub type ClaimId = u64;

/// The parts `Config::ClaimPeriod` is cut into to count what the distributor paid: the
/// distribution cap is checked over the last `DISTRIBUTION_BUCKETS + 1` of them.
pub const DISTRIBUTION_BUCKETS: u32 = 24;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	// The types live in `types.rs`; paths such as `crate::pallet::Campaign` still name them.
	pub use crate::types::*;

	use codec::Encode;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate, MutateHold},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use paratii_primitives::{MediaId, MediaOwnership};
	use sp_core::sr25519;
	use sp_runtime::{
		traits::{BadOrigin, Saturating},
		Perbill, SaturatedConversion,
	};

	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<Hash = sp_core::H256> {
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// PTI.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Who owns which media item.
		type Media: MediaOwnership<Self::AccountId>;
		/// The redistribution fund: the treasury's pot.
		type Fund: Get<Self::AccountId>;
		/// Governance: the redistribution share, the distributor, vouchers.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Derives the claims and vouchers pots.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// The most governance may set the redistribution share to.
		#[pallet::constant]
		type MaxRedistributionShare: Get<Perbill>;
		/// Blocks per claims period.
		#[pallet::constant]
		type ClaimPeriod: Get<BlockNumberFor<Self>>;
		/// PTI all claims together may pay per period.
		#[pallet::constant]
		type MaxClaimedPerPeriod: Get<BalanceOf<Self>>;
		/// How far ahead a claim or voucher may expire: bounds how long their
		/// tombstones must be kept.
		#[pallet::constant]
		type MaxLifetime: Get<BlockNumberFor<Self>>;
		/// What a standing allowance holds from its owner.
		#[pallet::constant]
		type AllowanceDeposit: Get<BalanceOf<Self>>;
		/// Priority of unsigned claims and redemptions in the pool.
		#[pallet::constant]
		type UnsignedPriority: Get<TransactionPriority>;
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A standing allowance (ERC20 `approve`).
		AllowanceDeposit,
	}

	/// The part of each purchase paid to the redistribution fund.
	#[pallet::storage]
	pub type RedistributionShare<T> = StorageValue<_, Perbill, ValueQuery>;

	/// Media items for sale and their prices.
	#[pallet::storage]
	pub type Prices<T: Config> = StorageMap<_, Twox64Concat, MediaId, BalanceOf<T>>;

	/// Who bought what, for how much, when.
	#[pallet::storage]
	pub type Purchases<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		MediaId,
		Blake2_128Concat,
		T::AccountId,
		Purchase<BalanceOf<T>, BlockNumberFor<T>>,
	>;

	/// The distributor, if governance set one.
	#[pallet::storage]
	pub type CurrentDistributor<T: Config> = StorageValue<_, Distributor<T::AccountId>>;

	/// Paid claims and when their signature expires; after that the entry may be
	/// pruned ([`Pallet::prune_claim`]), since an expired claim cannot be paid anyway.
	#[pallet::storage]
	pub type Claims<T: Config> = StorageMap<_, Twox64Concat, ClaimId, BlockNumberFor<T>>;

	/// What claims and the distributor's vouchers paid, per part of the claims period
	/// (`(part, amount)`, a part being `ClaimPeriod / DISTRIBUTION_BUCKETS` blocks, rounded
	/// up, counted from genesis), oldest first: the parts the distribution cap still
	/// counts.
	#[pallet::storage]
	pub type RecentlyDistributed<T: Config> = StorageValue<
		_,
		BoundedVec<(BlockNumberFor<T>, BalanceOf<T>), ConstU32<{ DISTRIBUTION_BUCKETS + 1 }>>,
		ValueQuery,
	>;

	/// Vouchers by their key's public key.
	#[pallet::storage]
	pub type Vouchers<T: Config> = StorageMap<_, Blake2_128Concat, sr25519::Public, VoucherOf<T>>;

	/// Allowances: how much `spender` (second key) may move from `owner`'s (first key)
	/// PTI with [`Pallet::transfer_approved`] or the ERC20 precompile's `transferFrom`.
	/// Each entry holds `AllowanceDeposit` from its owner.
	#[pallet::storage]
	pub type Allowances<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		BalanceOf<T>,
	>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		pub redistribution_share: Perbill,
		pub distributor: Option<(T::AccountId, sr25519::Public)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(
				self.redistribution_share <= T::MaxRedistributionShare::get(),
				"the redistribution share is above MaxRedistributionShare"
			);
			RedistributionShare::<T>::put(self.redistribution_share);
			if let Some((account, key)) = &self.distributor {
				CurrentDistributor::<T>::put(Distributor { account: account.clone(), key: *key });
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A media item's price changed (`None`: not for sale).
		PriceSet { media_id: MediaId, price: Option<BalanceOf<T>> },
		/// A media item was bought: `to_owner` went to `owner`, `to_fund` to the
		/// redistribution fund.
		Purchased {
			media_id: MediaId,
			buyer: T::AccountId,
			owner: T::AccountId,
			price: BalanceOf<T>,
			to_owner: BalanceOf<T>,
			to_fund: BalanceOf<T>,
		},
		/// Governance changed the redistribution share.
		RedistributionShareSet { share: Perbill },
		/// Governance set (or removed) the distributor.
		DistributorSet { distributor: Option<Distributor<T::AccountId>> },
		/// A claim paid `amount` to `beneficiary`.
		Claimed { claim_id: ClaimId, beneficiary: T::AccountId, amount: BalanceOf<T> },
		/// An expired claim's record was removed.
		ClaimPruned { claim_id: ClaimId },
		/// A voucher was created; `amount` moved from the fund to the vouchers pot.
		VoucherCreated { key: sr25519::Public, amount: BalanceOf<T>, expires_at: BlockNumberFor<T> },
		/// A voucher was redeemed.
		VoucherRedeemed { key: sr25519::Public, beneficiary: T::AccountId, amount: BalanceOf<T> },
		/// An expired voucher was cancelled and its amount returned to the fund.
		VoucherCancelled { key: sr25519::Public, amount: BalanceOf<T> },
		/// `owner` allowed `spender` to move `amount` of its PTI (`0`: no allowance).
		Approval { owner: T::AccountId, spender: T::AccountId, amount: BalanceOf<T> },
		/// `spender` moved `amount` from `owner` to `to` under its allowance.
		TransferredApproved {
			owner: T::AccountId,
			spender: T::AccountId,
			to: T::AccountId,
			amount: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No media item with this id, or it was deleted.
		MediaNotActive,
		/// Only the media item's owner may price it.
		NotOwner,
		/// The media item is not for sale (its owner set no price).
		NotForSale,
		/// The price is above the `max_price` you accepted (it may have just changed):
		/// read the price again and retry.
		PriceAboveMax,
		/// You already bought this media item.
		AlreadyPurchased,
		/// You own this media item.
		OwnMedia,
		/// The share is above `MaxRedistributionShare`.
		ShareAboveMaximum,
		/// Governance has not set a distributor.
		NoDistributor,
		/// The signature is not the distributor's over this claim (chain, id,
		/// beneficiary, amount and expiry).
		BadClaimSignature,
		/// The claim or voucher has expired.
		Expired,
		/// The expiry is further ahead than `MaxLifetime` allows.
		LifetimeTooLong,
		/// This claim id was paid already.
		AlreadyClaimed,
		/// Claims and the distributor's vouchers would pay more than `MaxClaimedPerPeriod`
		/// within `ClaimPeriod` blocks: wait until earlier payments leave the window, or
		/// pay less.
		PeriodCapReached,
		/// Claims and vouchers must pay at least the existential deposit, so that a new
		/// account can hold them.
		BelowExistentialDeposit,
		/// The claims pot cannot pay this claim.
		ClaimsPotTooSmall,
		/// The fund cannot cover this voucher (it keeps its existential deposit).
		FundTooSmall,
		/// The claim has not expired yet: its record is needed.
		NotExpired,
		/// No claim with this id was paid.
		UnknownClaim,
		/// A voucher with this key exists (vouchers are never re-armed).
		VoucherExists,
		/// No voucher has this key.
		UnknownVoucher,
		/// The signature is not the voucher key's over (chain, key, beneficiary).
		BadVoucherSignature,
		/// The voucher was redeemed.
		AlreadyRedeemed,
		/// The voucher was cancelled.
		AlreadyCancelled,
		/// Only governance or the distributor's account may create vouchers.
		NotDistributor,
		/// The spender's allowance from this owner is smaller than the amount: the owner
		/// must `approve` more.
		InsufficientAllowance,
		/// A new allowance holds `AllowanceDeposit` from its owner, who cannot pay it.
		CannotPayAllowanceDeposit,
		/// A price must be above `0`: a free media item needs no price (set `None`).
		ZeroPrice,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Puts `media_id` on sale at `price`, or takes it off with `None`. Its owner only.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_price())]
		pub fn set_price(
			origin: OriginFor<T>,
			media_id: MediaId,
			price: Option<BalanceOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_price(who, media_id, price)
		}

		/// Buys `media_id` at its price, if that is at most `max_price`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::buy())]
		pub fn buy(
			origin: OriginFor<T>,
			media_id: MediaId,
			max_price: BalanceOf<T>,
		) -> DispatchResult {
			let buyer = ensure_signed(origin)?;
			Self::do_buy(buyer, media_id, max_price)
		}

		/// Sets the part of each purchase that goes to the redistribution fund.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_redistribution_share())]
		pub fn set_redistribution_share(origin: OriginFor<T>, share: Perbill) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_redistribution_share(share)
		}

		/// Sets the distributor (its account and claim-signing key), or removes it.
		/// Claims signed by a previous key stop being valid.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_distributor())]
		pub fn set_distributor(
			origin: OriginFor<T>,
			distributor: Option<Distributor<T::AccountId>>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_distributor(distributor)
		}

		/// Pays a claim signed by the distributor. Signed by anyone, or unsigned.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::claim())]
		pub fn claim(
			origin: OriginFor<T>,
			claim_id: ClaimId,
			beneficiary: T::AccountId,
			amount: BalanceOf<T>,
			expires_at: BlockNumberFor<T>,
			signature: sr25519::Signature,
		) -> DispatchResult {
			ensure_signed_or_none::<T>(origin)?;
			Self::do_claim(claim_id, beneficiary, amount, expires_at, signature)
		}

		/// Removes the record of a paid claim that has expired (anyone).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::prune_claim())]
		pub fn prune_claim(origin: OriginFor<T>, claim_id: ClaimId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_prune_claim(claim_id)
		}

		/// Creates a voucher for the code whose key is `key`, moving `amount` from the
		/// fund to the vouchers pot. Governance, or the distributor's account within the
		/// distribution cap (which the voucher then counts against).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::create_voucher()
			// The distribution window, read and written on the distributor's path, which
			// the weights generated on 2026-12-03 predate.
			.saturating_add(T::DbWeight::get().reads_writes(1, 1)))]
		pub fn create_voucher(
			origin: OriginFor<T>,
			key: sr25519::Public,
			amount: BalanceOf<T>,
			expires_at: BlockNumberFor<T>,
		) -> DispatchResult {
			// Governance creates vouchers freely; the distributor's account within the cap.
			let distributor = match T::AdminOrigin::try_origin(origin) {
				Ok(_) => None,
				Err(origin) => Some(ensure_signed(origin)?),
			};
			Self::do_create_voucher(distributor, key, amount, expires_at)
		}

		/// Redeems the voucher of `key` to `beneficiary`, given the key's signature over
		/// `(b"paratii/voucher/v1", genesis_hash, key, beneficiary)`. Signed by anyone,
		/// or unsigned.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::redeem_voucher())]
		pub fn redeem_voucher(
			origin: OriginFor<T>,
			key: sr25519::Public,
			beneficiary: T::AccountId,
			signature: sr25519::Signature,
		) -> DispatchResult {
			ensure_signed_or_none::<T>(origin)?;
			Self::do_redeem_voucher(key, beneficiary, signature)
		}

		/// Cancels an expired voucher and returns its amount to the fund (anyone).
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::cancel_voucher())]
		pub fn cancel_voucher(origin: OriginFor<T>, key: sr25519::Public) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_cancel_voucher(key)
		}

		/// Allows `spender` to move up to `amount` of the caller's PTI, replacing any
		/// allowance it had; `0` removes it. A new allowance holds `AllowanceDeposit`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::approve())]
		pub fn approve(
			origin: OriginFor<T>,
			spender: T::AccountId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_approve(&owner, &spender, amount)
		}

		/// Moves `amount` from `owner` to `to` under the caller's allowance from `owner`.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::transfer_approved())]
		pub fn transfer_approved(
			origin: OriginFor<T>,
			owner: T::AccountId,
			to: T::AccountId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let spender = ensure_signed(origin)?;
			Self::do_transfer_approved(&spender, &owner, &to, amount)
		}
	}

	/// Claims and redemptions may come signed by anyone or unsigned; root may not.
	fn ensure_signed_or_none<T: Config>(origin: OriginFor<T>) -> DispatchResult {
		match origin.into() {
			Ok(frame_system::RawOrigin::Signed(_)) | Ok(frame_system::RawOrigin::None) => Ok(()),
			_ => Err(BadOrigin.into()),
		}
	}

	/// Why an unsigned claim or redemption is refused by the pool: the pallet error's
	/// index, as `InvalidTransaction::Custom`.
	fn invalid(e: DispatchError) -> TransactionValidityError {
		match e {
			DispatchError::Module(m) => InvalidTransaction::Custom(m.error[0]).into(),
			_ => InvalidTransaction::Call.into(),
		}
	}

	#[allow(deprecated)]
	#[pallet::validate_unsigned]
	impl<T: Config> ValidateUnsigned for Pallet<T> {
		type Call = Call<T>;

		/// Unsigned claims and redemptions are valid when the call would succeed now:
		/// a valid signature, not paid yet, not expired, within the period's cap. One
		/// per claim id or voucher in the pool, and only until its expiry.
		fn validate_unsigned(_source: TransactionSource, call: &Self::Call) -> TransactionValidity {
			let (tag, expires_at) = match call {
				Call::claim { claim_id, beneficiary, amount, expires_at, signature } => {
					Self::check_claim(*claim_id, beneficiary, *amount, *expires_at, signature)
						.map_err(invalid)?;
					(("pti-claim", claim_id).encode(), *expires_at)
				},
				Call::redeem_voucher { key, beneficiary, signature } => {
					let voucher =
						Self::check_redemption(key, beneficiary, signature).map_err(invalid)?;
					(("pti-voucher", key).encode(), voucher.expires_at)
				},
				_ => return Err(InvalidTransaction::Call.into()),
			};
			let blocks_left: u64 = expires_at.saturating_sub(Self::now()).saturated_into();
			ValidTransaction::with_tag_prefix("Pti")
				.priority(T::UnsignedPriority::get())
				.and_provides(tag)
				.longevity(blocks_left.max(1))
				.propagate(true)
				.build()
		}
	}

	impl<T: Config> Pallet<T> {
		pub(crate) fn now() -> BlockNumberFor<T> {
			frame_system::Pallet::<T>::block_number()
		}

		pub(crate) fn check_expiry(expires_at: BlockNumberFor<T>) -> DispatchResult {
			let now = Self::now();
			ensure!(expires_at > now, Error::<T>::Expired);
			ensure!(
				expires_at <= now.saturating_add(T::MaxLifetime::get()),
				Error::<T>::LifetimeTooLong
			);
			Ok(())
		}
	}
}
