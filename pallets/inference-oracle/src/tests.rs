//! Unit tests: operators, requests, authorization of submissions, aggregation with honest,
//! lying, failing and missing operators, expiry, retention, and the off-chain worker.

use crate::{mock::*, *};
use aioracle_primitives::onnx::{onnx, ModelSource, ScoreError};
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
	assert_ok!(InferenceOracle::register_operator(signed(who), key(who), BOND));
}

/// The committee of `request`.
fn committee(request: RequestId) -> Vec<u64> {
	Committees::<Test>::get(request).into_inner()
}

/// Alice, Bob, Charlie and Dave register with the least bond, and `IRIS`, asking for
/// `min_agreement` agreeing operators, is requested: the request, its committee of three
/// (capped by `MAX_COMMITTEE`), and the one operator not drawn.
fn four_operators_and_a_request(min_agreement: u32) -> (RequestId, Vec<u64>, u64) {
	set_min_agreement(min_agreement);
	let operators = [ALICE, BOB, CHARLIE, DAVE];
	for who in operators {
		register(who);
	}
	let id = request(IRIS);
	let members = committee(id);
	assert_eq!(members.len(), 3);
	assert!(members.iter().all(|m| operators.contains(m)));
	let outsider = operators.into_iter().find(|w| !members.contains(w)).expect("one not drawn");
	(id, members, outsider)
}

fn request(model: ModelId) -> RequestId {
	assert_ok!(InferenceOracle::request_inference(signed(DAPP), model, vec![1, 2, 3, 4], FEE));
	NextRequestId::<Test>::get() - 1
}

/// `who` submits `outcome` itself for `request` (a committee of one) through the
/// authorized call, as its OCW would.
fn submit(who: u64, request: RequestId, outcome: Outcome<Vec<i64>>) -> DispatchResult {
	send(who, request, Answer::Outcome(outcome))
}

/// `who`'s salt for its commitments.
fn salt(who: u64) -> [u8; 32] {
	[who as u8; 32]
}

/// `who` commits to `outcome` for `request`.
fn commit(who: u64, request: RequestId, outcome: &Outcome<Vec<i64>>) -> DispatchResult {
	send(who, request, Answer::Commit(commitment(request, &who, outcome, &salt(who))))
}

/// `who` reveals `outcome` for `request`.
fn reveal(who: u64, request: RequestId, outcome: Outcome<Vec<i64>>) -> DispatchResult {
	send(who, request, Answer::Reveal { outcome, salt: salt(who) })
}

/// Every `(member, outcome)` commits, then every one reveals, in the order given.
fn commit_and_reveal(request: RequestId, answers: &[(u64, Outcome<Vec<i64>>)]) {
	for (who, outcome) in answers {
		assert_ok!(commit(*who, request, outcome));
	}
	for (who, outcome) in answers {
		assert_ok!(reveal(*who, request, outcome.clone()));
	}
}

/// `who` sends `answer` for `request` through the authorized call.
fn send(who: u64, request: RequestId, answer: Answer) -> DispatchResult {
	let submission = ResultSubmission { request, key: key(who), answer };
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
			.map(|(request, outcome)| BatchItem {
				request: *request,
				answer: Answer::Outcome(outcome.clone()),
				canary: None,
			})
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

/// `who`'s agreements, outliers, failures and no-shows.
fn stats(who: u64) -> (u32, u32, u32, u32) {
	let o = Operators::<Test>::get(who).unwrap();
	(o.agreements, o.outliers, o.failures, o.no_shows)
}

/// `who`'s bond.
fn bond(who: u64) -> u128 {
	Operators::<Test>::get(who).unwrap().bond
}

mod operators {
	use super::*;

	#[test]
	fn register_holds_the_bond_and_joins_the_set() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			assert_ok!(InferenceOracle::register_operator(signed(BOB), key(BOB), 3 * BOND));
			assert_eq!(held(HoldReason::OperatorBond, ALICE), BOND);
			assert_eq!(held(HoldReason::OperatorBond, BOB), 3 * BOND);
			assert_eq!(OperatorByKey::<Test>::get(key(ALICE)), Some(ALICE));
			assert_eq!(OperatorSet::<Test>::get().to_vec(), vec![(BOB, 3 * BOND), (ALICE, BOND)]);
			assert_eq!(
				events().last(),
				Some(&Event::OperatorRegistered { operator: BOB, key: key(BOB), bond: 3 * BOND })
			);
		});
	}

	#[test]
	fn register_errors() {
		ExtBuilder::build_and_execute(|| {
			let call = |who: u64, key, bond| InferenceOracle::register_operator(signed(who), key, bond);
			register(ALICE);
			assert_noop!(call(ALICE, key(BOB), BOND), Error::<Test>::AlreadyOperator);
			assert_noop!(call(BOB, key(ALICE), BOND), Error::<Test>::KeyInUse);
			assert_noop!(call(BOB, key(BOB), BOND - 1), Error::<Test>::BondTooLow);
			assert_noop!(call(POOR, key(POOR), BOND), TokenError::FundsUnavailable);
			assert_noop!(
				InferenceOracle::register_operator(RuntimeOrigin::root(), key(BOB), BOND),
				BadOrigin
			);
			for who in [BOB, CHARLIE, DAVE] {
				register(who);
			}
			assert_noop!(
				call(GOVERNANCE, key(GOVERNANCE), BOND),
				Error::<Test>::TooManyOperators
			);
		});
	}

	#[test]
	fn a_full_set_takes_a_larger_bond_in_place_of_the_smallest() {
		ExtBuilder::build_and_execute(|| {
			// One actor fills every seat with the least bond...
			for who in [ALICE, BOB, CHARLIE, DAVE] {
				register(who);
			}
			// ... and an honest newcomer with more at stake still gets in: the latest of the
			// smallest bonds leaves.
			assert_ok!(InferenceOracle::register_operator(
				signed(GOVERNANCE),
				key(GOVERNANCE),
				BOND + 1
			));
			let set: Vec<u64> = OperatorSet::<Test>::get().iter().map(|(who, _)| *who).collect();
			assert_eq!(set, vec![GOVERNANCE, ALICE, BOB, CHARLIE]);
			assert!(events().contains(&Event::OperatorLeaving {
				operator: DAVE,
				reason: LeaveReason::Displaced,
				withdrawable_at: 1 + UNBONDING,
			}));
			// Dave is still bonded (slashable for its committees) until it withdraws.
			assert_eq!(held(HoldReason::OperatorBond, DAVE), BOND);
			System::set_block_number(1 + UNBONDING);
			assert_ok!(InferenceOracle::withdraw_bond(signed(DAVE)));
			assert_eq!(held(HoldReason::OperatorBond, DAVE), 0);
		});
	}

	#[test]
	fn leaving_unbonds_and_the_bond_is_withdrawn_after_the_period() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			register(BOB);
			assert_noop!(InferenceOracle::withdraw_bond(signed(ALICE)), Error::<Test>::NotLeaving);
			assert_ok!(InferenceOracle::unregister_operator(signed(ALICE)));
			assert_eq!(OperatorSet::<Test>::get().to_vec(), vec![(BOB, BOND)]);
			assert_eq!(held(HoldReason::OperatorBond, ALICE), BOND, "still bonded");
			assert_noop!(
				InferenceOracle::unregister_operator(signed(ALICE)),
				Error::<Test>::AlreadyLeaving
			);
			assert_noop!(
				InferenceOracle::register_operator(signed(ALICE), key(DAVE), BOND),
				Error::<Test>::AlreadyOperator
			);
			System::set_block_number(UNBONDING);
			assert_noop!(InferenceOracle::withdraw_bond(signed(ALICE)), Error::<Test>::StillUnbonding);
			System::set_block_number(1 + UNBONDING);
			assert_ok!(InferenceOracle::withdraw_bond(signed(ALICE)));
			assert_eq!(held(HoldReason::OperatorBond, ALICE), 0);
			assert!(OperatorByKey::<Test>::get(key(ALICE)).is_none());
			assert_eq!(
				events().last(),
				Some(&Event::OperatorRemoved { operator: ALICE, bond: BOND })
			);
			assert_noop!(InferenceOracle::withdraw_bond(signed(ALICE)), Error::<Test>::NotOperator);
			assert_noop!(
				InferenceOracle::unregister_operator(signed(ALICE)),
				Error::<Test>::NotOperator
			);
			// Governance removes the same way.
			assert_noop!(InferenceOracle::remove_operator(signed(ALICE), BOB), BadOrigin);
			assert_ok!(InferenceOracle::remove_operator(RuntimeOrigin::root(), BOB));
			assert!(OperatorSet::<Test>::get().is_empty());
			assert!(events().contains(&Event::OperatorLeaving {
				operator: BOB,
				reason: LeaveReason::Removed,
				withdrawable_at: 1 + 2 * UNBONDING,
			}));
			assert_noop!(
				InferenceOracle::remove_operator(RuntimeOrigin::root(), DAVE),
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
			assert!(OperatorSet::<Test>::get().is_empty());
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

/// Committees: drawn by bond from the operator set, only members answer.
mod committees {
	use super::*;

	#[test]
	fn a_committee_of_2m_minus_1_is_drawn_from_the_set() {
		ExtBuilder::build_and_execute(|| {
			let (id, members, outsider) = four_operators_and_a_request(2);
			assert!(events().iter().any(|e| matches!(
				e,
				Event::InferenceRequested { committee, .. } if committee.to_vec() == members
			)));
			// Whoever was not drawn cannot answer.
			let outcome = output(&[1, 2, 3]);
			assert_noop!(commit(outsider, id, &outcome), Error::<Test>::NotInCommittee);
		});
	}

	#[test]
	fn a_version_needing_more_operators_than_the_set_has_is_refused() {
		ExtBuilder::build_and_execute(|| {
			set_min_agreement(2);
			register(ALICE);
			assert_noop!(
				InferenceOracle::request_inference(signed(DAPP), IRIS, vec![1, 2, 3, 4], FEE),
				Error::<Test>::TooFewOperators
					.with_weight(<() as WeightInfo>::request_inference())
			);
			// Two operators: a committee of two, both must agree.
			register(BOB);
			let id = request(IRIS);
			assert_eq!(committee(id).len(), 2);
		});
	}

	#[test]
	fn seats_follow_the_bond() {
		ExtBuilder::build_and_execute(|| {
			// Alice holds nine tenths of the bonds: she sits on about nine committees of
			// one in ten.
			assert_ok!(InferenceOracle::register_operator(signed(ALICE), key(ALICE), 27 * BOND));
			for who in [BOB, CHARLIE, DAVE] {
				register(who);
			}
			let mut alice = 0;
			let draws = 600u64;
			for block in 1..=draws / MAX_REQUESTS_PER_BLOCK as u64 {
				System::set_block_number(block);
				for _ in 0..MAX_REQUESTS_PER_BLOCK {
					let id = request(IRIS);
					let members = committee(id);
					if members == vec![ALICE] {
						alice += 1;
					}
					// Answered, so that nobody is suspended for no-shows.
					assert_ok!(submit(members[0], id, output(&[1, 2, 3])));
				}
			}
			// Binomial(600, 0.9): mean 540, standard deviation 7.3; these bounds are 5
			// deviations wide, and the draws are deterministic for the test's seed.
			assert!((503..=577).contains(&alice), "Alice drawn {alice} times of {draws}");
		});
	}

	#[test]
	fn draws_differ_by_request_and_by_randomness() {
		ExtBuilder::build_and_execute(|| {
			set_min_agreement(2);
			for who in [ALICE, BOB, CHARLIE, DAVE] {
				register(who);
			}
			let committees: BTreeSet<Vec<u64>> =
				(0..MAX_REQUESTS_PER_BLOCK).map(|_| request(IRIS)).map(committee).collect();
			System::set_block_number(2);
			RANDOM_SEED.with(|s| *s.borrow_mut() = [8; 32]);
			let again: BTreeSet<Vec<u64>> =
				(0..MAX_REQUESTS_PER_BLOCK).map(|_| request(IRIS)).map(committee).collect();
			assert!(committees.len() > 1 || again != committees, "every draw the same");
		});
	}

	#[test]
	fn leaving_operators_are_not_drawn_but_answer_their_seats() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let id = request(IRIS);
			assert_eq!(committee(id), vec![ALICE]);
			assert_ok!(InferenceOracle::unregister_operator(signed(ALICE)));
			assert_noop!(
				InferenceOracle::request_inference(signed(DAPP), IRIS, vec![1, 2, 3, 4], FEE),
				Error::<Test>::TooFewOperators
					.with_weight(<() as WeightInfo>::request_inference())
			);
			assert_ok!(submit(ALICE, id, output(&[1, 2, 3])));
			assert!(Results::<Test>::contains_key(id));
		});
	}
}

