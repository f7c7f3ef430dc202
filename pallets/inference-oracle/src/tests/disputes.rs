//! Disputes: opening one, its refusals, and the three ways a round settles it.

use super::*;
use aioracle_primitives::oracle::{DisputeStatus, ResultStage};

const TRUTH: [i64; 3] = [10, 5, 7];
const LIE: [i64; 3] = [90, 5, 7];

/// Alice, Bob, Charlie and Dave register; `IRIS` (a committee of one) is requested and its
/// only member answers `answer`: the finalized request and that member.
fn finalized_by_one(answer: [i64; 3]) -> (RequestId, u64) {
	set_min_agreement(1);
	for who in [ALICE, BOB, CHARLIE, DAVE] {
		register(who);
	}
	let id = request(IRIS);
	let member = committee(id)[0];
	assert_ok!(submit(member, id, output(&answer)));
	assert_eq!(Results::<Test>::get(id).unwrap().output.to_vec(), answer.to_vec());
	(id, member)
}

/// `DAPP` disputes `id`: the round's id.
fn dispute(id: RequestId) -> RequestId {
	assert_ok!(InferenceOracle::dispute(signed(DAPP), id));
	Disputes::<Test>::get(id).expect("a dispute").round
}

/// Every member of `round`'s committee commits to and reveals `answer`.
fn round_answers(round: RequestId, answer: [i64; 3]) {
	let answers: Vec<_> = committee(round).into_iter().map(|m| (m, output(&answer))).collect();
	commit_and_reveal(round, &answers);
}

/// `who` disputes `id`, with the call's error alone.
fn try_dispute(who: u64, id: RequestId) -> DispatchResult {
	InferenceOracle::dispute(signed(who), id).map(|_| ()).map_err(|e| e.error)
}

fn status(id: RequestId) -> Option<DisputeStatus> {
	Disputes::<Test>::get(id).map(|d| d.status)
}

#[test]
fn a_dispute_opens_a_round_with_a_fresh_larger_committee() {
	ExtBuilder::build_and_execute(|| {
		let (id, member) = finalized_by_one(LIE);
		let free = Balances::free_balance(DAPP);
		let round = dispute(id);
		let members = committee(round);
		// `min_agreement` 1 + 1: a committee of three, without the first member.
		assert_eq!(members.len(), 3);
		assert!(!members.contains(&member));
		let request = Requests::<Test>::get(round).unwrap();
		assert_eq!(request.contract.min_agreement, 2);
		assert_eq!(request.requester, DAPP);
		assert_eq!(request.input, Requests::<Test>::get(id).unwrap().input);
		assert_eq!(held(HoldReason::DisputeBond, DAPP), DISPUTE_BOND);
		assert_eq!(free - Balances::free_balance(DAPP), DISPUTE_BOND + FEE + request.deposit);
		assert_eq!(DisputeRounds::<Test>::get(round), Some(id));
		assert_eq!(OpenDisputes::<Test>::get(), 1);
		let view = InferenceOracle::result_view(id).unwrap();
		assert_eq!(view.stage, ResultStage::Disputed);
		assert_eq!(view.dispute.unwrap().status, DisputeStatus::Open);
		assert!(events().contains(&Event::DisputeOpened {
			request: id,
			disputer: DAPP,
			bond: DISPUTE_BOND,
			round,
		}));
	});
}

#[test]
fn an_upheld_dispute_replaces_the_result_and_pays_the_disputer_the_liars_slash() {
	ExtBuilder::build_and_execute(|| {
		let (id, liar) = finalized_by_one(LIE);
		let round = dispute(id);
		round_answers(round, TRUTH);
		// Settled in `on_idle`, not by the reveal that closed the round.
		assert_eq!(status(id), Some(DisputeStatus::Open));
		let free = Balances::free_balance(DAPP);
		let issuance = Balances::total_issuance();
		idle(2);
		assert_eq!(status(id), Some(DisputeStatus::Upheld));
		assert_eq!(Results::<Test>::get(id).unwrap().output.to_vec(), TRUTH.to_vec());
		let slash = DISPUTE_SLASH * BOND;
		assert_eq!(bond(liar), BOND - slash);
		assert_eq!(Balances::free_balance(DAPP), free + DISPUTE_BOND + slash);
		assert_eq!(held(HoldReason::DisputeBond, DAPP), 0);
		// Paid, not burnt.
		assert_eq!(Balances::total_issuance(), issuance);
		let (agreements, outliers, ..) = stats(liar);
		assert_eq!((agreements, outliers), (1, 1));
		assert_eq!(Operators::<Test>::get(liar).unwrap().strikes, 1);
		assert!(events().contains(&Event::ResultReplaced {
			request: id,
			output: BoundedVec::truncate_from(TRUTH.to_vec()),
		}));
		assert!(events().contains(&Event::OperatorPenalized {
			operator: liar,
			request: id,
			fault: Fault::Overturned,
			amount: slash,
		}));
		// The view now names the liar an outlier of the replaced result; it is settled.
		let view = InferenceOracle::result_view(id).unwrap();
		assert_eq!(view.stage, ResultStage::Settled);
		assert_eq!(view.outliers, vec![liar]);
		assert_eq!(OpenDisputes::<Test>::get(), 0);
		// The payments still name who shared the fee at the close: the liar.
		let payments = InferenceOracle::payment_views(id);
		assert_eq!(
			payments,
			vec![aioracle_primitives::oracle::Payment {
				to: aioracle_primitives::oracle::Recipient::Operator(liar),
				amount: FEE
			}]
		);
	});
}

