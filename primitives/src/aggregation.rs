//! What operators report of a model's output, and how their reports make one result:
//! [`Aggregation`], a version's rule.
//!
//! With [`Aggregation::Median`] and [`Aggregation::ExactMajority`] operators report the whole
//! output tensor. With [`Aggregation::ArgMax`] and [`Aggregation::TopK`] they report a
//! reduction of it computed on their node, so that a classifier of hundreds or thousands of
//! classes puts a few numbers on-chain. Reductions work on the fixed-point output (after
//! quantisation), so they are exact integer functions: two engines whose quantised outputs
//! are equal report the same thing.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::model::TensorSpec;

/// How operators' outputs are reported and combined into the accepted result.
///
/// A row of an output is its elements along the last axis for one index of the dimensions
/// before it: a `[1, 214]` output has one row of 214 class scores.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum Aggregation {
	/// Operators report the whole output. The result is the median of each element; a
	/// report more than `tolerance` units (of the output's fixed point) from the median in
	/// any element is an outlier. For scores, probabilities and regressions.
	Median {
		/// The largest disagreement, in fixed-point units, still counted as agreement.
		tolerance: u64,
	},
	/// Operators report the whole output. The result is the output a strict majority of
	/// reports share exactly; the others are outliers. For labels.
	ExactMajority,
	/// Operators report, for each row, the position of its largest element (the first on
	/// ties): one number per row. The result is the report a strict majority share exactly.
	/// A classifier's label from its scores.
	ArgMax,
	/// Operators report, for each row, its `k` largest elements, largest first (the lower
	/// position first on ties): `k` positions, then their `k` values. The result has the
	/// positions a strict majority of reports share exactly, and the element-wise median of
	/// those reports' values; a report agrees when its positions are equal and every value
	/// is within `tolerance` of the median.
	TopK {
		/// How many elements of each row are reported: from 1 to the row's length.
		k: u32,
		/// The largest disagreement of a value, in fixed-point units, still counted as
		/// agreement.
		tolerance: u64,
	},
}

impl Aggregation {
	/// Whether operators report a reduction of the output rather than the output itself.
	pub fn reduces(&self) -> bool {
		matches!(self, Aggregation::ArgMax | Aggregation::TopK { .. })
	}

	/// How many elements operators report for outputs of `output`'s shape, or `None` if
	/// the shape is degenerate or `k` is 0 or longer than a row.
	pub fn reported_len(&self, output: &TensorSpec) -> Option<u32> {
		let count = output.element_count()?;
		let row = *output.shape.last()?;
		let rows = count / row;
		match *self {
			Aggregation::Median { .. } | Aggregation::ExactMajority => Some(count),
			Aggregation::ArgMax => Some(rows),
			Aggregation::TopK { k, .. } if (1..=row).contains(&k) => {
				rows.checked_mul(k)?.checked_mul(2)
			}
			Aggregation::TopK { .. } => None,
		}
	}

	/// What an operator reports for `values`, the engine's whole output for `output`
	/// (in fixed point, row after row), or `None` if `values` is not of `output`'s size or
	/// the rule does not fit the shape ([`Self::reported_len`]).
	pub fn report(&self, output: &TensorSpec, values: Vec<i64>) -> Option<Vec<i64>> {
		self.reported_len(output)?;
		if Some(values.len()) != output.element_count().map(|c| c as usize) {
			return None;
		}
		let row = (*output.shape.last()? as usize).max(1);
		match *self {
			Aggregation::Median { .. } | Aggregation::ExactMajority => Some(values),
			Aggregation::ArgMax => Some(
				values.chunks(row).map(|r| ranked(r).first().map_or(0, |&p| p as i64)).collect(),
			),
			Aggregation::TopK { k, .. } => {
				let k = k as usize;
				let mut report = Vec::with_capacity(values.len() / row * k * 2);
				for r in values.chunks(row) {
					let top: Vec<usize> = ranked(r).into_iter().take(k).collect();
					report.extend(top.iter().map(|&p| p as i64));
					report.extend(top.iter().filter_map(|&p| r.get(p).copied()));
				}
				Some(report)
			}
		}
	}

	/// Whether element `i` of a report is a position (compared exactly) rather than a
	/// value (compared within the tolerance).
	pub fn is_position(&self, i: usize) -> bool {
		match *self {
			Aggregation::Median { .. } | Aggregation::ExactMajority => false,
			Aggregation::ArgMax => true,
			Aggregation::TopK { k, .. } => {
				let k = k.max(1) as usize;
				i % (2 * k) < k
			}
		}
	}

	/// The largest disagreement of a value still counted as agreement.
	pub fn tolerance(&self) -> u64 {
		match *self {
			Aggregation::Median { tolerance } | Aggregation::TopK { tolerance, .. } => tolerance,
			Aggregation::ExactMajority | Aggregation::ArgMax => 0,
		}
	}

