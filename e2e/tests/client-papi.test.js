// The dApp's core flow through PAPI (polkadot-api 2.x) instead of Polkadot.js, against a
// fresh dev node: typed descriptors generated from the node's metadata (lib/papi.js), read
// the genesis dataset and the sample model's active version, request an inference signed
// by Dave, see ResultFinalized, read `explain` (runtime API), and decode the block that
// holds the operators' reveals: extrinsic format v5 "general" transactions, which the
// nodes' off-chain workers send without a signer (AuthorizeCall).
//
// PAPI reads at the *finalized* block unless told otherwise (`{ at }`), and the dev node
// finalizes a block about a block time after it is imported: right after ResultFinalized
// appears in a best block, `explain` at finalized still says Pending. The test shows this
// and the two right ways to wait: read at the block that holds the event, or wait for that
// block to be finalized (or watch ResultFinalized on finalized blocks: `event.*.watch()`).
//
// Last, a transaction signed with the metadata hash (`CheckMetadataHash` mode Enabled, what
// PAPI's `withMetadataHash` and Ledger do): the runtime is built with `metadata-hash`, so
// it is accepted; one signed against another hash (a wrong token symbol) is refused.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { Binary } from 'polkadot-api';
import { getPolkadotSigner, withMetadataHash } from 'polkadot-api/signer';
import { getExtrinsicDecoder } from '@polkadot-api/tx-utils';

import { devAccounts } from '../lib/chain.js';
import { startDevNode } from '../lib/node.js';
import { papiClient, papiDescriptors } from '../lib/papi.js';

const reference = JSON.parse(
  readFileSync(new URL('../../models/iris-logreg.json', import.meta.url), 'utf8'),
);
/** blake2-256 of scikit-learn's iris.csv: the genesis dataset 0 (runtime genesis presets). */
const IRIS_CSV_HASH = '0x06acbe603c9c2199df585e728885e17f7a4b23be601a4d0c65efa88baaae4cbf';

/** Resolves with the first value of `observable` for which `matches` holds. */
function firstMatch(observable, matches, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    let subscription;
    const timer = setTimeout(() => {
      subscription?.unsubscribe();
      reject(new Error(`${what} did not come within ${timeoutMs} ms`));
    }, timeoutMs);
    subscription = observable.subscribe({
      next: (value) => {
        if (!matches(value)) return;
        clearTimeout(timer);
        // May run before `subscribe` returned: unsubscribe on the next tick.
        setImmediate(() => subscription.unsubscribe());
        resolve(value);
      },
      error: (e) => {
        clearTimeout(timer);
        reject(e);
      },
    });
  });
}

