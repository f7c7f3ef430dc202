//! Changes to a registered record: its URI, its owner, its retraction.

use crate::*;

impl<T: Config> Pallet<T> {
	/// Points `dataset` at `uri` for its owner `who`, updating the deposit ticket to the
	/// record's new footprint. Returns the bounded URI.
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
		let footprint = Self::record_footprint(&record, &parents);
		record.deposit = record.deposit.update(who, footprint)?;
		Datasets::<T>::insert(dataset, record);
		Ok(uri)
	}

	/// Offers `dataset` of its owner `who` to `to`, or withdraws the offer (`None`).
	pub fn do_offer_ownership(
		who: &T::AccountId,
		dataset: DatasetId,
		to: Option<T::AccountId>,
	) -> DispatchResult {
		let record = Datasets::<T>::get(dataset).ok_or(Error::<T>::DatasetNotFound)?;
		ensure!(record.owner == *who, Error::<T>::NotOwner);
		match to {
			Some(to) => {
				ensure!(to != *who, Error::<T>::AlreadyOwner);
				OwnershipOffers::<T>::insert(dataset, to);
			},
			None => {
				ensure!(OwnershipOffers::<T>::contains_key(dataset), Error::<T>::NoOwnershipOffer);
				OwnershipOffers::<T>::remove(dataset);
			},
		}
		Ok(())
	}

	/// Makes `who`, to whom `dataset` is offered, its owner: a ticket for the record's
	/// footprint is taken from `who`, then the previous owner's is dropped. Returns the
	/// previous owner.
	pub fn do_accept_ownership(
		who: &T::AccountId,
		dataset: DatasetId,
	) -> Result<T::AccountId, DispatchError> {
		ensure!(
			OwnershipOffers::<T>::get(dataset).as_ref() == Some(who),
			Error::<T>::NoOwnershipOffer
		);
		let mut record = Datasets::<T>::get(dataset).ok_or(Error::<T>::DatasetNotFound)?;
		let parents = Parents::<T>::get(dataset).unwrap_or_default();
		let ticket = T::DatasetTicket::new(who, Self::record_footprint(&record, &parents))?;
		let previous = core::mem::replace(&mut record.owner, who.clone());
		core::mem::replace(&mut record.deposit, ticket).drop(&previous)?;
		Datasets::<T>::insert(dataset, record);
		OwnershipOffers::<T>::remove(dataset);
		log::info!(target: LOG_TARGET, "dataset {dataset} accepted by its new owner");
		Ok(previous)
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
