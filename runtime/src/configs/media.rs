//! The media domain: storage clusters (Topology), users (Users), proofs of existence
//! (Media).

use frame_support::{parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;

use super::*;

parameter_types! {
	/// A cluster silent for an hour (600 six-second blocks) goes offline.
	pub const HeartbeatTimeout: BlockNumber = HOURS;
	/// PTI held from every registered user, returned when they unregister.
	pub const UserDeposit: Balance = PTI;
}

impl pallet_topology::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	// The council replaces root when the consortium pallet lands.
	type AdminOrigin = EnsureRoot<AccountId>;
	type MaxClusters = ConstU32<256>;
	type MaxEndpointLen = ConstU32<256>;
	type HeartbeatTimeout = HeartbeatTimeout;
	type WeightInfo = pallet_topology::weights::SubstrateWeight<Runtime>;
}

impl pallet_users::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type UserDeposit = UserDeposit;
	type MaxNameLen = ConstU32<64>;
	type MaxProfileCidLen = ConstU32<128>;
	type MaxFlagReasonLen = ConstU32<256>;
	type FlagThreshold = ConstU32<5>;
	type AdminOrigin = EnsureRoot<AccountId>;
	type Media = Media;
	type WeightInfo = pallet_users::weights::SubstrateWeight<Runtime>;
}

/// Every object must be stored on this many distinct active clusters.
pub const REPLICATION_FACTOR: u32 = 2;

impl pallet_media::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Users = Users;
	type Clusters = Topology;
	type Time = Timestamp;
	type ReplicationFactor = ConstU32<REPLICATION_FACTOR>;
	type MaxObjects = ConstU32<16>;
	type MaxReceipts = ConstU32<8>;
	type MaxTitleLen = ConstU32<128>;
	type MaxLabelLen = ConstU32<32>;
	type WeightInfo = pallet_media::weights::SubstrateWeight<Runtime>;
}
