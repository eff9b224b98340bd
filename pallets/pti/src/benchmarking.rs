//! Benchmarks of the PTI pallet, each on its most expensive path. Claim and voucher
//! signatures are made with keys in the benchmark's keystore.

use super::*;
use crate::Pallet as Pti;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use paratii_primitives::MediaOwnership;
use sp_core::{crypto::KeyTypeId, sr25519};
use sp_runtime::{Perbill, Saturating};

const KEY_TYPE: KeyTypeId = KeyTypeId(*b"ptib");

fn new_key() -> sr25519::Public {
	sp_io::crypto::sr25519_generate(KEY_TYPE, None)
}

fn sign(key: &sr25519::Public, message: &[u8]) -> sr25519::Signature {
	sp_io::crypto::sr25519_sign(KEY_TYPE, key, message).expect("the key is in the keystore")
}

/// A lot of PTI: enough for any benchmark's payments, far from overflow.
fn plenty<T: Config>() -> BalanceOf<T> {
	T::Currency::minimum_balance().saturating_mul(1_000_000u32.into())
}

fn amount<T: Config>() -> BalanceOf<T> {
	T::Currency::minimum_balance().saturating_mul(10u32.into())
}

/// A distributor with a key in the keystore, and a funded claims pot.
fn distributor<T: Config>() -> (T::AccountId, sr25519::Public) {
	let account: T::AccountId = account("distributor", 0, 0);
	let key = new_key();
	CurrentDistributor::<T>::put(Distributor { account: account.clone(), key });
	T::Currency::set_balance(&Pti::<T>::claims_pot(), plenty::<T>());
	(account, key)
}

fn expiry<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number().saturating_add(10u32.into())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_price() {
		let owner: T::AccountId = whitelisted_caller();
		let media = T::Media::create_owned_for_benchmark(&owner);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), media, Some(amount::<T>()));

		assert_eq!(Prices::<T>::get(media), Some(amount::<T>()));
	}

	#[benchmark]
	fn buy() {
		let owner: T::AccountId = account("owner", 0, 0);
		T::Currency::set_balance(&owner, T::Currency::minimum_balance());
		let media = T::Media::create_owned_for_benchmark(&owner);
		Prices::<T>::insert(media, amount::<T>());
		RedistributionShare::<T>::put(Perbill::from_percent(30));
		T::Currency::set_balance(&T::Fund::get(), T::Currency::minimum_balance());
		let buyer: T::AccountId = whitelisted_caller();
		T::Currency::set_balance(&buyer, plenty::<T>());

		#[extrinsic_call]
		_(RawOrigin::Signed(buyer.clone()), media, amount::<T>());

		assert!(Purchases::<T>::contains_key(media, &buyer));
	}

	#[benchmark]
	fn set_redistribution_share() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let share = T::MaxRedistributionShare::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, share);

		assert_eq!(RedistributionShare::<T>::get(), share);
		Ok(())
	}

	#[benchmark]
	fn set_distributor() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let distributor = Distributor { account: account("distributor", 0, 0), key: new_key() };

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Some(distributor.clone()));

		assert_eq!(CurrentDistributor::<T>::get(), Some(distributor));
		Ok(())
	}

	#[benchmark]
	fn claim() {
		let (_, key) = distributor::<T>();
		let beneficiary: T::AccountId = account("newbie", 0, 0);
		let (amount, expires_at) = (amount::<T>(), expiry::<T>());
		let signature = sign(&key, &Pti::<T>::claim_message(1, &beneficiary, amount, expires_at));

		#[extrinsic_call]
		_(RawOrigin::None, 1, beneficiary.clone(), amount, expires_at, signature);

		assert_eq!(T::Currency::balance(&beneficiary), amount);
	}

	#[benchmark]
	fn prune_claim() {
		Claims::<T>::insert(1, BlockNumberFor::<T>::default());
		frame_system::Pallet::<T>::set_block_number(expiry::<T>());
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), 1);

		assert!(!Claims::<T>::contains_key(1));
	}

	#[benchmark]
	fn create_voucher() {
		// The distributor's path: it reads the distributor besides the admin check.
		let (account, _) = distributor::<T>();
		T::Currency::set_balance(&T::Fund::get(), plenty::<T>());
		let key = new_key();

		#[extrinsic_call]
		_(RawOrigin::Signed(account), key, amount::<T>(), expiry::<T>());

		assert!(Vouchers::<T>::contains_key(key));
	}

	#[benchmark]
	fn redeem_voucher() {
		let key = new_key();
		T::Currency::set_balance(&Pti::<T>::vouchers_pot(), plenty::<T>());
		Vouchers::<T>::insert(
			key,
			Voucher {
				amount: amount::<T>(),
				expires_at: expiry::<T>(),
				status: VoucherStatus::Active,
			},
		);
		let beneficiary: T::AccountId = account("newbie", 0, 0);
		let signature = sign(&key, &Pti::<T>::voucher_message(&key, &beneficiary));

		#[extrinsic_call]
		_(RawOrigin::None, key, beneficiary.clone(), signature);

		assert_eq!(T::Currency::balance(&beneficiary), amount::<T>());
	}

	#[benchmark]
	fn cancel_voucher() {
		let key = new_key();
		T::Currency::set_balance(&Pti::<T>::vouchers_pot(), plenty::<T>());
		T::Currency::set_balance(&T::Fund::get(), T::Currency::minimum_balance());
		Vouchers::<T>::insert(
			key,
			Voucher {
				amount: amount::<T>(),
				expires_at: BlockNumberFor::<T>::default(),
				status: VoucherStatus::Active,
			},
		);
		frame_system::Pallet::<T>::set_block_number(expiry::<T>());
		let caller: T::AccountId = whitelisted_caller();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), key);

		assert!(matches!(
			Vouchers::<T>::get(key).map(|v| v.status),
			Some(VoucherStatus::Cancelled { .. })
		));
	}

	/// A new allowance: holds the deposit.
	#[benchmark]
	fn approve() {
		let owner: T::AccountId = whitelisted_caller();
		T::Currency::set_balance(&owner, plenty::<T>());
		let spender: T::AccountId = account("spender", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), spender.clone(), amount::<T>());

		assert_eq!(Pti::<T>::allowance(&owner, &spender), amount::<T>());
	}

	/// The whole allowance, to a new account: the allowance is removed and its deposit
	/// released.
	#[benchmark]
	fn transfer_approved() {
		let owner: T::AccountId = account("owner", 0, 0);
		T::Currency::set_balance(&owner, plenty::<T>());
		let spender: T::AccountId = whitelisted_caller();
		// The new account's existential deposit comes on top, out of the allowance.
		let ed = T::Currency::minimum_balance();
		Pti::<T>::do_approve(&owner, &spender, amount::<T>().saturating_add(ed))
			.expect("the owner pays the deposit");
		let to: T::AccountId = account("to", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(spender.clone()), owner.clone(), to.clone(), amount::<T>());

		assert_eq!(T::Currency::balance(&to), amount::<T>().saturating_add(ed));
		assert!(!Allowances::<T>::contains_key(&owner, &spender));
	}

	impl_benchmark_test_suite!(Pti, crate::mock::new_test_ext(), crate::mock::Test);
}
