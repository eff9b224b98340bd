//! # Bridge pallet
//!
//! The chain side of Paratii's Ethereum bridge: it puts every media item registered on
//! Paratii chain into what the BEEFY validators sign, so that a contract on Ethereum
//! (`contracts/ethereum/ParatiiAnchor.sol`) that follows the signed MMR roots can verify
//! any single media item with one view call.
//!
//! ## The media root of a block
//! Each media item registered in block `N` is a **media leaf**, 77 bytes, the same bytes
//! as Solidity's `abi.encodePacked(uint8(1), uint64 mediaId, bytes32 contentHash, bytes32
//! owner, uint32 N)`: a version byte `0x01`, the media id big-endian, the SHA-256 of its
//! original, the owner's 32-byte account id, the block number big-endian. (Never 64
//! bytes, so a leaf cannot pose as an inner node of the tree.) The block's **media root**
//! is `binary_merkle_tree::merkle_root::<Keccak256>` of its leaves in media-id order —
//! the tree BEEFY's validator-set commitment uses: leaves hashed with keccak-256, inner
//! nodes `keccak256(left ‖ right)`, an odd last node promoted unchanged — and
//! `H256::zero()` for a block without media.
//!
//! [`Pallet::on_media_registered`] (pallet-media's `OnMediaRegistered` hook) appends each
//! leaf's hash to [`BlockLeaves`] as the media item is registered; `on_finalize` of `N`
//! turns them into [`MediaRoot`]. pallet-mmr pushes the MMR leaf of block `N + 1` in its
//! `on_initialize`, and the leaf may only reference ancestors: its `leaf_extra` (the
//! runtime's `BeefyDataProvider`) is `MediaRoot`, the root of block `N`. So the MMR leaf
//! that anchors block `N`'s media is the one of block `N + 1` (`parent_number == N`).
//!
//! ## Proofs
//! Nothing but the current block's leaf hashes is stored: a proof for any media item ever
//! registered is recomputed from pallet-media's records (ids are sequential, so the media
//! of block `N` are a contiguous run of ids). The runtime API
//! [`BridgeApi::media_proof`](runtime_api::BridgeApi) answers the leaf, its path to the
//! block's media root, and the block; with `mmr_generateProof` for block `N + 1` against
//! an anchored MMR root, that is all `ParatiiAnchor.verifyMedia` needs.
//!
//! ## Calls
//! None: the pallet works in hooks. Its weight is charged where it is spent: each
//! registration pays for appending its leaf and its share of the root
//! (`OnMediaRegistered::weight`, added to `register_media`'s weight), and
//! `on_initialize` returns the fixed part of `on_finalize`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
pub mod runtime_api;
#[cfg(test)]
mod tests;
pub mod weights;

pub use weights::WeightInfo;

use alloc::vec::Vec;
use codec::{Decode, Encode};
use paratii_primitives::MediaId;
use scale_info::TypeInfo;
use sp_core::H256;

/// Version byte of the media leaf encoding.
pub const MEDIA_LEAF_VERSION: u8 = 1;

/// A media item's leaf (see the crate docs): 77 bytes for a 32-byte account id.
pub fn media_leaf<AccountId: Encode>(
	media_id: MediaId,
	content_hash: &H256,
	owner: &AccountId,
	block: u32,
) -> Vec<u8> {
	let mut leaf = Vec::with_capacity(77);
	leaf.push(MEDIA_LEAF_VERSION);
	leaf.extend_from_slice(&media_id.to_be_bytes());
	leaf.extend_from_slice(content_hash.as_bytes());
	owner.encode_to(&mut leaf);
	leaf.extend_from_slice(&block.to_be_bytes());
	leaf
}

/// The keccak-256 of a media leaf: what the block's media tree is built from.
pub fn leaf_hash(leaf: &[u8]) -> H256 {
	H256(sp_io::hashing::keccak_256(leaf))
}

/// The media root of a block from its leaf hashes, in media-id order.
pub fn media_root(leaf_hashes: impl IntoIterator<Item = H256>) -> H256 {
	binary_merkle_tree::merkle_root_raw::<sp_runtime::traits::Keccak256, _>(leaf_hashes)
}

