//! The media domain: storage clusters (Topology), users (Users), proofs of existence
//! (Media).

use frame_support::{
	parameter_types,
	traits::{ConstU32, ConstU64},
};

use super::consortium::CouncilTwoThirdsOrRoot;
use super::revive::{deposit, DepositPerByte, DepositPerItem};

use super::*;

parameter_types! {
	/// A cluster silent for an hour (1,200 three-second blocks) goes offline.
	pub const HeartbeatTimeout: BlockNumber = HOURS;
	/// PTI held from every registered user, returned when they unregister.
	pub const UserDeposit: Balance = PTI;
	/// Held per standing like or dislike: one storage entry of about 64 bytes.
	pub const ReactionDeposit: Balance = deposit(1, 64);
	/// Held per standing flag: one entry with a reason of up to 256 bytes.
	pub const FlagDeposit: Balance = deposit(1, 64 + 256);
	/// A viewer counts once per media item per hour.
	pub const ViewWindow: BlockNumber = HOURS;
}

impl pallet_topology::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AdminOrigin = CouncilTwoThirdsOrRoot;
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
	type ReactionDeposit = ReactionDeposit;
	type FlagDeposit = FlagDeposit;
	type MaxViewBatch = ConstU32<128>;
	type MaxViewsPerBlock = ConstU32<1024>;
	type ViewWindow = ViewWindow;
	type AdminOrigin = CouncilTwoThirdsOrRoot;
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
	// A receipt proves the cluster held the bytes when it signed: taken for an hour
	// (ample between an upload and its registration; the gateway asks again after),
	// and up to two minutes ahead of the block's time for the clusters' clocks.
	type ReceiptLifetime = ConstU64<{ 60 * 60 * 1000 }>;
	type ReceiptClockSkew = ConstU64<{ 2 * 60 * 1000 }>;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	// The storage-deposit prices of the EVM (revive.rs): one for all on-chain storage.
	type DepositPerItem = DepositPerItem;
	type DepositPerByte = DepositPerByte;
	// Each registration's leaf in the block's media root (the Ethereum bridge).
	type OnRegistered = Bridge;
	// A deleted item's price goes with it (the PTI store).
	type OnDeleted = RemovePrice;
	type WeightInfo = pallet_media::weights::SubstrateWeight<Runtime>;
}

/// Removes a deleted media item's price from the PTI store, so that a deleted item leaves
/// no sale behind (its purchases stay, as the record of what buyers paid).
pub struct RemovePrice;
impl pallet_media::OnMediaDeleted for RemovePrice {
	fn on_media_deleted(media_id: paratii_primitives::MediaId) {
		pallet_pti::Pallet::<Runtime>::on_media_deleted(media_id);
	}
	fn weight() -> frame_support::weights::Weight {
		// One storage removal, `Pti::Prices`.
		<Runtime as frame_system::Config>::DbWeight::get().writes(1)
	}
}

parameter_types! {
	/// Most media one block may register: 8,192 leaf hashes (256 KiB) at most in
	/// `bridge.BlockLeaves`, far above what a block's weight admits today.
	pub const MaxMediaPerBlock: u32 = 8_192;
}

impl pallet_bridge::Config for Runtime {
	type Media = Media;
	type MaxMediaPerBlock = MaxMediaPerBlock;
	type WeightInfo = pallet_bridge::weights::SubstrateWeight<Runtime>;
}
