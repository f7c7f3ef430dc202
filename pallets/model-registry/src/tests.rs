//! Unit tests: every call's success, each of its errors (with state unchanged), origins,
//! deposits, the offchain DB and the life cycle of versions.

use crate::{mock::*, *};
use frame::{
	deps::sp_runtime::{traits::BadOrigin, TokenError},
	testing_prelude::*,
	traits::fungible::InspectHold,
};

const OWNER: u64 = ALICE;

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::ModelRegistry(e) = r.event { Some(e) } else { None })
		.collect()
}

fn last_event() -> Event<Test> {
	events().pop().expect("an event was deposited")
}

fn held(reason: HoldReason, who: u64) -> u128 {
	Balances::balance_on_hold(&reason.into(), &who)
}

/// The ONNX bytes of version `n` (the pallet does not parse them; the node does).
fn onnx(n: u8) -> Vec<u8> {
	let mut bytes = b"\x08\x07\x12\x07skl2onnx".to_vec();
	bytes.push(n);
	bytes
}

fn tensor(index: u32, element_type: ElementType, shape: &[u32]) -> TensorSpec {
	TensorSpec { index, element_type, shape: BoundedVec::truncate_from(shape.to_vec()) }
}

/// A valid proposal for `bytes`: iris-like, 4 inputs, 3 probabilities, trained on IRIS.
fn proposal(bytes: &[u8]) -> VersionProposal<u64> {
	VersionProposal {
		model_hash: blake2_256(bytes).into(),
		uri: b"ipfs://iris-v1".to_vec(),
		inputs: vec![tensor(0, ElementType::F32, &[1, 4])],
		output: tensor(1, ElementType::F32, &[1, 3]),
		input_scale: 4,
		output_scale: 6,
		aggregation: Aggregation::Median { tolerance: 10 },
		min_agreement: 2,
		training_datasets: vec![IRIS],
		commercial_use: true,
		golden_vectors: vec![GoldenVector {
			input: vec![51_000, 35_000, 14_000, 2_000],
			output: vec![979_000, 21_000, 0],
		}],
		training_run: None,
	}
}

fn create() -> ModelId {
	assert_ok!(ModelRegistry::create_model(
		signed(OWNER),
		b"iris".to_vec(),
		b"classifier".to_vec()
	));
	NextModelId::<Test>::get() - 1
}

fn propose(model: ModelId, n: u8) -> VersionId {
	let bytes = onnx(n);
	assert_ok!(ModelRegistry::propose_version(signed(OWNER), model, proposal(&bytes), bytes));
	Models::<Test>::get(model).unwrap().next_version - 1
}

/// A model with version `n` proposed and approved.
fn approved(model: ModelId, n: u8) -> VersionId {
	let version = propose(model, n);
	assert_ok!(ModelRegistry::approve_version(root(), model, version));
	version
}

/// Version `n` proposed, approved and activated.
fn active(model: ModelId, n: u8) -> VersionId {
	let version = approved(model, n);
	assert_ok!(ModelRegistry::activate_version(root(), model, version));
	version
}

fn status(model: ModelId, version: VersionId) -> VersionStatus {
	Versions::<Test>::get(model, version).expect("the version exists").status
}

/// Asserts that `call` fails with `error` and leaves storage exactly as it was.
fn assert_noop_err(call: impl FnOnce() -> DispatchResult, error: impl Into<DispatchError>) {
	assert_noop!(call(), error.into());
}

mod create_model {
	use super::*;

	#[test]
	fn creates_a_model_and_holds_its_deposit() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			assert_eq!(model, 0);
			let record = Models::<Test>::get(model).unwrap();
			assert_eq!(record.owner, OWNER);
			assert_eq!(record.name.to_vec(), b"iris".to_vec());
			assert_eq!(record.active, None);
			assert_eq!(record.next_version, 1);
			assert!(record.deposit.held() > MODEL_DEPOSIT);
			assert_eq!(held(HoldReason::ModelStorage, OWNER), record.deposit.held());
			assert_eq!(
				last_event(),
				Event::ModelCreated { model, owner: OWNER, deposit: record.deposit.held() }
			);
			assert_eq!(create(), 1, "ids are sequential");
		});
	}

	#[test]
	fn refuses_bad_names_and_descriptions() {
		ExtBuilder::build_and_execute(|| {
			let long = |n: u32| vec![b'x'; n as usize + 1];
			assert_noop_err(
				|| ModelRegistry::create_model(signed(OWNER), vec![], vec![]),
				Error::<Test>::EmptyName,
			);
			assert_noop_err(
				|| ModelRegistry::create_model(signed(OWNER), long(MAX_NAME_LEN), vec![]),
				Error::<Test>::NameTooLong,
			);
			assert_noop_err(
				|| {
					ModelRegistry::create_model(
						signed(OWNER),
						b"m".to_vec(),
						long(MAX_DESCRIPTION_LEN),
					)
				},
				Error::<Test>::DescriptionTooLong,
			);
		});
	}

	#[test]
	fn needs_a_signed_origin_and_the_deposit() {
		ExtBuilder::build_and_execute(|| {
			assert_noop_err(
				|| ModelRegistry::create_model(root(), b"m".to_vec(), vec![]),
				BadOrigin,
			);
			assert_noop_err(
				|| ModelRegistry::create_model(signed(BROKE), b"m".to_vec(), vec![]),
				TokenError::FundsUnavailable,
			);
		});
	}
}

mod propose_version {
	use super::*;

