//! The PTI pallet's types: purchases, the distributor, vouchers. Their type information
//! keeps the `pallet` path they had inside the pallet module, so the runtime's metadata
//! (and every client generated from it) is unchanged.

use crate::*;
use codec::{DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::*;
use sp_core::sr25519;

/// A purchase: what the buyer paid, and when.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
#[scale_info(replace_segment("types", "pallet"))]
pub struct Purchase<Balance, BlockNumber> {
	pub price: Balance,
	pub block: BlockNumber,
}

/// Who distributes PTI to new users: `account` may create vouchers, `key` signs
/// claims.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
#[scale_info(replace_segment("types", "pallet"))]
pub struct Distributor<AccountId> {
	pub account: AccountId,
	pub key: sr25519::Public,
}

/// Where a voucher stands. Redeemed and cancelled ones stay as tombstones.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
#[scale_info(replace_segment("types", "pallet"))]
pub enum VoucherStatus<AccountId, BlockNumber> {
	Active,
	Redeemed { beneficiary: AccountId, at: BlockNumber },
	Cancelled { at: BlockNumber },
}

/// A voucher: `amount` is held in the vouchers pot until it is redeemed or cancelled.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
#[scale_info(replace_segment("types", "pallet"))]
pub struct Voucher<AccountId, Balance, BlockNumber> {
	pub amount: Balance,
	pub expires_at: BlockNumber,
	pub status: VoucherStatus<AccountId, BlockNumber>,
}

pub type VoucherOf<T> =
	Voucher<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
