//! The records the pallet stores, and what an operator signs.

use aioracle_primitives::{
	aggregation::Aggregation,
	input::{InputReference, InputSource},
	model::{ModelHash, ModelId, ServingContract, VersionId},
	oracle::{DisputeStatus, Outcome, RequestId, RequestStatus},
};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame::prelude::*;
use scale_info::TypeInfo;

/// A registered operator.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct Operator<Key, Balance, BlockNumber> {
	/// The `orcl` key its node signs submissions with.
	pub key: Key,
	/// The bond held from the operator's account: what committees are drawn by, and what
	/// faults are slashed from.
	pub bond: Balance,
	/// Submissions that agreed with the accepted result.
	pub agreements: u32,
	/// Outputs farther than the tolerance from the accepted result, or agreeing on a
	/// result a dispute overturned (each slashed).
	pub outliers: u32,
	/// Failures reported.
	pub failures: u32,
	/// Requests whose committee it sat on and that closed without its answer (each
	/// slashed): no submission, or a commitment never revealed.
	pub no_shows: u32,
	/// Faults (outliers and no-shows) since its last agreement; at `MaxStrikes` it is
	/// suspended: it leaves the operator set.
	pub strikes: u32,
	/// Since when it is leaving the operator set (it left, was displaced by a larger bond,
	/// suspended or removed): drawn into no new committee; its bond can be withdrawn
	/// `UnbondingPeriod` blocks after this.
	pub leaving_since: Option<BlockNumber>,
}

impl<Key, Balance, BlockNumber> Operator<Key, Balance, BlockNumber> {
	/// A new operator's record.
	pub fn new(key: Key, bond: Balance) -> Self {
		Self {
			key,
			bond,
			agreements: 0,
			outliers: 0,
			failures: 0,
			no_shows: 0,
			strikes: 0,
			leaving_since: None,
		}
	}
}

/// A fault an operator is slashed for.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum Fault {
	/// Its output was farther than the tolerance from the accepted result.
	Outlier,
	/// It sat on the committee of a request that closed without its answer (or without
	/// the reveal of its commitment).
	NoShow,
	/// It agreed on a result that a dispute's fresh committee overturned.
	Overturned,
}

/// Why an operator leaves the operator set.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum LeaveReason {
	/// It unregistered.
	Unregistered,
	/// Governance removed it.
	Removed,
	/// A newcomer with a larger bond took its place in the full set.
	Displaced,
	/// It reached `MaxStrikes` faults in a row.
	Suspended,
}

/// A commitment to an outcome: [`commitment`] of the request, the operator's account, the
/// outcome and a salt.
pub type Commitment = [u8; 32];

/// What an operator signs before a commitment's encoding, so that no other hash of the
/// same fields can pass for one.
pub const COMMITMENT_CONTEXT: &[u8] = b"aioracle/commitment";

/// The commitment of `operator` to `outcome` for `request` with `salt`: blake2-256 of
/// [`COMMITMENT_CONTEXT`] and the SCALE encoding of the four. Binding the operator's
/// account makes a copied commitment useless: only the original committer can reveal it.
pub fn commitment<AccountId: Encode>(
	request: RequestId,
	operator: &AccountId,
	outcome: &Outcome<Vec<i64>>,
	salt: &[u8; 32],
) -> Commitment {
	frame::deps::sp_io::hashing::blake2_256(
		&(COMMITMENT_CONTEXT, request, operator, outcome, salt).encode(),
	)
}

/// One operator's answer to one request.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum Answer {
	/// The outcome itself: for requests served by a committee of one.
	Outcome(Outcome<Vec<i64>>),
	/// A commitment to an outcome ([`commitment`]): for committees of several, while the
	/// request takes commitments.
	Commit(Commitment),
	/// The outcome committed to, with its salt: once every member has committed, or the
	/// commit window is over and `min_agreement` members have.
	Reveal {
		/// The outcome.
		outcome: Outcome<Vec<i64>>,
		/// The salt of the commitment.
		salt: [u8; 32],
	},
}

impl Answer {
	/// Whether it may close its request: an outcome or a reveal may, a commitment never
	/// does (and so is never charged for closing one).
	pub fn closes(&self) -> bool {
		!matches!(self, Answer::Commit(_))
	}

