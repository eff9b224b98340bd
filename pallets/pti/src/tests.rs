//! Tests of every call and error of the PTI pallet, and the adversarial cases of the
//! original Paratii contracts.

use crate::{mock::*, *};
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	pallet_prelude::{InvalidTransaction, TransactionSource, TransactionValidityError},
	traits::fungible::Inspect,
};
use frame_system::RawOrigin;
use sp_core::{sr25519, Pair};
#[allow(deprecated)]
use sp_runtime::traits::ValidateUnsigned;
use sp_runtime::{traits::BadOrigin, Perbill};

// The pool's validation is what `ValidateUnsigned` (deprecated in favour of
// `#[pallet::authorize]`, which our transaction extensions do not run yet) answers.
#[allow(deprecated)]
fn validate(call: &Call<Test>) -> sp_runtime::transaction_validity::TransactionValidity {
	Pti::validate_unsigned(TransactionSource::External, call)
}

fn balance(who: AccountId) -> u64 {
	Balances::balance(&who)
}

fn sign_claim(
	key: &sr25519::Pair,
	claim_id: ClaimId,
	beneficiary: AccountId,
	amount: u64,
	expires_at: u64,
) -> sr25519::Signature {
	key.sign(&Pti::claim_message(claim_id, &beneficiary, amount, expires_at))
}

fn claim(
	claim_id: ClaimId,
	beneficiary: AccountId,
	amount: u64,
	expires_at: u64,
) -> DispatchResultOf {
	let signature = sign_claim(&distributor_key(), claim_id, beneficiary, amount, expires_at);
	Pti::claim(RawOrigin::None.into(), claim_id, beneficiary, amount, expires_at, signature)
}

type DispatchResultOf = frame_support::dispatch::DispatchResult;

fn voucher_key(code: &str) -> sr25519::Pair {
	sr25519::Pair::from_string(&format!("//paratii//voucher//{code}"), None).unwrap()
}

fn redeem_signature(key: &sr25519::Pair, beneficiary: AccountId) -> sr25519::Signature {
	key.sign(&Pti::voucher_message(&key.public(), &beneficiary))
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

// ---------------------------------------------------------------- the store

#[test]
fn the_owner_prices_and_unprices_media() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Pti::set_price(RuntimeOrigin::signed(BOB), MEDIA_ID, Some(50)),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Pti::set_price(RuntimeOrigin::signed(ALICE), 99, Some(50)),
			Error::<Test>::MediaNotActive
		);
		assert_ok!(Pti::set_price(RuntimeOrigin::signed(ALICE), MEDIA_ID, Some(50)));
		assert_eq!(Prices::<Test>::get(MEDIA_ID), Some(50));
		assert_eq!(last_event(), Event::PriceSet { media_id: MEDIA_ID, price: Some(50) }.into());
		assert_ok!(Pti::set_price(RuntimeOrigin::signed(ALICE), MEDIA_ID, None));
		assert_noop!(Pti::buy(RuntimeOrigin::signed(BOB), MEDIA_ID, 50), Error::<Test>::NotForSale);
		// A price of 0 is refused: a free item needs no price, and buying it at 0 would
		// only store a record for a fee.
		assert_noop!(
			Pti::set_price(RuntimeOrigin::signed(ALICE), MEDIA_ID, Some(0)),
			Error::<Test>::ZeroPrice
		);
		assert_noop!(Pti::buy(RuntimeOrigin::signed(BOB), MEDIA_ID, 0), Error::<Test>::NotForSale);
		assert!(!Purchases::<Test>::contains_key(MEDIA_ID, BOB));
	});
}

#[test]
fn a_deleted_items_price_goes_with_it_and_its_purchases_stay() {
	new_test_ext().execute_with(|| {
		assert_ok!(Pti::set_price(RuntimeOrigin::signed(ALICE), MEDIA_ID, Some(50)));
		assert_ok!(Pti::buy(RuntimeOrigin::signed(BOB), MEDIA_ID, 50));
		MockMedia::delete(MEDIA_ID);
		// What the media pallet calls on deletion (the runtime wires it; see its tests).
		Pti::on_media_deleted(MEDIA_ID);
		assert_eq!(Prices::<Test>::get(MEDIA_ID), None);
		assert!(Purchases::<Test>::contains_key(MEDIA_ID, BOB));
	});
}

