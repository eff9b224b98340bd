//! `MediaApi`: read access to media and their proofs of existence.

use crate::{MediaView, ProofOfExistence};
use alloc::vec::Vec;
use codec::Codec;
use paratii_primitives::MediaId;
use sp_core::H256;

sp_api::decl_runtime_apis! {
	/// Media and proofs of existence.
	pub trait MediaApi<AccountId, BlockNumber>
	where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// A media item, deleted ones included (their status says so).
		fn media(id: MediaId) -> Option<MediaView<AccountId, BlockNumber>>;
		/// The media item one of whose objects has this content hash.
		fn media_by_hash(content_hash: H256) -> Option<MediaId>;
		/// The ids of `owner`'s media in registration order, from position `start`, at
		/// most `limit` (capped at 100) of them.
		fn media_of_owner(owner: AccountId, start: u32, limit: u32) -> Vec<MediaId>;
		/// Active media whose title is exactly `title` (at most 100).
		fn media_by_title(title: Vec<u8>) -> Vec<MediaId>;
		/// Who registered the content with this hash, when, and where it is stored.
		fn proof_of_existence(content_hash: H256) -> Option<ProofOfExistence<AccountId, BlockNumber>>;
	}
}
