//! # Paratii primitives
//!
//! The `no_std` types and algorithms that the runtime's pallets and the off-chain
//! services (gateway, storage cluster node, indexer) must agree on byte for byte, kept
//! in one crate so they cannot drift:
//!
//! - ids: [`MediaId`], [`ClusterId`], [`RingEpoch`];
//! - the storage receipt a cluster signs: [`receipt_message`] (and the first version's,
//!   [`receipt_message_v1`], for media registered with it);
//! - placement: [`placement::place`], consistent hashing with virtual nodes over the
//!   active clusters of a ring epoch;
//! - the traits through which the media, users and topology pallets see each other
//!   without depending on each other's crates;
//! - with the `frame` feature (the pallets'), [`genesis_hash`]: the hash every message
//!   signed for this chain names.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod adx;
pub mod placement;

/// The chain's genesis hash (block 0's, which frame-system keeps for ever): every message
/// signed for this chain — storage receipts, PTI claims and vouchers, ad-exchange
/// channels — names it, so a signature is good on this chain only.
#[cfg(feature = "frame")]
pub fn genesis_hash<T: frame_system::Config<Hash = H256>>() -> [u8; 32] {
	// A block number's default is block 0.
	frame_system::Pallet::<T>::block_hash(
		frame_system::pallet_prelude::BlockNumberFor::<T>::default(),
	)
	.0
}

use codec::Encode;
use sp_core::H256;

/// Sequential id of a media item, allocated by the chain.
pub type MediaId = u64;
/// Sequential id of a storage cluster, allocated by the chain.
pub type ClusterId = u32;
/// Version of the set of active clusters; bumped on every change of that set.
pub type RingEpoch = u32;
/// An ed25519 public key of a storage cluster.
pub type ClusterKey = [u8; 32];
/// An ed25519 signature.
pub type SignatureBytes = [u8; 64];

/// The chunk of an original a gateway verifies at a time while it streams the original
/// from a cluster: 1 MiB. An original larger than one chunk is registered with its
/// chunk hashes (the media pallet's `ObjectKind::ChunkHashes`), the SHA-256 of each
/// consecutive `CHUNK_BYTES` of it (the last one shorter), concatenated.
pub const CHUNK_BYTES: u64 = 1 << 20;

/// The size of the chunk hashes of an object of `size` bytes: 32 bytes per chunk.
pub const fn chunk_hashes_len(size: u64) -> u64 {
	size.div_ceil(CHUNK_BYTES).saturating_mul(32)
}

/// The domain tag that opens every storage receipt (18 bytes, no length prefix).
pub const RECEIPT_TAG: [u8; 18] = *b"paratii/receipt/v2";
/// Length of a receipt message with a 32-byte genesis hash and a 32-byte account id.
pub const RECEIPT_MESSAGE_LEN: usize = 18 + 32 + 4 + 32 + 8 + 32 + 8;

/// The message a storage cluster signs (ed25519) once it has durably written an
/// object: the SCALE encoding of
/// `(RECEIPT_TAG, genesis_hash, cluster, content_hash, size, owner, issued_at_ms)`,
/// i.e. the tag's 18 bytes, the chain's genesis hash, the cluster's id as little-endian
/// u32, the SHA-256 of the bytes, the size as little-endian u64, the owner's account id
/// and the time the cluster signed it (Unix milliseconds, little-endian u64) — 134
/// bytes for `AccountId32`.
///
/// The genesis hash binds a receipt to one chain, the owner to the account that may
/// register the object with it, the cluster id to the cluster whose key signed it (a key
/// shared by two clusters cannot vouch for the other), and the time to the moment the
/// cluster held the bytes: the chain takes a receipt only for a while after it was
/// signed (`media.ReceiptLifetime`), so a receipt from an earlier registration cannot
/// re-add a cluster that has since dropped the data.
pub fn receipt_message<Hash: Encode, AccountId: Encode>(
	genesis_hash: &Hash,
	cluster: ClusterId,
	content_hash: &H256,
	size: u64,
	owner: &AccountId,
	issued_at_ms: u64,
) -> alloc::vec::Vec<u8> {
	(RECEIPT_TAG, genesis_hash, cluster, content_hash, size, owner, issued_at_ms).encode()
}

