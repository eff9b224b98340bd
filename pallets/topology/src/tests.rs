//! The topology pallet's behaviour, one test per rule.

use crate::{
	mock::*, ActiveClusters, ClusterByKey, ClusterStatus, Clusters, CurrentRingEpoch, Error, Event,
};
use frame_support::{assert_noop, assert_ok};
use paratii_primitives::ClusterRegistry;
use sp_runtime::DispatchError;

const OPERATOR: u64 = 7;
const KEY: [u8; 32] = [1; 32];

fn register(key: [u8; 32]) -> u32 {
	let id = crate::NextClusterId::<Test>::get();
	assert_ok!(Topology::register_cluster(
		RuntimeOrigin::root(),
		OPERATOR,
		key,
		b"https://cluster.example:4001".to_vec(),
		1_000_000,
	));
	id
}

fn active_ids() -> Vec<u32> {
	ActiveClusters::<Test>::get().iter().map(|(id, _)| *id).collect()
}

#[test]
fn register_cluster_makes_it_active_and_bumps_the_epoch() {
	new_test_ext().execute_with(|| {
		let id = register(KEY);
		assert_eq!(id, 0);
		let c = Clusters::<Test>::get(id).unwrap();
		assert_eq!((c.operator, c.public_key, c.status), (OPERATOR, KEY, ClusterStatus::Active));
		assert_eq!(c.capacity_bytes, 1_000_000);
		assert_eq!(ClusterByKey::<Test>::get(KEY), Some(id));
		assert_eq!(active_ids(), vec![0]);
		assert_eq!(CurrentRingEpoch::<Test>::get(), 1);
		System::assert_has_event(
			Event::ClusterRegistered { cluster_id: 0, operator: OPERATOR, public_key: KEY }.into(),
		);
		System::assert_last_event(Event::RingEpochChanged { epoch: 1, active_clusters: 1 }.into());
		assert_eq!(register([2; 32]), 1, "ids are sequential");
		assert_eq!(Topology::active_cluster_key(1), Some([2; 32]));
	});
}

