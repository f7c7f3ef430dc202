//! The exact tier: a request to a version with an exact program is answered in its own
//! call, by the runtime, without a committee.

use super::*;
use aioracle_exact::program::{Constant, InputRange, InputSpec, Interval, Op, Program};
use aioracle_primitives::{consumer::InferenceResults, model::ModelHash, oracle::ResultStage};
use frame::deps::sp_io;
use frame::deps::frame_support::dispatch::WithPostDispatchInfo;

const PRICE: u128 = 40;

/// The iris contract's shape: 4 inputs at 4 decimals in [-100, 100], and
/// `y = (x0 + x1, x1 + x2, x2 + x3)` at 6 decimals.
fn pairwise_sums() -> Program {
	Program {
		version: aioracle_exact::FORMAT_VERSION,
		input: InputSpec {
			len: 4,
			scale: 4,
			range: InputRange::Global(Interval { min: -1_000_000, max: 1_000_000 }),
		},
		constants: vec![Constant { scale: 0, values: vec![1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1] }],
		nodes: vec![Op::Linear { input: 0, weights: 0, bias: None, outputs: 3, scale: 6 }],
		output: 1,
		output_scale: 6,
	}
}

fn exact_iris() -> ModelHash {
	let bytes = pairwise_sums().encode();
	set_exact_program(IRIS, bytes.clone());
	sp_io::hashing::blake2_256(&bytes).into()
}

fn ask(input: Vec<i64>, max_fee: u128) -> DispatchResultWithPostInfo {
	InferenceOracle::request_inference(signed(DAPP), IRIS, input, max_fee)
}

#[test]
fn an_exact_version_answers_in_the_requests_own_call() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		let program_hash = exact_iris();
		MockMarket::set_price(IRIS, PRICE);
		let free_before = Balances::free_balance(DAPP);
		let pot_before = Balances::free_balance(POT);
		let input = vec![10_000, 20_000, 30_000, -40_000];
		let info = ask(input.clone(), PRICE).unwrap();
		let id = NextRequestId::<Test>::get() - 1;

		// 1 + 2, 2 + 3, 3 - 4 at 6 decimals, kept in the request's ring slot.
		let expected = vec![3_000_000, 5_000_000, -1_000_000];
		let answer = InferenceOracle::exact_answer(id).unwrap();
		assert_eq!(answer.output.to_vec(), expected);
		assert_eq!(answer.input.to_vec(), input);
		assert_eq!((answer.requester, answer.program_hash, answer.price), (DAPP, program_hash, PRICE));
		assert_eq!(answer.answered_at, System::block_number());
		assert_eq!(ExactAnswers::<Test>::get((id % MAX_RETAINED as u64) as u32), Some(answer));
		// Not a request served by operators: nothing of it is in their records.
		assert!(!Requests::<Test>::contains_key(id) && !Results::<Test>::contains_key(id));
		assert!(committee(id).is_empty(), "no committee is drawn");
		assert!(!PendingRequests::<Test>::contains_key(id));
		assert!(events().contains(&Event::ResultFinalized {
			request: id,
			output: BoundedVec::truncate_from(expected.clone()),
			agreeing: BoundedVec::new(),
			outliers: BoundedVec::new(),
		}));
		assert!(events().contains(&Event::PriceCredited { request: id, model: IRIS, version: 1, price: PRICE }));
		assert_eq!(RecordingConsumer::told(), vec![(id, DAPP, IRIS, Told::Finalized(expected.clone()))]);

		// The price went to the version through the pot; nothing stays held.
		assert_eq!(MockMarket::credited(IRIS, 1), PRICE);
		assert_eq!(Balances::free_balance(POT), pot_before + PRICE);
		assert_eq!(held(HoldReason::RequestFee, DAPP), 0);
		assert_eq!(held(HoldReason::RequestRetention, DAPP), 0);
		assert_eq!(Balances::free_balance(DAPP), free_before - PRICE);

		// Read as any request: finalized in its own block, settled at once.
		let request = InferenceOracle::request_view(id).unwrap();
		assert_eq!((request.requester, request.model, request.version), (DAPP, IRIS, 1));
		assert_eq!((request.fee, request.price, request.input), (0, PRICE, input));
		assert_eq!(request.status, RequestStatus::Finalized);
		assert_eq!((request.created_at, request.deadline), (System::block_number(), System::block_number()));
		let read = <InferenceOracle as InferenceResults<u64, u64>>::result(id).unwrap();
		assert_eq!((read.requester, read.output.clone(), read.stage), (DAPP, expected.clone(), ResultStage::Settled));
		let view = InferenceOracle::result_view(id).unwrap();
		assert_eq!((view.stage, view.exact_program), (ResultStage::Settled, Some(program_hash)));
		assert_eq!(view.output, expected);
		assert!(view.agreeing.is_empty() && view.outliers.is_empty());
		assert!(InferenceOracle::submission_views(id).is_empty());

		// Nobody can dispute what every validator computed.
		assert_noop!(
			InferenceOracle::dispute(signed(BOB), id).map_err(|e| e.error),
			Error::<Test>::NotDisputable
		);

		// Charged the request and the program: nothing was retained to prune.
		assert_eq!(info.actual_weight, Some(InferenceOracle::exact_request_weight() + EXACT_WEIGHT));
	});
}

