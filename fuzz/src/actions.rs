//! What the fuzzer does: [`Action`]s decoded from arbitrary bytes, each turned into an
//! extrinsic as a user would send it: signed by one of six dev accounts (with its real
//! nonce and fee), wrapped in `sudo` for governance (Alice is the dev chain's sudo key),
//! or, for operators' answers and verdicts, an authorized transaction carrying a real
//! `orcl` signature. Ids (datasets, models, requests) are drawn near the ones that exist,
//! so most calls reach the pallets' logic rather than `NotFound`.

use std::collections::BTreeMap;

use aioracle_primitives::{
	dataset::{AttestationKind, LicenceFlags, UsagePermissions, UsePermission},
	input::{BlobDecoding, InputSource},
	model::{Aggregation, ElementType, GoldenVector, TensorSpec},
	oracle::{Failure, Outcome, Verdict},
};
use aioracle_runtime::{AccountId, Runtime, RuntimeCall, TxExtension, UncheckedExtrinsic, UNIT};
use arbitrary::Arbitrary;
use codec::{DecodeLimit, Encode};
use frame_system::offchain::CreateAuthorizedTransaction;
use pallet_inference_oracle::{
	commitment, crypto, Answer, BatchItem, ResultBatch, ResultSubmission, VersionVerdict,
};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{BoundedVec, MultiAddress, MultiSignature, Permill};

/// The accounts the fuzzer acts as: the dev chain's six endowed accounts, then two more
/// the fuzzer's genesis endows. Alice, Bob and Charlie are the council, the genesis
/// operators, and (Alice) the sudo key.
pub const ACCOUNTS: [Sr25519Keyring; 8] = [
	Sr25519Keyring::Alice,
	Sr25519Keyring::Bob,
	Sr25519Keyring::Charlie,
	Sr25519Keyring::Dave,
	Sr25519Keyring::Eve,
	Sr25519Keyring::Ferdie,
	Sr25519Keyring::One,
	Sr25519Keyring::Two,
];

/// One of [`ACCOUNTS`].
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Who(u8);

impl Who {
	fn keyring(self) -> Sr25519Keyring {
		ACCOUNTS[usize::from(self.0) % ACCOUNTS.len()]
	}

	fn account(self) -> AccountId {
		self.keyring().to_account_id()
	}
}

/// An answer an operator gives to a request.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum AnswerKind {
	/// The honest output (a function of the input every honest member computes alike).
	Honest,
	/// A lie: the honest output moved by this much.
	Lie(i32),
	/// A failure.
	Fail,
	/// A commitment to the honest output (or a lie), kept to be revealed.
	Commit { lie: bool },
	/// The reveal of the kept commitment; `tamper` reveals another outcome.
	Reveal { tamper: bool },
	/// An output of the wrong length.
	WrongLength,
}

/// A governance decision, sent by sudo.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Decision {
	Approve,
	Activate,
	Reject,
	Deprecate,
	Rollback,
	RemoveOperator(Who),
	SlashOperator(Who),
	RetractDataset(u8),
	/// A canary of the version at `sample_pct % 101` percent, with bounds (appended last).
	StartCanary { sample_pct: u8, max_failures: u8, max_disagreements: u8 },
	EndCanary,
}

