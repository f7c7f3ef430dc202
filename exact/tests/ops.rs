//! Each operator against `f64` reference math, within its documented bound, and the
//! validator's refusals.

use aioracle_exact::program::*;
use aioracle_exact::{run, run_with_budget, validate, ExecError, NodeError, ProgramError};

fn program(
	len: u32,
	scale: u8,
	constants: Vec<Constant>,
	nodes: Vec<Op>,
	out_scale: u8,
) -> Program {
	let output = nodes.len() as u32;
	Program {
		version: FORMAT_VERSION,
		input: InputSpec {
			len,
			scale,
			range: InputRange::Global(Interval { min: -1_000_000_000, max: 1_000_000_000 }),
		},
		constants,
		nodes,
		output,
		output_scale: out_scale,
	}
}

fn c(scale: u8, values: Vec<i64>) -> Constant {
	Constant { scale, values }
}

fn real(q: i64, scale: u8) -> f64 {
	q as f64 / 10f64.powi(scale as i32)
}

/// Runs `p` (validated first) and checks each output against `want` within `bound` (real).
fn check(p: &Program, input: &[i64], want: &[f64], bound: f64) {
	validate(p).unwrap();
	let got = run(p, input).unwrap();
	assert_eq!(got.len(), want.len());
	for (g, w) in got.iter().zip(want) {
		let g = real(*g, p.output_scale);
		assert!((g - w).abs() <= bound, "got {g}, want {w} (bound {bound:e})");
	}
}

/// Half a unit of the output scale, plus the `f64` reference's own error.
fn half_unit(scale: u8) -> f64 {
	0.5 * 10f64.powi(-(scale as i32)) + 1e-12
}

struct Rng(u64);
impl Rng {
	fn next(&mut self) -> u64 {
		self.0 ^= self.0 << 13;
		self.0 ^= self.0 >> 7;
		self.0 ^= self.0 << 17;
		self.0
	}
	fn range(&mut self, lo: i64, hi: i64) -> i64 {
		lo + (self.next() % (hi - lo + 1) as u64) as i64
	}
}

#[test]
fn linear_is_exact_then_rounded_once() {
	let mut rng = Rng(7);
	for _ in 0..200 {
		let (n, m) = (rng.range(1, 6) as usize, rng.range(1, 4) as usize);
		let w: Vec<i64> = (0..n * m).map(|_| rng.range(-5_000_000_000, 5_000_000_000)).collect();
		let bias: Vec<i64> = (0..m).map(|_| rng.range(-1_000_000, 1_000_000)).collect();
		let x: Vec<i64> = (0..n).map(|_| rng.range(-100_000, 100_000)).collect();
		let p = program(
			n as u32,
			4,
			vec![c(9, w.clone()), c(6, bias.clone())],
			vec![Op::Linear { input: 0, weights: 0, bias: Some(1), outputs: m as u32, scale: 6 }],
			6,
		);
		let want: Vec<f64> = (0..m)
			.map(|j| {
				(0..n).map(|i| real(w[j * n + i], 9) * real(x[i], 4)).sum::<f64>()
					+ real(bias[j], 6)
			})
			.collect();
		check(&p, &x, &want, half_unit(6) + 1e-9);
	}
}

#[test]
fn scaler_add_and_relu() {
	let p = program(
		3,
		2,
		vec![c(3, vec![1500, -250, 0]), c(4, vec![20000])],
		vec![Op::Scaler { input: 0, offset: 0, factor: 1, scale: 5 }, Op::Relu { input: 1 }],
		5,
	);
	check(&p, &[300, -100, 7], &[3.0, 0.0, 0.14], half_unit(5));
	let p = program(
		2,
		1,
		vec![c(3, vec![1, -2])],
		vec![Op::AddConst { input: 0, addend: 0, scale: 2 }, Op::Add { a: 1, b: 0, scale: 0 }],
		0,
	);
	// (0.5 + 0.001) + 0.5 = 1.001 -> 1; (-1.5 - 0.002) - 1.5 = -3.002 -> -3.
	check(&p, &[5, -15], &[1.0, -3.0], 0.0);
	// Half to even: 0.25 at scale 1 is 0.2, 0.35 is 0.4, -0.25 is -0.2.
	let p = program(3, 2, vec![], vec![Op::Rescale { input: 0, scale: 1 }], 1);
	assert_eq!(run(&p, &[25, 35, -25]).unwrap(), vec![2, 4, -2]);
}

