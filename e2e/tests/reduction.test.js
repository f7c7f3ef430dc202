// Compact outputs end to end: a version whose operators report a reduction of the model's
// output rather than the whole of it. The committed digits classifier (10 class
// probabilities) is proposed with `TopK { k: 3 }`: its golden vectors are the top three
// classes with their probabilities, which the node's operators (Alice, Bob and Charlie)
// must reproduce from the real ONNX bytes before a referendum may approve it. Once active,
// a request's result on-chain is six numbers: the three classes, largest first, then their
// probabilities, within the tolerance of onnxruntime's. A `k` longer than the output is
// refused with a named error and nothing stored.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';

import {
  devAccounts, findEvent, passModelReferendum, tokenHolders, submit, waitForEvent, waitForValidation,
} from '../lib/chain.js';
import { committedModel, reportOf } from '../lib/models.js';
import { startDevNode } from '../lib/node.js';

const digits = committedModel('digits-onehot');

describe('a version that reports the top k classes', () => {
  let node;
  let api;
  let accounts;

  before(async () => {
    node = await startDevNode({ name: 'reduction', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
  });

  after(async () => {
    await node?.stop();
  });

  it('is validated, served and finalized on its top three classes', async () => {
    const { alice, bob, charlie, dave } = accounts;
    const aggregation = { TopK: { k: 3, tolerance: 10 } };
    const classes = digits.reference.classes.length;
    let events = await submit(api, api.tx.modelRegistry.createModel('digits', digits.reference.description), dave);
    const modelId = findEvent(api, events, 'modelRegistry', 'ModelCreated').data.model.toNumber();

    // A k longer than the 10 classes: refused by name, no version stored.
    const tooLong = digits.proposal([0], { aggregation: { TopK: { k: classes + 1, tolerance: 10 } } });
    await assert.rejects(
      submit(api, api.tx.modelRegistry.proposeVersion(modelId, tooLong, u8aToHex(digits.onnx)), dave),
      /AggregationDoesNotFit/,
    );
    assert.equal((await api.call.modelRegistryApi.versions(modelId)).length, 0);

    const proposal = digits.proposal([0], { aggregation, minAgreement: 2 });
    assert.deepEqual(proposal.goldenVectors[0].output.length, 6, 'three classes and their probabilities');
    events = await submit(api, api.tx.modelRegistry.proposeVersion(modelId, proposal, u8aToHex(digits.onnx)), dave);
    const version = findEvent(api, events, 'modelRegistry', 'ModelVersionProposed').data.version.toNumber();

    // The operators reproduce the reduced golden vectors from the real bytes.
    const validation = await waitForValidation(api, modelId, version);
    assert.equal(validation.validated.isTrue, true);
    const holders = await tokenHolders();
    for (const call of [api.tx.modelRegistry.approveVersion, api.tx.modelRegistry.activateVersion]) {
      const result = await passModelReferendum(api, call(modelId, version), holders);
      assert.ok(result.ok, `referendum failed: ${result.error}`);
    }
    const view = (await api.call.modelRegistryApi.activeVersion(modelId)).unwrap();
    assert.equal(view.aggregation.isTopK, true);
    assert.equal(view.aggregation.asTopK.k.toNumber(), 3);

    // A request on a case the golden vectors do not hold.
    const probabilities = digits.reference.outputs.findIndex((o) => o.name === 'probabilities');
    const testCase = digits.reference.cases[3];
    const expected = reportOf(aggregation, testCase.outputs[probabilities].fixed_point, classes);
    const finalized = waitForEvent(
      api,
      (e) => api.events.inferenceOracle.ResultFinalized.is(e),
      120_000,
      'the result',
    );
    events = await submit(
      api,
      api.tx.inferenceOracle.requestInference(modelId, testCase.input_fixed_point, api.consts.inferenceOracle.requestFee),
      dave,
    );
    const request = findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data.request.toNumber();
    const event = await finalized;
    assert.equal(event.data.request.toNumber(), request);
    const output = event.data.output.map((x) => x.toNumber());
    assert.equal(output.length, 6);
    assert.deepEqual(output.slice(0, 3), expected.slice(0, 3), 'the top three classes, largest first');
    output.slice(3).forEach((q, i) => {
      assert.ok(Math.abs(q - expected[3 + i]) <= 10, `class ${output[i]}: ${q} vs onnxruntime's ${expected[3 + i]}`);
    });
    assert.equal(output[0], testCase.outputs.find((o) => o.name === 'label').fixed_point[0], 'the top class is the label');
    assert.equal(event.data.agreeing.length, 3, 'every member agreed');
  });
});
