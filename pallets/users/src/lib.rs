//! # Users pallet
//!
//! The people of Paratii chain and what they do with media: registration (with a PTI
//! deposit held while registered, the seed design's "deposit to AppSC"), profiles,
//! likes and dislikes, flags, and views.
//!
//! ## Calls
//!
//! - `register(name, profile_cid)` — holds `UserDeposit` PTI from the caller.
//! - `update_profile(name, profile_cid)`.
//! - `unregister()` — releases the user deposit (not the reaction and flag deposits).
//! - `react(media_id, Like | Dislike | None)` — one reaction per user and media;
//!   changing or withdrawing it keeps the per-media counters exact. A reaction holds
//!   `ReactionDeposit` while it stands; withdrawing it (`None`) releases it.
//! - `flag(media_id, reason)` — once per user and media, holding `FlagDeposit`; the
//!   flag that reaches `FlagThreshold` emits `MediaFlagged` for moderators.
//! - `unflag(media_id)` — withdraws the caller's flag and releases its deposit.
//! - `record_views(views)` — by an authorised view recorder (the gateway): a bounded
//!   batch of `(media_id, viewer)`. Only registered users' views count, each once per
//!   media item per view window; a recorder records at most `MaxViewsPerBlock` views
//!   per block.
//! - `add_view_recorder(account)`, `remove_view_recorder(account)` — admin origin.
//!
//! ## What a like costs
//!
//! Every reaction and flag is a storage entry, and every one moves a public counter
//! (`FlagThreshold` flags put media in front of moderators), so each holds a deposit
//! of its own, released only when that reaction or flag is withdrawn — registered or
//! not, and also after the media item is deleted. Unregistering returns the user
//! deposit only. One PTI passed from account to account therefore buys one
//! registration at a time, but the deposits of the reactions and flags already given
//! stay held with them: N likes need N reaction deposits, whichever accounts give them.
//! (Removing an account's reactions when it unregisters would also keep counters
//! honest, but needs an unbounded per-account index or a bounded one that caps how
//! much a user may react; the deposit bounds the cost of abuse without either.)
//!
//! ## What a view costs the chain
//!
//! A view counts only if its viewer is a registered user: any HTTP client can name a
//! fresh account, but a registration holds `UserDeposit`, so inflating a counter takes
//! one deposit per fake viewer. The views are counted in fixed windows of `ViewWindow`
//! blocks (window `w` is the blocks `w × ViewWindow ..= (w + 1) × ViewWindow - 1`): a
//! viewer counts once per media item per window, and the pairs seen are kept in
//! [`ViewsSeen`] under their window only while it is current. Each `record_views` removes
//! as many pairs of past windows as it writes (its weight includes them) and idle block
//! space removes the rest (`on_idle`), so what is kept never exceeds one window's worth
//! of counted views (at most `MaxViewsPerBlock` per recorder and block) plus what has
//! not been removed yet, which only shrinks. The window index is stored big-endian under
//! an identity hasher so that the map iterates oldest window first, and pruning reads
//! only keys it removes (and one more).
//!
//! Media ids are checked through [`MediaRegistry`](paratii_primitives::MediaRegistry)
//! (the media pallet), so reactions, flags and views only ever count existing,
//! non-deleted media.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::Precision,
		},
	};
	use frame_system::pallet_prelude::*;
	use paratii_primitives::{MediaId, MediaRegistry};
	use sp_runtime::{traits::One, SaturatedConversion};

	/// The balance type of the currency deposits are held in.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A user's display name.
	pub type NameOf<T> = BoundedVec<u8, <T as Config>::MaxNameLen>;
	/// The CID of a user's profile document.
	pub type ProfileCidOf<T> = BoundedVec<u8, <T as Config>::MaxProfileCidLen>;
	/// Why a user flagged a media item.
	pub type FlagReasonOf<T> = BoundedVec<u8, <T as Config>::MaxFlagReasonLen>;
	/// A user as stored.
	pub type UserOf<T> = UserInfo<NameOf<T>, ProfileCidOf<T>, BalanceOf<T>, BlockNumberFor<T>>;

	/// 1: views deduplicated per window in `ViewsSeen`, `LastView` gone
	/// ([`crate::migrations::v1`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// The currency registration deposits are held in (PTI).
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// PTI held from each registered user.
		#[pallet::constant]
		type UserDeposit: Get<BalanceOf<Self>>;
		/// Longest name, in bytes (UTF-8).
		#[pallet::constant]
		type MaxNameLen: Get<u32>;
		/// Longest profile CID, in bytes.
		#[pallet::constant]
		type MaxProfileCidLen: Get<u32>;
		/// Longest flag reason, in bytes (UTF-8).
		#[pallet::constant]
		type MaxFlagReasonLen: Get<u32>;
		/// Flags after which a media item is reported with `MediaFlagged`.
		#[pallet::constant]
		type FlagThreshold: Get<u32>;
		/// PTI held for each standing reaction (like or dislike).
		#[pallet::constant]
		type ReactionDeposit: Get<BalanceOf<Self>>;
		/// PTI held for each standing flag.
		#[pallet::constant]
		type FlagDeposit: Get<BalanceOf<Self>>;
		/// Most views one `record_views` call may carry.
		#[pallet::constant]
		type MaxViewBatch: Get<u32>;
		/// Most views one recorder may record per block.
		#[pallet::constant]
		type MaxViewsPerBlock: Get<u32>;
		/// A viewer counts once per media item per this many blocks.
		#[pallet::constant]
		type ViewWindow: Get<BlockNumberFor<Self>>;
		/// Who may authorise view recorders (root or the council).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Which media exist.
		type Media: MediaRegistry;
		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit of a registered user.
		UserDeposit,
		/// The deposit of a standing reaction.
		ReactionDeposit,
		/// The deposit of a standing flag.
		FlagDeposit,
	}

	/// A batch of views: `(media_id, viewer)`.
	pub type ViewBatchOf<T> =
		BoundedVec<(MediaId, <T as frame_system::Config>::AccountId), <T as Config>::MaxViewBatch>;

	/// Registered users.
	#[pallet::storage]
	pub type Users<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, UserOf<T>>;

	/// Each user's current reaction to a media item.
	#[pallet::storage]
	pub type Reactions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, MediaId, Blake2_128Concat, T::AccountId, Reaction>;

	/// Likes and dislikes per media item.
	#[pallet::storage]
	pub type ReactionCounts<T> = StorageMap<_, Twox64Concat, MediaId, ReactionTally, ValueQuery>;

	/// Flags per media item and user, with the reason given.
	#[pallet::storage]
	pub type Flags<T: Config> =
		StorageDoubleMap<_, Twox64Concat, MediaId, Blake2_128Concat, T::AccountId, FlagReasonOf<T>>;

	/// Number of flags per media item.
	#[pallet::storage]
	pub type FlagCount<T> = StorageMap<_, Twox64Concat, MediaId, u32, ValueQuery>;

	/// Number of views per media item.
	#[pallet::storage]
	pub type Views<T> = StorageMap<_, Twox64Concat, MediaId, u64, ValueQuery>;

	/// Accounts allowed to record views (the gateway's).
	#[pallet::storage]
	pub type ViewRecorders<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ()>;

	/// The `(media_id, viewer)` pairs counted in a view window, under the window's index
	/// (big-endian, so that the map iterates oldest first). Only the current window's are
	/// read; the past windows' are removed by `record_views` and `on_idle`.
	#[pallet::storage]
	pub type ViewsSeen<T: Config> =
		StorageDoubleMap<_, Identity, ViewWindowKey, Blake2_128Concat, (MediaId, T::AccountId), ()>;

	/// Views each recorder recorded in a block: `(block, views)`.
	#[pallet::storage]
	pub type RecorderUsage<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (BlockNumberFor<T>, u32), ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Users registered at genesis, `(account, name)`; each pays the deposit.
		pub users: Vec<(T::AccountId, Vec<u8>)>,
		/// View recorders authorised at genesis.
		pub view_recorders: Vec<T::AccountId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (who, name) in &self.users {
				Pallet::<T>::do_register(who.clone(), name.clone(), None)
					.expect("genesis users are valid and funded");
			}
			for who in &self.view_recorders {
				ViewRecorders::<T>::insert(who, ());
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A user registered; `deposit` PTI are held until they unregister.
		UserRegistered { who: T::AccountId, deposit: BalanceOf<T> },
		/// A user changed their name or profile.
		ProfileUpdated { who: T::AccountId },
		/// A user unregistered; their deposit is released.
		UserUnregistered { who: T::AccountId, deposit: BalanceOf<T> },
		/// A user's reaction to a media item is now `reaction`.
		Reacted { who: T::AccountId, media_id: MediaId, reaction: Reaction },
		/// A user flagged a media item.
		Flagged { who: T::AccountId, media_id: MediaId, flags: u32 },
		/// A media item reached `FlagThreshold` flags.
		MediaFlagged { media_id: MediaId, flags: u32 },
		/// A view was counted.
		ViewRecorded { media_id: MediaId, viewer: T::AccountId, views: u64 },
		/// A recorder's batch was processed: `counted` views counted, `repeated` were
		/// viewers already counted in the window, `unknown` were for media that no
		/// longer exist, `unregistered` were by accounts that are not registered users.
		ViewsRecorded {
			recorder: T::AccountId,
			counted: u32,
			repeated: u32,
			unknown: u32,
			unregistered: u32,
		},
		/// A user withdrew their flag of a media item.
		Unflagged { who: T::AccountId, media_id: MediaId, flags: u32 },
		/// An account may now record views.
		ViewRecorderAdded { who: T::AccountId },
		/// An account may no longer record views.
		ViewRecorderRemoved { who: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// This account is already registered.
		AlreadyRegistered,
		/// Register first (`users.register`).
		NotRegistered,
		/// The name is empty.
		EmptyName,
		/// The name is longer than `MaxNameLen` bytes.
		NameTooLong,
		/// The name is not valid UTF-8.
		NameNotUtf8,
		/// The profile CID is longer than `MaxProfileCidLen` bytes.
		ProfileCidTooLong,
		/// The free balance cannot cover the `UserDeposit`.
		CannotPayDeposit,
		/// No active media item has this id.
		UnknownMedia,
		/// You flagged this media item already.
		AlreadyFlagged,
		/// The flag reason is longer than `MaxFlagReasonLen` bytes.
		FlagReasonTooLong,
		/// The flag reason is not valid UTF-8.
		FlagReasonNotUtf8,
		/// This account is not an authorised view recorder.
		NotViewRecorder,
		/// This account is already a view recorder.
		AlreadyViewRecorder,
		/// The free balance cannot cover the `ReactionDeposit` or `FlagDeposit`.
		CannotPayReactionDeposit,
		/// You have not flagged this media item.
		NotFlagged,
		/// Give at least one view.
		NoViews,
		/// This recorder reached `MaxViewsPerBlock` in this block; submit the rest in a
		/// later block.
		RecorderRateExceeded,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers the caller as a user named `name` (UTF-8), holding `UserDeposit`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			name: Vec<u8>,
			profile_cid: Option<Vec<u8>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register(who, name, profile_cid)
		}

		/// Replaces the caller's name and profile CID.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_profile())]
		pub fn update_profile(
			origin: OriginFor<T>,
			name: Vec<u8>,
			profile_cid: Option<Vec<u8>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let (name, profile_cid) = Self::check_profile(name, profile_cid)?;
			Users::<T>::try_mutate(&who, |user| -> DispatchResult {
				let user = user.as_mut().ok_or(Error::<T>::NotRegistered)?;
				user.name = name;
				user.profile_cid = profile_cid;
				Ok(())
			})?;
			Self::deposit_event(Event::ProfileUpdated { who });
			Ok(())
		}

		/// Unregisters the caller and releases their deposit.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::unregister())]
		pub fn unregister(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let user = Users::<T>::take(&who).ok_or(Error::<T>::NotRegistered)?;
			T::Currency::release(
				&HoldReason::UserDeposit.into(),
				&who,
				user.deposit,
				Precision::BestEffort,
			)?;
			Self::deposit_event(Event::UserUnregistered { who, deposit: user.deposit });
			Ok(())
		}

		/// Sets the caller's reaction to `media_id`: `Like`, `Dislike`, or `None` to
		/// withdraw it.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::react())]
		pub fn react(
			origin: OriginFor<T>,
			media_id: MediaId,
			reaction: Reaction,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let previous = Reactions::<T>::get(media_id, &who).unwrap_or(Reaction::None);
			// Withdrawing needs neither registration nor live media: the deposit is
			// always recoverable.
			if reaction != Reaction::None {
				ensure!(Users::<T>::contains_key(&who), Error::<T>::NotRegistered);
				ensure!(T::Media::is_active(media_id), Error::<T>::UnknownMedia);
			}
			let reason = HoldReason::ReactionDeposit.into();
			if previous == Reaction::None && reaction != Reaction::None {
				T::Currency::hold(&reason, &who, T::ReactionDeposit::get())
					.map_err(|_| Error::<T>::CannotPayReactionDeposit)?;
			} else if previous != Reaction::None && reaction == Reaction::None {
				T::Currency::release(
					&reason,
					&who,
					T::ReactionDeposit::get(),
					Precision::BestEffort,
				)?;
			}
			if previous != reaction {
				ReactionCounts::<T>::mutate(media_id, |tally| {
					tally.remove(previous);
					tally.add(reaction);
				});
				if reaction == Reaction::None {
					Reactions::<T>::remove(media_id, &who);
				} else {
					Reactions::<T>::insert(media_id, &who, reaction);
				}
			}
			Self::deposit_event(Event::Reacted { who, media_id, reaction });
			Ok(())
		}

		/// Flags `media_id` for moderation, giving a `reason` (UTF-8). Once per user.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::flag())]
		pub fn flag(origin: OriginFor<T>, media_id: MediaId, reason: Vec<u8>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(Users::<T>::contains_key(&who), Error::<T>::NotRegistered);
			ensure!(T::Media::is_active(media_id), Error::<T>::UnknownMedia);
			ensure!(!Flags::<T>::contains_key(media_id, &who), Error::<T>::AlreadyFlagged);
			let reason: FlagReasonOf<T> =
				reason.try_into().map_err(|_| Error::<T>::FlagReasonTooLong)?;
			ensure!(core::str::from_utf8(&reason).is_ok(), Error::<T>::FlagReasonNotUtf8);
			T::Currency::hold(&HoldReason::FlagDeposit.into(), &who, T::FlagDeposit::get())
				.map_err(|_| Error::<T>::CannotPayReactionDeposit)?;
			Flags::<T>::insert(media_id, &who, reason);
			let flags = FlagCount::<T>::mutate(media_id, |n| {
				*n = n.saturating_add(1);
				*n
			});
			Self::deposit_event(Event::Flagged { who, media_id, flags });
			if flags == T::FlagThreshold::get() {
				Self::deposit_event(Event::MediaFlagged { media_id, flags });
			}
			Ok(())
		}

		/// Records a batch of views, `(media_id, viewer)`. Only authorised view
		/// recorders. A view counts if its viewer is a registered user not yet counted
		/// for the media item in the current view window and the media item exists; the
		/// `ViewsRecorded` event says how many views were not counted, and why. Removes as
		/// many pairs of past windows as the batch has views.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::record_views(views.len() as u32))]
		pub fn record_views(origin: OriginFor<T>, views: ViewBatchOf<T>) -> DispatchResult {
			let recorder = ensure_signed(origin)?;
			ensure!(ViewRecorders::<T>::contains_key(&recorder), Error::<T>::NotViewRecorder);
			ensure!(!views.is_empty(), Error::<T>::NoViews);
			let now = frame_system::Pallet::<T>::block_number();
			let (block, used) = RecorderUsage::<T>::get(&recorder);
			let used = if block == now { used } else { 0 };
			let used = used.saturating_add(views.len() as u32);
			ensure!(used <= T::MaxViewsPerBlock::get(), Error::<T>::RecorderRateExceeded);
			RecorderUsage::<T>::insert(&recorder, (now, used));
			Self::prune_views(views.len() as u32);

			let window = Self::view_window(now);
			let (mut counted, mut repeated, mut unknown, mut unregistered) = (0u32, 0, 0, 0);
			for (media_id, viewer) in views {
				if !T::Media::is_active(media_id) {
					unknown += 1;
					continue;
				}
				if !Users::<T>::contains_key(&viewer) {
					unregistered += 1;
					continue;
				}
				let key = (media_id, viewer);
				if ViewsSeen::<T>::contains_key(window, &key) {
					repeated += 1;
					continue;
				}
				ViewsSeen::<T>::insert(window, &key, ());
				let (media_id, viewer) = key;
				let views = Views::<T>::mutate(media_id, |n| {
					*n = n.saturating_add(1);
					*n
				});
				counted += 1;
				Self::deposit_event(Event::ViewRecorded { media_id, viewer, views });
			}
			Self::deposit_event(Event::ViewsRecorded {
				recorder,
				counted,
				repeated,
				unknown,
				unregistered,
			});
			Ok(())
		}

		/// Authorises `who` to record views.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::add_view_recorder())]
		pub fn add_view_recorder(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(!ViewRecorders::<T>::contains_key(&who), Error::<T>::AlreadyViewRecorder);
			ViewRecorders::<T>::insert(&who, ());
			Self::deposit_event(Event::ViewRecorderAdded { who });
			Ok(())
		}

		/// Withdraws `who`'s authorisation to record views.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::remove_view_recorder())]
		pub fn remove_view_recorder(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(ViewRecorders::<T>::take(&who).is_some(), Error::<T>::NotViewRecorder);
			Self::deposit_event(Event::ViewRecorderRemoved { who });
			Ok(())
		}

		/// Withdraws the caller's flag of `media_id` and releases its deposit.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::unflag())]
		pub fn unflag(origin: OriginFor<T>, media_id: MediaId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(Flags::<T>::take(media_id, &who).is_some(), Error::<T>::NotFlagged);
			T::Currency::release(
				&HoldReason::FlagDeposit.into(),
				&who,
				T::FlagDeposit::get(),
				Precision::BestEffort,
			)?;
			let flags = FlagCount::<T>::mutate(media_id, |n| {
				*n = n.saturating_sub(1);
				*n
			});
			Self::deposit_event(Event::Unflagged { who, media_id, flags });
			Ok(())
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Removes the counted views of past windows that fit in the block's idle weight.
		fn on_idle(_now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let base = T::WeightInfo::prune_views(0);
			let each = T::WeightInfo::prune_views(1).saturating_sub(base);
			let Some(spare) = remaining.checked_sub(&base) else { return Weight::zero() };
			let fit = |spare: u64, each: u64| spare.checked_div(each).unwrap_or(u64::MAX);
			let limit = fit(spare.ref_time(), each.ref_time())
				.min(fit(spare.proof_size(), each.proof_size()))
				.min(MAX_IDLE_PRUNE.into()) as u32;
			let removed = Self::prune_views(limit);
			T::WeightInfo::prune_views(removed)
		}
	}

	/// Most past-window views one block's `on_idle` removes.
	pub const MAX_IDLE_PRUNE: u32 = 1024;

	impl<T: Config> Pallet<T> {
		/// The key of the view window `now` is in.
		pub fn view_window(now: BlockNumberFor<T>) -> ViewWindowKey {
			let length = T::ViewWindow::get().max(One::one());
			let index: u32 = (now / length).saturated_into();
			index.to_be_bytes()
		}

		/// Removes up to `limit` counted views of past windows, oldest first; returns how
		/// many it removed. Reads one key more than it removes.
		pub fn prune_views(limit: u32) -> u32 {
			if limit == 0 {
				return 0;
			}
			let current = Self::view_window(frame_system::Pallet::<T>::block_number());
			let stale: Vec<_> = ViewsSeen::<T>::iter_keys()
				.take_while(|(window, _)| *window < current)
				.take(limit as usize)
				.collect();
			for (window, key) in &stale {
				ViewsSeen::<T>::remove(window, key);
			}
			stale.len() as u32
		}

		fn check_profile(
			name: Vec<u8>,
			profile_cid: Option<Vec<u8>>,
		) -> Result<(NameOf<T>, Option<ProfileCidOf<T>>), DispatchError> {
			ensure!(!name.is_empty(), Error::<T>::EmptyName);
			let name: NameOf<T> = name.try_into().map_err(|_| Error::<T>::NameTooLong)?;
			ensure!(core::str::from_utf8(&name).is_ok(), Error::<T>::NameNotUtf8);
			let profile_cid = profile_cid
				.map(|cid| cid.try_into().map_err(|_| Error::<T>::ProfileCidTooLong))
				.transpose()?;
			Ok((name, profile_cid))
		}

		pub(crate) fn do_register(
			who: T::AccountId,
			name: Vec<u8>,
			profile_cid: Option<Vec<u8>>,
		) -> DispatchResult {
			ensure!(!Users::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
			let (name, profile_cid) = Self::check_profile(name, profile_cid)?;
			let deposit = T::UserDeposit::get();
			T::Currency::hold(&HoldReason::UserDeposit.into(), &who, deposit)
				.map_err(|_| Error::<T>::CannotPayDeposit)?;
			Users::<T>::insert(
				&who,
				UserInfo {
					name,
					profile_cid,
					deposit,
					registered_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::UserRegistered { who, deposit });
			Ok(())
		}
	}

	impl<T: Config> paratii_primitives::UserRegistry<T::AccountId> for Pallet<T> {
		fn is_registered(who: &T::AccountId) -> bool {
			Users::<T>::contains_key(who)
		}

		#[cfg(feature = "runtime-benchmarks")]
		fn register_for_benchmark(who: &T::AccountId) {
			let funds =
				sp_runtime::Saturating::saturating_mul(T::UserDeposit::get(), 100u32.into())
					+ T::Currency::minimum_balance();
			T::Currency::set_balance(who, funds);
			Self::do_register(who.clone(), alloc::vec![b'u'; 8], None).expect("funded");
		}
	}
}
