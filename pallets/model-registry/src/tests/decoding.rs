//! `set_input_decoding`: how a proposed version decodes input blobs.

use super::*;

/// The iris proposal's input has 4 elements: 2 from each end of a file.
const EDGES: BlobDecoding = BlobDecoding::FileEdges { begin: 2, end: 2, block: 64, padding: 256 };

#[test]
fn the_owner_declares_a_decoding_while_the_version_is_proposed() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let version = propose(model, 1);
		assert_eq!(ModelRegistry::input_decoding(model, version), BlobDecoding::Tensor);
		assert_ok!(ModelRegistry::set_input_decoding(signed(OWNER), model, version, EDGES));
		assert_eq!(InputDecodings::<Test>::get(model, version), Some(EDGES));
		assert_eq!(ModelRegistry::input_decoding(model, version), EDGES);
		assert_eq!(last_event(), Event::InputDecodingSet { model, version, decoding: EDGES });
		// Back to the default: nothing is stored.
		assert_ok!(ModelRegistry::set_input_decoding(
			signed(OWNER),
			model,
			version,
			BlobDecoding::Tensor
		));
		assert_eq!(InputDecodings::<Test>::get(model, version), None);
		assert_eq!(ModelRegistry::input_decoding(model, version), BlobDecoding::Tensor);
	});
}

#[test]
fn refusals_leave_state_unchanged() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let version = propose(model, 1);
		assert_noop_err(
			|| ModelRegistry::set_input_decoding(signed(BOB), model, version, EDGES),
			Error::<Test>::NotOwner,
		);
		assert_noop_err(
			|| ModelRegistry::set_input_decoding(signed(OWNER), 9, version, EDGES),
			Error::<Test>::ModelNotFound,
		);
		assert_noop_err(
			|| ModelRegistry::set_input_decoding(signed(OWNER), model, 9, EDGES),
			Error::<Test>::VersionNotFound,
		);
		let too_long = BlobDecoding::FileEdges { begin: 4, end: 4, block: 64, padding: 256 };
		assert_noop_err(
			|| ModelRegistry::set_input_decoding(signed(OWNER), model, version, too_long),
			Error::<Test>::DecodingDoesNotFitInput,
		);
		assert_ok!(ModelRegistry::approve_version(root(), model, version));
		assert_noop_err(
			|| ModelRegistry::set_input_decoding(signed(OWNER), model, version, EDGES),
			Error::<Test>::NotProposed,
		);
	});
}

#[test]
fn a_withdrawn_version_leaves_no_decoding() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let version = propose(model, 1);
		assert_ok!(ModelRegistry::set_input_decoding(signed(OWNER), model, version, EDGES));
		assert_ok!(ModelRegistry::withdraw_version(signed(OWNER), model, version));
		assert_eq!(InputDecodings::<Test>::get(model, version), None);
	});
}

#[test]
fn try_state_finds_a_decoding_without_its_version() {
	ExtBuilder::build_and_execute(|| {
		InputDecodings::<Test>::insert(7, 1, EDGES);
		assert!(ModelRegistry::do_try_state().is_err());
		InputDecodings::<Test>::remove(7, 1);
	});
}
