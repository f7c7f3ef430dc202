// Token holders vote a proposed model version in through OpenGov: a referendum on the
// `model_upgrades` track to approve it, then one to activate it. For each, the proposer
// notes the call's preimage, submits the referendum and places the track's decision
// deposit (100 AIO, refundable); each voter votes aye with a balance locked at a
// conviction; once approval and support have stayed above the track's curves for its
// confirm period, the scheduler enacts the call with the track's origin. On the dev chain
// (tracks at the `Dev` pace: prepared in 2 blocks, confirmed in 3, enacted 1 block later)
// each referendum takes about 8 blocks. Once active, the version scores every new inference
// request for its model; the version active before is deprecated and remembered for a
// rollback (council-rollback.js: the council's emergency brake). Between approval and
// activation, token holders may first try the version on a sample of live requests
// (referendum-start-canary.js); activating a version in canary promotes it.
//
// Governance may approve a version only once enough operators' nodes reproduced its
// golden vectors (max(2, minAgreement) operators of the operator set; otherwise the
// enacted approval fails with modelRegistry.NotValidated): the script waits up to a
// minute for their verdicts first. On the dev chain the node judges a proposal for Alice,
// Bob and Charlie within a block or two.
//
//   node e2e/examples/referendum-activate-version.js [ws-url] --model 0 --version 2
//        [--proposer Dave] [--votes Dave:500000:Locked1x,Eve:400000:Locked2x,Ferdie:300000:Locked3x]

import { accountName, cli, devAccount, nextBlock, printResult, run } from './lib/chain.js';
import { ayeVotes, passOrThrow } from './lib/referenda.js';

const { url, args } = cli(
  'node referendum-activate-version.js [ws-url] --model ID --version N [--proposer Dave] [--votes NAME:AIO:CONVICTION,...]',
  {
    model: { type: 'string' },
    version: { type: 'string' },
    proposer: { type: 'string', default: 'Dave' },
    // Each aye vote: who, how many AIO, at which conviction (None, Locked1x ... Locked6x).
    votes: { type: 'string', default: 'Dave:500000:Locked1x,Eve:400000:Locked2x,Ferdie:300000:Locked3x' },
  },
);
if (args.model === undefined || args.version === undefined) {
  console.error('--model and --version are required');
  process.exit(2);
}

const VALIDATION_TIMEOUT_MS = 60_000;

/** `Reproduced`, or `Failed: GoldenVectorMismatch` (`ModelBytesUnavailable`, `Engine(...)`). */
function verdictText(verdict) {
  if (verdict.isReproduced) return 'Reproduced';
  const failure = verdict.asFailed;
  return `Failed: ${failure.isEngine ? `Engine(${failure.asEngine.toString()})` : failure.type}`;
}

/**
 * Operators' validation of a proposed version, `{ verdicts, quorum, validated }`, read
 * from its provenance at each new block until it is validated or `timeoutMs` passed.
 */
async function waitForValidation(api, model, version, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { validation } = (await api.call.modelRegistryApi.provenance(model, version)).unwrap();
    if (validation.validated.isTrue || Date.now() >= deadline) return validation;
    await nextBlock(api, deadline - Date.now());
  }
}

await run(url, async (api) => {
  const model = Number(args.model);
  const version = Number(args.version);
  const proposer = await devAccount(api, args.proposer);
  const votes = await ayeVotes(api, args.votes);
  const pass = (call) => passOrThrow(api, call, { proposer, votes });
  const status = async () => {
    const v = await api.call.modelRegistryApi.version(model, version);
    if (v.isNone) throw new Error(`model ${model} has no version ${version}`);
    return v.unwrap().status.toString();
  };

  let previous = null;
  console.log(`model ${model} version ${version} is ${await status()}`);
  if ((await status()) === 'Proposed') {
    // Operators' nodes check the version while it is Proposed: wait for a quorum of them.
    const validation = await waitForValidation(api, model, version, VALIDATION_TIMEOUT_MS);
    const verdicts = await Promise.all(validation.verdicts.map(
      async ([who, verdict]) => `${await accountName(api, who)}: ${verdictText(verdict)}`,
    ));
    const reproduced = validation.verdicts.filter(([, v]) => v.isReproduced).length;
    console.log(`operators' verdicts: ${reproduced} reproduced of quorum ${validation.quorum}`);
    for (const line of verdicts) console.log(`  ${line}`);
    if (!validation.validated.isTrue) {
      const failed = verdicts.filter((line) => !line.endsWith(': Reproduced'));
      throw new Error(
        `model ${model} version ${version} is not validated after ${VALIDATION_TIMEOUT_MS / 1000} s: `
        + `${reproduced} of the ${validation.quorum} operators' reproductions governance needs`
        + `${failed.length ? `; failed: ${failed.join('; ')}` : ''}`
        + `${verdicts.length ? '' : '; no operator has judged it (is an operator\'s node running?)'}`
        + '. A referendum cannot approve it (NotValidated); root (sudo) may.',
      );
    }
    // Proposed -> Approved. Refused (TrainingDataTainted) if its training data was retracted.
    await pass(api.tx.modelRegistry.approveVersion(model, version));
    console.log(`model ${model} version ${version} is ${await status()}`);
  }
  if (['Approved', 'Canary', 'Deprecated'].includes(await status())) {
    // Approved (or Deprecated) -> Active; the active one -> Deprecated. A version in
    // canary (referendum-start-canary.js) is promoted: its canary ends `Promoted`. A
    // version whose last canary fell back is refused (CanaryFailuresAboveBound).
    const before = (await api.call.modelRegistryApi.model(model)).unwrap().activeVersion;
    await pass(api.tx.modelRegistry.activateVersion(model, version));
    previous = before.isSome ? before.unwrap().toNumber() : null;
    console.log(`model ${model} version ${version} is Active${previous === null ? '' : ` (version ${previous} is Deprecated)`}`);
  } else if ((await status()) !== 'Active') {
    throw new Error(`a ${await status()} version cannot be activated`);
  }

  const view = (await api.call.modelRegistryApi.model(model)).unwrap();
  console.log(`model ${model}: active version ${view.activeVersion}, rollback to [${view.previousVersions.join(', ')}]`);
  printResult({
    model,
    version,
    status: await status(),
    previous,
    activeVersion: view.activeVersion.unwrap().toNumber(),
    previousVersions: view.previousVersions.map((v) => v.toNumber()),
  });
});
