//! The off-chain worker: after each imported block, score the pending requests this node's
//! operator keys owe (those whose committees they sit on), oldest first, and submit each
//! key's answers as one signed batch.
//!
//! ## Commit, then reveal
//! For a committee of several, a member first sends a commitment to its outcome with a
//! fresh random salt ([`commitment`]), keeping the outcome and salt in the node's
//! persistent local storage; once reveals are open it sends the reveal from there. A node
//! that lost its local storage between the two cannot reveal, and is slashed as a no-show.
//! Secrets of requests past their deadline are forgotten ([`forget_old_secrets`]).
//!
//! ## Fair and bounded
//! Pending requests are walked by deadline (the `Expiries` lists, which hold ids in the
//! order they were made), so the oldest owed request is scored first and no request waits
//! behind newer ones. A run scores at most `MaxRequestsPerOcwRun` requests and stops
//! scoring after `OcwTimeBudgetMillis`; requests every local key has answered, or has sent
//! an answer for recently, cost nothing but the reads that find them so. What a run leaves
//! is first in line next run.
//!
//! ## Idempotent
//! A local-storage marker per (request, key, kind of answer) records the block an answer
//! was sent in and the boot of the node that sent it ([`NODE_BOOT_ID_KEY`]). Another run of
//! the same boot (or a re-run for the same block) skips it until [`RESEND_AFTER`] blocks
//! have passed without the answer reaching the chain. A restarted node sends it again at
//! once: the transaction died with the old process's pool, and waiting would let a
//! commitment miss its commit window (the member would be slashed as a no-show). The
//! pool and the pallet refuse a second answer anyway.
//!
//! ## Canary
//! For a request sampled by its model's canary ([`CanaryChecks`]), the node scores the
//! input with the candidate version too, timing both versions, and attaches the
//! [`CanaryReport`] to its outcome; a member of a committee of several keeps it with its
//! commitment secret and attaches it to the reveal.
//!
//! ## Model bytes
//! The engine loads a model's bytes from the node's offchain DB itself
//! ([`onnx::load_indexed`]); when the DB lacks them, the node fetches them from the
//! version's URI (streamed, at most the version's size, checked against its hash) and
//! keeps them in the DB. The bytes never enter wasm.

use aioracle_primitives::{
	oracle::{Verdict, NODE_BOOT_ID_KEY},
	metrics::{oracle_metrics, WorkerEvent},
	input::input_blob_key,
	model::{ModelHash, ServingArtifacts},
	onnx::{onnx, ModelSource, ScoreError, ScoreRequest},
};
use alloc::{collections::BTreeMap, vec::Vec};
use frame::deps::{
	frame_system::offchain::SubmitTransaction,
	sp_core::offchain::StorageKind,
	sp_io,
	sp_runtime::offchain::{
		storage::{MutateStorageError, StorageRetrievalError, StorageValueRef},
		Duration,
	},
};

use super::*;

/// Blocks after which an answer that has not reached the chain is sent again.
pub const RESEND_AFTER: u32 = 5;


/// The local-storage key of the "sent" marker of `(request, key)` for answers of `kind`.
fn sent_key<K: Encode>(request: RequestId, key: &K, kind: AnswerKind) -> Vec<u8> {
	(b"aioracle/oracle/sent/", request, key, kind as u8).encode()
}

/// The local-storage key of the outcome and salt a key committed to for a request.
fn secret_key<K: Encode>(request: RequestId, key: &K) -> Vec<u8> {
	(b"aioracle/oracle/commitment/", request, key).encode()
}

/// The kinds of answer, each sent once per (request, key).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum AnswerKind {
	Outcome = 0,
	Commit = 1,
	Reveal = 2,
}

impl AnswerKind {
	fn of(answer: &crate::Answer) -> Self {
		match answer {
			crate::Answer::Outcome(_) => AnswerKind::Outcome,
			crate::Answer::Commit(_) => AnswerKind::Commit,
			crate::Answer::Reveal { .. } => AnswerKind::Reveal,
		}
	}
}

