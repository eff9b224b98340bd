// Solidity sees PTI and the media proofs: the runtime's precompiles through ethers and
// paratii-eth-rpc on a real dev node, checked against polkadot.js. PTI is an ERC20 at
// 0x…010000 (IPTI.sol), the media proofs are at 0x…020000 (IMediaProofs.sol).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ethers } from 'ethers';
import { devAccount, PTI, submit } from '../lib/chain.mjs';
import { accountIdToEth, artifact, deploy, devWallet, ethToAccountId, rejection, startEvmChain } from '../lib/eth.mjs';
import { randomFile, registerOriginal } from '../lib/receipts.mjs';

const PTI_ERC20 = '0x0000000000000000000000000000000000010000';
const MEDIA_PROOFS = '0x0000000000000000000000000000000000020000';
/** The existential deposit: every account keeps it; eth_getBalance and balanceOf show what is above. */
const ED = PTI / 1000n;
const WEIGHT = { refTime: 50_000_000_000n, proofSize: 2_000_000n };

const alice = devAccount('//Alice');
const bob = devAccount('//Bob');
const aliceH160 = accountIdToEth(ethers.hexlify(alice.publicKey));
const bobH160 = accountIdToEth(ethers.hexlify(bob.publicKey));

let chain;
let provider;
let api;

before(async () => {
  chain = await startEvmChain('precompiles');
  ({ provider, api } = chain);
});

after(() => chain?.stop());

const free = async (accountId) => (await api.query.system.account(accountId)).data.free.toBigInt();
const ptiToken = (runner) => new ethers.Contract(PTI_ERC20, artifact('IPTI').abi, runner);


/** `revive.call` signed by a Substrate account (msg.sender is its mapped H160). */
async function reviveCall(contract, data, signer) {
  const result = await submit(api, api.tx.revive.call(await contract.getAddress(), 0, WEIGHT, 10n * PTI, data), signer);
  assert.equal(result.dispatchError, undefined, `revive.call failed: ${JSON.stringify(result.error)}`);
  return result;
}

test('PTI is an ERC20 at 0x…010000: metadata, balanceOf = eth_getBalance, transfer with its Transfer log, the same PTI polkadot.js sees', async () => {
  const sender = devWallet(1, provider);
  const pti = ptiToken(sender);
  assert.equal(await pti.name(), 'Paratii');
  assert.equal(await pti.symbol(), 'PTI');
  assert.equal(await pti.decimals(), 18n);
  // totalSupply is the total issuance. Inside an eth_call, pallet-revive's dry run lends
  // the caller gas funds (u64::MAX gas × the gas price), minted for the call, so an eth_call
  // sees them too; transactions see the issuance alone (the runtime tests check that).
  const issuance = (await api.query.balances.totalIssuance()).toBigInt();
  const gasPrice = (await provider.getFeeData()).gasPrice;
  assert.equal(await pti.totalSupply(), issuance + (2n ** 64n - 1n) * gasPrice);
  assert.equal(await pti.balanceOf(sender.address), await provider.getBalance(sender.address));

  // A transfer to a new account: the receiver's balanceOf grows by exactly the value, the
  // sender pays the account's existential deposit on top (as a native value transfer does).
  const receiver = ethers.Wallet.createRandom().address;
  const value = ethers.parseEther('2');
  const senderFree = await free(ethToAccountId(sender.address));
  const tx = await pti.transfer(receiver, value);
  const receipt = await tx.wait();
  assert.equal(receipt.status, 1);
  assert.equal(await pti.balanceOf(receiver), value);
  assert.equal(await provider.getBalance(receiver), value);
  assert.equal(await free(ethToAccountId(receiver)), value + ED);
  const fee = receipt.gasUsed * receipt.gasPrice;
  assert.equal(senderFree - (await free(ethToAccountId(sender.address))), value + ED + fee);
  const logs = await pti.queryFilter(pti.filters.Transfer(sender.address, receiver), receipt.blockNumber, receipt.blockNumber);
  assert.equal(logs.length, 1);
  assert.equal(logs[0].args.value, value);
  assert.equal(logs[0].address, PTI_ERC20);

  // A second transfer to the now existing account moves exactly the value.
  const again = await (await pti.transfer(receiver, value)).wait();
  assert.equal(await pti.balanceOf(receiver), 2n * value);

  // More than the balance: reverted with a reason, nothing moved.
  const tooMuch = await rejection(ptiToken(sender).transfer.staticCall(receiver, 10n ** 30n), 'a transfer over the balance');
  assert.match(tooMuch.reason ?? tooMuch.shortMessage, /ERC20: transfer amount exceeds balance/);
  assert.equal(await pti.balanceOf(receiver), 2n * value);

  // The same transfer three ways, for the README: gas of the ERC20 precompile, of a native
  // EIP-1559 value transfer, and the fee of balances.transferKeepAlive.
  const native = await (await sender.sendTransaction({ to: receiver, value })).wait();
  const info = await api.tx.balances.transferKeepAlive(ethToAccountId(receiver), value).paymentInfo(alice);
  console.log(`# ERC20 transfer through the PTI precompile: ${again.gasUsed} gas (${ethers.formatEther(again.gasUsed * again.gasPrice)} PTI); ` +
    `native EIP-1559 transfer: ${native.gasUsed} gas (${ethers.formatEther(native.gasUsed * native.gasPrice)} PTI); ` +
    `balances.transferKeepAlive: ${ethers.formatEther(info.partialFee.toBigInt())} PTI`);
});

