//! # Inference oracle pallet
//!
//! Answers the third question aioracle puts on-chain: *what did the model say?* A dApp
//! requests an inference from a model; a committee of operators drawn by bond for that
//! request scores it in their nodes' off-chain workers with the model's active version
//! (ONNX, through the `onnx` host function) and submits signed answers, committed first
//! and then revealed; the pallet combines them into one accepted answer, pays the members
//! who agreed and slashes those who lied or did not answer.
//!
//! ## Terminology
//! - **Operator**: an account that holds a bond (at least `OperatorBond`) and names the
//!   `orcl` (sr25519) key its node signs answers with. Registered operators not leaving
//!   form the **operator set** (at most `MaxOperators`; when full, a larger bond than the
//!   smallest takes that seat; see [`operators`](crate::operators) for why). Leaving
//!   unbonds for `UnbondingPeriod` blocks.
//! - **Request**: a model, a fixed-point input, and a fee. The version active at request
//!   time scores it, whatever is activated later. Answers are accepted until its
//!   `deadline`.
//! - **Committee**: the `2m - 1` operators (for a version asking for `m` agreeing ones;
//!   at most `MaxCommittee`) drawn for a request by bond, from randomness no block author
//!   chooses ([`committee`]). Only members answer.
//! - **Answer**: one per (request, member): the outcome itself for a committee of one; for
//!   larger committees a commitment to it, then, once every member has committed (or
//!   `CommitWindow` is over and `m` have), its reveal ([`Answer`]). An outcome is an output or a
//!   [`Failure`] (the engine's error, missing bytes, golden vectors not reproduced), so
//!   that a failing model is visible on-chain. Off-chain workers send them in **batches**:
//!   one signed transaction per operator carries its answers to many requests
//!   ([`submit_results`](Pallet::submit_results)).
//! - **Closing**: once every committed member has revealed (or the member of a committee
//!   of one answered), or at the deadline, the outputs are combined ([`aggregate`]): the
//!   result is accepted if at least `m` outputs, and a majority, agree with it
//!   (`ResultFinalized`); else the fee is refunded (`RequestExpired`). Agreeing members
//!   share the fee; outliers lose `OutlierSlash` of their bond, members who did not answer
//!   `NoShowSlash`, both burnt; `MaxStrikes` faults in a row suspend an operator (it leaves
//!   the set). See [`close`](crate::close).
//! - **Expiry**: a request still pending after its deadline is closed in `on_idle`, oldest
//!   deadline first, with the block's spare weight, each request charged for what it
//!   holds; a request past its deadline accepts no answer while it waits.
//!
//! ## Why authorized transactions
//! Submissions are general transactions authorized by `#[pallet::authorize]` (the
//! pallet-im-online pattern): the call carries the operator's `orcl` signature over the
//! submission, checked in the transaction pool before the transaction is accepted. They pay
//! no fee and need no nonce, so an operator's node needs no funded hot account and two
//! off-chain worker runs cannot race on a nonce; the pool refuses duplicates by their
//! `(request, key)` tags, and the call skips a second submission.
//!
//! A batch is checked in the pool in one pass: its key is a registered operator's, it has
//! at most `MaxBatchLen` items, no request twice, every output has its request's output
//! length, at least one item is still owed, and one signature covers it all. A refused
//! batch costs the chain nothing; the pool's error is `InvalidTransaction::Custom(i)` with
//! `i` the index of the [`Error`] variant that refused it (`Stale` when nothing in it is
//! owed any more, `BadSigner` for an unknown key, `BadProof` for a bad signature). In the
//! block, an item whose request closed meanwhile (another operator's batch finalized it)
//! is skipped, not a reason to fail the batch, and the weight of what was skipped is
//! refunded.
//!
//! ## Retention and deposits
//! Requests, their committees, commitments, submissions and results are kept for the last
//! `MaxRetainedRequests` requests: creating request `n` deletes request `n -
//! MaxRetainedRequests` (closing it first in the rare case it is still pending). Besides
//! the fee, a request holds a retention deposit from the requester, `RequestDepositBase +
//! RequestDepositPerByte * bytes`, where `bytes` is the most state it can take: the request
//! itself, per committee member a seat, a commitment and a submission, and the result, at
//! its contract's output length. The deposit is released to the requester when the
//! request is pruned. A request the runtime answers exactly (see [`exact`]) holds no
//! deposit: its record takes a slot of a ring of `MaxRetainedRequests` (`ExactAnswers`),
//! whose size does not grow with the requests.
//!
//! ## API
//! Calls: [`register_operator`](Pallet::register_operator),
//! [`unregister_operator`](Pallet::unregister_operator),
//! [`withdraw_bond`](Pallet::withdraw_bond),
//! [`remove_operator`](Pallet::remove_operator), [`slash_operator`](Pallet::slash_operator)
//! (governance), [`request_inference`](Pallet::request_inference),
//! [`submit_results`](Pallet::submit_results) (operators' off-chain workers) and
//! [`submit_result`](Pallet::submit_result) (one answer, for tools and tests).
//!
//! Reading: the runtime API `InferenceOracleApi` (in `aioracle-primitives`).
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::{
	collections::{BTreeMap, BTreeSet},
	vec::Vec,
};

pub use aioracle_primitives::{
	canary::{CanaryCheck, CanaryLedger, CanaryReport},
	consumer::{ClosedAs, InferenceResult, InferenceResults, OnInferenceResult},
	dataset::DatasetInspect,
	input::{InputBlobHash, InputReference, InputSource},
	market::{InferenceMarket, Quote},
	model::{Aggregation, ModelId, ModelInspect, ServingContract, VersionId},
	oracle::{DisputeStatus, Failure, Outcome, RequestId, RequestStatus, SubscriptionId},
};
use aioracle_primitives::deposit::DepositTicket;
use frame::{
	deps::{
		frame_support::dispatch::{PostDispatchInfo, WithPostDispatchInfo},
		frame_system::offchain::CreateAuthorizedTransaction,
		sp_runtime::{
			transaction_validity::{
				InvalidTransaction, TransactionSource, TransactionValidityError,
				TransactionValidityWithRefund, ValidTransaction,
			},
			RuntimeAppPublic,
		},
	},
	prelude::*,
	traits::{
		fungible::{Inspect, InspectHold, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
	},
};

pub use capacity::CheckRequestCapacity;
pub use pallet::*;
pub use types::*;
pub use validation::VersionVerdict;
pub use weights::WeightInfo;

pub mod aggregate;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod canary;
mod capacity;
mod close;
pub mod committee;
mod consumer;
mod dispute;
pub mod exact;
mod expiry;
mod inputs;
pub mod migrations;
#[cfg(test)]
mod mock;
mod offchain;
mod operators;
#[cfg(test)]
mod sim;
mod submission;
pub mod subscription;
#[cfg(test)]
mod tests;
pub mod types;
pub mod validation;
pub mod views;
pub mod weights;

/// The log target of this pallet and its off-chain worker.
pub const LOG_TARGET: &str = "runtime::inference-oracle";

/// The key type of operators' submission keys: `orcl`.
pub const KEY_TYPE: frame::deps::sp_core::crypto::KeyTypeId =
	frame::deps::sp_core::crypto::KeyTypeId(*b"orcl");

/// Operators' `orcl` keys: sr25519.
pub mod crypto {
	use super::KEY_TYPE;
	use frame::deps::sp_runtime::app_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, KEY_TYPE);
}

/// The balance type of the currency bonds and fees are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// An operator of this runtime.
pub type OperatorOf<T> =
	Operator<<T as Config>::AuthorityId, BalanceOf<T>, BlockNumberFor<T>>;
/// A request of this runtime.
pub type RequestOf<T> = Request<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BlockNumberFor<T>,
	<T as Config>::MaxInputLen,
>;
/// An input blob of this runtime.
pub type InputBlobOf<T> =
	InputBlob<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
/// A submission of this runtime.
pub type SubmissionOf<T> = Submission<
	<T as frame_system::Config>::AccountId,
	BlockNumberFor<T>,
	<T as Config>::MaxOutputLen,
>;
/// The submissions to one request.
pub type SubmissionsOf<T> = BoundedVec<SubmissionOf<T>, <T as Config>::MaxCommittee>;
/// The committee of one request: the operators drawn to answer it.
pub type CommitteeOf<T> =
	BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxCommittee>;
/// The commitments to one request, in arrival order.
pub type CommitsOf<T> = BoundedVec<
	(<T as frame_system::Config>::AccountId, Commitment),
	<T as Config>::MaxCommittee,
>;
/// The operator set: registered operators not leaving, with their bonds, largest first.
pub type OperatorSetOf<T> = BoundedVec<
	(<T as frame_system::Config>::AccountId, BalanceOf<T>),
	<T as Config>::MaxOperators,
>;
/// A result of this runtime.
pub type FinalResultOf<T> = FinalResult<BlockNumberFor<T>, <T as Config>::MaxOutputLen>;
/// An exact answer of this runtime.
pub type ExactAnswerOf<T> = ExactAnswer<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BlockNumberFor<T>,
	<T as Config>::MaxInputLen,
	<T as Config>::MaxOutputLen,
>;

/// A batch of this runtime.
pub type ResultBatchOf<T> = ResultBatch<<T as Config>::AuthorityId>;

/// A subscription's scheduled input: inline values bounded like a request's.
pub type ScheduledInputOf<T> = ScheduledInput<BoundedVec<i64, <T as Config>::MaxInputLen>>;

