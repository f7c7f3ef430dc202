// PAPI (polkadot-api 2.x) against a test's dev node: a client, and typed descriptors
// generated from the node's own metadata, as `papi add` + `papi generate` would make them.
//
//   const client = papiClient(node.url);                // a PolkadotClient over WebSocket
//   const { aio } = await papiDescriptors(client);       // typed descriptors of this runtime
//   const api = client.getTypedApi(aio);
//
// Two things differ from PAPI's quick start, both for Node 20 (which this suite supports):
// - PAPI's WebSocket provider uses `globalThis.WebSocket`, which Node has only from 22
//   (Node 20 throws `Missing WebSocket class`); the `ws` package's class is passed instead,
//   which works on every Node version.
// - For the same reason `papi add aio --wsUrl ...` fails on Node 20. The metadata is read
//   here through the client (the `state_call` of `Metadata_metadata_at_version`, newest
//   stable version: v16), written to a file, and `papi generate` compiles the descriptors
//   from it, into test-output/papi/ (gitignored), without the `@polkadot-api/descriptors`
//   package `papi add` installs into package.json (`options.noDescriptorsPackage`).

import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { createClient } from 'polkadot-api';
import { getWsProvider } from 'polkadot-api/ws';
import { WebSocket } from 'ws';

import { outputDir } from './node.js';

const papiCli = fileURLToPath(new URL('../node_modules/polkadot-api/bin/cli.js', import.meta.url));

/** A PAPI client on `url`, with the `ws` package's WebSocket (Node 20 has none of its own). */
export function papiClient(url) {
  return createClient(getWsProvider(url, { websocketClass: WebSocket }));
}

/**
 * Generates PAPI's typed descriptors of the runtime `client` is connected to, under the key
 * `key` (the export's name), into test-output/papi/<key>/, and imports them. Returns the
 * descriptors module (`{ [key]: descriptors, ... }`) and the directory.
 */
export async function papiDescriptors(client, key = 'aio') {
  const dir = join(outputDir, 'papi', key);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { hash } = await client.getFinalizedBlock();
  writeFileSync(join(dir, `${key}.scale`), await client.getMetadata(hash));
  // What `papi add KEY --file KEY.scale` writes, plus: no descriptors package to install.
  writeFileSync(join(dir, 'polkadot-api.json'), JSON.stringify({
    version: 0,
    descriptorPath: 'descriptors',
    entries: { [key]: { metadata: `${key}.scale` } },
    options: { noDescriptorsPackage: true },
  }, null, 2));
  await promisify(execFile)(process.execPath, [papiCli, 'generate', '--config', 'polkadot-api.json'], {
    cwd: dir,
    // `papi` only reads files here; keep npm and its update check out of it.
    env: { ...process.env, NO_UPDATE_NOTIFIER: '1' },
  });
  // The generated module imports `polkadot-api`: e2e/node_modules, found from test-output/.
  const module = await import(pathToFileURL(join(dir, 'descriptors', 'dist', 'index.js')).href);
  return { module, dir };
}
