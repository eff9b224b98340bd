//! Disputes: opening one (bonded), drawing its panel from a later block's hash, the
//! council's decision on a deadlock, and the ⅔ majority that settles one.

use crate::*;
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{pallet_prelude::*, traits::fungible::MutateHold};
use sp_core::H256;
use sp_io::hashing::blake2_256;
use sp_runtime::{traits::Saturating, AccountId32};

/// The smallest number of votes that is at least ⅔ of `n`.
pub fn supermajority(n: u32) -> u32 {
	(2 * n).div_ceil(3)
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_open_dispute(
		who: AccountId32,
		campaign: CampaignId,
		block: ChannelBlock,
	) -> DispatchResult {
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

	pub(crate) fn do_resolve_dispute(
		campaign: CampaignId,
		block: ChannelBlock,
		result_hash: Option<H256>,
	) -> DispatchResult {
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

	pub(crate) fn do_draw_panel(
		campaign: CampaignId,
		block: ChannelBlock,
	) -> DispatchResultWithPostInfo {
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
			return Ok(Some(drawn.saturating_add(T::WeightInfo::submit_result_resolving())).into());
		}
		Pending::<T>::insert(campaign, block, pending);
		Ok(Some(drawn).into())
	}

	/// In a dispute whose panel is drawn, the result at least ⅔ of its validators (the
	/// campaign's and the panel) posted.
	pub(crate) fn supermajority_result(
		c: &Campaign<T>,
		pending: &PendingBlock<T>,
	) -> Option<PostedResult> {
		let BlockStatus::Disputed { added, draw_at: None, .. } = &pending.status else {
			return None;
		};
		let needed = supermajority((c.validators.len() + added.len()) as u32) as usize;
		pending.results.iter().map(|(_, r)| *r).find(|r| {
			pending.results.iter().filter(|(_, o)| o.result_hash == r.result_hash).count() >= needed
		})
	}

	/// Turns a pending block into a dispute whose panel `draw_panel` draws from the
	/// hash of the block `PanelDrawDelay` later (see the crate docs).
	pub(crate) fn open(
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
}
