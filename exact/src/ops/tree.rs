//! `TreeEnsemble`: each tree walked from its node 0 to a leaf (children are after their
//! parent, so a walk takes at most the tree's length in steps), leaf weights summed exactly
//! in `i128` at `weight_scale`, then averaged, offset by the base values and transformed,
//! with one rounding to the output scale (two with a post transform: the raw score at
//! `weight_scale`, then the function).

use super::{check_scale, Env, Range, Shaped, Tensor};
use crate::error::NodeError;
use crate::fixed::{add, div_half_even, mul, narrow, pow10};
use crate::func;
use crate::program::{Aggregate, Compare, Forest, Interval, PostTransform, TreeEnsemble, TreeNode};
use alloc::{vec, vec::Vec};

/// Output length, tree steps (the longest walk of every tree, leaf weights included) and
/// exponentials.
pub fn shape<T: Shaped>(
	t: &TreeEnsemble,
	env: &Env<'_, T>,
) -> Result<(usize, u64, u64), NodeError> {
	check_scale(t.scale)?;
	check_scale(t.weight_scale)?;
	let n = env.tensor(t.input)?.len();
	let targets = usize::try_from(t.targets).map_err(|_| NodeError::InvalidParameter)?;
	if targets == 0 || t.trees.roots.is_empty() {
		return Err(NodeError::InvalidParameter);
	}
	if !t.base_values.is_empty() && t.base_values.len() != targets {
		return Err(NodeError::ShapeMismatch);
	}
	let f = &t.trees;
	let len = f.len().ok_or(NodeError::BadTree)?;
	let mut previous: Option<u32> = None;
	for r in &f.roots {
		let bad = previous.map_or(*r != 0, |p| *r <= p);
		if bad || usize::try_from(*r).map_or(true, |r| r >= len) {
			return Err(NodeError::BadTree);
		}
		previous = Some(*r);
	}
	// The longest walk from each node, computed backwards (children come later).
	let mut longest = vec![0u64; len];
	let mut steps: u64 = 0;
	for tree in 0..f.roots.len() {
		let range = f.tree(tree).ok_or(NodeError::BadTree)?;
		let (start, end) = (range.start, range.end);
		for i in range.rev() {
			let here = match f.node(i).ok_or(NodeError::BadTree)? {
				TreeNode::Branch { feature, if_true, if_false, .. } => {
					if usize::try_from(feature).map_or(true, |f| f >= n) {
						return Err(NodeError::IndexOutOfRange);
					}
					let child = |c: u32| -> Result<u64, NodeError> {
						let c = usize::try_from(c).map_err(|_| NodeError::BadTree)?;
						if c <= i || c >= end {
							return Err(NodeError::BadTree);
						}
						longest.get(c).copied().ok_or(NodeError::BadTree)
					};
					child(if_true)?.max(child(if_false)?).saturating_add(1)
				}
				TreeNode::Leaf { first, count } => {
					let mut weights = f.leaf(first, count).ok_or(NodeError::BadTree)?;
					if weights.any(|(t, _)| usize::try_from(t).map_or(true, |t| t >= targets)) {
						return Err(NodeError::IndexOutOfRange);
					}
					u64::from(count).saturating_add(1)
				}
			};
			if let Some(l) = longest.get_mut(i) {
				*l = here;
			}
		}
		steps = steps.saturating_add(longest.get(start).copied().ok_or(NodeError::BadTree)?);
	}
	let exps = match t.post_transform {
		PostTransform::None => 0,
		PostTransform::Logistic | PostTransform::Softmax => targets as u64,
	};
	Ok((targets, steps.saturating_add(targets as u64), exps))
}

fn holds(mode: Compare, x: i64, t: i64) -> bool {
	match mode {
		Compare::Leq => x <= t,
		Compare::Lt => x < t,
		Compare::Gte => x >= t,
		Compare::Gt => x > t,
		Compare::Eq => x == t,
		Compare::Neq => x != t,
	}
}

/// The leaf (first weight, count) a walk of tree `tree` over `x` ends in.
fn walk(f: &Forest, tree: usize, x: &[i64]) -> Result<(u32, u32), NodeError> {
	let range = f.tree(tree).ok_or(NodeError::BadTree)?;
	let end = range.end;
	let mut i = range.start;
	loop {
		match f.node(i).ok_or(NodeError::BadTree)? {
			TreeNode::Leaf { first, count } => return Ok((first, count)),
			TreeNode::Branch { mode, feature, threshold, if_true, if_false } => {
				let k = usize::try_from(feature).map_err(|_| NodeError::IndexOutOfRange)?;
				let v = x.get(k).copied().ok_or(NodeError::IndexOutOfRange)?;
				let next = if holds(mode, v, threshold) { if_true } else { if_false };
				let next = usize::try_from(next).map_err(|_| NodeError::BadTree)?;
				// Strictly forward within the tree: the walk ends within its length.
				if next <= i || next >= end {
					return Err(NodeError::BadTree);
				}
				i = next;
			}
		}
	}
}

/// `num / trees` at `weight_scale`, at `scale`, rounded once.
fn finish(num: i128, trees: i128, weight_scale: u8, scale: u8) -> Result<i128, NodeError> {
	if scale >= weight_scale {
		div_half_even(mul(num, pow10(u32::from(scale - weight_scale))?)?, trees)
	} else {
		div_half_even(num, mul(trees, pow10(u32::from(weight_scale - scale))?)?)
	}
}

/// The number the sums are divided by, and the base values' multiplier.
fn divisor(t: &TreeEnsemble) -> Result<i128, NodeError> {
	Ok(match t.aggregate {
		Aggregate::Sum => 1,
		Aggregate::Average => {
			i128::try_from(t.trees.roots.len()).map_err(|_| NodeError::Overflow)?
		}
	})
}

