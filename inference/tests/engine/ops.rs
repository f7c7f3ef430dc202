//! The ONNX-ML operators this crate implements, on small graphs with hand-computed
//! results.

use aioracle_inference::{model_hash, ElementType, Engine, EngineError, ScoreRequest};

use crate::support::*;

/// Loads `bytes` and scores one request of `[rows, values.len() / rows]` elements.
fn run(
	bytes: &[u8],
	input: (ElementType, &[u32]),
	values: Vec<i64>,
	input_scale: u8,
	output: (u32, ElementType, &[u32]),
	output_scale: u8,
) -> Result<Vec<i64>, EngineError> {
	let engine = Engine::new(1);
	let hash = model_hash(bytes);
	engine.load(hash, bytes)?;
	engine.score(
		hash,
		&ScoreRequest {
			inputs: vec![spec(0, input.0, input.1)],
			output: spec(output.0, output.1, output.2),
			input_scale,
			output_scale,
			values,
		},
	)
}

const F32: ElementType = ElementType::F32;
const I64: ElementType = ElementType::I64;

fn float_op(op: &str, k: i64, attrs: Vec<(&str, A)>) -> Vec<u8> {
	one_op(op, "ai.onnx.ml", k, attrs, &[("y", FLOAT, &[None, Some(k)])])
}

#[test]
fn scaler_subtracts_then_multiplies() {
	let m = float_op(
		"Scaler",
		2,
		vec![("offset", A::Fs(vec![1.0, 2.0])), ("scale", A::Fs(vec![2.0, 0.5]))],
	);
	assert_eq!(run(&m, (F32, &[1, 2]), vec![30, 40], 1, (0, F32, &[1, 2]), 2), Ok(vec![400, 100]));
	// One offset and scale for every feature.
	let m = float_op("Scaler", 3, vec![("offset", A::Fs(vec![1.0])), ("scale", A::Fs(vec![-1.0]))]);
	assert_eq!(
		run(&m, (F32, &[1, 3]), vec![1, 2, 3], 0, (0, F32, &[1, 3]), 0),
		Ok(vec![0, -1, -2])
	);
}

#[test]
fn normalizer_max_l1_l2() {
	let norm = |n: &'static str| float_op("Normalizer", 2, vec![("norm", A::S(n))]);
	let r = |m: &[u8], v: Vec<i64>| run(m, (F32, &[1, 2]), v, 0, (0, F32, &[1, 2]), 2);
	// MAX divides by the largest value, not the largest absolute value.
	assert_eq!(r(&norm("MAX"), vec![-4, 2]), Ok(vec![-200, 100]));
	assert_eq!(r(&norm("L1"), vec![-1, 3]), Ok(vec![-25, 75]));
	assert_eq!(r(&norm("L2"), vec![3, -4]), Ok(vec![60, -80]));
	// A zero norm leaves the row as it is.
	assert_eq!(r(&norm("L2"), vec![0, 0]), Ok(vec![0, 0]));
	assert_eq!(r(&norm("MAX"), vec![0, -3]), Ok(vec![0, -300]));
}

#[test]
fn imputer_replaces_the_missing_value_per_feature() {
	let m = float_op(
		"Imputer",
		3,
		vec![
			("imputed_value_floats", A::Fs(vec![10.0, 20.0, 30.0])),
			("replaced_value_float", A::F(-1.0)),
		],
	);
	assert_eq!(
		run(&m, (F32, &[1, 3]), vec![-1, 5, -1], 0, (0, F32, &[1, 3]), 0),
		Ok(vec![10, 5, 30])
	);
	// replaced_value_float defaults to 0; one imputed value for every feature.
	let m = float_op("Imputer", 3, vec![("imputed_value_floats", A::Fs(vec![7.0]))]);
	assert_eq!(run(&m, (F32, &[1, 3]), vec![0, 5, 0], 0, (0, F32, &[1, 3]), 0), Ok(vec![7, 5, 7]));
}

