//! The chain of custody, composed from the pallets' read APIs: a result, the model version
//! that produced it, and the datasets that version was trained on, with their lineage,
//! licences and taint. The model registry
//! knows dataset ids only; the runtime joins them with the dataset pallet's records here.

use alloc::vec::Vec;

use aioracle_primitives::{
	dataset::DatasetId,
	model::{ModelId, Provenance, TrainingDataset, VersionId},
	oracle::{Explanation, RequestId},
};
use pallet_dataset_provenance::MAX_LINEAGE_QUERY_DEPTH;

use crate::{AccountId, Balance, BlockNumber, DatasetProvenance, InferenceOracle, ModelRegistry, Runtime};

/// The provenance of `version` of `model`, or `None` if there is no such version.
pub fn version_provenance(
	model: ModelId,
	version: VersionId,
) -> Option<Provenance<AccountId, Balance, BlockNumber>> {
	let version = ModelRegistry::version_view(model, version)?;
	// Datasets are permanent, so every id a version lists has a record.
	let training_datasets: Vec<_> =
		version.training_datasets.iter().filter_map(|&id| dataset_with_lineage(id)).collect();
	let tainted = training_datasets.iter().any(|d| d.taint.is_tainted());
	let validation = InferenceOracle::validation_view(model, version.version);
	Some(Provenance { version, training_datasets, tainted, validation })
}

/// Dataset `id` with its lineage and taint, or `None` if there is no such dataset.
fn dataset_with_lineage(id: DatasetId) -> Option<TrainingDataset<AccountId, Balance, BlockNumber>> {
	Some(TrainingDataset {
		dataset: DatasetProvenance::dataset_view(id)?,
		ancestors: DatasetProvenance::ancestors(id, MAX_LINEAGE_QUERY_DEPTH)?,
		taint: DatasetProvenance::taint(id)?,
	})
}

/// Request `id` explained: its result, every submission, the model version that scored it,
/// that version's training data, the dataset its input is (if it named one), and the canary
/// that sampled it (if one did) with the candidate's figures, or `None` if the request is
/// not retained.
pub fn explain(id: RequestId) -> Option<Explanation<AccountId, Balance, BlockNumber>> {
	let request = InferenceOracle::request_view(id)?;
	let provenance = version_provenance(request.model, request.version);
	let tainted_datasets = provenance
		.iter()
		.flat_map(|p| p.training_datasets.iter())
		.filter(|d| d.taint.is_tainted())
		.map(|d| d.dataset.id)
		.collect();
	let input_dataset =
		request.input_reference.and_then(|r| r.dataset).and_then(dataset_with_lineage);
	let canary = pallet_inference_oracle::CanaryChecks::<Runtime>::get(id);
	let canary_record = canary.as_ref().and_then(|check| {
		pallet_model_registry::Canaries::<Runtime>::get(request.model, check.version)
	});
	Some(Explanation {
		result: InferenceOracle::result_view(id),
		submissions: InferenceOracle::submission_views(id),
		request,
		provenance,
		tainted_datasets,
		input_dataset,
		canary,
		canary_record,
		payments: InferenceOracle::payment_views(id),
	})
}
