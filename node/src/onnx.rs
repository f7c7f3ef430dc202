//! The ONNX engine behind the `onnx` host functions: `aioracle-inference` (tract), adapted
//! to the [`Scorer`] interface that off-chain workers reach through [`OnnxExt`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aioracle_inference::{Engine, EngineError, EngineLimits};
use aioracle_primitives::{
	model::{model_bytes_key, model_chunk_key, model_manifest_key, ChunkHash, ModelHash},
	onnx::{ModelSource, ScoreError, ScoreRequest, Scorer},
};
use codec::Decode;

use crate::model_fetch::ModelFetcher;

/// How many optimised model plans the engine keeps (least recently used evicted).
pub const PLAN_CACHE_CAPACITY: usize = 16;

/// The log target of the node's ONNX engine.
const LOG_TARGET: &str = "onnx";

use crate::metrics::OracleMetrics;

/// A failed fetch of a model's bytes is not tried again for this long: workers of the
/// next blocks would otherwise each wait for a URI that does not answer.
const FETCH_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Reads a value of the node's offchain DB (persistent local storage) by key.
pub type OffchainDbReader = Box<dyn Fn(&[u8]) -> Option<Vec<u8>> + Send + Sync>;

/// Writes a value of the node's offchain DB (persistent local storage) by key.
pub type OffchainDbWriter = Box<dyn Fn(&[u8], &[u8]) + Send + Sync>;

/// How the node's engine loads and scores: its limits (`--onnx-max-*`) and how it fetches
/// model bytes its offchain DB lacks (`--ipfs-gateway`).
#[derive(Clone, Debug)]
pub struct EngineConfig {
	/// Time and memory budgets.
	pub limits: EngineLimits,
	/// The URI fetcher.
	pub fetcher: ModelFetcher,
}

/// The engine, as off-chain workers' host functions see it.
pub struct EngineScorer {
	engine: Engine,
	metrics: Option<Arc<OracleMetrics>>,
	offchain_db: Option<OffchainDbReader>,
	offchain_db_writer: Option<OffchainDbWriter>,
	fetcher: Option<ModelFetcher>,
	/// When a fetch of each model last failed (see [`FETCH_RETRY_AFTER`]).
	failed_fetches: Mutex<HashMap<ModelHash, Instant>>,
	/// Held while a model is read from the offchain DB (or fetched) and loaded: workers of
	/// overlapping blocks that both want a model wait for one load instead of assembling
	/// or fetching a large file twice.
	indexed_load: Mutex<()>,
}

/// The node's engine: caching up to `capacity` models, loading and scoring them within
/// `limits`. Its worker threads unwind on a panic (which the engine reports as a failure
/// of the model) instead of exiting the node, as Substrate's panic handler otherwise does.
pub fn engine(capacity: usize, limits: EngineLimits) -> Engine {
	Engine::with_limits(capacity, limits)
		.with_worker_setup(|| Box::new(sp_panic_handler::AbortGuard::force_unwind()))
}

impl EngineScorer {
	/// An engine caching up to `capacity` plans, loading and scoring within `limits`,
	/// counting loads and inferences in `metrics` if given.
	pub fn new(capacity: usize, limits: EngineLimits, metrics: Option<Arc<OracleMetrics>>) -> Self {
		log::info!(target: LOG_TARGET, "ONNX engine limits: {limits}");
		Self {
			engine: engine(capacity, limits),
			metrics,
			offchain_db: None,
			offchain_db_writer: None,
			fetcher: None,
			failed_fetches: Default::default(),
			indexed_load: Default::default(),
		}
	}

	/// Lets the engine load model bytes from the node's offchain DB itself
	/// ([`Scorer::load_indexed`]), so that they never cross into wasm, and keep there the
	/// bytes it fetches.
	pub fn with_offchain_db<S>(mut self, storage: S) -> Self
	where
		S: sp_core::offchain::OffchainStorage + 'static,
	{
		let storage = Arc::new(Mutex::new(storage));
		let reader = storage.clone();
		self.offchain_db = Some(Box::new(move |key: &[u8]| {
			reader.lock().unwrap_or_else(|e| e.into_inner()).get(sp_offchain::STORAGE_PREFIX, key)
		}));
		self.offchain_db_writer = Some(Box::new(move |key: &[u8], value: &[u8]| {
			storage.lock().unwrap_or_else(|e| e.into_inner()).set(
				sp_offchain::STORAGE_PREFIX,
				key,
				value,
			)
		}));
		self
	}

