//! Subscriptions: recurring requests the chain makes on schedule.
//!
//! A dApp opens a subscription ([`open_subscription`](Pallet::open_subscription)) to a
//! model with an input (inline values, or a blob or dataset resolved at each request),
//! a period `every`, an optional last block `until`, the most one request may cost
//! (`max_fee`) and a budget. The budget is held; each request's fee, price and retention
//! deposit are taken from it (the retention deposit comes back to the owner's free
//! balance when the request is pruned, a refunded fee when a request expires).
//!
//! ## Schedule
//! `SubscriptionSchedule` lists, for each block, the subscriptions due in it; every open
//! subscription is listed once, under its `next_due`. In `on_initialize`, before any
//! transaction, the pallet serves the due subscriptions oldest block first, in the order
//! they were listed, at most `MaxScheduledPerBlock` per block; the rest wait for the next
//! block in the same place (`ScheduleCursor`), nothing is dropped. A subscription served
//! is listed again `every` blocks after the block it was due in, or in the next block if
//! that is already past: however short its period, it makes at most one request per
//! block and goes behind every subscription already waiting, so none is starved.
//! `MaxScheduledPerBlock` is less than `MaxRequestsPerBlock`, so transactions keep room
//! for requests of their own, and scheduled requests always find room (they are made
//! first in their block).
//!
//! ## Closing
//! A subscription closes, releasing what is left of its budget and its record's deposit,
//! when its owner closes it, when its next request would fall after `until`, when what is
//! left does not pay for a request, or when a request cannot be made (no active version,
//! a price above `max_fee`, a removed blob, a retracted dataset): each with a
//! `SubscriptionClosed` event naming why. Requests already made go on as any request.
//!
//! Each served subscription is charged [`serve_weight`](Pallet::serve_weight) in
//! `on_initialize`: the request it makes, listing it again and closing it, each
//! benchmarked in its worst case, and `prune_weight` more in the rare block where its
//! request had to close a pending request to make room (as a transaction's request is
//! refunded when it did not); each block of the schedule read, `schedule_step`. A block serves at most `MaxScheduledPerBlock` subscriptions and reads
//! at most `MaxScheduledPerBlock + 1` blocks of the schedule.

use aioracle_primitives::deposit::footprint_of_bytes;
use frame::{
	deps::frame_support::storage::{with_transaction, TransactionOutcome},
	traits::{Consideration, Footprint},
};

use super::*;

impl<T: Config> Pallet<T> {
	/// Opens a subscription of `owner` on `terms`; returns its id. Its first request is
	/// made in the next block.
	pub fn do_open_subscription(
		owner: T::AccountId,
		terms: SubscriptionTermsOf<T>,
	) -> Result<SubscriptionId, DispatchError> {
		let SubscriptionTerms { model, input, every, until, max_fee, budget } = terms;
		ensure!(!every.is_zero(), Error::<T>::ZeroPeriod);
		let first_due = Self::now().saturating_add(One::one());
		ensure!(until.is_none_or(|last| last >= first_due), Error::<T>::EndsBeforeFirstRequest);
		let open = Subscriptions::<T>::count();
		ensure!(open < T::MaxSubscriptions::get(), Error::<T>::TooManySubscriptions);
		// A request must be possible now, as a transaction would make it.
		let (target, contract) = Self::active_serving(model)?;
		let input = match input {
			ScheduledInput::Inline(values) =>
				ScheduledInput::Inline(Self::inline_input(&contract, values)?),
			ScheduledInput::Source(source) => {
				Self::reference_for(source, &target, &contract)?;
				ScheduledInput::Source(source)
			},
		};
		let cost = Self::request_cost(&target)?;
		ensure!(cost <= max_fee, Error::<T>::FeeAboveMax);
		ensure!(budget >= cost, Error::<T>::BudgetTooSmall);

		let id = NextSubscriptionId::<T>::get();
		let draft = Subscription {
			owner: owner.clone(),
			model,
			input,
			every,
			next_due: first_due,
			until,
			max_fee,
			budget,
			requests: 0,
			deposit: (),
		};
		let ticket = T::SubscriptionTicket::new(&owner, Self::subscription_footprint(&draft))?;
		let deposit = ticket.held();
		T::Currency::hold(&HoldReason::SubscriptionBudget.into(), &owner, budget)?;
		SubscriptionSchedule::<T>::try_mutate(first_due, |due| due.try_push(id))
			.map_err(|_| Error::<T>::TooManySubscriptions)?;
		if open == 0 {
			// Nothing is listed: the cursor need not walk the blocks before this one.
			ScheduleCursor::<T>::mutate(|cursor| *cursor = (*cursor).max(first_due));
		}
		let (record, ()) = draft.replace_deposit(ticket);
		Subscriptions::<T>::insert(id, record);
		NextSubscriptionId::<T>::put(id.saturating_add(1));
		log::info!(
			target: LOG_TARGET,
			"subscription {id} opened: model {model}, every {every:?} blocks from {first_due:?}"
		);
		Self::deposit_event(Event::SubscriptionOpened {
			subscription: id,
			owner,
			model,
			every,
			first_due,
			until,
			budget,
			deposit,
		});
		Ok(id)
	}

