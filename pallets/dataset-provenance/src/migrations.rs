//! Storage migrations of the dataset provenance pallet.

use crate::*;

/// v0 -> v1: a dataset record carries usage permissions and a royalty.
pub mod v1 {
	use super::*;
	use frame::deps::frame_support::{
		migrations::VersionedMigration, storage_alias, traits::UncheckedOnRuntimeUpgrade,
	};
	#[cfg(feature = "try-runtime")]
	use frame::deps::sp_runtime::TryRuntimeError;

	/// A dataset record as storage version 0 kept it: no permissions, no royalty.
	#[derive(Encode, Decode, TypeInfo, MaxEncodedLen)]
	#[scale_info(skip_type_params(MaxUri, MaxLicence, MaxDescription))]
	pub struct DatasetV0<
		AccountId,
		Balance,
		BlockNumber,
		MaxUri: Get<u32>,
		MaxLicence: Get<u32>,
		MaxDescription: Get<u32>,
	> {
		/// Who owns the record.
		pub owner: AccountId,
		/// The content hash.
		pub content_hash: ContentHash,
		/// The size of the canonical bytes.
		pub size_bytes: u64,
		/// The number of records, if given.
		pub record_count: Option<u64>,
		/// Where the bytes can be fetched.
		pub uri: BoundedVec<u8, MaxUri>,
		/// The licence.
		pub licence: Licence<MaxLicence>,
		/// The schema hash, if given.
		pub schema_hash: Option<H256>,
		/// How the dataset was derived from its parents.
		pub derivation: Option<Derivation<BoundedVec<u8, MaxDescription>>>,
		/// The block it was registered in.
		pub registered_at: BlockNumber,
		/// The deposit held from `owner`.
		pub deposit: Balance,
	}

	/// A version-0 dataset record of this runtime.
	pub type DatasetV0Of<T> = DatasetV0<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxUriLen,
		<T as Config>::MaxLicenceLen,
		<T as Config>::MaxDescriptionLen,
	>;

	/// The version-0 dataset map, to write it in tests.
	#[storage_alias]
	pub type Datasets<T: Config> =
		StorageMap<Pallet<T>, Twox64Concat, DatasetId, DatasetV0Of<T>>;

	/// Translates every dataset: it permits every use (what registering it meant before
	/// permissions existed, so no model already trained on it or serving from it is
	/// refused) and asks no royalty. Deposits stay as held: the record grows by a few
	/// bytes, which the owner pays for only if the record changes size again.
	///
	/// ## Weight
	/// One read and one write per dataset.
	pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut translated = 0u64;
			super::Datasets::<T>::translate::<DatasetV0Of<T>, _>(|_, old| {
				translated.saturating_inc();
				Some(upgrade::<T>(old))
			});
			log::info!(target: LOG_TARGET, "migrated {translated} datasets to storage version 1");
			T::DbWeight::get().reads_writes(translated, translated)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			let before: Vec<(DatasetId, ContentHash, BalanceOf<T>)> = Datasets::<T>::iter()
				.map(|(id, old)| (id, old.content_hash, old.deposit))
				.collect();
			Ok(before.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
			let before = Vec::<(DatasetId, ContentHash, BalanceOf<T>)>::decode(&mut &state[..])
				.map_err(|_| "bad pre-upgrade state")?;
			ensure!(
				super::Datasets::<T>::iter().count() == before.len(),
				"datasets were lost in the migration"
			);
			for (id, content_hash, deposit) in before {
				let new = super::Datasets::<T>::get(id).ok_or("a dataset was lost")?;
				ensure!(new.content_hash == content_hash, "a dataset's hash changed");
				ensure!(new.deposit == deposit, "a dataset's deposit changed");
				ensure!(
					new.permissions == UsagePermissions::ALL_ALLOWED && new.royalty.is_zero(),
					"a migrated dataset does not permit every use without royalty"
				);
			}
			Pallet::<T>::do_try_state()
		}
	}

	/// The version-1 form of a version-0 dataset record.
	pub fn upgrade<T: Config>(old: DatasetV0Of<T>) -> DatasetOf<T> {
		Dataset {
			owner: old.owner,
			content_hash: old.content_hash,
			size_bytes: old.size_bytes,
			record_count: old.record_count,
			uri: old.uri,
			licence: old.licence,
			permissions: UsagePermissions::ALL_ALLOWED,
			royalty: Permill::zero(),
			schema_hash: old.schema_hash,
			derivation: old.derivation,
			registered_at: old.registered_at,
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
