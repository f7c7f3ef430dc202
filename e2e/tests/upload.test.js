// A model larger than one extrinsic, uploaded in chunks as a model owner would: the real
// wine classifier grown to 5 MiB (an extra protobuf field that ONNX parsers skip, so its
// outputs are onnxruntime's), declared with its chunks' hashes, sent chunk by chunk in
// reverse order, and proposed. The node's operators assemble the file from their offchain
// DB, check it against the whole hash and reproduce its golden vectors: the version is
// validated. Wrong chunks are refused by name; an upload whose declared whole hash is not
// its chunks' is proposed but no operator validates it.
//
// `UPLOAD_MIB` (default 5) sets the size: `UPLOAD_MIB=100` measures a 100 MiB upload.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

import {
  devAccounts, findEvent, submit, verdictText, waitForValidation, waitForVerdicts,
} from '../lib/chain.js';
import { chunksOf, committedModel, paddedModel } from '../lib/models.js';
import { startDevNode } from '../lib/node.js';

const wine = committedModel('wine-mlp');
const sizeMiB = Number(process.env.UPLOAD_MIB ?? 5);

/** The offchain-DB key `prefix ++ parts...` as hex. */
function offchainKey(prefix, ...parts) {
  return u8aToHex(new Uint8Array([...new TextEncoder().encode(prefix), ...parts.flatMap((p) => [...p])]));
}

