//! The oracle's hook: when a request with a callback closes, its result call is written to
//! the outbox, complete.
//!
//! The hook runs inside whatever closes a request (an operator's batch, expiry in the
//! oracle's `on_idle`, a dispute's settlement), which is charged its `max_weight` for every
//! request of the chain, and every requester pays it up front; so it does no more than one
//! read and one write: no event, no sending, and the callback stays in [`Callbacks`] (with
//! its deposit) until its result is delivered or discarded, which removes both. A result
//! replaced by a dispute before it was delivered replaces the queued call (the sibling gets
//! the latest); once delivered, the request has no callback and later closes send nothing. An output too long for `MaxResultBytes` is queued as failed
//! ([`DeliveryError::ResultTooLarge`]) rather than dropped, so that its sibling can see it
//! and discard it for its deposit.
//!
//! ## The result call's encoding
//! `call_prefix ++ request.encode() ++ outcome.encode()`: the sibling's prefix, then the
//! request id as 8 little-endian bytes, then the [`RemoteOutcome`] (a variant byte, and for
//! an output its compact length and 8 little-endian bytes per element). Decoding the
//! bytes after the prefix as `(u64, RemoteOutcome)` gives both back.

use super::*;

impl<T: Config> OnInferenceResult<T::AccountId> for Pallet<T> {
	/// Reading the request's callback and writing its result to the outbox.
	fn max_weight() -> Weight {
		T::WeightInfo::on_result()
	}

	/// What `on_result` takes for `requester`'s requests: nothing for an account that
	/// cannot be a sibling's.
	fn weight_for(requester: &T::AccountId) -> Weight {
		if T::SiblingAccounts::contains(requester) {
			Self::max_weight()
		} else {
			Weight::zero()
		}
	}

	fn on_result(request: RequestId, requester: &T::AccountId, _: ModelId, outcome: ClosedAs<'_>) {
		if !T::SiblingAccounts::contains(requester) {
			return;
		}
		// A request without a callback, or whose result was delivered or discarded already:
		// nothing to send.
		let Some(pending) = Callbacks::<T>::get(request) else { return };
		let queued = Self::queued(request, pending, outcome.into());
		Outbox::<T>::insert(request, queued);
	}
}

impl<T: Config> Pallet<T> {
	/// The result call of `request` ending as `outcome`, for `pending`'s sibling: queued
	/// to be sent, or failed with [`DeliveryError::ResultTooLarge`] (and an empty call) if
	/// longer than `MaxResultBytes`.
	pub(crate) fn queued(
		request: RequestId,
		pending: PendingCallbackOf<T>,
		outcome: RemoteOutcome,
	) -> QueuedResultOf<T> {
		let PendingCallback { para, callback, depositor, deposit } = pending;
		let call = Self::result_call(&callback.call_prefix, request, &outcome);
		if call.is_none() {
			log::warn!(
				target: LOG_TARGET,
				"request {request}: the result call to para {para} exceeds MaxResultBytes"
			);
		}
		QueuedResult {
			para,
			failed: call.is_none().then_some(DeliveryError::ResultTooLarge),
			call: call.unwrap_or_default(),
			weight_limit: callback.weight_limit,
			depositor,
			deposit,
		}
	}

	/// `prefix ++ SCALE((request, outcome))`, if at most `MaxResultBytes` long.
	pub fn result_call(
		prefix: &[u8],
		request: RequestId,
		outcome: &RemoteOutcome,
	) -> Option<BoundedVec<u8, T::MaxResultBytes>> {
		let len = prefix
			.len()
			.saturating_add(request.encoded_size())
			.saturating_add(outcome.encoded_size());
		if len > T::MaxResultBytes::get() as usize {
			return None;
		}
		let mut call = Vec::with_capacity(len);
		call.extend_from_slice(prefix);
		(request, outcome).encode_to(&mut call);
		BoundedVec::try_from(call).ok()
	}
}
