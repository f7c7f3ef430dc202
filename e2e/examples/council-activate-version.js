// The council votes a proposed model version in: a motion to approve it, then a motion to
// activate it. Each motion is proposed by one member, voted aye by two of the three dev
// members (two thirds), and closed, which executes it. Once active, the version scores
// every new inference request for its model; the version active before is deprecated and
// remembered for a rollback (council-rollback.js).
//
//   node e2e/examples/council-activate-version.js [ws-url] --model 0 --version 2
//        [--proposer Alice] [--voters Alice,Bob] [--closer Charlie]

import { cli, devAccount, findEvent, printResult, run } from './lib/chain.js';
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
