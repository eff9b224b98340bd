//! Benchmarks of the bridge pallet's hooks at their bounds.

use super::*;
use crate::Pallet as Bridge;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{Get, Hooks},
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_media::OnMediaRegistered;

fn leaves<T: Config>(n: u32) -> BoundedVec<H256, T::MaxMediaPerBlock> {
	BoundedVec::truncate_from((0..n).map(|i| leaf_hash(&i.to_le_bytes())).collect())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Appending a registration's leaf to a block that is one short of full.
	#[benchmark]
	fn note_media() {
		let max = T::MaxMediaPerBlock::get();
		BlockLeaves::<T>::put(leaves::<T>(max.saturating_sub(1)));
		let owner: T::AccountId = account("owner", 0, 0);

		#[block]
		{
			Bridge::<T>::on_media_registered(0, &H256::repeat_byte(1), &owner)
				.expect("one place is left");
		}

		assert_eq!(BlockLeaves::<T>::get().len() as u32, max);
	}

	/// The media root of a block of `n` media items.
	#[benchmark]
	fn on_finalize(n: Linear<0, { T::MaxMediaPerBlock::get() }>) {
		BlockLeaves::<T>::put(leaves::<T>(n));

		#[block]
		{
			Bridge::<T>::on_finalize(BlockNumberFor::<T>::from(1u32));
		}

		assert_eq!(MediaRoot::<T>::get(), media_root(leaves::<T>(n)));
	}

	impl_benchmark_test_suite!(Bridge, crate::mock::new_test_ext(), crate::mock::Test);
}
