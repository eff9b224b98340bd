//! # Micropay pallet: pay as you watch
//!
//! The Paratii design has viewers pay for videos "through a series of micropayments
//! through an off-chain state channel as they download chunks", the download being
//! public on the chain. This pallet is that channel's on-chain half.
//!
//! ## The channel
//! A viewer (the **payer**) opens a channel to a **hub** — the gateway operator whose
//! gateway serves the segments — with a **deposit**, held from the payer (not
//! transferred), and an **expiry** ([`Pallet::open`]). The channel names the sr25519
//! **signer** of its vouchers: the payer's own key, or a session key the payer's player
//! made and authorised here, so the player signs a voucher per segment without asking.
//!
//! ## Vouchers: one per media item, cumulative
//! A voucher says "this channel owes the owner of `media` `cumulative` PTI in all": the
//! signer's sr25519 signature over the SCALE encoding of
//! `(b"paratii/micropay/v1", genesis_hash, channel u64, media u64, cumulative u128)` —
//! the tag as its 19 raw bytes; a signature over that payload wrapped as `<Bytes>…</Bytes>`
//! (the polkadot.js extension's `signRaw`) is valid too. Each covers everything owed for
//! that item so far, so only the latest matters.
//!
//! **How one deposit pays many owners.** The vouchers name the payee — the media item,
//! whose owner is paid — and the deposit is the collateral for all of them (the shape
//! of Theta's off-chain pool), rather than a channel per owner or a hub that re-splits
//! what it was paid. Settlement pays each owner directly, so who paid whom for which
//! item is on chain, and the hub never holds others' money. A payer could sign more, in
//! all, than the deposit; what bounds a payee's loss is that the channel names one hub:
//! only that hub's gateway serves against its vouchers, it sees every voucher, and it
//! serves a segment only while the vouchers it holds — settled or not — add up to no more
//! than the deposit. So **a payee loses nothing it accepted**, as long as its hub
//! settles before the channel closes — the payer can close only [`Config::ChallengePeriod`]
//! blocks after the expiry, and the hub stops serving a margin before the expiry.
//!
//! ## Settlement
//! [`Pallet::settle`] — anyone holding vouchers may call it — pays, for each voucher, its
//! cumulative amount less what was already settled for that item in the channel, out of
//! the held deposit: the redistribution share (`Config::RedistributionShare`, the same as
//! for purchases) to the fund and the rest to the item's owner (all to the fund if the
//! item was deleted). A voucher not above what was settled (stale, or replayed), signed
//! for another channel or chain or by another key, or taking the channel past its
//! deposit refuses the whole call. A batch of many items is one transaction: a gateway
//! settles many viewings at once, on a value threshold or before the expiry.
//!
//! ## Closing
//! - [`Pallet::release`]: the hub's cooperative close, at any time (it has settled what
//!   it holds): the rest of the deposit goes back to the payer at once.
//! - [`Pallet::close`]: the payer's, from `expires_at + ChallengePeriod` on.
//! - [`Pallet::top_up`]: the payer adds to the deposit and may move the expiry later.
//!
//! Each channel holds [`Config::ChannelDeposit`] from the payer for its storage —
//! released on close — and settles at most [`Config::MaxMediaPerChannel`] items.
//!
//! ## Per-minute prices
//! [`Pallet::set_minute_price`]: a media item's owner prices it per minute of video
//! (`None`: not pay-as-you-watch). Gateways charge each segment its share of the minute.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

pub use weights::WeightInfo;

/// Opens every voucher's signed payload (19 raw bytes).
pub const VOUCHER_TAG: [u8; 19] = *b"paratii/micropay/v1";

