//! The scikit-learn fixtures of `tests/fixtures/sklearn-gaps/` (made by
//! `scripts/models/make_gap_models.py`): every case, every output, against onnxruntime's
//! reference outputs.
//!
//! Each output is compared twice: in fixed point at the fixture's output scale (what the
//! chain sees), and at 12 decimals, which resolves `f32` values to within an ulp or so and
//! gives the largest absolute float difference. Integer outputs (labels) must be exact.

use aioracle_inference::{model_hash, ElementType, Engine, ScoreRequest};
use serde_json::Value;

use crate::support::*;

/// The decimals at which float outputs are compared as floats.
const FINE_SCALE: u8 = 12;

/// How far a fixture may be from onnxruntime: the largest absolute float difference, and
/// the largest difference in fixed point at the fixture's output scale, over the
/// single-row cases and over the batch. Every fixture not listed here must match exactly
/// (0 and 0). In fixed point at the fixtures' scale (6 decimals for probabilities and
/// scores, 4 for the regressors) every fixture matches exactly.
const ALLOWED: &[(&str, Tolerance)] = &[
	// Standard operators run by tract (the sigmoid calibration's Exp and Div): 1 ulp.
	("breast-cancer-calibrated", float_only(6e-8, 6e-8)),
	// LinearClassifier on a batch: the engine sums every row in the order of MLAS's
	// one-row kernel, onnxruntime's GEMM takes another kernel for several rows: 1 ulp.
	("breast-cancer-linearsvc", float_only(0.0, 1.2e-7)),
	// 1 ulp of values around 2 in the one-vs-rest decision function skl2onnx builds from
	// the pair scores with standard operators (Sum, Abs, Div, Add, run by tract). Not
	// attributed further: SVMClassifier's own outputs match bit for bit where they are
	// the graph's (the -svc-linear and -svc-proba fixtures).
	("iris-svc-rbf", float_only(1.2e-7, 1.2e-7)),
	("iris-svc-sigmoid", float_only(2.4e-7, 2.4e-7)),
	("wine-svc-poly", float_only(3e-8, 3e-8)),
	// Single rows only: tract's Pow/Exp/ReduceSum on one row of the Gaussian
	// log-likelihoods (in the tens) move their last bit, which exp(x - logsumexp) turns
	// into a few ulps of the probabilities; the batch is exact.
	("wine-gaussiannb", float_only(8.4e-7, 0.0)),
];

/// An allowance for float differences only: fixed point must still be exact.
const fn float_only(row_float: f64, batch_float: f64) -> Tolerance {
	Tolerance { row_float, row_fixed: 0, batch_float, batch_fixed: 0 }
}

/// A fixture's allowance.
#[derive(Clone, Copy, Debug)]
struct Tolerance {
	/// The largest absolute float difference, single rows.
	row_float: f64,
	/// The largest fixed-point difference, single rows.
	row_fixed: i64,
	/// The largest absolute float difference, the batch.
	batch_float: f64,
	/// The largest fixed-point difference, the batch.
	batch_fixed: i64,
}

const EXACT: Tolerance =
	Tolerance { row_float: 0.0, row_fixed: 0, batch_float: 0.0, batch_fixed: 0 };

fn fixtures_dir() -> std::path::PathBuf {
	std::path::PathBuf::from(
		std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
	)
	.join("tests/fixtures/sklearn-gaps")
}

/// The largest differences seen for one fixture.
#[derive(Default, Debug)]
struct Seen {
	row_float: f64,
	row_fixed: i64,
	batch_float: f64,
	batch_fixed: i64,
}

