//! A Byzantine simulation over the real pallet (the test runtime of `mock.rs`): `n`
//! operators of which `f` are dishonest, committees of `k = 2m - 1` for a version asking
//! for `m` agreeing operators, thousands of requests, and a liar strategy. It prints what
//! was accepted, who earned and lost what, and how long requests took, in blocks.
//!
//! `scripts/sim-byzantine.sh` runs it (release build) over a matrix of settings; a short
//! run is part of the unit tests. Settings come from the environment:
//! `SIM_N`, `SIM_F`, `SIM_M`, `SIM_REQUESTS`, `SIM_STRATEGY`, `SIM_SEED`.
//!
//! Each request runs on its own blocks: made in block `t`, the members commit in `t + 1`
//! and reveal in `t + 2`, or when the commit window is over if some did not commit (a
//! committee of one answers in `t + 1`); what has not closed by then closes at its
//! deadline in `on_idle`. Honest members report the true output plus
//! noise within half the tolerance; dishonest ones follow the strategy:
//!
//! - `random`: each its own random output;
//! - `constant`: all the same far-off output;
//! - `colluding`: all the same output just outside the tolerance of the truth, the
//!   smallest lie that could pass for a shifted median;
//! - `copying`: each copies an honest member's commitment (and so cannot reveal);
//! - `racing`: a constant lie, committed and revealed before every honest member;
//! - `absent`: no answer at all.
//!
//! Test code only (`#[cfg(test)] mod sim`): its `expect`s are assertions about the
//! simulated chain, never in the runtime.
//!
//! Test-only: `lib.rs` declares this module `#[cfg(test)]`, so it is never in the runtime;
//! its `expect`s report a broken simulation, which is what a test should do.

use super::*;
use crate::mock::*;
use frame::testing_prelude::*;

/// A liar strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
	Random,
	Constant,
	Colluding,
	Copying,
	Racing,
	Absent,
}

impl Strategy {
	/// Every strategy.
	pub const ALL: [Strategy; 6] = [
		Strategy::Random,
		Strategy::Constant,
		Strategy::Colluding,
		Strategy::Copying,
		Strategy::Racing,
		Strategy::Absent,
	];

	fn parse(name: &str) -> Option<Self> {
		Self::ALL.into_iter().find(|s| format!("{s:?}").eq_ignore_ascii_case(name))
	}
}

/// A simulation's settings.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
	/// Operators in the set.
	pub n: u32,
	/// Dishonest operators among them.
	pub f: u32,
	/// The version's `min_agreement`: committees of `2m - 1`.
	pub m: u32,
	/// Requests made.
	pub requests: u32,
	/// What the dishonest do.
	pub strategy: Strategy,
	/// The seed of the draws and of the liars' and honest members' noise.
	pub seed: u64,
}

impl Settings {
	/// The settings from the environment, with defaults.
	pub fn from_env() -> Self {
		let var = |name: &str, default: u64| {
			std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
		};
		let strategy = std::env::var("SIM_STRATEGY")
			.ok()
			.and_then(|s| Strategy::parse(&s))
			.unwrap_or(Strategy::Colluding);
		Self {
			n: var("SIM_N", 10) as u32,
			f: var("SIM_F", 2) as u32,
			m: var("SIM_M", 3) as u32,
			requests: var("SIM_REQUESTS", 2_000) as u32,
			strategy,
			seed: var("SIM_SEED", 1),
		}
	}
}

/// What a simulation found.
#[derive(Clone, Debug, Default)]
pub struct Report {
	/// Requests finalized.
	pub accepted: u32,
	/// Finalized with an output farther than the tolerance from the truth.
	pub wrong_accepted: u32,
	/// Closed without a result (refunded).
	pub expired: u32,
	/// Requests whose committee had a dishonest majority.
	pub dishonest_majorities: u32,
	/// Blocks from request to close, one per request.
	pub latencies: Vec<u64>,
	/// Fees earned by the honest, and by the dishonest.
	pub honest_earned: u128,
	pub dishonest_earned: u128,
	/// Bond slashed from the honest, and from the dishonest.
	pub honest_slashed: u128,
	pub dishonest_slashed: u128,
	/// Dishonest operators suspended by the end.
	pub dishonest_suspended: u32,
	/// Honest operators suspended by the end.
	pub honest_suspended: u32,
}

impl Report {
	fn percentile(&self, p: f64) -> u64 {
		let mut sorted = self.latencies.clone();
		sorted.sort_unstable();
		let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
		sorted.get(index).copied().unwrap_or(0)
	}

