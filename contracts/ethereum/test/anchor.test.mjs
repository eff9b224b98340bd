// ParatiiAnchor on a local Hardhat node: anchoring, media proofs, rejections, handovers,
// the genesis binding, the contract's encodings against lib/beefy.mjs, and gas.
//
//   npm install && node compile.mjs && node --test test/
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ContractFactory, JsonRpcProvider, concat, getBytes, hexlify, keccak256, toUtf8Bytes } from 'ethers';

import {
  Mmr,
  ZERO32,
  beefyAddress,
  commitmentHash,
  keysetRoot,
  mediaLeafHash,
  merkleProofRaw,
  merkleRootRaw,
  mmrLeafHash,
  normaliseSignature,
  quorum,
  signCommitment,
  signedArgs,
  syntheticKey,
  toSubstrateSignature,
} from '../lib/beefy.mjs';
import { SimChain } from '../lib/chain.mjs';
import { startHardhatNode } from '../lib/hardhat-node.mjs';

const artifactUrl = new URL('../build/ParatiiAnchor.json', import.meta.url);
if (!existsSync(artifactUrl)) throw new Error('build/ParatiiAnchor.json is missing: run `node compile.mjs` first');
const artifact = JSON.parse(readFileSync(artifactUrl, 'utf8'));

const GENESIS = keccak256(toUtf8Bytes('paratii test genesis'));
const OTHER_GENESIS = keccak256(toUtf8Bytes('another chain genesis'));
const keys = (label, n) => Array.from({ length: n }, (_, i) => syntheticKey(`${label}/${i}`));
const content = (s) => keccak256(toUtf8Bytes(`content ${s}`));
const ownerOf = (s) => keccak256(toUtf8Bytes(`owner ${s}`));

let node;
let provider;
let signer;

before(async () => {
  node = await startHardhatNode();
  provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
  signer = await provider.getSigner(0);
});

after(async () => {
  provider?.destroy();
  await node?.stop();
});

/** Deploys with the current set `keys` (id `setId`) and the next set `nextKeys` (by
 * default the same members, as pallet-beefy's genesis has it). */
async function deploy({ genesisHash = GENESIS, setId = 0, keys: setKeys, nextKeys = setKeys }) {
  const addresses = setKeys.map(beefyAddress);
  const next = nextKeys.map(beefyAddress);
  const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
  const c = await factory.deploy(genesisHash, setId, addresses.length, keysetRoot(addresses), next.length, keysetRoot(next));
  await c.waitForDeployment();
  return c;
}

const submitArgs = (a) => [a.commitment, a.validators, a.signers, a.signatures];
const handoverArgs = (a, lp) => [...submitArgs(a), lp.leaf, lp.proof];
const mediaCall = (m, over = {}) => {
  const x = { ...m, ...over, item: { ...m.item, ...over.item } };
  return [x.item.mediaId, x.item.contentHash, x.item.owner, x.item.blockNumber, x.mediaProof, x.leaf, x.leafProof, x.anchoredBlock];
};

async function mined(txPromise) {
  const receipt = await (await txPromise).wait();
  assert.equal(receipt.status, 1);
  return receipt;
}

function events(contract, receipt, name) {
  return receipt.logs.map((l) => contract.interface.parseLog(l)).filter((e) => e?.name === name);
}

/** Asserts that `promise` reverts with the custom error `name` (and `args`, if given). */
async function reverts(contract, promise, name, args) {
  await assert.rejects(promise, (err) => {
    const parsed = err.revert ?? (err.data ? contract.interface.parseError(err.data) : null);
    assert.equal(parsed?.name, name, `expected ${name}, got ${parsed?.name ?? err.shortMessage ?? err.message}`);
    if (args) assert.deepEqual([...parsed.args].map(String), args.map(String));
    return true;
  });
}

/** A copy of a packed signature list with signature `k` replaced. */
function replaceSignature(packed, k, sig) {
  const b = getBytes(packed).slice();
  b.set(getBytes(sig), k * 65);
  return hexlify(b);
}

