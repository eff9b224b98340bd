// Ethereum clients against a real dev node + paratii-eth-rpc: ethers v6 signs
// EIP-1559 transactions with the Hardhat dev keys, deploys contracts compiled by
// solc-js, and polkadot.js checks the same balances on the Substrate side.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ethers } from 'ethers';
import { devAccount, PTI, submit } from '../lib/chain.mjs';
import { accountIdToEth, artifact, CHAIN_ID, deploy, devWallet, ethToAccountId, rejection, startEvmChain } from '../lib/eth.mjs';
import { waitFor } from '../lib/node.mjs';

/**
 * The existential deposit (runtime EXISTENTIAL_DEPOSIT). eth_getBalance shows what is above
 * it; a transfer to a new account moves value + ED, the ED paid by the transaction's origin
 * (pallet-revive keeps the ED invisible to Ethereum clients).
 */
const ED = PTI / 1000n;

let chain;
let provider;
let api;

before(async () => {
  chain = await startEvmChain('evm');
  ({ provider, api } = chain);
});

after(() => chain?.stop());

/** Free PTI of a Substrate account, read with polkadot.js. */
const free = async (accountId) => (await api.query.system.account(accountId)).data.free.toBigInt();
const balance = (address) => provider.getBalance(address);


test('eth_chainId, eth_blockNumber and eth_getBalance answer like an Ethereum node', async () => {
  assert.equal(BigInt(await provider.send('eth_chainId', [])), CHAIN_ID);
  assert.equal((await provider.getNetwork()).chainId, CHAIN_ID);

  // eth_blockNumber is the chain's head: it agrees with the node's, and follows it as
  // blocks are authored.
  const first = await provider.getBlockNumber();
  assert.ok(Number.isSafeInteger(first), `eth_blockNumber ${first}`);
  const header = await api.rpc.chain.getHeader();
  assert.ok(Math.abs(header.number.toNumber() - first) <= 1, 'eth and substrate block numbers agree');
  const later = await waitFor(`eth_blockNumber past ${first}`, async () => {
    const n = await provider.getBlockNumber();
    return n > first ? n : 0;
  }, { timeoutMs: 30_000, intervalMs: 250 });
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  assert.ok(later > first && Math.abs(best - later) <= 1, `eth_blockNumber #${later} follows the node's best #${best}`);

  // Hardhat account #4 is never used below: its genesis endowment is intact.
  const untouched = devWallet(4, provider);
  const onChain = await free(ethToAccountId(untouched.address));
  assert.equal(onChain, 1_000_000n * PTI);
  assert.equal(await balance(untouched.address), onChain - ED, 'eth_getBalance is the spendable PTI');
  assert.equal(ethers.formatEther(await balance(untouched.address)), '999999.999');
});

test('a raw EIP-1559 PTI transfer between Ethereum keys moves value + fee, seen the same by polkadot.js', async () => {
  const sender = devWallet(1, provider);
  const receiver = ethers.Wallet.createRandom().connect(provider);
  const value = ethers.parseEther('1.5');
  const senderBefore = await balance(sender.address);
  const senderFreeBefore = await free(ethToAccountId(sender.address));

  const fee = await provider.getFeeData();
  assert.ok(fee.maxFeePerGas > 0n && fee.gasPrice > 0n, 'eth-rpc quotes EIP-1559 fees');
  const tx = await sender.signTransaction({
    type: 2,
    chainId: CHAIN_ID,
    nonce: await provider.getTransactionCount(sender.address),
    to: receiver.address,
    value,
    gasLimit: await provider.estimateGas({ from: sender.address, to: receiver.address, value }),
    maxFeePerGas: fee.maxFeePerGas,
    maxPriorityFeePerGas: fee.maxPriorityFeePerGas,
  });
  const hash = await provider.send('eth_sendRawTransaction', [tx]);
  const receipt = await provider.waitForTransaction(hash, 1, 60_000);
  assert.equal(receipt.status, 1);
  assert.equal(receipt.type, 2);
  const paid = receipt.gasUsed * receipt.gasPrice;
  assert.ok(paid > 0n, 'the sender pays a fee in PTI');

  assert.equal(await balance(sender.address), senderBefore - value - paid, 'sender: value + fee');
  assert.equal(await free(ethToAccountId(sender.address)), senderFreeBefore - value - paid);
  assert.equal(await balance(receiver.address), value, 'the receiver got exactly the value');
  assert.equal(await free(ethToAccountId(receiver.address)), value + ED, 'polkadot.js: value + the ED that created it');
  console.log(`  EIP-1559 transfer: ${receipt.gasUsed} gas at ${ethers.formatUnits(receipt.gasPrice, 'gwei')} gwei = ${ethers.formatEther(paid)} PTI`);
});

