// The chain client: polkadot.js (@polkadot/api with the runtime's metadata, read from
// the node; its calls, storage and events typed by src/chain-types/, which
// scripts/types.mjs generates from the same metadata), the development accounts and browser wallets (the polkadot.js extension
// and any wallet that injects the same interface). This module is imported only when
// something needs the chain (signing, balances), so the catalogue and search pages
// never download it.
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { DispatchError, EventRecord } from '@polkadot/types/interfaces';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { bnToU8a, hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, decodeAddress } from '@polkadot/util-crypto';
import { web3Accounts, web3Enable, web3FromSource } from '@polkadot/extension-dapp';
import './chain-types/augment-api';
import { config } from './services';
import type { Account } from './wallet';

let apiPromise: Promise<ApiPromise> | undefined;

/** The node's API (one connection, reconnecting by itself). */
export function api(): Promise<ApiPromise> {
  apiPromise ??= config().then(async (c) => {
    const provider = new WsProvider(c.chain);
    return ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: false });
  });
  return apiPromise;
}

const DEV_NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];
const devPairs = new Map<string, KeyringPair>();

/** The development accounts (//Alice …), on a development chain only. */
export async function devAccounts(): Promise<Account[]> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  return DEV_NAMES.map((name) => {
    const pair = keyring.addFromUri(`//${name}`);
    devPairs.set(pair.address, pair);
    return { address: pair.address, name: `${name} (development)`, source: 'dev' };
  });
}

let enabled: ReturnType<typeof web3Enable> | undefined;
/** The browser's wallets, enabled for this site once per page load (a wallet asks the user once). */
function enableWallets() {
  enabled ??= web3Enable('Paratii Player');
  return enabled;
}

/** The injector of the wallet an account comes from (enabling wallets after a reload). */
async function injectorOf(account: Account) {
  await enableWallets();
  return web3FromSource(account.source);
}

/** The accounts of the browser's wallets (asks the user to allow this site once). */
export async function walletAccounts(): Promise<Account[]> {
  const wallets = await enableWallets();
  if (wallets.length === 0) {
    throw new Error('No wallet answered: install the polkadot.js extension (or another Polkadot wallet) and allow this site.');
  }
  const accounts = await web3Accounts({ accountType: ['sr25519'] });
  if (accounts.length === 0) throw new Error('Your wallet has no sr25519 account for this site: create or allow one.');
  return accounts.map((a) => ({ address: a.address, name: a.meta.name ?? a.address, source: a.meta.source }));
}

async function devPair(account: Account): Promise<KeyringPair> {
  if (devPairs.size === 0) await devAccounts();
  const pair = devPairs.get(account.address);
  if (!pair) throw new Error(`${account.name} is not a development account`);
  return pair;
}

/**
 * The account's sr25519 signature of `message`: a development key signs it as it is; a
 * wallet's `signRaw` signs it wrapped in `<Bytes>…</Bytes>` (the services accept both).
 */
export async function signBytes(account: Account, message: Uint8Array): Promise<string> {
  if (account.source === 'dev') return u8aToHex((await devPair(account)).sign(message));
  const injector = await injectorOf(account);
  if (!injector.signer.signRaw) throw new Error('Your wallet cannot sign messages (signRaw).');
  const { signature } = await injector.signer.signRaw({ address: account.address, data: u8aToHex(message), type: 'bytes' });
  return signature;
}

/** `n` as `bitLength` bits, little-endian (SCALE's fixed-width integers). */
const le = (n: number | bigint, bitLength: number) => bnToU8a(BigInt(n), { bitLength, isLe: true });

/**
 * The viewer's signature of an ad's View record (paratii_primitives::adx): over
 * `"paratii/adx/v1" ‖ genesis ‖ campaign u64 ‖ block u32 ‖ viewer ‖ View(impression)`,
 * little-endian, the View being its index (1) and the impression u64.
 */