/// One thing a user, an operator or governance does.
#[derive(Arbitrary, Debug, Clone)]
pub enum Action {
	Transfer {
		from: Who,
		to: Who,
		milli_units: u32,
	},
	RegisterDataset {
		who: Who,
		seed: u16,
		parent: Option<u8>,
		commercial: bool,
		derivatives: bool,
		/// Training, inference and mining permissions, two bits each (see `permission`).
		permissions: u8,
		/// The royalty in percent (above the runtime's bound is refused).
		royalty: u8,
	},
	UpdateUri {
		who: Who,
		dataset: u8,
		len: u8,
	},
	TransferDataset {
		who: Who,
		dataset: u8,
		to: Who,
	},
	Retract {
		who: Who,
		dataset: u8,
	},
	Attest {
		who: Who,
		dataset: u8,
		kind: u8,
		revoke: bool,
	},
	CreateModel {
		who: Who,
		name_len: u8,
	},
	ProposeVersion {
		who: Who,
		model: u8,
		seed: u16,
		shape: Shape,
	},
	/// Declares a file of 1 to 4 chunks; `size_ok: false` declares a byte more than they make.
	BeginUpload {
		who: Who,
		model: u8,
		seed: u8,
		chunks: u8,
		size_ok: bool,
	},
	/// Sends a chunk of the upload `seed`: its own bytes, or another's.
	UploadChunk {
		who: Who,
		seed: u8,
		index: u8,
		good: bool,
	},
	ProposeUploaded {
		who: Who,
		model: u8,
		seed: u8,
		shape: Shape,
	},
	CancelUpload {
		who: Who,
		seed: u8,
	},
	WithdrawVersion {
		who: Who,
		model: u8,
		version: u8,
	},
	/// The model's owner (or not) prices a version, in milli-units (zero: free).
	SetPrice {
		who: Who,
		model: u8,
		version: u8,
		milli_units: u16,
	},
	/// Anyone pays out a payee of a version: the model's owner or a dataset.
	PayOut {
		who: Who,
		model: u8,
		version: u8,
		dataset: Option<u8>,
	},
	Govern {
		decision: Decision,
		model: u8,
		version: u8,
	},
	RegisterOperator {
		who: Who,
		bond_units: u16,
	},
	UnregisterOperator {
		who: Who,
	},
	WithdrawBond {
		who: Who,
	},
	Request {
		who: Who,
		model: u8,
		input: [i16; 4],
		fee_ok: bool,
	},
	Answer {
		member: Who,
		request: u8,
		kind: AnswerKind,
	},
	/// Answers; `Some(honest)` attaches a canary report: the honest output, or a failure.
	Batch {
		member: Who,
		items: Vec<(u8, AnswerKind, Option<bool>)>,
	},
	Forged {
		member: Who,
		signer: Who,
		request: u8,
	},
	Dispute {
		who: Who,
		request: u8,
	},
	Verdict {
		who: Who,
		model: u8,
		version: u8,
		reproduced: bool,
	},
	Raw {
		who: Who,
		bytes: Vec<u8>,
	},
	/// Every member of a request's committee commits (bit `i` of `liars` set: member `i`
	/// commits to a lie), or every member reveals what it committed to: what brings
	/// requests to their result, so that closing, paying, slashing and disputes are
	/// reached. Reveals (and a committee of one's outcome) carry a canary report, a failure
	/// from member `i` if bit `i` is set, so that sampled requests are judged.
	Committee {
		request: u8,
		liars: u8,
		reveal: bool,
	},
	/// Stores the fuzzer's input blob `seed`: 32 bytes (an input of the versions it
	/// proposes) or, unless `fits`, a size that fits no `Tensor` input (0 is empty).
	StoreInput {
		who: Who,
		seed: u8,
		fits: bool,
	},
	RemoveInput {
		who: Who,
		seed: u8,
		fits: bool,
	},
	/// A request naming the blob `seed`, or (`dataset`) a recent dataset.
	RequestByReference {
		who: Who,
		model: u8,
		seed: u8,
		fits: bool,
		dataset: Option<u8>,
	},
	/// Declares `FileEdges` (which fits the proposed 4-element inputs unless `wide`) or
	/// `Tensor` for a version.
	SetInputDecoding {
		who: Who,
		model: u8,
		version: u8,
		edges: bool,
		wide: bool,
	},
	/// Gives a version an exact program: one answering the version's first golden output
	/// value plus `value % 3` (so a third pass the golden check) in each element of the
	/// version's output (plus `outputs % 4` more: a quarter fit), for inputs within
	/// `±range * 128` (requests' inputs are `i16`s: some fall outside; a range of 0 refuses
	/// the golden input), or (`garbage`) bytes that are no program.
	SetExactProgram {
		who: Who,
		model: u8,
		version: u8,
		value: u8,
		outputs: u8,
		range: u8,
		garbage: bool,
	},
	/// Empty blocks: deadlines pass, `on_idle` expires requests and settles disputes.
	Wait(u8),
	/// A subscription to a recent model, inline (`input`) or naming the blob `blob`, every
	/// `every % 6` blocks (0 is refused), with a budget of `budget_fees` request fees (too
	/// small ones run out), until `until` blocks from now if given (0 is refused).
	Subscribe {
		who: Who,
		model: u8,
		input: [i16; 4],
		blob: Option<u8>,
		every: u8,
		budget_fees: u8,
		until: Option<u8>,
	},
	/// Closes a recent subscription (its owner's or not).
	CloseSubscription {
		who: Who,
		subscription: u8,
	},
}

/// What the fuzzer remembers between actions: operators' commitments, to reveal them.
#[derive(Default)]
pub struct Memory {
	commitments: BTreeMap<(u64, AccountId), (Outcome<Vec<i64>>, [u8; 32])>,
}

/// A recent id below `next`: `back` steps back from the newest, modulo a window.
fn recent(next: u64, back: u8, window: u64) -> u64 {
	next.saturating_sub(1).saturating_sub(u64::from(back) % window.max(1))
}

fn dataset_id(back: u8) -> u64 {
	recent(pallet_dataset_provenance::NextDatasetId::<Runtime>::get(), back, 8)
}

fn model_id(back: u8) -> u32 {
	recent(pallet_model_registry::NextModelId::<Runtime>::get().into(), back, 4) as u32
}

