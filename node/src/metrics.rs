//! The oracle's Prometheus metrics, labelled by model hash.
//!
//! Two sources feed them: the ONNX engine ([`crate::onnx::EngineScorer`]) counts and times
//! every inference it runs and every model it loads, and the off-chain worker reports what
//! it decided (requests taken up, failures, submissions) through the `oracle_metrics` host
//! function ([`aioracle_primitives::metrics`]). Names and meanings: `docs/operators.md`.

use std::time::Duration;

use aioracle_primitives::{
	metrics::{WorkerEvent, WorkerEventSink},
	model::ModelHash,
};
use substrate_prometheus_endpoint::{
	exponential_buckets, register, CounterVec, HistogramOpts, HistogramVec, Opts,
	PrometheusError, Registry, U64,
};

/// The label naming the model: its ONNX hash, `0x`-prefixed hex.
const MODEL_HASH: &str = "model_hash";

/// The oracle's metrics in the node's registry.
pub struct OracleMetrics {
	requests_seen: CounterVec<U64>,
	inferences: CounterVec<U64>,
	inference_seconds: HistogramVec,
	model_loads: CounterVec<U64>,
	failures: CounterVec<U64>,
	submissions: CounterVec<U64>,
	submissions_refused: CounterVec<U64>,
}

fn counter(
	registry: &Registry,
	name: &str,
	help: &str,
	labels: &[&str],
) -> Result<CounterVec<U64>, PrometheusError> {
	register(CounterVec::new(Opts::new(name, help), labels)?, registry)
}

impl OracleMetrics {
	/// Registers the metrics in `registry`.
	pub fn register(registry: &Registry) -> Result<Self, PrometheusError> {
		Ok(Self {
			requests_seen: counter(
				registry,
				"aioracle_oracle_requests_seen_total",
				"Pending inference requests this node's operator keys owe, taken up by the \
				 off-chain worker",
				&[MODEL_HASH],
			)?,
			inferences: counter(
				registry,
				"aioracle_oracle_inferences_total",
				"Inferences the ONNX engine ran to completion (requests and golden-vector checks)",
				&[MODEL_HASH],
			)?,
			inference_seconds: register(
				HistogramVec::new(
					HistogramOpts::new(
						"aioracle_oracle_inference_seconds",
						"Time the ONNX engine took per inference, in seconds",
					)
					// 50 µs to about 1.6 s.
					.buckets(exponential_buckets(0.000_05, 2.0, 16)?),
					&[MODEL_HASH],
				)?,
				registry,
			)?,
			model_loads: counter(
				registry,
				"aioracle_oracle_model_loads_total",
				"Models parsed and optimised by the ONNX engine (again after a cache eviction)",
				&[MODEL_HASH],
			)?,
			failures: counter(
				registry,
				"aioracle_oracle_failures_total",
				"Requests the off-chain worker could not score, by kind of failure",
				&[MODEL_HASH, "kind"],
			)?,
			submissions: counter(
				registry,
				"aioracle_oracle_submissions_total",
				"Signed submissions handed to the transaction pool, one per operator key; \
				 outcome is \"output\" or \"failure\"",
				&[MODEL_HASH, "outcome"],
			)?,
			submissions_refused: counter(
				registry,
				"aioracle_oracle_submissions_refused_total",
				"Submissions the transaction pool refused (retried on the next block)",
				&[MODEL_HASH],
			)?,
		})
	}

	/// Counts an inference of `model` that took `elapsed`.
	pub fn inference_done(&self, model: &ModelHash, elapsed: Duration) {
		let label = label(model);
		self.inferences.with_label_values(&[&label]).inc();
		self.inference_seconds.with_label_values(&[&label]).observe(elapsed.as_secs_f64());
	}

	/// Counts a load of `model` into the engine.
	pub fn model_loaded(&self, model: &ModelHash) {
		self.model_loads.with_label_values(&[&label(model)]).inc();
	}
}

impl WorkerEventSink for OracleMetrics {
	fn record(&self, event: WorkerEvent) {
		match event {
			WorkerEvent::RequestSeen { model_hash } => {
				self.requests_seen.with_label_values(&[&label(&model_hash)]).inc()
			}
			WorkerEvent::Failed { model_hash, failure } => {
				self.failures.with_label_values(&[&label(&model_hash), failure.kind()]).inc()
			}
			WorkerEvent::SubmissionSent { model_hash, output } => {
				let outcome = if output { "output" } else { "failure" };
				self.submissions.with_label_values(&[&label(&model_hash), outcome]).inc()
			}
			WorkerEvent::SubmissionRefused { model_hash } => {
				self.submissions_refused.with_label_values(&[&label(&model_hash)]).inc()
			}
		}
	}
}

