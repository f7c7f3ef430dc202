//! `SVMClassifier` and `SVMRegressor` (ai.onnx.ml), computed the way onnxruntime computes
//! them (`core/providers/cpu/ml/svmclassifier.cc`, `svmregressor.cc`), on `f32`.
//!
//! Both start from the kernel values of a row `x` against a set of vectors `v`:
//!
//! - `RBF`: `exp(-gamma · Σ (x - v)²)`, summed feature by feature;
//! - `LINEAR`: `x · v (+ c)`, summed in the order of onnxruntime's MLAS kernel for one row
//!   (see [`scores_like_mlas`]);
//! - `POLY`: `(gamma · x · v + coef0)^degree` and `SIGMOID`: `tanh(gamma · x · v + coef0)`:
//!   onnxruntime's GEMM runs these with `alpha = gamma`, which its one-row kernel does not
//!   take, so the dot product is MLAS's general kernel's (fused multiply-adds in feature
//!   order, then `fma(dot, gamma, coef0)`), and `tanh` is MLAS's rational approximation.
//!
//! For a batch of more than one row, `LINEAR` dot products also follow the general kernel,
//! as onnxruntime's GEMM does.
//!
//! `SVMClassifier` with support vectors (`vectors_per_class`, libsvm's layout, what
//! scikit-learn's `SVC` and `NuSVC` export): one score per pair of classes `(i, j)`,
//! `i < j`, in that order: `Σ coef[j-1][sv of i] · K + Σ coef[i][sv of j] · K + rho`,
//! accumulated in `f64` from `f32` products; the pair votes for `i` if its score is
//! positive, else for `j`, and the label is the first class with the most votes. Without
//! `prob_a`/`prob_b`, the scores output is the pairwise scores (for two classes `[-s, s]`,
//! or `[1 - s, s]` with a post transform, as onnxruntime writes it); with them, each pair
//! score goes through Platt's sigmoid (clamped to `[1e-7, 1 - 1e-7]`) and the pairwise
//! probabilities are coupled into one probability per class (libsvm's
//! `multiclass_probability`, in `f32`). Without support vectors (liblinear's layout), the
//! scores are `x · coefficients[c] + rho[0]`, and the label their first largest (with
//! onnxruntime's binary rules for two classes). `post_transform` then applies to the
//! scores as onnxruntime applies it.
//!
//! `SVMRegressor`: `Σ coefficients · K + rho[0]` with support vectors (`n_supports`), summed
//! like a one-target GEMM, or `x · coefficients + rho[0]` without; with `one_class` set,
//! the output is 1 if the value is positive and -1 otherwise. onnxruntime ignores
//! `post_transform` for this op, and so does the engine.
//!
//! Not supported (an error when the model is loaded): `PROBIT` on a binary classifier
//! without probabilities (onnxruntime leaves one of its two score columns unwritten).
//! Known differences: `LOGISTIC` over two or more scores, and `SOFTMAX` over five or
//! more, use onnxruntime's vectorised kernels there and may differ by an ulp or two here
//! (scikit-learn exports neither).

use super::linear::{scores_like_mlas, Labels};
use super::transform;
use super::*;
use tract_onnx::model::ParsingContext;

/// The kernel of an SVM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kernel {
	Linear,
	Poly,
	Rbf,
	Sigmoid,
}

/// The kernel and its parameters (`kernel_params`: gamma, coef0, degree).
#[derive(Clone, Debug, PartialEq)]
struct KernelParams {
	kernel: Kernel,
	gamma: f32,
	coef0: f32,
	degree: f32,
}

