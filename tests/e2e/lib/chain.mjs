// polkadot.js helpers shared by the e2e tests.
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { decodeError, findEvent, submit } from './tx.mjs';

// Transactions, blocks and council motions (no polkadot.js import there: zombienet uses
// them too).
export {
  councilMotion, decodeError, finalizedHeadNumber, findEvent, submit, submitFinal, submitUnsigned, untilBlock,
} from './tx.mjs';

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

/**
 * Submits `call` through `sudo.sudo` signed by `signer` and fails unless the call itself
 * succeeded: a sudo extrinsic is included and pays even when the call it wraps fails,
 * which only its `Sudid` event tells. `options` are `submit`'s (a nonce). Resolves with
 * `submit`'s result.
 */
export async function sudo(api, call, signer, options) {
  const result = await submit(api, api.tx.sudo.sudo(call), signer, options);
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

/**
 * Ad validators in the registry: each of `validators` applies (holding its bond) and
 * the dev chain's governance — `governor`, its sudo key — admits them all.
 */
export async function admitAdValidators(api, governor, validators) {
  await Promise.all(validators.map(async (v) => {
    const { error } = await submit(api, api.tx.adExchange.registerValidator(), v);
    if (error) throw new Error(`registerValidator: ${JSON.stringify(error)}`);
  }));
  const nonce = (await api.rpc.system.accountNextIndex(governor.address)).toNumber();
  await Promise.all(validators.map((v, i) =>
    sudo(api, api.tx.adExchange.admitValidator(v.address), governor, { nonce: nonce + i })));
}
