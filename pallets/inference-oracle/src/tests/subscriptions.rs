//! Subscriptions: opening and closing them, requests made on schedule from the budget,
//! the per-block bound and its fairness, and the ways a subscription closes itself.

use super::*;

const INPUT: [i64; 4] = [1, 2, 3, 4];

fn terms(every: u64, until: Option<u64>, budget: u128) -> SubscriptionTermsOf<Test> {
	SubscriptionTerms {
		model: IRIS,
		input: ScheduledInput::Inline(INPUT.to_vec()),
		every,
		until,
		max_fee: FEE,
		budget,
	}
}

fn open(who: u64, terms: SubscriptionTermsOf<Test>) -> SubscriptionId {
	assert_ok!(InferenceOracle::open_subscription(signed(who), terms));
	NextSubscriptionId::<Test>::get() - 1
}

/// Starts `block`: `on_initialize`, as the executive runs it before any transaction.
fn start(block: u64) -> Weight {
	System::set_block_number(block);
	InferenceOracle::on_initialize(block)
}

/// What one IRIS request with `INPUT` takes from a budget: fee, price and retention
/// deposit (read from a request made to find out, then undone).
fn request_cost() -> u128 {
	frame::deps::frame_support::storage::with_transaction(|| {
		let id = request(IRIS);
		let r = Requests::<Test>::get(id).unwrap();
		frame::deps::frame_support::storage::TransactionOutcome::Rollback(Ok::<_, DispatchError>(
			r.fee + r.price + r.deposit,
		))
	})
	.unwrap()
}

/// The requests subscription `id` made, in order.
fn requests_of(id: SubscriptionId) -> Vec<RequestId> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::SubscriptionRequested { subscription, request, .. } if subscription == id => {
				Some(request)
			},
			_ => None,
		})
		.collect()
}

fn closed(id: SubscriptionId) -> Option<(SubscriptionEnd, u128)> {
	events().into_iter().find_map(|e| match e {
		Event::SubscriptionClosed { subscription, reason, refunded, .. } if subscription == id => {
			Some((reason, refunded))
		},
		_ => None,
	})
}

/// Everything the calls may change, to check a refused call changed nothing.
fn snapshot() -> (u32, SubscriptionId, u128, u128, u128, Vec<(u64, Vec<SubscriptionId>)>) {
	(
		Subscriptions::<Test>::count(),
		NextSubscriptionId::<Test>::get(),
		Balances::free_balance(DAPP),
		held(HoldReason::SubscriptionBudget, DAPP),
		held(HoldReason::SubscriptionStorage, DAPP),
		SubscriptionSchedule::<Test>::iter().map(|(b, d)| (b, d.into_inner())).collect(),
	)
}

mod open_and_close {
	use super::*;

