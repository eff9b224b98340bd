//! Campaigns: creating one (its budget escrowed, its storage deposit held), topping it
//! up, its validators accepting it, closing it (the unsettled budget refunded) and reaping
//! it once every settled planck is claimed.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		tokens::{Precision, Preservation},
	},
};
use frame_system::pallet_prelude::*;
use paratii_primitives::adx;
use sp_core::H256;
use sp_runtime::{
	traits::{AccountIdConversion, Saturating, Zero},
	AccountId32,
};

pub(crate) fn all_distinct(accounts: &[AccountId32]) -> bool {
	let mut sorted: Vec<&AccountId32> = accounts.iter().collect();
	sorted.sort();
	sorted.windows(2).all(|w| w[0] != w[1])
}

impl<T: Config> Pallet<T> {
	#[allow(clippy::too_many_arguments)]
	pub(crate) fn do_create_campaign(
		advertiser: AccountId32,
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
		ensure!(budget >= T::MinBudget::get(), Error::<T>::BudgetTooSmall);
		ensure!(max_price_per_view > 0 && max_price_per_view <= budget, Error::<T>::BadMaxPrice);
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
			valid_until > now && valid_until <= now.saturating_add(T::MaxCampaignDuration::get()),
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
		Self::deposit_event(Event::CampaignCreated { campaign: id, advertiser, budget, escrow });
		Ok(())
	}

	pub(crate) fn do_top_up(
		who: AccountId32,
		campaign: CampaignId,
		amount: u128,
	) -> DispatchResult {
		Campaigns::<T>::try_mutate(campaign, |c| {
			let c = c.as_mut().ok_or(Error::<T>::UnknownCampaign)?;
			ensure!(c.advertiser == who, Error::<T>::NotAdvertiser);
			ensure!(c.status == CampaignStatus::Active, Error::<T>::CampaignClosed);
			c.budget = c.budget.checked_add(amount).ok_or(Error::<T>::Overflow)?;
			T::Currency::transfer(&who, &Self::escrow(campaign), amount, Preservation::Preserve)
				.map_err(|_| Error::<T>::CannotPayBudget)?;
			Self::deposit_event(Event::ToppedUp { campaign, amount, budget: c.budget });
			Ok(())
		})
	}

	pub(crate) fn do_close_campaign(who: AccountId32, campaign: CampaignId) -> DispatchResult {
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

	pub(crate) fn do_accept_campaign(who: AccountId32, campaign: CampaignId) -> DispatchResult {
		let mut c = Campaigns::<T>::get(campaign).ok_or(Error::<T>::UnknownCampaign)?;
		ensure!(c.status == CampaignStatus::Active, Error::<T>::CampaignClosed);
		ensure!(Self::now() < c.valid_until, Error::<T>::CampaignExpired);
		let index =
			c.validators.iter().position(|v| *v == who).ok_or(Error::<T>::NotACampaignValidator)?;
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

	pub(crate) fn do_reap_campaign(campaign: CampaignId, max_records: u32) -> DispatchResult {
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

	/// The account a campaign's budget is escrowed in.
	pub fn escrow(campaign: CampaignId) -> AccountId32 {
		T::PalletId::get().into_sub_account_truncating(campaign)
	}

	/// The campaign's terms as [`adx::process`] takes them.
	pub fn terms(c: &Campaign<T>) -> adx::Terms {
		adx::Terms {
			max_price_per_view: c.max_price_per_view,
			split: c.shares.accepted_split(),
			fund: T::Fund::get().into(),
			participants: c.participants.iter().map(|p| p.clone().into()).collect(),
			auditor: c.auditor.clone().map(Into::into),
		}
	}

	/// `accepted` when every validator of `c` has accepted it.
	pub fn all_accepted(c: &Campaign<T>) -> u32 {
		u32::MAX.checked_shr(u32::BITS - c.validators.len() as u32).unwrap_or(0)
	}

	/// Once a closed campaign has paid every settled planck, the escrow's existential
	/// deposit goes back to the advertiser (and the escrow account is reaped).
	pub(crate) fn return_escrow_deposit(campaign: CampaignId, c: &Campaign<T>) {
		if c.status == CampaignStatus::Closed && c.claimed == c.settled {
			let escrow = Self::escrow(campaign);
			let rest = T::Currency::balance(&escrow);
			if !rest.is_zero() {
				let _ =
					T::Currency::transfer(&escrow, &c.advertiser, rest, Preservation::Expendable);
			}
		}
	}
}