mod requests {
	use super::*;

	#[test]
	fn request_holds_the_fee_and_copies_the_contract() {
		ExtBuilder::build_and_execute(|| {
			set_min_agreement(2);
			for who in [ALICE, BOB, CHARLIE] {
				register(who);
			}
			let id = request(IRIS);
			let r = Requests::<Test>::get(id).unwrap();
			assert_eq!((r.model, r.version, r.model_hash), (IRIS, 1, model_hash(IRIS)));
			assert_eq!(Some(r.contract.clone()), MockModels::serving_contract(IRIS));
			// The base, and a byte price for the request, per member of its committee of
			// three a seat, a commitment and a 3-element submission, and a result (an
			// account is 8 bytes here).
			let member = 8 + (8 + 32) + (8 * 3 + 4 + 8 + 1 + 8);
			let bytes = r.encoded_size() as u128 + 3 * member + (8 * 3 + 4 + 8);
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
					price: 0,
					deposit: r.deposit,
					deadline: 1 + WINDOW,
					committee: Committees::<Test>::get(id),
				})
			);
		});
	}

	#[test]
	fn a_model_whose_training_data_forbids_inference_is_not_served() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			forbid_inference(LABELS);
			let refused = {
				use frame::deps::frame_support::dispatch::WithPostDispatchInfo;
				DispatchError::from(Error::<Test>::InferenceNotPermitted)
					.with_weight(<() as WeightInfo>::request_inference())
			};
			assert_noop!(
				InferenceOracle::request_inference(signed(DAPP), LABELS, vec![1, 2, 3, 4], FEE),
				refused
			);
			// Other models are served as before.
			request(IRIS);
		});
	}

	#[test]
	fn request_errors() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
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
				let id = request(IRIS);
				// Every other one answered, the rest expired by `on_idle`.
				if block % 2 == 0 {
					assert_ok!(submit(ALICE, id, output(&[1, 2, 3])));
				}
			}
			idle(MAX_RETAINED as u64 + 1);
			// `on_idle` expired the oldest: the request is refunded the expiry it did not do.
			let post = InferenceOracle::request_inference(signed(DAPP), IRIS, vec![1, 2, 3, 4], FEE)
				.unwrap();
			assert_eq!(post.actual_weight, Some(InferenceOracle::request_weight()));
			assert!(Requests::<Test>::get(first).is_none(), "pruned");
			assert_eq!(Requests::<Test>::iter().count() as u32, MAX_RETAINED);
			assert_eq!(held(HoldReason::RequestRetention, DAPP), deposit * MAX_RETAINED as u128);
		});
	}

	#[test]
	fn a_request_still_pending_at_the_retention_is_expired_before_it_is_pruned() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let first = request(IRIS);
			// Expiry never ran (no block had weight to spare).
			for block in 2..=(MAX_RETAINED as u64) {
				System::set_block_number(block);
				request(IRIS);
			}
			System::set_block_number(MAX_RETAINED as u64 + 1);
			// This one pays the expiry of the oldest: refunded only the exact tier's part.
			let post = InferenceOracle::request_inference(signed(DAPP), IRIS, vec![1, 2, 3, 4], FEE)
				.unwrap();
			assert_eq!(
				post.actual_weight,
				Some(InferenceOracle::request_weight() + InferenceOracle::prune_weight())
			);
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
		answer: Answer,
	) -> Result<(), TransactionValidityError> {
		let submission = ResultSubmission { request, key: key(who), answer };
		let signature = sign(signer, &submission.encode());
		let call = Call::<Test>::submit_result { submission, signature };
		call.authorize(TransactionSource::External)
			.expect("submit_result has authorize logic")
			.map(|_| ())
	}

	fn out(values: &[i64]) -> Answer {
		Answer::Outcome(output(values))
	}

	#[test]
	fn the_pool_accepts_a_signed_submission_from_the_committee_only() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let id = request(IRIS);
			register(BOB); // after the draw: not on the committee
			assert_eq!(authorize(ALICE, ALICE, id, out(&[1, 2, 3])), Ok(()));
			assert_eq!(
				authorize(ALICE, BOB, id, out(&[1, 2, 3])),
				Err(InvalidTransaction::BadProof.into()),
				"signed by another key"
			);
			assert_eq!(
				authorize(DAVE, DAVE, id, out(&[1, 2, 3])),
				Err(InvalidTransaction::BadSigner.into()),
				"not a registered key"
			);
			assert_eq!(
				authorize(BOB, BOB, id, out(&[1, 2, 3])),
				Err(refused(Error::<Test>::NotInCommittee)),
				"registered, not drawn"
			);
			assert_eq!(
				authorize(ALICE, ALICE, 99, out(&[1, 2, 3])),
				Err(InvalidTransaction::Stale.into())
			);
			assert_eq!(
				authorize(ALICE, ALICE, id, out(&[1, 2])),
				Err(refused(Error::<Test>::OutputLengthMismatch)),
				"wrong output length"
			);
			assert_eq!(
				authorize(ALICE, ALICE, id, Answer::Commit([0; 32])),
				Err(refused(Error::<Test>::CommitmentNotExpected)),
				"a committee of one answers in the open"
			);
			assert_ok!(submit(ALICE, id, output(&[1, 2, 3])));
			assert_eq!(
				authorize(ALICE, ALICE, id, out(&[1, 2, 3])),
				Err(InvalidTransaction::Stale.into()),
				"closed"
			);
		});
	}

	#[test]
	fn only_authorized_origins_may_submit() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let id = request(IRIS);
			let submission = ResultSubmission { request: id, key: key(ALICE), answer: out(&[1, 2, 3]) };
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
			assert_noop!(submit(ALICE, id, output(&[1, 2, 3])), Error::<Test>::RequestNotPending);
		});
	}

	#[test]
	fn a_committee_of_one_finalizes_with_its_answer_and_is_paid() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let id = request(IRIS);
			assert_ok!(submit(ALICE, id, output(&[1, 2, 3])));
			assert_eq!(Results::<Test>::get(id).unwrap().output.to_vec(), vec![1, 2, 3]);
			assert_eq!(Balances::free_balance(ALICE), START_BALANCE - BOND + FEE);
			assert_eq!(stats(ALICE), (1, 0, 0, 0));
		});
	}

	/// Three operators on a committee of three (`min_agreement` 2), commit-reveal.
	fn three_members() -> RequestId {
		set_min_agreement(2);
		for who in [ALICE, BOB, CHARLIE] {
			register(who);
		}
		let id = request(IRIS);
		assert_eq!(committee(id).len(), 3);
		id
	}

	#[test]
	fn commit_then_reveal_errors() {
		ExtBuilder::build_and_execute(|| {
			let id = three_members();
			let truth = output(&[1, 2, 3]);
			assert_noop!(submit(ALICE, id, truth.clone()), Error::<Test>::CommitmentExpected);
			assert_noop!(reveal(ALICE, id, truth.clone()), Error::<Test>::NotCommitted);
			assert_ok!(commit(ALICE, id, &truth));
			assert_noop!(commit(ALICE, id, &truth), Error::<Test>::AlreadyCommitted);
			assert_noop!(reveal(ALICE, id, truth.clone()), Error::<Test>::RevealsNotOpen);
			assert_ok!(commit(BOB, id, &truth));
			assert_ok!(commit(CHARLIE, id, &truth));
			// Every member committed: reveals are open, commitments closed.
			assert_noop!(reveal(ALICE, id, output(&[1, 2, 4])), Error::<Test>::RevealMismatch);
			assert_noop!(
				send(ALICE, id, Answer::Reveal { outcome: truth.clone(), salt: salt(BOB) }),
				Error::<Test>::RevealMismatch
			);
			// Bob's reveal sent under Alice's key does not match Alice's commitment either:
			// a commitment binds its committer.
			assert_noop!(
				send(ALICE, id, Answer::Reveal { outcome: truth.clone(), salt: salt(BOB) }),
				Error::<Test>::RevealMismatch
			);
			assert_ok!(reveal(ALICE, id, truth.clone()));
			assert_noop!(reveal(ALICE, id, truth.clone()), Error::<Test>::AlreadySubmitted);
			assert_eq!(Submissions::<Test>::get(id).len(), 1);
			assert!(Results::<Test>::get(id).is_none(), "two reveals still owed");
		});
	}

	#[test]
	fn a_reveal_after_the_deadline_is_refused_and_the_commitment_is_a_no_show() {
		ExtBuilder::build_and_execute(|| {
			let id = three_members();
			let truth = output(&[1, 2, 3]);
			for who in [ALICE, BOB, CHARLIE] {
				assert_ok!(commit(who, id, &truth));
			}
			assert_ok!(reveal(ALICE, id, truth.clone()));
			assert_ok!(reveal(BOB, id, truth.clone()));
			System::set_block_number(2 + WINDOW);
			assert_noop!(reveal(CHARLIE, id, truth.clone()), Error::<Test>::DeadlinePassed);
			idle(2 + WINDOW);
			assert!(Results::<Test>::get(id).is_some(), "two agreeing reveals make the result");
			assert_eq!(stats(CHARLIE), (0, 0, 0, 1));
			assert_noop!(reveal(CHARLIE, id, truth), Error::<Test>::RequestNotPending);
		});
	}

	#[test]
	fn honest_majority_finalizes_and_the_liar_is_slashed() {
		ExtBuilder::build_and_execute(|| {
			let id = three_members();
			let truth = [980_000, 20_000, 0];
			let issuance = Balances::total_issuance();
			commit_and_reveal(
				id,
				&[
					(CHARLIE, output(&[5, 5, 999_999])),
					(ALICE, output(&truth)),
					(BOB, output(&[980_004, 19_996, 3])),
				],
			);
			let result = Results::<Test>::get(id).expect("finalized");
			// The element-wise median: within the honest values.
			assert_eq!(result.output.to_vec(), vec![980_000, 19_996, 3]);
			assert!(events().contains(&Event::ResultFinalized {
				request: id,
				output: result.output.clone(),
				agreeing: BoundedVec::truncate_from(vec![ALICE, BOB]),
				outliers: BoundedVec::truncate_from(vec![CHARLIE]),
			}));
			// The fee is split between Alice and Bob; Charlie loses a tenth of its bond.
			let slash = OUTLIER_SLASH * BOND;
			assert_eq!(Balances::free_balance(ALICE), START_BALANCE - BOND + FEE / 2);
			assert_eq!(Balances::free_balance(BOB), START_BALANCE - BOND + FEE / 2);
			assert_eq!(Balances::total_balance(&CHARLIE), START_BALANCE - slash);
			assert_eq!(bond(CHARLIE), BOND - slash);
			assert_eq!(Balances::total_issuance(), issuance - slash, "burnt");
			assert!(events().contains(&Event::OperatorPenalized {
				operator: CHARLIE,
				request: id,
				fault: Fault::Outlier,
				amount: slash,
			}));
			assert_eq!((stats(ALICE), stats(CHARLIE)), ((1, 0, 0, 0), (0, 1, 0, 0)));
			assert_eq!(Operators::<Test>::get(CHARLIE).unwrap().strikes, 1);
			assert_eq!(Balances::total_balance(&DAPP), START_BALANCE - FEE);
		});
	}

	#[test]
	fn failures_are_recorded_neither_paid_nor_slashed() {
		ExtBuilder::build_and_execute(|| {
			let id = three_members();
			let failure = Outcome::Failed(Failure::Engine(ScoreError::UnsupportedOperator));
			commit_and_reveal(
				id,
				&[(ALICE, failure), (BOB, output(&[1, 2, 3])), (CHARLIE, output(&[1, 2, 3]))],
			);
			assert!(Results::<Test>::get(id).is_some());
			assert_eq!(stats(ALICE), (0, 0, 1, 0));
			assert_eq!(bond(ALICE), BOND);
			assert_eq!(Submissions::<Test>::get(id).len(), 3);
		});
	}

	#[test]
	fn labels_need_an_exact_majority() {
		ExtBuilder::build_and_execute(|| {
			set_min_agreement(2);
			for who in [ALICE, BOB, CHARLIE] {
				register(who);
			}
			let id = request(LABELS);
			commit_and_reveal(id, &[(ALICE, output(&[2])), (BOB, output(&[1])), (CHARLIE, output(&[2]))]);
			assert_eq!(Results::<Test>::get(id).unwrap().output.to_vec(), vec![2]);
			assert_eq!(stats(BOB), (0, 1, 0, 0));
			// Three different labels: no majority, closed and refunded at once.
			let id = request(LABELS);
			commit_and_reveal(id, &[(ALICE, output(&[0])), (BOB, output(&[1])), (CHARLIE, output(&[2]))]);
			assert_eq!(Requests::<Test>::get(id).unwrap().status, RequestStatus::Expired);
			assert_eq!(held(HoldReason::RequestFee, DAPP), 0);
			assert_eq!(stats(ALICE), (1, 0, 0, 0), "nobody can tell who was wrong");
		});
	}

	#[test]
	fn at_the_deadline_a_majority_of_what_was_revealed_decides_and_no_shows_pay() {
		ExtBuilder::build_and_execute(|| {
			let id = three_members();
			let truth = output(&[1, 2, 3]);
			assert_ok!(commit(ALICE, id, &truth));
			assert_ok!(commit(BOB, id, &truth));
			// Charlie never commits; after the commit window, reveals open.
			System::set_block_number(1 + COMMIT_WINDOW);
			assert_noop!(commit(CHARLIE, id, &truth), Error::<Test>::CommitmentsClosed);
			assert_ok!(reveal(ALICE, id, truth.clone()));
			assert_ok!(reveal(BOB, id, truth.clone()));
			// Both committers revealed: nothing can change, it closes now.
			let result = Results::<Test>::get(id).expect("finalized by the two");
			assert_eq!(result.output.to_vec(), vec![1, 2, 3]);
			assert_eq!(stats(CHARLIE), (0, 0, 0, 1));
			assert_eq!(bond(CHARLIE), BOND - NO_SHOW_SLASH * BOND);

			// A committer who does not reveal is a no-show too, found at the deadline.
			let id = request(IRIS);
			let members = committee(id);
			for who in &members {
				assert_ok!(commit(*who, id, &truth));
			}
			assert_ok!(reveal(members[0], id, truth.clone()));
			assert_ok!(reveal(members[1], id, truth.clone()));
			assert!(Results::<Test>::get(id).is_none(), "one reveal still owed");
			idle(System::block_number() + WINDOW + 1);
			assert!(Results::<Test>::get(id).is_some(), "closed at the deadline with two");
			assert_eq!(stats(members[2]).3, if members[2] == CHARLIE { 2 } else { 1 });
		});
	}

	#[test]
	fn a_late_member_may_commit_until_enough_have_committed() {
		ExtBuilder::build_and_execute(|| {
			let id = three_members();
			let truth = output(&[1, 2, 3]);
			assert_ok!(commit(ALICE, id, &truth));
			// The window is over, but one commitment cannot make a result: reveals stay
			// closed, and Bob, back from a pause, still commits.
			System::set_block_number(1 + COMMIT_WINDOW);
			assert_noop!(reveal(ALICE, id, truth.clone()), Error::<Test>::RevealsNotOpen);
			assert_ok!(commit(BOB, id, &truth));
			// Two of `min_agreement` 2: reveals open, Charlie is too late.
			assert_noop!(commit(CHARLIE, id, &truth), Error::<Test>::CommitmentsClosed);
			assert_ok!(reveal(ALICE, id, truth.clone()));
			assert_ok!(reveal(BOB, id, truth));
			assert!(Results::<Test>::get(id).is_some());
			assert_eq!(stats(CHARLIE).3, 1, "a no-show");
		});
	}

	#[test]
	fn a_request_without_agreement_expires_and_is_refunded() {
		ExtBuilder::build_and_execute(|| {
			let id = three_members();
			assert_ok!(commit(ALICE, id, &output(&[0, 0, 0])));
			assert_ok!(commit(BOB, id, &Outcome::Failed(Failure::ModelBytesUnavailable)));
			System::set_block_number(1 + COMMIT_WINDOW);
			assert_ok!(reveal(ALICE, id, output(&[0, 0, 0])));
			for block in (1 + COMMIT_WINDOW)..=(1 + WINDOW) {
				idle(block);
				assert_eq!(Requests::<Test>::get(id).unwrap().status, RequestStatus::Pending);
			}
			// Still accepted in the deadline block; closed once it has passed. One output
			// is not `min_agreement`.
			idle(2 + WINDOW);
			assert_eq!(Requests::<Test>::get(id).unwrap().status, RequestStatus::Expired);
			assert_eq!(held(HoldReason::RequestFee, DAPP), 0);
			let deposit = Requests::<Test>::get(id).unwrap().deposit;
			assert_eq!(held(HoldReason::RequestRetention, DAPP), deposit, "kept until pruned");
			assert_eq!(Balances::free_balance(DAPP), START_BALANCE - deposit);
			assert_eq!(events().last(), Some(&Event::RequestExpired { request: id }));
			// Bob committed and never revealed, Charlie never committed: both no-shows.
			assert_eq!(
				(stats(ALICE), stats(BOB), stats(CHARLIE)),
				((0, 0, 0, 0), (0, 0, 0, 1), (0, 0, 0, 1))
			);
			assert_noop!(reveal(BOB, id, Outcome::Failed(Failure::ModelBytesUnavailable)), Error::<Test>::RequestNotPending);
		});
	}

	#[test]
	fn repeated_faults_suspend_an_operator() {
		ExtBuilder::build_and_execute(|| {
			set_min_agreement(2);
			for who in [ALICE, BOB, CHARLIE] {
				register(who);
			}
			for round in 0..MAX_STRIKES {
				let id = request(IRIS);
				commit_and_reveal(
					id,
					&[(ALICE, output(&[1, 2, 3])), (BOB, output(&[1, 2, 3])), (CHARLIE, output(&[9, 9, 99]))],
				);
				assert!(Results::<Test>::get(id).is_some(), "round {round}");
			}
			assert_eq!(Operators::<Test>::get(CHARLIE).unwrap().strikes, MAX_STRIKES);
			assert!(events().contains(&Event::OperatorLeaving {
				operator: CHARLIE,
				reason: LeaveReason::Suspended,
				withdrawable_at: 1 + UNBONDING,
			}));
			assert!(!OperatorSet::<Test>::get().iter().any(|(who, _)| *who == CHARLIE));
			// Slashed three times, a tenth of what was left each time.
			let mut left = BOND;
			for _ in 0..MAX_STRIKES {
				left -= OUTLIER_SLASH * left;
			}
			assert_eq!(bond(CHARLIE), left);
			// An agreement clears the strikes of an operator not yet suspended.
			assert_eq!(Operators::<Test>::get(ALICE).unwrap().strikes, 0);
		});
	}

	#[test]
	fn a_submission_is_charged_for_a_full_committee_and_refunded_to_its_count() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let id = request(IRIS);
			let submission = ResultSubmission { request: id, key: key(ALICE), answer: out(&[1, 2, 3]) };
			let signature = sign(ALICE, &submission.encode());
			let call = Call::<Test>::submit_result { submission, signature };
			let charged = call.get_dispatch_info().call_weight;
			// With the `OnResult` call its closing makes.
			assert_eq!(
				charged,
				<() as WeightInfo>::submit_result(3, MAX_COMMITTEE).saturating_add(CONSUMER_WEIGHT)
			);
			let post = call.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into()).unwrap();
			let expected = <() as WeightInfo>::submit_result(3, 1).saturating_add(CONSUMER_WEIGHT);
			assert_eq!(post.actual_weight, Some(expected));
			assert!(expected.all_lte(charged));
			assert!(Results::<Test>::contains_key(id));
		});
	}
}

