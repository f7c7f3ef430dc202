//! `ReduceLogSumExp` (standard ONNX), computed the way onnxruntime computes it:
//! `log(Σ exp(x - max)) + max` over the reduced elements, where `max` is their largest
//! value. tract-onnx computes `log(Σ exp(x))`, which overflows to infinity as soon as one
//! `x` is above about 88 (`f32`): scikit-learn's naive Bayes exports normalise their joint
//! log-likelihoods, which are often in the hundreds, with this op.
//!
//! The axes are the `axes` attribute (opsets 1 to 17) or the optional second input
//! (opset 18 on, a constant); without axes every axis is reduced, unless
//! `noop_with_empty_axes` (opset 18) is set, in which case the input passes through
//! unchanged. `keepdims` (default 1) keeps the reduced axes as dimensions of 1.
//!
//! The reduced elements of each output element are visited in the input's row-major
//! order, the exponentials summed one by one in the input's type (`f32` or `f64`), as
//! onnxruntime's reduction kernels do for the shapes scikit-learn exports produce.

use super::*;
use tract_onnx::model::ParsingContext;

/// The `ReduceLogSumExp` op.
#[derive(Clone, Debug, PartialEq, Hash)]
pub(crate) struct ReduceLogSumExp {
	/// The `axes` attribute (opsets before 18).
	axes: Option<Vec<i64>>,
	/// Whether the axes come as a second input (opset 18 on).
	axes_input: bool,
	keep_dims: bool,
	noop_with_empty_axes: bool,
}

/// Builds a `ReduceLogSumExp` for the model's default-domain opset.
pub(crate) fn build(ctx: &ParsingContext, node: &NodeProto) -> Built {
	let keep_dims = node.get_attr_opt::<i64>("keepdims")?.unwrap_or(1) != 0;
	let op = if ctx.onnx_operator_set_version >= 18 {
		ReduceLogSumExp {
			axes: None,
			axes_input: node.input.len() == 2 && !node.input[1].is_empty(),
			keep_dims,
			noop_with_empty_axes: node.get_attr_opt::<i64>("noop_with_empty_axes")?.unwrap_or(0)
				!= 0,
		}
	} else {
		ReduceLogSumExp {
			axes: node.get_attr_opt_vec::<i64>("axes")?,
			axes_input: false,
			keep_dims,
			noop_with_empty_axes: false,
		}
	};
	built(op)
}

impl ReduceLogSumExp {
	fn arity(&self) -> usize {
		1 + self.axes_input as usize
	}

	/// The reduced axes of a rank-`rank` input, sorted and without repeats, from the
	/// attribute or from the axes input's values (`given`); empty means "pass through".
	fn resolve(&self, rank: usize, given: Option<&[i64]>) -> TractResult<Vec<usize>> {
		let listed = if self.axes_input {
			given.unwrap_or(&[])
		} else {
			self.axes.as_deref().unwrap_or(&[])
		};
		if listed.is_empty() {
			return Ok(if self.noop_with_empty_axes { vec![] } else { (0..rank).collect() });
		}
		let mut axes = listed
			.iter()
			.map(|a| {
				let axis = if *a < 0 { *a + rank as i64 } else { *a };
				usize::try_from(axis)
					.ok()
					.filter(|axis| *axis < rank)
					.with_context(|| format!("ReduceLogSumExp: axis {a} for a rank {rank} input"))
			})
			.collect::<TractResult<Vec<usize>>>()?;
		axes.sort_unstable();
		axes.dedup();
		Ok(axes)
	}

	/// The output shape of an input of `shape` reduced over `axes`.
	fn output_shape<D: DimLike>(&self, shape: &[D], axes: &[usize]) -> TVec<D> {
		shape
			.iter()
			.enumerate()
			.filter_map(|(i, d)| match (axes.contains(&i), self.keep_dims) {
				(false, _) => Some(d.clone()),
				(true, true) => Some(D::one()),
				(true, false) => None,
			})
			.collect()
	}

