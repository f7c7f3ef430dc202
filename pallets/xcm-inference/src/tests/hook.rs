//! The oracle's hook: a closed request's result call goes to the outbox, complete; its
//! callback stays until the result is delivered; nothing else happens in it.

use super::*;

#[test]
fn a_finalized_request_queues_its_result_call() {
	ExtBuilder::build_and_execute(|| {
		let id = request(PARA_A);
		close(id, ClosedAs::Finalized(&[7, -8, 9]));

		// The callback (and its deposit) stays until the result is delivered.
		assert!(Callbacks::<Test>::contains_key(id));
		let queued = Outbox::<Test>::get(id).unwrap();
		assert_eq!(queued.para, PARA_A);
		assert_eq!(queued.weight_limit, CALL_WEIGHT);
		assert_eq!((queued.depositor, queued.deposit), (sovereign(PARA_A), DEPOSIT));
		assert_eq!(queued.failed, None);
		// The prefix, then SCALE((request, outcome)).
		assert_eq!(&queued.call[..3], &PREFIX);
		let outcome = RemoteOutcome::Finalized(vec![7, -8, 9]);
		assert_eq!(&queued.call[3..], &(id, outcome.clone()).encode()[..]);
		assert_eq!(decode(&queued.call), expected(id, outcome));
		// The deposit stays held until delivery; nothing is sent by the hook.
		assert_eq!(held(sovereign(PARA_A)), DEPOSIT);
		assert!(MockSender::sent().is_empty());
	});
}

#[test]
fn an_expired_request_queues_its_result_call() {
	ExtBuilder::build_and_execute(|| {
		let id = request(PARA_B);
		close(id, ClosedAs::Expired);
		let queued = Outbox::<Test>::get(id).unwrap();
		assert_eq!(queued.para, PARA_B);
		assert_eq!(decode(&queued.call), expected(id, RemoteOutcome::Expired));
	});
}

#[test]
fn the_encoding_is_documented_byte_for_byte() {
	// `u64` little-endian, then the variant, the compact length and each `i64` little-endian.
	let call =
		XcmInference::result_call(&PREFIX, 5, &RemoteOutcome::Finalized(vec![-1, 2])).unwrap();
	let mut bytes = PREFIX.to_vec();
	bytes.extend_from_slice(&5u64.to_le_bytes());
	bytes.push(0);
	bytes.push(2 << 2);
	bytes.extend_from_slice(&(-1i64).to_le_bytes());
	bytes.extend_from_slice(&2i64.to_le_bytes());
	assert_eq!(call.to_vec(), bytes);
	let expired = XcmInference::result_call(&[], 5, &RemoteOutcome::Expired).unwrap();
	assert_eq!(expired.to_vec(), [5, 0, 0, 0, 0, 0, 0, 0, 1]);
	let replaced = XcmInference::result_call(&[], 0, &RemoteOutcome::Replaced(vec![])).unwrap();
	assert_eq!(replaced.to_vec(), [0, 0, 0, 0, 0, 0, 0, 0, 2, 0]);
}

#[test]
fn a_request_gets_one_result_call_the_latest_before_delivery() {
	ExtBuilder::build_and_execute(|| {
		let id = request(PARA_A);
		close(id, ClosedAs::Finalized(&[1]));
		// A dispute replacing the result before delivery replaces the queued call.
		close(id, ClosedAs::Replaced(&[2]));
		let queued = Outbox::<Test>::get(id).unwrap();
		assert_eq!(decode(&queued.call), expected(id, RemoteOutcome::Replaced(vec![2])));
		idle();
		assert_eq!(MockSender::sent().len(), 1);
		assert!(!Callbacks::<Test>::contains_key(id));
		// Once delivered, a later replacement is not sent.
		close(id, ClosedAs::Replaced(&[3]));
		assert!(!Outbox::<Test>::contains_key(id));
		idle();
		assert_eq!(MockSender::sent().len(), 1);
		assert_eq!(held(sovereign(PARA_A)), 0);
	});
}

