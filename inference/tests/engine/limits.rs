//! Resource limits: hostile models are refused or stopped with `ResourceLimit`, and the
//! engine keeps serving the others.
//!
//! The budgets are chosen so that no outcome depends on the machine's speed: work that
//! must go over a time budget takes at least several times the budget on the fastest
//! machine, and work that must fit takes a ten-thousandth of it on a slow, busy one.

use std::sync::Once;
use std::time::Duration;

use aioracle_inference::{
	alloc::guard_installed, model_hash, ElementType, Engine, EngineError, EngineLimits,
	ScoreRequest,
};
use prost::Message;
use tract_onnx::pb;

use crate::support::*;

/// The iris model's probabilities for its first reference case.
fn score_iris(engine: &Engine) -> Result<Vec<i64>, EngineError> {
	let iris = example("iris-logreg");
	engine.load(iris.hash, &iris.bytes)?;
	engine.score(
		iris.hash,
		&ScoreRequest {
			inputs: vec![spec(0, ElementType::F32, &[1, 4])],
			output: spec(1, ElementType::F32, &[1, 3]),
			input_scale: 4,
			output_scale: 6,
			values: vec![51000, 35000, 14000, 2000],
		},
	)
}

/// iris-logreg's reference probabilities for that case.
const IRIS_PROBABILITIES: [i64; 3] = [980988, 19011, 1];

/// A tensor of `dims` and type `data_type`, with `raw_data`.
fn tensor(name: &str, data_type: i32, dims: &[i64], raw_data: Vec<u8>) -> pb::TensorProto {
	pb::TensorProto {
		name: name.into(),
		data_type,
		dims: dims.to_vec(),
		raw_data,
		..Default::default()
	}
}

/// A tensor attribute.
fn tensor_attr(name: &str, t: pb::TensorProto) -> pb::AttributeProto {
	pb::AttributeProto {
		name: name.into(),
		r#type: pb::attribute_proto::AttributeType::Tensor as i32,
		t: Some(t),
		..Default::default()
	}
}

/// The bytes of a model of one graph with initializers (default opset 17).
fn model_with(
	nodes: Vec<pb::NodeProto>,
	initializer: Vec<pb::TensorProto>,
	inputs: Vec<pb::ValueInfoProto>,
	outputs: Vec<pb::ValueInfoProto>,
) -> Vec<u8> {
	pb::ModelProto {
		ir_version: 8,
		opset_import: vec![pb::OperatorSetIdProto { domain: String::new(), version: 17 }],
		producer_name: "aioracle-inference tests".into(),
		graph: Some(pb::GraphProto {
			node: nodes,
			name: "hostile".into(),
			initializer,
			input: inputs,
			output: outputs,
			..Default::default()
		}),
		..Default::default()
	}
	.encode_to_vec()
}

/// `y = x + w`, with `w` an initializer of `dims` floats carrying `raw_data`.
fn with_initializer(dims: &[i64], raw_data: Vec<u8>) -> Vec<u8> {
	model_with(
		vec![node("Add", "", &["x", "w"], &["y"], vec![])],
		vec![tensor("w", FLOAT, dims, raw_data)],
		vec![value("x", FLOAT, &[Some(1), Some(1)])],
		vec![value("y", FLOAT, &[None, None])],
	)
}

/// `y = x @ x @ ... @ x`-like: `k` matrix products of a `[n, n]` input with the running
/// product (`p1 = x·x, p2 = p1·x, ...`): `2·k·n³` flops, no weights to pack.
fn matmul_chain(n: i64, k: usize) -> Vec<u8> {
	let names: Vec<String> =
		(0..=k).map(|i| if i == 0 { "x".into() } else { format!("p{i}") }).collect();
	let mut nodes = vec![];
	for i in 0..k {
		let mut product = node("MatMul", "", &[&names[i], "x"], &[&names[i + 1]], vec![]);
		product.name = format!("MatMul_{i}");
		nodes.push(product);
	}
	let mut last = nodes.pop().unwrap();
	last.output = vec!["y".into()];
	nodes.push(last);
	model_with(
		nodes,
		vec![],
		vec![value("x", FLOAT, &[Some(n), Some(n)])],
		vec![value("y", FLOAT, &[Some(n), Some(n)])],
	)
}

