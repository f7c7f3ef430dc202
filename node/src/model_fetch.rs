//! Fetching a model version's ONNX bytes from its URI, in the node: for a node whose
//! offchain DB lacks them (it did not index the proposal or the upload's chunks: synced
//! from a snapshot, or runs without offchain indexing). The bytes stream into memory with
//! their hash computed on the way, never past the version's declared size, within an idle
//! and a total deadline; the hash is the only trust anchor. The off-chain worker's own HTTP
//! client would read the whole file into the runtime's memory, which suits a few MiB only.
//!
//! URIs: `http://` and `https://` as they are; `ipfs://CID[/PATH]` through the node's IPFS
//! gateway (`--ipfs-gateway`, default `https://ipfs.io/ipfs/`), `GATEWAY` + `CID[/PATH]`.

use std::time::{Duration, Instant};

use aioracle_primitives::model::ModelHash;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::{client::legacy::Client, rt::TokioExecutor};

/// The log target of model fetches.
const LOG_TARGET: &str = "onnx";

/// The default IPFS gateway `ipfs://` URIs are fetched through.
pub const DEFAULT_IPFS_GATEWAY: &str = "https://ipfs.io/ipfs/";

/// Why a model could not be fetched.
#[derive(Debug, PartialEq, Eq)]
pub enum FetchError {
	/// The URI is empty, not UTF-8, or of a scheme the node does not fetch.
	UnsupportedUri(String),
	/// No connection, a non-200 answer, or a broken body.
	Failed(String),
	/// No byte for the idle timeout, or the whole fetch over the total timeout.
	TimedOut(String),
	/// More bytes than the version declares (by `Content-Length` or on the way).
	TooLarge { declared: u32 },
	/// The bytes are not the version's: another size or another hash.
	Mismatch(String),
}

impl core::fmt::Display for FetchError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match self {
			Self::UnsupportedUri(why) => write!(f, "unsupported URI: {why}"),
			Self::Failed(why) => write!(f, "fetch failed: {why}"),
			Self::TimedOut(why) => write!(f, "timed out: {why}"),
			Self::TooLarge { declared } => write!(f, "more than the declared {declared} bytes"),
			Self::Mismatch(why) => write!(f, "not the version's bytes: {why}"),
		}
	}
}

/// Fetches model bytes by URI.
#[derive(Clone, Debug)]
pub struct ModelFetcher {
	/// Where `ipfs://` URIs go: a URL prefix ending in `/`.
	ipfs_gateway: String,
	/// The longest wait for the answer or the next bytes of the body.
	idle_timeout: Duration,
	/// The longest a whole fetch may take.
	total_timeout: Duration,
}

impl Default for ModelFetcher {
	fn default() -> Self {
		Self::new(DEFAULT_IPFS_GATEWAY)
	}
}

impl ModelFetcher {
	/// A fetcher using `ipfs_gateway` for `ipfs://` URIs (a `/` is added if missing), with
	/// a 30-second idle timeout and a 15-minute total one (256 MiB at 300 KB/s).
	pub fn new(ipfs_gateway: &str) -> Self {
		let mut gateway = ipfs_gateway.to_string();
		if !gateway.ends_with('/') {
			gateway.push('/');
		}
		Self {
			ipfs_gateway: gateway,
			idle_timeout: Duration::from_secs(30),
			total_timeout: Duration::from_secs(15 * 60),
		}
	}

	/// The same fetcher with other timeouts (tests wait less).
	#[cfg(test)]
	pub fn with_timeouts(mut self, idle: Duration, total: Duration) -> Self {
		self.idle_timeout = idle;
		self.total_timeout = total;
		self
	}

	/// The HTTP(S) URL a version's `uri` is fetched from.
	pub fn url(&self, uri: &[u8]) -> Result<String, FetchError> {
		let uri = core::str::from_utf8(uri)
			.map_err(|_| FetchError::UnsupportedUri("not UTF-8".into()))?
			.trim();
		if uri.starts_with("http://") || uri.starts_with("https://") {
			return Ok(uri.to_string());
		}
		if let Some(path) = uri.strip_prefix("ipfs://") {
			let path = path.trim_start_matches('/');
			if path.is_empty() {
				return Err(FetchError::UnsupportedUri(format!("{uri:?} names no CID")));
			}
			return Ok(format!("{}{path}", self.ipfs_gateway));
		}
		Err(FetchError::UnsupportedUri(if uri.is_empty() {
			"the version has no URI".into()
		} else {
			format!("{uri:?}: only http, https and ipfs are fetched")
		}))
	}

