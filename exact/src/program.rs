//! The exact program: a SCALE-encoded graph of integer operators over fixed-point vectors.
//!
//! Tensor ids: `0` is the input; node `i` (from 0) produces tensor `i + 1`. A node may read
//! only tensors produced before it, so the program is acyclic by construction. Every
//! tensor is a vector of `i64` at one decimal scale (`q` stands for `q / 10^scale`).
//! Operator parameters (weights, offsets, labels) are constants, referenced by [`ConstId`].

use crate::error::ProgramError;
use crate::limits::MAX_PROGRAM_BYTES;
use alloc::{boxed::Box, vec::Vec};
use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;

/// The format version this interpreter reads (the first byte of a program).
pub const FORMAT_VERSION: u8 = 1;

/// A tensor: `0` the input, `i + 1` node `i`'s output.
pub type TensorId = u32;

/// A constant: its position in [`Program::constants`].
pub type ConstId = u32;

/// A program: its input, constants, nodes and output.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct Program {
	/// [`FORMAT_VERSION`].
	pub version: u8,
	/// The input vector: its length, scale and declared range.
	pub input: InputSpec,
	/// The parameters the nodes read.
	pub constants: Vec<Constant>,
	/// The operators, in execution order.
	pub nodes: Vec<Op>,
	/// The tensor that is the output.
	pub output: TensorId,
	/// The output's scale: the output tensor is rescaled to it (half to even).
	pub output_scale: u8,
}

/// The input vector.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct InputSpec {
	/// The number of elements.
	pub len: u32,
	/// Their scale: the request's `input_scale`.
	pub scale: u8,
	/// The values the program accepts (at `scale`), over which it is proven not to
	/// overflow; a run refuses anything outside.
	pub range: InputRange,
}

/// The declared input range.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum InputRange {
	/// One interval for every element.
	Global(Interval),
	/// One interval per element, in order.
	PerFeature(Vec<Interval>),
}

/// A closed interval of fixed-point values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct Interval {
	/// The smallest value.
	pub min: i64,
	/// The largest value.
	pub max: i64,
}

/// A constant vector (a matrix is stored row-major; its shape is the operator's).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct Constant {
	/// The scale of its values.
	pub scale: u8,
	/// Its values.
	pub values: Vec<i64>,
}

/// How a [`Op::Normalizer`] divides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum Norm {
	/// By the largest value (not magnitude, as onnxruntime); unchanged if it is 0.
	Max,
	/// By the sum of magnitudes; unchanged if it is 0.
	L1,
	/// By the Euclidean norm; unchanged if it is 0.
	L2,
}

/// A tree branch's comparison of `x[feature]` (at the ensemble input's scale) with its
/// threshold; the compiler turns a float threshold into the integer one that decides
/// identically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum Compare {
	/// `x <= t`.
	Leq,
	/// `x < t`.
	Lt,
	/// `x >= t`.
	Gte,
	/// `x > t`.
	Gt,
	/// `x == t`.
	Eq,
	/// `x != t`.
	Neq,
}

/// A node of a [`Forest`], as [`Forest::node`] reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeNode {
	/// Go to `if_true` or `if_false`: positions in the forest, after this node's and
	/// within its tree.
	Branch {
		/// The comparison.
		mode: Compare,
		/// The input element compared.
		feature: u32,
		/// The threshold, at the input's scale.
		threshold: i64,
		/// The next node when the comparison holds.
		if_true: u32,
		/// The next node otherwise.
		if_false: u32,
	},
	/// Add the leaf weights `first..first + count` and stop.
	Leaf {
		/// The first weight's position.
		first: u32,
		/// The number of weights.
		count: u32,
	},
}

/// [`Forest::kinds`] of a leaf.
pub const LEAF: u8 = u8::MAX;

/// The trees of an ensemble, as parallel arrays of integers (SCALE decodes each with one
/// copy, however many nodes; positions, features and targets are `u16`, as the limits
/// keep them below 65,536). Node `i` is a leaf when `kinds[i] == LEAF`, else a branch
/// comparing with [`Compare`] number `kinds[i]` (`Leq` 0, `Lt` 1, `Gte` 2, `Gt` 3, `Eq` 4,
/// `Neq` 5). Tree `t` is nodes `roots[t]..roots[t + 1]` (the last ends with the nodes) and
/// starts at its first node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct Forest {
	/// Where each tree starts: from 0, increasing.
	pub roots: Vec<u32>,
	/// Each node's kind.
	pub kinds: Vec<u8>,
	/// A branch's feature; a leaf's first weight.
	pub features: Vec<u16>,
	/// A branch's threshold (at the input's scale); 0 for a leaf.
	pub thresholds: Vec<i64>,
	/// A branch's next node when the comparison holds; a leaf's number of weights.
	pub if_true: Vec<u16>,
	/// A branch's next node otherwise; 0 for a leaf.
	pub if_false: Vec<u16>,
	/// Each leaf weight's target.
	pub targets: Vec<u16>,
	/// Each leaf weight, at the ensemble's `weight_scale`.
	pub weights: Vec<i64>,
}

