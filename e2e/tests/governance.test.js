// A model upgrade voted in by token holders through OpenGov, on the real dev node (tracks
// at the `Dev` pace): the owner of the genesis iris model proposes version 2 (the
// committed `iris-preprocess` pipeline), the node's operators reproduce it, and then
// - the council cannot approve it (its motion executes with BadOrigin), and a referendum
//   on another track cannot either (enacted with BadOrigin);
// - a referendum on the `model_upgrades` track, voted by several accounts with
//   conviction (one of them delegating, one voting nay), approves it;
// - a canary started by root with no room for disagreement falls back by itself at the
//   first sampled request, and the version may not be activated then; the council may
//   end a canary (emergency) but not start one;
// - a second referendum puts it in canary: every request is still answered by version 1,
//   and the operators score it with version 2 too; the chain counts the comparisons
//   (version view, `explain`, events);
// - a third activates it, which promotes the canary, and a request is then answered by
//   version 2 as onnxruntime answers;
// - the council rolls the model back to version 1 alone, as an emergency brake.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';

import {
  describeDispatchError, devAccounts, findEvent, nextBlocks, passCouncilMotion, submit, waitForEvent,
  waitForValidation,
} from '../lib/chain.js';
import { committedModel } from '../lib/models.js';
import { startDevNode } from '../lib/node.js';
import {
  MODEL_UPGRADES, passReferendum, submitReferendum, voteReferendum, waitForEnactment,
} from '../examples/lib/referenda.js';

const AIO = 10n ** 12n;
const MODEL_UPGRADES_TRACK = 10;
/** `Perbill` of 100%: every request to the model is sampled for its canary. */
const ALL_REQUESTS = 1_000_000_000;
const iris = committedModel('iris-preprocess');
const logreg = committedModel('iris-logreg'); // the genesis version 1 of model 0
const probabilities = (model) => model.reference.outputs.findIndex((o) => o.name === 'probabilities');
const silent = () => {};

/**
 * What a canary comparison of reference case `i` should find: version 1's tolerance is 10
 * output units (ten millionths of probability), and the two pipelines' reference
 * probabilities for the rows used here differ by 0.03 to 0.53 (iris-preprocess
 * L2-normalises the measurements first): far outside it, whatever the engine's rounding.
 */
function expectedVerdict(i, tolerance) {
  const active = logreg.reference.cases[i];
  const candidate = iris.reference.cases[i];
  assert.deepEqual(candidate.input_fixed_point, active.input_fixed_point, `reference case ${i}: another row`);
  const a = active.outputs[probabilities(logreg)].fixed_point;
  const c = candidate.outputs[probabilities(iris)].fixed_point;
  const gap = Math.max(...a.map((q, k) => Math.abs(q - c[k])));
  assert.ok(gap > tolerance + 100 || gap + 100 < tolerance, `case ${i}: a gap of ${gap} is too close to the tolerance`);
  return gap <= tolerance ? 'Agreed' : 'Disagreed';
}

/** A canary record's counts, as numbers. */
function counts(record) {
  const n = (x) => x.toNumber();
  return { compared: n(record.compared), agreed: n(record.agreed), disagreed: n(record.disagreed), failed: n(record.failed) };
}

/** An event's fields as JSON, by name (an event's own `toJSON` is a list). */
const fields = (data) => Object.fromEntries(data.names.map((name, k) => [name, data[k].toJSON()]));

/** How a canary record ended (`Promoted`, `FellBack`, `Stopped`), or null while it runs. */
const endOf = (record) => (record.ended.isSome ? record.ended.unwrap()[1].toString() : null);

/** Resolves with `check()`'s first truthy value, polled at each new block; throws after `timeoutMs`. */
async function until(api, check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await nextBlocks(api, 2, left).catch(() => {});
  }
}

