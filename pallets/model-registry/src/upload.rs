//! Model bytes uploaded in chunks: files larger than one extrinsic, up to
//! `MaxChunks * MaxChunkBytes` bytes. The owner declares the chunks' hashes
//! (`begin_upload`), sends each chunk (`upload_chunk`: its bytes go to the offchain DB by
//! offchain indexing, never to state), and proposes the version once all arrived
//! (`propose_uploaded_version`). The version records the chunks, and a manifest of them is
//! indexed under `model_manifest_key(model_hash)`, from which nodes assemble the file and
//! check it against the whole hash.

use super::*;
use codec::Encode;

impl<T: Config> Pallet<T> {
	/// The largest ONNX file a version may have: inline (`MaxModelBytes`) or uploaded in
	/// chunks (`MaxChunks * MaxChunkBytes`).
	pub fn max_model_bytes() -> u32 {
		T::MaxModelBytes::get().max(T::MaxChunks::get().saturating_mul(T::MaxChunkBytes::get()))
	}

	/// Starts the upload of `model_hash` for `model`, owned by `who`.
	pub(crate) fn do_begin_upload(
		who: T::AccountId,
		model: ModelId,
		model_hash: ModelHash,
		size_bytes: u32,
		chunks: Vec<ChunkHash>,
	) -> DispatchResult {
		let record = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
		ensure!(record.owner == who, Error::<T>::NotOwner);
		ensure!(!VersionByHash::<T>::contains_key(model_hash), Error::<T>::ModelHashInUse);
		ensure!(!Uploads::<T>::contains_key(model_hash), Error::<T>::UploadInProgress);
		let count = chunks.len() as u32;
		let chunks: BoundedVec<ChunkHash, T::MaxChunks> =
			chunks.try_into().map_err(|_| Error::<T>::InvalidChunkCount)?;
		ensure!(count >= 1, Error::<T>::InvalidChunkCount);
		ensure!(
			size_bytes >= count
				&& u64::from(size_bytes) <= u64::from(count) * u64::from(T::MaxChunkBytes::get()),
			Error::<T>::SizeDoesNotFitChunks
		);
		let received = BoundedVec::truncate_from(alloc::vec![false; count as usize]);
		let draft = Upload {
			owner: who.clone(),
			model,
			size_bytes,
			chunks,
			received,
			received_bytes: 0,
			deposit: (),
		};
		let tickets = UploadDepositOf::<T>::new(
			&who,
			footprint_of_bytes(
				draft.encoded_size().saturating_add(UploadDepositOf::<T>::max_encoded_len()),
			),
			footprint_of_bytes(size_bytes as usize),
		)?;
		let deposit = tickets.held();
		let (upload, ()) = draft.replace_deposit(tickets);
		Uploads::<T>::insert(model_hash, upload);
		log::info!(
			target: LOG_TARGET,
			"model {model}: upload of {size_bytes} bytes in {count} chunks begun, hash {model_hash:?}",
		);
		Self::deposit_event(Event::UploadStarted {
			model,
			model_hash,
			size_bytes,
			chunks: count,
			deposit,
		});
		Ok(())
	}

	/// Checks chunk `index` of the upload of `model_hash` and indexes its bytes.
	pub(crate) fn do_upload_chunk(
		who: T::AccountId,
		model_hash: ModelHash,
		index: u32,
		bytes: Vec<u8>,
	) -> DispatchResult {
		let mut upload = Self::owned_upload(&who, &model_hash)?;
		let position = index as usize;
		let declared = *upload.chunks.get(position).ok_or(Error::<T>::ChunkIndexOutOfRange)?;
		ensure!(
			!upload.received.get(position).copied().unwrap_or(true),
			Error::<T>::ChunkAlreadyUploaded
		);
		ensure!(
			!bytes.is_empty() && bytes.len() <= T::MaxChunkBytes::get() as usize,
			Error::<T>::InvalidChunkSize
		);
		ensure!(ChunkHash::from(blake2_256(&bytes)) == declared, Error::<T>::ChunkHashMismatch);
		// The deposit was taken by the declared size: the chunks may not exceed it.
		let received_bytes = upload.received_bytes.saturating_add(bytes.len() as u32);
		ensure!(received_bytes <= upload.size_bytes, Error::<T>::ChunksDoNotMatchSize);
		upload.received_bytes = received_bytes;
		sp_io::offchain_index::set(&model_chunk_key(&model_hash, index), &bytes);
		if let Some(received) = upload.received.get_mut(position) {
			*received = true;
		}
		let received = upload.received_count();
		Uploads::<T>::insert(model_hash, upload);
		log::debug!(target: LOG_TARGET, "upload {model_hash:?}: chunk {index} in ({received} so far)");
		Self::deposit_event(Event::ChunkUploaded { model_hash, index, received });
		Ok(())
	}

