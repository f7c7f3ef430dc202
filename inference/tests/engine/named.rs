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
			inputs: vec![spec(0, ElementType::F32, &[1, 4])],
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

/// A request feeding `a` and `b` of [`two_inputs`] in the order given.
fn two_input_request(order: [(u32, ElementType, &[u32]); 2], values: Vec<i64>) -> ScoreRequest {
	ScoreRequest {
		inputs: order.iter().map(|(index, t, shape)| spec(*index, *t, shape)).collect(),
		output: spec(0, ElementType::F32, &[2, 2]),
		input_scale: 2,
		output_scale: 3,
		values,
	}
}

#[test]
fn a_loaded_model_scores_several_inputs_in_any_order() {
	let bytes = two_inputs();
	let hash = aioracle_inference::model_hash(&bytes);
	let engine = Engine::new(1);
	engine.load(hash, &bytes).unwrap();
	let (a, b) = ((0, ElementType::F32, &[2u32, 2][..]), (1, ElementType::I64, &[2u32, 2][..]));
	let a_values = [150, -25, 200, 50];
	let b_values = [200, 300, -100, 400];
	let expected = Ok(vec![3000, -750, -2000, 2000]);
	// The same answer as by name, whichever input the request's values fill first.
	let a_first = two_input_request([a, b], [a_values, b_values].concat());
	assert_eq!(engine.score(hash, &a_first), expected);
	let b_first = two_input_request([b, a], [b_values, a_values].concat());
	assert_eq!(engine.score(hash, &b_first), expected);
	// Another batch size is another plan of the same loaded model.
	let one_row = ScoreRequest {
		inputs: vec![spec(0, ElementType::F32, &[1, 2]), spec(1, ElementType::I64, &[1, 2])],
		output: spec(0, ElementType::F32, &[1, 2]),
		values: vec![150, -25, 200, 300],
		..a_first.clone()
	};
	assert_eq!(engine.score(hash, &one_row), Ok(vec![3000, -750]));

	let wrong = |request: &ScoreRequest| match engine.score(hash, request) {
		Err(EngineError::WrongInputShape(why)) => why,
		other => panic!("{other:?}"),
	};
	// One input missing, one fed twice, an index the model lacks, a value short.
	let only_a = ScoreRequest {
		inputs: vec![spec(0, ElementType::F32, &[2, 2])],
		values: a_values.to_vec(),
		..a_first.clone()
	};
	assert!(wrong(&only_a).contains("does not feed input(s) [\"b\"]"));
	let twice = two_input_request([a, a], [a_values, a_values].concat());
	assert!(wrong(&twice).contains("fed twice"));
	let third = ScoreRequest {
		inputs: vec![spec(0, ElementType::F32, &[2, 2]), spec(2, ElementType::I64, &[2, 2])],
		..a_first.clone()
	};
	assert!(wrong(&third).contains("input index 2"));
	let short = two_input_request([a, b], [&a_values[..], &b_values[..3]].concat());
	assert!(wrong(&short).contains("7 values for inputs of 8 elements"));
	// Each input keeps its own element type.
	let swapped_types = two_input_request(
		[(0, ElementType::I64, &[2, 2]), (1, ElementType::F32, &[2, 2])],
		[a_values, b_values].concat(),
	);
	assert!(matches!(
		engine.score(hash, &swapped_types),
		Err(EngineError::WrongElementType(why)) if why.contains("input \"a\"")
	));
}
