//! The users pallet's behaviour, one test per rule.

use crate::{
	mock::*, Error, Event, FlagCount, Flags, HoldReason, Reaction, ReactionCounts, ReactionTally,
	Reactions, Users as UserRecords, ViewRecorders, Views,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold},
		Hooks,
	},
	weights::Weight,
};
use sp_runtime::DispatchError;

fn register(who: u64) {
	assert_ok!(Users::register(RuntimeOrigin::signed(who), b"alice".to_vec(), None));
}

fn held(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::UserDeposit.into(), &who)
}

#[test]
fn register_holds_the_deposit_and_stores_the_profile() {
	new_test_ext().execute_with(|| {
		assert_ok!(Users::register(
			RuntimeOrigin::signed(ALICE),
			"Alicia ✓".as_bytes().to_vec(),
			Some(b"bafkreia".to_vec())
		));
		let user = UserRecords::<Test>::get(ALICE).unwrap();
		assert_eq!(user.name.to_vec(), "Alicia ✓".as_bytes().to_vec());
		assert_eq!(user.profile_cid.unwrap().to_vec(), b"bafkreia".to_vec());
		assert_eq!(user.deposit, DEPOSIT);
		assert_eq!(held(ALICE), DEPOSIT);
		assert_eq!(Balances::balance(&ALICE), 1_000 - DEPOSIT);
		System::assert_last_event(Event::UserRegistered { who: ALICE, deposit: DEPOSIT }.into());
	});
}

#[test]
fn register_rejects_bad_names_twice_registering_and_the_poor() {
	new_test_ext().execute_with(|| {
		let origin = || RuntimeOrigin::signed(ALICE);
		assert_noop!(Users::register(origin(), vec![], None), Error::<Test>::EmptyName);
		assert_noop!(Users::register(origin(), vec![b'a'; 17], None), Error::<Test>::NameTooLong);
		assert_noop!(Users::register(origin(), vec![0xff, 0xfe], None), Error::<Test>::NameNotUtf8);
		assert_noop!(
			Users::register(origin(), b"a".to_vec(), Some(vec![b'c'; 65])),
			Error::<Test>::ProfileCidTooLong
		);
		assert_noop!(
			Users::register(RuntimeOrigin::signed(POOR), b"poor".to_vec(), None),
			Error::<Test>::CannotPayDeposit
		);
		register(ALICE);
		assert_noop!(
			Users::register(origin(), b"again".to_vec(), None),
			Error::<Test>::AlreadyRegistered
		);
	});
}

#[test]
fn update_profile_replaces_name_and_cid() {
	new_test_ext().execute_with(|| {
		register(ALICE);
		assert_ok!(Users::update_profile(
			RuntimeOrigin::signed(ALICE),
			b"al".to_vec(),
			Some(b"cid".to_vec())
		));
		let user = UserRecords::<Test>::get(ALICE).unwrap();
		assert_eq!(
			(user.name.to_vec(), user.profile_cid.map(|c| c.to_vec())),
			(b"al".to_vec(), Some(b"cid".to_vec()))
		);
		System::assert_last_event(Event::ProfileUpdated { who: ALICE }.into());
		assert_noop!(
			Users::update_profile(RuntimeOrigin::signed(BOB), b"bob".to_vec(), None),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			Users::update_profile(RuntimeOrigin::signed(ALICE), vec![], None),
			Error::<Test>::EmptyName
		);
	});
}

#[test]
fn unregister_releases_the_deposit() {
	new_test_ext().execute_with(|| {
		register(ALICE);
		assert_ok!(Users::unregister(RuntimeOrigin::signed(ALICE)));
		assert!(UserRecords::<Test>::get(ALICE).is_none());
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::balance(&ALICE), 1_000);
		System::assert_last_event(Event::UserUnregistered { who: ALICE, deposit: DEPOSIT }.into());
		assert_noop!(Users::unregister(RuntimeOrigin::signed(ALICE)), Error::<Test>::NotRegistered);
	});
}

