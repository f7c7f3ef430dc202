//! Training runs: a proposal may name the run between its data and the version, which is
//! stored with the version, shown in its view, paid for in its deposit and removed with it.

use super::*;
use aioracle_primitives::training::{TrainingRun, MAX_TRAINING_TEXT_LEN};

const RUNNER: u64 = 77;

fn run() -> TrainingRun<u64, Vec<u8>> {
	TrainingRun {
		code_hash: H256::repeat_byte(0xc0),
		code_uri: b"git+https://git.example/iris@4f2a9c1#train.py".to_vec(),
		hyperparameters_hash: H256::repeat_byte(0x4b),
		framework: b"scikit-learn".to_vec(),
		framework_version: b"1.5.2".to_vec(),
		ran_by: RUNNER,
	}
}

fn with_run(bytes: &[u8], run: TrainingRun<u64, Vec<u8>>) -> VersionProposal<u64> {
	VersionProposal { training_run: Some(run), ..proposal(bytes) }
}

fn version_deposit(model: ModelId, version: VersionId) -> u128 {
	Versions::<Test>::get(model, version).unwrap().deposit.held::<u64, u128>()
}

#[test]
fn a_named_run_is_stored_shown_and_paid_for() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let without = propose(model, 1);
		let bytes = onnx(2);
		assert_ok!(ModelRegistry::propose_version(
			signed(OWNER),
			model,
			with_run(&bytes, run()),
			bytes.clone()
		));
		let with = without + 1;
		let view = ModelRegistry::version_view(model, with).unwrap();
		assert_eq!(view.training_run, Some(run()));
		assert_eq!(ModelRegistry::version_view(model, without).unwrap().training_run, None);
		assert_eq!(TrainingRuns::<Test>::get(model, with).map(|r| r.ran_by), Some(RUNNER));
		// The run's bytes are stored, so they are paid for like the version's own.
		let run_bytes = run().encoded_size() as u128;
		assert_eq!(
			version_deposit(model, with) - version_deposit(model, without),
			DEPOSIT_PER_BYTE * run_bytes
		);
	});
}

#[test]
fn a_text_over_the_bound_is_refused_and_nothing_changes() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let long = || vec![b'x'; MAX_TRAINING_TEXT_LEN as usize + 1];
		let cases = [
			TrainingRun { code_uri: long(), ..run() },
			TrainingRun { framework: long(), ..run() },
			TrainingRun { framework_version: long(), ..run() },
		];
		let bytes = onnx(1);
		for case in cases {
			assert_noop_err(
				|| {
					ModelRegistry::propose_version(
						signed(OWNER),
						model,
						with_run(&bytes, case),
						bytes.clone(),
					)
				},
				Error::<Test>::TrainingRunTextTooLong,
			);
		}
		// Texts exactly at the bound are accepted.
		let longest = vec![b'x'; MAX_TRAINING_TEXT_LEN as usize];
		let at_bound = TrainingRun {
			code_uri: longest.clone(),
			framework: longest.clone(),
			framework_version: longest,
			..run()
		};
		assert_ok!(ModelRegistry::propose_version(
			signed(OWNER),
			model,
			with_run(&bytes, at_bound.clone()),
			bytes.clone()
		));
		assert_eq!(ModelRegistry::version_view(model, 1).unwrap().training_run, Some(at_bound));
	});
}

#[test]
fn withdrawing_a_version_removes_its_run() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let bytes = onnx(1);
		assert_ok!(ModelRegistry::propose_version(
			signed(OWNER),
			model,
			with_run(&bytes, run()),
			bytes.clone()
		));
		assert!(TrainingRuns::<Test>::contains_key(model, 1));
		assert_ok!(ModelRegistry::withdraw_version(signed(OWNER), model, 1));
		assert!(!TrainingRuns::<Test>::contains_key(model, 1));
		assert_eq!(held(HoldReason::VersionStorage, OWNER), 0);
	});
}

#[test]
fn an_uploaded_version_keeps_its_run() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let bytes = onnx(1);
		let hash: ModelHash = blake2_256(&bytes).into();
		let chunk: aioracle_primitives::model::ChunkHash = blake2_256(&bytes).into();
		assert_ok!(ModelRegistry::begin_upload(
			signed(OWNER),
			model,
			hash,
			bytes.len() as u32,
			vec![chunk]
		));
		assert_ok!(ModelRegistry::upload_chunk(signed(OWNER), hash, 0, bytes.clone()));
		assert_ok!(ModelRegistry::propose_uploaded_version(
			signed(OWNER),
			model,
			with_run(&bytes, run())
		));
		assert_eq!(ModelRegistry::version_view(model, 1).unwrap().training_run, Some(run()));
	});
}

#[test]
fn try_state_finds_a_run_without_its_version() {
	ExtBuilder::build_and_execute(|| {
		let stray = run().bounded().unwrap();
		TrainingRuns::<Test>::insert(9, 1, stray);
		assert!(ModelRegistry::do_try_state().is_err());
		TrainingRuns::<Test>::remove(9, 1);
	});
}
