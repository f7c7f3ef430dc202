// The operator's path of docs/operators.md, step by step on a real dev node: generate an
// `orcl` key with the node's CLI, insert it into the running node's keystore, register it
// with a bond, and see the node score and submit for it (logs, metrics, the chain's
// operator record).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { devAccounts, findEvent, submit, waitForEvent } from '../lib/chain.js';
import { scrapeMetrics } from '../lib/metrics.js';
import { nodeBinary, startDevNode } from '../lib/node.js';

describe('an operator joins, from docs/operators.md', () => {
  let node;
  let api;
  let accounts;
  let basePath;

  before(async () => {
    basePath = mkdtempSync(join(tmpdir(), 'aioracle-operator-'));
    node = await startDevNode({
      name: 'operators',
      args: ['--base-path', basePath, '--dev-block-time', '1000'],
    });
    api = await node.connect();
    accounts = await devAccounts();
  });

  after(async () => {
    await node?.stop();
    if (basePath) rmSync(basePath, { recursive: true, force: true });
  });

  it('registers a new orcl key with a bond, and the node answers its committee seats with it', async () => {
    const { dave, eve } = accounts;
    const cli = (...args) => execFileSync(nodeBinary(), args, { encoding: 'utf8' });

    // 1. A fresh key, made by the node's CLI and put in the running node's keystore.
    const key = JSON.parse(cli('key', 'generate', '--scheme', 'sr25519', '--output-type', 'json'));
    cli('key', 'insert', '--base-path', basePath, '--chain', 'dev', '--key-type', 'orcl',
      '--scheme', 'sr25519', '--suri', key.secretPhrase);

    // 2. Dave registers it with ten times the least bond (more bond, more committee
    //    seats); the bond is held from his balance.
    const bond = api.consts.inferenceOracle.operatorBond.toBigInt() * 10n;
    const heldBefore = (await api.query.system.account(dave.address)).data.reserved.toBigInt();
    const events = await submit(api, api.tx.inferenceOracle.registerOperator(key.publicKey, bond), dave);
    const registered = findEvent(api, events, 'inferenceOracle', 'OperatorRegistered');
    assert.equal(registered.data.operator.toString(), dave.address);
    assert.equal(registered.data.key.toHex(), key.publicKey);
    assert.equal(registered.data.bond.toBigInt(), bond);
    const heldAfter = (await api.query.system.account(dave.address)).data.reserved.toBigInt();
    assert.equal(heldAfter - heldBefore, bond, 'the bond is held');

    // 3. A request: its committee of three is drawn by bond from Alice, Bob, Charlie and
    //    Dave, all of whose keys this node holds; it commits, then reveals, for each.
    const requested = await submit(
      api,
      api.tx.inferenceOracle.requestInference(
        0, [51000, 35000, 14000, 2000], api.consts.inferenceOracle.requestFee,
      ),
      eve,
    );
    const made = findEvent(api, requested, 'inferenceOracle', 'InferenceRequested').data;
    const request = made.request.toNumber();
    const committee = made.committee.map((a) => a.toString());
    assert.equal(committee.length, 3);
    const finalized = await waitForEvent(
      api,
      (event) => api.events.inferenceOracle.ResultFinalized.is(event)
        && event.data.request.toNumber() === request,
      120_000,
      `ResultFinalized for request ${request}`,
    );
    const agreeing = finalized.data.agreeing.map((a) => a.toString());
    assert.deepEqual([...agreeing].sort(), [...committee].sort(), 'every member agreed');

    // 4. How the operator tells its node worked: the log, the metrics, the chain's record.
    const log = readFileSync(node.logPath, 'utf8');
    // One request scored once, a commitment per member key in one batch per key.
    assert.match(log, /off-chain worker at block \d+: 1 requests scored, 3 answers submitted in \d+ ms/);
    const metrics = await scrapeMetrics(node.prometheusPort);
    const modelHash = (await api.call.modelRegistryApi.activeVersion(0)).unwrap().modelHash.toHex();
    assert.equal(
      metrics.value('aioracle_oracle_submissions_total', { model_hash: modelHash, outcome: 'output' }),
      6,
      'a commitment and a reveal per member key',
    );
    const operators = await api.call.inferenceOracleApi.operators();
    const record = operators.find((o) => o.account.toString() === dave.address);
    assert.ok(record, 'Dave is an operator');
    assert.equal(record.key.toHex(), key.publicKey);
    assert.equal(record.bond.toBigInt(), bond);
    assert.equal(
      record.agreements.toNumber(), committee.includes(dave.address) ? 1 : 0,
      `Dave's record: ${record.toString()}`,
    );
  });
});
