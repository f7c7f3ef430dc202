//! The transcendental functions, in integers: `e^-a`, the logistic function, `tanh` and
//! softmax, deterministic on every platform.
//!
//! ## How
//! Internally values are at scale 18 (`P = 10^18`). `e^-a` for `a >= 0`: `a = k ln2 + r`
//! with `0 <= r < ln2` (`ln2` rounded to 18 decimals), `e^-r` by its Taylor series (each
//! term rounded with [`div_half_even`], stopping at the first term that rounds to 0, at
//! most 30), then divided by `2^k` (rounded). `e^-a` is 0 for `a >= 44` (`e^-44 < 10^-19`).
//!
//! ## Error bounds (proven below, tested against double precision in the tests)
//! - `exp_neg`: `|exp_neg(a) / P - e^-a| <= 10^-16`.
//! - `sigmoid`, `tanh`, at output scale `s`: within `0.5 * 10^-s + 2 * 10^-16` of the true
//!   value of the function at the (exact) fixed-point input.
//! - `softmax` of `n` values: each within `0.5 * 10^-s + (n + 1) * 10^-16`.
//!
//! Proof sketch: the reduction error is `k * 0.42 * 10^-18` with `k <= 63` (`2.7 * 10^-17`
//! in `r`, the same relative error in `e^-r <= 1`); the series alternates with terms below
//! 1 after the first, each rounding adds at most `0.5 * 10^-18` (at most 30 of them:
//! `1.5 * 10^-17`); the division by `2^k` adds `0.5 * 10^-18`: under `5 * 10^-17` in all.
//! `1 / (1 + e)` and `e / (1 + e)` move by at most the error of `e` (derivative `<= 1`),
//! `(1 - e) / (1 + e)` by twice it; softmax's `e_i / S` (with `S >= 1`) by `(n + 1)` times
//! it. The final [`div_half_even`] to scale `s` adds at most half a unit.

use crate::error::NodeError;
use crate::fixed::{add, div_half_even, mul, pow10, sub};
use alloc::vec::Vec;

/// The internal scale's unit, `10^18`.
pub const P: i128 = 1_000_000_000_000_000_000;

/// `ln 2` at scale 18 (`0.693147180559945309417...`).
const LN2: i128 = 693_147_180_559_945_309;

/// Beyond this (44 at scale 18), `e^-a` rounds to 0 at scale 18.
const CUTOFF: i128 = 44 * P;

/// The most Taylor terms.
const MAX_TERMS: i128 = 30;

/// `x` (at scale `scale <= 18`) at scale 18.
pub fn to_internal(x: i64, scale: u8) -> Result<i128, NodeError> {
	if scale > 18 {
		return Err(NodeError::InvalidScale(scale));
	}
	mul(i128::from(x), pow10(u32::from(18 - scale))?)
}

/// `e^-a` at scale 18, for `a >= 0` at scale 18.
pub fn exp_neg(a: i128) -> Result<i128, NodeError> {
	if a < 0 {
		return Err(NodeError::InvalidParameter);
	}
	if a >= CUTOFF {
		return Ok(0);
	}
	let k = a / LN2;
	let r = a - k * LN2;
	let (mut sum, mut term) = (P, P);
	let mut n = 1;
	while n <= MAX_TERMS {
		term = div_half_even(mul(-term, r)?, mul(P, n)?)?;
		if term == 0 {
			break;
		}
		sum = add(sum, term)?;
		n += 1;
	}
	// k < 64 as a < 44 < 64 ln 2.
	let shift = u32::try_from(k).map_err(|_| NodeError::Overflow)?;
	let two_k = 1i128.checked_shl(shift).ok_or(NodeError::Overflow)?;
	div_half_even(sum, two_k)
}

/// The logistic function of `x` (at `in_scale`), at `out_scale`.
pub fn sigmoid(x: i64, in_scale: u8, out_scale: u8) -> Result<i64, NodeError> {
	let z = to_internal(x, in_scale)?;
	let e = exp_neg(z.checked_abs().ok_or(NodeError::Overflow)?)?;
	let o = out_unit(out_scale)?;
	let num = if z >= 0 { P } else { e };
	narrow(div_half_even(mul(num, o)?, add(P, e)?)?)
}

/// `tanh(x)` (at `in_scale`), at `out_scale`.
pub fn tanh(x: i64, in_scale: u8, out_scale: u8) -> Result<i64, NodeError> {
	let z = to_internal(x, in_scale)?;
	let e = exp_neg(mul(z.checked_abs().ok_or(NodeError::Overflow)?, 2)?)?;
	let o = out_unit(out_scale)?;
	let t = div_half_even(mul(sub(P, e)?, o)?, add(P, e)?)?;
	narrow(if z < 0 { -t } else { t })
}

