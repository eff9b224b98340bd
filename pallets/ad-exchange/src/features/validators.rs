//! The validator registry: applying with a bond, admission by governance, leaving and
//! withdrawing the bond, the assignments that keep a bond held, and slashing.

use crate::*;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{InspectHold, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
	},
};
use sp_runtime::{traits::Saturating, AccountId32};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_register_validator(who: AccountId32) -> DispatchResult {
		ensure!(!Validators::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
		let bond = T::ValidatorBond::get();
		T::Currency::hold(&HoldReason::ValidatorBond.into(), &who, bond)
			.map_err(|_| Error::<T>::CannotPayBond)?;
		Validators::<T>::insert(&who, ValidatorInfo { assignments: 0, unbonding_since: None });
		Self::deposit_event(Event::ValidatorRegistered { validator: who, bond });
		Ok(())
	}

	pub(crate) fn do_unregister_validator(who: AccountId32) -> DispatchResult {
		Validators::<T>::try_mutate(&who, |info| {
			let info = info.as_mut().ok_or(Error::<T>::NotRegistered)?;
			ensure!(info.unbonding_since.is_none(), Error::<T>::NotRegistered);
			info.unbonding_since = Some(Self::now());
			Ok::<_, DispatchError>(())
		})?;
		Self::remove_from_registry(&who);
		Self::deposit_event(Event::ValidatorUnbonding { validator: who });
		Ok(())
	}

	pub(crate) fn do_withdraw_bond(who: AccountId32) -> DispatchResult {
		let info = Validators::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
		let since = info.unbonding_since.ok_or(Error::<T>::NotUnbonding)?;
		ensure!(
			Self::now() >= since.saturating_add(T::UnbondingPeriod::get()),
			Error::<T>::StillUnbonding
		);
		ensure!(info.assignments == 0, Error::<T>::StillAssigned);
		let reason = HoldReason::ValidatorBond.into();
		let amount = T::Currency::balance_on_hold(&reason, &who);
		T::Currency::release(&reason, &who, amount, Precision::Exact)?;
		Validators::<T>::remove(&who);
		Self::deposit_event(Event::BondWithdrawn { validator: who, amount });
		Ok(())
	}

	pub(crate) fn do_admit_validator(validator: AccountId32) -> DispatchResult {
		let info = Validators::<T>::get(&validator).ok_or(Error::<T>::NotApplied)?;
		ensure!(info.unbonding_since.is_none(), Error::<T>::NotApplied);
		ensure!(
			T::Currency::balance_on_hold(&HoldReason::ValidatorBond.into(), &validator)
				>= T::ValidatorBond::get(),
			Error::<T>::BondBelowMinimum
		);
		let mut registry = Registry::<T>::get();
		let at = registry.binary_search(&validator).err().ok_or(Error::<T>::AlreadyAdmitted)?;
		registry.try_insert(at, validator.clone()).map_err(|_| Error::<T>::RegistryFull)?;
		Registry::<T>::put(registry);
		Self::deposit_event(Event::ValidatorAdmitted { validator });
		Ok(())
	}

	/// Counts a campaign or dispute that needs `validator` (or one that no longer does).
	pub(crate) fn assign(validator: &AccountId32, add: bool) {
		Validators::<T>::mutate(validator, |info| {
			if let Some(info) = info {
				info.assignments = if add {
					info.assignments.saturating_add(1)
				} else {
					info.assignments.saturating_sub(1)
				};
			}
		});
	}

	pub(crate) fn remove_from_registry(who: &AccountId32) {
		Registry::<T>::mutate(|r| {
			if let Ok(i) = r.binary_search(who) {
				r.remove(i);
			}
		});
	}

	/// Moves `SlashFraction` of a validator's bond to the fund; a validator left with
	/// less than `ValidatorBond` leaves the registry.
	pub(crate) fn slash_validator(validator: &AccountId32) {
		let reason = HoldReason::ValidatorBond.into();
		let held = T::Currency::balance_on_hold(&reason, validator);
		let amount = T::SlashFraction::get() * held;
		let moved = T::Currency::transfer_on_hold(
			&reason,
			validator,
			&T::Fund::get(),
			amount,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)
		.unwrap_or_default();
		if held.saturating_sub(moved) < T::ValidatorBond::get() {
			Self::remove_from_registry(validator);
		}
		Self::deposit_event(Event::ValidatorSlashed {
			validator: validator.clone(),
			amount: moved,
		});
	}
}
