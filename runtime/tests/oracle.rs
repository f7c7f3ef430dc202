//! Runtime-level tests of the inference oracle: the `development` genesis (sample dataset,
//! sample model active, Alice, Bob and Charlie operators), a request served by a committee
//! of the three (commitments, then reveals, each signed and checked by the real
//! authorization path), the explanation of the result, and full blocks of the three.

mod common;

use aioracle_primitives::{
	canary::{CanaryEnd, CanaryReport, CanaryVerdict},
	model::VersionStatus,
	oracle::{Failure, Outcome, RequestStatus},
};
use aioracle_runtime::{
	genesis_config_presets::SAMPLE_MODEL_ONNX, provenance::explain, AccountId, Balances,
	DatasetProvenance, InferenceOracle, ModelRegistry, Runtime, RuntimeCall, RuntimeOrigin,
	System,
};
use codec::Encode;
use common::{development, reference_case, salt, signed};
use frame_support::{
	assert_ok,
	dispatch::{DispatchClass, GetDispatchInfo},
	traits::{fungible::Inspect, Authorize, Get},
	weights::Weight,
};
use pallet_inference_oracle::{commitment, crypto, Answer, BatchItem, ResultBatch, ResultSubmission};
use sp_keyring::{
	Sr25519Keyring,
	Sr25519Keyring::{Alice, Bob, Charlie, Dave},
};
use sp_trie::recorder::Recorder;
use sp_runtime::{
	Perbill,
	traits::Dispatchable,
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
};

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
		let mut operators: Vec<AccountId> =
			InferenceOracle::operator_views().into_iter().map(|o| o.account).collect();
		operators.sort();
		let mut expected: Vec<AccountId> = [Alice, Bob, Charlie].map(AccountId::from).to_vec();
		expected.sort();
		assert_eq!(operators, expected);
		check_invariants();
	});
}

/// What `member`'s off-chain worker sends for `request`: `answer`, signed with its `orcl`
/// key.
fn member_call(member: Sr25519Keyring, request: u64, answer: Answer) -> RuntimeCall {
	let submission = ResultSubmission { request, key: crypto::Public::from(member.public()), answer };
	let signature: crypto::Signature = member.sign(&submission.encode()).into();
	pallet_inference_oracle::Call::submit_result { submission, signature }.into()
}

/// Checks `call` as the pool does, then applies it.
fn authorize_and_apply(call: RuntimeCall) {
	assert!(matches!(call.authorize(TransactionSource::External), Some(Ok(_))));
	assert_ok!(call.dispatch(RuntimeOrigin::from(frame_system::RawOrigin::Authorized)));
}

#[test]
fn a_request_is_answered_by_its_committee_and_explains_itself() {
	development().execute_with(|| {
		let dave: AccountId = Dave.into();
		let (input, expected) = reference_case();
		let fee = <Runtime as pallet_inference_oracle::Config>::RequestFee::get();
		assert_ok!(InferenceOracle::request_inference(signed(&dave), 0, input, fee));
		let request = pallet_inference_oracle::NextRequestId::<Runtime>::get() - 1;
		let members = [Alice, Bob, Charlie];
		let committee = pallet_inference_oracle::Committees::<Runtime>::get(request);
		assert_eq!(committee.len(), 3, "the sample model is served by all three");
		let before: Vec<_> = members.iter().map(|m| Balances::balance(&(*m).into())).collect();

		// Each member commits to the output, then, once all have, reveals it.
		let outcome = Outcome::Output(expected.clone());
		for member in members {
			let account: AccountId = member.into();
			let hash = commitment(request, &account, &outcome, &salt(member));
			authorize_and_apply(member_call(member, request, Answer::Commit(hash)));
		}
		assert_eq!(InferenceOracle::request_view(request).unwrap().status, RequestStatus::Pending);
		for member in members {
			let reveal = Answer::Reveal { outcome: outcome.clone(), salt: salt(member) };
			authorize_and_apply(member_call(member, request, reveal));
		}

		let explanation = explain(request).unwrap();
		assert_eq!(explanation.request.status, RequestStatus::Finalized);
		let result = explanation.result.unwrap();
		assert_eq!(result.output, expected);
		assert_eq!(result.agreeing.len(), 3);
		assert_eq!(explanation.submissions.len(), 3);
		let provenance = explanation.provenance.unwrap();
		assert_eq!(provenance.training_datasets[0].dataset.id, 0);
		assert!(explanation.tainted_datasets.is_empty());
		for (member, before) in members.iter().zip(before) {
			let after = Balances::balance(&(*member).into());
			assert_eq!(after, before + fee / 3, "a third of the fee went to {member:?}");
		}
		check_invariants();
	});
}

