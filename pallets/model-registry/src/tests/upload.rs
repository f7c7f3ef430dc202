//! Model bytes uploaded in chunks (`upload.rs`): each call's success, its errors with state
//! unchanged, what lands in the offchain DB, and what a version proposed from an upload
//! records.

use super::*;
use aioracle_primitives::model::{model_chunk_key, model_manifest_key, ChunkHash};
use codec::Decode;

/// A file of `len` bytes cut into chunks of `MAX_CHUNK_BYTES` (the last shorter).
fn file(len: usize, seed: u8) -> (Vec<u8>, Vec<Vec<u8>>) {
	// No period shorter than the file, so that no two chunks are equal.
	let bytes: Vec<u8> = (0..len)
		.map(|i| (i as u8).wrapping_mul(31) ^ ((i >> 8) as u8).wrapping_add(seed))
		.collect();
	let chunks = bytes.chunks(MAX_CHUNK_BYTES as usize).map(|c| c.to_vec()).collect();
	(bytes, chunks)
}

fn hashes(chunks: &[Vec<u8>]) -> Vec<ChunkHash> {
	chunks.iter().map(|c| blake2_256(c).into()).collect()
}

/// A model with the upload of `bytes` (cut into `chunks`) begun; returns the model and the
/// whole file's hash.
fn begun(bytes: &[u8], chunks: &[Vec<u8>]) -> (ModelId, ModelHash) {
	let model = create();
	let hash: ModelHash = blake2_256(bytes).into();
	assert_ok!(ModelRegistry::begin_upload(
		signed(OWNER),
		model,
		hash,
		bytes.len() as u32,
		hashes(chunks)
	));
	(model, hash)
}

fn send_all(hash: ModelHash, chunks: &[Vec<u8>]) {
	for (i, chunk) in chunks.iter().enumerate().rev() {
		assert_ok!(ModelRegistry::upload_chunk(signed(OWNER), hash, i as u32, chunk.clone()));
	}
}

#[test]
fn a_file_larger_than_one_extrinsic_is_uploaded_and_proposed() {
	let mut ext = ExtBuilder::build();
	let (bytes, chunks) = file(3 * MAX_CHUNK_BYTES as usize + 100, 1);
	assert_eq!(chunks.len(), 4);
	let (model, hash, version) = ext.execute_with(|| {
		let (model, hash) = begun(&bytes, &chunks);
		let upload = Uploads::<Test>::get(hash).unwrap();
		assert_eq!(held(HoldReason::UploadStorage, OWNER), upload.deposit.held::<u64, u128>());
		assert!(upload.deposit.record.held() >= VERSION_DEPOSIT);
		assert_eq!(upload.deposit.bytes.held(), DEPOSIT_PER_MODEL_BYTE * bytes.len() as u128);
		// The chunks arrive in any order.
		send_all(hash, &chunks);
		assert!(Uploads::<Test>::get(hash).unwrap().is_complete());
		let mut p = proposal(&bytes);
		p.model_hash = hash;
		assert_ok!(ModelRegistry::propose_uploaded_version(signed(OWNER), model, p));
		let version = Models::<Test>::get(model).unwrap().next_version - 1;
		let v = Versions::<Test>::get(model, version).unwrap();
		assert_eq!(v.size_bytes, bytes.len() as u32);
		assert_eq!(v.status, VersionStatus::Proposed);
		assert_eq!(VersionChunks::<Test>::get(model, version).unwrap().to_vec(), hashes(&chunks));
		assert_eq!(VersionByHash::<Test>::get(hash), Some((model, version)));
		// The upload's deposit became the version's.
		assert!(Uploads::<Test>::get(hash).is_none());
		assert_eq!(held(HoldReason::UploadStorage, OWNER), 0);
		assert_eq!(held(HoldReason::VersionStorage, OWNER), v.deposit.held::<u64, u128>());
		(model, hash, version)
	});
	// Every chunk and the manifest are in the offchain DB; a node assembles the file.
	ext.persist_offchain_overlay();
	let db = ext.offchain_db();
	let assembled: Vec<u8> = (0..chunks.len() as u32)
		.flat_map(|i| db.get(&model_chunk_key(&hash, i)).expect("the chunk is indexed"))
		.collect();
	assert_eq!(assembled, bytes);
	let manifest = db.get(&model_manifest_key(&hash)).expect("the manifest is indexed");
	assert_eq!(Vec::<ChunkHash>::decode(&mut &manifest[..]).unwrap(), hashes(&chunks));
	assert_eq!(db.get(&model_bytes_key(&hash)), None, "no whole copy besides the chunks");

	// Withdrawing the version clears its chunks and manifest.
	ext.execute_with(|| {
		assert_ok!(ModelRegistry::withdraw_version(signed(OWNER), model, version));
		assert!(VersionChunks::<Test>::get(model, version).is_none());
		ModelRegistry::do_try_state().unwrap();
	});
	ext.persist_offchain_overlay();
	let db = ext.offchain_db();
	assert_eq!(db.get(&model_chunk_key(&hash, 0)), None);
	assert_eq!(db.get(&model_manifest_key(&hash)), None);
}