describe('anchoring and media proofs', { timeout: 120_000 }, () => {
  const chain = new SimChain({ genesisHash: GENESIS, keys: keys('A', 4) });
  let anchor;

  before(async () => {
    chain.produce(); // 1
    chain.produce({ media: [0, 1, 2, 3, 4].map((i) => ({ contentHash: content(`2/${i}`), owner: ownerOf(i % 2) })) }); // 2
    chain.produce({ media: [{ contentHash: content('3/0'), owner: ownerOf(7) }] }); // 3
    chain.produce(); // 4: no media, so leaf 5 carries a zero media root
    chain.produce({ media: [0, 1].map((i) => ({ contentHash: content(`5/${i}`), owner: ownerOf(i) })) }); // 5
    chain.produceMany(3); // 6..8
    anchor = await deploy({ keys: chain.keysOf(0) });
  });

  it('anchors a commitment signed by a quorum of the current set', async () => {
    const args = chain.signed(8);
    const receipt = await mined(anchor.submit(...submitArgs(args)));
    const [ev] = events(anchor, receipt, 'Anchored');
    assert.deepEqual([ev.args.blockNumber, ev.args.mmrRoot, ev.args.validatorSetId], [8n, chain.blocks[8].mmrRoot, 0n]);
    assert.equal(await anchor.mmrRoots(8), chain.blocks[8].mmrRoot);
    assert.equal(await anchor.latestBlock(), 8n);
    assert.equal(await anchor.genesisHash(), GENESIS);
  });

  it('verifyMedia is true for every media item of blocks 2, 3 and 5', async () => {
    for (const [n, count] of [[2, 5], [3, 1], [5, 2]]) {
      for (let i = 0; i < count; i++) {
        assert.equal(await anchor.verifyMedia(...mediaCall(chain.mediaArgs(n, i, 8))), true, `block ${n} item ${i}`);
      }
    }
  });

  it('verifyMedia is false for a tampered item, path, leaf, proof or anchor', async () => {
    const m = chain.mediaArgs(2, 3, 8); // 5 leaves: a path with a promoted level
    assert.equal(await anchor.verifyMedia(...mediaCall(m)), true);
    const falseFor = async (what, over) => assert.equal(await anchor.verifyMedia(...mediaCall(m, over)), false, what);
    const path = m.mediaProof.path;
    await falseFor('content hash', { item: { contentHash: content('forged') } });
    await falseFor('owner', { item: { owner: ownerOf(99) } });
    await falseFor('media id', { item: { mediaId: m.item.mediaId + 1n } });
    await falseFor('block number', { item: { blockNumber: 3 } });
    await falseFor('path sibling', { mediaProof: { ...m.mediaProof, path: [content('x'), ...path.slice(1)] } });
    await falseFor('path too long', { mediaProof: { ...m.mediaProof, path: [...path, ZERO32] } });
    await falseFor('path too short', { mediaProof: { ...m.mediaProof, path: path.slice(0, -1) } });
    await falseFor('leaf index', { mediaProof: { ...m.mediaProof, leafIndex: 2 } });
    await falseFor('leaf count', { mediaProof: { ...m.mediaProof, numberOfLeaves: 4 } });
    // (a width with the same geometry for this index, 6 here, proves the same genuine leaf)
    await falseFor('index out of range', { mediaProof: { ...m.mediaProof, leafIndex: 5 } });
    await falseFor('leaf extra', { leaf: { ...m.leaf, leafExtra: content('other root') } });
    await falseFor('leaf of another block', { leaf: chain.blocks[4].leaf });
    await falseFor('mmr proof item', { leafProof: { ...m.leafProof, items: [ZERO32, ...m.leafProof.items.slice(1)] } });
    await falseFor('mmr proof length', { leafProof: { ...m.leafProof, items: [...m.leafProof.items, ZERO32] } });
    await falseFor('mmr leaf count', { leafProof: { ...m.leafProof, leafCount: 9 } });
    await falseFor('unknown anchor', { anchoredBlock: 7 });
    await falseFor('anchor before the leaf', { anchoredBlock: 2 });
  });

  it('a block without media has a zero root, which verifies nothing', async () => {
    const { leaf, proof } = chain.leafProof(5, 8);
    assert.equal(leaf.leafExtra, ZERO32);
    const item = { mediaId: 1n, contentHash: ZERO32, owner: ZERO32, blockNumber: 4 };
    const empty = { leafIndex: 0, numberOfLeaves: 1, path: [] };
    assert.equal(await anchor.verifyMedia(item.mediaId, item.contentHash, item.owner, 4, empty, leaf, proof, 8), false);
    assert.equal(await anchor.verifyMedia(item.mediaId, item.contentHash, item.owner, 4, { ...empty, numberOfLeaves: 0 }, leaf, proof, 8), false);
  });

  it('verifyGenesis: the anchored chain descends from genesisHash', async () => {
    const { leaf, proof } = chain.leafProof(1, 8);
    assert.equal(leaf.parentHash, GENESIS);
    assert.equal(await anchor.verifyGenesis(leaf, proof, 8), true);
    assert.equal(await anchor.verifyGenesis(chain.blocks[2].leaf, chain.leafProof(2, 8).proof, 8), false);
    // The same validators anchoring this chain on a contract made for another genesis:
    const other = await deploy({ genesisHash: OTHER_GENESIS, keys: chain.keysOf(0) });
    await mined(other.submit(...submitArgs(chain.signed(8))));
    assert.equal(await other.verifyGenesis(leaf, proof, 8), false);
  });
});