/// A subscription of this runtime, with its deposit ticket (`()` for a draft).
pub type SubscriptionOf<T, Deposit = <T as Config>::SubscriptionTicket> = Subscription<
	<T as frame_system::Config>::AccountId,
	BlockNumberFor<T>,
	BalanceOf<T>,
	ScheduledInputOf<T>,
	Deposit,
>;

/// What `open_subscription` takes, in this runtime's types.
pub type SubscriptionTermsOf<T> = SubscriptionTerms<BlockNumberFor<T>, BalanceOf<T>>;

/// The subscriptions due in one block, in the order they are served.
pub type DueSubscriptionsOf<T> = BoundedVec<SubscriptionId, <T as Config>::MaxSubscriptions>;

/// A candidate's report as stored: its output bounded like operators' outputs.
pub type CanaryReportOf<T> = CanaryReport<BoundedVec<i64, <T as Config>::MaxOutputLen>>;

/// The candidate reports to a sampled request, one per committee member at most.
pub type CanaryReportsOf<T> = BoundedVec<
	(<T as frame_system::Config>::AccountId, CanaryReportOf<T>),
	<T as Config>::MaxCommittee,
>;

/// Creates what the benchmarks need from the rest of the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// A model whose active version takes `MaxInputLen` input elements, reports
	/// `output_len` output elements, and needs `min_agreement` agreeing outputs (so that
	/// the `min_agreement`-th submission finalizes a request).
	fn model(output_len: u32, min_agreement: u32) -> ModelId;

	/// A model version awaiting approval.
	fn proposed_version() -> (ModelId, VersionId);

	/// A registered dataset (that requests may name as their input).
	fn input_dataset() -> aioracle_primitives::dataset::DatasetId;

	/// Starts a canary of `model` (made by [`Self::model`]) that samples every request: the
	/// most a request does for a canary.
	fn canary(model: ModelId);

	/// A model whose active, priced version has the cheapest exact program of as many input
	/// elements as its contract takes (`aioracle_exact::sample::position_of_largest`), and
	/// that program's largest input: what an exact request costs besides its program.
	fn exact_model() -> (ModelId, Vec<i64>);
}

/// The storage version: 1 since requests carry their whole [`ServingContract`] and a
/// retention deposit, and expiry moved to `on_idle` ([`migrations::v1`]); 2 since misses
/// are derived from the requests closed since an operator registered ([`migrations::v2`]);
/// 3 since requests are served by committees drawn by bond from an open operator set, and
/// faults are slashed ([`migrations::v3`]); 4 since a request's contract lists its input
/// tensors ([`migrations::v4`]); 5 since requests carry their version's price
/// ([`migrations::v5`]); 6 since exact answers are kept in a ring of their own
/// (`ExactAnswers`) instead of as requests with results ([`migrations::v6`]).
pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(6);

#[frame::pallet]
pub mod pallet {
	use super::*;

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// # Requirements
	/// The runtime's transaction extensions must include `frame_system::AuthorizeCall`.
	#[pallet::config]
	pub trait Config: CreateAuthorizedTransaction<Call<Self>> + frame_system::Config {
		/// The currency bonds and fees are held in.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;

		/// The runtime's hold reasons, which include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// Where requests find the active version of a model and its serving contract.
		type Models: ModelInspect;

		/// The marketplace: each version's price per inference, and the pot a finalized
		/// request's price is credited to. `()` for free versions only.
		type Market: InferenceMarket<Self::AccountId, BalanceOf<Self>>;

		/// The models' canaries: which candidate a model's requests are sampled for, and
		/// where the comparisons are counted (see [`canary`]). `()` for none.
		type Canary: CanaryLedger;

		/// Told of every request's outcome in the block it happens (finalized, expired,
		/// replaced after a dispute), for pallets that use results on-chain; see
		/// [`OnInferenceResult`]. Its `max_weight` is charged to every request and to
		/// whatever closes one. `()` for no one.
		type OnResult: OnInferenceResult<Self::AccountId>;

		/// Where requests by dataset find the dataset's content hash.
		type Datasets: DatasetInspect;

		/// Operators' submission keys.
		type AuthorityId: Member
			+ Parameter
			+ RuntimeAppPublic
			+ Ord
			+ MaybeSerializeDeserialize
			+ MaxEncodedLen;

		/// The origin that removes or slashes operators.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Where committees are drawn from: randomness no block author chooses alone (the
		/// relay chain's, in a parachain runtime). See [`committee`].
		type Randomness: frame::traits::Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// The least bond an operator registers with (slashes may take it lower).
		#[pallet::constant]
		type OperatorBond: Get<BalanceOf<Self>>;

		/// The share of its bond an operator loses for an output outside the tolerance of
		/// the accepted result. Burnt.
		#[pallet::constant]
		type OutlierSlash: Get<Perbill>;

		/// The share of its bond an operator loses for a request whose committee it sat on
		/// and that closed without its answer. Burnt.
		#[pallet::constant]
		type NoShowSlash: Get<Perbill>;

		/// Faults in a row (outliers and no-shows, with no agreement between) after which an
		/// operator is suspended: it leaves the operator set. At least 1.
		#[pallet::constant]
		type MaxStrikes: Get<u32>;

		/// Blocks between leaving the operator set and withdrawing the bond: longer than a
		/// request's life, so that an operator stays slashable for every committee it sat
		/// on.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;

		/// Blocks after a request's block during which its committee (of more than one
		/// member) commits; reveals open when every member has committed, or once this
		/// window is over and `min_agreement` members have. Less than `ResponseWindow`.
		#[pallet::constant]
		type CommitWindow: Get<BlockNumberFor<Self>>;

		/// Blocks after a result is finalized during which it may be disputed.
		#[pallet::constant]
		type DisputeWindow: Get<BlockNumberFor<Self>>;

		/// The bond a disputer holds until its dispute is settled: returned if the result
		/// is overturned or the re-scoring is inconclusive, burnt if the result is
		/// confirmed.
		#[pallet::constant]
		type DisputeBond: Get<BalanceOf<Self>>;

		/// The share of its bond each member who agreed on an overturned result loses, paid
		/// to the disputer.
		#[pallet::constant]
		type DisputeSlash: Get<Perbill>;

		/// The most disputes open at once (each re-scoring request unsettled).
		#[pallet::constant]
		type MaxOpenDisputes: Get<u32>;

		/// The fewest operators of the operator set that must reproduce a proposed version's
		/// golden vectors before governance may approve it (more if the version's
		/// `min_agreement` is larger). See [`validation`]. At least 1.
		#[pallet::constant]
		type MinValidators: Get<u32>;

		/// The fee a request holds, shared by the operators whose outputs agree.
		#[pallet::constant]
		type RequestFee: Get<BalanceOf<Self>>;

		/// The fixed part of a request's retention deposit.
		#[pallet::constant]
		type RequestDepositBase: Get<BalanceOf<Self>>;

		/// The retention deposit per byte of the most state a request can take.
		#[pallet::constant]
		type RequestDepositPerByte: Get<BalanceOf<Self>>;

		/// Blocks after the request's block in which submissions are accepted.
		#[pallet::constant]
		type ResponseWindow: Get<BlockNumberFor<Self>>;

		/// The largest input blob (`store_input`), in bytes. Within one extrinsic.
		#[pallet::constant]
		type MaxInputBlobBytes: Get<u32>;

		/// The fixed part of an input blob's deposit.
		#[pallet::constant]
		type InputBlobDepositBase: Get<BalanceOf<Self>>;

		/// An input blob's deposit per byte: its bytes are kept in the offchain DB of every
		/// indexing node, not in state.
		#[pallet::constant]
		type InputBlobDepositPerByte: Get<BalanceOf<Self>>;

		/// Blocks after the last request that named an input blob before its owner may
		/// remove it: at least what that request, and a dispute round of it, may take to be
		/// scored.
		#[pallet::constant]
		type InputBlobRetention: Get<BlockNumberFor<Self>>;

		/// The most operators in the operator set at once. When it is full, a newcomer
		/// whose bond is larger than the smallest takes that operator's place.
		#[pallet::constant]
		type MaxOperators: Get<u32>;

		/// The most members of one request's committee. A version asking for `m` agreeing
		/// operators is served by `2m - 1` (at most this, at most the operator set).
		#[pallet::constant]
		type MaxCommittee: Get<u32>;

		/// The most input elements a request may carry.
		#[pallet::constant]
		type MaxInputLen: Get<u32>;

		/// The most output elements a submission may carry.
		#[pallet::constant]
		type MaxOutputLen: Get<u32>;

		/// The most requests made in one block (they share a deadline).
		#[pallet::constant]
		type MaxRequestsPerBlock: Get<u32>;

		/// The most items one [`submit_results`](Pallet::submit_results) batch may carry.
		#[pallet::constant]
		type MaxBatchLen: Get<u32>;

		/// How many of the latest requests (with submissions and results) are kept. At
		/// least `(ResponseWindow + 2) * MaxRequestsPerBlock`, so that a request is closed
		/// long before it is pruned.
		#[pallet::constant]
		type MaxRetainedRequests: Get<u32>;

		/// The most requests one off-chain worker run scores (requests it has already
		/// answered do not count).
		#[pallet::constant]
		type MaxRequestsPerOcwRun: Get<u32>;

		/// How long one off-chain worker run may spend scoring, in milliseconds; what it
		/// has scored is submitted, the rest waits for the next run.
		#[pallet::constant]
		type OcwTimeBudgetMillis: Get<u64>;

