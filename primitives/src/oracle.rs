//! Inference requests and results: the types the oracle pallet, its off-chain worker and
//! clients share, and the runtime API that explains a result.

use alloc::vec::Vec;
use codec::{Codec, Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::{
	dataset::DatasetId,
	model::{Aggregation, ModelHash, ModelId, Provenance, VersionId},
	onnx::ScoreError,
};

/// The key under which the node writes a fresh random id into its offchain DB (persistent
/// storage) each time it starts. The oracle's off-chain worker stamps its "sent" markers
/// with it: a marker from an earlier boot names a transaction that died with that
/// process's transaction pool, so it is sent again at once instead of after the resend
/// delay.
pub const NODE_BOOT_ID_KEY: &[u8] = b"aioracle/node-boot-id";

/// A request's id: sequential, from 0.
pub type RequestId = u64;

/// A subscription's id: sequential, from 0 (a recurring request, see the oracle pallet).
pub type SubscriptionId = u32;

/// Why an operator could not produce an output. Recorded on-chain, so that a model that
/// fails is visible rather than silent.
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
pub enum Failure {
	/// The engine refused or failed (see [`ScoreError`]).
	Engine(ScoreError),
	/// The operator's node has no copy of the model bytes and could not fetch them.
	ModelBytesUnavailable,
	/// The engine does not reproduce the version's golden vectors: it will not serve it.
	GoldenVectorMismatch,
	/// The request's input is by reference and the operator's node has no copy of the
	/// input blob, or its bytes do not hash to the reference or do not decode into the
	/// version's input. (Appended last: the variants before keep their SCALE encoding.)
	InputUnavailable,
}

/// What an operator submits for a request: the output, or why there is none.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum Outcome<Output> {
	/// The output, in the version's output fixed point.
	Output(Output),
	/// No output, and why.
	Failed(Failure),
}

impl<Output> Outcome<Output> {
	/// The output, if there is one.
	pub fn output(&self) -> Option<&Output> {
		match self {
			Outcome::Output(output) => Some(output),
			Outcome::Failed(_) => None,
		}
	}
}

/// Where a request is in its life.
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
pub enum RequestStatus {
	/// Awaiting submissions.
	Pending,
	/// Enough operators agreed: the result is final.
	Finalized,
	/// The deadline passed without agreement; the fee was refunded.
	Expired,
}

/// An operator's submission for a request, as the runtime API returns it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SubmissionView<AccountId, BlockNumber> {
	/// The operator's account.
	pub operator: AccountId,
	/// What it submitted.
	pub outcome: Outcome<Vec<i64>>,
	/// When.
	pub at: BlockNumber,
}

/// A request as the runtime API returns it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct RequestView<AccountId, Balance, BlockNumber> {
	/// Its id.
	pub id: RequestId,
	/// Who asked (and pays).
	pub requester: AccountId,
	/// The model.
	pub model: ModelId,
	/// The version that was active when the request was made, which scores it.
	pub version: VersionId,
	/// That version's ONNX hash.
	pub model_hash: ModelHash,
	/// The input, in the version's input fixed point.
	pub input: Vec<i64>,
	/// The operators' fee held from the requester.
	pub fee: Balance,
	/// The version's price held from the requester (for its model's and data's owners).
	pub price: Balance,
	/// When it was made.
	pub created_at: BlockNumber,
	/// The last block at which submissions are accepted.
	pub deadline: BlockNumber,
	/// How submissions are combined, and how many must agree.
	pub aggregation: Aggregation,
	/// The fewest agreeing operators that make the result.
	pub min_agreement: u32,
	/// Where it is.
	pub status: RequestStatus,
	/// For a request by reference (whose `input` is then empty): the input blob and the
	/// dataset it is, if named by one.
	pub input_reference: Option<crate::input::InputReference>,
}

