//! `aioracle-fuzz`: runs the call-sequence fuzzer for a while and reports.
//!
//!   aioracle-fuzz [--seconds N] [--seed S] [--artifacts DIR]
//!   aioracle-fuzz --reproduce FILE
//!
//! Prints progress every ten seconds and a summary: inputs, calls (extrinsics applied),
//! calls per second, blocks, distinct errors, refusals and events reached, and findings
//! (panics, invariants broken), each saved as a reproducer in the artifacts directory.
//! Exits with 1 if anything was found.

use std::{
	collections::BTreeSet,
	panic::{self, AssertUnwindSafe},
	path::PathBuf,
	sync::Mutex,
	time::{Duration, Instant},
};

/// The last panic's message and place, kept by the panic hook.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// A small, fast, seeded generator (xorshift64*).
struct Rng(u64);

impl Rng {
	fn next(&mut self) -> u64 {
		self.0 ^= self.0 >> 12;
		self.0 ^= self.0 << 25;
		self.0 ^= self.0 >> 27;
		self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
	}

	fn below(&mut self, n: usize) -> usize {
		(self.next() % n.max(1) as u64) as usize
	}

	fn bytes(&mut self, len: usize) -> Vec<u8> {
		(0..len).map(|_| self.next() as u8).collect()
	}
}

/// A new input: random bytes, or a mutation of a corpus entry (bytes changed, a chunk
/// inserted or removed, or two entries spliced).
fn next_input(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
	if corpus.is_empty() || rng.below(3) == 0 {
		let len = 256 + rng.below(4096);
		return rng.bytes(len);
	}
	let mut input = corpus[rng.below(corpus.len())].clone();
	for _ in 0..1 + rng.below(8) {
		match rng.below(4) {
			0 if !input.is_empty() => {
				let at = rng.below(input.len());
				input[at] = rng.next() as u8;
			}
			1 => {
				let at = rng.below(input.len() + 1);
				let len = 1 + rng.below(64);
				let chunk = rng.bytes(len);
				input.splice(at..at, chunk);
			}
			2 if input.len() > 16 => {
				let at = rng.below(input.len() - 8);
				let len = 1 + rng.below((input.len() - at).min(64));
				input.drain(at..at + len);
			}
			_ => {
				let other = &corpus[rng.below(corpus.len())];
				let cut = rng.below(input.len() + 1);
				let from = rng.below(other.len() + 1);
				input.truncate(cut);
				input.extend_from_slice(&other[from..]);
			}
		}
	}
	input.truncate(16 * 1024);
	input
}

struct Args {
	seconds: u64,
	seed: u64,
	artifacts: PathBuf,
	reproduce: Option<PathBuf>,
}

fn args() -> Args {
	let mut args =
		Args { seconds: 60, seed: 1, artifacts: PathBuf::from("fuzz/artifacts"), reproduce: None };
	let mut it = std::env::args().skip(1);
	while let Some(flag) = it.next() {
		let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
		match flag.as_str() {
			"--seconds" => args.seconds = value().parse().expect("--seconds takes a number"),
			"--seed" => args.seed = value().parse().expect("--seed takes a number"),
			"--artifacts" => args.artifacts = value().into(),
			"--reproduce" => args.reproduce = Some(value().into()),
			other => panic!("unknown argument {other}; see the source's header"),
		}
	}
	args
}

fn main() {
	let args = args();
	panic::set_hook(Box::new(|info| {
		*LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(info.to_string());
	}));
	let genesis = aioracle_fuzz::chain::development_genesis();

	if let Some(path) = args.reproduce {
		let input = std::fs::read(&path).expect("the reproducer is readable");
		let outcome =
			panic::catch_unwind(AssertUnwindSafe(|| aioracle_fuzz::run(&genesis, &input)));
		match outcome {
			Ok(report) => {
				println!("{} calls in {} blocks", report.calls, report.blocks);
				match report.violation {
					Some(v) => {
						println!("invariant broken {v}");
						std::process::exit(1)
					}
					None => println!("no finding"),
				}
			}
			Err(_) => {
				println!("panic: {}", LAST_PANIC.lock().unwrap().take().unwrap_or_default());
				std::process::exit(1)
			}
		}
		return;
	}

	let started = Instant::now();
	let deadline = started + Duration::from_secs(args.seconds);
	let mut rng = Rng(args.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
	let mut corpus: Vec<Vec<u8>> = Vec::new();
	let mut reached: BTreeSet<String> = BTreeSet::new();
	let (mut inputs, mut calls, mut succeeded, mut blocks) = (0u64, 0u64, 0u64, 0u64);
	let mut findings: Vec<String> = Vec::new();
	let mut last_print = Instant::now();
	while Instant::now() < deadline {
		let input = next_input(&mut rng, &corpus);
		inputs += 1;
		let outcome =
			panic::catch_unwind(AssertUnwindSafe(|| aioracle_fuzz::run(&genesis, &input)));
		let finding = match outcome {
			Ok(report) => {
				calls += report.calls;
				succeeded += report.succeeded;
				blocks += report.blocks;
				let before = reached.len();
				reached.extend(report.reached);
				if reached.len() > before {
					corpus.push(input.clone());
				}
				report.violation.map(|v| format!("invariant broken {v}"))
			}
			Err(_) => Some(format!(
				"panic: {}",
				LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default()
			)),
		};
		if let Some(finding) = finding {
			let name = format!("finding-{:016x}.bin", rng.next());
			let _ = std::fs::create_dir_all(&args.artifacts);
			let path = args.artifacts.join(name);
			let _ = std::fs::write(&path, &input);
			println!("FOUND {finding}\n  reproducer: {}", path.display());
			findings.push(finding);
		}
		if last_print.elapsed() >= Duration::from_secs(10) {
			last_print = Instant::now();
			let secs = started.elapsed().as_secs_f64();
			println!(
				"{:>6.0} s: {inputs} inputs, {calls} calls ({:.0}/s), {blocks} blocks, {} distinct reached, corpus {}, findings {}",
				secs,
				calls as f64 / secs,
				reached.len(),
				corpus.len(),
				findings.len()
			);
		}
	}
	let secs = started.elapsed().as_secs_f64();
	let errors = reached.iter().filter(|r| r.starts_with("error ")).count();
	let refusals = reached.iter().filter(|r| r.starts_with("refused ")).count();
	let events = reached.iter().filter(|r| r.starts_with("event ")).count();
	println!("fuzz: {secs:.0} s, seed {}", args.seed);
	println!("fuzz: {inputs} inputs, {calls} calls ({:.0} per second), {succeeded} succeeded, {blocks} blocks", calls as f64 / secs);
	println!("fuzz: reached {errors} distinct dispatch errors, {refusals} distinct refusals, {events} distinct events");
	for name in &reached {
		println!("  {name}");
	}
	println!("fuzz: {} findings", findings.len());
	if !findings.is_empty() {
		std::process::exit(1);
	}
}
