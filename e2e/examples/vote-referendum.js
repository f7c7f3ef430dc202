// A token holder's vote in OpenGov: vote aye or nay on a referendum with a conviction,
// or delegate one's votes on a track to another account. Conviction multiplies the
// vote's weight (None 0.1x, Locked1x 1x ... Locked6x 6x) and locks the balance for 7 days
// per doubling after the referendum ends, if the vote was on the winning side
// (Locked1x: 7 days, Locked6x: 224 days). Support counts the balance without conviction.
//
//   node e2e/examples/vote-referendum.js [ws-url] --referendum 0 [--nay] --aio 1000 [--conviction Locked2x] [--signer Eve]
//   node e2e/examples/vote-referendum.js [ws-url] --delegate-to Dave [--track 10] --aio 1000 [--conviction Locked3x] [--signer Ferdie]
//
// Track 10 is `model_upgrades`; a delegation counts in every referendum of its track
// the delegate votes on, until `convictionVoting.undelegate`.

import { cli, devAccount, formatBalance, printResult, run, send } from './lib/chain.js';
import { voteReferendum } from './lib/referenda.js';

const { url, args } = cli(
  'node vote-referendum.js [ws-url] (--referendum N [--nay] | --delegate-to NAME [--track 10]) --aio AIO [--conviction Locked1x] [--signer Eve]',
  {
    referendum: { type: 'string' },
    nay: { type: 'boolean', default: false },
    'delegate-to': { type: 'string' },
    track: { type: 'string', default: '10' },
    aio: { type: 'string' },
    conviction: { type: 'string', default: 'Locked1x' },
    signer: { type: 'string', default: 'Eve' },
  },
);
if (args.aio === undefined || (args.referendum === undefined) === (args['delegate-to'] === undefined)) {
  console.error('--aio and one of --referendum or --delegate-to are required');
  process.exit(2);
}

await run(url, async (api) => {
  const signer = await devAccount(api, args.signer);
  const balance = BigInt(args.aio) * 10n ** BigInt(api.registry.chainDecimals[0]);
  if (args['delegate-to'] !== undefined) {
    const to = await devAccount(api, args['delegate-to']);
    const track = Number(args.track);
    await send(api, api.tx.convictionVoting.delegate(track, to.address, args.conviction, balance), signer);
    console.log(`${signer.name} delegates ${formatBalance(api, balance)} at ${args.conviction} on track ${track} to ${to.name}`);
    printResult({ delegator: signer.address, delegate: to.address, track, balance, conviction: args.conviction });
    return;
  }
  const index = Number(args.referendum);
  await voteReferendum(api, index, signer, { aye: !args.nay, balance, conviction: args.conviction });
  const info = await api.query.referenda.referendumInfoFor(index);
  if (info.isNone || !info.unwrap().isOngoing) throw new Error(`referendum #${index} is not ongoing`);
  const { tally, track } = info.unwrap().asOngoing;
  console.log(`referendum #${index} (track ${track}): ayes ${formatBalance(api, tally.ayes)}, nays ${formatBalance(api, tally.nays)}, support ${formatBalance(api, tally.support)}`);
  printResult({
    referendum: index,
    aye: !args.nay,
    ayes: tally.ayes.toBigInt(),
    nays: tally.nays.toBigInt(),
    support: tally.support.toBigInt(),
  });
});
