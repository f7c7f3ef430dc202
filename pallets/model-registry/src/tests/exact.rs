//! `set_exact_program`: a proposed version's exact program, checked on-chain against the
//! version's golden vectors.

use super::*;
use aioracle_exact::program::{Constant, InputRange, InputSpec, Interval, Op, Program};
use aioracle_exact::{OpKind, FORMAT_VERSION};

/// `y = x0 + 2 x1 + 1` over inputs at 2 decimals in [-100, 100], output at 2 decimals.
fn affine() -> Program {
	Program {
		version: FORMAT_VERSION,
		input: InputSpec {
			len: 2,
			scale: 2,
			range: InputRange::Global(Interval { min: -10_000, max: 10_000 }),
		},
		constants: vec![
			Constant { scale: 0, values: vec![1, 2] },
			Constant { scale: 0, values: vec![1] },
		],
		nodes: vec![Op::Linear { input: 0, weights: 0, bias: Some(1), outputs: 1, scale: 2 }],
		output: 1,
		output_scale: 2,
	}
}

/// The proposal `affine` serves: input `[1, 2]` at 2 decimals, output `[1, 1]` at 2
/// decimals, golden vectors `(1, 2) -> 6` and `(-3, 0.5) -> -1`, exact agreement.
fn affine_proposal(bytes: &[u8]) -> VersionProposal<u64> {
	VersionProposal {
		inputs: vec![tensor(0, ElementType::F32, &[1, 2])],
		output: tensor(1, ElementType::F32, &[1, 1]),
		input_scale: 2,
		output_scale: 2,
		aggregation: Aggregation::Median { tolerance: 0 },
		golden_vectors: vec![
			GoldenVector { input: vec![100, 200], output: vec![600] },
			GoldenVector { input: vec![-300, 50], output: vec![-100] },
		],
		..proposal(bytes)
	}
}

/// A model with a proposed version served by `affine`, with `golden` golden vectors.
fn proposed_affine(golden: usize) -> (ModelId, VersionId) {
	let model = create();
	let bytes = onnx(model as u8);
	let mut p = affine_proposal(&bytes);
	p.golden_vectors.truncate(golden);
	assert_ok!(ModelRegistry::propose_version(signed(OWNER), model, p, bytes));
	(model, Models::<Test>::get(model).unwrap().next_version - 1)
}

fn set(model: ModelId, version: VersionId, program: &Program) -> DispatchResultWithPostInfo {
	ModelRegistry::set_exact_program(signed(OWNER), model, version, program.encode())
}

/// Asserts that setting `program` fails with `error` and changes nothing.
fn refused(model: ModelId, version: VersionId, bytes: Vec<u8>, error: Error<Test>) {
	assert_noop!(ModelRegistry::set_exact_program(signed(OWNER), model, version, bytes), error);
}

#[test]
fn a_program_that_reproduces_the_golden_vectors_is_stored_with_its_deposit() {
	ExtBuilder::build_and_execute(|| {
		let (model, version) = proposed_affine(2);
		let before = held(HoldReason::VersionStorage, OWNER);
		let bytes = affine().encode();
		let info = set(model, version, &affine()).unwrap();

		let stored = ExactPrograms::<Test>::get(model, version).unwrap();
		assert_eq!(stored.program.to_vec(), bytes);
		assert_eq!(stored.program_hash, ModelHash::from(blake2_256(&bytes)));
		assert_eq!(stored.operations[OpKind::Linear.index()], 2 + 1, "two weights and one output row");
		let deposit = stored.deposit.held();
		assert!(deposit > 0);
		assert_eq!(held(HoldReason::VersionStorage, OWNER), before + deposit);
		assert_eq!(
			last_event(),
			Event::ExactProgramSet {
				model,
				version,
				program_hash: stored.program_hash,
				size_bytes: bytes.len() as u32,
				operations: 3,
				deposit,
			}
		);
		// Refunded to the program's size and two runs of three operations.
		assert_eq!(
			info.actual_weight,
			Some(ModelRegistry::set_exact_program_weight(
				bytes.len() as u32,
				2,
				Some(&stored.operations)
			))
		);
		let view = ModelRegistry::version_view(model, version).unwrap();
		assert_eq!(
			view.exact_program,
			Some(aioracle_primitives::model::ExactProgramSummary {
				program_hash: stored.program_hash,
				size_bytes: bytes.len() as u32,
				operations: 3,
			})
		);
	});
}

#[test]
fn a_program_that_fails_a_golden_vector_is_refused() {
	ExtBuilder::build_and_execute(|| {
		let (model, version) = proposed_affine(2);
		// `y = x0 + 2 x1 + 2`: 1.00 off both golden outputs (6 and -1).
		let mut wrong = affine();
		wrong.constants[1] = Constant { scale: 0, values: vec![2] };
		refused(model, version, wrong.encode(), Error::ExactProgramFailsGoldenVector);
		// A golden vector outside the program's declared input range fails too.
		let mut narrow = affine();
		narrow.input.range = InputRange::Global(Interval { min: -100, max: 100 });
		refused(model, version, narrow.encode(), Error::ExactProgramFailsGoldenVector);
	});
}

#[test]
fn a_golden_vector_is_compared_within_the_versions_tolerance() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let bytes = onnx(1);
		let mut p = affine_proposal(&bytes);
		// The golden outputs are one unit off the program's: a tolerance of 1 accepts them.
		p.aggregation = Aggregation::Median { tolerance: 1 };
		p.golden_vectors.iter_mut().for_each(|g| g.output[0] += 1);
		assert_ok!(ModelRegistry::propose_version(signed(OWNER), model, p, bytes));
		assert_ok!(set(model, 1, &affine()));
	});
}