/// A request for `matmul_chain(n, _)`: the identity matrix.
fn identity_request(n: u32) -> ScoreRequest {
	let values = (0..n * n).map(|i| if i % (n + 1) == 0 { 1 } else { 0 }).collect();
	ScoreRequest {
		inputs: vec![spec(0, ElementType::F32, &[n, n])],
		output: spec(0, ElementType::F32, &[n, n]),
		input_scale: 0,
		output_scale: 0,
		values,
	}
}

/// Loads and scores a small matrix product with generous limits once per process, so that
/// tract's lazily initialised tables exist before a test stops a worker on purpose (a
/// worker is only stopped at a large allocation, but better safe).
fn warm_up() {
	static WARM: Once = Once::new();
	WARM.call_once(|| {
		let engine = Engine::new(1);
		let bytes = matmul_chain(4, 2);
		let hash = model_hash(&bytes);
		engine.load(hash, &bytes).unwrap();
		assert_eq!(engine.score(hash, &identity_request(4)).unwrap().len(), 16);
		assert_eq!(score_iris(&engine).unwrap(), IRIS_PROBABILITIES);
	});
}

fn assert_resource_limit<T: std::fmt::Debug>(result: Result<T, EngineError>) -> String {
	match result {
		Err(EngineError::ResourceLimit(why)) => why,
		other => panic!("expected a ResourceLimit, got {other:?}"),
	}
}

#[test]
fn the_guard_is_installed_in_this_test_binary() {
	let _ = vec![0u8; 1];
	assert!(guard_installed());
	let limits = EngineLimits::default();
	assert_eq!(limits.max_load, Duration::from_secs(30));
	assert_eq!(limits.max_score, Duration::from_secs(5));
	assert_eq!(limits.max_model_memory_bytes, 1 << 30);
	assert_eq!(Engine::new(1).limits(), limits);
}

#[test]
fn a_huge_declared_initializer_is_refused_without_parsing() {
	let engine = Engine::new(1);
	// 200000 × 200000 float32: 160 GB declared, no data.
	let bytes = with_initializer(&[200_000, 200_000], vec![]);
	let why = assert_resource_limit(engine.load(model_hash(&bytes), &bytes));
	assert!(why.contains("160000000000 bytes"), "{why}");
	assert_eq!(engine.parse_count(), 0);
	// A deterministic refusal, not remembered: nothing ran.
	assert!(!engine.is_over_budget(&model_hash(&bytes)));

	// Dimensions whose product overflows count as more than any budget.
	let bytes = with_initializer(&[1 << 40, 1 << 40, 1 << 40], vec![]);
	assert_resource_limit(engine.load(model_hash(&bytes), &bytes));

	// The same tensor as a Constant node's value.
	let constant = pb::NodeProto {
		attribute: vec![tensor_attr("value", tensor("c", FLOAT, &[200_000, 200_000], vec![]))],
		..node("Constant", "", &[], &["c"], vec![])
	};
	let bytes = model_with(
		vec![constant, node("Add", "", &["x", "c"], &["y"], vec![])],
		vec![],
		vec![value("x", FLOAT, &[Some(1), Some(1)])],
		vec![value("y", FLOAT, &[None, None])],
	);
	assert_resource_limit(engine.load(model_hash(&bytes), &bytes));
	assert_eq!(engine.parse_count(), 0);

	// The engine still serves.
	assert_eq!(score_iris(&engine).unwrap(), IRIS_PROBABILITIES);
}

