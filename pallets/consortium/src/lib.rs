//! # Consortium pallet
//!
//! Paratii chain's validators are known organisations, admitted and removed by the
//! consortium's governance (the council), not by stake. This pallet keeps that set as
//! on-chain state and hands it to `pallet-session` as its
//! [`SessionManager`](pallet_session::SessionManager): Aura, GRANDPA and BEEFY all take
//! their authorities from the session keys of these accounts.
//!
//! It also decides when sessions end ([`ShouldEndSession`](pallet_session::ShouldEndSession)):
//! every `SessionPeriod` blocks, a period the governance can change without a runtime
//! upgrade (test networks run minute-long sessions, production ones hours).
//!
//! ## Calls
//!
//! - `add_validator(who)` — governance origin. `who` must have set session keys
//!   (`session.setKeys`) first, so that a new validator can never be a silent no-op.
//! - `remove_validator(who)` — governance origin; never below `MinValidators`.
//!
//! Both tell [`Config::OnValidatorChange`] in the same call: the runtime makes an added
//! validator's operator a council member and takes a removed one's seat (and its votes
//! on open motions) away, so the council stays the validators' operators — on a
//! production chain, where it starts as exactly them, a removed validator can no longer
//! vote on the chain it left. Council members who are not validators (the dev chain's)
//! are left alone.
//! - `set_session_period(period)` — governance origin; between `MinSessionPeriod` and
//!   `MaxSessionPeriod` (a huge period would freeze rotation, so no later validator
//!   change would ever take effect). Takes effect from the next session.
//! - `force_new_session()` — governance origin; the current session ends at the next
//!   block, so a change of the set (or of the period) need not wait out a long session.
//! - `set_min_validators(count)` — governance origin; the fewest validators the set may
//!   shrink to, never below the chain's floor: the minimum its genesis set
//!   ([`ValidatorFloor`]; the production preset's is 3, since with fewer one crashed
//!   node stops finality), itself at least the runtime's `MinValidators` (1, so that a
//!   single-validator dev chain runs the same runtime). Governance may raise the minimum
//!   and lower it back, never below the floor: no motion can take a production chain to
//!   one or two validators.
//! - `purge_keys()` — signed; removes the caller's session keys, like
//!   `session.purgeKeys`, but refuses while the caller is a validator: `pallet-session`
//!   silently drops a validator without keys at the next rotation, which could take the
//!   authority set below `MinValidators`, even to zero. The runtime's call filter sends
//!   every purge through this call.
//!
//! A change to the set is handed to `pallet-session` when the next session is planned.
//! `pallet-session` queues a planned set for one session, so a validator added during
//! session `n` authors from session `n + 2` (removal likewise), one session period after
//! the change at the earliest, two at the latest.
//!
//! ## Liveness reports
//!
//! Every block's author is noted (as `pallet-authorship`'s `EventHandler`). When a
//! session ends, each validator of that session that authored no block in it is reported
//! with [`Event::ValidatorIdle`], so the council can see who is down and remove it.
//!
//! ## The block's author
//! The author is also kept as [`BlockAuthor`] for the rest of the block and after it
//! ([`Pallet::block_author`]): `pallet-authorship` finds it at the start of the block,
//! before `pallet-session` rotates the validators, while recomputing it later from the
//! Aura slot (`slot % authorities`) would index the *new* session's validators on the
//! first block of a session whose set changed. The runtime gives it to `pallet-revive`
//! (`block.coinbase`, the Ethereum RPC's block miner). What `pallet-authorship`'s lookup
//! reads and writes is charged here too ([`Config::AuthorLookupWeight`]).

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

/// Removes an account's session keys: `pallet-session`'s `purge_keys`, which the
/// runtime filters out so that purges come through [`Pallet::purge_keys`].
pub trait SessionKeys<AccountId> {
	/// Removes `who`'s session keys, as `session.purgeKeys` signed by `who` would.
	fn purge_keys(who: AccountId) -> frame_support::dispatch::DispatchResult;
}

/// Told when governance adds or removes a validator, inside the same call (an error
/// undoes the change): the runtime keeps the council, the validators' operators, in step,
/// so that a removed validator loses its vote with its seat.
pub trait OnValidatorChange<AccountId> {
	fn added(who: &AccountId) -> frame_support::dispatch::DispatchResult;
	fn removed(who: &AccountId) -> frame_support::dispatch::DispatchResult;
	/// The most `added` or `removed` uses: added to the calls' weights.
	fn weight() -> frame_support::weights::Weight;
}