	/// Closes subscription `id` for its owner `who`.
	pub fn do_close_subscription(who: T::AccountId, id: SubscriptionId) -> DispatchResult {
		let subscription = Subscriptions::<T>::get(id).ok_or(Error::<T>::SubscriptionNotFound)?;
		ensure!(subscription.owner == who, Error::<T>::NotSubscriptionOwner);
		SubscriptionSchedule::<T>::mutate(subscription.next_due, |due| due.retain(|s| *s != id));
		Self::end_subscription(id, subscription, SubscriptionEnd::Closed);
		Ok(())
	}

	/// What a subscription record's deposit ticket is priced on: one item of its encoded
	/// bytes, the ticket counted at its largest encoding.
	pub fn subscription_footprint(draft: &SubscriptionOf<T, ()>) -> Footprint {
		footprint_of_bytes(
			draft.encoded_size().saturating_add(T::SubscriptionTicket::max_encoded_len()),
		)
	}

	/// What one request to `target` costs at today's fee and price.
	fn request_cost(target: &VersionRef) -> Result<BalanceOf<T>, DispatchError> {
		let price = T::Market::price(target.model, target.version);
		Ok(T::RequestFee::get().checked_add(&price).ok_or(Error::<T>::PriceOverflow)?)
	}

	/// What serving one due subscription costs when its request prunes a closed request,
	/// as it does unless expiry fell behind by the whole retention: the larger of a
	/// request inline and by reference (each listed again in a full block), and closing
	/// the subscription (bounded by `close_subscription`, which also unlists it).
	pub fn serve_weight() -> Weight {
		T::WeightInfo::serve_subscription()
			.max(T::WeightInfo::serve_subscription_by_reference())
			.saturating_add(T::WeightInfo::close_subscription())
	}

	/// Serves the subscriptions due by `now`, oldest block first, at most
	/// `MaxScheduledPerBlock`; returns the weight used.
	pub(crate) fn serve_subscriptions(now: BlockNumberFor<T>) -> Weight {
		// The cursor and the subscription count.
		let mut weight = T::WeightInfo::schedule_step();
		let mut cursor = ScheduleCursor::<T>::get();
		if Subscriptions::<T>::count() == 0 {
			// Nothing is listed anywhere: no need to walk the blocks since the last one.
			if cursor <= now {
				ScheduleCursor::<T>::put(now.saturating_add(One::one()));
			}
			return weight;
		}
		let most = T::MaxScheduledPerBlock::get();
		let (mut served, mut blocks) = (0u32, 0u32);
		// Each block read costs a step; a backlog of empty blocks is walked a bounded
		// number at a time.
		while cursor <= now && blocks <= most {
			blocks.saturating_inc();
			weight.saturating_accrue(T::WeightInfo::schedule_step());
			let mut due = SubscriptionSchedule::<T>::take(cursor).into_iter();
			let mut left: Vec<SubscriptionId> = Vec::new();
			for id in due.by_ref() {
				if served >= most {
					left.push(id);
					break;
				}
				served.saturating_inc();
				weight.saturating_accrue(Self::serve(id, now));
			}
			left.extend(due);
			if !left.is_empty() {
				// The block's bound is reached: the rest waits, in the same place.
				SubscriptionSchedule::<T>::insert(cursor, DueSubscriptionsOf::<T>::truncate_from(left));
				break;
			}
			cursor = cursor.saturating_add(One::one());
		}
		ScheduleCursor::<T>::put(cursor);
		if served > 0 {
			log::info!(target: LOG_TARGET, "{served} subscriptions served at block {now:?}");
		}
		weight
	}

