//! The ONNX host function: how an off-chain worker in the wasm runtime asks the node to
//! score a model.
//!
//! Scoring runs in the node (tract is std-only), behind the [`onnx`] runtime interface.
//! The node implements it with an externalities extension, [`OnnxExt`], that it registers
//! for off-chain workers only. Anywhere else (block import, RPC calls, a node without the
//! engine) every function returns [`ScoreError::Unavailable`]: deterministically, and
//! without panicking.
//!
//! The engine keeps parsed, optimised plans cached by model hash. An off-chain worker
//! calls [`onnx::score`]; on [`ScoreError::UnknownModel`] it calls [`onnx::load_indexed`],
//! with which the node loads the bytes from its own offchain DB or, if the DB has none,
//! fetches them from the version's URI itself (they never cross into wasm); then it
//! scores again.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
#[cfg(not(substrate_runtime))]
use sp_externalities::ExternalitiesExt;
use sp_runtime_interface::{
	pass_by::{AllocateAndReturnByCodec, PassFatPointerAndDecode, PassFatPointerAndRead},
	runtime_interface,
};

use crate::model::{ModelHash, TensorSpec};

/// What to score: fixed-point values for the model's inputs, and which output to quantise,
/// at which scale (see the determinism contract in [`crate::model`]).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct ScoreRequest {
	/// The input tensors fed (each one's index, element type and exact shape); every input
	/// of the model, each once.
	pub inputs: Vec<TensorSpec>,
	/// The output tensor reported.
	pub output: TensorSpec,
	/// Decimals of `values`.
	pub input_scale: u8,
	/// Decimals the output is quantised to.
	pub output_scale: u8,
	/// The inputs' elements in `input_scale` fixed point: each tensor's row-major, in the
	/// order of `inputs`.
	pub values: Vec<i64>,
}

/// What version 1 of [`onnx::score`] takes: one input tensor. Runtimes before multi-input
/// serving (spec 6 and older) send it; the node answers them as a [`ScoreRequest`] with
/// that one input.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct SingleInputScoreRequest {
	/// The input tensor fed.
	pub input: TensorSpec,
	/// The output tensor reported.
	pub output: TensorSpec,
	/// Decimals of `values`.
	pub input_scale: u8,
	/// Decimals the output is quantised to.
	pub output_scale: u8,
	/// The input's elements, row-major, in `input_scale` fixed point.
	pub values: Vec<i64>,
}

impl From<SingleInputScoreRequest> for ScoreRequest {
	fn from(request: SingleInputScoreRequest) -> Self {
		Self {
			inputs: alloc::vec![request.input],
			output: request.output,
			input_scale: request.input_scale,
			output_scale: request.output_scale,
			values: request.values,
		}
	}
}

/// Where a node whose offchain DB lacks a model's bytes fetches them: the version's URI
/// and the size its owner declared. The model hash stays the only trust anchor.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct ModelSource {
	/// The version's URI: `http://`, `https://` or `ipfs://` (through the node's gateway).
	pub uri: Vec<u8>,
	/// The size of the ONNX bytes: the node reads no more.
	pub size_bytes: u32,
}

/// Why a model could not be loaded or scored. Also recorded on-chain when an operator
/// reports a failure, so that a broken model is visible rather than silent.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum ScoreError {
	/// No engine here: not an off-chain worker, or a node built without one.
	Unavailable,
	/// The engine has no plan for this hash: load the bytes, then score again.
	UnknownModel,
	/// The bytes do not hash to the model hash.
	HashMismatch,
	/// The model uses an operator the engine does not implement.
	UnsupportedOperator,
	/// The bytes are not a valid ONNX model, or it does not type-check.
	InvalidModel,
	/// The input does not match the model's input shape, or the spec's own shape.
	WrongInputShape,
	/// The input or output element type differs from the model's.
	WrongElementType,
	/// The model's output has another shape than the version's output spec.
	WrongOutputShape,
	/// An output element is NaN, infinite, or too large for `i64` at the output scale.
	NonFiniteOutput,
	/// The engine failed while running the model.
	ExecutionFailed,
	/// Loading or scoring the model went over this node's time or memory budget, or the
	/// model's bytes or declared tensors are larger than its memory budget; the node will
	/// not try the model again until it restarts. (Appended last: the variants before
	/// keep their SCALE encoding.)
	ResourceLimit,
}

/// The node's scoring engine, as the host functions see it.
#[cfg(feature = "std")]
pub trait Scorer: Send + Sync {
	/// Checks `bytes` against `hash`, parses and optimises them, and caches the plan.
	fn load(&self, hash: ModelHash, bytes: &[u8]) -> Result<(), ScoreError>;
	/// Loads the bytes the node's offchain DB holds for `hash` (under
	/// [`crate::model::model_bytes_key`], or in chunks) as [`Scorer::load`] does; if it has
	/// none and `source` is given, fetches them from `source.uri` in the node, checks them
	/// against `hash`, keeps them in the DB and loads them. `Ok(false)` if there are no
	/// bytes to load.
	fn load_indexed(&self, hash: ModelHash, source: Option<&ModelSource>) -> Result<bool, ScoreError>;
	/// Whether a plan for `hash` is cached.
	fn is_loaded(&self, hash: ModelHash) -> bool;
	/// Scores `request` with the cached plan for `hash`.
	fn score(&self, hash: ModelHash, request: &ScoreRequest) -> Result<Vec<i64>, ScoreError>;
}

