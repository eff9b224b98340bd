//! `TopologyApi`: the placement ring, for the gateway and wallets.

use crate::ClusterView;
use alloc::vec::Vec;
use codec::Codec;
use paratii_primitives::RingEpoch;

sp_api::decl_runtime_apis! {
	/// Storage-cluster topology.
	pub trait TopologyApi<AccountId, BlockNumber>
	where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// The current ring epoch and its active clusters, in id order. Placement
		/// (`paratii_primitives::placement::place`) runs over their ids.
		fn ring() -> (RingEpoch, Vec<ClusterView<AccountId, BlockNumber>>);
	}
}
