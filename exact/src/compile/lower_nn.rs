//! Lowering the default-domain (`ai.onnx`) operators small models use: MatMul, Gemm, Add,
//! Relu, Sigmoid, Tanh, Softmax, ArgMax, TopK, Gather, Concat, and the shape-only ones
//! (Identity, Reshape, Flatten, Squeeze, Unsqueeze, Cast), which alias their input.

use super::builder::{Builder, Val, Value};
use super::onnx;
use super::CompileError;
use crate::program::Op;
use tract_onnx::pb;

fn input(n: &pb::NodeProto, i: usize) -> Result<&str, CompileError> {
	n.input
		.get(i)
		.map(String::as_str)
		.filter(|s| !s.is_empty())
		.ok_or_else(|| CompileError::MissingValue(format!("input {i} of {}", onnx::node_name(n))))
}

fn output(n: &pb::NodeProto, i: usize) -> Result<&str, CompileError> {
	n.output
		.get(i)
		.map(String::as_str)
		.ok_or_else(|| CompileError::MissingValue(format!("output {i} of {}", onnx::node_name(n))))
}

/// Checks `axis` names the last (feature) axis of a tensor whose rows are `val`.
fn last_axis(b: &Builder, val: &Val, axis: i64) -> Result<(), CompileError> {
	let rank = val.dims.len() as i64 + 1; // with the batch
	let leading: usize = val.dims.iter().rev().skip(1).product();
	if (axis == -1 || axis == rank - 1) && leading == 1 {
		Ok(())
	} else {
		Err(b.unsupported(format!("axis {axis} of a tensor of dims {:?}", val.dims)))
	}
}

/// Lowers `n`; `false` when its operator is not one of these.
pub fn lower(b: &mut Builder, n: &pb::NodeProto) -> Result<bool, CompileError> {
	let out = output(n, 0)?.to_string();
	match n.op_type.as_str() {
		"Identity" | "Reshape" | "Flatten" | "Squeeze" | "Unsqueeze" => {
			let x = b.tensor(input(n, 0)?)?;
			let dims = match n.op_type.as_str() {
				"Reshape" => reshape(b, n, &x)?,
				"Flatten" => vec![x.len],
				_ => x.dims.clone(),
			};
			b.set(&out, Val { dims, ..x });
		}
		"Cast" => {
			let x = b.tensor(input(n, 0)?)?;
			match onnx::int(n, "to", 0) {
				1 | 11 => b.set(&out, x),
				6 | 7 if x.integral => b.set(&out, x),
				to => return Err(b.unsupported(format!("a cast to type {to} of a non-integer"))),
			}
		}
		"Constant" => {
			let t = onnx::attr(n, "value")
				.and_then(|a| a.t.as_ref())
				.ok_or_else(|| b.unsupported("a Constant without a tensor `value`"))?;
			b.values.insert(out, Value::Const(onnx::tensor(t)?));
		}
		"MatMul" | "Gemm" => matmul(b, n, &out)?,
		"Add" => add(b, n, &out)?,
		"Sub" | "Mul" | "Div" => affine(b, n, &out)?,
		"Relu" => {
			let x = b.tensor(input(n, 0)?)?;
			let id = b.push(Op::Relu { input: x.id });
			b.set(&out, Val { id, raw: None, ..x });
		}
		"Sigmoid" | "Tanh" | "Softmax" => {
			let x = b.tensor(input(n, 0)?)?;
			let scale = b.scale_for(&out);
			let op = match n.op_type.as_str() {
				"Sigmoid" => Op::Sigmoid { input: x.id, scale },
				"Tanh" => Op::Tanh { input: x.id, scale },
				_ => {
					last_axis(b, &x, onnx::int(n, "axis", -1))?;
					Op::Softmax { input: x.id, scale }
				}
			};
			let id = b.push(op);
			let v = b.val(id, x.dims.clone(), scale, false);
			b.set(&out, v);
		}
		"ArgMax" => {
			let x = b.tensor(input(n, 0)?)?;
			last_axis(b, &x, onnx::int(n, "axis", 0))?;
			if onnx::int(n, "select_last_index", 0) != 0 {
				return Err(b.unsupported("select_last_index"));
			}
			let id = b.push(Op::ArgMax { input: x.id });
			let v = b.val(id, vec![1], 0, true);
			b.set(&out, v);
		}
		"TopK" => {
			let x = b.tensor(input(n, 0)?)?;
			last_axis(b, &x, onnx::int(n, "axis", -1))?;
			if onnx::int(n, "largest", 1) != 1 || onnx::int(n, "sorted", 1) != 1 {
				return Err(b.unsupported("smallest or unsorted top-k"));
			}
			let k = b.constant_of(input(n, 1)?)?;
			let k = match k.ints.as_deref() {
				Some([k]) if *k > 0 => *k as u32,
				_ => return Err(b.unsupported("a K that is not one positive integer")),
			};
			for (i, values) in [(0, true), (1, false)] {
				let Ok(name) = output(n, i) else { continue };
				let name = name.to_string();
				if !b.readers.contains_key(&name) && !b.finals.contains(&name) {
					continue;
				}
				let id = b.push(Op::TopK { input: x.id, k, values });
				let (scale, integral) = if values { (x.scale, x.integral) } else { (0, true) };
				let v = b.val(id, vec![k as usize], scale, integral);
				b.set(&name, v);
			}
		}
		"Gather" => gather(b, n, &out)?,
		"Concat" => {
			let parts =
				n.input.iter().map(|i| b.tensor(i)).collect::<Result<Vec<_>, CompileError>>()?;
			let axis = onnx::int(n, "axis", 0);
			for p in &parts {
				last_axis(b, p, axis)?;
			}
			let integral = parts.iter().all(|p| p.integral && p.scale == 0);
			let scale = if integral { 0 } else { b.scale_for(&out) };
			let len: usize = parts.iter().map(|p| p.len).sum();
			let id = b.push(Op::Concat { inputs: parts.iter().map(|p| p.id).collect(), scale });
			let mut dims = parts.first().map(|p| p.dims.clone()).unwrap_or_default();
			if let Some(last) = dims.last_mut() {
				*last = len;
			} else {
				dims = vec![len];
			}
			let v = b.val(id, dims, scale, integral);
			b.set(&out, v);
		}
		_ => return Ok(false),
	}
	Ok(true)
}