		/// The priority of submissions in the transaction pool.
		#[pallet::constant]
		type SubmissionPriority: Get<TransactionPriority>;

		/// The deposit ticket of a subscription record, for its footprint: one item of the
		/// record's encoded bytes (the ticket counted at its largest encoding). It must hold
		/// on [`HoldReason::SubscriptionStorage`] (`try_state` checks the held funds). In
		/// aioracle's runtime a `HoldConsideration` with a `LinearStoragePrice`.
		type SubscriptionTicket: DepositTicket<Self::AccountId, BalanceOf<Self>>;

		/// The most subscriptions open at once. Bounds each block's schedule and the work
		/// of closing one.
		#[pallet::constant]
		type MaxSubscriptions: Get<u32>;

		/// The most requests subscriptions make in one block (in `on_initialize`, before
		/// any transaction). Less than `MaxRequestsPerBlock`, so that transactions always
		/// have room for requests of their own.
		#[pallet::constant]
		type MaxScheduledPerBlock: Get<u32>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;

		/// Creates what the benchmarks need from the rest of the runtime.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// The registered operators, by account.
	#[pallet::storage]
	pub type Operators<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, OperatorOf<T>>;

	/// The account of each registered `orcl` key.
	#[pallet::storage]
	pub type OperatorByKey<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AuthorityId, T::AccountId>;

	/// The operator set: the registered operators that committees are drawn from (not
	/// leaving), with their bonds, largest bond first (earliest first among equal bonds).
	#[pallet::storage]
	pub type OperatorSet<T: Config> = StorageValue<_, OperatorSetOf<T>, ValueQuery>;

	/// The committee of each retained request: the only operators who may answer it.
	#[pallet::storage]
	pub type Committees<T: Config> =
		StorageMap<_, Twox64Concat, RequestId, CommitteeOf<T>, ValueQuery>;

	/// The commitments to each retained request served by a committee of several.
	#[pallet::storage]
	pub type Commits<T: Config> =
		StorageMap<_, Twox64Concat, RequestId, CommitsOf<T>, ValueQuery>;

	/// The id the next request gets.
	#[pallet::storage]
	pub type NextRequestId<T: Config> = StorageValue<_, RequestId, ValueQuery>;

	/// The retained requests, pending and closed.
	#[pallet::storage]
	pub type Requests<T: Config> = StorageMap<_, Twox64Concat, RequestId, RequestOf<T>>;

	/// The pending requests: what off-chain workers score.
	#[pallet::storage]
	pub type PendingRequests<T: Config> = CountedStorageMap<_, Twox64Concat, RequestId, ()>;

	/// The submissions to each retained request, in arrival order.
	#[pallet::storage]
	pub type Submissions<T: Config> =
		StorageMap<_, Twox64Concat, RequestId, SubmissionsOf<T>, ValueQuery>;

	/// The input of each retained request made by reference (`request_inference_by_reference`):
	/// the blob it is decoded from. Such a request's inline `input` is empty.
	#[pallet::storage]
	pub type RequestInputs<T: Config> = StorageMap<_, Twox64Concat, RequestId, InputReference>;

	/// The stored input blobs, by the blake2-256 hash of their bytes (which are in the
	/// offchain DB of indexing nodes under `input_blob_key(hash)`, not in state).
	#[pallet::storage]
	pub type InputBlobs<T: Config> = StorageMap<_, Identity, InputBlobHash, InputBlobOf<T>>;

	/// The accepted result of each finalized, retained request.
	#[pallet::storage]
	pub type Results<T: Config> = StorageMap<_, Twox64Concat, RequestId, FinalResultOf<T>>;

	/// The requests answered by the runtime itself with their version's exact program (see
	/// [`exact`]): a ring of `MaxRetainedRequests` slots, request `id` in slot
	/// `id % MaxRetainedRequests` until a later exact answer takes it. Such a request has no
	/// entry in `Requests` or `Results`; its result is settled at once. Read it with
	/// [`Pallet::exact_answer`], which returns only retained requests'.
	#[pallet::storage]
	pub type ExactAnswers<T: Config> = StorageMap<_, Twox64Concat, u32, ExactAnswerOf<T>>;

	/// The retained requests sampled for their model's canary: the candidate that scores
	/// them too, and the verdict once they closed (see [`canary`]).
	#[pallet::storage]
	pub type CanaryChecks<T: Config> = StorageMap<_, Twox64Concat, RequestId, CanaryCheck>;

	/// The candidate reports committee members attached to their answers of a pending
	/// sampled request; deleted when it closes.
	#[pallet::storage]
	pub type CanaryReports<T: Config> =
		StorageMap<_, Twox64Concat, RequestId, CanaryReportsOf<T>, ValueQuery>;

	/// The requests whose deadline is the block before each block: from that block on
	/// they accept no submission, and `on_idle` expires those still pending.
	#[pallet::storage]
	pub type Expiries<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<RequestId, T::MaxRequestsPerBlock>,
		ValueQuery,
	>;

	/// The oldest block whose `Expiries` entry `on_idle` has not finished.
	#[pallet::storage]
	pub type ExpiryCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The members who agreed on a result a dispute overturned: they shared its fee (and
	/// were slashed). Kept as long as the dispute, for `explain`'s payments.
	#[pallet::storage]
	pub type OverturnedAgreement<T: Config> =
		StorageMap<_, Twox64Concat, RequestId, BoundedVec<T::AccountId, T::MaxCommittee>>;

	/// The dispute of each retained, disputed result (kept once settled, to show how).
	#[pallet::storage]
	pub type Disputes<T: Config> = StorageMap<
		_,
		Twox64Concat,
		RequestId,
		Dispute<T::AccountId, BalanceOf<T>>,
	>;

	/// The disputed request of each retained dispute round.
	#[pallet::storage]
	pub type DisputeRounds<T: Config> = StorageMap<_, Twox64Concat, RequestId, RequestId>;

	/// How many disputes are open (their rounds not settled yet).
	#[pallet::storage]
	pub type OpenDisputes<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The rounds that closed and whose disputes `on_idle` settles next, oldest first.
	#[pallet::storage]
	pub type DueSettlements<T: Config> =
		StorageValue<_, BoundedVec<RequestId, T::MaxOpenDisputes>, ValueQuery>;

	/// Operators' verdicts on model versions, checked while the versions were proposed:
	/// one per operator, in arrival order (see [`validation`]).
	#[pallet::storage]
	pub type Verdicts<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		ModelId,
		Twox64Concat,
		VersionId,
		BoundedVec<(T::AccountId, aioracle_primitives::oracle::Verdict), T::MaxOperators>,
		ValueQuery,
	>;

	/// The id the next subscription gets.
	#[pallet::storage]
	pub type NextSubscriptionId<T: Config> = StorageValue<_, SubscriptionId, ValueQuery>;

	/// Open subscriptions, by id.
	#[pallet::storage]
	pub type Subscriptions<T: Config> =
		CountedStorageMap<_, Twox64Concat, SubscriptionId, SubscriptionOf<T>>;

	/// For each block, the subscriptions due in it, in the order they are served (see
	/// [`subscription`]). Every open subscription is listed once, under its `next_due`.
	#[pallet::storage]
	pub type SubscriptionSchedule<T: Config> =
		StorageMap<_, Twox64Concat, BlockNumberFor<T>, DueSubscriptionsOf<T>, ValueQuery>;

	/// The oldest block whose due subscriptions may not all be served yet.
	#[pallet::storage]
	pub type ScheduleCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An operator's bond.
		#[codec(index = 0)]
		OperatorBond,
		/// A request's fee, until it is paid out or refunded.
		#[codec(index = 1)]
		RequestFee,
		/// A request's retention deposit, until the request is pruned.
		#[codec(index = 2)]
		RequestRetention,
		/// A disputer's bond, until its dispute is settled.
		#[codec(index = 3)]
		DisputeBond,
		/// An input blob's deposit, until its owner removes it.
		#[codec(index = 4)]
		InputBlob,
		/// A subscription's unspent budget, until it pays a request or the subscription
		/// closes.
		#[codec(index = 5)]
		SubscriptionBudget,
		/// A subscription record's deposit, until it closes.
		#[codec(index = 6)]
		SubscriptionStorage,
	}

