// Token holders put an approved model version in canary through OpenGov before they
// activate it: a referendum on the `model_upgrades` track calls
// `modelRegistry.startCanary(model, version, sample, maxFailures, maxDisagreements)`.
// From then on the oracle samples `sample` of the model's requests; every request is still
// answered by the active version, and the committee of a sampled one scores it with the
// candidate too. When the request is finalized the chain compares the candidate's output
// with the result, within the active version's tolerance: `Agreed`, `Disagreed`, or
// `Failed` (mostly failures, or its operators did not agree). Past `maxFailures` failures
// or `maxDisagreements` disagreements the canary falls back by itself: the version is
// `Approved` again and may not be activated until a new canary passes. A referendum on
// `activateVersion` (referendum-activate-version.js) promotes it.
//
// The candidate must be served like the active version (same inputs, input scale, input
// decoding, output and output scale): the script checks that first and says what differs
// (the enacted call would fail with modelRegistry.CanaryContractDiffers). A `Proposed`
// version that the operators validated is approved by a referendum first.
//
// Then the script follows the canary's figures (the version view's `canary`) at each
// block and prints them as they grow, for `--watch` seconds at most, or until the canary
// ends, or until the requests it made itself (`--requests N`: the active version's
// golden-vector inputs in turn) are judged.
//
//   node e2e/examples/referendum-start-canary.js [ws-url] --model 0 --version 2
//        [--sample 100] [--max-failures 0] [--max-disagreements 10]
//        [--requests 3] [--requester Eve] [--watch 120]
//        [--proposer Dave] [--votes Dave:500000:Locked1x,Eve:400000:Locked2x,Ferdie:300000:Locked3x]

import {
  accountName, cli, devAccount, findEvent, nextBlock, printResult, run, send,
} from './lib/chain.js';
import { ayeVotes, passOrThrow } from './lib/referenda.js';

const { url, args } = cli(
  'node referendum-start-canary.js [ws-url] --model ID --version N [--sample PERCENT] [--max-failures N] '
  + '[--max-disagreements N] [--requests N] [--requester Eve] [--watch SECONDS] [--proposer Dave] [--votes NAME:AIO:CONVICTION,...]',
  {
    model: { type: 'string' },
    version: { type: 'string' },
    // The share of the model's requests the candidate scores too, in percent.
    sample: { type: 'string', default: '100' },
    'max-failures': { type: 'string', default: '0' },
    'max-disagreements': { type: 'string', default: '10' },
    requests: { type: 'string', default: '0' },
    requester: { type: 'string', default: 'Eve' },
    watch: { type: 'string', default: '120' },
    proposer: { type: 'string', default: 'Dave' },
    votes: { type: 'string', default: 'Dave:500000:Locked1x,Eve:400000:Locked2x,Ferdie:300000:Locked3x' },
  },
);
if (args.model === undefined || args.version === undefined) {
  console.error('--model and --version are required');
  process.exit(2);
}

/** Parts per billion of `percent` (a `Perbill`: 1,000,000,000 is 100%). */
function perbill(percent) {
  const p = Number(percent);
  if (!(p > 0 && p <= 100)) throw new Error(`--sample ${percent}: a percentage above 0, at most 100`);
  return Math.round(p * 10_000_000);
}

/**
 * What makes two versions answer a request alike, as `startCanary` compares them; returns
 * the differences as text (none: they are served alike).
 */
async function servingDifferences(api, model, active, candidate) {
  const differences = [];
  const same = (what, a, b) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      differences.push(`${what}: version ${active.version} ${JSON.stringify(a)}, version ${candidate.version} ${JSON.stringify(b)}`);
    }
  };
  same('inputs', active.inputs.toJSON(), candidate.inputs.toJSON());
  same('input scale', active.inputScale.toNumber(), candidate.inputScale.toNumber());
  same('output', active.output.toJSON(), candidate.output.toJSON());
  same('output scale', active.outputScale.toNumber(), candidate.outputScale.toNumber());
  const decoding = async (v) => (await api.query.modelRegistry.inputDecodings(model, v)).toJSON();
  same('input decoding', await decoding(active.version), await decoding(candidate.version));
  return differences;
}

/** `compared 3: agreed 0, disagreed 3, failed 0; scoring 5 ms (candidate) vs 4 ms (active)` */
function figuresText(c) {
  return `compared ${c.compared}: agreed ${c.agreed}, disagreed ${c.disagreed}, failed ${c.failed}; `
    + `scoring ${c.candidateMillis} ms (candidate) vs ${c.activeMillis} ms (active), summed`;
}