#[test]
fn a_purchase_pays_exactly_the_price_split_with_the_fund_and_creates_no_pti() {
	new_test_ext().execute_with(|| {
		assert_ok!(Pti::set_price(RuntimeOrigin::signed(ALICE), MEDIA_ID, Some(1_000)));
		let issuance = Balances::total_issuance();
		let (alice, bob, fund) = (balance(ALICE), balance(BOB), balance(FUND));
		// Bob accepts up to 1,500; he pays the price, 1,000.
		assert_ok!(Pti::buy(RuntimeOrigin::signed(BOB), MEDIA_ID, 1_500));
		assert_eq!(balance(BOB), bob - 1_000);
		assert_eq!(balance(ALICE), alice + 700);
		assert_eq!(balance(FUND), fund + 300);
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(
			Purchases::<Test>::get(MEDIA_ID, BOB),
			Some(Purchase { price: 1_000, block: 1 })
		);
		assert_eq!(
			last_event(),
			Event::Purchased {
				media_id: MEDIA_ID,
				buyer: BOB,
				owner: ALICE,
				price: 1_000,
				to_owner: 700,
				to_fund: 300
			}
			.into()
		);
	});
}

#[test]
fn a_price_raised_under_a_pending_purchase_fails_it() {
	new_test_ext().execute_with(|| {
		assert_ok!(Pti::set_price(RuntimeOrigin::signed(ALICE), MEDIA_ID, Some(100)));
		// Bob signed buy(max 100); Alice's raise lands first.
		assert_ok!(Pti::set_price(RuntimeOrigin::signed(ALICE), MEDIA_ID, Some(5_000)));
		assert_noop!(
			Pti::buy(RuntimeOrigin::signed(BOB), MEDIA_ID, 100),
			Error::<Test>::PriceAboveMax
		);
	});
}

#[test]
fn double_buys_own_media_deleted_media_and_poor_buyers_are_refused() {
	new_test_ext().execute_with(|| {
		assert_ok!(Pti::set_price(RuntimeOrigin::signed(ALICE), MEDIA_ID, Some(100)));
		assert_ok!(Pti::buy(RuntimeOrigin::signed(BOB), MEDIA_ID, 100));
		assert_noop!(
			Pti::buy(RuntimeOrigin::signed(BOB), MEDIA_ID, 100),
			Error::<Test>::AlreadyPurchased
		);
		assert_noop!(
			Pti::buy(RuntimeOrigin::signed(ALICE), MEDIA_ID, 100),
			Error::<Test>::OwnMedia
		);
		// Charlie would fall below the existential deposit: refused, nothing moves.
		assert_ok!(Pti::set_price(RuntimeOrigin::signed(ALICE), MEDIA_ID, Some(9_995)));
		assert!(Pti::buy(RuntimeOrigin::signed(CHARLIE), MEDIA_ID, 10_000).is_err());
		assert_eq!(balance(CHARLIE), 10_000);
		assert!(Purchases::<Test>::get(MEDIA_ID, CHARLIE).is_none());
		MockMedia::delete(MEDIA_ID);
		assert_noop!(
			Pti::buy(RuntimeOrigin::signed(CHARLIE), MEDIA_ID, 100),
			Error::<Test>::MediaNotActive
		);
		assert_noop!(
			Pti::set_price(RuntimeOrigin::signed(ALICE), MEDIA_ID, None),
			Error::<Test>::MediaNotActive
		);
	});
}

#[test]
fn shares_of_zero_and_one_hundred_percent() {
	new_test_ext().execute_with(|| {
		MockMedia::add(8, ALICE);
		assert_ok!(Pti::set_price(RuntimeOrigin::signed(ALICE), MEDIA_ID, Some(500)));
		assert_ok!(Pti::set_price(RuntimeOrigin::signed(ALICE), 8, Some(500)));
		assert_ok!(Pti::set_redistribution_share(RawOrigin::Root.into(), Perbill::zero()));
		let (alice, fund) = (balance(ALICE), balance(FUND));
		assert_ok!(Pti::buy(RuntimeOrigin::signed(BOB), MEDIA_ID, 500));
		assert_eq!((balance(ALICE), balance(FUND)), (alice + 500, fund));
		assert_ok!(Pti::set_redistribution_share(RawOrigin::Root.into(), Perbill::one()));
		assert_ok!(Pti::buy(RuntimeOrigin::signed(BOB), 8, 500));
		assert_eq!((balance(ALICE), balance(FUND)), (alice + 500, fund + 500));
	});
}

