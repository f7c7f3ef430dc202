//! Runtime-level tests of subscriptions: on the `development` genesis, a subscription to
//! the sample model makes its requests on schedule, the committee answers one through the
//! real authorization path, and it closes itself after its last block with every hold
//! released; and the most `on_initialize` may spend on subscriptions fits the block.

mod common;

use aioracle_primitives::oracle::RequestStatus;
use aioracle_runtime::{
	configs::oracle::MAX_SCHEDULED_PER_BLOCK, AccountId, Balances, InferenceOracle, Runtime,
	configs::system::RuntimeBlockWeights, RuntimeEvent, System,
};
use common::{committee_answers, development, reference_case, signed};
use frame_support::{
	assert_ok,
	traits::{fungible::InspectHold, Get, Hooks},
};
use pallet_inference_oracle::{
	Event, HoldReason, ScheduledInput, SubscriptionEnd, SubscriptionTerms, WeightInfo,
};
use sp_keyring::Sr25519Keyring::Dave;

fn oracle_events() -> Vec<Event<Runtime>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::InferenceOracle(e) => Some(e),
			_ => None,
		})
		.collect()
}

#[test]
fn a_subscription_requests_on_schedule_is_answered_and_finishes_with_its_holds_released() {
	development().execute_with(|| {
		let dave: AccountId = Dave.into();
		let (input, expected) = reference_case();
		let fee = <Runtime as pallet_inference_oracle::Config>::RequestFee::get();
		let free = Balances::free_balance(&dave);
		let terms = SubscriptionTerms {
			model: 0,
			input: ScheduledInput::Inline(input.clone()),
			every: 2,
			until: Some(6),
			max_fee: fee,
			budget: 100 * fee,
		};
		assert_ok!(InferenceOracle::open_subscription(signed(&dave), terms));
		let requests = || -> Vec<u64> {
			oracle_events()
				.into_iter()
				.filter_map(|e| match e {
					Event::SubscriptionRequested { request, .. } => Some(request),
					_ => None,
				})
				.collect()
		};
		for block in 2..=7 {
			System::set_block_number(block);
			InferenceOracle::on_initialize(block);
			if block == 2 {
				// The committee answers the first as any request, in its block.
				committee_answers(requests()[0], &expected);
			}
		}
		let requests = requests();
		assert_eq!(requests.len(), 3, "blocks 2, 4 and 6");
		let closed = oracle_events().into_iter().find_map(|e| match e {
			Event::SubscriptionClosed { reason, .. } => Some(reason),
			_ => None,
		});
		assert_eq!(closed, Some(SubscriptionEnd::Finished));
		let request = requests[0];
		let view = InferenceOracle::request_view(request).unwrap();
		assert_eq!(view.status, RequestStatus::Finalized);
		assert_eq!(view.requester, dave);

		// The subscription holds nothing any more (the budget's rest and the record's
		// deposit are free again); the requests hold their fees (the answered one paid)
		// and retention deposits, taken from the budget.
		let on_hold = |reason: HoldReason| Balances::balance_on_hold(&reason.into(), &dave);
		assert_eq!(on_hold(HoldReason::SubscriptionBudget), 0);
		assert_eq!(on_hold(HoldReason::SubscriptionStorage), 0);
		assert_eq!(on_hold(HoldReason::RequestFee), 2 * fee);
		let retention = on_hold(HoldReason::RequestRetention);
		// The answered fee's remainder after a three-way split came back.
		assert_eq!(Balances::free_balance(&dave), free - 3 * fee - retention + fee % 3);
		InferenceOracle::do_try_state().unwrap();
	});
}

#[test]
fn the_most_subscriptions_serve_in_a_block_fits_a_tenth_of_it() {
	let most = MAX_SCHEDULED_PER_BLOCK as u64;
	let serve = InferenceOracle::serve_weight().saturating_mul(most);
	let steps = <Runtime as pallet_inference_oracle::Config>::WeightInfo::schedule_step()
		.saturating_mul(most + 2);
	let worst = serve.saturating_add(steps);
	let block = RuntimeBlockWeights::get().max_block;
	println!("subscriptions' worst block: {worst:?} of {block:?}");
	assert!(worst.all_lte(block / 10), "{worst:?} is more than a tenth of {block:?}");
	assert!(
		MAX_SCHEDULED_PER_BLOCK <
			<<Runtime as pallet_inference_oracle::Config>::MaxRequestsPerBlock as Get<u32>>::get()
	);
}
