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
	[pallet_pti, Pti]
	[pallet_bridge, Bridge]
	[pallet_ad_exchange, AdExchange]
	[pallet_micropay, Micropay]
	[pallet_treasury, Treasury]
	[pallet_consortium, Consortium]
);

use super::{AccountId, SessionKeys};
pub use super::{
	AdExchange, Balances, Bridge, Consortium, Media, Micropay, Pti, Runtime, Sudo, Timestamp,
	Topology, Treasury, Users,
};

/// Gives benchmark accounts session keys (storage only: the benchmarks need
/// `session.setKeys` to have happened, not real keys).
pub struct ConsortiumBenchmarkHelper;

impl pallet_consortium::BenchmarkHelper<AccountId> for ConsortiumBenchmarkHelper {
	fn register_session_keys(who: &AccountId) {
		let raw: [u8; 32] = *who.as_ref();
		let mut beefy = [2u8; 33];
		beefy[1..].copy_from_slice(&raw);
		let keys = SessionKeys {
			aura: sp_core::sr25519::Public::from_raw(raw).into(),
			grandpa: sp_core::ed25519::Public::from_raw(raw).into(),
			beefy: sp_core::ecdsa::Public::from_raw(beefy).into(),
		};
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}
}
pub use frame_benchmarking::baseline::Pallet as BaselineBench;
pub use frame_system_benchmarking::Pallet as SystemBench;