	/// Proposes the version whose bytes are the complete upload of `p.model_hash`; returns
	/// its number and how many chunks it has.
	pub(crate) fn do_propose_uploaded(
		who: T::AccountId,
		model: ModelId,
		p: VersionProposalOf<T>,
	) -> Result<(VersionId, u32), DispatchError> {
		let hash = p.model_hash;
		let upload = Self::owned_upload(&who, &hash)?;
		ensure!(upload.model == model, Error::<T>::UploadForAnotherModel);
		ensure!(upload.is_complete(), Error::<T>::UploadIncomplete);
		ensure!(upload.received_bytes == upload.size_bytes, Error::<T>::ChunksDoNotMatchSize);
		// The upload's tickets are dropped for the version's (the call is transactional: a
		// refused proposal keeps the upload and its hold).
		let Upload { owner, size_bytes, chunks, deposit, .. } = upload;
		deposit.drop(&owner)?;
		let version = Self::store_version(who, model, p, size_bytes)?;
		Uploads::<T>::remove(hash);
		sp_io::offchain_index::set(&model_manifest_key(&hash), &chunks.encode());
		let count = chunks.len() as u32;
		VersionChunks::<T>::insert(model, version, chunks);
		Ok((version, count))
	}

	/// Drops the upload of `model_hash`, its chunks and its deposit.
	pub(crate) fn do_cancel_upload(who: T::AccountId, model_hash: ModelHash) -> DispatchResult {
		let upload = Self::owned_upload(&who, &model_hash)?;
		let chunks = upload.chunks.len() as u32;
		upload.deposit.drop(&who)?;
		Uploads::<T>::remove(model_hash);
		Self::clear_chunks(&model_hash, chunks);
		Self::deposit_event(Event::UploadCancelled { model_hash });
		Ok(())
	}

	/// The upload of `model_hash`, if `who` owns it.
	fn owned_upload(
		who: &T::AccountId,
		model_hash: &ModelHash,
	) -> Result<UploadOf<T>, DispatchError> {
		let upload = Uploads::<T>::get(model_hash).ok_or(Error::<T>::UploadNotFound)?;
		ensure!(upload.owner == *who, Error::<T>::NotOwner);
		Ok(upload)
	}

	/// Clears from the offchain DB the `chunks` chunks of the file `model_hash` and its
	/// manifest.
	pub(crate) fn clear_chunks(model_hash: &ModelHash, chunks: u32) {
		for index in 0..chunks {
			sp_io::offchain_index::clear(&model_chunk_key(model_hash, index));
		}
		sp_io::offchain_index::clear(&model_manifest_key(model_hash));
	}

	/// Every upload's hold and shape, and every chunked version's chunks.
	pub(crate) fn try_state_uploads() -> Result<(), TryRuntimeError> {
		for (hash, upload) in Uploads::<T>::iter() {
			ensure!(
				upload.received.len() == upload.chunks.len() && !upload.chunks.is_empty(),
				"an upload's received flags do not match its chunks"
			);
			ensure!(
				!VersionByHash::<T>::contains_key(hash),
				"an upload is in progress for bytes a version already has"
			);
			ensure!(Models::<T>::contains_key(upload.model), "an upload for no model");
			ensure!(
				upload.received_bytes <= upload.size_bytes,
				"an upload received more bytes than declared"
			);
		}
		for (model, version, chunks) in VersionChunks::<T>::iter() {
			ensure!(!chunks.is_empty(), "a chunked version without chunks");
			ensure!(Versions::<T>::contains_key(model, version), "chunks recorded for no version");
		}
		Ok(())
	}
}
