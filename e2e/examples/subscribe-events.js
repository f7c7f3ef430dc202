// Prints aioracle's events as blocks are finalized: datasets registered, model versions
// proposed and voted in, inference requests and their results, council motions and referenda. What a
// dApp backend or an indexer listens to. Finalized blocks only: their events are final.
//
//   node e2e/examples/subscribe-events.js [ws-url] [--blocks N] [--until EVENT] [--timeout SECONDS]
//
// Runs until Ctrl-C, or N finalized blocks, or the first EVENT (e.g. `ResultFinalized` or
// `modelRegistry.ModelRolledBack`), or the timeout, whichever comes first.

import { cli, printResult, run } from './lib/chain.js';

const { url, args } = cli(
  'node subscribe-events.js [ws-url] [--blocks N] [--until EVENT] [--timeout SECONDS]',
  { blocks: { type: 'string' }, until: { type: 'string' }, timeout: { type: 'string' } },
);

// The pallets to listen to (names as in api.events).
const SECTIONS = ['datasetProvenance', 'modelRegistry', 'inferenceOracle', 'council', 'referenda'];

/** `#377 inferenceOracle.ResultFinalized request=0 output=[988629,11371,0] ...` */
function describe(number, event) {
  const values = event.data.toJSON();
  const fields = event.data.names
    ? event.data.names.map((name, i) => `${name}=${JSON.stringify(values[i])}`)
    : [JSON.stringify(values)];
  return `#${number} ${event.section}.${event.method} ${fields.join(' ')}`;
}

await run(url, (api) => new Promise((resolve, reject) => {
  let unsubscribe;
  let stopped = false;
  let timer;
  const counts = { blocks: 0, events: 0 };
  let next; // the next block number to print, so that no finalized block is skipped
  const stop = (why) => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    unsubscribe?.();
    process.off('SIGINT', onInterrupt);
    console.log(`stopped: ${why}`);
    printResult(counts);
    resolve();
  };
  const onInterrupt = () => stop('interrupted');
  process.on('SIGINT', onInterrupt);
  if (args.timeout) timer = setTimeout(() => stop('timeout'), Number(args.timeout) * 1000);

  /** Prints the events of block `number`; returns whether `--until` matched. */
  async function printBlock(number) {
    const hash = await api.rpc.chain.getBlockHash(number);
    const records = await (await api.at(hash)).query.system.events();
    let matched = false;
    for (const { event } of records) {
      if (!SECTIONS.includes(event.section)) continue;
      console.log(describe(number, event));
      counts.events += 1;
      matched ||= [event.method, `${event.section}.${event.method}`].includes(args.until);
    }
    counts.blocks += 1;
    return matched;
  }

  // Finality may jump several blocks at once: print every block up to the new head, in
  // order, one notification at a time.
  let queue = Promise.resolve();
  api.rpc.chain.subscribeFinalizedHeads((header) => {
    queue = queue.then(async () => {
      if (stopped) return undefined;
      const head = header.number.toNumber();
      next ??= head;
      for (; next <= head; next += 1) {
        const matched = await printBlock(next);
        if (matched) return stop(`${args.until} seen`);
        if (args.blocks && counts.blocks >= Number(args.blocks)) return stop(`${args.blocks} blocks`);
      }
      return undefined;
    }).catch((e) => {
      stopped = true;
      unsubscribe?.();
      reject(e);
    });
  }).then((u) => {
    unsubscribe = u;
    if (stopped) u();
    else console.log('following finalized blocks (Ctrl-C to stop)');
  }, reject);
}));
