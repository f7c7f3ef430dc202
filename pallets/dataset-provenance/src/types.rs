//! The records the pallet stores.

use aioracle_primitives::dataset::{
	AttestationKind, AttestationView, ContentHash, DatasetId, DatasetView, DerivationView,
	LicenceFlags, RetractionView, Retractor, UsagePermissions,
};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame::prelude::*;
use scale_info::TypeInfo;

/// How a dataset was derived from its parents: `Text` is `Vec<u8>` in a call and a
/// `BoundedVec` in storage.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum Derivation<Text> {
	/// A short description of the transformation ("deduplicated, English rows only").
	Description(Text),
	/// The blake2-256 hash of the transformation code.
	CodeHash(H256),
}

impl<Text> Derivation<Text> {
	/// Converts the description, keeping a code hash as it is.
	pub fn try_map<U, E>(self, f: impl FnOnce(Text) -> Result<U, E>) -> Result<Derivation<U>, E> {
		Ok(match self {
			Derivation::Description(text) => Derivation::Description(f(text)?),
			Derivation::CodeHash(hash) => Derivation::CodeHash(hash),
		})
	}
}

/// What `register_dataset` takes: a dataset's description, before validation.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct Registration {
	/// blake2-256 of the canonical bytes (`aioracle-node dataset hash`).
	pub content_hash: ContentHash,
	/// The size of the canonical bytes.
	pub size_bytes: u64,
	/// The number of records, if known.
	pub record_count: Option<u64>,
	/// Where the bytes can be fetched (at most `MaxUriLen` bytes).
	pub uri: Vec<u8>,
	/// An SPDX identifier or expression (at most `MaxLicenceLen` bytes, not empty).
	pub licence: Vec<u8>,
	/// What the licence allows.
	pub licence_flags: LicenceFlags,
	/// The hash of the data's schema, if any.
	pub schema_hash: Option<H256>,
	/// The datasets this one was derived from (at most `MaxParents`, all existing, none
	/// tainted).
	pub parents: Vec<DatasetId>,
	/// How it was derived from them (only with parents).
	pub derivation: Option<Derivation<Vec<u8>>>,
	/// What the owner permits others to do with the data (training, inference, mining);
	/// no use a parent does not permit.
	pub permissions: UsagePermissions,
	/// The share of a model's price per inference the owner asks of every model trained
	/// on this dataset or on data derived from it.
	pub royalty: Permill,
}

impl Registration {
	/// A root dataset (no parents) that permits every use and asks no royalty.
	pub fn root(
		content_hash: ContentHash,
		size_bytes: u64,
		uri: Vec<u8>,
		licence: Vec<u8>,
		licence_flags: LicenceFlags,
	) -> Self {
		Registration {
			content_hash,
			size_bytes,
			record_count: None,
			uri,
			licence,
			licence_flags,
			schema_hash: None,
			parents: Vec::new(),
			derivation: None,
			permissions: UsagePermissions::ALL_ALLOWED,
			royalty: Permill::zero(),
		}
	}
}

/// A dataset's licence: the SPDX identifier or expression, and what it allows.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxLen))]
pub struct Licence<MaxLen: Get<u32>> {
	/// An SPDX identifier or expression, e.g. `CC-BY-SA-4.0`.
	pub spdx: BoundedVec<u8, MaxLen>,
	/// What the licence allows.
	pub flags: LicenceFlags,
}

/// A registered dataset. Records are permanent: retraction marks them, nothing deletes them.
///
/// `Deposit` is the deposit ticket stored with the record (a `Consideration`); `()` while
/// the record is being built, to measure its footprint before the ticket exists.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxUri, MaxLicence, MaxDescription))]
pub struct Dataset<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Deposit: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxUri: Get<u32>,
	MaxLicence: Get<u32>,
	MaxDescription: Get<u32>,
