//! The records the pallet stores, and what an operator signs.

use aioracle_primitives::{
	model::{ModelHash, ModelId, ServingContract, VersionId},
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
	/// Requests it submitted to that closed while it was registered: its agreements,
	/// outliers and failures, and outputs to requests that expired without agreement.
	pub answered: u32,
	/// How many requests had closed when it registered.
	pub closed_at_registration: u64,
}

impl<Key, Balance> Operator<Key, Balance> {
	/// A new operator's record, when `closed` requests have closed.
	pub fn new(key: Key, bond: Balance, closed: u64) -> Self {
		Self {
			key,
			bond,
			agreements: 0,
			outliers: 0,
			failures: 0,
			answered: 0,
			closed_at_registration: closed,
		}
	}

	/// Requests that closed without its submission while it was registered, when `closed`
	/// requests have closed. Counted this way, closing a request touches only the
	/// operators who submitted to it.
	pub fn misses(&self, closed: u64) -> u32 {
		let since = closed.saturating_sub(self.closed_at_registration);
		since.saturating_sub(self.answered.into()).try_into().unwrap_or(u32::MAX)
	}
}

/// An inference request. It carries the serving contract of the version that was active
/// when it was made, so that a later activation does not change how it is scored, and
/// nothing on its path reads the registry again.
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
	/// How that version is served: input and output specs, scales, aggregation, quorum.
	pub contract: ServingContract,
	/// The input, in the contract's input fixed point.
	pub input: BoundedVec<i64, MaxInput>,
	/// The fee held from the requester; shared by the agreeing operators.
	pub fee: Balance,
	/// The retention deposit held from the requester for the state the request, its
	/// submissions and its result take; released when the request is pruned.
	pub deposit: Balance,
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

/// What an operator's node signs with its `orcl` key and submits for one request.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct ResultSubmission<Key> {
	/// The request answered.
	pub request: RequestId,
	/// The operator's `orcl` key (registered with `register_operator`).
	pub key: Key,
	/// The output (in the version's output fixed point), or why there is none.
	pub outcome: Outcome<Vec<i64>>,
}

impl<Key> ResultSubmission<Key> {
	/// The output length the submission's weight is charged for (see
	/// [`charged_output_len`]).
	pub fn charged_output_len(&self, max_output_len: u32) -> u32 {
		charged_output_len(core::iter::once(&self.outcome), max_output_len)
	}
}

/// The output length a submission of `outcomes` is charged for: the longest output, or
/// `max_output_len` if any is a failure (a failure says nothing about the length of the
/// other operators' outputs its request holds). At least 1.
pub fn charged_output_len<'a>(
	outcomes: impl Iterator<Item = &'a Outcome<Vec<i64>>>,
	max_output_len: u32,
) -> u32 {
	outcomes
		.map(|outcome| match outcome {
			Outcome::Output(output) => (output.len() as u32).min(max_output_len),
			Outcome::Failed(_) => max_output_len,
		})
		.max()
		.unwrap_or(0)
		.max(1)
}

/// One request's answer in a [`ResultBatch`].
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct BatchItem {
	/// The request answered.
	pub request: RequestId,
	/// The output (in the version's output fixed point), or why there is none.
	pub outcome: Outcome<Vec<i64>>,
}

/// The answers of one operator to many requests, signed once: what an off-chain worker
/// submits each block. The signature covers [`RESULT_BATCH_CONTEXT`] followed by the
/// SCALE encoding of the batch.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct ResultBatch<Key> {
	/// The operator's `orcl` key (registered with `register_operator`).
	pub key: Key,
	/// The answers, one per request, at most `MaxBatchLen`.
	pub items: Vec<BatchItem>,
}

/// What an operator signs for a [`ResultBatch`], before the batch's encoding: so that no
/// other signed message of the key can pass for a batch.
pub const RESULT_BATCH_CONTEXT: &[u8] = b"aioracle/result-batch";

impl<Key: Encode> ResultBatch<Key> {
	/// The bytes the operator's `orcl` key signs.
	pub fn signing_payload(&self) -> Vec<u8> {
		(RESULT_BATCH_CONTEXT, self).encode()
	}

	/// The output length the batch's weight is charged for (see [`charged_output_len`]).
	pub fn charged_output_len(&self, max_output_len: u32) -> u32 {
		charged_output_len(self.items.iter().map(|item| &item.outcome), max_output_len)
	}
}
