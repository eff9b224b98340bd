//! The ad exchange's calls, every error, and the adversarial cases of the issue: the
//! off-chain side is simulated with real sr25519 keys and the shared
//! `paratii_primitives::adx` code (through `Pallet::process_block`).

use crate::{mock::*, pallet::*, CampaignId, ChannelBlock, Error, Event};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use paratii_primitives::adx::{self, Body, Message};
use sp_core::{Pair, H256};
use sp_runtime::{traits::BadOrigin, AccountId32, Perbill};

type AdxError = Error<Test>;

fn signed(name: &str) -> RuntimeOrigin {
	RuntimeOrigin::signed(account(name))
}

fn bounded<T, S: frame_support::traits::Get<u32>>(v: Vec<T>) -> BoundedVec<T, S> {
	v.try_into().ok().expect("within bounds")
}

fn names(n: &[&str]) -> Vec<AccountId32> {
	n.iter().map(|n| account(n)).collect()
}

fn shares() -> Shares {
	Shares {
		viewer: Perbill::from_percent(50),
		producer: Perbill::from_percent(30),
		fund: Perbill::from_percent(20),
	}
}

const BUDGET: u128 = 100_000;
const VALID_UNTIL: u64 = 200;
const CHALLENGE: u64 = 3;

/// Each applies and governance admits it.
fn register(validators: &[&str]) {
	for v in validators {
		assert_ok!(AdExchange::register_validator(signed(v)));
		assert_ok!(AdExchange::admit_validator(RuntimeOrigin::root(), account(v)));
	}
}

/// Every validator of the campaign accepts it.
fn accept_all(campaign: CampaignId) {
	for v in Campaigns::<Test>::get(campaign).unwrap().validators {
		assert_ok!(AdExchange::accept_campaign(RuntimeOrigin::signed(v), campaign));
	}
}

/// Waits for a dispute's drawing block, gives it a hash (the mock imports no real
/// blocks), draws the panel and returns it.
fn draw(campaign: CampaignId, block: ChannelBlock) -> Vec<AccountId32> {
	let BlockStatus::Disputed { draw_at: Some(at), .. } =
		Pending::<Test>::get(campaign, block).unwrap().status
	else {
		panic!("a dispute waiting for its panel")
	};
	frame_system::BlockHash::<Test>::insert(at, H256::repeat_byte(at as u8 + 1));
	run_to(at + 1);
	assert_ok!(AdExchange::draw_panel(signed("Producer"), campaign, block));
	panel(campaign, block)
}

fn panel(campaign: CampaignId, block: ChannelBlock) -> Vec<AccountId32> {
	match Pending::<Test>::get(campaign, block).map(|p| p.status) {
		Some(BlockStatus::Disputed { added, draw_at: None, .. }) => added.to_vec(),
		// Settled at the draw.
		None => Vec::new(),
		other => panic!("no drawn panel: {other:?}"),
	}
}

fn create_with(validators: &[&str]) -> CampaignId {
	let id = NextCampaignId::<Test>::get();
	assert_ok!(AdExchange::create_campaign(
		signed("Advertiser"),
		BUDGET,
		1_000,
		shares(),
		bounded(names(validators)),
		bounded(names(&["Exchange", "Auditor"])),
		Some(account("Auditor")),
		VALID_UNTIL,
		CHALLENGE,
		H256::repeat_byte(0x5c),
	));
	accept_all(id);
	id
}

/// A campaign of `validators` with the exchange as its one participant and no auditor,
/// not yet accepted (its id is `NextCampaignId` before the call).
fn create_plain(validators: &[&str]) -> frame_support::dispatch::DispatchResult {
	AdExchange::create_campaign(
		signed("Advertiser"),
		BUDGET,
		1_000,
		shares(),
		bounded(names(validators)),
		bounded(names(&["Exchange"])),
		None,
		VALID_UNTIL,
		CHALLENGE,
		H256::zero(),
	)
}

/// Eight registered validators and a campaign validated by V1 and V2.
fn setup() -> CampaignId {
	register(&["V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8"]);
	create_with(&["V1", "V2"])
}

fn sign(name: &str, campaign: CampaignId, block: ChannelBlock, body: Body) -> Message {
	let p = pair(name);
	let author = p.public().0;
	let channel = AdExchange::channel(campaign, block);
	let signature = p.sign(&adx::signing_payload(&channel, &author, &body)).0;
	Message { author, body, signature }
}

/// The exchange's part: a win and the viewer's view for each `(impression, price)`.
fn exchange_part(campaign: CampaignId, block: ChannelBlock, views: &[(u64, u128)]) -> Vec<Message> {
	let mut part = Vec::new();
	for (impression, price) in views {
		part.push(sign(
			"Exchange",
			campaign,
			block,
			Body::Win {
				impression: *impression,
				viewer: account("Viewer").into(),
				producer: account("Producer").into(),
				price: *price,
			},
		));
		part.push(sign("Viewer", campaign, block, Body::View { impression: *impression }));
	}
	part
}

fn run_to(n: u64) {
	System::set_block_number(n);
}

fn now() -> u64 {
	System::block_number()
}

fn location() -> BoundedVec<u8, frame_support::traits::ConstU32<64>> {
	bounded(b"https://exchange.example/parts/1".to_vec())
}

/// Posts `parts` (by Exchange, then Auditor), waits out the collection window and
/// returns the block's output as the validators compute it.
fn collect(
	campaign: CampaignId,
	block: ChannelBlock,
	parts: Vec<(&str, Vec<Message>)>,
	previous: Vec<(AccountId32, u128)>,
) -> adx::BlockOutput {
	for (who, part) in &parts {
		assert_ok!(AdExchange::submit_part(
			signed(who),
			campaign,
			block,
			H256(adx::part_hash(part)),
			location()
		));
	}
	let until = Pending::<Test>::get(campaign, block).expect("the block is open").collect_until;
	run_to(until);
	AdExchange::process_block(
		campaign,
		block,
		previous,
		parts.into_iter().map(|(_, p)| p).collect(),
	)
	.expect("the parts are the ones posted")
}

fn post(
	validator: &str,
	campaign: CampaignId,
	block: ChannelBlock,
	out: &adx::BlockOutput,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	AdExchange::submit_result(
		signed(validator),
		campaign,
		block,
		H256(out.result_hash),
		H256(out.payouts_root),
		out.total,
	)
}

/// V1 and V2 post the same result.
fn agree(campaign: CampaignId, block: ChannelBlock, out: &adx::BlockOutput) {
	assert_ok!(post("V1", campaign, block, out));
	assert_ok!(post("V2", campaign, block, out));
}

/// V1 and V2 agree, the challenge period passes, and anyone finalizes.
fn settle(campaign: CampaignId, block: ChannelBlock, out: &adx::BlockOutput) {
	agree(campaign, block, out);
	run_to(now() + CHALLENGE);
	assert_ok!(AdExchange::finalize(signed("Producer"), campaign, block));
}

/// A result that pays `account` `amount` on top of `previous`, with a hash the chain
/// accepts: what lying validators would post.
fn forged(
	campaign: CampaignId,
	block: ChannelBlock,
	account_name: &str,
	amount: u128,
) -> adx::BlockOutput {
	let c = Campaigns::<Test>::get(campaign).unwrap();
	let pending = Pending::<Test>::get(campaign, block).unwrap();
	let cumulative = vec![(account(account_name).into(), amount)];
	let root = adx::payouts_root(&cumulative);
	let hash = adx::result_hash(
		&AdExchange::channel(campaign, block),
		&AdExchange::parts_digest(&pending),
		&c.balance_root.0,
		&root,
		amount,
	);
	adx::BlockOutput {
		payouts: cumulative.clone(),
		total: amount,
		paid_views: 0,
		clicks: 0,
		fraud: 0,
		dropped_messages: 0,
		dropped_parts: 0,
		cumulative,
		cumulative_total: amount,
		previous_root: c.balance_root.0,
		payouts_root: root,
		result_hash: hash,
	}
}