#[test]
fn reactions_keep_the_counters_exact_when_repeated_changed_and_withdrawn() {
	new_test_ext().execute_with(|| {
		register(ALICE);
		register(BOB);
		let react = |who, r| Users::react(RuntimeOrigin::signed(who), MEDIA, r);
		let tally = || ReactionCounts::<Test>::get(MEDIA);

		assert_ok!(react(ALICE, Reaction::Like));
		assert_ok!(react(ALICE, Reaction::Like));
		assert_eq!(tally(), ReactionTally { likes: 1, dislikes: 0 }, "repeating counts once");
		assert_ok!(react(BOB, Reaction::Like));
		assert_eq!(tally(), ReactionTally { likes: 2, dislikes: 0 });
		assert_ok!(react(ALICE, Reaction::Dislike));
		assert_eq!(tally(), ReactionTally { likes: 1, dislikes: 1 }, "changing moves the count");
		assert_eq!(Reactions::<Test>::get(MEDIA, ALICE), Some(Reaction::Dislike));
		assert_ok!(react(ALICE, Reaction::None));
		assert_eq!(tally(), ReactionTally { likes: 1, dislikes: 0 }, "withdrawing uncounts");
		assert_eq!(Reactions::<Test>::get(MEDIA, ALICE), None);
		assert_ok!(react(ALICE, Reaction::None));
		assert_eq!(tally(), ReactionTally { likes: 1, dislikes: 0 });
		System::assert_last_event(
			Event::Reacted { who: ALICE, media_id: MEDIA, reaction: Reaction::None }.into(),
		);
	});
}

#[test]
fn react_needs_a_user_and_an_active_media_item() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Users::react(RuntimeOrigin::signed(ALICE), MEDIA, Reaction::Like),
			Error::<Test>::NotRegistered
		);
		register(ALICE);
		assert_noop!(
			Users::react(RuntimeOrigin::signed(ALICE), 999, Reaction::Like),
			Error::<Test>::UnknownMedia
		);
	});
}

#[test]
fn flag_counts_once_per_user_and_reports_at_the_threshold() {
	new_test_ext().execute_with(|| {
		for who in 1..=THRESHOLD as u64 {
			register(who);
		}
		assert_ok!(Users::flag(RuntimeOrigin::signed(1), MEDIA, b"spam".to_vec()));
		assert_eq!(Flags::<Test>::get(MEDIA, 1).unwrap().to_vec(), b"spam".to_vec());
		assert_noop!(
			Users::flag(RuntimeOrigin::signed(1), MEDIA, b"spam".to_vec()),
			Error::<Test>::AlreadyFlagged
		);
		for who in 2..=THRESHOLD as u64 {
			assert_ok!(Users::flag(RuntimeOrigin::signed(who), MEDIA, b"spam".to_vec()));
		}
		assert_eq!(FlagCount::<Test>::get(MEDIA), THRESHOLD);
		System::assert_last_event(Event::MediaFlagged { media_id: MEDIA, flags: THRESHOLD }.into());
	});
}

#[test]
fn flag_rejects_strangers_unknown_media_and_bad_reasons() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Users::flag(RuntimeOrigin::signed(ALICE), MEDIA, b"x".to_vec()),
			Error::<Test>::NotRegistered
		);
		register(ALICE);
		assert_noop!(
			Users::flag(RuntimeOrigin::signed(ALICE), 999, b"x".to_vec()),
			Error::<Test>::UnknownMedia
		);
		assert_noop!(
			Users::flag(RuntimeOrigin::signed(ALICE), MEDIA, vec![b'x'; 33]),
			Error::<Test>::FlagReasonTooLong
		);
		assert_noop!(
			Users::flag(RuntimeOrigin::signed(ALICE), MEDIA, vec![0xff]),
			Error::<Test>::FlagReasonNotUtf8
		);
	});
}

fn views(list: &[(u64, u64)]) -> crate::ViewBatchOf<Test> {
	list.to_vec().try_into().unwrap()
}

fn record(recorder: u64, list: &[(u64, u64)]) -> sp_runtime::DispatchResult {
	Users::record_views(RuntimeOrigin::signed(recorder), views(list))
}

/// Registers each of `who` (funded accounts) as a user.
fn registered(who: &[u64]) {
	for w in who {
		register(*w);
	}
}

#[test]
fn view_recorders_count_views_in_batches() {
	new_test_ext().execute_with(|| {
		registered(&[ALICE, BOB]);
		MockMedia::set_active(&[MEDIA, 8]);
		assert_ok!(record(GATEWAY, &[(MEDIA, ALICE), (MEDIA, BOB), (8, ALICE)]));
		assert_eq!(Views::<Test>::get(MEDIA), 2);
		assert_eq!(Views::<Test>::get(8), 1);
		System::assert_has_event(
			Event::ViewRecorded { media_id: MEDIA, viewer: BOB, views: 2 }.into(),
		);
		System::assert_last_event(
			Event::ViewsRecorded {
				recorder: GATEWAY,
				counted: 3,
				repeated: 0,
				unknown: 0,
				unregistered: 0,
			}
			.into(),
		);
		assert_noop!(record(ALICE, &[(MEDIA, ALICE)]), Error::<Test>::NotViewRecorder);
		assert_noop!(record(GATEWAY, &[]), Error::<Test>::NoViews);
		// A batch is bounded by its type: MaxViewBatch + 1 views do not even decode.
		let too_many: Vec<(u64, u64)> = (0..=MAX_VIEW_BATCH as u64).map(|v| (MEDIA, v)).collect();
		assert!(crate::ViewBatchOf::<Test>::try_from(too_many).is_err());
	});
}

