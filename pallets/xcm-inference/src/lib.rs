//! # XCM inference pallet
//!
//! Inference for sibling parachains. A sibling asks aioracle for an inference with an XCM
//! `Transact` of [`request_with_callback`](Pallet::request_with_callback), naming a call of
//! its own; when the request closes, aioracle completes that call with the result and sends
//! it back to the sibling as an XCM `Transact`.
//!
//! ## Terminology
//! - **Sibling**: a parachain of the same relay chain, known here by its para id. Its calls
//!   come from `SiblingOrigin` (in aioracle's runtime cumulus-pallet-xcm's
//!   `Origin::SiblingParachain`: an XCM `Transact` with `OriginKind::Native` from `(1,
//!   Parachain(id))`).
//! - **Sovereign account**: the sibling's account on aioracle (`SovereignAccount`). It is
//!   the request's requester, pays its fee and price as any requester does, and holds
//!   `CallbackDeposit` for each callback until its result is delivered or discarded.
//! - **Callback**: a sibling's call prefix (pallet index, call index, leading arguments)
//!   and the most the completed call may weigh there ([`Callback`]).
//! - **Result call**: `call_prefix ++ SCALE((request, outcome))`, with `request` the
//!   oracle's request id (`u64`) and `outcome` a [`RemoteOutcome`] (in
//!   `aioracle-primitives`, which a sibling depends on to decode it): `Finalized(output)` or
//!   `Expired`. At most `MaxResultBytes` long.
//!
//! ## Scenario
//! 1. The sibling sends aioracle `[WithdrawAsset, BuyExecution, Transact { origin_kind:
//!    Native, call: XcmInference::request_with_callback { .. } }, RefundSurplus,
//!    DepositAsset]`. Its sovereign account holds the deposit and makes the request
//!    ([`RequestInference`]); `CallbackRegistered` is emitted and the callback waits in
//!    [`Callbacks`].
//! 2. When the request closes (finalized or expired), the oracle tells this pallet
//!    ([`OnInferenceResult`], in [`queue`]), which writes the result call, complete, to the
//!    [`Outbox`]. Nothing is sent yet: the hook runs inside whatever closes the request and
//!    must stay small (one read, one write).
//! 3. `on_idle` sends queued results ([`delivery`]):
//!    `[UnpaidExecution { weight_limit: Limited(w), check_origin: None }, Transact {
//!    origin_kind: Native, fallback_max_weight: Some(w), call }]` to `(1, Parachain(id))`.
//!    Delivered: `ResultDelivered`, the deposit released. Not delivered (no channel, a full
//!    queue): `ResultUndelivered`, and the result stays in the outbox marked failed, never
//!    tried again by `on_idle`; anyone may [`retry_delivery`](Pallet::retry_delivery), or the
//!    sibling [`discard_result`](Pallet::discard_result).
//!
//! A request gets one result call. Its callback stays in [`Callbacks`] until that call is
//! delivered (or discarded): a dispute that replaces the result before then replaces the
//! queued call; one that replaces it later is not sent (the callback is gone by then). A
//! sibling that relies on a result should wait for the oracle's `DisputeWindow` or read the
//! result again. A request the oracle answers in its own call (its exact tier) is queued at
//! once.
//!
//! ## What the sibling configures
//! The result arrives as unpaid execution from aioracle's location with a Native origin, so
//! the sibling's XCM configuration must:
//! - let it through the barrier: `AllowExplicitUnpaidExecutionFrom<Equals<(1,
//!   Parachain(AIORACLE))>>` (`weight_limit` is the callback's own `weight_limit`);
//! - convert its Native origin: `SiblingParachainAsNative<cumulus_pallet_xcm::Origin,
//!   RuntimeOrigin>` among the origin converters;
//! - and its consumer call check the origin: `ensure_sibling_para(origin)? ==
//!   AIORACLE.into()`, taking `request: u64, outcome: RemoteOutcome` as its last arguments.
//!
//! ## Why `on_idle`
//! Delivery runs in `on_idle`, after every transaction and inherent of the block: it takes
//! no weight from transactions (the sibling paid for its delivery's weight up front, in
//! its request), and it runs after parachain-system's inherent, so the XCMP router sees this
//! block's channels. At most `MaxDeliveriesPerBlock` messages are sent per block, whatever
//! the spare weight, so that one block does not fill the outbound queues. A cursor over the
//! outbox ([`DeliveryCursor`]) resumes where the last block stopped, so every queued result
//! is reached. In blocks with no spare weight results wait.
//!
//! ## Deposits and bounds
//! Every entry of [`Callbacks`] holds `CallbackDeposit` from its sibling's sovereign
//! account (`HoldReason::CallbackDeposit`), and every entry of [`Outbox`] has one, which
//! bounds both maps by what the siblings lock. Failed results stay until retried or discarded; `on_idle` skips them but
//! reads each one it passes.
//!
//! ## API
//! Calls: [`request_with_callback`](Pallet::request_with_callback) and
//! [`discard_result`](Pallet::discard_result) (siblings),
//! [`retry_delivery`](Pallet::retry_delivery) (anyone).
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;

