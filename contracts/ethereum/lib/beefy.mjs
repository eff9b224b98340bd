// JS reference of what ParatiiAnchor.sol verifies, written from the crate sources (not
// from the contract), so that the tests compare two independent implementations:
//
// - SCALE encodings of the BEEFY commitment (sp-consensus-beefy 32.0.0 `Commitment`)
//   and of the MMR leaf (`MmrLeaf`, LeafExtra = H256 on Paratii).
// - binary-merkle-tree 16.1.2: `merkle_root`, `merkle_proof` (the `ProofCollection`
//   visitor) and `verify_proof`; used for the BEEFY keyset root and the media roots.
// - polkadot-ckb-merkle-mountain-range 0.8.2 with pallet-mmr 50.0.0's keccak `Hasher`
//   (merge = keccak256(left ‖ right), merge_peaks = merge): class `Mmr` mirrors
//   `MMR::push`, `MMR::get_root` + `bag_rhs_peaks`, `MMR::gen_proof` +
//   `gen_proof_for_peak` (one leaf), and `calculate_peaks_hashes` + `calculate_peak_root`
//   + `bagging_peaks_hashes` (verification), over ckb's node positions, with the helpers
//   of ckb's helper.rs (`pos_height_in_tree`, `get_peaks`, `get_peak_map`,
//   `leaf_index_to_pos`, `leaf_index_to_mmr_size`, `sibling_offset`, `parent_offset`).
// - BEEFY signing: keccak256 of the SCALE commitment, signed as a prehashed digest
//   (no Ethereum prefix), serialized r‖s‖v with v 27/28 and low s.
import { SigningKey, concat, getBytes, hexlify, keccak256, solidityPacked, toBeHex, toUtf8Bytes } from 'ethers';