impl<AccountId> OnValidatorChange<AccountId> for () {
	fn added(_: &AccountId) -> frame_support::dispatch::DispatchResult {
		Ok(())
	}
	fn removed(_: &AccountId) -> frame_support::dispatch::DispatchResult {
		Ok(())
	}
	fn weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

/// How benchmarks make an account eligible as a validator (give it session keys).
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Registers session keys for `who`.
	fn register_session_keys(who: &AccountId);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{ValidatorRegistration, ValidatorSet},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{
		traits::{One, Saturating},
		Permill,
	};
	use sp_staking::SessionIndex;

	/// The consortium's validators, sorted.
	pub type ValidatorsOf<T> =
		BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxValidators>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// Who admits and removes validators and sets the session period: the council
		/// (and root).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Whether an account has session keys (`pallet-session`).
		type ValidatorRegistration: ValidatorRegistration<Self::AccountId>;
		/// The validators of the current session (`pallet-session`).
		type ActiveValidators: ValidatorSet<Self::AccountId, ValidatorId = Self::AccountId>;
		/// The fewest validators the consortium may ever have: the floor of
		/// `set_min_validators` (each chain's own minimum is [`MinimumValidators`]).
		#[pallet::constant]
		type MinValidators: Get<u32>;
		/// The most validators the consortium may have.
		#[pallet::constant]
		type MaxValidators: Get<u32>;
		/// The shortest session period, in blocks, `set_session_period` accepts.
		#[pallet::constant]
		type MinSessionPeriod: Get<BlockNumberFor<Self>>;
		/// The longest session period, in blocks, `set_session_period` accepts.
		#[pallet::constant]
		type MaxSessionPeriod: Get<BlockNumberFor<Self>>;
		/// Removes session keys (`pallet-session`).
		type SessionKeys: SessionKeys<Self::AccountId>;
		/// Told of every validator added or removed (the runtime: the council follows).
		type OnValidatorChange: OnValidatorChange<Self::AccountId>;
		/// What `pallet-authorship` spends finding each block's author (the runtime's
		/// `FindAuthor` reads, its `Author` entry written and cleared), which it does not
		/// charge: charged in this pallet's `on_initialize`.
		type AuthorLookupWeight: Get<Weight>;
		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
		/// Gives benchmark accounts session keys.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The consortium's validator set, sorted. Changes reach the chain through
	/// `pallet-session` at the next session planning.
	#[pallet::storage]
	pub type Validators<T: Config> = StorageValue<_, ValidatorsOf<T>, ValueQuery>;

	/// Whether `Validators` changed since the last session planning.
	#[pallet::storage]
	pub type SetChanged<T> = StorageValue<_, bool, ValueQuery>;

	/// The fewest validators the set may shrink to (at least `MinValidators`).
	#[pallet::storage]
	pub type MinimumValidators<T: Config> =
		StorageValue<_, u32, ValueQuery, <T as Config>::MinValidators>;

	/// The least [`MinimumValidators`] may be set to: the genesis minimum, fixed for the
	/// chain's life.
	#[pallet::storage]
	pub type ValidatorFloor<T: Config> =
		StorageValue<_, u32, ValueQuery, <T as Config>::MinValidators>;

	/// The author of the current block (after `on_initialize`) or of the last one, and
	/// its number: see [`Pallet::block_author`].
	#[pallet::storage]
	pub type BlockAuthor<T: Config> = StorageValue<_, (BlockNumberFor<T>, T::AccountId)>;

