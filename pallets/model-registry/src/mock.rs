//! A test runtime: System, Balances and this pallet, with a dataset registry kept in a
//! thread-local (so tests can retract data or change licences at will) and small bounds so
//! that tests reach them.

use crate as pallet_model_registry;
use aioracle_primitives::{
	dataset::{
		ContentHash, DatasetId, DatasetInspect, DatasetOwner, LicenceFlags, RoyaltyLineageError,
		UsagePermissions,
	},
	market::Royalty,
};
use core::cell::RefCell;
use frame::{
	deps::sp_io,
	testing_prelude::*,
	traits::{fungible::HoldConsideration, LinearStoragePrice},
};
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		ModelRegistry: pallet_model_registry,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u128>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = u128;
	type ExistentialDeposit = ConstU128<1>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

thread_local! {
	/// The registered datasets: licence flags, and whether each is tainted.
	static DATASETS: RefCell<BTreeMap<DatasetId, (LicenceFlags, bool)>> =
		RefCell::new(BTreeMap::new());
	/// The royalty each dataset asks, where a test set one.
	static ROYALTIES: RefCell<BTreeMap<DatasetId, Permill>> = RefCell::new(BTreeMap::new());
	/// What every royalty walk answers, where a test set it.
	static ROYALTY_ERROR: RefCell<Option<RoyaltyLineageError>> = const { RefCell::new(None) };
	/// What datasets permit, where a test restricted it.
	static PERMISSIONS: RefCell<BTreeMap<DatasetId, UsagePermissions>> =
		RefCell::new(BTreeMap::new());
}

/// A licence allowing everything (e.g. CC-BY-4.0).
pub const OPEN: LicenceFlags =
	LicenceFlags { commercial_use: true, derivatives: true, share_alike: false };
/// A non-commercial licence (e.g. CC-BY-NC-4.0).
pub const NON_COMMERCIAL: LicenceFlags =
	LicenceFlags { commercial_use: false, derivatives: true, share_alike: false };
/// A no-derivatives licence (e.g. CC-BY-ND-4.0).
pub const NO_DERIVATIVES: LicenceFlags =
	LicenceFlags { commercial_use: true, derivatives: false, share_alike: false };

/// The datasets the tests use; `MockDatasets::add` adds more.
pub const IRIS: DatasetId = 0;
pub const WINE: DatasetId = 1;
pub const NC_DATA: DatasetId = 2;
pub const ND_DATA: DatasetId = 3;
pub const MISSING: DatasetId = 99;

/// The dataset pallet as the registry sees it, through [`DatasetInspect`].
pub struct MockDatasets;

impl MockDatasets {
	pub fn add(id: DatasetId, flags: LicenceFlags) {
		DATASETS.with(|d| d.borrow_mut().insert(id, (flags, false)));
	}

	/// Makes `id` ask `royalty` (of the training datasets only: the mock has no lineage).
	pub fn set_royalty(id: DatasetId, royalty: Permill) {
		ROYALTIES.with(|r| r.borrow_mut().insert(id, royalty));
	}

	/// Makes every royalty walk fail with `error`.
	pub fn fail_royalties(error: RoyaltyLineageError) {
		ROYALTY_ERROR.with(|e| *e.borrow_mut() = Some(error));
	}

	/// The owner of dataset `id`: account `DATA_OWNER + id`.
	pub fn owner_of(id: DatasetId) -> u64 {
		DATA_OWNER + id
	}

	/// Sets what `id` permits (every use, unless set).
	pub fn set_permissions(id: DatasetId, permissions: UsagePermissions) {
		PERMISSIONS.with(|p| p.borrow_mut().insert(id, permissions));
	}

	/// Marks `id` retracted (or derived from retracted data).
	pub fn taint(id: DatasetId) {
		DATASETS.with(|d| {
			if let Some(entry) = d.borrow_mut().get_mut(&id) {
				entry.1 = true;
			}
		});
	}
}

impl DatasetInspect for MockDatasets {
	fn exists(id: DatasetId) -> bool {
		DATASETS.with(|d| d.borrow().contains_key(&id))
	}

	fn is_tainted(id: DatasetId) -> bool {
		DATASETS.with(|d| d.borrow().get(&id).is_some_and(|(_, tainted)| *tainted))
	}

	fn licence_flags(id: DatasetId) -> Option<LicenceFlags> {
		DATASETS.with(|d| d.borrow().get(&id).map(|(flags, _)| *flags))
	}