/// The local-storage key of the canary report a key keeps for its reveal of a request.
fn canary_key<K: Encode>(request: RequestId, key: &K) -> Vec<u8> {
	(b"aioracle/oracle/canary/", request, key).encode()
}

/// The local-storage key of the golden-vector verdict for a model hash.
fn golden_key(hash: &ModelHash) -> Vec<u8> {
	(b"aioracle/oracle/golden/", hash).encode()
}

/// An answer to send, with its model's hash (the metrics' label).
#[derive(Clone)]
struct Pending {
	item: BatchItem,
	model_hash: ModelHash,
}

/// One local operator key and what it owes this run.
struct LocalOperator<T: Config> {
	key: T::AuthorityId,
	account: T::AccountId,
	answers: Vec<Pending>,
}

/// Scores and submits what this node's operator keys owe. Called by `offchain_worker`.
pub(crate) fn run<T: Config>(now: BlockNumberFor<T>) {
	let mut operators: Vec<LocalOperator<T>> = T::AuthorityId::all()
		.into_iter()
		.filter_map(|key| {
			OperatorByKey::<T>::get(&key).map(|account| LocalOperator {
				key,
				account,
				answers: Vec::new(),
			})
		})
		.collect();
	if operators.is_empty() {
		return;
	}
	let started = sp_io::offchain::timestamp();
	let stop_at = started.add(Duration::from_millis(T::OcwTimeBudgetMillis::get()));
	let mut models = ModelCache::default();
	let mut scored = 0u32;
	let mut left = 0u32;
	for id in owed_requests_oldest_first::<T>(now) {
		if scored >= T::MaxRequestsPerOcwRun::get() || sp_io::offchain::timestamp() > stop_at {
			left.saturating_inc();
			continue;
		}
		if score_for::<T>(id, now, &mut operators, &mut models) {
			scored.saturating_inc();
		}
	}
	let keys: Vec<T::AuthorityId> = operators.iter().map(|o| o.key.clone()).collect();
	let mut sent = 0u32;
	for operator in operators {
		sent.saturating_accrue(submit_all::<T>(operator.key, operator.answers));
	}
	forget_old_secrets::<T>(&keys);
	validate_proposed::<T>(now, &keys);
	if scored > 0 || left > 0 {
		let elapsed = sp_io::offchain::timestamp().diff(&started).millis();
		log::info!(
			target: LOG_TARGET,
			"off-chain worker at block {now:?}: {scored} requests scored, {sent} answers submitted in {elapsed} ms{}",
			if left > 0 {
				alloc::format!("; over budget, {left} pending requests not looked at")
			} else {
				alloc::string::String::new()
			}
		);
	}
}

/// The pending requests that can still take a submission in the next block, oldest
/// first: the `Expiries` lists from the earliest deadline on.
fn owed_requests_oldest_first<T: Config>(
	now: BlockNumberFor<T>,
) -> impl Iterator<Item = RequestId> {
	// A request whose deadline is `now + 1` or later is listed under `deadline + 1`.
	let first = now.saturating_add(2u32.into());
	let last = now.saturating_add(T::ResponseWindow::get()).saturating_add(One::one());
	let mut block = first;
	core::iter::from_fn(move || {
		if block > last {
			return None;
		}
		let ids = Expiries::<T>::get(block);
		block = block.saturating_add(One::one());
		Some(ids.into_inner())
	})
	.flatten()
	.filter(|id| PendingRequests::<T>::contains_key(id))
}

