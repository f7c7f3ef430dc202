//! The operators: for each, its output length and cost (shared by validation and runs), its
//! evaluation, and its range analysis (the interval of every output element over the
//! intervals of its inputs, with every intermediate checked to fit).

mod activation;
mod affine;
mod elementwise;
mod normalize;
mod select;
mod tree;

use crate::error::NodeError;
use crate::limits::{MAX_SCALE, MAX_TENSOR_LEN};
use crate::program::{ConstId, Constant, Interval, Op, OpKind, TensorId};
use alloc::vec::Vec;

/// A tensor's values during a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tensor {
	/// Their scale.
	pub scale: u8,
	/// The values.
	pub values: Vec<i64>,
}

/// A tensor during range analysis: each element's interval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
	/// Their scale.
	pub scale: u8,
	/// Each element's interval.
	pub bounds: Vec<Interval>,
}

/// What validation and runs need to know of a tensor.
pub trait Shaped {
	/// Its number of elements.
	fn len(&self) -> usize;
	/// Its scale.
	fn scale(&self) -> u8;
}

impl Shaped for Tensor {
	fn len(&self) -> usize {
		self.values.len()
	}
	fn scale(&self) -> u8 {
		self.scale
	}
}

impl Shaped for Range {
	fn len(&self) -> usize {
		self.bounds.len()
	}
	fn scale(&self) -> u8 {
		self.scale
	}
}

/// The tensors produced so far and the program's constants.
pub struct Env<'a, T> {
	/// Tensor `i` is `tensors[i]`.
	pub tensors: &'a [T],
	/// The constants.
	pub constants: &'a [Constant],
}

impl<'a, T: Shaped> Env<'a, T> {
	/// A tensor produced before the current node.
	pub fn tensor(&self, id: TensorId) -> Result<&'a T, NodeError> {
		usize::try_from(id)
			.ok()
			.and_then(|i| self.tensors.get(i))
			.ok_or(NodeError::MissingTensor(id))
	}

	/// A constant.
	pub fn constant(&self, id: ConstId) -> Result<&'a Constant, NodeError> {
		usize::try_from(id)
			.ok()
			.and_then(|i| self.constants.get(i))
			.ok_or(NodeError::MissingConstant(id))
	}

	/// A constant of `len` elements, or of one (broadcast).
	pub fn broadcast(&self, id: ConstId, len: usize) -> Result<&'a Constant, NodeError> {
		let c = self.constant(id)?;
		if c.values.len() != len && c.values.len() != 1 {
			return Err(NodeError::ShapeMismatch);
		}
		Ok(c)
	}
}

/// Element `i` of a broadcast constant (see [`Env::broadcast`]).
pub fn at(c: &Constant, i: usize) -> Result<i64, NodeError> {
	let i = if c.values.len() == 1 { 0 } else { i };
	c.values.get(i).copied().ok_or(NodeError::ShapeMismatch)
}

/// Checks a scale.
pub fn check_scale(scale: u8) -> Result<(), NodeError> {
	if scale > MAX_SCALE {
		return Err(NodeError::InvalidScale(scale));
	}
	Ok(())
}

/// Checks an output length.
pub fn check_len(len: usize) -> Result<usize, NodeError> {
	if len == 0 || len > MAX_TENSOR_LEN {
		return Err(NodeError::InvalidLength);
	}
	Ok(len)
}

/// Element operations by [`OpKind`] (indexed by [`OpKind::index`]).
pub type Costs = [u64; OpKind::ALL.len()];

/// A node's output length and its cost: the structural checks of every operator, made
/// before anything is computed or allocated (by validation and by every run).
pub fn shape<T: Shaped>(op: &Op, env: &Env<'_, T>) -> Result<(usize, Costs), NodeError> {
	let mut costs: Costs = [0; OpKind::ALL.len()];
	let (len, kind, cost) = match op {
		Op::Linear { .. } | Op::Add { .. } | Op::AddConst { .. } | Op::Scaler { .. } => {
			affine::shape(op, env)?
		}
		Op::Relu { .. } | Op::Rescale { .. } | Op::Binarizer { .. } | Op::Imputer { .. } => {
			elementwise::shape(op, env)?
		}
		Op::Normalizer { input, scale, .. } => {
			check_scale(*scale)?;
			let n = env.tensor(*input)?.len();
			(n, OpKind::Normalizer, n as u64)
		}
		Op::Sigmoid { .. } | Op::Tanh { .. } | Op::Softmax { .. } => activation::shape(op, env)?,
		Op::ArgMax { .. }
		| Op::TopK { .. }
		| Op::OneHot { .. }
		| Op::Gather { .. }
		| Op::Concat { .. }
		| Op::Lookup { .. } => select::shape(op, env)?,
		Op::TreeEnsemble(t) => {
			let (len, steps, exps) = tree::shape(t, env)?;
			if let Some(c) = costs.get_mut(OpKind::Exp.index()) {
				*c = exps;
			}
			(len, OpKind::TreeStep, steps)
		}
	};
	if let Some(c) = costs.get_mut(kind.index()) {
		*c = c.saturating_add(cost);
	}
	Ok((check_len(len)?, costs))
}

