//! Provisional weights for `pallet_dataset_provenance`, until `scripts/bench-weights.sh`
//! generates this file with the node's `benchmark pallet` command.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(dead_code)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_dataset_provenance`.
pub trait WeightInfo {
	fn register_dataset(p: u32, a: u32, ) -> Weight;
	fn update_uri() -> Weight;
	fn transfer_ownership() -> Weight;
	fn retract() -> Weight;
	fn attest(n: u32, ) -> Weight;
	fn revoke_attestation(n: u32, ) -> Weight;
}

/// Weights for `pallet_dataset_provenance`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_dataset(p: u32, a: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(Weight::from_parts(10_000_000, 3_000).saturating_mul((p + a).into()))
			.saturating_add(T::DbWeight::get().reads_writes(4_u64 + (p + a) as u64, 5_u64 + p as u64))
	}
	fn update_uri() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(4, 3))
	}
	fn transfer_ownership() -> Weight {
		Weight::from_parts(60_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(5, 5))
	}
	fn retract() -> Weight {
		Weight::from_parts(30_000_000, 5_000).saturating_add(T::DbWeight::get().reads_writes(2, 1))
	}
	fn attest(n: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(Weight::from_parts(200_000, 150).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads_writes(4, 3))
	}
	fn revoke_attestation(n: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(Weight::from_parts(200_000, 150).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
}

impl WeightInfo for () {
	fn register_dataset(p: u32, a: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(Weight::from_parts(10_000_000, 3_000).saturating_mul((p + a).into()))
			.saturating_add(RocksDbWeight::get().reads_writes(4_u64 + (p + a) as u64, 5_u64 + p as u64))
	}
	fn update_uri() -> Weight { Weight::from_parts(50_000_000, 10_000) }
	fn transfer_ownership() -> Weight { Weight::from_parts(60_000_000, 10_000) }
	fn retract() -> Weight { Weight::from_parts(30_000_000, 5_000) }
	fn attest(n: u32, ) -> Weight { Weight::from_parts(50_000_000 + 200_000 * n as u64, 10_000) }
	fn revoke_attestation(n: u32, ) -> Weight { Weight::from_parts(50_000_000 + 200_000 * n as u64, 10_000) }
}
