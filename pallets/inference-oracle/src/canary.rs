//! The oracle's side of a model's canary (see `aioracle_primitives::canary`): sampling
//! requests, collecting the committee's candidate outputs, and judging them against the
//! result.
//!
//! - **Sampling.** When a request is made to a model whose canary runs
//!   ([`CanaryLedger::running`]), it is sampled with the canary's probability, drawn from
//!   the request id and the parent block's hash. A sampled request gets a
//!   [`CanaryCheck`]; nothing else about it changes: its committee, fee and answer are the
//!   active version's.
//! - **Reports.** Committee members score a sampled request with the candidate too, under
//!   the request's own contract (the candidate is served alike: same inputs, output and
//!   scales), and attach a [`CanaryReport`] to the answer that closes their part: the
//!   outcome, or the reveal of a committee of several (a commitment carries none, so the
//!   report cannot be copied before the outcomes are final).
//! - **Judging.** When the request closes with a result, the reports of the members who
//!   agreed with it are judged ([`judge`]): if most of them are outputs that agree among
//!   themselves under the request's rule, their combined output is compared with the
//!   result within the active version's tolerance ([`CanaryVerdict::Agreed`] or
//!   [`CanaryVerdict::Disagreed`]); otherwise the candidate [`CanaryVerdict::Failed`]. An
//!   outlier's report is not counted: it lied about the active version already. The
//!   registry counts the verdict and ends the canary once its bounds are exceeded. A
//!   request that closes without a result, or without a report from an agreeing member,
//!   is not counted.
//!
//! The reports are deleted when the request closes; the check, with its verdict, is kept as
//! long as the request (for `explain`).

use super::*;
use aioracle_primitives::canary::{CanaryComparison, CanaryLedger, CanaryVerdict};

/// The context of the sampling draw, so that it is independent of other draws.
const SAMPLING_CONTEXT: &[u8] = b"aioracle/canary-sample";

impl<T: Config> Pallet<T> {
	/// Samples request `id` to `model` for the model's running canary, if one runs: with
	/// probability `sample`, from the request id and the parent block's hash.
	pub(crate) fn sample_for_canary(id: RequestId, model: ModelId) {
		let Some((version, model_hash, sample)) = T::Canary::running(model) else { return };
		let parent = frame_system::Pallet::<T>::parent_hash();
		let draw = (SAMPLING_CONTEXT, id, parent).using_encoded(blake2_256);
		let draw = u32::from_le_bytes([draw[0], draw[1], draw[2], draw[3]]);
		if !sampled(sample, draw) {
			return;
		}
		CanaryChecks::<T>::insert(id, CanaryCheck { version, model_hash, verdict: None });
		log::debug!(target: LOG_TARGET, "request {id} sampled for model {model}'s canary, version {version}");
		Self::deposit_event(Event::CanarySampled { request: id, model, version });
	}

	/// Keeps `operator`'s candidate `report` for request `id` if the request is sampled and
	/// the report fits `MaxOutputLen`; returns whether it was kept. The caller checked that
	/// the operator is a committee member answering for the first time.
	pub(crate) fn note_canary_report(
		id: RequestId,
		operator: &T::AccountId,
		report: CanaryReport<Vec<i64>>,
	) -> bool {
		if !CanaryChecks::<T>::contains_key(id) {
			return false;
		}
		let CanaryReport { outcome, candidate_millis, active_millis } = report;
		let outcome = match outcome {
			Outcome::Output(output) => match BoundedVec::try_from(output) {
				Ok(output) => Outcome::Output(output),
				Err(_) => return false,
			},
			Outcome::Failed(failure) => Outcome::Failed(failure),
		};
		let report = CanaryReport { outcome, candidate_millis, active_millis };
		CanaryReports::<T>::mutate(id, |reports| {
			reports.try_push((operator.clone(), report)).is_ok()
		})
	}