fn version_id(model: u32, back: u8) -> u32 {
	let next = pallet_model_registry::Models::<Runtime>::get(model).map_or(1, |m| m.next_version);
	recent(next.into(), back, 4).max(1) as u32
}

/// The contract of a version the fuzzer proposes.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Shape {
	min_agreement: u8,
	tolerance: u8,
	dataset: u8,
	golden_ok: bool,
	output_len: u8,
}

/// A proposal of the file `model_hash` with the contract `shape` describes: one input or
/// two (or one named twice), every rule, the reducing ones with a `k` that may not fit the
/// output.
/// The output length of version `version` of `model` and its first golden vector's first
/// output value (1 and 0 if there is none).
fn exact_target(model: u32, version: u32) -> (u32, i64) {
	let len = pallet_model_registry::Versions::<Runtime>::get(model, version)
		.and_then(|v| v.output.element_count())
		.unwrap_or(1);
	let golden = pallet_model_registry::GoldenVectors::<Runtime>::get(model, version)
		.and_then(|g| g.first().and_then(|g| g.output.first().copied()))
		.unwrap_or(0);
	(len, golden)
}

/// An exact program for the fuzzer's proposals' inputs (4 elements at 4 decimals, within
/// `±range * 128`) answering `value` in each of `outputs` elements at 6 decimals.
fn constant_program(value: i64, outputs: u32, range: u8) -> aioracle_exact::Program {
	use aioracle_exact::program::{Constant, InputRange, InputSpec, Interval, Op};
	let bound = i64::from(range) * 128;
	aioracle_exact::Program {
		version: aioracle_exact::FORMAT_VERSION,
		input: InputSpec {
			len: 4,
			scale: 4,
			range: InputRange::Global(Interval { min: -bound, max: bound }),
		},
		constants: vec![
			Constant { scale: 0, values: vec![0; 4 * outputs as usize] },
			Constant { scale: 6, values: vec![value; outputs as usize] },
		],
		nodes: vec![Op::Linear { input: 0, weights: 0, bias: Some(1), outputs, scale: 6 }],
		output: 1,
		output_scale: 6,
	}
}

fn proposal(
	model_hash: sp_core::H256,
	shape: Shape,
) -> pallet_model_registry::VersionProposal<AccountId> {
	let Shape { min_agreement, tolerance, dataset, golden_ok, output_len } = shape;
	let output_len = u32::from(output_len % 4) + 1;
	let spec = |index, len: u32| TensorSpec {
		index,
		element_type: ElementType::F32,
		shape: BoundedVec::truncate_from(vec![1, len]),
	};
	let aggregation = match tolerance % 4 {
		0 => Aggregation::Median { tolerance: u64::from(tolerance) },
		1 => Aggregation::ExactMajority,
		2 => Aggregation::ArgMax,
		_ => Aggregation::TopK { k: u32::from(tolerance / 4 % 4), tolerance: 2 },
	};
	let reported_len = aggregation.reported_len(&spec(1, output_len)).unwrap_or(output_len);
	let golden_output = if golden_ok { 1 } else { 0 };
	pallet_model_registry::VersionProposal {
		model_hash,
		uri: Vec::new(),
		// One input, two that split its four elements, or one model input named twice.
		inputs: match min_agreement / 5 % 3 {
			0 => vec![spec(0, 4)],
			1 => vec![spec(1, 2), spec(0, 2)],
			_ => vec![spec(0, 2), spec(0, 2)],
		},
		output: spec(1, output_len),
		input_scale: 4,
		output_scale: 6,
		aggregation,
		min_agreement: u32::from(min_agreement % 5),
		training_datasets: vec![dataset_id(dataset)],
		commercial_use: false,
		golden_vectors: vec![GoldenVector {
			input: vec![1, 2, 3, 4],
			output: vec![golden_output; reported_len as usize],
		}],
		training_run: None,
	}
}

/// The whole-file hash of the fuzzer's upload `seed` (one of 8).
fn upload_hash(seed: u8) -> sp_core::H256 {
	sp_io::hashing::blake2_256(&(b"fuzz upload", seed % 8).encode()).into()
}

/// Chunk `index` of the fuzzer's upload `seed`: a few bytes of its own.
fn upload_chunk(seed: u8, index: u8) -> Vec<u8> {
	(b"chunk", seed % 8, index, [index; 16]).encode()
}

/// The fuzzer's input blob `seed` (one of 8): 32 bytes, or unless `fits` from 0 to 40
/// bytes other than 32.
fn input_blob(seed: u8, fits: bool) -> Vec<u8> {
	let len = if fits { 32 } else { usize::from(seed % 8) * 5 + usize::from(seed % 8 >= 6) };
	(0..len).map(|i| (i as u8).wrapping_mul(seed % 8 + 1)).collect()
}

