//! The chain's side of the Ethereum bridge, as `ParatiiAnchor.sol` takes it: BEEFY
//! justifications (signed commitments), MMR leaves with their proofs, media proofs.
//!
//! The node serves them SCALE-encoded; this module decodes them into plain fields:
//!
//! - a justification is sp-consensus-beefy's `VersionedFinalityProof::V1` of a
//!   `SignedCommitment` in its compact encoding (a bitfield of who signed, the set's
//!   length, then only the present 65-byte signatures);
//! - an MMR leaf is `MmrLeaf<u32, H256, H256, H256>`: 113 bytes, `leaf_extra` being the
//!   media root of the leaf's parent block; `mmr_generateProof` wraps each leaf in an
//!   opaque `Vec<u8>`, whose length prefix is stripped here (the contract hashes the
//!   113 bytes themselves);
//! - an MMR proof is ckb-mmr's `LeafProof { leaf_indices, leaf_count, items }`.
//!
//! Signatures come as Substrate makes them (`v ∈ {0, 1}`, possibly high `s`);
//! [`normalise_signature`] turns them into what `ecrecover` accepts.

use crate::{api, Chain};
use anyhow::{anyhow, bail, Context};
use codec::{Decode, Encode};
use subxt::{rpcs::rpc_params, utils::H256};

/// The consensus engine id of BEEFY justifications in a block's justifications.
pub const BEEFY_ENGINE_ID: [u8; 4] = *b"BEEF";
/// The id of the MMR root in a BEEFY payload.
pub const MMR_ROOT_ID: [u8; 2] = *b"mh";

/// A BEEFY commitment with the signatures of one validator set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCommitment {
	pub mmr_root: [u8; 32],
	pub block_number: u32,
	pub validator_set_id: u64,
	/// One entry per member of the set, in authority order: who signed, with what.
	pub signatures: Vec<Option<[u8; 65]>>,
}

impl SignedCommitment {
	/// Decodes a `VersionedFinalityProof` as `beefy_subscribeJustifications` and the
	/// block's `BEEF` justification carry it.
	pub fn decode(bytes: &[u8]) -> anyhow::Result<Self> {
		let input = &mut &bytes[..];
		let version = u8::decode(input).context("empty justification")?;
		if version != 1 {
			bail!("BEEFY finality proof version {version}: only V1 is known");
		}
		let payload = Vec::<([u8; 2], Vec<u8>)>::decode(input).context("commitment payload")?;
		let block_number = u32::decode(input).context("commitment block number")?;
		let validator_set_id = u64::decode(input).context("commitment validator set id")?;
		let bitfield = Vec::<u8>::decode(input).context("signers bitfield")?;
		let set_len = u32::decode(input).context("validator set length")? as usize;
		let compact = Vec::<[u8; 65]>::decode(input).context("signatures")?;
		if !input.is_empty() {
			bail!("{} trailing bytes after the signed commitment", input.len());
		}
		// ParatiiAnchor hashes a commitment with exactly this one item: a payload with
		// more (a runtime that added one) would never verify there, so it is refused here,
		// with the reason, instead of failing as "invalid signatures".
		if payload.len() != 1 {
			bail!(
				"the commitment's payload has {} items ({}); ParatiiAnchor verifies only \
				 commitments whose payload is the one MMR root (\"mh\")",
				payload.len(),
				payload
					.iter()
					.map(|(id, _)| String::from_utf8_lossy(id))
					.collect::<Vec<_>>()
					.join(", ")
			);
		}
		let mmr_root: [u8; 32] = payload
			.iter()
			.find(|(id, _)| *id == MMR_ROOT_ID)
			.ok_or_else(|| anyhow!("the commitment carries no MMR root (\"mh\")"))?
			.1
			.as_slice()
			.try_into()
			.map_err(|_| anyhow!("the MMR root of the commitment is not 32 bytes"))?;
		if bitfield.len() * 8 < set_len {
			bail!("signers bitfield of {} bytes for {set_len} validators", bitfield.len());
		}
		let mut present = compact.into_iter();
		let mut signatures = Vec::with_capacity(set_len);
		for i in 0..set_len {
			// Bit i, most significant first in each byte.
			let signed = (bitfield[i / 8] >> (7 - (i % 8))) & 1 == 1;
			signatures.push(if signed {
				Some(present.next().ok_or_else(|| anyhow!("fewer signatures than signers"))?)
			} else {
				None
			});
		}
		if present.next().is_some() {
			bail!("more signatures than signers");
		}
		Ok(Self { mmr_root, block_number, validator_set_id, signatures })
	}