#[test]
fn a_tiny_price_rounds_the_fund_share_down_and_still_pays_the_owner() {
	new_test_ext().execute_with(|| {
		// 30 % of 3 is 0.9: the fund gets 0, the owner all 3 (an existing account).
		assert_ok!(Pti::set_price(RuntimeOrigin::signed(ALICE), MEDIA_ID, Some(3)));
		let (alice, fund) = (balance(ALICE), balance(FUND));
		assert_ok!(Pti::buy(RuntimeOrigin::signed(BOB), MEDIA_ID, 3));
		assert_eq!((balance(ALICE), balance(FUND)), (alice + 3, fund));
	});
}

#[test]
fn only_governance_sets_the_share_within_its_cap_and_the_distributor() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Pti::set_redistribution_share(RuntimeOrigin::signed(ALICE), Perbill::zero()),
			BadOrigin
		);
		assert_noop!(Pti::set_distributor(RuntimeOrigin::signed(DISTRIBUTOR), None), BadOrigin);
		assert_ok!(Pti::set_redistribution_share(
			RawOrigin::Root.into(),
			Perbill::from_percent(40)
		));
		assert_eq!(RedistributionShare::<Test>::get(), Perbill::from_percent(40));
	});
}

// ---------------------------------------------------------------- claims

#[test]
fn a_claim_pays_a_brand_new_account_once() {
	new_test_ext().execute_with(|| {
		assert_eq!(balance(NEWBIE), 0);
		let pot = balance(Pti::claims_pot());
		assert_ok!(claim(1, NEWBIE, 200, 50));
		assert_eq!(balance(NEWBIE), 200);
		assert_eq!(balance(Pti::claims_pot()), pot - 200);
		assert_eq!(
			last_event(),
			Event::Claimed { claim_id: 1, beneficiary: NEWBIE, amount: 200 }.into()
		);
		// Replayed: the same id pays once, whoever submits it.
		assert_noop!(claim(1, NEWBIE, 200, 50), Error::<Test>::AlreadyClaimed);
		let signature = sign_claim(&distributor_key(), 1, NEWBIE, 200, 50);
		assert_noop!(
			Pti::claim(RuntimeOrigin::signed(BOB), 1, NEWBIE, 200, 50, signature),
			Error::<Test>::AlreadyClaimed
		);
	});
}

#[test]
fn tampered_foreign_expired_and_wrongly_signed_claims_are_refused() {
	new_test_ext().execute_with(|| {
		let key = distributor_key();
		let sig = sign_claim(&key, 2, NEWBIE, 200, 50);
		// Another beneficiary or amount than signed.
		assert_noop!(
			Pti::claim(RawOrigin::None.into(), 2, CHARLIE, 200, 50, sig),
			Error::<Test>::BadClaimSignature
		);
		assert_noop!(
			Pti::claim(RawOrigin::None.into(), 2, NEWBIE, 2_000, 50, sig),
			Error::<Test>::BadClaimSignature
		);
		assert_noop!(
			Pti::claim(RawOrigin::None.into(), 2, NEWBIE, 200, 60, sig),
			Error::<Test>::BadClaimSignature
		);
		// Signed for another chain (genesis hash).
		let foreign =
			(CLAIM_TAG, sp_core::H256::repeat_byte(1), 2u64, NEWBIE, 200u64, 50u64).encode();
		assert_noop!(
			Pti::claim(RawOrigin::None.into(), 2, NEWBIE, 200, 50, key.sign(&foreign)),
			Error::<Test>::BadClaimSignature
		);
		// Signed by someone else.
		let mallory = sr25519::Pair::from_string("//Mallory", None).unwrap();
		assert_noop!(
			Pti::claim(
				RawOrigin::None.into(),
				2,
				NEWBIE,
				200,
				50,
				sign_claim(&mallory, 2, NEWBIE, 200, 50)
			),
			Error::<Test>::BadClaimSignature
		);
		// Expired, and expiring further ahead than MaxLifetime.
		System::set_block_number(51);
		assert_noop!(claim(2, NEWBIE, 200, 50), Error::<Test>::Expired);
		assert_noop!(claim(3, NEWBIE, 200, 51 + LIFETIME + 1), Error::<Test>::LifetimeTooLong);
		// Below the existential deposit a new account could not exist.
		assert_noop!(claim(4, NEWBIE, ED - 1, 100), Error::<Test>::BelowExistentialDeposit);
		// Root is not a claimant.
		let sig = sign_claim(&key, 5, NEWBIE, 200, 100);
		assert_noop!(Pti::claim(RawOrigin::Root.into(), 5, NEWBIE, 200, 100, sig), BadOrigin);
	});
}

