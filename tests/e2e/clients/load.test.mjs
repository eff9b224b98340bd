// The load tool at CI size: paratii-load pre-signs a few hundred registerMedia and
// transferKeepAlive extrinsics from many accounts, and ERC20 transfers from many
// Ethereum keys through paratii-eth-rpc, submits them to a real dev node and follows
// the finalized chain. Every one must be included exactly once, its report's counts
// must add up, and the chain's own state must agree with them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ethers } from 'ethers';
import { connect } from '../lib/chain.mjs';
import { startEthRpc } from '../lib/eth.mjs';
import { exitWithin, startNode } from '../lib/node.mjs';
import { serviceBinary } from '../lib/services.mjs';

let node;
let api;

before(async () => {
  node = await startNode({ name: 'load' });
  api = await connect(node);
});

after(async () => {
  await api?.disconnect();
  await node?.stop();
});

/**
 * paratii-load gives up on a phase after 600 s (`--max-seconds`); a run is killed after
 * 480 s, before the test runner's 600-second limit, so it never outlives its test.
 */
const LOAD_TIMEOUT_MS = 480_000;

/** Runs paratii-load to completion; resolves with its JSON report and stdout. */
async function load(args) {
  const json = join(mkdtempSync(join(tmpdir(), 'paratii-load-')), 'report.json');
  const child = spawn(serviceBinary('paratii-load'), ['--url', node.ws, '--json', json, '--expect-all', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const { code, signal } = await exitWithin(child, `paratii-load ${args.join(' ')}`, LOAD_TIMEOUT_MS)
    .catch((e) => { throw new Error(`${e.message}:\n${stderr.slice(-4000)}`); });
  if (code !== 0) throw new Error(`paratii-load exited ${code ?? signal}:\n${stderr.slice(-4000)}`);
  return { report: JSON.parse(readFileSync(json, 'utf8')), stdout };
}

/** The report's own arithmetic: per-block counts sum to the totals. */
function assertCountsAddUp(phase, count) {
  assert.equal(phase.submitted, count, 'every extrinsic was submitted');
  assert.equal(phase.included, count, 'every extrinsic was included');
  assert.equal(phase.duplicates, 0);
  assert.equal(phase.failed, 0);
  assert.equal(phase.missing, 0);
  assert.equal(phase.rejected, 0);
  assert.equal(phase.blocks.reduce((n, b) => n + b.included, 0), count, 'blocks add up to the total');
  const numbers = phase.blocks.map((b) => b.number);
  assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), 'blocks in order');
  assert.equal(new Set(numbers).size, numbers.length, 'no block counted twice');
  for (const b of phase.blocks) assert.ok(b.included <= b.extrinsics);
}

test('300 registerMedia from 30 accounts: each included once, and the chain has 300 more media', async () => {
  const before = (await api.query.media.nextMediaId()).toNumber();
  const { report, stdout } = await load(['--workload', 'register-media', '--count', '300', '--accounts', '30']);
  assertCountsAddUp(report.measured, 300);
  assert.deepEqual(report.setup.map((p) => [p.name, p.included]), [['fund accounts', 30], ['register users', 30]]);
  const after = (await api.query.media.nextMediaId()).toNumber();
  assert.equal(after - before, 300, 'media.nextMediaId moved by exactly the registrations');
  // The ceiling is the runtime's: weight and limits as the chain reports them.
  assert.ok(report.ceiling.call_weight > 0 && report.ceiling.per_block > 0);
  const limits = api.consts.system.blockWeights.perClass.normal.maxTotal.unwrap().refTime.toBigInt();
  assert.equal(BigInt(report.limits.normal_max_weight), limits);
  assert.match(stdout, /achieved: [\d.]+ per second/);
  assert.match(stdout, /ceiling \(query_info\): [\d.]+ per second/);
});

test('300 transferKeepAlive from 20 accounts: each included once', async () => {
  const { report } = await load(['--workload', 'transfer', '--count', '300', '--accounts', '20']);
  assertCountsAddUp(report.measured, 300);
  assert.deepEqual(report.setup.map((p) => p.name), ['fund accounts']);
});

test('200 ERC20 transfers from 20 Ethereum keys through paratii-eth-rpc: each included once, every Transfer logged', async () => {
  const ethRpc = await startEthRpc(node, { name: 'eth-rpc-load' });
  try {
    const artifact = new URL('../../../contracts/chain/build/ExampleToken.json', import.meta.url).pathname;
    const { report, stdout } = await load(['--workload', 'erc20', '--count', '200', '--accounts', '20',
      '--in-flight', '64', '--eth-url', ethRpc.url, '--erc20-artifact', artifact]);
    assertCountsAddUp(report.measured, 200);
    assert.deepEqual(report.setup.map((p) => [p.name, p.included]),
      [['fund the deployer', 1], ['fund accounts', 20], ['hand out tokens', 19]]);
    // The chain's EVM agrees: every key's nonce, and a Transfer log for the mint, each
    // hand-out and each measured transfer.
    const provider = new ethers.JsonRpcProvider(ethRpc.url, undefined, { staticNetwork: true });
    const { token, accounts } = report.erc20;
    const nonces = await Promise.all(accounts.map((a) => provider.getTransactionCount(a, 'latest')));
    assert.equal(nonces.reduce((a, b) => a + b, 0), 1 + 19 + 200, 'the deployment, 19 hand-outs, 200 transfers');
    const transfer = ethers.id('Transfer(address,address,uint256)');
    const logs = await provider.getLogs({ address: token, topics: [transfer], fromBlock: 0, toBlock: 'latest' });
    assert.equal(logs.length, 1 + 19 + 200);
    // Round-robin: each key sent and received 10 of the smallest unit, so a key keeps
    // its one token.
    const erc20 = new ethers.Contract(token, ['function balanceOf(address) view returns (uint256)'], provider);
    assert.equal(await erc20.balanceOf(accounts[7]), 10n ** 18n);
    assert.ok(report.ceiling.charged_weight > 0, 'a ceiling from the weight blocks charged');
    assert.equal(report.ceiling_source, 'measured');
    assert.match(stdout, /achieved: [\d.]+ per second/);
    provider.destroy();
  } finally {
    await ethRpc.stop();
  }
});

test('a node that is not on loopback is refused', async () => {
  const child = spawn(serviceBinary('paratii-load'), ['--url', 'ws://192.0.2.1:9944'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const { code } = await exitWithin(child, 'paratii-load against a non-loopback node', 30_000);
  assert.notEqual(code, 0);
  assert.match(stderr, /loopback only/);
});
