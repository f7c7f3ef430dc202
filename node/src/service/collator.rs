//! The collator service: aioracle as a Cumulus parachain node of a real relay chain.
//!
//! The node follows the relay chain (in-process, or a relay node's RPC with
//! `--relay-chain-rpc-url`) for the parachain's best and finalized blocks, imports the
//! blocks its peers author after verifying their Aura seals, and with `--collator`
//! authors blocks itself with Cumulus' lookahead Aura collator (asynchronous backing: one
//! block per 6 s slot, building up to three ahead of inclusion, as the runtime's
//! `ConsensusHook` allows) and hands the collations to the relay chain's validators.
//!
//! The executor, client, transaction pool, off-chain workers (ONNX engine and metrics)
//! and RPC are those of every mode ([`super`]). Unlike the dev service this one follows
//! the command line for `--offchain-worker` and `--enable-offchain-indexing`.

use std::{sync::Arc, time::Duration};

use aioracle_primitives::{Hash, OpaqueBlock as Block};
use codec::Encode;
use cumulus_client_bootnodes::{start_bootnode_tasks, StartBootnodeTasksParams};
use cumulus_client_cli::CollatorOptions;
use cumulus_client_collator::service::CollatorService;
use cumulus_client_consensus_aura::{collators::lookahead, equivocation_import_queue};
use cumulus_client_service::{
	build_network, build_relay_chain_interface, prepare_node_config, start_relay_chain_tasks,
	BuildNetworkParams, DARecoveryProfile, ParachainTracingExecuteBlock,
	StartRelayChainTasksParams,
};
use cumulus_primitives_core::{relay_chain::ValidationCode, GetParachainInfo, ParaId};
use cumulus_relay_chain_interface::RelayChainInterface;
use sc_consensus::ImportQueue as _;
use sc_network::{
	config::FullNetworkConfiguration, service::traits::NetworkBackend, NetworkBlock,
	NetworkStateInfo,
};
use sc_service::{Configuration, TaskManager};
use sc_tracing::tracing::Instrument;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_consensus_aura::sr25519::AuthorityPair as AuraPair;

use super::{
	new_components, rpc_builder, prepare_offchain_db, spawn_offchain_workers, Components,
	FullBackend, FullClient,
};

/// The log target of the collator service.
const LOG_TARGET: &str = "collator";

/// The relay chain's slot: 6 s on every Polkadot relay chain.
const RELAY_CHAIN_SLOT_DURATION: Duration = Duration::from_secs(6);

/// How long the collator may spend building one block. The relay chain's validators
/// allow 2 s of execution per parachain block; a block built in longer would not validate.
const AUTHORING_DURATION: Duration = Duration::from_millis(2000);

/// Block import for a parachain: it leaves the best block to the relay chain (the
/// parachain's best block is what the relay chain has backed) and prunes stale leaves.
type ParachainBlockImport =
	cumulus_client_consensus_common::ParachainBlockImport<Block, Arc<FullClient>, FullBackend>;

/// Builds the import queue, which verifies each block's Aura seal (and reports
/// equivocations), and the block import both it and the collator import through.
pub fn import_queue(
	components: &Components,
	config: &Configuration,
) -> (sc_consensus::DefaultImportQueue<Block>, ParachainBlockImport) {
	let block_import =
		ParachainBlockImport::new(components.client.clone(), components.backend.clone());
	let queue = equivocation_import_queue::fully_verifying_import_queue::<AuraPair, _, _, _, _>(
		components.client.clone(),
		block_import.clone(),
		// Checking inherents needs only the timestamp: the slot comes from the block's
		// Aura digest and the relay-chain data from its own inherent.
		move |_, ()| async move { Ok(sp_timestamp::InherentDataProvider::from_system_time()) },
		&components.task_manager.spawn_essential_handle(),
		config.prometheus_registry(),
		components.telemetry.as_ref().map(|t| t.handle()),
	);
	(queue, block_import)
}

