//! The node binary's command line: bad input ends with a clear message and a non-zero
//! status; the built-in chain specs export.

use std::process::{Command, Output};

fn node(args: &[&str]) -> Output {
	Command::new(env!("CARGO_BIN_EXE_aioracle-node"))
		.args(args)
		.output()
		.expect("the aioracle-node binary runs")
}

fn stderr(output: &Output) -> String {
	String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn unknown_chain_preset_is_refused_with_a_clear_message() {
	let output = node(&["--chain", "no-such-chain", "--tmp"]);
	assert!(!output.status.success());
	let err = stderr(&output);
	assert!(err.contains("unknown chain `no-such-chain`"), "stderr: {err}");
	assert!(err.contains("dev"), "the message should list the built-in chains: {err}");
}

#[test]
fn missing_chain_spec_file_is_refused_with_a_clear_message() {
	let output = node(&["--chain", "/nonexistent/spec.json", "--tmp"]);
	assert!(!output.status.success());
	let err = stderr(&output);
	assert!(err.contains("/nonexistent/spec.json"), "stderr: {err}");
}

#[test]
fn export_chain_spec_carries_the_dev_preset_and_properties() {
	let output = node(&["export-chain-spec", "--chain", "dev"]);
	assert!(output.status.success(), "stderr: {}", stderr(&output));
	let spec: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON chain spec");
	assert_eq!(spec["id"], "aioracle_dev");
	assert_eq!(spec["chainType"], "Development");
	assert_eq!(spec["properties"]["tokenSymbol"], "AIO");
	assert_eq!(spec["properties"]["tokenDecimals"], 12);
	assert_eq!(spec["paraId"], 2000);
	let patch = &spec["genesis"]["runtimeGenesis"]["patch"];
	let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
	assert_eq!(patch["sudo"]["key"], alice);
	assert_eq!(patch["councilMembership"]["members"].as_array().map(Vec::len), Some(3));
	assert_eq!(patch["collatorSelection"]["invulnerables"], serde_json::json!([alice]));
}

#[test]
fn exported_chain_spec_file_can_be_loaded_again() {
	let dir = std::env::temp_dir().join(format!("aioracle-cli-test-{}", std::process::id()));
	std::fs::create_dir_all(&dir).unwrap();
	let path = dir.join("dev.json");
	let output = node(&["export-chain-spec", "--chain", "dev"]);
	assert!(output.status.success(), "stderr: {}", stderr(&output));
	std::fs::write(&path, &output.stdout).unwrap();
	let again = node(&["export-chain-spec", "--chain", path.to_str().unwrap()]);
	assert!(again.status.success(), "stderr: {}", stderr(&again));
	let spec: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
	assert_eq!(spec["id"], "aioracle_dev");
	std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn dataset_hash_prints_what_register_dataset_expects() {
	let dir = std::env::temp_dir().join(format!("aioracle-cli-hash-{}", std::process::id()));
	std::fs::create_dir_all(&dir).unwrap();
	let path = dir.join("iris.csv");
	let data = b"sepal_length,sepal_width\n5.1,3.5\n";
	std::fs::write(&path, data).unwrap();
	let output = node(&["dataset", "hash", "--no-progress", path.to_str().unwrap()]);
	assert!(output.status.success(), "stderr: {}", stderr(&output));
	let digest: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
	let expected =
		format!("0x{}", sp_core::hexdisplay::HexDisplay::from(&sp_io::hashing::blake2_256(data)));
	assert_eq!(digest["contentHash"], serde_json::Value::String(expected));
	assert_eq!(digest["sizeBytes"], data.len());
	assert_eq!(digest["files"], 1);

	let missing = node(&["dataset", "hash", dir.join("nope").to_str().unwrap()]);
	assert!(!missing.status.success());
	assert!(stderr(&missing).contains("nope"), "stderr: {}", stderr(&missing));
	std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_engine_limits_are_flags_with_their_defaults() {
	let output = node(&["--help"]);
	assert!(output.status.success());
	let help = String::from_utf8_lossy(&output.stdout);
	for (flag, default) in [
		("--onnx-max-load-ms", "30000"),
		("--onnx-max-score-ms", "5000"),
		("--onnx-max-model-mib", "1024"),
	] {
		let at = help.find(flag).unwrap_or_else(|| panic!("no {flag} in --help: {help}"));
		let default = format!("[default: {default}]");
		assert!(help[at..].contains(&default), "{flag} should default to {default}");
	}
}