	#[test]
	fn opening_holds_the_budget_and_a_deposit_and_lists_it_for_the_next_block() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let free = Balances::free_balance(DAPP);
			let id = open(DAPP, terms(3, None, 10 * FEE));
			let subscription = Subscriptions::<Test>::get(id).unwrap();
			let deposit = subscription.deposit.held();
			let (draft, _) = subscription.clone().replace_deposit(());
			let footprint = InferenceOracle::subscription_footprint(&draft);
			assert_eq!(deposit, SUBSCRIPTION_DEPOSIT_BASE + DEPOSIT_PER_BYTE * footprint.size as u128);
			assert_eq!(held(HoldReason::SubscriptionBudget, DAPP), 10 * FEE);
			assert_eq!(held(HoldReason::SubscriptionStorage, DAPP), deposit);
			assert_eq!(Balances::free_balance(DAPP), free - 10 * FEE - deposit);
			assert_eq!(subscription.next_due, 2);
			assert_eq!(SubscriptionSchedule::<Test>::get(2).into_inner(), vec![id]);
			assert_eq!(
				events().last(),
				Some(&Event::SubscriptionOpened {
					subscription: id,
					owner: DAPP,
					model: IRIS,
					every: 3,
					first_due: 2,
					until: None,
					budget: 10 * FEE,
					deposit,
				})
			);
		});
	}

	#[test]
	fn closing_releases_the_budget_and_deposit_and_unlists_it() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let free = Balances::free_balance(DAPP);
			let id = open(DAPP, terms(3, None, 10 * FEE));
			assert_ok!(InferenceOracle::close_subscription(signed(DAPP), id));
			assert_eq!(Balances::free_balance(DAPP), free);
			assert_eq!(held(HoldReason::SubscriptionBudget, DAPP), 0);
			assert_eq!(held(HoldReason::SubscriptionStorage, DAPP), 0);
			assert!(Subscriptions::<Test>::get(id).is_none());
			assert!(SubscriptionSchedule::<Test>::get(2).is_empty());
			assert_eq!(closed(id), Some((SubscriptionEnd::Closed, 10 * FEE)));
			// No request is made when it would have been due.
			start(2);
			assert!(requests_of(id).is_empty());
			assert_eq!(NextRequestId::<Test>::get(), 0);
		});
	}

	#[test]
	fn only_the_owner_closes_an_open_subscription() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let id = open(DAPP, terms(3, None, 10 * FEE));
			let before = snapshot();
			assert_noop!(
				InferenceOracle::close_subscription(signed(BOB), id),
				Error::<Test>::NotSubscriptionOwner
			);
			assert_noop!(
				InferenceOracle::close_subscription(signed(DAPP), id + 1),
				Error::<Test>::SubscriptionNotFound
			);
			assert_eq!(snapshot(), before);
		});
	}

	#[test]
	fn bad_terms_are_refused_with_nothing_changed() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			MockMarket::set_price(LABELS, 50);
			let before = snapshot();
			let refused = |t: SubscriptionTermsOf<Test>, error: DispatchError| {
				assert_noop!(InferenceOracle::open_subscription(signed(DAPP), t), error);
			};
			refused(terms(0, None, 10 * FEE), Error::<Test>::ZeroPeriod.into());
			refused(terms(2, Some(1), 10 * FEE), Error::<Test>::EndsBeforeFirstRequest.into());
			refused(terms(2, None, FEE - 1), Error::<Test>::BudgetTooSmall.into());
			let mut t = terms(2, None, 10 * FEE);
			t.model = RETIRED;
			refused(t, Error::<Test>::NoActiveVersion.into());
			let mut t = terms(2, None, 10 * FEE);
			t.input = ScheduledInput::Inline(vec![1, 2, 3]);
			refused(t, Error::<Test>::InputLengthMismatch.into());
			let mut t = terms(2, None, 10 * FEE);
			t.model = LABELS;
			t.max_fee = FEE + 49;
			refused(t, Error::<Test>::FeeAboveMax.into());
			let mut t = terms(2, None, 10 * FEE);
			t.input = ScheduledInput::Source(InputSource::Blob([9; 32].into()));
			refused(t, Error::<Test>::InputBlobNotFound.into());
			// An account that cannot hold the deposit and budget.
			assert_noop!(
				InferenceOracle::open_subscription(signed(POOR), terms(2, None, 10 * FEE)),
				TokenError::FundsUnavailable
			);
			forbid_inference(IRIS);
			refused(terms(2, None, 10 * FEE), Error::<Test>::InferenceNotPermitted.into());
			assert_eq!(snapshot(), before);
		});
	}

	#[test]
	fn at_most_max_subscriptions_are_open() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			for _ in 0..MAX_SUBSCRIPTIONS {
				open(DAPP, terms(5, None, 10 * FEE));
			}
			let before = snapshot();
			assert_noop!(
				InferenceOracle::open_subscription(signed(DAPP), terms(5, None, 10 * FEE)),
				Error::<Test>::TooManySubscriptions
			);
			assert_eq!(snapshot(), before);
			// Closing one makes room.
			assert_ok!(InferenceOracle::close_subscription(signed(DAPP), 0));
			open(DAPP, terms(5, None, 10 * FEE));
		});
	}
}

mod schedule {
	use super::*;

