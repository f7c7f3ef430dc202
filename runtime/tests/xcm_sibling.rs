//! A sibling parachain's pallet gets inference results from aioracle through XCM, with two
//! real runtimes: aioracle's (its XCMP queue, message queue, XCM executor, oracle and
//! pallet-xcm-inference, on the `development` genesis) and a sibling's (`sibling`: its XCM
//! executor and a consumer pallet that encodes aioracle's call from the documented wire
//! format).
//!
//! The relay chain's part, carrying HRMP messages between the two, is played by the test
//! ([`Network`]): what the sibling sends goes into aioracle's XCMP queue as an XCMP page,
//! and aioracle's message queue executes it; the pages aioracle's XCMP queue puts out for
//! the sibling are decoded and executed by the sibling's executor. A relay chain runtime
//! adds nothing here but the transport (`xcm-emulator` would need one, and its
//! dependencies; zombienet needs relay binaries this machine does not have).

mod common;
mod sibling;

use aioracle_primitives::consumer::RemoteOutcome;
use aioracle_runtime::{
	configs::{xcm_config::LocationToAccountId, xcm_inference::CallbackDeposit},
	genesis_config_presets::PARACHAIN_ID as AIORACLE,
	AccountId, Balances, InferenceOracle, MessageQueue, ParachainSystem, Runtime, RuntimeEvent,
	System, XcmInference, XcmpQueue, UNIT,
};
use codec::{Decode, Encode};
use common::{committee_answers, development, reference_case};
use cumulus_primitives_core::{ParaId, XcmpMessageFormat, XcmpMessageHandler, XcmpMessageSource};
use frame_support::{
	traits::{fungible::InspectHold, Hooks, ServiceQueues},
	weights::Weight,
};
use pallet_xcm_inference::{Callbacks, Event as XcmInferenceEvent, HoldReason, Outbox};
use sibling::SIBLING;
use xcm::{latest::prelude::*, VersionedXcm};
use xcm_executor::traits::ConvertLocation;

/// aioracle and the sibling, and the relay between them.
struct Network {
	aioracle: sp_io::TestExternalities,
	sibling: sp_io::TestExternalities,
}

impl Network {
	/// aioracle on its `development` genesis, with the sibling's sovereign account funded
	/// and an HRMP channel open to the sibling; the sibling at block 1.
	fn new() -> Self {
		let mut aioracle = development();
		aioracle.execute_with(|| {
			use frame_support::traits::fungible::Mutate;
			Balances::set_balance(&sovereign(), 10 * UNIT);
			open_channel();
		});
		Self { aioracle, sibling: sibling::new_ext() }
	}

	/// The relay's part one way: the sibling's messages go into aioracle's XCMP queue as an
	/// XCMP page each, and aioracle's message queue executes them. Returns how many.
	fn carry_to_aioracle(&mut self) -> usize {
		let sent = self.sibling.execute_with(sibling::ToAioracle::take);
		let count = sent.len();
		self.aioracle.execute_with(|| {
			for (destination, message) in sent {
				assert_eq!(destination, Location::new(1, [Parachain(AIORACLE)]));
				let mut page = XcmpMessageFormat::ConcatenatedVersionedXcm.encode();
				VersionedXcm::<()>::from(message).encode_to(&mut page);
				XcmpQueue::handle_xcmp_messages(
					[(ParaId::from(SIBLING), 1, &page[..])].into_iter(),
					Weight::MAX,
				);
			}
			MessageQueue::service_queues(Weight::MAX);
		});
		count
	}

	/// The relay's part the other way: aioracle's outbound XCMP pages for the sibling, each
	/// message executed by the sibling's executor as from aioracle. Returns the outcomes.
	fn carry_to_sibling(&mut self) -> Vec<Outcome> {
		let pages =
			self.aioracle.execute_with(|| XcmpQueue::take_outbound_messages(usize::MAX, &[]));
		let mut outcomes = Vec::new();
		for (para, page) in pages {
			assert_eq!(para, ParaId::from(SIBLING));
			for message in decode_page::<sibling::RuntimeCall>(&page) {
				let message: Xcm<sibling::RuntimeCall> =
					message.try_into().expect("a known version");
				let mut id = message.using_encoded(sp_io::hashing::blake2_256);
				let outcome = self.sibling.execute_with(|| {
					xcm_executor::XcmExecutor::<sibling::XcmConfig>::prepare_and_execute(
						Location::new(1, [Parachain(AIORACLE)]),
						message,
						&mut id,
						Weight::MAX,
						Weight::zero(),
					)
				});
				outcomes.push(outcome);
			}
		}
		outcomes
	}

