//! Benchmarks of the micropay pallet, each on its most expensive path: settlements of
//! the most vouchers, each a new item paying its owner and the fund; closes removing the
//! most settled items.

use super::*;
use crate::Pallet as Micropay;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, Get},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use paratii_primitives::MediaOwnership;
use sp_core::{crypto::KeyTypeId, sr25519};
use sp_runtime::{traits::Saturating, SaturatedConversion};

const KEY_TYPE: KeyTypeId = KeyTypeId(*b"mpay");

/// A lot of PTI: enough for any benchmark, far from overflow (also of a test
/// runtime's `u64` balances).
fn plenty<T: Config>() -> BalanceOf<T> {
	(1u128 << 60).saturated_into()
}

fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who: T::AccountId = account(name, i, 0);
	T::Currency::set_balance(&who, plenty::<T>());
	who
}

/// A channel from a funded payer to a funded hub, signed by a keystore key.
fn channel<T: Config>() -> (ChannelId, T::AccountId, T::AccountId, sr25519::Public) {
	let (payer, hub) = (funded::<T>("payer", 0), funded::<T>("hub", 0));
	let signer = sp_io::crypto::sr25519_generate(KEY_TYPE, None);
	let expires_at = frame_system::Pallet::<T>::block_number().saturating_add(10u32.into());
	let deposit: BalanceOf<T> = (1u128 << 50).saturated_into();
	Micropay::<T>::open(
		RawOrigin::Signed(payer.clone()).into(),
		hub.clone(),
		signer,
		deposit,
		expires_at,
	)
	.expect("a funded payer opens");
	(NextChannelId::<T>::get() - 1, payer, hub, signer)
}

/// `n` vouchers of channel `id` for `n` new items of funded owners.
fn vouchers<T: Config>(id: ChannelId, signer: &sr25519::Public, n: u32) -> Vec<VoucherOf<T>> {
	(0..n)
		.map(|i| {
			let owner = funded::<T>("owner", i);
			let media = T::Media::create_owned_for_benchmark(&owner);
			let cumulative: BalanceOf<T> = (1u128 << 30).saturated_into();
			let payload = Micropay::<T>::voucher_payload(id, media, cumulative.saturated_into());
			let signature = sp_io::crypto::sr25519_sign(KEY_TYPE, signer, &payload)
				.expect("the key is in the keystore");
			Voucher { media, cumulative, signature }
		})
		.collect()
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn open() {
		let (payer, hub) = (funded::<T>("payer", 0), funded::<T>("hub", 0));
		let signer = sp_io::crypto::sr25519_generate(KEY_TYPE, None);
		let expires_at = frame_system::Pallet::<T>::block_number().saturating_add(10u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(payer), hub, signer, plenty::<T>() / 4u32.into(), expires_at);
		assert!(Channels::<T>::contains_key(0));
	}

	#[benchmark]
	fn top_up() {
		let (id, payer, ..) = channel::<T>();
		let later: BlockNumberFor<T> =
			frame_system::Pallet::<T>::block_number().saturating_add(20u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(payer), id, 1_000u32.into(), Some(later));
		assert_eq!(Channels::<T>::get(id).map(|c| c.expires_at), Some(later));
	}

	#[benchmark]
	fn settle(n: Linear<1, { T::MaxVouchersPerSettlement::get() }>) {
		let (id, _, hub, signer) = channel::<T>();
		let vouchers =
			BoundedVec::try_from(vouchers::<T>(id, &signer, n)).expect("n is within the bound");
		#[extrinsic_call]
		_(RawOrigin::Signed(hub), id, vouchers);
		assert_eq!(Channels::<T>::get(id).map(|c| c.media_count), Some(n));
	}

	#[benchmark]
	fn close(m: Linear<0, { T::MaxMediaPerChannel::get() }>) {
		let (id, _, hub, signer) = channel::<T>();
		let batch = T::MaxVouchersPerSettlement::get().max(1);
		let all = vouchers::<T>(id, &signer, m);
		for chunk in all.chunks(batch as usize) {
			let vouchers =
				BoundedVec::try_from(chunk.to_vec()).expect("a chunk is within the bound");
			Micropay::<T>::settle(RawOrigin::Signed(hub.clone()).into(), id, vouchers)
				.expect("valid vouchers");
		}
		// The hub's cooperative close: the same work as the payer's after the challenge.
		#[extrinsic_call]
		release(RawOrigin::Signed(hub), id);
		assert!(!Channels::<T>::contains_key(id));
	}

	#[benchmark]
	fn set_minute_price() {
		let owner = funded::<T>("owner", 0);
		let media = T::Media::create_owned_for_benchmark(&owner);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), media, Some(1_000u32.into()));
		assert!(MinutePrices::<T>::contains_key(media));
	}

	impl_benchmark_test_suite!(Micropay, crate::mock::new_test_ext(), crate::mock::Test);
}