#[test]
fn a_requester_who_cannot_pay_the_price_is_refused_with_nothing_changed() {
	ExtBuilder::build_and_execute(|| {
		exact_iris();
		let price = Balances::free_balance(DAPP);
		MockMarket::set_price(IRIS, price);
		// The whole balance would reap the account: it must stay alive.
		let refused = ask(vec![1, 2, 3, 4], price).unwrap_err();
		assert_eq!(refused.post_info.actual_weight, Some(<() as WeightInfo>::request_inference()));
		assert_noop!(ask(vec![1, 2, 3, 4], price), refused);
	});
}

#[test]
fn an_input_outside_the_programs_range_is_refused() {
	ExtBuilder::build_and_execute(|| {
		exact_iris();
		let refused = DispatchError::from(Error::<Test>::InputOutOfRange)
			.with_weight(<() as WeightInfo>::request_inference());
		assert_noop!(ask(vec![0, 0, 1_000_001, 0], FEE), refused);
		assert_noop!(ask(vec![-1_000_001, 0, 0, 0], FEE), refused);
	});
}

#[test]
fn the_price_must_fit_the_max_fee_and_no_operator_fee_is_asked() {
	ExtBuilder::build_and_execute(|| {
		exact_iris();
		MockMarket::set_price(IRIS, PRICE);
		let refused = DispatchError::from(Error::<Test>::FeeAboveMax)
			.with_weight(<() as WeightInfo>::request_inference());
		assert_noop!(ask(vec![1, 2, 3, 4], PRICE - 1), refused);
		// No operator is registered: an exact answer needs none.
		assert_ok!(ask(vec![1, 2, 3, 4], PRICE));
	});
}

#[test]
fn a_program_that_fails_at_run_time_refuses_the_request() {
	ExtBuilder::build_and_execute(|| {
		// A program for another input length (the registry would have refused it).
		let mut wrong = pairwise_sums();
		wrong.input.len = 5;
		set_exact_program(IRIS, wrong.encode());
		let refused = DispatchError::from(Error::<Test>::ExactRunFailed)
			.with_weight(<() as WeightInfo>::request_inference());
		assert_noop!(ask(vec![1, 2, 3, 4], FEE), refused);
		set_exact_program(IRIS, vec![1, 2, 3]);
		assert_noop!(ask(vec![1, 2, 3, 4], FEE), refused);
	});
}

#[test]
fn a_request_is_charged_up_front_for_the_largest_exact_answer() {
	ExtBuilder::build_and_execute(|| {
		let call = Call::<Test>::request_inference { model: IRIS, input: vec![], max_fee: 0 };
		let charged =
			frame::deps::frame_support::dispatch::GetDispatchInfo::get_dispatch_info(&call)
				.call_weight;
		let exact_displacing_a_served_request =
			InferenceOracle::exact_request_weight() + <() as WeightInfo>::prune_request();
		assert_eq!(
			charged,
			InferenceOracle::request_weight().max(exact_displacing_a_served_request) +
				InferenceOracle::prune_weight() +
				MAX_EXACT_WEIGHT
		);
		// Whatever an exact request takes is covered.
		let most_exact = exact_displacing_a_served_request + InferenceOracle::prune_weight() + MAX_EXACT_WEIGHT;
		assert!(most_exact.all_lte(charged));
		// A request served by operators is refunded the exact part.
		register(ALICE);
		let info = ask(vec![1, 2, 3, 4], FEE).unwrap();
		assert_eq!(info.actual_weight, Some(InferenceOracle::request_weight()));
	});
}

