//! Sending results to siblings: in `on_idle`, at most `MaxDeliveriesPerBlock` per block
//! (see the pallet docs for why there), and on demand by `retry_delivery`.
//!
//! `on_idle` walks the outbox from [`DeliveryCursor`], sending each result not failed yet.
//! A result the router refuses is marked failed (`ResultUndelivered`) and skipped from then
//! on: a closed channel would refuse it again every block. Each entry the walk passes,
//! sent or skipped, is charged as a delivery.
//!
//! The router's delivery price (what `send_xcm` returns besides the message id) is not
//! charged to anyone: results are sent as the chain's own messages, the sibling having paid
//! the delivery's weight in its request. A runtime whose router prices sibling delivery
//! should keep `CallbackDeposit` and the request's fee above what that costs it.

use super::*;
use xcm::latest::{send_xcm, Junction::Parachain, Location, OriginKind, WeightLimit, Xcm};

impl<T: Config> Pallet<T> {
	/// The message that delivers `queued`: unpaid execution of its call, with a Native
	/// origin, limited to its weight.
	pub fn result_message(queued: &QueuedResultOf<T>) -> Xcm<()> {
		let weight = queued.weight_limit;
		Xcm(alloc::vec![
			xcm::latest::Instruction::UnpaidExecution {
				weight_limit: WeightLimit::Limited(weight),
				check_origin: None,
			},
			xcm::latest::Instruction::Transact {
				origin_kind: OriginKind::Native,
				fallback_max_weight: Some(weight),
				call: queued.call.to_vec().into(),
			},
		])
	}

	/// Where `para` is, seen from here.
	pub fn sibling_location(para: u32) -> Location {
		Location::new(1, [Parachain(para)])
	}

	/// Sends `queued` to its sibling; returns the message's id.
	pub(crate) fn send(queued: &QueuedResultOf<T>) -> Result<XcmHash, DeliveryError> {
		let destination = Self::sibling_location(queued.para);
		send_xcm::<T::XcmSender>(destination, Self::result_message(queued))
			.map(|(id, _price)| id)
			.map_err(DeliveryError::from)
	}

	/// What `on_idle` takes besides its deliveries: reading and writing the cursor, and
	/// finding the first key.
	pub fn idle_base_weight() -> Weight {
		T::DbWeight::get().reads_writes(2, 1)
	}

	/// Sends queued results within `limit`, at most `MaxDeliveriesPerBlock`, from the
	/// cursor on; returns the weight used.
	pub(crate) fn deliver_queued(limit: Weight) -> Weight {
		let step = T::WeightInfo::deliver();
		let mut used = Self::idle_base_weight();
		if !limit.all_gte(used.saturating_add(step)) {
			return Weight::zero();
		}
		let cursor = DeliveryCursor::<T>::get();
		let mut keys = match cursor {
			Some(last) => Outbox::<T>::iter_keys_from(Outbox::<T>::hashed_key_for(last)),
			None => Outbox::<T>::iter_keys(),
		};
		let max = T::MaxDeliveriesPerBlock::get();
		let mut sent = 0u32;
		let mut last = cursor;
		loop {
			if sent >= max || !limit.all_gte(used.saturating_add(step)) {
				// Go on from here next block.
				if last != cursor {
					DeliveryCursor::<T>::set(last);
				}
				break;
			}
			let Some(request) = keys.next() else {
				// The end: start again from the first entry next block.
				DeliveryCursor::<T>::kill();
				break;
			};
			used = used.saturating_add(step);
			last = Some(request);
			// Removing or rewriting the key just read does not disturb the walk: the next
			// key is looked up from this one.
			if Self::deliver_one(request) {
				sent = sent.saturating_add(1);
			}
		}
		used
	}

	/// Sends `request`'s queued result, unless it failed before; returns whether it tried.
	pub(crate) fn deliver_one(request: RequestId) -> bool {
		let Some(mut queued) = Outbox::<T>::get(request) else { return false };
		if queued.failed.is_some() {
			return false;
		}
		match Self::send(&queued) {
			Ok(message_id) => Self::delivered(request, &queued, message_id),
			Err(error) => {
				log::warn!(
					target: LOG_TARGET,
					"request {request}: the result to para {} was not sent: {error:?}",
					queued.para
				);
				queued.failed = Some(error);
				let para = queued.para;
				Outbox::<T>::insert(request, queued);
				Self::deposit_event(Event::ResultUndelivered { request, para, error });
			}
		}
		true
	}

	/// `request`'s result was sent as `message_id`: deleted, its deposit released.
	fn delivered(request: RequestId, queued: &QueuedResultOf<T>, message_id: XcmHash) {
		Self::remove_result(request, queued);
		log::debug!(target: LOG_TARGET, "request {request}: result sent to para {}", queued.para);
		Self::deposit_event(Event::ResultDelivered { request, para: queued.para, message_id });
	}

	/// Sends again `request`'s result, whose delivery failed.
	pub(crate) fn do_retry(request: RequestId) -> DispatchResult {
		let queued = Outbox::<T>::get(request).ok_or(Error::<T>::ResultNotFound)?;
		let error = queued.failed.ok_or(Error::<T>::NotFailed)?;
		ensure!(error != DeliveryError::ResultTooLarge, Error::<T>::ResultTooLarge);
		let message_id = Self::send(&queued).map_err(|error| {
			log::debug!(target: LOG_TARGET, "request {request}: retry failed: {error:?}");
			Error::<T>::DeliveryFailed
		})?;
		Self::delivered(request, &queued, message_id);
		Ok(())
	}
}
