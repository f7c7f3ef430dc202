//! Datasets: the types, the trait other pallets ask questions through, and the runtime
//! API that clients read provenance with. Implemented by `pallet-dataset-provenance`.

use alloc::vec::Vec;
use codec::{Codec, Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// A dataset's id: sequential, from 0.
pub type DatasetId = u64;

/// The blake2-256 hash of a dataset's canonical bytes (see `aioracle-node dataset hash`).
pub type ContentHash = sp_core::H256;

/// What a licence allows, in terms the chain can check.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct LicenceFlags {
	/// The data may be used commercially (e.g. to train a model sold as a service).
	pub commercial_use: bool,
	/// Derived datasets (and models) may be made from the data.
	pub derivatives: bool,
	/// Derived datasets must carry the same licence.
	pub share_alike: bool,
}

/// Whether one use of a dataset is permitted: the three values of the C2PA/CAWG
/// training-and-data-mining assertion (`allowed`, `notAllowed`, `constrained`).
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum UsePermission {
	/// The use is permitted.
	#[default]
	Allowed,
	/// The use is not permitted: the chain refuses it.
	NotAllowed,
	/// The use is permitted under terms kept off-chain (CAWG's `constraints_info`):
	/// `constraint` is the blake2-256 hash of their text. The chain permits the use and
	/// shows the constraint to whoever relies on the data.
	Constrained {
		/// The blake2-256 hash of the constraint's text.
		constraint: sp_core::H256,
	},
}

impl UsePermission {
	/// Whether the chain lets the use go ahead (allowed or constrained).
	pub fn permits(&self) -> bool {
		!matches!(self, UsePermission::NotAllowed)
	}

	/// How strict the permission is: allowed 0, constrained 1, not allowed 2.
	pub fn strictness(&self) -> u8 {
		match self {
			UsePermission::Allowed => 0,
			UsePermission::Constrained { .. } => 1,
			UsePermission::NotAllowed => 2,
		}
	}

	/// Whether a child's permission of a use is no wider than its parent's.
	pub fn no_wider_than(&self, parent: &UsePermission) -> bool {
		match (self, parent) {
			(_, UsePermission::Allowed) | (UsePermission::NotAllowed, _) => true,
			(UsePermission::Constrained { constraint }, UsePermission::Constrained { constraint: theirs }) =>
				constraint == theirs,
			_ => false,
		}
	}

	/// The stricter of two permissions (the first of two constraints).
	pub fn strictest(self, other: UsePermission) -> UsePermission {
		if other.strictness() > self.strictness() {
			other
		} else {
			self
		}
	}
}

/// What a dataset's owner permits others to do with it, beside its licence, following the
/// C2PA/CAWG training-and-data-mining assertion (`cawg.ai_training`, `cawg.ai_inference`,
/// `cawg.data_mining`). Fixed at registration, like the licence; a dataset derived from
/// others permits no use that one of its parents does not.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct UsagePermissions {
	/// Training models on the data. A model version trained on data that does not allow
	/// it is refused at proposal.
	pub ai_training: UsePermission,
	/// Serving inferences from models trained on the data. A request to a model version
	/// whose training data does not allow it is refused.
	pub ai_inference: UsePermission,
	/// Mining the data (analysis, search, extraction). Declared for those who use the
	/// data off-chain; no on-chain act is data mining, so the chain checks nothing.
	pub data_mining: UsePermission,
}

impl UsagePermissions {
	/// Every use allowed: what datasets registered before permissions existed declare.
	pub const ALL_ALLOWED: UsagePermissions = UsagePermissions {
		ai_training: UsePermission::Allowed,
		ai_inference: UsePermission::Allowed,
		data_mining: UsePermission::Allowed,
	};

	/// The stricter of two sets, use by use: what a model trained on both permits.
	pub fn strictest(self, other: UsagePermissions) -> UsagePermissions {
		UsagePermissions {
			ai_training: self.ai_training.strictest(other.ai_training),
			ai_inference: self.ai_inference.strictest(other.ai_inference),
			data_mining: self.data_mining.strictest(other.data_mining),
		}
	}