/// Adds to each local key's batch what it owes request `id`: the outcome (a committee of
/// one), a commitment, or a reveal. Scores the request at most once, and only if a key
/// owes an outcome or a commitment. Returns whether it scored.
fn score_for<T: Config>(
	id: RequestId,
	now: BlockNumberFor<T>,
	operators: &mut [LocalOperator<T>],
	models: &mut ModelCache,
) -> bool {
	let Some(request) = Requests::<T>::get(id) else { return false };
	if request.status != RequestStatus::Pending || request.deadline <= now {
		return false;
	}
	let committee = Committees::<T>::get(id);
	let submitted = Submissions::<T>::get(id);
	let several = committee.len() > 1;
	let commits = if several { Commits::<T>::get(id) } else { Default::default() };
	let open = several && Pallet::<T>::reveals_open(&request, committee.len(), commits.len());
	let model_hash = request.model_hash;
	let mut scored: Option<(Outcome<Vec<i64>>, u32)> = None;
	let canary = CanaryChecks::<T>::get(id);
	let mut canary_report: Option<CanaryReport<Vec<i64>>> = None;
	// Counted once per request, however many local keys answer it.
	let mut seen = false;
	for operator in operators.iter_mut() {
		let account = &operator.account;
		if !committee.contains(account) || submitted.iter().any(|s| &s.operator == account) {
			continue;
		}
		let committed = commits.iter().any(|(who, _)| who == account);
		let kind = match (several, committed, open) {
			(false, _, _) => AnswerKind::Outcome,
			(true, false, false) => AnswerKind::Commit,
			(true, true, true) => AnswerKind::Reveal,
			// Committed, waiting for reveals; or too late to commit.
			_ => continue,
		};
		let Some(claim) = claim::<T>(id, &operator.key, kind, now) else { continue };
		if claim == Claim::First && kind != AnswerKind::Reveal && !seen {
			oracle_metrics::record(WorkerEvent::RequestSeen { model_hash });
			seen = true;
		}
		if kind != AnswerKind::Reveal && scored.is_none() {
			// Loaded and checked first, so that only the scoring is timed.
			let _ = models.prepare::<T>(request.model, request.version, model_hash, &request.contract);
			scored = Some(timed(|| score::<T>(id, &request, models)));
		}
		if let (Some(check), Some((_, active_millis)), None) = (&canary, &scored, &canary_report) {
			if kind != AnswerKind::Reveal {
				canary_report = Some(score_candidate::<T>(id, &request, check, *active_millis, models));
			}
		}
		let (answer, report) = match kind {
			AnswerKind::Outcome => {
				let outcome = scored.as_ref().map(|(o, _)| o.clone()).unwrap_or(Outcome::Failed(Failure::InputUnavailable));
				(crate::Answer::Outcome(outcome), canary_report.clone())
			},
			AnswerKind::Commit => {
				let outcome = scored.as_ref().map(|(o, _)| o.clone()).unwrap_or(Outcome::Failed(Failure::InputUnavailable));
				let salt = sp_io::offchain::random_seed();
				let hash = commitment(id, account, &outcome, &salt);
				StorageValueRef::persistent(&secret_key(id, &operator.key)).set(&(outcome, salt));
				if let Some(report) = &canary_report {
					StorageValueRef::persistent(&canary_key(id, &operator.key)).set(report);
				}
				(crate::Answer::Commit(hash), None)
			},
			AnswerKind::Reveal => {
				let secret_at = secret_key(id, &operator.key);
				let secret = StorageValueRef::persistent(&secret_at);
				let report = StorageValueRef::persistent(&canary_key(id, &operator.key))
					.get::<CanaryReport<Vec<i64>>>()
					.ok()
					.flatten();
				match secret.get::<(Outcome<Vec<i64>>, [u8; 32])>() {
					Ok(Some((outcome, salt))) => (crate::Answer::Reveal { outcome, salt }, report),
					_ => {
						log::warn!(
							target: LOG_TARGET,
							"request {id}: the outcome committed to is not in local storage; cannot reveal"
						);
						continue;
					},
				}
			},
		};
		let item = BatchItem { request: id, answer, canary: report };
		operator.answers.push(Pending { item, model_hash });
	}
	scored.is_some()
}

