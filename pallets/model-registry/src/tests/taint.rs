//! Taint flowing forward: a retraction starts a scan that marks, a few versions per block
//! within the spare weight, every version whose training data is now tainted.

use super::*;
use frame::traits::Hooks;

fn retracted(dataset: DatasetId) {
	MockDatasets::taint(dataset);
	<ModelRegistry as OnDatasetRetracted>::on_retracted(dataset);
}

fn trained_on(model: ModelId, n: u8, dataset: DatasetId) -> VersionId {
	let bytes = onnx(n);
	let p = VersionProposal { training_datasets: vec![dataset], ..proposal(&bytes) };
	assert_ok!(ModelRegistry::propose_version(signed(OWNER), model, p, bytes));
	Models::<Test>::get(model).unwrap().next_version - 1
}

/// Room for the scan's state and `n` versions.
fn room_for(n: u64) -> Weight {
	let db: frame::deps::frame_support::weights::RuntimeDbWeight =
		<<Test as frame_system::Config>::DbWeight as Get<_>>::get();
	db.reads_writes(1, 1)
		.saturating_add(ModelRegistry::taint_scan_step_weight().saturating_mul(n))
}

fn tainted_events() -> Vec<(ModelId, VersionId)> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::VersionTainted { model, version, requests } => {
				assert_eq!(requests, Some((10, 19)), "the retained requests are named");
				Some((model, version))
			}
			_ => None,
		})
		.collect()
}

#[test]
fn a_retraction_marks_every_version_trained_on_its_data() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let on_wine = trained_on(model, 1, WINE);
		let on_iris = trained_on(model, 2, IRIS);
		let other = create();
		let other_on_wine = trained_on(other, 3, WINE);
		assert_eq!(TaintScanState::<Test>::get(), None);
		retracted(WINE);
		assert_eq!(TaintScanState::<Test>::get(), Some(TaintScan::default()));
		System::set_block_number(5);
		ModelRegistry::on_idle(5, Weight::MAX);
		assert_eq!(TaintScanState::<Test>::get(), None, "done");
		assert_eq!(TaintedVersions::<Test>::get(model, on_wine), Some(5));
		assert_eq!(TaintedVersions::<Test>::get(other, other_on_wine), Some(5));
		assert!(!TaintedVersions::<Test>::contains_key(model, on_iris));
		let mut marked = tainted_events();
		marked.sort();
		assert_eq!(marked, vec![(model, on_wine), (other, other_on_wine)]);
		// Idle again: nothing more to do, nothing marked twice.
		let db: frame::deps::frame_support::weights::RuntimeDbWeight =
			<<Test as frame_system::Config>::DbWeight as Get<_>>::get();
		assert_eq!(ModelRegistry::on_idle(6, Weight::MAX), db.reads(1));
		assert_eq!(tainted_events().len(), 2);
	});
}

#[test]
fn the_scan_does_what_the_spare_weight_allows_and_the_rest_later() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let versions: Vec<_> = (1..=5).map(|n| trained_on(model, n, WINE)).collect();
		retracted(WINE);
		// Too little room for even one version: nothing happens.
		assert_eq!(ModelRegistry::on_idle(2, room_for(1).saturating_sub(Weight::from_parts(1, 0))), Weight::zero());
		assert!(TaintScanState::<Test>::get().unwrap().after.is_none());
		// Two versions per block.
		let mut blocks = 0;
		while TaintScanState::<Test>::get().is_some() {
			let used = ModelRegistry::on_idle(2, room_for(2));
			assert!(used.all_lte(room_for(2)), "never more than the room given");
			blocks += 1;
			assert!(blocks <= 4, "the scan ends");
		}
		assert_eq!(blocks, 3, "five versions, two a block");
		assert!(versions.iter().all(|v| TaintedVersions::<Test>::contains_key(model, v)));
		assert_eq!(tainted_events().len(), 5);
	});
}

#[test]
fn a_retraction_during_a_scan_sends_it_round_again() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let on_wine = trained_on(model, 1, WINE);
		let on_iris = trained_on(model, 2, IRIS);
		retracted(WINE);
		// The scan checks one version in its first block...
		ModelRegistry::on_idle(2, room_for(1));
		assert!(TaintScanState::<Test>::get().unwrap().after.is_some());
		// ...and IRIS is retracted after it passed it.
		retracted(IRIS);
		assert!(TaintScanState::<Test>::get().unwrap().again);
		for block in 3..10 {
			ModelRegistry::on_idle(block, room_for(1));
		}
		assert_eq!(TaintScanState::<Test>::get(), None);
		assert!(TaintedVersions::<Test>::contains_key(model, on_wine));
		assert!(TaintedVersions::<Test>::contains_key(model, on_iris), "found on the second round");
		assert_eq!(tainted_events().len(), 2);
	});
}

#[test]
fn try_state_catches_a_mark_of_a_missing_version() {
	ExtBuilder::build().execute_with(|| {
		let model = create();
		trained_on(model, 1, WINE);
		TaintedVersions::<Test>::insert(model, 1, 1);
		assert_ok!(ModelRegistry::do_try_state());
		TaintedVersions::<Test>::insert(model, 9, 1);
		assert!(ModelRegistry::do_try_state().is_err());
	});
}
