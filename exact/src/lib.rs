//! # aioracle-exact: the exact tier's interpreter
//!
//! An integer-only interpreter for small models, `no_std`, so the runtime can run them and
//! every validator re-executes the result. A [`Program`] is a SCALE-encoded graph of
//! operators over fixed-point vectors (see [`program`]); [`validate`] proves it well
//! formed and free of overflow over its declared input range and counts its work
//! ([`Analysis`]); [`run`] computes it, never panicking and never looping, whatever bytes
//! it was decoded from. [`load`] decodes and validates a program's bytes in one call.
//!
//! ## Rules
//! - **No floats.** No floating-point type appears in this crate outside tests and the
//!   `compile` module (std only, behind the `compile` feature). A test
//!   (`tests/no_floats.rs`) greps the sources to keep it so: do not add one.
//! - **One rounding rule.** A value `q` at scale `s` is `q / 10^s`. Whatever loses
//!   digits rounds half to even through [`fixed::div_half_even`], and nothing else rounds.
//! - **Checked arithmetic.** Sums and products are exact in `i128` and checked; every
//!   failure is a named error ([`ProgramError`], [`ExecError`], [`NodeError`]), never a
//!   panic; no indexing that can panic.
//! - **Bounded.** See [`limits`]: program bytes, nodes, constants, elements, and an
//!   operation budget charged before each node runs.
//!
//! See `README.md` beside this crate for the format, the error bounds and the supported
//! ONNX operators.

#![cfg_attr(not(feature = "std"), no_std)]
// Tests may unwrap; the library may not.
#![cfg_attr(
	not(test),
	deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)
)]

extern crate alloc;

pub mod error;
pub mod fixed;
pub mod func;
pub mod limits;
mod ops;
pub mod program;
mod run;
pub mod sample;
mod validate;

#[cfg(feature = "compile")]
pub mod compile;

pub use error::{ExecError, NodeError, ProgramError};
pub use program::{OpKind, Program, FORMAT_VERSION};
pub use run::{run, run_with_budget};
pub use validate::{load, validate, Analysis};

#[cfg(feature = "compile")]
pub use compile::{compile, compile_with, CompileError, Options};