export const ZERO32 = `0x${'00'.repeat(32)}`;
/** secp256k1 group order. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

// ------------------------------------------------------------------ SCALE

/** Little-endian fixed-width unsigned integer, `bytes` long. */
export function uintLE(value, bytes) {
  let v = BigInt(value);
  if (v < 0n || v >= 1n << BigInt(8 * bytes)) throw new RangeError(`${value} does not fit in ${bytes} bytes`);
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** SCALE compact integer (the single, two and four byte modes). */
export function compact(value) {
  const v = Number(value);
  if (v < 1 << 6) return Uint8Array.of(v << 2);
  if (v < 1 << 14) return uintLE((v << 2) | 1, 2);
  if (v < 2 ** 30) return uintLE(v * 4 + 2, 4);
  throw new RangeError('compact: big-integer mode not needed here');
}

/** SCALE `Vec<u8>`: compact length, then the bytes. */
export function scaleBytes(bytes) {
  const b = getBytes(bytes);
  return concat([compact(b.length), b]);
}

/** BEEFY payload id of the MMR root (sp-consensus-beefy `known_payloads::MMR_ROOT_ID`). */
export const MMR_ROOT_ID = toUtf8Bytes('mh');

/**
 * SCALE of `Commitment { payload: Payload(entries), block_number, validator_set_id }`.
 * `entries` are `[id (2 bytes), value bytes]`, sorted by id as `Payload` keeps them.
 * `blockNumberBytes` is the width of the chain's BlockNumber (4 on Paratii: u32).
 */
export function encodeCommitmentGeneric(entries, blockNumber, validatorSetId, blockNumberBytes = 4) {
  const parts = [compact(entries.length)];
  for (const [id, value] of entries) parts.push(getBytes(id), scaleBytes(value));
  parts.push(uintLE(blockNumber, blockNumberBytes), uintLE(validatorSetId, 8));
  return concat(parts);
}

/** Paratii's 48-byte commitment: one "mh" entry holding the 32-byte MMR root. */
export function encodeCommitment({ mmrRoot, blockNumber, validatorSetId }) {
  return encodeCommitmentGeneric([[MMR_ROOT_ID, mmrRoot]], blockNumber, validatorSetId, 4);
}

/** The digest BEEFY validators sign: keccak256(SCALE(commitment)). */
export function commitmentHash(commitment) {
  return keccak256(encodeCommitment(commitment));
}

/**
 * SCALE of sp-consensus-beefy `MmrLeaf { version, parent_number_and_hash,
 * beefy_next_authority_set: { id, len, keyset_commitment }, leaf_extra }`.
 * Paratii: u32 block numbers and `leaf_extra: H256` (113 bytes). The options reproduce
 * other runtimes (pallet-beefy-mmr's mock: u64 block numbers, `Vec<u8>` extra).
 */
export function encodeMmrLeaf(leaf, { blockNumberBytes = 4, leafExtraIsVec = false } = {}) {
  const extra = leafExtraIsVec ? scaleBytes(leaf.leafExtra) : getBytes(leaf.leafExtra);
  if (!leafExtraIsVec && extra.length !== 32) throw new Error('leafExtra must be 32 bytes');
  return concat([
    Uint8Array.of(leaf.version),
    uintLE(leaf.parentNumber, blockNumberBytes),
    getBytes(leaf.parentHash),
    uintLE(leaf.nextAuthoritySetId, 8),
    uintLE(leaf.nextAuthoritySetLen, 4),
    getBytes(leaf.nextAuthoritySetRoot),
    extra,
  ]);
}

/** The MMR leaf hash: keccak256 of the SCALE leaf (sp-mmr-primitives `DataOrHash::hash`). */
export function mmrLeafHash(leaf, options) {
  return keccak256(encodeMmrLeaf(leaf, options));
}

/** `MmrLeafVersion::new(major, minor)`: major in bits 5..7, minor in bits 0..4. */
export function mmrLeafVersion(major, minor) {
  return (major << 5) + minor;
}

// ------------------------------------------------------------------ binary-merkle-tree

const hashPair = (a, b) => keccak256(concat([a, b]));

/**
 * binary-merkle-tree `merkelize` over leaf hashes, with its optional visitor
 * (`{ moveUp(), visit(index, left, right) }`): rows are paired left to right; the last
 * node of an odd row is promoted unchanged; no leaves give the zero hash.
 */
function merkelize(hashes, visitor) {
  let row = hashes.slice();
  if (row.length === 0) return ZERO32;
  for (let first = true; ; first = false) {
    if (!first) visitor?.moveUp();
    const next = [];
    for (let i = 0; ; i += 2) {
      const a = row[i];
      const b = row[i + 1];
      visitor?.visit(i, a, b);
      if (a !== undefined && b !== undefined) next.push(hashPair(a, b));
      else if (a !== undefined && next.length > 0) next.push(a);
      else if (a !== undefined) return a; // last item = root
      else break;
    }
    row = next;
  }
}

/** `merkle_root::<Keccak256>`: leaves are hashed (keccak256 of their bytes) first. */
export function merkleRoot(leaves) {
  return merkelize(leaves.map((l) => keccak256(l)));
}

/** `merkle_root_raw`: leaves are already hashes. */
export function merkleRootRaw(hashes) {
  return merkelize(hashes);
}

/** `merkle_proof::<Keccak256>` (the `ProofCollection` visitor), for leaf `leafIndex`. */
export function merkleProof(leaves, leafIndex) {
  return merkleProofRaw(leaves.map((l) => keccak256(l)), leafIndex);
}

export function merkleProofRaw(hashes, leafIndex) {
  if (leafIndex >= hashes.length) throw new RangeError('leaf index out of range');
  let position = leafIndex;
  const proof = [];
  const root = merkelize(hashes, {
    moveUp() {
      position = Math.floor(position / 2);
    },
    visit(index, left, right) {
      if (position === index && right !== undefined) proof.push(right);
      if (position === index + 1 && left !== undefined) proof.push(left);
    },
  });
  return { root, proof, numberOfLeaves: hashes.length, leafIndex, leafHash: hashes[leafIndex] };
}

/** binary-merkle-tree's own `verify_proof` (its position/width rule), for cross-checks. */
export function verifyProofUpstream(root, proof, numberOfLeaves, leafIndex, leafHash) {
  if (leafIndex >= numberOfLeaves) return false;
  let position = leafIndex;
  let width = numberOfLeaves;
  let computed = leafHash;
  for (const b of proof) {
    computed = position % 2 === 1 || position + 1 === width ? hashPair(b, computed) : hashPair(computed, b);
    position = Math.floor(position / 2);
    width = Math.floor((width - 1) / 2) + 1;
  }
  return computed === root;
}

/**
 * Root from a bottom-up path walking the exact tree geometry (a promoted last node takes
 * no item), or null if the path has not exactly the right length: what the contract does.
 */
export function rootFromPathExact(leafHash, path, index, width) {
  if (index >= width) return null;
  let k = 0;
  let node = leafHash;
  while (width > 1) {
    if (index % 2 === 1) {
      if (k === path.length) return null;
      node = hashPair(path[k++], node);
    } else if (index + 1 < width) {
      if (k === path.length) return null;
      node = hashPair(node, path[k++]);
    }
    index = Math.floor(index / 2);
    width = Math.ceil(width / 2);
  }
  return k === path.length ? node : null;
}

// ------------------------------------------------------------------ BEEFY keys

/** The Ethereum address of a BEEFY key (pallet-beefy-mmr `BeefyEcdsaToEthereum`). */
export function beefyAddress(signingKey) {
  return hexlify(getBytes(keccak256(`0x${signingKey.publicKey.slice(4)}`)).slice(12));
}

/** keyset_commitment of a set: merkle_root of the 20-byte addresses, in authority order. */
export function keysetRoot(addresses) {
  return merkleRoot(addresses.map((a) => getBytes(a)));
}

/** BEEFY's signature threshold: n − ⌊(n − 1) / 3⌋. */
export function quorum(n) {
  return n - Math.floor((n - 1) / 3);
}

/**
 * Signs a commitment as a BEEFY validator does (`sign_prehashed` of the keccak digest)
 * and returns the 65-byte r‖s‖v that the contract takes (ethers gives low s, v 27/28).
 */
export function signCommitment(signingKey, commitment) {
  return signingKey.sign(commitmentHash(commitment)).serialized;
}

/**
 * The form in which Substrate hands out an ecdsa signature: r‖s‖v with v in {0, 1}.
 * With `highS`, the malleable twin (n − s, v flipped), which Substrate does not exclude.
 */
export function toSubstrateSignature(sig65, { highS = false } = {}) {
  const b = getBytes(sig65);
  let s = BigInt(hexlify(b.slice(32, 64)));
  let v = b[64] >= 27 ? b[64] - 27 : b[64];
  if (highS && s <= SECP256K1_N / 2n) {
    s = SECP256K1_N - s;
    v ^= 1;
  }
  return concat([b.slice(0, 32), toBeHex(s, 32), Uint8Array.of(v)]);
}

/** What the relayer does before submitting: v → v + 27 if needed, high s → n − s (v flipped). */
export function normaliseSignature(sig65) {
  const b = getBytes(sig65);
  if (b.length !== 65) throw new Error('signature must be 65 bytes');
  let s = BigInt(hexlify(b.slice(32, 64)));
  let v = b[64] < 27 ? b[64] + 27 : b[64];
  if (s > SECP256K1_N / 2n) {
    s = SECP256K1_N - s;
    v = v === 27 ? 28 : 27;
  }
  return concat([b.slice(0, 32), toBeHex(s, 32), Uint8Array.of(v)]);
}

/**
 * The `submit` arguments for `commitment` signed by `keys[i]` for i in `signerIndices`:
 * the validators' addresses, the signer bitfield and the packed signatures.
 */
export function signedArgs(keys, commitment, signerIndices) {
  const sorted = [...signerIndices].sort((a, b) => a - b);
  let bitfield = 0n;
  for (const i of sorted) bitfield |= 1n << BigInt(i);
  return {
    commitment,
    validators: keys.map(beefyAddress),
    signers: bitfield,
    signatures: concat(sorted.map((i) => signCommitment(keys[i], commitment))),
  };
}

// ------------------------------------------------------------------ ckb MMR

const bitLength = (x) => (x === 0n ? 0 : x.toString(2).length);

/** ckb `pos_height_in_tree`. */
export function posHeightInTree(pos) {
  pos = BigInt(pos);
  if (pos === 0n) return 0;
  let peakSize = (1n << BigInt(bitLength(pos))) - 1n; // u64::MAX >> pos.leading_zeros()
  while (peakSize > 0n) {
    if (pos >= peakSize) pos -= peakSize;
    peakSize >>= 1n;
  }
  return Number(pos);
}
const parentOffset = (height) => 2n << BigInt(height);
const siblingOffset = (height) => (2n << BigInt(height)) - 1n;

/** ckb `get_peak_map`: the leaf count of an MMR of `mmrSize` nodes. */
export function getPeakMap(mmrSize) {
  let pos = BigInt(mmrSize);
  if (pos === 0n) return 0n;
  let peakSize = (1n << BigInt(bitLength(pos))) - 1n;
  let peakMap = 0n;
  while (peakSize > 0n) {
    peakMap <<= 1n;
    if (pos >= peakSize) {
      pos -= peakSize;
      peakMap |= 1n;
    }
    peakSize >>= 1n;
  }
  return peakMap;
}

/** ckb `get_peaks`: positions of the peaks, left to right. */
export function getPeaks(mmrSize) {
  let pos = BigInt(mmrSize);
  if (pos === 0n) return [];
  let peakSize = (1n << BigInt(bitLength(pos))) - 1n;
  const peaks = [];
  let sum = 0n;
  while (peakSize > 0n) {
    if (pos >= peakSize) {
      pos -= peakSize;
      peaks.push(sum + peakSize - 1n);
      sum += peakSize;
    }
    peakSize >>= 1n;
  }
  return peaks;
}

/** ckb `leaf_index_to_mmr_size`. */
export function leafIndexToMmrSize(index) {
  const leaves = BigInt(index) + 1n;
  const peakCount = BigInt(leaves.toString(2).split('').filter((c) => c === '1').length);
  return 2n * leaves - peakCount;
}

/** ckb `leaf_index_to_pos`. */
export function leafIndexToPos(index) {
  const i = BigInt(index) + 1n;
  let tz = 0n;
  while (((i >> tz) & 1n) === 0n) tz++;
  return leafIndexToMmrSize(index) - tz - 1n;
}

/** ckb `bag_rhs_peaks` / `bagging_peaks_hashes`: pop right, pop left, push merge(right, left). */
export function bagPeaks(peaks) {
  const stack = peaks.slice();
  while (stack.length > 1) {
    const right = stack.pop();
    const left = stack.pop();
    stack.push(hashPair(right, left));
  }
  return stack.pop();
}

/** An append-only MMR as pallet-mmr keeps it (node hashes by ckb position). */
export class Mmr {
  constructor() {
    this.nodes = []; // index = ckb position
    this.leafCount = 0;
  }

  get size() {
    return BigInt(this.nodes.length);
  }

  /** ckb `MMR::push` of a leaf hash; returns the leaf index. */
  push(leafHash) {
    const peakMap = getPeakMap(this.size);
    let pos = this.size;
    const elems = [leafHash];
    let peak = 1n;
    while ((peakMap & peak) !== 0n) {
      peak <<= 1n;
      pos += 1n;
      const leftPos = pos - peak;
      const left = leftPos < this.size ? this.nodes[Number(leftPos)] : elems[Number(leftPos - this.size)];
      elems.push(hashPair(left, elems[elems.length - 1]));
    }
    this.nodes.push(...elems);
    return this.leafCount++;
  }

  /** ckb `MMR::get_root` of the MMR as it was with `leafCount` leaves. */
  root(leafCount = this.leafCount) {
    if (leafCount === 0) throw new Error('GetRootOnEmpty');
    const size = leafIndexToMmrSize(leafCount - 1);
    if (size === 1n) return this.nodes[0];
    return bagPeaks(getPeaks(size).map((p) => this.nodes[Number(p)]));
  }

  /**
   * ckb `MMR::gen_proof` for the single leaf `leafIndex` in the MMR of `leafCount`
   * leaves: pallet-mmr's `LeafProof { leaf_indices: [leafIndex], leaf_count, items }`.
   */
  proof(leafIndex, leafCount = this.leafCount) {
    if (leafIndex >= leafCount) throw new RangeError('leaf index out of range');
    const size = leafIndexToMmrSize(leafCount - 1);
    const leafPos = leafIndexToPos(leafIndex);
    const items = [];
    if (!(size === 1n && leafPos === 0n)) {
      let posList = [leafPos];
      let baggingTrack = 0;
      for (const peakPos of getPeaks(size)) {
        const here = posList.filter((p) => p <= peakPos);
        posList = posList.filter((p) => p > peakPos);
        baggingTrack = here.length === 0 ? baggingTrack + 1 : 0;
        this.#genProofForPeak(items, here, peakPos);
      }
      if (baggingTrack > 1) {
        const rhs = items.splice(items.length - baggingTrack, baggingTrack);
        items.push(bagPeaks(rhs));
      }
    }
    return { leafIndex, leafCount, items };
  }

  /** ckb `gen_proof_for_peak`, for a single position. */
  #genProofForPeak(proof, posList, peakPos) {
    if (posList.length === 1 && posList[0] === peakPos) return;
    if (posList.length === 0) {
      proof.push(this.nodes[Number(peakPos)]);
      return;
    }
    const queue = posList.map((pos) => [pos, 0]);
    while (queue.length) {
      const [pos, height] = queue.shift();
      if (pos === peakPos) break;
      const nextHeight = posHeightInTree(pos + 1n);
      const [sibPos, parentPos] =
        nextHeight > height ? [pos - siblingOffset(height), pos + 1n] : [pos + siblingOffset(height), pos + parentOffset(height)];
      if (queue.length && queue[0][0] === sibPos) queue.shift();
      else proof.push(this.nodes[Number(sibPos)]);
      if (parentPos < peakPos) queue.push([parentPos, height + 1]);
    }
  }
}

