//! The canary phase of a model upgrade: between `Approved` and `Active`, a candidate
//! version scores a sampled fraction of the active version's requests too. The requester
//! gets the active version's answer; the chain compares the two and keeps the figures.
//!
//! The registry owns a canary (who may start and end it, its bounds, its figures); the
//! oracle samples requests, collects the committee's candidate outputs with their answers
//! and judges each sampled request when it closes. They meet through [`CanaryLedger`].

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{Perbill, Saturating, Weight};

use crate::{
	model::{ModelHash, ModelId, VersionId},
	oracle::Outcome,
};

/// How a canary ended.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum CanaryEnd {
	/// Governance activated the candidate.
	Promoted,
	/// The candidate's failures or disagreements exceeded their bound: the chain put it back
	/// to `Approved` by itself. It cannot be activated until a new canary passes.
	FellBack,
	/// Governance (or the emergency origin) ended it, rejected the candidate, or changed
	/// the model's active version: the candidate is `Approved` again (or `Rejected`).
	Stopped,
}

/// A version's canary: its plan, where it stands, and what the comparisons found. The
/// registry keeps the last one of each version; its views and `explain` show it.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct CanaryRecord<BlockNumber> {
	/// The fraction of the active version's requests the candidate scores too.
	pub sample: Perbill,
	/// The most sampled requests the candidate may fail (no output, or its operators'
	/// outputs do not agree) before it falls back.
	pub max_failures: u32,
	/// The most sampled requests on which the candidate may disagree with the active
	/// version (beyond the active version's tolerance) before it falls back.
	pub max_disagreements: u32,
	/// When it started.
	pub started_at: BlockNumber,
	/// When it ended, and how; `None` while it runs.
	pub ended: Option<(BlockNumber, CanaryEnd)>,
	/// Sampled requests judged: finalized, with a candidate report from an agreeing member.
	pub compared: u32,
	/// Of those, the candidate's output agreed with the result within the active version's
	/// tolerance.
	pub agreed: u32,
	/// The candidate gave an output that disagreed with the result.
	pub disagreed: u32,
	/// The candidate gave no output, or its operators' outputs did not agree.
	pub failed: u32,
	/// The candidate's scoring time, summed over the compared requests (the median of the
	/// reporting operators' wall-clock milliseconds for each request).
	pub candidate_millis: u64,
	/// The active version's scoring time on the same requests by the same operators,
	/// summed likewise: `candidate_millis / active_millis` is the candidate's slowdown.
	pub active_millis: u64,
}

impl<BlockNumber> CanaryRecord<BlockNumber> {
	/// A canary starting at `started_at`, with no comparisons yet.
	pub fn new(
		sample: Perbill,
		max_failures: u32,
		max_disagreements: u32,
		started_at: BlockNumber,
	) -> Self {
		CanaryRecord {
			sample,
			max_failures,
			max_disagreements,
			started_at,
			ended: None,
			compared: 0,
			agreed: 0,
			disagreed: 0,
			failed: 0,
			candidate_millis: 0,
			active_millis: 0,
		}
	}

	/// Whether the candidate's failures or disagreements exceed their bounds.
	pub fn above_bounds(&self) -> bool {
		self.failed > self.max_failures || self.disagreed > self.max_disagreements
	}

	/// Counts one comparison.
	pub fn count(&mut self, comparison: &CanaryComparison) {
		self.compared.saturating_inc();
		match comparison.verdict {
			CanaryVerdict::Agreed => self.agreed.saturating_inc(),
			CanaryVerdict::Disagreed => self.disagreed.saturating_inc(),
			CanaryVerdict::Failed => self.failed.saturating_inc(),
		}
		self.candidate_millis.saturating_accrue(comparison.candidate_millis.into());
		self.active_millis.saturating_accrue(comparison.active_millis.into());
	}
}

/// What the comparison of one sampled request found.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum CanaryVerdict {
	/// The candidate's output is within the active version's tolerance of the result.
	Agreed,
	/// The candidate's output is not.
	Disagreed,
	/// The candidate gave no output (most reports were failures), or the reporting
	/// operators' outputs had no majority under the candidate's own rule.
	Failed,
}

/// One sampled request's comparison, as the oracle hands it to the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CanaryComparison {
	/// The verdict.
	pub verdict: CanaryVerdict,
	/// The candidate's scoring time (median of the reports), in milliseconds.
	pub candidate_millis: u32,
	/// The active version's (median of the same reports), in milliseconds.
	pub active_millis: u32,
}

/// What a committee member attaches to its answer of a sampled request: the candidate's
/// outcome on the same input, and how long each version took on its node.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct CanaryReport<Output> {
	/// The candidate's outcome, reported as the candidate's contract reports (its output,
	/// or its reduction).
	pub outcome: Outcome<Output>,
	/// The candidate's scoring time, in wall-clock milliseconds (the off-chain worker's
	/// clock has millisecond resolution: models faster than that read 0).
	pub candidate_millis: u32,
	/// The active version's scoring time on the same input, in milliseconds.
	pub active_millis: u32,
}

/// A sampled request: the candidate that scores it too, and once it closed what the
/// comparison found. Kept as long as the request is.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct CanaryCheck {
	/// The candidate version.
	pub version: VersionId,
	/// Its ONNX hash.
	pub model_hash: ModelHash,
	/// The verdict, once the request was finalized with a candidate report; `None` while
	/// it is pending, or if it closed without one.
	pub verdict: Option<CanaryVerdict>,
}

/// The canary side of the model registry, as the oracle sees it.
pub trait CanaryLedger {
	/// The candidate of `model`'s running canary, its ONNX hash and the fraction of
	/// requests to sample, if one runs.
	fn running(model: ModelId) -> Option<(VersionId, ModelHash, Perbill)>;
	/// Counts a comparison for `model`'s candidate `version`, and ends the canary with
	/// [`CanaryEnd::FellBack`] if its bounds are now exceeded. Ignored unless `version`'s
	/// canary still runs.
	fn record(model: ModelId, version: VersionId, comparison: CanaryComparison);
	/// The most [`Self::record`] costs (a fallback included).
	fn record_weight() -> Weight;
}

/// No canaries: for runtimes and mocks without a model registry that runs them.
impl CanaryLedger for () {
	fn running(_model: ModelId) -> Option<(VersionId, ModelHash, Perbill)> {
		None
	}
	fn record(_model: ModelId, _version: VersionId, _comparison: CanaryComparison) {}
	fn record_weight() -> Weight {
		Weight::zero()
	}
}
