//! What the runtime API returns: requests, results, submissions and operators as views.

use aioracle_primitives::oracle::{
	OperatorView, Payment, Recipient, RequestView, ResultStage, ResultView, SubmissionView,
};
use alloc::vec::Vec;

use super::*;

/// The most pending requests one `pending_requests` call returns.
pub const MAX_PENDING_QUERY: u32 = 256;

/// A request view of this runtime.
pub type RequestViewOf<T> =
	RequestView<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
/// A result view of this runtime.
pub type ResultViewOf<T> = ResultView<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
/// A submission view of this runtime.
pub type SubmissionViewOf<T> =
	SubmissionView<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
/// An operator view of this runtime.
pub type OperatorViewOf<T> =
	OperatorView<<T as frame_system::Config>::AccountId, BalanceOf<T>, <T as Config>::AuthorityId>;

impl<T: Config> Pallet<T> {
	/// Request `id`, if retained.
	pub fn request_view(id: RequestId) -> Option<RequestViewOf<T>> {
		let Some(r) = Requests::<T>::get(id) else {
			return Self::exact_answer(id).map(Self::exact_request_view);
		};
		Some(RequestView {
			id,
			requester: r.requester,
			model: r.model,
			version: r.version,
			model_hash: r.model_hash,
			input: r.input.into_inner(),
			fee: r.fee,
			price: r.price,
			created_at: r.created_at,
			deadline: r.deadline,
			aggregation: r.contract.aggregation,
			min_agreement: r.contract.min_agreement,
			status: r.status,
			input_reference: RequestInputs::<T>::get(id),
		})
	}

	/// The request view of an exact answer: finalized in the block it was made, no fee.
	fn exact_request_view(a: ExactAnswerOf<T>) -> RequestViewOf<T> {
		RequestView {
			id: a.id,
			requester: a.requester,
			model: a.model,
			version: a.version,
			model_hash: a.model_hash,
			input: a.input.into_inner(),
			fee: Zero::zero(),
			price: a.price,
			created_at: a.answered_at,
			deadline: a.answered_at,
			aggregation: a.aggregation,
			min_agreement: a.min_agreement,
			status: RequestStatus::Finalized,
			input_reference: None,
		}
	}

	/// Who was paid what from finalized request `id` (see [`Self::payments`]). Empty
	/// unless the request finalized (and its result is retained).
	pub fn payment_views(id: RequestId) -> Vec<Payment<T::AccountId, BalanceOf<T>>> {
		match (Self::request_view(id), Self::result_view(id)) {
			(Some(request), Some(result)) => Self::payments(id, &request, &result),
			_ => Vec::new(),
		}
	}

	/// Who was paid what from request `id`, whose views are `request` and its finalized
	/// `result`: each agreeing operator's share of the fee, and the price's split between
	/// the model's owner and the royalties.
	pub fn payments(
		id: RequestId,
		request: &RequestViewOf<T>,
		result: &ResultViewOf<T>,
	) -> Vec<Payment<T::AccountId, BalanceOf<T>>> {
		// The members who shared the fee: those who agreed on the result at its close,
		// which a dispute may have replaced since.
		let paid = OverturnedAgreement::<T>::get(id)
			.map(|a| a.into_inner())
			.unwrap_or_else(|| result.agreeing.clone());
		let share = Self::fee_share(request.fee, paid.len() as u32);
		let mut payments: Vec<_> = paid
			.into_iter()
			.map(|operator| Payment { to: Recipient::Operator(operator), amount: share })
			.collect();
		if !request.price.is_zero() {
			let royalties = T::Market::royalties(request.model, request.version);
			payments.extend(
				aioracle_primitives::market::split(request.price, &royalties)
					.into_iter()
					.map(|(payee, amount)| Payment { to: Recipient::Payee(payee), amount }),
			);
		}
		payments
	}

	/// What a request to `model` costs now (`InferenceOracleApi::quote`): the operators'
	/// fee, the active version's price and how it is split, and the retention deposit of
	/// an inline request. Errors as `request_inference` would: no active version, no
	/// inference permitted, outputs too large, a price that overflows. A version with an
	/// exact program is quoted as it answers: no fee, no committee.
	pub fn quote(model: ModelId) -> Result<Quote<BalanceOf<T>>, DispatchError> {
		let (target, contract) = Self::active_serving(model)?;
		let exact = T::Models::has_exact_program(model, target.version);
		let fee = if exact { Zero::zero() } else { T::RequestFee::get() };
		let price = T::Market::price(model, target.version);
		let total = fee.checked_add(&price).ok_or(Error::<T>::PriceOverflow)?;
		let input_len = contract.input_len().ok_or(Error::<T>::TensorTooLarge)?;
		let output_len = contract.reported_len().ok_or(Error::<T>::TensorTooLarge)?;
		let members = if exact {
			0
		} else {
			Self::committee_size(
				contract.min_agreement,
				OperatorSet::<T>::decode_len().unwrap_or_default() as u32,
			)
		};
		let sample = Request {
			// Any account: only the request's size counts.
			requester: T::AccountId::decode(&mut TrailingZeroInput::zeroes())
				.map_err(|_| DispatchError::Other("an account does not decode from zeroes"))?,
			model,
			version: target.version,
			model_hash: target.model_hash,
			contract,
			input: BoundedVec::truncate_from(alloc::vec![0; input_len as usize]),
			fee,
			price,
			deposit: Zero::zero(),
			created_at: Zero::zero(),
			deadline: Zero::zero(),
			status: RequestStatus::Pending,
		};
		let royalties = T::Market::royalties(model, target.version);
		// An exact answer holds no deposit (see `exact`).
		let deposit =
			if exact { Zero::zero() } else { Self::retention_deposit(&sample, output_len, members) };
		Ok(Quote {
			version: target.version,
			fee,
			price,
			total,
			deposit,
			split: aioracle_primitives::market::split(price, &royalties),
		})
	}

