// The marketplace, end to end: data owners ask a royalty of every model trained on their
// data, a model's owner sets a price per inference, a dApp pays it beside the operators'
// fee, and anyone pays each payee its share. Then the first dataset is withdrawn, and the
// dApp learns that its result rests on withdrawn data.
//
//   wine.csv        Eve's: the 178 wines of the UCI wine data (scikit-learn's copy)
//                   royalty 5%; training allowed, inference under terms, no data mining
//     └─ wine-named.csv    Ferdie's: the same rows under named columns; royalty 10%
//          └─ wine-train.csv    Dave's: the 133 rows models/wine-mlp.onnx was fit on
//               └─ model "wine-mlp" version 1 (Dave's), 0.5 AIO per inference
//
// Refitting wine-mlp on wine-train.csv gives models/wine-mlp.onnx byte for byte
// (scripts/models/make_wine_lineage.py), so the version names the data it was really
// trained on. The steps:
//
//   1. Eve, Ferdie and Dave register the three datasets, each with its usage permissions
//      (the C2PA/CAWG training-and-data-mining assertion: a child permits nothing its
//      parent does not, so Ferdie's first try is refused) and royalty.
//   2. Dave creates the model and proposes the version, naming the run that trained it
//      (the committed script that fits it, its hyperparameters, scikit-learn's version,
//      Dave): lineage reads data -> run -> version. The chain fixes its royalties from
//      the training data's lineage (Ferdie's at depth 2, Eve's at depth 3; Dave's dataset
//      asks none) and its usage, the strictest permissions of that data.
//   3. The node's operators reproduce its golden vectors; token holders approve and
//      activate it by two referenda (as referendum-activate-version.js does).
//   4. Dave sets the price. A dApp asks `quote`, requests an inference with
//      `maxFee = quote.total` (the fee alone is refused now), and reads in `explain` who
//      was paid what.
//   5. A keeper (Charlie: any account) pays out each payee; the script checks that each
//      owner's free balance rose by exactly its share (they send nothing meanwhile, so
//      they pay no transaction fee).
//   6. Eve retracts wine.csv. `explain` says from which block the result is tainted and
//      `taintedResults(dApp)` lists it at once; the registry's scan then marks the version
//      (`VersionTainted`).
//
//   node e2e/examples/marketplace.js [ws-url] [--price 0.5] [--dapp Dapp] [--keeper Charlie]
//        [--votes Dave:500000:Locked1x,Eve:400000:Locked2x,Ferdie:300000:Locked3x]
//        [--input 12.79,2.67,...]
//
// The dApp is `//Dapp` unless --dapp names a dev account: an account with no other role,
// funded by Alice on the dev chain. Run it on a chain where models/wine-mlp.onnx is not a
// version yet (a fresh dev chain): one version per ONNX hash, and a retracted dataset
// cannot be derived from again. Exits non-zero if the chain does not do what it says.

import { readFileSync } from 'node:fs';