#[test]
fn an_exact_answer_is_kept_while_retained_then_its_slot_is_reused() {
	ExtBuilder::build_and_execute(|| {
		exact_iris();
		assert_ok!(ask(vec![1, 2, 3, 4], FEE));
		let first = NextRequestId::<Test>::get() - 1;
		for _ in 1..MAX_RETAINED {
			assert_ok!(ask(vec![1, 2, 3, 4], FEE));
		}
		assert!(InferenceOracle::exact_answer(first).is_some(), "retained for MaxRetainedRequests");
		let info = ask(vec![4, 3, 2, 1], FEE).unwrap();
		let next = NextRequestId::<Test>::get() - 1;
		assert_eq!(next, first + MAX_RETAINED as u64);
		// The new answer took the first one's slot: the ring never grows.
		assert_eq!(InferenceOracle::exact_answer(first), None);
		assert_eq!(InferenceOracle::exact_answer(next).unwrap().input.to_vec(), vec![4, 3, 2, 1]);
		assert_eq!(ExactAnswers::<Test>::iter().count(), MAX_RETAINED as usize);
		assert_eq!(InferenceOracle::request_view(first), None);
		assert_eq!(info.actual_weight, Some(InferenceOracle::exact_request_weight() + EXACT_WEIGHT));
	});
}

#[test]
fn an_exact_answer_displaced_by_a_committee_request_is_no_longer_shown() {
	ExtBuilder::build_and_execute(|| {
		exact_iris();
		assert_ok!(ask(vec![1, 2, 3, 4], FEE));
		let first = NextRequestId::<Test>::get() - 1;
		NextRequestId::<Test>::put(first + MAX_RETAINED as u64);
		// The version loses its program: the next request is served by operators.
		clear_exact_program(IRIS);
		register(ALICE);
		let served = request(IRIS);
		assert!(Requests::<Test>::contains_key(served));
		// Its slot still holds the old record, which no view shows any more.
		assert!(ExactAnswers::<Test>::contains_key((first % MAX_RETAINED as u64) as u32));
		assert_eq!(InferenceOracle::exact_answer(first), None);
		assert_eq!(InferenceOracle::result_view(first), None);
		assert_eq!(<InferenceOracle as InferenceResults<u64, u64>>::result(first), None);
		assert_noop!(
			InferenceOracle::dispute(signed(BOB), first).map_err(|e| e.error),
			Error::<Test>::RequestNotFound
		);
	});
}

#[test]
fn an_exact_request_prunes_the_committee_request_it_displaces_and_pays_for_it() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		let served = request(IRIS);
		let deposit = Requests::<Test>::get(served).unwrap().deposit;
		assert!(deposit > 0);
		exact_iris();
		NextRequestId::<Test>::put(served + MAX_RETAINED as u64);
		let info = ask(vec![1, 2, 3, 4], FEE).unwrap();

		// Still pending: closed (refunded, as nobody answered), then deleted.
		assert!(!Requests::<Test>::contains_key(served));
		assert!(committee(served).is_empty());
		assert_eq!(held(HoldReason::RequestRetention, DAPP), 0);
		assert_eq!(
			info.actual_weight,
			Some(
				InferenceOracle::exact_request_weight() +
					EXACT_WEIGHT + <() as WeightInfo>::prune_request() +
					InferenceOracle::prune_weight()
			)
		);
	});
}

