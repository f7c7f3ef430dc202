//! The interpreter never panics, whatever bytes or program it is given: random bytes,
//! mutated encodings of the example programs, and random structured programs, each
//! decoded, validated and run (whether validation accepted it or not). A deterministic
//! xorshift generator keeps it reproducible.

use aioracle_exact::program::*;
use aioracle_exact::{compile, run, run_with_budget, validate};
use codec::Encode;

struct Rng(u64);
impl Rng {
	fn next(&mut self) -> u64 {
		self.0 ^= self.0 << 13;
		self.0 ^= self.0 >> 7;
		self.0 ^= self.0 << 17;
		self.0
	}
	fn below(&mut self, n: u64) -> u64 {
		if n == 0 {
			0
		} else {
			self.next() % n
		}
	}
	fn int(&mut self) -> i64 {
		match self.below(6) {
			0 => i64::MAX - self.below(3) as i64,
			1 => i64::MIN + self.below(3) as i64,
			2 => self.below(20) as i64 - 10,
			_ => self.next() as i64 >> self.below(64),
		}
	}
	fn small(&mut self) -> u32 {
		match self.below(8) {
			0 => u32::MAX,
			_ => self.below(6) as u32,
		}
	}
	fn scale(&mut self) -> u8 {
		if self.below(10) == 0 {
			self.below(256) as u8
		} else {
			self.below(19) as u8
		}
	}
}

/// Decodes (all of `bytes`, or a prefix), validates and runs `bytes` with a few inputs;
/// returns whether it decoded.
fn exercise(bytes: &[u8], rng: &mut Rng) -> bool {
	use codec::Decode;
	let _ = Program::decode_bounded(bytes);
	let Ok(p) = Program::decode(&mut &bytes[..]) else { return false };
	exercise_program(&p, rng);
	true
}

fn exercise_program(p: &Program, rng: &mut Rng) {
	let analysis = validate(p);
	let len = (p.input.len as usize).min(64);
	for _ in 0..3 {
		let input: Vec<i64> = match (&p.input.range, rng.below(2)) {
			(InputRange::Global(i), 0) if i.min <= i.max => {
				(0..len).map(|_| if rng.below(2) == 0 { i.min } else { i.max }).collect()
			}
			_ => (0..len).map(|_| rng.int()).collect(),
		};
		let _ = run(p, &input);
		if let Ok(a) = &analysis {
			let _ = run_with_budget(p, &input, a.total());
		}
	}
}

fn examples() -> Vec<Vec<u8>> {
	let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models");
	let mut out = Vec::new();
	for (name, i, o, outputs) in [
		("iris-logreg", 4, 6, &["label", "probabilities"][..]),
		("breast-cancer-forest", 7, 6, &["label", "probabilities"][..]),
		("diabetes-gbr", 8, 4, &["variable"][..]),
		("wine-mlp", 6, 6, &["label", "probabilities"][..]),
		("iris-preprocess", 4, 6, &["probabilities"][..]),
		("digits-onehot", 0, 6, &["label"][..]),
	] {
		let onnx = std::fs::read(dir.join(format!("{name}.onnx"))).unwrap();
		for output in outputs {
			out.push(compile(&onnx, i, o, output).unwrap().encode());
		}
	}
	out
}

#[test]
fn random_bytes_never_panic() {
	let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
	let mut decoded = 0;
	for _ in 0..20_000 {
		let len = rng.below(300) as usize;
		// Small bytes make short vectors and valid enum tags, so decoding gets further.
		let mut bytes: Vec<u8> = (0..len)
			.map(|_| if rng.below(3) == 0 { rng.next() as u8 } else { rng.below(5) as u8 })
			.collect();
		// Mostly start as a program does, so that decoding gets further.
		if rng.below(4) != 0 && !bytes.is_empty() {
			bytes[0] = FORMAT_VERSION;
		}
		decoded += exercise(&bytes, &mut rng) as u32;
	}
	println!("random bytes: {decoded} of 20000 decoded");
}

#[test]
fn mutated_example_programs_never_panic() {
	let mut rng = Rng(42);
	let examples = examples();
	let (mut decoded, mut valid) = (0, 0);
	for round in 0..30_000 {
		let mut bytes = examples[round % examples.len()].clone();
		for _ in 0..=rng.below(4) {
			let at = rng.below(bytes.len() as u64) as usize;
			match rng.below(4) {
				0 => bytes[at] = rng.next() as u8,
				1 => bytes[at] ^= 1 << rng.below(8),
				2 => bytes.truncate(at),
				_ => bytes.insert(at, rng.next() as u8),
			}
			if bytes.is_empty() {
				break;
			}
		}
		if let Ok(p) = Program::decode_bounded(&bytes) {
			decoded += 1;
			valid += validate(&p).is_ok() as u32;
			exercise_program(&p, &mut rng);
		}
	}
	println!("mutations: {decoded} of 30000 decoded, {valid} valid");
	assert!(decoded > 1000);
}

