//! Integration tests of the engine: the example models against onnxruntime's reference
//! outputs, `inspect`, the errors, the cache, and the ONNX-ML operators on small graphs.

mod cache;
mod errors;
mod models;
mod ops;
mod support;
