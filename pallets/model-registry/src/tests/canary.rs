//! The canary phase: starting one, the refusals, counting comparisons, the automatic
//! fallback, promotion, and what ends a canary.

use super::*;

fn governance() -> RuntimeOrigin {
	signed(GOVERNANCE)
}

fn emergency() -> RuntimeOrigin {
	signed(EMERGENCY)
}

fn start(model: ModelId, version: VersionId, max_failures: u32, max_disagreements: u32) {
	assert_ok!(ModelRegistry::start_canary(
		governance(),
		model,
		version,
		Perbill::from_percent(25),
		max_failures,
		max_disagreements
	));
}

fn unwrap_post(r: DispatchResultWithPostInfo) -> DispatchResult {
	r.map(|_| ()).map_err(|e| e.error)
}

fn compare(model: ModelId, version: VersionId, verdict: CanaryVerdict) {
	let comparison = CanaryComparison { verdict, candidate_millis: 3, active_millis: 2 };
	<ModelRegistry as CanaryLedger>::record(model, version, comparison);
}

fn record(model: ModelId, version: VersionId) -> CanaryRecord<u64> {
	Canaries::<Test>::get(model, version).expect("the version has a canary record")
}

/// A model with version 1 active and version 2 approved.
fn model_with_candidate() -> (ModelId, VersionId, VersionId) {
	let model = create();
	let v1 = active(model, 1);
	let v2 = approved(model, 2);
	(model, v1, v2)
}

#[test]
fn governance_starts_a_canary_of_an_approved_version() {
	ExtBuilder::build_and_execute(|| {
		let (model, _, v2) = model_with_candidate();
		System::set_block_number(7);
		start(model, v2, 1, 2);
		assert_eq!(status(model, v2), VersionStatus::Canary);
		assert_eq!(RunningCanary::<Test>::get(model), Some(v2));
		assert_eq!(
			record(model, v2),
			CanaryRecord::new(Perbill::from_percent(25), 1, 2, 7)
		);
		assert_eq!(
			last_event(),
			Event::CanaryStarted {
				model,
				version: v2,
				sample: Perbill::from_percent(25),
				max_failures: 1,
				max_disagreements: 2
			}
		);
		let expected = (v2, blake2_256(&onnx(2)).into(), Perbill::from_percent(25));
		assert_eq!(<ModelRegistry as CanaryLedger>::running(model), Some(expected));
		// The views show it.
		let view = ModelRegistry::version_view(model, v2).unwrap();
		assert_eq!(view.status, VersionStatus::Canary);
		assert_eq!(view.canary, Some(record(model, v2)));
	});
}

#[test]
fn a_canary_is_refused_for_a_version_that_is_not_approved() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let v1 = active(model, 1);
		let proposed = propose(model, 2);
		for version in [v1, proposed] {
			assert_noop_err(
				|| {
					unwrap_post(ModelRegistry::start_canary(
						governance(),
						model,
						version,
						Perbill::one(),
						0,
						0,
					))
				},
				Error::<Test>::NotApproved,
			);
		}
		assert_noop_err(
			|| unwrap_post(ModelRegistry::start_canary(governance(), model, 9, Perbill::one(), 0, 0)),
			Error::<Test>::VersionNotFound,
		);
	});
}

#[test]
fn a_second_canary_at_once_is_refused() {
	ExtBuilder::build_and_execute(|| {
		let (model, _, v2) = model_with_candidate();
		let v3 = approved(model, 3);
		start(model, v2, 0, 0);
		assert_noop_err(
			|| unwrap_post(ModelRegistry::start_canary(governance(), model, v3, Perbill::one(), 0, 0)),
			Error::<Test>::CanaryRunning,
		);
	});
}

