//! The score transforms of the ONNX-ML classifiers and regressors, computed on `f32` the
//! way onnxruntime computes them (`core/providers/cpu/ml/ml_common.h`), so that the
//! probabilities agree with its reference outputs to the last bit where the arithmetic
//! allows it.

use super::PostTransform;

/// `1 / (1 + e^-|x|)`, mirrored for negative `x`.
pub(crate) fn logistic(x: f32) -> f32 {
	let v = 1.0 / (1.0 + (-x.abs()).exp());
	if x < 0.0 {
		1.0 - v
	} else {
		v
	}
}

/// The approximation of the inverse error function onnxruntime uses for `PROBIT`.
fn erf_inv(x: f32) -> f32 {
	let sgn = if x < 0.0 { -1.0f32 } else { 1.0 };
	let x = (1.0 - x) * (1.0 + x);
	let log = x.ln();
	let v = 2.0 / (std::f32::consts::PI * 0.147) + 0.5 * log;
	let v2 = 1.0 / 0.147 * log;
	let v3 = -v + (v * v - v2).sqrt();
	sgn * v3.sqrt()
}

/// `sqrt(2) * erfinv(2x - 1)`.
pub(crate) fn probit(x: f32) -> f32 {
	std::f32::consts::SQRT_2 * erf_inv(2.0 * x - 1.0)
}

/// Softmax over `values`: `exp(x - max)`, summed in order, then divided.
pub(crate) fn softmax(values: &mut [f32]) {
	let mut max = -f32::MAX;
	for v in values.iter() {
		if *v > max {
			max = *v;
		}
	}
	let mut sum = 0.0f32;
	for v in values.iter_mut() {
		*v = (*v - max).exp();
		sum += *v;
	}
	for v in values.iter_mut() {
		*v /= sum;
	}
}

/// Softmax that leaves (near-)zero scores out of the sum, as `SOFTMAX_ZERO` specifies.
pub(crate) fn softmax_zero(values: &mut [f32]) {
	let mut max = -f32::MAX;
	for v in values.iter() {
		if *v > max {
			max = *v;
		}
	}
	let exp_neg_max = (-max).exp();
	let mut sum = 0.0f32;
	for v in values.iter_mut() {
		if *v > 0.000_000_1 || *v < -0.000_000_1 {
			*v = (*v - max).exp();
			sum += *v;
		} else {
			*v *= exp_neg_max;
		}
	}
	for v in values.iter_mut() {
		*v /= sum;
	}
}

/// Applies `transform` to one row of two or more scores.
pub(crate) fn apply(transform: PostTransform, scores: &mut [f32]) {
	match transform {
		PostTransform::None => {}
		PostTransform::Logistic => scores.iter_mut().for_each(|v| *v = logistic(*v)),
		PostTransform::Softmax => softmax(scores),
		PostTransform::SoftmaxZero => softmax_zero(scores),
		PostTransform::Probit => scores.iter_mut().for_each(|v| *v = probit(*v)),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn logistic_is_symmetric_and_bounded() {
		assert_eq!(logistic(0.0), 0.5);
		assert!((logistic(2.0) + logistic(-2.0) - 1.0).abs() < 1e-7);
		assert_eq!(logistic(200.0), 1.0);
	}

	#[test]
	fn softmax_sums_to_one() {
		let mut v = [1.0f32, 2.0, 3.0];
		softmax(&mut v);
		assert!((v.iter().sum::<f32>() - 1.0).abs() < 1e-6);
		assert!(v[2] > v[1] && v[1] > v[0]);
	}

	#[test]
	fn probit_of_half_is_zero() {
		assert!(probit(0.5).abs() < 1e-6);
		assert!(probit(0.9) > 1.2 && probit(0.9) < 1.35);
	}
}