	/// The outcome it carries, if any (a commitment carries none).
	pub fn outcome(&self) -> Option<&Outcome<Vec<i64>>> {
		match self {
			Answer::Outcome(outcome) | Answer::Reveal { outcome, .. } => Some(outcome),
			Answer::Commit(_) => None,
		}
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
	/// The version's price held from the requester, as quoted when the request was made:
	/// credited to the version's earnings (its model's and data's owners) when the request
	/// finalizes, refunded otherwise. Zero for a free version and for dispute rounds.
	pub price: Balance,
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

/// What a request is opened with: its input inline, or a reference to an input blob.
pub enum RequestInput<MaxInput: Get<u32>> {
	/// The input's elements, in the contract's input fixed point.
	Inline(BoundedVec<i64, MaxInput>),
	/// The blob the input is decoded from.
	Reference(InputReference),
}

/// An input blob as stored: its bytes are in the offchain DB, keyed by their hash.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct InputBlob<AccountId, Balance, BlockNumber> {
	/// Who stored it, and may remove it.
	pub owner: AccountId,
	/// Its size in bytes.
	pub size_bytes: u32,
	/// The deposit held from the owner.
	pub deposit: Balance,
	/// The last block in which a request (or a dispute round) named it; it may be removed
	/// `InputBlobRetention` blocks after.
	pub last_used: BlockNumber,
}

/// A dispute of a finalized result.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct Dispute<AccountId, Balance> {
	/// Who disputed; it also pays the re-scoring request's fee.
	pub disputer: AccountId,
	/// The bond held from the disputer until the dispute is resolved.
	pub bond: Balance,
	/// The request that re-scores the disputed one with a fresh, larger committee.
	pub round: RequestId,
	/// Where it is.
	pub status: DisputeStatus,
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

/// A request the runtime answered itself with its version's exact program (see the
/// pallet's `exact` module): everything its request and result views show, in one record.
/// Kept in a ring of `MaxRetainedRequests` slots, in slot `id % MaxRetainedRequests`, until
/// a later exact answer takes the slot; no deposit is held for it, as the ring's size does
/// not grow with the requests.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxInput, MaxOutput))]
pub struct ExactAnswer<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxInput: Get<u32>,
	MaxOutput: Get<u32>,
> {
	/// The request's id.
	pub id: RequestId,
	/// Who asked, and paid the price.
	pub requester: AccountId,
	/// The model.
	pub model: ModelId,
	/// The version whose program answered.
	pub version: VersionId,
	/// That version's ONNX hash.
	pub model_hash: ModelHash,
	/// The blake2-256 hash of the exact program that ran.
	pub program_hash: ModelHash,
	/// How the program's output was reduced to the result (the version's contract).
	pub aggregation: Aggregation,
	/// The version's quorum, as its contract states it (no committee was drawn).
	pub min_agreement: u32,
	/// The input, in the contract's input fixed point.
	pub input: BoundedVec<i64, MaxInput>,
	/// The result, in the contract's output fixed point.
	pub output: BoundedVec<i64, MaxOutput>,
	/// The version's price, paid to its earnings in the call.
	pub price: Balance,
	/// The block of the request and of its result.
	pub answered_at: BlockNumber,
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
	/// The answer: an outcome (an output in the version's output fixed point, or why there
	/// is none), a commitment to one, or its reveal.
	pub answer: Answer,
}

impl<Key> ResultSubmission<Key> {
	/// The output length the submission's weight is charged for (see
	/// [`charged_output_len`]).
	pub fn charged_output_len(&self, max_output_len: u32) -> u32 {
		charged_output_len(core::iter::once(&self.answer), max_output_len)
	}
}

/// The output length a submission of `answers` is charged for: the longest output, or
/// `max_output_len` if any is a failure (a failure says nothing about the length of the
/// other operators' outputs its request holds). A commitment counts as one element: it
/// closes no request. At least 1.
pub fn charged_output_len<'a>(
	answers: impl Iterator<Item = &'a Answer>,
	max_output_len: u32,
) -> u32 {
	answers
		.map(|answer| match answer.outcome() {
			Some(Outcome::Output(output)) => (output.len() as u32).min(max_output_len),
			Some(Outcome::Failed(_)) => max_output_len,
			None => 1,
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
	/// The answer: an outcome, a commitment to one, or its reveal.
	pub answer: Answer,
	/// For a request sampled by its model's canary, with an answer that closes the
	/// operator's part (an outcome or a reveal): the candidate version's outcome on the
	/// same input and both versions' scoring times. Ignored otherwise.
	pub canary: Option<aioracle_primitives::canary::CanaryReport<Vec<i64>>>,
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

	/// The output length the batch's weight is charged for (see [`charged_output_len`]),
	/// and at least its longest canary output's.
	pub fn charged_output_len(&self, max_output_len: u32) -> u32 {
		let canary = self
			.items
			.iter()
			.filter_map(|item| match item.canary.as_ref().map(|c| &c.outcome) {
				Some(Outcome::Output(output)) => Some(output.len() as u32),
				_ => None,
			})
			.max()
			.unwrap_or(0)
			.min(max_output_len);
		charged_output_len(self.items.iter().map(|item| &item.answer), max_output_len).max(canary)
	}

	/// How many items carry a canary report with an answer that closes (the reports that
	/// may be kept and judged).
	pub fn canary_reports(&self) -> u32 {
		self.items.iter().filter(|item| item.canary.is_some() && item.answer.closes()).count() as u32
	}
}

/// What each of a subscription's requests is made with.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum ScheduledInput<Values> {
	/// The same input every time: elements in the contract's input fixed point.
	Inline(Values),
	/// A stored blob or a registered dataset, resolved at each request (so a request made
	/// after a dataset was retracted is refused, and the subscription closes).
	Source(InputSource),
}

/// A recurring request: the chain makes a request to `model` every `every` blocks, paid
/// from a budget held from `owner`, until `until` or until the budget runs out.
///
/// `Deposit` is the record's deposit ticket; `()` while the record is a draft.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct Subscription<AccountId, BlockNumber, Balance, Input, Deposit> {
	/// Who opened it: each request's requester, who pays for them and may close it.
	pub owner: AccountId,
	/// The model asked; each request goes to its version active at the time.
	pub model: ModelId,
	/// What each request is made with.
	pub input: Input,
	/// Blocks between two requests (at least 1).
	pub every: BlockNumber,
	/// The block the next request is made in (or, with a backlog, from).
	pub next_due: BlockNumber,
	/// The last block a request may be made in, if any.
	pub until: Option<BlockNumber>,
	/// The most one request may cost: the operators' fee and the version's price (the
	/// retention deposit, returned when the request is pruned, is not counted).
	pub max_fee: Balance,
	/// What is left of the budget: held from the owner, each request's fee, price and
	/// retention deposit taken from it.
	pub budget: Balance,
	/// Requests made so far.
	pub requests: u32,
	/// The record's deposit ticket.
	pub deposit: Deposit,
}

