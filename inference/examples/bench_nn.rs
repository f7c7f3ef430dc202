//! Load time and single-inference latency of the engine ([`Engine::load`],
//! [`Engine::score`]) on one ONNX model of any input type and shape, checked against its
//! reference JSON (the format of `models/*.json` and `models/nn/*.json`), for
//! `scripts/bench-nn.sh`.
//!
//! ```sh
//! cargo run --release -p aioracle-inference --example bench_nn -- \
//!     --model FILE.onnx --reference FILE.json [--iterations N] [--rounds R] [--loads L]
//! ```
//!
//! It loads the model `loads` times (default 5), each time into a fresh [`Engine`] (parse,
//! type-check, optimise the batch-1 plan), and keeps the fastest and the median; scores
//! every reference case on every output and counts exact fixed-point matches (float
//! outputs at the model's output scale, integer outputs unscaled, as the references);
//! then, after a warm-up, times `rounds` rounds (default 3) of `iterations` calls
//! (default 1000) on the last output (the probabilities), the cases in turn, and keeps the
//! round with the smallest median. The input's element type and shape come from the
//! JSON's `input` (a `null` dimension is 1). One JSON object on stdout.

mod common;

use std::time::Instant;

use aioracle_inference::{model_hash, ElementType, Engine, ScoreRequest};
use common::{element_type, ints, spec, time_calls};
use serde_json::{json, Value};

fn main() {
	let mut iterations = 1000usize;
	let mut rounds = 3usize;
	let mut loads = 5usize;
	let mut model = None;
	let mut reference = None;
	let mut args = std::env::args().skip(1);
	while let Some(arg) = args.next() {
		let mut number = || args.next().and_then(|n| n.parse().ok()).expect("a number");
		match arg.as_str() {
			"--iterations" => iterations = number(),
			"--rounds" => rounds = number(),
			"--loads" => loads = number(),
			"--model" => model = args.next(),
			"--reference" => reference = args.next(),
			other => panic!("unknown argument {other}"),
		}
	}
	let model = model.expect("--model FILE.onnx");
	let reference = reference.expect("--reference FILE.json");
	let json: Value = serde_json::from_slice(&std::fs::read(&reference).unwrap()).unwrap();
	let bytes = std::fs::read(&model).unwrap();
	let hash = model_hash(&bytes);

	let mut load_times = vec![];
	let mut engine = Engine::new(1);
	for _ in 0..loads.max(1) {
		let fresh = Engine::new(1);
		let started = Instant::now();
		fresh.load(hash, &bytes).unwrap_or_else(|e| panic!("{model}: load failed: {e}"));
		load_times.push(started.elapsed().as_secs_f64() * 1e3);
		engine = fresh;
	}
	load_times.sort_by(f64::total_cmp);

	let input_type = element_type(json["input"]["element_type"].as_str().unwrap());
	let input_shape: Vec<u32> = json["input"]["shape"]
		.as_array()
		.unwrap()
		.iter()
		.map(|d| d.as_u64().unwrap_or(1) as u32)
		.collect();
	let input_scale = json["fixed_point"]["input_scale"].as_u64().unwrap() as u8;
	let output_scale = json["fixed_point"]["output_scale"].as_u64().unwrap() as u8;
	let cases = json["cases"].as_array().unwrap();
	let n_outputs = json["outputs"].as_array().unwrap().len();

	// Every case, every output: exact fixed-point matches, and the largest difference.
	let (mut compared, mut exact, mut max_diff) = (0usize, 0usize, 0i64);
	let mut requests = vec![];
	for (c, case) in cases.iter().enumerate() {
		let values = ints(&case["input_fixed_point"]);
		for (j, output) in case["outputs"].as_array().unwrap().iter().enumerate() {
			let et = element_type(output["element_type"].as_str().unwrap());
			let integer = matches!(et, ElementType::I64 | ElementType::I32);
			let shape: Vec<u32> = ints(&output["shape"]).iter().map(|d| *d as u32).collect();
			let request = ScoreRequest {
				inputs: vec![spec(0, input_type, &input_shape)],
				output: spec(j as u32, et, &shape),
				input_scale,
				output_scale: if integer { 0 } else { output_scale },
				values: values.clone(),
			};
			let expected = ints(&output["fixed_point"]);
			let got = engine
				.score(hash, &request)
				.unwrap_or_else(|e| panic!("{model}: case {c} output {j}: {e}"));
			assert_eq!(got.len(), expected.len());
			let diff = got.iter().zip(&expected).map(|(a, b)| (a - b).abs()).max().unwrap_or(0);
			compared += 1;
			exact += usize::from(diff == 0);
			max_diff = max_diff.max(diff);
			if diff != 0 {
				eprintln!("{model}: case {c} output {j}: got {got:?}, expected {expected:?}");
			}
			if j == n_outputs - 1 {
				requests.push(request);
			}
		}
	}

	let timing = time_calls(iterations, rounds, iterations.min(200), |i| {
		engine.score(hash, &requests[i % requests.len()]).unwrap()
	});
	println!(
		"{}",
		json!({
			"model": model,
			"load_ms_min": load_times[0],
			"load_ms_median": load_times[load_times.len() / 2],
			"median_us": timing.quantile(0.5),
			"p10_us": timing.quantile(0.1),
			"p90_us": timing.quantile(0.9),
			"iterations": iterations,
			"outputs_compared": compared,
			"outputs_exact": exact,
			"max_fixed_point_diff": max_diff,
		})
	);
}
