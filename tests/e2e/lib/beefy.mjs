// The chain's side of the bridge for the e2e tests: BEEFY justifications and MMR
// proofs decoded from the node's SCALE (polkadot.js's types for justifications predate
// the compact signature encoding), and the relayer as a process. No polkadot.js import:
// the zombienet tests, a project of their own, use this file too.
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { freePort } from './node.mjs';
import { serviceBinary, startProcess } from './services.mjs';

const u8aToHex = (bytes) => `0x${Buffer.from(bytes).toString('hex')}`;

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

/**
 * sp-consensus-beefy `VersionedFinalityProof::V1(SignedCommitment)`, compact signatures.
 * `commitment` is the SCALE commitment the validators signed (its keccak-256, with
 * recoverable ECDSA); `signatures[i]`, 65 bytes `r ‖ s ‖ v` (v the recovery id), is
 * validator i's, or null when it did not sign.
 */
export function decodeJustification(bytes) {
  const r = new Reader(bytes);
  assert.equal(r.u8(), 1, 'VersionedFinalityProof::V1');
  const payload = [];
  for (let n = r.compact(); n > 0n; n--) payload.push({ id: new TextDecoder().decode(r.take(2)), value: r.bytes() });
  const blockNumber = Number(r.uintLE(4));
  const validatorSetId = r.uintLE(8);
  const commitment = bytes.slice(1, r.i);
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
  return { mmrRoot: u8aToHex(mh.value), blockNumber, validatorSetId, signatures, commitment };
}

/** sp-consensus-beefy `MmrLeaf` with Paratii's `LeafExtra = H256`: 113 bytes. */
export function decodeMmrLeaf(bytes) {
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
export async function mmrProof(api, block, atBlock) {
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

/** `verifyMedia`'s MediaProof from `bridgeApi.mediaProof` (polkadot.js types). */
export function mediaPathOf(proof) {
  return { leafIndex: proof.leafIndex.toNumber(), numberOfLeaves: proof.leafCount.toNumber(), path: proof.proof.map((h) => h.toHex()) };
}

/** Hardhat's first dev key (10,000 ETH on a fresh `hardhat node`). */
export const HARDHAT_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
/** Hardhat's second dev key: a competing relayer's. */
export const HARDHAT_KEY_2 = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

function keyFile(key = HARDHAT_KEY) {
  const path = join(mkdtempSync(join(tmpdir(), 'paratii-relayer-key-')), 'eth.key');
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  return path;
}

/** `paratii-relayer deploy`: ParatiiAnchor for the node's chain; returns its address. */
export function deployAnchor(node, ethUrl) {
  const out = execFileSync(serviceBinary('paratii-relayer'),
    ['deploy', '--chain', node.ws, '--eth-rpc', ethUrl, '--eth-key-file', keyFile()], { encoding: 'utf8' });
  return out.trim().split('\n').pop();
}

/** `paratii-relayer run` until stopped; `metrics()` reads its Prometheus gauges. */
export async function startRelayer(node, ethUrl, contract, { everyBlocks = 8, everySecs = 3600, key, extra = [] } = {}) {
  const port = await freePort();
  const metricsUrl = `http://127.0.0.1:${port}`;
  const relayer = await startProcess('relayer', serviceBinary('paratii-relayer'), ['run', '--chain', node.ws,
    '--eth-rpc', ethUrl, '--eth-key-file', keyFile(key), '--contract', contract, '--every-blocks', String(everyBlocks),
    '--every-secs', String(everySecs), '--metrics-listen', `127.0.0.1:${port}`, ...extra],
  async () => (await fetch(`${metricsUrl}/health`)).ok);
  relayer.metrics = async () => {
    const text = await (await fetch(`${metricsUrl}/metrics`)).text();
    return Object.fromEntries(text.split('\n').filter((l) => l.startsWith('paratii_relayer_'))
      .map((l) => { const [k, v] = l.split(' '); return [k.slice('paratii_relayer_'.length), Number(v)]; }));
  };
  return relayer;
}
