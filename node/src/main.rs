//! `aioracle-node`: the node of the aioracle parachain.
//!
//! It runs the chain alone in dev mode (`--dev`: manual seal, mocked relay chain) and,
//! built with `--features collator`, as a Cumulus collator or full node of a real relay
//! chain; both services are in [`service`].
#![warn(missing_docs)]

mod chain_spec;
mod cli;
mod command;
mod dataset_hash;
mod exact_cli;
mod metrics;
mod model_cli;
mod model_fetch;
mod onnx;
#[cfg(feature = "collator")]
mod relay_chain_cli;
mod rpc;
mod service;

/// The system allocator, with the ONNX engine's worker threads held to the engine's
/// memory budget (`--onnx-max-model-mib`): a hostile model's allocation bomb stops its
/// worker instead of the node.
#[global_allocator]
static ALLOCATOR: aioracle_inference::GuardedAllocator = aioracle_inference::GuardedAllocator;

fn main() -> sc_cli::Result<()> {
	command::run()
}
