//! Unit tests: operators, requests, authorization of submissions, aggregation with honest,
//! lying, failing and missing operators, expiry, retention, and the off-chain worker.

use crate::{mock::*, *};
use aioracle_primitives::onnx::{onnx, ScoreError};
use frame::{
	deps::sp_runtime::{
		traits::BadOrigin,
		transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
		TokenError,
	},
	testing_prelude::*,
	traits::{fungible::InspectHold, Authorize, UnfilteredDispatchable},
};

fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::InferenceOracle(e) = r.event { Some(e) } else { None })
		.collect()
}

fn held(reason: HoldReason, who: u64) -> u128 {
	Balances::balance_on_hold(&reason.into(), &who)
}

fn register(who: u64) {
	assert_ok!(InferenceOracle::register_operator(signed(who), key(who)));
}

fn request(model: ModelId) -> RequestId {
	assert_ok!(InferenceOracle::request_inference(signed(DAPP), model, vec![1, 2, 3, 4], FEE));
	NextRequestId::<Test>::get() - 1
}

/// `who` submits `outcome` for `request` through the authorized call, as its OCW would.
fn submit(who: u64, request: RequestId, outcome: Outcome<Vec<i64>>) -> DispatchResult {
	let submission = ResultSubmission { request, key: key(who), outcome };
	let signature = sign(who, &submission.encode());
	let call = Call::<Test>::submit_result { submission, signature };
	call.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into())
		.map(|_| ())
		.map_err(|e| e.error)
}

/// The pool's refusal naming `error` (`Custom` with the error's index).
fn refused(error: Error<Test>) -> TransactionValidityError {
	InvalidTransaction::Custom(error.encode()[0]).into()
}

/// `who`'s batch of `items`, signed by `signer`.
fn batch(who: u64, signer: u64, items: &[(RequestId, Outcome<Vec<i64>>)]) -> Call<Test> {
	let batch = ResultBatch {
		key: key(who),
		items: items
			.iter()
			.map(|(request, outcome)| BatchItem { request: *request, outcome: outcome.clone() })
			.collect(),
	};
	let signature = sign(signer, &batch.signing_payload());
	Call::<Test>::submit_results { batch, signature }
}

/// Runs `on_idle` at `block` with all the weight it wants.
fn idle(block: u64) {
	System::set_block_number(block);
	InferenceOracle::on_idle(block, Weight::MAX);
}

fn output(values: &[i64]) -> Outcome<Vec<i64>> {
	Outcome::Output(values.to_vec())
}

fn stats(who: u64) -> (u32, u32, u32, u32) {
	let o = Operators::<Test>::get(who).unwrap();
	(o.agreements, o.outliers, o.failures, o.misses(InferenceOracle::closed_requests()))
}

mod operators {
	use super::*;

	#[test]
	fn register_holds_the_bond_and_indexes_the_key() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			assert_eq!(held(HoldReason::OperatorBond, ALICE), BOND);
			assert_eq!(OperatorByKey::<Test>::get(key(ALICE)), Some(ALICE));
			assert_eq!(
				events().last(),
				Some(&Event::OperatorRegistered { operator: ALICE, key: key(ALICE) })
			);
		});
	}

	#[test]
	fn register_errors() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			assert_noop!(
				InferenceOracle::register_operator(signed(ALICE), key(BOB)),
				Error::<Test>::AlreadyOperator
			);
			assert_noop!(
				InferenceOracle::register_operator(signed(BOB), key(ALICE)),
				Error::<Test>::KeyInUse
			);
			assert_noop!(
				InferenceOracle::register_operator(signed(POOR), key(POOR)),
				TokenError::FundsUnavailable
			);
			assert_noop!(
				InferenceOracle::register_operator(RuntimeOrigin::root(), key(BOB)),
				BadOrigin
			);
			for who in [BOB, CHARLIE, DAVE] {
				register(who);
			}
			assert_noop!(
				InferenceOracle::register_operator(signed(GOVERNANCE), key(GOVERNANCE)),
				Error::<Test>::TooManyOperators
			);
		});
	}

	#[test]
	fn unregister_and_remove_release_the_bond() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			register(BOB);
			assert_ok!(InferenceOracle::unregister_operator(signed(ALICE)));
			assert_eq!(held(HoldReason::OperatorBond, ALICE), 0);
			assert!(OperatorByKey::<Test>::get(key(ALICE)).is_none());
			assert_noop!(
				InferenceOracle::unregister_operator(signed(ALICE)),
				Error::<Test>::NotOperator
			);
			assert_noop!(InferenceOracle::remove_operator(signed(ALICE), BOB), BadOrigin);
			assert_ok!(InferenceOracle::remove_operator(RuntimeOrigin::root(), BOB));
			assert_eq!(held(HoldReason::OperatorBond, BOB), 0);
			assert_eq!(events().last(), Some(&Event::OperatorRemoved { operator: BOB }));
			assert_noop!(
				InferenceOracle::remove_operator(RuntimeOrigin::root(), BOB),
				Error::<Test>::NotOperator
			);
		});
	}

	#[test]
	fn slash_burns_the_bond() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let issuance = Balances::total_issuance();
			assert_noop!(InferenceOracle::slash_operator(signed(BOB), ALICE), BadOrigin);
			assert_ok!(InferenceOracle::slash_operator(signed(GOVERNANCE), ALICE));
			assert_eq!(Balances::total_issuance(), issuance - BOND);
			assert_eq!(Balances::free_balance(ALICE), START_BALANCE - BOND);
			assert!(Operators::<Test>::get(ALICE).is_none());
			assert_eq!(
				events().last(),
				Some(&Event::OperatorSlashed { operator: ALICE, amount: BOND })
			);
			assert_noop!(
				InferenceOracle::slash_operator(RuntimeOrigin::root(), ALICE),
				Error::<Test>::NotOperator
			);
		});
	}
}

mod requests {
	use super::*;

	#[test]
	fn request_holds_the_fee_and_copies_the_contract() {
		ExtBuilder::build_and_execute(|| {
			let id = request(IRIS);
			let r = Requests::<Test>::get(id).unwrap();
			assert_eq!((r.model, r.version, r.model_hash), (IRIS, 1, model_hash(IRIS)));
			assert_eq!(Some(r.contract.clone()), MockModels::serving_contract(IRIS));
			// The base, and a byte price for the request, four 3-element submissions and a
			// result.
			let bytes = r.encoded_size() as u128 + 4 * (8 * 3 + 4 + 73) + (8 * 3 + 4 + 8);
			assert_eq!(r.deposit, DEPOSIT_BASE + DEPOSIT_PER_BYTE * bytes);
			assert_eq!(held(HoldReason::RequestRetention, DAPP), r.deposit);
			assert_eq!(r.input.to_vec(), vec![1, 2, 3, 4]);
			assert_eq!(r.deadline, 1 + WINDOW);
			assert_eq!(r.status, RequestStatus::Pending);
			assert!(PendingRequests::<Test>::contains_key(id));
			assert_eq!(Expiries::<Test>::get(2 + WINDOW).to_vec(), vec![id]);
			assert_eq!(held(HoldReason::RequestFee, DAPP), FEE);
			assert_eq!(
				events().last(),
				Some(&Event::InferenceRequested {
					request: id,
					requester: DAPP,
					model: IRIS,
					version: 1,
					fee: FEE,
					deposit: r.deposit,
					deadline: 1 + WINDOW,
				})
			);
		});
	}

