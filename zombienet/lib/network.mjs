// Spawns a zombienet network of paratii-node processes (native provider) and hands
// the tests its nodes. The `local` chain spec is exported raw from the node binary
// first, so zombienet takes it as is (see four-validators.toml).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { start } from '@zombienet/orchestrator';
import { readNetworkConfig } from '@zombienet/utils';
import { nodeBinary, rawChainSpec, sharedNodeArgs } from '../../tests/e2e/lib/node.mjs';

// The e2e tests' polling helpers (Node built-ins only, no npm imports).
import { waitFor } from '../../tests/e2e/lib/node.mjs';

export { freePort, rpc, sleep, waitFor } from '../../tests/e2e/lib/node.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');

/**
 * Spawns the network defined in `zombienet/<file>` in a fresh directory and returns
 * zombienet's Network (nodesByName, each with wsUri, restart(), pause(), resume()),
 * plus the directory with each node's log.
 */
export async function spawnNetwork(file, { name = path.basename(file, '.toml') } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `paratii-zombienet-${name}-`));
  process.env.PARATII_NODE = nodeBinary();
  process.env.PARATII_LOCAL_SPEC = rawChainSpec('local');
  // A production chain (no sudo, the council of the four validators) of the dev keys, for
  // the networks that use it (its 10-block sessions are the test build's MinSessionPeriod).
  const toml = path.join(ROOT, 'zombienet', file);
  if (fs.readFileSync(toml, 'utf8').includes('{{PARATII_PRODUCTION_SPEC}}')) {
    process.env.PARATII_PRODUCTION_SPEC =
      rawChainSpec(`production:${path.join(ROOT, 'zombienet', 'production-validators.json')}`);
  }
  const config = readNetworkConfig(toml);
  // Every node shares the test command's wasmtime cache: the runtime is compiled once.
  config.relaychain.default_args = [...(config.relaychain.default_args ?? []), ...sharedNodeArgs()];
  const started = Date.now();
  console.log(`spawning ${file} in ${dir}/net (node logs: <name>.log)`);
  const network = await start('', config, {
    spawnConcurrency: 1, dir: path.join(dir, 'net'), force: true, silent: true,
  });
  console.log(`spawned ${Object.keys(network.nodesByName).join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { network, dir: path.join(dir, 'net') };
}

/** A polkadot.js connection to one node of the network. */
export async function connect(node) {
  return ApiPromise.create({ provider: new WsProvider(node.wsUri), noInitWarn: true });
}

/**
 * Scans blocks from `from` on (waiting for new ones) until `found(author)` is true for
 * a block's author (its account, from Aura's slot and the session's validators);
 * returns that block's number.
 */
export async function scanAuthors(api, from, found, { what = 'a block by the expected author', timeoutMs = 180_000 } = {}) {
  let next = from;
  await waitFor(what, async () => {
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    for (; next <= best; next++) {
      const header = await api.derive.chain.getHeader(await api.rpc.chain.getBlockHash(next));
      if (found(String(header.author))) return true;
    }
    return false;
  }, { timeoutMs });
  return next;
}
