//! Registration: validating a dataset's description against its parents and storing it.

use crate::*;

impl<T: Config> Pallet<T> {
	/// Validates and stores a registration. Returns the number of parents and of
	/// ancestors walked (parents included).
	pub fn do_register(owner: T::AccountId, r: Registration) -> Result<(u32, u32), DispatchError> {
		ensure!(!DatasetIdByHash::<T>::contains_key(r.content_hash), Error::<T>::AlreadyRegistered);
		let uri: BoundedVec<u8, T::MaxUriLen> =
			r.uri.try_into().map_err(|_| Error::<T>::UriTooLong)?;
		ensure!(!r.licence.is_empty(), Error::<T>::EmptyLicence);
		let spdx: BoundedVec<u8, T::MaxLicenceLen> =
			r.licence.try_into().map_err(|_| Error::<T>::LicenceTooLong)?;
		let licence = Licence { spdx, flags: r.licence_flags };
		let parents: ParentsOf<T> = r.parents.try_into().map_err(|_| Error::<T>::TooManyParents)?;
		ensure!(r.royalty <= T::MaxRoyalty::get(), Error::<T>::RoyaltyTooHigh);
		let derivation = r
			.derivation
			.map(|d| d.try_map(|text| BoundedVec::try_from(text)))
			.transpose()
			.map_err(|_| Error::<T>::DescriptionTooLong)?;
		ensure!(derivation.is_none() || !parents.is_empty(), Error::<T>::DerivationWithoutParents);

		let mut seen = BTreeSet::new();
		for parent in parents.iter() {
			ensure!(seen.insert(*parent), Error::<T>::DuplicateParent);
			let parent_record = Datasets::<T>::get(parent).ok_or(Error::<T>::ParentNotFound)?;
			Self::check_licence_compatible(&parent_record.licence, &licence)?;
			ensure!(
				r.permissions.no_wider_than(&parent_record.permissions),
				Error::<T>::PermissionWiderThanParent
			);
		}
		let ancestors = Self::check_ancestry(&parents)?;

		let id = NextDatasetId::<T>::get();
		let draft = Dataset {
			owner: owner.clone(),
			content_hash: r.content_hash,
			size_bytes: r.size_bytes,
			record_count: r.record_count,
			uri,
			licence,
			permissions: r.permissions,
			royalty: r.royalty,
			schema_hash: r.schema_hash,
			derivation,
			registered_at: frame_system::Pallet::<T>::block_number(),
			deposit: (),
		};
		let ticket = T::DatasetTicket::new(&owner, Self::dataset_footprint(&draft, &parents))?;
		let deposit = ticket.held();
		let (record, ()) = draft.replace_deposit(ticket);

		NextDatasetId::<T>::put(id.saturating_add(1));
		Datasets::<T>::insert(id, record);
		DatasetIdByHash::<T>::insert(r.content_hash, id);
		for parent in parents.iter() {
			Children::<T>::insert(parent, id, ());
		}
		let parent_count = parents.len() as u32;
		if !parents.is_empty() {
			Parents::<T>::insert(id, parents.clone());
		}
		log::info!(target: LOG_TARGET, "dataset {id} registered ({parent_count} parents)");
		Self::deposit_event(Event::DatasetRegistered {
			dataset: id,
			owner,
			content_hash: r.content_hash,
			parents,
			deposit,
			permissions: r.permissions,
			royalty: r.royalty,
		});
		Ok((parent_count, ancestors))
	}

	/// A child with licence `child` may be derived from a parent with licence `parent`.
	fn check_licence_compatible(
		parent: &Licence<T::MaxLicenceLen>,
		child: &Licence<T::MaxLicenceLen>,
	) -> DispatchResult {
		ensure!(parent.flags.derivatives, Error::<T>::ParentForbidsDerivatives);
		if parent.flags.share_alike {
			ensure!(
				child.spdx == parent.spdx && child.flags == parent.flags,
				Error::<T>::ShareAlikeLicenceNotCarried
			);
		}
		ensure!(
			parent.flags.commercial_use || !child.flags.commercial_use,
			Error::<T>::CommercialUseForbiddenByParent
		);
		Ok(())
	}

	/// Walks the ancestors of a new dataset with `parents`: none may be retracted and
	/// there may be at most `MaxAncestors`. Returns how many there are.
	fn check_ancestry(parents: &[DatasetId]) -> Result<u32, DispatchError> {
		let max = T::MaxAncestors::get();
		Self::try_for_each_ancestor(parents, |id, walked| {
			ensure!(walked <= max, Error::<T>::TooManyAncestors);
			ensure!(!Retractions::<T>::contains_key(id), Error::<T>::AncestorRetracted);
			Ok(())
		})
	}
}