	/// How many validators signed.
	pub fn signer_count(&self) -> usize {
		self.signatures.iter().filter(|s| s.is_some()).count()
	}

	/// What the validators signed: keccak-256 of the SCALE-encoded commitment with its one
	/// `mh` payload item (the contract's `commitmentHash`).
	pub fn hash(&self) -> [u8; 32] {
		let payload = mh_payload(self.mmr_root);
		alloy_primitives::keccak256((payload, self.block_number, self.validator_set_id).encode()).0
	}

	/// The signatures that recover to their validator's address (`validators` in
	/// authority order), normalised as `ecrecover` takes them, with their indices. BEEFY
	/// accepts a justification once a quorum of its signatures is valid and keeps any
	/// others in it, so a peer may gossip a copy padded with invalid ones; the contract
	/// reverts on the first invalid signature it is sent.
	pub fn valid_signatures(
		&self,
		validators: &[alloy_primitives::Address],
	) -> Vec<(usize, [u8; 65])> {
		let digest = self.hash();
		self.signatures
			.iter()
			.zip(validators)
			.enumerate()
			.filter_map(|(i, (sig, validator))| {
				let normalised = normalise_signature(sig.as_ref()?)?;
				(recover_address(&digest, &normalised)? == *validator).then_some((i, normalised))
			})
			.collect()
	}
}

/// The commitment's payload: one `mh` item, the MMR root.
fn mh_payload(mmr_root: [u8; 32]) -> Vec<([u8; 2], Vec<u8>)> {
	vec![(*b"mh", mmr_root.to_vec())]
}

/// The Ethereum address that signed `digest` with a normalised (`v` 27/28, low `s`)
/// signature, as `ecrecover` finds it.
fn recover_address(digest: &[u8; 32], sig: &[u8; 65]) -> Option<alloy_primitives::Address> {
	let mut raw = *sig;
	raw[64] = raw[64].checked_sub(27)?;
	let public = sp_core::ecdsa::Signature::from_raw(raw).recover_prehashed(digest)?;
	crate::ethereum::beefy_address(&public.0).ok()
}

/// A Substrate ECDSA signature (`r ‖ s ‖ v`, `v ∈ {0, 1}`, any `s`) as Ethereum's
/// `ecrecover` takes it: `v ∈ {27, 28}` and `s ≤ n/2` (the same signer: `s` and
/// `n − s` recover the same key with the other parity). `None` for a recovery id
/// that is neither.
pub fn normalise_signature(sig: &[u8; 65]) -> Option<[u8; 65]> {
	let sig = alloy_primitives::Signature::from_raw_array(sig).ok()?;
	Some(sig.normalized_s().as_bytes())
}

/// sp-consensus-beefy's `MmrLeaf` with Paratii's `LeafExtra = H256`.
#[derive(Clone, Debug, PartialEq, Eq, Decode)]
pub struct MmrLeaf {
	pub version: u8,
	pub parent_number: u32,
	pub parent_hash: [u8; 32],
	pub next_authority_set_id: u64,
	pub next_authority_set_len: u32,
	pub next_authority_set_root: [u8; 32],
	/// The media root of block `parent_number`.
	pub leaf_extra: [u8; 32],
}

/// The SCALE length of an [`MmrLeaf`].
pub const MMR_LEAF_LEN: usize = 113;

/// ckb-mmr's proof of one leaf, as pallet-mmr makes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MmrProof {
	pub leaf_index: u64,
	pub leaf_count: u64,
	pub items: Vec<[u8; 32]>,
}

/// One MMR leaf and its proof against the MMR root of some later block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafWithProof {
	pub leaf: MmrLeaf,
	pub proof: MmrProof,
}

impl LeafWithProof {
	/// Decodes `mmr_generateProof`'s `leaves` and `proof` of a single block.
	pub fn decode(leaves: &[u8], proof: &[u8]) -> anyhow::Result<Self> {
		let leaves = Vec::<Vec<u8>>::decode(&mut &leaves[..]).context("MMR leaves")?;
		let [leaf] = leaves.as_slice() else {
			bail!("{} MMR leaves where one was asked for", leaves.len());
		};
		if leaf.len() != MMR_LEAF_LEN {
			bail!("an MMR leaf of {} bytes; Paratii's are {MMR_LEAF_LEN}", leaf.len());
		}
		let leaf = MmrLeaf::decode(&mut &leaf[..]).context("MMR leaf")?;
		let (indices, leaf_count, items) =
			<(Vec<u64>, u64, Vec<[u8; 32]>)>::decode(&mut &proof[..]).context("MMR proof")?;
		let [leaf_index] = indices.as_slice() else {
			bail!("an MMR proof of {} leaves where one was asked for", indices.len());
		};
		Ok(Self { leaf, proof: MmrProof { leaf_index: *leaf_index, leaf_count, items } })
	}
}

