//! The dev service (`aioracle-node --dev`): one node, no relay chain, a block sealed every
//! `--dev-block-time` milliseconds and finalized one block later.
//!
//! Blocks carry an Aura pre-digest for the slot of their timestamp (so the runtime's Aura
//! checks pass) and a mocked relay-chain inherent ([`super::relay_mock`]). Off-chain
//! workers are always on, offchain indexing too unless `--dev-without-offchain-indexing`,
//! the node takes no peers, and the dev key
//! seed (`//Alice` unless `--bob` etc.) fills the keystore with every session key (Aura
//! and the oracle's `orcl`); the `orcl` keys of Alice, Bob and Charlie, the development
//! preset's oracle operators, are added too. The sample model's bytes are put in the
//! offchain DB.

use std::{sync::Arc, time::Duration};

use aioracle_primitives::{Hash, OpaqueBlock as Block};
use cumulus_primitives_core::{GetParachainInfo, ParaId};
use futures::{
	channel::{mpsc, oneshot},
	SinkExt,
};
use sc_consensus_manual_seal::{
	consensus::aura::AuraConsensusDataProvider, EngineCommand, ManualSealParams,
};
use sc_network::{config::FullNetworkConfiguration, service::traits::NetworkBackend};
use sc_service::{Configuration, TaskManager};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;

use super::{
	new_components, relay_mock::MockRelayChain, rpc_builder, prepare_offchain_db,
	spawn_offchain_workers, Components,
};

/// Builds the import queue of the dev node: manual-seal blocks need no seal verification.
pub fn import_queue(
	components: &Components,
	config: &Configuration,
) -> sc_consensus::DefaultImportQueue<Block> {
	sc_consensus_manual_seal::import_queue(
		Box::new(components.client.clone()),
		&components.task_manager.spawn_essential_handle(),
		config.prometheus_registry(),
	)
}

/// Starts the dev node with the network backend chosen by `--network-backend`.
pub fn start(
	config: Configuration,
	block_time: Duration,
	offchain_indexing: bool,
	engine_config: crate::onnx::EngineConfig,
) -> Result<TaskManager, sc_service::Error> {
	match config.network.network_backend {
		sc_network::config::NetworkBackendType::Libp2p => start_with::<
			sc_network::NetworkWorker<Block, Hash>,
		>(config, block_time, offchain_indexing, engine_config),
		sc_network::config::NetworkBackendType::Litep2p => start_with::<
			sc_network::Litep2pNetworkBackend,
		>(config, block_time, offchain_indexing, engine_config),
	}
}

fn start_with<N: NetworkBackend<Block, Hash>>(
	mut config: Configuration,
	block_time: Duration,
	offchain_indexing: bool,
	engine_config: crate::onnx::EngineConfig,
) -> Result<TaskManager, sc_service::Error> {
	// The dev chain is a single node: OCWs and (unless `--dev-without-offchain-indexing`)
	// offchain indexing on, no peers.
	config.offchain_worker.enabled = true;
	config.offchain_worker.indexing_enabled = offchain_indexing;
	config.network.default_peers_set.in_peers = 0;
	config.network.default_peers_set.out_peers = 0;

	let components = new_components(&config)?;
	prepare_offchain_db(&components);
	insert_dev_operator_keys(&components)?;
	let import_queue = import_queue(&components, &config);
	let client = components.client.clone();

	let net_config = FullNetworkConfiguration::<Block, Hash, N>::new(
		&config.network,
		config.prometheus_registry().cloned(),
	);
	let metrics = N::register_notification_metrics(config.prometheus_registry());
	let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap) =
		sc_service::build_network(sc_service::BuildNetworkParams {
			config: &config,
			net_config,
			client: client.clone(),
			transaction_pool: components.transaction_pool.clone(),
			spawn_handle: components.task_manager.spawn_handle(),
			spawn_essential_handle: components.task_manager.spawn_essential_handle(),
			import_queue,
			block_announce_validator_builder: None,
			warp_sync_config: None,
			block_relay: None,
			metrics,
			gap_sync_body_policy: None,
		})?;

	spawn_offchain_workers(&config, &components, network.clone(), engine_config)?;
	spawn_block_authoring(&config, &components, block_time)?;

	let rpc_builder = rpc_builder(&components);

	let Components {
		backend,
		mut task_manager,
		keystore_container,
		transaction_pool,
		mut telemetry,
		..
	} = components;
	sc_service::spawn_tasks(sc_service::SpawnTasksParams {
		network,
		client,
		keystore: keystore_container.keystore(),
		task_manager: &mut task_manager,
		transaction_pool,
		rpc_builder,
		backend,
		system_rpc_tx,
		tx_handler_controller,
		sync_service,
		config,
		telemetry: telemetry.as_mut(),
		tracing_execute_block: None,
	})?;
	Ok(task_manager)
}