describe('rejections', { timeout: 120_000 }, () => {
  const chain = new SimChain({ genesisHash: GENESIS, keys: keys('R', 4) });
  const outsider = syntheticKey('outsider');
  let anchor;

  before(async () => {
    chain.produceMany(12);
    anchor = await deploy({ keys: chain.keysOf(0) });
    await mined(anchor.submit(...submitArgs(chain.signed(5))));
  });

  it('fewer than quorum signatures', async () => {
    assert.equal(quorum(4), 3);
    await reverts(anchor, anchor.submit.staticCall(...submitArgs(chain.signed(6, [0, 1]))), 'NotEnoughSignatures', [2, 3]);
    await reverts(anchor, anchor.submit.staticCall(...submitArgs(chain.signed(6, []))), 'NotEnoughSignatures', [0, 3]);
  });

  it('a signature from a key outside the set', async () => {
    const a = chain.signed(6, [0, 1, 2]);
    const forged = replaceSignature(a.signatures, 2, signCommitment(outsider, a.commitment));
    await reverts(anchor, anchor.submit.staticCall(a.commitment, a.validators, a.signers, forged), 'InvalidSignature', [2]);
    // nor may the outsider be slipped into the validator list
    const list = [...a.validators];
    list[2] = beefyAddress(outsider);
    await reverts(anchor, anchor.submit.staticCall(a.commitment, list, a.signers, forged), 'ValidatorsMismatch');
  });

  it('a duplicated signer', async () => {
    const a = chain.signed(6, [0, 1, 2]);
    const sig0 = signCommitment(chain.keysOf(0)[0], a.commitment);
    // validator 0's signature counted again in validator 1's slot
    await reverts(anchor, anchor.submit.staticCall(a.commitment, a.validators, a.signers, replaceSignature(a.signatures, 1, sig0)), 'InvalidSignature', [1]);
    // validator 0 listed twice
    const twice = [a.validators[0], a.validators[0], a.validators[2], a.validators[3]];
    await reverts(anchor, anchor.submit.staticCall(a.commitment, twice, a.signers, concat([sig0, sig0, getBytes(a.signatures).slice(130)])), 'ValidatorsMismatch');
    // more signatures than set bits
    await reverts(anchor, anchor.submit.staticCall(a.commitment, a.validators, 0b0011n, a.signatures), 'NotEnoughSignatures');
    await reverts(anchor, anchor.submit.staticCall(a.commitment, a.validators, a.signers, concat([a.signatures, sig0])), 'InvalidSignaturesLength');
    // a bit beyond the set
    await reverts(anchor, anchor.submit.staticCall(a.commitment, a.validators, a.signers | (1n << 4n), concat([a.signatures, sig0])), 'InvalidSignerBitfield');
  });

  it('a stale or replayed commitment', async () => {
    await reverts(anchor, anchor.submit.staticCall(...submitArgs(chain.signed(5))), 'StaleCommitment', [5, 5]);
    await reverts(anchor, anchor.submit.staticCall(...submitArgs(chain.signed(3))), 'StaleCommitment', [3, 5]);
  });

  it('a wrong validator set id', async () => {
    const k = chain.keysOf(0);
    for (const id of [1, 7]) {
      const c = { ...chain.commitment(6), validatorSetId: id };
      await reverts(anchor, anchor.submit.staticCall(...submitArgs(signedArgs(k, c, [0, 1, 2]))), 'UnknownValidatorSet', [id]);
    }
    // a signature made for another set id does not carry over
    const a = chain.signed(6, [0, 1, 2]);
    const wrong = signedArgs(k, { ...a.commitment, validatorSetId: 1 }, [0, 1, 2]);
    await reverts(anchor, anchor.submit.staticCall(a.commitment, a.validators, a.signers, wrong.signatures), 'InvalidSignature', [0]);
  });

  it('a validator list that does not match the stored set (another chain, another set)', async () => {
    const otherChain = new SimChain({ genesisHash: OTHER_GENESIS, keys: keys('other chain', 4) });
    otherChain.produceMany(8);
    await reverts(anchor, anchor.submit.staticCall(...submitArgs(otherChain.signed(8))), 'ValidatorsMismatch');
    const a = chain.signed(6, [0, 1, 2]);
    await reverts(anchor, anchor.submit.staticCall(a.commitment, a.validators.slice(0, 3), 0b111n, a.signatures), 'ValidatorsMismatch');
    const swapped = [a.validators[1], a.validators[0], a.validators[2], a.validators[3]];
    await reverts(anchor, anchor.submit.staticCall(a.commitment, swapped, a.signers, a.signatures), 'ValidatorsMismatch');
    // a signature over another block's commitment
    const b = chain.signed(7, [0, 1, 2]);
    await reverts(anchor, anchor.submit.staticCall(a.commitment, a.validators, a.signers, b.signatures), 'InvalidSignature', [0]);
  });

  it('high-s and bad-v signatures; the relayer-normalised form passes', async () => {
    const a = chain.signed(6, [0, 1, 2]);
    const sig = hexlify(getBytes(a.signatures).slice(0, 65));
    const high = toSubstrateSignature(sig, { highS: true }); // v 0/1, s > n/2: as Substrate may give it
    const highV27 = concat([getBytes(high).slice(0, 64), Uint8Array.of(getBytes(high)[64] + 27)]);
    const raw = toSubstrateSignature(sig); // v 0/1
    const v29 = concat([getBytes(sig).slice(0, 64), Uint8Array.of(29)]);
    for (const [what, bad] of [['high s', highV27], ['v 0/1', raw], ['high s, v 0/1', high], ['v 29', v29]]) {
      await reverts(anchor, anchor.submit.staticCall(a.commitment, a.validators, a.signers, replaceSignature(a.signatures, 0, bad)), 'InvalidSignature', [0]);
      assert.ok(what);
    }
    const fixed = replaceSignature(a.signatures, 0, normaliseSignature(high));
    assert.equal(fixed, a.signatures);
    await mined(anchor.submit(a.commitment, a.validators, a.signers, fixed));
    assert.equal(await anchor.latestBlock(), 6n);
  });
});