	#[test]
	fn records_the_version_and_indexes_its_bytes() {
		let mut ext = ExtBuilder::build();
		let bytes = onnx(1);
		let hash: ModelHash = blake2_256(&bytes).into();
		ext.execute_with(|| {
			let model = create();
			let version = propose(model, 1);
			assert_eq!(version, 1);
			let v = Versions::<Test>::get(model, version).unwrap();
			assert_eq!(v.model_hash, hash);
			assert_eq!(v.size_bytes, bytes.len() as u32);
			assert_eq!(v.status, VersionStatus::Proposed);
			assert_eq!(v.status_blocks.proposed, 1);
			assert_eq!(v.training_datasets.to_vec(), vec![IRIS]);
			assert_eq!(VersionByHash::<Test>::get(hash), Some((model, version)));
			assert_eq!(GoldenVectors::<Test>::get(model, version).unwrap().len(), 1);
			assert_eq!(held(HoldReason::VersionStorage, OWNER), v.deposit.held());
			assert_eq!(
				last_event(),
				Event::ModelVersionProposed {
					model,
					version,
					model_hash: hash,
					size_bytes: bytes.len() as u32,
					deposit: v.deposit.held(),
				}
			);
			assert_eq!(Models::<Test>::get(model).unwrap().next_version, 2);
			ModelRegistry::do_try_state().unwrap();
		});
		// What block import does with offchain indexing on: the bytes land in the offchain
		// DB under the documented key, `b"aioracle/model-bytes/" ++ hash`.
		ext.persist_offchain_overlay();
		let mut key = b"aioracle/model-bytes/".to_vec();
		key.extend_from_slice(hash.as_bytes());
		assert_eq!(ext.offchain_db().get(&key), Some(bytes));
		assert_eq!(model_bytes_key(&hash), key);
	}

	#[test]
	fn refuses_bytes_that_do_not_match_the_hash_and_indexes_nothing() {
		let mut ext = ExtBuilder::build();
		let bytes = onnx(1);
		let mut p = proposal(&bytes);
		p.model_hash = blake2_256(b"other bytes").into();
		let claimed = p.model_hash;
		ext.execute_with(|| {
			let model = create();
			assert_noop_err(
				|| ModelRegistry::propose_version(signed(OWNER), model, p, bytes.clone()),
				Error::<Test>::ModelHashMismatch,
			);
		});
		ext.persist_offchain_overlay();
		assert_eq!(ext.offchain_db().get(&model_bytes_key(&claimed)), None);
		assert_eq!(ext.offchain_db().get(&model_bytes_key(&blake2_256(&onnx(1)).into())), None);
	}

	#[test]
	fn a_failed_proposal_leaves_the_offchain_db_alone() {
		// The licence check comes after hashing: the whole call, offchain index included,
		// is rolled back.
		let mut ext = ExtBuilder::build();
		let bytes = onnx(1);
		ext.execute_with(|| {
			let model = create();
			let mut p = proposal(&bytes);
			p.training_datasets = vec![ND_DATA];
			assert_noop_err(
				|| ModelRegistry::propose_version(signed(OWNER), model, p, bytes.clone()),
				Error::<Test>::TrainingDataForbidsDerivatives,
			);
		});
		ext.persist_offchain_overlay();
		assert_eq!(ext.offchain_db().get(&model_bytes_key(&blake2_256(&bytes).into())), None);
	}

