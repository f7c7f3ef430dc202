//! # Model registry pallet
//!
//! Answers the second question aioracle puts on-chain: *which model is allowed to answer,
//! and who said so?* An owner creates a model and proposes versions of it: ONNX bytes
//! identified by their blake2-256 hash, each tied to the datasets it was trained on. A
//! governance origin (a council motion at two thirds, or root) approves, activates,
//! rejects, deprecates and rolls back versions. The inference oracle serves a model's
//! active version only.
//!
//! ## Terminology
//! - **Model bytes**: the ONNX file. They never live in state: `propose_version` checks
//!   their hash and writes them to each node's offchain database with offchain indexing,
//!   under [`model_bytes_key`] = `b"aioracle/model-bytes/" ++ model_hash`. State keeps the
//!   hash and the size. A node that indexed no bytes (it joined later, or runs without
//!   `--enable-offchain-indexing`) fetches them from the version's URI and checks the hash.
//! - **Serving contract**: what a version promises the oracle: its input and output
//!   [`TensorSpec`]s, fixed-point `input_scale` and `output_scale`, the [`Aggregation`]
//!   rule with its tolerance, the fewest agreeing operators (`min_agreement`), and golden
//!   vectors (inputs with the outputs a correct engine must reproduce).
//! - **Training data**: the registered datasets a version was trained on. A model is a
//!   derivative of its training data: each dataset's licence must allow derivatives, and
//!   commercial use if the version declares it. Tainted data (retracted, or derived from
//!   retracted data) cannot train a version that is proposed, approved or activated.
//! - **Status**: `Proposed` -> `Approved` -> `Active` -> `Deprecated`; `Proposed` or
//!   `Approved` -> `Rejected` (final). At most one version of a model is `Active`.
//!   Activating another deprecates the current one and remembers it, so that `rollback`
//!   can return to it.
//! - **Canary**: between `Approved` and `Active`, governance may put a version in
//!   `Canary` ([`start_canary`](Pallet::start_canary)): the oracle's operators score a
//!   sampled fraction of the active version's requests with it too, and the chain counts
//!   how often it agrees with the result, disagrees, or fails ([`CanaryRecord`]). Governance
//!   promotes it with `activate_version`; if its failures or disagreements exceed the
//!   bounds declared at the start, it falls back to `Approved` by itself and cannot be
//!   activated until a new canary passes. One canary per model at a time (see
//!   [`canary`]).
//!
//! ## Deposits
//! Every record keeps deposit tickets (`Consideration`s, see
//! [`aioracle_primitives::deposit`]) priced on its footprint, one item of so many bytes.
//! A model keeps a [`Config::ModelTicket`] for its record's largest encoding
//! ([`HoldReason::ModelStorage`]). A version keeps two ([`HoldReason::VersionStorage`]): a
//! [`Config::VersionTicket`] for its record, golden vectors and training run in state, and
//! a [`Config::VersionBytesTicket`] for its ONNX bytes, the copy every indexing node keeps.
//! An upload in progress keeps the same two, [`Config::UploadTicket`] and
//! [`Config::UploadBytesTicket`] ([`HoldReason::UploadStorage`]), dropped when the version
//! takes its own. In aioracle's runtime every ticket is a `HoldConsideration` with a
//! `LinearStoragePrice`: 1 AIO + 0.001 AIO per record byte for models and versions, 1
//! micro-AIO per ONNX byte. Records are permanent once governance has acted on them, so
//! their tickets stay; a version withdrawn while still `Proposed` is deleted (bytes
//! included) and its tickets dropped.
//!
//! ## Scenario
//! Alice creates `iris-classifier` and proposes version 1: the ONNX bytes of a
//! scikit-learn pipeline, trained on dataset 0 (CC-BY-4.0), input `[1, 4]` floats at 4
//! decimals, output the 3 class probabilities at 6 decimals, median aggregation with a
//! tolerance of 10 units, two agreeing operators. A council member proposes the motion
//! `ModelRegistry.approve_version(0, 1)`; two of three members vote aye; the motion is
//! closed and executed: version 1 is `Approved`. A second motion,
//! `ModelRegistry.activate_version(0, 1)`, makes it `Active`: requests for model 0 are
//! scored with it. Later version 2 is activated (1 becomes `Deprecated`); it
//! misbehaves, and a `rollback` motion makes 1 `Active` again.
//!
//! ## API
//! Calls: [`create_model`](Pallet::create_model),
//! [`propose_version`](Pallet::propose_version),
//! [`withdraw_version`](Pallet::withdraw_version) (owner);
//! [`approve_version`](Pallet::approve_version),
//! [`activate_version`](Pallet::activate_version),
//! [`reject_version`](Pallet::reject_version),
//! [`deprecate_version`](Pallet::deprecate_version), [`rollback`](Pallet::rollback),
//! [`start_canary`](Pallet::start_canary), [`end_canary`](Pallet::end_canary)
//! (governance).
//!
//! Reading: the runtime API `ModelRegistryApi` (in `aioracle-primitives`), served by
//! [`Pallet::model_view`], [`Pallet::version_views`], [`Pallet::version_view`] and
//! [`Pallet::version_view_by_hash`]; the runtime adds each version's provenance from the
//! dataset pallet. The inference oracle asks through [`ModelInspect`].
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::{collections::BTreeSet, vec::Vec};

pub use aioracle_primitives::canary::{
	CanaryComparison, CanaryEnd, CanaryLedger, CanaryRecord, CanaryVerdict,
};
pub use aioracle_primitives::input::BlobDecoding;
pub use aioracle_primitives::market::{InferenceMarket, Payee, Royalty};
pub use aioracle_primitives::model::{
	model_bytes_key, model_chunk_key, model_manifest_key, Aggregation, ChunkHash, ElementType,
	ExactServing, GoldenVector, InputSpecs, ModelHash, ModelId, ModelInspect, ServingArtifacts, ServingContract,
	StatusBlocks, TensorSpec, VersionId, VersionStatus, VersionValidation, MAX_INPUTS, MAX_SCALE,
};
use aioracle_primitives::{
	dataset::{
		DatasetId, DatasetInspect, DatasetOwner, OnDatasetRetracted, RoyaltyLineageError,
		UsagePermissions,
	},
	model::{ModelView, VersionView},
	oracle::{RequestId, RetainedRequests},
	deposit::{footprint_of_bytes, DepositTicket, RecordAndBytes},
	training::{TrainingRun, TrainingText},
};
use frame::deps::frame_support::PalletId;
use frame::{
	deps::sp_io,
	hashing::blake2_256,
	prelude::*,
	traits::{
		fungible::{Inspect, MutateHold},
		Consideration,
	},
};

