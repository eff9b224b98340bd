//! Bootstrap weights for `pallet_users`, replaced by `scripts/benchmark.sh` output.

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions of `pallet_users`'s calls.
pub trait WeightInfo {
	fn register() -> Weight;
	fn update_profile() -> Weight;
	fn unregister() -> Weight;
	fn react() -> Weight;
	fn flag() -> Weight;
	fn record_view() -> Weight;
	fn add_view_recorder() -> Weight;
	fn remove_view_recorder() -> Weight;
}

/// Measured weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn update_profile() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn unregister() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn react() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn flag() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn record_view() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn add_view_recorder() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn remove_view_recorder() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
}

impl WeightInfo for () {
	fn register() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
	fn update_profile() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
	fn unregister() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
	fn react() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
	fn flag() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
	fn record_view() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
	fn add_view_recorder() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
	fn remove_view_recorder() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
}