	#[test]
	fn request_errors() {
		ExtBuilder::build_and_execute(|| {
			let call = |model, input: Vec<i64>, max_fee| {
				InferenceOracle::request_inference(signed(DAPP), model, input, max_fee)
			};
			// Refused requests are refunded the expiry they did not do.
			let refused = |error: DispatchError| {
				use frame::deps::frame_support::dispatch::WithPostDispatchInfo;
				error.with_weight(<() as WeightInfo>::request_inference())
			};
			let error = |e: Error<Test>| refused(e.into());
			assert_noop!(call(RETIRED, vec![1, 2, 3, 4], FEE), error(Error::NoActiveVersion));
			assert_noop!(call(IRIS, vec![1, 2, 3], FEE), error(Error::InputLengthMismatch));
			assert_noop!(call(IRIS, vec![1; 5], FEE), error(Error::InputLengthMismatch));
			assert_noop!(call(IRIS, vec![1, 2, 3, 4], FEE - 1), error(Error::FeeAboveMax));
			assert_noop!(
				InferenceOracle::request_inference(signed(POOR), IRIS, vec![1, 2, 3, 4], FEE),
				refused(TokenError::FundsUnavailable.into())
			);
			for _ in 0..MAX_REQUESTS_PER_BLOCK {
				request(IRIS);
			}
			assert_noop!(call(IRIS, vec![1, 2, 3, 4], FEE), error(Error::TooManyRequestsInBlock));
			System::set_block_number(2);
			request(IRIS);
		});
	}

	#[test]
	fn old_requests_are_pruned_after_the_retention_and_their_deposit_released() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let first = request(IRIS);
			let deposit = Requests::<Test>::get(first).unwrap().deposit;
			for block in 2..=(MAX_RETAINED as u64) {
				idle(block);
				request(IRIS);
			}
			idle(MAX_RETAINED as u64 + 1);
			// `on_idle` expired the oldest: the request is refunded the expiry it did not do.
			let post = InferenceOracle::request_inference(signed(DAPP), IRIS, vec![1, 2, 3, 4], FEE)
				.unwrap();
			assert_eq!(post.actual_weight, Some(<() as WeightInfo>::request_inference()));
			assert!(Requests::<Test>::get(first).is_none(), "pruned");
			assert_eq!(Requests::<Test>::iter().count() as u32, MAX_RETAINED);
			assert_eq!(held(HoldReason::RequestRetention, DAPP), deposit * MAX_RETAINED as u128);
		});
	}

	#[test]
	fn a_request_still_pending_at_the_retention_is_expired_before_it_is_pruned() {
		ExtBuilder::build_and_execute(|| {
			let first = request(IRIS);
			// Expiry never ran (no block had weight to spare).
			for block in 2..=(MAX_RETAINED as u64) {
				System::set_block_number(block);
				request(IRIS);
			}
			System::set_block_number(MAX_RETAINED as u64 + 1);
			// This one pays the expiry of the oldest: no refund.
			let post = InferenceOracle::request_inference(signed(DAPP), IRIS, vec![1, 2, 3, 4], FEE)
				.unwrap();
			assert_eq!(post.actual_weight, None);
			assert!(Requests::<Test>::get(first).is_none(), "pruned");
			assert!(events().contains(&Event::RequestExpired { request: first }));
			assert!(!PendingRequests::<Test>::contains_key(first));
			// The pruned request's fee and deposit are back.
			assert_eq!(held(HoldReason::RequestFee, DAPP), FEE * MAX_RETAINED as u128);
			// Expiry catches up once a block has weight for it.
			idle(MAX_RETAINED as u64 + 2);
		});
	}
}

mod submissions {
	use super::*;

	fn authorize(
		who: u64,
		signer: u64,
		request: RequestId,
		outcome: Outcome<Vec<i64>>,
	) -> Result<(), TransactionValidityError> {
		let submission = ResultSubmission { request, key: key(who), outcome };
		let signature = sign(signer, &submission.encode());
		let call = Call::<Test>::submit_result { submission, signature };
		call.authorize(TransactionSource::External)
			.expect("submit_result has authorize logic")
			.map(|_| ())
	}

