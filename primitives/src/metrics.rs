//! What the oracle's off-chain worker tells the node's Prometheus metrics.
//!
//! The worker runs in the wasm runtime and cannot reach the node's metrics registry, so it
//! reports what it does through the [`oracle_metrics`] runtime interface. The node counts
//! the events with an externalities extension, [`OracleMetricsExt`], registered for
//! off-chain workers only; anywhere else (no extension, or `--no-prometheus`)
//! [`oracle_metrics::record`] does nothing.
//!
//! Timing inferences is the engine's side of the host boundary ([`crate::onnx`]): the
//! worker only reports what it decided.

use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;
#[cfg(not(substrate_runtime))]
use sp_externalities::ExternalitiesExt;
use sp_runtime_interface::{pass_by::PassFatPointerAndDecode, runtime_interface};

use crate::{model::ModelHash, oracle::Failure};

/// One thing the off-chain worker did for a request on the model `model_hash`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum WorkerEvent {
	/// A pending request this node's operator keys owe, taken up for the first time.
	RequestSeen { model_hash: ModelHash },
	/// The request could not be scored; a failure is submitted instead of an output.
	Failed { model_hash: ModelHash, failure: Failure },
	/// A signed submission went into the transaction pool (one per operator key);
	/// `output` is false when it reports a failure.
	SubmissionSent { model_hash: ModelHash, output: bool },
	/// The transaction pool refused a submission; the next run tries again.
	SubmissionRefused { model_hash: ModelHash },
}

/// Where the node counts worker events.
#[cfg(feature = "std")]
pub trait WorkerEventSink: Send + Sync {
	/// Counts `event`.
	fn record(&self, event: WorkerEvent);
}

#[cfg(feature = "std")]
sp_externalities::decl_extension! {
	/// The node's oracle metrics, registered for off-chain workers only.
	pub struct OracleMetricsExt(std::sync::Arc<dyn WorkerEventSink>);
}

#[cfg(feature = "std")]
impl OracleMetricsExt {
	/// Wraps a sink.
	pub fn new(sink: std::sync::Arc<dyn WorkerEventSink>) -> Self {
		Self(sink)
	}
}

/// Reporting the off-chain worker's work to the node's metrics.
#[runtime_interface]
pub trait OracleMetrics {
	/// Counts `event` in the node's metrics; does nothing without [`OracleMetricsExt`].
	fn record(&mut self, event: PassFatPointerAndDecode<WorkerEvent>) {
		if let Some(ext) = self.extension::<OracleMetricsExt>() {
			ext.0.record(event);
		}
	}
}

impl Failure {
	/// A short `snake_case` name of the failure, e.g. for a metric label.
	pub fn kind(&self) -> &'static str {
		use crate::onnx::ScoreError::*;
		match self {
			Failure::ModelBytesUnavailable => "model_bytes_unavailable",
			Failure::GoldenVectorMismatch => "golden_vector_mismatch",
			Failure::InputUnavailable => "input_unavailable",
			Failure::Engine(error) => match error {
				Unavailable => "engine_unavailable",
				UnknownModel => "unknown_model",
				HashMismatch => "hash_mismatch",
				UnsupportedOperator => "unsupported_operator",
				InvalidModel => "invalid_model",
				WrongInputShape => "wrong_input_shape",
				WrongElementType => "wrong_element_type",
				WrongOutputShape => "wrong_output_shape",
				NonFiniteOutput => "non_finite_output",
				ExecutionFailed => "execution_failed",
				ResourceLimit => "resource_limit",
			},
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::onnx::ScoreError;
	use std::sync::{Arc, Mutex};

	#[derive(Default)]
	struct Recorder(Mutex<Vec<WorkerEvent>>);

	// Test-only (this module is `#[cfg(test)]`, never in the runtime): a poisoned lock here
	// means another assertion already failed, so unwrapping it is the right report.
	impl WorkerEventSink for Recorder {
		fn record(&self, event: WorkerEvent) {
			self.0.lock().unwrap().push(event);
		}
	}

	#[test]
	fn record_reaches_the_extension_and_is_a_no_op_without_it() {
		let event = WorkerEvent::SubmissionSent { model_hash: ModelHash::repeat_byte(7), output: true };
		// Without the extension: nothing happens, nothing panics.
		sp_io::TestExternalities::default().execute_with(|| oracle_metrics::record(event));

		let recorder = Arc::new(Recorder::default());
		let mut ext = sp_io::TestExternalities::default();
		ext.register_extension(OracleMetricsExt::new(recorder.clone()));
		ext.execute_with(|| oracle_metrics::record(event));
		assert_eq!(*recorder.0.lock().unwrap(), vec![event]);
	}

	#[test]
	fn failure_kinds_are_distinct() {
		let failures = [
			Failure::ModelBytesUnavailable,
			Failure::GoldenVectorMismatch,
			Failure::Engine(ScoreError::Unavailable),
			Failure::Engine(ScoreError::UnknownModel),
			Failure::Engine(ScoreError::HashMismatch),
			Failure::Engine(ScoreError::UnsupportedOperator),
			Failure::Engine(ScoreError::InvalidModel),
			Failure::Engine(ScoreError::WrongInputShape),
			Failure::Engine(ScoreError::WrongElementType),
			Failure::Engine(ScoreError::WrongOutputShape),
			Failure::Engine(ScoreError::NonFiniteOutput),
			Failure::Engine(ScoreError::ExecutionFailed),
			Failure::Engine(ScoreError::ResourceLimit),
		];
		let kinds: std::collections::BTreeSet<_> = failures.iter().map(Failure::kind).collect();
		assert_eq!(kinds.len(), failures.len());
	}
}
