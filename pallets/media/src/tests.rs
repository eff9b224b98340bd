//! The media pallet's behaviour, one test per rule.

use crate::{
	mock::*, Error, Event, Media as MediaStorage, MediaStatus, NextMediaId, ObjectByHash,
	ObjectKind,
};
use codec::Encode;
use frame_support::{assert_noop, assert_ok};
use paratii_primitives::MediaRegistry;
use sp_core::Pair;
use sp_core::H256;

fn original(n: u8, owner: &sp_runtime::AccountId32) -> crate::ObjectInput {
	object(ObjectKind::Original, n, &[0, 1], owner)
}

fn register(owner: sp_runtime::AccountId32, title: &str, objects: Vec<crate::ObjectInput>) -> u64 {
	let id = NextMediaId::<Test>::get();
	assert_ok!(Media::register_media(
		RuntimeOrigin::signed(owner),
		title.as_bytes().to_vec(),
		Some((52_370_000, 4_890_000)),
		Some(1_690_000_000_000),
		objects,
	));
	id
}

#[test]
fn register_media_records_a_proof_of_existence() {
	new_test_ext().execute_with(|| {
		let thumb = object(ObjectKind::Thumbnail { width: 320, height: 240 }, 2, &[2, 3], &alice());
		let hd =
			object(ObjectKind::Transcoded { label: b"720p".to_vec() }, 3, &[0, 1, 2], &alice());
		let id = register(alice(), "Sunset over Amsterdam", vec![original(1, &alice()), thumb, hd]);
		assert_eq!(id, 0);
		assert_eq!(NextMediaId::<Test>::get(), 1);

		let media = Media::media(id).unwrap();
		assert_eq!(media.owner, alice());
		assert_eq!(media.title, b"Sunset over Amsterdam".to_vec());
		assert_eq!(media.location, Some((52_370_000, 4_890_000)));
		assert_eq!(media.status, MediaStatus::Active);
		assert_eq!(media.objects.len(), 3);
		assert_eq!(media.objects[2].clusters, vec![0, 1, 2]);
		assert_eq!(media.objects[2].kind, ObjectKind::Transcoded { label: b"720p".to_vec() });

		let proof = Media::proof_of_existence(hash(2)).unwrap();
		assert_eq!((proof.media_id, proof.object_index, proof.owner.clone()), (0, 1, alice()));
		assert_eq!((proof.block_number, proof.timestamp), (1, 1_700_000_000_000));
		assert_eq!(proof.clusters, vec![2, 3]);
		assert_eq!(
			Media::existence(hash(2)),
			Some((0, alice(), 1, 1_700_000_000_000, MediaStatus::Active))
		);
		assert_eq!(Media::existence(hash(9)), None);
		assert_eq!(Media::media_by_hash(hash(1)), Some(0));
		assert!(Media::is_active(0));
		System::assert_last_event(
			Event::MediaRegistered {
				media_id: 0,
				owner: alice(),
				content_hash: hash(1),
				deposit: crate::Media::<Test>::get(0).unwrap().deposit,
			}
			.into(),
		);
	});
}

#[test]
fn media_ids_are_sequential() {
	new_test_ext().execute_with(|| {
		let a0 = register(alice(), "a", vec![original(1, &alice())]);
		let b0 = register(bob(), "b", vec![original(2, &bob())]);
		let a1 = register(alice(), "a", vec![original(3, &alice())]);
		assert_eq!((a0, b0, a1), (0, 1, 2));
		assert_eq!(crate::NextMediaId::<Test>::get(), 3);
		assert_eq!(Media::media(1).unwrap().owner, bob());
	});
}

#[test]
fn a_registered_content_hash_is_rejected_first_registrant_wins() {
	new_test_ext().execute_with(|| {
		register(alice(), "first", vec![original(1, &alice())]);
		assert_noop!(
			Media::register_media(
				RuntimeOrigin::signed(bob()),
				b"copy".to_vec(),
				None,
				None,
				vec![original(1, &bob())]
			),
			Error::<Test>::ContentAlreadyRegistered
		);
		assert_eq!(
			Media::media_by_hash(hash(1)),
			Some(0),
			"the error's media id is looked up by hash"
		);
	});
}