describe('a model upgrade voted in by token holders', () => {
  let node;
  let api;
  let accounts;
  let version;
  let council;
  const view = async (v) => (await api.call.modelRegistryApi.version(0, v)).unwrap();
  const status = async (v) => (await view(v)).status.toString();
  const canary = async (v) => {
    const { canary: record } = await view(v);
    assert.ok(record.isSome, `version ${v} has no canary record`);
    return record.unwrap();
  };

  /** Dispatches `call` as root (Alice holds the dev chain's sudo key): `Ok` or the error. */
  const asRoot = async (call) => {
    const events = await submit(api, api.tx.sudo.sudo(call), accounts.alice);
    const { sudoResult } = findEvent(api, events, 'sudo', 'Sudid').data;
    return sudoResult.isOk ? 'Ok' : describeDispatchError(api, sudoResult.asErr);
  };

  /**
   * Dave requests an inference from model 0 with reference case `i`'s input; returns the
   * request id, its version and the transaction's events.
   */
  const request = async (i) => {
    const events = await submit(
      api,
      api.tx.inferenceOracle.requestInference(0, logreg.reference.cases[i].input_fixed_point, api.consts.inferenceOracle.requestFee),
      accounts.dave,
    );
    const requested = findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data;
    return { id: requested.request.toNumber(), version: requested.version.toNumber(), events };
  };

  /**
   * Passes `call` by a referendum on the `model_upgrades` track, as token holders vote:
   * Dave 500k x1 (with Ferdie's 300k x3 delegated to him), Eve 400k x2, Charlie a nay of
   * 50k without conviction. Checks the tally while it is deciding; returns the enacted
   * call's result.
   */
  const passWithConviction = async (call) => {
    const { charlie, dave, eve } = accounts;
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
    return enacted;
  };

  before(async () => {
    node = await startDevNode({ name: 'governance', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
    const { alice, bob, charlie } = accounts;
    council = { proposer: alice, voters: [alice, bob], closer: charlie, threshold: 2 };
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
    const { dave, eve } = accounts;
    const approve = api.tx.modelRegistry.approveVersion(0, version);
    const motion = await passCouncilMotion(api, approve, council);
    assert.ok(motion.isErr && motion.asErr.isBadOrigin, `the council's approval: ${motion.toString()}`);

    const votes = [{ voter: eve, aye: true, balance: 900_000n * AIO, conviction: 'Locked1x' }];
    const wrongTrack = { Origins: 'WhitelistedCaller' };
    const { result } = await passReferendum(api, approve, { proposer: dave, votes, origin: wrongTrack, log: silent });
    assert.deepEqual(result, { ok: false, error: 'BadOrigin' });
    assert.equal(await status(version), 'Proposed');
  });

  it('is approved by a referendum voted with conviction and a delegation', async () => {
    const { dave, ferdie } = accounts;
    // Ferdie lends his votes on the model track to Dave: 300,000 AIO at 3x.
    await submit(api, api.tx.convictionVoting.delegate(MODEL_UPGRADES_TRACK, dave.address, 'Locked3x', 300_000n * AIO), ferdie);
    assert.deepEqual(await passWithConviction(api.tx.modelRegistry.approveVersion(0, version)), { ok: true });
    assert.equal(await status(version), 'Approved');
    assert.equal((await view(version)).canary.isNone, true);
  });

  it('is served like version 1, so that a canary can compare them', async () => {
    // start_canary refuses a candidate whose inputs, input scale, input decoding, output
    // or output scale differ from the active version's (CanaryContractDiffers).
    const [active, candidate] = [await view(1), await view(version)];
    assert.deepEqual(candidate.inputs.toJSON(), active.inputs.toJSON());
    assert.deepEqual(candidate.output.toJSON(), active.output.toJSON());
    assert.equal(candidate.inputScale.toNumber(), active.inputScale.toNumber());
    assert.equal(candidate.outputScale.toNumber(), active.outputScale.toNumber());
    const decoding = async (v) => (await api.query.modelRegistry.inputDecodings(0, v)).toHex();
    assert.equal(await decoding(version), await decoding(1));
    // What may differ: the aggregation and quorum (the same here), the ONNX, the training.
    assert.notEqual(candidate.modelHash.toHex(), active.modelHash.toHex());
  });

  it('falls back by itself past the bounds of its canary, and may not be activated then', async () => {
    // Root starts a canary that tolerates no disagreement; the council may not start one.
    assert.equal(await asRoot(api.tx.modelRegistry.startCanary(0, version, ALL_REQUESTS, 0, 0)), 'Ok');
    assert.equal(await status(version), 'Canary');
    const refused = await passCouncilMotion(api, api.tx.modelRegistry.startCanary(0, version, ALL_REQUESTS, 0, 5), council);
    assert.ok(refused.isErr && refused.asErr.isBadOrigin, `the council's canary: ${refused.toString()}`);

    // The council may end one (its emergency powers): the version is Approved again.
    const ended = await passCouncilMotion(api, api.tx.modelRegistry.endCanary(0), council);
    assert.ok(ended.isOk, `the council's end of the canary: ${ended.toString()}`);
    assert.equal(await status(version), 'Approved');
    assert.equal(endOf(await canary(version)), 'Stopped');
    assert.equal(await asRoot(api.tx.modelRegistry.endCanary(0)), 'modelRegistry.NoCanary');

    // Again (the figures start afresh), and one request: the candidate disagrees with
    // version 1's answer, one disagreement more than the bound of 0, and the chain ends
    // the canary at once.
    assert.equal(await asRoot(api.tx.modelRegistry.startCanary(0, version, ALL_REQUESTS, 0, 0)), 'Ok');
    assert.deepEqual(counts(await canary(version)), { compared: 0, agreed: 0, disagreed: 0, failed: 0 });
    assert.equal(expectedVerdict(3, 10), 'Disagreed');
    const fellBack = waitForEvent(
      api,
      (e) => api.events.modelRegistry.CanaryEnded.is(e) && e.data.end.isFellBack,
      120_000,
      'the fallback',
    );
    const { id, events } = await request(3);
    findEvent(api, events, 'inferenceOracle', 'CanarySampled');
    const { data } = await fellBack;
    assert.equal(data.version.toNumber(), version);
    assert.deepEqual(
      { compared: data.compared.toNumber(), failed: data.failed.toNumber(), disagreed: data.disagreed.toNumber() },
      { compared: 1, failed: 0, disagreed: 1 },
    );
    assert.equal(await status(version), 'Approved');
    assert.equal(endOf(await canary(version)), 'FellBack');
    const explained = (await api.call.inferenceOracleApi.explain(id)).unwrap();
    assert.equal(explained.canary.unwrap().verdict.unwrap().toString(), 'Disagreed');
    assert.equal(endOf(explained.canaryRecord.unwrap()), 'FellBack');

    // Not even root may activate it now: it needs a canary that passes.
    assert.equal(await asRoot(api.tx.modelRegistry.activateVersion(0, version)), 'modelRegistry.CanaryFailuresAboveBound');
    assert.equal((await api.call.modelRegistryApi.activeVersion(0)).unwrap().version.toNumber(), 1);
  });

  it('is put in canary by a referendum, and compared with version 1 on sampled requests', async () => {
    // The voters expect disagreement (another pipeline): up to 10, and no failure.
    const started = waitForEvent(
      api,
      (e) => api.events.modelRegistry.CanaryStarted.is(e) && e.data.maxDisagreements.toNumber() === 10,
      180_000,
      'CanaryStarted',
    );
    const startCanary = api.tx.modelRegistry.startCanary(0, version, ALL_REQUESTS, 0, 10);
    assert.deepEqual(await passWithConviction(startCanary), { ok: true });
    const { data: start } = await started;
    assert.deepEqual(fields(start), { model: 0, version, sample: ALL_REQUESTS, maxFailures: 0, maxDisagreements: 10 });
    assert.equal(await status(version), 'Canary');
    const record = await canary(version);
    assert.equal(endOf(record), null);
    assert.deepEqual(counts(record), { compared: 0, agreed: 0, disagreed: 0, failed: 0 });
    assert.equal(record.sample.toNumber(), ALL_REQUESTS);

    // Three requests, every one sampled; the oracle's events from now on.
    const seen = [];
    const stop = await api.query.system.events((records) => {
      for (const { event } of records) {
        if (api.events.inferenceOracle.ResultFinalized.is(event) || api.events.inferenceOracle.CanaryCompared.is(event)) {
          seen.push(event);
        }
      }
    });
    const cases = [5, 6, 7];
    const requests = [];
    try {
      for (const i of cases) {
        const { id, version: scoredBy, events } = await request(i);
        assert.equal(scoredBy, 1, 'a request is made to the active version');
        const names = events.map(({ event }) => `${event.section}.${event.method}`);
        const sampled = findEvent(api, events, 'inferenceOracle', 'CanarySampled').data;
        assert.deepEqual(fields(sampled), { request: id, model: 0, version });
        assert.ok(names.indexOf('inferenceOracle.InferenceRequested') < names.indexOf('inferenceOracle.CanarySampled'), names.join(', '));
        requests.push({ id, i });
      }
      // Each is finalized, then judged.
      await until(api, async () => {
        const closed = await Promise.all(requests.map(async ({ id }) => {
          const e = (await api.call.inferenceOracleApi.explain(id)).unwrap();
          return !e.request.status.isPending && e.canary.unwrap().verdict.isSome;
        }));
        return closed.every(Boolean);
      }, 180_000, 'the sampled requests finalized and judged');
    } finally {
      stop();
    }

    const tolerance = (await view(1)).aggregation.asMedian.tolerance.toNumber();
    const figures = await canary(version);
    for (const { id, i } of requests) {
      const explained = (await api.call.inferenceOracleApi.explain(id)).unwrap();
      assert.equal(explained.request.status.toString(), 'Finalized');
      // The requester gets version 1's answer, as onnxruntime computes it.
      const output = explained.result.unwrap().output.map((q) => q.toNumber());
      const expected = logreg.reference.cases[i].outputs[probabilities(logreg)].fixed_point;
      output.forEach((q, k) => assert.ok(Math.abs(q - expected[k]) <= tolerance, `request ${id} class ${k}: ${q} vs ${expected[k]}`));
      // Version 2 scored it too; the comparison is kept with the request.
      const check = explained.canary.unwrap();
      assert.equal(check.version.toNumber(), version);
      assert.equal(check.modelHash.toHex(), iris.reference.hash);
      assert.equal(check.verdict.unwrap().toString(), expectedVerdict(i, tolerance), `request ${id}`);
      assert.deepEqual(explained.canaryRecord.unwrap().toJSON(), figures.toJSON());
      // Its events: ResultFinalized, then CanaryCompared with the same verdict.
      const finalized = seen.findIndex((e) => api.events.inferenceOracle.ResultFinalized.is(e) && e.data.request.toNumber() === id);
      const compared = seen.findIndex((e) => api.events.inferenceOracle.CanaryCompared.is(e) && e.data.request.toNumber() === id);
      assert.ok(finalized >= 0 && compared > finalized, `request ${id}: events ${seen.map((e) => e.method).join(', ')}`);
      assert.deepEqual(fields(seen[compared].data), { request: id, model: 0, version, verdict: check.verdict.unwrap().toString() });
    }

    // The figures: every sampled request compared, and all told apart.
    const c = counts(figures);
    assert.ok(c.compared >= 2, JSON.stringify(c));
    assert.equal(c.compared, requests.length, JSON.stringify(c));
    assert.equal(c.agreed + c.disagreed + c.failed, c.compared);
    assert.equal(c.failed, 0, JSON.stringify(c));
    assert.equal(c.agreed, requests.filter(({ i }) => expectedVerdict(i, tolerance) === 'Agreed').length);
    assert.equal(endOf(figures), null);
    assert.equal(await status(version), 'Canary');
    // Scoring times: sums of the operators' median wall-clock milliseconds (an iris model
    // scores in well under a millisecond, so these often read 0).
    assert.ok(figures.candidateMillis.toBigInt() >= 0n && figures.activeMillis.toBigInt() >= 0n);
  });

  it('is promoted by a referendum that activates it', async () => {
    const { eve } = accounts;
    const promoted = waitForEvent(
      api,
      (e) => api.events.modelRegistry.CanaryEnded.is(e) && e.data.end.isPromoted,
      180_000,
      'the promotion',
    );
    const before = counts(await canary(version));
    assert.deepEqual(await passWithConviction(api.tx.modelRegistry.activateVersion(0, version)), { ok: true });
    const { data } = await promoted;
    assert.deepEqual(
      { version: data.version.toNumber(), compared: data.compared.toNumber(), failed: data.failed.toNumber(), disagreed: data.disagreed.toNumber() },
      { version, compared: before.compared, failed: before.failed, disagreed: before.disagreed },
    );
    assert.equal(await status(version), 'Active');
    assert.equal(await status(1), 'Deprecated');
    assert.equal(endOf(await canary(version)), 'Promoted');
    // The voters' balance is locked by conviction voting: Eve's largest vote, the 900,000
    // AIO she put on the other track's referendum (locks of several votes overlap).
    const locks = await api.query.balances.locks(eve.address);
    assert.ok(locks.some((l) => l.id.toUtf8() === 'pyconvot' && l.amount.toBigInt() === 900_000n * AIO), locks.toString());
  });

  it('then answers requests with the new version', async () => {
    const { dave } = accounts;
    const testCase = iris.reference.cases[4];
    const finalized = waitForEvent(api, (e) => api.events.inferenceOracle.ResultFinalized.is(e), 120_000, 'the result');
    const events = await submit(
      api,
      api.tx.inferenceOracle.requestInference(0, testCase.input_fixed_point, api.consts.inferenceOracle.requestFee),
      dave,
    );
    const requested = findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data;
    assert.equal(requested.version.toNumber(), version);
    // No canary runs any more: nothing is sampled.
    assert.ok(!events.some(({ event }) => api.events.inferenceOracle.CanarySampled.is(event)));
    const event = await finalized;
    assert.equal(event.data.request.toNumber(), requested.request.toNumber());
    const expected = testCase.outputs[probabilities(iris)].fixed_point;
    event.data.output.map((q) => q.toNumber()).forEach((q, i) => {
      assert.ok(Math.abs(q - expected[i]) <= 10, `class ${i}: ${q} vs onnxruntime's ${expected[i]}`);
    });
  });

  it('is rolled back by the council alone, in an emergency', async () => {
    const result = await passCouncilMotion(api, api.tx.modelRegistry.rollback(0), council);
    assert.ok(result.isOk, result.toString());
    assert.equal((await api.call.modelRegistryApi.activeVersion(0)).unwrap().version.toNumber(), 1);
    assert.equal(await status(version), 'Deprecated');
  });
});
