//! `ArgMax`, `TopK`, `OneHot`, `Gather`, `Concat` and `Lookup`: comparisons and copies.

use super::{check_scale, rescale_interval, Env, Range, Shaped, Tensor};
use crate::error::NodeError;
use crate::fixed::{mul, pow10, rescale};
use crate::program::{Interval, Op, OpKind};
use alloc::{vec, vec::Vec};

pub fn shape<T: Shaped>(op: &Op, env: &Env<'_, T>) -> Result<(usize, OpKind, u64), NodeError> {
	let (len, cost) = match op {
		Op::ArgMax { input } => (1, env.tensor(*input)?.len()),
		Op::TopK { input, k, .. } => {
			let n = env.tensor(*input)?.len();
			let k = usize::try_from(*k).map_err(|_| NodeError::InvalidParameter)?;
			if k == 0 || k > n {
				return Err(NodeError::InvalidParameter);
			}
			(k, n.saturating_mul(k))
		}
		Op::OneHot { input, categories, .. } => {
			let n = env.tensor(*input)?.len();
			let c = env.constant(*categories)?;
			check_scale(c.scale)?;
			let len = n.checked_mul(c.values.len()).ok_or(NodeError::InvalidLength)?;
			(len, len)
		}
		Op::Gather { input, indices } => {
			let n = env.tensor(*input)?.len();
			if indices.iter().any(|i| usize::try_from(*i).map_or(true, |i| i >= n)) {
				return Err(NodeError::IndexOutOfRange);
			}
			(indices.len(), indices.len())
		}
		Op::Concat { inputs, scale } => {
			check_scale(*scale)?;
			let mut len: usize = 0;
			for id in inputs {
				len = len.checked_add(env.tensor(*id)?.len()).ok_or(NodeError::InvalidLength)?;
			}
			(len, len)
		}
		Op::Lookup { input, table } => {
			let x = env.tensor(*input)?;
			if x.scale() != 0 {
				return Err(NodeError::NotAnInteger);
			}
			check_scale(env.constant(*table)?.scale)?;
			(x.len(), x.len())
		}
		_ => return Err(NodeError::InvalidParameter),
	};
	Ok((len, OpKind::Select, cost as u64))
}

/// The positions of the `k` largest values, largest first, ties to the lower position.
fn top_k(values: &[i64], k: usize) -> Vec<usize> {
	let mut taken = vec![false; values.len()];
	let mut out = Vec::with_capacity(k);
	for _ in 0..k {
		let mut best: Option<usize> = None;
		for (i, v) in values.iter().enumerate() {
			if taken.get(i).copied().unwrap_or(true) {
				continue;
			}
			if best.and_then(|b| values.get(b)).is_none_or(|b| v > b) {
				best = Some(i);
			}
		}
		match best {
			Some(b) => {
				if let Some(t) = taken.get_mut(b) {
					*t = true;
				}
				out.push(b);
			}
			None => break,
		}
	}
	out
}

/// `a` at scale `sa` equals `b` at scale `sb`, exactly.
fn same(a: i64, sa: u8, b: i64, sb: u8) -> Result<bool, NodeError> {
	let m = sa.max(sb);
	let a = mul(i128::from(a), pow10(u32::from(m - sa))?)?;
	let b = mul(i128::from(b), pow10(u32::from(m - sb))?)?;
	Ok(a == b)
}

fn index(i: usize) -> Result<i64, NodeError> {
	i64::try_from(i).map_err(|_| NodeError::Overflow)
}

