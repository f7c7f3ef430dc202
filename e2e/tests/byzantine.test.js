// Operators who try to fool the chain, on a real dev node: its off-chain worker answers
// honestly for Alice, Bob and Charlie (their orcl keys are in the dev keystore), and the
// test acts as Dave, an operator who lies. The sample model asks for two agreeing
// operators, so each request is served by a committee of three with commit-reveal.
//
//   - Dave registers with a large bond, so that he sits on (nearly) every committee.
//   - On each request he commits to a wrong output and reveals it: the honest majority's
//     output is accepted, Dave is an outlier and loses a tenth of his bond each time; after
//     three faults in a row he is suspended (he leaves the operator set).
//   - Where he is not on a committee, the pool refuses his answer (NotInCommittee): a
//     registered operator cannot race a lie into a request it was not drawn for.
//   - Ferdie copies an honest member's commitment: it binds the honest member's account,
//     so no reveal of his opens it; the request is finalized without him, he earns
//     nothing and is slashed as a no-show.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { blake2AsHex } from '@polkadot/util-crypto';

import { devAccounts, findEvent, nextBlocks, submit, waitForEvent } from '../lib/chain.js';
import { startDevNode } from '../lib/node.js';
import { answerAs, commitAs, revealAs } from '../lib/operators.js';