	/// The `size_bytes` bytes at `uri` that hash (blake2-256) to `hash`. Runs on a thread
	/// of its own with its own tokio runtime, so that it may be called from anywhere (an
	/// off-chain worker's host function blocks its thread until this returns).
	pub fn fetch(&self, uri: &[u8], size_bytes: u32, hash: ModelHash) -> Result<Vec<u8>, FetchError> {
		let url = self.url(uri)?;
		let this = self.clone();
		let started = Instant::now();
		let fetched = std::thread::Builder::new()
			.name("model-fetch".into())
			.spawn(move || {
				let runtime = tokio::runtime::Builder::new_current_thread()
					.enable_all()
					.build()
					.map_err(|e| FetchError::Failed(format!("no tokio runtime: {e}")))?;
				runtime.block_on(async {
					let total = this.total_timeout;
					tokio::time::timeout(total, this.get(&url, size_bytes))
						.await
						.map_err(|_| FetchError::TimedOut(format!("{url}: over {total:?}")))?
				})
			})
			.map_err(|e| FetchError::Failed(format!("no fetch thread: {e}")))?
			.join()
			.map_err(|_| FetchError::Failed("the fetch thread panicked".into()))??;
		let actual = ModelHash::from(sp_io::hashing::blake2_256(&fetched));
		if actual != hash {
			return Err(FetchError::Mismatch(format!("hash {actual:?}, the version's {hash:?}")));
		}
		log::info!(
			target: LOG_TARGET,
			"model {hash:?}: fetched {size_bytes} bytes in {} ms",
			started.elapsed().as_millis()
		);
		Ok(fetched)
	}

