//! `LabelEncoder` (ai.onnx.ml, opsets 2 and 3: the attributes skl2onnx writes), as
//! onnxruntime computes it: each element of the input is looked up among the keys
//! (`keys_int64s`, `keys_strings` or `keys_floats`) and replaced by the value at the same
//! position (`values_int64s`, `values_strings` or `values_floats`), or by the default
//! (`default_int64`, -1; `default_string`, `"_Unused"`; `default_float`, -0.0) if it is
//! not a key. The output has the input's shape. A key listed twice maps to its first
//! value; a NaN key matches a NaN element.
//!
//! Any key and value types may be paired (int64 to int64 is what scikit-learn's
//! `LabelEncoder` on integers exports). String tensors can flow between operators
//! inside a graph (as with `CategoryMapper`), but the engine neither feeds nor reads
//! them: a model's own input and outputs are numbers.
//!
//! Not supported (an error when the model is loaded): opset 1's `classes_strings` form and
//! opset 4's `keys_tensor`/`values_tensor`/`default_tensor`.

use std::collections::HashMap;

use super::*;
use tract_onnx::model::ParsingContext;

/// The keys or the values of a `LabelEncoder`, or its default (one element).
#[derive(Clone, Debug, PartialEq)]
enum Column {
	Ints(Vec<i64>),
	Strings(Vec<String>),
	Floats(Vec<f32>),
}

impl Column {
	/// Reads `<prefix>_int64s`, `<prefix>_strings` or `<prefix>_floats` (exactly one).
	fn parse(node: &NodeProto, prefix: &str) -> TractResult<Column> {
		let ints = node.get_attr_opt_vec::<i64>(&format!("{prefix}_int64s"))?;
		let strings = node.get_attr_opt_vec::<String>(&format!("{prefix}_strings"))?;
		let floats = node.get_attr_opt_vec::<f32>(&format!("{prefix}_floats"))?;
		match (ints, strings, floats) {
			(Some(v), None, None) => Ok(Column::Ints(v)),
			(None, Some(v), None) => Ok(Column::Strings(v)),
			(None, None, Some(v)) => Ok(Column::Floats(v)),
			_ => bail!(
				"{} (LabelEncoder): exactly one of {prefix}_int64s, {prefix}_strings and \
				 {prefix}_floats is needed",
				node.name
			),
		}
	}

	fn len(&self) -> usize {
		match self {
			Column::Ints(v) => v.len(),
			Column::Strings(v) => v.len(),
			Column::Floats(v) => v.len(),
		}
	}

	fn datum_type(&self) -> DatumType {
		match self {
			Column::Ints(_) => i64::datum_type(),
			Column::Strings(_) => String::datum_type(),
			Column::Floats(_) => f32::datum_type(),
		}
	}

	/// The default of a values column's type.
	fn default_for(node: &NodeProto, values: &Column) -> TractResult<Column> {
		Ok(match values {
			Column::Ints(_) => {
				Column::Ints(vec![node.get_attr_opt::<i64>("default_int64")?.unwrap_or(-1)])
			}
			Column::Strings(_) => Column::Strings(vec![node
				.get_attr_opt::<String>("default_string")?
				.unwrap_or_else(|| "_Unused".into())]),
			Column::Floats(_) => {
				Column::Floats(vec![node.get_attr_opt::<f32>("default_float")?.unwrap_or(-0.0)])
			}
		})
	}

	/// The elements at `positions` (`None`: the default's first element), as a tensor of
	/// `shape`.
	fn gather(
		&self,
		default: &Column,
		positions: &[Option<usize>],
		shape: &[usize],
	) -> TractResult<Tensor> {
		fn pick<T: Clone>(v: &[T], d: &[T], positions: &[Option<usize>]) -> TractResult<Vec<T>> {
			positions
				.iter()
				.map(|p| {
					p.map_or(d.first(), |p| v.get(p)).cloned().context("LabelEncoder: no value")
				})
				.collect()
		}
		let array = |t: Tensor| -> TractResult<Tensor> { t.into_shape(shape) };
		match (self, default) {
			(Column::Ints(v), Column::Ints(d)) => array(tensor1(&pick(v, d, positions)?)),
			(Column::Floats(v), Column::Floats(d)) => array(tensor1(&pick(v, d, positions)?)),
			(Column::Strings(v), Column::Strings(d)) => {
				array(tract_ndarray::Array1::from(pick(v, d, positions)?).into_tensor())
			}
			_ => bail!("LabelEncoder: the default's type differs from the values'"),
		}
	}
}

/// The `LabelEncoder` op.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LabelEncoder {
	keys: Column,
	values: Column,
	default: Column,
}

/// Builds a `LabelEncoder` from its opset 2/3 attributes.
pub(crate) fn build(_ctx: &ParsingContext, node: &NodeProto) -> Built {
	reject_attributes(
		node,
		&["classes_strings", "keys_tensor", "values_tensor", "default_tensor"],
	)?;
	let keys = Column::parse(node, "keys")?;
	let values = Column::parse(node, "values")?;
	ensure!(
		keys.len() == values.len(),
		"{} (LabelEncoder): {} keys for {} values",
		node.name,
		keys.len(),
		values.len()
	);
	let default = Column::default_for(node, &values)?;
	built(LabelEncoder { keys, values, default })
}

impl LabelEncoder {
	fn infer<'r, 'p: 'r>(
		&'r self,
		s: &mut Solver<'r>,
		inputs: &'p [TensorProxy],
		outputs: &'p [TensorProxy],
	) -> InferenceResult {
		same_shape_rules(s, inputs, outputs, Some(self.values.datum_type()))
	}

	fn facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
		let dt = inputs[0].datum_type;
		let fits = match self.keys {
			Column::Ints(_) => is_integer(dt),
			Column::Strings(_) => dt == String::datum_type(),
			Column::Floats(_) => dt.is_float(),
		};
		ensure!(fits, "LabelEncoder: {dt:?} input for {:?} keys", self.keys.datum_type());
		Ok(tvec!(self.values.datum_type().fact(inputs[0].shape.clone())))
	}

	fn run(&self, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
		let x = &inputs[0];
		let positions: Vec<Option<usize>> = match &self.keys {
			Column::Ints(keys) => {
				let index = first_positions(keys.iter().copied());
				input_i64(x)?.iter().map(|v| index.get(v).copied()).collect()
			}
			Column::Strings(keys) => {
				let index = first_positions(keys.iter().map(String::as_str));
				let plain = x.try_as_plain_ram()?;
				plain.as_slice::<String>()?.iter().map(|v| index.get(v.as_str()).copied()).collect()
			}
			Column::Floats(keys) => input_f32(x)?
				.iter()
				.map(|v| keys.iter().position(|k| k == v || (k.is_nan() && v.is_nan())))
				.collect(),
		};
		let out = self.values.gather(&self.default, &positions, x.shape())?;
		Ok(tvec!(out.into_tvalue()))
	}
}

/// Each key's first position.
fn first_positions<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> HashMap<K, usize> {
	let mut index = HashMap::new();
	for (i, k) in keys.enumerate() {
		index.entry(k).or_insert(i);
	}
	index
}

ml_op!(LabelEncoder, "LabelEncoder");
