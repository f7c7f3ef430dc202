//! Weights of the polkadot-sdk pallets whose cost depends on this runtime's bounds
//! (OpenGov's), benchmarked in this runtime by `./scripts/bench-weights.sh PALLET` with a
//! release build (see each file's header).

pub mod pallet_conviction_voting;
pub mod pallet_preimage;
pub mod pallet_referenda;
pub mod pallet_scheduler;
pub mod pallet_whitelist;