use frame::deps::sp_runtime::TryRuntimeError;
pub use pallet::*;
pub use taint::TaintScan;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmark_support;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod canary;
mod decoding;
pub mod exact;
mod inspect;
mod lifecycle;
mod market;
pub mod migrations;
#[cfg(test)]
mod mock;
mod proposal;
pub mod taint;
#[cfg(test)]
mod tests;
mod try_state;
pub mod types;
mod upload;
mod views;
pub mod weights;

/// The log target of this pallet.
pub const LOG_TARGET: &str = "runtime::model-registry";

/// The balance type of the currency deposits are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// A model record of this runtime.
pub type ModelOf<T> = Model<
	<T as frame_system::Config>::AccountId,
	<T as Config>::ModelTicket,
	BlockNumberFor<T>,
	<T as Config>::MaxNameLen,
	<T as Config>::MaxDescriptionLen,
	<T as Config>::MaxRollbackDepth,
>;
/// The deposit tickets of a version: its record's and its ONNX bytes'.
pub type VersionDepositOf<T> =
	RecordAndBytes<<T as Config>::VersionTicket, <T as Config>::VersionBytesTicket>;
/// A model version record of this runtime.
pub type ModelVersionOf<T> = ModelVersion<
	VersionDepositOf<T>,
	BlockNumberFor<T>,
	<T as Config>::MaxUriLen,
	<T as Config>::MaxTrainingDatasets,
>;
/// A model version record of this runtime before its deposit tickets exist.
pub type VersionDraftOf<T> = ModelVersion<
	(),
	BlockNumberFor<T>,
	<T as Config>::MaxUriLen,
	<T as Config>::MaxTrainingDatasets,
>;
/// The deposit tickets of an upload: its record's and its chunks' bytes'.
pub type UploadDepositOf<T> =
	RecordAndBytes<<T as Config>::UploadTicket, <T as Config>::UploadBytesTicket>;
/// An upload in progress of this runtime.
pub type UploadOf<T> =
	Upload<<T as frame_system::Config>::AccountId, UploadDepositOf<T>, <T as Config>::MaxChunks>;
/// The golden vectors of a version.
pub type GoldenVectorsOf<T> =
	BoundedVec<BoundedGoldenVector<<T as Config>::MaxTensorLen>, <T as Config>::MaxGoldenVectors>;
/// A model view of this runtime.
pub type ModelViewOf<T> =
	ModelView<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
/// A version view of this runtime.
pub type VersionViewOf<T> =
	VersionView<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
/// A proposal of this runtime.
pub type VersionProposalOf<T> = VersionProposal<<T as frame_system::Config>::AccountId>;
/// A training run as stored.
pub type TrainingRunOf<T> = TrainingRun<<T as frame_system::Config>::AccountId, TrainingText>;
/// A version's exact program as stored.
pub type ExactProgramOf<T> =
	ExactProgram<<T as Config>::VersionTicket, <T as Config>::MaxExactProgramBytes>;

/// Creates what the benchmarks need from the rest of the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Registers a new dataset that versions may be trained on (its licence allows
	/// derivatives and commercial use), as costly to check as any: with the longest
	/// ancestry the dataset pallet allows. A fresh one on each call.
	fn training_dataset() -> DatasetId;
	/// Retracts an ancestor of `dataset` (the farthest a lineage query reaches; itself if
	/// it has none), so that `dataset` is tainted. A taint check walks the whole lineage
	/// whichever ancestor is retracted.
	fn retract_oldest_ancestor(dataset: DatasetId);
}

#[frame::pallet]
pub mod pallet {
	use super::*;

	/// The storage version: 1 since a version declares a list of inputs; 2 since records
	/// keep deposit tickets instead of amounts (see [`migrations`]). A layout change bumps
	/// it and comes with a migration.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The currency deposits are held in and the marketplace pays out in.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ frame::traits::fungible::Mutate<Self::AccountId>;

		/// The runtime's hold reasons, which include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// What the registry asks about training datasets: do they exist, are they tainted,
		/// what do their licences and permissions allow, which royalties do they ask, and
		/// who owns them (to pay those royalties to).
		type Datasets: DatasetInspect + DatasetOwner<Self::AccountId>;

