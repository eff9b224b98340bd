// A simulated Paratii chain for the tests: blocks with media, the MMR of BEEFY leaves
// and BEEFY sessions, following the runtime's hook order (Session → Beefy → Mmr):
//
// - block n's MMR leaf (pushed in on_initialize of n) has parent (n − 1, hash(n − 1)),
//   the BEEFY next set as it is after a session change in block n, and as leaf_extra the
//   media root of block n − 1 (computed in its on_finalize);
// - a new session at block n: set id + 1 becomes current (its members are the previous
//   "next"), the queued members become next; block n is the session's mandatory block
//   and is signed by the new current set (sc-consensus-beefy starts a session at every
//   block carrying AuthoritiesChange);
// - the commitment of block n carries the MMR root after n's leaf and the id of the set
//   current at n.
import { concat, keccak256, toUtf8Bytes } from 'ethers';

import { Mmr, ZERO32, beefyAddress, keysetRoot, mediaProof, mediaRoot, mmrLeafHash, quorum, signedArgs } from './beefy.mjs';

export class SimChain {
  /** @param keys the BEEFY signing keys of genesis set 0 (pallet-beefy: next = same members). */
  constructor({ genesisHash, keys, leafVersion = 1 }) {
    this.genesisHash = genesisHash;
    this.leafVersion = leafVersion;
    this.setId = 0;
    this.sets = new Map([[0, keys]]);
    this.nextKeys = keys;
    this.mmr = new Mmr();
    this.blocks = [{ number: 0, hash: genesisHash, media: [], mediaRoot: ZERO32, setId: 0 }];
    this.nextMediaId = 1n;
  }

  get head() {
    return this.blocks.length - 1;
  }

  /**
   * Produces the next block. `media`: [{ contentHash, owner }] registered in it.
   * `newSession`: a session starts here; `queued`: the keys of the set after it
   * (default: unchanged members).
   */
  produce({ media = [], newSession = false, queued } = {}) {
    const n = this.blocks.length;
    const parent = this.blocks[n - 1];
    if (newSession) {
      this.setId += 1;
      this.sets.set(this.setId, this.nextKeys);
      this.nextKeys = queued ?? this.nextKeys;
    }
    if (this.nextRootOf?.keys !== this.nextKeys) {
      const addresses = this.nextKeys.map(beefyAddress);
      this.nextRootOf = { keys: this.nextKeys, len: addresses.length, root: keysetRoot(addresses) };
    }
    const leaf = {
      version: this.leafVersion,
      parentNumber: n - 1,
      parentHash: parent.hash,
      nextAuthoritySetId: this.setId + 1,
      nextAuthoritySetLen: this.nextRootOf.len,
      nextAuthoritySetRoot: this.nextRootOf.root,
      leafExtra: parent.mediaRoot,
    };
    const leafIndex = this.mmr.push(mmrLeafHash(leaf));
    const mmrRoot = this.mmr.root();
    const items = media.map((m) => ({ mediaId: this.nextMediaId++, contentHash: m.contentHash, owner: m.owner, blockNumber: n }));
    const block = {
      number: n,
      hash: keccak256(concat([toUtf8Bytes('block'), parent.hash, mmrRoot])),
      media: items,
      mediaRoot: mediaRoot(items),
      setId: this.setId,
      leaf,
      leafIndex,
      mmrRoot,
    };
    this.blocks.push(block);
    return block;
  }

  produceMany(count, options) {
    for (let i = 0; i < count; i++) this.produce(options);
  }

  keysOf(setId) {
    return this.sets.get(setId);
  }

  commitment(n) {
    const b = this.blocks[n];
    return { mmrRoot: b.mmrRoot, blockNumber: n, validatorSetId: b.setId };
  }

  /** `submit` arguments for block n, signed by a quorum (or `signerIndices`) of its set. */
  signed(n, signerIndices) {
    const c = this.commitment(n);
    const keys = this.keysOf(c.validatorSetId);
    const signers = signerIndices ?? [...Array(quorum(keys.length)).keys()];
    return signedArgs(keys, c, signers);
  }

  /** The MMR leaf of block `leafBlock` and its proof against the root anchored at `atBlock`. */
  leafProof(leafBlock, atBlock) {
    const b = this.blocks[leafBlock];
    return { leaf: b.leaf, proof: this.mmr.proof(b.leafIndex, this.blocks[atBlock].leafIndex + 1) };
  }

  /** The `verifyMedia` arguments for media item `index` of block n, through the anchor at `atBlock`. */
  mediaArgs(n, index, atBlock) {
    const item = this.blocks[n].media[index];
    const { leaf, proof } = this.leafProof(n + 1, atBlock);
    return {
      item,
      mediaProof: mediaProof(this.blocks[n].media, index),
      leaf,
      leafProof: proof,
      anchoredBlock: atBlock,
    };
  }
}
