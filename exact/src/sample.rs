//! Sample programs for benchmarks: [`program_of`] builds a valid program whose run takes
//! about `n` element operations of one [`OpKind`] and none of any other, and [`input_for`]
//! an input that takes a program's longest path. A benchmark of one kind runs
//! `program_of(kind, n)` on `input_for` of it for a range of `n` (at most [`MAX_N`]).
//!
//! ## Representatives
//! Each kind is benchmarked with the shape of operator that costs the most per counted
//! operation, so that a weight per operation taken from it covers every program (times
//! measured natively, release build, x86-64):
//!
//! - `Linear`: `Linear` nodes of one input and many outputs, with a bias. Every output row
//!   rounds once, so a row of one weight costs about 10 times a multiply-add of a long row
//!   (12 ns against 1.2 ns an operation).
//! - `Elementwise`: `Scaler`, offsets and factors per element: three alignments, a product
//!   above `2^64` and a rounding per element (35 ns; `Add` 26 ns, `Rescale` 20 ns).
//! - `Normalizer`: L2 to scale 18, an integer square root and a long division of 36 digits
//!   per element (about 900 ns; to scale 9, 500 ns; L1 and Max, 25 ns).
//! - `Exp`: `Tanh`, a little above `Sigmoid` and `Softmax` (280 ns against 270 and 250),
//!   every argument making the longest series.
//! - `TreeStep`: ensembles of up to 16,384 targets and one tree of depth 16. Finishing a
//!   target (a rounding) costs 2 to 3 times a branch step (18 to 26 ns against 8 ns; a leaf
//!   weight 2 ns).
//! - `Select`: `Concat` rounding to scale 0, a rounding per element (13 ns; `OneHot` 9 ns,
//!   `ArgMax` and `TopK` 2 ns).
//!
//! Scales and ranges are the compiler's: inputs at scale 6 within `±999,999.5` (the ends
//! halfway between integers, so that rounding them takes the tie path), constants and
//! results at scale 9 (the normalizer's input at 9 within `±9`, as its output scale 18
//! allows). Constants are large (products above `2^64`) but proven not to overflow.
//! Everything is deterministic.

use crate::fixed::pow10;
use crate::func::P;
use crate::limits::{MAX_SCALE, MAX_TENSOR_LEN};
use crate::program::{
	Aggregate, Compare, Constant, Forest, InputRange, InputSpec, Interval, NestedNode, Norm, Op,
	OpKind, PostTransform, Program, TreeEnsemble, TreeNode, FORMAT_VERSION,
};
use alloc::{boxed::Box, vec, vec::Vec};

/// The largest `n` [`program_of`] takes (a larger one is taken as this): every kind's
/// program stays within [`crate::limits`] up to it, the element limits being the closest
/// (`MAX_TOTAL_ELEMENTS` for the element-wise kinds, 15 ensembles of
/// `MAX_TENSOR_LEN` targets for `TreeStep`).
pub const MAX_N: u32 = 240_000;

/// The input scale of the samples (a request's usual `input_scale`).
const INPUT_SCALE: u8 = 6;

/// The scale of constants and results, as the compiler chooses.
const SCALE: u8 = 9;

/// The samples' input range at scale 6, `±999,999.5`: within the compiler's default
/// `±10^6`, its ends halfway between integers.
const BOUND: i64 = 999_999_500_000;

/// The normalizer's input range, `±9` at scale 9: the most that its output scale 18 allows
/// (a zero norm copies the input to the output scale).
const NORMALIZER_BOUND: i64 = 9_000_000_000;

/// The most elements of a node's output (and of the input) in the element-wise samples.
const WIDTH: u32 = 1024;

/// The most outputs of one `Linear` sample node.
const LINEAR_ROWS: u32 = 4096;

/// The depth of a tree sample's one tree.
const TREE_DEPTH: u32 = 16;

/// The most targets of one tree ensemble sample.
const TREE_TARGETS: u32 = MAX_TENSOR_LEN as u32;

