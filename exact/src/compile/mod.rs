//! The compiler (feature `compile`, std): an ONNX model to an exact [`Program`].
//!
//! `compile(onnx, input_scale, output_scale, output_name)` lowers the nodes the named
//! output depends on, in graph order, to the interpreter's operators, then validates the
//! program (range analysis included) and returns it, or says which operator, attribute or
//! value range prevents it. It is deterministic: the same bytes and options give the same
//! program bytes (ordered maps only, IEEE-754 `f64` arithmetic only).
//!
//! ## Scales the compiler chooses
//! - Constants (weights, offsets, leaf weights, base values): [`WEIGHT_SCALE`] decimals,
//!   `round_half_even(f64(c) * 10^9)`; class labels and categories at scale 0.
//! - Intermediate tensors: [`ACTIVATION_SCALE`] decimals; the tensor that becomes the
//!   output (and those it is an alias of) at the output scale, so it is rounded once.
//! - Thresholds applied to the model's own float input (tree branches, `Binarizer`,
//!   `Imputer`'s "missing" value) are exact: the integer threshold `T` is the one for which
//!   `q <= T` exactly when the engine's `float32(q / 10^input_scale) <= t` (found by
//!   bisection over all `i64`), so such decisions match onnxruntime's. On intermediate
//!   tensors they compare with `floor(t * 10^scale)` (the real value).
//! - The declared input range is [`Options::input_range`], by default every element within
//!   `±10^6` in real units (`±10^(6 + input_scale)`, clamped to `i64`).

mod builder;
mod lower_ml;
mod lower_nn;
mod onnx;
mod threshold;
mod tree;

use crate::error::ProgramError;
use crate::program::{InputRange, Interval, Program};
use alloc::string::String;
use core::fmt;

/// The scale of the constants the compiler writes.
pub const WEIGHT_SCALE: u8 = 9;

/// The scale of intermediate tensors.
pub const ACTIVATION_SCALE: u8 = 9;

/// The default input range, in real units either side of 0.
pub const DEFAULT_INPUT_MAGNITUDE: i64 = 1_000_000;

/// What to compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
	/// Decimals of the fixed-point input (the version's `input_scale`).
	pub input_scale: u8,
	/// Decimals of the fixed-point output (the version's `output_scale`).
	pub output_scale: u8,
	/// The ONNX output the program computes (e.g. `label`, `probabilities`, `variable`).
	pub output_name: String,
	/// The declared input range (at `input_scale`); `None`: [`DEFAULT_INPUT_MAGNITUDE`].
	pub input_range: Option<InputRange>,
}

/// Why a model does not compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileError {
	/// The bytes are not an ONNX model with a graph.
	Undecodable(String),
	/// The model's input is not one float (or integer) tensor `[N, features]`.
	UnsupportedInput(String),
	/// No node produces the requested output.
	OutputNotFound(String),
	/// An operator the exact tier does not implement.
	UnsupportedOperator {
		/// Its domain (`ai.onnx.ml`, or empty for `ai.onnx`).
		domain: String,
		/// Its type.
		op_type: String,
		/// The node's name.
		node: String,
	},
	/// A supported operator used in a way the exact tier does not implement.
	UnsupportedUse {
		/// Its type.
		op_type: String,
		/// The node's name.
		node: String,
		/// What is not supported.
		what: String,
	},
	/// A node reads a value nothing produces (or a runtime value where a constant is
	/// needed).
	MissingValue(String),
	/// A constant does not fit an `i64` at its scale, or is not finite.
	ValueOutOfRange(String),
	/// Validation refused the program: an operator could overflow on the declared input
	/// range (or another bound); `node` names the ONNX node it came from.
	Refused {
		/// The ONNX node (`op_type 'name'`), if the error is a node's.
		node: Option<String>,
		/// The validator's error.
		error: ProgramError,
	},
}

