//! Tests of the media leaves, each block's media root, and the proofs.

use crate::{mock::*, *};
use frame_support::{assert_noop, traits::Hooks};
use pallet_media::OnMediaRegistered;
use sp_runtime::AccountId32;

fn hash(n: u8) -> H256 {
	H256::repeat_byte(n)
}

fn account(n: u8) -> AccountId32 {
	AccountId32::new([n; 32])
}

/// Ends the current block and starts the next, as the executive does.
fn next_block() {
	let n = System::block_number();
	Bridge::on_finalize(n);
	System::set_block_number(n + 1);
	Bridge::on_initialize(n + 1);
}

fn keccak(data: &[u8]) -> H256 {
	H256(sp_io::hashing::keccak_256(data))
}

#[test]
fn a_media_leaf_is_solidity_abi_encode_packed_of_its_fields() {
	let leaf = media_leaf(0x0102_0304_0506_0708, &hash(0xaa), &account(0xbb), 0x0a0b_0c0d);
	assert_eq!(leaf.len(), 77);
	assert_eq!(leaf[0], MEDIA_LEAF_VERSION);
	assert_eq!(&leaf[1..9], &[1, 2, 3, 4, 5, 6, 7, 8], "media id big-endian");
	assert_eq!(&leaf[9..41], &[0xaa; 32]);
	assert_eq!(&leaf[41..73], &[0xbb; 32]);
	assert_eq!(&leaf[73..77], &[0x0a, 0x0b, 0x0c, 0x0d], "block number big-endian");
}

#[test]
fn each_block_gets_the_root_of_its_media_and_an_empty_block_zero() {
	new_test_ext().execute_with(|| {
		let ids: Vec<_> =
			(1..=3).map(|n| MockMedia::register(hash(n), account(n)).unwrap()).collect();
		let leaves: Vec<H256> = ids
			.iter()
			.map(|&id| leaf_hash(&media_leaf(id, &hash(id as u8 + 1), &account(id as u8 + 1), 1)))
			.collect();
		assert_eq!(BlockLeaves::<Test>::get().into_inner(), leaves);
		next_block();
		// Three leaves: the odd last one is promoted unchanged.
		let expected =
			keccak(&[keccak(&[leaves[0].0, leaves[1].0].concat()).0, leaves[2].0].concat());
		assert_eq!(MediaRoot::<Test>::get(), expected);
		assert!(BlockLeaves::<Test>::get().is_empty());
		next_block();
		assert_eq!(MediaRoot::<Test>::get(), H256::zero());
	});
}

#[test]
fn a_block_takes_at_most_max_media_per_block_and_the_next_takes_the_rest() {
	new_test_ext().execute_with(|| {
		for n in 0..MAX_MEDIA_PER_BLOCK as u8 {
			assert!(MockMedia::register(hash(n), account(1)).is_ok());
		}
		assert_noop!(
			Bridge::on_media_registered(99, &hash(99), &account(1)),
			Error::<Test>::TooManyMediaInBlock
		);
		next_block();
		assert!(MockMedia::register(hash(99), account(1)).is_ok());
	});
}

#[test]
fn every_media_item_has_a_proof_to_its_blocks_root() {
	new_test_ext().execute_with(|| {
		let mut roots = Vec::new();
		for per_block in [1u8, 2, 3, 4] {
			for n in 0..per_block {
				MockMedia::register(hash(per_block * 10 + n), account(n)).unwrap();
			}
			next_block();
			roots.push(MediaRoot::<Test>::get());
		}
		next_block();
		let mut id = 0;
		for (block, per_block) in [1u8, 2, 3, 4].into_iter().enumerate() {
			for n in 0..per_block {
				let proof = Bridge::media_proof(id).expect("a registered media item");
				assert_eq!(proof.block_number, block as u64 + 1);
				assert_eq!(proof.mmr_leaf_block, block as u64 + 2);
				assert_eq!(
					proof.leaf,
					media_leaf(id, &hash(per_block * 10 + n), &account(n), block as u32 + 1)
				);
				assert_eq!((proof.leaf_index, proof.leaf_count), (n as u32, per_block as u32));
				assert_eq!(proof.media_root, roots[block], "the root that block finalized");
				assert!(binary_merkle_tree::verify_proof::<sp_runtime::traits::Keccak256, _, _>(
					&proof.media_root,
					proof.proof.clone(),
					proof.leaf_count,
					proof.leaf_index,
					&proof.leaf,
				));
				// A tampered leaf does not verify.
				let mut tampered = proof.leaf.clone();
				tampered[20] ^= 1;
				assert!(!binary_merkle_tree::verify_proof::<sp_runtime::traits::Keccak256, _, _>(
					&proof.media_root,
					proof.proof,
					proof.leaf_count,
					proof.leaf_index,
					&tampered,
				));
				id += 1;
			}
		}
		assert_eq!(Bridge::media_proof(id), None);
	});
}

#[test]
fn registrations_pay_for_their_leaf_and_every_block_for_the_root() {
	use frame_support::weights::Weight;
	let per_media = <Bridge as OnMediaRegistered<AccountId32>>::weight();
	assert!(per_media.ref_time() > 0);
	assert!(Bridge::on_initialize(1).all_gt(Weight::zero()));
}
