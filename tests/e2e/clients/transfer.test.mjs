// polkadot.js against a real dev node: a PTI transfer from //Alice to //Bob is
// included, moves exactly the amount, and charges Alice a fee in PTI.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, devAccount, PTI, submit as submitTx } from '../lib/chain.mjs';
import { startNode } from '../lib/node.mjs';

let node;
let api;
let alice;
let bob;

before(async () => {
  node = await startNode({ name: 'transfer' });
  api = await connect(node);
  alice = devAccount('//Alice');
  bob = devAccount('//Bob');
});

after(async () => {
  await api?.disconnect();
  await node?.stop();
});

const free = async (who) => (await api.query.system.account(who.address)).data.free.toBigInt();

const submit = (tx, signer) => submitTx(api, tx, signer);

test('the chain reports PTI with 18 decimals to polkadot.js', () => {
  assert.deepEqual(api.registry.chainTokens, ['PTI']);
  assert.deepEqual(api.registry.chainDecimals, [18]);
});

test('a PTI transfer from //Alice to //Bob is included and charges a fee', async () => {
  const amount = 3n * PTI / 2n; // 1.5 PTI
  const [aliceBefore, bobBefore] = [await free(alice), await free(bob)];

  const { blockHash, events, dispatchError } = await submit(
    api.tx.balances.transferKeepAlive(bob.address, amount), alice);
  assert.equal(dispatchError, undefined);
  assert.ok(events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event)));
  const paid = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
  assert.ok(paid, 'a TransactionFeePaid event');
  const fee = paid.event.data.actualFee.toBigInt();
  assert.ok(fee > 0n, 'the fee is paid in PTI');

  // Balances as of the including block: exact accounting, no other transfers.
  const at = await api.at(blockHash);
  const aliceAfter = (await at.query.system.account(alice.address)).data.free.toBigInt();
  const bobAfter = (await at.query.system.account(bob.address)).data.free.toBigInt();
  assert.equal(bobAfter - bobBefore, amount);
  assert.equal(aliceBefore - aliceAfter, amount + fee);
  console.log(`transfer of 1.5 PTI cost a fee of ${Number(fee) / 1e18} PTI`);
});

test('a transfer of more than the balance fails with FundsUnavailable and moves nothing', async () => {
  const charlie = devAccount('//Charlie');
  const [charlieBefore, bobBefore] = [await free(charlie), await free(bob)];
  const { blockHash, error, events } = await submit(
    api.tx.balances.transferKeepAlive(bob.address, charlieBefore * 2n), charlie);
  assert.deepEqual(error, { section: 'token', name: 'FundsUnavailable' });
  // The failed call still pays its fee, and nothing else moves.
  const fee = events
    .find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event))
    .event.data.actualFee.toBigInt();
  const at = await api.at(blockHash);
  assert.equal((await at.query.system.account(charlie.address)).data.free.toBigInt(), charlieBefore - fee);
  assert.equal((await at.query.system.account(bob.address)).data.free.toBigInt(), bobBefore);
});
