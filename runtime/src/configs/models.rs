//! The model registry: ONNX model versions by hash, voted in by referendum on the
//! `model_upgrades` track; the council may only deprecate and roll back.

use frame_support::{
	parameter_types,
	traits::{fungible::HoldConsideration, ConstU128, ConstU32, LinearStoragePrice},
};
use pallet_model_registry::HoldReason;

use crate::{
	configs::governance::{CouncilEmergencyOrigin, ModelUpgradesOrigin},
	AccountId, Balance, Balances, DatasetProvenance, Runtime, RuntimeHoldReason, MICRO_UNIT,
	MILLI_UNIT, UNIT,
};

parameter_types! {
	/// A model record costs 1 AIO plus 1 milli-AIO per byte (about 1.6 AIO at most).
	pub const ModelDeposit: Balance = UNIT;
	/// A version costs 1 AIO, plus 1 milli-AIO per byte of its record and golden vectors,
	/// plus 1 micro-AIO per byte of ONNX kept by every indexing node (about 1 AIO for a
	/// 1 MiB model).
	pub const VersionDeposit: Balance = UNIT;
	/// Per byte of a model or version record and its golden vectors.
	pub const ModelRecordDepositPerByte: Balance = MILLI_UNIT;
	/// Per byte of ONNX, which lives in nodes' offchain DB, not in state.
	pub const DepositPerModelByte: Balance = MICRO_UNIT;
	/// The hold reasons of models', versions' and uploads' deposits.
	pub const ModelStorage: RuntimeHoldReason = RuntimeHoldReason::ModelRegistry(HoldReason::ModelStorage);
	pub const VersionStorage: RuntimeHoldReason =
		RuntimeHoldReason::ModelRegistry(HoldReason::VersionStorage);
	pub const UploadStorage: RuntimeHoldReason =
		RuntimeHoldReason::ModelRegistry(HoldReason::UploadStorage);
	/// The marketplace's pot: holds the prices of finalized requests until paid out.
	pub const MarketPotId: frame_support::PalletId = frame_support::PalletId(*b"aio/mrkt");
}

/// A model's record: `ModelDeposit + ModelRecordDepositPerByte * bytes`.
type ModelPrice = LinearStoragePrice<ModelDeposit, ModelRecordDepositPerByte, Balance>;
/// A version's (or upload's) record: `VersionDeposit + ModelRecordDepositPerByte * bytes`.
type VersionPrice = LinearStoragePrice<VersionDeposit, ModelRecordDepositPerByte, Balance>;
/// ONNX bytes: `DepositPerModelByte * bytes`.
type ModelBytesPrice = LinearStoragePrice<ConstU128<0>, DepositPerModelByte, Balance>;

/// The largest ONNX file: 2 MiB, well inside a normal extrinsic (3.75 MiB of a 5 MiB block).
pub const MAX_MODEL_BYTES: u32 = 2 * 1024 * 1024;

impl pallet_model_registry::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Datasets = DatasetProvenance;
	/// A council motion at two thirds, or root (sudo on the dev chain).
	type GovernanceOrigin = ModelUpgradesOrigin;
	type EmergencyOrigin = CouncilEmergencyOrigin;
	/// Operators' nodes check a proposed version before the council may approve it.
	type Validation = crate::InferenceOracle;
	type ModelTicket = HoldConsideration<AccountId, Balances, ModelStorage, ModelPrice>;
	type VersionTicket = HoldConsideration<AccountId, Balances, VersionStorage, VersionPrice>;
	type VersionBytesTicket =
		HoldConsideration<AccountId, Balances, VersionStorage, ModelBytesPrice>;
	type UploadTicket = HoldConsideration<AccountId, Balances, UploadStorage, VersionPrice>;
	type UploadBytesTicket = HoldConsideration<AccountId, Balances, UploadStorage, ModelBytesPrice>;
	type MaxModelBytes = ConstU32<MAX_MODEL_BYTES>;
	/// Models uploaded in chunks: up to 128 chunks of 2 MiB, 256 MiB.
	type MaxChunks = ConstU32<128>;
	type MaxChunkBytes = ConstU32<MAX_MODEL_BYTES>;
	type MaxNameLen = ConstU32<64>;
	type MaxDescriptionLen = ConstU32<512>;
	type MaxUriLen = ConstU32<256>;
	/// Each is walked for taint (up to 128 ancestors) on proposal, approval and activation.
	type MaxTrainingDatasets = ConstU32<8>;
	/// 4,096 elements: a version's input (inline requests carry at most the oracle's
	/// `MaxInputLen`, 256; larger inputs such as Magika's 2,048 file bytes go by reference),
	/// each golden vector's input and output (at most 32 KiB of state each), and what
	/// operators report.
	type MaxTensorLen = ConstU32<4096>;
	/// A classifier of up to 65,536 classes may be served by `ArgMax` or `TopK`.
	type MaxReducedOutputLen = ConstU32<65_536>;
	type MaxGoldenVectors = ConstU32<8>;
	type MaxVersions = ConstU32<1024>;
	type MaxRollbackDepth = ConstU32<8>;
	/// The oracle serves a version asking for `m` agreeing operators by a committee of
	/// `2m - 1`, at most its `MaxCommittee` (15).
	type MaxMinAgreement = ConstU32<8>;
	type MaxRoyalties = ConstU32<8>;
	type MaxRoyaltyDepth = ConstU32<4>;
	/// 64 KiB: a 100-tree forest compiles to a few tens of KiB; every exact request reads
	/// the program, so this bounds its proof size.
	type MaxExactProgramBytes = ConstU32<{ 64 * 1024 }>;
	/// 8,000 element operations a run: a 64-100-10 MLP takes about 7,400 multiply-adds,
	/// the example 50-tree forest about 600 steps. Every request is charged up front a run
	/// of this many of the dearest kind (an L2 normalizer, 3 µs an operation: 24 ms), and
	/// refunded to what its program takes; more would leave a full block of committee
	/// requests (`MaxRequestsPerBlock`) no room for its last request's up-front weight.
	type MaxExactOperations = ConstU32<8_000>;
	type PotId = MarketPotId;
	type Requests = crate::InferenceOracle;
	type WeightInfo = pallet_model_registry::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark::TrainingDatasets;
}

#[cfg(feature = "runtime-benchmarks")]
mod benchmark {
	use aioracle_primitives::dataset::DatasetId;

	use crate::{configs::datasets::MaxAncestors, AccountId, DatasetProvenance};

	/// Training datasets for the registry's benchmarks, from the real dataset pallet.
	pub struct TrainingDatasets;

	impl pallet_model_registry::BenchmarkHelper for TrainingDatasets {
		/// The tip of a fresh chain with `MaxAncestors` ancestors: a taint check walks them
		/// all.
		fn training_dataset() -> DatasetId {
			let owner = AccountId::from([0xda; 32]);
			let len = <MaxAncestors as frame_support::traits::Get<u32>>::get() + 1;
			DatasetProvenance::benchmark_insert_chain(owner, len).unwrap_or_default()
		}

		fn retract_oldest_ancestor(dataset: DatasetId) {
			let oldest = DatasetProvenance::ancestor_lineage(dataset, u32::MAX)
				.and_then(|lineage| lineage.datasets.last().map(|entry| entry.id))
				.unwrap_or(dataset);
			let by = pallet_dataset_provenance::Retractor::Governance;
			let _ = DatasetProvenance::do_retract(oldest, &by, alloc::vec::Vec::new());
		}
	}
}
