//! Tests of the consortium pallet against the real `pallet-session`.

use crate::{
	mock::*, AuthoredBlocks, Error, Event, MinimumValidators, NextSessionAt, SessionPeriod,
	ValidatorFloor, Validators,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{EstimateNextSessionRotation, ValidatorSet},
};
use sp_runtime::{BuildStorage, DispatchError, Permill};

fn session_validators() -> Vec<u64> {
	<Session as ValidatorSet<u64>>::validators()
}

fn session_index() -> u32 {
	<Session as ValidatorSet<u64>>::session_index()
}

fn consortium_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Consortium(e) => Some(e),
			_ => None,
		})
		.collect()
}

#[test]
fn genesis_validators_are_sorted_and_drive_the_first_session() {
	new_test_ext().execute_with(|| {
		assert_eq!(Validators::<Test>::get().into_inner(), vec![1, 2, 3, 4]);
		assert_eq!(session_validators(), vec![1, 2, 3, 4]);
		assert_eq!(Authorities::get(), vec![1, 2, 3, 4]);
		assert_eq!(SessionPeriod::<Test>::get(), PERIOD);
		assert_eq!(NextSessionAt::<Test>::get(), PERIOD);
	});
}

#[test]
fn sessions_rotate_every_period_and_the_estimates_agree() {
	new_test_ext().execute_with(|| {
		run_to_block(PERIOD - 1);
		assert_eq!(session_index(), 0);
		assert_eq!(Consortium::estimate_next_session_rotation(5).0, Some(PERIOD));
		assert_eq!(
			Consortium::estimate_current_session_progress(5).0,
			Some(Permill::from_percent(50))
		);
		assert_eq!(Consortium::average_session_length(), PERIOD);
		run_to_block(PERIOD);
		assert_eq!(session_index(), 1);
		assert_eq!(NextSessionAt::<Test>::get(), 2 * PERIOD);
		run_to_block(3 * PERIOD);
		assert_eq!(session_index(), 3);
		// An unchanged set is never re-planned.
		assert!(!consortium_events()
			.iter()
			.any(|e| matches!(e, Event::ValidatorSetPlanned { .. })));
		assert_eq!(session_validators(), vec![1, 2, 3, 4]);
	});
}

#[test]
fn an_added_validator_authors_from_the_session_after_the_next() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), CANDIDATE));
		assert_eq!(Validators::<Test>::get().into_inner(), vec![1, 2, 3, 4, CANDIDATE]);
		System::assert_has_event(Event::ValidatorAdded { who: CANDIDATE }.into());

		// Session 1 was planned at genesis; the change is planned for session 2.
		run_to_block(PERIOD);
		assert_eq!(session_index(), 1);
		assert_eq!(session_validators(), vec![1, 2, 3, 4]);
		System::assert_has_event(Event::ValidatorSetPlanned { session: 2, validators: 5 }.into());

		run_to_block(2 * PERIOD);
		assert_eq!(session_index(), 2);
		assert_eq!(session_validators(), vec![1, 2, 3, 4, CANDIDATE]);
		assert_eq!(Authorities::get(), vec![1, 2, 3, 4, CANDIDATE]);
	});
}

#[test]
fn a_removed_validator_stops_from_the_session_after_the_next() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consortium::remove_validator(RuntimeOrigin::root(), 3));
		System::assert_has_event(Event::ValidatorRemoved { who: 3 }.into());
		run_to_block(PERIOD);
		assert_eq!(session_validators(), vec![1, 2, 3, 4]);
		run_to_block(2 * PERIOD);
		assert_eq!(session_validators(), vec![1, 2, 4]);
		assert_eq!(Authorities::get(), vec![1, 2, 4]);
	});
}

#[test]
fn add_validator_rejects_bad_requests_and_changes_nothing() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consortium::add_validator(RuntimeOrigin::signed(1), CANDIDATE),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Consortium::add_validator(RuntimeOrigin::root(), KEYLESS),
			Error::<Test>::NoSessionKeys
		);
		assert_noop!(
			Consortium::add_validator(RuntimeOrigin::root(), 2),
			Error::<Test>::AlreadyValidator
		);
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), CANDIDATE));
		assert_eq!(Validators::<Test>::get().len() as u32, MAX_VALIDATORS);
		assert_noop!(
			Consortium::add_validator(RuntimeOrigin::root(), OTHER_CANDIDATE),
			Error::<Test>::TooManyValidators
		);
	});
}

