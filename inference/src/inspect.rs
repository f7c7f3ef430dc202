//! Reading what a model is from its protobuf, without building it: [`inspect`].

use std::collections::BTreeMap;

use aioracle_primitives::model::{ElementType, ModelHash};
use prost::Message;
use tract_onnx::pb;

use crate::{ops, EngineError};

/// The default ONNX domain, as the model JSON files and [`OpUsage::domain`] write it (in
/// the protobuf it is the empty string).
pub const DEFAULT_DOMAIN: &str = "ai.onnx";

/// The ONNX-ML domain.
pub const ML_DOMAIN: &str = "ai.onnx.ml";

/// What a model is: its identity, its interface and the operators it uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelInfo {
	/// blake2-256 of the bytes.
	pub hash: ModelHash,
	/// The length of the bytes.
	pub size_bytes: usize,
	/// The ONNX IR version.
	pub ir_version: i64,
	/// The producer's name and version, e.g. `skl2onnx 1.20.0`.
	pub producer: String,
	/// The graph's name.
	pub graph_name: String,
	/// The operator sets the model imports, in the model's order.
	pub opset_imports: Vec<OpsetImport>,
	/// The graph's inputs (those not given by an initializer), in order.
	pub inputs: Vec<TensorInfo>,
	/// The graph's outputs, in order.
	pub outputs: Vec<TensorInfo>,
	/// Every operator the graph uses (subgraphs included), sorted by domain and type.
	pub ops: Vec<OpUsage>,
	/// The operators among [`Self::ops`] this engine does not implement, as
	/// `domain:op_type`. A model with any cannot be loaded.
	pub unsupported_ops: Vec<String>,
}

/// An imported operator set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpsetImport {
	/// The domain, [`DEFAULT_DOMAIN`] for the default one.
	pub domain: String,
	/// The opset version.
	pub version: i64,
}

/// One of a graph's inputs or outputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorInfo {
	/// Its name.
	pub name: String,
	/// Its element type, if it is a tensor of one the engine feeds or reads.
	pub element_type: Option<ElementType>,
	/// The ONNX name of its element type (`float32`, `int64`, `string`, ...), or
	/// `non-tensor` for sequences, maps and the like.
	pub onnx_type: String,
	/// Its dimensions (`None` for a symbolic or unknown one, such as the batch), or
	/// `None` if the model declares no shape.
	pub shape: Option<Vec<Option<u64>>>,
}

/// How often the graph uses an operator, and whether the engine implements it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpUsage {
	/// The domain, [`DEFAULT_DOMAIN`] for the default one.
	pub domain: String,
	/// The operator type.
	pub op_type: String,
	/// The number of nodes using it.
	pub count: usize,
	/// Whether this engine implements it.
	pub supported: bool,
}

/// Describes a model from its bytes: hash, size, interface, opsets and operators, and
/// which operators the engine does not implement. Only the protobuf is decoded, so a
/// model with unsupported operators is described all the same.
pub fn inspect(bytes: &[u8]) -> Result<ModelInfo, EngineError> {
	let proto = decode(bytes)?;
	Ok(describe(&proto, bytes))
}

/// blake2-256 of `bytes`, the chain's [`ModelHash`].
pub fn model_hash(bytes: &[u8]) -> ModelHash {
	let digest = blake2b_simd::Params::new().hash_length(32).hash(bytes);
	ModelHash::from_slice(digest.as_bytes())
}

/// Decodes the protobuf.
pub(crate) fn decode(bytes: &[u8]) -> Result<pb::ModelProto, EngineError> {
	let proto = pb::ModelProto::decode(bytes)
		.map_err(|e| EngineError::InvalidModel(format!("not an ONNX protobuf: {e}")))?;
	if proto.graph.is_none() {
		return Err(EngineError::InvalidModel("the model has no graph".into()));
	}
	Ok(proto)
}

/// Describes a decoded model.
pub(crate) fn describe(proto: &pb::ModelProto, bytes: &[u8]) -> ModelInfo {
	let graph = proto.graph.as_ref().expect("decode checks the graph");
	let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
	count_ops(graph, &mut counts);
	let ops: Vec<OpUsage> = counts
		.into_iter()
		.map(|((domain, op_type), count)| {
			let supported = is_supported(&domain, &op_type);
			OpUsage { domain, op_type, count, supported }
		})
		.collect();
	let unsupported_ops = ops
		.iter()
		.filter(|o| !o.supported)
		.map(|o| format!("{}:{}", o.domain, o.op_type))
		.collect();
	let initialized: std::collections::HashSet<&str> =
		graph.initializer.iter().map(|t| t.name.as_str()).collect();
	ModelInfo {
		hash: model_hash(bytes),
		size_bytes: bytes.len(),
		ir_version: proto.ir_version,
		producer: format!("{} {}", proto.producer_name, proto.producer_version).trim().to_string(),
		graph_name: graph.name.clone(),
		opset_imports: opset_imports(proto),
		inputs: graph
			.input
			.iter()
			.filter(|i| !initialized.contains(i.name.as_str()))
			.map(tensor_info)
			.collect(),
		outputs: graph.output.iter().map(tensor_info).collect(),
		ops,
		unsupported_ops,
	}
}

