//! # Inference oracle pallet
//!
//! Answers the third question aioracle puts on-chain: *what did the model say?* A dApp
//! requests an inference from a model; the off-chain workers of registered operators score
//! it with the model's active version (ONNX, in the node, through the `onnx` host
//! function) and submit signed results; the pallet combines them into one accepted answer,
//! pays the operators who agreed and records those who did not.
//!
//! ## Terminology
//! - **Operator**: an account that holds `OperatorBond` and names the `orcl` (sr25519)
//!   key its node signs submissions with. Governance may remove or slash one.
//! - **Request**: a model, a fixed-point input, and a fee. The version active at request
//!   time scores it, whatever is activated later. Submissions are accepted until its
//!   `deadline`.
//! - **Submission**: one per (request, operator): the output, or a [`Failure`] (the
//!   engine's error, missing bytes, golden vectors not reproduced), so that a failing
//!   model is visible on-chain.
//! - **Aggregation**: once `min_agreement` outputs agree (within the version's
//!   `tolerance` of their element-wise median, or identical and a strict majority for
//!   labels), the result is final: `ResultFinalized`. The fee is split among the agreeing
//!   operators; the others are outliers. See [`aggregate`].
//! - **Expiry**: a request past its deadline without agreement expires; its fee is
//!   refunded.
//!
//! ## Why authorized transactions
//! Submissions are general transactions authorized by `#[pallet::authorize]` (the
//! pallet-im-online pattern): the call carries the operator's `orcl` signature over the
//! submission, checked in the transaction pool before the transaction is accepted. They pay
//! no fee and need no nonce, so an operator's node needs no funded hot account and two
//! off-chain worker runs cannot race on a nonce; the pool refuses duplicates by their
//! `(request, key)` tag, and the call refuses a second submission.
//!
//! ## Retention
//! Requests, their submissions and results are kept for the last `MaxRetainedRequests`
//! requests: creating request `n` deletes request `n - MaxRetainedRequests`, which is
//! closed by then (`integrity_test` checks that no request can stay pending that long).
//!
//! ## API
//! Calls: [`register_operator`](Pallet::register_operator),
//! [`unregister_operator`](Pallet::unregister_operator),
//! [`remove_operator`](Pallet::remove_operator), [`slash_operator`](Pallet::slash_operator)
//! (governance), [`request_inference`](Pallet::request_inference),
//! [`submit_result`](Pallet::submit_result) (operators' off-chain workers).
//!
//! Reading: the runtime API `InferenceOracleApi` (in `aioracle-primitives`).
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::{collections::BTreeSet, vec::Vec};

pub use aioracle_primitives::{
	model::{Aggregation, ModelId, ModelInspect, VersionId},
	oracle::{Failure, Outcome, RequestId, RequestStatus},
};
use frame::{
	deps::{
		frame_system::offchain::CreateAuthorizedTransaction,
		sp_runtime::{
			transaction_validity::{
				InvalidTransaction, TransactionSource, TransactionValidityWithRefund,
				ValidTransaction,
			},
			RuntimeAppPublic,
		},
	},
	prelude::*,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
	},
};

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

pub mod aggregate;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
mod offchain;
#[cfg(test)]
mod tests;
pub mod types;
pub mod views;
pub mod weights;

/// The log target of this pallet and its off-chain worker.
pub const LOG_TARGET: &str = "inference-oracle";

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
pub type OperatorOf<T> = Operator<<T as Config>::AuthorityId, BalanceOf<T>>;
/// A request of this runtime.
pub type RequestOf<T> = Request<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BlockNumberFor<T>,
	<T as Config>::MaxInputLen,
>;
/// A submission of this runtime.
pub type SubmissionOf<T> = Submission<
	<T as frame_system::Config>::AccountId,
	BlockNumberFor<T>,
	<T as Config>::MaxOutputLen,
>;
/// The submissions to one request.
pub type SubmissionsOf<T> = BoundedVec<SubmissionOf<T>, <T as Config>::MaxOperators>;
/// A result of this runtime.
pub type FinalResultOf<T> = FinalResult<BlockNumberFor<T>, <T as Config>::MaxOutputLen>;

