//! A network with two typed inputs, `models/nn/diabetes-wide-deep` (float32 numeric
//! features and an int64 category id), scored as the chain's requests feed it, against
//! onnxruntime's references.

use aioracle_inference::{ElementType, Engine, ScoreRequest};
use serde_json::Value;

use crate::support::*;

/// The model's bytes and reference JSON.
fn wide_deep() -> (Vec<u8>, Value) {
	let dir = models_dir().join("nn");
	let bytes = std::fs::read(dir.join("diabetes-wide-deep.onnx")).unwrap();
	let json = serde_json::from_slice(&std::fs::read(dir.join("diabetes-wide-deep.json")).unwrap())
		.unwrap();
	(bytes, json)
}

#[test]
fn both_inputs_fed_in_either_order_give_onnxruntimes_outputs() {
	let (bytes, json) = wide_deep();
	let hash = parse_hash(json["hash"].as_str().unwrap());
	let engine = Engine::new(1);
	let info = engine.load(hash, &bytes).unwrap();
	assert_eq!(info.inputs.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["numeric", "sex"]);
	let scale = |key: &str| json["fixed_point"][key].as_u64().unwrap() as u8;
	let (input_scale, output_scale) = (scale("input_scale"), scale("output_scale"));
	let numeric = spec(0, ElementType::F32, &[1, 9]);
	let sex = spec(1, ElementType::I64, &[1, 1]);
	let cases = json["cases"].as_array().unwrap();
	assert!(cases.len() >= 8, "{} cases", cases.len());
	for case in cases {
		let values = ints(&case["input_fixed_point"]);
		let expected = ints(&case["outputs"][0]["fixed_point"]);
		let request = |inputs: Vec<_>, values: Vec<i64>| ScoreRequest {
			inputs,
			output: spec(0, ElementType::F32, &[1, 1]),
			input_scale,
			output_scale,
			values,
		};
		// The model's order: numeric, then sex.
		let in_order = request(vec![numeric.clone(), sex.clone()], values.clone());
		let got = engine.score(hash, &in_order).unwrap();
		// Within one unit at the output scale (10^-3): float32 summation order may differ.
		assert!(
			got.iter().zip(&expected).all(|(g, e)| g.abs_diff(*e) <= 1),
			"row {}: {got:?} vs onnxruntime {expected:?}",
			case["row"]
		);
		// Sex first: the same answer from the same values, rearranged.
		let sex_first = [&values[9..], &values[..9]].concat();
		assert_eq!(engine.score(hash, &request(vec![sex.clone(), numeric.clone()], sex_first)), Ok(got));
	}
}
