//! Weights for `pallet_pti` — a first estimate until `scripts/benchmark.sh pallet_pti`
//! regenerates this file from the benchmarks (it overwrites it).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::RocksDbWeight, Weight}};

/// Weight functions of `pallet_pti`'s calls.
pub trait WeightInfo {
	fn set_price() -> Weight;
	fn buy() -> Weight;
	fn set_redistribution_share() -> Weight;
	fn set_distributor() -> Weight;
	fn claim() -> Weight;
	fn prune_claim() -> Weight;
	fn create_voucher() -> Weight;
	fn redeem_voucher() -> Weight;
	fn cancel_voucher() -> Weight;
}

/// Measured weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_price() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
	}
	fn buy() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn set_redistribution_share() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(T::DbWeight::get().reads(0_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn set_distributor() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(T::DbWeight::get().reads(0_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn claim() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn prune_claim() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn create_voucher() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn redeem_voucher() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn cancel_voucher() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
}

// For tests.
impl WeightInfo for () {
	fn set_price() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(0_u64))
	}
	fn buy() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn set_redistribution_share() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(RocksDbWeight::get().reads(0_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn set_distributor() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(RocksDbWeight::get().reads(0_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn claim() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn prune_claim() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn create_voucher() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn redeem_voucher() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn cancel_voucher() -> Weight {
		Weight::from_parts(1_000_000_000, 8000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
}