	/// One line per figure, for people.
	pub fn print(&self, s: &Settings) {
		let k = 2 * s.m - 1;
		println!(
			"n={} f={} m={} (committees of {}) strategy={:?} requests={} seed={}",
			s.n,
			s.f,
			s.m,
			k.min(s.n),
			s.strategy,
			s.requests,
			s.seed
		);
		println!(
			"  accepted {}, WRONG ACCEPTED {}, expired {}; committees with a dishonest majority: {}",
			self.accepted, self.wrong_accepted, self.expired, self.dishonest_majorities
		);
		println!(
			"  latency in blocks: median {}, p99 {}, max {}",
			self.percentile(0.5),
			self.percentile(0.99),
			self.latencies.iter().max().copied().unwrap_or(0)
		);
		let per = |total: u128, count: u32| if count == 0 { 0 } else { total / count as u128 };
		let honest = s.n - s.f;
		println!(
			"  honest ({honest}): earned {} each, slashed {} each, {} suspended",
			per(self.honest_earned, honest),
			per(self.honest_slashed, honest),
			self.honest_suspended
		);
		println!(
			"  dishonest ({}): earned {} each, slashed {} each, {} suspended",
			s.f,
			per(self.dishonest_earned, s.f),
			per(self.dishonest_slashed, s.f),
			self.dishonest_suspended
		);
	}
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
	fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
		z ^ (z >> 31)
	}

	/// Uniform in `[-bound, bound]`.
	fn noise(&mut self, bound: i64) -> i64 {
		(self.next() % (2 * bound as u64 + 1)) as i64 - bound
	}
}

/// The first simulated operator's account.
const FIRST: u64 = 1_000;
/// The tolerance of `IRIS`, the simulated model.
const TOLERANCE: i64 = 10;

