//! Taint that flows forward: when a dataset is retracted, the registry finds every version
//! trained on it (or on data derived from it) and says so, so that whoever relied on their
//! results learns it.
//!
//! A retraction only starts a scan (constant work in the retraction's call). The scan
//! walks every version with a cursor in `on_idle`, as many per block as the block's spare
//! weight allows ([`WeightInfo::taint_scan_step`] each), and marks each version whose
//! training data is now tainted ([`TaintedVersions`], `VersionTainted`). A retraction during
//! a scan makes it go round again once it ends, so that versions it had passed are checked
//! against the new retraction too. However many versions and results a retraction taints,
//! no block does more than its spare weight allows: results are never touched one by one,
//! their version's mark is what `explain` and `tainted_results` read.

use crate::*;

/// A scan for tainted versions under way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct TaintScan {
	/// The last version checked; the scan goes on after it (from the first if `None`).
	pub after: Option<(ModelId, VersionId)>,
	/// A retraction came during the scan: go round once more when it ends.
	pub again: bool,
}

impl<T: Config> OnDatasetRetracted for Pallet<T> {
	fn on_retracted(dataset: DatasetId) {
		TaintScanState::<T>::mutate(|scan| match scan {
			Some(scan) => scan.again = true,
			None => *scan = Some(TaintScan::default()),
		});
		log::info!(target: LOG_TARGET, "dataset {dataset} retracted: scanning for tainted versions");
	}
}

impl<T: Config> Pallet<T> {
	/// What checking one version costs: reading it, walking its training data's lineage
	/// for retractions and, if tainted, marking it.
	pub fn taint_scan_step_weight() -> Weight {
		// The key iteration's read of the next version's key, beside the benchmarked step.
		T::WeightInfo::taint_scan_step().saturating_add(T::DbWeight::get().reads(1))
	}

	/// Goes on with the scan, if one runs, within `remaining` weight; returns what it used.
	pub(crate) fn scan_for_taint(remaining: Weight) -> Weight {
		let state = T::DbWeight::get().reads_writes(1, 1);
		let step = Self::taint_scan_step_weight();
		if !remaining.all_gte(state.saturating_add(step)) {
			return Weight::zero();
		}
		let Some(mut scan) = TaintScanState::<T>::get() else {
			return T::DbWeight::get().reads(1);
		};
		let mut used = state;
		let mut keys = match scan.after {
			Some((model, version)) =>
				Versions::<T>::iter_keys_from(Versions::<T>::hashed_key_for(model, version)),
			None => Versions::<T>::iter_keys(),
		};
		loop {
			if !remaining.all_gte(used.saturating_add(step)) {
				TaintScanState::<T>::put(scan);
				return used;
			}
			let Some((model, version)) = keys.next() else { break };
			used.saturating_accrue(step);
			scan.after = Some((model, version));
			Self::check_version_taint(model, version);
		}
		if scan.again {
			TaintScanState::<T>::put(TaintScan::default());
		} else {
			TaintScanState::<T>::kill();
			log::info!(target: LOG_TARGET, "the scan for tainted versions is done");
		}
		used
	}

	/// Marks version `version` of `model` tainted if its training data is, unless it is
	/// already; returns whether it marked it.
	pub fn check_version_taint(model: ModelId, version: VersionId) -> bool {
		if TaintedVersions::<T>::contains_key(model, version) {
			return false;
		}
		let Some(v) = Versions::<T>::get(model, version) else { return false };
		if !v.training_datasets.iter().any(|d| T::Datasets::is_tainted(*d)) {
			return false;
		}
		TaintedVersions::<T>::insert(model, version, Self::now());
		let requests = T::Requests::retained();
		log::info!(target: LOG_TARGET, "model {model} version {version} is tainted");
		Self::deposit_event(Event::VersionTainted { model, version, requests });
		true
	}
}