describe('a model uploaded in chunks', () => {
  let node;
  let api;
  let accounts;

  before(async () => {
    node = await startDevNode({ name: 'upload', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
  });

  after(async () => {
    await node?.stop();
  });

  it('is assembled and validated by the operators, and wrong chunks are refused', async () => {
    const { alice, bob, charlie, dave } = accounts;
    const chunkBytes = api.consts.modelRegistry.maxChunkBytes.toNumber();
    const bytes = paddedModel(wine.onnx, sizeMiB * 1024 * 1024);
    assert.ok(bytes.length > api.consts.modelRegistry.maxModelBytes.toNumber(), 'too large for propose_version');
    const hash = blake2AsHex(bytes, 256);
    const chunks = chunksOf(bytes, chunkBytes);
    const chunkHashes = chunks.map((c) => blake2AsHex(c, 256));

    let events = await submit(api, api.tx.modelRegistry.createModel('wine-large', wine.reference.description), dave);
    const modelId = findEvent(api, events, 'modelRegistry', 'ModelCreated').data.model.toNumber();
    events = await submit(api, api.tx.modelRegistry.beginUpload(modelId, hash, bytes.length, chunkHashes), dave);
    const started = findEvent(api, events, 'modelRegistry', 'UploadStarted').data;
    assert.equal(started.chunks.toNumber(), chunks.length);
    console.log(`upload of ${bytes.length} bytes in ${chunks.length} chunks, deposit ${started.deposit.toHuman()}`);

    // Wrong chunks: another chunk's bytes at a position, a position past the last.
    if (chunks.length > 1) {
      await assert.rejects(
        submit(api, api.tx.modelRegistry.uploadChunk(hash, 0, u8aToHex(chunks[1])), dave), /ChunkHashMismatch/,
      );
    }
    await assert.rejects(
      submit(api, api.tx.modelRegistry.uploadChunk(hash, chunks.length, u8aToHex(chunks[0])), dave),
      /ChunkIndexOutOfRange/,
    );
    // Proposing before every chunk arrived.
    const proposal = { ...wine.proposal([0]), modelHash: hash };
    await assert.rejects(
      submit(api, api.tx.modelRegistry.proposeUploadedVersion(modelId, proposal), dave), /UploadIncomplete/,
    );

    // The chunks, last first.
    const uploadStart = Date.now();
    for (let i = chunks.length - 1; i >= 0; i -= 1) {
      events = await submit(api, api.tx.modelRegistry.uploadChunk(hash, i, u8aToHex(chunks[i])), dave);
      assert.equal(findEvent(api, events, 'modelRegistry', 'ChunkUploaded').data.index.toNumber(), i);
    }
    const uploadSeconds = (Date.now() - uploadStart) / 1000;
    await assert.rejects(
      submit(api, api.tx.modelRegistry.uploadChunk(hash, 0, u8aToHex(chunks[0])), dave), /ChunkAlreadyUploaded/,
    );

    // The node's worker may assemble the file in the very block of the proposal: watch
    // its log from before.
    const assembled = node.waitForLog(new RegExp(`assembled ${bytes.length} bytes from ${chunks.length} chunks`), 180_000);
    const validationStart = Date.now();
    events = await submit(api, api.tx.modelRegistry.proposeUploadedVersion(modelId, proposal), dave);
    const proposed = findEvent(api, events, 'modelRegistry', 'ModelVersionProposed').data;
    const version = proposed.version.toNumber();
    assert.equal(proposed.modelHash.toHex(), hash);
    assert.equal(proposed.sizeBytes.toNumber(), bytes.length);

    // The chunks and their manifest are in the node's offchain DB; no chunk is in state.
    const hashBytes = Buffer.from(hash.slice(2), 'hex');
    const manifest = await api.rpc.offchain.localStorageGet('PERSISTENT', offchainKey('aioracle/model-manifest/', hashBytes));
    assert.ok(manifest.isSome, 'the manifest is indexed');
    const last = Buffer.alloc(4);
    last.writeUInt32LE(chunks.length - 1);
    const lastChunk = await api.rpc.offchain.localStorageGet('PERSISTENT', offchainKey('aioracle/model-chunk/', hashBytes, last));
    assert.equal(lastChunk.unwrap().toHex(), u8aToHex(chunks.at(-1)));

    // The operators assemble the file, check the whole hash and reproduce the vectors.
    const validation = await waitForValidation(api, modelId, version, 180_000);
    await assembled;
    assert.equal(validation.validated.isTrue, true);
    const verdicts = validation.verdicts.map(([, v]) => verdictText(v));
    assert.ok(verdicts.every((v) => v === 'Reproduced'), JSON.stringify(verdicts));
    console.log(
      `${(bytes.length / 1048576).toFixed(1)} MiB: uploaded in ${uploadSeconds.toFixed(1)} s (${chunks.length} chunks), `
      + `assembled, loaded and validated by the operators ${((Date.now() - validationStart) / 1000).toFixed(1)} s after it was sent for proposal`,
    );

    // A declared whole hash that is not the chunks': proposed, but no operator serves it.
    const other = paddedModel(wine.onnx, 3 * 1024 * 1024);
    const otherChunks = chunksOf(other, chunkBytes);
    const lie = blake2AsHex('not these bytes', 256);
    events = await submit(api, api.tx.modelRegistry.beginUpload(
      modelId, lie, other.length, otherChunks.map((c) => blake2AsHex(c, 256)),
    ), dave);
    for (let i = 0; i < otherChunks.length; i += 1) {
      await submit(api, api.tx.modelRegistry.uploadChunk(lie, i, u8aToHex(otherChunks[i])), dave);
    }
    events = await submit(api, api.tx.modelRegistry.proposeUploadedVersion(modelId, { ...wine.proposal([0]), modelHash: lie }), dave);
    const lieVersion = findEvent(api, events, 'modelRegistry', 'ModelVersionProposed').data.version.toNumber();
    const operators = [alice, bob, charlie].length;
    const judged = await waitForVerdicts(
      api, modelId, lieVersion, (v) => v.verdicts.length >= operators, 120_000, 'judged by the 3 genesis operators',
    );
    for (const [who, verdict] of judged.verdicts) {
      assert.equal(verdictText(verdict), 'Failed(Engine(HashMismatch))', `${who}'s verdict`);
    }
    assert.equal(judged.validated.isTrue, false);
  });
});