#[test]
fn the_council_is_told_of_every_change_and_a_refusal_undoes_it() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consortium::remove_validator(RuntimeOrigin::root(), 4));
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), CANDIDATE));
		assert_eq!(
			VALIDATOR_CHANGES.with(|c| c.borrow().clone()),
			vec![(false, 4), (true, CANDIDATE)]
		);
		// The mock's council has no seat for 6: its admission fails whole.
		assert_ok!(Consortium::remove_validator(RuntimeOrigin::root(), CANDIDATE));
		assert_noop!(
			Consortium::add_validator(RuntimeOrigin::root(), OTHER_CANDIDATE),
			DispatchError::Other("no seat for 6")
		);
		assert!(!Validators::<Test>::get().contains(&OTHER_CANDIDATE));
	});
}

#[test]
fn remove_validator_never_goes_below_the_minimum() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consortium::remove_validator(RuntimeOrigin::signed(1), 2),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Consortium::remove_validator(RuntimeOrigin::root(), CANDIDATE),
			Error::<Test>::NotValidator
		);
		assert_ok!(Consortium::remove_validator(RuntimeOrigin::root(), 4));
		assert_ok!(Consortium::remove_validator(RuntimeOrigin::root(), 3));
		assert_eq!(Validators::<Test>::get().len() as u32, MIN_VALIDATORS);
		assert_noop!(
			Consortium::remove_validator(RuntimeOrigin::root(), 1),
			Error::<Test>::TooFewValidators
		);
	});
}

#[test]
fn a_validator_removed_and_added_again_in_one_session_stays() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consortium::remove_validator(RuntimeOrigin::root(), 2));
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), 2));
		run_to_block(2 * PERIOD);
		assert_eq!(session_validators(), vec![1, 2, 3, 4]);
	});
}

#[test]
fn the_session_period_changes_from_the_next_session() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consortium::set_session_period(RuntimeOrigin::signed(1), 20),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Consortium::set_session_period(RuntimeOrigin::root(), 4),
			Error::<Test>::SessionPeriodTooShort
		);
		// A period so long that rotation (and so every later validator change) would
		// freeze is refused.
		assert_noop!(
			Consortium::set_session_period(RuntimeOrigin::root(), MAX_PERIOD + 1),
			Error::<Test>::SessionPeriodTooLong
		);
		assert_noop!(
			Consortium::set_session_period(RuntimeOrigin::root(), u64::MAX),
			Error::<Test>::SessionPeriodTooLong
		);
		assert_ok!(Consortium::set_session_period(RuntimeOrigin::root(), 20));
		System::assert_has_event(Event::SessionPeriodSet { period: 20 }.into());
		// The running session still ends on schedule...
		run_to_block(PERIOD);
		assert_eq!(session_index(), 1);
		// ...and the next one lasts 20 blocks.
		run_to_block(PERIOD + 19);
		assert_eq!(session_index(), 1);
		run_to_block(PERIOD + 20);
		assert_eq!(session_index(), 2);
	});
}

#[test]
fn a_validator_that_authored_nothing_in_a_session_is_reported() {
	new_test_ext().execute_with(|| {
		run_to_block_with_offline(PERIOD, &[3]);
		let idle: Vec<_> = consortium_events()
			.into_iter()
			.filter(|e| matches!(e, Event::ValidatorIdle { .. }))
			.collect();
		assert_eq!(idle, vec![Event::ValidatorIdle { validator: 3, session: 0 }]);
		assert_eq!(AuthoredBlocks::<Test>::iter().count(), 0, "counts restart each session");

		// Back online in session 1: no report for it.
		System::reset_events();
		run_to_block(2 * PERIOD);
		assert!(!consortium_events().iter().any(|e| matches!(e, Event::ValidatorIdle { .. })));
	});
}

#[test]
fn no_motion_takes_the_minimum_below_the_genesis_floor() {
	new_test_ext_with_minimum(3).execute_with(|| {
		assert_eq!(ValidatorFloor::<Test>::get(), 3);
		// The runtime's floor (MIN_VALIDATORS, 2 here) allows 2; the chain's does not.
		for count in [1, MIN_VALIDATORS] {
			assert_noop!(
				Consortium::set_min_validators(RuntimeOrigin::root(), count),
				Error::<Test>::InvalidMinValidators
			);
		}
		// Raised, and lowered back to the floor.
		assert_ok!(Consortium::set_min_validators(RuntimeOrigin::root(), 4));
		assert_ok!(Consortium::set_min_validators(RuntimeOrigin::root(), 3));
		assert_eq!(MinimumValidators::<Test>::get(), 3);
	});
}

#[test]
#[should_panic(expected = "fewer genesis validators than min_validators")]
fn genesis_rejects_too_few_validators() {
	let _ = RuntimeGenesisConfig {
		consortium: crate::GenesisConfig {
			validators: vec![1, 2],
			session_period: PERIOD,
			min_validators: 3,
		},
		..Default::default()
	}
	.build_storage();
}

