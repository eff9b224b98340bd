use crate::{mock::*, *};
use codec::Encode;
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold, BoundedVec};
use sp_core::{sr25519, Pair};

fn signer() -> sr25519::Pair {
	sr25519::Pair::from_string("//ViewerSession", None).expect("a valid URI")
}

fn open(deposit: u64) -> ChannelId {
	let expires_at = System::block_number() + 100;
	assert_ok!(Micropay::open(
		RuntimeOrigin::signed(VIEWER),
		HUB,
		signer().public(),
		deposit,
		expires_at
	));
	NextChannelId::<Test>::get() - 1
}

/// A voucher for `media` of `channel`, signed by `key` over `genesis`'s chain.
fn voucher_by(
	key: &sr25519::Pair,
	genesis: sp_core::H256,
	channel: ChannelId,
	media: u64,
	cumulative: u64,
) -> Voucher<u64> {
	let payload = (VOUCHER_TAG, genesis, channel, media, cumulative as u128).encode();
	Voucher { media, cumulative, signature: key.sign(&payload) }
}

fn voucher(channel: ChannelId, media: u64, cumulative: u64) -> Voucher<u64> {
	voucher_by(&signer(), GENESIS, channel, media, cumulative)
}

fn settle(channel: ChannelId, vouchers: Vec<Voucher<u64>>) -> sp_runtime::DispatchResult {
	Micropay::settle(RuntimeOrigin::signed(HUB), channel, BoundedVec::truncate_from(vouchers))
}

fn held(reason: HoldReason) -> u64 {
	Balances::balance_on_hold(&reason.into(), &VIEWER)
}

#[test]
fn opening_holds_the_deposit_and_the_storage_deposit() {
	new_test_ext().execute_with(|| {
		let id = open(1_000);
		assert_eq!(held(HoldReason::ChannelFunds), 1_000);
		assert_eq!(held(HoldReason::ChannelStorage), CHANNEL_DEPOSIT);
		assert_eq!(Balances::free_balance(VIEWER), 10_000 - 1_000 - CHANNEL_DEPOSIT);
		let c = Channels::<Test>::get(id).unwrap();
		assert_eq!((c.payer, c.hub, c.deposit, c.paid), (VIEWER, HUB, 1_000, 0));
		// Bad input changes nothing.
		let key = signer().public();
		let now = System::block_number();
		assert_noop!(
			Micropay::open(RuntimeOrigin::signed(VIEWER), HUB, key, 0, now + 5),
			Error::<Test>::ZeroDeposit
		);
		assert_noop!(
			Micropay::open(RuntimeOrigin::signed(VIEWER), HUB, key, 5, now),
			Error::<Test>::ExpiryTooSoon
		);
		assert_noop!(
			Micropay::open(RuntimeOrigin::signed(VIEWER), HUB, key, 5, now + LIFETIME + 1),
			Error::<Test>::LifetimeTooLong
		);
		assert_noop!(
			Micropay::open(RuntimeOrigin::signed(VIEWER), VIEWER, key, 5, now + 5),
			Error::<Test>::HubIsPayer
		);
		assert!(
			Micropay::open(RuntimeOrigin::signed(VIEWER), HUB, key, 1_000_000, now + 5).is_err(),
			"more than it has"
		);
	});
}

#[test]
fn settlement_pays_each_owner_and_the_fund_the_vouchers_cumulative_amounts() {
	new_test_ext().execute_with(|| {
		let id = open(1_000);
		// Three segments of Alice's video at 10 each, two of Bob's at 15: the latest
		// voucher of each covers all.
		assert_ok!(settle(id, vec![voucher(id, ALICES, 30), voucher(id, BOBS, 30)]));
		// 20 % to the fund.
		assert_eq!(Balances::free_balance(ALICE), 100 + 24);
		assert_eq!(Balances::free_balance(BOB), 100 + 24);
		assert_eq!(Balances::free_balance(FUND), ED + 12);
		assert_eq!(held(HoldReason::ChannelFunds), 1_000 - 60);
		System::assert_has_event(
			Event::Settled {
				channel: id,
				media: ALICES,
				payer: VIEWER,
				owner: Some(ALICE),
				amount: 30,
				to_owner: 24,
				to_fund: 6,
				cumulative: 30,
			}
			.into(),
		);
		// Later: Alice's video to 50; only the difference is paid.
		assert_ok!(settle(id, vec![voucher(id, ALICES, 50)]));
		assert_eq!(Balances::free_balance(ALICE), 100 + 24 + 16);
		assert_eq!(Settled::<Test>::get(id, ALICES), Some(50));
		let c = Channels::<Test>::get(id).unwrap();
		assert_eq!((c.paid, c.media_count), (80, 2));
	});
}

