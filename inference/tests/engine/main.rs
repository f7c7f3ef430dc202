//! Integration tests of the engine: the example models against onnxruntime's reference
//! outputs, `inspect`, the errors, the cache, and the ONNX-ML operators on small graphs.

mod cache;
mod element_types;
mod errors;
mod layer_norm;
mod limits;
mod models;
mod multi_input;
mod named;
mod ops;
mod sklearn_gaps;
mod support;

/// The engine's memory guard, as the node installs it: the `limits` tests rely on it.
#[global_allocator]
static ALLOCATOR: aioracle_inference::GuardedAllocator = aioracle_inference::GuardedAllocator;