	#[test]
	fn requests_are_made_every_period_paid_from_the_budget() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let cost = request_cost();
			let id = open(DAPP, terms(3, None, 10 * cost));
			let free = Balances::free_balance(DAPP);
			for block in 2..=8 {
				start(block);
			}
			// Due in 2, then every 3 blocks: 2, 5, 8.
			let made = requests_of(id);
			assert_eq!(made.len(), 3);
			for (request, block) in made.iter().zip([2, 5, 8]) {
				let r = Requests::<Test>::get(request).unwrap();
				assert_eq!((r.requester, r.model, r.created_at), (DAPP, IRIS, block));
				assert_eq!(r.input.to_vec(), INPUT.to_vec());
			}
			let subscription = Subscriptions::<Test>::get(id).unwrap();
			assert_eq!(subscription.budget, 7 * cost);
			assert_eq!((subscription.requests, subscription.next_due), (3, 11));
			assert_eq!(held(HoldReason::SubscriptionBudget, DAPP), 7 * cost);
			// The requests hold their fees and deposits; the owner's free balance is untouched.
			assert_eq!(Balances::free_balance(DAPP), free);
			assert!(events().contains(&Event::SubscriptionRequested {
				subscription: id,
				request: made[2],
				budget: 7 * cost,
				next_due: Some(11),
			}));
		});
	}

	#[test]
	fn a_scheduled_request_is_answered_and_told_to_the_consumer_like_any_other() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let id = open(DAPP, terms(4, None, 10 * FEE));
			start(2);
			let request = requests_of(id)[0];
			let truth = honest_output(IRIS, &INPUT);
			assert_ok!(submit(ALICE, request, output(&truth)));
			assert_eq!(Results::<Test>::get(request).unwrap().output.to_vec(), truth);
			assert_eq!(RecordingConsumer::told(), vec![(request, DAPP, IRIS, Told::Finalized(truth))]);
		});
	}

	#[test]
	fn at_most_max_scheduled_per_block_and_every_subscription_gets_its_turn() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			// Four subscriptions due every block, two served per block.
			let ids: Vec<_> = (0..4).map(|_| open(DAPP, terms(1, None, 100 * FEE))).collect();
			let mut per_block = Vec::new();
			for block in 2..=9 {
				System::reset_events();
				start(block);
				let served: Vec<_> = events()
					.into_iter()
					.filter_map(|e| match e {
						Event::SubscriptionRequested { subscription, .. } => Some(subscription),
						_ => None,
					})
					.collect();
				assert_eq!(served.len() as u32, MAX_SCHEDULED_PER_BLOCK, "block {block}");
				per_block.push(served);
				// Transactions keep room for requests of their own.
				request(IRIS);
			}
			// In turn: none served twice before every other was served once.
			let order: Vec<_> = per_block.concat();
			for window in order.chunks(ids.len()) {
				let mut seen = window.to_vec();
				seen.sort();
				assert_eq!(seen, ids);
			}
		});
	}

	#[test]
	fn a_backlog_is_served_oldest_first_and_never_twice_in_a_block() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let ids: Vec<_> = (0..3).map(|_| open(DAPP, terms(1, None, 100 * FEE))).collect();
			start(2);
			// Two served in block 2; the third waits in its place.
			assert_eq!(ScheduleCursor::<Test>::get(), 2);
			assert_eq!(SubscriptionSchedule::<Test>::get(2).into_inner(), vec![ids[2]]);
			System::reset_events();
			start(3);
			// The one waiting first, then one due in 3; the other waits.
			let served: Vec<_> = events()
				.into_iter()
				.filter_map(|e| match e {
					Event::SubscriptionRequested { subscription, next_due, .. } => {
						Some((subscription, next_due))
					},
					_ => None,
				})
				.collect();
			assert_eq!(served, vec![(ids[2], Some(4)), (ids[0], Some(4))]);
			assert_eq!(SubscriptionSchedule::<Test>::get(3).into_inner(), vec![ids[1]]);
		});
	}

	#[test]
	fn on_initialize_is_charged_a_step_per_block_read_and_a_serve_per_subscription() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let step = <() as WeightInfo>::schedule_step();
			// Nothing open: the cursor only.
			assert_eq!(start(2), step);
			open(DAPP, terms(1, None, 100 * FEE));
			open(DAPP, terms(1, None, 100 * FEE));
			// The cursor, block 3 read, two served.
			assert_eq!(start(3), step * 2 + InferenceOracle::serve_weight() * 2);
			assert!(InferenceOracle::serve_weight().all_gte(
				<() as WeightInfo>::serve_subscription()
					.saturating_add(<() as WeightInfo>::close_subscription())
			));
		});
	}

	#[test]
	fn a_request_that_closes_a_pending_one_to_make_room_is_charged_the_prune() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			// A request still pending when it is the oldest retained.
			let pending = request(IRIS);
			NextRequestId::<Test>::put(pending + u64::from(MAX_RETAINED));
			open(DAPP, terms(5, None, 100 * FEE));
			let step = <() as WeightInfo>::schedule_step();
			assert_eq!(
				start(2),
				step * 2 + InferenceOracle::serve_weight() + InferenceOracle::prune_weight()
			);
			assert!(Requests::<Test>::get(pending).is_none(), "pruned");
			assert!(events().contains(&Event::RequestExpired { request: pending }));
			// The next serve prunes a request that is gone: no more than the serve.
			for block in 3..7 {
				assert_eq!(start(block), step * 2, "block {block}: the cursor and one block read");
			}
			assert_eq!(start(7), step * 2 + InferenceOracle::serve_weight());
		});
	}
}

mod closing_by_itself {
	use super::*;

