// Proposes a model version with the real ONNX bytes of a committed model, creating the
// model first unless --model names one you own. The version starts `Proposed`: operators'
// nodes check its golden vectors, then token holders approve and activate it by referendum
// (referendum-activate-version.js).
//
//   node e2e/examples/propose-model-version.js [ws-url] [--onnx models/iris-preprocess.onnx]
//        [--model ID] [--dataset 0[,1...]] [--signer Dave]
//
// The serving contract (tensors, fixed-point scales, aggregation, golden vectors) comes
// from the JSON file beside the .onnx (see models/README.md); for a model of your own,
// write the `proposal` object below by hand.
// Running it again finds the version already proposed (one version per ONNX hash).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { hexToU8a, stringToU8a, u8aConcat, u8aEq, u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

import { cli, devAccount, findEvent, formatBalance, printResult, run, send } from './lib/chain.js';

const { url, args } = cli(
  'node propose-model-version.js [ws-url] [--onnx FILE.onnx] [--model ID] [--dataset 0[,1...]] [--signer Dave]',
  {
    onnx: { type: 'string' },
    model: { type: 'string' },
    dataset: { type: 'string', default: '0' }, // the training data: dataset 0 is iris.csv
    signer: { type: 'string', default: 'Dave' },
  },
);

const onnxPath = args.onnx
  ? resolve(args.onnx)
  : new URL('../../models/iris-preprocess.onnx', import.meta.url).pathname;
const onnx = readFileSync(onnxPath);
const reference = JSON.parse(readFileSync(onnxPath.replace(/\.onnx$/, '.json'), 'utf8'));

/** The version's serving contract, from the model's reference JSON. */
function proposal(modelHash, trainingDatasets) {
  // The float output: `probabilities` of a classifier, `variable` of a regressor. (A label
  // output would be I64 with `ExactMajority`.)
  const output = reference.outputs.findIndex((o) => o.element_type === 'float32');
  return {
    modelHash, // must be blake2-256 of the bytes sent with the call
    uri: `https://example.org/models/${reference.file}`, // where nodes without the bytes fetch them
    inputs: [{ index: 0, elementType: 'F32', shape: [1, reference.n_features] }],
    output: { index: output, elementType: 'F32', shape: reference.cases[0].outputs[output].shape },
    inputScale: reference.fixed_point.input_scale, // decimals of the fixed-point input
    outputScale: reference.fixed_point.output_scale, // decimals of the fixed-point output
    aggregation: { Median: { tolerance: 10 } }, // operators within 10 units agree
    minAgreement: 1, // agreeing operators a result needs (approval needs at least 2 to reproduce it)
    trainingDatasets,
    commercialUse: false,
    // Inputs with the outputs a correct engine gives. While the version is Proposed, each
    // operator's node runs them and submits a verdict (Reproduced, or Failed with
    // GoldenVectorMismatch); the council may approve the version only once
    // max(2, minAgreement) operators reproduced them.
    goldenVectors: reference.cases.slice(0, 3).map((c) => ({
      input: c.input_fixed_point,
      output: c.outputs[output].fixed_point,
    })),
  };
}

/** Whether the node's offchain DB holds the bytes (needs the unsafe `offchain_*` RPCs). */
async function indexedBytes(api, modelHash) {
  const key = u8aConcat(stringToU8a('aioracle/model-bytes/'), hexToU8a(modelHash));
  try {
    const stored = await api.rpc.offchain.localStorageGet('PERSISTENT', u8aToHex(key));
    return stored.isSome && u8aEq(stored.unwrap(), onnx);
  } catch (e) {
    console.log(`  (cannot read the offchain DB over this RPC: ${e.message})`);
    return null;
  }
}

await run(url, async (api) => {
  const signer = await devAccount(api, args.signer);
  const modelHash = blake2AsHex(onnx, 256); // `b2sum -l 256 FILE.onnx` prints the same
  console.log(`${reference.file}: ${onnx.length} bytes, hash ${modelHash}`);

  const existing = await api.call.modelRegistryApi.versionByHash(modelHash);
  if (existing.isSome) {
    const v = existing.unwrap();
    console.log(`already proposed: model ${v.model} version ${v.version}, ${v.status}`);
    printResult({ model: v.model.toNumber(), version: v.version.toNumber(), status: v.status.toString(), modelHash, created: false });
    return;
  }

  // A model is a name and an owner; its versions carry the bytes.
  let model = args.model === undefined ? undefined : Number(args.model);
  if (model === undefined) {
    const { events } = await send(
      api, api.tx.modelRegistry.createModel(reference.name, reference.description), signer,
    );
    const created = findEvent(api, events, 'modelRegistry', 'ModelCreated').data;
    model = created.model.toNumber();
    console.log(`created model ${model} "${reference.name}" owned by ${signer.name}, deposit ${formatBalance(api, created.deposit)}`);
  }

  // Only the model's owner may propose: the ONNX bytes travel in the transaction (at most
  // 2 MiB); state keeps their hash and size.
  const datasets = args.dataset.split(',').map(Number);
  let proposed;
  try {
    const tx = api.tx.modelRegistry.proposeVersion(model, proposal(modelHash, datasets), u8aToHex(onnx));
    const { events, blockNumber } = await send(api, tx, signer);
    proposed = findEvent(api, events, 'modelRegistry', 'ModelVersionProposed').data;
    console.log(`proposed version ${proposed.version} of model ${model} in block #${blockNumber}, deposit ${formatBalance(api, proposed.deposit)}`);
  } catch (e) {
    if (args.model === undefined) e.message += ` (model ${model} was created: add --model ${model} to propose into it)`;
    throw e;
  }
  const version = proposed.version.toNumber();

  // Read it back through the runtime API.
  const view = (await api.call.modelRegistryApi.version(model, version)).unwrap();
  console.log(`modelRegistryApi.version(${model}, ${version}): ${view.status}, proposed in block #${view.statusBlocks.proposed}`);
  console.log(`  trained on datasets [${view.trainingDatasets.join(', ')}], ${view.goldenVectors.length} golden vectors`);

  // Nodes with offchain indexing on (the dev node always) keep the bytes in their offchain
  // DB under "aioracle/model-bytes/" ++ hash: that is where operators' workers load them.
  const indexed = await indexedBytes(api, modelHash);
  if (indexed !== null) console.log(`this node's offchain DB ${indexed ? 'holds' : 'does NOT hold'} the bytes`);

  printResult({ model, version, status: view.status.toString(), modelHash, sizeBytes: onnx.length, created: args.model === undefined, indexed });
});
