//! Attestations: statements about a dataset by any account, each with its deposit.

use crate::*;
use frame::traits::tokens::Precision;

impl<T: Config> Pallet<T> {
	/// Records `author`'s attestation of `kind` about `dataset` and holds its deposit.
	pub fn do_attest(
		author: &T::AccountId,
		dataset: DatasetId,
		kind: AttestationKind,
		statement_hash: H256,
	) -> DispatchResult {
		ensure!(Datasets::<T>::contains_key(dataset), Error::<T>::DatasetNotFound);
		let mut attestations = Attestations::<T>::get(dataset);
		ensure!(
			!attestations.iter().any(|a| a.author == *author && a.kind == kind),
			Error::<T>::AlreadyAttested
		);
		let deposit = T::AttestationDeposit::get();
		let attestation = Attestation {
			author: author.clone(),
			kind,
			statement_hash,
			at: frame_system::Pallet::<T>::block_number(),
			deposit,
		};
		attestations.try_push(attestation).map_err(|_| Error::<T>::TooManyAttestations)?;
		T::Currency::hold(&HoldReason::AttestationStorage.into(), author, deposit)?;
		Attestations::<T>::insert(dataset, attestations);
		Ok(())
	}

	/// Removes `author`'s attestation of `kind` about `dataset` and releases its deposit.
	pub fn do_revoke_attestation(
		author: &T::AccountId,
		dataset: DatasetId,
		kind: AttestationKind,
	) -> DispatchResult {
		let mut attestations = Attestations::<T>::get(dataset);
		let index = attestations
			.iter()
			.position(|a| a.author == *author && a.kind == kind)
			.ok_or(Error::<T>::AttestationNotFound)?;
		let removed = attestations.remove(index);
		T::Currency::release(
			&HoldReason::AttestationStorage.into(),
			author,
			removed.deposit,
			Precision::BestEffort,
		)?;
		if attestations.is_empty() {
			Attestations::<T>::remove(dataset);
		} else {
			Attestations::<T>::insert(dataset, attestations);
		}
		Ok(())
	}
}