#[test]
fn a_tampered_receipt_is_rejected() {
	new_test_ext().execute_with(|| {
		let call = |o| {
			Media::register_media(
				RuntimeOrigin::signed(alice()),
				b"t".to_vec(),
				None,
				None,
				vec![o],
			)
		};
		// A flipped signature bit.
		let mut o = original(1, &alice());
		o.receipts[1].signature[0] ^= 1;
		assert_noop!(call(o), Error::<Test>::InvalidReceiptSignature);
		// A receipt for another size.
		let mut o = original(1, &alice());
		o.size += 1;
		assert_noop!(call(o), Error::<Test>::InvalidReceiptSignature);
		// A receipt issued to another owner.
		let o = object(ObjectKind::Original, 1, &[0, 1], &bob());
		assert_noop!(call(o), Error::<Test>::InvalidReceiptSignature);
		// Cluster 1's signature presented as cluster 2's.
		let mut o = original(1, &alice());
		o.receipts[1].cluster = 2;
		assert_noop!(call(o), Error::<Test>::InvalidReceiptSignature);
	});
}

#[test]
fn receipts_must_come_from_enough_distinct_active_clusters() {
	new_test_ext().execute_with(|| {
		let call = |o| {
			Media::register_media(
				RuntimeOrigin::signed(alice()),
				b"t".to_vec(),
				None,
				None,
				vec![o],
			)
		};
		assert_noop!(
			call(object(ObjectKind::Original, 1, &[0], &alice())),
			Error::<Test>::InsufficientReceipts
		);
		let mut o = original(1, &alice());
		o.receipts[1] = o.receipts[0].clone();
		assert_noop!(call(o), Error::<Test>::DuplicateReceipt);
		assert_noop!(
			call(object(ObjectKind::Original, 1, &[0, 1, 2, 3, 0], &alice())),
			Error::<Test>::TooManyReceipts
		);
		assert_ok!(Topology::set_cluster_status(
			RuntimeOrigin::root(),
			1,
			pallet_topology::ClusterStatus::Draining
		));
		assert_noop!(call(original(1, &alice())), Error::<Test>::ClusterNotActive);
		assert_noop!(
			call(object(ObjectKind::Original, 1, &[0, 9], &alice())),
			Error::<Test>::ClusterNotActive
		);
	});
}

