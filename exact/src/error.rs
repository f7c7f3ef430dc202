//! The interpreter's errors: why a program is refused ([`ProgramError`], at validation) and
//! why a run stopped ([`ExecError`]); what went wrong inside one node is a [`NodeError`].

use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;

/// What is wrong with one node, or what stopped it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum NodeError {
	/// It reads a tensor that does not exist or is not produced before it.
	MissingTensor(u32),
	/// It reads a constant that does not exist.
	MissingConstant(u32),
	/// Its inputs' lengths do not fit together (or a parameter's length is wrong).
	ShapeMismatch,
	/// A scale above the largest allowed.
	InvalidScale(u8),
	/// A tensor with no elements, or longer than allowed.
	InvalidLength,
	/// A value (or an intermediate) could leave the `i64` (or `i128`) range.
	Overflow,
	/// A division by zero.
	DivisionByZero,
	/// An index outside the tensor it selects from.
	IndexOutOfRange,
	/// A tree node's child is not after it in its tree, or not in the tree.
	BadTree,
	/// The operator needs an integer (scale 0) input.
	NotAnInteger,
	/// A one-hot value that is none of the categories (and `zeros` is off).
	UnknownCategory,
	/// A parameter out of its domain (e.g. `k` of top-k, an empty tree ensemble).
	InvalidParameter,
}

/// Why a program is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum ProgramError {
	/// The bytes are not a program (or have bytes left over).
	Undecodable,
	/// The encoding is longer than [`crate::limits::MAX_PROGRAM_BYTES`].
	TooLarge,
	/// A format version this interpreter does not know.
	UnsupportedVersion(u8),
	/// More nodes than [`crate::limits::MAX_NODES`], or none.
	TooManyNodes,
	/// More constants than [`crate::limits::MAX_CONSTANTS`].
	TooManyConstants,
	/// More elements (constants, tensors, tree nodes) than the limits allow.
	TooManyElements,
	/// The input has no elements, more than allowed, or its range does not match it.
	InvalidInput,
	/// A scale above [`crate::limits::MAX_SCALE`].
	InvalidScale(u8),
	/// The output tensor does not exist.
	MissingOutput(u32),
	/// The output cannot be brought to the output scale without overflowing.
	OutputOverflow,
	/// The program's operator count exceeds [`crate::limits::MAX_BUDGET`].
	TooExpensive,
	/// Node `node` (from 0) is malformed, or could overflow on the declared input range.
	Node {
		/// The node's position in the program.
		node: u32,
		/// What is wrong with it.
		error: NodeError,
	},
}

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum ExecError {
	/// The input has the wrong number of elements.
	InputLength {
		/// The number the program declares.
		expected: u32,
		/// The number given.
		got: u32,
	},
	/// Input element `index` is outside the declared range.
	InputOutOfRange {
		/// Its position.
		index: u32,
	},
	/// The operator budget ran out in node `node`.
	BudgetExhausted {
		/// The node's position.
		node: u32,
	},
	/// The output tensor does not exist, or does not fit the output scale.
	BadOutput,
	/// The program is malformed (it was not validated), too large, or of another version.
	Malformed,
	/// Node `node` failed.
	Node {
		/// The node's position.
		node: u32,
		/// What went wrong.
		error: NodeError,
	},
}