	/// Blocks per session.
	#[pallet::storage]
	pub type SessionPeriod<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The block at which the current session should end.
	#[pallet::storage]
	pub type NextSessionAt<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Blocks authored in the current session, per author. Only the session's
	/// validators author, so it holds at most `MaxValidators` entries; it is cleared when
	/// the session ends.
	#[pallet::storage]
	pub type AuthoredBlocks<T: Config> = StorageMap<_, Twox64Concat, T::AccountId, u32, ValueQuery>;

	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// The validators of the first sessions (each also needs session keys in
		/// `pallet-session`'s genesis). Empty: pallet-session's genesis keys decide, and
		/// the consortium's set starts empty (only for tooling; a chain needs validators).
		pub validators: Vec<T::AccountId>,
		/// Blocks per session.
		pub session_period: BlockNumberFor<T>,
		/// The fewest validators the set may shrink to; at least `MinValidators`. It is
		/// also the chain's floor: governance can never set a lower minimum.
		pub min_validators: u32,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			Self {
				validators: Vec::new(),
				session_period: T::MinSessionPeriod::get(),
				min_validators: T::MinValidators::get(),
			}
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut validators = self.validators.clone();
			validators.sort();
			validators.dedup();
			assert_eq!(validators.len(), self.validators.len(), "duplicate genesis validators");
			assert!(
				self.min_validators >= T::MinValidators::get(),
				"genesis min_validators below the runtime's MinValidators"
			);
			assert!(
				validators.is_empty() || validators.len() >= self.min_validators as usize,
				"fewer genesis validators than min_validators"
			);
			MinimumValidators::<T>::put(self.min_validators);
			ValidatorFloor::<T>::put(self.min_validators);
			let validators: ValidatorsOf<T> =
				validators.try_into().expect("more genesis validators than MaxValidators");
			Validators::<T>::put(validators);
			assert!(
				self.session_period >= T::MinSessionPeriod::get()
					&& self.session_period <= T::MaxSessionPeriod::get(),
				"genesis session period outside MinSessionPeriod..=MaxSessionPeriod"
			);
			SessionPeriod::<T>::put(self.session_period);
			NextSessionAt::<T>::put(self.session_period);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` joins the validators from the session after the next.
		ValidatorAdded { who: T::AccountId },
		/// `who` leaves the validators from the session after the next.
		ValidatorRemoved { who: T::AccountId },
		/// The changed validator set was handed to `pallet-session` for `session`.
		ValidatorSetPlanned { session: SessionIndex, validators: u32 },
		/// `validator` authored no block in `session`: it may be down.
		ValidatorIdle { validator: T::AccountId, session: SessionIndex },
		/// Sessions last `period` blocks from the next session on.
		SessionPeriodSet { period: BlockNumberFor<T> },
		/// Governance ended the current session early: it ends at block `at`.
		NewSessionForced { at: BlockNumberFor<T> },
		/// The validator set may not shrink below `count`.
		MinValidatorsSet { count: u32 },
		/// `who` removed its session keys.
		KeysPurged { who: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a validator.
		AlreadyValidator,
		/// The account is not a validator.
		NotValidator,
		/// The validator set is full (`MaxValidators`); remove one first.
		TooManyValidators,
		/// Removing it would leave fewer than `MinValidators` validators; add another first.
		TooFewValidators,
		/// The account has no session keys: it must call `session.setKeys` first.
		NoSessionKeys,
		/// The session period is shorter than `MinSessionPeriod`.
		SessionPeriodTooShort,
		/// The session period is longer than `MaxSessionPeriod`.
		SessionPeriodTooLong,
		/// The minimum is below the chain's floor (`ValidatorFloor`, set at genesis), above
		/// `MaxValidators`, or above the current number of validators (add validators
		/// first).
		InvalidMinValidators,
		/// A validator cannot remove its session keys: governance must remove it from the
		/// set first (`consortium.removeValidator`).
		StillValidator,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// The weight of `note_author`, which `pallet-authorship` calls from its own
		/// `on_initialize` in every block without counting it.
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			T::WeightInfo::note_author()
				.saturating_add(T::AuthorLookupWeight::get())
				// `BlockAuthor`, written besides what the weights generated on 2026-12-03
				// measured.
				.saturating_add(T::DbWeight::get().writes(1))
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			let validators = Validators::<T>::get();
			ensure!(validators.windows(2).all(|w| w[0] < w[1]), "validators not sorted");
			ensure!(
				validators.len() >= MinimumValidators::<T>::get() as usize,
				"fewer validators than MinimumValidators"
			);
			Ok(())
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Admits `who` as a validator from the session after the next.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator(T::MaxValidators::get())
			.saturating_add(T::OnValidatorChange::weight()))]
		pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(T::ValidatorRegistration::is_registered(&who), Error::<T>::NoSessionKeys);
			Validators::<T>::try_mutate(|validators| {
				let at =
					validators.binary_search(&who).err().ok_or(Error::<T>::AlreadyValidator)?;
				validators.try_insert(at, who.clone()).map_err(|_| Error::<T>::TooManyValidators)
			})?;
			SetChanged::<T>::put(true);
			T::OnValidatorChange::added(&who)?;
			Self::deposit_event(Event::ValidatorAdded { who });
			Ok(())
		}

		/// Removes `who` from the validators from the session after the next.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator(T::MaxValidators::get())
			.saturating_add(T::OnValidatorChange::weight()))]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Validators::<T>::try_mutate(|validators| {
				let at = validators.binary_search(&who).map_err(|_| Error::<T>::NotValidator)?;
				ensure!(
					validators.len() > MinimumValidators::<T>::get() as usize,
					Error::<T>::TooFewValidators
				);
				validators.remove(at);
				Ok::<_, Error<T>>(())
			})?;
			SetChanged::<T>::put(true);
			T::OnValidatorChange::removed(&who)?;
			Self::deposit_event(Event::ValidatorRemoved { who });
			Ok(())
		}

		/// Sessions last `period` blocks from the next session on.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_session_period())]
		pub fn set_session_period(
			origin: OriginFor<T>,
			period: BlockNumberFor<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(period >= T::MinSessionPeriod::get(), Error::<T>::SessionPeriodTooShort);
			ensure!(period <= T::MaxSessionPeriod::get(), Error::<T>::SessionPeriodTooLong);
			SessionPeriod::<T>::put(period);
			Self::deposit_event(Event::SessionPeriodSet { period });
			Ok(())
		}

		/// Ends the current session at the next block.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::force_new_session())]
		pub fn force_new_session(origin: OriginFor<T>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let at = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
			NextSessionAt::<T>::put(at);
			Self::deposit_event(Event::NewSessionForced { at });
			Ok(())
		}

		/// The validator set may not shrink below `count` validators.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_min_validators()
			// The floor, read besides what the weights generated on 2026-12-03 measured.
			.saturating_add(T::DbWeight::get().reads(1)))]
		pub fn set_min_validators(origin: OriginFor<T>, count: u32) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(
				count >= ValidatorFloor::<T>::get().max(T::MinValidators::get())
					&& count <= T::MaxValidators::get()
					&& count as usize <= Validators::<T>::decode_len().unwrap_or(0),
				Error::<T>::InvalidMinValidators
			);
			MinimumValidators::<T>::put(count);
			Self::deposit_event(Event::MinValidatorsSet { count });
			Ok(())
		}

		/// Removes the caller's session keys. Refused while the caller is a validator.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::purge_keys())]
		pub fn purge_keys(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(
				Validators::<T>::get().binary_search(&who).is_err(),
				Error::<T>::StillValidator
			);
			T::SessionKeys::purge_keys(who.clone())?;
			Self::deposit_event(Event::KeysPurged { who });
			Ok(())
		}
	}

	impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
		fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
			if !SetChanged::<T>::take() {
				return None;
			}
			let validators = Validators::<T>::get().into_inner();
			Self::deposit_event(Event::ValidatorSetPlanned {
				session: new_index,
				validators: validators.len() as u32,
			});
			Some(validators)
		}

		fn new_session_genesis(_: SessionIndex) -> Option<Vec<T::AccountId>> {
			let validators = Validators::<T>::get().into_inner();
			// Never an empty authority set: with none, pallet-session uses its genesis keys.
			(!validators.is_empty()).then_some(validators)
		}

		fn end_session(end_index: SessionIndex) {
			for validator in T::ActiveValidators::validators() {
				if AuthoredBlocks::<T>::get(&validator) == 0 {
					Self::deposit_event(Event::ValidatorIdle { validator, session: end_index });
				}
			}
			let _ = AuthoredBlocks::<T>::clear(T::MaxValidators::get(), None);
		}

		fn start_session(_: SessionIndex) {
			let now = frame_system::Pallet::<T>::block_number();
			NextSessionAt::<T>::put(now.saturating_add(SessionPeriod::<T>::get()));
		}
	}

	impl<T: Config> pallet_session::ShouldEndSession<BlockNumberFor<T>> for Pallet<T> {
		fn should_end_session(now: BlockNumberFor<T>) -> bool {
			now >= NextSessionAt::<T>::get()
		}
	}

	impl<T: Config> frame_support::traits::EstimateNextSessionRotation<BlockNumberFor<T>>
		for Pallet<T>
	{
		fn average_session_length() -> BlockNumberFor<T> {
			SessionPeriod::<T>::get()
		}

		fn estimate_current_session_progress(now: BlockNumberFor<T>) -> (Option<Permill>, Weight) {
			let period = SessionPeriod::<T>::get();
			let end = NextSessionAt::<T>::get();
			let done = period.saturating_sub(end.saturating_sub(now));
			let progress =
				if period.is_zero() { None } else { Some(Permill::from_rational(done, period)) };
			(progress, T::DbWeight::get().reads(2))
		}

		fn estimate_next_session_rotation(
			_: BlockNumberFor<T>,
		) -> (Option<BlockNumberFor<T>>, Weight) {
			(Some(NextSessionAt::<T>::get()), T::DbWeight::get().reads(1))
		}
	}

	impl<T: Config> Pallet<T> {
		/// The current block's author as `pallet-authorship` found it before the session
		/// rotated (`None` before this block's `on_initialize`, or with no author).
		pub fn block_author() -> Option<T::AccountId> {
			BlockAuthor::<T>::get()
				.filter(|(number, _)| *number == frame_system::Pallet::<T>::block_number())
				.map(|(_, author)| author)
		}
	}

	impl<T: Config> pallet_authorship::EventHandler<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
		fn note_author(author: T::AccountId) {
			AuthoredBlocks::<T>::mutate(&author, |n| *n = n.saturating_add(1));
			BlockAuthor::<T>::put((frame_system::Pallet::<T>::block_number(), author));
		}
	}
}