#[test]
fn register_media_validates_its_input() {
	new_test_ext().execute_with(|| {
		let alice_o = || RuntimeOrigin::signed(alice());
		let one = || vec![original(1, &alice())];
		assert_noop!(
			Media::register_media(
				RuntimeOrigin::signed(account(3)),
				b"t".to_vec(),
				None,
				None,
				one()
			),
			Error::<Test>::NotRegisteredUser
		);
		assert_noop!(
			Media::register_media(alice_o(), vec![], None, None, one()),
			Error::<Test>::EmptyTitle
		);
		assert_noop!(
			Media::register_media(alice_o(), vec![b'x'; 129], None, None, one()),
			Error::<Test>::TitleTooLong
		);
		assert_noop!(
			Media::register_media(alice_o(), vec![0xc3, 0x28], None, None, one()),
			Error::<Test>::TitleNotUtf8
		);
		assert_noop!(
			Media::register_media(alice_o(), b"t".to_vec(), Some((90_000_001, 0)), None, one()),
			Error::<Test>::InvalidLocation
		);
		assert_noop!(
			Media::register_media(alice_o(), b"t".to_vec(), Some((0, -180_000_001)), None, one()),
			Error::<Test>::InvalidLocation
		);
		assert_noop!(
			Media::register_media(alice_o(), b"t".to_vec(), None, None, vec![]),
			Error::<Test>::NoObjects
		);
		let thumb = |n| object(ObjectKind::Thumbnail { width: 1, height: 1 }, n, &[0, 1], &alice());
		assert_noop!(
			Media::register_media(alice_o(), b"t".to_vec(), None, None, vec![thumb(2)]),
			Error::<Test>::NoOriginal
		);
		assert_noop!(
			Media::register_media(
				alice_o(),
				b"t".to_vec(),
				None,
				None,
				vec![original(1, &alice()), original(2, &alice())]
			),
			Error::<Test>::MultipleOriginals
		);
		assert_noop!(
			Media::register_media(
				alice_o(),
				b"t".to_vec(),
				None,
				None,
				vec![original(1, &alice()), thumb(2), thumb(3), thumb(4), thumb(5)]
			),
			Error::<Test>::TooManyObjects
		);
		assert_noop!(
			Media::register_media(
				alice_o(),
				b"t".to_vec(),
				None,
				None,
				vec![original(1, &alice()), thumb(1)]
			),
			Error::<Test>::DuplicateObject
		);
		let long_label =
			object(ObjectKind::Transcoded { label: vec![b'l'; 17] }, 2, &[0, 1], &alice());
		assert_noop!(
			Media::register_media(
				alice_o(),
				b"t".to_vec(),
				None,
				None,
				vec![original(1, &alice()), long_label]
			),
			Error::<Test>::LabelTooLong
		);
		let mut empty = original(1, &alice());
		empty.size = 0;
		assert_noop!(
			Media::register_media(alice_o(), b"t".to_vec(), None, None, vec![empty]),
			Error::<Test>::EmptyObject
		);
	});
}

/// Object `n` of `kind` and `size` bytes, with valid receipts from clusters 0 and 1.
fn sized(kind: ObjectKind<Vec<u8>>, n: u8, size: u64) -> crate::ObjectInput {
	let receipts = [0, 1].iter().map(|c| receipt(*c, hash(n), size, &alice())).collect();
	crate::ObjectInput { kind, content_hash: hash(n), size, receipts }
}

#[test]
fn chunk_hashes_are_32_bytes_per_started_mib_of_the_original_and_one_at_most() {
	new_test_ext().execute_with(|| {
		let mib = paratii_primitives::CHUNK_BYTES;
		let original = || sized(ObjectKind::Original, 1, 2 * mib + 1);
		let chunks = |n, size| sized(ObjectKind::ChunkHashes, n, size);
		let try_register = |objects| {
			Media::register_media(
				RuntimeOrigin::signed(alice()),
				b"t".to_vec(),
				None,
				None,
				objects,
			)
		};
		// Three chunks: two whole MiB and one byte.
		for wrong in [64, 65, 95, 97, 128] {
			assert_noop!(
				try_register(vec![original(), chunks(2, wrong)]),
				Error::<Test>::ChunkHashesSizeMismatch
			);
		}
		assert_noop!(
			try_register(vec![original(), chunks(2, 96), chunks(3, 96)]),
			Error::<Test>::MultipleChunkHashes
		);
		let id = register(alice(), "big", vec![original(), chunks(2, 96)]);
		let recorded = MediaStorage::<Test>::get(id).expect("registered");
		assert_eq!(recorded.objects[1].kind, ObjectKind::ChunkHashes);
		assert_eq!(recorded.objects[1].size, 96);
	});
}

