//! The runtime's XCM configuration, driven through the real executor with the messages a
//! sibling parachain would send: an inference requested with `Transact` and paid from the
//! sibling's sovereign account in AIO; and what is refused: unpaid execution, too little
//! fee (the rest trapped, as XCM's rules say), an origin that has no account here, and a
//! request the oracle refuses (fees charged for the work done, the rest refunded).

mod common;

use aioracle_runtime::{
	configs::xcm_config::{LocationToAccountId, XcmConfig},
	AccountId, Balances, InferenceOracle, Runtime, RuntimeCall, RuntimeEvent, System, UNIT,
};
use codec::Encode;
use common::development;
use frame_support::traits::fungible::Mutate;
use xcm::latest::prelude::*;
use xcm_executor::{traits::ConvertLocation, XcmExecutor};

const SIBLING: u32 = 2000;

fn sibling() -> Location {
	Location::new(1, [Parachain(SIBLING)])
}

fn sovereign() -> AccountId {
	LocationToAccountId::convert_location(&sibling()).expect("a sibling has a sovereign account")
}

fn request_call(model: u32) -> RuntimeCall {
	let fee = <Runtime as pallet_inference_oracle::Config>::RequestFee::get();
	pallet_inference_oracle::Call::request_inference { model, input: common::reference_case().0, max_fee: fee }
		.into()
}

/// What a sibling sends to request an inference: AIO withdrawn from its sovereign account
/// for fees, execution bought, the call, and what is left deposited back.
fn paid_request(fees: u128, call: RuntimeCall) -> Xcm<RuntimeCall> {
	let fees: Asset = (Location::here(), fees).into();
	common::messages::paid_transact(SIBLING, fees, OriginKind::SovereignAccount, &call)
}

fn execute(origin: Location, message: Xcm<RuntimeCall>) -> Outcome {
	let mut id = message.using_encoded(sp_io::hashing::blake2_256);
	XcmExecutor::<XcmConfig>::prepare_and_execute(origin, message, &mut id, Weight::MAX, Weight::zero())
}

use frame_support::weights::Weight;

fn requests_made() -> Vec<(u64, AccountId)> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::InferenceOracle(pallet_inference_oracle::Event::InferenceRequested {
				request,
				requester,
				..
			}) => Some((request, requester)),
			_ => None,
		})
		.collect()
}

#[test]
fn a_sibling_requests_an_inference_paying_from_its_sovereign_account() {
	development().execute_with(|| {
		Balances::set_balance(&sovereign(), 10 * UNIT);
		let outcome = execute(sibling(), paid_request(UNIT, request_call(0)));
		assert!(matches!(outcome, Outcome::Complete { .. }), "{outcome:?}");
		let made = requests_made();
		assert_eq!(made.len(), 1);
		assert_eq!(made[0].1, sovereign(), "the sibling's sovereign account is the requester");
		let view = InferenceOracle::request_view(made[0].0).unwrap();
		assert_eq!(view.input, common::reference_case().0);
		// The sovereign account paid the request's fee and deposit (held) and the execution
		// (four instructions at the fixed unit weight); the rest of the fee asset came back.
		let free = Balances::free_balance(&sovereign());
		assert!(free < 10 * UNIT && free > 9 * UNIT, "{free}");
		InferenceOracle::do_try_state().unwrap();
	});
}

#[test]
fn unpaid_execution_from_a_sibling_is_refused_by_the_barrier() {
	development().execute_with(|| {
		Balances::set_balance(&sovereign(), 10 * UNIT);
		let message = Xcm(vec![Transact {
			origin_kind: OriginKind::SovereignAccount,
			fallback_max_weight: None,
			call: request_call(0).encode().into(),
		}]);
		let outcome = execute(sibling(), message);
		assert_eq!(outcome.ensure_complete().map_err(|e| e.error), Err(XcmError::Barrier));
		assert!(requests_made().is_empty());
		assert_eq!(Balances::free_balance(&sovereign()), 10 * UNIT);
	});
}

