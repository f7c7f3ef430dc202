//! # aioracle runtime
//!
//! The Cumulus parachain runtime of aioracle. It composes the system and consensus pallets
//! every parachain needs (parachain-system, aura, session, collator-selection), the
//! monetary ones (balances, transaction-payment), governance (a `Council` collective whose
//! members are managed by `CouncilMembership`, plus `Sudo` while the chain is young), and,
//! at indexes 50 and above, aioracle's own pallets.
//!
//! - [`configs`]: one `impl Config` per pallet, with its `parameter_types!` beside it.
//! - [`apis`]: the runtime APIs the node and Polkadot.js call.
//! - [`genesis_config_presets`]: the `development` and `local_testnet` genesis presets.
#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime!` recurses deeply.
#![recursion_limit = "256"]

// The wasm binary built by substrate-wasm-builder (`WASM_BINARY`, `WASM_BINARY_BLOATY`).
#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod migrations;
pub mod provenance;
pub mod relay_randomness;
pub mod weights;

use alloc::{borrow::Cow, vec::Vec};
use sp_runtime::{generic, impl_opaque_keys};
use sp_version::RuntimeVersion;

pub use aioracle_primitives::{
	currency::*, AccountId, Balance, BlockNumber, Hash, Header, Nonce, Signature,
};
pub use sp_consensus_aura::sr25519::AuthorityId as AuraId;

/// The address format: a `MultiAddress` so that wallets may use indices later.
pub type Address = sp_runtime::MultiAddress<AccountId, ()>;

/// The transaction extensions, checked in this order for every signed transaction.
///
/// `StorageWeightReclaim` wraps the tuple: after dispatch it corrects the proof-size
/// weight with the real storage proof size measured by the node's host function.
pub type TxExtension = cumulus_pallet_weight_reclaim::StorageWeightReclaim<
	Runtime,
	(
		frame_system::AuthorizeCall<Runtime>,
		frame_system::CheckNonZeroSender<Runtime>,
		frame_system::CheckSpecVersion<Runtime>,
		frame_system::CheckTxVersion<Runtime>,
		frame_system::CheckGenesis<Runtime>,
		frame_system::CheckEra<Runtime>,
		frame_system::CheckNonce<Runtime>,
		frame_system::CheckWeight<Runtime>,
		pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
		frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
		pallet_inference_oracle::CheckRequestCapacity<Runtime>,
	),
>;

/// An extrinsic as this runtime checks it.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// A block of this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// Migrations run on a runtime upgrade, beside those declared in the pallets. Each runs
/// only on the storage version it migrates from. Those every chain has run (the oracle's
/// v0 -> v4, enacted by specs 5 and 7) are no longer listed: they write today's types,
/// which the migrations after them would not read.
type Migrations = (
	pallet_model_registry::migrations::v1::MigrateV0ToV1<Runtime>,
	// Requests carry the version's price, spec 10.
	pallet_inference_oracle::migrations::v5::MigrateV4ToV5<Runtime>,
	// Exact answers leave the requests for a ring of their own, spec 16.
	pallet_inference_oracle::migrations::v6::MigrateV5ToV6<Runtime>,
	// The marketplace's pot, spec 10 (idempotent).
	pallet_model_registry::migrations::EndowPot<Runtime>,
	// Models, versions and uploads keep deposit tickets, spec 12.
	pallet_model_registry::migrations::v2::MigrateV1ToV2<Runtime>,
	// Dataset records carry usage permissions and a royalty, spec 10.
	pallet_dataset_provenance::migrations::v1::MigrateV0ToV1<Runtime>,
	// Dataset records and attestations keep deposit tickets, spec 12 (no bytes change).
	pallet_dataset_provenance::migrations::v2::MigrateV1ToV2<Runtime>,
	// OpenGov's pallets, added by spec 8.
	migrations::InitNewPallet<Scheduler, Runtime>,
	migrations::InitNewPallet<Preimage, Runtime>,
	migrations::InitNewPallet<Referenda, Runtime>,
	migrations::InitNewPallet<ConvictionVoting, Runtime>,
	migrations::InitNewPallet<Origins, Runtime>,
	migrations::InitNewPallet<Whitelist, Runtime>,
	// XCM's pallets, added by spec 13.
	migrations::InitNewPallet<XcmpQueue, Runtime>,
	migrations::InitNewPallet<PolkadotXcm, Runtime>,
	migrations::InitNewPallet<CumulusXcm, Runtime>,
	// Inference for sibling parachains, added by spec 15; its results go out to siblings
	// whose XCM version is not known yet in the safe version.
	migrations::InitNewPallet<XcmInference, Runtime>,
	migrations::SetSafeXcmVersion<Runtime>,
	// The relay chain's token, for XCM fees, added by spec 15.
	migrations::InitNewPallet<RelayBalances, Runtime>,
);

/// Dispatches extrinsics to the pallets and runs their hooks.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

/// The runtime API implementation, for the node's client.
pub use apis::RuntimeApi;

/// Types the node uses without knowing this runtime's extrinsic format.
pub mod opaque {
	pub use aioracle_primitives::{Header, OpaqueBlock as Block};
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;
}