	#[pallet::genesis_config]
	#[derive(frame::prelude::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Operators registered at genesis, with their `orcl` keys; their bonds are held.
		pub operators: Vec<(T::AccountId, T::AuthorityId)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (account, key) in &self.operators {
				let bond = T::OperatorBond::get();
				let result = Pallet::<T>::do_register(account.clone(), key.clone(), bond);
				assert!(result.is_ok(), "genesis operator could not register: {result:?}");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An operator registered; its bond is held and it joined the operator set.
		OperatorRegistered {
			/// The operator's account.
			operator: T::AccountId,
			/// Its `orcl` key.
			key: T::AuthorityId,
			/// The bond held.
			bond: BalanceOf<T>,
		},
		/// An operator left the operator set: it is drawn into no new committee, still
		/// answers (and is slashable for) the committees it sits on, and may withdraw its
		/// bond from `withdrawable_at`.
		OperatorLeaving {
			/// The operator's account.
			operator: T::AccountId,
			/// Why.
			reason: LeaveReason,
			/// The first block `withdraw_bond` succeeds in.
			withdrawable_at: BlockNumberFor<T>,
		},
		/// An operator withdrew its bond after leaving: its record and key are deleted.
		OperatorRemoved {
			/// The operator's account.
			operator: T::AccountId,
			/// The bond released.
			bond: BalanceOf<T>,
		},
		/// Governance slashed an operator: its bond was burnt and it is no longer registered.
		OperatorSlashed {
			/// The operator's account.
			operator: T::AccountId,
			/// The amount burnt.
			amount: BalanceOf<T>,
		},
		/// An operator lost part of its bond for a fault on a request.
		OperatorPenalized {
			/// The operator's account.
			operator: T::AccountId,
			/// The request.
			request: RequestId,
			/// The fault.
			fault: Fault,
			/// The amount taken: burnt, or for `Overturned` paid to the disputer.
			amount: BalanceOf<T>,
		},
		/// A dApp requested an inference; its committee's off-chain workers will score it.
		InferenceRequested {
			/// The request's id.
			request: RequestId,
			/// Who asked.
			requester: T::AccountId,
			/// The model.
			model: ModelId,
			/// The version that scores it.
			version: VersionId,
			/// The operators' fee held.
			fee: BalanceOf<T>,
			/// The version's price held, for its model's and data's owners.
			price: BalanceOf<T>,
			/// The retention deposit held until the request is pruned.
			deposit: BalanceOf<T>,
			/// The last block in which submissions are accepted.
			deadline: BlockNumberFor<T>,
			/// The operators drawn to answer it.
			committee: CommitteeOf<T>,
		},
		/// A committee member committed to its outcome; it reveals it once reveals open.
		AnswerCommitted {
			/// The request.
			request: RequestId,
			/// The operator.
			operator: T::AccountId,
		},
		/// A committee member submitted (or revealed) an output or a failure.
		ResultSubmitted {
			/// The request.
			request: RequestId,
			/// The operator.
			operator: T::AccountId,
			/// True for an output, false for a failure.
			output: bool,
		},
		/// The committee answered and a majority agreed: the accepted output of the request.
		ResultFinalized {
			/// The request.
			request: RequestId,
			/// The accepted output, in the version's output fixed point.
			output: BoundedVec<i64, T::MaxOutputLen>,
			/// The operators who agreed and shared the fee.
			agreeing: BoundedVec<T::AccountId, T::MaxCommittee>,
			/// The operators whose outputs were outside the tolerance (slashed).
			outliers: BoundedVec<T::AccountId, T::MaxCommittee>,
		},
		/// The request closed without an accepted result (its deadline passed, or its
		/// whole committee answered without a majority agreeing); its fee was refunded.
		RequestExpired {
			/// The request.
			request: RequestId,
		},
		/// A result was disputed: a fresh, larger committee re-scores it in request `round`.
		DisputeOpened {
			/// The disputed request.
			request: RequestId,
			/// Who disputed.
			disputer: T::AccountId,
			/// The bond held.
			bond: BalanceOf<T>,
			/// The re-scoring request.
			round: RequestId,
		},
		/// A dispute was settled; the result is settled.
		DisputeResolved {
			/// The disputed request.
			request: RequestId,
			/// The re-scoring request.
			round: RequestId,
			/// How it ended.
			status: DisputeStatus,
		},
		/// An upheld dispute replaced a request's result.
		ResultReplaced {
			/// The request.
			request: RequestId,
			/// The output that replaces the overturned one.
			output: BoundedVec<i64, T::MaxOutputLen>,
		},
		/// An operator's node checked a proposed model version.
		VerdictSubmitted {
			/// The model.
			model: ModelId,
			/// The version.
			version: VersionId,
			/// The operator.
			operator: T::AccountId,
			/// What its node found.
			verdict: aioracle_primitives::oracle::Verdict,
		},
		/// An operator's batch was applied: `accepted` answers recorded, `skipped` answers
		/// to requests that had closed or that it had already answered.
		BatchSubmitted {
			/// The operator.
			operator: T::AccountId,
			/// Answers recorded (each also has its `ResultSubmitted` or `AnswerCommitted`).
			accepted: u32,
			/// Answers skipped.
			skipped: u32,
		},
		/// An input blob was stored: its bytes are in the offchain DB of indexing nodes.
		InputStored {
			/// blake2-256 of its bytes. (Not `hash`: Polkadot.js gives every event's data a
			/// `hash` of its own.)
			blob: InputBlobHash,
			/// Who stored it, and may remove it.
			owner: T::AccountId,
			/// Its size.
			size_bytes: u32,
			/// The deposit held from the owner.
			deposit: BalanceOf<T>,
		},
		/// An input blob was removed and its deposit released.
		InputRemoved {
			/// blake2-256 of its bytes.
			blob: InputBlobHash,
		},
		/// A request names its input by reference (emitted after its `InferenceRequested`).
		InputReferenced {
			/// The request.
			request: RequestId,
			/// The blob its input is decoded from, and the dataset it is, if named by one.
			input: InputReference,
		},
		/// A request was sampled for its model's canary: its committee scores it with the
		/// candidate version too (emitted after its `InferenceRequested`).
		CanarySampled {
			/// The request.
			request: RequestId,
			/// The model.
			model: ModelId,
			/// The candidate version.
			version: VersionId,
		},
		/// A sampled request was finalized and the candidate's reports judged against its
		/// result (emitted after its `ResultFinalized`).
		CanaryCompared {
			/// The request.
			request: RequestId,
			/// The model.
			model: ModelId,
			/// The candidate version.
			version: VersionId,
			/// What the comparison found.
			verdict: aioracle_primitives::canary::CanaryVerdict,
		},
		/// A finalized request's price was credited to its version's earnings: its model's
		/// owner and the owners of its training data share it by the version's royalties
		/// (see `ModelRegistry::pay_out`).
		PriceCredited {
			/// The request.
			request: RequestId,
			/// The model.
			model: ModelId,
			/// The version that answered.
			version: VersionId,
			/// The price, moved from the requester to the marketplace's pot.
			price: BalanceOf<T>,
		},
		/// A subscription was opened: its first request is made in `first_due`.
		SubscriptionOpened {
			/// The subscription.
			subscription: SubscriptionId,
			/// Who opened it and pays for its requests.
			owner: T::AccountId,
			/// The model asked.
			model: ModelId,
			/// Blocks between two requests.
			every: BlockNumberFor<T>,
			/// The block of the first request.
			first_due: BlockNumberFor<T>,
			/// The last block a request may be made in, if any.
			until: Option<BlockNumberFor<T>>,
			/// The budget held.
			budget: BalanceOf<T>,
			/// The record's deposit held.
			deposit: BalanceOf<T>,
		},
		/// A subscription made a request (emitted after its `InferenceRequested`).
		SubscriptionRequested {
			/// The subscription.
			subscription: SubscriptionId,
			/// The request made.
			request: RequestId,
			/// What is left of its budget.
			budget: BalanceOf<T>,
			/// The block of its next request; `None` if this was its last (it closes).
			next_due: Option<BlockNumberFor<T>>,
		},
		/// A subscription closed: what was left of its budget and its deposit were released
		/// to its owner. Its requests already made go on as any request.
		SubscriptionClosed {
			/// The subscription.
			subscription: SubscriptionId,
			/// Its owner.
			owner: T::AccountId,
			/// Why it closed.
			reason: SubscriptionEnd,
			/// The budget released.
			refunded: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a registered operator (or still withdrawing its bond).
		AlreadyOperator,
		/// The key is already registered by an operator.
		KeyInUse,
		/// The operator set is full (`MaxOperators`) and the bond is not larger than its
		/// smallest.
		TooManyOperators,
		/// The account is not a registered operator.
		NotOperator,
		/// The model has no active version (or does not exist).
		NoActiveVersion,
		/// The input blob is empty.
		EmptyInputBlob,
		/// The input blob is larger than `MaxInputBlobBytes`.
		InputBlobTooLarge,
		/// An input blob with these bytes is already stored.
		InputBlobAlreadyStored,
		/// No input blob with this hash is stored (for a dataset: its content was not
		/// stored as an input blob).
		InputBlobNotFound,
		/// Only the input blob's owner may remove it.
		NotInputBlobOwner,
		/// The input blob was named by a request less than `InputBlobRetention` blocks ago.
		InputBlobInUse,
		/// The input blob does not decode into the version's input: a `Tensor` blob whose
		/// size is not the element count times the element width.
		InputBlobDoesNotFit,
		/// No such dataset.
		DatasetNotFound,
		/// The input's length is not the element count of the version's input spec.
		InputLengthMismatch,
		/// The version's input or output has more elements than this pallet accepts.
		TensorTooLarge,
		/// The fee is more than the caller's `max_fee`.
		FeeAboveMax,
		/// `MaxRequestsPerBlock` requests were already made in this block.
		TooManyRequestsInBlock,
		/// No such request (or no longer retained).
		RequestNotFound,
		/// The request is no longer pending.
		RequestNotPending,
		/// The submission's key is not a registered operator's.
		UnknownOperatorKey,
		/// The operator already submitted for this request.
		AlreadySubmitted,
		/// The output's length is not the element count of the version's output spec.
		OutputLengthMismatch,
		/// The request already has `MaxCommittee` submissions.
		TooManySubmissions,
		/// The batch has no items.
		EmptyBatch,
		/// The batch has more than `MaxBatchLen` items.
		BatchTooLarge,
		/// The batch answers one request twice.
		DuplicateBatchItem,
		/// The request's deadline has passed: it accepts no more submissions.
		DeadlinePassed,
		/// The bond is below `OperatorBond`.
		BondTooLow,
		/// The operator is already leaving the operator set.
		AlreadyLeaving,
		/// The operator has not left the operator set: it cannot withdraw its bond.
		NotLeaving,
		/// The unbonding period is not over yet.
		StillUnbonding,
		/// The operator set has fewer operators than the version's `min_agreement`.
		TooFewOperators,
		/// The operator is not on the request's committee.
		NotInCommittee,
		/// The request is served by a committee of several: commit, then reveal.
		CommitmentExpected,
		/// The request is served by a committee of one: submit the outcome itself.
		CommitmentNotExpected,
		/// The request takes no more commitments: reveals are open.
		CommitmentsClosed,
		/// The operator already committed to this request.
		AlreadyCommitted,
		/// Reveals are not open yet: members are still committing.
		RevealsNotOpen,
		/// The operator made no commitment to this request.
		NotCommitted,
		/// The revealed outcome and salt do not match the operator's commitment.
		RevealMismatch,
		/// The request has no accepted result to dispute.
		NotFinalized,
		/// The result's dispute window is over: it is settled.
		DisputeWindowOver,
		/// The result is disputed already (once per result).
		AlreadyDisputed,
		/// The caller agreed on the result it disputes.
		SelfDispute,
		/// `MaxOpenDisputes` disputes are open.
		TooManyDisputes,
		/// The request re-scores a dispute (its result settles that dispute), or was answered
		/// exactly by the runtime itself: it is not disputed.
		NotDisputable,
		/// The operator is not in the operator set (it is leaving).
		NotInOperatorSet,
		/// The model version is not `Proposed`: there is nothing to validate.
		VersionNotProposed,
		/// The operator already gave its verdict on this version.
		AlreadyJudged,
		/// The version has `MaxOperators` verdicts from operators in the set.
		TooManyVerdicts,
		/// Inference is not permitted: the training data of the model's active version, or
		/// the dataset named as the input, does not allow it (`ai_inference`).
		InferenceNotPermitted,
		/// The operators' fee and the version's price add up to more than a balance holds.
		PriceOverflow,
		/// A subscription's period is zero.
		ZeroPeriod,
		/// A subscription's last block is before its first request.
		EndsBeforeFirstRequest,
		/// The budget does not pay for one request at today's fee and price.
		BudgetTooSmall,
		/// `MaxSubscriptions` subscriptions are open.
		TooManySubscriptions,
		/// No such subscription.
		SubscriptionNotFound,
		/// The caller did not open this subscription.
		NotSubscriptionOwner,
		/// An input element is outside the range the version's exact program declares (and
		/// was proven not to overflow on).
		InputOutOfRange,
		/// The version's exact program could not answer (a bug in the program or the
		/// interpreter: its golden vectors ran when it was set).
		ExactRunFailed,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Expires requests past their deadline with the block's spare weight, oldest
		/// deadline first (see [`expiry`]).
		/// Then settles the disputes whose rounds closed (see [`dispute`]).
		/// Makes the requests of the subscriptions due, at most `MaxScheduledPerBlock`, before
		/// any transaction (see [`subscription`]).
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::serve_subscriptions(now)
		}

		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let used = Self::expire_due(now, remaining);
			used.saturating_add(Self::settle_due(remaining.saturating_sub(used)))
		}

