// Measures request -> ResultFinalized latency on a dev node, in blocks and seconds, and the
// share of the off-chain worker's time spent outside the ONNX engine.
//
//   node bench/oracle-latency.js [requests=100] [block-time-ms=3000]
//
// Starts a fresh dev node (AIORACLE_NODE), sends `requests` requests on the sample model
// (one per block, inputs from the committed reference cases), and prints JSON: median and
// worst latency; and, from the node's log, the OCW's total time (the pallet's "scored and
// submitted in N ms" lines) against the engine's (the node's "scored in N µs" lines).

import { readFileSync } from 'node:fs';

import { devAccounts, findEvent, submit } from '../lib/chain.js';
import { startDevNode } from '../lib/node.js';

const count = Number(process.argv[2] ?? 100);
const blockTime = Number(process.argv[3] ?? 3000);
const reference = JSON.parse(
  readFileSync(new URL('../../models/iris-logreg.json', import.meta.url), 'utf8'),
);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

const node = await startDevNode({
  name: 'oracle-latency',
  args: ['--dev-block-time', String(blockTime), '-l', 'onnx=debug,runtime::inference-oracle=info'],
});
try {
  const api = await node.connect();
  const { dave } = await devAccounts();
  const fee = api.consts.inferenceOracle.requestFee;
  const sent = new Map(); // request id -> { block, at }
  const done = new Map(); // request id -> { block, at }

  const unsubscribe = await api.rpc.chain.subscribeNewHeads(async (header) => {
    const at = Date.now();
    const events = await (await api.at(header.hash)).query.system.events();
    for (const { event } of events) {
      if (api.events.inferenceOracle.ResultFinalized.is(event)) {
        done.set(event.data.request.toNumber(), { block: header.number.toNumber(), at });
      }
    }
  });

  for (let i = 0; i < count; i += 1) {
    const c = reference.cases[i % reference.cases.length];
    const events = await submit(
      api, api.tx.inferenceOracle.requestInference(0, c.input_fixed_point, fee), dave,
    );
    const id = findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data.request.toNumber();
    const header = await api.rpc.chain.getHeader();
    sent.set(id, { block: header.number.toNumber(), at: Date.now() });
  }
  const deadline = Date.now() + 30 * blockTime + 60_000;
  while (done.size < sent.size && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, blockTime));
  }
  unsubscribe();

  const blocks = [];
  const seconds = [];
  for (const [id, s] of sent) {
    const d = done.get(id);
    if (!d) continue;
    blocks.push(d.block - s.block);
    seconds.push((d.at - s.at) / 1000);
  }
  const log = readFileSync(node.logPath, 'utf8');
  const ocwMs = [...log.matchAll(/scored and submitted in (\d+) ms/g)].reduce((a, m) => a + Number(m[1]), 0);
  const engineUs = [...log.matchAll(/scored in (\d+) µs/g)].reduce((a, m) => a + Number(m[1]), 0);
  console.log(JSON.stringify({
    requests: count,
    finalized: blocks.length,
    blockTimeMs: blockTime,
    latencyBlocks: { median: median(blocks), worst: Math.max(...blocks) },
    latencySeconds: { median: median(seconds), worst: Math.max(...seconds) },
    ocw: {
      totalMs: ocwMs,
      engineMs: engineUs / 1000,
      shareOutsideEngine: ocwMs > 0 ? 1 - engineUs / 1000 / ocwMs : null,
    },
  }, null, 2));
} finally {
  await node.stop();
}