import { u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

import { fromFixedPoint, toFixedPoint } from './fixed-point.js';
import {
  accountName, cli, describeDispatchError, devAccount, findEvent, formatBalance, nextBlock, printResult, run, send,
} from './lib/chain.js';
import { ayeVotes, passOrThrow } from './lib/referenda.js';

const { url, args } = cli(
  'node marketplace.js [ws-url] [--price AIO] [--dapp NAME] [--keeper NAME] [--votes NAME:AIO:CONVICTION,...] [--input v1,...,v13]',
  {
    price: { type: 'string', default: '0.5' }, // AIO per inference
    dapp: { type: 'string', default: 'Dapp' },
    keeper: { type: 'string', default: 'Charlie' },
    votes: { type: 'string', default: 'Dave:500000:Locked1x,Eve:400000:Locked2x,Ferdie:300000:Locked3x' },
    // A wine the model did not see (row 151 of wine.csv): cultivar 2.
    input: { type: 'string', default: '12.79,2.67,2.48,22,112,1.48,1.36,0.24,1.26,10.8,0.48,1.47,480' },
  },
);

const onnx = readFileSync(new URL('../../models/wine-mlp.onnx', import.meta.url));
const reference = JSON.parse(readFileSync(new URL('../../models/wine-mlp.json', import.meta.url), 'utf8'));

/** Royalties and shares are `Permill`: parts per million. */
const PERCENT = 10_000;
const VALIDATION_TIMEOUT_MS = 60_000;
const TAINT_SCAN_TIMEOUT_MS = 60_000;

/** Throws unless `ok`: the script exits non-zero on anything the chain did not do as documented. */
function check(ok, what) {
  if (!ok) throw new Error(`mismatch: ${what}`);
}

/** `5%` */
const percent = (permill) => `${Number(permill) / PERCENT}%`;

/** A `UsePermission` as text: `Allowed`, `NotAllowed` or `Constrained(0x1234…)`. */
function describeUse(use) {
  return use.isConstrained ? `Constrained(${use.asConstrained.constraint.toHex().slice(0, 10)}…)` : use.type;
}

/** `UsagePermissions` as text and as JSON. */
function describePermissions(p) {
  return `training ${describeUse(p.aiTraining)}, inference ${describeUse(p.aiInference)}, mining ${describeUse(p.dataMining)}`;
}
const permissionsJson = (p) => ({
  aiTraining: p.aiTraining.type, aiInference: p.aiInference.type, dataMining: p.dataMining.type,
});

/** A `Payee` as `'ModelOwner'` or `'Dataset:3'`, and as the argument `payOut` takes. */
const payeeKey = (payee) => (payee.isModelOwner ? 'ModelOwner' : `Dataset:${payee.asDataset}`);
const payeeArg = (payee) => (payee.isModelOwner ? 'ModelOwner' : { Dataset: payee.asDataset.toNumber() });

/**
 * Registers `data/<file>` for `owner` unless its hash is registered already (then its id,
 * if it is not retracted). Returns the dataset's id.
 */
async function registerDataset(api, owner, { file, uri, parents, derivation, permissions, royalty }) {
  const bytes = readFileSync(new URL(`data/${file}`, import.meta.url));
  const contentHash = blake2AsHex(bytes, 256); // `aioracle-node dataset hash FILE`
  const existing = await api.call.datasetProvenanceApi.datasetByHash(contentHash);
  if (existing.isSome) {
    const d = existing.unwrap();
    if (d.retraction.isSome) throw new Error(`${file} is registered as dataset ${d.id} and retracted: run this on a fresh dev chain`);
    console.log(`${file}: already registered as dataset ${d.id}`);
    return d.id.toNumber();
  }
  const tx = api.tx.datasetProvenance.registerDataset({
    contentHash,
    sizeBytes: bytes.length,
    recordCount: bytes.toString('utf8').trim().split('\n').length - 1, // minus the first line
    uri,
    licence: 'CC-BY-4.0',
    licenceFlags: { commercialUse: true, derivatives: true, shareAlike: false },
    parents,
    derivation,
    permissions, // fixed at registration, as the licence is
    royalty, // Permill: parts per million of a model's price per inference (at most 25%)
    // schemaHash omitted: null
  });
  const { events, blockNumber } = await send(api, tx, owner);
  const registered = findEvent(api, events, 'datasetProvenance', 'DatasetRegistered').data;
  const id = registered.dataset.toNumber();
  console.log(`${file}: dataset ${id}, ${owner.name}'s, in block #${blockNumber}: royalty ${percent(registered.royalty)}, ${describePermissions(registered.permissions)}`);
  return id;
}

/** Waits (up to a minute) until enough operators reproduced the version's golden vectors. */
async function waitForValidation(api, model, version) {
  const deadline = Date.now() + VALIDATION_TIMEOUT_MS;
  for (;;) {
    const { validation } = (await api.call.modelRegistryApi.provenance(model, version)).unwrap();
    const reproduced = validation.verdicts.filter(([, v]) => v.isReproduced).length;
    if (validation.validated.isTrue) {
      console.log(`  operators reproduced its golden vectors: ${reproduced} of quorum ${validation.quorum}`);
      return;
    }
    if (Date.now() >= deadline) {
      throw new Error(`model ${model} version ${version} not validated after ${VALIDATION_TIMEOUT_MS / 1000} s (${reproduced} reproductions of ${validation.quorum}): is an operator's node running?`);
    }
    await nextBlock(api, deadline - Date.now());
  }
}

/**
 * Follows the oracle's events from now on: `outcome(id)` resolves with request `id`'s
 * `ResultFinalized` or `RequestExpired`, and `credited(id)` is its `PriceCredited`, which
 * comes in the same block as its `ResultFinalized`.
 */
async function watchOracle(api) {
  const { ResultFinalized, RequestExpired, PriceCredited } = api.events.inferenceOracle;
  const outcomes = new Map();
  const credits = new Map();
  const waiting = new Map();
  const stop = await api.query.system.events((records) => {
    for (const { event } of records) {
      if (PriceCredited.is(event)) credits.set(event.data.request.toNumber(), event);
    }
    for (const { event } of records) {
      if (ResultFinalized.is(event) || RequestExpired.is(event)) {
        const id = event.data.request.toNumber();
        outcomes.set(id, event);
        waiting.get(id)?.(event);
      }
    }
  });
  return {
    stop,
    outcome: (id) => (outcomes.has(id) ? Promise.resolve(outcomes.get(id)) : new Promise((r) => waiting.set(id, r))),
    credited: (id) => credits.get(id),
  };
}

/** The first `section.method` event matching `matches`, in block `from` or a later one. */
async function eventSince(api, from, section, method, matches, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (let n = from; ;) {
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    for (; n <= best; n += 1) {
      const hash = await api.rpc.chain.getBlockHash(n);
      const records = await (await api.at(hash)).query.system.events();
      const found = records.find(({ event }) => api.events[section][method].is(event) && matches(event));
      if (found) return { event: found.event, blockNumber: n };
    }
    if (Date.now() >= deadline) throw new Error(`no ${section}.${method} within ${timeoutMs / 1000} s of block #${from}`);
    await nextBlock(api, deadline - Date.now());
  }
}

/** `account`'s free balance at block `hash`. */
async function freeAt(api, hash, account) {
  return (await (await api.at(hash)).query.system.account(account)).data.free.toBigInt();
}

await run(url, async (api) => {
  const [alice, dave, eve, ferdie] = await Promise.all(['Alice', 'Dave', 'Eve', 'Ferdie'].map((n) => devAccount(api, n)));
  const dapp = await devAccount(api, args.dapp);
  const keeper = await devAccount(api, args.keeper);
  const votes = await ayeVotes(api, args.votes);
  const unit = 10n ** BigInt(api.registry.chainDecimals[0]);
  const price = BigInt(Math.round(Number(args.price) * 1e6)) * (unit / 1_000_000n);

  const modelHash = blake2AsHex(onnx, 256);
  const used = await api.call.modelRegistryApi.versionByHash(modelHash);
  if (used.isSome) {
    const v = used.unwrap();
    throw new Error(`models/wine-mlp.onnx is already model ${v.model} version ${v.version} on this chain: run this on a fresh dev chain`);
  }

  // 1. The data, its owners' permissions and royalties. The terms under which Eve permits
  // inference stay off-chain; the chain keeps their hash (CAWG's constraints_info).
  console.log('1. datasets');
  const terms = 'Inference from models trained on this data: research and evaluation only.';
  const permissions = {
    aiTraining: 'Allowed', // cawg.ai_training: allowed
    aiInference: { Constrained: { constraint: blake2AsHex(terms, 256) } }, // cawg.ai_inference: constrained
    dataMining: 'NotAllowed', // cawg.data_mining: notAllowed
  };
  const wine = await registerDataset(api, eve, {
    file: 'wine.csv', uri: 'https://archive.ics.uci.edu/dataset/109/wine', parents: [], derivation: null,
    permissions, royalty: 5 * PERCENT,
  });
  const namedData = {
    file: 'wine-named.csv', uri: 'https://data.example/ferdie/wine-named.csv', parents: [wine],
    derivation: { Description: 'named columns: the 13 feature names and the cultivar, in place of the count line' },
    permissions, royalty: 10 * PERCENT,
  };
  // A child may not permit more than its parents: Ferdie cannot drop Eve's terms.
  let refusedPermission = null;
  const namedHash = blake2AsHex(readFileSync(new URL('data/wine-named.csv', import.meta.url)), 256);
  if ((await api.call.datasetProvenanceApi.datasetByHash(namedHash)).isNone) { // (not after an interrupted run)
    try {
      await registerDataset(api, ferdie, { ...namedData, permissions: { ...permissions, aiInference: 'Allowed' } });
    } catch (e) {
      refusedPermission = e.message.split(':')[0];
      console.log(`  Ferdie's wine-named.csv permitting inference without Eve's terms: refused, ${refusedPermission}`);
    }
    check(refusedPermission === 'datasetProvenance.PermissionWiderThanParent', `a wider child was refused with ${refusedPermission}`);
  }
  const named = await registerDataset(api, ferdie, namedData);
  const train = await registerDataset(api, dave, {
    file: 'wine-train.csv', uri: 'https://data.example/dave/wine-train.csv', parents: [named],
    derivation: { Description: 'train_test_split(test_size=0.25, random_state=0, stratify=cultivar): the training rows' },
    permissions, royalty: 0,
  });

  // 2. The model and its version. Royalties are fixed now, from the lineage.
  console.log('\n2. model version');
  let { events } = await send(api, api.tx.modelRegistry.createModel(reference.name, reference.description), dave);
  const model = findEvent(api, events, 'modelRegistry', 'ModelCreated').data.model.toNumber();
  const probabilities = reference.outputs.findIndex((o) => o.name === 'probabilities');
  // The run that made models/wine-mlp.onnx: the committed script that fits it (its hash),
  // the estimator with its hyperparameters as the reference JSON records it, scikit-learn's
  // version, and who ran it.
  const script = reference.generator.script;
  const trainingRun = {
    codeHash: blake2AsHex(readFileSync(new URL(`../../${script}`, import.meta.url)), 256),
    codeUri: script,
    hyperparametersHash: blake2AsHex(reference.training.estimator, 256),
    framework: 'scikit-learn',
    frameworkVersion: reference.generator.versions['scikit-learn'],
    ranBy: dave.address,
  };
  const proposal = {
    modelHash,
    uri: `https://models.example/${reference.file}`,
    inputs: [{ index: 0, elementType: 'F32', shape: [1, reference.n_features] }],
    output: { index: probabilities, elementType: 'F32', shape: [1, reference.classes.length] },
    inputScale: reference.fixed_point.input_scale,
    outputScale: reference.fixed_point.output_scale,
    aggregation: { Median: { tolerance: 10 } },
    minAgreement: 2, // committees of three
    trainingDatasets: [train], // must permit training (else TrainingNotPermitted)
    commercialUse: true, // sold per inference
    goldenVectors: reference.cases.slice(0, 3).map((c) => ({ input: c.input_fixed_point, output: c.outputs[probabilities].fixed_point })),
    trainingRun, // data -> run -> version
  };
  ({ events } = await send(api, api.tx.modelRegistry.proposeVersion(model, proposal, u8aToHex(onnx)), dave));
  const version = findEvent(api, events, 'modelRegistry', 'ModelVersionProposed').data.version.toNumber();
  let view = (await api.call.modelRegistryApi.version(model, version)).unwrap();
  const royalties = view.market.royalties.map((r) => ({ dataset: r.dataset.toNumber(), depth: r.depth.toNumber(), share: r.share.toNumber() }));
  console.log(`Dave's model ${model} "${reference.name}" version ${version}, trained on dataset ${train}`);
  for (const r of royalties) console.log(`  royalty: dataset ${r.dataset} at depth ${r.depth}, ${percent(r.share)} of the price`);
  console.log(`  the model's owner takes the rest; usage: ${describePermissions(view.usage)}`);
  check(JSON.stringify(royalties) === JSON.stringify([
    { dataset: named, depth: 2, share: 10 * PERCENT }, { dataset: wine, depth: 3, share: 5 * PERCENT },
  ]), `royalties ${JSON.stringify(royalties)}`);
  check(view.usage.aiInference.isConstrained && view.usage.dataMining.isNotAllowed && view.usage.aiTraining.isAllowed,
    `usage ${JSON.stringify(view.usage.toJSON())}`);
  const run = view.trainingRun.unwrap();
  console.log(`  trained by ${run.ranBy} with ${run.framework.toUtf8()} ${run.frameworkVersion.toUtf8()}: code ${run.codeUri.toUtf8()} (${run.codeHash.toHex()})`);
  check(run.codeHash.toHex() === trainingRun.codeHash && run.ranBy.toString() === dave.address
    && run.hyperparametersHash.toHex() === trainingRun.hyperparametersHash, 'the version names its training run');

  // 3. Validated by the operators, voted in by token holders.
  console.log('\n3. governance');
  await waitForValidation(api, model, version);
  const log = (line) => console.log(`  ${line}`);
  await passOrThrow(api, api.tx.modelRegistry.approveVersion(model, version), { proposer: dave, votes, log });
  await passOrThrow(api, api.tx.modelRegistry.activateVersion(model, version), { proposer: dave, votes, log });
  check((await api.call.modelRegistryApi.activeVersion(model)).unwrap().version.toNumber() === version, 'the version is active');
  console.log(`model ${model} version ${version} is Active`);

  // 4. The price, a quote, a request, and who was paid what.
  console.log('\n4. price, quote, request');
  ({ events } = await send(api, api.tx.modelRegistry.setPrice(model, version, price), dave));
  check(findEvent(api, events, 'modelRegistry', 'PriceSet').data.price.toBigInt() === price, 'PriceSet');
  console.log(`Dave sets the price: ${formatBalance(api, price)} per inference`);

  // The dApp's own account (dev chains: Alice funds it).
  if ((await api.query.system.account(dapp.address)).data.free.toBigInt() < 10n * unit) {
    await send(api, api.tx.balances.transferKeepAlive(dapp.address, 10n * unit), alice);
    console.log(`Alice funds the dApp ${dapp.address} with 10 AIO`);
  }

  const quoted = await api.call.inferenceOracleApi.quote(model);
  if (quoted.isErr) throw new Error(`quote(${model}): ${describeDispatchError(api, quoted.asErr)}`);
  const q = quoted.asOk;
  const split = q.split.map(([payee, amount]) => ({ payee: payeeKey(payee), arg: payeeArg(payee), amount: amount.toBigInt() }));
  console.log(`quote(${model}): version ${q.version}, fee ${formatBalance(api, q.fee)} + price ${formatBalance(api, q.price)} = total ${formatBalance(api, q.total)}; deposit ${formatBalance(api, q.deposit)}`);
  for (const s of split) console.log(`  ${s.payee}: ${formatBalance(api, s.amount)}`);
  check(q.price.toBigInt() === price && q.total.toBigInt() === q.fee.toBigInt() + price, 'quote: total = fee + price');
  const expected = { ModelOwner: (price * 85n) / 100n, [`Dataset:${named}`]: price / 10n, [`Dataset:${wine}`]: price / 20n };
  check(JSON.stringify(split.map((s) => [s.payee, String(s.amount)])) === JSON.stringify(Object.entries(expected).map(([k, v]) => [k, String(v)])),
    `quote split ${split.map((s) => `${s.payee}=${s.amount}`).join(', ')}`);

  const contract = (await api.call.modelRegistryApi.activeVersion(model)).unwrap();
  const input = args.input.split(',').map((x) => toFixedPoint(Number(x), contract.inputScale.toNumber()));
  // max_fee covers the fee AND the price now: the fee alone is refused.
  let refusedMaxFee = null;
  try {
    await send(api, api.tx.inferenceOracle.requestInference(model, input, q.fee), dapp);
  } catch (e) {
    refusedMaxFee = e.message.split(':')[0];
    console.log(`request with maxFee = the fee alone: refused, ${refusedMaxFee}`);
  }
  check(refusedMaxFee === 'inferenceOracle.FeeAboveMax', `maxFee below the total was refused with ${refusedMaxFee}`);

  const watcher = await watchOracle(api);
  let request;
  let outcome;
  try {
    ({ events } = await send(api, api.tx.inferenceOracle.requestInference(model, input, q.total), dapp));
    const requested = findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data;
    request = requested.request.toNumber();
    console.log(`request ${request}: fee ${formatBalance(api, requested.fee)} and price ${formatBalance(api, requested.price)} held from the dApp`);
    check(requested.price.toBigInt() === price && requested.fee.toBigInt() === q.fee.toBigInt(), 'InferenceRequested holds the quoted fee and price');
    outcome = await watcher.outcome(request);
  } finally {
    watcher.stop();
  }
  check(api.events.inferenceOracle.ResultFinalized.is(outcome), `request ${request} finalized (not expired)`);
  const output = outcome.data.output.map((x) => x.toNumber());
  const credited = watcher.credited(request);
  check(credited?.data.price.toBigInt() === price, `PriceCredited ${credited?.data.price} for request ${request}`);
  console.log(`ResultFinalized: [${output.join(', ')}] = [${output.map((x) => fromFixedPoint(x, contract.outputScale.toNumber())).join(', ')}]; PriceCredited ${formatBalance(api, price)} to version ${version}'s earnings`);

  const explained = (await api.call.inferenceOracleApi.explain(request)).unwrap();
  const explainedRun = explained.provenance.unwrap().version.trainingRun.unwrap();
  check(explainedRun.codeHash.toHex() === trainingRun.codeHash, 'explain traces the result to its training run');
  const payments = [];
  console.log('explain().payments:');
  for (const p of explained.payments) {
    const to = p.to.isOperator ? `Operator:${p.to.asOperator}` : payeeKey(p.to.asPayee);
    const who = p.to.isOperator ? await accountName(api, p.to.asOperator) : to;
    console.log(`  ${p.to.isOperator ? 'fee share to' : 'price share to'} ${who}: ${formatBalance(api, p.amount)}`);
    payments.push({ to, amount: p.amount.toBigInt() });
  }
  for (const s of split) {
    check(payments.some((p) => p.to === s.payee && p.amount === s.amount), `explain pays ${s.payee} ${s.amount}`);
  }
  const agreeing = outcome.data.agreeing.length;
  const feeShare = q.fee.toBigInt() / BigInt(agreeing);
  check(payments.filter((p) => p.to.startsWith('Operator:')).length === agreeing
    && payments.filter((p) => p.to.startsWith('Operator:')).every((p) => p.amount === feeShare), 'each agreeing operator\'s fee share');
  view = (await api.call.modelRegistryApi.version(model, version)).unwrap();
  check(view.market.earnings.toBigInt() === price, `earnings ${view.market.earnings}`);

  // 5. Paying out: anyone may, to whoever owns the payee now. The keeper pays the
  // transaction fees; each owner's free balance rises by exactly its share.
  console.log(`\n5. pay-outs by ${keeper.name}`);
  const payouts = [];
  for (const s of split) {
    const owner = s.payee === 'ModelOwner'
      ? (await api.call.modelRegistryApi.model(model)).unwrap().owner.toString()
      : (await api.call.datasetProvenanceApi.dataset(s.arg.Dataset)).unwrap().owner.toString();
    const sent = await send(api, api.tx.modelRegistry.payOut(model, version, s.arg), keeper);
    const paid = findEvent(api, sent.events, 'modelRegistry', 'EarningsPaidOut').data;
    // The owner's free balance just before the block and after it.
    const { parentHash } = await api.rpc.chain.getHeader(sent.blockHash);
    const before = await freeAt(api, parentHash, owner);
    const after = await freeAt(api, sent.blockHash, owner);
    console.log(`  payOut(${model}, ${version}, ${s.payee}) in block #${sent.blockNumber}: ${formatBalance(api, paid.amount)} to ${await accountName(api, paid.to)}; free balance +${formatBalance(api, after - before)}`);
    check(paid.to.toString() === owner, `${s.payee} paid to ${paid.to}, its owner is ${owner}`);
    check(paid.amount.toBigInt() === s.amount, `${s.payee} paid ${paid.amount}, its share is ${s.amount}`);
    check(after - before === s.amount, `${s.payee}'s owner's free balance rose by ${after - before}, not by its share ${s.amount}`);
    payouts.push({
      payee: s.payee, to: owner, amount: s.amount, before, after, block: sent.blockNumber, blockHash: sent.blockHash.toHex(),
    });
  }
  // Paid already: nothing more is owed until the version earns again.
  let refusedSecondPayOut = null;
  try {
    await send(api, api.tx.modelRegistry.payOut(model, version, { Dataset: wine }), keeper);
  } catch (e) {
    refusedSecondPayOut = e.message.split(':')[0];
    console.log(`  payOut(${model}, ${version}, Dataset:${wine}) again: refused, ${refusedSecondPayOut}`);
  }
  check(refusedSecondPayOut === 'modelRegistry.NothingToPayOut', `a second pay-out was refused with ${refusedSecondPayOut}`);

  // 6. Eve withdraws her data. Everything trained on it, or on data derived from it, is
  // tainted from the retraction's block on: the dApp sees it at once, before the registry's
  // scan (a little per block, in on_idle) has marked the version.
  console.log('\n6. retraction');
  const retracted = await send(api, api.tx.datasetProvenance.retract(wine, 'consent withdrawn for part of the samples'), eve);
  findEvent(api, retracted.events, 'datasetProvenance', 'DatasetRetracted');
  const at = (await api.call.datasetProvenanceApi.dataset(wine)).unwrap().retraction.unwrap().at.toNumber();
  console.log(`Eve retracts dataset ${wine} in block #${retracted.blockNumber}`);
  check(at === retracted.blockNumber, `the retraction's block ${at}`);

  const after = (await (await api.at(retracted.blockHash)).call.inferenceOracleApi.explain(request)).unwrap();
  const taintedSince = after.taintedSince.isSome ? after.taintedSince.unwrap().toNumber() : null;
  const taintedDatasets = after.taintedDatasets.map((d) => d.toNumber());
  console.log(`explain(${request}) at that block: taintedSince #${taintedSince}, training datasets tainted now [${taintedDatasets.join(', ')}]`);
  check(taintedSince === at, `explain's taintedSince ${taintedSince}, the retraction was in block ${at}`);
  check(JSON.stringify(taintedDatasets) === JSON.stringify([train]), `taintedDatasets [${taintedDatasets}]`);

  const listed = await (await api.at(retracted.blockHash)).call.inferenceOracleApi.taintedResults(dapp.address, 10);
  const taintedResults = listed.map((t) => ({
    request: t.request.toNumber(), model: t.model.toNumber(), version: t.version.toNumber(), since: t.since.toNumber(),
  }));
  console.log(`taintedResults(dApp, 10): ${taintedResults.map((t) => `request ${t.request} (model ${t.model} version ${t.version}) since #${t.since}`).join('; ')}`);
  check(taintedResults.some((t) => t.request === request && t.model === model && t.version === version && t.since === at),
    `taintedResults lists request ${request}`);

  // The registry's scan: VersionTainted names the retained requests among which the
  // version's results are.
  const found = await eventSince(api, retracted.blockNumber, 'modelRegistry', 'VersionTainted',
    (e) => e.data.model.toNumber() === model && e.data.version.toNumber() === version, TAINT_SCAN_TIMEOUT_MS);
  const range = found.event.data.requests.isSome ? found.event.data.requests.unwrap().map((r) => r.toNumber()) : null;
  console.log(`VersionTainted model ${model} version ${version} in block #${found.blockNumber}: retained requests ${range ? `${range[0]} to ${range[1]}` : 'none'}`);
  check(range !== null && range[0] <= request && request <= range[1], `VersionTainted's range ${range} holds request ${request}`);
  const marked = await api.query.modelRegistry.taintedVersions(model, version);
  check(marked.isSome, 'TaintedVersions marks the version');

  // The version still serves: taint tells, governance deprecates or rolls it back.
  const again = await api.call.inferenceOracleApi.quote(model);
  const quoteAfterRetraction = again.isOk ? 'Ok' : describeDispatchError(api, again.asErr);
  console.log(`quote(${model}) now: ${again.isOk ? `Ok, version ${again.asOk.version} still serves until governance deprecates it` : quoteAfterRetraction}`);

  printResult({
    datasets: { wine, named, train },
    owners: { wine: eve.address, named: ferdie.address, train: dave.address, model: dave.address },
    refusedPermission,
    model,
    version,
    royalties,
    usage: permissionsJson(view.usage),
    price,
    quote: {
      version: q.version.toNumber(), fee: q.fee.toBigInt(), price: q.price.toBigInt(), total: q.total.toBigInt(),
      deposit: q.deposit.toBigInt(), split: split.map(({ payee, amount }) => ({ payee, amount })),
    },
    refusedMaxFee,
    dapp: dapp.address,
    request,
    input: input.map(Number),
    output,
    payments,
    payouts,
    refusedSecondPayOut,
    retraction: { dataset: wine, at },
    taintedSince,
    taintedDatasets,
    taintedResults,
    versionTainted: { block: found.blockNumber, requests: range },
    quoteAfterRetraction,
  });
});