#[test]
fn normalizers_match_f64() {
	let mut rng = Rng(11);
	for norm in [Norm::L1, Norm::L2, Norm::Max] {
		for _ in 0..300 {
			let x: Vec<i64> = (0..4).map(|_| rng.range(-90_000, 90_000)).collect();
			let p = program(4, 4, vec![], vec![Op::Normalizer { input: 0, norm, scale: 9 }], 9);
			let xs: Vec<f64> = x.iter().map(|v| real(*v, 4)).collect();
			let d = match norm {
				Norm::L1 => xs.iter().map(|v| v.abs()).sum::<f64>(),
				Norm::L2 => xs.iter().map(|v| v * v).sum::<f64>().sqrt(),
				Norm::Max => xs.iter().cloned().fold(f64::MIN, f64::max),
			};
			let want: Vec<f64> = xs.iter().map(|v| if d == 0.0 { *v } else { v / d }).collect();
			// MAX divides by the largest value, which may be tiny: the result is large.
			let bound = if norm == Norm::Max { 1e-6 } else { half_unit(9) };
			check(&p, &x, &want, bound.max(want.iter().fold(0f64, |m, w| m.max(w.abs())) * 1e-14));
		}
	}
	// An exact tie of L2 rounds to even: [3, 4] / 5 at scale 0 is [0.6, 0.8] -> [1, 1];
	// at scale 1 exactly [6, 8].
	let p = program(2, 0, vec![], vec![Op::Normalizer { input: 0, norm: Norm::L2, scale: 1 }], 1);
	assert_eq!(run(&p, &[3, 4]).unwrap(), vec![6, 8]);
	let p = program(2, 0, vec![], vec![Op::Normalizer { input: 0, norm: Norm::L2, scale: 0 }], 0);
	// [1, 1] / sqrt 2 = 0.707 -> 1; [0, 0] is left as it is.
	assert_eq!(run(&p, &[1, 1]).unwrap(), vec![1, 1]);
	assert_eq!(run(&p, &[0, 0]).unwrap(), vec![0, 0]);
}

#[test]
fn activations_are_within_their_bounds() {
	let mut rng = Rng(3);
	for _ in 0..300 {
		let x: Vec<i64> = (0..5).map(|_| rng.range(-20_000_000, 20_000_000)).collect();
		let xs: Vec<f64> = x.iter().map(|v| real(*v, 6)).collect();
		for s in [6u8, 12] {
			let sig = program(5, 6, vec![], vec![Op::Sigmoid { input: 0, scale: s }], s);
			let want: Vec<f64> = xs.iter().map(|v| 1.0 / (1.0 + (-v).exp())).collect();
			check(&sig, &x, &want, half_unit(s) + 2e-16 + 1e-15);
			let tanh = program(5, 6, vec![], vec![Op::Tanh { input: 0, scale: s }], s);
			let want: Vec<f64> = xs.iter().map(|v| v.tanh()).collect();
			check(&tanh, &x, &want, half_unit(s) + 2e-16 + 1e-15);
			let soft = program(5, 6, vec![], vec![Op::Softmax { input: 0, scale: s }], s);
			let m = xs.iter().cloned().fold(f64::MIN, f64::max);
			let e: Vec<f64> = xs.iter().map(|v| (v - m).exp()).collect();
			let sum: f64 = e.iter().sum();
			let want: Vec<f64> = e.iter().map(|v| v / sum).collect();
			check(&soft, &x, &want, half_unit(s) + 6e-16 + 1e-15);
		}
	}
}