/// The weight (for target 0, at scale 9) of the deepest leaf of the `TreeStep` sample's
/// trees: the run's first output is this at scale 6 when it takes the deepest path.
pub const DEEP_LEAF: i64 = 1_234_567_891;

/// The weight of the leaf every other branch of a tree sample leads to (target 0, scale 9).
const EXIT_LEAF: i64 = -987_654_321;

/// `ln 2` at scale 18, as [`crate::func`] reduces arguments by it.
const LN2: i128 = 693_147_180_559_945_309;

/// The most multiples of `ln 2` below the exponential's cutoff (44).
const LN2_MULTIPLES: usize = 63;

/// The most values a tree walk excludes from one input element (`Eq` and `Neq`).
const MAX_EXCLUDED: usize = 16;

/// A valid program whose run takes about `n` element operations of `kind` and as few of any
/// other kind as possible: what a benchmark of one operator kind runs.
///
/// `n` is taken within `1..=`[`MAX_N`]. The program's count of `kind` is at least `n` and
/// above it by at most one node's rounding (`n + n / 64 + 2`); every other kind's count is
/// 0. Its nodes all read the input, each taking the same work (see the module's
/// documentation for what each kind runs); its output is the last node's.
pub fn program_of(kind: OpKind, n: u32) -> Program {
	let n = n.clamp(1, MAX_N);
	match kind {
		OpKind::Linear => linear(n),
		OpKind::Elementwise => elementwise(n),
		OpKind::Normalizer => normalizer(n),
		OpKind::Exp => exp(n),
		OpKind::TreeStep => tree_step(n),
		OpKind::Select => select(n),
	}
}

/// The cheapest valid program of `len` input elements (at scale 6 within `±999,999.5`):
/// the position of the largest, one element at scale 0, `len` operations of
/// [`OpKind::Select`]. What an exact request costs besides its program's load and run is
/// measured with it (the oracle's benchmarks).
pub fn position_of_largest(len: u32) -> Program {
	program((len.max(1), INPUT_SCALE, BOUND), vec![], vec![Op::ArgMax { input: 0 }], 0)
}

/// `n` split into the fewest parts of at most `most`, all equal: their number and size
/// (their product is at least `n`, by less than the number of parts).
fn split(n: u32, most: u32) -> (u32, u32) {
	let parts = n.div_ceil(most.max(1)).max(1);
	(parts, n.div_ceil(parts))
}

/// A deterministic spread of values: a number in `0..span` for each `i`.
fn spread(i: u32, span: u64) -> i64 {
	let h = u64::from(i).wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 8;
	i64::try_from(h.checked_rem(span).unwrap_or(0)).unwrap_or(0)
}

/// A constant of `len` values at `scale`, value `i` being `value(i)`.
fn constant(scale: u8, len: u32, value: impl Fn(u32) -> i64) -> Constant {
	Constant { scale, values: (0..len).map(value).collect() }
}

/// `times` copies of `op`.
fn repeat(op: Op, times: u32) -> Vec<Op> {
	(0..times).map(|_| op.clone()).collect()
}

/// A program of an input of `len` elements at `scale` within `±bound`, whose output is
/// its last node's, at `output_scale`.
fn program(
	(len, scale, bound): (u32, u8, i64),
	constants: Vec<Constant>,
	nodes: Vec<Op>,
	output_scale: u8,
) -> Program {
	Program {
		version: FORMAT_VERSION,
		input: InputSpec {
			len,
			scale,
			range: InputRange::Global(Interval { min: -bound, max: bound }),
		},
		constants,
		output: u32::try_from(nodes.len()).unwrap_or(u32::MAX),
		nodes,
		output_scale,
	}
}

