//! The ONNX-ML operators this engine implements itself, and their registration in
//! tract-onnx's operator registry.
//!
//! tract-onnx 0.23.9 implements `ArrayFeatureExtractor`, `CategoryMapper`,
//! `LinearClassifier`, `LinearRegressor`, `Normalizer` and `TreeEnsembleClassifier`
//! (`src/ops/ml/` and `src/ops/array/` of the crate). Of those, this engine keeps
//! `CategoryMapper`, and replaces the others with the implementations below, because
//! tract's depart from the ONNX-ML specification or from what onnxruntime (which computes
//! the reference outputs) does:
//!
//! - `ArrayFeatureExtractor`: tract's is a `Gather`, whose output for a scalar index drops
//!   the last axis (`[N]`); onnxruntime keeps it (`[N, 1]`).
//!
//! - `Normalizer`: tract divides by the largest *absolute* value for `MAX` and clamps the
//!   norm at 1e-12; the specification (and onnxruntime) divide by the largest value, and
//!   leave a row whose norm is 0 unchanged. `L2` is computed as onnxruntime does it,
//!   `sqrt(x² / Σx²)` with the sign of `x`.
//! - `LinearClassifier`: for one score column and two labels, tract applies the post
//!   transform and writes `[-s, s]`; onnxruntime writes `[1 - s, s]`. Labels come from the
//!   raw scores, as in onnxruntime.
//! - `LinearRegressor`: tract applies `LOGISTIC`/`SOFTMAX` to a single target, onnxruntime
//!   does not.
//! - `TreeEnsembleClassifier`: tract's labels are wrong for the layout scikit-learn's binary
//!   forests export (every leaf votes for class id 0, the score is the positive class's
//!   probability: tract's label is the argmax of `[s, 0]`), its `BRANCH_GTE` nodes are read
//!   as leaves (`Cmp::try_from` accepts 1..=5 but `GreaterEqual` is 6), and its `AVERAGE`,
//!   `MIN` and `MAX` aggregations differ from the specification.
//!
//! Both linear operators also sum their dot products in the order of onnxruntime's MLAS
//! kernel, which makes their scores bit-identical to onnxruntime's.
//!
//! Implemented here because tract-onnx has no implementation at all: `Scaler`, `Imputer`,
//! `Binarizer`, `OneHotEncoder`, `TreeEnsembleRegressor`, `SVMClassifier`, `SVMRegressor`
//! and `LabelEncoder`.
//!
//! Two standard operators are replaced too: `ReduceLogSumExp`, which tract computes as
//! `log(Σ exp(x))` (infinite for any `x` above about 88); onnxruntime, and this module,
//! subtract the largest value first. And `LayerNormalization` (with one output), which
//! tract expands into a dozen ops and this module computes as one, in `f64`, several
//! times faster (see `layer_norm`).
//!
//! Every operator here is one tract op that is both the [`Expansion`] the ONNX parser
//! builds (type inference rules) and the [`TypedOp`] it wires into the typed model, and
//! evaluates in plain Rust, on `f32` like onnxruntime's kernels.

use tract_onnx::model::OnnxOpRegister;
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;

mod array_feature_extractor;
mod binarizer;
mod imputer;
mod label_encoder;
mod layer_norm;
mod linear;
mod normalizer;
mod one_hot;
mod reduce_log_sum_exp;
mod scaler;
mod svm;
mod transform;
mod tree;

/// The `ai.onnx.ml` operators a model may use with this engine: the ones implemented in
/// this module and the ones tract-onnx implements and the engine keeps.
pub const ML_OPS: &[&str] = &[
	"ArrayFeatureExtractor",
	"Binarizer",
	"CategoryMapper",
	"Imputer",
	"LabelEncoder",
	"LinearClassifier",
	"LinearRegressor",
	"Normalizer",
	"OneHotEncoder",
	"SVMClassifier",
	"SVMRegressor",
	"Scaler",
	"TreeEnsembleClassifier",
	"TreeEnsembleRegressor",
];

