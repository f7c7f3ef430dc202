//! Every example model in `models/`, every reference case, every output.

use aioracle_inference::{inspect, ElementType, Engine, ScoreRequest};

use crate::support::*;

/// The largest difference, in units of the output scale, a float output may have from
/// onnxruntime's reference. Integer outputs (labels) must be exact.
const FLOAT_TOLERANCE: i64 = 2;

#[test]
fn every_example_model_reproduces_the_reference_outputs() {
	let engine = Engine::new(16);
	let mut report = vec![];
	let mut failures = vec![];
	for example in examples() {
		let json = &example.json;
		let name = &example.name;
		if let Err(e) = engine.load(example.hash, &example.bytes) {
			failures.push(format!("{name}: load failed: {e}"));
			continue;
		}
		let n_features = json["n_features"].as_u64().unwrap() as u32;
		let input_scale = json["fixed_point"]["input_scale"].as_u64().unwrap() as u8;
		let output_scale = json["fixed_point"]["output_scale"].as_u64().unwrap() as u8;
		let mut max_diff: Vec<(String, i64)> = vec![];
		let cases = json["cases"].as_array().unwrap();
		assert!(!cases.is_empty(), "{name}: no cases");
		for (c, case) in cases.iter().enumerate() {
			let values = ints(&case["input_fixed_point"]);
			for (j, output) in case["outputs"].as_array().unwrap().iter().enumerate() {
				let out_name = output["name"].as_str().unwrap().to_string();
				let et = element_type(output["element_type"].as_str().unwrap());
				let shape: Vec<u32> = ints(&output["shape"]).iter().map(|d| *d as u32).collect();
				let expected = ints(&output["fixed_point"]);
				// The references leave integer outputs unscaled, i.e. at scale 0.
				let integer = matches!(et, ElementType::I64 | ElementType::I32);
				let request = ScoreRequest {
					inputs: vec![spec(0, ElementType::F32, &[1, n_features])],
					output: spec(j as u32, et, &shape),
					input_scale,
					output_scale: if integer { 0 } else { output_scale },
					values: values.clone(),
				};
				let got = match engine.score(example.hash, &request) {
					Ok(got) => got,
					Err(e) => {
						failures.push(format!("{name} case {c} output {out_name}: {e}"));
						continue;
					}
				};
				assert_eq!(got.len(), expected.len(), "{name} case {c} {out_name}");
				let diff = got.iter().zip(&expected).map(|(a, b)| (a - b).abs()).max().unwrap_or(0);
				let allowed = if integer { 0 } else { FLOAT_TOLERANCE };
				if diff > allowed {
					failures.push(format!(
						"{name} case {c} output {out_name}: got {got:?}, expected {expected:?}"
					));
				}
				match max_diff.iter_mut().find(|(n, _)| *n == out_name) {
					Some((_, d)) => *d = (*d).max(diff),
					None => max_diff.push((out_name, diff)),
				}
			}
		}
		report.push(format!("{name}: {} cases, max |diff| per output {max_diff:?}", cases.len()));
	}
	println!("{}", report.join("\n"));
	assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_batch_of_rows_scores_like_the_rows_one_by_one() {
	let engine = Engine::new(4);
	for name in ["iris-logreg", "breast-cancer-forest", "digits-onehot", "wine-mlp", "diabetes-gbr"]
	{
		let example = example(name);
		engine.load(example.hash, &example.bytes).unwrap();
		let json = &example.json;
		let k = json["n_features"].as_u64().unwrap() as u32;
		let input_scale = json["fixed_point"]["input_scale"].as_u64().unwrap() as u8;
		let cases = json["cases"].as_array().unwrap();
		let n = cases.len() as u32;
		let values: Vec<i64> = cases.iter().flat_map(|c| ints(&c["input_fixed_point"])).collect();
		let last = json["outputs"].as_array().unwrap().len() as u32 - 1;
		let width = ints(&cases[0]["outputs"][last as usize]["shape"])[1] as u32;
		let batch = engine
			.score(
				example.hash,
				&ScoreRequest {
					inputs: vec![spec(0, ElementType::F32, &[n, k])],
					output: spec(last, ElementType::F32, &[n, width]),
					input_scale,
					output_scale: 6,
					values,
				},
			)
			.unwrap();
		for (i, case) in cases.iter().enumerate() {
			let one = engine
				.score(
					example.hash,
					&ScoreRequest {
						inputs: vec![spec(0, ElementType::F32, &[1, k])],
						output: spec(last, ElementType::F32, &[1, width]),
						input_scale,
						output_scale: 6,
						values: ints(&case["input_fixed_point"]),
					},
				)
				.unwrap();
			let row = &batch[i * width as usize..(i + 1) * width as usize];
			let diff = one.iter().zip(row).map(|(a, b)| (a - b).abs()).max().unwrap();
			assert!(diff <= 1, "{name} row {i}: batch {row:?} vs single {one:?}");
		}
	}
}

#[test]
fn inspect_describes_every_example_model() {
	for example in examples() {
		let json = &example.json;
		let name = &example.name;
		let info = inspect(&example.bytes).unwrap();
		assert_eq!(info.hash, example.hash, "{name}");
		assert_eq!(info.size_bytes as u64, json["size_bytes"].as_u64().unwrap(), "{name}");
		assert_eq!(info.graph_name, *name);
		assert_eq!(info.ir_version, json["ir_version"].as_i64().unwrap(), "{name}");
		assert_eq!(info.producer, json["producer"].as_str().unwrap(), "{name}");
		assert!(info.unsupported_ops.is_empty(), "{name}: {:?}", info.unsupported_ops);

		let mut ops: Vec<(String, String, usize)> =
			info.ops.iter().map(|o| (o.domain.clone(), o.op_type.clone(), o.count)).collect();
		let mut expected: Vec<(String, String, usize)> = json["ops"]
			.as_array()
			.unwrap()
			.iter()
			.map(|o| {
				(
					o["domain"].as_str().unwrap().to_string(),
					o["op_type"].as_str().unwrap().to_string(),
					o["count"].as_u64().unwrap() as usize,
				)
			})
			.collect();
		ops.sort();
		expected.sort();
		assert_eq!(ops, expected, "{name}: ops");
		assert!(info.ops.iter().all(|o| o.supported), "{name}");

		let mut opsets: Vec<(String, i64)> =
			info.opset_imports.iter().map(|o| (o.domain.clone(), o.version)).collect();
		let mut expected: Vec<(String, i64)> = json["opset_imports"]
			.as_object()
			.unwrap()
			.iter()
			.map(|(d, v)| (d.clone(), v.as_i64().unwrap()))
			.collect();
		opsets.sort();
		expected.sort();
		assert_eq!(opsets, expected, "{name}: opsets");

		let shape = |v: &serde_json::Value| -> Vec<Option<u64>> {
			v.as_array().unwrap().iter().map(|d| d.as_u64()).collect()
		};
		assert_eq!(info.inputs.len(), 1, "{name}");
		assert_eq!(info.inputs[0].name, json["input"]["name"].as_str().unwrap());
		assert_eq!(info.inputs[0].element_type, Some(ElementType::F32));
		assert_eq!(info.inputs[0].onnx_type, "float32");
		assert_eq!(info.inputs[0].shape, Some(shape(&json["input"]["shape"])), "{name}");
		let outputs = json["outputs"].as_array().unwrap();
		assert_eq!(info.outputs.len(), outputs.len(), "{name}");
		for (got, want) in info.outputs.iter().zip(outputs) {
			assert_eq!(got.name, want["name"].as_str().unwrap(), "{name}");
			assert_eq!(got.onnx_type, want["element_type"].as_str().unwrap(), "{name}");
			assert_eq!(
				got.element_type,
				Some(element_type(want["element_type"].as_str().unwrap())),
				"{name}"
			);
			assert_eq!(got.shape, Some(shape(&want["shape"])), "{name} {}", got.name);
		}
	}
}

#[test]
fn iris_logreg_inspects_as_the_readme_says() {
	let info = inspect(&example("iris-logreg").bytes).unwrap();
	let ops: Vec<&str> = info.ops.iter().map(|o| o.op_type.as_str()).collect();
	assert_eq!(ops, ["LinearClassifier", "Normalizer", "Scaler"]);
	assert!(info.ops.iter().all(|o| o.domain == "ai.onnx.ml" && o.count == 1));
	assert_eq!(info.inputs[0].shape, Some(vec![None, Some(4)]));
	assert_eq!(info.outputs[0].name, "label");
	assert_eq!(info.outputs[0].element_type, Some(ElementType::I64));
	assert_eq!(info.outputs[1].shape, Some(vec![None, Some(3)]));
}

/// The distance between two floats in units in the last place.
fn ulps(a: f32, b: f32) -> u64 {
	let key = |x: f32| {
		let bits = x.to_bits() as i64;
		if bits < 0 {
			i64::MIN - bits
		} else {
			bits
		}
	};
	key(a).abs_diff(key(b))
}

/// How far the float outputs are from onnxruntime's exact `float32` values, in ulps (read
/// back from fixed point at the finest scale the magnitude allows). Reported, and bounded
/// loosely: the fixed-point test above is the contract.
#[test]
fn float_outputs_are_within_a_few_ulps_of_the_reference() {
	let engine = Engine::new(16);
	let mut report = vec![];
	for example in examples() {
		engine.load(example.hash, &example.bytes).unwrap();
		let json = &example.json;
		let k = json["n_features"].as_u64().unwrap() as u32;
		let input_scale = json["fixed_point"]["input_scale"].as_u64().unwrap() as u8;
		let mut worst: Vec<(String, u64, f64)> = vec![];
		for case in json["cases"].as_array().unwrap() {
			for (j, output) in case["outputs"].as_array().unwrap().iter().enumerate() {
				if output["element_type"] != "float32" {
					continue;
				}
				let name = output["name"].as_str().unwrap().to_string();
				let reference: Vec<f32> = output["values"]
					.as_array()
					.unwrap()
					.iter()
					.map(|v| v.as_f64().unwrap() as f32)
					.collect();
				let largest = reference.iter().fold(1.0f32, |m, v| m.max(v.abs()));
				let scale = (17 - largest.log10().ceil() as i32).clamp(0, 18) as u8;
				let shape: Vec<u32> = ints(&output["shape"]).iter().map(|d| *d as u32).collect();
				let got = engine
					.score(
						example.hash,
						&ScoreRequest {
							inputs: vec![spec(0, ElementType::F32, &[1, k])],
							output: spec(j as u32, ElementType::F32, &shape),
							input_scale,
							output_scale: scale,
							values: ints(&case["input_fixed_point"]),
						},
					)
					.unwrap();
				for (q, r) in got.iter().zip(&reference) {
					let y = (*q as f64 / 10f64.powi(scale as i32)) as f32;
					let d = ulps(y, *r);
					let abs = (y as f64 - *r as f64).abs();
					match worst.iter_mut().find(|(n, _, _)| *n == name) {
						Some((_, u, a)) => {
							*u = (*u).max(d);
							*a = a.max(abs);
						}
						None => worst.push((name.clone(), d, abs)),
					}
				}
			}
		}
		report.push(format!("{}: max (ulps, |abs diff|) {worst:?}", example.name));
		for (name, u, a) in &worst {
			assert!(*u <= 64 || *a < 1e-9, "{} {name}: {u} ulps", example.name);
		}
	}
	println!("{}", report.join("\n"));
}
