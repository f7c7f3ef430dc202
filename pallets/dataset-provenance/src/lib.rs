//! # Dataset provenance pallet
//!
//! Answers the first question aioracle puts on-chain: *where did this data come from?*
//! A dataset is registered by its owner with the blake2-256 hash of its canonical bytes,
//! its licence, and the datasets it was derived from. Anyone may attest to it; its owner
//! or governance may retract it, which taints everything derived from it.
//!
//! ## Terminology
//! - **Content hash**: blake2-256 of the dataset's canonical bytes. For a directory, the
//!   canonical bytes are defined by `aioracle-node dataset hash` (see `docs/`). One
//!   registration per hash.
//! - **Lineage**: the parents of a dataset and how it was derived from them. Parents
//!   must exist when a dataset is registered and never change, so lineage is a DAG by
//!   construction, and the ancestors of a dataset are fixed forever.
//! - **Licence flags**: what the chain checks of a licence: commercial use, derivatives,
//!   share-alike. A dataset cannot be derived from a parent that forbids derivatives, must
//!   carry the licence of a share-alike parent, and cannot allow commercial use that a
//!   parent forbids.
//! - **Retraction**: a mark, never a deletion. A retracted dataset and everything derived
//!   from it are **tainted**; nothing new may be derived from tainted data.
//! - **Attestation**: a statement by any account (auditor, data subject, annotator) that
//!   it checked something about a dataset: quality, consent, an audit, or other. The
//!   statement itself stays off-chain; its hash goes on-chain.
//!
//! ## Deposits
//! Every record is paid for with a deposit held from its owner
//! ([`HoldReason::DatasetStorage`]): `DatasetDepositBase + DepositPerByte * bytes`, where
//! `bytes` is the encoded size of the record and its parent links. Records are permanent,
//! so **the dataset deposit is never released**: it follows the record to a new owner on
//! [`Pallet::transfer_ownership`], and is adjusted when [`Pallet::update_uri`] changes the
//! record's size. A retracted record keeps its deposit. An attestation holds
//! `AttestationDeposit` from its author ([`HoldReason::AttestationStorage`]), released
//! when the author revokes it.
//!
//! ## Scenario
//! Alice registers `raw` (CC-BY-4.0). Bob registers `clean`, derived from `raw` with the
//! description "deduplicated". Carol, an auditor, attests `Quality` of `clean` with the
//! hash of her report. Alice learns consent was not given for part of `raw` and retracts
//! it: `raw` is retracted, `clean` is tainted, and a model registry asking
//! [`DatasetInspect::is_tainted`] about `clean` gets `true`.
//!
//! ## API
//! Calls: [`register_dataset`](Pallet::register_dataset),
//! [`update_uri`](Pallet::update_uri), [`transfer_ownership`](Pallet::transfer_ownership),
//! [`retract`](Pallet::retract), [`attest`](Pallet::attest),
//! [`revoke_attestation`](Pallet::revoke_attestation).
//!
//! Reading: the runtime API `DatasetProvenanceApi` (in `aioracle-primitives`), served by
//! [`Pallet::dataset_view`], [`Pallet::ancestors`], [`Pallet::descendants`],
//! [`Pallet::taint`] and [`Pallet::attestation_views`]. Other pallets ask through
//! [`DatasetInspect`].
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::{collections::BTreeSet, vec::Vec};