	#[test]
	fn the_pool_accepts_a_signed_submission_from_a_registered_key_only() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let id = request(IRIS);
			assert_eq!(authorize(ALICE, ALICE, id, output(&[1, 2, 3])), Ok(()));
			assert_eq!(
				authorize(ALICE, BOB, id, output(&[1, 2, 3])),
				Err(InvalidTransaction::BadProof.into()),
				"signed by another key"
			);
			assert_eq!(
				authorize(BOB, BOB, id, output(&[1, 2, 3])),
				Err(InvalidTransaction::BadSigner.into()),
				"not a registered key"
			);
			assert_eq!(
				authorize(ALICE, ALICE, 99, output(&[1, 2, 3])),
				Err(InvalidTransaction::Stale.into())
			);
			assert_eq!(
				authorize(ALICE, ALICE, id, output(&[1, 2])),
				Err(refused(Error::<Test>::OutputLengthMismatch)),
				"wrong output length"
			);
			assert_ok!(submit(ALICE, id, output(&[1, 2, 3])));
			assert_eq!(
				authorize(ALICE, ALICE, id, output(&[1, 2, 3])),
				Err(InvalidTransaction::Stale.into()),
				"already submitted"
			);
		});
	}

	#[test]
	fn only_authorized_origins_may_submit() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let id = request(IRIS);
			let submission =
				ResultSubmission { request: id, key: key(ALICE), outcome: output(&[1, 2, 3]) };
			let signature = sign(ALICE, &submission.encode());
			assert_noop!(
				InferenceOracle::submit_result(signed(ALICE), submission, signature),
				BadOrigin
			);
		});
	}

	#[test]
	fn submit_errors_leave_state_unchanged() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let id = request(IRIS);
			assert_noop!(submit(ALICE, 99, output(&[1, 2, 3])), Error::<Test>::RequestNotFound);
			assert_noop!(submit(BOB, id, output(&[1, 2, 3])), Error::<Test>::UnknownOperatorKey);
			assert_noop!(submit(ALICE, id, output(&[1])), Error::<Test>::OutputLengthMismatch);
			assert_ok!(submit(ALICE, id, output(&[1, 2, 3])));
			assert_noop!(submit(ALICE, id, output(&[1, 2, 3])), Error::<Test>::AlreadySubmitted);
		});
	}

	#[test]
	fn honest_operators_finalize_and_a_liar_is_an_outlier() {
		ExtBuilder::build_and_execute(|| {
			for who in [ALICE, BOB, CHARLIE, DAVE] {
				register(who);
			}
			let id = request(IRIS);
			let truth = [980_000, 20_000, 0];
			assert_ok!(submit(CHARLIE, id, output(&[5, 5, 999_999])));
			assert_ok!(submit(ALICE, id, output(&truth)));
			assert!(Results::<Test>::get(id).is_none(), "one honest output is not enough");
			assert_ok!(submit(BOB, id, output(&[980_004, 19_996, 3])));

			let result = Results::<Test>::get(id).expect("finalized");
			// The lower median of each element: the honest values.
			assert_eq!(result.output.to_vec(), vec![980_000, 19_996, 3]);
			assert_eq!(Requests::<Test>::get(id).unwrap().status, RequestStatus::Finalized);
			assert!(!PendingRequests::<Test>::contains_key(id));
			assert!(events().contains(&Event::ResultFinalized {
				request: id,
				output: result.output.clone(),
				agreeing: BoundedVec::truncate_from(vec![ALICE, BOB]),
				outliers: BoundedVec::truncate_from(vec![CHARLIE]),
			}));
			// The fee is split between Alice and Bob.
			assert_eq!(Balances::free_balance(ALICE), START_BALANCE - BOND + FEE / 2);
			assert_eq!(Balances::free_balance(BOB), START_BALANCE - BOND + FEE / 2);
			assert_eq!(Balances::free_balance(CHARLIE), START_BALANCE - BOND);
			assert_eq!(Balances::total_balance(&DAPP), START_BALANCE - FEE);
			assert_eq!(
				(stats(ALICE), stats(CHARLIE), stats(DAVE)),
				((1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 0, 1))
			);
			// Too late now.
			assert_noop!(submit(DAVE, id, output(&truth)), Error::<Test>::RequestNotPending);
		});
	}

	#[test]
	fn failures_are_recorded_and_do_not_count_as_outputs() {
		ExtBuilder::build_and_execute(|| {
			for who in [ALICE, BOB, CHARLIE] {
				register(who);
			}
			let id = request(IRIS);
			assert_ok!(submit(
				ALICE,
				id,
				Outcome::Failed(Failure::Engine(ScoreError::UnsupportedOperator))
			));
			assert_ok!(submit(BOB, id, output(&[1, 2, 3])));
			assert!(Results::<Test>::get(id).is_none());
			assert_ok!(submit(CHARLIE, id, output(&[1, 2, 3])));
			assert!(Results::<Test>::get(id).is_some());
			assert_eq!(stats(ALICE), (0, 0, 1, 0));
			assert_eq!(Submissions::<Test>::get(id).len(), 3);
		});
	}

	#[test]
	fn labels_need_an_exact_majority() {
		ExtBuilder::build_and_execute(|| {
			for who in [ALICE, BOB, CHARLIE] {
				register(who);
			}
			let id = request(LABELS);
			assert_ok!(submit(ALICE, id, output(&[2])));
			assert_ok!(submit(BOB, id, output(&[1])));
			assert!(Results::<Test>::get(id).is_none(), "1 vs 2: no majority");
			assert_ok!(submit(CHARLIE, id, output(&[2])));
			assert_eq!(Results::<Test>::get(id).unwrap().output.to_vec(), vec![2]);
			assert_eq!(stats(BOB), (0, 1, 0, 0));
		});
	}

	#[test]
	fn a_request_without_agreement_expires_and_is_refunded() {
		ExtBuilder::build_and_execute(|| {
			for who in [ALICE, BOB, CHARLIE] {
				register(who);
			}
			let id = request(IRIS);
			assert_ok!(submit(ALICE, id, output(&[0, 0, 0])));
			assert_ok!(submit(BOB, id, Outcome::Failed(Failure::ModelBytesUnavailable)));
			for block in 2..=(1 + WINDOW) {
				idle(block);
				assert_eq!(Requests::<Test>::get(id).unwrap().status, RequestStatus::Pending);
			}
			// Still accepted in the deadline block; expired once it has passed.
			idle(2 + WINDOW);
			assert_eq!(Requests::<Test>::get(id).unwrap().status, RequestStatus::Expired);
			assert_eq!(held(HoldReason::RequestFee, DAPP), 0);
			let deposit = Requests::<Test>::get(id).unwrap().deposit;
			assert_eq!(held(HoldReason::RequestRetention, DAPP), deposit, "kept until pruned");
			assert_eq!(Balances::free_balance(DAPP), START_BALANCE - deposit);
			assert_eq!(events().last(), Some(&Event::RequestExpired { request: id }));
			assert_eq!(
				(stats(ALICE), stats(BOB), stats(CHARLIE)),
				((0, 0, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1))
			);
			assert_noop!(submit(CHARLIE, id, output(&[0, 0, 0])), Error::<Test>::RequestNotPending);
		});
	}

	#[test]
	fn closing_a_request_writes_only_its_submitters_records() {
		ExtBuilder::build_and_execute(|| {
			for who in [ALICE, BOB, CHARLIE, DAVE] {
				register(who);
			}
			let raw = |who: u64| Operators::<Test>::hashed_key_for(who);
			let dave_before = frame::deps::sp_io::storage::get(&raw(DAVE));
			let id = request(IRIS);
			assert_ok!(submit(ALICE, id, output(&[1, 2, 3])));
			assert_ok!(submit(BOB, id, output(&[1, 2, 3])));
			assert!(Results::<Test>::contains_key(id));
			assert_eq!((stats(ALICE), stats(BOB)), ((1, 0, 0, 0), (1, 0, 0, 0)));
			// Charlie and Dave missed it, and their records were not written.
			assert_eq!((stats(CHARLIE), stats(DAVE)), ((0, 0, 0, 1), (0, 0, 0, 1)));
			assert_eq!(frame::deps::sp_io::storage::get(&raw(DAVE)), dave_before);
			// An expiry counts the same way: a failure, an unagreed output, two misses.
			let id = request(IRIS);
			assert_ok!(submit(ALICE, id, output(&[1, 2, 3])));
			assert_ok!(submit(BOB, id, Outcome::Failed(Failure::ModelBytesUnavailable)));
			idle(2 + WINDOW);
			assert_eq!(Requests::<Test>::get(id).unwrap().status, RequestStatus::Expired);
			assert_eq!((stats(ALICE), stats(BOB)), ((1, 0, 0, 0), (1, 0, 1, 0)));
			assert_eq!((stats(CHARLIE), stats(DAVE)), ((0, 0, 0, 2), (0, 0, 0, 2)));
		});
	}

	#[test]
	fn an_operator_misses_only_requests_closed_while_it_was_registered() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			register(BOB);
			let early = request(IRIS);
			let pending = request(IRIS);
			assert_ok!(submit(ALICE, early, output(&[1, 2, 3])));
			assert_ok!(submit(BOB, early, output(&[1, 2, 3])));
			// Charlie registers after `early` closed and while `pending` is open.
			register(CHARLIE);
			assert_eq!(stats(CHARLIE), (0, 0, 0, 0));
			assert_ok!(submit(ALICE, pending, output(&[1, 2, 3])));
			assert_ok!(submit(BOB, pending, output(&[1, 2, 3])));
			assert_eq!(stats(CHARLIE), (0, 0, 0, 1), "closed while it was registered");
			// Leaving and coming back starts a new record.
			assert_ok!(InferenceOracle::unregister_operator(signed(CHARLIE)));
			register(CHARLIE);
			assert_eq!(stats(CHARLIE), (0, 0, 0, 0));
		});
	}

	#[test]
	fn a_submission_is_charged_for_every_operator_and_refunded_to_its_requests_count() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			register(BOB);
			let id = request(IRIS);
			let call = |who: u64| {
				let submission = ResultSubmission { request: id, key: key(who), outcome: output(&[1, 2, 3]) };
				let signature = sign(who, &submission.encode());
				Call::<Test>::submit_result { submission, signature }
			};
			let charged = call(ALICE).get_dispatch_info().call_weight;
			assert_eq!(charged, <() as WeightInfo>::submit_result(3, MAX_OPERATORS));
			for (who, submissions) in [(ALICE, 1), (BOB, 2)] {
				let post = call(who)
					.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into())
					.unwrap();
				let expected = <() as WeightInfo>::submit_result(3, submissions);
				assert_eq!(post.actual_weight, Some(expected));
				assert!(expected.all_lte(charged));
			}
			assert!(Results::<Test>::contains_key(id));
		});
	}
}

