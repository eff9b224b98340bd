// Storage receipts as a Paratii storage cluster signs them, in JS: the 122-byte
// message `(b"paratii/receipt/v1", genesis_hash, content_hash, size u64 LE, owner)`.
import { createHash, randomBytes } from 'node:crypto';
import { Keyring } from '@polkadot/api';
import { hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';
import { findEvent, submit } from './chain.mjs';

export const RECEIPT_TAG = stringToU8a('paratii/receipt/v1');

/** An ed25519 cluster key from a dev URI such as `//Cluster1`. */
export function clusterKey(uri) {
  return new Keyring({ type: 'ed25519' }).addFromUri(uri);
}

/** The bytes a cluster signs for `(contentHash, size)` stored for `owner`. */
export function receiptMessage(genesisHash, contentHash, size, owner) {
  const sizeLe = new Uint8Array(8);
  new DataView(sizeLe.buffer).setBigUint64(0, BigInt(size), true);
  const message = u8aConcat(RECEIPT_TAG, genesisHash, contentHash, sizeLe, decodeAddress(owner));
  if (message.length !== 122) throw new Error(`receipt message is ${message.length} bytes`);
  return message;
}

/** `{ cluster, signature }` as pallet-media takes it. */
export function receipt(clusterId, pair, genesisHash, contentHash, size, owner) {
  return {
    cluster: clusterId,
    signature: u8aToHex(pair.sign(receiptMessage(genesisHash, contentHash, size, owner))),
  };
}

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