#[cfg(feature = "std")]
sp_externalities::decl_extension! {
	/// The ONNX engine, registered by the node for off-chain workers only.
	pub struct OnnxExt(std::sync::Arc<dyn Scorer>);
}

#[cfg(feature = "std")]
impl OnnxExt {
	/// Wraps a scorer.
	pub fn new(scorer: std::sync::Arc<dyn Scorer>) -> Self {
		Self(scorer)
	}
}

/// Scoring ONNX models in the node. Every function returns [`ScoreError::Unavailable`]
/// outside an off-chain worker of a node with the engine.
#[runtime_interface]
pub trait Onnx {
	/// Loads the ONNX `bytes` of `hash` into the engine's cache.
	fn load(
		&mut self,
		hash: PassFatPointerAndDecode<ModelHash>,
		bytes: PassFatPointerAndRead<&[u8]>,
	) -> AllocateAndReturnByCodec<Result<(), ScoreError>> {
		match self.extension::<OnnxExt>() {
			Some(ext) => ext.0.load(hash, bytes),
			None => Err(ScoreError::Unavailable),
		}
	}

	/// Loads the model `hash` from the node's offchain DB, where the registry indexed its
	/// bytes, without the bytes entering wasm. `Ok(false)` if the DB does not have them.
	fn load_indexed(
		&mut self,
		hash: PassFatPointerAndDecode<ModelHash>,
	) -> AllocateAndReturnByCodec<Result<bool, ScoreError>> {
		match self.extension::<OnnxExt>() {
			Some(ext) => ext.0.load_indexed(hash, None),
			None => Err(ScoreError::Unavailable),
		}
	}

	/// Loads the model `hash` from the node's offchain DB or, if the DB does not have its
	/// bytes, from `source` (fetched by the node, streamed, checked against the hash, and
	/// kept in the DB), without the bytes entering wasm. `Ok(false)` if neither has them.
	#[version(2)]
	fn load_indexed(
		&mut self,
		hash: PassFatPointerAndDecode<ModelHash>,
		source: PassFatPointerAndDecode<ModelSource>,
	) -> AllocateAndReturnByCodec<Result<bool, ScoreError>> {
		match self.extension::<OnnxExt>() {
			Some(ext) => ext.0.load_indexed(hash, Some(&source)),
			None => Err(ScoreError::Unavailable),
		}
	}

	/// Whether the engine has the model `hash` loaded (`Ok(false)` if not).
	fn is_loaded(
		&mut self,
		hash: PassFatPointerAndDecode<ModelHash>,
	) -> AllocateAndReturnByCodec<Result<bool, ScoreError>> {
		match self.extension::<OnnxExt>() {
			Some(ext) => Ok(ext.0.is_loaded(hash)),
			None => Err(ScoreError::Unavailable),
		}
	}

	/// Scores a one-input `request` with the model `hash`: the output in `output_scale`
	/// fixed point. What runtimes before multi-input serving call.
	fn score(
		&mut self,
		hash: PassFatPointerAndDecode<ModelHash>,
		request: PassFatPointerAndDecode<SingleInputScoreRequest>,
	) -> AllocateAndReturnByCodec<Result<Vec<i64>, ScoreError>> {
		match self.extension::<OnnxExt>() {
			Some(ext) => ext.0.score(hash, &request.into()),
			None => Err(ScoreError::Unavailable),
		}
	}

	/// Scores `request`, which feeds every input of the model `hash`: the output in
	/// `output_scale` fixed point.
	#[version(2)]
	fn score(
		&mut self,
		hash: PassFatPointerAndDecode<ModelHash>,
		request: PassFatPointerAndDecode<ScoreRequest>,
	) -> AllocateAndReturnByCodec<Result<Vec<i64>, ScoreError>> {
		match self.extension::<OnnxExt>() {
			Some(ext) => ext.0.score(hash, &request),
			None => Err(ScoreError::Unavailable),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn score_errors_keep_their_encoding() {
		// Failures already on chain decode as before: new variants go last.
		let errors = [
			ScoreError::Unavailable,
			ScoreError::UnknownModel,
			ScoreError::HashMismatch,
			ScoreError::UnsupportedOperator,
			ScoreError::InvalidModel,
			ScoreError::WrongInputShape,
			ScoreError::WrongElementType,
			ScoreError::WrongOutputShape,
			ScoreError::NonFiniteOutput,
			ScoreError::ExecutionFailed,
			ScoreError::ResourceLimit,
		];
		for (index, error) in errors.iter().enumerate() {
			assert_eq!(error.encode(), vec![index as u8], "{error:?}");
			// Test-only (`#[cfg(test)]` module): a failed decode is the failure to report.
			assert_eq!(ScoreError::decode(&mut &[index as u8][..]).unwrap(), *error);
		}
	}
}