/// The numerator of target `j`'s score from its sum of weights.
fn numerator(t: &TreeEnsemble, j: usize, sum: i128, d: i128) -> Result<i128, NodeError> {
	let base = t.base_values.get(j).copied().unwrap_or(0);
	add(sum, mul(i128::from(base), d)?)
}

pub fn eval(t: &TreeEnsemble, env: &Env<'_, Tensor>) -> Result<Tensor, NodeError> {
	let x = env.tensor(t.input)?;
	let targets = usize::try_from(t.targets).map_err(|_| NodeError::InvalidParameter)?;
	let mut sums = vec![0i128; targets];
	for tree in 0..t.trees.roots.len() {
		let (first, count) = walk(&t.trees, tree, &x.values)?;
		for (target, w) in t.trees.leaf(first, count).ok_or(NodeError::BadTree)? {
			let s = usize::try_from(target)
				.ok()
				.and_then(|i| sums.get_mut(i))
				.ok_or(NodeError::IndexOutOfRange)?;
			*s = add(*s, i128::from(w))?;
		}
	}
	let d = divisor(t)?;
	let mut values = Vec::with_capacity(targets);
	for (j, s) in sums.iter().enumerate() {
		let num = numerator(t, j, *s, d)?;
		let out_scale = match t.post_transform {
			PostTransform::None => t.scale,
			_ => t.weight_scale,
		};
		values.push(narrow(finish(num, d, t.weight_scale, out_scale)?)?);
	}
	let values = match t.post_transform {
		PostTransform::None => values,
		PostTransform::Logistic => values
			.iter()
			.map(|v| func::sigmoid(*v, t.weight_scale, t.scale))
			.collect::<Result<_, _>>()?,
		PostTransform::Softmax => func::softmax(&values, t.weight_scale, t.scale)?,
	};
	Ok(Tensor { scale: t.scale, values })
}

pub fn bounds(t: &TreeEnsemble, env: &Env<'_, Range>) -> Result<Range, NodeError> {
	// The scores do not depend on the input's range, only on the leaves.
	env.tensor(t.input)?;
	let targets = usize::try_from(t.targets).map_err(|_| NodeError::InvalidParameter)?;
	// Sound bounds of each target's sum: every tree adds, for each target, between the
	// least and the most (0 included) a leaf of it adds.
	let (mut lo, mut hi) = (vec![0i128; targets], vec![0i128; targets]);
	let (mut tree_lo, mut tree_hi) = (vec![0i128; targets], vec![0i128; targets]);
	let (mut leaf_neg, mut leaf_pos) = (vec![0i128; targets], vec![0i128; targets]);
	for tree in 0..t.trees.roots.len() {
		let range = t.trees.tree(tree).ok_or(NodeError::BadTree)?;
		let mut in_tree: Vec<usize> = Vec::new();
		for i in range {
			let Some(TreeNode::Leaf { first, count }) = t.trees.node(i) else { continue };
			let weights = t.trees.leaf(first, count).ok_or(NodeError::BadTree)?;
			let mut in_leaf: Vec<usize> = Vec::new();
			for (target, w) in weights {
				let j = usize::try_from(target).map_err(|_| NodeError::IndexOutOfRange)?;
				let (neg, pos) = (
					leaf_neg.get_mut(j).ok_or(NodeError::IndexOutOfRange)?,
					leaf_pos.get_mut(j).ok_or(NodeError::IndexOutOfRange)?,
				);
				let w = i128::from(w);
				*neg = add(*neg, w.min(0))?;
				*pos = add(*pos, w.max(0))?;
				in_leaf.push(j);
			}
			for j in in_leaf {
				if let (Some(n), Some(p), Some(l), Some(h)) = (
					leaf_neg.get_mut(j),
					leaf_pos.get_mut(j),
					tree_lo.get_mut(j),
					tree_hi.get_mut(j),
				) {
					*l = (*l).min(*n);
					*h = (*h).max(*p);
					*n = 0;
					*p = 0;
				}
				in_tree.push(j);
			}
		}
		in_tree.sort_unstable();
		in_tree.dedup();
		for j in in_tree {
			if let (Some(l), Some(h), Some(tl), Some(th)) =
				(lo.get_mut(j), hi.get_mut(j), tree_lo.get_mut(j), tree_hi.get_mut(j))
			{
				*l = add(*l, *tl)?;
				*h = add(*h, *th)?;
				*tl = 0;
				*th = 0;
			}
		}
	}
	let d = divisor(t)?;
	let mut out = Vec::with_capacity(targets);
	for (j, (l, h)) in lo.iter().zip(&hi).enumerate() {
		let (nl, nh) = (numerator(t, j, *l, d)?, numerator(t, j, *h, d)?);
		match t.post_transform {
			PostTransform::None => out.push(Interval {
				min: narrow(finish(nl, d, t.weight_scale, t.scale)?)?,
				max: narrow(finish(nh, d, t.weight_scale, t.scale)?)?,
			}),
			PostTransform::Logistic | PostTransform::Softmax => {
				// The raw scores must fit; the outputs are in [0, 1].
				narrow(finish(nl, d, t.weight_scale, t.weight_scale)?)?;
				narrow(finish(nh, d, t.weight_scale, t.weight_scale)?)?;
				let one = narrow(pow10(u32::from(t.scale))?)?;
				out.push(Interval { min: 0, max: one });
			}
		}
	}
	Ok(Range { scale: t.scale, bounds: out })
}
