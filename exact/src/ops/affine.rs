//! `Linear` (MatMul, Gemm, linear models), `Add`, `AddConst` and `Scaler`: sums and
//! products computed exactly in `i128`, rounded once to the output scale.

use super::{at, check_scale, hull, mul_interval, rescale_interval, Env, Range, Shaped, Tensor};
use crate::error::NodeError;
use crate::fixed::{add, mul, pow10, rescale, sub};
use crate::program::{Constant, Interval, Op, OpKind};
use alloc::vec::Vec;

/// `v` at scale `from` at the larger scale `to`, exactly.
fn align(v: i128, from: u8, to: u8) -> Result<i128, NodeError> {
	let e = u32::from(to).checked_sub(u32::from(from)).ok_or(NodeError::Overflow)?;
	mul(v, pow10(e)?)
}

fn align_interval(i: (i128, i128), from: u8, to: u8) -> Result<(i128, i128), NodeError> {
	Ok((align(i.0, from, to)?, align(i.1, from, to)?))
}

fn wide(i: &Interval) -> (i128, i128) {
	(i128::from(i.min), i128::from(i.max))
}

pub fn shape<T: Shaped>(op: &Op, env: &Env<'_, T>) -> Result<(usize, OpKind, u64), NodeError> {
	match op {
		Op::Linear { input, weights, bias, outputs, scale } => {
			check_scale(*scale)?;
			let n = env.tensor(*input)?.len();
			let outputs = usize::try_from(*outputs).map_err(|_| NodeError::InvalidLength)?;
			let w = env.constant(*weights)?;
			if Some(w.values.len()) != n.checked_mul(outputs) {
				return Err(NodeError::ShapeMismatch);
			}
			if let Some(b) = bias {
				if env.constant(*b)?.values.len() != outputs {
					return Err(NodeError::ShapeMismatch);
				}
			}
			let cost = (outputs as u64).saturating_mul(n as u64 + 1);
			Ok((outputs, OpKind::Linear, cost))
		}
		Op::Add { a, b, scale } => {
			check_scale(*scale)?;
			let n = env.tensor(*a)?.len();
			let m = env.tensor(*b)?.len();
			if m != n && m != 1 {
				return Err(NodeError::ShapeMismatch);
			}
			Ok((n, OpKind::Elementwise, n as u64))
		}
		Op::AddConst { input, addend, scale } => {
			check_scale(*scale)?;
			let n = env.tensor(*input)?.len();
			env.broadcast(*addend, n)?;
			Ok((n, OpKind::Elementwise, n as u64))
		}
		Op::Scaler { input, offset, factor, scale } => {
			check_scale(*scale)?;
			let n = env.tensor(*input)?.len();
			env.broadcast(*offset, n)?;
			env.broadcast(*factor, n)?;
			Ok((n, OpKind::Elementwise, n as u64))
		}
		_ => Err(NodeError::InvalidParameter),
	}
}

pub fn eval(op: &Op, env: &Env<'_, Tensor>) -> Result<Tensor, NodeError> {
	match op {
		Op::Linear { input, weights, bias, outputs, scale } => {
			let x = env.tensor(*input)?;
			let w = env.constant(*weights)?;
			let bias = bias.map(|b| env.constant(b)).transpose()?;
			let product = x.scale.checked_add(w.scale).ok_or(NodeError::Overflow)?;
			let common = bias.map_or(product, |b| product.max(b.scale));
			let n = x.values.len();
			let mut values = Vec::new();
			for j in 0..usize::try_from(*outputs).map_err(|_| NodeError::InvalidLength)? {
				let row = super::row(&w.values, j, n)?;
				let mut acc: i128 = 0;
				for (wi, xi) in row.iter().zip(&x.values) {
					acc = add(acc, mul(i128::from(*wi), i128::from(*xi))?)?;
				}
				acc = align(acc, product, common)?;
				if let Some(b) = bias {
					let bj = b.values.get(j).copied().ok_or(NodeError::ShapeMismatch)?;
					acc = add(acc, align(i128::from(bj), b.scale, common)?)?;
				}
				values.push(rescale(acc, u32::from(common), u32::from(*scale))?);
			}
			Ok(Tensor { scale: *scale, values })
		}
		Op::Add { a, b, scale } => {
			let (a, b) = (env.tensor(*a)?, env.tensor(*b)?);
			let other = Constant { scale: b.scale, values: b.values.clone() };
			add_values(a, &other, *scale)
		}
		Op::AddConst { input, addend, scale } => {
			add_values(env.tensor(*input)?, env.constant(*addend)?, *scale)
		}
		Op::Scaler { input, offset, factor, scale } => {
			let x = env.tensor(*input)?;
			let (o, f) = (env.constant(*offset)?, env.constant(*factor)?);
			let m = x.scale.max(o.scale);
			let product = m.checked_add(f.scale).ok_or(NodeError::Overflow)?;
			let values = x
				.values
				.iter()
				.enumerate()
				.map(|(i, xi)| {
					let t = sub(
						align(i128::from(*xi), x.scale, m)?,
						align(i128::from(at(o, i)?), o.scale, m)?,
					)?;
					rescale(mul(t, i128::from(at(f, i)?))?, u32::from(product), u32::from(*scale))
				})
				.collect::<Result<_, _>>()?;
			Ok(Tensor { scale: *scale, values })
		}
		_ => Err(NodeError::InvalidParameter),
	}
}