impl KernelParams {
	/// Reads `kernel_type` (default `LINEAR`; onnxruntime reads any other name as
	/// `SIGMOID`, the engine refuses it) and `kernel_params` (default all 0).
	fn parse(node: &NodeProto) -> TractResult<Self> {
		let name: Option<String> = node.get_attr_opt("kernel_type")?;
		let kernel = match name.as_deref().unwrap_or("LINEAR") {
			"LINEAR" => Kernel::Linear,
			"POLY" => Kernel::Poly,
			"RBF" => Kernel::Rbf,
			"SIGMOID" => Kernel::Sigmoid,
			other => bail!("{} ({}): unknown kernel_type {other:?}", node.name, node.op_type),
		};
		let params = node.get_attr_opt_vec::<f32>("kernel_params")?.unwrap_or_default();
		let (gamma, coef0, degree) = match params.as_slice() {
			[] => (0.0, 0.0, 0.0),
			[g, c, d, ..] => (*g, *c, *d),
			_ => bail!(
				"{} ({}): kernel_params needs gamma, coef0 and degree",
				node.name,
				node.op_type
			),
		};
		Ok(KernelParams { kernel, gamma, coef0, degree })
	}

	/// The linear kernel (what onnxruntime uses without support vectors).
	fn linear() -> Self {
		KernelParams { kernel: Kernel::Linear, gamma: 0.0, coef0: 0.0, degree: 0.0 }
	}

	/// The kernel values of row `x` against each row of `vectors` (`out.len()` rows of
	/// `x.len()` values), `c` added to linear ones (onnxruntime's `batched_kernel_dot`).
	/// `single_row`: whether the batch is one row (onnxruntime's GEMM then takes its
	/// one-row kernel for `LINEAR`).
	fn dot(&self, x: &[f32], vectors: &[f32], c: f32, single_row: bool, out: &mut [f32]) {
		let k = x.len();
		let rows = vectors.chunks(k.max(1)).take(out.len());
		match self.kernel {
			Kernel::Rbf => {
				for (y, v) in out.iter_mut().zip(rows) {
					let mut sum = 0.0f32;
					for (a, b) in x.iter().zip(v) {
						let d = a - b;
						sum += d * d;
					}
					*y = (-self.gamma * sum).exp();
				}
			}
			Kernel::Linear if single_row => {
				let bias = (c != 0.0).then(|| vec![c; out.len()]);
				scores_like_mlas(x, vectors, bias.as_deref(), out);
			}
			Kernel::Linear => gemm_general(x, rows, 1.0, c, out),
			Kernel::Poly => {
				gemm_general(x, rows, self.gamma, self.coef0, out);
				for y in out.iter_mut() {
					*y = if self.degree == 2.0 {
						*y * *y
					} else if self.degree == 3.0 {
						*y * *y * *y
					} else {
						y.powf(self.degree)
					};
				}
			}
			Kernel::Sigmoid => {
				gemm_general(x, rows, self.gamma, self.coef0, out);
				for y in out.iter_mut() {
					*y = mlas_tanh(*y);
				}
			}
		}
	}
}

/// `alpha · x · v + c` for each row `v`, as MLAS's general SGEMM kernel computes it: the
/// products accumulated with fused multiply-adds in feature order, then
/// `fma(dot, alpha, c)` (`dot · alpha` when there is no `c`).
fn gemm_general<'a>(
	x: &[f32],
	rows: impl Iterator<Item = &'a [f32]>,
	alpha: f32,
	c: f32,
	out: &mut [f32],
) {
	for (y, v) in out.iter_mut().zip(rows) {
		let mut acc = 0.0f32;
		for (a, b) in x.iter().zip(v) {
			acc = a.mul_add(*b, acc);
		}
		*y = if c != 0.0 { acc.mul_add(alpha, c) } else { acc * alpha };
	}
}

/// MLAS's `tanh` (the rational approximation Eigen also uses, with MLAS's constants as
/// written there), with fused multiply-adds as its FMA3 kernel computes it.
#[allow(clippy::excessive_precision)] // The reference's decimal constants, as it writes them.
fn mlas_tanh(x: f32) -> f32 {
	const ALPHA: [f32; 7] = [
		-2.76076847742355e-16,
		2.00018790482477e-13,
		-8.60467152213735e-11,
		5.12229709037114e-08,
		1.48572235717979e-05,
		6.37261928875436e-04,
		4.89352455891786e-03,
	];
	const BETA: [f32; 4] =
		[1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03];
	let x = x.clamp(-9.0, 9.0);
	let x2 = x * x;
	let mut p = x2.mul_add(ALPHA[0], ALPHA[1]);
	for a in &ALPHA[2..] {
		p = p.mul_add(x2, *a);
	}
	p *= x;
	let mut q = x2.mul_add(BETA[0], BETA[1]);
	for b in &BETA[2..] {
		q = q.mul_add(x2, *b);
	}
	p / q
}