mod offchain_worker {
	use super::*;

	fn run_ocw(env: &mut OcwEnv, block: u64) {
		env.ext.execute_with(|| {
			System::set_block_number(block);
			InferenceOracle::offchain_worker(block);
		});
	}

	#[test]
	fn scores_each_pending_request_once_per_local_operator_key() {
		let mut env = OcwEnv::new(&[ALICE, BOB], true);
		let (first, second) = env.ext.execute_with(|| {
			register(ALICE);
			register(BOB);
			register(CHARLIE); // not this node's key
			(request(IRIS), request(LABELS))
		});
		run_ocw(&mut env, 1);
		let batches = env.take_batches();
		assert_eq!(batches.len(), 2, "one batch per local key");
		for (batch, signature) in &batches {
			use frame::deps::sp_runtime::RuntimeAppPublic;
			assert!(batch.key.verify(&batch.signing_payload(), signature), "signed by its key");
			assert_eq!(batch.items.len(), 2, "both requests");
			for item in &batch.items {
				let model = if item.request == first { IRIS } else { LABELS };
				assert_eq!(item.outcome, output(&honest_output(model, &[1, 2, 3, 4])));
			}
		}
		assert!(batches.iter().any(|(b, _)| b.key == key(BOB) && b.items[1].request == second));
		// Each model was loaded once, by the node from its offchain DB, and served twice.
		assert_eq!(*env.engine.loads.lock().unwrap(), 2);
		assert_eq!(*env.engine.indexed_loads.lock().unwrap(), 2);

		// Run again (the same block, and the next): nothing is sent twice.
		run_ocw(&mut env, 1);
		run_ocw(&mut env, 2);
		assert!(env.take_submissions().is_empty());
	}

