//! The exact tier: a version may carry an *exact program*, the integer-only program
//! compiled from its ONNX bytes (`aioracle-node model compile`) that the runtime runs
//! itself, so that every validator re-executes its results (the `aioracle-exact` crate).
//!
//! The model's owner gives it while the version is `Proposed`
//! ([`set_exact_program`](Pallet::set_exact_program)), so governance approves the version
//! with it. The chain decodes and validates the program (bounds, references, shapes, and
//! that no node can overflow on the program's declared input range), checks that it
//! serves the version's contract (input length and scale, output length and scale) and
//! runs it on every golden vector of the version: each must agree with its expected
//! output under the version's aggregation rule, as an operator's engine must. A broken
//! program can therefore never be approved. The program is kept in state (the runtime
//! reads it for every exact request; indexed data is readable only off-chain), bounded by
//! `MaxExactProgramBytes`, and paid for by a deposit ticket of its own
//! (`VersionTicket`, on [`HoldReason::VersionStorage`]).
//!
//! What links the program to the version's ONNX hash is its key: it belongs to that
//! version. The chain cannot see the ONNX bytes, but anyone can: compiling is
//! deterministic, so recompiling the version's bytes with the scales, output and input
//! range the program declares gives the same bytes, whose hash the version view shows.
//!
//! Weights: a run is charged per element operation of each kind
//! ([`Pallet::exact_run_weight`]), from the program's analysis, each kind benchmarked on
//! its most expensive operator (`aioracle_exact::sample`).

use crate::*;
use aioracle_exact::{NodeError, OpKind, ProgramError};

/// A run's element operations of each kind, as [`ExactProgram::operations`] keeps them.
pub type Operations = [u64; OpKind::ALL.len()];

impl<T: Config> Pallet<T> {
	/// Checks `bytes` as the exact program of version `version` of `model`, owned by
	/// `who`, runs it on the version's golden vectors and stores it; returns the weight
	/// this took.
	pub(crate) fn do_set_exact_program(
		who: T::AccountId,
		model: ModelId,
		version: VersionId,
		bytes: Vec<u8>,
	) -> Result<Weight, DispatchError> {
		let record = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
		ensure!(record.owner == who, Error::<T>::NotOwner);
		let v = Versions::<T>::get(model, version).ok_or(Error::<T>::VersionNotFound)?;
		ensure!(v.status == VersionStatus::Proposed, Error::<T>::NotProposed);
		ensure!(
			!ExactPrograms::<T>::contains_key(model, version),
			Error::<T>::ExactProgramAlreadySet
		);
		let program: BoundedVec<u8, T::MaxExactProgramBytes> =
			bytes.try_into().map_err(|_| Error::<T>::ExactProgramTooLarge)?;
		let (decoded, analysis) = aioracle_exact::load(&program).map_err(|e| {
			log::info!(target: LOG_TARGET, "model {model} version {version}: program refused: {e:?}");
			program_error::<T>(e)
		})?;
		let input_len = aioracle_primitives::model::inputs_len(&v.inputs)
			.ok_or(Error::<T>::ExactProgramDoesNotFit)?;
		ensure!(
			decoded.input.len == input_len
				&& decoded.input.scale == v.input_scale
				&& decoded.output_scale == v.output_scale
				&& Some(analysis.output_len) == v.output.element_count(),
			Error::<T>::ExactProgramDoesNotFit
		);
		ensure!(
			analysis.total() <= u64::from(T::MaxExactOperations::get()),
			Error::<T>::ExactProgramTooCostly
		);
		let golden = GoldenVectors::<T>::get(model, version).unwrap_or_default();
		ensure!(!golden.is_empty(), Error::<T>::ExactProgramUntested);
		for (i, g) in golden.iter().enumerate() {
			let output = aioracle_exact::run(&decoded, &g.input).map_err(|e| {
				log::info!(
					target: LOG_TARGET,
					"model {model} version {version}: golden vector {i} does not run: {e:?}"
				);
				Error::<T>::ExactProgramFailsGoldenVector
			})?;
			let agrees = v
				.aggregation
				.report(&v.output, output)
				.is_some_and(|report| v.aggregation.agrees(&report, &g.output));
			ensure!(agrees, Error::<T>::ExactProgramFailsGoldenVector);
		}

		let size_bytes = program.len() as u32;
		let program_hash = ModelHash::from(blake2_256(&program));
		let draft =
			ExactProgram { program, program_hash, operations: analysis.counts, deposit: () };
		let record_bytes = draft.encoded_size().saturating_add(T::VersionTicket::max_encoded_len());
		let ticket = T::VersionTicket::new(&who, footprint_of_bytes(record_bytes))?;
		let deposit = ticket.held();
		let ExactProgram { program, program_hash, operations, .. } = draft;
		ExactPrograms::<T>::insert(
			model,
			version,
			ExactProgram { program, program_hash, operations, deposit: ticket },
		);
		log::info!(
			target: LOG_TARGET,
			"model {model} version {version}: exact program {program_hash:?}, {size_bytes} bytes, \
			 {} operations a run, {} golden vectors reproduced",
			analysis.total(),
			golden.len(),
		);
		Self::deposit_event(Event::ExactProgramSet {
			model,
			version,
			program_hash,
			size_bytes,
			operations: analysis.total(),
			deposit,
		});
		Ok(Self::set_exact_program_weight(size_bytes, golden.len() as u32, Some(&operations)))
	}

