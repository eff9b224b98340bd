// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title ParatiiRegistry
/// @notice The administrative registry of the Paratii design: it tracks the address of
/// each named Paratii contract as it is upgraded, and a few named numeric settings.
/// Only the owner (the consortium's deployer) changes entries; anyone reads them.
contract ParatiiRegistry {
    address public owner;
    mapping(bytes32 => address) private contracts;
    mapping(bytes32 => uint256) private numbers;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event ContractRegistered(string name, address indexed addr);
    event ContractUnregistered(string name);
    event NumberRegistered(string name, uint256 value);

    /// The caller is not the registry's owner.
    error NotOwner(address caller);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    constructor() {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    function transferOwnership(address newOwner) external onlyOwner {
        require(newOwner != address(0), "ParatiiRegistry: new owner is the zero address");
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    function registerContract(string calldata name, address addr) external onlyOwner {
        require(addr != address(0), "ParatiiRegistry: contract address is zero");
        contracts[keccak256(bytes(name))] = addr;
        emit ContractRegistered(name, addr);
    }

    function unregisterContract(string calldata name) external onlyOwner {
        bytes32 key = keccak256(bytes(name));
        require(contracts[key] != address(0), "ParatiiRegistry: no contract registered under that name");
        delete contracts[key];
        emit ContractUnregistered(name);
    }

    /// @notice The address registered under `name`; reverts when there is none, so a
    /// caller never mistakes a missing entry for the zero address.
    function getContract(string calldata name) external view returns (address) {
        address addr = contracts[keccak256(bytes(name))];
        require(addr != address(0), "ParatiiRegistry: no contract registered under that name");
        return addr;
    }

    function registerNumber(string calldata name, uint256 value) external onlyOwner {
        numbers[keccak256(bytes(name))] = value;
        emit NumberRegistered(name, value);
    }

    function getNumber(string calldata name) external view returns (uint256) {
        return numbers[keccak256(bytes(name))];
    }
}
