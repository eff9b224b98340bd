// Node smoke test: a dev node starts, produces and finalizes blocks, reports PTI as
// its token, and stops cleanly on Ctrl-C.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { finalizedNumber, rpc, startNode, waitFor } from './lib/node.mjs';

let node;
before(async () => {
  node = await startNode({ name: 'smoke' });
});
after(async () => {
  await node?.stop();
});

// A debug node spends about 20 s building the dev genesis (the runtime, with the EVM,
// is a 9.8 MB wasm blob) before its first block; 48-56 s to finality #3 were measured.
test('a --dev node finalizes block 3 within 90 s of start-up', async () => {
  const number = await waitFor('finalized block >= 3', async () => {
    const n = await finalizedNumber(node.http);
    return n >= 3 ? n : 0;
  }, { timeoutMs: 90_000 - (Date.now() - node.startedAt) });
  const seconds = (Date.now() - node.startedAt) / 1000;
  console.log(`finalized #${number} ${seconds.toFixed(1)} s after start-up`);
  // Finality follows the best block closely on a single-validator chain.
  const best = parseInt((await rpc(node.http, 'chain_getHeader')).number, 16);
  assert.ok(best - number <= 3, `best #${best} is far ahead of finalized #${number}`);
});

test('system_properties names PTI with 18 decimals', async () => {
  const props = await rpc(node.http, 'system_properties');
  assert.equal(props.tokenSymbol, 'PTI');
  assert.equal(props.tokenDecimals, 18);
  assert.equal(props.ss58Format, 42);
  assert.equal(await rpc(node.http, 'system_chain'), 'Paratii Development');
});

test('Ctrl-C stops the node cleanly', async () => {
  const { code, signal } = await node.stop();
  assert.equal(signal, null, `killed by ${signal}; log: ${node.logPath}`);
  assert.equal(code, 0, `exit code ${code}; log: ${node.logPath}`);
});
