//! Runtime-level tests of OpenGov and the split of powers over model versions: the real
//! runtime from the `development` preset (its tracks at the `Dev` pace), token holders
//! voting with conviction and delegation, the council's emergency brake and whitelist.

mod common;

use aioracle_runtime::{
	configs::governance::{
		origins::pallet_governance_origins::{Origin, Pace, TrackPace},
		tracks::{TracksInfo, MODEL_UPGRADES, WHITELISTED_CALLER},
	},
	AccountId, ConvictionVoting, ModelRegistry, OriginCaller, Runtime, RuntimeCall,
	RuntimeOrigin, Whitelist, DAYS, HOURS, UNIT,
};
use common::{
	development, last_motion_result, operators_validate, pass_motion,
	referenda::{run_until_decided, submit, vote, Outcome},
	signed,
};
use frame_support::{assert_noop, assert_ok, traits::OnRuntimeUpgrade};
use pallet_conviction_voting::Conviction;
use pallet_model_registry::{ModelId, VersionId, VersionStatus};
use pallet_referenda::TracksInfo as _;
use sp_keyring::Sr25519Keyring::{Charlie, Dave, Eve, Ferdie};
use sp_runtime::traits::Hash;
use sp_runtime::traits::BadOrigin;

fn account(k: sp_keyring::Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

fn model_track() -> OriginCaller {
	OriginCaller::Origins(Origin::ModelUpgrades)
}

fn approve(model: ModelId, version: VersionId) -> RuntimeCall {
	pallet_model_registry::Call::approve_version { model, version }.into()
}

fn activate(model: ModelId, version: VersionId) -> RuntimeCall {
	pallet_model_registry::Call::activate_version { model, version }.into()
}

fn status(model: ModelId, version: VersionId) -> VersionStatus {
	ModelRegistry::version_view(model, version).unwrap().status
}

/// The owner of `model` (Dave, of a new model, if `None`) proposes a version with the
/// genesis iris version's contract and other bytes (`seed`), and the dev operators report
/// they reproduced it.
fn validated_version(model: Option<ModelId>, seed: u8) -> (ModelId, VersionId) {
	let model = model.unwrap_or_else(|| {
		assert_ok!(ModelRegistry::create_model(signed(&account(Dave)), b"iris".to_vec(), vec![]));
		pallet_model_registry::NextModelId::<Runtime>::get() - 1
	});
	let owner = pallet_model_registry::Models::<Runtime>::get(model).unwrap().owner;
	let mut bytes = b"\x08\x07\x12\x08skl2onnx iris".to_vec();
	bytes.push(seed);
	let v1 = ModelRegistry::version_view(0, 1).unwrap();
	let proposal = pallet_model_registry::VersionProposal {
		model_hash: sp_io::hashing::blake2_256(&bytes).into(),
		uri: b"https://models.example/iris.onnx".to_vec(),
		inputs: v1.inputs,
		output: v1.output,
		input_scale: v1.input_scale,
		output_scale: v1.output_scale,
		aggregation: v1.aggregation,
		min_agreement: 1,
		training_datasets: v1.training_datasets,
		commercial_use: true,
		golden_vectors: v1.golden_vectors,
		training_run: None,
	};
	assert_ok!(ModelRegistry::propose_version(signed(&owner), model, proposal, bytes));
	let version = pallet_model_registry::Models::<Runtime>::get(model).unwrap().next_version - 1;
	operators_validate(model, version);
	(model, version)
}

/// Three token holders back a referendum: Dave votes 600k AIO at 2x, Eve 400k at 1x, and
/// Ferdie's 300k at 3x count through his delegation to Dave on the model track; Charlie
/// votes 100k nay without conviction (0.1x).
fn token_holders_vote(index: u32) {
	vote(&account(Dave), index, true, 600_000 * UNIT, Conviction::Locked2x);
	vote(&account(Eve), index, true, 400_000 * UNIT, Conviction::Locked1x);
	vote(&account(Charlie), index, false, 100_000 * UNIT, Conviction::None);
}

fn ferdie_delegates_to_dave() {
	assert_ok!(ConvictionVoting::delegate(
		signed(&account(Ferdie)),
		MODEL_UPGRADES,
		account(Dave).into(),
		Conviction::Locked3x,
		300_000 * UNIT,
	));
}

#[test]
fn a_model_upgrades_referendum_passes_with_conviction_votes_and_activates_a_version() {
	development().execute_with(|| {
		let (model, version) = validated_version(None, 1);
		ferdie_delegates_to_dave();

		let index = submit(&account(Dave), model_track(), approve(model, version));
		token_holders_vote(index);
		// The tally: conviction-weighted ayes, Ferdie's delegation included; support
		// counts the ayes' balance without conviction.
		let tally = match pallet_referenda::ReferendumInfoFor::<Runtime>::get(index) {
			Some(pallet_referenda::ReferendumInfo::Ongoing(status)) => status.tally,
			other => panic!("referendum {index} is not ongoing: {other:?}"),
		};
		assert_eq!(tally.ayes, (600_000 * 2 + 400_000 + 300_000 * 3) * UNIT);
		assert_eq!(tally.nays, 10_000 * UNIT);
		assert_eq!(tally.support, 1_300_000 * UNIT);
		assert_eq!(status(model, version), VersionStatus::Proposed);

		// At the dev pace it passes within a few dozen blocks and is enacted.
		assert_eq!(run_until_decided(index, 60), Outcome::Enacted(Ok(())));
		assert_eq!(status(model, version), VersionStatus::Approved);

		let index = submit(&account(Dave), model_track(), activate(model, version));
		token_holders_vote(index);
		assert_eq!(run_until_decided(index, 60), Outcome::Enacted(Ok(())));
		assert_eq!(status(model, version), VersionStatus::Active);
		assert_eq!(ModelRegistry::active_version_view(model).unwrap().version, version);

		// The voters' balance stays locked by conviction voting after the vote.
		let locks = pallet_balances::Locks::<Runtime>::get(account(Eve));
		assert!(
			locks.iter().any(|l| l.id == *b"pyconvot" && l.amount == 400_000 * UNIT),
			"{locks:?}"
		);
		ModelRegistry::do_try_state().unwrap();
	});
}

#[test]
fn a_referendum_without_enough_support_is_rejected_and_changes_nothing() {
	development().execute_with(|| {
		let (model, version) = validated_version(None, 1);
		let index = submit(&account(Dave), model_track(), approve(model, version));
		// 50k of a 6M issuance is 0.8% support: under the track's curve, even at its 1%
		// floor, so the decision period ends without confirmation.
		vote(&account(Eve), index, true, 50_000 * UNIT, Conviction::Locked6x);
		assert_eq!(run_until_decided(index, 80), Outcome::Rejected);
		assert_eq!(status(model, version), VersionStatus::Proposed);
	});
}

#[test]
fn a_referendum_on_another_track_cannot_touch_models() {
	development().execute_with(|| {
		let (model, version) = validated_version(None, 1);
		// Passed on the whitelisted-caller track, the call runs with that track's origin,
		// which the model registry refuses.
		let index = submit(
			&account(Dave),
			OriginCaller::Origins(Origin::WhitelistedCaller),
			approve(model, version),
		);
		token_holders_vote(index);
		assert_eq!(run_until_decided(index, 60), Outcome::Enacted(Err(BadOrigin.into())));
		assert_eq!(status(model, version), VersionStatus::Proposed);
		// A signed origin has no track at all.
		let dave = account(Dave);
		assert_noop!(
			aioracle_runtime::Referenda::submit(
				signed(&dave),
				Box::new(OriginCaller::system(frame_system::RawOrigin::Signed(dave.clone()))),
				frame_support::traits::Bounded::Inline(frame_support::BoundedVec::truncate_from(
					codec::Encode::encode(&approve(model, version))
				)),
				frame_support::traits::schedule::DispatchTime::After(0),
			),
			pallet_referenda::Error::<Runtime>::NoTrack
		);
	});
}

#[test]
fn the_council_rolls_back_in_an_emergency_but_cannot_approve_or_activate() {
	development().execute_with(|| {
		let (model, version) = validated_version(None, 1);
		// The council (two thirds) may not approve...
		pass_motion(approve(model, version), 0);
		assert_eq!(last_motion_result().expect("a motion executed"), Err(BadOrigin.into()));
		assert_eq!(status(model, version), VersionStatus::Proposed);
		// ...nor activate what token holders approved.
		let upgrades = RuntimeOrigin::from(Origin::ModelUpgrades);
		assert_ok!(ModelRegistry::approve_version(upgrades.clone(), model, version));
		pass_motion(activate(model, version), 1);
		assert_eq!(last_motion_result().expect("a motion executed"), Err(BadOrigin.into()));
		assert_eq!(status(model, version), VersionStatus::Approved);

		// The genesis model: token holders activate a version 2, the council rolls it back
		// to version 1 at once, without a referendum.
		let (_, v2) = validated_version(Some(0), 2);
		assert_ok!(ModelRegistry::approve_version(upgrades.clone(), 0, v2));
		assert_ok!(ModelRegistry::activate_version(upgrades, 0, v2));
		pass_motion(pallet_model_registry::Call::rollback { model: 0 }.into(), 2);
		assert_eq!(last_motion_result().expect("a motion executed"), Ok(()));
		assert_eq!(ModelRegistry::active_version_view(0).unwrap().version, 1);
		assert_eq!(status(0, v2), VersionStatus::Deprecated);
		// And deprecates the active version.
		pass_motion(
			pallet_model_registry::Call::deprecate_version { model: 0, version: 1 }.into(),
			3,
		);
		assert_eq!(last_motion_result().expect("a motion executed"), Ok(()));
		assert!(ModelRegistry::active_version_view(0).is_none());
		ModelRegistry::do_try_state().unwrap();
	});
}

#[test]
fn a_call_the_council_whitelisted_passes_on_the_whitelisted_track_as_root() {
	development().execute_with(|| {
		let (model, version) = validated_version(None, 1);
		let call = activate(model, version);
		assert_ok!(ModelRegistry::approve_version(
			RuntimeOrigin::from(Origin::ModelUpgrades),
			model,
			version
		));
		let hash = sp_runtime::traits::BlakeTwo256::hash_of(&call);
		pass_motion(pallet_whitelist::Call::whitelist_call { call_hash: hash }.into(), 0);
		assert_eq!(last_motion_result().expect("a motion executed"), Ok(()));
		assert!(pallet_whitelist::WhitelistedCall::<Runtime>::contains_key(hash));

		let dispatch: RuntimeCall =
			pallet_whitelist::Call::dispatch_whitelisted_call_with_preimage {
				call: Box::new(call),
			}
			.into();
		let index =
			submit(&account(Dave), OriginCaller::Origins(Origin::WhitelistedCaller), dispatch);
		token_holders_vote(index);
		assert_eq!(run_until_decided(index, 60), Outcome::Enacted(Ok(())));
		assert_eq!(status(model, version), VersionStatus::Active);
		assert!(!pallet_whitelist::WhitelistedCall::<Runtime>::contains_key(hash));
		// A signed account may only relay a dispatch that a passed referendum deferred
		// (because it passed before the council whitelisted the call); there is none.
		assert_noop!(
			Whitelist::dispatch_whitelisted_call_with_preimage(
				signed(&account(Dave)),
				Box::new(activate(model, version))
			),
			pallet_whitelist::Error::<Runtime>::DeferredDispatchNotFound
		);
	});
}

#[test]
fn the_dev_pace_shortens_periods_and_production_keeps_the_documented_ones() {
	development().execute_with(|| {
		assert_eq!(TracksInfo::check_integrity(), Ok(()));
		assert_eq!(Pace::<Runtime>::get(), TrackPace::Dev);
		let dev = TracksInfo::info(MODEL_UPGRADES).unwrap();
		assert_eq!(
			(dev.prepare_period, dev.decision_period, dev.confirm_period, dev.min_enactment_period),
			(2, 50, 3, 1)
		);
		Pace::<Runtime>::put(TrackPace::Production);
		let model = TracksInfo::info(MODEL_UPGRADES).unwrap();
		assert_eq!(
			(model.prepare_period, model.decision_period, model.confirm_period),
			(HOURS, 7 * DAYS, 3 * HOURS)
		);
		assert_eq!(model.decision_deposit, dev.decision_deposit);
		assert_eq!(model.min_approval, dev.min_approval);
		let whitelisted = TracksInfo::info(WHITELISTED_CALLER).unwrap();
		assert_eq!(whitelisted.decision_period, 14 * DAYS);
		assert_eq!(TracksInfo::track_ids().collect::<Vec<_>>(), vec![0, 1, 10]);
	});
}

#[test]
fn the_upgrade_initialises_the_pallets_it_adds() {
	use frame_support::traits::{GetStorageVersion, PalletInfoAccess, StorageVersion};
	type Init = aioracle_runtime::migrations::InitNewPallet<aioracle_runtime::Scheduler, Runtime>;
	development().execute_with(|| {
		// As on a chain from before OpenGov: the scheduler has no storage at all.
		let prefix = sp_io::hashing::twox_128(aioracle_runtime::Scheduler::name().as_bytes());
		let _ = frame_support::storage::unhashed::clear_prefix(&prefix, None, None);
		assert_eq!(aioracle_runtime::Scheduler::on_chain_storage_version(), StorageVersion::new(0));
		Init::on_runtime_upgrade();
		assert_eq!(
			aioracle_runtime::Scheduler::on_chain_storage_version(),
			aioracle_runtime::Scheduler::in_code_storage_version()
		);
		// Once it has storage, the migration leaves it alone.
		StorageVersion::new(3).put::<aioracle_runtime::Scheduler>();
		Init::on_runtime_upgrade();
		assert_eq!(aioracle_runtime::Scheduler::on_chain_storage_version(), StorageVersion::new(3));
	});
}

#[test]
fn every_governance_call_fits_in_a_block_at_its_worst() {
	use frame_support::dispatch::{DispatchClass, GetDispatchInfo};
	development().execute_with(|| {
		let max = aioracle_runtime::configs::RuntimeBlockWeights::get()
			.get(DispatchClass::Normal)
			.max_extrinsic
			.expect("normal extrinsics have a bound");
		let dave = account(Dave);
		let call = activate(0, 1);
		let vote = pallet_conviction_voting::AccountVote::Standard {
			vote: pallet_conviction_voting::Vote { aye: true, conviction: Conviction::Locked6x },
			balance: UNIT,
		};
		let calls: Vec<RuntimeCall> = vec![
			pallet_preimage::Call::note_preimage { bytes: codec::Encode::encode(&call) }.into(),
			pallet_referenda::Call::submit {
				proposal_origin: Box::new(model_track()),
				proposal: frame_support::traits::Bounded::Legacy { hash: Default::default(), dummy: Default::default() },
				enactment_moment: frame_support::traits::schedule::DispatchTime::After(0),
			}
			.into(),
			pallet_referenda::Call::place_decision_deposit { index: 0 }.into(),
			pallet_conviction_voting::Call::vote { poll_index: 0, vote }.into(),
			pallet_conviction_voting::Call::delegate {
				class: MODEL_UPGRADES,
				to: dave.clone().into(),
				conviction: Conviction::Locked6x,
				balance: UNIT,
			}
			.into(),
			pallet_conviction_voting::Call::undelegate { class: MODEL_UPGRADES }.into(),
			pallet_conviction_voting::Call::unlock { class: MODEL_UPGRADES, target: dave.into() }
				.into(),
			pallet_whitelist::Call::whitelist_call { call_hash: Default::default() }.into(),
			pallet_whitelist::Call::dispatch_whitelisted_call_with_preimage { call: Box::new(call) }
				.into(),
		];
		for call in calls {
			let weight = call.get_dispatch_info().total_weight();
			assert!(weight.all_lte(max), "{call:?} weighs {weight:?}, over {max:?}");
		}
	});
}
