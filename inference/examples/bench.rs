//! Single-row latency of [`Engine::score`] on the example models of `models/`, for
//! `scripts/bench-inference.sh` (which compares it with onnxruntime on the same inputs).
//!
//! ```sh
//! cargo run --release -p aioracle-inference --example bench -- \
//!     [--iterations N] [--rounds R] [--models DIR] [--model NAME]
//! ```
//!
//! For every model (or only `--model NAME`) it loads the model, scores its reference cases in turn (the classifiers'
//! `probabilities`, the regressors' `variable`, at the model's fixed-point scales), checks
//! them against the reference, then times `rounds` (default 1) rounds of `iterations` calls
//! after a warm-up, and keeps the round with the smallest median. It prints one JSON object
//! per model: `model`, `median_us`, `p10_us`, `p90_us` (of that round), `iterations`,
//! `load_ms`.

mod common;

use std::path::PathBuf;
use std::time::Instant;

use aioracle_inference::{model_hash, ElementType, Engine, ScoreRequest};
use common::{ints, spec, time_calls};
use serde_json::{json, Value};

fn main() {
	let mut iterations = 20_000usize;
	let mut rounds = 1usize;
	let mut only: Option<String> = None;
	let mut models = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models");
	let mut args = std::env::args().skip(1);
	while let Some(arg) = args.next() {
		match arg.as_str() {
			"--iterations" => iterations = args.next().unwrap().parse().unwrap(),
			"--rounds" => rounds = args.next().unwrap().parse().unwrap(),
			"--models" => models = args.next().unwrap().into(),
			"--model" => only = args.next(),
			other => panic!("unknown argument {other}"),
		}
	}
	let mut names: Vec<String> = std::fs::read_dir(&models)
		.unwrap()
		.map(|e| e.unwrap().path())
		.filter(|p| p.extension().is_some_and(|e| e == "json"))
		.map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
		.filter(|name| only.as_ref().is_none_or(|only| only == name))
		.collect();
	names.sort();

	let engine = Engine::new(names.len().max(1));
	for name in names {
		let json: Value =
			serde_json::from_slice(&std::fs::read(models.join(format!("{name}.json"))).unwrap())
				.unwrap();
		let bytes = std::fs::read(models.join(json["file"].as_str().unwrap())).unwrap();
		let hash = model_hash(&bytes);
		let started = Instant::now();
		engine.load(hash, &bytes).unwrap();
		let load_ms = started.elapsed().as_secs_f64() * 1e3;

		let k = json["n_features"].as_u64().unwrap() as u32;
		let input_scale = json["fixed_point"]["input_scale"].as_u64().unwrap() as u8;
		let output_scale = json["fixed_point"]["output_scale"].as_u64().unwrap() as u8;
		let out = json["outputs"].as_array().unwrap().len() - 1;
		let requests: Vec<(ScoreRequest, Vec<i64>)> = json["cases"]
			.as_array()
			.unwrap()
			.iter()
			.map(|case| {
				let output = &case["outputs"][out];
				let shape: Vec<u32> = ints(&output["shape"]).iter().map(|d| *d as u32).collect();
				let request = ScoreRequest {
					inputs: vec![spec(0, ElementType::F32, &[1, k])],
					output: spec(out as u32, ElementType::F32, &shape),
					input_scale,
					output_scale,
					values: ints(&case["input_fixed_point"]),
				};
				(request, ints(&output["fixed_point"]))
			})
			.collect();
		for (request, expected) in &requests {
			let got = engine.score(hash, request).unwrap();
			let diff = got.iter().zip(expected).map(|(a, b)| (a - b).abs()).max().unwrap();
			assert!(diff <= 2, "{name}: {got:?} vs {expected:?}");
		}

		let timing = time_calls(iterations, rounds, iterations.min(1000), |i| {
			engine.score(hash, &requests[i % requests.len()].0).unwrap()
		});
		println!(
			"{}",
			json!({
				"model": name,
				"median_us": timing.quantile(0.5),
				"p10_us": timing.quantile(0.1),
				"p90_us": timing.quantile(0.9),
				"iterations": iterations,
				"load_ms": load_ms,
			})
		);
	}
}
