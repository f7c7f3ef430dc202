// A model upgrade voted in by token holders through OpenGov, on the real dev node (tracks
// at the `Dev` pace): the owner of the genesis iris model proposes version 2 (the
// committed `iris-preprocess` pipeline), the node's operators reproduce it, and then
// - the council cannot approve it (its motion executes with BadOrigin), and a referendum
//   on another track cannot either (enacted with BadOrigin);
// - a referendum on the `model_upgrades` track, voted by several accounts with
//   conviction (one of them delegating, one voting nay), approves it, a second activates
//   it, and a request is then answered by version 2 as onnxruntime answers;
// - the council rolls the model back to version 1 alone, as an emergency brake.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';

import {
  devAccounts, findEvent, passCouncilMotion, submit, waitForEvent, waitForValidation,
} from '../lib/chain.js';
import { committedModel } from '../lib/models.js';
import { startDevNode } from '../lib/node.js';
import {
  MODEL_UPGRADES, passReferendum, submitReferendum, voteReferendum, waitForEnactment,
} from '../examples/lib/referenda.js';

const AIO = 10n ** 12n;
const MODEL_UPGRADES_TRACK = 10;
const iris = committedModel('iris-preprocess');
const silent = () => {};

describe('a model upgrade voted in by token holders', () => {
  let node;
  let api;
  let accounts;
  let version;
  const status = async (v) => (await api.call.modelRegistryApi.version(0, v)).unwrap().status.toString();

  before(async () => {
    node = await startDevNode({ name: 'governance', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
  });

  after(async () => {
    await node?.stop();
  });

  it('is proposed by the model\'s owner and reproduced by the operators', async () => {
    const { alice } = accounts;
    const proposal = iris.proposal([0], { minAgreement: 2 });
    const events = await submit(api, api.tx.modelRegistry.proposeVersion(0, proposal, u8aToHex(iris.onnx)), alice);
    version = findEvent(api, events, 'modelRegistry', 'ModelVersionProposed').data.version.toNumber();
    const validation = await waitForValidation(api, 0, version);
    assert.equal(validation.validated.isTrue, true);
  });

  it('cannot be approved by the council, nor by a referendum on another track', async () => {
    const { alice, bob, charlie, dave, eve } = accounts;
    const approve = api.tx.modelRegistry.approveVersion(0, version);
    const council = { proposer: alice, voters: [alice, bob], closer: charlie, threshold: 2 };
    const motion = await passCouncilMotion(api, approve, council);
    assert.ok(motion.isErr && motion.asErr.isBadOrigin, `the council's approval: ${motion.toString()}`);

    const votes = [{ voter: eve, aye: true, balance: 900_000n * AIO, conviction: 'Locked1x' }];
    const wrongTrack = { Origins: 'WhitelistedCaller' };
    const { result } = await passReferendum(api, approve, { proposer: dave, votes, origin: wrongTrack, log: silent });
    assert.deepEqual(result, { ok: false, error: 'BadOrigin' });
    assert.equal(await status(version), 'Proposed');
  });

  it('is approved and activated by referenda voted with conviction and a delegation', async () => {
    const { charlie, dave, eve, ferdie } = accounts;
    // Ferdie lends his votes on the model track to Dave: 300,000 AIO at 3x.
    await submit(api, api.tx.convictionVoting.delegate(MODEL_UPGRADES_TRACK, dave.address, 'Locked3x', 300_000n * AIO), ferdie);

    for (const call of [api.tx.modelRegistry.approveVersion(0, version), api.tx.modelRegistry.activateVersion(0, version)]) {
      const { index, track } = await submitReferendum(api, call, dave, MODEL_UPGRADES, silent);
      assert.equal(track, MODEL_UPGRADES_TRACK);
      const enacted = waitForEnactment(api, index);
      await Promise.all([
        voteReferendum(api, index, dave, { aye: true, balance: 500_000n * AIO, conviction: 'Locked1x' }, silent),
        voteReferendum(api, index, eve, { aye: true, balance: 400_000n * AIO, conviction: 'Locked2x' }, silent),
        voteReferendum(api, index, charlie, { aye: false, balance: 50_000n * AIO, conviction: 'None' }, silent),
      ]);
      // Still deciding (it is confirmed 3 blocks after it starts passing). The tally is
      // conviction-weighted: Dave 500k x1 + Ferdie's 300k x3 through Dave + Eve 400k x2;
      // Charlie's nay counts a tenth. Support is the ayes' balance without conviction.
      const info = (await api.query.referenda.referendumInfoFor(index)).unwrap();
      assert.ok(info.isOngoing, info.toString());
      const { tally } = info.asOngoing;
      assert.equal(tally.ayes.toBigInt(), (500_000n + 900_000n + 800_000n) * AIO);
      assert.equal(tally.nays.toBigInt(), 5_000n * AIO);
      assert.equal(tally.support.toBigInt(), (500_000n + 300_000n + 400_000n) * AIO);
      assert.deepEqual(await enacted, { ok: true });
    }
    assert.equal(await status(version), 'Active');
    assert.equal(await status(1), 'Deprecated');
    // The voters' balance is locked by conviction voting: Eve's largest vote, the 900,000
    // AIO she put on the other track's referendum (locks of several votes overlap).
    const locks = await api.query.balances.locks(eve.address);
    assert.ok(locks.some((l) => l.id.toUtf8() === 'pyconvot' && l.amount.toBigInt() === 900_000n * AIO), locks.toString());
  });

  it('then answers requests with the new version', async () => {
    const { dave } = accounts;
    const probabilities = iris.reference.outputs.findIndex((o) => o.name === 'probabilities');
    const testCase = iris.reference.cases[4];
    const finalized = waitForEvent(api, (e) => api.events.inferenceOracle.ResultFinalized.is(e), 120_000, 'the result');
    const events = await submit(
      api,
      api.tx.inferenceOracle.requestInference(0, testCase.input_fixed_point, api.consts.inferenceOracle.requestFee),
      dave,
    );
    const requested = findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data;
    assert.equal(requested.version.toNumber(), version);
    const event = await finalized;
    assert.equal(event.data.request.toNumber(), requested.request.toNumber());
    const expected = testCase.outputs[probabilities].fixed_point;
    event.data.output.map((q) => q.toNumber()).forEach((q, i) => {
      assert.ok(Math.abs(q - expected[i]) <= 10, `class ${i}: ${q} vs onnxruntime's ${expected[i]}`);
    });
  });

  it('is rolled back by the council alone, in an emergency', async () => {
    const { alice, bob, charlie } = accounts;
    const council = { proposer: alice, voters: [alice, bob], closer: charlie, threshold: 2 };
    const result = await passCouncilMotion(api, api.tx.modelRegistry.rollback(0), council);
    assert.ok(result.isOk, result.toString());
    assert.equal((await api.call.modelRegistryApi.activeVersion(0)).unwrap().version.toNumber(), 1);
    assert.equal(await status(version), 'Deprecated');
  });
});
