// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ExampleToken
/// @notice A standard OpenZeppelin ERC20, unchanged: it shows that ERC20 tooling works
/// on Paratii chain's EVM. The whole supply goes to the deployer.
contract ExampleToken is ERC20 {
    constructor(uint256 initialSupply) ERC20("Paratii Example Token", "PXT") {
        _mint(msg.sender, initialSupply);
    }
}