pub use aioracle_primitives::dataset::{
	AttestationKind, ContentHash, DatasetId, DatasetInspect, LicenceFlags, Retractor,
};
use aioracle_primitives::dataset::{AttestationView, DatasetView, Lineage, LineageEntry, Taint};
use frame::{
	prelude::*,
	traits::{
		fungible::{Inspect, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
	},
};

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

/// The log target of this pallet.
pub const LOG_TARGET: &str = "runtime::dataset-provenance";

/// The balance type of the currency deposits are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// A dataset record of this runtime.
pub type DatasetOf<T> = Dataset<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BlockNumberFor<T>,
	<T as Config>::MaxUriLen,
	<T as Config>::MaxLicenceLen,
	<T as Config>::MaxDescriptionLen,
>;
/// A retraction of this runtime.
pub type RetractionOf<T> = Retraction<
	<T as frame_system::Config>::AccountId,
	BlockNumberFor<T>,
	<T as Config>::MaxReasonLen,
>;
/// An attestation of this runtime.
pub type AttestationOf<T> =
	Attestation<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
/// The parents of a dataset.
pub type ParentsOf<T> = BoundedVec<DatasetId, <T as Config>::MaxParents>;
/// The attestations of a dataset.
pub type AttestationsOf<T> = BoundedVec<AttestationOf<T>, <T as Config>::MaxAttestations>;
/// A dataset view of this runtime.
pub type DatasetViewOf<T> =
	DatasetView<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

/// The deepest lineage walk the runtime API serves, whatever the caller asks.
pub const MAX_LINEAGE_QUERY_DEPTH: u32 = 64;

#[frame::pallet]
pub mod pallet {
	use super::*;

	/// The storage version: 0, the layout every chain has had since genesis. A layout
	/// change bumps it and comes with a migration.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The currency deposits are held in.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// The origin that may retract any dataset (a takedown: consent withdrawn, unlawful
		/// content). Owners retract their own datasets with a signed origin.
		type RetractOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The fixed part of a dataset's deposit.
		#[pallet::constant]
		type DatasetDepositBase: Get<BalanceOf<Self>>;

		/// The deposit per byte of a dataset's stored record and lineage links.
		#[pallet::constant]
		type DepositPerByte: Get<BalanceOf<Self>>;

		/// The deposit held for each attestation until it is revoked.
		#[pallet::constant]
		type AttestationDeposit: Get<BalanceOf<Self>>;

		/// The most parents a dataset may have. At least 1.
		#[pallet::constant]
		type MaxParents: Get<u32>;

		/// The most ancestors (parents, their parents, ...) a dataset may have. At least
		/// `MaxParents`. Bounds the work of registering a dataset and of checking taint.
		#[pallet::constant]
		type MaxAncestors: Get<u32>;

		/// The longest URI, in bytes.
		#[pallet::constant]
		type MaxUriLen: Get<u32>;

		/// The longest SPDX licence identifier or expression, in bytes.
		#[pallet::constant]
		type MaxLicenceLen: Get<u32>;

		/// The longest derivation description, in bytes.
		#[pallet::constant]
		type MaxDescriptionLen: Get<u32>;

		/// The longest retraction reason, in bytes.
		#[pallet::constant]
		type MaxReasonLen: Get<u32>;

		/// The most attestations a dataset may carry at once.
		#[pallet::constant]
		type MaxAttestations: Get<u32>;

		/// The most datasets one runtime-API lineage walk returns.
		#[pallet::constant]
		type MaxLineageResults: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The id the next registered dataset gets.
	#[pallet::storage]
	pub type NextDatasetId<T: Config> = StorageValue<_, DatasetId, ValueQuery>;

	/// The registered datasets, by id.
	#[pallet::storage]
	pub type Datasets<T: Config> = StorageMap<_, Twox64Concat, DatasetId, DatasetOf<T>>;

	/// The id of the dataset registered with a content hash.
	#[pallet::storage]
	pub type DatasetIdByHash<T: Config> = StorageMap<_, Blake2_128Concat, ContentHash, DatasetId>;

	/// The parents of each derived dataset (absent for datasets without parents).
	#[pallet::storage]
	pub type Parents<T: Config> = StorageMap<_, Twox64Concat, DatasetId, ParentsOf<T>>;

	/// The children of each dataset: `(parent, child) -> ()`, the mirror of `Parents`.
	#[pallet::storage]
	pub type Children<T: Config> =
		StorageDoubleMap<_, Twox64Concat, DatasetId, Twox64Concat, DatasetId, ()>;

	/// The retraction of each retracted dataset.
	#[pallet::storage]
	pub type Retractions<T: Config> = StorageMap<_, Twox64Concat, DatasetId, RetractionOf<T>>;

	/// The attestations of each dataset, oldest first.
	#[pallet::storage]
	pub type Attestations<T: Config> =
		StorageMap<_, Twox64Concat, DatasetId, AttestationsOf<T>, ValueQuery>;

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit for a dataset record, held from its owner.
		#[codec(index = 0)]
		DatasetStorage,
		/// The deposit for an attestation, held from its author.
		#[codec(index = 1)]
		AttestationStorage,
	}

	#[pallet::genesis_config]
	#[derive(frame::prelude::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Datasets registered at genesis, without parents: `(owner, content hash, size in
		/// bytes, URI, SPDX licence, licence flags)`. Their deposits are held from the
		/// owners, as for `register_dataset`.
		pub datasets: Vec<(T::AccountId, ContentHash, u64, Vec<u8>, Vec<u8>, LicenceFlags)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (owner, content_hash, size_bytes, uri, licence, flags) in &self.datasets {
				let registration = Registration {
					content_hash: *content_hash,
					size_bytes: *size_bytes,
					record_count: None,
					uri: uri.clone(),
					licence: licence.clone(),
					licence_flags: *flags,
					schema_hash: None,
					parents: Vec::new(),
					derivation: None,
				};
				let result = Pallet::<T>::do_register(owner.clone(), registration);
				assert!(result.is_ok(), "a genesis dataset was refused: {result:?}");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A dataset was registered.
		DatasetRegistered {
			/// Its id.
			dataset: DatasetId,
			/// Its owner.
			owner: T::AccountId,
			/// Its content hash.
			content_hash: ContentHash,
			/// The datasets it was derived from.
			parents: ParentsOf<T>,
			/// The deposit held from the owner.
			deposit: BalanceOf<T>,
		},
		/// A dataset's URI changed.
		UriUpdated {
			/// The dataset.
			dataset: DatasetId,
			/// The new URI.
			uri: BoundedVec<u8, T::MaxUriLen>,
		},
		/// A dataset changed owner; its deposit moved with it.
		OwnershipTransferred {
			/// The dataset.
			dataset: DatasetId,
			/// The previous owner.
			from: T::AccountId,
			/// The new owner.
			to: T::AccountId,
		},
		/// A dataset was retracted; it and everything derived from it are now tainted.
		DatasetRetracted {
			/// The dataset.
			dataset: DatasetId,
			/// Who retracted it.
			by: Retractor<T::AccountId>,
		},
		/// An account attested to a dataset.
		Attested {
			/// The dataset.
			dataset: DatasetId,
			/// Who attests.
			author: T::AccountId,
			/// What is attested.
			kind: AttestationKind,
			/// The hash of the statement.
			statement_hash: H256,
		},
		/// An attestation was revoked by its author.
		AttestationRevoked {
			/// The dataset.
			dataset: DatasetId,
			/// The author.
			author: T::AccountId,
			/// What had been attested.
			kind: AttestationKind,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No dataset has this id.
		DatasetNotFound,
		/// A dataset with this content hash is already registered.
		AlreadyRegistered,
		/// The caller does not own the dataset.
		NotOwner,
		/// More parents than `MaxParents`.
		TooManyParents,
		/// A parent is listed twice.
		DuplicateParent,
		/// A parent does not exist.
		ParentNotFound,
		/// The parents have more ancestors in all than `MaxAncestors`.
		TooManyAncestors,
		/// A parent or one of its ancestors is retracted: nothing may be derived from it.
		AncestorRetracted,
		/// A parent's licence forbids derivatives.
		ParentForbidsDerivatives,
		/// A parent is share-alike and the dataset does not carry its licence.
		ShareAlikeLicenceNotCarried,
		/// The dataset allows commercial use that a parent's licence forbids.
		CommercialUseForbiddenByParent,
		/// A derivation was given for a dataset without parents.
		DerivationWithoutParents,
		/// The URI is longer than `MaxUriLen`.
		UriTooLong,
		/// The licence is longer than `MaxLicenceLen`.
		LicenceTooLong,
		/// The licence is empty.
		EmptyLicence,
		/// The derivation description is longer than `MaxDescriptionLen`.
		DescriptionTooLong,
		/// The retraction reason is longer than `MaxReasonLen`.
		ReasonTooLong,
		/// The dataset is already retracted.
		AlreadyRetracted,
		/// The new owner is the current owner.
		AlreadyOwner,
		/// The dataset already carries `MaxAttestations` attestations.
		TooManyAttestations,
		/// The caller already made an attestation of this kind about the dataset.
		AlreadyAttested,
		/// The caller made no attestation of this kind about the dataset.
		AttestationNotFound,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxParents::get() >= 1, "MaxParents must be at least 1");
			assert!(
				T::MaxAncestors::get() >= T::MaxParents::get(),
				"MaxAncestors must be at least MaxParents"
			);
			assert!(T::MaxAttestations::get() >= 1, "MaxAttestations must be at least 1");
			assert!(T::MaxLicenceLen::get() >= 1, "MaxLicenceLen must be at least 1");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Registers a dataset and holds its deposit from the caller, who becomes its owner.
		///
		/// - `content_hash`: blake2-256 of the canonical bytes (`aioracle-node dataset hash`).
		/// - `size_bytes`, `record_count`: the size of the data, and its record count if known.
		/// - `uri`: where the bytes can be fetched (at most `MaxUriLen` bytes).
		/// - `licence`: an SPDX identifier or expression (at most `MaxLicenceLen` bytes), and
		///   `licence_flags`, what it allows.
		/// - `schema_hash`: the hash of the data's schema, if any.
		/// - `parents`: the datasets this one was derived from (at most `MaxParents`, all
		///   existing, none tainted), and `derivation`: how.
		///
		/// The origin must be signed. Emits `DatasetRegistered`.
		///
		/// ## Complexity
		/// `O(P + A)`: `P` parents, `A` ancestors walked (at most `MaxAncestors`). The
		/// dispatch is charged for the most ancestors `P` parents may bring, and refunded
		/// down to the ancestors actually walked.
		#[pallet::call_index(0)]
		#[pallet::weight({
			let p = parents.len().clamp(1, T::MaxParents::get() as usize) as u32;
			T::WeightInfo::register_dataset(p, T::MaxAncestors::get().saturating_sub(p))
		})]
		pub fn register_dataset(
			origin: OriginFor<T>,
			content_hash: ContentHash,
			size_bytes: u64,
			record_count: Option<u64>,
			uri: Vec<u8>,
			licence: Vec<u8>,
			licence_flags: LicenceFlags,
			schema_hash: Option<H256>,
			parents: Vec<DatasetId>,
			derivation: Option<Derivation<Vec<u8>>>,
		) -> DispatchResultWithPostInfo {
			let owner = ensure_signed(origin)?;
			let registration = Registration {
				content_hash,
				size_bytes,
				record_count,
				uri,
				licence,
				licence_flags,
				schema_hash,
				parents,
				derivation,
			};
			let (parents, ancestors) = Self::do_register(owner, registration)?;
			// Benchmarked from one parent up: a root registration is charged as one parent.
			let p = parents.max(1);
			Ok(Some(T::WeightInfo::register_dataset(p, ancestors.saturating_sub(p))).into())
		}

		/// Points a dataset at a new URI. The content hash never changes; the deposit is
		/// adjusted to the record's new size.
		///
		/// The origin must be the dataset's owner. Emits `UriUpdated`.
		#[pallet::call_index(1)]
		pub fn update_uri(
			origin: OriginFor<T>,
			dataset: DatasetId,
			uri: Vec<u8>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let uri: BoundedVec<u8, T::MaxUriLen> =
				uri.try_into().map_err(|_| Error::<T>::UriTooLong)?;
			let mut record = Datasets::<T>::get(dataset).ok_or(Error::<T>::DatasetNotFound)?;
			ensure!(record.owner == who, Error::<T>::NotOwner);
			record.uri = uri.clone();
			let parents = Parents::<T>::get(dataset).unwrap_or_default();
			let new_deposit = Self::dataset_deposit(&record, &parents);
			Self::adjust_hold(&HoldReason::DatasetStorage, &who, record.deposit, new_deposit)?;
			record.deposit = new_deposit;
			Datasets::<T>::insert(dataset, record);
			Self::deposit_event(Event::UriUpdated { dataset, uri });
			Ok(())
		}

		/// Transfers a dataset to a new owner, who from now on pays its deposit: the hold
		/// moves from the old owner to the new one.
		///
		/// The origin must be the dataset's owner. Emits `OwnershipTransferred`.
		#[pallet::call_index(2)]
		pub fn transfer_ownership(
			origin: OriginFor<T>,
			dataset: DatasetId,
			new_owner: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut record = Datasets::<T>::get(dataset).ok_or(Error::<T>::DatasetNotFound)?;
			ensure!(record.owner == who, Error::<T>::NotOwner);
			ensure!(new_owner != who, Error::<T>::AlreadyOwner);
			T::Currency::transfer_on_hold(
				&HoldReason::DatasetStorage.into(),
				&who,
				&new_owner,
				record.deposit,
				Precision::Exact,
				Restriction::OnHold,
				Fortitude::Polite,
			)?;
			record.owner = new_owner.clone();
			Datasets::<T>::insert(dataset, record);
			Self::deposit_event(Event::OwnershipTransferred { dataset, from: who, to: new_owner });
			Ok(())
		}

		/// Retracts a dataset: marks it (never deletes it), so that it and everything
		/// derived from it report as tainted and nothing new can be derived from them.
		/// The deposit stays held: the record is permanent.
		///
		/// The origin must be the dataset's owner, or `RetractOrigin` (a governance
		/// takedown). Emits `DatasetRetracted`.
		#[pallet::call_index(3)]
		pub fn retract(
			origin: OriginFor<T>,
			dataset: DatasetId,
			reason: Vec<u8>,
		) -> DispatchResult {
			let by = match T::RetractOrigin::try_origin(origin) {
				Ok(_) => Retractor::Governance,
				Err(origin) => Retractor::Owner(ensure_signed(origin)?),
			};
			let reason: BoundedVec<u8, T::MaxReasonLen> =
				reason.try_into().map_err(|_| Error::<T>::ReasonTooLong)?;
			let record = Datasets::<T>::get(dataset).ok_or(Error::<T>::DatasetNotFound)?;
			if let Retractor::Owner(who) = &by {
				ensure!(record.owner == *who, Error::<T>::NotOwner);
			}
			ensure!(!Retractions::<T>::contains_key(dataset), Error::<T>::AlreadyRetracted);
			let at = frame_system::Pallet::<T>::block_number();
			Retractions::<T>::insert(dataset, Retraction { at, by: by.clone(), reason });
			log::info!(target: LOG_TARGET, "dataset {dataset} retracted by {by:?}");
			Self::deposit_event(Event::DatasetRetracted { dataset, by });
			Ok(())
		}

		/// Attests to a dataset: the caller vouches for `kind` (quality, consent, audit,
		/// other) in a statement kept off-chain, whose hash is `statement_hash`. Holds
		/// `AttestationDeposit` from the caller until they revoke it. One attestation per
		/// author and kind; at most `MaxAttestations` per dataset. Retracted datasets can
		/// still be attested to (e.g. evidence for the retraction).
		///
		/// The origin must be signed. Emits `Attested`.
		///
		/// ## Complexity
		/// `O(N)`: `N` attestations already on the dataset.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::attest(T::MaxAttestations::get().saturating_sub(1)))]
		pub fn attest(
			origin: OriginFor<T>,
			dataset: DatasetId,
			kind: AttestationKind,
			statement_hash: H256,
		) -> DispatchResult {
			let author = ensure_signed(origin)?;
			ensure!(Datasets::<T>::contains_key(dataset), Error::<T>::DatasetNotFound);
			let mut attestations = Attestations::<T>::get(dataset);
			ensure!(
				!attestations.iter().any(|a| a.author == author && a.kind == kind),
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
			T::Currency::hold(&HoldReason::AttestationStorage.into(), &author, deposit)?;
			Attestations::<T>::insert(dataset, attestations);
			Self::deposit_event(Event::Attested { dataset, author, kind, statement_hash });
			Ok(())
		}

		/// Revokes the caller's attestation of `kind` about a dataset and releases its
		/// deposit.
		///
		/// The origin must be the attestation's author. Emits `AttestationRevoked`.
		///
		/// ## Complexity
		/// `O(N)`: `N` attestations on the dataset.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::revoke_attestation(T::MaxAttestations::get()))]
		pub fn revoke_attestation(
			origin: OriginFor<T>,
			dataset: DatasetId,
			kind: AttestationKind,
		) -> DispatchResult {
			let author = ensure_signed(origin)?;
			let mut attestations = Attestations::<T>::get(dataset);
			let index = attestations
				.iter()
				.position(|a| a.author == author && a.kind == kind)
				.ok_or(Error::<T>::AttestationNotFound)?;
			let removed = attestations.remove(index);
			T::Currency::release(
				&HoldReason::AttestationStorage.into(),
				&author,
				removed.deposit,
				Precision::BestEffort,
			)?;
			if attestations.is_empty() {
				Attestations::<T>::remove(dataset);
			} else {
				Attestations::<T>::insert(dataset, attestations);
			}
			Self::deposit_event(Event::AttestationRevoked { dataset, author, kind });
			Ok(())
		}
	}
}

