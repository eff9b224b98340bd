// The JS reference (lib/beefy.mjs) against test vectors of the Rust crates themselves,
// and its two MMR readings (the ckb port and the contract's geometry) against each other.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SigningKey, concat, getBytes, hexlify, keccak256, toUtf8Bytes } from 'ethers';

import {
  Mmr,
  ZERO32,
  beefyAddress,
  commitmentHash,
  compact,
  encodeCommitment,
  encodeCommitmentGeneric,
  encodeMediaLeaf,
  encodeMmrLeaf,
  keysetRoot,
  leafIndexToMmrSize,
  leafIndexToPos,
  merkleProof,
  merkleRoot,
  mmrCalculateRoot,
  mmrLeafHash,
  mmrLeafVersion,
  mmrRootGeometric,
  normaliseSignature,
  posHeightInTree,
  quorum,
  rootFromPathExact,
  scaleBytes,
  signCommitment,
  syntheticKey,
  toSubstrateSignature,
  uintLE,
  verifyProofUpstream,
} from '../lib/beefy.mjs';

const vectors = JSON.parse(readFileSync(new URL('./vectors/binary-merkle-tree-addresses.json', import.meta.url), 'utf8'));
const strip = (h) => h.replace(/^0x/, '').toLowerCase();

describe('binary-merkle-tree 16.1.2 vectors (src/lib.rs tests)', () => {
  it('should_generate_empty_root / single / pow_2', () => {
    assert.equal(merkleRoot([]), ZERO32);
    assert.equal(strip(merkleRoot([getBytes('0xE04CC55ebEE1cBCE552f250e85c57B70B2E2625b')])), 'aeb47a269393297f4b0a3c9c9cfd00c7a4195255274cf39d83dabc2fcc9ff3d7');
    assert.equal(
      strip(keysetRoot(['0xE04CC55ebEE1cBCE552f250e85c57B70B2E2625b', '0x25451A4de12dcCc2D166922fA938E900fCc4ED24'])),
      '697ea2a8fe5b03468548a7a413424a6292ab44a82a6f5cc594c3fa7dda7ce402',
    );
  });

  it('should_generate_root_complex (odd rows promote their last node)', () => {
    const root = (xs) => strip(merkleRoot(xs.map((x) => toUtf8Bytes(x))));
    assert.equal(root(['a', 'b', 'c']), 'aff1208e69c9e8be9b584b07ebac4e48a1ee9d15ce3afe20b77a4d29e4175aa3');
    assert.equal(root(['a', 'b', 'a']), 'b8912f7269068901f231a965adfefbc10f0eedcfa61852b103efd54dac7db3d7');
    assert.equal(root(['a', 'b', 'a', 'b']), 'dc8e73fe6903148ff5079baecc043983625c23b39f31537e322cd0deee09fa9c');
    assert.equal(root('abcdefghij'.split('')), 'fb3b3be94be9e983ba5e094c9c51a7d96a4fa2e5d8e891df00ca89ba05bb1239');
  });

  it('should_generate_and_verify_proof_on_test_data (167 addresses)', () => {
    const data = vectors.addresses.map((a) => getBytes(a));
    assert.equal(keysetRoot(vectors.addresses), vectors.root);
    const last = merkleProof(data, data.length - 1);
    assert.deepEqual(last.proof, vectors.lastLeafProof);
    assert.equal(hexlify(data[data.length - 1]), vectors.lastLeaf.toLowerCase());
    for (let i = 0; i < data.length; i++) {
      const p = merkleProof(data, i);
      assert.equal(p.root, vectors.root);
      assert.ok(verifyProofUpstream(p.root, p.proof, data.length, i, p.leafHash));
      assert.equal(rootFromPathExact(p.leafHash, p.proof, i, data.length), vectors.root);
    }
  });

  it('exact-geometry paths agree with upstream verify_proof, and reject other lengths', () => {
    for (let n = 1; n <= 40; n++) {
      const leaves = Array.from({ length: n }, (_, i) => toUtf8Bytes(`leaf ${i}`));
      const root = merkleRoot(leaves);
      for (let i = 0; i < n; i++) {
        const p = merkleProof(leaves, i);
        assert.ok(verifyProofUpstream(root, p.proof, n, i, p.leafHash), `upstream n=${n} i=${i}`);
        assert.equal(rootFromPathExact(p.leafHash, p.proof, i, n), root, `exact n=${n} i=${i}`);
        assert.equal(rootFromPathExact(p.leafHash, [...p.proof, ZERO32], i, n), null);
        if (p.proof.length) assert.equal(rootFromPathExact(p.leafHash, p.proof.slice(1), i, n), null);
      }
    }
  });
});

