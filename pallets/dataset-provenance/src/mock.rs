//! A test runtime: System, Balances and this pallet, with small bounds so that tests reach
//! them.

use crate as pallet_dataset_provenance;
use frame::{
	deps::sp_io,
	testing_prelude::*,
	traits::{fungible::HoldConsideration, LinearStoragePrice},
};

type Block = frame_system::mocking::MockBlock<Test>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		DatasetProvenance: pallet_dataset_provenance,
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

/// Root retracts on behalf of governance in tests.
pub const GOVERNANCE: u64 = 100;

ord_parameter_types! {
	pub const Governance: u64 = GOVERNANCE;
}

parameter_types! {
	pub const MaxRoyalty: Permill = Permill::from_percent(30);
	pub const DatasetStorage: RuntimeHoldReason =
		RuntimeHoldReason::DatasetProvenance(crate::HoldReason::DatasetStorage);
	pub const AttestationStorage: RuntimeHoldReason =
		RuntimeHoldReason::DatasetProvenance(crate::HoldReason::AttestationStorage);
}

pub const DEPOSIT_BASE: u128 = 10;
pub const DEPOSIT_PER_BYTE: u128 = 1;
pub const ATTESTATION_DEPOSIT: u128 = 7;
pub const MAX_PARENTS: u32 = 3;
pub const MAX_ANCESTORS: u32 = 5;
pub const MAX_URI_LEN: u32 = 32;
pub const MAX_LICENCE_LEN: u32 = 16;
pub const MAX_DESCRIPTION_LEN: u32 = 24;
pub const MAX_REASON_LEN: u32 = 20;
pub const MAX_ATTESTATIONS: u32 = 3;
pub const MAX_LINEAGE_RESULTS: u32 = 4;

impl crate::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RetractOrigin = EitherOfDiverse<EnsureRoot<u64>, EnsureSignedBy<Governance, u64>>;
	type OnRetracted = ();
	type DatasetTicket = HoldConsideration<
		u64,
		Balances,
		DatasetStorage,
		LinearStoragePrice<ConstU128<DEPOSIT_BASE>, ConstU128<DEPOSIT_PER_BYTE>, u128>,
	>;
	type AttestationTicket = HoldConsideration<
		u64,
		Balances,
		AttestationStorage,
		LinearStoragePrice<ConstU128<ATTESTATION_DEPOSIT>, ConstU128<0>, u128>,
	>;
	type MaxRoyalty = MaxRoyalty;
	type MaxParents = ConstU32<MAX_PARENTS>;
	type MaxAncestors = ConstU32<MAX_ANCESTORS>;
	type MaxUriLen = ConstU32<MAX_URI_LEN>;
	type MaxLicenceLen = ConstU32<MAX_LICENCE_LEN>;
	type MaxDescriptionLen = ConstU32<MAX_DESCRIPTION_LEN>;
	type MaxReasonLen = ConstU32<MAX_REASON_LEN>;
	type MaxAttestations = ConstU32<MAX_ATTESTATIONS>;
	type MaxLineageResults = ConstU32<MAX_LINEAGE_RESULTS>;
	type WeightInfo = ();
}

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CHARLIE: u64 = 3;
/// An account that can pay fees but not much more.
pub const POOR: u64 = 4;
/// An account that does not exist.
pub const NOBODY: u64 = 99;

pub const START_BALANCE: u128 = 10_000;

/// Builds test externalities with funded accounts; `build_and_execute` checks the
/// pallet's invariants after the test.
pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build() -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: vec![
				(ALICE, START_BALANCE),
				(BOB, START_BALANCE),
				(CHARLIE, START_BALANCE),
				(POOR, 20),
				(GOVERNANCE, START_BALANCE),
			],
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	pub fn build_and_execute(test: impl FnOnce()) {
		Self::build().execute_with(|| {
			test();
			DatasetProvenance::do_try_state().expect("invariants hold after the test");
		});
	}
}
