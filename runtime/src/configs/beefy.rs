//! BEEFY and the MMR: what the Ethereum bridge anchors.
//!
//! Every block appends a leaf to a Merkle Mountain Range (`Mmr`, keccak-256 so Ethereum
//! can verify it); the leaf (`BeefyMmrLeaf`) carries the parent block's hash and a
//! Merkle root of the next BEEFY validator set as 20-byte Ethereum addresses. The
//! validators sign the MMR root of finalized blocks with their BEEFY (ecdsa) session
//! keys; a light client on Ethereum follows those signed commitments.
//!
//! The leaf's extra data is the parent block's **media root** (pallet-bridge): the
//! Merkle root of the media registered in that block, which `ParatiiAnchor.sol` on
//! Ethereum verifies single media items against.
//!
//! Equivocation reports need historical session proofs and an offences pallet; a
//! consortium handles misbehaviour through its council instead, so there are none.

use sp_consensus_beefy::{ecdsa_crypto::AuthorityId as BeefyId, mmr::MmrLeafVersion};
use sp_core::H256;
use sp_runtime::traits::Keccak256;

use super::*;

impl pallet_beefy::Config for Runtime {
	type BeefyId = BeefyId;
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type OnNewValidatorSet = BeefyMmrLeaf;
	type AncestryHelper = BeefyMmrLeaf;
	type WeightInfo = ();
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_mmr::Config for Runtime {
	/// Leaves are written through offchain indexing under this prefix; the node's MMR
	/// gadget reads them from there.
	const INDEXING_PREFIX: &'static [u8] = sp_mmr_primitives::INDEXING_PREFIX;
	type Hashing = Keccak256;
	type LeafData = pallet_beefy_mmr::Pallet<Runtime>;
	type OnNewRoot = pallet_beefy_mmr::DepositBeefyDigest<Runtime>;
	type BlockHashProvider = pallet_mmr::DefaultBlockHashProvider<Runtime>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

parameter_types! {
	/// Version of the MMR leaf format: bumped when the leaf's fields change (0.1: the
	/// extra data became the 32-byte media root).
	pub LeafVersion: MmrLeafVersion = MmrLeafVersion::new(0, 1);
}

impl pallet_beefy_mmr::Config for Runtime {
	type LeafVersion = LeafVersion;
	/// Ethereum addresses of the BEEFY keys, so a contract can check signatures with
	/// `ecrecover`.
	type BeefyAuthorityToMerkleLeaf = pallet_beefy_mmr::BeefyEcdsaToEthereum;
	/// The media root of the leaf's parent block: 113-byte leaves.
	type LeafExtra = H256;
	type BeefyDataProvider = MediaRootOfParent;
	type WeightInfo = ();
}

/// The MMR leaf of block `N + 1` carries the media root pallet-bridge computed at the
/// end of block `N` (a leaf may only reference ancestors).
pub struct MediaRootOfParent;

impl sp_consensus_beefy::mmr::BeefyDataProvider<H256> for MediaRootOfParent {
	fn extra_data() -> H256 {
		pallet_bridge::MediaRoot::<Runtime>::get()
	}
}