	/// Makes the request of due subscription `id`, then lists it again or closes it;
	/// returns the weight used: [`Self::serve_weight`], and the prune's expiry and
	/// settlement if the request had to close the oldest retained request.
	pub(crate) fn serve(id: SubscriptionId, now: BlockNumberFor<T>) -> Weight {
		let Some(mut subscription) = Subscriptions::<T>::get(id) else {
			defensive!("a listed subscription is open: closing one unlists it");
			return T::DbWeight::get().reads(1);
		};
		let made = with_transaction(|| match Self::make_scheduled_request(&subscription) {
			Ok(made) => TransactionOutcome::Commit(Ok(made)),
			Err(error) => TransactionOutcome::Rollback(Err(error)),
		});
		let (request, left, next_cost, closed_oldest) = match made {
			Ok(made) => made,
			Err(error) => {
				let reason = if error == Error::<T>::BudgetTooSmall.into() {
					SubscriptionEnd::OutOfBudget
				} else {
					SubscriptionEnd::Refused(error)
				};
				Self::end_subscription(id, subscription, reason);
				return Self::serve_weight();
			},
		};
		let weight = if closed_oldest {
			Self::serve_weight().saturating_add(Self::prune_weight())
		} else {
			Self::serve_weight()
		};
		subscription.budget = left;
		subscription.requests.saturating_inc();
		// Never again in this block or one already walked, whatever the backlog.
		let next_due = subscription
			.next_due
			.saturating_add(subscription.every)
			.max(now.saturating_add(One::one()));
		let ending = if subscription.until.is_some_and(|last| next_due > last) {
			Some(SubscriptionEnd::Finished)
		} else if left < next_cost {
			Some(SubscriptionEnd::OutOfBudget)
		} else {
			None
		};
		Self::deposit_event(Event::SubscriptionRequested {
			subscription: id,
			request,
			budget: left,
			next_due: ending.is_none().then_some(next_due),
		});
		if let Some(reason) = ending {
			Self::end_subscription(id, subscription, reason);
			return weight;
		}
		if SubscriptionSchedule::<T>::try_mutate(next_due, |due| due.try_push(id)).is_err() {
			// At most `MaxSubscriptions` are open, each listed once.
			defensive!("a block lists fewer than MaxSubscriptions subscriptions");
			let full = DispatchError::from(Error::<T>::TooManySubscriptions);
			Self::end_subscription(id, subscription, SubscriptionEnd::Refused(full));
			return weight;
		}
		subscription.next_due = next_due;
		Subscriptions::<T>::insert(id, subscription);
		weight
	}

