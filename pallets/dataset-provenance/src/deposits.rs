//! Deposits: what a dataset record costs to store, and moving holds when it changes.

use crate::*;
use frame::traits::tokens::Precision;

impl<T: Config> Pallet<T> {
	/// The deposit for `record` and its parent links.
	pub fn dataset_deposit(record: &DatasetOf<T>, parents: &ParentsOf<T>) -> BalanceOf<T> {
		let bytes = record.encoded_size().saturating_add(parents.encoded_size()) as u32;
		T::DatasetDepositBase::get()
			.saturating_add(T::DepositPerByte::get().saturating_mul(bytes.into()))
	}

	/// Holds or releases the difference between an old and a new deposit.
	pub(crate) fn adjust_hold(
		reason: &HoldReason,
		who: &T::AccountId,
		old: BalanceOf<T>,
		new: BalanceOf<T>,
	) -> DispatchResult {
		let reason = (*reason).into();
		if new > old {
			T::Currency::hold(&reason, who, new.saturating_sub(old))
		} else if old > new {
			T::Currency::release(&reason, who, old.saturating_sub(new), Precision::BestEffort)
				.map(|_| ())
		} else {
			Ok(())
		}
	}
}
