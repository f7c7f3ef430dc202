//! The dApp's core flow with subxt 0.50, typed from the node's own metadata: read a dataset
//! and a model's active version, request an inference, wait for the result, explain it, and
//! decode the block that holds the operators' submissions.
//!
//! ```text
//! aioracle-client-subxt [ws-url] [--signer Dave] [--reference models/iris-logreg.json]
//! ```
//!
//! `scripts/rust-client.sh` starts a dev node, saves its metadata to `aioracle.scale` (which
//! the `#[subxt::subxt]` macro below compiles into types), builds this crate and runs it.
//! It checks what it reads against the sample model's reference outputs and against the
//! chain (as `e2e/tests/client-papi.test.js` does with PAPI), prints what it does, and exits
//! non-zero at the first check that fails.
//!
//! Reading at the right block: subxt reads at the *finalized* block by default
//! (`at_current_block()`), as PAPI does. A result seen in a best block is final there but not
//! yet in the finalized block (the dev node finalizes a block about a block time after
//! importing it; a live chain a few blocks later), so: read at the block that holds
//! `ResultFinalized` (`at_block(hash)`), or wait until that block is finalized
//! (`stream_blocks()`) and read at finalized. This program does both and shows the difference.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use subxt::config::transaction_extensions::{CheckMetadataHash, CheckMortality};
use subxt::config::{
	Config, DefaultTransactionExtensions, HashFor, PolkadotConfig, SubstrateConfig,
};
use subxt::ext::codec::{Compact, Decode};
use subxt::transactions::TransactionStatus;
use subxt::utils::{AccountId32, Era, MultiAddress};
use subxt::{ArcMetadata, OnlineClient};
use subxt_signer::sr25519::Keypair;
use subxt_signer::SecretUri;

/// Types, calls, events, constants and runtime APIs, generated from the metadata that
/// `scripts/rust-client.sh` saved from the node (metadata v16, through the runtime API
/// `Metadata_metadata_at_version`).
#[subxt::subxt(runtime_metadata_path = "aioracle.scale")]
pub mod aio {}

// The macro reads the file without telling cargo: this makes a new metadata file rebuild
// the crate.
const _: &[u8] = include_bytes!("../aioracle.scale");

use aio::runtime_types::aioracle_primitives::aggregation::Aggregation;
use aio::runtime_types::aioracle_primitives::model::VersionStatus;
use aio::runtime_types::aioracle_primitives::oracle::{Outcome, RequestStatus};
use aio::runtime_types::pallet_inference_oracle::types::Answer;

/// aioracle's chain: Substrate's defaults (sr25519 `MultiSignature`, `AccountId32`,
/// blake2-256, u32 block numbers) with `MultiAddress<AccountId32, ()>` (no account indices),
/// like Polkadot's; subxt says `PolkadotConfig` is for the Polkadot relay chain only.
#[derive(Debug, Clone, Default)]
pub struct AioracleConfig(SubstrateConfig);

impl Config for AioracleConfig {
	type AccountId = <SubstrateConfig as Config>::AccountId;
	type Address = <PolkadotConfig as Config>::Address;
	type Signature = <SubstrateConfig as Config>::Signature;
	type Hasher = <SubstrateConfig as Config>::Hasher;
	type Header = <SubstrateConfig as Config>::Header;
	type AssetId = <SubstrateConfig as Config>::AssetId;
	// The runtime's own extensions (`AuthorizeCall`, `CheckRequestCapacity`, ...) carry no
	// data: subxt encodes them without being told about them.
	type TransactionExtensions = DefaultTransactionExtensions<Self>;

	fn genesis_hash(&self) -> Option<HashFor<Self>> {
		self.0.genesis_hash()
	}
	// Keeps the metadata subxt fetches per runtime version, instead of fetching it again for
	// every block the client works at.
	fn metadata_for_spec_version(&self, spec_version: u32) -> Option<ArcMetadata> {
		self.0.metadata_for_spec_version(spec_version)
	}
	fn set_metadata_for_spec_version(&self, spec_version: u32, metadata: ArcMetadata) {
		self.0.set_metadata_for_spec_version(spec_version, metadata)
	}
}