/// Creates what the benchmarks need from the rest of the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// A model whose active version has the largest input and output this pallet accepts,
	/// and whose `min_agreement` is `MaxOperators` (so that only the last operator's
	/// submission finalizes a request).
	fn model() -> ModelId;
}

#[frame::pallet]
pub mod pallet {
	use super::*;

	#[pallet::pallet]
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
		type Models: ModelInspect<BalanceOf<Self>, BlockNumberFor<Self>>;

		/// Operators' submission keys.
		type AuthorityId: Member
			+ Parameter
			+ RuntimeAppPublic
			+ Ord
			+ MaybeSerializeDeserialize
			+ MaxEncodedLen;

		/// The origin that removes or slashes operators.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The bond an operator holds while registered.
		#[pallet::constant]
		type OperatorBond: Get<BalanceOf<Self>>;

		/// The fee a request holds, shared by the operators whose outputs agree.
		#[pallet::constant]
		type RequestFee: Get<BalanceOf<Self>>;

		/// Blocks after the request's block in which submissions are accepted.
		#[pallet::constant]
		type ResponseWindow: Get<BlockNumberFor<Self>>;

		/// The most operators registered at once.
		#[pallet::constant]
		type MaxOperators: Get<u32>;

		/// The most input elements a request may carry.
		#[pallet::constant]
		type MaxInputLen: Get<u32>;

		/// The most output elements a submission may carry.
		#[pallet::constant]
		type MaxOutputLen: Get<u32>;

		/// The most requests made in one block (they expire together).
		#[pallet::constant]
		type MaxRequestsPerBlock: Get<u32>;

		/// How many of the latest requests (with submissions and results) are kept.
		#[pallet::constant]
		type MaxRetainedRequests: Get<u32>;

		/// The most pending requests one off-chain worker run scores.
		#[pallet::constant]
		type MaxRequestsPerOcwRun: Get<u32>;

		/// The priority of submissions in the transaction pool.
		#[pallet::constant]
		type SubmissionPriority: Get<TransactionPriority>;

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

	/// The accepted result of each finalized, retained request.
	#[pallet::storage]
	pub type Results<T: Config> = StorageMap<_, Twox64Concat, RequestId, FinalResultOf<T>>;

	/// The requests that expire at the start of each block (if still pending).
	#[pallet::storage]
	pub type Expiries<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<RequestId, T::MaxRequestsPerBlock>,
		ValueQuery,
	>;

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An operator's bond.
		#[codec(index = 0)]
		OperatorBond,
		/// A request's fee, until it is paid out or refunded.
		#[codec(index = 1)]
		RequestFee,
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
				let result = Pallet::<T>::do_register(account.clone(), key.clone());
				assert!(result.is_ok(), "genesis operator could not register: {result:?}");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An operator registered; its bond is held.
		OperatorRegistered {
			/// The operator's account.
			operator: T::AccountId,
			/// Its `orcl` key.
			key: T::AuthorityId,
		},
		/// An operator left, or governance removed it; its bond was released.
		OperatorRemoved {
			/// The operator's account.
			operator: T::AccountId,
		},
		/// Governance slashed an operator: its bond was burnt and it is no longer registered.
		OperatorSlashed {
			/// The operator's account.
			operator: T::AccountId,
			/// The amount burnt.
			amount: BalanceOf<T>,
		},
		/// A dApp requested an inference; operators' off-chain workers will score it.
		InferenceRequested {
			/// The request's id.
			request: RequestId,
			/// Who asked.
			requester: T::AccountId,
			/// The model.
			model: ModelId,
			/// The version that scores it.
			version: VersionId,
			/// The fee held.
			fee: BalanceOf<T>,
			/// The last block in which submissions are accepted.
			deadline: BlockNumberFor<T>,
		},
		/// An operator submitted an output or a failure.
		ResultSubmitted {
			/// The request.
			request: RequestId,
			/// The operator.
			operator: T::AccountId,
			/// True for an output, false for a failure.
			output: bool,
		},
		/// Enough operators agreed: the accepted output of the request.
		ResultFinalized {
			/// The request.
			request: RequestId,
			/// The accepted output, in the version's output fixed point.
			output: BoundedVec<i64, T::MaxOutputLen>,
			/// The operators who agreed and shared the fee.
			agreeing: BoundedVec<T::AccountId, T::MaxOperators>,
			/// The operators whose outputs were outside the tolerance.
			outliers: BoundedVec<T::AccountId, T::MaxOperators>,
		},
		/// The request's deadline passed without agreement; its fee was refunded.
		RequestExpired {
			/// The request.
			request: RequestId,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a registered operator.
		AlreadyOperator,
		/// The key is already registered by an operator.
		KeyInUse,
		/// The operator set is full (`MaxOperators`).
		TooManyOperators,
		/// The account is not a registered operator.
		NotOperator,
		/// The model has no active version (or does not exist).
		NoActiveVersion,
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
		/// The request already has `MaxOperators` submissions.
		TooManySubmissions,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Expires the requests whose deadline was the previous block.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let due = Expiries::<T>::take(now);
			let count = due.len() as u32;
			for request in due {
				Self::expire(request);
			}
			T::WeightInfo::on_initialize(count)
		}