#[test]
fn claims_stop_at_the_period_cap_and_the_pot() {
	new_test_ext().execute_with(|| {
		assert_ok!(claim(1, NEWBIE, 600, 90));
		assert_ok!(claim(2, BOB, 400, 90));
		assert_noop!(claim(3, CHARLIE, 10, 90), Error::<Test>::PeriodCapReached);
		// Well over a period later the cap is free again (the rolling bound is tested
		// below).
		let later = |k: u64| k * 2 * PERIOD + 1;
		System::set_block_number(later(1));
		assert_ok!(claim(3, CHARLIE, 1_000, later(1) + 50));
		System::set_block_number(later(2));
		// The pot (5,000 - 2,000 = 3,000 left) is bigger than the cap; drain it to 0.
		assert_ok!(claim(4, CHARLIE, 1_000, later(2) + 50));
		System::set_block_number(later(3));
		assert_ok!(claim(5, CHARLIE, 1_000, later(3) + 50));
		System::set_block_number(later(4));
		assert_ok!(claim(6, CHARLIE, 1_000, later(4) + 50));
		System::set_block_number(later(5));
		assert_noop!(claim(7, CHARLIE, 10, later(5) + 50), Error::<Test>::ClaimsPotTooSmall);
	});
}

#[test]
fn the_cap_holds_over_every_period_not_only_within_fixed_windows() {
	new_test_ext().execute_with(|| {
		// The cap paid at the end of one period...
		System::set_block_number(PERIOD - 1);
		assert_ok!(claim(1, NEWBIE, CAP, PERIOD + 50));
		// ...leaves nothing at the start of the next: a fixed window would pay the cap
		// again two blocks later, twice the cap within two blocks.
		System::set_block_number(PERIOD + 1);
		assert_noop!(claim(2, BOB, ED, PERIOD + 50), Error::<Test>::PeriodCapReached);
		let late = Call::<Test>::claim {
			claim_id: 2,
			beneficiary: BOB,
			amount: ED,
			expires_at: 3 * PERIOD,
			signature: sign_claim(&distributor_key(), 2, BOB, ED, 3 * PERIOD),
		};
		assert!(validate(&late).is_err(), "the pool refuses it as well");
		// Still nothing most of a period later...
		System::set_block_number(2 * PERIOD - 10);
		assert_noop!(claim(2, BOB, ED, 3 * PERIOD), Error::<Test>::PeriodCapReached);
		// ...and the whole cap again once every part that could share a period with the
		// payment has passed (parts of PERIOD / 24 blocks rounded up; the cap counts 25).
		let part = PERIOD.div_ceil(DISTRIBUTION_BUCKETS as u64);
		let free_at = ((PERIOD - 1) / part + DISTRIBUTION_BUCKETS as u64 + 1) * part;
		assert!(free_at - (PERIOD - 1) >= PERIOD);
		System::set_block_number(free_at - 1);
		assert_noop!(claim(2, BOB, ED, 3 * PERIOD), Error::<Test>::PeriodCapReached);
		System::set_block_number(free_at);
		assert_ok!(claim(2, BOB, CAP, 3 * PERIOD));
	});
}

#[test]
fn in_any_period_claims_pay_at_most_the_cap() {
	new_test_ext().execute_with(|| {
		// A claim of ED every 3 blocks for five periods, each paid if the pallet allows it.
		let mut paid = Vec::new();
		for (id, block) in (1..5 * PERIOD).step_by(3).enumerate() {
			System::set_block_number(block);
			if claim(id as ClaimId, NEWBIE, ED * 10, block + 10).is_ok() {
				paid.push(block);
			}
		}
		// The claims pot (5,000) outlasts the cap (1,000 per period) here.
		assert!(paid.len() as u64 * ED * 10 > 2 * CAP, "claims went on past the first period");
		for start in 1..4 * PERIOD {
			let in_window = paid.iter().filter(|b| (start..start + PERIOD).contains(*b)).count();
			assert!(
				in_window as u64 * ED * 10 <= CAP,
				"{in_window} claims paid in blocks {start}..{}",
				start + PERIOD
			);
		}
	});
}

