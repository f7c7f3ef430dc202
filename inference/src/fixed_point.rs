//! The determinism contract's conversions between on-chain fixed point and the tensors a
//! model reads and writes (see `aioracle_primitives::model`).
//!
//! - Into a float input (`F32`): `(q as f64 / 10^scale) as f32`; `F64`: `q as f64 / 10^scale`.
//! - Into an integer input (`I64`, `I32`): `q / 10^scale` rounded half to even, computed
//!   exactly in integers (at scale 0 the value itself).
//! - Out of a float output: `round_half_even(y as f64 * 10^scale)`; NaN and infinities have
//!   no fixed-point value, nor has a result outside `i64`.
//! - Out of an integer output: `y * 10^scale`, checked for overflow.

use crate::EngineError;
use aioracle_primitives::model::MAX_SCALE;

/// Checks a scale against [`MAX_SCALE`].
pub fn check_scale(scale: u8) -> Result<(), EngineError> {
	if scale > MAX_SCALE {
		return Err(EngineError::InvalidScale(scale));
	}
	Ok(())
}

/// `10^scale` as a float (exact for every valid scale).
fn pow10_f64(scale: u8) -> f64 {
	10f64.powi(scale as i32)
}

/// A fixed-point value as an `f32` input element.
pub fn dequantise_f32(q: i64, scale: u8) -> f32 {
	(q as f64 / pow10_f64(scale)) as f32
}

/// A fixed-point value as an `f64` input element.
pub fn dequantise_f64(q: i64, scale: u8) -> f64 {
	q as f64 / pow10_f64(scale)
}

/// A fixed-point value as an integer input element: `q / 10^scale`, rounded half to even.
pub fn dequantise_int(q: i64, scale: u8) -> i64 {
	let d = 10i128.pow(scale as u32);
	let q = q as i128;
	let (t, r) = (q / d, q % d);
	let twice = 2 * r.abs();
	let away = twice > d || (twice == d && t % 2 != 0);
	let t = if away { t + q.signum() } else { t };
	t as i64
}

/// A float output element in fixed point: `round_half_even(y * 10^scale)`. `index` is the
/// element's position, for the error.
pub fn quantise_float(y: f64, scale: u8, index: usize) -> Result<i64, EngineError> {
	if !y.is_finite() {
		return Err(EngineError::NonFiniteOutput { index, value: y });
	}
	let v = (y * pow10_f64(scale)).round_ties_even();
	// i64 holds [-2^63, 2^63); both bounds are exact floats.
	let limit = 2f64.powi(63);
	if !(-limit..limit).contains(&v) {
		return Err(EngineError::OutputOutOfRange { index, value: v });
	}
	Ok(v as i64)
}

/// An integer output element in fixed point: `y * 10^scale`.
pub fn quantise_int(y: i64, scale: u8, index: usize) -> Result<i64, EngineError> {
	y.checked_mul(10i64.pow(scale as u32))
		.ok_or(EngineError::OutputOutOfRange { index, value: y as f64 })
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn dequantise_floats_like_the_reference() {
		assert_eq!(dequantise_f32(51000, 4), 5.1f32);
		assert_eq!(dequantise_f32(-5, 1), -0.5f32);
		assert_eq!(dequantise_f64(1, 18), 1e-18);
		assert_eq!(dequantise_f32(7, 0), 7.0);
	}

	#[test]
	fn dequantise_ints_rounds_half_to_even() {
		assert_eq!(dequantise_int(15, 1), 2);
		assert_eq!(dequantise_int(25, 1), 2);
		assert_eq!(dequantise_int(26, 1), 3);
		assert_eq!(dequantise_int(-15, 1), -2);
		assert_eq!(dequantise_int(-25, 1), -2);
		assert_eq!(dequantise_int(-24, 1), -2);
		assert_eq!(dequantise_int(i64::MAX, 0), i64::MAX);
		assert_eq!(dequantise_int(i64::MIN, 18), -9);
	}

	#[test]
	fn quantise_floats_half_to_even_and_rejects_non_finite() {
		assert_eq!(quantise_float(0.5, 0, 0), Ok(0));
		assert_eq!(quantise_float(1.5, 0, 0), Ok(2));
		assert_eq!(quantise_float(-2.5, 0, 0), Ok(-2));
		assert_eq!(quantise_float(0.980_988_442_897_796_6, 6, 0), Ok(980_988));
		assert!(matches!(
			quantise_float(f64::NAN, 6, 3),
			Err(EngineError::NonFiniteOutput { index: 3, .. })
		));
		assert!(matches!(
			quantise_float(f64::INFINITY, 6, 0),
			Err(EngineError::NonFiniteOutput { .. })
		));
		assert!(matches!(quantise_float(1e13, 6, 0), Err(EngineError::OutputOutOfRange { .. })));
		assert_eq!(quantise_float(9.2e18, 0, 0), Ok(9_200_000_000_000_000_000));
	}

	#[test]
	fn quantise_ints_checks_overflow() {
		assert_eq!(quantise_int(2, 6, 0), Ok(2_000_000));
		assert_eq!(quantise_int(-3, 0, 0), Ok(-3));
		assert!(quantise_int(i64::MAX / 10, 2, 0).is_err());
	}

	#[test]
	fn scales_above_18_are_rejected() {
		assert!(check_scale(18).is_ok());
		assert_eq!(check_scale(19), Err(EngineError::InvalidScale(19)));
	}
}
