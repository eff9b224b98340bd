// Pay as you watch on chain (pallet-micropay) through polkadot.js, as a player and a
// gateway will use it: a viewer opens one channel to a gateway operator (the hub) with a
// session key as its signer; the session key signs a cumulative voucher per media item
// as segments play; the hub settles two owners' items in one transaction, each owner and
// the fund paid exactly; stale, foreign and over-deposit vouchers are refused; the hub
// releases the channel (the rest back at once); a second channel is closed by its payer
// only after its expiry and challenge period.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Keyring } from '@polkadot/api';
import { hexToU8a, stringToU8a, u8aConcat } from '@polkadot/util';
import { encodeAddress, mnemonicGenerate } from '@polkadot/util-crypto';
import { connect, devAccount, findEvent, PTI, submit, submitFinal } from '../lib/chain.mjs';
import { signVoucher } from '../lib/micropay.mjs';
import { startNode, waitFor } from '../lib/node.mjs';
import { randomFile, registerOriginal } from '../lib/receipts.mjs';

const [alice, bob, charlie] = ['//Alice', '//Bob', '//Charlie'].map(devAccount);
const fresh = () => new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(mnemonicGenerate());
const FUND = encodeAddress(u8aConcat(stringToU8a('modl'), stringToU8a('py/trsry'), new Uint8Array(20)), 42);

let node;
let api;
let genesis;

before(async () => {
  node = await startNode({ name: 'micropay' });
  api = await connect(node);
  genesis = hexToU8a(api.genesisHash.toHex());
});

after(async () => {
  await api?.disconnect();
  await node?.stop();
});

const free = async (who) => (await api.query.system.account(who)).data.free.toBigInt();
const reserved = async (who) => (await api.query.system.account(who)).data.reserved.toBigInt();
/** A voucher for `media` of `channel`: the session key's signature over the pallet's payload. */
function voucher(key, channel, media, cumulative, chain = genesis) {
  return { media, cumulative, signature: signVoucher(key, chain, channel, media, cumulative) };
}

async function ok(tx, signer) {
  const result = await submit(api, tx, signer);
  assert.equal(result.error, undefined, `${tx.method.section}.${tx.method.method}: ${JSON.stringify(result.error)}`);
  return result;
}

async function open(viewer, session, deposit, blocks) {
  const now = (await api.rpc.chain.getHeader()).number.toNumber();
  const { events } = await ok(api.tx.micropay.open(bob.address, session.publicKey, deposit, now + blocks), viewer);
  return findEvent(events, 'micropay', 'Opened').data.channel.toNumber();
}