/// The arguments of `register_dataset`, before validation.
pub struct Registration {
	/// See [`Pallet::register_dataset`].
	pub content_hash: ContentHash,
	/// See [`Pallet::register_dataset`].
	pub size_bytes: u64,
	/// See [`Pallet::register_dataset`].
	pub record_count: Option<u64>,
	/// See [`Pallet::register_dataset`].
	pub uri: Vec<u8>,
	/// See [`Pallet::register_dataset`].
	pub licence: Vec<u8>,
	/// See [`Pallet::register_dataset`].
	pub licence_flags: LicenceFlags,
	/// See [`Pallet::register_dataset`].
	pub schema_hash: Option<H256>,
	/// See [`Pallet::register_dataset`].
	pub parents: Vec<DatasetId>,
	/// See [`Pallet::register_dataset`].
	pub derivation: Option<Derivation<Vec<u8>>>,
}

impl<T: Config> Pallet<T> {
	/// Validates and stores a registration. Returns the number of parents and of
	/// ancestors walked (parents included).
	pub fn do_register(owner: T::AccountId, r: Registration) -> Result<(u32, u32), DispatchError> {
		ensure!(!DatasetIdByHash::<T>::contains_key(r.content_hash), Error::<T>::AlreadyRegistered);
		let uri: BoundedVec<u8, T::MaxUriLen> =
			r.uri.try_into().map_err(|_| Error::<T>::UriTooLong)?;
		ensure!(!r.licence.is_empty(), Error::<T>::EmptyLicence);
		let spdx: BoundedVec<u8, T::MaxLicenceLen> =
			r.licence.try_into().map_err(|_| Error::<T>::LicenceTooLong)?;
		let licence = Licence { spdx, flags: r.licence_flags };
		let parents: ParentsOf<T> = r.parents.try_into().map_err(|_| Error::<T>::TooManyParents)?;
		let derivation = r
			.derivation
			.map(|d| d.try_map(|text| BoundedVec::try_from(text)))
			.transpose()
			.map_err(|_| Error::<T>::DescriptionTooLong)?;
		ensure!(derivation.is_none() || !parents.is_empty(), Error::<T>::DerivationWithoutParents);

		let mut seen = BTreeSet::new();
		for parent in parents.iter() {
			ensure!(seen.insert(*parent), Error::<T>::DuplicateParent);
			let parent_record = Datasets::<T>::get(parent).ok_or(Error::<T>::ParentNotFound)?;
			Self::check_licence_compatible(&parent_record.licence, &licence)?;
		}
		let ancestors = Self::check_ancestry(&parents)?;

		let id = NextDatasetId::<T>::get();
		let mut record = Dataset {
			owner: owner.clone(),
			content_hash: r.content_hash,
			size_bytes: r.size_bytes,
			record_count: r.record_count,
			uri,
			licence,
			schema_hash: r.schema_hash,
			derivation,
			registered_at: frame_system::Pallet::<T>::block_number(),
			deposit: Zero::zero(),
		};
		let deposit = Self::dataset_deposit(&record, &parents);
		record.deposit = deposit;
		T::Currency::hold(&HoldReason::DatasetStorage.into(), &owner, deposit)?;

		NextDatasetId::<T>::put(id.saturating_add(1));
		Datasets::<T>::insert(id, record);
		DatasetIdByHash::<T>::insert(r.content_hash, id);
		for parent in parents.iter() {
			Children::<T>::insert(parent, id, ());
		}
		let parent_count = parents.len() as u32;
		if !parents.is_empty() {
			Parents::<T>::insert(id, parents.clone());
		}
		log::debug!(target: LOG_TARGET, "dataset {id} registered ({} parents)", parent_count);
		Self::deposit_event(Event::DatasetRegistered {
			dataset: id,
			owner,
			content_hash: r.content_hash,
			parents,
			deposit,
		});
		Ok((parent_count, ancestors))
	}

