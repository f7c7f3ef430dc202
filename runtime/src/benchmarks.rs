//! The pallets `aioracle-node benchmark pallet` can benchmark in this runtime.
//! `pallet_balances` is the reference aioracle's weights are compared with; OpenGov's
//! pallets are benchmarked here because their weights depend on this runtime's bounds
//! (`runtime/src/weights/`).

frame_benchmarking::define_benchmarks!(
	[pallet_balances, Balances]
	[pallet_dataset_provenance, DatasetProvenance]
	[pallet_model_registry, ModelRegistry]
	[pallet_inference_oracle, InferenceOracle]
	[pallet_xcm_inference, XcmInference]
	[pallet_scheduler, Scheduler]
	[pallet_preimage, Preimage]
	[pallet_referenda, Referenda]
	[pallet_conviction_voting, ConvictionVoting]
	[pallet_whitelist, Whitelist]
);