	/// The sibling's consumer asks aioracle for the sample model's output on the reference
	/// input, the result to come back with at most `weight_limit`.
	fn ask(&mut self, weight_limit: Weight) {
		self.ask_model(0, weight_limit)
	}

	/// As [`Self::ask`], of `model`.
	fn ask_model(&mut self, model: u32, weight_limit: Weight) {
		let fee = <Runtime as pallet_inference_oracle::Config>::RequestFee::get();
		self.sibling.execute_with(|| {
			let alice = sp_keyring::Sr25519Keyring::Alice.to_account_id();
			frame_support::assert_ok!(sibling::Consumer::ask(
				sibling::RuntimeOrigin::signed(alice),
				model,
				reference_case().0,
				UNIT,
				fee,
				weight_limit,
			));
		});
		assert_eq!(self.carry_to_aioracle(), 1);
	}

	/// aioracle's requests made since genesis.
	fn requests(&mut self) -> Vec<u64> {
		self.aioracle.execute_with(|| {
			System::events()
				.into_iter()
				.filter_map(|r| match r.event {
					RuntimeEvent::InferenceOracle(
						pallet_inference_oracle::Event::InferenceRequested { request, .. },
					) => Some(request),
					_ => None,
				})
				.collect()
		})
	}

	/// aioracle's `on_idle` for pallet-xcm-inference: queued results go out.
	fn aioracle_idle(&mut self) {
		self.aioracle.execute_with(|| {
			XcmInference::on_idle(System::block_number(), Weight::MAX);
		});
	}

	/// Checks both pallets' invariants on aioracle.
	fn check(&mut self) {
		self.aioracle.execute_with(|| {
			InferenceOracle::do_try_state().unwrap();
			XcmInference::do_try_state().unwrap();
		});
	}
}

/// Splits an XCMP page into its messages, in either of the formats the XCMP queue writes.
fn decode_page<Call: Decode + frame_support::dispatch::GetDispatchInfo>(
	page: &[u8],
) -> Vec<VersionedXcm<Call>> {
	let mut input = page;
	let format = XcmpMessageFormat::decode(&mut input).expect("a page starts with its format");
	let mut messages = Vec::new();
	while !input.is_empty() {
		let message = match format {
			XcmpMessageFormat::ConcatenatedVersionedXcm => VersionedXcm::<Call>::decode(&mut input),
			XcmpMessageFormat::ConcatenatedOpaqueVersionedXcm => Vec::<u8>::decode(&mut input)
				.and_then(|bytes| VersionedXcm::<Call>::decode(&mut &bytes[..])),
			other => panic!("not a page of messages: {other:?}"),
		};
		messages.push(message.expect("a message decodes"));
	}
	messages
}

fn sovereign() -> AccountId {
	LocationToAccountId::convert_location(&Location::new(1, [Parachain(SIBLING)]))
		.expect("a sibling has a sovereign account")
}

fn open_channel() {
	ParachainSystem::open_outbound_hrmp_channel_for_benchmarks_or_tests(SIBLING.into());
}

fn held_for_callbacks() -> u128 {
	Balances::balance_on_hold(&HoldReason::CallbackDeposit.into(), &sovereign())
}