test('a contract deploys, changes state, answers eth_call and its event is found with eth_getLogs', async () => {
  const owner = devWallet(0, provider);
  const registry = await deploy('ParatiiRegistry', owner);
  const address = await registry.getAddress();
  assert.notEqual(await provider.getCode(address), '0x');
  assert.equal(await registry.owner(), owner.address);

  const target = ethers.Wallet.createRandom().address;
  const receipt = await (await registry.registerContract('MediaIndex', target)).wait();
  assert.equal(receipt.status, 1);
  assert.equal(await registry.getContract('MediaIndex'), target, 'eth_call reads the new state');

  const logs = await provider.getLogs({
    address,
    topics: [registry.interface.getEvent('ContractRegistered').topicHash],
    fromBlock: receipt.blockNumber,
    toBlock: receipt.blockNumber,
  });
  assert.equal(logs.length, 1);
  assert.equal(logs[0].transactionHash, receipt.hash);
  const event = registry.interface.parseLog(logs[0]);
  assert.equal(event.args.name, 'MediaIndex');
  assert.equal(event.args.addr, target);
});

test('a reverted call returns its revert reason and custom error; nothing changes', async () => {
  const owner = devWallet(0, provider);
  const stranger = devWallet(2, provider);
  const registry = await deploy('ParatiiRegistry', owner);

  const missing = await rejection(registry.getContract('NoSuchContract'), 'getContract of a missing name');
  assert.equal(missing.code, 'CALL_EXCEPTION');
  assert.equal(missing.reason, 'ParatiiRegistry: no contract registered under that name');

  const asStranger = registry.connect(stranger);
  const denied = await rejection(asStranger.registerContract.staticCall('X', stranger.address), 'registerContract by a stranger');
  assert.equal(denied.revert?.name, 'NotOwner');
  assert.equal(denied.revert.args[0], stranger.address);

  const before = await balance(stranger.address);
  await rejection(asStranger.registerContract('X', stranger.address), 'sending registerContract by a stranger');
  assert.equal(await balance(stranger.address), before, 'a transaction rejected at estimation costs nothing');

  // With its own gas limit ethers does not estimate, so the transaction is sent, mined,
  // and reverts on chain: receipt status 0, the gas paid, nothing registered.
  const gasLimit = 2_000_000n;
  const sent = await asStranger.registerContract('X', stranger.address, { gasLimit });
  const failed = await rejection(sent.wait(1, 60_000), 'the mined registerContract by a stranger');
  assert.equal(failed.code, 'CALL_EXCEPTION', failed.message);
  assert.equal(failed.receipt?.status, 0, 'mined, with status 0');
  const receipt = await provider.getTransactionReceipt(sent.hash);
  assert.equal(receipt.status, 0);
  assert.ok(receipt.blockNumber > 0 && receipt.gasUsed > 0n, 'included in a block, gas used');
  const after = await balance(stranger.address);
  assert.ok(after < before, 'a mined revert pays for its gas');
  assert.ok(before - after <= gasLimit * sent.maxFeePerGas, 'at most gas limit × max fee');
  await rejection(registry.getContract('X'), 'the stranger\'s entry');
});

test('bad nonce, wrong chain id, a fee below the base fee and too little balance are rejected as geth does, and change nothing', async () => {
  const sender = devWallet(3, provider);
  const to = ethers.Wallet.createRandom().address;
  const nonce = await provider.getTransactionCount(sender.address);
  const fee = await provider.getFeeData();
  const base = {
    type: 2, chainId: CHAIN_ID, to, value: ethers.parseEther('1'), gasLimit: 1_000_000n,
    maxFeePerGas: fee.maxFeePerGas, maxPriorityFeePerGas: fee.maxPriorityFeePerGas,
  };
  const before = await balance(sender.address);
  const send = async (wallet, tx) => provider.send('eth_sendRawTransaction', [await wallet.signTransaction(tx)]);

  // Each is sent as ethers sends a signed transaction (broadcastTransaction): the answer
  // is geth's, JSON-RPC code -32000 and geth's message, so ethers maps it to the error
  // code wallets handle (NONCE_EXPIRED, INSUFFICIENT_FUNDS) and shows the reason.
  async function rejected(wallet, tx, what, message) {
    const e = await rejection(provider.broadcastTransaction(await wallet.signTransaction(tx)), what);
    const rpcError = e.error ?? e.info?.error;
    assert.equal(rpcError?.code, -32000, `${what}: ${e.message}`);
    assert.match(rpcError.message, message, what);
    return e;
  }

  // A spent nonce: one transaction first, then a different one with its nonce.
  const first = await provider.waitForTransaction(await send(sender, { ...base, nonce }), 1, 60_000);
  assert.equal(first.status, 1);
  const afterFirst = await balance(sender.address);
  const stale = await rejected(sender, { ...base, nonce, value: ethers.parseEther('2') }, 'a transaction with a used nonce',
    new RegExp(`^nonce too low: address ${sender.address}, tx: ${nonce} state: ${nonce + 1}$`, 'i'));
  assert.equal(stale.code, 'NONCE_EXPIRED');
  const wrongChain = await rejected(sender, { ...base, nonce: nonce + 1, chainId: 1n }, 'a transaction for chain 1',
    new RegExp(`^invalid chain id: have 1 want ${CHAIN_ID}$`));
  assert.equal(wrongChain.code, 'UNKNOWN_ERROR');
  await rejected(sender, { ...base, nonce: nonce + 1, maxFeePerGas: fee.gasPrice - 1n, maxPriorityFeePerGas: 0n },
    'a max fee below the base fee', /^max fee per gas less than block base fee: address 0x[0-9a-f]{40}, maxFeePerGas: \d+, baseFee: \d+$/i);
  const pauper = ethers.Wallet.createRandom().connect(provider);
  const poor = await rejected(pauper, { ...base, nonce: 0 }, 'a transaction from an empty account',
    /^insufficient funds for gas \* price \+ value: balance 0, tx cost \d+, overshot \d+$/);
  assert.equal(poor.code, 'INSUFFICIENT_FUNDS');

  assert.equal(await balance(sender.address), afterFirst, 'rejected transactions change no balance');
  assert.ok(afterFirst < before);
  assert.equal(await provider.getTransactionCount(sender.address), nonce + 1, 'and no nonce');
  assert.equal(await balance(pauper.address), 0n);
  assert.equal(await balance(to), ethers.parseEther('1'), 'only the first transaction arrived');
});

