// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title PTI, Paratii chain's native token, as an ERC20.
/// @notice A precompile of the runtime at 0x0000000000000000000000000000000000010000.
/// Balances are the native PTI balances (`balances.transfer` and `transfer` move the
/// same PTI); allowances are kept by pallet-pti (`pti.approve` from polkadot.js is the
/// same allowance). PTI moves as native value transfers move it: `balanceOf` is what
/// `eth_getBalance` shows, the free balance above the 0.001 PTI existential deposit
/// every account keeps; a transfer that creates an account pays that deposit on top
/// (for `transferFrom`, out of the allowance), so the receiver's `balanceOf` grows by
/// exactly `value`. `totalSupply` is the total issuance. A new allowance holds a small
/// deposit from its owner until it is used up or set to 0. An allowance of
/// `type(uint128).max` or more is never decreased. Reverts carry a reason
/// ("ERC20: insufficient allowance", "ERC20: transfer amount exceeds balance", ...).
/// The runtime parses calls with this very file.
interface IPTI {
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// "Paratii".
    function name() external view returns (string memory);
    /// "PTI".
    function symbol() external view returns (string memory);
    /// 18.
    function decimals() external view returns (uint8);
    function totalSupply() external view returns (uint256);
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function allowance(address owner, address spender) external view returns (uint256);
    function approve(address spender, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}