#[test]
fn a_version_without_golden_vectors_cannot_be_given_a_program() {
	ExtBuilder::build_and_execute(|| {
		let (model, version) = proposed_affine(0);
		refused(model, version, affine().encode(), Error::ExactProgramUntested);
	});
}

#[test]
fn bytes_that_are_no_program_are_refused_with_what_is_wrong() {
	ExtBuilder::build_and_execute(|| {
		let (model, version) = proposed_affine(2);
		refused(model, version, vec![], Error::ExactProgramUndecodable);
		refused(model, version, vec![0xff; 100], Error::ExactProgramUndecodable);
		let mut trailing = affine().encode();
		trailing.push(0);
		refused(model, version, trailing, Error::ExactProgramUndecodable);
		let mut unknown = affine();
		unknown.version = FORMAT_VERSION + 1;
		refused(model, version, unknown.encode(), Error::ExactProgramUndecodable);

		let mut missing = affine();
		missing.nodes[0] = Op::Linear { input: 5, weights: 0, bias: Some(1), outputs: 1, scale: 2 };
		refused(model, version, missing.encode(), Error::ExactProgramMissingTensor);
		let mut no_constant = affine();
		no_constant.nodes[0] =
			Op::Linear { input: 0, weights: 7, bias: Some(1), outputs: 1, scale: 2 };
		refused(model, version, no_constant.encode(), Error::ExactProgramMissingTensor);
		let mut no_output = affine();
		no_output.output = 9;
		refused(model, version, no_output.encode(), Error::ExactProgramMissingTensor);

		// Weights that overflow an i64 on the declared input range.
		let mut overflow = affine();
		overflow.constants[0] = Constant { scale: 0, values: vec![i64::MAX / 2, i64::MAX / 2] };
		refused(model, version, overflow.encode(), Error::ExactProgramMayOverflow);

		let mut shape = affine();
		shape.constants[0] = Constant { scale: 0, values: vec![1, 2, 3] };
		refused(model, version, shape.encode(), Error::ExactProgramMalformed);

		let mut nodes = affine();
		nodes.nodes = vec![];
		refused(model, version, nodes.encode(), Error::ExactProgramExceedsBounds);
	});
}

#[test]
fn a_program_that_does_not_serve_the_contract_is_refused() {
	ExtBuilder::build_and_execute(|| {
		let (model, version) = proposed_affine(2);
		let mut scale = affine();
		scale.output_scale = 3;
		refused(model, version, scale.encode(), Error::ExactProgramDoesNotFit);
		let mut input_scale = affine();
		input_scale.input.scale = 3;
		refused(model, version, input_scale.encode(), Error::ExactProgramDoesNotFit);
		let mut input_len = affine();
		input_len.input.len = 3;
		input_len.constants[0] = Constant { scale: 0, values: vec![1, 2, 3] };
		refused(model, version, input_len.encode(), Error::ExactProgramDoesNotFit);
		let mut outputs = affine();
		outputs.constants = vec![
			Constant { scale: 0, values: vec![1, 2, 1, 2] },
			Constant { scale: 0, values: vec![1, 1] },
		];
		outputs.nodes[0] = Op::Linear { input: 0, weights: 0, bias: Some(1), outputs: 2, scale: 2 };
		refused(model, version, outputs.encode(), Error::ExactProgramDoesNotFit);
	});
}

#[test]
fn a_program_too_long_or_too_costly_is_refused() {
	ExtBuilder::build_and_execute(|| {
		let (model, version) = proposed_affine(2);
		refused(model, version, vec![0u8; 64 * 1024 + 1], Error::ExactProgramTooLarge);
		// `affine`, then three layers of 4,000 outputs from its result that the output does
		// not use: 24,003 operations a run (a multiply-add per weight and a rounding per
		// output row), above `MaxExactOperations` (20,000), in 32 KB.
		let mut costly = affine();
		costly.constants.push(Constant { scale: 0, values: vec![1; 4_000] });
		let wide = Op::Linear { input: 1, weights: 2, bias: None, outputs: 4_000, scale: 2 };
		costly.nodes.extend([wide.clone(), wide.clone(), wide]);
		let (_, analysis) = aioracle_exact::load(&costly.encode()).unwrap();
		assert_eq!(analysis.total(), 3 + 3 * (4_000 + 4_000));
		refused(model, version, costly.encode(), Error::ExactProgramTooCostly);
	});
}

#[test]
fn only_the_owner_of_a_proposed_version_sets_it_once() {
	ExtBuilder::build_and_execute(|| {
		let (model, version) = proposed_affine(2);
		assert_noop!(
			ModelRegistry::set_exact_program(signed(BOB), model, version, affine().encode()),
			Error::<Test>::NotOwner
		);
		refused(model + 1, version, affine().encode(), Error::ModelNotFound);
		refused(model, version + 1, affine().encode(), Error::VersionNotFound);
		assert_ok!(set(model, version, &affine()));
		refused(model, version, affine().encode(), Error::ExactProgramAlreadySet);

		// Once governance acted, the version is no longer proposed.
		let (model, version) = proposed_affine(2);
		assert_ok!(ModelRegistry::approve_version(root(), model, version));
		refused(model, version, affine().encode(), Error::NotProposed);
	});
}

#[test]
fn withdrawing_the_version_removes_its_program_and_releases_the_deposit() {
	ExtBuilder::build_and_execute(|| {
		let before = held(HoldReason::VersionStorage, OWNER);
		let (model, version) = proposed_affine(2);
		assert_ok!(set(model, version, &affine()));
		assert_ok!(ModelRegistry::withdraw_version(signed(OWNER), model, version));
		assert!(!ExactPrograms::<Test>::contains_key(model, version));
		assert_eq!(held(HoldReason::VersionStorage, OWNER), before);
	});
}
