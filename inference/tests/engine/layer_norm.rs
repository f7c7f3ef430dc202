//! `LayerNormalization`: the engine's one-op implementation, and tract-onnx's expansion
//! for a node that also asks for the mean and inverse standard deviation.

use aioracle_inference::{model_hash, ElementType, Engine, ScoreRequest};
use prost::Message;
use tract_onnx::pb;

use crate::support::*;

const SCALE: [f32; 4] = [1.0, 2.0, 0.5, 1.0];
const BIAS: [f32; 4] = [0.0, 1.0, 0.0, -1.0];

/// A float initializer of `values`.
fn initializer(name: &str, values: &[f32]) -> pb::TensorProto {
	pb::TensorProto {
		name: name.into(),
		dims: vec![values.len() as i64],
		data_type: FLOAT,
		float_data: values.to_vec(),
		..Default::default()
	}
}

/// A `[N, 4]` float input normalised over its last axis with [`SCALE`] and [`BIAS`];
/// `outputs` are the node's (`y`, then optionally the mean and the inverse standard
/// deviation, `[N, 1]`).
fn layer_norm(outputs: &[&str]) -> Vec<u8> {
	let ln = node("LayerNormalization", "", &["x", "scale", "bias"], outputs, vec![]);
	let declared = outputs
		.iter()
		.enumerate()
		.map(|(i, n)| value(n, FLOAT, if i == 0 { &[None, Some(4)] } else { &[None, Some(1)] }))
		.collect();
	let mut proto = pb::ModelProto::decode(
		model(vec![ln], vec![value("x", FLOAT, &[None, Some(4)])], declared).as_slice(),
	)
	.unwrap();
	let graph = proto.graph.as_mut().unwrap();
	graph.initializer = vec![initializer("scale", &SCALE), initializer("bias", &BIAS)];
	proto.encode_to_vec()
}

/// Scores `[1, 2, 3, 4]` and returns output `index` (of `width` values) at scale 6.
fn score(bytes: &[u8], index: u32, width: u32) -> Vec<i64> {
	let engine = Engine::new(1);
	let hash = model_hash(bytes);
	engine.load(hash, bytes).unwrap();
	let request = ScoreRequest {
		inputs: vec![spec(0, ElementType::F32, &[1, 4])],
		output: spec(index, ElementType::F32, &[1, width]),
		input_scale: 0,
		output_scale: 6,
		values: vec![1, 2, 3, 4],
	};
	engine.score(hash, &request).unwrap()
}

/// `(x - mean) / sqrt(var + epsilon) * scale + bias` of `[1, 2, 3, 4]`, in `f64`, as
/// an `f32` output in fixed point at scale 6.
fn expected() -> Vec<i64> {
	let (mean, var) = (2.5, 1.25);
	let inv_std = 1.0 / (var + f64::from(1e-5f32)).sqrt();
	(0..4)
		.map(|i| {
			let y = (f64::from(i as u8 + 1) - mean) * inv_std * f64::from(SCALE[i])
				+ f64::from(BIAS[i]);
			(f64::from(y as f32) * 1e6).round_ties_even() as i64
		})
		.collect()
}

#[test]
fn rows_are_normalised_then_scaled_and_shifted() {
	assert_eq!(score(&layer_norm(&["y"]), 0, 4), expected());
}

#[test]
fn a_node_with_the_mean_and_deviation_outputs_is_expanded_by_tract() {
	let bytes = layer_norm(&["y", "mean", "inv_std_dev"]);
	let y = score(&bytes, 0, 4);
	let close = y.iter().zip(expected()).all(|(a, b)| (a - b).abs() <= 1);
	assert!(close, "{y:?} vs {:?}", expected());
	assert_eq!(score(&bytes, 1, 1), vec![2_500_000]);
	let inv_std = (1e6 / (1.25 + f64::from(1e-5f32)).sqrt()).round() as i64;
	assert!((score(&bytes, 2, 1)[0] - inv_std).abs() <= 1);
}
