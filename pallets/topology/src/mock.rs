//! A minimal runtime for the topology pallet's tests.

use crate as pallet_topology;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Topology: pallet_topology,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// Blocks without a heartbeat before a cluster goes offline, in tests.
pub const TIMEOUT: u64 = 10;
/// Most clusters in tests.
pub const MAX_CLUSTERS: u32 = 4;

parameter_types! {
	pub const HeartbeatTimeout: u64 = TIMEOUT;
}

impl pallet_topology::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type AdminOrigin = EnsureRoot<u64>;
	type MaxClusters = ConstU32<MAX_CLUSTERS>;
	type MaxEndpointLen = ConstU32<64>;
	type HeartbeatTimeout = HeartbeatTimeout;
	type WeightInfo = ();
}

/// Externalities with no clusters, at block 1 (so events are recorded).
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Moves to block `n`, running `on_initialize` as a real block would.
pub fn run_to_block(n: u64) {
	use frame_support::traits::Hooks;
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Topology::on_initialize(next);
	}
}