	/// Pending requests, oldest first, at most `limit` (capped at [`MAX_PENDING_QUERY`]).
	pub fn pending_request_views(limit: u32) -> Vec<RequestViewOf<T>> {
		let mut ids: Vec<RequestId> = PendingRequests::<T>::iter_keys().collect();
		ids.sort();
		ids.into_iter()
			.take(limit.min(MAX_PENDING_QUERY) as usize)
			.filter_map(Self::request_view)
			.collect()
	}

	/// Every submission to request `id`, in arrival order.
	pub fn submission_views(id: RequestId) -> Vec<SubmissionViewOf<T>> {
		Submissions::<T>::get(id)
			.into_iter()
			.map(|s| SubmissionView {
				operator: s.operator,
				outcome: match s.outcome {
					Outcome::Output(o) => Outcome::Output(o.into_inner()),
					Outcome::Failed(f) => Outcome::Failed(f),
				},
				at: s.at,
			})
			.collect()
	}

	/// The accepted result of request `id`, with who agreed, who was an outlier and who
	/// failed.
	pub fn result_view(id: RequestId) -> Option<ResultViewOf<T>> {
		let Some(request) = Requests::<T>::get(id) else {
			return Self::exact_answer(id).map(Self::exact_result_view);
		};
		let result = Results::<T>::get(id)?;
		let (stage, dispute) = Self::stage(id, result.finalized_at);
		let (mut agreeing, mut outliers, mut failed) = (Vec::new(), Vec::new(), Vec::new());
		for s in Submissions::<T>::get(id) {
			match s.outcome {
				Outcome::Output(o) => {
					if request.contract.aggregation.agrees(&o, &result.output) {
						agreeing.push(s.operator)
					} else {
						outliers.push(s.operator)
					}
				}
				Outcome::Failed(f) => failed.push((s.operator, f)),
			}
		}
		Some(ResultView {
			request: id,
			output: result.output.into_inner(),
			finalized_at: result.finalized_at,
			agreeing,
			outliers,
			failed,
			stage,
			settles_at: Self::settles_at(result.finalized_at),
			dispute,
			exact_program: None,
		})
	}

	/// The result view of an exact answer: settled at once (every validator computed it,
	/// so it is not disputed), with no operator, naming the program that computed it.
	fn exact_result_view(a: ExactAnswerOf<T>) -> ResultViewOf<T> {
		ResultView {
			request: a.id,
			output: a.output.into_inner(),
			finalized_at: a.answered_at,
			agreeing: Vec::new(),
			outliers: Vec::new(),
			failed: Vec::new(),
			stage: ResultStage::Settled,
			settles_at: a.answered_at,
			dispute: None,
			exact_program: Some(a.program_hash),
		}
	}

	/// The registered operators, those leaving the operator set included.
	pub fn operator_views() -> Vec<OperatorViewOf<T>> {
		Operators::<T>::iter()
			.map(|(account, o)| OperatorView {
				account,
				misses: o.no_shows,
				key: o.key,
				bond: o.bond,
				agreements: o.agreements,
				outliers: o.outliers,
				failures: o.failures,
			})
			.collect()
	}
}

impl<T: Config> frame::deps::sp_runtime::BoundToRuntimeAppPublic for Pallet<T> {
	type Public = T::AuthorityId;
}

/// The `orcl` key travels with a collator's session keys so that `--dev` seeds and
/// `author_rotateKeys` create it, but sessions do not use it: operators register their key
/// with `register_operator`.
impl<T: Config> frame::traits::OneSessionHandler<T::AccountId> for Pallet<T> {
	type Key = T::AuthorityId;

	fn on_genesis_session<'a, I: 'a>(_validators: I)
	where
		I: Iterator<Item = (&'a T::AccountId, Self::Key)>,
	{
	}

	fn on_new_session<'a, I: 'a>(_changed: bool, _validators: I, _queued: I)
	where
		I: Iterator<Item = (&'a T::AccountId, Self::Key)>,
	{
	}

	fn on_disabled(_validator_index: u32) {}
}

impl<T: Config> aioracle_primitives::oracle::RetainedRequests for Pallet<T> {
	fn retained() -> Option<(RequestId, RequestId)> {
		let newest = NextRequestId::<T>::get().checked_sub(1)?;
		let retained: RequestId = T::MaxRetainedRequests::get().into();
		Some((newest.saturating_sub(retained.saturating_sub(1)), newest))
	}
}
