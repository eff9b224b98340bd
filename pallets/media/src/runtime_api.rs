//! `MediaApi`: read access to media and their proofs of existence.

use crate::{MediaView, ProofOfExistence};
use codec::Codec;
use paratii_primitives::MediaId;
use sp_core::H256;

sp_api::decl_runtime_apis! {
	/// Media and proofs of existence. Version 2 dropped `media_of_owner` and
	/// `media_by_title`: lists by owner and title search are `paratii-indexer`'s.
	#[api_version(2)]
	pub trait MediaApi<AccountId, BlockNumber>
	where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// A media item, deleted ones included (their status says so).
		fn media(id: MediaId) -> Option<MediaView<AccountId, BlockNumber>>;
		/// The media item one of whose objects has this content hash.
		fn media_by_hash(content_hash: H256) -> Option<MediaId>;
		/// Who registered the content with this hash, when, and where it is stored.
		fn proof_of_existence(content_hash: H256) -> Option<ProofOfExistence<AccountId, BlockNumber>>;
	}
}