/**
 * ckb `MerkleProof::calculate_root` for one leaf (`calculate_peaks_hashes`,
 * `calculate_peak_root`, `bagging_peaks_hashes`): the root a proof gives, or null where
 * ckb returns an error.
 */
export function mmrCalculateRoot(leafHash, { leafIndex, leafCount, items }) {
  if (leafIndex >= leafCount) return null;
  const size = leafIndexToMmrSize(leafCount - 1);
  const leafPos = leafIndexToPos(leafIndex);
  // ckb returns the leaf itself for a one-node MMR (and ignores any items there).
  if (size === 1n && leafPos === 0n) return leafHash;
  const it = items[Symbol.iterator]();
  const next = () => it.next().value;
  let leaves = [[leafPos, leafHash]];
  const peaksHashes = [];
  for (const peakPos of getPeaks(size)) {
    const here = leaves.filter(([p]) => p <= peakPos);
    leaves = leaves.filter(([p]) => p > peakPos);
    let peakRoot;
    if (here.length === 1 && here[0][0] === peakPos) peakRoot = here[0][1];
    else if (here.length === 0) {
      peakRoot = next();
      if (peakRoot === undefined) break;
    } else {
      // calculate_peak_root, one leaf
      let [pos, item] = here[0];
      let height = 0;
      for (;;) {
        if (pos === peakPos) break;
        const nextHeight = posHeightInTree(pos + 1n);
        const sibling = next();
        if (sibling === undefined) return null;
        let parentPos;
        if (nextHeight > height) {
          parentPos = pos + 1n;
          item = hashPair(sibling, item);
        } else {
          parentPos = pos + parentOffset(height);
          item = hashPair(item, sibling);
        }
        if (parentPos > peakPos) return null;
        pos = parentPos;
        height += 1;
      }
      peakRoot = item;
    }
    peaksHashes.push(peakRoot);
  }
  if (leaves.length) return null;
  const rhs = next();
  if (rhs !== undefined) peaksHashes.push(rhs);
  if (next() !== undefined) return null;
  return bagPeaks(peaksHashes);
}