/// The dimensions (without the batch) a `Reshape` gives `x`.
fn reshape(b: &Builder, n: &pb::NodeProto, x: &Val) -> Result<Vec<usize>, CompileError> {
	let shape = b.constant_of(input(n, 1)?)?.ints.unwrap_or_default();
	// Drop the batch (the first entry), resolve -1 (and 0: copy) against one row.
	let rest: Vec<i64> = shape.iter().skip(1).copied().collect();
	let known: i64 = rest.iter().filter(|d| **d > 0).product();
	let dims: Vec<usize> = rest
		.iter()
		.map(|d| if *d > 0 { *d as usize } else { (x.len as i64 / known.max(1)) as usize })
		.collect();
	if dims.iter().product::<usize>().max(1) != x.len {
		return Err(b.unsupported(format!("a reshape of {} elements to {shape:?}", x.len)));
	}
	Ok(dims)
}

/// `MatMul(x, W)` and `Gemm(x, B, C)` with constant weights: one `Linear`.
fn matmul(b: &mut Builder, n: &pb::NodeProto, out: &str) -> Result<(), CompileError> {
	let x = b.tensor(input(n, 0)?)?;
	let w =
		b.constant_of(input(n, 1)?).map_err(|_| b.unsupported("weights that are not constant"))?;
	let gemm = n.op_type == "Gemm";
	if gemm && onnx::int(n, "transA", 0) != 0 {
		return Err(b.unsupported("transA"));
	}
	let trans_b = gemm && onnx::int(n, "transB", 0) != 0;
	let (alpha, beta) = if gemm {
		(f64::from(onnx::float(n, "alpha", 1.0)), f64::from(onnx::float(n, "beta", 1.0)))
	} else {
		(1.0, 1.0)
	};
	let (k, m) = match w.dims.as_slice() {
		[r, c] if trans_b => (*c as usize, *r as usize),
		[r, c] => (*r as usize, *c as usize),
		_ => return Err(b.unsupported("weights that are not a matrix")),
	};
	if k != x.len || x.dims.len() != 1 {
		return Err(b.unsupported(format!("a product of {:?} by {k}x{m}", x.dims)));
	}
	// Row j of the program's weights is output j: W[j][i] = alpha * B[i][j].
	let mut rows = Vec::with_capacity(k * m);
	for j in 0..m {
		for i in 0..k {
			let v = if trans_b { w.floats.get(j * k + i) } else { w.floats.get(i * m + j) };
			rows.push(alpha * v.copied().unwrap_or(0.0));
		}
	}
	let weights = b.weights(&rows, "weights")?;
	let bias = match n.input.get(2).filter(|s| gemm && !s.is_empty()) {
		Some(c) => {
			let c = b.constant_of(c).map_err(|_| b.unsupported("a bias that is not constant"))?;
			let c = broadcast(b, &c.floats, m)?;
			let c: Vec<f64> = c.iter().map(|v| beta * v).collect();
			Some(b.weights(&c, "bias")?)
		}
		None => None,
	};
	let scale = b.scale_for(out);
	let id = b.push(Op::Linear { input: x.id, weights, bias, outputs: m as u32, scale });
	let v = b.val(id, vec![m], scale, false);
	b.set(out, v);
	Ok(())
}

