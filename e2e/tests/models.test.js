// The model registry end to end, as a model owner and council members would: propose a
// version with the real ONNX bytes of an iris pipeline (not the sample model, which the
// dev genesis already holds), pass the council motions that approve and activate it with
// Alice's and Bob's votes, and read it back through the runtime API, its bytes from the
// node's offchain DB, and its provenance.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

import { devAccounts, findEvent, passCouncilMotion, submit } from '../lib/chain.js';
import { committedModel } from '../lib/models.js';
import { startDevNode } from '../lib/node.js';

const { onnx, reference, proposal: irisProposal } = committedModel('iris-preprocess');

describe('model registry', () => {
  let node;
  let api;
  let accounts;

  before(async () => {
    node = await startDevNode({ name: 'models', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
  });

  after(async () => {
    await node?.stop();
  });

  it('proposes real ONNX bytes and activates them by council motion', async () => {
    const { alice, bob, charlie, dave } = accounts;
    assert.equal(blake2AsHex(onnx, 256), reference.hash, 'the committed model matches its JSON');

    // Dave registers the iris dataset, creates a model and proposes version 1.
    let events = await submit(
      api,
      api.tx.datasetProvenance.registerDataset(
        blake2AsHex('iris.csv', 256), 4_551, 150, 'https://archive.ics.uci.edu/dataset/53/iris',
        'CC-BY-4.0', { commercialUse: true, derivatives: true, shareAlike: false }, null, [], null,
      ),
      dave,
    );
    const datasetId = findEvent(api, events, 'datasetProvenance', 'DatasetRegistered')
      .data.dataset.toNumber();
    events = await submit(
      api, api.tx.modelRegistry.createModel('iris-classifier', reference.description), dave,
    );
    const modelId = findEvent(api, events, 'modelRegistry', 'ModelCreated').data.model.toNumber();
    events = await submit(
      api, api.tx.modelRegistry.proposeVersion(modelId, irisProposal([datasetId]), u8aToHex(onnx)), dave,
    );
    const proposed = findEvent(api, events, 'modelRegistry', 'ModelVersionProposed').data;
    const version = proposed.version.toNumber();
    assert.equal(version, 1);
    assert.equal(proposed.modelHash.toHex(), reference.hash);
    assert.equal(proposed.sizeBytes.toNumber(), onnx.length);

    // The node indexed the bytes into its offchain DB under the documented key.
    const key = u8aToHex(new Uint8Array([
      ...new TextEncoder().encode('aioracle/model-bytes/'), ...Buffer.from(reference.hash.slice(2), 'hex'),
    ]));
    const stored = await api.rpc.offchain.localStorageGet('PERSISTENT', key);
    assert.ok(stored.isSome, 'the bytes are in the offchain DB');
    assert.equal(stored.unwrap().toHex(), u8aToHex(onnx));

    // Dave alone cannot activate his own version.
    await assert.rejects(
      submit(api, api.tx.modelRegistry.activateVersion(modelId, version), dave),
      /BadOrigin/i,
    );

    // Two council motions, each proposed by Alice, voted by Alice and Bob, closed by Charlie.
    const council = { proposer: alice, voters: [alice, bob], closer: charlie, threshold: 2 };
    let result = await passCouncilMotion(api, api.tx.modelRegistry.approveVersion(modelId, version), council);
    assert.ok(result.isOk, `approval motion failed: ${result.toString()}`);
    result = await passCouncilMotion(api, api.tx.modelRegistry.activateVersion(modelId, version), council);
    assert.ok(result.isOk, `activation motion failed: ${result.toString()}`);

    // The runtime API shows it Active, with its contract and golden vectors.
    const active = await api.call.modelRegistryApi.activeVersion(modelId);
    assert.ok(active.isSome, 'the model has an active version');
    const view = active.unwrap();
    assert.equal(view.version.toNumber(), version);
    assert.equal(view.status.toString(), 'Active');
    assert.equal(view.modelHash.toHex(), reference.hash);
    assert.deepEqual(view.input.shape.map((d) => d.toNumber()), [1, 4]);
    assert.equal(view.goldenVectors.length, 3);
    assert.deepEqual(
      view.goldenVectors[0].output.map((x) => x.toNumber()),
      reference.cases[0].outputs[1].fixed_point,
    );
    const model = (await api.call.modelRegistryApi.model(modelId)).unwrap();
    assert.equal(model.activeVersion.unwrap().toNumber(), version);

    // Its provenance reaches the training data and says it is untainted.
    const provenance = (await api.call.modelRegistryApi.provenance(modelId, version)).unwrap();
    assert.equal(provenance.trainingDatasets.length, 1);
    assert.equal(provenance.trainingDatasets[0].dataset.id.toNumber(), datasetId);
    assert.equal(provenance.trainingDatasets[0].dataset.licence.toUtf8(), 'CC-BY-4.0');
    assert.equal(provenance.tainted.isTrue, false);
  });
});
