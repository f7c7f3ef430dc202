// The provenance explorer (explorer/) in headless Chromium against a fresh dev node. The
// test builds a chain of custody worth drawing, then checks that the page draws what the
// runtime API says:
//
//   - a lineage: dataset 0 (the genesis iris.csv) -> iris-clean (Bob) -> iris-augmented
//     (Charlie), and a model version (iris-preprocess.onnx) trained on iris-augmented,
//     validated by the node's operators (Alice, Bob, Charlie reproduce its golden vectors)
//     and voted in by referenda on the model_upgrades track, needing 3 agreeing operators: a committee of five;
//   - five operators on one request: the dev node answers for Alice, Bob and Charlie
//     (off-chain worker, commit then reveal), Eve commits to and reveals a wrong output (an
//     outlier, slashed), Ferdie a failure;
//   - a request on the genesis model (Alice, Bob and Charlie), opened by ?request=N,
//     sampled by that model's canary: a padded copy of the sample model (the same
//     computation, another hash), approved and put in canary by root, sampling every
//     request; the page shows the candidate's verdict and its canary's figures;
//   - the result's stage: finalized (disputable until its settlesAt block), redrawn as
//     settled once its dispute window closes; the version's validation, verdict by verdict;
//   - Bob retracts iris-clean while the page is open: the page redraws the lineage with
//     iris-clean retracted and iris-augmented tainted, and iris.csv still clean.
//
// Chromium is the system's (/usr/bin/chromium, Debian's `chromium`; or $CHROMIUM). The
// screenshots are saved to test-output/explorer.png and explorer-canary.png.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

import {
  devAccounts, findEvent, nextBlocks, passModelReferendum, tokenHolders, submit, waitForValidation,
} from '../lib/chain.js';
import { launchChromium, startExplorer } from '../lib/explorer.js';
import { committedModel, paddedModel } from '../lib/models.js';
import { outputDir, startDevNode } from '../lib/node.js';
import { commitAs, revealAs } from '../lib/operators.js';

const modelsDir = new URL('../../models/', import.meta.url);
const { onnx: pipelineOnnx, reference: pipeline, proposal } = committedModel('iris-preprocess');
const sample = JSON.parse(readFileSync(new URL('iris-logreg.json', modelsDir), 'utf8'));
const openLicence = { commercialUse: true, derivatives: true, shareAlike: false };
const screenshotPath = join(outputDir, 'explorer.png');

/** Registers a dataset derived from `parent`, owned by `owner`; returns its id. */
async function deriveDataset(api, owner, parent, file, how) {
  const events = await submit(
    api,
    api.tx.datasetProvenance.registerDataset({
      contentHash: blake2AsHex(file, 256), sizeBytes: 4_000, recordCount: 150,
      uri: `ipfs://aioracle-demo/${file}`, licence: 'CC-BY-4.0', licenceFlags: openLicence,
      parents: [parent], derivation: { Description: how },
    }),
    owner,
  );
  return findEvent(api, events, 'datasetProvenance', 'DatasetRegistered').data.dataset.toNumber();
}

/** The iris-preprocess version, trained on `datasetId`, needing three agreeing operators. */
const pipelineProposal = (datasetId) => proposal([datasetId], { minAgreement: 3 });

/** Makes a request on `model` as `requester`; returns its id. */
async function requestInference(api, requester, model, input) {
  const fee = api.consts.inferenceOracle.requestFee;
  const events = await submit(api, api.tx.inferenceOracle.requestInference(model, input, fee), requester);
  return findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data.request.toNumber();
}

/** Waits, block by block, until `done(explanation)` holds; returns the explanation. */
async function untilExplained(api, request, done, what, maxBlocks = 30) {
  for (let i = 0; i < maxBlocks; i += 1) {
    const explanation = (await api.call.inferenceOracleApi.explain(request)).unwrap();
    assert.ok(!explanation.request.status.isExpired, `request ${request} expired waiting for ${what}`);
    if (done(explanation)) return explanation;
    // The subscription starts with the current head: the second header is a new block.
    await nextBlocks(api, 2);
  }
  return assert.fail(`request ${request}: no ${what} within ${maxBlocks} blocks`);
}

