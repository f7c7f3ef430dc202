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
//! - **Usage permissions**: beside the licence, what the owner permits others to do with
//!   the data, following the C2PA/CAWG training-and-data-mining assertion: `ai_training`,
//!   `ai_inference`, `data_mining`, each allowed, not allowed, or constrained by terms kept
//!   off-chain. A derived dataset permits no use its parents do not. The model registry
//!   refuses a version trained on data that does not allow training, and the oracle a
//!   request to a version whose training data does not allow inference.
//! - **Royalty**: the share of a model's price per inference the owner asks of every model
//!   trained on the dataset or on data derived from it (at most `MaxRoyalty`).
//! - **Attestation**: a statement by any account (auditor, data subject, annotator) that
//!   it checked something about a dataset: quality, consent, an audit, or other. The
//!   statement itself stays off-chain; its hash goes on-chain.
//!
//! ## Deposits
//! Every record is paid for with a deposit ticket (a `Consideration`, see
//! [`aioracle_primitives::deposit`]) stored with it. A dataset's ticket
//! ([`Config::DatasetTicket`]) holds from its owner the price of the record's footprint:
//! one item of `bytes` bytes, the encoded size of the record and its parent links. In
//! aioracle's runtime that is a `HoldConsideration` on [`HoldReason::DatasetStorage`] with
//! a `LinearStoragePrice`: 0.1 AIO + 0.001 AIO per byte. Records are permanent, so **the
//! dataset deposit is never released**: a new owner takes it over when accepting the
//! record ([`Pallet::accept_ownership`]: the new owner's ticket is created, then the old
//! owner's dropped), and the ticket is updated when [`Pallet::update_uri`] changes the
//! record's size. A retracted record keeps its deposit. An attestation's ticket
//! ([`Config::AttestationTicket`], [`HoldReason::AttestationStorage`]) is held from its
//! author and dropped when the author revokes it.
//!
//! ## Changing owner
//! Taking over a record means taking over its deposit, so it needs the new owner's
//! consent: the owner offers the record ([`Pallet::offer_ownership`]), the account offered
//! accepts ([`Pallet::accept_ownership`]). The owner may withdraw the offer before then.
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
//! [`update_uri`](Pallet::update_uri), [`offer_ownership`](Pallet::offer_ownership),
//! [`accept_ownership`](Pallet::accept_ownership), [`retract`](Pallet::retract),
//! [`attest`](Pallet::attest), [`revoke_attestation`](Pallet::revoke_attestation).
//!
//! Reading: the view functions [`dataset`](Pallet::dataset),
//! [`dataset_by_hash`](Pallet::dataset_by_hash), [`ancestors`](Pallet::ancestors),
//! [`descendants`](Pallet::descendants), [`taint`](Pallet::taint) and
//! [`attestations`](Pallet::attestations) (PAPI's `api.view`), also served by the runtime
//! API `DatasetProvenanceApi` (in `aioracle-primitives`) for clients without view functions
//! (Polkadot.js 16). Other pallets ask through [`DatasetInspect`].
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::{collections::BTreeSet, vec::Vec};

pub use aioracle_primitives::dataset::{
	AttestationKind, ContentHash, DatasetId, DatasetInspect, LicenceFlags, OnDatasetRetracted,
	Retractor, UsagePermissions, UsePermission,
};
use aioracle_primitives::{
	dataset::{AttestationView, DatasetView, Lineage, Taint},
	deposit::DepositTicket,
};
use frame::{
	prelude::*,
	traits::{
		fungible::{Inspect, MutateHold},
		Consideration,
	},
};

#[cfg(feature = "try-runtime")]
use frame::deps::sp_runtime::TryRuntimeError;
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

mod attestations;
#[cfg(feature = "runtime-benchmarks")]
mod benchmark_support;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod deposits;
mod inspect;
mod lineage;
pub mod migrations;
#[cfg(test)]
mod mock;
mod records;
mod registration;
#[cfg(test)]
mod tests;
mod try_state;
pub mod types;
mod views;
pub mod weights;

/// The log target of this pallet.
pub const LOG_TARGET: &str = "runtime::dataset-provenance";

/// The balance type of the currency deposits are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// A dataset record of this runtime.
pub type DatasetOf<T> = Dataset<
	<T as frame_system::Config>::AccountId,
	<T as Config>::DatasetTicket,
	BlockNumberFor<T>,
	<T as Config>::MaxUriLen,
	<T as Config>::MaxLicenceLen,
	<T as Config>::MaxDescriptionLen,
