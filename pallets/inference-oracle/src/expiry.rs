//! Expiry: requests still pending past their deadline are closed in `on_idle` with the
//! answers they have ([`close`]: finalized if they agree, refunded otherwise, no-shows
//! slashed), with the weight the block has left, oldest deadline first.
//!
//! `Expiries` lists, for each block, the requests whose deadline is the block before;
//! `ExpiryCursor` is the oldest block not finished yet. From the block after its deadline
//! a request accepts no submission, so a request waiting for expiry cannot change. Each
//! request is charged for what it holds: the expiry of a request with an output of `L`
//! elements costs `expire(L)` (benchmarked with a committee of `MaxCommittee`, every
//! member slashed as a no-show). A block with
//! too little weight left leaves the rest for the next block; nothing is dropped.

use frame::deps::frame_support::weights::WeightMeter;

use super::*;

impl<T: Config> Pallet<T> {
	/// Expires due requests within `remaining` weight; returns the weight used.
	pub(crate) fn expire_due(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
		let mut meter = WeightMeter::with_limit(remaining);
		let mut cursor = ExpiryCursor::<T>::get();
		// Reading the cursor, and writing it back.
		if meter.try_consume(T::WeightInfo::expiry_step()).is_err() {
			return Weight::zero();
		}
		let mut expired = 0u32;
		while cursor <= now {
			// One `Expiries` entry read (and taken or written back).
			if meter.try_consume(T::WeightInfo::expiry_step()).is_err() {
				break;
			}
			let mut due = Expiries::<T>::take(cursor).into_iter();
			let mut left: Vec<RequestId> = Vec::new();
			for id in due.by_ref() {
				// Read once: to price its expiry, then to expire it.
				let pending = Self::pending_request(id);
				if meter.try_consume(Self::expiry_weight(pending.as_ref())).is_err() {
					left.push(id);
					break;
				}
				if let Some(request) = pending {
					Self::close_expired(id, request);
					expired.saturating_inc();
				}
			}
			left.extend(due);
			if !left.is_empty() {
				// Out of weight: the rest waits for the next block, in the same place.
				Expiries::<T>::insert(cursor, BoundedVec::truncate_from(left));
				break;
			}
			cursor = cursor.saturating_add(One::one());
		}
		ExpiryCursor::<T>::put(cursor);
		if expired > 0 {
			log::info!(target: LOG_TARGET, "{expired} requests expired at block {now:?}");
		}
		meter.consumed()
	}

	/// Request `id`, if it is retained and still pending.
	fn pending_request(id: RequestId) -> Option<RequestOf<T>> {
		Requests::<T>::get(id).filter(|request| request.status == RequestStatus::Pending)
	}

	/// What expiring a request costs: a read for one that is gone or closed (`None`), the
	/// benchmarked expiry at its output length and the `OnResult` call otherwise.
	fn expiry_weight(pending: Option<&RequestOf<T>>) -> Weight {
		match pending {
			Some(request) => {
				let output_len = request.contract.reported_len().unwrap_or(T::MaxOutputLen::get());
				T::WeightInfo::expire(output_len.min(T::MaxOutputLen::get()))
					.saturating_add(T::OnResult::weight_for(&request.requester))
			},
			None => T::DbWeight::get().reads(1),
		}
	}

	/// Closes `id` if it is still pending, with the answers it has (see [`close`]).
	/// Returns whether it was pending.
	pub(crate) fn expire(id: RequestId) -> bool {
		let Some(request) = Self::pending_request(id) else { return false };
		Self::close_expired(id, request);
		true
	}

	/// Closes pending `request` `id` at its deadline: finalized if its committee's answers
	/// agree, refunded otherwise; no-shows are slashed either way.
	fn close_expired(id: RequestId, request: RequestOf<T>) {
		Self::close(id, request, &Committees::<T>::get(id), &Submissions::<T>::get(id));
	}
}