export async function signAdView(
  account: Account,
  ad: { genesis: string; campaign: number; block: number; impression: string },
): Promise<string> {
  const message = u8aConcat(
    stringToU8a('paratii/adx/v1'), hexToU8a(ad.genesis), le(ad.campaign, 64), le(ad.block, 32),
    decodeAddress(account.address), new Uint8Array([1]), le(BigInt(ad.impression), 64),
  );
  return signBytes(account, message);
}

export async function genesisHash(): Promise<Uint8Array> {
  return (await api()).genesisHash.toU8a();
}

const u64le = (n: number | bigint) => le(n, 64);

/** What an owner signs to upload the file with SHA-256 `hash` (paratii_client::signed). */
export async function signUpload(account: Account, hash: Uint8Array, expiresMs: number): Promise<string> {
  const message = u8aConcat(stringToU8a('paratii/upload/v1'), await genesisHash(), hash, u64le(expiresMs));
  return signBytes(account, message);
}

/** A viewer session token for `hours` (paratii_client::session). */
export async function signSession(account: Account, expiresMs: number): Promise<string> {
  const message = u8aConcat(stringToU8a('paratii/session/v1'), await genesisHash(), u64le(expiresMs));
  const signature = await signBytes(account, message);
  return `${account.address}.${expiresMs}.${signature.replace(/^0x/, '')}`;
}

/** Friendlier words for the errors people meet most; the rest use the pallet's docs. */
const PLAIN: Record<string, string> = {
  'balances.InsufficientBalance': 'Not enough PTI in this account.',
  'pti.AlreadyBought': 'You have bought this already.',
  'users.NotRegistered': 'Register a user name first (on your account page).',
};

/** A dispatch error in words a person understands. */
export function explain(api: ApiPromise, error: DispatchError): string {
  if (error.isModule) {
    const meta = api.registry.findMetaError(error.asModule);
    const key = `${meta.section}.${meta.name}`;
    const docs = meta.docs.join(' ').trim();
    return PLAIN[key] ?? (docs ? `${docs} (${key})` : key);
  }
  if (error.isToken) return `Not enough PTI for this (${error.asToken.type}).`;
  if (error.isBadOrigin) return 'This account may not do that.';
  return error.toString();
}

function explainSubmitError(e: unknown): Error {
  const message = (e as Error)?.message ?? String(e);
  if (/Inability to pay some fees|balance too low/i.test(message)) {
    return new Error('This account cannot pay the transaction fee: it needs some PTI.');
  }
  if (/Cancelled|Rejected by user/i.test(message)) return new Error('You cancelled the signature.');
  return new Error(message);
}

export type TxStage = 'signing' | 'sent' | 'in block' | 'finalized';

/**
 * Signs and submits `tx` from `account`, reporting each stage, and resolves with its
 * events once its block is finalized; rejects with the chain's reason in words.
 */
export async function submit(
  account: Account,
  tx: SubmittableExtrinsic<'promise'>,
  onStage: (stage: TxStage) => void = () => {},
): Promise<{ events: EventRecord[]; block: number }> {
  const a = await api();
  onStage('signing');
  const signer = account.source === 'dev' ? await devPair(account) : account.address;
  const options = account.source === 'dev' ? {} : { signer: (await injectorOf(account)).signer };
  return new Promise((resolve, reject) => {
    let unsub: (() => void) | undefined;
    tx.signAndSend(signer, options, (result) => {
      if (result.status.isReady || result.status.isBroadcast) onStage('sent');
      if (result.dispatchError) {
        unsub?.();
        reject(new Error(explain(a, result.dispatchError)));
        return;
      }
      if (result.status.isInBlock) onStage('in block');
      if (result.status.isFinalized) {
        onStage('finalized');
        unsub?.();
        a.rpc.chain
          .getHeader(result.status.asFinalized)
          .then((h) => resolve({ events: result.events, block: h.number.toNumber() }), reject);
      }
      if (result.isError) {
        unsub?.();
        reject(new Error(`The transaction was dropped (${result.status.type}): try again.`));
      }
    })
      .then((u) => (unsub = u))
      .catch((e) => reject(explainSubmitError(e)));
  });
}