#[test]
fn a_rejected_dispute_burns_the_bond_and_the_result_stands() {
	ExtBuilder::build_and_execute(|| {
		let (id, member) = finalized_by_one(TRUTH);
		let round = dispute(id);
		// Within the tolerance (10) of the result: the round agrees with it.
		round_answers(round, [12, 5, 7]);
		let free = Balances::free_balance(DAPP);
		let issuance = Balances::total_issuance();
		idle(2);
		assert_eq!(status(id), Some(DisputeStatus::Rejected));
		assert_eq!(Results::<Test>::get(id).unwrap().output.to_vec(), TRUTH.to_vec());
		assert_eq!(bond(member), BOND);
		assert_eq!(held(HoldReason::DisputeBond, DAPP), 0);
		assert_eq!(Balances::free_balance(DAPP), free);
		assert_eq!(Balances::total_issuance(), issuance - DISPUTE_BOND);
		assert!(events().contains(&Event::DisputeResolved {
			request: id,
			round,
			status: DisputeStatus::Rejected,
		}));
	});
}

#[test]
fn a_round_without_agreement_is_inconclusive_and_returns_the_bond() {
	ExtBuilder::build_and_execute(|| {
		let (id, member) = finalized_by_one(LIE);
		let round = dispute(id);
		// Nobody answers the round: it expires at its deadline, its members no-shows.
		let deadline = Requests::<Test>::get(round).unwrap().deadline;
		let free = Balances::free_balance(DAPP);
		idle(deadline + 1);
		assert_eq!(Requests::<Test>::get(round).unwrap().status, RequestStatus::Expired);
		// Closed by this `on_idle`'s expiry, settled by the next.
		idle(deadline + 2);
		assert_eq!(status(id), Some(DisputeStatus::Inconclusive));
		assert_eq!(Results::<Test>::get(id).unwrap().output.to_vec(), LIE.to_vec());
		assert_eq!(bond(member), BOND);
		// The bond and the round's fee are back.
		assert_eq!(Balances::free_balance(DAPP), free + DISPUTE_BOND + FEE);
		for no_show in committee(round) {
			assert_eq!(stats(no_show).3, 1);
		}
	});
}

#[test]
fn dispute_errors_leave_state_unchanged() {
	ExtBuilder::build_and_execute(|| {
		let (id, member) = finalized_by_one(LIE);
		assert_noop!(try_dispute(DAPP, 99), Error::<Test>::RequestNotFound);
		let pending = request(IRIS);
		assert_noop!(try_dispute(DAPP, pending), Error::<Test>::NotFinalized);
		assert_noop!(try_dispute(member, id), Error::<Test>::SelfDispute);
		assert_noop!(try_dispute(POOR, id), TokenError::FundsUnavailable);
		assert_noop!(
			InferenceOracle::dispute(RuntimeOrigin::none(), id).map_err(|e| e.error),
			BadOrigin
		);
		// A refused dispute is charged for the call only, not for a prune.
		let refused = InferenceOracle::dispute(signed(member), id).unwrap_err();
		assert_eq!(refused.post_info.actual_weight, Some(<() as WeightInfo>::dispute()));
		let round = dispute(id);
		assert_noop!(try_dispute(BOB, id), Error::<Test>::AlreadyDisputed);
		round_answers(round, TRUTH);
		assert_noop!(try_dispute(BOB, round), Error::<Test>::NotDisputable);
		idle(2);
		// Settled: still one dispute per result.
		assert_noop!(try_dispute(BOB, id), Error::<Test>::AlreadyDisputed);
	});
}

#[test]
fn the_window_closes_and_the_result_is_settled() {
	ExtBuilder::build_and_execute(|| {
		let (id, _) = finalized_by_one(TRUTH);
		let view = InferenceOracle::result_view(id).unwrap();
		assert_eq!(view.stage, ResultStage::Finalized);
		assert_eq!(view.settles_at, 1 + DISPUTE_WINDOW);
		System::set_block_number(1 + DISPUTE_WINDOW);
		assert_eq!(InferenceOracle::result_view(id).unwrap().stage, ResultStage::Finalized);
		System::set_block_number(2 + DISPUTE_WINDOW);
		assert_eq!(InferenceOracle::result_view(id).unwrap().stage, ResultStage::Settled);
		assert_noop!(try_dispute(DAPP, id), Error::<Test>::DisputeWindowOver);
	});
}

