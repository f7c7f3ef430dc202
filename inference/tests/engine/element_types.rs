//! Element types the engine feeds and reads besides floats: `uint8` inputs (pixels, bytes)
//! and outputs, on a small graph with hand-computed results.

use aioracle_inference::{inspect, model_hash, ElementType, Engine, EngineError, ScoreRequest};

use crate::support::*;

/// `TensorProto.DataType` UINT8.
const UINT8: i32 = 2;

/// `x: uint8 [1, 4]` -> `y = Cast(x, float)` (output 0) and `z = Identity(x)` (output 1).
fn bytes_model() -> Vec<u8> {
	model(
		vec![
			node("Cast", "", &["x"], &["y"], vec![("to", A::I(FLOAT as i64))]),
			node("Identity", "", &["x"], &["z"], vec![]),
		],
		vec![value("x", UINT8, &[Some(1), Some(4)])],
		vec![value("y", FLOAT, &[Some(1), Some(4)]), value("z", UINT8, &[Some(1), Some(4)])],
	)
}

fn score(
	engine: &Engine,
	bytes: &[u8],
	values: Vec<i64>,
	output: (u32, ElementType),
) -> Result<Vec<i64>, EngineError> {
	engine.score(
		model_hash(bytes),
		&ScoreRequest {
			inputs: vec![spec(0, ElementType::U8, &[1, 4])],
			output: spec(output.0, output.1, &[1, 4]),
			input_scale: 0,
			output_scale: 2,
			values,
		},
	)
}

#[test]
fn uint8_inputs_and_outputs_are_fed_and_read() {
	let bytes = bytes_model();
	let info = inspect(&bytes).expect("the model parses");
	assert_eq!(info.inputs[0].element_type, Some(ElementType::U8));
	assert_eq!(info.outputs[1].element_type, Some(ElementType::U8));

	let engine = Engine::new(1);
	engine.load(model_hash(&bytes), &bytes).expect("the model loads");
	let values = vec![0, 7, 200, 255];
	assert_eq!(
		score(&engine, &bytes, values.clone(), (0, ElementType::F32)).unwrap(),
		vec![0, 700, 20_000, 25_500],
		"the floats of the bytes at 2 decimals"
	);
	assert_eq!(
		score(&engine, &bytes, values, (1, ElementType::U8)).unwrap(),
		vec![0, 700, 20_000, 25_500],
		"the bytes themselves, at the output scale"
	);
}

#[test]
fn values_outside_a_byte_are_refused_by_position() {
	let bytes = bytes_model();
	let engine = Engine::new(1);
	engine.load(model_hash(&bytes), &bytes).expect("the model loads");
	for (values, index) in [(vec![0, 256, 1, 2], 1), (vec![0, 1, 2, -1], 3)] {
		assert_eq!(
			score(&engine, &bytes, values, (0, ElementType::F32)),
			Err(EngineError::InputOutOfRange { index })
		);
	}
}
