//! Claims: paying a beneficiary its proven cumulative earnings beyond what it withdrew,
//! and building the proofs.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::Mutate, tokens::Preservation},
};
use paratii_primitives::adx;
use sp_runtime::{traits::Zero, AccountId32};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_claim(
		campaign: CampaignId,
		beneficiary: AccountId32,
		cumulative: u128,
		proof: ProofOf<T>,
	) -> DispatchResult {
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
}
