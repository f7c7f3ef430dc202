//! Deposits: the footprints the deposit tickets of records and attestations are priced on.

use crate::*;
use aioracle_primitives::deposit::footprint_of_bytes;
use frame::traits::Footprint;

impl<T: Config> Pallet<T> {
	/// The footprint of a dataset record and its parent links: one item of their encoded
	/// bytes, the ticket counted at its largest encoding (so a record is priced the same
	/// before its ticket exists and after).
	pub fn dataset_footprint(draft: &DatasetDraftOf<T>, parents: &ParentsOf<T>) -> Footprint {
		Self::footprint_without_ticket(draft.encoded_size(), parents)
	}

	/// The footprint of a stored record, as [`Self::dataset_footprint`] of its draft.
	pub fn record_footprint(record: &DatasetOf<T>, parents: &ParentsOf<T>) -> Footprint {
		let without_ticket = record.encoded_size().saturating_sub(record.deposit.encoded_size());
		Self::footprint_without_ticket(without_ticket, parents)
	}

	/// A record of `bytes` bytes without its ticket, the ticket at its largest encoding,
	/// and `parents`.
	fn footprint_without_ticket(bytes: usize, parents: &ParentsOf<T>) -> Footprint {
		footprint_of_bytes(
			bytes
				.saturating_add(T::DatasetTicket::max_encoded_len())
				.saturating_add(parents.encoded_size()),
		)
	}

	/// The footprint of an attestation: one item of an attestation's largest encoding.
	pub fn attestation_footprint() -> Footprint {
		footprint_of_bytes(AttestationOf::<T>::max_encoded_len())
	}
}
