//! The benchmark samples (`aioracle_exact::sample`): for every kind, a valid program whose
//! work is about `n` operations of that kind and none of another, and an input that runs
//! it along its longest path.

use aioracle_exact::program::*;
use aioracle_exact::sample::{input_for, program_of, DEEP_LEAF, MAX_N};
use aioracle_exact::{compile, load, run, run_with_budget, validate, OpKind};
use codec::Encode;
use serde_json::Value;

/// The operations of any kind but its own that a sample takes: none.
const OTHERS: u64 = 0;

/// The sizes checked for every kind.
const SIZES: [u32; 6] = [1, 2, 10, 1000, 100_000, MAX_N];

/// `ln 2` at scale 18, as the interpreter reduces exponentials' arguments by it.
const LN2: i128 = 693_147_180_559_945_309;

/// Whether input element `i` (of a validated program) is within its declared range.
fn in_range(p: &Program, i: usize, v: i64) -> bool {
	let r = match &p.input.range {
		InputRange::Global(r) => *r,
		InputRange::PerFeature(r) => r[i],
	};
	r.min <= v && v <= r.max
}

#[test]
fn every_kind_validates_counts_its_kind_and_runs() {
	for kind in OpKind::ALL {
		for n in SIZES {
			let p = program_of(kind, n);
			let a = validate(&p).unwrap_or_else(|e| panic!("{kind:?} {n}: {e:?}"));
			let count = a.count(kind);
			let n = u64::from(n);
			assert!(count >= n && count <= n + n / 64 + 2, "{kind:?} {n}: {count}");
			for other in OpKind::ALL.into_iter().filter(|k| *k != kind) {
				assert_eq!(a.count(other), OTHERS, "{kind:?} {n}: {other:?} {:?}", a.counts);
			}
			let x = input_for(&p);
			assert_eq!(x.len(), p.input.len as usize, "{kind:?} {n}");
			assert!(x.iter().enumerate().all(|(i, v)| in_range(&p, i, *v)), "{kind:?} {n}");
			let out = run_with_budget(&p, &x, a.total())
				.unwrap_or_else(|e| panic!("{kind:?} {n}: {e:?}"));
			assert_eq!(out.len(), a.output_len as usize, "{kind:?} {n}");
			for (v, r) in out.iter().zip(&a.output_range) {
				assert!(r.min <= *v && *v <= r.max, "{kind:?} {n}: {v} outside {r:?}");
			}
			// The runtime loads programs from their bytes: the samples fit.
			let (loaded, analysis) = load(&p.encode()).unwrap();
			assert_eq!((loaded, analysis), (p, a), "{kind:?} {n}");
		}
	}
}

#[test]
fn samples_are_deterministic_and_n_is_clamped() {
	for kind in OpKind::ALL {
		let p = program_of(kind, 1000);
		assert_eq!(p, program_of(kind, 1000));
		assert_eq!(input_for(&p), input_for(&program_of(kind, 1000)));
		assert_eq!(program_of(kind, 0), program_of(kind, 1));
		assert_eq!(program_of(kind, u32::MAX), program_of(kind, MAX_N));
	}
}

#[test]
fn every_kind_uses_its_representative() {
	let first = |kind| program_of(kind, 1000).nodes[0].clone();
	assert!(matches!(first(OpKind::Linear), Op::Linear { bias: Some(_), .. }));
	assert!(matches!(first(OpKind::Elementwise), Op::Scaler { .. }));
	assert!(matches!(first(OpKind::Normalizer), Op::Normalizer { norm: Norm::L2, scale: 18, .. }));
	assert!(matches!(first(OpKind::Exp), Op::Tanh { .. }));
	assert!(matches!(first(OpKind::TreeStep), Op::TreeEnsemble(_)));
	assert!(matches!(first(OpKind::Select), Op::Concat { .. }));
}

#[test]
fn the_tree_sample_takes_the_deepest_path() {
	for n in SIZES {
		let p = program_of(OpKind::TreeStep, n);
		let out = run(&p, &input_for(&p)).unwrap();
		// Target 0 holds the leaf the walk ended in, at scale 6 (from scale 9).
		assert_eq!(out[0], (DEEP_LEAF + 500) / 1000, "{n}");
	}
}

/// What is left of `a` (at scale 18) after taking multiples of `ln 2`: the longest series
/// is for a remainder just below `ln 2`.
fn reduced(a: i128) -> i128 {
	a % LN2
}

