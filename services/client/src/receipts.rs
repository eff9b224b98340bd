//! Storage receipts as registering extrinsics carry them, in either version.
//!
//! The chain keeps only which clusters hold an object; the receipts themselves are in
//! the `media.registerMedia` extrinsic that registered it. Media registered before
//! runtime 111 carry first-version receipts (no cluster id, no time: signed over
//! [`paratii_primitives::receipt_message_v1`]), later ones the second version
//! ([`paratii_primitives::receipt_message`]). subxt decodes a block's extrinsics with
//! the metadata of the runtime that made the block, so the call's argument bytes are
//! in the version of their time; [`register_media_receipts`] reads both.

use codec::{Decode, Encode};
use paratii_primitives::{receipt_message, receipt_message_v1, ClusterId};
use sp_core::{ed25519, Pair, H256};

/// A receipt found in a registering extrinsic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FoundReceipt {
	/// The first version: no cluster id or time in what was signed.
	V1 { cluster: ClusterId, signature: [u8; 64] },
	/// The second version, signed at `issued_at` (Unix milliseconds).
	V2 { cluster: ClusterId, issued_at: u64, signature: [u8; 64] },
}

impl FoundReceipt {
	/// The cluster that signed it.
	pub fn cluster(&self) -> ClusterId {
		match self {
			Self::V1 { cluster, .. } | Self::V2 { cluster, .. } => *cluster,
		}
	}

	/// Whether it is the signature, by the ed25519 key `key`, of its version's message
	/// for this chain, object and owner.
	pub fn verify(
		&self,
		genesis: &[u8; 32],
		content_hash: &[u8; 32],
		size: u64,
		owner: &[u8; 32],
		key: &[u8; 32],
	) -> bool {
		let (genesis, content_hash) = (H256(*genesis), H256(*content_hash));
		let (message, signature) = match self {
			Self::V1 { signature, .. } => {
				(receipt_message_v1(&genesis, &content_hash, size, owner), signature)
			},
			Self::V2 { cluster, issued_at, signature } => (
				receipt_message(&genesis, *cluster, &content_hash, size, owner, *issued_at),
				signature,
			),
		};
		ed25519::Pair::verify(
			&ed25519::Signature::from_raw(*signature),
			&message,
			&ed25519::Public::from_raw(*key),
		)
	}
}

/// An object of a registering call: its content hash and its receipts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredObject {
	pub content_hash: [u8; 32],
	pub receipts: Vec<FoundReceipt>,
}

/// `media.registerMedia`'s arguments as SCALE lays them out, with either receipt type
/// (decoded whole to know where the objects are; only they are read).
#[derive(Encode, Decode)]
#[allow(dead_code)]
struct Args<Receipt> {
	title: Vec<u8>,
	location: Option<(i32, i32)>,
	captured_at: Option<u64>,
	objects: Vec<Object<Receipt>>,
}

#[derive(Encode, Decode)]
#[allow(dead_code)]
struct Object<Receipt> {
	kind: Kind,
	content_hash: [u8; 32],
	size: u64,
	receipts: Vec<Receipt>,
}

#[derive(Encode, Decode)]
#[allow(dead_code)]
enum Kind {
	Original,
	Thumbnail { width: u32, height: u32 },
	Transcoded { label: Vec<u8> },
	ChunkHashes,
}

#[derive(Encode, Decode)]
struct ReceiptV1 {
	cluster: ClusterId,
	signature: [u8; 64],
}

#[derive(Encode, Decode)]
struct ReceiptV2 {
	cluster: ClusterId,
	issued_at: u64,
	signature: [u8; 64],
}