	/// Lets the engine fetch model bytes its offchain DB lacks from the version's URI.
	pub fn with_fetcher(mut self, fetcher: ModelFetcher) -> Self {
		self.fetcher = Some(fetcher);
		self
	}

	/// The bytes of `hash` fetched from `source`, unless the node has no fetcher or a
	/// fetch of them failed less than [`FETCH_RETRY_AFTER`] ago.
	fn fetch(&self, hash: ModelHash, source: &ModelSource) -> Option<Vec<u8>> {
		let fetcher = self.fetcher.as_ref()?;
		let mut failed = self.failed_fetches.lock().unwrap_or_else(|e| e.into_inner());
		if failed.get(&hash).is_some_and(|at| at.elapsed() < FETCH_RETRY_AFTER) {
			return None;
		}
		drop(failed);
		log::info!(
			target: LOG_TARGET,
			"model {hash:?} not in the offchain DB; fetching {} bytes from {}",
			source.size_bytes,
			String::from_utf8_lossy(&source.uri)
		);
		match fetcher.fetch(&source.uri, source.size_bytes, hash) {
			Ok(bytes) => Some(bytes),
			Err(e) => {
				log::warn!(target: LOG_TARGET, "model {hash:?}: {e}");
				failed = self.failed_fetches.lock().unwrap_or_else(|e| e.into_inner());
				failed.insert(hash, Instant::now());
				None
			}
		}
	}
}

/// The on-chain failure code of an engine error (the detail goes to the log).
fn score_error(error: &EngineError) -> ScoreError {
	match error {
		EngineError::UnknownModel(_) => ScoreError::UnknownModel,
		EngineError::HashMismatch { .. } => ScoreError::HashMismatch,
		EngineError::UnsupportedOperator(_) | EngineError::UnsupportedModel(_) => {
			ScoreError::UnsupportedOperator
		}
		EngineError::InvalidModel(_) => ScoreError::InvalidModel,
		EngineError::WrongInputShape(_)
		| EngineError::InputOutOfRange { .. }
		| EngineError::InvalidScale(_) => ScoreError::WrongInputShape,
		EngineError::WrongElementType(_) => ScoreError::WrongElementType,
		EngineError::WrongOutputShape(_) => ScoreError::WrongOutputShape,
		EngineError::NonFiniteOutput { .. } | EngineError::OutputOutOfRange { .. } => {
			ScoreError::NonFiniteOutput
		}
		EngineError::Inference(_) => ScoreError::ExecutionFailed,
		EngineError::ResourceLimit(_) => ScoreError::ResourceLimit,
	}
}

impl Scorer for EngineScorer {
	fn load(&self, hash: ModelHash, bytes: &[u8]) -> Result<(), ScoreError> {
		let started = std::time::Instant::now();
		match self.engine.load(hash, bytes) {
			Ok(info) => {
				if let Some(metrics) = &self.metrics {
					metrics.model_loaded(&hash);
				}
				log::info!(
					target: LOG_TARGET,
					"model {hash:?} loaded in {} µs: {} bytes, {} operator kinds",
					started.elapsed().as_micros(),
					bytes.len(),
					info.ops.len()
				);
				Ok(())
			}
			Err(e) => {
				log::warn!(target: LOG_TARGET, "model {hash:?} not loaded: {e}");
				Err(score_error(&e))
			}
		}
	}

	fn load_indexed(&self, hash: ModelHash, source: Option<&ModelSource>) -> Result<bool, ScoreError> {
		// One indexed load at a time (poisoning is harmless: the lock guards no data); a
		// worker that waited finds the model loaded.
		let _one_at_a_time = self.indexed_load.lock().unwrap_or_else(|e| e.into_inner());
		if self.engine.is_loaded(&hash) {
			return Ok(true);
		}
		let indexed = match &self.offchain_db {
			Some(read) => match read(&model_bytes_key(&hash)) {
				Some(bytes) => Some(bytes),
				None => assemble_chunks(read, &hash)?,
			},
			None => None,
		};
		let bytes = match (indexed, source) {
			(Some(bytes), _) => bytes,
			(None, Some(source)) => match self.fetch(hash, source) {
				Some(bytes) => {
					// Kept, so that a restart does not fetch again.
					if let Some(write) = &self.offchain_db_writer {
						write(&model_bytes_key(&hash), &bytes);
					}
					bytes
				}
				None => return Ok(false),
			},
			(None, None) => return Ok(false),
		};
		// `load` checks the whole file against `hash`.
		self.load(hash, &bytes).map(|()| true)
	}

	fn is_loaded(&self, hash: ModelHash) -> bool {
		self.engine.is_loaded(&hash)
	}