/// `Linear`: nodes of one input and up to [`LINEAR_ROWS`] outputs (a weight and a bias
/// each, so two operations a row), weights of about 9.9 and biases up to `±1000`.
fn linear(n: u32) -> Program {
	let (nodes, outputs) = split(n.div_ceil(2), LINEAR_ROWS);
	let weights = constant(SCALE, outputs, |j| 9_876_543_210 - spread(j, 1_000_000_000));
	let bias = constant(SCALE, outputs, |j| spread(j, 2_000_000_000_000) - 1_000_000_000_000);
	let op = Op::Linear { input: 0, weights: 0, bias: Some(1), outputs, scale: SCALE };
	program((1, INPUT_SCALE, BOUND), vec![weights, bias], repeat(op, nodes), SCALE)
}

/// `Elementwise`: `Scaler` nodes over up to [`WIDTH`] elements, offsets up to `±400,000`
/// and factors from 1000 to 2000, one per element.
fn elementwise(n: u32) -> Program {
	let (nodes, width) = split(n, WIDTH);
	let offset = constant(SCALE, width, |i| spread(i, 800_000_000_000_000) - 400_000_000_000_000);
	let factor = constant(SCALE, width, |i| 1_000_000_000_000 + spread(i, 1_000_000_000_000));
	let op = Op::Scaler { input: 0, offset: 0, factor: 1, scale: SCALE };
	program((width, INPUT_SCALE, BOUND), vec![offset, factor], repeat(op, nodes), SCALE)
}

/// `Normalizer`: L2 nodes over up to [`WIDTH`] elements, to scale 18.
fn normalizer(n: u32) -> Program {
	let (nodes, width) = split(n, WIDTH);
	let op = Op::Normalizer { input: 0, norm: Norm::L2, scale: MAX_SCALE };
	program((width, SCALE, NORMALIZER_BOUND), vec![], repeat(op, nodes), MAX_SCALE)
}

/// `Exp`: `Tanh` nodes over up to [`WIDTH`] elements.
fn exp(n: u32) -> Program {
	let (nodes, width) = split(n, WIDTH);
	let op = Op::Tanh { input: 0, scale: SCALE };
	program((width, INPUT_SCALE, BOUND), vec![], repeat(op, nodes), SCALE)
}

/// `Select`: `Concat` nodes of the input (up to [`WIDTH`] elements) rounded to scale 0.
fn select(n: u32) -> Program {
	let (nodes, width) = split(n, WIDTH);
	let op = Op::Concat { inputs: vec![0], scale: 0 };
	program((width, INPUT_SCALE, BOUND), vec![], repeat(op, nodes), 0)
}

/// `TreeStep`: tree ensembles of up to [`TREE_TARGETS`] targets and one tree, a chain of
/// up to [`TREE_DEPTH`] branches (each on its own input element) to the deepest leaf, every
/// branch's other child one shared leaf. An ensemble takes the chain's branches, the leaf
/// and its weight, and one operation per target.
fn tree_step(n: u32) -> Program {
	let (nodes, each) = split(n, TREE_DEPTH + 2 + TREE_TARGETS);
	let depth = TREE_DEPTH.min(each / 4);
	let features = depth.max(1);
	let ensemble = TreeEnsemble {
		input: 0,
		targets: each.saturating_sub(depth + 2).max(1),
		trees: Forest::pack(vec![chain(depth, features)]),
		weight_scale: SCALE,
		base_values: vec![],
		aggregate: Aggregate::Sum,
		post_transform: PostTransform::None,
		scale: INPUT_SCALE,
	};
	let op = Op::TreeEnsemble(Box::new(ensemble));
	program((features, INPUT_SCALE, BOUND), vec![], repeat(op, nodes), INPUT_SCALE)
}

