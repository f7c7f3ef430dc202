//! The marketplace: prices set by the model's owner, royalties fixed at proposal from the
//! training data's lineage, earnings credited by the oracle and paid out to each payee.

use super::*;
use aioracle_primitives::{dataset::RoyaltyLineageError, market::VersionMarket};

fn balance(who: u64) -> u128 {
	<Balances as frame::traits::fungible::Inspect<u64>>::balance(&who)
}

/// What the oracle does when a request with `amount` as its price finalizes: moves the
/// price into the pot and credits the version.
fn finalize_priced(model: ModelId, version: VersionId, amount: u128) {
	let pot = <ModelRegistry as InferenceMarket<u64, u128>>::pot();
	assert_ok!(<Balances as frame::traits::fungible::Mutate<u64>>::transfer(
		&BOB,
		&pot,
		amount,
		frame::traits::tokens::Preservation::Preserve
	));
	<ModelRegistry as InferenceMarket<u64, u128>>::credit(model, version, amount);
}

fn pay_out(model: ModelId, version: VersionId, payee: Payee) -> DispatchResult {
	ModelRegistry::pay_out(signed(BOB), model, version, payee)
}

#[test]
fn the_owner_sets_a_price_that_requests_will_pay() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let version = propose(model, 1);
		assert_eq!(<ModelRegistry as InferenceMarket<u64, u128>>::price(model, version), 0);
		assert_ok!(ModelRegistry::set_price(signed(OWNER), model, version, 250));
		assert_eq!(VersionPrices::<Test>::get(model, version), Some(250));
		assert_eq!(<ModelRegistry as InferenceMarket<u64, u128>>::price(model, version), 250);
		assert_eq!(last_event(), Event::PriceSet { model, version, price: 250 });
		assert_eq!(ModelRegistry::version_view(model, version).unwrap().market.price, 250);
		// Zero makes it free again, and forgets the entry.
		assert_ok!(ModelRegistry::set_price(signed(OWNER), model, version, 0));
		assert!(!VersionPrices::<Test>::contains_key(model, version));
	});
}

#[test]
fn set_price_errors_leave_state_unchanged() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let version = propose(model, 1);
		assert_noop_err(
			|| ModelRegistry::set_price(signed(BOB), model, version, 1),
			Error::<Test>::NotOwner,
		);
		assert_noop_err(
			|| ModelRegistry::set_price(signed(OWNER), model, 9, 1),
			Error::<Test>::VersionNotFound,
		);
		assert_noop_err(
			|| ModelRegistry::set_price(signed(OWNER), 9, version, 1),
			Error::<Test>::ModelNotFound,
		);
		assert_ok!(ModelRegistry::reject_version(root(), model, version));
		assert_noop_err(
			|| ModelRegistry::set_price(signed(OWNER), model, version, 1),
			Error::<Test>::VersionRetired,
		);
		// A version not declared for commercial use is free, and stays free.
		let bytes = onnx(2);
		let p = VersionProposal { commercial_use: false, ..proposal(&bytes) };
		assert_ok!(ModelRegistry::propose_version(signed(OWNER), model, p, bytes));
		assert_noop_err(
			|| ModelRegistry::set_price(signed(OWNER), model, 2, 1),
			Error::<Test>::NotCommercial,
		);
		assert_ok!(ModelRegistry::set_price(signed(OWNER), model, 2, 0));
	});
}

#[test]
fn royalties_are_fixed_at_proposal_from_the_training_data() {
	ExtBuilder::build_and_execute(|| {
		MockDatasets::set_royalty(IRIS, Permill::from_percent(10));
		MockDatasets::set_royalty(WINE, Permill::from_percent(5));
		let model = create();
		let bytes = onnx(1);
		let p = VersionProposal { training_datasets: vec![IRIS, WINE], ..proposal(&bytes) };
		assert_ok!(ModelRegistry::propose_version(signed(OWNER), model, p, bytes));
		let royalties = VersionRoyalties::<Test>::get(model, 1).unwrap();
		assert_eq!(
			royalties.to_vec(),
			vec![
				Royalty { dataset: IRIS, depth: 1, share: Permill::from_percent(10) },
				Royalty { dataset: WINE, depth: 1, share: Permill::from_percent(5) },
			]
		);
		// A later change of the data's royalty does not change the version's.
		MockDatasets::set_royalty(IRIS, Permill::from_percent(20));
		assert_eq!(VersionRoyalties::<Test>::get(model, 1).unwrap(), royalties);
		// A version trained on data that asks no royalty stores none.
		MockDatasets::set_royalty(IRIS, Permill::zero());
		let v2 = propose(model, 2);
		assert!(!VersionRoyalties::<Test>::contains_key(model, v2));
	});
}