/// The accepted answer to a request, as the runtime API returns it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ResultView<AccountId, BlockNumber> {
	/// The request.
	pub request: RequestId,
	/// The accepted output, in the version's output fixed point.
	pub output: Vec<i64>,
	/// When it was finalized.
	pub finalized_at: BlockNumber,
	/// The operators whose outputs agreed with it (they shared the fee).
	pub agreeing: Vec<AccountId>,
	/// The operators whose outputs were farther than the tolerance from it.
	pub outliers: Vec<AccountId>,
	/// The operators that reported a failure.
	pub failed: Vec<(AccountId, Failure)>,
	/// Where the result is: final (disputable), disputed, or settled.
	pub stage: ResultStage,
	/// The last block in which the result may be disputed; unless disputed, it is settled
	/// from the block after.
	pub settles_at: BlockNumber,
	/// The dispute of the result, if any.
	pub dispute: Option<DisputeView<AccountId>>,
	/// For a result the runtime computed itself (the exact tier): the hash of the exact
	/// program it ran. Every validator re-executed it; no operator took part, and it is
	/// settled at once.
	pub exact_program: Option<ModelHash>,
}

/// The two stages a dApp can wait for, and the one between.
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
pub enum ResultStage {
	/// Accepted by its committee (fast); anyone may still dispute it until `settles_at`.
	Finalized,
	/// Disputed: a fresh, larger committee re-scores it.
	Disputed,
	/// Final for good: the dispute window is over, or its dispute was resolved.
	Settled,
}

/// How a dispute of a result ended, or that it has not yet.
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
pub enum DisputeStatus {
	/// Its re-scoring request is pending.
	Open,
	/// The fresh committee disagreed with the result: it was replaced, the members who had
	/// agreed on it were slashed, and the disputer was paid their slashes and its bond back.
	Upheld,
	/// The fresh committee agreed with the result: the dispute bond was burnt.
	Rejected,
	/// The fresh committee reached no accepted output (or the result was pruned first):
	/// the result stands and the bond was returned.
	Inconclusive,
}

/// A result's dispute, as the runtime API returns it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct DisputeView<AccountId> {
	/// Who disputed, with a bond.
	pub disputer: AccountId,
	/// The request that re-scores the disputed one with a fresh, larger committee.
	pub round: RequestId,
	/// Where it is.
	pub status: DisputeStatus,
}

/// A result with its chain of custody: request, model version, training data, and every
/// operator's submission.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Explanation<AccountId, Balance, BlockNumber> {
	/// The request.
	pub request: RequestView<AccountId, Balance, BlockNumber>,
	/// Its result, if finalized (and still retained).
	pub result: Option<ResultView<AccountId, BlockNumber>>,
	/// Every operator's submission.
	pub submissions: Vec<SubmissionView<AccountId, BlockNumber>>,
	/// The model version that scored it, with its training datasets and their taint.
	pub provenance: Option<Provenance<AccountId, Balance, BlockNumber>>,
	/// The training datasets that are tainted now (retracted, or derived from retracted
	/// data).
	pub tainted_datasets: Vec<DatasetId>,
	/// For a request that named a dataset as its input: that dataset, with its lineage,
	/// licence and taint.
	pub input_dataset: Option<crate::model::TrainingDataset<AccountId, Balance, BlockNumber>>,
	/// For a request sampled by a model's canary: the candidate version that scored it too,
	/// and once it closed what the comparison found.
	pub canary: Option<crate::canary::CanaryCheck>,
	/// That candidate's canary figures so far (or final, if the canary ended).
	pub canary_record: Option<crate::canary::CanaryRecord<BlockNumber>>,
	/// The block from which the result is tainted: the earliest retraction among the
	/// version's training datasets and their ancestors. `None` while its data stands.
	pub tainted_since: Option<BlockNumber>,
	/// Once finalized: who was paid what from the request's fee (each agreeing operator)
	/// and price (credited to the model's owner and each royalty's dataset, paid out by
	/// `ModelRegistry::pay_out`). Empty otherwise (the fee and price were refunded).
	pub payments: Vec<Payment<AccountId, Balance>>,
}

/// Who received part of a finalized request's fee or price.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Recipient<AccountId> {
	/// An operator who agreed with the result: a share of the fee, paid at once.
	Operator(AccountId),
	/// A payee of the version (its model's owner or a dataset's): a share of the price,
	/// credited to the version's earnings.
	Payee(crate::market::Payee),
}

/// A part of a finalized request's fee or price, and who received it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Payment<AccountId, Balance> {
	/// Who.
	pub to: Recipient<AccountId>,
	/// How much.
	pub amount: Balance,
}

