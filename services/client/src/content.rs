//! Content addressing: an object is identified by the SHA-256 of its bytes, shown to
//! people as an IPFS CIDv1 with the raw codec (`bafkrei…`). That is the id
//! `ipfs add --cid-version 1 --raw-leaves` gives a file that fits one of its chunks
//! (256 KiB); a larger file gets a UnixFS DAG root there, which Paratii does not
//! compute: its `bafkrei…` names the whole file as one raw block, which IPFS nodes
//! do not hold under that id.

use cid::Cid;
use multihash::Multihash;
pub use paratii_primitives::{chunk_hashes_len, CHUNK_BYTES};
use sha2::{Digest, Sha256};

/// The multicodec of raw bytes.
const RAW_CODEC: u64 = 0x55;
/// The multihash code of SHA-256.
const SHA2_256: u64 = 0x12;

/// The SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
	Sha256::digest(bytes).into()
}

/// The SHA-256 of an object and of each of its [`CHUNK_BYTES`] chunks (the media
/// pallet's `ChunkHashes`), from its bytes fed in order.
#[derive(Default)]
pub struct ChunkedHasher {
	whole: Sha256,
	chunk: Sha256,
	in_chunk: u64,
	size: u64,
	chunks: Vec<u8>,
}

/// What a [`ChunkedHasher`] found: the object's SHA-256, size and chunk hashes.
pub struct Hashed {
	pub hash: [u8; 32],
	pub size: u64,
	/// The SHA-256 of each chunk, concatenated ([`paratii_primitives::chunk_hashes_len`]).
	pub chunks: Vec<u8>,
}

impl ChunkedHasher {
	pub fn update(&mut self, mut bytes: &[u8]) {
		self.whole.update(bytes);
		self.size += bytes.len() as u64;
		while !bytes.is_empty() {
			let room = (CHUNK_BYTES - self.in_chunk) as usize;
			let (now, rest) = bytes.split_at(room.min(bytes.len()));
			self.chunk.update(now);
			self.in_chunk += now.len() as u64;
			if self.in_chunk == CHUNK_BYTES {
				self.chunks.extend_from_slice(&std::mem::take(&mut self.chunk).finalize());
				self.in_chunk = 0;
			}
			bytes = rest;
		}
	}

	pub fn finish(mut self) -> Hashed {
		if self.in_chunk > 0 {
			self.chunks.extend_from_slice(&self.chunk.finalize());
		}
		Hashed { hash: self.whole.finalize().into(), size: self.size, chunks: self.chunks }
	}
}

/// [`ChunkedHasher`] over the file at `path`, read a chunk at a time (blocking).
pub fn hash_file(path: &std::path::Path) -> std::io::Result<Hashed> {
	use std::io::Read;
	let mut file = std::fs::File::open(path)?;
	let mut hasher = ChunkedHasher::default();
	let mut buf = vec![0u8; CHUNK_BYTES as usize];
	loop {
		let n = file.read(&mut buf)?;
		if n == 0 {
			return Ok(hasher.finish());
		}
		hasher.update(&buf[..n]);
	}
}

/// The hash of chunk `index` in `chunk_hashes`, if there is one.
pub fn chunk_hash(chunk_hashes: &[u8], index: u64) -> Option<[u8; 32]> {
	let start = usize::try_from(index).ok()?.checked_mul(32)?;
	chunk_hashes.get(start..start.checked_add(32)?)?.try_into().ok()
}

/// The CIDv1 (raw codec, SHA-256, base32) of the object whose SHA-256 is `hash`.
pub fn cid_of(hash: &[u8; 32]) -> String {
	let mh = Multihash::<64>::wrap(SHA2_256, hash).expect("32 bytes fit a 64-byte multihash");
	Cid::new_v1(RAW_CODEC, mh).to_string()
}

/// The SHA-256 inside a CIDv1 of raw bytes; `None` for any other CID.
pub fn hash_of_cid(cid: &str) -> Option<[u8; 32]> {
	let cid = Cid::try_from(cid).ok()?;
	if cid.codec() != RAW_CODEC || cid.hash().code() != SHA2_256 {
		return None;
	}
	cid.hash().digest().try_into().ok()
}

/// Parses 64 hex digits (with or without `0x`) into a content hash.
pub fn parse_hash(s: &str) -> Option<[u8; 32]> {
	let s = s.strip_prefix("0x").unwrap_or(s);
	if s.len() != 64 {
		return None;
	}
	hex::decode(s).ok()?.try_into().ok()
}

/// `0x`-prefixed lower-case hex of a hash.
pub fn hex_hash(hash: &[u8; 32]) -> String {
	format!("0x{}", hex::encode(hash))
}

/// The media type of a file, from its first bytes (never from what a client claims).
/// Knows the types Paratii serves: JPEG, PNG, WebP, GIF, MP4/QuickTime, WebM/Matroska.
/// How many first bytes of a file [`sniff`] needs.
pub const SNIFF_BYTES: usize = 32;

pub fn sniff(head: &[u8]) -> Option<&'static str> {
	match head {
		[0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
		[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("image/png"),
		[b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
		[b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
		[0x1A, 0x45, 0xDF, 0xA3, ..] => Some("video/webm"),
		[_, _, _, _, b'f', b't', b'y', b'p', b'q', b't', ..] => Some("video/quicktime"),
		[_, _, _, _, b'f', b't', b'y', b'p', ..] => Some("video/mp4"),
		_ => None,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn chunk_hashes_cover_each_mib_whatever_the_feeding() {
		let mib = CHUNK_BYTES as usize;
		let bytes: Vec<u8> = (0..2 * mib + 5).map(|i| (i % 251) as u8).collect();
		let expected: Vec<u8> = bytes.chunks(mib).flat_map(sha256).collect();
		for feed in [7usize, 4096, mib - 1, mib, 3 * mib] {
			let mut hasher = ChunkedHasher::default();
			bytes.chunks(feed).for_each(|piece| hasher.update(piece));
			let hashed = hasher.finish();
			assert_eq!(hashed.chunks, expected, "fed {feed} bytes at a time");
			assert_eq!(hashed.hash, sha256(&bytes));
			assert_eq!(hashed.size, bytes.len() as u64);
		}
		assert_eq!(expected.len() as u64, chunk_hashes_len(bytes.len() as u64));
		assert_eq!(chunk_hash(&expected, 2), Some(sha256(&bytes[2 * mib..])));
		assert_eq!(chunk_hash(&expected, 3), None);
		let exact = ChunkedHasher::default().finish();
		assert!(exact.chunks.is_empty());
	}

	#[test]
	fn cid_is_what_ipfs_computes_for_raw_leaves() {
		// `echo -n hello | ipfs add --cid-version 1 --raw-leaves` (well-known vector).
		let hash = sha256(b"hello");
		let cid = cid_of(&hash);
		assert_eq!(cid, "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq");
		assert_eq!(hash_of_cid(&cid), Some(hash));
		assert_eq!(hash_of_cid("not a cid"), None);
	}

	#[test]
	fn hashes_parse_with_or_without_0x() {
		let h = sha256(b"x");
		assert_eq!(parse_hash(&hex_hash(&h)), Some(h));
		assert_eq!(parse_hash(&hex::encode(h)), Some(h));
		assert_eq!(parse_hash("abcd"), None);
	}

	#[test]
	fn sniffs_media_types_from_magic_bytes() {
		assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
		assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
		assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
		assert_eq!(sniff(b"\0\0\0\x18ftypmp42"), Some("video/mp4"));
		assert_eq!(sniff(b"hello world"), None);
	}
}
