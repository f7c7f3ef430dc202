// The oracle checks of 0001-oracle.zndsl, run by zombienet against a collator:
//   js-script ./oracle.cjs with "<mode>[,<arg>]"
//
//   request                    one request; returns how many operators agreed on its result
//                              (the output is checked against onnxruntime's reference within
//                              the version's tolerance)
//   latency,N                  N requests, one per block; returns how many finalized, and
//                              writes the request -> result latencies and the parachain's block
//                              times to $AIORACLE_ZOMBIENET_REPORT (or <network dir>/latency.json)
//   blocks,N                   waits for N new blocks on the node; returns N
//   request-while-bob-is-down  one request; returns 1 once Alice's submission is on-chain
//                              (it cannot finalize alone: the local testnet needs both)
//   finalize-pending           waits for that request's result; returns how many agreed
//   caught-up,<node>           waits until this node's best block reaches <node>'s best block
//                              at the time of the call; returns 1
//
// zombienet require()s this file and calls run(nodeName, networkInfo, args). The chain is
// driven with the @polkadot/api a dApp uses (16.x, as in e2e/), not the 14.x zombienet puts
// in its `zombie` global, which cannot call runtime APIs from metadata v15; only the chain's
// metadata is used, no custom types. Results are read through the InferenceOracleApi at each
// new best block rather than from events, which a new-heads subscription can skip.

const fs = require('node:fs');
const path = require('node:path');
const { ApiPromise, Keyring, WsProvider } = require('@polkadot/api');

const reference = require('../models/iris-logreg.json');

const MODEL = 0;

async function connect(networkInfo, nodeName) {
  const { wsUri } = networkInfo.nodesByName[nodeName];
  return ApiPromise.create({ provider: new WsProvider(wsUri), noInitWarn: true });
}

const account = (uri) => new Keyring({ type: 'sr25519' }).addFromUri(uri);

/** Resolves with the first value other than undefined that `check()` gives, asking once now
 *  and once at every new best block after (one check at a time, in order). */
function atEachBlock(api, check) {
  return new Promise((resolve, reject) => {
    let done = false;
    let unsubscribe;
    let queue = Promise.resolve();
    const finish = (settle, value) => {
      if (done) return;
      done = true;
      unsubscribe?.();
      settle(value);
    };
    const attempt = () => {
      queue = queue.then(async () => {
        if (done) return;
        const value = await check();
        if (value !== undefined) finish(resolve, value);
      }).catch((e) => finish(reject, e));
    };
    api.rpc.chain.subscribeNewHeads(attempt).then((u) => {
      unsubscribe = u;
      if (done) u();
    }, (e) => finish(reject, e));
    attempt();
  });
}

/** The request's result once it is finalized (at the node's best block). */
function resultOf(api, id) {
  return atEachBlock(api, async () => {
    const result = await api.call.inferenceOracleApi.result(id);
    return result.isSome ? result.unwrap() : undefined;
  });
}

/** Sends one inference request as Dave; resolves with its id, the block it was included
 *  in and when it was sent. */
function request(api, input) {
  const fee = api.consts.inferenceOracle.requestFee;
  const sentAt = Date.now();
  return new Promise((resolve, reject) => {
    let unsubscribe;
    api.tx.inferenceOracle
      .requestInference(MODEL, input, fee)
      .signAndSend(account('//Dave'), { nonce: -1 }, ({ status, events, dispatchError }) => {
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
          sentAt,
        }), reject);
      })
      .then((u) => {
        unsubscribe = u;
      }, reject);
  });
}

