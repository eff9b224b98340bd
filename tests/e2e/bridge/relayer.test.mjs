// paratii-relayer end to end: a dev node, a local Ethereum node (Hardhat) and the
// relayer as a process. Media registered on the chain verify on Ethereum once the
// relayer anchors; minute-long sessions make it hand over to a new BEEFY set every
// session; killed (SIGKILL) while sessions go by, it catches up from the
// justifications the node keeps, anchoring no block twice and skipping no set.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ethers } from 'ethers';
import { u8aToHex } from '@polkadot/util';
import { connect, devAccount, sudo as sudoAs } from '../lib/chain.mjs';
import { freePort, startNode, waitFor } from '../lib/node.mjs';
import { randomFile, registerOriginal } from '../lib/receipts.mjs';
import { deployAnchor, HARDHAT_KEY, HARDHAT_KEY_2, mediaPathOf, mmrProof, startRelayer } from '../lib/beefy.mjs';
import { serviceBinary, startGateway } from '../lib/services.mjs';
import { startHardhatNode } from '../../../contracts/ethereum/lib/hardhat-node.mjs';

const ANCHOR = JSON.parse(readFileSync(new URL('../../../contracts/ethereum/abi/ParatiiAnchor.json', import.meta.url)));
const alice = devAccount('//Alice');

let node;
let api;
let hardhat;
let anchor;
let contract;
let relayer;

before(async () => {
  node = await startNode({ name: 'relayer' });
  api = await connect(node);
  hardhat = await startHardhatNode({ port: await freePort() });
  contract = deployAnchor(node, hardhat.url);
  anchor = new ethers.Contract(contract, ANCHOR.abi, new ethers.JsonRpcProvider(hardhat.url));
  relayer = await startRelayer(node, hardhat.url, contract, { everyBlocks: 8 });
});

after(async () => {
  await relayer?.stop();
  await api?.disconnect();
  await hardhat?.stop();
  await node?.stop();
});

/** Registers a media item; resolves with it and its block. */
async function register(title) {
  const file = randomFile(1024);
  const { mediaId, blockHash } = await registerOriginal(api, alice, title, file);
  return { mediaId, file, block: (await api.rpc.chain.getHeader(blockHash)).number.toNumber() };
}

/** Waits until an anchor covers the media of `block` (its media root is in leaf block + 1). */
const anchorCovering = (block) => waitFor(`an anchor at block ${block + 1} or later`, async () => {
  const latest = Number(await anchor.latestBlock());
  return latest >= block + 1 && latest;
}, { timeoutMs: 240_000, intervalMs: 1000 });

async function registerAndWaitForAnchor(title) {
  const media = await register(title);
  return { ...media, anchored: await anchorCovering(media.block) };
}

/** `verifyMedia` on Ethereum with the chain's proofs, `overrides` tampering with them. */
async function verifyOnEthereum({ mediaId, file, block, anchored }, overrides = {}) {
  const proof = (await api.call.bridgeApi.mediaProof(mediaId)).unwrap();
  const { leaf, proof: leafProof } = await mmrProof(api, block + 1, anchored);
  const v = {
    mediaId,
    contentHash: file.hash,
    owner: u8aToHex(alice.publicKey),
    blockNumber: block,
    path: mediaPathOf(proof),
    ...overrides,
  };
  return anchor.verifyMedia(v.mediaId, v.contentHash, v.owner, v.blockNumber, v.path, leaf, leafProof, anchored);
}

const sudo = (call) => sudoAs(api, call, alice);

/** Every `Anchored` and `ValidatorSetRotated` event of the contract, in order. */
async function history() {
  const anchors = (await anchor.queryFilter(anchor.filters.Anchored())).map((e) => Number(e.args.blockNumber));
  const rotations = (await anchor.queryFilter(anchor.filters.ValidatorSetRotated())).map((e) => e.args.id);
  return { anchors, rotations };
}

function assertNothingTwiceNothingSkipped({ anchors, rotations }, firstSet) {
  for (let i = 1; i < anchors.length; i++) assert.ok(anchors[i] > anchors[i - 1], `anchors in order, none twice: ${anchors}`);
  rotations.forEach((id, i) => assert.equal(id, firstSet + BigInt(i) + 1n, `sets handed over one by one: ${rotations}`));
}

