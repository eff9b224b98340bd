//! Benchmarks of the consortium pallet, at the largest validator set.

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{EnsureOrigin, Get, ValidatorRegistration};
use frame_system::pallet_prelude::BlockNumberFor;

/// Fills the validator set with `n` accounts that have session keys.
fn validators<T: Config>(n: u32) -> Vec<T::AccountId> {
	let mut set: Vec<T::AccountId> = (0..n).map(|i| account("validator", i, 0)).collect();
	for who in &set {
		T::BenchmarkHelper::register_session_keys(who);
	}
	set.sort();
	Validators::<T>::put(ValidatorsOf::<T>::try_from(set.clone()).expect("n <= MaxValidators"));
	set
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `v`: validators before the call.
	#[benchmark]
	fn add_validator(v: Linear<1, { T::MaxValidators::get() - 1 }>) -> Result<(), BenchmarkError> {
		validators::<T>(v);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let who: T::AccountId = account("candidate", 0, 0);
		T::BenchmarkHelper::register_session_keys(&who);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(Validators::<T>::get().contains(&who));
		Ok(())
	}

	/// `v`: validators before the call.
	#[benchmark]
	fn remove_validator(
		v: Linear<{ T::MinValidators::get() + 1 }, { T::MaxValidators::get() }>,
	) -> Result<(), BenchmarkError> {
		let set = validators::<T>(v);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		// The first one: the whole tail of the set moves.
		let who = set[0].clone();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(!Validators::<T>::get().contains(&who));
		Ok(())
	}

	#[benchmark]
	fn set_session_period() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let period: BlockNumberFor<T> = T::MinSessionPeriod::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, period);

		assert_eq!(SessionPeriod::<T>::get(), period);
		Ok(())
	}

	#[benchmark]
	fn force_new_session() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin);

		assert_eq!(
			NextSessionAt::<T>::get(),
			frame_system::Pallet::<T>::block_number() + 1u32.into()
		);
		Ok(())
	}

	#[benchmark]
	fn set_min_validators() -> Result<(), BenchmarkError> {
		validators::<T>(T::MaxValidators::get());
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, T::MaxValidators::get());

		assert_eq!(MinimumValidators::<T>::get(), T::MaxValidators::get());
		Ok(())
	}

	/// A former validator removes its keys; the set is full, so the membership check
	/// searches the largest set.
	#[benchmark]
	fn purge_keys() {
		validators::<T>(T::MaxValidators::get());
		let who: T::AccountId = account("former", 0, 0);
		T::BenchmarkHelper::register_session_keys(&who);

		#[extrinsic_call]
		_(frame_system::RawOrigin::Signed(who.clone()));

		assert!(!T::ValidatorRegistration::is_registered(&who));
	}

	/// The bookkeeping `pallet-authorship` triggers in every block.
	#[benchmark]
	fn note_author() {
		let who: T::AccountId = account("validator", 0, 0);
		AuthoredBlocks::<T>::insert(&who, 1);

		#[block]
		{
			<Pallet<T> as pallet_authorship::EventHandler<_, _>>::note_author(who.clone());
		}

		assert_eq!(AuthoredBlocks::<T>::get(&who), 2);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
