//! The off-chain worker: after each imported block, score the pending requests this node's
//! operator keys have not answered, and submit one signed result per (request, key).
//!
//! Idempotent: a local-storage marker per (request, key) records the block a submission
//! was sent in; another run (or a re-run for the same block) skips it until
//! [`RESEND_AFTER`] blocks have passed without the submission reaching the chain, and the
//! pallet refuses a second submission anyway.

use aioracle_primitives::{
	metrics::{oracle_metrics, WorkerEvent},
	model::{model_bytes_key, ModelHash, VersionView},
	onnx::{onnx, ScoreError, ScoreRequest},
};
use alloc::vec::Vec;
use frame::deps::{
	frame_system::offchain::SubmitTransaction,
	sp_core::offchain::StorageKind,
	sp_io,
	sp_runtime::offchain::{
		http,
		storage::{MutateStorageError, StorageRetrievalError, StorageValueRef},
		Duration,
	},
};

use super::*;

/// Blocks after which a submission that has not reached the chain is sent again.
pub const RESEND_AFTER: u32 = 5;

/// How long fetching a model's bytes from its URI may take.
const FETCH_TIMEOUT_MS: u64 = 10_000;

/// The local-storage key of the "sent" marker of `(request, key)`.
fn sent_key<K: Encode>(request: RequestId, key: &K) -> Vec<u8> {
	(b"aioracle/oracle/sent/", request, key).encode()
}

/// The local-storage key of the golden-vector verdict for a model hash.
fn golden_key(hash: &ModelHash) -> Vec<u8> {
	(b"aioracle/oracle/golden/", hash).encode()
}

/// Scores and submits what this node's operator keys owe. Called by `offchain_worker`.
pub(crate) fn run<T: Config>(now: BlockNumberFor<T>) {
	let keys: Vec<(T::AuthorityId, T::AccountId)> = T::AuthorityId::all()
		.into_iter()
		.filter_map(|key| OperatorByKey::<T>::get(&key).map(|account| (key, account)))
		.collect();
	if keys.is_empty() {
		return;
	}
	let started = sp_io::offchain::timestamp();
	let mut scored = 0u32;
	for id in PendingRequests::<T>::iter_keys().take(T::MaxRequestsPerOcwRun::get() as usize) {
		let Some(request) = Requests::<T>::get(id) else { continue };
		let model_hash = request.model_hash;
		let submitted = Submissions::<T>::get(id);
		let owed: Vec<_> = keys
			.iter()
			.filter(|(_, account)| !submitted.iter().any(|s| &s.operator == account))
			.filter_map(|(key, _)| claim::<T>(id, key, now).map(|claim| (key, claim)))
			.collect();
		if owed.is_empty() {
			continue;
		}
		if owed.iter().any(|(_, claim)| *claim == Claim::First) {
			oracle_metrics::record(WorkerEvent::RequestSeen { model_hash });
		}
		let outcome = score::<T>(&request);
		scored += 1;
		match &outcome {
			Outcome::Output(output) => {
				log::info!(target: LOG_TARGET, "request {id}: scored {} elements", output.len())
			}
			Outcome::Failed(failure) => {
				log::warn!(target: LOG_TARGET, "request {id}: cannot score: {failure:?}");
				oracle_metrics::record(WorkerEvent::Failed { model_hash, failure: *failure });
			}
		}
		let output = matches!(outcome, Outcome::Output(_));
		for (key, _) in owed {
			match submit::<T>(id, key.clone(), outcome.clone()) {
				Ok(()) => oracle_metrics::record(WorkerEvent::SubmissionSent { model_hash, output }),
				Err(e) => {
					log::warn!(target: LOG_TARGET, "request {id}: submission not sent: {e}");
					oracle_metrics::record(WorkerEvent::SubmissionRefused { model_hash });
					// Let the next run try again.
					StorageValueRef::persistent(&sent_key(id, key)).clear();
				}
			}
		}
	}
	if scored > 0 {
		let elapsed = sp_io::offchain::timestamp().diff(&started).millis();
		log::info!(
			target: LOG_TARGET,
			"off-chain worker at block {now:?}: {scored} requests scored and submitted in {elapsed} ms"
		);
	}
}

/// Why a `(request, key)` is sent in this run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Claim {
	/// Never sent before.
	First,
	/// Sent [`RESEND_AFTER`] or more blocks ago, and not on-chain yet.
	Resend,
}

/// Marks `(request, key)` as sent at `now`, unless it was sent less than [`RESEND_AFTER`]
/// blocks ago. Returns why the caller should send it, or `None` if it should not.
fn claim<T: Config>(
	request: RequestId,
	key: &T::AuthorityId,
	now: BlockNumberFor<T>,
) -> Option<Claim> {
	let marker_key = sent_key(request, key);
	let marker = StorageValueRef::persistent(&marker_key);
	let resend_after: BlockNumberFor<T> = RESEND_AFTER.into();
	let mut claim = Claim::First;
	let result =
		marker.mutate(
			|sent: Result<Option<BlockNumberFor<T>>, StorageRetrievalError>| match sent {
				Ok(Some(at)) if now < at.saturating_add(resend_after) => Err(()),
				Ok(Some(_)) => {
					claim = Claim::Resend;
					Ok(now)
				}
				_ => Ok(now),
			},
		);
	match result {
		Ok(_) => Some(claim),
		Err(MutateStorageError::ValueFunctionFailed(())) => None,
		// Another worker changed the marker concurrently: it is sending.
		Err(MutateStorageError::ConcurrentModification(_)) => None,
	}
}

