//! Runtime-level test of the exact tier: the example forest (`models/breast-cancer-forest`,
//! a scikit-learn RandomForestClassifier) compiled by `aioracle-exact`, proposed with its
//! program, checked on-chain against its golden vectors, voted in, and asked: the runtime
//! answers each request in its own call, and the labels are onnxruntime's.

mod common;

use aioracle_runtime::{
	configs::governance::origins::pallet_governance_origins::Origin, provenance::{explain, tainted_results},
	AccountId, DatasetProvenance, InferenceOracle, ModelRegistry, Runtime, RuntimeEvent,
	RuntimeOrigin, System,
};
use aioracle_primitives::model::ModelInspect;
use codec::Encode;
use common::{development, register, signed};
use frame_support::assert_ok;
use pallet_model_registry::{
	Aggregation, ElementType, GoldenVector, ModelId, TensorSpec, VersionProposal,
};
use sp_keyring::Sr25519Keyring::Dave;
use sp_runtime::BoundedVec;

const FOREST: &[u8] = include_bytes!("../../models/breast-cancer-forest.onnx");

/// The forest's reference cases: fixed-point inputs (7 decimals) and onnxruntime's labels
/// as the chain reports them: an integer output at the output scale (6), as the engine
/// quantises it (`label * 10^6`).
fn cases() -> Vec<(Vec<i64>, i64)> {
	let json: serde_json::Value =
		serde_json::from_str(include_str!("../../models/breast-cancer-forest.json")).unwrap();
	let ints = |v: &serde_json::Value| -> Vec<i64> {
		v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect()
	};
	json["cases"]
		.as_array()
		.unwrap()
		.iter()
		.map(|case| {
			let label = ints(&case["outputs"][0]["values"])[0];
			(ints(&case["input_fixed_point"]), label * 1_000_000)
		})
		.collect()
}

/// Dave's forest model with version 1 proposed: 30 inputs at 7 decimals, the label, by
/// exact majority, three golden vectors from the reference cases (both classes).
fn propose_forest(dataset: u64) -> ModelId {
	let dave: AccountId = Dave.into();
	assert_ok!(ModelRegistry::create_model(signed(&dave), b"breast-cancer".to_vec(), vec![]));
	let model = pallet_model_registry::NextModelId::<Runtime>::get() - 1;
	let spec = |index, element_type, shape: Vec<u32>| TensorSpec {
		index,
		element_type,
		shape: BoundedVec::truncate_from(shape),
	};
	let proposal = VersionProposal {
		model_hash: sp_io::hashing::blake2_256(FOREST).into(),
		uri: vec![],
		inputs: vec![spec(0, ElementType::F32, vec![1, 30])],
		output: spec(0, ElementType::I64, vec![1]),
		input_scale: 7,
		output_scale: 6,
		aggregation: Aggregation::ExactMajority,
		min_agreement: 1,
		training_datasets: vec![dataset],
		commercial_use: false,
		golden_vectors: cases()
			.into_iter()
			.step_by(3)
			.map(|(input, label)| GoldenVector { input, output: vec![label] })
			.collect(),
		training_run: None,
	};
	assert_ok!(ModelRegistry::propose_version(signed(&dave), model, proposal, FOREST.to_vec()));
	model
}

fn check_invariants() {
	DatasetProvenance::do_try_state().unwrap();
	ModelRegistry::do_try_state().unwrap();
	InferenceOracle::do_try_state().unwrap();
}