/// A media item's leaf in its block's media root, and the path to it
/// (`BridgeApi::media_proof`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaLeafProof {
	pub media_id: u64,
	pub block_number: u32,
	/// The block whose MMR leaf carries `media_root` (`block_number + 1`).
	pub mmr_leaf_block: u32,
	/// The 77-byte media leaf: version 1, media id (u64 BE), content hash, owner,
	/// block (u32 BE).
	pub leaf: Vec<u8>,
	pub leaf_index: u32,
	pub leaf_count: u32,
	pub path: Vec<[u8; 32]>,
	pub media_root: [u8; 32],
}

impl MediaLeafProof {
	/// The media leaf's content hash (bytes 9..41).
	pub fn content_hash(&self) -> Option<[u8; 32]> {
		self.leaf.get(9..41)?.try_into().ok()
	}

	/// The media leaf's owner (bytes 41..73).
	pub fn owner(&self) -> Option<[u8; 32]> {
		self.leaf.get(41..73)?.try_into().ok()
	}
}

/// A BEEFY validator set, as the runtime commits to it (`beefyMmrLeaf.beefyAuthorities`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorSetCommitment {
	pub id: u64,
	pub len: u32,
	pub keyset_root: [u8; 32],
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct LeavesProof {
	leaves: subxt::rpcs::methods::legacy::Bytes,
	proof: subxt::rpcs::methods::legacy::Bytes,
}

impl Chain {
	/// Subscribes to the BEEFY justifications the node finalizes
	/// (`beefy_subscribeJustifications`), SCALE-encoded.
	pub async fn subscribe_beefy_justifications(
		&self,
	) -> anyhow::Result<subxt::rpcs::client::RpcSubscription<subxt::rpcs::methods::legacy::Bytes>>
	{
		self.raw_rpc()
			.subscribe(
				"beefy_subscribeJustifications",
				rpc_params![],
				"beefy_unsubscribeJustifications",
			)
			.await
			.context("beefy_subscribeJustifications")
	}

	/// The latest block BEEFY finalized (`beefy_getFinalizedHead`).
	pub async fn beefy_finalized_head(&self) -> anyhow::Result<H256> {
		self.raw_rpc()
			.request("beefy_getFinalizedHead", rpc_params![])
			.await
			.context("beefy_getFinalizedHead")
	}

	/// The hash of block `number` of the node's chain.
	pub async fn block_hash(&self, number: u32) -> anyhow::Result<H256> {
		self.rpc()
			.chain_get_block_hash(Some(number.into()))
			.await
			.context("chain_getBlockHash")?
			.ok_or_else(|| anyhow!("the node has no block #{number}"))
	}

	/// The BEEFY justification stored with block `number`, if BEEFY finalized it
	/// (the node keeps one for every block its BEEFY voter finalized, mandatory
	/// blocks included).
	pub async fn beefy_justification(
		&self,
		number: u32,
	) -> anyhow::Result<Option<SignedCommitment>> {
		self.beefy_justification_at(self.block_hash(number).await?).await
	}

	/// The BEEFY justification stored with block `hash`, if BEEFY finalized it.
	pub async fn beefy_justification_at(
		&self,
		hash: H256,
	) -> anyhow::Result<Option<SignedCommitment>> {
		let block = self
			.rpc()
			.chain_get_block(Some(hash))
			.await
			.context("chain_getBlock")?
			.ok_or_else(|| anyhow!("the node has no body for block {hash:?}"))?;
		block
			.justifications
			.unwrap_or_default()
			.into_iter()
			.find(|(engine, _)| *engine == BEEFY_ENGINE_ID)
			.map(|(_, bytes)| SignedCommitment::decode(&bytes))
			.transpose()
	}

	/// The MMR leaf of block `leaf_block` and its proof against the MMR root of block
	/// `at_block` (`mmr_generateProof`; `leaf_block <= at_block`).
	pub async fn mmr_proof(&self, leaf_block: u32, at_block: u32) -> anyhow::Result<LeafWithProof> {
		let raw: LeavesProof = self
			.raw_rpc()
			.request("mmr_generateProof", rpc_params![[leaf_block], Some(at_block)])
			.await
			.with_context(|| format!("mmr_generateProof of block {leaf_block} at {at_block}"))?;
		LeafWithProof::decode(&raw.leaves.0, &raw.proof.0)
	}

