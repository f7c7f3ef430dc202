//! The engine's errors.

use aioracle_inference::{inspect, model_hash, ElementType, Engine, EngineError, ScoreRequest};

use crate::support::*;

/// A request to iris-logreg's probabilities for its first reference case.
fn iris_request() -> ScoreRequest {
	ScoreRequest {
		inputs: vec![spec(0, ElementType::F32, &[1, 4])],
		output: spec(1, ElementType::F32, &[1, 3]),
		input_scale: 4,
		output_scale: 6,
		values: vec![51000, 35000, 14000, 2000],
	}
}

#[test]
fn a_wrong_hash_is_a_hash_mismatch() {
	let engine = Engine::new(2);
	let iris = example("iris-logreg");
	let wrong = example("wine-mlp").hash;
	match engine.load(wrong, &iris.bytes) {
		Err(EngineError::HashMismatch { expected, actual }) => {
			assert_eq!(expected, wrong);
			assert_eq!(actual, iris.hash);
		}
		other => panic!("{other:?}"),
	}
	assert!(!engine.is_loaded(&wrong) && !engine.is_loaded(&iris.hash));
	assert_eq!(engine.parse_count(), 0);
}

#[test]
fn an_unknown_hash_is_an_unknown_model() {
	let engine = Engine::new(2);
	let hash = example("iris-logreg").hash;
	assert_eq!(engine.score(hash, &iris_request()), Err(EngineError::UnknownModel(hash)));
}

#[test]
fn requests_that_do_not_fit_the_model_are_refused() {
	let engine = Engine::new(2);
	let iris = example("iris-logreg");
	engine.load(iris.hash, &iris.bytes).unwrap();
	assert_eq!(engine.score(iris.hash, &iris_request()).unwrap(), vec![980988, 19011, 1]);

	let wrong_shape = |r: ScoreRequest| match engine.score(iris.hash, &r) {
		Err(EngineError::WrongInputShape(_)) => {}
		other => panic!("{other:?}"),
	};
	// Too few values for [1, 4].
	wrong_shape(ScoreRequest { values: vec![51000, 35000, 14000], ..iris_request() });
	// Too many.
	wrong_shape(ScoreRequest { values: vec![1; 5], ..iris_request() });
	// A shape the model does not take, with matching values.
	wrong_shape(ScoreRequest {
		inputs: vec![spec(0, ElementType::F32, &[1, 5])],
		values: vec![1; 5],
		..iris_request()
	});
	// The wrong rank.
	wrong_shape(ScoreRequest { inputs: vec![spec(0, ElementType::F32, &[4])], ..iris_request() });
	// A zero dimension.
	wrong_shape(ScoreRequest {
		inputs: vec![spec(0, ElementType::F32, &[0, 4])],
		values: vec![],
		..iris_request()
	});
	// A second input.
	wrong_shape(ScoreRequest { inputs: vec![spec(1, ElementType::F32, &[1, 4])], ..iris_request() });

	match engine.score(
		iris.hash,
		&ScoreRequest { inputs: vec![spec(0, ElementType::I64, &[1, 4])], ..iris_request() },
	) {
		Err(EngineError::WrongElementType(_)) => {}
		other => panic!("{other:?}"),
	}
	// Reading the int64 label as float.
	match engine.score(
		iris.hash,
		&ScoreRequest { output: spec(0, ElementType::F32, &[1]), ..iris_request() },
	) {
		Err(EngineError::WrongElementType(_)) => {}
		other => panic!("{other:?}"),
	}
	for output in [spec(1, ElementType::F32, &[1, 4]), spec(2, ElementType::F32, &[1, 3])] {
		match engine.score(iris.hash, &ScoreRequest { output, ..iris_request() }) {
			Err(EngineError::WrongOutputShape(_)) => {}
			other => panic!("{other:?}"),
		}
	}
	// A shape that differs from the computed [1, 3] only by dimensions of 1 reads the same
	// elements: the values are returned (and the difference logged), as onnxruntime would
	// return its computed shape whatever the graph declares.
	assert_eq!(
		engine.score(
			iris.hash,
			&ScoreRequest { output: spec(1, ElementType::F32, &[3]), ..iris_request() }
		),
		engine.score(
			iris.hash,
			&ScoreRequest { output: spec(1, ElementType::F32, &[1, 3]), ..iris_request() }
		)
	);
	assert_eq!(
		engine.score(iris.hash, &ScoreRequest { input_scale: 19, ..iris_request() }),
		Err(EngineError::InvalidScale(19))
	);
	// The label, scaled.
	assert_eq!(
		engine.score(
			iris.hash,
			&ScoreRequest {
				output: spec(0, ElementType::I64, &[1]),
				output_scale: 2,
				..iris_request()
			}
		),
		Ok(vec![0])
	);
	let versicolor = ScoreRequest {
		output: spec(0, ElementType::I64, &[1]),
		output_scale: 3,
		values: vec![64000, 32000, 45000, 15000],
		..iris_request()
	};
	assert_eq!(engine.score(iris.hash, &versicolor), Ok(vec![1000]));
}

/// A model `y = op(x, x)` (or `op(x)`) on a `[N, 1]` float input.
fn float_model(op: &str, two_inputs: bool) -> Vec<u8> {
	let inputs: &[&str] = if two_inputs { &["x", "x"] } else { &["x"] };
	model(
		vec![node(op, "", inputs, &["y"], vec![])],
		vec![value("x", FLOAT, &[None, Some(1)])],
		vec![value("y", FLOAT, &[None, Some(1)])],
	)
}

