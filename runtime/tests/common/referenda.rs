//! A referendum driven the way token holders drive one: the proposer notes the call's
//! preimage, submits it on the track of `origin` and places the decision deposit, voters
//! vote with conviction, and blocks pass until the scheduler enacts it.

use aioracle_runtime::{
	AccountId, OriginCaller, Preimage, Referenda, Runtime, RuntimeCall, RuntimeEvent, Scheduler,
	System,
};
use codec::Encode;
use frame_support::{assert_ok, traits::Hooks};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use sp_runtime::{
	traits::{BlakeTwo256, Hash},
	DispatchError,
};

use super::signed;

/// Runs the hooks that drive referenda (the scheduler's agenda) for the next block.
pub fn next_block() {
	let now = System::block_number() + 1;
	System::set_block_number(now);
	Scheduler::on_initialize(now);
}

/// Notes `call`'s preimage and submits it as a referendum dispatching with `origin`, with
/// `proposer` paying the submission and decision deposits. Returns its index.
pub fn submit(proposer: &AccountId, origin: OriginCaller, call: RuntimeCall) -> u32 {
	let bytes = call.encode();
	let hash = BlakeTwo256::hash(&bytes);
	let len = bytes.len() as u32;
	assert_ok!(Preimage::note_preimage(signed(proposer), bytes));
	let index = pallet_referenda::ReferendumCount::<Runtime>::get();
	assert_ok!(Referenda::submit(
		signed(proposer),
		Box::new(origin),
		frame_support::traits::Bounded::Lookup { hash, len },
		frame_support::traits::schedule::DispatchTime::After(0),
	));
	assert_ok!(Referenda::place_decision_deposit(signed(proposer), index));
	index
}

/// `who` votes on referendum `index`, aye or nay, with `balance` at `conviction`.
pub fn vote(who: &AccountId, index: u32, aye: bool, balance: u128, conviction: Conviction) {
	let vote = AccountVote::Standard { vote: Vote { aye, conviction }, balance };
	assert_ok!(pallet_conviction_voting::Pallet::<Runtime>::vote(signed(who), index, vote));
}

/// How referendum `index` ended, and what its enacted call returned (if it was enacted).
#[derive(Debug, PartialEq)]
pub enum Outcome {
	Enacted(Result<(), DispatchError>),
	Rejected,
	Undecided,
}

/// Runs blocks (at most `max_blocks`) until referendum `index` is rejected, or approved
/// and its call dispatched by the scheduler.
pub fn run_until_decided(index: u32, max_blocks: u32) -> Outcome {
	use pallet_referenda::ReferendumInfo;
	let enactment_id = (*b"assembly", "enactment", index).using_encoded(sp_io::hashing::blake2_256);
	for _ in 0..max_blocks {
		next_block();
		let dispatched =
			System::events().into_iter().find_map(|record| match record.event {
				RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched {
					id, result, ..
				}) if id == Some(enactment_id) => Some(result.map(|_| ())),
				_ => None,
			});
		if let Some(result) = dispatched {
			return Outcome::Enacted(result);
		}
		if matches!(
			pallet_referenda::ReferendumInfoFor::<Runtime>::get(index),
			Some(ReferendumInfo::Rejected(..) | ReferendumInfo::TimedOut(..))
		) {
			return Outcome::Rejected;
		}
	}
	Outcome::Undecided
}
