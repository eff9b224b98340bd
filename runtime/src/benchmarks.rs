//! The pallets `paratii-node benchmark pallet` measures; their results become the
//! pallets' `weights.rs`.

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_topology, Topology]
	[pallet_users, Users]
	[pallet_media, Media]
);

pub use super::{Balances, Media, Runtime, Sudo, Timestamp, Topology, Users};
pub use frame_benchmarking::baseline::Pallet as BaselineBench;
pub use frame_system_benchmarking::Pallet as SystemBench;
