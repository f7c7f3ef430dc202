//! Views: models and versions as the runtime API returns them.

use crate::*;

impl<T: Config> Pallet<T> {
	pub fn model_view(id: ModelId) -> Option<ModelViewOf<T>> {
		Models::<T>::get(id).map(|m| {
			let deposit = m.deposit.held();
			m.view(id, deposit)
		})
	}

	/// The view of version `version` of `model`.
	pub fn version_view(model: ModelId, version: VersionId) -> Option<VersionViewOf<T>> {
		let v = Versions::<T>::get(model, version)?;
		let golden = GoldenVectors::<T>::get(model, version).map(|g| g.into_inner());
		let canary = Canaries::<T>::get(model, version);
		let usage = VersionUsage::<T>::get(model, version).unwrap_or(UsagePermissions::ALL_ALLOWED);
		let market = aioracle_primitives::market::VersionMarket {
			price: <Self as InferenceMarket<_, _>>::price(model, version),
			royalties: <Self as InferenceMarket<T::AccountId, BalanceOf<T>>>::royalties(
				model, version,
			),
			earnings: Earnings::<T>::get(model, version),
		};
		let training_run = TrainingRuns::<T>::get(model, version).map(TrainingRun::unbounded);
		Some(VersionView {
			model,
			version,
			model_hash: v.model_hash,
			size_bytes: v.size_bytes,
			uri: v.uri.into_inner(),
			inputs: v.inputs.into_inner(),
			output: v.output,
			input_scale: v.input_scale,
			output_scale: v.output_scale,
			aggregation: v.aggregation,
			min_agreement: v.min_agreement,
			training_datasets: v.training_datasets.into_inner(),
			commercial_use: v.commercial_use,
			golden_vectors: golden
				.unwrap_or_default()
				.into_iter()
				.map(GoldenVector::from)
				.collect(),
			status: v.status,
			status_blocks: v.status_blocks,
			deposit: v.deposit.held(),
			canary,
			usage,
			market,
			training_run,
			exact_program: ExactPrograms::<T>::get(model, version).map(|p| {
				aioracle_primitives::model::ExactProgramSummary {
					program_hash: p.program_hash,
					size_bytes: p.program.len() as u32,
					operations: p.operations.iter().fold(0u64, |t, n| t.saturating_add(*n)),
				}
			}),
		})
	}

	/// Every version of `model`, oldest first.
	pub fn version_views(model: ModelId) -> Vec<VersionViewOf<T>> {
		let mut versions: Vec<VersionId> = Versions::<T>::iter_key_prefix(model).collect();
		versions.sort();
		versions.into_iter().filter_map(|v| Self::version_view(model, v)).collect()
	}

	/// The active version of `model`.
	pub fn active_version_view(model: ModelId) -> Option<VersionViewOf<T>> {
		Models::<T>::get(model)?.active.and_then(|v| Self::version_view(model, v))
	}

	/// The version whose ONNX bytes hash to `model_hash`.
	pub fn version_view_by_hash(model_hash: ModelHash) -> Option<VersionViewOf<T>> {
		VersionByHash::<T>::get(model_hash).and_then(|(m, v)| Self::version_view(m, v))
	}
}
