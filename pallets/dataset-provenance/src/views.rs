//! Views: the records as the runtime API and the view functions return them.

use crate::*;
use aioracle_primitives::dataset::AttestationView;

impl<T: Config> Pallet<T> {
	/// The view of dataset `id`, as the runtime API returns it.
	pub fn dataset_view(id: DatasetId) -> Option<DatasetViewOf<T>> {
		let record = Datasets::<T>::get(id)?;
		let parents = Parents::<T>::get(id).map(|p| p.into_inner()).unwrap_or_default();
		let deposit = record.deposit.held();
		Some(record.view(id, parents, Retractions::<T>::get(id), deposit))
	}

	/// The view of the dataset registered with `content_hash`.
	pub fn dataset_view_by_hash(content_hash: ContentHash) -> Option<DatasetViewOf<T>> {
		DatasetIdByHash::<T>::get(content_hash).and_then(Self::dataset_view)
	}

	/// The attestations of `id`, oldest first.
	pub fn attestation_views(
		id: DatasetId,
	) -> Vec<AttestationView<T::AccountId, BlockNumberFor<T>>> {
		Attestations::<T>::get(id).into_iter().map(Attestation::view).collect()
	}
}