/** `media.registerMedia` from the upload's SCALE-encoded call; resolves with the new id and its block. */
export async function registerUpload(
  account: Account,
  call: string,
  onStage: (s: TxStage) => void,
): Promise<{ id: number; block: number }> {
  const a = await api();
  const { events, block } = await submit(account, a.tx(a.createType('Call', call)), onStage);
  for (const { event } of events) {
    if (a.events.media.MediaRegistered.is(event)) return { id: event.data.mediaId.toNumber(), block };
  }
  throw new Error('The registration was final but announced no media item.');
}

export async function react(account: Account, id: number, reaction: 'Like' | 'Dislike' | 'None', onStage: (s: TxStage) => void) {
  const a = await api();
  await submit(account, a.tx.users.react(id, reaction), onStage);
}

export async function flag(account: Account, id: number, reason: string, onStage: (s: TxStage) => void) {
  const a = await api();
  await submit(account, a.tx.users.flag(id, reason), onStage);
}

export async function buy(account: Account, id: number, price: string, onStage: (s: TxStage) => void) {
  const a = await api();
  await submit(account, a.tx.pti.buy(id, price), onStage);
}

/** `micropay.setMinutePrice`: the owner prices a video per minute (null: not pay-as-you-watch). */
export async function setMinutePrice(account: Account, id: number, price: bigint | null, onStage: (s: TxStage) => void) {
  const a = await api();
  await submit(account, a.tx.micropay.setMinutePrice(id, price), onStage);
}

export async function registerName(account: Account, name: string, onStage: (s: TxStage) => void) {
  const a = await api();
  await submit(account, a.tx.users.register(name, null), onStage);
}

/** What `address` has withdrawn from ad campaign `campaign` (plancks). */
export async function adWithdrawn(campaign: number, address: string): Promise<bigint> {
  const a = await api();
  return (await a.query.adExchange.withdrawn(campaign, address)).toBigInt();
}

/** `adExchange.claim`: pays `beneficiary` what `cumulative` (proven by a validator) adds to what it withdrew. */
export async function claimAd(
  account: Account,
  campaign: number,
  beneficiary: string,
  cumulative: string,
  proof: { leaf_index: number; number_of_leaves: number; path: string[] },
  onStage: (s: TxStage) => void,
) {
  const a = await api();
  const tx = a.tx.adExchange.claim(campaign, beneficiary, cumulative, {
    leafIndex: proof.leaf_index, numberOfLeaves: proof.number_of_leaves, path: proof.path,
  });
  await submit(account, tx, onStage);
}

/** Whether `address` bought media `id` (or owns nothing to buy). */
export async function hasBought(id: number, address: string): Promise<boolean> {
  const a = await api();
  return (await a.query.pti.purchases(id, address)).isSome;
}

export interface Profile {
  name: string | null;
  free: bigint;
  reserved: bigint;
}

export async function profile(address: string): Promise<Profile> {
  const a = await api();
  const [user, { data }] = await Promise.all([a.query.users.users(address), a.query.system.account(address)]);
  return {
    name: user.isSome ? user.unwrap().name.toUtf8() : null,
    free: data.free.toBigInt(),
    reserved: data.reserved.toBigInt(),
  };
}

/** The media `address` bought, newest first (from the chain's purchases). */
export async function purchases(address: string): Promise<number[]> {
  const a = await api();
  const entries = await a.query.pti.purchases.entries();
  return entries
    .filter(([key]) => key.args[1].toString() === address)
    .map(([key]) => Number(key.args[0].toString()))
    .sort((x, y) => y - x);
}

/** A payment channel (pallet-micropay) as the account page shows it. */
export interface PayChannel {
  id: number;
  payer: string;
  hub: string;
  signer: string;
  deposit: bigint;
  paid: bigint;
  expiresAt: number;
}

