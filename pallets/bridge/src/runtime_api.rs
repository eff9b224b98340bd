//! `BridgeApi`: proofs that tie a media item to the MMR leaf the Ethereum contract checks.

use crate::MediaProof;
use codec::Codec;
use paratii_primitives::MediaId;

sp_api::decl_runtime_apis! {
	/// Media proofs for the Ethereum bridge.
	pub trait BridgeApi<BlockNumber>
	where
		BlockNumber: Codec,
	{
		/// The proof of `media_id` (any media item ever registered, deleted ones too):
		/// its leaf and path to the media root of its block, whose MMR leaf is that of
		/// `mmr_leaf_block`. `None` for an unknown id.
		fn media_proof(media_id: MediaId) -> Option<MediaProof<BlockNumber>>;
	}
}
