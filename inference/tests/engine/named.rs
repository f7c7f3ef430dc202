//! [`Engine::score_named`]: a model scored once on named inputs, every output returned
//! (what `aioracle-node model score --input-file` runs).

use aioracle_inference::{inspect, ElementType, Engine, EngineError, NamedInput, ScoreRequest};

use crate::support::*;

fn named(name: &str, shape: &[usize], values: &[i64]) -> NamedInput {
	NamedInput { name: name.into(), shape: shape.to_vec(), values: values.to_vec() }
}

#[test]
fn one_input_scores_as_a_request_does() {
	let engine = Engine::new(2);
	let iris = example("iris-logreg");
	engine.load(iris.hash, &iris.bytes).unwrap();
	let values = [51000, 35000, 14000, 2000];
	let outputs =
		engine.score_named(&iris.bytes, &[named("input", &[1, 4], &values)], 4, 6).unwrap();
	assert_eq!(outputs.len(), 2);
	for (index, (output, shape)) in outputs.iter().zip([&[1u32][..], &[1, 3]]).enumerate() {
		let element_type = [ElementType::I64, ElementType::F32][index];
		let request = ScoreRequest {
			input: spec(0, ElementType::F32, &[1, 4]),
			output: spec(index as u32, element_type, shape),
			input_scale: 4,
			output_scale: 6,
			values: values.to_vec(),
		};
		assert_eq!(output.name, ["label", "probabilities"][index]);
		assert_eq!(output.element_type, Some(element_type));
		assert_eq!(output.shape, shape.iter().map(|d| *d as usize).collect::<Vec<_>>());
		assert_eq!(output.values, engine.score(iris.hash, &request));
	}
}

/// `y = a * Cast<float>(b)`, `a` float [N, 2], `b` int64 [N, 2].
fn two_inputs() -> Vec<u8> {
	model(
		vec![
			node("Cast", "", &["b"], &["bf"], vec![("to", A::I(FLOAT as i64))]),
			node("Mul", "", &["a", "bf"], &["y"], vec![]),
		],
		vec![value("a", FLOAT, &[None, Some(2)]), value("b", INT64, &[None, Some(2)])],
		vec![value("y", FLOAT, &[None, Some(2)])],
	)
}

#[test]
fn several_inputs_are_fed_by_name() {
	let bytes = two_inputs();
	let info = inspect(&bytes).unwrap();
	assert_eq!(info.inputs[0].dim_names, vec![Some("N".to_string()), None]);
	let engine = Engine::new(1);
	// The engine's `load` (for the chain's one-input requests) refuses the model.
	assert!(matches!(
		engine.load(info.hash, &bytes),
		Err(EngineError::UnsupportedModel(why)) if why.contains("2 inputs")
	));
	// b at input scale 2: 200 is 2.
	let inputs =
		[named("b", &[2, 2], &[200, 300, -100, 400]), named("a", &[2, 2], &[150, -25, 200, 50])];
	let outputs = engine.score_named(&bytes, &inputs, 2, 3).unwrap();
	assert_eq!(outputs.len(), 1);
	assert_eq!((outputs[0].name.as_str(), &outputs[0].shape), ("y", &vec![2, 2]));
	assert_eq!(outputs[0].values, Ok(vec![3000, -750, -2000, 2000]));

	let wrong = |inputs: &[NamedInput]| match engine.score_named(&bytes, inputs, 2, 3) {
		Err(EngineError::WrongInputShape(why)) => why,
		other => panic!("{other:?}"),
	};
	let why = wrong(&inputs[1..]);
	assert!(why.contains("missing input(s) \"b\"") && why.contains("reads \"a\", \"b\""), "{why}");
	let extra = [inputs[0].clone(), inputs[1].clone(), named("c", &[1], &[0])];
	assert!(wrong(&extra).contains("no input(s) \"c\""));
	let flat = [named("b", &[4], &[1, 2, 3, 4]), inputs[1].clone()];
	let why = wrong(&flat);
	assert!(why.contains("input \"b\"") && why.contains("[N, 2]") && why.contains("[4]"), "{why}");
	let short = [named("b", &[2, 2], &[1, 2, 3]), inputs[1].clone()];
	assert!(wrong(&short).contains("3 values"));
}