/// The dev accounts whose `orcl` keys the dev node holds: the development preset's oracle
/// operators, so that committees of three are answered with no manual step.
const DEV_OPERATORS: [&str; 3] = ["//Alice", "//Bob", "//Charlie"];

/// Puts the dev operators' `orcl` keys in the keystore (the dev key seed only adds its
/// own).
fn insert_dev_operator_keys(components: &Components) -> Result<(), sc_service::Error> {
	use sp_keystore::Keystore;
	let keystore = components.keystore_container.keystore();
	for seed in DEV_OPERATORS {
		keystore
			.sr25519_generate_new(sp_core::crypto::KeyTypeId(*b"orcl"), Some(seed))
			.map_err(|e| sc_service::Error::Other(format!("inserting the {seed} orcl key: {e}")))?;
	}
	Ok(())
}

/// Seals a block every `block_time` with manual seal, finalizing it at once.
fn spawn_block_authoring(
	config: &Configuration,
	components: &Components,
	block_time: Duration,
) -> Result<(), sc_service::Error> {
	let client = components.client.clone();
	let best = client.info().best_hash;
	let para_id: ParaId = client
		.runtime_api()
		.parachain_id(best)
		.map_err(|e| sc_service::Error::Other(format!("reading the parachain id: {e}")))?;
	let slot_duration = sc_consensus_aura::slot_duration(&*client)
		.map_err(|e| sc_service::Error::Other(format!("reading the Aura slot duration: {e}")))?;
	log::info!(
		"Dev mode: parachain {para_id}, a block every {} ms, relay chain mocked",
		block_time.as_millis()
	);

	let proposer = sc_basic_authorship::ProposerFactory::new(
		components.task_manager.spawn_handle(),
		client.clone(),
		components.transaction_pool.clone(),
		config.prometheus_registry(),
		components.telemetry.as_ref().map(|t| t.handle()),
	);

	// Each tick finalizes the block sealed on the previous tick, then seals a new one. The
	// one-block finality lag is deliberate: clients (and the transaction pool) see a
	// transaction `InBlock` first and `Finalized` a block later, as on a live chain.
	let (mut seal_sink, seal_stream) = mpsc::channel(16);
	components.task_manager.spawn_essential_handle().spawn("dev-block-timer", None, async move {
		let mut interval = tokio::time::interval(block_time);
		interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
		let mut unfinalized: Option<Hash> = None;
		loop {
			interval.tick().await;
			if let Some(hash) = unfinalized.take() {
				let finalize =
					EngineCommand::FinalizeBlock { hash, sender: None, justification: None };
				if seal_sink.send(finalize).await.is_err() {
					return;
				}
			}
			let (sender, created) = oneshot::channel();
			let seal = EngineCommand::SealNewBlock {
				create_empty: true,
				finalize: false,
				parent_hash: None,
				sender: Some(sender),
			};
			if seal_sink.send(seal).await.is_err() {
				// The sealing task has stopped: the node is shutting down.
				return;
			}
			match created.await {
				Ok(Ok(block)) => unfinalized = Some(block.hash),
				Ok(Err(e)) => log::warn!("Dev block not sealed: {e}"),
				Err(_) => return,
			}
		}
	});

	let relay = Arc::new(MockRelayChain::new(para_id));
	let inherent_client = client.clone();
	let create_inherent_data_providers = move |parent: Hash, ()| {
		let providers = relay
			.inherent_data_providers(&*inherent_client, parent)
			.map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { e.into() });
		futures::future::ready(providers)
	};

	let authorship = sc_consensus_manual_seal::run_manual_seal(ManualSealParams {
		block_import: client.clone(),
		env: proposer,
		client: client.clone(),
		pool: components.transaction_pool.clone(),
		select_chain: sc_consensus::LongestChain::new(components.backend.clone()),
		commands_stream: Box::pin(seal_stream),
		consensus_data_provider: Some(Box::new(AuraConsensusDataProvider::new_with_slot_duration(
			slot_duration,
		))),
		create_inherent_data_providers,
	});
	components.task_manager.spawn_essential_handle().spawn_blocking(
		"manual-seal",
		None,
		authorship,
	);
	Ok(())
}
