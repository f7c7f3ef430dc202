// The oracle checks of 0001-oracle.zndsl, run by zombienet against a collator:
//   js-script ./oracle.cjs with "<mode>[,<arg>]"
//
//   request                    one request; returns how many operators agreed on its
//                              ResultFinalized (the output is checked against onnxruntime's
//                              reference within the version's tolerance)
//   latency,N                  N requests at once; returns how many finalized, and writes the
//                              request -> result latencies and the block times to
//                              $AIORACLE_ZOMBIENET_REPORT (or <network tmp dir>/latency.json)
//   blocks,N                   waits for N new blocks on the node; returns N
//   request-while-bob-is-down  one request; returns 1 once Alice's submission is on-chain
//                              (it cannot finalize alone: the local testnet needs both)
//   finalize-pending           waits for that request's ResultFinalized; returns how many agreed
//
// zombienet require()s this file and calls run(nodeName, networkInfo, args) with its own
// @polkadot/api in the `zombie` global; only the chain's metadata is used.

const fs = require('node:fs');
const path = require('node:path');

const reference = require('../models/iris-logreg.json');

const MODEL = 0;

async function connect(networkInfo, nodeName) {
  const { wsUri } = networkInfo.nodesByName[nodeName];
  return zombie.connect(wsUri);
}

function dave() {
  return new zombie.Keyring({ type: 'sr25519' }).addFromUri('//Dave');
}

/** Resolves with the first event `matches` accepts, from the node's new best blocks. */
function waitForEvent(api, matches, what) {
  return new Promise((resolve, reject) => {
    let unsubscribe;
    api.query.system
      .events((records) => {
        for (const { event } of records) {
          if (matches(event)) {
            unsubscribe?.();
            resolve(event);
            return;
          }
        }
      })
      .then((u) => {
        unsubscribe = u;
      }, (e) => reject(new Error(`${what}: ${e.message}`)));
  });
}

/** Sends one request per input (nonces assigned by the pool); resolves with their ids
 *  and the block number each was included in. */
async function request(api, inputs) {
  const signer = dave();
  const fee = api.consts.inferenceOracle.requestFee;
  const sent = inputs.map((input) => new Promise((resolve, reject) => {
    let unsubscribe;
    api.tx.inferenceOracle
      .requestInference(MODEL, input, fee)
      .signAndSend(signer, { nonce: -1 }, ({ status, events, dispatchError }) => {
        if (!status.isInBlock) return;
        unsubscribe?.();
        if (dispatchError) {
          reject(new Error(`requestInference failed: ${dispatchError.toString()}`));
          return;
        }
        const made = events.find(({ event }) => api.events.inferenceOracle.InferenceRequested.is(event));
        api.rpc.chain.getHeader(status.asInBlock).then((header) => resolve({
          id: made.event.data.request.toNumber(),
          block: header.number.toNumber(),
          sentAt: Date.now(),
        }), reject);
      })
      .then((u) => {
        unsubscribe = u;
      }, reject);
  }));
  return Promise.all(sent);
}

function isFinalized(api, id) {
  return (event) => api.events.inferenceOracle.ResultFinalized.is(event)
    && event.data.request.toNumber() === id;
}

