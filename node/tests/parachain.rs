//! What registering the parachain on a relay chain takes, from the node binary: the
//! genesis head and runtime code (`export-genesis-head`, `export-genesis-wasm`) and the
//! chain spec zombienet asks for (`build-spec`). In a node built with `--features
//! collator`: a collator whose relay chain RPC is not there waits and retries.

use std::{
	path::PathBuf,
	process::{Command, Output},
};

use codec::Decode;
use sp_core::storage::StateVersion;
use sp_runtime::traits::{BlakeTwo256, Hash as _};

fn node(args: &[&str]) -> Output {
	Command::new(env!("CARGO_BIN_EXE_aioracle-node"))
		.args(args)
		.output()
		.expect("the aioracle-node binary runs")
}

fn stdout_of(output: Output) -> Vec<u8> {
	assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
	output.stdout
}

fn from_hex(text: &str) -> Vec<u8> {
	sp_core::bytes::from_hex(text.trim()).expect("hex")
}

/// A fresh directory for one test's files.
fn temp_dir(name: &str) -> PathBuf {
	let dir = std::env::temp_dir().join(format!("aioracle-{name}-{}", std::process::id()));
	std::fs::create_dir_all(&dir).unwrap();
	dir
}

/// The local chain's raw chain spec, as `export-chain-spec --raw` prints it (made once:
/// building the genesis state takes a while in a debug build).
fn raw_local_spec() -> &'static serde_json::Value {
	static SPEC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
	SPEC.get_or_init(|| {
		let json = stdout_of(node(&["export-chain-spec", "--chain", "local", "--raw"]));
		serde_json::from_slice(&json).expect("JSON chain spec")
	})
}

/// The genesis storage of a raw chain spec: (key, value) pairs of the top trie.
fn genesis_storage(spec: &serde_json::Value) -> Vec<(Vec<u8>, Vec<u8>)> {
	let raw = &spec["genesis"]["raw"];
	let children = raw["childrenDefault"].as_object().expect("childrenDefault");
	assert!(children.is_empty(), "the state root below ignores child tries");
	raw["top"]
		.as_object()
		.expect("raw top storage")
		.iter()
		.map(|(key, value)| (from_hex(key), from_hex(value.as_str().expect("hex value"))))
		.collect()
}

