//! The records the pallet stores, and what an operator signs.

use aioracle_primitives::{
	model::{Aggregation, ModelHash, ModelId, TensorSpec, VersionId},
	oracle::{Outcome, RequestId, RequestStatus},
};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame::prelude::*;
use scale_info::TypeInfo;

/// A registered operator.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct Operator<Key, Balance> {
	/// The `orcl` key its node signs submissions with.
	pub key: Key,
	/// The bond held from the operator's account.
	pub bond: Balance,
	/// Submissions that agreed with the accepted result.
	pub agreements: u32,
	/// Submissions farther than the tolerance from the accepted result.
	pub outliers: u32,
	/// Failures reported.
	pub failures: u32,
	/// Requests that closed without its submission while it was registered.
	pub misses: u32,
}

/// An inference request. The serving contract is copied from the version that was active
/// when it was made, so that a later activation does not change how it is scored.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxInput))]
pub struct Request<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxInput: Get<u32>,
> {
	/// Who asked, and pays the fee.
	pub requester: AccountId,
	/// The model.
	pub model: ModelId,
	/// The version that scores it.
	pub version: VersionId,
	/// That version's ONNX hash.
	pub model_hash: ModelHash,
	/// The input, in the version's input fixed point.
	pub input: BoundedVec<i64, MaxInput>,
	/// The version's output spec: submissions must have its element count.
	pub output: TensorSpec,
	/// How submissions are combined.
	pub aggregation: Aggregation,
	/// The fewest agreeing operators that make the result.
	pub min_agreement: u32,
	/// The fee held from the requester; shared by the agreeing operators.
	pub fee: Balance,
	/// When it was made.
	pub created_at: BlockNumber,
	/// The last block in which submissions are accepted.
	pub deadline: BlockNumber,
	/// Where it is.
	pub status: RequestStatus,
}

/// An operator's submission as stored.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxOutput))]
pub struct Submission<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxOutput: Get<u32>,
> {
	/// The operator's account.
	pub operator: AccountId,
	/// What it submitted.
	pub outcome: Outcome<BoundedVec<i64, MaxOutput>>,
	/// When.
	pub at: BlockNumber,
}

/// The accepted result of a request.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxOutput))]
pub struct FinalResult<BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug, MaxOutput: Get<u32>>
{
	/// The accepted output.
	pub output: BoundedVec<i64, MaxOutput>,
	/// When it was finalized.
	pub finalized_at: BlockNumber,
}

/// What an operator's node signs with its `orcl` key and submits.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct ResultSubmission<Key> {
	/// The request answered.
	pub request: RequestId,
	/// The operator's `orcl` key (registered with `register_operator`).
	pub key: Key,
	/// The output (in the version's output fixed point), or why there is none.
	pub outcome: Outcome<Vec<i64>>,
}
