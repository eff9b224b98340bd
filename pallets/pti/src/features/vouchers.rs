//! Vouchers: PTI set aside in the vouchers pot for a code's key, redeemed to whoever the
//! key signs for, or cancelled back to the fund after expiry.

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
use sp_runtime::traits::AccountIdConversion;

impl<T: Config> Pallet<T> {
	/// `create_voucher` for governance (`None`) or the distributor's account (`Some`, its
	/// amount counted against the distribution cap).
	pub(crate) fn do_create_voucher(
		distributor: Option<T::AccountId>,
		key: sr25519::Public,
		amount: BalanceOf<T>,
		expires_at: BlockNumberFor<T>,
	) -> DispatchResult {
		let capped = distributor.is_some();
		if let Some(who) = distributor {
			let distributor = CurrentDistributor::<T>::get().ok_or(Error::<T>::NotDistributor)?;
			ensure!(distributor.account == who, Error::<T>::NotDistributor);
		}
		ensure!(!Vouchers::<T>::contains_key(key), Error::<T>::VoucherExists);
		Self::check_expiry(expires_at)?;
		ensure!(amount >= T::Currency::minimum_balance(), Error::<T>::BelowExistentialDeposit);
		if capped {
			Self::ensure_within_cap(amount)?;
		}
		T::Currency::transfer(
			&T::Fund::get(),
			&Self::vouchers_pot(),
			amount,
			Preservation::Preserve,
		)
		.map_err(|_| Error::<T>::FundTooSmall)?;
		if capped {
			Self::note_distributed(amount);
		}
		Vouchers::<T>::insert(key, Voucher { amount, expires_at, status: VoucherStatus::Active });
		Self::deposit_event(Event::VoucherCreated { key, amount, expires_at });
		Ok(())
	}

	pub(crate) fn do_redeem_voucher(
		key: sr25519::Public,
		beneficiary: T::AccountId,
		signature: sr25519::Signature,
	) -> DispatchResult {
		let voucher = Self::check_redemption(&key, &beneficiary, &signature)?;
		T::Currency::transfer(
			&Self::vouchers_pot(),
			&beneficiary,
			voucher.amount,
			Preservation::Expendable,
		)?;
		let at = Self::now();
		Vouchers::<T>::insert(
			key,
			Voucher {
				status: VoucherStatus::Redeemed { beneficiary: beneficiary.clone(), at },
				..voucher.clone()
			},
		);
		Self::deposit_event(Event::VoucherRedeemed { key, beneficiary, amount: voucher.amount });
		Ok(())
	}

	pub(crate) fn do_cancel_voucher(key: sr25519::Public) -> DispatchResult {
		let voucher = Vouchers::<T>::get(key).ok_or(Error::<T>::UnknownVoucher)?;
		Self::ensure_active(&voucher)?;
		let at = Self::now();
		ensure!(at > voucher.expires_at, Error::<T>::NotExpired);
		T::Currency::transfer(
			&Self::vouchers_pot(),
			&T::Fund::get(),
			voucher.amount,
			Preservation::Expendable,
		)?;
		Vouchers::<T>::insert(
			key,
			Voucher { status: VoucherStatus::Cancelled { at }, ..voucher.clone() },
		);
		Self::deposit_event(Event::VoucherCancelled { key, amount: voucher.amount });
		Ok(())
	}

	/// The pot that holds the amounts of active vouchers.
	pub fn vouchers_pot() -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating(b"vouchers")
	}

	/// The bytes a voucher's key signs to redeem it to `beneficiary`.
	pub fn voucher_message(key: &sr25519::Public, beneficiary: &T::AccountId) -> Vec<u8> {
		(VOUCHER_TAG, paratii_primitives::genesis_hash::<T>(), key, beneficiary).encode()
	}

	pub(crate) fn ensure_active(voucher: &VoucherOf<T>) -> DispatchResult {
		match voucher.status {
			VoucherStatus::Active => Ok(()),
			VoucherStatus::Redeemed { .. } => Err(Error::<T>::AlreadyRedeemed.into()),
			VoucherStatus::Cancelled { .. } => Err(Error::<T>::AlreadyCancelled.into()),
		}
	}

	/// Everything `redeem_voucher` checks before paying; the voucher.
	pub(crate) fn check_redemption(
		key: &sr25519::Public,
		beneficiary: &T::AccountId,
		signature: &sr25519::Signature,
	) -> Result<VoucherOf<T>, DispatchError> {
		let voucher = Vouchers::<T>::get(key).ok_or(Error::<T>::UnknownVoucher)?;
		ensure!(
			sp_io::crypto::sr25519_verify(signature, &Self::voucher_message(key, beneficiary), key),
			Error::<T>::BadVoucherSignature
		);
		Self::ensure_active(&voucher)?;
		ensure!(Self::now() <= voucher.expires_at, Error::<T>::Expired);
		Ok(voucher)
	}
}
