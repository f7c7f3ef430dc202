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
use sp_trie::recorder::Recorder;
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

/// A block's normal class, as `CheckWeight` and the weight reclaim fill it: an extrinsic
/// is admitted while its declared weight (with the extrinsic base) fits one extrinsic and
/// the rest of the block; then it counts for its actual (refunded) ref time and for the
/// proof it really recorded, as `StorageWeightReclaim` measures it on chain.
struct NormalClass {
	ref_time: u64,
	recorder: Recorder<sp_core::Blake2Hasher>,
	limit: Weight,
	max_extrinsic: Weight,
	base: Weight,
}

impl NormalClass {
	fn new(recorder: &Recorder<sp_core::Blake2Hasher>) -> Self {
		let weights = <Runtime as frame_system::Config>::BlockWeights::get();
		let normal = weights.get(DispatchClass::Normal);
		Self {
			ref_time: 0,
			recorder: recorder.clone(),
			limit: normal.max_total.unwrap(),
			max_extrinsic: normal.max_extrinsic.unwrap(),
			base: normal.base_extrinsic,
		}
	}

	/// What the block used so far.
	fn used(&self) -> Weight {
		Weight::from_parts(self.ref_time, self.recorder.estimate_encoded_size() as u64)
	}

	/// Applies `call` from `origin` if an extrinsic declaring its weight (the call's and
	/// the runtime's transaction extensions', the pool's check of an authorized call
	/// included) is admitted: returns whether it was.
	fn apply(&mut self, call: &RuntimeCall, origin: RuntimeOrigin) -> bool {
		let info = call.get_dispatch_info();
		let extensions = extension_weight(call);
		let declared = info.call_weight.saturating_add(extensions);
		let admitted = declared.all_lte(self.max_extrinsic) &&
			self.used().saturating_add(self.base).saturating_add(declared).all_lte(self.limit);
		if !admitted {
			return false;
		}
		let post = call.clone().dispatch(origin).expect("the call applies");
		let actual = post.calc_actual_weight(&info).saturating_add(extensions);
		self.ref_time += self.base.ref_time() + actual.ref_time();
		true
	}
}

/// The weight of the runtime's transaction extensions for `call`: the same for a signed
/// request and an authorized batch, whose `AuthorizeCall` adds the pool's check.
fn extension_weight(call: &RuntimeCall) -> Weight {
	use frame_system::offchain::CreateAuthorizedTransaction;
	use sp_runtime::traits::TransactionExtension;
	<Runtime as CreateAuthorizedTransaction<RuntimeCall>>::create_extension().weight(call)
}

/// The largest batch of `n` answers of `len` elements the off-chain worker sends: it halves
/// its batch until the batch's declared weight fits one extrinsic.
fn batch_size(n: u32, len: u32, class: &NormalClass) -> u32 {
	let operators = <Runtime as pallet_inference_oracle::Config>::MaxOperators::get();
	let mut size = n;
	while size > 1 &&
		!InferenceOracle::batch_weight(size, len, operators)
			.saturating_add(InferenceOracle::batch_authorize_weight(size, len))
			.all_lte(class.max_extrinsic)
	{
		size /= 2;
	}
	size
}

/// Block 1 makes a full block of requests; block 2 answers them all in Alice's batches
/// (they go first: submissions have the higher priority) and holds the next full block of
/// requests. Each block is applied on the state the previous one committed, with its proof
/// recorded.
#[test]
fn a_full_block_of_requests_is_answered_in_the_next_block() {
	let mut ext = development();
	let (input, expected) = reference_case();
	let len = expected.len() as u32;
	let max: u32 =
		<<Runtime as pallet_inference_oracle::Config>::MaxRequestsPerBlock as Get<u32>>::get();
	let dave: AccountId = Dave.into();
	let request_call: RuntimeCall = pallet_inference_oracle::Call::request_inference {
		model: 0,
		input: input.clone(),
		max_fee: <Runtime as pallet_inference_oracle::Config>::RequestFee::get(),
	}
	.into();
	let make_requests = |block: &mut NormalClass| {
		for i in 0..max {
			assert!(
				block.apply(&request_call, signed(&dave)),
				"request {i} fits: {:?} of {:?} used",
				block.used(),
				block.limit
			);
		}
	};

	ext.commit_all().unwrap();
	let recorder = Recorder::default();
	let requests: Vec<u64> = ext.execute_with_recorder(recorder.clone(), || {
		let mut block = NormalClass::new(&recorder);
		make_requests(&mut block);
		println!("block 1, {max} requests: {:?} of {:?}", block.used(), block.limit);
		let next = pallet_inference_oracle::NextRequestId::<Runtime>::get();
		(next - u64::from(max)..next).collect()
	});
	ext.commit_all().unwrap();

	let recorder = Recorder::default();
	ext.execute_with_recorder(recorder.clone(), || {
		System::set_block_number(2);
		let mut block = NormalClass::new(&recorder);
		let size = batch_size(max, len, &block);
		for chunk in requests.chunks(size as usize) {
			let batch = alice_batch(chunk, &expected);
			assert!(matches!(batch.authorize(TransactionSource::External), Some(Ok(_))));
			let origin = RuntimeOrigin::from(frame_system::RawOrigin::Authorized);
			assert!(block.apply(&batch, origin), "a batch of {} fits", chunk.len());
		}
		for request in &requests {
			let view = InferenceOracle::request_view(*request).unwrap();
			assert_eq!(view.status, RequestStatus::Finalized, "request {request}");
			assert_eq!(InferenceOracle::result_view(*request).unwrap().output, expected);
		}
		make_requests(&mut block);
		// One more is left in the pool for block 3 (`CheckRequestCapacity`).
		assert!(!InferenceOracle::has_request_capacity());
		println!(
			"block 2, {max} answers in batches of {size} and {max} requests: {:?} of {:?}",
			block.used(),
			block.limit
		);
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