type Client = OnlineClient<AioracleConfig>;
type Error = Box<dyn std::error::Error>;

/// blake2-256 of scikit-learn's iris.csv: the genesis dataset 0 (runtime genesis presets).
const IRIS_CSV_HASH: &str = "0x06acbe603c9c2199df585e728885e17f7a4b23be601a4d0c65efa88baaae4cbf";
/// How long the result may take: the dev chain answers within a few blocks.
const RESULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The checks that passed.
static CHECKS: AtomicU32 = AtomicU32::new(0);

/// Fails the run with the message unless the condition holds.
macro_rules! check {
	($condition:expr, $($message:tt)+) => {
		if $condition {
			CHECKS.fetch_add(1, Ordering::Relaxed);
		} else {
			return Err(format!("check failed: {}", format!($($message)+)).into());
		}
	};
}

fn hex(bytes: &[u8]) -> String {
	let mut out = String::with_capacity(2 + 2 * bytes.len());
	out.push_str("0x");
	for b in bytes {
		out.push_str(&format!("{b:02x}"));
	}
	out
}

fn sorted(accounts: &[AccountId32]) -> Vec<AccountId32> {
	let mut accounts = accounts.to_vec();
	accounts.sort();
	accounts
}

fn status_name(status: &RequestStatus) -> &'static str {
	match status {
		RequestStatus::Pending => "Pending",
		RequestStatus::Finalized => "Finalized",
		RequestStatus::Expired => "Expired",
	}
}

/// The sample model's reference: models/iris-logreg.json (onnxruntime's outputs).
struct Reference {
	model_hash: String,
	input_scale: u8,
	output_scale: u8,
	input: Vec<i64>,
	probabilities: Vec<i64>,
}

fn read_reference(path: &str) -> Result<Reference, Error> {
	let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
	let ints = |v: &serde_json::Value| -> Option<Vec<i64>> {
		v.as_array()?.iter().map(|x| x.as_i64()).collect()
	};
	let case = &json["cases"][0];
	let probabilities = case["outputs"]
		.as_array()
		.and_then(|outputs| outputs.iter().find(|o| o["name"] == "probabilities"))
		.and_then(|o| ints(&o["fixed_point"]));
	Ok(Reference {
		model_hash: json["hash"].as_str().ok_or("reference: no hash")?.to_string(),
		input_scale: json["fixed_point"]["input_scale"]
			.as_u64()
			.ok_or("reference: no input_scale")? as u8,
		output_scale: json["fixed_point"]["output_scale"]
			.as_u64()
			.ok_or("reference: no output_scale")? as u8,
		input: ints(&case["input_fixed_point"]).ok_or("reference: no input_fixed_point")?,
		probabilities: probabilities.ok_or("reference: no probabilities")?,
	})
}

struct Args {
	url: String,
	signer: String,
	reference: String,
}

fn parse_args() -> Result<Args, Error> {
	let mut args = Args {
		url: "ws://127.0.0.1:9944".into(),
		signer: "Dave".into(),
		reference: concat!(env!("CARGO_MANIFEST_DIR"), "/../../../models/iris-logreg.json").into(),
	};
	let mut it = std::env::args().skip(1);
	while let Some(arg) = it.next() {
		match arg.as_str() {
			"--signer" => args.signer = it.next().ok_or("--signer needs a dev account name")?,
			"--reference" => args.reference = it.next().ok_or("--reference needs a path")?,
			"-h" | "--help" => {
				println!("aioracle-client-subxt [ws-url] [--signer Dave] [--reference models/iris-logreg.json]");
				std::process::exit(0);
			}
			url if !url.starts_with("--") => args.url = url.into(),
			other => return Err(format!("unknown argument {other}").into()),
		}
	}
	Ok(args)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
	let started = Instant::now();
	match run().await {
		Ok(()) => {
			let checks = CHECKS.load(Ordering::Relaxed);
			println!("ok: {checks} checks passed in {:.1} s", started.elapsed().as_secs_f64());
		}
		Err(e) => {
			eprintln!("{e}");
			std::process::exit(1);
		}
	}
}

