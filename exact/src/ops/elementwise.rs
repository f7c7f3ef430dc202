//! `Relu`, `Rescale`, `Binarizer` and `Imputer`: one value in, one value out.

use super::{at, check_scale, rescale_interval, Env, Range, Shaped, Tensor};
use crate::error::NodeError;
use crate::fixed::rescale;
use crate::program::{Interval, Op, OpKind};
use alloc::vec::Vec;

pub fn shape<T: Shaped>(op: &Op, env: &Env<'_, T>) -> Result<(usize, OpKind, u64), NodeError> {
	let n = match op {
		Op::Relu { input } | Op::Binarizer { input, .. } => env.tensor(*input)?.len(),
		Op::Rescale { input, scale } => {
			check_scale(*scale)?;
			env.tensor(*input)?.len()
		}
		Op::Imputer { input, values, scale, .. } => {
			check_scale(*scale)?;
			let n = env.tensor(*input)?.len();
			env.broadcast(*values, n)?;
			n
		}
		_ => return Err(NodeError::InvalidParameter),
	};
	Ok((n, OpKind::Elementwise, n as u64))
}

pub fn eval(op: &Op, env: &Env<'_, Tensor>) -> Result<Tensor, NodeError> {
	match op {
		Op::Relu { input } => {
			let x = env.tensor(*input)?;
			Ok(Tensor { scale: x.scale, values: x.values.iter().map(|v| (*v).max(0)).collect() })
		}
		Op::Rescale { input, scale } => {
			let x = env.tensor(*input)?;
			let values = x
				.values
				.iter()
				.map(|v| rescale(i128::from(*v), u32::from(x.scale), u32::from(*scale)))
				.collect::<Result<_, _>>()?;
			Ok(Tensor { scale: *scale, values })
		}
		Op::Binarizer { input, threshold } => {
			let x = env.tensor(*input)?;
			Ok(Tensor {
				scale: 0,
				values: x.values.iter().map(|v| i64::from(*v > *threshold)).collect(),
			})
		}
		Op::Imputer { input, replaced, values, scale } => {
			let x = env.tensor(*input)?;
			let c = env.constant(*values)?;
			let values = x
				.values
				.iter()
				.enumerate()
				.map(|(i, v)| {
					if v == replaced {
						rescale(i128::from(at(c, i)?), u32::from(c.scale), u32::from(*scale))
					} else {
						rescale(i128::from(*v), u32::from(x.scale), u32::from(*scale))
					}
				})
				.collect::<Result<_, _>>()?;
			Ok(Tensor { scale: *scale, values })
		}
		_ => Err(NodeError::InvalidParameter),
	}
}

pub fn bounds(op: &Op, env: &Env<'_, Range>) -> Result<Range, NodeError> {
	match op {
		Op::Relu { input } => {
			let x = env.tensor(*input)?;
			let bounds = x
				.bounds
				.iter()
				.map(|i| Interval { min: i.min.max(0), max: i.max.max(0) })
				.collect();
			Ok(Range { scale: x.scale, bounds })
		}
		Op::Rescale { input, scale } => {
			let x = env.tensor(*input)?;
			let bounds = x
				.bounds
				.iter()
				.map(|i| {
					rescale_interval(i.min.into(), i.max.into(), x.scale.into(), u32::from(*scale))
				})
				.collect::<Result<_, _>>()?;
			Ok(Range { scale: *scale, bounds })
		}
		Op::Binarizer { input, threshold } => {
			let x = env.tensor(*input)?;
			let bounds = x
				.bounds
				.iter()
				.map(|i| Interval {
					min: i64::from(i.min > *threshold),
					max: i64::from(i.max > *threshold),
				})
				.collect();
			Ok(Range { scale: 0, bounds })
		}
		Op::Imputer { input, replaced, values, scale } => {
			let x = env.tensor(*input)?;
			let c = env.constant(*values)?;
			let mut out = Vec::new();
			for (i, b) in x.bounds.iter().enumerate() {
				let mut r = rescale_interval(
					b.min.into(),
					b.max.into(),
					x.scale.into(),
					u32::from(*scale),
				)?;
				if b.min <= *replaced && *replaced <= b.max {
					let v = rescale(i128::from(at(c, i)?), u32::from(c.scale), u32::from(*scale))?;
					r = Interval { min: r.min.min(v), max: r.max.max(v) };
				}
				out.push(r);
			}
			Ok(Range { scale: *scale, bounds: out })
		}
		_ => Err(NodeError::InvalidParameter),
	}
}
