//! The operator set: registration by bond, leaving and unbonding, and the automatic
//! consequences of faults (slashes and suspension).
//!
//! ## Why a bounded set where a larger bond displaces the smallest
//! Committees are drawn with probability proportional to bond, so what an attacker must
//! buy to be drawn often is a share of the *total* bond, not a count of seats: filling the
//! free seats with minimum bonds, as one actor could when the set was a first-come list of
//! 32, now wins it little, and a newcomer is never locked out: a larger bond than the
//! smallest takes that seat. The list stays bounded (`MaxOperators`), so drawing a
//! committee reads one value of known size. A minimum bond that rises with the set's size
//! was the alternative; it makes joining dearer for honest newcomers as well, without
//! bounding the set.

use super::*;

impl<T: Config> Pallet<T> {
	/// Registers `who` with `key`, holds `bond` and adds it to the operator set, displacing
	/// the smallest bond if the set is full and `bond` is larger.
	pub fn do_register(
		who: T::AccountId,
		key: T::AuthorityId,
		bond: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(bond >= T::OperatorBond::get(), Error::<T>::BondTooLow);
		ensure!(!Operators::<T>::contains_key(&who), Error::<T>::AlreadyOperator);
		ensure!(!OperatorByKey::<T>::contains_key(&key), Error::<T>::KeyInUse);
		let mut set = OperatorSet::<T>::get();
		let displaced = if set.is_full() {
			// The last entry holds the smallest bond (the latest among equals).
			match set.last() {
				Some((smallest, smallest_bond)) if bond > *smallest_bond => Some(smallest.clone()),
				_ => return Err(Error::<T>::TooManyOperators.into()),
			}
		} else {
			None
		};
		T::Currency::hold(&HoldReason::OperatorBond.into(), &who, bond)?;
		if let Some(displaced) = &displaced {
			set.pop();
			Self::mark_leaving(displaced, LeaveReason::Displaced);
		}
		// After every equal or larger bond: earlier operators keep their place.
		let at = set.iter().position(|(_, b)| *b < bond).unwrap_or(set.len());
		// A seat is free: the set was not full, or the smallest was popped.
		set.try_insert(at, (who.clone(), bond)).map_err(|_| Error::<T>::TooManyOperators)?;
		OperatorSet::<T>::put(set);
		Operators::<T>::insert(&who, Operator::new(key.clone(), bond));
		OperatorByKey::<T>::insert(&key, &who);
		log::info!(target: LOG_TARGET, "operator {who:?} registered with a bond of {bond:?}");
		Self::deposit_event(Event::OperatorRegistered { operator: who, key, bond });
		Ok(())
	}

	/// Takes `who` out of the operator set for `reason`; its bond unbonds.
	pub(crate) fn do_leave(who: &T::AccountId, reason: LeaveReason) -> DispatchResult {
		let record = Operators::<T>::get(who).ok_or(Error::<T>::NotOperator)?;
		ensure!(record.leaving_since.is_none(), Error::<T>::AlreadyLeaving);
		OperatorSet::<T>::mutate(|set| set.retain(|(account, _)| account != who));
		Self::mark_leaving(who, reason);
		Ok(())
	}

	/// Records that `who` (already out of the operator set) is leaving from now on.
	fn mark_leaving(who: &T::AccountId, reason: LeaveReason) {
		let now = Self::now();
		Operators::<T>::mutate_exists(who, |record| {
			if let Some(record) = record {
				record.leaving_since = Some(now);
			}
		});
		let withdrawable_at = now.saturating_add(T::UnbondingPeriod::get());
		log::info!(target: LOG_TARGET, "operator {who:?} leaving ({reason:?})");
		Self::deposit_event(Event::OperatorLeaving {
			operator: who.clone(),
			reason,
			withdrawable_at,
		});
	}