async fn run() -> Result<(), Error> {
	let args = parse_args()?;
	let reference = read_reference(&args.reference)?;
	// `from_url` takes `wss://`, or `ws://` to this machine (`from_insecure_url` any `ws://`).
	let api = Client::from_url(&args.url).await?;
	let alice = subxt_signer::sr25519::dev::alice().public_key().to_account_id();
	let signer = Keypair::from_uri(&format!("//{}", args.signer).parse::<SecretUri>()?)?;
	let requester = signer.public_key().to_account_id();

	// 1. Dataset 0 and model 0's active version: runtime APIs, at the finalized block.
	let at = api.at_current_block().await?;
	let dataset = at
		.runtime_apis()
		.call(aio::runtime_apis().dataset_provenance_api().dataset(0))
		.await?
		.ok_or("dataset 0 does not exist")?;
	let licence = String::from_utf8_lossy(&dataset.licence).into_owned();
	println!(
		"dataset {}: {}, licence {licence}, hash {}",
		dataset.id,
		String::from_utf8_lossy(&dataset.uri),
		hex(dataset.content_hash.as_bytes()),
	);
	check!(dataset.id == 0, "dataset id {}", dataset.id);
	check!(
		hex(dataset.content_hash.as_bytes()) == IRIS_CSV_HASH,
		"dataset 0's hash is not iris.csv's"
	);
	check!(licence == "CC-BY-4.0", "dataset 0's licence is {licence}");
	check!(dataset.owner == alice, "dataset 0's owner is {}, not Alice", dataset.owner);

	let version = at
		.runtime_apis()
		.call(aio::runtime_apis().model_registry_api().active_version(0))
		.await?
		.ok_or("model 0 has no active version")?;
	println!(
		"model 0 version {}: ONNX {}, input scale {}, output scale {}",
		version.version,
		hex(version.model_hash.as_bytes()),
		version.input_scale,
		version.output_scale,
	);
	let Aggregation::Median { tolerance } = version.aggregation else {
		return Err(
			format!("model 0's aggregation is {:?}, not Median", version.aggregation).into()
		);
	};
	check!(version.version == 1, "active version {}", version.version);
	check!(
		hex(version.model_hash.as_bytes()) == reference.model_hash,
		"the active version's hash is not the reference model's"
	);
	check!(matches!(version.status, VersionStatus::Active), "status {:?}", version.status);
	check!(version.input_scale == reference.input_scale, "input scale {}", version.input_scale);
	check!(version.output_scale == reference.output_scale, "output scale {}", version.output_scale);
	check!(version.training_datasets == [0], "training datasets {:?}", version.training_datasets);

	// 2. Request an inference. `quote` says what it costs (for the free sample model: the
	// operators' fee, the constant `RequestFee`); `max_fee` must cover its `total`.
	let quote = at
		.runtime_apis()
		.call(aio::runtime_apis().inference_oracle_api().quote(0))
		.await?
		.map_err(|e| format!("quote(0) failed: {e:?}"))?;
	let request_fee = at.constants().entry(aio::constants().inference_oracle().request_fee())?;
	check!(quote.version == version.version, "quote for version {}", quote.version);
	check!(
		quote.fee == request_fee && quote.total == request_fee && quote.price == 0,
		"quote {quote:?} vs RequestFee {request_fee}"
	);

	// Follow the best chain from before the request, so no block goes unseen.
	let mut best_blocks = api.stream_best_blocks().await?;
	let tx =
		aio::tx().inference_oracle().request_inference(0, reference.input.clone(), quote.total);
	// Built at the finalized block: nonce and mortality from there.
	let mut progress = at.tx().sign_and_submit_then_watch_default(&tx, &signer).await?;
	let included = loop {
		match progress.next().await.ok_or("the transaction's status stream ended")?? {
			TransactionStatus::InBestBlock(included) => break included,
			TransactionStatus::InFinalizedBlock(included) => break included,
			TransactionStatus::Error { message }
			| TransactionStatus::Invalid { message }
			| TransactionStatus::Dropped { message } => {
				return Err(format!("the request failed: {message}").into())
			}
			_ => continue,
		}
	};
	// Fails with the module error on `ExtrinsicFailed`.
	let events = included.wait_for_success().await?;
	let requested = events
		.find_first::<aio::inference_oracle::events::InferenceRequested>()
		.ok_or("no InferenceRequested event")??;
	let request_block = included.at().await?;
	let request_number = request_block.block_number();
	let request_id = requested.request;
	println!(
		"request {request_id} in block #{request_number}: version {}, committee {}, deadline #{}",
		requested.version,
		requested.committee.0.len(),
		requested.deadline,
	);
	check!(requested.requester == requester, "requester {}", requested.requester);
	check!(requested.model == 0, "model {}", requested.model);
	check!(requested.version == version.version, "version {}", requested.version);
	check!(requested.fee == request_fee, "fee {}", requested.fee);
	check!(requested.committee.0.len() == 3, "committee of {}", requested.committee.0.len());
	let committee = sorted(&requested.committee.0);

	// 3. Wait for ResultFinalized on the best chain: each new best block, and any block
	// between it and the last one looked at (a best-block notification may skip blocks).
	let deadline = Instant::now() + RESULT_TIMEOUT;
	let mut next = request_number;
	let (result_hash, result_number, finalized_event) = 'wait: loop {
		let left = deadline.saturating_duration_since(Instant::now());
		let best = tokio::time::timeout(left, best_blocks.next())
			.await
			.map_err(|_| {
				format!("no ResultFinalized for request {request_id} within {RESULT_TIMEOUT:?}")
			})?
			.ok_or("the best-block stream ended")??;
		// The blocks from `next` to the new best one, oldest first.
		let mut branch = vec![(best.hash(), best.number())];
		while branch.last().unwrap().1 > next {
			let (hash, _) = *branch.last().unwrap();
			let parent = api.at_block(hash).await?.block_header().await?.parent_hash;
			let number = branch.last().unwrap().1 - 1;
			branch.push((parent, number));
		}
		for &(hash, number) in branch.iter().rev().filter(|(_, n)| *n >= next) {
			let block_events = api.at_block(hash).await?.events().fetch().await?;
			for event in block_events.find::<aio::inference_oracle::events::ResultFinalized>() {
				let event = event?;
				if event.request == request_id {
					break 'wait (hash, number, event);
				}
			}
			for event in block_events.find::<aio::inference_oracle::events::RequestExpired>() {
				if event?.request == request_id {
					return Err(format!("request {request_id} expired in block #{number}").into());
				}
			}
		}
		next = best.number() + 1;
	};
	let output = finalized_event.output.0.clone();
	println!("ResultFinalized in best block #{result_number}: output {output:?}");
	check!(output.len() == reference.probabilities.len(), "output of {} elements", output.len());
	for (i, (q, r)) in output.iter().zip(&reference.probabilities).enumerate() {
		check!(q.abs_diff(*r) <= tolerance, "element {i}: {q} vs reference {r}");
	}
	check!(
		sorted(&finalized_event.agreeing.0) == committee,
		"agreeing {:?}",
		finalized_event.agreeing.0
	);

	// 4. The trap, then the two right ways to read the result.
	let explain = || aio::runtime_apis().inference_oracle_api().explain(request_id);
	let finalized_before = api.at_current_block().await?;
	let at_finalized =
		finalized_before.runtime_apis().call(explain()).await?.ok_or("explain: no request")?;
	let finalized_number = finalized_before.block_number();
	let result_block = api.at_block(result_hash).await?;
	let parent_hash = result_block.block_header().await?.parent_hash;
	let at_parent = api
		.at_block(parent_hash)
		.await?
		.runtime_apis()
		.call(explain())
		.await?
		.ok_or("explain: no request")?;
	let at_result =
		result_block.runtime_apis().call(explain()).await?.ok_or("explain: no request")?;
	println!(
		"explain at finalized #{finalized_number}: {}; at #{}: {}; at #{result_number}: {}",
		status_name(&at_finalized.request.status),
		result_number - 1,
		status_name(&at_parent.request.status),
		status_name(&at_result.request.status),
	);
	if finalized_number < result_number {
		// Reading at finalized (subxt's default) right after the event: not yet.
		check!(
			matches!(at_finalized.request.status, RequestStatus::Pending),
			"explain at finalized #{finalized_number}"
		);
		check!(at_finalized.result.is_none(), "a result at finalized #{finalized_number}");
	} else {
		// Finality overtook us (a slow machine): finalized already holds the result.
		check!(
			matches!(at_finalized.request.status, RequestStatus::Finalized),
			"explain at finalized #{finalized_number}"
		);
	}
	check!(
		matches!(at_parent.request.status, RequestStatus::Pending),
		"explain at the result block's parent"
	);
	check!(
		matches!(at_result.request.status, RequestStatus::Finalized),
		"explain at the result block"
	);
	let result = at_result.result.as_ref().ok_or("no result at the result block")?;
	check!(result.output == output, "explain's output {:?}", result.output);
	check!(
		u64::from(result.finalized_at) == result_number,
		"finalized at #{}",
		result.finalized_at
	);

	// Right way 2: wait until the result block is finalized, then read at finalized.
	let mut finalized_blocks = api.stream_blocks().await?;
	let finalized = loop {
		let block = tokio::time::timeout(Duration::from_secs(30), finalized_blocks.next())
			.await
			.map_err(|_| format!("block #{result_number} not finalized within 30 s"))?
			.ok_or("the finalized-block stream ended")??;
		if block.number() >= result_number {
			break block.at().await?;
		}
	};
	let explained = finalized.runtime_apis().call(explain()).await?.ok_or("explain: no request")?;
	println!(
		"block #{result_number} finalized (finalized #{}): explain at finalized: {}",
		finalized.block_number(),
		status_name(&explained.request.status),
	);
	check!(matches!(explained.request.status, RequestStatus::Finalized), "explain after finality");
	check!(
		explained.request.requester == requester,
		"explain's requester {}",
		explained.request.requester
	);
	check!(
		explained.request.input == reference.input,
		"explain's input {:?}",
		explained.request.input
	);
	let result = explained.result.as_ref().ok_or("no result after finality")?;
	check!(result.output == output, "explain's output {:?}", result.output);
	check!(result.agreeing.len() == 3, "{} agreeing", result.agreeing.len());
	check!(explained.submissions.len() == 3, "{} submissions", explained.submissions.len());
	for s in &explained.submissions {
		println!("  submission by {} in block #{}: {:?}", s.operator, s.at, s.outcome);
		check!(
			matches!(&s.outcome, Outcome::Output(o) if *o == output),
			"{}'s outcome {:?}",
			s.operator,
			s.outcome
		);
		check!(u64::from(s.at) == result_number, "{}'s submission at #{}", s.operator, s.at);
	}
	let provenance = explained.provenance.as_ref().ok_or("explain: no provenance")?;
	check!(
		hex(provenance.version.model_hash.as_bytes()) == reference.model_hash,
		"provenance: model hash"
	);
	let trained_on =
		provenance.training_datasets.first().ok_or("provenance: no training dataset")?;
	check!(
		hex(trained_on.dataset.content_hash.as_bytes()) == IRIS_CSV_HASH,
		"provenance: dataset hash"
	);
	check!(trained_on.dataset.licence == b"CC-BY-4.0", "provenance: licence");
	check!(
		explained.tainted_datasets.is_empty(),
		"tainted datasets {:?}",
		explained.tainted_datasets
	);

	// 5. The block with the operators' reveals: v5 "general" transactions (no signer; the
	// runtime's `AuthorizeCall` lets the call authorize itself), decoded from the metadata.
	let extrinsics = result_block.extrinsics().fetch().await?;
	let block_events = result_block.events().fetch().await?;
	let operators: BTreeMap<[u8; 32], AccountId32> = result_block
		.runtime_apis()
		.call(aio::runtime_apis().inference_oracle_api().operators())
		.await?
		.into_iter()
		.map(|o| (o.key.0, o.account))
		.collect();
	let mut revealed_by = Vec::new();
	for x in extrinsics.iter() {
		let x = x?;
		let (version_byte, extension_version) = envelope(x.bytes())?;
		let decoded = x.decode_call_data_as::<aio::Call>()?;
		if !x.is::<aio::inference_oracle::calls::SubmitResults>() {
			println!(
				"  extrinsic {}: 0x{version_byte:02x} {}.{}",
				x.index(),
				x.pallet_name(),
				x.call_name()
			);
			// The inherents: v5 bare.
			check!(
				version_byte == 0x05,
				"extrinsic {}: version byte 0x{version_byte:02x}",
				x.index()
			);
			continue;
		}
		let aio::Call::InferenceOracle(aio::inference_oracle::Call::submit_results {
			batch,
			signature,
		}) = decoded
		else {
			return Err(format!("extrinsic {}: decoded as {decoded:?}", x.index()).into());
		};
		// Extrinsic format v5, general (0x45), extension version 0.
		check!(version_byte == 0x45, "extrinsic {}: version byte 0x{version_byte:02x}", x.index());
		check!(
			extension_version == Some(0),
			"extrinsic {}: extension version {extension_version:?}",
			x.index()
		);
		check!(!x.is_signed(), "extrinsic {}: signed", x.index());
		// Without a signer every extension has its default: immortal, nonce 0, no tip, no
		// metadata hash; `AuthorizeCall` and `CheckRequestCapacity` carry no data.
		let extensions =
			x.transaction_extensions().ok_or("a general transaction without extensions")?;
		let mortality =
			extensions.find::<CheckMortality<AioracleConfig>>().ok_or("no CheckMortality")??;
		check!(mortality == Era::Immortal, "extrinsic {}: {mortality:?}", x.index());
		check!(
			extensions.nonce() == Some(0),
			"extrinsic {}: nonce {:?}",
			x.index(),
			extensions.nonce()
		);
		check!(extensions.tip() == Some(0), "extrinsic {}: tip {:?}", x.index(), extensions.tip());
		let metadata_hash =
			extensions.find::<CheckMetadataHash>().ok_or("no CheckMetadataHash")??;
		check!(
			!metadata_hash.is_enabled(),
			"extrinsic {}: metadata hash {metadata_hash:?}",
			x.index()
		);
		let names: Vec<&str> = extensions.iter().map(|e| e.name()).collect();
		check!(
			names.contains(&"AuthorizeCall") && names.contains(&"CheckRequestCapacity"),
			"extrinsic {}: extensions {names:?}",
			x.index()
		);

		let operator = operators
			.get(&batch.key.0)
			.ok_or_else(|| format!("batch key {} is no operator's", hex(&batch.key.0)))?;
		let ours: Vec<_> = batch.items.iter().filter(|i| i.request == request_id).collect();
		check!(
			ours.len() == 1,
			"extrinsic {}: {} items for request {request_id}",
			x.index(),
			ours.len()
		);
		let Answer::Reveal { outcome, salt } = &ours[0].answer else {
			return Err(format!(
				"extrinsic {}: answer {:?}, not a reveal",
				x.index(),
				ours[0].answer
			)
			.into());
		};
		check!(
			matches!(outcome, Outcome::Output(o) if *o == output),
			"extrinsic {}: revealed {outcome:?}",
			x.index()
		);
		println!(
			"  extrinsic {}: v5 general, {}.{} by {operator}: request {request_id}, reveal {outcome:?}, salt {}, signature {}..",
			x.index(),
			x.pallet_name(),
			x.call_name(),
			hex(salt),
			&hex(&signature.0)[..18],
		);
		// The chain's events say the same: this extrinsic's BatchSubmitted names the operator.
		let submitted = block_events
			.iter()
			.filter_map(Result::ok)
			.filter(|e| e.phase() == subxt::events::Phase::ApplyExtrinsic(x.index() as u32))
			.find_map(|e| e.decode_fields_as::<aio::inference_oracle::events::BatchSubmitted>())
			.ok_or_else(|| format!("no BatchSubmitted for extrinsic {}", x.index()))??;
		check!(
			submitted.operator == *operator,
			"extrinsic {}: BatchSubmitted by {}",
			x.index(),
			submitted.operator
		);
		revealed_by.push(*operator);
	}
	check!(revealed_by.len() == 3, "{} reveals", revealed_by.len());
	check!(sorted(&revealed_by) == committee, "revealed by {revealed_by:?}");

	// The request's own block: the requester's signed transaction (v4: subxt builds v4 while
	// the runtime accepts it), decoded the same way.
	let request_extrinsics = request_block.extrinsics().fetch().await?;
	let signed: Vec<_> =
		request_extrinsics.iter().filter_map(Result::ok).filter(|x| x.is_signed()).collect();
	check!(signed.len() == 1, "{} signed extrinsics in the request's block", signed.len());
	let x = &signed[0];
	let (version_byte, _) = envelope(x.bytes())?;
	let address =
		MultiAddress::<AccountId32, ()>::decode(&mut x.address_bytes().ok_or("no address")?)?;
	let MultiAddress::Id(signed_by) = address else {
		return Err(format!("the request's address {address:?}").into());
	};
	let call = x
		.decode_call_data_fields_as::<aio::inference_oracle::calls::RequestInference>()
		.ok_or_else(|| {
		format!("extrinsic {}: {}.{}", x.index(), x.pallet_name(), x.call_name())
	})??;
	let extensions = x.transaction_extensions().ok_or("a signed transaction without extensions")?;
	let mortality =
		extensions.find::<CheckMortality<AioracleConfig>>().ok_or("no CheckMortality")??;
	let metadata_hash = extensions.find::<CheckMetadataHash>().ok_or("no CheckMetadataHash")??;
	println!(
		"  request block #{request_number}, extrinsic {}: 0x{version_byte:02x} signed by {}, {}.{} model {} input {:?} max_fee {}, {mortality:?}, nonce {:?}",
		x.index(),
		signed_by,
		x.pallet_name(),
		x.call_name(),
		call.model,
		call.input,
		call.max_fee,
		extensions.nonce(),
	);
	check!(version_byte == 0x84, "the request's version byte 0x{version_byte:02x}");
	check!(signed_by == requester, "the request's signer {signed_by}");
	check!(
		call.model == 0 && call.input == reference.input && call.max_fee == quote.total,
		"the request's call"
	);
	// subxt signs mortal transactions by default (32 blocks from the block it is built at).
	check!(matches!(mortality, Era::Mortal { .. }), "the request's era {mortality:?}");
	check!(extensions.nonce() == Some(0), "the request's nonce {:?}", extensions.nonce());
	// subxt never sends a metadata hash (mode Disabled).
	check!(!metadata_hash.is_enabled(), "the request's metadata hash {metadata_hash:?}");
	Ok(())
}

/// An extrinsic's version byte (`0x84` v4 signed, `0x04`/`0x05` bare, `0x45` v5 general) and,
/// for a general one, its extension version: the bytes after its compact length.
fn envelope(bytes: &[u8]) -> Result<(u8, Option<u8>), Error> {
	let mut cursor = bytes;
	Compact::<u32>::decode(&mut cursor)?;
	let version_byte = *cursor.first().ok_or("an empty extrinsic")?;
	let extension_version = (version_byte == 0x45).then(|| cursor.get(1).copied()).flatten();
	Ok((version_byte, extension_version))
}
