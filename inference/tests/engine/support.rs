//! Helpers: the example models of `models/`, and small ONNX graphs written as protobuf.

use std::path::PathBuf;

use aioracle_inference::{ElementType, ModelHash, TensorSpec};
use prost::Message;
use serde_json::Value;
use tract_onnx::pb;

/// The repository's `models/` directory.
pub fn models_dir() -> PathBuf {
	manifest_dir().join("../models")
}

/// An example model: its JSON description and its bytes.
pub struct Example {
	pub name: String,
	pub json: Value,
	pub bytes: Vec<u8>,
	pub hash: ModelHash,
}

/// Every example model, by name. Fails if a `.onnx` file has no `.json` or the other way.
pub fn examples() -> Vec<Example> {
	let mut names: Vec<String> = std::fs::read_dir(models_dir())
		.expect("models/ exists")
		.map(|e| e.unwrap().path())
		.filter(|p| p.extension().is_some_and(|e| e == "onnx" || e == "json"))
		.map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
		.collect();
	names.sort();
	names.dedup();
	assert!(names.len() >= 7, "expected the 7 example models, found {names:?}");
	names
		.into_iter()
		.map(|name| {
			let json: Value = serde_json::from_slice(
				&std::fs::read(models_dir().join(format!("{name}.json")))
					.unwrap_or_else(|e| panic!("{name}.json: {e}")),
			)
			.unwrap();
			let bytes = std::fs::read(models_dir().join(format!("{name}.onnx")))
				.unwrap_or_else(|e| panic!("{name}.onnx: {e}"));
			let hash = parse_hash(json["hash"].as_str().unwrap());
			Example { name, json, bytes, hash }
		})
		.collect()
}

/// One example model.
pub fn example(name: &str) -> Example {
	examples().into_iter().find(|e| e.name == name).unwrap()
}

/// `0x` + 64 hex digits.
pub fn parse_hash(s: &str) -> ModelHash {
	let hex = s.strip_prefix("0x").unwrap();
	let bytes: Vec<u8> =
		(0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect();
	ModelHash::from_slice(&bytes)
}

/// A tensor spec.
pub fn spec(index: u32, element_type: ElementType, shape: &[u32]) -> TensorSpec {
	TensorSpec { index, element_type, shape: shape.to_vec().try_into().unwrap() }
}

/// The element type of a JSON `element_type`.
pub fn element_type(name: &str) -> ElementType {
	match name {
		"float32" => ElementType::F32,
		"float64" => ElementType::F64,
		"int64" => ElementType::I64,
		"int32" => ElementType::I32,
		other => panic!("element type {other}"),
	}
}

/// A JSON array of integers.
pub fn ints(v: &Value) -> Vec<i64> {
	v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect()
}

// --- Small ONNX graphs ---

/// `TensorProto.DataType` FLOAT.
pub const FLOAT: i32 = 1;
/// `TensorProto.DataType` INT64.
pub const INT64: i32 = 7;

/// A graph input or output of `elem` type; `None` dimensions are symbolic (`N`).
pub fn value(name: &str, elem: i32, dims: &[Option<i64>]) -> pb::ValueInfoProto {
	use pb::tensor_shape_proto::{dimension, Dimension};
	pb::ValueInfoProto {
		name: name.into(),
		r#type: Some(pb::TypeProto {
			denotation: String::new(),
			value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
				elem_type: elem,
				shape: Some(pb::TensorShapeProto {
					dim: dims
						.iter()
						.map(|d| Dimension {
							denotation: String::new(),
							value: Some(match d {
								Some(v) => dimension::Value::DimValue(*v),
								None => dimension::Value::DimParam("N".into()),
							}),
						})
						.collect(),
				}),
			})),
		}),
		doc_string: String::new(),
	}
}

/// An attribute.
pub enum A {
	F(f32),
	Fs(Vec<f32>),
	I(i64),
	Is(Vec<i64>),
	S(&'static str),
	Ss(Vec<&'static str>),
}

/// A node.
pub fn node(
	op_type: &str,
	domain: &str,
	inputs: &[&str],
	outputs: &[&str],
	attrs: Vec<(&str, A)>,
) -> pb::NodeProto {
	use pb::attribute_proto::AttributeType as T;
	pb::NodeProto {
		input: inputs.iter().map(|s| s.to_string()).collect(),
		output: outputs.iter().map(|s| s.to_string()).collect(),
		name: format!("{op_type}_0"),
		op_type: op_type.into(),
		domain: domain.into(),
		attribute: attrs
			.into_iter()
			.map(|(name, a)| {
				let mut attr = pb::AttributeProto { name: name.into(), ..Default::default() };
				match a {
					A::F(f) => (attr.r#type, attr.f) = (T::Float as i32, f),
					A::Fs(v) => (attr.r#type, attr.floats) = (T::Floats as i32, v),
					A::I(i) => (attr.r#type, attr.i) = (T::Int as i32, i),
					A::Is(v) => (attr.r#type, attr.ints) = (T::Ints as i32, v),
					A::S(s) => (attr.r#type, attr.s) = (T::String as i32, s.as_bytes().to_vec()),
					A::Ss(v) => {
						(attr.r#type, attr.strings) =
							(T::Strings as i32, v.iter().map(|s| s.as_bytes().to_vec()).collect())
					}
				}
				attr
			})
			.collect(),
		doc_string: String::new(),
	}
}

/// The bytes of a model of one graph (default opset 17, ai.onnx.ml opset 1).
pub fn model(
	nodes: Vec<pb::NodeProto>,
	inputs: Vec<pb::ValueInfoProto>,
	outputs: Vec<pb::ValueInfoProto>,
) -> Vec<u8> {
	let proto = pb::ModelProto {
		ir_version: 8,
		opset_import: vec![
			pb::OperatorSetIdProto { domain: String::new(), version: 17 },
			pb::OperatorSetIdProto { domain: "ai.onnx.ml".into(), version: 1 },
		],
		producer_name: "aioracle-inference tests".into(),
		graph: Some(pb::GraphProto {
			node: nodes,
			name: "test".into(),
			input: inputs,
			output: outputs,
			..Default::default()
		}),
		..Default::default()
	};
	proto.encode_to_vec()
}

/// A model with one `[N, k]` float input `x` and one node of `op` (domain
/// `ai.onnx.ml` unless `op` is a standard operator), whose outputs are declared without
/// type constraints beyond `outputs`.
pub fn one_op(
	op: &str,
	domain: &str,
	k: i64,
	attrs: Vec<(&str, A)>,
	outputs: &[(&str, i32, &[Option<i64>])],
) -> Vec<u8> {
	let names: Vec<&str> = outputs.iter().map(|o| o.0).collect();
	model(
		vec![node(op, domain, &["x"], &names, attrs)],
		vec![value("x", FLOAT, &[None, Some(k)])],
		outputs.iter().map(|(n, e, d)| value(n, *e, d)).collect(),
	)
}

/// This package's directory, as cargo gives it when it runs the test: the target directory
/// may be shared by several clones, and a binary built in one of them (with its
/// compile-time `CARGO_MANIFEST_DIR`) may run in another.
fn manifest_dir() -> std::path::PathBuf {
	std::env::var_os("CARGO_MANIFEST_DIR")
		.map(std::path::PathBuf::from)
		.unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
}
