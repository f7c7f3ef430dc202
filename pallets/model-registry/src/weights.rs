//! Placeholder until `scripts/bench-weights.sh pallet_model_registry` generates this file.
#![allow(unused_parens, unused_imports, missing_docs)]
use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_model_registry`.
pub trait WeightInfo {
	fn create_model() -> Weight;
	fn propose_version(b: u32, d: u32) -> Weight;
	fn withdraw_version() -> Weight;
	fn approve_version(d: u32) -> Weight;
	fn activate_version(d: u32) -> Weight;
	fn reject_version() -> Weight;
	fn deprecate_version() -> Weight;
	fn rollback(d: u32) -> Weight;
}

pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn create_model() -> Weight {
		Weight::zero()
	}
	fn propose_version(_b: u32, _d: u32) -> Weight {
		Weight::zero()
	}
	fn withdraw_version() -> Weight {
		Weight::zero()
	}
	fn approve_version(_d: u32) -> Weight {
		Weight::zero()
	}
	fn activate_version(_d: u32) -> Weight {
		Weight::zero()
	}
	fn reject_version() -> Weight {
		Weight::zero()
	}
	fn deprecate_version() -> Weight {
		Weight::zero()
	}
	fn rollback(_d: u32) -> Weight {
		Weight::zero()
	}
}

impl WeightInfo for () {
	fn create_model() -> Weight {
		Weight::zero()
	}
	fn propose_version(_b: u32, _d: u32) -> Weight {
		Weight::zero()
	}
	fn withdraw_version() -> Weight {
		Weight::zero()
	}
	fn approve_version(_d: u32) -> Weight {
		Weight::zero()
	}
	fn activate_version(_d: u32) -> Weight {
		Weight::zero()
	}
	fn reject_version() -> Weight {
		Weight::zero()
	}
	fn deprecate_version() -> Weight {
		Weight::zero()
	}
	fn rollback(_d: u32) -> Weight {
		Weight::zero()
	}
}