fn subscription_id(back: u8) -> u32 {
	recent(pallet_inference_oracle::NextSubscriptionId::<Runtime>::get().into(), back, 6) as u32
}

fn request_id(back: u8) -> u64 {
	recent(pallet_inference_oracle::NextRequestId::<Runtime>::get(), back, 12)
}

/// The output every honest member computes for `request`: a function of its input.
/// A candidate's report for `request`: the honest output, or a failure.
fn canary_report(request: u64, honest_report: bool) -> pallet_inference_oracle::CanaryReport<Vec<i64>> {
	let outcome = if honest_report {
		honest(request)
	} else {
		Outcome::Failed(Failure::ModelBytesUnavailable)
	};
	pallet_inference_oracle::CanaryReport { outcome, candidate_millis: 1, active_millis: 1 }
}

fn honest(request: u64) -> Outcome<Vec<i64>> {
	let Some(r) = pallet_inference_oracle::Requests::<Runtime>::get(request) else {
		return Outcome::Output(vec![0; 3]);
	};
	let len = r.contract.reported_len().unwrap_or(1) as usize;
	let sum: i64 = r.input.iter().map(|x| x % 1_000).sum();
	Outcome::Output((0..len).map(|i| sum + i as i64).collect())
}

fn moved(outcome: Outcome<Vec<i64>>, by: i64) -> Outcome<Vec<i64>> {
	match outcome {
		Outcome::Output(mut o) => {
			if let Some(first) = o.first_mut() {
				*first = first.saturating_add(by);
			}
			Outcome::Output(o)
		}
		failed => failed,
	}
}

/// A signed extrinsic of `who` carrying `call`, with its current nonce.
pub fn signed(who: Sr25519Keyring, call: RuntimeCall) -> UncheckedExtrinsic {
	let account = who.to_account_id();
	let nonce = frame_system::Pallet::<Runtime>::account_nonce(&account);
	let extension: TxExtension = aioracle_runtime::configs::oracle::transaction_extension(nonce);
	let payload = sp_runtime::generic::SignedPayload::new(call.clone(), extension.clone())
		.expect("the implicit data of the extensions is available");
	let signature = payload.using_encoded(|bytes| who.sign(bytes));
	UncheckedExtrinsic::new_signed(
		call,
		MultiAddress::Id(account),
		MultiSignature::Sr25519(signature),
		extension,
	)
}

/// An authorized (unsigned, general) transaction carrying `call`, as an off-chain worker
/// sends it.
fn authorized(call: RuntimeCall) -> UncheckedExtrinsic {
	<Runtime as CreateAuthorizedTransaction<RuntimeCall>>::create_authorized_transaction(call)
}

fn sudo(call: RuntimeCall) -> UncheckedExtrinsic {
	signed(
		Sr25519Keyring::Alice,
		RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call) }),
	)
}

fn orcl(who: Sr25519Keyring) -> crypto::Public {
	crypto::Public::from(who.public())
}

/// A permission from the two low bits of `bits`: allowed (twice as likely), not allowed or
/// constrained.
fn permission(bits: u8) -> UsePermission {
	match bits & 3 {
		1 => UsePermission::NotAllowed,
		2 => UsePermission::Constrained { constraint: sp_core::H256::repeat_byte(bits) },
		_ => UsePermission::Allowed,
	}
}