await run(url, async (api) => {
  const model = Number(args.model);
  const version = Number(args.version);
  const sample = perbill(args.sample);
  const maxFailures = Number(args['max-failures']);
  const maxDisagreements = Number(args['max-disagreements']);
  const proposer = await devAccount(api, args.proposer);
  const votes = await ayeVotes(api, args.votes);
  const pass = (call) => passOrThrow(api, call, { proposer, votes });
  const versionView = async (v) => {
    const view = await api.call.modelRegistryApi.version(model, v);
    if (view.isNone) throw new Error(`model ${model} has no version ${v}`);
    return view.unwrap();
  };

  // What the canary compares with: the model's active version.
  const active = await api.call.modelRegistryApi.activeVersion(model);
  if (active.isNone) throw new Error(`model ${model} has no active version to compare with (modelRegistry.NoActiveVersion)`);
  const activeVersion = active.unwrap().version.toNumber();
  let candidate = await versionView(version);
  console.log(`model ${model} version ${version} is ${candidate.status}; version ${activeVersion} is active`);

  const running = await api.query.modelRegistry.runningCanary(model);
  if (running.isSome && running.unwrap().toNumber() !== version) {
    throw new Error(`model ${model} already runs a canary of version ${running.unwrap()} (modelRegistry.CanaryRunning): `
      + 'promote it (activateVersion) or end it (endCanary) first');
  }
  if (candidate.status.isCanary) {
    console.log(`model ${model} version ${version} is in canary already: following its figures`);
  } else {
    const differences = await servingDifferences(api, model, active.unwrap(), candidate);
    if (differences.length) {
      throw new Error(`version ${version} is not served like version ${activeVersion}, `
        + `so a canary cannot compare them (modelRegistry.CanaryContractDiffers): ${differences.join('; ')}`);
    }
    console.log(`version ${version} is served like version ${activeVersion}: same inputs, output, scales and input decoding`);
    if (candidate.status.isProposed) {
      // Operators' nodes check the version while it is Proposed; a referendum may approve
      // it once enough of them reproduced its golden vectors.
      const { validation } = (await api.call.modelRegistryApi.provenance(model, version)).unwrap();
      if (!validation.validated.isTrue) {
        throw new Error(`model ${model} version ${version} is not validated yet (${validation.verdicts.length} verdict(s), `
          + `quorum ${validation.quorum}): a referendum cannot approve it (NotValidated); wait for the operators' nodes and run this again`);
      }
      await pass(api.tx.modelRegistry.approveVersion(model, version));
      candidate = await versionView(version);
      console.log(`model ${model} version ${version} is ${candidate.status}`);
    }
    if (!candidate.status.isApproved) {
      throw new Error(`a ${candidate.status} version cannot be put in canary (modelRegistry.NotApproved): only an Approved one`);
    }
    // Approved -> Canary.
    await pass(api.tx.modelRegistry.startCanary(model, version, sample, maxFailures, maxDisagreements));
    candidate = await versionView(version);
  }

  let record = candidate.canary.unwrap();
  console.log(`model ${model} version ${version} is ${candidate.status}: sampling ${record.sample.toHuman()} of version `
    + `${activeVersion}'s requests since block #${record.startedAt}; it falls back past ${record.maxFailures} failure(s) `
    + `or ${record.maxDisagreements} disagreement(s)`);

  // Requests, as a dApp makes them, with the active version's golden-vector inputs.
  const made = [];
  const requestCount = Number(args.requests);
  if (requestCount > 0) {
    const requester = await devAccount(api, args.requester);
    const inputs = active.unwrap().goldenVectors.map((g) => g.input);
    for (let k = 0; k < requestCount; k += 1) {
      const input = inputs[k % inputs.length];
      const tx = api.tx.inferenceOracle.requestInference(model, input, api.consts.inferenceOracle.requestFee);
      const { events, blockNumber } = await send(api, tx, requester);
      const requested = findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data;
      const sampled = events.some(({ event }) => api.events.inferenceOracle.CanarySampled.is(event));
      made.push({ request: requested.request.toNumber(), sampled, verdict: null, done: !sampled });
      console.log(`request ${requested.request} by ${await accountName(api, requester.address)} in block #${blockNumber}: `
        + `input [${input.join(', ')}], answered by version ${requested.version}${sampled ? `, sampled for version ${version}` : ', not sampled'}`);
    }
  }

  // The figures, as they grow.
  const deadline = Date.now() + Number(args.watch) * 1000;
  let last = '';
  const counts = (r) => ({
    compared: r.compared.toNumber(),
    agreed: r.agreed.toNumber(),
    disagreed: r.disagreed.toNumber(),
    failed: r.failed.toNumber(),
    candidateMillis: r.candidateMillis.toNumber(),
    activeMillis: r.activeMillis.toNumber(),
  });
  for (;;) {
    const header = await api.rpc.chain.getHeader();
    record = (await versionView(version)).canary.unwrap();
    const line = figuresText(counts(record));
    if (line !== last) {
      console.log(`#${header.number}: ${line}`);
      last = line;
    }
    for (const r of made.filter((m) => !m.done)) {
      const explained = (await api.call.inferenceOracleApi.explain(r.request)).unwrap();
      const check = explained.canary.unwrap();
      if (check.verdict.isSome) {
        r.verdict = check.verdict.unwrap().toString();
        console.log(`  request ${r.request}: ${r.verdict}`);
        r.done = true;
      } else if (!explained.request.status.isPending) {
        console.log(`  request ${r.request}: ${explained.request.status} without a comparison (not counted)`);
        r.done = true;
      }
    }
    if (record.ended.isSome) {
      const [at, end] = record.ended.unwrap();
      console.log(`the canary ended in block #${at}: ${end}`);
      break;
    }
    if (made.length > 0 && made.every((m) => m.done)) break;
    if (Date.now() >= deadline) break;
    await nextBlock(api, deadline - Date.now());
  }

  const status = (await versionView(version)).status.toString();
  console.log(`model ${model} version ${version} is ${status}`
    + `${status === 'Canary' ? `: promote it with a referendum on modelRegistry.activateVersion(${model}, ${version})` : ''}`);
  printResult({
    model,
    version,
    status,
    activeVersion,
    sample: record.sample.toNumber(),
    maxFailures: record.maxFailures.toNumber(),
    maxDisagreements: record.maxDisagreements.toNumber(),
    startedAt: record.startedAt.toNumber(),
    ended: record.ended.isSome ? record.ended.unwrap()[1].toString() : null,
    ...counts(record),
    requests: made.map(({ request, sampled, verdict }) => ({ request, sampled, verdict })),
  });
});
