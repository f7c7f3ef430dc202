// The council rolls a model back to the version that was active before the current one
// (a new version misbehaves: roll it back). One motion, two thirds of the council: the
// council's emergency brake, which needs no referendum (it cannot activate a version).
// The model remembers up to 8 earlier active versions; each rollback goes back one.
//
//   node e2e/examples/council-rollback.js [ws-url] --model 0
//        [--proposer Alice] [--voters Alice,Bob] [--closer Charlie]

import { cli, devAccount, findEvent, printResult, run } from './lib/chain.js';
import { passMotion } from './lib/council.js';

const { url, args } = cli(
  'node council-rollback.js [ws-url] --model ID [--proposer Alice] [--voters Alice,Bob] [--closer Charlie]',
  {
    model: { type: 'string' },
    proposer: { type: 'string', default: 'Alice' },
    voters: { type: 'string', default: 'Alice,Bob' },
    closer: { type: 'string', default: 'Charlie' },
  },
);
if (args.model === undefined) {
  console.error('--model is required');
  process.exit(2);
}

await run(url, async (api) => {
  const model = Number(args.model);
  const before = await api.call.modelRegistryApi.model(model);
  if (before.isNone) throw new Error(`there is no model ${model}`);
  const { activeVersion, previousVersions } = before.unwrap();
  console.log(`model ${model}: active version ${activeVersion}, rollback to [${previousVersions.join(', ')}]`);
  if (previousVersions.length === 0) {
    // The motion would execute and fail with modelRegistry.NoPreviousVersion.
    throw new Error(`model ${model} has no earlier active version to roll back to`);
  }

  const roles = {
    proposer: await devAccount(api, args.proposer),
    voters: await Promise.all(args.voters.split(',').map((n) => devAccount(api, n))),
    closer: await devAccount(api, args.closer),
  };
  // Refused (TrainingDataTainted) if the version returned to was trained on data
  // retracted since.
  const events = await passMotion(api, api.tx.modelRegistry.rollback(model), roles);
  const { from, to } = findEvent(api, events, 'modelRegistry', 'ModelRolledBack').data;
  console.log(`model ${model} rolled back from version ${from} to version ${to}`);

  const after = (await api.call.modelRegistryApi.model(model)).unwrap();
  console.log(`model ${model}: active version ${after.activeVersion}, rollback to [${after.previousVersions.join(', ')}]`);
  const statusOf = async (v) => (await api.call.modelRegistryApi.version(model, v)).unwrap().status.toString();
  printResult({
    model,
    from: from.isSome ? from.unwrap().toNumber() : null,
    fromStatus: from.isSome ? await statusOf(from.unwrap()) : null,
    to: to.toNumber(),
    toStatus: await statusOf(to),
    activeVersion: after.activeVersion.unwrap().toNumber(),
    previousVersions: after.previousVersions.map((v) => v.toNumber()),
  });
});