	/// The id of the BEEFY validator set current at block `number` (≥ 1), read from
	/// the block's MMR leaf (`next_authority_set_id − 1`): the MMR is kept off-chain for
	/// every block, where the state of old blocks may be pruned.
	pub async fn beefy_set_id_at(&self, number: u32) -> anyhow::Result<u64> {
		let leaf = self.mmr_proof(number, number).await?.leaf;
		leaf.next_authority_set_id
			.checked_sub(1)
			.ok_or_else(|| anyhow!("the MMR leaf of block {number} names next set 0"))
	}

	/// The first block in `from..=to` whose current BEEFY set id is at least `set_id`
	/// (the mandatory block of that set, when the set starts in the range): a binary
	/// search over the MMR leaves.
	pub async fn first_block_of_set(
		&self,
		set_id: u64,
		from: u32,
		to: u32,
	) -> anyhow::Result<Option<u32>> {
		let (mut lo, mut hi) = (from.max(1), to);
		if lo > hi || self.beefy_set_id_at(hi).await? < set_id {
			return Ok(None);
		}
		while lo < hi {
			let mid = lo + (hi - lo) / 2;
			if self.beefy_set_id_at(mid).await? >= set_id {
				hi = mid;
			} else {
				lo = mid + 1;
			}
		}
		Ok(Some(lo))
	}

	/// The BEEFY authorities (33-byte compressed secp256k1 keys) of the set current at
	/// block `hash`, with that set's id.
	pub async fn beefy_authorities_at(&self, hash: H256) -> anyhow::Result<(u64, Vec<[u8; 33]>)> {
		let at = self.client().at_block(hash).await?;
		let id = match at.storage().try_fetch(api::storage().beefy().validator_set_id(), ()).await?
		{
			Some(v) => v.decode()?,
			None => 0,
		};
		let keys = match at.storage().try_fetch(api::storage().beefy().authorities(), ()).await? {
			Some(v) => v.decode()?.0.into_iter().map(|k| k.0).collect(),
			None => Vec::new(),
		};
		Ok((id, keys))
	}

	/// The current BEEFY set and the next one as the MMR leaves commit to them, read at
	/// the same finalized block: what `ParatiiAnchor` is deployed with.
	pub async fn beefy_set_commitments(
		&self,
	) -> anyhow::Result<(ValidatorSetCommitment, ValidatorSetCommitment)> {
		let at = self.at_finalized().await?;
		let current = at
			.storage()
			.try_fetch(api::storage().beefy_mmr_leaf().beefy_authorities(), ())
			.await?
			.ok_or_else(|| anyhow!("beefyMmrLeaf.beefyAuthorities is empty: is BEEFY running?"))?
			.decode()?;
		let next = at
			.storage()
			.try_fetch(api::storage().beefy_mmr_leaf().beefy_next_authorities(), ())
			.await?
			.ok_or_else(|| {
				anyhow!("beefyMmrLeaf.beefyNextAuthorities is empty: is BEEFY running?")
			})?
			.decode()?;
		let commitment =
			|id, len, root: H256| ValidatorSetCommitment { id, len, keyset_root: root.0 };
		Ok((
			commitment(current.id, current.len, current.keyset_commitment),
			commitment(next.id, next.len, next.keyset_commitment),
		))
	}