#[test]
fn a_rotated_distributor_key_invalidates_the_old_ones_claims() {
	new_test_ext().execute_with(|| {
		let new_key = sr25519::Pair::from_string("//Distributor2", None).unwrap();
		let old_sig = sign_claim(&distributor_key(), 9, NEWBIE, 100, 90);
		assert_ok!(Pti::set_distributor(
			RawOrigin::Root.into(),
			Some(Distributor { account: DISTRIBUTOR, key: new_key.public() })
		));
		assert_noop!(
			Pti::claim(RawOrigin::None.into(), 9, NEWBIE, 100, 90, old_sig),
			Error::<Test>::BadClaimSignature
		);
		let new_sig = sign_claim(&new_key, 9, NEWBIE, 100, 90);
		assert_ok!(Pti::claim(RawOrigin::None.into(), 9, NEWBIE, 100, 90, new_sig));
		assert_ok!(Pti::set_distributor(RawOrigin::Root.into(), None));
		assert_noop!(claim(10, NEWBIE, 100, 90), Error::<Test>::NoDistributor);
	});
}

#[test]
fn expired_claim_records_can_be_pruned_and_stay_unpayable() {
	new_test_ext().execute_with(|| {
		assert_ok!(claim(1, NEWBIE, 100, 20));
		assert_noop!(Pti::prune_claim(RuntimeOrigin::signed(BOB), 1), Error::<Test>::NotExpired);
		assert_noop!(Pti::prune_claim(RuntimeOrigin::signed(BOB), 2), Error::<Test>::UnknownClaim);
		System::set_block_number(21);
		assert_ok!(Pti::prune_claim(RuntimeOrigin::signed(BOB), 1));
		assert!(!Claims::<Test>::contains_key(1));
		assert_noop!(claim(1, NEWBIE, 100, 20), Error::<Test>::Expired);
	});
}

#[test]
fn unsigned_claims_are_valid_in_the_pool_only_when_they_would_pay() {
	new_test_ext().execute_with(|| {
		let signature = sign_claim(&distributor_key(), 1, NEWBIE, 200, 30);
		let call = Call::<Test>::claim {
			claim_id: 1,
			beneficiary: NEWBIE,
			amount: 200,
			expires_at: 30,
			signature,
		};
		let valid = validate(&call).expect("valid");
		assert_eq!(valid.priority, 100);
		assert_eq!(valid.longevity, 29);
		assert_eq!(valid.provides.len(), 1);
		let tampered = Call::<Test>::claim {
			claim_id: 1,
			beneficiary: CHARLIE,
			amount: 200,
			expires_at: 30,
			signature: sign_claim(&distributor_key(), 1, NEWBIE, 200, 30),
		};
		assert!(matches!(
			validate(&tampered),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(_)))
		));
		assert_ok!(claim(1, NEWBIE, 200, 30));
		assert!(validate(&call).is_err(), "paid: no longer valid");
		let other = Call::<Test>::set_distributor { distributor: None };
		assert_eq!(validate(&other), Err(InvalidTransaction::Call.into()));
	});
}

// ---------------------------------------------------------------- vouchers

fn fund_the_fund(amount: u64) {
	assert_ok!(Balances::transfer_allow_death(RuntimeOrigin::signed(CHARLIE), FUND, amount));
}

#[test]
fn a_voucher_moves_from_the_fund_and_redeems_to_a_new_account_once() {
	new_test_ext().execute_with(|| {
		fund_the_fund(1_000);
		let key = voucher_key("SUMMER-2026-ABCD");
		assert_ok!(Pti::create_voucher(RuntimeOrigin::signed(DISTRIBUTOR), key.public(), 300, 40));
		assert_eq!(balance(FUND), ED + 700);
		assert_eq!(balance(Pti::vouchers_pot()), 300);
		let call = Call::<Test>::redeem_voucher {
			key: key.public(),
			beneficiary: NEWBIE,
			signature: redeem_signature(&key, NEWBIE),
		};
		assert!(validate(&call).is_ok());
		assert_ok!(Pti::redeem_voucher(
			RawOrigin::None.into(),
			key.public(),
			NEWBIE,
			redeem_signature(&key, NEWBIE)
		));
		assert_eq!(balance(NEWBIE), 300);
		assert_eq!(
			Vouchers::<Test>::get(key.public()).unwrap().status,
			VoucherStatus::Redeemed { beneficiary: NEWBIE, at: 1 }
		);
		assert_noop!(
			Pti::redeem_voucher(
				RawOrigin::None.into(),
				key.public(),
				NEWBIE,
				redeem_signature(&key, NEWBIE)
			),
			Error::<Test>::AlreadyRedeemed
		);
		assert!(validate(&call).is_err());
		// Never re-armed, cancelled after redemption neither.
		assert_noop!(
			Pti::create_voucher(RawOrigin::Root.into(), key.public(), 300, 40),
			Error::<Test>::VoucherExists
		);
		System::set_block_number(41);
		assert_noop!(
			Pti::cancel_voucher(RuntimeOrigin::signed(BOB), key.public()),
			Error::<Test>::AlreadyRedeemed
		);
	});
}