describe('sp-consensus-beefy 32.0.0 and pallet-beefy-mmr 51.0.0 vectors', () => {
  it('commitment_encode_decode (u128 block number, "Hello World!" payload)', () => {
    const value = scaleBytes(toUtf8Bytes('Hello World!')); // String::encode
    const encoded = encodeCommitmentGeneric([[toUtf8Bytes('mh'), value]], 5, 0, 16);
    assert.equal(strip(hexlify(encoded)), '046d68343048656c6c6f20576f726c6421050000000000000000000000000000000000000000000000');
  });

  it("Paratii's commitment is 48 bytes: 04 6d68 80 root u32le u64le", () => {
    const root = keccak256(toUtf8Bytes('root'));
    const enc = encodeCommitment({ mmrRoot: root, blockNumber: 0x01020304, validatorSetId: 0x0a0b0c0d0e0f1011n });
    assert.equal(hexlify(enc), `0x046d6880${strip(root)}04030201` + '11100f0e0d0c0b0a');
  });

  // mock.rs: mock_beefy_id(id) = ecdsa key with seed [id, 0, ..., 0]; keyset roots from
  // should_update_authorities; leaf_extra from DummyDataProvider; the leaves of
  // should_contain_valid_leaf_data; the MMR roots of should_contain_mmr_digest.
  const mockKey = (id) => new SigningKey(hexlify(concat([Uint8Array.of(id), new Uint8Array(31)])));
  const mockRoot12 = '0x8db0d5104b090776e5812e995875ba50ff47886f4ba9b6a221596443f01cb258';
  const mockRoot34 = '0xd4eb50bacc74545046503f26b678fb8e71031a1b5fb6659576eab17521c64d34';

  it('keyset_commitment of the mock authorities (BeefyEcdsaToEthereum + merkle_root)', () => {
    assert.equal(keysetRoot([mockKey(1), mockKey(2)].map(beefyAddress)), mockRoot12);
    assert.equal(keysetRoot([mockKey(3), mockKey(4)].map(beefyAddress)), mockRoot34);
  });

  it('DummyDataProvider leaf_extra (merkle_root of SCALE (i32, Vec<i32>) pairs)', () => {
    // `vec![(15, vec![1, 2, 3]), (5, vec![4, 5, 6])]`: untyped literals are i32.
    const pair = (n, xs) => concat([uintLE(n, 4), compact(xs.length), ...xs.map((x) => uintLE(x, 4))]);
    assert.equal(merkleRoot([pair(5, [4, 5, 6]), pair(15, [1, 2, 3])]), '0x55b8e9e1cc9f0db7776fac0ca66318ef8acfb8ec26db11e373120583e07ee648');
  });

  it('MMR leaves and roots of the mock runtime (u64 numbers, Vec<u8> extra)', () => {
    const extra = '0x55b8e9e1cc9f0db7776fac0ca66318ef8acfb8ec26db11e373120583e07ee648';
    const opts = { blockNumberBytes: 8, leafExtraIsVec: true };
    const leaf = (parentNumber, parentByte, nextId) => ({
      version: mmrLeafVersion(1, 5),
      parentNumber,
      parentHash: hexlify(new Uint8Array(32).fill(parentByte)),
      nextAuthoritySetId: nextId,
      nextAuthoritySetLen: 2,
      nextAuthoritySetRoot: mockRoot34,
      leafExtra: extra,
    });
    const mmr = new Mmr();
    mmr.push(mmrLeafHash(leaf(0, 1, 2), opts));
    assert.equal(mmr.root(), '0xadf1a2a1414515e51f6c3594d8bc00b073a58f975be9815debab05c9cea01b16');
    mmr.push(mmrLeafHash(leaf(1, 2, 3), opts));
    assert.equal(mmr.root(), '0x064c1025281b9dd9cf4d42611ba707d2b303d1f5186c46a9ac43c975cb00f98a');
  });

  it("Paratii's MMR leaf is 113 bytes in field order", () => {
    const enc = encodeMmrLeaf({
      version: 0,
      parentNumber: 7,
      parentHash: `0x${'11'.repeat(32)}`,
      nextAuthoritySetId: 3,
      nextAuthoritySetLen: 4,
      nextAuthoritySetRoot: `0x${'22'.repeat(32)}`,
      leafExtra: `0x${'33'.repeat(32)}`,
    });
    assert.equal(enc.length, 2 + 2 * 113);
    assert.equal(enc, `0x00${'07000000'}${'11'.repeat(32)}${'0300000000000000'}${'04000000'}${'22'.repeat(32)}${'33'.repeat(32)}`);
  });

  it('media leaf is 77 bytes', () => {
    const enc = encodeMediaLeaf({ mediaId: 1, contentHash: ZERO32, owner: ZERO32, blockNumber: 2 });
    assert.equal(getBytes(enc).length, 77);
  });
});