/// Platt's sigmoid of a pair score: `1 - logistic(score · a + b)`.
fn sigmoid_probability(score: f32, a: f32, b: f32) -> f32 {
	1.0 - transform::logistic(score * a + b)
}

/// libsvm's `multiclass_probability` as onnxruntime writes it (`ml_common.h`, in `f32`):
/// the class probabilities `p` (`k` of them) from the pairwise ones `r` (`k × k`).
#[allow(clippy::needless_range_loop)] // Indexing mirrors the reference.
fn multiclass_probability(k: usize, r: &[f32], p: &mut [f32]) {
	let mut q = vec![0.0f32; k * k];
	let mut qp = vec![0.0f32; k];
	let eps = 0.005f32 / k as f32;
	for i in 0..k {
		p[i] = 1.0 / k as f32;
		for j in 0..i {
			q[i * k + i] += r[j * k + i] * r[j * k + i];
			q[i * k + j] = q[j * k + i];
		}
		for j in i + 1..k {
			q[i * k + i] += r[j * k + i] * r[j * k + i];
			q[i * k + j] = -r[j * k + i] * r[i * k + j];
		}
	}
	for _ in 0..100 {
		let mut pqp = 0.0f32;
		for i in 0..k {
			qp[i] = 0.0;
			for j in 0..k {
				qp[i] += q[i * k + j] * p[j];
			}
			pqp += p[i] * qp[i];
		}
		let mut max_error = 0.0f32;
		for i in 0..k {
			let error = (qp[i] - pqp).abs();
			if error > max_error {
				max_error = error;
			}
		}
		if max_error < eps {
			break;
		}
		for i in 0..k {
			let diff = (-qp[i] + pqp) / q[i * k + i];
			p[i] += diff;
			pqp = (pqp + diff * (diff * q[i * k + i] + 2.0 * qp[i])) / (1.0 + diff) / (1.0 + diff);
			for j in 0..k {
				qp[j] = (qp[j] + diff * q[i * k + j]) / (1.0 + diff);
				p[j] /= 1.0 + diff;
			}
		}
	}
}

/// The `SVMClassifier` op.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SvmClassifier {
	labels: Labels,
	kernel: KernelParams,
	/// Support vectors per class (empty: liblinear's layout).
	vectors_per_class: Vec<usize>,
	/// `[vectors, features]`, row-major.
	support_vectors: Vec<f32>,
	/// `[classes - 1, vectors]` with support vectors, `[classes, features]` without.
	coefficients: Vec<f32>,
	rho: Vec<f32>,
	prob_a: Vec<f32>,
	prob_b: Vec<f32>,
	post_transform: PostTransform,
	features: usize,
}

