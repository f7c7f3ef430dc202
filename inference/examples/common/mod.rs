//! What the engine's bench examples share: reading the reference JSON of `models/` and
//! timing `Engine::score` calls.

use std::time::Instant;

use aioracle_inference::{ElementType, TensorSpec};
use serde_json::Value;

/// The latencies of the best round of calls, in microseconds.
pub struct Timing {
	/// Each call's time, sorted.
	times: Vec<f64>,
}

impl Timing {
	/// The `q` quantile (0 to 1) of the calls' times.
	pub fn quantile(&self, q: f64) -> f64 {
		let last = self.times.len().saturating_sub(1);
		self.times.get((last as f64 * q) as usize).copied().unwrap_or(f64::NAN)
	}

	/// The median call.
	pub fn median(&self) -> f64 {
		self.times.get(self.times.len() / 2).copied().unwrap_or(f64::NAN)
	}
}

/// Times `call(i)` for `i` in `0..iterations`, `rounds` times (at least once) after
/// `warm_up` untimed calls, and keeps the round with the smallest median. `call` should
/// return what it computed, so that the compiler cannot drop it.
pub fn time_calls<T>(
	iterations: usize,
	rounds: usize,
	warm_up: usize,
	mut call: impl FnMut(usize) -> T,
) -> Timing {
	for i in 0..warm_up {
		std::hint::black_box(call(i));
	}
	let mut best: Option<Timing> = None;
	for _ in 0..rounds.max(1) {
		let mut times = Vec::with_capacity(iterations);
		for i in 0..iterations {
			let started = Instant::now();
			let result = call(std::hint::black_box(i));
			times.push(started.elapsed().as_secs_f64() * 1e6);
			std::hint::black_box(result);
		}
		times.sort_by(f64::total_cmp);
		let round = Timing { times };
		if best.as_ref().is_none_or(|b| round.median() < b.median()) {
			best = Some(round);
		}
	}
	best.unwrap_or(Timing { times: vec![] })
}

/// A tensor spec of `shape` (at most the primitives' rank limit).
pub fn spec(index: u32, element_type: ElementType, shape: &[u32]) -> TensorSpec {
	let shape = shape.to_vec().try_into().expect("a shape within the rank limit");
	TensorSpec { index, element_type, shape }
}

/// A JSON array of integers.
pub fn ints(v: &Value) -> Vec<i64> {
	let values = v.as_array().expect("an array of integers");
	values.iter().map(|x| x.as_i64().expect("an integer")).collect()
}

/// The element type of a numpy dtype name in a reference JSON.
#[allow(dead_code)] // The bench of models/ feeds float32 only.
pub fn element_type(name: &str) -> ElementType {
	match name {
		"float32" => ElementType::F32,
		"float64" => ElementType::F64,
		"int64" => ElementType::I64,
		"int32" => ElementType::I32,
		"uint8" => ElementType::U8,
		other => panic!("element type {other}"),
	}
}
