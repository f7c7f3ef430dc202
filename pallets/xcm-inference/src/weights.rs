// PROVISIONAL: these figures are ESTIMATES, not measurements. The pallet is not in aioracle's
// runtime yet, so `./scripts/bench-weights.sh pallet_xcm_inference` cannot run it; the
// benchmarks in benchmarking.rs only ran as tests (`impl_benchmark_test_suite!`). Times are
// guesses from comparable polkadot-sdk calls (a hold or release, a storage write of up to
// `MaxResultBytes`, an XCMP send), reads and writes are counted from the code, and proof
// sizes assume `MaxCallbackBytes = 256`, `MaxResultBytes = 4096` and the XCMP queue's
// storage for a send. Regenerate with `./scripts/bench-weights.sh pallet_xcm_inference` (a
// release node with `--features runtime-benchmarks`) once the runtime wires the pallet.

//! Weights for `pallet_xcm_inference` (PROVISIONAL: estimated, see above).
//!
//! In the format of the benchmark CLI's output with `scripts/frame-weight-template.hbs`, so
//! that a release run replaces this file as it is.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(dead_code)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_xcm_inference`.
pub trait WeightInfo {
	fn request_with_callback() -> Weight;
	fn on_result() -> Weight;
	fn deliver() -> Weight;
	fn retry_delivery() -> Weight;
	fn discard_result() -> Weight;
}