	/// Whether every use is at least as strict as in `parent`: what a derived dataset
	/// must declare. A use the parent constrains stays under the same terms (the same
	/// constraint) or is not allowed: other terms could be wider.
	pub fn no_wider_than(&self, parent: &UsagePermissions) -> bool {
		self.ai_training.no_wider_than(&parent.ai_training) &&
			self.ai_inference.no_wider_than(&parent.ai_inference) &&
			self.data_mining.no_wider_than(&parent.data_mining)
	}
}

/// What an attestation vouches for.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum AttestationKind {
	/// The data's quality was checked (labels, duplicates, coverage).
	Quality,
	/// The data subjects consented to this use.
	Consent,
	/// An audit of the data or how it was collected.
	Audit,
	/// Anything else; the statement says what.
	Other,
}

/// Who retracted a dataset.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum Retractor<AccountId> {
	/// Its owner.
	Owner(AccountId),
	/// The governance origin (a takedown, e.g. consent withdrawn).
	Governance,
}

/// How a dataset was derived from its parents.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum DerivationView {
	/// A short description of the transformation.
	Description(Vec<u8>),
	/// The blake2-256 hash of the transformation code.
	CodeHash(sp_core::H256),
}

/// A dataset as the runtime API returns it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct DatasetView<AccountId, Balance, BlockNumber> {
	/// The dataset's id.
	pub id: DatasetId,
	/// Who owns the record (may update its URI, transfer or retract it).
	pub owner: AccountId,
	/// The blake2-256 hash of the canonical bytes.
	pub content_hash: ContentHash,
	/// The size of the canonical bytes.
	pub size_bytes: u64,
	/// The number of records, if the registrant gave it.
	pub record_count: Option<u64>,
	/// Where the bytes can be fetched.
	pub uri: Vec<u8>,
	/// The SPDX licence identifier or expression.
	pub licence: Vec<u8>,
	/// What the licence allows.
	pub licence_flags: LicenceFlags,
	/// The hash of the data's schema, if given.
	pub schema_hash: Option<sp_core::H256>,
	/// The datasets this one was derived from.
	pub parents: Vec<DatasetId>,
	/// How it was derived from them.
	pub derivation: Option<DerivationView>,
	/// The block it was registered in.
	pub registered_at: BlockNumber,
	/// The deposit held from the owner for the record.
	pub deposit: Balance,
	/// What the owner permits others to do with the data.
	pub permissions: UsagePermissions,
	/// The share of a model's price per inference the owner asks of every model trained
	/// on this dataset or on data derived from it.
	pub royalty: sp_runtime::Permill,
	/// Set once the dataset is retracted: when, by whom and why.
	pub retraction: Option<RetractionView<AccountId, BlockNumber>>,
}

/// A retraction as the runtime API returns it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct RetractionView<AccountId, BlockNumber> {
	/// The block of the retraction.
	pub at: BlockNumber,
	/// Who retracted it.
	pub by: Retractor<AccountId>,
	/// Why.
	pub reason: Vec<u8>,
}

/// An attestation as the runtime API returns it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct AttestationView<AccountId, BlockNumber> {
	/// Who attests.
	pub author: AccountId,
	/// What is attested.
	pub kind: AttestationKind,
	/// The hash of the signed statement, report or consent record, kept off-chain.
	pub statement_hash: sp_core::H256,
	/// The block of the attestation.
	pub at: BlockNumber,
}

/// One dataset reached in a lineage walk.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct LineageEntry {
	/// The dataset.
	pub id: DatasetId,
	/// Its distance from the start: 1 for a parent (or child), 2 for a grandparent...
	pub depth: u32,
	/// Its parents (for ancestors) or children (for descendants) within the walk.
	pub links: Vec<DatasetId>,
	/// Whether the dataset itself is retracted.
	pub retracted: bool,
}

