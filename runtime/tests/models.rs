//! Runtime-level tests of the model registry: the real runtime from the `development`
//! preset, the real dataset pallet behind `DatasetInspect`, versions voted in with the
//! origin of the `model_upgrades` track (what a passed referendum dispatches with; the
//! referenda themselves are in `governance.rs`) and rolled back by the real Council.

mod common;

use aioracle_runtime::configs::governance::origins::pallet_governance_origins::Origin;
use aioracle_runtime::{
	provenance::version_provenance, AccountId, DatasetProvenance, ModelRegistry, Runtime,
	RuntimeCall, RuntimeOrigin,
};
use common::{
	development, last_motion_succeeded, operators_validate, pass_motion, register,
	register_with, signed, verdict_call,
};
use frame_support::{assert_noop, assert_ok};
use pallet_model_registry::{
	model_bytes_key, Aggregation, ElementType, GoldenVector, ModelId, TensorSpec, VersionId,
	VersionProposal, VersionStatus,
};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Dave};
use sp_runtime::{traits::BadOrigin, BoundedVec};

fn onnx(n: u8) -> Vec<u8> {
	let mut bytes = b"\x08\x07\x12\x08skl2onnx iris".to_vec();
	bytes.push(n);
	bytes
}

fn proposal(bytes: &[u8], dataset: u64) -> VersionProposal<AccountId> {
	let spec = |index, shape: Vec<u32>| TensorSpec {
		index,
		element_type: ElementType::F32,
		shape: BoundedVec::truncate_from(shape),
	};
	VersionProposal {
		model_hash: sp_io::hashing::blake2_256(bytes).into(),
		uri: b"https://models.example/iris.onnx".to_vec(),
		inputs: vec![spec(0, vec![1, 4])],
		output: spec(1, vec![1, 3]),
		input_scale: 4,
		output_scale: 6,
		aggregation: Aggregation::Median { tolerance: 10 },
		min_agreement: 1,
		training_datasets: vec![dataset],
		commercial_use: true,
		golden_vectors: vec![GoldenVector {
			input: vec![51_000, 35_000, 14_000, 2_000],
			output: vec![979_000, 21_000, 0],
		}],
		training_run: None,
	}
}

/// Dave registers a dataset, creates a model and proposes version `n` trained on it.
fn dave_proposes(model: Option<ModelId>, n: u8, dataset: u64) -> (ModelId, VersionId) {
	let dave: AccountId = Dave.into();
	let model = model.unwrap_or_else(|| {
		assert_ok!(ModelRegistry::create_model(signed(&dave), b"iris".to_vec(), vec![]));
		pallet_model_registry::NextModelId::<Runtime>::get() - 1
	});
	let bytes = onnx(n);
	assert_ok!(ModelRegistry::propose_version(
		signed(&dave),
		model,
		proposal(&bytes, dataset),
		bytes
	));
	(model, pallet_model_registry::Models::<Runtime>::get(model).unwrap().next_version - 1)
}

fn activate(model: ModelId, version: VersionId) -> RuntimeCall {
	pallet_model_registry::Call::activate_version { model, version }.into()
}

/// The origin a passed referendum on the `model_upgrades` track dispatches with.
fn upgrades() -> RuntimeOrigin {
	RuntimeOrigin::from(Origin::ModelUpgrades)
}

fn status(model: ModelId, version: VersionId) -> VersionStatus {
	ModelRegistry::version_view(model, version).unwrap().status
}

fn check_invariants() {
	DatasetProvenance::do_try_state().unwrap();
	ModelRegistry::do_try_state().unwrap();
}

#[test]
fn token_holders_vote_a_version_in_and_the_council_rolls_it_back() {
	development().execute_with(|| {
		let dataset = register(&Dave.into(), 1, vec![]);
		let (model, v1) = dave_proposes(None, 1, dataset);
		operators_validate(model, v1);

		assert_ok!(ModelRegistry::approve_version(upgrades(), model, v1));
		assert_eq!(status(model, v1), VersionStatus::Approved);
		assert_ok!(ModelRegistry::activate_version(upgrades(), model, v1));
		assert_eq!(status(model, v1), VersionStatus::Active);
		assert_eq!(ModelRegistry::active_version_view(model).unwrap().version, v1);

		// Version 2 replaces it; version 1 is deprecated but still there.
		let (_, v2) = dave_proposes(Some(model), 2, dataset);
		operators_validate(model, v2);
		assert_ok!(ModelRegistry::approve_version(upgrades(), model, v2));
		assert_ok!(ModelRegistry::activate_version(upgrades(), model, v2));
		assert_eq!(
			(status(model, v1), status(model, v2)),
			(VersionStatus::Deprecated, VersionStatus::Active)
		);

		// The council's emergency rollback (two of three members): version 1 answers again.
		pass_motion(pallet_model_registry::Call::rollback { model }.into(), 0);
		assert!(last_motion_succeeded());
		assert_eq!(ModelRegistry::active_version_view(model).unwrap().version, v1);
		assert_eq!(status(model, v2), VersionStatus::Deprecated);
		check_invariants();
	});
}

