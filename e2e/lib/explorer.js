// The provenance explorer (explorer/) for browser tests: its static server, run as a
// child process the way scripts/explorer.sh runs it, and headless Chromium to open it.
//
//   const explorer = await startExplorer();          // node explorer/serve.js on a free port
//   const browser = await launchChromium();          // the system's Chromium, headless
//   ...
//   await browser.close(); await explorer.stop();

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { freePort } from './node.js';

const serveJs = fileURLToPath(new URL('../../explorer/serve.js', import.meta.url));

/** The Chromium the tests drive: $CHROMIUM, else Debian's package. */
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

/** Launches headless Chromium, or fails saying how to install it. */
export async function launchChromium() {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `no Chromium at ${chromiumPath}: install it (apt-get install chromium; scripts/setup.sh `
      + 'does) or set CHROMIUM to a Chromium or Chrome binary',
    );
  }
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
}

/** Starts explorer/serve.js on a free port; resolves with `{ url, stop }` once it listens. */
export async function startExplorer(timeoutMs = 10_000) {
  const port = await freePort();
  const child = spawn(process.execPath, [serveJs, '--port', String(port), '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kill = () => child.kill('SIGKILL');
  process.on('exit', kill);
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve.js did not start: ${output}`)), timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const found = output.match(/serving on (http:\/\/\S+)/);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.js exited with status ${code}: ${output}`));
    });
  });
  return {
    url,
    async stop() {
      process.off('exit', kill);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.on('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
