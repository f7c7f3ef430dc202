//! `LayerNormalization` (standard ONNX, opset 17) as one op: for every row of the input
//! (the elements of the axes from `axis` on), `(x - mean) / sqrt(var + epsilon) * scale +
//! bias`, where `mean` and `var` are the row's mean and (population) variance.
//!
//! tract-onnx expands the operator into a dozen element-wise and reduction ops (sum, mean,
//! subtraction, an RMS norm, a broadcast `Mul` by the scale and a broadcast `Add` of the
//! bias), each with its own output tensor and pass over the data: about 9 µs per
//! normalisation of a 16 × 32 tensor, most of a small transformer block's time. This op
//! makes one pass to sum, one for the variance and one to write the output.
//!
//! Every step is computed in `f64` (the input, the scale and the bias converted exactly),
//! in the same order on every machine (plain Rust arithmetic, no fused multiply-add, sums
//! in a fixed order), and rounded once to the input's type at the end: the result is
//! deterministic, and at least as close to the exact value as onnxruntime's `float`
//! computation (which differs from it, and from tract's expansion, by an ulp or two).
//!
//! A node that asks for the optional `Mean` or `InvStdDev` outputs is built by tract-onnx,
//! unchanged.

use std::sync::OnceLock;

use super::*;
use tract_onnx::model::ParsingContext;

/// A parser's op builder, as tract-onnx's registry holds it.
type OpBuilder = fn(&ParsingContext, &NodeProto) -> Built;

/// tract-onnx's own `LayerNormalization` builder, for the nodes this op does not take.
static TRACT_BUILDER: OnceLock<Option<OpBuilder>> = OnceLock::new();

/// Registers this op as `LayerNormalization`, keeping tract-onnx's builder (already in
/// `reg`) for the nodes with more than one output.
pub(crate) fn register(reg: &mut OnnxOpRegister) {
	let tract = reg.0.get("LayerNormalization").copied();
	TRACT_BUILDER.get_or_init(|| tract);
	reg.insert("LayerNormalization", build);
}

/// The `LayerNormalization` op.
#[derive(Clone, Debug, PartialEq, Hash)]
pub(crate) struct LayerNorm {
	/// The first normalised axis (negative: from the end).
	axis: i64,
	/// `epsilon`, as the bits of the attribute's `f32`.
	epsilon_bits: u32,
	/// Whether the node has a bias input.
	has_bias: bool,
}

/// Builds a `LayerNormalization`: this op for a node with one output (`axis` defaults to
/// -1, `epsilon` to 1e-5), tract-onnx's for a node that also asks for `Mean` or
/// `InvStdDev`.
pub(crate) fn build(ctx: &ParsingContext, node: &NodeProto) -> Built {
	if node.output.iter().skip(1).any(|o| !o.is_empty()) {
		let tract = TRACT_BUILDER.get().copied().flatten().with_context(|| {
			format!("{} (LayerNormalization): no builder for the optional outputs", node.name)
		})?;
		return tract(ctx, node);
	}
	let axis = node.get_attr_opt::<i64>("axis")?.unwrap_or(-1);
	let epsilon = node.get_attr_opt::<f32>("epsilon")?.unwrap_or(1e-5);
	let has_bias = node.input.get(2).is_some_and(|b| !b.is_empty());
	built(LayerNorm { axis, epsilon_bits: epsilon.to_bits(), has_bias })
}

impl LayerNorm {
	fn arity(&self) -> usize {
		2 + self.has_bias as usize
	}

	/// The first normalised axis of a rank-`rank` input.
	fn first_axis(&self, rank: usize) -> TractResult<usize> {
		let axis = if self.axis < 0 { self.axis + rank as i64 } else { self.axis };
		usize::try_from(axis).ok().filter(|axis| *axis < rank).with_context(|| {
			format!("LayerNormalization: axis {} for a rank {rank} input", self.axis)
		})
	}

	fn infer<'r, 'p: 'r>(
		&self,
		s: &mut Solver<'r>,
		inputs: &'p [TensorProxy],
		outputs: &'p [TensorProxy],
	) -> InferenceResult {
		same_shape_rules(s, inputs, outputs, None)
	}

	fn facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
		let dt = inputs[0].datum_type;
		ensure!(dt.is_float(), "LayerNormalization: {dt:?} input (a float type is expected)");
		self.first_axis(inputs[0].rank())?;
		Ok(tvec!(dt.fact(inputs[0].shape.clone())))
	}

	fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
		let x = &inputs[0];
		let axis = self.first_axis(x.rank())?;
		let row_shape = &x.shape()[axis..];
		let n = row_shape.iter().product();
		let scale = weights(&inputs[1], row_shape, "scale")?;
		let bias = match inputs.get(2) {
			Some(bias) if self.has_bias => Some(weights(bias, row_shape, "bias")?),
			_ => None,
		};
		let (scale, bias) = (scale.as_slice(), bias.as_deref());
		let epsilon = f64::from(f32::from_bits(self.epsilon_bits));
		let out = match x.datum_type() {
			DatumType::F32 => {
				let xs = x.try_as_plain_ram()?.as_slice::<f32>()?;
				let ys = normalise(xs, n, scale, bias, epsilon, |y| y as f32);
				Tensor::from_shape(x.shape(), &ys)?
			}
			DatumType::F64 => {
				let xs = x.try_as_plain_ram()?.as_slice::<f64>()?;
				Tensor::from_shape(x.shape(), &normalise(xs, n, scale, bias, epsilon, |y| y))?
			}
			dt => {
				let xs = x.cast_to::<f64>()?;
				let xs = xs.try_as_plain_ram()?.as_slice::<f64>()?;
				let ys = normalise(xs, n, scale, bias, epsilon, |y| y);
				Tensor::from_shape(x.shape(), &ys)?.cast_to_dt(dt)?.into_owned()
			}
		};
		Ok(tvec!(out.into_tvalue()))
	}
}