#[test]
fn register_cluster_needs_the_admin_origin() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Topology::register_cluster(
				RuntimeOrigin::signed(OPERATOR),
				OPERATOR,
				KEY,
				b"x".to_vec(),
				1
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn register_cluster_rejects_bad_input() {
	new_test_ext().execute_with(|| {
		let root = || RuntimeOrigin::root();
		assert_noop!(
			Topology::register_cluster(root(), OPERATOR, KEY, vec![b'x'; 65], 1),
			Error::<Test>::EndpointTooLong
		);
		assert_noop!(
			Topology::register_cluster(root(), OPERATOR, KEY, vec![], 1),
			Error::<Test>::EmptyEndpoint
		);
		assert_noop!(
			Topology::register_cluster(root(), OPERATOR, KEY, b"x".to_vec(), 0),
			Error::<Test>::ZeroCapacity
		);
		register(KEY);
		assert_noop!(
			Topology::register_cluster(root(), OPERATOR, KEY, b"x".to_vec(), 1),
			Error::<Test>::KeyInUse
		);
	});
}

#[test]
fn register_cluster_stops_at_max_clusters() {
	new_test_ext().execute_with(|| {
		for i in 0..MAX_CLUSTERS {
			register([i as u8 + 10; 32]);
		}
		assert_noop!(
			Topology::register_cluster(RuntimeOrigin::root(), OPERATOR, KEY, b"x".to_vec(), 1),
			Error::<Test>::TooManyClusters
		);
	});
}

#[test]
fn heartbeat_records_usage_and_liveness() {
	new_test_ext().execute_with(|| {
		let id = register(KEY);
		run_to_block(5);
		assert_ok!(Topology::heartbeat(RuntimeOrigin::signed(OPERATOR), id, 500));
		let c = Clusters::<Test>::get(id).unwrap();
		assert_eq!((c.used_bytes, c.last_heartbeat), (500, 5));
		assert_eq!(ActiveClusters::<Test>::get().to_vec(), vec![(id, 5)]);
	});
}

#[test]
fn heartbeat_rejects_strangers_unknown_clusters_and_overuse() {
	new_test_ext().execute_with(|| {
		let id = register(KEY);
		assert_noop!(
			Topology::heartbeat(RuntimeOrigin::signed(99), id, 1),
			Error::<Test>::NotOperator
		);
		assert_noop!(
			Topology::heartbeat(RuntimeOrigin::signed(OPERATOR), 42, 1),
			Error::<Test>::UnknownCluster
		);
		assert_noop!(
			Topology::heartbeat(RuntimeOrigin::signed(OPERATOR), id, 1_000_001),
			Error::<Test>::UsageExceedsCapacity
		);
	});
}

#[test]
fn silent_clusters_go_offline_and_come_back_on_heartbeat() {
	new_test_ext().execute_with(|| {
		let a = register(KEY);
		let b = register([2; 32]);
		run_to_block(1 + TIMEOUT);
		assert_ok!(Topology::heartbeat(RuntimeOrigin::signed(OPERATOR), b, 0));
		let epoch = CurrentRingEpoch::<Test>::get();
		assert_eq!(active_ids(), vec![a, b], "not yet past the timeout");

		run_to_block(2 + TIMEOUT);
		assert_eq!(Clusters::<Test>::get(a).unwrap().status, ClusterStatus::Offline);
		assert_eq!(active_ids(), vec![b]);
		assert_eq!(CurrentRingEpoch::<Test>::get(), epoch + 1);
		assert_eq!(Topology::active_cluster_key(a), None, "offline clusters sign no receipts");
		System::assert_has_event(
			Event::ClusterStatusChanged { cluster_id: a, status: ClusterStatus::Offline }.into(),
		);

		assert_ok!(Topology::heartbeat(RuntimeOrigin::signed(OPERATOR), a, 0));
		assert_eq!(Clusters::<Test>::get(a).unwrap().status, ClusterStatus::Active);
		assert_eq!(active_ids(), vec![a, b], "back in id order");
		assert_eq!(CurrentRingEpoch::<Test>::get(), epoch + 2);
	});
}

#[test]
fn admin_drains_reactivates_and_retires_clusters() {
	new_test_ext().execute_with(|| {
		let id = register(KEY);
		assert_ok!(Topology::set_cluster_status(
			RuntimeOrigin::root(),
			id,
			ClusterStatus::Draining
		));
		assert!(active_ids().is_empty());
		assert_eq!(CurrentRingEpoch::<Test>::get(), 2);
		System::assert_has_event(
			Event::ClusterStatusChanged { cluster_id: id, status: ClusterStatus::Draining }.into(),
		);
		assert_ok!(Topology::set_cluster_status(RuntimeOrigin::root(), id, ClusterStatus::Active));
		assert_eq!(active_ids(), vec![id]);
		assert_ok!(Topology::set_cluster_status(RuntimeOrigin::root(), id, ClusterStatus::Retired));
		assert!(active_ids().is_empty());
		assert_noop!(
			Topology::set_cluster_status(RuntimeOrigin::root(), id, ClusterStatus::Active),
			Error::<Test>::ClusterRetired
		);
		assert_noop!(
			Topology::heartbeat(RuntimeOrigin::signed(OPERATOR), id, 0),
			Error::<Test>::ClusterRetired
		);
	});
}

#[test]
fn set_cluster_status_rejects_offline_unchanged_and_strangers() {
	new_test_ext().execute_with(|| {
		let id = register(KEY);
		assert_noop!(
			Topology::set_cluster_status(RuntimeOrigin::root(), id, ClusterStatus::Offline),
			Error::<Test>::CannotSetOffline
		);
		assert_noop!(
			Topology::set_cluster_status(RuntimeOrigin::root(), id, ClusterStatus::Active),
			Error::<Test>::StatusUnchanged
		);
		assert_noop!(
			Topology::set_cluster_status(RuntimeOrigin::root(), 9, ClusterStatus::Draining),
			Error::<Test>::UnknownCluster
		);
		assert_noop!(
			Topology::set_cluster_status(
				RuntimeOrigin::signed(OPERATOR),
				id,
				ClusterStatus::Draining
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn rotate_key_replaces_the_signing_key() {
	new_test_ext().execute_with(|| {
		let id = register(KEY);
		assert_ok!(Topology::rotate_key(RuntimeOrigin::signed(OPERATOR), id, [9; 32]));
		assert_eq!(Clusters::<Test>::get(id).unwrap().public_key, [9; 32]);
		assert_eq!(ClusterByKey::<Test>::get([9; 32]), Some(id));
		assert_eq!(ClusterByKey::<Test>::get(KEY), None, "the old key is free again");
		assert_eq!(Topology::active_cluster_key(id), Some([9; 32]));
		System::assert_last_event(Event::KeyRotated { cluster_id: id, public_key: [9; 32] }.into());
	});
}

#[test]
fn rotate_key_rejects_strangers_and_keys_in_use() {
	new_test_ext().execute_with(|| {
		let id = register(KEY);
		register([2; 32]);
		assert_noop!(
			Topology::rotate_key(RuntimeOrigin::signed(99), id, [9; 32]),
			Error::<Test>::NotOperator
		);
		assert_noop!(
			Topology::rotate_key(RuntimeOrigin::signed(OPERATOR), id, [2; 32]),
			Error::<Test>::KeyInUse
		);
		assert_noop!(
			Topology::rotate_key(RuntimeOrigin::signed(OPERATOR), id, KEY),
			Error::<Test>::SameKey
		);
	});
}

#[test]
fn ring_lists_the_active_clusters_of_the_epoch() {
	new_test_ext().execute_with(|| {
		let a = register(KEY);
		let b = register([2; 32]);
		assert_ok!(Topology::set_cluster_status(RuntimeOrigin::root(), a, ClusterStatus::Draining));
		let (epoch, clusters) = Topology::ring();
		assert_eq!(epoch, 3);
		assert_eq!(clusters.iter().map(|c| c.id).collect::<Vec<_>>(), vec![b]);
		assert_eq!(clusters[0].endpoint, b"https://cluster.example:4001".to_vec());
	});
}

#[test]
fn genesis_registers_active_clusters() {
	use sp_runtime::BuildStorage;
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		topology: crate::GenesisConfig {
			clusters: vec![
				(1, [1; 32], b"http://a".to_vec(), 10),
				(2, [2; 32], b"http://b".to_vec(), 10),
			],
		},
	}
	.build_storage()
	.unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		assert_eq!(active_ids(), vec![0, 1]);
		assert_eq!(Clusters::<Test>::get(1).unwrap().operator, 2);
	});
}
