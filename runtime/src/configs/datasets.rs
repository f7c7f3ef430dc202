//! Dataset provenance: datasets by content hash, their licences, lineage and attestations.

use frame_support::{
	parameter_types,
	traits::{fungible::HoldConsideration, ConstU128, ConstU32, LinearStoragePrice},
};
use sp_runtime::Permill;

use crate::{
	configs::governance::RootOrTwoThirdsCouncil, AccountId, Balance, Balances, Runtime,
	RuntimeHoldReason, MILLI_UNIT, UNIT,
};

parameter_types! {
	/// A dataset record costs 0.1 AIO plus 1 milli-AIO per stored byte (about 0.6 AIO for
	/// a record with a 200-byte URI and a few parents).
	pub const DatasetDepositBase: Balance = UNIT / 10;
	/// Per byte of a dataset record and its parent links.
	pub const DatasetDepositPerByte: Balance = MILLI_UNIT;
	/// The highest royalty one dataset may ask: the royalties along a model's lineage add
	/// up, so no single dataset may take more than a quarter of a model's price.
	pub const MaxDatasetRoyalty: Permill = Permill::from_percent(25);
	/// Held for each attestation until its author revokes it.
	pub const AttestationDeposit: Balance = UNIT / 10;
	/// The hold reason of dataset records' deposits.
	pub const DatasetStorage: RuntimeHoldReason =
		RuntimeHoldReason::DatasetProvenance(pallet_dataset_provenance::HoldReason::DatasetStorage);
	/// The hold reason of attestations' deposits.
	pub const AttestationStorage: RuntimeHoldReason = RuntimeHoldReason::DatasetProvenance(
		pallet_dataset_provenance::HoldReason::AttestationStorage,
	);
	/// Bounds the ancestry walk of a registration: at worst about 400 KiB of proof size is
	/// charged up front, refunded down to the ancestors actually walked.
	pub const MaxAncestors: u32 = 128;
}

impl pallet_dataset_provenance::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// Takedowns (consent withdrawn, unlawful content) by two thirds of the council, or root.
	type RetractOrigin = RootOrTwoThirdsCouncil;
	/// `DatasetDepositBase + DatasetDepositPerByte * bytes`, held from the owner.
	type DatasetTicket = HoldConsideration<
		AccountId,
		Balances,
		DatasetStorage,
		LinearStoragePrice<DatasetDepositBase, DatasetDepositPerByte, Balance>,
	>;
	/// `AttestationDeposit`, whatever the attestation's size, held from its author.
	type AttestationTicket = HoldConsideration<
		AccountId,
		Balances,
		AttestationStorage,
		LinearStoragePrice<AttestationDeposit, ConstU128<0>, Balance>,
	>;
	type MaxRoyalty = MaxDatasetRoyalty;
	type OnRetracted = crate::ModelRegistry;
	type MaxParents = ConstU32<16>;
	type MaxAncestors = MaxAncestors;
	type MaxUriLen = ConstU32<256>;
	type MaxLicenceLen = ConstU32<64>;
	type MaxDescriptionLen = ConstU32<256>;
	type MaxReasonLen = ConstU32<256>;
	type MaxAttestations = ConstU32<64>;
	type MaxLineageResults = ConstU32<512>;
	type WeightInfo = pallet_dataset_provenance::weights::SubstrateWeight<Runtime>;
}
