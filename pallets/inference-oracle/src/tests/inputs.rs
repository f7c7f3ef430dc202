//! Inputs by reference: storing and removing input blobs, requests that name a blob or a
//! dataset, and off-chain workers that score them from the offchain DB.

use super::{offchain_worker::run_ocw, *};
use aioracle_primitives::input::{input_blob_key, BlobDecoding};

/// An iris input blob (`Tensor` decoding of `F32 [1, 4]`: four `i64` LE) of `values`.
fn iris_blob(values: [i64; 4]) -> Vec<u8> {
	values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn hash_of(bytes: &[u8]) -> InputBlobHash {
	frame::hashing::blake2_256(bytes).into()
}

fn store(who: u64, bytes: &[u8]) -> InputBlobHash {
	assert_ok!(InferenceOracle::store_input(signed(who), bytes.to_vec()));
	hash_of(bytes)
}

fn request_by(source: InputSource) -> RequestId {
	assert_ok!(InferenceOracle::request_inference_by_reference(signed(DAPP), IRIS, source, FEE));
	NextRequestId::<Test>::get() - 1
}

fn try_request_by(model: ModelId, source: InputSource, max_fee: u128) -> DispatchResult {
	InferenceOracle::request_inference_by_reference(signed(DAPP), model, source, max_fee)
		.map(|_| ())
		.map_err(|e| e.error)
}

fn deposit_of(bytes: &[u8]) -> u128 {
	BLOB_DEPOSIT_BASE + BLOB_DEPOSIT_PER_BYTE * bytes.len() as u128
}

mod store_and_remove {
	use super::*;

	#[test]
	fn a_blob_is_indexed_with_a_deposit_and_removed_after_its_retention() {
		let bytes = iris_blob([1, 2, 3, 4]);
		let hash = hash_of(&bytes);
		let mut ext = ExtBuilder::build();
		ext.execute_with(|| {
			assert_eq!(store(DAPP, &bytes), hash);
			let blob = InputBlobs::<Test>::get(hash).expect("stored");
			assert_eq!((blob.owner, blob.size_bytes, blob.deposit), (DAPP, 32, deposit_of(&bytes)));
			assert_eq!(held(HoldReason::InputBlob, DAPP), deposit_of(&bytes));
			assert!(events().contains(&Event::InputStored {
				blob: hash,
				owner: DAPP,
				size_bytes: 32,
				deposit: deposit_of(&bytes),
			}));
			InferenceOracle::do_try_state().unwrap();
		});
		ext.persist_offchain_overlay();
		assert_eq!(ext.offchain_db().get(&input_blob_key(&hash)), Some(bytes.clone()));

		ext.execute_with(|| {
			// Stored in block 1 (its last use): in use until the retention has passed.
			System::set_block_number(1 + BLOB_RETENTION);
			assert_noop!(
				InferenceOracle::remove_input(signed(DAPP), hash),
				Error::<Test>::InputBlobInUse
			);
			System::set_block_number(2 + BLOB_RETENTION);
			assert_ok!(InferenceOracle::remove_input(signed(DAPP), hash));
			assert!(InputBlobs::<Test>::get(hash).is_none());
			assert_eq!(held(HoldReason::InputBlob, DAPP), 0);
			assert!(events().contains(&Event::InputRemoved { blob: hash }));
			InferenceOracle::do_try_state().unwrap();
		});
		ext.persist_offchain_overlay();
		assert_eq!(ext.offchain_db().get(&input_blob_key(&hash)), None, "bytes cleared");
	}

	#[test]
	fn store_refusals_leave_state_unchanged() {
		ExtBuilder::build_and_execute(|| {
			assert_noop!(
				InferenceOracle::store_input(signed(DAPP), vec![]),
				Error::<Test>::EmptyInputBlob
			);
			assert_noop!(
				InferenceOracle::store_input(signed(DAPP), vec![7; MAX_BLOB_BYTES as usize + 1]),
				Error::<Test>::InputBlobTooLarge
			);
			store(DAPP, &[7; 3]);
			assert_noop!(
				InferenceOracle::store_input(signed(BOB), vec![7; 3]),
				Error::<Test>::InputBlobAlreadyStored
			);
			assert_noop!(
				InferenceOracle::store_input(signed(POOR), vec![8; 3]),
				TokenError::FundsUnavailable
			);
		});
	}

	#[test]
	fn remove_refusals_leave_state_unchanged() {
		ExtBuilder::build_and_execute(|| {
			let hash = store(DAPP, &[7; 3]);
			System::set_block_number(100);
			assert_noop!(
				InferenceOracle::remove_input(signed(DAPP), hash_of(&[8])),
				Error::<Test>::InputBlobNotFound
			);
			assert_noop!(
				InferenceOracle::remove_input(signed(BOB), hash),
				Error::<Test>::NotInputBlobOwner
			);
		});
	}
}

mod requests {
	use super::*;

	#[test]
	fn a_request_names_a_blob_and_keeps_only_the_reference() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let bytes = iris_blob([1, 2, 3, 4]);
			let blob = store(BOB, &bytes);
			let inline = request(IRIS);
			System::set_block_number(5);
			let id = request_by(InputSource::Blob(blob));
			let request = Requests::<Test>::get(id).unwrap();
			assert!(request.input.is_empty());
			let reference = InputReference { blob, dataset: None };
			assert_eq!(RequestInputs::<Test>::get(id), Some(reference));
			assert_eq!(InferenceOracle::request_view(id).unwrap().input_reference, Some(reference));
			assert_eq!(InferenceOracle::request_view(inline).unwrap().input_reference, None);
			// The reference is paid for, the four inline elements are not.
			let inline_deposit = Requests::<Test>::get(inline).unwrap().deposit;
			let reference_bytes = InputReference::max_encoded_len() as u128;
			assert_eq!(
				request.deposit,
				inline_deposit - 4 * 8 * DEPOSIT_PER_BYTE + reference_bytes * DEPOSIT_PER_BYTE
			);
			assert!(events().contains(&Event::InputReferenced { request: id, input: reference }));
			// The blob was used now: its owner may not remove it for the retention.
			assert_eq!(InputBlobs::<Test>::get(blob).unwrap().last_used, 5);
		});
	}

	#[test]
	fn a_request_names_a_dataset_whose_content_is_a_stored_blob() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let source = InputSource::Dataset(INPUT_DATASET);
			// The dataset exists, but its content was not stored as a blob.
			assert_noop!(try_request_by(IRIS, source, FEE), Error::<Test>::InputBlobNotFound);
			let blob = store(BOB, &DATASET_BYTES);
			let id = request_by(source);
			assert_eq!(
				RequestInputs::<Test>::get(id),
				Some(InputReference { blob, dataset: Some(INPUT_DATASET) })
			);
		});
	}

	#[test]
	fn a_dataset_that_forbids_inference_on_it_is_no_input() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let blob = store(BOB, &DATASET_BYTES);
			forbid_input_inference();
			let source = InputSource::Dataset(INPUT_DATASET);
			assert_noop!(try_request_by(IRIS, source, FEE), Error::<Test>::InferenceNotPermitted);
			// The same bytes named by their hash are a blob, not the dataset: the chain cannot
			// tell, and the request goes ahead.
			request_by(InputSource::Blob(blob));
		});
	}

	#[test]
	fn refusals_leave_state_unchanged() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			let blob = store(BOB, &iris_blob([1, 2, 3, 4]));
			let short = store(BOB, &[1; 31]);
			let missing = InputSource::Blob(hash_of(&[9]));
			assert_noop!(
				try_request_by(99, InputSource::Blob(blob), FEE),
				Error::<Test>::NoActiveVersion
			);
			assert_noop!(try_request_by(IRIS, missing, FEE), Error::<Test>::InputBlobNotFound);
			assert_noop!(
				try_request_by(IRIS, InputSource::Dataset(INPUT_DATASET + 1), FEE),
				Error::<Test>::DatasetNotFound
			);
			// 31 bytes are not four 8-byte elements.
			assert_noop!(
				try_request_by(IRIS, InputSource::Blob(short), FEE),
				Error::<Test>::InputBlobDoesNotFit
			);
			assert_noop!(
				try_request_by(IRIS, InputSource::Blob(blob), FEE - 1),
				Error::<Test>::FeeAboveMax
			);
		});
	}

	#[test]
	fn a_file_edges_version_takes_any_blob_size() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE);
			set_input_decoding(BlobDecoding::FileEdges { begin: 2, end: 2, block: 8, padding: 0 });
			let short = store(BOB, &[1; 31]);
			request_by(InputSource::Blob(short));
			set_input_decoding(BlobDecoding::FileEdges { begin: 2, end: 3, block: 8, padding: 0 });
			assert_noop!(
				try_request_by(IRIS, InputSource::Blob(short), FEE),
				Error::<Test>::InputBlobDoesNotFit
			);
		});
	}

	#[test]
	fn a_dispute_round_scores_the_same_reference_and_pruning_forgets_it() {
		ExtBuilder::build_and_execute(|| {
			set_min_agreement(1);
			for who in [ALICE, BOB, CHARLIE, DAVE] {
				register(who);
			}
			let blob = store(DAPP, &iris_blob([1, 2, 3, 4]));
			let id = request_by(InputSource::Blob(blob));
			let member = committee(id)[0];
			assert_ok!(submit(member, id, output(&[90, 5, 7])));
			System::set_block_number(3);
			assert_ok!(InferenceOracle::dispute(signed(DAPP), id));
			let round = Disputes::<Test>::get(id).unwrap().round;
			assert_eq!(RequestInputs::<Test>::get(round), RequestInputs::<Test>::get(id));
			assert!(Requests::<Test>::get(round).unwrap().input.is_empty());
			// The round used the blob again.
			assert_eq!(InputBlobs::<Test>::get(blob).unwrap().last_used, 3);

			// Retained requests later, the reference goes with its request.
			for block in 4..(4 + MAX_RETAINED as u64) {
				idle(block);
				let later = request(IRIS);
				assert_ok!(submit(committee(later)[0], later, output(&[10, 5, 7])));
			}
			assert!(Requests::<Test>::get(id).is_none(), "pruned");
			assert!(RequestInputs::<Test>::get(id).is_none());
		});
	}
}