#[test]
fn exponential_arguments_take_the_longest_series() {
	// Tanh takes e^-2|x|; x at scale 6.
	let p = program_of(OpKind::Exp, 1000);
	for x in input_for(&p) {
		let a = 2 * i128::from(x).abs() * 10i128.pow(12);
		assert!(a < 44 * 10i128.pow(18) && reduced(a) >= LN2 - 2 * 10i128.pow(12), "{x}");
	}
	// Sigmoid takes e^-|x|, softmax e^-(max - x).
	let len = 100;
	for op in [Op::Sigmoid { input: 0, scale: 9 }, Op::Softmax { input: 0, scale: 9 }] {
		let p = Program {
			version: FORMAT_VERSION,
			input: InputSpec {
				len,
				scale: 6,
				range: InputRange::Global(Interval { min: -10i64.pow(12), max: 10i64.pow(12) }),
			},
			constants: vec![],
			nodes: vec![op.clone()],
			output: 1,
			output_scale: 9,
		};
		let x = input_for(&p);
		run(&p, &x).unwrap();
		let softmax = matches!(op, Op::Softmax { .. });
		let max = *x.iter().max().unwrap();
		for (i, v) in x.iter().enumerate() {
			if softmax && i == 0 {
				assert_eq!(*v, max);
				continue;
			}
			let arg = if softmax { max - v } else { v.abs() };
			let a = i128::from(arg) * 10i128.pow(12);
			assert!(a < 44 * 10i128.pow(18) && reduced(a) >= LN2 - 10i128.pow(12), "{op:?} {v}");
		}
	}
}

fn branch(mode: Compare, feature: u32, threshold: i64, t: u32, f: u32) -> NestedNode {
	NestedNode::Branch { mode, feature, threshold, if_true: t, if_false: f }
}

#[test]
fn input_for_walks_every_comparison_to_the_deepest_leaf() {
	// Tree 1's deepest walk fixes x0 = 20 (through Leq, Gt, Eq) and narrows x1 to 1
	// (Neq 0, not Lt -5 as the false branch is the longer, Gte 0, Leq 1).
	let first = vec![
		branch(Compare::Leq, 0, 50, 1, 8),
		branch(Compare::Gt, 0, 10, 2, 8),
		branch(Compare::Neq, 1, 0, 3, 8),
		branch(Compare::Eq, 0, 20, 4, 8),
		branch(Compare::Lt, 1, -5, 8, 5),
		branch(Compare::Gte, 1, 0, 6, 8),
		branch(Compare::Leq, 1, 1, 7, 8),
		NestedNode::Leaf(vec![(0, 1000)]),
		NestedNode::Leaf(vec![(0, 1)]),
	];
	// Tree 2's longer walk needs x0 > 30: it takes the other branch.
	let second = vec![
		branch(Compare::Gt, 0, 30, 1, 3),
		branch(Compare::Leq, 1, 100, 2, 2),
		NestedNode::Leaf(vec![(0, 100_000)]),
		NestedNode::Leaf(vec![(0, 10)]),
	];
	let ensemble = TreeEnsemble {
		input: 0,
		targets: 1,
		trees: Forest::pack(vec![first, second]),
		weight_scale: 0,
		base_values: vec![],
		aggregate: Aggregate::Sum,
		post_transform: PostTransform::None,
		scale: 0,
	};
	let p = Program {
		version: FORMAT_VERSION,
		input: InputSpec {
			len: 2,
			scale: 0,
			range: InputRange::Global(Interval { min: -100, max: 100 }),
		},
		constants: vec![],
		nodes: vec![Op::TreeEnsemble(Box::new(ensemble))],
		output: 1,
		output_scale: 0,
	};
	validate(&p).unwrap();
	let x = input_for(&p);
	assert_eq!(x, vec![20, 1]);
	assert_eq!(run(&p, &x).unwrap(), vec![1010]);
}

#[test]
fn input_for_runs_the_example_models() {
	let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models");
	let models = [
		"iris-logreg",
		"breast-cancer-forest",
		"diabetes-gbr",
		"wine-mlp",
		"iris-preprocess",
		"diabetes-linear",
		"digits-onehot",
	];
	for name in models {
		let onnx = std::fs::read(dir.join(format!("{name}.onnx"))).unwrap();
		let json: Value = serde_json::from_str(
			&std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap(),
		)
		.unwrap();
		let scale = |key: &str| json["fixed_point"][key].as_u64().unwrap() as u8;
		for spec in json["outputs"].as_array().unwrap() {
			let output = spec["name"].as_str().unwrap();
			let p = compile(&onnx, scale("input_scale"), scale("output_scale"), output).unwrap();
			let a = validate(&p).unwrap();
			let x = input_for(&p);
			assert!(x.iter().enumerate().all(|(i, v)| in_range(&p, i, *v)), "{name}/{output}");
			let out = run(&p, &x).unwrap_or_else(|e| panic!("{name}/{output}: {e:?}"));
			assert_eq!(out.len(), a.output_len as usize);
		}
	}
}