/// A scale or bias input as `f64`, broadcast to the shape of one row.
fn weights(t: &Tensor, row_shape: &[usize], what: &str) -> TractResult<Vec<f64>> {
	if t.shape() == row_shape && t.datum_type() == DatumType::F32 {
		let values = t.try_as_plain_ram()?.as_slice::<f32>()?;
		return Ok(values.iter().map(|v| f64::from(*v)).collect());
	}
	let t = t.cast_to::<f64>()?;
	let t = if t.shape() == row_shape {
		t
	} else {
		std::borrow::Cow::Owned(
			t.broadcast_to_shape(row_shape)
				.with_context(|| format!("LayerNormalization: {what} for rows of {row_shape:?}"))?,
		)
	};
	Ok(t.try_as_plain_ram()?.as_slice::<f64>()?.to_vec())
}

/// Normalises `xs`, rows of `n` elements, in `f64`: `(x - mean) * (1 / sqrt(var +
/// epsilon)) * scale + bias`, each sum taken as [`sum`] does; `to` rounds each result to
/// the output type.
fn normalise<T: Copy + Into<f64>, Y>(
	xs: &[T],
	n: usize,
	scale: &[f64],
	bias: Option<&[f64]>,
	epsilon: f64,
	to: impl Fn(f64) -> Y,
) -> Vec<Y> {
	let mut ys = Vec::with_capacity(xs.len());
	if n == 0 {
		return ys;
	}
	let count = n as f64;
	for row in xs.chunks(n) {
		let mean = sum(row, |x| x) / count;
		let var = sum(row, |x| (x - mean) * (x - mean)) / count;
		let inv_std = 1.0 / (var + epsilon).sqrt();
		let normalised = row.iter().zip(scale).map(|(x, s)| ((*x).into() - mean) * inv_std * s);
		match bias {
			Some(bias) => ys.extend(normalised.zip(bias).map(|(y, b)| to(y + b))),
			None => ys.extend(normalised.map(&to)),
		}
	}
	ys
}

/// `Σ f(x)` over `row` in a fixed order: four running sums over the elements of index 0,
/// 1, 2 and 3 modulo 4 (up to the last multiple of 4), added as `(s0 + s1) + (s2 + s3)`,
/// then the remaining elements one by one. Four independent sums run about four times as
/// fast as one; the order is the same on every machine.
fn sum<T: Copy + Into<f64>>(row: &[T], f: impl Fn(f64) -> f64) -> f64 {
	let mut lanes = [0.0f64; 4];
	let chunks = row.chunks_exact(4);
	let rest = chunks.remainder();
	for chunk in chunks {
		for (lane, x) in lanes.iter_mut().zip(chunk) {
			*lane += f((*x).into());
		}
	}
	let mut total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
	for x in rest {
		total += f((*x).into());
	}
	total
}

ml_op!(LayerNorm, "LayerNormalization", inputs = LayerNorm::arity);

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn rows_are_normalised_then_scaled_and_shifted() {
		// Row [1, 2, 3]: mean 2, variance 2/3.
		let inv_std = 1.0 / (2.0f64 / 3.0 + 1e-5).sqrt();
		let xs = [1.0f64, 2.0, 3.0, 5.0, 5.0, 5.0];
		let ys = normalise(&xs, 3, &[1.0, 2.0, 3.0], Some(&[0.5; 3]), 1e-5, |y| y);
		let expected = [-inv_std + 0.5, 0.5, inv_std * 3.0 + 0.5, 0.5, 0.5, 0.5];
		assert_eq!(ys, expected);
		assert_eq!(normalise(&[4.0f32, 4.0], 2, &[1.0, 1.0], None, 1e-5, |y| y), [0.0, 0.0]);
		assert!(normalise::<f64, f64>(&[], 0, &[], None, 1e-5, |y| y).is_empty());
	}

	#[test]
	fn a_float_tensor_is_normalised_over_the_last_axes() {
		let op = LayerNorm { axis: -1, epsilon_bits: 1e-5f32.to_bits(), has_bias: true };
		let x = Tensor::from_shape(&[2, 2], &[1.0f32, 3.0, -2.0, 2.0]).unwrap();
		let scale = Tensor::from_shape(&[2], &[1.0f32, 1.0]).unwrap();
		let bias = Tensor::from_shape(&[1], &[1.0f32]).unwrap();
		let out = op.run(tvec!(x.into_tvalue(), scale.into_tvalue(), bias.into_tvalue())).unwrap();
		let y = out[0].try_as_plain_ram().unwrap().as_slice::<f32>().unwrap().to_vec();
		let epsilon = f64::from(1e-5f32);
		let a = 1.0 / (1.0 + epsilon).sqrt();
		let b = 2.0 * (1.0 / (4.0 + epsilon).sqrt());
		let expected = [1.0 - a, 1.0 + a, 1.0 - b, 1.0 + b].map(|y| y as f32);
		assert_eq!(y, expected);
		assert!(op.first_axis(2).is_ok());
		assert!(LayerNorm { axis: 2, ..op }.first_axis(2).is_err());
	}
}
