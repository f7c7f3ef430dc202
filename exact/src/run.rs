//! Running a program. A run re-checks every node's structure before computing it, so it
//! never panics whatever program it is given (validated or not), and charges every node's
//! element operations to a budget before running it, so it always ends.

use crate::error::ExecError;
use crate::fixed::rescale;
use crate::limits::{MAX_BUDGET, MAX_TOTAL_ELEMENTS};
use crate::ops::{self, Env, Tensor};
use crate::program::{InputRange, Program};
use alloc::{vec, vec::Vec};

/// Runs `program` on `input` (at the program's input scale) with the budget
/// [`MAX_BUDGET`]; the output is at the program's output scale.
pub fn run(program: &Program, input: &[i64]) -> Result<Vec<i64>, ExecError> {
	run_with_budget(program, input, MAX_BUDGET)
}

/// Runs `program` on `input`, taking at most `budget` element operations (a validated
/// program needs at most [`crate::Analysis::total`]).
pub fn run_with_budget(
	program: &Program,
	input: &[i64],
	budget: u64,
) -> Result<Vec<i64>, ExecError> {
	crate::validate::check_header(program).map_err(|_| ExecError::Malformed)?;
	let expected = program.input.len;
	if u32::try_from(input.len()).ok() != Some(expected) {
		let got = u32::try_from(input.len()).unwrap_or(u32::MAX);
		return Err(ExecError::InputLength { expected, got });
	}
	for (i, v) in input.iter().enumerate() {
		let range = match &program.input.range {
			InputRange::Global(r) => Some(r),
			InputRange::PerFeature(r) => r.get(i),
		};
		let index = u32::try_from(i).unwrap_or(u32::MAX);
		match range {
			Some(r) if r.min <= *v && *v <= r.max => {}
			_ => return Err(ExecError::InputOutOfRange { index }),
		}
	}
	let mut tensors = vec![Tensor { scale: program.input.scale, values: input.to_vec() }];
	let mut left = budget;
	let mut elements = input.len();
	for (i, op) in program.nodes.iter().enumerate() {
		let node = u32::try_from(i).map_err(|_| ExecError::Malformed)?;
		let at = |error| ExecError::Node { node, error };
		let env = Env { tensors: &tensors, constants: &program.constants };
		let (len, costs) = ops::shape(op, &env).map_err(at)?;
		let cost = costs.iter().fold(0u64, |t, c| t.saturating_add(*c));
		left = left.checked_sub(cost).ok_or(ExecError::BudgetExhausted { node })?;
		elements = elements.saturating_add(len);
		if elements > MAX_TOTAL_ELEMENTS {
			return Err(ExecError::Malformed);
		}
		let out = ops::eval(op, &env).map_err(at)?;
		if out.values.len() != len {
			return Err(at(crate::error::NodeError::ShapeMismatch));
		}
		tensors.push(out);
	}
	let out = usize::try_from(program.output)
		.ok()
		.and_then(|i| tensors.get(i))
		.ok_or(ExecError::BadOutput)?;
	out.values
		.iter()
		.map(|v| rescale(i128::from(*v), out.scale.into(), program.output_scale.into()))
		.collect::<Result<_, _>>()
		.map_err(|_| ExecError::BadOutput)
}
