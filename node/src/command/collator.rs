//! Runs the parachain node on a relay chain, riding out a relay chain RPC node that is
//! not there yet or goes away.
//!
//! With `--relay-chain-rpc-url` the node depends on another process. Before starting it
//! waits until one of the URLs answers ([`relay_rpc`]). Once running, Cumulus' RPC client
//! survives short outages (it retries for about 15 s) but then stops the node; this
//! restarts it (and so waits again) instead of exiting. An in-process relay chain has no
//! such dependency, and any other failure ends the process as before.

use std::{
	sync::atomic::{AtomicBool, Ordering},
	time::Duration,
};

use cumulus_client_cli::RelayChainMode;
use sc_cli::{CliConfiguration, Runner};

use crate::{
	cli::Cli,
	relay_chain_cli::RelayChainCli,
	service::{
		self,
		relay_rpc::{self, Wait},
	},
};

/// The log target of the collator's supervision.
const LOG_TARGET: &str = "collator";

/// The pause before restarting a node that stopped, so a node that keeps failing against
/// a reachable relay chain does not spin.
const RESTART_PAUSE: Duration = Duration::from_secs(5);

/// Runs the node until SIGINT/SIGTERM or a failure it cannot ride out.
pub fn run(cli: &Cli, mut runner: Runner<Cli>) -> sc_cli::Result<()> {
	let collator_options = cli.run.collator_options();
	let rpc_urls = match &collator_options.relay_chain_mode {
		RelayChainMode::ExternalRpc(urls) => Some(urls.clone()),
		RelayChainMode::Embedded => None,
	};
	let mut pause = Duration::ZERO;
	loop {
		// Bad relay chain arguments fail now, not after waiting for the relay chain.
		let relay_chain_config = RelayChainCli::new(runner.config(), cli.relay_chain_args.iter())
			.configuration(runner.config())?;
		if let Some(urls) = &rpc_urls {
			let tokio = runner.config().tokio_handle.clone();
			if tokio.block_on(relay_rpc::wait_until_reachable(urls, pause)) == Wait::Interrupted {
				return Ok(());
			}
		}
		let started = AtomicBool::new(false);
		let result = runner.run_node_until_exit(|config| {
			let started = &started;
			let collator_options = collator_options.clone();
			async move {
				let task_manager = service::collator::start(
					config,
					relay_chain_config,
					collator_options,
					cli.run.experimental_max_pov_percentage,
					cli.engine.config(),
				)
				.await?;
				started.store(true, Ordering::Relaxed);
				Ok::<_, sc_cli::Error>(task_manager)
			}
		});
		// Only a node that was running and relies on a relay node's RPC is restarted: a
		// node that failed to start has a problem a restart will not fix.
		match result {
			Err(e) if rpc_urls.is_some() && started.load(Ordering::Relaxed) => {
				log::warn!(
					target: LOG_TARGET,
					"The node stopped ({e}); it follows the relay chain through RPC, whose \
					 loss stops it: restarting once the relay chain RPC answers",
				);
				pause = RESTART_PAUSE;
			}
			other => return other,
		}
		runner = new_runner(cli)?;
	}
}

/// A runner as `create_runner` makes it, without setting the logger up again (it can be
/// set only once per process).
fn new_runner(cli: &Cli) -> sc_cli::Result<Runner<Cli>> {
	let tokio_runtime = sc_cli::build_runtime()?;
	let signals = tokio_runtime.block_on(async { sc_cli::Signals::capture() })?;
	let cmd = cli.run.normalize();
	let mut config = cmd.create_configuration(cli, tokio_runtime.handle().clone())?;
	super::default_to_paritydb(&cmd, &mut config)?;
	Runner::new(config, tokio_runtime, signals)
}