		/// Scores pending requests with this node's operator keys and submits the results.
		fn offchain_worker(now: BlockNumberFor<T>) {
			offchain::run::<T>(now);
		}

		fn integrity_test() {
			assert!(T::MaxOperators::get() >= 1, "MaxOperators must be at least 1");
			assert!(T::MaxRequestsPerBlock::get() >= 1, "MaxRequestsPerBlock must be at least 1");
			assert!(T::MaxBatchLen::get() >= 1, "MaxBatchLen must be at least 1");
			assert!(T::MaxSubscriptions::get() >= 1, "MaxSubscriptions must be at least 1");
			assert!(
				T::MaxScheduledPerBlock::get() >= 1 &&
					T::MaxScheduledPerBlock::get() < T::MaxRequestsPerBlock::get(),
				"MaxScheduledPerBlock must be at least 1 and less than MaxRequestsPerBlock"
			);
			assert!(T::MaxCommittee::get() >= 1, "MaxCommittee must be at least 1");
			assert!(T::MaxStrikes::get() >= 1, "MaxStrikes must be at least 1");
			assert!(T::MinValidators::get() >= 1, "MinValidators must be at least 1");
			assert!(
				T::CommitWindow::get() < T::ResponseWindow::get(),
				"CommitWindow must be shorter than ResponseWindow"
			);
			assert!(
				T::UnbondingPeriod::get() > T::ResponseWindow::get().saturating_add(One::one()),
				"UnbondingPeriod must outlast a request"
			);
			// A request accepts submissions for ResponseWindow + 1 blocks; with at most
			// MaxRequestsPerBlock per block, retention must exceed that many requests so
			// that pruning only meets a pending request if expiry fell far behind; and a
			// disputed request must outlive its dispute window and its round.
			let window: u64 = T::ResponseWindow::get().saturated_into::<u64>().saturating_add(2);
			let disputable = window
				.saturating_mul(2)
				.saturating_add(T::DisputeWindow::get().saturated_into::<u64>());
			let retained = disputable.saturating_mul(T::MaxRequestsPerBlock::get().into());
			assert!(
				u64::from(T::MaxRetainedRequests::get()) >= retained,
				"MaxRetainedRequests must be at least (2 * (ResponseWindow + 2) + DisputeWindow) * MaxRequestsPerBlock"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Registers the caller as an operator whose node signs with `key` (an `orcl`
		/// sr25519 public key, e.g. from `aioracle-node key insert --key-type orcl`), holds
		/// `bond` (at least `OperatorBond`) and adds it to the operator set, where
		/// committees are drawn with probability proportional to bond. When the set is full
		/// (`MaxOperators`), a bond larger than the set's smallest takes that operator's
		/// place (it leaves with [`LeaveReason::Displaced`]).
		///
		/// The origin must be signed. Emits `OperatorRegistered`, and `OperatorLeaving` for
		/// a displaced operator.
		///
		/// ## Complexity
		/// `O(MaxOperators)`: the set is one sorted list.
		#[pallet::call_index(0)]
		pub fn register_operator(
			origin: OriginFor<T>,
			key: T::AuthorityId,
			bond: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register(who, key, bond)
		}

		/// Leaves the operator set: the caller is drawn into no new committee, answers the
		/// committees it sits on, and may withdraw its bond with
		/// [`withdraw_bond`](Pallet::withdraw_bond) after `UnbondingPeriod` blocks (it stays
		/// slashable until then).
		///
		/// The origin must be a registered operator not leaving. Emits `OperatorLeaving`.
		#[pallet::call_index(1)]
		pub fn unregister_operator(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_leave(&who, LeaveReason::Unregistered)
		}

		/// Removes an operator from the operator set, as if it had unregistered.
		///
		/// The origin must be `GovernanceOrigin`. Emits `OperatorLeaving`.
		#[pallet::call_index(2)]
		pub fn remove_operator(origin: OriginFor<T>, operator: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_leave(&operator, LeaveReason::Removed)
		}

		/// Slashes an operator: burns its whole bond and deletes it at once (its pending
		/// committee seats are then no-shows nobody pays for).
		///
		/// The origin must be `GovernanceOrigin`. Emits `OperatorSlashed`.
		#[pallet::call_index(3)]
		pub fn slash_operator(origin: OriginFor<T>, operator: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_slash(operator)
		}

		/// Withdraws the caller's bond `UnbondingPeriod` blocks after it left the operator
		/// set, and deletes its record and key.
		///
		/// The origin must be an operator that is leaving. Emits `OperatorRemoved`.
		#[pallet::call_index(7)]
		pub fn withdraw_bond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(who)
		}

		/// Requests an inference from `model`'s active version. `input` is the input tensor's
		/// elements, row-major, in the version's input fixed point (`round(x *
		/// 10^input_scale)`); its length must be the input spec's element count. Draws the
		/// request's committee from the operator set (see [`committee`]). Holds
		/// `RequestFee` from the caller (refused if above `max_fee`) until the result is
		/// final (paid to the agreeing operators) or the request expires (refunded) after
		/// `ResponseWindow` blocks, and the retention deposit until the request is pruned.
		///
		/// The origin must be signed. Emits `InferenceRequested`.
		///
		/// ## Weight
		/// Charged for pruning the oldest retained request while it is still pending (it is
		/// expired first, see the pallet docs) or a dispute round not settled yet; refunded
		/// to a plain prune when `on_idle` already closed and settled it, as it does unless
		/// blocks stay full for the whole retention.
		///
		/// ## The exact tier
		/// If the active version has an exact program, the runtime runs it on `input` in
		/// this call and the request is finalized at once (see [`exact`]): no committee, no
		/// fee and no deposit, only the version's price (at most `max_fee`), paid in the
		/// call; refused with `InputOutOfRange` if an element is outside the program's
		/// declared range. Charged up front for the most an exact answer can take, refunded
		/// to what such a request takes (`request_exact_inference`), its program's load and
		/// run, and the prune of the request it displaces if operators served that one.
		#[pallet::call_index(4)]
		#[pallet::weight(Pallet::<T>::request_charged_weight())]
		pub fn request_inference(
			origin: OriginFor<T>,
			model: ModelId,
			input: Vec<i64>,
			max_fee: BalanceOf<T>,
		) -> DispatchResultWithPostInfo {
			let requester = ensure_signed(origin)?;
			// A refused request stops before the prune: it never pays for an expiry.
			let (_, expired_oldest, exact) =
				Self::do_request(requester.clone(), model, input, max_fee)
					.map_err(|e| e.with_weight(T::WeightInfo::request_inference()))?;
			let actual = Self::request_taken_weight_by(&requester, expired_oldest, exact);
			Ok(PostDispatchInfo { actual_weight: Some(actual), pays_fee: Pays::Yes })
		}

		/// Records one committee member's answer to one pending request (an outcome, a
		/// commitment or a reveal), and closes the request once its committee has
		/// answered. Off-chain workers send
		/// [`submit_results`](Pallet::submit_results); this call is kept for tools and tests
		/// that act as one operator on one request. `signature` is the operator's `orcl`
		/// signature over the SCALE-encoded `submission`, checked before the transaction
		/// enters the pool.
		///
		/// Emits `ResultSubmitted` or `AnswerCommitted`, and `ResultFinalized` or
		/// `RequestExpired` when the request closes.
		///
		/// ## Complexity
		/// `O(S * L)`: `S` submissions of `L` elements compared, and on closing `S`
		/// members paid, slashed and counted. Charged for `MaxCommittee` submissions of the
		/// output's length (a commitment for one), refunded down to the request's
		/// submissions.
		#[pallet::call_index(5)]
		#[pallet::weight(Pallet::<T>::declared_submission_weight(submission))]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_submit_result(
			submission.charged_output_len(T::MaxOutputLen::get())
		))]
		#[pallet::authorize(Self::authorize_submission)]
		pub fn submit_result(
			origin: OriginFor<T>,
			submission: ResultSubmission<T::AuthorityId>,
			// Verified in `authorize_submission`.
			_signature: <T::AuthorityId as RuntimeAppPublic>::Signature,
		) -> DispatchResultWithPostInfo {
			ensure_authorized(origin)?;
			Self::do_submit(submission)
		}

