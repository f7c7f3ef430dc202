//! What other pallets may ask the registry: [`ModelInspect`].

use crate::*;

impl<T: Config> ModelInspect for Pallet<T> {
	fn active_contract(model: ModelId) -> Option<(VersionId, ModelHash, ServingContract)> {
		let version = Models::<T>::get(model)?.active?;
		let record = Versions::<T>::get(model, version)?;
		Some((version, record.model_hash, record.contract()))
	}

	fn contract(model: ModelId, version: VersionId) -> Option<(ModelHash, ServingContract)> {
		Versions::<T>::get(model, version).map(|record| (record.model_hash, record.contract()))
	}

	fn is_proposed(model: ModelId, version: VersionId) -> bool {
		Versions::<T>::get(model, version).is_some_and(|v| v.status == VersionStatus::Proposed)
	}

	fn proposed_versions(limit: u32) -> Vec<(ModelId, VersionId)> {
		Versions::<T>::iter()
			.filter(|(_, _, v)| v.status == VersionStatus::Proposed)
			.map(|(model, version, _)| (model, version))
			.take(limit as usize)
			.collect()
	}

	fn artifacts(model: ModelId, version: VersionId) -> Option<ServingArtifacts> {
		let record = Versions::<T>::get(model, version)?;
		let golden_vectors = GoldenVectors::<T>::get(model, version)
			.map(|vectors| vectors.into_iter().map(GoldenVector::from).collect())
			.unwrap_or_default();
		Some(ServingArtifacts {
			model_hash: record.model_hash,
			uri: record.uri.into_inner(),
			size_bytes: record.size_bytes,
			golden_vectors,
		})
	}

	fn input_decoding(model: ModelId, version: VersionId) -> BlobDecoding {
		InputDecodings::<T>::get(model, version).unwrap_or_default()
	}

	fn inference_permitted(model: ModelId, version: VersionId) -> bool {
		VersionUsage::<T>::get(model, version).is_none_or(|u| u.ai_inference.permits())
	}

	fn exact_program(model: ModelId, version: VersionId) -> Option<ExactServing> {
		let p = ExactPrograms::<T>::get(model, version)?;
		let weight = Self::exact_load_weight(p.program.len() as u32)
			.saturating_add(Self::exact_run_weight(&p.operations));
		Some(ExactServing { program: p.program.into_inner(), program_hash: p.program_hash, weight })
	}

	fn has_exact_program(model: ModelId, version: VersionId) -> bool {
		ExactPrograms::<T>::contains_key(model, version)
	}

	fn max_exact_weight() -> Weight {
		Self::exact_load_weight(T::MaxExactProgramBytes::get())
			.saturating_add(Self::max_exact_run_weight())
	}
}