/// Starts the parachain node (a collator with `--collator`) with the network backend
/// chosen by `--network-backend`, following the relay chain configured by
/// `relay_chain_config` in the way `collator_options` says. `max_pov_percentage` is
/// `--experimental-max-pov-percentage`.
pub async fn start(
	config: Configuration,
	relay_chain_config: Configuration,
	collator_options: CollatorOptions,
	max_pov_percentage: Option<u32>,
	engine_config: crate::onnx::EngineConfig,
) -> Result<TaskManager, sc_service::Error> {
	// Logs of the parachain's tasks get a `[Parachain]` prefix, those of an in-process
	// relay chain `[Relaychain]`: one process, two chains, one log.
	let span =
		sc_tracing::tracing::info_span!(sc_tracing::logging::PREFIX_LOG_SPAN, name = "Parachain");
	match config.network.network_backend {
		sc_network::config::NetworkBackendType::Libp2p => {
			start_with::<sc_network::NetworkWorker<Block, Hash>>(
				config,
				relay_chain_config,
				collator_options,
				max_pov_percentage,
				engine_config,
			)
			.instrument(span)
			.await
		}
		sc_network::config::NetworkBackendType::Litep2p => {
			start_with::<sc_network::Litep2pNetworkBackend>(
				config,
				relay_chain_config,
				collator_options,
				max_pov_percentage,
				engine_config,
			)
			.instrument(span)
			.await
		}
	}
}