/// `values` of one element or `len`, as `len`.
fn broadcast(b: &Builder, values: &[f64], len: usize) -> Result<Vec<f64>, CompileError> {
	match values {
		[v] => Ok(vec![*v; len]),
		v if v.len() == len => Ok(v.to_vec()),
		v => Err(b.unsupported(format!("{} values where {len} are needed", v.len()))),
	}
}

/// `Add`: folded into the `Linear` before it when that is its only reader, else `AddConst`
/// or `Add`.
fn add(b: &mut Builder, n: &pb::NodeProto, out: &str) -> Result<(), CompileError> {
	let (l, r) = (input(n, 0)?, input(n, 1)?);
	let scale = b.scale_for(out);
	let (x, c) = match (b.tensor(l), b.tensor(r)) {
		(Ok(x), Ok(y)) => {
			let (x, y) = if x.len == 1 && y.len != 1 { (y, x) } else { (x, y) };
			if y.len != x.len && y.len != 1 {
				return Err(b.unsupported("operands of different lengths"));
			}
			let id = b.push(Op::Add { a: x.id, b: y.id, scale });
			let v = b.val(id, x.dims.clone(), scale, false);
			b.set(out, v);
			return Ok(());
		}
		(Ok(x), Err(_)) => (x, b.constant_of(r)?),
		(Err(_), Ok(x)) => (x, b.constant_of(l)?),
		(Err(e), Err(_)) => return Err(e),
	};
	let name = if b.tensor(l).is_ok() { l } else { r };
	let addend = broadcast(b, &c.floats, x.len)?;
	let only_reader = b.readers.get(name) == Some(&1) && !b.finals.contains(name);
	let index = (x.id as usize).checked_sub(1);
	// Fold into the Linear that made x, if nothing else reads it.
	if only_reader {
		if let Some(i) = index {
			if matches!(b.nodes.get(i), Some(Op::Linear { bias: None, .. })) {
				let c = b.weights(&addend, "bias")?;
				if let Some(Op::Linear { bias, scale: s, .. }) = b.nodes.get_mut(i) {
					*bias = Some(c);
					*s = scale;
				}
				let v = b.val(x.id, x.dims.clone(), scale, false);
				b.set(out, v);
				return Ok(());
			}
		}
	}
	let addend = b.weights(&addend, "addend")?;
	let id = b.push(Op::AddConst { input: x.id, addend, scale });
	let v = b.val(id, x.dims.clone(), scale, false);
	b.set(out, v);
	Ok(())
}