impl<AccountId, BlockNumber, Balance, Input, Deposit>
	Subscription<AccountId, BlockNumber, Balance, Input, Deposit>
{
	/// The record with `deposit` in place of its deposit, and the deposit it had.
	pub fn replace_deposit<New>(
		self,
		deposit: New,
	) -> (Subscription<AccountId, BlockNumber, Balance, Input, New>, Deposit) {
		let record = Subscription {
			owner: self.owner,
			model: self.model,
			input: self.input,
			every: self.every,
			next_due: self.next_due,
			until: self.until,
			max_fee: self.max_fee,
			budget: self.budget,
			requests: self.requests,
			deposit,
		};
		(record, self.deposit)
	}
}

/// Why a subscription closed.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum SubscriptionEnd {
	/// Its owner closed it.
	Closed,
	/// Its next request would fall after its last block.
	Finished,
	/// What is left of its budget does not pay for another request.
	OutOfBudget,
	/// A request could not be made (the model has no active version, its price rose above
	/// `max_fee`, the input blob was removed, the dataset retracted, ...): the error.
	Refused(DispatchError),
}

/// What `open_subscription` takes.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct SubscriptionTerms<BlockNumber, Balance> {
	/// The model asked; each request goes to its version active at the time.
	pub model: ModelId,
	/// What each request is made with: inline values (the input spec's element count, in
	/// the contract's input fixed point) or a blob or dataset that fits the version's input.
	pub input: ScheduledInput<Vec<i64>>,
	/// Blocks between two requests (at least 1). The first is made in the next block.
	pub every: BlockNumber,
	/// The last block a request may be made in, if any.
	pub until: Option<BlockNumber>,
	/// The most one request may cost (fee and price); a request that would cost more is
	/// not made, and the subscription closes.
	pub max_fee: Balance,
	/// The budget held for the requests: each one's fee, price and retention deposit.
	pub budget: Balance,
}
