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
			super::Versions::<T>::translate::<ModelVersionV0Of<T>, _>(|_, _, old| {
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
				super::Versions::<T>::iter().count() == before.len(),
				"versions were lost in the migration"
			);
			for (model, version, input) in before {
				let new = super::Versions::<T>::get(model, version).ok_or("a version was lost")?;
				ensure!(new.inputs.to_vec() == alloc::vec![input], "a version's input changed");
			}
			Pallet::<T>::do_try_state()
		}
	}

	/// The version-1 form of a version-0 version.
	pub fn upgrade<T: Config>(old: ModelVersionV0Of<T>) -> ModelVersionOf<T> {
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