	/// Applies every batch the worker sent, as the next block would.
	fn apply_sent(env: &mut OcwEnv) -> Vec<RequestId> {
		let batches = env.take_batches();
		env.ext.execute_with(|| {
			let mut answered = Vec::new();
			for (batch, signature) in batches {
				answered.extend(batch.items.iter().map(|item| item.request));
				let call = Call::<Test>::submit_results { batch, signature };
				assert_ok!(call.authorize(TransactionSource::External).unwrap());
				assert_ok!(call.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into()));
			}
			answered
		})
	}

	#[test]
	fn oldest_requests_are_scored_first_within_the_run_budget() {
		let mut env = OcwEnv::new(&[ALICE], true);
		let ids = env.ext.execute_with(|| {
			register(ALICE);
			register(BOB);
			let mut ids: Vec<_> = (0..MAX_REQUESTS_PER_BLOCK).map(|_| request(IRIS)).collect();
			System::set_block_number(2);
			ids.extend((0..MAX_REQUESTS_PER_BLOCK).map(|_| request(IRIS)));
			ids
		});
		run_ocw(&mut env, 2);
		let budget = MAX_SCORED_PER_RUN as usize;
		assert_eq!(apply_sent(&mut env), ids[..budget].to_vec(), "the oldest, up to the budget");
		run_ocw(&mut env, 3);
		assert_eq!(apply_sent(&mut env), ids[budget..].to_vec(), "the rest, next run");
	}

	#[test]
	fn answered_requests_cost_nothing_so_a_new_request_is_answered_next_run() {
		// Alice's node answers; Bob never does, so with `min_agreement` 2 every request
		// Alice answered stays pending: more of them than one run's budget.
		let mut env = OcwEnv::new(&[ALICE], true);
		env.ext.execute_with(|| {
			register(ALICE);
			register(BOB);
			for block in 1..=2 {
				System::set_block_number(block);
				for _ in 0..MAX_REQUESTS_PER_BLOCK {
					request(IRIS);
				}
			}
		});
		run_ocw(&mut env, 2);
		run_ocw(&mut env, 3);
		let answered = apply_sent(&mut env);
		assert_eq!(answered.len() as u32, 2 * MAX_REQUESTS_PER_BLOCK);
		assert!(answered.len() > MAX_SCORED_PER_RUN as usize);
		let new = env.ext.execute_with(|| {
			assert_eq!(PendingRequests::<Test>::count(), 2 * MAX_REQUESTS_PER_BLOCK);
			System::set_block_number(4);
			request(IRIS)
		});
		run_ocw(&mut env, 4);
		assert_eq!(apply_sent(&mut env), vec![new]);
		// And after the resend delay, answers already on-chain are still not sent again.
		run_ocw(&mut env, 4 + crate::offchain::RESEND_AFTER as u64);
		assert!(env.take_batches().is_empty());
	}

	#[test]
	fn a_request_whose_deadline_is_this_block_is_not_answered() {
		let mut env = OcwEnv::new(&[ALICE], true);
		env.ext.execute_with(|| {
			register(ALICE);
			request(IRIS);
		});
		// An answer sent after block `1 + WINDOW` lands after the deadline.
		run_ocw(&mut env, 1 + WINDOW);
		assert!(env.take_batches().is_empty());
	}

	#[test]
	fn failures_travel_in_a_batch_of_their_own() {
		let mut env = OcwEnv::new(&[ALICE], true);
		env.ext.execute_with(|| {
			set_golden_output(vec![9, 9, 9]);
			register(ALICE);
			request(IRIS);
			request(LABELS);
		});
		run_ocw(&mut env, 1);
		let batches = env.take_batches();
		assert_eq!(batches.len(), 2);
		let outcomes: Vec<Vec<_>> = batches
			.iter()
			.map(|(b, _)| b.items.iter().map(|i| i.outcome.clone()).collect())
			.collect();
		assert_eq!(outcomes[0], vec![output(&[1])], "labels: an output");
		assert_eq!(outcomes[1], vec![Outcome::Failed(Failure::GoldenVectorMismatch)]);
	}

	#[test]
	fn reports_requests_failures_and_submissions_to_the_node_metrics() {
		use aioracle_primitives::metrics::WorkerEvent::*;
		let mut env = OcwEnv::new(&[ALICE, BOB], true);
		let iris = model_hash(IRIS);
		env.ext.execute_with(|| {
			register(ALICE);
			register(BOB);
			request(IRIS);
		});
		run_ocw(&mut env, 1);
		assert_eq!(
			env.metrics.take(),
			vec![
				RequestSeen { model_hash: iris },
				SubmissionSent { model_hash: iris, output: true },
				SubmissionSent { model_hash: iris, output: true },
			]
		);
		run_ocw(&mut env, 2);
		assert_eq!(env.metrics.take(), vec![], "nothing new to do");

		// The submissions never reached the chain: resent, but the request is not new.
		env.take_submissions();
		run_ocw(&mut env, 1 + crate::offchain::RESEND_AFTER as u64);
		assert_eq!(env.take_submissions().len(), 2);
		assert_eq!(
			env.metrics.take(),
			vec![
				SubmissionSent { model_hash: iris, output: true },
				SubmissionSent { model_hash: iris, output: true },
			]
		);

		// A failing engine: the failure is counted once, and both keys report it.
		let mut env = OcwEnv::new(&[ALICE, BOB], true);
		*env.engine.fail_with.lock().unwrap() = Some(ScoreError::ExecutionFailed);
		env.ext.execute_with(|| {
			register(ALICE);
			register(BOB);
			request(IRIS);
		});
		run_ocw(&mut env, 1);
		let failure = Failure::Engine(ScoreError::ExecutionFailed);
		let events = env.metrics.take();
		assert_eq!(events[0], RequestSeen { model_hash: iris });
		assert_eq!(events[1], Failed { model_hash: iris, failure });
		assert_eq!(events[2..], [SubmissionSent { model_hash: iris, output: false }; 2][..]);
	}

	#[test]
	fn submissions_reach_the_chain_and_finalize() {
		let mut env = OcwEnv::new(&[ALICE, BOB], true);
		let id = env.ext.execute_with(|| {
			register(ALICE);
			register(BOB);
			request(IRIS)
		});
		run_ocw(&mut env, 1);
		let batches = env.take_batches();
		env.ext.execute_with(|| {
			for (batch, signature) in batches {
				let call = Call::<Test>::submit_results { batch, signature };
				assert_ok!(call.authorize(TransactionSource::External).unwrap());
				assert_ok!(call.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into()));
			}
			let result = Results::<Test>::get(id).expect("two honest operators agree");
			assert_eq!(result.output.to_vec(), honest_output(IRIS, &[1, 2, 3, 4]));
			InferenceOracle::do_try_state().unwrap();
		});
	}

	#[test]
	fn a_submission_already_on_chain_is_not_sent() {
		let mut env = OcwEnv::new(&[ALICE], true);
		env.ext.execute_with(|| {
			register(ALICE);
			register(BOB);
			let id = request(IRIS);
			assert_ok!(submit(ALICE, id, output(&[1, 2, 3])));
		});
		run_ocw(&mut env, 1);
		assert!(env.take_submissions().is_empty());
	}

	#[test]
	fn missing_bytes_are_reported_as_a_failure() {
		let mut env = OcwEnv::new(&[ALICE], false);
		env.ext.execute_with(|| {
			register(ALICE);
			request(IRIS);
		});
		run_ocw(&mut env, 1);
		let sent = env.take_submissions();
		assert_eq!(sent.len(), 1);
		assert_eq!(sent[0].outcome, Outcome::Failed(Failure::ModelBytesUnavailable));
	}

	fn expect_get(env: &OcwEnv, uri: &str, body: Vec<u8>) {
		use frame::deps::sp_core::offchain::testing::PendingRequest;
		env.offchain.write().expect_request(PendingRequest {
			method: "GET".into(),
			uri: uri.into(),
			response: Some(body),
			sent: true,
			..Default::default()
		});
	}

	/// Alice's node without the model bytes, and a request on a version whose bytes are at
	/// the returned URI.
	fn request_with_bytes_only_at_the_uri() -> (OcwEnv, &'static str) {
		let mut env = OcwEnv::new(&[ALICE], false);
		let uri = "https://models.example/iris.onnx";
		env.ext.execute_with(|| {
			set_uri(uri);
			register(ALICE);
			request(IRIS);
		});
		(env, uri)
	}

	#[test]
	fn bytes_missing_locally_are_fetched_from_the_uri_and_kept() {
		let (mut env, uri) = request_with_bytes_only_at_the_uri();
		expect_get(&env, uri, onnx_bytes(IRIS));
		run_ocw(&mut env, 1);
		let sent = env.take_submissions();
		assert_eq!(sent[0].outcome, output(&honest_output(IRIS, &[1, 2, 3, 4])));
		let key = aioracle_primitives::model::model_bytes_key(&model_hash(IRIS));
		assert_eq!(env.offchain.read().persistent_storage.get(&key), Some(onnx_bytes(IRIS)));
	}

	#[test]
	fn fetched_bytes_with_the_wrong_hash_are_refused() {
		let (mut env, uri) = request_with_bytes_only_at_the_uri();
		expect_get(&env, uri, b"tampered bytes".to_vec());
		run_ocw(&mut env, 1);
		let sent = env.take_submissions();
		assert_eq!(sent[0].outcome, Outcome::Failed(Failure::ModelBytesUnavailable));
		assert_eq!(*env.engine.loads.lock().unwrap(), 0, "nothing was loaded");
	}

	#[test]
	fn a_model_whose_golden_vectors_fail_is_not_served() {
		let mut env = OcwEnv::new(&[ALICE], true);
		env.ext.execute_with(|| {
			set_golden_output(vec![1, 2, 3]);
			register(ALICE);
			request(IRIS);
		});
		run_ocw(&mut env, 1);
		let sent = env.take_submissions();
		assert_eq!(sent[0].outcome, Outcome::Failed(Failure::GoldenVectorMismatch));
	}

	#[test]
	fn engine_errors_are_reported() {
		let mut env = OcwEnv::new(&[ALICE], true);
		env.ext.execute_with(|| {
			register(ALICE);
			request(IRIS);
		});
		*env.engine.fail_with.lock().unwrap() = Some(ScoreError::NonFiniteOutput);
		run_ocw(&mut env, 1);
		let sent = env.take_submissions();
		assert_eq!(
			sent[0].outcome,
			Outcome::Failed(Failure::Engine(ScoreError::NonFiniteOutput))
		);
	}

	#[test]
	fn a_node_without_operator_keys_sends_nothing() {
		let mut env = OcwEnv::new(&[], true);
		env.ext.execute_with(|| {
			register(ALICE);
			request(IRIS);
		});
		run_ocw(&mut env, 1);
		assert!(env.take_submissions().is_empty());
	}

	#[test]
	fn the_host_function_is_unavailable_outside_an_offchain_worker() {
		ExtBuilder::build().execute_with(|| {
			assert_eq!(onnx::is_loaded(model_hash(IRIS)), Err(ScoreError::Unavailable));
			assert_eq!(
				onnx::load(model_hash(IRIS), &onnx_bytes(IRIS)),
				Err(ScoreError::Unavailable)
			);
		});
	}
}

