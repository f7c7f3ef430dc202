//! Float thresholds as integer ones. On the model's own float input, the integer
//! comparison decides exactly as the engine's float one does on the dequantised value
//! (`float32(q as f64 / 10^scale)`, monotone in `q`, so each question has an exact integer
//! answer, found by bisection); on intermediate tensors, as the real value does.

use crate::program::Compare;

/// What the compared integers stand for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
	/// The model's `float32` input at this scale: `q` is fed as `float32(q / 10^scale)`.
	F32(u8),
	/// The model's `float64` input at this scale.
	F64(u8),
	/// A value the interpreter computed, at this scale (its real value).
	Real(u8),
}

/// The comparison `q <= t` is `Leq` with the returned value; `None` when no `q` is.
fn search(pred: impl Fn(i64) -> bool) -> Option<i64> {
	if !pred(i64::MIN) {
		return None;
	}
	if pred(i64::MAX) {
		return Some(i64::MAX);
	}
	let (mut lo, mut hi) = (i64::MIN as i128, i64::MAX as i128); // pred(lo), !pred(hi)
	while hi - lo > 1 {
		let mid = lo + (hi - lo) / 2;
		if pred(mid as i64) {
			lo = mid;
		} else {
			hi = mid;
		}
	}
	Some(lo as i64)
}

fn pow10(scale: u8) -> f64 {
	10f64.powi(i32::from(scale))
}

/// The largest `q` whose value is `<= t` (`strict`: `< t`).
fn largest(d: Domain, t: f64, strict: bool) -> Option<i64> {
	match d {
		Domain::F32(s) => {
			let t = t as f32;
			search(|q| {
				let x = (q as f64 / pow10(s)) as f32;
				if strict {
					x < t
				} else {
					x <= t
				}
			})
		}
		Domain::F64(s) => search(|q| {
			let x = q as f64 / pow10(s);
			if strict {
				x < t
			} else {
				x <= t
			}
		}),
		Domain::Real(s) => {
			let v = t * pow10(s);
			let a = if strict { v.ceil() - 1.0 } else { v.floor() };
			if a < i64::MIN as f64 {
				None
			} else if a >= i64::MAX as f64 {
				Some(i64::MAX)
			} else {
				Some(a as i64)
			}
		}
	}
}

/// A comparison that never holds.
pub const NEVER: (Compare, i64) = (Compare::Lt, i64::MIN);

/// A comparison that always holds.
pub const ALWAYS: (Compare, i64) = (Compare::Gte, i64::MIN);

/// The ONNX tree modes (`BRANCH_LEQ` ...) as an integer comparison, or why not.
pub fn branch(mode: &str, t: f64, d: Domain) -> Result<(Compare, i64), String> {
	if t.is_nan() {
		return Err("a NaN threshold".into());
	}
	let leq = largest(d, t, false);
	let lt = largest(d, t, true);
	Ok(match mode {
		"BRANCH_LEQ" => leq.map_or(NEVER, |a| (Compare::Leq, a)),
		"BRANCH_LT" => lt.map_or(NEVER, |b| (Compare::Leq, b)),
		"BRANCH_GTE" => lt.map_or(ALWAYS, |b| (Compare::Gt, b)),
		"BRANCH_GT" => leq.map_or(ALWAYS, |a| (Compare::Gt, a)),
		"BRANCH_EQ" | "BRANCH_NEQ" => {
			let eq = mode == "BRANCH_EQ";
			match equal_to(leq, lt)? {
				None if eq => NEVER,
				None => ALWAYS,
				Some(q) => (if eq { Compare::Eq } else { Compare::Neq }, q),
			}
		}
		other => return Err(format!("node mode {other}")),
	})
}

/// The one `q` whose value equals the threshold (`None`: none does), from the largest
/// `q <= t` and the largest `q < t`.
fn equal_to(leq: Option<i64>, lt: Option<i64>) -> Result<Option<i64>, String> {
	match (leq, lt) {
		(None, _) => Ok(None),
		(Some(a), Some(b)) if a == b => Ok(None),
		(Some(a), Some(b)) if a.checked_sub(b) == Some(1) => Ok(Some(a)),
		_ => Err("an equality threshold that several fixed-point values meet".into()),
	}
}

/// The integer `q` with value exactly `t` (`Ok(None)`: none), for `Imputer`.
pub fn equal(t: f64, d: Domain) -> Result<Option<i64>, String> {
	if t.is_nan() {
		return Err("a NaN value".into());
	}
	equal_to(largest(d, t, false), largest(d, t, true))
}

/// The integer threshold `T` with `q > T` exactly when the value is `> t`, for
/// `Binarizer`: `None` when every value is.
pub fn greater(t: f64, d: Domain) -> Option<i64> {
	largest(d, t, false)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn thresholds_on_the_float_input_decide_as_float32() {
		// 0.1f32 at scale 8: q <= T exactly when float32(q / 1e8) <= 0.1f32.
		let t = f64::from(0.1f32);
		let (mode, a) = branch("BRANCH_LEQ", t, Domain::F32(8)).unwrap();
		assert_eq!(mode, Compare::Leq);
		assert!(((a as f64 / 1e8) as f32) <= 0.1f32);
		assert!(((((a + 1) as f64) / 1e8) as f32) > 0.1f32);
		assert_eq!(branch("BRANCH_GT", 4.0, Domain::F32(0)).unwrap(), (Compare::Gt, 4));
		assert_eq!(branch("BRANCH_LT", 4.0, Domain::F32(0)).unwrap(), (Compare::Leq, 3));
		assert_eq!(branch("BRANCH_GTE", 4.0, Domain::F32(0)).unwrap(), (Compare::Gt, 3));
		assert_eq!(branch("BRANCH_EQ", 4.0, Domain::F32(0)).unwrap(), (Compare::Eq, 4));
		assert_eq!(branch("BRANCH_NEQ", 4.5, Domain::F32(0)).unwrap(), ALWAYS);
		assert_eq!(branch("BRANCH_EQ", 4.5, Domain::F32(0)).unwrap(), NEVER);
		// At scale 12 many q share float32(1.0): equality is refused.
		assert!(branch("BRANCH_EQ", 1.0, Domain::F32(12)).is_err());
		assert_eq!(branch("BRANCH_LEQ", 2.5, Domain::Real(1)).unwrap(), (Compare::Leq, 25));
		assert_eq!(branch("BRANCH_LT", 2.5, Domain::Real(1)).unwrap(), (Compare::Leq, 24));
		assert!(branch("LEAF_X", 0.0, Domain::Real(0)).is_err());
		assert_eq!(equal(0.0, Domain::F32(4)), Ok(Some(0)));
		assert_eq!(greater(4.0, Domain::F32(0)), Some(4));
	}
}