#[test]
fn initializers_are_weighed_against_the_configured_budget() {
	let limits = EngineLimits { max_model_memory_bytes: 1 << 20, ..EngineLimits::default() };
	let engine = Engine::with_limits(1, limits);
	// 513 × 512 float32 is more than 1 MiB.
	let over = with_initializer(&[513, 512], vec![]);
	let why = assert_resource_limit(engine.load(model_hash(&over), &over));
	assert!(
		why.contains("initializers and constants would take 1050624 bytes")
			&& why.contains("1 MiB"),
		"{why}"
	);
	assert_eq!(engine.parse_count(), 0);
	// 512 × 512 is exactly 1 MiB: it passes that check (whatever tract makes of a tensor
	// without data afterwards).
	let exactly = with_initializer(&[512, 512], vec![]);
	match engine.load(model_hash(&exactly), &exactly) {
		Err(EngineError::ResourceLimit(why)) if why.contains("initializers") => panic!("{why}"),
		_ => assert_eq!(engine.parse_count(), 1),
	}
}

#[test]
fn a_negative_dimension_is_an_invalid_model() {
	let engine = Engine::new(1);
	let bytes = with_initializer(&[-1, 4], vec![]);
	match engine.load(model_hash(&bytes), &bytes) {
		Err(EngineError::InvalidModel(why)) => assert!(why.contains("negative"), "{why}"),
		other => panic!("{other:?}"),
	}
}

#[test]
fn bytes_longer_than_the_budget_are_refused() {
	let iris = example("iris-logreg");
	let limits = EngineLimits {
		max_model_memory_bytes: iris.bytes.len() as u64 - 1,
		..EngineLimits::default()
	};
	let engine = Engine::with_limits(1, limits);
	assert_resource_limit(engine.load(iris.hash, &iris.bytes));
	assert_eq!(engine.parse_count(), 0);
}

#[test]
fn a_scoring_over_the_time_budget_is_stopped_and_the_model_refused() {
	warm_up();
	// 256 products of 1024 × 1024 matrices: 550 GFLOP, seconds on the fastest core;
	// iris scores in well under a millisecond.
	let limits = EngineLimits { max_score: Duration::from_millis(500), ..EngineLimits::default() };
	let engine = Engine::with_limits(4, limits);
	let bytes = matmul_chain(1024, 256);
	let hash = model_hash(&bytes);
	engine.load(hash, &bytes).unwrap();
	let request = identity_request(1024);

	let why = assert_resource_limit(engine.score(hash, &request));
	assert!(why.contains("took longer than 500 ms"), "{why}");
	assert!(engine.is_over_budget(&hash));
	assert!(!engine.is_loaded(&hash));
	// Refused at once from now on, scoring or loading, without parsing again.
	let parses = engine.parse_count();
	let why = assert_resource_limit(engine.score(hash, &request));
	assert!(why.contains("will not try the model again"), "{why}");
	assert_resource_limit(engine.load(hash, &bytes));
	assert_eq!(engine.parse_count(), parses);

	// Other models are served by the same engine.
	assert_eq!(score_iris(&engine).unwrap(), IRIS_PROBABILITIES);
	assert!(!engine.is_over_budget(&example("iris-logreg").hash));
}

#[test]
fn a_load_over_the_time_budget_is_stopped_and_the_model_refused() {
	warm_up();
	// Loading folds 24 products of constant 1024 × 1024 matrices (50 GFLOP): far more
	// than a millisecond anywhere.
	let k = 24;
	let a = tensor("a", FLOAT, &[1024, 1024], vec![0; 4 * 1024 * 1024]);
	let mut nodes = vec![];
	for i in 0..k {
		let input = if i == 0 { "a".to_string() } else { format!("c{i}") };
		let mut product = node("MatMul", "", &[&input, "a"], &[&format!("c{}", i + 1)], vec![]);
		product.name = format!("MatMul_{i}");
		nodes.push(product);
	}
	let mut last = node("MatMul", "", &["x", &format!("c{k}")], &["y"], vec![]);
	last.name = "MatMul_x".into();
	nodes.push(last);
	let bytes = model_with(
		nodes,
		vec![a],
		vec![value("x", FLOAT, &[Some(1), Some(1024)])],
		vec![value("y", FLOAT, &[Some(1), Some(1024)])],
	);
	let hash = model_hash(&bytes);
	let limits = EngineLimits { max_load: Duration::from_millis(1), ..EngineLimits::default() };
	let engine = Engine::with_limits(2, limits);

	let why = assert_resource_limit(engine.load(hash, &bytes));
	assert!(why.contains("loading the model took longer than 1 ms"), "{why}");
	assert!(engine.is_over_budget(&hash));
	assert!(!engine.is_loaded(&hash));
	let parses = engine.parse_count();
	assert_resource_limit(engine.load(hash, &bytes));
	assert_eq!(engine.parse_count(), parses);
}

