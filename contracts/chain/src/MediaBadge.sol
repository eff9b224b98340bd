// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IMediaProofs} from "./IMediaProofs.sol";

/// @title A badge (an ERC721) for media its holder registered on Paratii chain.
/// @notice The example of reading the media proofs from Solidity: `mint` asks the
/// media-proofs precompile who registered the content and mints only to that account,
/// one badge per media item (token id = media id).
contract MediaBadge is ERC721 {
    IMediaProofs public constant PROOFS = IMediaProofs(0x0000000000000000000000000000000000020000);
    uint8 private constant ACTIVE = 1;

    error NoSuchMedia(bytes32 contentHash);
    error MediaNotActive(bytes32 contentHash);
    error NotYourMedia(bytes32 contentHash, address owner);

    constructor() ERC721("Paratii media badge", "PMB") {}

    /// Mints the badge of the media item with an object of SHA-256 `contentHash` to its
    /// owner, who must be the caller.
    function mint(bytes32 contentHash) external returns (uint256 tokenId) {
        (bool exists, uint64 mediaId,, address owner,,, uint8 status) = PROOFS.proofOfExistence(contentHash);
        if (!exists) revert NoSuchMedia(contentHash);
        if (status != ACTIVE) revert MediaNotActive(contentHash);
        if (owner != msg.sender) revert NotYourMedia(contentHash, owner);
        tokenId = mediaId;
        _mint(msg.sender, tokenId);
    }
}
