//! Validation before approval: operators' nodes check proposed versions and submit signed
//! verdicts; a quorum of reproductions from the operator set validates a version.

use super::*;
use aioracle_primitives::{model::VersionValidation, oracle::Verdict};

type VerdictOf = VersionVerdict<crate::crypto::Public>;

/// `who`'s verdict on version `version` of `model`, signed by `signer`.
fn verdict_call(
	who: u64,
	signer: u64,
	model: ModelId,
	version: VersionId,
	verdict: Verdict,
) -> Call<Test> {
	let verdict = VerdictOf { model, version, key: key(who), verdict };
	let signature = sign(signer, &verdict.signing_payload());
	Call::<Test>::submit_verdict { verdict, signature }
}

/// Checks `call` as the pool does, then dispatches it as the block would.
fn apply(call: Call<Test>) -> DispatchResult {
	pool_check(&call).expect("the pool accepts it");
	call.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into())
		.map(|_| ())
		.map_err(|e| e.error)
}

/// The pool's check of `call` alone.
fn pool_check(call: &Call<Test>) -> Result<(), TransactionValidityError> {
	call.authorize(TransactionSource::External).expect("an authorized call").map(|_| ())
}

/// The verdicts the off-chain worker sent, decoded.
fn sent_verdicts(env: &OcwEnv) -> Vec<(VerdictOf, crate::crypto::Signature)> {
	use codec::Decode;
	env.pool
		.write()
		.transactions
		.drain(..)
		.filter_map(|tx| {
			let xt = Extrinsic::decode(&mut &tx[..]).expect("a valid extrinsic");
			match xt.function {
				RuntimeCall::InferenceOracle(Call::submit_verdict { verdict, signature }) => {
					Some((verdict, signature))
				}
				_ => None,
			}
		})
		.collect()
}

fn run_ocw(env: &mut OcwEnv, block: u64) {
	env.ext.execute_with(|| {
		System::set_block_number(block);
		InferenceOracle::offchain_worker(block);
	});
}

#[test]
fn nodes_check_a_proposed_version_and_their_verdicts_validate_it() {
	let mut env = OcwEnv::new(&[ALICE, BOB], true);
	let version = env.ext.execute_with(|| {
		for who in [ALICE, BOB, CHARLIE] {
			register(who);
		}
		MockModels::propose(IRIS)
	});
	run_ocw(&mut env, 1);
	let sent = sent_verdicts(&env);
	// One per local key; Charlie's key is not on this node.
	assert_eq!(sent.len(), 2);
	env.ext.execute_with(|| {
		assert!(!InferenceOracle::is_validated(IRIS, version));
		for (verdict, signature) in sent {
			assert_eq!((verdict.model, verdict.version), (IRIS, version));
			assert_eq!(verdict.verdict, Verdict::Reproduced);
			assert_ok!(apply(Call::<Test>::submit_verdict { verdict, signature }));
		}
		assert!(InferenceOracle::is_validated(IRIS, version));
		let view = InferenceOracle::validation_view(IRIS, version);
		assert_eq!(view.quorum, MIN_VALIDATORS);
		assert!(view.validated);
		let mut judges: Vec<u64> = view.verdicts.iter().map(|(who, _)| *who).collect();
		judges.sort();
		assert_eq!(judges, vec![ALICE, BOB]);
		assert!(events().contains(&Event::VerdictSubmitted {
			model: IRIS,
			version,
			operator: ALICE,
			verdict: Verdict::Reproduced,
		}));
	});
	// Judged: the next runs send nothing.
	run_ocw(&mut env, 2);
	run_ocw(&mut env, 20);
	assert!(sent_verdicts(&env).is_empty());
}

#[test]
fn a_version_whose_golden_vectors_fail_is_reported_and_not_validated() {
	let mut env = OcwEnv::new(&[ALICE, BOB], true);
	let version = env.ext.execute_with(|| {
		set_golden_output(vec![1, 2, 3]);
		register(ALICE);
		register(BOB);
		MockModels::propose(IRIS)
	});
	run_ocw(&mut env, 1);
	let sent = sent_verdicts(&env);
	assert_eq!(sent.len(), 2);
	env.ext.execute_with(|| {
		for (verdict, signature) in sent {
			assert_eq!(verdict.verdict, Verdict::Failed(Failure::GoldenVectorMismatch));
			assert_ok!(apply(Call::<Test>::submit_verdict { verdict, signature }));
		}
		assert!(!InferenceOracle::is_validated(IRIS, version));
	});
}

#[test]
fn a_node_without_the_bytes_reports_them_missing() {
	let mut env = OcwEnv::new(&[ALICE], false);
	env.ext.execute_with(|| {
		register(ALICE);
		MockModels::propose(IRIS);
	});
	run_ocw(&mut env, 1);
	let sent = sent_verdicts(&env);
	assert_eq!(sent[0].0.verdict, Verdict::Failed(Failure::ModelBytesUnavailable));
}