#[test]
fn an_allocation_bomb_while_loading_is_stopped() {
	warm_up();
	// ConstantOfShape([200000, 200000]): 160 GB that tract would build while optimising
	// the graph, from a 16-byte initializer.
	let shape = tensor(
		"shape",
		INT64,
		&[2],
		[200_000i64, 200_000].iter().flat_map(|d| d.to_le_bytes()).collect(),
	);
	let bomb = pb::NodeProto {
		attribute: vec![tensor_attr(
			"value",
			tensor("one", FLOAT, &[1], 1f32.to_le_bytes().to_vec()),
		)],
		..node("ConstantOfShape", "", &["shape"], &["big"], vec![])
	};
	let bytes = model_with(
		vec![bomb, node("Add", "", &["x", "big"], &["y"], vec![])],
		vec![shape],
		vec![value("x", FLOAT, &[Some(1), Some(1)])],
		vec![value("y", FLOAT, &[None, None])],
	);
	let hash = model_hash(&bytes);
	let engine = Engine::new(2);
	let result = engine.load(hash, &bytes).and_then(|_| {
		engine.score(
			hash,
			&ScoreRequest {
				inputs: vec![spec(0, ElementType::F32, &[1, 1])],
				output: spec(0, ElementType::F32, &[200_000, 200_000]),
				input_scale: 0,
				output_scale: 0,
				values: vec![1],
			},
		)
	});
	let why = assert_resource_limit(result);
	assert!(why.contains("tried to allocate more than 1 GiB"), "{why}");
	assert!(engine.is_over_budget(&hash));
	assert_eq!(score_iris(&engine).unwrap(), IRIS_PROBABILITIES);
}

#[test]
fn an_allocation_bomb_while_scoring_is_stopped() {
	warm_up();
	// Expand([1, 1] -> [1, 100000000]): a 400 MB output, against a 64 MiB budget.
	let shape = tensor(
		"shape",
		INT64,
		&[2],
		[1i64, 100_000_000].iter().flat_map(|d| d.to_le_bytes()).collect(),
	);
	let bytes = model_with(
		vec![node("Expand", "", &["x", "shape"], &["y"], vec![])],
		vec![shape],
		vec![value("x", FLOAT, &[Some(1), Some(1)])],
		vec![value("y", FLOAT, &[Some(1), Some(100_000_000)])],
	);
	let hash = model_hash(&bytes);
	let limits = EngineLimits { max_model_memory_bytes: 64 << 20, ..EngineLimits::default() };
	let engine = Engine::with_limits(2, limits);
	let result = engine.load(hash, &bytes).and_then(|_| {
		engine.score(
			hash,
			&ScoreRequest {
				inputs: vec![spec(0, ElementType::F32, &[1, 1])],
				output: spec(0, ElementType::F32, &[1, 100_000_000]),
				input_scale: 0,
				output_scale: 0,
				values: vec![1],
			},
		)
	});
	let why = assert_resource_limit(result);
	assert!(why.contains("tried to allocate more than 64 MiB"), "{why}");
	assert!(engine.is_over_budget(&hash));
	assert_eq!(score_iris(&engine).unwrap(), IRIS_PROBABILITIES);
}