	/// Makes `subscription`'s request, paid from its budget; returns the request, what is
	/// left of the budget, what the next request would cost at today's fee and price, and
	/// whether making it closed the oldest retained request (see `open_request`).
	/// `BudgetTooSmall` if the budget does not pay for it.
	fn make_scheduled_request(
		subscription: &SubscriptionOf<T>,
	) -> Result<(RequestId, BalanceOf<T>, BalanceOf<T>, bool), DispatchError> {
		let (target, contract) = Self::active_serving(subscription.model)?;
		let input = match &subscription.input {
			ScheduledInput::Inline(values) => RequestInput::Inline(values.clone()),
			ScheduledInput::Source(source) => {
				RequestInput::Reference(Self::reference_for(*source, &target, &contract)?)
			},
		};
		let next_cost = Self::request_cost(&target)?;
		let owner = &subscription.owner;
		// The budget is freed, the request holds what it takes, the rest is held again.
		T::Currency::release(
			&HoldReason::SubscriptionBudget.into(),
			owner,
			subscription.budget,
			Precision::Exact,
		)?;
		let (request, closed_oldest) =
			Self::open_active_request(owner.clone(), target, contract, input, subscription.max_fee)?;
		let record = Requests::<T>::get(request).ok_or(Error::<T>::RequestNotFound)?;
		let cost = record.fee.saturating_add(record.price).saturating_add(record.deposit);
		let left = subscription.budget.checked_sub(&cost).ok_or(Error::<T>::BudgetTooSmall)?;
		T::Currency::hold(&HoldReason::SubscriptionBudget.into(), owner, left)?;
		Ok((request, left, next_cost, closed_oldest))
	}

	/// Closes subscription `id` (already unlisted from the schedule): releases what is left
	/// of its budget and its deposit, and deletes it.
	fn end_subscription(id: SubscriptionId, subscription: SubscriptionOf<T>, reason: SubscriptionEnd) {
		let (subscription, ticket) = subscription.replace_deposit(());
		let owner = subscription.owner;
		let refunded = T::Currency::release(
			&HoldReason::SubscriptionBudget.into(),
			&owner,
			subscription.budget,
			Precision::BestEffort,
		)
		.unwrap_or_default();
		if ticket.drop(&owner).is_err() {
			defensive!("a subscription's ticket holds what it was created with");
		}
		Subscriptions::<T>::remove(id);
		log::info!(
			target: LOG_TARGET,
			"subscription {id} closed ({reason:?}) after {} requests",
			subscription.requests
		);
		Self::deposit_event(Event::SubscriptionClosed { subscription: id, owner, reason, refunded });
	}

	/// Checks that every open subscription is listed once, under its `next_due` and not
	/// before the cursor; that nothing else is listed; and that each owner's held budgets
	/// and deposits are its subscriptions'.
	pub fn try_state_subscriptions() -> Result<(), TryRuntimeError> {
		let cursor = ScheduleCursor::<T>::get();
		let mut listed = 0u32;
		for (block, due) in SubscriptionSchedule::<T>::iter() {
			for id in due.iter() {
				let subscription =
					Subscriptions::<T>::get(id).ok_or("a closed subscription is listed")?;
				ensure!(subscription.next_due == block, "a subscription is listed off its due block");
				ensure!(block >= cursor, "a subscription is listed before the cursor");
				listed.saturating_inc();
			}
		}
		let count = Subscriptions::<T>::count();
		ensure!(listed == count, "an open subscription is not listed once");
		ensure!(count <= T::MaxSubscriptions::get(), "more than MaxSubscriptions are open");
		let mut held: BTreeMap<T::AccountId, (BalanceOf<T>, BalanceOf<T>)> = BTreeMap::new();
		for (id, subscription) in Subscriptions::<T>::iter() {
			ensure!(id < NextSubscriptionId::<T>::get(), "a subscription's id is not yet issued");
			ensure!(!subscription.every.is_zero(), "a subscription's period is zero");
			let entry = held.entry(subscription.owner.clone()).or_default();
			entry.0 = entry.0.saturating_add(subscription.budget);
			entry.1 = entry.1.saturating_add(subscription.deposit.held());
		}
		for (owner, (budget, deposit)) in held {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::SubscriptionBudget.into(), &owner) ==
					budget,
				"an owner's held budget is not its subscriptions' budgets"
			);
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::SubscriptionStorage.into(), &owner) ==
					deposit,
				"an owner's held subscription deposits are not its subscriptions' tickets"
			);
		}
		Ok(())
	}
}
