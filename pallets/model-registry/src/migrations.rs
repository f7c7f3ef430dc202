//! Storage migrations of the model registry.

use super::*;

/// v0 -> v1: a version declares a list of input tensors (`inputs`) instead of one
/// (`input`).
pub mod v1 {
	use frame::deps::frame_support::{migrations::VersionedMigration, storage_alias};

	use super::*;

	/// A version as storage version 0 kept it: one input tensor.
	#[derive(Encode, Decode, TypeInfo, MaxEncodedLen)]
	#[scale_info(skip_type_params(MaxUri, MaxDatasets))]
	pub struct ModelVersionV0<Balance, BlockNumber, MaxUri: Get<u32>, MaxDatasets: Get<u32>> {
		/// blake2-256 of the ONNX bytes.
		pub model_hash: ModelHash,
		/// The size of the ONNX bytes.
		pub size_bytes: u32,
		/// Where the bytes can be fetched.
		pub uri: BoundedVec<u8, MaxUri>,
		/// The one input requests fed.
		pub input: TensorSpec,
		/// The output that is reported.
		pub output: TensorSpec,
		/// Decimals of the fixed-point input.
		pub input_scale: u8,
		/// Decimals of the fixed-point output.
		pub output_scale: u8,
		/// How operators' outputs are combined.
		pub aggregation: Aggregation,
		/// The fewest agreeing operators that make a result.
		pub min_agreement: u32,
		/// The datasets the version was trained on.
		pub training_datasets: BoundedVec<DatasetId, MaxDatasets>,
		/// Declared for commercial use.
		pub commercial_use: bool,
		/// Where the version is in its life.
		pub status: VersionStatus,
		/// When it entered each status.
		pub status_blocks: StatusBlocks<BlockNumber>,
		/// The deposit held for it.
		pub deposit: Balance,
	}

	/// A version-0 version record of this runtime.
	pub type ModelVersionV0Of<T> = ModelVersionV0<
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxUriLen,
		<T as Config>::MaxTrainingDatasets,
	>;

	/// The version-0 version map, to write it in tests.
	#[storage_alias]
	pub type Versions<T: Config> = StorageDoubleMap<
		Pallet<T>,
		Twox64Concat,
		ModelId,
		Twox64Concat,
		VersionId,
		ModelVersionV0Of<T>,
	>;