/// Builds an `SVMClassifier`.
pub(crate) fn build_classifier(_ctx: &ParsingContext, node: &NodeProto) -> Built {
	let name = &node.name;
	let labels = Labels::parse(node, "classlabels_ints")?;
	let kernel = KernelParams::parse(node)?;
	let vectors_per_class: Vec<usize> = node
		.get_attr_opt_vec::<i64>("vectors_per_class")?
		.unwrap_or_default()
		.into_iter()
		.map(|n| usize::try_from(n).context("a negative vectors_per_class"))
		.collect::<TractResult<_>>()?;
	let support_vectors = node.get_attr_opt_vec::<f32>("support_vectors")?.unwrap_or_default();
	let coefficients = node.get_attr_vec::<f32>("coefficients")?;
	let rho = node.get_attr_vec::<f32>("rho")?;
	let prob_a = node.get_attr_opt_vec::<f32>("prob_a")?.unwrap_or_default();
	let prob_b = node.get_attr_opt_vec::<f32>("prob_b")?.unwrap_or_default();
	let post_transform = PostTransform::parse(node)?;
	let classes = labels.len();
	ensure!(classes >= 2, "{name} (SVMClassifier): {classes} class labels, 2 or more needed");
	ensure!(
		prob_a.len() == prob_b.len(),
		"{name} (SVMClassifier): prob_a and prob_b differ in size"
	);
	ensure!(!coefficients.is_empty(), "{name} (SVMClassifier): no coefficients");
	let pairs = classes * (classes - 1) / 2;
	let vectors: usize = vectors_per_class.iter().sum();
	let (kernel, features) = if vectors > 0 {
		ensure!(
			vectors_per_class.len() == classes,
			"{name} (SVMClassifier): vectors_per_class has {} entries for {classes} classes",
			vectors_per_class.len()
		);
		ensure!(
			!support_vectors.is_empty() && support_vectors.len() % vectors == 0,
			"{name} (SVMClassifier): {} support vector values for {vectors} vectors",
			support_vectors.len()
		);
		ensure!(
			coefficients.len() >= (classes - 1) * vectors,
			"{name} (SVMClassifier): {} coefficients, {} needed",
			coefficients.len(),
			(classes - 1) * vectors
		);
		ensure!(rho.len() >= pairs, "{name} (SVMClassifier): {} rho for {pairs} pairs", rho.len());
		ensure!(
			prob_a.is_empty() || prob_a.len() >= pairs,
			"{name} (SVMClassifier): {} prob_a for {pairs} pairs",
			prob_a.len()
		);
		ensure!(
			!prob_a.is_empty() || classes > 2 || post_transform != PostTransform::Probit,
			"{name} (SVMClassifier): PROBIT on a binary classifier without probabilities is \
			 not supported"
		);
		(kernel, support_vectors.len() / vectors)
	} else {
		ensure!(
			coefficients.len() % classes == 0 && !rho.is_empty(),
			"{name} (SVMClassifier): {} coefficients and {} rho for {classes} classes",
			coefficients.len(),
			rho.len()
		);
		(KernelParams::linear(), coefficients.len() / classes)
	};
	built(SvmClassifier {
		labels,
		kernel,
		vectors_per_class,
		support_vectors,
		coefficients,
		rho,
		prob_a,
		prob_b,
		post_transform,
		features,
	})
}

impl SvmClassifier {
	fn classes(&self) -> usize {
		self.labels.len()
	}

	fn vectors(&self) -> usize {
		self.vectors_per_class.iter().sum()
	}

	/// Support vectors (libsvm's layout) rather than liblinear's.
	fn svc(&self) -> bool {
		self.vectors() > 0
	}

	fn have_proba(&self) -> bool {
		!self.prob_a.is_empty()
	}

	/// The number of score columns in the output.
	fn columns(&self) -> usize {
		let classes = self.classes();
		if self.svc() && !self.have_proba() {
			if classes > 2 {
				classes * (classes - 1) / 2
			} else {
				2
			}
		} else {
			classes
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
		check_rank_1_or_2(inputs[0], "SVMClassifier")?;
		check_features(inputs[0], self.features, "SVMClassifier")?;
		Ok(classifier_facts(inputs[0], self.labels.datum_type(), self.columns()))
	}

	fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
		let (rows, stride) = rows_and_stride(inputs[0].shape(), "SVMClassifier")?;
		ensure!(stride == self.features, "SVMClassifier: input has {stride} features");
		let x = input_f32(&inputs[0])?;
		let columns = self.columns();
		let mut scores = vec![0.0f32; rows * columns];
		let mut labels = Vec::with_capacity(rows);
		for (row, out) in x.chunks(stride.max(1)).take(rows).zip(scores.chunks_mut(columns)) {
			labels.push(self.score_row(row, rows == 1, out));
		}
		Ok(tvec!(
			self.labels.gather(&labels)?.into_tvalue(),
			Tensor::from_shape(&[rows, columns], &scores)?.into_tvalue()
		))
	}