/// Operators who try to fool the chain: with a committee of `2f + 1` and `f` liars, in
/// every arrival order, no accepted output lies outside the honest range; copiers and
/// racers gain nothing.
mod adversaries {
	use super::*;

	/// Every order of `items`.
	fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
		if items.len() <= 1 {
			return vec![items.to_vec()];
		}
		let mut all = Vec::new();
		for i in 0..items.len() {
			let mut rest = items.to_vec();
			let first = rest.remove(i);
			for mut tail in permutations(&rest) {
				tail.insert(0, first.clone());
				all.push(tail);
			}
		}
		all
	}

	#[test]
	fn one_liar_in_three_never_moves_the_result_in_any_order() {
		let honest = [[980_000i64, 20_000, 0], [980_004, 19_996, 3]];
		let lies: [[i64; 3]; 4] =
			[[0, 0, 0], [i64::MAX, i64::MIN, 7], [980_009, 20_000, 0], [-5, 1_000_000, 999]];
		for lie in lies {
			for liar in [ALICE, BOB, CHARLIE] {
				let honest_members: Vec<u64> =
					[ALICE, BOB, CHARLIE].into_iter().filter(|w| *w != liar).collect();
				let answers = vec![
					(honest_members[0], output(&honest[0])),
					(honest_members[1], output(&honest[1])),
					(liar, output(&lie)),
				];
				for commit_order in permutations(&answers) {
					for reveal_order in permutations(&answers) {
						ExtBuilder::build_and_execute(|| {
							set_min_agreement(2);
							for who in [ALICE, BOB, CHARLIE] {
								register(who);
							}
							let id = request(IRIS);
							for (who, outcome) in &commit_order {
								assert_ok!(commit(*who, id, outcome));
							}
							for (who, outcome) in &reveal_order {
								assert_ok!(reveal(*who, id, outcome.clone()));
							}
							let result = Results::<Test>::get(id).expect("finalized");
							for (i, value) in result.output.iter().enumerate() {
								let (lo, hi) = (honest[0][i].min(honest[1][i]), honest[0][i].max(honest[1][i]));
								assert!((lo..=hi).contains(value), "{value} outside [{lo}, {hi}]");
							}
							for member in honest_members.iter() {
								assert_eq!(stats(*member).0, 1, "honest members agree and are paid");
							}
						});
					}
				}
			}
		}
	}

	#[test]
	fn two_colluding_liars_cannot_decide_when_three_must_agree() {
		// A version asking for three agreeing operators, served by a committee capped at
		// three: two liars answering first and identically do not make a result.
		ExtBuilder::build_and_execute(|| {
			// MAX_COMMITTEE is 3 here: the committee is capped, and three agreeing of three
			// are needed; two liars among them stop the result instead of deciding it.
			let (id, members, _) = four_operators_and_a_request(3);
			let lie = output(&[0, 0, 0]);
			let truth = output(&[500, 500, 500]);
			let answers =
				vec![(members[0], lie.clone()), (members[1], lie.clone()), (members[2], truth)];
			commit_and_reveal(id, &answers);
			let result = Results::<Test>::get(id);
			assert!(result.is_none(), "two liars of three must not decide: {result:?}");
			assert_eq!(Requests::<Test>::get(id).unwrap().status, RequestStatus::Expired);
		});
	}

	#[test]
	fn a_racing_outsider_cannot_answer() {
		ExtBuilder::build_and_execute(|| {
			let (id, _, outsider) = four_operators_and_a_request(2);
			let lie = output(&[0, 0, 0]);
			assert_noop!(commit(outsider, id, &lie), Error::<Test>::NotInCommittee);
			assert_noop!(reveal(outsider, id, lie.clone()), Error::<Test>::NotInCommittee);
			assert_noop!(submit(outsider, id, lie), Error::<Test>::NotInCommittee);
		});
	}

	#[test]
	fn a_copier_cannot_reuse_another_members_commitment_or_reveal() {
		ExtBuilder::build_and_execute(|| {
			let id = {
				set_min_agreement(2);
				for who in [ALICE, BOB, CHARLIE] {
					register(who);
				}
				request(IRIS)
			};
			let truth = output(&[1, 2, 3]);
			// Alice commits honestly; Charlie copies her commitment from the pool.
			let alices = commitment(id, &ALICE, &truth, &salt(ALICE));
			assert_ok!(commit(ALICE, id, &truth));
			assert_ok!(send(CHARLIE, id, Answer::Commit(alices)));
			assert_ok!(commit(BOB, id, &truth));
			// Reveals open. Charlie copies Alice's reveal: it does not open his commitment,
			// which binds Alice's account.
			assert_ok!(reveal(ALICE, id, truth.clone()));
			assert_noop!(
				send(CHARLIE, id, Answer::Reveal { outcome: truth.clone(), salt: salt(ALICE) }),
				Error::<Test>::RevealMismatch
			);
			assert_ok!(reveal(BOB, id, truth.clone()));
			// Nor can he commit again to what he saw.
			assert_noop!(commit(CHARLIE, id, &truth), Error::<Test>::AlreadyCommitted);
			idle(2 + WINDOW);
			assert!(Results::<Test>::get(id).is_some());
			// The copier earned nothing and paid a no-show.
			assert_eq!(Balances::free_balance(CHARLIE), START_BALANCE - BOND);
			assert_eq!(stats(CHARLIE), (0, 0, 0, 1));
			assert_eq!(Balances::free_balance(ALICE), START_BALANCE - BOND + FEE / 2);
		});
	}
}