/** Checks a result's output against the onnxruntime reference of `caseIndex`. */
async function checkOutput(api, result, caseIndex) {
  const version = (await api.call.modelRegistryApi.activeVersion(MODEL)).unwrap();
  const tolerance = version.aggregation.asMedian.tolerance.toNumber();
  const expected = reference.cases[caseIndex].outputs[1].fixed_point;
  result.output.forEach((value, i) => {
    if (Math.abs(value.toNumber() - expected[i]) > tolerance) {
      throw new Error(`output ${result.output} differs from the reference ${expected}`);
    }
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The parachain's block times (s) from the on-chain timestamps of blocks from..to. */
async function blockTimes(api, from, to) {
  const stamps = [];
  for (let n = from; n <= to; n += 1) {
    const state = await api.at(await api.rpc.chain.getBlockHash(n));
    stamps.push((await state.query.timestamp.now()).toNumber());
  }
  return stamps.slice(1).map((t, i) => (t - stamps[i]) / 1000);
}

/** Sends `count` requests one after another (each once the previous is in a block, so they
 *  land in different blocks and slot phases) and waits for all their results; writes the
 *  latencies (blocks on-chain, and seconds from sending to the result being readable at
 *  the node's best block) and the block times over the same span to the report file. */
async function latency(api, networkInfo, count) {
  const requests = [];
  const results = [];
  for (let i = 0; i < count; i += 1) {
    const sent = await request(api, reference.cases[i % reference.cases.length].input_fixed_point);
    requests.push(sent);
    results.push(resultOf(api, sent.id).then(async (result) => {
      const seenAt = Date.now();
      await checkOutput(api, result, i % reference.cases.length);
      return { seenAt, finalizedAt: result.finalizedAt.toNumber() };
    }));
  }
  const done = await Promise.all(results);
  const blocks = requests.map((r, i) => done[i].finalizedAt - r.block);
  const seconds = requests.map((r, i) => (done[i].seenAt - r.sentAt) / 1000);
  const times = await blockTimes(api, requests[0].block, Math.max(...done.map((d) => d.finalizedAt)));
  const report = {
    requests: count,
    latencyBlocks: { median: median(blocks), max: Math.max(...blocks), all: blocks },
    latencySeconds: { median: median(seconds), max: Math.max(...seconds), all: seconds },
    blockTimeSeconds: { median: median(times), max: Math.max(...times), samples: times.length, all: times },
  };
  const file = process.env.AIORACLE_ZOMBIENET_REPORT || path.join(networkInfo.tmpDir, 'latency.json');
  fs.writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(`oracle latency: ${JSON.stringify({ ...report, file })}`);
  return done.length;
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
        const { id } = await request(api, reference.cases[0].input_fixed_point);
        const result = await resultOf(api, id);
        await checkOutput(api, result, 0);
        return result.agreeing.length;
      }
      case 'latency':
        return await latency(api, networkInfo, Number(arg));
      case 'blocks': {
        const target = (await api.rpc.chain.getHeader()).number.toNumber() + Number(arg);
        return await atEachBlock(api, async () => {
          const best = (await api.rpc.chain.getHeader()).number.toNumber();
          return best >= target ? Number(arg) : undefined;
        });
      }
      case 'request-while-bob-is-down': {
        const { id } = await request(api, reference.cases[1].input_fixed_point);
        fs.writeFileSync(pendingFile(networkInfo), String(id));
        const alice = account('//Alice').address;
        return await atEachBlock(api, async () => {
          const explanation = (await api.call.inferenceOracleApi.explain(id)).unwrap();
          if (explanation.result.isSome) throw new Error(`request ${id} finalized while Bob was paused`);
          // Alice commits to her answer; she reveals it once Bob, back, has committed too.
          const commits = await api.query.inferenceOracle.commits(id);
          const committed = commits.some(([who]) => who.toString() === alice);
          return committed ? 1 : undefined;
        });
      }
      case 'finalize-pending': {
        const id = Number(fs.readFileSync(pendingFile(networkInfo), 'utf8'));
        const result = await resultOf(api, id);
        await checkOutput(api, result, 1);
        return result.agreeing.length;
      }
      case 'caught-up': {
        const other = await connect(networkInfo, arg);
        const target = (await other.rpc.chain.getHeader()).number.toNumber();
        await other.disconnect();
        return await atEachBlock(api, async () => {
          const best = (await api.rpc.chain.getHeader()).number.toNumber();
          return best >= target ? 1 : undefined;
        });
      }
      default:
        throw new Error(`unknown mode ${mode}`);
    }
  } finally {
    await api.disconnect();
  }
}

module.exports = { run };