/// A tree of `depth` branches, branch `i` comparing element `i % features` (`Leq`, `Lt`,
/// `Gte`, `Gt` in turn, thresholds within `±500,000`) and going on when it holds, then the
/// deepest leaf, then (if there is a branch) the leaf every branch's other child is.
fn chain(depth: u32, features: u32) -> Vec<NestedNode> {
	let exit = depth + 1;
	let mut tree: Vec<NestedNode> = (0..depth)
		.map(|i| NestedNode::Branch {
			mode: match i % 4 {
				0 => Compare::Leq,
				1 => Compare::Lt,
				2 => Compare::Gte,
				_ => Compare::Gt,
			},
			feature: i.checked_rem(features).unwrap_or(0),
			threshold: spread(i, 1_000_000_000_000) - 500_000_000_000,
			if_true: i + 1,
			if_false: exit,
		})
		.collect();
	tree.push(NestedNode::Leaf(vec![(0, DEEP_LEAF)]));
	if depth > 0 {
		tree.push(NestedNode::Leaf(vec![(0, EXIT_LEAF)]));
	}
	tree
}

/// An input the program accepts (within its declared range, the right length), chosen so
/// that the run takes the worst (longest) path, e.g. for trees the deepest path.
///
/// Nodes that read the input decide its elements, in order, an element decided by one
/// node kept for the next: each tree of an ensemble takes its longest walk that the
/// elements decided so far still allow (a walk narrows each element it compares, and
/// takes the other branch when the longer is impossible); `Sigmoid`, `Tanh` and `Softmax`
/// get arguments just below a multiple of `ln 2` (the longest series) and below the
/// exponential's cutoff; `OneHot` its categories. Every other element (and every element
/// narrowed but not fixed) is the end of its range of the largest magnitude, for the
/// largest intermediates. For a program that does not validate, the input still has at
/// most [`MAX_TENSOR_LEN`] elements.
pub fn input_for(program: &Program) -> Vec<i64> {
	let mut allowed = declared(program);
	let scale = program.input.scale;
	for op in &program.nodes {
		match op {
			Op::TreeEnsemble(t) if t.input == 0 => {
				for tree in 0..t.trees.roots.len() {
					deepest_walk(&t.trees, tree, &mut allowed);
				}
			}
			Op::Sigmoid { input: 0, .. } => prefer(&mut allowed, |i| alternating(i, scale, 1)),
			Op::Tanh { input: 0, .. } => prefer(&mut allowed, |i| alternating(i, scale, 2)),
			Op::Softmax { input: 0, .. } => {
				let top = allowed.first().map(|a| if a.decided { a.pick() } else { a.hi });
				if let Some(top) = top {
					prefer(&mut allowed, |i| below_top(i, top, scale));
				}
			}
			Op::OneHot { input: 0, categories, .. } => {
				if let Some(c) =
					usize::try_from(*categories).ok().and_then(|c| program.constants.get(c))
				{
					prefer(&mut allowed, |i| category(c, i, scale));
				}
			}
			_ => {}
		}
	}
	allowed.iter().map(Allowed::pick).collect()
}

/// The values an input element may still take: `lo..=hi` but the excluded ones.
#[derive(Clone, Debug)]
struct Allowed {
	/// The smallest.
	lo: i64,
	/// The largest.
	hi: i64,
	/// Values excluded (at most [`MAX_EXCLUDED`]).
	not: Vec<i64>,
	/// Whether a node has decided (narrowed or fixed) it.
	decided: bool,
}

impl Allowed {
	/// All of `lo..=hi` (or `lo` alone, if `hi < lo`).
	fn new(i: Interval) -> Allowed {
		Allowed { lo: i.min, hi: i.max.max(i.min), not: Vec::new(), decided: false }
	}

	/// The value a run gets: the allowed value nearest the end of the largest magnitude.
	fn pick(&self) -> i64 {
		self.first().unwrap_or(self.lo)
	}

	/// [`Allowed::pick`], or `None` if nothing is allowed.
	fn first(&self) -> Option<i64> {
		if self.lo > self.hi {
			return None;
		}
		let high_first = self.hi.unsigned_abs() >= self.lo.unsigned_abs();
		let inward = |from_high: bool| {
			(0..=self.not.len()).find_map(|step| {
				let step = i64::try_from(step).ok()?;
				let v = if from_high {
					self.hi.checked_sub(step)?
				} else {
					self.lo.checked_add(step)?
				};
				(self.lo <= v && v <= self.hi && !self.not.contains(&v)).then_some(v)
			})
		};
		inward(high_first).or_else(|| inward(!high_first))
	}

