//! Types of the topology pallet.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use paratii_primitives::{ClusterId, ClusterKey};
use scale_info::TypeInfo;

/// Where a cluster is in its lifecycle.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum ClusterStatus {
	/// Up and taking new objects.
	Active,
	/// Missed heartbeats for `HeartbeatTimeout` blocks; back to `Active` on the next one.
	Offline,
	/// Up, keeps serving what it has, takes no new objects (set by the admin).
	Draining,
	/// Gone for good (set by the admin; final).
	Retired,
}

/// A storage cluster as stored on chain.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct ClusterInfo<AccountId, BlockNumber, Endpoint> {
	/// The account that runs the cluster and sends its heartbeats.
	pub operator: AccountId,
	/// The ed25519 key that signs the cluster's storage receipts.
	pub public_key: ClusterKey,
	/// Where the gateway reaches the cluster (a URL).
	pub endpoint: Endpoint,
	/// Bytes the cluster offers.
	pub capacity_bytes: u64,
	/// Bytes in use, as of the last heartbeat.
	pub used_bytes: u64,
	/// Lifecycle status.
	pub status: ClusterStatus,
	/// Block of registration.
	pub registered_at: BlockNumber,
	/// Block of the last heartbeat (or registration / re-activation).
	pub last_heartbeat: BlockNumber,
}

/// A cluster as the runtime API returns it: with its id, the endpoint as plain bytes.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct ClusterView<AccountId, BlockNumber> {
	pub id: ClusterId,
	pub operator: AccountId,
	pub public_key: ClusterKey,
	pub endpoint: Vec<u8>,
	pub capacity_bytes: u64,
	pub used_bytes: u64,
	pub status: ClusterStatus,
	pub registered_at: BlockNumber,
	pub last_heartbeat: BlockNumber,
}

impl<AccountId: Clone, BlockNumber: Copy, Endpoint: AsRef<[u8]>>
	ClusterInfo<AccountId, BlockNumber, Endpoint>
{
	/// This cluster as the runtime API shows it.
	pub fn view(&self, id: ClusterId) -> ClusterView<AccountId, BlockNumber> {
		ClusterView {
			id,
			operator: self.operator.clone(),
			public_key: self.public_key,
			endpoint: self.endpoint.as_ref().to_vec(),
			capacity_bytes: self.capacity_bytes,
			used_bytes: self.used_bytes,
			status: self.status,
			registered_at: self.registered_at,
			last_heartbeat: self.last_heartbeat,
		}
	}
}