#[test]
fn the_distributors_vouchers_count_against_the_cap_and_governances_do_not() {
	new_test_ext().execute_with(|| {
		fund_the_fund(5_000);
		// The distributor's account cannot empty the fund: its vouchers share the cap
		// with claims...
		assert_ok!(claim(1, NEWBIE, 600, 90));
		assert_noop!(
			Pti::create_voucher(
				RuntimeOrigin::signed(DISTRIBUTOR),
				voucher_key("A").public(),
				401,
				40
			),
			Error::<Test>::PeriodCapReached
		);
		assert_ok!(Pti::create_voucher(
			RuntimeOrigin::signed(DISTRIBUTOR),
			voucher_key("A").public(),
			400,
			40
		));
		assert_noop!(claim(2, BOB, ED, 90), Error::<Test>::PeriodCapReached);
		// ...cancelling one does not give its share back to spend again...
		System::set_block_number(41);
		assert_ok!(Pti::cancel_voucher(RuntimeOrigin::signed(BOB), voucher_key("A").public()));
		assert_noop!(
			Pti::create_voucher(
				RuntimeOrigin::signed(DISTRIBUTOR),
				voucher_key("B").public(),
				ED,
				80
			),
			Error::<Test>::PeriodCapReached
		);
		// ...while governance spends the fund as it decides.
		assert_ok!(Pti::create_voucher(
			RawOrigin::Root.into(),
			voucher_key("B").public(),
			2_000,
			80
		));
		assert_eq!(Pti::recently_distributed(), CAP);
	});
}

#[test]
fn a_copied_redemption_cannot_be_redirected() {
	new_test_ext().execute_with(|| {
		fund_the_fund(1_000);
		let key = voucher_key("X1");
		assert_ok!(Pti::create_voucher(RawOrigin::Root.into(), key.public(), 300, 40));
		// Mallory copies the pending transaction's signature and names herself.
		let seen = redeem_signature(&key, NEWBIE);
		assert_noop!(
			Pti::redeem_voucher(RuntimeOrigin::signed(CHARLIE), key.public(), CHARLIE, seen),
			Error::<Test>::BadVoucherSignature
		);
		assert_noop!(
			Pti::redeem_voucher(
				RawOrigin::None.into(),
				voucher_key("X2").public(),
				NEWBIE,
				redeem_signature(&key, NEWBIE)
			),
			Error::<Test>::UnknownVoucher
		);
	});
}

#[test]
fn vouchers_need_the_right_creator_a_big_enough_fund_and_a_sane_expiry() {
	new_test_ext().execute_with(|| {
		let key = voucher_key("Y");
		assert_noop!(
			Pti::create_voucher(RuntimeOrigin::signed(BOB), key.public(), 300, 40),
			Error::<Test>::NotDistributor
		);
		// The fund holds only its existential deposit.
		assert_noop!(
			Pti::create_voucher(RawOrigin::Root.into(), key.public(), 300, 40),
			Error::<Test>::FundTooSmall
		);
		fund_the_fund(300);
		// The whole 300 would take the fund below its existential deposit.
		assert_noop!(
			Pti::create_voucher(RawOrigin::Root.into(), key.public(), 301, 40),
			Error::<Test>::FundTooSmall
		);
		assert_noop!(
			Pti::create_voucher(RawOrigin::Root.into(), key.public(), ED - 1, 40),
			Error::<Test>::BelowExistentialDeposit
		);
		assert_noop!(
			Pti::create_voucher(RawOrigin::Root.into(), key.public(), 100, 1),
			Error::<Test>::Expired
		);
		assert_noop!(
			Pti::create_voucher(RawOrigin::Root.into(), key.public(), 100, 2 + LIFETIME),
			Error::<Test>::LifetimeTooLong
		);
		assert_ok!(Pti::create_voucher(RawOrigin::Root.into(), key.public(), 300, 40));
	});
}