	/// A child with licence `child` may be derived from a parent with licence `parent`.
	fn check_licence_compatible(
		parent: &Licence<T::MaxLicenceLen>,
		child: &Licence<T::MaxLicenceLen>,
	) -> DispatchResult {
		ensure!(parent.flags.derivatives, Error::<T>::ParentForbidsDerivatives);
		if parent.flags.share_alike {
			ensure!(
				child.spdx == parent.spdx && child.flags == parent.flags,
				Error::<T>::ShareAlikeLicenceNotCarried
			);
		}
		ensure!(
			parent.flags.commercial_use || !child.flags.commercial_use,
			Error::<T>::CommercialUseForbiddenByParent
		);
		Ok(())
	}

	/// Walks the ancestors of a new dataset with `parents`: none may be retracted and
	/// there may be at most `MaxAncestors`. Returns how many there are.
	fn check_ancestry(parents: &[DatasetId]) -> Result<u32, DispatchError> {
		let max = T::MaxAncestors::get();
		Self::try_for_each_ancestor(parents, |id, walked| {
			ensure!(walked <= max, Error::<T>::TooManyAncestors);
			ensure!(!Retractions::<T>::contains_key(id), Error::<T>::AncestorRetracted);
			Ok(())
		})
	}

	/// Visits every dataset reachable from `parents` through `Parents` (the parents
	/// included) once, passing how many have been visited so far; stops at the first
	/// error of `visit`. Returns the number visited.
	fn try_for_each_ancestor<E>(
		parents: &[DatasetId],
		mut visit: impl FnMut(DatasetId, u32) -> Result<(), E>,
	) -> Result<u32, E> {
		let mut visited = BTreeSet::new();
		let mut queue: Vec<DatasetId> = parents.to_vec();
		while let Some(id) = queue.pop() {
			if !visited.insert(id) {
				continue;
			}
			visit(id, visited.len() as u32)?;
			queue.extend(Parents::<T>::get(id).into_iter().flatten());
		}
		Ok(visited.len() as u32)
	}