/** Checks a finalized output against the onnxruntime reference of `caseIndex`. */
async function checkOutput(api, event, caseIndex) {
  const version = (await api.call.modelRegistryApi.activeVersion(MODEL)).unwrap();
  const tolerance = version.aggregation.asMedian.tolerance.toNumber();
  const expected = reference.cases[caseIndex].outputs[1].fixed_point;
  event.data.output.forEach((value, i) => {
    if (Math.abs(value.toNumber() - expected[i]) > tolerance) {
      throw new Error(`output ${event.data.output} differs from the reference ${expected}`);
    }
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function latency(api, networkInfo, count) {
  const inputs = Array.from({ length: count }, (_, i) => reference.cases[i % reference.cases.length].input_fixed_point);
  const blockTimes = [];
  let lastTimestamp;
  const unsubscribeHeads = await api.rpc.chain.subscribeNewHeads(async (header) => {
    const now = (await (await api.at(header.hash)).query.timestamp.now()).toNumber();
    if (lastTimestamp !== undefined && now > lastTimestamp) blockTimes.push(now - lastTimestamp);
    lastTimestamp = now;
  });
  const results = new Map();
  const unsubscribeEvents = await api.query.system.events(async (records) => {
    const header = await api.rpc.chain.getHeader();
    for (const { event } of records) {
      if (api.events.inferenceOracle.ResultFinalized.is(event)) {
        const id = event.data.request.toNumber();
        if (!results.has(id)) results.set(id, { block: header.number.toNumber(), at: Date.now() });
      }
    }
  });
  const requests = await request(api, inputs);
  while (requests.some((r) => !results.has(r.id))) {
    await new Promise((r) => setTimeout(r, 1000));
  }
  unsubscribeHeads();
  unsubscribeEvents();
  const blocks = requests.map((r) => results.get(r.id).block - r.block);
  const seconds = requests.map((r) => (results.get(r.id).at - r.sentAt) / 1000);
  const report = {
    requests: count,
    latencyBlocks: { median: median(blocks), max: Math.max(...blocks), all: blocks },
    latencySeconds: { median: median(seconds), max: Math.max(...seconds), all: seconds },
    blockTimeSeconds: { median: median(blockTimes) / 1000, samples: blockTimes.length },
  };
  const file = process.env.AIORACLE_ZOMBIENET_REPORT || path.join(networkInfo.tmpDir, 'latency.json');
  fs.writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(`oracle latency: ${JSON.stringify({ ...report, file })}`);
  return results.size >= count ? count : results.size;
}

function pendingFile(networkInfo) {
  return path.join(networkInfo.tmpDir, 'aioracle-pending-request');
}

async function run(nodeName, networkInfo, args) {
  const [mode, arg] = args;
  const api = await connect(networkInfo, nodeName);
  try {
    switch (mode) {
      case 'request': {
        const [{ id }] = await request(api, [reference.cases[0].input_fixed_point]);
        const event = await waitForEvent(api, isFinalized(api, id), `ResultFinalized ${id}`);
        await checkOutput(api, event, 0);
        return event.data.agreeing.length;
      }
      case 'latency':
        return await latency(api, networkInfo, Number(arg));
      case 'blocks': {
        const start = (await api.rpc.chain.getHeader()).number.toNumber();
        const target = start + Number(arg);
        await new Promise((resolve) => {
          api.rpc.chain.subscribeNewHeads((header) => {
            if (header.number.toNumber() >= target) resolve();
          });
        });
        return Number(arg);
      }
      case 'request-while-bob-is-down': {
        const [{ id }] = await request(api, [reference.cases[1].input_fixed_point]);
        fs.writeFileSync(pendingFile(networkInfo), String(id));
        const alice = new zombie.Keyring({ type: 'sr25519' }).addFromUri('//Alice').address;
        await waitForEvent(
          api,
          (event) => api.events.inferenceOracle.ResultSubmitted.is(event)
            && event.data.request.toNumber() === id
            && event.data.operator.toString() === alice,
          `Alice's submission for ${id}`,
        );
        return 1;
      }
      case 'finalize-pending': {
        const id = Number(fs.readFileSync(pendingFile(networkInfo), 'utf8'));
        const done = await api.call.inferenceOracleApi.result(id);
        if (done.isSome) return done.unwrap().agreeing.length;
        const event = await waitForEvent(api, isFinalized(api, id), `ResultFinalized ${id}`);
        await checkOutput(api, event, 1);
        return event.data.agreeing.length;
      }
      default:
        throw new Error(`unknown mode ${mode}`);
    }
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