#[test]
fn no_single_account_can_activate_a_version() {
	development().execute_with(|| {
		let dataset = register(&Dave.into(), 1, vec![]);
		let (model, v1) = dave_proposes(None, 1, dataset);
		operators_validate(model, v1);
		assert_ok!(ModelRegistry::approve_version(upgrades(), model, v1));
		// Neither the owner nor a council member alone.
		for who in [Dave, Alice] {
			let who: AccountId = who.into();
			assert_noop!(ModelRegistry::activate_version(signed(&who), model, v1), BadOrigin);
		}
		// A motion that only one member (of three) backs executes with too weak an origin.
		let alice: AccountId = Alice.into();
		let call = activate(model, v1);
		let length = codec::Encode::encoded_size(&call) as u32;
		assert_ok!(aioracle_runtime::Council::propose(signed(&alice), 1, Box::new(call), length));
		assert!(!last_motion_succeeded());
		assert_eq!(status(model, v1), VersionStatus::Approved);
		// Root (sudo on the dev chain) can.
		assert_ok!(ModelRegistry::activate_version(RuntimeOrigin::root(), model, v1));
		check_invariants();
	});
}

#[test]
fn provenance_follows_training_data_into_its_lineage_and_taint() {
	development().execute_with(|| {
		let dave: AccountId = Dave.into();
		let raw = register(&dave, 1, vec![]);
		let clean = register(&dave, 2, vec![raw]);
		let (model, v1) = dave_proposes(None, 1, clean);

		let provenance = version_provenance(model, v1).unwrap();
		assert_eq!(provenance.version.version, v1);
		assert_eq!(provenance.training_datasets.len(), 1);
		let trained_on = &provenance.training_datasets[0];
		assert_eq!(trained_on.dataset.id, clean);
		assert_eq!(trained_on.dataset.licence, b"CC-BY-4.0".to_vec());
		assert_eq!(
			trained_on.ancestors.datasets.iter().map(|e| e.id).collect::<Vec<_>>(),
			vec![raw]
		);
		assert!(!provenance.tainted);

		// The raw data is retracted: the version's provenance shows the taint, and governance
		// can no longer approve it.
		assert_ok!(DatasetProvenance::retract(signed(&dave), raw, b"consent withdrawn".to_vec()));
		let provenance = version_provenance(model, v1).unwrap();
		assert!(provenance.tainted);
		assert_eq!(provenance.training_datasets[0].taint.retracted_ancestors, vec![raw]);
		assert_noop!(
			ModelRegistry::approve_version(RuntimeOrigin::root(), model, v1),
			pallet_model_registry::Error::<Runtime>::TrainingDataTainted
		);
		// And no new version may be trained on it.
		let bytes = onnx(2);
		assert_noop!(
			ModelRegistry::propose_version(signed(&dave), model, proposal(&bytes, clean), bytes),
			pallet_model_registry::Error::<Runtime>::TrainingDataTainted
		);
		assert!(version_provenance(model, 99).is_none());
		check_invariants();
	});
}