	/// The deposit for `record` and its parent links.
	pub fn dataset_deposit(record: &DatasetOf<T>, parents: &ParentsOf<T>) -> BalanceOf<T> {
		let bytes = record.encoded_size().saturating_add(parents.encoded_size()) as u32;
		T::DatasetDepositBase::get()
			.saturating_add(T::DepositPerByte::get().saturating_mul(bytes.into()))
	}

	/// Holds or releases the difference between an old and a new deposit.
	fn adjust_hold(
		reason: &HoldReason,
		who: &T::AccountId,
		old: BalanceOf<T>,
		new: BalanceOf<T>,
	) -> DispatchResult {
		let reason = (*reason).into();
		if new > old {
			T::Currency::hold(&reason, who, new.saturating_sub(old))
		} else if old > new {
			T::Currency::release(&reason, who, old.saturating_sub(new), Precision::BestEffort)
				.map(|_| ())
		} else {
			Ok(())
		}
	}

	/// The view of dataset `id`, as the runtime API returns it.
	pub fn dataset_view(id: DatasetId) -> Option<DatasetViewOf<T>> {
		let record = Datasets::<T>::get(id)?;
		let parents = Parents::<T>::get(id).map(|p| p.into_inner()).unwrap_or_default();
		Some(record.view(id, parents, Retractions::<T>::get(id)))
	}