#[test]
fn an_exact_version_is_quoted_as_it_answers() {
	ExtBuilder::build_and_execute(|| {
		exact_iris();
		MockMarket::set_price(IRIS, PRICE);
		let quote = InferenceOracle::quote(IRIS).unwrap();
		assert_eq!((quote.fee, quote.price, quote.total), (0, PRICE, PRICE));
		assert_eq!(quote.deposit, 0, "an exact answer holds no deposit");
		let free_before = Balances::free_balance(DAPP);
		assert_ok!(ask(vec![1, 2, 3, 4], quote.total));
		assert_eq!(Balances::free_balance(DAPP), free_before - quote.total);
	});
}

/// The v5 -> v6 storage migration: exact answers leave `Requests` and `Results` for their
/// ring, and their retention deposits are released.
mod migration_v6 {
	use super::*;
	use crate::migrations::v6;
	use frame::traits::{fungible::MutateHold, OnRuntimeUpgrade};

	/// Request `id` answered exactly as storage version 5 kept it: a finalized request
	/// holding a retention deposit, its result, and its program's hash.
	fn exact_request_v5(id: RequestId, deposit: u128, output: Vec<i64>, hash: ModelHash) {
		let contract = MockModels::serving_contract(IRIS).unwrap();
		let request = Request {
			requester: DAPP,
			model: IRIS,
			version: 1,
			model_hash: [7; 32].into(),
			contract,
			input: BoundedVec::truncate_from(vec![1, 2, 3, 4]),
			fee: 0,
			price: PRICE,
			deposit,
			created_at: 3,
			deadline: 3,
			status: RequestStatus::Finalized,
		};
		assert_ok!(Balances::hold(&HoldReason::RequestRetention.into(), &DAPP, deposit));
		Requests::<Test>::insert(id, request);
		Results::<Test>::insert(id, FinalResult { output: BoundedVec::truncate_from(output), finalized_at: 3 });
		v6::ExactResults::<Test>::insert(id, hash);
	}

	fn migrate() {
		#[cfg(feature = "try-runtime")]
		v6::MigrateV5ToV6::<Test>::try_on_runtime_upgrade(true).unwrap();
		#[cfg(not(feature = "try-runtime"))]
		v6::MigrateV5ToV6::<Test>::on_runtime_upgrade();
	}

	#[test]
	fn exact_answers_move_to_their_ring_and_release_their_deposits() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let served = request(IRIS);
			let served_record = Requests::<Test>::get(served).unwrap();
			let first = served + 1;
			exact_request_v5(first, 30, vec![5, 6, 7], [1; 32].into());
			exact_request_v5(first + 1, 20, vec![8, 9, 10], [2; 32].into());
			NextRequestId::<Test>::put(first + 2);
			StorageVersion::new(5).put::<InferenceOracle>();
			let free_before = Balances::free_balance(DAPP);

			migrate();

			assert_eq!(StorageVersion::get::<InferenceOracle>(), 6);
			let answer = InferenceOracle::exact_answer(first).unwrap();
			assert_eq!((answer.output.to_vec(), answer.program_hash), (vec![5, 6, 7], [1; 32].into()));
			assert_eq!((answer.requester, answer.price, answer.answered_at), (DAPP, PRICE, 3));
			assert_eq!(answer.input.to_vec(), vec![1, 2, 3, 4]);
			assert_eq!(InferenceOracle::exact_answer(first + 1).unwrap().output.to_vec(), vec![8, 9, 10]);
			for id in [first, first + 1] {
				assert!(!Requests::<Test>::contains_key(id) && !Results::<Test>::contains_key(id));
				assert!(!v6::ExactResults::<Test>::contains_key(id));
				let view = InferenceOracle::result_view(id).unwrap();
				assert_eq!(view.stage, ResultStage::Settled);
			}
			// The deposits are back; the request served by operators keeps its own.
			assert_eq!(Balances::free_balance(DAPP), free_before + 50);
			assert_eq!(held(HoldReason::RequestRetention, DAPP), served_record.deposit);
			assert_eq!(Requests::<Test>::get(served), Some(served_record.clone()));

			// Run again (or on a chain already at 6): nothing changes.
			migrate();
			assert_eq!(Balances::free_balance(DAPP), free_before + 50);
			assert_eq!(ExactAnswers::<Test>::iter().count(), 2);
		});
	}
}