mod offchain_worker {
	use super::*;
	use frame::deps::sp_core::offchain::OffchainStorage;

	/// Alice's node, whose offchain DB holds `indexed` (the bytes indexed under the
	/// blob key of `hash`), and a request by reference to the blob `hash` of `bytes`.
	fn node_with_request(bytes: &[u8], indexed: Option<&[u8]>) -> (OcwEnv, RequestId) {
		let mut env = OcwEnv::new(&[ALICE], true);
		let hash = hash_of(bytes);
		if let Some(indexed) = indexed {
			env.offchain.write().persistent_storage.set(b"", &input_blob_key(&hash), indexed);
		}
		let id = env.ext.execute_with(|| {
			register(ALICE);
			store(BOB, bytes);
			request_by(InputSource::Blob(hash))
		});
		(env, id)
	}

	#[test]
	fn a_blob_is_read_from_the_offchain_db_decoded_and_scored() {
		let bytes = iris_blob([1, 2, 3, 4]);
		let (mut env, id) = node_with_request(&bytes, Some(&bytes));
		run_ocw(&mut env, 1);
		let sent = env.take_submissions();
		assert_eq!(sent.len(), 1);
		assert_eq!(sent[0].request, id);
		assert_eq!(sent[0].answer, Answer::Outcome(output(&honest_output(IRIS, &[1, 2, 3, 4]))));
	}