	#[test]
	fn accepts_bytes_up_to_max_model_bytes() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let bytes = vec![7u8; MAX_MODEL_BYTES as usize];
			assert_ok!(ModelRegistry::propose_version(
				signed(OWNER),
				model,
				proposal(&bytes),
				bytes.clone()
			));
			let too_big = vec![7u8; MAX_MODEL_BYTES as usize + 1];
			assert_noop_err(
				|| {
					ModelRegistry::propose_version(
						signed(OWNER),
						model,
						proposal(&too_big),
						too_big,
					)
				},
				Error::<Test>::ModelBytesTooLarge,
			);
			assert_noop_err(
				|| ModelRegistry::propose_version(signed(OWNER), model, proposal(&[]), vec![]),
				Error::<Test>::EmptyModelBytes,
			);
		});
	}

	#[test]
	fn refuses_callers_other_than_the_owner() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let bytes = onnx(1);
			assert_noop_err(
				|| {
					ModelRegistry::propose_version(
						signed(BOB),
						model,
						proposal(&bytes),
						bytes.clone(),
					)
				},
				Error::<Test>::NotOwner,
			);
			assert_noop_err(
				|| ModelRegistry::propose_version(root(), model, proposal(&bytes), bytes.clone()),
				BadOrigin,
			);
			assert_noop_err(
				|| {
					ModelRegistry::propose_version(
						signed(OWNER),
						7,
						proposal(&bytes),
						bytes.clone(),
					)
				},
				Error::<Test>::ModelNotFound,
			);
		});
	}

	#[test]
	fn one_version_per_hash() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let other = create();
			propose(model, 1);
			let bytes = onnx(1);
			assert_noop_err(
				|| {
					ModelRegistry::propose_version(
						signed(OWNER),
						other,
						proposal(&bytes),
						bytes.clone(),
					)
				},
				Error::<Test>::ModelHashInUse,
			);
		});
	}

	#[test]
	fn version_numbers_stop_at_max_versions() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			for n in 1..=MAX_VERSIONS as u8 {
				assert_eq!(propose(model, n), n as u32);
			}
			let bytes = onnx(99);
			assert_noop_err(
				|| {
					ModelRegistry::propose_version(
						signed(OWNER),
						model,
						proposal(&bytes),
						bytes.clone(),
					)
				},
				Error::<Test>::TooManyVersions,
			);
		});
	}

	/// A classifier whose output is longer than `MaxTensorLen` is served by a reduction:
	/// the golden vectors and what operators report are the reduction.
	#[test]
	fn a_reduction_serves_outputs_longer_than_max_tensor_len() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let classes = 4 * MAX_TENSOR_LEN;
			for (n, aggregation, golden) in [
				(1, Aggregation::ArgMax, vec![17]),
				(2, Aggregation::TopK { k: 2, tolerance: 5 }, vec![17, 3, 900_000, 90_000]),
			] {
				let bytes = onnx(n);
				let mut p = proposal(&bytes);
				p.output = tensor(1, ElementType::F32, &[1, classes]);
				p.aggregation = aggregation;
				p.golden_vectors[0].output = golden;
				assert_ok!(ModelRegistry::propose_version(signed(OWNER), model, p, bytes));
				let version = Models::<Test>::get(model).unwrap().next_version - 1;
				let (_, contract) =
					<ModelRegistry as ModelInspect>::contract(model, version).unwrap();
				assert_eq!(contract.aggregation, aggregation);
				assert_eq!(contract.reported_len(), Some(if n == 1 { 1 } else { 4 }));
			}
		});
	}

	/// Each invalid serving contract is refused with its own error.
	#[test]
	fn checks_the_serving_contract() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let bytes = onnx(1);
			let cases: Vec<(fn(&mut VersionProposal<u64>), Error<Test>)> = vec![
				(|p| p.uri = vec![b'u'; MAX_URI_LEN as usize + 1], Error::<Test>::UriTooLong),
				(|p| p.inputs[0].shape = BoundedVec::new(), Error::<Test>::InvalidShape),
				(|p| p.inputs.clear(), Error::<Test>::NoInputs),
				(
					|p| p.inputs = vec![tensor(0, ElementType::F32, &[1]); MAX_INPUTS as usize + 1],
					Error::<Test>::TooManyInputs,
				),
				(
					|p| p.inputs.push(tensor(0, ElementType::I64, &[1])),
					Error::<Test>::DuplicateInput,
				),
				(
					// Two inputs within the bound each, over it together.
					|p| {
						p.inputs[0].shape = BoundedVec::truncate_from(vec![1, MAX_TENSOR_LEN]);
						p.inputs.push(tensor(1, ElementType::I64, &[1]));
					},
					Error::<Test>::TensorTooLarge,
				),
				(
					|p| p.output.shape = BoundedVec::truncate_from(vec![1, 0]),
					Error::<Test>::InvalidShape,
				),
				(
					|p| p.inputs[0].shape = BoundedVec::truncate_from(vec![1, 9]),
					Error::<Test>::TensorTooLarge,
				),
				(
					|p| p.output.shape = BoundedVec::truncate_from(vec![u32::MAX, 2]),
					Error::<Test>::TensorTooLarge,
				),
				(|p| p.input_scale = MAX_SCALE + 1, Error::<Test>::ScaleTooLarge),
				(|p| p.output_scale = 19, Error::<Test>::ScaleTooLarge),
				(|p| p.min_agreement = 0, Error::<Test>::InvalidMinAgreement),
				(|p| p.min_agreement = MAX_MIN_AGREEMENT + 1, Error::<Test>::InvalidMinAgreement),
				(
					|p| {
						p.golden_vectors =
							vec![p.golden_vectors[0].clone(); MAX_GOLDEN_VECTORS as usize + 1]
					},
					Error::<Test>::TooManyGoldenVectors,
				),
				(
					|p| p.golden_vectors[0].input.pop().map(|_| ()).unwrap_or(()),
					Error::<Test>::GoldenVectorMismatch,
				),
				(|p| p.golden_vectors[0].output.push(1), Error::<Test>::GoldenVectorMismatch),
				// A reduction: k of 0 or longer than a row, a reported output longer than
				// `MaxTensorLen`, an output longer than `MaxReducedOutputLen`, golden
				// outputs of the whole output's length rather than the report's.
				(
					|p| p.aggregation = Aggregation::TopK { k: 0, tolerance: 1 },
					Error::<Test>::AggregationDoesNotFit,
				),
				(
					|p| p.aggregation = Aggregation::TopK { k: 4, tolerance: 1 },
					Error::<Test>::AggregationDoesNotFit,
				),
				(
					|p| {
						p.aggregation = Aggregation::ArgMax;
						p.output.shape = BoundedVec::truncate_from(vec![MAX_TENSOR_LEN + 1, 2]);
					},
					Error::<Test>::TensorTooLarge,
				),
				(
					|p| {
						p.aggregation = Aggregation::ArgMax;
						p.output.shape = BoundedVec::truncate_from(vec![1, 4 * MAX_TENSOR_LEN + 1]);
					},
					Error::<Test>::TensorTooLarge,
				),
				(|p| p.aggregation = Aggregation::ArgMax, Error::<Test>::GoldenVectorMismatch),
			];
			for (change, error) in cases {
				let mut p = proposal(&bytes);
				change(&mut p);
				assert_noop_err(
					|| ModelRegistry::propose_version(signed(OWNER), model, p, bytes.clone()),
					error,
				);
			}
			// The largest valid contract passes.
			let mut p = proposal(&bytes);
			p.inputs[0].shape = BoundedVec::truncate_from(vec![1, MAX_TENSOR_LEN]);
			p.output = tensor(0, ElementType::I64, &[1]);
			p.aggregation = Aggregation::ExactMajority;
			p.golden_vectors =
				vec![
					GoldenVector { input: vec![1; MAX_TENSOR_LEN as usize], output: vec![2] };
					MAX_GOLDEN_VECTORS as usize
				];
			p.min_agreement = MAX_MIN_AGREEMENT;
			p.input_scale = MAX_SCALE;
			assert_ok!(ModelRegistry::propose_version(signed(OWNER), model, p, bytes));
		});
	}

	/// A version may feed several model inputs; a request's values and a golden vector's
	/// input fill them in the order the version lists them.
	#[test]
	fn a_version_may_declare_several_inputs() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let bytes = onnx(1);
			let mut p = proposal(&bytes);
			// Model input 1 (an image of 3 pixels) first, then input 0 (2 features).
			p.inputs =
				vec![tensor(1, ElementType::U8, &[1, 3]), tensor(0, ElementType::F32, &[1, 2])];
			p.golden_vectors[0].input = vec![9, 8, 7, 15_000, -2_500];
			let inputs = p.inputs.clone();
			// A golden vector that fills only the first input is refused.
			let mut short = p.clone();
			short.golden_vectors[0].input.truncate(3);
			assert_noop_err(
				|| {
					ModelRegistry::propose_version(
						signed(OWNER),
						model,
						short.clone(),
						bytes.clone(),
					)
				},
				Error::<Test>::GoldenVectorMismatch,
			);
			assert_ok!(ModelRegistry::propose_version(signed(OWNER), model, p, bytes));
			let view = ModelRegistry::version_view(model, 1).unwrap();
			assert_eq!(view.inputs, inputs);
			let (_, contract) = <ModelRegistry as ModelInspect>::contract(model, 1).unwrap();
			assert_eq!((contract.inputs.to_vec(), contract.input_len()), (inputs, Some(5)));
			// File edges decode a blob into one input only.
			let edges = BlobDecoding::FileEdges { begin: 2, end: 3, block: 8, padding: 256 };
			assert_noop_err(
				|| ModelRegistry::set_input_decoding(signed(OWNER), model, 1, edges),
				Error::<Test>::DecodingDoesNotFitInput,
			);
		});
	}

	#[test]
	fn checks_the_training_data() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let bytes = onnx(1);
			let with = |datasets: Vec<DatasetId>, commercial_use: bool| {
				let mut p = proposal(&bytes);
				p.training_datasets = datasets;
				p.commercial_use = commercial_use;
				p
			};
			let cases = vec![
				(with(vec![], false), Error::<Test>::NoTrainingData),
				(with(vec![IRIS, WINE, NC_DATA, 4], false), Error::<Test>::TooManyTrainingDatasets),
				(with(vec![IRIS, IRIS], false), Error::<Test>::DuplicateTrainingDataset),
				(with(vec![IRIS, MISSING], false), Error::<Test>::TrainingDatasetNotFound),
				(with(vec![ND_DATA], false), Error::<Test>::TrainingDataForbidsDerivatives),
				(with(vec![IRIS, NC_DATA], true), Error::<Test>::TrainingDataForbidsCommercialUse),
			];
			for (p, error) in cases {
				assert_noop_err(
					|| ModelRegistry::propose_version(signed(OWNER), model, p, bytes.clone()),
					error,
				);
			}
			MockDatasets::taint(WINE);
			assert_noop_err(
				|| {
					ModelRegistry::propose_version(
						signed(OWNER),
						model,
						with(vec![IRIS, WINE], false),
						bytes.clone(),
					)
				},
				Error::<Test>::TrainingDataTainted,
			);
			// Non-commercial data may train a model not declared for commercial use.
			assert_ok!(ModelRegistry::propose_version(
				signed(OWNER),
				model,
				with(vec![IRIS, NC_DATA], false),
				bytes.clone()
			));
		});
	}

	#[test]
	fn the_deposit_covers_the_record_and_the_bytes() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let version = propose(model, 1);
			let v = Versions::<Test>::get(model, version).unwrap();
			let golden = GoldenVectors::<Test>::get(model, version).unwrap();
			// Two tickets: the record's (with its golden vectors) and the ONNX bytes'.
			let record = VERSION_DEPOSIT
				+ DEPOSIT_PER_BYTE * (v.encoded_size() + golden.encoded_size()) as u128;
			let bytes = DEPOSIT_PER_MODEL_BYTE * v.size_bytes as u128;
			assert!(bytes > 0);
			assert_eq!(v.deposit.record.held(), record);
			assert_eq!(v.deposit.bytes.held(), bytes);
			assert_eq!(v.deposit.held::<u64, u128>(), record + bytes);
			// POOR can pay for a model but not for a version.
			assert_ok!(ModelRegistry::create_model(signed(POOR), b"p".to_vec(), vec![]));
			let poor_model = NextModelId::<Test>::get() - 1;
			let bytes = onnx(2);
			let mut p = proposal(&bytes);
			p.golden_vectors = vec![];
			assert_noop_err(
				|| ModelRegistry::propose_version(signed(POOR), poor_model, p, bytes.clone()),
				TokenError::FundsUnavailable,
			);
		});
	}
}