	/// Whether `report` agrees with `reference`: the same length, every position equal and
	/// every value within the tolerance. The one rule for operators' reports against an
	/// accepted result and for an engine's reports against golden vectors.
	pub fn agrees(&self, report: &[i64], reference: &[i64]) -> bool {
		let tolerance = self.tolerance();
		report.len() == reference.len()
			&& report.iter().zip(reference).enumerate().all(|(i, (a, b))| {
				if self.is_position(i) {
					a == b
				} else {
					a.abs_diff(*b) <= tolerance
				}
			})
	}

	/// The positions of `report` (its elements that are compared exactly), in order.
	pub fn positions<'a>(&'a self, report: &'a [i64]) -> impl Iterator<Item = i64> + 'a {
		report.iter().enumerate().filter(|(i, _)| self.is_position(*i)).map(|(_, v)| *v)
	}
}

/// The positions of `row`'s elements, largest element first, the lower position first
/// among equal elements.
fn ranked(row: &[i64]) -> Vec<usize> {
	let mut positions: Vec<usize> = (0..row.len()).collect();
	// Stable: equal elements keep the order of their positions.
	positions.sort_by_key(|&p| core::cmp::Reverse(row.get(p).copied()));
	positions
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::model::ElementType;

	fn spec(shape: &[u32]) -> TensorSpec {
		TensorSpec {
			index: 0,
			element_type: ElementType::F32,
			// Test-only (this module is `#[cfg(test)]`): the shapes here are within bounds.
			shape: shape.to_vec().try_into().unwrap(),
		}
	}

	#[test]
	fn argmax_reports_the_first_largest_position_of_each_row() {
		let output = spec(&[2, 4]);
		let rule = Aggregation::ArgMax;
		assert_eq!(rule.reported_len(&output), Some(2));
		assert_eq!(rule.report(&output, vec![1, 9, 3, 9, -5, -2, -7, -3]), Some(vec![1, 1]));
		assert!(rule.agrees(&[1, 1], &[1, 1]));
		assert!(!rule.agrees(&[1, 2], &[1, 1]));
	}

	#[test]
	fn top_k_reports_positions_then_values_largest_first() {
		let output = spec(&[1, 5]);
		let rule = Aggregation::TopK { k: 3, tolerance: 2 };
		assert_eq!(rule.reported_len(&output), Some(6));
		assert_eq!(rule.report(&output, vec![10, 50, 30, 50, 20]), Some(vec![1, 3, 2, 50, 50, 30]));
		// Values within the tolerance agree; a position never does unless equal.
		assert!(rule.agrees(&[1, 3, 2, 52, 48, 31], &[1, 3, 2, 50, 50, 30]));
		assert!(!rule.agrees(&[1, 3, 2, 53, 50, 30], &[1, 3, 2, 50, 50, 30]));
		assert!(!rule.agrees(&[3, 1, 2, 50, 50, 30], &[1, 3, 2, 50, 50, 30]));
		assert_eq!(rule.positions(&[1, 3, 2, 50, 50, 30]).collect::<Vec<_>>(), vec![1, 3, 2]);
	}

	#[test]
	fn top_k_per_row_of_a_batch() {
		let output = spec(&[2, 3]);
		let rule = Aggregation::TopK { k: 1, tolerance: 0 };
		assert_eq!(rule.report(&output, vec![1, 2, 3, 6, 5, 4]), Some(vec![2, 3, 0, 6]));
		assert!(rule.is_position(0) && !rule.is_position(1) && rule.is_position(2));
	}

	#[test]
	fn a_rule_that_does_not_fit_the_shape_reports_nothing() {
		let output = spec(&[1, 3]);
		assert_eq!(Aggregation::TopK { k: 0, tolerance: 0 }.reported_len(&output), None);
		assert_eq!(Aggregation::TopK { k: 4, tolerance: 0 }.reported_len(&output), None);
		assert_eq!(Aggregation::TopK { k: 4, tolerance: 0 }.report(&output, vec![1, 2, 3]), None);
		// The engine's output is not of the spec's size.
		assert_eq!(Aggregation::ArgMax.report(&output, vec![1, 2]), None);
		assert_eq!(Aggregation::Median { tolerance: 0 }.report(&output, vec![1, 2]), None);
	}

	#[test]
	fn whole_outputs_are_reported_as_they_are() {
		let output = spec(&[1, 3]);
		let rule = Aggregation::Median { tolerance: 1 };
		assert_eq!(rule.report(&output, vec![3, 1, 2]), Some(vec![3, 1, 2]));
		assert!(rule.agrees(&[4, 1, 2], &[3, 1, 2]));
		assert!(!Aggregation::ExactMajority.agrees(&[4, 1, 2], &[3, 1, 2]));
		assert_eq!(rule.positions(&[3, 1, 2]).count(), 0);
	}
}