#[test]
fn only_registered_users_views_count() {
	new_test_ext().execute_with(|| {
		// Any HTTP client can name an account; one that is not a user does not count.
		assert_ok!(record(GATEWAY, &[(MEDIA, ALICE), (MEDIA, 3)]));
		assert_eq!(Views::<Test>::get(MEDIA), 0);
		System::assert_last_event(
			Event::ViewsRecorded {
				recorder: GATEWAY,
				counted: 0,
				repeated: 0,
				unknown: 0,
				unregistered: 2,
			}
			.into(),
		);
		// Nor is a view of one that was not counted remembered: once she registers, it counts.
		assert_eq!(crate::ViewsSeen::<Test>::iter().count(), 0);
		register(ALICE);
		assert_ok!(record(GATEWAY, &[(MEDIA, ALICE)]));
		assert_eq!(Views::<Test>::get(MEDIA), 1);
		// After she unregisters, her views stop counting.
		System::set_block_number(1 + VIEW_WINDOW);
		assert_ok!(Users::unregister(RuntimeOrigin::signed(ALICE)));
		assert_ok!(record(GATEWAY, &[(MEDIA, ALICE)]));
		assert_eq!(Views::<Test>::get(MEDIA), 1);
	});
}

#[test]
fn a_viewer_counts_once_per_media_per_window() {
	new_test_ext().execute_with(|| {
		registered(&[ALICE]);
		// The same viewer in one batch, then again in the window (blocks 0..=9): one view.
		assert_ok!(record(GATEWAY, &[(MEDIA, ALICE), (MEDIA, ALICE)]));
		System::set_block_number(VIEW_WINDOW - 1);
		assert_ok!(record(GATEWAY, &[(MEDIA, ALICE), (999, ALICE)]));
		assert_eq!(Views::<Test>::get(MEDIA), 1);
		System::assert_last_event(
			Event::ViewsRecorded {
				recorder: GATEWAY,
				counted: 0,
				repeated: 1,
				unknown: 1,
				unregistered: 0,
			}
			.into(),
		);
		// A second recorder cannot count her again either.
		assert_ok!(Users::add_view_recorder(RuntimeOrigin::root(), 11));
		assert_ok!(record(11, &[(MEDIA, ALICE)]));
		assert_eq!(Views::<Test>::get(MEDIA), 1);
		// In the next window, she counts again.
		System::set_block_number(VIEW_WINDOW);
		assert_ok!(record(GATEWAY, &[(MEDIA, ALICE)]));
		assert_eq!(Views::<Test>::get(MEDIA), 2);
	});
}

/// The keys of `ViewsSeen`, as `(window index, viewer)`, in storage order.
fn seen() -> Vec<(u32, u64)> {
	crate::ViewsSeen::<Test>::iter_keys()
		.map(|(window, (_, viewer))| (u32::from_be_bytes(window), viewer))
		.collect()
}

