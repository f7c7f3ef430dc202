//! `Sigmoid`, `Tanh` and `Softmax` (see [`crate::func`] for how and how close).

use super::{check_scale, Env, Range, Shaped, Tensor};
use crate::error::NodeError;
use crate::fixed::pow10;
use crate::func;
use crate::program::{Interval, Op, OpKind};
use alloc::vec;

pub fn shape<T: Shaped>(op: &Op, env: &Env<'_, T>) -> Result<(usize, OpKind, u64), NodeError> {
	match op {
		Op::Sigmoid { input, scale } | Op::Tanh { input, scale } | Op::Softmax { input, scale } => {
			check_scale(*scale)?;
			let x = env.tensor(*input)?;
			check_scale(x.scale())?;
			Ok((x.len(), OpKind::Exp, x.len() as u64))
		}
		_ => Err(NodeError::InvalidParameter),
	}
}

pub fn eval(op: &Op, env: &Env<'_, Tensor>) -> Result<Tensor, NodeError> {
	match op {
		Op::Sigmoid { input, scale } => {
			let x = env.tensor(*input)?;
			let values = x
				.values
				.iter()
				.map(|v| func::sigmoid(*v, x.scale, *scale))
				.collect::<Result<_, _>>()?;
			Ok(Tensor { scale: *scale, values })
		}
		Op::Tanh { input, scale } => {
			let x = env.tensor(*input)?;
			let values = x
				.values
				.iter()
				.map(|v| func::tanh(*v, x.scale, *scale))
				.collect::<Result<_, _>>()?;
			Ok(Tensor { scale: *scale, values })
		}
		Op::Softmax { input, scale } => {
			let x = env.tensor(*input)?;
			Ok(Tensor { scale: *scale, values: func::softmax(&x.values, x.scale, *scale)? })
		}
		_ => Err(NodeError::InvalidParameter),
	}
}

pub fn bounds(op: &Op, env: &Env<'_, Range>) -> Result<Range, NodeError> {
	let (input, scale, signed) = match op {
		Op::Sigmoid { input, scale } | Op::Softmax { input, scale } => (input, scale, false),
		Op::Tanh { input, scale } => (input, scale, true),
		_ => return Err(NodeError::InvalidParameter),
	};
	let n = env.tensor(*input)?.len();
	let one = crate::fixed::narrow(pow10(u32::from(*scale))?)?;
	let interval = Interval { min: if signed { -one } else { 0 }, max: one };
	Ok(Range { scale: *scale, bounds: vec![interval; n] })
}
