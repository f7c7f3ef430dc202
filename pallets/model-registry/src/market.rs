//! The marketplace (see `aioracle_primitives::market`): versions' prices, the royalties of
//! their lineage, their earnings in the pot and paying them out.

use crate::*;
use frame::traits::{
	fungible::Mutate,
	tokens::Preservation,
};

impl<T: Config> Pallet<T> {
	/// The account that holds earnings until they are paid out.
	pub fn pot_account() -> T::AccountId {
		T::PotId::get().into_account_truncating()
	}

	/// Mints the existential deposit into the pot if it holds less: once, at genesis or by
	/// [`migrations::EndowPot`]. Pay-outs keep it (`Preservation::Preserve`), so the pot
	/// always exists: credits below the existential deposit land, and no rounding dust
	/// owed to a payee is ever reaped. Returns whether it minted.
	pub fn endow_pot() -> bool {
		let pot = Self::pot_account();
		let minimum = T::Currency::minimum_balance();
		if T::Currency::balance(&pot) >= minimum {
			return false;
		}
		let minted = T::Currency::mint_into(&pot, minimum);
		if let Err(e) = &minted {
			log::error!(target: LOG_TARGET, "the marketplace pot could not be endowed: {e:?}");
		}
		minted.is_ok()
	}

	/// The royalties of a version trained on `datasets`: every dataset in their lineage
	/// that asks one, within the bounds, adding up to at most the whole price.
	pub(crate) fn royalties_of(
		datasets: &[DatasetId],
	) -> Result<BoundedVec<Royalty, T::MaxRoyalties>, DispatchError> {
		let royalties = T::Datasets::royalties(
			datasets,
			T::MaxRoyaltyDepth::get(),
			T::MaxRoyalties::get(),
		)
		.map_err(|e| match e {
			RoyaltyLineageError::TooDeep => Error::<T>::RoyaltyTooDeep,
			RoyaltyLineageError::TooMany => Error::<T>::TooManyRoyalties,
		})?;
		ensure!(
			aioracle_primitives::market::within_whole(&royalties),
			Error::<T>::RoyaltiesAboveWhole
		);
		BoundedVec::try_from(royalties).map_err(|_| Error::<T>::TooManyRoyalties.into())
	}

	/// Sets the price of `version` of `model` for its model's owner `who`.
	pub(crate) fn do_set_price(
		who: &T::AccountId,
		model: ModelId,
		version: VersionId,
		price: BalanceOf<T>,
	) -> DispatchResult {
		let record = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
		ensure!(record.owner == *who, Error::<T>::NotOwner);
		let v = Versions::<T>::get(model, version).ok_or(Error::<T>::VersionNotFound)?;
		ensure!(
			!matches!(v.status, VersionStatus::Rejected | VersionStatus::Deprecated),
			Error::<T>::VersionRetired
		);
		// Selling inferences is commercial use, which its training data must allow.
		ensure!(price.is_zero() || v.commercial_use, Error::<T>::NotCommercial);
		if price.is_zero() {
			VersionPrices::<T>::remove(model, version);
		} else {
			VersionPrices::<T>::insert(model, version, price);
		}
		log::info!(target: LOG_TARGET, "model {model} version {version} priced at {price:?}");
		Ok(())
	}

	/// What `payee` of `version` of `model` is owed in all (its share of the earnings so
	/// far, rounded down), and who is paid it: the model's or the dataset's owner now.
	pub(crate) fn entitlement(
		model: ModelId,
		version: VersionId,
		payee: Payee,
	) -> Option<(T::AccountId, BalanceOf<T>)> {
		let earnings = Earnings::<T>::get(model, version);
		let royalties = VersionRoyalties::<T>::get(model, version).unwrap_or_default();
		let share = aioracle_primitives::market::split(earnings, &royalties)
			.into_iter()
			.find(|(p, _)| *p == payee)
			.map(|(_, amount)| amount)?;
		let to = match payee {
			Payee::ModelOwner => Models::<T>::get(model)?.owner,
			Payee::Dataset(id) => T::Datasets::owner(id)?,
		};
		Some((to, share))
	}

	/// Pays `payee` of `version` of `model` what it is owed from the pot; returns whom and
	/// how much.
	pub(crate) fn do_pay_out(
		model: ModelId,
		version: VersionId,
		payee: Payee,
	) -> Result<(T::AccountId, BalanceOf<T>), DispatchError> {
		let (to, owed) =
			Self::entitlement(model, version, payee).ok_or(Error::<T>::NothingToPayOut)?;
		let paid = PaidOut::<T>::get((model, version, payee));
		let amount = owed.saturating_sub(paid);
		ensure!(!amount.is_zero(), Error::<T>::NothingToPayOut);
		// The pot keeps its endowment (see `endow_pot`).
		T::Currency::transfer(&Self::pot_account(), &to, amount, Preservation::Preserve)?;
		PaidOut::<T>::insert((model, version, payee), owed);
		log::info!(target: LOG_TARGET, "model {model} version {version}: {amount:?} paid out to {payee:?}");
		Ok((to, amount))
	}
}

impl<T: Config> InferenceMarket<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn price(model: ModelId, version: VersionId) -> BalanceOf<T> {
		VersionPrices::<T>::get(model, version).unwrap_or_default()
	}

	fn royalties(model: ModelId, version: VersionId) -> Vec<Royalty> {
		VersionRoyalties::<T>::get(model, version).map(|r| r.into_inner()).unwrap_or_default()
	}

	fn pot() -> T::AccountId {
		Self::pot_account()
	}

	fn credit(model: ModelId, version: VersionId, amount: BalanceOf<T>) {
		Earnings::<T>::mutate(model, version, |e| *e = e.saturating_add(amount));
	}
}