		/// The origin that approves, activates, rejects, deprecates and rolls back versions.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// A second origin for emergencies: it may deprecate the active version and roll a
		/// model back, but neither approve, activate nor reject a version (in the runtime,
		/// the council, while token holders decide upgrades through `GovernanceOrigin`).
		type EmergencyOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Whether operators showed a proposed version servable (their nodes loaded it and
		/// reproduced its golden vectors): `GovernanceOrigin` approves only such versions;
		/// root may approve any.
		type Validation: VersionValidation;

		/// The deposit ticket of a model record, for its footprint: one item of the
		/// record's largest encoding with its actual name and description. It must hold on
		/// [`HoldReason::ModelStorage`] (`try_state` checks the held funds).
		type ModelTicket: DepositTicket<Self::AccountId, BalanceOf<Self>>;

		/// The deposit ticket of a version's record, golden vectors and training run in
		/// state, for one item of their encoded bytes. It must hold on
		/// [`HoldReason::VersionStorage`].
		type VersionTicket: DepositTicket<Self::AccountId, BalanceOf<Self>>;

		/// The deposit ticket of a version's ONNX bytes, which every indexing node keeps,
		/// for one item of `size_bytes`. It must hold on [`HoldReason::VersionStorage`].
		type VersionBytesTicket: DepositTicket<Self::AccountId, BalanceOf<Self>>;

		/// The deposit ticket of an upload's record, priced as a version's. It must hold on
		/// [`HoldReason::UploadStorage`].
		type UploadTicket: DepositTicket<Self::AccountId, BalanceOf<Self>>;

		/// The deposit ticket of an upload's chunks, priced as a version's bytes. It must
		/// hold on [`HoldReason::UploadStorage`].
		type UploadBytesTicket: DepositTicket<Self::AccountId, BalanceOf<Self>>;

		/// The largest ONNX file a version may carry, in bytes. At least 1 MiB; it must fit
		/// in a normal extrinsic.
		#[pallet::constant]
		type MaxModelBytes: Get<u32>;

		/// The most chunks a model uploaded in chunks may have (`begin_upload`). A model
		/// of up to `MaxChunks * MaxChunkBytes` bytes may be proposed that way.
		#[pallet::constant]
		type MaxChunks: Get<u32>;

		/// The largest chunk, in bytes. At least 1 KiB; it must fit in a normal extrinsic.
		#[pallet::constant]
		type MaxChunkBytes: Get<u32>;

		/// The longest model name, in bytes.
		#[pallet::constant]
		type MaxNameLen: Get<u32>;

		/// The longest model description, in bytes.
		#[pallet::constant]
		type MaxDescriptionLen: Get<u32>;

		/// The longest fallback URI, in bytes.
		#[pallet::constant]
		type MaxUriLen: Get<u32>;

		/// The most training datasets a version may list. At least 1.
		#[pallet::constant]
		type MaxTrainingDatasets: Get<u32>;

		/// The most elements an input or output tensor may have. At least 1.
		#[pallet::constant]
		type MaxTensorLen: Get<u32>;

		/// The most elements an output tensor may have when operators report a reduction
		/// of it (`Aggregation::ArgMax` or `TopK`: a classifier of thousands of classes);
		/// what they report is still at most `MaxTensorLen`. At least `MaxTensorLen`.
		#[pallet::constant]
		type MaxReducedOutputLen: Get<u32>;

		/// The most golden vectors a version may carry.
		#[pallet::constant]
		type MaxGoldenVectors: Get<u32>;

		/// The highest version number a model may reach. At least 1.
		#[pallet::constant]
		type MaxVersions: Get<u32>;

		/// How many previously active versions a model remembers for `rollback`.
		#[pallet::constant]
		type MaxRollbackDepth: Get<u32>;

		/// The largest `min_agreement` a version may ask for (the oracle's operator set
		/// bounds it in practice). At least 1.
		#[pallet::constant]
		type MaxMinAgreement: Get<u32>;

		/// The most datasets in a version's lineage that may ask a royalty: bounds the
		/// payees of a version's price.
		#[pallet::constant]
		type MaxRoyalties: Get<u32>;

		/// How deep in a version's lineage a dataset that asks a royalty may lie: 1 for the
		/// training datasets only, 2 with their parents... A version whose lineage holds a
		/// royalty deeper is refused (the data's owner asked to be paid and could not be).
		#[pallet::constant]
		type MaxRoyaltyDepth: Get<u32>;

		/// The longest exact program a version may carry, in bytes (at most
		/// `aioracle_exact::limits::MAX_PROGRAM_BYTES`). Kept in state and read by every
		/// exact request: it bounds their proof size.
		#[pallet::constant]
		type MaxExactProgramBytes: Get<u32>;

		/// The most element operations one run of an exact program may take (at most
		/// `aioracle_exact::limits::MAX_BUDGET`): it bounds the weight of a request.
		#[pallet::constant]
		type MaxExactOperations: Get<u32>;

		/// The oracle's retained requests, named when a version is found tainted.
		type Requests: RetainedRequests;

		/// The id of the marketplace's pot: the account that holds the price of finalized
		/// requests until it is paid out to the payees.
		#[pallet::constant]
		type PotId: Get<PalletId>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Creates training datasets for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// The id the next created model gets.
	#[pallet::storage]
	pub type NextModelId<T: Config> = StorageValue<_, ModelId, ValueQuery>;

	/// The models, by id.
	#[pallet::storage]
	pub type Models<T: Config> = StorageMap<_, Twox64Concat, ModelId, ModelOf<T>>;

	/// The versions of each model: `(model, version) -> version`.
	#[pallet::storage]
	pub type Versions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, VersionId, ModelVersionOf<T>>;

	/// The golden vectors of each version that has any. Kept apart from `Versions` so that
	/// serving a request does not read them; off-chain workers do.
	#[pallet::storage]
	pub type GoldenVectors<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, VersionId, GoldenVectorsOf<T>>;

	/// What each version's training data permits, use by use: the strictest of its
	/// datasets' permissions, fixed at proposal (dataset permissions never change). Absent
	/// for versions proposed before permissions existed, whose data permits every use.
	#[pallet::storage]
	pub type VersionUsage<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, VersionId, UsagePermissions>;

	/// The price per inference of each version that has one, set by its model's owner and
	/// paid by requesters beside the operators' fee. Absent: free.
	#[pallet::storage]
	pub type VersionPrices<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, VersionId, BalanceOf<T>>;

	/// The run that trained each version whose proposal named one: fixed at proposal,
	/// removed only with a withdrawn version.
	#[pallet::storage]
	pub type TrainingRuns<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, VersionId, TrainingRunOf<T>>;

	/// The royalties of each version whose lineage asks any, nearest first: fixed at
	/// proposal (dataset royalties never change). The model's owner takes the rest.
	#[pallet::storage]
	pub type VersionRoyalties<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		ModelId,
		Twox64Concat,
		VersionId,
		BoundedVec<Royalty, T::MaxRoyalties>,
	>;

	/// What each version has earned: the prices of its finalized requests, held in the
	/// pot until paid out.
	#[pallet::storage]
	pub type Earnings<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		ModelId,
		Twox64Concat,
		VersionId,
		BalanceOf<T>,
		ValueQuery,
	>;

	/// What each payee of each version has been paid out so far.
	#[pallet::storage]
	pub type PaidOut<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Twox64Concat, ModelId>,
			NMapKey<Twox64Concat, VersionId>,
			NMapKey<Twox64Concat, Payee>,
		),
		BalanceOf<T>,
		ValueQuery,
	>;

	/// Where the scan for versions tainted by a retraction is, while one runs (see
	/// [`taint`]). A retraction starts it, or asks a running one to go round again.
	#[pallet::storage]
	pub type TaintScanState<T: Config> = StorageValue<_, TaintScan>;

	/// The versions found tainted by a retraction (trained on retracted data, or on data
	/// derived from it), and the block they were found in.
	#[pallet::storage]
	pub type TaintedVersions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, VersionId, BlockNumberFor<T>>;

	/// The version whose ONNX bytes have a hash: one version per hash.
	#[pallet::storage]
	pub type VersionByHash<T: Config> = StorageMap<_, Identity, ModelHash, (ModelId, VersionId)>;

	/// Uploads in progress, by the hash of the whole ONNX file: the model's owner declared
	/// the chunks (`begin_upload`) and sends them (`upload_chunk`); `propose_uploaded_version`
	/// turns a complete one into a version, `cancel_upload` drops it.
	#[pallet::storage]
	pub type Uploads<T: Config> = StorageMap<_, Identity, ModelHash, UploadOf<T>>;

	/// The chunks of each version proposed from an upload, in file order: what its bytes
	/// are assembled from. Versions proposed with their bytes inline have none.
	#[pallet::storage]
	pub type VersionChunks<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		ModelId,
		Twox64Concat,
		VersionId,
		BoundedVec<ChunkHash, T::MaxChunks>,
	>;

	/// How each version that declared one decodes input blobs into its input tensor
	/// (requests by reference); a version without an entry decodes them as
	/// `BlobDecoding::Tensor`. Set by the owner while the version is proposed.
	#[pallet::storage]
	pub type InputDecodings<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, VersionId, BlobDecoding>;

