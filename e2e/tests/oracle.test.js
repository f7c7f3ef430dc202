// The inference oracle end to end, as a dApp would use it on a fresh dev node: request an
// inference from the sample model (iris, active at genesis), wait for ResultFinalized, and
// compare the output with the onnxruntime reference committed beside the model. Alice's
// node is the operator: its off-chain worker scores with the real ONNX engine.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { devAccounts, findEvent, submit, waitForEvent } from '../lib/chain.js';
import { scrapeMetrics } from '../lib/metrics.js';
import { startDevNode } from '../lib/node.js';

const reference = JSON.parse(
  readFileSync(new URL('../../models/iris-logreg.json', import.meta.url), 'utf8'),
);

/** The `InferenceOracle.ResultFinalized` event of `request`, once it comes. */
function resultFinalized(api, request) {
  return waitForEvent(
    api,
    (event) => api.events.inferenceOracle.ResultFinalized.is(event)
      && event.data.request.toNumber() === request,
    120_000,
    `ResultFinalized for request ${request}`,
  );
}

describe('inference oracle', () => {
  let node;
  let api;
  let accounts;

  before(async () => {
    node = await startDevNode({ name: 'oracle', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
  });

  after(async () => {
    await node?.stop();
  });

  it('answers a request on the sample model with the reference output', async () => {
    const { dave } = accounts;
    const model = (await api.call.modelRegistryApi.activeVersion(0)).unwrap();
    assert.equal(model.modelHash.toHex(), reference.hash, 'the sample model is active');
    const operators = await api.call.inferenceOracleApi.operators();
    assert.deepEqual(
      operators.map((o) => o.account.toString()).sort(),
      [accounts.alice, accounts.bob, accounts.charlie].map((a) => a.address).sort(),
      'Alice, Bob and Charlie are the dev operators',
    );

    for (const [index, c] of reference.cases.slice(0, 3).entries()) {
      const fee = api.consts.inferenceOracle.requestFee;
      const events = await submit(
        api, api.tx.inferenceOracle.requestInference(0, c.input_fixed_point, fee), dave,
      );
      const request = findEvent(api, events, 'inferenceOracle', 'InferenceRequested')
        .data.request.toNumber();
      const finalized = await resultFinalized(api, request);
      const output = finalized.data.output.map((x) => x.toNumber());
      const expected = c.outputs[1].fixed_point;
      const tolerance = model.aggregation.asMedian.tolerance.toNumber();
      output.forEach((value, i) => assert.ok(
        Math.abs(value - expected[i]) <= tolerance,
        `case ${index}, element ${i}: ${value} vs reference ${expected[i]}`,
      ));

      // The result explains itself: the model version, its training data, who agreed
      // (the committee of three, all served by this node's keys).
      const explanation = (await api.call.inferenceOracleApi.explain(request)).unwrap();
      assert.equal(explanation.request.status.toString(), 'Finalized');
      assert.equal(explanation.result.unwrap().agreeing.length, 3);
      assert.equal(explanation.submissions.length, 3);
      const provenance = explanation.provenance.unwrap();
      assert.equal(provenance.trainingDatasets[0].dataset.licence.toUtf8(), 'CC-BY-4.0');
      assert.equal(explanation.taintedDatasets.length, 0);
    }

    // The node counted its work in Prometheus, labelled by the model's hash: each request
    // seen and scored once, and per request a commitment and a reveal by each of the three
    // members' keys.
    const metrics = await scrapeMetrics(node.prometheusPort);
    const model_hash = reference.hash;
    assert.equal(metrics.value('aioracle_oracle_requests_seen_total', { model_hash }), 3);
    assert.equal(
      metrics.value('aioracle_oracle_submissions_total', { model_hash, outcome: 'output' }), 3 * 3 * 2,
    );
    assert.equal(metrics.value('aioracle_oracle_model_loads_total', { model_hash }), 1);
    // Three requests, and the golden vectors checked once before the first.
    const inferences = metrics.value('aioracle_oracle_inferences_total', { model_hash });
    assert.equal(inferences, 3 + model.goldenVectors.length);
    assert.equal(metrics.value('aioracle_oracle_inference_seconds_count', { model_hash }), inferences);
    assert.ok(metrics.value('aioracle_oracle_inference_seconds_sum', { model_hash }) > 0);
    assert.equal(metrics.value('aioracle_oracle_failures_total', {}), undefined, 'no failures');
  });
});
