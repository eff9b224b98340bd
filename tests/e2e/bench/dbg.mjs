import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { connect, devAccount, findEvent, submit } from '../lib/chain.mjs';
import { finalizedNumber, startNode, waitFor } from '../lib/node.mjs';
import { clusterFetch, startGateway, startStorage, upload } from '../lib/services.mjs';
const node = await startNode({ name: 'dbg' });
const api = await connect(node);
const clusters = [await startStorage(node, 1), await startStorage(node, 2)];
const gateway = await startGateway(node);
const uncached = await startGateway(node, { cacheBytes: 0 });
const alice = devAccount('//Alice');
const t = (url, extra = []) => execFileSync('curl', ['-s', '-o', '/dev/null', ...extra, '-w', '%{http_code} %{time_starttransfer} %{time_total}', url], { encoding: 'utf8' });
try {
  const file = Buffer.concat([Buffer.from('GIF89a'), randomBytes(64 * 2 ** 20 - 6)]);
  const up = await upload(gateway, { file, title: 'x', owner: alice, filename: 'big.gif' });
  const { events, blockHash } = await submit(api, api.tx(api.createType('Call', up.body.call)), alice);
  const number = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
  await waitFor('final', async () => (await finalizedNumber(node.http)) >= number, { intervalMs: 100 });
  const id = findEvent(events, 'media', 'MediaRegistered').data.mediaId.toNumber();
  await uncached.follows(number);
  const url = `${uncached.download}/media/${id}`;
  for (let i = 0; i < 10; i++) console.log('full', t(url), 'block', await finalizedNumber(node.http));
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = await clusterFetch(clusters[0], 'GET', up.body.content_hash);
    const t1 = performance.now();
    await r.arrayBuffer();
    console.log('cluster GET first byte', (t1 - t0).toFixed(1), 'total', (performance.now() - t0).toFixed(1), r.status);
  }
} finally {
  await gateway.stop(); await uncached.stop(); for (const c of clusters) await c.stop(); await api.disconnect(); await node.stop();
}