/// A bounded walk of a dataset's lineage.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Lineage {
	/// The datasets reached, nearest first.
	// Not `entries`: Polkadot.js structs are Maps, whose `entries()` would shadow it.
	pub datasets: Vec<LineageEntry>,
	/// True when the walk stopped at the depth or size limit before reaching every dataset.
	pub truncated: bool,
}

/// Whether a dataset may be relied on.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Taint {
	/// The dataset itself is retracted.
	pub retracted: bool,
	/// Its retracted ancestors (empty if none): each taints everything derived from it.
	pub retracted_ancestors: Vec<DatasetId>,
}

impl Taint {
	/// Tainted: retracted itself, or derived from retracted data.
	pub fn is_tainted(&self) -> bool {
		self.retracted || !self.retracted_ancestors.is_empty()
	}
}

/// What other pallets (the model registry) may ask about datasets.
pub trait DatasetInspect {
	/// Whether the dataset exists.
	fn exists(id: DatasetId) -> bool;
	/// Whether the dataset or any of its ancestors is retracted.
	fn is_tainted(id: DatasetId) -> bool;
	/// What the dataset's licence allows, or `None` if there is no such dataset.
	fn licence_flags(id: DatasetId) -> Option<LicenceFlags>;
	/// The dataset's content hash, or `None` if there is no such dataset.
	fn content_hash(id: DatasetId) -> Option<ContentHash>;
	/// What the dataset's owner permits, or `None` if there is no such dataset. A derived
	/// dataset permits no use its ancestors do not, so its own permissions are its
	/// lineage's.
	fn permissions(id: DatasetId) -> Option<UsagePermissions>;
	/// The datasets among `datasets` and their ancestors that ask a royalty, each once at
	/// its nearest depth (`datasets` are at depth 1, their parents at 2...), nearest first.
	/// Refused when one lies deeper than `max_depth` or there are more than `max_count`.
	fn royalties(
		datasets: &[DatasetId],
		max_depth: u32,
		max_count: u32,
	) -> Result<Vec<crate::market::Royalty>, RoyaltyLineageError>;
}

/// Why a model's royalties cannot be drawn from its training data's lineage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum RoyaltyLineageError {
	/// A dataset that asks a royalty lies deeper in the lineage than the bound.
	TooDeep,
	/// More datasets in the lineage ask a royalty than the bound.
	TooMany,
}

/// What happens when a dataset is retracted: the model registry looks for the versions it
/// taints, a little per block.
pub trait OnDatasetRetracted {
	/// Dataset `dataset` was just retracted. Must do constant work.
	fn on_retracted(dataset: DatasetId);
}

impl OnDatasetRetracted for () {
	fn on_retracted(_: DatasetId) {}
}

/// Who owns a dataset now: whom its royalties are paid to.
pub trait DatasetOwner<AccountId> {
	/// The owner of dataset `id`, or `None` if there is no such dataset.
	fn owner(id: DatasetId) -> Option<AccountId>;
}

sp_api::decl_runtime_apis! {
	/// Reads dataset provenance: records, lineage, taint and attestations.
	pub trait DatasetProvenanceApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// The dataset `id`.
		fn dataset(id: DatasetId) -> Option<DatasetView<AccountId, Balance, BlockNumber>>;
		/// The dataset registered with `content_hash`.
		fn dataset_by_hash(content_hash: ContentHash) -> Option<DatasetView<AccountId, Balance, BlockNumber>>;
		/// The ancestors of `id` up to `max_depth` generations (capped by the runtime).
		fn ancestors(id: DatasetId, max_depth: u32) -> Option<Lineage>;
		/// The descendants of `id` up to `max_depth` generations (capped by the runtime).
		fn descendants(id: DatasetId, max_depth: u32) -> Option<Lineage>;
		/// Whether `id` is retracted or derived from retracted data.
		fn taint(id: DatasetId) -> Option<Taint>;
		/// The attestations of `id`.
		fn attestations(id: DatasetId) -> Vec<AttestationView<AccountId, BlockNumber>>;
	}
}
