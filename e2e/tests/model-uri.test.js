// Model bytes fetched by URI, as a node that did not index them (it synced from a
// snapshot, or runs without offchain indexing) gets them. The dev node runs with
// `--dev-without-offchain-indexing`, so neither a proposal's bytes nor an upload's chunks
// reach its offchain DB. The real wine classifier grown to 3 MiB (an extra protobuf field
// ONNX parsers skip) is uploaded in chunks with a URI on a local HTTP server this test
// runs: the node fetches the file itself (streamed, at most the declared size, checked
// against the hash), keeps it, and its operators reproduce the golden vectors; voted in,
// the version answers a request with onnxruntime's output. A version whose URI answers
// 404 is judged `Failed(ModelBytesUnavailable)` by every operator and is not validated.
//
// `FETCH_MIB` (default 3) sets the size: `FETCH_MIB=100` measures a 100 MiB fetch.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

import {
  devAccounts, findEvent, passModelReferendum, tokenHolders, submit, verdictText, waitForEvent, waitForValidation, waitForVerdicts,
} from '../lib/chain.js';
import { chunksOf, committedModel, paddedModel } from '../lib/models.js';
import { startDevNode } from '../lib/node.js';

const wine = committedModel('wine-mlp');
const sizeMiB = Number(process.env.FETCH_MIB ?? 3);

/** The offchain-DB key `prefix ++ hash` as hex. */
function offchainKey(prefix, hash) {
  return u8aToHex(new Uint8Array([...new TextEncoder().encode(prefix), ...Buffer.from(hash.slice(2), 'hex')]));
}

describe('model bytes fetched from the version URI', () => {
  let node;
  let api;
  let accounts;
  let server;
  let baseUrl;
  const files = new Map();
  const gets = new Map();

  before(async () => {
    server = createServer((request, response) => {
      gets.set(request.url, (gets.get(request.url) ?? 0) + 1);
      const body = files.get(request.url);
      if (!body) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'Content-Length': body.length, 'Content-Type': 'application/octet-stream' });
      response.end(body);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${server.address().port}`;
    node = await startDevNode({
      name: 'model-uri', args: ['--dev-block-time', '1000', '--dev-without-offchain-indexing'],
    });
    api = await node.connect();
    accounts = await devAccounts();
  });

  after(async () => {
    await node?.stop();
    server?.close();
  });

  it('is fetched, checked and served by a node that did not index it', async () => {
    const { alice, bob, charlie, dave } = accounts;
    const bytes = paddedModel(wine.onnx, sizeMiB * 1024 * 1024);
    const hash = blake2AsHex(bytes, 256);
    files.set('/wine-large.onnx', bytes);
    let events = await submit(api, api.tx.modelRegistry.createModel('wine-by-uri', wine.reference.description), dave);
    const modelId = findEvent(api, events, 'modelRegistry', 'ModelCreated').data.model.toNumber();
    const chunks = chunksOf(bytes, api.consts.modelRegistry.maxChunkBytes.toNumber());
    await submit(api, api.tx.modelRegistry.beginUpload(modelId, hash, bytes.length, chunks.map((c) => blake2AsHex(c, 256))), dave);
    for (let i = 0; i < chunks.length; i += 1) {
      await submit(api, api.tx.modelRegistry.uploadChunk(hash, i, u8aToHex(chunks[i])), dave);
    }
    // Nothing of the upload is in this node's offchain DB.
    const manifest = await api.rpc.offchain.localStorageGet('PERSISTENT', offchainKey('aioracle/model-manifest/', hash));
    assert.equal(manifest.isSome, false, 'no manifest indexed');

    const fetched = node.waitForLog(new RegExp(`fetched ${bytes.length} bytes in (\\d+) ms`), 180_000);
    const proposal = { ...wine.proposal([0], { minAgreement: 2 }), modelHash: hash, uri: `${baseUrl}/wine-large.onnx` };
    const proposedAt = Date.now();
    events = await submit(api, api.tx.modelRegistry.proposeUploadedVersion(modelId, proposal), dave);
    const version = findEvent(api, events, 'modelRegistry', 'ModelVersionProposed').data.version.toNumber();
    const validation = await waitForValidation(api, modelId, version, 180_000);
    const line = await fetched;
    const verdicts = validation.verdicts.map(([, v]) => verdictText(v));
    assert.ok(verdicts.every((v) => v === 'Reproduced'), JSON.stringify(verdicts));
    assert.equal(gets.get('/wine-large.onnx'), 1, 'one fetch served all three operators');
    console.log(
      `${(bytes.length / 1048576).toFixed(1)} MiB fetched by URI in ${line.match(/in (\d+) ms/)[1]} ms; `
      + `validated by the operators ${((Date.now() - proposedAt) / 1000).toFixed(1)} s after it was sent for proposal`,
    );
    // The node kept the bytes (read back over RPC, whose responses stop at 15 MiB).
    if (bytes.length < 8 * 1048576) {
      const kept = await api.rpc.offchain.localStorageGet('PERSISTENT', offchainKey('aioracle/model-bytes/', hash));
      assert.equal(kept.isSome && kept.unwrap().toHex(), u8aToHex(bytes));
    }

    // Voted in, it answers a request as onnxruntime does.
    const holders = await tokenHolders();
    for (const call of [api.tx.modelRegistry.approveVersion, api.tx.modelRegistry.activateVersion]) {
      const result = await passModelReferendum(api, call(modelId, version), holders);
      assert.ok(result.ok, `referendum failed: ${result.error}`);
    }
    const probabilities = wine.reference.outputs.findIndex((o) => o.name === 'probabilities');
    const testCase = wine.reference.cases[3];
    const finalized = waitForEvent(api, (e) => api.events.inferenceOracle.ResultFinalized.is(e), 120_000, 'the result');
    await submit(api, api.tx.inferenceOracle.requestInference(modelId, testCase.input_fixed_point, api.consts.inferenceOracle.requestFee), dave);
    const output = (await finalized).data.output.map((x) => x.toNumber());
    output.forEach((q, i) => {
      const expected = testCase.outputs[probabilities].fixed_point[i];
      assert.ok(Math.abs(q - expected) <= 10, `class ${i}: ${q} vs onnxruntime's ${expected}`);
    });

    // A URI that answers 404: every operator says the bytes are unavailable.
    const small = paddedModel(wine.onnx, 1024 * 1024);
    const missing = { ...wine.proposal([0]), modelHash: blake2AsHex(small, 256), uri: `${baseUrl}/missing.onnx` };
    events = await submit(api, api.tx.modelRegistry.proposeVersion(modelId, missing, u8aToHex(small)), dave);
    const missingVersion = findEvent(api, events, 'modelRegistry', 'ModelVersionProposed').data.version.toNumber();
    const judged = await waitForVerdicts(
      api, modelId, missingVersion, (v) => v.verdicts.length >= 3, 120_000, 'judged by the 3 genesis operators',
    );
    for (const [who, verdict] of judged.verdicts) {
      assert.equal(verdictText(verdict), 'Failed(ModelBytesUnavailable)', `${who}'s verdict`);
    }
    assert.equal(judged.validated.isTrue, false);
    assert.ok(gets.get('/missing.onnx') >= 1, 'the node asked the URI');
  });
});
