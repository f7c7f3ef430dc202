//! Placeholder until `scripts/bench-weights.sh pallet_inference_oracle` generates this file.
#![allow(unused_parens, unused_imports, missing_docs)]
use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_inference_oracle`.
pub trait WeightInfo {
	fn register_operator() -> Weight;
	fn unregister_operator() -> Weight;
	fn remove_operator() -> Weight;
	fn slash_operator() -> Weight;
	fn request_inference() -> Weight;
	fn submit_result() -> Weight;
	fn authorize_submit_result() -> Weight;
	fn on_initialize(r: u32) -> Weight;
}

pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_operator() -> Weight {
		Weight::zero()
	}
	fn unregister_operator() -> Weight {
		Weight::zero()
	}
	fn remove_operator() -> Weight {
		Weight::zero()
	}
	fn slash_operator() -> Weight {
		Weight::zero()
	}
	fn request_inference() -> Weight {
		Weight::zero()
	}
	fn submit_result() -> Weight {
		Weight::zero()
	}
	fn authorize_submit_result() -> Weight {
		Weight::zero()
	}
	fn on_initialize(_r: u32) -> Weight {
		Weight::zero()
	}
}

impl WeightInfo for () {
	fn register_operator() -> Weight {
		Weight::zero()
	}
	fn unregister_operator() -> Weight {
		Weight::zero()
	}
	fn remove_operator() -> Weight {
		Weight::zero()
	}
	fn slash_operator() -> Weight {
		Weight::zero()
	}
	fn request_inference() -> Weight {
		Weight::zero()
	}
	fn submit_result() -> Weight {
		Weight::zero()
	}
	fn authorize_submit_result() -> Weight {
		Weight::zero()
	}
	fn on_initialize(_r: u32) -> Weight {
		Weight::zero()
	}
}