#[test]
fn delete_media_leaves_a_tombstone() {
	new_test_ext().execute_with(|| {
		let id = register(alice(), "gone", vec![original(1, &alice())]);
		assert_noop!(
			Media::delete_media(RuntimeOrigin::signed(bob()), id),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Media::delete_media(RuntimeOrigin::signed(alice()), 9),
			Error::<Test>::UnknownMedia
		);
		assert_ok!(Media::delete_media(RuntimeOrigin::signed(alice()), id));
		System::assert_last_event(
			// "gone" (4 bytes), the place (8) and the capture time (8) are erased.
			Event::MediaDeleted { media_id: id, owner: alice(), released: 20 * DEPOSIT_PER_BYTE }
				.into(),
		);
		assert_eq!(MediaStorage::<Test>::get(id).unwrap().status, MediaStatus::Deleted);
		assert!(!Media::is_active(id));
		let proof = Media::proof_of_existence(hash(1)).unwrap();
		assert_eq!((proof.owner, proof.status), (alice(), MediaStatus::Deleted));
		assert_eq!(ObjectByHash::<Test>::get(hash(1)), Some((id, 0)));
		assert_noop!(
			Media::delete_media(RuntimeOrigin::signed(alice()), id),
			Error::<Test>::MediaDeleted
		);
		assert_noop!(
			Media::register_media(
				RuntimeOrigin::signed(bob()),
				b"again".to_vec(),
				None,
				None,
				vec![original(1, &bob())]
			),
			Error::<Test>::ContentAlreadyRegistered
		);
	});
}

#[test]
fn add_receipts_re_replicates_an_object() {
	new_test_ext().execute_with(|| {
		let id = register(alice(), "r", vec![original(1, &alice())]);
		let size = 1001;
		// Anyone (here Bob) may submit receipts the clusters issued to the owner.
		assert_ok!(Media::add_receipts(
			RuntimeOrigin::signed(bob()),
			id,
			0,
			vec![receipt(2, hash(1), size, &alice()), receipt(3, hash(1), size, &alice())]
		));
		assert_eq!(Media::proof_of_existence(hash(1)).unwrap().clusters, vec![0, 1, 2, 3]);
		System::assert_last_event(
			Event::ReceiptsAdded {
				media_id: id,
				object_index: 0,
				clusters: vec![2, 3],
				replaced: vec![],
			}
			.into(),
		);
	});
}

#[test]
fn add_receipts_rejects_bad_receipts_and_targets() {
	new_test_ext().execute_with(|| {
		let id = register(alice(), "r", vec![original(1, &alice())]);
		let call = |media, index, receipts| {
			Media::add_receipts(RuntimeOrigin::signed(bob()), media, index, receipts)
		};
		let good = || vec![receipt(2, hash(1), 1001, &alice())];
		assert_noop!(call(id, 0, vec![]), Error::<Test>::NoReceipts);
		assert_noop!(call(9, 0, good()), Error::<Test>::UnknownMedia);
		assert_noop!(call(id, 1, good()), Error::<Test>::UnknownObject);
		assert_noop!(
			call(id, 0, vec![receipt(0, hash(1), 1001, &alice())]),
			Error::<Test>::ClusterAlreadyHolds
		);
		assert_noop!(
			call(id, 0, vec![receipt(2, hash(1), 1001, &bob())]),
			Error::<Test>::InvalidReceiptSignature
		);
		assert_noop!(
			call(
				id,
				0,
				vec![
					receipt(2, hash(1), 1001, &alice()),
					receipt(3, hash(1), 1001, &alice()),
					receipt(2, hash(1), 1001, &alice())
				]
			),
			Error::<Test>::TooManyReceipts
		);
		assert_ok!(Media::delete_media(RuntimeOrigin::signed(alice()), id));
		assert_noop!(call(id, 0, good()), Error::<Test>::MediaDeleted);
	});
}

#[test]
fn receipts_are_bound_to_this_chain() {
	new_test_ext().execute_with(|| {
		// A receipt signed for another genesis hash does not verify here.
		let message = paratii_primitives::receipt_message(
			&H256::repeat_byte(9),
			0,
			&hash(1),
			1001,
			&alice(),
			now_ms(),
		);
		let mut o = original(1, &alice());
		o.receipts[0].signature = sp_core::Pair::sign(&cluster_pair(0), &message).0;
		assert_noop!(register_objects(alice(), vec![o]), Error::<Test>::InvalidReceiptSignature);
	});
}

