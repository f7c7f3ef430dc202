// The council votes a proposed model version in: a motion to approve it, then a motion to
// activate it. Each motion is proposed by one member, voted aye by two of the three dev
// members (two thirds), and closed, which executes it. Once active, the version scores
// every new inference request for its model; the version active before is deprecated and
// remembered for a rollback (council-rollback.js).
//
// The council may approve a version only once enough operators' nodes reproduced its
// golden vectors (max(2, minAgreement) operators of the operator set; otherwise the
// approval fails with modelRegistry.NotValidated, and only root may approve it): the
// script waits up to a minute for their verdicts first. On the dev chain the node judges
// a proposal for Alice, Bob and Charlie within a block or two.
//
//   node e2e/examples/council-activate-version.js [ws-url] --model 0 --version 2
//        [--proposer Alice] [--voters Alice,Bob] [--closer Charlie]

import { accountName, cli, devAccount, findEvent, printResult, run } from './lib/chain.js';
import { passMotion } from './lib/council.js';

const { url, args } = cli(
  'node council-activate-version.js [ws-url] --model ID --version N [--proposer Alice] [--voters Alice,Bob] [--closer Charlie]',
  {
    model: { type: 'string' },
    version: { type: 'string' },
    proposer: { type: 'string', default: 'Alice' },
    voters: { type: 'string', default: 'Alice,Bob' },
    closer: { type: 'string', default: 'Charlie' }, // anyone may close a motion
  },
);
if (args.model === undefined || args.version === undefined) {
  console.error('--model and --version are required');
  process.exit(2);
}

const VALIDATION_TIMEOUT_MS = 60_000;

/** Resolves at the next new block, or after `ms` if none comes. */
function nextBlock(api, ms) {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let finished = false;
    let unsubscribe;
    const done = () => {
      finished = true;
      clearTimeout(timer);
      unsubscribe?.();
      resolve();
    };
    const timer = setTimeout(done, ms);
    api.rpc.chain.subscribeNewHeads(() => {
      seen += 1; // the first header is the current best block
      if (seen === 2 && !finished) done();
    }).then((u) => {
      unsubscribe = u;
      if (finished) u();
    }, reject);
  });
}

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
  const roles = {
    proposer: await devAccount(api, args.proposer),
    voters: await Promise.all(args.voters.split(',').map((n) => devAccount(api, n))),
    closer: await devAccount(api, args.closer),
  };
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
        + `${reproduced} of the ${validation.quorum} operators' reproductions the council needs`
        + `${failed.length ? `; failed: ${failed.join('; ')}` : ''}`
        + `${verdicts.length ? '' : '; no operator has judged it (is an operator\'s node running?)'}`
        + '. The council cannot approve it (NotValidated); root (sudo) may.',
      );
    }
    // Proposed -> Approved. Refused (TrainingDataTainted) if its training data was retracted.
    const events = await passMotion(api, api.tx.modelRegistry.approveVersion(model, version), roles);
    findEvent(api, events, 'modelRegistry', 'ModelVersionApproved');
    console.log(`model ${model} version ${version} is Approved`);
  }
  if (['Approved', 'Deprecated'].includes(await status())) {
    // Approved (or Deprecated) -> Active; the active one -> Deprecated.
    const events = await passMotion(api, api.tx.modelRegistry.activateVersion(model, version), roles);
    const activated = findEvent(api, events, 'modelRegistry', 'ModelVersionActivated').data;
    previous = activated.previous.isSome ? activated.previous.unwrap().toNumber() : null;
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