/// Runs `f` and measures it in wall-clock milliseconds (the worker's clock resolution).
fn timed<R>(f: impl FnOnce() -> R) -> (R, u32) {
	let started = sp_io::offchain::timestamp();
	let result = f();
	let millis = sp_io::offchain::timestamp().diff(&started).millis();
	(result, u32::try_from(millis).unwrap_or(u32::MAX))
}

/// Scores sampled request `id` with its canary's candidate (`check`), under the request's
/// contract (the candidate is served alike), after the active version took
/// `active_millis`. The candidate is loaded and its golden vectors checked under its own
/// contract first, as for any version this node serves.
fn score_candidate<T: Config>(
	id: RequestId,
	request: &RequestOf<T>,
	check: &CanaryCheck,
	active_millis: u32,
	models: &mut ModelCache,
) -> CanaryReport<Vec<i64>> {
	let own = T::Models::contract(request.model, check.version).map(|(_, contract)| contract);
	if let Some(own) = &own {
		// Loaded and checked first, so that only the scoring is timed.
		let _ = models.prepare::<T>(request.model, check.version, check.model_hash, own);
	}
	let (outcome, candidate_millis) = timed(|| {
		match (own, input_values::<T>(id, request)) {
			(Some(own), Ok(input)) => models.score_version::<T>(
				request.model,
				check.version,
				check.model_hash,
				&own,
				&request.contract,
				input,
			),
			(None, _) => Outcome::Failed(Failure::ModelBytesUnavailable),
			(_, Err(failure)) => Outcome::Failed(failure),
		}
	});
	if let Outcome::Failed(failure) = &outcome {
		log::warn!(target: LOG_TARGET, "request {id}: canary version {} cannot score: {failure:?}", check.version);
	}
	CanaryReport { outcome, candidate_millis, active_millis }
}

/// Scores `request` (`id`) with its version, and logs and counts a failure.
fn score<T: Config>(id: RequestId, request: &RequestOf<T>, models: &mut ModelCache) -> Outcome<Vec<i64>> {
	let outcome = match input_values::<T>(id, request) {
		Ok(input) => models.score::<T>(request, input),
		Err(failure) => Outcome::Failed(failure),
	};
	match &outcome {
		Outcome::Output(output) => {
			log::debug!(target: LOG_TARGET, "request {id}: scored {} elements", output.len())
		},
		Outcome::Failed(failure) => {
			log::warn!(target: LOG_TARGET, "request {id}: cannot score: {failure:?}");
			let model_hash = request.model_hash;
			oracle_metrics::record(WorkerEvent::Failed { model_hash, failure: *failure });
		},
	}
	outcome
}

/// The local-storage key of the first request id whose commitment secrets are kept.
const SECRETS_KEPT_FROM: &[u8] = b"aioracle/oracle/commitment-secrets-kept-from";

/// Forgets the commitment secrets of `keys` for requests past their deadline, so that the
/// node's local storage does not grow with every request answered. Ids are sequential and
/// at most `MaxRequestsPerBlock` are made per block, so a request older than the newest
/// `(ResponseWindow + 2) * MaxRequestsPerBlock` takes no more reveals. At most two blocks'
/// worth of ids per run; a node without a record starts from there.
fn forget_old_secrets<T: Config>(keys: &[T::AuthorityId]) {
	let per_block = u64::from(T::MaxRequestsPerBlock::get());
	let window = T::ResponseWindow::get().saturated_into::<u64>().saturating_add(2);
	let forget_before = NextRequestId::<T>::get().saturating_sub(window.saturating_mul(per_block));
	let kept_from = StorageValueRef::persistent(SECRETS_KEPT_FROM);
	let from = kept_from.get::<RequestId>().ok().flatten().unwrap_or(forget_before);
	let to = forget_before.min(from.saturating_add(per_block.saturating_mul(2)));
	for id in from..to {
		for key in keys {
			StorageValueRef::persistent(&secret_key(id, key)).clear();
			StorageValueRef::persistent(&canary_key(id, key)).clear();
		}
	}
	kept_from.set(&to.max(from));
}