	fn content_hash(id: DatasetId) -> Option<ContentHash> {
		Self::exists(id).then(|| ContentHash::repeat_byte(id as u8))
	}

	fn royalties(
		datasets: &[DatasetId],
		_max_depth: u32,
		max_count: u32,
	) -> Result<Vec<Royalty>, RoyaltyLineageError> {
		if let Some(error) = ROYALTY_ERROR.with(|e| *e.borrow()) {
			return Err(error);
		}
		let royalties: Vec<Royalty> = datasets
			.iter()
			.filter_map(|id| {
				let share = ROYALTIES.with(|r| r.borrow().get(id).copied());
				share.filter(|s| !s.is_zero()).map(|share| Royalty {
					dataset: *id,
					depth: 1,
					share,
				})
			})
			.collect();
		if royalties.len() as u32 > max_count {
			return Err(RoyaltyLineageError::TooMany);
		}
		Ok(royalties)
	}

	fn permissions(id: DatasetId) -> Option<UsagePermissions> {
		Self::exists(id).then(|| {
			PERMISSIONS.with(|p| {
				p.borrow().get(&id).copied().unwrap_or(UsagePermissions::ALL_ALLOWED)
			})
		})
	}
}

impl DatasetOwner<u64> for MockDatasets {
	fn owner(id: DatasetId) -> Option<u64> {
		Self::exists(id).then(|| Self::owner_of(id))
	}
}

/// The oracle's retained requests as the registry sees them: 10 to 19.
pub struct MockRequests;

impl aioracle_primitives::oracle::RetainedRequests for MockRequests {
	fn retained() -> Option<(u64, u64)> {
		Some((10, 19))
	}
}

/// Dataset `id` is owned by account `DATA_OWNER + id`.
pub const DATA_OWNER: u64 = 1_000;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for MockDatasets {
	fn training_dataset() -> DatasetId {
		let id = DATASETS.with(|d| d.borrow().keys().max().map_or(0, |max| max + 1));
		Self::add(id, OPEN);
		id
	}

	fn retract_oldest_ancestor(dataset: DatasetId) {
		Self::taint(dataset);
	}
}

/// Governance acts as root, or as this account, in tests.
pub const GOVERNANCE: u64 = 100;

/// The emergency origin (the runtime's council) is this account in tests: it may
/// deprecate and roll back, nothing else.
pub const EMERGENCY: u64 = 101;

ord_parameter_types! {
	pub const Governance: u64 = GOVERNANCE;
	pub const Emergency: u64 = EMERGENCY;
}

pub const MODEL_DEPOSIT: u128 = 10;
pub const VERSION_DEPOSIT: u128 = 20;
pub const DEPOSIT_PER_BYTE: u128 = 1;
pub const DEPOSIT_PER_MODEL_BYTE: u128 = 1;
/// The pallet requires at least 1 MiB.
pub const MAX_MODEL_BYTES: u32 = 1024 * 1024;
pub const MAX_NAME_LEN: u32 = 16;
pub const MAX_DESCRIPTION_LEN: u32 = 32;
pub const MAX_URI_LEN: u32 = 24;
pub const MAX_TRAINING_DATASETS: u32 = 3;
pub const MAX_TENSOR_LEN: u32 = 8;
pub const MAX_GOLDEN_VECTORS: u32 = 2;
pub const MAX_VERSIONS: u32 = 6;
pub const MAX_ROLLBACK_DEPTH: u32 = 2;
pub const MAX_MIN_AGREEMENT: u32 = 5;
pub const MAX_ROYALTIES: u32 = 3;

parameter_types! {
	pub const PotId: frame::deps::frame_support::PalletId =
		frame::deps::frame_support::PalletId(*b"aio/mrkt");
	pub const ModelStorage: RuntimeHoldReason =
		RuntimeHoldReason::ModelRegistry(crate::HoldReason::ModelStorage);
	pub const VersionStorage: RuntimeHoldReason =
		RuntimeHoldReason::ModelRegistry(crate::HoldReason::VersionStorage);
	pub const UploadStorage: RuntimeHoldReason =
		RuntimeHoldReason::ModelRegistry(crate::HoldReason::UploadStorage);
}

/// A record's price: `base + DEPOSIT_PER_BYTE * bytes`.
type RecordPrice<const BASE: u128> =
	LinearStoragePrice<ConstU128<BASE>, ConstU128<DEPOSIT_PER_BYTE>, u128>;