impl_opaque_keys! {
	/// The keys a collator registers with `Session::set_keys`.
	pub struct SessionKeys {
		/// Signs the blocks the collator authors.
		pub aura: Aura,
		/// Signs the inference results the node's off-chain worker submits (`orcl`), if
		/// the account is a registered operator.
		pub oracle: InferenceOracle,
	}
}

/// The runtime version: bump `spec_version` with every runtime change that ships, and
/// `transaction_version` whenever a call's index or arguments change (offline signers
/// check it): 2 since spec 11, whose `propose_version` proposals name a training run.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("aioracle"),
	impl_name: Cow::Borrowed("aioracle"),
	authoring_version: 1,
	spec_version: 16,
	impl_version: 0,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 3,
	system_version: 1,
};

/// Block times and the durations derived from them.
pub mod time {
	use super::BlockNumber;

	/// The target block time. With async backing a parachain authors a block every 6 s;
	/// the dev node seals on its own clock (`--dev-block-time`).
	pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
	/// The Aura slot duration. It cannot change once the chain has started.
	pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
	/// Blocks in a minute.
	pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
	/// Blocks in an hour.
	pub const HOURS: BlockNumber = MINUTES * 60;
	/// Blocks in a day.
	pub const DAYS: BlockNumber = HOURS * 24;
}
pub use time::*;

/// Asynchronous backing parameters (the relay chain's and ours).
pub mod async_backing {
	/// Parachain blocks accepted by the runtime but not yet included by the relay chain.
	pub const UNINCLUDED_SEGMENT_CAPACITY: u32 = 3;
	/// Parachain blocks the relay chain processes per relay parent.
	pub const BLOCK_PROCESSING_VELOCITY: u32 = 1;
	/// The relay chain slot duration, in milliseconds.
	pub const RELAY_CHAIN_SLOT_DURATION_MILLIS: u32 = 6000;
}

/// Aura's consensus hook: limits how many unincluded blocks may be built, per relay slot.
pub type ConsensusHook = cumulus_pallet_aura_ext::FixedVelocityConsensusHook<
	Runtime,
	{ async_backing::RELAY_CHAIN_SLOT_DURATION_MILLIS },
	{ async_backing::BLOCK_PROCESSING_VELOCITY },
	{ async_backing::UNINCLUDED_SEGMENT_CAPACITY },
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	// System: 0-9.
	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type ParachainSystem = cumulus_pallet_parachain_system;
	#[runtime::pallet_index(2)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(3)]
	pub type ParachainInfo = parachain_info;
	#[runtime::pallet_index(4)]
	pub type WeightReclaim = cumulus_pallet_weight_reclaim;

	// Monetary: 10-14.
	#[runtime::pallet_index(10)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(11)]
	pub type TransactionPayment = pallet_transaction_payment;

	// Governance: 15-19.
	#[runtime::pallet_index(15)]
	pub type Sudo = pallet_sudo;
	#[runtime::pallet_index(16)]
	pub type Council = pallet_collective<Instance1>;
	#[runtime::pallet_index(17)]
	pub type CouncilMembership = pallet_membership<Instance1>;

	// Collator support: 20-29. The order of these five matters and must not change.
	#[runtime::pallet_index(20)]
	pub type Authorship = pallet_authorship;
	#[runtime::pallet_index(21)]
	pub type CollatorSelection = pallet_collator_selection;
	#[runtime::pallet_index(22)]
	pub type Session = pallet_session;
	#[runtime::pallet_index(23)]
	pub type Aura = pallet_aura;
	#[runtime::pallet_index(24)]
	pub type AuraExt = cumulus_pallet_aura_ext;

	// Messaging: 30-39.
	#[runtime::pallet_index(30)]
	pub type XcmpQueue = cumulus_pallet_xcmp_queue;
	#[runtime::pallet_index(31)]
	pub type PolkadotXcm = pallet_xcm;
	#[runtime::pallet_index(32)]
	pub type CumulusXcm = cumulus_pallet_xcm;
	#[runtime::pallet_index(33)]
	pub type MessageQueue = pallet_message_queue;
	#[runtime::pallet_index(34)]
	pub type RelayBalances = pallet_balances<Instance2>;

	// OpenGov: 40-49.
	#[runtime::pallet_index(40)]
	pub type Scheduler = pallet_scheduler;
	#[runtime::pallet_index(41)]
	pub type Preimage = pallet_preimage;
	#[runtime::pallet_index(42)]
	pub type Referenda = pallet_referenda;
	#[runtime::pallet_index(43)]
	pub type ConvictionVoting = pallet_conviction_voting;
	#[runtime::pallet_index(44)]
	pub type Origins = crate::configs::governance::origins::pallet_governance_origins;
	#[runtime::pallet_index(45)]
	pub type Whitelist = pallet_whitelist;

	// aioracle's own pallets: 50 and above.
	#[runtime::pallet_index(50)]
	pub type DatasetProvenance = pallet_dataset_provenance;
	#[runtime::pallet_index(51)]
	pub type ModelRegistry = pallet_model_registry;
	#[runtime::pallet_index(52)]
	pub type InferenceOracle = pallet_inference_oracle;
	#[runtime::pallet_index(53)]
	pub type XcmInference = pallet_xcm_inference;
}

cumulus_pallet_parachain_system::register_validate_block! {
	Runtime = Runtime,
	BlockExecutor = cumulus_pallet_aura_ext::BlockExecutor::<Runtime, Executive>,
}
