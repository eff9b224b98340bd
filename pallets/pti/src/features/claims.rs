//! Claims: PTI the distributor signs over to new users, paid from the claims pot within
//! the distribution cap; the distributor's key and account.

use crate::*;
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
	},
};
use frame_system::pallet_prelude::*;
use sp_core::sr25519;
use sp_runtime::traits::{AccountIdConversion, CheckedDiv, One, Saturating, Zero};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_set_distributor(
		distributor: Option<Distributor<T::AccountId>>,
	) -> DispatchResult {
		CurrentDistributor::<T>::set(distributor.clone());
		Self::deposit_event(Event::DistributorSet { distributor });
		Ok(())
	}

	pub(crate) fn do_claim(
		claim_id: ClaimId,
		beneficiary: T::AccountId,
		amount: BalanceOf<T>,
		expires_at: BlockNumberFor<T>,
		signature: sr25519::Signature,
	) -> DispatchResult {
		Self::check_claim(claim_id, &beneficiary, amount, expires_at, &signature)?;
		T::Currency::transfer(&Self::claims_pot(), &beneficiary, amount, Preservation::Expendable)
			.map_err(|_| Error::<T>::ClaimsPotTooSmall)?;
		Claims::<T>::insert(claim_id, expires_at);
		Self::note_distributed(amount);
		Self::deposit_event(Event::Claimed { claim_id, beneficiary, amount });
		Ok(())
	}

	pub(crate) fn do_prune_claim(claim_id: ClaimId) -> DispatchResult {
		let expires_at = Claims::<T>::get(claim_id).ok_or(Error::<T>::UnknownClaim)?;
		ensure!(Self::now() > expires_at, Error::<T>::NotExpired);
		Claims::<T>::remove(claim_id);
		Self::deposit_event(Event::ClaimPruned { claim_id });
		Ok(())
	}

	/// The pot claims are paid from (governance funds it).
	pub fn claims_pot() -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating(b"claims")
	}

	/// The bytes the distributor signs for a claim.
	pub fn claim_message(
		claim_id: ClaimId,
		beneficiary: &T::AccountId,
		amount: BalanceOf<T>,
		expires_at: BlockNumberFor<T>,
	) -> Vec<u8> {
		(
			CLAIM_TAG,
			paratii_primitives::genesis_hash::<T>(),
			claim_id,
			beneficiary,
			amount,
			expires_at,
		)
			.encode()
	}

	/// The part of the claims period `now` is in, and the oldest part the distribution
	/// cap still counts.
	pub(crate) fn distribution_parts() -> (BlockNumberFor<T>, BlockNumberFor<T>) {
		// Rounded up, so that the parts counted cover any `ClaimPeriod` blocks.
		let buckets: BlockNumberFor<T> = DISTRIBUTION_BUCKETS.into();
		let part_len = T::ClaimPeriod::get()
			.saturating_add(buckets.saturating_sub(One::one()))
			.checked_div(&buckets)
			.unwrap_or_default()
			.max(One::one());
		let current = Self::now() / part_len;
		(current, current.saturating_sub(DISTRIBUTION_BUCKETS.into()))
	}

	/// What claims and the distributor's vouchers paid in the parts the cap counts.
	pub fn recently_distributed() -> BalanceOf<T> {
		let (_, oldest) = Self::distribution_parts();
		RecentlyDistributed::<T>::get()
			.iter()
			.filter(|(part, _)| *part >= oldest)
			.fold(Zero::zero(), |sum: BalanceOf<T>, (_, paid)| sum.saturating_add(*paid))
	}

	pub(crate) fn ensure_within_cap(amount: BalanceOf<T>) -> DispatchResult {
		ensure!(
			Self::recently_distributed().saturating_add(amount) <= T::MaxClaimedPerPeriod::get(),
			Error::<T>::PeriodCapReached
		);
		Ok(())
	}

	/// Counts `amount` in the current part, dropping the parts the cap no longer counts.
	pub(crate) fn note_distributed(amount: BalanceOf<T>) {
		let (current, oldest) = Self::distribution_parts();
		RecentlyDistributed::<T>::mutate(|parts| {
			parts.retain(|(part, _)| *part >= oldest);
			match parts.last_mut() {
				Some((part, paid)) if *part == current => *paid = paid.saturating_add(amount),
				// Parts older than `current` that are kept are at most
				// DISTRIBUTION_BUCKETS, so there is room for the current one.
				_ => {
					if parts.try_push((current, amount)).is_err() {
						frame_support::defensive!("a distribution part without room");
					}
				},
			}
		});
	}

	/// Everything `claim` checks before paying.
	pub(crate) fn check_claim(
		claim_id: ClaimId,
		beneficiary: &T::AccountId,
		amount: BalanceOf<T>,
		expires_at: BlockNumberFor<T>,
		signature: &sr25519::Signature,
	) -> DispatchResult {
		let distributor = CurrentDistributor::<T>::get().ok_or(Error::<T>::NoDistributor)?;
		let message = Self::claim_message(claim_id, beneficiary, amount, expires_at);
		ensure!(
			sp_io::crypto::sr25519_verify(signature, &message, &distributor.key),
			Error::<T>::BadClaimSignature
		);
		ensure!(!Claims::<T>::contains_key(claim_id), Error::<T>::AlreadyClaimed);
		Self::check_expiry(expires_at)?;
		ensure!(amount >= T::Currency::minimum_balance(), Error::<T>::BelowExistentialDeposit);
		Self::ensure_within_cap(amount)?;
		ensure!(
			T::Currency::reducible_balance(
				&Self::claims_pot(),
				Preservation::Expendable,
				frame_support::traits::tokens::Fortitude::Polite
			) >= amount,
			Error::<T>::ClaimsPotTooSmall
		);
		Ok(())
	}
}
