//! Expiry: requests past their deadline without agreement are closed and refunded in
//! `on_idle`, with the weight the block has left, oldest deadline first.
//!
//! `Expiries` lists, for each block, the requests whose deadline is the block before;
//! `ExpiryCursor` is the oldest block not finished yet. From the block after its deadline
//! a request accepts no submission, so a request waiting for expiry cannot change. Each
//! request is charged for what it holds: the expiry of a request with an output of `L`
//! elements costs `expire(L)` (benchmarked with `MaxOperators` submissions). A block with
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
				let cost = Self::expiry_weight(id);
				if meter.try_consume(cost).is_err() {
					left.push(id);
					break;
				}
				if Self::expire(id) {
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

	/// What expiring request `id` costs: a read for a request that is gone or closed, the
	/// benchmarked expiry at its output length otherwise.
	fn expiry_weight(id: RequestId) -> Weight {
		match Requests::<T>::get(id) {
			Some(request) if request.status == RequestStatus::Pending => {
				let output_len = request.contract.output_len().unwrap_or(T::MaxOutputLen::get());
				T::WeightInfo::expire(output_len.min(T::MaxOutputLen::get()))
			},
			_ => T::DbWeight::get().reads(1),
		}
	}

	/// Expires `id` if it is still pending: refunds its fee and counts its submitters'
	/// part. Returns whether it expired.
	pub(crate) fn expire(id: RequestId) -> bool {
		let Some(mut request) = Requests::<T>::get(id) else { return false };
		if request.status != RequestStatus::Pending {
			return false;
		}
		Self::refund(&request);
		Self::count(&Submissions::<T>::get(id), &[]);
		request.status = RequestStatus::Expired;
		Requests::<T>::insert(id, request);
		PendingRequests::<T>::remove(id);
		log::debug!(target: LOG_TARGET, "request {id} expired without agreement");
		Self::deposit_event(Event::RequestExpired { request: id });
		true
	}
}