mod withdraw_version {
	use super::*;

	#[test]
	fn deletes_a_proposed_version_and_releases_its_deposit() {
		let mut ext = ExtBuilder::build();
		let hash: ModelHash = blake2_256(&onnx(1)).into();
		ext.execute_with(|| {
			let model = create();
			let version = propose(model, 1);
			assert!(held(HoldReason::VersionStorage, OWNER) > 0);
			assert_ok!(ModelRegistry::withdraw_version(signed(OWNER), model, version));
			assert!(Versions::<Test>::get(model, version).is_none());
			assert!(GoldenVectors::<Test>::get(model, version).is_none());
			assert!(VersionByHash::<Test>::get(hash).is_none());
			assert_eq!(held(HoldReason::VersionStorage, OWNER), 0);
			assert_eq!(last_event(), Event::ModelVersionWithdrawn { model, version });
			// The number is not reused; the bytes may be proposed again.
			assert_eq!(propose(model, 1), 2);
			assert_ok!(ModelRegistry::withdraw_version(signed(OWNER), model, 2));
			ModelRegistry::do_try_state().unwrap();
		});
		ext.persist_offchain_overlay();
		assert_eq!(ext.offchain_db().get(&model_bytes_key(&hash)), None, "bytes cleared");
	}

	#[test]
	fn only_the_owner_and_only_while_proposed() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let version = propose(model, 1);
			assert_noop_err(
				|| ModelRegistry::withdraw_version(signed(BOB), model, version),
				Error::<Test>::NotOwner,
			);
			assert_noop_err(
				|| ModelRegistry::withdraw_version(signed(OWNER), model, 9),
				Error::<Test>::VersionNotFound,
			);
			assert_noop_err(
				|| ModelRegistry::withdraw_version(signed(OWNER), 9, version),
				Error::<Test>::ModelNotFound,
			);
			assert_ok!(ModelRegistry::approve_version(root(), model, version));
			assert_noop_err(
				|| ModelRegistry::withdraw_version(signed(OWNER), model, version),
				Error::<Test>::NotProposed,
			);
		});
	}
}