	/// `BridgeApi::media_proof`: the media item's leaf and its path to its block's
	/// media root, at the best block (a media item not final yet is not anchored yet
	/// either, and says so rather than not being found).
	pub async fn media_leaf_proof(&self, id: u64) -> anyhow::Result<Option<MediaLeafProof>> {
		let at = self.at_best().await?;
		let proof =
			at.runtime_apis().call(api::runtime_apis().bridge_api().media_proof(id)).await?;
		Ok(proof.map(|p| MediaLeafProof {
			media_id: p.media_id,
			block_number: p.block_number,
			mmr_leaf_block: p.mmr_leaf_block,
			leaf: p.leaf,
			leaf_index: p.leaf_index,
			leaf_count: p.leaf_count,
			path: p.proof.into_iter().map(|h| h.0).collect(),
			media_root: p.media_root.0,
		}))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use codec::Encode;

	fn sig(fill: u8, v: u8) -> [u8; 65] {
		let mut s = [fill; 65];
		s[64] = v;
		s
	}

	fn justification(set_len: u32, signed: &[usize]) -> Vec<u8> {
		let mut bytes = vec![1u8];
		vec![(MMR_ROOT_ID, vec![7u8; 32])].encode_to(&mut bytes);
		42u32.encode_to(&mut bytes);
		3u64.encode_to(&mut bytes);
		let mut bitfield = vec![0u8; (set_len as usize).div_ceil(8)];
		for &i in signed {
			bitfield[i / 8] |= 1 << (7 - i % 8);
		}
		bitfield.encode_to(&mut bytes);
		set_len.encode_to(&mut bytes);
		signed.iter().map(|&i| sig(i as u8, 0)).collect::<Vec<_>>().encode_to(&mut bytes);
		bytes
	}

	#[test]
	fn decodes_compact_signed_commitments() {
		let c = SignedCommitment::decode(&justification(10, &[0, 3, 9])).unwrap();
		assert_eq!((c.mmr_root, c.block_number, c.validator_set_id), ([7; 32], 42, 3));
		assert_eq!(c.signatures.len(), 10);
		assert_eq!(c.signer_count(), 3);
		assert_eq!(c.signatures[3], Some(sig(3, 0)));
		assert_eq!(c.signatures[9], Some(sig(9, 0)));
		assert_eq!(c.signatures[1], None);
	}

	#[test]
	fn rejects_malformed_justifications() {
		let mut bytes = justification(4, &[0, 1, 2]);
		bytes[0] = 2;
		assert!(SignedCommitment::decode(&bytes).unwrap_err().to_string().contains("V1"));
		let mut bytes = justification(4, &[0, 1, 2]);
		bytes.push(0);
		assert!(SignedCommitment::decode(&bytes).is_err());
		assert!(SignedCommitment::decode(&justification(4, &[0, 1, 2])[..60]).is_err());
		// A second payload item: refused by name, not taken as a commitment to anchor.
		let mut bytes = vec![1u8];
		vec![(MMR_ROOT_ID, vec![7u8; 32]), (*b"xx", vec![1u8])].encode_to(&mut bytes);
		bytes.extend_from_slice(&justification(4, &[0, 1, 2])[1 + 1 + 2 + 1 + 32..]);
		let err = SignedCommitment::decode(&bytes).unwrap_err().to_string();
		assert!(err.contains("2 items (mh, xx)"), "{err}");
	}

	#[test]
	fn normalises_high_s_and_parity() {
		use alloy_primitives::U256;
		let n = U256::from_be_bytes(hex_literal::hex!(
			"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
		));
		let with_s = |s: U256, v: u8| {
			let mut sig = sig(0x11, v);
			sig[32..64].copy_from_slice(&s.to_be_bytes::<32>());
			sig
		};
		// A low-s signature: only v moves to 27/28.
		let low = sig(0x11, 1);
		let out = normalise_signature(&low).unwrap();
		assert_eq!(out[..64], low[..64]);
		assert_eq!(out[64], 28);
		// A high-s one (s = n − 1): s' = n − s = 1, parity flipped.
		let out = normalise_signature(&with_s(n - U256::from(1), 0)).unwrap();
		assert_eq!(out[32..64], U256::from(1).to_be_bytes::<32>());
		assert_eq!(out[..32], [0x11; 32]);
		assert_eq!(out[64], 28);
		// Exactly n/2 is low already.
		let half = with_s(n >> 1, 1);
		assert_eq!(normalise_signature(&half).unwrap()[32..64], half[32..64]);
		// Normalised signatures stay as they are; a recovery id of 2 is refused.
		let high = with_s(n - U256::from(1), 0);
		let once = normalise_signature(&high).unwrap();
		assert_eq!(normalise_signature(&once), Some(once));
		assert_eq!(normalise_signature(&sig(0x11, 2)), None);
	}

	#[test]
	fn decodes_mmr_leaves_and_proofs() {
		let leaf = (0u8, 9u32, [1u8; 32], 4u64, 2u32, [2u8; 32], [3u8; 32]).encode();
		assert_eq!(leaf.len(), MMR_LEAF_LEN);
		let leaves = vec![leaf.clone()].encode();
		let proof = (vec![8u64], 10u64, vec![[5u8; 32], [6u8; 32]]).encode();
		let p = LeafWithProof::decode(&leaves, &proof).unwrap();
		assert_eq!(p.leaf.parent_number, 9);
		assert_eq!(p.leaf.next_authority_set_id, 4);
		assert_eq!(p.leaf.leaf_extra, [3; 32]);
		assert_eq!(
			p.proof,
			MmrProof { leaf_index: 8, leaf_count: 10, items: vec![[5; 32], [6; 32]] }
		);
		// Two leaves, or a leaf of another format, are refused.
		assert!(LeafWithProof::decode(&vec![leaf.clone(), leaf.clone()].encode(), &proof).is_err());
		assert!(LeafWithProof::decode(&vec![leaf[..112].to_vec()].encode(), &proof).is_err());
	}
}