	/// Judges sampled request `id` as it closes: with the `result` it was finalized with
	/// (`None`: it closed without one) and the members who `agreed` with it. Records the
	/// verdict with the request's check and in the registry. Does nothing for a request
	/// that was not sampled.
	pub(crate) fn judge_canary(
		id: RequestId,
		request: &RequestOf<T>,
		result: Option<&[i64]>,
		agreeing: &[T::AccountId],
	) {
		// One read for a request that was not sampled; reports exist only if a member
		// attached one, and paid for judging it (`canary_report_weight`).
		let Some(mut check) = CanaryChecks::<T>::get(id) else { return };
		if !CanaryReports::<T>::contains_key(id) {
			return;
		}
		let reports = CanaryReports::<T>::take(id);
		let Some(result) = result else { return };
		let counted: Vec<&CanaryReportOf<T>> = reports
			.iter()
			.filter(|(operator, _)| agreeing.contains(operator))
			.map(|(_, report)| report)
			.collect();
		if counted.is_empty() {
			return;
		}
		let verdict = judge(&request.contract, &counted, result);
		check.verdict = Some(verdict);
		CanaryChecks::<T>::insert(id, &check);
		let comparison = CanaryComparison {
			verdict,
			candidate_millis: median(counted.iter().map(|r| r.candidate_millis)),
			active_millis: median(counted.iter().map(|r| r.active_millis)),
		};
		log::info!(
			target: LOG_TARGET,
			"request {id}: model {}'s canary version {} {verdict:?} ({} reports)",
			request.model,
			check.version,
			counted.len()
		);
		T::Canary::record(request.model, check.version, comparison);
		Self::deposit_event(Event::CanaryCompared {
			request: id,
			model: request.model,
			version: check.version,
			verdict,
		});
	}

	/// What a canary report attached to a closing answer may cost beyond the answer: kept
	/// (the check read, the reports read and written), and judged when the request closes
	/// (the check written, the reports deleted, the aggregation of up to `MaxCommittee`
	/// reports of `l` elements, which costs what closing aggregates for as many submissions,
	/// and the registry's count).
	pub fn canary_report_weight(l: u32) -> Weight {
		Self::item_extra_weight(l, T::MaxCommittee::get())
			.saturating_add(T::DbWeight::get().reads_writes(3, 3))
			.saturating_add(T::Canary::record_weight())
	}

	/// The canary's invariants: checks and reports belong to retained requests; reports
	/// only to pending sampled ones, one per committee member; a verdict only on a
	/// finalized request.
	pub(crate) fn try_state_canary() -> Result<(), TryRuntimeError> {
		for (id, check) in CanaryChecks::<T>::iter() {
			let request = Requests::<T>::get(id).ok_or("a canary check of a pruned request")?;
			if check.verdict.is_some() {
				ensure!(
					request.status != RequestStatus::Pending,
					"a pending request has a canary verdict"
				);
			}
		}
		for (id, reports) in CanaryReports::<T>::iter() {
			ensure!(CanaryChecks::<T>::contains_key(id), "canary reports of an unsampled request");
			ensure!(PendingRequests::<T>::contains_key(id), "canary reports of a closed request");
			let committee = Committees::<T>::get(id);
			let mut seen = BTreeSet::new();
			for (operator, _) in reports.iter() {
				ensure!(committee.contains(operator), "a canary report from outside the committee");
				ensure!(seen.insert(operator.clone()), "two canary reports from one operator");
			}
		}
		Ok(())
	}
}

/// Whether a draw of `draw` is sampled at the rate `sample`: every draw at 100%, none at
/// 0%, otherwise the draws below `sample` of the `u32` range.
fn sampled(sample: Perbill, draw: u32) -> bool {
	sample == Perbill::one() || draw < sample.mul_floor(u32::MAX)
}

/// The verdict on a candidate's `reports` (from members who agreed with the result)
/// against the request's `result`, under the request's `contract`.
pub(crate) fn judge<Output: AsRef<[i64]>>(
	contract: &ServingContract,
	reports: &[&CanaryReport<Output>],
	result: &[i64],
) -> CanaryVerdict {
	let outputs: Vec<&[i64]> =
		reports.iter().filter_map(|r| r.outcome.output()).map(|o| o.as_ref()).collect();
	// Most reports must be outputs, and most outputs agree among themselves.
	if outputs.len().saturating_mul(2) <= reports.len() {
		return CanaryVerdict::Failed;
	}
	match aggregate::aggregate(contract.aggregation, 1, &outputs) {
		Some(candidate) if contract.agrees(&candidate.output, result) => CanaryVerdict::Agreed,
		Some(_) => CanaryVerdict::Disagreed,
		None => CanaryVerdict::Failed,
	}
}

