//! The pallets `aioracle-node benchmark pallet` can benchmark in this runtime.
//! `pallet_balances` is the reference aioracle's weights are compared with.

frame_benchmarking::define_benchmarks!(
	[pallet_balances, Balances]
	[pallet_dataset_provenance, DatasetProvenance]
	[pallet_model_registry, ModelRegistry]
	[pallet_inference_oracle, InferenceOracle]
);
