//! Combining operators' outputs into one accepted answer. Pure functions over fixed-point
//! vectors, so the rules are easy to test and to reason about.

use aioracle_primitives::model::Aggregation;
use alloc::vec::Vec;

/// An accepted answer: the output, and for each submitted output whether it agreed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
	/// The accepted output.
	pub output: Vec<i64>,
	/// `agrees[i]`: output `i` is within the tolerance of (or equal to) `output`.
	pub agrees: Vec<bool>,
}

/// Combines `outputs` (all of the same length) by `rule`, or `None` while fewer than
/// `min_agreement` of them agree.
///
/// - [`Aggregation::Median`]: the accepted output is the element-wise median (the lower
///   median for an even count, so that it is always one of the submitted values); an
///   output agrees when every element is within `tolerance` of it.
/// - [`Aggregation::ExactMajority`]: the accepted output is the one that more than half of
///   the outputs share exactly; the others disagree.
pub fn aggregate(rule: Aggregation, min_agreement: u32, outputs: &[&[i64]]) -> Option<Accepted> {
	let min_agreement = min_agreement.max(1) as usize;
	if outputs.len() < min_agreement {
		return None;
	}
	let accepted = match rule {
		Aggregation::Median { tolerance } => {
			let output = median(outputs)?;
			let agrees = outputs.iter().map(|o| within(o, &output, tolerance)).collect();
			Accepted { output, agrees }
		}
		Aggregation::ExactMajority => {
			let (output, count) = most_common(outputs)?;
			if count * 2 <= outputs.len() {
				return None;
			}
			let agrees = outputs.iter().map(|o| *o == output.as_slice()).collect();
			Accepted { output, agrees }
		}
	};
	let agreeing = accepted.agrees.iter().filter(|a| **a).count();
	(agreeing >= min_agreement).then_some(accepted)
}

/// The element-wise lower median, or `None` for no outputs or outputs of unequal lengths.
fn median(outputs: &[&[i64]]) -> Option<Vec<i64>> {
	let len = outputs.first()?.len();
	if outputs.iter().any(|o| o.len() != len) {
		return None;
	}
	let mut column = Vec::with_capacity(outputs.len());
	let mut result = Vec::with_capacity(len);
	for i in 0..len {
		column.clear();
		column.extend(outputs.iter().map(|o| o[i]));
		column.sort_unstable();
		result.push(column[(column.len() - 1) / 2]);
	}
	Some(result)
}

/// Every element of `a` is within `tolerance` of `b`'s.
fn within(a: &[i64], b: &[i64], tolerance: u64) -> bool {
	a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.abs_diff(*y) <= tolerance)
}

/// The output shared by the most outputs (the first such on ties), with its count.
fn most_common(outputs: &[&[i64]]) -> Option<(Vec<i64>, usize)> {
	let mut best: Option<(&[i64], usize)> = None;
	for candidate in outputs {
		let count = outputs.iter().filter(|o| *o == candidate).count();
		if best.map_or(true, |(_, c)| count > c) {
			best = Some((candidate, count));
		}
	}
	best.map(|(o, c)| (o.to_vec(), c))
}

#[cfg(test)]
mod tests {
	use super::*;

	const MEDIAN: Aggregation = Aggregation::Median { tolerance: 5 };

	#[test]
	fn median_accepts_honest_operators_and_flags_a_liar() {
		let outputs: [&[i64]; 3] = [&[980_000, 20_000], &[980_003, 19_998], &[10, 990_000]];
		let accepted = aggregate(MEDIAN, 2, &outputs).unwrap();
		assert_eq!(accepted.output, vec![980_000, 20_000]);
		assert_eq!(accepted.agrees, vec![true, true, false]);
	}

	#[test]
	fn median_waits_for_enough_agreement() {
		let outputs: [&[i64]; 2] = [&[100], &[200]];
		assert_eq!(aggregate(MEDIAN, 2, &outputs), None, "two far apart: no agreement");
		assert_eq!(aggregate(MEDIAN, 3, &outputs[..1]), None, "too few outputs");
		let accepted = aggregate(MEDIAN, 1, &outputs).unwrap();
		assert_eq!(accepted.output, vec![100], "the lower median");
	}

	#[test]
	fn median_is_per_element_and_one_bad_element_makes_an_outlier() {
		let outputs: [&[i64]; 3] = [&[1, 50], &[2, 60], &[3, 70]];
		let accepted = aggregate(Aggregation::Median { tolerance: 10 }, 2, &outputs).unwrap();
		assert_eq!(accepted.output, vec![2, 60]);
		assert_eq!(accepted.agrees, vec![true, true, true]);
		let accepted = aggregate(Aggregation::Median { tolerance: 9 }, 1, &outputs).unwrap();
		assert_eq!(accepted.agrees, vec![false, true, false]);
	}

	#[test]
	fn two_liars_cannot_outvote_three_honest_operators() {
		let outputs: [&[i64]; 5] = [&[7], &[1_000], &[8], &[-1_000], &[7]];
		let accepted = aggregate(Aggregation::Median { tolerance: 1 }, 3, &outputs).unwrap();
		assert_eq!(accepted.output, vec![7]);
		assert_eq!(accepted.agrees, vec![true, false, true, false, true]);
	}

	#[test]
	fn exact_majority_needs_more_than_half() {
		let outputs: [&[i64]; 3] = [&[2], &[2], &[1]];
		let accepted = aggregate(Aggregation::ExactMajority, 2, &outputs).unwrap();
		assert_eq!((accepted.output, accepted.agrees), (vec![2], vec![true, true, false]));
		let tied: [&[i64]; 4] = [&[2], &[2], &[1], &[1]];
		assert_eq!(aggregate(Aggregation::ExactMajority, 2, &tied), None);
		let split: [&[i64]; 3] = [&[0], &[1], &[2]];
		assert_eq!(aggregate(Aggregation::ExactMajority, 1, &split), None);
	}

	#[test]
	fn unequal_lengths_never_aggregate() {
		let outputs: [&[i64]; 2] = [&[1, 2], &[1]];
		assert_eq!(aggregate(MEDIAN, 1, &outputs), None);
	}
}