test('an unmodified OpenZeppelin ERC20Wrapper takes PTI with approve + transferFrom and pays it back', async () => {
  const holder = devWallet(2, provider);
  const pti = ptiToken(holder);
  const wrapper = await deploy('WrappedPTI', holder, PTI_ERC20);
  const wrapperAddress = await wrapper.getAddress();
  assert.equal(await wrapper.decimals(), 18n, 'read from the underlying token');
  assert.equal(await wrapper.underlying(), PTI_ERC20);

  const approved = await (await pti.approve(wrapperAddress, ethers.parseEther('5'))).wait();
  const approvals = await pti.queryFilter(pti.filters.Approval(holder.address, wrapperAddress), approved.blockNumber, approved.blockNumber);
  assert.equal(approvals.length, 1);
  assert.equal(await pti.allowance(holder.address, wrapperAddress), ethers.parseEther('5'));
  const stored = await api.query.pti.allowances(ethToAccountId(holder.address), ethToAccountId(wrapperAddress));
  assert.equal(stored.unwrap().toBigInt(), ethers.parseEther('5'), 'pallet-pti keeps the allowance');

  const before = await pti.balanceOf(holder.address);
  const wrapperBefore = await pti.balanceOf(wrapperAddress);
  await (await wrapper.depositFor(holder.address, ethers.parseEther('3'))).wait();
  assert.equal(await wrapper.balanceOf(holder.address), ethers.parseEther('3'));
  assert.equal(await pti.balanceOf(wrapperAddress) - wrapperBefore, ethers.parseEther('3'));
  assert.equal(await pti.allowance(holder.address, wrapperAddress), ethers.parseEther('2'));
  assert.ok(before - (await pti.balanceOf(holder.address)) >= ethers.parseEther('3'));

  const over = await rejection(wrapper.depositFor.staticCall(holder.address, ethers.parseEther('4')), 'a deposit over the allowance');
  assert.match(over.reason ?? over.shortMessage, /ERC20: insufficient allowance/);

  await (await wrapper.withdrawTo(holder.address, ethers.parseEther('3'))).wait();
  assert.equal(await wrapper.balanceOf(holder.address), 0n);
  assert.equal(await wrapper.totalSupply(), 0n);
  assert.equal(await pti.balanceOf(wrapperAddress), wrapperBefore);
});

test('the media proofs read from Solidity match mediaApi.proofOfExistence; MediaBadge mints only to the media\'s owner', async () => {
  const file = randomFile(1024);
  const { mediaId } = await registerOriginal(api, alice, 'Seen from Solidity', file);

  const proofs = new ethers.Contract(MEDIA_PROOFS, artifact('IMediaProofs').abi, provider);
  const fromSolidity = await proofs.proofOfExistence(file.hash);
  const fromApi = (await api.call.mediaApi.proofOfExistence(file.hash)).unwrap();
  assert.equal(fromSolidity.exists, true);
  assert.equal(fromSolidity.mediaId, fromApi.mediaId.toBigInt());
  assert.equal(fromSolidity.mediaId, mediaId);
  assert.equal(fromSolidity.owner, ethers.hexlify(alice.publicKey));
  assert.equal(fromApi.owner.toString(), alice.address);
  assert.equal(fromSolidity.ownerAddress, aliceH160);
  assert.equal(fromSolidity.blockNumber, fromApi.blockNumber.toBigInt());
  assert.equal(fromSolidity.timestamp, fromApi.timestamp.toBigInt() / 1000n);
  assert.equal(fromSolidity.status, 1n);
  assert.equal(fromApi.status.toString(), 'Active');
  const unknown = await proofs.proofOfExistence(randomFile().hash);
  assert.equal(unknown.exists, false);
  assert.equal(unknown.ownerAddress, ethers.ZeroAddress);

  // The example contract: a badge for media its caller registered, and nobody else.
  const badge = await deploy('MediaBadge', devWallet(0, provider));
  const stranger = await rejection(badge.mint.staticCall(file.hash), 'a mint by someone who did not register the media');
  assert.equal(stranger.revert?.name, 'NotYourMedia');
  const missing = await rejection(badge.mint.staticCall(randomFile().hash), 'a mint for unregistered content');
  assert.equal(missing.revert?.name, 'NoSuchMedia');
  await reviveCall(badge, badge.interface.encodeFunctionData('mint', [file.hash]), alice);
  assert.equal(await badge.ownerOf(mediaId), aliceH160);
  assert.equal(await badge.balanceOf(aliceH160), 1n);

  // hasPurchased follows pti.buy.
  assert.equal(await proofs.hasPurchased(mediaId, bobH160), false);
  assert.equal((await submit(api, api.tx.pti.setPrice(mediaId, PTI), alice)).error, undefined);
  assert.equal((await submit(api, api.tx.pti.buy(mediaId, PTI), bob)).error, undefined);
  assert.equal(await proofs.hasPurchased(mediaId, bobH160), true);
  assert.equal(await proofs.hasPurchased(mediaId, aliceH160), false);

  // Deleted by its owner: the proof stays, with status 2, and no badge can be minted.
  assert.equal((await submit(api, api.tx.media.deleteMedia(mediaId), alice)).error, undefined);
  assert.equal((await proofs.proofOfExistence(file.hash)).status, 2n);
});
