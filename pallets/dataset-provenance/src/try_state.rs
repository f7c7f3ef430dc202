//! The pallet's invariants, checked by `try_state` and after every unit test.

use crate::*;
use frame::{deps::sp_runtime::TryRuntimeError, traits::fungible::InspectHold};

// Always compiled (not only for try-runtime) so that runtime-level tests can check the
// invariants too; nothing on-chain calls it, so it adds nothing to the wasm.
impl<T: Config> Pallet<T> {
	/// Checks the pallet's invariants; `try_state` runs it under try-runtime.
	///
	/// ## Expectations
	/// - every dataset id is below `NextDatasetId`;
	/// - `DatasetIdByHash` and `Datasets` agree both ways;
	/// - every parent exists and is older than its child (lineage is a DAG), and `Children`
	///   mirrors `Parents` exactly;
	/// - retractions and attestations belong to existing datasets; attestations are unique
	///   per (author, kind);
	/// - every derived dataset permits no use a parent does not;
	/// - every ownership offer is of an existing dataset, to an account not its owner;
	/// - the funds held for datasets and attestations equal what their tickets hold.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		Self::check_ids_and_hashes()?;
		Self::check_lineage()?;
		Self::check_retractions_and_attestations()?;
		Self::check_offers()?;
		Self::check_deposits()
	}

	fn check_offers() -> Result<(), TryRuntimeError> {
		for (dataset, to) in OwnershipOffers::<T>::iter() {
			let record = Datasets::<T>::get(dataset).ok_or("an offer of a missing dataset")?;
			ensure!(record.owner != to, "a dataset offered to its owner");
		}
		Ok(())
	}

	fn check_ids_and_hashes() -> Result<(), TryRuntimeError> {
		let next = NextDatasetId::<T>::get();
		let mut count = 0u64;
		for (id, record) in Datasets::<T>::iter() {
			ensure!(id < next, "a dataset id is not below NextDatasetId");
			ensure!(
				DatasetIdByHash::<T>::get(record.content_hash) == Some(id),
				"a dataset is missing from DatasetIdByHash"
			);
			count += 1;
		}
		ensure!(
			DatasetIdByHash::<T>::iter().count() as u64 == count,
			"DatasetIdByHash has entries without a dataset"
		);
		Ok(())
	}

	fn check_lineage() -> Result<(), TryRuntimeError> {
		let mut links = 0usize;
		for (child, parents) in Parents::<T>::iter() {
			ensure!(Datasets::<T>::contains_key(child), "Parents of a missing dataset");
			ensure!(!parents.is_empty(), "an empty Parents entry");
			for parent in parents.iter() {
				ensure!(Datasets::<T>::contains_key(parent), "a parent does not exist");
				ensure!(*parent < child, "a parent is not older than its child");
				ensure!(Children::<T>::contains_key(parent, child), "Children misses a link");
				let (Some(p), Some(c)) = (Datasets::<T>::get(parent), Datasets::<T>::get(child))
				else {
					return Err("a linked dataset is missing".into());
				};
				ensure!(
					c.permissions.no_wider_than(&p.permissions),
					"a dataset permits a use its parent does not"
				);
				links += 1;
			}
		}
		ensure!(Children::<T>::iter().count() == links, "Children has links Parents lacks");
		Ok(())
	}

	fn check_retractions_and_attestations() -> Result<(), TryRuntimeError> {
		for id in Retractions::<T>::iter_keys() {
			ensure!(Datasets::<T>::contains_key(id), "a retraction of a missing dataset");
		}
		for (id, attestations) in Attestations::<T>::iter() {
			ensure!(Datasets::<T>::contains_key(id), "attestations of a missing dataset");
			ensure!(!attestations.is_empty(), "an empty Attestations entry");
			let keys: BTreeSet<_> = attestations.iter().map(|a| (&a.author, a.kind)).collect();
			ensure!(keys.len() == attestations.len(), "duplicate attestations");
		}
		Ok(())
	}

	fn check_deposits() -> Result<(), TryRuntimeError> {
		use alloc::collections::BTreeMap;
		let mut datasets: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for record in Datasets::<T>::iter_values() {
			let total = datasets.entry(record.owner).or_insert_with(Zero::zero);
			*total = total.saturating_add(record.deposit.held());
		}
		let mut attestations: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for a in Attestations::<T>::iter_values().flatten() {
			let total = attestations.entry(a.author).or_insert_with(Zero::zero);
			*total = total.saturating_add(a.deposit.held());
		}
		for (reason, expected) in
			[(HoldReason::DatasetStorage, datasets), (HoldReason::AttestationStorage, attestations)]
		{
			for (who, deposit) in expected {
				ensure!(
					T::Currency::balance_on_hold(&reason.into(), &who) == deposit,
					"held funds differ from what the deposit tickets hold"
				);
			}
		}
		Ok(())
	}
}