/// `Sub`, `Mul` and `Div` with one constant operand (not dividing by a tensor): an
/// `AddConst` (`x - c`) or a `Scaler` (`(x - 0) * c`, `(x - 0) * (1 / c)`, `(x - c) * -1`).
fn affine(b: &mut Builder, n: &pb::NodeProto, out: &str) -> Result<(), CompileError> {
	let (l, r) = (input(n, 0)?, input(n, 1)?);
	let (x, c, tensor_first) = match (b.tensor(l), b.tensor(r)) {
		(Ok(x), Err(_)) => (x, b.constant_of(r)?, true),
		(Err(_), Ok(x)) => (x, b.constant_of(l)?, false),
		_ => return Err(b.unsupported("two tensor operands (one must be constant)")),
	};
	let c = broadcast(b, &c.floats, x.len)?;
	let scale = b.scale_for(out);
	let zeros = vec![0.0; c.len()];
	let op = match (n.op_type.as_str(), tensor_first) {
		("Sub", true) => {
			let negated: Vec<f64> = c.iter().map(|v| -v).collect();
			let addend = b.weights(&negated, "subtrahend")?;
			Op::AddConst { input: x.id, addend, scale }
		}
		("Sub", false) => {
			let offset = b.weights(&c, "minuend")?;
			let factor = b.constant(0, vec![-1]);
			Op::Scaler { input: x.id, offset, factor, scale }
		}
		("Mul", _) | ("Div", true) => {
			let factors: Vec<f64> =
				if n.op_type == "Div" { c.iter().map(|v| 1.0 / v).collect() } else { c };
			let (offset, factor) = (b.weights(&zeros, "zero")?, b.weights(&factors, "factor")?);
			Op::Scaler { input: x.id, offset, factor, scale }
		}
		_ => return Err(b.unsupported("a division by a tensor")),
	};
	let id = b.push(op);
	let v = b.val(id, x.dims.clone(), scale, false);
	b.set(out, v);
	Ok(())
}

/// `Gather(x, constant indices)` along the features; `Gather(constant table, indices)` is
/// a lookup.
fn gather(b: &mut Builder, n: &pb::NodeProto, out: &str) -> Result<(), CompileError> {
	let (d, i) = (input(n, 0)?, input(n, 1)?);
	if let Ok(table) = b.constant_of(d) {
		let idx = b.tensor(i)?;
		if onnx::int(n, "axis", 0) != 0 || table.dims.len() != 1 || !idx.integral {
			return Err(b.unsupported("a lookup that is not integers into a vector"));
		}
		let (table, scale, integral) = match table.ints {
			Some(v) => (b.constant(0, v), 0, true),
			None => (b.weights(&table.floats, "table")?, super::WEIGHT_SCALE, false),
		};
		let id = b.push(Op::Lookup { input: idx.id, table });
		let v = b.val(id, idx.dims.clone(), scale, integral);
		b.set(out, v);
		return Ok(());
	}
	let x = b.tensor(d)?;
	let axis = onnx::int(n, "axis", 0);
	if !(axis == 1 || axis == -1) || x.dims.len() != 1 {
		return Err(b.unsupported(format!("axis {axis} of dims {:?}", x.dims)));
	}
	let idx = b.constant_of(i)?;
	let ints = idx.ints.ok_or_else(|| b.unsupported("non-integer indices"))?;
	let indices = ints
		.iter()
		.map(|k| {
			let k = if *k < 0 { *k + x.len as i64 } else { *k };
			u32::try_from(k).ok().filter(|k| (*k as usize) < x.len)
		})
		.collect::<Option<Vec<u32>>>()
		.ok_or_else(|| b.unsupported("an index out of range"))?;
	let dims = if idx.dims.is_empty() { vec![] } else { vec![indices.len()] };
	let id = b.push(Op::Gather { input: x.id, indices });
	let v = Val { id, len: dims.iter().product::<usize>().max(1), dims, ..x };
	b.set(out, v);
	Ok(())
}