fn claim(
	out: &adx::BlockOutput,
	campaign: CampaignId,
	who: &str,
) -> frame_support::dispatch::DispatchResult {
	let cumulative: Vec<(AccountId32, u128)> =
		out.cumulative.iter().map(|(a, v)| (AccountId32::from(*a), *v)).collect();
	let (amount, proof) =
		AdExchange::payout_proof(cumulative, account(who)).expect("earned something");
	let proof = adx::PayoutProof {
		leaf_index: proof.leaf_index,
		number_of_leaves: proof.number_of_leaves,
		path: bounded(proof.path),
	};
	AdExchange::claim(signed("Exchange"), campaign, account(who), amount, proof)
}

fn free(name: &str) -> u128 {
	Balances::balance(&account(name))
}

/// The escrow holds what was budgeted and neither claimed nor refunded, plus its
/// existential deposit while anything is owed; settled never exceeds the budget.
fn check_invariants(campaign: CampaignId) {
	let c = Campaigns::<Test>::get(campaign).unwrap();
	assert!(c.claimed <= c.settled && c.settled <= c.budget);
	assert!(c.claimed + c.refunded <= c.budget);
	let escrow = Balances::balance(&AdExchange::escrow(campaign));
	let owed = c.budget - c.claimed - c.refunded;
	if c.status == CampaignStatus::Closed && c.claimed == c.settled {
		assert_eq!(escrow, 0);
	} else {
		assert_eq!(escrow, owed + ED);
	}
}

fn last_events(n: usize) -> Vec<Event<Test>> {
	let all: Vec<_> = System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::AdExchange(e) => Some(e),
			_ => None,
		})
		.collect();
	all[all.len().saturating_sub(n)..].to_vec()
}

#[test]
fn a_block_settles_and_each_earner_claims_exactly_its_share() {
	new_test_ext().execute_with(|| {
		let c = setup();
		assert_eq!(Balances::balance(&AdExchange::escrow(c)), BUDGET + ED);
		let click = sign("Auditor", c, 0, Body::Check { impression: 1, flags: adx::flags::VIEW | adx::flags::CLICK });
		let out = collect(c, 0, vec![("Exchange", exchange_part(c, 0, &[(1, 1_000), (2, 333)])), ("Auditor", vec![click])], vec![]);
		assert_eq!((out.paid_views, out.total, out.clicks), (2, 1_333, 1));
		agree(c, 0, &out);
		let end = now() + CHALLENGE;
		assert!(matches!(Pending::<Test>::get(c, 0).unwrap().status, BlockStatus::Agreed { challenge_end } if challenge_end == end));
		run_to(end - 1);
		assert_noop!(AdExchange::finalize(signed("Producer"), c, 0), AdxError::ChallengePeriodNotOver);
		run_to(end);
		assert_ok!(AdExchange::finalize(signed("Producer"), c, 0));
		let campaign = Campaigns::<Test>::get(c).unwrap();
		assert_eq!((campaign.settled, campaign.next_block, campaign.balance_root), (1_333, 1, H256(out.payouts_root)));
		check_invariants(c);

		let before = (free("Viewer"), free("Producer"), free("Fund"));
		assert_ok!(claim(&out, c, "Viewer"));
		assert_ok!(claim(&out, c, "Producer"));
		assert_ok!(claim(&out, c, "Fund"));
		// 1,000 → 500 / 300 / 200; 333 → 166 / 99 / 68.
		assert_eq!(free("Viewer") - before.0, 666);
		assert_eq!(free("Producer") - before.1, 399);
		assert_eq!(free("Fund") - before.2, 268);
		assert_noop!(claim(&out, c, "Viewer"), AdxError::NothingToClaim);
		check_invariants(c);
		// A finalized block never changes: nothing more can be posted or finalized.
		assert_eq!(Outcomes::<Test>::get(c), Some((0, Outcome::Finalized {
			result: PostedResult { result_hash: H256(out.result_hash), payouts_root: H256(out.payouts_root), total: 1_333 },
			at: end,
		})));
		assert_noop!(post("V1", c, 0, &out), AdxError::NoOpenBlock);
		assert_noop!(AdExchange::finalize(signed("Producer"), c, 0), AdxError::NoOpenBlock);
	});
}

#[test]
fn earnings_accumulate_across_blocks_and_claims_pay_the_difference() {
	new_test_ext().execute_with(|| {
		let c = setup();
		let first = collect(c, 0, vec![("Exchange", exchange_part(c, 0, &[(1, 1_000)]))], vec![]);
		settle(c, 0, &first);
		let before = free("Viewer");
		assert_ok!(claim(&first, c, "Viewer"));
		let previous = first.cumulative.iter().map(|(a, v)| (AccountId32::from(*a), *v)).collect();
		// The message signed for block 0 is no good in block 1: replayed, it pays nothing.
		let mut replay = exchange_part(c, 0, &[(1, 1_000)]);
		replay.extend(exchange_part(c, 1, &[(7, 400)]));
		let second = collect(c, 1, vec![("Exchange", replay)], previous);
		assert_eq!((second.total, second.dropped_messages), (400, 2));
		// Block 0's result, replayed for block 1.
		assert_noop!(post("V1", c, 1, &first), AdxError::ResultHashMismatch);
		settle(c, 1, &second);
		// Only the last ended block's outcome is kept.
		assert!(matches!(Outcomes::<Test>::get(c), Some((1, Outcome::Finalized { .. }))));
		// The first proof is stale: the root moved on.
		assert_noop!(claim(&first, c, "Producer"), AdxError::InvalidProof);
		assert_ok!(claim(&second, c, "Viewer"));
		assert_eq!(free("Viewer") - before, 500 + 200);
		assert_eq!(Withdrawn::<Test>::get(c, account("Viewer")), 700);
		check_invariants(c);
	});
}

