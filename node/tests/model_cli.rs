//! `aioracle-node model inspect` and `model score` on the committed example models: the
//! report names what the model is, and scoring gives onnxruntime's reference outputs in
//! fixed point.

use std::process::{Command, Output};

use serde_json::Value;

fn node(args: &[&str]) -> Output {
	Command::new(env!("CARGO_BIN_EXE_aioracle-node"))
		.args(args)
		.output()
		.expect("the aioracle-node binary runs")
}

fn models_dir() -> std::path::PathBuf {
	manifest_dir().join("../models")
}

fn reference(name: &str) -> Value {
	let text = std::fs::read_to_string(models_dir().join(format!("{name}.json"))).unwrap();
	serde_json::from_str(&text).unwrap()
}

fn json_stdout(output: &Output) -> Value {
	assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
	serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

#[test]
fn inspect_reports_hash_io_and_operators() {
	let file = models_dir().join("iris-logreg.onnx");
	let report = json_stdout(&node(&["model", "inspect", file.to_str().unwrap()]));
	let expected = reference("iris-logreg");
	assert_eq!(report["modelHash"], expected["hash"]);
	assert_eq!(report["sizeBytes"], expected["size_bytes"]);
	assert_eq!(report["inputs"][0]["name"], "input");
	assert_eq!(report["outputs"][1]["name"], "probabilities");
	let ops: Vec<&str> =
		report["operators"].as_array().unwrap().iter().map(|o| o["op"].as_str().unwrap()).collect();
	assert!(ops.contains(&"Scaler") && ops.contains(&"LinearClassifier"), "{ops:?}");
	assert_eq!(report["unsupportedOperators"].as_array().unwrap().len(), 0);
}

#[test]
fn score_gives_the_reference_fixed_point_outputs() {
	let file = models_dir().join("iris-logreg.onnx");
	let expected = reference("iris-logreg");
	let case = &expected["cases"][0];
	let input: Vec<String> = case["input"]
		.as_array()
		.unwrap()
		.iter()
		.map(|x| format!("{}", x.as_f64().unwrap()))
		.collect();
	let report = json_stdout(&node(&[
		"model",
		"score",
		file.to_str().unwrap(),
		"--input-scale",
		"4",
		"--output-scale",
		"6",
		"--input",
		&input.join(","),
	]));
	assert_eq!(report["input"]["fixedPoint"], case["input_fixed_point"]);
	assert_eq!(report["outputs"][0]["fixedPoint"], case["outputs"][0]["fixed_point"], "the label");
	let probabilities = report["outputs"][1]["fixedPoint"].as_array().unwrap();
	let reference = case["outputs"][1]["fixed_point"].as_array().unwrap();
	for (got, want) in probabilities.iter().zip(reference) {
		let diff = (got.as_i64().unwrap() - want.as_i64().unwrap()).abs();
		assert!(diff <= 1, "probability {got} vs reference {want}");
	}
}

#[test]
fn a_file_that_is_not_onnx_is_refused() {
	let this_file = manifest_dir().join("tests/model_cli.rs");
	let output = node(&["model", "inspect", this_file.to_str().unwrap()]);
	assert!(!output.status.success());
	assert!(String::from_utf8_lossy(&output.stderr).contains("ONNX"));
}

/// This package's directory, as cargo gives it when it runs the test: the target directory
/// may be shared by several clones, and a binary built in one of them (with its
/// compile-time `CARGO_MANIFEST_DIR`) may run in another.
fn manifest_dir() -> std::path::PathBuf {
	std::env::var_os("CARGO_MANIFEST_DIR")
		.map(std::path::PathBuf::from)
		.unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
}

/// A hostile model, as protobuf in hex: `y = x + ConstantOfShape([200000, 200000])`, 160 GB
/// of float32 that tract would build while optimising the graph, from 195 bytes.
const CONSTANT_OF_SHAPE_BOMB: [&str; 5] = [
	"08083ab8010a4b0a05736861706512036269671a0f436f6e7374616e744f665368617065220f436f6e737461",
	"6e744f6653686170652a1b0a0576616c75652a0f0801100142036f6e654a040000803fa001040a150a01780a",
	"036269671201791a0341646422034164641207686f7374696c652a1d08021007420573686170654a10400d03",
	"0000000000400d0300000000005a130a0178120e0a0c080112080a0208010a02080162150a017912100a0e08",
	"01120a0a031201610a0312016242040a001011",
];

#[test]
fn a_hostile_model_is_a_resource_limit_not_a_crash() {
	let hex = CONSTANT_OF_SHAPE_BOMB.concat();
	let bytes: Vec<u8> = (0..hex.len() / 2)
		.map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
		.collect();
	let path = std::env::temp_dir().join(format!("aioracle-bomb-{}.onnx", std::process::id()));
	std::fs::write(&path, bytes).unwrap();
	let output = node(&[
		"model",
		"score",
		path.to_str().unwrap(),
		"--input-scale",
		"0",
		"--output-scale",
		"0",
		"--input",
		"1",
	]);
	let _ = std::fs::remove_file(&path);
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
	assert!(
		stderr.contains("resource limit: loading the model tried to allocate more than 1 GiB"),
		"stderr: {stderr}"
	);
}
