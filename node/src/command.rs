//! Parses the command line and runs the node or a subcommand.

#[cfg(feature = "collator")]
mod collator;

use std::time::Duration;

use sc_cli::{CliConfiguration, DefaultConfigurationValues, SubstrateCli};
use sc_service::Configuration;

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
		 Run `aioracle-node --dev` for a one-node development chain. Built with \
		 `--features collator`, it collates for a relay chain: `aioracle-node --chain local \
		 --collator -- --chain relay-spec.json` (the relay chain's arguments after `--`)."
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

/// Creates the runner of `cmd`: its configuration, the logger and the tokio runtime.
fn create_runner<T: CliConfiguration>(cli: &Cli, cmd: &T) -> sc_cli::Result<sc_cli::Runner<Cli>> {
	let mut runner = cli.create_runner(cmd)?;
	default_to_paritydb(cmd, runner.config_mut())?;
	Ok(runner)
}

/// Uses ParityDB unless `--database` says otherwise.
///
/// sc-cli defaults to RocksDB when its `rocksdb` feature is on, and the Cumulus and
/// Polkadot crates of the `collator` feature turn it on for the whole binary. This keeps
/// one default in every build, so a node built with the feature opens the database a
/// node built without it made.
pub(crate) fn default_to_paritydb<T, D>(cmd: &T, config: &mut Configuration) -> sc_cli::Result<()>
where
	T: CliConfiguration<D>,
	D: DefaultConfigurationValues,
{
	if cmd.database()?.is_none() {
		// Where sc-cli puts ParityDB: `<base>/chains/<chain id>/paritydb/full`.
		let path =
			config.base_path.config_dir(config.chain_spec.id()).join("paritydb").join("full");
		config.database = sc_service::config::DatabaseSource::ParityDb { path };
	}
	Ok(())
}

/// Runs a subcommand that needs the client (and, with a third name, the import queue)
/// on the async runner.
macro_rules! with_components {
	($cli:ident, $cmd:ident, |$components:ident, $config:ident| $body:expr) => {{
		let runner = create_runner(&$cli, $cmd)?;
		runner.async_run(|$config| {
			let $components = service::new_components(&$config)?;
			let task_manager = $components.task_manager;
			$body.map(|v| (v, task_manager))
		})
	}};
	($cli:ident, $cmd:ident, |$components:ident, $config:ident, $queue:ident| $body:expr) => {{
		let runner = create_runner(&$cli, $cmd)?;
		runner.async_run(|$config| {
			let $components = service::new_components(&$config)?;
			let $queue = service::import_queue(&$components, &$config);
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
		Some(Subcommand::BuildSpec(cmd)) => {
			let runner = create_runner(&cli, cmd)?;
			runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
		}
		Some(Subcommand::ExportGenesisHead(cmd)) => {
			let runner = create_runner(&cli, cmd)?;
			runner.sync_run(|config| {
				let components = service::new_components(&config)?;
				cmd.run(components.client)
			})
		}
		Some(Subcommand::ExportGenesisWasm(cmd)) => {
			let runner = create_runner(&cli, cmd)?;
			runner.sync_run(|config| cmd.run(&*config.chain_spec))
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
			let runner = create_runner(&cli, cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		}
		Some(Subcommand::Revert(cmd)) => with_components!(cli, cmd, |components, config| {
			Ok::<_, sc_cli::Error>(cmd.run(components.client, components.backend, None))
		}),
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = create_runner(&cli, cmd)?;
			runner.sync_run(|config| cmd.run::<aioracle_primitives::OpaqueBlock>(&config))
		}
		Some(Subcommand::Dataset(cmd)) => cmd.run(),
		Some(Subcommand::Model(cmd)) => cmd.run(),
		#[cfg(feature = "runtime-benchmarks")]
		Some(Subcommand::Benchmark(cmd)) => {
			use frame_benchmarking_cli::BenchmarkCmd;
			let runner = create_runner(&cli, cmd)?;
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
			let cmd = cli.run.normalize();
			// The chain's type picks the service; read it before the configuration is made,
			// whose checks (a collator's network key, ...) are the parachain node's.
			let spec = cli.load_spec(&cmd.chain_id(cmd.is_dev()?)?)?;
			if spec.chain_type() != sc_chain_spec::ChainType::Development {
				return run_parachain_node(&cli, &cmd, &*spec);
			}
			let runner = create_runner(&cli, &cmd)?;
			if !cli.relay_chain_args.is_empty() {
				log::warn!(
					"The arguments after `--` are for a relay chain: the dev node ignores them"
				);
			}
			let block_time = Duration::from_millis(cli.dev.dev_block_time);
			let engine_config = cli.engine.config();
			let indexing = !cli.dev.dev_without_offchain_indexing;
			runner.run_node_until_exit(|config| async move {
				service::dev::start(config, block_time, indexing, engine_config).map_err(Into::into)
			})
		}
	}
}

/// Runs a node of a parachain on a relay chain (a collator with `--collator`).
#[cfg(feature = "collator")]
fn run_parachain_node(
	cli: &Cli,
	cmd: &cumulus_client_cli::NormalizedRunCmd,
	_spec: &dyn sc_service::ChainSpec,
) -> sc_cli::Result<()> {
	collator::run(cli, create_runner(cli, cmd)?)
}

/// Without the collator service only development chains run: say how to get it.
#[cfg(not(feature = "collator"))]
fn run_parachain_node(
	_cli: &Cli,
	_cmd: &cumulus_client_cli::NormalizedRunCmd,
	spec: &dyn sc_service::ChainSpec,
) -> sc_cli::Result<()> {
	Err(sc_cli::Error::Input(format!(
		"chain `{}` is a {:?} chain, which needs a relay chain, and this aioracle-node was built \
		 without the collator service: it runs development chains only (`--dev` or `--chain \
		 dev`). Build it with `cargo build --release -p aioracle-node --features collator` to \
		 run `{}` as a collator or full node.",
		spec.id(),
		spec.chain_type(),
		spec.id(),
	)))
}
