// Recurring requests end to end, as a dApp would use them on a fresh dev node: Dave opens
// a subscription to the sample model (iris) every 3 blocks for a bounded span; the chain
// makes each request itself, Alice's node's operators answer every one with the real ONNX
// engine, and the subscription finishes by itself with its budget's rest and deposit
// released. A second subscription is closed by its owner, and a third runs out of budget
// and closes itself with an event.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { devAccounts, findEvent, sendAndWaitInBlock, submit } from '../lib/chain.js';
import { startDevNode } from '../lib/node.js';

const reference = JSON.parse(
  readFileSync(new URL('../../models/iris-logreg.json', import.meta.url), 'utf8'),
);

/** Records every `InferenceOracle` event of every new block, in order, from now on. */
async function recordOracleEvents(api) {
  const seen = [];
  const unsubscribe = await api.query.system.events((records) => {
    for (const { event } of records) {
      if (event.section === 'inferenceOracle') seen.push(event);
    }
  });
  return { seen, stop: unsubscribe };
}

/** Resolves once `condition()` is true, polling every half second; rejects after `timeoutMs`. */
async function until(condition, what, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const named = (seen, name) => seen.filter((e) => e.method === name);
const ofSubscription = (events, id) => events.filter((e) => e.data.subscription.toNumber() === id);

/** `who`'s balance held for `reason` (an `InferenceOracle` hold reason), as a BigInt. */
async function held(api, who, reason) {
  const holds = await api.query.balances.holds(who);
  const hold = holds.find((h) => h.id.isInferenceOracle && h.id.asInferenceOracle.toString() === reason);
  return hold ? hold.amount.toBigInt() : 0n;
}

describe('subscriptions', () => {
  let node;
  let api;
  let accounts;
  let recorder;

  before(async () => {
    node = await startDevNode({ name: 'subscription', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
    recorder = await recordOracleEvents(api);
  });

  after(async () => {
    recorder?.stop();
    await node?.stop();
  });

  it('makes a request every 3 blocks, each answered with the reference output, then finishes', async () => {
    const { dave } = accounts;
    const fee = api.consts.inferenceOracle.requestFee.toBigInt();
    const c = reference.cases[0];
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    // Requests in the block after opening and every 3 blocks after, up to 3 of them.
    const lastBlock = head + 12;
    const tx = api.tx.inferenceOracle.openSubscription({
      model: 0,
      input: { Inline: c.input_fixed_point },
      every: 3,
      until: lastBlock,
      maxFee: fee,
      budget: 100n * fee,
    });
    const events = await submit(api, tx, dave);
    const opened = findEvent(api, events, 'inferenceOracle', 'SubscriptionOpened');
    const id = opened.data.subscription.toNumber();
    const firstDue = opened.data.firstDue.toNumber();
    assert.equal(opened.data.owner.toString(), dave.address);
    assert.ok((await held(api, dave.address, 'SubscriptionBudget')) === 100n * fee, 'the budget is held');
    assert.ok((await held(api, dave.address, 'SubscriptionStorage')) > 0n, 'a deposit is held');

    await until(
      () => ofSubscription(named(recorder.seen, 'SubscriptionClosed'), id).length === 1,
      `subscription ${id} closing`,
    );
    const closed = ofSubscription(named(recorder.seen, 'SubscriptionClosed'), id)[0];
    assert.equal(closed.data.reason.toString(), 'Finished');
    const requested = ofSubscription(named(recorder.seen, 'SubscriptionRequested'), id);
    const expectedCount = Math.floor((lastBlock - firstDue) / 3) + 1;
    assert.equal(requested.length, expectedCount, `requests due in ${firstDue}..=${lastBlock} every 3`);
    const budgetLeft = requested.at(-1).data.budget.toBigInt();
    assert.equal(closed.data.refunded.toBigInt(), budgetLeft, 'the rest of the budget came back');
    assert.equal(await held(api, dave.address, 'SubscriptionBudget'), 0n);
    assert.equal(await held(api, dave.address, 'SubscriptionStorage'), 0n);

    // Each request was made by the chain for Dave, in its due block, and is answered.
    const requests = requested.map((e) => e.data.request.toNumber());
    const model = (await api.call.modelRegistryApi.activeVersion(0)).unwrap();
    const tolerance = model.aggregation.asMedian.tolerance.toNumber();
    const expected = c.outputs[1].fixed_point;
    for (const [i, request] of requests.entries()) {
      const view = (await api.call.inferenceOracleApi.request(request)).unwrap();
      assert.equal(view.requester.toString(), dave.address);
      assert.equal(view.createdAt.toNumber(), firstDue + 3 * i, `request ${request}'s block`);
      await until(
        () => named(recorder.seen, 'ResultFinalized').some((e) => e.data.request.toNumber() === request),
        `ResultFinalized for request ${request}`,
      );
      const finalized = named(recorder.seen, 'ResultFinalized')
        .find((e) => e.data.request.toNumber() === request);
      const output = finalized.data.output.map((x) => x.toNumber());
      output.forEach((value, k) => assert.ok(
        Math.abs(value - expected[k]) <= tolerance,
        `request ${request}, element ${k}: ${value} vs reference ${expected[k]}`,
      ));
    }
  });

  it('is closed by its owner with its budget and deposit released', async () => {
    const { eve } = accounts;
    const fee = api.consts.inferenceOracle.requestFee.toBigInt();
    const before = (await api.query.system.account(eve.address)).data.free.toBigInt();
    const events = await submit(api, api.tx.inferenceOracle.openSubscription({
      model: 0,
      input: { Inline: reference.cases[1].input_fixed_point },
      every: 1000,
      until: null,
      maxFee: fee,
      budget: 50n * fee,
    }), eve);
    const id = findEvent(api, events, 'inferenceOracle', 'SubscriptionOpened').data.subscription.toNumber();
    // Its first request is made in the next block; then nothing for 1000 blocks.
    await until(
      () => ofSubscription(named(recorder.seen, 'SubscriptionRequested'), id).length === 1,
      `subscription ${id}'s first request`,
    );
    const left = ofSubscription(named(recorder.seen, 'SubscriptionRequested'), id)[0].data.budget.toBigInt();

    // Someone else cannot close it.
    const { dispatchError } = await sendAndWaitInBlock(
      api.tx.inferenceOracle.closeSubscription(id), accounts.ferdie,
    );
    assert.ok(dispatchError, 'a stranger cannot close it');
    assert.equal(api.registry.findMetaError(dispatchError.asModule).name, 'NotSubscriptionOwner');

    const closing = await submit(api, api.tx.inferenceOracle.closeSubscription(id), eve);
    const closed = findEvent(api, closing, 'inferenceOracle', 'SubscriptionClosed');
    assert.equal(closed.data.reason.toString(), 'Closed');
    assert.equal(closed.data.refunded.toBigInt(), left);
    assert.equal(await held(api, eve.address, 'SubscriptionBudget'), 0n);
    assert.equal(await held(api, eve.address, 'SubscriptionStorage'), 0n);
    assert.equal((await api.query.inferenceOracle.subscriptions(id)).isNone, true);
    // What Eve has spent: the request's fee and its retention deposit (held until pruned),
    // and transaction fees; nothing of the budget or the record's deposit.
    const after = (await api.query.system.account(eve.address)).data.free.toBigInt();
    assert.ok(before - after < 50n * fee, `Eve spent ${before - after}, less than the budget`);
  });

  it('closes itself when its budget cannot pay for another request', async () => {
    const { ferdie } = accounts;
    const fee = api.consts.inferenceOracle.requestFee.toBigInt();
    // Five fees: enough for one request with its retention deposit, not for two.
    const budget = 5n * fee;
    const events = await submit(api, api.tx.inferenceOracle.openSubscription({
      model: 0,
      input: { Inline: reference.cases[2].input_fixed_point },
      every: 2,
      until: null,
      maxFee: fee,
      budget,
    }), ferdie);
    const id = findEvent(api, events, 'inferenceOracle', 'SubscriptionOpened').data.subscription.toNumber();
    await until(
      () => ofSubscription(named(recorder.seen, 'SubscriptionClosed'), id).length === 1,
      `subscription ${id} running out of budget`,
    );
    const closed = ofSubscription(named(recorder.seen, 'SubscriptionClosed'), id)[0];
    assert.equal(closed.data.reason.toString(), 'OutOfBudget');
    const requested = ofSubscription(named(recorder.seen, 'SubscriptionRequested'), id);
    assert.ok(requested.length >= 1, 'it made at least one request');
    assert.ok(closed.data.refunded.toBigInt() < budget);
    assert.equal(await held(api, ferdie.address, 'SubscriptionBudget'), 0n);
  });
});