/// Registers this module's operators in tract-onnx's registry, replacing tract's own where
/// there is one (the registry is keyed by op type only).
pub fn register(reg: &mut OnnxOpRegister) {
	reg.insert("ArrayFeatureExtractor", array_feature_extractor::build);
	reg.insert("Binarizer", binarizer::build);
	reg.insert("Imputer", imputer::build);
	reg.insert("LabelEncoder", label_encoder::build);
	layer_norm::register(reg);
	reg.insert("LinearClassifier", linear::build_classifier);
	reg.insert("LinearRegressor", linear::build_regressor);
	reg.insert("Normalizer", normalizer::build);
	reg.insert("OneHotEncoder", one_hot::build);
	reg.insert("ReduceLogSumExp", reduce_log_sum_exp::build);
	reg.insert("Scaler", scaler::build);
	reg.insert("SVMClassifier", svm::build_classifier);
	reg.insert("SVMRegressor", svm::build_regressor);
	reg.insert("TreeEnsembleClassifier", tree::build_classifier);
	reg.insert("TreeEnsembleRegressor", tree::build_regressor);
}

/// What an op builder returns to tract-onnx's parser.
pub(crate) type Built = TractResult<(Box<dyn InferenceOp>, Vec<String>)>;

/// The plumbing every op of this module shares. An op type implements:
///
/// - `fn infer(&self, s, inputs, outputs) -> InferenceResult`: the inference rules,
/// - `fn facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>>`,
/// - `fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>>`,
///
/// and this macro makes it a tract `Op`, `EvalOp`, `TypedOp` and `Expansion` of one input,
/// or of as many inputs as `inputs = |op| n` says, and of one output, or of as many as
/// `outputs = n` says.
macro_rules! ml_op {
	($ty:ident, $name:literal) => {
		ml_op!($ty, $name, inputs = |_| 1, outputs = 1);
	};
	($ty:ident, $name:literal, inputs = $inputs:expr) => {
		ml_op!($ty, $name, inputs = $inputs, outputs = 1);
	};
	($ty:ident, $name:literal, outputs = $outputs:expr) => {
		ml_op!($ty, $name, inputs = |_| 1, outputs = $outputs);
	};
	($ty:ident, $name:literal, inputs = $inputs:expr, outputs = $outputs:expr) => {
		impl Eq for $ty {}

		impl Op for $ty {
			fn name(&self) -> StaticName {
				$name.into()
			}

			fn as_typed(&self) -> Option<&dyn TypedOp> {
				Some(self)
			}
		}

		impl EvalOp for $ty {
			fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
				self.run(inputs)
			}

			fn eval_out_of_plan(&self, inputs: TVec<TValue>) -> TractResult<Option<TVec<TValue>>> {
				Ok(Some(self.run(inputs)?))
			}
		}

		impl TypedOp for $ty {
			fn as_op(&self) -> &dyn Op {
				self
			}

			fn as_op_mut(&mut self) -> &mut dyn Op {
				self
			}

			fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
				self.facts(inputs)
			}
		}

		impl Expansion for $ty {
			fn name(&self) -> StaticName {
				$name.into()
			}

			fn nboutputs(&self) -> TractResult<usize> {
				Ok($outputs)
			}

			fn rules<'r, 'p: 'r, 's: 'r>(
				&'s self,
				s: &mut Solver<'r>,
				inputs: &'p [TensorProxy],
				outputs: &'p [TensorProxy],
			) -> InferenceResult {
				let arity: fn(&$ty) -> usize = $inputs;
				check_input_arity(inputs, arity(self))?;
				check_output_arity(outputs, $outputs)?;
				self.infer(s, inputs, outputs)
			}

			fn wire(
				&self,
				prefix: &str,
				model: &mut TypedModel,
				inputs: &[OutletId],
			) -> TractResult<TVec<OutletId>> {
				model.wire_node(prefix, self.clone(), inputs)
			}
		}
	};
}
pub(crate) use ml_op;

