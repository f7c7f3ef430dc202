//! A model's canary in the oracle: sampling, the committee's candidate reports, how they
//! are judged (liars included), and the off-chain worker that scores with the candidate.

use super::{offchain_worker::run_ocw, *};
use aioracle_primitives::canary::{CanaryComparison, CanaryVerdict};
use frame::deps::sp_core::H256;

type Batches = Vec<(ResultBatchOf<Test>, crate::crypto::Signature)>;

/// Applies `batches` as the next block would.
fn apply(env: &mut OcwEnv, batches: Batches) {
	env.ext.execute_with(|| {
		for (batch, signature) in batches {
			let call = Call::<Test>::submit_results { batch, signature };
			assert_ok!(call.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into()));
		}
	});
}

/// `who` sends `answer` for `request` in a batch of one, with `canary` attached.
fn send_with_canary(
	who: u64,
	request: RequestId,
	answer: Answer,
	canary: Option<CanaryReport<Vec<i64>>>,
) -> DispatchResultWithPostInfo {
	let batch = ResultBatch { key: key(who), items: vec![BatchItem { request, answer, canary }] };
	let signature = sign(who, &batch.signing_payload());
	Call::<Test>::submit_results { batch, signature }
		.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into())
}

fn report(outcome: Outcome<Vec<i64>>, candidate_millis: u32) -> Option<CanaryReport<Vec<i64>>> {
	Some(CanaryReport { outcome, candidate_millis, active_millis: 2 })
}

fn verdict(request: RequestId) -> Option<CanaryVerdict> {
	CanaryChecks::<Test>::get(request).and_then(|check| check.verdict)
}

/// Each `(member, outcome, candidate report)` commits, then reveals with its report.
fn commit_and_reveal_with_canary(
	request: RequestId,
	answers: &[(u64, Outcome<Vec<i64>>, Option<CanaryReport<Vec<i64>>>)],
) {
	for (who, outcome, _) in answers {
		assert_ok!(commit(*who, request, outcome));
	}
	for (who, outcome, canary) in answers {
		let answer = Answer::Reveal { outcome: outcome.clone(), salt: salt(*who) };
		assert_ok!(send_with_canary(*who, request, answer, canary.clone()));
	}
}

#[test]
fn requests_are_sampled_at_the_canarys_rate_and_only_for_its_model() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		let candidate = MockCanary::start(IRIS, Perbill::one());
		let sampled = request(IRIS);
		assert_eq!(
			CanaryChecks::<Test>::get(sampled),
			Some(CanaryCheck { version: candidate, model_hash: model_hash(IRIS), verdict: None })
		);
		assert!(events().contains(&Event::CanarySampled { request: sampled, model: IRIS, version: candidate }));
		// Another model's request, and requests once the canary stopped or samples nothing.
		let other = request(LABELS);
		System::set_block_number(2);
		MockCanary::start(IRIS, Perbill::zero());
		let none_sampled = request(IRIS);
		MockCanary::stop();
		let stopped = request(IRIS);
		for id in [other, none_sampled, stopped] {
			assert!(CanaryChecks::<Test>::get(id).is_none());
		}
		// The sampled request is an ordinary request otherwise.
		assert_eq!(Requests::<Test>::get(sampled).unwrap().version, 1);
	});
}

#[test]
fn about_the_declared_fraction_is_sampled() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		MockCanary::start(IRIS, Perbill::from_percent(25));
		let mut sampled = 0;
		for block in 1..=70u64 {
			System::set_block_number(block);
			System::set_parent_hash(H256::repeat_byte(block as u8));
			for _ in 0..MAX_REQUESTS_PER_BLOCK {
				let id = request(IRIS);
				sampled += u32::from(CanaryChecks::<Test>::contains_key(id));
				// Answer it, so that requests do not pile up past the block's capacity.
				assert_ok!(submit(ALICE, id, output(&[1, 2, 3])));
			}
		}
		// 210 draws at 25%: 52.5 expected, a standard deviation of 6.3; the draws are
		// deterministic, and outside 25..=80 would be over four deviations off.
		assert!((25..=80).contains(&sampled), "{sampled} of 210 sampled");
	});
}