#[test]
fn create_campaign_refuses_bad_terms_and_changes_nothing() {
	new_test_ext().execute_with(|| {
		register(&["V1", "V2", "V3"]);
		register(&["Auditor"]);
		let create = |who: &str,
		              budget: u128,
		              max: u128,
		              shares: Shares,
		              validators: &[&str],
		              participants: &[&str],
		              until: u64,
		              challenge: u64| {
			AdExchange::create_campaign(
				signed(who),
				budget,
				max,
				shares,
				bounded(names(validators)),
				bounded(names(participants)),
				None,
				until,
				challenge,
				H256::zero(),
			)
		};
		assert_noop!(
			create("Advertiser", 99, 10, shares(), &["V1", "V2"], &["Exchange"], 50, 3),
			AdxError::BudgetTooSmall
		);
		assert_noop!(
			create("Advertiser", 1_000, 0, shares(), &["V1", "V2"], &["Exchange"], 50, 3),
			AdxError::BadMaxPrice
		);
		assert_noop!(
			create("Advertiser", 1_000, 1_001, shares(), &["V1", "V2"], &["Exchange"], 50, 3),
			AdxError::BadMaxPrice
		);
		let uneven = Shares { fund: Perbill::from_percent(19), ..shares() };
		assert_noop!(
			create("Advertiser", 1_000, 10, uneven, &["V1", "V2"], &["Exchange"], 50, 3),
			AdxError::SharesNotWhole
		);
		assert_noop!(
			create("Advertiser", 1_000, 10, shares(), &["V1"], &["Exchange"], 50, 3),
			AdxError::TooFewValidators
		);
		// The sybil'd list: one validator twice.
		assert_noop!(
			create("Advertiser", 1_000, 10, shares(), &["V1", "V1"], &["Exchange"], 50, 3),
			AdxError::DuplicateValidator
		);
		assert_noop!(
			create("Advertiser", 1_000, 10, shares(), &["V1", "V4"], &["Exchange"], 50, 3),
			AdxError::NotARegisteredValidator
		);
		assert_noop!(
			create("Auditor", 1_000, 10, shares(), &["V1", "Auditor"], &["Exchange"], 50, 3),
			AdxError::AdvertiserIsValidator
		);
		assert_noop!(
			create("Advertiser", 1_000, 10, shares(), &["V1", "V2"], &[], 50, 3),
			AdxError::NoParticipants
		);
		assert_noop!(
			create(
				"Advertiser",
				1_000,
				10,
				shares(),
				&["V1", "V2"],
				&["Exchange", "Exchange"],
				50,
				3
			),
			AdxError::DuplicateParticipant
		);
		assert_noop!(
			create("Advertiser", 1_000, 10, shares(), &["V1", "V2"], &["Exchange"], 1, 3),
			AdxError::BadValidUntil
		);
		assert_noop!(
			create("Advertiser", 1_000, 10, shares(), &["V1", "V2"], &["Exchange"], 1_002, 3),
			AdxError::BadValidUntil
		);
		assert_noop!(
			create("Advertiser", 1_000, 10, shares(), &["V1", "V2"], &["Exchange"], 50, 1),
			AdxError::BadChallengePeriod
		);
		assert_noop!(
			create("Advertiser", 1_000, 10, shares(), &["V1", "V2"], &["Exchange"], 50, 101),
			AdxError::BadChallengePeriod
		);
		assert_noop!(
			create("Advertiser", 1_000_000, 10, shares(), &["V1", "V2"], &["Exchange"], 50, 3),
			AdxError::CannotPayBudget
		);
		// The budget fits, the storage deposit does not: nothing moves.
		let all_but = free("Advertiser") - 2 * ED - 1;
		assert_noop!(
			create("Advertiser", all_but, 10, shares(), &["V1", "V2"], &["Exchange"], 50, 3),
			AdxError::CannotPayCampaignDeposit
		);
		// The campaign id counter only moves on success, one by one.
		assert_ok!(create("Advertiser", 1_000, 10, shares(), &["V1", "V2"], &["Exchange"], 50, 3));
		assert_eq!(NextCampaignId::<Test>::get(), 1);
		// Named validators are bound only once they accept.
		assert_eq!(Validators::<Test>::get(account("V1")).unwrap().assignments, 0);
		accept_all(0);
		assert_eq!(Validators::<Test>::get(account("V1")).unwrap().assignments, 1);
		NextCampaignId::<Test>::put(u64::MAX);
		assert_noop!(
			create("Advertiser", 1_000, 10, shares(), &["V1", "V2"], &["Exchange"], 50, 3),
			AdxError::Overflow
		);
	});
}

#[test]
fn top_up_is_the_advertisers_and_grows_the_budget() {
	new_test_ext().execute_with(|| {
		let c = setup();
		assert_noop!(AdExchange::top_up(signed("Viewer"), c, 10), AdxError::NotAdvertiser);
		assert_noop!(AdExchange::top_up(signed("Advertiser"), 9, 10), AdxError::UnknownCampaign);
		assert_noop!(
			AdExchange::top_up(signed("Advertiser"), c, 10_000_000),
			AdxError::CannotPayBudget
		);
		assert_ok!(AdExchange::top_up(signed("Advertiser"), c, 5_000));
		assert_eq!(Campaigns::<Test>::get(c).unwrap().budget, BUDGET + 5_000);
		check_invariants(c);
		run_to(VALID_UNTIL);
		assert_ok!(AdExchange::close_campaign(signed("Advertiser"), c));
		assert_noop!(AdExchange::top_up(signed("Advertiser"), c, 10), AdxError::CampaignClosed);
	});
}

#[test]
fn validators_bond_unbond_and_withdraw() {
	new_test_ext().execute_with(|| {
		let c = setup();
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::ValidatorBond.into(), &account("V1")),
			BOND
		);
		assert_noop!(AdExchange::register_validator(signed("V1")), AdxError::AlreadyRegistered);
		assert_noop!(AdExchange::register_validator(signed("Newcomer")), AdxError::CannotPayBond);
		register(&["Exchange", "Auditor", "Viewer", "Producer"]);
		// Applying holds the bond; the registry is full only for admission.
		assert_ok!(AdExchange::register_validator(signed("Fund")));
		assert_noop!(
			AdExchange::admit_validator(RuntimeOrigin::root(), account("Fund")),
			AdxError::RegistryFull
		);
		assert_noop!(AdExchange::withdraw_bond(signed("V1")), AdxError::NotUnbonding);
		assert_noop!(
			AdExchange::unregister_validator(signed("Advertiser")),
			AdxError::NotRegistered
		);
		assert_ok!(AdExchange::unregister_validator(signed("V1")));
		assert_noop!(AdExchange::unregister_validator(signed("V1")), AdxError::NotRegistered);
		assert!(!Registry::<Test>::get().contains(&account("V1")));
		// An unbonding validator is not chosen again.
		assert_noop!(
			AdExchange::create_campaign(
				signed("Advertiser"),
				1_000,
				10,
				shares(),
				bounded(names(&["V1", "V3"])),
				bounded(names(&["Exchange"])),
				None,
				50,
				3,
				H256::zero()
			),
			AdxError::NotARegisteredValidator
		);
		run_to(1 + UNBONDING - 1);
		assert_noop!(AdExchange::withdraw_bond(signed("V1")), AdxError::StillUnbonding);
		run_to(VALID_UNTIL);
		// Still validating campaign `c`.
		assert_noop!(AdExchange::withdraw_bond(signed("V1")), AdxError::StillAssigned);
		assert_ok!(AdExchange::close_campaign(signed("Advertiser"), c));
		let before = free("V1");
		assert_ok!(AdExchange::withdraw_bond(signed("V1")));
		assert_eq!(free("V1") - before, BOND);
		assert_eq!(Balances::balance_on_hold(&HoldReason::ValidatorBond.into(), &account("V1")), 0);
		assert_eq!(Validators::<Test>::get(account("V1")), None);
	});
}

#[test]
fn parts_come_from_participants_once_each_within_the_window() {
	new_test_ext().execute_with(|| {
		let c = setup();
		let h = H256::repeat_byte(1);
		assert_noop!(
			AdExchange::submit_part(signed("Viewer"), c, 0, h, location()),
			AdxError::NotAParticipant
		);
		assert_noop!(
			AdExchange::submit_part(signed("Exchange"), 7, 0, h, location()),
			AdxError::UnknownCampaign
		);
		// Nobody picks the block number: the chain's counter is the only one open.
		assert_noop!(
			AdExchange::submit_part(signed("Exchange"), c, 1, h, location()),
			AdxError::WrongBlock
		);
		assert_noop!(
			AdExchange::submit_part(signed("Exchange"), c, u32::MAX, h, location()),
			AdxError::WrongBlock
		);
		assert_ok!(AdExchange::submit_part(signed("Exchange"), c, 0, h, location()));
		assert_noop!(
			AdExchange::submit_part(signed("Exchange"), c, 0, h, location()),
			AdxError::PartAlreadySubmitted
		);
		// A late part: the window closes at `collect_until`.
		run_to(1 + COLLECTION);
		assert_noop!(
			AdExchange::submit_part(signed("Auditor"), c, 0, h, location()),
			AdxError::CollectionClosed
		);
		assert!(matches!(last_events(1)[..], [Event::PartSubmitted { .. }]));
	});
}

#[test]
fn no_new_block_after_valid_until() {
	new_test_ext().execute_with(|| {
		let c = setup();
		run_to(VALID_UNTIL);
		assert_noop!(
			AdExchange::submit_part(signed("Exchange"), c, 0, H256::zero(), location()),
			AdxError::CampaignExpired
		);
	});
}