/// Rejects a node that carries any of the attributes the engine does not implement (the
/// `*_as_tensor` double-precision attributes of `ai.onnx.ml` opset 3 tree ensembles).
pub(crate) fn reject_attributes(node: &NodeProto, names: &[&str]) -> TractResult<()> {
	for attr in &node.attribute {
		if names.contains(&attr.name.as_str()) {
			bail!(
				"{} ({}): attribute {} is not supported by this engine",
				node.name,
				node.op_type,
				attr.name
			);
		}
	}
	Ok(())
}

/// The ONNX `post_transform` of the ML classifiers and regressors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum PostTransform {
	None,
	Logistic,
	Softmax,
	SoftmaxZero,
	Probit,
}

impl PostTransform {
	/// Reads the `post_transform` attribute (default `NONE`).
	pub(crate) fn parse(node: &NodeProto) -> TractResult<Self> {
		let s: Option<String> = node.get_attr_opt("post_transform")?;
		Ok(match s.as_deref().unwrap_or("NONE") {
			"NONE" => PostTransform::None,
			"LOGISTIC" => PostTransform::Logistic,
			"SOFTMAX" => PostTransform::Softmax,
			"SOFTMAX_ZERO" => PostTransform::SoftmaxZero,
			"PROBIT" => PostTransform::Probit,
			other => bail!("{} ({}): unknown post_transform {other:?}", node.name, node.op_type),
		})
	}
}

/// The rows of a rank-1 or rank-2 tensor as onnxruntime's ML kernels see them: a rank-1
/// `[C]` tensor is one row of `C`, a rank-2 `[N, C]` tensor `N` rows of `C`.
pub(crate) fn rows_and_stride(shape: &[usize], op: &str) -> TractResult<(usize, usize)> {
	match *shape {
		[c] => Ok((1, c)),
		[n, c] => Ok((n, c)),
		_ => bail!("{op} expects a rank 1 or 2 input, got shape {shape:?}"),
	}
}

/// The input as `f32` (onnxruntime's ML kernels cast integer and double inputs to float).
pub(crate) fn input_f32(input: &TValue) -> TractResult<Vec<f32>> {
	let t = input.cast_to::<f32>()?;
	Ok(t.try_as_plain_ram()?.as_slice::<f32>()?.to_vec())
}

/// The input as `i64` (from any integer type, tract's TDim included, or float, truncated).
pub(crate) fn input_i64(input: &TValue) -> TractResult<Vec<i64>> {
	Ok(match input.datum_type() {
		DatumType::F32 => {
			input.try_as_plain_ram()?.as_slice::<f32>()?.iter().map(|x| *x as i64).collect()
		}
		DatumType::F64 => {
			input.try_as_plain_ram()?.as_slice::<f64>()?.iter().map(|x| *x as i64).collect()
		}
		_ => input.cast_to::<i64>()?.try_as_plain_ram()?.as_slice::<i64>()?.to_vec(),
	})
}

/// Whether tract's type is an ONNX integer (tract types int64 tensors that may hold shapes
/// as TDim).
pub(crate) fn is_integer(dt: DatumType) -> bool {
	dt.is_integer() || dt == DatumType::TDim
}

/// Inference rules shared by the ops whose output is an `f32` tensor of the input's shape.
pub(crate) fn same_shape_rules<'r, 'p: 'r>(
	s: &mut Solver<'r>,
	inputs: &'p [TensorProxy],
	outputs: &'p [TensorProxy],
	output_type: Option<DatumType>,
) -> InferenceResult {
	match output_type {
		Some(dt) => s.equals(&outputs[0].datum_type, dt)?,
		None => s.equals(&outputs[0].datum_type, &inputs[0].datum_type)?,
	}
	s.equals(&outputs[0].shape, &inputs[0].shape)?;
	Ok(())
}