#[test]
fn stale_replayed_and_foreign_vouchers_are_refused_and_change_nothing() {
	new_test_ext().execute_with(|| {
		let id = open(1_000);
		let other = open(1_000);
		assert_ok!(settle(id, vec![voucher(id, ALICES, 30)]));
		// Replayed, or older than what was settled.
		assert_noop!(settle(id, vec![voucher(id, ALICES, 30)]), Error::<Test>::StaleVoucher);
		assert_noop!(settle(id, vec![voucher(id, ALICES, 20)]), Error::<Test>::StaleVoucher);
		// Signed for another channel, another chain, by another key, or for another
		// item or amount than it claims.
		assert_noop!(
			settle(other, vec![voucher(id, BOBS, 30)]),
			Error::<Test>::BadVoucherSignature
		);
		let foreign = voucher_by(&signer(), sp_core::H256::repeat_byte(7), id, BOBS, 30);
		assert_noop!(settle(id, vec![foreign]), Error::<Test>::BadVoucherSignature);
		let stranger = sr25519::Pair::from_string("//Stranger", None).unwrap();
		assert_noop!(
			settle(id, vec![voucher_by(&stranger, GENESIS, id, BOBS, 30)]),
			Error::<Test>::BadVoucherSignature
		);
		let mut raised = voucher(id, BOBS, 30);
		raised.cumulative = 300;
		assert_noop!(settle(id, vec![raised]), Error::<Test>::BadVoucherSignature);
		// One bad voucher refuses the whole batch.
		assert_noop!(
			settle(id, vec![voucher(id, BOBS, 30), voucher(id, ALICES, 10)]),
			Error::<Test>::StaleVoucher
		);
		assert_noop!(
			settle(id, vec![voucher(id, BOBS, 30), voucher(id, BOBS, 40)]),
			Error::<Test>::DuplicateMedia
		);
		assert_noop!(settle(id, vec![]), Error::<Test>::NoVouchers);
		assert_noop!(settle(99, vec![voucher(99, BOBS, 30)]), Error::<Test>::ChannelNotFound);
	});
}

#[test]
fn a_wallet_wrapped_signature_is_a_voucher_too() {
	new_test_ext().execute_with(|| {
		let id = open(1_000);
		let payload = (VOUCHER_TAG, GENESIS, id, BOBS, 40u128).encode();
		let wrapped = [b"<Bytes>".as_slice(), &payload, b"</Bytes>".as_slice()].concat();
		let v = Voucher { media: BOBS, cumulative: 40, signature: signer().sign(&wrapped) };
		assert_ok!(settle(id, vec![v]));
		assert_eq!(Settled::<Test>::get(id, BOBS), Some(40));
	});
}

#[test]
fn vouchers_never_pay_more_than_the_deposit_and_the_channel_pays_few_items() {
	new_test_ext().execute_with(|| {
		let id = open(100);
		assert_ok!(settle(id, vec![voucher(id, ALICES, 60)]));
		assert_noop!(settle(id, vec![voucher(id, BOBS, 41)]), Error::<Test>::OverDeposit);
		assert_ok!(settle(id, vec![voucher(id, BOBS, 40)]));
		assert_eq!(held(HoldReason::ChannelFunds), 0);
		// A top-up makes room; an item beyond MaxMediaPerChannel does not fit.
		assert_ok!(Micropay::top_up(RuntimeOrigin::signed(VIEWER), id, 1_000, None));
		for media in [20, 21, 22] {
			MockMedia::add(media, ALICE);
		}
		assert_ok!(settle(id, vec![voucher(id, 20, 10)]));
		assert_noop!(settle(id, vec![voucher(id, 21, 10)]), Error::<Test>::TooManyMedia);
		// A deleted item's payment goes to the fund whole.
		MockMedia::delete(20);
		let fund = Balances::free_balance(FUND);
		assert_ok!(settle(id, vec![voucher(id, 20, 25)]));
		assert_eq!(Balances::free_balance(FUND), fund + 15);
	});
}

