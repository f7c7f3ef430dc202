// Requests an inference and waits for the answer. On the dev chain, model 0 is the sample
// iris classifier (active at genesis) and Alice's node is the operator: its off-chain
// worker scores the request with the ONNX engine and the result is final a block or two
// later. The input is 4 flower measurements in cm; the output the probabilities of
// setosa, versicolor and virginica.
//
//   node e2e/examples/request-inference.js [ws-url] [--model 0] [--input 5.1,3.5,1.4,0.2]
//        [--signer Dave]

import { activeContract, fromFixedPoint, toFixedPoint } from './fixed-point.js';
import {
  accountName, cli, describeDispatchError, devAccount, findEvent, formatBalance, printResult, run, send,
} from './lib/chain.js';

const { url, args } = cli(
  'node request-inference.js [ws-url] [--model 0] [--input 5.1,3.5,1.4,0.2] [--signer Dave]',
  {
    model: { type: 'string', default: '0' },
    input: { type: 'string', default: '5.1,3.5,1.4,0.2' },
    signer: { type: 'string', default: 'Dave' },
  },
);

/**
 * Watches the oracle's outcomes from now on. `outcome(id)` resolves with request `id`'s
 * `ResultFinalized` or `RequestExpired` event. Start it before sending the request: the
 * result can be in the very next block.
 */
async function watchOutcomes(api) {
  const { ResultFinalized, RequestExpired } = api.events.inferenceOracle;
  const seen = new Map();
  const waiting = new Map();
  const stop = await api.query.system.events((records) => {
    for (const { event } of records) {
      if (ResultFinalized.is(event) || RequestExpired.is(event)) {
        const id = event.data.request.toNumber();
        seen.set(id, event);
        waiting.get(id)?.(event);
      }
    }
  });
  const outcome = (id) => (seen.has(id)
    ? Promise.resolve(seen.get(id))
    : new Promise((resolve) => waiting.set(id, resolve)));
  return { outcome, stop };
}

await run(url, async (api) => {
  const signer = await devAccount(api, args.signer);
  const model = Number(args.model);

  // The active version's contract says how many inputs and in which fixed point.
  const contract = await activeContract(api, model);
  const floats = args.input.split(',').map(Number);
  if (floats.length !== contract.inputLength) {
    throw new Error(`model ${model} version ${contract.version} takes ${contract.inputLength} input elements, not ${floats.length}`);
  }
  const input = floats.map((x) => toFixedPoint(x, contract.inputScale));
  console.log(`model ${model} version ${contract.version}: input [${floats.join(', ')}] = [${input.join(', ')}] at ${contract.inputScale} decimals`);

  // max_fee: the most we agree to pay: the operators' fee (a runtime constant) plus the
  // version's price, set by the model's owner (none for the sample model). `quote` says
  // both; they are held until the result is final (then paid out) or refunded on expiry.
  const quoted = await api.call.inferenceOracleApi.quote(model);
  if (quoted.isErr) throw new Error(`quote(${model}): ${describeDispatchError(api, quoted.asErr)}`);
  const maxFee = quoted.asOk.total;
  const watcher = await watchOutcomes(api);
  try {
    const tx = api.tx.inferenceOracle.requestInference(model, input, maxFee);
    const { events, blockNumber } = await send(api, tx, signer);
    const requested = findEvent(api, events, 'inferenceOracle', 'InferenceRequested').data;
    const request = requested.request.toNumber();
    const price = requested.price.isZero() ? '' : ` and price ${formatBalance(api, requested.price)}`;
    console.log(`request ${request} in block #${blockNumber}: version ${requested.version}, fee ${formatBalance(api, requested.fee)}${price} held, answers accepted until block #${requested.deadline}`);

    const outcome = await watcher.outcome(request);
    if (api.events.inferenceOracle.RequestExpired.is(outcome)) {
      console.log(`request ${request} expired without agreement: ${price ? 'the fee and the price were' : 'the fee was'} refunded`);
      printResult({ request, model, version: requested.version.toNumber(), status: 'Expired' });
      return;
    }

    const { output, agreeing, outliers } = outcome.data;
    // The version that scored the request is the one active when it was made.
    const version = (await api.call.inferenceOracleApi.request(request)).unwrap().version.toNumber();
    const scale = version === contract.version
      ? contract.outputScale
      : (await api.call.modelRegistryApi.version(model, version)).unwrap().outputScale.toNumber();
    const outputFloats = output.map((q) => fromFixedPoint(q, scale));
    console.log(`ResultFinalized: output [${output.join(', ')}] at ${scale} decimals`);
    console.log(`  = [${outputFloats.join(', ')}]`);
    for (const a of agreeing) console.log(`  agreed: ${await accountName(api, a)}`);
    for (const o of outliers) console.log(`  outlier: ${await accountName(api, o)}`);

    printResult({
      request,
      model,
      version,
      status: 'Finalized',
      input: input.map(Number),
      output: output.map((q) => q.toNumber()),
      outputFloats,
      agreeing: agreeing.map(String),
      outliers: outliers.map(String),
    });
  } finally {
    watcher.stop();
  }
});