fn add_values(a: &Tensor, b: &Constant, scale: u8) -> Result<Tensor, NodeError> {
	let m = a.scale.max(b.scale);
	let values = a
		.values
		.iter()
		.enumerate()
		.map(|(i, ai)| {
			let s = add(
				align(i128::from(*ai), a.scale, m)?,
				align(i128::from(at(b, i)?), b.scale, m)?,
			)?;
			rescale(s, u32::from(m), u32::from(scale))
		})
		.collect::<Result<_, _>>()?;
	Ok(Tensor { scale, values })
}

pub fn bounds(op: &Op, env: &Env<'_, Range>) -> Result<Range, NodeError> {
	match op {
		Op::Linear { input, weights, bias, outputs, scale } => {
			let x = env.tensor(*input)?;
			let w = env.constant(*weights)?;
			let bias = bias.map(|b| env.constant(b)).transpose()?;
			let product = x.scale.checked_add(w.scale).ok_or(NodeError::Overflow)?;
			let common = bias.map_or(product, |b| product.max(b.scale));
			let n = x.bounds.len();
			let mut out = Vec::new();
			for j in 0..usize::try_from(*outputs).map_err(|_| NodeError::InvalidLength)? {
				let row = super::row(&w.values, j, n)?;
				let (mut lo, mut hi) = (0i128, 0i128);
				for (wi, xi) in row.iter().zip(&x.bounds) {
					let (a, b) = mul_interval((i128::from(*wi), i128::from(*wi)), wide(xi))?;
					lo = add(lo, a)?;
					hi = add(hi, b)?;
				}
				let (mut lo, mut hi) = align_interval((lo, hi), product, common)?;
				if let Some(b) = bias {
					let bj = b.values.get(j).copied().ok_or(NodeError::ShapeMismatch)?;
					let bj = align(i128::from(bj), b.scale, common)?;
					lo = add(lo, bj)?;
					hi = add(hi, bj)?;
				}
				out.push(rescale_interval(lo, hi, u32::from(common), u32::from(*scale))?);
			}
			Ok(Range { scale: *scale, bounds: out })
		}
		Op::Add { a, b, scale } => {
			let (a, b) = (env.tensor(*a)?, env.tensor(*b)?);
			let m = a.scale.max(b.scale);
			let mut out = Vec::new();
			for (i, ai) in a.bounds.iter().enumerate() {
				let bi = if b.bounds.len() == 1 { b.bounds.first() } else { b.bounds.get(i) };
				let bi = bi.ok_or(NodeError::ShapeMismatch)?;
				let (a0, a1) = align_interval(wide(ai), a.scale, m)?;
				let (b0, b1) = align_interval(wide(bi), b.scale, m)?;
				out.push(rescale_interval(
					add(a0, b0)?,
					add(a1, b1)?,
					u32::from(m),
					u32::from(*scale),
				)?);
			}
			Ok(Range { scale: *scale, bounds: out })
		}
		Op::AddConst { input, addend, scale } => {
			let (x, c) = (env.tensor(*input)?, env.constant(*addend)?);
			let m = x.scale.max(c.scale);
			let mut out = Vec::new();
			for (i, xi) in x.bounds.iter().enumerate() {
				let (a0, a1) = align_interval(wide(xi), x.scale, m)?;
				let ci = align(i128::from(at(c, i)?), c.scale, m)?;
				out.push(rescale_interval(
					add(a0, ci)?,
					add(a1, ci)?,
					u32::from(m),
					u32::from(*scale),
				)?);
			}
			Ok(Range { scale: *scale, bounds: out })
		}
		Op::Scaler { input, offset, factor, scale } => {
			let x = env.tensor(*input)?;
			let (o, f) = (env.constant(*offset)?, env.constant(*factor)?);
			let m = x.scale.max(o.scale);
			let product = m.checked_add(f.scale).ok_or(NodeError::Overflow)?;
			let mut out = Vec::new();
			for (i, xi) in x.bounds.iter().enumerate() {
				let (a0, a1) = align_interval(wide(xi), x.scale, m)?;
				let oi = align(i128::from(at(o, i)?), o.scale, m)?;
				let t = hull(sub(a0, oi)?, sub(a1, oi)?);
				let fi = i128::from(at(f, i)?);
				let (lo, hi) = mul_interval(t, (fi, fi))?;
				out.push(rescale_interval(lo, hi, u32::from(product), u32::from(*scale))?);
			}
			Ok(Range { scale: *scale, bounds: out })
		}
		_ => Err(NodeError::InvalidParameter),
	}
}