/**
 * The contract's reading of the same proof, from (leafIndex, leafCount) bit geometry
 * alone; kept here to show that it agrees with the ckb port for every geometry.
 */
export function mmrRootGeometric(leafHash, { leafIndex, leafCount, items }) {
  const index = BigInt(leafIndex);
  const count = BigInt(leafCount);
  if (index >= count) return null;
  const h = bitLength(index ^ count) - 1;
  const left = (count >> BigInt(h + 1)).toString(2).split('').filter((c) => c === '1').length;
  const right = (count & ((1n << BigInt(h)) - 1n)) !== 0n;
  if (items.length !== left + h + (right ? 1 : 0)) return null;
  let node = leafHash;
  for (let j = 0; j < h; j++) {
    const sib = items[left + j];
    node = ((index >> BigInt(j)) & 1n) === 1n ? hashPair(sib, node) : hashPair(node, sib);
  }
  if (right) node = hashPair(items[left + h], node);
  for (let j = left; j > 0; j--) node = hashPair(node, items[j - 1]);
  return node;
}

// ------------------------------------------------------------------ media

/** Paratii's media leaf: 77 packed bytes (version 1, mediaId u64, contentHash, owner, blockNumber u32). */
export function encodeMediaLeaf({ mediaId, contentHash, owner, blockNumber }) {
  return solidityPacked(['uint8', 'uint64', 'bytes32', 'bytes32', 'uint32'], [1, mediaId, contentHash, owner, blockNumber]);
}

export function mediaLeafHash(item) {
  return keccak256(encodeMediaLeaf(item));
}

/** A block's media root: merkle_root of its media leaves; bytes32(0) without media. */
export function mediaRoot(items) {
  return merkleRoot(items.map(encodeMediaLeaf));
}

/** The `MediaProof` of `items[index]` in its block's media root. */
export function mediaProof(items, index) {
  const p = merkleProof(items.map(encodeMediaLeaf), index);
  return { leafIndex: index, numberOfLeaves: items.length, path: p.proof };
}

/** A deterministic synthetic BEEFY key, for tests and benchmarks. */
export function syntheticKey(label) {
  return new SigningKey(keccak256(toUtf8Bytes(`paratii-beefy-test/${label}`)));
}
