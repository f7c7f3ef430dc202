//! Delivery in `on_idle`: the exact message, the bound per block, the cursor, failures.

use super::*;
use xcm::latest::{Instruction, Junction::Parachain, Location, OriginKind, WeightLimit};

#[test]
fn on_idle_sends_the_result_as_unpaid_native_transact_to_the_sibling() {
	ExtBuilder::build_and_execute(|| {
		let id = request(PARA_A);
		close(id, ClosedAs::Finalized(&[42, -42]));
		System::reset_events();
		idle();

		let sent = MockSender::sent();
		assert_eq!(sent.len(), 1);
		let (destination, message) = &sent[0];
		assert_eq!(*destination, Location::new(1, [Parachain(PARA_A)]));
		assert_eq!(message.0.len(), 2);
		assert_eq!(
			message.0[0],
			Instruction::UnpaidExecution {
				weight_limit: WeightLimit::Limited(CALL_WEIGHT),
				check_origin: None
			}
		);
		let Instruction::Transact { origin_kind, fallback_max_weight, call } = &message.0[1] else {
			panic!("the second instruction is a Transact: {message:?}");
		};
		assert_eq!(*origin_kind, OriginKind::Native);
		assert_eq!(*fallback_max_weight, Some(CALL_WEIGHT));
		assert_eq!(decode(call.encoded()), expected(id, RemoteOutcome::Finalized(vec![42, -42])));

		// Delivered: removed, the deposit released, the message's id reported.
		let message_id = message.using_encoded(frame::deps::sp_io::hashing::blake2_256);
		assert_eq!(
			events(),
			vec![Event::ResultDelivered { request: id, para: PARA_A, message_id }]
		);
		assert!(!Outbox::<Test>::contains_key(id));
		assert_eq!(held(sovereign(PARA_A)), 0);
		assert_eq!(Balances::free_balance(sovereign(PARA_A)), START_BALANCE - ORACLE_FEE);
	});
}

#[test]
fn each_result_goes_to_its_own_sibling() {
	ExtBuilder::build_and_execute(|| {
		let a = request(PARA_A);
		let b = request(PARA_B);
		close(a, ClosedAs::Expired);
		close(b, ClosedAs::Finalized(&[1]));
		idle();
		let mut sent: Vec<_> = MockSender::sent()
			.into_iter()
			.map(|(destination, message)| {
				let Some(Instruction::Transact { call, .. }) = message.0.last() else {
					panic!("a Transact last")
				};
				(destination, decode(call.encoded()))
			})
			.collect();
		sent.sort_by_key(|(d, _)| d.clone());
		assert_eq!(
			sent,
			vec![
				(Location::new(1, [Parachain(PARA_A)]), expected(a, RemoteOutcome::Expired)),
				(
					Location::new(1, [Parachain(PARA_B)]),
					expected(b, RemoteOutcome::Finalized(vec![1]))
				),
			]
		);
	});
}

#[test]
fn at_most_max_deliveries_per_block_are_sent() {
	ExtBuilder::build_and_execute(|| {
		let ids: Vec<_> = (0..5).map(|_| request(PARA_A)).collect();
		for id in &ids {
			close(*id, ClosedAs::Expired);
		}
		idle();
		assert_eq!(MockSender::sent().len(), MAX_DELIVERIES as usize);
		assert!(DeliveryCursor::<Test>::get().is_some());
		idle();
		assert_eq!(MockSender::sent().len(), 2 * MAX_DELIVERIES as usize);
		idle();
		assert_eq!(MockSender::sent().len(), 5);
		// The walk reached the end: the next one starts again from the first entry.
		assert_eq!(DeliveryCursor::<Test>::get(), None);
		assert_eq!(Outbox::<Test>::iter().count(), 0);
		assert_eq!(held(sovereign(PARA_A)), 0);
		// Each sent once.
		let mut delivered: Vec<_> = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::ResultDelivered { request, .. } => Some(request),
				_ => None,
			})
			.collect();
		delivered.sort();
		assert_eq!(delivered, ids);
	});
}