/// What `member`'s off-chain worker sends for `requests`: one batch of `answer(request)`,
/// signed with its `orcl` key.
fn member_batch(
	member: Sr25519Keyring,
	requests: &[u64],
	answer: impl Fn(u64) -> Answer,
) -> RuntimeCall {
	let batch = ResultBatch {
		key: crypto::Public::from(member.public()),
		items: requests.iter().map(|request| BatchItem { request: *request, answer: answer(*request), canary: None }).collect(),
	};
	let signature: crypto::Signature = member.sign(&batch.signing_payload()).into();
	pallet_inference_oracle::Call::submit_results { batch, signature }.into()
}

/// `member`'s commitment to `output` for `request`.
fn commit(member: Sr25519Keyring, output: &[i64]) -> impl Fn(u64) -> Answer + '_ {
	move |request| {
		let account: AccountId = member.into();
		let outcome = Outcome::Output(output.to_vec());
		Answer::Commit(commitment(request, &account, &outcome, &salt(member)))
	}
}

/// `member`'s reveal of `output`.
fn reveal(member: Sr25519Keyring, output: &[i64]) -> impl Fn(u64) -> Answer + '_ {
	move |_| Answer::Reveal { outcome: Outcome::Output(output.to_vec()), salt: salt(member) }
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

/// The batch size the off-chain worker sends for `n` answers of `len` elements (reveals, or
/// commitments): halved until `batch_fits`.
fn batch_size(n: u32, len: u32, reveals: bool) -> u32 {
	let mut size = n;
	let closing = |size: u32| if reveals { size } else { 0 };
	while size > 1 && !InferenceOracle::batch_fits(size, closing(size), len) {
		size /= 2;
	}
	size
}

