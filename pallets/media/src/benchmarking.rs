//! Benchmarks of the media pallet, each at the worst case of its bounds. Cluster keys
//! live in the benchmark's keystore, so receipts are really signed and verified.

use super::*;
use crate::Pallet as MediaPallet;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::{Get, UnixTime};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use paratii_primitives::{ClusterId, ClusterRegistry, UserRegistry};
use sp_core::{crypto::KeyTypeId, ed25519, H256};
use sp_runtime::traits::{Saturating, Zero};

const KEY_TYPE: KeyTypeId = KeyTypeId(*b"pcls");

/// `n` active clusters with keys in the keystore.
fn clusters<T: Config>(n: u32) -> Vec<(ClusterId, ed25519::Public)> {
	(0..n)
		.map(|_| {
			let public = sp_io::crypto::ed25519_generate(KEY_TYPE, None);
			(T::Clusters::register_for_benchmark(public.0), public)
		})
		.collect()
}

fn receipts<T: Config>(
	clusters: &[(ClusterId, ed25519::Public)],
	content_hash: &H256,
	size: u64,
	owner: &T::AccountId,
) -> Vec<StorageReceipt> {
	let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
	let issued_at = T::Time::now().as_millis() as u64;
	clusters
		.iter()
		.map(|(cluster, public)| StorageReceipt {
			cluster: *cluster,
			issued_at,
			signature: sp_io::crypto::ed25519_sign(
				KEY_TYPE,
				public,
				&paratii_primitives::receipt_message(
					&genesis,
					*cluster,
					content_hash,
					size,
					owner,
					issued_at,
				),
			)
			.expect("the key is in the keystore")
			.0,
		})
		.collect()
}

fn content_hash(i: u32) -> H256 {
	H256(sp_io::hashing::sha2_256(&i.to_le_bytes()))
}

/// A registered user with funds for any deposit.
fn funded_user<T: Config>() -> T::AccountId {
	use frame_support::traits::fungible::Mutate;
	let caller: T::AccountId = whitelisted_caller();
	T::Users::register_for_benchmark(&caller);
	let plenty = T::DepositPerItem::get()
		.saturating_add(T::DepositPerByte::get())
		.saturating_mul(1_000_000u32.into());
	let _ = T::Currency::mint_into(&caller, plenty);
	caller
}

/// `o` objects (the first the original), each with receipts from all `clusters`.
fn objects<T: Config>(
	o: u32,
	clusters: &[(ClusterId, ed25519::Public)],
	owner: &T::AccountId,
) -> Vec<ObjectInput> {
	objects_per_cluster_set::<T>(o, |_| clusters, owner)
}

/// `o` objects (the first the original), object `i` with receipts from `clusters(i)`.
fn objects_per_cluster_set<'a, T: Config>(
	o: u32,
	clusters: impl Fn(u32) -> &'a [(ClusterId, ed25519::Public)],
	owner: &T::AccountId,
) -> Vec<ObjectInput> {
	(0..o)
		.map(|i| {
			let kind = if i == 0 {
				ObjectKind::Original
			} else {
				ObjectKind::Transcoded { label: vec![b'l'; T::MaxLabelLen::get() as usize] }
			};
			let hash = content_hash(i);
			ObjectInput {
				kind,
				content_hash: hash,
				size: u64::MAX,
				receipts: receipts::<T>(clusters(i), &hash, u64::MAX, owner),
			}
		})
		.collect()
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `o` objects with `r` receipts each, the longest title, a location and time. Every
	/// object is held by its own `r` clusters, so the call reads `o × r` distinct
	/// clusters, as a real registration can.
	#[benchmark]
	fn register_media(
		o: Linear<1, { T::MaxObjects::get() }>,
		r: Linear<{ T::ReplicationFactor::get() }, { T::MaxReceipts::get() }>,
	) {
		let caller = funded_user::<T>();
		let clusters = clusters::<T>(o * r);
		let objects = objects_per_cluster_set::<T>(
			o,
			|i| &clusters[(i * r) as usize..((i + 1) * r) as usize],
			&caller,
		);
		let title = vec![b't'; T::MaxTitleLen::get() as usize];

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), title, Some((1, 1)), Some(1), objects);

		assert_eq!(NextMediaId::<T>::get(), 1);
	}

	#[benchmark]
	fn delete_media() {
		let caller = funded_user::<T>();
		let clusters = clusters::<T>(T::ReplicationFactor::get());
		let id = MediaPallet::<T>::do_register(
			caller.clone(),
			vec![b't'; T::MaxTitleLen::get() as usize],
			Some((1, 1)),
			Some(1),
			objects::<T>(T::MaxObjects::get(), &clusters, &caller),
		)
		.expect("valid media");

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);

		assert_eq!(Media::<T>::get(id).expect("kept").status, MediaStatus::Deleted);
	}

	/// `r` new receipts for an object whose `MaxReceipts` slots are full, `r` of them
	/// held by retired clusters that the new ones replace: every holder's status is read
	/// and `r` receipts verified.
	#[benchmark]
	fn add_receipts(r: Linear<1, { T::MaxReceipts::get() - T::ReplicationFactor::get() }>) {
		let caller = funded_user::<T>();
		let all = clusters::<T>(T::MaxReceipts::get() + r);
		let (first, new) = all.split_at(T::MaxReceipts::get() as usize);
		let id = MediaPallet::<T>::do_register(
			caller.clone(),
			vec![b't'; T::MaxTitleLen::get() as usize],
			None,
			None,
			objects::<T>(T::MaxObjects::get(), first, &caller),
		)
		.expect("valid media");
		for (cluster, _) in &first[..r as usize] {
			T::Clusters::retire_for_benchmark(*cluster);
		}
		let receipts = receipts::<T>(new, &content_hash(0), u64::MAX, &caller);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, 0, receipts);

		let held = &Media::<T>::get(id).expect("registered").objects[0].clusters;
		assert_eq!(held.len() as u32, T::MaxReceipts::get());
		assert!(held.contains(&new[0].0));
	}

	impl_benchmark_test_suite!(MediaPallet, crate::mock::new_test_ext(), crate::mock::Test);
}