pub use aioracle_primitives::{
	consumer::{ClosedAs, InferenceResults, OnInferenceResult, RemoteOutcome, RequestInference},
	model::ModelId,
	oracle::RequestId,
};
use frame::{
	deps::{frame_support::dispatch::WithPostDispatchInfo, sp_runtime::TryRuntimeError},
	prelude::*,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		tokens::Precision,
		Contains,
	},
};
use xcm::latest::{SendXcm, XcmHash};

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod delivery;
mod invariants;
#[cfg(test)]
mod mock;
pub mod queue;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

/// The log target of this pallet.
pub const LOG_TARGET: &str = "runtime::xcm-inference";

/// The balance type of the currency deposits are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// A callback of this runtime, as a sibling gives it.
pub type CallbackOf<T> = Callback<<T as Config>::MaxCallbackBytes>;
/// A callback of this runtime waiting for its request to close.
pub type PendingCallbackOf<T> = PendingCallback<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	<T as Config>::MaxCallbackBytes,
>;
/// A result of this runtime waiting to be sent.
pub type QueuedResultOf<T> = QueuedResult<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	<T as Config>::MaxResultBytes,
>;

/// The storage version: 0, the first.
pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

#[frame::pallet]
pub mod pallet {
	use super::*;

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The currency deposits are held in.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;

		/// The runtime's hold reasons, which include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// The oracle: makes the requests, and reads a result back (for a request it answers
		/// in its own call, before this pallet could register the callback). In aioracle's
		/// runtime the inference oracle pallet, whose `OnResult` must include this pallet.
		type Oracle: RequestInference<Self::AccountId, BalanceOf<Self>>
			+ InferenceResults<Self::AccountId, BlockNumberFor<Self>>;

		/// The origin of a sibling parachain, whose id it returns. In aioracle's runtime, an
		/// `EnsureOrigin` accepting cumulus-pallet-xcm's `Origin::SiblingParachain(id)` (what
		/// `SiblingParachainAsNative` makes of an XCM `Transact` with `OriginKind::Native`
		/// from `(1, Parachain(id))`; cumulus-pallet-xcm has `ensure_sibling_para` but no
		/// `EnsureOrigin` type). Its `try_successful_origin` is what the benchmarks act as.
		type SiblingOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = u32>;

		/// A sibling's sovereign account here: who makes and pays its requests, and holds its
		/// callbacks' deposits. Must be what the XCM configuration converts `(1,
		/// Parachain(id))` to, so that the sibling can fund it.
		type SovereignAccount: Convert<u32, Self::AccountId>;

		/// The accounts that may be siblings' sovereign accounts (every `SovereignAccount`
		/// must be one). A request of any other account has no callback: the oracle's hook
		/// returns at once for it, without reading storage, and charges it nothing
		/// (`OnInferenceResult::weight_for`), so that the chain's own requests do not pay
		/// for XCM.
		type SiblingAccounts: Contains<Self::AccountId>;

		/// Sends results to siblings (in aioracle's runtime its XCMP router).
		type XcmSender: SendXcm;

		/// The deposit held from the sovereign account for each callback, until its result
		/// is delivered or discarded: the price of an entry of [`Callbacks`] and of its
		/// [`Outbox`] entry (at most `MaxResultBytes` and a few dozen bytes).
		#[pallet::constant]
		type CallbackDeposit: Get<BalanceOf<Self>>;

		/// The longest call prefix a callback may have.
		#[pallet::constant]
		type MaxCallbackBytes: Get<u32>;

		/// The longest result call (the prefix, the request id and the outcome). An output
		/// of `n` elements takes `prefix + 8 + 1 + compact(n) + 8n` bytes: with outputs of at
		/// most a few hundred elements, a few KiB. More than `MaxCallbackBytes + 9`.
		#[pallet::constant]
		type MaxResultBytes: Get<u32>;