test('one deposit pays two owners per segment; stale, foreign and over-deposit vouchers are refused; the hub releases the rest', async () => {
  // Charlie registers as a user to publish (Alice is one from genesis).
  if ((await api.query.users.users(charlie.address)).isNone) await ok(api.tx.users.register('charlie', null), charlie);
  const [a, b] = await Promise.all([
    registerOriginal(api, alice, 'Harbour at dawn', randomFile(2048)),
    registerOriginal(api, charlie, 'Lisbon trams', randomFile(2048)),
  ]);
  const [harbour, trams] = [Number(a.mediaId), Number(b.mediaId)];
  // Alice prices hers per minute; Bob may not.
  await ok(api.tx.micropay.setMinutePrice(harbour, 6n * PTI / 10n), alice);
  assert.deepEqual((await submit(api, api.tx.micropay.setMinutePrice(harbour, PTI), bob)).error,
    { section: 'micropay', name: 'NotOwner' });
  assert.equal((await api.query.micropay.minutePrices(harbour)).unwrap().toBigInt(), 6n * PTI / 10n);

  const viewer = fresh();
  await submitFinal(api, api.tx.balances.transferKeepAlive(viewer.address, 100n * PTI), alice);
  const session = fresh(); // the player's session key: never funded, never on chain as an account
  const deposit = 10n * PTI;
  const channel = await open(viewer, session, deposit, 200);
  const storage = api.consts.micropay.channelDeposit.toBigInt();
  assert.equal(await reserved(viewer.address), deposit + storage);

  // Five 4-second segments of Alice's video at 0.6 PTI a minute (0.04 each) and three of
  // Charlie's at 0.05: the player signs a voucher per segment, the hub keeps the latest.
  let latest;
  for (let n = 1n; n <= 5n; n++) latest = voucher(session, channel, harbour, n * 4n * PTI / 100n);
  const alices = latest;
  for (let n = 1n; n <= 3n; n++) latest = voucher(session, channel, trams, n * 5n * PTI / 100n);
  const charlies = latest;
  const before = await Promise.all([alice.address, charlie.address, FUND].map(free));
  const { events } = await ok(api.tx.micropay.settle(channel, [alices, charlies]), bob);
  const after_ = await Promise.all([alice.address, charlie.address, FUND].map(free));
  // The redistribution share (30 %) to the fund, the rest to each owner.
  assert.equal(after_[0] - before[0], 14n * PTI / 100n);
  assert.equal(after_[1] - before[1], 105n * PTI / 1000n);
  assert.equal(after_[2] - before[2], 6n * PTI / 100n + 45n * PTI / 1000n);
  const settled = events.filter(({ event }) => event.section === 'micropay' && event.method === 'Settled')
    .map(({ event }) => event.data);
  assert.deepEqual(settled.map((d) => [d.channel.toNumber(), d.media.toNumber(), d.payer.toString(), d.owner.toString()]),
    [[channel, harbour, viewer.address, alice.address], [channel, trams, viewer.address, charlie.address]]);

  // Replayed or stale, for another chain, signed by another key, over the deposit.
  const refused = async (vouchers, name) => assert.deepEqual(
    (await submit(api, api.tx.micropay.settle(channel, vouchers), bob)).error, { section: 'micropay', name });
  await refused([alices], 'StaleVoucher');
  await refused([voucher(session, channel, harbour, 3n * PTI / 100n)], 'StaleVoucher');
  await refused([voucher(session, channel, harbour, PTI / 2n, genesis.map((x) => x ^ 1))], 'BadVoucherSignature');
  await refused([voucher(fresh(), channel, harbour, PTI / 2n)], 'BadVoucherSignature');
  await refused([voucher(session, channel, harbour, 11n * PTI)], 'OverDeposit');
  // The payer cannot close before the expiry and the challenge period.
  assert.deepEqual((await submit(api, api.tx.micropay.close(channel), viewer)).error,
    { section: 'micropay', name: 'ChallengePeriodNotOver' });

  // The hub's cooperative close: the rest of the deposit and the storage deposit back.
  const paid = 2n * PTI / 10n + 15n * PTI / 100n;
  const viewerBefore = await free(viewer.address);
  const released = await ok(api.tx.micropay.release(channel), bob);
  assert.equal(findEvent(released.events, 'micropay', 'Closed').data.refunded.toBigInt(), deposit - paid);
  assert.equal(await free(viewer.address) - viewerBefore, deposit - paid + storage);
  assert.equal(await reserved(viewer.address), 0n);
  await refused([voucher(session, channel, harbour, PTI)], 'ChannelNotFound');
});

test('the payer closes a channel only after its expiry and challenge period, and gets the rest back', async () => {
  const viewer = fresh();
  await submitFinal(api, api.tx.balances.transferKeepAlive(viewer.address, 10n * PTI), alice);
  const channel = await open(viewer, fresh(), PTI, 3);
  const { expiresAt } = (await api.query.micropay.channels(channel)).unwrap();
  const challenge = api.consts.micropay.challengePeriod.toNumber();
  assert.deepEqual((await submit(api, api.tx.micropay.close(channel), viewer)).error,
    { section: 'micropay', name: 'ChallengePeriodNotOver' });
  await waitFor('the expiry and the challenge period over', async () =>
    (await api.rpc.chain.getHeader()).number.toNumber() + 1 >= expiresAt.toNumber() + challenge, { intervalMs: 200 });
  const { events } = await ok(api.tx.micropay.close(channel), viewer);
  const closed = findEvent(events, 'micropay', 'Closed').data;
  assert.deepEqual([closed.channel.toNumber(), closed.refunded.toBigInt(), closed.byHub.isTrue], [channel, PTI, false]);
  assert.equal(await reserved(viewer.address), 0n);
});
