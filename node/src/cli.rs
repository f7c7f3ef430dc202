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
	/// off-chain workers use; `--exact` the exact tier's interpreter), `model compile
	/// FILE.onnx ...` (an exact program).
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

	/// Run the dev node without offchain indexing, as a node that synced from a snapshot:
	/// model bytes proposed on-chain are not kept, and operators fetch them from the
	/// version's URI (what the end-to-end tests of URI fetching run).
	#[arg(long)]
	pub dev_without_offchain_indexing: bool,
}

/// Limits of the ONNX engine the off-chain workers score with (see
/// `aioracle_inference::EngineLimits`): a model whose load or scoring goes over one fails
/// with `Engine(ResourceLimit)` and is not tried again until the node restarts.
#[derive(Debug, Clone, clap::Args)]
pub struct EngineOptions {
	/// Milliseconds a model's load (parse, type-check, optimise) may take.
	#[arg(
		long,
		value_name = "MILLISECONDS",
		default_value_t = aioracle_inference::DEFAULT_MAX_LOAD.as_millis() as u64,
		value_parser = clap::value_parser!(u64).range(1..)
	)]
	pub onnx_max_load_ms: u64,

	/// Milliseconds one scoring may take (the first one at a new input shape includes
	/// optimising a plan for it).
	#[arg(
		long,
		value_name = "MILLISECONDS",
		default_value_t = aioracle_inference::DEFAULT_MAX_SCORE.as_millis() as u64,
		value_parser = clap::value_parser!(u64).range(1..)
	)]
	pub onnx_max_score_ms: u64,

	/// MiB one load or one scoring may allocate; also the most a model's bytes and its
	/// declared initializers may take.
	#[arg(
		long,
		value_name = "MIB",
		default_value_t = aioracle_inference::DEFAULT_MAX_MODEL_MEMORY_BYTES >> 20,
		value_parser = clap::value_parser!(u64).range(1..=(1 << 24))
	)]
	pub onnx_max_model_mib: u64,

	/// Where `ipfs://CID[/PATH]` model URIs are fetched from, by a node whose offchain DB
	/// lacks a version's bytes: this URL followed by `CID[/PATH]`. The bytes must hash to
	/// the version's model hash, whatever the gateway.
	#[arg(long, value_name = "URL", default_value = crate::model_fetch::DEFAULT_IPFS_GATEWAY)]
	pub ipfs_gateway: String,
}

impl EngineOptions {
	/// The engine's limits and how it fetches model bytes.
	pub fn config(&self) -> crate::onnx::EngineConfig {
		crate::onnx::EngineConfig {
			limits: self.limits(),
			fetcher: crate::model_fetch::ModelFetcher::new(&self.ipfs_gateway),
		}
	}

	/// The engine's limits.
	pub fn limits(&self) -> aioracle_inference::EngineLimits {
		aioracle_inference::EngineLimits {
			max_load: std::time::Duration::from_millis(self.onnx_max_load_ms),
			max_score: std::time::Duration::from_millis(self.onnx_max_score_ms),
			max_model_memory_bytes: self.onnx_max_model_mib << 20,
		}
	}
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

	#[allow(missing_docs)]
	#[command(flatten)]
	pub engine: EngineOptions,

	/// The relay chain node's arguments, after `--`: `aioracle-node --collator ... --
	/// --chain rococo-local.json`. Used by the collator service only.
	#[arg(raw = true)]
	pub relay_chain_args: Vec<String>,
}