		/// Scores pending requests with this node's operator keys and submits the results.
		fn offchain_worker(now: BlockNumberFor<T>) {
			offchain::run::<T>(now);
		}

		fn integrity_test() {
			assert!(T::MaxOperators::get() >= 1, "MaxOperators must be at least 1");
			assert!(T::MaxRequestsPerBlock::get() >= 1, "MaxRequestsPerBlock must be at least 1");
			// A request is pending for at most ResponseWindow + 1 blocks; with at most
			// MaxRequestsPerBlock per block, retention must exceed that many requests so
			// that pruning never deletes a pending one.
			let window: u64 = T::ResponseWindow::get().saturated_into::<u64>().saturating_add(2);
			let pending = window.saturating_mul(T::MaxRequestsPerBlock::get().into());
			assert!(
				u64::from(T::MaxRetainedRequests::get()) > pending,
				"MaxRetainedRequests must exceed (ResponseWindow + 2) * MaxRequestsPerBlock"
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
		/// sr25519 public key, e.g. from `aioracle-node key insert --key-type orcl`), and
		/// holds `OperatorBond`.
		///
		/// The origin must be signed. Emits `OperatorRegistered`.
		#[pallet::call_index(0)]
		pub fn register_operator(origin: OriginFor<T>, key: T::AuthorityId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register(who, key)
		}

		/// Unregisters the caller and releases its bond. Its submissions stay on record.
		///
		/// The origin must be a registered operator. Emits `OperatorRemoved`.
		#[pallet::call_index(1)]
		pub fn unregister_operator(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_remove(&who)
		}

		/// Removes an operator and releases its bond.
		///
		/// The origin must be `GovernanceOrigin`. Emits `OperatorRemoved`.
		#[pallet::call_index(2)]
		pub fn remove_operator(origin: OriginFor<T>, operator: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_remove(&operator)
		}

		/// Slashes an operator: burns its bond and removes it.
		///
		/// The origin must be `GovernanceOrigin`. Emits `OperatorSlashed`.
		#[pallet::call_index(3)]
		pub fn slash_operator(origin: OriginFor<T>, operator: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let record = Operators::<T>::take(&operator).ok_or(Error::<T>::NotOperator)?;
			OperatorByKey::<T>::remove(&record.key);
			let amount = T::Currency::burn_held(
				&HoldReason::OperatorBond.into(),
				&operator,
				record.bond,
				Precision::BestEffort,
				Fortitude::Force,
			)?;
			log::info!(target: LOG_TARGET, "operator {operator:?} slashed: {amount:?} burnt");
			Self::deposit_event(Event::OperatorSlashed { operator, amount });
			Ok(())
		}

		/// Requests an inference from `model`'s active version. `input` is the input tensor's
		/// elements, row-major, in the version's input fixed point (`round(x *
		/// 10^input_scale)`); its length must be the input spec's element count. Holds
		/// `RequestFee` from the caller (refused if above `max_fee`) until the result is
		/// final (paid to the agreeing operators) or the request expires (refunded) after
		/// `ResponseWindow` blocks.
		///
		/// The origin must be signed. Emits `InferenceRequested`.
		#[pallet::call_index(4)]
		pub fn request_inference(
			origin: OriginFor<T>,
			model: ModelId,
			input: Vec<i64>,
			max_fee: BalanceOf<T>,
		) -> DispatchResult {
			let requester = ensure_signed(origin)?;
			Self::do_request(requester, model, input, max_fee).map(|_| ())
		}

		/// Records an operator's output (or failure) for a pending request, and finalizes the
		/// request once enough outputs agree. Sent by operators' off-chain workers as an
		/// authorized transaction: `signature` is the operator's `orcl` signature over the
		/// SCALE-encoded `submission`, checked before the transaction enters the pool.
		///
		/// Emits `ResultSubmitted`, and `ResultFinalized` when the result becomes final.
		///
		/// ## Complexity
		/// `O(S * L + O)`: `S` submissions of `L` elements compared, `O` operators counted
		/// on finalization. Charged for the worst case: the submission that finalizes a
		/// request every operator answered.
		#[pallet::call_index(5)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_submit_result())]
		#[pallet::authorize(Self::authorize_submission)]
		pub fn submit_result(
			origin: OriginFor<T>,
			submission: ResultSubmission<T::AuthorityId>,
			// Verified in `authorize_submission`.
			_signature: <T::AuthorityId as RuntimeAppPublic>::Signature,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			Self::do_submit(submission).map(|_| ())
		}
	}
}

impl<T: Config> Pallet<T> {
	fn now() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}

