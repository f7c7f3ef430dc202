//! Unit tests: the calls, the oracle's hook, and delivery in `on_idle`. Every test runs
//! `do_try_state` after it (`ExtBuilder::build_and_execute`).

use crate::{mock::*, *};
use frame::{
	deps::sp_runtime::traits::BadOrigin, testing_prelude::*, traits::fungible::InspectHold,
};
use xcm::latest::SendError;

mod calls;
mod delivery;
mod hook;

/// The most a result call may weigh on the siblings of these tests.
const CALL_WEIGHT: Weight = Weight::from_parts(5_000_000, 20_000);

/// The prefix of the siblings' consumer call: pallet 42, call 3, a leading `tag: u8` of 9.
const PREFIX: [u8; 3] = [42, 3, 9];

/// What a sibling's runtime decodes the result call as: a call enum naming its consumer
/// pallet, whose call takes a leading argument of its own and the result.
#[derive(Debug, PartialEq, Eq, Encode, Decode)]
enum SiblingCall {
	#[codec(index = 42)]
	Consumer(ConsumerCall),
}

/// The sibling's consumer pallet's calls.
#[derive(Debug, PartialEq, Eq, Encode, Decode)]
enum ConsumerCall {
	#[codec(index = 3)]
	OnInference { tag: u8, request: u64, outcome: RemoteOutcome },
}

fn callback(prefix: &[u8]) -> CallbackOf<Test> {
	Callback { call_prefix: BoundedVec::truncate_from(prefix.to_vec()), weight_limit: CALL_WEIGHT }
}

/// `para` requests an inference of `MODEL` with the usual callback; returns its id.
fn request(para: u32) -> RequestId {
	assert_ok!(XcmInference::request_with_callback(
		sibling(para),
		MODEL,
		vec![1, 2, 3],
		100,
		callback(&PREFIX)
	));
	MockOracle::requests().last().expect("a request was made").0
}

/// The oracle closes `request` as `outcome`, telling this pallet.
fn close(request: RequestId, outcome: ClosedAs<'_>) {
	// The requester the oracle knows; a sibling's sovereign account for unknown requests.
	let requester = MockOracle::requests()
		.into_iter()
		.find(|r| r.0 == request)
		.map_or(sovereign(PARA_A), |r| r.1);
	<XcmInference as OnInferenceResult<u64>>::on_result(request, &requester, MODEL, outcome);
}

/// Runs `on_idle` at the next block with all the weight it wants; returns the weight used.
fn idle() -> Weight {
	let block = System::block_number() + 1;
	System::set_block_number(block);
	XcmInference::on_idle(block, Weight::MAX)
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::XcmInference(e) = r.event { Some(e) } else { None })
		.collect()
}

/// What `who` holds for callbacks.
fn held(who: u64) -> u128 {
	Balances::balance_on_hold(&HoldReason::CallbackDeposit.into(), &who)
}

/// The sibling's view of a result call: its consumer call, decoded.
fn decode(call: &[u8]) -> ConsumerCall {
	let SiblingCall::Consumer(call) =
		SiblingCall::decode(&mut &call[..]).expect("the sibling decodes the result call");
	call
}

/// The consumer call a result of `request` ending as `outcome` must decode to.
fn expected(request: RequestId, outcome: RemoteOutcome) -> ConsumerCall {
	ConsumerCall::OnInference { tag: PREFIX[2], request, outcome }
}

/// The largest output whose result call fits (with `PREFIX`): 14 elements.
fn largest_output() -> Vec<i64> {
	(0..14).map(|i| i64::MIN + i).collect()
}
