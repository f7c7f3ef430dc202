//! Fixed-point arithmetic: the one rounding rule, rescaling, and the checked helpers every
//! operator uses. A value `q` at scale `s` stands for the real number `q / 10^s`.
//!
//! Rounding happens in exactly one place, [`div_half_even`]: the quotient of two integers
//! rounded to the nearest integer, ties to the even one. Everything that loses digits
//! (rescaling, division, the transcendental functions) goes through it.

use crate::error::NodeError;

/// The largest decimal exponent [`pow10`] takes: `10^38` is the largest power of ten in
/// an `i128`.
pub const MAX_POW10: u32 = 38;

/// `10^e` as an `i128`, for `e <= 38`.
pub fn pow10(e: u32) -> Result<i128, NodeError> {
	if e > MAX_POW10 {
		return Err(NodeError::Overflow);
	}
	10i128.checked_pow(e).ok_or(NodeError::Overflow)
}

/// `n / d` rounded to the nearest integer, ties to even: the only rounding rule of the
/// interpreter.
pub fn div_half_even(n: i128, d: i128) -> Result<i128, NodeError> {
	if d == 0 {
		return Err(NodeError::DivisionByZero);
	}
	let q = n.checked_div(d).ok_or(NodeError::Overflow)?;
	let r = n.checked_rem(d).ok_or(NodeError::Overflow)?;
	if r == 0 {
		return Ok(q);
	}
	let (n_negative, d_negative) = (n < 0, d < 0);
	let (r, d) = (r.unsigned_abs(), d.unsigned_abs());
	// Compare 2r with d without overflowing: r against d - r.
	let other = d - r;
	let away = r > other || (r == other && q % 2 != 0);
	if !away {
		return Ok(q);
	}
	// r != 0, so n != 0: the exact quotient is negative when n and d differ in sign.
	if n_negative != d_negative {
		q.checked_sub(1).ok_or(NodeError::Overflow)
	} else {
		q.checked_add(1).ok_or(NodeError::Overflow)
	}
}

/// `v` at scale `from` brought to scale `to`: multiplied exactly when `to >= from`,
/// divided with [`div_half_even`] otherwise.
pub fn rescale_wide(v: i128, from: u32, to: u32) -> Result<i128, NodeError> {
	if to >= from {
		v.checked_mul(pow10(to - from)?).ok_or(NodeError::Overflow)
	} else {
		div_half_even(v, pow10(from - to)?)
	}
}

/// [`rescale_wide`], the result checked to fit an `i64`.
pub fn rescale(v: i128, from: u32, to: u32) -> Result<i64, NodeError> {
	narrow(rescale_wide(v, from, to)?)
}

/// An `i128` as an `i64`, or [`NodeError::Overflow`].
pub fn narrow(v: i128) -> Result<i64, NodeError> {
	i64::try_from(v).map_err(|_| NodeError::Overflow)
}

/// Checked `a + b`.
pub fn add(a: i128, b: i128) -> Result<i128, NodeError> {
	a.checked_add(b).ok_or(NodeError::Overflow)
}

/// Checked `a - b`.
pub fn sub(a: i128, b: i128) -> Result<i128, NodeError> {
	a.checked_sub(b).ok_or(NodeError::Overflow)
}

/// Checked `a * b`.
pub fn mul(a: i128, b: i128) -> Result<i128, NodeError> {
	a.checked_mul(b).ok_or(NodeError::Overflow)
}

/// `floor(sqrt(n))`, exactly (digit by digit, no overflow).
pub fn isqrt(n: u128) -> u128 {
	let mut rem = n;
	let mut root: u128 = 0;
	let mut bit: u128 = 1 << 126;
	while bit > n {
		bit >>= 2;
	}
	while bit != 0 {
		if rem >= root + bit {
			rem -= root + bit;
			root = (root >> 1) + bit;
		} else {
			root >>= 1;
		}
		bit >>= 2;
	}
	root
}

/// `floor(a * m * 10^digits / c)` and whether the division was exact, for `a <= c`,
/// `m <= 4` and `c < 2^124`, by long division (no intermediate exceeds `10 * c`).
pub fn mul_pow10_div(a: u128, m: u128, digits: u32, c: u128) -> Result<(u128, bool), NodeError> {
	if c == 0 {
		return Err(NodeError::DivisionByZero);
	}
	if a > c || m > 4 || c >= 1 << 124 {
		return Err(NodeError::Overflow);
	}
	let start = a * m;
	let mut q = start / c;
	let mut r = start % c;
	for _ in 0..digits {
		let t = r * 10;
		q = q.checked_mul(10).and_then(|q| q.checked_add(t / c)).ok_or(NodeError::Overflow)?;
		r = t % c;
	}
	Ok((q, r == 0))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn rounds_half_to_even_in_every_sign() {
		let cases = [
			(5, 10, 0),
			(15, 10, 2),
			(25, 10, 2),
			(26, 10, 3),
			(24, 10, 2),
			(-5, 10, 0),
			(-15, 10, -2),
			(-25, 10, -2),
			(-26, 10, -3),
			(-24, 10, -2),
			(5, -10, 0),
			(15, -10, -2),
			(-15, -10, 2),
			(-25, -10, 2),
			(7, 2, 4),
			(1, 3, 0),
			(2, 3, 1),
			(-2, 3, -1),
			(2, -3, -1),
			(0, 7, 0),
		];
		for (n, d, want) in cases {
			assert_eq!(div_half_even(n, d), Ok(want), "{n}/{d}");
		}
		assert_eq!(div_half_even(1, 0), Err(NodeError::DivisionByZero));
		assert_eq!(div_half_even(i128::MIN, -1), Err(NodeError::Overflow));
		assert_eq!(div_half_even(i128::MAX, i128::MAX), Ok(1));
		assert_eq!(div_half_even(i128::MIN, i128::MAX), Ok(-1));
	}

	#[test]
	fn rescales_up_exactly_and_down_half_even() {
		assert_eq!(rescale(15, 1, 0), Ok(2));
		assert_eq!(rescale(-25, 1, 0), Ok(-2));
		assert_eq!(rescale(7, 0, 6), Ok(7_000_000));
		assert_eq!(rescale(i64::MAX as i128, 0, 1), Err(NodeError::Overflow));
		assert_eq!(rescale(1, 0, 39), Err(NodeError::Overflow));
	}

	#[test]
	fn isqrt_is_exact() {
		for n in 0u128..2000 {
			let r = isqrt(n);
			assert!(r * r <= n && (r + 1) * (r + 1) > n, "{n}");
		}
		assert_eq!(isqrt(u128::MAX), u64::MAX as u128);
		assert_eq!(isqrt(1 << 124), 1 << 62);
	}

	#[test]
	fn long_division_matches_wide_arithmetic() {
		assert_eq!(mul_pow10_div(1, 4, 2, 3), Ok((133, false)));
		assert_eq!(mul_pow10_div(3, 4, 3, 3), Ok((4000, true)));
		assert_eq!(mul_pow10_div(5, 1, 36, 5), Ok((10u128.pow(36), true)));
	}
}