fn register_objects(
	owner: sp_runtime::AccountId32,
	objects: Vec<crate::ObjectInput>,
) -> frame_support::dispatch::DispatchResult {
	Media::register_media(RuntimeOrigin::signed(owner), b"t".to_vec(), None, None, objects)
}

#[test]
fn receipts_are_bound_to_their_cluster_and_their_time() {
	new_test_ext().execute_with(|| {
		// Cluster 0 signed for cluster 1: its signature vouches for nobody else.
		let mut o = original(1, &alice());
		let genesis = System::block_hash(0);
		let for_one =
			paratii_primitives::receipt_message(&genesis, 1, &hash(1), 1001, &alice(), now_ms());
		o.receipts[0].signature = sp_core::Pair::sign(&cluster_pair(0), &for_one).0;
		assert_noop!(register_objects(alice(), vec![o]), Error::<Test>::InvalidReceiptSignature);
		// The time is signed: moving it breaks the signature.
		let mut o = original(1, &alice());
		o.receipts[0].issued_at -= 1;
		assert_noop!(register_objects(alice(), vec![o]), Error::<Test>::InvalidReceiptSignature);

		// Taken from ReceiptLifetime before the block's time to ReceiptClockSkew after it.
		let at = |issued_at: u64| {
			let mut o = original(1, &alice());
			o.receipts =
				[0, 1].iter().map(|c| receipt_at(*c, hash(1), 1001, &alice(), issued_at)).collect();
			o
		};
		let now = now_ms();
		assert_noop!(
			register_objects(alice(), vec![at(now - RECEIPT_LIFETIME - 1)]),
			Error::<Test>::ReceiptExpired
		);
		assert_noop!(
			register_objects(alice(), vec![at(now + RECEIPT_SKEW + 1)]),
			Error::<Test>::ReceiptFromTheFuture
		);
		assert_ok!(register_objects(alice(), vec![at(now - RECEIPT_LIFETIME)]));
		let mut o = at(now + RECEIPT_SKEW);
		o.content_hash = hash(2);
		o.receipts = [0, 1]
			.iter()
			.map(|c| receipt_at(*c, hash(2), 1001, &alice(), now + RECEIPT_SKEW))
			.collect();
		assert_ok!(register_objects(alice(), vec![o]));
	});
}

#[test]
fn an_old_receipt_cannot_re_add_a_cluster_that_came_back() {
	use pallet_topology::ClusterStatus;
	new_test_ext().execute_with(|| {
		register_clusters(1);
		let id = register(alice(), "kept", vec![original(1, &alice())]);
		// Clusters 2 and 3 store copies and sign for them: the object's four slots are full.
		let old = receipt(2, hash(1), 1001, &alice());
		let three = receipt(3, hash(1), 1001, &alice());
		assert_ok!(Media::add_receipts(
			RuntimeOrigin::signed(bob()),
			id,
			0,
			vec![old.clone(), three]
		));
		// Cluster 2 goes Offline; later cluster 4 takes its slot.
		pallet_topology::Clusters::<Test>::mutate(2, |c| {
			c.as_mut().unwrap().status = ClusterStatus::Offline
		});
		set_now(now_ms() + 2 * RECEIPT_LIFETIME);
		assert_ok!(Media::add_receipts(
			RuntimeOrigin::signed(bob()),
			id,
			0,
			vec![receipt(4, hash(1), 1001, &alice())]
		));
		assert_eq!(
			crate::Media::<Test>::get(id).unwrap().objects[0].clusters.to_vec(),
			vec![0, 1, 3, 4]
		);
		// Cluster 2 comes back without the data, and cluster 0 retires (a slot frees):
		// the receipt of its first copy no longer adds it.
		pallet_topology::Clusters::<Test>::mutate(2, |c| {
			c.as_mut().unwrap().status = ClusterStatus::Active
		});
		set_status(0, ClusterStatus::Retired);
		assert_noop!(
			Media::add_receipts(RuntimeOrigin::signed(bob()), id, 0, vec![old]),
			Error::<Test>::ReceiptExpired
		);
		// Only a receipt it signs now, holding the bytes again, does.
		assert_ok!(Media::add_receipts(
			RuntimeOrigin::signed(bob()),
			id,
			0,
			vec![receipt(2, hash(1), 1001, &alice())]
		));
	});
}