	/// Registers `who` with `key` and holds its bond.
	pub fn do_register(who: T::AccountId, key: T::AuthorityId) -> DispatchResult {
		ensure!(!Operators::<T>::contains_key(&who), Error::<T>::AlreadyOperator);
		ensure!(!OperatorByKey::<T>::contains_key(&key), Error::<T>::KeyInUse);
		ensure!(Operators::<T>::count() < T::MaxOperators::get(), Error::<T>::TooManyOperators);
		let bond = T::OperatorBond::get();
		T::Currency::hold(&HoldReason::OperatorBond.into(), &who, bond)?;
		let record =
			Operator { key: key.clone(), bond, agreements: 0, outliers: 0, failures: 0, misses: 0 };
		Operators::<T>::insert(&who, record);
		OperatorByKey::<T>::insert(&key, &who);
		log::info!(target: LOG_TARGET, "operator {who:?} registered");
		Self::deposit_event(Event::OperatorRegistered { operator: who, key });
		Ok(())
	}

	fn do_remove(who: &T::AccountId) -> DispatchResult {
		let record = Operators::<T>::take(who).ok_or(Error::<T>::NotOperator)?;
		OperatorByKey::<T>::remove(&record.key);
		T::Currency::release(
			&HoldReason::OperatorBond.into(),
			who,
			record.bond,
			Precision::BestEffort,
		)?;
		Self::deposit_event(Event::OperatorRemoved { operator: who.clone() });
		Ok(())
	}

