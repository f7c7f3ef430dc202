//! `EmergencyOrigin`: it may take a version out of service (deprecate, roll back) and
//! nothing else.

use super::*;

fn emergency() -> RuntimeOrigin {
	signed(EMERGENCY)
}

#[test]
fn the_emergency_origin_deprecates_the_active_version() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let v1 = active(model, 1);
		assert_ok!(ModelRegistry::deprecate_version(emergency(), model, v1));
		assert_eq!(status(model, v1), VersionStatus::Deprecated);
		assert_eq!(Models::<Test>::get(model).unwrap().active, None);
		assert_eq!(last_event(), Event::ModelVersionDeprecated { model, version: v1 });
	});
}

#[test]
fn the_emergency_origin_rolls_a_model_back() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let v1 = active(model, 1);
		let v2 = active(model, 2);
		assert_ok!(ModelRegistry::rollback(emergency(), model));
		assert_eq!(Models::<Test>::get(model).unwrap().active, Some(v1));
		assert_eq!(
			(status(model, v1), status(model, v2)),
			(VersionStatus::Active, VersionStatus::Deprecated)
		);
		assert_eq!(last_event(), Event::ModelRolledBack { model, from: Some(v2), to: v1 });
	});
}

#[test]
fn the_emergency_origin_cannot_put_a_version_in_service_or_decide_a_proposal() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let proposed = propose(model, 1);
		let approved = approved(model, 2);
		let unwrap_post = |r: DispatchResultWithPostInfo| r.map(|_| ()).map_err(|e| e.error);
		assert_noop_err(
			|| unwrap_post(ModelRegistry::approve_version(emergency(), model, proposed)),
			BadOrigin,
		);
		assert_noop_err(
			|| unwrap_post(ModelRegistry::activate_version(emergency(), model, approved)),
			BadOrigin,
		);
		assert_noop_err(|| ModelRegistry::reject_version(emergency(), model, proposed), BadOrigin);
		assert_eq!(
			(status(model, proposed), status(model, approved)),
			(VersionStatus::Proposed, VersionStatus::Approved)
		);
	});
}

#[test]
fn any_other_signed_origin_can_neither_deprecate_nor_roll_back() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let v1 = active(model, 1);
		active(model, 2);
		for who in [OWNER, BOB] {
			assert_noop_err(
				|| ModelRegistry::deprecate_version(signed(who), model, v1 + 1),
				BadOrigin,
			);
			assert_noop_err(
				|| ModelRegistry::rollback(signed(who), model).map(|_| ()).map_err(|e| e.error),
				BadOrigin,
			);
		}
	});
}