/// Scores one case (`case["input_shape"]`, `case["input_fixed_point"]`) and compares every
/// output; returns the largest (float, fixed-point) differences, or the failures.
fn compare_case(
	engine: &Engine,
	hash: aioracle_inference::ModelHash,
	json: &Value,
	case: &Value,
	label: &str,
	failures: &mut Vec<String>,
) -> (f64, i64) {
	let input_type = element_type(json["input"]["element_type"].as_str().unwrap());
	let input_scale = json["fixed_point"]["input_scale"].as_u64().unwrap() as u8;
	let output_scale = json["fixed_point"]["output_scale"].as_u64().unwrap() as u8;
	let input_shape: Vec<u32> = ints(&case["input_shape"]).iter().map(|d| *d as u32).collect();
	let values = ints(&case["input_fixed_point"]);
	let (mut float_diff, mut fixed_diff) = (0f64, 0i64);
	for (j, output) in case["outputs"].as_array().unwrap().iter().enumerate() {
		let name = output["name"].as_str().unwrap();
		let et = element_type(output["element_type"].as_str().unwrap());
		let shape: Vec<u32> = ints(&output["shape"]).iter().map(|d| *d as u32).collect();
		let integer = matches!(et, ElementType::I64 | ElementType::I32);
		let score = |scale: u8| {
			engine.score(
				hash,
				&ScoreRequest {
					inputs: vec![spec(0, input_type, &input_shape)],
					output: spec(j as u32, et, &shape),
					input_scale,
					output_scale: scale,
					values: values.clone(),
				},
			)
		};
		let got = match score(if integer { 0 } else { output_scale }) {
			Ok(got) => got,
			Err(e) => {
				failures.push(format!("{label} output {name}: {e}"));
				continue;
			}
		};
		let expected = ints(&output["fixed_point"]);
		assert_eq!(got.len(), expected.len(), "{label} {name}");
		let diff = got.iter().zip(&expected).map(|(a, b)| (a - b).abs()).max().unwrap_or(0);
		if integer {
			if diff != 0 {
				failures.push(format!("{label} output {name}: got {got:?}, expected {expected:?}"));
			}
			continue;
		}
		fixed_diff = fixed_diff.max(diff);
		let fine = score(FINE_SCALE).unwrap();
		let reference: Vec<f64> =
			output["values"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
		let scale = 10f64.powi(FINE_SCALE as i32);
		for (q, r) in fine.iter().zip(&reference) {
			let r = (*r * scale).round_ties_even();
			float_diff = float_diff.max((*q as f64 - r).abs() / scale);
		}
	}
	(float_diff, fixed_diff)
}

#[test]
fn every_sklearn_gap_fixture_matches_onnxruntime() {
	let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
		.expect("tests/fixtures/sklearn-gaps exists")
		.map(|e| e.unwrap().path())
		.filter(|p| p.extension().is_some_and(|e| e == "json"))
		.map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
		.collect();
	names.sort();
	assert!(names.len() >= 17, "expected the 17 fixtures, found {names:?}");
	let engine = Engine::new(4);
	let mut failures = vec![];
	let mut report = vec![];
	for name in &names {
		let json: Value = serde_json::from_slice(
			&std::fs::read(fixtures_dir().join(format!("{name}.json"))).unwrap(),
		)
		.unwrap();
		let bytes = std::fs::read(fixtures_dir().join(format!("{name}.onnx"))).unwrap();
		let hash = model_hash(&bytes);
		assert_eq!(hash, parse_hash(json["hash"].as_str().unwrap()), "{name}");
		if let Err(e) = engine.load(hash, &bytes) {
			failures.push(format!("{name}: load failed: {e}"));
			continue;
		}
		let mut seen = Seen::default();
		for (c, case) in json["cases"].as_array().unwrap().iter().enumerate() {
			let (f, q) = compare_case(
				&engine,
				hash,
				&json,
				case,
				&format!("{name} case {c}"),
				&mut failures,
			);
			seen.row_float = seen.row_float.max(f);
			seen.row_fixed = seen.row_fixed.max(q);
		}
		let (f, q) = compare_case(
			&engine,
			hash,
			&json,
			&json["batch"],
			&format!("{name} batch"),
			&mut failures,
		);
		(seen.batch_float, seen.batch_fixed) = (f, q);
		let allowed = ALLOWED.iter().find(|(n, _)| n == name).map_or(EXACT, |(_, t)| *t);
		if seen.row_float > allowed.row_float
			|| seen.row_fixed > allowed.row_fixed
			|| seen.batch_float > allowed.batch_float
			|| seen.batch_fixed > allowed.batch_fixed
		{
			failures.push(format!("{name}: {seen:?}, allowed {allowed:?}"));
		}
		report.push(format!(
			"{name}: rows max |float diff| {:e}, fixed-point diff {}; batch {:e}, {}",
			seen.row_float, seen.row_fixed, seen.batch_float, seen.batch_fixed
		));
	}
	println!("{}", report.join("\n"));
	assert!(failures.is_empty(), "{}", failures.join("\n"));
}
