//! Placement of objects on storage clusters: consistent hashing with virtual nodes.
//!
//! Each active cluster appears on a 64-bit ring at [`VIRTUAL_NODES`] points,
//! `blake2_256(b"paratii/ring" ++ cluster_id ++ vnode)`'s first 8 bytes (big-endian).
//! An object, keyed by its content hash's first 8 bytes, goes to the first
//! `replicas` distinct clusters found walking clockwise from its key. Adding or
//! removing one cluster moves only the objects next to its points, about `1/n` of
//! them, which is why the gateway can re-replicate incrementally.

use crate::ClusterId;
use alloc::vec::Vec;
use codec::Encode;
use sp_core::H256;
use sp_crypto_hashing::blake2_256;

/// Points each cluster has on the ring. More points, more even load.
pub const VIRTUAL_NODES: u32 = 64;

fn point(cluster: ClusterId, vnode: u32) -> u64 {
	let hash = blake2_256(&(b"paratii/ring", cluster, vnode).encode());
	u64::from_be_bytes([hash[0], hash[1], hash[2], hash[3], hash[4], hash[5], hash[6], hash[7]])
}

/// The ring of a set of clusters: sorted `(point, cluster)` pairs.
pub fn ring(clusters: &[ClusterId]) -> Vec<(u64, ClusterId)> {
	let mut ring: Vec<(u64, ClusterId)> =
		clusters.iter().flat_map(|&c| (0..VIRTUAL_NODES).map(move |v| (point(c, v), c))).collect();
	ring.sort_unstable();
	ring.dedup();
	ring
}

/// The `replicas` clusters (fewer if there are fewer clusters) that store the object
/// with `content_hash`, in ring order, for the given active clusters.
pub fn place(content_hash: &H256, clusters: &[ClusterId], replicas: usize) -> Vec<ClusterId> {
	let ring = ring(clusters);
	let b = content_hash.as_bytes();
	let key = u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
	let start = ring.partition_point(|&(p, _)| p < key);
	let mut chosen: Vec<ClusterId> = Vec::with_capacity(replicas);
	for i in 0..ring.len() {
		if chosen.len() >= replicas {
			break;
		}
		let (_, cluster) = ring[(start + i) % ring.len()];
		if !chosen.contains(&cluster) {
			chosen.push(cluster);
		}
	}
	chosen
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_crypto_hashing::sha2_256;

	fn hash(i: u32) -> H256 {
		H256(sha2_256(&i.to_le_bytes()))
	}

	#[test]
	fn places_distinct_clusters_up_to_the_replication_factor() {
		let clusters = [1, 2, 3, 4, 5];
		for i in 0..200 {
			let placed = place(&hash(i), &clusters, 2);
			assert_eq!(placed.len(), 2);
			assert_ne!(placed[0], placed[1]);
		}
		assert_eq!(place(&hash(0), &[7], 3), vec![7]);
		assert!(place(&hash(0), &[], 2).is_empty());
	}

	#[test]
	fn placement_ignores_the_order_clusters_are_listed_in() {
		for i in 0..50 {
			assert_eq!(place(&hash(i), &[1, 2, 3, 4], 2), place(&hash(i), &[4, 3, 2, 1], 2));
		}
	}

	#[test]
	fn adding_a_cluster_moves_about_one_in_n_objects() {
		let before = [1, 2, 3, 4, 5, 6, 7, 8, 9];
		let after = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
		let n = 2000;
		let moved =
			(0..n).filter(|&i| place(&hash(i), &before, 1) != place(&hash(i), &after, 1)).count();
		// Expect ~1/10 of the objects to move to the new cluster; allow for variance.
		assert!(moved > n as usize / 20 && moved < n as usize / 5, "moved {moved} of {n}");
	}

	#[test]
	fn load_is_roughly_even() {
		let clusters = [1, 2, 3, 4];
		let mut load = [0usize; 5];
		for i in 0..4000 {
			load[place(&hash(i), &clusters, 1)[0] as usize] += 1;
		}
		for c in clusters {
			assert!(load[c as usize] > 600 && load[c as usize] < 1400, "load {load:?}");
		}
	}
}
