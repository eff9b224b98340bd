//! Benchmarks of the users pallet, each at the worst case of its bounds.

use super::*;
use crate::Pallet as Users;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::RawOrigin;
use paratii_primitives::{MediaId, MediaRegistry};
use sp_runtime::Saturating;

fn funded<T: Config>(who: &T::AccountId) {
	let amount = T::UserDeposit::get().saturating_mul(100u32.into())
		+ T::ReactionDeposit::get()
		+ T::FlagDeposit::get()
		+ T::Currency::minimum_balance();
	T::Currency::set_balance(who, amount);
}

fn registered<T: Config>(who: &T::AccountId) {
	funded::<T>(who);
	Users::<T>::do_register(who.clone(), vec![b'n'; T::MaxNameLen::get() as usize], None)
		.expect("funded");
}

/// `n` counted views of the window before the current one (moving to a later block if
/// the chain is still in its first window).
fn stale_views<T: Config>(n: u32) {
	let mut now = frame_system::Pallet::<T>::block_number();
	let window = T::ViewWindow::get().max(1u32.into());
	if now < window {
		now = window;
		frame_system::Pallet::<T>::set_block_number(now);
	}
	let past = Pallet::<T>::view_window(now.saturating_sub(window));
	for i in 0..n {
		ViewsSeen::<T>::insert(past, (MediaId::from(i), account::<T::AccountId>("past", i, 0)), ());
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		let caller: T::AccountId = whitelisted_caller();
		funded::<T>(&caller);
		let name = vec![b'n'; T::MaxNameLen::get() as usize];
		let cid = vec![b'c'; T::MaxProfileCidLen::get() as usize];

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), name, Some(cid));

		assert!(crate::Users::<T>::contains_key(&caller));
	}

	#[benchmark]
	fn update_profile() {
		let caller: T::AccountId = whitelisted_caller();
		registered::<T>(&caller);
		let name = vec![b'm'; T::MaxNameLen::get() as usize];
		let cid = vec![b'c'; T::MaxProfileCidLen::get() as usize];

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), name.clone(), Some(cid));

		assert_eq!(crate::Users::<T>::get(&caller).expect("registered").name.to_vec(), name);
	}

	#[benchmark]
	fn unregister() {
		let caller: T::AccountId = whitelisted_caller();
		registered::<T>(&caller);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(!crate::Users::<T>::contains_key(&caller));
	}

	#[benchmark]
	fn react() {
		let caller: T::AccountId = whitelisted_caller();
		registered::<T>(&caller);
		let media = T::Media::create_for_benchmark();
		// Worst case: a change of reaction, which updates both counters and the record.
		Reactions::<T>::insert(media, &caller, Reaction::Like);
		ReactionCounts::<T>::insert(media, ReactionTally { likes: 1, dislikes: 0 });

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), media, Reaction::Dislike);

		assert_eq!(ReactionCounts::<T>::get(media), ReactionTally { likes: 0, dislikes: 1 });
	}

	#[benchmark]
	fn flag() {
		let caller: T::AccountId = whitelisted_caller();
		registered::<T>(&caller);
		let media = T::Media::create_for_benchmark();
		// Worst case: this flag reaches the threshold and emits a second event.
		FlagCount::<T>::insert(media, T::FlagThreshold::get().saturating_sub(1));
		let reason = vec![b'r'; T::MaxFlagReasonLen::get() as usize];

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), media, reason);

		assert_eq!(FlagCount::<T>::get(media), T::FlagThreshold::get());
	}

	/// `v` views, each of its own media item by its own registered viewer, all counted,
	/// with `v` pairs of a past window to remove first (the costliest path: every view
	/// reads the viewer's registration, writes its window entry and its counter, and
	/// removes one past entry).
	#[benchmark]
	fn record_views(v: Linear<1, { T::MaxViewBatch::get() }>) {
		let recorder: T::AccountId = whitelisted_caller();
		ViewRecorders::<T>::insert(&recorder, ());
		let views: Vec<_> = (0..v)
			.map(|i| {
				let viewer = account::<T::AccountId>("viewer", i, 0);
				registered::<T>(&viewer);
				(T::Media::create_for_benchmark(), viewer)
			})
			.collect();
		stale_views::<T>(v);
		let first = views[0].0;
		let views = ViewBatchOf::<T>::try_from(views).expect("v <= MaxViewBatch");

		#[extrinsic_call]
		_(RawOrigin::Signed(recorder), views);

		assert_eq!(Views::<T>::get(first), 1);
		assert_eq!(ViewsSeen::<T>::iter().count(), v as usize);
	}

	/// Removing `n` pairs of past windows (what `on_idle` does with spare weight).
	#[benchmark]
	fn prune_views(n: Linear<1, MAX_IDLE_PRUNE>) {
		stale_views::<T>(n);

		#[block]
		{
			assert_eq!(Pallet::<T>::prune_views(n), n);
		}

		assert_eq!(ViewsSeen::<T>::iter().count(), 0);
	}

	#[benchmark]
	fn unflag() -> Result<(), BenchmarkError> {
		let caller: T::AccountId = whitelisted_caller();
		registered::<T>(&caller);
		let media = T::Media::create_for_benchmark();
		Pallet::<T>::flag(
			RawOrigin::Signed(caller.clone()).into(),
			media,
			vec![b'r'; T::MaxFlagReasonLen::get() as usize],
		)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), media);

		assert!(!Flags::<T>::contains_key(media, &caller));
		Ok(())
	}

	#[benchmark]
	fn add_view_recorder() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let who: T::AccountId = account("recorder", 0, 0);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(ViewRecorders::<T>::contains_key(&who));
		Ok(())
	}

	#[benchmark]
	fn remove_view_recorder() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let who: T::AccountId = account("recorder", 0, 0);
		ViewRecorders::<T>::insert(&who, ());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(!ViewRecorders::<T>::contains_key(&who));
		Ok(())
	}

	impl_benchmark_test_suite!(Users, crate::mock::new_test_ext(), crate::mock::Test);
}
