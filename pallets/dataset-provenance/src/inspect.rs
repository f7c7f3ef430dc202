//! What other pallets may ask about datasets: [`DatasetInspect`].

use crate::*;

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
}
