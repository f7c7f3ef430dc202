//! The compiler's state: the program being built, what each ONNX value is (a tensor of the
//! program or a constant), and the walk over the graph.

use super::onnx::{self, ConstTensor};
use super::threshold::Domain;
use super::{default_range, lower_ml, lower_nn, CompileError, Options};
use super::{ACTIVATION_SCALE, WEIGHT_SCALE};
use crate::program::{ConstId, Constant, InputSpec, Op, Program, TensorId, FORMAT_VERSION};
use std::collections::{BTreeMap, BTreeSet};
use tract_onnx::pb;

/// A tensor of the program, as the compiler knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Val {
	/// Its id.
	pub id: TensorId,
	/// Its elements (one batch row).
	pub len: usize,
	/// Its scale.
	pub scale: u8,
	/// Its ONNX dimensions without the batch.
	pub dims: Vec<usize>,
	/// `Some` when its values are the model's float input unchanged (thresholds on it
	/// can be exact).
	pub raw: Option<Domain>,
	/// Whether its values are integers (scale 0).
	pub integral: bool,
}

impl Val {
	/// The domain its thresholds compare in.
	pub fn domain(&self) -> Domain {
		self.raw.unwrap_or(Domain::Real(self.scale))
	}
}

/// What an ONNX value name is.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
	/// A program tensor.
	Tensor(Val),
	/// A constant (initializer or `Constant` node).
	Const(ConstTensor),
}

/// The program being built.
pub struct Builder {
	pub constants: Vec<Constant>,
	pub nodes: Vec<Op>,
	/// The ONNX node each program node came from (`op_type 'name'`).
	pub origins: Vec<String>,
	pub values: BTreeMap<String, Value>,
	/// The names whose tensor is the output (the output and what it aliases).
	pub finals: BTreeSet<String>,
	/// How many needed nodes read each name.
	pub readers: BTreeMap<String, usize>,
	pub output_scale: u8,
	/// The node being lowered (for origins and errors).
	pub current: (String, String),
}

impl Builder {
	/// Appends a node; returns its tensor.
	pub fn push(&mut self, op: Op) -> TensorId {
		self.nodes.push(op);
		self.origins.push(format!("{} '{}'", self.current.0, self.current.1));
		self.nodes.len() as TensorId
	}

	/// Appends a constant of integers at `scale`.
	pub fn constant(&mut self, scale: u8, values: Vec<i64>) -> ConstId {
		self.constants.push(Constant { scale, values });
		(self.constants.len() - 1) as ConstId
	}

	/// Appends a constant of floats at [`WEIGHT_SCALE`].
	pub fn weights(&mut self, values: &[f64], what: &str) -> Result<ConstId, CompileError> {
		let q = values
			.iter()
			.map(|v| quantise(*v, WEIGHT_SCALE, what))
			.collect::<Result<Vec<_>, _>>()?;
		Ok(self.constant(WEIGHT_SCALE, q))
	}

	/// The scale a node should give the value `name`.
	pub fn scale_for(&self, name: &str) -> u8 {
		if self.finals.contains(name) {
			self.output_scale
		} else {
			ACTIVATION_SCALE
		}
	}

	/// A program tensor by name.
	pub fn tensor(&self, name: &str) -> Result<Val, CompileError> {
		match self.values.get(name) {
			Some(Value::Tensor(v)) => Ok(v.clone()),
			_ => Err(CompileError::MissingValue(name.into())),
		}
	}

	/// A constant by name.
	pub fn constant_of(&self, name: &str) -> Result<ConstTensor, CompileError> {
		match self.values.get(name) {
			Some(Value::Const(c)) => Ok(c.clone()),
			_ => Err(CompileError::MissingValue(name.into())),
		}
	}

	/// Names a tensor.
	pub fn set(&mut self, name: &str, val: Val) {
		self.values.insert(name.into(), Value::Tensor(val));
	}

	/// A plain tensor record.
	pub fn val(&self, id: TensorId, dims: Vec<usize>, scale: u8, integral: bool) -> Val {
		let len = dims.iter().product::<usize>().max(1);
		Val { id, len, scale, dims, raw: None, integral }
	}

	/// An "unsupported use" error for the current node.
	pub fn unsupported(&self, what: impl Into<String>) -> CompileError {
		CompileError::UnsupportedUse {
			op_type: self.current.0.clone(),
			node: self.current.1.clone(),
			what: what.into(),
		}
	}
}