fn score_one(engine: &Engine, bytes: &[u8], x: i64) -> Result<Vec<i64>, EngineError> {
	let hash = model_hash(bytes);
	engine.load(hash, bytes)?;
	engine.score(
		hash,
		&ScoreRequest {
			inputs: vec![spec(0, ElementType::F32, &[1, 1])],
			output: spec(0, ElementType::F32, &[1, 1]),
			input_scale: 0,
			output_scale: 6,
			values: vec![x],
		},
	)
}

#[test]
fn non_finite_outputs_have_no_fixed_point() {
	let engine = Engine::new(4);
	// log(0) = -inf.
	let log = float_model("Log", false);
	assert!(matches!(
		score_one(&engine, &log, 0),
		Err(EngineError::NonFiniteOutput { index: 0, value }) if value == f64::NEG_INFINITY
	));
	assert_eq!(score_one(&engine, &log, 1), Ok(vec![0]));
	// 0 / 0 = NaN.
	let div = float_model("Div", true);
	assert!(matches!(
		score_one(&engine, &div, 0),
		Err(EngineError::NonFiniteOutput { index: 0, value }) if value.is_nan()
	));
	assert_eq!(score_one(&engine, &div, 7), Ok(vec![1_000_000]));
	// A Scaler with an infinite scale.
	let scaler = one_op(
		"Scaler",
		"ai.onnx.ml",
		1,
		vec![("offset", A::Fs(vec![0.0])), ("scale", A::Fs(vec![f32::INFINITY]))],
		&[("y", FLOAT, &[None, Some(1)])],
	);
	assert!(matches!(score_one(&engine, &scaler, 1), Err(EngineError::NonFiniteOutput { .. })));
	// A finite value too large for an i64 at the output scale.
	let big = one_op(
		"Scaler",
		"ai.onnx.ml",
		1,
		vec![("offset", A::Fs(vec![0.0])), ("scale", A::Fs(vec![1e30]))],
		&[("y", FLOAT, &[None, Some(1)])],
	);
	assert!(matches!(score_one(&engine, &big, 1), Err(EngineError::OutputOutOfRange { .. })));
}

#[test]
fn unsupported_operators_are_listed() {
	let bytes = model(
		vec![
			node("Scaler", "ai.onnx.ml", &["x"], &["s"], vec![("scale", A::Fs(vec![2.0]))]),
			node("NoSuchOp", "ai.onnx.ml", &["s"], &["y"], vec![]),
			node("AlsoMissing", "", &["s"], &["z"], vec![]),
		],
		vec![value("x", FLOAT, &[None, Some(2)])],
		vec![value("y", FLOAT, &[None, Some(2)]), value("z", FLOAT, &[None, Some(2)])],
	);
	let info = inspect(&bytes).unwrap();
	assert_eq!(info.unsupported_ops, ["ai.onnx:AlsoMissing", "ai.onnx.ml:NoSuchOp"]);
	let scaler = info.ops.iter().find(|o| o.op_type == "Scaler").unwrap();
	assert!(scaler.supported && scaler.domain == "ai.onnx.ml" && scaler.count == 1);

	let engine = Engine::new(1);
	match engine.load(model_hash(&bytes), &bytes) {
		Err(EngineError::UnsupportedOperator(ops)) => {
			assert_eq!(ops, "ai.onnx:AlsoMissing, ai.onnx.ml:NoSuchOp")
		}
		other => panic!("{other:?}"),
	}
	assert_eq!(engine.parse_count(), 0, "refused before parsing");

	// An ONNX-ML op name in the wrong domain is not taken for the ML op.
	let misplaced = one_op("Scaler", "", 2, vec![], &[("y", FLOAT, &[None, Some(2)])]);
	assert_eq!(inspect(&misplaced).unwrap().unsupported_ops, ["ai.onnx:Scaler"]);
}

#[test]
fn garbage_is_an_invalid_model() {
	let bytes = b"certainly not an onnx model".to_vec();
	assert!(matches!(inspect(&bytes), Err(EngineError::InvalidModel(_))));
	let engine = Engine::new(1);
	assert!(matches!(engine.load(model_hash(&bytes), &bytes), Err(EngineError::InvalidModel(_))));
}

#[test]
fn a_graph_that_does_not_type_check_is_an_invalid_model() {
	// MatMul of [N, 3] by [N, 3].
	let bytes = model(
		vec![node("MatMul", "", &["x", "x"], &["y"], vec![])],
		vec![value("x", FLOAT, &[None, Some(3)])],
		vec![value("y", FLOAT, &[None, Some(3)])],
	);
	let engine = Engine::new(1);
	match engine.load(model_hash(&bytes), &bytes) {
		Err(EngineError::InvalidModel(_)) => {}
		other => panic!("{other:?}"),
	}
	assert!(!engine.is_loaded(&model_hash(&bytes)));
}

#[test]
fn a_model_with_an_input_the_engine_cannot_feed_is_unsupported() {
	// Two inputs load (see `named.rs`); a string one does not, whichever it is.
	const STRING: i32 = 8;
	let bytes = model(
		vec![node("Identity", "", &["a"], &["y"], vec![])],
		vec![value("a", FLOAT, &[Some(1)]), value("b", STRING, &[Some(1)])],
		vec![value("y", FLOAT, &[Some(1)])],
	);
	let engine = Engine::new(1);
	assert!(matches!(
		engine.load(model_hash(&bytes), &bytes),
		Err(EngineError::UnsupportedModel(why)) if why.contains("\"b\"")
	));
}
