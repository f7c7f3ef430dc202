//! The calls: a sibling's request with its callback, retries, discards; each refusal
//! changes nothing.

use super::*;

#[test]
fn a_sibling_requests_with_its_sovereign_account_and_a_held_deposit() {
	ExtBuilder::build_and_execute(|| {
		let input = vec![4, 5, 6];
		let post = XcmInference::request_with_callback(
			sibling(PARA_A),
			MODEL,
			input.clone(),
			100,
			callback(&PREFIX),
		)
		.unwrap();

		// The sovereign account made the request and paid for it.
		assert_eq!(MockOracle::requests(), vec![(0, sovereign(PARA_A), MODEL, input, 100)]);
		assert_eq!(Balances::free_balance(POT), ORACLE_FEE);
		assert_eq!(held(sovereign(PARA_A)), DEPOSIT);
		assert_eq!(Balances::free_balance(sovereign(PARA_A)), START_BALANCE - ORACLE_FEE - DEPOSIT);
		assert_eq!(
			Callbacks::<Test>::get(0),
			Some(PendingCallback {
				para: PARA_A,
				callback: callback(&PREFIX),
				depositor: sovereign(PARA_A),
				deposit: DEPOSIT,
			})
		);
		assert!(!Outbox::<Test>::contains_key(0));
		assert_eq!(events(), vec![Event::CallbackRegistered { request: 0, para: PARA_A }]);

		// Charged its own part, the delivery and the oracle's most; refunded to what the
		// oracle took.
		let call = crate::Call::<Test>::request_with_callback {
			model: MODEL,
			input: vec![4, 5, 6],
			max_fee: 100,
			callback: callback(&PREFIX),
		};
		let own = <() as WeightInfo>::request_with_callback()
			.saturating_add(RESULT_WEIGHT)
			.saturating_add(<() as WeightInfo>::deliver());
		assert_eq!(call.get_dispatch_info().call_weight, own.saturating_add(MAX_REQUEST_WEIGHT));
		assert_eq!(post.actual_weight, Some(own.saturating_add(REQUEST_WEIGHT)));
	});
}

#[test]
fn two_siblings_hold_deposits_each_for_their_own_requests() {
	ExtBuilder::build_and_execute(|| {
		let a = request(PARA_A);
		let b = request(PARA_B);
		let a2 = request(PARA_A);
		assert_eq!((a, b, a2), (0, 1, 2));
		assert_eq!(held(sovereign(PARA_A)), 2 * DEPOSIT);
		assert_eq!(held(sovereign(PARA_B)), DEPOSIT);
		assert_eq!(Callbacks::<Test>::get(b).unwrap().para, PARA_B);
	});
}

#[test]
fn only_siblings_request() {
	ExtBuilder::build_and_execute(|| {
		for origin in [RuntimeOrigin::signed(RELAYER), RuntimeOrigin::root(), RuntimeOrigin::none()]
		{
			assert_noop!(
				XcmInference::request_with_callback(origin, MODEL, vec![1], 100, callback(&PREFIX))
					.map_err(|e| e.error),
				BadOrigin
			);
		}
		assert!(MockOracle::requests().is_empty());
	});
}

#[test]
fn a_sovereign_account_that_cannot_hold_the_deposit_is_refused() {
	ExtBuilder::build_and_execute(|| {
		assert_noop!(
			XcmInference::request_with_callback(
				sibling(POOR_PARA),
				MODEL,
				vec![1],
				100,
				callback(&PREFIX)
			)
			.map_err(|e| e.error),
			Error::<Test>::CannotHoldDeposit
		);
		assert!(MockOracle::requests().is_empty());
	});
}

#[test]
fn a_refused_request_undoes_the_deposit_and_the_fee() {
	ExtBuilder::build_and_execute(|| {
		// The mock oracle takes its fee before refusing: the call undoes both.
		MockOracle::refuse(true);
		let call = || {
			XcmInference::request_with_callback(
				sibling(PARA_A),
				MODEL,
				vec![1],
				100,
				callback(&PREFIX),
			)
		};
		assert_noop!(call().map_err(|e| e.error), DispatchError::Other("the mock oracle refuses"));
		// Refunded to this pallet's part and the refusal, not the most a request takes.
		assert_eq!(
			call().unwrap_err().post_info.actual_weight,
			Some(<() as WeightInfo>::request_with_callback() + REFUSED_REQUEST_WEIGHT)
		);
		assert_eq!(held(sovereign(PARA_A)), 0);
		assert_eq!(Balances::free_balance(sovereign(PARA_A)), START_BALANCE);
	});
}

#[test]
fn a_prefix_longer_than_max_callback_bytes_does_not_decode() {
	ExtBuilder::build_and_execute(|| {
		let long = vec![0u8; MAX_CALLBACK_BYTES as usize + 1];
		let encoded = (long, CALL_WEIGHT).encode();
		assert!(CallbackOf::<Test>::decode(&mut &encoded[..]).is_err());
		let fits = (vec![0u8; MAX_CALLBACK_BYTES as usize], CALL_WEIGHT).encode();
		assert!(CallbackOf::<Test>::decode(&mut &fits[..]).is_ok());
	});
}