/// Why a `(request, key)` is sent in this run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Claim {
	/// Never sent before.
	First,
	/// Sent [`RESEND_AFTER`] or more blocks ago, and not on-chain yet.
	Resend,
}

/// The id the node wrote at its start ([`NODE_BOOT_ID_KEY`]); zeros if it wrote none.
fn boot_id() -> [u8; 16] {
	let stored = sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, NODE_BOOT_ID_KEY);
	let mut id = [0u8; 16];
	if let Some(bytes) = stored {
		let len = bytes.len().min(16);
		id[..len].copy_from_slice(&bytes[..len]);
	}
	id
}

/// A "sent" marker: the block it was sent in, and the boot of the node that sent it.
type SentMarker = (u32, [u8; 16]);

/// Whether a marker read as `sent` stops a send at block `now`: it was sent by this boot
/// of the node less than [`RESEND_AFTER`] blocks ago. A marker of an earlier boot does not:
/// its transaction died with that process's pool.
fn recently_sent(sent: &Result<Option<SentMarker>, StorageRetrievalError>, now: u32, boot: &[u8; 16]) -> bool {
	matches!(sent, Ok(Some((at, by))) if by == boot && now < at.saturating_add(RESEND_AFTER))
}

/// Marks `(request, key)`'s answer of `kind` as sent at `now`, unless this boot of the node
/// sent it less than [`RESEND_AFTER`] blocks ago. Returns why the caller should send it, or
/// `None` if it should not.
fn claim<T: Config>(
	request: RequestId,
	key: &T::AuthorityId,
	kind: AnswerKind,
	now: BlockNumberFor<T>,
) -> Option<Claim> {
	let marker_key = sent_key(request, key, kind);
	let marker = StorageValueRef::persistent(&marker_key);
	let now: u32 = now.saturated_into();
	let boot = boot_id();
	let mut claim = Claim::First;
	let result = marker.mutate(|sent: Result<Option<SentMarker>, StorageRetrievalError>| {
		if recently_sent(&sent, now, &boot) {
			return Err(());
		}
		if matches!(sent, Ok(Some(_))) {
			claim = Claim::Resend;
		}
		Ok((now, boot))
	});
	match result {
		Ok(_) => Some(claim),
		Err(MutateStorageError::ValueFunctionFailed(())) => None,
		// Another worker changed the marker concurrently: it is sending.
		Err(MutateStorageError::ConcurrentModification(_)) => None,
	}
}

/// Submits `answers` signed by `key`, in batches sized by [`batch_capacity`]: at most
/// `MaxBatchLen` items, and a weight that fits in one extrinsic. Failures go in
/// batches of their own (a failure is charged at `MaxOutputLen`). Returns how many
/// answers the pool accepted; the markers of refused ones are cleared so that the next
/// run tries again.
fn submit_all<T: Config>(key: T::AuthorityId, answers: Vec<Pending>) -> u32 {
	let (failures, outputs): (Vec<_>, Vec<_>) = answers
		.into_iter()
		.partition(|a| matches!(a.item.answer.outcome(), Some(Outcome::Failed(_))));
	let mut accepted = 0u32;
	for group in [outputs, failures] {
		let mut rest = group.as_slice();
		while !rest.is_empty() {
			let take = batch_capacity::<T>(rest);
			let (chunk, tail) = rest.split_at(take.min(rest.len()));
			rest = tail;
			let items = chunk.iter().map(|a| a.item.clone()).collect();
			let batch = ResultBatch { key: key.clone(), items };
			match submit_batch::<T>(batch) {
				Ok(()) => {
					accepted.saturating_accrue(chunk.len() as u32);
					for Pending { item, model_hash } in chunk {
						let output = !matches!(item.answer.outcome(), Some(Outcome::Failed(_)));
						let model_hash = *model_hash;
						oracle_metrics::record(WorkerEvent::SubmissionSent { model_hash, output });
					}
				},
				Err(e) => {
					log::warn!(
						target: LOG_TARGET,
						"a batch of {} answers was not sent: {e}",
						chunk.len()
					);
					for Pending { item, model_hash } in chunk {
						let model_hash = *model_hash;
						oracle_metrics::record(WorkerEvent::SubmissionRefused { model_hash });
						// Let the next run try again.
						let kind = AnswerKind::of(&item.answer);
						StorageValueRef::persistent(&sent_key(item.request, &key, kind)).clear();
					}
				},
			}
		}
	}
	accepted
}

