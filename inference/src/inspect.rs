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
	/// The name (`dim_param`, e.g. `N` or `batch_size`) of each dimension that has one,
	/// as [`Self::shape`] orders them (`None` for a fixed or unnamed one; empty if the
	/// model declares no shape).
	pub dim_names: Vec<Option<String>>,
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
		2 => Some(ElementType::U8),
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
			dim_names: vec![],
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
			dim_names: t.shape.as_ref().map_or_else(Vec::new, |s| {
				s.dim
					.iter()
					.map(|d| match &d.value {
						Some(pb::tensor_shape_proto::dimension::Value::DimParam(p))
							if !p.is_empty() =>
						{
							Some(p.clone())
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

/// The bytes the tensors a graph declares would take once decoded: its initializers
/// (sparse ones as dense), the tensors of its nodes' attributes (`Constant`'s `value`,
/// ...), and those of its subgraphs, added up with saturation. Each tensor counts the
/// larger of its declared size (the product of its dimensions times its element's size)
/// and the data it carries.
///
/// A negative dimension is [`EngineError::InvalidModel`]; a product that overflows counts
/// as `u64::MAX`.
pub(crate) fn declared_tensor_bytes(graph: &pb::GraphProto) -> Result<u64, EngineError> {
	let mut total = 0u64;
	for tensor in &graph.initializer {
		total = total.saturating_add(tensor_bytes(tensor)?);
	}
	for sparse in &graph.sparse_initializer {
		total = total.saturating_add(sparse_tensor_bytes(sparse)?);
	}
	for node in &graph.node {
		for attr in &node.attribute {
			for tensor in attr.t.iter().chain(&attr.tensors) {
				total = total.saturating_add(tensor_bytes(tensor)?);
			}
			for sparse in attr.sparse_tensor.iter().chain(&attr.sparse_tensors) {
				total = total.saturating_add(sparse_tensor_bytes(sparse)?);
			}
			for g in attr.g.iter().chain(&attr.graphs) {
				total = total.saturating_add(declared_tensor_bytes(g)?);
			}
		}
	}
	Ok(total)
}

/// The bytes of one tensor once decoded (see [`declared_tensor_bytes`]).
fn tensor_bytes(t: &pb::TensorProto) -> Result<u64, EngineError> {
	let elements = element_count(&t.name, &t.dims)?;
	let size = element_size(t.data_type);
	let declared = elements.saturating_mul(size);
	// The data carried (what tract copies), in case it is more than the dimensions say.
	let carried = [
		t.raw_data.len() as u64,
		(t.float_data.len() as u64).saturating_mul(4),
		(t.int32_data.len() as u64).saturating_mul(size),
		(t.int64_data.len() as u64).saturating_mul(8),
		(t.double_data.len() as u64).saturating_mul(8),
		(t.uint64_data.len() as u64).saturating_mul(8),
		(t.string_data.len() as u64).saturating_mul(size),
	]
	.into_iter()
	.max()
	.unwrap_or(0);
	let bytes = declared.max(carried);
	Ok(if t.data_type == STRING {
		// A `String` per element, plus the strings' bytes.
		t.string_data.iter().fold(bytes, |n, s| n.saturating_add(s.len() as u64))
	} else {
		bytes
	})
}

/// The bytes of a sparse tensor once made dense, plus its values and indices.
fn sparse_tensor_bytes(t: &pb::SparseTensorProto) -> Result<u64, EngineError> {
	let name = t.values.as_ref().map_or("", |v| v.name.as_str());
	let size = t.values.as_ref().map_or(8, |v| element_size(v.data_type));
	let dense = element_count(name, &t.dims)?.saturating_mul(size);
	let mut total = dense;
	for part in t.values.iter().chain(&t.indices) {
		total = total.saturating_add(tensor_bytes(part)?);
	}
	Ok(total)
}

/// The number of elements of a tensor of dimensions `dims` (1 for a scalar), saturated.
fn element_count(name: &str, dims: &[i64]) -> Result<u64, EngineError> {
	dims.iter().try_fold(1u64, |n, d| {
		u64::try_from(*d).map(|d| n.saturating_mul(d)).map_err(|_| {
			EngineError::InvalidModel(format!("tensor {name:?} has a negative dimension ({d})"))
		})
	})
}

/// `TensorProto.DataType` STRING.
const STRING: i32 = 8;

/// The bytes of one element of a `TensorProto.DataType` once decoded by tract (8 for a
/// type unknown here: tract refuses those anyway).
fn element_size(data_type: i32) -> u64 {
	match data_type {
		// uint8, int8, bool, the float8 types, uint4/int4/float4 (one per byte).
		2 | 3 | 9 | 17..=23 => 1,
		// uint16, int16, float16, bfloat16.
		4 | 5 | 10 | 16 => 2,
		// float, int32, uint32.
		1 | 6 | 12 => 4,
		// int64, float64, uint64, complex64.
		7 | 11 | 13 | 14 => 8,
		// complex128.
		15 => 16,
		// string: a `String` (24 bytes) per element; its bytes are counted apart.
		STRING => std::mem::size_of::<String>() as u64,
		_ => 8,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn tensor(data_type: i32, dims: &[i64]) -> pb::TensorProto {
		pb::TensorProto { data_type, dims: dims.to_vec(), ..Default::default() }
	}

	fn graph(initializer: Vec<pb::TensorProto>, node: Vec<pb::NodeProto>) -> pb::GraphProto {
		pb::GraphProto { initializer, node, ..Default::default() }
	}

	fn with_attr(attr: pb::AttributeProto) -> pb::NodeProto {
		pb::NodeProto { attribute: vec![attr], ..Default::default() }
	}

	#[test]
	fn tensors_weigh_their_dimensions_times_their_element_size() {
		let bytes = |t| declared_tensor_bytes(&graph(vec![t], vec![])).unwrap();
		assert_eq!(bytes(tensor(1, &[3, 4])), 48);
		assert_eq!(bytes(tensor(11, &[3, 4])), 96);
		assert_eq!(bytes(tensor(7, &[])), 8, "a scalar is one element");
		assert_eq!(bytes(tensor(9, &[10])), 10);
		assert_eq!(bytes(tensor(10, &[10])), 20);
		assert_eq!(bytes(tensor(15, &[10])), 160);
		assert_eq!(bytes(tensor(1, &[0, 1 << 40])), 0);
		// Data beyond what the dimensions say counts.
		let carried = pb::TensorProto { raw_data: vec![0; 100], ..tensor(1, &[2]) };
		assert_eq!(bytes(carried), 100);
		let carried = pb::TensorProto { int64_data: vec![1; 5], ..tensor(7, &[]) };
		assert_eq!(bytes(carried), 40);
		// Strings: a `String` per element and their bytes.
		let strings = pb::TensorProto {
			string_data: vec![b"abc".to_vec(), b"de".to_vec()],
			..tensor(8, &[2])
		};
		assert_eq!(bytes(strings), 2 * 24 + 3 + 2);
		// Overflow saturates.
		assert_eq!(bytes(tensor(1, &[1 << 40, 1 << 40])), u64::MAX);
	}

	#[test]
	fn a_negative_dimension_is_invalid() {
		let g = graph(vec![pb::TensorProto { name: "w".into(), ..tensor(1, &[2, -3]) }], vec![]);
		match declared_tensor_bytes(&g) {
			Err(EngineError::InvalidModel(why)) => assert!(why.contains("\"w\""), "{why}"),
			other => panic!("{other:?}"),
		}
	}

	#[test]
	fn constants_sparse_tensors_and_subgraphs_count() {
		let constant =
			with_attr(pb::AttributeProto { t: Some(tensor(1, &[10])), ..Default::default() });
		let constants = with_attr(pb::AttributeProto {
			tensors: vec![tensor(7, &[2]); 2],
			..Default::default()
		});
		let sparse = pb::SparseTensorProto {
			values: Some(tensor(1, &[3])),
			indices: Some(tensor(7, &[3])),
			dims: vec![100, 100],
		};
		let with_sparse = with_attr(pb::AttributeProto {
			sparse_tensor: Some(sparse.clone()),
			..Default::default()
		});
		let body = graph(vec![tensor(1, &[5])], vec![constant.clone()]);
		let with_body = with_attr(pb::AttributeProto { g: Some(body), ..Default::default() });
		let mut g = graph(vec![tensor(1, &[1])], vec![constant, constants, with_sparse, with_body]);
		g.sparse_initializer.push(sparse);
		let sparse_bytes = 100 * 100 * 4 + 12 + 24;
		assert_eq!(
			declared_tensor_bytes(&g).unwrap(),
			4 + 40 + 32 + sparse_bytes + (20 + 40) + sparse_bytes
		);
	}
}
