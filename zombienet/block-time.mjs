// `scripts/block-time.sh`: one block time measured on the four-validator network.
//
//   node block-time.mjs --load <paratii-load> --out <report.json>
//                       [--workload register-media --count 3000 --accounts 300]
//                       [--idle-blocks 10]
//
// Spawns four-validators.toml with PARATII_NODE (a node whose runtime was built with
// the slot to measure), watches Alice's best and finalized heads, lets the network run
// idle for --idle-blocks blocks, then runs paratii-load against Alice once per
// --workload. For the idle window and each load run it reports, from the finalized
// chain: blocks, missed Aura slots (slot numbers from the blocks' pre-runtime digests),
// and finality lag (a block first seen as Alice's best head → seen finalized). The
// load tool's own report gives throughput and submission → finalized latency.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connect, spawnNetwork, waitFor } from './lib/network.mjs';

const { values: opt } = parseArgs({
  options: {
    load: { type: 'string' },
    out: { type: 'string' },
    workload: { type: 'string', multiple: true, default: ['register-media'] },
    count: { type: 'string', default: '3000' },
    accounts: { type: 'string', default: '300' },
    'idle-blocks': { type: 'string', default: '10' },
  },
});
if (!opt.load || !opt.out) {
  console.error('usage: node block-time.mjs --load <paratii-load> --out <report.json> [--workload W ...]');
  process.exit(2);
}
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const { network, dir } = await spawnNetwork('four-validators.toml', { name: 'block-time' });
const alice = network.nodesByName.alice;
const api = await connect(alice);
let report;
try {
  const slotMs = (await api.call.auraApi.slotDuration()).toNumber();
  console.log(`slot ${slotMs} ms; logs in ${dir}`);

  // When each block number was first Alice's best head, and when it was finalized (a
  // finality notification finalizes every block up to it).
  const bestAt = new Map();
  const finalizedAt = new Map();
  let finalized = 0;
  const unsubBest = await api.rpc.chain.subscribeNewHeads((h) => {
    const n = h.number.toNumber();
    if (!bestAt.has(n)) bestAt.set(n, Date.now());
  });
  const unsubFinal = await api.rpc.chain.subscribeFinalizedHeads((h) => {
    const n = h.number.toNumber();
    for (let k = finalized + 1; k <= n; k++) finalizedAt.set(k, Date.now());
    finalized = Math.max(finalized, n);
  });
  const finalizedAtLeast = (n, what, slots = 60) =>
    waitFor(what, () => finalized >= n, { timeoutMs: Math.max(120_000, slots * slotMs) });

  await finalizedAtLeast(2, 'the network finalizing its first blocks');
  const idleFrom = finalized + 1;
  const idleBlocks = Number(opt['idle-blocks']);
  console.log(`idle: finalized blocks ${idleFrom}..${idleFrom + idleBlocks - 1}`);
  await finalizedAtLeast(idleFrom + idleBlocks - 1, `${idleBlocks} idle blocks`, 4 * idleBlocks);
  const windows = [{ name: 'idle', from: idleFrom, to: idleFrom + idleBlocks - 1 }];

  const loads = [];
  for (const workload of opt.workload) {
    const from = finalized + 1;
    const json = path.join(path.dirname(opt.out), `${path.basename(opt.out, '.json')}.${workload}.json`);
    console.log(`paratii-load: ${opt.count} × ${workload} from ${opt.accounts} accounts against ${alice.wsUri}`);
    await run(opt.load, [
      '--url', alice.wsUri, '--workload', workload, '--count', opt.count, '--accounts', opt.accounts,
      '--in-flight', '512', '--max-seconds', '1200', '--json', json,
    ]);
    const to = finalized;
    const load = JSON.parse(fs.readFileSync(json, 'utf8'));
    windows.push({ name: workload, from, to });
    loads.push({
      workload,
      included: load.measured.included,
      submitted: load.measured.submitted,
      per_second: load.measured.window?.per_second ?? null,
      ceiling_per_second: load.ceiling?.per_second ?? null,
      latency_ms: load.measured.latency,
    });
  }
  unsubBest();
  unsubFinal();

  const result = [];
  for (const w of windows) result.push({ ...w, ...(await chainStats(w.from, w.to)) });
  report = { slot_ms: slotMs, validators: Object.keys(network.nodesByName).length, windows: result, loads };
  fs.writeFileSync(opt.out, JSON.stringify(report, null, 2));

  // Blocks, missed slots and finality lag of the finalized blocks from..to.
  async function chainStats(from, to) {
    const slots = [];
    for (let n = from; n <= to; n++) {
      const header = await api.rpc.chain.getHeader(await api.rpc.chain.getBlockHash(n));
      const aura = header.digest.logs.find((log) => log.isPreRuntime && log.asPreRuntime[0].toString() === 'aura');
      slots.push(api.createType('u64', aura.asPreRuntime[1]).toNumber());
    }
    const lags = [];
    for (let n = from; n <= to; n++) {
      if (bestAt.has(n) && finalizedAt.has(n)) lags.push(finalizedAt.get(n) - bestAt.get(n));
    }
    lags.sort((a, b) => a - b);
    const pct = (p) => (lags.length ? lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))] : null);
    const blocks = to - from + 1;
    return {
      blocks,
      slots: slots.length ? slots[slots.length - 1] - slots[0] + 1 : 0,
      missed_slots: slots.length ? slots[slots.length - 1] - slots[0] + 1 - blocks : 0,
      finality_lag_ms: { p50: pct(50), p90: pct(90), max: lags.length ? lags[lags.length - 1] : null },
    };
  }
} finally {
  await api.disconnect();
  await network.stop();
}
for (const w of report.windows) {
  const lag = w.finality_lag_ms;
  console.log(`${report.slot_ms} ms ${w.name.padEnd(15)} blocks ${w.blocks} of ${w.slots} slots ` +
    `(${w.missed_slots} missed); finality lag p50 ${lag.p50} ms, p90 ${lag.p90} ms, max ${lag.max} ms`);
}
for (const l of report.loads) {
  console.log(`${report.slot_ms} ms ${l.workload.padEnd(15)} ${l.included}/${l.submitted} included, ` +
    `${l.per_second?.toFixed(1)}/s (ceiling ${l.ceiling_per_second?.toFixed(1)}/s), ` +
    `submission → finalized p50 ${l.latency_ms.p50_ms} ms, p90 ${l.latency_ms.p90_ms} ms`);
}
process.exit(0);

// Runs a command with its output on ours; rejects unless it exits 0.
function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))));
  });
}
