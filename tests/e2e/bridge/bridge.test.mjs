// The Ethereum bridge end to end, with the test playing the relayer: a media item
// registered on a real dev node is verified on a local Ethereum node (Hardhat) by
// ParatiiAnchor.sol, through the chain's own BEEFY justification, its MMR proof and
// `bridgeApi.mediaProof` — nothing synthetic between the chain and the contract.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { ethers } from 'ethers';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { decodeJustification, mediaPathOf, mmrProof } from '../lib/beefy.mjs';
import { connect, devAccount } from '../lib/chain.mjs';
import { freePort, startNode, waitFor } from '../lib/node.mjs';
import { randomFile, registerOriginal } from '../lib/receipts.mjs';
import { startHardhatNode } from '../../../contracts/ethereum/lib/hardhat-node.mjs';
import * as beefy from '../../../contracts/ethereum/lib/beefy.mjs';

const ANCHOR = JSON.parse(readFileSync(new URL('../../../contracts/ethereum/build/ParatiiAnchor.json', import.meta.url)));
const alice = devAccount('//Alice');

let node;
let api;
let hardhat;
let justifications = [];
let unsubscribe;

before(async () => {
  node = await startNode({ name: 'bridge' });
  api = await connect(node);
  hardhat = await startHardhatNode({ port: await freePort() });
  // The raw SCALE justifications (polkadot.js's type for them predates the compact
  // signature encoding, so they are decoded here).
  const id = await api._rpcCore.provider.subscribe('beefy_justifications', 'beefy_subscribeJustifications', [],
    (error, raw) => { if (!error) justifications.push(decodeJustification(hexToU8a(raw))); });
  unsubscribe = () => api._rpcCore.provider.unsubscribe('beefy_justifications', 'beefy_unsubscribeJustifications', id);
});

after(async () => {
  await unsubscribe?.().catch(() => {});
  await api?.disconnect();
  await hardhat?.stop();
  await node?.stop();
});

// ---------------------------------------------------------------- the test

test('a media item registered on Paratii chain verifies on Ethereum against an anchored BEEFY commitment', async () => {
  const file = randomFile(1536);
  const { mediaId, blockHash } = await registerOriginal(api, alice, 'Anchored on Ethereum', file);
  const block = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();

  // The chain's proof of the media item in its block's media root, and the same leaf
  // and root computed independently in JS.
  const proof = (await api.call.bridgeApi.mediaProof(mediaId)).unwrap();
  assert.equal(proof.blockNumber.toNumber(), block);
  assert.equal(proof.mmrLeafBlock.toNumber(), block + 1);
  const item = { mediaId, contentHash: file.hash, owner: u8aToHex(alice.publicKey), blockNumber: block };
  assert.equal(proof.leaf.toHex(), beefy.encodeMediaLeaf(item), 'the leaf encodings agree (Rust, Solidity packing)');
  const mediaPath = mediaPathOf(proof);

  // Wait for a BEEFY justification at or after block + 1, whose MMR has the leaf that
  // carries the block's media root.
  const signed = await waitFor(`a BEEFY justification for block ${block + 1} or later`,
    () => justifications.find((j) => j.blockNumber >= block + 1), { timeoutMs: 120_000 });
  const { leaf, proof: leafProof } = await mmrProof(api, block + 1, signed.blockNumber);
  assert.equal(leaf.parentNumber, block);
  assert.equal(leaf.leafExtra, proof.mediaRoot.toHex(), 'the MMR leaf carries the block\'s media root');
  assert.equal(beefy.mmrCalculateRoot(beefy.mmrLeafHash(leaf), leafProof), signed.mmrRoot, 'the JS MMR agrees with the node');

  // The validator set as the chain commits it, and the contract deployed with it.
  const authorities = (await api.query.beefy.authorities()).map((key) => ethers.computeAddress(key.toHex()));
  // The current set and the next one, read at the same block, as the constructor takes them.
  const at = await api.at(await api.rpc.chain.getFinalizedHead());
  const [set, next] = await Promise.all([
    at.query.beefyMmrLeaf.beefyAuthorities(), at.query.beefyMmrLeaf.beefyNextAuthorities()]);
  assert.equal(set.keysetCommitment.toHex(), beefy.keysetRoot(authorities));
  assert.equal(set.id.toBigInt(), signed.validatorSetId);
  assert.equal(next.id.toBigInt(), set.id.toBigInt() + 1n);
  const eth = new ethers.JsonRpcProvider(hardhat.url);
  const deployer = await eth.getSigner(0);
  const anchor = await new ethers.ContractFactory(ANCHOR.abi, ANCHOR.bytecode, deployer)
    .deploy(api.genesisHash.toHex(), set.id.toBigInt(), set.len.toNumber(), set.keysetCommitment.toHex(),
      next.len.toNumber(), next.keysetCommitment.toHex());
  await anchor.waitForDeployment();

  // Relay the justification: Substrate's signatures normalised (v + 27, low s).
  let signers = 0n;
  const signatures = [];
  signed.signatures.forEach((sig, i) => {
    if (sig) {
      signers |= 1n << BigInt(i);
      signatures.push(beefy.normaliseSignature(u8aToHex(sig)));
    }
  });
  const commitment = { mmrRoot: signed.mmrRoot, blockNumber: signed.blockNumber, validatorSetId: signed.validatorSetId };
  const anchored = await (await anchor.submit(commitment, authorities, signers, ethers.concat(signatures))).wait();
  assert.equal(anchored.status, 1);
  assert.equal(await anchor.mmrRoots(signed.blockNumber), signed.mmrRoot);
  console.log(`# anchor of block #${signed.blockNumber} (${authorities.length} validator): ${anchored.gasUsed} gas`);

  const verify = (overrides = {}) => {
    const v = { ...item, path: mediaPath, ...overrides };
    return anchor.verifyMedia(v.mediaId, v.contentHash, v.owner, v.blockNumber, v.path, leaf, leafProof, signed.blockNumber);
  };
  assert.equal(await verify(), true, 'the media item verifies on Ethereum');
  assert.equal(await verify({ contentHash: randomFile().hash }), false, 'a tampered content hash');
  assert.equal(await verify({ owner: u8aToHex(devAccount('//Bob').publicKey) }), false, 'a tampered owner');
  assert.equal(await verify({ mediaId: mediaId + 1n }), false, 'a tampered media id');
  assert.equal(await verify({ path: { ...mediaPath, numberOfLeaves: mediaPath.numberOfLeaves + 1 } }), false, 'a tampered path');
  const verifyGas = await anchor.verifyMedia.estimateGas(item.mediaId, item.contentHash, item.owner, item.blockNumber,
    mediaPath, leaf, leafProof, signed.blockNumber);
  console.log(`# verifyMedia: ${verifyGas} gas`);

  // Replaying the same commitment is refused: ParatiiAnchor's custom error
  // StaleCommitment(blockNumber, latestBlock), the block no later than the anchored one.
  await assert.rejects(anchor.submit.staticCall(commitment, authorities, signers, ethers.concat(signatures)), (err) => {
    const parsed = err.revert ?? (err.data ? anchor.interface.parseError(err.data) : null);
    assert.equal(parsed?.name, 'StaleCommitment', `expected StaleCommitment, got ${parsed?.name ?? err.shortMessage ?? err.message}`);
    assert.deepEqual([...parsed.args].map(String), [signed.blockNumber, signed.blockNumber].map(String));
    return true;
  });
});
