// The eth-rpc's on-disk receipt and log index belongs to one chain. Two dev chains run
// one after the other have the same genesis hash; the server, restarted on the same
// base path for the second, must serve only the second chain's logs (it used to serve
// the first one's too — three and four Transfer logs for one transfer — or panic with
// SyncBoundaryMismatch) and must not refuse to start.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ethers } from 'ethers';
import { artifact, devWallet, startEthRpc } from '../lib/eth.mjs';
import { rpc, startNode } from '../lib/node.mjs';

const basePath = mkdtempSync(join(tmpdir(), 'paratii-eth-index-'));

/** A dev chain with an archive-mode eth-rpc on `basePath`: deploys an ERC20, makes
 * one transfer and returns what eth_getLogs says about the token's Transfer events. */
async function oneChain(name) {
  const node = await startNode({ name });
  const eth = await startEthRpc(node, { name: `${name}-eth-rpc`, basePath });
  try {
    const owner = devWallet(0, eth.provider);
    const { abi, bytecode } = artifact('ExampleToken');
    const token = await new ethers.ContractFactory(abi, bytecode, owner).deploy(1000n);
    await token.waitForDeployment();
    const receipt = await (await token.transfer(ethers.Wallet.createRandom().address, 1n)).wait();
    const topic = token.interface.getEvent('Transfer').topicHash;
    const logs = await eth.provider.getLogs({ topics: [topic], fromBlock: 0, toBlock: 'latest' });
    const genesis = await rpc(node.http, 'chain_getBlockHash', [0]);
    const blockHashes = await Promise.all(
      logs.map(async (log) => (await eth.provider.getBlock(log.blockNumber)).hash),
    );
    return { receipt, logs, genesis, blockHashes };
  } finally {
    await eth.stop();
    await node.stop();
  }
}

test('two dev chains in a row on one eth-rpc base path: each sees only its own logs', async () => {
  const first = await oneChain('first');
  // The mint at deployment and the transfer.
  assert.equal(first.logs.length, 2, `first chain: ${first.logs.length} Transfer logs`);

  const second = await oneChain('second');
  assert.equal(second.genesis, first.genesis, 'both dev chains have the same genesis');
  assert.equal(second.logs.length, 2, `second chain: ${second.logs.length} Transfer logs (the first chain's leaked in?)`);
  assert.deepEqual(second.logs.map((log) => log.blockHash), second.blockHashes,
    'every log is in a block of the second chain');
  // One index directory per genesis hash.
  assert.deepEqual(readdirSync(join(basePath, 'chains')), [first.genesis]);
});