/// A media item's proof: its leaf, the path from it to its block's media root, and where
/// that root is anchored.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct MediaProof<BlockNumber> {
	pub media_id: MediaId,
	/// The block that registered it.
	pub block_number: BlockNumber,
	/// The block whose MMR leaf carries that block's media root as `leaf_extra`
	/// (`block_number + 1`): the leaf to prove with `mmr_generateProof`.
	pub mmr_leaf_block: BlockNumber,
	/// The 77-byte media leaf.
	pub leaf: Vec<u8>,
	/// The leaf's position among the block's media, and how many there are.
	pub leaf_index: u32,
	pub leaf_count: u32,
	/// Sibling hashes from the leaf up (binary-merkle-tree's `MerkleProof::proof`).
	pub proof: Vec<H256>,
	/// The block's media root.
	pub media_root: H256,
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use pallet_media::MediaOfBlock;
	use sp_runtime::traits::{Saturating, UniqueSaturatedInto};

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The media registered in each block (pallet-media).
		type Media: MediaOfBlock<Self::AccountId, BlockNumberFor<Self>>;
		/// Most media items one block may register: bounds [`BlockLeaves`].
		#[pallet::constant]
		type MaxMediaPerBlock: Get<u32>;
		type WeightInfo: WeightInfo;
	}

	/// Leaf hashes of the media registered in the current block, in id order; emptied
	/// by `on_finalize`.
	#[pallet::storage]
	pub type BlockLeaves<T: Config> =
		StorageValue<_, BoundedVec<H256, T::MaxMediaPerBlock>, ValueQuery>;

	/// The media root of the last finalized block (during `on_initialize`: of the parent
	/// block), which the next MMR leaf carries.
	#[pallet::storage]
	pub type MediaRoot<T> = StorageValue<_, H256, ValueQuery>;

	#[pallet::error]
	pub enum Error<T> {
		/// This block already registered `MaxMediaPerBlock` media items: submit the
		/// registration again, it fits in the next block.
		TooManyMediaInBlock,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			// The part of `on_finalize` every block pays; each registration pays its own.
			T::WeightInfo::on_finalize(0)
		}

		fn on_finalize(_n: BlockNumberFor<T>) {
			MediaRoot::<T>::put(media_root(BlockLeaves::<T>::take()));
		}
	}

	impl<T: Config> pallet_media::OnMediaRegistered<T::AccountId> for Pallet<T> {
		fn on_media_registered(
			media_id: MediaId,
			content_hash: &H256,
			owner: &T::AccountId,
		) -> DispatchResult {
			let block = frame_system::Pallet::<T>::block_number().unique_saturated_into();
			let hash = leaf_hash(&media_leaf(media_id, content_hash, owner, block));
			BlockLeaves::<T>::try_append(hash).map_err(|_| Error::<T>::TooManyMediaInBlock)?;
			Ok(())
		}

		fn weight() -> Weight {
			T::WeightInfo::note_media().saturating_add(
				T::WeightInfo::on_finalize(1).saturating_sub(T::WeightInfo::on_finalize(0)),
			)
		}
	}

	impl<T: Config> Pallet<T> {
		/// `BridgeApi::media_proof`: the proof of `media_id`, recomputed from the media
		/// records of its block.
		pub fn media_proof(media_id: MediaId) -> Option<MediaProof<BlockNumberFor<T>>> {
			let block = T::Media::registered_at(media_id)?;
			let media = T::Media::registered_in(block);
			let leaf_index = media.iter().position(|(id, _, _)| *id == media_id)?;
			let number: u32 = block.unique_saturated_into();
			let leaves: Vec<Vec<u8>> = media
				.iter()
				.map(|(id, hash, owner)| media_leaf(*id, hash, owner, number))
				.collect();
			let proof = binary_merkle_tree::merkle_proof_raw::<sp_runtime::traits::Keccak256, _>(
				leaves.iter().map(|l| leaf_hash(l)),
				leaf_index as u32,
			);
			Some(MediaProof {
				media_id,
				block_number: block,
				mmr_leaf_block: block.saturating_add(1u32.into()),
				leaf: leaves.get(leaf_index)?.clone(),
				leaf_index: proof.leaf_index,
				leaf_count: proof.number_of_leaves,
				proof: proof.proof,
				media_root: proof.root,
			})
		}
	}
}