	/// The view of the dataset registered with `content_hash`.
	pub fn dataset_view_by_hash(content_hash: ContentHash) -> Option<DatasetViewOf<T>> {
		DatasetIdByHash::<T>::get(content_hash).and_then(Self::dataset_view)
	}

	/// The ancestors of `id`, nearest first, up to `max_depth` generations.
	pub fn ancestors(id: DatasetId, max_depth: u32) -> Option<Lineage> {
		Datasets::<T>::contains_key(id).then(|| {
			Self::walk(id, max_depth, |n| {
				Parents::<T>::get(n).map(|p| p.into_inner()).unwrap_or_default()
			})
		})
	}

	/// The descendants of `id`, nearest first, up to `max_depth` generations.
	pub fn descendants(id: DatasetId, max_depth: u32) -> Option<Lineage> {
		let limit = T::MaxLineageResults::get() as usize;
		Datasets::<T>::contains_key(id).then(|| {
			// Bounded read of the children: one more than the result limit tells truncation.
			Self::walk(id, max_depth, |n| {
				Children::<T>::iter_key_prefix(n).take(limit + 1).collect()
			})
		})
	}

	/// A breadth-first walk from `start` along `links`, at most `max_depth` (capped at
	/// [`MAX_LINEAGE_QUERY_DEPTH`]) generations and `MaxLineageResults` datasets.
	fn walk(
		start: DatasetId,
		max_depth: u32,
		links: impl Fn(DatasetId) -> Vec<DatasetId>,
	) -> Lineage {
		let max_depth = max_depth.min(MAX_LINEAGE_QUERY_DEPTH);
		let limit = T::MaxLineageResults::get() as usize;
		let mut entries: Vec<LineageEntry> = Vec::new();
		let mut visited = BTreeSet::from([start]);
		let mut frontier = links(start);
		let mut truncated = false;
		let mut depth = 1;
		while !frontier.is_empty() {
			if depth > max_depth {
				truncated = true;
				break;
			}
			let mut next = Vec::new();
			for id in frontier {
				if !visited.insert(id) {
					continue;
				}
				if entries.len() >= limit {
					truncated = true;
					break;
				}
				let id_links = links(id);
				next.extend(id_links.iter().copied().filter(|l| !visited.contains(l)));
				entries.push(LineageEntry {
					id,
					depth,
					links: id_links,
					retracted: Retractions::<T>::contains_key(id),
				});
			}
			if truncated {
				break;
			}
			frontier = next;
			depth += 1;
		}
		Lineage { datasets: entries, truncated }
	}

