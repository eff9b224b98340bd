//! Bootstrap weights for `pallet_topology`, replaced by `scripts/benchmark.sh` output.

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions of `pallet_topology`'s calls and hooks.
pub trait WeightInfo {
	fn register_cluster() -> Weight;
	fn heartbeat() -> Weight;
	fn set_cluster_status() -> Weight;
	fn rotate_key() -> Weight;
	fn on_initialize_idle() -> Weight;
	fn on_initialize_offline(c: u32) -> Weight;
}

/// Measured weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_cluster() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(3, 5))
	}
	fn heartbeat() -> Weight {
		Weight::from_parts(30_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(2, 2))
	}
	fn set_cluster_status() -> Weight {
		Weight::from_parts(30_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(2, 3))
	}
	fn rotate_key() -> Weight {
		Weight::from_parts(30_000_000, 4000).saturating_add(T::DbWeight::get().reads_writes(2, 3))
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(5_000_000, 2000).saturating_add(T::DbWeight::get().reads(1))
	}
	fn on_initialize_offline(c: u32) -> Weight {
		Weight::from_parts(20_000_000, 2000)
			.saturating_add(Weight::from_parts(10_000_000, 600).saturating_mul(c.into()))
			.saturating_add(T::DbWeight::get().reads_writes(2, 3))
			.saturating_add(T::DbWeight::get().reads_writes(c.into(), c.into()))
	}
}

impl WeightInfo for () {
	fn register_cluster() -> Weight {
		Weight::from_parts(50_000_000, 4000).saturating_add(RocksDbWeight::get().reads_writes(3, 5))
	}
	fn heartbeat() -> Weight {
		Weight::from_parts(30_000_000, 4000)
	}
	fn set_cluster_status() -> Weight {
		Weight::from_parts(30_000_000, 4000)
	}
	fn rotate_key() -> Weight {
		Weight::from_parts(30_000_000, 4000)
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(5_000_000, 2000)
	}
	fn on_initialize_offline(c: u32) -> Weight {
		Weight::from_parts(20_000_000, 2000).saturating_mul(c.into())
	}
}