		/// Records one operator's answers to many requests at once: what off-chain workers
		/// send, one batch per operator per block. `signature` is the operator's `orcl`
		/// signature over [`ResultBatch::signing_payload`], checked with the whole batch
		/// in one pass before the transaction enters the pool (see the pallet docs for
		/// what is refused there). Items whose request closed, or that the operator already
		/// answered, are skipped; the weight of skipped items is refunded.
		///
		/// Emits `ResultSubmitted` or `AnswerCommitted` per recorded item, `ResultFinalized`
		/// or `RequestExpired` per request that closes, then `BatchSubmitted`.
		///
		/// ## Complexity
		/// `O(N * S * L)` for `N` items; charged for each outcome or reveal as closing a
		/// request with `MaxCommittee` submissions of the batch's longest output (a
		/// commitment closes nothing), refunded down to each request's submissions and to
		/// the items skipped.
		#[pallet::call_index(6)]
		#[pallet::weight(Pallet::<T>::declared_batch_weight(batch))]
		#[pallet::weight_of_authorize(Pallet::<T>::batch_authorize_weight(
			batch.items.len() as u32,
			batch.charged_output_len(T::MaxOutputLen::get()),
		))]
		#[pallet::authorize(Self::authorize_batch)]
		pub fn submit_results(
			origin: OriginFor<T>,
			batch: ResultBatchOf<T>,
			// Verified in `authorize_batch`.
			_signature: <T::AuthorityId as RuntimeAppPublic>::Signature,
		) -> DispatchResultWithPostInfo {
			ensure_authorized(origin)?;
			Self::do_submit_batch(batch)
		}

		/// Records an operator's verdict on a proposed model version: whether its node loaded
		/// the bytes and reproduced the golden vectors (see [`validation`]). Off-chain
		/// workers send it; `signature` is the operator's `orcl` signature over
		/// [`VersionVerdict::signing_payload`], checked before the transaction enters the
		/// pool. Free, like answers.
		///
		/// Emits `VerdictSubmitted`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::submit_verdict())]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_submit_verdict())]
		#[pallet::authorize(Self::authorize_verdict)]
		pub fn submit_verdict(
			origin: OriginFor<T>,
			verdict: VersionVerdict<T::AuthorityId>,
			// Verified in `authorize_verdict`.
			_signature: <T::AuthorityId as RuntimeAppPublic>::Signature,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			Self::do_submit_verdict(verdict)
		}

		/// Disputes the result of `request` within `DisputeWindow` blocks of its
		/// finalization: holds `DisputeBond` from the caller and opens a round, a new request
		/// (whose `RequestFee` and retention deposit the caller pays) for the same version
		/// and input served by a fresh committee asking for one more agreeing operator, none
		/// of whom sat on the first. When the round closes the dispute is settled (see
		/// [`dispute`]): the result replaced and its agreeing members slashed in the
		/// caller's favour, or the bond burnt, or (no agreement) returned.
		///
		/// The origin must be signed, and not a member who agreed on the result. Emits
		/// `DisputeOpened` and the round's `InferenceRequested`.
		///
		/// ## Weight
		/// As [`request_inference`](Pallet::request_inference): charged for a prune that
		/// closes a request, refunded otherwise.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::dispute().saturating_add(Pallet::<T>::prune_weight()))]
		pub fn dispute(origin: OriginFor<T>, request: RequestId) -> DispatchResultWithPostInfo {
			let disputer = ensure_signed(origin)?;
			let (_, heavy) = Self::do_dispute(disputer, request)
				.map_err(|e| e.with_weight(T::WeightInfo::dispute()))?;
			let actual = (!heavy).then(T::WeightInfo::dispute);
			Ok(PostDispatchInfo { actual_weight: actual, pays_fee: Pays::Yes })
		}

		/// Stores an input blob that requests may name by reference
		/// (`request_inference_by_reference`): `bytes` go to the offchain DB of every
		/// indexing node under `input_blob_key(blake2_256(bytes))`, never to state. A file
		/// registered as a dataset is stored this way (its content hash is the blob's hash)
		/// so that requests may name the dataset. Holds `InputBlobDepositBase +
		/// InputBlobDepositPerByte * len` until the blob is removed.
		///
		/// The origin must be signed. Emits `InputStored`.
		///
		/// ## Complexity
		/// `O(B)`: `B` bytes hashed and indexed.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::store_input(
			(bytes.len() as u32).min(T::MaxInputBlobBytes::get())
		))]
		pub fn store_input(origin: OriginFor<T>, bytes: Vec<u8>) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_store_input(owner, bytes).map(|_| ())
		}

		/// Removes an input blob: clears its bytes from the offchain DB and releases its
		/// deposit, once no request named it for `InputBlobRetention` blocks.
		///
		/// The origin must be the blob's owner. Emits `InputRemoved`.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::remove_input())]
		pub fn remove_input(origin: OriginFor<T>, blob: InputBlobHash) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_remove_input(who, blob)
		}

		/// Requests an inference from `model`'s active version whose input is not carried
		/// inline but named: a stored input blob, or a registered dataset whose content was
		/// stored as one. Operators decode the blob into the input tensor as the version
		/// declares (`ModelRegistry::set_input_decoding`; the raw tensor unless declared),
		/// so inputs larger than `MaxInputLen` (files, images) can be scored; the result's
		/// `explain` then names the blob and the dataset with its provenance. Fee, deposit,
		/// committee and life cycle as [`request_inference`](Pallet::request_inference);
		/// the retention deposit also covers the reference.
		///
		/// The origin must be signed. Emits `InferenceRequested` and `InputReferenced`.
		///
		/// ## Weight
		/// As `request_inference`.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::request_inference_by_reference()
			.saturating_add(T::OnResult::max_weight())
			.saturating_add(Pallet::<T>::prune_weight()))]
		pub fn request_inference_by_reference(
			origin: OriginFor<T>,
			model: ModelId,
			input: InputSource,
			max_fee: BalanceOf<T>,
		) -> DispatchResultWithPostInfo {
			let requester = ensure_signed(origin)?;
			let weight = T::WeightInfo::request_inference_by_reference()
				.saturating_add(T::OnResult::weight_for(&requester));
			let (_, expired_oldest) =
				Self::do_request_by_reference(requester, model, input, max_fee)
					.map_err(|e| e.with_weight(weight))?;
			let actual = (!expired_oldest).then_some(weight);
			Ok(PostDispatchInfo { actual_weight: actual, pays_fee: Pays::Yes })
		}

		/// Opens a subscription: a request to `terms.model` with `terms.input` made by the
		/// chain every `terms.every` blocks from the next block on, until `terms.until` if
		/// given, each paid from `terms.budget`, which is held now (see [`subscription`]).
		/// Also holds a deposit for the record. The input is checked, and the request priced,
		/// as `request_inference` (or `request_inference_by_reference`) would now: the
		/// budget must pay for one request's fee and price, at most `terms.max_fee`.
		///
		/// The origin must be signed. Emits `SubscriptionOpened`; then, as requests are
		/// made, `SubscriptionRequested`, and `SubscriptionClosed` when it ends.
		#[pallet::call_index(13)]
		pub fn open_subscription(origin: OriginFor<T>, terms: SubscriptionTermsOf<T>) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_open_subscription(owner, terms).map(|_| ())
		}

		/// Closes a subscription the caller opened: no more requests are made (those made go
		/// on), what is left of its budget and its deposit are released.
		///
		/// The origin must be signed by the subscription's owner. Emits
		/// `SubscriptionClosed`.
		///
		/// ## Complexity
		/// `O(S)`: the subscriptions due in the same block as its next request (at most
		/// `MaxSubscriptions`) are read to unlist it.
		#[pallet::call_index(14)]
		pub fn close_subscription(origin: OriginFor<T>, subscription: SubscriptionId) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_close_subscription(owner, subscription)
		}
	}
}

