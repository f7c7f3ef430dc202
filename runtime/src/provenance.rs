//! The chain of custody, composed from the pallets' read APIs: a result, the model version
//! that produced it, and the datasets that version was trained on, with their lineage,
//! licences and taint. The model registry
//! knows dataset ids only; the runtime joins them with the dataset pallet's records here.

use alloc::vec::Vec;

use aioracle_primitives::{
	dataset::{DatasetId, Taint},
	model::{ModelId, Provenance, TrainingDataset, VersionId},
	oracle::{Explanation, RequestId, RequestStatus, TaintedResult},
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
	let tainted_since = provenance.as_ref().and_then(|p| {
		earliest_retraction(p.training_datasets.iter().map(|d| (d.dataset.id, &d.taint)))
	});
	let result = InferenceOracle::result_view(id);
	let payments = result
		.as_ref()
		.map(|result| InferenceOracle::payments(id, &request, result))
		.unwrap_or_default();
	Some(Explanation {
		result,
		submissions: InferenceOracle::submission_views(id),
		request,
		provenance,
		tainted_datasets,
		input_dataset,
		canary,
		canary_record,
		payments,
		tainted_since,
	})
}

/// The earliest retraction among `taints` (datasets with their taint): the block from
/// which results resting on them are tainted, or `None` if none is retracted.
fn earliest_retraction<'a>(
	taints: impl IntoIterator<Item = (DatasetId, &'a Taint)>,
) -> Option<BlockNumber> {
	taints
		.into_iter()
		.flat_map(|(id, taint)| {
			taint.retracted.then_some(id).into_iter().chain(taint.retracted_ancestors.iter().copied())
		})
		.filter_map(|id| pallet_dataset_provenance::Retractions::<Runtime>::get(id).map(|r| r.at))
		.min()
}

/// The block from which the results of `version` of `model` are tainted: the earliest
/// retraction among its training datasets and their ancestors, or `None` if none is
/// retracted. Walks at most `MaxTrainingDatasets * (1 + MaxAncestors)` datasets.
pub fn tainted_since(model: ModelId, version: VersionId) -> Option<BlockNumber> {
	let datasets = pallet_model_registry::Versions::<Runtime>::get(model, version)?.training_datasets;
	let taints: Vec<(DatasetId, Taint)> =
		datasets.iter().filter_map(|&id| Some((id, DatasetProvenance::taint(id)?))).collect();
	earliest_retraction(taints.iter().map(|(id, taint)| (*id, taint)))
}

/// The finalized results of `requester` among the retained requests, newest first, at
/// most `limit`, whose versions rest on withdrawn data. Reads every retained request and
/// exact answer (at most `MaxRetainedRequests` of each): a client's read, never done
/// on-chain.
pub fn tainted_results(requester: AccountId, limit: u32) -> Vec<TaintedResult<BlockNumber>> {
	use alloc::collections::BTreeMap;
	let mut since: BTreeMap<(ModelId, VersionId), Option<BlockNumber>> = BTreeMap::new();
	let served = pallet_inference_oracle::Requests::<Runtime>::iter()
		.filter(|(_, r)| r.requester == requester && r.status == RequestStatus::Finalized)
		.map(|(request, r)| (request, r.model, r.version));
	// Exact answers, kept in their ring, count as long as they are retained.
	let exact = pallet_inference_oracle::ExactAnswers::<Runtime>::iter_values()
		.filter(|a| a.requester == requester && InferenceOracle::exact_answer(a.id).is_some())
		.map(|a| (a.id, a.model, a.version));
	let mut found: Vec<TaintedResult<BlockNumber>> = served
		.chain(exact)
		.filter_map(|(request, model, version)| {
			let at = *since.entry((model, version)).or_insert_with(|| tainted_since(model, version));
			at.map(|since| TaintedResult { request, model, version, since })
		})
		.collect();
	found.sort_by(|a, b| b.request.cmp(&a.request));
	found.truncate(limit as usize);
	found
}