/// A channel's id, allocated in order.
pub type ChannelId = u64;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use codec::{DecodeWithMemTracking, Encode};
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, InspectHold, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Restriction},
		},
	};
	use frame_system::pallet_prelude::*;
	use paratii_primitives::{MediaId, MediaOwnership};
	use sp_core::sr25519;
	use sp_runtime::{
		traits::{CheckedAdd, Saturating, Zero},
		Perbill, SaturatedConversion,
	};

	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// A payment channel.
	#[derive(
		Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
	)]
	pub struct Channel<AccountId, Balance, BlockNumber> {
		pub payer: AccountId,
		/// The gateway operator serving against the channel's vouchers.
		pub hub: AccountId,
		/// The key that signs the vouchers.
		pub signer: sr25519::Public,
		/// Held from the payer; settlements pay out of it.
		pub deposit: Balance,
		/// Paid out so far (at most `deposit`).
		pub paid: Balance,
		pub expires_at: BlockNumber,
		/// Items with a settlement (at most `MaxMediaPerChannel`).
		pub media_count: u32,
	}

	pub type ChannelOf<T> =
		Channel<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

	/// A voucher as settlement takes it.
	#[derive(
		Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
	)]
	pub struct Voucher<Balance> {
		pub media: MediaId,
		/// Everything owed for `media` in the channel so far.
		pub cumulative: Balance,
		pub signature: sr25519::Signature,
	}

	pub type VoucherOf<T> = Voucher<BalanceOf<T>>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<Hash = sp_core::H256> {
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// PTI.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ InspectHold<Self::AccountId>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Who owns which media item.
		type Media: MediaOwnership<Self::AccountId>;
		/// The redistribution fund: the treasury's pot.
		type Fund: Get<Self::AccountId>;
		/// The fund's part of each payment (the PTI pallet's, as for purchases).
		type RedistributionShare: Get<Perbill>;
		/// Held from the payer for a channel's storage, released when it closes.
		#[pallet::constant]
		type ChannelDeposit: Get<BalanceOf<Self>>;
		/// Items one channel may pay.
		#[pallet::constant]
		type MaxMediaPerChannel: Get<u32>;
		/// Vouchers one settlement takes.
		#[pallet::constant]
		type MaxVouchersPerSettlement: Get<u32>;
		/// How far ahead a channel may expire.
		#[pallet::constant]
		type MaxLifetime: Get<BlockNumberFor<Self>>;
		/// Blocks after the expiry during which payees may still settle: the payer closes
		/// after them.
		#[pallet::constant]
		type ChallengePeriod: Get<BlockNumberFor<Self>>;
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A channel's deposit, which its settlements pay out of.
		ChannelFunds,
		/// A channel's storage deposit.
		ChannelStorage,
	}

	/// The next channel's id.
	#[pallet::storage]
	pub type NextChannelId<T> = StorageValue<_, ChannelId, ValueQuery>;

	/// Open channels.
	#[pallet::storage]
	pub type Channels<T: Config> = StorageMap<_, Twox64Concat, ChannelId, ChannelOf<T>>;

	/// What each channel has settled per media item (the cumulative amount of the last
	/// voucher settled); at most `MaxMediaPerChannel` per channel, removed on close.
	#[pallet::storage]
	pub type Settled<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ChannelId, Twox64Concat, MediaId, BalanceOf<T>>;

	/// Media items priced per minute of video.
	#[pallet::storage]
	pub type MinutePrices<T: Config> = StorageMap<_, Twox64Concat, MediaId, BalanceOf<T>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `payer` opened `channel` to `hub`.
		Opened {
			channel: ChannelId,
			payer: T::AccountId,
			hub: T::AccountId,
			signer: sr25519::Public,
			deposit: BalanceOf<T>,
			expires_at: BlockNumberFor<T>,
		},
		/// The payer added `amount`; the deposit and expiry are now these.
		ToppedUp {
			channel: ChannelId,
			amount: BalanceOf<T>,
			deposit: BalanceOf<T>,
			expires_at: BlockNumberFor<T>,
		},
		/// `payer` paid `amount` for `media`: `to_owner` to `owner` (none if the item was
		/// deleted), `to_fund` to the fund; `cumulative` settled for it in all.
		Settled {
			channel: ChannelId,
			media: MediaId,
			payer: T::AccountId,
			owner: Option<T::AccountId>,
			amount: BalanceOf<T>,
			to_owner: BalanceOf<T>,
			to_fund: BalanceOf<T>,
			cumulative: BalanceOf<T>,
		},
		/// The channel closed: `refunded` went back to the payer (`by_hub`: the hub's
		/// cooperative close; else the payer's after the challenge period).
		Closed { channel: ChannelId, refunded: BalanceOf<T>, by_hub: bool },
		/// A media item's price per minute changed (`None`: not pay-as-you-watch).
		MinutePriceSet { media: MediaId, price: Option<BalanceOf<T>> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No open channel with this id (it may have closed).
		ChannelNotFound,
		/// Only the channel's payer may do this.
		NotPayer,
		/// Only the channel's hub may do this.
		NotHub,
		/// A channel needs a deposit above zero.
		ZeroDeposit,
		/// The expiry must be after the current block (and not before the channel's).
		ExpiryTooSoon,
		/// The expiry is further ahead than `MaxLifetime` allows.
		LifetimeTooLong,
		/// A voucher's signature is not the channel signer's over this chain, channel,
		/// media item and amount.
		BadVoucherSignature,
		/// A voucher is not above what was already settled for its item: a stale or
		/// replayed voucher.
		StaleVoucher,
		/// The vouchers would pay more than the channel's deposit holds.
		OverDeposit,
		/// The channel has paid `MaxMediaPerChannel` items: open another.
		TooManyMedia,
		/// Two vouchers in one settlement name the same item: send its latest only.
		DuplicateMedia,
		/// A settlement needs at least one voucher.
		NoVouchers,
		/// The payer closes only `ChallengePeriod` blocks after the expiry.
		ChallengePeriodNotOver,
		/// No media item with this id, or it was deleted.
		MediaNotActive,
		/// Only the media item's owner may price it.
		NotOwner,
		/// A price per minute must be above zero (`None` removes it).
		ZeroPrice,
		/// A channel needs a signer key and a hub other than the payer.
		HubIsPayer,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				T::MaxVouchersPerSettlement::get() <= T::MaxMediaPerChannel::get(),
				"a settlement's vouchers fit in one channel"
			);
			assert!(T::MaxVouchersPerSettlement::get() > 0, "a settlement takes a voucher");
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Opens a channel to `hub`, holding `deposit` (and `ChannelDeposit`) from the
		/// caller, vouchers signed by `signer`, until `expires_at`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::open())]
		pub fn open(
			origin: OriginFor<T>,
			hub: T::AccountId,
			signer: sr25519::Public,
			deposit: BalanceOf<T>,
			expires_at: BlockNumberFor<T>,
		) -> DispatchResult {
			let payer = ensure_signed(origin)?;
			ensure!(hub != payer, Error::<T>::HubIsPayer);
			ensure!(!deposit.is_zero(), Error::<T>::ZeroDeposit);
			Self::check_expiry(expires_at)?;
			T::Currency::hold(
				&HoldReason::ChannelStorage.into(),
				&payer,
				T::ChannelDeposit::get(),
			)?;
			T::Currency::hold(&HoldReason::ChannelFunds.into(), &payer, deposit)?;
			let channel = NextChannelId::<T>::mutate(|next| {
				let id = *next;
				*next = next.saturating_add(1);
				id
			});
			Channels::<T>::insert(
				channel,
				Channel {
					payer: payer.clone(),
					hub: hub.clone(),
					signer,
					deposit,
					paid: Zero::zero(),
					expires_at,
					media_count: 0,
				},
			);
			Self::deposit_event(Event::Opened { channel, payer, hub, signer, deposit, expires_at });
			Ok(())
		}

		/// Adds `amount` to the channel's deposit (the payer's) and, with `expires_at`,
		/// moves its expiry later.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::top_up())]
		pub fn top_up(
			origin: OriginFor<T>,
			channel: ChannelId,
			amount: BalanceOf<T>,
			expires_at: Option<BlockNumberFor<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Channels::<T>::try_mutate(channel, |c| {
				let c = c.as_mut().ok_or(Error::<T>::ChannelNotFound)?;
				ensure!(c.payer == who, Error::<T>::NotPayer);
				if let Some(expires_at) = expires_at {
					ensure!(expires_at >= c.expires_at, Error::<T>::ExpiryTooSoon);
					Self::check_expiry(expires_at)?;
					c.expires_at = expires_at;
				}
				if !amount.is_zero() {
					T::Currency::hold(&HoldReason::ChannelFunds.into(), &who, amount)?;
					c.deposit = c.deposit.saturating_add(amount);
				}
				Self::deposit_event(Event::ToppedUp {
					channel,
					amount,
					deposit: c.deposit,
					expires_at: c.expires_at,
				});
				Ok(())
			})
		}

		/// Pays the channel's `vouchers` (anyone may submit them): for each, its
		/// cumulative amount less what was settled for its item, split between the item's
		/// owner and the fund. All or nothing.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::settle(vouchers.len() as u32))]
		pub fn settle(
			origin: OriginFor<T>,
			channel: ChannelId,
			vouchers: BoundedVec<VoucherOf<T>, T::MaxVouchersPerSettlement>,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_settle(channel, &vouchers)
		}

		/// The payer closes the channel, from `expires_at + ChallengePeriod` on: the rest of
		/// the deposit comes back.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::close(T::MaxMediaPerChannel::get()))]
		pub fn close(origin: OriginFor<T>, channel: ChannelId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let c = Channels::<T>::get(channel).ok_or(Error::<T>::ChannelNotFound)?;
			ensure!(c.payer == who, Error::<T>::NotPayer);
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				now >= c.expires_at.saturating_add(T::ChallengePeriod::get()),
				Error::<T>::ChallengePeriodNotOver
			);
			Self::do_close(channel, c, false)
		}

		/// The hub's cooperative close, at any time: the rest of the deposit goes back to
		/// the payer at once.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::close(T::MaxMediaPerChannel::get()))]
		pub fn release(origin: OriginFor<T>, channel: ChannelId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let c = Channels::<T>::get(channel).ok_or(Error::<T>::ChannelNotFound)?;
			ensure!(c.hub == who, Error::<T>::NotHub);
			Self::do_close(channel, c, true)
		}

		/// The owner prices a media item per minute of video (`None`: not pay-as-you-watch).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_minute_price())]
		pub fn set_minute_price(
			origin: OriginFor<T>,
			media: MediaId,
			price: Option<BalanceOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let owner = T::Media::active_owner(media).ok_or(Error::<T>::MediaNotActive)?;
			ensure!(owner == who, Error::<T>::NotOwner);
			ensure!(price.is_none_or(|p| !p.is_zero()), Error::<T>::ZeroPrice);
			MinutePrices::<T>::set(media, price);
			Self::deposit_event(Event::MinutePriceSet { media, price });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		fn check_expiry(expires_at: BlockNumberFor<T>) -> DispatchResult {
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(expires_at > now, Error::<T>::ExpiryTooSoon);
			ensure!(
				expires_at <= now.saturating_add(T::MaxLifetime::get()),
				Error::<T>::LifetimeTooLong
			);
			Ok(())
		}

		/// The chain's genesis hash, which every voucher names.
		pub fn genesis_hash() -> T::Hash {
			frame_system::BlockHash::<T>::get(BlockNumberFor::<T>::zero())
		}

		/// The bytes a channel's signer signs for a voucher.
		pub fn voucher_payload(channel: ChannelId, media: MediaId, cumulative: u128) -> Vec<u8> {
			(VOUCHER_TAG, Self::genesis_hash(), channel, media, cumulative).encode()
		}

		fn signed_by(
			signer: &sr25519::Public,
			payload: &[u8],
			signature: &sr25519::Signature,
		) -> bool {
			sp_io::crypto::sr25519_verify(signature, payload, signer)
				|| sp_io::crypto::sr25519_verify(
					signature,
					&[b"<Bytes>".as_slice(), payload, b"</Bytes>".as_slice()].concat(),
					signer,
				)
		}

		pub(crate) fn do_settle(channel: ChannelId, vouchers: &[VoucherOf<T>]) -> DispatchResult {
			ensure!(!vouchers.is_empty(), Error::<T>::NoVouchers);
			let mut c = Channels::<T>::get(channel).ok_or(Error::<T>::ChannelNotFound)?;
			// Check everything before paying anything.
			let mut payments = Vec::with_capacity(vouchers.len());
			let mut total: BalanceOf<T> = Zero::zero();
			let mut new_items = 0u32;
			for (i, v) in vouchers.iter().enumerate() {
				ensure!(
					vouchers[..i].iter().all(|earlier| earlier.media != v.media),
					Error::<T>::DuplicateMedia
				);
				let payload =
					Self::voucher_payload(channel, v.media, v.cumulative.saturated_into::<u128>());
				ensure!(
					Self::signed_by(&c.signer, &payload, &v.signature),
					Error::<T>::BadVoucherSignature
				);
				let settled = Settled::<T>::get(channel, v.media);
				if settled.is_none() {
					new_items = new_items.saturating_add(1);
				}
				let before = settled.unwrap_or_else(Zero::zero);
				ensure!(v.cumulative > before, Error::<T>::StaleVoucher);
				let delta = v.cumulative.saturating_sub(before);
				total = total.checked_add(&delta).ok_or(Error::<T>::OverDeposit)?;
				payments.push((v.media, delta, v.cumulative));
			}
			ensure!(
				c.paid.checked_add(&total).is_some_and(|paid| paid <= c.deposit),
				Error::<T>::OverDeposit
			);
			ensure!(
				c.media_count.saturating_add(new_items) <= T::MaxMediaPerChannel::get(),
				Error::<T>::TooManyMedia
			);
			let reason = HoldReason::ChannelFunds.into();
			for (media, amount, cumulative) in payments {
				let owner = T::Media::active_owner(media);
				let to_fund = match owner {
					Some(_) => T::RedistributionShare::get().mul_floor(amount),
					None => amount,
				};
				let to_owner = amount.saturating_sub(to_fund);
				for (to, part) in [(owner.clone(), to_owner), (Some(T::Fund::get()), to_fund)] {
					if let (Some(to), false) = (to, part.is_zero()) {
						T::Currency::transfer_on_hold(
							&reason,
							&c.payer,
							&to,
							part,
							Precision::Exact,
							Restriction::Free,
							Fortitude::Polite,
						)?;
					}
				}
				Settled::<T>::insert(channel, media, cumulative);
				Self::deposit_event(Event::Settled {
					channel,
					media,
					payer: c.payer.clone(),
					owner,
					amount,
					to_owner,
					to_fund,
					cumulative,
				});
			}
			c.paid = c.paid.saturating_add(total);
			c.media_count = c.media_count.saturating_add(new_items);
			Channels::<T>::insert(channel, c);
			Ok(())
		}

		fn do_close(
			channel: ChannelId,
			c: ChannelOf<T>,
			by_hub: bool,
		) -> DispatchResultWithPostInfo {
			let refunded = c.deposit.saturating_sub(c.paid);
			T::Currency::release(
				&HoldReason::ChannelFunds.into(),
				&c.payer,
				refunded,
				Precision::BestEffort,
			)?;
			T::Currency::release(
				&HoldReason::ChannelStorage.into(),
				&c.payer,
				T::ChannelDeposit::get(),
				Precision::BestEffort,
			)?;
			let removed = Settled::<T>::clear_prefix(channel, c.media_count, None).unique;
			Channels::<T>::remove(channel);
			Self::deposit_event(Event::Closed { channel, refunded, by_hub });
			Ok(Some(T::WeightInfo::close(removed)).into())
		}
	}
}
