//! `LinearClassifier` and `LinearRegressor` (ai.onnx.ml), as onnxruntime computes them.
//!
//! `LinearClassifier`: the scores are
//! `x · coefficientsᵀ + intercepts`, one per target (`intercepts` gives the number of
//! targets), and then
//!
//! - with two or more targets, the label is the class of the first largest raw score and
//!   the scores go through `post_transform`;
//! - with one target, the label is `classlabels[1]` if the score is positive and
//!   `classlabels[0]` otherwise, and with two class labels the scores output is
//!   `[1 - s, s]` (onnxruntime applies no post transform in that layout); with another
//!   number of labels it is `[s]`.
//!
//! `LinearRegressor` likewise: `x · coefficientsᵀ + intercepts` (the intercepts only if
//! there is one per target), then `post_transform` only with two or more targets (with
//! one, onnxruntime applies none but `PROBIT`).
//!
//! The dot products are summed in the order of onnxruntime's MLAS kernel for one row (see
//! [`scores_like_mlas`]), which reproduces its scores bit for bit.

use super::transform;
use super::*;
use tract_onnx::model::ParsingContext;

/// The class labels of a classifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Labels {
	Ints(Vec<i64>),
	Strings(Vec<String>),
}

impl Labels {
	/// Reads `<prefix>_int64s`/`classlabels_ints` or `classlabels_strings`.
	pub(crate) fn parse(node: &NodeProto, ints_name: &str) -> TractResult<Labels> {
		let ints = node.get_attr_opt_vec::<i64>(ints_name)?.filter(|v| !v.is_empty());
		let strings =
			node.get_attr_opt_vec::<String>("classlabels_strings")?.filter(|v| !v.is_empty());
		match (ints, strings) {
			(Some(ints), None) => Ok(Labels::Ints(ints)),
			(None, Some(strings)) => Ok(Labels::Strings(strings)),
			_ => bail!(
				"{} ({}): exactly one of {ints_name} and classlabels_strings is needed",
				node.name,
				node.op_type
			),
		}
	}

	/// The number of labels.
	pub(crate) fn len(&self) -> usize {
		match self {
			Labels::Ints(v) => v.len(),
			Labels::Strings(v) => v.len(),
		}
	}

	/// The label tensor's element type.
	pub(crate) fn datum_type(&self) -> DatumType {
		match self {
			Labels::Ints(_) => i64::datum_type(),
			Labels::Strings(_) => String::datum_type(),
		}
	}

	/// A rank-1 tensor of the labels at `indices`.
	pub(crate) fn gather(&self, indices: &[usize]) -> TractResult<Tensor> {
		match self {
			Labels::Ints(v) => {
				let out: Vec<i64> = indices.iter().map(|i| v[*i]).collect();
				Tensor::from_shape(&[out.len()], &out)
			}
			Labels::Strings(v) => {
				let out: Vec<String> = indices.iter().map(|i| v[*i].clone()).collect();
				Ok(tract_ndarray::Array1::from(out).into_tensor())
			}
		}
	}
}

