//! The store: prices set by media owners, purchases split between the owner and the
//! redistribution fund, and the fund's share.

use crate::*;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::Mutate, tokens::Preservation},
};
use paratii_primitives::{MediaId, MediaOwnership};
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_set_price(
		who: T::AccountId,
		media_id: MediaId,
		price: Option<BalanceOf<T>>,
	) -> DispatchResult {
		let owner = T::Media::active_owner(media_id).ok_or(Error::<T>::MediaNotActive)?;
		ensure!(owner == who, Error::<T>::NotOwner);
		ensure!(price.is_none_or(|p| !p.is_zero()), Error::<T>::ZeroPrice);
		Prices::<T>::set(media_id, price);
		Self::deposit_event(Event::PriceSet { media_id, price });
		Ok(())
	}

	pub(crate) fn do_buy(
		buyer: T::AccountId,
		media_id: MediaId,
		max_price: BalanceOf<T>,
	) -> DispatchResult {
		let owner = T::Media::active_owner(media_id).ok_or(Error::<T>::MediaNotActive)?;
		ensure!(owner != buyer, Error::<T>::OwnMedia);
		let price = Prices::<T>::get(media_id).ok_or(Error::<T>::NotForSale)?;
		ensure!(price <= max_price, Error::<T>::PriceAboveMax);
		ensure!(!Purchases::<T>::contains_key(media_id, &buyer), Error::<T>::AlreadyPurchased);
		let to_fund = RedistributionShare::<T>::get().mul_floor(price);
		let to_owner = price.saturating_sub(to_fund);
		if !to_owner.is_zero() {
			T::Currency::transfer(&buyer, &owner, to_owner, Preservation::Preserve)?;
		}
		if !to_fund.is_zero() {
			T::Currency::transfer(&buyer, &T::Fund::get(), to_fund, Preservation::Preserve)?;
		}
		let block = frame_system::Pallet::<T>::block_number();
		Purchases::<T>::insert(media_id, &buyer, Purchase { price, block });
		Self::deposit_event(Event::Purchased { media_id, buyer, owner, price, to_owner, to_fund });
		Ok(())
	}

	pub(crate) fn do_set_redistribution_share(share: Perbill) -> DispatchResult {
		ensure!(share <= T::MaxRedistributionShare::get(), Error::<T>::ShareAboveMaximum);
		RedistributionShare::<T>::put(share);
		Self::deposit_event(Event::RedistributionShareSet { share });
		Ok(())
	}

	/// Called by the media pallet when a media item is deleted: its price goes with it
	/// (its purchases stay, as the record of what buyers paid).
	pub fn on_media_deleted(media_id: MediaId) {
		Prices::<T>::remove(media_id);
	}
}