#[test]
fn results_are_checked_before_they_count() {
	new_test_ext().execute_with(|| {
		let c = setup();
		let other = create_with(&["V1", "V2"]);
		// A result before any part.
		let fake = adx::BlockOutput { result_hash: [1; 32], ..forged_empty() };
		assert_noop!(post("V1", c, 0, &fake), AdxError::NoOpenBlock);
		let part = exchange_part(c, 0, &[(1, 1_000)]);
		assert_ok!(AdExchange::submit_part(
			signed("Exchange"),
			c,
			0,
			H256(adx::part_hash(&part)),
			location()
		));
		assert_noop!(post("V1", c, 0, &fake), AdxError::StillCollecting);
		let out =
			collect(other, 0, vec![("Exchange", exchange_part(other, 0, &[(1, 1_000)]))], vec![]);
		let mine = AdExchange::process_block(c, 0, vec![], vec![part]).unwrap();
		// The other campaign's result, replayed here.
		assert_noop!(post("V1", c, 0, &out), AdxError::ResultHashMismatch);
		// A hash for another total.
		assert_noop!(
			post("V1", c, 0, &adx::BlockOutput { total: 999, ..mine.clone() }),
			AdxError::ResultHashMismatch
		);
		assert_noop!(post("V3", c, 0, &mine), AdxError::NotAValidator);
		// Overspending: a consistent result that settles more than the budget.
		assert_noop!(
			post("V1", c, 0, &forged(c, 0, "Viewer", BUDGET + 1)),
			AdxError::ExceedsBudget
		);
		assert_ok!(post("V1", c, 0, &mine));
		assert_noop!(post("V1", c, 0, &mine), AdxError::ResultAlreadySubmitted);
		assert_ok!(post("V2", c, 0, &mine));
		assert_ok!(post("V1", other, 0, &out));
		// The next block's result hash differs even with the same parts and payouts.
		run_to(now() + CHALLENGE);
		assert_ok!(AdExchange::finalize(signed("V3"), c, 0));
	});
}

fn forged_empty() -> adx::BlockOutput {
	adx::BlockOutput {
		payouts: vec![],
		total: 0,
		paid_views: 0,
		clicks: 0,
		fraud: 0,
		dropped_messages: 0,
		dropped_parts: 0,
		cumulative: vec![],
		cumulative_total: 0,
		previous_root: [0; 32],
		payouts_root: [0; 32],
		result_hash: [0; 32],
	}
}

#[test]
fn conflicting_results_open_a_dispute_that_the_honest_result_wins() {
	new_test_ext().execute_with(|| {
		let c = setup();
		let honest = collect(c, 0, vec![("Exchange", exchange_part(c, 0, &[(1, 1_000)]))], vec![]);
		let lie = forged(c, 0, "V2", 5_000);
		assert_ok!(post("V1", c, 0, &honest));
		assert_ok!(post("V2", c, 0, &lie));
		let BlockStatus::Disputed { added, deadline, disputer, draw_at, .. } =
			Pending::<Test>::get(c, 0).unwrap().status
		else {
			panic!("two results differ: disputed");
		};
		// The panel is drawn from a block nobody knows yet.
		assert_eq!(
			(added.len(), draw_at, deadline, disputer),
			(0, Some(now() + DRAW_DELAY), now() + DRAW_DELAY + DISPUTE_PERIOD, None)
		);
		assert_noop!(AdExchange::draw_panel(signed("V3"), c, 0), AdxError::PanelNotYetDrawable);
		run_to(now() + DRAW_DELAY);
		assert_noop!(AdExchange::draw_panel(signed("V3"), c, 0), AdxError::PanelNotYetDrawable);
		let added = draw(c, 0);
		assert_eq!(added.len(), 4);
		assert!(!added.contains(&account("V1")) && !added.contains(&account("V2")));
		assert_noop!(AdExchange::draw_panel(signed("V3"), c, 0), AdxError::PanelAlreadyDrawn);
		// Nobody can finalize a disputed block.
		assert_noop!(AdExchange::finalize(signed("V1"), c, 0), AdxError::NotAgreed);
		// 6 validators: ⅔ is 4.
		let added: Vec<String> = added.iter().map(name_of).collect();
		assert_ok!(post(&added[0], c, 0, &honest));
		assert_ok!(post(&added[1], c, 0, &lie));
		let fund_before = free("Fund");
		assert_ok!(post(&added[2], c, 0, &honest));
		assert!(Pending::<Test>::get(c, 0).is_some(), "3 of 6 is not ⅔");
		assert_ok!(post(&added[3], c, 0, &honest));
		assert_eq!(Pending::<Test>::get(c, 0), None);
		assert_eq!(Campaigns::<Test>::get(c).unwrap().balance_root, H256(honest.payouts_root));
		// Both liars lose 10 % of their bond to the fund and leave the registry.
		for liar in ["V2", added[1].as_str()] {
			assert_eq!(
				Balances::balance_on_hold(&HoldReason::ValidatorBond.into(), &account(liar)),
				BOND - BOND / 10
			);
			assert!(!Registry::<Test>::get().contains(&account(liar)));
		}
		assert_eq!(free("Fund") - fund_before, 2 * BOND / 10);
		// The added validators are free again.
		for v in &added {
			assert_eq!(Validators::<Test>::get(account(v)).unwrap().assignments, 0);
		}
		check_invariants(c);
	});
}

fn name_of(a: &AccountId32) -> String {
	FUNDED.iter().find(|n| account(n) == *a).expect("a known account").to_string()
}

#[test]
fn a_colluding_pair_loses_against_a_third_and_the_registry() {
	new_test_ext().execute_with(|| {
		register(&["V1", "V2", "V3", "V4", "V5", "V6", "V7"]);
		let c = create_with(&["V1", "V2", "V3"]);
		let honest = collect(c, 0, vec![("Exchange", exchange_part(c, 0, &[(1, 1_000)]))], vec![]);
		let lie = forged(c, 0, "V1", 90_000);
		agree(c, 0, &lie);
		assert_ok!(post("V3", c, 0, &honest));
		let added = draw(c, 0);
		assert_eq!(added.len(), 4);
		// 7 validators: ⅔ is 5; the pair can reach at most 2 + what it buys.
		for v in added.iter().take(4) {
			assert_ok!(post(&name_of(v), c, 0, &honest));
		}
		assert_eq!(Campaigns::<Test>::get(c).unwrap().balance_root, H256(honest.payouts_root));
		assert_eq!(Campaigns::<Test>::get(c).unwrap().settled, 1_000);
		for liar in ["V1", "V2"] {
			assert_eq!(
				Balances::balance_on_hold(&HoldReason::ValidatorBond.into(), &account(liar)),
				BOND - BOND / 10
			);
		}
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::ValidatorBond.into(), &account("V3")),
			BOND
		);
	});
}

#[test]
fn when_every_validator_colludes_claims_still_stop_at_what_was_settled() {
	new_test_ext().execute_with(|| {
		let c = setup();
		// A consistent lie: total 10, but a root crediting V1 with 5,000.
		let c_ = Campaigns::<Test>::get(c).unwrap();
		let _ = collect(c, 0, vec![("Exchange", vec![])], vec![]);
		let pending = Pending::<Test>::get(c, 0).unwrap();
		let cumulative = vec![(account("V1").into(), 5_000u128)];
		let root = adx::payouts_root(&cumulative);
		let hash = adx::result_hash(
			&AdExchange::channel(c, 0),
			&AdExchange::parts_digest(&pending),
			&c_.balance_root.0,
			&root,
			10,
		);
		let lie = adx::BlockOutput {
			total: 10,
			cumulative,
			payouts_root: root,
			result_hash: hash,
			..forged_empty()
		};
		settle(c, 0, &lie);
		assert_noop!(claim(&lie, c, "V1"), AdxError::ClaimExceedsSettled);
		check_invariants(c);
	});
}