/// The scores `x · w[t] + bias[t]` of every target `t` (`w` is `[targets, x.len()]`,
/// row-major), summed in the order of onnxruntime's x86-64 MLAS kernel for a single row
/// (`MlasSgemmKernelM1TransposeBAvx`, which its GEMM uses when M = 1): eight lanes each
/// accumulate every eighth product, unfused; the lanes are then added pairwise in an order
/// that depends on whether the target is in a block of 4, 2 or 1 rows (targets go in
/// blocks of 4, then one of 2, then one of 1); the bias is added last. The arithmetic is
/// scalar, so the result is the same on any CPU.
#[allow(clippy::needless_range_loop)] // Indexing mirrors the kernel's lanes and rows.
pub(crate) fn scores_like_mlas(x: &[f32], w: &[f32], bias: Option<&[f32]>, out: &mut [f32]) {
	let k = x.len();
	let lanes = |row: &[f32]| -> [f32; 8] {
		let mut acc = [0.0f32; 8];
		let full = k / 8 * 8;
		for c in (0..full).step_by(8) {
			for l in 0..8 {
				acc[l] += x[c + l] * row[c + l];
			}
		}
		if !k.is_multiple_of(8) {
			for l in 0..8 {
				let i = full + l;
				acc[l] += if i < k { x[i] * row[i] } else { 0.0 };
			}
		}
		acc
	};
	let row = |t: usize| &w[t * k..(t + 1) * k];
	let targets = out.len();
	let mut t = 0;
	while targets - t >= 4 {
		for r in t..t + 4 {
			let a = lanes(row(r));
			out[r] = (((a[0] + a[1]) + a[2]) + a[3]) + (((a[4] + a[5]) + a[6]) + a[7]);
		}
		t += 4;
	}
	if (targets - t) & 2 != 0 {
		for r in t..t + 2 {
			let a = lanes(row(r));
			out[r] = ((a[0] + a[2]) + (a[4] + a[6])) + ((a[1] + a[3]) + (a[5] + a[7]));
		}
		t += 2;
	}
	if (targets - t) & 1 != 0 {
		let a = lanes(row(t));
		out[t] = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
	}
	for (r, y) in out.iter_mut().enumerate() {
		*y += bias.map_or(0.0, |b| b[r]);
	}
}

/// The `LinearClassifier` op.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LinearClassifier {
	labels: Labels,
	/// `[targets, features]`, row-major.
	coefficients: Vec<f32>,
	intercepts: Vec<f32>,
	post_transform: PostTransform,
}

/// Builds a `LinearClassifier` (`coefficients`, `intercepts` and the class labels are
/// required; `multi_class` does not change the computation).
pub(crate) fn build_classifier(_ctx: &ParsingContext, node: &NodeProto) -> Built {
	let labels = Labels::parse(node, "classlabels_ints")?;
	let coefficients = node.get_attr_vec::<f32>("coefficients")?;
	let intercepts = node.get_attr_opt_vec::<f32>("intercepts")?.unwrap_or_default();
	let post_transform = PostTransform::parse(node)?;
	let targets = intercepts.len();
	ensure!(
		targets > 0 && !coefficients.is_empty() && coefficients.len() % targets == 0,
		"{} (LinearClassifier): {} coefficients do not make rows for {targets} intercepts",
		node.name,
		coefficients.len()
	);
	if targets == 1 {
		ensure!(
			post_transform != PostTransform::Probit,
			"{} (LinearClassifier): PROBIT with a single score is not supported",
			node.name
		);
	} else {
		ensure!(
			labels.len() >= targets,
			"{} (LinearClassifier): {} class labels for {targets} score columns",
			node.name,
			labels.len()
		);
	}
	built(LinearClassifier { labels, coefficients, intercepts, post_transform })
}

impl LinearClassifier {
	fn targets(&self) -> usize {
		self.intercepts.len()
	}

	fn features(&self) -> usize {
		self.coefficients.len() / self.targets()
	}

	/// The number of score columns in the output.
	fn columns(&self) -> usize {
		if self.targets() == 1 && self.labels.len() == 2 {
			2
		} else {
			self.targets()
		}
	}

