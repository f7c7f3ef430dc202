//! `Imputer` (ai.onnx.ml): replaces every element equal to `replaced_value_float` (or
//! `replaced_value_int64` for integer inputs; a NaN `replaced_value_float` matches NaN)
//! with the imputed value of its feature (`imputed_value_floats` / `imputed_value_int64s`:
//! one per feature, or one for all). The output has the input's type and shape.

use super::*;
use tract_onnx::model::ParsingContext;

/// The `Imputer` op.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Imputer {
	/// For float inputs: the values to impute, and the value that marks a missing one.
	floats: Option<(Vec<f32>, f32)>,
	/// For integer inputs: the values to impute, and the value that marks a missing one.
	ints: Option<(Vec<i64>, i64)>,
}

/// Builds an `Imputer`; exactly one of `imputed_value_floats` and `imputed_value_int64s`
/// must be given, and the replaced values default to 0.
pub(crate) fn build(_ctx: &ParsingContext, node: &NodeProto) -> Built {
	let floats = node.get_attr_opt_vec::<f32>("imputed_value_floats")?.filter(|v| !v.is_empty());
	let ints = node.get_attr_opt_vec::<i64>("imputed_value_int64s")?.filter(|v| !v.is_empty());
	ensure!(
		floats.is_some() != ints.is_some(),
		"{} (Imputer): exactly one of imputed_value_floats and imputed_value_int64s is needed",
		node.name
	);
	let replaced_float = node.get_attr_opt::<f32>("replaced_value_float")?.unwrap_or(0.0);
	let replaced_int = node.get_attr_opt::<i64>("replaced_value_int64")?.unwrap_or(0);
	built(Imputer {
		floats: floats.map(|v| (v, replaced_float)),
		ints: ints.map(|v| (v, replaced_int)),
	})
}

/// The imputed value for element `i` of a row of `stride`.
fn pick<T: Copy>(values: &[T], i: usize, stride: usize) -> TractResult<T> {
	if values.len() == stride {
		Ok(values[i % stride])
	} else if values.len() == 1 {
		Ok(values[0])
	} else {
		bail!("Imputer has {} imputed values for {stride} features", values.len())
	}
}

impl Imputer {
	fn infer<'r, 'p: 'r>(
		&self,
		s: &mut Solver<'r>,
		inputs: &'p [TensorProxy],
		outputs: &'p [TensorProxy],
	) -> InferenceResult {
		let dt = if self.floats.is_some() { f32::datum_type() } else { i64::datum_type() };
		same_shape_rules(s, inputs, outputs, Some(dt))
	}

	fn facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
		check_rank_1_or_2(inputs[0], "Imputer")?;
		let dt = inputs[0].datum_type;
		if self.floats.is_some() {
			ensure!(dt == f32::datum_type(), "Imputer with float values needs a float input");
			Ok(tvec!(f32::fact(inputs[0].shape.clone())))
		} else {
			ensure!(is_integer(dt), "Imputer with int64 values needs an integer input");
			Ok(tvec!(i64::fact(inputs[0].shape.clone())))
		}
	}

	fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
		let input = &inputs[0];
		let (_, stride) = rows_and_stride(input.shape(), "Imputer")?;
		let out = if let Some((values, replaced)) = &self.floats {
			let x = input.try_as_plain_ram()?.as_slice::<f32>()?;
			let mut out = Vec::with_capacity(x.len());
			for (i, x) in x.iter().enumerate() {
				let missing = if replaced.is_nan() { x.is_nan() } else { x == replaced };
				out.push(if missing { pick(values, i, stride)? } else { *x });
			}
			Tensor::from_shape(input.shape(), &out)?
		} else if let Some((values, replaced)) = &self.ints {
			let x = input_i64(input)?;
			let mut out = Vec::with_capacity(x.len());
			for (i, x) in x.iter().enumerate() {
				out.push(if x == replaced { pick(values, i, stride)? } else { *x });
			}
			Tensor::from_shape(input.shape(), &out)?
		} else {
			bail!("Imputer without values")
		};
		Ok(tvec!(out.into_tvalue()))
	}
}

ml_op!(Imputer, "Imputer");