mod offchain_worker {
	use super::*;

	pub(super) fn run_ocw(env: &mut OcwEnv, block: u64) {
		env.ext.execute_with(|| {
			System::set_block_number(block);
			InferenceOracle::offchain_worker(block);
		});
	}

	#[test]
	fn scores_each_pending_request_once_and_commits_for_each_local_member() {
		let mut env = OcwEnv::new(&[ALICE, BOB], true);
		let (first, second) = env.ext.execute_with(|| {
			set_min_agreement(2);
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
			let account = if batch.key == key(ALICE) { ALICE } else { BOB };
			for item in &batch.items {
				let model = if item.request == first { IRIS } else { LABELS };
				// A commitment to the honest output, with the salt the node kept.
				let secret = env.offchain.read().persistent_storage.get(
					&(b"aioracle/oracle/commitment/", item.request, &batch.key).encode(),
				);
				let (outcome, salt) =
					<(Outcome<Vec<i64>>, [u8; 32])>::decode(&mut &secret.unwrap()[..]).unwrap();
				assert_eq!(outcome, output(&honest_output(model, &[1, 2, 3, 4])));
				assert_eq!(
					item.answer,
					Answer::Commit(commitment(item.request, &account, &outcome, &salt))
				);
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
	pub(super) fn apply_sent(env: &mut OcwEnv) -> Vec<RequestId> {
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
		// Alice's node commits; Bob never does, so every request Alice committed to waits
		// for the commit window: more of them than one run's budget.
		let mut env = OcwEnv::new(&[ALICE], true);
		env.ext.execute_with(|| {
			set_min_agreement(2);
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
			request(IRIS)
		});
		run_ocw(&mut env, 3);
		assert_eq!(apply_sent(&mut env), vec![new]);
		// After the commit window and the resend delay: a commitment on-chain is not sent
		// again, and with one commitment of `min_agreement` 2 reveals stay closed.
		run_ocw(&mut env, 3 + crate::offchain::RESEND_AFTER as u64);
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
			.map(|(b, _)| b.items.iter().map(|i| i.answer.clone()).collect())
			.collect();
		assert_eq!(outcomes[0], vec![Answer::Outcome(output(&[1]))], "labels: an output");
		assert_eq!(
			outcomes[1],
			vec![Answer::Outcome(Outcome::Failed(Failure::GoldenVectorMismatch))]
		);
	}

	#[test]
	fn reports_requests_failures_and_submissions_to_the_node_metrics() {
		use aioracle_primitives::metrics::WorkerEvent::*;
		// Two local members commit: the request is seen once, each sends.
		let mut env = OcwEnv::new(&[ALICE, BOB], true);
		let iris = model_hash(IRIS);
		env.ext.execute_with(|| {
			set_min_agreement(2);
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

		// A committee of one.
		let mut env = OcwEnv::new(&[ALICE], true);
		env.ext.execute_with(|| {
			register(ALICE);
			request(IRIS);
		});
		run_ocw(&mut env, 1);
		assert_eq!(
			env.metrics.take(),
			vec![RequestSeen { model_hash: iris }, SubmissionSent { model_hash: iris, output: true }]
		);
		run_ocw(&mut env, 2);
		assert_eq!(env.metrics.take(), vec![], "nothing new to do");

		// The answer never reached the chain: resent, but the request is not new.
		env.take_submissions();
		run_ocw(&mut env, 1 + crate::offchain::RESEND_AFTER as u64);
		assert_eq!(env.take_submissions().len(), 1);
		assert_eq!(env.metrics.take(), vec![SubmissionSent { model_hash: iris, output: true }]);

		// A failing engine: the failure is counted once and reported.
		let mut env = OcwEnv::new(&[ALICE], true);
		*env.engine.fail_with.lock().unwrap() = Some(ScoreError::ExecutionFailed);
		env.ext.execute_with(|| {
			register(ALICE);
			request(IRIS);
		});
		run_ocw(&mut env, 1);
		let failure = Failure::Engine(ScoreError::ExecutionFailed);
		assert_eq!(
			env.metrics.take(),
			vec![
				RequestSeen { model_hash: iris },
				Failed { model_hash: iris, failure },
				SubmissionSent { model_hash: iris, output: false },
			]
		);
	}

	/// A node with the keys of Alice, Bob and Charlie, all three operators, and one request
	/// of `IRIS` served by the three (its id).
	fn committee_of_three() -> (OcwEnv, RequestId) {
		let mut env = OcwEnv::new(&[ALICE, BOB, CHARLIE], true);
		let id = env.ext.execute_with(|| {
			set_min_agreement(2);
			register(ALICE);
			register(BOB);
			register(CHARLIE);
			request(IRIS)
		});
		(env, id)
	}

	#[test]
	fn commitments_then_reveals_reach_the_chain_and_finalize() {
		let (mut env, id) = committee_of_three();
		run_ocw(&mut env, 1);
		assert_eq!(apply_sent(&mut env), vec![id; 3], "three commitments");
		env.ext.execute_with(|| {
			assert_eq!(Commits::<Test>::get(id).len(), 3);
			assert!(Results::<Test>::get(id).is_none());
			System::set_block_number(2);
		});
		// Every member committed: the next run reveals.
		run_ocw(&mut env, 2);
		assert_eq!(apply_sent(&mut env), vec![id; 3], "three reveals");
		env.ext.execute_with(|| {
			let result = Results::<Test>::get(id).expect("three honest members agree");
			assert_eq!(result.output.to_vec(), honest_output(IRIS, &[1, 2, 3, 4]));
			InferenceOracle::do_try_state().unwrap();
		});
		// Nothing left to send.
		run_ocw(&mut env, 3);
		assert!(env.take_batches().is_empty());
	}

	/// With a reducing rule, members report the reduction of the engine's output, their
	/// golden vectors are checked on it, and the result is the reduction.
	#[test]
	fn members_report_the_reduction_their_version_declares() {
		let input = [1, 2, 3, 4];
		// honest_output(IRIS, input) is [10, 5, 7].
		for (aggregation, expected) in [
			(Aggregation::ArgMax, vec![0]),
			(Aggregation::TopK { k: 2, tolerance: 0 }, vec![0, 2, 10, 7]),
		] {
			set_iris_aggregation(aggregation);
			let (mut env, id) = committee_of_three();
			run_ocw(&mut env, 1);
			assert_eq!(apply_sent(&mut env), vec![id; 3], "three commitments");
			env.ext.execute_with(|| System::set_block_number(2));
			run_ocw(&mut env, 2);
			assert_eq!(apply_sent(&mut env), vec![id; 3], "three reveals");
			env.ext.execute_with(|| {
				assert_eq!(honest_output(IRIS, &input), vec![10, 5, 7]);
				let result = Results::<Test>::get(id).expect("three honest members agree");
				assert_eq!(result.output.to_vec(), expected, "{aggregation:?}");
				InferenceOracle::do_try_state().unwrap();
			});
		}
	}

	/// The node writes a new boot id at each start (what `aioracle-node` does).
	fn boot(env: &OcwEnv, id: u8) {
		use frame::deps::sp_core::offchain::OffchainStorage;
		let key = aioracle_primitives::oracle::NODE_BOOT_ID_KEY;
		env.offchain.write().persistent_storage.set(b"", key, &[id; 16]);
	}

	#[test]
	fn a_restarted_node_resends_at_once_what_its_dead_pool_lost() {
		let mut env = OcwEnv::new(&[ALICE, BOB], true);
		boot(&env, 1);
		let id = env.ext.execute_with(|| {
			set_min_agreement(2);
			for who in [ALICE, BOB, CHARLIE] {
				register(who);
			}
			request(IRIS)
		});
		run_ocw(&mut env, 1);
		assert_eq!(env.take_submissions().len(), 2, "both local members commit");
		// The same process runs again: its pool holds them, nothing is resent.
		run_ocw(&mut env, 2);
		assert!(env.take_submissions().is_empty());
		// kill -9: the pool (taken above) is gone; the node restarts with a new boot id.
		boot(&env, 2);
		run_ocw(&mut env, 2);
		let resent = env.take_submissions();
		assert_eq!(resent.len(), 2, "sent again at once, not after RESEND_AFTER blocks");
		assert!(resent.iter().all(|s| s.request == id && matches!(s.answer, Answer::Commit(_))));
		// The resent commitments are those the node kept the secrets of: they reveal.
		env.ext.execute_with(|| {
			for s in resent {
				let signature = sign(if s.key == key(ALICE) { ALICE } else { BOB }, &s.encode());
				let call = Call::<Test>::submit_result { submission: s, signature };
				assert_ok!(call.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into()));
			}
			assert_eq!(Commits::<Test>::get(id).len(), 2);
		});
	}

	#[test]
	fn commitment_secrets_are_forgotten_once_their_request_is_past_its_deadline() {
		let mut env = OcwEnv::new(&[ALICE], true);
		let id = env.ext.execute_with(|| {
			set_min_agreement(2);
			register(ALICE);
			register(BOB);
			request(IRIS)
		});
		run_ocw(&mut env, 1);
		let secret = (b"aioracle/oracle/commitment/", id, key(ALICE)).encode();
		assert!(env.offchain.read().persistent_storage.get(&secret).is_some(), "kept to reveal");
		// Later blocks make more requests; once request `id` is older than the newest
		// (WINDOW + 2) * MAX_REQUESTS_PER_BLOCK, its secret goes.
		let horizon = (WINDOW + 2) * MAX_REQUESTS_PER_BLOCK as u64;
		env.ext.execute_with(|| NextRequestId::<Test>::put(id + horizon));
		run_ocw(&mut env, 2);
		assert!(env.offchain.read().persistent_storage.get(&secret).is_some(), "not yet");
		env.ext.execute_with(|| NextRequestId::<Test>::put(id + horizon + 1));
		run_ocw(&mut env, 3);
		assert!(env.offchain.read().persistent_storage.get(&secret).is_none(), "forgotten");
	}

	#[test]
	fn submissions_reach_the_chain_and_finalize() {
		let mut env = OcwEnv::new(&[ALICE], true);
		let id = env.ext.execute_with(|| {
			register(ALICE);
			request(IRIS)
		});
		run_ocw(&mut env, 1);
		apply_sent(&mut env);
		env.ext.execute_with(|| {
			let result = Results::<Test>::get(id).expect("a committee of one answered");
			assert_eq!(result.output.to_vec(), honest_output(IRIS, &[1, 2, 3, 4]));
			InferenceOracle::do_try_state().unwrap();
		});
	}

	#[test]
	fn a_submission_already_on_chain_is_not_sent() {
		let mut env = OcwEnv::new(&[ALICE], true);
		env.ext.execute_with(|| {
			register(ALICE);
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
		assert_eq!(sent[0].answer, Answer::Outcome(Outcome::Failed(Failure::ModelBytesUnavailable)));
	}

	/// What the node's fetcher would get from `uri`.
	fn serve(env: &OcwEnv, uri: &str, body: Vec<u8>) {
		env.engine.served.lock().unwrap().insert(uri.as_bytes().to_vec(), body);
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
	fn bytes_missing_locally_are_fetched_by_the_node_from_the_uri_and_kept() {
		let (mut env, uri) = request_with_bytes_only_at_the_uri();
		serve(&env, uri, onnx_bytes(IRIS));
		run_ocw(&mut env, 1);
		let sent = env.take_submissions();
		assert_eq!(sent[0].answer, Answer::Outcome(output(&honest_output(IRIS, &[1, 2, 3, 4]))));
		// The worker named the version's URI and size; the node kept the bytes.
		let asked = env.engine.fetches.lock().unwrap().clone();
		assert_eq!(
			asked,
			vec![ModelSource { uri: uri.as_bytes().to_vec(), size_bytes: onnx_bytes(IRIS).len() as u32 }]
		);
		let key = aioracle_primitives::model::model_bytes_key(&model_hash(IRIS));
		assert_eq!(env.offchain.read().persistent_storage.get(&key), Some(onnx_bytes(IRIS)));
	}

	#[test]
	fn fetched_bytes_with_the_wrong_hash_are_refused() {
		let (mut env, uri) = request_with_bytes_only_at_the_uri();
		let mut tampered = onnx_bytes(IRIS);
		tampered[0] ^= 1;
		serve(&env, uri, tampered);
		run_ocw(&mut env, 1);
		let sent = env.take_submissions();
		assert_eq!(sent[0].answer, Answer::Outcome(Outcome::Failed(Failure::ModelBytesUnavailable)));
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
		assert_eq!(sent[0].answer, Answer::Outcome(Outcome::Failed(Failure::GoldenVectorMismatch)));
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
			sent[0].answer,
			Answer::Outcome(Outcome::Failed(Failure::Engine(ScoreError::NonFiniteOutput)))
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
			let single = ResultSubmission {
				request: a,
				key: key(ALICE),
				answer: Answer::Outcome(output(&IRIS_OUT)),
			};
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
			let single = ResultSubmission {
				request: ids[0],
				key: key(ALICE),
				answer: Answer::Outcome(output(&IRIS_OUT)),
			};
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
			register(ALICE);
			let (a, b) = (request(IRIS), request(IRIS));
			// Alice's single answer to `a` lands before her batch of both.
			let both = batch(ALICE, ALICE, &[(a, output(&IRIS_OUT)), (b, output(&IRIS_OUT))]);
			assert_ok!(authorize(&both));
			assert_ok!(submit(ALICE, a, output(&IRIS_OUT)));
			assert_eq!(Requests::<Test>::get(a).unwrap().status, RequestStatus::Finalized);

			let charged = both.get_dispatch_info().call_weight;
			let post = dispatch(both).expect("a partly stale batch still applies");
			assert_eq!(Requests::<Test>::get(b).unwrap().status, RequestStatus::Finalized);
			assert_eq!(Submissions::<Test>::get(a).len(), 1, "the closed one took nothing");
			assert_eq!(
				events().last(),
				Some(&Event::BatchSubmitted { operator: ALICE, accepted: 1, skipped: 1 })
			);
			let skip_one = <() as WeightInfo>::submit_results_skipped(1)
				.saturating_sub(<() as WeightInfo>::submit_results_skipped(0));
			let expected = InferenceOracle::batch_weight(1, 3, 1).saturating_add(skip_one);
			assert_eq!(post.actual_weight, Some(expected));
			assert!(expected.all_lte(charged), "refunded, never charged more");
			assert_eq!(stats(ALICE), (2, 0, 0, 0));
		});
	}

	#[test]
	fn a_batch_finalizes_every_request_it_completes() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let ids: Vec<_> = (0..MAX_BATCH_LEN).map(|_| request(IRIS)).collect();
			let items: Vec<_> = ids.iter().map(|id| (*id, output(&IRIS_OUT))).collect();
			assert_ok!(dispatch(batch(ALICE, ALICE, &items)));
			for id in &ids {
				assert_eq!(Results::<Test>::get(id).unwrap().output.to_vec(), IRIS_OUT.to_vec());
			}
			assert_eq!(stats(ALICE), (MAX_BATCH_LEN, 0, 0, 0));
			assert_eq!(Balances::free_balance(ALICE), START_BALANCE - BOND + FEE * 3);
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
			let one = <() as WeightInfo>::expire(3).saturating_add(CONSUMER_WEIGHT);
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
			let id = request(IRIS);
			assert_ok!(submit(ALICE, id, output(&[1, 2, 3])));
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
			// A request made before committees takes no answer, and is refunded at its
			// deadline.
			register(ALICE);
			assert_noop!(submit(ALICE, 0, output(&[1, 2, 3])), Error::<Test>::NotInCommittee);
			idle(2 + WINDOW);
			assert_eq!(Requests::<Test>::get(0).unwrap().status, RequestStatus::Expired);
			assert_eq!(held(HoldReason::RequestFee, DAPP), 0);
			// Run again: a no-op.
			let weight = v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
			let read = <<Test as frame_system::Config>::DbWeight as Get<frame::deps::frame_support::weights::RuntimeDbWeight>>::get().reads(1);
			assert_eq!(weight, read);
		});
	}
}

/// The v3 -> v4 storage migration: a request's one input becomes a list of one.
mod migration_v4 {
	use super::*;
	use crate::migrations::v4;
	use frame::traits::OnRuntimeUpgrade;

	#[test]
	fn a_request_keeps_its_contract_with_its_one_input_as_a_list() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			register(BOB);
			let id = request(IRIS);
			let current = Requests::<Test>::get(id).unwrap();
			let contract = current.contract.clone();
			// The same request as storage version 3 kept it.
			let old = v4::RequestV3Of::<Test> {
				requester: current.requester,
				model: current.model,
				version: current.version,
				model_hash: current.model_hash,
				contract: v4::ServingContractV3 {
					input: contract.inputs[0].clone(),
					output: contract.output.clone(),
					input_scale: contract.input_scale,
					output_scale: contract.output_scale,
					aggregation: contract.aggregation,
					min_agreement: contract.min_agreement,
				},
				input: current.input.clone(),
				fee: current.fee,
				deposit: current.deposit,
				created_at: current.created_at,
				deadline: current.deadline,
				status: current.status,
			};
			v4::Requests::<Test>::insert(id, old);
			StorageVersion::new(3).put::<InferenceOracle>();

			// Under try-runtime, with its checks before and after (inputs kept, invariants).
			#[cfg(feature = "try-runtime")]
			v4::MigrateV3ToV4::<Test>::try_on_runtime_upgrade(true).unwrap();
			#[cfg(not(feature = "try-runtime"))]
			v4::MigrateV3ToV4::<Test>::on_runtime_upgrade();

			assert_eq!(StorageVersion::get::<InferenceOracle>(), 4);
			assert_eq!(Requests::<Test>::get(id).as_ref(), Some(&current));
			InferenceOracle::do_try_state().unwrap();
			// The request is answered as before.
			let committee = committee(id);
			for member in &committee {
				assert_ok!(submit(*member, id, output(&[1, 2, 3])));
			}
			assert_eq!(Requests::<Test>::get(id).unwrap().status, RequestStatus::Finalized);
			// Run again: a no-op.
			v4::MigrateV3ToV4::<Test>::on_runtime_upgrade();
			assert_eq!(StorageVersion::get::<InferenceOracle>(), 4);
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
			let other = RuntimeCall::InferenceOracle(Call::register_operator {
				key: key(ALICE),
				bond: BOND,
			});
			register(BOB);
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

/// The v1 -> v2 -> v3 storage migrations of operators.
mod migration_v2_v3 {
	use super::*;
	use crate::migrations::{v2, v3};
	use frame::traits::OnRuntimeUpgrade;

	#[test]
	fn v1_operators_keep_their_counts_misses_become_no_shows_and_join_the_set() {
		ExtBuilder::build_and_execute(|| {
			StorageVersion::new(1).put::<InferenceOracle>();
			// Ten requests closed, Alice missed three of them and answered six.
			NextRequestId::<Test>::put(10);
			for (who, bond, misses) in [(ALICE, BOND, 3), (BOB, 2 * BOND, 0)] {
				let old = v2::OperatorV1Of::<Test> {
					key: key(who),
					bond,
					agreements: 4,
					outliers: 1,
					failures: 1,
					misses,
				};
				v2::Operators::<Test>::insert(who, old);
				OperatorByKey::<Test>::insert(key(who), who);
				assert_ok!(Balances::hold(&HoldReason::OperatorBond.into(), &who, bond));
			}

			// Under try-runtime, with their checks before and after (misses kept, bonds
			// kept, invariants).
			#[cfg(feature = "try-runtime")]
			{
				v2::MigrateV1ToV2::<Test>::try_on_runtime_upgrade(true).unwrap();
				let v2 = v3::Operators::<Test>::get(ALICE).expect("translated");
				assert_eq!((v2.answered, v2.misses(10)), (6, 3));
				v3::MigrateV2ToV3::<Test>::try_on_runtime_upgrade(true).unwrap();
			}
			#[cfg(not(feature = "try-runtime"))]
			{
				v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
				let v2 = v3::Operators::<Test>::get(ALICE).expect("translated");
				assert_eq!((v2.answered, v2.misses(10)), (6, 3));
				v3::MigrateV2ToV3::<Test>::on_runtime_upgrade();
			}

			assert_eq!(StorageVersion::get::<InferenceOracle>(), 3);
			let new = Operators::<Test>::get(ALICE).expect("translated");
			assert_eq!((new.key, new.bond, new.strikes, new.leaving_since), (key(ALICE), BOND, 0, None));
			assert_eq!(stats(ALICE), (4, 1, 1, 3));
			assert_eq!(stats(BOB), (4, 1, 1, 0));
			assert_eq!(OperatorSet::<Test>::get().to_vec(), vec![(BOB, 2 * BOND), (ALICE, BOND)]);
			InferenceOracle::do_try_state().unwrap();
			// They are drawn and counted from there.
			let id = request(IRIS);
			let member = committee(id)[0];
			assert_ok!(submit(member, id, output(&[1, 2, 3])));
			assert_eq!(stats(member).0, 5);
			// Run again: no-ops.
			let before = Operators::<Test>::get(ALICE);
			v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
			v3::MigrateV2ToV3::<Test>::on_runtime_upgrade();
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
	fn median_waits_for_enough_agreement_and_a_majority() {
		let outputs: [&[i64]; 2] = [&[100], &[200]];
		assert_eq!(aggregate(MEDIAN, 2, &outputs), None, "two far apart: no agreement");
		assert_eq!(aggregate(MEDIAN, 3, &outputs[..1]), None, "too few outputs");
		assert_eq!(aggregate(MEDIAN, 1, &outputs), None, "one of two is not a majority");
		let three: [&[i64]; 3] = [&[100], &[200], &[102]];
		let accepted = aggregate(MEDIAN, 1, &three).unwrap();
		assert_eq!(accepted.output, vec![102], "the median");
		assert_eq!(accepted.agrees, vec![true, false, true]);
	}

	#[test]
	fn median_is_per_element_and_one_bad_element_makes_an_outlier() {
		let outputs: [&[i64]; 3] = [&[1, 50], &[2, 60], &[3, 70]];
		let accepted = aggregate(Aggregation::Median { tolerance: 10 }, 2, &outputs).unwrap();
		assert_eq!(accepted.output, vec![2, 60]);
		assert_eq!(accepted.agrees, vec![true, true, true]);
		// One of three within the tolerance of the median is no majority.
		assert_eq!(aggregate(Aggregation::Median { tolerance: 9 }, 1, &outputs), None);
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
	fn argmax_reports_are_combined_by_exact_majority() {
		let outputs: [&[i64]; 3] = [&[4, 0], &[4, 0], &[7, 0]];
		let accepted = aggregate(Aggregation::ArgMax, 2, &outputs).unwrap();
		assert_eq!((accepted.output, accepted.agrees), (vec![4, 0], vec![true, true, false]));
		let split: [&[i64]; 3] = [&[4], &[5], &[6]];
		assert_eq!(aggregate(Aggregation::ArgMax, 1, &split), None);
	}

	#[test]
	fn top_k_takes_the_majority_positions_and_the_median_of_their_values() {
		let rule = Aggregation::TopK { k: 2, tolerance: 3 };
		// Positions [5, 1] then values. The liar names other classes with the same values;
		// a third honest report is off by 2 in a value.
		let outputs: [&[i64]; 4] =
			[&[5, 1, 900, 80], &[5, 1, 902, 79], &[2, 3, 900, 80], &[5, 1, 901, 82]];
		let accepted = aggregate(rule, 3, &outputs).unwrap();
		assert_eq!(accepted.output, vec![5, 1, 901, 80], "the median of the three sharing [5, 1]");
		assert_eq!(accepted.agrees, vec![true, true, false, true]);
		// The liar's values are not in the median: were they, a liar with extreme values
		// among the majority's positions would shift it.
		let extreme: [&[i64]; 3] =
			[&[5, 1, 900, 80], &[2, 3, i64::MAX, i64::MIN], &[5, 1, 900, 80]];
		assert_eq!(aggregate(rule, 2, &extreme).unwrap().output, vec![5, 1, 900, 80]);
		// No majority on the positions: no result, however close the values.
		let split: [&[i64]; 3] = [&[5, 1, 900, 80], &[1, 5, 900, 80], &[5, 2, 900, 80]];
		assert_eq!(aggregate(rule, 1, &split), None);
		// Positions agree but values are far apart: the majority group has no agreement.
		let far: [&[i64]; 3] = [&[5, 1, 100, 80], &[5, 1, 900, 80], &[5, 1, 500, 80]];
		assert_eq!(aggregate(rule, 2, &far), None);
	}

	#[test]
	fn unequal_lengths_never_aggregate() {
		let outputs: [&[i64]; 2] = [&[1, 2], &[1]];
		assert_eq!(aggregate(MEDIAN, 1, &outputs), None);
	}
}

mod canary;
mod consumer;
mod disputes;
mod exact;
mod inputs;
mod market;
mod subscriptions;
mod validation;