impl Compare {
	/// Its number in [`Forest::kinds`].
	pub fn code(self) -> u8 {
		self as u8
	}

	/// The comparison numbered `code`.
	pub fn from_code(code: u8) -> Option<Compare> {
		[Compare::Leq, Compare::Lt, Compare::Gte, Compare::Gt, Compare::Eq, Compare::Neq]
			.get(usize::from(code))
			.copied()
	}
}

/// A tree node as [`Forest::pack`] takes it: positions relative to its tree, a leaf's
/// weights in the leaf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NestedNode {
	/// As [`TreeNode::Branch`], positions within the tree.
	Branch {
		/// The comparison.
		mode: Compare,
		/// The input element compared.
		feature: u32,
		/// The threshold.
		threshold: i64,
		/// The next node when the comparison holds.
		if_true: u32,
		/// The next node otherwise.
		if_false: u32,
	},
	/// A leaf and its `(target, weight)` pairs.
	Leaf(Vec<(u32, i64)>),
}

impl Forest {
	/// Packs trees. Positions, features and targets saturate at `u16::MAX`, which the
	/// limits make invalid (validation refuses them): check [`Forest::fits`] first.
	pub fn pack(trees: Vec<Vec<NestedNode>>) -> Forest {
		let mut f = Forest::default();
		let at = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
		let short = |n: u32| u16::try_from(n).unwrap_or(u16::MAX);
		for tree in trees {
			let root = at(f.kinds.len());
			f.roots.push(u32::from(root));
			for node in tree {
				let (kind, a, threshold, b, c) = match node {
					NestedNode::Branch { mode, feature, threshold, if_true, if_false } => (
						mode.code(),
						short(feature),
						threshold,
						root.saturating_add(short(if_true)),
						root.saturating_add(short(if_false)),
					),
					NestedNode::Leaf(weights) => {
						let first = at(f.targets.len());
						let count = at(weights.len());
						for (target, weight) in weights {
							f.targets.push(short(target));
							f.weights.push(weight);
						}
						(LEAF, first, 0, count, 0)
					}
				};
				f.kinds.push(kind);
				f.features.push(a);
				f.thresholds.push(threshold);
				f.if_true.push(b);
				f.if_false.push(c);
			}
		}
		f
	}

	/// The number of nodes, if the node arrays agree (and the weight arrays do).
	pub fn len(&self) -> Option<usize> {
		let n = self.kinds.len();
		let same =
			[self.features.len(), self.thresholds.len(), self.if_true.len(), self.if_false.len()]
				.iter()
				.all(|l| *l == n);
		(same && self.targets.len() == self.weights.len()).then_some(n)
	}

	/// Whether there are no nodes.
	pub fn is_empty(&self) -> bool {
		self.kinds.is_empty()
	}

	/// Node `i`, if it exists and its kind is known.
	pub fn node(&self, i: usize) -> Option<TreeNode> {
		let kind = *self.kinds.get(i)?;
		let a = u32::from(*self.features.get(i)?);
		let b = u32::from(*self.if_true.get(i)?);
		if kind == LEAF {
			return Some(TreeNode::Leaf { first: a, count: b });
		}
		Some(TreeNode::Branch {
			mode: Compare::from_code(kind)?,
			feature: a,
			threshold: *self.thresholds.get(i)?,
			if_true: b,
			if_false: u32::from(*self.if_false.get(i)?),
		})
	}

	/// The positions of tree `t`'s nodes, if `roots` is well formed there.
	pub fn tree(&self, t: usize) -> Option<core::ops::Range<usize>> {
		let start = usize::try_from(*self.roots.get(t)?).ok()?;
		let end = match self.roots.get(t.checked_add(1)?) {
			Some(e) => usize::try_from(*e).ok()?,
			None => self.kinds.len(),
		};
		(start < end && end <= self.kinds.len()).then_some(start..end)
	}

