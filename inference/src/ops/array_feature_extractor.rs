//! `ArrayFeatureExtractor` (ai.onnx.ml), with onnxruntime's output shape.
//!
//! The op selects, along the last axis of `X`, the elements at `Y`'s indices (flattened).
//! onnxruntime's output keeps `X`'s shape with the last dimension replaced by the number
//! of indices (a rank-1 `[C]` input gives `[1, n]`), whatever `Y`'s rank: a scalar index
//! on an `[N, C]` input gives `[N, 1]`. tract-onnx's version is a `Gather`, whose output
//! shape is `X`'s leading dimensions followed by `Y`'s shape: `[N]` for a scalar index,
//! which breaks the graphs skl2onnx builds around it (binary `LinearSVC`,
//! `KBinsDiscretizer`, `CalibratedClassifierCV` concatenate its outputs along axis 1).
//!
//! Indices out of `[0, C)` are an error, as in onnxruntime (no negative indexing). Any
//! element type is accepted.

use super::*;
use tract_onnx::model::ParsingContext;

/// The `ArrayFeatureExtractor` op.
#[derive(Clone, Debug, PartialEq, Hash)]
pub(crate) struct ArrayFeatureExtractor;

/// Builds an `ArrayFeatureExtractor` (no attributes).
pub(crate) fn build(_ctx: &ParsingContext, _node: &NodeProto) -> Built {
	built(ArrayFeatureExtractor)
}

/// The output shape for an input of shape `x` and `n` indices.
fn output_shape<D: DimLike>(x: &[D], n: D) -> TVec<D> {
	if x.len() == 1 {
		tvec![D::one(), n]
	} else {
		let mut shape: TVec<D> = x.iter().cloned().collect();
		if let Some(last) = shape.last_mut() {
			*last = n;
		}
		shape
	}
}

/// The number of indices of an index tensor of `shape` (1 for a scalar).
fn index_count<D: DimLike>(shape: &[D]) -> D {
	shape.iter().fold(D::one(), |acc, d| acc * d.clone())
}

impl ArrayFeatureExtractor {
	fn infer<'r, 'p: 'r>(
		&'r self,
		s: &mut Solver<'r>,
		inputs: &'p [TensorProxy],
		outputs: &'p [TensorProxy],
	) -> InferenceResult {
		s.equals(&outputs[0].datum_type, &inputs[0].datum_type)?;
		s.given_2(&inputs[0].shape, &inputs[1].shape, move |s, x, y| {
			ensure!(!x.is_empty(), "ArrayFeatureExtractor expects an input of rank 1 or more");
			s.equals(&outputs[0].shape, output_shape(&x, index_count(&y)))
		})
	}

	fn facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
		ensure!(inputs[0].rank() >= 1, "ArrayFeatureExtractor expects an input of rank 1 or more");
		let n = index_count(&inputs[1].shape.to_tvec());
		Ok(tvec!(inputs[0].datum_type.fact(output_shape(&inputs[0].shape.to_tvec(), n))))
	}

	fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
		let x = &inputs[0];
		let stride = *x.shape().last().context("ArrayFeatureExtractor: a scalar input")?;
		let indices = input_i64(&inputs[1])?
			.into_iter()
			.map(|i| {
				usize::try_from(i).ok().filter(|i| *i < stride).with_context(|| {
					format!("ArrayFeatureExtractor: index {i} is out of [0, {stride})")
				})
			})
			.collect::<TractResult<Vec<usize>>>()?;
		let shape = output_shape(x.shape(), indices.len());
		let out = dispatch_datum!(gather_last(x.datum_type())(x, stride, &indices, &shape))?;
		Ok(tvec!(out.into_tvalue()))
	}
}

/// The elements at `indices` of every row (last axis, of `stride` elements) of `x`.
fn gather_last<T: Datum>(
	x: &Tensor,
	stride: usize,
	indices: &[usize],
	shape: &[usize],
) -> TractResult<Tensor> {
	let plain = x.try_as_plain_ram()?;
	let values = plain.as_slice::<T>()?;
	let mut out = Vec::with_capacity(shape.iter().product());
	if stride > 0 {
		for row in values.chunks(stride) {
			out.extend(indices.iter().map(|i| row[*i].clone()));
		}
	}
	Ok(tract_ndarray::ArrayD::from_shape_vec(shape, out)?.into_tensor())
}

ml_op!(ArrayFeatureExtractor, "ArrayFeatureExtractor", inputs = |_| 2);