#[test]
fn agreeing_members_reports_are_judged_when_the_request_is_finalized() {
	ExtBuilder::build_and_execute(|| {
		let candidate = MockCanary::start(IRIS, Perbill::one());
		let (id, members, _) = four_operators_and_a_request(2);
		let truth = output(&[100, 50, 7]);
		let answers: Vec<_> = members
			.iter()
			.zip([5, 9, 7])
			.map(|(who, millis)| (*who, truth.clone(), report(output(&[103, 48, 7]), millis)))
			.collect();
		commit_and_reveal_with_canary(id, &answers);
		assert_eq!(Results::<Test>::get(id).unwrap().output.into_inner(), vec![100, 50, 7]);
		assert_eq!(verdict(id), Some(CanaryVerdict::Agreed));
		let expected =
			CanaryComparison { verdict: CanaryVerdict::Agreed, candidate_millis: 7, active_millis: 2 };
		assert_eq!(MockCanary::comparisons(), vec![(IRIS, candidate, expected)]);
		assert!(!CanaryReports::<Test>::contains_key(id), "reports are deleted at close");
		let events = events();
		let finalized = events.iter().position(|e| matches!(e, Event::ResultFinalized { .. }));
		let compared = events.iter().position(|e| {
			*e == Event::CanaryCompared { request: id, model: IRIS, version: candidate, verdict: CanaryVerdict::Agreed }
		});
		assert!(finalized < compared && compared.is_some(), "compared after the result");
	});
}

#[test]
fn a_candidate_beyond_the_active_versions_tolerance_disagrees() {
	ExtBuilder::build_and_execute(|| {
		MockCanary::start(IRIS, Perbill::one());
		let (id, members, _) = four_operators_and_a_request(2);
		let truth = output(&[100, 50, 7]);
		// The candidate's outputs are 11 units off: the tolerance is 10.
		let answers: Vec<_> = members
			.iter()
			.map(|who| (*who, truth.clone(), report(output(&[111, 50, 7]), 1)))
			.collect();
		commit_and_reveal_with_canary(id, &answers);
		assert_eq!(verdict(id), Some(CanaryVerdict::Disagreed));
	});
}

#[test]
fn an_outliers_report_is_not_counted_and_one_liar_cannot_fail_the_candidate() {
	ExtBuilder::build_and_execute(|| {
		MockCanary::start(IRIS, Perbill::one());
		let (id, members, _) = four_operators_and_a_request(2);
		let truth = output(&[100, 50, 7]);
		let failed = Outcome::Failed(Failure::ModelBytesUnavailable);
		// The first member lies about the active version and claims the candidate failed:
		// it is an outlier, so its report is dropped; the two honest reports agree.
		let answers = vec![
			(members[0], output(&[999, 0, 0]), report(failed.clone(), 1)),
			(members[1], truth.clone(), report(truth.clone(), 1)),
			(members[2], truth.clone(), report(truth.clone(), 1)),
		];
		commit_and_reveal_with_canary(id, &answers);
		assert_eq!(verdict(id), Some(CanaryVerdict::Agreed));
		assert_eq!(MockCanary::comparisons().len(), 1);
	});
}

#[test]
fn a_candidate_that_cannot_score_fails() {
	ExtBuilder::build_and_execute(|| {
		MockCanary::start(IRIS, Perbill::one());
		let (id, members, _) = four_operators_and_a_request(2);
		let truth = output(&[100, 50, 7]);
		let failed = Outcome::Failed(Failure::Engine(ScoreError::WrongOutputShape));
		let answers: Vec<_> =
			members.iter().map(|who| (*who, truth.clone(), report(failed.clone(), 0))).collect();
		commit_and_reveal_with_canary(id, &answers);
		assert_eq!(verdict(id), Some(CanaryVerdict::Failed));
		assert_eq!(MockCanary::comparisons()[0].2.verdict, CanaryVerdict::Failed);
	});
}