test('the relayer anchors BEEFY commitments and a media item verifies on Ethereum', async () => {
  const media = await registerAndWaitForAnchor('Anchored by the relayer');
  assert.equal(await verifyOnEthereum(media), true);
  assert.equal(await verifyOnEthereum(media, { contentHash: randomFile().hash }), false, 'a tampered content hash');
  assert.equal(await verifyOnEthereum(media, { owner: u8aToHex(devAccount('//Bob').publicKey) }), false, 'a tampered owner');

  const m = await relayer.metrics();
  assert.ok(m.anchors_total >= 1);
  assert.ok(m.last_anchored_block >= media.anchored);
  assert.ok(m.last_anchor_gas > 40_000 && m.last_anchor_gas < 120_000, `gas per anchor ${m.last_anchor_gas}`);
  console.log(`# relayer: ${m.anchors_total} anchors, last ${m.last_anchor_gas} gas, lag ${m.lag_blocks} blocks`);
});

test('at every session change the relayer hands the contract over to the new BEEFY set', async () => {
  const first = (await anchor.currentValidatorSet()).id;
  // The shortest session the runtime accepts: a minute of blocks, however long a slot is.
  await sudo(api.tx.consortium.setSessionPeriod(api.consts.consortium.minSessionPeriod));
  await sudo(api.tx.consortium.forceNewSession());
  await waitFor(`the contract at validator set ${first + 2n}`, async () => (await anchor.currentValidatorSet()).id >= first + 2n,
    { timeoutMs: 300_000, intervalMs: 1000 });
  const set = await api.query.beefyMmrLeaf.beefyAuthorities();
  const current = await anchor.currentValidatorSet();
  assert.ok(set.id.toBigInt() >= current.id, 'never ahead of the chain');
  assert.ok((await relayer.metrics()).handovers_total >= 2);

  const media = await registerAndWaitForAnchor('Anchored after handovers');
  assert.equal(await verifyOnEthereum(media), true, 'verifies under the new set');
  assertNothingTwiceNothingSkipped(await history(), 0n);
});

test('killed while sessions go by, the relayer catches up: nothing anchored twice, no set skipped', async () => {
  await relayer.kill();
  const before = await anchor.currentValidatorSet();
  const media = await register('Registered while the relayer was down');
  // Two session changes without a relayer: the contract must walk both sets.
  await waitFor(`BEEFY set ${before.id + 3n} on chain`, async () =>
    (await api.query.beefy.validatorSetId()).toBigInt() >= before.id + 3n, { timeoutMs: 300_000, intervalMs: 1000 });
  assert.equal((await anchor.currentValidatorSet()).id, before.id, 'nothing moved while the relayer was down');

  relayer = await startRelayer(node, hardhat.url, contract, { everyBlocks: 8 });
  await waitFor('the contract at the chain\'s set', async () =>
    (await anchor.currentValidatorSet()).id >= before.id + 3n, { timeoutMs: 300_000, intervalMs: 1000 });
  assert.equal(await verifyOnEthereum({ ...media, anchored: await anchorCovering(media.block) }), true);
  const h = await history();
  assertNothingTwiceNothingSkipped(h, 0n);
  console.log(`# ${h.anchors.length} anchors, ${h.rotations.length} handovers: blocks ${h.anchors.join(', ')}`);
});

test('the gateway\'s proof and `paratii proof` report the media item\'s Ethereum anchor, verified there', async () => {
  const gateway = await startGateway(node, { extra: ['--eth-rpc', hardhat.url, '--anchor-contract', contract] });
  try {
    const { mediaId, file } = await register('Proof with its anchor');
    const proofOf = async () => (await (await fetch(`${gateway.download}/media/${mediaId}/proof`)).json()).ethereum;
    const first = await proofOf();
    assert.ok(['pending', 'anchored'].includes(first.status), JSON.stringify(first));
    assert.equal(first.contract.toLowerCase(), contract.toLowerCase());
    assert.equal(first.chain_id, 31337);
    const eth = await waitFor('the gateway to report the media item anchored', async () => {
      const p = await proofOf();
      return p.status === 'anchored' && p;
    }, { timeoutMs: 240_000, intervalMs: 2000 });
    assert.ok(eth.anchored_block >= eth.mmr_leaf_block);
    assert.equal(eth.media_root, (await api.call.bridgeApi.mediaProof(mediaId)).unwrap().mediaRoot.toHex());
    const tx = await new ethers.JsonRpcProvider(hardhat.url).getTransactionReceipt(eth.ethereum_tx);
    assert.equal(tx.blockNumber, eth.ethereum_block);
    assert.equal(tx.to.toLowerCase(), contract.toLowerCase());

    // The CLI, as a user runs it on the file they have.
    const path = join(mkdtempSync(join(tmpdir(), 'paratii-proof-')), 'photo.bin');
    writeFileSync(path, file.bytes);
    const cli = spawnSync(serviceBinary('paratii'), ['--chain', node.ws, '--download-url', gateway.download, 'proof', path],
      { encoding: 'utf8', timeout: 60_000 });
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stdout, /^ethereum\s+anchored, verifyMedia = true, through the anchor of block #\d+ \(Ethereum block \d+, tx 0x[0-9a-f]{64}\)/m);
    console.log(cli.stdout.split('\n').map((l) => `# ${l}`).join('\n'));
  } finally {
    await gateway.stop();
  }
});