	/// Whether `id` is retracted, and which of its ancestors are.
	pub fn taint(id: DatasetId) -> Option<Taint> {
		if !Datasets::<T>::contains_key(id) {
			return None;
		}
		// Ancestors are fixed at registration and were at most `MaxAncestors` then.
		let parents = Parents::<T>::get(id).map(|p| p.into_inner()).unwrap_or_default();
		let mut retracted_ancestors = Vec::new();
		let _ = Self::try_for_each_ancestor(&parents, |ancestor, _| {
			if Retractions::<T>::contains_key(ancestor) {
				retracted_ancestors.push(ancestor);
			}
			Ok::<(), core::convert::Infallible>(())
		});
		retracted_ancestors.sort();
		Some(Taint { retracted: Retractions::<T>::contains_key(id), retracted_ancestors })
	}

	/// The attestations of `id`, oldest first.
	pub fn attestation_views(
		id: DatasetId,
	) -> Vec<AttestationView<T::AccountId, BlockNumberFor<T>>> {
		Attestations::<T>::get(id).into_iter().map(Attestation::view).collect()
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
	/// Benchmarks only (this pallet's and other pallets' that need deep lineage): appends a
	/// chain of `len` datasets owned by `owner` straight to storage, each the child of the
	/// previous, with the largest fields in bounds and a licence allowing everything.
	/// Returns the id of its tip. No deposit is held, and no dataset may be registered with
	/// the content hashes it uses (`blake2_256("benchmark chain" ++ id)`).
	pub fn benchmark_insert_chain(owner: T::AccountId, len: u32) -> Option<DatasetId> {
		let licence = Licence {
			spdx: BoundedVec::truncate_from(alloc::vec![b'L'; T::MaxLicenceLen::get() as usize]),
			flags: LicenceFlags { commercial_use: true, derivatives: true, share_alike: true },
		};
		let record = Dataset {
			owner,
			content_hash: H256::zero(),
			size_bytes: u64::MAX,
			record_count: Some(u64::MAX),
			uri: BoundedVec::truncate_from(alloc::vec![b'u'; T::MaxUriLen::get() as usize]),
			licence,
			schema_hash: Some(H256::repeat_byte(1)),
			derivation: None,
			registered_at: frame_system::Pallet::<T>::block_number(),
			deposit: Zero::zero(),
		};
		let mut tip = None;
		for _ in 0..len {
			let id = NextDatasetId::<T>::get();
			let content_hash = (b"benchmark chain", id).using_encoded(frame::hashing::blake2_256);
			let mut link = record.clone();
			link.content_hash = content_hash.into();
			Datasets::<T>::insert(id, link);
			DatasetIdByHash::<T>::insert(H256::from(content_hash), id);
			if let Some(parent) = tip {
				Parents::<T>::insert(id, BoundedVec::truncate_from(alloc::vec![parent]));
				Children::<T>::insert(parent, id, ());
			}
			NextDatasetId::<T>::put(id.saturating_add(1));
			tip = Some(id);
		}
		tip
	}
}

impl<T: Config> DatasetInspect for Pallet<T> {
	fn exists(id: DatasetId) -> bool {
		Datasets::<T>::contains_key(id)
	}

