// Several typed input tensors end to end: the committed two-input network
// models/nn/diabetes-wide-deep (float32 `numeric` [1, 9] and int64 `sex` [1, 1], made by
// scripts/models/make_multi_input_model.py with onnxruntime references) is proposed with
// both inputs in its contract, validated by the node's operators from the real bytes,
// voted in by referendum, and asked for a prediction twice: with the values inline (both
// inputs concatenated in the version's order) and by reference, from an input blob that
// holds both tensors back to back. Both results are onnxruntime's within the version's
// tolerance. A version that names one model input twice is refused by name.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

import {
  devAccounts, findEvent, passModelReferendum, tokenHolders, submit, waitForEvent, waitForValidation,
} from '../lib/chain.js';
import { startDevNode } from '../lib/node.js';

const dir = new URL('../../models/nn/', import.meta.url);
const onnx = readFileSync(new URL('diabetes-wide-deep.onnx', dir));
const reference = JSON.parse(readFileSync(new URL('diabetes-wide-deep.json', dir), 'utf8'));
const tolerance = 2;

/** A `BlobDecoding::Tensor` blob of `values`: each an 8-byte little-endian integer (F32 and I64 inputs). */
function tensorBlob(values) {
  const bytes = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => bytes.writeBigInt64LE(BigInt(v), 8 * i));
  return bytes;
}

describe('a version with two typed inputs', () => {
  let node;
  let api;
  let accounts;

  before(async () => {
    node = await startDevNode({ name: 'multi-input', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
  });

  after(async () => {
    await node?.stop();
  });

  it('is validated, then answers inline and by reference as onnxruntime does', async () => {
    const { alice, bob, charlie, dave } = accounts;
    const fee = api.consts.inferenceOracle.requestFee;
    // The training data ships inside scikit-learn; it is registered by the hash of its
    // description in the reference JSON, a stand-in for the file's bytes.
    const description = Buffer.from(JSON.stringify(reference.dataset));
    let events = await submit(api, api.tx.datasetProvenance.registerDataset({
      contentHash: blake2AsHex(description, 256), sizeBytes: description.length,
      uri: reference.dataset.loader, licence: 'BSD-3-Clause',
      licenceFlags: { commercialUse: true, derivatives: true, shareAlike: false }, parents: [],
    }), dave);
    const dataset = findEvent(api, events, 'datasetProvenance', 'DatasetRegistered').data.dataset.toNumber();
    events = await submit(api, api.tx.modelRegistry.createModel('diabetes-wide-deep', reference.description), dave);
    const modelId = findEvent(api, events, 'modelRegistry', 'ModelCreated').data.model.toNumber();

    const [numeric, sex] = reference.inputs;
    assert.deepEqual([numeric.name, sex.name], ['numeric', 'sex']);
    const inputs = [
      { index: 0, elementType: 'F32', shape: [1, numeric.shape[1]] },
      { index: 1, elementType: 'I64', shape: [1, 1] },
    ];
    const proposal = {
      modelHash: blake2AsHex(onnx, 256),
      uri: '',
      inputs,
      output: { index: 0, elementType: 'F32', shape: [1, 1] },
      inputScale: reference.fixed_point.input_scale,
      outputScale: reference.fixed_point.output_scale,
      aggregation: { Median: { tolerance } },
      minAgreement: 2,
      trainingDatasets: [dataset],
      commercialUse: false,
      goldenVectors: reference.cases.slice(0, 3).map((c) => ({
        input: c.input_fixed_point,
        output: c.outputs[0].fixed_point,
      })),
    };

    // One model input named twice: refused by name, nothing stored.
    const twice = { ...proposal, inputs: [inputs[0], { ...inputs[1], index: 0 }] };
    await assert.rejects(
      submit(api, api.tx.modelRegistry.proposeVersion(modelId, twice, u8aToHex(onnx)), dave),
      /DuplicateInput/,
    );
    assert.equal((await api.call.modelRegistryApi.versions(modelId)).length, 0);

    events = await submit(api, api.tx.modelRegistry.proposeVersion(modelId, proposal, u8aToHex(onnx)), dave);
    const version = findEvent(api, events, 'modelRegistry', 'ModelVersionProposed').data.version.toNumber();
    const validation = await waitForValidation(api, modelId, version);
    assert.equal(validation.validated.isTrue, true, 'the operators reproduced the golden vectors');
    const holders = await tokenHolders();
    for (const call of [api.tx.modelRegistry.approveVersion, api.tx.modelRegistry.activateVersion]) {
      const result = await passModelReferendum(api, call(modelId, version), holders);
      assert.ok(result.ok, `referendum failed: ${result.error}`);
    }
    const view = (await api.call.modelRegistryApi.activeVersion(modelId)).unwrap();
    assert.deepEqual(view.inputs.map((i) => [i.index.toNumber(), i.elementType.toString()]), [[0, 'F32'], [1, 'I64']]);

    const answer = async (tx, who) => {
      const finalized = waitForEvent(api, (e) => api.events.inferenceOracle.ResultFinalized.is(e), 120_000, 'the result');
      const made = await submit(api, tx, who);
      const request = findEvent(api, made, 'inferenceOracle', 'InferenceRequested').data.request.toNumber();
      const event = await finalized;
      assert.equal(event.data.request.toNumber(), request);
      return event.data.output.map((x) => x.toNumber());
    };
    const close = (got, expected, what) => got.forEach((q, i) => {
      assert.ok(Math.abs(q - expected[i]) <= tolerance, `${what}: ${q} vs onnxruntime's ${expected[i]}`);
    });

    // Inline: numeric's nine values, then sex's one, for cases the golden vectors do not hold.
    const inline = reference.cases[3];
    assert.equal(inline.input_fixed_point.length, 10);
    close(
      await answer(api.tx.inferenceOracle.requestInference(modelId, inline.input_fixed_point, fee), dave),
      inline.outputs[0].fixed_point,
      `row ${inline.row} inline`,
    );

    // By reference: one blob, both tensors back to back (80 bytes); a blob one tensor
    // short does not fit the version's inputs.
    const byBlob = reference.cases[4];
    const blob = tensorBlob(byBlob.input_fixed_point);
    const short = tensorBlob(byBlob.inputs[0].fixed_point);
    await submit(api, api.tx.inferenceOracle.storeInput(u8aToHex(short)), dave);
    await assert.rejects(
      submit(api, api.tx.inferenceOracle.requestInferenceByReference(modelId, { Blob: blake2AsHex(short, 256) }, fee), dave),
      /InputBlobDoesNotFit/,
    );
    await submit(api, api.tx.inferenceOracle.storeInput(u8aToHex(blob)), dave);
    close(
      await answer(api.tx.inferenceOracle.requestInferenceByReference(modelId, { Blob: blake2AsHex(blob, 256) }, fee), dave),
      byBlob.outputs[0].fixed_point,
      `row ${byBlob.row} by reference`,
    );
  });
});