	/// GETs `url`: exactly `size_bytes` bytes, or an error.
	async fn get(&self, url: &str, size_bytes: u32) -> Result<Vec<u8>, FetchError> {
		let failed = |e: &dyn core::fmt::Display| FetchError::Failed(format!("{url}: {e}"));
		let idle = self.idle_timeout;
		let timed_out = |what: &str| FetchError::TimedOut(format!("{url}: no {what} for {idle:?}"));
		let uri: hyper::Uri = url.parse().map_err(|e| failed(&e))?;
		let connector = hyper_rustls::HttpsConnectorBuilder::new()
			.with_provider_and_native_roots(rustls::crypto::ring::default_provider())
			.map_err(|e| failed(&e))?
			.https_or_http()
			.enable_http1()
			.build();
		let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
		let response = tokio::time::timeout(idle, client.get(uri))
			.await
			.map_err(|_| timed_out("answer"))?
			.map_err(|e| failed(&e))?;
		if response.status() != hyper::StatusCode::OK {
			return Err(failed(&format!("HTTP {}", response.status())));
		}
		let length = response
			.headers()
			.get(hyper::header::CONTENT_LENGTH)
			.and_then(|v| v.to_str().ok())
			.and_then(|v| v.parse::<u64>().ok());
		if length.is_some_and(|length| length > u64::from(size_bytes)) {
			return Err(FetchError::TooLarge { declared: size_bytes });
		}
		let mut body = response.into_body();
		let mut bytes = Vec::with_capacity(size_bytes as usize);
		while let Some(frame) =
			tokio::time::timeout(idle, body.frame()).await.map_err(|_| timed_out("bytes"))?
		{
			let frame = frame.map_err(|e| failed(&e))?;
			if let Some(data) = frame.data_ref() {
				if bytes.len() + data.len() > size_bytes as usize {
					return Err(FetchError::TooLarge { declared: size_bytes });
				}
				bytes.extend_from_slice(data);
			}
		}
		if bytes.len() != size_bytes as usize {
			return Err(FetchError::Mismatch(format!(
				"{} bytes, the version declares {size_bytes}",
				bytes.len()
			)));
		}
		Ok(bytes)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::io::{Read, Write};
	use std::net::TcpListener;

	/// Serves `answers` (whole HTTP responses, or `None` for a connection left silent) to
	/// one connection each on a local port; returns the port.
	fn serve(answers: Vec<Option<Vec<u8>>>) -> u16 {
		let listener = TcpListener::bind("127.0.0.1:0").unwrap();
		let port = listener.local_addr().unwrap().port();
		std::thread::spawn(move || {
			for answer in answers {
				let (mut stream, _) = listener.accept().unwrap();
				let mut request = [0u8; 1024];
				let _ = stream.read(&mut request);
				match answer {
					Some(bytes) => {
						let _ = stream.write_all(&bytes);
					}
					// Hold the connection open, silent, past the client's idle timeout.
					None => std::thread::sleep(Duration::from_secs(3)),
				}
			}
		});
		port
	}

	fn ok(body: &[u8]) -> Option<Vec<u8>> {
		let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
		Some([head.as_bytes(), body].concat())
	}

	fn fetcher() -> ModelFetcher {
		ModelFetcher::new("http://gateway.example/ipfs")
			.with_timeouts(Duration::from_millis(500), Duration::from_secs(10))
	}

	fn hash(bytes: &[u8]) -> ModelHash {
		sp_io::hashing::blake2_256(bytes).into()
	}

	#[test]
	fn uris_map_to_urls() {
		let f = fetcher();
		assert_eq!(f.url(b"https://x.example/m.onnx").unwrap(), "https://x.example/m.onnx");
		assert_eq!(f.url(b"ipfs://bafyCID/m.onnx").unwrap(), "http://gateway.example/ipfs/bafyCID/m.onnx");
		assert!(matches!(f.url(b""), Err(FetchError::UnsupportedUri(_))));
		assert!(matches!(f.url(b"ipfs://"), Err(FetchError::UnsupportedUri(_))));
		assert!(matches!(f.url(b"ftp://x/m.onnx"), Err(FetchError::UnsupportedUri(_))));
		assert!(matches!(f.url(&[0xff, 0xfe]), Err(FetchError::UnsupportedUri(_))));
	}

	#[test]
	fn fetches_the_declared_bytes_and_checks_their_hash() {
		let model = vec![7u8; 100_000];
		let other = vec![8u8; 100_000];
		let port = serve(vec![ok(&model), ok(&other)]);
		let uri = format!("http://127.0.0.1:{port}/m.onnx");
		assert_eq!(fetcher().fetch(uri.as_bytes(), 100_000, hash(&model)), Ok(model.clone()));
		// The same size, other bytes: the hash says no.
		assert!(matches!(
			fetcher().fetch(uri.as_bytes(), 100_000, hash(&model)),
			Err(FetchError::Mismatch(why)) if why.contains("hash")
		));
	}

	#[test]
	fn refuses_more_or_fewer_bytes_than_declared() {
		let model = vec![1u8; 1000];
		// Content-Length over the declared size; then a body longer than its
		// Content-Length claims (no length: read to the close); then a short one.
		let unlabelled = Some([&b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"[..], &model].concat());
		let port = serve(vec![ok(&model), unlabelled, ok(&model[..10])]);
		let uri = format!("http://127.0.0.1:{port}/m.onnx");
		let f = fetcher();
		assert_eq!(f.fetch(uri.as_bytes(), 999, hash(&model)), Err(FetchError::TooLarge { declared: 999 }));
		assert_eq!(f.fetch(uri.as_bytes(), 999, hash(&model)), Err(FetchError::TooLarge { declared: 999 }));
		assert!(matches!(f.fetch(uri.as_bytes(), 1000, hash(&model)), Err(FetchError::Mismatch(_))));
	}

	#[test]
	fn a_server_that_never_answers_times_out() {
		let port = serve(vec![None]);
		let uri = format!("http://127.0.0.1:{port}/m.onnx");
		let started = Instant::now();
		assert!(matches!(fetcher().fetch(uri.as_bytes(), 10, hash(b"x")), Err(FetchError::TimedOut(_))));
		assert!(started.elapsed() < Duration::from_secs(3), "the idle timeout cut it short");
		// Nothing listens: a failure, not a hang.
		let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let uri = format!("http://127.0.0.1:{closed}/m.onnx");
		assert!(matches!(fetcher().fetch(uri.as_bytes(), 10, hash(b"x")), Err(FetchError::Failed(_))));
	}

	#[test]
	fn a_non_200_answer_fails() {
		let port = serve(vec![Some(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec())]);
		let uri = format!("http://127.0.0.1:{port}/m.onnx");
		assert!(matches!(
			fetcher().fetch(uri.as_bytes(), 10, hash(b"x")),
			Err(FetchError::Failed(why)) if why.contains("404")
		));
	}
}