	/// The candidate of each model whose canary runs (at most one per model). Its figures
	/// are in [`Canaries`].
	#[pallet::storage]
	pub type RunningCanary<T: Config> = StorageMap<_, Twox64Concat, ModelId, VersionId>;

	/// The last canary of each version that had one: its plan, how it ended, its figures.
	/// Kept with the version (a version is never deleted once governance acted on it).
	#[pallet::storage]
	pub type Canaries<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		ModelId,
		Twox64Concat,
		VersionId,
		CanaryRecord<BlockNumberFor<T>>,
	>;

	/// The exact program of each version that has one (the exact tier, see [`exact`]):
	/// set by the owner while the version is proposed, checked against its golden vectors,
	/// removed only with a withdrawn version.
	#[pallet::storage]
	pub type ExactPrograms<T: Config> =
		StorageDoubleMap<_, Twox64Concat, ModelId, Twox64Concat, VersionId, ExactProgramOf<T>>;

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit for a model record, held from its owner.
		#[codec(index = 0)]
		ModelStorage,
		/// The deposit for a version (record, golden vectors, ONNX bytes off-chain), held
		/// from the model's owner.
		#[codec(index = 1)]
		VersionStorage,
		/// The deposit for an upload in progress (its record, and the chunks every indexing
		/// node keeps), held from the model's owner; it becomes the version's deposit.
		#[codec(index = 2)]
		UploadStorage,
	}

	#[pallet::genesis_config]
	#[derive(frame::prelude::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Models created at genesis with their versions. Deposits are held from the owners
		/// as for the calls. Genesis cannot write the offchain DB: nodes fetch the bytes from
		/// each version's URI (the dev node seeds its sample model's bytes itself).
		pub models: Vec<GenesisModel<T::AccountId>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pallet::<T>::endow_pot();
			for m in &self.models {
				let model = Pallet::<T>::do_create_model(
					m.owner.clone(),
					m.name.clone(),
					m.description.clone(),
				);
				let Ok(model) = model else { panic!("a genesis model was refused: {model:?}") };
				for v in &m.versions {
					let version = Pallet::<T>::store_version(
						m.owner.clone(),
						model,
						v.proposal.clone(),
						v.size_bytes,
					);
					let Ok(version) = version else {
						panic!("a genesis version was refused: {version:?}")
					};
					if v.active {
						let approved = Pallet::<T>::approve(model, version);
						assert!(
							approved.is_ok(),
							"a genesis version was not approved: {approved:?}"
						);
						let activated = Pallet::<T>::do_activate(model, version);
						assert!(
							activated.is_ok(),
							"a genesis version was not activated: {activated:?}"
						);
					}
				}
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A model was created.
		ModelCreated {
			/// Its id.
			model: ModelId,
			/// Its owner.
			owner: T::AccountId,
			/// The deposit held from the owner.
			deposit: BalanceOf<T>,
		},
		/// A version was proposed; its bytes are in the offchain DB of indexing nodes.
		ModelVersionProposed {
			/// The model.
			model: ModelId,
			/// The new version's number.
			version: VersionId,
			/// blake2-256 of its ONNX bytes.
			model_hash: ModelHash,
			/// The size of its ONNX bytes.
			size_bytes: u32,
			/// The deposit held from the model's owner.
			deposit: BalanceOf<T>,
		},
		/// A proposed version was withdrawn by the model's owner and deleted; its deposit
		/// was released.
		ModelVersionWithdrawn {
			/// The model.
			model: ModelId,
			/// The version.
			version: VersionId,
		},
		/// Governance approved a version: it may now be activated.
		ModelVersionApproved {
			/// The model.
			model: ModelId,
			/// The version.
			version: VersionId,
		},
		/// A version became the model's active version.
		ModelVersionActivated {
			/// The model.
			model: ModelId,
			/// The version now active.
			version: VersionId,
			/// The version it replaced, now deprecated.
			previous: Option<VersionId>,
		},
		/// Governance rejected a version. Final.
		ModelVersionRejected {
			/// The model.
			model: ModelId,
			/// The version.
			version: VersionId,
		},
		/// Governance deprecated the active version: the model has no active version.
		ModelVersionDeprecated {
			/// The model.
			model: ModelId,
			/// The version.
			version: VersionId,
		},
		/// The owner of a model began uploading ONNX bytes in chunks.
		UploadStarted {
			/// The model.
			model: ModelId,
			/// blake2-256 of the whole ONNX file.
			model_hash: ModelHash,
			/// Its size.
			size_bytes: u32,
			/// How many chunks it comes in.
			chunks: u32,
			/// The deposit held from the owner.
			deposit: BalanceOf<T>,
		},
		/// A chunk arrived; its bytes are in the offchain DB of indexing nodes.
		ChunkUploaded {
			/// blake2-256 of the whole ONNX file.
			model_hash: ModelHash,
			/// The chunk's position, from 0.
			index: u32,
			/// How many chunks have arrived, this one included.
			received: u32,
		},
		/// The owner cancelled an upload; its chunks were cleared and its deposit released.
		UploadCancelled {
			/// blake2-256 of the whole ONNX file.
			model_hash: ModelHash,
		},
		/// A proposed version declared how it decodes input blobs.
		InputDecodingSet {
			/// The model.
			model: ModelId,
			/// The version.
			version: VersionId,
			/// Its decoding.
			decoding: BlobDecoding,
		},
		/// Governance rolled the model back to the version active before.
		ModelRolledBack {
			/// The model.
			model: ModelId,
			/// The version that was active, now deprecated (`None` if there was none).
			from: Option<VersionId>,
			/// The version active again.
			to: VersionId,
		},
		/// Governance put an approved version in canary: the oracle samples `sample` of the
		/// active version's requests for it to score too.
		CanaryStarted {
			/// The model.
			model: ModelId,
			/// The candidate version.
			version: VersionId,
			/// The fraction of requests sampled.
			sample: Perbill,
			/// The most failures before it falls back.
			max_failures: u32,
			/// The most disagreements before it falls back.
			max_disagreements: u32,
		},
		/// A canary ended: promoted, fallen back, or stopped. The record in `Canaries`
		/// keeps its figures.
		CanaryEnded {
			/// The model.
			model: ModelId,
			/// The candidate version.
			version: VersionId,
			/// How it ended.
			end: CanaryEnd,
			/// Sampled requests compared.
			compared: u32,
			/// Of those, failures.
			failed: u32,
			/// Of those, disagreements.
			disagreed: u32,
		},
		/// A version's price per inference was set.
		PriceSet {
			/// The model.
			model: ModelId,
			/// The version.
			version: VersionId,
			/// The new price; requests already made keep theirs.
			price: BalanceOf<T>,
		},
		/// A version was found tainted by a retraction: every result it gave rests on
		/// withdrawn data (`explain` says so; `InferenceOracleApi::tainted_results` lists a
		/// requester's).
		VersionTainted {
			/// The model.
			model: ModelId,
			/// The version.
			version: VersionId,
			/// The oracle's retained requests, among which its results are: the oldest and
			/// the newest. `None` if none is retained.
			requests: Option<(RequestId, RequestId)>,
		},
		/// A version's earnings were paid out to one of its payees.
		EarningsPaidOut {
			/// The model.
			model: ModelId,
			/// The version.
			version: VersionId,
			/// The payee: the model's owner or a dataset in the version's lineage.
			payee: Payee,
			/// Who was paid: the payee's owner now.
			to: T::AccountId,
			/// How much.
			amount: BalanceOf<T>,
		},
		/// A proposed version was given an exact program, which reproduced its golden
		/// vectors on-chain.
		ExactProgramSet {
			/// The model.
			model: ModelId,
			/// The version.
			version: VersionId,
			/// blake2-256 of the program's bytes.
			program_hash: ModelHash,
			/// The program's size.
			size_bytes: u32,
			/// The most element operations one run takes, all kinds together.
			operations: u64,
			/// The deposit held from the model's owner for it.
			deposit: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No model has this id.
		ModelNotFound,
		/// The model has no version with this number.
		VersionNotFound,
		/// The caller does not own the model.
		NotOwner,
		/// The name is empty.
		EmptyName,
		/// The name is longer than `MaxNameLen`.
		NameTooLong,
		/// The description is longer than `MaxDescriptionLen`.
		DescriptionTooLong,
		/// The URI is longer than `MaxUriLen`.
		UriTooLong,
		/// No ONNX bytes were sent.
		EmptyModelBytes,
		/// The ONNX bytes are longer than `MaxModelBytes`.
		ModelBytesTooLarge,
		/// The blake2-256 hash of the ONNX bytes is not the proposal's `model_hash`.
		ModelHashMismatch,
		/// A version with these ONNX bytes is already registered.
		ModelHashInUse,
		/// The model has reached `MaxVersions` versions.
		TooManyVersions,
		/// A tensor spec has no dimensions or a zero dimension.
		InvalidShape,
		/// A tensor has more elements than `MaxTensorLen`.
		TensorTooLarge,
		/// A fixed-point scale is above 18 decimals.
		ScaleTooLarge,
		/// `min_agreement` is 0 or above `MaxMinAgreement`.
		InvalidMinAgreement,
		/// No training dataset was given.
		NoTrainingData,
		/// More training datasets than `MaxTrainingDatasets`.
		TooManyTrainingDatasets,
		/// A training dataset is listed twice.
		DuplicateTrainingDataset,
		/// A training dataset is not registered.
		TrainingDatasetNotFound,
		/// A training dataset is retracted or derived from retracted data.
		TrainingDataTainted,
		/// A training dataset's licence forbids derivatives, and a model is one.
		TrainingDataForbidsDerivatives,
		/// The version is declared for commercial use and a training dataset forbids it.
		TrainingDataForbidsCommercialUse,
		/// More golden vectors than `MaxGoldenVectors`.
		TooManyGoldenVectors,
		/// A golden vector's input or output length differs from its tensor spec.
		GoldenVectorMismatch,
		/// The version is not `Proposed`.
		NotProposed,
		/// Too few operators reproduced the version's golden vectors for governance to
		/// approve it (root may).
		NotValidated,
		/// The version is neither `Proposed` nor `Approved`: governance already decided.
		AlreadyDecided,
		/// Only an `Approved` or `Deprecated` version can be activated.
		NotActivatable,
		/// The version is not the model's active version.
		NotActive,
		/// The model has no earlier active version to roll back to.
		NoPreviousVersion,
		/// The aggregation does not fit the output: `TopK`'s `k` is 0 or longer than the
		/// output's last axis.
		AggregationDoesNotFit,
		/// No upload of these bytes is in progress.
		UploadNotFound,
		/// An upload of these bytes is already in progress.
		UploadInProgress,
		/// An upload declares no chunks, or more than `MaxChunks`.
		InvalidChunkCount,
		/// The declared size cannot be made of the declared chunks: smaller than one byte a
		/// chunk, or larger than `MaxChunkBytes` a chunk.
		SizeDoesNotFitChunks,
		/// The chunk's position is past the upload's last chunk.
		ChunkIndexOutOfRange,
		/// This chunk already arrived.
		ChunkAlreadyUploaded,
		/// The chunk is empty or longer than `MaxChunkBytes`.
		InvalidChunkSize,
		/// The chunk's blake2-256 hash is not the one declared at its position.
		ChunkHashMismatch,
		/// Some chunks have not arrived yet.
		UploadIncomplete,
		/// The upload is for another model.
		UploadForAnotherModel,
		/// The chunks' bytes are more than the declared size (on upload), or fewer (on
		/// proposal).
		ChunksDoNotMatchSize,
		/// The input decoding does not yield the version's input: a `FileEdges` whose
		/// `begin + end` is not the input's element count, or a version with several inputs.
		DecodingDoesNotFitInput,
		/// A version declares no input.
		NoInputs,
		/// A version declares more than `MAX_INPUTS` inputs.
		TooManyInputs,
		/// Two of a version's input specs name the same model input (`index`).
		DuplicateInput,
		/// Only an `Approved` version may be put in canary.
		NotApproved,
		/// The model already runs a canary: end it or promote it first.
		CanaryRunning,
		/// The model has no running canary.
		NoCanary,
		/// A canary compares with the model's active version, and it has none.
		NoActiveVersion,
		/// The candidate is not served like the active version: its inputs, input scale,
		/// input decoding, output or output scale differ, so their answers to the same
		/// request cannot be compared.
		CanaryContractDiffers,
		/// The version's last canary exceeded its bounds: it may not be activated until a
		/// new canary passes.
		CanaryFailuresAboveBound,
		/// A dataset that asks a royalty lies deeper in the training data's lineage than
		/// `MaxRoyaltyDepth`.
		RoyaltyTooDeep,
		/// More datasets in the training data's lineage ask a royalty than `MaxRoyalties`.
		TooManyRoyalties,
		/// The royalties of the training data's lineage add up to more than the whole price.
		RoyaltiesAboveWhole,
		/// The version is retired (rejected or deprecated): it will serve no request.
		VersionRetired,
		/// The payee is owed nothing now: not a payee of the version, or paid out already.
		NothingToPayOut,
		/// The version was not declared for commercial use (its training data's licences may
		/// forbid it), so its inferences cannot be sold: its price must stay zero.
		NotCommercial,
		/// A training dataset's permissions do not allow training models on it.
		TrainingNotPermitted,
		/// The version's training data does not allow serving inferences from it, so it
		/// cannot be a canary (its answers to sampled requests would be inferences).
		InferenceNotPermitted,
		/// A text of the training run (code URI, framework or its version) is longer than
		/// `MAX_TRAINING_TEXT_LEN` bytes.
		TrainingRunTextTooLong,
		/// The version already has an exact program: withdraw it and propose again to change
		/// it.
		ExactProgramAlreadySet,
		/// The exact program is longer than `MaxExactProgramBytes`.
		ExactProgramTooLarge,
		/// The exact program's bytes are not a program of a format version the runtime reads.
		ExactProgramUndecodable,
		/// The exact program exceeds the interpreter's bounds: nodes, constants, elements or
		/// operations.
		ExactProgramExceedsBounds,
		/// A node of the exact program reads a tensor or constant that does not exist (or is
		/// not computed before it), or its output does not exist.
		ExactProgramMissingTensor,
		/// A node of the exact program could overflow on the program's declared input range.
		ExactProgramMayOverflow,
		/// The exact program is malformed: an input declaration, a scale, a shape or a
		/// parameter is invalid.
		ExactProgramMalformed,
		/// The exact program does not serve the version's contract: its input length or
		/// scale, or its output length or scale, differ from the version's.
		ExactProgramDoesNotFit,
		/// One run of the exact program may take more than `MaxExactOperations` operations.
		ExactProgramTooCostly,
		/// The version has no golden vectors to check the exact program with.
		ExactProgramUntested,
		/// The exact program's output for a golden vector's input does not agree with the
		/// golden vector's output under the version's aggregation rule (or it refused the
		/// input).
		ExactProgramFailsGoldenVector,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Goes on with the scan for versions tainted by a retraction, within the block's
		/// spare weight (see [`taint`]).
		fn on_idle(_n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::scan_for_taint(remaining)
		}

		fn integrity_test() {
			assert!(T::MaxModelBytes::get() >= 1024 * 1024, "MaxModelBytes must be at least 1 MiB");
			assert!(T::MaxTrainingDatasets::get() >= 1, "MaxTrainingDatasets must be at least 1");
			assert!(T::MaxTensorLen::get() >= 1, "MaxTensorLen must be at least 1");
			assert!(T::MaxChunks::get() >= 1, "MaxChunks must be at least 1");
			assert!(T::MaxChunkBytes::get() >= 1024, "MaxChunkBytes must be at least 1 KiB");
			assert!(
				T::MaxReducedOutputLen::get() >= T::MaxTensorLen::get(),
				"MaxReducedOutputLen must be at least MaxTensorLen"
			);
			assert!(T::MaxVersions::get() >= 1, "MaxVersions must be at least 1");
			assert!(T::MaxMinAgreement::get() >= 1, "MaxMinAgreement must be at least 1");
			assert!(T::MaxNameLen::get() >= 1, "MaxNameLen must be at least 1");
			assert!(
				T::MaxExactProgramBytes::get() as usize <= aioracle_exact::limits::MAX_PROGRAM_BYTES,
				"MaxExactProgramBytes must be at most the interpreter's MAX_PROGRAM_BYTES"
			);
			assert!(
				u64::from(T::MaxExactOperations::get()) <= aioracle_exact::limits::MAX_BUDGET,
				"MaxExactOperations must be at most the interpreter's MAX_BUDGET"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Creates a model owned by the caller and holds its deposit.
		///
		/// - `name`: 1 to `MaxNameLen` bytes; need not be unique (the id is).
		/// - `description`: at most `MaxDescriptionLen` bytes.
		///
		/// The origin must be signed. Emits `ModelCreated`.
		#[pallet::call_index(0)]
		pub fn create_model(
			origin: OriginFor<T>,
			name: Vec<u8>,
			description: Vec<u8>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_create_model(owner, name, description).map(|_| ())
		}

		/// Proposes a new version of a model: its ONNX `bytes`, and its serving contract
		/// and training data in `proposal`. The pallet checks that `blake2_256(bytes)` is
		/// `proposal.model_hash`, writes the bytes to the offchain DB of every indexing node
		/// under `b"aioracle/model-bytes/" ++ model_hash`, and keeps only the hash and
		/// size in state. The version gets the model's next number and status `Proposed`.
		///
		/// Refused if a training dataset is missing, tainted, or licensed against the use:
		/// every one must allow derivatives, and commercial use if `commercial_use`.
		///
		/// The origin must be the model's owner, who pays the version's deposit. Emits
		/// `ModelVersionProposed`.
		///
		/// ## Complexity
		/// `O(B + D * A)`: `B` bytes hashed and indexed, `D` training datasets, each with up
		/// to `A` ancestors walked for taint by the dataset pallet.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::propose_version(
			bytes.len() as u32,
			proposal.training_datasets.len().clamp(1, T::MaxTrainingDatasets::get() as usize) as u32,
		))]
		pub fn propose_version(
			origin: OriginFor<T>,
			model: ModelId,
			proposal: VersionProposalOf<T>,
			bytes: Vec<u8>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_propose(who, model, proposal, bytes).map(|_| ())
		}

		/// Withdraws a version that is still `Proposed`: deletes it, clears its bytes from
		/// the offchain DB and releases its deposit. The version number is not reused.
		///
		/// The origin must be the model's owner. Emits `ModelVersionWithdrawn`.
		#[pallet::call_index(2)]
		pub fn withdraw_version(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let record = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
			ensure!(record.owner == who, Error::<T>::NotOwner);
			let v = Versions::<T>::get(model, version).ok_or(Error::<T>::VersionNotFound)?;
			ensure!(v.status == VersionStatus::Proposed, Error::<T>::NotProposed);
			let model_hash = v.model_hash;
			v.deposit.drop(&who)?;
			if let Some(exact) = ExactPrograms::<T>::take(model, version) {
				exact.deposit.drop(&who)?;
			}
			Versions::<T>::remove(model, version);
			GoldenVectors::<T>::remove(model, version);
			InputDecodings::<T>::remove(model, version);
			VersionUsage::<T>::remove(model, version);
			VersionRoyalties::<T>::remove(model, version);
			VersionPrices::<T>::remove(model, version);
			TrainingRuns::<T>::remove(model, version);
			VersionByHash::<T>::remove(model_hash);
			sp_io::offchain_index::clear(&model_bytes_key(&model_hash));
			if let Some(chunks) = VersionChunks::<T>::take(model, version) {
				Self::clear_chunks(&model_hash, chunks.len() as u32);
			}
			Self::deposit_event(Event::ModelVersionWithdrawn { model, version });
			Ok(())
		}

		/// Approves a `Proposed` version, so that it may be activated. Its training data
		/// must still be untainted, and a quorum of operators must have reproduced its
		/// golden vectors (`Validation`), unless the origin is root.
		///
		/// The origin must be `GovernanceOrigin`. Emits `ModelVersionApproved`.
		///
		/// ## Complexity
		/// `O(D * A)`: `D` training datasets, each with up to `A` ancestors.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::approve_version(T::MaxTrainingDatasets::get())
			.saturating_add(Pallet::<T>::validation_weight()))]
		pub fn approve_version(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionId,
		) -> DispatchResultWithPostInfo {
			let root = ensure_root(origin.clone()).is_ok();
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(
				root || !Self::is_proposed(model, version)
					|| T::Validation::is_validated(model, version),
				Error::<T>::NotValidated
			);
			let datasets = Self::approve(model, version)?;
			let weight =
				T::WeightInfo::approve_version(datasets).saturating_add(Self::validation_weight());
			Ok(Some(weight).into())
		}

		/// Makes an `Approved`, `Canary` or `Deprecated` version the model's active version.
		/// The version active until now becomes `Deprecated` and is remembered for
		/// `rollback`. The version's training data must still be untainted, and its last
		/// canary, if any, must not have fallen back (`CanaryFailuresAboveBound`).
		/// Activating the model's canary candidate promotes it; activating another version
		/// stops the running canary.
		///
		/// The origin must be `GovernanceOrigin`. Emits `ModelVersionActivated`, and
		/// `CanaryEnded` if a canary ran.
		///
		/// ## Complexity
		/// `O(D * A + R)`: `D` training datasets with up to `A` ancestors, `R` remembered
		/// versions.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::activate_version(T::MaxTrainingDatasets::get()))]
		pub fn activate_version(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionId,
		) -> DispatchResultWithPostInfo {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let datasets = Self::do_activate(model, version)?;
			Ok(Some(T::WeightInfo::activate_version(datasets)).into())
		}

		/// Rejects a `Proposed`, `Approved` or `Canary` version (stopping its canary). Final:
		/// it can never be activated. The record stays, and so does its deposit.
		///
		/// The origin must be `GovernanceOrigin`. Emits `ModelVersionRejected`, and
		/// `CanaryEnded` for a candidate.
		#[pallet::call_index(5)]
		pub fn reject_version(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionId,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let mut v = Versions::<T>::get(model, version).ok_or(Error::<T>::VersionNotFound)?;
			ensure!(
				matches!(
					v.status,
					VersionStatus::Proposed | VersionStatus::Approved | VersionStatus::Canary
				),
				Error::<T>::AlreadyDecided
			);
			if v.status == VersionStatus::Canary {
				Self::end_running_canary(model, CanaryEnd::Stopped);
			}
			v.status = VersionStatus::Rejected;
			v.status_blocks.rejected = Some(Self::now());
			Versions::<T>::insert(model, version, v);
			log::info!(target: LOG_TARGET, "model {model} version {version} rejected");
			Self::deposit_event(Event::ModelVersionRejected { model, version });
			Ok(())
		}

		/// Deprecates the model's active version: the model has no active version until
		/// governance activates one or rolls back (to the version active before this one).
		/// A running canary stops: there is nothing left to compare with.
		///
		/// The origin must be `GovernanceOrigin` or `EmergencyOrigin`. Emits
		/// `ModelVersionDeprecated`, and `CanaryEnded` if a canary ran.
		#[pallet::call_index(6)]
		pub fn deprecate_version(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionId,
		) -> DispatchResult {
			Self::ensure_governance_or_emergency(origin)?;
			let mut record = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
			let mut v = Versions::<T>::get(model, version).ok_or(Error::<T>::VersionNotFound)?;
			ensure!(record.active == Some(version), Error::<T>::NotActive);
			Self::end_running_canary(model, CanaryEnd::Stopped);
			v.status = VersionStatus::Deprecated;
			v.status_blocks.deprecated = Some(Self::now());
			record.active = None;
			Versions::<T>::insert(model, version, v);
			Models::<T>::insert(model, record);
			log::info!(target: LOG_TARGET, "model {model} version {version} deprecated");
			Self::deposit_event(Event::ModelVersionDeprecated { model, version });
			Ok(())
		}

		/// Rolls a model back to the version that was active before the current one (or,
		/// if the model has no active version, to the last one that was): that version is
		/// `Active` again, the current one `Deprecated` and forgotten by later rollbacks.
		/// The version returned to must still have untainted training data. A running canary
		/// stops: it was compared with the version rolled back from.
		///
		/// The origin must be `GovernanceOrigin` or `EmergencyOrigin`. Emits
		/// `ModelRolledBack`, and `CanaryEnded` if a canary ran.
		///
		/// ## Complexity
		/// `O(D * A)`: `D` training datasets of the version returned to, with up to `A`
		/// ancestors each.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::rollback(T::MaxTrainingDatasets::get()))]
		pub fn rollback(origin: OriginFor<T>, model: ModelId) -> DispatchResultWithPostInfo {
			Self::ensure_governance_or_emergency(origin)?;
			let datasets = Self::do_rollback(model)?;
			Ok(Some(T::WeightInfo::rollback(datasets)).into())
		}

		/// Begins uploading the ONNX bytes of a version of `model` in chunks, for files
		/// larger than one extrinsic carries (`MaxModelBytes`): up to
		/// `MaxChunks * MaxChunkBytes` bytes. The owner declares the whole file's hash and
		/// size and every chunk's blake2-256 hash in file order; the chunks then arrive in
		/// any order by `upload_chunk`, and `propose_uploaded_version` proposes the version
		/// once all have. Holds the deposit the version will hold for the same bytes.
		///
		/// The origin must be the model's owner. Emits `UploadStarted`.
		///
		/// ## Complexity
		/// `O(C)`: `C` chunk hashes stored.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::begin_upload(
			(chunks.len() as u32).min(T::MaxChunks::get())
		))]
		pub fn begin_upload(
			origin: OriginFor<T>,
			model: ModelId,
			model_hash: ModelHash,
			size_bytes: u32,
			chunks: Vec<ChunkHash>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_begin_upload(who, model, model_hash, size_bytes, chunks)
		}

		/// Sends chunk `index` of the upload of `model_hash`: its blake2-256 hash must be the
		/// one declared at that position. The bytes go to the offchain DB of every indexing
		/// node under `b"aioracle/model-chunk/" ++ chunk_hash`, never to state.
		///
		/// The origin must be the upload's owner. Emits `ChunkUploaded`.
		///
		/// ## Complexity
		/// `O(B)`: `B` bytes hashed and indexed.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::upload_chunk(
			(bytes.len() as u32).min(T::MaxChunkBytes::get())
		))]
		pub fn upload_chunk(
			origin: OriginFor<T>,
			model_hash: ModelHash,
			index: u32,
			bytes: Vec<u8>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_upload_chunk(who, model_hash, index, bytes)
		}

		/// Proposes a version of `model` whose ONNX bytes were uploaded in chunks (the upload
		/// of `proposal.model_hash`, complete), as `propose_version` does with inline bytes.
		/// The version records its chunks; nodes assemble the file from them and check it
		/// against `model_hash` before serving it (operators' validation reports a file that
		/// does not match). The upload's deposit becomes the version's.
		///
		/// The origin must be the model's owner. Emits `ModelVersionProposed`.
		///
		/// ## Complexity
		/// `O(C + D * A)`: `C` chunk hashes, `D` training datasets with up to `A` ancestors.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::propose_uploaded_version(
			T::MaxChunks::get(),
			proposal.training_datasets.len().clamp(1, T::MaxTrainingDatasets::get() as usize) as u32,
		))]
		pub fn propose_uploaded_version(
			origin: OriginFor<T>,
			model: ModelId,
			proposal: VersionProposalOf<T>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let datasets = proposal.training_datasets.len() as u32;
			let (_, chunks) = Self::do_propose_uploaded(who, model, proposal)?;
			Ok(Some(T::WeightInfo::propose_uploaded_version(chunks, datasets.max(1))).into())
		}

		/// Cancels an upload: clears the chunks that arrived from the offchain DB and
		/// releases its deposit.
		///
		/// The origin must be the upload's owner. Emits `UploadCancelled`.
		///
		/// ## Complexity
		/// `O(C)`: `C` chunks cleared.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::cancel_upload(T::MaxChunks::get()))]
		pub fn cancel_upload(origin: OriginFor<T>, model_hash: ModelHash) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_upload(who, model_hash)
		}

		/// Declares how version `version` of `model` turns an input blob into its input
		/// tensor when a request names its input by reference (see
		/// [`BlobDecoding`]): `Tensor` (the default) or a featurisation such as
		/// `FileEdges`, which must yield exactly the input's element count. Governance
		/// approves the version with its decoding; it cannot change afterwards.
		///
		/// The origin must be the model's owner and the version `Proposed`. Emits
		/// `InputDecodingSet`.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::set_input_decoding())]
		pub fn set_input_decoding(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionId,
			decoding: BlobDecoding,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_input_decoding(who, model, version, decoding)
		}

		/// Puts an `Approved` version in canary (see [`canary`]): the oracle samples
		/// `sample` of the model's requests (all are answered by the active version) for the
		/// committee to score with this version too, and the chain counts how often its
		/// output agrees with the result within the active version's tolerance, disagrees,
		/// or fails. Once `failed > max_failures` or `disagreed > max_disagreements`, the
		/// canary falls back by itself: the version is `Approved` again and may not be
		/// activated until a new canary passes. `activate_version` promotes it.
		///
		/// Refused unless the model has an active version served alike (same inputs, input
		/// scale, input decoding, output and output scale), no canary runs yet, and the
		/// version's training data is untainted. Starting a new canary of a version resets
		/// its figures.
		///
		/// The origin must be `GovernanceOrigin`. Emits `CanaryStarted`.
		///
		/// ## Complexity
		/// `O(D * A)`: `D` training datasets with up to `A` ancestors, checked for taint.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::start_canary(T::MaxTrainingDatasets::get()))]
		pub fn start_canary(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionId,
			sample: Perbill,
			max_failures: u32,
			max_disagreements: u32,
		) -> DispatchResultWithPostInfo {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let datasets =
				Self::do_start_canary(model, version, sample, max_failures, max_disagreements)?;
			Ok(Some(T::WeightInfo::start_canary(datasets)).into())
		}

		/// Sets the price per inference of a version: what requesters pay, beside the
		/// operators' fee, to the model's owner and the owners of its training data (their
		/// royalties, fixed at proposal). Requests already made keep the price they were
		/// quoted. Zero makes the version free.
		///
		/// The origin must be the model's owner; the version must not be rejected or
		/// deprecated. Emits `PriceSet`.
		#[pallet::call_index(15)]
		pub fn set_price(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionId,
			price: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_price(&who, model, version, price)?;
			Self::deposit_event(Event::PriceSet { model, version, price });
			Ok(())
		}

		/// Pays a version's payee what it is owed: its share of the version's earnings less
		/// what it was paid out before, from the pot to the payee's owner now (the model's
		/// owner, or the dataset's).
		///
		/// Any signed origin may call it (a keeper, the dApp, the payee). Emits
		/// `EarningsPaidOut`.
		#[pallet::call_index(16)]
		pub fn pay_out(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionId,
			payee: Payee,
		) -> DispatchResult {
			ensure_signed(origin)?;
			let (to, amount) = Self::do_pay_out(model, version, payee)?;
			Self::deposit_event(Event::EarningsPaidOut { model, version, payee, to, amount });
			Ok(())
		}

		/// Ends the model's running canary: the candidate is `Approved` again, its figures
		/// stay in `Canaries`.
		///
		/// The origin must be `GovernanceOrigin` or `EmergencyOrigin`. Emits `CanaryEnded`.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::end_canary())]
		pub fn end_canary(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			Self::ensure_governance_or_emergency(origin)?;
			Self::end_running_canary(model, CanaryEnd::Stopped).ok_or(Error::<T>::NoCanary)?;
			Ok(())
		}

		/// Gives a `Proposed` version its exact program (the exact tier, see [`exact`]): the
		/// SCALE-encoded integer-only program `aioracle-node model compile` made from the
		/// version's ONNX bytes, which the runtime will run itself. Governance approves the
		/// version with it; it cannot change afterwards.
		///
		/// The program must decode and validate (bounds, references, no overflow on its
		/// declared input range), serve the version's contract (input length and scale,
		/// output length and scale), take at most `MaxExactOperations` operations a run, and
		/// reproduce every golden vector of the version (at least one) within its
		/// aggregation rule: each is run here. Holds a deposit for the program's bytes in
		/// state (`HoldReason::VersionStorage`), released if the version is withdrawn.
		///
		/// The origin must be the model's owner. Emits `ExactProgramSet`.
		///
		/// ## Weight
		/// Charged for a program of `MaxExactProgramBytes` run on `MaxGoldenVectors` vectors
		/// with `MaxExactOperations` of the dearest kind; refunded to the program's size and
		/// its analysed operations, per golden vector.
		#[pallet::call_index(17)]
		#[pallet::weight(Pallet::<T>::set_exact_program_weight(
			T::MaxExactProgramBytes::get(),
			T::MaxGoldenVectors::get(),
			None,
		))]
		pub fn set_exact_program(
			origin: OriginFor<T>,
			model: ModelId,
			version: VersionId,
			program: Vec<u8>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let actual = Self::do_set_exact_program(who, model, version, program)?;
			Ok(Some(actual).into())
		}
	}
}