/// Softmax of `xs` (at `in_scale`), at `out_scale`.
pub fn softmax(xs: &[i64], in_scale: u8, out_scale: u8) -> Result<Vec<i64>, NodeError> {
	let max = xs.iter().copied().max().ok_or(NodeError::InvalidLength)?;
	let max = to_internal(max, in_scale)?;
	let mut exps = Vec::with_capacity(xs.len());
	let mut sum: i128 = 0;
	for x in xs {
		let e = exp_neg(sub(max, to_internal(*x, in_scale)?)?)?;
		sum = add(sum, e)?;
		exps.push(e);
	}
	let o = out_unit(out_scale)?;
	exps.into_iter().map(|e| narrow(div_half_even(mul(e, o)?, sum)?)).collect()
}

/// `10^scale`, for an output scale of at most 18.
fn out_unit(scale: u8) -> Result<i128, NodeError> {
	if scale > 18 {
		return Err(NodeError::InvalidScale(scale));
	}
	pow10(u32::from(scale))
}

fn narrow(v: i128) -> Result<i64, NodeError> {
	crate::fixed::narrow(v)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn real(q: i128, scale: u8) -> f64 {
		q as f64 / 10f64.powi(scale as i32)
	}

	#[test]
	fn exp_neg_is_within_its_bound() {
		let mut worst = 0f64;
		for i in 0..=4600i128 {
			let a = i * P / 100 + i * 7_919;
			let got = real(exp_neg(a).unwrap(), 18);
			let want = (-(a as f64) / 1e18).exp();
			worst = worst.max((got - want).abs());
		}
		// The bound is 1e-16; f64's own exp adds up to ~1.1e-16 near 1.
		assert!(worst <= 2.2e-16, "worst {worst:e}");
		assert_eq!(exp_neg(0), Ok(P));
		assert_eq!(exp_neg(CUTOFF), Ok(0));
		assert_eq!(exp_neg(-1), Err(NodeError::InvalidParameter));
	}

	#[test]
	fn sigmoid_and_tanh_are_within_half_a_unit_and_their_bound() {
		for out in [6u8, 9, 12, 18] {
			let unit = 10f64.powi(-(out as i32));
			let bound = 0.5 * unit + 2e-16 + 4e-16;
			for i in -2000i64..=2000 {
				let x = i * 13_579; // scale 6: -27.2 to 27.2
				let xf = x as f64 / 1e6;
				let s = real(sigmoid(x, 6, out).unwrap().into(), out);
				assert!((s - 1.0 / (1.0 + (-xf).exp())).abs() <= bound, "sigmoid {xf} at {out}");
				let t = real(tanh(x, 6, out).unwrap().into(), out);
				assert!((t - xf.tanh()).abs() <= bound, "tanh {xf} at {out}");
			}
		}
		assert_eq!(sigmoid(0, 0, 6), Ok(500_000));
		assert_eq!(tanh(0, 0, 6), Ok(0));
		assert_eq!(sigmoid(i64::MAX, 0, 18), Ok(1_000_000_000_000_000_000));
		assert_eq!(sigmoid(i64::MIN, 0, 18), Ok(0));
		assert_eq!(tanh(i64::MIN, 0, 18), Ok(-1_000_000_000_000_000_000));
	}

	#[test]
	fn softmax_is_within_its_bound() {
		let xs: Vec<i64> = (0..10).map(|i| (i * 7_777_777 % 23_000_000) - 11_000_000).collect();
		for out in [6u8, 9, 15] {
			let got = softmax(&xs, 6, out).unwrap();
			let m = xs.iter().map(|x| *x as f64 / 1e6).fold(f64::MIN, f64::max);
			let es: Vec<f64> = xs.iter().map(|x| (*x as f64 / 1e6 - m).exp()).collect();
			let s: f64 = es.iter().sum();
			let bound = 0.5 * 10f64.powi(-(out as i32)) + 11e-16 + 1e-15;
			for (g, e) in got.iter().zip(&es) {
				assert!((real((*g).into(), out) - e / s).abs() <= bound, "{g} {}", e / s);
			}
		}
		assert_eq!(softmax(&[5, 5], 0, 6), Ok(alloc::vec![500_000, 500_000]));
		assert_eq!(softmax(&[], 0, 6), Err(NodeError::InvalidLength));
	}
}
