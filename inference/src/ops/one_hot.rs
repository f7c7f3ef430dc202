//! `OneHotEncoder` (ai.onnx.ml): each input element becomes a vector with a 1 at the
//! position of its category in `cats_int64s` (or `cats_strings`) and 0 elsewhere; the
//! output is `float` with the input's shape plus one axis of the categories. An unknown
//! category gives all zeros if `zeros` is 1 (the default) and is an error otherwise.
//! Float inputs are cast to int64 first (truncating), as onnxruntime does.

use super::*;
use std::collections::HashMap;
use tract_onnx::model::ParsingContext;

/// The categories of a `OneHotEncoder`, each with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Categories {
	Ints(HashMap<i64, usize>, usize),
	Strings(HashMap<String, usize>, usize),
}

/// Each category's position; a category listed twice keeps its last position, as in
/// onnxruntime.
fn positions<T: std::hash::Hash + Eq + Clone>(cats: &[T]) -> HashMap<T, usize> {
	cats.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect()
}

/// The `OneHotEncoder` op.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OneHotEncoder {
	categories: Categories,
	/// Whether an unknown category encodes as all zeros (else it is an error).
	zeros: bool,
}

/// Builds a `OneHotEncoder`; exactly one of `cats_int64s` and `cats_strings` is needed.
pub(crate) fn build(_ctx: &ParsingContext, node: &NodeProto) -> Built {
	let ints = node.get_attr_opt_vec::<i64>("cats_int64s")?.filter(|v| !v.is_empty());
	let strings = node.get_attr_opt_vec::<String>("cats_strings")?.filter(|v| !v.is_empty());
	let categories = match (ints, strings) {
		(Some(ints), None) => Categories::Ints(positions(&ints), ints.len()),
		(None, Some(strings)) => Categories::Strings(positions(&strings), strings.len()),
		_ => bail!(
			"{} (OneHotEncoder): exactly one of cats_int64s and cats_strings is needed",
			node.name
		),
	};
	let zeros = node.get_attr_opt::<i64>("zeros")?.unwrap_or(1) != 0;
	built(OneHotEncoder { categories, zeros })
}

impl OneHotEncoder {
	fn len(&self) -> usize {
		match &self.categories {
			Categories::Ints(_, n) | Categories::Strings(_, n) => *n,
		}
	}

	fn infer<'r, 'p: 'r>(
		&'r self,
		s: &mut Solver<'r>,
		inputs: &'p [TensorProxy],
		outputs: &'p [TensorProxy],
	) -> InferenceResult {
		s.equals(&outputs[0].datum_type, f32::datum_type())?;
		s.equals(inputs[0].rank.bex() + 1, &outputs[0].rank)?;
		s.given(&inputs[0].rank, move |s, rank| {
			let rank = rank as usize;
			for axis in 0..rank {
				s.equals(&inputs[0].shape[axis], &outputs[0].shape[axis])?;
			}
			s.equals(&outputs[0].shape[rank], self.len().to_dim())
		})
	}

	fn facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
		check_rank_1_or_2(inputs[0], "OneHotEncoder")?;
		let mut shape: TVec<TDim> = inputs[0].shape.iter().cloned().collect();
		shape.push(self.len().to_dim());
		Ok(tvec!(f32::fact(shape)))
	}

	fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
		let input = &inputs[0];
		let n = self.len();
		// The category index of every input element (None: unknown).
		let indices: Vec<Option<usize>> = match &self.categories {
			Categories::Ints(position, _) => {
				ensure!(
					input.datum_type() != String::datum_type(),
					"OneHotEncoder with int64 categories needs a numeric input"
				);
				input_i64(input)?.iter().map(|k| position.get(k).copied()).collect()
			}
			Categories::Strings(position, _) => {
				ensure!(
					input.datum_type() == String::datum_type(),
					"OneHotEncoder with string categories needs a string input"
				);
				let x = input.try_as_plain_ram()?.as_slice::<String>()?;
				x.iter().map(|k| position.get(k).copied()).collect()
			}
		};
		let mut out = vec![0.0f32; indices.len() * n];
		for (i, index) in indices.iter().enumerate() {
			match index {
				Some(j) => out[i * n + j] = 1.0,
				None if self.zeros => {}
				None => bail!("OneHotEncoder: unknown category and zeros = 0"),
			}
		}
		let mut shape: TVec<usize> = input.shape().into();
		shape.push(n);
		Ok(tvec!(Tensor::from_shape(&shape, &out)?.into_tvalue()))
	}
}

ml_op!(OneHotEncoder, "OneHotEncoder");