#[test]
fn usage_permissions_follow_data_from_registration_to_requests() {
	use aioracle_primitives::dataset::{UsagePermissions, UsePermission};
	development().execute_with(|| {
		let dave: AccountId = Dave.into();
		let no_inference = UsagePermissions {
			ai_training: UsePermission::Constrained { constraint: [7; 32].into() },
			ai_inference: UsePermission::NotAllowed,
			data_mining: UsePermission::Allowed,
		};
		let raw = register_with(&dave, 1, vec![], no_inference);
		// A child may not permit inference its parent forbids...
		let laundered = pallet_dataset_provenance::Registration {
			parents: vec![raw],
			..pallet_dataset_provenance::Registration::root(
				[2; 32].into(),
				1,
				b"ipfs://clean".to_vec(),
				b"CC-BY-4.0".to_vec(),
				common::OPEN,
			)
		};
		assert_noop!(
			DatasetProvenance::register_dataset(signed(&dave), laundered),
			pallet_dataset_provenance::Error::<Runtime>::PermissionWiderThanParent
		);
		// ...but may carry it on.
		let clean = register_with(&dave, 2, vec![raw], no_inference);

		// Data that forbids training trains nothing.
		let no_training = UsagePermissions {
			ai_training: UsePermission::NotAllowed,
			..UsagePermissions::ALL_ALLOWED
		};
		let private = register_with(&dave, 3, vec![], no_training);
		assert_ok!(ModelRegistry::create_model(signed(&dave), b"iris".to_vec(), vec![]));
		let model = pallet_model_registry::NextModelId::<Runtime>::get() - 1;
		let bytes = onnx(1);
		assert_noop!(
			ModelRegistry::propose_version(signed(&dave), model, proposal(&bytes, private), bytes),
			pallet_model_registry::Error::<Runtime>::TrainingNotPermitted
		);

		// A version trained on `clean` (constrained training) is proposed, voted in, and
		// shows its lineage's permissions; requests to it are refused.
		let (_, v1) = dave_proposes(Some(model), 1, clean);
		let view = ModelRegistry::version_view(model, v1).unwrap();
		assert_eq!(view.usage, no_inference);
		let provenance = version_provenance(model, v1).unwrap();
		assert_eq!(provenance.training_datasets[0].dataset.permissions, no_inference);
		operators_validate(model, v1);
		assert_ok!(ModelRegistry::approve_version(upgrades(), model, v1));
		assert_ok!(ModelRegistry::activate_version(upgrades(), model, v1));
		let alice: AccountId = Alice.into();
		assert_noop!(
			aioracle_runtime::InferenceOracle::request_inference(
				signed(&alice),
				model,
				vec![51_000, 35_000, 14_000, 2_000],
				u128::MAX,
			)
			.map_err(|e| e.error),
			pallet_inference_oracle::Error::<Runtime>::InferenceNotPermitted
		);
		check_invariants();
	});
}

#[test]
fn proposed_bytes_reach_the_offchain_db() {
	let mut ext = development();
	let bytes = onnx(1);
	ext.execute_with(|| {
		let dataset = register(&Bob.into(), 1, vec![]);
		let (model, version) = dave_proposes(None, 1, dataset);
		let view = ModelRegistry::version_view(model, version).unwrap();
		assert_eq!(view.size_bytes as usize, bytes.len());
		check_invariants();
	});
	ext.persist_offchain_overlay();
	let key = model_bytes_key(&sp_io::hashing::blake2_256(&bytes).into());
	assert_eq!(ext.offchain_db().get(&key), Some(bytes));
}

#[test]
fn governance_approves_only_what_operators_reproduced() {
	development().execute_with(|| {
		use aioracle_primitives::oracle::{Failure, Verdict};
		use frame_support::{dispatch::RawOrigin, traits::Authorize};
		use sp_keyring::Sr25519Keyring::Charlie;
		use sp_runtime::{traits::Dispatchable, transaction_validity::TransactionSource};
		let apply = |call: RuntimeCall| {
			assert!(matches!(call.authorize(TransactionSource::External), Some(Ok(_))));
			assert_ok!(call.dispatch(RuntimeOrigin::from(RawOrigin::<AccountId>::Authorized)));
		};
		let dataset = register(&Dave.into(), 1, vec![]);
		let (model, v1) = dave_proposes(None, 1, dataset);
		// No verdict yet: the approval is refused.
		let not_validated = || pallet_model_registry::Error::<Runtime>::NotValidated;
		assert_noop!(ModelRegistry::approve_version(upgrades(), model, v1), not_validated());
		// One reproduction and one failure: still short of the quorum of two.
		apply(verdict_call(Alice, model, v1, Verdict::Reproduced));
		apply(verdict_call(Bob, model, v1, Verdict::Failed(Failure::GoldenVectorMismatch)));
		let validation = version_provenance(model, v1).unwrap().validation;
		assert_eq!((validation.quorum, validation.validated), (2, false));
		assert_eq!(validation.verdicts.len(), 2);
		assert_noop!(ModelRegistry::approve_version(upgrades(), model, v1), not_validated());
		assert_noop!(
			ModelRegistry::approve_version(RuntimeOrigin::signed(Dave.into()), model, v1),
			BadOrigin
		);
		// A second reproduction: the approval passes.
		apply(verdict_call(Charlie, model, v1, Verdict::Reproduced));
		assert!(version_provenance(model, v1).unwrap().validation.validated);
		assert_ok!(ModelRegistry::approve_version(upgrades(), model, v1));
		assert_eq!(status(model, v1), VersionStatus::Approved);
		// Root approves without verdicts.
		let (_, v2) = dave_proposes(Some(model), 2, dataset);
		assert_ok!(ModelRegistry::approve_version(RuntimeOrigin::root(), model, v2));
		check_invariants();
	});
}