mod governance {
	use super::*;

	/// A plain signed account, even the model's owner, cannot act as governance.
	#[test]
	fn governance_calls_refuse_other_origins() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let version = approved(model, 1);
			for who in [OWNER, BOB] {
				assert_noop_err(
					|| {
						ModelRegistry::activate_version(signed(who), model, version)
							.map(|_| ())
							.map_err(|e| e.error)
					},
					BadOrigin,
				);
				assert_noop_err(
					|| {
						ModelRegistry::approve_version(signed(who), model, version)
							.map(|_| ())
							.map_err(|e| e.error)
					},
					BadOrigin,
				);
				assert_noop_err(
					|| ModelRegistry::reject_version(signed(who), model, version),
					BadOrigin,
				);
				assert_noop_err(
					|| ModelRegistry::deprecate_version(signed(who), model, version),
					BadOrigin,
				);
				assert_noop_err(
					|| ModelRegistry::rollback(signed(who), model).map(|_| ()).map_err(|e| e.error),
					BadOrigin,
				);
			}
			// The configured governance account is accepted, like root.
			assert_ok!(ModelRegistry::activate_version(signed(GOVERNANCE), model, version));
		});
	}

	#[test]
	fn approve_moves_proposed_to_approved() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let version = propose(model, 1);
			System::set_block_number(5);
			assert_ok!(ModelRegistry::approve_version(root(), model, version));
			let v = Versions::<Test>::get(model, version).unwrap();
			assert_eq!(v.status, VersionStatus::Approved);
			assert_eq!(v.status_blocks.approved, Some(5));
			assert_eq!(last_event(), Event::ModelVersionApproved { model, version });
		});
	}

	#[test]
	fn approve_errors() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let version = approved(model, 1);
			let approve = |m, v| {
				ModelRegistry::approve_version(root(), m, v).map(|_| ()).map_err(|e| e.error)
			};
			assert_noop_err(|| approve(model, version), Error::<Test>::NotProposed);
			assert_noop_err(|| approve(model, 9), Error::<Test>::VersionNotFound);
			let tainted = propose(model, 2);
			MockDatasets::taint(IRIS);
			assert_noop_err(|| approve(model, tainted), Error::<Test>::TrainingDataTainted);
		});
	}

	#[test]
	fn governance_approves_only_versions_operators_validated_and_root_any() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let version = propose(model, 1);
			VALIDATED.with(|v| v.set(false));
			assert_noop_err(
				|| {
					ModelRegistry::approve_version(signed(GOVERNANCE), model, version)
						.map(|_| ())
						.map_err(|e| e.error)
				},
				Error::<Test>::NotValidated,
			);
			// Root overrides: an emergency, or a chain without operators yet.
			assert_ok!(ModelRegistry::approve_version(root(), model, version));
			let other = propose(model, 2);
			VALIDATED.with(|v| v.set(true));
			assert_ok!(ModelRegistry::approve_version(signed(GOVERNANCE), model, other));
			assert_eq!(status(model, other), VersionStatus::Approved);
		});
	}

	#[test]
	fn activate_replaces_the_active_version() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let v1 = approved(model, 1);
			System::set_block_number(3);
			assert_ok!(ModelRegistry::activate_version(root(), model, v1));
			assert_eq!(
				last_event(),
				Event::ModelVersionActivated { model, version: v1, previous: None }
			);
			assert_eq!(status(model, v1), VersionStatus::Active);
			assert_eq!(Models::<Test>::get(model).unwrap().active, Some(v1));
			assert_eq!(ModelRegistry::active_version_view(model).unwrap().version, v1);

			let v2 = approved(model, 2);
			System::set_block_number(4);
			assert_ok!(ModelRegistry::activate_version(root(), model, v2));
			assert_eq!(
				last_event(),
				Event::ModelVersionActivated { model, version: v2, previous: Some(v1) }
			);
			assert_eq!(status(model, v1), VersionStatus::Deprecated);
			assert_eq!(status(model, v2), VersionStatus::Active);
			let v1_record = Versions::<Test>::get(model, v1).unwrap();
			assert_eq!(v1_record.status_blocks.activated, Some(3));
			assert_eq!(v1_record.status_blocks.deprecated, Some(4));
			let record = Models::<Test>::get(model).unwrap();
			assert_eq!((record.active, record.previous.to_vec()), (Some(v2), vec![v1]));
			// The deprecated version stays queryable.
			assert_eq!(
				ModelRegistry::version_view(model, v1).unwrap().status,
				VersionStatus::Deprecated
			);
		});
	}

	#[test]
	fn a_deprecated_version_can_be_activated_again() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let v1 = active(model, 1);
			let v2 = active(model, 2);
			assert_ok!(ModelRegistry::activate_version(root(), model, v1));
			let record = Models::<Test>::get(model).unwrap();
			assert_eq!((record.active, record.previous.to_vec()), (Some(v1), vec![v2]));
		});
	}

	#[test]
	fn rollback_memory_is_bounded() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let versions: Vec<_> = (1..=4).map(|n| active(model, n)).collect();
			let record = Models::<Test>::get(model).unwrap();
			assert_eq!(record.previous.len() as u32, MAX_ROLLBACK_DEPTH);
			assert_eq!(
				record.previous.to_vec(),
				vec![versions[1], versions[2]],
				"oldest forgotten"
			);
		});
	}

	#[test]
	fn activate_errors() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let proposed = propose(model, 1);
			let activate = |m, v| {
				ModelRegistry::activate_version(root(), m, v).map(|_| ()).map_err(|e| e.error)
			};
			assert_noop_err(|| activate(model, proposed), Error::<Test>::NotActivatable);
			assert_noop_err(|| activate(9, proposed), Error::<Test>::ModelNotFound);
			assert_noop_err(|| activate(model, 9), Error::<Test>::VersionNotFound);
			let v2 = active(model, 2);
			assert_noop_err(|| activate(model, v2), Error::<Test>::NotActivatable);
			assert_ok!(ModelRegistry::reject_version(root(), model, proposed));
			assert_noop_err(|| activate(model, proposed), Error::<Test>::NotActivatable);
			let v3 = approved(model, 3);
			MockDatasets::taint(IRIS);
			assert_noop_err(|| activate(model, v3), Error::<Test>::TrainingDataTainted);
		});
	}

	#[test]
	fn reject_is_final_and_keeps_the_record() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let v1 = propose(model, 1);
			let v2 = approved(model, 2);
			let deposit = held(HoldReason::VersionStorage, OWNER);
			System::set_block_number(7);
			assert_ok!(ModelRegistry::reject_version(root(), model, v1));
			assert_eq!(last_event(), Event::ModelVersionRejected { model, version: v1 });
			assert_ok!(ModelRegistry::reject_version(root(), model, v2));
			assert_eq!(status(model, v1), VersionStatus::Rejected);
			assert_eq!(Versions::<Test>::get(model, v2).unwrap().status_blocks.rejected, Some(7));
			assert_eq!(held(HoldReason::VersionStorage, OWNER), deposit, "records are permanent");
			assert_noop_err(
				|| ModelRegistry::reject_version(root(), model, v1),
				Error::<Test>::AlreadyDecided,
			);
			assert_noop_err(
				|| ModelRegistry::reject_version(root(), model, 9),
				Error::<Test>::VersionNotFound,
			);
			let v3 = active(model, 3);
			assert_noop_err(
				|| ModelRegistry::reject_version(root(), model, v3),
				Error::<Test>::AlreadyDecided,
			);
		});
	}

	#[test]
	fn deprecate_leaves_the_model_without_an_active_version() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let v1 = active(model, 1);
			assert_ok!(ModelRegistry::deprecate_version(root(), model, v1));
			assert_eq!(last_event(), Event::ModelVersionDeprecated { model, version: v1 });
			assert_eq!(status(model, v1), VersionStatus::Deprecated);
			assert_eq!(Models::<Test>::get(model).unwrap().active, None);
			assert!(ModelRegistry::active_version_view(model).is_none());
			assert_noop_err(
				|| ModelRegistry::deprecate_version(root(), model, v1),
				Error::<Test>::NotActive,
			);
			assert_noop_err(
				|| ModelRegistry::deprecate_version(root(), 9, v1),
				Error::<Test>::ModelNotFound,
			);
			assert_noop_err(
				|| ModelRegistry::deprecate_version(root(), model, 9),
				Error::<Test>::VersionNotFound,
			);
		});
	}

	#[test]
	fn rollback_returns_to_the_previous_version() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let v1 = active(model, 1);
			let v2 = active(model, 2);
			let v3 = active(model, 3);
			assert_ok!(ModelRegistry::rollback(root(), model));
			assert_eq!(last_event(), Event::ModelRolledBack { model, from: Some(v3), to: v2 });
			assert_eq!(
				(status(model, v2), status(model, v3)),
				(VersionStatus::Active, VersionStatus::Deprecated)
			);
			assert_ok!(ModelRegistry::rollback(root(), model));
			assert_eq!(last_event(), Event::ModelRolledBack { model, from: Some(v2), to: v1 });
			assert_eq!(Models::<Test>::get(model).unwrap().active, Some(v1));
			assert_noop_err(
				|| ModelRegistry::rollback(root(), model).map(|_| ()).map_err(|e| e.error),
				Error::<Test>::NoPreviousVersion,
			);
		});
	}

	#[test]
	fn rollback_after_deprecation_returns_to_the_version_before() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let v1 = active(model, 1);
			let v2 = active(model, 2);
			assert_ok!(ModelRegistry::deprecate_version(root(), model, v2));
			assert_ok!(ModelRegistry::rollback(root(), model));
			assert_eq!(last_event(), Event::ModelRolledBack { model, from: None, to: v1 });
			assert_eq!(Models::<Test>::get(model).unwrap().active, Some(v1));
		});
	}

	#[test]
	fn rollback_errors() {
		ExtBuilder::build_and_execute(|| {
			let rollback = |m| ModelRegistry::rollback(root(), m).map(|_| ()).map_err(|e| e.error);
			assert_noop_err(|| rollback(9), Error::<Test>::ModelNotFound);
			let model = create();
			active(model, 1);
			assert_noop_err(|| rollback(model), Error::<Test>::NoPreviousVersion);
			active(model, 2);
			MockDatasets::taint(IRIS);
			assert_noop_err(|| rollback(model), Error::<Test>::TrainingDataTainted);
		});
	}
}