#[test]
fn a_round_needs_enough_operators_outside_the_first_committee() {
	ExtBuilder::build_and_execute(|| {
		// A committee of three out of four: one operator left, the round needs three.
		let (id, members, _) = four_operators_and_a_request(2);
		let answers: Vec<_> = members.iter().map(|m| (*m, output(&TRUTH))).collect();
		commit_and_reveal(id, &answers);
		assert!(Results::<Test>::contains_key(id));
		assert_noop!(try_dispute(DAPP, id), Error::<Test>::TooFewOperators);
	});
}

#[test]
fn open_disputes_are_bounded() {
	ExtBuilder::build_and_execute(|| {
		let (first, _) = finalized_by_one(TRUTH);
		let mut finalized = vec![first];
		while finalized.len() < MAX_OPEN_DISPUTES as usize + 1 {
			let id = request(IRIS);
			assert_ok!(submit(committee(id)[0], id, output(&TRUTH)));
			finalized.push(id);
		}
		// A block of their own: the rounds are requests too.
		System::set_block_number(2);
		for id in &finalized[..MAX_OPEN_DISPUTES as usize] {
			dispute(*id);
		}
		let last = *finalized.last().unwrap();
		assert_noop!(try_dispute(DAPP, last), Error::<Test>::TooManyDisputes);
	});
}

#[test]
fn a_round_pruned_before_on_idle_settled_it_is_settled_by_the_prune() {
	ExtBuilder::build_and_execute(|| {
		let (id, _) = finalized_by_one(LIE);
		let round = dispute(id);
		round_answers(round, TRUTH);
		// No block has weight to spare for `on_idle`: requests fill the retention until
		// the one that prunes the round.
		let mut block = 1;
		while NextRequestId::<Test>::get() < round + u64::from(MAX_RETAINED) {
			block += 1;
			System::set_block_number(block);
			for _ in 0..MAX_REQUESTS_PER_BLOCK {
				if NextRequestId::<Test>::get() < round + u64::from(MAX_RETAINED) {
					request(IRIS);
				}
			}
		}
		assert!(Requests::<Test>::contains_key(round));
		block += 1;
		System::set_block_number(block);
		// Charged for the settlement it does: refunded only the exact tier's part.
		let post =
			InferenceOracle::request_inference(signed(DAPP), IRIS, vec![1, 2, 3, 4], FEE).unwrap();
		assert_eq!(
			post.actual_weight,
			Some(InferenceOracle::request_weight() + InferenceOracle::prune_weight())
		);
		assert!(!Requests::<Test>::contains_key(round));
		// The disputed request went first; the dispute outlived it and closed inconclusive.
		assert!(!Requests::<Test>::contains_key(id));
		assert_eq!(status(id), None);
		assert!(events().contains(&Event::DisputeResolved {
			request: id,
			round,
			status: DisputeStatus::Inconclusive,
		}));
		assert_eq!(held(HoldReason::DisputeBond, DAPP), 0);
	});
}

#[test]
fn a_colluding_majority_of_a_committee_is_overturned_and_both_liars_pay_the_disputer() {
	ExtBuilder::build_and_execute(|| {
		// Eight operators, committees of three (`min_agreement` 2), rounds of five.
		MaxOperatorsParam::set(8);
		MaxCommitteeParam::set(5);
		set_min_agreement(2);
		let operators: Vec<u64> = (1_000..1_008).collect();
		for who in &operators {
			assert_ok!(<Balances as frame::traits::fungible::Mutate<u64>>::mint_into(
				who,
				START_BALANCE
			));
			assert_ok!(InferenceOracle::register_operator(signed(*who), key(*who), BOND));
		}
		let id = request(IRIS);
		let members = committee(id);
		assert_eq!(members.len(), 3);
		// Two of three collude: more than the `f = 1` a committee of three tolerates.
		let (liars, honest) = (&members[..2], members[2]);
		let mut answers: Vec<_> = liars.iter().map(|l| (*l, output(&LIE))).collect();
		answers.push((honest, output(&TRUTH)));
		commit_and_reveal(id, &answers);
		assert_eq!(Results::<Test>::get(id).unwrap().output.to_vec(), LIE.to_vec());

		let round = dispute(id);
		let fresh = committee(round);
		assert_eq!(fresh.len(), 5);
		assert!(fresh.iter().all(|m| !members.contains(m)));
		round_answers(round, TRUTH);
		let free = Balances::free_balance(DAPP);
		idle(2);
		assert_eq!(status(id), Some(DisputeStatus::Upheld));
		assert_eq!(Results::<Test>::get(id).unwrap().output.to_vec(), TRUTH.to_vec());
		let slash = DISPUTE_SLASH * BOND;
		for liar in liars {
			assert_eq!(bond(*liar), BOND - slash);
		}
		assert_eq!(Balances::free_balance(DAPP), free + DISPUTE_BOND + 2 * slash);
		// The honest member the liars outvoted keeps its outlier slash: it was burnt (see
		// the pallet docs); the replaced result now counts it as agreeing.
		assert_eq!(InferenceOracle::result_view(id).unwrap().agreeing, vec![honest]);
	});
}
