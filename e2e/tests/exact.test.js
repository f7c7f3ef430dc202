// The exact tier end to end, as a model owner and a dApp would use it on a fresh dev node:
// Dave compiles the example forest (models/breast-cancer-forest.onnx, a scikit-learn
// RandomForestClassifier) with the node's own `model compile`, proposes the version with
// its ONNX bytes and gives it the program, which the chain checks against the version's
// golden vectors; root (the dev sudo key) approves and activates it. Eve's requests are
// then answered by the runtime itself: `ResultFinalized` among the request's own events,
// in its own block, with onnxruntime's label, and `explain` names the program. An input
// outside the program's declared range is refused.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

import {
  describeDispatchError, devAccounts, findEvent, sendAndWaitInBlock, submit,
} from '../lib/chain.js';
import { committedModel } from '../lib/models.js';
import { nodeBinary, startDevNode } from '../lib/node.js';

const name = 'breast-cancer-forest';
const { onnx, reference } = committedModel(name);
const onnxPath = new URL(`../../models/${name}.onnx`, import.meta.url).pathname;
const label = reference.outputs.findIndex((o) => o.name === 'label');
const { input_scale: inputScale, output_scale: outputScale } = reference.fixed_point;
// The label as the chain reports it: an integer output at the output scale, as the engine
// quantises it (`label * 10^outputScale`); the reference JSON keeps integers unscaled.
const chainLabel = (c) => c.outputs[label].values.map((v) => v * 10 ** outputScale);

describe('exact tier', () => {
  let node;
  let api;
  let accounts;

  before(async () => {
    node = await startDevNode({ name: 'exact', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
  });

  after(async () => {
    await node?.stop();
  });

  it('answers requests to a compiled forest in their own block with onnxruntime\'s labels', async () => {
    const { alice, dave, eve } = accounts;

    // The model owner compiles the forest with the node's CLI.
    const program = join(mkdtempSync(join(tmpdir(), 'aioracle-exact-')), 'forest.program');
    const compiled = JSON.parse(execFileSync(nodeBinary(), [
      'model', 'compile', onnxPath, '--input-scale', `${inputScale}`, '--output-scale', `${outputScale}`,
      '--output', 'label', '--out', program,
    ], { encoding: 'utf8' }));
    const programBytes = readFileSync(program);
    assert.equal(compiled.programHash, blake2AsHex(programBytes, 256));
    assert.equal(compiled.onnxHash, reference.hash);

    // Dave registers the training data, creates the model and proposes version 1 with the
    // label as output and three golden vectors.
    let events = await submit(
      api,
      api.tx.datasetProvenance.registerDataset({
        contentHash: blake2AsHex('breast-cancer.csv', 256), sizeBytes: 125_000, recordCount: 569,
        uri: 'https://archive.ics.uci.edu/dataset/17', licence: 'CC-BY-4.0',
        licenceFlags: { commercialUse: true, derivatives: true, shareAlike: false }, parents: [],
      }),
      dave,
    );
    const dataset = findEvent(api, events, 'datasetProvenance', 'DatasetRegistered').data.dataset.toNumber();
    events = await submit(api, api.tx.modelRegistry.createModel(name, reference.description), dave);
    const model = findEvent(api, events, 'modelRegistry', 'ModelCreated').data.model.toNumber();
    const proposal = {
      modelHash: reference.hash,
      uri: `https://models.example/${name}.onnx`,
      inputs: [{ index: 0, elementType: 'F32', shape: [1, reference.n_features] }],
      output: { index: label, elementType: 'I64', shape: [1] },
      inputScale,
      outputScale,
      aggregation: 'ExactMajority',
      minAgreement: 1,
      trainingDatasets: [dataset],
      commercialUse: false,
      // Cases 0, 3 and 6: both classes.
      goldenVectors: reference.cases.filter((_, i) => i % 3 === 0).map((c) => ({
        input: c.input_fixed_point, output: chainLabel(c),
      })),
    };
    events = await submit(api, api.tx.modelRegistry.proposeVersion(model, proposal, u8aToHex(onnx)), dave);
    const version = findEvent(api, events, 'modelRegistry', 'ModelVersionProposed').data.version.toNumber();

    // The program is checked on-chain against the golden vectors, then stored.
    events = await submit(api, api.tx.modelRegistry.setExactProgram(model, version, u8aToHex(programBytes)), dave);
    const set = findEvent(api, events, 'modelRegistry', 'ExactProgramSet').data;
    assert.equal(set.programHash.toHex(), compiled.programHash);
    assert.equal(set.sizeBytes.toNumber(), programBytes.length);

    for (const call of [api.tx.modelRegistry.approveVersion(model, version), api.tx.modelRegistry.activateVersion(model, version)]) {
      events = await submit(api, api.tx.sudo.sudo(call), alice);
      const { sudoResult } = findEvent(api, events, 'sudo', 'Sudid').data;
      assert.ok(sudoResult.isOk, `sudo failed: ${sudoResult.toString()}`);
    }
    const view = (await api.call.modelRegistryApi.activeVersion(model)).unwrap();
    assert.equal(view.exactProgram.unwrap().programHash.toHex(), compiled.programHash);

    // Eve asks: each request is finalized by its own extrinsic, no operator involved.
    const asked = reference.cases.slice(0, 8);
    assert.ok(new Set(asked.map((c) => c.outputs[label].values[0])).size === 2, 'both classes are asked');
    for (const c of asked) {
      const { blockHash, events: own, dispatchError } = await sendAndWaitInBlock(
        api.tx.inferenceOracle.requestInference(model, c.input_fixed_point, 0), eve,
      );
      assert.ok(!dispatchError, dispatchError && describeDispatchError(api, dispatchError));
      const requested = findEvent(api, own, 'inferenceOracle', 'InferenceRequested').data;
      assert.equal(requested.committee.length, 0, 'no committee is drawn');
      const finalized = findEvent(api, own, 'inferenceOracle', 'ResultFinalized').data;
      assert.equal(finalized.request.toNumber(), requested.request.toNumber());
      assert.deepEqual(finalized.output.map((v) => v.toNumber()), chainLabel(c));

      const explanation = (await api.call.inferenceOracleApi.explain(requested.request)).unwrap();
      const result = explanation.result.unwrap();
      assert.equal(result.exactProgram.unwrap().toHex(), compiled.programHash);
      assert.equal(result.stage.toString(), 'Settled');
      const header = await api.rpc.chain.getHeader(blockHash);
      assert.equal(result.finalizedAt.toNumber(), header.number.toNumber(), 'finalized in the request\'s block');
    }

    // An input outside the program's declared range is refused.
    const tooLarge = [...reference.cases[0].input_fixed_point];
    tooLarge[0] = 10n ** 18n;
    const { dispatchError } = await sendAndWaitInBlock(
      api.tx.inferenceOracle.requestInference(model, tooLarge, 0), eve,
    );
    assert.equal(dispatchError && describeDispatchError(api, dispatchError), 'inferenceOracle.InputOutOfRange');
  });
});