describe('PAPI client (polkadot-api)', () => {
  let node;
  let client;
  let api; // the typed API
  let accounts;
  let version; // the active version of model 0
  let request; // the InferenceRequested event's fields
  let resultBlock; // { hash, number } of the best block that holds ResultFinalized
  let finalizedEvent; // ResultFinalized's fields

  before(async () => {
    node = await startDevNode({ name: 'client-papi', args: ['--dev-block-time', '1000'] });
    client = papiClient(node.url);
    const { module } = await papiDescriptors(client, 'aio');
    api = client.getTypedApi(module.aio);
    accounts = await devAccounts();
  });

  after(async () => {
    client?.destroy();
    await node?.stop();
  });

  it('reads the genesis dataset and the active model version through typed descriptors', async () => {
    const dataset = await api.apis.DatasetProvenanceApi.dataset(0n);
    assert.ok(dataset, 'dataset 0 exists');
    assert.equal(dataset.id, 0n);
    // Fixed-size byte arrays (hashes) come as hex strings, byte vectors as Uint8Array.
    assert.equal(dataset.content_hash, IRIS_CSV_HASH);
    assert.equal(Binary.toText(dataset.licence), 'CC-BY-4.0');
    assert.equal(dataset.owner, accounts.alice.address);

    version = await api.apis.ModelRegistryApi.active_version(0);
    assert.ok(version, 'model 0 has an active version');
    assert.equal(version.version, 1);
    assert.equal(version.model_hash, reference.hash);
    assert.equal(version.status.type, 'Active');
    assert.equal(version.input_scale, reference.fixed_point.input_scale);
    assert.equal(version.output_scale, reference.fixed_point.output_scale);
    assert.equal(version.aggregation.type, 'Median');
    assert.deepEqual(version.training_datasets, [0n]);
  });

  it('requests an inference signed by Dave and sees ResultFinalized in a best block', async () => {
    const { dave } = accounts;
    // A PAPI signer from a Polkadot.js keyring pair: public key, scheme, sign function.
    const signer = getPolkadotSigner(dave.publicKey, 'Sr25519', (payload) => dave.sign(payload));
    const fee = await api.constants.InferenceOracle.RequestFee();
    const input = reference.cases[0].input_fixed_point.map(BigInt);

    // Listen on best blocks before sending: the result can be in the block after the request.
    const seen = [];
    // (`new` for a block joining the best chain; a block finalized at once may come as
    // `finalized` only.)
    const watching = api.event.InferenceOracle.ResultFinalized.watchBest().subscribe((x) => {
      if (x.type !== 'drop') seen.push(x);
    });
    try {
      const tx = api.tx.InferenceOracle.request_inference({ model: 0, input, max_fee: fee });
      // signSubmitAndWatch reports the best block that includes the transaction
      // (`txBestBlocksState` with `found`), then completes once it is finalized.
      const included = await firstMatch(
        tx.signSubmitAndWatch(signer),
        (e) => e.type === 'txBestBlocksState' && e.found,
        60_000,
        'the request in a best block',
      );
      assert.ok(included.ok, `the request failed: ${JSON.stringify(included.dispatchError)}`);
      // The transaction's own events, as `{ type: pallet, value: { type: name, value: fields } }`.
      const event = included.events.find((e) => e.type === 'InferenceOracle' && e.value.type === 'InferenceRequested');
      assert.ok(event, 'InferenceRequested');
      request = event.value.value;
      assert.equal(request.requester, dave.address);
      assert.equal(request.model, 0);
      assert.equal(request.version, version.version);
      assert.equal(request.fee, fee);
      assert.equal(request.committee.length, 3);

      // ResultFinalized for this request, in a block of the best chain.
      const deadline = Date.now() + 60_000;
      let hit;
      while (!hit && Date.now() < deadline) {
        hit = seen.find((x) => x.events.some((e) => e.payload.request === request.request));
        if (!hit) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(hit, `no ResultFinalized for request ${request.request} within 60 s`);
      resultBlock = { hash: hit.block.hash, number: hit.block.number };
      finalizedEvent = hit.events.find((e) => e.payload.request === request.request).payload;
    } finally {
      watching.unsubscribe();
    }
    const tolerance = version.aggregation.value.tolerance;
    const expected = reference.cases[0].outputs[1].fixed_point;
    assert.equal(finalizedEvent.output.length, expected.length);
    finalizedEvent.output.forEach((q, i) => assert.ok(
      Math.abs(Number(q) - expected[i]) <= Number(tolerance),
      `element ${i}: ${q} vs reference ${expected[i]}`,
    ));
    assert.deepEqual([...finalizedEvent.agreeing].sort(), [...request.committee].sort());
  });

  it('explain at the finalized block says Pending until the result block is final; at the result block, Finalized', async (t) => {
    // Right after the event shows in a best block, the finalized block is still its parent
    // (the dev node finalizes a block about a block time after importing it).
    const finalizedBefore = await client.getFinalizedBlock();
    const byDefault = await api.apis.InferenceOracleApi.explain(request.request); // at: 'finalized'
    const finalizedAfter = await client.getFinalizedBlock();
    if (finalizedAfter.number < resultBlock.number) {
      // The trap: reading at finalized (PAPI's default) right after the event.
      assert.equal(byDefault.request.status.type, 'Pending');
      assert.equal(byDefault.result, undefined);
      t.diagnostic(`ResultFinalized in best block #${resultBlock.number}, finalized #${finalizedAfter.number}: explain at finalized said Pending`);
    } else if (finalizedBefore.number >= resultBlock.number) {
      // Finality overtook the test (a slow machine): finalized already holds the result.
      assert.equal(byDefault.request.status.type, 'Finalized');
      t.diagnostic(`finalized #${finalizedBefore.number} already held the result block #${resultBlock.number}`);
    }
    // Deterministically: at the parent of the result block (what finalized reads until
    // the result block is final) the request is Pending ...
    const { parentHash } = await client.getBlockHeader(resultBlock.hash);
    const atParent = await api.apis.InferenceOracleApi.explain(request.request, { at: parentHash });
    assert.equal(atParent.request.status.type, 'Pending');
    // ... and at the block that holds ResultFinalized (right way 1) it is Finalized.
    const atResult = await api.apis.InferenceOracleApi.explain(request.request, { at: resultBlock.hash });
    assert.equal(atResult.request.status.type, 'Finalized');
    assert.deepEqual(atResult.result.output, finalizedEvent.output);
    assert.equal(atResult.result.finalized_at, resultBlock.number);
  });

  it('waiting for finality (right way 2): explain at finalized says Finalized, with the provenance', async () => {
    const finalized = await firstMatch(
      client.finalizedBlock$,
      (b) => b.number >= resultBlock.number,
      30_000,
      `finality of block #${resultBlock.number}`,
    );
    assert.ok(finalized.number >= resultBlock.number);
    // Watching the event on finalized blocks (`watch()`, not `watchBest()`) also waits for
    // finality; events of blocks finalized before subscribing are not replayed, so read
    // the finalized block's events here instead.
    const atResult = await api.event.InferenceOracle.ResultFinalized.get(resultBlock.hash);
    assert.equal(atResult.filter((e) => e.payload.request === request.request).length, 1);

    const explained = await api.apis.InferenceOracleApi.explain(request.request); // at: 'finalized'
    assert.ok(explained, 'explain returns the request');
    assert.equal(explained.request.status.type, 'Finalized');
    assert.equal(explained.request.requester, accounts.dave.address);
    assert.deepEqual(explained.request.input, reference.cases[0].input_fixed_point.map(BigInt));
    assert.deepEqual(explained.result.output, finalizedEvent.output);
    assert.equal(explained.result.agreeing.length, 3);
    assert.equal(explained.submissions.length, 3);
    for (const s of explained.submissions) {
      assert.equal(s.outcome.type, 'Output');
      assert.equal(s.at, resultBlock.number);
    }
    const provenance = explained.provenance;
    assert.ok(provenance, 'provenance');
    assert.equal(provenance.version.model_hash, reference.hash);
    assert.equal(provenance.training_datasets[0].dataset.content_hash, IRIS_CSV_HASH);
    assert.equal(Binary.toText(provenance.training_datasets[0].dataset.licence), 'CC-BY-4.0');
    assert.deepEqual(explained.tainted_datasets, []);
  });

  it('decodes the block with the operators reveals: v5 general transactions', async () => {
    // PAPI's client gives the block body as opaque extrinsics; @polkadot-api/tx-utils
    // decodes them (v4 signed, v5 bare and v5 general) from the block's metadata.
    const decode = getExtrinsicDecoder(await client.getMetadata(resultBlock.hash));
    const body = await client.getBlockBody(resultBlock.hash);
    const decoded = body.map((bytes) => decode(bytes));
    const operators = await api.apis.InferenceOracleApi.operators({ at: resultBlock.hash });
    const accountOfKey = new Map(operators.map((o) => [o.key, o.account]));
    const events = await api.query.System.Events.getValue({ at: resultBlock.hash });

    const reveals = decoded
      .map((x, index) => ({ x, index }))
      .filter(({ x }) => x.call.type === 'InferenceOracle' && x.call.value.type === 'submit_results');
    assert.equal(reveals.length, 3, 'one batch per committee member');
    const revealedBy = [];
    for (const { x, index } of reveals) {
      // Extrinsic format v5, general (0x45), extension version 0: no signer; the runtime's
      // extensions at their defaults (AuthorizeCall lets the call authorize itself).
      assert.equal(x.version, 5);
      assert.equal(x.type, 'general');
      assert.equal(x.extensionVersion, 0);
      assert.deepEqual(x.extra.CheckMortality, { type: 'Immortal', value: undefined });
      assert.equal(x.extra.CheckNonce, 0);
      assert.equal(x.extra.ChargeTransactionPayment, 0n);
      assert.deepEqual(x.extra.CheckMetadataHash, { type: 'Disabled', value: undefined });
      assert.ok('AuthorizeCall' in x.extra && 'CheckRequestCapacity' in x.extra);

      const { batch, signature } = x.call.value.value;
      assert.match(signature, /^0x[0-9a-f]{128}$/, 'the orcl key signs the batch (sr25519)');
      const account = accountOfKey.get(batch.key);
      assert.ok(account, `batch key ${batch.key} is an operator key`);
      const [item] = batch.items.filter((i) => i.request === request.request);
      assert.ok(item, 'the batch answers our request');
      assert.equal(item.answer.type, 'Reveal');
      assert.equal(item.answer.value.outcome.type, 'Output');
      assert.deepEqual(item.answer.value.outcome.value, finalizedEvent.output.map(BigInt));
      assert.match(item.answer.value.salt, /^0x[0-9a-f]{64}$/);
      // The chain's events say the same: this extrinsic's BatchSubmitted names the operator.
      const own = events.filter((e) => e.phase.type === 'ApplyExtrinsic' && e.phase.value === index);
      const submitted = own.find((e) => e.event.type === 'InferenceOracle' && e.event.value.type === 'BatchSubmitted');
      assert.equal(submitted.event.value.value.operator, account);
      revealedBy.push(account);
    }
    assert.deepEqual(revealedBy.sort(), [...request.committee].sort());
    // The other extrinsics of the block are the inherents: v5 bare.
    for (const x of decoded.filter((d) => d.type === 'bare')) assert.equal(x.version, 5);
  });

  it('signs with the metadata hash, as offline signers do, and a signer with another hash is refused', async () => {
    const { eve } = accounts;
    const base = getPolkadotSigner(eve.publicKey, 'Sr25519', (payload) => eve.sign(payload));
    // The hash covers the metadata and the chain's token: AIO, 12 decimals (runtime/build.rs).
    const signer = withMetadataHash({ decimals: 12, tokenSymbol: 'AIO' }, base);
    const remark = api.tx.System.remark({ remark: Binary.fromText('signed with the metadata hash') });
    const done = await remark.signAndSubmit(signer);
    assert.ok(done.ok, `refused: ${JSON.stringify(done.dispatchError)}`);
    assert.ok(done.block.number > 0);

    // Signed against another hash: the signature does not verify against the runtime's.
    const liar = withMetadataHash({ decimals: 12, tokenSymbol: 'DOT' }, base);
    const other = api.tx.System.remark({ remark: Binary.fromText('signed against another hash') });
    await assert.rejects(other.signAndSubmit(liar), (e) => {
      assert.match(`${e?.message} ${JSON.stringify(e)}`, /BadProof/);
      return true;
    });
  });
});