fn held(who: &sp_runtime::AccountId32) -> u64 {
	use frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(&crate::HoldReason::MediaDeposit.into(), who)
}

#[test]
fn registering_holds_a_storage_deposit_and_deletion_returns_the_freed_part() {
	use frame_support::traits::fungible::Inspect;
	new_test_ext().execute_with(|| {
		let free = Balances::balance(&alice());
		let one = register(alice(), "deposit", vec![original(1, &alice())]);
		let record = crate::Media::<Test>::get(one).unwrap();
		// Two entries (the record, one hash) and the record's bytes.
		let expected = 2 * DEPOSIT_PER_ITEM + DEPOSIT_PER_BYTE * record.encoded_size() as u64;
		assert_eq!(record.deposit, expected);
		assert_eq!(held(&alice()), expected);
		assert_eq!(Balances::balance(&alice()), free - expected);
		// More objects, more deposit.
		let two = register(
			alice(),
			"deposit 2",
			vec![
				original(2, &alice()),
				object(ObjectKind::Thumbnail { width: 1, height: 1 }, 3, &[0, 1], &alice()),
			],
		);
		let two_held = crate::Media::<Test>::get(two).unwrap().deposit;
		assert!(two_held > expected + DEPOSIT_PER_ITEM);
		assert_eq!(held(&alice()), expected + two_held);

		// Deletion erases the title (7 bytes), the place (8) and the capture time (8) and
		// releases their per-byte deposit; the tombstone's part stays held.
		assert_ok!(Media::delete_media(RuntimeOrigin::signed(alice()), one));
		let tombstone = crate::Media::<Test>::get(one).unwrap();
		assert!(tombstone.title.is_empty());
		assert_eq!((tombstone.location, tombstone.captured_at), (None, None));
		assert_eq!(tombstone.status, MediaStatus::Deleted);
		let released = 23 * DEPOSIT_PER_BYTE;
		assert_eq!(tombstone.deposit, expected - released);
		assert_eq!(held(&alice()), expected - released + two_held);
		System::assert_last_event(
			Event::MediaDeleted { media_id: one, owner: alice(), released }.into(),
		);
		assert!(Media::proof_of_existence(hash(1)).is_some());
	});
}

#[test]
fn a_user_who_cannot_pay_the_deposit_registers_nothing() {
	use frame_support::traits::fungible::Mutate;
	new_test_ext().execute_with(|| {
		// Bob keeps just his user deposit (held) and a little free balance.
		Balances::set_balance(&bob(), 10 + 50);
		assert_noop!(
			Media::register_media(
				RuntimeOrigin::signed(bob()),
				b"poor".to_vec(),
				None,
				None,
				vec![original(7, &bob())]
			),
			Error::<Test>::CannotPayDeposit
		);
		assert!(Media::media_by_hash(hash(7)).is_none());
	});
}

/// Sets `cluster`'s status as the admin would.
fn set_status(cluster: u32, status: pallet_topology::ClusterStatus) {
	assert_ok!(Topology::set_cluster_status(RuntimeOrigin::root(), cluster, status));
}

fn register_clusters(n: u32) {
	for id in 4..4 + n {
		assert_ok!(Topology::register_cluster(
			RuntimeOrigin::root(),
			account(60 + id as u8),
			cluster_pair(id).public().0,
			b"http://cluster".to_vec(),
			1 << 40,
		));
	}
}