#[test]
fn anyone_retries_a_failed_delivery() {
	ExtBuilder::build_and_execute(|| {
		let id = request(PARA_A);
		close(id, ClosedAs::Finalized(&[1, 2]));
		MockSender::fail_with(Some(SendError::Transport("no channel")));
		idle();
		assert_eq!(Outbox::<Test>::get(id).unwrap().failed, Some(DeliveryError::Transport));

		MockSender::fail_with(None);
		System::reset_events();
		assert_ok!(XcmInference::retry_delivery(RuntimeOrigin::signed(RELAYER), id));
		let sent = MockSender::sent();
		assert_eq!(sent.len(), 1);
		let message_id = sent[0].1.using_encoded(frame::deps::sp_io::hashing::blake2_256);
		assert_eq!(
			events(),
			vec![Event::ResultDelivered { request: id, para: PARA_A, message_id }]
		);
		assert!(!Outbox::<Test>::contains_key(id));
		assert_eq!(held(sovereign(PARA_A)), 0);
	});
}

#[test]
fn a_retry_the_router_refuses_again_changes_nothing() {
	ExtBuilder::build_and_execute(|| {
		let id = request(PARA_A);
		close(id, ClosedAs::Expired);
		MockSender::fail_with(Some(SendError::Unroutable));
		idle();
		MockSender::fail_with(Some(SendError::Transport("still no channel")));
		assert_noop!(
			XcmInference::retry_delivery(RuntimeOrigin::signed(RELAYER), id),
			Error::<Test>::DeliveryFailed
		);
		// The first error stays recorded.
		assert_eq!(Outbox::<Test>::get(id).unwrap().failed, Some(DeliveryError::Unroutable));
		assert_eq!(held(sovereign(PARA_A)), DEPOSIT);
	});
}

#[test]
fn retries_are_refused_for_what_is_not_a_failed_delivery() {
	ExtBuilder::build_and_execute(|| {
		// Unsigned.
		assert_noop!(XcmInference::retry_delivery(RuntimeOrigin::none(), 0), BadOrigin);
		// No such result, nor a request still open.
		assert_noop!(
			XcmInference::retry_delivery(RuntimeOrigin::signed(RELAYER), 0),
			Error::<Test>::ResultNotFound
		);
		let id = request(PARA_A);
		assert_noop!(
			XcmInference::retry_delivery(RuntimeOrigin::signed(RELAYER), id),
			Error::<Test>::ResultNotFound
		);
		// Queued, not failed: on_idle sends it.
		close(id, ClosedAs::Expired);
		assert_noop!(
			XcmInference::retry_delivery(RuntimeOrigin::signed(RELAYER), id),
			Error::<Test>::NotFailed
		);
		// Too large: it can never be sent.
		let big = request(PARA_A);
		close(big, ClosedAs::Finalized(&[0; 15]));
		assert_noop!(
			XcmInference::retry_delivery(RuntimeOrigin::signed(RELAYER), big),
			Error::<Test>::ResultTooLarge
		);
		assert!(MockSender::sent().is_empty());
	});
}

#[test]
fn a_sibling_discards_its_undelivered_results() {
	ExtBuilder::build_and_execute(|| {
		let queued = request(PARA_A);
		let failed = request(PARA_A);
		close(failed, ClosedAs::Finalized(&[3]));
		MockSender::fail_with(Some(SendError::Transport("no channel")));
		idle();
		MockSender::fail_with(None);
		// Closed after that block's delivery: queued, not tried yet.
		close(queued, ClosedAs::Expired);
		assert_eq!(Outbox::<Test>::get(queued).unwrap().failed, None);
		assert_eq!(held(sovereign(PARA_A)), 2 * DEPOSIT);
		System::reset_events();

		for id in [queued, failed] {
			assert_ok!(XcmInference::discard_result(sibling(PARA_A), id));
			assert!(!Outbox::<Test>::contains_key(id));
		}
		assert_eq!(held(sovereign(PARA_A)), 0);
		assert_eq!(Balances::free_balance(sovereign(PARA_A)), START_BALANCE - 2 * ORACLE_FEE);
		assert_eq!(
			events(),
			vec![
				Event::ResultDiscarded { request: queued, para: PARA_A },
				Event::ResultDiscarded { request: failed, para: PARA_A },
			]
		);
		idle();
		assert!(MockSender::sent().is_empty());
	});
}

#[test]
fn only_the_owning_sibling_discards() {
	ExtBuilder::build_and_execute(|| {
		let id = request(PARA_A);
		// Not closed yet: nothing in the outbox.
		assert_noop!(
			XcmInference::discard_result(sibling(PARA_A), id),
			Error::<Test>::ResultNotFound
		);
		close(id, ClosedAs::Expired);
		assert_noop!(XcmInference::discard_result(sibling(PARA_B), id), Error::<Test>::NotYours);
		assert_noop!(XcmInference::discard_result(RuntimeOrigin::signed(RELAYER), id), BadOrigin);
		assert_noop!(
			XcmInference::discard_result(sibling(PARA_A), id + 1),
			Error::<Test>::ResultNotFound
		);
		assert_eq!(held(sovereign(PARA_A)), DEPOSIT);
	});
}