	/// Whether `v` is allowed.
	fn allows(&self, v: i64) -> bool {
		self.lo <= v && v <= self.hi && !self.not.contains(&v)
	}

	/// These values, if any remain.
	fn nonempty(self) -> Option<Allowed> {
		self.first().is_some().then_some(self)
	}

	/// Those at most `t` (none if `t` is `None`).
	fn at_most(&self, t: Option<i64>) -> Option<Allowed> {
		Allowed { hi: self.hi.min(t?), ..self.clone() }.nonempty()
	}

	/// Those at least `t` (none if `t` is `None`).
	fn at_least(&self, t: Option<i64>) -> Option<Allowed> {
		Allowed { lo: self.lo.max(t?), ..self.clone() }.nonempty()
	}

	/// `t` alone, if allowed.
	fn only(&self, t: i64) -> Option<Allowed> {
		self.allows(t).then(|| Allowed { lo: t, hi: t, not: Vec::new(), decided: self.decided })
	}

	/// All but `t` (none if excluding it would exclude too many).
	fn without(&self, t: i64) -> Option<Allowed> {
		if !self.allows(t) {
			return Some(self.clone());
		}
		if self.not.len() >= MAX_EXCLUDED {
			return None;
		}
		let mut a = self.clone();
		a.not.push(t);
		a.nonempty()
	}

	/// Those for which a branch comparing with `t` holds, and those for which it does not.
	fn branch(&self, mode: Compare, t: i64) -> (Option<Allowed>, Option<Allowed>) {
		let (above, below) = (t.checked_add(1), t.checked_sub(1));
		match mode {
			Compare::Leq => (self.at_most(Some(t)), self.at_least(above)),
			Compare::Lt => (self.at_most(below), self.at_least(Some(t))),
			Compare::Gte => (self.at_least(Some(t)), self.at_most(below)),
			Compare::Gt => (self.at_least(above), self.at_most(Some(t))),
			Compare::Eq => (self.only(t), self.without(t)),
			Compare::Neq => (self.without(t), self.only(t)),
		}
	}
}

/// Each input element's declared range (at most [`MAX_TENSOR_LEN`] elements; a missing
/// range is `0..=0`).
fn declared(program: &Program) -> Vec<Allowed> {
	let len = usize::try_from(program.input.len).unwrap_or(MAX_TENSOR_LEN).min(MAX_TENSOR_LEN);
	let zero = Interval { min: 0, max: 0 };
	(0..len)
		.map(|i| {
			Allowed::new(match &program.input.range {
				InputRange::Global(r) => *r,
				InputRange::PerFeature(r) => r.get(i).copied().unwrap_or(zero),
			})
		})
		.collect()
}

/// Fixes each undecided element `i` to `value(i)`, where that is allowed.
fn prefer(allowed: &mut [Allowed], value: impl Fn(usize) -> Option<i64>) {
	for (i, a) in allowed.iter_mut().enumerate() {
		if a.decided {
			continue;
		}
		if let Some(fixed) = value(i).and_then(|v| a.only(v)) {
			*a = Allowed { decided: true, ..fixed };
		}
	}
}

/// The largest `x` at `scale` with `x * times * 10^(18 - scale)` below the `k + 1`-th
/// multiple of `ln 2` at scale 18, `k = i % 63`: an exponential's argument whose reduction
/// leaves almost `ln 2`, the longest series.
fn below_ln2_multiple(i: usize, scale: u8, times: i128) -> Option<i64> {
	let k = i128::try_from(i.checked_rem(LN2_MULTIPLES)?).ok()?;
	let unit = P.checked_div(pow10(u32::from(scale)).ok()?)?.checked_mul(times)?;
	let target = k.checked_add(1)?.checked_mul(LN2)?.checked_sub(1)?;
	i64::try_from(target.checked_div(unit)?).ok()
}