/// The imported opsets, the default domain written [`DEFAULT_DOMAIN`], without repeats
/// (exporters may import the default domain both as `""` and as `ai.onnx`).
fn opset_imports(proto: &pb::ModelProto) -> Vec<OpsetImport> {
	let mut imports: Vec<OpsetImport> = vec![];
	for o in &proto.opset_import {
		let import = OpsetImport { domain: domain_name(&o.domain), version: o.version };
		if !imports.contains(&import) {
			imports.push(import);
		}
	}
	imports
}

/// The domain as reported: the default domain as [`DEFAULT_DOMAIN`].
fn domain_name(domain: &str) -> String {
	if domain.is_empty() {
		DEFAULT_DOMAIN.to_string()
	} else {
		domain.to_string()
	}
}

/// Counts the ops of a graph and of its subgraphs (`If`, `Loop`, `Scan` bodies).
fn count_ops(graph: &pb::GraphProto, counts: &mut BTreeMap<(String, String), usize>) {
	for node in &graph.node {
		*counts.entry((domain_name(&node.domain), node.op_type.clone())).or_default() += 1;
		for attr in &node.attribute {
			for g in attr.g.iter().chain(attr.graphs.iter()) {
				count_ops(g, counts);
			}
		}
	}
}

/// Whether the engine implements `op_type` in `domain`: the ONNX-ML operators of
/// [`ops::ML_OPS`] in `ai.onnx.ml`, and in any other domain the operators tract-onnx's
/// registry knows that are not ONNX-ML ones.
pub(crate) fn is_supported(domain: &str, op_type: &str) -> bool {
	let ml = ops::ML_OPS.contains(&op_type);
	if domain == ML_DOMAIN {
		ml
	} else {
		!ml && crate::engine::framework().op_register.0.contains_key(op_type)
	}
}

/// The ONNX name of a `TensorProto.DataType`.
fn onnx_type_name(elem_type: i32) -> &'static str {
	match elem_type {
		1 => "float32",
		2 => "uint8",
		3 => "int8",
		4 => "uint16",
		5 => "int16",
		6 => "int32",
		7 => "int64",
		8 => "string",
		9 => "bool",
		10 => "float16",
		11 => "float64",
		12 => "uint32",
		13 => "uint64",
		14 => "complex64",
		15 => "complex128",
		16 => "bfloat16",
		_ => "other",
	}
}

/// The engine's element type for a `TensorProto.DataType`, if it has one.
pub(crate) fn element_type(elem_type: i32) -> Option<ElementType> {
	match elem_type {
		1 => Some(ElementType::F32),
		11 => Some(ElementType::F64),
		6 => Some(ElementType::I32),
		7 => Some(ElementType::I64),
		_ => None,
	}
}

fn tensor_info(value: &pb::ValueInfoProto) -> TensorInfo {
	let tensor = value.r#type.as_ref().and_then(|t| t.value.as_ref()).map(|v| match v {
		pb::type_proto::Value::TensorType(t) => t,
	});
	match tensor {
		None => TensorInfo {
			name: value.name.clone(),
			element_type: None,
			onnx_type: "non-tensor".into(),
			shape: None,
		},
		Some(t) => TensorInfo {
			name: value.name.clone(),
			element_type: element_type(t.elem_type),
			onnx_type: onnx_type_name(t.elem_type).into(),
			shape: t.shape.as_ref().map(|s| {
				s.dim
					.iter()
					.map(|d| match d.value {
						Some(pb::tensor_shape_proto::dimension::Value::DimValue(v)) if v > 0 => {
							Some(v as u64)
						}
						_ => None,
					})
					.collect()
			}),
		},
	}
}

/// Rejects tensors whose data lives in external files: the engine reads only the bytes it
/// is given.
pub(crate) fn check_no_external_data(graph: &pb::GraphProto) -> Result<(), EngineError> {
	let external = |t: &pb::TensorProto| {
		t.data_location == Some(pb::tensor_proto::DataLocation::External as i32)
			|| !t.external_data.is_empty()
	};
	if graph.initializer.iter().any(external) {
		return Err(EngineError::UnsupportedModel("a tensor's data is in an external file".into()));
	}
	for node in &graph.node {
		for attr in &node.attribute {
			if attr.t.iter().chain(attr.tensors.iter()).any(external) {
				return Err(EngineError::UnsupportedModel(
					"a tensor's data is in an external file".into(),
				));
			}
			for g in attr.g.iter().chain(attr.graphs.iter()) {
				check_no_external_data(g)?;
			}
		}
	}
	Ok(())
}