#[test]
fn binarizer_is_strictly_greater_than_threshold() {
	let m = float_op("Binarizer", 3, vec![("threshold", A::F(4.0))]);
	assert_eq!(run(&m, (F32, &[1, 3]), vec![3, 4, 5], 0, (0, F32, &[1, 3]), 0), Ok(vec![0, 0, 1]));
	// The default threshold is 0.
	let m = float_op("Binarizer", 3, vec![]);
	assert_eq!(run(&m, (F32, &[1, 3]), vec![-1, 0, 1], 1, (0, F32, &[1, 3]), 0), Ok(vec![0, 0, 1]));
}

#[test]
fn one_hot_encoder_with_and_without_zeros() {
	let encoder = |zeros: i64| {
		model(
			vec![node(
				"OneHotEncoder",
				"ai.onnx.ml",
				&["x"],
				&["y"],
				vec![("cats_int64s", A::Is(vec![3, 7])), ("zeros", A::I(zeros))],
			)],
			vec![value("x", INT64, &[None, Some(1)])],
			vec![value("y", FLOAT, &[None, Some(1), Some(2)])],
		)
	};
	let r = |m: &[u8], v: i64| run(m, (I64, &[1, 1]), vec![v], 0, (0, F32, &[1, 1, 2]), 0);
	assert_eq!(r(&encoder(1), 7), Ok(vec![0, 1]));
	assert_eq!(r(&encoder(1), 3), Ok(vec![1, 0]));
	assert_eq!(r(&encoder(1), 5), Ok(vec![0, 0]));
	assert!(matches!(r(&encoder(0), 5), Err(EngineError::Inference(_))));
	// From float, truncated like onnxruntime's cast.
	let m = one_op(
		"OneHotEncoder",
		"ai.onnx.ml",
		1,
		vec![("cats_int64s", A::Is(vec![0, 1, 2]))],
		&[("y", FLOAT, &[None, Some(1), Some(3)])],
	);
	assert_eq!(run(&m, (F32, &[1, 1]), vec![19], 1, (0, F32, &[1, 1, 3]), 0), Ok(vec![0, 1, 0]));
}

fn classifier_outputs(classes: i64) -> [(&'static str, i32, &'static [Option<i64>]); 2] {
	let scores: &'static [Option<i64>] = match classes {
		2 => &[None, Some(2)],
		_ => &[None, Some(3)],
	};
	[("label", INT64, &[None]), ("scores", FLOAT, scores)]
}

#[test]
fn linear_classifier_single_score_layout() {
	let m = one_op(
		"LinearClassifier",
		"ai.onnx.ml",
		2,
		vec![
			("coefficients", A::Fs(vec![1.0, -1.0])),
			("intercepts", A::Fs(vec![0.5])),
			("classlabels_ints", A::Is(vec![10, 20])),
			("post_transform", A::S("LOGISTIC")),
		],
		&classifier_outputs(2),
	);
	let label = |v: Vec<i64>| run(&m, (F32, &[1, 2]), v, 0, (0, I64, &[1]), 0);
	let scores = |v: Vec<i64>| run(&m, (F32, &[1, 2]), v, 0, (1, F32, &[1, 2]), 1);
	// s = 2 - 1 + 0.5 = 1.5: positive label, scores [1 - s, s] (no transform, as onnxruntime).
	assert_eq!(label(vec![2, 1]), Ok(vec![20]));
	assert_eq!(scores(vec![2, 1]), Ok(vec![-5, 15]));
	// s = -0.5.
	assert_eq!(label(vec![0, 1]), Ok(vec![10]));
	assert_eq!(scores(vec![0, 1]), Ok(vec![15, -5]));
}

#[test]
fn linear_classifier_multi_class_transforms() {
	let m = |post: &'static str| {
		one_op(
			"LinearClassifier",
			"ai.onnx.ml",
			1,
			vec![
				("coefficients", A::Fs(vec![1.0, 2.0, 3.0])),
				("intercepts", A::Fs(vec![0.0, 0.0, -1.5])),
				("classlabels_ints", A::Is(vec![0, 1, 2])),
				("post_transform", A::S(post)),
			],
			&classifier_outputs(3),
		)
	};
	let r = |post, out| run(&m(post), (F32, &[1, 1]), vec![1], 0, out, 6);
	// Raw scores [1, 2, 1.5]: class 1.
	assert_eq!(r("NONE", (0, I64, &[1])), Ok(vec![1_000_000]));
	assert_eq!(r("NONE", (1, F32, &[1, 3])), Ok(vec![1_000_000, 2_000_000, 1_500_000]));
	assert_eq!(r("LOGISTIC", (1, F32, &[1, 3])), Ok(vec![731_059, 880_797, 817_574]));
	// softmax([1, 2, 1.5]) = [0.186324, 0.506480, 0.307196]
	assert_eq!(r("SOFTMAX", (1, F32, &[1, 3])), Ok(vec![186_324, 506_480, 307_196]));
}