/// The objects of a `media.registerMedia` call, from its argument bytes (subxt's
/// `call_data_field_bytes`), in whichever receipt version they are; `None` if they are
/// neither.
pub fn register_media_receipts(args: &[u8]) -> Option<Vec<RegisteredObject>> {
	fn objects<R>(args: Args<R>, found: impl Fn(R) -> FoundReceipt) -> Vec<RegisteredObject> {
		args.objects
			.into_iter()
			.map(|o| RegisteredObject {
				content_hash: o.content_hash,
				receipts: o.receipts.into_iter().map(&found).collect(),
			})
			.collect()
	}
	use codec::DecodeAll;
	if let Ok(v2) = Args::<ReceiptV2>::decode_all(&mut &args[..]) {
		return Some(objects(v2, |r| FoundReceipt::V2 {
			cluster: r.cluster,
			issued_at: r.issued_at,
			signature: r.signature,
		}));
	}
	Args::<ReceiptV1>::decode_all(&mut &args[..])
		.ok()
		.map(|v1| objects(v1, |r| FoundReceipt::V1 { cluster: r.cluster, signature: r.signature }))
}

#[cfg(test)]
mod tests {
	use super::*;

	const GENESIS: [u8; 32] = [7; 32];
	const OWNER: [u8; 32] = [3; 32];

	fn cluster_key() -> ed25519::Pair {
		ed25519::Pair::from_seed(&[42; 32])
	}

	fn args<R: Encode>(receipts: Vec<R>) -> Vec<u8> {
		Args {
			title: b"a tram".to_vec(),
			location: Some((1, 2)),
			captured_at: None,
			objects: vec![Object {
				kind: Kind::Original,
				content_hash: [9; 32],
				size: 1_000,
				receipts,
			}],
		}
		.encode()
	}

	#[test]
	fn first_version_receipts_of_old_registrations_still_verify() {
		let message = receipt_message_v1(&H256(GENESIS), &H256([9; 32]), 1_000, &OWNER);
		let signature = cluster_key().sign(&message).0;
		let found = register_media_receipts(&args(vec![ReceiptV1 { cluster: 4, signature }]))
			.expect("a first-version call");
		assert_eq!(found[0].content_hash, [9; 32]);
		let receipt = &found[0].receipts[0];
		assert_eq!(receipt, &FoundReceipt::V1 { cluster: 4, signature });
		let key = cluster_key().public().0;
		assert!(receipt.verify(&GENESIS, &[9; 32], 1_000, &OWNER, &key));
		// Another size, owner or chain does not.
		assert!(!receipt.verify(&GENESIS, &[9; 32], 1_001, &OWNER, &key));
		assert!(!receipt.verify(&GENESIS, &[9; 32], 1_000, &[4; 32], &key));
		assert!(!receipt.verify(&[8; 32], &[9; 32], 1_000, &OWNER, &key));
	}

	#[test]
	fn second_version_receipts_bind_the_cluster_and_the_time() {
		let message = receipt_message(&H256(GENESIS), 4, &H256([9; 32]), 1_000, &OWNER, 1_234);
		let signature = cluster_key().sign(&message).0;
		let found = register_media_receipts(&args(vec![ReceiptV2 {
			cluster: 4,
			issued_at: 1_234,
			signature,
		}]))
		.expect("a second-version call");
		let key = cluster_key().public().0;
		assert!(found[0].receipts[0].verify(&GENESIS, &[9; 32], 1_000, &OWNER, &key));
		let moved = FoundReceipt::V2 { cluster: 4, issued_at: 1_235, signature };
		assert!(!moved.verify(&GENESIS, &[9; 32], 1_000, &OWNER, &key));
		let other = FoundReceipt::V2 { cluster: 5, issued_at: 1_234, signature };
		assert!(!other.verify(&GENESIS, &[9; 32], 1_000, &OWNER, &key));
		// Read as the first version, the same signature is no good.
		let as_v1 = FoundReceipt::V1 { cluster: 4, signature };
		assert!(!as_v1.verify(&GENESIS, &[9; 32], 1_000, &OWNER, &key));
	}

	#[test]
	fn other_bytes_are_neither() {
		assert_eq!(register_media_receipts(&[1, 2, 3]), None);
		let mut bytes = args(vec![ReceiptV1 { cluster: 4, signature: [0; 64] }]);
		bytes.push(0);
		assert_eq!(register_media_receipts(&bytes), None);
	}
}