describe('validator set handover', { timeout: 120_000 }, () => {
  const A = keys('H-A', 4);
  const B = keys('H-B', 5);
  const chain = new SimChain({ genesisHash: GENESIS, keys: A });
  let anchor;

  before(async () => {
    chain.produceMany(3); // 1..3: set 0 (A); leaves name set 1 (A)
    chain.produce({ newSession: true, queued: B }); // 4: set 1 (A) is current, leaf names set 2 (B)
    chain.produceMany(3); // 5..7: set 1
    chain.produce({ newSession: true }); // 8: set 2 (B), leaf names set 3 (B, same members)
    chain.produceMany(3); // 9..11: set 2
    chain.produce({ newSession: true }); // 12: set 3 (B)
    chain.produceMany(2); // 13..14
    anchor = await deploy({ keys: A });
  });

  it('follows the chain: hands over to the next set it was deployed with, rotates at each session, refuses the old set', async () => {
    assert.deepEqual([1, 3, 4, 7, 8, 12].map((n) => chain.blocks[n].setId), [0, 0, 1, 1, 2, 3]);
    // The next set is known from the deployment.
    assert.deepEqual([...(await anchor.nextValidatorSet())], [1n, 4n, keysetRoot(A.map(beefyAddress))]);
    await mined(anchor.submit(...submitArgs(chain.signed(2))));
    // Anyone may anchor set 0's last commitment first: a contract that learned the next
    // set only from an anchor's leaf was stalled for good by this.
    await mined(anchor.submit(...submitArgs(chain.signed(3))));

    // A plain submit by the next set is not a handover.
    await reverts(anchor, anchor.submit.staticCall(...submitArgs(chain.signed(4))), 'UnknownValidatorSet', [1]);
    // The leaf must name the set after the signing one, and be in the signed MMR.
    await reverts(anchor, anchor.submitWithHandover.staticCall(...handoverArgs(chain.signed(4), chain.leafProof(3, 4))), 'InvalidMmrLeaf');
    const lp = chain.leafProof(4, 4);
    const badProof = { ...lp, proof: { ...lp.proof, items: lp.proof.items.map((x, i) => (i === 0 ? ZERO32 : x)) } };
    await reverts(anchor, anchor.submitWithHandover.staticCall(...handoverArgs(chain.signed(4), badProof)), 'InvalidMmrProof');
    const forgedLeaf = { ...lp, leaf: { ...lp.leaf, nextAuthoritySetRoot: keysetRoot(keys('evil', 5).map(beefyAddress)) } };
    await reverts(anchor, anchor.submitWithHandover.staticCall(...handoverArgs(chain.signed(4), forgedLeaf)), 'InvalidMmrProof');

    // Handover at the mandatory block 4, signed by set 1, with its own leaf (naming set 2 = B).
    let r = await mined(anchor.submitWithHandover(...handoverArgs(chain.signed(4), lp)));
    assert.equal(events(anchor, r, 'ValidatorSetRotated')[0].args.id, 1n);
    assert.deepEqual([...(await anchor.currentValidatorSet())], [1n, 4n, keysetRoot(A.map(beefyAddress))]);
    assert.deepEqual([...(await anchor.nextValidatorSet())], [2n, 5n, keysetRoot(B.map(beefyAddress))]);

    await mined(anchor.submit(...submitArgs(chain.signed(6)))); // set 1, plain

    // Membership changes at block 8: set 2 = B.
    await mined(anchor.submitWithHandover(...handoverArgs(chain.signed(8), chain.leafProof(8, 8))));
    assert.deepEqual([...(await anchor.currentValidatorSet())], [2n, 5n, keysetRoot(B.map(beefyAddress))]);
    assert.equal(quorum(5), 4);

    // The old set's commitments are refused from now on: under its own id, and under the new id.
    const c9 = chain.commitment(9);
    await reverts(anchor, anchor.submit.staticCall(...submitArgs(signedArgs(A, { ...c9, validatorSetId: 1 }, [0, 1, 2]))), 'UnknownValidatorSet', [1]);
    await reverts(anchor, anchor.submit.staticCall(...submitArgs(signedArgs(A, c9, [0, 1, 2]))), 'ValidatorsMismatch');
    const aSigs = signedArgs(A, c9, [0, 1, 2, 3]).signatures;
    await reverts(anchor, anchor.submit.staticCall(c9, B.map(beefyAddress), 0b1111n, aSigs), 'InvalidSignature', [0]);

    // The new set's are accepted.
    await mined(anchor.submit(...submitArgs(chain.signed(10))));
    assert.equal(await anchor.mmrRoots(10), chain.blocks[10].mmrRoot);

    // Same members, new id: block 12 rotates to set 3; set 2's id is then refused.
    await mined(anchor.submitWithHandover(...handoverArgs(chain.signed(12), chain.leafProof(12, 12))));
    assert.equal((await anchor.currentValidatorSet())[0], 3n);
    await reverts(anchor, anchor.submit.staticCall(...submitArgs(signedArgs(B, { ...chain.commitment(13), validatorSetId: 2 }, [0, 1, 2, 3]))), 'UnknownValidatorSet', [2]);
    await mined(anchor.submit(...submitArgs(chain.signed(14))));
    assert.equal(await anchor.latestBlock(), 14n);
  });

  it('an anchor of the current set with its leaf learns the next set again', async () => {
    const fresh = await deploy({ keys: A, nextKeys: B });
    // Deployed with a wrong next set (B), it takes the one set 0's leaves name (A).
    const r = await mined(fresh.submitWithHandover(...handoverArgs(chain.signed(3), chain.leafProof(1, 3))));
    assert.equal(events(fresh, r, 'NextValidatorSet')[0].args.id, 1n);
    assert.deepEqual([...(await fresh.nextValidatorSet())], [1n, 4n, keysetRoot(A.map(beefyAddress))]);
  });

  it('a leaf of another version than the runtime\'s (0.1) is refused', async () => {
    for (const leafVersion of [0, 2, 0x21]) {
      const other = new SimChain({ genesisHash: GENESIS, keys: A, leafVersion });
      other.produceMany(3);
      const fresh = await deploy({ keys: A });
      await reverts(fresh, fresh.submitWithHandover.staticCall(...handoverArgs(other.signed(3), other.leafProof(2, 3))), 'InvalidMmrLeaf');
    }
  });

  it('refuses to deploy without a valid current and next set', async () => {
    const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
    const a = A.map(beefyAddress);
    for (const args of [[0, ZERO32, a.length, keysetRoot(a)], [a.length, keysetRoot(a), 0, keysetRoot(a)], [a.length, keysetRoot(a), a.length, ZERO32], [a.length, keysetRoot(a), 257, keysetRoot(a)]]) {
      const tx = await factory.getDeployTransaction(GENESIS, 0, ...args);
      await reverts(factory, signer.estimateGas(tx), 'InvalidValidatorSet');
    }
  });

  it('a leaf naming the genesis parent must carry this chain\'s genesis hash', async () => {
    const chain2 = new SimChain({ genesisHash: OTHER_GENESIS, keys: A });
    chain2.produceMany(3);
    const mine = await deploy({ keys: A, genesisHash: OTHER_GENESIS });
    const theirs = await deploy({ keys: A, genesisHash: GENESIS });
    const args = handoverArgs(chain2.signed(3), chain2.leafProof(1, 3)); // leaf 1: parent (0, OTHER_GENESIS)
    await reverts(theirs, theirs.submitWithHandover.staticCall(...args), 'InvalidMmrLeaf');
    await mined(mine.submitWithHandover(...args));
  });
});

