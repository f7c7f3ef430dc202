//! Inputs by reference. A requester stores an input blob (`store_input`: the bytes go to
//! the offchain DB by offchain indexing, a record with a deposit to state) and names it,
//! or a registered dataset whose content it is, in `request_inference_by_reference`.
//! Operators read the blob, check its hash and decode it into the version's input tensor
//! as the version declares (`ModelInspect::input_decoding`). Nothing of the input is kept
//! in state but the reference, so an input may be far larger than `MaxInputLen`.

use aioracle_primitives::input::{input_blob_key, BlobDecoding};
use frame::{deps::sp_io, hashing::blake2_256};

use super::*;

impl<T: Config> Pallet<T> {
	/// Stores `bytes` as an input blob owned by `owner`; returns its hash.
	pub fn do_store_input(
		owner: T::AccountId,
		bytes: Vec<u8>,
	) -> Result<InputBlobHash, DispatchError> {
		ensure!(!bytes.is_empty(), Error::<T>::EmptyInputBlob);
		let size_bytes = u32::try_from(bytes.len())
			.ok()
			.filter(|size| *size <= T::MaxInputBlobBytes::get())
			.ok_or(Error::<T>::InputBlobTooLarge)?;
		let hash: InputBlobHash = blake2_256(&bytes).into();
		ensure!(!InputBlobs::<T>::contains_key(hash), Error::<T>::InputBlobAlreadyStored);
		let deposit = T::InputBlobDepositBase::get()
			.saturating_add(T::InputBlobDepositPerByte::get().saturating_mul(size_bytes.into()));
		T::Currency::hold(&HoldReason::InputBlob.into(), &owner, deposit)?;
		sp_io::offchain_index::set(&input_blob_key(&hash), &bytes);
		InputBlobs::<T>::insert(
			hash,
			InputBlob { owner: owner.clone(), size_bytes, deposit, last_used: Self::now() },
		);
		log::info!(target: LOG_TARGET, "input blob {hash:?} stored: {size_bytes} bytes");
		Self::deposit_event(Event::InputStored { blob: hash, owner, size_bytes, deposit });
		Ok(hash)
	}

	/// Removes the input blob `hash`, owned by `who`.
	pub fn do_remove_input(who: T::AccountId, hash: InputBlobHash) -> DispatchResult {
		let blob = InputBlobs::<T>::get(hash).ok_or(Error::<T>::InputBlobNotFound)?;
		ensure!(blob.owner == who, Error::<T>::NotInputBlobOwner);
		ensure!(
			Self::now() > blob.last_used.saturating_add(T::InputBlobRetention::get()),
			Error::<T>::InputBlobInUse
		);
		T::Currency::release(
			&HoldReason::InputBlob.into(),
			&who,
			blob.deposit,
			Precision::BestEffort,
		)?;
		InputBlobs::<T>::remove(hash);
		sp_io::offchain_index::clear(&input_blob_key(&hash));
		Self::deposit_event(Event::InputRemoved { blob: hash });
		Ok(())
	}

	/// Makes a request whose input is `source`; returns its id, and whether the oldest
	/// retained request had to be closed (see [`Pallet::do_request`]).
	pub fn do_request_by_reference(
		requester: T::AccountId,
		model: ModelId,
		source: InputSource,
		max_fee: BalanceOf<T>,
	) -> Result<(RequestId, bool), DispatchError> {
		let (target, contract) = Self::active_serving(model)?;
		let input = RequestInput::Reference(Self::reference_for(source, &target, &contract)?);
		Self::open_active_request(requester, target, contract, input, max_fee)
	}

	/// The reference `source` names, if its blob is stored and fits the input of `target`,
	/// served by `contract`.
	pub(crate) fn reference_for(
		source: InputSource,
		target: &VersionRef,
		contract: &ServingContract,
	) -> Result<InputReference, DispatchError> {
		let reference = Self::resolve(source)?;
		let blob = InputBlobs::<T>::get(reference.blob).ok_or(Error::<T>::InputBlobNotFound)?;
		let decoding: BlobDecoding = T::Models::input_decoding(target.model, target.version);
		decoding
			.fits(blob.size_bytes, &contract.inputs)
			.map_err(|_| Error::<T>::InputBlobDoesNotFit)?;
		Ok(reference)
	}

	/// `input` as the inline input of a request served by `contract`, if it has the
	/// input spec's element count (within `MaxInputLen`).
	pub(crate) fn inline_input(
		contract: &ServingContract,
		input: Vec<i64>,
	) -> Result<BoundedVec<i64, T::MaxInputLen>, DispatchError> {
		let input_len = contract.input_len().ok_or(Error::<T>::TensorTooLarge)?;
		ensure!(input_len <= T::MaxInputLen::get(), Error::<T>::TensorTooLarge);
		ensure!(input.len() == input_len as usize, Error::<T>::InputLengthMismatch);
		// The length was checked against `input_len`, itself within `MaxInputLen`.
		Ok(BoundedVec::truncate_from(input))
	}

	/// The reference `source` names: a blob's hash as it is, a dataset's content hash.
	/// A dataset named as the input must permit inference on it (CAWG's `ai_inference`:
	/// using the data as a model's input).
	fn resolve(source: InputSource) -> Result<InputReference, DispatchError> {
		Ok(match source {
			InputSource::Blob(blob) => InputReference { blob, dataset: None },
			InputSource::Dataset(id) => {
				let blob = T::Datasets::content_hash(id).ok_or(Error::<T>::DatasetNotFound)?;
				let permitted = T::Datasets::permissions(id).is_some_and(|p| p.ai_inference.permits());
				ensure!(permitted, Error::<T>::InferenceNotPermitted);
				InputReference { blob, dataset: Some(id) }
			},
		})
	}

	/// Records that a request made at `now` named the blob `hash`.
	pub(crate) fn note_input_use(hash: &InputBlobHash, now: BlockNumberFor<T>) {
		InputBlobs::<T>::mutate(hash, |blob| {
			if let Some(blob) = blob {
				blob.last_used = now;
			}
		});
	}

	/// Checks that every referenced request is retained and carries no inline input, and
	/// that every account's held blob deposits are the deposits of its blobs.
	pub fn try_state_inputs() -> Result<(), TryRuntimeError> {
		for (id, _) in RequestInputs::<T>::iter() {
			let request = Requests::<T>::get(id).ok_or("a request input outlived its request")?;
			ensure!(request.input.is_empty(), "a request by reference carries an inline input");
		}
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (_, blob) in InputBlobs::<T>::iter() {
			ensure!(
				blob.size_bytes >= 1 && blob.size_bytes <= T::MaxInputBlobBytes::get(),
				"an input blob's size is out of bounds"
			);
			let total = deposits.entry(blob.owner).or_default();
			*total = total.saturating_add(blob.deposit);
		}
		for (owner, deposit) in deposits {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::InputBlob.into(), &owner) == deposit,
				"an owner's held blob deposits are not its blobs' deposits"
			);
		}
		Ok(())
	}
}
