//! `Normalizer`: a vector divided by its max, L1 or L2 norm (left as it is when that is
//! 0, as onnxruntime does). L1 and MAX are one [`div_half_even`]; L2 is correctly rounded
//! too: `round(|x| 10^s / sqrt(S))` from the exact `floor(4 x^2 10^2s / S)` by an integer
//! square root, ties to even.

use super::{rescale_interval, Range, Tensor};
use crate::error::NodeError;
use crate::fixed::{add, div_half_even, isqrt, mul, mul_pow10_div, narrow, pow10, rescale};
use crate::program::{Interval, Norm};
use alloc::vec::Vec;

/// The largest sum of squares L2 accepts (the long division's bound).
const MAX_L2_SUM: u128 = 1 << 124;

pub fn eval(x: &Tensor, norm: Norm, scale: u8) -> Result<Tensor, NodeError> {
	let o = pow10(u32::from(scale))?;
	let copy = |x: &Tensor| -> Result<Tensor, NodeError> {
		let values = x
			.values
			.iter()
			.map(|v| rescale(i128::from(*v), u32::from(x.scale), u32::from(scale)))
			.collect::<Result<_, _>>()?;
		Ok(Tensor { scale, values })
	};
	let divide = |d: i128| -> Result<Tensor, NodeError> {
		let values = x
			.values
			.iter()
			.map(|v| narrow(div_half_even(mul(i128::from(*v), o)?, d)?))
			.collect::<Result<_, _>>()?;
		Ok(Tensor { scale, values })
	};
	match norm {
		Norm::Max => match x.values.iter().copied().max() {
			Some(0) | None => copy(x),
			Some(m) => divide(i128::from(m)),
		},
		Norm::L1 => {
			let s = x.values.iter().try_fold(0i128, |s, v| add(s, i128::from(*v).abs()))?;
			if s == 0 {
				copy(x)
			} else {
				divide(s)
			}
		}
		Norm::L2 => {
			let s = x.values.iter().try_fold(0u128, |s, v| {
				let sq = u128::from(v.unsigned_abs()).pow(2);
				s.checked_add(sq).ok_or(NodeError::Overflow)
			})?;
			if s == 0 {
				return copy(x);
			}
			if s >= MAX_L2_SUM {
				return Err(NodeError::Overflow);
			}
			let digits = u32::from(scale) * 2;
			let values = x
				.values
				.iter()
				.map(|v| {
					let a = u128::from(v.unsigned_abs()).pow(2);
					let (q, exact) = mul_pow10_div(a, 4, digits, s)?;
					let r = isqrt(q);
					let tie = exact && !r.is_multiple_of(2) && r.checked_mul(r) == Some(q);
					let half = r / 2;
					let y = if tie && half.is_multiple_of(2) { half } else { r.div_ceil(2) };
					let y = i64::try_from(y).map_err(|_| NodeError::Overflow)?;
					Ok(if *v < 0 { -y } else { y })
				})
				.collect::<Result<_, NodeError>>()?;
			Ok(Tensor { scale, values })
		}
	}
}

pub fn bounds(x: &Range, norm: Norm, scale: u8) -> Result<Range, NodeError> {
	let o = pow10(u32::from(scale))?;
	let mut out = Vec::new();
	let mut squares: u128 = 0;
	for b in &x.bounds {
		// The copy case (a zero norm).
		let c = rescale_interval(b.min.into(), b.max.into(), x.scale.into(), u32::from(scale))?;
		let magnitude = i128::from(b.min.unsigned_abs().max(b.max.unsigned_abs()));
		let m = match norm {
			// x / max with max >= 1 when positive, or x <= max < 0: at most |x| units.
			Norm::Max => narrow(mul(magnitude, o)?.max(o))?,
			Norm::L1 | Norm::L2 => narrow(o)?,
		};
		let sq = u128::try_from(magnitude).map_err(|_| NodeError::Overflow)?.pow(2);
		squares = squares.checked_add(sq).ok_or(NodeError::Overflow)?;
		out.push(Interval { min: c.min.min(-m), max: c.max.max(m) });
	}
	if norm == Norm::L2 && squares >= MAX_L2_SUM {
		return Err(NodeError::Overflow);
	}
	Ok(Range { scale, bounds: out })
}
