//! Types of the media pallet.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use paratii_primitives::{ClusterId, MediaId, SignatureBytes};
use scale_info::TypeInfo;
use sp_core::H256;

/// What an object of a media item is.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum ObjectKind<Label> {
	/// The uploaded file. Every media item has exactly one.
	Original,
	/// A scaled-down picture.
	Thumbnail { width: u32, height: u32 },
	/// Another encoding of the original, e.g. `"720p"`.
	Transcoded { label: Label },
	/// The SHA-256 of each [`paratii_primitives::CHUNK_BYTES`] of the original,
	/// concatenated: what lets a gateway verify the original chunk by chunk as it
	/// streams it (and a range of it), before it has the whole. At most one per item;
	/// its size is [`paratii_primitives::chunk_hashes_len`] of the original's.
	ChunkHashes,
}

/// A storage cluster's signed statement that it durably stores an object: an
/// ed25519 signature over [`paratii_primitives::receipt_message`], made at `issued_at`.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct StorageReceipt {
	pub cluster: ClusterId,
	/// When the cluster signed it (Unix milliseconds, by the cluster's clock).
	pub issued_at: u64,
	pub signature: SignatureBytes,
}

/// An object as submitted in `register_media`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct ObjectInput {
	pub kind: ObjectKind<Vec<u8>>,
	/// SHA-256 of the object's bytes (the digest of its IPFS CIDv1, raw codec).
	pub content_hash: H256,
	/// Size in bytes.
	pub size: u64,
	/// Receipts from at least `ReplicationFactor` distinct active clusters.
	pub receipts: Vec<StorageReceipt>,
}

/// An object as stored: the receipts verified, the clusters that hold it kept.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct MediaObject<Label, Clusters> {
	pub kind: ObjectKind<Label>,
	pub content_hash: H256,
	pub size: u64,
	/// Clusters whose receipts the chain verified.
	pub clusters: Clusters,
}

/// Whether a media item is live.
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
pub enum MediaStatus {
	Active,
	/// Deleted by its owner; the record stays as a tombstone, the proof that the
	/// content existed and who registered it when.
	Deleted,
}

/// A media item as stored.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct MediaRecord<AccountId, BlockNumber, Title, Objects, Balance> {
	pub owner: AccountId,
	pub title: Title,
	/// `(latitude, longitude)` in microdegrees.
	pub location: Option<(i32, i32)>,
	/// When the media was captured, as the owner says (Unix milliseconds).
	pub captured_at: Option<u64>,
	pub objects: Objects,
	pub status: MediaStatus,
	/// The block that registered it: the proof of existence's time, on chain.
	pub registered_at: BlockNumber,
	/// That block's timestamp (Unix milliseconds).
	pub registered_at_ms: u64,
	/// The storage deposit held from the owner for this record.
	pub deposit: Balance,
}

/// An object as the runtime API returns it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct ObjectView {
	pub kind: ObjectKind<Vec<u8>>,
	pub content_hash: H256,
	pub size: u64,
	pub clusters: Vec<ClusterId>,
}

/// A media item as the runtime API returns it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct MediaView<AccountId, BlockNumber> {
	pub id: MediaId,
	pub owner: AccountId,
	pub title: Vec<u8>,
	pub location: Option<(i32, i32)>,
	pub captured_at: Option<u64>,
	pub objects: Vec<ObjectView>,
	pub status: MediaStatus,
	pub registered_at: BlockNumber,
	pub registered_at_ms: u64,
}

/// The answer to "does the content with this hash exist, since when, and by whom?".
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct ProofOfExistence<AccountId, BlockNumber> {
	pub media_id: MediaId,
	/// Which object of the media item has this hash (0-based).
	pub object_index: u32,
	pub owner: AccountId,
	pub block_number: BlockNumber,
	/// Unix milliseconds of that block.
	pub timestamp: u64,
	pub status: MediaStatus,
	/// Clusters whose storage receipts for this object the chain verified.
	pub clusters: Vec<ClusterId>,
}

/// Told of each media item as it is registered, inside the registering extrinsic.
pub trait OnMediaRegistered<AccountId> {
	/// `content_hash` is the original's. An error fails the registration.
	fn on_media_registered(
		media_id: MediaId,
		content_hash: &H256,
		owner: &AccountId,
	) -> frame_support::dispatch::DispatchResult;
	/// The most weight `on_media_registered` uses, including what it leaves for the
	/// block's end: added to `register_media`'s weight.
	fn weight() -> frame_support::weights::Weight;
}

impl<AccountId> OnMediaRegistered<AccountId> for () {
	fn on_media_registered(
		_: MediaId,
		_: &H256,
		_: &AccountId,
	) -> frame_support::dispatch::DispatchResult {
		Ok(())
	}
	fn weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

/// Told of each media item as its owner deletes it, inside the deleting extrinsic (the
/// runtime removes the item's price in the PTI store).
pub trait OnMediaDeleted {
	fn on_media_deleted(media_id: MediaId);
	/// The most weight `on_media_deleted` uses: added to `delete_media`'s weight.
	fn weight() -> frame_support::weights::Weight;
}

impl OnMediaDeleted for () {
	fn on_media_deleted(_: MediaId) {}
	fn weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

/// The media registered in a block: what the bridge builds its proofs from.
pub trait MediaOfBlock<AccountId, BlockNumber> {
	/// The block that registered `media_id`.
	fn registered_at(media_id: MediaId) -> Option<BlockNumber>;
	/// `(media id, original's content hash, owner)` of the media registered in `block`,
	/// in id order.
	fn registered_in(block: BlockNumber) -> Vec<(MediaId, H256, AccountId)>;
}