> {
	/// Who owns the record: may update its URI, transfer or retract it, and pays its deposit.
	pub owner: AccountId,
	/// The blake2-256 hash of the canonical bytes; never changes.
	pub content_hash: ContentHash,
	/// The size of the canonical bytes.
	pub size_bytes: u64,
	/// The number of records, if given.
	pub record_count: Option<u64>,
	/// Where the bytes can be fetched.
	pub uri: BoundedVec<u8, MaxUri>,
	/// The licence.
	pub licence: Licence<MaxLicence>,
	/// What the owner permits others to do with the data.
	pub permissions: UsagePermissions,
	/// The share of a model's price per inference the owner asks (see `Registration`).
	pub royalty: Permill,
	/// The hash of the data's schema, if given.
	pub schema_hash: Option<H256>,
	/// How the dataset was derived from its parents (see `Parents`), if it has any.
	pub derivation: Option<Derivation<BoundedVec<u8, MaxDescription>>>,
	/// The block it was registered in.
	pub registered_at: BlockNumber,
	/// The deposit ticket: what is held from `owner` for this record and its lineage links.
	pub deposit: Deposit,
}

/// A retraction: when, by whom, why.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxReason))]
pub struct Retraction<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxReason: Get<u32>,
> {
	/// The block of the retraction.
	pub at: BlockNumber,
	/// Who retracted the dataset.
	pub by: Retractor<AccountId>,
	/// Why (free text, bounded).
	pub reason: BoundedVec<u8, MaxReason>,
}

/// An attestation about a dataset.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct Attestation<AccountId, Deposit, BlockNumber> {
	/// Who attests; only they can revoke it.
	pub author: AccountId,
	/// What is attested.
	pub kind: AttestationKind,
	/// The hash of the statement kept off-chain.
	pub statement_hash: H256,
	/// The block of the attestation.
	pub at: BlockNumber,
	/// The deposit ticket held from `author`, dropped on revocation.
	pub deposit: Deposit,
}

impl<
		AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
		Deposit: Clone + PartialEq + Eq + core::fmt::Debug,
		BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
		MaxUri: Get<u32>,
		MaxLicence: Get<u32>,
		MaxDescription: Get<u32>,
	> Dataset<AccountId, Deposit, BlockNumber, MaxUri, MaxLicence, MaxDescription>
{
	/// The record with `deposit` in place of its deposit, and the deposit it had: a draft
	/// (`()`) gets its ticket once the ticket exists, and a stored record's ticket can be
	/// taken out (to drop it, or in a migration).
	pub fn replace_deposit<New: Clone + PartialEq + Eq + core::fmt::Debug>(
		self,
		deposit: New,
	) -> (Dataset<AccountId, New, BlockNumber, MaxUri, MaxLicence, MaxDescription>, Deposit) {
		let record = Dataset {
			owner: self.owner,
			content_hash: self.content_hash,
			size_bytes: self.size_bytes,
			record_count: self.record_count,
			uri: self.uri,
			licence: self.licence,
			permissions: self.permissions,
			royalty: self.royalty,
			schema_hash: self.schema_hash,
			derivation: self.derivation,
			registered_at: self.registered_at,
			deposit,
		};
		(record, self.deposit)
	}

	/// The view the runtime API returns; `deposit` is what the record's ticket holds.
	pub fn view<MaxReason: Get<u32>, Balance>(
		self,
		id: DatasetId,
		parents: Vec<DatasetId>,
		retraction: Option<Retraction<AccountId, BlockNumber, MaxReason>>,
		deposit: Balance,
	) -> DatasetView<AccountId, Balance, BlockNumber> {
		DatasetView {
			id,
			owner: self.owner,
			content_hash: self.content_hash,
			size_bytes: self.size_bytes,
			record_count: self.record_count,
			uri: self.uri.into_inner(),
			licence: self.licence.spdx.into_inner(),
			licence_flags: self.licence.flags,
			schema_hash: self.schema_hash,
			parents,
			derivation: self.derivation.map(|d| match d {
				Derivation::Description(text) => DerivationView::Description(text.into_inner()),
				Derivation::CodeHash(hash) => DerivationView::CodeHash(hash),
			}),
			registered_at: self.registered_at,
			deposit,
			permissions: self.permissions,
			royalty: self.royalty,
			retraction: retraction.map(|r| RetractionView {
				at: r.at,
				by: r.by,
				reason: r.reason.into_inner(),
			}),
		}
	}
}

impl<AccountId, Deposit, BlockNumber> Attestation<AccountId, Deposit, BlockNumber> {
	/// The view the runtime API returns.
	pub fn view(self) -> AttestationView<AccountId, BlockNumber> {
		AttestationView {
			author: self.author,
			kind: self.kind,
			statement_hash: self.statement_hash,
			at: self.at,
		}
	}
}
