// polkadot.js helpers shared by the e2e tests.
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';

export const PTI = 10n ** 18n;

/** Connects polkadot.js to a node started by `startNode`. */
export async function connect(node) {
  await cryptoWaitReady();
  return ApiPromise.create({ provider: new WsProvider(node.ws), noInitWarn: true });
}

/** The dev keyring (sr25519 accounts //Alice ...). */
export function devAccount(uri) {
  return new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(uri);
}

/** A `DispatchError` as `{ section, name }`: the pallet's error, a token error or its text. */
function decodeError(api, dispatchError) {
  if (dispatchError.isModule) {
    const { section, name } = api.registry.findMetaError(dispatchError.asModule);
    return { section, name };
  }
  if (dispatchError.isToken) return { section: 'token', name: dispatchError.asToken.type };
  return { section: 'dispatch', name: dispatchError.toString() };
}

/**
 * Signs and submits `tx`, resolving once it is in a block with its events and, if the
 * call failed, its decoded module error (`{ section, name }`).
 */
export function submit(api, tx, signer) {
  return new Promise((resolve, reject) => {
    let unsub;
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (status.isInBlock) {
        unsub?.();
        const error = dispatchError && decodeError(api, dispatchError);
        resolve({ blockHash: status.asInBlock, events, dispatchError, error });
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        unsub?.();
        reject(new Error(`transaction ${status.type}`));
      }
    })
      .then((u) => { unsub = u; })
      .catch(reject);
  });
}

/**
 * Submits `call` through `sudo.sudo` signed by `signer` and fails unless the call itself
 * succeeded: a sudo extrinsic is included and pays even when the call it wraps fails,
 * which only its `Sudid` event tells. Resolves with `submit`'s result.
 */
export async function sudo(api, call, signer) {
  const result = await submit(api, api.tx.sudo.sudo(call), signer);
  const what = `sudo ${call.method.section}.${call.method.method}`;
  if (result.error) throw new Error(`${what}: ${result.error.section}.${result.error.name}`);
  const outcome = findEvent(result.events, 'sudo', 'Sudid')?.data.sudoResult;
  if (!outcome) throw new Error(`${what}: no sudo.Sudid event`);
  if (outcome.isErr) {
    const { section, name } = decodeError(api, outcome.asErr);
    throw new Error(`${what} failed: ${section}.${name}`);
  }
  return result;
}

/** The first event `section.method` among `events`, or undefined. */
export function findEvent(events, section, method) {
  return events.find(({ event }) => event.section === section && event.method === method)?.event;
}
