//! Tests of the consortium pallet against the real `pallet-session`.

use crate::{mock::*, AuthoredBlocks, Error, Event, NextSessionAt, SessionPeriod, Validators};
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
#[should_panic(expected = "fewer genesis validators than MinValidators")]
fn genesis_rejects_too_few_validators() {
	let _ = RuntimeGenesisConfig {
		consortium: crate::GenesisConfig { validators: vec![1], session_period: PERIOD },
		..Default::default()
	}
	.build_storage();
}