mod reading {
	use super::*;

	#[test]
	fn views_show_models_versions_and_golden_vectors() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let v1 = active(model, 1);
			let v2 = propose(model, 2);
			let view = ModelRegistry::model_view(model).unwrap();
			assert_eq!(view.active_version, Some(v1));
			assert_eq!(view.next_version, 3);
			let versions = ModelRegistry::version_views(model);
			assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![v1, v2]);
			assert_eq!(versions[0].golden_vectors, proposal(&onnx(1)).golden_vectors);
			let hash: ModelHash = blake2_256(&onnx(2)).into();
			assert_eq!(ModelRegistry::version_view_by_hash(hash).unwrap().version, v2);
			let (active, active_hash, contract) =
				<ModelRegistry as ModelInspect>::active_contract(model).unwrap();
			assert_eq!((active, active_hash), (v1, blake2_256(&onnx(1)).into()));
			let view = &versions[0];
			assert_eq!(
				contract,
				ServingContract {
					inputs: BoundedVec::truncate_from(view.inputs.clone()),
					output: view.output.clone(),
					input_scale: view.input_scale,
					output_scale: view.output_scale,
					aggregation: view.aggregation,
					min_agreement: view.min_agreement,
				}
			);
			let (v2_hash, _) = <ModelRegistry as ModelInspect>::contract(model, v2).unwrap();
			assert_eq!(v2_hash, hash);
			let artifacts = <ModelRegistry as ModelInspect>::artifacts(model, v1).unwrap();
			assert_eq!(artifacts.golden_vectors, proposal(&onnx(1)).golden_vectors);
			assert_eq!(artifacts.uri, versions[0].uri);
			assert!(<ModelRegistry as ModelInspect>::active_contract(9).is_none());
			assert!(<ModelRegistry as ModelInspect>::artifacts(model, 9).is_none());
			assert!(ModelRegistry::model_view(9).is_none());
			assert!(ModelRegistry::version_views(9).is_empty());
		});
	}
}