impl Memory {
	/// The extrinsics that carry `action` (none if it makes no sense on this state).
	pub fn extrinsics(&mut self, action: Action) -> Vec<UncheckedExtrinsic> {
		match action {
			Action::Transfer { from, to, milli_units } => {
				let value = u128::from(milli_units) * UNIT / 1_000;
				let call = pallet_balances::Call::<Runtime>::transfer_allow_death {
					dest: MultiAddress::Id(to.account()),
					value,
				};
				vec![signed(from.keyring(), call.into())]
			}
			Action::RegisterDataset {
				who,
				seed,
				parent,
				commercial,
				derivatives,
				permissions,
				royalty,
			} => {
				let registration = pallet_dataset_provenance::Registration {
					content_hash: sp_core::H256::from(sp_io::hashing::blake2_256(&seed.encode())),
					size_bytes: u64::from(seed) + 1,
					record_count: None,
					uri: b"ipfs://data".to_vec(),
					licence: b"CC-BY-4.0".to_vec(),
					licence_flags: LicenceFlags {
						commercial_use: commercial,
						derivatives,
						share_alike: false,
					},
					schema_hash: None,
					parents: parent.map(dataset_id).into_iter().collect(),
					derivation: parent.map(|_| {
						pallet_dataset_provenance::Derivation::Description(b"cleaned".to_vec())
					}),
					permissions: UsagePermissions {
						ai_training: permission(permissions),
						ai_inference: permission(permissions >> 2),
						data_mining: permission(permissions >> 4),
					},
					royalty: Permill::from_percent(u32::from(royalty % 40)),
				};
				let call = pallet_dataset_provenance::Call::register_dataset { registration };
				vec![signed(who.keyring(), call.into())]
			}
			Action::UpdateUri { who, dataset, len } => {
				let call = pallet_dataset_provenance::Call::update_uri {
					dataset: dataset_id(dataset),
					uri: vec![b'u'; usize::from(len) * 2],
				};
				vec![signed(who.keyring(), call.into())]
			}
			Action::TransferDataset { who, dataset, to } => {
				// Offered, then accepted by the account offered (two steps, as on-chain).
				let offer = pallet_dataset_provenance::Call::offer_ownership {
					dataset: dataset_id(dataset),
					to: Some(to.account()),
				};
				let accept =
					pallet_dataset_provenance::Call::accept_ownership { dataset: dataset_id(dataset) };
				vec![signed(who.keyring(), offer.into()), signed(to.keyring(), accept.into())]
			}
			Action::Retract { who, dataset } => {
				let call = pallet_dataset_provenance::Call::retract {
					dataset: dataset_id(dataset),
					reason: b"wrong labels".to_vec(),
				};
				vec![signed(who.keyring(), call.into())]
			}
			Action::Attest { who, dataset, kind, revoke } => {
				let kind = match kind % 4 {
					0 => AttestationKind::Quality,
					1 => AttestationKind::Consent,
					2 => AttestationKind::Audit,
					_ => AttestationKind::Other,
				};
				let dataset = dataset_id(dataset);
				let call: RuntimeCall = if revoke {
					pallet_dataset_provenance::Call::revoke_attestation { dataset, kind }.into()
				} else {
					pallet_dataset_provenance::Call::attest {
						dataset,
						kind,
						statement_hash: sp_core::H256::repeat_byte(7),
					}
					.into()
				};
				vec![signed(who.keyring(), call)]
			}
			Action::CreateModel { who, name_len } => {
				let call = pallet_model_registry::Call::create_model {
					name: vec![b'm'; usize::from(name_len % 80)],
					description: b"a model".to_vec(),
				};
				vec![signed(who.keyring(), call.into())]
			}
			Action::ProposeVersion { who, model, seed, shape } => {
				let bytes = (b"\x08\x07fuzz model", seed).encode();
				let proposal = proposal(sp_io::hashing::blake2_256(&bytes).into(), shape);
				let call = pallet_model_registry::Call::propose_version {
					model: model_id(model),
					proposal,
					bytes,
				};
				vec![signed(who.keyring(), call.into())]
			}
			Action::SetPrice { who, model, version, milli_units } => {
				let model = model_id(model);
				let call = pallet_model_registry::Call::set_price {
					model,
					version: version_id(model, version),
					price: u128::from(milli_units) * UNIT / 1_000,
				};
				vec![signed(who.keyring(), call.into())]
			}
			Action::PayOut { who, model, version, dataset } => {
				let model = model_id(model);
				let payee = match dataset {
					Some(d) => pallet_model_registry::Payee::Dataset(dataset_id(d)),
					None => pallet_model_registry::Payee::ModelOwner,
				};
				let call = pallet_model_registry::Call::pay_out {
					model,
					version: version_id(model, version),
					payee,
				};
				vec![signed(who.keyring(), call.into())]
			}
			Action::WithdrawVersion { who, model, version } => {
				let model = model_id(model);
				let call = pallet_model_registry::Call::withdraw_version {
					model,
					version: version_id(model, version),
				};
				vec![signed(who.keyring(), call.into())]
			}
			Action::BeginUpload { who, model, seed, chunks, size_ok } => {
				let count = chunks % 4 + 1;
				let hashes = (0..count)
					.map(|i| sp_io::hashing::blake2_256(&upload_chunk(seed, i)).into())
					.collect();
				let exact: usize = (0..count).map(|i| upload_chunk(seed, i).len()).sum();
				let size = if size_ok { exact as u32 } else { exact as u32 + 1 };
				let call = pallet_model_registry::Call::begin_upload {
					model: model_id(model),
					model_hash: upload_hash(seed),
					size_bytes: size,
					chunks: hashes,
				};
				vec![signed(who.keyring(), call.into())]
			}
			Action::UploadChunk { who, seed, index, good } => {
				let index = index % 5;
				let bytes = upload_chunk(if good { seed } else { seed.wrapping_add(1) }, index);
				let call = pallet_model_registry::Call::upload_chunk {
					model_hash: upload_hash(seed),
					index: u32::from(index),
					bytes,
				};
				vec![signed(who.keyring(), call.into())]
			}
			Action::ProposeUploaded { who, model, seed, shape } => {
				let call = pallet_model_registry::Call::propose_uploaded_version {
					model: model_id(model),
					proposal: proposal(upload_hash(seed), shape),
				};
				vec![signed(who.keyring(), call.into())]
			}
			Action::CancelUpload { who, seed } => {
				let call =
					pallet_model_registry::Call::cancel_upload { model_hash: upload_hash(seed) };
				vec![signed(who.keyring(), call.into())]
			}
			Action::Govern { decision, model, version } => {
				let model = model_id(model);
				let version = version_id(model, version);
				let call: RuntimeCall = match decision {
					Decision::Approve => {
						pallet_model_registry::Call::approve_version { model, version }.into()
					}
					Decision::Activate => {
						pallet_model_registry::Call::activate_version { model, version }.into()
					}
					Decision::Reject => {
						pallet_model_registry::Call::reject_version { model, version }.into()
					}
					Decision::Deprecate => {
						pallet_model_registry::Call::deprecate_version { model, version }.into()
					}
					Decision::Rollback => pallet_model_registry::Call::rollback { model }.into(),
					Decision::RemoveOperator(who) => {
						pallet_inference_oracle::Call::remove_operator { operator: who.account() }
							.into()
					}
					Decision::SlashOperator(who) => {
						pallet_inference_oracle::Call::slash_operator { operator: who.account() }
							.into()
					}
					Decision::StartCanary { sample_pct, max_failures, max_disagreements } => {
						pallet_model_registry::Call::start_canary {
							model,
							version,
							sample: sp_runtime::Perbill::from_percent(u32::from(sample_pct % 101)),
							max_failures: max_failures.into(),
							max_disagreements: max_disagreements.into(),
						}
						.into()
					}
					Decision::EndCanary => pallet_model_registry::Call::end_canary { model }.into(),
					Decision::RetractDataset(back) => pallet_dataset_provenance::Call::retract {
						dataset: dataset_id(back),
						reason: b"governance".to_vec(),
					}
					.into(),
				};
				vec![sudo(call)]
			}
			Action::RegisterOperator { who, bond_units } => {
				let bond = u128::from(bond_units % 400) * UNIT;
				let call = pallet_inference_oracle::Call::register_operator {
					key: orcl(who.keyring()),
					bond,
				};
				vec![signed(who.keyring(), call.into())]
			}
			Action::UnregisterOperator { who } => vec![signed(
				who.keyring(),
				pallet_inference_oracle::Call::unregister_operator {}.into(),
			)],
			Action::WithdrawBond { who } => {
				vec![signed(who.keyring(), pallet_inference_oracle::Call::withdraw_bond {}.into())]
			}
			Action::StoreInput { who, seed, fits } => {
				let call = pallet_inference_oracle::Call::store_input { bytes: input_blob(seed, fits) };
				vec![signed(who.keyring(), call.into())]
			}
			Action::RemoveInput { who, seed, fits } => {
				let blob = sp_io::hashing::blake2_256(&input_blob(seed, fits)).into();
				let call = pallet_inference_oracle::Call::remove_input { blob };
				vec![signed(who.keyring(), call.into())]
			}
			Action::RequestByReference { who, model, seed, fits, dataset } => {
				let input = match dataset {
					Some(back) => InputSource::Dataset(dataset_id(back)),
					None => InputSource::Blob(sp_io::hashing::blake2_256(&input_blob(seed, fits)).into()),
				};
				let call = pallet_inference_oracle::Call::request_inference_by_reference {
					model: model_id(model),
					input,
					max_fee: aioracle_runtime::configs::oracle::RequestFee::get(),
				};
				vec![signed(who.keyring(), call.into())]
			}
			Action::SetInputDecoding { who, model, version, edges, wide } => {
				let model = model_id(model);
				let decoding = if edges {
					BlobDecoding::FileEdges { begin: 2, end: 2 + u32::from(wide), block: 16, padding: 256 }
				} else {
					BlobDecoding::Tensor
				};
				let call = pallet_model_registry::Call::set_input_decoding {
					model,
					version: version_id(model, version),
					decoding,
				};
				vec![signed(who.keyring(), call.into())]
			}
			Action::SetExactProgram { who, model, version, value, outputs, range, garbage } => {
				let model = model_id(model);
				let version = version_id(model, version);
				let (len, golden) = exact_target(model, version);
				let program = if garbage {
					(b"not a program", value, outputs, range).encode()
				} else {
					let len = len.saturating_add(u32::from(outputs % 4)).min(16);
					constant_program(golden.saturating_add(i64::from(value % 3)), len, range)
						.encode()
				};
				let call = pallet_model_registry::Call::set_exact_program { model, version, program };
				vec![signed(who.keyring(), call.into())]
			}
			Action::Subscribe { who, model, input, blob, every, budget_fees, until } => {
				let fee = aioracle_runtime::configs::oracle::RequestFee::get();
				let now = frame_system::Pallet::<Runtime>::block_number();
				let input = match blob {
					Some(seed) => pallet_inference_oracle::ScheduledInput::Source(InputSource::Blob(
						sp_io::hashing::blake2_256(&input_blob(seed, true)).into(),
					)),
					None => pallet_inference_oracle::ScheduledInput::Inline(
						input.iter().map(|x| i64::from(*x)).collect(),
					),
				};
				let terms = pallet_inference_oracle::SubscriptionTerms {
					model: model_id(model),
					input,
					every: u32::from(every % 6),
					until: until.map(|blocks| now.saturating_add(u32::from(blocks % 16))),
					max_fee: fee,
					budget: fee.saturating_mul(u128::from(budget_fees)),
				};
				let call = pallet_inference_oracle::Call::open_subscription { terms };
				vec![signed(who.keyring(), call.into())]
			}
			Action::CloseSubscription { who, subscription } => {
				let call = pallet_inference_oracle::Call::close_subscription {
					subscription: subscription_id(subscription),
				};
				vec![signed(who.keyring(), call.into())]
			}
			Action::Request { who, model, input, fee_ok } => {
				let fee = aioracle_runtime::configs::oracle::RequestFee::get();
				let call = pallet_inference_oracle::Call::request_inference {
					model: model_id(model),
					input: input.iter().map(|x| i64::from(*x)).collect(),
					max_fee: if fee_ok { fee } else { fee / 2 },
				};
				vec![signed(who.keyring(), call.into())]
			}
			Action::Answer { member, request, kind } => {
				let request = request_id(request);
				let answer = self.answer(member, request, kind);
				let submission = ResultSubmission { request, key: orcl(member.keyring()), answer };
				let signature = member.keyring().sign(&submission.encode());
				let call = pallet_inference_oracle::Call::submit_result {
					submission,
					signature: signature.into(),
				};
				vec![authorized(call.into())]
			}
			Action::Batch { member, items } => {
				let items = items
					.into_iter()
					.take(16)
					.map(|(back, kind, canary)| {
						let request = request_id(back);
						let answer = self.answer(member, request, kind);
						BatchItem { request, answer, canary: canary.map(|honest| canary_report(request, honest)) }
					})
					.collect();
				let batch = ResultBatch { key: orcl(member.keyring()), items };
				let signature = member.keyring().sign(&batch.signing_payload());
				let call = pallet_inference_oracle::Call::submit_results {
					batch,
					signature: signature.into(),
				};
				vec![authorized(call.into())]
			}
			Action::Forged { member, signer, request } => {
				let request = request_id(request);
				let answer = Answer::Outcome(honest(request));
				let submission = ResultSubmission { request, key: orcl(member.keyring()), answer };
				let signature = signer.keyring().sign(&submission.encode());
				let call = pallet_inference_oracle::Call::submit_result {
					submission,
					signature: signature.into(),
				};
				vec![authorized(call.into())]
			}
			Action::Dispute { who, request } => {
				let call = pallet_inference_oracle::Call::dispute { request: request_id(request) };
				vec![signed(who.keyring(), call.into())]
			}
			Action::Verdict { who, model, version, reproduced } => {
				let model = model_id(model);
				let verdict = VersionVerdict {
					model,
					version: version_id(model, version),
					key: orcl(who.keyring()),
					verdict: if reproduced {
						Verdict::Reproduced
					} else {
						Verdict::Failed(Failure::GoldenVectorMismatch)
					},
				};
				let signature = who.keyring().sign(&verdict.signing_payload());
				let call = pallet_inference_oracle::Call::submit_verdict {
					verdict,
					signature: signature.into(),
				};
				vec![authorized(call.into())]
			}
			Action::Committee { request, liars, reveal } => {
				let request = request_id(request);
				let members = pallet_inference_oracle::Committees::<Runtime>::get(request);
				members
					.iter()
					.enumerate()
					.filter_map(|(i, member)| {
						let who = ACCOUNTS.iter().position(|k| &k.to_account_id() == member)?;
						let who = Who(who as u8);
						let kind = if reveal {
							AnswerKind::Reveal { tamper: false }
						} else {
							AnswerKind::Commit { lie: liars & (1 << (i % 8)) != 0 }
						};
						let answer = if members.len() == 1 {
							Answer::Outcome(honest(request))
						} else {
							self.answer(who, request, kind)
						};
						// What closes a member's part carries a candidate report, for the
						// request's canary if it was sampled: honest, or a failure from a liar.
						let canary = answer
							.closes()
							.then(|| canary_report(request, liars & (1 << (i % 8)) == 0));
						let batch = ResultBatch {
							key: orcl(who.keyring()),
							items: vec![BatchItem { request, answer, canary }],
						};
						let signature = who.keyring().sign(&batch.signing_payload());
						let call = pallet_inference_oracle::Call::submit_results {
							batch,
							signature: signature.into(),
						};
						Some(authorized(call.into()))
					})
					.collect()
			}
			// Blocks, not extrinsics: the runner builds them.
			Action::Wait(_) => Vec::new(),
			Action::Raw { who, bytes } => {
				// Any call of any pallet, signed by an account that is not the sudo key (a
				// sudo'd `system.set_storage` would break invariants by design).
				let who = ACCOUNTS[1 + usize::from(who.0) % (ACCOUNTS.len() - 1)];
				match RuntimeCall::decode_with_depth_limit(8, &mut &bytes[..]) {
					Ok(call) => vec![signed(who, call)],
					Err(_) => Vec::new(),
				}
			}
		}
	}

