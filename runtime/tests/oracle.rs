//! Runtime-level tests of the inference oracle: the `development` genesis (sample dataset,
//! sample model active, Alice an operator), a request, Alice's signed submission checked
//! by the real authorization path, and the explanation of the result.

mod common;

use aioracle_primitives::oracle::{Outcome, RequestStatus};
use aioracle_runtime::{
	genesis_config_presets::SAMPLE_MODEL_ONNX, provenance::explain, AccountId, Balances,
	DatasetProvenance, InferenceOracle, ModelRegistry, Runtime, RuntimeCall, RuntimeOrigin,
};
use codec::Encode;
use common::{development, signed};
use frame_support::{
	assert_ok,
	traits::{fungible::Inspect, Authorize},
};
use pallet_inference_oracle::{crypto, ResultSubmission};
use sp_keyring::Sr25519Keyring::{Alice, Dave};
use sp_runtime::{traits::Dispatchable, transaction_validity::TransactionSource};

/// The first reference case of the sample model: fixed-point input and probabilities.
fn reference_case() -> (Vec<i64>, Vec<i64>) {
	let json: serde_json::Value =
		serde_json::from_str(include_str!("../../models/iris-logreg.json")).unwrap();
	let ints = |v: &serde_json::Value| -> Vec<i64> {
		v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect()
	};
	let case = &json["cases"][0];
	(ints(&case["input_fixed_point"]), ints(&case["outputs"][1]["fixed_point"]))
}

fn check_invariants() {
	DatasetProvenance::do_try_state().unwrap();
	ModelRegistry::do_try_state().unwrap();
	InferenceOracle::do_try_state().unwrap();
}

#[test]
fn the_development_genesis_serves_the_sample_model() {
	development().execute_with(|| {
		let version = ModelRegistry::active_version_view(0).expect("model 0 is active");
		assert_eq!(version.model_hash, sp_io::hashing::blake2_256(SAMPLE_MODEL_ONNX).into());
		assert_eq!(version.size_bytes as usize, SAMPLE_MODEL_ONNX.len());
		assert_eq!(version.training_datasets, vec![0]);
		assert_eq!(version.golden_vectors.len(), 3);
		assert_eq!(version.golden_vectors[0].output, reference_case().1);
		let operators = InferenceOracle::operator_views();
		assert_eq!(operators.len(), 1);
		assert_eq!(operators[0].account, AccountId::from(Alice));
		check_invariants();
	});
}

#[test]
fn a_request_is_answered_by_a_signed_submission_and_explains_itself() {
	development().execute_with(|| {
		let dave: AccountId = Dave.into();
		let alice: AccountId = Alice.into();
		let (input, expected) = reference_case();
		let fee = <Runtime as pallet_inference_oracle::Config>::RequestFee::get();
		assert_ok!(InferenceOracle::request_inference(signed(&dave), 0, input, fee));
		let request = pallet_inference_oracle::NextRequestId::<Runtime>::get() - 1;
		let alice_before = Balances::balance(&alice);

		// What Alice's off-chain worker sends: signed with her `orcl` key.
		let submission = ResultSubmission {
			request,
			key: crypto::Public::from(Alice.public()),
			outcome: Outcome::Output(expected.clone()),
		};
		let signature: crypto::Signature = Alice.sign(&submission.encode()).into();
		let call: RuntimeCall =
			pallet_inference_oracle::Call::submit_result { submission, signature }.into();
		assert!(matches!(call.authorize(TransactionSource::External), Some(Ok(_))));
		assert_ok!(call.dispatch(RuntimeOrigin::from(frame_system::RawOrigin::Authorized)));

		let explanation = explain(request).unwrap();
		assert_eq!(explanation.request.status, RequestStatus::Finalized);
		let result = explanation.result.unwrap();
		assert_eq!(result.output, expected);
		assert_eq!(result.agreeing, vec![alice.clone()]);
		assert_eq!(explanation.submissions.len(), 1);
		let provenance = explanation.provenance.unwrap();
		assert_eq!(provenance.training_datasets[0].dataset.id, 0);
		assert!(explanation.tainted_datasets.is_empty());
		assert_eq!(Balances::balance(&alice), alice_before + fee, "the fee went to Alice");
		check_invariants();
	});
}
