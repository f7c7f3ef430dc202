//! Runtime-level tests of dataset provenance: the real runtime, built from the
//! `development` genesis preset, with the real Council deciding a takedown.

mod common;

use aioracle_runtime::{
	AccountId, Balances, Council, DatasetProvenance, Runtime, RuntimeCall, RuntimeEvent, System,
};
use aioracle_primitives::deposit::DepositTicket;
use codec::Encode;
use common::{development, register, signed};
use frame_support::{
	assert_noop, assert_ok, dispatch::GetDispatchInfo, traits::fungible::InspectHold,
};
use pallet_dataset_provenance::Retractor;
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave};
use sp_runtime::traits::{BlakeTwo256, Dispatchable, Hash};

#[test]
fn registering_holds_a_deposit_in_aio() {
	development().execute_with(|| {
		let dave: AccountId = Dave.into();
		let id = register(&dave, 1, vec![]);
		let held = Balances::balance_on_hold(
			&pallet_dataset_provenance::HoldReason::DatasetStorage.into(),
			&dave,
		);
		let record = pallet_dataset_provenance::Datasets::<Runtime>::get(id).unwrap();
		assert_eq!(held, record.deposit.held());
		// 0.1 AIO plus a milli-AIO per stored byte.
		assert!(held > aioracle_runtime::UNIT / 10 && held < aioracle_runtime::UNIT, "{held}");
		DatasetProvenance::do_try_state().unwrap();
	});
}

#[test]
fn a_council_motion_at_two_thirds_takes_a_dataset_down() {
	development().execute_with(|| {
		let (alice, bob, charlie): (AccountId, AccountId, AccountId) =
			(Alice.into(), Bob.into(), Charlie.into());
		let dave: AccountId = Dave.into();
		let raw = register(&dave, 1, vec![]);
		let derived = register(&charlie, 2, vec![raw]);

		// A council member alone is not governance: Bob cannot retract Dave's dataset.
		assert_noop!(
			DatasetProvenance::retract(signed(&bob), raw, b"takedown".to_vec()),
			pallet_dataset_provenance::Error::<Runtime>::NotOwner
		);

		// Alice proposes the takedown with a threshold of 2 (of 3 members); the proposer's
		// vote is not implied, so Alice and Bob both vote aye.
		let takedown: RuntimeCall = pallet_dataset_provenance::Call::retract {
			dataset: raw,
			reason: b"consent withdrawn".to_vec(),
		}
		.into();
		let length = takedown.encoded_size() as u32;
		let hash = BlakeTwo256::hash_of(&takedown);
		assert_ok!(Council::propose(signed(&alice), 2, Box::new(takedown.clone()), length));
		assert_ok!(Council::vote(signed(&alice), hash, 0, true));
		// One aye of three is not enough to close early.
		assert_noop!(
			Council::close(
				signed(&charlie),
				hash,
				0,
				takedown.get_dispatch_info().call_weight,
				length
			),
			pallet_collective::Error::<Runtime, pallet_collective::Instance1>::TooEarly
		);
		assert_ok!(Council::vote(signed(&bob), hash, 0, true));
		assert_ok!(Council::close(
			signed(&charlie),
			hash,
			0,
			takedown.get_dispatch_info().call_weight,
			length
		));

		let retraction = pallet_dataset_provenance::Retractions::<Runtime>::get(raw).unwrap();
		assert_eq!(retraction.by, Retractor::Governance);
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::DatasetProvenance(pallet_dataset_provenance::Event::DatasetRetracted {
				dataset,
				by: Retractor::Governance
			}) if dataset == raw
		)));
		// Everything derived from it is tainted now.
		assert!(DatasetProvenance::taint(derived).unwrap().retracted_ancestors == vec![raw]);
		DatasetProvenance::do_try_state().unwrap();
	});
}

#[test]
fn a_motion_with_one_vote_of_three_is_not_enough() {
	development().execute_with(|| {
		let alice: AccountId = Alice.into();
		let dave: AccountId = Dave.into();
		let raw = register(&dave, 1, vec![]);
		// Threshold 1 executes at once, with the origin "1 of 3 members": below 2/3.
		let takedown: RuntimeCall =
			pallet_dataset_provenance::Call::retract { dataset: raw, reason: vec![] }.into();
		let length = takedown.encoded_size() as u32;
		assert_ok!(Council::propose(signed(&alice), 1, Box::new(takedown), length));
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Council(pallet_collective::Event::Executed { result: Err(_), .. })
		)));
		assert!(pallet_dataset_provenance::Retractions::<Runtime>::get(raw).is_none());
	});
}

#[test]
fn root_takes_a_dataset_down_through_sudo() {
	development().execute_with(|| {
		let alice: AccountId = Alice.into();
		let raw = register(&Dave.into(), 1, vec![]);
		let call: RuntimeCall = pallet_sudo::Call::sudo {
			call: Box::new(
				pallet_dataset_provenance::Call::retract { dataset: raw, reason: vec![] }.into(),
			),
		}
		.into();
		assert_ok!(call.dispatch(signed(&alice)));
		assert_eq!(
			pallet_dataset_provenance::Retractions::<Runtime>::get(raw).unwrap().by,
			Retractor::Governance
		);
	});
}

#[test]
fn dataset_reads_answer_as_view_functions_through_the_runtime() {
	use codec::Decode;
	use frame_support::view_functions::ViewFunction;
	use pallet_dataset_provenance::{
		AncestorsViewFunction, DatasetByHashViewFunction, DatasetViewFunction, TaintViewFunction,
	};
	development().execute_with(|| {
		let dave: AccountId = Dave.into();
		let parent = register(&dave, 1, vec![]);
		let child = register(&dave, 2, vec![parent]);
		// What a client (PAPI's `api.view`) sends: the view function's id and its arguments.
		let call = |id, input: Vec<u8>| Runtime::execute_view_function(id, input).unwrap();
		let record = call(
			DatasetViewFunction::<Runtime>::id(),
			DatasetViewFunction::<Runtime>::new(child).encode(),
		);
		let view = Option::<pallet_dataset_provenance::DatasetViewOf<Runtime>>::decode(&mut &record[..])
			.unwrap()
			.unwrap();
		assert_eq!((view.id, view.parents.clone()), (child, vec![parent]));
		assert_eq!(Some(view.clone()), DatasetProvenance::dataset_view(child), "the runtime API's view");
		let by_hash = call(
			DatasetByHashViewFunction::<Runtime>::id(),
			DatasetByHashViewFunction::<Runtime>::new(view.content_hash).encode(),
		);
		assert_eq!(by_hash, record);
		let ancestors = call(
			AncestorsViewFunction::<Runtime>::id(),
			AncestorsViewFunction::<Runtime>::new(child, 8).encode(),
		);
		let lineage = Option::<aioracle_primitives::dataset::Lineage>::decode(&mut &ancestors[..])
			.unwrap()
			.unwrap();
		assert_eq!(lineage.datasets.iter().map(|e| e.id).collect::<Vec<_>>(), vec![parent]);
		let missing = call(TaintViewFunction::<Runtime>::id(), TaintViewFunction::<Runtime>::new(99).encode());
		assert_eq!(missing, None::<aioracle_primitives::dataset::Taint>.encode());
	});
}
