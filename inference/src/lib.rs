//! # aioracle-inference
//!
//! The ONNX engine of aioracle's off-chain workers. It loads a model version's ONNX bytes
//! by their hash ([`Engine::load`]), keeps optimised, runnable plans of the most recently
//! used models, and scores fixed-point requests ([`Engine::score`]) under the determinism
//! contract of `aioracle_primitives::model`: inputs arrive as integers at `input_scale`
//! decimals, outputs leave as integers at `output_scale` decimals, and no float crosses
//! the boundary ([`fixed_point`] has the conversions). [`inspect`] describes a model
//! without loading it.
//!
//! It is pure Rust, on [tract](https://github.com/sonos/tract) (`tract-onnx` 0.23.9),
//! with the ONNX-ML operators scikit-learn exports through skl2onnx (`zipmap=False`)
//! implemented or re-implemented here to match the ONNX-ML specification and onnxruntime,
//! which computes the reference outputs (see the `ops` module's documentation for which
//! and why). Operators supported: every standard ONNX operator tract-onnx implements
//! (with `ReduceLogSumExp` re-implemented here so that it does not overflow, and
//! `LayerNormalization` as one op rather than tract's dozen), and in
//! `ai.onnx.ml` `ArrayFeatureExtractor`, `Binarizer`, `CategoryMapper`, `Imputer`,
//! `LabelEncoder`, `LinearClassifier`, `LinearRegressor`, `Normalizer`, `OneHotEncoder`,
//! `Scaler`, `SVMClassifier`, `SVMRegressor`, `TreeEnsembleClassifier` and
//! `TreeEnsembleRegressor`.
//!
//! How close to onnxruntime: on the example models of `models/`, the ONNX-ML operators
//! (scalers, normalisers, imputer, linear models, tree ensembles) reproduce onnxruntime's
//! `float32` outputs bit for bit; a 10-class softmax differs by up to 2 ulps (onnxruntime
//! computes it with MLAS's vectorised exponential), and standard operators run by tract
//! (`MatMul`, `Softmax`, ...) by a few ulps. In fixed point (6 decimals for probabilities)
//! every reference output is reproduced exactly. Labels and other integer outputs are
//! exact. The scikit-learn fixtures of `tests/fixtures/sklearn-gaps/` (SVMs, LabelEncoder,
//! naive Bayes, KBinsDiscretizer, LinearSVC, CalibratedClassifierCV) are exact in fixed
//! point too; as floats, the outputs `SVMClassifier` and `SVMRegressor` write are
//! bit-identical to onnxruntime's, and the graphs around them, run by tract's standard
//! operators, within 1 ulp (up to 8e-7 for GaussianNB probabilities, which magnify the
//! last bit of log-likelihoods in the tens).
//!
//! Declared shapes do not constrain the computation (onnxruntime's behaviour): the
//! graph's `value_info` is ignored, and an output whose computed shape differs from the
//! requested one only by dimensions of 1 is returned, with a warning in the log.
//!
//! Resource limits: every load and every scoring runs on a worker thread, within a time
//! and a memory budget ([`EngineLimits`]); a model that goes over either is
//! reported as [`EngineError::ResourceLimit`] and refused from then on, while the others
//! are served as before. The memory budget is enforced while tract runs only in a process
//! whose global allocator is [`GuardedAllocator`] (see [`alloc`]).
//!
//! Logs go to the `onnx` target: loads and evictions at info level, scores at debug.

#![warn(missing_docs)]

pub mod alloc;
mod engine;
mod error;
pub mod fixed_point;
mod inspect;
mod limits;
mod ops;
mod plan;

pub use aioracle_primitives::model::{ElementType, ModelHash, TensorSpec};
pub use alloc::GuardedAllocator;
pub use engine::{Engine, NamedInput, NamedOutput, ScoreRequest};
pub use error::EngineError;
pub use inspect::{
	inspect, model_hash, ModelInfo, OpUsage, OpsetImport, TensorInfo, DEFAULT_DOMAIN, ML_DOMAIN,
};
pub use limits::{
	EngineLimits, WorkerSetup, DEFAULT_MAX_LOAD, DEFAULT_MAX_MODEL_MEMORY_BYTES, DEFAULT_MAX_SCORE,
};
