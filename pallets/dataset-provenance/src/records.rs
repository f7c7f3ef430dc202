//! Changes to a registered record: its URI, its owner, its retraction.

use crate::*;
use frame::traits::tokens::{Fortitude, Precision, Restriction};

impl<T: Config> Pallet<T> {
	/// Points `dataset` at `uri` for its owner `who`, adjusting the deposit to the
	/// record's new size. Returns the bounded URI.
	pub fn do_update_uri(
		who: &T::AccountId,
		dataset: DatasetId,
		uri: Vec<u8>,
	) -> Result<BoundedVec<u8, T::MaxUriLen>, DispatchError> {
		let uri: BoundedVec<u8, T::MaxUriLen> =
			uri.try_into().map_err(|_| Error::<T>::UriTooLong)?;
		let mut record = Datasets::<T>::get(dataset).ok_or(Error::<T>::DatasetNotFound)?;
		ensure!(record.owner == *who, Error::<T>::NotOwner);
		record.uri = uri.clone();
		let parents = Parents::<T>::get(dataset).unwrap_or_default();
		let new_deposit = Self::dataset_deposit(&record, &parents);
		Self::adjust_hold(&HoldReason::DatasetStorage, who, record.deposit, new_deposit)?;
		record.deposit = new_deposit;
		Datasets::<T>::insert(dataset, record);
		Ok(uri)
	}

	/// Moves `dataset` and its deposit from its owner `who` to `new_owner`.
	pub fn do_transfer_ownership(
		who: &T::AccountId,
		dataset: DatasetId,
		new_owner: &T::AccountId,
	) -> DispatchResult {
		let mut record = Datasets::<T>::get(dataset).ok_or(Error::<T>::DatasetNotFound)?;
		ensure!(record.owner == *who, Error::<T>::NotOwner);
		ensure!(new_owner != who, Error::<T>::AlreadyOwner);
		T::Currency::transfer_on_hold(
			&HoldReason::DatasetStorage.into(),
			who,
			new_owner,
			record.deposit,
			Precision::Exact,
			Restriction::OnHold,
			Fortitude::Polite,
		)?;
		record.owner = new_owner.clone();
		Datasets::<T>::insert(dataset, record);
		Ok(())
	}

	/// Marks `dataset` retracted by `by`, who must be its owner unless governance.
	pub fn do_retract(
		dataset: DatasetId,
		by: &Retractor<T::AccountId>,
		reason: Vec<u8>,
	) -> DispatchResult {
		let reason: BoundedVec<u8, T::MaxReasonLen> =
			reason.try_into().map_err(|_| Error::<T>::ReasonTooLong)?;
		let record = Datasets::<T>::get(dataset).ok_or(Error::<T>::DatasetNotFound)?;
		if let Retractor::Owner(who) = by {
			ensure!(record.owner == *who, Error::<T>::NotOwner);
		}
		ensure!(!Retractions::<T>::contains_key(dataset), Error::<T>::AlreadyRetracted);
		let at = frame_system::Pallet::<T>::block_number();
		Retractions::<T>::insert(dataset, Retraction { at, by: by.clone(), reason });
		T::OnRetracted::on_retracted(dataset);
		log::info!(target: LOG_TARGET, "dataset {dataset} retracted by {by:?}");
		Ok(())
	}
}
