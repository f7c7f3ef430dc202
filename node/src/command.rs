//! Parses the command line and runs the node or a subcommand.

use std::time::Duration;

use sc_cli::SubstrateCli;

use crate::{
	cli::{Cli, Subcommand},
	service,
};

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"aioracle node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		"The node of aioracle, the parachain that makes machine learning auditable.\n\n\
		 Run `aioracle-node --dev` for a one-node development chain."
			.into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"https://github.com/aioracle/aioracle/issues".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		crate::chain_spec::load(id)
	}
}

/// Runs a subcommand that needs the client (and, with a third name, the import queue)
/// on the async runner.
macro_rules! with_components {
	($cli:ident, $cmd:ident, |$components:ident, $config:ident| $body:expr) => {{
		let runner = $cli.create_runner($cmd)?;
		runner.async_run(|$config| {
			let $components = service::new_components(&$config)?;
			let task_manager = $components.task_manager;
			$body.map(|v| (v, task_manager))
		})
	}};
	($cli:ident, $cmd:ident, |$components:ident, $config:ident, $queue:ident| $body:expr) => {{
		let runner = $cli.create_runner($cmd)?;
		runner.async_run(|$config| {
			let $components = service::new_components(&$config)?;
			let $queue = service::dev::import_queue(&$components, &$config);
			let task_manager = $components.task_manager;
			$body.map(|v| (v, task_manager))
		})
	}};
}

/// Parses the command line and runs what it asks for.
pub fn run() -> sc_cli::Result<()> {
	let cli = Cli::from_args();

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		Some(Subcommand::ExportChainSpec(cmd)) => {
			let spec = cli.load_spec(&cmd.chain)?;
			cmd.run(spec)
		}
		Some(Subcommand::CheckBlock(cmd)) => {
			with_components!(cli, cmd, |components, config, import_queue| {
				Ok::<_, sc_cli::Error>(cmd.run(components.client, import_queue))
			})
		}
		Some(Subcommand::ExportBlocks(cmd)) => with_components!(cli, cmd, |components, config| {
			Ok::<_, sc_cli::Error>(cmd.run(components.client, config.database))
		}),
		Some(Subcommand::ExportState(cmd)) => with_components!(cli, cmd, |components, config| {
			Ok::<_, sc_cli::Error>(cmd.run(components.client, config.chain_spec))
		}),
		Some(Subcommand::ImportBlocks(cmd)) => {
			with_components!(cli, cmd, |components, config, import_queue| {
				Ok::<_, sc_cli::Error>(cmd.run(components.client, import_queue))
			})
		}
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		}
		Some(Subcommand::Revert(cmd)) => with_components!(cli, cmd, |components, config| {
			Ok::<_, sc_cli::Error>(cmd.run(components.client, components.backend, None))
		}),
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<aioracle_primitives::OpaqueBlock>(&config))
		}
		Some(Subcommand::Dataset(cmd)) => cmd.run(),
		Some(Subcommand::Model(cmd)) => cmd.run(),
		#[cfg(feature = "runtime-benchmarks")]
		Some(Subcommand::Benchmark(cmd)) => {
			use frame_benchmarking_cli::BenchmarkCmd;
			let runner = cli.create_runner(cmd)?;
			match cmd {
				BenchmarkCmd::Pallet(cmd) => runner.sync_run(|config| {
					cmd.run_with_spec::<sp_runtime::traits::HashingFor<aioracle_primitives::OpaqueBlock>, service::HostFunctions>(
						Some(config.chain_spec),
					)
				}),
				_ => Err(sc_cli::Error::Input(
					"only `benchmark pallet` is available in aioracle-node".into(),
				)),
			}
		}
		None => {
			let runner = cli.create_runner(&cli.run)?;
			let block_time = Duration::from_millis(cli.dev.dev_block_time);
			runner.run_node_until_exit(|config| async move {
				if config.chain_spec.chain_type() != sc_chain_spec::ChainType::Development {
					return Err(sc_cli::Error::Input(format!(
						"chain `{}` is a {:?} chain, which needs a relay chain: this build of \
						 aioracle-node runs development chains only (`--dev` or `--chain dev`); \
						 the collator service is not part of it yet",
						config.chain_spec.id(),
						config.chain_spec.chain_type(),
					)));
				}
				service::dev::start(config, block_time).map_err(Into::into)
			})
		}
	}
}