/// The ONNX bytes' price: `DEPOSIT_PER_MODEL_BYTE * bytes`.
type BytesPrice = LinearStoragePrice<ConstU128<0>, ConstU128<DEPOSIT_PER_MODEL_BYTE>, u128>;
pub const MAX_CHUNKS: u32 = 4;
pub const MAX_CHUNK_BYTES: u32 = 1024;

impl crate::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Datasets = MockDatasets;
	type GovernanceOrigin = EitherOfDiverse<EnsureRoot<u64>, EnsureSignedBy<Governance, u64>>;
	type EmergencyOrigin = EnsureSignedBy<Emergency, u64>;
	type Validation = MockValidation;
	type ModelTicket = HoldConsideration<u64, Balances, ModelStorage, RecordPrice<MODEL_DEPOSIT>>;
	type VersionTicket =
		HoldConsideration<u64, Balances, VersionStorage, RecordPrice<VERSION_DEPOSIT>>;
	type VersionBytesTicket = HoldConsideration<u64, Balances, VersionStorage, BytesPrice>;
	type UploadTicket =
		HoldConsideration<u64, Balances, UploadStorage, RecordPrice<VERSION_DEPOSIT>>;
	type UploadBytesTicket = HoldConsideration<u64, Balances, UploadStorage, BytesPrice>;
	type MaxModelBytes = ConstU32<MAX_MODEL_BYTES>;
	type MaxChunks = ConstU32<MAX_CHUNKS>;
	type MaxChunkBytes = ConstU32<MAX_CHUNK_BYTES>;
	type MaxNameLen = ConstU32<MAX_NAME_LEN>;
	type MaxDescriptionLen = ConstU32<MAX_DESCRIPTION_LEN>;
	type MaxUriLen = ConstU32<MAX_URI_LEN>;
	type MaxTrainingDatasets = ConstU32<MAX_TRAINING_DATASETS>;
	type MaxTensorLen = ConstU32<MAX_TENSOR_LEN>;
	type MaxReducedOutputLen = ConstU32<{ 4 * MAX_TENSOR_LEN }>;
	type MaxGoldenVectors = ConstU32<MAX_GOLDEN_VECTORS>;
	type MaxVersions = ConstU32<MAX_VERSIONS>;
	type MaxRollbackDepth = ConstU32<MAX_ROLLBACK_DEPTH>;
	type MaxMinAgreement = ConstU32<MAX_MIN_AGREEMENT>;
	type MaxRoyalties = ConstU32<MAX_ROYALTIES>;
	type MaxRoyaltyDepth = ConstU32<3>;
	type MaxExactProgramBytes = ConstU32<{ 64 * 1024 }>;
	type MaxExactOperations = ConstU32<20_000>;
	type PotId = PotId;
	type Requests = MockRequests;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockDatasets;
}

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
/// An account that can pay for a model but not for a version.
pub const POOR: u64 = 4;
/// An account that cannot pay even for a model.
pub const BROKE: u64 = 5;

pub const START_BALANCE: u128 = 10_000_000;

/// Builds test externalities with funded accounts and the datasets above;
/// `build_and_execute` checks the pallet's invariants after the test.
pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build() -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: vec![
				(ALICE, START_BALANCE),
				(BOB, START_BALANCE),
				(POOR, 200),
				(BROKE, 20),
				(GOVERNANCE, START_BALANCE),
			],
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		DATASETS.with(|d| d.borrow_mut().clear());
		PERMISSIONS.with(|p| p.borrow_mut().clear());
		ROYALTIES.with(|r| r.borrow_mut().clear());
		ROYALTY_ERROR.with(|e| *e.borrow_mut() = None);
		MockDatasets::add(IRIS, OPEN);
		MockDatasets::add(WINE, OPEN);
		MockDatasets::add(NC_DATA, NON_COMMERCIAL);
		MockDatasets::add(ND_DATA, NO_DERIVATIVES);
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	pub fn build_and_execute(test: impl FnOnce()) {
		Self::build().execute_with(|| {
			test();
			ModelRegistry::do_try_state().expect("invariants hold after the test");
		});
	}
}

thread_local! {
	/// Whether operators validated every proposed version (tests turn it off).
	pub static VALIDATED: core::cell::Cell<bool> = const { core::cell::Cell::new(true) };
}

/// Operators' validation, as a switch: the inference oracle's real rule is tested there
/// and in the runtime.
pub struct MockValidation;

impl aioracle_primitives::model::VersionValidation for MockValidation {
	fn is_validated(_model: crate::ModelId, _version: crate::VersionId) -> bool {
		VALIDATED.with(|v| v.get())
	}
}