/// Batches: the pool's one-pass check, partial validity in the block, refunds.
mod batches {
	use super::*;

	fn authorize(call: &Call<Test>) -> Result<ValidTransaction, TransactionValidityError> {
		call.authorize(TransactionSource::External)
			.expect("submit_results has authorize logic")
			.map(|(validity, _)| validity)
	}

	fn dispatch(call: Call<Test>) -> DispatchResultWithPostInfo {
		call.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into())
	}

	const IRIS_OUT: [i64; 3] = [1, 2, 3];

	#[test]
	fn the_pool_accepts_a_valid_batch_with_a_tag_per_owed_item() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let (a, b) = (request(IRIS), request(LABELS));
			let call = batch(ALICE, ALICE, &[(a, output(&IRIS_OUT)), (b, output(&[2]))]);
			let validity = authorize(&call).expect("valid");
			assert_eq!(validity.provides.len(), 2);
			// The same tag a single submission to `a` provides: the pool keeps one of them.
			let single = ResultSubmission { request: a, key: key(ALICE), outcome: output(&IRIS_OUT) };
			let signature = sign(ALICE, &single.encode());
			let single = Call::<Test>::submit_result { submission: single, signature };
			let (single, _) = single.authorize(TransactionSource::External).unwrap().unwrap();
			assert_eq!(single.provides, vec![validity.provides[0].clone()]);
		});
	}

	#[test]
	fn the_pool_refuses_bad_batches_with_a_named_error() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let ids: Vec<_> = (0..MAX_REQUESTS_PER_BLOCK).map(|_| request(IRIS)).collect();
			System::set_block_number(2);
			let extra = request(IRIS);
			let good = (ids[0], output(&IRIS_OUT));
			assert_eq!(authorize(&batch(ALICE, ALICE, &[])), Err(refused(Error::<Test>::EmptyBatch)));
			let too_many: Vec<_> =
				ids.iter().chain([&extra]).map(|id| (*id, output(&IRIS_OUT))).collect();
			assert_eq!(
				authorize(&batch(ALICE, ALICE, &too_many)),
				Err(refused(Error::<Test>::BatchTooLarge))
			);
			assert_eq!(
				authorize(&batch(ALICE, ALICE, &[good.clone(), good.clone()])),
				Err(refused(Error::<Test>::DuplicateBatchItem))
			);
			assert_eq!(
				authorize(&batch(ALICE, ALICE, &[good.clone(), (ids[1], output(&[1]))])),
				Err(refused(Error::<Test>::OutputLengthMismatch)),
				"one item of the wrong length refuses the batch"
			);
			assert_eq!(
				authorize(&batch(ALICE, BOB, &[good.clone()])),
				Err(InvalidTransaction::BadProof.into()),
				"signed by another key"
			);
			assert_eq!(
				authorize(&batch(BOB, BOB, &[good.clone()])),
				Err(InvalidTransaction::BadSigner.into()),
				"an unknown key"
			);
			// A single submission's signature does not pass for a batch's.
			let single = ResultSubmission { request: ids[0], key: key(ALICE), outcome: output(&IRIS_OUT) };
			let Call::submit_results { batch: one, .. } = batch(ALICE, ALICE, &[good.clone()]) else {
				unreachable!()
			};
			let replayed = Call::<Test>::submit_results {
				batch: one,
				signature: sign(ALICE, &single.encode()),
			};
			assert_eq!(authorize(&replayed), Err(InvalidTransaction::BadProof.into()));
			// Nothing owed any more: stale.
			assert_ok!(submit(ALICE, ids[0], output(&IRIS_OUT)));
			assert_eq!(
				authorize(&batch(ALICE, ALICE, &[good.clone(), (99, output(&IRIS_OUT))])),
				Err(InvalidTransaction::Stale.into())
			);
			// Refused batches changed nothing.
			assert_eq!(Submissions::<Test>::get(ids[1]).len(), 0);
		});
	}

	#[test]
	fn items_for_closed_requests_are_skipped_and_refunded() {
		ExtBuilder::build_and_execute(|| {
			for who in [ALICE, BOB, CHARLIE] {
				register(who);
			}
			let (a, b) = (request(IRIS), request(IRIS));
			// Alice and Bob finalize `a` before Charlie's batch lands.
			let charlie = batch(CHARLIE, CHARLIE, &[(a, output(&IRIS_OUT)), (b, output(&IRIS_OUT))]);
			assert_ok!(authorize(&charlie));
			assert_ok!(submit(ALICE, a, output(&IRIS_OUT)));
			assert_ok!(submit(BOB, a, output(&IRIS_OUT)));
			assert_eq!(Requests::<Test>::get(a).unwrap().status, RequestStatus::Finalized);

			let charged = charlie.get_dispatch_info().call_weight;
			let post = dispatch(charlie).expect("a partly stale batch still applies");
			assert_eq!(Submissions::<Test>::get(b).len(), 1, "the owed item was recorded");
			assert_eq!(Submissions::<Test>::get(a).len(), 2, "the closed one was not");
			assert_eq!(
				events().last(),
				Some(&Event::BatchSubmitted { operator: CHARLIE, accepted: 1, skipped: 1 })
			);
			let skip_one = <() as WeightInfo>::submit_results_skipped(1)
				.saturating_sub(<() as WeightInfo>::submit_results_skipped(0));
			let expected = InferenceOracle::batch_weight(1, 3, 1).saturating_add(skip_one);
			assert_eq!(post.actual_weight, Some(expected));
			assert!(expected.all_lte(charged), "refunded, never charged more");
			// `a` closed without Charlie's answer: a miss, as for any late operator.
			assert_eq!(stats(CHARLIE), (0, 0, 0, 1));
		});
	}

	#[test]
	fn a_batch_finalizes_every_request_it_completes() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			register(BOB);
			let ids: Vec<_> = (0..MAX_BATCH_LEN).map(|_| request(IRIS)).collect();
			let items: Vec<_> = ids.iter().map(|id| (*id, output(&IRIS_OUT))).collect();
			assert_ok!(dispatch(batch(ALICE, ALICE, &items)));
			assert!(ids.iter().all(|id| !Results::<Test>::contains_key(id)), "one of two");
			assert_ok!(dispatch(batch(BOB, BOB, &items)));
			for id in &ids {
				assert_eq!(Results::<Test>::get(id).unwrap().output.to_vec(), IRIS_OUT.to_vec());
			}
			assert_eq!(stats(ALICE), (MAX_BATCH_LEN, 0, 0, 0));
			assert_eq!(Balances::free_balance(ALICE), START_BALANCE - BOND + FEE / 2 * 3);
			// Applying the same batch again records nothing and charges only the skips.
			let post = dispatch(batch(ALICE, ALICE, &items)).unwrap();
			assert_eq!(
				post.actual_weight,
				Some(
					InferenceOracle::batch_weight(0, 3, 1).saturating_add(
						<() as WeightInfo>::submit_results_skipped(3)
							.saturating_sub(<() as WeightInfo>::submit_results_skipped(0))
					)
				)
			);
		});
	}

	#[test]
	fn a_batch_from_an_unregistered_key_fails_whole_and_changes_nothing() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let id = request(IRIS);
			let call = batch(BOB, BOB, &[(id, output(&IRIS_OUT))]);
			assert_noop!(dispatch(call).map_err(|e| e.error), Error::<Test>::UnknownOperatorKey);
		});
	}

	#[test]
	fn the_charged_weight_follows_the_outputs_length() {
		let l = |items: &[(RequestId, Outcome<Vec<i64>>)]| {
			let Call::submit_results { batch, .. } = batch(ALICE, ALICE, items) else {
				unreachable!()
			};
			batch.charged_output_len(8)
		};
		assert_eq!(l(&[(0, output(&[1, 2, 3])), (1, output(&[1]))]), 3);
		assert_eq!(l(&[(0, output(&[1]))]), 1);
		assert_eq!(l(&[(0, output(&[1])), (1, Outcome::Failed(Failure::ModelBytesUnavailable))]), 8);
		assert_eq!(l(&[(0, output(&[1; 20]))]), 8, "capped at MaxOutputLen");
	}
}

