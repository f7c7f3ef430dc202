//! The engine's errors.

use aioracle_primitives::model::ModelHash;

/// Why the engine could not load, inspect or score a model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
	/// No model with this hash is loaded (or it was evicted): load its bytes and retry.
	#[error("model {0:?} is not loaded")]
	UnknownModel(ModelHash),
	/// The bytes do not hash (blake2-256) to the expected model hash.
	#[error("model bytes hash to {actual:?}, expected {expected:?}")]
	HashMismatch {
		/// The hash the caller expected.
		expected: ModelHash,
		/// The hash of the bytes given.
		actual: ModelHash,
	},
	/// The model uses operators the engine does not implement, listed as
	/// `domain:op_type` (the default domain written `ai.onnx`), separated by `, `.
	#[error("unsupported operator(s): {0}")]
	UnsupportedOperator(String),
	/// The bytes are not a valid ONNX model, or its graph does not type-check.
	#[error("invalid model: {0}")]
	InvalidModel(String),
	/// The model is valid ONNX but not something the engine can serve (e.g. it has more
	/// than one input, or an input without a declared shape).
	#[error("unsupported model: {0}")]
	UnsupportedModel(String),
	/// The request's input does not match the model's input: index, rank, dimensions, or
	/// the number of values.
	#[error("wrong input shape: {0}")]
	WrongInputShape(String),
	/// The request's input or output element type is not the model's.
	#[error("wrong element type: {0}")]
	WrongElementType(String),
	/// The model's output (or its index) is not what the request says.
	#[error("wrong output shape: {0}")]
	WrongOutputShape(String),
	/// An output element is NaN or infinite, so it has no fixed-point value.
	#[error("output element {index} is not finite ({value})")]
	NonFiniteOutput {
		/// Its position in the flattened output.
		index: usize,
		/// The value.
		value: f64,
	},
	/// An output element, scaled to fixed point, does not fit an `i64`.
	#[error("output element {index} does not fit an i64 at the output scale ({value})")]
	OutputOutOfRange {
		/// Its position in the flattened output.
		index: usize,
		/// The scaled value (or the unscaled integer).
		value: f64,
	},
	/// An input element does not fit the model's integer input type once dequantised.
	#[error("input element {index} does not fit the model's input type")]
	InputOutOfRange {
		/// Its position in the flattened input.
		index: usize,
	},
	/// A fixed-point scale above [`aioracle_primitives::model::MAX_SCALE`].
	#[error("scale {0} is above the maximum of 18 decimals")]
	InvalidScale(u8),
	/// The model failed while running (e.g. a NaN into a `Binarizer`, an unknown category
	/// into a `OneHotEncoder` with `zeros = 0`).
	#[error("inference failed: {0}")]
	Inference(String),
	/// Loading or scoring the model went over this engine's time or memory budget (see
	/// [`crate::EngineLimits`]), or the model's bytes or declared tensors are larger than
	/// the memory budget. A model that went over a time or memory budget while loading or
	/// scoring is refused from then on, until the process restarts.
	#[error("resource limit: {0}")]
	ResourceLimit(String),
}
