// PTI claims and vouchers in JS: the messages pallet-pti checks, and voucher codes.
//
// A voucher code is a secret string; its key is the sr25519 key of the secret URI
// `//paratii//voucher//<code>` (hard derivations of the well-known dev root phrase: the
// code is the only secret, so codes must be random — `newVoucherCode()` makes 80-bit
// ones). The chain only ever sees the key's public half.
import { randomBytes } from 'node:crypto';
import { Keyring } from '@polkadot/api';
import { bnToU8a, stringToU8a, u8aConcat } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';

export const CLAIM_TAG = stringToU8a('paratii/claim/v1');
export const VOUCHER_TAG = stringToU8a('paratii/voucher/v1');

/** A random voucher code: 16 characters of Crockford base32 (80 bits), dashed by 4. */
export function newVoucherCode() {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = randomBytes(10);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let code = '';
  for (let i = 0; i < 16; i++) code = alphabet[Number((bits >> BigInt(5 * i)) & 31n)] + code;
  return code.match(/.{4}/g).join('-');
}

/** The sr25519 key pair of a voucher code. */
export function voucherKey(code) {
  return new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(`//paratii//voucher//${code}`);
}

/** `(b"paratii/voucher/v1", genesis_hash, key, beneficiary)`: what the code's key signs. */
export function voucherMessage(genesisHash, publicKey, beneficiary) {
  return u8aConcat(VOUCHER_TAG, genesisHash, publicKey, decodeAddress(beneficiary));
}

/** The signature that redeems the voucher of `code` to `beneficiary` (SS58). */
export function redeemSignature(code, genesisHash, beneficiary) {
  const key = voucherKey(code);
  return key.sign(voucherMessage(genesisHash, key.publicKey, beneficiary));
}

/**
 * `(b"paratii/claim/v1", genesis_hash, claim_id u64, beneficiary, amount u128, expires_at u32)`,
 * SCALE (little-endian integers): what the distributor's key signs.
 */
export function claimMessage(genesisHash, claimId, beneficiary, amount, expiresAt) {
  return u8aConcat(
    CLAIM_TAG, genesisHash, bnToU8a(claimId, { bitLength: 64 }), decodeAddress(beneficiary),
    bnToU8a(amount, { bitLength: 128 }), bnToU8a(expiresAt, { bitLength: 32 }),
  );
}

export const SESSION_TAG = stringToU8a('paratii/session/v1');

/**
 * A viewer session: `<account>.<expiresMs>.<signature hex>`, the account's sr25519
 * signature over `(b"paratii/session/v1", genesis_hash, expires_ms u64)` (at most twelve
 * hours), sent as `X-Paratii-Session`. What a web page makes with the viewer's wallet:
 * `wrap: true` signs it wrapped in `<Bytes>…</Bytes>`, as the extension's signRaw does.
 */
export function sessionToken(pair, genesisHash, expiresMs, { wrap = false } = {}) {
  let message = u8aConcat(SESSION_TAG, genesisHash, bnToU8a(expiresMs, { bitLength: 64 }));
  if (wrap) message = u8aConcat(stringToU8a('<Bytes>'), message, stringToU8a('</Bytes>'));
  return `${pair.address}.${expiresMs}.${Buffer.from(pair.sign(message)).toString('hex')}`;
}
