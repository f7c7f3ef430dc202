// A real neural network served by the oracle on a file named by its dataset hash, as the
// Magika example of docs/models.md tells it. Google's Magika (a 3.2 MB content-type CNN
// from the `magika` wheel, fetched by scripts/models/fetch-magika.sh) is uploaded in
// chunks, proposed with golden vectors from onnxruntime (its 214 probabilities reduced to
// the top three classes) and Magika's file featurisation declared as the version's input
// decoding; the node's operators reproduce it and token holders vote it in by referendum. A dApp then
// registers a file of this repository as a dataset, stores its bytes as an input blob,
// and asks for its content type by the dataset: the operators read the file from their
// offchain DB, turn it into Magika's 2,048 features and agree on the label, which comes
// back with the dataset's chain of custody in `explain`. Wrong references are refused by
// name.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

import {
  devAccounts, findEvent, passModelReferendum, tokenHolders, submit, waitForEvent, waitForValidation,
} from '../lib/chain.js';
import { chunksOf, reportOf } from '../lib/models.js';
import { startDevNode } from '../lib/node.js';

const reference = JSON.parse(readFileSync(new URL('../../models/magika/magika.json', import.meta.url), 'utf8'));
const magikaDir = process.env.AIORACLE_MAGIKA_DIR ?? join(homedir(), '.cache', 'aioracle', 'models', 'magika');
const repoRoot = new URL('../../', import.meta.url).pathname;
const CLASSES = reference.class_names.length;
const AGGREGATION = { TopK: { k: 3, tolerance: 10 } };
const { beg_size: begin, end_size: end, block_size: block, padding_token: padding } = reference.feature_extraction;

/** The bytes of reference case `c`'s file, read from git at the commit it names. */
function caseFile(c) {
  const [path, commit] = c.file.split(' at commit ');
  const bytes = execFileSync('git', ['show', `${commit}:${path}`], { cwd: repoRoot, maxBuffer: 1 << 26 });
  assert.equal(blake2AsHex(bytes, 256), c.file_blake2_256, `${c.file}: the reference's bytes`);
  return bytes;
}

/** Case `c`'s onnxruntime output, as the version's operators report it: the top three. */
function expectedReport(c) {
  return reportOf(AGGREGATION, c.outputs[0].fixed_point, CLASSES);
}