#[test]
fn past_windows_are_pruned_by_recorders_and_idle_blocks() {
	new_test_ext().execute_with(|| {
		registered(&[1, 2, 3, 4, 5]);
		assert_ok!(record(GATEWAY, &[(MEDIA, 1), (MEDIA, 2), (MEDIA, 3), (MEDIA, 4)]));
		let mut first = seen();
		first.sort();
		assert_eq!(first, vec![(0, 1), (0, 2), (0, 3), (0, 4)]);
		// The current window is never pruned.
		assert_eq!(Users::prune_views(10), 0);
		assert_eq!(seen().len(), 4);

		// In window 1, a batch of two views removes two pairs of window 0 (its weight
		// pays for them) and adds its own; the oldest window goes first.
		System::set_block_number(VIEW_WINDOW);
		assert_ok!(record(GATEWAY, &[(MEDIA, 1), (MEDIA, 5)]));
		let windows: Vec<u32> = seen().iter().map(|(w, _)| *w).collect();
		assert_eq!(windows, vec![0, 0, 1, 1]);
		assert_eq!(Views::<Test>::get(MEDIA), 6);

		// Idle block space removes the rest, within the weight it is given.
		assert_eq!(Users::on_idle(VIEW_WINDOW, Weight::zero()), Weight::zero());
		assert_eq!(seen().len(), 4);
		// Room for one: one removed, and that is what it charges.
		let one = <() as crate::WeightInfo>::prune_views(1);
		assert_eq!(Users::on_idle(VIEW_WINDOW, one), one);
		assert_eq!(seen().len(), 3);
		Users::on_idle(VIEW_WINDOW, Weight::MAX);
		let windows: Vec<u32> = seen().iter().map(|(w, _)| *w).collect();
		assert_eq!(windows, vec![1, 1]);

		// Three windows later, the next batch starts from a clean slate.
		System::set_block_number(4 * VIEW_WINDOW);
		assert_ok!(record(GATEWAY, &[(MEDIA, 1), (MEDIA, 2)]));
		let windows: Vec<u32> = seen().iter().map(|(w, _)| *w).collect();
		assert_eq!(windows, vec![4, 4]);
	});
}

#[test]
fn a_recorder_is_rate_limited_per_block() {
	new_test_ext().execute_with(|| {
		registered(&[1, 2, 3, 4, 5]);
		MockMedia::set_active(&[MEDIA, 8]);
		assert_ok!(record(GATEWAY, &[(MEDIA, 1), (MEDIA, 2), (MEDIA, 3), (MEDIA, 4)]));
		// Six per block: a second batch of four would make eight.
		assert_noop!(
			record(GATEWAY, &[(MEDIA, 5), (8, 1), (8, 2)]),
			Error::<Test>::RecorderRateExceeded
		);
		assert_ok!(record(GATEWAY, &[(MEDIA, 5), (8, 1)]));
		assert_eq!(Views::<Test>::get(MEDIA) + Views::<Test>::get(8), 6);
		// The budget is per block.
		System::set_block_number(2);
		assert_ok!(record(GATEWAY, &[(8, 2), (8, 3), (8, 4), (8, 5)]));
		assert_eq!(Views::<Test>::get(MEDIA) + Views::<Test>::get(8), 10);
	});
}

fn held_for(who: u64, reason: HoldReason) -> u64 {
	Balances::balance_on_hold(&reason.into(), &who)
}

#[test]
fn reactions_and_flags_hold_a_deposit_until_withdrawn() {
	new_test_ext().execute_with(|| {
		register(ALICE);
		assert_ok!(Users::react(RuntimeOrigin::signed(ALICE), MEDIA, Reaction::Like));
		assert_eq!(held_for(ALICE, HoldReason::ReactionDeposit), REACTION_DEPOSIT);
		// Changing the reaction keeps the one deposit.
		assert_ok!(Users::react(RuntimeOrigin::signed(ALICE), MEDIA, Reaction::Dislike));
		assert_eq!(held_for(ALICE, HoldReason::ReactionDeposit), REACTION_DEPOSIT);
		assert_ok!(Users::flag(RuntimeOrigin::signed(ALICE), MEDIA, b"spam".to_vec()));
		assert_eq!(held_for(ALICE, HoldReason::FlagDeposit), FLAG_DEPOSIT);

		// Unregistering returns the user deposit only.
		assert_ok!(Users::unregister(RuntimeOrigin::signed(ALICE)));
		assert_eq!(held_for(ALICE, HoldReason::UserDeposit), 0);
		assert_eq!(held_for(ALICE, HoldReason::ReactionDeposit), REACTION_DEPOSIT);
		assert_eq!(held_for(ALICE, HoldReason::FlagDeposit), FLAG_DEPOSIT);

		// Withdrawing works unregistered and after the media item is gone.
		MockMedia::set_active(&[]);
		assert_ok!(Users::react(RuntimeOrigin::signed(ALICE), MEDIA, Reaction::None));
		assert_ok!(Users::unflag(RuntimeOrigin::signed(ALICE), MEDIA));
		assert_eq!(held_for(ALICE, HoldReason::ReactionDeposit), 0);
		assert_eq!(held_for(ALICE, HoldReason::FlagDeposit), 0);
		assert_eq!(ReactionCounts::<Test>::get(MEDIA), ReactionTally::default());
		assert_eq!(FlagCount::<Test>::get(MEDIA), 0);
		System::assert_last_event(
			Event::Unflagged { who: ALICE, media_id: MEDIA, flags: 0 }.into(),
		);
		assert_noop!(Users::unflag(RuntimeOrigin::signed(ALICE), MEDIA), Error::<Test>::NotFlagged);
	});
}

