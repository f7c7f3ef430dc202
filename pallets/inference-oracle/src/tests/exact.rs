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
		let info = ask(vec![10_000, 20_000, 30_000, -40_000], PRICE).unwrap();
		let id = NextRequestId::<Test>::get() - 1;

		// 1 + 2, 2 + 3, 3 - 4 at 6 decimals.
		let expected = vec![3_000_000, 5_000_000, -1_000_000];
		let result = Results::<Test>::get(id).unwrap();
		assert_eq!(result.output.to_vec(), expected);
		assert_eq!(result.finalized_at, System::block_number());
		assert_eq!(ExactResults::<Test>::get(id), Some(program_hash));
		let request = Requests::<Test>::get(id).unwrap();
		assert_eq!(request.status, RequestStatus::Finalized);
		assert_eq!((request.fee, request.price), (0, PRICE));
		assert!(committee(id).is_empty(), "no committee is drawn");
		assert!(!PendingRequests::<Test>::contains_key(id));
		assert!(events().contains(&Event::ResultFinalized {
			request: id,
			output: BoundedVec::truncate_from(expected.clone()),
			agreeing: BoundedVec::new(),
			outliers: BoundedVec::new(),
		}));
		assert_eq!(RecordingConsumer::told(), vec![(id, DAPP, IRIS, Told::Finalized(expected))]);

		// The price went to the version; only the retention deposit stays held.
		assert_eq!(MockMarket::credited(IRIS, 1), PRICE);
		assert_eq!(held(HoldReason::RequestFee, DAPP), 0);
		assert_eq!(held(HoldReason::RequestRetention, DAPP), request.deposit);
		assert_eq!(Balances::free_balance(DAPP), free_before - PRICE - request.deposit);

		// Settled at once: nobody can dispute what every validator computed.
		let read = <InferenceOracle as InferenceResults<u64, u64>>::result(id).unwrap();
		assert_eq!(read.stage, ResultStage::Settled);
		assert_noop!(
			InferenceOracle::dispute(signed(BOB), id).map_err(|e| e.error),
			Error::<Test>::NotDisputable
		);
		let view = InferenceOracle::result_view(id).unwrap();
		assert_eq!((view.stage, view.exact_program), (ResultStage::Settled, Some(program_hash)));
		assert!(view.agreeing.is_empty() && view.outliers.is_empty());

		// Charged the request and the program, not the most an exact answer can take.
		assert_eq!(info.actual_weight, Some(InferenceOracle::exact_request_weight() + EXACT_WEIGHT));
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
		assert_eq!(
			charged,
			InferenceOracle::request_weight() + InferenceOracle::prune_weight() + MAX_EXACT_WEIGHT
		);
		// A request served by operators is refunded the exact part.
		register(ALICE);
		let info = ask(vec![1, 2, 3, 4], FEE).unwrap();
		assert_eq!(info.actual_weight, Some(InferenceOracle::request_weight()));
	});
}

#[test]
fn an_exact_request_is_pruned_like_any_other() {
	ExtBuilder::build_and_execute(|| {
		exact_iris();
		assert_ok!(ask(vec![1, 2, 3, 4], FEE));
		let first = NextRequestId::<Test>::get() - 1;
		for _ in 0..MAX_RETAINED {
			assert_ok!(ask(vec![1, 2, 3, 4], FEE));
		}
		assert!(!Requests::<Test>::contains_key(first));
		assert!(!ExactResults::<Test>::contains_key(first));
		assert!(!Results::<Test>::contains_key(first));
	});
}

#[test]
fn an_exact_version_is_quoted_as_it_answers() {
	ExtBuilder::build_and_execute(|| {
		exact_iris();
		MockMarket::set_price(IRIS, PRICE);
		let quote = InferenceOracle::quote(IRIS).unwrap();
		assert_eq!((quote.fee, quote.price, quote.total), (0, PRICE, PRICE));
		assert_ok!(ask(vec![1, 2, 3, 4], quote.total));
		let id = NextRequestId::<Test>::get() - 1;
		assert_eq!(quote.deposit, Requests::<Test>::get(id).unwrap().deposit);
	});
}