#[test]
fn a_participant_disputes_an_agreed_block_in_time_and_pays_for_a_failed_dispute() {
	new_test_ext().execute_with(|| {
		let c = setup();
		let out = collect(c, 0, vec![("Exchange", exchange_part(c, 0, &[(1, 1_000)]))], vec![]);
		assert_noop!(
			AdExchange::open_dispute(signed("Exchange"), c, 0),
			AdxError::NothingToDispute
		);
		agree(c, 0, &out);
		assert_noop!(
			AdExchange::open_dispute(signed("Viewer"), c, 0),
			AdxError::NotEntitledToDispute
		);
		assert_noop!(AdExchange::open_dispute(signed("Exchange"), c, 1), AdxError::NoOpenBlock);
		assert_ok!(AdExchange::open_dispute(signed("Auditor"), c, 0));
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::DisputeBond.into(), &account("Auditor")),
			DISPUTE_BOND
		);
		// Spam: one dispute per block.
		assert_noop!(AdExchange::open_dispute(signed("Exchange"), c, 0), AdxError::AlreadyDisputed);
		assert_noop!(
			AdExchange::open_dispute(signed("Advertiser"), c, 0),
			AdxError::AlreadyDisputed
		);
		let BlockStatus::Disputed { challenged, .. } = Pending::<Test>::get(c, 0).unwrap().status
		else {
			panic!("disputed")
		};
		assert_eq!(challenged, Some(H256(out.result_hash)));
		let added = draw(c, 0);
		// Neither the disputer, the other participants nor the campaign's validators sit.
		for involved in ["Auditor", "Exchange", "Advertiser", "V1", "V2"] {
			assert!(!added.contains(&account(involved)), "{involved} on the panel");
		}
		// The added validators confirm the challenged result: 4 of 6.
		let fund_before = free("Fund");
		let auditor_before = free("Auditor");
		for v in added.iter().take(2) {
			assert_ok!(post(&name_of(v), c, 0, &out));
		}
		assert_eq!(
			Outcomes::<Test>::get(c).map(|(b, o)| b == 0 && matches!(o, Outcome::Finalized { .. })),
			Some(true)
		);
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::DisputeBond.into(), &account("Auditor")),
			0
		);
		assert_eq!(free("Fund") - fund_before, DISPUTE_BOND);
		assert_eq!(free("Auditor"), auditor_before);
		assert!(last_events(3).contains(&Event::DisputerSlashed {
			disputer: account("Auditor"),
			amount: DISPUTE_BOND
		}));
	});
}

#[test]
fn disputes_close_exactly_when_finalizing_opens() {
	new_test_ext().execute_with(|| {
		let c = setup();
		let out = collect(c, 0, vec![("Exchange", exchange_part(c, 0, &[(1, 1_000)]))], vec![]);
		agree(c, 0, &out);
		let end = now() + CHALLENGE;
		run_to(end);
		// A late dispute: at the end of the challenge period the block is final.
		assert_noop!(
			AdExchange::open_dispute(signed("Exchange"), c, 0),
			AdxError::ChallengePeriodOver
		);
		assert_ok!(AdExchange::finalize(signed("Exchange"), c, 0));
	});
}

#[test]
fn a_successful_dispute_returns_the_bond_and_slashes_the_agreed_liars() {
	new_test_ext().execute_with(|| {
		let c = setup();
		let honest = collect(c, 0, vec![("Exchange", exchange_part(c, 0, &[(1, 1_000)]))], vec![]);
		let lie = forged(c, 0, "V1", 2_000);
		agree(c, 0, &lie);
		assert_ok!(AdExchange::open_dispute(signed("Exchange"), c, 0));
		let added = draw(c, 0);
		for v in &added {
			assert_ok!(post(&name_of(v), c, 0, &honest));
		}
		assert_eq!(Campaigns::<Test>::get(c).unwrap().balance_root, H256(honest.payouts_root));
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::DisputeBond.into(), &account("Exchange")),
			0
		);
		assert_eq!(free("Exchange"), 1_000_000);
		for liar in ["V1", "V2"] {
			assert_eq!(
				Balances::balance_on_hold(&HoldReason::ValidatorBond.into(), &account(liar)),
				BOND - BOND / 10
			);
		}
	});
}

#[test]
fn the_council_resolves_a_deadlock_and_only_a_deadlock() {
	new_test_ext().execute_with(|| {
		register(&["V1", "V2"]);
		let c = create_with(&["V1", "V2"]);
		let honest = collect(c, 0, vec![("Exchange", exchange_part(c, 0, &[(1, 1_000)]))], vec![]);
		let lie = forged(c, 0, "V2", 3_000);
		assert_ok!(post("V1", c, 0, &honest));
		assert_ok!(post("V2", c, 0, &lie));
		// No one else in the registry: 1 against 1, no ⅔.
		let BlockStatus::Disputed { deadline, .. } = Pending::<Test>::get(c, 0).unwrap().status
		else {
			panic!("disputed")
		};
		assert!(draw(c, 0).is_empty());
		assert_noop!(
			AdExchange::resolve_dispute(
				RuntimeOrigin::root(),
				c,
				0,
				Some(H256(honest.result_hash))
			),
			AdxError::DisputeStillRunning
		);
		run_to(deadline);
		assert_noop!(AdExchange::resolve_dispute(signed("V1"), c, 0, None), BadOrigin);
		assert_noop!(
			AdExchange::resolve_dispute(RuntimeOrigin::root(), c, 0, Some(H256::zero())),
			AdxError::UnknownResult
		);
		assert_noop!(
			AdExchange::resolve_dispute(RuntimeOrigin::root(), c, 1, None),
			AdxError::NoOpenBlock
		);
		assert_ok!(AdExchange::resolve_dispute(
			RuntimeOrigin::root(),
			c,
			0,
			Some(H256(honest.result_hash))
		));
		assert_eq!(Campaigns::<Test>::get(c).unwrap().settled, 1_000);
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::ValidatorBond.into(), &account("V2")),
			BOND - BOND / 10
		);
		assert_noop!(
			AdExchange::resolve_dispute(RuntimeOrigin::root(), c, 0, None),
			AdxError::NoOpenBlock
		);
	});
}

#[test]
fn a_discarded_block_pays_nothing_and_the_next_one_opens() {
	new_test_ext().execute_with(|| {
		register(&["V1", "V2"]);
		let c = create_with(&["V1", "V2"]);
		let honest = collect(c, 0, vec![("Exchange", exchange_part(c, 0, &[(1, 1_000)]))], vec![]);
		assert_ok!(post("V1", c, 0, &honest));
		assert_ok!(post("V2", c, 0, &forged(c, 0, "V2", 3_000)));
		run_to(now() + DRAW_DELAY + DISPUTE_PERIOD);
		assert_ok!(AdExchange::resolve_dispute(RuntimeOrigin::root(), c, 0, None));
		let campaign = Campaigns::<Test>::get(c).unwrap();
		assert_eq!(
			(campaign.settled, campaign.next_block, campaign.balance_root),
			(0, 1, H256::zero())
		);
		assert!(matches!(Outcomes::<Test>::get(c), Some((0, Outcome::Discarded { .. }))));
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::ValidatorBond.into(), &account("V2")),
			BOND
		);
		assert_ok!(AdExchange::submit_part(signed("Exchange"), c, 1, H256::zero(), location()));
	});
}

