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

/// Combines `outputs` (all of the same length) by `rule`, or `None` unless at least
/// `min_agreement` of them, and a strict majority, agree.
///
/// With a committee of `2f + 1` and at most `f` dishonest members, every element of the
/// median lies between the smallest and the largest honest value (at least `f + 1` values
/// are on each side of it, so one of each side is honest), whatever the order outputs
/// arrive in: the pallet combines a committee's outputs only once all are in, or at the
/// deadline.
///
/// - [`Aggregation::Median`]: the accepted output is the element-wise median (the lower
///   median for an even count, so that it is always one of the submitted values); an
///   output agrees when every element is within `tolerance` of it.
/// - [`Aggregation::ExactMajority`] and [`Aggregation::ArgMax`]: the accepted output is
///   the one that more than half of the outputs share exactly; the others disagree.
/// - [`Aggregation::TopK`]: the accepted positions are those more than half of the
///   outputs share exactly; the accepted values are the element-wise median of the
///   outputs with those positions. An output agrees when its positions are equal and its
///   values within `tolerance`.
pub fn aggregate(rule: Aggregation, min_agreement: u32, outputs: &[&[i64]]) -> Option<Accepted> {
	let min_agreement = min_agreement.max(1) as usize;
	if outputs.len() < min_agreement {
		return None;
	}
	let output = match rule {
		Aggregation::Median { .. } => median(outputs)?,
		Aggregation::ExactMajority | Aggregation::ArgMax => majority(outputs)?.to_vec(),
		Aggregation::TopK { .. } => {
			let positions: Vec<Vec<i64>> =
				outputs.iter().map(|o| rule.positions(o).collect()).collect();
			let shared = majority(&positions)?;
			let group: Vec<&[i64]> = outputs
				.iter()
				.zip(&positions)
				.filter(|(_, p)| *p == shared)
				.map(|(o, _)| *o)
				.collect();
			// Every output of the group has the shared positions, so their median has too.
			median(&group)?
		}
	};
	let agrees: Vec<bool> = outputs.iter().map(|o| rule.agrees(o, &output)).collect();
	let agreeing = agrees.iter().filter(|a| **a).count();
	(agreeing >= min_agreement && agreeing.saturating_mul(2) > outputs.len())
		.then_some(Accepted { output, agrees })
}

/// The key that more than half of `keys` share, or `None` if none does.
fn majority<K: PartialEq>(keys: &[K]) -> Option<&K> {
	let (shared, count) = most_common(keys)?;
	(count.saturating_mul(2) > keys.len()).then_some(shared)
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
		column.extend(outputs.iter().filter_map(|o| o.get(i).copied()));
		column.sort_unstable();
		// Every output has `len` elements, so the column has one per output.
		result.push(*column.get(column.len().saturating_sub(1) / 2)?);
	}
	Some(result)
}

/// The key shared by the most of `keys` (the first such on ties), with its count.
fn most_common<K: PartialEq>(keys: &[K]) -> Option<(&K, usize)> {
	let mut best: Option<(&K, usize)> = None;
	for candidate in keys {
		let count = keys.iter().filter(|k| *k == candidate).count();
		if best.map_or(true, |(_, c)| count > c) {
			best = Some((candidate, count));
		}
	}
	best
}
