//! What other pallets may ask about datasets: [`DatasetInspect`].

use crate::*;
use aioracle_primitives::{
	dataset::{DatasetOwner, RoyaltyLineageError},
	market::Royalty,
};

impl<T: Config> DatasetInspect for Pallet<T> {
	fn exists(id: DatasetId) -> bool {
		Datasets::<T>::contains_key(id)
	}

	fn is_tainted(id: DatasetId) -> bool {
		Self::taint_of(id).is_some_and(|t| t.is_tainted())
	}

	fn licence_flags(id: DatasetId) -> Option<LicenceFlags> {
		Datasets::<T>::get(id).map(|d| d.licence.flags)
	}

	fn content_hash(id: DatasetId) -> Option<ContentHash> {
		Datasets::<T>::get(id).map(|d| d.content_hash)
	}

	fn permissions(id: DatasetId) -> Option<UsagePermissions> {
		Datasets::<T>::get(id).map(|d| d.permissions)
	}

	fn royalties(
		datasets: &[DatasetId],
		max_depth: u32,
		max_count: u32,
	) -> Result<Vec<Royalty>, RoyaltyLineageError> {
		Self::royalty_lineage(datasets, max_depth, max_count)
	}
}

impl<T: Config> DatasetOwner<T::AccountId> for Pallet<T> {
	fn owner(id: DatasetId) -> Option<T::AccountId> {
		Datasets::<T>::get(id).map(|d| d.owner)
	}
}