/// The first version's tag: receipts of media registered before runtime 111.
pub const RECEIPT_TAG_V1: [u8; 18] = *b"paratii/receipt/v1";
/// Length of a first-version receipt message (`AccountId32`).
pub const RECEIPT_MESSAGE_V1_LEN: usize = 18 + 32 + 32 + 8 + 32;

/// The first version of the receipt message, `(RECEIPT_TAG_V1, genesis_hash,
/// content_hash, size, owner)`, 122 bytes: no cluster and no time. The chain no longer
/// takes it; it stays to verify the receipts of media registered with it.
pub fn receipt_message_v1<Hash: Encode, AccountId: Encode>(
	genesis_hash: &Hash,
	content_hash: &H256,
	size: u64,
	owner: &AccountId,
) -> alloc::vec::Vec<u8> {
	(RECEIPT_TAG_V1, genesis_hash, content_hash, size, owner).encode()
}

/// What the media pallet needs to know about users.
pub trait UserRegistry<AccountId> {
	/// Whether `who` is a registered user.
	fn is_registered(who: &AccountId) -> bool;
	/// Registers `who` with whatever deposit that needs, for benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn register_for_benchmark(who: &AccountId);
}

/// What the users pallet needs to know about media.
pub trait MediaRegistry {
	/// Whether `id` is a media item that is registered and not deleted.
	fn is_active(id: MediaId) -> bool;
	/// Creates an active media item owned by nobody in particular, for benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn create_for_benchmark() -> MediaId;
}

/// Who owns a media item: what the PTI store needs to know to sell it.
pub trait MediaOwnership<AccountId> {
	/// The owner of `id` if it is registered and not deleted.
	fn active_owner(id: MediaId) -> Option<AccountId>;
	/// Creates an active media item owned by `owner`, for benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn create_owned_for_benchmark(owner: &AccountId) -> MediaId;
	/// Deletes `id`, for benchmarks and tests of deleted media.
	#[cfg(feature = "runtime-benchmarks")]
	fn delete_for_benchmark(id: MediaId);
}

/// What the media pallet needs to know about storage clusters.
pub trait ClusterRegistry {
	/// The public key of `cluster` if it is `Active`, `None` otherwise.
	fn active_cluster_key(cluster: ClusterId) -> Option<ClusterKey>;
	/// Whether `cluster` still serves the objects it holds (`Active` or `Draining`);
	/// `Offline` and `Retired` clusters, and unknown ids, do not.
	fn is_serving(cluster: ClusterId) -> bool;
	/// Registers an active cluster with `key`, for benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn register_for_benchmark(key: ClusterKey) -> ClusterId;
	/// Retires `cluster`, for benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn retire_for_benchmark(cluster: ClusterId);
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn receipt_message_is_the_documented_134_bytes() {
		let genesis = H256::repeat_byte(1);
		let content = H256::repeat_byte(2);
		let owner = [3u8; 32];
		let msg = receipt_message(
			&genesis,
			0x0a0b_0c0d,
			&content,
			0x0102_0304_0506_0708,
			&owner,
			0x1112_1314_1516_1718,
		);
		assert_eq!(msg.len(), RECEIPT_MESSAGE_LEN);
		assert_eq!(&msg[..18], b"paratii/receipt/v2");
		assert_eq!(&msg[18..50], genesis.as_bytes());
		assert_eq!(&msg[50..54], &[0x0d, 0x0c, 0x0b, 0x0a]);
		assert_eq!(&msg[54..86], content.as_bytes());
		assert_eq!(&msg[86..94], &[8, 7, 6, 5, 4, 3, 2, 1]);
		assert_eq!(&msg[94..126], &owner);
		assert_eq!(&msg[126..], &[0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11]);
	}

	#[test]
	fn receipt_message_v1_is_the_documented_122_bytes() {
		let genesis = H256::repeat_byte(1);
		let content = H256::repeat_byte(2);
		let owner = [3u8; 32];
		let msg = receipt_message_v1(&genesis, &content, 0x0102_0304_0506_0708, &owner);
		assert_eq!(msg.len(), RECEIPT_MESSAGE_V1_LEN);
		assert_eq!(&msg[..18], b"paratii/receipt/v1");
		assert_eq!(&msg[18..50], genesis.as_bytes());
		assert_eq!(&msg[50..82], content.as_bytes());
		assert_eq!(&msg[82..90], &[8, 7, 6, 5, 4, 3, 2, 1]);
		assert_eq!(&msg[90..], &owner);
	}
}
