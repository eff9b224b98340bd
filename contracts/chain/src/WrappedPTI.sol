// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Wrapper} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Wrapper.sol";

/// @title Wrapped PTI: OpenZeppelin's unmodified ERC20Wrapper over the PTI precompile.
/// @notice Shows that a contract written against `IERC20` works with PTI: `depositFor`
/// pulls PTI with `transferFrom` (after the holder's `approve`), `withdrawTo` pays it
/// back with `transfer`.
contract WrappedPTI is ERC20Wrapper {
    constructor(IERC20 pti) ERC20("Wrapped PTI", "WPTI") ERC20Wrapper(pti) {}
}