/// Two trees over two features: tree 0 `x0 >= 1 ? 10 : 20`, tree 1 `x1 < 0 ? 1 : 2`.
fn two_trees(aggregate: &'static str) -> Vec<u8> {
	one_op(
		"TreeEnsembleRegressor",
		"ai.onnx.ml",
		2,
		vec![
			("n_targets", A::I(1)),
			("aggregate_function", A::S(aggregate)),
			("base_values", A::Fs(vec![100.0])),
			("nodes_treeids", A::Is(vec![0, 0, 0, 1, 1, 1])),
			("nodes_nodeids", A::Is(vec![0, 1, 2, 0, 1, 2])),
			("nodes_featureids", A::Is(vec![0, 0, 0, 1, 0, 0])),
			("nodes_modes", A::Ss(vec!["BRANCH_GTE", "LEAF", "LEAF", "BRANCH_LT", "LEAF", "LEAF"])),
			("nodes_values", A::Fs(vec![1.0, 0.0, 0.0, 0.0, 0.0, 0.0])),
			("nodes_truenodeids", A::Is(vec![1, 0, 0, 1, 0, 0])),
			("nodes_falsenodeids", A::Is(vec![2, 0, 0, 2, 0, 0])),
			("target_treeids", A::Is(vec![0, 0, 1, 1])),
			("target_nodeids", A::Is(vec![1, 2, 1, 2])),
			("target_ids", A::Is(vec![0, 0, 0, 0])),
			("target_weights", A::Fs(vec![10.0, 20.0, 1.0, 2.0])),
		],
		&[("y", FLOAT, &[None, Some(1)])],
	)
}

#[test]
fn tree_ensemble_regressor_aggregates() {
	let r = |agg, v: Vec<i64>| run(&two_trees(agg), (F32, &[1, 2]), v, 0, (0, F32, &[1, 1]), 1);
	assert_eq!(r("SUM", vec![1, -1]), Ok(vec![1110]));
	assert_eq!(r("SUM", vec![0, 5]), Ok(vec![1220]));
	assert_eq!(r("AVERAGE", vec![1, -1]), Ok(vec![1055]));
	assert_eq!(r("MAX", vec![1, -1]), Ok(vec![1100]));
	assert_eq!(r("MIN", vec![1, -1]), Ok(vec![1010]));
	// Two rows at once.
	assert_eq!(
		run(&two_trees("SUM"), (F32, &[2, 2]), vec![1, -1, 0, 5], 0, (0, F32, &[2, 1]), 0),
		Ok(vec![111, 122])
	);
}

/// One stump `x0 <= 0.5`; the left leaf votes `left`, the right one `right`, as
/// `(class id, weight)`.
fn stump(labels: Vec<i64>, left: Vec<(i64, f32)>, right: Vec<(i64, f32)>) -> Vec<u8> {
	let n = labels.len() as i64;
	let mut ids = vec![];
	let mut nodes = vec![];
	let mut weights = vec![];
	for (node, votes) in [(1, &left), (2, &right)] {
		for (id, w) in votes.iter() {
			ids.push(*id);
			nodes.push(node);
			weights.push(*w);
		}
	}
	one_op(
		"TreeEnsembleClassifier",
		"ai.onnx.ml",
		1,
		vec![
			("classlabels_int64s", A::Is(labels)),
			("nodes_treeids", A::Is(vec![0, 0, 0])),
			("nodes_nodeids", A::Is(vec![0, 1, 2])),
			("nodes_featureids", A::Is(vec![0, 0, 0])),
			("nodes_modes", A::Ss(vec!["BRANCH_LEQ", "LEAF", "LEAF"])),
			("nodes_values", A::Fs(vec![0.5, 0.0, 0.0])),
			("nodes_truenodeids", A::Is(vec![1, 0, 0])),
			("nodes_falsenodeids", A::Is(vec![2, 0, 0])),
			("class_treeids", A::Is(vec![0; ids.len()])),
			("class_nodeids", A::Is(nodes)),
			("class_ids", A::Is(ids)),
			("class_weights", A::Fs(weights)),
		],
		&[("label", INT64, &[None]), ("scores", FLOAT, &[None, Some(n)])],
	)
}