/// Signs `outcome` for `request` with `key` and submits it as an authorized transaction.
fn submit<T: Config>(
	request: RequestId,
	key: T::AuthorityId,
	outcome: Outcome<Vec<i64>>,
) -> Result<(), &'static str> {
	let submission = ResultSubmission { request, key, outcome };
	let signature = submission.key.sign(&submission.encode()).ok_or("the orcl key cannot sign")?;
	let call = Call::submit_result { submission, signature };
	let xt = T::create_authorized_transaction(call.into());
	SubmitTransaction::<T, Call<T>>::submit_transaction(xt)
		.map_err(|_| "the transaction pool refused the submission")
}

/// Scores a request with the version it was made for.
fn score<T: Config>(request: &RequestOf<T>) -> Outcome<Vec<i64>> {
	let Some(version) = T::Models::version(request.model, request.version) else {
		// Versions are never deleted once a request can use them.
		return Outcome::Failed(Failure::ModelBytesUnavailable);
	};
	if let Err(failure) = ensure_ready(&version) {
		return Outcome::Failed(failure);
	}
	match score_loaded(&version, score_request(&version, request.input.to_vec())) {
		Ok(output) => Outcome::Output(output),
		Err(failure) => Outcome::Failed(failure),
	}
}

/// Scores with the engine, loading the bytes again if the engine evicted them.
fn score_loaded<B, N>(
	version: &VersionView<B, N>,
	request: ScoreRequest,
) -> Result<Vec<i64>, Failure> {
	match onnx::score(version.model_hash, request.clone()) {
		Err(ScoreError::UnknownModel) => {
			load(version)?;
			onnx::score(version.model_hash, request).map_err(Failure::Engine)
		}
		result => result.map_err(Failure::Engine),
	}
}

/// Loads the version's model into the engine if needed, and checks once per model that
/// the engine reproduces its golden vectors.
fn ensure_ready<B, N>(version: &VersionView<B, N>) -> Result<(), Failure> {
	if !onnx::is_loaded(version.model_hash).map_err(Failure::Engine)? {
		load(version)?;
	}
	let verdict_key = golden_key(&version.model_hash);
	let verdict = StorageValueRef::persistent(&verdict_key);
	match verdict.get::<bool>() {
		Ok(Some(true)) => return Ok(()),
		Ok(Some(false)) => return Err(Failure::GoldenVectorMismatch),
		_ => {}
	}
	let reproduced = golden_vectors_reproduced(version)?;
	verdict.set(&reproduced);
	if reproduced {
		log::info!(
			target: LOG_TARGET,
			"model {:?}: {} golden vectors reproduced",
			version.model_hash,
			version.golden_vectors.len()
		);
		Ok(())
	} else {
		log::warn!(
			target: LOG_TARGET,
			"model {:?}: golden vectors NOT reproduced; this node will not serve it",
			version.model_hash
		);
		Err(Failure::GoldenVectorMismatch)
	}
}

/// Whether the engine's outputs for every golden input agree with the expected outputs by
/// the version's own rule ([`Aggregation::agrees`]).
fn golden_vectors_reproduced<B, N>(version: &VersionView<B, N>) -> Result<bool, Failure> {
	for golden in &version.golden_vectors {
		let output = score_loaded(version, score_request(version, golden.input.clone()))?;
		if !version.aggregation.agrees(&output, &golden.output) {
			log::warn!(
				target: LOG_TARGET,
				"golden vector: expected {:?}, the engine gives {:?}",
				golden.output,
				output
			);
			return Ok(false);
		}
	}
	Ok(true)
}

/// What the engine is asked to score for `values` under the version's contract.
fn score_request<B, N>(version: &VersionView<B, N>, values: Vec<i64>) -> ScoreRequest {
	ScoreRequest {
		input: version.input.clone(),
		output: version.output.clone(),
		input_scale: version.input_scale,
		output_scale: version.output_scale,
		values,
	}
}

/// Loads the version's bytes into the engine: from the offchain DB (where the registry
/// indexed them), else from its URI, checking the hash.
fn load<B, N>(version: &VersionView<B, N>) -> Result<(), Failure> {
	let key = model_bytes_key(&version.model_hash);
	let bytes = match sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &key) {
		Some(bytes) => bytes,
		None => {
			log::info!(
				target: LOG_TARGET,
				"model {:?} not in the offchain DB; fetching {}",
				version.model_hash,
				core::str::from_utf8(&version.uri).unwrap_or("<non-UTF-8 URI>")
			);
			let bytes = fetch(&version.uri).ok_or(Failure::ModelBytesUnavailable)?;
			if ModelHash::from(sp_io::hashing::blake2_256(&bytes)) != version.model_hash {
				log::warn!(target: LOG_TARGET, "the bytes at the URI do not match the hash");
				return Err(Failure::ModelBytesUnavailable);
			}
			// Keep them for next time.
			sp_io::offchain::local_storage_set(StorageKind::PERSISTENT, &key, &bytes);
			bytes
		}
	};
	onnx::load(version.model_hash, &bytes).map_err(Failure::Engine)?;
	log::info!(target: LOG_TARGET, "model {:?} loaded ({} bytes)", version.model_hash, bytes.len());
	Ok(())
}

/// GETs `uri` over the off-chain worker's HTTP client; `None` on any failure.
fn fetch(uri: &[u8]) -> Option<Vec<u8>> {
	let uri = core::str::from_utf8(uri).ok().filter(|u| !u.is_empty())?;
	let deadline = sp_io::offchain::timestamp().add(Duration::from_millis(FETCH_TIMEOUT_MS));
	let pending = http::Request::get(uri).deadline(deadline).send().ok()?;
	let response = pending.try_wait(deadline).ok()?.ok()?;
	if response.code != 200 {
		log::warn!(target: LOG_TARGET, "GET {uri}: HTTP {}", response.code);
		return None;
	}
	Some(response.body().collect())
}