	/// Makes a request; returns its id.
	pub fn do_request(
		requester: T::AccountId,
		model: ModelId,
		input: Vec<i64>,
		max_fee: BalanceOf<T>,
	) -> Result<RequestId, DispatchError> {
		let version = T::Models::active_version(model).ok_or(Error::<T>::NoActiveVersion)?;
		let input_len = version.input.element_count().ok_or(Error::<T>::TensorTooLarge)?;
		let output_len = version.output.element_count().ok_or(Error::<T>::TensorTooLarge)?;
		ensure!(
			input_len <= T::MaxInputLen::get() && output_len <= T::MaxOutputLen::get(),
			Error::<T>::TensorTooLarge
		);
		ensure!(input.len() == input_len as usize, Error::<T>::InputLengthMismatch);
		let fee = T::RequestFee::get();
		ensure!(fee <= max_fee, Error::<T>::FeeAboveMax);

		let id = NextRequestId::<T>::get();
		let now = Self::now();
		let deadline = now.saturating_add(T::ResponseWindow::get());
		// Expired at the start of the block after the deadline.
		Expiries::<T>::try_mutate(deadline.saturating_add(One::one()), |due| due.try_push(id))
			.map_err(|_| Error::<T>::TooManyRequestsInBlock)?;
		T::Currency::hold(&HoldReason::RequestFee.into(), &requester, fee)?;

		NextRequestId::<T>::put(id.saturating_add(1));
		Self::prune(id);
		let request = Request {
			requester: requester.clone(),
			model,
			version: version.version,
			model_hash: version.model_hash,
			// The length was checked against `input_len`, itself within `MaxInputLen`.
			input: BoundedVec::truncate_from(input),
			output: version.output,
			aggregation: version.aggregation,
			min_agreement: version.min_agreement,
			fee,
			created_at: now,
			deadline,
			status: RequestStatus::Pending,
		};
		Requests::<T>::insert(id, request);
		PendingRequests::<T>::insert(id, ());
		log::info!(target: LOG_TARGET, "request {id}: model {model} version {}", version.version);
		Self::deposit_event(Event::InferenceRequested {
			request: id,
			requester,
			model,
			version: version.version,
			fee,
			deadline,
		});
		Ok(id)
	}

	/// Deletes the request retained longest, making room for request `new`.
	fn prune(new: RequestId) {
		let Some(old) = new.checked_sub(T::MaxRetainedRequests::get().into()) else { return };
		if let Some(request) = Requests::<T>::take(old) {
			if request.status == RequestStatus::Pending {
				// `integrity_test` proves a request closes long before it is pruned.
				defensive!("a pending request reached the retention limit");
				PendingRequests::<T>::remove(old);
				Self::refund(&request);
			}
		}
		Submissions::<T>::remove(old);
		Results::<T>::remove(old);
	}

	/// Checks a submission against the chain's state: the request is pending, the key is
	/// a registered operator's that has not submitted, and an output has the right length.
	/// Returns the operator's account.
	fn check_submission(
		submission: &ResultSubmission<T::AuthorityId>,
	) -> Result<(T::AccountId, RequestOf<T>), Error<T>> {
		let request = Requests::<T>::get(submission.request).ok_or(Error::<T>::RequestNotFound)?;
		ensure!(request.status == RequestStatus::Pending, Error::<T>::RequestNotPending);
		let operator =
			OperatorByKey::<T>::get(&submission.key).ok_or(Error::<T>::UnknownOperatorKey)?;
		ensure!(
			!Submissions::<T>::get(submission.request).iter().any(|s| s.operator == operator),
			Error::<T>::AlreadySubmitted
		);
		if let Outcome::Output(output) = &submission.outcome {
			ensure!(
				Some(output.len() as u32) == request.output.element_count(),
				Error::<T>::OutputLengthMismatch
			);
		}
		Ok((operator, request))
	}

	/// The transaction-pool check of a submission: valid against the state, and signed by
	/// its key. The signature is checked last: it is the expensive part.
	fn authorize_submission(
		_source: TransactionSource,
		submission: &ResultSubmission<T::AuthorityId>,
		signature: &<T::AuthorityId as RuntimeAppPublic>::Signature,
	) -> TransactionValidityWithRefund {
		let (_, request) = match Self::check_submission(submission) {
			Ok(checked) => checked,
			Err(Error::<T>::RequestNotFound)
			| Err(Error::<T>::RequestNotPending)
			| Err(Error::<T>::AlreadySubmitted) => return Err(InvalidTransaction::Stale.into()),
			Err(Error::<T>::UnknownOperatorKey) => return Err(InvalidTransaction::BadSigner.into()),
			Err(_) => return Err(InvalidTransaction::Custom(0).into()),
		};
		if !submission.using_encoded(|payload| submission.key.verify(&payload, signature)) {
			return Err(InvalidTransaction::BadProof.into());
		}
		let longevity = request.deadline.saturating_sub(Self::now()).saturated_into::<u64>().max(1);
		ValidTransaction::with_tag_prefix("InferenceOracle")
			.priority(T::SubmissionPriority::get())
			.and_provides((submission.request, submission.key.clone()))
			.longevity(longevity)
			.propagate(true)
			.build()
			.map(|validity| (validity, Weight::zero()))
	}

