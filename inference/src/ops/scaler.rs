//! `Scaler` (ai.onnx.ml): `y = (x - offset) * scale`, per feature (the last axis) or with
//! one value for every feature; the output is `float`.

use super::*;
use tract_onnx::model::ParsingContext;

/// The `Scaler` op.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Scaler {
	/// Subtracted first; one value, or one per feature.
	offset: Vec<f32>,
	/// Multiplied second; as many values as `offset`.
	scale: Vec<f32>,
}

/// Builds a `Scaler` from its attributes. A missing `offset` is 0 and a missing `scale` 1
/// (one value for every feature).
pub(crate) fn build(_ctx: &ParsingContext, node: &NodeProto) -> Built {
	let offset = node.get_attr_opt_vec::<f32>("offset")?.unwrap_or_else(|| vec![0.0]);
	let scale = node.get_attr_opt_vec::<f32>("scale")?.unwrap_or_else(|| vec![1.0]);
	let (offset, scale) = match (offset.len(), scale.len()) {
		(a, b) if a == b => (offset, scale),
		(1, n) => (vec![offset[0]; n], scale),
		(n, 1) => (offset, vec![scale[0]; n]),
		(a, b) => bail!("{} (Scaler): offset has {a} values but scale has {b}", node.name),
	};
	ensure!(!scale.is_empty(), "{} (Scaler): empty scale", node.name);
	built(Scaler { offset, scale })
}

impl Scaler {
	fn infer<'r, 'p: 'r>(
		&self,
		s: &mut Solver<'r>,
		inputs: &'p [TensorProxy],
		outputs: &'p [TensorProxy],
	) -> InferenceResult {
		same_shape_rules(s, inputs, outputs, Some(f32::datum_type()))
	}

	fn facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
		check_rank_1_or_2(inputs[0], "Scaler")?;
		Ok(tvec!(f32::fact(inputs[0].shape.clone())))
	}

	fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
		let input = &inputs[0];
		let (_, stride) = rows_and_stride(input.shape(), "Scaler")?;
		let n = self.scale.len();
		ensure!(n == stride || n == 1, "Scaler has {n} offset/scale values for {stride} features");
		let out: Vec<f32> = if input.datum_type() == f64::datum_type() {
			// onnxruntime computes in the input type and casts the result to float.
			let x = input.try_as_plain_ram()?.as_slice::<f64>()?;
			x.iter()
				.enumerate()
				.map(|(i, x)| {
					let j = i % n;
					((x - self.offset[j] as f64) * self.scale[j] as f64) as f32
				})
				.collect()
		} else {
			input_f32(input)?
				.iter()
				.enumerate()
				.map(|(i, x)| {
					let j = i % n;
					(x - self.offset[j]) * self.scale[j]
				})
				.collect()
		};
		Ok(tvec!(Tensor::from_shape(input.shape(), &out)?.into_tvalue()))
	}
}

ml_op!(Scaler, "Scaler");
