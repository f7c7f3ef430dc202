//! `aioracle-node`: the node of the aioracle parachain.
//!
//! Today it runs the chain alone in dev mode (`--dev`: manual seal, mocked relay chain);
//! the collator service for a real relay chain sits beside it in [`service`].
#![warn(missing_docs)]

mod chain_spec;
mod cli;
mod command;
mod dataset_hash;
mod metrics;
mod model_cli;
mod onnx;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
