//! What the runtime-level tests share: externalities from the `development` preset, the
//! sample model's reference case, and a council motion passed the way members pass one.

// Each test file uses a different subset.
#![allow(dead_code)]

pub mod messages;
pub mod referenda;

use aioracle_runtime::{
	genesis_config_presets, AccountId, Council, DatasetProvenance, Runtime, RuntimeCall,
	RuntimeGenesisConfig, RuntimeOrigin, System,
};
use codec::Encode;
use frame_support::{assert_ok, dispatch::GetDispatchInfo, traits::Hooks};
use pallet_dataset_provenance::{Derivation, LicenceFlags, UsagePermissions};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie};
use sp_runtime::{
	traits::{BlakeTwo256, Hash},
	BuildStorage,
};

/// The first reference case of the sample model (`models/iris-logreg.json`): its
/// fixed-point input, and onnxruntime's probabilities at the output scale.
pub fn reference_case() -> (Vec<i64>, Vec<i64>) {
	let json: serde_json::Value =
		serde_json::from_str(include_str!("../../../models/iris-logreg.json")).unwrap();
	let ints = |v: &serde_json::Value| -> Vec<i64> {
		v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect()
	};
	let case = &json["cases"][0];
	(ints(&case["input_fixed_point"]), ints(&case["outputs"][1]["fixed_point"]))
}

/// The salt `member` commits with in these tests.
pub fn salt(member: sp_keyring::Sr25519Keyring) -> [u8; 32] {
	sp_io::hashing::blake2_256(&member.public().0)
}

/// Merges a genesis preset's JSON patch into the full default genesis config.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			}
		}
		(base, patch) => *base = patch,
	}
}

/// Externalities holding the genesis state of the `development` preset, at block 1.
pub fn development() -> sp_io::TestExternalities {
	let patch = genesis_config_presets::get_preset(&sp_genesis_builder::DEV_RUNTIME_PRESET.into())
		.expect("the development preset exists");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut config, serde_json::from_slice(&patch).unwrap());
	let config: RuntimeGenesisConfig = serde_json::from_value(config).unwrap();
	let mut ext = sp_io::TestExternalities::new(config.build_storage().unwrap());
	ext.execute_with(|| {
		System::set_block_number(1);
		DatasetProvenance::on_initialize(1);
	});
	ext
}