/// `round_half_even(v * 10^scale)` in `f64`, checked to be finite and to fit an `i64`.
pub fn quantise(v: f64, scale: u8, what: &str) -> Result<i64, CompileError> {
	let q = (v * 10f64.powi(i32::from(scale))).round_ties_even();
	let limit = 2f64.powi(63);
	if !q.is_finite() || !(-limit..limit).contains(&q) {
		return Err(CompileError::ValueOutOfRange(format!("{what}: {v} at scale {scale}")));
	}
	Ok(q as i64)
}

/// The ONNX ops that pass their input through unchanged (the output aliases it).
fn is_alias(node: &pb::NodeProto) -> bool {
	matches!(node.op_type.as_str(), "Identity" | "Reshape" | "Flatten" | "Squeeze" | "Unsqueeze")
		|| (node.op_type == "Cast" && matches!(onnx::int(node, "to", 0), 1 | 11))
}

/// The nodes `output` depends on, as a mask over the graph's nodes.
fn needed(g: &pb::GraphProto, output: &str) -> Result<Vec<bool>, CompileError> {
	let mut producer = BTreeMap::new();
	for (i, n) in g.node.iter().enumerate() {
		for o in &n.output {
			producer.insert(o.as_str(), i);
		}
	}
	if !producer.contains_key(output) {
		return Err(CompileError::OutputNotFound(output.into()));
	}
	let mut mask = vec![false; g.node.len()];
	let mut stack = vec![output];
	while let Some(name) = stack.pop() {
		let Some(&i) = producer.get(name) else { continue };
		if let (Some(seen), Some(node)) = (mask.get_mut(i), g.node.get(i)) {
			if !*seen {
				*seen = true;
				stack.extend(node.input.iter().map(String::as_str));
			}
		}
	}
	Ok(mask)
}

/// Lowers the graph for `options`; returns the program and each node's origin.
pub fn build(bytes: &[u8], options: &Options) -> Result<(Program, Vec<String>), CompileError> {
	let g = onnx::decode(bytes)?;
	let (input_name, elem_type, width) = onnx::graph_input(&g)?;
	let mask = needed(&g, &options.output_name)?;
	let mut b = Builder {
		constants: Vec::new(),
		nodes: Vec::new(),
		origins: Vec::new(),
		values: BTreeMap::new(),
		finals: BTreeSet::new(),
		readers: BTreeMap::new(),
		output_scale: options.output_scale,
		current: ("input".into(), input_name.clone()),
	};
	for t in &g.initializer {
		b.values.insert(t.name.clone(), Value::Const(onnx::tensor(t)?));
	}
	// The output and every value it is an alias of, backwards.
	b.finals.insert(options.output_name.clone());
	for n in g.node.iter().rev() {
		if is_alias(n) && n.output.iter().any(|o| b.finals.contains(o)) {
			if let Some(i) = n.input.first() {
				b.finals.insert(i.clone());
			}
		}
	}
	for (n, _) in g.node.iter().zip(&mask).filter(|(_, m)| **m) {
		for i in &n.input {
			*b.readers.entry(i.clone()).or_default() += 1;
		}
	}
	let s = options.input_scale;
	let input = match elem_type {
		onnx::FLOAT | onnx::DOUBLE => {
			let raw = if elem_type == onnx::FLOAT { Domain::F32(s) } else { Domain::F64(s) };
			Val { id: 0, len: width, scale: s, dims: vec![width], raw: Some(raw), integral: s == 0 }
		}
		onnx::INT64 | onnx::INT32 => {
			// The engine feeds round_half_even(q / 10^s): the same, exactly.
			let id = b.push(Op::Rescale { input: 0, scale: 0 });
			Val { id, len: width, scale: 0, dims: vec![width], raw: None, integral: true }
		}
		t => return Err(CompileError::UnsupportedInput(format!("element type {t}"))),
	};
	b.set(&input_name, input);
	for (n, _) in g.node.iter().zip(&mask).filter(|(_, m)| **m) {
		b.current = (n.op_type.clone(), onnx::node_name(n));
		let ml = n.domain == "ai.onnx.ml";
		let handled = if ml { lower_ml::lower(&mut b, n)? } else { lower_nn::lower(&mut b, n)? };
		if !handled {
			return Err(CompileError::UnsupportedOperator {
				domain: if n.domain.is_empty() { "ai.onnx".into() } else { n.domain.clone() },
				op_type: n.op_type.clone(),
				node: onnx::node_name(n),
			});
		}
	}
	let out = b.tensor(&options.output_name)?;
	let program = Program {
		version: FORMAT_VERSION,
		input: InputSpec {
			len: width as u32,
			scale: s,
			range: options.input_range.clone().unwrap_or_else(|| default_range(s)),
		},
		constants: b.constants,
		nodes: b.nodes,
		output: out.id,
		output_scale: options.output_scale,
	};
	Ok((program, b.origins))
}