describe('ckb MMR port', () => {
  it('helpers match ckb-mmr (positions of the first leaves, heights, sizes)', () => {
    // ckb-mmr's README tree: leaf positions 0 1 3 4 7 8 10 11 15
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => Number(leafIndexToPos(i))), [0, 1, 3, 4, 7, 8, 10, 11, 15]);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 14].map(posHeightInTree), [0, 0, 1, 0, 0, 1, 2, 0, 3]);
    assert.deepEqual([0, 1, 2, 3, 4, 6].map((i) => Number(leafIndexToMmrSize(i))), [1, 3, 4, 7, 8, 11]);
  });

  it('root and proofs for every leaf of MMRs of 1..80 leaves; the geometric reading agrees', () => {
    const mmr = new Mmr();
    const hashes = [];
    for (let count = 1; count <= 80; count++) {
      const h = keccak256(toUtf8Bytes(`leaf ${count - 1}`));
      hashes.push(h);
      mmr.push(h);
      const root = mmr.root();
      for (let i = 0; i < count; i++) {
        const proof = mmr.proof(i);
        assert.equal(mmrCalculateRoot(hashes[i], proof), root, `ckb count=${count} i=${i}`);
        assert.equal(mmrRootGeometric(hashes[i], proof), root, `geometric count=${count} i=${i}`);
        assert.notEqual(mmrRootGeometric(keccak256(hashes[i]), proof), root);
        assert.equal(mmrRootGeometric(hashes[i], { ...proof, items: [...proof.items, ZERO32] }), null);
      }
    }
    // proofs against an older root (the MMR as it was with fewer leaves)
    for (let count = 1; count <= 80; count += 7) {
      for (let i = 0; i < count; i += 3) {
        assert.equal(mmrRootGeometric(hashes[i], mmr.proof(i, count)), mmr.root(count));
      }
    }
  });
});

describe('signatures', () => {
  it('sign the prehashed commitment; normalise Substrate (v 0/1, high s) to v 27/28, low s', () => {
    const key = syntheticKey('sig');
    const c = { mmrRoot: keccak256('0x01'), blockNumber: 9, validatorSetId: 2 };
    const sig = signCommitment(key, c);
    const b = getBytes(sig);
    assert.ok(b[64] === 27 || b[64] === 28);
    const raw = toSubstrateSignature(sig);
    assert.ok(getBytes(raw)[64] <= 1);
    const high = toSubstrateSignature(sig, { highS: true });
    assert.notEqual(hexlify(high), hexlify(raw));
    assert.equal(hexlify(normaliseSignature(raw)), sig);
    assert.equal(hexlify(normaliseSignature(high)), sig);
    assert.equal(SigningKey.recoverPublicKey(commitmentHash(c), sig), key.publicKey);
  });

  it('quorum is n − ⌊(n − 1) / 3⌋', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 10, 16, 32].map(quorum), [1, 2, 3, 3, 4, 5, 5, 7, 11, 22]);
  });
});
