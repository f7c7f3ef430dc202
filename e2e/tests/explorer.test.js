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
//   - the marketplace: iris-clean asks a 10% royalty and iris-augmented 5%, both permit
//     training, inference only under terms (a hash) and no data mining; Dave prices the
//     version at 0.5 AIO per inference: the page shows each dataset's royalty and
//     permissions, the version's price, its split (Dave 85%, the datasets their shares),
//     earnings and usage, and the request's payments (the operators' fee shares, then the
//     price's split), each checked against the runtime API and against arithmetic here;
//   - Bob retracts iris-clean while the page is open: the page redraws the lineage with
//     iris-clean retracted and iris-augmented tainted, and iris.csv still clean, says the
//     result is tainted since the retraction's block, and that the registry marked the
//     version tainted once its scan did;
//   - the version's training run (code, hyperparameters, framework, who ran it), named in
//     its proposal: the page draws it between the training data and the version, and lists
//     it in the version's details; the genesis version names none and shows none.
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
/** Royalties are Permill: parts per million. */
const PERCENT = 10_000;
/** Inference from models trained on the derived data only under these terms (their hash on chain). */
const terms = 'Inference from models trained on this data: research and evaluation only.';
const termsHash = blake2AsHex(terms, 256);
const marketPermissions = {
  aiTraining: 'Allowed', aiInference: { Constrained: { constraint: termsHash } }, dataMining: 'NotAllowed',
};

/**
 * Registers a dataset derived from `parent`, owned by `owner`, asking `royalty` (Permill)
 * and permitting `permissions`; returns its id.
 */
async function deriveDataset(api, owner, parent, file, how, { royalty, permissions }) {
  const events = await submit(
    api,
    api.tx.datasetProvenance.registerDataset({
      contentHash: blake2AsHex(file, 256), sizeBytes: 4_000, recordCount: 150,
      uri: `ipfs://aioracle-demo/${file}`, licence: 'CC-BY-4.0', licenceFlags: openLicence,
      parents: [parent], derivation: { Description: how }, permissions, royalty,
    }),
    owner,
  );
  return findEvent(api, events, 'datasetProvenance', 'DatasetRegistered').data.dataset.toNumber();
}

/**
 * The iris-preprocess version, trained on `datasetId`, needing three agreeing operators,
 * declared for commercial use (a version that is sold per inference must be).
 */
/** The run that trained the pipeline: its code, settings and environment (Dave ran it). */
const pipelineRun = (ranBy) => ({
  codeHash: blake2AsHex('train.py of iris-pipeline', 256),
  codeUri: 'https://code.example/iris-pipeline/train.py',
  hyperparametersHash: blake2AsHex('{"max_iter": 200}', 256),
  framework: 'scikit-learn',
  frameworkVersion: '1.5.2',
  ranBy,
});
const pipelineProposal = (datasetId, ranBy) => ({
  ...proposal([datasetId], { minAgreement: 3 }), commercialUse: true, trainingRun: pipelineRun(ranBy),
});

/** Makes a request on `model` as `requester`, paying at most `maxFee` (the fee); returns its id. */
async function requestInference(api, requester, model, input, maxFee = api.consts.inferenceOracle.requestFee) {
  const events = await submit(api, api.tx.inferenceOracle.requestInference(model, input, maxFee), requester);
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
    taintedSince: n.dataset.taintedSince,
    text: [...n.querySelectorAll('text')].map((t) => t.textContent).join(' | '),
  })));
}

const ofKind = (nodes, kind) => nodes.filter((n) => n.kind === kind);

/** The rows of table `id` that carry `attributes`: each row's values of them, then its cells' text. */
function tableRows(page, id, attributes) {
  return page.$$eval(`#${id} tbody tr`, (trs, names) => trs
    .filter((tr) => names.every((name) => tr.hasAttribute(`data-${name}`)))
    .map((tr) => [...names.map((name) => tr.getAttribute(`data-${name}`)), [...tr.cells].map((td) => td.textContent)]), attributes);
}