/// A model version a request is made to.
pub(crate) struct VersionRef {
	/// The model.
	pub model: ModelId,
	/// The version.
	pub version: VersionId,
	/// The version's ONNX hash.
	pub model_hash: aioracle_primitives::model::ModelHash,
}

impl<T: Config> Pallet<T> {
	fn now() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}

	/// What pruning the oldest retained request may cost at most: expiring it and settling
	/// its dispute, if it is a dispute's round, each telling `OnResult`.
	pub fn prune_weight() -> Weight {
		T::WeightInfo::expire(T::MaxOutputLen::get())
			.saturating_add(T::WeightInfo::settle_dispute())
			.saturating_add(T::OnResult::max_weight().saturating_mul(2))
	}

	/// What a request costs its requester besides pruning: the request itself, and up
	/// front the `OnResult` call its closing will make.
	pub fn request_weight() -> Weight {
		T::WeightInfo::request_inference().saturating_add(T::OnResult::max_weight())
	}

	/// What a request is charged up front (`request_inference`'s weight): the request (the
	/// more of one served by operators and an exact one displacing such a request, each
	/// part by part), the prune of a pending request, and the most an exact answer can
	/// take; refunded to [`Self::request_taken_weight`].
	pub fn request_charged_weight() -> Weight {
		let exact = Self::exact_request_weight().saturating_add(T::WeightInfo::prune_request());
		Self::request_weight()
			.max(exact)
			.saturating_add(Self::prune_weight())
			.saturating_add(Self::exact_weight())
	}

	/// What a request made by [`Self::do_request`] took: the request, pruning if
	/// `expired_oldest`, and, if it was answered exactly, what that answer `exact` took
	/// (see [`exact`]).
	pub fn request_taken_weight(expired_oldest: bool, exact: Option<Weight>) -> Weight {
		let request = match exact {
			Some(exact) => Self::exact_request_weight().saturating_add(exact),
			None => Self::request_weight(),
		};
		if expired_oldest {
			request.saturating_add(Self::prune_weight())
		} else {
			request
		}
	}

	/// What a request of `requester` took: [`Self::request_taken_weight`], with the
	/// `OnResult` call its closing will make priced for `requester`
	/// (`OnInferenceResult::weight_for`).
	pub fn request_taken_weight_by(
		requester: &T::AccountId,
		expired_oldest: bool,
		exact: Option<Weight>,
	) -> Weight {
		let unused = T::OnResult::max_weight().saturating_sub(T::OnResult::weight_for(requester));
		Self::request_taken_weight(expired_oldest, exact).saturating_sub(unused)
	}

	/// Makes a request; returns its id, whether the oldest retained request was still
	/// pending (or unsettled) and had to be closed to make room for it, and, if the active
	/// version has an exact program and answered in the call (see [`exact`]), the weight
	/// of that answer.
	pub fn do_request(
		requester: T::AccountId,
		model: ModelId,
		input: Vec<i64>,
		max_fee: BalanceOf<T>,
	) -> Result<(RequestId, bool, Option<Weight>), DispatchError> {
		let (target, contract) = Self::active_serving(model)?;
		let input = Self::inline_input(&contract, input)?;
		if let Some(exact) = T::Models::exact_program(model, target.version) {
			let price = T::Market::price(model, target.version);
			ensure!(price <= max_fee, Error::<T>::FeeAboveMax);
			let (id, expired_oldest, weight) =
				Self::answer_exactly(requester, target, contract, input, price, exact)?;
			return Ok((id, expired_oldest, Some(weight)));
		}
		let (id, expired_oldest) = Self::open_active_request(
			requester,
			target,
			contract,
			RequestInput::Inline(input),
			max_fee,
		)?;
		Ok((id, expired_oldest, None))
	}

	/// Opens a request to a model's active version (see [`Self::open_request`]) and samples
	/// it for the model's canary, if one runs.
	/// The requester pays the operators' fee and the version's price, which together must
	/// not exceed `max_fee`.
	pub(crate) fn open_active_request(
		requester: T::AccountId,
		target: VersionRef,
		contract: ServingContract,
		input: RequestInput<T::MaxInputLen>,
		max_fee: BalanceOf<T>,
	) -> Result<(RequestId, bool), DispatchError> {
		let model = target.model;
		let price = T::Market::price(model, target.version);
		let total = T::RequestFee::get().checked_add(&price).ok_or(Error::<T>::PriceOverflow)?;
		ensure!(total <= max_fee, Error::<T>::FeeAboveMax);
		let opened = Self::open_request(requester, target, contract, input, price, &[])?;
		Self::sample_for_canary(opened.0, model);
		Ok(opened)
	}

	/// The active version of `model` and its contract, if its training data permits
	/// inference and what its operators report fits `MaxOutputLen`: what any new request to
	/// `model` is made to.
	pub(crate) fn active_serving(model: ModelId) -> Result<(VersionRef, ServingContract), DispatchError> {
		let (version, model_hash, contract) =
			T::Models::active_contract(model).ok_or(Error::<T>::NoActiveVersion)?;
		ensure!(T::Models::inference_permitted(model, version), Error::<T>::InferenceNotPermitted);
		let output_len = contract.reported_len().ok_or(Error::<T>::TensorTooLarge)?;
		ensure!(output_len <= T::MaxOutputLen::get(), Error::<T>::TensorTooLarge);
		Ok((VersionRef { model, version, model_hash }, contract))
	}

	/// Opens a request of `requester` to `target` served by `contract` (whose tensor sizes
	/// the caller checked) for `input`, with a committee drawn from the operator set without
	/// `excluded`; holds the fee and the retention deposit and prunes the oldest retained
	/// request. Returns its id, and whether pruning had to close a request.
	pub(crate) fn open_request(
		requester: T::AccountId,
		target: VersionRef,
		contract: ServingContract,
		input: RequestInput<T::MaxInputLen>,
		price: BalanceOf<T>,
		excluded: &[T::AccountId],
	) -> Result<(RequestId, bool), DispatchError> {
		let (input, reference) = match input {
			RequestInput::Inline(values) => (values, None),
			RequestInput::Reference(reference) => (BoundedVec::new(), Some(reference)),
		};
		let VersionRef { model, version, model_hash } = target;
		let output_len = contract.reported_len().ok_or(Error::<T>::TensorTooLarge)?;
		let fee = T::RequestFee::get();
		let id = NextRequestId::<T>::get();
		let committee = Self::draw_committee(id, contract.min_agreement, excluded)?;
		let now = Self::now();
		let deadline = now.saturating_add(T::ResponseWindow::get());
		let mut request = Request {
			requester: requester.clone(),
			model,
			version,
			model_hash,
			contract,
			input,
			fee,
			price,
			deposit: Zero::zero(),
			created_at: now,
			deadline,
			status: RequestStatus::Pending,
		};
		let reference_bytes = reference.map_or(0, |_| InputReference::max_encoded_len() as u32);
		request.deposit = Self::retention_deposit(&request, output_len, committee.len() as u32)
			.saturating_add(
				T::RequestDepositPerByte::get().saturating_mul(reference_bytes.into()),
			);
		// Closed from the block after the deadline on.
		Expiries::<T>::try_mutate(deadline.saturating_add(One::one()), |due| due.try_push(id))
			.map_err(|_| Error::<T>::TooManyRequestsInBlock)?;
		// Cannot overflow: the caller checked `fee + price` (dispute rounds have no price).
		T::Currency::hold(&HoldReason::RequestFee.into(), &requester, fee.saturating_add(price))?;
		T::Currency::hold(&HoldReason::RequestRetention.into(), &requester, request.deposit)?;

		NextRequestId::<T>::put(id.saturating_add(1));
		let expired_oldest = Self::prune(id).closed_one();
		let deposit = request.deposit;
		Requests::<T>::insert(id, request);
		PendingRequests::<T>::insert(id, ());
		Committees::<T>::insert(id, &committee);
		if let Some(reference) = reference {
			RequestInputs::<T>::insert(id, reference);
			Self::note_input_use(&reference.blob, now);
		}
		log::debug!(
			target: LOG_TARGET,
			"request {id}: model {model} version {version}, committee of {}",
			committee.len()
		);
		Self::deposit_event(Event::InferenceRequested {
			request: id,
			requester,
			model,
			version,
			fee,
			price,
			deposit,
			deadline,
			committee,
		});
		if let Some(input) = reference {
			Self::deposit_event(Event::InputReferenced { request: id, input });
		}
		Ok((id, expired_oldest))
	}

	/// The retention deposit of `request` served by a committee of `members`: the base,
	/// plus the per-byte price of the most state it can take: itself, its committee, a
	/// commitment and a submission of `output_len` elements per member, and a result.
	pub(crate) fn retention_deposit(request: &RequestOf<T>, output_len: u32, members: u32) -> BalanceOf<T> {
		let account = T::AccountId::max_encoded_len() as u32;
		let output_bytes = 8u32.saturating_mul(output_len).saturating_add(4);
		// An account, the outcome and the block number.
		let submission_bytes = output_bytes.saturating_add(account + 1 + 8);
		// A seat (an account), a commitment (an account and a hash) and a submission.
		let member_bytes = submission_bytes.saturating_add(2 * account + 32);
		let bytes = (request.encoded_size() as u32)
			.saturating_add(members.saturating_mul(member_bytes))
			// The result: output and block number.
			.saturating_add(output_bytes.saturating_add(8));
		T::RequestDepositBase::get()
			.saturating_add(T::RequestDepositPerByte::get().saturating_mul(bytes.into()))
	}

	/// Deletes the request retained longest, making room for request `new`, and releases
	/// its retention deposit. A request still pending (expiry fell that far behind) is
	/// expired first, and a dispute round not settled yet is settled; returns whether
	/// either happened.
	fn prune(new: RequestId) -> Pruned {
		let Some(old) = new.checked_sub(T::MaxRetainedRequests::get().into()) else {
			return Pruned::Nothing
		};
		// Everything kept per request belongs to a retained request (`do_try_state`), and
		// an exact answer is kept in its ring instead.
		if !Requests::<T>::contains_key(old) {
			return Pruned::Nothing;
		}
		let expired = Self::expire(old);
		let settled = Self::settle_if_due(old);
		DisputeRounds::<T>::remove(old);
		// An open dispute outlives its request: its round settles it as inconclusive.
		if Disputes::<T>::get(old).is_some_and(|d| d.status != DisputeStatus::Open) {
			Disputes::<T>::remove(old);
			OverturnedAgreement::<T>::remove(old);
		}
		if let Some(request) = Requests::<T>::take(old) {
			let _ = T::Currency::release(
				&HoldReason::RequestRetention.into(),
				&request.requester,
				request.deposit,
				Precision::BestEffort,
			);
		}
		Submissions::<T>::remove(old);
		Results::<T>::remove(old);
		// Its canary reports, if any, went when it closed (expired just above if need be).
		CanaryChecks::<T>::remove(old);
		RequestInputs::<T>::remove(old);
		Committees::<T>::remove(old);
		Commits::<T>::remove(old);
		if expired || settled {
			Pruned::Open
		} else {
			Pruned::Closed
		}
	}
}