#[test]
fn a_deposit_recycled_through_many_accounts_moves_the_counters_once() {
	use frame_support::traits::{fungible::Mutate, tokens::Preservation};
	new_test_ext().execute_with(|| {
		// The attacker's capital: one registration plus one like and one flag, with the
		// existential deposit to keep each account alive.
		let ed = 1;
		let capital = DEPOSIT + REACTION_DEPOSIT + FLAG_DEPOSIT + ed;
		let accounts: Vec<u64> = (100..110).collect();
		Balances::set_balance(&accounts[0], capital);
		for (i, who) in accounts.iter().enumerate() {
			if Users::register(RuntimeOrigin::signed(*who), b"sybil".to_vec(), None).is_err() {
				continue;
			}
			let _ = Users::react(RuntimeOrigin::signed(*who), MEDIA, Reaction::Like);
			let _ = Users::flag(RuntimeOrigin::signed(*who), MEDIA, b"x".to_vec());
			assert_ok!(Users::unregister(RuntimeOrigin::signed(*who)));
			if let Some(next) = accounts.get(i + 1) {
				let free = Balances::reducible_balance(
					who,
					Preservation::Expendable,
					frame_support::traits::tokens::Fortitude::Polite,
				);
				let _ =
					<Balances as Mutate<u64>>::transfer(who, next, free, Preservation::Expendable);
			}
		}
		assert_eq!(ReactionCounts::<Test>::get(MEDIA).likes, 1);
		assert_eq!(FlagCount::<Test>::get(MEDIA), 1);
	});
}

#[test]
fn a_like_or_flag_without_the_deposit_changes_nothing() {
	new_test_ext().execute_with(|| {
		assert_ok!(Users::register(RuntimeOrigin::signed(POOR), b"poor".to_vec(), None).or_else(
			|_| {
				// POOR cannot afford the user deposit in this mock: give it exactly that.
				use frame_support::traits::fungible::Mutate;
				Balances::set_balance(&POOR, DEPOSIT + 1);
				Users::register(RuntimeOrigin::signed(POOR), b"poor".to_vec(), None)
			}
		));
		assert_noop!(
			Users::react(RuntimeOrigin::signed(POOR), MEDIA, Reaction::Like),
			Error::<Test>::CannotPayReactionDeposit
		);
		assert_noop!(
			Users::flag(RuntimeOrigin::signed(POOR), MEDIA, b"x".to_vec()),
			Error::<Test>::CannotPayReactionDeposit
		);
	});
}

#[test]
fn admin_manages_view_recorders() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Users::add_view_recorder(RuntimeOrigin::signed(ALICE), ALICE),
			DispatchError::BadOrigin
		);
		assert_ok!(Users::add_view_recorder(RuntimeOrigin::root(), ALICE));
		assert!(ViewRecorders::<Test>::contains_key(ALICE));
		System::assert_last_event(Event::ViewRecorderAdded { who: ALICE }.into());
		assert_noop!(
			Users::add_view_recorder(RuntimeOrigin::root(), ALICE),
			Error::<Test>::AlreadyViewRecorder
		);
		assert_ok!(Users::remove_view_recorder(RuntimeOrigin::root(), ALICE));
		assert!(!ViewRecorders::<Test>::contains_key(ALICE));
		assert_noop!(
			Users::remove_view_recorder(RuntimeOrigin::root(), ALICE),
			Error::<Test>::NotViewRecorder
		);
	});
}

#[test]
fn version_0_last_views_are_removed() {
	use crate::migrations::v1;
	use frame_support::{
		storage::{storage_prefix, unhashed},
		traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
	};
	new_test_ext().execute_with(|| {
		let prefix = storage_prefix(b"Users", b"LastView");
		let keys: Vec<Vec<u8>> = (0..3u8).map(|i| [prefix.as_slice(), &[i; 40]].concat()).collect();
		for key in &keys {
			unhashed::put(key, &5u64);
		}
		Views::<Test>::insert(MEDIA, 9);
		StorageVersion::new(0).put::<Users>();

		v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Users::on_chain_storage_version(), StorageVersion::new(1));
		assert!(keys.iter().all(|k| unhashed::get_raw(k).is_none()));
		assert_eq!(Views::<Test>::get(MEDIA), 9, "nothing else is touched");
	});
}