#[test]
fn export_genesis_wasm_is_the_code_of_the_genesis_state() {
	let storage = genesis_storage(raw_local_spec());
	let code = &storage.iter().find(|(key, _)| key == b":code").expect(":code in genesis").1;

	let dir = temp_dir("genesis-wasm");
	let file = dir.join("code.wasm");
	stdout_of(node(&["export-genesis-wasm", "--chain", "local", "--raw", file.to_str().unwrap()]));
	let exported = std::fs::read(&file).unwrap();
	assert_eq!(&exported, code, "the exported wasm differs from the genesis `:code`");
	// A wasm module, or (in release builds) one zstd-compressed behind Substrate's 8-byte
	// prefix.
	let wasm = exported.starts_with(b"\0asm");
	let compressed = exported.starts_with(&[0x52, 0xbc, 0x53, 0x76, 0x46, 0xdb, 0x8e, 0x05]);
	assert!(wasm || compressed, "not a runtime: {:02x?}", &exported[..8.min(exported.len())]);

	// Without `--raw` it is hex, on stdout.
	let hex = stdout_of(node(&["export-genesis-wasm", "--chain", "local"]));
	assert_eq!(&from_hex(std::str::from_utf8(&hex).unwrap()), code);
	std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn export_genesis_head_is_the_header_of_the_genesis_state() {
	let spec = raw_local_spec();
	let storage = genesis_storage(spec);

	let hex = stdout_of(node(&["export-genesis-head", "--chain", "local"]));
	let encoded = from_hex(std::str::from_utf8(&hex).unwrap());
	let header = aioracle_primitives::Header::decode(&mut &encoded[..]).expect("a header");
	assert_eq!(header.number, 0);
	assert_eq!(header.parent_hash, Default::default());
	// The runtime's `system_version` is 1: state version 1.
	assert_eq!(header.state_root, BlakeTwo256::trie_root(storage, StateVersion::V1));
	assert_eq!(header.extrinsics_root, BlakeTwo256::trie_root(Vec::new(), StateVersion::V1));
	assert!(header.digest.logs.is_empty());

	// zombienet's form: the raw spec file in, the hex head written to a file; and the
	// `export-genesis-state` alias.
	let dir = temp_dir("genesis-head");
	let spec_file = dir.join("local-raw.json");
	std::fs::write(&spec_file, serde_json::to_vec(spec).unwrap()).unwrap();
	let head_file = dir.join("head");
	stdout_of(node(&[
		"export-genesis-state",
		"--chain",
		spec_file.to_str().unwrap(),
		head_file.to_str().unwrap(),
	]));
	let from_file = std::fs::read_to_string(&head_file).unwrap();
	assert_eq!(from_hex(&from_file), encoded, "the raw spec file gives another genesis");
	std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn build_spec_takes_zombienets_arguments() {
	let base = temp_dir("build-spec");
	let json = stdout_of(node(&[
		"build-spec",
		"--chain",
		"local",
		"--disable-default-bootnode",
		"--raw",
		"--base-path",
		base.to_str().unwrap(),
	]));
	let spec: serde_json::Value = serde_json::from_slice(&json).expect("JSON chain spec");
	assert_eq!(spec["id"], "aioracle_local_testnet");
	assert_eq!(spec["bootNodes"], serde_json::json!([]));
	assert_eq!(spec["paraId"], 2000);
	assert_eq!(spec["relayChain"], "rococo-local");
	assert!(spec["genesis"]["raw"]["top"].is_object());
	std::fs::remove_dir_all(&base).ok();
}

#[cfg(not(feature = "collator"))]
#[test]
fn a_local_chain_needs_a_node_built_with_the_collator_feature() {
	// `--collator` too: the message comes before a collator's own checks (its network key).
	let output = node(&["--chain", "local", "--collator", "--tmp"]);
	assert!(!output.status.success());
	let err = String::from_utf8_lossy(&output.stderr);
	assert!(err.contains("needs a relay chain"), "stderr: {err}");
	assert!(err.contains("--features collator"), "stderr: {err}");
}

#[cfg(feature = "collator")]
mod collator {
	use std::{
		io::Read,
		process::{Child, Stdio},
		time::{Duration, Instant},
	};

	use super::*;

	/// A relay chain spec with no genesis state: enough for a node that reaches its relay
	/// chain through RPC (or never reaches it), which builds no relay genesis.
	fn relay_spec_file(dir: &std::path::Path) -> PathBuf {
		let spec = serde_json::json!({
			"name": "Rococo Local Testnet",
			"id": "rococo_local_testnet",
			"chainType": "Local",
			"bootNodes": [],
			"protocolId": "dot",
			"properties": null,
			"codeSubstitutes": {},
			"genesis": { "raw": { "top": {}, "childrenDefault": {} } }
		});
		let path = dir.join("relay.json");
		std::fs::write(&path, serde_json::to_vec(&spec).unwrap()).unwrap();
		path
	}

	/// A local TCP port nothing listens on.
	fn closed_port() -> u16 {
		let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
		listener.local_addr().unwrap().port()
	}

	/// Kills the node when the test ends, passed or not.
	struct Node(Child);

	impl Drop for Node {
		fn drop(&mut self) {
			self.0.kill().ok();
			self.0.wait().ok();
		}
	}

	/// Reads the node's log (stderr) in a thread, so a full pipe never blocks the node.
	fn collect_log(node: &mut Node) -> std::thread::JoinHandle<String> {
		let mut stderr = node.0.stderr.take().expect("stderr piped");
		std::thread::spawn(move || {
			let mut log = String::new();
			stderr.read_to_string(&mut log).ok();
			log
		})
	}

	#[test]
	fn a_collator_waits_for_its_relay_chain_rpc_and_retries() {
		let dir = temp_dir("collator-no-relay");
		let relay_spec = relay_spec_file(&dir);
		let url = format!("ws://127.0.0.1:{}", closed_port());
		let child = Command::new(env!("CARGO_BIN_EXE_aioracle-node"))
			.args(["--chain", "local", "--collator", "--alice", "--tmp", "--no-prometheus"])
			// A collator needs a network key; `--tmp` has none yet.
			.arg("--unsafe-force-node-key-generation")
			.args(["--relay-chain-rpc-url", &url, "--", "--chain", relay_spec.to_str().unwrap()])
			.stdout(Stdio::null())
			.stderr(Stdio::piped())
			.spawn()
			.expect("the aioracle-node binary runs");
		let mut node = Node(child);
		let log = collect_log(&mut node);

		let started = Instant::now();
		while started.elapsed() < Duration::from_secs(20) {
			if let Some(status) = node.0.try_wait().unwrap() {
				let log = log.join().unwrap();
				panic!("the collator exited ({status}) instead of waiting:\n{log}");
			}
			std::thread::sleep(Duration::from_millis(500));
		}
		node.0.kill().unwrap();
		node.0.wait().unwrap();
		let log = log.join().unwrap();

		let retries = log.lines().filter(|l| l.contains("Relay chain RPC not reachable")).count();
		assert!(retries >= 3, "expected a retry line every few seconds, got {retries}:\n{log}");
		assert!(log.contains(&url) && log.contains("retrying in"), "log:\n{log}");
		std::fs::remove_dir_all(&dir).ok();
	}

	#[test]
	fn a_collator_without_a_relay_chain_spec_says_how_to_give_one() {
		// The parachain's spec names `rococo-local`, which this node knows only as a file;
		// the error comes before any wait for the RPC.
		let url = format!("ws://127.0.0.1:{}", closed_port());
		let output = node(&[
			"--chain",
			"local",
			"--collator",
			"--tmp",
			"--unsafe-force-node-key-generation",
			"--relay-chain-rpc-url",
			&url,
		]);
		assert!(!output.status.success());
		let err = String::from_utf8_lossy(&output.stderr);
		assert!(err.contains("-- --chain"), "stderr: {err}");
		assert!(!err.contains("retrying in"), "stderr: {err}");
	}
}
