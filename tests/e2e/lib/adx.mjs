// The ad exchange's off-chain encodings, written from the README's description (not
// generated from the Rust types), so the e2e tests check that both sides agree byte
// for byte: signed messages, parts and their hashes, payout leaves and roots, result
// hashes (see primitives/src/adx.rs).
import { bnToU8a, compactToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, keccakAsU8a } from '@polkadot/util-crypto';

export const MESSAGE_TAG = stringToU8a('paratii/adx/v1');
export const RESULT_TAG = stringToU8a('paratii/adx/result/v1');
export const FLAGS = { VIEW: 1, CLICK: 2, FRAUD: 4 };

const le = (n, bits) => bnToU8a(BigInt(n), { bitLength: bits, isLe: true });
const u64 = (n) => le(n, 64);
const u32 = (n) => le(n, 32);
const u128 = (n) => le(n, 128);

/** `Body::Win` (index 0). */
export const win = (impression, viewer, producer, price) =>
  u8aConcat([0], u64(impression), viewer, producer, u128(price));
/** `Body::View` (index 1). */
export const view = (impression) => u8aConcat([1], u64(impression));
/** `Body::Check` (index 2). */
export const check = (impression, flags) => u8aConcat([2], u64(impression), [flags]);

/** What a message's author signs: `tag ‖ genesis ‖ campaign u64 ‖ block u32 ‖ author ‖ body`. */
export const signingPayload = (genesis, campaign, block, author, body) =>
  u8aConcat(MESSAGE_TAG, genesis, u64(campaign), u32(block), author, body);

/** `author ‖ body ‖ sr25519(signingPayload)`. */
export function signMessage(pair, genesis, campaign, block, body) {
  const author = pair.publicKey;
  return u8aConcat(author, body, pair.sign(signingPayload(genesis, campaign, block, author, body)));
}

/** A part: the SCALE `Vec<Message>`. */
export const encodePart = (messages) => u8aConcat(compactToU8a(messages.length), ...messages);
export const partHash = (part) => blake2AsU8a(part, 256);

/** `blake2(Vec<(participant, part hash)>)` in the chain's order. */
export const partsDigest = (parts) =>
  blake2AsU8a(u8aConcat(compactToU8a(parts.length), ...parts.flatMap(([who, hash]) => [who, hash])), 256);

/** `0x01 ‖ account ‖ cumulative (u128 big-endian)`. */
export const payoutLeaf = (account, amount) =>
  u8aConcat([1], account, bnToU8a(BigInt(amount), { bitLength: 128, isLe: false }));

/** keccak binary Merkle root of `[account, cumulative]` pairs in account order; zero when empty. */
export function payoutsRoot(cumulative) {
  let level = cumulative.map(([a, v]) => keccakAsU8a(payoutLeaf(a, v)));
  if (level.length === 0) return new Uint8Array(32);
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? keccakAsU8a(u8aConcat(level[i], level[i + 1])) : level[i]);
    }
    level = next;
  }
  return level[0];
}

/** `blake2(tag ‖ genesis ‖ campaign ‖ block ‖ parts digest ‖ previous root ‖ payouts root ‖ total u128)`. */
export const resultHash = (genesis, campaign, block, digest, previousRoot, root, total) =>
  blake2AsU8a(u8aConcat(RESULT_TAG, genesis, u64(campaign), u32(block), digest, previousRoot, root, u128(total)), 256);

export const hex = u8aToHex;