#[test]
fn a_silent_validator_can_be_escalated_after_the_result_window() {
	new_test_ext().execute_with(|| {
		let c = setup();
		let out = collect(c, 0, vec![("Exchange", exchange_part(c, 0, &[(1, 1_000)]))], vec![]);
		assert_ok!(post("V1", c, 0, &out));
		// V2 never posts. A lone validator cannot finalize.
		assert_noop!(AdExchange::finalize(signed("V1"), c, 0), AdxError::NotAgreed);
		run_to(now() + RESULT_WINDOW - 1);
		assert_noop!(
			AdExchange::open_dispute(signed("Advertiser"), c, 0),
			AdxError::NothingToDispute
		);
		run_to(now() + 1);
		assert_ok!(AdExchange::open_dispute(signed("Advertiser"), c, 0));
		let BlockStatus::Disputed { challenged, .. } = Pending::<Test>::get(c, 0).unwrap().status
		else {
			panic!("disputed")
		};
		assert_eq!(challenged, None);
		let added = draw(c, 0);
		for v in added.iter().take(3) {
			assert_ok!(post(&name_of(v), c, 0, &out));
		}
		// 4 of 6; nobody posted another result, so nobody is slashed, and the advertiser
		// gets its bond back.
		assert_eq!(Campaigns::<Test>::get(c).unwrap().settled, 1_000);
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::DisputeBond.into(), &account("Advertiser")),
			0
		);
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::ValidatorBond.into(), &account("V2")),
			BOND
		);
	});
}

#[test]
fn closing_refunds_the_unsettled_budget_and_claims_outlive_the_campaign() {
	new_test_ext().execute_with(|| {
		let c = setup();
		let out = collect(c, 0, vec![("Exchange", exchange_part(c, 0, &[(1, 1_000)]))], vec![]);
		agree(c, 0, &out);
		run_to(VALID_UNTIL);
		assert_noop!(AdExchange::close_campaign(signed("Advertiser"), c), AdxError::BlockPending);
		assert_ok!(AdExchange::finalize(signed("V1"), c, 0));
		// Until the grace period has passed, only the advertiser closes.
		assert_noop!(
			AdExchange::close_campaign(signed("Viewer"), c),
			AdxError::CampaignStillRunning
		);
		let before = free("Advertiser");
		assert_ok!(AdExchange::close_campaign(signed("Advertiser"), c));
		assert_eq!(free("Advertiser") - before, BUDGET - 1_000);
		assert_noop!(AdExchange::close_campaign(signed("Advertiser"), c), AdxError::CampaignClosed);
		assert_noop!(
			AdExchange::submit_part(signed("Exchange"), c, 1, H256::zero(), location()),
			AdxError::CampaignClosed
		);
		check_invariants(c);
		// Earnings never lapse; the last claim returns the escrow's deposit.
		assert_ok!(claim(&out, c, "Viewer"));
		assert_ok!(claim(&out, c, "Producer"));
		let before = free("Advertiser");
		assert_ok!(claim(&out, c, "Fund"));
		assert_eq!(free("Advertiser") - before, ED);
		check_invariants(c);
		let campaign = Campaigns::<Test>::get(c).unwrap();
		assert_eq!(campaign.claimed + campaign.refunded, campaign.budget);
	});
}

#[test]
fn closing_early_is_refused() {
	new_test_ext().execute_with(|| {
		let c = setup();
		assert_noop!(
			AdExchange::close_campaign(signed("Advertiser"), c),
			AdxError::CampaignStillRunning
		);
		assert_noop!(
			AdExchange::close_campaign(signed("Advertiser"), 5),
			AdxError::UnknownCampaign
		);
	});
}

#[test]
fn claims_need_a_valid_proof_and_dust_waits_for_more() {
	new_test_ext().execute_with(|| {
		register(&["V1", "V2"]);
		let id = NextCampaignId::<Test>::get();
		// A newcomer viewer with no PTI, earning 50 % of a 10-planck view: 5 < ED.
		assert_ok!(create_plain(&["V1", "V2"]));
		accept_all(id);
		let win = |block, impression, price| {
			sign(
				"Exchange",
				id,
				block,
				Body::Win {
					impression,
					viewer: account("Newcomer").into(),
					producer: account("Producer").into(),
					price,
				},
			)
		};
		let part = vec![win(0, 1, 10), sign("Newcomer", id, 0, Body::View { impression: 1 })];
		let out = collect(id, 0, vec![("Exchange", part)], vec![]);
		assert_eq!(out.total, 10);
		settle(id, 0, &out);
		assert_noop!(claim(&out, id, "Newcomer"), AdxError::BelowExistentialDeposit);
		// A wrong amount or another beneficiary is refused.
		let cumulative: Vec<(AccountId32, u128)> =
			out.cumulative.iter().map(|(a, v)| (AccountId32::from(*a), *v)).collect();
		let (amount, proof) = AdExchange::payout_proof(cumulative, account("Producer")).unwrap();
		let proof = adx::PayoutProof {
			leaf_index: proof.leaf_index,
			number_of_leaves: proof.number_of_leaves,
			path: bounded(proof.path),
		};
		assert_noop!(
			AdExchange::claim(signed("V1"), id, account("Producer"), amount + 1, proof.clone()),
			AdxError::InvalidProof
		);
		assert_noop!(
			AdExchange::claim(signed("V1"), id, account("Viewer"), amount, proof.clone()),
			AdxError::InvalidProof
		);
		assert_noop!(
			AdExchange::claim(signed("V1"), 9, account("Producer"), amount, proof.clone()),
			AdxError::UnknownCampaign
		);
		assert_ok!(AdExchange::claim(signed("V1"), id, account("Producer"), amount, proof));
		// The next block grows the newcomer's earnings above ED; the claim pays it all.
		let previous = out.cumulative.iter().map(|(a, v)| (AccountId32::from(*a), *v)).collect();
		let part = vec![win(1, 1, 40), sign("Newcomer", id, 1, Body::View { impression: 1 })];
		let out = collect(id, 1, vec![("Exchange", part)], previous);
		settle(id, 1, &out);
		assert_ok!(claim(&out, id, "Newcomer"));
		assert_eq!(free("Newcomer"), 25);
	});
}

#[test]
fn a_block_with_nothing_to_pay_still_settles() {
	new_test_ext().execute_with(|| {
		let c = setup();
		let fraud = sign("Auditor", c, 0, Body::Check { impression: 1, flags: adx::flags::FRAUD });
		let out = collect(
			c,
			0,
			vec![("Exchange", exchange_part(c, 0, &[(1, 1_000)])), ("Auditor", vec![fraud])],
			vec![],
		);
		assert_eq!((out.total, out.fraud, out.payouts_root), (0, 1, [0; 32]));
		settle(c, 0, &out);
		assert_eq!(Campaigns::<Test>::get(c).unwrap().settled, 0);
		check_invariants(c);
	});
}

#[test]
fn process_block_checks_parts_and_previous_balances() {
	new_test_ext().execute_with(|| {
		use crate::runtime_api::ProcessBlockError as E;
		let c = setup();
		assert_eq!(AdExchange::process_block(c, 0, vec![], vec![]), Err(E::NoOpenBlock));
		assert_eq!(AdExchange::process_block(9, 0, vec![], vec![]), Err(E::UnknownCampaign));
		let part = exchange_part(c, 0, &[(1, 1_000)]);
		let _ = collect(c, 0, vec![("Exchange", part.clone())], vec![]);
		assert_eq!(
			AdExchange::process_block(c, 0, vec![], vec![]),
			Err(E::PartCount { expected: 1 })
		);
		assert_eq!(
			AdExchange::process_block(c, 0, vec![], vec![part[..1].to_vec()]),
			Err(E::PartMismatch { index: 0 })
		);
		assert_eq!(
			AdExchange::process_block(c, 0, vec![(account("Viewer"), 1)], vec![part]),
			Err(E::PreviousMismatch)
		);
	});
}

#[test]
fn supermajority_is_at_least_two_thirds() {
	assert_eq!([2, 3, 4, 5, 6, 7, 8].map(supermajority), [2, 2, 3, 4, 4, 5, 6]);
}