#[test]
fn selections_are_exact() {
	let table = c(0, vec![10, 20, 30, 40]);
	let p = program(
		4,
		1,
		vec![table],
		vec![Op::ArgMax { input: 0 }, Op::Lookup { input: 1, table: 0 }],
		0,
	);
	assert_eq!(run(&p, &[5, 9, 9, -1]).unwrap(), vec![20]);
	let p = program(4, 1, vec![], vec![Op::TopK { input: 0, k: 3, values: false }], 0);
	assert_eq!(run(&p, &[5, 9, 9, -1]).unwrap(), vec![1, 2, 0]);
	let p = program(4, 1, vec![], vec![Op::TopK { input: 0, k: 2, values: true }], 1);
	assert_eq!(run(&p, &[5, 9, 9, -1]).unwrap(), vec![9, 9]);
	let p = program(
		3,
		0,
		vec![c(0, vec![0, 1, 2])],
		vec![
			Op::Gather { input: 0, indices: vec![2, 0] },
			Op::OneHot { input: 1, categories: 0, zeros: true },
			Op::Concat { inputs: vec![1, 2], scale: 0 },
		],
		0,
	);
	assert_eq!(run(&p, &[1, 5, 2]).unwrap(), vec![2, 1, 0, 0, 1, 0, 1, 0]);
	let strict = program(
		1,
		0,
		vec![c(0, vec![0, 1])],
		vec![Op::OneHot { input: 0, categories: 0, zeros: false }],
		0,
	);
	assert_eq!(
		run(&strict, &[3]),
		Err(ExecError::Node { node: 0, error: NodeError::UnknownCategory })
	);
	let p = program(
		3,
		2,
		vec![c(9, vec![1_500_000_000])],
		vec![
			Op::Binarizer { input: 0, threshold: 100 },
			Op::Imputer { input: 0, replaced: 0, values: 0, scale: 3 },
			Op::Concat { inputs: vec![1, 2], scale: 3 },
		],
		3,
	);
	assert_eq!(run(&p, &[100, 101, 0]).unwrap(), vec![0, 1000, 0, 1000, 1010, 1500]);
}

fn branch(mode: Compare, feature: u32, threshold: i64, t: u32, f: u32) -> NestedNode {
	NestedNode::Branch { mode, feature, threshold, if_true: t, if_false: f }
}

#[test]
fn tree_ensembles_take_every_mode_and_aggregate() {
	let modes = [Compare::Leq, Compare::Lt, Compare::Gte, Compare::Gt, Compare::Eq, Compare::Neq];
	for mode in modes {
		for x in [4i64, 5, 6] {
			let tree = vec![
				branch(mode, 0, 5, 1, 2),
				NestedNode::Leaf(vec![(0, 1_000)]),
				NestedNode::Leaf(vec![(0, -1_000)]),
			];
			let ensemble = TreeEnsemble {
				input: 0,
				targets: 1,
				trees: Forest::pack(vec![tree]),
				weight_scale: 3,
				base_values: vec![],
				aggregate: Aggregate::Sum,
				post_transform: PostTransform::None,
				scale: 0,
			};
			let p = program(1, 0, vec![], vec![Op::TreeEnsemble(Box::new(ensemble))], 0);
			let holds = match mode {
				Compare::Leq => x <= 5,
				Compare::Lt => x < 5,
				Compare::Gte => x >= 5,
				Compare::Gt => x > 5,
				Compare::Eq => x == 5,
				Compare::Neq => x != 5,
			};
			assert_eq!(run(&p, &[x]).unwrap(), vec![if holds { 1 } else { -1 }], "{mode:?} {x}");
		}
	}
	// Two trees, two targets, averaged, with base values, then each post transform.
	let trees = vec![
		vec![
			branch(Compare::Leq, 1, 0, 1, 2),
			NestedNode::Leaf(vec![(0, 1_000), (1, 3_000)]),
			NestedNode::Leaf(vec![(1, 2_000)]),
		],
		vec![NestedNode::Leaf(vec![(0, 500)])],
	];
	for (post, f) in [
		(PostTransform::None, None),
		(PostTransform::Logistic, Some(0)),
		(PostTransform::Softmax, Some(1)),
	] {
		let ensemble = TreeEnsemble {
			input: 0,
			targets: 2,
			trees: Forest::pack(trees.clone()),
			weight_scale: 3,
			base_values: vec![250, -250],
			aggregate: Aggregate::Average,
			post_transform: post,
			scale: 9,
		};
		let p = program(2, 0, vec![], vec![Op::TreeEnsemble(Box::new(ensemble))], 9);
		// x[1] = 0: scores (1 + 0.5) / 2 + 0.25 = 1.0 and 3 / 2 - 0.25 = 1.25.
		let raw = [1.0f64, 1.25];
		let want: Vec<f64> = match f {
			None => raw.to_vec(),
			Some(0) => raw.iter().map(|v| 1.0 / (1.0 + (-v).exp())).collect(),
			_ => {
				let e: Vec<f64> = raw.iter().map(|v| v.exp()).collect();
				e.iter().map(|v| v / e.iter().sum::<f64>()).collect()
			}
		};
		check(&p, &[0, 0], &want, half_unit(9) + 1e-15);
	}
}