#[test]
fn an_expired_voucher_is_cancelled_back_into_the_fund_and_stays_a_tombstone() {
	new_test_ext().execute_with(|| {
		fund_the_fund(1_000);
		let key = voucher_key("Z");
		assert_ok!(Pti::create_voucher(RawOrigin::Root.into(), key.public(), 300, 40));
		assert_noop!(
			Pti::cancel_voucher(RuntimeOrigin::signed(BOB), key.public()),
			Error::<Test>::NotExpired
		);
		System::set_block_number(41);
		assert_noop!(
			Pti::redeem_voucher(
				RawOrigin::None.into(),
				key.public(),
				NEWBIE,
				redeem_signature(&key, NEWBIE)
			),
			Error::<Test>::Expired
		);
		let fund = balance(FUND);
		assert_ok!(Pti::cancel_voucher(RuntimeOrigin::signed(BOB), key.public()));
		assert_eq!(balance(FUND), fund + 300);
		assert_eq!(last_event(), Event::VoucherCancelled { key: key.public(), amount: 300 }.into());
		assert_noop!(
			Pti::cancel_voucher(RuntimeOrigin::signed(BOB), key.public()),
			Error::<Test>::AlreadyCancelled
		);
		assert_noop!(
			Pti::redeem_voucher(
				RawOrigin::None.into(),
				key.public(),
				NEWBIE,
				redeem_signature(&key, NEWBIE)
			),
			Error::<Test>::AlreadyCancelled
		);
		assert_noop!(
			Pti::create_voucher(RawOrigin::Root.into(), key.public(), 300, 80),
			Error::<Test>::VoucherExists
		);
		assert_noop!(
			Pti::cancel_voucher(RuntimeOrigin::signed(BOB), voucher_key("none").public()),
			Error::<Test>::UnknownVoucher
		);
	});
}

// Allowances (what the ERC20 precompile's approve and transferFrom keep).

fn held(who: AccountId) -> u64 {
	use frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(&HoldReason::AllowanceDeposit.into(), &who)
}

#[test]
fn approve_sets_replaces_and_removes_an_allowance_holding_one_deposit() {
	new_test_ext().execute_with(|| {
		assert_ok!(Pti::approve(RuntimeOrigin::signed(ALICE), BOB, 300));
		assert_eq!(Pti::allowance(&ALICE, &BOB), 300);
		assert_eq!(held(ALICE), ALLOWANCE_DEPOSIT);
		assert_eq!(
			last_event(),
			RuntimeEvent::Pti(Event::Approval { owner: ALICE, spender: BOB, amount: 300 })
		);
		// Set semantics: the new value replaces the old one; no second deposit.
		assert_ok!(Pti::approve(RuntimeOrigin::signed(ALICE), BOB, 50));
		assert_eq!(Pti::allowance(&ALICE, &BOB), 50);
		assert_eq!(held(ALICE), ALLOWANCE_DEPOSIT);
		// A second spender holds a second deposit.
		assert_ok!(Pti::approve(RuntimeOrigin::signed(ALICE), CHARLIE, 1));
		assert_eq!(held(ALICE), 2 * ALLOWANCE_DEPOSIT);
		// 0 removes the entry and releases its deposit.
		assert_ok!(Pti::approve(RuntimeOrigin::signed(ALICE), BOB, 0));
		assert!(!Allowances::<Test>::contains_key(ALICE, BOB));
		assert_eq!(held(ALICE), ALLOWANCE_DEPOSIT);
		assert_eq!(balance(ALICE) + held(ALICE), 10_000);
	});
}

#[test]
fn approve_fails_when_the_owner_cannot_pay_the_deposit() {
	new_test_ext().execute_with(|| {
		assert_ok!(Balances::transfer_allow_death(RuntimeOrigin::signed(ALICE), NEWBIE, ED + 2));
		assert_noop!(
			Pti::approve(RuntimeOrigin::signed(NEWBIE), BOB, 100),
			Error::<Test>::CannotPayAllowanceDeposit
		);
	});
}