describe('contract encodings agree with lib/beefy.mjs', { timeout: 120_000 }, () => {
  let anchor;
  before(async () => {
    anchor = await deploy({ keys: keys('E', 1) });
  });

  it('commitmentHash, leafHash, mediaLeafHash', async () => {
    const c = { mmrRoot: content('r'), blockNumber: 0xfedcba98, validatorSetId: 0x0123456789abcdefn };
    assert.equal(await anchor.commitmentHash(c), commitmentHash(c));
    const leaf = {
      version: 0x25,
      parentNumber: 0x01020304,
      parentHash: content('p'),
      nextAuthoritySetId: 0xa1a2a3a4a5a6a7a8n,
      nextAuthoritySetLen: 0x0b0c0d0e,
      nextAuthoritySetRoot: content('k'),
      leafExtra: content('m'),
    };
    assert.equal(await anchor.leafHash(leaf), mmrLeafHash(leaf));
    const item = { mediaId: 0x1122334455667788n, contentHash: content('c'), owner: ownerOf('o'), blockNumber: 0xdeadbeef };
    assert.equal(await anchor.mediaLeafHash(item.mediaId, item.contentHash, item.owner, item.blockNumber), mediaLeafHash(item));
  });

  it('keysetRoot for 0..40 addresses', async () => {
    const all = keys('K', 40).map(beefyAddress);
    const results = await Promise.all(Array.from({ length: 41 }, (_, n) => anchor.keysetRoot(all.slice(0, n))));
    results.forEach((r, n) => assert.equal(r, keysetRoot(all.slice(0, n)), `n=${n}`));
  });

  it('merkleRootFromPath for every leaf of trees of 1..17 leaves, exact length only', async () => {
    for (let n = 1; n <= 17; n++) {
      const hashes = Array.from({ length: n }, (_, i) => content(`t${n}/${i}`));
      const root = merkleRootRaw(hashes);
      await Promise.all(
        hashes.map(async (h, i) => {
          const { proof } = merkleProofRaw(hashes, i);
          assert.deepEqual([...(await anchor.merkleRootFromPath(h, proof, i, n))], [true, root], `n=${n} i=${i}`);
          assert.equal((await anchor.merkleRootFromPath(h, [...proof, ZERO32], i, n))[0], false);
          if (proof.length) assert.equal((await anchor.merkleRootFromPath(h, proof.slice(0, -1), i, n))[0], false);
        }),
      );
    }
  });

  it('mmrRootFromProof for every leaf of MMRs of 1..40 leaves (ckb proofs as pallet-mmr makes them)', async () => {
    const mmr = new Mmr();
    const hashes = [];
    for (let count = 1; count <= 40; count++) {
      hashes.push(content(`mmr leaf ${count}`));
      mmr.push(hashes[count - 1]);
      const root = mmr.root();
      await Promise.all(
        hashes.map(async (h, i) => {
          const proof = mmr.proof(i);
          assert.deepEqual([...(await anchor.mmrRootFromProof(h, proof))], [true, root], `count=${count} i=${i}`);
          assert.equal((await anchor.mmrRootFromProof(h, { ...proof, items: [...proof.items, ZERO32] }))[0], false);
        }),
      );
    }
    assert.equal((await anchor.mmrRootFromProof(hashes[0], { leafIndex: 5, leafCount: 5, items: [] }))[0], false);
  });
});