#[test]
fn a_canary_needs_an_active_version_served_alike() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let v1 = approved(model, 1);
		assert_noop_err(
			|| unwrap_post(ModelRegistry::start_canary(governance(), model, v1, Perbill::one(), 0, 0)),
			Error::<Test>::NoActiveVersion,
		);
		assert_ok!(ModelRegistry::activate_version(root(), model, v1));
		// A candidate with another output scale: its answers are in other units.
		let bytes = onnx(2);
		let mut other = proposal(&bytes);
		other.output_scale = 3;
		assert_ok!(ModelRegistry::propose_version(signed(OWNER), model, other, bytes));
		let v2 = Models::<Test>::get(model).unwrap().next_version - 1;
		assert_ok!(ModelRegistry::approve_version(root(), model, v2));
		assert_noop_err(
			|| unwrap_post(ModelRegistry::start_canary(governance(), model, v2, Perbill::one(), 0, 0)),
			Error::<Test>::CanaryContractDiffers,
		);
	});
}

#[test]
fn only_governance_starts_a_canary_and_the_emergency_origin_may_end_one() {
	ExtBuilder::build_and_execute(|| {
		let (model, _, v2) = model_with_candidate();
		for origin in [signed(OWNER), emergency()] {
			assert_noop_err(
				|| unwrap_post(ModelRegistry::start_canary(origin.clone(), model, v2, Perbill::one(), 0, 0)),
				BadOrigin,
			);
		}
		start(model, v2, 0, 0);
		assert_noop_err(|| ModelRegistry::end_canary(signed(OWNER), model), BadOrigin);
		assert_ok!(ModelRegistry::end_canary(emergency(), model));
		assert_eq!(status(model, v2), VersionStatus::Approved);
		assert_eq!(
			last_event(),
			Event::CanaryEnded {
				model,
				version: v2,
				end: CanaryEnd::Stopped,
				compared: 0,
				failed: 0,
				disagreed: 0
			}
		);
		assert_noop_err(|| ModelRegistry::end_canary(governance(), model), Error::<Test>::NoCanary);
	});
}

#[test]
fn comparisons_are_counted_with_their_latency() {
	ExtBuilder::build_and_execute(|| {
		let (model, _, v2) = model_with_candidate();
		start(model, v2, 5, 5);
		compare(model, v2, CanaryVerdict::Agreed);
		compare(model, v2, CanaryVerdict::Agreed);
		compare(model, v2, CanaryVerdict::Disagreed);
		compare(model, v2, CanaryVerdict::Failed);
		let r = record(model, v2);
		assert_eq!((r.compared, r.agreed, r.disagreed, r.failed), (4, 2, 1, 1));
		assert_eq!((r.candidate_millis, r.active_millis), (12, 8));
		assert_eq!(r.ended, None);
		// A comparison for a version whose canary does not run is ignored.
		compare(model, 1, CanaryVerdict::Failed);
		assert!(Canaries::<Test>::get(model, 1).is_none());
	});
}

#[test]
fn failures_above_the_bound_fall_back_and_block_activation() {
	ExtBuilder::build_and_execute(|| {
		let (model, v1, v2) = model_with_candidate();
		start(model, v2, 1, 10);
		compare(model, v2, CanaryVerdict::Failed);
		assert_eq!(status(model, v2), VersionStatus::Canary);
		System::set_block_number(5);
		compare(model, v2, CanaryVerdict::Failed);
		assert_eq!(status(model, v2), VersionStatus::Approved);
		assert_eq!(RunningCanary::<Test>::get(model), None);
		assert_eq!(record(model, v2).ended, Some((5, CanaryEnd::FellBack)));
		assert_eq!(
			last_event(),
			Event::CanaryEnded {
				model,
				version: v2,
				end: CanaryEnd::FellBack,
				compared: 2,
				failed: 2,
				disagreed: 0
			}
		);
		// The active version kept answering all along.
		assert_eq!(Models::<Test>::get(model).unwrap().active, Some(v1));
		assert_noop_err(
			|| unwrap_post(ModelRegistry::activate_version(root(), model, v2)),
			Error::<Test>::CanaryFailuresAboveBound,
		);
		// A new canary resets the figures; once it is promoted, the version is active.
		start(model, v2, 1, 10);
		assert_eq!(record(model, v2).compared, 0);
		compare(model, v2, CanaryVerdict::Agreed);
		assert_ok!(ModelRegistry::activate_version(governance(), model, v2));
		assert_eq!(status(model, v2), VersionStatus::Active);
		assert_eq!(record(model, v2).ended, Some((5, CanaryEnd::Promoted)));
	});
}