#[test]
fn transfer_approved_moves_up_to_the_allowance_and_releases_the_deposit_when_used_up() {
	new_test_ext().execute_with(|| {
		assert_ok!(Pti::approve(RuntimeOrigin::signed(ALICE), BOB, 300));
		assert_noop!(
			Pti::transfer_approved(RuntimeOrigin::signed(BOB), ALICE, CHARLIE, 301),
			Error::<Test>::InsufficientAllowance
		);
		// Nobody else may use Bob's allowance.
		assert_noop!(
			Pti::transfer_approved(RuntimeOrigin::signed(CHARLIE), ALICE, CHARLIE, 1),
			Error::<Test>::InsufficientAllowance
		);
		let issuance = Balances::total_issuance();
		assert_ok!(Pti::transfer_approved(RuntimeOrigin::signed(BOB), ALICE, CHARLIE, 90));
		assert_eq!(Pti::allowance(&ALICE, &BOB), 210);
		assert_eq!(balance(CHARLIE), 10_090);
		assert_eq!(
			last_event(),
			RuntimeEvent::Pti(Event::TransferredApproved {
				owner: ALICE,
				spender: BOB,
				to: CHARLIE,
				amount: 90
			})
		);
		// A new account: Alice pays its existential deposit on top, out of the allowance.
		assert_noop!(
			Pti::transfer_approved(RuntimeOrigin::signed(BOB), ALICE, NEWBIE, 210 - ED + 1),
			Error::<Test>::InsufficientAllowance
		);
		assert_ok!(Pti::transfer_approved(RuntimeOrigin::signed(BOB), ALICE, NEWBIE, 210 - ED));
		assert_eq!(balance(NEWBIE), 210);
		assert!(!Allowances::<Test>::contains_key(ALICE, BOB));
		assert_eq!(held(ALICE), 0);
		assert_eq!(balance(ALICE), 10_000 - 300);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn transfer_approved_keeps_the_owner_alive_and_changes_nothing_when_it_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(Pti::approve(RuntimeOrigin::signed(ALICE), BOB, 20_000));
		// Alice has 10,000 with 5 held: she cannot give away everything (ED stays).
		assert!(
			Pti::transfer_approved(RuntimeOrigin::signed(BOB), ALICE, CHARLIE, 10_000 - 5).is_err()
		);
		assert_eq!(Pti::allowance(&ALICE, &BOB), 20_000);
		// Zero moves nothing and creates no account.
		assert_ok!(Pti::transfer_approved(RuntimeOrigin::signed(BOB), ALICE, NEWBIE, 0));
		assert_eq!(balance(NEWBIE), 0);
		assert_eq!(Pti::allowance(&ALICE, &BOB), 20_000);
		// Below the existential deposit is fine for a new account: the deposit comes on top.
		assert_ok!(Pti::transfer_approved(RuntimeOrigin::signed(BOB), ALICE, NEWBIE, 1));
		assert_eq!(balance(NEWBIE), ED + 1);
		assert_eq!(Pti::allowance(&ALICE, &BOB), 20_000 - ED - 1);
	});
}

#[test]
fn a_maximal_allowance_is_never_decreased() {
	new_test_ext().execute_with(|| {
		assert_ok!(Pti::approve(RuntimeOrigin::signed(ALICE), BOB, u64::MAX));
		assert_ok!(Pti::transfer_approved(RuntimeOrigin::signed(BOB), ALICE, CHARLIE, 1_000));
		assert_ok!(Pti::transfer_approved(RuntimeOrigin::signed(BOB), ALICE, NEWBIE, 1_000));
		assert_eq!(Pti::allowance(&ALICE, &BOB), u64::MAX);
	});
}

#[test]
fn transfer_as_evm_pays_a_new_accounts_existential_deposit_on_top() {
	new_test_ext().execute_with(|| {
		assert_eq!(Pti::transfer_as_evm(&ALICE, &BOB, 100), Ok(100));
		assert_eq!(balance(BOB), 10_100);
		assert_eq!(Pti::transfer_as_evm(&ALICE, &NEWBIE, 3), Ok(3 + ED));
		assert_eq!(balance(NEWBIE), 3 + ED);
		assert_eq!(balance(ALICE), 10_000 - 100 - 3 - ED);
		// The sender keeps its existential deposit.
		assert!(Pti::transfer_as_evm(&CHARLIE, &BOB, 10_000 - ED + 1).is_err());
		assert_eq!(balance(CHARLIE), 10_000);
	});
}