	/// Scores one row into `out` (`columns()` values); returns the label's index.
	fn score_row(&self, x: &[f32], single_row: bool, out: &mut [f32]) -> usize {
		let classes = self.classes();
		let pairs = classes * (classes - 1) / 2;
		let mut votes = vec![0usize; classes];
		// The raw scores: one per pair (libsvm's layout) or per class (liblinear's).
		let mut raw = vec![0.0f32; if self.svc() { pairs } else { classes }];
		if self.svc() {
			let vectors = self.vectors();
			let mut kernels = vec![0.0f32; vectors];
			self.kernel.dot(x, &self.support_vectors, 0.0, single_row, &mut kernels);
			let starts: Vec<usize> = self
				.vectors_per_class
				.iter()
				.scan(0, |start, n| {
					let s = *start;
					*start += n;
					Some(s)
				})
				.collect();
			let mut pair = 0;
			for i in 0..classes - 1 {
				let (si, ni) = (starts[i], self.vectors_per_class[i]);
				for j in i + 1..classes {
					let (sj, nj) = (starts[j], self.vectors_per_class[j]);
					let mut sum = 0.0f64;
					let ci = &self.coefficients[(j - 1) * vectors + si..][..ni];
					for (c, k) in ci.iter().zip(&kernels[si..si + ni]) {
						sum += (c * k) as f64;
					}
					let cj = &self.coefficients[i * vectors + sj..][..nj];
					for (c, k) in cj.iter().zip(&kernels[sj..sj + nj]) {
						sum += (c * k) as f64;
					}
					sum += self.rho[pair] as f64;
					raw[pair] = sum as f32;
					votes[if sum > 0.0 { i } else { j }] += 1;
					pair += 1;
				}
			}
		} else {
			self.kernel.dot(x, &self.coefficients, self.rho[0], single_row, &mut raw);
		}

		if self.svc() && self.have_proba() {
			let mut pairwise = vec![0.0f32; classes * classes];
			let mut pair = 0;
			for i in 0..classes - 1 {
				for j in i + 1..classes {
					let p = sigmoid_probability(raw[pair], self.prob_a[pair], self.prob_b[pair])
						.clamp(1.0e-7, 1.0 - 1.0e-7);
					pairwise[i * classes + j] = p;
					pairwise[j * classes + i] = 1.0 - p;
					pair += 1;
				}
			}
			multiclass_probability(classes, &pairwise, out);
		} else if self.svc() && classes == 2 {
			out[0] = raw[0];
		} else {
			out.copy_from_slice(&raw);
		}

		// The label: by votes with support vectors, else by the first largest score.
		let (best, max_weight) = if self.svc() {
			(first_max(&votes), 0.0)
		} else {
			let best = first_max(&raw);
			(best, raw[best])
		};
		let label = if classes == 2 && !self.have_proba() {
			let all_positive = self.coefficients.iter().all(|c| *c >= 0.0);
			if (all_positive && max_weight >= 0.5) || (max_weight > 0.0 && !all_positive) {
				1
			} else {
				best
			}
		} else {
			best
		};

		// The scores, as onnxruntime's batched_update_scores_inplace writes them.
		if self.svc() && !self.have_proba() && classes == 2 {
			let s = out[0];
			if self.post_transform == PostTransform::None {
				(out[0], out[1]) = (-s, s);
			} else {
				(out[0], out[1]) = (1.0 - s, s);
			}
		} else {
			transform::apply(self.post_transform, out);
		}
		label
	}
}

/// The index of the first largest value (onnxruntime's `std::max_element`).
fn first_max<T: PartialOrd>(values: &[T]) -> usize {
	let mut best = 0;
	for (i, v) in values.iter().enumerate().skip(1) {
		if *v > values[best] {
			best = i;
		}
	}
	best
}

ml_op!(SvmClassifier, "SVMClassifier", outputs = 2);

/// The `SVMRegressor` op.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SvmRegressor {
	kernel: KernelParams,
	/// `n_supports` (0: `coefficients` are a linear model's).
	vectors: usize,
	/// `[vectors, features]`, row-major.
	support_vectors: Vec<f32>,
	coefficients: Vec<f32>,
	rho: f32,
	one_class: bool,
	features: usize,
}

