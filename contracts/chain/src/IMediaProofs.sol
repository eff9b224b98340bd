// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title Paratii chain's media proofs of existence, read from Solidity.
/// @notice A precompile of the runtime at 0x0000000000000000000000000000000000020000,
/// over pallet-media and pallet-pti: the same answers as the runtime API
/// `mediaApi.proofOfExistence` and the storage `pti.purchases`.
/// The runtime parses calls with this very file.
interface IMediaProofs {
    /// The proof of existence of the content whose SHA-256 is `contentHash` (any object
    /// of a media item: the original or a thumbnail). `exists` is false (and every
    /// other value zero) when no media item has it. `owner` is the registering
    /// account's 32-byte id and `ownerAddress` its H160 (what `msg.sender` is when that
    /// account calls a contract). `blockNumber` and `timestamp` (Unix seconds, as
    /// `block.timestamp`) are those of the block that registered it. `status`: 1 active,
    /// 2 deleted by its owner (the proof stays).
    function proofOfExistence(bytes32 contentHash)
        external
        view
        returns (
            bool exists,
            uint64 mediaId,
            bytes32 owner,
            address ownerAddress,
            uint32 blockNumber,
            uint64 timestamp,
            uint8 status
        );

    /// Whether `buyer` bought media item `mediaId` with `pti.buy`.
    function hasPurchased(uint64 mediaId, address buyer) external view returns (bool);
}
