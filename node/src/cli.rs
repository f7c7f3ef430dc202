//! The command line: the standard Substrate and Cumulus subcommands, the dev-mode options,
//! and the relay chain's arguments after `--` (for the collator service).

/// Subcommands of `aioracle-node`.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect and insert keys into the keystore.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export the chain specification as JSON (`--raw` for raw storage).
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Build a chain specification: the older form of `export-chain-spec`, kept because
	/// tools such as zombienet call `build-spec --chain X --disable-default-bootnode`.
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export the parachain's genesis head data, which registering it on a relay chain
	/// needs.
	#[command(alias = "export-genesis-state")]
	ExportGenesisHead(cumulus_client_cli::ExportGenesisHeadCommand),

	/// Export the parachain's genesis runtime code, which registering it on a relay chain
	/// needs.
	ExportGenesisWasm(cumulus_client_cli::ExportGenesisWasmCommand),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Print information about the chain database.
	ChainInfo(sc_cli::ChainInfoCmd),

	/// Dataset tools: `dataset hash PATH` prints what `register_dataset` expects.
	#[command(subcommand)]
	Dataset(crate::dataset_hash::DatasetCmd),

	/// Model tools: `model inspect FILE.onnx`, `model score FILE.onnx ...` (the engine the
	/// off-chain workers use).
	#[command(subcommand)]
	Model(crate::model_cli::ModelCmd),

	/// Benchmark the runtime's pallets (`benchmark pallet`); needs a node built with
	/// `--features runtime-benchmarks` (see scripts/bench-weights.sh).
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),
}

/// Options of the dev service (`--dev`).
#[derive(Debug, Clone, clap::Args)]
pub struct DevOptions {
	/// Milliseconds between two blocks sealed by the dev node.
	#[arg(long, value_name = "MILLISECONDS", default_value_t = 3000, value_parser = clap::value_parser!(u64).range(100..))]
	pub dev_block_time: u64,
}

/// `aioracle-node`: the node of the aioracle parachain.
#[derive(Debug, clap::Parser)]
#[command(
	propagate_version = true,
	args_conflicts_with_subcommands = true,
	subcommand_negates_reqs = true
)]
pub struct Cli {
	/// A subcommand; without one the node runs.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// The node's options: Substrate's, plus Cumulus' `--collator` and
	/// `--relay-chain-rpc-url`.
	#[command(flatten)]
	pub run: cumulus_client_cli::RunCmd,

	#[allow(missing_docs)]
	#[command(flatten)]
	pub dev: DevOptions,

	/// The relay chain node's arguments, after `--`: `aioracle-node --collator ... --
	/// --chain rococo-local.json`. Used by the collator service only.
	#[arg(raw = true)]
	pub relay_chain_args: Vec<String>,
}
