//! A short, deterministic fuzzing run, part of `cargo test --workspace`: fixed inputs from
//! a fixed generator; no panic and no invariant broken, and the run reaches the pallets'
//! logic (calls succeed, blocks are built, many distinct errors are met).

use std::collections::BTreeSet;

#[test]
fn a_short_run_finds_nothing_and_reaches_the_pallets() {
	let genesis = aioracle_fuzz::chain::development_genesis();
	let mut state = 0x5eed_u64;
	let mut reached = BTreeSet::new();
	let (mut calls, mut succeeded, mut blocks) = (0, 0, 0);
	for _ in 0..12 {
		let input: Vec<u8> = (0..2048)
			.map(|_| {
				state ^= state << 13;
				state ^= state >> 7;
				state ^= state << 17;
				state as u8
			})
			.collect();
		let report = aioracle_fuzz::run(&genesis, &input);
		assert_eq!(report.violation, None, "an invariant broke");
		calls += report.calls;
		succeeded += report.succeeded;
		blocks += report.blocks;
		reached.extend(report.reached);
	}
	println!(
		"{calls} calls, {succeeded} succeeded, {blocks} blocks, {} distinct reached",
		reached.len()
	);
	assert!(blocks >= 12, "every input builds blocks");
	assert!(
		succeeded * 10 >= calls,
		"at least a tenth of the calls dispatch: {succeeded} of {calls}"
	);
	let oracle_errors =
		reached.iter().filter(|r| r.contains("error") && r.contains("52::")).count();
	assert!(oracle_errors >= 3, "the oracle's own errors are reached: {reached:?}");
}
