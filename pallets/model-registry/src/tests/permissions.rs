//! Usage permissions of training data (C2PA/CAWG): training checked at proposal, what the
//! version may serve recorded for the oracle, canaries of versions that may not serve.

use super::*;
use aioracle_primitives::dataset::{UsagePermissions, UsePermission};

const NO_TRAINING: UsagePermissions = UsagePermissions {
	ai_training: UsePermission::NotAllowed,
	..UsagePermissions::ALL_ALLOWED
};

const NO_INFERENCE: UsagePermissions = UsagePermissions {
	ai_inference: UsePermission::NotAllowed,
	..UsagePermissions::ALL_ALLOWED
};

fn constrained(n: u8) -> UsePermission {
	UsePermission::Constrained { constraint: H256::repeat_byte(n) }
}

fn trained_on(bytes: &[u8], datasets: Vec<DatasetId>) -> VersionProposal<u64> {
	VersionProposal { training_datasets: datasets, ..proposal(bytes) }
}

#[test]
fn a_version_trained_on_data_that_forbids_training_is_refused() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		MockDatasets::set_permissions(WINE, NO_TRAINING);
		let bytes = onnx(1);
		assert_noop_err(
			|| {
				ModelRegistry::propose_version(
					signed(OWNER),
					model,
					trained_on(&bytes, vec![IRIS, WINE]),
					bytes.clone(),
				)
			},
			Error::<Test>::TrainingNotPermitted,
		);
		// Constrained training is permitted, and recorded with the version.
		MockDatasets::set_permissions(
			WINE,
			UsagePermissions { ai_training: constrained(5), ..UsagePermissions::ALL_ALLOWED },
		);
		assert_ok!(ModelRegistry::propose_version(
			signed(OWNER),
			model,
			trained_on(&bytes, vec![IRIS, WINE]),
			bytes
		));
		assert_eq!(VersionUsage::<Test>::get(model, 1).unwrap().ai_training, constrained(5));
	});
}

#[test]
fn a_version_records_the_strictest_permissions_of_its_training_data() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		MockDatasets::set_permissions(
			IRIS,
			UsagePermissions { data_mining: constrained(1), ..UsagePermissions::ALL_ALLOWED },
		);
		MockDatasets::set_permissions(WINE, NO_INFERENCE);
		let bytes = onnx(1);
		assert_ok!(ModelRegistry::propose_version(
			signed(OWNER),
			model,
			trained_on(&bytes, vec![IRIS, WINE]),
			bytes
		));
		let expected = UsagePermissions {
			ai_training: UsePermission::Allowed,
			ai_inference: UsePermission::NotAllowed,
			data_mining: constrained(1),
		};
		assert_eq!(VersionUsage::<Test>::get(model, 1), Some(expected));
		assert_eq!(ModelRegistry::version_view(model, 1).unwrap().usage, expected);
		assert!(!<ModelRegistry as ModelInspect>::inference_permitted(model, 1));
	});
}

#[test]
fn inference_is_permitted_unless_a_training_dataset_forbids_it() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let v1 = active(model, 1);
		assert!(<ModelRegistry as ModelInspect>::inference_permitted(model, v1));
		// Constrained inference is permitted.
		MockDatasets::set_permissions(
			WINE,
			UsagePermissions { ai_inference: constrained(2), ..UsagePermissions::ALL_ALLOWED },
		);
		let bytes = onnx(2);
		assert_ok!(ModelRegistry::propose_version(
			signed(OWNER),
			model,
			trained_on(&bytes, vec![WINE]),
			bytes
		));
		assert!(<ModelRegistry as ModelInspect>::inference_permitted(model, 2));
		// A version proposed before permissions existed has no record: every use allowed.
		VersionUsage::<Test>::remove(model, v1);
		assert!(<ModelRegistry as ModelInspect>::inference_permitted(model, v1));
		assert_eq!(
			ModelRegistry::version_view(model, v1).unwrap().usage,
			UsagePermissions::ALL_ALLOWED
		);
	});
}

#[test]
fn a_version_that_may_not_serve_cannot_be_a_canary() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		active(model, 1);
		MockDatasets::set_permissions(WINE, NO_INFERENCE);
		let bytes = onnx(2);
		assert_ok!(ModelRegistry::propose_version(
			signed(OWNER),
			model,
			trained_on(&bytes, vec![WINE]),
			bytes
		));
		assert_ok!(ModelRegistry::approve_version(root(), model, 2));
		assert_noop!(
			ModelRegistry::start_canary(
				signed(GOVERNANCE),
				model,
				2,
				Perbill::from_percent(10),
				1,
				1,
			),
			Error::<Test>::InferenceNotPermitted
		);
	});
}

#[test]
fn withdrawing_a_version_forgets_its_permissions() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let version = propose(model, 1);
		assert!(VersionUsage::<Test>::contains_key(model, version));
		assert_ok!(ModelRegistry::withdraw_version(signed(OWNER), model, version));
		assert!(!VersionUsage::<Test>::contains_key(model, version));
	});
}

#[test]
fn try_state_catches_usage_of_a_missing_version() {
	ExtBuilder::build().execute_with(|| {
		let model = create();
		propose(model, 1);
		assert_ok!(ModelRegistry::do_try_state());
		VersionUsage::<Test>::insert(model, 9, UsagePermissions::ALL_ALLOWED);
		assert!(ModelRegistry::do_try_state().is_err());
	});
}
