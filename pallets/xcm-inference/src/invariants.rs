//! The pallet's invariants, checked by `try_state` and after every test.

use super::*;
use alloc::collections::BTreeMap;
use frame::traits::fungible::InspectHold;

// Always compiled (not only for try-runtime) so that runtime-level tests can check the
// invariants too.
impl<T: Config> Pallet<T> {
	/// Checks the pallet's invariants.
	///
	/// ## Expectations
	/// - every result in the [`Outbox`] has its callback in [`Callbacks`], with the same
	///   sibling, depositor and deposit;
	/// - every callback's depositor is its sibling's sovereign account, one of
	///   `SiblingAccounts`;
	/// - the deposits of every depositor's callbacks add up to what it holds for
	///   [`HoldReason::CallbackDeposit`];
	/// - a failed result is the only kind with an empty call, and only if it did not fit.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut add = |who: &T::AccountId, amount: BalanceOf<T>| {
			let sum = deposits.entry(who.clone()).or_default();
			*sum = sum.saturating_add(amount);
		};
		for (_, pending) in Callbacks::<T>::iter() {
			ensure!(
				pending.depositor == T::SovereignAccount::convert(pending.para),
				"a callback's depositor is not its sibling's sovereign account"
			);
			ensure!(
				T::SiblingAccounts::contains(&pending.depositor),
				"a sovereign account is not among SiblingAccounts: its callbacks are never told"
			);
			add(&pending.depositor, pending.deposit);
		}
		for (request, queued) in Outbox::<T>::iter() {
			let pending = Callbacks::<T>::get(request).ok_or("a result has no callback")?;
			ensure!(
				(&queued.para, &queued.depositor, &queued.deposit) ==
					(&pending.para, &pending.depositor, &pending.deposit),
				"a result's sibling or deposit differs from its callback's"
			);
			ensure!(
				queued.call.is_empty() == (queued.failed == Some(DeliveryError::ResultTooLarge)),
				"a result has an empty call but fitted, or a call but did not fit"
			);
		}
		for (who, sum) in deposits {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::CallbackDeposit.into(), &who) == sum,
				"held callback deposits differ from the callbacks' deposits"
			);
		}
		Ok(())
	}
}