	/// Releases the bond of `who`, which left at least `UnbondingPeriod` blocks ago, and
	/// deletes its record and key.
	pub(crate) fn do_withdraw(who: T::AccountId) -> DispatchResult {
		let record = Operators::<T>::get(&who).ok_or(Error::<T>::NotOperator)?;
		let since = record.leaving_since.ok_or(Error::<T>::NotLeaving)?;
		ensure!(
			Self::now() >= since.saturating_add(T::UnbondingPeriod::get()),
			Error::<T>::StillUnbonding
		);
		T::Currency::release(
			&HoldReason::OperatorBond.into(),
			&who,
			record.bond,
			Precision::BestEffort,
		)?;
		Operators::<T>::remove(&who);
		OperatorByKey::<T>::remove(&record.key);
		Self::deposit_event(Event::OperatorRemoved { operator: who, bond: record.bond });
		Ok(())
	}

	/// Governance's slash: burns the whole bond of `who` and deletes it at once.
	pub(crate) fn do_slash(who: T::AccountId) -> DispatchResult {
		let record = Operators::<T>::take(&who).ok_or(Error::<T>::NotOperator)?;
		OperatorByKey::<T>::remove(&record.key);
		OperatorSet::<T>::mutate(|set| set.retain(|(account, _)| account != &who));
		let amount = T::Currency::burn_held(
			&HoldReason::OperatorBond.into(),
			&who,
			record.bond,
			Precision::BestEffort,
			Fortitude::Force,
		)?;
		log::info!(target: LOG_TARGET, "operator {who:?} slashed by governance: {amount:?} burnt");
		Self::deposit_event(Event::OperatorSlashed { operator: who, amount });
		Ok(())
	}

	/// Applies the consequence of `fault` on `request` to `record` (the record of `who`):
	/// takes its share of the bond (burnt, or paid to `beneficiary`: the disputer of an
	/// overturned result) and counts a strike; at `MaxStrikes` strikes the operator is
	/// suspended. A smaller bond also makes it less likely to be drawn. Its entry in `set`
	/// follows (the caller writes the set back once, after all of a request's penalties).
	pub(crate) fn penalize(
		who: &T::AccountId,
		record: &mut OperatorOf<T>,
		request: RequestId,
		fault: Fault,
		set: &mut OperatorSetOf<T>,
		beneficiary: Option<&T::AccountId>,
	) {
		let share = match fault {
			Fault::Outlier => T::OutlierSlash::get(),
			Fault::NoShow => T::NoShowSlash::get(),
			Fault::Overturned => T::DisputeSlash::get(),
		};
		let reason = HoldReason::OperatorBond.into();
		let slash = share * record.bond;
		let taken = match beneficiary {
			Some(to) => T::Currency::transfer_on_hold(
				&reason,
				who,
				to,
				slash,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			),
			None => T::Currency::burn_held(
				&reason,
				who,
				slash,
				Precision::BestEffort,
				Fortitude::Force,
			),
		};
		let amount = taken.unwrap_or_else(|e| {
			log::warn!(target: LOG_TARGET, "slashing {who:?} failed: {e:?}");
			Zero::zero()
		});
		record.bond = record.bond.saturating_sub(amount);
		record.strikes.saturating_inc();
		match fault {
			Fault::Outlier | Fault::Overturned => record.outliers.saturating_inc(),
			Fault::NoShow => record.no_shows.saturating_inc(),
		}
		log::info!(
			target: LOG_TARGET,
			"operator {who:?}: {fault:?} on request {request}, {amount:?} taken, {} strikes",
			record.strikes
		);
		Self::deposit_event(Event::OperatorPenalized {
			operator: who.clone(),
			request,
			fault,
			amount,
		});
		if record.leaving_since.is_some() {
			return;
		}
		if record.strikes >= T::MaxStrikes::get() {
			set.retain(|(account, _)| account != who);
			let now = Self::now();
			record.leaving_since = Some(now);
			log::info!(target: LOG_TARGET, "operator {who:?} suspended");
			Self::deposit_event(Event::OperatorLeaving {
				operator: who.clone(),
				reason: LeaveReason::Suspended,
				withdrawable_at: now.saturating_add(T::UnbondingPeriod::get()),
			});
		} else if let Some(at) = set.iter().position(|(account, _)| account == who) {
			// A smaller bond: move it down to keep the set sorted.
			let entry = set.remove(at);
			let bond = record.bond;
			let to = set.iter().position(|(_, b)| *b < bond).unwrap_or(set.len());
			let _ = set.try_insert(to, (entry.0, bond));
		}
	}
}