impl fmt::Display for CompileError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::Undecodable(e) => write!(f, "not an ONNX model: {e}"),
			Self::UnsupportedInput(e) => write!(f, "unsupported model input: {e}"),
			Self::OutputNotFound(n) => write!(f, "no output named '{n}'"),
			Self::UnsupportedOperator { domain, op_type, node } => {
				write!(f, "unsupported operator {domain}:{op_type} (node '{node}')")
			}
			Self::UnsupportedUse { op_type, node, what } => {
				write!(f, "{op_type} (node '{node}'): {what} is not supported")
			}
			Self::MissingValue(n) => write!(f, "value '{n}' is not available as needed"),
			Self::ValueOutOfRange(n) => write!(f, "value out of range: {n}"),
			Self::Refused { node: Some(n), error } => {
				write!(f, "{n}: refused on the declared input range: {error:?}")
			}
			Self::Refused { node: None, error } => write!(f, "program refused: {error:?}"),
		}
	}
}

impl std::error::Error for CompileError {}

/// Compiles `onnx` for `output_name` with the default input range.
pub fn compile(
	onnx: &[u8],
	input_scale: u8,
	output_scale: u8,
	output_name: &str,
) -> Result<Program, CompileError> {
	compile_with(
		onnx,
		&Options { input_scale, output_scale, output_name: output_name.into(), input_range: None },
	)
}

/// The default input range at `scale`.
pub fn default_range(scale: u8) -> InputRange {
	let m = 10i128.pow(u32::from(scale.min(30))) * i128::from(DEFAULT_INPUT_MAGNITUDE);
	let m = i64::try_from(m).unwrap_or(i64::MAX);
	InputRange::Global(Interval { min: -m, max: m })
}

