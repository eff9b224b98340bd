//! Channel blocks: participants' parts, validators' results, finalizing an agreed block
//! and settling any block (balance root, settled total, losers slashed), and the
//! processing a validator runs ([`Pallet::process_block`]).

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use paratii_primitives::adx;
use sp_core::H256;
use sp_runtime::{traits::Saturating, AccountId32};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_submit_part(
		who: AccountId32,
		campaign: CampaignId,
		block: ChannelBlock,
		part_hash: H256,
		location: BoundedVec<u8, T::MaxLocationLength>,
	) -> DispatchResult {
		let c = Campaigns::<T>::get(campaign).ok_or(Error::<T>::UnknownCampaign)?;
		ensure!(c.status == CampaignStatus::Active, Error::<T>::CampaignClosed);
		ensure!(c.participants.contains(&who), Error::<T>::NotAParticipant);
		ensure!(c.accepted == Self::all_accepted(&c), Error::<T>::NotAccepted);
		ensure!(block == c.next_block, Error::<T>::WrongBlock);
		let now = Self::now();
		let mut pending = match Pending::<T>::get(campaign, block) {
			Some(p) => p,
			None => {
				ensure!(now < c.valid_until, Error::<T>::CampaignExpired);
				PendingBlock {
					opened_at: now,
					collect_until: now.saturating_add(T::CollectionWindow::get()),
					parts: Default::default(),
					results: Default::default(),
					status: BlockStatus::Collecting,
				}
			},
		};
		ensure!(
			matches!(pending.status, BlockStatus::Collecting) && now < pending.collect_until,
			Error::<T>::CollectionClosed
		);
		ensure!(
			!pending.parts.iter().any(|p| p.participant == who),
			Error::<T>::PartAlreadySubmitted
		);
		// Cannot fail: one part per participant, at most `MaxParticipants`.
		pending
			.parts
			.try_push(Part { participant: who.clone(), part_hash, location: location.clone() })
			.map_err(|_| Error::<T>::PartAlreadySubmitted)?;
		Pending::<T>::insert(campaign, block, pending);
		Self::deposit_event(Event::PartSubmitted {
			campaign,
			block,
			participant: who,
			part_hash,
			location,
		});
		Ok(())
	}

	pub(crate) fn do_submit_result(
		who: AccountId32,
		campaign: CampaignId,
		block: ChannelBlock,
		result_hash: H256,
		payouts_root: H256,
		total: u128,
	) -> DispatchResultWithPostInfo {
		let c = Campaigns::<T>::get(campaign).ok_or(Error::<T>::UnknownCampaign)?;
		let mut pending = Pending::<T>::get(campaign, block).ok_or(Error::<T>::NoOpenBlock)?;
		let now = Self::now();
		ensure!(now >= pending.collect_until, Error::<T>::StillCollecting);
		let in_dispute = match &pending.status {
			BlockStatus::Disputed { added, .. } => added.contains(&who),
			_ => false,
		};
		ensure!(c.validators.contains(&who) || in_dispute, Error::<T>::NotAValidator);
		ensure!(
			!pending.results.iter().any(|(v, _)| *v == who),
			Error::<T>::ResultAlreadySubmitted
		);
		ensure!(
			c.settled.checked_add(total).is_some_and(|t| t <= c.budget),
			Error::<T>::ExceedsBudget
		);
		ensure!(
			result_hash
				== Self::expected_result_hash(campaign, block, &c, &pending, &payouts_root, total),
			Error::<T>::ResultHashMismatch
		);
		let posted = PostedResult { result_hash, payouts_root, total };
		pending
			.results
			.try_push((who.clone(), posted))
			.map_err(|_| Error::<T>::ResultAlreadySubmitted)?;
		Self::deposit_event(Event::ResultSubmitted {
			campaign,
			block,
			validator: who,
			result_hash,
		});

		// Charged for the worst path; refunded to the path taken.
		let mut actual = T::WeightInfo::submit_result_agreeing(c.validators.len() as u32);
		if matches!(pending.status, BlockStatus::Collecting) {
			if pending.results.iter().any(|(_, r)| r.result_hash != result_hash) {
				Self::open(campaign, block, &mut pending, None, None);
				actual = T::WeightInfo::submit_result_disputing();
			} else if pending.results.len() == c.validators.len() {
				let challenge_end = now.saturating_add(c.challenge_period);
				pending.status = BlockStatus::Agreed { challenge_end };
				Self::deposit_event(Event::BlockAgreed { campaign, block, challenge_end });
			}
		}
		if let Some(winner) = Self::supermajority_result(&c, &pending) {
			Self::settle(campaign, block, c, pending, Some(winner))?;
			return Ok(Some(T::WeightInfo::submit_result_resolving()).into());
		}
		Pending::<T>::insert(campaign, block, pending);
		Ok(Some(actual).into())
	}

	pub(crate) fn do_finalize(campaign: CampaignId, block: ChannelBlock) -> DispatchResult {
		let c = Campaigns::<T>::get(campaign).ok_or(Error::<T>::UnknownCampaign)?;
		let pending = Pending::<T>::get(campaign, block).ok_or(Error::<T>::NoOpenBlock)?;
		let BlockStatus::Agreed { challenge_end } = pending.status else {
			return Err(Error::<T>::NotAgreed.into());
		};
		ensure!(Self::now() >= challenge_end, Error::<T>::ChallengePeriodNotOver);
		let result = pending.results.first().map(|(_, r)| *r).ok_or(Error::<T>::NotAgreed)?;
		Self::settle(campaign, block, c, pending, Some(result))
	}

	pub fn channel(campaign: CampaignId, block: ChannelBlock) -> adx::Channel {
		adx::Channel { genesis: paratii_primitives::genesis_hash::<T>(), campaign, block }
	}

	/// The parts posted for a block, as [`adx::parts_digest`] takes them.
	pub fn parts_digest(pending: &PendingBlock<T>) -> [u8; 32] {
		let parts: Vec<([u8; 32], [u8; 32])> =
			pending.parts.iter().map(|p| (p.participant.clone().into(), p.part_hash.0)).collect();
		adx::parts_digest(&parts)
	}

	pub(crate) fn expected_result_hash(
		campaign: CampaignId,
		block: ChannelBlock,
		c: &Campaign<T>,
		pending: &PendingBlock<T>,
		payouts_root: &H256,
		total: u128,
	) -> H256 {
		H256(adx::result_hash(
			&Self::channel(campaign, block),
			&Self::parts_digest(pending),
			&c.balance_root.0,
			&payouts_root.0,
			total,
		))
	}

	/// Ends a pending block: `Some(result)` finalizes it (balance root, settled total,
	/// losers slashed), `None` discards it. Either way the next block opens.
	pub(crate) fn settle(
		campaign: CampaignId,
		block: ChannelBlock,
		mut c: Campaign<T>,
		pending: PendingBlock<T>,
		result: Option<PostedResult>,
	) -> DispatchResult {
		let now = Self::now();
		c.next_block = block.checked_add(1).ok_or(Error::<T>::Overflow)?;
		if let Some(result) = result {
			c.settled = c
				.settled
				.checked_add(result.total)
				.filter(|s| *s <= c.budget)
				.ok_or(Error::<T>::ExceedsBudget)?;
			c.balance_root = result.payouts_root;
			for (validator, posted) in &pending.results {
				if posted.result_hash != result.result_hash {
					Self::slash_validator(validator);
				}
			}
			Outcomes::<T>::insert(campaign, (block, Outcome::Finalized { result, at: now }));
			Self::deposit_event(Event::BlockFinalized {
				campaign,
				block,
				total: result.total,
				payouts_root: result.payouts_root,
			});
		} else {
			Outcomes::<T>::insert(campaign, (block, Outcome::Discarded { at: now }));
			Self::deposit_event(Event::BlockDiscarded { campaign, block });
		}
		if let BlockStatus::Disputed { added, disputer, challenged, .. } = pending.status {
			for v in &added {
				Self::assign(v, false);
			}
			if let Some((who, bond)) = disputer {
				let reason = HoldReason::DisputeBond.into();
				let lost = challenged.is_some() && challenged == result.map(|r| r.result_hash);
				if lost {
					let moved = T::Currency::transfer_on_hold(
						&reason,
						&who,
						&T::Fund::get(),
						bond,
						Precision::BestEffort,
						Restriction::Free,
						Fortitude::Force,
					)
					.unwrap_or_default();
					Self::deposit_event(Event::DisputerSlashed { disputer: who, amount: moved });
				} else {
					let _ = T::Currency::release(&reason, &who, bond, Precision::BestEffort);
				}
			}
		}
		Pending::<T>::remove(campaign, block);
		Campaigns::<T>::insert(campaign, c);
		Ok(())
	}

	/// Runs [`adx::process`] for a pending block with the parts fetched from their
	/// locations (in the order the chain lists them) and the cumulative earnings after
	/// the previous block: what a validator posts. Checks the parts against their
	/// hashes and `previous` against the balance root.
	pub fn process_block(
		campaign: CampaignId,
		block: ChannelBlock,
		previous: Vec<(AccountId32, u128)>,
		parts: Vec<Vec<adx::Message>>,
	) -> Result<adx::BlockOutput, runtime_api::ProcessBlockError> {
		use runtime_api::ProcessBlockError as E;
		let c = Campaigns::<T>::get(campaign).ok_or(E::UnknownCampaign)?;
		let pending = Pending::<T>::get(campaign, block).ok_or(E::NoOpenBlock)?;
		if parts.len() != pending.parts.len() {
			return Err(E::PartCount { expected: pending.parts.len() as u32 });
		}
		for (index, (part, posted)) in parts.iter().zip(pending.parts.iter()).enumerate() {
			if adx::part_hash(part) != posted.part_hash.0 {
				return Err(E::PartMismatch { index: index as u32 });
			}
		}
		let previous: Vec<([u8; 32], u128)> =
			previous.into_iter().map(|(a, v)| (a.into(), v)).collect();
		if H256(adx::payouts_root(&previous)) != c.balance_root {
			return Err(E::PreviousMismatch);
		}
		let terms = Self::terms(&c);
		let input = adx::BlockInput {
			channel: Self::channel(campaign, block),
			terms: &terms,
			remaining_budget: c.budget.saturating_sub(c.settled),
			parts_digest: Self::parts_digest(&pending),
			previous: &previous,
		};
		adx::process(&input, &parts, |signature, message, public| {
			sp_io::crypto::sr25519_verify(
				&sp_core::sr25519::Signature::from_raw(*signature),
				message,
				&sp_core::sr25519::Public::from_raw(*public),
			)
		})
		.map_err(E::Process)
	}
}
