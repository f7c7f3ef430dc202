//! The chain of custody, composed from the pallets' read APIs: a model version and the
//! datasets it was trained on, with their lineage, licences and taint. The model registry
//! knows dataset ids only; the runtime joins them with the dataset pallet's records here.

use alloc::vec::Vec;

use aioracle_primitives::model::{ModelId, Provenance, TrainingDataset, VersionId};
use pallet_dataset_provenance::MAX_LINEAGE_QUERY_DEPTH;

use crate::{AccountId, Balance, BlockNumber, DatasetProvenance, ModelRegistry};

/// The provenance of `version` of `model`, or `None` if there is no such version.
pub fn version_provenance(
	model: ModelId,
	version: VersionId,
) -> Option<Provenance<AccountId, Balance, BlockNumber>> {
	let version = ModelRegistry::version_view(model, version)?;
	let training_datasets: Vec<_> = version
		.training_datasets
		.iter()
		.filter_map(|&id| {
			// Datasets are permanent, so every id a version lists has a record.
			Some(TrainingDataset {
				dataset: DatasetProvenance::dataset_view(id)?,
				ancestors: DatasetProvenance::ancestors(id, MAX_LINEAGE_QUERY_DEPTH)?,
				taint: DatasetProvenance::taint(id)?,
			})
		})
		.collect();
	let tainted = training_datasets.iter().any(|d| d.taint.is_tainted());
	Some(Provenance { version, training_datasets, tainted })
}
