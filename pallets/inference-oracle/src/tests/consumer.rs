//! Results for other pallets: the `OnResult` hook told of every outcome, charged for up
//! front, and `InferenceResults` reading a result back.

use super::*;
use aioracle_primitives::{consumer::InferenceResults, oracle::ResultStage};

const TRUTH: [i64; 3] = [10, 5, 7];
const LIE: [i64; 3] = [90, 5, 7];

#[test]
fn a_finalized_result_is_told_once_with_its_output_and_read_back() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		let id = request(IRIS);
		assert!(RecordingConsumer::told().is_empty(), "nothing before the result");
		assert_ok!(submit(ALICE, id, output(&TRUTH)));
		assert_eq!(RecordingConsumer::told(), vec![(id, DAPP, IRIS, Told::Finalized(TRUTH.to_vec()))]);

		let read = <InferenceOracle as InferenceResults<u64, u64>>::result(id).unwrap();
		assert_eq!(read.requester, DAPP);
		assert_eq!(read.model, IRIS);
		assert_eq!(read.version, Requests::<Test>::get(id).unwrap().version);
		assert_eq!(read.output, TRUTH.to_vec());
		assert_eq!(read.finalized_at, System::block_number());
		assert_eq!(read.stage, ResultStage::Finalized);
		// Past the dispute window it reads as settled.
		System::set_block_number(InferenceOracle::settles_at(read.finalized_at) + 1);
		let read = <InferenceOracle as InferenceResults<u64, u64>>::result(id).unwrap();
		assert_eq!(read.stage, ResultStage::Settled);
	});
}

#[test]
fn an_expired_request_is_told_and_has_no_result_to_read() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		let id = request(IRIS);
		for block in 2..=(2 + WINDOW) {
			idle(block);
		}
		assert_eq!(Requests::<Test>::get(id).unwrap().status, RequestStatus::Expired);
		assert_eq!(RecordingConsumer::told(), vec![(id, DAPP, IRIS, Told::Expired)]);
		assert_eq!(<InferenceOracle as InferenceResults<u64, u64>>::result(id), None);
		assert_eq!(<InferenceOracle as InferenceResults<u64, u64>>::result(99), None);
	});
}

#[test]
fn a_replaced_result_is_told_and_the_dispute_round_is_not() {
	ExtBuilder::build_and_execute(|| {
		set_min_agreement(1);
		for who in [ALICE, BOB, CHARLIE, DAVE] {
			register(who);
		}
		let id = request(IRIS);
		assert_ok!(submit(committee(id)[0], id, output(&LIE)));
		assert_ok!(InferenceOracle::dispute(signed(DAPP), id));
		let round = Disputes::<Test>::get(id).unwrap().round;
		let answers: Vec<_> = committee(round).into_iter().map(|m| (m, output(&TRUTH))).collect();
		commit_and_reveal(round, &answers);
		idle(2);
		// The lie, then its replacement; the round that found the truth is the oracle's own.
		assert_eq!(
			RecordingConsumer::told(),
			vec![
				(id, DAPP, IRIS, Told::Finalized(LIE.to_vec())),
				(id, DAPP, IRIS, Told::Replaced(TRUTH.to_vec())),
			]
		);
		let read = <InferenceOracle as InferenceResults<u64, u64>>::result(id).unwrap();
		assert_eq!((read.output, read.stage), (TRUTH.to_vec(), ResultStage::Settled));
	});
}

