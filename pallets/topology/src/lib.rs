//! # Topology pallet
//!
//! The storage clusters of Paratii chain: who runs them, where they listen, which key
//! signs their storage receipts, and whether they are up. The media pallet accepts an
//! object only with receipts signed by the keys of `Active` clusters registered here,
//! and the gateway places objects on the active clusters of the current
//! [`RingEpoch`](paratii_primitives::RingEpoch) (consistent hashing, in
//! `paratii_primitives::placement`).
//!
//! ## Cluster lifecycle
//!
//! `register_cluster` (admin) → `Active`. A cluster proves liveness with `heartbeat`
//! (signed by its operator); one silent for `HeartbeatTimeout` blocks goes `Offline`
//! by itself (checked in `on_initialize`, the seed design's Observer) and is back
//! `Active` on its next heartbeat. The admin may set `Draining` (no new objects),
//! `Active` again, or `Retired` (final). Every change of the set of active clusters
//! bumps the ring epoch.
//!
//! ## Calls
//!
//! - `register_cluster(operator, public_key, endpoint, capacity_bytes)` — admin origin.
//! - `heartbeat(cluster_id, used_bytes)` — the cluster's operator.
//! - `set_cluster_status(cluster_id, status)` — admin origin.
//! - `rotate_key(cluster_id, new_key)` — the cluster's operator.
//!
//! ## Runtime API
//!
//! [`TopologyApi::ring`](runtime_api::TopologyApi) returns the current epoch and the
//! active clusters.

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
mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use paratii_primitives::{ClusterId, ClusterKey, RingEpoch};
	use sp_runtime::traits::Saturating;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// Who may register clusters and change their status (root or the council).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Most clusters that may ever be registered, retired ones included.
		#[pallet::constant]
		type MaxClusters: Get<u32>;
		/// Longest endpoint (URL) a cluster may advertise, in bytes.
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;
		/// Blocks without a heartbeat after which an active cluster goes offline.
		#[pallet::constant]
		type HeartbeatTimeout: Get<BlockNumberFor<Self>>;
		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// A cluster as stored.
	pub type ClusterOf<T> =
		ClusterInfo<<T as frame_system::Config>::AccountId, BlockNumberFor<T>, EndpointOf<T>>;
	/// A bounded endpoint.
	pub type EndpointOf<T> = BoundedVec<u8, <T as Config>::MaxEndpointLen>;

	/// The id the next registered cluster gets.
	#[pallet::storage]
	pub type NextClusterId<T> = StorageValue<_, ClusterId, ValueQuery>;

	/// Every registered cluster, by id.
	#[pallet::storage]
	pub type Clusters<T: Config> = StorageMap<_, Twox64Concat, ClusterId, ClusterOf<T>>;

	/// Which cluster uses a public key: keys are unique across clusters.
	#[pallet::storage]
	pub type ClusterByKey<T> = StorageMap<_, Blake2_128Concat, ClusterKey, ClusterId>;

	/// The active clusters, sorted by id, with the block of their last heartbeat: one
	/// read per block finds those that timed out.
	#[pallet::storage]
	pub type ActiveClusters<T: Config> =
		StorageValue<_, BoundedVec<(ClusterId, BlockNumberFor<T>), T::MaxClusters>, ValueQuery>;

	/// Version of the set of active clusters; bumped on every change of that set.
	#[pallet::storage]
	pub type CurrentRingEpoch<T> = StorageValue<_, RingEpoch, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Clusters active from genesis: `(operator, public key, endpoint, capacity)`.
		pub clusters: Vec<(T::AccountId, ClusterKey, Vec<u8>, u64)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (operator, key, endpoint, capacity) in &self.clusters {
				let endpoint: EndpointOf<T> =
					endpoint.clone().try_into().expect("genesis endpoint too long");
				Pallet::<T>::do_register(operator.clone(), *key, endpoint, *capacity)
					.expect("genesis clusters are valid");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A cluster was registered, active from now.
		ClusterRegistered { cluster_id: ClusterId, operator: T::AccountId, public_key: ClusterKey },
		/// A cluster's status changed.
		ClusterStatusChanged { cluster_id: ClusterId, status: ClusterStatus },
		/// A cluster's operator rotated its signing key.
		KeyRotated { cluster_id: ClusterId, public_key: ClusterKey },
		/// The set of active clusters changed: placement uses the new epoch from now.
		RingEpochChanged { epoch: RingEpoch, active_clusters: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No cluster has this id.
		UnknownCluster,
		/// This public key is already used by a cluster; every cluster needs its own.
		KeyInUse,
		/// The registry is full (`MaxClusters`): retire nothing frees room, ask governance.
		TooManyClusters,
		/// The endpoint is longer than `MaxEndpointLen` bytes.
		EndpointTooLong,
		/// The endpoint is empty.
		EmptyEndpoint,
		/// The capacity must be more than zero bytes.
		ZeroCapacity,
		/// Only the cluster's operator may do this.
		NotOperator,
		/// The cluster is retired; retirement is final.
		ClusterRetired,
		/// The reported usage is above the cluster's registered capacity.
		UsageExceedsCapacity,
		/// `Offline` is set by missed heartbeats only, not by the admin.
		CannotSetOffline,
		/// The cluster already has this status.
		StatusUnchanged,
		/// The new key is the cluster's current key.
		SameKey,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let active = ActiveClusters::<T>::get();
			let timeout = T::HeartbeatTimeout::get();
			let expired: Vec<ClusterId> = active
				.iter()
				.filter(|(_, last)| now.saturating_sub(*last) > timeout)
				.map(|(id, _)| *id)
				.collect();
			if expired.is_empty() {
				return T::WeightInfo::on_initialize_idle();
			}
			for id in &expired {
				Clusters::<T>::mutate(id, |c| {
					if let Some(c) = c {
						c.status = ClusterStatus::Offline;
					}
				});
				Self::deposit_event(Event::ClusterStatusChanged {
					cluster_id: *id,
					status: ClusterStatus::Offline,
				});
			}
			ActiveClusters::<T>::mutate(|a| a.retain(|(id, _)| !expired.contains(id)));
			Self::bump_epoch();
			T::WeightInfo::on_initialize_offline(expired.len() as u32)
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers a storage cluster run by `operator`, signing receipts with
		/// `public_key` (ed25519), reachable at `endpoint`. It is `Active` at once.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_cluster())]
		pub fn register_cluster(
			origin: OriginFor<T>,
			operator: T::AccountId,
			public_key: ClusterKey,
			endpoint: Vec<u8>,
			capacity_bytes: u64,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			let endpoint: EndpointOf<T> =
				endpoint.try_into().map_err(|_| Error::<T>::EndpointTooLong)?;
			Self::do_register(operator, public_key, endpoint, capacity_bytes).map(|_| ())
		}

		/// Reports that the cluster is alive and how many bytes it stores. Brings an
		/// `Offline` cluster back to `Active`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::heartbeat())]
		pub fn heartbeat(
			origin: OriginFor<T>,
			cluster_id: ClusterId,
			used_bytes: u64,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_heartbeat(who, cluster_id, used_bytes)
		}

		/// Sets a cluster `Active`, `Draining` or `Retired` (final).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_cluster_status())]
		pub fn set_cluster_status(
			origin: OriginFor<T>,
			cluster_id: ClusterId,
			status: ClusterStatus,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_status(cluster_id, status)
		}

		/// Replaces the cluster's receipt-signing key. Receipts signed with the old key
		/// are no longer accepted.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::rotate_key())]
		pub fn rotate_key(
			origin: OriginFor<T>,
			cluster_id: ClusterId,
			new_key: ClusterKey,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_rotate_key(who, cluster_id, new_key)
		}
	}

	impl<T: Config> Pallet<T> {
		pub(crate) fn do_register(
			operator: T::AccountId,
			public_key: ClusterKey,
			endpoint: EndpointOf<T>,
			capacity_bytes: u64,
		) -> Result<ClusterId, DispatchError> {
			ensure!(!endpoint.is_empty(), Error::<T>::EmptyEndpoint);
			ensure!(capacity_bytes > 0, Error::<T>::ZeroCapacity);
			ensure!(!ClusterByKey::<T>::contains_key(public_key), Error::<T>::KeyInUse);
			let cluster_id = NextClusterId::<T>::get();
			ensure!(cluster_id < T::MaxClusters::get(), Error::<T>::TooManyClusters);
			let now = frame_system::Pallet::<T>::block_number();

			let mut active = ActiveClusters::<T>::get();
			// Ids grow, so pushing keeps the list sorted.
			active.try_push((cluster_id, now)).map_err(|_| Error::<T>::TooManyClusters)?;

			Clusters::<T>::insert(
				cluster_id,
				ClusterInfo {
					operator: operator.clone(),
					public_key,
					endpoint,
					capacity_bytes,
					used_bytes: 0,
					status: ClusterStatus::Active,
					registered_at: now,
					last_heartbeat: now,
				},
			);
			ClusterByKey::<T>::insert(public_key, cluster_id);
			ActiveClusters::<T>::put(active);
			NextClusterId::<T>::put(cluster_id + 1);
			Self::deposit_event(Event::ClusterRegistered { cluster_id, operator, public_key });
			Self::bump_epoch();
			Ok(cluster_id)
		}

		fn do_heartbeat(who: T::AccountId, cluster_id: ClusterId, used: u64) -> DispatchResult {
			let mut cluster = Clusters::<T>::get(cluster_id).ok_or(Error::<T>::UnknownCluster)?;
			ensure!(cluster.operator == who, Error::<T>::NotOperator);
			ensure!(cluster.status != ClusterStatus::Retired, Error::<T>::ClusterRetired);
			ensure!(used <= cluster.capacity_bytes, Error::<T>::UsageExceedsCapacity);
			let now = frame_system::Pallet::<T>::block_number();
			cluster.used_bytes = used;
			cluster.last_heartbeat = now;
			match cluster.status {
				ClusterStatus::Offline => {
					cluster.status = ClusterStatus::Active;
					Self::activate(cluster_id, now)?;
					Self::deposit_event(Event::ClusterStatusChanged {
						cluster_id,
						status: ClusterStatus::Active,
					});
				},
				ClusterStatus::Active => ActiveClusters::<T>::mutate(|active| {
					if let Ok(i) = active.binary_search_by_key(&cluster_id, |(id, _)| *id) {
						active[i].1 = now;
					}
				}),
				ClusterStatus::Draining | ClusterStatus::Retired => {},
			}
			Clusters::<T>::insert(cluster_id, cluster);
			Ok(())
		}

		fn do_set_status(cluster_id: ClusterId, status: ClusterStatus) -> DispatchResult {
			ensure!(status != ClusterStatus::Offline, Error::<T>::CannotSetOffline);
			let mut cluster = Clusters::<T>::get(cluster_id).ok_or(Error::<T>::UnknownCluster)?;
			ensure!(cluster.status != ClusterStatus::Retired, Error::<T>::ClusterRetired);
			ensure!(cluster.status != status, Error::<T>::StatusUnchanged);
			let was_active = cluster.status == ClusterStatus::Active;
			cluster.status = status;
			if status == ClusterStatus::Active {
				// An admin re-activation counts as a heartbeat.
				let now = frame_system::Pallet::<T>::block_number();
				cluster.last_heartbeat = now;
				Self::activate(cluster_id, now)?;
			} else if was_active {
				ActiveClusters::<T>::mutate(|a| a.retain(|(id, _)| *id != cluster_id));
				Self::bump_epoch();
			}
			Clusters::<T>::insert(cluster_id, cluster);
			Self::deposit_event(Event::ClusterStatusChanged { cluster_id, status });
			Ok(())
		}

		fn do_rotate_key(
			who: T::AccountId,
			cluster_id: ClusterId,
			key: ClusterKey,
		) -> DispatchResult {
			let mut cluster = Clusters::<T>::get(cluster_id).ok_or(Error::<T>::UnknownCluster)?;
			ensure!(cluster.operator == who, Error::<T>::NotOperator);
			ensure!(cluster.status != ClusterStatus::Retired, Error::<T>::ClusterRetired);
			ensure!(cluster.public_key != key, Error::<T>::SameKey);
			ensure!(!ClusterByKey::<T>::contains_key(key), Error::<T>::KeyInUse);
			ClusterByKey::<T>::remove(cluster.public_key);
			ClusterByKey::<T>::insert(key, cluster_id);
			cluster.public_key = key;
			Clusters::<T>::insert(cluster_id, cluster);
			Self::deposit_event(Event::KeyRotated { cluster_id, public_key: key });
			Ok(())
		}

		/// Adds a cluster to the active set (sorted) and bumps the epoch.
		fn activate(cluster_id: ClusterId, now: BlockNumberFor<T>) -> DispatchResult {
			ActiveClusters::<T>::try_mutate(|active| -> DispatchResult {
				if let Err(i) = active.binary_search_by_key(&cluster_id, |(id, _)| *id) {
					active
						.try_insert(i, (cluster_id, now))
						.map_err(|_| Error::<T>::TooManyClusters)?;
				}
				Ok(())
			})?;
			Self::bump_epoch();
			Ok(())
		}

		fn bump_epoch() {
			let epoch = CurrentRingEpoch::<T>::mutate(|e| {
				*e = e.wrapping_add(1);
				*e
			});
			let active_clusters = ActiveClusters::<T>::decode_len().unwrap_or(0) as u32;
			Self::deposit_event(Event::RingEpochChanged { epoch, active_clusters });
		}

		/// The current epoch and its active clusters, in id order (for `TopologyApi`).
		pub fn ring() -> (RingEpoch, Vec<ClusterView<T::AccountId, BlockNumberFor<T>>>) {
			let clusters = ActiveClusters::<T>::get()
				.iter()
				.filter_map(|(id, _)| Clusters::<T>::get(id).map(|c| c.view(*id)))
				.collect();
			(CurrentRingEpoch::<T>::get(), clusters)
		}

		/// One cluster, whatever its status.
		pub fn cluster(id: ClusterId) -> Option<ClusterView<T::AccountId, BlockNumberFor<T>>> {
			Clusters::<T>::get(id).map(|c| c.view(id))
		}
	}

	impl<T: Config> paratii_primitives::ClusterRegistry for Pallet<T> {
		fn active_cluster_key(cluster: ClusterId) -> Option<ClusterKey> {
			Clusters::<T>::get(cluster)
				.filter(|c| c.status == ClusterStatus::Active)
				.map(|c| c.public_key)
		}

		fn is_serving(cluster: ClusterId) -> bool {
			Clusters::<T>::get(cluster).is_some_and(|c| {
				matches!(c.status, ClusterStatus::Active | ClusterStatus::Draining)
			})
		}

		#[cfg(feature = "runtime-benchmarks")]
		fn register_for_benchmark(key: ClusterKey) -> ClusterId {
			let operator: T::AccountId = frame_benchmarking::account("operator", 0, 0);
			let endpoint: EndpointOf<T> =
				alloc::vec![b'x'; T::MaxEndpointLen::get() as usize].try_into().expect("fits");
			Self::do_register(operator, key, endpoint, u64::MAX).expect("room for a cluster")
		}

		#[cfg(feature = "runtime-benchmarks")]
		fn retire_for_benchmark(cluster: ClusterId) {
			Clusters::<T>::mutate(cluster, |c| {
				if let Some(c) = c {
					c.status = ClusterStatus::Retired;
				}
			});
		}
	}
}