/** `Dave (5DAAnr…TXFy)`, as the page labels a dev account. */
const label = (name, account) => `${name} (${account.address.slice(0, 6)}…${account.address.slice(-4)})`;

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
    const clean = await deriveDataset(api, bob, 0, 'iris-clean.csv', 'deduplicated, unit-checked',
      { royalty: 10 * PERCENT, permissions: marketPermissions });
    const augmented = await deriveDataset(api, charlie, clean, 'iris-augmented.csv', 'jittered copies of each row',
      { royalty: 5 * PERCENT, permissions: marketPermissions });
    let events = await submit(api, api.tx.modelRegistry.createModel('iris-pipeline', pipeline.description), dave);
    const model = findEvent(api, events, 'modelRegistry', 'ModelCreated').data.model.toNumber();
    events = await submit(
      api, api.tx.modelRegistry.proposeVersion(model, pipelineProposal(augmented, dave.address), u8aToHex(pipelineOnnx)), dave,
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

    // Dave, the model's owner, prices the version: 0.5 AIO per inference, of which the
    // lineage's royalties take 5% (iris-augmented, depth 1) and 10% (iris-clean, depth 2).
    const unit = 10n ** BigInt(api.registry.chainDecimals[0]);
    const price = unit / 2n;
    await submit(api, api.tx.modelRegistry.setPrice(model, version, price), dave);
    const quote = (await api.call.inferenceOracleApi.quote(model)).asOk;
    const fee = api.consts.inferenceOracle.requestFee.toBigInt();
    assert.equal(quote.total.toBigInt(), fee + price, 'the quote is the fee and the price');

    // Dave asks the new version: its committee is all five operators. Eve commits to a
    // wrong output, Ferdie to a failure; once all five have committed, both reveal.
    const request = await requestInference(api, dave, model, pipeline.cases[0].input_fixed_point, quote.total);
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
    // Who was paid what: each of the three agreeing operators a third of the fee, then the
    // price: Dave 85%, iris-augmented 5% (depth 1), iris-clean 10% (depth 2).
    const expectedPayments = [
      ...result.agreeing.map((a) => [`operator:${a}`, String(fee / 3n)]),
      ['owner', String((price * 85n) / 100n)],
      [`dataset:${augmented}`, String((price * 5n) / 100n)],
      [`dataset:${clean}`, String(price / 10n)],
    ];
    const paymentKey = ({ to }) => {
      if (to.isOperator) return `operator:${to.asOperator}`;
      return to.asPayee.isModelOwner ? 'owner' : `dataset:${to.asPayee.asDataset}`;
    };
    assert.deepEqual(explanation.payments.map((p) => [paymentKey(p), p.amount.toString()]), expectedPayments);
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
      /iris-pipeline v1.*Dave · 0\.01 AIO \+ 0\.5 AIO price/,
      'the request row names the model and formats the fee and price in AIO',
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

    // The marketplace: the request's price, the version's price, split, earnings and
    // usage, the datasets' royalties and permissions, and who the request paid.
    const short = (hex) => `${hex.slice(0, 8)}…${hex.slice(-4)}`;
    const usage = `AI training: allowed · AI inference: under terms ${short(termsHash)} · data mining: NOT allowed`;
    assert.equal(await page.textContent('[data-field="request-price"]'), '0.5 AIO');
    assert.equal(await page.textContent('[data-field="price"]'), '0.5 AIO per inference');
    assert.equal(await page.getAttribute('[data-field="price"]', 'data-price'), String(price));
    assert.equal(await page.textContent('[data-field="earnings"]'), '0.5 AIO', 'one finalized request earned the price');
    assert.equal(await page.textContent('[data-field="usage"]'), usage, 'the strictest of the training data');
    assert.equal(await page.getAttribute('[data-field="version-taint"]', 'data-taint'), 'clean');
    const owner = `model owner ${label('Dave', dave)}`;
    const cleanName = `dataset #${clean} iris-clean.csv (owner Bob)`;
    const augmentedName = `dataset #${augmented} iris-augmented.csv (owner Charlie)`;
    assert.deepEqual(await tableRows(page, 'split', ['payee', 'share', 'amount']), [
      ['owner', '850000', expectedPayments[3][1], [owner, 'what the royalties leave', '85%', '0.425 AIO']],
      [`dataset:${augmented}`, '50000', expectedPayments[4][1], [augmentedName, 'royalty, depth 1', '5%', '0.025 AIO']],
      [`dataset:${clean}`, '100000', expectedPayments[5][1], [cleanName, 'royalty, depth 2', '10%', '0.05 AIO']],
    ]);
    const paid = await tableRows(page, 'payments', ['recipient', 'amount']);
    assert.deepEqual(paid.map(([to, amount]) => [to, amount]), expectedPayments);
    const priceShare = 'share of the price, credited to its earnings';
    assert.deepEqual(paid.slice(3).map(([, , cells]) => cells), [
      [owner, priceShare, '0.425 AIO'], [augmentedName, priceShare, '0.025 AIO'], [cleanName, priceShare, '0.05 AIO'],
    ]);
    const names = { [alice.address]: 'Alice', [bob.address]: 'Bob', [charlie.address]: 'Charlie' };
    assert.deepEqual(paid.slice(0, 3).map(([, , cells]) => cells), result.agreeing.map((a) => [
      `operator ${label(names[a], { address: a.toString() })}`, 'share of the fee, paid', '0.003333333333 AIO',
    ]));
    const allAllowed = 'AI training: allowed · AI inference: allowed · data mining: allowed';
    assert.deepEqual((await tableRows(page, 'datasets', ['dataset-id', 'royalty'])).map(([id, royalty, cells]) => [
      id, royalty, cells[3], cells[4],
    ]), [
      ['0', '0', allAllowed, '0%'], [String(clean), '100000', usage, '10%'], [String(augmented), '50000', usage, '5%'],
    ]);
    assert.match(versionNode.text, /\| 0\.5 AIO · 2 royalties$/);
    const datasetText = (id) => ofKind(nodes, 'dataset').find((n) => n.id === String(id)).text;
    assert.match(datasetText(clean), /\| royalty 10% \| inference: terms · mining: no \|/);
    assert.match(datasetText(0), /\| royalty 0% · all uses allowed \|/);
    assert.match(resultNode.text, /fee 0\.01 AIO \+ 0\.5 AIO/);

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
    // The result rests on retracted data from the retraction's block on.
    const retractedAt = (await api.call.datasetProvenanceApi.dataset(clean)).unwrap().retraction.unwrap().at.toNumber();
    const since = (await api.call.inferenceOracleApi.explain(request)).unwrap().taintedSince;
    assert.equal(since.unwrap().toNumber(), retractedAt, 'the runtime API says since when');
    assert.equal(await page.getAttribute('[data-field="taint-warning"]', 'data-tainted-since'), String(retractedAt));
    assert.match(
      await page.textContent('[data-field="taint-warning"]'),
      new RegExp(`^Tainted since block #${retractedAt} — this result rests on retracted data\\.`),
    );
    const [taintedResult] = ofKind(nodes, 'result');
    assert.equal(taintedResult.taintedSince, String(retractedAt));
    assert.match(taintedResult.text, new RegExp(`\\| TAINTED since #${retractedAt}$`));
    // The registry's scan marks the version (in on_idle, of that block or a later one).
    await page.waitForSelector('[data-field="version-taint"][data-taint="marked"]', { timeout: 60_000 });
    const markedAt = (await api.query.modelRegistry.taintedVersions(model, version)).unwrap().toNumber();
    assert.ok(markedAt >= retractedAt, `marked at #${markedAt}, retracted at #${retractedAt}`);
    assert.equal(
      await page.textContent('[data-field="version-taint"]'),
      `TAINTED: the registry found it trained on retracted data at #${markedAt}`,
    );
    assert.equal(await page.getAttribute(`#graph [data-node-kind="model-version"]`, 'data-tainted-at'), String(markedAt));
    assert.equal((await tableRows(page, 'payments', ['recipient', 'amount'])).length, 6, 'payments stay after the retraction');
    mkdirSync(outputDir, { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    t.diagnostic(`screenshot of the explorer: ${screenshotPath}`);

    // The training run the proposal named: in the runtime API's view, drawn between the
    // training data and the version, and listed in the version's details.
    const run = pipelineRun(dave.address);
    const stored = (await api.call.modelRegistryApi.version(model, version)).unwrap().trainingRun.unwrap();
    assert.deepEqual(
      [stored.codeHash.toHex(), stored.codeUri.toUtf8(), stored.hyperparametersHash.toHex(),
        stored.framework.toUtf8(), stored.frameworkVersion.toUtf8(), stored.ranBy.toString()],
      [run.codeHash, run.codeUri, run.hyperparametersHash, run.framework, run.frameworkVersion, run.ranBy],
    );
    const drawn = await page.evaluate(() => {
      const svg = document.querySelector('#graph svg') ?? document.querySelector('#graph');
      const runNode = svg.querySelector('[data-node-kind="training-run"]');
      const field = document.querySelector('[data-field="training-run"]');
      return {
        edges: [...svg.querySelectorAll('path.edge')].map((p) => `${p.dataset.from} -> ${p.dataset.to}`),
        headings: [...svg.querySelectorAll('.column-heading')].map((t) => t.textContent),
        node: runNode && [runNode.dataset.nodeId, runNode.dataset.codeHash, [...runNode.querySelectorAll('text')].map((t) => t.textContent)],
        details: field && [field.parentElement.hidden, [...field.children].map((div) => div.textContent)],
      };
    });
    const versionKey = `version:${model}:${version}`;
    const runKey = `run:${model}:${version}`;
    assert.ok(drawn.edges.includes(`${versionKey} -> ${runKey}`), drawn.edges.join(', '));
    assert.ok(drawn.edges.includes(`${runKey} -> dataset:${augmented}`), drawn.edges.join(', '));
    assert.ok(!drawn.edges.includes(`${versionKey} -> dataset:${augmented}`), 'the version reaches its data through the run');
    const column = (heading) => drawn.headings.indexOf(heading);
    assert.ok(column('Model version') + 1 === column('Training run') && column('Training run') + 1 === column('Training data'),
      drawn.headings.join(', '));
    assert.deepEqual(drawn.node, [`${model}:${version}`, run.codeHash, [
      'scikit-learn 1.5.2', `code ${short(run.codeHash)}`, `hyperparams ${short(run.hyperparametersHash)}`, 'run by Dave',
    ]]);
    assert.deepEqual(drawn.details, [false, [
      `scikit-learn 1.5.2, run by ${label('Dave', dave)}`,
      `code ${run.codeHash} at ${run.codeUri}`,
      `hyperparameters ${run.hyperparametersHash}`,
    ]]);

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
    assert.equal(await page.locator('#graph [data-node-kind="training-run"]').count(), 0, 'the genesis version names no run');
    assert.equal(await page.isVisible('[data-field="training-run"]'), false);
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