#[test]
fn validation_refuses_overflow_naming_the_node() {
	let p = program(
		1,
		0,
		vec![c(9, vec![i64::MAX])],
		vec![
			Op::Relu { input: 0 },
			Op::Linear { input: 1, weights: 0, bias: None, outputs: 1, scale: 9 },
		],
		9,
	);
	assert_eq!(validate(&p), Err(ProgramError::Node { node: 1, error: NodeError::Overflow }));
	// The same program on a range where it cannot overflow is accepted.
	let mut small = p.clone();
	small.input.range = InputRange::Global(Interval { min: 0, max: 1 });
	small.output_scale = 0;
	small.nodes[1] = Op::Linear { input: 1, weights: 0, bias: None, outputs: 1, scale: 0 };
	validate(&small).unwrap();
	assert_eq!(run(&small, &[1]).unwrap(), vec![9_223_372_037]);
}

#[test]
fn validation_refuses_malformed_programs() {
	let ok = program(2, 0, vec![], vec![Op::Relu { input: 0 }], 0);
	validate(&ok).unwrap();
	let mut p = ok.clone();
	p.nodes = vec![Op::Relu { input: 1 }];
	assert_eq!(
		validate(&p),
		Err(ProgramError::Node { node: 0, error: NodeError::MissingTensor(1) })
	);
	let mut p = ok.clone();
	p.version = 2;
	assert_eq!(validate(&p), Err(ProgramError::UnsupportedVersion(2)));
	let mut p = ok.clone();
	p.output = 5;
	assert_eq!(validate(&p), Err(ProgramError::MissingOutput(5)));
	let mut p = ok.clone();
	p.nodes = vec![Op::TreeEnsemble(Box::new(TreeEnsemble {
		input: 0,
		targets: 1,
		trees: Forest::pack(vec![vec![branch(Compare::Leq, 0, 0, 0, 0)]]),
		weight_scale: 0,
		base_values: vec![],
		aggregate: Aggregate::Sum,
		post_transform: PostTransform::None,
		scale: 0,
	}))];
	assert_eq!(validate(&p), Err(ProgramError::Node { node: 0, error: NodeError::BadTree }));
	assert!(matches!(run(&p, &[0, 0]), Err(ExecError::Node { node: 0, .. })));
	let mut p = ok.clone();
	p.nodes = vec![Op::Rescale { input: 0, scale: 19 }];
	assert_eq!(
		validate(&p),
		Err(ProgramError::Node { node: 0, error: NodeError::InvalidScale(19) })
	);
	assert_eq!(Program::decode_bounded(&[1, 2, 3]), Err(ProgramError::Undecodable));
}

#[test]
fn the_budget_stops_a_run() {
	let p = program(
		3,
		0,
		vec![],
		vec![Op::Relu { input: 0 }, Op::Relu { input: 1 }, Op::Relu { input: 2 }],
		0,
	);
	let analysis = validate(&p).unwrap();
	assert_eq!(analysis.total(), 9);
	assert!(run_with_budget(&p, &[1, 2, 3], 9).is_ok());
	assert_eq!(run_with_budget(&p, &[1, 2, 3], 8), Err(ExecError::BudgetExhausted { node: 2 }));
}
