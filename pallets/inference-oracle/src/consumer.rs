//! Results for other pallets: [`InferenceResults`] reads a retained request's accepted
//! result and where it stands (the `OnResult` hook, told as requests close, is called
//! from [`close`](crate::close) and [`dispute`](crate::dispute)).

use super::*;

impl<T: Config> InferenceResults<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
	fn result(request: RequestId) -> Option<InferenceResult<T::AccountId, BlockNumberFor<T>>> {
		let record = Requests::<T>::get(request)?;
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
	/// and its dispute.
	fn result_weight() -> Weight {
		T::DbWeight::get().reads(4)
	}
}