#[test]
fn begin_upload_refuses_bad_declarations() {
	ExtBuilder::build_and_execute(|| {
		let model = create();
		let (bytes, chunks) = file(2 * MAX_CHUNK_BYTES as usize, 2);
		let hash: ModelHash = blake2_256(&bytes).into();
		let size = bytes.len() as u32;
		let begin = |who, model, size, chunks: Vec<ChunkHash>| {
			move || ModelRegistry::begin_upload(signed(who), model, hash, size, chunks)
		};
		assert_noop_err(begin(OWNER, 9, size, hashes(&chunks)), Error::<Test>::ModelNotFound);
		assert_noop_err(begin(BOB, model, size, hashes(&chunks)), Error::<Test>::NotOwner);
		assert_noop_err(begin(OWNER, model, 0, vec![]), Error::<Test>::InvalidChunkCount);
		let too_many = vec![ChunkHash::zero(); MAX_CHUNKS as usize + 1];
		assert_noop_err(begin(OWNER, model, size, too_many), Error::<Test>::InvalidChunkCount);
		// Two chunks hold at most 2 * MAX_CHUNK_BYTES bytes, and at least 2.
		assert_noop_err(
			begin(OWNER, model, size + 1, hashes(&chunks)),
			Error::<Test>::SizeDoesNotFitChunks,
		);
		assert_noop_err(
			begin(OWNER, model, 1, hashes(&chunks)),
			Error::<Test>::SizeDoesNotFitChunks,
		);
		assert_ok!(begin(OWNER, model, size, hashes(&chunks))());
		assert_noop_err(
			begin(OWNER, model, size, hashes(&chunks)),
			Error::<Test>::UploadInProgress,
		);
		// Bytes a version already has.
		let inline = onnx(1);
		assert_ok!(ModelRegistry::propose_version(
			signed(OWNER),
			model,
			proposal(&inline),
			inline.clone()
		));
		let taken: ModelHash = blake2_256(&inline).into();
		assert_noop_err(
			|| ModelRegistry::begin_upload(signed(OWNER), model, taken, 2, vec![taken]),
			Error::<Test>::ModelHashInUse,
		);
		// An owner who cannot pay the deposit (the record of four chunk hashes).
		let poor_model = {
			assert_ok!(ModelRegistry::create_model(signed(POOR), b"p".to_vec(), vec![]));
			NextModelId::<Test>::get() - 1
		};
		assert_noop!(
			ModelRegistry::begin_upload(
				signed(POOR),
				poor_model,
				blake2_256(b"x").into(),
				4,
				vec![ChunkHash::zero(); MAX_CHUNKS as usize]
			),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn upload_chunk_refuses_wrong_chunks() {
	ExtBuilder::build_and_execute(|| {
		let (bytes, chunks) = file(2 * MAX_CHUNK_BYTES as usize, 3);
		let (_, hash) = begun(&bytes, &chunks);
		let send = |who, hash, index, chunk: Vec<u8>| {
			move || ModelRegistry::upload_chunk(signed(who), hash, index, chunk)
		};
		let unknown: ModelHash = blake2_256(b"unknown").into();
		assert_noop_err(send(OWNER, unknown, 0, chunks[0].clone()), Error::<Test>::UploadNotFound);
		assert_noop_err(send(BOB, hash, 0, chunks[0].clone()), Error::<Test>::NotOwner);
		assert_noop_err(
			send(OWNER, hash, 2, chunks[0].clone()),
			Error::<Test>::ChunkIndexOutOfRange,
		);
		// Out of order: chunk 1's bytes at position 0.
		assert_noop_err(send(OWNER, hash, 0, chunks[1].clone()), Error::<Test>::ChunkHashMismatch);
		assert_noop_err(send(OWNER, hash, 0, vec![]), Error::<Test>::InvalidChunkSize);
		let long = vec![0; MAX_CHUNK_BYTES as usize + 1];
		assert_noop_err(send(OWNER, hash, 0, long), Error::<Test>::InvalidChunkSize);
		assert_ok!(send(OWNER, hash, 0, chunks[0].clone())());
		assert_eq!(last_event(), Event::ChunkUploaded { model_hash: hash, index: 0, received: 1 });
		// Duplicated.
		assert_noop_err(
			send(OWNER, hash, 0, chunks[0].clone()),
			Error::<Test>::ChunkAlreadyUploaded,
		);
	});
}

#[test]
fn an_incomplete_or_foreign_upload_is_not_proposed() {
	ExtBuilder::build_and_execute(|| {
		let (bytes, chunks) = file(2 * MAX_CHUNK_BYTES as usize, 4);
		let (model, hash) = begun(&bytes, &chunks);
		let mut p = proposal(&bytes);
		p.model_hash = hash;
		let propose = |who, model, p: VersionProposal<u64>| {
			move || {
				ModelRegistry::propose_uploaded_version(signed(who), model, p)
					.map(|_| ())
					.map_err(|e| e.error)
			}
		};
		assert_ok!(ModelRegistry::upload_chunk(signed(OWNER), hash, 0, chunks[0].clone()));
		assert_noop_err(propose(OWNER, model, p.clone()), Error::<Test>::UploadIncomplete);
		assert_ok!(ModelRegistry::upload_chunk(signed(OWNER), hash, 1, chunks[1].clone()));
		assert_noop_err(propose(BOB, model, p.clone()), Error::<Test>::NotOwner);
		let other = create();
		assert_noop_err(propose(OWNER, other, p.clone()), Error::<Test>::UploadForAnotherModel);
		let mut unknown = p.clone();
		unknown.model_hash = blake2_256(b"unknown").into();
		assert_noop_err(propose(OWNER, model, unknown), Error::<Test>::UploadNotFound);
		// A contract the registry refuses keeps the upload and its deposit.
		let mut bad = p.clone();
		bad.min_agreement = 0;
		assert_noop_err(propose(OWNER, model, bad), Error::<Test>::InvalidMinAgreement);
		assert!(Uploads::<Test>::contains_key(hash));
		assert_ok!(propose(OWNER, model, p)());
	});
}

/// The deposit is by the declared size, so the chunks must make exactly that size: more is
/// refused as it arrives, fewer when proposing.
#[test]
fn the_chunks_must_make_the_declared_size() {
	ExtBuilder::build_and_execute(|| {
		let (bytes, chunks) = file(MAX_CHUNK_BYTES as usize + 10, 6);
		let model = create();
		let hash: ModelHash = blake2_256(&bytes).into();
		// Declared 5 bytes short: the second chunk would exceed it.
		let short = bytes.len() as u32 - 5;
		assert_ok!(ModelRegistry::begin_upload(signed(OWNER), model, hash, short, hashes(&chunks)));
		assert_ok!(ModelRegistry::upload_chunk(signed(OWNER), hash, 0, chunks[0].clone()));
		assert_noop_err(
			|| ModelRegistry::upload_chunk(signed(OWNER), hash, 1, chunks[1].clone()),
			Error::<Test>::ChunksDoNotMatchSize,
		);
		assert_ok!(ModelRegistry::cancel_upload(signed(OWNER), hash));
		// Declared 5 bytes long: every chunk arrives, the proposal is refused.
		let long = bytes.len() as u32 + 5;
		assert_ok!(ModelRegistry::begin_upload(signed(OWNER), model, hash, long, hashes(&chunks)));
		send_all(hash, &chunks);
		let mut p = proposal(&bytes);
		p.model_hash = hash;
		assert_noop!(
			ModelRegistry::propose_uploaded_version(signed(OWNER), model, p),
			Error::<Test>::ChunksDoNotMatchSize
		);
	});
}

#[test]
fn a_cancelled_upload_leaves_nothing() {
	let mut ext = ExtBuilder::build();
	let (bytes, chunks) = file(2 * MAX_CHUNK_BYTES as usize, 5);
	let hash = ext.execute_with(|| {
		let before = Balances::free_balance(OWNER);
		let (_, hash) = begun(&bytes, &chunks);
		assert_ok!(ModelRegistry::upload_chunk(signed(OWNER), hash, 1, chunks[1].clone()));
		assert_noop_err(
			|| ModelRegistry::cancel_upload(signed(BOB), hash),
			Error::<Test>::NotOwner,
		);
		assert_ok!(ModelRegistry::cancel_upload(signed(OWNER), hash));
		assert_eq!(last_event(), Event::UploadCancelled { model_hash: hash });
		assert!(Uploads::<Test>::get(hash).is_none());
		assert_eq!(held(HoldReason::UploadStorage, OWNER), 0);
		// Only the model's deposit is still held.
		assert_eq!(Balances::free_balance(OWNER) + held(HoldReason::ModelStorage, OWNER), before);
		assert_noop_err(
			|| ModelRegistry::cancel_upload(signed(OWNER), hash),
			Error::<Test>::UploadNotFound,
		);
		ModelRegistry::do_try_state().unwrap();
		hash
	});
	ext.persist_offchain_overlay();
	assert_eq!(ext.offchain_db().get(&model_chunk_key(&hash, 1)), None);
}
