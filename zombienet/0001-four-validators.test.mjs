// Zombienet test 1: four validators of the `local` chain (Alice, Bob, Charlie, Dave)
// all author blocks, GRANDPA keeps the finalized head within 3 blocks of the best on
// every node, BEEFY produces justifications signed by the same validators, and the MMR
// root BEEFY signs is served.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, scanAuthors, spawnNetwork, waitFor } from './lib/network.mjs';

const NAMES = ['alice', 'bob', 'charlie', 'dave'];
let network;
const apis = {};

before(async () => {
  ({ network } = await spawnNetwork('four-validators.toml'));
  for (const name of NAMES) apis[name] = await connect(network.nodesByName[name]);
}, { timeout: 600_000 });

after(async () => {
  for (const api of Object.values(apis)) await api.disconnect();
  await network?.stop();
});

test('blocks are authored by all four validators', async () => {
  const api = apis.alice;
  const validators = (await api.query.session.validators()).map(String).sort();
  assert.equal(validators.length, 4);
  assert.deepEqual((await api.query.consortium.validators()).map(String).sort(), validators);

  const authors = new Set();
  const last = await scanAuthors(api, 1, (author) => authors.add(author).size === 4,
    { what: 'a block from each validator' });
  assert.deepEqual([...authors].sort(), validators);
  console.log(`  all four authored within the first ${last} blocks`);
});

test('every node finalizes, within 3 blocks of its best', async () => {
  await waitFor('finalized #5 on every node', async () => {
    for (const name of NAMES) {
      const finalized = await apis[name].rpc.chain.getHeader(await apis[name].rpc.chain.getFinalizedHead());
      if (finalized.number.toNumber() < 5) return false;
    }
    return true;
  }, { timeoutMs: 180_000 });
  for (const name of NAMES) {
    const api = apis[name];
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    const finalized = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    assert.ok(best - finalized <= 3, `${name}: best #${best}, finalized #${finalized}`);
  }
});

test('BEEFY justifications are produced and the MMR root is served', async () => {
  const api = apis.alice;
  assert.equal((await api.query.beefy.authorities()).length, 4, 'four BEEFY authorities');
  // A fresh justification, as a bridge relayer receives it.
  const justification = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no BEEFY justification within 180 s')), 180_000);
    api.rpc.beefy.subscribeJustifications((j) => {
      clearTimeout(timer);
      resolve(j);
    }).catch(reject);
  });
  assert.ok(justification.toU8a().length > 0);
  const head = await api.rpc.beefy.getFinalizedHead();
  const number = (await api.rpc.chain.getHeader(head)).number.toNumber();
  assert.ok(number >= 1, `BEEFY-finalized #${number}`);
  const root = await api.rpc.mmr.root(head);
  assert.match(root.toHex(), /^0x[0-9a-f]{64}$/);
  console.log(`  BEEFY-finalized #${number}, MMR root ${root.toHex()}`);
});