	/// Translates every version: its one input becomes a list of one. Deposits stay as
	/// held (the record grows by one byte, the list's length).
	///
	/// ## Weight
	/// One read and one write per version: at most `MaxVersions` per model.
	pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> frame::deps::frame_support::traits::UncheckedOnRuntimeUpgrade
		for InnerMigrateV0ToV1<T>
	{
		fn on_runtime_upgrade() -> Weight {
			let mut translated = 0u64;
			super::v2::Versions::<T>::translate::<ModelVersionV0Of<T>, _>(|_, _, old| {
				translated.saturating_inc();
				Some(upgrade::<T>(old))
			});
			log::info!(target: LOG_TARGET, "migrated {translated} versions to storage version 1");
			T::DbWeight::get().reads_writes(translated, translated)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			let inputs: Vec<(ModelId, VersionId, TensorSpec)> =
				Versions::<T>::iter().map(|(m, v, old)| (m, v, old.input)).collect();
			Ok(inputs.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
			let before = Vec::<(ModelId, VersionId, TensorSpec)>::decode(&mut &state[..])
				.map_err(|_| "bad pre-upgrade state")?;
			ensure!(
				super::v2::Versions::<T>::iter().count() == before.len(),
				"versions were lost in the migration"
			);
			for (model, version, input) in before {
				let new =
					super::v2::Versions::<T>::get(model, version).ok_or("a version was lost")?;
				ensure!(new.inputs.to_vec() == alloc::vec![input], "a version's input changed");
			}
			Ok(())
		}
	}

	/// The version-1 form of a version-0 version.
	pub fn upgrade<T: Config>(old: ModelVersionV0Of<T>) -> super::v2::ModelVersionV1Of<T> {
		ModelVersion {
			model_hash: old.model_hash,
			size_bytes: old.size_bytes,
			uri: old.uri,
			inputs: BoundedVec::truncate_from(alloc::vec![old.input]),
			output: old.output,
			input_scale: old.input_scale,
			output_scale: old.output_scale,
			aggregation: old.aggregation,
			min_agreement: old.min_agreement,
			training_datasets: old.training_datasets,
			commercial_use: old.commercial_use,
			status: old.status,
			status_blocks: old.status_blocks,
			deposit: old.deposit,
		}
	}

	/// [`InnerMigrateV0ToV1`], run only on storage version 0, which it sets to 1.
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		InnerMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// v1 -> v2: records keep deposit tickets (`Consideration`s) instead of the amounts they
/// held.
///
/// - Models: the runtime's `HoldConsideration` encodes as the amount it holds, so every
///   version-1 model record already is its ticket; nothing is rewritten, every record is
///   checked.
/// - Versions and uploads: the amount becomes two tickets, one for the ONNX bytes (what
///   `VersionBytesTicket`/`UploadBytesTicket` prices `size_bytes` at, at most the amount)
///   and one for the record (the rest). The two hold together exactly what was held, so
///   no funds move. A record whose amount cannot be made into tickets (a runtime whose
///   tickets cannot stand for held funds) is left as it was and logged as an error.
pub mod v2 {
	use super::*;
	use frame::deps::frame_support::{migrations::VersionedMigration, storage_alias};

	/// A version record as storage version 1 kept it: its deposit as an amount.
	pub type ModelVersionV1Of<T> = ModelVersion<
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxUriLen,
		<T as Config>::MaxTrainingDatasets,
	>;

	/// An upload as storage version 1 kept it: its deposit as an amount.
	pub type UploadV1Of<T> =
		Upload<<T as frame_system::Config>::AccountId, BalanceOf<T>, <T as Config>::MaxChunks>;

	/// A model record as storage version 1 kept it: its deposit as an amount.
	pub type ModelV1Of<T> = Model<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxNameLen,
		<T as Config>::MaxDescriptionLen,
		<T as Config>::MaxRollbackDepth,
	>;

	/// The version-1 versions map.
	#[storage_alias]
	pub type Versions<T: Config> = StorageDoubleMap<
		Pallet<T>,
		Twox64Concat,
		ModelId,
		Twox64Concat,
		VersionId,
		ModelVersionV1Of<T>,
	>;

	/// The version-1 uploads map.
	#[storage_alias]
	pub type Uploads<T: Config> = StorageMap<Pallet<T>, Identity, ModelHash, UploadV1Of<T>>;

	/// The version-1 models map.
	#[storage_alias]
	pub type Models<T: Config> = StorageMap<Pallet<T>, Twox64Concat, ModelId, ModelV1Of<T>>;

	/// `amount` as two tickets: the bytes' for what `size_bytes` costs (at most `amount`),
	/// the record's for the rest.
	pub fn split<T: Config, Record, Bytes>(
		amount: BalanceOf<T>,
		size_bytes: u32,
	) -> Option<RecordAndBytes<Record, Bytes>>
	where
		Record: DepositTicket<T::AccountId, BalanceOf<T>>,
		Bytes: DepositTicket<T::AccountId, BalanceOf<T>>,
	{
		let bytes = Bytes::price(footprint_of_bytes(size_bytes as usize)).min(amount);
		Some(RecordAndBytes {
			record: Record::from_held(amount.saturating_sub(bytes))?,
			bytes: Bytes::from_held(bytes)?,
		})
	}

	/// See the module's documentation.
	///
	/// ## Weight
	/// One read per model, one read and one write per version and per upload.
	pub struct InnerMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> frame::deps::frame_support::traits::UncheckedOnRuntimeUpgrade
		for InnerMigrateV1ToV2<T>
	{
		fn on_runtime_upgrade() -> Weight {
			let mut reads = 0u64;
			let mut writes = 0u64;
			let mut failed = 0u64;
			for (_, model) in Models::<T>::iter() {
				reads.saturating_inc();
				if T::ModelTicket::from_held(model.deposit)
					.is_none_or(|ticket| ticket.held() != model.deposit)
				{
					failed.saturating_inc();
				}
			}
			let versions: Vec<_> = Versions::<T>::iter().collect();
			for (model, version, old) in versions {
				reads.saturating_inc();
				match split::<T, T::VersionTicket, T::VersionBytesTicket>(old.deposit, old.size_bytes)
				{
					Some(deposit) => {
						super::Versions::<T>::insert(model, version, old.replace_deposit(deposit).0);
						writes.saturating_inc();
					},
					None => failed.saturating_inc(),
				}
			}
			let uploads: Vec<_> = Uploads::<T>::iter().collect();
			for (hash, old) in uploads {
				reads.saturating_inc();
				match split::<T, T::UploadTicket, T::UploadBytesTicket>(old.deposit, old.size_bytes)
				{
					Some(deposit) => {
						super::Uploads::<T>::insert(hash, old.replace_deposit(deposit).0);
						writes.saturating_inc();
					},
					None => failed.saturating_inc(),
				}
			}
			if failed > 0 {
				log::error!(
					target: LOG_TARGET,
					"{failed} deposits could not be made tickets: the runtime's tickets must \
					 be HoldConsiderations on this pallet's hold reasons"
				);
			}
			log::info!(target: LOG_TARGET, "{writes} records now keep tickets (storage version 2)");
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			let versions: Vec<(ModelId, VersionId, BalanceOf<T>)> =
				Versions::<T>::iter().map(|(m, v, old)| (m, v, old.deposit)).collect();
			let uploads: Vec<(ModelHash, BalanceOf<T>)> =
				Uploads::<T>::iter().map(|(h, old)| (h, old.deposit)).collect();
			Ok((versions, uploads).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
			type Before<T> = (Vec<(ModelId, VersionId, BalanceOf<T>)>, Vec<(ModelHash, BalanceOf<T>)>);
			let (versions, uploads) =
				Before::<T>::decode(&mut &state[..]).map_err(|_| "bad pre-upgrade state")?;
			for (model, version, amount) in versions {
				let new = super::Versions::<T>::get(model, version).ok_or("a version was lost")?;
				ensure!(new.deposit.held() == amount, "a version's tickets hold another amount");
			}
			for (hash, amount) in uploads {
				let new = super::Uploads::<T>::get(hash).ok_or("an upload was lost")?;
				ensure!(new.deposit.held() == amount, "an upload's tickets hold another amount");
			}
			Pallet::<T>::do_try_state()
		}
	}

	/// [`InnerMigrateV1ToV2`], run only on storage version 1, which it sets to 2.
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		InnerMigrateV1ToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// Endows the marketplace's pot with the existential deposit (see [`Pallet::endow_pot`]):
/// chains that started before the marketplace had no pot. Unversioned and idempotent: it
/// mints only while the pot holds less.
pub struct EndowPot<T>(core::marker::PhantomData<T>);

impl<T: Config> frame::traits::OnRuntimeUpgrade for EndowPot<T> {
	fn on_runtime_upgrade() -> Weight {
		let minted = Pallet::<T>::endow_pot();
		if minted {
			log::info!(target: LOG_TARGET, "the marketplace pot was endowed");
		}
		// The pot's account and the total issuance: read, and written if minted.
		T::DbWeight::get().reads_writes(2, if minted { 2 } else { 0 })
	}
}
