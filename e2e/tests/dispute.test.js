// A dispute replaces a wrong result, on a real dev node. Its off-chain worker answers
// honestly for Alice, Bob and Charlie (their orcl keys are in the dev keystore) and for
// Ferdie, whose orcl key the test inserts; the test acts as Dave and Eve, two operators
// who collude. The sample model asks for two agreeing operators: committees of three.
//
//   - A first request, before Dave and Eve register, is answered by honest members only:
//     its output is the truth for the input.
//   - Dave and Eve register with large bonds, so that both sit on (nearly) every
//     committee. Where only one of them is drawn, it answers the truth (no fault, so
//     neither is suspended before the target); where both are, that is the target: they
//     commit to the same lie and reveal it, and their majority finalizes it.
//   - A requester who is no operator disputes the lie: a round re-scores the input with a
//     fresh committee (no member of the original one) that needs three agreeing outputs,
//     the three honest operators left. It finds the truth, so the dispute is upheld: the
//     result is replaced, and Dave and Eve each lose a fifth of their bond to the disputer,
//     who also gets the dispute bond back.
//   - Dave cannot dispute a result he agreed on; a result is disputed once; a round is
//     not disputable.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

import { devAccounts, findEvent, nextBlocks, submit } from '../lib/chain.js';
import { startDevNode } from '../lib/node.js';
import { commitAs, revealAs } from '../lib/operators.js';