/// Expiry in `on_idle`: bounded by the weight left, oldest first, nothing lost.
mod expiry {
	use super::*;

	#[test]
	fn a_request_past_its_deadline_takes_no_submission() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let id = request(IRIS);
			System::set_block_number(2 + WINDOW);
			assert_noop!(submit(ALICE, id, output(&[1, 2, 3])), Error::<Test>::DeadlinePassed);
			let call = batch(ALICE, ALICE, &[(id, output(&[1, 2, 3]))]);
			assert_eq!(
				call.authorize(TransactionSource::External).unwrap().map(|_| ()),
				Err(InvalidTransaction::Stale.into())
			);
		});
	}

	#[test]
	fn expiry_does_what_the_weight_left_allows_and_the_rest_next_block() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let ids: Vec<_> = (0..MAX_REQUESTS_PER_BLOCK).map(|_| request(IRIS)).collect();
			for block in 2..=(1 + WINDOW) {
				idle(block);
			}
			let due = 2 + WINDOW;
			System::set_block_number(due);
			// Room for the cursor, one entry and one expiry.
			let step = <() as WeightInfo>::expiry_step();
			let one = <() as WeightInfo>::expire(3);
			let used = InferenceOracle::on_idle(due, step.saturating_mul(2).saturating_add(one));
			assert!(used.all_lte(step.saturating_mul(2).saturating_add(one)));
			let status = |id| Requests::<Test>::get(id).unwrap().status;
			assert_eq!(status(ids[0]), RequestStatus::Expired, "the oldest first");
			assert_eq!(status(ids[1]), RequestStatus::Pending);
			assert_eq!(Expiries::<Test>::get(due).to_vec(), ids[1..].to_vec(), "kept in place");
			assert_eq!(ExpiryCursor::<Test>::get(), due);
			// Too little for anything: nothing happens.
			assert_eq!(InferenceOracle::on_idle(due, Weight::zero()), Weight::zero());
			InferenceOracle::do_try_state().unwrap();
			// The next block has room: the rest expire, refunded.
			idle(due + 1);
			assert!(ids.iter().all(|id| status(*id) == RequestStatus::Expired));
			assert_eq!(held(HoldReason::RequestFee, DAPP), 0);
			assert_eq!(ExpiryCursor::<Test>::get(), due + 2);
		});
	}

	#[test]
	fn a_request_finalized_in_time_is_not_expired() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			register(BOB);
			let id = request(IRIS);
			assert_ok!(submit(ALICE, id, output(&[1, 2, 3])));
			assert_ok!(submit(BOB, id, output(&[1, 2, 3])));
			for block in 2..=(3 + WINDOW) {
				idle(block);
			}
			assert_eq!(Requests::<Test>::get(id).unwrap().status, RequestStatus::Finalized);
			assert!(!events().contains(&Event::RequestExpired { request: id }));
		});
	}
}

/// The v0 -> v1 storage migration.
mod migration {
	use super::*;
	use crate::migrations::v1;
	use frame::traits::OnRuntimeUpgrade;

	#[test]
	fn v0_requests_get_their_whole_contract_and_the_cursor_starts_now() {
		ExtBuilder::build_and_execute(|| {
			StorageVersion::new(0).put::<InferenceOracle>();
			let contract = MockModels::serving_contract(IRIS).unwrap();
			assert_ok!(Balances::hold(&HoldReason::RequestFee.into(), &DAPP, FEE));
			let old = v1::RequestV0Of::<Test> {
				requester: DAPP,
				model: IRIS,
				version: 1,
				model_hash: model_hash(IRIS),
				input: BoundedVec::truncate_from(vec![1, 2, 3, 4]),
				output: contract.output.clone(),
				aggregation: contract.aggregation,
				min_agreement: contract.min_agreement,
				fee: FEE,
				created_at: 1,
				deadline: 1 + WINDOW,
				status: RequestStatus::Pending,
			};
			v1::Requests::<Test>::insert(0, old);
			PendingRequests::<Test>::insert(0, ());
			NextRequestId::<Test>::put(1);
			assert_ok!(Expiries::<Test>::try_append(2 + WINDOW, 0));
			System::set_block_number(3);

			// Under try-runtime, with its checks before and after.
			#[cfg(feature = "try-runtime")]
			v1::MigrateV0ToV1::<Test>::try_on_runtime_upgrade(true).unwrap();
			#[cfg(not(feature = "try-runtime"))]
			v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();

			assert_eq!(StorageVersion::get::<InferenceOracle>(), 1);
			let new = Requests::<Test>::get(0).expect("translated");
			assert_eq!(new.contract, contract);
			assert_eq!((new.input.to_vec(), new.fee, new.deposit), (vec![1, 2, 3, 4], FEE, 0));
			assert_eq!(ExpiryCursor::<Test>::get(), 3);
			InferenceOracle::do_try_state().unwrap();
			// The migrated request is served as any other.
			register(ALICE);
			register(BOB);
			assert_ok!(submit(ALICE, 0, output(&[1, 2, 3])));
			assert_ok!(submit(BOB, 0, output(&[1, 2, 3])));
			assert!(Results::<Test>::contains_key(0));
			// Run again: a no-op.
			let weight = v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
			let read = <<Test as frame_system::Config>::DbWeight as Get<frame::deps::frame_support::weights::RuntimeDbWeight>>::get().reads(1);
			assert_eq!(weight, read);
		});
	}
}

/// The transaction extension that keeps requests out of a block full of them.
mod capacity {
	use super::*;
	use frame::deps::sp_runtime::traits::TransactionExtension;