fn xcm_inference_events() -> Vec<XcmInferenceEvent<Runtime>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::XcmInference(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// Enough for the three instructions (`UnpaidExecution`, `Transact`, and the `SetTopic`
/// aioracle's router appends) and `receive` on the sibling.
fn enough_weight() -> Weight {
	sibling::UNIT_WEIGHT.saturating_mul(3).saturating_add(sibling::RECEIVE_WEIGHT)
}

fn answer_of(network: &mut Network, ticket: u32) -> Option<(u64, RemoteOutcome)> {
	network.sibling.execute_with(|| sibling::consumer::Answers::<sibling::Runtime>::get(ticket))
}

#[test]
fn the_sibling_encodes_aioracle_s_call_as_aioracle_does() {
	// The consumer writes pallet 53, call 0 by hand: it must be what aioracle's runtime
	// encodes for request_with_callback.
	let call: aioracle_runtime::RuntimeCall = pallet_xcm_inference::Call::request_with_callback {
		model: 0,
		input: vec![1],
		max_fee: 2,
		callback: pallet_xcm_inference::Callback {
			call_prefix: vec![9, 1].try_into().unwrap(),
			weight_limit: Weight::from_parts(3, 4),
		},
	}
	.into();
	let by_hand = (
		sibling::REQUEST_WITH_CALLBACK,
		0u32,
		vec![1i64],
		2u128,
		(vec![9u8, 1], Weight::from_parts(3, 4)),
	)
		.encode();
	assert_eq!(call.encode(), by_hand);
}

#[test]
fn a_sibling_pallet_gets_its_result_from_aioracle_s_committee_through_xcm() {
	let mut network = Network::new();
	network.ask(enough_weight());

	// aioracle: the sibling's sovereign account made the request, and holds the callback's
	// deposit; the callback waits.
	let requests = network.requests();
	assert_eq!(requests.len(), 1);
	let request = requests[0];
	network.aioracle.execute_with(|| {
		let view = InferenceOracle::request_view(request).unwrap();
		assert_eq!(view.requester, sovereign());
		assert!(xcm_inference_events()
			.contains(&XcmInferenceEvent::CallbackRegistered { request, para: SIBLING }));
		assert_eq!(held_for_callbacks(), CallbackDeposit::get());
	});

	// The committee answers through the authorized path, which finalizes the request; the
	// result goes out in `on_idle`.
	let expected = reference_case().1;
	network.aioracle.execute_with(|| committee_answers(request, &expected));
	network.check();
	network.aioracle_idle();
	network.aioracle.execute_with(|| {
		assert!(xcm_inference_events().iter().any(|e| matches!(
			e,
			XcmInferenceEvent::ResultDelivered { request: r, para: SIBLING, .. } if *r == request
		)));
		assert!(!Callbacks::<Runtime>::contains_key(request));
		assert!(!Outbox::<Runtime>::contains_key(request));
		assert_eq!(held_for_callbacks(), 0);
	});
	network.check();

	// The sibling's consumer pallet receives it.
	let outcomes = network.carry_to_sibling();
	assert_eq!(outcomes.len(), 1);
	assert!(matches!(outcomes[0], Outcome::Complete { .. }), "{:?}", outcomes[0]);
	assert_eq!(answer_of(&mut network, 0), Some((request, RemoteOutcome::Finalized(expected))));
}

#[test]
fn a_request_that_expires_is_reported_to_the_sibling_as_expired() {
	let mut network = Network::new();
	network.ask(enough_weight());
	let request = network.requests()[0];
	// Nobody answers: past its deadline, the oracle's `on_idle` expires it.
	network.aioracle.execute_with(|| {
		let deadline = InferenceOracle::request_view(request).unwrap().deadline;
		System::set_block_number(deadline + 1);
		InferenceOracle::on_idle(deadline + 1, Weight::MAX);
	});
	network.aioracle_idle();
	network.check();
	let outcomes = network.carry_to_sibling();
	assert!(matches!(outcomes[..], [Outcome::Complete { .. }]), "{outcomes:?}");
	assert_eq!(answer_of(&mut network, 0), Some((request, RemoteOutcome::Expired)));
}

#[test]
fn without_a_channel_the_result_waits_and_is_delivered_when_retried() {
	let mut network = Network::new();
	network.ask(enough_weight());
	let request = network.requests()[0];
	let expected = reference_case().1;
	network.aioracle.execute_with(|| {
		// The channel to the sibling is gone (closed on the relay chain).
		cumulus_pallet_parachain_system::RelevantMessagingState::<Runtime>::kill();
		committee_answers(request, &expected);
		XcmInference::on_idle(System::block_number(), Weight::MAX);
		assert!(xcm_inference_events().iter().any(|e| matches!(
			e,
			XcmInferenceEvent::ResultUndelivered { request: r, .. } if *r == request
		)));
		// Kept, marked failed, its deposit still held.
		assert!(Outbox::<Runtime>::get(request).unwrap().failed.is_some());
		assert_eq!(held_for_callbacks(), CallbackDeposit::get());
	});
	network.check();
	assert!(network.carry_to_sibling().is_empty());

	// The channel is open again; anyone retries.
	network.aioracle.execute_with(|| {
		open_channel();
		let relayer = sp_keyring::Sr25519Keyring::Eve.to_account_id();
		frame_support::assert_ok!(XcmInference::retry_delivery(
			aioracle_runtime::RuntimeOrigin::signed(relayer),
			request
		));
		assert_eq!(held_for_callbacks(), 0);
	});
	network.check();
	let outcomes = network.carry_to_sibling();
	assert!(matches!(outcomes[..], [Outcome::Complete { .. }]), "{outcomes:?}");
	assert_eq!(answer_of(&mut network, 0), Some((request, RemoteOutcome::Finalized(expected))));
}

#[test]
fn a_callback_the_sibling_refuses_does_not_break_aioracle() {
	let mut network = Network::new();
	// Too little weight for `receive`: the sibling's barrier refuses the result.
	network.ask(sibling::UNIT_WEIGHT);
	let first = network.requests()[0];
	let expected = reference_case().1;
	network.aioracle.execute_with(|| committee_answers(first, &expected));
	network.aioracle_idle();
	let outcomes = network.carry_to_sibling();
	assert_eq!(outcomes.len(), 1);
	assert_eq!(outcomes[0].clone().ensure_complete().map_err(|e| e.error), Err(XcmError::Barrier));
	assert_eq!(answer_of(&mut network, 0), None);
	// aioracle sent it (it cannot know the sibling's verdict), released the deposit, and
	// serves the next request as before.
	network.check();
	network.aioracle.execute_with(|| assert_eq!(held_for_callbacks(), 0));
	network.ask(enough_weight());
	let second = network.requests()[1];
	network.aioracle.execute_with(|| committee_answers(second, &expected));
	network.aioracle_idle();
	assert!(matches!(network.carry_to_sibling()[..], [Outcome::Complete { .. }]));
	assert_eq!(answer_of(&mut network, 1), Some((second, RemoteOutcome::Finalized(expected))));
}

#[test]
fn a_request_from_a_sovereign_account_origin_is_refused_without_a_callback() {
	// `OriginKind::SovereignAccount` dispatches as the sovereign account, signed: not a
	// sibling's origin. The call fails; the message only pays its execution.
	let mut network = Network::new();
	let fee = <Runtime as pallet_inference_oracle::Config>::RequestFee::get();
	let call: aioracle_runtime::RuntimeCall = pallet_xcm_inference::Call::request_with_callback {
		model: 0,
		input: reference_case().0,
		max_fee: fee,
		callback: pallet_xcm_inference::Callback {
			call_prefix: vec![9, 1, 0, 0, 0, 0].try_into().unwrap(),
			weight_limit: enough_weight(),
		},
	}
	.into();
	let fees: Asset = (Location::here(), UNIT).into();
	let message =
		common::messages::paid_transact(SIBLING, fees, OriginKind::SovereignAccount, &call);
	network.aioracle.execute_with(|| {
		let mut id = [0u8; 32];
		let outcome = xcm_executor::XcmExecutor::<aioracle_runtime::configs::xcm_config::XcmConfig>::prepare_and_execute(
			Location::new(1, [Parachain(SIBLING)]),
			message,
			&mut id,
			Weight::MAX,
			Weight::zero(),
		);
		assert!(matches!(outcome, Outcome::Complete { .. }), "{outcome:?}");
		assert!(xcm_inference_events().is_empty());
		assert_eq!(Callbacks::<Runtime>::iter().count(), 0);
		assert_eq!(held_for_callbacks(), 0);
		let spent = 10 * UNIT - Balances::free_balance(&sovereign());
		assert!(spent > 0 && spent < UNIT, "only the execution was paid: {spent}");
	});
	assert!(network.requests().is_empty());
	network.check();
}

#[test]
fn a_request_for_a_model_without_an_active_version_holds_nothing_and_pays_little() {
	use frame_support::weights::WeightToFee;
	let mut network = Network::new();
	// Model 99 does not exist: the oracle refuses, the message still completes.
	network.ask_model(99, enough_weight());
	assert!(network.requests().is_empty());
	network.aioracle.execute_with(|| {
		assert!(xcm_inference_events().is_empty());
		assert_eq!(Callbacks::<Runtime>::iter().count(), 0);
		assert_eq!(held_for_callbacks(), 0);
		// Paid: the five instructions and the refused call's own weight, not the most a
		// request may take (refunded by `RefundSurplus`).
		let spent = 10 * UNIT - Balances::free_balance(&sovereign());
		let declared =
			XcmInference::callback_weight()
				.saturating_add(<InferenceOracle as pallet_xcm_inference::RequestInference<
				AccountId,
				u128,
			>>::max_request_weight());
		let full = aioracle_runtime::configs::monetary::WeightToFee::weight_to_fee(&declared);
		assert!(spent > 0 && spent < full / 2, "spent {spent} of {full}");
	});
	network.check();
}
