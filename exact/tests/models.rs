//! The example models (`models/*.onnx`) compiled and run exactly on every reference case of
//! their JSON files (onnxruntime's outputs): labels must be equal, values within the bound.

use aioracle_exact::{compile, run, validate, OpKind, Program};
use codec::Encode;
use serde_json::Value;
use std::path::PathBuf;

const MODELS: [&str; 7] = [
	"iris-logreg",
	"breast-cancer-forest",
	"diabetes-gbr",
	"wine-mlp",
	"iris-preprocess",
	"diabetes-linear",
	"digits-onehot",
];

/// The most an exact output may differ from onnxruntime's `float32` output quantised at
/// the same scale, in units of the output scale.
const MAX_UNITS: i64 = 1;

fn models_dir() -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models")
}

fn load(name: &str) -> (Vec<u8>, Value) {
	let dir = models_dir();
	let onnx = std::fs::read(dir.join(format!("{name}.onnx"))).unwrap();
	let json: Value =
		serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap())
			.unwrap();
	(onnx, json)
}

fn scales(json: &Value) -> (u8, u8) {
	let fp = &json["fixed_point"];
	(fp["input_scale"].as_u64().unwrap() as u8, fp["output_scale"].as_u64().unwrap() as u8)
}

fn ints(v: &Value) -> Vec<i64> {
	v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect()
}

#[test]
fn every_example_model_compiles_and_matches_onnxruntime() {
	let mut report = Vec::new();
	for name in MODELS {
		let (onnx, json) = load(name);
		let (input_scale, output_scale) = scales(&json);
		for spec in json["outputs"].as_array().unwrap() {
			let output = spec["name"].as_str().unwrap();
			let integer = spec["element_type"].as_str().unwrap() == "int64";
			let program = compile(&onnx, input_scale, output_scale, output).unwrap_or_else(|e| {
				panic!("{name}/{output}: {e}");
			});
			let analysis = validate(&program).unwrap();
			let (mut worst_units, mut worst_real) = (0i64, 0f64);
			for case in json["cases"].as_array().unwrap() {
				let input = ints(&case["input_fixed_point"]);
				let got = run(&program, &input).unwrap();
				let reference = case["outputs"]
					.as_array()
					.unwrap()
					.iter()
					.find(|o| o["name"] == output)
					.unwrap();
				let unit = 10f64.powi(output_scale as i32);
				if integer {
					// The chain's contract scales integer outputs too.
					let want: Vec<i64> =
						ints(&reference["values"]).iter().map(|v| v * unit as i64).collect();
					assert_eq!(got, want, "{name}/{output} row {}", case["row"]);
				} else {
					let want = ints(&reference["fixed_point"]);
					assert_eq!(got.len(), want.len());
					let floats = reference["values"].as_array().unwrap();
					for ((g, w), f) in got.iter().zip(&want).zip(floats) {
						worst_units = worst_units.max((g - w).abs());
						let real = (*g as f64 / unit - f.as_f64().unwrap()).abs();
						worst_real = worst_real.max(real);
					}
				}
			}
			assert!(worst_units <= MAX_UNITS, "{name}/{output}: {worst_units} units off");
			report.push(format!(
				"{name:22} {output:14} nodes {:3} bytes {:6} ops {:6} (linear {}, tree {}, exp {}) max diff {} units, {:.2e} real",
				program.nodes.len(),
				program.encoded_size(),
				analysis.total(),
				analysis.count(OpKind::Linear),
				analysis.count(OpKind::TreeStep),
				analysis.count(OpKind::Exp),
				worst_units,
				worst_real,
			));
		}
	}
	for line in report {
		println!("{line}");
	}
}

#[test]
fn compiling_is_deterministic() {
	for name in MODELS {
		let (onnx, json) = load(name);
		let (i, o) = scales(&json);
		for spec in json["outputs"].as_array().unwrap() {
			let output = spec["name"].as_str().unwrap();
			let a = compile(&onnx, i, o, output).unwrap().encode();
			let b = compile(&onnx, i, o, output).unwrap().encode();
			assert_eq!(a, b, "{name}/{output}");
			assert_eq!(Program::decode_bounded(&a).unwrap().encode(), a);
			let (program, analysis) = aioracle_exact::load(&a).unwrap();
			assert_eq!(validate(&program).unwrap(), analysis);
		}
	}
}

#[test]
fn unsupported_models_and_outputs_are_named() {
	let nn = models_dir().join("nn/digits-cnn.onnx");
	let onnx = std::fs::read(nn).unwrap();
	let err = compile(&onnx, 0, 6, "probabilities").unwrap_err().to_string();
	assert!(err.contains("Conv") || err.contains("Mul"), "{err}");
	let (onnx, _) = load("iris-logreg");
	let err = compile(&onnx, 4, 6, "nothing").unwrap_err().to_string();
	assert!(err.contains("nothing"), "{err}");
	assert!(compile(b"not onnx", 4, 6, "label").is_err());
}

#[test]
fn inputs_outside_the_declared_range_are_refused() {
	let (onnx, _) = load("iris-logreg");
	let program = compile(&onnx, 4, 6, "label").unwrap();
	let too_big = 10i64.pow(10) + 1;
	assert!(matches!(
		run(&program, &[0, too_big, 0, 0]),
		Err(aioracle_exact::ExecError::InputOutOfRange { index: 1 })
	));
	assert!(matches!(
		run(&program, &[0, 0, 0]),
		Err(aioracle_exact::ExecError::InputLength { expected: 4, got: 3 })
	));
}