#[test]
fn disagreements_above_their_bound_fall_back_too() {
	ExtBuilder::build_and_execute(|| {
		let (model, _, v2) = model_with_candidate();
		start(model, v2, 10, 0);
		compare(model, v2, CanaryVerdict::Agreed);
		assert_eq!(status(model, v2), VersionStatus::Canary);
		compare(model, v2, CanaryVerdict::Disagreed);
		assert_eq!(status(model, v2), VersionStatus::Approved);
		assert!(matches!(record(model, v2).ended, Some((_, CanaryEnd::FellBack))));
	});
}

#[test]
fn promotion_ends_the_canary_and_deprecates_the_old_version() {
	ExtBuilder::build_and_execute(|| {
		let (model, v1, v2) = model_with_candidate();
		start(model, v2, 0, 0);
		compare(model, v2, CanaryVerdict::Agreed);
		assert_ok!(ModelRegistry::activate_version(governance(), model, v2));
		assert_eq!((status(model, v1), status(model, v2)), (VersionStatus::Deprecated, VersionStatus::Active));
		assert_eq!(RunningCanary::<Test>::get(model), None);
		let ended: Vec<_> = events()
			.into_iter()
			.filter(|e| matches!(e, Event::CanaryEnded { end: CanaryEnd::Promoted, compared: 1, .. }))
			.collect();
		assert_eq!(ended.len(), 1);
	});
}

#[test]
fn changing_the_active_version_stops_the_canary() {
	ExtBuilder::build_and_execute(|| {
		// Activating another version.
		let (model, _, v2) = model_with_candidate();
		let v3 = approved(model, 3);
		start(model, v2, 0, 0);
		assert_ok!(ModelRegistry::activate_version(root(), model, v3));
		assert_eq!(status(model, v2), VersionStatus::Approved);
		assert!(matches!(record(model, v2).ended, Some((_, CanaryEnd::Stopped))));
		// A rollback by the emergency origin.
		start(model, v2, 0, 0);
		assert_ok!(ModelRegistry::rollback(emergency(), model));
		assert_eq!(status(model, v2), VersionStatus::Approved);
		// A deprecation.
		start(model, v2, 0, 0);
		let active = Models::<Test>::get(model).unwrap().active.unwrap();
		assert_ok!(ModelRegistry::deprecate_version(emergency(), model, active));
		assert_eq!(status(model, v2), VersionStatus::Approved);
		assert_eq!(RunningCanary::<Test>::get(model), None);
	});
}

#[test]
fn rejecting_the_candidate_stops_its_canary() {
	ExtBuilder::build_and_execute(|| {
		let (model, _, v2) = model_with_candidate();
		start(model, v2, 0, 0);
		assert_ok!(ModelRegistry::reject_version(governance(), model, v2));
		assert_eq!(status(model, v2), VersionStatus::Rejected);
		assert_eq!(RunningCanary::<Test>::get(model), None);
		assert!(matches!(record(model, v2).ended, Some((_, CanaryEnd::Stopped))));
	});
}

#[test]
fn a_candidate_whose_data_was_tainted_cannot_start() {
	ExtBuilder::build_and_execute(|| {
		let (model, _, v2) = model_with_candidate();
		MockDatasets::taint(IRIS);
		assert_noop_err(
			|| unwrap_post(ModelRegistry::start_canary(governance(), model, v2, Perbill::one(), 0, 0)),
			Error::<Test>::TrainingDataTainted,
		);
	});
}
