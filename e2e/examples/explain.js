// Explains an inference result: its chain of custody, from one runtime-API call,
// `inferenceOracleApi.explain(request)`: the request, the accepted output and who agreed,
// every operator's submission, the model version that scored it (hash, status, when the
// council approved and activated it), the datasets it was trained on with their licences,
// lineage and taint, which of them are tainted now and since which block the result is;
// who was paid what from its fee and price; for a request sampled by the
// model's canary, the candidate version that scored it too, what the comparison found, and
// the canary's figures.
//
//   node e2e/examples/explain.js [ws-url] [--request ID]    (default: the latest request)

import { fromFixedPoint } from './fixed-point.js';
import { accountName, cli, formatBalance, printResult, run } from './lib/chain.js';

const { url, args } = cli('node explain.js [ws-url] [--request ID]', {
  request: { type: 'string' },
});

/** `Some(x)` as `f(x)`, `None` as null. */
const opt = (o, f = (x) => x.toNumber()) => (o.isSome ? f(o.unwrap()) : null);

await run(url, async (api) => {
  const id = args.request !== undefined
    ? Number(args.request)
    : (await api.query.inferenceOracle.nextRequestId()).toNumber() - 1;
  const explained = await api.call.inferenceOracleApi.explain(id);
  if (explained.isNone) throw new Error(`request ${id} does not exist (or is no longer retained)`);
  const {
    request, result, submissions, provenance, taintedDatasets, canary, canaryRecord, payments, taintedSince,
  } = explained.unwrap();

  // The request, and the model version that scored it: the one active when it was made.
  const model = request.model.toNumber();
  const modelName = (await api.call.modelRegistryApi.model(model)).unwrap().name.toUtf8();
  const version = provenance.unwrap().version;
  const scale = version.outputScale.toNumber();
  console.log(`request ${id} by ${await accountName(api, request.requester)} in block #${request.createdAt}: ${request.status}`);
  console.log(`  model ${model} "${modelName}" version ${request.version}, input [${request.input.join(', ')}]`);

  // The accepted answer, and each operator's part in it.
  if (result.isSome) {
    const r = result.unwrap();
    console.log(`result, final in block #${r.finalizedAt}: [${r.output.join(', ')}] = [${r.output.map((q) => fromFixedPoint(q, scale)).join(', ')}]`);
    for (const a of r.agreeing) console.log(`  agreed:  ${await accountName(api, a)}`);
    for (const o of r.outliers) console.log(`  outlier: ${await accountName(api, o)}`);
    for (const [who, failure] of r.failed) console.log(`  failed:  ${await accountName(api, who)}: ${failure}`);
  }
  // Who was paid: each agreeing operator's share of the fee, and the version's price split
  // between the model's owner and its data's royalties (credited to the version's earnings,
  // paid out by anyone with modelRegistry.payOut).
  const paid = payments.map((p) => ({
    to: p.to.isOperator ? p.to.asOperator.toString() : (p.to.asPayee.isModelOwner ? 'ModelOwner' : `Dataset:${p.to.asPayee.asDataset}`),
    operator: p.to.isOperator,
    amount: p.amount.toBigInt(),
  }));
  const feeShares = paid.filter((p) => p.operator);
  if (feeShares.length) {
    console.log(`  fee: ${formatBalance(api, feeShares[0].amount)} to each of the ${feeShares.length} agreeing operator(s)`);
  }
  const priceShares = paid.filter((p) => !p.operator);
  if (priceShares.length) {
    const parts = priceShares.map((p) => `${formatBalance(api, p.amount)} to ${p.to === 'ModelOwner' ? "the model's owner" : `dataset ${p.to.split(':')[1]}'s owner`}`);
    console.log(`  price: ${formatBalance(api, request.price)}, credited ${parts.join(', ')}`);
  }
  for (const s of submissions) {
    const what = s.outcome.isOutput ? `output [${s.outcome.asOutput.join(', ')}]` : `FAILED: ${s.outcome.asFailed}`;
    console.log(`  submission by ${await accountName(api, s.operator)} in block #${s.at}: ${what}`);
  }

  // The model version: what was run, and who let it run.
  const blocks = version.statusBlocks;
  console.log(`model version ${version.version}: ONNX ${version.modelHash.toHex()} (${version.sizeBytes} bytes), now ${version.status}`);
  console.log(`  proposed in block #${blocks.proposed}, approved #${opt(blocks.approved)}, last activated #${opt(blocks.activated)}`);
  const rule = version.aggregation.isMedian
    ? `median within ${version.aggregation.asMedian.tolerance} units`
    : 'exact majority';
  console.log(`  aggregation: ${rule}, at least ${version.minAgreement} agreeing operator(s)`);

  // A request sampled by the model's canary: the candidate version scored it too, and
  // once it was finalized the chain compared its output with the result (within the
  // scoring version's tolerance). The requester got the result above either way.
  let canaryJson = null;
  if (canary.isSome) {
    const check = canary.unwrap();
    const verdict = check.verdict.isSome ? check.verdict.unwrap().toString() : null;
    const judged = verdict ?? (request.status.isPending ? 'not judged yet' : 'not compared (no candidate report from an agreeing operator)');
    console.log(`canary: sampled for version ${check.version} (ONNX ${check.modelHash.toHex()}), which scored it too: ${judged}`);
    let record = null;
    if (canaryRecord.isSome) {
      const c = canaryRecord.unwrap();
      const ended = c.ended.isSome ? `ended in block #${c.ended.unwrap()[0]}: ${c.ended.unwrap()[1]}` : 'running';
      console.log(`  version ${check.version}'s canary: sampling ${c.sample.toHuman()} since block #${c.startedAt}, ${ended}; `
        + `falls back past ${c.maxFailures} failure(s) or ${c.maxDisagreements} disagreement(s)`);
      console.log(`  compared ${c.compared}: agreed ${c.agreed}, disagreed ${c.disagreed}, failed ${c.failed}; `
        + `scoring ${c.candidateMillis} ms (candidate) vs ${c.activeMillis} ms (active), summed`);
      record = {
        sample: c.sample.toNumber(),
        maxFailures: c.maxFailures.toNumber(),
        maxDisagreements: c.maxDisagreements.toNumber(),
        startedAt: c.startedAt.toNumber(),
        ended: c.ended.isSome ? c.ended.unwrap()[1].toString() : null,
        compared: c.compared.toNumber(),
        agreed: c.agreed.toNumber(),
        disagreed: c.disagreed.toNumber(),
        failed: c.failed.toNumber(),
        candidateMillis: c.candidateMillis.toNumber(),
        activeMillis: c.activeMillis.toNumber(),
      };
    }
    canaryJson = { version: check.version.toNumber(), modelHash: check.modelHash.toHex(), verdict, record };
  }

  // The data it was trained on, back to the original sources.
  const training = [];
  for (const t of provenance.unwrap().trainingDatasets) {
    const d = t.dataset;
    const tainted = t.taint.retracted.isTrue || t.taint.retractedAncestors.length > 0;
    console.log(`trained on dataset ${d.id}: ${d.uri.toUtf8()}`);
    console.log(`  hash ${d.contentHash.toHex()}, ${d.sizeBytes} bytes, licence ${d.licence.toUtf8()} ${JSON.stringify(d.licenceFlags.toJSON())}`);
    console.log(`  registered by ${await accountName(api, d.owner)} in block #${d.registeredAt}${d.retraction.isSome ? `, RETRACTED: ${d.retraction.unwrap().reason.toUtf8()}` : ''}`);
    for (const a of t.ancestors.datasets) {
      const ancestor = (await api.call.datasetProvenanceApi.dataset(a.id)).unwrap();
      console.log(`  ${'  '.repeat(a.depth.toNumber() - 1)}derived from dataset ${a.id}: ${ancestor.uri.toUtf8()}${a.retracted.isTrue ? ' (RETRACTED)' : ''}`);
    }
    console.log(`  ${tainted ? `TAINTED by [${t.taint.retractedAncestors.join(', ')}]` : 'not tainted'}`);
    training.push({
      id: d.id.toNumber(),
      contentHash: d.contentHash.toHex(),
      uri: d.uri.toUtf8(),
      licence: d.licence.toUtf8(),
      ancestors: t.ancestors.datasets.map((a) => a.id.toNumber()),
      tainted,
    });
  }
  console.log(`training datasets tainted now: [${taintedDatasets.join(', ')}]`);
  // Tainted results: from the block of the earliest retraction in the version's lineage on.
  if (taintedSince.isSome) console.log(`this result rests on withdrawn data: TAINTED since block #${taintedSince.unwrap()}`);

  const r = result.isSome ? result.unwrap() : null;
  printResult({
    request: id,
    status: request.status.toString(),
    model,
    modelName,
    version: request.version.toNumber(),
    modelHash: version.modelHash.toHex(),
    versionStatus: version.status.toString(),
    output: r ? r.output.map((q) => q.toNumber()) : null,
    agreeing: r ? r.agreeing.map(String) : [],
    outliers: r ? r.outliers.map(String) : [],
    submissions: submissions.length,
    trainingDatasets: training,
    taintedDatasets: taintedDatasets.map((d) => d.toNumber()),
    taintedSince: taintedSince.isSome ? taintedSince.unwrap().toNumber() : null,
    payments: paid.map(({ to, amount }) => ({ to, amount })),
    canary: canaryJson,
  });
});
