//! Results for other on-chain code: a hook told of every request's outcome, and a trait to
//! read a result back, as orml-oracle offers `OnNewData` and `DataProvider`.
//!
//! A pallet that needs a model's answer (a lending market scoring a loan, a game, an
//! anomaly watcher) asks for it as any requester does, then either reacts in the block the
//! request closes, through the oracle's `OnResult` hook, or reads the result when it needs
//! it through [`InferenceResults`], and may wait for it to be settled (past its dispute
//! window) before relying on it.
//!
//! A pallet that requests on behalf of others (XCM's, for sibling parachains) makes its
//! requests through [`RequestInference`], and tells a sibling how its request ended with a
//! [`RemoteOutcome`].

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode};
use frame_support::weights::Weight;
use scale_info::TypeInfo;
use sp_runtime::DispatchError;

use crate::{
	model::{ModelId, VersionId},
	oracle::{RequestId, ResultStage},
};

/// How a request ended, as a consumer is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClosedAs<'a> {
	/// Its committee accepted `output` (`ResultFinalized`): still open to dispute.
	Finalized(&'a [i64]),
	/// No output was accepted by its deadline; the fee was refunded (`RequestExpired`).
	Expired,
	/// A dispute was upheld and replaced its result by `output` (`ResultReplaced`).
	Replaced(&'a [i64]),
}

/// Told of every request's outcome in the block it happens: finalized, expired, or
/// replaced after a dispute. Dispute rounds (the oracle's own re-scoring requests) are not
/// reported.
///
/// `on_result` runs inside whatever closes the request (an operator's batch, the expiry
/// of requests in `on_idle`, a dispute's settlement), which is charged `max_weight` for
/// it; every request's requester pays `max_weight` up front, in its request's weight. It
/// must never take more, and it cannot fail the closing: an error is the consumer's to
/// record.
pub trait OnInferenceResult<AccountId> {
	/// The most weight one `on_result` call may take.
	fn max_weight() -> Weight;

	/// The most one `on_result` call for a request of `requester` may take: at most
	/// `max_weight`, which is what is charged up front; this is what is kept after refunds
	/// (a consumer with nothing to do for most requesters makes them cheaper).
	fn weight_for(_requester: &AccountId) -> Weight {
		Self::max_weight()
	}

	/// Request `request`, of `requester` to `model`, ended as `outcome`.
	fn on_result(request: RequestId, requester: &AccountId, model: ModelId, outcome: ClosedAs<'_>);
}

impl<AccountId> OnInferenceResult<AccountId> for () {
	fn max_weight() -> Weight {
		Weight::zero()
	}

	fn on_result(_: RequestId, _: &AccountId, _: ModelId, _: ClosedAs<'_>) {}
}

/// A request's accepted result, as another pallet reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InferenceResult<AccountId, BlockNumber> {
	/// Who requested it.
	pub requester: AccountId,
	/// The model asked.
	pub model: ModelId,
	/// The version that answered.
	pub version: VersionId,
	/// The accepted output, in the version's output fixed point.
	pub output: Vec<i64>,
	/// The block it was finalized (or last replaced) in.
	pub finalized_at: BlockNumber,
	/// Final but disputable, disputed, or settled for good.
	pub stage: ResultStage,
}

/// Reads results: what other pallets use instead of the oracle's storage.
pub trait InferenceResults<AccountId, BlockNumber> {
	/// The accepted result of `request`, if it has one and is still retained.
	fn result(request: RequestId) -> Option<InferenceResult<AccountId, BlockNumber>>;

	/// The most weight one `result` call takes.
	fn result_weight() -> Weight;
}

/// Makes inference requests for other pallets (a pallet that requests on behalf of others,
/// such as XCM's).
pub trait RequestInference<AccountId, Balance> {
	/// Makes a request of `requester` to `model` with inline `input`, paying at most
	/// `max_fee` (as `request_inference` does); returns its id and the weight it took.
	///
	/// Transactional with the caller: on an error nothing it did is kept, provided the
	/// caller (a dispatchable) fails too.
	fn request(
		requester: AccountId,
		model: ModelId,
		input: Vec<i64>,
		max_fee: Balance,
	) -> Result<(RequestId, Weight), DispatchError>;

	/// The most one `request` may take.
	fn max_request_weight() -> Weight;

	/// The most a `request` that fails takes (its checks fail before it writes): what a
	/// caller refunds its own caller to on an error.
	fn refused_request_weight() -> Weight;
}

/// How a request ended, as told to another chain: [`ClosedAs`] with its output owned.
///
/// SCALE-encoded as its variant index (`0` finalized, `1` expired, `2` replaced) followed,
/// for an output, by the compact length and each element as 8 little-endian bytes. A
/// sibling parachain depends on `aioracle-primitives` (without default features) to decode
/// it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum RemoteOutcome {
	/// The committee's accepted output, in the version's output fixed point (still open to
	/// dispute for the oracle's `DisputeWindow`).
	#[codec(index = 0)]
	Finalized(Vec<i64>),
	/// No output was accepted by the deadline; the fee was refunded.
	#[codec(index = 1)]
	Expired,
	/// A dispute replaced the result by this output.
	#[codec(index = 2)]
	Replaced(Vec<i64>),
}

impl From<ClosedAs<'_>> for RemoteOutcome {
	fn from(outcome: ClosedAs<'_>) -> Self {
		match outcome {
			ClosedAs::Finalized(output) => Self::Finalized(output.to_vec()),
			ClosedAs::Expired => Self::Expired,
			ClosedAs::Replaced(output) => Self::Replaced(output.to_vec()),
		}
	}
}