/// The lower median of `values` (0 for none).
fn median(values: impl Iterator<Item = u32>) -> u32 {
	let mut values: Vec<u32> = values.collect();
	values.sort_unstable();
	values.get(values.len().saturating_sub(1) / 2).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
	use super::*;
	use aioracle_primitives::model::{ElementType, TensorSpec};

	fn contract(aggregation: Aggregation) -> ServingContract {
		let spec = |index| TensorSpec {
			index,
			element_type: ElementType::F32,
			shape: BoundedVec::truncate_from(alloc::vec![1, 2]),
		};
		ServingContract {
			inputs: BoundedVec::truncate_from(alloc::vec![spec(0)]),
			output: spec(1),
			input_scale: 0,
			output_scale: 0,
			aggregation,
			min_agreement: 1,
		}
	}

	fn output(values: &[i64]) -> CanaryReport<Vec<i64>> {
		CanaryReport { outcome: Outcome::Output(values.to_vec()), candidate_millis: 0, active_millis: 0 }
	}

	fn failed() -> CanaryReport<Vec<i64>> {
		CanaryReport {
			outcome: Outcome::Failed(Failure::ModelBytesUnavailable),
			candidate_millis: 0,
			active_millis: 0,
		}
	}

	#[test]
	fn within_the_tolerance_agrees_beyond_it_disagrees() {
		let median = contract(Aggregation::Median { tolerance: 5 });
		let (a, b) = (output(&[100, 200]), output(&[104, 196]));
		assert_eq!(judge(&median, &[&a, &b], &[100, 200]), CanaryVerdict::Agreed);
		let far = output(&[120, 200]);
		assert_eq!(judge(&median, &[&far], &[100, 200]), CanaryVerdict::Disagreed);
		let exact = contract(Aggregation::ExactMajority);
		assert_eq!(judge(&exact, &[&b], &[100, 200]), CanaryVerdict::Disagreed);
	}

	#[test]
	fn mostly_failures_or_no_majority_fail() {
		let rule = contract(Aggregation::ExactMajority);
		let (a, f) = (output(&[1, 2]), failed());
		assert_eq!(judge(&rule, &[&a, &f], &[1, 2]), CanaryVerdict::Failed);
		assert_eq!(judge(&rule, &[&f], &[1, 2]), CanaryVerdict::Failed);
		// Two outputs that share nothing: no majority under the rule.
		let b = output(&[3, 4]);
		assert_eq!(judge(&rule, &[&a, &b], &[1, 2]), CanaryVerdict::Failed);
		// One failure among three is outvoted.
		assert_eq!(judge(&rule, &[&a, &a, &f], &[1, 2]), CanaryVerdict::Agreed);
	}

	#[test]
	fn a_liar_among_three_reports_does_not_decide() {
		let rule = contract(Aggregation::Median { tolerance: 0 });
		let (a, liar) = (output(&[10, 20]), output(&[999, -999]));
		assert_eq!(judge(&rule, &[&a, &liar, &a], &[10, 20]), CanaryVerdict::Agreed);
	}

	#[test]
	fn sampling_follows_the_rate() {
		assert!(sampled(Perbill::one(), u32::MAX));
		assert!(!sampled(Perbill::zero(), 0));
		let half = Perbill::from_percent(50);
		assert!(sampled(half, 0) && sampled(half, u32::MAX / 2 - 1));
		assert!(!sampled(half, u32::MAX / 2 + 1));
	}

	#[test]
	fn median_of_latencies() {
		assert_eq!(median([5u32, 1, 3].into_iter()), 3);
		assert_eq!(median([4u32, 2].into_iter()), 2);
		assert_eq!(median(core::iter::empty()), 0);
	}
}