	fn prepare(call: &RuntimeCall) -> Result<(), TransactionValidityError> {
		let info = call.get_dispatch_info();
		CheckRequestCapacity::<Test>::new().prepare((), &signed(DAPP), call, &info, 0)
	}

	#[test]
	fn a_block_full_of_requests_leaves_the_next_one_in_the_pool() {
		ExtBuilder::build_and_execute(|| {
			let make = RuntimeCall::InferenceOracle(Call::request_inference {
				model: IRIS,
				input: vec![1, 2, 3, 4],
				max_fee: FEE,
			});
			let other =
				RuntimeCall::InferenceOracle(Call::register_operator { key: key(ALICE) });
			for _ in 0..MAX_REQUESTS_PER_BLOCK {
				assert_ok!(prepare(&make));
				request(IRIS);
			}
			assert_eq!(prepare(&make), Err(InvalidTransaction::ExhaustsResources.into()));
			assert_eq!(prepare(&other), Ok(()), "other calls pass");
			// The next block has room again.
			System::set_block_number(2);
			assert_ok!(prepare(&make));
			let extension = CheckRequestCapacity::<Test>::new();
			let read = <<Test as frame_system::Config>::DbWeight as Get<
				frame::deps::frame_support::weights::RuntimeDbWeight,
			>>::get()
			.reads(1);
			assert_eq!(extension.weight(&make), read);
			assert_eq!(extension.weight(&other), Weight::zero());
		});
	}
}

/// The v1 -> v2 storage migration.
mod migration_v2 {
	use super::*;
	use crate::migrations::v2;
	use frame::traits::OnRuntimeUpgrade;

	#[test]
	fn v1_operators_keep_their_counts_and_misses_follow_from_closed_requests() {
		ExtBuilder::build_and_execute(|| {
			StorageVersion::new(1).put::<InferenceOracle>();
			// Ten requests closed, Alice missed three of them and answered six.
			NextRequestId::<Test>::put(10);
			let old = v2::OperatorV1Of::<Test> {
				key: key(ALICE),
				bond: BOND,
				agreements: 4,
				outliers: 1,
				failures: 1,
				misses: 3,
			};
			v2::Operators::<Test>::insert(ALICE, old);
			OperatorByKey::<Test>::insert(key(ALICE), ALICE);
			assert_ok!(Balances::hold(&HoldReason::OperatorBond.into(), &ALICE, BOND));

			// Under try-runtime, with its checks before and after (misses kept, invariants).
			#[cfg(feature = "try-runtime")]
			v2::MigrateV1ToV2::<Test>::try_on_runtime_upgrade(true).unwrap();
			#[cfg(not(feature = "try-runtime"))]
			v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();

			assert_eq!(StorageVersion::get::<InferenceOracle>(), 2);
			let new = Operators::<Test>::get(ALICE).expect("translated");
			assert_eq!((new.key, new.bond, new.answered), (key(ALICE), BOND, 6));
			assert_eq!(stats(ALICE), (4, 1, 1, 3));
			InferenceOracle::do_try_state().unwrap();
			// Counting goes on from there: a missed request, then an agreement.
			register(BOB);
			register(CHARLIE);
			let missed = request(IRIS);
			assert_ok!(submit(BOB, missed, output(&[1, 2, 3])));
			assert_ok!(submit(CHARLIE, missed, output(&[1, 2, 3])));
			assert_eq!(stats(ALICE), (4, 1, 1, 4));
			let agreed = request(IRIS);
			assert_ok!(submit(ALICE, agreed, output(&[1, 2, 3])));
			assert_ok!(submit(BOB, agreed, output(&[1, 2, 3])));
			assert_eq!(stats(ALICE), (5, 1, 1, 4));
			// Run again: a no-op.
			let before = Operators::<Test>::get(ALICE);
			v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
			assert_eq!(Operators::<Test>::get(ALICE), before);
		});
	}
}

/// The aggregation rules on their own (`aggregate.rs`).
mod aggregation {
	use crate::aggregate::aggregate;
	use aioracle_primitives::model::Aggregation;

	const MEDIAN: Aggregation = Aggregation::Median { tolerance: 5 };

	#[test]
	fn median_accepts_honest_operators_and_flags_a_liar() {
		let outputs: [&[i64]; 3] = [&[980_000, 20_000], &[980_003, 19_998], &[10, 990_000]];
		let accepted = aggregate(MEDIAN, 2, &outputs).unwrap();
		assert_eq!(accepted.output, vec![980_000, 20_000]);
		assert_eq!(accepted.agrees, vec![true, true, false]);
	}

	#[test]
	fn median_waits_for_enough_agreement() {
		let outputs: [&[i64]; 2] = [&[100], &[200]];
		assert_eq!(aggregate(MEDIAN, 2, &outputs), None, "two far apart: no agreement");
		assert_eq!(aggregate(MEDIAN, 3, &outputs[..1]), None, "too few outputs");
		let accepted = aggregate(MEDIAN, 1, &outputs).unwrap();
		assert_eq!(accepted.output, vec![100], "the lower median");
	}

	#[test]
	fn median_is_per_element_and_one_bad_element_makes_an_outlier() {
		let outputs: [&[i64]; 3] = [&[1, 50], &[2, 60], &[3, 70]];
		let accepted = aggregate(Aggregation::Median { tolerance: 10 }, 2, &outputs).unwrap();
		assert_eq!(accepted.output, vec![2, 60]);
		assert_eq!(accepted.agrees, vec![true, true, true]);
		let accepted = aggregate(Aggregation::Median { tolerance: 9 }, 1, &outputs).unwrap();
		assert_eq!(accepted.agrees, vec![false, true, false]);
	}

	#[test]
	fn two_liars_cannot_outvote_three_honest_operators() {
		let outputs: [&[i64]; 5] = [&[7], &[1_000], &[8], &[-1_000], &[7]];
		let accepted = aggregate(Aggregation::Median { tolerance: 1 }, 3, &outputs).unwrap();
		assert_eq!(accepted.output, vec![7]);
		assert_eq!(accepted.agrees, vec![true, false, true, false, true]);
	}

	#[test]
	fn exact_majority_needs_more_than_half() {
		let outputs: [&[i64]; 3] = [&[2], &[2], &[1]];
		let accepted = aggregate(Aggregation::ExactMajority, 2, &outputs).unwrap();
		assert_eq!((accepted.output, accepted.agrees), (vec![2], vec![true, true, false]));
		let tied: [&[i64]; 4] = [&[2], &[2], &[1], &[1]];
		assert_eq!(aggregate(Aggregation::ExactMajority, 2, &tied), None);
		let split: [&[i64]; 3] = [&[0], &[1], &[2]];
		assert_eq!(aggregate(Aggregation::ExactMajority, 1, &split), None);
	}

	#[test]
	fn unequal_lengths_never_aggregate() {
		let outputs: [&[i64]; 2] = [&[1, 2], &[1]];
		assert_eq!(aggregate(MEDIAN, 1, &outputs), None);
	}
}