#[test]
fn requests_without_a_result_or_without_reports_are_not_counted() {
	ExtBuilder::build_and_execute(|| {
		MockCanary::start(IRIS, Perbill::one());
		register(ALICE);
		// No result: the only member never answers, and the request expires.
		let expired = request(IRIS);
		idle(2 + WINDOW);
		assert_eq!(Requests::<Test>::get(expired).unwrap().status, RequestStatus::Expired);
		// A result, but no report attached.
		let unreported = request(IRIS);
		assert_ok!(submit(ALICE, unreported, output(&[1, 2, 3])));
		assert!(Results::<Test>::get(unreported).is_some());
		for id in [expired, unreported] {
			assert!(CanaryChecks::<Test>::get(id).is_some_and(|c| c.verdict.is_none()));
		}
		assert!(MockCanary::comparisons().is_empty());
	});
}

#[test]
fn reports_on_requests_not_sampled_are_ignored() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		let id = request(IRIS);
		let answer = Answer::Outcome(output(&[1, 2, 3]));
		assert_ok!(send_with_canary(ALICE, id, answer, report(output(&[1, 2, 3]), 1)));
		assert!(Results::<Test>::get(id).is_some());
		assert!(!CanaryReports::<Test>::contains_key(id) && !CanaryChecks::<Test>::contains_key(id));
		assert!(MockCanary::comparisons().is_empty());
	});
}

#[test]
fn canary_checks_are_pruned_with_their_requests() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		MockCanary::start(IRIS, Perbill::one());
		let first = request(IRIS);
		assert_ok!(submit(ALICE, first, output(&[1, 2, 3])));
		let mut block = 1;
		while Requests::<Test>::contains_key(first) {
			block += 1;
			System::set_block_number(block);
			for _ in 0..MAX_REQUESTS_PER_BLOCK {
				let id = request(IRIS);
				assert_ok!(submit(ALICE, id, output(&[1, 2, 3])));
			}
		}
		assert!(!CanaryChecks::<Test>::contains_key(first));
	});
}

#[test]
fn the_worker_scores_sampled_requests_with_the_candidate_too() {
	let mut env = OcwEnv::new(&[ALICE], true);
	let (id, candidate) = env.ext.execute_with(|| {
		register(ALICE);
		let candidate = MockCanary::start(IRIS, Perbill::one());
		(request(IRIS), candidate)
	});
	run_ocw(&mut env, 1);
	let batches = env.take_batches();
	let item = &batches[0].0.items[0];
	let honest = honest_output(IRIS, &[1, 2, 3, 4]);
	assert_eq!(item.answer, Answer::Outcome(output(&honest)));
	let canary = item.canary.as_ref().expect("a report for the sampled request");
	assert_eq!(canary.outcome, output(&honest));
	apply(&mut env, batches);
	env.ext.execute_with(|| {
		assert_eq!(verdict(id), Some(CanaryVerdict::Agreed));
		assert_eq!(MockCanary::comparisons()[0].1, candidate);
		InferenceOracle::do_try_state().unwrap();
	});
}

#[test]
fn a_committee_member_keeps_its_report_for_the_reveal() {
	let mut env = OcwEnv::new(&[ALICE, BOB, CHARLIE], true);
	let id = env.ext.execute_with(|| {
		set_min_agreement(2);
		for who in [ALICE, BOB, CHARLIE] {
			register(who);
		}
		MockCanary::start(IRIS, Perbill::one());
		request(IRIS)
	});
	run_ocw(&mut env, 1);
	let commits = env.take_batches();
	assert_eq!(commits.len(), 3);
	for (batch, _) in &commits {
		assert!(matches!(batch.items[0].answer, Answer::Commit(_)));
		assert!(batch.items[0].canary.is_none(), "a commitment carries no report");
	}
	apply(&mut env, commits);
	run_ocw(&mut env, 2);
	let reveals = env.take_batches();
	assert_eq!(reveals.len(), 3);
	for (batch, _) in &reveals {
		assert!(matches!(batch.items[0].answer, Answer::Reveal { .. }));
		assert!(batch.items[0].canary.is_some(), "the reveal carries the report kept");
	}
	apply(&mut env, reveals);
	env.ext.execute_with(|| {
		assert!(Results::<Test>::get(id).is_some());
		assert_eq!(verdict(id), Some(CanaryVerdict::Agreed));
	});
}