#[test]
fn too_little_fee_is_refused_and_what_was_withdrawn_is_trapped() {
	development().execute_with(|| {
		Balances::set_balance(&sovereign(), 10 * UNIT);
		let outcome = execute(sibling(), paid_request(1_000, request_call(0)));
		assert_eq!(outcome.ensure_complete().map_err(|e| e.error), Err(XcmError::TooExpensive));
		assert!(requests_made().is_empty());
		// Withdrawn and not spent: trapped, claimable by the sibling (`ClaimAsset`).
		assert_eq!(Balances::free_balance(&sovereign()), 10 * UNIT - 1_000);
		let trapped = System::events().into_iter().any(|r| {
			matches!(r.event, RuntimeEvent::PolkadotXcm(pallet_xcm::Event::AssetsTrapped { .. }))
		});
		assert!(trapped, "an AssetsTrapped event");
	});
}

#[test]
fn an_origin_without_an_account_here_cannot_pay() {
	development().execute_with(|| {
		// An account on the sibling, not the sibling itself: it has no account here.
		let account = Location::new(1, [Parachain(SIBLING), AccountId32 { network: None, id: [7; 32] }]);
		let outcome = execute(account, paid_request(UNIT, request_call(0)));
		assert!(matches!(outcome, Outcome::Incomplete { .. } | Outcome::Error(_)), "{outcome:?}");
		assert!(requests_made().is_empty());
	});
}

#[test]
fn a_request_the_oracle_refuses_charges_only_the_execution() {
	development().execute_with(|| {
		Balances::set_balance(&sovereign(), 10 * UNIT);
		// Model 99 has no active version: the call fails, the message completes.
		let outcome = execute(sibling(), paid_request(UNIT, request_call(99)));
		assert!(matches!(outcome, Outcome::Complete { .. }), "{outcome:?}");
		assert!(requests_made().is_empty());
		let spent = 10 * UNIT - Balances::free_balance(&sovereign());
		assert!(spent > 0 && spent < UNIT, "only execution was paid: {spent}");
		let held: u128 = pallet_balances::Holds::<Runtime>::get(sovereign()).iter().map(|h| h.amount).sum();
		assert_eq!(held, 0, "nothing is held for a request not made");
	});
}

#[test]
fn xcm_inference_s_sovereign_accounts_are_those_xcm_pays_from() {
	use aioracle_runtime::configs::xcm_inference::SiblingSovereignAccount;
	use frame_support::traits::Contains;
	use sp_runtime::traits::Convert;
	for id in [SIBLING, 1, 3_417, u32::MAX] {
		let location = Location::new(1, [Parachain(id)]);
		let account = SiblingSovereignAccount::convert(id);
		assert_eq!(Some(account.clone()), LocationToAccountId::convert_location(&location));
		assert!(SiblingSovereignAccount::contains(&account));
	}
	// The chain's own accounts, and the relay chain's, cannot hold callbacks.
	let alice: AccountId = sp_keyring::Sr25519Keyring::Alice.to_account_id();
	assert!(!SiblingSovereignAccount::contains(&alice));
	let relay = LocationToAccountId::convert_location(&Location::parent()).unwrap();
	assert!(!SiblingSovereignAccount::contains(&relay));
}

#[test]
fn a_chain_that_gained_pallet_xcm_by_an_upgrade_can_send_to_siblings_after_the_migration() {
	use aioracle_runtime::{configs::xcm_config::XcmRouter, migrations::SetSafeXcmVersion};
	use frame_support::traits::OnRuntimeUpgrade;
	development().execute_with(|| {
		aioracle_runtime::ParachainSystem::open_outbound_hrmp_channel_for_benchmarks_or_tests(
			SIBLING.into(),
		);
		let send = || send_xcm::<XcmRouter>(sibling(), Xcm(vec![ClearOrigin]));
		// As on a chain whose pallet-xcm came with an upgrade (spec 13): no safe version,
		// so a sibling whose version is unknown cannot be sent to.
		let key = SetSafeXcmVersion::<Runtime>::key();
		frame_support::storage::unhashed::kill(&key);
		assert!(send().is_err());
		SetSafeXcmVersion::<Runtime>::on_runtime_upgrade();
		assert_eq!(frame_support::storage::unhashed::get::<u32>(&key), Some(xcm::latest::VERSION));
		assert!(send().is_ok());
		// Run again, it leaves a set version alone.
		frame_support::storage::unhashed::put(&key, &3u32);
		SetSafeXcmVersion::<Runtime>::on_runtime_upgrade();
		assert_eq!(frame_support::storage::unhashed::get::<u32>(&key), Some(3));
	});
}