#[test]
fn the_requester_pays_the_hook_up_front_and_closing_is_charged_for_it() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		// The request's weight carries the hook, charged and kept whatever happens later.
		let call = crate::Call::<Test>::request_inference { model: IRIS, input: vec![1, 2, 3, 4], max_fee: FEE };
		let declared = call.get_dispatch_info().call_weight;
		// (The more, part by part, of a request served by operators and an exact request
		// that displaces one: each carries the hook.)
		let exact = <() as WeightInfo>::request_exact_inference()
			.saturating_add(<() as WeightInfo>::prune_request());
		assert_eq!(
			declared,
			<() as WeightInfo>::request_inference()
				.max(exact)
				.saturating_add(CONSUMER_WEIGHT)
				.saturating_add(InferenceOracle::prune_weight())
				.saturating_add(InferenceOracle::exact_weight())
		);
		let post = InferenceOracle::request_inference(signed(DAPP), IRIS, vec![1, 2, 3, 4], FEE)
			.unwrap();
		assert_eq!(
			post.actual_weight,
			Some(<() as WeightInfo>::request_inference().saturating_add(CONSUMER_WEIGHT))
		);
		// A batch declares the hook for every item that may close its request.
		let without_hook = <() as WeightInfo>::submit_results(2);
		assert!(InferenceOracle::batch_weight(2, 3, 1)
			.all_gte(without_hook.saturating_add(CONSUMER_WEIGHT.saturating_mul(2))));
		// And a batch that closed a request keeps that charge after its refund.
		let id = NextRequestId::<Test>::get() - 1;
		let call = batch(ALICE, ALICE, &[(id, output(&TRUTH))]);
		let post = call.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into()).unwrap();
		assert!(post.actual_weight.unwrap().all_gte(CONSUMER_WEIGHT));
		assert_eq!(RecordingConsumer::told(), vec![(id, DAPP, IRIS, Told::Finalized(TRUTH.to_vec()))]);
	});
}

#[test]
fn expiry_leaves_a_request_for_the_next_block_when_its_hook_does_not_fit() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		let id = request(IRIS);
		for block in 2..=(1 + WINDOW) {
			idle(block);
		}
		let due = 2 + WINDOW;
		System::set_block_number(due);
		// Room for the cursor, one entry and the expiry, but not the hook.
		let step = <() as WeightInfo>::expiry_step();
		let expiry = <() as WeightInfo>::expire(3);
		InferenceOracle::on_idle(due, step.saturating_mul(2).saturating_add(expiry));
		assert_eq!(Requests::<Test>::get(id).unwrap().status, RequestStatus::Pending);
		assert!(RecordingConsumer::told().is_empty());
		// With the hook's weight too, it expires and is told.
		let with_hook = step.saturating_mul(2).saturating_add(expiry).saturating_add(CONSUMER_WEIGHT);
		InferenceOracle::on_idle(due, with_hook);
		assert_eq!(Requests::<Test>::get(id).unwrap().status, RequestStatus::Expired);
		assert_eq!(RecordingConsumer::told(), vec![(id, DAPP, IRIS, Told::Expired)]);
	});
}

#[test]
fn request_inference_the_trait_makes_a_request_as_the_call_does() {
	use aioracle_primitives::consumer::RequestInference;
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		let input = vec![1, 2, 3, 4];
		let post = InferenceOracle::request_inference(signed(DAPP), IRIS, input.clone(), FEE)
			.unwrap();
		let by_call = NextRequestId::<Test>::get() - 1;
		let (by_trait, weight) =
			<InferenceOracle as RequestInference<u64, u128>>::request(DAPP, IRIS, input, FEE)
				.unwrap();
		assert_eq!(by_trait, by_call + 1);
		// The same record (but its id), held the same way, charged the same weight.
		assert_eq!(Requests::<Test>::get(by_trait), Requests::<Test>::get(by_call));
		assert!(PendingRequests::<Test>::contains_key(by_trait));
		assert_eq!(committee(by_trait), vec![ALICE]);
		assert_eq!(Some(weight), post.actual_weight);
		let deposit = Requests::<Test>::get(by_trait).unwrap().deposit;
		assert_eq!(held(HoldReason::RequestRetention, DAPP), 2 * deposit);
		assert!(matches!(
			events().last(),
			Some(Event::InferenceRequested { request, requester: DAPP, model: IRIS, .. })
				if *request == by_trait
		));
		// Its most is what the call declares.
		let call = crate::Call::<Test>::request_inference {
			model: IRIS,
			input: vec![1, 2, 3, 4],
			max_fee: FEE,
		};
		assert_eq!(
			<InferenceOracle as RequestInference<u64, u128>>::max_request_weight(),
			call.get_dispatch_info().call_weight
		);
		// And it refuses what the call refuses, changing nothing.
		assert_noop!(
			<InferenceOracle as RequestInference<u64, u128>>::request(
				DAPP,
				IRIS,
				vec![1, 2, 3, 4],
				FEE - 1
			)
			.map(|_| ()),
			Error::<Test>::FeeAboveMax
		);
		assert_noop!(
			<InferenceOracle as RequestInference<u64, u128>>::request(DAPP, IRIS, vec![1], FEE)
				.map(|_| ()),
			Error::<Test>::InputLengthMismatch
		);
	});
}
