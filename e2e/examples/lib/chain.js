// What every example needs: parse the command line, connect, sign with a dev account,
// send a transaction and wait for its block, and say clearly why a call failed.
// Copy this file with the example you copy.

import { parseArgs } from 'node:util';

import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';

/** The node `./scripts/run-dev.sh` starts. */
export const DEFAULT_URL = 'ws://127.0.0.1:9944';

/**
 * Parses `node example.js [ws-url] [--option value ...]` with `node:util` parseArgs.
 * Prints `usage` and exits on `--help` or an unknown option.
 * @returns {{ url: string, args: Record<string, string | boolean> }}
 */
export function cli(usage, options = {}) {
  let parsed;
  try {
    parsed = parseArgs({
      options: { ...options, help: { type: 'boolean' } },
      allowPositionals: true,
    });
  } catch (e) {
    console.error(`${e.message}\n\nusage: ${usage}`);
    process.exit(2);
  }
  if (parsed.values.help) {
    console.log(`usage: ${usage}`);
    process.exit(0);
  }
  return { url: parsed.positionals[0] ?? DEFAULT_URL, args: parsed.values };
}

/**
 * Connects to the node at `url`. No custom types: @polkadot/api reads every type, call,
 * event, error and runtime API from the chain's metadata. Fails at once (instead of
 * retrying forever) if nothing listens there.
 */
export async function connect(url) {
  const provider = new WsProvider(url, false); // false: no automatic reconnection
  await new Promise((resolve, reject) => {
    const offConnected = provider.on('connected', () => { offConnected(); offError(); resolve(); });
    const offError = provider.on('error', () => {
      offConnected();
      offError();
      reject(new Error(`cannot connect to ${url}: is the node running? (./scripts/run-dev.sh)`));
    });
    provider.connect().catch(reject);
  });
  return ApiPromise.create({ provider, noInitWarn: true });
}

/** A dev account (`//Alice`, `//Bob`, ... `//Ferdie`): funded and well known, dev chains only. */
export async function devAccount(api, name) {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: api.registry.chainSS58 });
  const pair = keyring.addFromUri(`//${name[0].toUpperCase()}${name.slice(1).toLowerCase()}`);
  pair.name = name;
  return pair;
}

/** `5Grw...utQY (Alice)` for the dev accounts, the address alone for anyone else. */
export async function accountName(api, address) {
  for (const name of ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie']) {
    if ((await devAccount(api, name)).address === address.toString()) return `${address} (${name})`;
  }
  return address.toString();
}

/**
 * A failed dispatch as `pallet.Error: what the pallet's docs say`, e.g.
 * `inferenceOracle.InputLengthMismatch: The input's length is not ...`.
 */
export function describeDispatchError(api, dispatchError) {
  if (dispatchError.isModule) {
    const { section, name, docs } = api.registry.findMetaError(dispatchError.asModule);
    return `${section}.${name}: ${docs.join(' ')}`;
  }
  return dispatchError.toString(); // e.g. BadOrigin, or {"token":"FundsUnavailable"}
}

/**
 * Signs `tx` with `signer`, sends it and resolves once it is in a block with
 * `{ events, blockHash, blockNumber }`: the events of this transaction only. Rejects with a
 * readable error if the pool refuses it or it fails to dispatch.
 */
export function send(api, tx, signer) {
  return new Promise((resolve, reject) => {
    let unsubscribe;
    let done = false;
    const finish = (settle, value) => {
      done = true;
      unsubscribe?.();
      settle(value);
    };
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (done) return;
      if (status.isInBlock || status.isFinalized) {
        const blockHash = status.isInBlock ? status.asInBlock : status.asFinalized;
        if (dispatchError) {
          finish(reject, new Error(describeDispatchError(api, dispatchError)));
        } else {
          api.rpc.chain.getHeader(blockHash).then(
            (header) => finish(resolve, { events, blockHash, blockNumber: header.number.toNumber() }),
            (e) => finish(reject, e),
          );
        }
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        finish(reject, new Error(`the transaction pool reports it ${status.type}`));
      }
    })
      .then((u) => {
        unsubscribe = u;
        if (done) u();
      })
      // e.g. "1010: Invalid Transaction: Inability to pay some fees"
      .catch((e) => finish(reject, e));
  });
}

/** The `section.method` event among a transaction's `events` (throws if there is none). */
export function findEvent(api, events, section, method) {
  const found = events.find(({ event }) => api.events[section][method].is(event));
  if (!found) throw new Error(`no ${section}.${method} event`);
  return found.event;
}

/** A balance in the chain's token, exactly: `10000000000` -> `0.01 AIO`. */
export function formatBalance(api, value) {
  const decimals = api.registry.chainDecimals[0];
  const base = 10n ** BigInt(decimals);
  const v = BigInt(value.toString());
  const fraction = (v % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${v / base}${fraction ? `.${fraction}` : ''} ${api.registry.chainTokens[0]}`;
}

/**
 * Prints the example's result as the last line of its output: one line of JSON, for
 * scripts (and the e2e test) to parse. BigInts that fit are written as numbers.
 */
export function printResult(result) {
  console.log(JSON.stringify(result, (_, v) => (
    typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v
  )));
}

/**
 * Runs an example's `main(api)` against the node at `url`, disconnects whatever happens,
 * and exits non-zero with the error's message on failure.
 */
export async function run(url, main) {
  let api;
  try {
    api = await connect(url);
    await main(api);
  } catch (e) {
    console.error(`error: ${e.message}`);
    process.exitCode = 1;
  } finally {
    await api?.disconnect();
  }
}

/** Resolves at the next new block, or after `ms` if none comes. */
export function nextBlock(api, ms) {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let finished = false;
    let unsubscribe;
    const done = () => {
      finished = true;
      clearTimeout(timer);
      unsubscribe?.();
      resolve();
    };
    const timer = setTimeout(done, ms);
    api.rpc.chain.subscribeNewHeads(() => {
      seen += 1; // the first header is the current best block
      if (seen === 2 && !finished) done();
    }).then((u) => {
      unsubscribe = u;
      if (finished) u();
    }, reject);
  });
}