#[test]
fn a_compiled_forest_answers_requests_in_their_own_block_with_onnxruntimes_labels() {
	development().execute_with(|| {
		let dave: AccountId = Dave.into();
		let dataset = register(&dave, 1, vec![]);
		let model = propose_forest(dataset);
		let program = aioracle_exact::compile(FOREST, 7, 6, "label").unwrap().encode();
		assert_ok!(ModelRegistry::set_exact_program(signed(&dave), model, 1, program.clone()));
		let upgrades = RuntimeOrigin::from(Origin::ModelUpgrades);
		// Root skips the operators' validation: this version needs no operator.
		assert_ok!(ModelRegistry::approve_version(RuntimeOrigin::root(), model, 1));
		assert_ok!(ModelRegistry::activate_version(upgrades, model, 1));
		let view = ModelRegistry::version_view(model, 1).unwrap();
		let program_hash = sp_io::hashing::blake2_256(&program).into();
		assert_eq!(view.exact_program.as_ref().map(|p| p.program_hash), Some(program_hash));

		let block = System::block_number();
		let labels: Vec<i64> = cases().iter().map(|(_, label)| *label).collect();
		assert!(labels.contains(&0) && labels.contains(&1_000_000), "both classes are asked");
		let mut answered = Vec::new();
		for (input, label) in cases() {
			System::reset_events();
			let info = InferenceOracle::request_inference(signed(&dave), model, input, 0).unwrap();
			let id = pallet_inference_oracle::NextRequestId::<Runtime>::get() - 1;
			answered.push(id);
			// Finalized in the call: same block, the event deposited, explained as exact.
			let finalized = System::events().into_iter().any(|r| {
				matches!(
					r.event,
					RuntimeEvent::InferenceOracle(pallet_inference_oracle::Event::ResultFinalized {
						request, ref output, ..
					}) if request == id && output.to_vec() == vec![label]
				)
			});
			assert!(
				finalized,
				"request {id} was not finalized with label {label}: {:?}",
				System::events().into_iter().map(|r| r.event).collect::<Vec<_>>()
			);
			let result = explain(id).unwrap().result.unwrap();
			assert_eq!((result.output, result.finalized_at), (vec![label], block));
			assert_eq!(result.exact_program, Some(program_hash));
			assert!(result.agreeing.is_empty(), "no operator took part");
			let request = InferenceOracle::request_view(id).unwrap();
			assert_eq!((request.requester, request.created_at), (dave.clone(), block));
			// Refunded to an exact request and this program's load and run: nothing retained
			// was displaced (the development chain made no request before), and the XCM
			// hook is not called for a requester that is not a sibling's.
			let program = <ModelRegistry as ModelInspect>::exact_program(model, 1).unwrap();
			let taken = <pallet_inference_oracle::weights::SubstrateWeight<Runtime> as
				pallet_inference_oracle::weights::WeightInfo>::request_exact_inference();
			assert_eq!(info.actual_weight, Some(taken.saturating_add(program.weight)));
		}
		answered.reverse();

		// Provenance follows exact answers too: the forest's training data is withdrawn,
		// and every answer it gave is listed as resting on it, newest first.
		assert_ok!(DatasetProvenance::retract(signed(&dave), dataset, b"consent withdrawn".to_vec()));
		let tainted = tainted_results(dave.clone(), 1_000);
		assert_eq!(tainted.iter().map(|t| t.request).collect::<Vec<_>>(), answered);
		assert!(tainted.iter().all(|t| t.model == model && t.version == 1 && t.since == block));
		assert_eq!(explain(answered[0]).unwrap().tainted_since, Some(block));
		check_invariants();
	});
}

#[test]
fn a_forest_program_with_a_broken_golden_vector_is_refused_on_chain() {
	development().execute_with(|| {
		let dave: AccountId = Dave.into();
		let dataset = register(&dave, 1, vec![]);
		let model = propose_forest(dataset);
		// Compiled for probabilities, not the label: it does not serve the version.
		let probabilities = aioracle_exact::compile(FOREST, 7, 6, "probabilities").unwrap();
		assert_eq!(
			ModelRegistry::set_exact_program(signed(&dave), model, 1, probabilities.encode())
				.map_err(|e| e.error),
			Err(pallet_model_registry::Error::<Runtime>::ExactProgramDoesNotFit.into())
		);
		// A label program whose first tree votes the other way on the first golden case.
		let mut program = aioracle_exact::compile(FOREST, 7, 6, "label").unwrap();
		let wrong = flip_labels(&mut program);
		assert!(wrong, "the forest program has a label lookup to flip");
		assert_eq!(
			ModelRegistry::set_exact_program(signed(&dave), model, 1, program.encode())
				.map_err(|e| e.error),
			Err(pallet_model_registry::Error::<Runtime>::ExactProgramFailsGoldenVector.into())
		);
		assert!(ModelRegistry::version_view(model, 1).unwrap().exact_program.is_none());
		check_invariants();
	});
}

/// Swaps the labels of the program's class lookup (class 0 <-> 1), so that it answers the
/// other class everywhere; whether there was one to swap.
fn flip_labels(program: &mut aioracle_exact::Program) -> bool {
	use aioracle_exact::program::Op;
	for op in &program.nodes {
		if let Op::Lookup { table, .. } = op {
			if let Some(c) = program.constants.get_mut(*table as usize) {
				c.values.reverse();
				return true;
			}
		}
	}
	false
}
