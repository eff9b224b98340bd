// Starts paratii-eth-rpc next to a paratii-node for the EVM end-to-end tests, and the
// helpers they share: compiled contract artifacts, the Hardhat dev keys, account
// mapping between H160 and AccountId32.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ethers } from 'ethers';
import { connect } from './chain.mjs';
import { freePort, killUnlessReady, rpc, startNode, stopChild, waitFor } from './node.mjs';

/** Paratii chain's EIP-155 chain id (runtime `configs::revive::CHAIN_ID`). */
export const CHAIN_ID = 7_272_844n;

/** The standard Hardhat/Anvil dev mnemonic; `development` funds its first five accounts. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

/** The `index`-th Hardhat dev wallet (m/44'/60'/0'/0/index), connected to `provider`. */
export function devWallet(index, provider) {
  return ethers.HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).connect(provider);
}

/** The Substrate account (hex AccountId32) of an Ethereum address: H160 ++ 12 × 0xEE. */
export function ethToAccountId(address) {
  return `${address.toLowerCase()}${'ee'.repeat(12)}`;
}

/** The H160 pallet-revive maps a (non-Ethereum) Substrate account to: keccak256(id)[12..]. */
export function accountIdToEth(accountIdHex) {
  return ethers.getAddress(ethers.dataSlice(ethers.keccak256(accountIdHex), 12));
}

const contractsDir = join(dirname(fileURLToPath(import.meta.url)), '../../../contracts/chain/build');

/** A contract compiled by contracts/chain/compile.mjs: `{ abi, bytecode }`. */
export function artifact(name) {
  const path = join(contractsDir, `${name}.json`);
  if (!existsSync(path)) {
    throw new Error(`${path} missing: compile the contracts (node contracts/chain/compile.mjs; scripts/test.sh does)`);
  }
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The eth-rpc binary the test command built (override with PARATII_ETH_RPC). */
export function ethRpcBinary() {
  const bin =
    process.env.PARATII_ETH_RPC ??
    join(process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/paratii/target'), 'debug/paratii-eth-rpc');
  if (!existsSync(bin)) {
    throw new Error(`paratii-eth-rpc not found at ${bin}: run scripts/test.sh (it builds it) or set PARATII_ETH_RPC`);
  }
  return bin;
}

/**
 * Starts paratii-eth-rpc against `node` (from `startNode`) on a free port, keeping the
 * receipts of the latest 10,000 blocks in memory, or, with `basePath`, every block's in
 * its on-disk index under that directory (the server's default, archive mode).
 * Resolves once `eth_chainId` answers.
 */
export async function startEthRpc(node, { name = 'eth-rpc', basePath } = {}) {
  const index = basePath ? ['--base-path', basePath] : ['--eth-pruning', '10000'];
  const port = await freePort();
  const logPath = join(mkdtempSync(join(tmpdir(), 'paratii-e2e-')), `${name}.log`);
  const log = createWriteStream(logPath);
  const child = spawn(
    ethRpcBinary(),
    ['--node-rpc-url', node.ws, '--rpc-port', String(port), ...index, '--no-prometheus'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  await killUnlessReady(child, Promise.race([
    waitFor(`eth-rpc on ${url} (log: ${logPath})`, () => rpc(url, 'eth_chainId')),
    exited.then(({ code, signal }) => {
      throw new Error(`paratii-eth-rpc exited early (code ${code}, signal ${signal}); log: ${logPath}`);
    }),
  ]));
  // Polling every 500 ms keeps `tx.wait()` close to the 3 s block time.
  const provider = new ethers.JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 500 });
  return {
    url,
    logPath,
    provider,
    /** SIGINT, and SIGKILL if it has not exited within `timeoutMs`; resolves with the exit status. */
    async stop(timeoutMs = 30_000) {
      provider.destroy();
      return stopChild(child, exited, timeoutMs);
    },
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise, what) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error(`${what} was expected to fail`);
}

/** Deploys the compiled contract `name` with `signer` and waits (at most 120 s) for it. */
export async function deploy(name, signer, ...args) {
  const { abi, bytecode } = artifact(name);
  const contract = await new ethers.ContractFactory(abi, bytecode, signer).deploy(...args);
  // What `waitForDeployment()` does, with a deadline: ethers rejects with TIMEOUT after
  // 120 s, with CALL_EXCEPTION if the deployment reverted.
  await contract.deploymentTransaction().wait(1, 120_000);
  return contract;
}

/**
 * What a test file of Ethereum clients starts in its `before()`: a dev node (its log named
 * `name`), paratii-eth-rpc on it and a polkadot.js connection. Resolves with
 * `{ node, eth, provider, api, stop() }`; whatever started is stopped if a later step fails.
 */
export async function startEvmChain(name) {
  const node = await startNode({ name });
  let eth;
  let api;
  const stop = async () => {
    await api?.disconnect();
    await eth?.stop();
    await node.stop();
  };
  try {
    eth = await startEthRpc(node);
    api = await connect(node);
  } catch (e) {
    await stop();
    throw e;
  }
  return { node, eth, provider: eth.provider, api, stop };
}