mod invariants {
	use super::*;

	#[test]
	fn try_state_catches_two_active_versions() {
		ExtBuilder::build().execute_with(|| {
			let model = create();
			active(model, 1);
			let v2 = approved(model, 2);
			Versions::<Test>::mutate(model, v2, |v| {
				v.as_mut().unwrap().status = VersionStatus::Active
			});
			assert!(ModelRegistry::do_try_state().is_err());
		});
	}

	#[test]
	fn try_state_catches_a_stale_hash_index() {
		ExtBuilder::build().execute_with(|| {
			let model = create();
			propose(model, 1);
			VersionByHash::<Test>::insert(ModelHash::repeat_byte(9), (model, 1));
			assert!(ModelRegistry::do_try_state().is_err());
		});
	}

	#[test]
	fn try_state_catches_a_wrong_deposit() {
		ExtBuilder::build().execute_with(|| {
			let model = create();
			propose(model, 1);
			Versions::<Test>::mutate(model, 1, |v| {
				let deposit = &mut v.as_mut().unwrap().deposit;
				deposit.record = DepositTicket::from_held(deposit.record.held() + 1).unwrap();
			});
			assert!(ModelRegistry::do_try_state().is_err());
		});
	}

	#[test]
	fn try_state_catches_a_bad_rollback_entry() {
		ExtBuilder::build().execute_with(|| {
			let model = create();
			let v1 = active(model, 1);
			Models::<Test>::mutate(model, |m| m.as_mut().unwrap().previous.try_push(v1).unwrap());
			assert!(ModelRegistry::do_try_state().is_err());
		});
	}
}

#[test]
fn integrity_test_passes() {
	ExtBuilder::build().execute_with(|| {
		<ModelRegistry as Hooks<u64>>::integrity_test();
	});
}

mod canary;
mod decoding;
mod emergency;
mod exact;
mod market;
mod permissions;
mod taint;
mod training;
mod upload;

/// The v0 -> v1 storage migration: one input becomes a list of one.
mod migration_v1 {
	use super::*;
	use crate::migrations::{v1, v2};
	use frame::traits::OnRuntimeUpgrade;