pub fn signed(who: &AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

/// Passes `call` as a council motion with threshold 2 of the 3 dev members: Alice
/// proposes, Alice and Bob vote aye (the proposer's vote is not implied), Charlie closes
/// and so executes it. The motion's index is `index`.
pub fn pass_motion(call: RuntimeCall, index: u32) {
	let (alice, bob, charlie): (AccountId, AccountId, AccountId) =
		(Alice.into(), Bob.into(), Charlie.into());
	let length = call.encoded_size() as u32;
	let hash = BlakeTwo256::hash_of(&call);
	let weight = call.get_dispatch_info().call_weight;
	assert_ok!(Council::propose(signed(&alice), 2, Box::new(call), length));
	assert_ok!(Council::vote(signed(&alice), hash, index, true));
	assert_ok!(Council::vote(signed(&bob), hash, index, true));
	assert_ok!(Council::close(signed(&charlie), hash, index, weight, length));
}

/// What the last council motion's call returned, if a motion executed.
pub fn last_motion_result() -> Option<Result<(), sp_runtime::DispatchError>> {
	System::events().into_iter().rev().find_map(|r| match r.event {
		aioracle_runtime::RuntimeEvent::Council(pallet_collective::Event::Executed {
			result,
			..
		}) => Some(result),
		_ => None,
	})
}

/// Whether the last council motion executed without error.
pub fn last_motion_succeeded() -> bool {
	last_motion_result() == Some(Ok(()))
}

/// `operator`'s verdict on version `version` of `model`, as its off-chain worker signs it
/// with its `orcl` key (the dev operators' keys are their account seeds).
pub fn verdict_call(
	operator: sp_keyring::Sr25519Keyring,
	model: u32,
	version: u32,
	verdict: aioracle_primitives::oracle::Verdict,
) -> RuntimeCall {
	use pallet_inference_oracle::{crypto, VersionVerdict};
	let verdict =
		VersionVerdict { model, version, key: crypto::Public::from(operator.public()), verdict };
	let signature: crypto::Signature = operator.sign(&verdict.signing_payload()).into();
	pallet_inference_oracle::Call::submit_verdict { verdict, signature }.into()
}

/// The dev chain's operators (Alice, Bob and Charlie) report that they reproduced version
/// `version` of `model`, through the pool's check and the authorized call.
pub fn operators_validate(model: u32, version: u32) {
	use frame_support::dispatch::RawOrigin;
	use sp_runtime::{traits::Dispatchable, transaction_validity::TransactionSource};
	for operator in [Alice, Bob, Charlie] {
		let reproduced = aioracle_primitives::oracle::Verdict::Reproduced;
		let call = verdict_call(operator, model, version, reproduced);
		assert!(matches!(
			frame_support::traits::Authorize::authorize(&call, TransactionSource::External),
			Some(Ok(_))
		));
		assert_ok!(call.dispatch(RuntimeOrigin::from(RawOrigin::<AccountId>::Authorized)));
	}
}

/// A licence allowing everything.
pub const OPEN: LicenceFlags =
	LicenceFlags { commercial_use: true, derivatives: true, share_alike: false };

/// Registers a CC-BY-4.0 dataset owned by `who`, derived from `parents`; returns its id.
pub fn register(who: &AccountId, seed: u8, parents: Vec<u64>) -> u64 {
	register_with(who, seed, parents, UsagePermissions::ALL_ALLOWED)
}

/// [`register`] with usage permissions.
pub fn register_with(
	who: &AccountId,
	seed: u8,
	parents: Vec<u64>,
	permissions: UsagePermissions,
) -> u64 {
	let id = pallet_dataset_provenance::NextDatasetId::<Runtime>::get();
	let derivation = (!parents.is_empty()).then(|| Derivation::Description(b"cleaned".to_vec()));
	let registration = pallet_dataset_provenance::Registration {
		parents,
		derivation,
		permissions,
		..pallet_dataset_provenance::Registration::root(
			sp_core::H256::repeat_byte(seed),
			1_000,
			b"ipfs://data".to_vec(),
			b"CC-BY-4.0".to_vec(),
			OPEN,
		)
	};
	assert_ok!(DatasetProvenance::register_dataset(signed(who), registration));
	id
}

/// `member` answers `request` with `answer`, signed with its `orcl` key, authorized and
/// dispatched as its off-chain worker's transaction would be.
pub fn answer(
	member: sp_keyring::Sr25519Keyring,
	request: u64,
	answer: pallet_inference_oracle::Answer,
) {
	use frame_support::traits::Authorize;
	use pallet_inference_oracle::{crypto, ResultSubmission};
	use sp_runtime::traits::Dispatchable;
	let key: crypto::Public = sp_core::sr25519::Public::from(member).into();
	let submission = ResultSubmission { request, key, answer };
	let signature: crypto::Signature = member.sign(&submission.encode()).into();
	let call: RuntimeCall =
		pallet_inference_oracle::Call::submit_result { submission, signature }.into();
	assert!(matches!(
		call.authorize(sp_runtime::transaction_validity::TransactionSource::External),
		Some(Ok(_))
	));
	assert_ok!(call.dispatch(frame_system::RawOrigin::Authorized.into()));
}

/// The development committee (Alice, Bob, Charlie) commits to `output` for `request`, then
/// reveals it, which finalizes the request.
pub fn committee_answers(request: u64, output: &[i64]) {
	use aioracle_primitives::oracle::Outcome;
	use pallet_inference_oracle::{commitment, Answer};
	let outcome = Outcome::Output(output.to_vec());
	for member in [Alice, Bob, Charlie] {
		let account: AccountId = member.into();
		answer(
			member,
			request,
			Answer::Commit(commitment(request, &account, &outcome, &salt(member))),
		);
	}
	for member in [Alice, Bob, Charlie] {
		answer(member, request, Answer::Reveal { outcome: outcome.clone(), salt: salt(member) });
	}
}