/// Weights for `pallet_xcm_inference` on aioracle's dev runtime (`T::DbWeight` is ParityDB's).
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(337), added: 2812, mode: `MaxEncodedLen`)
	/// Storage: `XcmInference::Callbacks` (r:0 w:1)
	/// Proof: `XcmInference::Callbacks` (`max_values`: None, `max_size`: Some(351), added: 2826, mode: `MaxEncodedLen`)
	fn request_with_callback() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0` (not measured)
		//  Estimated: `3802`
		// Estimated (not measured): a hold and a small write.
		Weight::from_parts(40_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3802))
			.saturating_add(T::DbWeight::get().reads(2))
			.saturating_add(T::DbWeight::get().writes(3))
	}
	/// Storage: `XcmInference::Callbacks` (r:1 w:1)
	/// Proof: `XcmInference::Callbacks` (`max_values`: None, `max_size`: Some(351), added: 2826, mode: `MaxEncodedLen`)
	/// Storage: `XcmInference::Outbox` (r:0 w:1)
	/// Proof: `XcmInference::Outbox` (`max_values`: None, `max_size`: Some(4191), added: 6666, mode: `MaxEncodedLen`)
	fn on_result() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0` (not measured)
		//  Estimated: `3816`
		// Estimated (not measured): a take, encoding a result, a write.
		Weight::from_parts(20_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3816))
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	/// Storage: `XcmInference::Outbox` (r:1 w:1)
	/// Proof: `XcmInference::Outbox` (`max_values`: None, `max_size`: Some(4191), added: 6666, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(337), added: 2812, mode: `MaxEncodedLen`)
	/// Storage: `XcmpQueue::OutboundXcmpStatus` (r:1 w:1) (estimated)
	/// Storage: `XcmpQueue::OutboundXcmpMessages` (r:1 w:1) (estimated)
	/// Storage: `XcmpQueue::DeliveryFeeFactor` (r:1 w:0) (estimated)
	/// Storage: `ParachainSystem::RelevantMessagingState` (r:1 w:0) (estimated)
	fn deliver() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0` (not measured)
		//  Estimated: `17000`
		// Estimated (not measured): a read, an XCMP send, a release.
		Weight::from_parts(90_000_000, 0)
			.saturating_add(Weight::from_parts(0, 17000))
			.saturating_add(T::DbWeight::get().reads(7))
			.saturating_add(T::DbWeight::get().writes(6))
	}
	/// Storage: `XcmInference::Outbox` (r:1 w:1)
	/// Proof: `XcmInference::Outbox` (`max_values`: None, `max_size`: Some(4191), added: 6666, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(337), added: 2812, mode: `MaxEncodedLen`)
	/// Storage: `XcmpQueue::OutboundXcmpStatus` (r:1 w:1) (estimated)
	/// Storage: `XcmpQueue::OutboundXcmpMessages` (r:1 w:1) (estimated)
	/// Storage: `XcmpQueue::DeliveryFeeFactor` (r:1 w:0) (estimated)
	/// Storage: `ParachainSystem::RelevantMessagingState` (r:1 w:0) (estimated)
	fn retry_delivery() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0` (not measured)
		//  Estimated: `17000`
		// Estimated (not measured): as `deliver`.
		Weight::from_parts(95_000_000, 0)
			.saturating_add(Weight::from_parts(0, 17000))
			.saturating_add(T::DbWeight::get().reads(7))
			.saturating_add(T::DbWeight::get().writes(6))
	}
	/// Storage: `XcmInference::Outbox` (r:1 w:1)
	/// Proof: `XcmInference::Outbox` (`max_values`: None, `max_size`: Some(4191), added: 6666, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(337), added: 2812, mode: `MaxEncodedLen`)
	fn discard_result() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0` (not measured)
		//  Estimated: `7656`
		// Estimated (not measured): a read, a delete, a release.
		Weight::from_parts(45_000_000, 0)
			.saturating_add(Weight::from_parts(0, 7656))
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().writes(4))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(337), added: 2812, mode: `MaxEncodedLen`)
	/// Storage: `XcmInference::Callbacks` (r:0 w:1)
	/// Proof: `XcmInference::Callbacks` (`max_values`: None, `max_size`: Some(351), added: 2826, mode: `MaxEncodedLen`)
	fn request_with_callback() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0` (not measured)
		//  Estimated: `3802`
		// Estimated (not measured): a hold and a small write.
		Weight::from_parts(40_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3802))
			.saturating_add(RocksDbWeight::get().reads(2))
			.saturating_add(RocksDbWeight::get().writes(3))
	}
	/// Storage: `XcmInference::Callbacks` (r:1 w:1)
	/// Proof: `XcmInference::Callbacks` (`max_values`: None, `max_size`: Some(351), added: 2826, mode: `MaxEncodedLen`)
	/// Storage: `XcmInference::Outbox` (r:0 w:1)
	/// Proof: `XcmInference::Outbox` (`max_values`: None, `max_size`: Some(4191), added: 6666, mode: `MaxEncodedLen`)
	fn on_result() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0` (not measured)
		//  Estimated: `3816`
		// Estimated (not measured): a take, encoding a result, a write.
		Weight::from_parts(20_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3816))
			.saturating_add(RocksDbWeight::get().reads(1))
			.saturating_add(RocksDbWeight::get().writes(1))
	}
	/// Storage: `XcmInference::Outbox` (r:1 w:1)
	/// Proof: `XcmInference::Outbox` (`max_values`: None, `max_size`: Some(4191), added: 6666, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(337), added: 2812, mode: `MaxEncodedLen`)
	/// Storage: `XcmpQueue::OutboundXcmpStatus` (r:1 w:1) (estimated)
	/// Storage: `XcmpQueue::OutboundXcmpMessages` (r:1 w:1) (estimated)
	/// Storage: `XcmpQueue::DeliveryFeeFactor` (r:1 w:0) (estimated)
	/// Storage: `ParachainSystem::RelevantMessagingState` (r:1 w:0) (estimated)
	fn deliver() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0` (not measured)
		//  Estimated: `17000`
		// Estimated (not measured): a read, an XCMP send, a release.
		Weight::from_parts(90_000_000, 0)
			.saturating_add(Weight::from_parts(0, 17000))
			.saturating_add(RocksDbWeight::get().reads(7))
			.saturating_add(RocksDbWeight::get().writes(6))
	}
	/// Storage: `XcmInference::Outbox` (r:1 w:1)
	/// Proof: `XcmInference::Outbox` (`max_values`: None, `max_size`: Some(4191), added: 6666, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(337), added: 2812, mode: `MaxEncodedLen`)
	/// Storage: `XcmpQueue::OutboundXcmpStatus` (r:1 w:1) (estimated)
	/// Storage: `XcmpQueue::OutboundXcmpMessages` (r:1 w:1) (estimated)
	/// Storage: `XcmpQueue::DeliveryFeeFactor` (r:1 w:0) (estimated)
	/// Storage: `ParachainSystem::RelevantMessagingState` (r:1 w:0) (estimated)
	fn retry_delivery() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0` (not measured)
		//  Estimated: `17000`
		// Estimated (not measured): as `deliver`.
		Weight::from_parts(95_000_000, 0)
			.saturating_add(Weight::from_parts(0, 17000))
			.saturating_add(RocksDbWeight::get().reads(7))
			.saturating_add(RocksDbWeight::get().writes(6))
	}
	/// Storage: `XcmInference::Outbox` (r:1 w:1)
	/// Proof: `XcmInference::Outbox` (`max_values`: None, `max_size`: Some(4191), added: 6666, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(337), added: 2812, mode: `MaxEncodedLen`)
	fn discard_result() -> Weight {
		// Proof Size summary in bytes:
		//  Measured:  `0` (not measured)
		//  Estimated: `7656`
		// Estimated (not measured): a read, a delete, a release.
		Weight::from_parts(45_000_000, 0)
			.saturating_add(Weight::from_parts(0, 7656))
			.saturating_add(RocksDbWeight::get().reads(3))
			.saturating_add(RocksDbWeight::get().writes(4))
	}
}