pub fn eval(op: &Op, env: &Env<'_, Tensor>) -> Result<Tensor, NodeError> {
	match op {
		Op::ArgMax { input } => {
			let x = env.tensor(*input)?;
			let first = top_k(&x.values, 1).first().copied().ok_or(NodeError::InvalidLength)?;
			Ok(Tensor { scale: 0, values: vec![index(first)?] })
		}
		Op::TopK { input, k, values } => {
			let x = env.tensor(*input)?;
			let k = usize::try_from(*k).map_err(|_| NodeError::InvalidParameter)?;
			let picked = top_k(&x.values, k);
			if *values {
				let v = picked
					.iter()
					.map(|i| x.values.get(*i).copied().ok_or(NodeError::IndexOutOfRange))
					.collect::<Result<_, _>>()?;
				Ok(Tensor { scale: x.scale, values: v })
			} else {
				Ok(Tensor {
					scale: 0,
					values: picked.into_iter().map(index).collect::<Result<_, _>>()?,
				})
			}
		}
		Op::OneHot { input, categories, zeros } => {
			let x = env.tensor(*input)?;
			let c = env.constant(*categories)?;
			let mut out = Vec::new();
			for v in &x.values {
				let mut hit = false;
				for cat in &c.values {
					let eq = same(*v, x.scale, *cat, c.scale)?;
					hit |= eq;
					out.push(i64::from(eq));
				}
				if !hit && !zeros {
					return Err(NodeError::UnknownCategory);
				}
			}
			Ok(Tensor { scale: 0, values: out })
		}
		Op::Gather { input, indices } => {
			let x = env.tensor(*input)?;
			let values = indices
				.iter()
				.map(|i| {
					usize::try_from(*i)
						.ok()
						.and_then(|i| x.values.get(i).copied())
						.ok_or(NodeError::IndexOutOfRange)
				})
				.collect::<Result<_, _>>()?;
			Ok(Tensor { scale: x.scale, values })
		}
		Op::Concat { inputs, scale } => {
			let mut values = Vec::new();
			for id in inputs {
				let x = env.tensor(*id)?;
				for v in &x.values {
					values.push(rescale(i128::from(*v), u32::from(x.scale), u32::from(*scale))?);
				}
			}
			Ok(Tensor { scale: *scale, values })
		}
		Op::Lookup { input, table } => {
			let x = env.tensor(*input)?;
			let t = env.constant(*table)?;
			if x.scale != 0 {
				return Err(NodeError::NotAnInteger);
			}
			let values = x
				.values
				.iter()
				.map(|i| {
					usize::try_from(*i)
						.ok()
						.and_then(|i| t.values.get(i).copied())
						.ok_or(NodeError::IndexOutOfRange)
				})
				.collect::<Result<_, _>>()?;
			Ok(Tensor { scale: t.scale, values })
		}
		_ => Err(NodeError::InvalidParameter),
	}
}

/// The interval `[0, n - 1]` of a position in `n` elements.
fn positions(n: usize) -> Result<Interval, NodeError> {
	Ok(Interval { min: 0, max: index(n.saturating_sub(1))? })
}

pub fn bounds(op: &Op, env: &Env<'_, Range>) -> Result<Range, NodeError> {
	match op {
		Op::ArgMax { input } => {
			let n = env.tensor(*input)?.len();
			Ok(Range { scale: 0, bounds: vec![positions(n)?] })
		}
		Op::TopK { input, k, values } => {
			let x = env.tensor(*input)?;
			let k = usize::try_from(*k).map_err(|_| NodeError::InvalidParameter)?;
			if *values {
				let min = x.bounds.iter().map(|b| b.min).min().ok_or(NodeError::InvalidLength)?;
				let max = x.bounds.iter().map(|b| b.max).max().ok_or(NodeError::InvalidLength)?;
				Ok(Range { scale: x.scale, bounds: vec![Interval { min, max }; k] })
			} else {
				Ok(Range { scale: 0, bounds: vec![positions(x.len())?; k] })
			}
		}
		Op::OneHot { input, categories, .. } => {
			let x = env.tensor(*input)?;
			let c = env.constant(*categories)?;
			// Comparing aligns both to the larger scale: check it cannot overflow.
			let m = x.scale.max(c.scale);
			for b in &x.bounds {
				mul(
					i128::from(b.min.unsigned_abs().max(b.max.unsigned_abs())),
					pow10(u32::from(m))?,
				)?;
			}
			let len = x.len().checked_mul(c.values.len()).ok_or(NodeError::InvalidLength)?;
			Ok(Range { scale: 0, bounds: vec![Interval { min: 0, max: 1 }; len] })
		}
		Op::Gather { input, indices } => {
			let x = env.tensor(*input)?;
			let bounds = indices
				.iter()
				.map(|i| {
					usize::try_from(*i)
						.ok()
						.and_then(|i| x.bounds.get(i).copied())
						.ok_or(NodeError::IndexOutOfRange)
				})
				.collect::<Result<_, _>>()?;
			Ok(Range { scale: x.scale, bounds })
		}
		Op::Concat { inputs, scale } => {
			let mut bounds = Vec::new();
			for id in inputs {
				let x = env.tensor(*id)?;
				for b in &x.bounds {
					bounds.push(rescale_interval(
						b.min.into(),
						b.max.into(),
						x.scale.into(),
						u32::from(*scale),
					)?);
				}
			}
			Ok(Range { scale: *scale, bounds })
		}
		Op::Lookup { input, table } => {
			let x = env.tensor(*input)?;
			let t = env.constant(*table)?;
			let mut bounds = Vec::new();
			for b in &x.bounds {
				let lo = usize::try_from(b.min).map_err(|_| NodeError::IndexOutOfRange)?;
				let hi = usize::try_from(b.max).map_err(|_| NodeError::IndexOutOfRange)?;
				let slice = t.values.get(lo..=hi).ok_or(NodeError::IndexOutOfRange)?;
				let min = slice.iter().copied().min().ok_or(NodeError::IndexOutOfRange)?;
				let max = slice.iter().copied().max().ok_or(NodeError::IndexOutOfRange)?;
				bounds.push(Interval { min, max });
			}
			Ok(Range { scale: t.scale, bounds })
		}
		_ => Err(NodeError::InvalidParameter),
	}
}