#[test]
fn tree_ensemble_classifier_multi_class() {
	let m = stump(vec![5, 6, 7], vec![(0, 0.75), (1, 0.25)], vec![(2, 1.0)]);
	let r = |x, out| run(&m, (F32, &[1, 1]), vec![x], 0, out, 2);
	assert_eq!(r(0, (0, I64, &[1])), Ok(vec![500]));
	assert_eq!(r(0, (1, F32, &[1, 3])), Ok(vec![75, 25, 0]));
	assert_eq!(r(1, (0, I64, &[1])), Ok(vec![700]));
	assert_eq!(r(1, (1, F32, &[1, 3])), Ok(vec![0, 0, 100]));
}

#[test]
fn tree_ensemble_classifier_binary_single_score_layout() {
	// scikit-learn's binary forests: every leaf votes for class id 0 with the positive
	// class's probability.
	let m = stump(vec![0, 1], vec![(0, 0.2)], vec![(0, 0.9)]);
	let r = |x, out| run(&m, (F32, &[1, 1]), vec![x], 0, out, 2);
	assert_eq!(r(0, (0, I64, &[1])), Ok(vec![0]));
	assert_eq!(r(0, (1, F32, &[1, 2])), Ok(vec![80, 20]));
	assert_eq!(r(1, (0, I64, &[1])), Ok(vec![100]));
	assert_eq!(r(1, (1, F32, &[1, 2])), Ok(vec![10, 90]));
}

#[test]
fn linear_regressor_transforms_only_several_targets() {
	let m = |targets: i64, post: &'static str| {
		let coefficients = if targets == 1 { vec![1.0, 2.0] } else { vec![1.0, 2.0, 0.0, 0.0] };
		one_op(
			"LinearRegressor",
			"ai.onnx.ml",
			2,
			vec![
				("coefficients", A::Fs(coefficients)),
				("intercepts", A::Fs(vec![0.5; targets as usize])),
				("targets", A::I(targets)),
				("post_transform", A::S(post)),
			],
			&[("y", FLOAT, &[None, Some(targets)])],
		)
	};
	// One target: 1 + 2 + 0.5, and onnxruntime applies no LOGISTIC to it.
	assert_eq!(
		run(&m(1, "LOGISTIC"), (F32, &[1, 2]), vec![1, 1], 0, (0, F32, &[1, 1]), 1),
		Ok(vec![35])
	);
	// Two targets [3.5, 0.5]: softmax = [0.952574, 0.047426].
	assert_eq!(
		run(&m(2, "SOFTMAX"), (F32, &[1, 2]), vec![1, 1], 0, (0, F32, &[1, 2]), 6),
		Ok(vec![952_574, 47_426])
	);
}

#[test]
fn label_encoder_maps_through_strings_and_defaults_unknown_keys() {
	// int64 -> string -> int64: 7 -> "b" -> 20; 5 (unknown) -> "_Unused" -> -1 (unknown).
	let mut second = node(
		"LabelEncoder",
		"ai.onnx.ml",
		&["s"],
		&["y"],
		vec![
			("keys_strings", A::Ss(vec!["a", "b", "b"])),
			("values_int64s", A::Is(vec![10, 20, 30])),
		],
	);
	second.name = "LabelEncoder_1".into();
	let m = model(
		vec![
			node(
				"LabelEncoder",
				"ai.onnx.ml",
				&["x"],
				&["s"],
				vec![("keys_int64s", A::Is(vec![3, 7])), ("values_strings", A::Ss(vec!["a", "b"]))],
			),
			second,
		],
		vec![value("x", INT64, &[None])],
		vec![value("y", INT64, &[None])],
	);
	assert_eq!(run(&m, (I64, &[3]), vec![7, 5, 3], 0, (0, I64, &[3]), 0), Ok(vec![20, -1, 10]));
}