describe('gas', { timeout: 300_000 }, () => {
  const rows = [];

  async function bench(n) {
    const setKeys = keys(`gas${n}`, n);
    const chain = new SimChain({ genesisHash: GENESIS, keys: setKeys });
    chain.produceMany(2); // 1, 2: session 0
    chain.produce({ media: Array.from({ length: 16 }, (_, i) => ({ contentHash: content(`g${n}/${i}`), owner: ownerOf(i) })) }); // 3
    chain.produceMany(1000); // 4..1003: an MMR of a thousand leaves
    chain.produce({ newSession: true, queued: keys(`gas${n}/next`, n) }); // 1004: set 1 (same members); names set 2 (new members)
    chain.produceMany(2); // 1005, 1006
    const anchor = await deploy({ keys: setKeys });
    const gas = async (p) => Number((await mined(p)).gasUsed);
    const first = await gas(anchor.submit(...submitArgs(chain.signed(1000))));
    const second = await gas(anchor.submit(...submitArgs(chain.signed(1001))));
    const learn = await gas(anchor.submitWithHandover(...handoverArgs(chain.signed(1002), chain.leafProof(1002, 1002))));
    const rotate = await gas(anchor.submitWithHandover(...handoverArgs(chain.signed(1004), chain.leafProof(1004, 1004))));
    const after = await gas(anchor.submit(...submitArgs(chain.signed(1006))));
    const m = chain.mediaArgs(3, 5, 1006);
    assert.equal(await anchor.verifyMedia(...mediaCall(m)), true);
    const verify = Number(await anchor.verifyMedia.estimateGas(...mediaCall(m)));
    rows.push({ n, quorum: quorum(n), first, second, learn, rotate, after, verify, mmrItems: m.leafProof.items.length, mediaPath: m.mediaProof.path.length });
    return { first, second, after };
  }

  it('gas per anchor for 4, 8, 16 and 32 validators, a handover and verifyMedia', async () => {
    for (const n of [4, 8, 16, 32]) await bench(n);
    const fmt = (x) => String(x.toLocaleString('en')).padStart(9);
    console.log('\n  ParatiiAnchor gas (cancun, solc 0.8.30, optimizer 200 runs; gasUsed of the transaction, 21,000 base included)');
    console.log('   n  quorum  1st anchor 2nd anchor handover  handover  submit    verifyMedia');
    console.log('                                   (learn)   (rotate)  (new set) (estimateGas)');
    for (const r of rows) {
      console.log(`  ${String(r.n).padStart(2)}  ${String(r.quorum).padStart(6)}  ${fmt(r.first)} ${fmt(r.second)} ${fmt(r.learn)} ${fmt(r.rotate)} ${fmt(r.after)} ${fmt(r.verify)}`);
    }
    console.log(`  (MMR of 1006 leaves: ${rows[0].mmrItems} proof items; media root of 16 items: ${rows[0].mediaPath} path items;`);
    console.log('   learn: the next set is written from empty; rotate: current := next, next := a set with new members)\n');
    const byN = Object.fromEntries(rows.map((r) => [r.n, r]));
    for (const r of rows) assert.ok(Math.max(r.first, r.second, r.after) <= (r.n <= 4 ? 80_000 : 200_000), `n=${r.n}`);
    assert.ok(Math.max(byN[4].first, byN[4].second, byN[4].after) <= 80_000, 'n = 4: ≤ 80,000 gas');
    assert.ok(Math.max(byN[32].first, byN[32].second, byN[32].after) <= 200_000, 'n = 32: ≤ 200,000 gas');
  });
});
