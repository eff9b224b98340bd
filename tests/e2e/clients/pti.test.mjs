// PTI economics through polkadot.js on a dev node: the store (price, buy, the fund's
// share, a price raised under a pending purchase), a claim by a brand new account as an
// unsigned transaction (and its replay refused by the pool), a voucher created by the
// distributor and redeemed unsigned, and the council spending the redistribution fund
// (pallet-treasury) by motion.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Keyring } from '@polkadot/api';
import { hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { encodeAddress, mnemonicGenerate } from '@polkadot/util-crypto';
import { connect, councilMotion, devAccount, findEvent, PTI, submit, submitUnsigned } from '../lib/chain.mjs';
import { startNode } from '../lib/node.mjs';
import { claimMessage, newVoucherCode, redeemSignature, voucherKey } from '../lib/pti.mjs';
import { randomFile, registerOriginal } from '../lib/receipts.mjs';

const alice = devAccount('//Alice');
const bob = devAccount('//Bob');
const charlie = devAccount('//Charlie');
const distributor = devAccount('//Distributor');

let node;
let api;
let genesis;

before(async () => {
  node = await startNode({ name: 'pti' });
  api = await connect(node);
  genesis = hexToU8a(api.genesisHash.toHex());
});

after(async () => {
  await api?.disconnect();
  await node?.stop();
});

/** A pallet's account: `modl` + its 8-byte PalletId, zero-padded (what `into_account_truncating` gives). */
const palletAccount = (id) => encodeAddress(u8aConcat(stringToU8a('modl'), stringToU8a(id), new Uint8Array(20)), 42);
/** The redistribution fund: the treasury's pot. */
const FUND = palletAccount('py/trsry');

const free = async (who) => (await api.query.system.account(who)).data.free.toBigInt();
const fresh = () => new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(mnemonicGenerate());

test('a priced media item is bought at exactly its price: 30 % to the fund, the rest to the owner, once', async () => {
  const { mediaId } = await registerOriginal(api, alice, 'For sale: harbour at dawn', randomFile(2048));
  const id = Number(mediaId);

  assert.deepEqual((await submit(api, api.tx.pti.setPrice(id, 10n * PTI), bob)).error, { section: 'pti', name: 'NotOwner' });
  assert.equal((await submit(api, api.tx.pti.setPrice(id, 10n * PTI), alice)).error, undefined);
  const [aliceBefore, fundBefore] = [await free(alice.address), await free(FUND)];

  const { events, error } = await submit(api, api.tx.pti.buy(id, 12n * PTI), bob);
  assert.equal(error, undefined);
  const bought = findEvent(events, 'pti', 'Purchased').data;
  assert.equal(bought.price.toBigInt(), 10n * PTI);
  assert.equal(bought.toFund.toBigInt(), 3n * PTI);
  assert.equal(bought.toOwner.toBigInt(), 7n * PTI);
  assert.equal(await free(alice.address) - aliceBefore, 7n * PTI);
  assert.equal(await free(FUND) - fundBefore, 3n * PTI);
  assert.equal((await api.query.pti.purchases(id, bob.address)).unwrap().price.toBigInt(), 10n * PTI);

  assert.deepEqual((await submit(api, api.tx.pti.buy(id, 12n * PTI), bob)).error, { section: 'pti', name: 'AlreadyPurchased' });
  // Alice raises the price; Charlie's purchase, signed for at most 10, fails and pays nothing.
  assert.equal((await submit(api, api.tx.pti.setPrice(id, 20n * PTI), alice)).error, undefined);
  const charlieBefore = await free(charlie.address);
  assert.deepEqual((await submit(api, api.tx.pti.buy(id, 10n * PTI), charlie)).error, { section: 'pti', name: 'PriceAboveMax' });
  assert.ok(charlieBefore - await free(charlie.address) < PTI / 10n, 'only the fee');
});

test('a brand new account claims PTI with an unsigned transaction; a replay pays nothing', async () => {
  const newbie = fresh();
  assert.equal(await free(newbie.address), 0n);
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const [claimId, amount, expiresAt] = [7n, 25n * PTI, best + 100];
  const signature = distributor.sign(claimMessage(genesis, claimId, newbie.address, amount, expiresAt));
  const claimTx = () => api.tx.pti.claim(claimId, newbie.address, amount, expiresAt, u8aToHex(signature));
  const { events, blockHash } = await submitUnsigned(api, claimTx());
  assert.ok(findEvent(events, 'pti', 'Claimed'));
  assert.equal(await free(newbie.address), amount);
  // The same bytes again: refused, or answered with the first inclusion; never paid twice.
  const replay = await submitUnsigned(api, claimTx()).catch((e) => e);
  if (replay instanceof Error) assert.match(replay.message, /1010|1012|Invalid|banned/);
  else assert.equal(replay.blockHash.toHex(), blockHash.toHex());
  // Submitted signed by someone else: the claim id is spent.
  assert.deepEqual((await submit(api, claimTx(), bob)).error, { section: 'pti', name: 'AlreadyClaimed' });
  assert.equal(await free(newbie.address), amount);
  // Redirected to another beneficiary: the signature does not cover it (BadClaimSignature
  // is the pallet's error 8).
  await assert.rejects(
    submitUnsigned(api, api.tx.pti.claim(8n, fresh().address, amount, expiresAt,
      u8aToHex(distributor.sign(claimMessage(genesis, 8n, newbie.address, amount, expiresAt))))),
    /1010: Invalid Transaction: Custom error: 8/,
  );
});

test('the distributor creates a voucher from the fund; a new account redeems it unsigned with the code', async () => {
  const code = newVoucherCode();
  assert.match(code, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
  const key = voucherKey(code);
  const expiresAt = (await api.rpc.chain.getHeader()).number.toNumber() + 200;
  // The fund holds the purchase's 3 PTI: a 2-PTI voucher fits, keeping the fund alive.
  const created = await submit(api, api.tx.pti.createVoucher(u8aToHex(key.publicKey), 2n * PTI, expiresAt), distributor);
  assert.equal(created.error, undefined);
  assert.deepEqual((await submit(api, api.tx.pti.createVoucher(u8aToHex(fresh().publicKey), 2n * PTI, expiresAt), bob)).error,
    { section: 'pti', name: 'NotDistributor' });

  const newbie = fresh();
  const signature = redeemSignature(code, genesis, newbie.address);
  // A copy redirected to another account does not verify (BadVoucherSignature, error 20).
  await assert.rejects(
    submitUnsigned(api, api.tx.pti.redeemVoucher(u8aToHex(key.publicKey), fresh().address, u8aToHex(signature))),
    /1010: Invalid Transaction: Custom error: 20/,
  );
  const redeem = () => api.tx.pti.redeemVoucher(u8aToHex(key.publicKey), newbie.address, u8aToHex(signature));
  const { events } = await submitUnsigned(api, redeem());
  assert.ok(findEvent(events, 'pti', 'VoucherRedeemed'));
  assert.equal(await free(newbie.address), 2n * PTI);
  const voucher = (await api.query.pti.vouchers(u8aToHex(key.publicKey))).unwrap();
  assert.ok(voucher.status.isRedeemed);
  assert.deepEqual((await submit(api, redeem(), bob)).error, { section: 'pti', name: 'AlreadyRedeemed' });
  assert.equal(await free(newbie.address), 2n * PTI);
});

test('the council spends from the redistribution fund by motion; nobody else can', async () => {
  const beneficiary = fresh();
  assert.deepEqual((await submit(api, api.tx.treasury.spend(null, PTI / 2n, beneficiary.address, null), alice)).error?.name, 'BadOrigin');
  // A ⅔ motion: Alice and Bob of Alice, Bob and Charlie vote aye; Charlie closes it.
  const events = await councilMotion(api, api.tx.treasury.spend(null, PTI / 2n, beneficiary.address, null),
    { voters: [alice, bob], closer: charlie });
  assert.ok(findEvent(events, 'treasury', 'AssetSpendApproved'));
  const index = (await api.query.treasury.spendCount()).toNumber() - 1;
  const { error } = await submit(api, api.tx.treasury.payout(index), charlie);
  assert.equal(error, undefined);
  assert.equal(await free(beneficiary.address), PTI / 2n);
});
