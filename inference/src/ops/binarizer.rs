//! `Binarizer` (ai.onnx.ml): `y = 1 if x > threshold else 0`, in the input's type and
//! shape. `threshold` defaults to 0 (the specification's default; onnxruntime's kernel
//! defaults to 1, but exporters always write it). A NaN input is an error, as in
//! onnxruntime.

use super::*;
use tract_onnx::model::ParsingContext;

/// The `Binarizer` op.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Binarizer {
	threshold: f32,
}

/// Builds a `Binarizer`.
pub(crate) fn build(_ctx: &ParsingContext, node: &NodeProto) -> Built {
	let threshold = node.get_attr_opt::<f32>("threshold")?.unwrap_or(0.0);
	built(Binarizer { threshold })
}

impl Binarizer {
	fn infer<'r, 'p: 'r>(
		&self,
		s: &mut Solver<'r>,
		inputs: &'p [TensorProxy],
		outputs: &'p [TensorProxy],
	) -> InferenceResult {
		s.given(&inputs[0].datum_type, move |s, dt| {
			let dt = if dt == DatumType::TDim { i64::datum_type() } else { dt };
			s.equals(&outputs[0].datum_type, dt)
		})?;
		s.equals(&outputs[0].shape, &inputs[0].shape)
	}

	fn facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
		let dt = inputs[0].datum_type;
		ensure!(
			[f32::datum_type(), f64::datum_type(), i32::datum_type()].contains(&dt)
				|| is_integer(dt),
			"Binarizer: unsupported input type {dt:?}"
		);
		let dt = if dt == DatumType::TDim { i64::datum_type() } else { dt };
		Ok(tvec!(dt.fact(inputs[0].shape.clone())))
	}

	fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
		let input = &inputs[0];
		let t = self.threshold;
		let out = match input.datum_type() {
			DatumType::F32 => {
				let x = input.try_as_plain_ram()?.as_slice::<f32>()?;
				ensure!(!x.iter().any(|x| x.is_nan()), "Binarizer: NaN input");
				let y: Vec<f32> = x.iter().map(|x| if *x > t { 1.0 } else { 0.0 }).collect();
				Tensor::from_shape(input.shape(), &y)?
			}
			DatumType::F64 => {
				let x = input.try_as_plain_ram()?.as_slice::<f64>()?;
				ensure!(!x.iter().any(|x| x.is_nan()), "Binarizer: NaN input");
				let y: Vec<f64> = x.iter().map(|x| if *x > t as f64 { 1.0 } else { 0.0 }).collect();
				Tensor::from_shape(input.shape(), &y)?
			}
			DatumType::I32 => {
				let x = input.try_as_plain_ram()?.as_slice::<i32>()?;
				let y: Vec<i32> = x.iter().map(|x| (*x as f32 > t) as i32).collect();
				Tensor::from_shape(input.shape(), &y)?
			}
			dt if is_integer(dt) => {
				let x = input_i64(input)?;
				let y: Vec<i64> = x.iter().map(|x| (*x as f32 > t) as i64).collect();
				Tensor::from_shape(input.shape(), &y)?
			}
			dt => bail!("Binarizer: unsupported input type {dt:?}"),
		};
		Ok(tvec!(out.into_tvalue()))
	}
}

ml_op!(Binarizer, "Binarizer");