describe('Magika on-chain: the content type of a registered file', () => {
  let node;
  let api;
  let accounts;

  before(async () => {
    assert.ok(
      existsSync(join(magikaDir, 'model.onnx')),
      `no Magika model in ${magikaDir}: scripts/setup.sh fetches it (scripts/models/fetch-magika.sh)`,
    );
    node = await startDevNode({ name: 'magika', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
  });

  after(async () => {
    await node?.stop();
  });

  it('classifies a file named by its dataset hash and explains it with its provenance', async () => {
    const { alice, bob, charlie, dave, eve } = accounts;
    const onnx = readFileSync(join(magikaDir, 'model.onnx'));
    const modelHash = blake2AsHex(onnx, 256);
    assert.equal(modelHash, reference.hash, 'the cached model is the reference one');

    // Where the model comes from: the wheel it ships in, registered as its upstream.
    const wheel = readFileSync(join(magikaDir, 'wheel', reference.source.wheel));
    let events = await submit(api, api.tx.datasetProvenance.registerDataset({
      contentHash: blake2AsHex(wheel, 256), sizeBytes: wheel.length, uri: reference.source.source,
      licence: reference.source.licence,
      licenceFlags: { commercialUse: true, derivatives: true, shareAlike: false }, parents: [],
    }), dave);
    const upstream = findEvent(api, events, 'datasetProvenance', 'DatasetRegistered').data.dataset.toNumber();

    // The model, uploaded in chunks.
    events = await submit(api, api.tx.modelRegistry.createModel('magika', 'file content types (214)'), dave);
    const modelId = findEvent(api, events, 'modelRegistry', 'ModelCreated').data.model.toNumber();
    const chunks = chunksOf(onnx, api.consts.modelRegistry.maxChunkBytes.toNumber());
    await submit(api, api.tx.modelRegistry.beginUpload(
      modelId, modelHash, onnx.length, chunks.map((c) => blake2AsHex(c, 256)),
    ), dave);
    for (let i = 0; i < chunks.length; i += 1) {
      await submit(api, api.tx.modelRegistry.uploadChunk(modelHash, i, u8aToHex(chunks[i])), dave);
    }
    const proposal = {
      modelHash,
      uri: reference.source.source,
      inputs: [{ index: 0, elementType: 'I32', shape: [1, begin + end] }],
      output: { index: 0, elementType: 'F32', shape: [1, CLASSES] },
      inputScale: reference.fixed_point.input_scale,
      outputScale: reference.fixed_point.output_scale,
      aggregation: AGGREGATION,
      minAgreement: 2,
      trainingDatasets: [upstream],
      commercialUse: true,
      goldenVectors: reference.cases.slice(0, 3).map((c) => ({ input: c.input_fixed_point, output: expectedReport(c) })),
    };
    events = await submit(api, api.tx.modelRegistry.proposeUploadedVersion(modelId, proposal), dave);
    const version = findEvent(api, events, 'modelRegistry', 'ModelVersionProposed').data.version.toNumber();

    // Magika's featurisation, declared by the owner while the version is proposed; one
    // that does not make 2,048 values is refused by name.
    await assert.rejects(submit(api, api.tx.modelRegistry.setInputDecoding(
      modelId, version, { FileEdges: { begin, end: end + 1, block, padding } },
    ), dave), /DecodingDoesNotFitInput/);
    events = await submit(api, api.tx.modelRegistry.setInputDecoding(
      modelId, version, { FileEdges: { begin, end, block, padding } },
    ), dave);
    findEvent(api, events, 'modelRegistry', 'InputDecodingSet');

    // The operators assemble it, reproduce onnxruntime's top three; two referenda approve and activate it.
    const validation = await waitForValidation(api, modelId, version, 180_000);
    assert.equal(validation.validated.isTrue, true);
    const holders = await tokenHolders();
    for (const call of [api.tx.modelRegistry.approveVersion, api.tx.modelRegistry.activateVersion]) {
      const result = await passModelReferendum(api, call(modelId, version), holders);
      assert.ok(result.ok, `referendum failed: ${result.error}`);
    }
    const fee = api.consts.inferenceOracle.requestFee;

    // Inline, Magika's 2,048 features are more than a request carries.
    await assert.rejects(
      submit(api, api.tx.inferenceOracle.requestInference(modelId, reference.cases[3].input_fixed_point, fee), eve),
      /TensorTooLarge/,
    );

    // A dApp registers a file (README.md, not among the golden vectors) and stores it.
    const markdown = reference.cases[3];
    const file = caseFile(markdown);
    const contentHash = blake2AsHex(file, 256);
    events = await submit(api, api.tx.datasetProvenance.registerDataset({
      contentHash, sizeBytes: file.length, uri: `git:${markdown.file}`, licence: 'MIT',
      licenceFlags: { commercialUse: true, derivatives: true, shareAlike: false }, parents: [],
    }), eve);
    const dataset = findEvent(api, events, 'datasetProvenance', 'DatasetRegistered').data.dataset.toNumber();
    const byDataset = { Dataset: dataset };
    await assert.rejects(
      submit(api, api.tx.inferenceOracle.requestInferenceByReference(modelId, byDataset, fee), eve),
      /InputBlobNotFound/, 'the file is not stored yet',
    );
    events = await submit(api, api.tx.inferenceOracle.storeInput(u8aToHex(file)), eve);
    const stored = findEvent(api, events, 'inferenceOracle', 'InputStored').data;
    assert.equal(stored.blob.toHex(), contentHash, 'the blob is the dataset content');
    await assert.rejects(submit(api, api.tx.inferenceOracle.storeInput(u8aToHex(file)), eve), /InputBlobAlreadyStored/);
    await assert.rejects(
      submit(api, api.tx.inferenceOracle.requestInferenceByReference(modelId, { Dataset: dataset + 1000 }, fee), eve),
      /DatasetNotFound/,
    );
    await assert.rejects(
      submit(api, api.tx.inferenceOracle.requestInferenceByReference(modelId, { Blob: blake2AsHex('nothing', 256) }, fee), eve),
      /InputBlobNotFound/,
    );

    // The request, by dataset; and one by blob hash (a shell script stored by Dave).
    const shell = reference.cases[4];
    const script = caseFile(shell);
    await submit(api, api.tx.inferenceOracle.storeInput(u8aToHex(script)), dave);
    const results = new Map();
    const finalized = waitForEvent(api, (e) => {
      if (!api.events.inferenceOracle.ResultFinalized.is(e)) return false;
      results.set(e.data.request.toNumber(), e.data);
      return results.size >= 2;
    }, 180_000, 'both results');
    const requested = [];
    for (const source of [byDataset, { Blob: blake2AsHex(script, 256) }]) {
      events = await submit(api, api.tx.inferenceOracle.requestInferenceByReference(modelId, source, fee), eve);
      requested.push(findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data);
      const { input } = findEvent(api, events, 'inferenceOracle', 'InputReferenced').data;
      assert.equal(input.dataset.isSome, source === byDataset, 'the dataset is recorded when named');
    }
    await finalized;

    for (const [request, c] of [[requested[0].request.toNumber(), markdown], [requested[1].request.toNumber(), shell]]) {
      const output = results.get(request).output.map((x) => x.toNumber());
      const expected = expectedReport(c);
      assert.deepEqual(output.slice(0, 3), expected.slice(0, 3), `${c.file}: the top three classes`);
      output.slice(3).forEach((q, i) => {
        assert.ok(Math.abs(q - expected[3 + i]) <= 10, `${c.file} class ${output[i]}: ${q} vs onnxruntime's ${expected[3 + i]}`);
      });
      assert.equal(reference.class_names[output[0]], c.target, `${c.file} is ${c.target}`);
      const explanation = (await api.call.inferenceOracleApi.explain(request)).unwrap();
      const blocks = explanation.result.unwrap().finalizedAt.toNumber() - explanation.request.createdAt.toNumber();
      console.log(`${c.file}: ${reference.class_names[output[0]]} (${output[3] / 1e6}), ${blocks} blocks from request to result`);
    }

    // `explain` names the file's dataset and its provenance beside the model's.
    const explanation = (await api.call.inferenceOracleApi.explain(requested[0].request)).unwrap();
    assert.equal(explanation.request.input.length, 0, 'nothing of the input is inline');
    const ref = explanation.request.inputReference.unwrap();
    assert.equal(ref.blob.toHex(), contentHash);
    assert.equal(ref.dataset.unwrap().toNumber(), dataset);
    const inputDataset = explanation.inputDataset.unwrap();
    assert.equal(inputDataset.dataset.contentHash.toHex(), contentHash);
    assert.equal(inputDataset.dataset.owner.toString(), eve.address);
    assert.equal(inputDataset.taint.retracted.isTrue, false, 'the file is not retracted');
    assert.deepEqual(
      explanation.provenance.unwrap().trainingDatasets.map((d) => d.dataset.id.toNumber()), [upstream],
      'the model is traced to the wheel it came from',
    );

    // The blob was just used: its owner may not remove it yet.
    await assert.rejects(submit(api, api.tx.inferenceOracle.removeInput(contentHash), eve), /InputBlobInUse/);
  });
});
