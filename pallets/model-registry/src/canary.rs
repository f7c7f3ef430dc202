//! The canary phase: an `Approved` version scores a sampled fraction of the active
//! version's requests beside it before governance promotes it.
//!
//! - [`start_canary`](Pallet::start_canary) (governance) puts an `Approved` version in
//!   `Canary`, with the fraction of requests to sample and the bounds on failures and
//!   disagreements. The candidate must be served like the active version (same inputs,
//!   input scale, input decoding, output and output scale), so that both answer the same
//!   request in the same terms. One canary per model.
//! - The oracle samples requests, collects the committee's candidate outputs with their
//!   answers, judges each sampled request when it is finalized and counts the verdict here
//!   ([`CanaryLedger::record`]). When the failures or the disagreements exceed their
//!   bound, the canary ends with [`CanaryEnd::FellBack`]: the candidate is `Approved`
//!   again, and `activate_version` refuses it until a new canary passes.
//! - `activate_version` of the candidate promotes it ([`CanaryEnd::Promoted`]).
//!   [`end_canary`](Pallet::end_canary) (governance or emergency), rejecting the candidate,
//!   or any change of the model's active version (activation of another version,
//!   deprecation, rollback) stops it ([`CanaryEnd::Stopped`]): the comparisons were with
//!   the active version.

use super::*;

impl<T: Config> Pallet<T> {
	/// Puts `version` of `model` in canary (see [`Pallet::start_canary`]); returns the
	/// candidate's number of training datasets (for the weight).
	pub(crate) fn do_start_canary(
		model: ModelId,
		version: VersionId,
		sample: Perbill,
		max_failures: u32,
		max_disagreements: u32,
	) -> Result<u32, DispatchError> {
		let record = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
		let mut candidate =
			Versions::<T>::get(model, version).ok_or(Error::<T>::VersionNotFound)?;
		ensure!(candidate.status == VersionStatus::Approved, Error::<T>::NotApproved);
		ensure!(!RunningCanary::<T>::contains_key(model), Error::<T>::CanaryRunning);
		let active = record.active.ok_or(Error::<T>::NoActiveVersion)?;
		let current = Versions::<T>::get(model, active).ok_or(Error::<T>::VersionNotFound)?;
		ensure!(
			Self::served_alike(model, (active, &current), (version, &candidate)),
			Error::<T>::CanaryContractDiffers
		);
		Self::ensure_untainted(&candidate.training_datasets)?;
		ensure!(
			<Self as ModelInspect>::inference_permitted(model, version),
			Error::<T>::InferenceNotPermitted
		);
		let now = Self::now();
		let datasets = candidate.training_datasets.len() as u32;
		candidate.status = VersionStatus::Canary;
		Versions::<T>::insert(model, version, candidate);
		RunningCanary::<T>::insert(model, version);
		Canaries::<T>::insert(
			model,
			version,
			CanaryRecord::new(sample, max_failures, max_disagreements, now),
		);
		log::info!(
			target: LOG_TARGET,
			"model {model} version {version} in canary: sampling {sample:?} of version {active}'s requests"
		);
		Self::deposit_event(Event::CanaryStarted {
			model,
			version,
			sample,
			max_failures,
			max_disagreements,
		});
		Ok(datasets)
	}

	/// Whether two versions of `model` answer the same request in the same terms: the same
	/// inputs, input scale and input decoding (so the request's input means the same to
	/// both), and the same output and output scale (so their outputs compare). Their
	/// aggregation rules and quorums may differ.
	fn served_alike(
		model: ModelId,
		(a, a_record): (VersionId, &ModelVersionOf<T>),
		(b, b_record): (VersionId, &ModelVersionOf<T>),
	) -> bool {
		a_record.inputs == b_record.inputs &&
			a_record.input_scale == b_record.input_scale &&
			a_record.output == b_record.output &&
			a_record.output_scale == b_record.output_scale &&
			InputDecodings::<T>::get(model, a).unwrap_or_default() ==
				InputDecodings::<T>::get(model, b).unwrap_or_default()
	}

