// Writes a snapshot of a chain's state, for `scripts/try-runtime.sh`: every top-level
// key and value at one block, as JSON
//   { "uri", "block", "hash", "specName", "specVersion", "pairs": [[key, value], ...] }
// (hex strings), which `runtime/tests/try_runtime_upgrade.rs` loads to run the runtime
// upgrade's checks against it.
//
//   node bin/snapshot.js --out FILE [--uri ws://HOST:PORT]
//
// With --uri, snapshots that node's best block: an operator's own node, or a dev chain
// run by an earlier release (the real case of an upgrade). Without it, starts a dev node
// (the binary `AIORACLE_NODE` names), gives it a chain's worth of state as dApps would
// (the example scripts register datasets and request inferences until results are
// final), leaves one request pending, and snapshots that.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { ApiPromise, WsProvider } from '@polkadot/api';

import { devAccounts, nextBlocks, sendAndWaitInBlock } from '../lib/chain.js';
import { startDevNode } from '../lib/node.js';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');
const { values: args } = parseArgs({
  options: { out: { type: 'string' }, uri: { type: 'string' } },
});
if (!args.out) {
  console.error('usage: node bin/snapshot.js --out FILE [--uri ws://HOST:PORT]');
  process.exit(2);
}

/** Runs one of the dApp examples against `url`, as a user would from a shell. */
function runExample(url, script, ...options) {
  const printed = execFileSync('node', [join(examples, script), url, ...options], { encoding: 'utf8' });
  console.error(`  ${script} ${options.join(' ')}: ${printed.trim().split('\n').at(-1)}`);
}

/** Fills a fresh dev chain with what dApps leave in it; returns when that is in a block. */
async function populate(api, url) {
  runExample(url, 'register-dataset.js');
  for (const input of ['5.1,3.5,1.4,0.2', '6.7,3.0,5.2,2.3', '5.9,3.0,4.2,1.5']) {
    runExample(url, 'request-inference.js', '--input', input);
  }
  // One request still open when the snapshot is taken: its fee held, its committee drawn.
  const { alice } = await devAccounts();
  const fee = api.consts.inferenceOracle.requestFee;
  await sendAndWaitInBlock(api.tx.inferenceOracle.requestInference(0, [51000, 35000, 14000, 2000], fee), alice);
}

/** Every top-level key and value at block `hash`, in pages. */
async function storagePairs(api, hash) {
  const pairs = [];
  for (let start = null; ;) {
    const keys = await api.rpc.state.getKeysPaged('0x', 1000, start, hash);
    if (keys.length === 0) break;
    const changes = await api.rpc.state.queryStorageAt(keys, hash);
    keys.forEach((key, i) => {
      if (changes[i].isSome) pairs.push([key.toHex(), changes[i].unwrap().toHex()]);
    });
    start = keys[keys.length - 1];
  }
  return pairs;
}

let node;
try {
  let url = args.uri;
  if (!url) {
    node = await startDevNode({ name: 'snapshot', args: ['--dev-block-time', '1000'] });
    url = node.url;
  }
  const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true, throwOnConnect: true });
  if (node) {
    console.error(`populating the dev chain at ${url}`);
    await populate(api, url);
    await nextBlocks(api, 1);
  }
  const header = await api.rpc.chain.getHeader();
  const hash = header.hash;
  const version = await api.rpc.state.getRuntimeVersion(hash);
  const pairs = await storagePairs(api, hash);
  writeFileSync(args.out, JSON.stringify({
    uri: url,
    block: header.number.toNumber(),
    hash: hash.toHex(),
    specName: version.specName.toString(),
    specVersion: version.specVersion.toNumber(),
    pairs,
  }));
  const bytes = pairs.reduce((sum, [k, v]) => sum + (k.length + v.length - 4) / 2, 0);
  console.error(`snapshot of block #${header.number} (${hash.toHex()}), ${version.specName} ${version.specVersion}: ${pairs.length} keys, ${bytes} bytes -> ${args.out}`);
  await api.disconnect();
} finally {
  await node?.stop();
}