fn random_op(rng: &mut Rng, tensors: u32, constants: u32) -> Op {
	let mut t = || if rng.below(10) == 0 { rng.small() } else { rng.below(tensors as u64) as u32 };
	let input = t();
	let other = t();
	let cst = |rng: &mut Rng| {
		if rng.below(10) == 0 {
			rng.small()
		} else {
			rng.below(constants.max(1) as u64) as u32
		}
	};
	match rng.below(19) {
		0 => Op::Linear {
			input,
			weights: cst(rng),
			bias: if rng.below(2) == 0 { Some(cst(rng)) } else { None },
			outputs: rng.small(),
			scale: rng.scale(),
		},
		1 => Op::Add { a: input, b: other, scale: rng.scale() },
		2 => Op::AddConst { input, addend: cst(rng), scale: rng.scale() },
		3 => Op::Scaler { input, offset: cst(rng), factor: cst(rng), scale: rng.scale() },
		4 => Op::Normalizer {
			input,
			norm: [Norm::Max, Norm::L1, Norm::L2][rng.below(3) as usize],
			scale: rng.scale(),
		},
		5 => Op::Binarizer { input, threshold: rng.int() },
		6 => Op::OneHot { input, categories: cst(rng), zeros: rng.below(2) == 0 },
		7 => Op::Imputer { input, replaced: rng.int(), values: cst(rng), scale: rng.scale() },
		8 => Op::Relu { input },
		9 => Op::Sigmoid { input, scale: rng.scale() },
		10 => Op::Tanh { input, scale: rng.scale() },
		11 => Op::Softmax { input, scale: rng.scale() },
		12 => Op::ArgMax { input },
		13 => Op::TopK { input, k: rng.small(), values: rng.below(2) == 0 },
		14 => Op::Gather { input, indices: (0..rng.below(5)).map(|_| rng.small()).collect() },
		15 => Op::Concat { inputs: vec![input, other], scale: rng.scale() },
		16 => Op::Lookup { input, table: cst(rng) },
		17 => Op::Rescale { input, scale: rng.scale() },
		_ => {
			let modes =
				[Compare::Leq, Compare::Lt, Compare::Gte, Compare::Gt, Compare::Eq, Compare::Neq];
			let nested: Vec<Vec<NestedNode>> = (0..=rng.below(3))
				.map(|_| {
					(0..=rng.below(6))
						.map(|_| {
							if rng.below(2) == 0 {
								NestedNode::Leaf(
									(0..rng.below(3)).map(|_| (rng.small(), rng.int())).collect(),
								)
							} else {
								NestedNode::Branch {
									mode: modes[rng.below(6) as usize],
									feature: rng.small(),
									threshold: rng.int(),
									if_true: rng.small(),
									if_false: rng.small(),
								}
							}
						})
						.collect()
				})
				.collect();
			let mut trees = Forest::pack(nested);
			// Sometimes roots and leaf ranges that do not fit together.
			if rng.below(4) == 0 {
				trees.roots = (0..rng.below(4)).map(|_| rng.small()).collect();
			}
			if rng.below(4) == 0 {
				for (kind, (first, count)) in
					trees.kinds.iter_mut().zip(trees.features.iter_mut().zip(&mut trees.if_true))
				{
					if rng.below(3) == 0 {
						*kind = rng.below(8) as u8;
					}
					*first = rng.small() as u16;
					*count = rng.small() as u16;
				}
			}
			if rng.below(8) == 0 {
				trees.thresholds.pop();
			}
			Op::TreeEnsemble(Box::new(TreeEnsemble {
				input,
				targets: rng.small(),
				trees,
				weight_scale: rng.scale(),
				base_values: (0..rng.below(3)).map(|_| rng.int()).collect(),
				aggregate: if rng.below(2) == 0 { Aggregate::Sum } else { Aggregate::Average },
				post_transform: [
					PostTransform::None,
					PostTransform::Logistic,
					PostTransform::Softmax,
				][rng.below(3) as usize],
				scale: rng.scale(),
			}))
		}
	}
}

#[test]
fn random_programs_never_panic() {
	let mut rng = Rng(2026);
	let (mut valid, mut ran) = (0, 0);
	for _ in 0..20_000 {
		let len = 1 + rng.below(5) as u32;
		let constants: Vec<Constant> = (0..rng.below(5))
			.map(|_| Constant {
				scale: rng.scale(),
				values: (0..rng.below(12)).map(|_| rng.int()).collect(),
			})
			.collect();
		let count = 1 + rng.below(6) as u32;
		let nodes: Vec<Op> =
			(0..count).map(|i| random_op(&mut rng, i + 1, constants.len() as u32)).collect();
		let range = if rng.below(2) == 0 {
			let a = rng.int();
			let b = rng.int();
			InputRange::Global(Interval { min: a.min(b), max: a.max(b) })
		} else {
			InputRange::Global(Interval { min: -1000, max: 1000 })
		};
		let p = Program {
			version: FORMAT_VERSION,
			input: InputSpec { len, scale: rng.scale(), range },
			constants,
			nodes,
			output: rng.below(count as u64 + 2) as u32,
			output_scale: rng.scale(),
		};
		if let Ok(a) = validate(&p) {
			valid += 1;
			// Validated programs run without error on the ends of their range (one-hot
			// categories aside).
			let input: Vec<i64> = match &p.input.range {
				InputRange::Global(i) => {
					(0..len).map(|k| if k % 2 == 0 { i.min } else { i.max }).collect()
				}
				InputRange::PerFeature(r) => r.iter().map(|i| i.min).collect(),
			};
			let uses_onehot = p.nodes.iter().any(|op| matches!(op, Op::OneHot { .. }));
			match run_with_budget(&p, &input, a.total()) {
				Ok(out) => {
					ran += 1;
					assert_eq!(out.len() as u32, a.output_len);
					for (v, r) in out.iter().zip(&a.output_range) {
						assert!(r.min <= *v && *v <= r.max, "{v} outside {r:?} in {p:?}");
					}
				}
				Err(e) => assert!(uses_onehot, "validated program failed: {e:?} {p:?}"),
			}
		}
		exercise_program(&p, &mut rng);
	}
	println!("random programs: {valid} of 20000 valid, {ran} ran");
	assert!(valid > 500);
}
