// Storage receipts as a Paratii storage cluster signs them, in JS: the 134-byte
// message `(b"paratii/receipt/v2", genesis_hash, cluster u32 LE, content_hash,
// size u64 LE, owner, issued_at u64 LE)`, issued_at in Unix milliseconds.
import { createHash, randomBytes } from 'node:crypto';
import { Keyring } from '@polkadot/api';
import { hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';
import { findEvent, submit } from './chain.mjs';

export const RECEIPT_TAG = stringToU8a('paratii/receipt/v2');

/** An ed25519 cluster key from a dev URI such as `//Cluster1`. */
export function clusterKey(uri) {
  return new Keyring({ type: 'ed25519' }).addFromUri(uri);
}

const le = (bits, value) => {
  const bytes = new Uint8Array(bits / 8);
  const view = new DataView(bytes.buffer);
  if (bits === 32) view.setUint32(0, Number(value), true);
  else view.setBigUint64(0, BigInt(value), true);
  return bytes;
};

/** The bytes cluster `cluster` signs for `(contentHash, size)` stored for `owner` at `issuedAt`. */
export function receiptMessage(genesisHash, cluster, contentHash, size, owner, issuedAt) {
  const message = u8aConcat(RECEIPT_TAG, genesisHash, le(32, cluster), contentHash, le(64, size),
    decodeAddress(owner), le(64, issuedAt));
  if (message.length !== 134) throw new Error(`receipt message is ${message.length} bytes`);
  return message;
}

/** `{ cluster, issuedAt, signature }` as pallet-media takes it, signed at `issuedAt` (now by default). */
export function receipt(clusterId, pair, genesisHash, contentHash, size, owner, issuedAt = Date.now()) {
  return {
    cluster: clusterId,
    issuedAt,
    signature: u8aToHex(pair.sign(receiptMessage(genesisHash, clusterId, contentHash, size, owner, issuedAt))),
  };
}

/** The receipt in a storage cluster's answer to a `PUT`, as pallet-media takes it. */
export const storedReceipt = (body) => ({ cluster: body.cluster, issuedAt: body.issued_at, signature: body.signature });

/** Random file contents and their SHA-256 (what the gateway would compute). */
export function randomFile(size = 4096) {
  const bytes = randomBytes(size);
  return { bytes, size, hash: '0x' + createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Registers `file` as the original of a new media item of `owner` (a registered user),
 * with receipts of the dev clusters //Cluster1 and //Cluster2; resolves with its id and
 * block hash, and fails the test if the chain refuses it.
 */
export async function registerOriginal(api, owner, title, file) {
  const genesis = hexToU8a(api.genesisHash.toHex());
  const receipts = [['//Cluster1', 0], ['//Cluster2', 1]].map(([uri, id]) =>
    receipt(id, clusterKey(uri), genesis, hexToU8a(file.hash), file.size, owner.address));
  const registered = await submit(api, api.tx.media.registerMedia(title, null, null,
    [{ kind: 'Original', contentHash: file.hash, size: file.size, receipts }]), owner);
  if (registered.error) throw new Error(`registerMedia failed: ${JSON.stringify(registered.error)}`);
  const mediaId = findEvent(registered.events, 'media', 'MediaRegistered').data.mediaId.toBigInt();
  return { mediaId, blockHash: registered.blockHash };
}
