//! The node's services. What every mode shares lives here: the wasm executor and its
//! host functions, the client, the transaction pool, the off-chain workers and the RPC.
//! [`dev`] runs the chain alone with manual seal; `collator` (in a node built with
//! `--features collator`) runs it as a Cumulus parachain node of a real relay chain,
//! collating with `--collator`, and reuses the same pieces.

#[cfg(feature = "collator")]
pub mod collator;
mod boot_id;
pub mod dev;
mod quiet_shutdown;
mod relay_mock;
#[cfg(feature = "collator")]
pub mod relay_rpc;

use std::sync::Arc;

use aioracle_primitives::OpaqueBlock as Block;
use futures::FutureExt;
use sc_client_api::Backend as _;
use sc_service::{Configuration, TaskManager};
use sc_telemetry::{Telemetry, TelemetryWorker};
use sc_transaction_pool_api::OffchainTransactionPoolFactory;

/// The host functions the runtime may call: Substrate's, the storage-proof-size one that
/// `cumulus-pallet-weight-reclaim` uses, and aioracle's: the ONNX engine and the oracle
/// worker's metrics (both doing nothing outside off-chain workers); in a node built with
/// the benchmarks, also theirs.
pub type HostFunctions = (
	sp_io::SubstrateHostFunctions,
	cumulus_primitives_proof_size_hostfunction::storage_proof_size::HostFunctions,
	aioracle_primitives::onnx::onnx::HostFunctions,
	aioracle_primitives::metrics::oracle_metrics::HostFunctions,
	BenchmarkingHostFunctions,
);

/// The benchmarking host functions, which a runtime built with its benchmarks imports: so
/// that the release node `scripts/bench-weights.sh` builds also runs a chain
/// (`scripts/bench-oracle-load.sh` measures with it).
#[cfg(feature = "runtime-benchmarks")]
type BenchmarkingHostFunctions = frame_benchmarking::benchmarking::HostFunctions;
/// None in a node built without the benchmarks.
#[cfg(not(feature = "runtime-benchmarks"))]
type BenchmarkingHostFunctions = ();

/// The wasm executor of the runtime.
pub type Executor = sc_executor::WasmExecutor<HostFunctions>;

/// The client: the runtime API of `aioracle-runtime` over the executor.
pub type FullClient = sc_service::TFullClient<Block, aioracle_runtime::RuntimeApi, Executor>;

/// The database backend (ParityDB by default).
pub type FullBackend = sc_service::TFullBackend<Block>;

/// The transaction pool.
pub type FullPool = sc_transaction_pool::TransactionPoolHandle<Block, FullClient>;

/// What every service starts from.
pub struct Components {
	/// The client.
	pub client: Arc<FullClient>,
	/// The database backend.
	pub backend: Arc<FullBackend>,
	/// The spawner of the node's tasks.
	pub task_manager: TaskManager,
	/// The keystore.
	pub keystore_container: sc_service::KeystoreContainer,
	/// The transaction pool.
	pub transaction_pool: Arc<FullPool>,
	/// Telemetry, if endpoints are configured.
	pub telemetry: Option<Telemetry>,
}

/// Builds the executor, client, backend, keystore and transaction pool.
pub fn new_components(config: &Configuration) -> Result<Components, sc_service::Error> {
	let telemetry = config
		.telemetry_endpoints
		.clone()
		.filter(|x| !x.is_empty())
		.map(|endpoints| -> Result<_, sc_telemetry::Error> {
			let worker = TelemetryWorker::new(16)?;
			let telemetry = worker.handle().new_telemetry(endpoints);
			Ok((worker, telemetry))
		})
		.transpose()?;

	let executor = sc_service::new_wasm_executor::<HostFunctions>(&config.executor);

	// Import proof recording lets `storage_proof_size` report real sizes, as on a collator.
	let (client, backend, keystore_container, task_manager) =
		sc_service::new_full_parts_record_import::<Block, aioracle_runtime::RuntimeApi, _>(
			config,
			telemetry.as_ref().map(|(_, telemetry)| telemetry.handle()),
			executor,
			true,
			Default::default(),
		)?;
	let client = Arc::new(client);

	let telemetry = telemetry.map(|(worker, telemetry)| {
		task_manager.spawn_handle().spawn("telemetry", None, worker.run());
		telemetry
	});

	let transaction_pool = Arc::from(
		sc_transaction_pool::Builder::new(
			quiet_shutdown::QuietOnShutdown::new(
				task_manager.spawn_handle(),
				task_manager.spawn_essential_handle(),
			),
			client.clone(),
			config.role.is_authority().into(),
		)
		.with_options(config.transaction_pool.clone())
		.with_prometheus(config.prometheus_registry())
		.build(),
	);

	Ok(Components {
		client,
		backend,
		task_manager,
		keystore_container,
		transaction_pool,
		telemetry,
	})
}