/// Builds an `SVMRegressor`.
pub(crate) fn build_regressor(_ctx: &ParsingContext, node: &NodeProto) -> Built {
	let name = &node.name;
	let kernel = KernelParams::parse(node)?;
	let vectors = node.get_attr_opt::<i64>("n_supports")?.unwrap_or(0);
	let vectors = usize::try_from(vectors).context("a negative n_supports")?;
	let support_vectors = node.get_attr_opt_vec::<f32>("support_vectors")?.unwrap_or_default();
	let coefficients = node.get_attr_vec::<f32>("coefficients")?;
	let rho = node.get_attr_vec::<f32>("rho")?;
	let one_class = node.get_attr_opt::<i64>("one_class")?.unwrap_or(0) != 0;
	ensure!(!coefficients.is_empty(), "{name} (SVMRegressor): no coefficients");
	let rho = *rho.first().with_context(|| format!("{name} (SVMRegressor): no rho"))?;
	let (kernel, features) = if vectors > 0 {
		ensure!(
			!support_vectors.is_empty() && support_vectors.len() % vectors == 0,
			"{name} (SVMRegressor): {} support vector values for {vectors} vectors",
			support_vectors.len()
		);
		ensure!(
			coefficients.len() == vectors,
			"{name} (SVMRegressor): {} coefficients for {vectors} vectors",
			coefficients.len()
		);
		(kernel, support_vectors.len() / vectors)
	} else {
		(KernelParams::linear(), coefficients.len())
	};
	built(SvmRegressor { kernel, vectors, support_vectors, coefficients, rho, one_class, features })
}

impl SvmRegressor {
	fn infer<'r, 'p: 'r>(
		&'r self,
		s: &mut Solver<'r>,
		inputs: &'p [TensorProxy],
		outputs: &'p [TensorProxy],
	) -> InferenceResult {
		regressor_rules(s, inputs, outputs, 1)
	}

	fn facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
		check_rank_1_or_2(inputs[0], "SVMRegressor")?;
		check_features(inputs[0], self.features, "SVMRegressor")?;
		Ok(tvec!(f32::fact([batch_dim(inputs[0]), 1.to_dim()])))
	}

	fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
		let (rows, stride) = rows_and_stride(inputs[0].shape(), "SVMRegressor")?;
		ensure!(stride == self.features, "SVMRegressor: input has {stride} features");
		let x = input_f32(&inputs[0])?;
		let single_row = rows == 1;
		let mut out = vec![0.0f32; rows];
		let mut kernels = vec![0.0f32; self.vectors];
		for (row, y) in x.chunks(stride.max(1)).take(rows).zip(out.iter_mut()) {
			let mut value = [0.0f32];
			if self.vectors > 0 {
				self.kernel.dot(row, &self.support_vectors, 0.0, single_row, &mut kernels);
				// A one-target GEMM of the kernel values with the coefficients, plus rho.
				if single_row {
					scores_like_mlas(&kernels, &self.coefficients, Some(&[self.rho]), &mut value);
				} else {
					gemm_general(
						&kernels,
						[&self.coefficients[..]].into_iter(),
						1.0,
						self.rho,
						&mut value,
					);
				}
			} else {
				self.kernel.dot(row, &self.coefficients, self.rho, single_row, &mut value);
			}
			*y = if self.one_class {
				if value[0] > 0.0 {
					1.0
				} else {
					-1.0
				}
			} else {
				value[0]
			};
		}
		Ok(tvec!(Tensor::from_shape(&[rows, 1], &out)?.into_tvalue()))
	}
}

ml_op!(SvmRegressor, "SVMRegressor");

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn mlas_tanh_is_close_to_tanh() {
		for x in [-10.0f32, -2.0, -0.5, 0.0, 0.3, 1.0, 4.0, 12.0] {
			assert!((mlas_tanh(x) - x.tanh()).abs() < 1e-6, "{x}");
		}
	}

	#[test]
	fn coupling_two_classes_gives_the_pairwise_probability() {
		let mut p = [0.0f32; 2];
		multiclass_probability(2, &[0.0, 0.8, 0.2, 0.0], &mut p);
		assert!((p[0] - 0.8).abs() < 0.01 && (p[1] - 0.2).abs() < 0.01, "{p:?}");
	}
}