#[test]
fn on_idle_sends_only_what_its_weight_allows_and_resumes_from_its_cursor() {
	ExtBuilder::build_and_execute(|| {
		let ids: Vec<_> = (0..3).map(|_| request(PARA_A)).collect();
		for id in &ids {
			close(*id, ClosedAs::Expired);
		}
		let base = XcmInference::idle_base_weight();
		let step = <() as WeightInfo>::deliver();
		// Too little for one delivery: nothing happens, nothing is charged.
		let root = frame::deps::sp_io::storage::root(frame::deps::sp_runtime::StateVersion::V1);
		assert_eq!(
			XcmInference::on_idle(2, base.saturating_add(step) - Weight::from_parts(1, 0)),
			Weight::zero()
		);
		assert_eq!(
			frame::deps::sp_io::storage::root(frame::deps::sp_runtime::StateVersion::V1),
			root
		);
		// Room for one each block: one each block, every one reached.
		for sent in 1..=3 {
			assert_eq!(
				XcmInference::on_idle(2, base.saturating_add(step)),
				base.saturating_add(step)
			);
			assert_eq!(MockSender::sent().len(), sent);
		}
		assert_eq!(Outbox::<Test>::iter().count(), 0);
	});
}

#[test]
fn a_refused_result_is_recorded_failed_and_not_retried_by_on_idle() {
	ExtBuilder::build_and_execute(|| {
		let id = request(PARA_A);
		close(id, ClosedAs::Finalized(&[5]));
		MockSender::fail_with(Some(SendError::Transport("no channel")));
		System::reset_events();
		idle();
		assert_eq!(
			events(),
			vec![Event::ResultUndelivered {
				request: id,
				para: PARA_A,
				error: DeliveryError::Transport
			}]
		);
		let queued = Outbox::<Test>::get(id).unwrap();
		assert_eq!(queued.failed, Some(DeliveryError::Transport));
		assert_eq!(held(sovereign(PARA_A)), DEPOSIT);

		// The router works again, but on_idle leaves failed results to `retry_delivery`.
		MockSender::fail_with(None);
		idle();
		idle();
		assert!(MockSender::sent().is_empty());
		assert_ok!(XcmInference::retry_delivery(RuntimeOrigin::signed(RELAYER), id));
		assert_eq!(MockSender::sent().len(), 1);
		assert_eq!(held(sovereign(PARA_A)), 0);
	});
}

#[test]
fn every_send_error_is_recorded() {
	let cases = [
		(SendError::NotApplicable, DeliveryError::NotApplicable),
		(SendError::Transport("x"), DeliveryError::Transport),
		(SendError::Unroutable, DeliveryError::Unroutable),
		(SendError::DestinationUnsupported, DeliveryError::DestinationUnsupported),
		(SendError::ExceedsMaxMessageSize, DeliveryError::ExceedsMaxMessageSize),
		(SendError::MissingArgument, DeliveryError::MissingArgument),
		(SendError::Fees, DeliveryError::Fees),
	];
	for (send_error, recorded) in cases {
		ExtBuilder::build_and_execute(|| {
			let id = request(PARA_A);
			close(id, ClosedAs::Expired);
			MockSender::fail_with(Some(send_error));
			idle();
			assert_eq!(Outbox::<Test>::get(id).unwrap().failed, Some(recorded));
		});
	}
}

#[test]
fn failed_results_do_not_count_against_the_deliveries_of_a_block() {
	ExtBuilder::build_and_execute(|| {
		MockSender::fail_with(Some(SendError::Unroutable));
		let failed: Vec<_> = (0..3).map(|_| request(PARA_B)).collect();
		for id in &failed {
			close(*id, ClosedAs::Expired);
		}
		// Two tried (and failed) in the first block, the third in the next.
		idle();
		assert_eq!(Outbox::<Test>::iter().filter(|(_, q)| q.failed.is_some()).count(), 2);
		idle();
		assert_eq!(Outbox::<Test>::iter().filter(|(_, q)| q.failed.is_some()).count(), 3);
		MockSender::fail_with(None);
		let queued: Vec<_> = (0..2).map(|_| request(PARA_A)).collect();
		for id in &queued {
			close(*id, ClosedAs::Expired);
		}
		// The walk passes the three failed results (charged) and sends the two queued.
		let used = idle();
		assert_eq!(MockSender::sent().len(), 2);
		assert!(used.all_gte(<() as WeightInfo>::deliver().saturating_mul(2)));
		assert_eq!(Outbox::<Test>::iter().filter(|(_, q)| q.failed.is_some()).count(), 3);
		assert_eq!(Outbox::<Test>::iter().count(), 3);
	});
}

#[test]
fn an_empty_outbox_costs_only_the_cursor() {
	ExtBuilder::build_and_execute(|| {
		assert_eq!(idle(), XcmInference::idle_base_weight());
		assert_eq!(DeliveryCursor::<Test>::get(), None);
	});
}