describe('operators who cannot fool the chain', () => {
  let node;
  let api;
  let accounts;

  before(async () => {
    node = await startDevNode({ name: 'byzantine', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
  });

  after(async () => {
    await node?.stop();
  });

  it('outvotes, slashes and suspends a lying operator; an outsider cannot race in', async () => {
    const { dave, eve } = accounts;
    const rpcHttp = node.url.replace(/^ws/, 'http');
    const bond = api.consts.inferenceOracle.operatorBond.toBigInt() * 100n;
    await submit(api, api.tx.inferenceOracle.registerOperator(dave.publicKey, bond), dave);
    const issuanceBefore = (await api.query.balances.totalIssuance()).toBigInt();
    const input = [51000, 35000, 14000, 2000];
    const fee = api.consts.inferenceOracle.requestFee;
    const lie = { Output: [0, 0, 1_000_000] };
    const salt = (request) => blake2AsHex(`dave's salt for ${request}`, 256);
    const maxStrikes = api.consts.inferenceOracle.maxStrikes.toNumber();

    let faults = 0;
    let refusedOutside = 0;
    let expectedBond = bond;
    for (let round = 0; faults < maxStrikes; round += 1) {
      assert.ok(round < 10, `Dave sat on only ${faults} committees in ${round} requests`);
      const events = await submit(api, api.tx.inferenceOracle.requestInference(0, input, fee), eve);
      const made = findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data;
      const request = made.request.toNumber();
      const committee = made.committee.map(String);
      if (!committee.includes(dave.address)) {
        await assert.rejects(
          commitAs(api, rpcHttp, dave, dave.address, request, lie, salt(request)),
          /the pool refused the submission/,
          'an operator not drawn cannot answer',
        );
        refusedOutside += 1;
        continue;
      }
      // Dave commits to his lie, waits for every member's commitment, and reveals it.
      await commitAs(api, rpcHttp, dave, dave.address, request, lie, salt(request));
      for (let i = 0; (await api.query.inferenceOracle.commits(request)).length < 3; i += 1) {
        assert.ok(i < 30, 'the node did not commit for the honest members');
        await nextBlocks(api, 2);
      }
      await revealAs(api, rpcHttp, dave, request, lie, salt(request));
      const finalized = await waitForEvent(
        api,
        (event) => api.events.inferenceOracle.ResultFinalized.is(event) && event.data.request.toNumber() === request,
        60_000,
        `ResultFinalized for request ${request}`,
      );
      assert.deepEqual(finalized.data.outliers.map(String), [dave.address], 'Dave is the outlier');
      assert.equal(finalized.data.agreeing.length, 2, 'the two honest members agree');
      assert.notDeepEqual(finalized.data.output.map((x) => x.toNumber()), lie.Output, 'the lie was not accepted');
      faults += 1;
      expectedBond -= expectedBond / 10n; // OutlierSlash: 10%
    }

    // Slashed three times (burnt), and suspended.
    const record = (await api.call.inferenceOracleApi.operators()).find((o) => o.account.toString() === dave.address);
    assert.equal(record.outliers.toNumber(), maxStrikes);
    assert.equal(record.bond.toBigInt(), expectedBond);
    const issuanceAfter = (await api.query.balances.totalIssuance()).toBigInt();
    assert.ok(issuanceAfter <= issuanceBefore - (bond - expectedBond), 'the slashes were burnt');
    const set = await api.query.inferenceOracle.operatorSet();
    assert.ok(!set.some(([who]) => who.toString() === dave.address), 'Dave left the operator set');
    const operator = await api.query.inferenceOracle.operators(dave.address);
    assert.ok(operator.unwrap().leavingSince.isSome, 'Dave is leaving (suspended)');

    // Suspended, he sits on no new committee: the next request is answered without him.
    const events = await submit(api, api.tx.inferenceOracle.requestInference(0, input, fee), eve);
    const made = findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data;
    assert.ok(!made.committee.map(String).includes(dave.address));
    await assert.rejects(
      commitAs(api, rpcHttp, dave, dave.address, made.request.toNumber(), lie, salt(made.request.toNumber())),
      /the pool refused the submission/,
    );
    // A record of how many requests went by without Dave on the committee, for the log.
    console.log(`Dave: ${faults} lies outvoted and slashed, ${refusedOutside} answers refused outside his committees`);
  });

  it('a copied commitment cannot be revealed by the copier', async () => {
    const { eve, ferdie } = accounts;
    const rpcHttp = node.url.replace(/^ws/, 'http');
    // Ferdie joins with a large bond, then copies the first commitment he sees.
    const bond = api.consts.inferenceOracle.operatorBond.toBigInt() * 100n;
    await submit(api, api.tx.inferenceOracle.registerOperator(ferdie.publicKey, bond), ferdie);
    const fee = api.consts.inferenceOracle.requestFee;
    for (let round = 0; ; round += 1) {
      assert.ok(round < 10, 'Ferdie was never drawn');
      const events = await submit(api, api.tx.inferenceOracle.requestInference(0, [51000, 35000, 14000, 2000], fee), eve);
      const made = findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data;
      if (!made.committee.map(String).includes(ferdie.address)) continue;
      const request = made.request.toNumber();
      let commits;
      for (let i = 0; (commits = await api.query.inferenceOracle.commits(request)).length < 1; i += 1) {
        assert.ok(i < 30, 'no honest commitment came');
        await nextBlocks(api, 2);
      }
      const [, copied] = commits[0];
      await answerAs(api, rpcHttp, ferdie, request, { Commit: copied });
      for (let i = 0; (await api.query.inferenceOracle.commits(request)).length < 3; i += 1) {
        assert.ok(i < 30, 'the other honest member did not commit');
        await nextBlocks(api, 2);
      }
      // Reveals are open. No reveal of his opens the copied commitment, which binds the
      // honest member's account: here, a guess of the output with a salt of his own.
      const guess = { Output: [977_005, 22_994, 1] };
      await assert.rejects(
        revealAs(api, rpcHttp, ferdie, request, guess, blake2AsHex('any salt', 256)),
        /the pool refused the submission/,
      );
      // The request closes at its deadline without him: finalized by the honest two; he
      // is paid nothing, and loses a no-show's share of his bond.
      const closed = await waitForEvent(
        api,
        (event) => (api.events.inferenceOracle.ResultFinalized.is(event) || api.events.inferenceOracle.RequestExpired.is(event))
          && event.data.request.toNumber() === request,
        90_000,
        `request ${request} closed`,
      );
      assert.ok(api.events.inferenceOracle.ResultFinalized.is(closed), 'the honest members finalized it');
      assert.ok(!closed.data.agreeing.map(String).includes(ferdie.address), 'the copier was not paid');
      const record = (await api.call.inferenceOracleApi.operators()).find((o) => o.account.toString() === ferdie.address);
      assert.equal(record.misses.toNumber(), 1, 'a no-show');
      assert.equal(record.bond.toBigInt(), bond - bond / 100n, 'NoShowSlash: 1%');
      return;
    }
  });
});