#[test]
fn a_dispute_needs_its_bond_and_the_council_only_decides_disputes() {
	new_test_ext().execute_with(|| {
		register(&["V1", "V2"]);
		let id = NextCampaignId::<Test>::get();
		assert_ok!(AdExchange::create_campaign(
			signed("Advertiser"),
			BUDGET,
			1_000,
			shares(),
			bounded(names(&["V1", "V2"])),
			bounded(names(&["Exchange", "Newcomer"])),
			None,
			VALID_UNTIL,
			CHALLENGE,
			H256::zero(),
		));
		accept_all(id);
		let out = collect(id, 0, vec![("Exchange", exchange_part(id, 0, &[(1, 1_000)]))], vec![]);
		agree(id, 0, &out);
		// A participant without PTI cannot dispute.
		assert_noop!(
			AdExchange::open_dispute(signed("Newcomer"), id, 0),
			AdxError::CannotPayDisputeBond
		);
		assert_noop!(
			AdExchange::resolve_dispute(RuntimeOrigin::root(), id, 0, Some(H256(out.result_hash))),
			AdxError::NotDisputed
		);
	});
}

/// A registry of `n` admitted validators besides V1 and V2, named R0..: accounts from
/// `//R{i}` seeds, funded.
fn big_registry(n: u32) -> Vec<AccountId32> {
	(0..n)
		.map(|i| {
			let who = account(&format!("R{i}"));
			assert_ok!(Balances::force_set_balance(RuntimeOrigin::root(), who.clone(), 1_000_000));
			assert_ok!(AdExchange::register_validator(RuntimeOrigin::signed(who.clone())));
			assert_ok!(AdExchange::admit_validator(RuntimeOrigin::root(), who.clone()));
			who
		})
		.collect()
}

#[test]
fn a_dispute_panel_is_unknown_when_the_dispute_is_submitted_and_not_a_run_of_neighbours() {
	// The same dispute, with the drawing block's hash as the only difference.
	let panel_for = |hash: u8| {
		new_test_ext().execute_with(|| {
			register(&["V1", "V2"]);
			let registry = big_registry(10);
			let c = create_with(&["V1", "V2"]);
			let honest =
				collect(c, 0, vec![("Exchange", exchange_part(c, 0, &[(1, 1_000)]))], vec![]);
			assert_ok!(post("V1", c, 0, &honest));
			assert_ok!(post("V2", c, 0, &forged(c, 0, "V2", 5_000)));
			// Nothing is drawn when the dispute is submitted.
			assert!(matches!(
				Pending::<Test>::get(c, 0).unwrap().status,
				BlockStatus::Disputed { ref added, draw_at: Some(_), .. } if added.is_empty()
			));
			let at = now() + DRAW_DELAY;
			frame_system::BlockHash::<Test>::insert(at, H256::repeat_byte(hash));
			run_to(at + 1);
			assert_ok!(AdExchange::draw_panel(signed("Viewer"), c, 0));
			let mut sorted = registry.clone();
			sorted.sort();
			let drawn = panel(c, 0);
			assert!(drawn.iter().all(|v| registry.contains(v)));
			drawn.iter().map(|v| sorted.iter().position(|s| s == v).unwrap()).collect::<Vec<_>>()
		})
	};
	let panels: Vec<Vec<usize>> = (1..=40u8).map(panel_for).collect();
	for p in &panels {
		let mut p = p.clone();
		p.sort();
		p.dedup();
		assert_eq!(p.len(), 4, "four distinct validators: {p:?}");
	}
	// The old draw took four neighbours of the sorted registry (cyclically) from an
	// offset; a sample is rarely such a run.
	let runs = panels
		.iter()
		.filter(|p| {
			let mut p = (*p).clone();
			p.sort();
			(0..10).any(|start| (0..4).all(|k| p.contains(&((start + k) % 10))))
		})
		.count();
	assert!(runs < 10, "{runs} of 40 panels are runs of neighbours");
	// Every candidate can be drawn, and different hashes give different panels.
	for v in 0..10 {
		assert!(panels.iter().any(|p| p.contains(&v)), "validator {v} never drawn");
	}
	let mut distinct = panels.clone();
	distinct.sort();
	distinct.dedup();
	assert!(distinct.len() > 20, "only {} distinct panels of 40", distinct.len());
}

#[test]
fn a_draw_whose_block_hash_is_gone_moves_to_a_later_block() {
	new_test_ext().execute_with(|| {
		let c = setup();
		let honest = collect(c, 0, vec![("Exchange", exchange_part(c, 0, &[(1, 1_000)]))], vec![]);
		assert_ok!(post("V1", c, 0, &honest));
		assert_ok!(post("V2", c, 0, &forged(c, 0, "V2", 5_000)));
		// The mock keeps no hash for the drawing block, as a chain after BlockHashCount.
		run_to(now() + DRAW_DELAY + 1);
		assert_ok!(AdExchange::draw_panel(signed("Viewer"), c, 0));
		let later = now() + DRAW_DELAY;
		assert!(last_events(1).contains(&Event::PanelDrawPostponed {
			campaign: c,
			block: 0,
			draw_at: later
		}));
		assert_eq!(draw(c, 0).len(), 4);
	});
}

#[test]
fn only_validators_governance_admitted_serve_campaigns_and_panels() {
	new_test_ext().execute_with(|| {
		register(&["V1", "V2"]);
		// Applying holds the bond but does not enter the registry.
		assert_ok!(AdExchange::register_validator(signed("V3")));
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::ValidatorBond.into(), &account("V3")),
			BOND
		);
		assert!(!Registry::<Test>::get().contains(&account("V3")));
		assert_noop!(create_plain(&["V1", "V3"]), AdxError::NotARegisteredValidator);
		// Only governance admits, only applicants, once.
		assert_noop!(AdExchange::admit_validator(signed("V3"), account("V3")), BadOrigin);
		assert_noop!(
			AdExchange::admit_validator(RuntimeOrigin::root(), account("V4")),
			AdxError::NotApplied
		);
		assert_ok!(AdExchange::admit_validator(RuntimeOrigin::root(), account("V3")));
		assert!(last_events(1).contains(&Event::ValidatorAdmitted { validator: account("V3") }));
		assert_noop!(
			AdExchange::admit_validator(RuntimeOrigin::root(), account("V3")),
			AdxError::AlreadyAdmitted
		);
		// A leaving validator cannot be admitted back without applying again.
		assert_ok!(AdExchange::unregister_validator(signed("V3")));
		assert_noop!(
			AdExchange::admit_validator(RuntimeOrigin::root(), account("V3")),
			AdxError::NotApplied
		);
	});
}

#[test]
fn naming_validators_binds_them_only_when_they_accept() {
	new_test_ext().execute_with(|| {
		register(&["V1", "V2", "V3"]);
		let id = NextCampaignId::<Test>::get();
		assert_ok!(create_plain(&["V1", "V2"]));
		// Named, not bound: no assignment, and no channel block until both accept.
		assert_eq!(Validators::<Test>::get(account("V1")).unwrap().assignments, 0);
		assert_noop!(
			AdExchange::submit_part(signed("Exchange"), id, 0, H256::zero(), location()),
			AdxError::NotAccepted
		);
		assert_noop!(
			AdExchange::accept_campaign(signed("V3"), id),
			AdxError::NotACampaignValidator
		);
		assert_ok!(AdExchange::accept_campaign(signed("V1"), id));
		assert!(last_events(1)
			.contains(&Event::CampaignAccepted { campaign: id, validator: account("V1") }));
		assert_noop!(AdExchange::accept_campaign(signed("V1"), id), AdxError::AlreadyAccepted);
		assert_eq!(Validators::<Test>::get(account("V1")).unwrap().assignments, 1);
		assert_noop!(
			AdExchange::submit_part(signed("Exchange"), id, 0, H256::zero(), location()),
			AdxError::NotAccepted
		);
		// V2 never accepts and leaves with its bond: the campaign cannot hold it.
		assert_ok!(AdExchange::unregister_validator(signed("V2")));
		run_to(1 + UNBONDING);
		assert_ok!(AdExchange::withdraw_bond(signed("V2")));
		// The advertiser closes a campaign that never started at any time; V1 is free.
		let before = free("Advertiser");
		assert_ok!(AdExchange::close_campaign(signed("Advertiser"), id));
		assert_eq!(free("Advertiser") - before, BUDGET + ED);
		assert_eq!(Validators::<Test>::get(account("V1")).unwrap().assignments, 0);
		assert_noop!(AdExchange::accept_campaign(signed("V1"), id), AdxError::CampaignClosed);
	});
}