test('an OpenZeppelin ERC20 behaves as on Ethereum: transfer, balanceOf, Transfer logs', async () => {
  const owner = devWallet(0, provider);
  const holder = ethers.Wallet.createRandom().address;
  const supply = ethers.parseEther('1000000');
  const token = await deploy('ExampleToken', owner, supply);
  assert.equal(await token.symbol(), 'PXT');
  assert.equal(await token.totalSupply(), supply);
  assert.equal(await token.balanceOf(owner.address), supply);

  const amount = ethers.parseEther('250');
  const receipt = await (await token.transfer(holder, amount)).wait();
  assert.equal(receipt.status, 1);
  assert.equal(await token.balanceOf(holder), amount);
  assert.equal(await token.balanceOf(owner.address), supply - amount);

  const transfers = await token.queryFilter(token.filters.Transfer(owner.address, holder), receipt.blockNumber);
  assert.equal(transfers.length, 1);
  assert.equal(transfers[0].args.value, amount);

  const tooMuch = await rejection(token.connect(devWallet(2, provider)).transfer.staticCall(holder, 1n), 'a transfer without tokens');
  assert.equal(tooMuch.revert?.name, 'ERC20InsufficientBalance');
});

test('//Alice uses the EVM through her auto-mapped H160: a PTI tip via the TipJar contract', async () => {
  const jar = await deploy('TipJar', devWallet(0, provider));
  const creator = ethers.Wallet.createRandom().address;
  const alice = devAccount('//Alice');
  const aliceH160 = accountIdToEth(ethers.hexlify(alice.publicKey));
  const aliceFree = await free(alice.address);
  assert.equal(await balance(aliceH160), aliceFree - ED, 'Alice\'s H160 holds her PTI');

  // A Substrate-signed Revive::call: no Ethereum key involved.
  const value = ethers.parseEther('2');
  const data = jar.interface.encodeFunctionData('tip', [creator, 'great video']);
  const { events, dispatchError, error } = await submit(
    api,
    api.tx.revive.call(await jar.getAddress(), value, { refTime: 20_000_000_000n, proofSize: 1_000_000n }, 10n * PTI, data),
    alice,
  );
  assert.equal(dispatchError, undefined, `Revive.call failed: ${JSON.stringify(error)}`);
  assert.equal(await jar.totalTipped(creator), value);
  assert.equal(await balance(creator), value, 'the tip reached the creator');
  assert.equal(await free(ethToAccountId(creator)), value + ED, 'Alice paid the ED of the new account');
  // The contract's event, as polkadot.js sees it: eth-rpc 0.24 builds receipts and logs
  // for Ethereum transactions (`eth_transact`) only, so logs of a Substrate-signed
  // `Revive.call` are read from the `Revive.ContractEmitted` event (see README).
  const jarAddress = (await jar.getAddress()).toLowerCase();
  const tips = events
    .filter(({ event }) => event.section === 'revive' && event.method === 'ContractEmitted')
    .map(({ event }) => event.data)
    .filter((e) => e.contract.toHex().toLowerCase() === jarAddress)
    .map((e) => jar.interface.parseLog({ topics: e.topics.map((t) => t.toHex()), data: e.data.toHex() }))
    .filter((log) => log?.name === 'Tipped' && log.args.from === ethers.getAddress(aliceH160) && log.args.creator === creator);
  assert.equal(tips.length, 1);
  assert.equal(tips[0].args.message, 'great video');
});