	/// The weight of `set_exact_program` with a program of `bytes` bytes run on
	/// `golden_vectors` vectors, each run taking `operations` (the most any program may
	/// take if `None`).
	pub fn set_exact_program_weight(
		bytes: u32,
		golden_vectors: u32,
		operations: Option<&Operations>,
	) -> Weight {
		let run = operations.map_or_else(Self::max_exact_run_weight, Self::exact_run_weight);
		T::WeightInfo::set_exact_program(bytes)
			.saturating_add(run.saturating_mul(golden_vectors.into()))
	}

	/// The weight of one run of a program taking `operations`: each kind it runs at its
	/// benchmarked price (a kind it does not run costs nothing, not the benchmark's
	/// intercept).
	pub fn exact_run_weight(operations: &Operations) -> Weight {
		OpKind::ALL.iter().fold(Weight::zero(), |total, kind| {
			match operations.get(kind.index()).copied().unwrap_or(0) {
				0 => total,
				n => total
					.saturating_add(Self::operations_weight(*kind, n.try_into().unwrap_or(u32::MAX))),
			}
		})
	}

	/// The weight of reading a program of `bytes` bytes from state and decoding it.
	pub fn exact_load_weight(bytes: u32) -> Weight {
		T::WeightInfo::exact_load(bytes)
	}

	/// The most one run may weigh: `MaxExactOperations` operations of the dearest kind.
	pub fn max_exact_run_weight() -> Weight {
		let n = T::MaxExactOperations::get();
		OpKind::ALL
			.iter()
			.map(|kind| Self::operations_weight(*kind, n))
			.fold(Weight::zero(), |dearest, w| dearest.max(w))
	}

	/// The weight of `n` element operations of `kind`.
	fn operations_weight(kind: OpKind, n: u32) -> Weight {
		match kind {
			OpKind::Linear => T::WeightInfo::exact_linear(n),
			OpKind::Elementwise => T::WeightInfo::exact_elementwise(n),
			OpKind::Normalizer => T::WeightInfo::exact_normalizer(n),
			OpKind::Exp => T::WeightInfo::exact_exp(n),
			OpKind::TreeStep => T::WeightInfo::exact_tree_step(n),
			OpKind::Select => T::WeightInfo::exact_select(n),
		}
	}

	/// Checks that every exact program belongs to an existing version, decodes and
	/// validates, records its analysis and hash, and has golden vectors.
	pub(crate) fn try_state_exact() -> Result<(), TryRuntimeError> {
		for (model, version, p) in ExactPrograms::<T>::iter() {
			ensure!(
				Versions::<T>::contains_key(model, version),
				"the exact program of a missing version"
			);
			let (_, analysis) = aioracle_exact::load(&p.program)
				.map_err(|_| "a stored exact program is invalid")?;
			ensure!(analysis.counts == p.operations, "an exact program's operations differ");
			ensure!(
				ModelHash::from(blake2_256(&p.program)) == p.program_hash,
				"an exact program's hash differs"
			);
			ensure!(
				GoldenVectors::<T>::get(model, version).is_some_and(|g| !g.is_empty()),
				"an exact program without golden vectors"
			);
		}
		Ok(())
	}
}

/// The error a program refused by the interpreter's validation is reported as.
fn program_error<T>(e: ProgramError) -> Error<T> {
	match e {
		ProgramError::Undecodable | ProgramError::UnsupportedVersion(_) => {
			Error::ExactProgramUndecodable
		}
		ProgramError::TooLarge
		| ProgramError::TooManyNodes
		| ProgramError::TooManyConstants
		| ProgramError::TooManyElements
		| ProgramError::TooExpensive => Error::ExactProgramExceedsBounds,
		ProgramError::MissingOutput(_)
		| ProgramError::Node {
			error: NodeError::MissingTensor(_) | NodeError::MissingConstant(_),
			..
		} => Error::ExactProgramMissingTensor,
		ProgramError::OutputOverflow | ProgramError::Node { error: NodeError::Overflow, .. } => {
			Error::ExactProgramMayOverflow
		}
		ProgramError::InvalidInput | ProgramError::InvalidScale(_) | ProgramError::Node { .. } => {
			Error::ExactProgramMalformed
		}
	}
}
