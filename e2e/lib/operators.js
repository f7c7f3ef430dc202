// Acting as an oracle operator from a test, without a node of its own: sign an answer
// (an outcome, a commitment or a reveal) with the operator's `orcl` key and send it the
// way an off-chain worker does, as an authorized transaction. This lets a test decide what an operator answers (a wrong
// output, a failure) where a real node would always score honestly.
//
// An authorized transaction is an extrinsic v5 "general" transaction: no signer, the
// runtime's transaction extensions (AuthorizeCall first) with their default values, then
// the call. Polkadot.js 16 does not build those, so it is encoded here from the metadata.

import { compactAddLength, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, decodeAddress } from '@polkadot/util-crypto';

import { nextBlocks } from './chain.js';

// Extrinsic format version 5 with the "general" bit (0b0100_0000).
const GENERAL_V5 = 0x45;

/** The bytes of an authorized (general, unsigned) transaction carrying `call`. */
export function authorizedTransaction(api, call) {
  const { transactionExtensions, transactionExtensionsByVersion } = api.registry.metadata.extrinsic;
  // The one extension version the runtime declares, and its extensions in order.
  const [[version, indices]] = [...transactionExtensionsByVersion.entries()];
  // Without a signer, every extension's explicit value is its default: an immortal era,
  // nonce 0, tip 0, metadata-hash mode Disabled, nothing for the others.
  const explicit = indices.map((i) => {
    const { type } = transactionExtensions[i.toNumber()];
    return api.registry.createType(api.registry.createLookupType(type)).toU8a();
  });
  return compactAddLength(u8aConcat(
    new Uint8Array([GENERAL_V5, version.toNumber()]),
    ...explicit,
    call.method.toU8a(),
  ));
}

/**
 * Sends `answer` (`{ Outcome: ... }`, `{ Commit: hash }` or `{ Reveal: { outcome, salt } }`)
 * for `request` as the operator whose `orcl` key is `keyPair` (an sr25519 keyring pair), to
 * the node at `rpcHttpUrl`. Resolves with the transaction hash once the pool accepts it;
 * rejects with the pool's error otherwise.
 */
export async function answerAs(api, rpcHttpUrl, keyPair, request, answer) {
  // The submission's type as the metadata names it (the call's first argument).
  const [submissionArg] = api.tx.inferenceOracle.submitResult.meta.args;
  const submission = api.createType(submissionArg.type.toString(), {
    request, key: keyPair.publicKey, answer,
  });
  const signature = keyPair.sign(submission.toU8a());
  const call = api.tx.inferenceOracle.submitResult(submission, signature);
  const res = await fetch(rpcHttpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      id: 1,
      jsonrpc: '2.0',
      method: 'author_submitExtrinsic',
      params: [u8aToHex(authorizedTransaction(api, call))],
    }),
  });
  const reply = await res.json();
  if (reply.error) {
    throw new Error(`the pool refused the submission: ${JSON.stringify(reply.error)}`);
  }
  return reply.result;
}

/**
 * Submits `outcome` (`{ Output: [...] }` or `{ Failed: 'ModelBytesUnavailable' }`) itself:
 * for a request served by a committee of one.
 */
export function submitResultAs(api, rpcHttpUrl, keyPair, request, outcome) {
  return answerAs(api, rpcHttpUrl, keyPair, request, { Outcome: outcome });
}

/**
 * The commitment of the operator with account `account` to `outcome` for `request` with
 * `salt` (32 bytes), as the pallet computes it: blake2-256 of the SCALE encoding of
 * (`"aioracle/commitment"`, request, account, outcome, salt).
 */
export function commitment(api, request, account, outcome, salt) {
  const [submissionArg] = api.tx.inferenceOracle.submitResult.meta.args;
  // The outcome's type: the one `Answer::Outcome` carries.
  const probe = api.createType(submissionArg.type.toString(), { request, key: new Uint8Array(32), answer: { Outcome: outcome } });
  return blake2AsU8a(u8aConcat(
    compactAddLength(stringToU8a('aioracle/commitment')),
    api.createType('u64', request).toU8a(),
    decodeAddress(account),
    probe.answer.asOutcome.toU8a(),
    salt,
  ), 256);
}

/** Commits `keyPair`'s operator (account `account`) to `outcome` for `request` with `salt`. */
export function commitAs(api, rpcHttpUrl, keyPair, account, request, outcome, salt) {
  return answerAs(api, rpcHttpUrl, keyPair, request, {
    Commit: commitment(api, request, account, outcome, salt),
  });
}

/**
 * Reveals the `outcome` and `salt` `keyPair`'s operator committed to for `request`. The
 * pool checks a transaction against its own view of the best block, which can be a block
 * behind what the RPC just reported: a reveal it refuses as `NotCommitted` or
 * `RevealsNotOpen` (the commitments are not in its view yet) is sent again after the next
 * block, up to three times.
 */
export async function revealAs(api, rpcHttpUrl, keyPair, request, outcome, salt) {
  const notYet = ['NotCommitted', 'RevealsNotOpen'].map((name) => api.errors.inferenceOracle[name].meta.index.toNumber());
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await answerAs(api, rpcHttpUrl, keyPair, request, { Reveal: { outcome, salt } });
    } catch (error) {
      const code = /Custom error: (\d+)/.exec(String(error.message))?.[1];
      if (attempt >= 3 || code === undefined || !notYet.includes(Number(code))) throw error;
      // The current head, then the next one.
      await nextBlocks(api, 2);
    }
  }
}
