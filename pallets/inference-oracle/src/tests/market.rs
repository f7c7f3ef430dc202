//! The marketplace as the oracle sees it: a version's price held with the request beside
//! the operators' fee, credited to the version when the request finalizes, refunded when it
//! expires; quotes; who was paid what; the v4 -> v5 migration.

use super::*;
use aioracle_primitives::{
	market::{Payee, Quote, Royalty},
	oracle::{Payment, Recipient},
};

const PRICE: u128 = 40;

fn free(who: u64) -> u128 {
	<Balances as frame::traits::fungible::Inspect<u64>>::balance(&who)
}

fn priced_request() -> RequestId {
	MockMarket::set_price(IRIS, PRICE);
	assert_ok!(InferenceOracle::request_inference(signed(DAPP), IRIS, vec![1, 2, 3, 4], FEE + PRICE));
	NextRequestId::<Test>::get() - 1
}

#[test]
fn a_priced_request_holds_the_fee_and_the_price() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		MockMarket::set_price(IRIS, PRICE);
		// `max_fee` must cover both.
		let refused = {
			use frame::deps::frame_support::dispatch::WithPostDispatchInfo;
			DispatchError::from(Error::<Test>::FeeAboveMax)
				.with_weight(<() as WeightInfo>::request_inference())
		};
		assert_noop!(
			InferenceOracle::request_inference(signed(DAPP), IRIS, vec![1, 2, 3, 4], FEE + PRICE - 1),
			refused
		);
		let id = priced_request();
		let request = Requests::<Test>::get(id).unwrap();
		assert_eq!((request.fee, request.price), (FEE, PRICE));
		assert_eq!(held(HoldReason::RequestFee, DAPP), FEE + PRICE);
		assert!(events().iter().any(|e| matches!(
			e,
			Event::InferenceRequested { request, fee, price, .. }
				if *request == id && *fee == FEE && *price == PRICE
		)));
		assert_eq!(InferenceOracle::request_view(id).unwrap().price, PRICE);
	});
}

#[test]
fn a_finalized_request_credits_its_price_to_the_version() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		let id = priced_request();
		let (dapp, alice, pot) = (free(DAPP), free(ALICE), free(POT));
		assert_ok!(submit(ALICE, id, output(&[1, 2, 3])));
		assert_eq!(Requests::<Test>::get(id).unwrap().status, RequestStatus::Finalized);
		// The operator got the fee, the pot the price; the requester paid both, exactly.
		assert_eq!(free(ALICE) - alice, FEE);
		assert_eq!(free(POT) - pot, PRICE);
		assert_eq!(free(DAPP), dapp);
		assert_eq!(held(HoldReason::RequestFee, DAPP), 0);
		assert_eq!(MockMarket::credited(IRIS, 1), PRICE);
		assert!(events().contains(&Event::PriceCredited {
			request: id,
			model: IRIS,
			version: 1,
			price: PRICE
		}));
	});
}

#[test]
fn an_expired_request_refunds_the_fee_and_the_price() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		let id = priced_request();
		let dapp = free(DAPP);
		for block in 2..=(2 + WINDOW) {
			idle(block);
		}
		assert_eq!(Requests::<Test>::get(id).unwrap().status, RequestStatus::Expired);
		assert_eq!(free(DAPP) - dapp, FEE + PRICE);
		assert_eq!(held(HoldReason::RequestFee, DAPP), 0);
		assert_eq!(MockMarket::credited(IRIS, 1), 0);
		assert!(InferenceOracle::payment_views(id).is_empty());
	});
}

#[test]
fn a_price_that_overflows_with_the_fee_is_refused() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		MockMarket::set_price(IRIS, u128::MAX);
		let refused = {
			use frame::deps::frame_support::dispatch::WithPostDispatchInfo;
			DispatchError::from(Error::<Test>::PriceOverflow)
				.with_weight(<() as WeightInfo>::request_inference())
		};
		assert_noop!(
			InferenceOracle::request_inference(signed(DAPP), IRIS, vec![1, 2, 3, 4], u128::MAX),
			refused
		);
		assert_eq!(InferenceOracle::quote(IRIS), Err(Error::<Test>::PriceOverflow.into()));
	});
}