	/// Records a submission and finalizes the request if enough outputs agree. Returns the
	/// number of submissions to the request (for the weight).
	fn do_submit(submission: ResultSubmission<T::AuthorityId>) -> Result<u32, DispatchError> {
		let (operator, request) = Self::check_submission(&submission)?;
		let id = submission.request;
		let is_output = matches!(submission.outcome, Outcome::Output(_));
		let outcome = match submission.outcome {
			// The length was checked against the output spec, within `MaxOutputLen`.
			Outcome::Output(output) => Outcome::Output(BoundedVec::truncate_from(output)),
			Outcome::Failed(failure) => Outcome::Failed(failure),
		};
		let mut submissions = Submissions::<T>::get(id);
		submissions
			.try_push(Submission { operator: operator.clone(), outcome, at: Self::now() })
			// Operators who left may have submitted too, so more accounts than
			// `MaxOperators` could try over a request's life.
			.map_err(|_| Error::<T>::TooManySubmissions)?;
		let count = submissions.len() as u32;
		Self::deposit_event(Event::ResultSubmitted { request: id, operator, output: is_output });

		let outputs: Vec<&[i64]> = submissions
			.iter()
			.filter_map(|s| match &s.outcome {
				Outcome::Output(o) => Some(o.as_slice()),
				Outcome::Failed(_) => None,
			})
			.collect();
		let accepted = aggregate::aggregate(request.aggregation, request.min_agreement, &outputs);
		if let Some(accepted) = accepted {
			Self::finalize(id, request, &submissions, accepted);
		}
		Submissions::<T>::insert(id, submissions);
		Ok(count)
	}

	/// Closes a request with an accepted output: pays the agreeing operators, counts every
	/// operator's part, stores the result.
	fn finalize(
		id: RequestId,
		mut request: RequestOf<T>,
		submissions: &SubmissionsOf<T>,
		accepted: aggregate::Accepted,
	) {
		let output_submitters =
			submissions.iter().filter(|s| matches!(s.outcome, Outcome::Output(_)));
		let mut agreeing = Vec::new();
		let mut outliers = Vec::new();
		for (submission, agrees) in output_submitters.zip(accepted.agrees.iter()) {
			if *agrees {
				agreeing.push(submission.operator.clone());
			} else {
				outliers.push(submission.operator.clone());
			}
		}
		Self::pay(&request, &agreeing);
		Self::count(submissions, &agreeing, &outliers);

		let output: BoundedVec<i64, T::MaxOutputLen> = BoundedVec::truncate_from(accepted.output);
		Results::<T>::insert(id, FinalResult { output: output.clone(), finalized_at: Self::now() });
		request.status = RequestStatus::Finalized;
		Requests::<T>::insert(id, request);
		PendingRequests::<T>::remove(id);
		log::info!(
			target: LOG_TARGET,
			"request {id} finalized: {} agreeing, {} outliers",
			agreeing.len(),
			outliers.len()
		);
		Self::deposit_event(Event::ResultFinalized {
			request: id,
			output,
			agreeing: BoundedVec::truncate_from(agreeing),
			outliers: BoundedVec::truncate_from(outliers),
		});
	}

	/// Splits the fee equally among `agreeing`; the remainder of the division goes back to
	/// the requester.
	fn pay(request: &RequestOf<T>, agreeing: &[T::AccountId]) {
		let reason = HoldReason::RequestFee.into();
		let count: BalanceOf<T> = (agreeing.len() as u32).into();
		let share = if count.is_zero() { Zero::zero() } else { request.fee / count };
		for operator in agreeing {
			let paid = T::Currency::transfer_on_hold(
				&reason,
				&request.requester,
				operator,
				share,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Polite,
			);
			if let Err(e) = paid {
				log::warn!(target: LOG_TARGET, "fee share to {operator:?} not paid: {e:?}");
			}
		}
		let rest = request.fee.saturating_sub(share.saturating_mul(count));
		let _ = T::Currency::release(&reason, &request.requester, rest, Precision::BestEffort);
	}