		/// The most results sent per block. At least 1.
		#[pallet::constant]
		type MaxDeliveriesPerBlock: Get<u32>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// The callbacks of requests whose result is not delivered or discarded yet, by
	/// request: each holds the deposit.
	#[pallet::storage]
	pub type Callbacks<T: Config> = StorageMap<_, Twox64Concat, RequestId, PendingCallbackOf<T>>;

	/// The results of closed requests not delivered yet (queued, or failed), by request;
	/// each has its callback in [`Callbacks`].
	#[pallet::storage]
	pub type Outbox<T: Config> = StorageMap<_, Twox64Concat, RequestId, QueuedResultOf<T>>;

	/// The last outbox entry `on_idle` looked at; the next block goes on from the entry
	/// after it. `None`: from the start.
	#[pallet::storage]
	pub type DeliveryCursor<T: Config> = StorageValue<_, RequestId>;

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A callback's deposit, until its result is delivered or discarded.
		#[codec(index = 0)]
		CallbackDeposit,
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A sibling requested an inference with a callback: its result will be sent back.
		CallbackRegistered {
			/// The oracle's request (its `InferenceRequested` came before).
			request: RequestId,
			/// The sibling.
			para: u32,
		},
		/// A result was sent to its sibling; its deposit was released.
		ResultDelivered {
			/// The request.
			request: RequestId,
			/// The sibling.
			para: u32,
			/// The id (hash) of the XCM message, as the router reports it.
			message_id: XcmHash,
		},
		/// A result could not be sent: it stays in the outbox until retried or discarded.
		ResultUndelivered {
			/// The request.
			request: RequestId,
			/// The sibling.
			para: u32,
			/// Why.
			error: DeliveryError,
		},
		/// A sibling gave up a result it had not received; its deposit was released.
		ResultDiscarded {
			/// The request.
			request: RequestId,
			/// The sibling.
			para: u32,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The sibling's sovereign account cannot hold `CallbackDeposit`.
		CannotHoldDeposit,
		/// No result of this request is waiting in the outbox.
		ResultNotFound,
		/// The result belongs to another sibling.
		NotYours,
		/// The result's delivery has not failed: `on_idle` will send it.
		NotFailed,
		/// The result call is longer than `MaxResultBytes`: it can never be sent (its sibling
		/// may discard it).
		ResultTooLarge,
		/// The router refused the result again.
		DeliveryFailed,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Sends queued results with the block's spare weight, at most
		/// `MaxDeliveriesPerBlock` (see [`delivery`]).
		fn on_idle(_now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::deliver_queued(remaining)
		}

		fn integrity_test() {
			assert!(
				T::MaxDeliveriesPerBlock::get() >= 1,
				"MaxDeliveriesPerBlock must be at least 1"
			);
			assert!(
				T::MaxResultBytes::get() > T::MaxCallbackBytes::get().saturating_add(9),
				"MaxResultBytes must leave room after the longest prefix for a request id and an outcome"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Requests an inference from `model` for `input` (as the oracle's
		/// `request_inference`, paying at most `max_fee`), made and paid by the sibling's
		/// sovereign account, and sends the result back to the sibling as `callback` says
		/// when the request first closes. Holds `CallbackDeposit` from the sovereign account
		/// until the result is delivered or discarded. On an error nothing changes.
		///
		/// The origin must be a sibling parachain (`SiblingOrigin`). Emits the oracle's
		/// `InferenceRequested`, then `CallbackRegistered`.
		///
		/// ## Weight
		/// Charged this pallet's part, the most a request may take, and the result's
		/// delivery up front (which `on_idle` does later without charging anyone); refunded
		/// to what the request took, or on an error to this pallet's part and what the
		/// oracle's refusal took (so a sibling whose request fails pays for little more than
		/// the checks).
		#[pallet::call_index(0)]
		#[pallet::weight(Pallet::<T>::callback_weight()
			.saturating_add(T::Oracle::max_request_weight()))]
		pub fn request_with_callback(
			origin: OriginFor<T>,
			model: ModelId,
			input: Vec<i64>,
			max_fee: BalanceOf<T>,
			callback: CallbackOf<T>,
		) -> DispatchResultWithPostInfo {
			let para = T::SiblingOrigin::ensure_origin(origin)?;
			let refused = T::WeightInfo::request_with_callback()
				.saturating_add(T::Oracle::refused_request_weight());
			let (_, taken) = Self::do_request_with_callback(para, model, input, max_fee, callback)
				.map_err(|e| e.with_weight(refused))?;
			let actual = Self::callback_weight().saturating_add(taken);
			Ok(PostDispatchInfo { actual_weight: Some(actual), pays_fee: Pays::Yes })
		}

		/// Sends again a result whose delivery failed; on success releases its deposit.
		/// Fails with `DeliveryFailed` (and changes nothing) if the router refuses it again.
		///
		/// The origin must be signed (anyone: a relayer, the sibling's friends). Emits
		/// `ResultDelivered`.
		#[pallet::call_index(1)]
		pub fn retry_delivery(origin: OriginFor<T>, request: RequestId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_retry(request)
		}

		/// Gives up a result not delivered yet (queued or failed): it is deleted and its
		/// deposit released to the sovereign account.
		///
		/// The origin must be the sibling the result belongs to (`SiblingOrigin`). Emits
		/// `ResultDiscarded`.
		#[pallet::call_index(2)]
		pub fn discard_result(origin: OriginFor<T>, request: RequestId) -> DispatchResult {
			let para = T::SiblingOrigin::ensure_origin(origin)?;
			Self::do_discard(para, request)
		}
	}
}

impl<T: Config> Pallet<T> {
	/// What `request_with_callback` takes besides the oracle's request: its own part, the
	/// oracle's result read (for a request answered in its own call), and the delivery
	/// that `on_idle` will do.
	pub fn callback_weight() -> Weight {
		T::WeightInfo::request_with_callback()
			.saturating_add(T::Oracle::result_weight())
			.saturating_add(T::WeightInfo::deliver())
	}

