//! The bounds a program must keep. They bound the memory and time of validation and of a
//! run whatever bytes are given.

/// The longest program encoding accepted, in bytes.
pub const MAX_PROGRAM_BYTES: usize = 256 * 1024;

/// The most nodes a program may have.
pub const MAX_NODES: usize = 512;

/// The most constants a program may have.
pub const MAX_CONSTANTS: usize = 512;

/// The most constant values, all constants together.
pub const MAX_CONSTANT_ELEMENTS: usize = 65_536;

/// The most elements one tensor (the input included) may have.
pub const MAX_TENSOR_LEN: usize = 16_384;

/// The most elements all tensors of a run together may have (what a run allocates).
pub const MAX_TOTAL_ELEMENTS: usize = 262_144;

/// The most tree nodes (branches and leaves, and leaf weights), all ensembles together.
pub const MAX_TREE_ELEMENTS: usize = 65_536;

/// The largest scale (decimals) of a value: `10^18` still fits an `i64`.
pub const MAX_SCALE: u8 = 18;

/// The most element operations a run may take (see [`crate::Analysis::total`]); also the
/// budget [`crate::run`] gives a run.
pub const MAX_BUDGET: u64 = 10_000_000;