	#[test]
	fn a_subscription_that_cannot_pay_another_fee_closes_with_its_last_request() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let cost = request_cost();
			let id = open(DAPP, terms(2, None, 2 * cost + FEE / 2));
			let deposit = Subscriptions::<Test>::get(id).unwrap().deposit.held();
			let free = Balances::free_balance(DAPP);
			start(2);
			start(3);
			start(4);
			// Two requests; what is left (half a fee) cannot pay for a third: it closes at
			// once, not a period later.
			let made = requests_of(id);
			assert_eq!(made.len(), 2);
			assert!(events().contains(&Event::SubscriptionRequested {
				subscription: id,
				request: made[1],
				budget: FEE / 2,
				next_due: None,
			}));
			assert_eq!(closed(id), Some((SubscriptionEnd::OutOfBudget, FEE / 2)));
			assert!(Subscriptions::<Test>::get(id).is_none());
			assert_eq!(held(HoldReason::SubscriptionBudget, DAPP), 0);
			assert_eq!(held(HoldReason::SubscriptionStorage, DAPP), 0);
			assert_eq!(Balances::free_balance(DAPP), free + FEE / 2 + deposit);
		});
	}

	#[test]
	fn a_subscription_whose_budget_falls_short_of_a_deposit_closes_when_due_with_nothing_made() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let cost = request_cost();
			// Enough for a third fee, not for its retention deposit too.
			let id = open(DAPP, terms(2, None, 3 * cost - 1));
			start(2);
			start(3);
			start(4);
			let next_request = NextRequestId::<Test>::get();
			assert!(Subscriptions::<Test>::get(id).is_some());
			start(5);
			start(6);
			assert_eq!(requests_of(id).len(), 2);
			assert_eq!(NextRequestId::<Test>::get(), next_request, "the third was not made");
			assert_eq!(closed(id), Some((SubscriptionEnd::OutOfBudget, cost - 1)));
			assert_eq!(held(HoldReason::SubscriptionBudget, DAPP), 0);
		});
	}

	#[test]
	fn a_subscription_finishes_after_its_last_block() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let id = open(DAPP, terms(2, Some(6), 100 * FEE));
			for block in 2..=10 {
				start(block);
			}
			// 2, 4, 6; the next (8) would be after its last block.
			assert_eq!(requests_of(id).len(), 3);
			assert!(matches!(closed(id), Some((SubscriptionEnd::Finished, _))));
			assert_eq!(held(HoldReason::SubscriptionBudget, DAPP), 0);
		});
	}

	#[test]
	fn a_request_that_cannot_be_made_closes_it_with_the_error_and_nothing_else_changes() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let id = open(DAPP, terms(2, None, 100 * FEE));
			start(2);
			let budget = Subscriptions::<Test>::get(id).unwrap().budget;
			let next_request = NextRequestId::<Test>::get();
			// The model's price rises above what the subscription accepts.
			MockMarket::set_price(IRIS, 1);
			start(3);
			start(4);
			assert_eq!(
				closed(id),
				Some((SubscriptionEnd::Refused(Error::<Test>::FeeAboveMax.into()), budget))
			);
			// The refused request left nothing behind.
			assert_eq!(NextRequestId::<Test>::get(), next_request);
			assert_eq!(held(HoldReason::SubscriptionBudget, DAPP), 0);
			assert_eq!(held(HoldReason::SubscriptionStorage, DAPP), 0);
		});
	}

	#[test]
	fn a_subscription_to_a_removed_blob_closes_when_it_is_due() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let bytes: Vec<u8> = INPUT.iter().flat_map(|v| v.to_le_bytes()).collect();
			assert_ok!(InferenceOracle::store_input(signed(DAPP), bytes.clone()));
			let blob: InputBlobHash = frame::hashing::blake2_256(&bytes).into();
			let mut t = terms(2 * BLOB_RETENTION, None, 100 * FEE);
			t.input = ScheduledInput::Source(InputSource::Blob(blob));
			let id = open(DAPP, t);
			start(2);
			let first = requests_of(id)[0];
			assert_eq!(RequestInputs::<Test>::get(first).unwrap().blob, blob);
			// The blob's owner removes it once its retention is over, before the next request.
			for block in 3..=(2 + 2 * BLOB_RETENTION) {
				start(block);
				if block == 3 + BLOB_RETENTION {
					assert_ok!(InferenceOracle::remove_input(signed(DAPP), blob));
				}
			}
			assert_eq!(requests_of(id).len(), 1);
			assert_eq!(
				closed(id).map(|(reason, _)| reason),
				Some(SubscriptionEnd::Refused(Error::<Test>::InputBlobNotFound.into()))
			);
		});
	}
}
