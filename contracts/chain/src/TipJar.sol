// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title TipJar
/// @notice Viewers tip creators in native PTI. The tip is forwarded to the creator in
/// the same transaction (the jar holds nothing), and the running total per creator is
/// kept on chain.
contract TipJar {
    mapping(address => uint256) public totalTipped;

    event Tipped(address indexed from, address indexed creator, uint256 amount, string message);

    function tip(address payable creator, string calldata message) external payable {
        require(msg.value > 0, "TipJar: send some PTI with the tip");
        require(creator != address(0) && creator != msg.sender, "TipJar: tip another account");
        totalTipped[creator] += msg.value;
        emit Tipped(msg.sender, creator, msg.value, message);
        (bool ok, ) = creator.call{value: msg.value}("");
        require(ok, "TipJar: the creator did not accept PTI");
    }
}
