//! The model cache: no re-parse of a loaded model, LRU eviction, sharing across threads.

use std::sync::Arc;

use aioracle_inference::{ElementType, Engine, EngineError, ScoreRequest};

use crate::support::*;

fn label_request(values: Vec<i64>, k: u32, scale: u8) -> ScoreRequest {
	ScoreRequest {
		inputs: vec![spec(0, ElementType::F32, &[1, k])],
		output: spec(0, ElementType::I64, &[1]),
		input_scale: scale,
		output_scale: 0,
		values,
	}
}

#[test]
fn loading_a_cached_model_does_not_parse_it_again() {
	let engine = Engine::new(2);
	let iris = example("iris-logreg");
	let first = engine.load(iris.hash, &iris.bytes).unwrap();
	assert_eq!(engine.parse_count(), 1);
	let second = engine.load(iris.hash, &iris.bytes).unwrap();
	assert_eq!(engine.parse_count(), 1);
	assert_eq!(first, second);
	assert!(engine.is_loaded(&iris.hash));
	assert_eq!(engine.len(), 1);
	// The hash is still checked.
	let mut corrupted = iris.bytes.clone();
	*corrupted.last_mut().unwrap() ^= 1;
	assert!(matches!(engine.load(iris.hash, &corrupted), Err(EngineError::HashMismatch { .. })));
}

#[test]
fn capacity_one_evicts_the_least_recently_used() {
	let engine = Engine::new(1);
	let iris = example("iris-logreg");
	let wine = example("wine-mlp");
	engine.load(iris.hash, &iris.bytes).unwrap();
	assert_eq!(
		engine.score(iris.hash, &label_request(vec![51000, 35000, 14000, 2000], 4, 4)),
		Ok(vec![0])
	);
	engine.load(wine.hash, &wine.bytes).unwrap();
	assert!(!engine.is_loaded(&iris.hash));
	assert!(engine.is_loaded(&wine.hash));
	assert_eq!(engine.len(), 1);
	assert_eq!(
		engine.score(iris.hash, &label_request(vec![51000, 35000, 14000, 2000], 4, 4)),
		Err(EngineError::UnknownModel(iris.hash))
	);
	// Loading it again parses it again.
	engine.load(iris.hash, &iris.bytes).unwrap();
	assert_eq!(engine.parse_count(), 3);
	assert!(!engine.is_loaded(&wine.hash));
	assert_eq!(
		engine.score(iris.hash, &label_request(vec![51000, 35000, 14000, 2000], 4, 4)),
		Ok(vec![0])
	);
}

#[test]
fn scoring_counts_as_use() {
	let engine = Engine::new(2);
	let iris = example("iris-logreg");
	let wine = example("wine-mlp");
	let linear = example("diabetes-linear");
	engine.load(iris.hash, &iris.bytes).unwrap();
	engine.load(wine.hash, &wine.bytes).unwrap();
	// iris is the older load, but scored last.
	engine.score(iris.hash, &label_request(vec![51000, 35000, 14000, 2000], 4, 4)).unwrap();
	engine.load(linear.hash, &linear.bytes).unwrap();
	assert!(engine.is_loaded(&iris.hash));
	assert!(!engine.is_loaded(&wine.hash));
	assert!(engine.is_loaded(&linear.hash));
}

#[test]
fn one_engine_scores_from_many_threads() {
	let engine = Arc::new(Engine::new(8));
	let models: Vec<Example> = examples();
	for m in &models {
		engine.load(m.hash, &m.bytes).unwrap();
	}
	// The expected labels of every case of every classifier.
	let mut work = vec![];
	for m in &models {
		if m.json["kind"] != "classifier" {
			continue;
		}
		let k = m.json["n_features"].as_u64().unwrap() as u32;
		let scale = m.json["fixed_point"]["input_scale"].as_u64().unwrap() as u8;
		for case in m.json["cases"].as_array().unwrap() {
			let label = ints(&case["outputs"][0]["fixed_point"]);
			work.push((m.hash, label_request(ints(&case["input_fixed_point"]), k, scale), label));
		}
	}
	let work = Arc::new(work);
	let threads: Vec<_> = (0..4)
		.map(|t| {
			let (engine, work) = (engine.clone(), work.clone());
			std::thread::spawn(move || {
				for round in 0..10 {
					for (i, (hash, request, label)) in work.iter().enumerate() {
						if (i + round + t) % 2 == 0 {
							assert_eq!(&engine.score(*hash, request).unwrap(), label);
						}
					}
				}
			})
		})
		.collect();
	for t in threads {
		t.join().unwrap();
	}
	assert_eq!(engine.parse_count(), models.len() as u64);
}