/// Compiles `onnx` as `options` say.
pub fn compile_with(onnx: &[u8], options: &Options) -> Result<Program, CompileError> {
	let (program, origins) = builder::build(onnx, options)?;
	match crate::validate(&program) {
		Ok(_) => Ok(program),
		Err(error @ ProgramError::Node { node, .. }) => {
			Err(CompileError::Refused { node: origins.get(node as usize).cloned(), error })
		}
		Err(error) => Err(CompileError::Refused { node: None, error }),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use prost::Message;
	use tract_onnx::pb;

	fn attr_int(name: &str, i: i64) -> pb::AttributeProto {
		pb::AttributeProto { name: name.into(), r#type: 2, i, ..Default::default() }
	}

	fn attr_float(name: &str, f: f32) -> pb::AttributeProto {
		pb::AttributeProto { name: name.into(), r#type: 1, f, ..Default::default() }
	}

	fn node(
		op: &str,
		inputs: &[&str],
		outputs: &[&str],
		attribute: Vec<pb::AttributeProto>,
	) -> pb::NodeProto {
		pb::NodeProto {
			op_type: op.into(),
			name: format!("{op}_{}", outputs[0]),
			input: inputs.iter().map(|s| s.to_string()).collect(),
			output: outputs.iter().map(|s| s.to_string()).collect(),
			attribute,
			..Default::default()
		}
	}

	fn float_tensor(name: &str, dims: &[i64], values: &[f32]) -> pb::TensorProto {
		pb::TensorProto {
			name: name.into(),
			data_type: onnx::FLOAT,
			dims: dims.to_vec(),
			float_data: values.to_vec(),
			..Default::default()
		}
	}

	/// `g = 0.5 * x W^T + C` (Gemm, transB), then Tanh, Sigmoid, TopK and Concat of it.
	fn model() -> Vec<u8> {
		use pb::tensor_shape_proto::{dimension::Value as Dim, Dimension};
		let shape = pb::TensorShapeProto {
			dim: vec![
				Dimension { value: Some(Dim::DimParam("N".into())), ..Default::default() },
				Dimension { value: Some(Dim::DimValue(3)), ..Default::default() },
			],
		};
		let input = pb::ValueInfoProto {
			name: "input".into(),
			r#type: Some(pb::TypeProto {
				value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
					elem_type: onnx::FLOAT,
					shape: Some(shape),
				})),
				..Default::default()
			}),
			..Default::default()
		};
		let k = pb::TensorProto {
			name: "k".into(),
			data_type: onnx::INT64,
			dims: vec![1],
			int64_data: vec![1],
			..Default::default()
		};
		let graph = pb::GraphProto {
			input: vec![input],
			initializer: vec![
				float_tensor("w", &[2, 3], &[1.5, -2.0, 0.25, 0.5, 1.0, -3.0]),
				float_tensor("c", &[2], &[0.1, -0.2]),
				k,
			],
			node: vec![
				node(
					"Gemm",
					&["input", "w", "c"],
					&["g"],
					vec![attr_int("transB", 1), attr_float("alpha", 0.5)],
				),
				node("Tanh", &["g"], &["t"], vec![]),
				node("Sigmoid", &["g"], &["s"], vec![]),
				node("TopK", &["g", "k"], &["v", "i"], vec![]),
				node("Concat", &["t", "s"], &["cat"], vec![attr_int("axis", -1)]),
			],
			..Default::default()
		};
		pb::ModelProto { graph: Some(graph), ..Default::default() }.encode_to_vec()
	}

	fn reference(q: &[i64]) -> [f64; 2] {
		// The exact fixed-point values (the engine would feed their float32 roundings).
		let x: Vec<f64> = q.iter().map(|v| *v as f64 / 1e3).collect();
		let w = [[1.5, -2.0, 0.25], [0.5, 1.0, -3.0]];
		let c = [f64::from(0.1f32), f64::from(-0.2f32)];
		[0, 1].map(|j| 0.5 * (0..3).map(|i| w[j][i] * x[i]).sum::<f64>() + c[j])
	}

	#[test]
	fn gemm_activations_top_k_and_concat_compile_and_match() {
		let onnx = model();
		let cases = [[1000, 2000, -500], [-3000, 250, 1234], [0, 0, 0], [9999, -9999, 7]];
		for q in cases {
			let g = reference(&q);
			let run = |name: &str| {
				let p = compile(&onnx, 3, 6, name).unwrap();
				crate::run(&p, &q).unwrap()
			};
			let close = |got: &[i64], want: &[f64]| {
				for (a, b) in got.iter().zip(want) {
					assert!((*a as f64 / 1e6 - b).abs() <= 0.5e-6 + 1e-12, "{got:?} {want:?}");
				}
			};
			close(&run("t"), &g.map(f64::tanh));
			close(&run("s"), &g.map(|v| 1.0 / (1.0 + (-v).exp())));
			let cat = run("cat");
			close(
				&cat,
				&[
					g[0].tanh(),
					g[1].tanh(),
					1.0 / (1.0 + (-g[0]).exp()),
					1.0 / (1.0 + (-g[1]).exp()),
				],
			);
			let top = if g[1] > g[0] { 1 } else { 0 };
			assert_eq!(run("i"), vec![top * 1_000_000]);
			close(&run("v"), &[g[top as usize]]);
		}
	}

	#[test]
	fn a_range_that_could_overflow_is_refused_naming_the_node() {
		let options = Options {
			input_scale: 3,
			output_scale: 6,
			output_name: "g".into(),
			input_range: Some(InputRange::Global(Interval { min: i64::MIN, max: i64::MAX })),
		};
		match compile_with(&model(), &options) {
			Err(CompileError::Refused { node: Some(node), error }) => {
				assert_eq!(node, "Gemm 'Gemm_g'");
				assert!(matches!(error, ProgramError::Node { node: 0, .. }));
			}
			other => panic!("{other:?}"),
		}
		let err = compile(&model(), 3, 6, "nothing").unwrap_err();
		assert_eq!(err, CompileError::OutputNotFound("nothing".into()));
	}
}
