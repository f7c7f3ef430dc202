//! A call-sequence fuzzer over the real aioracle runtime.
//!
//! An input (any bytes) is read by [`arbitrary`] as a sequence of blocks, each a list of
//! [`Action`]s: transfers, every dataset, model and oracle call, governance decisions by
//! sudo, operators' answers, batches and verdicts with real `orcl` signatures (and forged
//! ones), disputes, and raw SCALE bytes decoded as any call of any pallet. Each block is
//! built as a collator builds it ([`chain`]), through `Executive`, with the hooks (the
//! oracle's expiry and settlement in `on_idle`); after every block every invariant is
//! checked ([`invariants`]). A panic anywhere, or an invariant broken, is a finding.
//!
//! Not coverage-guided: libFuzzer (`cargo fuzz`) needs a nightly toolchain, and this
//! project builds with stable only (`rust-toolchain.toml`), which is all CI and a fresh
//! machine get. The search is guided instead by novelty: an input that reaches a
//! dispatch error, a refusal or an event variant never seen before joins the corpus, and
//! new inputs are often mutations of corpus entries (see `main.rs`).

pub mod actions;
pub mod chain;
pub mod invariants;

use std::collections::BTreeSet;

use arbitrary::{Arbitrary, Unstructured};
use sp_runtime::DispatchError;

pub use actions::Action;

/// The most blocks one input builds with actions (`Wait` adds empty ones, up to four times
/// as many in all).
pub const MAX_BLOCKS: u32 = 24;
/// The most actions one block carries.
pub const MAX_ACTIONS_PER_BLOCK: u32 = 24;

/// What running one input did.
#[derive(Default, Debug)]
pub struct Report {
	/// Extrinsics applied (inherents not counted).
	pub calls: u64,
	/// Of which dispatched successfully.
	pub succeeded: u64,
	/// Blocks built.
	pub blocks: u64,
	/// What was reached: `pallet::Error` names of dispatch errors, pool refusals, and
	/// event names.
	pub reached: BTreeSet<String>,
	/// The invariant that broke, if any.
	pub violation: Option<String>,
}

/// The name of a dispatch error: `Pallet::Variant` for a module error.
fn error_name(error: &DispatchError) -> String {
	match error {
		DispatchError::Module(m) => format!("error {}::{}", m.index, m.message.unwrap_or("?")),
		other => format!("error {other:?}"),
	}
}

/// Runs `input` on a fresh copy of `genesis`. Panics propagate: the caller catches them.
pub fn run(genesis: &sp_core::storage::Storage, input: &[u8]) -> Report {
	let mut report = Report::default();
	let mut ext = sp_io::TestExternalities::new(genesis.clone());
	ext.execute_with(|| {
		let mut u = Unstructured::new(input);
		let mut chain = chain::Chain::new();
		let mut memory = actions::Memory::default();
		while !u.is_empty() && report.blocks < u64::from(MAX_BLOCKS) {
			chain.start_block();
			let actions = u.int_in_range(0..=MAX_ACTIONS_PER_BLOCK).unwrap_or(0);
			for _ in 0..actions {
				let Ok(action) = Action::arbitrary(&mut u) else { break };
				if let Action::Wait(blocks) = action {
					// Finish this block and build empty ones (checked like any other).
					for _ in 0..=blocks % 24 {
						if report.blocks >= u64::from(4 * MAX_BLOCKS) {
							break;
						}
						if let Err(violation) = finish(&mut chain, &mut report) {
							report.violation = Some(violation);
							return;
						}
						chain.start_block();
					}
					continue;
				}
				for xt in memory.extrinsics(action) {
					report.calls += 1;
					match chain.apply(xt) {
						Ok(Ok(())) => report.succeeded += 1,
						Ok(Err(error)) => {
							report.reached.insert(error_name(&error));
						}
						Err(refusal) => {
							report.reached.insert(format!("refused {refusal:?}"));
						}
					}
				}
			}
			if let Err(violation) = finish(&mut chain, &mut report) {
				report.violation = Some(violation);
				return;
			}
		}
	});
	report
}

/// Finishes the block being built, notes its events, and checks the invariants.
fn finish(chain: &mut chain::Chain, report: &mut Report) -> Result<(), String> {
	chain.finish_block();
	// `on_idle` and `on_finalize` deposit events too: read them after finalizing.
	for record in frame_system::Pallet::<aioracle_runtime::Runtime>::events() {
		let name = format!("{:?}", record.event);
		let name: Vec<&str> = name.split(['{', '(']).take(2).map(str::trim).collect();
		let name = name.join("::");
		report.reached.insert(format!("event {name}"));
	}
	report.blocks += 1;
	let number = chain.number() - 1;
	invariants::check(number).map_err(|violation| format!("after block {number}: {violation}"))
}