>;
/// A dataset record of this runtime before its deposit ticket exists.
pub type DatasetDraftOf<T> = Dataset<
	<T as frame_system::Config>::AccountId,
	(),
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
pub type AttestationOf<T> = Attestation<
	<T as frame_system::Config>::AccountId,
	<T as Config>::AttestationTicket,
	BlockNumberFor<T>,
>;
/// The parents of a dataset.
pub type ParentsOf<T> = BoundedVec<DatasetId, <T as Config>::MaxParents>;
/// The attestations of a dataset.
pub type AttestationsOf<T> = BoundedVec<AttestationOf<T>, <T as Config>::MaxAttestations>;
/// A dataset view of this runtime.
pub type DatasetViewOf<T> =
	DatasetView<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

/// The deepest lineage walk the runtime API serves, whatever the caller asks.
pub const MAX_LINEAGE_QUERY_DEPTH: u32 = 64;

#[frame::pallet]pub mod pallet {
	use super::*;

	/// The storage version. 1: dataset records carry usage permissions and a royalty
	/// ([`migrations::v1`]). 2: records and attestations keep deposit tickets instead of
	/// amounts ([`migrations::v2`]). A layout change bumps it and comes with a migration.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

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

		/// Told of every retraction, in the same call (constant work): the model registry
		/// then looks for the versions it taints, a little per block. `()` for no one.
		type OnRetracted: OnDatasetRetracted;

		/// The deposit ticket of a dataset record, for its footprint: one item of the
		/// record's and its parent links' encoded bytes. It must hold on
		/// [`HoldReason::DatasetStorage`] (`try_state` checks the held funds). In aioracle's
		/// runtime a `HoldConsideration` with a `LinearStoragePrice` (base + per byte).
		type DatasetTicket: DepositTicket<Self::AccountId, BalanceOf<Self>>;

		/// The deposit ticket of an attestation, for the footprint of one attestation's
		/// largest encoding. It must hold on [`HoldReason::AttestationStorage`].
		type AttestationTicket: DepositTicket<Self::AccountId, BalanceOf<Self>>;

		/// The highest royalty a dataset may ask (the shares of a model's lineage add up, so
		/// this keeps room for several).
		#[pallet::constant]
		type MaxRoyalty: Get<Permill>;

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

	/// The account each dataset is offered to, until it accepts or the owner withdraws
	/// the offer (at most one offer per dataset; covered by the record's deposit).
	#[pallet::storage]
	pub type OwnershipOffers<T: Config> = StorageMap<_, Twox64Concat, DatasetId, T::AccountId>;

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
		/// bytes, URI, SPDX licence, licence flags)`. They permit every use and ask no
		/// royalty. Their deposits are held from the owners, as for `register_dataset`.
		pub datasets: Vec<(T::AccountId, ContentHash, u64, Vec<u8>, Vec<u8>, LicenceFlags)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (owner, content_hash, size_bytes, uri, licence, flags) in &self.datasets {
				let registration = Registration::root(
					*content_hash,
					*size_bytes,
					uri.clone(),
					licence.clone(),
					*flags,
				);
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
			/// What the owner permits others to do with the data.
			permissions: UsagePermissions,
			/// The share of a model's price per inference the owner asks.
			royalty: Permill,
		},
		/// A dataset's URI changed.
		UriUpdated {
			/// The dataset.
			dataset: DatasetId,
			/// The new URI.
			uri: BoundedVec<u8, T::MaxUriLen>,
		},
		/// A dataset changed owner: the new owner accepted it and now pays its deposit.
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
		/// A dataset's owner offered it to another account, or withdrew the offer (`to`
		/// is `None`).
		OwnershipOffered {
			/// The dataset.
			dataset: DatasetId,
			/// The owner.
			from: T::AccountId,
			/// The account that may accept it, if any.
			to: Option<T::AccountId>,
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
		/// The dataset permits a use (training, inference, mining) that a parent does not.
		PermissionWiderThanParent,
		/// The royalty is above `MaxRoyalty`.
		RoyaltyTooHigh,
		/// The dataset is not offered to the caller (to accept), or not offered at all (to
		/// withdraw an offer).
		NoOwnershipOffer,
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
		/// `registration` describes it: content hash (`aioracle-node dataset hash`), size,
		/// record count, URI, licence and what it allows, schema hash, parents and how it
		/// was derived from them, usage permissions and royalty (see [`Registration`]).
		/// Refused, with nothing stored, when a bound is exceeded, the hash is already
		/// registered, a parent is missing, listed twice or tainted, the licence or the
		/// permissions are wider than a parent's, or the royalty is above `MaxRoyalty`.
		///
		/// The origin must be signed. Emits `DatasetRegistered`.
		///
		/// ## Complexity
		/// `O(P + A)`: `P` parents, `A` ancestors walked (at most `MaxAncestors`). The
		/// dispatch is charged for the most ancestors `P` parents may bring, and refunded
		/// down to the ancestors actually walked.
		#[pallet::call_index(0)]
		#[pallet::weight({
			let p = registration.parents.len().clamp(1, T::MaxParents::get() as usize) as u32;
			T::WeightInfo::register_dataset(p, T::MaxAncestors::get().saturating_sub(p))
		})]
		pub fn register_dataset(
			origin: OriginFor<T>,
			registration: Registration,
		) -> DispatchResultWithPostInfo {
			let owner = ensure_signed(origin)?;
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
			let uri = Self::do_update_uri(&who, dataset, uri)?;
			Self::deposit_event(Event::UriUpdated { dataset, uri });
			Ok(())
		}

		/// Offers a dataset to `to`, who may accept it with `accept_ownership` and then pays
		/// its deposit; or, with `to` `None`, withdraws the offer. A new offer replaces an
		/// earlier one. Nothing moves until the offer is accepted.
		///
		/// The origin must be the dataset's owner. Refused with `AlreadyOwner` when `to`
		/// is the owner, and with `NoOwnershipOffer` when withdrawing an offer not made.
		/// Emits `OwnershipOffered`.
		#[pallet::call_index(2)]
		pub fn offer_ownership(
			origin: OriginFor<T>,
			dataset: DatasetId,
			to: Option<T::AccountId>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_offer_ownership(&who, dataset, to.clone())?;
			Self::deposit_event(Event::OwnershipOffered { dataset, from: who, to });
			Ok(())
		}

		/// Accepts a dataset offered to the caller: the caller becomes its owner and pays
		/// its deposit (a ticket for the record's footprint is created from the caller,
		/// then the previous owner's dropped), and receives its future royalties.
		///
		/// The origin must be the account the dataset is offered to (`NoOwnershipOffer`
		/// otherwise); it must be able to pay the deposit. Emits `OwnershipTransferred`.
		#[pallet::call_index(6)]
		pub fn accept_ownership(origin: OriginFor<T>, dataset: DatasetId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let from = Self::do_accept_ownership(&who, dataset)?;
			Self::deposit_event(Event::OwnershipTransferred { dataset, from, to: who });
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
			Self::do_retract(dataset, &by, reason)?;
			Self::deposit_event(Event::DatasetRetracted { dataset, by });
			Ok(())
		}

		/// Attests to a dataset: the caller vouches for `kind` (quality, consent, audit,
		/// other) in a statement kept off-chain, whose hash is `statement_hash`. Holds an
		/// `AttestationTicket` from the caller until they revoke it. One attestation per
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
			Self::do_attest(&author, dataset, kind, statement_hash)?;
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
			Self::do_revoke_attestation(&author, dataset, kind)?;
			Self::deposit_event(Event::AttestationRevoked { dataset, author, kind });
			Ok(())
		}
	}

	/// Single-pallet reads, callable by clients with view functions (PAPI's `api.view`)
	/// and served as the runtime API `DatasetProvenanceApi` too.
	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// Dataset `id`: its record, parents, permissions, royalty and retraction.
		pub fn dataset(id: DatasetId) -> Option<DatasetViewOf<T>> {
			Self::dataset_view(id)
		}

		/// The dataset registered with `content_hash`.
		pub fn dataset_by_hash(content_hash: ContentHash) -> Option<DatasetViewOf<T>> {
			Self::dataset_view_by_hash(content_hash)
		}

		/// The ancestors of `id`, nearest first, up to `max_depth` generations (capped at
		/// 64) and `MaxLineageResults` datasets; `None` if there is no such dataset.
		pub fn ancestors(id: DatasetId, max_depth: u32) -> Option<Lineage> {
			Self::ancestor_lineage(id, max_depth)
		}

		/// The descendants of `id`, nearest first, with the same bounds as `ancestors`.
		pub fn descendants(id: DatasetId, max_depth: u32) -> Option<Lineage> {
			Self::descendant_lineage(id, max_depth)
		}

		/// Whether `id` is retracted, and which of its ancestors are.
		pub fn taint(id: DatasetId) -> Option<Taint> {
			Self::taint_of(id)
		}

		/// The attestations of `id`, oldest first.
		pub fn attestations(id: DatasetId) -> Vec<AttestationView<T::AccountId, BlockNumberFor<T>>> {
			Self::attestation_views(id)
		}
	}
}
