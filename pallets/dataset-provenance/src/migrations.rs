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
			super::v2::Datasets::<T>::translate::<DatasetV0Of<T>, _>(|_, old| {
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
				super::v2::Datasets::<T>::iter().count() == before.len(),
				"datasets were lost in the migration"
			);
			for (id, content_hash, deposit) in before {
				let new = super::v2::Datasets::<T>::get(id).ok_or("a dataset was lost")?;
				ensure!(new.content_hash == content_hash, "a dataset's hash changed");
				ensure!(new.deposit == deposit, "a dataset's deposit changed");
				ensure!(
					new.permissions == UsagePermissions::ALL_ALLOWED && new.royalty.is_zero(),
					"a migrated dataset does not permit every use without royalty"
				);
			}
			Ok(())
		}
	}

	/// The version-1 form of a version-0 dataset record.
	pub fn upgrade<T: Config>(old: DatasetV0Of<T>) -> super::v2::DatasetV1Of<T> {
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

/// v1 -> v2: dataset records and attestations keep deposit tickets (`Consideration`)
/// instead of the amounts they held.
///
/// The runtime's tickets are `HoldConsideration`s on the same hold reasons, which encode as
/// the amount they hold: the stored bytes of every version-1 record already are its
/// ticket, holding exactly the funds held for it. So nothing is rewritten and no funds
/// move; the migration reads every record and attestation, checks that each decodes as a
/// ticket holding its version-1 amount (an error in the log names any that does not), and
/// sets the version.
pub mod v2 {
	use super::*;
	use frame::deps::frame_support::{
		migrations::VersionedMigration, storage_alias, traits::UncheckedOnRuntimeUpgrade,
	};
	#[cfg(feature = "try-runtime")]
	use frame::deps::sp_runtime::TryRuntimeError;

	/// A dataset record as storage version 1 kept it: its deposit as an amount.
	pub type DatasetV1Of<T> = Dataset<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxUriLen,
		<T as Config>::MaxLicenceLen,
		<T as Config>::MaxDescriptionLen,
	>;

	/// An attestation as storage version 1 kept it: its deposit as an amount.
	pub type AttestationV1Of<T> =
		Attestation<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

	/// The version-1 dataset map.
	#[storage_alias]
	pub type Datasets<T: Config> =
		StorageMap<Pallet<T>, Twox64Concat, DatasetId, DatasetV1Of<T>>;

	/// The version-1 attestations map.
	#[storage_alias]
	pub type Attestations<T: Config> = StorageMap<
		Pallet<T>,
		Twox64Concat,
		DatasetId,
		BoundedVec<AttestationV1Of<T>, <T as Config>::MaxAttestations>,
		ValueQuery,
	>;

	/// Whether the encoding of `amount`, read as a `Ticket`, holds `amount`.
	fn is_ticket_for<T: Config, Ticket: DepositTicket<T::AccountId, BalanceOf<T>>>(
		amount: BalanceOf<T>,
	) -> bool {
		Ticket::decode(&mut &amount.encode()[..]).is_ok_and(|ticket| ticket.held() == amount)
	}

	/// How many entries were read, and how many deposits among them are not held by the
	/// same bytes read as tickets (none when the runtime's tickets are
	/// `HoldConsideration`s).
	pub fn mismatches<T: Config>() -> (u64, u64) {
		let mut read = 0u64;
		let mut bad = 0u64;
		for record in Datasets::<T>::iter_values() {
			read.saturating_inc();
			if !is_ticket_for::<T, T::DatasetTicket>(record.deposit) {
				bad.saturating_inc();
			}
		}
		for (_, attestations) in Attestations::<T>::iter() {
			read.saturating_inc();
			for a in attestations {
				if !is_ticket_for::<T, T::AttestationTicket>(a.deposit) {
					bad.saturating_inc();
				}
			}
		}
		(read, bad)
	}

	/// Checks every record and attestation (see the module's documentation).
	///
	/// ## Weight
	/// One read per dataset and per dataset with attestations; no writes.
	pub struct InnerMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let (read, bad) = mismatches::<T>();
			if bad > 0 {
				log::error!(
					target: LOG_TARGET,
					"{bad} deposits do not decode as the tickets holding them: the runtime's \
					 tickets must be HoldConsiderations on this pallet's hold reasons"
				);
			}
			log::info!(target: LOG_TARGET, "checked {read} entries for storage version 2");
			T::DbWeight::get().reads(read)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
			let (_, bad) = mismatches::<T>();
			ensure!(bad == 0, "a version-1 deposit does not decode as its ticket");
			let amounts: Vec<(DatasetId, BalanceOf<T>)> =
				Datasets::<T>::iter().map(|(id, r)| (id, r.deposit)).collect();
			Ok(amounts.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
			let amounts = Vec::<(DatasetId, BalanceOf<T>)>::decode(&mut &state[..])
				.map_err(|_| "bad pre-upgrade state")?;
			for (id, amount) in amounts {
				let record = super::Datasets::<T>::get(id).ok_or("a dataset was lost")?;
				ensure!(record.deposit.held() == amount, "a ticket holds another amount");
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