#[test]
fn the_quorum_is_the_versions_min_agreement_when_larger() {
	ExtBuilder::build_and_execute(|| {
		set_min_agreement(3);
		for who in [ALICE, BOB, CHARLIE] {
			register(who);
		}
		let version = MockModels::propose(IRIS);
		assert_eq!(InferenceOracle::validation_quorum(IRIS, version), 3);
		for who in [ALICE, BOB] {
			assert_ok!(apply(verdict_call(who, who, IRIS, version, Verdict::Reproduced)));
		}
		assert!(!InferenceOracle::is_validated(IRIS, version));
		assert_ok!(apply(verdict_call(CHARLIE, CHARLIE, IRIS, version, Verdict::Reproduced)));
		assert!(InferenceOracle::is_validated(IRIS, version));
	});
}

#[test]
fn only_reproductions_by_operators_still_in_the_set_count() {
	ExtBuilder::build_and_execute(|| {
		for who in [ALICE, BOB, CHARLIE] {
			register(who);
		}
		let version = MockModels::propose(IRIS);
		assert_ok!(apply(verdict_call(ALICE, ALICE, IRIS, version, Verdict::Reproduced)));
		let failed = Verdict::Failed(Failure::GoldenVectorMismatch);
		assert_ok!(apply(verdict_call(BOB, BOB, IRIS, version, failed)));
		assert!(!InferenceOracle::is_validated(IRIS, version), "one reproduction of two");
		assert_ok!(apply(verdict_call(CHARLIE, CHARLIE, IRIS, version, Verdict::Reproduced)));
		assert!(InferenceOracle::is_validated(IRIS, version));
		// Charlie leaves: its verdict stays on record but no longer counts.
		assert_ok!(InferenceOracle::unregister_operator(signed(CHARLIE)));
		assert!(!InferenceOracle::is_validated(IRIS, version));
		assert_eq!(InferenceOracle::validation_view(IRIS, version).verdicts.len(), 3);
	});
}

#[test]
fn verdict_errors_leave_state_unchanged() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		register(BOB);
		let version = MockModels::propose(IRIS);
		let ok = Verdict::Reproduced;
		// The pool refuses them all, and so does the call.
		let unknown = verdict_call(DAVE, DAVE, IRIS, version, ok);
		assert_eq!(pool_check(&unknown), Err(InvalidTransaction::BadSigner.into()));
		let forged = verdict_call(ALICE, BOB, IRIS, version, ok);
		assert_eq!(pool_check(&forged), Err(InvalidTransaction::BadProof.into()));
		let not_proposed = verdict_call(ALICE, ALICE, IRIS, 1, ok);
		assert_eq!(pool_check(&not_proposed), Err(InvalidTransaction::Stale.into()));
		assert_noop!(
			InferenceOracle::do_submit_verdict(VerdictOf {
				model: IRIS,
				version: 1,
				key: key(ALICE),
				verdict: ok
			}),
			Error::<Test>::VersionNotProposed
		);
		assert_ok!(apply(verdict_call(ALICE, ALICE, IRIS, version, ok)));
		let again = verdict_call(
			ALICE,
			ALICE,
			IRIS,
			version,
			Verdict::Failed(Failure::ModelBytesUnavailable),
		);
		assert_eq!(pool_check(&again), Err(InvalidTransaction::Stale.into()));
		assert_noop!(
			InferenceOracle::do_submit_verdict(VerdictOf {
				model: IRIS,
				version,
				key: key(ALICE),
				verdict: ok
			}),
			Error::<Test>::AlreadyJudged
		);
		assert_ok!(InferenceOracle::unregister_operator(signed(BOB)));
		let leaving = verdict_call(BOB, BOB, IRIS, version, ok);
		assert_eq!(pool_check(&leaving), Err(refused(Error::<Test>::NotInOperatorSet)));
		assert_noop!(
			InferenceOracle::do_submit_verdict(VerdictOf {
				model: IRIS,
				version,
				key: key(BOB),
				verdict: ok
			}),
			Error::<Test>::NotInOperatorSet
		);
		// Signed origins cannot send verdicts.
		let call = verdict_call(BOB, BOB, IRIS, version, ok);
		assert_noop!(call.dispatch_bypass_filter(signed(BOB)).map_err(|e| e.error), BadOrigin);
		// Decided: verdicts are no longer taken.
		MockModels::decide(IRIS, version);
		let late = verdict_call(ALICE, ALICE, IRIS, version, ok);
		assert_eq!(pool_check(&late), Err(InvalidTransaction::Stale.into()));
	});
}
