//! How a version decodes input blobs: requests by reference name an input blob (or a
//! dataset whose content is one) and operators decode it into the version's input tensor
//! as the version declares. The owner declares it while the version is proposed, so that
//! governance approves the model with its preprocessing.

use super::*;

impl<T: Config> Pallet<T> {
	/// Declares `decoding` for version `version` of `model`, owned by `who`.
	pub(crate) fn do_set_input_decoding(
		who: T::AccountId,
		model: ModelId,
		version: VersionId,
		decoding: BlobDecoding,
	) -> DispatchResult {
		let record = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
		ensure!(record.owner == who, Error::<T>::NotOwner);
		let v = Versions::<T>::get(model, version).ok_or(Error::<T>::VersionNotFound)?;
		ensure!(v.status == VersionStatus::Proposed, Error::<T>::NotProposed);
		ensure!(decoding.suits(&v.inputs), Error::<T>::DecodingDoesNotFitInput);
		if decoding == BlobDecoding::default() {
			InputDecodings::<T>::remove(model, version);
		} else {
			InputDecodings::<T>::insert(model, version, decoding);
		}
		log::info!(
			target: LOG_TARGET,
			"model {model} version {version}: input blobs decode as {decoding:?}"
		);
		Self::deposit_event(Event::InputDecodingSet { model, version, decoding });
		Ok(())
	}

	/// Checks that every declared decoding belongs to an existing version and fits its
	/// input.
	pub(crate) fn try_state_decodings() -> Result<(), TryRuntimeError> {
		for (model, version, decoding) in InputDecodings::<T>::iter() {
			let v = Versions::<T>::get(model, version)
				.ok_or("an input decoding belongs to a version that does not exist")?;
			ensure!(decoding != BlobDecoding::default(), "the default decoding is stored");
			ensure!(decoding.suits(&v.inputs), "an input decoding does not fit");
		}
		Ok(())
	}
}