/// How many of the leading `items` one batch carries: at most `MaxBatchLen`, halved until
/// the batch fits [`Pallet::batch_fits`].
fn batch_capacity<T: Config>(items: &[Pending]) -> usize {
	let max_len = T::MaxOutputLen::get();
	let fits = |n: usize| {
		let head = || items.iter().take(n).map(|a| &a.item.answer);
		let len = charged_output_len(head(), max_len);
		let closing = head().filter(|answer| answer.closes()).count();
		Pallet::<T>::batch_fits(n as u32, closing as u32, len)
	};
	let mut n = items.len().min(T::MaxBatchLen::get() as usize).max(1);
	while n > 1 && !fits(n) {
		n /= 2;
	}
	n
}

/// Signs `batch` with its key and submits it as an authorized transaction.
fn submit_batch<T: Config>(batch: ResultBatchOf<T>) -> Result<(), &'static str> {
	let signature =
		batch.key.sign(&batch.signing_payload()).ok_or("the orcl key cannot sign")?;
	let call = Call::submit_results { batch, signature };
	let xt = T::create_authorized_transaction(call.into());
	SubmitTransaction::<T, Call<T>>::submit_transaction(xt)
		.map_err(|_| "the transaction pool refused the batch")
}

/// What this run knows of each model it scored with: loaded and checked, or why not. A
/// model is prepared once per run, however many of its requests the run scores.
#[derive(Default)]
struct ModelCache(BTreeMap<ModelHash, Result<(), Failure>>);

impl ModelCache {
	/// Scores `request`'s `input` with the version it was made for.
	fn score<T: Config>(&mut self, request: &RequestOf<T>, input: Vec<i64>) -> Outcome<Vec<i64>> {
		let contract = &request.contract;
		self.score_version::<T>(request.model, request.version, request.model_hash, contract, contract, input)
	}

	/// Loads version `version` of `model` (ONNX hash `hash`) and checks it under its `own`
	/// contract, once per run.
	fn prepare<T: Config>(
		&mut self,
		model: ModelId,
		version: VersionId,
		hash: ModelHash,
		own: &ServingContract,
	) -> Result<(), Failure> {
		*self.0.entry(hash).or_insert_with(|| check_version::<T>(model, version, hash, own))
	}

	/// Scores `input` with version `version` of `model` (ONNX hash `hash`), checked once
	/// per run under its `own` contract, and served under `serving`: the request's.
	fn score_version<T: Config>(
		&mut self,
		model: ModelId,
		version: VersionId,
		hash: ModelHash,
		own: &ServingContract,
		serving: &ServingContract,
		input: Vec<i64>,
	) -> Outcome<Vec<i64>> {
		if let Err(failure) = self.prepare::<T>(model, version, hash, own) {
			return Outcome::Failed(failure);
		}
		let score_request = || serving.score_request(input.clone());
		match onnx::score(hash, score_request()) {
			// The engine evicted the plan since: load it again.
			Err(ScoreError::UnknownModel) => match load::<T>(model, version, hash) {
				Ok(()) => onnx::score(hash, score_request()).map_err(Failure::Engine),
				Err(failure) => Err(failure),
			},
			result => result.map_err(Failure::Engine),
		}
		.and_then(|values| report(serving, values))
		.map_or_else(Outcome::Failed, Outcome::Output)
	}
}