/// Runs a simulation; the caller runs it inside test externalities.
pub fn run(s: Settings) -> Report {
	MaxOperatorsParam::set(s.n.max(1));
	MaxCommitteeParam::set((2 * s.m - 1).max(1));
	set_min_agreement(s.m);
	RANDOM_SEED.with(|seed| *seed.borrow_mut() = frame::hashing::blake2_256(&s.seed.encode()));
	let mut rng = Rng(s.seed);
	let operators: Vec<u64> = (0..s.n as u64).map(|i| FIRST + i).collect();
	// The last `f` are dishonest.
	let dishonest = |who: u64| who >= FIRST + u64::from(s.n - s.f);
	for who in &operators {
		assert_ok!(<Balances as frame::traits::fungible::Mutate<u64>>::mint_into(
			who,
			START_BALANCE
		));
		assert_ok!(InferenceOracle::do_register(*who, key(*who), BOND));
	}
	let free = |who: u64| Balances::free_balance(who);
	let start: Vec<u128> = operators.iter().map(|w| free(*w)).collect();
	let truth = honest_output(IRIS, &[1, 2, 3, 4]);
	let mut report = Report::default();
	let mut block = System::block_number();
	for _ in 0..s.requests {
		if OperatorSet::<Test>::get().len() < s.m as usize {
			break;
		}
		block += 1;
		System::set_block_number(block);
		let made = block;
		assert_ok!(InferenceOracle::request_inference(
			signed_origin(DAPP),
			IRIS,
			vec![1, 2, 3, 4],
			FEE
		));
		let id = NextRequestId::<Test>::get() - 1;
		let committee = Committees::<Test>::get(id).into_inner();
		let liars = committee.iter().filter(|w| dishonest(**w)).count();
		if liars * 2 > committee.len() {
			report.dishonest_majorities += 1;
		}
		// What each member will say, and in which order (racers first).
		let far = vec![-1_000_000; truth.len()];
		let close = truth.iter().map(|v| v + 2 * TOLERANCE + 1).collect::<Vec<_>>();
		let mut answers: Vec<(u64, Option<Outcome<Vec<i64>>>)> = committee
			.iter()
			.map(|who| {
				let outcome = if !dishonest(*who) {
					Some(truth.iter().map(|v| v + rng.noise(TOLERANCE / 2 - 1)).collect())
				} else {
					match s.strategy {
						Strategy::Random => {
							Some(truth.iter().map(|_| rng.noise(1_000_000)).collect())
						}
						Strategy::Constant | Strategy::Racing => Some(far.clone()),
						Strategy::Colluding => Some(close.clone()),
						Strategy::Copying | Strategy::Absent => None,
					}
				};
				(*who, outcome.map(Outcome::Output))
			})
			.collect();
		if s.strategy == Strategy::Racing {
			answers.sort_by_key(|(who, _)| !dishonest(*who));
		}
		let salt = |who: u64| frame::hashing::blake2_256(&(who, id).encode());
		block += 1;
		System::set_block_number(block);
		if committee.len() == 1 {
			if let (who, Some(outcome)) = &answers[0] {
				let _ = InferenceOracle::record(*who, id, Answer::Outcome(outcome.clone()), None);
			}
		} else {
			let honest_commitment = answers.iter().find_map(|(who, outcome)| {
				outcome
					.as_ref()
					.filter(|_| !dishonest(*who))
					.map(|o| commitment(id, who, o, &salt(*who)))
			});
			for (who, outcome) in &answers {
				let hash = match (outcome, s.strategy) {
					(Some(o), _) => commitment(id, who, o, &salt(*who)),
					(None, Strategy::Copying) => match honest_commitment {
						Some(hash) => hash,
						None => continue,
					},
					(None, _) => continue,
				};
				let _ = InferenceOracle::record(*who, id, Answer::Commit(hash), None);
			}
			block += 1;
			System::set_block_number(block);
			// Not every member committed: reveals open once the commit window is over.
			let commits = Commits::<Test>::get(id).len();
			if commits < committee.len() {
				block = block.max(made + COMMIT_WINDOW);
				System::set_block_number(block);
			}
			for (who, outcome) in &answers {
				if let Some(o) = outcome {
					let reveal = Answer::Reveal { outcome: o.clone(), salt: salt(*who) };
					let _ = InferenceOracle::record(*who, id, reveal, None);
				}
			}
		}
		// Whatever is still pending closes at its deadline.
		if PendingRequests::<Test>::contains_key(id) {
			let deadline = Requests::<Test>::get(id).map(|r| r.deadline).unwrap_or(block);
			block = block.max(deadline + 1);
			System::set_block_number(block);
			InferenceOracle::on_idle(block, Weight::MAX);
		}
		let request = Requests::<Test>::get(id).expect("retained");
		let closed_at = match Results::<Test>::get(id) {
			Some(result) => {
				report.accepted += 1;
				let wrong =
					result.output.iter().zip(&truth).any(|(a, t)| (a - t).abs() > TOLERANCE);
				if wrong {
					report.wrong_accepted += 1;
				}
				result.finalized_at
			}
			None => {
				assert_eq!(request.status, RequestStatus::Expired);
				report.expired += 1;
				block
			}
		};
		report.latencies.push(closed_at - made);
	}
	for (who, before) in operators.iter().zip(start) {
		let record = Operators::<Test>::get(who).expect("no operator was deleted");
		let earned = free(*who).saturating_sub(before);
		let slashed = BOND.saturating_sub(record.bond);
		let suspended = u32::from(record.leaving_since.is_some());
		if dishonest(*who) {
			report.dishonest_earned += earned;
			report.dishonest_slashed += slashed;
			report.dishonest_suspended += suspended;
		} else {
			report.honest_earned += earned;
			report.honest_slashed += slashed;
			report.honest_suspended += suspended;
		}
	}
	report
}

fn signed_origin(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// Runs [`run`] in fresh test externalities, checking the pallet's invariants after.
pub fn simulate(s: Settings) -> Report {
	ExtBuilder::build().execute_with(|| {
		let report = run(s);
		InferenceOracle::do_try_state().expect("invariants hold after the simulation");
		report
	})
}

#[test]
fn a_minority_of_liars_never_gets_a_wrong_result_accepted() {
	// Ten operators, two dishonest, committees of five: no committee has a dishonest
	// majority, whatever the draw.
	for strategy in Strategy::ALL {
		let s = Settings { n: 10, f: 2, m: 3, requests: 60, strategy, seed: 3 };
		let report = simulate(s);
		assert_eq!(report.wrong_accepted, 0, "{strategy:?}: {report:?}");
		assert_eq!(report.dishonest_majorities, 0);
		assert!(report.honest_slashed == 0, "{strategy:?}: the honest lost bond: {report:?}");
		assert!(report.dishonest_earned == 0, "{strategy:?}: a liar earned: {report:?}");
		if strategy != Strategy::Random {
			// Random liars rarely agree with each other or the truth; the others fault on
			// every seat until suspended.
			assert!(report.dishonest_slashed > 0, "{strategy:?}: {report:?}");
		}
	}
}

#[test]
#[ignore = "long: run by scripts/sim-byzantine.sh"]
fn byzantine_simulation() {
	let settings = Settings::from_env();
	simulate(settings).print(&settings);
}