	/// Ends `model`'s running canary with `end`, if one runs: records how and when, and
	/// unless it was promoted (the caller makes it `Active`) puts the candidate back to
	/// `Approved`. Returns the candidate, if there was a canary.
	pub(crate) fn end_running_canary(model: ModelId, end: CanaryEnd) -> Option<VersionId> {
		let version = RunningCanary::<T>::take(model)?;
		let now = Self::now();
		if end != CanaryEnd::Promoted {
			Versions::<T>::mutate(model, version, |v| {
				if let Some(v) = v.as_mut().filter(|v| v.status == VersionStatus::Canary) {
					v.status = VersionStatus::Approved;
				}
			});
		}
		let figures = Canaries::<T>::mutate(model, version, |record| {
			let record = record.as_mut()?;
			record.ended = Some((now, end));
			Some((record.compared, record.failed, record.disagreed))
		});
		let (compared, failed, disagreed) = figures.unwrap_or_default();
		log::info!(
			target: LOG_TARGET,
			"model {model} version {version}: canary ended ({end:?}) after {compared} comparisons, {failed} failures, {disagreed} disagreements"
		);
		Self::deposit_event(Event::CanaryEnded {
			model,
			version,
			end,
			compared,
			failed,
			disagreed,
		});
		Some(version)
	}

	/// Refuses a version whose last canary fell back: it needs a new canary that passes.
	pub(crate) fn ensure_not_fallen_back(model: ModelId, version: VersionId) -> DispatchResult {
		let fell_back = Canaries::<T>::get(model, version)
			.is_some_and(|c| matches!(c.ended, Some((_, CanaryEnd::FellBack))));
		ensure!(!fell_back, Error::<T>::CanaryFailuresAboveBound);
		Ok(())
	}

	/// The canaries' invariants: each running canary's candidate exists, is `Canary`, has a
	/// record that has not ended, and is the model's only `Canary` version; every `Canary`
	/// version is its model's running canary; every record belongs to an existing version,
	/// and an ended record's candidate is not `Canary`.
	pub(crate) fn try_state_canaries() -> Result<(), TryRuntimeError> {
		for (model, version) in RunningCanary::<T>::iter() {
			let v = Versions::<T>::get(model, version).ok_or("a running canary's version is missing")?;
			ensure!(v.status == VersionStatus::Canary, "a running canary's version is not Canary");
			let record = Canaries::<T>::get(model, version).ok_or("a running canary has no record")?;
			ensure!(record.ended.is_none(), "a running canary's record has ended");
			ensure!(
				Models::<T>::get(model).is_some_and(|m| m.active.is_some()),
				"a canary runs on a model without an active version"
			);
		}
		for (model, version, v) in Versions::<T>::iter() {
			if v.status == VersionStatus::Canary {
				ensure!(
					RunningCanary::<T>::get(model) == Some(version),
					"a Canary version is not its model's running canary"
				);
			}
		}
		for (model, version, record) in Canaries::<T>::iter() {
			let v = Versions::<T>::get(model, version).ok_or("a canary record of a missing version")?;
			if record.ended.is_some() {
				ensure!(v.status != VersionStatus::Canary, "an ended canary's version is Canary");
			}
			ensure!(
				record.agreed.saturating_add(record.disagreed).saturating_add(record.failed) ==
					record.compared,
				"a canary's verdicts do not add up to its comparisons"
			);
		}
		Ok(())
	}
}

impl<T: Config> CanaryLedger for Pallet<T> {
	fn running(model: ModelId) -> Option<(VersionId, ModelHash, Perbill)> {
		let version = RunningCanary::<T>::get(model)?;
		let model_hash = Versions::<T>::get(model, version)?.model_hash;
		let sample = Canaries::<T>::get(model, version)?.sample;
		Some((version, model_hash, sample))
	}

	fn record(model: ModelId, version: VersionId, comparison: CanaryComparison) {
		if RunningCanary::<T>::get(model) != Some(version) {
			return;
		}
		let above_bounds = Canaries::<T>::mutate(model, version, |record| {
			record.as_mut().map(|record| {
				record.count(&comparison);
				record.above_bounds()
			})
		});
		if above_bounds == Some(true) {
			log::warn!(
				target: LOG_TARGET,
				"model {model} version {version}: the canary exceeded its bounds; falling back"
			);
			Self::end_running_canary(model, CanaryEnd::FellBack);
		}
	}

	/// Counting reads the running canary and its record and writes the record; a
	/// fallback ends the canary as `end_canary` does (benchmarked).
	fn record_weight() -> Weight {
		T::DbWeight::get().reads_writes(2, 1).saturating_add(T::WeightInfo::end_canary())
	}
}
