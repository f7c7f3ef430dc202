// Registers two datasets with their lineage, then reads them back:
//
//   iris.csv (dataset 0, registered at genesis)
//     └─ data/iris-sample.csv   5 rows of each species
//          └─ data/iris-setosa.csv   its setosa rows
//
// A dataset is registered by the blake2-256 hash of its bytes (the bytes stay off-chain),
// with its size, where to fetch it, its licence and the datasets it was derived from.
//
//   node e2e/examples/register-dataset.js [ws-url] [--signer Dave]
//
// Running it again finds the datasets already registered (one registration per hash) and
// only reads them back.

import { readFileSync } from 'node:fs';

import { blake2AsHex } from '@polkadot/util-crypto';

import { cli, devAccount, findEvent, formatBalance, printResult, run, send } from './lib/chain.js';

const { url, args } = cli('node register-dataset.js [ws-url] [--signer Dave]', {
  signer: { type: 'string', default: 'Dave' },
});

// What iris.csv's licence allows, as the chain checks it. A child may not allow more
// than its parents (commercial use), must carry a share-alike parent's licence, and
// cannot exist if a parent forbids derivatives.
const CC_BY_4_0 = { commercialUse: true, derivatives: true, shareAlike: false };
const IRIS_CSV = 0;

/** Registers the file `name` from data/ unless its hash is registered already; returns its id. */
async function register(api, signer, { name, parents, derivation, royalty }) {
  const bytes = readFileSync(new URL(`data/${name}`, import.meta.url));
  const contentHash = blake2AsHex(bytes, 256); // what `aioracle-node dataset hash FILE` prints
  const rows = bytes.toString('utf8').trim().split('\n').length - 1; // minus the header

  const existing = await api.call.datasetProvenanceApi.datasetByHash(contentHash);
  if (existing.isSome) {
    const id = existing.unwrap().id.toNumber();
    console.log(`${name}: already registered as dataset ${id} (hash ${contentHash})`);
    return id;
  }

  const tx = api.tx.datasetProvenance.registerDataset({
    contentHash,
    sizeBytes: bytes.length,
    recordCount: rows, // optional: null if unknown
    uri: `e2e/examples/data/${name}`, // where the bytes can be fetched (at most 256 bytes)
    licence: 'CC-BY-4.0', // an SPDX identifier or expression
    licenceFlags: CC_BY_4_0,
    schemaHash: null, // optional hash of the data's schema
    parents, // at most 16, all registered, none retracted
    derivation, // how it was derived: { Description: text } or { CodeHash: hash }, or null
    // C2PA/CAWG training-and-data-mining permissions: each 'Allowed', 'NotAllowed' or
    // { Constrained: { constraint: hash of the terms } }; none wider than a parent's.
    permissions: { aiTraining: 'Allowed', aiInference: 'Allowed', dataMining: 'Allowed' },
    royalty: royalty ?? 0, // parts per million of a model's price per inference (at most 25%)
  });
  const { events, blockNumber } = await send(api, tx, signer);
  const registered = findEvent(api, events, 'datasetProvenance', 'DatasetRegistered').data;
  const id = registered.dataset.toNumber();
  console.log(`${name}: registered as dataset ${id} in block #${blockNumber}`);
  console.log(`  hash ${contentHash}, ${bytes.length} bytes, ${rows} rows`);
  console.log(`  parents [${registered.parents.join(', ')}], deposit ${formatBalance(api, registered.deposit)} held from ${signer.name}`);
  return id;
}

await run(url, async (api) => {
  const signer = await devAccount(api, args.signer);

  const sample = await register(api, signer, {
    name: 'iris-sample.csv',
    parents: [IRIS_CSV],
    derivation: { Description: 'the first 5 rows of each species, with a header' },
  });
  const setosa = await register(api, signer, {
    name: 'iris-setosa.csv',
    parents: [sample],
    derivation: { Description: 'the setosa rows' },
  });

  // Reading back. Storage holds the raw record...
  const stored = (await api.query.datasetProvenance.datasets(setosa)).unwrap();
  console.log(`\nstorage datasetProvenance.datasets(${setosa}): owner ${stored.owner}, licence ${stored.licence.spdx.toUtf8()}`);

  // ...the runtime API joins it with its parents, retraction, lineage and taint.
  const view = (await api.call.datasetProvenanceApi.dataset(setosa)).unwrap();
  console.log(`runtime API dataset(${setosa}): ${view.uri.toUtf8()}, ${view.sizeBytes} bytes, registered in block #${view.registeredAt}`);
  console.log(`  derived from [${view.parents.join(', ')}]: ${view.derivation.unwrap().asDescription.toUtf8()}`);

  const lineage = (await api.call.datasetProvenanceApi.ancestors(setosa, 8)).unwrap();
  console.log(`ancestors(${setosa}, 8), nearest first:`);
  for (const a of lineage.datasets) {
    const d = (await api.call.datasetProvenanceApi.dataset(a.id)).unwrap();
    console.log(`  depth ${a.depth}: dataset ${a.id} ${d.uri.toUtf8()}${a.retracted.isTrue ? ' (RETRACTED)' : ''}`);
  }
  const taint = (await api.call.datasetProvenanceApi.taint(setosa)).unwrap();
  const tainted = taint.retracted.isTrue || taint.retractedAncestors.length > 0;
  console.log(`taint(${setosa}): ${tainted ? `tainted by [${taint.retractedAncestors.join(', ')}]` : 'not tainted'}`);

  printResult({
    sample: { id: sample, contentHash: (await api.call.datasetProvenanceApi.dataset(sample)).unwrap().contentHash.toHex() },
    setosa: { id: setosa, contentHash: view.contentHash.toHex(), parents: view.parents.map((p) => p.toNumber()) },
    ancestors: lineage.datasets.map((a) => ({ id: a.id.toNumber(), depth: a.depth.toNumber() })),
    tainted,
  });
});
