//! The runtime APIs: what the node (block production, transaction pool, off-chain
//! workers, collation) and clients such as Polkadot.js call into the runtime for.

use alloc::vec::Vec;
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	weights::Weight,
};
use sp_api::impl_runtime_apis;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::Block as BlockT,
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult,
};
use sp_version::RuntimeVersion;

use aioracle_primitives::{
	dataset::{AttestationView, ContentHash, DatasetId, DatasetView, Lineage, Taint},
	model::{ModelHash, ModelId, ModelView, Provenance, VersionId, VersionView},
	oracle::{Explanation, OperatorView, RequestId, RequestView, ResultView},
};
use pallet_inference_oracle::crypto::Public as OracleKey;

use crate::{
	AccountId, AuraId, Balance, Block, BlockNumber, ConsensusHook, DatasetProvenance, Executive,
	InferenceOracle, InherentDataExt, ModelRegistry, Nonce, ParachainSystem, Runtime, RuntimeCall,
	RuntimeGenesisConfig, SessionKeys, System, TransactionPayment, SLOT_DURATION, VERSION,
};

impl_runtime_apis! {
	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(SLOT_DURATION)
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl cumulus_primitives_aura::AuraUnincludedSegmentApi<Block> for Runtime {
		fn can_build_upon(
			included_hash: <Block as BlockT>::Hash,
			slot: cumulus_primitives_aura::Slot,
		) -> bool {
			ConsensusHook::can_build_upon(included_hash, slot)
		}
	}

	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block)
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> sp_runtime::ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl frame_support::view_functions::runtime_api::RuntimeViewFunction<Block> for Runtime {
		fn execute_view_function(
			id: frame_support::view_functions::ViewFunctionId,
			input: Vec<u8>,
		) -> Result<Vec<u8>, frame_support::view_functions::ViewFunctionDispatchError> {
			Runtime::execute_view_function(id, input)
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(owner: Vec<u8>, seed: Option<Vec<u8>>) -> sp_session::OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}
		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}
		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl cumulus_primitives_core::CollectCollationInfo<Block> for Runtime {
		fn collect_collation_info(header: &<Block as BlockT>::Header) -> cumulus_primitives_core::CollationInfo {
			ParachainSystem::collect_collation_info(header)
		}
	}

	impl cumulus_primitives_core::GetParachainInfo<Block> for Runtime {
		fn parachain_id() -> cumulus_primitives_core::ParaId {
			crate::ParachainInfo::parachain_id()
		}
	}

	// The lookahead collator asks which relay-chain storage the parachain inherent's proof
	// should carry beyond what parachain-system always reads. Nothing: no pallet here reads
	// extra relay-chain state.
	impl cumulus_primitives_core::KeyToIncludeInRelayProof<Block> for Runtime {
		fn keys_to_prove() -> cumulus_primitives_core::RelayProofRequest {
			Default::default()
		}
	}

	impl aioracle_primitives::dataset::DatasetProvenanceApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn dataset(id: DatasetId) -> Option<DatasetView<AccountId, Balance, BlockNumber>> {
			DatasetProvenance::dataset_view(id)
		}

		fn dataset_by_hash(content_hash: ContentHash) -> Option<DatasetView<AccountId, Balance, BlockNumber>> {
			DatasetProvenance::dataset_view_by_hash(content_hash)
		}

		fn ancestors(id: DatasetId, max_depth: u32) -> Option<Lineage> {
			DatasetProvenance::ancestors(id, max_depth)
		}

		fn descendants(id: DatasetId, max_depth: u32) -> Option<Lineage> {
			DatasetProvenance::descendants(id, max_depth)
		}

		fn taint(id: DatasetId) -> Option<Taint> {
			DatasetProvenance::taint(id)
		}

		fn attestations(id: DatasetId) -> Vec<AttestationView<AccountId, BlockNumber>> {
			DatasetProvenance::attestation_views(id)
		}
	}

	impl aioracle_primitives::model::ModelRegistryApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn model(model: ModelId) -> Option<ModelView<AccountId, Balance, BlockNumber>> {
			ModelRegistry::model_view(model)
		}

		fn versions(model: ModelId) -> Vec<VersionView<AccountId, Balance, BlockNumber>> {
			ModelRegistry::version_views(model)
		}

		fn version(model: ModelId, version: VersionId) -> Option<VersionView<AccountId, Balance, BlockNumber>> {
			ModelRegistry::version_view(model, version)
		}

		fn active_version(model: ModelId) -> Option<VersionView<AccountId, Balance, BlockNumber>> {
			ModelRegistry::active_version_view(model)
		}

		fn version_by_hash(model_hash: ModelHash) -> Option<VersionView<AccountId, Balance, BlockNumber>> {
			ModelRegistry::version_view_by_hash(model_hash)
		}

		fn provenance(model: ModelId, version: VersionId) -> Option<Provenance<AccountId, Balance, BlockNumber>> {
			crate::provenance::version_provenance(model, version)
		}
	}

	#[api_version(2)]
	impl aioracle_primitives::oracle::InferenceOracleApi<Block, AccountId, Balance, BlockNumber, OracleKey> for Runtime {
		fn pending_requests(limit: u32) -> Vec<RequestView<AccountId, Balance, BlockNumber>> {
			InferenceOracle::pending_request_views(limit)
		}

		fn request(id: RequestId) -> Option<RequestView<AccountId, Balance, BlockNumber>> {
			InferenceOracle::request_view(id)
		}

		fn result(id: RequestId) -> Option<ResultView<AccountId, BlockNumber>> {
			InferenceOracle::result_view(id)
		}

		fn explain(id: RequestId) -> Option<Explanation<AccountId, Balance, BlockNumber>> {
			crate::provenance::explain(id)
		}

		fn operators() -> Vec<OperatorView<AccountId, Balance, OracleKey>> {
			InferenceOracle::operator_views()
		}

		fn quote(
			model: ModelId,
		) -> Result<aioracle_primitives::market::Quote<Balance>, sp_runtime::DispatchError> {
			InferenceOracle::quote(model)
		}

		fn tainted_results(
			requester: AccountId,
			limit: u32,
		) -> Vec<aioracle_primitives::oracle::TaintedResult<BlockNumber>> {
			crate::provenance::tainted_results(requester, limit)
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, crate::genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			crate::genesis_config_presets::preset_names()
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			use frame_benchmarking::BenchmarkList;
			use frame_support::traits::StorageInfoTrait;
			use crate::*;

			let mut list = Vec::<BenchmarkList>::new();
			list_benchmarks!(list, extra);
			(list, AllPalletsWithSystem::storage_info())
		}

		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig,
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use frame_benchmarking::BenchmarkBatch;
			use frame_support::traits::WhitelistedStorageKeys;
			use crate::*;

			let whitelist = AllPalletsWithSystem::whitelisted_storage_keys();
			let mut batches = Vec::<BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);
			Ok(batches)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			// Compiled only with the try-runtime feature, never into the on-chain runtime. The
			// API returns a weight, not a result: panicking is how a failed check reaches the
			// try-runtime CLI, which reports it with the message and a backtrace.
			let weight = Executive::try_runtime_upgrade(checks)
				.expect("try-runtime only: surface the failure with a backtrace");
			(weight, crate::configs::RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			// try-runtime only, like `on_runtime_upgrade` above: the panic is the report.
			Executive::try_execute_block(block, state_root_check, signature_check, select)
				.expect("try-runtime only: surface the failure with a backtrace")
		}
	}
}