/// [`below_ln2_multiple`] of element `i`, negative for odd `i` (`Sigmoid`: `times` 1,
/// `Tanh`: 2, as it takes `e^-2|x|`).
fn alternating(i: usize, scale: u8, times: i128) -> Option<i64> {
	let v = below_ln2_multiple(i, scale, times)?;
	Some(if i % 2 == 1 { -v } else { v })
}

/// `Softmax`: `top` for element 0, then `top` less [`below_ln2_multiple`].
fn below_top(i: usize, top: i64, scale: u8) -> Option<i64> {
	match i.checked_sub(1) {
		None => Some(top),
		Some(j) => top.checked_sub(below_ln2_multiple(j, scale, 1)?),
	}
}

/// `OneHot`: category `i % len` at the input's `scale`, if it has a value there.
fn category(c: &Constant, i: usize, scale: u8) -> Option<i64> {
	let v = i128::from(*c.values.get(i.checked_rem(c.values.len())?)?);
	let v = if scale >= c.scale {
		v.checked_mul(pow10(u32::from(scale - c.scale)).ok()?)?
	} else {
		let unit = pow10(u32::from(c.scale - scale)).ok()?;
		if v.checked_rem(unit)? != 0 {
			return None;
		}
		v.checked_div(unit)?
	};
	i64::try_from(v).ok()
}

/// Walks tree `tree` of `f` along its longest walk that `allowed` permits, narrowing the
/// elements it compares.
fn deepest_walk(f: &Forest, tree: usize, allowed: &mut [Allowed]) {
	let Some(range) = f.tree(tree) else { return };
	let longest = longest_walks(f, range.clone());
	let length = |c: u32| {
		usize::try_from(c)
			.ok()
			.and_then(|c| c.checked_sub(range.start))
			.and_then(|c| longest.get(c).copied())
			.unwrap_or(0)
	};
	let mut i = range.start;
	for _ in range.clone() {
		let Some(TreeNode::Branch { mode, feature, threshold, if_true, if_false }) = f.node(i)
		else {
			return;
		};
		let Some(a) = usize::try_from(feature).ok().and_then(|e| allowed.get_mut(e)) else {
			return;
		};
		let (yes, no) = a.branch(mode, threshold);
		let (longer, shorter) = if length(if_true) >= length(if_false) {
			((yes, if_true), (no, if_false))
		} else {
			((no, if_false), (yes, if_true))
		};
		let (narrowed, next) = match (longer, shorter) {
			((Some(set), next), _) | (_, (Some(set), next)) => (set, next),
			_ => return,
		};
		*a = Allowed { decided: true, ..narrowed };
		match usize::try_from(next) {
			Ok(next) if next > i && next < range.end => i = next,
			_ => return,
		}
	}
}

/// The longest walk from each node of `range` (positions from its start), as validation
/// counts it: a branch one more than its longer child, a leaf its weights and one.
fn longest_walks(f: &Forest, range: core::ops::Range<usize>) -> Vec<u64> {
	let mut longest = vec![0u64; range.len()];
	for i in range.clone().rev() {
		let here = match f.node(i) {
			Some(TreeNode::Branch { if_true, if_false, .. }) => {
				let child = |c: u32| {
					usize::try_from(c)
						.ok()
						.filter(|c| *c > i && *c < range.end)
						.and_then(|c| longest.get(c - range.start).copied())
						.unwrap_or(0)
				};
				child(if_true).max(child(if_false)).saturating_add(1)
			}
			Some(TreeNode::Leaf { count, .. }) => u64::from(count).saturating_add(1),
			None => 0,
		};
		if let Some(l) = i.checked_sub(range.start).and_then(|at| longest.get_mut(at)) {
			*l = here;
		}
	}
	longest
}