/// The import queue of `check-block` and `import-blocks`: verifying Aura seals for a
/// parachain's blocks in a node with the collator service, manual seal's otherwise.
pub fn import_queue(
	components: &Components,
	config: &Configuration,
) -> sc_consensus::DefaultImportQueue<Block> {
	#[cfg(feature = "collator")]
	if config.chain_spec.chain_type() != sc_chain_spec::ChainType::Development {
		return collator::import_queue(components, config).0;
	}
	dev::import_queue(components, config)
}

/// Prepares the offchain DB at start: a new boot id for the oracle's worker
/// ([`boot_id`]), and the genesis sample model's ONNX bytes, which genesis cannot index
/// (without them no node could serve model 0 of the built-in chains).
pub fn prepare_offchain_db(components: &Components) {
	boot_id::stamp(components);
	if let Some(mut storage) = components.backend.offchain_storage() {
		crate::onnx::seed_model_bytes(
			&mut storage,
			aioracle_runtime::genesis_config_presets::SAMPLE_MODEL_ONNX,
		);
	}
}

/// The builder of the node's RPC extensions ([`crate::rpc`]), for `spawn_tasks`.
pub fn rpc_builder(
	components: &Components,
) -> Box<
	dyn Fn(sc_rpc::SubscriptionTaskExecutor) -> Result<jsonrpsee::RpcModule<()>, sc_service::Error>,
> {
	let client = components.client.clone();
	let pool = components.transaction_pool.clone();
	Box::new(move |_| {
		crate::rpc::create_full(client.clone(), pool.clone())
			.map_err(sc_service::Error::Application)
	})
}

/// Starts the off-chain workers: after each imported best block they run the runtime's
/// `offchain_worker` with the keystore, the offchain database, HTTP and the transaction
/// pool. Every node mode calls this, so OCWs behave the same on dev nodes and collators.
/// Their ONNX engine loads and scores within `engine_config`'s limits (`--onnx-max-*`) and
/// fetches model bytes the offchain DB lacks with its fetcher (`--ipfs-gateway`).
pub fn spawn_offchain_workers(
	config: &Configuration,
	components: &Components,
	network: Arc<dyn sc_network::service::traits::NetworkService>,
	engine_config: crate::onnx::EngineConfig,
) -> Result<(), sc_service::Error> {
	if !config.offchain_worker.enabled {
		log::info!("Off-chain workers are disabled (--offchain-worker never)");
		return Ok(());
	}
	let metrics = config
		.prometheus_registry()
		.map(crate::metrics::OracleMetrics::register)
		.transpose()?
		.map(Arc::new);
	let mut engine = crate::onnx::EngineScorer::new(
		crate::onnx::PLAN_CACHE_CAPACITY,
		engine_config.limits,
		metrics.clone(),
	)
	.with_fetcher(engine_config.fetcher);
	if let Some(storage) = components.backend.offchain_storage() {
		engine = engine.with_offchain_db(storage);
	}
	let scorer: Arc<dyn aioracle_primitives::onnx::Scorer> = Arc::new(engine);
	let offchain_workers = sc_offchain::OffchainWorkers::new(sc_offchain::OffchainWorkerOptions {
		runtime_api_provider: components.client.clone(),
		keystore: Some(components.keystore_container.keystore()),
		offchain_db: components.backend.offchain_storage(),
		transaction_pool: Some(OffchainTransactionPoolFactory::new(
			components.transaction_pool.clone(),
		)),
		network_provider: Arc::new(network),
		is_validator: config.role.is_authority(),
		enable_http_requests: true,
		// The ONNX engine, for off-chain workers only: during block import the `onnx` host
		// functions find no extension and return `Unavailable`.
		// One engine shared by every run, so cached plans survive between blocks.
		// The worker's metrics likewise, when Prometheus is on.
		custom_extensions: move |_| {
			let mut extensions: Vec<Box<dyn sp_externalities::Extension>> =
				vec![Box::new(aioracle_primitives::onnx::OnnxExt::new(scorer.clone()))];
			if let Some(metrics) = &metrics {
				let sink: Arc<dyn aioracle_primitives::metrics::WorkerEventSink> = metrics.clone();
				extensions.push(Box::new(aioracle_primitives::metrics::OracleMetricsExt::new(sink)));
			}
			extensions
		},
	})?;
	components.task_manager.spawn_handle().spawn(
		"offchain-workers-runner",
		"offchain-work",
		offchain_workers
			.run(components.client.clone(), components.task_manager.spawn_handle())
			.boxed(),
	);
	Ok(())
}
