//! Bootstrap weights for `pallet_media`, replaced by `scripts/benchmark.sh` output.

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions of `pallet_media`'s calls.
pub trait WeightInfo {
	fn register_media(o: u32, r: u32) -> Weight;
	fn delete_media() -> Weight;
	fn add_receipts(r: u32) -> Weight;
}

/// Measured weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_media(o: u32, r: u32) -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(Weight::from_parts(60_000_000, 3000).saturating_mul(o.into()))
			.saturating_add(Weight::from_parts(200_000_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads_writes(5, 6))
	}
	fn delete_media() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(1, 2))
	}
	fn add_receipts(r: u32) -> Weight {
		Weight::from_parts(80_000_000, 10_000)
			.saturating_add(Weight::from_parts(60_000_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads_writes(3, 1))
	}
}

impl WeightInfo for () {
	fn register_media(o: u32, r: u32) -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(Weight::from_parts(60_000_000, 3000).saturating_mul(o.into()))
			.saturating_add(Weight::from_parts(200_000_000, 0).saturating_mul(r.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(5, 6))
	}
	fn delete_media() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 2))
	}
	fn add_receipts(r: u32) -> Weight {
		Weight::from_parts(80_000_000, 10_000)
			.saturating_add(Weight::from_parts(60_000_000, 0).saturating_mul(r.into()))
			.saturating_add(RocksDbWeight::get().reads_writes(3, 1))
	}
}