	fn score(&self, hash: ModelHash, request: &ScoreRequest) -> Result<Vec<i64>, ScoreError> {
		let started = std::time::Instant::now();
		let result = self.engine.score(hash, request);
		let elapsed = started.elapsed();
		if result.is_ok() {
			log::debug!(target: LOG_TARGET, "model {hash:?}: scored in {} µs", elapsed.as_micros());
			if let Some(metrics) = &self.metrics {
				metrics.inference_done(&hash, elapsed);
			}
		}
		result.map_err(|e| {
			if !matches!(e, EngineError::UnknownModel(_)) {
				log::warn!(target: LOG_TARGET, "model {hash:?}: scoring failed: {e}");
			}
			score_error(&e)
		})
	}
}

/// The ONNX bytes of a model uploaded in chunks, assembled from the chunks its manifest
/// names (`model_manifest_key`, `model_chunk_key`): `Ok(None)` if the DB lacks the
/// manifest or a chunk, `HashMismatch` if a chunk is not the one the manifest declares.
fn assemble_chunks(
	read: &OffchainDbReader,
	hash: &ModelHash,
) -> Result<Option<Vec<u8>>, ScoreError> {
	let Some(manifest) = read(&model_manifest_key(hash)) else { return Ok(None) };
	let chunks = Vec::<ChunkHash>::decode(&mut &manifest[..]).map_err(|_| ScoreError::InvalidModel)?;
	let mut bytes = Vec::new();
	for (index, expected) in chunks.iter().enumerate() {
		let Some(chunk) = read(&model_chunk_key(hash, index as u32)) else {
			log::warn!(target: LOG_TARGET, "model {hash:?}: chunk {index} of {} missing", chunks.len());
			return Ok(None);
		};
		if ChunkHash::from(sp_io::hashing::blake2_256(&chunk)) != *expected {
			log::warn!(target: LOG_TARGET, "model {hash:?}: chunk {index} does not match its hash");
			return Err(ScoreError::HashMismatch);
		}
		bytes.extend_from_slice(&chunk);
	}
	log::info!(
		target: LOG_TARGET,
		"model {hash:?}: assembled {} bytes from {} chunks",
		bytes.len(),
		chunks.len()
	);
	Ok(Some(bytes))
}