	/// A leaf's `(target, weight)` pairs.
	pub fn leaf(&self, first: u32, count: u32) -> Option<impl Iterator<Item = (u32, i64)> + '_> {
		let first = usize::try_from(first).ok()?;
		let end = first.checked_add(usize::try_from(count).ok()?)?;
		let targets = self.targets.get(first..end)?;
		let weights = self.weights.get(first..end)?;
		Some(targets.iter().map(|t| u32::from(*t)).zip(weights.iter().copied()))
	}

	/// Whether trees of `nodes` nodes and `weights` leaf weights in all fit the `u16`
	/// positions (and [`crate::limits::MAX_TREE_ELEMENTS`]).
	pub fn fits(nodes: usize, weights: usize) -> bool {
		nodes.saturating_add(weights) <= crate::limits::MAX_TREE_ELEMENTS
			&& nodes < usize::from(u16::MAX)
			&& weights < usize::from(u16::MAX)
	}
}

/// How the trees' scores are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum Aggregate {
	/// Their sum.
	Sum,
	/// Their sum divided by the number of trees.
	Average,
}

/// What is applied to the combined scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum PostTransform {
	/// Nothing.
	None,
	/// The logistic function, element by element.
	Logistic,
	/// Softmax over the targets.
	Softmax,
}

/// A tree ensemble: `targets` scores from `trees`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct TreeEnsemble {
	/// The features.
	pub input: TensorId,
	/// The number of scores.
	pub targets: u32,
	/// The trees.
	pub trees: Forest,
	/// The scale of leaf weights and base values.
	pub weight_scale: u8,
	/// Added to the scores after aggregation (empty, or one per target).
	pub base_values: Vec<i64>,
	/// How the trees combine.
	pub aggregate: Aggregate,
	/// What is applied last.
	pub post_transform: PostTransform,
	/// The output scale.
	pub scale: u8,
}

/// An operator. Every one names its inputs; `scale` is its output's scale where it has
/// one to choose (others: as documented).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum Op {
	/// `y[j] = sum_i w[j * n + i] x[i] + b[j]` (`weights` is `outputs x n`, row-major):
	/// linear regressors and classifiers, MatMul and Gemm.
	Linear {
		/// `x`, of `n` elements.
		input: TensorId,
		/// The weights.
		weights: ConstId,
		/// The bias (`outputs` values), if any.
		bias: Option<ConstId>,
		/// The number of outputs.
		outputs: u32,
		/// The output scale.
		scale: u8,
	},
	/// `a + b` element-wise (`b` of the same length, or of one element, broadcast).
	Add {
		/// The left operand.
		a: TensorId,
		/// The right operand.
		b: TensorId,
		/// The output scale.
		scale: u8,
	},
	/// `y = a + c` element-wise with a constant (of the same length, or one element).
	AddConst {
		/// The tensor.
		input: TensorId,
		/// The constant.
		addend: ConstId,
		/// The output scale.
		scale: u8,
	},
	/// `y = (x - offset) * factor` element-wise (each constant of the input's length, or
	/// of one element): ONNX-ML `Scaler`.
	Scaler {
		/// The tensor.
		input: TensorId,
		/// Subtracted.
		offset: ConstId,
		/// Then multiplied by.
		factor: ConstId,
		/// The output scale.
		scale: u8,
	},
	/// `x` divided by its norm.
	Normalizer {
		/// The tensor.
		input: TensorId,
		/// Which norm.
		norm: Norm,
		/// The output scale.
		scale: u8,
	},
	/// `1` where `x > threshold` (at the input's scale), else `0`; scale 0.
	Binarizer {
		/// The tensor.
		input: TensorId,
		/// The threshold.
		threshold: i64,
	},
	/// For each element, one value per category: `1` where equal, else `0`; scale 0.
	OneHot {
		/// The tensor.
		input: TensorId,
		/// The categories (compared exactly, at any scale).
		categories: ConstId,
		/// `true`: an element that is no category gives zeros; `false`: an error.
		zeros: bool,
	},
	/// `values[i]` (or `values[0]`) where `x[i] == replaced`, else `x[i]`.
	Imputer {
		/// The tensor.
		input: TensorId,
		/// The value meaning "missing", at the input's scale.
		replaced: i64,
		/// The replacements.
		values: ConstId,
		/// The output scale.
		scale: u8,
	},
	/// `max(x, 0)`, at the input's scale.
	Relu {
		/// The tensor.
		input: TensorId,
	},
	/// The logistic function `1 / (1 + e^-x)`, element-wise.
	Sigmoid {
		/// The tensor.
		input: TensorId,
		/// The output scale.
		scale: u8,
	},
	/// `tanh(x)`, element-wise.
	Tanh {
		/// The tensor.
		input: TensorId,
		/// The output scale.
		scale: u8,
	},
	/// `e^x[i] / sum_j e^x[j]`.
	Softmax {
		/// The tensor.
		input: TensorId,
		/// The output scale.
		scale: u8,
	},
	/// The position of the first largest element; one element, scale 0.
	ArgMax {
		/// The tensor.
		input: TensorId,
	},
	/// The `k` largest elements, largest first (ties: lower position first): their
	/// positions (scale 0) or, with `values`, the elements themselves.
	TopK {
		/// The tensor.
		input: TensorId,
		/// How many.
		k: u32,
		/// Values rather than positions.
		values: bool,
	},
	/// A tree ensemble (regressor or classifier scores).
	TreeEnsemble(Box<TreeEnsemble>),
	/// `y[j] = x[indices[j]]`, at the input's scale.
	Gather {
		/// The tensor.
		input: TensorId,
		/// The positions.
		indices: Vec<u32>,
	},
	/// The inputs one after another, each rescaled to `scale`.
	Concat {
		/// The tensors.
		inputs: Vec<TensorId>,
		/// The output scale.
		scale: u8,
	},
	/// `y[i] = table[x[i]]` (`x` at scale 0), at the table's scale: class labels.
	Lookup {
		/// The positions.
		input: TensorId,
		/// The table.
		table: ConstId,
	},
	/// `x` at another scale.
	Rescale {
		/// The tensor.
		input: TensorId,
		/// The output scale.
		scale: u8,
	},
}