/// Builds the op for the parser.
pub(crate) fn built<E: Expansion>(op: E) -> Built {
	Ok((expand(op), vec![]))
}

/// Checks that the op's single input has rank 1 or 2 in a typed model.
pub(crate) fn check_rank_1_or_2(fact: &TypedFact, op: &str) -> TractResult<()> {
	ensure!(matches!(fact.rank(), 1 | 2), "{op} expects a rank 1 or 2 input, got {:?}", fact.shape);
	Ok(())
}

/// The number of rows (`N`) of a rank-1 or rank-2 input fact.
pub(crate) fn batch_dim(fact: &TypedFact) -> TDim {
	if fact.rank() == 2 {
		fact.shape[0].clone()
	} else {
		1.to_dim()
	}
}

/// Checks that a rank-1 or rank-2 input fact has `expected` features (its last dimension),
/// when that dimension is known.
pub(crate) fn check_features(fact: &TypedFact, expected: usize, op: &str) -> TractResult<()> {
	if let Some(f) = fact.shape.last().and_then(|d| d.to_usize().ok()) {
		ensure!(f == expected, "{op} expects {expected} features, the input has {f}");
	}
	Ok(())
}

/// Inference rule: the first dimension of `output` is the number of rows of `input`, its
/// first dimension if it has rank 2, else 1.
fn rows_rule<'r, 'p: 'r>(
	s: &mut Solver<'r>,
	input: &'p TensorProxy,
	output: &'p TensorProxy,
) -> InferenceResult {
	s.given(&input.rank, move |s, rank| {
		if rank == 2 {
			s.equals(&output.shape[0], &input.shape[0])
		} else {
			s.equals(&output.shape[0], 1.to_dim())
		}
	})
}

/// Inference rules of a classifier: labels `[N]` of the labels' type, scores `[N, columns]`
/// of `float`, for a `[N, C]` (or `[C]`, one row) input.
pub(crate) fn classifier_rules<'r, 'p: 'r>(
	s: &mut Solver<'r>,
	inputs: &'p [TensorProxy],
	outputs: &'p [TensorProxy],
	label_type: DatumType,
	columns: usize,
) -> InferenceResult {
	s.equals(&outputs[0].datum_type, label_type)?;
	s.equals(&outputs[1].datum_type, f32::datum_type())?;
	s.equals(&outputs[0].rank, 1)?;
	s.equals(&outputs[1].rank, 2)?;
	s.equals(&outputs[1].shape[1], columns.to_dim())?;
	s.equals(&outputs[0].shape[0], &outputs[1].shape[0])?;
	rows_rule(s, &inputs[0], &outputs[0])
}

/// The output facts of a classifier (as [`classifier_rules`] infers them) for a rank-1 or
/// rank-2 input fact.
pub(crate) fn classifier_facts(
	input: &TypedFact,
	label_type: DatumType,
	columns: usize,
) -> TVec<TypedFact> {
	let n = batch_dim(input);
	tvec!(label_type.fact([n.clone()]), f32::fact([n, columns.to_dim()]))
}

/// Inference rules of a regressor: `[N, n_outputs]` of `float`, for a `[N, C]` (or `[C]`,
/// one row) input.
pub(crate) fn regressor_rules<'r, 'p: 'r>(
	s: &mut Solver<'r>,
	inputs: &'p [TensorProxy],
	outputs: &'p [TensorProxy],
	n_outputs: usize,
) -> InferenceResult {
	s.equals(&outputs[0].datum_type, f32::datum_type())?;
	s.equals(&outputs[0].rank, 2)?;
	s.equals(&outputs[0].shape[1], n_outputs.to_dim())?;
	rows_rule(s, &inputs[0], &outputs[0])
}
