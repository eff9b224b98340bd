//! Benchmarks of the topology pallet, each at the worst case of its bounds.

use super::*;
use crate::Pallet as Topology;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{EnsureOrigin, Get, Hooks};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use paratii_primitives::ClusterId;

fn key(i: u32) -> [u8; 32] {
	let mut k = [0u8; 32];
	k[..4].copy_from_slice(&i.to_le_bytes());
	k[31] = 0xff;
	k
}

/// Registers clusters run by `operator` until `total` exist (genesis ones count), and
/// returns the id of the last one registered.
fn fill<T: Config>(total: u32, operator: &T::AccountId) -> ClusterId {
	let endpoint: EndpointOf<T> =
		vec![b'x'; T::MaxEndpointLen::get() as usize].try_into().expect("fits the bound");
	let mut last = 0;
	while NextClusterId::<T>::get() < total {
		let i = NextClusterId::<T>::get();
		last = Topology::<T>::do_register(operator.clone(), key(i), endpoint.clone(), u64::MAX)
			.expect("room for the cluster");
	}
	last
}

/// Registers one more cluster run by `operator` after filling up to `total - 1`.
fn last_cluster<T: Config>(total: u32, operator: &T::AccountId) -> ClusterId {
	fill::<T>(total.saturating_sub(1), operator);
	fill::<T>(NextClusterId::<T>::get() + 1, operator)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_cluster() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let operator: T::AccountId = whitelisted_caller();
		// Worst case: the active list is one short of full.
		fill::<T>(T::MaxClusters::get() - 1, &operator);
		let endpoint = vec![b'x'; T::MaxEndpointLen::get() as usize];
		let new_key = key(u32::MAX);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, operator, new_key, endpoint, u64::MAX);

		assert_eq!(ClusterByKey::<T>::get(new_key), Some(T::MaxClusters::get() - 1));
		Ok(())
	}

	#[benchmark]
	fn heartbeat() {
		let operator: T::AccountId = whitelisted_caller();
		let id = last_cluster::<T>(T::MaxClusters::get(), &operator);
		// Worst case: the cluster was offline and goes back into the full active list.
		Clusters::<T>::mutate(id, |c| {
			c.as_mut().expect("registered").status = ClusterStatus::Offline
		});
		ActiveClusters::<T>::mutate(|a| a.retain(|(i, _)| *i != id));

		#[extrinsic_call]
		_(RawOrigin::Signed(operator), id, 1);

		assert_eq!(Clusters::<T>::get(id).expect("registered").status, ClusterStatus::Active);
	}

	#[benchmark]
	fn set_cluster_status() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let operator: T::AccountId = whitelisted_caller();
		let id = last_cluster::<T>(T::MaxClusters::get(), &operator);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, ClusterStatus::Draining);

		assert_eq!(Clusters::<T>::get(id).expect("registered").status, ClusterStatus::Draining);
		Ok(())
	}

	#[benchmark]
	fn rotate_key() {
		let operator: T::AccountId = whitelisted_caller();
		let id = last_cluster::<T>(NextClusterId::<T>::get() + 1, &operator);
		let new_key = key(u32::MAX);

		#[extrinsic_call]
		_(RawOrigin::Signed(operator), id, new_key);

		assert_eq!(ClusterByKey::<T>::get(new_key), Some(id));
	}

	/// A block in which no cluster times out: one read of the active list, full.
	#[benchmark]
	fn on_initialize_idle() {
		let operator: T::AccountId = whitelisted_caller();
		fill::<T>(T::MaxClusters::get(), &operator);
		let now: BlockNumberFor<T> = frame_system::Pallet::<T>::block_number();

		#[block]
		{
			Topology::<T>::on_initialize(now);
		}

		assert_eq!(ActiveClusters::<T>::decode_len(), Some(T::MaxClusters::get() as usize));
	}

	/// A block in which `c` clusters time out at once.
	#[benchmark]
	fn on_initialize_offline(c: Linear<1, { T::MaxClusters::get() }>) {
		let operator: T::AccountId = whitelisted_caller();
		fill::<T>(T::MaxClusters::get(), &operator);
		let later =
			frame_system::Pallet::<T>::block_number() + T::HeartbeatTimeout::get() + 1u32.into();
		// Keep all but `c` clusters fresh.
		ActiveClusters::<T>::mutate(|a| {
			for (i, entry) in a.iter_mut().enumerate() {
				if i as u32 >= c {
					entry.1 = later;
				}
			}
		});

		#[block]
		{
			Topology::<T>::on_initialize(later);
		}

		assert_eq!(ActiveClusters::<T>::decode_len(), Some((T::MaxClusters::get() - c) as usize));
	}

	impl_benchmark_test_suite!(Topology, crate::mock::new_test_ext(), crate::mock::Test);
}
