// The dApp and governance examples (e2e/examples/) run as a developer would run them, as
// child processes against a fresh dev node, in the order of the docs: fixed point,
// datasets, a request on the sample model and its explanation, a version proposed, voted
// in by token holders (a delegation, then two referenda), serving requests, and rolled
// back by the council; then the marketplace (royalties down a lineage, a priced version,
// pay-outs, a retraction's taint). Each example's last line is JSON; the test checks it,
// and checks the chain itself through its own connection.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { stringToU8a, u8aConcat } from '@polkadot/util';
import { blake2AsHex, encodeAddress } from '@polkadot/util-crypto';

import { fromFixedPoint, toFixedPoint } from '../examples/fixed-point.js';
import { devAccounts } from '../lib/chain.js';
import { startDevNode } from '../lib/node.js';

const path = (relative) => fileURLToPath(new URL(relative, import.meta.url));
const readJson = (relative) => JSON.parse(readFileSync(path(relative), 'utf8'));
const logreg = readJson('../../models/iris-logreg.json');
const preprocess = readJson('../../models/iris-preprocess.json');
const wineMlp = readJson('../../models/wine-mlp.json');

/** blake2-256 of scikit-learn's iris.csv: the genesis dataset 0 (runtime genesis presets). */
const IRIS_CSV_HASH = '0x06acbe603c9c2199df585e728885e17f7a4b23be601a4d0c65efa88baaae4cbf';

/** Starts `examples/<name>` with `args` against `url`; resolves when it exits. */
function startExample(name, url, args = []) {
  const child = spawn(process.execPath, [path(`../examples/${name}`), url, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => {
    child.on('exit', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      let result;
      try { result = JSON.parse(last); } catch { result = undefined; }
      resolve({ code, stdout, stderr, result });
    });
  });
  return { child, exited, output: () => stdout };
}

/** Runs an example to the end and asserts it succeeded; returns its output and result. */
async function runExample(name, url, args = []) {
  const run = await startExample(name, url, args).exited;
  assert.equal(run.code, 0, `${name} exited with ${run.code}\n${run.stdout}\n${run.stderr}`);
  assert.ok(run.result, `${name} printed no JSON result:\n${run.stdout}`);
  return run;
}

function assertWithin(actual, expected, tolerance, what) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((v, i) => assert.ok(
    Math.abs(v - expected[i]) <= tolerance,
    `${what}, element ${i}: ${v} vs reference ${expected[i]} (tolerance ${tolerance})`,
  ));
}

