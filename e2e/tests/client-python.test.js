// The dApp's core flow in Python (e2e/examples/python/request_and_explain.py, with
// async-substrate-interface from the virtualenv scripts/setup.sh makes) against a fresh
// dev node: read dataset 0 and model 0's active version, request an inference signed by
// Dave, wait for ResultFinalized, read `explain` at the finalized block right after (the
// trap: Pending), at the result block and once it is final, and decode the block with the
// operators' reveals (v5 general transactions, which the library cannot decode: the
// script's extrinsic_v5.py does). The script prints JSON; this test checks it against the
// reference outputs and against the chain, read through Polkadot.js.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { devAccounts } from '../lib/chain.js';
import { startDevNode } from '../lib/node.js';

const reference = JSON.parse(
  readFileSync(new URL('../../models/iris-logreg.json', import.meta.url), 'utf8'),
);
/** blake2-256 of scikit-learn's iris.csv: the genesis dataset 0 (runtime genesis presets). */
const IRIS_CSV_HASH = '0x06acbe603c9c2199df585e728885e17f7a4b23be601a4d0c65efa88baaae4cbf';
const venv = process.env.AIORACLE_CLIENT_VENV ?? join(homedir(), '.cache', 'aioracle', 'client-venv');
const python = join(venv, 'bin', 'python');
const script = fileURLToPath(new URL('../examples/python/request_and_explain.py', import.meta.url));