/// Runs a node whose [`shape`] was checked.
pub fn eval(op: &Op, env: &Env<'_, Tensor>) -> Result<Tensor, NodeError> {
	match op {
		Op::Linear { .. } | Op::Add { .. } | Op::AddConst { .. } | Op::Scaler { .. } => {
			affine::eval(op, env)
		}
		Op::Relu { .. } | Op::Rescale { .. } | Op::Binarizer { .. } | Op::Imputer { .. } => {
			elementwise::eval(op, env)
		}
		Op::Normalizer { input, norm, scale } => {
			normalize::eval(env.tensor(*input)?, *norm, *scale)
		}
		Op::Sigmoid { .. } | Op::Tanh { .. } | Op::Softmax { .. } => activation::eval(op, env),
		Op::ArgMax { .. }
		| Op::TopK { .. }
		| Op::OneHot { .. }
		| Op::Gather { .. }
		| Op::Concat { .. }
		| Op::Lookup { .. } => select::eval(op, env),
		Op::TreeEnsemble(t) => tree::eval(t, env),
	}
}

/// The range of a node's output, for a node whose [`shape`] was checked; refuses a node
/// that could overflow.
pub fn bounds(op: &Op, env: &Env<'_, Range>) -> Result<Range, NodeError> {
	match op {
		Op::Linear { .. } | Op::Add { .. } | Op::AddConst { .. } | Op::Scaler { .. } => {
			affine::bounds(op, env)
		}
		Op::Relu { .. } | Op::Rescale { .. } | Op::Binarizer { .. } | Op::Imputer { .. } => {
			elementwise::bounds(op, env)
		}
		Op::Normalizer { input, norm, scale } => {
			normalize::bounds(env.tensor(*input)?, *norm, *scale)
		}
		Op::Sigmoid { .. } | Op::Tanh { .. } | Op::Softmax { .. } => activation::bounds(op, env),
		Op::ArgMax { .. }
		| Op::TopK { .. }
		| Op::OneHot { .. }
		| Op::Gather { .. }
		| Op::Concat { .. }
		| Op::Lookup { .. } => select::bounds(op, env),
		Op::TreeEnsemble(t) => tree::bounds(t, env),
	}
}

/// The interval `[min(a, b), max(a, b)]` as `i128`s.
pub fn hull(a: i128, b: i128) -> (i128, i128) {
	if a <= b {
		(a, b)
	} else {
		(b, a)
	}
}

/// The product of two intervals.
pub fn mul_interval(a: (i128, i128), b: (i128, i128)) -> Result<(i128, i128), NodeError> {
	use crate::fixed::mul;
	let c = [mul(a.0, b.0)?, mul(a.0, b.1)?, mul(a.1, b.0)?, mul(a.1, b.1)?];
	let lo = c.iter().copied().min().unwrap_or(0);
	let hi = c.iter().copied().max().unwrap_or(0);
	Ok((lo, hi))
}

/// An interval rescaled (rounding is monotone, so the ends are the ends).
pub fn rescale_interval(lo: i128, hi: i128, from: u32, to: u32) -> Result<Interval, NodeError> {
	use crate::fixed::rescale;
	Ok(Interval { min: rescale(lo, from, to)?, max: rescale(hi, from, to)? })
}

/// Row `j` of a row-major matrix of rows of `n`.
pub fn row(values: &[i64], j: usize, n: usize) -> Result<&[i64], NodeError> {
	let start = j.checked_mul(n).ok_or(NodeError::ShapeMismatch)?;
	let end = start.checked_add(n).ok_or(NodeError::ShapeMismatch)?;
	values.get(start..end).ok_or(NodeError::ShapeMismatch)
}