/** The open channels `payer` pays from, newest first. */
export async function channelsOf(payer: string): Promise<PayChannel[]> {
  const a = await api();
  const entries = await a.query.micropay.channels.entries();
  return entries
    .filter(([, c]) => c.isSome && c.unwrap().payer.toString() === payer)
    .map(([key, c]) => {
      const v = c.unwrap();
      return {
        id: Number(key.args[0].toString()),
        payer: v.payer.toString(),
        hub: v.hub.toString(),
        signer: v.signer.toHex(),
        deposit: v.deposit.toBigInt(),
        paid: v.paid.toBigInt(),
        expiresAt: v.expiresAt.toNumber(),
      };
    })
    .sort((x, y) => y.id - x.id);
}

/** The best block's number and `micropay.ChallengePeriod` (blocks after the expiry before the payer may close). */
export async function channelClock(): Promise<{ best: number; challenge: number }> {
  const a = await api();
  const header = await a.rpc.chain.getHeader();
  return { best: header.number.toNumber(), challenge: a.consts.micropay.challengePeriod.toNumber() };
}

/**
 * `micropay.open`: a channel to `hub` holding `deposit` from the account, expiring
 * `blocks` from now, its vouchers signed by `signer` (the player's session key).
 */
export async function openChannel(
  account: Account,
  hub: string,
  signer: Uint8Array,
  deposit: bigint,
  blocks: number,
  onStage: (s: TxStage) => void,
): Promise<number> {
  const a = await api();
  const { best } = await channelClock();
  const { events } = await submit(account, a.tx.micropay.open(hub, signer, deposit, best + blocks), onStage);
  for (const { event } of events) {
    if (a.events.micropay.Opened.is(event)) return event.data.channel.toNumber();
  }
  throw new Error('The open was final but announced no channel.');
}

/** `micropay.topUp`: adds `amount` to the deposit. */
export async function topUpChannel(account: Account, id: number, amount: bigint, onStage: (s: TxStage) => void) {
  const a = await api();
  await submit(account, a.tx.micropay.topUp(id, amount, null), onStage);
}

/** `micropay.close` by the payer (after the expiry and challenge period): resolves with what came back. */
export async function closeChannel(account: Account, id: number, onStage: (s: TxStage) => void): Promise<bigint> {
  const a = await api();
  const { events } = await submit(account, a.tx.micropay.close(id), onStage);
  for (const { event } of events) {
    if (a.events.micropay.Closed.is(event)) return event.data.refunded.toBigInt();
  }
  return 0n;
}

/** A fresh sr25519 key for signing vouchers without prompting: its secret seed (hex) and pair. */
export async function newVoucherKey(): Promise<{ seed: string; pair: KeyringPair }> {
  await cryptoWaitReady();
  const seed = u8aToHex(crypto.getRandomValues(new Uint8Array(32)));
  return { seed, pair: voucherKey(seed) };
}

/** The voucher key of secret seed `seed` (hex). */
export function voucherKey(seed: string): KeyringPair {
  return new Keyring({ type: 'sr25519' }).addFromSeed(hexToU8a(seed));
}

/** A voucher (paratii_client::micropay): `{channel}:{cumulative}:{signature hex}`, signed by `key`. */
export function signVoucher(key: KeyringPair, genesis: Uint8Array, channel: number, media: number, cumulative: bigint): string {
  const payload = u8aConcat(stringToU8a('paratii/micropay/v1'), genesis, le(channel, 64), le(media, 64), le(cumulative, 128));
  return `${channel}:${cumulative}:${u8aToHex(key.sign(payload)).slice(2)}`;
}

/** The chain's block time in milliseconds (Aura's slot). */
export async function blockMillis(): Promise<number> {
  const a = await api();
  return (await a.call.auraApi.slotDuration()).toNumber();
}