#[test]
fn anyone_closes_an_expired_campaign_after_the_grace_period() {
	new_test_ext().execute_with(|| {
		let c = setup();
		let out = collect(c, 0, vec![("Exchange", exchange_part(c, 0, &[(1, 1_000)]))], vec![]);
		settle(c, 0, &out);
		assert_noop!(AdExchange::close_campaign(signed("V1"), c), AdxError::CampaignStillRunning);
		run_to(VALID_UNTIL + CLOSE_GRACE - 1);
		assert_noop!(AdExchange::close_campaign(signed("V1"), c), AdxError::CampaignStillRunning);
		run_to(VALID_UNTIL + CLOSE_GRACE);
		let before = free("Advertiser");
		assert_ok!(AdExchange::close_campaign(signed("V1"), c));
		// The refund is the advertiser's, whoever closes; the validators are free.
		assert_eq!(free("Advertiser") - before, BUDGET - 1_000);
		for v in ["V1", "V2"] {
			assert_eq!(Validators::<Test>::get(account(v)).unwrap().assignments, 0);
		}
		check_invariants(c);
	});
}

fn campaign_hold(name: &str) -> u128 {
	Balances::balance_on_hold(&HoldReason::CampaignDeposit.into(), &account(name))
}

#[test]
fn a_campaign_holds_a_storage_deposit_until_reaped_with_its_records() {
	new_test_ext().execute_with(|| {
		let c = setup();
		assert_eq!(campaign_hold("Advertiser"), CAMPAIGN_DEPOSIT);
		assert_eq!(Campaigns::<Test>::get(c).unwrap().deposit, CAMPAIGN_DEPOSIT);
		let out = collect(c, 0, vec![("Exchange", exchange_part(c, 0, &[(1, 1_000)]))], vec![]);
		settle(c, 0, &out);
		assert_noop!(
			AdExchange::reap_campaign(signed("Viewer"), c, 10),
			AdxError::CampaignNotClosed
		);
		run_to(VALID_UNTIL);
		assert_ok!(AdExchange::close_campaign(signed("Advertiser"), c));
		// Earnings are owed: the records that pay them stay.
		assert_ok!(claim(&out, c, "Viewer"));
		assert_noop!(
			AdExchange::reap_campaign(signed("Viewer"), c, 10),
			AdxError::EarningsUnclaimed
		);
		// Anyone may claim for a beneficiary: the advertiser pushes the last payouts itself.
		assert_ok!(claim(&out, c, "Producer"));
		assert_ok!(claim(&out, c, "Fund"));
		assert_noop!(
			AdExchange::reap_campaign(signed("Viewer"), c, MAX_REAP_BATCH + 1),
			AdxError::ReapBatchTooLarge
		);
		// Three withdrawal records: two calls of two, anyone's.
		assert_ok!(AdExchange::reap_campaign(signed("Viewer"), c, 2));
		System::assert_last_event(Event::ClaimRecordsRemoved { campaign: c, removed: 2 }.into());
		assert!(Campaigns::<Test>::get(c).is_some());
		assert_eq!(campaign_hold("Advertiser"), CAMPAIGN_DEPOSIT);
		let before = free("Advertiser");
		assert_ok!(AdExchange::reap_campaign(signed("Viewer"), c, 2));
		System::assert_last_event(
			Event::CampaignReaped { campaign: c, deposit: CAMPAIGN_DEPOSIT }.into(),
		);
		assert!(Campaigns::<Test>::get(c).is_none());
		assert!(Outcomes::<Test>::get(c).is_none());
		assert_eq!(Withdrawn::<Test>::iter_prefix(c).count(), 0);
		assert_eq!(campaign_hold("Advertiser"), 0);
		assert_eq!(free("Advertiser") - before, CAMPAIGN_DEPOSIT);
		assert_eq!(Balances::balance(&AdExchange::escrow(c)), 0);
		// Gone: nothing to claim, close or reap.
		assert_noop!(claim(&out, c, "Viewer"), AdxError::UnknownCampaign);
		assert_noop!(AdExchange::reap_campaign(signed("Viewer"), c, 2), AdxError::UnknownCampaign);
	});
}

#[test]
fn a_campaign_that_never_ran_is_reaped_at_once() {
	new_test_ext().execute_with(|| {
		register(&["V1", "V2"]);
		let c = NextCampaignId::<Test>::get();
		assert_ok!(create_plain(&["V1", "V2"]));
		// Not all validators accepted: the advertiser may close it at any time.
		assert_ok!(AdExchange::close_campaign(signed("Advertiser"), c));
		assert_ok!(AdExchange::reap_campaign(signed("Producer"), c, 0));
		assert!(Campaigns::<Test>::get(c).is_none());
		assert_eq!(campaign_hold("Advertiser"), 0);
	});
}

#[test]
fn version_0_campaigns_gain_a_zero_deposit_and_version_0_outcomes_go() {
	use crate::migrations::v1;
	use codec::Encode;
	use frame_support::{
		storage::{unhashed, StoragePrefixedMap},
		traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
		Blake2_128Concat, StorageHasher, Twox64Concat,
	};
	new_test_ext().execute_with(|| {
		let c = setup();
		let now = Campaigns::<Test>::get(c).unwrap();
		// Campaign c as runtime 110 stored it, and an outcome keyed by campaign and block.
		let old = v1::OldCampaign::<Test> {
			advertiser: now.advertiser.clone(),
			budget: now.budget,
			settled: 7,
			claimed: 3,
			refunded: 0,
			max_price_per_view: now.max_price_per_view,
			shares: now.shares,
			validators: now.validators.clone(),
			accepted: now.accepted,
			participants: now.participants.clone(),
			auditor: now.auditor.clone(),
			valid_until: now.valid_until,
			challenge_period: now.challenge_period,
			spec_hash: now.spec_hash,
			balance_root: H256::repeat_byte(4),
			next_block: 2,
			status: CampaignStatus::Active,
		};
		unhashed::put(&Campaigns::<Test>::hashed_key_for(c), &old);
		let mut outcome = Outcomes::<Test>::final_prefix().to_vec();
		outcome.extend(Blake2_128Concat::hash(&c.encode()));
		outcome.extend(Twox64Concat::hash(&(1 as ChannelBlock).encode()));
		unhashed::put(&outcome, &Outcome::<u64>::Discarded { at: 3 });
		StorageVersion::new(0).put::<AdExchange>();

		v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(AdExchange::on_chain_storage_version(), StorageVersion::new(1));
		let migrated = Campaigns::<Test>::get(c).expect("decodes as version 1");
		assert_eq!(migrated.deposit, 0);
		assert_eq!((migrated.settled, migrated.claimed, migrated.next_block), (7, 3, 2));
		assert_eq!(migrated.balance_root, H256::repeat_byte(4));
		assert_eq!(migrated.validators, now.validators);
		assert!(unhashed::get_raw(&outcome).is_none(), "the version 0 outcome is gone");
		// Run again (the version is 1 now): nothing changes.
		v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Campaigns::<Test>::get(c), Some(migrated));
	});
}

#[test]
fn the_terms_split_views_by_the_shares_the_campaign_was_created_with() {
	new_test_ext().execute_with(|| {
		let id = setup();
		let c = Campaigns::<Test>::get(id).unwrap();
		assert_eq!(AdExchange::terms(&c).split, shares().split().unwrap());
	});
}