	fn infer<'r, 'p: 'r>(
		&'r self,
		s: &mut Solver<'r>,
		inputs: &'p [TensorProxy],
		outputs: &'p [TensorProxy],
	) -> InferenceResult {
		classifier_rules(s, inputs, outputs, self.labels.datum_type(), self.columns())
	}

	fn facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
		check_rank_1_or_2(inputs[0], "LinearClassifier")?;
		check_features(inputs[0], self.features(), "LinearClassifier")?;
		Ok(classifier_facts(inputs[0], self.labels.datum_type(), self.columns()))
	}

	fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
		let (rows, stride) = rows_and_stride(inputs[0].shape(), "LinearClassifier")?;
		ensure!(stride == self.features(), "LinearClassifier: input has {stride} features");
		let x = input_f32(&inputs[0])?;
		let (targets, columns) = (self.targets(), self.columns());
		let mut scores = vec![0.0f32; rows * columns];
		let mut labels = Vec::with_capacity(rows);
		for (row, out) in x.chunks(stride.max(1)).take(rows).zip(scores.chunks_mut(columns)) {
			let mut raw = vec![0.0f32; targets];
			scores_like_mlas(row, &self.coefficients, Some(&self.intercepts), &mut raw);
			if targets == 1 {
				let s = raw[0];
				labels.push(if s > 0.0 { 1 } else { 0 });
				if columns == 2 {
					out[0] = 1.0 - s;
					out[1] = s;
				} else {
					out[0] = if self.post_transform == PostTransform::Probit {
						transform::probit(s)
					} else {
						s
					};
				}
			} else {
				let mut best = 0;
				for (j, v) in raw.iter().enumerate().skip(1) {
					if *v > raw[best] {
						best = j;
					}
				}
				labels.push(best);
				out.copy_from_slice(&raw);
				transform::apply(self.post_transform, out);
			}
		}
		let labels = if targets == 1 && self.labels.len() != 2 {
			// onnxruntime's labels without two class labels are 1 and 0 (or "1" and "0").
			match &self.labels {
				Labels::Ints(_) => Labels::Ints(vec![0, 1]).gather(&labels)?,
				Labels::Strings(_) => {
					Labels::Strings(vec!["0".into(), "1".into()]).gather(&labels)?
				}
			}
		} else {
			self.labels.gather(&labels)?
		};
		Ok(tvec!(
			labels.into_tvalue(),
			Tensor::from_shape(&[rows, columns], &scores)?.into_tvalue()
		))
	}
}

ml_op!(LinearClassifier, "LinearClassifier", outputs = 2);

/// The `LinearRegressor` op.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LinearRegressor {
	/// `[targets, features]`, row-major.
	coefficients: Vec<f32>,
	intercepts: Option<Vec<f32>>,
	targets: usize,
	post_transform: PostTransform,
}

/// Builds a `LinearRegressor` (`coefficients` required, `targets` defaults to 1).
pub(crate) fn build_regressor(_ctx: &ParsingContext, node: &NodeProto) -> Built {
	let coefficients = node.get_attr_vec::<f32>("coefficients")?;
	let targets = node.get_attr_opt::<i64>("targets")?.unwrap_or(1);
	ensure!(
		targets > 0 && !coefficients.is_empty() && coefficients.len() % targets as usize == 0,
		"{} (LinearRegressor): {} coefficients do not make rows for {targets} targets",
		node.name,
		coefficients.len()
	);
	let targets = targets as usize;
	// onnxruntime uses the intercepts only if there is one per target.
	let intercepts = node.get_attr_opt_vec::<f32>("intercepts")?.filter(|v| v.len() == targets);
	let post_transform = PostTransform::parse(node)?;
	built(LinearRegressor { coefficients, intercepts, targets, post_transform })
}

impl LinearRegressor {
	fn features(&self) -> usize {
		self.coefficients.len() / self.targets
	}

	fn infer<'r, 'p: 'r>(
		&'r self,
		s: &mut Solver<'r>,
		inputs: &'p [TensorProxy],
		outputs: &'p [TensorProxy],
	) -> InferenceResult {
		regressor_rules(s, inputs, outputs, self.targets)
	}

	fn facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
		check_rank_1_or_2(inputs[0], "LinearRegressor")?;
		check_features(inputs[0], self.features(), "LinearRegressor")?;
		Ok(tvec!(f32::fact([batch_dim(inputs[0]), self.targets.to_dim()])))
	}

	fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
		let (rows, stride) = rows_and_stride(inputs[0].shape(), "LinearRegressor")?;
		ensure!(stride == self.features(), "LinearRegressor: input has {stride} features");
		let x = input_f32(&inputs[0])?;
		let t = self.targets;
		let mut out = vec![0.0f32; rows * t];
		for (row, y) in x.chunks(stride.max(1)).take(rows).zip(out.chunks_mut(t)) {
			scores_like_mlas(row, &self.coefficients, self.intercepts.as_deref(), y);
			if t >= 2 {
				transform::apply(self.post_transform, y);
			} else if self.post_transform == PostTransform::Probit {
				y[0] = transform::probit(y[0]);
			}
		}
		Ok(tvec!(Tensor::from_shape(&[rows, t], &out)?.into_tvalue()))
	}
}

ml_op!(LinearRegressor, "LinearRegressor");
