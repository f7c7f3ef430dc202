// The model registry end to end, as a model owner and token holders would: propose a
// version with the real ONNX bytes of an iris pipeline (not the sample model, which the
// dev genesis already holds), wait for the node's operators (Alice, Bob and Charlie) to
// reproduce its golden vectors, pass the referenda (model_upgrades track) that approve and activate it
// with Alice's and Bob's votes, and read it back through the runtime API, its bytes from
// the node's offchain DB, and its provenance. Then a version whose golden vector no engine
// reproduces: every operator reports it, a passed referendum cannot approve it, root can.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

import {
  devAccounts, findEvent, passModelReferendum, tokenHolders, submit, verdictText, waitForValidation, waitForVerdicts,
} from '../lib/chain.js';
import { committedModel } from '../lib/models.js';
import { startDevNode } from '../lib/node.js';

const { onnx, reference, proposal: irisProposal } = committedModel('iris-preprocess');
const wine = committedModel('wine-mlp');

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

  it('proposes real ONNX bytes and activates them by referendum', async () => {
    const { alice, bob, charlie, dave } = accounts;
    assert.equal(blake2AsHex(onnx, 256), reference.hash, 'the committed model matches its JSON');

    // Dave registers the iris dataset, creates a model and proposes version 1.
    let events = await submit(
      api,
      api.tx.datasetProvenance.registerDataset({
        contentHash: blake2AsHex('iris.csv', 256), sizeBytes: 4_551, recordCount: 150,
        uri: 'https://archive.ics.uci.edu/dataset/53/iris', licence: 'CC-BY-4.0',
        licenceFlags: { commercialUse: true, derivatives: true, shareAlike: false }, parents: [],
      }),
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

    // The node's operators load the bytes and check the golden vectors while the version
    // is Proposed: governance may approve it once a quorum of them reproduced them,
    // max(MinValidators = 2, minAgreement = 1) = 2.
    const proposedView = (await api.call.modelRegistryApi.version(modelId, version)).unwrap();
    assert.equal(proposedView.status.toString(), 'Proposed');
    assert.equal(proposedView.minAgreement.toNumber(), 1);
    const validation = await waitForValidation(api, modelId, version);
    assert.equal(validation.quorum.toNumber(), 2);
    assert.equal(validation.validated.isTrue, true);
    const genesisOperators = [alice, bob, charlie].map((a) => a.address);
    const verdicts = validation.verdicts.map(([who, verdict]) => [who.toString(), verdictText(verdict)]);
    const reproduced = verdicts.filter(([, v]) => v === 'Reproduced').map(([who]) => who);
    assert.ok(reproduced.length >= 2, `only ${reproduced.length} reproductions: ${JSON.stringify(verdicts)}`);
    assert.deepEqual(verdicts.filter(([, v]) => v !== 'Reproduced'), [], 'no operator failed it');
    for (const [who] of verdicts) assert.ok(genesisOperators.includes(who), `a verdict from ${who}, not a genesis operator`);
    assert.equal(new Set(verdicts.map(([who]) => who)).size, verdicts.length, 'one verdict per operator');

    // Two referenda on the model_upgrades track, submitted by Dave, voted by Dave, Eve and Ferdie.
    const holders = await tokenHolders();
    let result = await passModelReferendum(api, api.tx.modelRegistry.approveVersion(modelId, version), holders);
    assert.ok(result.ok, `approval referendum failed: ${result.error}`);
    result = await passModelReferendum(api, api.tx.modelRegistry.activateVersion(modelId, version), holders);
    assert.ok(result.ok, `activation referendum failed: ${result.error}`);

    // The runtime API shows it Active, with its contract and golden vectors.
    const active = await api.call.modelRegistryApi.activeVersion(modelId);
    assert.ok(active.isSome, 'the model has an active version');
    const view = active.unwrap();
    assert.equal(view.version.toNumber(), version);
    assert.equal(view.status.toString(), 'Active');
    assert.equal(view.modelHash.toHex(), reference.hash);
    assert.deepEqual(view.inputs.map((i) => i.shape.map((d) => d.toNumber())), [[1, 4]]);
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
    // The verdicts stay with the version once it is active.
    assert.equal(provenance.validation.validated.isTrue, true);
    assert.ok(provenance.validation.verdicts.length >= reproduced.length);
  });

  it('refuses a referendum approving a version the operators could not reproduce; root may approve it', async () => {
    const { alice, bob, charlie, dave } = accounts;
    // wine-mlp's real bytes and golden vectors, but the first vector's second class
    // probability raised by 0.5 (500,000 units at output scale 6; the tolerance is 10).
    const proposal = wine.proposal([0]);
    const reference = wine.reference.cases[0].outputs.find((o) => o.name === 'probabilities').fixed_point;
    assert.deepEqual(proposal.goldenVectors[0].output, reference);
    proposal.goldenVectors[0] = {
      input: proposal.goldenVectors[0].input,
      output: reference.map((q, i) => (i === 1 ? q + 500_000 : q)),
    };
    let events = await submit(api, api.tx.modelRegistry.createModel('wine-cultivars', wine.reference.description), dave);
    const modelId = findEvent(api, events, 'modelRegistry', 'ModelCreated').data.model.toNumber();
    events = await submit(api, api.tx.modelRegistry.proposeVersion(modelId, proposal, u8aToHex(wine.onnx)), dave);
    const version = findEvent(api, events, 'modelRegistry', 'ModelVersionProposed').data.version.toNumber();

    // Every genesis operator loads it, runs the vectors and reports the mismatch.
    const genesisOperators = [alice, bob, charlie].map((a) => a.address).sort();
    const validation = await waitForVerdicts(
      api, modelId, version, (v) => v.verdicts.length >= genesisOperators.length, 60_000, 'judged by the 3 genesis operators',
    );
    const verdicts = validation.verdicts.map(([who, verdict]) => [who.toString(), verdictText(verdict)]);
    assert.deepEqual(verdicts.map(([who]) => who).sort(), genesisOperators);
    for (const [who, verdict] of verdicts) assert.equal(verdict, 'Failed(GoldenVectorMismatch)', `${who}'s verdict`);
    assert.equal(validation.quorum.toNumber(), 2);
    assert.equal(validation.validated.isTrue, false);

    // A referendum that passes still cannot approve it: the enacted call fails with
    // NotValidated, and the version stays Proposed.
    const holders = await tokenHolders();
    const result = await passModelReferendum(api, api.tx.modelRegistry.approveVersion(modelId, version), holders);
    assert.equal(result.ok, false, 'token holders approved a version nobody reproduced');
    assert.match(result.error, /^modelRegistry\.NotValidated:/);
    const status = async () => (await api.call.modelRegistryApi.version(modelId, version)).unwrap().status.toString();
    assert.equal(await status(), 'Proposed');

    // Root (Alice holds the dev sudo key) approves it regardless.
    events = await submit(api, api.tx.sudo.sudo(api.tx.modelRegistry.approveVersion(modelId, version)), alice);
    const { sudoResult } = findEvent(api, events, 'sudo', 'Sudid').data;
    assert.ok(sudoResult.isOk, `sudo approval failed: ${sudoResult.toString()}`);
    const approved = findEvent(api, events, 'modelRegistry', 'ModelVersionApproved').data;
    assert.equal(approved.model.toNumber(), modelId);
    assert.equal(approved.version.toNumber(), version);
    assert.equal(await status(), 'Approved');
  });
});
