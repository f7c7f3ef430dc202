//! Runtime-level tests of the inference oracle: the `development` genesis (sample dataset,
//! sample model active, Alice an operator), a request, Alice's signed submission checked
//! by the real authorization path, and the explanation of the result.

mod common;

use aioracle_primitives::oracle::{Outcome, RequestStatus};
use aioracle_runtime::{
	genesis_config_presets::SAMPLE_MODEL_ONNX, provenance::explain, AccountId, Balances,
	DatasetProvenance, InferenceOracle, ModelRegistry, Runtime, RuntimeCall, RuntimeOrigin,
	System,
};
use codec::Encode;
use common::{development, signed};
use frame_support::{
	assert_ok,
	dispatch::{DispatchClass, GetDispatchInfo},
	traits::{fungible::Inspect, Authorize, Get},
	weights::Weight,
};
use pallet_inference_oracle::{crypto, BatchItem, ResultBatch, ResultSubmission};
use sp_keyring::Sr25519Keyring::{Alice, Dave};
use sp_runtime::{
	traits::Dispatchable,
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
};

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

/// What Alice's off-chain worker sends for `requests`: one batch, signed with her `orcl`
/// key.
fn alice_batch(requests: &[u64], output: &[i64]) -> RuntimeCall {
	let batch = ResultBatch {
		key: crypto::Public::from(Alice.public()),
		items: requests
			.iter()
			.map(|request| BatchItem { request: *request, outcome: Outcome::Output(output.to_vec()) })
			.collect(),
	};
	let signature: crypto::Signature = Alice.sign(&batch.signing_payload()).into();
	pallet_inference_oracle::Call::submit_results { batch, signature }.into()
}

/// The weight a block's normal class may use, and the most one extrinsic may.
fn normal_limits() -> (Weight, Weight) {
	let weights = <Runtime as frame_system::Config>::BlockWeights::get();
	let normal = weights.get(DispatchClass::Normal);
	(normal.max_total.unwrap(), normal.max_extrinsic.unwrap())
}

#[test]
fn a_full_block_of_requests_is_answered_by_one_batch_in_the_next_block() {
	development().execute_with(|| {
		let dave: AccountId = Dave.into();
		let (input, expected) = reference_case();
		let fee = <Runtime as pallet_inference_oracle::Config>::RequestFee::get();
		let max: u32 =
			<<Runtime as pallet_inference_oracle::Config>::MaxRequestsPerBlock as Get<u32>>::get();
		let (block_limit, extrinsic_limit) = normal_limits();

		// Block 1: a full block of requests.
		let request_call: RuntimeCall = pallet_inference_oracle::Call::request_inference {
			model: 0,
			input: input.clone(),
			max_fee: fee,
		}
		.into();
		let requests_weight = request_call.get_dispatch_info().total_weight().saturating_mul(max.into());
		for _ in 0..max {
			assert_ok!(request_call.clone().dispatch(signed(&dave)));
		}
		let first = pallet_inference_oracle::NextRequestId::<Runtime>::get() - u64::from(max);
		let requests: Vec<u64> = (first..first + u64::from(max)).collect();

		// Block 2: Alice's batch answers them all, beside the next full block of requests.
		System::set_block_number(2);
		let batch = alice_batch(&requests, &expected);
		// The call, its transaction extensions and the pool's check of it.
		let batch_weight = batch
			.get_dispatch_info()
			.total_weight()
			.saturating_add(InferenceOracle::batch_authorize_weight(max, expected.len() as u32));
		assert!(
			batch_weight.all_lte(extrinsic_limit),
			"one batch of {max} answers fits in one extrinsic: {batch_weight:?} > {extrinsic_limit:?}"
		);
		assert!(
			batch_weight.saturating_add(requests_weight).all_lte(block_limit),
			"a block holds {max} requests and one batch of {max} answers: {:?} > {block_limit:?}",
			batch_weight.saturating_add(requests_weight)
		);
		assert!(matches!(batch.authorize(TransactionSource::External), Some(Ok(_))));
		let post = batch
			.dispatch(RuntimeOrigin::from(frame_system::RawOrigin::Authorized))
			.expect("the batch applies");
		assert!(post.actual_weight.unwrap().all_lte(batch_weight));
		for request in &requests {
			let view = InferenceOracle::request_view(*request).unwrap();
			assert_eq!(view.status, RequestStatus::Finalized, "request {request}");
			assert_eq!(InferenceOracle::result_view(*request).unwrap().output, expected);
		}
		check_invariants();
	});
}

#[test]
fn a_stale_batch_is_refused_in_the_pool() {
	development().execute_with(|| {
		let dave: AccountId = Dave.into();
		let (input, expected) = reference_case();
		let fee = <Runtime as pallet_inference_oracle::Config>::RequestFee::get();
		assert_ok!(InferenceOracle::request_inference(signed(&dave), 0, input, fee));
		let request = pallet_inference_oracle::NextRequestId::<Runtime>::get() - 1;
		let batch = alice_batch(&[request], &expected);
		assert_ok!(batch.clone().dispatch(RuntimeOrigin::from(frame_system::RawOrigin::Authorized)));
		assert!(matches!(
			batch.authorize(TransactionSource::External),
			Some(Err(TransactionValidityError::Invalid(InvalidTransaction::Stale)))
		));
		check_invariants();
	});
}