	/// Returns a request's fee to the requester.
	fn refund(request: &RequestOf<T>) {
		let _ = T::Currency::release(
			&HoldReason::RequestFee.into(),
			&request.requester,
			request.fee,
			Precision::BestEffort,
		);
	}

	/// Counts each operator's part in a closed request: agreements, outliers, failures,
	/// and misses for the registered operators who did not submit.
	fn count(submissions: &SubmissionsOf<T>, agreeing: &[T::AccountId], outliers: &[T::AccountId]) {
		let submitted: BTreeSet<&T::AccountId> = submissions.iter().map(|s| &s.operator).collect();
		let failed: BTreeSet<&T::AccountId> = submissions
			.iter()
			.filter(|s| matches!(s.outcome, Outcome::Failed(_)))
			.map(|s| &s.operator)
			.collect();
		let agreeing: BTreeSet<&T::AccountId> = agreeing.iter().collect();
		let outliers: BTreeSet<&T::AccountId> = outliers.iter().collect();
		// Bounded: at most `MaxOperators` operators.
		for (account, mut record) in Operators::<T>::iter() {
			if agreeing.contains(&account) {
				record.agreements.saturating_inc();
			} else if outliers.contains(&account) {
				record.outliers.saturating_inc();
			} else if failed.contains(&account) {
				record.failures.saturating_inc();
			} else if !submitted.contains(&account) {
				record.misses.saturating_inc();
			} else {
				// An output that neither agreed nor was an outlier: the request expired
				// without agreement. Nothing to count.
				continue;
			}
			Operators::<T>::insert(account, record);
		}
	}

	/// Expires `id` if it is still pending: refunds its fee and counts misses.
	fn expire(id: RequestId) {
		let Some(mut request) = Requests::<T>::get(id) else { return };
		if request.status != RequestStatus::Pending {
			return;
		}
		Self::refund(&request);
		Self::count(&Submissions::<T>::get(id), &[], &[]);
		request.status = RequestStatus::Expired;
		Requests::<T>::insert(id, request);
		PendingRequests::<T>::remove(id);
		log::info!(target: LOG_TARGET, "request {id} expired without agreement");
		Self::deposit_event(Event::RequestExpired { request: id });
	}
}

use frame::deps::sp_runtime::TryRuntimeError;

// Always compiled (not only for try-runtime) so that runtime-level tests can check the
// invariants too.
impl<T: Config> Pallet<T> {
	/// Checks the pallet's invariants; `try_state` runs it under try-runtime.
	///
	/// ## Expectations
	/// - `Operators` and `OperatorByKey` agree both ways, within `MaxOperators`;
	/// - `PendingRequests` holds exactly the retained requests with status `Pending`, each
	///   with an expiry entry at `deadline + 1`; results exist exactly for finalized ones;
	/// - every retained request id is below `NextRequestId` and within the retention;
	/// - submissions are one per operator, never more than `MaxOperators`.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		ensure!(Operators::<T>::count() <= T::MaxOperators::get(), "too many operators");
		for (account, record) in Operators::<T>::iter() {
			ensure!(
				OperatorByKey::<T>::get(&record.key) == Some(account),
				"an operator's key is not indexed"
			);
		}
		ensure!(
			OperatorByKey::<T>::iter().count() as u32 == Operators::<T>::count(),
			"OperatorByKey has keys of no operator"
		);
		let next = NextRequestId::<T>::get();
		let oldest = next.saturating_sub(T::MaxRetainedRequests::get().into());
		let mut pending = 0u32;
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
			if is_pending {
				pending += 1;
				ensure!(
					Expiries::<T>::get(request.deadline.saturating_add(One::one())).contains(&id),
					"a pending request has no expiry"
				);
			}
			let submissions = Submissions::<T>::get(id);
			let operators: BTreeSet<_> = submissions.iter().map(|s| &s.operator).collect();
			ensure!(operators.len() == submissions.len(), "two submissions by one operator");
		}
		ensure!(PendingRequests::<T>::count() == pending, "PendingRequests has extra entries");
		Ok(())
	}
}