/// The steady state under full load, with the sample model's committees of three: block 1
/// makes a full block of requests; block 2 holds the three members' commitments to them
/// and the next full block of requests; block 3 holds the reveals that finalize block 1's
/// requests, the commitments to block 2's, and a third full block of requests. Answers go
/// first (submissions have the higher priority). Each block is applied on the state the
/// previous one committed, with its proof recorded.
#[test]
fn full_blocks_of_requests_are_committed_to_and_revealed_in_the_next_two() {
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
	let make_requests = |block: &mut NormalClass| -> Vec<u64> {
		for i in 0..max {
			assert!(
				block.apply(&request_call, signed(&dave)),
				"request {i} fits: {:?} of {:?} used",
				block.used(),
				block.limit
			);
		}
		let next = pallet_inference_oracle::NextRequestId::<Runtime>::get();
		(next - u64::from(max)..next).collect()
	};
	let members = [Alice, Bob, Charlie];
	let answer_all = |block: &mut NormalClass, requests: &[u64], reveals: bool| {
		// A commitment is charged as one element: it closes nothing.
		let len = if reveals { len } else { 1 };
		let size = batch_size(requests.len() as u32, len, reveals);
		for member in members {
			for chunk in requests.chunks(size as usize) {
				let batch = if reveals {
					member_batch(member, chunk, reveal(member, &expected))
				} else {
					member_batch(member, chunk, commit(member, &expected))
				};
				assert!(matches!(batch.authorize(TransactionSource::External), Some(Ok(_))));
				let origin = RuntimeOrigin::from(frame_system::RawOrigin::Authorized);
				assert!(
					block.apply(&batch, origin),
					"a batch of {} fits: {:?} of {:?} used",
					chunk.len(),
					block.used(),
					block.limit
				);
			}
		}
		size
	};

	ext.commit_all().unwrap();
	let recorder = Recorder::default();
	let first: Vec<u64> = ext.execute_with_recorder(recorder.clone(), || {
		let mut block = NormalClass::new(&recorder);
		let requests = make_requests(&mut block);
		println!("block 1, {max} requests: {:?} of {:?}", block.used(), block.limit);
		requests
	});
	ext.commit_all().unwrap();

	let recorder = Recorder::default();
	let second: Vec<u64> = ext.execute_with_recorder(recorder.clone(), || {
		System::set_block_number(2);
		let mut block = NormalClass::new(&recorder);
		let size = answer_all(&mut block, &first, false);
		let requests = make_requests(&mut block);
		println!(
			"block 2, 3 x {max} commitments in batches of {size} and {max} requests: {:?} of {:?}",
			block.used(),
			block.limit
		);
		requests
	});
	ext.commit_all().unwrap();

	let recorder = Recorder::default();
	ext.execute_with_recorder(recorder.clone(), || {
		System::set_block_number(3);
		let mut block = NormalClass::new(&recorder);
		let size = answer_all(&mut block, &first, true);
		for request in &first {
			let view = InferenceOracle::request_view(*request).unwrap();
			assert_eq!(view.status, RequestStatus::Finalized, "request {request}");
			assert_eq!(InferenceOracle::result_view(*request).unwrap().output, expected);
		}
		answer_all(&mut block, &second, false);
		make_requests(&mut block);
		// One more is left in the pool for block 4 (`CheckRequestCapacity`).
		assert!(!InferenceOracle::has_request_capacity());
		println!(
			"block 3, 3 x {max} reveals and 3 x {max} commitments in batches of {size}, and {max} requests: {:?} of {:?}",
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
		let batch = member_batch(Alice, &[request], commit(Alice, &expected));
		assert_ok!(batch.clone().dispatch(RuntimeOrigin::from(frame_system::RawOrigin::Authorized)));
		assert!(matches!(
			batch.authorize(TransactionSource::External),
			Some(Err(TransactionValidityError::Invalid(InvalidTransaction::Stale)))
		));
		check_invariants();
	});
}

/// `member`'s reveal of `output` for `request`, in a batch with its candidate `report`.
fn reveal_with_canary(
	member: Sr25519Keyring,
	request: u64,
	output: &[i64],
	report: Outcome<Vec<i64>>,
) -> RuntimeCall {
	let canary = CanaryReport { outcome: report, candidate_millis: 4, active_millis: 3 };
	let answer = Answer::Reveal { outcome: Outcome::Output(output.to_vec()), salt: salt(member) };
	let batch = ResultBatch {
		key: crypto::Public::from(member.public()),
		items: vec![BatchItem { request, answer, canary: Some(canary) }],
	};
	let signature: crypto::Signature = member.sign(&batch.signing_payload()).into();
	pallet_inference_oracle::Call::submit_results { batch, signature }.into()
}

/// Proposes version 2 of the sample model, served like version 1 (other bytes: the
/// registry hashes them, the node would parse them), and approves it.
fn approved_second_version() -> u32 {
	let active = ModelRegistry::active_version_view(0).unwrap();
	approved_second_version_trained_on(active.training_datasets, active.commercial_use)
}

/// Version 2 of the sample model, served like version 1 but trained on `datasets` and
/// declared for commercial use or not, proposed by the model's owner and approved.
fn approved_second_version_trained_on(datasets: Vec<u64>, commercial_use: bool) -> u32 {
	let active = ModelRegistry::active_version_view(0).unwrap();
	let owner = ModelRegistry::model_view(0).unwrap().owner;
	let mut bytes = SAMPLE_MODEL_ONNX.to_vec();
	bytes.push(0);
	let proposal = pallet_model_registry::VersionProposal {
		model_hash: sp_io::hashing::blake2_256(&bytes).into(),
		uri: Vec::new(),
		inputs: active.inputs.clone(),
		output: active.output.clone(),
		input_scale: active.input_scale,
		output_scale: active.output_scale,
		aggregation: active.aggregation,
		min_agreement: active.min_agreement,
		training_datasets: datasets,
		commercial_use,
		golden_vectors: active.golden_vectors.clone(),
		training_run: None,
	};
	assert_ok!(ModelRegistry::propose_version(signed(&owner), 0, proposal, bytes));
	assert_ok!(ModelRegistry::approve_version(RuntimeOrigin::root(), 0, 2));
	2
}

#[test]
fn a_canary_counts_its_comparisons_and_falls_back_past_its_bound() {
	development().execute_with(|| {
		System::set_block_number(1);
		let candidate = approved_second_version();
		assert_ok!(ModelRegistry::start_canary(
			RuntimeOrigin::root(),
			0,
			candidate,
			Perbill::one(),
			1,
			10
		));
		let dave: AccountId = Dave.into();
		let (input, expected) = reference_case();
		let fee = <Runtime as pallet_inference_oracle::Config>::RequestFee::get();
		let members = [Alice, Bob, Charlie];
		let failed = Outcome::Failed(Failure::ModelBytesUnavailable);
		// The candidate agrees once, then fails twice: one failure more than the bound.
		let reports = [Outcome::Output(expected.clone()), failed.clone(), failed];
		let mut requests = Vec::new();
		for report in reports {
			assert_ok!(InferenceOracle::request_inference(signed(&dave), 0, input.clone(), fee));
			let request = pallet_inference_oracle::NextRequestId::<Runtime>::get() - 1;
			assert!(pallet_inference_oracle::CanaryChecks::<Runtime>::contains_key(request));
			for member in members {
				authorize_and_apply(member_batch(member, &[request], commit(member, &expected)));
			}
			for member in members {
				authorize_and_apply(reveal_with_canary(member, request, &expected, report.clone()));
			}
			// The requester got the active version's answer either way.
			assert_eq!(explain(request).unwrap().result.unwrap().output, expected);
			requests.push(request);
			check_invariants();
		}
		let verdicts: Vec<_> = requests
			.iter()
			.map(|r| explain(*r).unwrap().canary.and_then(|c| c.verdict))
			.collect();
		assert_eq!(
			verdicts,
			vec![Some(CanaryVerdict::Agreed), Some(CanaryVerdict::Failed), Some(CanaryVerdict::Failed)]
		);
		let record = explain(requests[2]).unwrap().canary_record.unwrap();
		assert_eq!((record.compared, record.agreed, record.failed), (3, 1, 2));
		assert_eq!((record.candidate_millis, record.active_millis), (12, 9));
		assert!(matches!(record.ended, Some((_, CanaryEnd::FellBack))));
		let version = ModelRegistry::version_view(0, candidate).unwrap();
		assert_eq!(version.status, VersionStatus::Approved);
		assert_eq!(version.canary, Some(record));
		// The model kept its active version, which may not be replaced by the candidate.
		assert_eq!(ModelRegistry::active_version_view(0).unwrap().version, 1);
		assert_eq!(
			ModelRegistry::activate_version(RuntimeOrigin::root(), 0, candidate).map_err(|e| e.error),
			Err(pallet_model_registry::Error::<Runtime>::CanaryFailuresAboveBound.into())
		);
		// Requests are no longer sampled.
		assert_ok!(InferenceOracle::request_inference(signed(&dave), 0, input, fee));
		let request = pallet_inference_oracle::NextRequestId::<Runtime>::get() - 1;
		assert!(!pallet_inference_oracle::CanaryChecks::<Runtime>::contains_key(request));
		check_invariants();
	});
}

/// Registers a CC-BY-4.0 dataset owned by `who`, derived from `parents`, that asks
/// `royalty`; returns its id.
fn register_with_royalty(
	who: Sr25519Keyring,
	seed: u8,
	parents: Vec<u64>,
	royalty: sp_runtime::Permill,
) -> u64 {
	let id = pallet_dataset_provenance::NextDatasetId::<Runtime>::get();
	let registration = pallet_dataset_provenance::Registration {
		parents,
		royalty,
		..pallet_dataset_provenance::Registration::root(
			sp_core::H256::repeat_byte(seed),
			1_000,
			b"ipfs://data".to_vec(),
			b"CC-BY-4.0".to_vec(),
			common::OPEN,
		)
	};
	assert_ok!(DatasetProvenance::register_dataset(signed(&who.into()), registration));
	id
}

#[test]
fn a_priced_request_pays_its_operators_its_owner_and_a_three_level_lineage() {
	use aioracle_primitives::{
		market::{Payee, Royalty},
		oracle::{Payment, Recipient},
	};
	use sp_runtime::Permill;
	development().execute_with(|| {
		let one: AccountId = Sr25519Keyring::One.into();
		assert_ok!(Balances::force_set_balance(RuntimeOrigin::root(), one.clone().into(), 1_000 * aioracle_runtime::UNIT));
		// Three generations of data, each owner asking a royalty: raw (Eve, 5%) -> clean
		// (Ferdie, 10%) -> features (One, 20%). The model is trained on `features`.
		let raw = register_with_royalty(Sr25519Keyring::Eve, 41, vec![], Permill::from_percent(5));
		let clean = register_with_royalty(Sr25519Keyring::Ferdie, 42, vec![raw], Permill::from_percent(10));
		let features = register_with_royalty(Sr25519Keyring::One, 43, vec![clean], Permill::from_percent(20));

		// Version 2 of the sample model, trained on `features`, voted in and priced.
		let owner = ModelRegistry::model_view(0).unwrap().owner;
		// Declared for commercial use: a version to be sold must be.
		approved_second_version_trained_on(vec![features], true);
		assert_ok!(ModelRegistry::activate_version(RuntimeOrigin::root(), 0, 2));
		let royalties = ModelRegistry::version_view(0, 2).unwrap().market.royalties;
		assert_eq!(
			royalties,
			vec![
				Royalty { dataset: features, depth: 1, share: Permill::from_percent(20) },
				Royalty { dataset: clean, depth: 2, share: Permill::from_percent(10) },
				Royalty { dataset: raw, depth: 3, share: Permill::from_percent(5) },
			]
		);
		let price = 3 * aioracle_runtime::UNIT + 7; // 7 units of dust to round
		assert_ok!(ModelRegistry::set_price(signed(&owner), 0, 2, price));

		// The dApp asks for a quote, then requests with exactly its total.
		let dave: AccountId = Dave.into();
		let quote = InferenceOracle::quote(0).unwrap();
		let fee = <Runtime as pallet_inference_oracle::Config>::RequestFee::get();
		assert_eq!((quote.version, quote.fee, quote.price, quote.total), (2, fee, price, fee + price));
		let pot = ModelRegistry::pot_account();
		let mut accounts: Vec<AccountId> =
			[Alice, Bob, Charlie, Dave, Sr25519Keyring::Eve, Sr25519Keyring::Ferdie]
				.map(AccountId::from)
				.into_iter()
				.chain([one.clone(), owner.clone(), pot.clone()])
				.collect();
		accounts.sort();
		accounts.dedup();
		let before: std::collections::BTreeMap<AccountId, u128> =
			accounts.iter().map(|a| (a.clone(), Balances::balance(a))).collect();
		let (input, expected) = reference_case();
		assert_ok!(InferenceOracle::request_inference(signed(&dave), 0, input, quote.total));
		let request = pallet_inference_oracle::NextRequestId::<Runtime>::get() - 1;
		let deposit = pallet_inference_oracle::Requests::<Runtime>::get(request).unwrap().deposit;
		assert_eq!(deposit, quote.deposit, "the quoted deposit is the one held");

		let outcome = Outcome::Output(expected);
		for member in [Alice, Bob, Charlie] {
			let account: AccountId = member.into();
			let hash = commitment(request, &account, &outcome, &salt(member));
			authorize_and_apply(member_call(member, request, Answer::Commit(hash)));
		}
		for member in [Alice, Bob, Charlie] {
			let reveal = Answer::Reveal { outcome: outcome.clone(), salt: salt(member) };
			authorize_and_apply(member_call(member, request, reveal));
		}
		let explanation = explain(request).unwrap();
		assert_eq!(explanation.request.status, RequestStatus::Finalized);

		// Each payee's share, rounded down; the owner takes 65% of the price.
		let owner_share = Permill::from_percent(65).mul_floor(price);
		let share = |p: u32| Permill::from_percent(p).mul_floor(price);
		let mut payments = explanation.payments.clone();
		let price_parts = payments.split_off(3);
		assert!(payments.iter().all(|p| p.amount == fee / 3 && matches!(p.to, Recipient::Operator(_))));
		assert_eq!(
			price_parts,
			vec![
				Payment { to: Recipient::Payee(Payee::ModelOwner), amount: owner_share },
				Payment { to: Recipient::Payee(Payee::Dataset(features)), amount: share(20) },
				Payment { to: Recipient::Payee(Payee::Dataset(clean)), amount: share(10) },
				Payment { to: Recipient::Payee(Payee::Dataset(raw)), amount: share(5) },
			]
		);

		// Anyone pays each payee out (here the dApp).
		for payee in [Payee::ModelOwner, Payee::Dataset(features), Payee::Dataset(clean), Payee::Dataset(raw)] {
			assert_ok!(ModelRegistry::pay_out(signed(&dave), 0, 2, payee));
		}
		let dust = price - owner_share - share(20) - share(10) - share(5);
		assert!(dust < 4, "at most a unit per payee stays in the pot");
		// Every account's change, to the unit.
		let mut expected_delta: std::collections::BTreeMap<AccountId, i128> =
			accounts.iter().map(|a| (a.clone(), 0)).collect();
		let mut add = |who: AccountId, amount: i128| *expected_delta.get_mut(&who).unwrap() += amount;
		for operator in [Alice, Bob, Charlie] {
			add(operator.into(), (fee / 3) as i128);
		}
		// Dave: the fee (less the remainder of its division by three, returned), the price
		// and the retention deposit, held.
		add(dave.clone(), -((fee - fee % 3 + price + deposit) as i128));
		add(Sr25519Keyring::Eve.into(), share(5) as i128); // raw
		add(Sr25519Keyring::Ferdie.into(), share(10) as i128); // clean
		add(one.clone(), share(20) as i128); // features
		add(owner.clone(), owner_share as i128);
		add(pot.clone(), dust as i128); // the pot keeps the dust
		for account in &accounts {
			let delta = Balances::balance(account) as i128 - before[account] as i128;
			assert_eq!(delta, expected_delta[account], "the balance change of {account:?}");
		}
		check_invariants();
	});
}

#[test]
fn a_retraction_taints_every_result_of_the_versions_trained_on_it_across_blocks() {
	use frame_support::traits::OnIdle;
	development().execute_with(|| {
		let dave: AccountId = Dave.into();
		let (input, expected) = reference_case();
		let fee = <Runtime as pallet_inference_oracle::Config>::RequestFee::get();
		let outcome = Outcome::Output(expected);
		// Twelve requests of the sample model (trained on dataset 0), four a block, each
		// answered by its committee.
		let mut requests = Vec::new();
		for block in 2..5u32 {
			System::set_block_number(block);
			for _ in 0..4 {
				assert_ok!(InferenceOracle::request_inference(signed(&dave), 0, input.clone(), fee));
				requests.push(pallet_inference_oracle::NextRequestId::<Runtime>::get() - 1);
			}
			for &request in &requests[requests.len() - 4..] {
				for member in [Alice, Bob, Charlie] {
					let account: AccountId = member.into();
					let hash = commitment(request, &account, &outcome, &salt(member));
					authorize_and_apply(member_call(member, request, Answer::Commit(hash)));
				}
				for member in [Alice, Bob, Charlie] {
					let reveal = Answer::Reveal { outcome: outcome.clone(), salt: salt(member) };
					authorize_and_apply(member_call(member, request, reveal));
				}
			}
		}
		assert!(aioracle_runtime::provenance::tainted_results(dave.clone(), 100).is_empty());
		assert_eq!(explain(requests[0]).unwrap().tainted_since, None);

		// Governance retracts the dataset in block 7.
		System::set_block_number(7);
		assert_ok!(DatasetProvenance::retract(RuntimeOrigin::root(), 0, b"consent withdrawn".to_vec()));
		// Every result is tainted from block 7 on, before the scan even ran.
		let tainted = aioracle_runtime::provenance::tainted_results(dave.clone(), 100);
		let mut listed: Vec<u64> = tainted.iter().map(|t| t.request).collect();
		listed.reverse();
		assert_eq!(listed, requests, "every result, newest first");
		assert!(tainted.iter().all(|t| (t.model, t.version, t.since) == (0, 1, 7)));
		assert_eq!(aioracle_runtime::provenance::tainted_results(dave.clone(), 5).len(), 5);
		for &request in &requests {
			assert_eq!(explain(request).unwrap().tainted_since, Some(7));
		}
		// The scan finds the version in the blocks' spare weight and names it once.
		let mut block = 7;
		while pallet_model_registry::TaintScanState::<Runtime>::get().is_some() {
			block += 1;
			System::set_block_number(block);
			aioracle_runtime::AllPalletsWithSystem::on_idle(block, Weight::from_parts(u64::MAX, u64::MAX));
			assert!(block < 20, "the scan ends");
		}
		assert!(pallet_model_registry::TaintedVersions::<Runtime>::contains_key(0, 1));
		let named: Vec<_> = System::events()
			.into_iter()
			.filter_map(|r| match r.event {
				aioracle_runtime::RuntimeEvent::ModelRegistry(
					pallet_model_registry::Event::VersionTainted { model, version, requests },
				) => Some((model, version, requests)),
				_ => None,
			})
			.collect();
		assert_eq!(named, vec![(0, 1, Some((0, *requests.last().unwrap())))]);
		// Another requester's results are not listed as Dave's.
		assert!(aioracle_runtime::provenance::tainted_results(Alice.into(), 100).is_empty());
		check_invariants();
	});
}