#[test]
fn proposals_whose_royalties_cannot_be_paid_are_refused() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let bytes = onnx(1);
		let both = || VersionProposal { training_datasets: vec![IRIS, WINE], ..proposal(&bytes) };
		// Shares adding up to more than the whole price.
		MockDatasets::set_royalty(IRIS, Permill::from_percent(60));
		MockDatasets::set_royalty(WINE, Permill::from_percent(41));
		assert_noop_err(
			|| ModelRegistry::propose_version(signed(OWNER), model, both(), bytes.clone()),
			Error::<Test>::RoyaltiesAboveWhole,
		);
		// Exactly the whole price is allowed: the owner takes nothing.
		MockDatasets::set_royalty(WINE, Permill::from_percent(40));
		assert_ok!(ModelRegistry::propose_version(signed(OWNER), model, both(), bytes.clone()));
		// A lineage too deep or with too many royalties.
		let bytes = onnx(2);
		for (error, expected) in [
			(RoyaltyLineageError::TooDeep, Error::<Test>::RoyaltyTooDeep),
			(RoyaltyLineageError::TooMany, Error::<Test>::TooManyRoyalties),
		] {
			MockDatasets::fail_royalties(error);
			assert_noop_err(
				|| {
					ModelRegistry::propose_version(
						signed(OWNER),
						model,
						proposal(&bytes),
						bytes.clone(),
					)
				},
				expected,
			);
		}
	});
}

#[test]
fn earnings_are_paid_out_to_each_payee_once_by_its_share() {
	ExtBuilder::build_and_execute(|| {
		MockDatasets::set_royalty(IRIS, Permill::from_percent(10));
		let model = create();
		let version = active(model, 1);
		let data_owner = MockDatasets::owner_of(IRIS);
		finalize_priced(model, version, 1_000);
		finalize_priced(model, version, 1_005);
		assert_eq!(Earnings::<Test>::get(model, version), 2_005);
		assert_eq!(
			ModelRegistry::version_view(model, version).unwrap().market,
			VersionMarket {
				price: 0,
				royalties: vec![Royalty { dataset: IRIS, depth: 1, share: Permill::from_percent(10) }],
				earnings: 2_005,
			}
		);

		let (owner_before, data_before) = (balance(OWNER), balance(data_owner));
		// Anyone may pay a payee out; the payee's owner receives its share exactly.
		assert_ok!(pay_out(model, version, Payee::Dataset(IRIS)));
		assert_eq!(balance(data_owner) - data_before, 200); // 10% of 2,005, rounded down
		assert_eq!(
			last_event(),
			Event::EarningsPaidOut {
				model,
				version,
				payee: Payee::Dataset(IRIS),
				to: data_owner,
				amount: 200
			}
		);
		assert_ok!(pay_out(model, version, Payee::ModelOwner));
		assert_eq!(balance(OWNER) - owner_before, 1_804); // 90% of 2,005, rounded down
		// Nothing more is owed until the version earns again.
		assert_noop_err(|| pay_out(model, version, Payee::ModelOwner), Error::<Test>::NothingToPayOut);
		assert_noop_err(
			|| pay_out(model, version, Payee::Dataset(WINE)),
			Error::<Test>::NothingToPayOut,
		);
		finalize_priced(model, version, 100);
		assert_ok!(pay_out(model, version, Payee::Dataset(IRIS)));
		assert_eq!(balance(data_owner) - data_before, 210);
		assert_eq!(PaidOut::<Test>::get((model, version, Payee::Dataset(IRIS))), 210);
	});
}

#[test]
fn try_state_catches_a_payee_paid_more_than_its_share() {
	ExtBuilder::build().execute_with(|| {
		let model = create();
		let version = active(model, 1);
		finalize_priced(model, version, 100);
		assert_ok!(ModelRegistry::do_try_state());
		PaidOut::<Test>::insert((model, version, Payee::ModelOwner), 101);
		assert!(ModelRegistry::do_try_state().is_err());
	});
}