#[test]
fn governance_forces_the_next_rotation() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consortium::set_session_period(RuntimeOrigin::root(), MAX_PERIOD));
		run_to_block(PERIOD);
		assert_eq!(session_index(), 1);
		// Session 1 would last MAX_PERIOD blocks; a validator change waits on it.
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), CANDIDATE));
		run_to_block(PERIOD + 3);
		assert_noop!(
			Consortium::force_new_session(RuntimeOrigin::signed(1)),
			DispatchError::BadOrigin
		);
		assert_ok!(Consortium::force_new_session(RuntimeOrigin::root()));
		System::assert_has_event(Event::NewSessionForced { at: PERIOD + 4 }.into());
		run_to_block(PERIOD + 4);
		assert_eq!(session_index(), 2, "the session ended at the next block");
		// The change was planned at that rotation; forcing once more makes it active.
		assert_ok!(Consortium::force_new_session(RuntimeOrigin::root()));
		run_to_block(PERIOD + 5);
		assert_eq!(session_index(), 3);
		assert_eq!(session_validators(), vec![1, 2, 3, 4, CANDIDATE]);
	});
}

#[test]
fn a_validator_cannot_purge_its_keys_and_empty_the_authority_set() {
	new_test_ext().execute_with(|| {
		// Every validator tries to leave by dropping its keys: each is refused, and
		// pallet-session's own purge is what the runtime filters out.
		for v in 1..=4 {
			assert_noop!(
				Consortium::purge_keys(RuntimeOrigin::signed(v)),
				Error::<Test>::StillValidator
			);
		}
		run_to_block(3 * PERIOD);
		assert_eq!(session_validators(), vec![1, 2, 3, 4]);
		assert_eq!(Authorities::get(), vec![1, 2, 3, 4]);

		// Once governance removed it, a former validator may purge.
		assert_ok!(Consortium::remove_validator(RuntimeOrigin::root(), 4));
		assert_ok!(Consortium::purge_keys(RuntimeOrigin::signed(4)));
		System::assert_has_event(Event::KeysPurged { who: 4 }.into());
		assert!(pallet_session::NextKeys::<Test>::get(4).is_none());
		// A non-validator without keys gets pallet-session's error.
		assert_noop!(
			Consortium::purge_keys(RuntimeOrigin::signed(KEYLESS)),
			pallet_session::Error::<Test>::NoKeys
		);
		run_to_block(6 * PERIOD);
		assert_eq!(session_validators(), vec![1, 2, 3]);
	});
}

#[test]
fn pallet_sessions_own_purge_would_drop_a_validator_below_the_minimum() {
	// Why the runtime routes purges through the consortium: a validator whose keys are
	// gone is silently left out of the next sessions, whatever MinValidators says.
	new_test_ext().execute_with(|| {
		for v in 2..=4 {
			assert_ok!(Session::purge_keys(RuntimeOrigin::signed(v)));
		}
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), CANDIDATE));
		run_to_block(3 * PERIOD);
		assert_eq!(session_validators(), vec![1, CANDIDATE]);
		assert!(session_validators().len() < Validators::<Test>::get().len());
	});
}

#[test]
fn the_minimum_set_size_is_governed_within_bounds() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consortium::set_min_validators(RuntimeOrigin::signed(1), 3),
			DispatchError::BadOrigin
		);
		// Below the runtime's floor, above the current set, above the maximum.
		for count in [MIN_VALIDATORS - 1, 5, MAX_VALIDATORS + 1] {
			assert_noop!(
				Consortium::set_min_validators(RuntimeOrigin::root(), count),
				Error::<Test>::InvalidMinValidators
			);
		}
		assert_ok!(Consortium::set_min_validators(RuntimeOrigin::root(), 4));
		System::assert_has_event(Event::MinValidatorsSet { count: 4 }.into());
		assert_noop!(
			Consortium::remove_validator(RuntimeOrigin::root(), 1),
			Error::<Test>::TooFewValidators
		);
	});
}

#[test]
fn every_block_pays_for_the_author_bookkeeping() {
	use crate::WeightInfo;
	use frame_support::traits::{Get, Hooks};
	new_test_ext().execute_with(|| {
		let weight = Consortium::on_initialize(2);
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		assert_eq!(weight, <() as WeightInfo>::note_author() + AUTHOR_LOOKUP + db.writes(1));
		assert!(weight.ref_time() > AUTHOR_LOOKUP.ref_time());
	});
}

#[test]
fn the_block_author_is_kept_for_its_block_only() {
	use pallet_authorship::EventHandler;
	new_test_ext().execute_with(|| {
		assert_eq!(Consortium::block_author(), None);
		Consortium::note_author(3);
		assert_eq!(Consortium::block_author(), Some(3));
		System::set_block_number(2);
		assert_eq!(Consortium::block_author(), None, "the last block's author is not this one's");
	});
}
