// Dataset provenance end to end, as a dApp would: register a dataset, derive a second
// from it, attest, retract the first, and read lineage and taint through the runtime API.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { blake2AsHex } from '@polkadot/util-crypto';

import { devAccounts, findEvent, sendAndWaitInBlock, submit } from '../lib/chain.js';
import { startDevNode } from '../lib/node.js';

function eventOf(api, events, name) {
  return findEvent(api, events, 'datasetProvenance', name);
}

describe('dataset provenance', () => {
  let node;
  let api;
  let accounts;

  before(async () => {
    node = await startDevNode({ name: 'datasets', args: ['--dev-block-time', '1000'] });
    api = await node.connect();
    accounts = await devAccounts();
  });

  after(async () => {
    await node?.stop();
  });

  it('registers, derives, attests, retracts, and reports lineage and taint', async () => {
    const { alice, bob, charlie } = accounts;
    const raw = new TextEncoder().encode('sepal_length,sepal_width\n5.1,3.5\n');
    const rawHash = blake2AsHex(raw, 256);
    const open = { commercialUse: true, derivatives: true, shareAlike: false };

    // Alice registers the raw data.
    let events = await submit(
      api,
      api.tx.datasetProvenance.registerDataset({
        contentHash: rawHash, sizeBytes: raw.length, recordCount: 1, uri: 'ipfs://raw',
        licence: 'CC-BY-4.0', licenceFlags: open, parents: [],
      }),
      alice,
    );
    const rawId = eventOf(api, events, 'DatasetRegistered').data.dataset.toNumber();

    // Bob derives a cleaned dataset from it.
    const cleanHash = blake2AsHex('cleaned', 256);
    events = await submit(
      api,
      api.tx.datasetProvenance.registerDataset({
        contentHash: cleanHash, sizeBytes: 7, uri: 'ipfs://clean', licence: 'CC-BY-4.0',
        licenceFlags: open, parents: [rawId], derivation: { Description: 'deduplicated' },
      }),
      bob,
    );
    const registered = eventOf(api, events, 'DatasetRegistered');
    const cleanId = registered.data.dataset.toNumber();
    assert.deepEqual(registered.data.parents.map((p) => p.toNumber()), [rawId]);

    // Charlie, an auditor, attests the cleaned data's quality.
    const report = blake2AsHex('audit report', 256);
    events = await submit(
      api, api.tx.datasetProvenance.attest(cleanId, 'Quality', report), charlie,
    );
    eventOf(api, events, 'Attested');

    // Before any retraction nothing is tainted.
    let taint = await api.call.datasetProvenanceApi.taint(cleanId);
    assert.equal(taint.unwrap().retracted.isTrue, false);
    assert.equal(taint.unwrap().retractedAncestors.length, 0);

    // Alice retracts the raw data.
    events = await submit(
      api, api.tx.datasetProvenance.retract(rawId, 'consent withdrawn'), alice,
    );
    const retracted = eventOf(api, events, 'DatasetRetracted');
    assert.equal(retracted.data.by.asOwner.toString(), alice.address);

    // The runtime API: records by id and by hash, lineage both ways, taint, attestations.
    const byHash = (await api.call.datasetProvenanceApi.datasetByHash(cleanHash)).unwrap();
    assert.equal(byHash.id.toNumber(), cleanId);
    assert.equal(byHash.owner.toString(), bob.address);
    assert.deepEqual(byHash.parents.map((p) => p.toNumber()), [rawId]);
    assert.equal(byHash.derivation.unwrap().asDescription.toUtf8(), 'deduplicated');

    const rawView = (await api.call.datasetProvenanceApi.dataset(rawId)).unwrap();
    assert.equal(rawView.retraction.unwrap().reason.toUtf8(), 'consent withdrawn');

    const ancestors = (await api.call.datasetProvenanceApi.ancestors(cleanId, 8)).unwrap();
    assert.deepEqual(ancestors.datasets.map((e) => [e.id.toNumber(), e.depth.toNumber(), e.retracted.isTrue]), [[rawId, 1, true]]);
    const descendants = (await api.call.datasetProvenanceApi.descendants(rawId, 8)).unwrap();
    assert.deepEqual(descendants.datasets.map((e) => e.id.toNumber()), [cleanId]);

    taint = (await api.call.datasetProvenanceApi.taint(cleanId)).unwrap();
    assert.equal(taint.retracted.isTrue, false);
    assert.deepEqual(taint.retractedAncestors.map((a) => a.toNumber()), [rawId]);

    const attestations = await api.call.datasetProvenanceApi.attestations(cleanId);
    assert.equal(attestations.length, 1);
    assert.equal(attestations[0].author.toString(), charlie.address);
    assert.equal(attestations[0].kind.toString(), 'Quality');
    assert.equal(attestations[0].statementHash.toHex(), report);

    // Nothing new can be derived from tainted data: a clear module error.
    const { dispatchError } = await sendAndWaitInBlock(
      api.tx.datasetProvenance.registerDataset({
        contentHash: blake2AsHex('more', 256), sizeBytes: 1, uri: 'ipfs://x',
        licence: 'CC-BY-4.0', licenceFlags: open, parents: [cleanId],
      }),
      charlie,
    );
    assert.ok(dispatchError?.isModule, 'deriving from tainted data should fail');
    const { section, name } = api.registry.findMetaError(dispatchError.asModule);
    assert.equal(`${section}.${name}`, 'datasetProvenance.AncestorRetracted');
  });

  it('changes owner in two steps: the deposit moves only when the new owner accepts', async () => {
    const { alice, dave } = accounts;
    const hash = blake2AsHex('handed over', 256);
    const open = { commercialUse: true, derivatives: true, shareAlike: false };
    let events = await submit(
      api,
      api.tx.datasetProvenance.registerDataset({
        contentHash: hash, sizeBytes: 11, uri: 'ipfs://handed-over', licence: 'CC0-1.0',
        licenceFlags: open, parents: [],
      }),
      alice,
    );
    const registered = eventOf(api, events, 'DatasetRegistered');
    const id = registered.data.dataset.toNumber();
    const deposit = registered.data.deposit.toBigInt();
    const onHold = async (who) => {
      const holds = await api.query.balances.holds(who.address);
      const hold = holds.find((h) => h.id.isDatasetProvenance && h.id.asDatasetProvenance.isDatasetStorage);
      return hold ? hold.amount.toBigInt() : 0n;
    };
    const aliceBefore = await onHold(alice);
    const daveBefore = await onHold(dave);

    // Accepting before any offer is refused with a named error.
    let { dispatchError } = await sendAndWaitInBlock(api.tx.datasetProvenance.acceptOwnership(id), dave);
    assert.ok(dispatchError?.isModule, 'accepting without an offer should fail');
    assert.equal(api.registry.findMetaError(dispatchError.asModule).name, 'NoOwnershipOffer');

    // The offer moves nothing.
    events = await submit(api, api.tx.datasetProvenance.offerOwnership(id, dave.address), alice);
    const offered = eventOf(api, events, 'OwnershipOffered');
    assert.equal(offered.data.to.unwrap().toString(), dave.address);
    assert.equal(await onHold(alice), aliceBefore);
    assert.equal((await api.call.datasetProvenanceApi.dataset(id)).unwrap().owner.toString(), alice.address);

    // Dave accepts: he owns it and holds its deposit; Alice's is released, to the unit.
    events = await submit(api, api.tx.datasetProvenance.acceptOwnership(id), dave);
    const transferred = eventOf(api, events, 'OwnershipTransferred');
    assert.equal(transferred.data.from.toString(), alice.address);
    assert.equal(transferred.data.to.toString(), dave.address);
    const view = (await api.call.datasetProvenanceApi.dataset(id)).unwrap();
    assert.equal(view.owner.toString(), dave.address);
    assert.equal(view.deposit.toBigInt(), deposit);
    assert.equal(await onHold(alice), aliceBefore - deposit);
    assert.equal(await onHold(dave), daveBefore + deposit);
  });
});
