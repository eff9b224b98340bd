//! Allowances: ERC20-style `approve` and `transferFrom` over PTI (the EVM's precompile
//! calls these), each new allowance holding a deposit, and the EVM's way of moving value.

use crate::*;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		tokens::{Precision, Preservation},
	},
};
use sp_runtime::traits::{Bounded, CheckedAdd, Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// The allowance `spender` has from `owner` (`0` when none).
	pub fn allowance(owner: &T::AccountId, spender: &T::AccountId) -> BalanceOf<T> {
		Allowances::<T>::get(owner, spender).unwrap_or_default()
	}

	/// Sets `spender`'s allowance from `owner` to `amount` (ERC20 `approve`): holds
	/// the deposit for a new entry, releases it when `amount` is `0`.
	pub fn do_approve(
		owner: &T::AccountId,
		spender: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		let exists = Allowances::<T>::contains_key(owner, spender);
		if amount.is_zero() {
			if exists {
				Self::remove_allowance(owner, spender)?;
			}
		} else {
			if !exists {
				T::Currency::hold(
					&HoldReason::AllowanceDeposit.into(),
					owner,
					T::AllowanceDeposit::get(),
				)
				.map_err(|_| Error::<T>::CannotPayAllowanceDeposit)?;
			}
			Allowances::<T>::insert(owner, spender, amount);
		}
		Self::deposit_event(Event::Approval {
			owner: owner.clone(),
			spender: spender.clone(),
			amount,
		});
		Ok(())
	}

	/// Moves `amount` from `owner` to `to` under `spender`'s allowance (ERC20
	/// `transferFrom`), as [`Pallet::transfer_as_evm`] does: a new account's
	/// existential deposit is paid on top, and counted against the allowance. An
	/// allowance used up is removed and its deposit released; a maximal one is never
	/// decreased.
	pub fn do_transfer_approved(
		spender: &T::AccountId,
		owner: &T::AccountId,
		to: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		let allowance = Self::allowance(owner, spender);
		let needed = Self::evm_transfer_cost(to, amount)?;
		ensure!(allowance >= needed, Error::<T>::InsufficientAllowance);
		Self::transfer_as_evm(owner, to, amount)?;
		if allowance != BalanceOf::<T>::max_value() && !needed.is_zero() {
			let left = allowance.saturating_sub(needed);
			if left.is_zero() {
				Self::remove_allowance(owner, spender)?;
			} else {
				Allowances::<T>::insert(owner, spender, left);
			}
		}
		Self::deposit_event(Event::TransferredApproved {
			owner: owner.clone(),
			spender: spender.clone(),
			to: to.clone(),
			amount,
		});
		Ok(())
	}

	/// What moving `amount` to `to` takes from the sender: `amount`, plus the
	/// existential deposit when `to` has no PTI yet (nothing for `0`).
	pub fn evm_transfer_cost(
		to: &T::AccountId,
		amount: BalanceOf<T>,
	) -> Result<BalanceOf<T>, DispatchError> {
		if amount.is_zero() || !T::Currency::total_balance(to).is_zero() {
			return Ok(amount);
		}
		amount
			.checked_add(&T::Currency::minimum_balance())
			.ok_or_else(|| sp_runtime::ArithmeticError::Overflow.into())
	}

	/// Moves `amount` of PTI from `from` to `to` the way the chain's EVM moves value:
	/// the sender keeps its existential deposit, and pays a new account's on top, so
	/// that `to` gains exactly `amount` of spendable PTI (what `eth_getBalance` and
	/// the ERC20 `balanceOf` show). Returns what left `from`.
	pub fn transfer_as_evm(
		from: &T::AccountId,
		to: &T::AccountId,
		amount: BalanceOf<T>,
	) -> Result<BalanceOf<T>, DispatchError> {
		let cost = Self::evm_transfer_cost(to, amount)?;
		if !cost.is_zero() {
			T::Currency::transfer(from, to, cost, Preservation::Preserve)?;
		}
		Ok(cost)
	}

	pub(crate) fn remove_allowance(owner: &T::AccountId, spender: &T::AccountId) -> DispatchResult {
		Allowances::<T>::remove(owner, spender);
		T::Currency::release(
			&HoldReason::AllowanceDeposit.into(),
			owner,
			T::AllowanceDeposit::get(),
			Precision::BestEffort,
		)?;
		Ok(())
	}
}
