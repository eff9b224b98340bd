// The Ethereum bridge end to end, with the test playing the relayer: a media item
// registered on a real dev node is verified on a local Ethereum node (Hardhat) by
// ParatiiAnchor.sol, through the chain's own BEEFY justification, its MMR proof and
// `bridgeApi.mediaProof` — nothing synthetic between the chain and the contract.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { ethers } from 'ethers';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { connect, devAccount } from './lib/chain.mjs';
import { startNode, waitFor } from './lib/node.mjs';
import { randomFile, registerOriginal } from './lib/receipts.mjs';
import { startHardhatNode } from '../../contracts/ethereum/lib/hardhat-node.mjs';
import * as beefy from '../../contracts/ethereum/lib/beefy.mjs';

const ANCHOR = JSON.parse(readFileSync(new URL('../../contracts/ethereum/build/ParatiiAnchor.json', import.meta.url)));
const alice = devAccount('//Alice');

let node;
let api;
let hardhat;
let justifications = [];
let unsubscribe;

before(async () => {
  node = await startNode({ name: 'bridge' });
  api = await connect(node);
  hardhat = await startHardhatNode();
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

// ---------------------------------------------------------------- SCALE decoding

class Reader {
  constructor(bytes) { this.b = bytes; this.i = 0; }
  take(n) { const out = this.b.slice(this.i, this.i + n); this.i += n; return out; }
  u8() { return this.take(1)[0]; }
  uintLE(n) { return this.take(n).reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n); }
  compact() {
    const mode = this.b[this.i] & 3;
    if (mode === 0) return BigInt(this.u8() >> 2);
    if (mode === 1) return this.uintLE(2) >> 2n;
    if (mode === 2) return this.uintLE(4) >> 2n;
    const len = (this.u8() >> 2) + 4;
    return this.uintLE(len);
  }
  bytes() { return this.take(Number(this.compact())); }
}

/** sp-consensus-beefy `VersionedFinalityProof::V1(SignedCommitment)`, compact signatures. */
function decodeJustification(bytes) {
  const r = new Reader(bytes);
  assert.equal(r.u8(), 1, 'VersionedFinalityProof::V1');
  const payload = [];
  for (let n = r.compact(); n > 0n; n--) payload.push({ id: new TextDecoder().decode(r.take(2)), value: r.bytes() });
  const blockNumber = Number(r.uintLE(4));
  const validatorSetId = r.uintLE(8);
  const bitfield = r.bytes();
  const validatorSetLen = Number(r.uintLE(4));
  const compact = [];
  for (let n = r.compact(); n > 0n; n--) compact.push(r.take(65));
  // Bit i (most significant first in each byte) says validator i signed.
  const signatures = [];
  let next = 0;
  for (let i = 0; i < validatorSetLen; i++) {
    const signed = (bitfield[i >> 3] >> (7 - (i & 7))) & 1;
    signatures.push(signed ? compact[next++] : null);
  }
  const mh = payload.find((p) => p.id === 'mh');
  return { mmrRoot: u8aToHex(mh.value), blockNumber, validatorSetId, signatures };
}

/** sp-consensus-beefy `MmrLeaf` with Paratii's `LeafExtra = H256`: 113 bytes. */
function decodeMmrLeaf(bytes) {
  assert.equal(bytes.length, 113, 'an MMR leaf with a 32-byte media root');
  const r = new Reader(bytes);
  return {
    version: r.u8(),
    parentNumber: Number(r.uintLE(4)),
    parentHash: u8aToHex(r.take(32)),
    nextAuthoritySetId: r.uintLE(8),
    nextAuthoritySetLen: Number(r.uintLE(4)),
    nextAuthoritySetRoot: u8aToHex(r.take(32)),
    leafExtra: u8aToHex(r.take(32)),
  };
}

/** `mmr_generateProof` for one block: its leaf and ckb's `LeafProof`. */
async function mmrProof(block, atBlock) {
  const { leaves, proof } = await api.rpc.mmr.generateProof([block], atBlock);
  const l = new Reader(leaves.toU8a(true));
  assert.equal(l.compact(), 1n);
  const leaf = decodeMmrLeaf(l.bytes()); // the opaque leaf's inner length prefix stripped
  const p = new Reader(proof.toU8a(true));
  assert.equal(p.compact(), 1n);
  const leafIndex = Number(p.uintLE(8));
  const leafCount = Number(p.uintLE(8));
  const items = [];
  for (let n = p.compact(); n > 0n; n--) items.push(u8aToHex(p.take(32)));
  return { leaf, proof: { leafIndex, leafCount, items } };
}

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
  const mediaPath = { leafIndex: proof.leafIndex.toNumber(), numberOfLeaves: proof.leafCount.toNumber(), path: proof.proof.map((h) => h.toHex()) };

  // Wait for a BEEFY justification at or after block + 1, whose MMR has the leaf that
  // carries the block's media root.
  const signed = await waitFor(`a BEEFY justification for block ${block + 1} or later`,
    () => justifications.find((j) => j.blockNumber >= block + 1), { timeoutMs: 120_000 });
  const { leaf, proof: leafProof } = await mmrProof(block + 1, signed.blockNumber);
  assert.equal(leaf.parentNumber, block);
  assert.equal(leaf.leafExtra, proof.mediaRoot.toHex(), 'the MMR leaf carries the block\'s media root');
  assert.equal(beefy.mmrCalculateRoot(beefy.mmrLeafHash(leaf), leafProof), signed.mmrRoot, 'the JS MMR agrees with the node');

  // The validator set as the chain commits it, and the contract deployed with it.
  const authorities = (await api.query.beefy.authorities()).map((key) => ethers.computeAddress(key.toHex()));
  const set = await api.query.beefyMmrLeaf.beefyAuthorities();
  assert.equal(set.keysetCommitment.toHex(), beefy.keysetRoot(authorities));
  assert.equal(set.id.toBigInt(), signed.validatorSetId);
  const eth = new ethers.JsonRpcProvider(hardhat.url);
  const deployer = await eth.getSigner(0);
  const anchor = await new ethers.ContractFactory(ANCHOR.abi, ANCHOR.bytecode, deployer)
    .deploy(api.genesisHash.toHex(), set.id.toBigInt(), set.len.toNumber(), set.keysetCommitment.toHex());
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

  // Replaying the same commitment is refused.
  await assert.rejects(anchor.submit.staticCall(commitment, authorities, signers, ethers.concat(signatures)), /StaleCommitment|revert/);
});
