// The runtime as it ships: built without `runtime-benchmarks` (the test build has it, for
// `paratii-node benchmark`) and without `fast-runtime` (the test build's ten-block minimum
// session), run by the node on a dev chain whose genesis code is that wasm. It produces
// and finalizes blocks, moves PTI, has no benchmarking API and the shipped periods — so
// what is released is what the other tiers tested, minus the benchmarks and short periods.
//
// PARATII_PRODUCTION_WASM names the wasm; scripts/test.sh builds it.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, devAccount, PTI, submit } from '../lib/chain.mjs';
import { finalizedNumber, rpc, runNodeCommand, startNode, waitFor } from '../lib/node.mjs';

const wasmPath = process.env.PARATII_PRODUCTION_WASM;
let node;
let testNode;
let api;
let testApi;

/** Whether a runtime lists the `Benchmark` runtime API (blake2_64("Benchmark")). */
const BENCHMARK_API = '0x67f4b8fba858782a';
const hasBenchmarkApi = async (url) =>
  (await rpc(url, 'state_getRuntimeVersion')).apis.some(([id]) => id === BENCHMARK_API);

before(async () => {
  assert.ok(wasmPath, 'PARATII_PRODUCTION_WASM is not set: run scripts/test.sh, which builds it');
  const code = `0x${readFileSync(wasmPath).toString('hex')}`;
  // The spec's text with only the code replaced: JSON.parse would round the genesis
  // balances (10^24) to floats.
  const text = runNodeCommand(['export-chain-spec', '--chain', 'dev']);
  const testCode = JSON.parse(text).genesis.runtimeGenesis.code;
  assert.ok(testCode.length > 100_000);
  assert.notEqual(testCode, code, 'the test build embeds another runtime');
  const file = join(mkdtempSync(join(tmpdir(), 'paratii-production-')), 'dev-production-runtime.json');
  writeFileSync(file, text.replace(testCode, code));
  node = await startNode({ name: 'production-runtime', args: ['--chain', file, '--alice', '--validator', '--force-authoring', '--tmp', '--node-key', '11'.repeat(32)] });
  testNode = await startNode({ name: 'test-runtime' });
  api = await connect(node);
  testApi = await connect(testNode);
});

after(async () => {
  await api?.disconnect();
  await testApi?.disconnect();
  await node?.stop();
  await testNode?.stop();
});

test('the production runtime finalizes blocks and has no benchmarking API (the test build has)', async () => {
  await waitFor('finalized block >= 2 on the production runtime', async () => (await finalizedNumber(node.http)) >= 2,
    { timeoutMs: 120_000 });
  const version = await rpc(node.http, 'state_getRuntimeVersion');
  assert.equal(version.specName, 'paratii');
  assert.equal(version.specVersion, (await rpc(testNode.http, 'state_getRuntimeVersion')).specVersion);
  assert.equal(await hasBenchmarkApi(node.http), false, 'no Benchmark API in the production runtime');
  assert.equal(await hasBenchmarkApi(testNode.http), true, 'the test build has it');
});

test('the production runtime has the shipped periods; the test build the short ones', async () => {
  // A minute of 3-second blocks (runtime/src/configs/consortium.rs); fast-runtime: 10.
  assert.equal(api.consts.consortium.minSessionPeriod.toNumber(), 20);
  assert.equal(testApi.consts.consortium.minSessionPeriod.toNumber(), 10);
  // A result can be disputed for ten minutes (200 blocks) at least; two in the test build.
  assert.equal(api.consts.adExchange.minChallengePeriod.toNumber(), 200);
  assert.equal(testApi.consts.adExchange.minChallengePeriod.toNumber(), 2);
  // A dispute's panel is drawn from the hash of the block a minute later; a campaign's
  // advertiser alone may close it for a day after it expires. Two and five blocks in the
  // test build.
  assert.equal(api.consts.adExchange.panelDrawDelay.toNumber(), 20);
  assert.equal(testApi.consts.adExchange.panelDrawDelay.toNumber(), 2);
  assert.equal(api.consts.adExchange.closeGracePeriod.toNumber(), 28_800);
  assert.equal(testApi.consts.adExchange.closeGracePeriod.toNumber(), 5);
});

test('a PTI transfer and a media-domain call work on the production runtime', async () => {
  const alice = devAccount('//Alice');
  const bob = devAccount('//Bob');
  const before = (await api.query.system.account(bob.address)).data.free.toBigInt();
  const { error } = await submit(api, api.tx.balances.transferKeepAlive(bob.address, 5n * PTI), alice);
  assert.equal(error, undefined);
  assert.equal((await api.query.system.account(bob.address)).data.free.toBigInt(), before + 5n * PTI);
  const registered = await submit(api, api.tx.users.register('bob', null), bob);
  assert.equal(registered.error, undefined);
  assert.ok((await api.query.users.users(bob.address)).isSome);
});