/** Runs the Python flow against `url`; resolves with its exit code, output and JSON result. */
function runPython(url, args = [], timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script, url, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`request_and_explain.py did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      let result;
      try { result = JSON.parse(stdout.trim().split('\n').at(-1)); } catch { result = undefined; }
      resolve({ code, stdout, stderr, result });
    });
  });
}

describe('Python client (async-substrate-interface)', () => {
  let node;
  let api; // Polkadot.js, to check what the script reports
  let accounts;
  let out; // the script's JSON
  let stdout;

  before(async () => {
    assert.ok(
      existsSync(python),
      `no Python client virtualenv at ${venv}: scripts/setup.sh makes it (setup_python_client)`,
    );
    node = await startDevNode({ name: 'client-python', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
    const run = await runPython(node.url);
    assert.equal(run.code, 0, `request_and_explain.py exited with ${run.code}\n${run.stdout}\n${run.stderr}`);
    assert.ok(run.result, `request_and_explain.py printed no JSON:\n${run.stdout}`);
    out = run.result;
    stdout = run.stdout;
  });

  after(async () => {
    await node?.stop();
  });

  it('reads the genesis dataset and the active model version (runtime APIs from metadata v15)', () => {
    assert.equal(out.dataset.id, 0);
    assert.equal(out.dataset.content_hash, IRIS_CSV_HASH);
    assert.equal(out.dataset.licence, 'CC-BY-4.0');
    assert.equal(out.dataset.owner, accounts.alice.address);
    assert.equal(out.version.version, 1);
    assert.equal(out.version.model_hash, reference.hash);
    assert.equal(out.version.status, 'Active');
    assert.equal(out.version.input_scale, reference.fixed_point.input_scale);
    assert.equal(out.version.output_scale, reference.fixed_point.output_scale);
    assert.deepEqual(out.version.aggregation, { Median: { tolerance: 10 } });
  });

  it('requests an inference signed by Dave and gets the reference answer', async () => {
    const { request } = out;
    assert.equal(request.requester, accounts.dave.address);
    assert.deepEqual(request.input, reference.cases[0].input_fixed_point);
    assert.equal(BigInt(request.fee), api.consts.inferenceOracle.requestFee.toBigInt());
    const operators = (await api.call.inferenceOracleApi.operators()).map((o) => o.account.toString());
    assert.deepEqual([...request.committee].sort(), [...operators].sort());

    const event = out.resultFinalized;
    assert.equal(event.request, request.id);
    assert.ok(event.block > request.block);
    const expected = reference.cases[0].outputs[1].fixed_point;
    assert.equal(event.output.length, expected.length);
    event.output.forEach((q, i) => assert.ok(Math.abs(q - expected[i]) <= 10, `element ${i}: ${q} vs ${expected[i]}`));
    assert.deepEqual([...event.agreeing].sort(), [...request.committee].sort());
    // The chain, read by Polkadot.js: the same result, final in the block the script named.
    const onChain = (await api.call.inferenceOracleApi.result(request.id)).unwrap();
    assert.deepEqual(onChain.output.map((q) => q.toNumber()), event.output);
    assert.equal(onChain.finalizedAt.toNumber(), event.block);
    assert.equal((await api.rpc.chain.getBlockHash(event.block)).toHex(), event.hash);
  });

  it('explain: Pending at finalized right after the event, Finalized at the result block and after finality', () => {
    const s = out.explainStatus;
    const resultBlock = out.resultFinalized.block;
    // The trap: the finalized block right after the event is the result block's parent.
    if (s.finalizedRightAfter.block < resultBlock) assert.equal(s.finalizedRightAfter.status, 'Pending');
    else assert.equal(s.finalizedRightAfter.status, 'Finalized');
    assert.equal(s.parentOfResultBlock, 'Pending');
    assert.equal(s.resultBlock, 'Finalized');
    assert.equal(s.best, 'Finalized', 'without a block hash the library reads at the best block');
    assert.equal(s.finalizedAfterWaiting, 'Finalized');
    assert.match(stdout, /explain at finalized #\d+: (Pending|Finalized); at #\d+: Pending; at #\d+: Finalized/);

    const e = out.explain;
    assert.equal(e.status, 'Finalized');
    assert.deepEqual(e.output, out.resultFinalized.output);
    assert.equal(e.finalizedAt, resultBlock);
    assert.equal(e.agreeing.length, 3);
    assert.equal(e.submissions.length, 3);
    for (const sub of e.submissions) {
      assert.equal(sub.at, resultBlock);
      assert.deepEqual(sub.outcome, { Output: out.resultFinalized.output });
    }
    assert.equal(e.modelHash, reference.hash);
    assert.deepEqual(e.trainingDatasets, [{ id: 0, contentHash: IRIS_CSV_HASH, licence: 'CC-BY-4.0' }]);
    assert.deepEqual(e.taintedDatasets, []);
  });

  it('decodes the block with the operators reveals (v5 general) where the library fails', async () => {
    // The library's own decoder stops at the first v5 general transaction (documented in
    // extrinsic_v5.py and docs/dapp-developers.md): if this changes, drop the workaround.
    assert.equal(out.getBlock.ok, false, 'async-substrate-interface decoded a v5 block: update the docs');
    assert.equal(out.getBlock.error, 'RemainingScaleBytesNotEmptyException');

    const hash = out.resultFinalized.hash;
    const at = await api.at(hash);
    const operators = await at.call.inferenceOracleApi.operators();
    const accountOfKey = new Map(operators.map((o) => [o.key.toHex(), o.account.toString()]));
    const events = await at.query.system.events();
    const block = await api.rpc.chain.getBlock(hash);
    assert.equal(out.resultBlockExtrinsics.length, block.block.extrinsics.length);

    const reveals = out.resultBlockExtrinsics.filter((x) => x.call === 'submit_results');
    assert.equal(reveals.length, 3, 'one batch per committee member');
    for (const x of reveals) {
      assert.equal(x.pallet, 'InferenceOracle');
      assert.equal(x.version, 5);
      assert.equal(x.type, 'general');
      assert.equal(x.extensionVersion, 0);
      // No signer: every extension at its default (immortal, nonce 0, no tip, no metadata hash).
      assert.equal(x.extensions.CheckMortality, '00');
      assert.equal(x.extensions.CheckNonce, 0);
      assert.equal(x.extensions.ChargeTransactionPayment, 0);
      assert.deepEqual(x.extensions.CheckMetadataHash, { mode: 'Disabled' });
      assert.deepEqual(x.extensions.AuthorizeCall, {});
      assert.deepEqual(x.extensions.CheckRequestCapacity, {});
      assert.equal(x.operator, accountOfKey.get(x.key), `batch key ${x.key} is an operator key`);
      assert.match(x.signature, /^0x[0-9a-f]{128}$/);
      assert.equal(x.items.length, 1);
      const [item] = x.items;
      assert.equal(item.request, out.request.id);
      assert.deepEqual(item.answer.Reveal.outcome, { Output: out.resultFinalized.output });
      assert.match(item.answer.Reveal.salt, /^0x[0-9a-f]{64}$/);
      // The chain's events, read by Polkadot.js: that extrinsic's BatchSubmitted names the operator.
      const submitted = events.find(({ phase, event }) => phase.isApplyExtrinsic
        && phase.asApplyExtrinsic.toNumber() === x.index
        && api.events.inferenceOracle.BatchSubmitted.is(event));
      assert.ok(submitted, `no BatchSubmitted for extrinsic ${x.index}`);
      assert.equal(submitted.event.data.operator.toString(), x.operator);
    }
    assert.deepEqual(reveals.map((x) => x.operator).sort(), [...out.request.committee].sort());
    // The rest are the inherents, v5 bare.
    const rest = out.resultBlockExtrinsics.filter((x) => x.call !== 'submit_results');
    assert.deepEqual(rest.map((x) => `${x.type} v${x.version} ${x.pallet}.${x.call}`), [
      'bare v5 ParachainSystem.set_validation_data', 'bare v5 Timestamp.set',
    ]);

    // The request's block: Dave's signed (v4) request, decoded by the same code.
    assert.equal(out.requestBlockSigned.length, 1);
    const [signed] = out.requestBlockSigned;
    assert.equal(signed.version, 4);
    assert.equal(signed.address, accounts.dave.address);
    assert.equal(`${signed.pallet}.${signed.call}`, 'InferenceOracle.request_inference');
    assert.deepEqual(signed.args, {
      model: 0, input: reference.cases[0].input_fixed_point, max_fee: Number(api.consts.inferenceOracle.requestFee.toBigInt()),
    });
    assert.equal(signed.extensions.CheckMortality, '00');
    assert.equal(signed.extensions.CheckNonce, 0);
    assert.deepEqual(signed.extensions.CheckMetadataHash, { mode: 'Disabled' });
  });
});
