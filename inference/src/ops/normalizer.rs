//! `Normalizer` (ai.onnx.ml): divides each row by its `MAX` (largest value), `L1` (sum of
//! absolute values) or `L2` (Euclidean) norm; a row whose norm is 0 is copied unchanged.
//! The output is `float`. Computed as onnxruntime does: `L2` is `sqrt(x² / Σx²)` with the
//! sign of `x`.

use super::*;
use tract_onnx::model::ParsingContext;

/// Which norm a `Normalizer` divides by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Norm {
	Max,
	L1,
	L2,
}

/// The `Normalizer` op.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Normalizer {
	norm: Norm,
}

/// Builds a `Normalizer`; `norm` defaults to `MAX`.
pub(crate) fn build(_ctx: &ParsingContext, node: &NodeProto) -> Built {
	let norm: Option<String> = node.get_attr_opt("norm")?;
	let norm = match norm.as_deref().unwrap_or("MAX") {
		"MAX" => Norm::Max,
		"L1" => Norm::L1,
		"L2" => Norm::L2,
		other => bail!("{} (Normalizer): unknown norm {other:?}", node.name),
	};
	built(Normalizer { norm })
}

impl Normalizer {
	fn infer<'r, 'p: 'r>(
		&self,
		s: &mut Solver<'r>,
		inputs: &'p [TensorProxy],
		outputs: &'p [TensorProxy],
	) -> InferenceResult {
		same_shape_rules(s, inputs, outputs, Some(f32::datum_type()))
	}

	fn facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
		check_rank_1_or_2(inputs[0], "Normalizer")?;
		Ok(tvec!(f32::fact(inputs[0].shape.clone())))
	}

	fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
		let input = &inputs[0];
		let (_, stride) = rows_and_stride(input.shape(), "Normalizer")?;
		// `x * x` in the input type, then as float, for L2 (onnxruntime's order).
		let squares: Vec<f32> = if input.datum_type() == f64::datum_type() {
			let x = input.try_as_plain_ram()?.as_slice::<f64>()?;
			x.iter().map(|x| (x * x) as f32).collect()
		} else {
			input_f32(input)?.iter().map(|x| x * x).collect()
		};
		let x = input_f32(input)?;
		let mut out = x.clone();
		if stride > 0 {
			for (row, (x, sq)) in
				out.chunks_mut(stride).zip(x.chunks(stride).zip(squares.chunks(stride)))
			{
				match self.norm {
					Norm::Max => {
						let max = x.iter().fold(f32::MIN, |m, v| m.max(*v));
						if max != 0.0 {
							row.iter_mut().zip(x).for_each(|(y, x)| *y = x / max);
						}
					}
					Norm::L1 => {
						let sum: f32 = x.iter().fold(0.0, |s, v| s + v.abs());
						if sum != 0.0 {
							row.iter_mut().zip(x).for_each(|(y, x)| *y = x / sum);
						}
					}
					Norm::L2 => {
						let sum: f32 = sq.iter().fold(0.0, |s, v| s + v);
						if sum != 0.0 {
							for ((y, x), sq) in row.iter_mut().zip(x).zip(sq) {
								let v = (sq / sum).sqrt();
								*y = if *x < 0.0 { -v } else { v };
							}
						}
					}
				}
			}
		}
		Ok(tvec!(Tensor::from_shape(input.shape(), &out)?.into_tvalue()))
	}
}

ml_op!(Normalizer, "Normalizer");
