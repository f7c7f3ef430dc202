//! Results for other pallets: [`InferenceResults`] reads a retained request's accepted
//! result and where it stands (the `OnResult` hook, told as requests close, is called
//! from [`close`](crate::close) and [`dispute`](crate::dispute)); [`RequestInference`]
//! makes requests for pallets that request on behalf of others (XCM's).

use super::*;
use aioracle_primitives::oracle::ResultStage;
use aioracle_primitives::consumer::RequestInference;

impl<T: Config> InferenceResults<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
	fn result(request: RequestId) -> Option<InferenceResult<T::AccountId, BlockNumberFor<T>>> {
		let Some(record) = Requests::<T>::get(request) else {
			return Self::exact_answer(request).map(|answer| InferenceResult {
				requester: answer.requester,
				model: answer.model,
				version: answer.version,
				output: answer.output.into_inner(),
				finalized_at: answer.answered_at,
				stage: ResultStage::Settled,
			});
		};
		let result = Results::<T>::get(request)?;
		let (stage, _) = Self::stage(request, result.finalized_at);
		Some(InferenceResult {
			requester: record.requester,
			model: record.model,
			version: record.version,
			output: result.output.into_inner(),
			finalized_at: result.finalized_at,
			stage,
		})
	}

	/// The request, its result, and what its stage reads: whether it is a dispute's round,
	/// and its dispute. (An exact answer reads the request, the request counter and its
	/// ring slot.)
	fn result_weight() -> Weight {
		T::DbWeight::get().reads(4)
	}
}

impl<T: Config> RequestInference<T::AccountId, BalanceOf<T>> for Pallet<T> {
	/// As [`request_inference`](Pallet::request_inference), without its origin check.
	fn request(
		requester: T::AccountId,
		model: ModelId,
		input: Vec<i64>,
		max_fee: BalanceOf<T>,
	) -> Result<(RequestId, Weight), DispatchError> {
		let (id, expired_oldest, exact) =
			Self::do_request(requester.clone(), model, input, max_fee)?;
		Ok((id, Self::request_taken_weight_by(&requester, expired_oldest, exact)))
	}

	/// What `request_inference` is charged up front.
	fn max_request_weight() -> Weight {
		Self::request_charged_weight()
	}

	/// What `request_inference` keeps on an error: its benchmarked weight, without the
	/// prune, the exact answer and the `OnResult` call it never reached.
	fn refused_request_weight() -> Weight {
		T::WeightInfo::request_inference()
	}
}