#[test]
fn a_request_without_a_callback_changes_nothing() {
	ExtBuilder::build_and_execute(|| {
		let id = request(PARA_A);
		let root = frame::deps::sp_io::storage::root(frame::deps::sp_runtime::StateVersion::V1);
		close(id + 1, ClosedAs::Finalized(&[1]));
		close(id + 2, ClosedAs::Expired);
		assert_eq!(
			frame::deps::sp_io::storage::root(frame::deps::sp_runtime::StateVersion::V1),
			root
		);
	});
}

#[test]
fn the_largest_output_fits_and_one_more_element_is_recorded_as_too_large() {
	ExtBuilder::build_and_execute(|| {
		let fits = request(PARA_A);
		close(fits, ClosedAs::Finalized(&largest_output()));
		let queued = Outbox::<Test>::get(fits).unwrap();
		assert_eq!(queued.failed, None);
		assert!(queued.call.len() <= MAX_RESULT_BYTES as usize);
		assert_eq!(
			decode(&queued.call),
			expected(fits, RemoteOutcome::Finalized(largest_output()))
		);

		let too_large = request(PARA_A);
		let mut output = largest_output();
		output.push(0);
		close(too_large, ClosedAs::Finalized(&output));
		// Queued as failed, with its deposit still held: never dropped silently.
		let queued = Outbox::<Test>::get(too_large).unwrap();
		assert_eq!(queued.failed, Some(DeliveryError::ResultTooLarge));
		assert!(queued.call.is_empty());
		assert_eq!(held(sovereign(PARA_A)), 2 * DEPOSIT);

		// Delivery skips it; its sibling discards it for the deposit.
		idle();
		assert_eq!(MockSender::sent().len(), 1);
		assert!(Outbox::<Test>::contains_key(too_large));
		assert_ok!(XcmInference::discard_result(sibling(PARA_A), too_large));
		assert_eq!(held(sovereign(PARA_A)), 0);
	});
}

#[test]
fn a_request_answered_in_its_own_call_is_queued_at_once() {
	ExtBuilder::build_and_execute(|| {
		// The exact tier: the oracle tells the hook before the callback exists.
		MockOracle::answer_at_once(Some(vec![11, 12]));
		let id = request(PARA_A);
		assert!(Callbacks::<Test>::contains_key(id));
		let queued = Outbox::<Test>::get(id).unwrap();
		assert_eq!(decode(&queued.call), expected(id, RemoteOutcome::Finalized(vec![11, 12])));
		assert_eq!(events(), vec![Event::CallbackRegistered { request: id, para: PARA_A }]);
		idle();
		assert_eq!(MockSender::sent().len(), 1);
		assert_eq!(held(sovereign(PARA_A)), 0);
	});
}

#[test]
fn the_hook_declares_its_benchmarked_weight() {
	assert_eq!(
		<XcmInference as OnInferenceResult<u64>>::max_weight(),
		<() as WeightInfo>::on_result()
	);
}

#[test]
fn the_hook_does_nothing_and_charges_nothing_for_accounts_that_cannot_be_siblings() {
	ExtBuilder::build_and_execute(|| {
		let id = request(PARA_A);
		// A request of the same id told with another requester (an account of the chain)
		// reads nothing and queues nothing.
		<XcmInference as OnInferenceResult<u64>>::on_result(id, &7, MODEL, ClosedAs::Expired);
		assert!(!Outbox::<Test>::contains_key(id));
		assert_eq!(<XcmInference as OnInferenceResult<u64>>::weight_for(&7), Weight::zero());
		assert_eq!(
			<XcmInference as OnInferenceResult<u64>>::weight_for(&sovereign(PARA_A)),
			<XcmInference as OnInferenceResult<u64>>::max_weight()
		);
	});
}