async fn start_with<N: NetworkBackend<Block, Hash>>(
	config: Configuration,
	relay_chain_config: Configuration,
	collator_options: CollatorOptions,
	max_pov_percentage: Option<u32>,
	engine_config: crate::onnx::EngineConfig,
) -> Result<TaskManager, sc_service::Error> {
	// Cumulus announces blocks itself, once the relay chain has seen them.
	let config = prepare_node_config(config);
	let mut components = new_components(&config)?;
	prepare_offchain_db(&components);
	let (import_queue, block_import) = import_queue(&components, &config);
	let client = components.client.clone();
	let para_id: ParaId = client
		.runtime_api()
		.parachain_id(client.info().best_hash)
		.map_err(|e| sc_service::Error::Other(format!("reading the parachain id: {e}")))?;
	let collating = config.role.is_authority();
	log::info!(
		target: LOG_TARGET,
		"Parachain {para_id}, {}; off-chain workers {}, offchain indexing {}",
		if collating { "collating" } else { "not collating (no --collator)" },
		if config.offchain_worker.enabled { "on" } else { "off" },
		if config.offchain_worker.indexing_enabled { "on" } else { "off" },
	);

	let relay_chain_fork_id = relay_chain_config.chain_spec.fork_id().map(ToString::to_string);
	let (relay_chain_interface, collator_key, relay_chain_network, paranode_requests) =
		build_relay_chain_interface(
			relay_chain_config,
			&config,
			None,
			&mut components.task_manager,
			collator_options.clone(),
			None,
		)
		.await
		.map_err(|e| sc_service::Error::Application(Box::new(e)))?;

	let prometheus_registry = config.prometheus_registry().cloned();
	let net_config = FullNetworkConfiguration::<Block, Hash, N>::new(
		&config.network,
		prometheus_registry.clone(),
	);
	let metrics = N::register_notification_metrics(config.prometheus_registry());
	let import_queue_service = import_queue.service();
	let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap) =
		build_network(BuildNetworkParams {
			parachain_config: &config,
			net_config,
			client: client.clone(),
			transaction_pool: components.transaction_pool.clone(),
			para_id,
			spawn_handle: components.task_manager.spawn_handle(),
			spawn_essential_handle: components.task_manager.spawn_essential_handle(),
			relay_chain_interface: relay_chain_interface.clone(),
			import_queue,
			metrics,
			gap_sync_body_policy: None,
		})
		.await?;

	spawn_offchain_workers(&config, &components, network.clone(), engine_config)?;
	let rpc_builder = rpc_builder(&components);

	// What the bootnode tasks need from the configuration, which `spawn_tasks` takes.
	let parachain_fork_id = config.chain_spec.fork_id().map(ToString::to_string);
	let advertise_non_global_ips = config.network.allow_non_globals_in_dht;
	let parachain_public_addresses = config.network.public_addresses.clone();

	let Components {
		backend,
		mut task_manager,
		keystore_container,
		transaction_pool,
		mut telemetry,
		..
	} = components;
	sc_service::spawn_tasks(sc_service::SpawnTasksParams {
		network: network.clone(),
		client: client.clone(),
		keystore: keystore_container.keystore(),
		task_manager: &mut task_manager,
		transaction_pool: transaction_pool.clone(),
		rpc_builder,
		backend: backend.clone(),
		system_rpc_tx,
		tx_handler_controller,
		sync_service: sync_service.clone(),
		config,
		telemetry: telemetry.as_mut(),
		// Re-executing a block for tracing needs the proof-size extension, as on import.
		tracing_execute_block: Some(Arc::new(ParachainTracingExecuteBlock::new(client.clone()))),
	})?;

	let announce_block: Arc<dyn Fn(Hash, Option<Vec<u8>>) + Send + Sync> = {
		let sync_service = sync_service.clone();
		Arc::new(move |hash, data| sync_service.announce_block(hash, data))
	};
	let overseer_handle = relay_chain_interface
		.overseer_handle()
		.map_err(|e| sc_service::Error::Application(Box::new(e)))?;

	// Follow the relay chain: the parachain's best block is the one it has backed, its
	// finalized block the one it has finalized; recover blocks whose author withheld them.
	start_relay_chain_tasks(StartRelayChainTasksParams {
		client: client.clone(),
		announce_block: announce_block.clone(),
		para_id,
		relay_chain_interface: relay_chain_interface.clone(),
		task_manager: &mut task_manager,
		da_recovery_profile: if collating {
			DARecoveryProfile::Collator
		} else {
			DARecoveryProfile::FullNode
		},
		import_queue: import_queue_service,
		relay_chain_slot_duration: RELAY_CHAIN_SLOT_DURATION,
		recovery_handle: Box::new(overseer_handle.clone()),
		sync_service: sync_service.clone(),
		prometheus_registry: prometheus_registry.as_ref(),
	})?;

	// Advertise this node on the relay chain's DHT as a parachain bootnode, and find the
	// others there (`--no-dht-bootnode`, `--no-dht-bootnode-discovery` turn these off).
	start_bootnode_tasks(StartBootnodeTasksParams {
		embedded_dht_bootnode: collator_options.embedded_dht_bootnode,
		dht_bootnode_discovery: collator_options.dht_bootnode_discovery,
		para_id,
		task_manager: &mut task_manager,
		relay_chain_interface: relay_chain_interface.clone(),
		relay_chain_fork_id,
		relay_chain_network: relay_chain_network.clone(),
		request_receiver: paranode_requests,
		parachain_network: network,
		advertise_non_global_ips,
		parachain_genesis_hash: client.info().genesis_hash.encode(),
		parachain_fork_id,
		parachain_public_addresses,
	});

	if !collating {
		return Ok(task_manager);
	}
	let collator_key = collator_key.ok_or_else(|| {
		sc_service::Error::Other("the relay chain interface gave no collator key".into())
	})?;
	let proposer = sc_basic_authorship::ProposerFactory::new(
		task_manager.spawn_handle(),
		client.clone(),
		transaction_pool,
		prometheus_registry.as_ref(),
		telemetry.as_ref().map(|t| t.handle()),
	);
	let collator_service = CollatorService::new(client.clone(), announce_block, client.clone());
	let code_hash_provider = {
		let client = client.clone();
		move |block_hash| {
			client.code_at(block_hash).ok().map(|code| ValidationCode::from(code).hash())
		}
	};
	let params = lookahead::Params {
		// The collator provides the timestamp, slot and parachain inherents; the runtime
		// has no other.
		create_inherent_data_providers: move |_, ()| async move { Ok(()) },
		block_import,
		para_client: client,
		para_backend: backend,
		relay_client: relay_chain_interface,
		code_hash_provider,
		keystore: keystore_container.keystore(),
		collator_key,
		collator_peer_id: relay_chain_network.local_peer_id(),
		para_id,
		overseer_handle,
		relay_chain_slot_duration: RELAY_CHAIN_SLOT_DURATION,
		proposer,
		collator_service,
		authoring_duration: AUTHORING_DURATION,
		reinitialize: false,
		max_pov_percentage,
	};
	let collation = lookahead::run::<Block, AuraPair, _, _, _, _, _, _, _, _>(params);
	task_manager.spawn_essential_handle().spawn("aura", None, collation);
	Ok(task_manager)
}