describe('examples', () => {
  let node;
  let api;
  let accounts;
  let events; // subscribe-events.js, running through the whole story
  let firstRequest;

  /** The Median tolerance of a version, in output units, as the chain has it. */
  const tolerance = async (model, version) => (await api.call.modelRegistryApi.version(model, version))
    .unwrap().aggregation.asMedian.tolerance.toNumber();

  before(async () => {
    node = await startDevNode({ name: 'examples', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
    // Listen from the start; it stops by itself at the rollback, the story's last event.
    events = startExample('subscribe-events.js', node.url, ['--until', 'modelRegistry.ModelRolledBack', '--timeout', '600']);
    const deadline = Date.now() + 60_000;
    while (!events.output().includes('following finalized blocks') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(events.output().includes('following finalized blocks'), 'subscribe-events.js did not start');
  });

  after(async () => {
    events?.child.kill();
    await node?.stop();
  });

  it('fixed-point.js converts like the engine and the reference outputs', async () => {
    // The module: every float output of every committed model's reference cases rounds to
    // its fixed_point (half to even, on the exact binary value), and iris inputs too.
    for (const file of readdirSync(path('../../models/')).filter((f) => f.endsWith('.json'))) {
      const ref = readJson(`../../models/${file}`);
      for (const c of ref.cases) {
        for (const o of c.outputs.filter((out) => out.element_type === 'float32')) {
          assert.deepEqual(
            o.values.map((y) => toFixedPoint(y, ref.fixed_point.output_scale)),
            o.fixed_point.map(BigInt),
            `${file} row ${c.row} ${o.name}`,
          );
        }
      }
    }
    for (const c of logreg.cases) {
      assert.deepEqual(c.input.map((x) => toFixedPoint(x, 4)), c.input_fixed_point.map(BigInt));
    }
    assert.deepEqual([0.5, 1.5, 2.5, -2.5, -3.5].map((x) => toFixedPoint(x, 0)), [0n, 2n, 2n, -2n, -4n]);
    assert.equal(toFixedPoint(0.125, 2), 12n); // an exact binary tie: to even
    assert.throws(() => toFixedPoint(1, 19), RangeError);
    assert.throws(() => toFixedPoint(1e19, 0), RangeError);

    // The demo, with the scales and golden vectors of the sample model from the chain.
    const { result } = await runExample('fixed-point.js', node.url, ['--model', '0', '--input', '5.1,3.5,1.4,0.2']);
    assert.equal(result.version, 1);
    assert.equal(result.inputScale, logreg.fixed_point.input_scale);
    assert.equal(result.outputScale, logreg.fixed_point.output_scale);
    assert.deepEqual(result.fixedPoint, logreg.cases[0].input_fixed_point);
    assert.equal(result.goldenVectors.length, 3);
    result.goldenVectors.forEach((g, i) => {
      const expected = logreg.cases[i].outputs[1].fixed_point;
      assert.deepEqual(g.output, expected);
      assert.deepEqual(g.outputFloats, expected.map((q) => fromFixedPoint(q, 6)));
    });
  });

  it('register-dataset.js registers two datasets with their lineage', async () => {
    const { stdout, result } = await runExample('register-dataset.js', node.url);
    const sampleBytes = readFileSync(path('../examples/data/iris-sample.csv'));
    const setosaBytes = readFileSync(path('../examples/data/iris-setosa.csv'));
    assert.equal(result.sample.contentHash, blake2AsHex(sampleBytes, 256));
    assert.equal(result.setosa.contentHash, blake2AsHex(setosaBytes, 256));
    assert.deepEqual(result.setosa.parents, [result.sample.id]);
    assert.deepEqual(result.ancestors, [{ id: result.sample.id, depth: 1 }, { id: 0, depth: 2 }]);
    assert.equal(result.tainted, false);
    assert.match(stdout, /depth 2: dataset 0 https:\/\/archive\.ics\.uci\.edu/);

    // The chain, read by the test: owner, size, record count, licence, lineage.
    const setosa = (await api.call.datasetProvenanceApi.datasetByHash(result.setosa.contentHash)).unwrap();
    assert.equal(setosa.id.toNumber(), result.setosa.id);
    assert.equal(setosa.owner.toString(), accounts.dave.address);
    assert.equal(setosa.sizeBytes.toNumber(), setosaBytes.length);
    assert.equal(setosa.recordCount.unwrap().toNumber(), 5);
    assert.equal(setosa.licence.toUtf8(), 'CC-BY-4.0');
    assert.equal(setosa.derivation.unwrap().asDescription.toUtf8(), 'the setosa rows');

    // Again: the hashes are registered already, nothing new is registered.
    const again = await runExample('register-dataset.js', node.url);
    assert.match(again.stdout, /already registered as dataset/);
    assert.deepEqual(again.result, result);
    assert.equal((await api.query.datasetProvenance.nextDatasetId()).toNumber(), result.setosa.id + 1);
  });

  it('request-inference.js gets the sample model\'s answer', async () => {
    const { result } = await runExample('request-inference.js', node.url, ['--model', '0']);
    assert.equal(result.status, 'Finalized');
    assert.equal(result.version, 1);
    assert.deepEqual(result.input, logreg.cases[0].input_fixed_point);
    assertWithin(result.output, logreg.cases[0].outputs[1].fixed_point, await tolerance(0, 1), 'version 1 output');
    const committee = [accounts.alice, accounts.bob, accounts.charlie].map((a) => a.address).sort();
    assert.deepEqual([...result.agreeing].sort(), committee);
    // The chain's own record of the result.
    const onChain = (await api.call.inferenceOracleApi.result(result.request)).unwrap();
    assert.deepEqual(onChain.output.map((q) => q.toNumber()), result.output);
    firstRequest = result;
  });

  it('explain.js traces the result to the model version and iris.csv', async () => {
    const { stdout, result } = await runExample('explain.js', node.url, ['--request', String(firstRequest.request)]);
    assert.equal(result.status, 'Finalized');
    assert.equal(result.modelName, 'iris-classifier');
    assert.equal(result.version, 1);
    assert.equal(result.modelHash, logreg.hash);
    assert.deepEqual(result.output, firstRequest.output);
    assert.deepEqual([...result.agreeing].sort(), [...firstRequest.agreeing].sort());
    assert.equal(result.submissions, 3);
    assert.equal(result.trainingDatasets.length, 1);
    const [iris] = result.trainingDatasets;
    assert.equal(iris.id, 0);
    assert.equal(iris.contentHash, IRIS_CSV_HASH);
    assert.equal(iris.licence, 'CC-BY-4.0');
    assert.equal(iris.tainted, false);
    assert.deepEqual(result.taintedDatasets, []);
    assert.equal(result.taintedSince, null);
    // The sample model is free: the fee alone, shared by the three agreeing operators.
    const share = api.consts.inferenceOracle.requestFee.toBigInt() / 3n;
    assert.deepEqual(
      result.payments.map((p) => [p.to, BigInt(p.amount)]).sort(),
      firstRequest.agreeing.map((a) => [a, share]).sort(),
    );
    assert.match(stdout, /agreed: +5Grw\w+ \(Alice\)/);
    assert.match(stdout, /fee: 0\.003333333333 AIO to each of the 3 agreeing operator/);
  });

  it('propose-model-version.js reports what the chain refused, after creating the model', async () => {
    // A new model (the create path) whose training dataset does not exist.
    const run = await startExample('propose-model-version.js', node.url, [
      '--onnx', path('../../models/wine-mlp.onnx'), '--dataset', '99',
    ]).exited;
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /created model 1 "wine-mlp" owned by Dave/);
    assert.match(run.stderr, /modelRegistry\.TrainingDatasetNotFound: A training dataset is not registered/);
    assert.match(run.stderr, /add --model 1/);
    const model = (await api.call.modelRegistryApi.model(1)).unwrap();
    assert.equal(model.owner.toString(), accounts.dave.address);
    assert.equal(model.name.toUtf8(), 'wine-mlp');
    assert.equal((await api.call.modelRegistryApi.versions(1)).length, 0);
  });

  it('propose-model-version.js proposes iris-preprocess as version 2 of the sample model', async () => {
    const { result } = await runExample('propose-model-version.js', node.url, ['--model', '0', '--signer', 'Alice']);
    assert.deepEqual(result, {
      model: 0,
      version: 2,
      status: 'Proposed',
      modelHash: preprocess.hash,
      sizeBytes: preprocess.size_bytes,
      created: false,
      indexed: true,
    });
    const v = (await api.call.modelRegistryApi.version(0, 2)).unwrap();
    assert.equal(v.status.toString(), 'Proposed');
    assert.equal(v.modelHash.toHex(), preprocess.hash);
    assert.deepEqual(v.goldenVectors[0].output.map((q) => q.toNumber()), preprocess.cases[0].outputs[1].fixed_point);
    assert.equal((await api.call.modelRegistryApi.activeVersion(0)).unwrap().version.toNumber(), 1);
  });

  it('vote-referendum.js delegates Ferdie\'s votes on the model track to Dave', async () => {
    const { result } = await runExample('vote-referendum.js', node.url, [
      '--delegate-to', 'Dave', '--track', '10', '--aio', '300000', '--conviction', 'Locked3x', '--signer', 'Ferdie',
    ]);
    assert.equal(result.track, 10);
    assert.equal(result.conviction, 'Locked3x');
    const voting = await api.query.convictionVoting.votingFor(result.delegator, 10);
    assert.ok(voting.isDelegating, voting.toString());
    assert.equal(voting.asDelegating.target.toString(), result.delegate);
  });

  it('referendum-activate-version.js approves and activates it by two referenda voted with conviction', async () => {
    const { stdout, result } = await runExample('referendum-activate-version.js', node.url, [
      '--model', '0', '--version', '2', '--votes', 'Dave:500000:Locked1x,Eve:400000:Locked2x',
    ]);
    assert.deepEqual(result, {
      model: 0, version: 2, status: 'Active', previous: 1, activeVersion: 2, previousVersions: [1],
    });
    // It waited for the node's operators to reproduce the version before the approval.
    const verdictsLine = stdout.match(/^operators' verdicts: (\d+) reproduced of quorum 2$/m);
    assert.ok(verdictsLine, stdout);
    const verdicts = stdout.match(/^ {2}5\w+ \((Alice|Bob|Charlie)\): Reproduced$/gm) ?? [];
    assert.ok(verdicts.length >= 2, stdout);
    assert.equal(Number(verdictsLine[1]), verdicts.length);
    assert.ok(stdout.indexOf(verdictsLine[0]) < stdout.indexOf('referendum #0 submitted'));
    assert.match(stdout, /Dave notes the preimage 0x[0-9a-f]{64} \(\d+ bytes\): modelRegistry\.approveVersion\(0, 2\)/);
    assert.match(stdout, /referendum #0 submitted on track 10 with origin \{"Origins":"ModelUpgrades"\}/);
    assert.match(stdout, /Eve votes aye with 400000 AIO at Locked2x/);
    assert.match(stdout, /referendum #0 enacted: Ok/);
    assert.match(stdout, /Dave notes the preimage 0x[0-9a-f]{64} \(\d+ bytes\): modelRegistry\.activateVersion\(0, 2\)/);
    assert.match(stdout, /referendum #1 enacted: Ok/);
    const active = (await api.call.modelRegistryApi.activeVersion(0)).unwrap();
    assert.equal(active.version.toNumber(), 2);
    assert.equal(active.status.toString(), 'Active');
    assert.ok(active.statusBlocks.approved.isSome);
    assert.equal((await api.call.modelRegistryApi.version(0, 1)).unwrap().status.toString(), 'Deprecated');
    assert.equal((await api.query.referenda.referendumCount()).toNumber(), 2);
    // Both approved, with support from Dave's and Eve's balances and Ferdie's, which
    // he delegated to Dave.
    for (const index of [0, 1]) {
      assert.ok((await api.query.referenda.referendumInfoFor(index)).unwrap().isApproved);
    }
  });

  it('request-inference.js is now answered by version 2', async () => {
    const c = preprocess.cases[4]; // not the first row: another flower
    const { result } = await runExample('request-inference.js', node.url, ['--input', c.input.join(',')]);
    assert.equal(result.version, 2);
    assert.deepEqual(result.input, c.input_fixed_point);
    assertWithin(result.output, c.outputs[1].fixed_point, await tolerance(0, 2), 'version 2 output');
    const explained = await runExample('explain.js', node.url); // the latest request
    assert.equal(explained.result.request, result.request);
    assert.equal(explained.result.version, 2);
    assert.equal(explained.result.modelHash, preprocess.hash);
    assert.equal(explained.result.versionStatus, 'Active');
  });

  it('council-rollback.js returns the model to version 1', async () => {
    const { result } = await runExample('council-rollback.js', node.url, ['--model', '0']);
    assert.deepEqual(result, {
      model: 0, from: 2, fromStatus: 'Deprecated', to: 1, toStatus: 'Active', activeVersion: 1, previousVersions: [],
    });
    assert.equal((await api.call.modelRegistryApi.activeVersion(0)).unwrap().version.toNumber(), 1);
    // Nothing left to roll back to: the script says so and exits non-zero.
    const again = await startExample('council-rollback.js', node.url, ['--model', '0']).exited;
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no earlier active version/);
  });

  it('subscribe-events.js printed the story as blocks were finalized', async () => {
    const { code, stdout, result } = await events.exited;
    assert.equal(code, 0, stdout);
    const lines = stdout.split('\n');
    const count = (pattern) => lines.filter((l) => pattern.test(l)).length;
    assert.equal(count(/datasetProvenance\.DatasetRegistered /), 2);
    assert.equal(count(/modelRegistry\.ModelCreated model=1 /), 1);
    assert.equal(count(/modelRegistry\.ModelVersionProposed model=0 version=2 /), 1);
    assert.equal(count(/modelRegistry\.ModelVersionApproved model=0 version=2/), 1);
    assert.equal(count(/modelRegistry\.ModelVersionActivated model=0 version=2 previous=1/), 1);
    assert.equal(count(/referenda\.Confirmed index=[01] /), 2);
    assert.equal(count(/council\.Executed .*result=\{"ok":null\}/), 1);
    assert.equal(count(/inferenceOracle\.InferenceRequested /), 2);
    assert.equal(count(/inferenceOracle\.ResultFinalized request=0 output=\[/), 1);
    assert.equal(count(/inferenceOracle\.ResultFinalized request=1 output=\[/), 1);
    assert.match(stdout, /modelRegistry\.ModelRolledBack model=0 from=2 to=1\n/);
    assert.match(stdout, /stopped: modelRegistry\.ModelRolledBack seen/);
    assert.ok(result.events >= 20, `only ${result.events} events`);
  });

  it('marketplace.js pays each payee its share down the lineage, then shows the taint of a retraction', async () => {
    // Ferdie delegated his votes on the model track to Dave above: he cannot vote himself.
    const { result } = await runExample('marketplace.js', node.url, ['--votes', 'Dave:500000:Locked1x,Eve:400000:Locked2x']);
    const { eve, ferdie, dave } = accounts;
    const { model, version, request, datasets: { wine, named, train } } = result;
    const unit = 10n ** 12n;
    const price = unit / 2n; // the default --price 0.5

    // What the chain refused on the way: a child wider than its parent, a maxFee covering
    // the fee but not the price, a second pay-out of what was paid.
    assert.equal(result.refusedPermission, 'datasetProvenance.PermissionWiderThanParent');
    assert.equal(result.refusedMaxFee, 'inferenceOracle.FeeAboveMax');
    assert.equal(result.refusedSecondPayOut, 'modelRegistry.NothingToPayOut');

    // The lineage, its owners, royalties and permissions, read by the test.
    const dataset = async (id) => (await api.call.datasetProvenanceApi.dataset(id)).unwrap();
    const wineView = await dataset(wine);
    assert.equal(wineView.owner.toString(), eve.address);
    assert.equal(wineView.contentHash.toHex(), blake2AsHex(readFileSync(path('../examples/data/wine.csv')), 256));
    assert.equal(wineView.royalty.toNumber(), 50_000);
    assert.equal(wineView.permissions.aiTraining.type, 'Allowed');
    assert.equal(wineView.permissions.aiInference.type, 'Constrained');
    assert.equal(wineView.permissions.dataMining.type, 'NotAllowed');
    assert.equal((await dataset(named)).owner.toString(), ferdie.address);
    assert.equal((await dataset(named)).royalty.toNumber(), 100_000);
    const trainView = await dataset(train);
    assert.equal(trainView.owner.toString(), dave.address);
    assert.equal(trainView.royalty.toNumber(), 0);
    assert.equal(trainView.contentHash.toHex(), blake2AsHex(readFileSync(path('../examples/data/wine-train.csv')), 256));
    const lineage = (await api.call.datasetProvenanceApi.ancestors(train, 8)).unwrap();
    assert.deepEqual(lineage.datasets.map((a) => [a.id.toNumber(), a.depth.toNumber()]), [[named, 1], [wine, 2]]);

    // The version: royalties fixed at proposal, usage, price and earnings.
    const v = (await api.call.modelRegistryApi.version(model, version)).unwrap();
    assert.equal(v.modelHash.toHex(), wineMlp.hash);
    assert.equal((await api.call.modelRegistryApi.model(model)).unwrap().owner.toString(), dave.address);
    assert.deepEqual(v.trainingDatasets.map((d) => d.toNumber()), [train]);
    assert.deepEqual(
      v.market.royalties.map((r) => [r.dataset.toNumber(), r.depth.toNumber(), r.share.toNumber()]),
      [[named, 2, 100_000], [wine, 3, 50_000]],
    );
    assert.equal(v.market.price.toBigInt(), price);
    assert.equal(v.market.earnings.toBigInt(), price);
    assert.equal(v.usage.aiInference.type, 'Constrained');
    assert.equal(v.usage.dataMining.type, 'NotAllowed');

    // The quote: the fee constant plus the price, split 85% / 10% / 5%.
    const fee = api.consts.inferenceOracle.requestFee.toBigInt();
    const shares = { ModelOwner: (price * 85n) / 100n, [`Dataset:${named}`]: price / 10n, [`Dataset:${wine}`]: price / 20n };
    assert.equal(BigInt(result.quote.fee), fee);
    assert.equal(BigInt(result.quote.price), price);
    assert.equal(BigInt(result.quote.total), fee + price);
    assert.deepEqual(result.quote.split.map((s) => [s.payee, BigInt(s.amount)]), Object.entries(shares));

    // The request: held fee and price, the wine of row 151 (cultivar 2) answered.
    const requestView = (await api.call.inferenceOracleApi.request(request)).unwrap();
    assert.equal(requestView.requester.toString(), result.dapp);
    assert.equal(requestView.fee.toBigInt(), fee);
    assert.equal(requestView.price.toBigInt(), price);
    assert.equal(requestView.status.toString(), 'Finalized');
    const row151 = wineMlp.cases.find((c) => c.row === 151);
    assert.deepEqual(result.input, row151.input_fixed_point);
    assertWithin(result.output, row151.outputs[1].fixed_point, 10, 'wine-mlp output');
    // explain's payments: each agreeing operator's fee share, then the price split.
    const explained = (await api.call.inferenceOracleApi.explain(request)).unwrap();
    const agreeing = explained.result.unwrap().agreeing.map(String).sort();
    assert.deepEqual(agreeing, [accounts.alice, accounts.bob, accounts.charlie].map((a) => a.address).sort());
    assert.deepEqual(
      explained.payments.map((p) => [p.to.isOperator ? p.to.asOperator.toString() : p.to.asPayee.toString(), p.amount.toBigInt()]),
      [
        ...explained.result.unwrap().agreeing.map((a) => [a.toString(), fee / 3n]),
        ['ModelOwner', shares.ModelOwner], [JSON.stringify({ dataset: named }), shares[`Dataset:${named}`]],
        [JSON.stringify({ dataset: wine }), shares[`Dataset:${wine}`]],
      ],
    );

    // Pay-outs: each owner's free balance, read by the test just before and in the block of
    // its pay-out, rose by exactly its share; the event and PaidOut say the same.
    const owners = { ModelOwner: dave.address, [`Dataset:${named}`]: ferdie.address, [`Dataset:${wine}`]: eve.address };
    assert.deepEqual(result.payouts.map((p) => p.payee), Object.keys(shares));
    for (const p of result.payouts) {
      const { parentHash } = await api.rpc.chain.getHeader(p.blockHash);
      const free = async (hash) => (await (await api.at(hash)).query.system.account(owners[p.payee])).data.free.toBigInt();
      assert.equal(await free(p.blockHash) - await free(parentHash), shares[p.payee], `${p.payee}'s owner's free balance`);
      const records = await (await api.at(p.blockHash)).query.system.events();
      const paid = records.map(({ event }) => event).find((e) => api.events.modelRegistry.EarningsPaidOut.is(e));
      assert.ok(paid, `no EarningsPaidOut in block ${p.block}`);
      assert.equal(paid.data.to.toString(), owners[p.payee]);
      assert.equal(paid.data.amount.toBigInt(), shares[p.payee]);
      const payee = p.payee === 'ModelOwner' ? 'ModelOwner' : { Dataset: Number(p.payee.split(':')[1]) };
      assert.equal((await api.query.modelRegistry.paidOut(model, version, payee)).toBigInt(), shares[p.payee]);
    }
    // Every share was whole: the pot keeps its existential deposit and nothing else.
    const pot = encodeAddress(u8aConcat(stringToU8a('modlaio/mrkt'), new Uint8Array(20)), 42);
    assert.equal((await api.query.system.account(pot)).data.free.toBigInt(), api.consts.balances.existentialDeposit.toBigInt());

    // The retraction: explain and taintedResults name its block; the scan marked the version.
    const at = wineView.retraction.isSome ? wineView.retraction.unwrap().at.toNumber() : null;
    assert.equal(wineView.retraction.unwrap().by.asOwner.toString(), eve.address);
    assert.equal(result.retraction.at, at);
    assert.equal(result.taintedSince, at);
    assert.equal(explained.taintedSince.unwrap().toNumber(), at);
    assert.deepEqual(explained.taintedDatasets.map((d) => d.toNumber()), [train]);
    const tainted = await api.call.inferenceOracleApi.taintedResults(result.dapp, 10);
    assert.deepEqual(
      tainted.map((t) => [t.request.toNumber(), t.model.toNumber(), t.version.toNumber(), t.since.toNumber()]),
      [[request, model, version, at]],
    );
    // Dave's requests (to model 0, trained on iris.csv) rest on nothing withdrawn.
    assert.deepEqual((await api.call.inferenceOracleApi.taintedResults(dave.address, 10)).map((t) => t.request.toNumber()), []);
    assert.ok((await api.query.modelRegistry.taintedVersions(model, version)).isSome);
    assert.ok(result.versionTainted.block >= at);
    assert.ok(result.versionTainted.requests[0] <= request && request <= result.versionTainted.requests[1]);

    // explain.js on the marketplace's request: the price's split and the taint.
    const e = await runExample('explain.js', node.url, ['--request', String(request)]);
    assert.equal(e.result.taintedSince, at);
    assert.deepEqual(e.result.payments.filter((p) => !p.to.startsWith('5')).map((p) => [p.to, BigInt(p.amount)]), Object.entries(shares));
    assert.match(e.stdout, /price: 0\.5 AIO, credited 0\.425 AIO to the model's owner, 0\.05 AIO to dataset \d+'s owner, 0\.025 AIO to dataset \d+'s owner/);
    assert.match(e.stdout, new RegExp(`TAINTED since block #${at}$`, 'm'));
  });
});
