// Zombienet test 2: one of four validators (Dave) is killed (SIGKILL). The other three
// keep producing and finalizing blocks (GRANDPA needs more than 2/3: three of four).
// Dave is restarted on his own database: he catches up to the finalized head, authors
// again, and every block the others finalized meanwhile is in his chain unchanged.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Keyring } from '@polkadot/api';
import { connect, rpc, scanAuthors, spawnNetwork, waitFor } from './lib/network.mjs';

const DOWN_SECONDS = 60;
let network;
let alice;
let dave;

before(async () => {
  ({ network } = await spawnNetwork('four-validators.toml'));
  alice = await connect(network.nodesByName.alice);
  dave = await connect(network.nodesByName.dave);
}, { timeout: 600_000 });

after(async () => {
  await alice?.disconnect();
  await dave?.disconnect();
  await network?.stop();
});

const finalizedNumber = async (api) =>
  (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();

test('three of four validators keep finalizing while the fourth is down; it catches up and authors again', async () => {
  // Dave's validator account: his //Dave sr25519 dev key (the local preset's).
  const daveAccount = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Dave').address;
  assert.ok((await alice.query.session.validators()).map(String).includes(daveAccount), 'Dave validates');
  await waitFor('finalized #3 before the kill', async () => (await finalizedNumber(alice)) >= 3);

  // Kill Dave (SIGKILL); zombienet restarts him on the same database after DOWN_SECONDS.
  const daveHttp = network.nodesByName.dave.wsUri.replace(/^ws/, 'http');
  const daveIsDown = async () => {
    try {
      await rpc(daveHttp, 'system_health');
      return false;
    } catch {
      return true; // connection refused: the process is gone
    }
  };
  const restarted = network.nodesByName.dave.restart(DOWN_SECONDS);
  await waitFor('Dave\'s RPC to refuse connections (he is down)', daveIsDown, { timeoutMs: 30_000 });
  const downAt = Date.now();
  const before = await finalizedNumber(alice);
  const during = await waitFor('three more blocks finalized without Dave', async () => {
    const now = await finalizedNumber(alice);
    return now >= before + 3 ? now : false;
  }, { timeoutMs: (DOWN_SECONDS - 5) * 1000 });
  assert.equal(await daveIsDown(), true, 'Dave was down the whole time');
  console.log(`  with Dave down: finalized #${before} -> #${during} in ${((Date.now() - downAt) / 1000).toFixed(1)} s`);
  const checkpoint = (await alice.rpc.chain.getBlockHash(during)).toHex();

  assert.equal(await restarted, true, 'zombienet restarted Dave');
  const restartedAt = Date.now();
  await waitFor('Dave catching up to the finalized head', async () =>
    (await finalizedNumber(dave)) >= during, { timeoutMs: 180_000 });
  console.log(`  Dave finalized #${during} ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after his restart`);
  assert.equal((await dave.rpc.chain.getBlockHash(during)).toHex(), checkpoint,
    'Dave has the block the others finalized while he was down');

  // Dave authors again: a block after his restart whose author is his account.
  const authored = await scanAuthors(alice, during + 1, (author) => author === daveAccount,
    { what: 'a block authored by Dave after his restart' });
  console.log(`  Dave authored #${authored} after his restart`);
});