#[test]
fn a_quote_says_what_a_request_will_hold() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		MockMarket::set_price(IRIS, 1_000);
		MockMarket::set_royalties(vec![Royalty {
			dataset: 7,
			depth: 2,
			share: Permill::from_percent(15),
		}]);
		let quote = InferenceOracle::quote(IRIS).unwrap();
		assert_eq!(
			quote,
			Quote {
				version: 1,
				fee: FEE,
				price: 1_000,
				total: FEE + 1_000,
				deposit: quote.deposit,
				split: vec![(Payee::ModelOwner, 850), (Payee::Dataset(7), 150)],
			}
		);
		// The quoted deposit is what the request then holds.
		assert_ok!(InferenceOracle::request_inference(signed(DAPP), IRIS, vec![1, 2, 3, 4], quote.total));
		let id = NextRequestId::<Test>::get() - 1;
		assert_eq!(Requests::<Test>::get(id).unwrap().deposit, quote.deposit);
		// Errors as the request would have.
		assert_eq!(InferenceOracle::quote(RETIRED), Err(Error::<Test>::NoActiveVersion.into()));
		forbid_inference(LABELS);
		assert_eq!(InferenceOracle::quote(LABELS), Err(Error::<Test>::InferenceNotPermitted.into()));
	});
}

#[test]
fn payments_list_who_was_paid_what() {
	ExtBuilder::build_and_execute(|| {
		register(ALICE);
		MockMarket::set_royalties(vec![Royalty {
			dataset: 3,
			depth: 1,
			share: Permill::from_percent(25),
		}]);
		let id = priced_request();
		assert!(InferenceOracle::payment_views(id).is_empty(), "pending: nothing paid");
		assert_ok!(submit(ALICE, id, output(&[1, 2, 3])));
		assert_eq!(
			InferenceOracle::payment_views(id),
			vec![
				Payment { to: Recipient::Operator(ALICE), amount: FEE },
				Payment { to: Recipient::Payee(Payee::ModelOwner), amount: 30 },
				Payment { to: Recipient::Payee(Payee::Dataset(3)), amount: 10 },
			]
		);
	});
}

/// The v4 -> v5 storage migration: requests gain a zero price.
mod migration_v5 {
	use super::*;
	use crate::migrations::v5;
	use frame::traits::OnRuntimeUpgrade;

	#[test]
	fn a_request_keeps_its_fee_and_gets_no_price() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let id = request(IRIS);
			let current = Requests::<Test>::get(id).unwrap();
			let old = v5::RequestV4Of::<Test> {
				requester: current.requester,
				model: current.model,
				version: current.version,
				model_hash: current.model_hash,
				contract: current.contract.clone(),
				input: current.input.clone(),
				fee: current.fee,
				deposit: current.deposit,
				created_at: current.created_at,
				deadline: current.deadline,
				status: current.status,
			};
			v5::Requests::<Test>::insert(id, old);
			StorageVersion::new(4).put::<InferenceOracle>();

			#[cfg(feature = "try-runtime")]
			v5::MigrateV4ToV5::<Test>::try_on_runtime_upgrade(true).unwrap();
			#[cfg(not(feature = "try-runtime"))]
			v5::MigrateV4ToV5::<Test>::on_runtime_upgrade();

			assert_eq!(StorageVersion::get::<InferenceOracle>(), 5);
			assert_eq!(Requests::<Test>::get(id), Some(current.clone()));
			v5::MigrateV4ToV5::<Test>::on_runtime_upgrade();
			assert_eq!(Requests::<Test>::get(id), Some(current));
		});
	}
}