/** The best block's number. */
async function bestNumber(api) {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

/**
 * The first block from number `from` on (waiting for new ones) with an event that
 * `matches`: `{ event, events, hash, number }`. Reads each block's events by hash, so no
 * block is skipped and the balance before and after it can be compared.
 */
async function blockWithEvent(api, from, matches, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (let number = from; ;) {
    const best = await bestNumber(api);
    for (; number <= best; number += 1) {
      const hash = await api.rpc.chain.getBlockHash(number);
      const events = await (await api.at(hash)).query.system.events();
      const found = events.find(({ event }) => matches(event));
      if (found) return { event: found.event, events, hash, number };
    }
    assert.ok(Date.now() < deadline, `${what} did not come within ${timeoutMs} ms`);
    await nextBlocks(api, 2);
  }
}

describe('a dispute', () => {
  let node;
  let api;
  let accounts;

  before(async () => {
    node = await startDevNode({ name: 'dispute', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
  });

  after(async () => {
    await node?.stop();
  });

  it('replaces a wrong result and pays the liars\' slashes to the disputer', async () => {
    const { alice, dave, eve, ferdie } = accounts;
    const rpcHttp = node.url.replace(/^ws/, 'http');
    const oracle = api.events.inferenceOracle;
    const input = [51000, 35000, 14000, 2000];
    const fee = api.consts.inferenceOracle.requestFee;
    const operatorBond = api.consts.inferenceOracle.operatorBond.toBigInt();
    const disputeBond = api.consts.inferenceOracle.disputeBond.toBigInt();
    const disputeWindow = api.consts.inferenceOracle.disputeWindow.toNumber();
    const lie = { Output: [0, 0, 1_000_000] };
    const numbers = (output) => output.map((x) => x.toNumber());
    const salt = (who, request) => blake2AsHex(`${who}'s salt for ${request}`, 256);
    const outputOf = (event) => numbers(event.data.output);
    const finalizedFor = (request) => (event) =>
      oracle.ResultFinalized.is(event) && event.data.request.toNumber() === request;
    const resultView = async (request) => (await api.call.inferenceOracleApi.result(request)).unwrap();

    // Requests and the dispute come from an account that is no operator.
    const requester = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Requester');
    await submit(api, api.tx.balances.transferKeepAlive(requester.address, operatorBond), alice);

    // Ferdie: an honest operator run by the node, like Alice, Bob and Charlie.
    await api.rpc.author.insertKey('orcl', '//Ferdie', u8aToHex(ferdie.publicKey));
    await submit(api, api.tx.inferenceOracle.registerOperator(ferdie.publicKey, operatorBond), ferdie);

    // The truth, from a committee of honest operators only.
    let from = await bestNumber(api);
    let events = await submit(api, api.tx.inferenceOracle.requestInference(0, input, fee), requester);
    const first = findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data.request.toNumber();
    const truth = outputOf((await blockWithEvent(api, from, finalizedFor(first), 60_000, 'the first result')).event);
    assert.notDeepEqual(truth, lie.Output);

    // Dave and Eve join with a hundred times the least bond each.
    const bond = operatorBond * 100n;
    await submit(api, api.tx.inferenceOracle.registerOperator(dave.publicKey, bond), dave);
    await submit(api, api.tx.inferenceOracle.registerOperator(eve.publicKey, bond), eve);
    const liars = [dave, eve];
    const liarAddresses = liars.map((l) => l.address);

    // Requests until one's committee seats both; a lone liar answers the truth meanwhile.
    let request;
    let committee;
    for (let attempt = 0; ; attempt += 1) {
      assert.ok(attempt < 15, 'Dave and Eve were never drawn together');
      from = await bestNumber(api);
      events = await submit(api, api.tx.inferenceOracle.requestInference(0, input, fee), requester);
      const made = findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data;
      request = made.request.toNumber();
      committee = made.committee.map(String);
      const seated = liars.filter((l) => committee.includes(l.address));
      const answer = seated.length === 2 ? lie : { Output: truth };
      for (const liar of seated) {
        await commitAs(api, rpcHttp, liar, liar.address, request, answer, salt(liar.address, request));
      }
      for (let i = 0; (await api.query.inferenceOracle.commits(request)).length < 3; i += 1) {
        assert.ok(i < 30, 'the node did not commit for the honest members');
        await nextBlocks(api, 2);
      }
      for (const liar of seated) {
        await revealAs(api, rpcHttp, liar, request, answer, salt(liar.address, request));
      }
      const closed = await blockWithEvent(api, from, finalizedFor(request), 60_000, `ResultFinalized for request ${request}`);
      if (seated.length < 2) {
        assert.deepEqual(outputOf(closed.event), truth, 'an honest majority');
        continue;
      }
      // The liars' majority finalized the lie; the honest member is the outlier.
      assert.deepEqual(outputOf(closed.event), lie.Output, 'the lie was finalized');
      assert.deepEqual(closed.event.data.agreeing.map(String).sort(), [...liarAddresses].sort());
      break;
    }
    const [honest] = committee.filter((m) => !liarAddresses.includes(m));
    const explained = (await api.call.inferenceOracleApi.explain(request)).unwrap();
    const honestSubmission = explained.submissions.find((s) => s.operator.toString() === honest);
    assert.deepEqual(numbers(honestSubmission.outcome.asOutput), truth, 'the honest member revealed the truth');
    let view = await resultView(request);
    assert.equal(view.stage.type, 'Finalized');
    assert.equal(view.settlesAt.toNumber(), view.finalizedAt.toNumber() + disputeWindow);
    assert.ok(view.dispute.isNone);

    // Dave agreed on the result: he may not dispute it.
    await assert.rejects(submit(api, api.tx.inferenceOracle.dispute(request), dave), /SelfDispute/);

    // The requester disputes it: a round with a fresh committee of the three others.
    from = await bestNumber(api);
    events = await submit(api, api.tx.inferenceOracle.dispute(request), requester);
    const opened = findEvent(api, events, 'inferenceOracle', 'DisputeOpened').data;
    assert.equal(opened.request.toNumber(), request);
    assert.equal(opened.disputer.toString(), requester.address);
    assert.equal(opened.bond.toBigInt(), disputeBond);
    const round = opened.round.toNumber();
    const roundMade = events
      .map(({ event }) => event)
      .find((event) => oracle.InferenceRequested.is(event) && event.data.request.toNumber() === round);
    assert.ok(roundMade, 'the round was requested in the dispute\'s block');
    const roundCommittee = roundMade.data.committee.map(String);
    const expectedRound = [alice, accounts.bob, accounts.charlie, ferdie]
      .map((a) => a.address)
      .filter((a) => a !== honest);
    assert.deepEqual([...roundCommittee].sort(), [...expectedRound].sort(), 'the honest operators not on the original committee');
    assert.ok(roundCommittee.every((m) => !committee.includes(m)));
    assert.equal((await api.query.inferenceOracle.disputeRounds(round)).unwrap().toNumber(), request);
    const stored = (await api.query.inferenceOracle.disputes(request)).unwrap();
    assert.equal(stored.round.toNumber(), round);
    assert.equal(stored.status.type, 'Open');
    view = await resultView(request);
    assert.equal(view.stage.type, 'Disputed');
    assert.equal(view.dispute.unwrap().round.toNumber(), round);
    assert.equal(view.dispute.unwrap().status.type, 'Open');
    assert.deepEqual(numbers(view.output), lie.Output, 'the lie stands while disputed');

    // The round finds the truth; the dispute is upheld when it is settled.
    const bondsBefore = await Promise.all(liarAddresses.map(async (a) => (await api.query.inferenceOracle.operators(a)).unwrap().bond.toBigInt()));
    assert.deepEqual(bondsBefore, [bond, bond], 'neither liar was slashed before the dispute');
    const roundClosed = await blockWithEvent(api, from, finalizedFor(round), 60_000, `ResultFinalized for round ${round}`);
    assert.deepEqual(outputOf(roundClosed.event), truth, 'the round accepted the truth');
    assert.equal(roundClosed.event.data.agreeing.length, 3, 'all three agreed');
    const settled = await blockWithEvent(
      api,
      roundClosed.number,
      (event) => oracle.DisputeResolved.is(event) && event.data.request.toNumber() === request,
      60_000,
      `DisputeResolved for request ${request}`,
    );
    assert.equal(settled.event.data.round.toNumber(), round);
    assert.equal(settled.event.data.status.type, 'Upheld');
    const inSettlement = settled.events.map(({ event }) => event);
    const replaced = inSettlement.find((event) => oracle.ResultReplaced.is(event) && event.data.request.toNumber() === request);
    assert.ok(replaced, 'ResultReplaced');
    assert.deepEqual(outputOf(replaced), truth, 'the lie was replaced by the truth');
    const penalties = inSettlement.filter((event) => oracle.OperatorPenalized.is(event) && event.data.request.toNumber() === request);
    assert.deepEqual(penalties.map((e) => e.data.operator.toString()).sort(), [...liarAddresses].sort(), 'only the liars are penalized');
    const slash = bond / 5n; // DisputeSlash: 20%
    for (const penalty of penalties) {
      assert.equal(penalty.data.fault.type, 'Overturned');
      assert.equal(penalty.data.amount.toBigInt(), slash);
    }
    for (const address of liarAddresses) {
      const record = (await api.query.inferenceOracle.operators(address)).unwrap();
      assert.equal(record.bond.toBigInt(), bond - slash, 'a fifth of the bond taken');
    }

    // Over the settlement block the disputer gained both slashes and its bond back (and, if
    // the round closed in that block, the fee's undivided remainder).
    const settlementHeader = await api.rpc.chain.getHeader(settled.hash);
    const freeAt = async (hash) => (await (await api.at(hash)).query.system.account(requester.address)).data.free.toBigInt();
    const gained = (await freeAt(settled.hash)) - (await freeAt(settlementHeader.parentHash));
    const feeRest = settled.number === roundClosed.number ? fee.toBigInt() % 3n : 0n;
    assert.equal(gained, 2n * slash + disputeBond + feeRest, 'the disputer was paid the slashes and its bond back');

    // Settled: the replaced result is final, and shows the liars as its outliers.
    view = await resultView(request);
    assert.equal(view.stage.type, 'Settled');
    assert.equal(view.dispute.unwrap().status.type, 'Upheld');
    assert.deepEqual(numbers(view.output), truth);
    assert.deepEqual(view.agreeing.map(String), [honest]);
    assert.deepEqual(view.outliers.map(String).sort(), [...liarAddresses].sort());
    assert.equal((await api.query.inferenceOracle.disputes(request)).unwrap().status.type, 'Upheld');

    // A result is disputed once, and a round is not disputable.
    await assert.rejects(submit(api, api.tx.inferenceOracle.dispute(request), requester), /AlreadyDisputed/);
    await assert.rejects(submit(api, api.tx.inferenceOracle.dispute(round), requester), /NotDisputable/);
  });
});