#[test]
fn the_payer_tops_up_and_extends_and_only_the_payer() {
	new_test_ext().execute_with(|| {
		let id = open(100);
		let expires = Channels::<Test>::get(id).unwrap().expires_at;
		assert_noop!(
			Micropay::top_up(RuntimeOrigin::signed(HUB), id, 10, None),
			Error::<Test>::NotPayer
		);
		assert_noop!(
			Micropay::top_up(RuntimeOrigin::signed(VIEWER), id, 10, Some(expires - 1)),
			Error::<Test>::ExpiryTooSoon
		);
		assert_ok!(Micropay::top_up(RuntimeOrigin::signed(VIEWER), id, 50, Some(expires + 10)));
		let c = Channels::<Test>::get(id).unwrap();
		assert_eq!((c.deposit, c.expires_at), (150, expires + 10));
		assert_eq!(held(HoldReason::ChannelFunds), 150);
	});
}

#[test]
fn the_payer_closes_after_the_challenge_period_and_gets_the_rest_back() {
	new_test_ext().execute_with(|| {
		let id = open(1_000);
		assert_ok!(settle(id, vec![voucher(id, ALICES, 30)]));
		let expires = Channels::<Test>::get(id).unwrap().expires_at;
		System::set_block_number(expires);
		// Payees may still settle after the expiry, within the challenge period.
		assert_ok!(settle(id, vec![voucher(id, BOBS, 70)]));
		assert_noop!(
			Micropay::close(RuntimeOrigin::signed(VIEWER), id),
			Error::<Test>::ChallengePeriodNotOver
		);
		System::set_block_number(expires + CHALLENGE);
		assert_noop!(Micropay::close(RuntimeOrigin::signed(HUB), id), Error::<Test>::NotPayer);
		assert_ok!(Micropay::close(RuntimeOrigin::signed(VIEWER), id));
		assert_eq!(Balances::free_balance(VIEWER), 10_000 - 100);
		assert_eq!(held(HoldReason::ChannelFunds) + held(HoldReason::ChannelStorage), 0);
		assert!(Settled::<Test>::iter_prefix(id).next().is_none());
		System::assert_last_event(
			Event::Closed { channel: id, refunded: 900, by_hub: false }.into(),
		);
		// After the close: nothing to settle.
		assert_noop!(settle(id, vec![voucher(id, BOBS, 80)]), Error::<Test>::ChannelNotFound);
	});
}

#[test]
fn the_hub_releases_the_channel_at_once() {
	new_test_ext().execute_with(|| {
		let id = open(1_000);
		assert_ok!(settle(id, vec![voucher(id, ALICES, 30)]));
		assert_noop!(Micropay::release(RuntimeOrigin::signed(VIEWER), id), Error::<Test>::NotHub);
		assert_ok!(Micropay::release(RuntimeOrigin::signed(HUB), id));
		assert_eq!(Balances::free_balance(VIEWER), 10_000 - 30);
		System::assert_last_event(
			Event::Closed { channel: id, refunded: 970, by_hub: true }.into(),
		);
		assert_noop!(settle(id, vec![voucher(id, ALICES, 40)]), Error::<Test>::ChannelNotFound);
	});
}

#[test]
fn owners_price_their_items_per_minute() {
	new_test_ext().execute_with(|| {
		assert_ok!(Micropay::set_minute_price(RuntimeOrigin::signed(ALICE), ALICES, Some(60)));
		assert_eq!(MinutePrices::<Test>::get(ALICES), Some(60));
		assert_noop!(
			Micropay::set_minute_price(RuntimeOrigin::signed(BOB), ALICES, None),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Micropay::set_minute_price(RuntimeOrigin::signed(ALICE), ALICES, Some(0)),
			Error::<Test>::ZeroPrice
		);
		assert_noop!(
			Micropay::set_minute_price(RuntimeOrigin::signed(ALICE), 99, Some(1)),
			Error::<Test>::MediaNotActive
		);
		assert_ok!(Micropay::set_minute_price(RuntimeOrigin::signed(ALICE), ALICES, None));
		assert_eq!(MinutePrices::<Test>::get(ALICES), None);
	});
}