/// The model hash as a label value: the full `0x`-prefixed hex, as Polkadot.js shows it.
fn label(model: &ModelHash) -> String {
	format!("{model:#x}")
}

#[cfg(test)]
mod tests {
	use super::*;
	use aioracle_primitives::{onnx::ScoreError, oracle::Failure};

	/// The value of `name` with exactly these label values, from the registry.
	fn value(registry: &Registry, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
		use substrate_prometheus_endpoint::prometheus::proto::MetricType;
		let family = registry.gather().into_iter().find(|f| f.get_name() == name)?;
		let histogram = family.get_field_type() == MetricType::HISTOGRAM;
		family.get_metric().iter().find_map(|metric| {
			let pairs = metric.get_label();
			let matches = pairs.len() == labels.len() &&
				labels.iter().all(|(k, v)| {
					pairs.iter().any(|p| p.get_name() == *k && p.get_value() == *v)
				});
			matches.then(|| {
				if histogram {
					metric.get_histogram().get_sample_count() as f64
				} else {
					metric.get_counter().get_value()
				}
			})
		})
	}

	#[test]
	fn worker_events_and_inferences_are_counted_by_model_hash() {
		let registry = Registry::new();
		let metrics = OracleMetrics::register(&registry).unwrap();
		let (a, b) = (ModelHash::repeat_byte(0xaa), ModelHash::repeat_byte(0xbb));
		let (la, lb) = (label(&a), label(&b));
		assert_eq!(la, format!("0x{}", "aa".repeat(32)));

		metrics.record(WorkerEvent::RequestSeen { model_hash: a });
		metrics.record(WorkerEvent::RequestSeen { model_hash: a });
		metrics.record(WorkerEvent::RequestSeen { model_hash: b });
		metrics.record(WorkerEvent::SubmissionSent { model_hash: a, output: true });
		metrics.record(WorkerEvent::SubmissionSent { model_hash: b, output: false });
		metrics.record(WorkerEvent::SubmissionRefused { model_hash: b });
		let failure = Failure::Engine(ScoreError::WrongOutputShape);
		metrics.record(WorkerEvent::Failed { model_hash: b, failure });
		metrics.model_loaded(&a);
		metrics.inference_done(&a, Duration::from_micros(120));
		metrics.inference_done(&a, Duration::from_millis(3));

		let m = MODEL_HASH;
		assert_eq!(value(&registry, "aioracle_oracle_requests_seen_total", &[(m, &la)]), Some(2.0));
		assert_eq!(value(&registry, "aioracle_oracle_requests_seen_total", &[(m, &lb)]), Some(1.0));
		let sent = "aioracle_oracle_submissions_total";
		assert_eq!(value(&registry, sent, &[(m, &la), ("outcome", "output")]), Some(1.0));
		assert_eq!(value(&registry, sent, &[(m, &lb), ("outcome", "failure")]), Some(1.0));
		assert_eq!(value(&registry, sent, &[(m, &la), ("outcome", "failure")]), None);
		let refused = "aioracle_oracle_submissions_refused_total";
		assert_eq!(value(&registry, refused, &[(m, &lb)]), Some(1.0));
		let failures = "aioracle_oracle_failures_total";
		assert_eq!(
			value(&registry, failures, &[(m, &lb), ("kind", "wrong_output_shape")]),
			Some(1.0)
		);
		assert_eq!(value(&registry, "aioracle_oracle_model_loads_total", &[(m, &la)]), Some(1.0));
		assert_eq!(value(&registry, "aioracle_oracle_inferences_total", &[(m, &la)]), Some(2.0));
		let seconds = "aioracle_oracle_inference_seconds";
		assert_eq!(value(&registry, seconds, &[(m, &la)]), Some(2.0), "two observations");
		let family = registry.gather().into_iter().find(|f| f.get_name() == seconds).unwrap();
		let histogram = family.get_metric()[0].get_histogram();
		assert!((histogram.get_sample_sum() - 0.003_12).abs() < 1e-9);
	}
}