	fn is_tainted(id: DatasetId) -> bool {
		Self::taint(id).is_some_and(|t| t.is_tainted())
	}

	fn licence_flags(id: DatasetId) -> Option<LicenceFlags> {
		Datasets::<T>::get(id).map(|d| d.licence.flags)
	}

	fn content_hash(id: DatasetId) -> Option<ContentHash> {
		Datasets::<T>::get(id).map(|d| d.content_hash)
	}
}

use frame::{deps::sp_runtime::TryRuntimeError, traits::fungible::InspectHold};

// Always compiled (not only for try-runtime) so that runtime-level tests can check the
// invariants too; nothing on-chain calls it, so it adds nothing to the wasm.
impl<T: Config> Pallet<T> {
	/// Checks the pallet's invariants; `try_state` runs it under try-runtime.
	///
	/// ## Expectations
	/// - every dataset id is below `NextDatasetId`;
	/// - `DatasetIdByHash` and `Datasets` agree both ways;
	/// - every parent exists and is older than its child (lineage is a DAG), and `Children`
	///   mirrors `Parents` exactly;
	/// - retractions and attestations belong to existing datasets; attestations are unique
	///   per (author, kind);
	/// - the funds held for datasets and attestations equal the deposits recorded.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		Self::check_ids_and_hashes()?;
		Self::check_lineage()?;
		Self::check_retractions_and_attestations()?;
		Self::check_deposits()
	}

	fn check_ids_and_hashes() -> Result<(), TryRuntimeError> {
		let next = NextDatasetId::<T>::get();
		let mut count = 0u64;
		for (id, record) in Datasets::<T>::iter() {
			ensure!(id < next, "a dataset id is not below NextDatasetId");
			ensure!(
				DatasetIdByHash::<T>::get(record.content_hash) == Some(id),
				"a dataset is missing from DatasetIdByHash"
			);
			count += 1;
		}
		ensure!(
			DatasetIdByHash::<T>::iter().count() as u64 == count,
			"DatasetIdByHash has entries without a dataset"
		);
		Ok(())
	}

	fn check_lineage() -> Result<(), TryRuntimeError> {
		let mut links = 0usize;
		for (child, parents) in Parents::<T>::iter() {
			ensure!(Datasets::<T>::contains_key(child), "Parents of a missing dataset");
			ensure!(!parents.is_empty(), "an empty Parents entry");
			for parent in parents.iter() {
				ensure!(Datasets::<T>::contains_key(parent), "a parent does not exist");
				ensure!(*parent < child, "a parent is not older than its child");
				ensure!(Children::<T>::contains_key(parent, child), "Children misses a link");
				links += 1;
			}
		}
		ensure!(Children::<T>::iter().count() == links, "Children has links Parents lacks");
		Ok(())
	}

	fn check_retractions_and_attestations() -> Result<(), TryRuntimeError> {
		for id in Retractions::<T>::iter_keys() {
			ensure!(Datasets::<T>::contains_key(id), "a retraction of a missing dataset");
		}
		for (id, attestations) in Attestations::<T>::iter() {
			ensure!(Datasets::<T>::contains_key(id), "attestations of a missing dataset");
			ensure!(!attestations.is_empty(), "an empty Attestations entry");
			let keys: BTreeSet<_> = attestations.iter().map(|a| (&a.author, a.kind)).collect();
			ensure!(keys.len() == attestations.len(), "duplicate attestations");
		}
		Ok(())
	}

	fn check_deposits() -> Result<(), TryRuntimeError> {
		use alloc::collections::BTreeMap;
		let mut datasets: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for record in Datasets::<T>::iter_values() {
			let total = datasets.entry(record.owner).or_insert_with(Zero::zero);
			*total = total.saturating_add(record.deposit);
		}
		let mut attestations: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for a in Attestations::<T>::iter_values().flatten() {
			let total = attestations.entry(a.author).or_insert_with(Zero::zero);
			*total = total.saturating_add(a.deposit);
		}
		for (reason, expected) in
			[(HoldReason::DatasetStorage, datasets), (HoldReason::AttestationStorage, attestations)]
		{
			for (who, deposit) in expected {
				ensure!(
					T::Currency::balance_on_hold(&reason.into(), &who) == deposit,
					"held funds differ from the recorded deposits"
				);
			}
		}
		Ok(())
	}
}