/// The input of request `id`: inline, or the blob it names read from the offchain DB,
/// checked against its hash and decoded as its version declares. A blob this node lacks,
/// or whose bytes do not match or decode, is `InputUnavailable`.
fn input_values<T: Config>(id: RequestId, request: &RequestOf<T>) -> Result<Vec<i64>, Failure> {
	let Some(reference) = RequestInputs::<T>::get(id) else {
		return Ok(request.input.to_vec());
	};
	let key = input_blob_key(&reference.blob);
	let bytes = sp_io::offchain::local_storage_get(StorageKind::PERSISTENT, &key)
		.filter(|bytes| sp_io::hashing::blake2_256(bytes) == reference.blob.0)
		.ok_or(Failure::InputUnavailable)?;
	T::Models::input_decoding(request.model, request.version)
		.decode(&bytes, &request.contract.inputs)
		.map_err(|_| Failure::InputUnavailable)
}

/// What an operator reports for the engine's whole output `values` under `contract`: the
/// output itself, or its reduction ([`Aggregation::report`]). An output of another size
/// than the contract's is the engine's `WrongOutputShape`.
fn report(contract: &ServingContract, values: Vec<i64>) -> Result<Vec<i64>, Failure> {
	contract.report(values).ok_or(Failure::Engine(ScoreError::WrongOutputShape))
}

/// Loads version `version` of `model` (ONNX hash `hash`) into the engine if needed, and
/// checks once per hash (the verdict is kept in local storage) that the engine reproduces
/// its golden vectors under `contract`.
fn check_version<T: Config>(
	model: ModelId,
	version: VersionId,
	hash: ModelHash,
	contract: &ServingContract,
) -> Result<(), Failure> {
	if !onnx::is_loaded(hash).map_err(Failure::Engine)? {
		load::<T>(model, version, hash)?;
	}
	let verdict_key = golden_key(&hash);
	let verdict = StorageValueRef::persistent(&verdict_key);
	match verdict.get::<bool>() {
		Ok(Some(true)) => return Ok(()),
		Ok(Some(false)) => return Err(Failure::GoldenVectorMismatch),
		_ => {},
	}
	// Versions are never deleted once a request can use them.
	let artifacts = T::Models::artifacts(model, version).ok_or(Failure::ModelBytesUnavailable)?;
	let reproduced = golden_vectors_reproduced(hash, contract, &artifacts)?;
	verdict.set(&reproduced);
	if reproduced {
		log::info!(
			target: LOG_TARGET,
			"model {hash:?}: {} golden vectors reproduced",
			artifacts.golden_vectors.len()
		);
		Ok(())
	} else {
		log::warn!(
			target: LOG_TARGET,
			"model {hash:?}: golden vectors NOT reproduced; this node will not serve it"
		);
		Err(Failure::GoldenVectorMismatch)
	}
}