const finalized = (e) => e.request.status.isFinalized;

/** What the page drew: every graph node's kind, id, data-* flags and text. */
function graphNodes(page) {
  return page.$$eval('#graph [data-node-kind]', (nodes) => nodes.map((n) => ({
    kind: n.dataset.nodeKind,
    id: n.dataset.nodeId,
    role: n.dataset.role,
    tainted: n.dataset.tainted,
    retracted: n.dataset.retracted,
    hash: n.dataset.hash,
    stage: n.dataset.stage,
    validated: n.dataset.validated,
    text: [...n.querySelectorAll('text')].map((t) => t.textContent).join(' | '),
  })));
}

const ofKind = (nodes, kind) => nodes.filter((n) => n.kind === kind);

describe('provenance explorer', () => {
  let node;
  let api;
  let accounts;
  let explorer;
  let browser;

  before(async () => {
    // Chromium first: without it there is nothing to test, and the error says so.
    browser = await launchChromium();
    node = await startDevNode({ name: 'explorer', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
    explorer = await startExplorer();
  });

  after(async () => {
    await browser?.close();
    await explorer?.stop();
    await node?.stop();
  });

  it('draws a result\'s chain of custody, with outliers, failures and retracted data marked', async (t) => {
    const { alice, bob, charlie, dave, eve, ferdie } = accounts;
    const rpcHttp = node.url.replace(/^ws/, 'http');

    // A canary on the genesis model (Alice owns it and holds the sudo key): version 2, the
    // sample model padded with a field ONNX parsers skip, served alike, approved and put in
    // canary by root, sampling every request, at most one failure and no disagreement.
    const { onnx: sampleOnnx, proposal: sampleProposal } = committedModel('iris-logreg');
    const candidateOnnx = paddedModel(sampleOnnx, sampleOnnx.length + 64);
    const candidateProposal = { ...sampleProposal([0], { minAgreement: 2 }), modelHash: blake2AsHex(candidateOnnx, 256) };
    const proposed = await submit(api, api.tx.modelRegistry.proposeVersion(0, candidateProposal, u8aToHex(candidateOnnx)), alice);
    const candidate = findEvent(api, proposed, 'modelRegistry', 'ModelVersionProposed').data.version.toNumber();
    for (const call of [
      api.tx.modelRegistry.approveVersion(0, candidate),
      api.tx.modelRegistry.startCanary(0, candidate, 1_000_000_000, 1, 0),
    ]) {
      const { sudoResult } = findEvent(api, await submit(api, api.tx.sudo.sudo(call), alice), 'sudo', 'Sudid').data;
      assert.ok(sudoResult.isOk, `sudo ${call.method.method} failed: ${sudoResult.toString()}`);
    }

    // Dave asks the genesis model, which the node answers for Alice, Bob and Charlie (and
    // scores with the candidate too). Then Eve and Ferdie become operators (their orcl
    // key: their account key).
    const sampleRequest = await requestInference(api, dave, 0, sample.cases[0].input_fixed_point);
    const bond = api.consts.inferenceOracle.operatorBond;
    await Promise.all([eve, ferdie].map((who) => submit(api, api.tx.inferenceOracle.registerOperator(who.publicKey, bond), who)));

    // The lineage, and a model version trained on its last dataset.
    const clean = await deriveDataset(api, bob, 0, 'iris-clean.csv', 'deduplicated, unit-checked');
    const augmented = await deriveDataset(api, charlie, clean, 'iris-augmented.csv', 'jittered copies of each row');
    let events = await submit(api, api.tx.modelRegistry.createModel('iris-pipeline', pipeline.description), dave);
    const model = findEvent(api, events, 'modelRegistry', 'ModelCreated').data.model.toNumber();
    events = await submit(
      api, api.tx.modelRegistry.proposeVersion(model, pipelineProposal(augmented), u8aToHex(pipelineOnnx)), dave,
    );
    const version = findEvent(api, events, 'modelRegistry', 'ModelVersionProposed').data.version.toNumber();
    // Token holders may approve it once its quorum of operators, max(2, minAgreement = 3),
    // reproduced its golden vectors: the node's three.
    const validation = await waitForValidation(api, model, version);
    assert.equal(validation.quorum.toNumber(), 3);
    const holders = await tokenHolders();
    const referenda = [];
    for (const call of [api.tx.modelRegistry.approveVersion(model, version), api.tx.modelRegistry.activateVersion(model, version)]) {
      const result = await passModelReferendum(api, call, holders);
      assert.ok(result.ok, `referendum failed: ${result.error}`);
      referenda.push(result.index);
    }

    // Dave asks the new version: its committee is all five operators. Eve commits to a
    // wrong output, Ferdie to a failure; once all five have committed, both reveal.
    const request = await requestInference(api, dave, model, pipeline.cases[0].input_fixed_point);
    const lie = { Output: [0, 0, 1_000_000] };
    const failure = { Failed: 'ModelBytesUnavailable' };
    const salt = (who) => blake2AsHex(`salt of ${who.address}`, 256);
    await commitAs(api, rpcHttp, eve, eve.address, request, lie, salt(eve));
    await commitAs(api, rpcHttp, ferdie, ferdie.address, request, failure, salt(ferdie));
    for (let i = 0; (await api.query.inferenceOracle.commits(request)).length < 5; i += 1) {
      assert.ok(i < 30, 'the node did not commit for Alice, Bob and Charlie');
      await nextBlocks(api, 2);
    }
    // One block more: the transaction pool checks a reveal against its view of the chain,
    // which may not yet include the block the commitments came in (NotCommitted).
    await nextBlocks(api, 2);
    await revealAs(api, rpcHttp, eve, request, lie, salt(eve));
    await revealAs(api, rpcHttp, ferdie, request, failure, salt(ferdie));
    const explanation = await untilExplained(api, request, finalized, 'result');
    const result = explanation.result.unwrap();
    assert.deepEqual(result.agreeing.map(String).sort(), [alice, bob, charlie].map((a) => a.address).sort());
    assert.deepEqual(result.outliers.map(String), [eve.address]);
    assert.deepEqual(result.failed.map(([who]) => who.toString()), [ferdie.address]);
    const sampleExplanation = await untilExplained(api, sampleRequest, finalized, 'result');
    // Judged as it was finalized: the candidate computes what version 1 does.
    const check = sampleExplanation.canary.unwrap();
    assert.equal(check.version.toNumber(), candidate);
    assert.equal(check.verdict.unwrap().toString(), 'Agreed');
    assert.equal(sampleExplanation.canaryRecord.unwrap().agreed.toNumber(), 1);

    // The page: connected, both results listed.
    const page = await browser.newPage({ viewport: { width: 1800, height: 1000 } });
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${explorer.url}?rpc=${encodeURIComponent(node.url)}`);
    await page.waitForSelector('#status[data-status="connected"]', { timeout: 30_000 });
    const chainName = (await api.rpc.system.chain()).toString();
    assert.match(await page.textContent('#chain-name'), new RegExp(`^${chainName} · AIO$`));
    // "Connected" is shown before the first header arrives: wait for its number.
    await page.waitForFunction(
      () => /^#\d+$/.test(document.querySelector('#block-number')?.textContent ?? ''),
      null,
      { timeout: 30_000 },
    );
    assert.match(await page.textContent('#block-number'), /^#\d+$/);
    for (const id of [sampleRequest, request]) {
      await page.waitForSelector(`#requests li[data-request-id="${id}"][data-status="Finalized"]`, { timeout: 10_000 });
    }
    assert.match(
      await page.textContent(`#requests li[data-request-id="${request}"]`),
      /iris-pipeline v1.*Dave · 0\.01 AIO/,
      'the request row names the model and formats the fee in AIO',
    );

    // Selecting the request draws its chain of custody.
    await page.click(`#requests li[data-request-id="${request}"] button`);
    await page.waitForSelector(`#custody[data-request-id="${request}"][data-loaded="true"]`, { timeout: 15_000 });
    assert.equal(await page.textContent('[data-field="model-hash"]'), explanation.request.modelHash.toHex());
    assert.equal(explanation.request.modelHash.toHex(), pipeline.hash);
    let nodes = await graphNodes(page);
    const [resultNode] = ofKind(nodes, 'result');
    assert.equal(resultNode.id, String(request));
    assert.match(resultNode.text, /3 agreed · 1 outlier · 1 failed/);
    const [versionNode] = ofKind(nodes, 'model-version');
    assert.equal(versionNode.id, `${model}:${version}`);
    assert.equal(versionNode.hash, pipeline.hash);
    assert.match(versionNode.text, /^iris-pipeline v1/);
    const roles = Object.fromEntries(ofKind(nodes, 'operator').map((n) => [n.id, n.role]));
    assert.deepEqual(roles, {
      [alice.address]: 'agreeing', [bob.address]: 'agreeing', [charlie.address]: 'agreeing',
      [eve.address]: 'outlier', [ferdie.address]: 'failed',
    });
    const rows = await page.$$eval('#operators tr[data-operator]', (trs) => trs.map((tr) => [tr.dataset.operator, tr.dataset.role]));
    assert.deepEqual(Object.fromEntries(rows), roles, 'the operators table agrees with the graph');

    // The version's validation: the node's three operators reproduced it, quorum 3.
    assert.equal(versionNode.validated, 'true');
    assert.match(versionNode.text, /validated by 3 · quorum 3/);
    assert.equal(
      await page.textContent('[data-field="validation"]'),
      'validated: 3 of 3 operators reproduced its golden vectors (quorum 3)',
    );
    const verdicts = await page.$$eval('#verdicts tr[data-verdict-operator]', (trs) => trs.map((tr) => [
      tr.dataset.verdictOperator, tr.dataset.reproduced, tr.querySelector('td:last-child').textContent,
    ]));
    assert.deepEqual(
      verdicts.sort(),
      [alice, bob, charlie].map((a) => [a.address, 'true', 'reproduced']).sort(),
    );

    // The model's version history: proposed by its owner's extrinsic, approved and
    // activated by the two referenda, each found in the block of its status change.
    const history = await page.$$eval(`#history tr[data-history-version="${version}"] [data-change-status]`, (divs) => divs.map((d) => [
      d.dataset.changeStatus, d.dataset.byKind, d.dataset.byIndex, d.textContent,
    ]));
    const blocks = (await api.call.modelRegistryApi.version(model, version)).unwrap().statusBlocks;
    assert.deepEqual(history, [
      ['proposed', 'signed', '', `proposed at #${blocks.proposed} by modelRegistry.proposeVersion`],
      ['approved', 'referendum', String(referenda[0]), `approved at #${blocks.approved.unwrap()} by referendum #${referenda[0]}`],
      ['activated', 'referendum', String(referenda[1]), `activated at #${blocks.activated.unwrap()} by referendum #${referenda[1]}`],
    ]);
    assert.equal(await page.getAttribute(`#history tr[data-history-version="${version}"]`, 'data-status'), 'Active');
    assert.deepEqual(
      await page.$$eval('#history thead th', (ths) => ths.map((th) => th.textContent)),
      ['Version', 'Status', 'Canary', 'Decided by (referendum, council motion, root)'],
    );
    assert.equal(await page.textContent(`#history tr[data-history-version="${version}"] td:nth-child(3)`), '—');
    // No canary runs on this model: the request was not sampled.
    assert.equal(await page.isVisible('[data-field="canary"]'), false);

    // The result's stage: finalized and disputable until settlesAt, then settled, which
    // no event announces: the page redraws it when the window closes.
    const settlesAt = (await api.call.inferenceOracleApi.result(request)).unwrap().settlesAt.toNumber();
    assert.equal(settlesAt, result.settlesAt.toNumber());
    const stageField = () => page.$eval('[data-field="stage"]', (n) => [n.dataset.stage, n.textContent]);
    const [stageNow, stageText] = await stageField();
    if (stageNow === 'Finalized') {
      assert.equal(stageText, `Finalized; may be disputed until #${settlesAt}`);
      assert.equal(resultNode.stage, 'Finalized');
      assert.match(resultNode.text, new RegExp(`disputable until #${settlesAt}`));
    } else {
      assert.equal(stageNow, 'Settled', `stage ${stageNow}: nobody disputed the result`);
    }
    await page.waitForSelector(`#graph [data-node-kind="result"][data-stage="Settled"]`, { timeout: 30_000 });
    assert.deepEqual(await stageField(), ['Settled', `Settled: undisputed, the dispute window closed at #${settlesAt}`]);
    assert.equal((await api.call.inferenceOracleApi.result(request)).unwrap().stage.toString(), 'Settled');
    nodes = await graphNodes(page);
    assert.match(ofKind(nodes, 'result')[0].text, /Finalized at #\d+ \| Settled \|/);
    // A dispute, as the page words it (the dev chain's operators are too few for a round
    // here: e2e/tests/dispute.test.js runs one).
    const disputed = await page.evaluate(async (disputer) => {
      const { formatStage } = await import('./format.js');
      const result = { stage: 'Disputed', settlesAt: 40, dispute: { disputer, round: 7, status: 'Open' } };
      const settled = { ...result, stage: 'Settled', dispute: { ...result.dispute, status: 'Upheld' } };
      return [formatStage(result), formatStage(result, { short: true }), formatStage(settled), formatStage(settled, { short: true })];
    }, dave.address);
    const daveLabel = `Dave (${dave.address.slice(0, 6)}…${dave.address.slice(-4)})`;
    assert.deepEqual(disputed, [
      `Disputed by ${daveLabel}: round #7 re-scores it`,
      'DISPUTED · round #7',
      `Settled: the dispute by ${daveLabel} was upheld (round #7)`,
      'Settled · dispute upheld',
    ]);

    const lineage = () => ofKind(nodes, 'dataset').map((n) => [Number(n.id), n.retracted, n.tainted]).sort((a, b) => a[0] - b[0]);
    assert.deepEqual(lineage(), [[0, 'false', 'false'], [clean, 'false', 'false'], [augmented, 'false', 'false']]);
    assert.equal(await page.isVisible('[data-field="taint-warning"]'), false);

    // Bob retracts iris-clean while the page is open: it follows the block's events.
    events = await submit(api, api.tx.datasetProvenance.retract(clean, 'consent withdrawn'), bob);
    findEvent(api, events, 'datasetProvenance', 'DatasetRetracted');
    await page.waitForSelector(`#graph [data-node-kind="dataset"][data-node-id="${clean}"][data-retracted="true"]`, { timeout: 20_000 });
    nodes = await graphNodes(page);
    assert.deepEqual(lineage(), [[0, 'false', 'false'], [clean, 'true', 'true'], [augmented, 'false', 'true']]);
    const dataset = (id) => ofKind(nodes, 'dataset').find((n) => n.id === String(id));
    assert.match(dataset(clean).text, /RETRACTED at #\d+ \| “consent withdrawn”/);
    assert.match(dataset(augmented).text, new RegExp(`TAINTED via #${clean}`));
    assert.equal(ofKind(nodes, 'model-version')[0].tainted, 'true');
    const tainted = (await api.call.inferenceOracleApi.explain(request)).unwrap().taintedDatasets.map((d) => d.toNumber());
    assert.deepEqual(tainted, [augmented], 'the runtime API reports the training data tainted');
    assert.match(await page.textContent('[data-field="taint-warning"]'), new RegExp(`#${augmented}`));
    assert.ok(await page.isVisible('#events li[data-event="datasetProvenance.DatasetRetracted"]'));
    mkdirSync(outputDir, { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    t.diagnostic(`screenshot of the explorer: ${screenshotPath}`);

    // ?request=N opens the genesis model's result: Alice, Bob and Charlie, iris.csv untainted.
    await page.goto(`${explorer.url}?rpc=${encodeURIComponent(node.url)}&request=${sampleRequest}`);
    await page.waitForSelector(`#custody[data-request-id="${sampleRequest}"][data-loaded="true"]`, { timeout: 30_000 });
    assert.equal(await page.textContent('[data-field="model-hash"]'), sampleExplanation.request.modelHash.toHex());
    assert.equal(sample.hash, sampleExplanation.request.modelHash.toHex());
    nodes = await graphNodes(page);
    assert.deepEqual(
      ofKind(nodes, 'operator').map((n) => [n.id, n.role]).sort(),
      [alice, bob, charlie].map((a) => [a.address, 'agreeing']).sort(),
    );
    assert.match(ofKind(nodes, 'model-version')[0].text, /^iris-classifier v1/);
    // Long settled; the genesis version was never proposed, so no operator judged it.
    const sampleSettlesAt = sampleExplanation.result.unwrap().settlesAt.toNumber();
    assert.deepEqual(await stageField(), ['Settled', `Settled: undisputed, the dispute window closed at #${sampleSettlesAt}`]);
    const sampleValidation = (await api.call.modelRegistryApi.provenance(0, 1)).unwrap().validation;
    assert.equal(sampleValidation.verdicts.length, 0);
    const sampleQuorum = sampleValidation.quorum.toNumber();
    assert.match(ofKind(nodes, 'model-version')[0].text, new RegExp(`no verdicts · quorum ${sampleQuorum}`));
    assert.equal(await page.textContent('[data-field="validation"]'), `no operator verdicts (quorum ${sampleQuorum})`);
    assert.deepEqual(lineage(), [[0, 'false', 'false']]);
    assert.match(ofKind(nodes, 'dataset')[0].text, /CC-BY-4\.0/);
    // The genesis version was proposed, approved and activated by the genesis.
    const genesisHistory = await page.$$eval('#history tr[data-history-version="1"] [data-change-status]', (divs) => divs.map((d) => [
      d.dataset.changeStatus, d.dataset.byKind,
    ]));
    assert.deepEqual(genesisHistory, [['proposed', 'genesis'], ['approved', 'genesis'], ['activated', 'genesis']]);
    // The request was sampled by the canary: the candidate's verdict, and its figures in
    // the version history, started and approved by root, proposed by Alice.
    const canaryField = await page.$eval('[data-field="canary"]', (n) => [n.dataset.canaryVersion, n.dataset.verdict, n.textContent]);
    assert.deepEqual(canaryField.slice(0, 2), [String(candidate), 'Agreed']);
    assert.match(canaryField[2], new RegExp(`^sampled for the canary of v${candidate}: the candidate agreed with the result`));
    assert.match(canaryField[2], /its canary: 100% of requests sampled · 1 compared: 1 agreed, 0 disagreed \(max 0\), 0 failed \(max 1\)/);
    const candidateRow = `#history tr[data-history-version="${candidate}"]`;
    assert.equal(await page.getAttribute(candidateRow, 'data-status'), 'Canary');
    const canaryCell = await page.$eval(`${candidateRow} td[data-canary]`, (td) => [
      td.dataset.canary, td.dataset.compared, td.dataset.agreed, td.dataset.disagreed, td.dataset.failed,
      [...td.children].map((div) => div.textContent),
    ]);
    const started = (await api.call.modelRegistryApi.version(0, candidate)).unwrap().canary.unwrap().startedAt.toNumber();
    assert.deepEqual(canaryCell.slice(0, 5), ['Running', '1', '1', '0', '0']);
    assert.equal(canaryCell[5][0], '100% of requests sampled');
    assert.match(canaryCell[5][2], /^mean time: candidate (<1|\d+\.\d) ms, active (<1|\d+\.\d) ms$/);
    assert.equal(canaryCell[5][3], `running since #${started}`);
    const candidateHistory = await page.$$eval(`${candidateRow} [data-change-status]`, (divs) => divs.map((d) => [
      d.dataset.changeStatus, d.dataset.byKind, d.textContent,
    ]));
    assert.deepEqual(candidateHistory.map(([status, kind]) => [status, kind]), [['proposed', 'signed'], ['approved', 'root'], ['canary', 'root']]);
    assert.equal(candidateHistory[2][2], `canary started at #${started} by root (sudo)`);
    const canaryScreenshot = join(outputDir, 'explorer-canary.png');
    await page.screenshot({ path: canaryScreenshot, fullPage: true });
    t.diagnostic(`screenshot of a request sampled by a canary: ${canaryScreenshot}`);
    assert.equal(await page.isVisible('[data-field="taint-warning"]'), false);

    assert.deepEqual(pageErrors, [], 'the page threw no errors');
  });
});
