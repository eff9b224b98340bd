// Transactions, blocks and council motions through a polkadot.js `ApiPromise` the
// caller passes in. No polkadot.js import: the zombienet tests, a project of their own
// with its own @polkadot/api, use this file too (lib/chain.mjs re-exports it for the
// e2e tests). Every wait here has a deadline and unsubscribes when it ends.
import assert from 'node:assert/strict';
import { waitFor } from './node.mjs';

/** How long `submit` waits for a transaction to be in a block, by default. */
export const SUBMIT_TIMEOUT_MS = 120_000;

/**
 * Subscribes with `start(callback)` (a polkadot.js subscription: it resolves with its
 * unsubscribe function) and hands each value to `onValue(value, resolve, reject)` until
 * one of those settles the wait, `start` fails, or `timeoutMs` passes (then it rejects
 * with `timed out after … waiting for <what>`). Unsubscribes once settled, even when the
 * unsubscribe function arrives later.
 */
export function watch(what, start, onValue, timeoutMs) {
  return new Promise((resolve, reject) => {
    let unsub;
    let settled = false;
    // A failed unsubscription (the connection is gone) leaves nothing to unsubscribe from.
    const unsubscribe = (u) => {
      try {
        Promise.resolve(u()).catch(() => {});
      } catch {
        // as above
      }
    };
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (unsub) unsubscribe(unsub);
      fn(value);
    };
    const timer = setTimeout(
      () => settle(reject, new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`)), timeoutMs);
    let started;
    try {
      started = start((value) => {
        if (settled) return;
        try {
          onValue(value, (v) => settle(resolve, v), (e) => settle(reject, e));
        } catch (e) {
          settle(reject, e);
        }
      });
    } catch (e) {
      settle(reject, e);
      return;
    }
    Promise.resolve(started)
      .then((u) => {
        if (settled) unsubscribe(u);
        else unsub = u;
      })
      .catch((e) => settle(reject, e));
  });
}

/** A `DispatchError` as `{ section, name }`: the pallet's error, a token error or its text. */
export function decodeError(api, dispatchError) {
  if (dispatchError.isModule) {
    const { section, name } = api.registry.findMetaError(dispatchError.asModule);
    return { section, name };
  }
  if (dispatchError.isToken) return { section: 'token', name: dispatchError.asToken.type };
  return { section: 'dispatch', name: dispatchError.toString() };
}

/** The first event `section.method` among `events`, or undefined. */
export function findEvent(events, section, method) {
  return events.find(({ event }) => event.section === section && event.method === method)?.event;
}

const callName = (tx) => `${tx.method.section}.${tx.method.method}`;

/** `watch`es `send(callback)` until the transaction is in a block, or refused. */
function untilInBlock(api, tx, send, timeoutMs) {
  return watch(`${callName(tx)} to be in a block`, send, ({ status, events, dispatchError }, resolve, reject) => {
    if (status.isInBlock) {
      const error = dispatchError && decodeError(api, dispatchError);
      resolve({ blockHash: status.asInBlock, events, dispatchError, error });
    } else if (status.isDropped || status.isInvalid || status.isUsurped) {
      reject(new Error(`${callName(tx)}: transaction ${status.type}`));
    }
  }, timeoutMs);
}

/**
 * Signs and submits `tx` (with `nonce`, if given), resolving once it is in a block with
 * its events and, if the call failed, its decoded module error (`{ section, name }`).
 * Rejects if the pool refuses, drops or replaces it, or if it is in no block within
 * `timeoutMs`.
 */
export function submit(api, tx, signer, { nonce, timeoutMs = SUBMIT_TIMEOUT_MS } = {}) {
  const send = (callback) => (nonce === undefined
    ? tx.signAndSend(signer, callback)
    : tx.signAndSend(signer, { nonce }, callback));
  return untilInBlock(api, tx, send, timeoutMs);
}

/**
 * Submits the unsigned extrinsic `tx`; resolves like `submit`, rejects with the pool's
 * refusal. Resubmitting the very same bytes as an included extrinsic is answered with
 * that inclusion's status (the pool knows the hash): it is not a second inclusion.
 */
export function submitUnsigned(api, tx, { timeoutMs = SUBMIT_TIMEOUT_MS } = {}) {
  return untilInBlock(api, tx, (callback) => tx.send(callback), timeoutMs);
}

/** The number of the latest block `api`'s node has finalized. */
export async function finalizedHeadNumber(api) {
  return (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
}

/** `submit`, then waits until the including block is finalized; adds its number (`blockNumber`). */
export async function submitFinal(api, tx, signer, options) {
  const result = await submit(api, tx, signer, options);
  const number = (await api.rpc.chain.getHeader(result.blockHash)).number.toNumber();
  await waitFor(`block #${number} to be finalized`, async () => (await finalizedHeadNumber(api)) >= number);
  return { ...result, blockNumber: number };
}

/**
 * Resolves with the best block's number once it is at least `n` (on the node's new-head
 * notifications). Rejects after `timeoutMs`: by default a minute plus 6 s (two 3-second
 * slots) per block to go.
 */
export async function untilBlock(api, n, { timeoutMs } = {}) {
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  if (best >= n) return best;
  return watch(`block #${n} (best was #${best})`, (callback) => api.rpc.chain.subscribeNewHeads(callback),
    (header, resolve) => {
      if (header.number.toNumber() >= n) resolve(header.number.toNumber());
    }, timeoutMs ?? 60_000 + (n - best) * 6_000);
}

/**
 * A council motion dispatching `call`: `voters[0]` proposes it with a threshold of all
 * the voters, each of them votes aye, and `closer` closes it. Fails unless the motion
 * executed and the call succeeded; resolves with the closing extrinsic's events.
 */
export async function councilMotion(api, call, { voters, closer }) {
  const what = `the council motion for ${call.method.section}.${call.method.method}`;
  const length = call.method.encodedLength;
  const proposed = await submit(api, api.tx.council.propose(voters.length, call, length), voters[0]);
  const event = findEvent(proposed.events, 'council', 'Proposed');
  assert.ok(event, `${what}: no council.Proposed: ${JSON.stringify(proposed.error)}`);
  const [, index, hash] = event.data;
  for (const member of voters) {
    const { error } = await submit(api, api.tx.council.vote(hash, index, true), member);
    assert.equal(error, undefined, `${what}: vote of ${member.address}: ${JSON.stringify(error)}`);
  }
  const closed = await submit(api,
    api.tx.council.close(hash, index, { refTime: 10_000_000_000n, proofSize: 1_000_000n }, length), closer);
  const executed = findEvent(closed.events, 'council', 'Executed');
  assert.ok(executed, `${what} executed: ${JSON.stringify(closed.error)}; ` +
    `${closed.events.map(({ event }) => `${event.section}.${event.method}`)}`);
  assert.ok(executed.data.result.isOk, `${what}: the call succeeded: ${executed.data.result}`);
  return closed.events;
}