#[test]
fn repairs_replace_clusters_that_stopped_serving_any_number_of_times() {
	use pallet_topology::ClusterStatus;
	new_test_ext().execute_with(|| {
		register_clusters(8);
		let id = register(alice(), "repair", vec![original(1, &alice())]);
		let size = 1001;
		let add = |clusters: &[u32]| {
			Media::add_receipts(
				RuntimeOrigin::signed(bob()),
				id,
				0,
				clusters.iter().map(|c| receipt(*c, hash(1), size, &alice())).collect(),
			)
		};
		// Fill the MaxReceipts (4) slots: clusters 0, 1, 2, 3.
		assert_ok!(add(&[2, 3]));
		// Clusters die one after another, each time a new one takes over: far more
		// repairs than MaxReceipts − ReplicationFactor.
		let mut holders = vec![0, 1, 2, 3];
		for (dead, fresh) in [(0, 4), (1, 5), (2, 6), (3, 7), (4, 8), (5, 9)] {
			set_status(dead, ClusterStatus::Retired);
			assert_ok!(add(&[fresh]));
			System::assert_last_event(
				Event::ReceiptsAdded {
					media_id: id,
					object_index: 0,
					clusters: vec![fresh],
					replaced: vec![dead],
				}
				.into(),
			);
			holders.retain(|c| *c != dead);
			holders.push(fresh);
			assert_eq!(Media::proof_of_existence(hash(1)).unwrap().clusters, holders);
		}
		// With room left, an Offline holder keeps its slot (it may come back)...
		set_status(6, ClusterStatus::Draining);
		let poe = Media::proof_of_existence(hash(1)).unwrap();
		assert_eq!(poe.clusters, holders, "a draining cluster still serves");
	});
}

#[test]
fn proof_of_existence_reports_only_clusters_that_still_serve() {
	use pallet_topology::ClusterStatus;
	new_test_ext().execute_with(|| {
		let id = register(alice(), "live", vec![original(1, &alice())]);
		assert_ok!(Media::add_receipts(
			RuntimeOrigin::signed(bob()),
			id,
			0,
			vec![receipt(2, hash(1), 1001, &alice())]
		));
		set_status(0, ClusterStatus::Retired);
		// Cluster 2 misses heartbeats and goes Offline.
		pallet_topology::Clusters::<Test>::mutate(2, |c| {
			c.as_mut().unwrap().status = ClusterStatus::Offline
		});
		assert_eq!(Media::proof_of_existence(hash(1)).unwrap().clusters, vec![1]);
		// The record keeps all three: the Offline one may come back.
		assert_eq!(
			crate::Media::<Test>::get(id).unwrap().objects[0].clusters.to_vec(),
			vec![0, 1, 2]
		);
		// And it cannot be "added" again while it holds the object.
		assert_noop!(
			Media::add_receipts(
				RuntimeOrigin::signed(bob()),
				id,
				0,
				vec![receipt(2, hash(1), 1001, &alice())]
			),
			Error::<Test>::ClusterAlreadyHolds
		);
	});
}

#[test]
fn the_media_of_a_block_are_found_by_bisection_with_their_originals() {
	use crate::MediaOfBlock;
	new_test_ext().execute_with(|| {
		// Blocks 1, 1, 1, 3, 4, 4 (none in block 2).
		let mut registered = Vec::new();
		for (n, block) in [(1u8, 1u64), (2, 1), (3, 1), (4, 3), (5, 4), (6, 4)] {
			System::set_block_number(block);
			let owner = if n % 2 == 0 { alice() } else { bob() };
			let thumb =
				object(ObjectKind::Thumbnail { width: 1, height: 1 }, 100 + n, &[0, 1], &owner);
			let id = register(owner.clone(), "x", vec![thumb, original(n, &owner)]);
			registered.push((id, hash(n), owner, block));
		}
		let of = |block: u64| {
			registered
				.iter()
				.filter(|e| e.3 == block)
				.map(|e| (e.0, e.1, e.2.clone()))
				.collect::<Vec<_>>()
		};
		for block in 0..6 {
			assert_eq!(Media::registered_in(block), of(block), "block {block}");
		}
		assert_eq!(Media::registered_at(3), Some(3));
		assert_eq!(Media::registered_at(6), None);
	});
}
