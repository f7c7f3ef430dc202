//! Attestations: statements about a dataset by any account, each with its deposit ticket.

use crate::*;

impl<T: Config> Pallet<T> {
	/// Records `author`'s attestation of `kind` about `dataset` with a deposit ticket.
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
		ensure!(
			attestations.len() < T::MaxAttestations::get() as usize,
			Error::<T>::TooManyAttestations
		);
		let deposit = T::AttestationTicket::new(author, Self::attestation_footprint())?;
		let attestation = Attestation {
			author: author.clone(),
			kind,
			statement_hash,
			at: frame_system::Pallet::<T>::block_number(),
			deposit,
		};
		attestations.try_push(attestation).map_err(|_| Error::<T>::TooManyAttestations)?;
		Attestations::<T>::insert(dataset, attestations);
		Ok(())
	}

	/// Removes `author`'s attestation of `kind` about `dataset` and drops its ticket.
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
		removed.deposit.drop(author)?;
		if attestations.is_empty() {
			Attestations::<T>::remove(dataset);
		} else {
			Attestations::<T>::insert(dataset, attestations);
		}
		Ok(())
	}
}