	/// Holds the deposit from `para`'s sovereign account, makes the request, and registers
	/// the callback (or queues the result at once, if the oracle answered in the call).
	/// Returns the request's id and the weight the oracle's request took.
	pub fn do_request_with_callback(
		para: u32,
		model: ModelId,
		input: Vec<i64>,
		max_fee: BalanceOf<T>,
		callback: CallbackOf<T>,
	) -> Result<(RequestId, Weight), DispatchError> {
		let (depositor, deposit) = Self::hold_deposit(para)?;
		let (request, taken) = T::Oracle::request(depositor.clone(), model, input, max_fee)?;
		Self::register(request, PendingCallback { para, callback, depositor, deposit });
		Ok((request, taken))
	}

	/// Holds `CallbackDeposit` from `para`'s sovereign account; returns the account and the
	/// amount.
	pub(crate) fn hold_deposit(para: u32) -> Result<(T::AccountId, BalanceOf<T>), DispatchError> {
		let depositor = T::SovereignAccount::convert(para);
		let deposit = T::CallbackDeposit::get();
		T::Currency::hold(&HoldReason::CallbackDeposit.into(), &depositor, deposit)
			.map_err(|_| Error::<T>::CannotHoldDeposit)?;
		Ok((depositor, deposit))
	}

	/// Registers `pending` for `request`, just made. A request the oracle answered in its
	/// own call (the exact tier) was closed before its callback existed: its result is
	/// read back and queued at once.
	pub(crate) fn register(request: RequestId, pending: PendingCallbackOf<T>) {
		let para = pending.para;
		if let Some(result) = T::Oracle::result(request) {
			let queued =
				Self::queued(request, pending.clone(), RemoteOutcome::Finalized(result.output));
			Outbox::<T>::insert(request, queued);
		}
		Callbacks::<T>::insert(request, pending);
		log::debug!(target: LOG_TARGET, "request {request}: callback to para {para}");
		Self::deposit_event(Event::CallbackRegistered { request, para });
	}

	/// Deletes `request`'s result from the outbox, and its callback, and releases its
	/// deposit.
	pub(crate) fn remove_result(request: RequestId, queued: &QueuedResultOf<T>) {
		Outbox::<T>::remove(request);
		Callbacks::<T>::remove(request);
		let released = T::Currency::release(
			&HoldReason::CallbackDeposit.into(),
			&queued.depositor,
			queued.deposit,
			Precision::BestEffort,
		);
		if released.map_or(true, |amount| amount != queued.deposit) {
			defensive!("a result's deposit was not held in full");
		}
	}

	/// `para` gives up `request`'s result.
	pub(crate) fn do_discard(para: u32, request: RequestId) -> DispatchResult {
		let queued = Outbox::<T>::get(request).ok_or(Error::<T>::ResultNotFound)?;
		ensure!(queued.para == para, Error::<T>::NotYours);
		Self::remove_result(request, &queued);
		Self::deposit_event(Event::ResultDiscarded { request, para });
		Ok(())
	}
}