/// `paid_request`, with the fees in the relay token.
fn paid_in_relay_token(fees: u128, call: RuntimeCall) -> Xcm<RuntimeCall> {
	let fees: Asset = (Location::parent(), fees).into();
	common::messages::paid_transact(SIBLING, fees, OriginKind::SovereignAccount, &call)
}

/// The relay token: a unit of a 10-decimal token.
const RELAY_UNIT: u128 = 10_000_000_000;

#[test]
fn a_sibling_pays_execution_in_the_relay_token() {
	use aioracle_runtime::RelayBalances;
	development().execute_with(|| {
		Balances::set_balance(&sovereign(), 10 * UNIT);
		<RelayBalances as Mutate<AccountId>>::set_balance(&sovereign(), RELAY_UNIT);
		let outcome = execute(sibling(), paid_in_relay_token(RELAY_UNIT / 10, request_call(0)));
		assert!(matches!(outcome, Outcome::Complete { .. }), "{outcome:?}");
		assert_eq!(requests_made().len(), 1);
		// Execution was paid in the relay token, the rest of the fee asset came back ...
		let relay_spent = RELAY_UNIT - RelayBalances::free_balance(&sovereign());
		let expected = <aioracle_runtime::configs::relay_token::RelayWeightToFee as
			frame_support::weights::WeightToFee>::weight_to_fee(&outcome.weight_used());
		assert_eq!(relay_spent, expected);
		assert!(relay_spent > 0 && relay_spent < RELAY_UNIT / 10, "{relay_spent}");
		// ... and AIO paid only the request: its fee and retention deposit, held.
		let held: u128 =
			pallet_balances::Holds::<Runtime>::get(sovereign()).iter().map(|h| h.amount).sum();
		assert_eq!(Balances::free_balance(&sovereign()), 10 * UNIT - held);
		InferenceOracle::do_try_state().unwrap();
	});
}

#[test]
fn the_relay_token_is_minted_only_on_the_relay_chain_s_word() {
	use aioracle_runtime::RelayBalances;
	let beneficiary = AccountId::from([9u8; 32]);
	let deposit = |amount: u128| -> Xcm<RuntimeCall> {
		let asset: Asset = (Location::parent(), amount).into();
		Xcm(vec![
			ReserveAssetDeposited(asset.clone().into()),
			ClearOrigin,
			BuyExecution { fees: asset, weight_limit: Unlimited },
			DepositAsset {
				assets: AllCounted(1).into(),
				beneficiary: AccountId32 { network: None, id: beneficiary.clone().into() }.into(),
			},
		])
	};
	development().execute_with(|| {
		// From a sibling: not the relay token's reserve.
		let outcome = execute(sibling(), deposit(RELAY_UNIT));
		assert_eq!(
			outcome.ensure_complete().map_err(|e| e.error),
			Err(XcmError::UntrustedReserveLocation)
		);
		assert_eq!(RelayBalances::free_balance(&beneficiary), 0);
		// From the relay chain: minted here, less the execution it bought.
		let outcome = execute(Location::parent(), deposit(RELAY_UNIT));
		assert!(matches!(outcome, Outcome::Complete { .. }), "{outcome:?}");
		let received = RelayBalances::free_balance(&beneficiary);
		assert!(received > RELAY_UNIT * 99 / 100 && received < RELAY_UNIT, "{received}");
		assert_eq!(RelayBalances::total_issuance(), received);
	});
}

#[test]
fn an_asset_this_chain_does_not_know_buys_nothing() {
	development().execute_with(|| {
		Balances::set_balance(&sovereign(), 10 * UNIT);
		// The sibling's own token, which it never deposited here.
		let fees: Asset = (Location::new(1, [Parachain(SIBLING), GeneralIndex(1)]), UNIT).into();
		let message = Xcm(vec![
			WithdrawAsset(fees.clone().into()),
			BuyExecution { fees, weight_limit: Unlimited },
			Transact {
				origin_kind: OriginKind::SovereignAccount,
				fallback_max_weight: None,
				call: request_call(0).encode().into(),
			},
		]);
		let outcome = execute(sibling(), message);
		assert!(outcome.clone().ensure_complete().is_err(), "{outcome:?}");
		assert!(requests_made().is_empty());
		assert_eq!(Balances::free_balance(&sovereign()), 10 * UNIT);
	});
}