	#[test]
	fn a_file_is_decoded_as_its_version_declares() {
		set_input_decoding(BlobDecoding::FileEdges { begin: 2, end: 2, block: 16, padding: 256 });
		// " \x05\x06...\x07\x08\n": whitespace stripped at both ends.
		let bytes = b" \x05\x06\x00\x00\x00\x07\x08\n".to_vec();
		let (mut env, _) = node_with_request(&bytes, Some(&bytes));
		run_ocw(&mut env, 1);
		let sent = env.take_submissions();
		assert_eq!(sent[0].answer, Answer::Outcome(output(&honest_output(IRIS, &[5, 6, 7, 8]))));
	}

	#[test]
	fn a_blob_missing_or_altered_in_the_offchain_db_is_input_unavailable() {
		let bytes = iris_blob([1, 2, 3, 4]);
		let altered = iris_blob([1, 2, 3, 5]);
		for indexed in [None, Some(&altered[..])] {
			let (mut env, _) = node_with_request(&bytes, indexed);
			run_ocw(&mut env, 1);
			let sent = env.take_submissions();
			assert_eq!(sent.len(), 1);
			assert_eq!(
				sent[0].answer,
				Answer::Outcome(Outcome::Failed(Failure::InputUnavailable)),
				"{indexed:?}"
			);
		}
	}
}