/// Writes `bytes` into the node's offchain DB where the model registry would have indexed
/// them (`model_bytes_key`), unless they are there already. For models created at
/// genesis, which offchain indexing never sees.
pub fn seed_model_bytes<S: sp_core::offchain::OffchainStorage>(storage: &mut S, bytes: &[u8]) {
	let hash = aioracle_inference::model_hash(bytes);
	let key = model_bytes_key(&hash);
	if storage.get(sp_offchain::STORAGE_PREFIX, &key).is_none() {
		storage.set(sp_offchain::STORAGE_PREFIX, &key, bytes);
		log::info!(target: LOG_TARGET, "seeded the offchain DB with model {hash:?}");
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use aioracle_primitives::model::model_chunk_key;
	use codec::Encode;
	use sp_core::offchain::{
		storage::InMemOffchainStorage, testing::TestPersistentOffchainDB, OffchainStorage,
	};

	const IRIS: &[u8] = include_bytes!("../../models/iris-logreg.onnx");

	/// An offchain DB holding `bytes` as the registry indexes an upload of them under
	/// `hash`: three chunks and their manifest.
	fn uploaded(hash: ModelHash, bytes: &[u8]) -> InMemOffchainStorage {
		let mut db = InMemOffchainStorage::default();
		let chunks: Vec<&[u8]> = bytes.chunks(bytes.len() / 3 + 1).collect();
		let hashes: Vec<ChunkHash> =
			chunks.iter().map(|c| sp_io::hashing::blake2_256(c).into()).collect();
		for (index, chunk) in chunks.iter().enumerate() {
			db.set(sp_offchain::STORAGE_PREFIX, &model_chunk_key(&hash, index as u32), chunk);
		}
		db.set(sp_offchain::STORAGE_PREFIX, &model_manifest_key(&hash), &hashes.encode());
		db
	}

	fn scorer(db: InMemOffchainStorage) -> EngineScorer {
		EngineScorer::new(2, EngineLimits::default(), None).with_offchain_db(db)
	}

	#[test]
	fn a_chunked_model_is_assembled_checked_and_loaded_once() {
		let hash = aioracle_inference::model_hash(IRIS);
		let mut scorer = scorer(uploaded(hash, IRIS));
		assert_eq!(scorer.load_indexed(hash, None), Ok(true));
		assert!(scorer.is_loaded(hash));
		// Loaded already: a worker that asks again reads nothing (here, a DB now empty).
		scorer.offchain_db = Some(Box::new(|_: &[u8]| None));
		assert_eq!(scorer.load_indexed(hash, None), Ok(true));
	}

	#[test]
	fn a_missing_chunk_means_the_node_lacks_the_bytes() {
		let hash = aioracle_inference::model_hash(IRIS);
		let mut db = uploaded(hash, IRIS);
		db.remove(sp_offchain::STORAGE_PREFIX, &model_chunk_key(&hash, 1));
		assert_eq!(scorer(db).load_indexed(hash, None), Ok(false));
	}

	#[test]
	fn a_chunk_or_a_file_that_is_not_what_was_declared_is_refused() {
		let hash = aioracle_inference::model_hash(IRIS);
		let mut db = uploaded(hash, IRIS);
		db.set(sp_offchain::STORAGE_PREFIX, &model_chunk_key(&hash, 0), b"other bytes");
		assert_eq!(scorer(db).load_indexed(hash, None), Err(ScoreError::HashMismatch));
		// Every chunk as declared, but the declared whole hash is another file's.
		let lie = ModelHash::repeat_byte(7);
		assert_eq!(scorer(uploaded(lie, IRIS)).load_indexed(lie, None), Err(ScoreError::HashMismatch));
	}

	/// Serves `body` to every connection on a local port, counting them.
	fn serve(body: Vec<u8>) -> (String, Arc<std::sync::atomic::AtomicU32>) {
		use std::io::{Read, Write};
		let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
		let url = format!("http://{}/model.onnx", listener.local_addr().unwrap());
		let served = Arc::new(std::sync::atomic::AtomicU32::new(0));
		let count = served.clone();
		std::thread::spawn(move || {
			for stream in listener.incoming() {
				let Ok(mut stream) = stream else { continue };
				count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
				let mut request = [0u8; 1024];
				let _ = stream.read(&mut request);
				let head = format!(
					"HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
					body.len()
				);
				let _ = stream.write_all(&[head.as_bytes(), &body].concat());
			}
		});
		(url, served)
	}

	fn fetching(db: TestPersistentOffchainDB) -> EngineScorer {
		EngineScorer::new(2, EngineLimits::default(), None).with_offchain_db(db).with_fetcher(
			ModelFetcher::default().with_timeouts(Duration::from_secs(2), Duration::from_secs(10)),
		)
	}

	#[test]
	fn bytes_the_db_lacks_are_fetched_from_the_uri_kept_and_loaded() {
		let hash = aioracle_inference::model_hash(IRIS);
		let (url, served) = serve(IRIS.to_vec());
		let db = TestPersistentOffchainDB::new();
		let node = fetching(db.clone());
		let source = ModelSource { uri: url.into_bytes(), size_bytes: IRIS.len() as u32 };
		assert_eq!(node.load_indexed(hash, Some(&source)), Ok(true));
		assert!(node.is_loaded(hash));
		assert_eq!(
			OffchainStorage::get(&db, sp_offchain::STORAGE_PREFIX, &model_bytes_key(&hash)).as_deref(),
			Some(IRIS),
			"kept in the offchain DB"
		);
		// A node restarted on that DB loads them without fetching.
		assert_eq!(fetching(db).load_indexed(hash, Some(&source)), Ok(true));
		assert_eq!(served.load(std::sync::atomic::Ordering::SeqCst), 1);
	}

	#[test]
	fn bytes_at_the_uri_that_are_not_the_versions_load_nothing_and_are_not_refetched_at_once() {
		let hash = aioracle_inference::model_hash(IRIS);
		let mut other = IRIS.to_vec();
		other[0] ^= 1;
		let (url, served) = serve(other);
		let db = TestPersistentOffchainDB::new();
		let node = fetching(db.clone());
		let source = ModelSource { uri: url.into_bytes(), size_bytes: IRIS.len() as u32 };
		assert_eq!(node.load_indexed(hash, Some(&source)), Ok(false));
		assert!(!node.is_loaded(hash));
		assert_eq!(OffchainStorage::get(&db, sp_offchain::STORAGE_PREFIX, &model_bytes_key(&hash)), None);
		// The next block's worker does not wait for the same URI again.
		assert_eq!(node.load_indexed(hash, Some(&source)), Ok(false));
		assert_eq!(served.load(std::sync::atomic::Ordering::SeqCst), 1);
		// Without a fetcher (or a source), a DB without the bytes is just that.
		assert_eq!(scorer(InMemOffchainStorage::default()).load_indexed(hash, Some(&source)), Ok(false));
	}
}
