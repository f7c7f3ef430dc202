//! Reading the ONNX protobuf (tract-onnx's `pb` types, as the engine does): attributes,
//! initializers, the graph input.

use super::CompileError;
use prost::Message;
use tract_onnx::pb;

/// ONNX `TensorProto.DataType` codes the compiler reads.
pub const FLOAT: i32 = 1;
pub const INT32: i32 = 6;
pub const INT64: i32 = 7;
pub const DOUBLE: i32 = 11;

/// Decodes a model and returns its graph.
pub fn decode(bytes: &[u8]) -> Result<pb::GraphProto, CompileError> {
	let model =
		pb::ModelProto::decode(bytes).map_err(|e| CompileError::Undecodable(e.to_string()))?;
	model.graph.ok_or_else(|| CompileError::Undecodable("no graph".into()))
}

/// A node's name for errors: its name, or its first output.
pub fn node_name(node: &pb::NodeProto) -> String {
	if node.name.is_empty() {
		node.output.first().cloned().unwrap_or_default()
	} else {
		node.name.clone()
	}
}

/// A node's attribute by name.
pub fn attr<'a>(node: &'a pb::NodeProto, name: &str) -> Option<&'a pb::AttributeProto> {
	node.attribute.iter().find(|a| a.name == name)
}

/// An integer attribute, or `default`.
pub fn int(node: &pb::NodeProto, name: &str, default: i64) -> i64 {
	attr(node, name).map_or(default, |a| a.i)
}

/// A float attribute, or `default`.
pub fn float(node: &pb::NodeProto, name: &str, default: f32) -> f32 {
	attr(node, name).map_or(default, |a| a.f)
}

/// A string attribute, or `default`.
pub fn string(node: &pb::NodeProto, name: &str, default: &str) -> String {
	attr(node, name).map_or(default.into(), |a| String::from_utf8_lossy(&a.s).into_owned())
}

/// A float-list attribute (empty if absent), widened exactly to `f64`.
pub fn floats(node: &pb::NodeProto, name: &str) -> Vec<f64> {
	attr(node, name).map_or(Vec::new(), |a| a.floats.iter().map(|f| f64::from(*f)).collect())
}

/// An integer-list attribute (empty if absent).
pub fn ints(node: &pb::NodeProto, name: &str) -> Vec<i64> {
	attr(node, name).map_or(Vec::new(), |a| a.ints.clone())
}

/// A string-list attribute (empty if absent).
pub fn strings(node: &pb::NodeProto, name: &str) -> Vec<String> {
	attr(node, name).map_or(Vec::new(), |a| {
		a.strings.iter().map(|s| String::from_utf8_lossy(s).into_owned()).collect()
	})
}

/// A constant tensor's values: as floats (exact for every type read), and as integers
/// for integer types.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstTensor {
	/// Its dimensions.
	pub dims: Vec<i64>,
	/// Its values as `f64`.
	pub floats: Vec<f64>,
	/// Its values, if an integer type.
	pub ints: Option<Vec<i64>>,
}

fn chunks<const N: usize>(raw: &[u8]) -> impl Iterator<Item = [u8; N]> + '_ {
	raw.chunks_exact(N).map(|c| {
		let mut a = [0u8; N];
		a.copy_from_slice(c);
		a
	})
}

/// Reads an initializer (or a `Constant` node's value).
pub fn tensor(t: &pb::TensorProto) -> Result<ConstTensor, CompileError> {
	let raw = &t.raw_data;
	let bad = || CompileError::UnsupportedUse {
		op_type: "initializer".into(),
		node: t.name.clone(),
		what: format!("data type {}", t.data_type),
	};
	let (floats, ints): (Vec<f64>, Option<Vec<i64>>) = match t.data_type {
		FLOAT if raw.is_empty() => (t.float_data.iter().map(|v| f64::from(*v)).collect(), None),
		FLOAT => (chunks::<4>(raw).map(|b| f64::from(f32::from_le_bytes(b))).collect(), None),
		DOUBLE if raw.is_empty() => (t.double_data.clone(), None),
		DOUBLE => (chunks::<8>(raw).map(f64::from_le_bytes).collect(), None),
		INT64 => {
			let v: Vec<i64> = if raw.is_empty() {
				t.int64_data.clone()
			} else {
				chunks::<8>(raw).map(i64::from_le_bytes).collect()
			};
			(v.iter().map(|x| *x as f64).collect(), Some(v))
		}
		INT32 => {
			let v: Vec<i64> = if raw.is_empty() {
				t.int32_data.iter().map(|x| i64::from(*x)).collect()
			} else {
				chunks::<4>(raw).map(|b| i64::from(i32::from_le_bytes(b))).collect()
			};
			(v.iter().map(|x| *x as f64).collect(), Some(v))
		}
		_ => return Err(bad()),
	};
	Ok(ConstTensor { dims: t.dims.clone(), floats, ints })
}

/// The graph's one input that is not an initializer: its name, element type and width
/// (the second dimension of `[N, features]`).
pub fn graph_input(g: &pb::GraphProto) -> Result<(String, i32, usize), CompileError> {
	let inits: std::collections::BTreeSet<&str> =
		g.initializer.iter().map(|t| t.name.as_str()).collect();
	let inputs: Vec<&pb::ValueInfoProto> =
		g.input.iter().filter(|i| !inits.contains(i.name.as_str())).collect();
	let [input] = inputs.as_slice() else {
		return Err(CompileError::UnsupportedInput(format!("{} inputs, not one", inputs.len())));
	};
	let Some(pb::type_proto::Value::TensorType(t)) =
		input.r#type.as_ref().and_then(|t| t.value.as_ref())
	else {
		return Err(CompileError::UnsupportedInput("not a tensor".into()));
	};
	let dims: Vec<Option<i64>> = t
		.shape
		.as_ref()
		.map(|s| {
			s.dim
				.iter()
				.map(|d| match d.value {
					Some(pb::tensor_shape_proto::dimension::Value::DimValue(v)) => Some(v),
					_ => None,
				})
				.collect()
		})
		.unwrap_or_default();
	let width = match dims.as_slice() {
		[_, Some(w)] if *w > 0 => *w as usize,
		_ => return Err(CompileError::UnsupportedInput("shape is not [N, features]".into())),
	};
	Ok((input.name.clone(), t.elem_type, width))
}