/// Whether the engine's outputs for every golden input agree with the expected outputs by
/// the version's own rule ([`Aggregation::agrees`]), on what an operator reports.
fn golden_vectors_reproduced(
	hash: ModelHash,
	contract: &ServingContract,
	artifacts: &ServingArtifacts,
) -> Result<bool, Failure> {
	for golden in &artifacts.golden_vectors {
		let request: ScoreRequest = contract.score_request(golden.input.clone());
		let output = report(contract, onnx::score(hash, request).map_err(Failure::Engine)?)?;
		if !contract.agrees(&output, &golden.output) {
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

/// The most proposed versions one run checks (loads and scores their golden vectors).
const VERSIONS_CHECKED_PER_RUN: u32 = 4;

/// The most proposed versions one run looks at to find those its keys owe a verdict.
const PROPOSED_LOOKED_AT: u32 = 256;

/// The local-storage key of the "sent" marker of `key`'s verdict on a version.
fn verdict_sent_key<K: Encode>(model: ModelId, version: VersionId, key: &K) -> Vec<u8> {
	(b"aioracle/oracle/verdict-sent/", model, version, key).encode()
}

/// Checks the proposed versions that local keys of operators in the set have not judged
/// yet (at most [`VERSIONS_CHECKED_PER_RUN`]), and submits each key's verdict (see
/// [`validation`]). A verdict sent is not sent again for [`RESEND_AFTER`] blocks.
fn validate_proposed<T: Config>(now: BlockNumberFor<T>, keys: &[T::AuthorityId]) {
	let set = OperatorSet::<T>::get();
	let judges: Vec<(T::AuthorityId, T::AccountId)> = keys
		.iter()
		.filter_map(|key| Some((key.clone(), OperatorByKey::<T>::get(key)?)))
		.filter(|(_, account)| set.iter().any(|(member, _)| member == account))
		.collect();
	if judges.is_empty() {
		return;
	}
	let now: u32 = now.saturated_into();
	let boot = boot_id();
	let mut checked = 0;
	for (model, version) in T::Models::proposed_versions(PROPOSED_LOOKED_AT) {
		if checked >= VERSIONS_CHECKED_PER_RUN {
			break;
		}
		let judged = Verdicts::<T>::get(model, version);
		let owing: Vec<&T::AuthorityId> = judges
			.iter()
			.filter(|(_, account)| !judged.iter().any(|(who, _)| who == account))
			.map(|(key, _)| key)
			.filter(|key| {
				let marker = verdict_sent_key(model, version, *key);
				let sent = StorageValueRef::persistent(&marker).get::<SentMarker>();
				!recently_sent(&sent, now, &boot)
			})
			.collect();
		if owing.is_empty() {
			continue;
		}
		let Some((hash, contract)) = T::Models::contract(model, version) else { continue };
		checked += 1;
		let verdict = match check_version::<T>(model, version, hash, &contract) {
			Ok(()) => Verdict::Reproduced,
			Err(failure) => Verdict::Failed(failure),
		};
		log::info!(target: LOG_TARGET, "proposed model {model} version {version}: {verdict:?}");
		for key in owing {
			let verdict = VersionVerdict { model, version, key: key.clone(), verdict };
			match submit_verdict::<T>(verdict) {
				Ok(()) => {
					StorageValueRef::persistent(&verdict_sent_key(model, version, key))
						.set(&(now, boot))
				},
				Err(e) => log::warn!(target: LOG_TARGET, "a verdict was not sent: {e}"),
			}
		}
	}
}

/// Signs `verdict` with its key and submits it as an authorized transaction.
fn submit_verdict<T: Config>(verdict: VersionVerdict<T::AuthorityId>) -> Result<(), &'static str> {
	let signature =
		verdict.key.sign(&verdict.signing_payload()).ok_or("the orcl key cannot sign")?;
	let call = Call::submit_verdict { verdict, signature };
	let xt = T::create_authorized_transaction(call.into());
	SubmitTransaction::<T, Call<T>>::submit_transaction(xt)
		.map_err(|_| "the transaction pool refused the verdict")
}

/// Loads a version's bytes into the engine: the node reads them from its offchain DB
/// (where the registry indexed them) or, if it has none, fetches them from the version's
/// URI itself, checks them against the hash and keeps them in the DB. The bytes never
/// enter wasm.
fn load<T: Config>(model: ModelId, version: VersionId, hash: ModelHash) -> Result<(), Failure> {
	let source = T::Models::artifacts(model, version)
		.map(|a| ModelSource { uri: a.uri, size_bytes: a.size_bytes })
		.unwrap_or(ModelSource { uri: Vec::new(), size_bytes: 0 });
	let uri = source.uri.clone();
	if onnx::load_indexed(hash, source).map_err(Failure::Engine)? {
		log::info!(target: LOG_TARGET, "model {hash:?} loaded");
		return Ok(());
	}
	log::warn!(
		target: LOG_TARGET,
		"model {hash:?}: no bytes in the offchain DB, none fetched from {}",
		core::str::from_utf8(&uri).unwrap_or("<non-UTF-8 URI>")
	);
	Err(Failure::ModelBytesUnavailable)
}