/// The kinds of operator, for counting work (see [`crate::Analysis`]).
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
)]
pub enum OpKind {
	/// [`Op::Linear`]: one multiply-add per weight and bias.
	Linear,
	/// [`Op::Add`], [`Op::AddConst`], [`Op::Scaler`], [`Op::Relu`], [`Op::Rescale`],
	/// [`Op::Imputer`], [`Op::Binarizer`]: one per element.
	Elementwise,
	/// [`Op::Normalizer`]: one per element (an integer square root each for L2).
	Normalizer,
	/// [`Op::Sigmoid`], [`Op::Tanh`], [`Op::Softmax`] and a tree ensemble's post
	/// transform: one exponential per element.
	Exp,
	/// [`Op::TreeEnsemble`]: one per branch taken and leaf weight added.
	TreeStep,
	/// [`Op::ArgMax`], [`Op::TopK`], [`Op::OneHot`], [`Op::Gather`], [`Op::Concat`],
	/// [`Op::Lookup`]: one per element compared or copied.
	Select,
}

impl OpKind {
	/// Every kind, in order.
	pub const ALL: [OpKind; 6] = [
		OpKind::Linear,
		OpKind::Elementwise,
		OpKind::Normalizer,
		OpKind::Exp,
		OpKind::TreeStep,
		OpKind::Select,
	];

	/// Its position in [`OpKind::ALL`].
	pub fn index(self) -> usize {
		self as usize
	}
}

impl Program {
	/// Decodes a program, refusing more than [`MAX_PROGRAM_BYTES`] bytes and bytes left
	/// over. Decoding allocates at most in proportion to the bytes given.
	pub fn decode_bounded(bytes: &[u8]) -> Result<Program, ProgramError> {
		if bytes.len() > MAX_PROGRAM_BYTES {
			return Err(ProgramError::TooLarge);
		}
		let mut input = bytes;
		let program = Program::decode(&mut input).map_err(|_| ProgramError::Undecodable)?;
		if !input.is_empty() {
			return Err(ProgramError::Undecodable);
		}
		Ok(program)
	}

	/// The tensor ids a node reads (for validation, and the compiler's checks).
	pub fn reads(op: &Op) -> Vec<TensorId> {
		match op {
			Op::Add { a, b, .. } => alloc::vec![*a, *b],
			Op::Concat { inputs, .. } => inputs.clone(),
			Op::TreeEnsemble(t) => alloc::vec![t.input],
			Op::Linear { input, .. }
			| Op::AddConst { input, .. }
			| Op::Scaler { input, .. }
			| Op::Normalizer { input, .. }
			| Op::Binarizer { input, .. }
			| Op::OneHot { input, .. }
			| Op::Imputer { input, .. }
			| Op::Relu { input }
			| Op::Sigmoid { input, .. }
			| Op::Tanh { input, .. }
			| Op::Softmax { input, .. }
			| Op::ArgMax { input }
			| Op::TopK { input, .. }
			| Op::Gather { input, .. }
			| Op::Lookup { input, .. }
			| Op::Rescale { input, .. } => alloc::vec![*input],
		}
	}
}