test('above its gas price bound the relayer sends nothing and says why', async () => {
  await relayer.stop();
  const latest = Number(await anchor.latestBlock());
  // Hardhat's base fee is below 1 gwei here; a 1 gwei tip against a 0.5 gwei bound.
  relayer = await startRelayer(node, hardhat.url, contract, { everyBlocks: 1, extra: ['--max-fee-gwei', '0.5'] });
  await waitFor('the relayer to see a justification past the latest anchor', async () =>
    (await relayer.metrics()).beefy_block > latest, { timeoutMs: 120_000, intervalMs: 1000 });
  await waitFor('the relayer to say why it waits', async () =>
    /not anchoring yet: the base fee \(\d+ wei\) plus the tip \(1000000000 wei\) is above the bound of 500000000 wei per gas/
      .test(await readFile(relayer.logPath, 'utf8')), { timeoutMs: 30_000 });
  assert.equal((await relayer.metrics()).anchors_total, 0);
  assert.equal(Number(await anchor.latestBlock()), latest, 'nothing anchored');
});

test('an anchor stuck in Ethereum\'s pool is replaced with higher fees; one a competitor made stale reverts and is understood', async () => {
  await relayer.stop();
  const provider = new ethers.JsonRpcProvider(hardhat.url);
  const ours = new ethers.Wallet(HARDHAT_KEY).address;
  const theirs = new ethers.Wallet(HARDHAT_KEY_2).address;
  /** The pool's transactions from `from` (Hardhat's pending block). */
  const pooled = async (from) => (await provider.send('eth_getBlockByNumber', ['pending', true])).transactions
    .filter((t) => t.from.toLowerCase() === from.toLowerCase());
  // Nothing is mined until the test mines: every anchor waits in the pool.
  await provider.send('evm_setAutomine', [false]);
  let competitor;
  try {
    relayer = await startRelayer(node, hardhat.url, contract,
      { everyBlocks: 1, extra: ['--replace-after-secs', '2', '--priority-fee-gwei', '0.1'] });
    const first = await waitFor('an anchor in the pool', async () => (await pooled(ours))[0], { timeoutMs: 120_000, intervalMs: 500 });
    // Not mined: after 2 s the relayer offers an eighth more under the same nonce.
    await waitFor('the relayer to replace it', async () =>
      /replacing transaction 0x[0-9a-f]+ \(not mined after 2 s\) with 0x[0-9a-f]+: max fee \d+ → \d+ wei/
        .test(await readFile(relayer.logPath, 'utf8')), { timeoutMs: 60_000, intervalMs: 500 });
    const replaced = await waitFor('the replacement in the pool', async () => {
      const [tx] = await pooled(ours);
      return tx && BigInt(tx.maxFeePerGas) > BigInt(first.maxFeePerGas) && tx;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    assert.equal(replaced.nonce, first.nonce, 'the same nonce: it replaces, it does not queue behind');
    assert.equal((await pooled(ours)).length, 1);
    // A competing relayer (another account, a far higher tip) anchors the same commitment;
    // mined first, it makes ours revert on chain with StaleCommitment.
    competitor = await startRelayer(node, hardhat.url, contract,
      { everyBlocks: 1, key: HARDHAT_KEY_2, extra: ['--priority-fee-gwei', '50'] });
    await waitFor('the competitor\'s anchor in the pool', async () => (await pooled(theirs)).length > 0,
      { timeoutMs: 60_000, intervalMs: 500 });
    const before = Number(await anchor.latestBlock());
    await provider.send('evm_mine', []);
    await waitFor('our relayer to read the mined revert as another relayer\'s anchor', async () =>
      /is anchored already \(another relayer\?\)/.test(await readFile(relayer.logPath, 'utf8')),
    { timeoutMs: 60_000, intervalMs: 500 });
    const mined = await provider.send('eth_getBlockByNumber', ['latest', true]);
    const [theirTx, ourTx] = [theirs, ours].map((a) => mined.transactions.find((t) => t.from.toLowerCase() === a.toLowerCase()));
    assert.ok(theirTx && ourTx, 'both anchors were mined in one block');
    assert.equal((await provider.getTransactionReceipt(theirTx.hash)).status, 1);
    assert.equal((await provider.getTransactionReceipt(ourTx.hash)).status, 0, 'ours reverted on chain');
    assert.ok(Number(await anchor.latestBlock()) > before);
    assert.doesNotMatch(await readFile(relayer.logPath, 'utf8'), /ERROR/);
  } finally {
    await competitor?.stop();
    await provider.send('evm_setAutomine', [true]);
  }
});