/// What [`Pallet::prune`] found at the request a new one displaces from the retention.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Pruned {
	/// No request was retained there: it was answered exactly (its ring slot is reused
	/// instead), or there was none.
	Nothing,
	/// A closed request, deleted with what it kept.
	Closed,
	/// A pending request or an unsettled dispute's round, closed then deleted: what
	/// [`Pallet::prune_weight`] pays for.
	Open,
}

impl Pruned {
	/// Whether it had to close a request.
	pub fn closed_one(self) -> bool {
		self == Pruned::Open
	}
}

use frame::deps::sp_runtime::TryRuntimeError;

// Always compiled (not only for try-runtime) so that runtime-level tests can check the
// invariants too.
impl<T: Config> Pallet<T> {
	/// Checks the pallet's invariants; `try_state` runs it under try-runtime.
	///
	/// ## Expectations
	/// - `Operators` and `OperatorByKey` agree both ways; every operator's bond is what is
	///   held from it as a bond;
	/// - `OperatorSet` holds exactly the operators not leaving, with their bonds, largest
	///   first;
	/// - `PendingRequests` holds exactly the retained requests with status `Pending`, each
	///   with an expiry entry at `deadline + 1`, not before the expiry cursor; results exist
	///   exactly for finalized ones;
	/// - every retained request id is below `NextRequestId` and within the retention;
	/// - submissions and commitments are one per operator, from the request's committee,
	///   whose members are distinct;
	/// - every account's held fees are the fees of its pending requests, and its held
	///   retention deposits the deposits of its retained requests;
	/// - the disputes' invariants hold ([`Self::try_state_disputes`]);
	/// - requests by reference and input blobs are consistent ([`Self::try_state_inputs`]).
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let set = OperatorSet::<T>::get();
		ensure!(
			set.windows(2).all(|pair| matches!(pair, [a, b] if a.1 >= b.1)),
			"the operator set is not sorted by bond"
		);
		let mut in_set = 0u32;
		for (account, record) in Operators::<T>::iter() {
			ensure!(
				OperatorByKey::<T>::get(&record.key) == Some(account.clone()),
				"an operator's key is not indexed"
			);
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::OperatorBond.into(), &account) ==
					record.bond,
				"an operator's bond is not what is held"
			);
			let listed = set.iter().find(|(a, _)| a == &account);
			match (record.leaving_since.is_none(), listed) {
				(true, Some((_, bond))) => {
					ensure!(*bond == record.bond, "the operator set has a stale bond");
					in_set += 1;
				},
				(false, None) => {},
				_ => return Err("the operator set and the leaving operators disagree".into()),
			}
		}
		ensure!(in_set as usize == set.len(), "the operator set lists an unknown operator");
		ensure!(
			OperatorByKey::<T>::iter().count() as u32 == Operators::<T>::count(),
			"OperatorByKey has keys of no operator"
		);
		let next = NextRequestId::<T>::get();
		let oldest = next.saturating_sub(T::MaxRetainedRequests::get().into());
		let cursor = ExpiryCursor::<T>::get();
		let mut pending = 0u32;
		let mut held: BTreeMap<T::AccountId, (BalanceOf<T>, BalanceOf<T>)> = BTreeMap::new();
		for (id, request) in Requests::<T>::iter() {
			ensure!(id < next && id >= oldest, "a retained request is out of range");
			let is_pending = request.status == RequestStatus::Pending;
			ensure!(
				PendingRequests::<T>::contains_key(id) == is_pending,
				"PendingRequests disagrees"
			);
			ensure!(
				Results::<T>::contains_key(id) == (request.status == RequestStatus::Finalized),
				"a result without a finalized request, or the reverse"
			);
			let (fees, deposits) = held.entry(request.requester.clone()).or_default();
			*deposits = deposits.saturating_add(request.deposit);
			if is_pending {
				pending += 1;
				*fees = fees.saturating_add(request.fee).saturating_add(request.price);
				let expiry = request.deadline.saturating_add(One::one());
				ensure!(expiry >= cursor, "a pending request's expiry is behind the cursor");
				ensure!(Expiries::<T>::get(expiry).contains(&id), "a pending request has no expiry");
			}
			let committee = Committees::<T>::get(id);
			let members: BTreeSet<_> = committee.iter().collect();
			ensure!(members.len() == committee.len(), "a committee seats an operator twice");
			let submissions = Submissions::<T>::get(id);
			let operators: BTreeSet<_> = submissions.iter().map(|s| &s.operator).collect();
			ensure!(operators.len() == submissions.len(), "two submissions by one operator");
			// Requests made before storage version 3 have no committee.
			ensure!(
				members.is_empty() || operators.is_subset(&members),
				"a submission from outside the committee"
			);
			let commits = Commits::<T>::get(id);
			let committers: BTreeSet<_> = commits.iter().map(|(a, _)| a).collect();
			ensure!(committers.len() == commits.len(), "two commitments by one operator");
			ensure!(committers.is_subset(&members), "a commitment from outside the committee");
		}
		ensure!(PendingRequests::<T>::count() == pending, "PendingRequests has extra entries");
		Self::try_state_disputes()?;
		Self::try_state_inputs()?;
		Self::try_state_subscriptions()?;
		Self::try_state_exact()?;
		Self::try_state_canary()?;
		for (account, (fees, deposits)) in held {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::RequestFee.into(), &account) == fees,
				"held fees differ from the pending requests' fees"
			);
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::RequestRetention.into(), &account) ==
					deposits,
				"held retention deposits differ from the retained requests' deposits"
			);
		}
		Ok(())
	}
}

impl<T: Config> Pallet<T> {
	/// The disputes' invariants: `OpenDisputes` counts the open disputes; each open dispute
	/// has a retained round that points back to it, and its bond is what is held from its
	/// disputer (summed per account); a settled dispute's request is retained; every round
	/// queued for settlement is closed, queued once, and its dispute open.
	pub fn try_state_disputes() -> Result<(), TryRuntimeError> {
		let mut open = 0u32;
		let mut bonds: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (id, dispute) in Disputes::<T>::iter() {
			if dispute.status == DisputeStatus::Open {
				open += 1;
				let bond = bonds.entry(dispute.disputer.clone()).or_default();
				*bond = bond.saturating_add(dispute.bond);
				ensure!(
					DisputeRounds::<T>::get(dispute.round) == Some(id),
					"an open dispute's round does not point back to it"
				);
				ensure!(
					Requests::<T>::contains_key(dispute.round),
					"an open dispute's round is not retained"
				);
			} else {
				ensure!(Requests::<T>::contains_key(id), "a settled dispute of a pruned request");
			}
		}
		ensure!(OpenDisputes::<T>::get() == open, "OpenDisputes miscounts the open disputes");
		for id in OverturnedAgreement::<T>::iter_keys() {
			ensure!(
				Disputes::<T>::get(id).is_some_and(|d| d.status == DisputeStatus::Upheld),
				"an overturned agreement without an upheld dispute"
			);
		}
		for (account, bond) in bonds {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::DisputeBond.into(), &account) == bond,
				"held dispute bonds differ from the open disputes' bonds"
			);
		}
		let due = DueSettlements::<T>::get();
		let distinct: BTreeSet<_> = due.iter().collect();
		ensure!(distinct.len() == due.len(), "a round is queued twice for settlement");
		for round in due.iter() {
			let closed = Requests::<T>::get(round)
				.is_some_and(|request| request.status != RequestStatus::Pending);
			ensure!(closed, "a round queued for settlement is not closed");
			let disputed = DisputeRounds::<T>::get(round).and_then(Disputes::<T>::get);
			ensure!(
				disputed.is_some_and(|d| d.status == DisputeStatus::Open),
				"a round queued for settlement has no open dispute"
			);
		}
		Ok(())
	}
}
