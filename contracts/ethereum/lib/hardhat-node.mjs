// Starts a local Hardhat node (`hardhat node`, loopback only, a free port) as a child
// process for the tests, waits until it answers eth_chainId, and stops it.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(dirname(fileURLToPath(import.meta.url)));

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function chainId(url) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    signal: AbortSignal.timeout(1000),
  });
  return (await res.json()).result;
}

/**
 * Starts the node (on `port`, or a free one); resolves to `{ url, stop() }` once
 * eth_chainId answers (within `timeoutMs`). The e2e tests pass a port they reserved, so
 * that tests running at once never pick the same.
 */
export async function startHardhatNode({ timeoutMs = 60_000, port } = {}) {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const cli = join(here, 'node_modules', 'hardhat', 'internal', 'cli', 'cli.js');
  const child = spawn(process.execPath, [cli, 'node', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: here,
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true', HARDHAT_DISABLE_UPDATE_CHECK: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (d) => {
    log = (log + d).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  // Never outlive the test process.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = () =>
    new Promise((resolve) => {
      process.removeListener('exit', killOnExit);
      if (exited) return resolve();
      const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(hard);
        resolve();
      });
      child.kill('SIGTERM');
    });

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`hardhat node exited (${JSON.stringify(exited)}):\n${log}`);
    try {
      if ((await chainId(url)) !== undefined) return { url, stop, log: () => log };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`hardhat node did not answer eth_chainId within ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
