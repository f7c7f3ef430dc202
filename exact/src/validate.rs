//! Validation: a program's bounds, references, shapes and scales, and the range analysis
//! that proves no node can overflow on the declared input range. Its [`Analysis`] counts
//! the element operations of each kind a run takes at most, for the runtime to charge
//! weight up front.

use crate::error::{NodeError, ProgramError};
use crate::limits::*;
use crate::ops::{self, Costs, Env, Range};
use crate::program::{InputRange, Interval, Op, OpKind, Program, FORMAT_VERSION};
use alloc::{vec, vec::Vec};
use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;

/// What validation proves of a program.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct Analysis {
	/// The most element operations of each kind a run takes, indexed by
	/// [`OpKind::index`] (see [`OpKind`] for what one operation is).
	pub counts: [u64; OpKind::ALL.len()],
	/// The number of output elements.
	pub output_len: u32,
	/// Each output element's range, at the output scale.
	pub output_range: Vec<Interval>,
}

impl Analysis {
	/// The most element operations of `kind` a run takes.
	pub fn count(&self, kind: OpKind) -> u64 {
		self.counts.get(kind.index()).copied().unwrap_or(0)
	}

	/// The most element operations a run takes, all kinds together: a budget that a run
	/// of this program never exhausts.
	pub fn total(&self) -> u64 {
		self.counts.iter().fold(0u64, |t, c| t.saturating_add(*c))
	}
}

/// Checks the parts of a program that need no range analysis: version, counts, scales,
/// the input declaration. Shared by [`validate`] and [`crate::run`].
pub(crate) fn check_header(p: &Program) -> Result<(), ProgramError> {
	if p.version != FORMAT_VERSION {
		return Err(ProgramError::UnsupportedVersion(p.version));
	}
	if p.nodes.is_empty() || p.nodes.len() > MAX_NODES {
		return Err(ProgramError::TooManyNodes);
	}
	if p.constants.len() > MAX_CONSTANTS {
		return Err(ProgramError::TooManyConstants);
	}
	let values = p.constants.iter().fold(0usize, |n, c| n.saturating_add(c.values.len()));
	if values > MAX_CONSTANT_ELEMENTS {
		return Err(ProgramError::TooManyElements);
	}
	if let Some(c) = p.constants.iter().find(|c| c.scale > MAX_SCALE) {
		return Err(ProgramError::InvalidScale(c.scale));
	}
	let tree_elements = p.nodes.iter().fold(0usize, |n, op| match op {
		Op::TreeEnsemble(t) => n
			.saturating_add(t.trees.kinds.len())
			.saturating_add(t.trees.weights.len())
			.saturating_add(t.trees.roots.len()),
		_ => n,
	});
	if tree_elements > MAX_TREE_ELEMENTS {
		return Err(ProgramError::TooManyElements);
	}
	for scale in [p.input.scale, p.output_scale] {
		if scale > MAX_SCALE {
			return Err(ProgramError::InvalidScale(scale));
		}
	}
	let len = usize::try_from(p.input.len).map_err(|_| ProgramError::InvalidInput)?;
	if len == 0 || len > MAX_TENSOR_LEN {
		return Err(ProgramError::InvalidInput);
	}
	let ok = match &p.input.range {
		InputRange::Global(i) => i.min <= i.max,
		InputRange::PerFeature(r) => r.len() == len && r.iter().all(|i| i.min <= i.max),
	};
	if !ok {
		return Err(ProgramError::InvalidInput);
	}
	Ok(())
}

/// The declared range of each input element.
fn input_bounds(p: &Program) -> Vec<Interval> {
	match &p.input.range {
		InputRange::Global(i) => vec![*i; p.input.len as usize],
		InputRange::PerFeature(r) => r.clone(),
	}
}

/// Validates a program: structure, shapes, scales, limits, and that no node can overflow
/// for any input in the declared range. A program that passes runs without error on
/// every input in its range (but for a one-hot value that is no category, when the
/// one-hot does not allow it).
pub fn validate(p: &Program) -> Result<Analysis, ProgramError> {
	check_header(p)?;
	let mut ranges = vec![Range { scale: p.input.scale, bounds: input_bounds(p) }];
	let mut counts: Costs = [0; OpKind::ALL.len()];
	let mut elements = p.input.len as usize;
	for (i, op) in p.nodes.iter().enumerate() {
		let node = u32::try_from(i).map_err(|_| ProgramError::TooManyNodes)?;
		let at = |error: NodeError| ProgramError::Node { node, error };
		let env = Env { tensors: &ranges, constants: &p.constants };
		let (len, costs) = ops::shape(op, &env).map_err(at)?;
		elements = elements.saturating_add(len);
		if elements > MAX_TOTAL_ELEMENTS {
			return Err(ProgramError::TooManyElements);
		}
		let range = ops::bounds(op, &env).map_err(at)?;
		if range.bounds.len() != len {
			return Err(at(NodeError::ShapeMismatch));
		}
		for (total, c) in counts.iter_mut().zip(costs) {
			*total = total.saturating_add(c);
		}
		ranges.push(range);
	}
	let out = usize::try_from(p.output)
		.ok()
		.and_then(|i| ranges.get(i))
		.ok_or(ProgramError::MissingOutput(p.output))?;
	let output_range = out
		.bounds
		.iter()
		.map(|b| {
			ops::rescale_interval(
				b.min.into(),
				b.max.into(),
				out.scale.into(),
				p.output_scale.into(),
			)
		})
		.collect::<Result<Vec<_>, _>>()
		.map_err(|_| ProgramError::OutputOverflow)?;
	let analysis = Analysis {
		counts,
		output_len: u32::try_from(output_range.len()).map_err(|_| ProgramError::TooManyElements)?,
		output_range,
	};
	if analysis.total() > MAX_BUDGET {
		return Err(ProgramError::TooExpensive);
	}
	Ok(analysis)
}

/// Decodes (see [`Program::decode_bounded`]) and validates a program: what the runtime
/// does with a proposed program's bytes.
pub fn load(bytes: &[u8]) -> Result<(Program, Analysis), ProgramError> {
	let program = Program::decode_bounded(bytes)?;
	let analysis = validate(&program)?;
	Ok((program, analysis))
}