	fn infer<'r, 'p: 'r>(
		&'r self,
		s: &mut Solver<'r>,
		inputs: &'p [TensorProxy],
		outputs: &'p [TensorProxy],
	) -> InferenceResult {
		s.equals(&outputs[0].datum_type, &inputs[0].datum_type)?;
		if self.axes_input {
			s.given_2(&inputs[0].shape, &inputs[1].value, move |s, shape, axes| {
				let axes = axes.cast_to::<i64>()?;
				let axes = self.resolve(shape.len(), Some(axes.try_as_plain_ram()?.as_slice()?))?;
				s.equals(&outputs[0].shape, self.output_shape(&shape, &axes))
			})
		} else {
			s.given(&inputs[0].shape, move |s, shape| {
				let axes = self.resolve(shape.len(), None)?;
				s.equals(&outputs[0].shape, self.output_shape(&shape, &axes))
			})
		}
	}

	fn facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
		let dt = inputs[0].datum_type;
		ensure!(
			matches!(dt, DatumType::F32 | DatumType::F64),
			"ReduceLogSumExp: {dt:?} input (this engine reduces float and double)"
		);
		let given = if self.axes_input {
			let konst =
				inputs[1].konst.as_ref().context("ReduceLogSumExp: axes must be constant")?;
			Some(konst.cast_to::<i64>()?.try_as_plain_ram()?.as_slice::<i64>()?.to_vec())
		} else {
			None
		};
		let shape = inputs[0].shape.to_tvec();
		let axes = self.resolve(shape.len(), given.as_deref())?;
		Ok(tvec!(dt.fact(self.output_shape(&shape, &axes))))
	}

	fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
		let given = if self.axes_input { Some(input_i64(&inputs[1])?) } else { None };
		let x = &inputs[0];
		let axes = self.resolve(x.rank(), given.as_deref())?;
		if axes.is_empty() {
			return Ok(tvec!(x.clone()));
		}
		let shape = self.output_shape(x.shape(), &axes);
		let out = match x.datum_type() {
			DatumType::F32 => reduce::<f32>(x, &axes, &shape)?,
			DatumType::F64 => reduce::<f64>(x, &axes, &shape)?,
			dt => bail!("ReduceLogSumExp: {dt:?} input (this engine reduces float and double)"),
		};
		Ok(tvec!(out.into_tvalue()))
	}
}

/// `log(Σ exp(x - max)) + max` of `x` over `axes` (sorted), into a tensor of `shape`.
fn reduce<T: Datum + tract_num_traits::Float>(
	x: &Tensor,
	axes: &[usize],
	shape: &[usize],
) -> TractResult<Tensor> {
	let view = x.to_plain_array_view::<T>()?;
	let kept: Vec<usize> = (0..x.rank()).filter(|a| !axes.contains(a)).collect();
	let kept_dims: Vec<usize> = kept.iter().map(|a| x.shape()[*a]).collect();
	let reduced_dims: Vec<usize> = axes.iter().map(|a| x.shape()[*a]).collect();
	let mut out = Vec::with_capacity(kept_dims.iter().product());
	let mut index = vec![0usize; x.rank()];
	for outer in indices(&kept_dims) {
		for (a, i) in kept.iter().zip(&outer) {
			index[*a] = *i;
		}
		let mut values = Vec::with_capacity(reduced_dims.iter().product());
		for inner in indices(&reduced_dims) {
			for (a, i) in axes.iter().zip(&inner) {
				index[*a] = *i;
			}
			values.push(view[index.as_slice()]);
		}
		let max = values.iter().copied().fold(T::neg_infinity(), |m, v| if v > m { v } else { m });
		let mut sum = T::zero();
		for v in &values {
			sum = sum + (*v - max).exp();
		}
		out.push(sum.ln() + max);
	}
	Tensor::from_shape(shape, &out)
}

/// Every index of an array of `dims`, in row-major order (one empty index for no dims).
fn indices(dims: &[usize]) -> impl Iterator<Item = Vec<usize>> + '_ {
	let count: usize = dims.iter().product();
	(0..count).map(move |mut flat| {
		let mut index = vec![0; dims.len()];
		for (i, d) in dims.iter().enumerate().rev() {
			index[i] = flat % d;
			flat /= d;
		}
		index
	})
}

ml_op!(ReduceLogSumExp, "ReduceLogSumExp", inputs = ReduceLogSumExp::arity);