	#[test]
	fn a_version_keeps_its_one_input_as_a_list_of_one() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			assert_ok!(ModelRegistry::propose_version(
				signed(OWNER),
				model,
				proposal(&onnx(1)),
				onnx(1)
			));
			let current = Versions::<Test>::get(model, 1).unwrap();
			// The same version as storage version 0 kept it.
			let old = v1::ModelVersionV0Of::<Test> {
				model_hash: current.model_hash,
				size_bytes: current.size_bytes,
				uri: current.uri.clone(),
				input: current.inputs[0].clone(),
				output: current.output.clone(),
				input_scale: current.input_scale,
				output_scale: current.output_scale,
				aggregation: current.aggregation,
				min_agreement: current.min_agreement,
				training_datasets: current.training_datasets.clone(),
				commercial_use: current.commercial_use,
				status: current.status,
				status_blocks: current.status_blocks.clone(),
				deposit: current.deposit.held(),
			};
			let (current, _tickets) = current.replace_deposit(old.deposit);
			v1::Versions::<Test>::insert(model, 1, old);
			StorageVersion::new(0).put::<ModelRegistry>();

			// Under try-runtime, with its checks before and after (inputs kept, invariants).
			#[cfg(feature = "try-runtime")]
			v1::MigrateV0ToV1::<Test>::try_on_runtime_upgrade(true).unwrap();
			#[cfg(not(feature = "try-runtime"))]
			v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();

			// Version 1's layout: the deposit as an amount (storage version 2 makes it
			// tickets, `migration_v2`).
			assert_eq!(StorageVersion::get::<ModelRegistry>(), 1);
			assert_eq!(v2::Versions::<Test>::get(model, 1), Some(current.clone()));
			// Run again: a no-op.
			v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
			assert_eq!(v2::Versions::<Test>::get(model, 1), Some(current));
			// Back to this storage version's layout for the after-test checks.
			StorageVersion::new(1).put::<ModelRegistry>();
			v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
		});
	}
}

/// The v1 -> v2 storage migration: amounts become deposit tickets, no funds move.
mod migration_v2 {
	use super::*;
	use crate::migrations::v2;
	use frame::traits::OnRuntimeUpgrade;

	#[test]
	fn amounts_become_tickets_holding_the_same_funds() {
		ExtBuilder::build_and_execute(|| {
			let model = create();
			let version = propose(model, 1);
			let bytes = onnx(7);
			let hash = ModelHash::from(blake2_256(&bytes));
			assert_ok!(ModelRegistry::begin_upload(
				signed(OWNER),
				model,
				hash,
				bytes.len() as u32,
				vec![ChunkHash::from(blake2_256(&bytes))]
			));
			let model_amount = Models::<Test>::get(model).unwrap().deposit.held();
			let v = Versions::<Test>::get(model, version).unwrap();
			let size = v.size_bytes;
			let version_amount = v.deposit.held::<u64, u128>();
			let upload = Uploads::<Test>::get(hash).unwrap();
			let upload_amount = upload.deposit.held::<u64, u128>();

			// Version-1 state: the same records with amounts.
			let (v1_version, _) = v.replace_deposit(version_amount);
			v2::Versions::<Test>::insert(model, version, v1_version);
			v2::Uploads::<Test>::insert(
				hash,
				Upload {
					owner: upload.owner,
					model: upload.model,
					size_bytes: upload.size_bytes,
					chunks: upload.chunks,
					received: upload.received,
					received_bytes: upload.received_bytes,
					deposit: upload_amount,
				},
			);
			StorageVersion::new(1).put::<ModelRegistry>();
			let holds_before = (
				held(HoldReason::ModelStorage, OWNER),
				held(HoldReason::VersionStorage, OWNER),
				held(HoldReason::UploadStorage, OWNER),
			);

			#[cfg(feature = "try-runtime")]
			v2::MigrateV1ToV2::<Test>::try_on_runtime_upgrade(true).unwrap();
			#[cfg(not(feature = "try-runtime"))]
			v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
			assert_eq!(StorageVersion::get::<ModelRegistry>(), 2);

			// No funds moved; each amount is split between the two tickets.
			assert_eq!(
				holds_before,
				(
					held(HoldReason::ModelStorage, OWNER),
					held(HoldReason::VersionStorage, OWNER),
					held(HoldReason::UploadStorage, OWNER)
				)
			);
			assert_eq!(Models::<Test>::get(model).unwrap().deposit.held(), model_amount);
			let v = Versions::<Test>::get(model, version).unwrap();
			assert_eq!(v.deposit.bytes.held(), DEPOSIT_PER_MODEL_BYTE * size as u128);
			assert_eq!(v.deposit.record.held() + v.deposit.bytes.held(), version_amount);
			let upload = Uploads::<Test>::get(hash).unwrap();
			assert_eq!(upload.deposit.bytes.held(), DEPOSIT_PER_MODEL_BYTE * bytes.len() as u128);
			assert_eq!(upload.deposit.held::<u64, u128>(), upload_amount);

			// The tickets work: withdrawing and cancelling release every unit held.
			assert_ok!(ModelRegistry::withdraw_version(signed(OWNER), model, version));
			assert_eq!(held(HoldReason::VersionStorage, OWNER), 0);
			assert_ok!(ModelRegistry::cancel_upload(signed(OWNER), hash));
			assert_eq!(held(HoldReason::UploadStorage, OWNER), 0);
		});
	}

	#[test]
	fn an_amount_below_the_bytes_price_goes_to_the_bytes_ticket() {
		ExtBuilder::build_and_execute(|| {
			let split = v2::split::<Test, <Test as Config>::VersionTicket, <Test as Config>::VersionBytesTicket>(
				5, 100,
			)
			.unwrap();
			assert_eq!((split.record.held(), split.bytes.held()), (0, 5));
			let split = v2::split::<Test, <Test as Config>::VersionTicket, <Test as Config>::VersionBytesTicket>(
				500, 100,
			)
			.unwrap();
			assert_eq!((split.record.held(), split.bytes.held()), (400, 100));
		});
	}
}