	/// `member`'s answer of `kind` to `request`, remembering commitments to reveal.
	fn answer(&mut self, member: Who, request: u64, kind: AnswerKind) -> Answer {
		let account = member.account();
		let salt = sp_io::hashing::blake2_256(&(request, &account).encode());
		match kind {
			AnswerKind::Honest => Answer::Outcome(honest(request)),
			AnswerKind::Lie(by) => Answer::Outcome(moved(honest(request), i64::from(by))),
			AnswerKind::Fail => Answer::Outcome(Outcome::Failed(Failure::ModelBytesUnavailable)),
			AnswerKind::WrongLength => Answer::Outcome(Outcome::Output(vec![1; 9])),
			AnswerKind::Commit { lie } => {
				let outcome = if lie { moved(honest(request), 1_000_000) } else { honest(request) };
				let hash = commitment(request, &account, &outcome, &salt);
				self.commitments.insert((request, account), (outcome, salt));
				Answer::Commit(hash)
			}
			AnswerKind::Reveal { tamper } => {
				let (outcome, salt) = self
					.commitments
					.get(&(request, account))
					.cloned()
					.unwrap_or_else(|| (honest(request), salt));
				let outcome = if tamper { moved(outcome, 1) } else { outcome };
				Answer::Reveal { outcome, salt }
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::chain::{development_genesis, Chain};
	use pallet_inference_oracle::Event as OracleEvent;

	fn apply(chain: &mut Chain, memory: &mut Memory, action: Action) {
		for xt in memory.extrinsics(action) {
			let applied = chain.apply(xt);
			assert!(matches!(applied, Ok(Ok(()))), "{applied:?}");
		}
	}

	/// The path the fuzzer's exact actions open: Alice proposes a version of model 0, gives
	/// it a constant program that passes its golden check, sudo approves and activates it,
	/// and a request is answered in its own block. If this path closes (a change to the
	/// actions or the pallets), the fuzzer no longer reaches the exact tier.
	#[test]
	fn a_constant_exact_program_is_set_activated_and_answers_in_the_requests_block() {
		sp_io::TestExternalities::new(development_genesis()).execute_with(|| {
			let mut chain = Chain::new();
			let mut memory = Memory::default();
			chain.start_block();
			let alice = Who(0);
			// One input of 4 elements, `Median { tolerance: 0 }`, a golden output of 1.
			let shape =
				Shape { min_agreement: 1, tolerance: 0, dataset: 0, golden_ok: true, output_len: 0 };
			apply(&mut chain, &mut memory, Action::ProposeVersion { who: alice, model: 0, seed: 1, shape });
			let (model, version) = (0, version_id(0, 0));
			let exact = Action::SetExactProgram {
				who: alice,
				model: 0,
				version: 0,
				value: 0,
				outputs: 0,
				range: 1,
				garbage: false,
			};
			apply(&mut chain, &mut memory, exact);
			assert!(pallet_model_registry::ExactPrograms::<Runtime>::contains_key(model, version));
			for decision in [Decision::Approve, Decision::Activate] {
				apply(&mut chain, &mut memory, Action::Govern { decision, model: 0, version: 0 });
			}
			let request = Action::Request { who: Who(3), model: 0, input: [1, 2, 3, 4], fee_ok: true };
			apply(&mut chain, &mut memory, request);
			let id = pallet_inference_oracle::NextRequestId::<Runtime>::get() - 1;
			let answered = frame_system::Pallet::<Runtime>::events().into_iter().any(|r| {
				matches!(
					r.event,
					aioracle_runtime::RuntimeEvent::InferenceOracle(OracleEvent::ResultFinalized {
						request, ref output, ..
					}) if request == id && output.to_vec() == vec![1]
				)
			});
			assert!(answered, "request {id} was not answered in its block");
			chain.finish_block();
		});
	}
}