/// The requests the oracle retains, as the model registry names them when it finds a
/// version tainted: the results of that version among them rest on withdrawn data.
pub trait RetainedRequests {
	/// The oldest and the newest retained request, if any.
	fn retained() -> Option<(RequestId, RequestId)>;
}

impl RetainedRequests for () {
	fn retained() -> Option<(RequestId, RequestId)> {
		None
	}
}

/// A finalized result that rests on withdrawn data: its version was trained on a dataset
/// retracted since, or derived from one.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct TaintedResult<BlockNumber> {
	/// The request.
	pub request: RequestId,
	/// Its model.
	pub model: ModelId,
	/// The version that answered it.
	pub version: VersionId,
	/// The block of the earliest retraction in that version's lineage: the result is
	/// tainted from that block on.
	pub since: BlockNumber,
}

/// What an operator's node found when it checked a proposed model version.
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
pub enum Verdict {
	/// It loaded the bytes and the engine reproduced every golden vector (by the version's
	/// tolerance).
	Reproduced,
	/// It could not: the bytes are missing or not ONNX the engine accepts, or a golden
	/// vector is not reproduced.
	Failed(Failure),
}

/// Operators' verdicts on a model version, as the runtime API returns them.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, Default)]
pub struct ValidationView<AccountId> {
	/// Each operator's verdict, in arrival order.
	pub verdicts: Vec<(AccountId, Verdict)>,
	/// How many operators of the operator set must have reproduced the golden vectors for
	/// governance to approve the version (root may approve regardless).
	pub quorum: u32,
	/// Whether that many did.
	pub validated: bool,
}

/// An operator's record, as the runtime API returns it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct OperatorView<AccountId, Balance, Key> {
	/// The operator's account, which holds the bond and receives fees.
	pub account: AccountId,
	/// The `orcl` key its node signs submissions with.
	pub key: Key,
	/// The bond held.
	pub bond: Balance,
	/// Submissions that agreed with the accepted result.
	pub agreements: u32,
	/// Submissions farther than the tolerance from the accepted result.
	pub outliers: u32,
	/// Failures reported.
	pub failures: u32,
	/// Requests whose committee it sat on and that closed without its answer (each one
	/// slashed as a no-show).
	pub misses: u32,
}

sp_api::decl_runtime_apis! {
	/// Reads the inference oracle: pending requests, results and their explanation.
	/// Version 2 adds `quote` and `tainted_results`, and `explain` gains `payments` and
	/// `tainted_since`.
	#[api_version(2)]
	pub trait InferenceOracleApi<AccountId, Balance, BlockNumber, Key>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
		Key: Codec,
	{
		/// Pending requests, oldest first, at most `limit` (capped by the runtime).
		fn pending_requests(limit: u32) -> Vec<RequestView<AccountId, Balance, BlockNumber>>;
		/// The request `id`, whatever its status (while retained).
		fn request(id: RequestId) -> Option<RequestView<AccountId, Balance, BlockNumber>>;
		/// The accepted result of request `id`, if finalized and retained.
		fn result(id: RequestId) -> Option<ResultView<AccountId, BlockNumber>>;
		/// Request `id` with its result, submissions, model version and training data.
		fn explain(id: RequestId) -> Option<Explanation<AccountId, Balance, BlockNumber>>;
		/// The registered operators.
		fn operators() -> Vec<OperatorView<AccountId, Balance, Key>>;
		/// What a request to `model` costs now, before a dApp commits: the operators' fee,
		/// the active version's price and its split, the total `max_fee` must cover and the
		/// retention deposit. Fails as the request would (`NoActiveVersion`,
		/// `InferenceNotPermitted`, `PriceOverflow`).
		#[api_version(2)]
		fn quote(model: ModelId) -> Result<crate::market::Quote<Balance>, sp_runtime::DispatchError>;
		/// The finalized results of `requester` (among the retained requests, newest
		/// first, at most `limit`) whose versions rest on withdrawn data.
		#[api_version(2)]
		fn tainted_results(requester: AccountId, limit: u32) -> Vec<TaintedResult<BlockNumber>>;
	}
}
