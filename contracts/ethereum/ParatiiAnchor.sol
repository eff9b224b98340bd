// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title ParatiiAnchor: an Ethereum light client of Paratii chain's BEEFY finality.
///
/// @notice Relayers submit BEEFY commitments signed by a quorum of Paratii's BEEFY
/// validators (secp256k1 keys). Each accepted commitment anchors the chain's MMR root at
/// that block; `verifyMedia` then proves, against an anchored root, that a media item was
/// registered on Paratii chain in a given block.
///
/// ## What is signed (sp-consensus-beefy 32.0.0, `Commitment`)
/// `Commitment { payload: Payload(Vec<([u8; 2], Vec<u8>)>), block_number: u32,
/// validator_set_id: u64 }`, SCALE-encoded. Paratii's payload has exactly one entry, the
/// MMR root under id `"mh"`, so the encoding is always 48 bytes:
///
///     0x04                      compact length of the payload vector (1 entry)
///     0x6d68                    payload id "mh"
///     0x80                      compact length of the value (32 bytes)
///     mmrRoot                   32 bytes (H256::encode is the raw bytes)
///     blockNumber               4 bytes, little-endian
///     validatorSetId            8 bytes, little-endian
///
/// The validators sign keccak256(those 48 bytes) with `sign_prehashed` (no Ethereum
/// prefix). Substrate returns r‖s‖v with v in {0, 1} and does not normalise s: the
/// relayer adds 27 to v and, for a high s, replaces s by n − s and flips v. This contract
/// accepts only v ∈ {27, 28} and s ≤ n/2 (one encoding per signature, as OpenZeppelin's
/// ECDSA), so a signature cannot be replayed in a second form.
///
/// ## Validator sets (pallet-beefy-mmr 51.0.0, `BeefyAuthoritySet`)
/// `{ id: u64, len: u32, keyset_commitment: H256 }` where keyset_commitment is
/// `binary_merkle_tree::merkle_root::<Keccak256>` of the validators' 20-byte Ethereum
/// addresses in authority order: leaves are keccak256(address) (20 bytes hashed), an
/// inner node is keccak256(left ‖ right), the last node of an odd row is promoted
/// unchanged, no domain separation, and no leaves give bytes32(0). The submitter passes
/// all `len` addresses; the contract rebuilds the root from them (with ≤ 32 validators
/// this is cheaper than per-signer Merkle proofs and has no proof-aliasing pitfalls),
/// and checks each signature against `validators[i]` for the set bits i of a bitfield
/// (which makes the signers distinct and their indices strictly increasing).
/// Quorum: n − ⌊(n − 1) / 3⌋ signatures (BEEFY's `threshold`).
///
/// ## Handover
/// pallet-beefy rotates the BEEFY set on every session, even when the members are the
/// same: the id always increments. In the first block B of session k the runtime (Session
/// before Beefy before Mmr in hook order) installs set k as current and set k+1 as next,
/// deposits `AuthoritiesChange(set k)`, and then pallet-mmr pushes B's leaf, whose
/// `beefy_next_authority_set` is therefore set k+1. The BEEFY gadget starts a session at
/// every block carrying `AuthoritiesChange`, so B is the mandatory block of session k,
/// signed by set k itself; every leaf of session k names set k+1.
/// This contract keeps `current` (id k) and `next` (id k+1, learned from a leaf):
/// - `submit`: a commitment signed by the current set.
/// - `submitWithHandover`: a commitment signed by the current set or, if known, the next
///   set, with one MMR leaf proven against the commitment's own MMR root whose
///   `beefy_next_authority_set.id` is the commitment's set id + 1. Signed by the current
///   set, it (re)learns `next`. Signed by the next set, it rotates: current := next,
///   next := the leaf's set. A relayer therefore submits, once per session, the mandatory
///   block of session k+1 (signed by set k+1) with that block's own leaf (naming k+2).
///   Commitments of set k are refused from then on.
/// Since leaves with the same `beefy_next_authority_set.id` all carry the same set (it
/// changes only at session starts), any leaf of the signed MMR with the right id will do.
///
/// ## The MMR (pallet-mmr 50.0.0 over polkadot-ckb-merkle-mountain-range 0.8.2)
/// Leaf (sp-consensus-beefy `MmrLeaf`, with Paratii's LeafExtra = H256, the media root),
/// SCALE, 113 bytes: `version u8 ‖ parent_number u32 LE ‖ parent_hash 32 ‖
/// next_set.id u64 LE ‖ next_set.len u32 LE ‖ next_set.keyset_commitment 32 ‖
/// leaf_extra 32`; leaf hash = keccak256(those bytes). The leaf pushed in block N
/// (on_initialize) has parent_number N − 1; its leaf_extra is the media root computed in
/// on_finalize of block N − 1. Inner nodes: keccak256(left ‖ right). Root: the peaks are
/// bagged right to left, `acc = P_last; acc = keccak256(acc ‖ P_prev)` (ckb `bag_rhs_peaks`
/// with `merge_peaks(right, left)`); one peak is the root itself.
/// Proof: exactly ckb's one-leaf `LeafProof { leaf_indices: [leafIndex], leaf_count,
/// items }` as the node's `mmr_generateProof` RPC returns it, no transformation. The
/// items are, in order (ckb `gen_proof`):
///   1. the peaks left of the leaf's peak, left to right;
///   2. the siblings on the path from the leaf up to its peak, bottom-up;
///   3. if there are peaks right of it: one item, those peaks already bagged (a single
///      right peak is that peak).
/// The geometry follows from (leafIndex, leafCount) alone: the peaks are the set bits of
/// leafCount from the highest (leftmost, tallest) down; the leaf's peak has height h =
/// the highest bit where leafIndex and leafCount differ; the i-th sibling is on the left
/// when bit i of leafIndex is 1. The item count must be exact.
/// Soundness does not rest on leafIndex/leafCount being honest: the contract hashes the
/// 113-byte leaf itself, and every inner MMR node is a keccak of 64 bytes, so any proof
/// that reaches the signed root ends at a genuine leaf of it (or a keccak collision).
///
/// ## Media (Paratii)
/// Media leaf = abi.encodePacked(uint8(1) version, uint64 mediaId, bytes32 contentHash,
/// bytes32 owner, uint32 blockNumber): 77 bytes, never 64, so it cannot pose as an inner
/// node. A block's media root is `binary_merkle_tree::merkle_root::<Keccak256>` of its
/// media leaves (the keyset algorithm), bytes32(0) for a block without media; a zero root
/// never verifies anything. The media path is binary-merkle-tree's `MerkleProof.proof`
/// (bottom-up siblings) with its leaf_index and number_of_leaves; the contract walks the
/// exact geometry (a promoted last node consumes no item) and wants the exact length.
///
/// ## Chain binding and the genesis hash
/// A BEEFY commitment carries no genesis hash. What binds this contract to Paratii chain
/// is the initial validator set given to the constructor (its keyset root commits to
/// this chain's BEEFY keys and its id to this chain's session count): every later set is
/// accepted only from an MMR leaf signed by the set before it. Commitments of another
/// chain are refused unless a quorum of its signers are this chain's validators with the
/// same set id (and a validator that double-signs for another chain is misbehaving on
/// this one too). `genesisHash` is kept public for relayers and users, and is checked
/// where it does appear in what the contract verifies: the leaf of block 1 has
/// `parent_number_and_hash = (0, genesis hash)`, so any leaf with parent_number 0 must
/// carry `genesisHash` (in `submitWithHandover` and `verifyMedia`), and
/// `verifyGenesis` proves from an anchor that the anchored chain descends from it.
///
/// ## Deployment: the current and the next set
/// The constructor takes both the chain's current BEEFY set and the next one (id + 1),
/// read at the same block (pallet-beefy-mmr's `BeefyAuthorities` and
/// `BeefyNextAuthorities`; `paratii-relayer deploy` does this), as Snowbridge's
/// BeefyClient does since its audit. A contract that knew only the current set could be
/// stalled for good by anyone: anchoring the current set's last commitment with `submit`
/// leaves no newer commitment of that set to learn the next one from, and the next set's
/// commitments are refused while it is unknown — with no admin, only a redeployment
/// would help. Knowing the next set from the start, every session's mandatory block
/// hands over (`submitWithHandover`), and each handover learns the set after it, so the
/// next set is never unknown; `submit` refuses to anchor if it ever were.
///
/// ## Storage
/// One slot packs the latest anchored block with the current and next sets' ids and
/// lengths; the two keyset roots have a slot each; each anchor costs one new slot.
contract ParatiiAnchor {
    /// The fields of a BEEFY commitment with Paratii's single "mh" payload.
    struct Commitment {
        bytes32 mmrRoot;
        uint32 blockNumber;
        uint64 validatorSetId;
    }

    /// An sp-consensus-beefy `MmrLeaf<u32, H256, H256, H256>`, field by field.
    struct MmrLeaf {
        uint8 version;
        uint32 parentNumber;
        bytes32 parentHash;
        uint64 nextAuthoritySetId;
        uint32 nextAuthoritySetLen;
        bytes32 nextAuthoritySetRoot;
        bytes32 leafExtra;
    }

    /// ckb-mmr's one-leaf `LeafProof` as pallet-mmr returns it (see the contract notes).
    struct MmrProof {
        uint64 leafIndex;
        uint64 leafCount;
        bytes32[] items;
    }

    /// binary-merkle-tree's `MerkleProof` of one media leaf in its block's media root.
    struct MediaProof {
        uint32 leafIndex;
        uint32 numberOfLeaves;
        bytes32[] path;
    }

    /// A BEEFY validator set as the contract knows it.
    struct ValidatorSet {
        uint64 id;
        uint32 len;
        bytes32 keysetRoot;
    }

    /// The bitfield of signers is a uint256, so a set has at most 256 validators (the
    /// runtime's MAX_AUTHORITIES is 32).
    uint256 public constant MAX_VALIDATORS = 256;
    /// The MMR leaf version this contract parses, exactly: the runtime's
    /// `MmrLeafVersion::new(0, 1)` (major 0 in bits 5..7, minor 1). The runtime bumps the
    /// minor version when `leaf_extra` changes meaning (it is the media root under 1), so a
    /// leaf of any other version is refused rather than read as a media root.
    uint8 public constant LEAF_VERSION = 1;
    /// Version byte of a media leaf.
    uint8 public constant MEDIA_LEAF_VERSION = 1;
    /// secp256k1n / 2: larger s values are the malleable twin of a valid signature.
    uint256 private constant HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// Genesis hash of the Paratii chain this contract follows (see the notes above).
    bytes32 public immutable genesisHash;

    // One slot: the latest anchored block and the two sets' ids and lengths.
    uint32 public latestBlock;
    uint64 private currentId;
    uint32 private currentLen;
    uint64 private nextId;
    uint32 private nextLen; // never 0: the constructor and every handover set it
    bytes32 private currentRoot;
    bytes32 private nextRoot;

    /// MMR root anchored for each accepted block number.
    mapping(uint32 blockNumber => bytes32 mmrRoot) public mmrRoots;

    event Anchored(uint32 indexed blockNumber, bytes32 mmrRoot, uint64 validatorSetId);
    /// A new current set after a handover.
    event ValidatorSetRotated(uint64 indexed id, uint32 len, bytes32 keysetRoot);
    /// The next set, as named by a proven MMR leaf.
    event NextValidatorSet(uint64 indexed id, uint32 len, bytes32 keysetRoot);

    error StaleCommitment(uint32 blockNumber, uint32 latestBlock);
    error UnknownValidatorSet(uint64 validatorSetId);
    error ValidatorsMismatch();
    error InvalidSignerBitfield();
    error NotEnoughSignatures(uint256 count, uint256 quorum);
    error InvalidSignaturesLength();
    error InvalidSignature(uint256 validatorIndex);
    error InvalidMmrLeaf();
    error InvalidMmrProof();
    error InvalidValidatorSet();
    error NextValidatorSetUnknown();

    /// @param setId the chain's current BEEFY set: id, length and keyset root;
    /// @param nextSetLen the set after it (id `setId + 1`), as the chain names it at the
    ///        same block: length and keyset root.
    constructor(
        bytes32 genesisHash_,
        uint64 setId,
        uint32 setLen,
        bytes32 setKeysetRoot,
        uint32 nextSetLen,
        bytes32 nextSetKeysetRoot
    ) {
        if (!_validSet(setLen, setKeysetRoot) || !_validSet(nextSetLen, nextSetKeysetRoot)) {
            revert InvalidValidatorSet();
        }
        genesisHash = genesisHash_;
        currentId = setId;
        currentLen = setLen;
        currentRoot = setKeysetRoot;
        nextId = setId + 1;
        nextLen = nextSetLen;
        nextRoot = nextSetKeysetRoot;
    }

    function _validSet(uint32 len, bytes32 keysetRoot_) private pure returns (bool) {
        return len != 0 && len <= MAX_VALIDATORS && keysetRoot_ != bytes32(0);
    }

    // ------------------------------------------------------------------ views

    function currentValidatorSet() external view returns (ValidatorSet memory) {
        return ValidatorSet(currentId, currentLen, currentRoot);
    }

    /// The next set (known from the deployment on, and from each handover).
    function nextValidatorSet() external view returns (ValidatorSet memory) {
        return ValidatorSet(nextId, nextLen, nextRoot);
    }

    /// BEEFY's signature threshold for a set of `n` validators.
    function quorum(uint256 n) public pure returns (uint256) {
        return n - (n - 1) / 3;
    }

    // ------------------------------------------------------------------ submit

    /// Anchors `c.mmrRoot` at `c.blockNumber`, signed by the current set.
    /// @param validators all addresses of the current set, in authority order.
    /// @param signers bit i set: `validators[i]` signed; `signatures` holds their 65-byte
    ///        r‖s‖v signatures (v 27/28, low s) packed in increasing i.
    function submit(
        Commitment calldata c,
        address[] calldata validators,
        uint256 signers,
        bytes calldata signatures
    ) external {
        uint32 latest = latestBlock;
        if (c.blockNumber <= latest) revert StaleCommitment(c.blockNumber, latest);
        if (c.validatorSetId != currentId) revert UnknownValidatorSet(c.validatorSetId);
        // Never true (see "Deployment"): anchoring without knowing the next set could
        // leave no commitment to hand over with.
        if (nextLen == 0) revert NextValidatorSetUnknown();
        _verifySignatures(commitmentHash(c), validators, signers, signatures, currentLen, currentRoot);
        _anchor(c);
    }

    /// Anchors like `submit`, signed by the current or the next set, and learns the set
    /// after the signing one from `leaf` (proven by `proof` against `c.mmrRoot`). Signed
    /// by the next set, this is the handover: that set becomes current.
    function submitWithHandover(
        Commitment calldata c,
        address[] calldata validators,
        uint256 signers,
        bytes calldata signatures,
        MmrLeaf calldata leaf,
        MmrProof calldata proof
    ) external {
        uint32 latest = latestBlock;
        if (c.blockNumber <= latest) revert StaleCommitment(c.blockNumber, latest);
        uint64 id = c.validatorSetId;
        bool rotate;
        if (id == currentId) {
            _verifySignatures(commitmentHash(c), validators, signers, signatures, currentLen, currentRoot);
        } else if (nextLen != 0 && id == nextId) {
            _verifySignatures(commitmentHash(c), validators, signers, signatures, nextLen, nextRoot);
            rotate = true;
        } else {
            revert UnknownValidatorSet(id);
        }

        if (
            !_leafFormatOk(leaf) || leaf.nextAuthoritySetId != id + 1 || leaf.nextAuthoritySetLen == 0
                || leaf.nextAuthoritySetLen > MAX_VALIDATORS || leaf.nextAuthoritySetRoot == bytes32(0)
        ) revert InvalidMmrLeaf();
        (bool ok, bytes32 root) = mmrRootFromProof(leafHash(leaf), proof);
        if (!ok || root != c.mmrRoot) revert InvalidMmrProof();

        if (rotate) {
            (currentId, currentLen, currentRoot) = (nextId, nextLen, nextRoot);
            emit ValidatorSetRotated(nextId, nextLen, nextRoot);
        }
        (nextId, nextLen, nextRoot) = (leaf.nextAuthoritySetId, leaf.nextAuthoritySetLen, leaf.nextAuthoritySetRoot);
        emit NextValidatorSet(leaf.nextAuthoritySetId, leaf.nextAuthoritySetLen, leaf.nextAuthoritySetRoot);
        _anchor(c);
    }

    function _anchor(Commitment calldata c) private {
        latestBlock = c.blockNumber;
        mmrRoots[c.blockNumber] = c.mmrRoot;
        emit Anchored(c.blockNumber, c.mmrRoot, c.validatorSetId);
    }

    function _verifySignatures(
        bytes32 digest,
        address[] calldata validators,
        uint256 signers,
        bytes calldata signatures,
        uint256 len,
        bytes32 root
    ) private view {
        uint256 n = validators.length;
        if (n != len || keysetRoot(validators) != root) revert ValidatorsMismatch();
        if (n < 256 && signers >> n != 0) revert InvalidSignerBitfield();
        uint256 count = _popcount(signers);
        uint256 q = quorum(n);
        if (count < q) revert NotEnoughSignatures(count, q);
        if (signatures.length != count * 65) revert InvalidSignaturesLength();

        uint256 bad = _firstInvalidSignature(digest, validators, signers, signatures);
        if (bad != type(uint256).max) revert InvalidSignature(bad);
    }

    /// Checks the packed signatures against `validators[i]` for the set bits i of `signers`,
    /// in increasing i, and returns the first i whose signature is invalid (v not 27 or 28,
    /// s high, ecrecover failing or recovering another address), or type(uint256).max.
    /// Assembly only to keep the per-signature overhead small; the logic is that of
    /// OpenZeppelin's ECDSA.tryRecover followed by an equality check.
    function _firstInvalidSignature(
        bytes32 digest,
        address[] calldata validators,
        uint256 signers,
        bytes calldata signatures
    ) private view returns (uint256 bad) {
        bad = type(uint256).max;
        assembly ("memory-safe") {
            let buf := mload(0x40) // ecrecover's input and output, past the free memory pointer
            mstore(buf, digest)
            let sig := signatures.offset
            for { let i := 0 } signers { i := add(i, 1) } {
                if and(signers, 1) {
                    let v := byte(0, calldataload(add(sig, 64)))
                    let s := calldataload(add(sig, 32))
                    if or(gt(s, HALF_N), iszero(or(eq(v, 27), eq(v, 28)))) {
                        bad := i
                        break
                    }
                    mstore(add(buf, 0x20), v)
                    mstore(add(buf, 0x40), calldataload(sig))
                    mstore(add(buf, 0x60), s)
                    mstore(add(buf, 0x80), 0)
                    // The precompile returns nothing for an invalid signature.
                    pop(staticcall(gas(), 1, buf, 0x80, add(buf, 0x80), 0x20))
                    let signer := mload(add(buf, 0x80))
                    let expected := and(calldataload(add(validators.offset, shl(5, i))), 0xffffffffffffffffffffffffffffffffffffffff)
                    if or(iszero(signer), iszero(eq(signer, expected))) {
                        bad := i
                        break
                    }
                    sig := add(sig, 65)
                }
                signers := shr(1, signers)
            }
        }
    }

    // ------------------------------------------------------------------ media

    /// Whether media item `mediaId` with `contentHash` and `owner` was registered in block
    /// `blockNumber` of Paratii chain, proven through the MMR root anchored at
    /// `anchoredBlock`. `leaf` is the MMR leaf of block blockNumber + 1 (it carries block
    /// blockNumber's media root) and `leafProof` its proof. False, never a revert, for any
    /// mismatch (tampered fields or paths, an unknown anchor, an empty media root).
    function verifyMedia(
        uint64 mediaId,
        bytes32 contentHash,
        bytes32 owner,
        uint32 blockNumber,
        MediaProof calldata mediaProof,
        MmrLeaf calldata leaf,
        MmrProof calldata leafProof,
        uint32 anchoredBlock
    ) external view returns (bool) {
        bytes32 anchored = mmrRoots[anchoredBlock];
        if (anchored == bytes32(0) || anchoredBlock <= blockNumber) return false;
        if (leaf.parentNumber != blockNumber || leaf.leafExtra == bytes32(0) || !_leafFormatOk(leaf)) return false;
        (bool ok, bytes32 mediaRoot) = merkleRootFromPath(
            mediaLeafHash(mediaId, contentHash, owner, blockNumber),
            mediaProof.path,
            mediaProof.leafIndex,
            mediaProof.numberOfLeaves
        );
        if (!ok || mediaRoot != leaf.leafExtra) return false;
        bytes32 root;
        (ok, root) = mmrRootFromProof(leafHash(leaf), leafProof);
        return ok && root == anchored;
    }

    /// Whether the chain anchored at `anchoredBlock` has `genesisHash` as its block 0:
    /// `leaf` must be the leaf of block 1, whose parent is the genesis block.
    function verifyGenesis(MmrLeaf calldata leaf, MmrProof calldata leafProof, uint32 anchoredBlock)
        external
        view
        returns (bool)
    {
        bytes32 anchored = mmrRoots[anchoredBlock];
        if (anchored == bytes32(0) || leaf.parentNumber != 0 || !_leafFormatOk(leaf)) return false;
        (bool ok, bytes32 root) = mmrRootFromProof(leafHash(leaf), leafProof);
        return ok && root == anchored;
    }

    /// A leaf this contract can parse, and whose genesis parent (if it has one) is ours.
    function _leafFormatOk(MmrLeaf calldata leaf) private view returns (bool) {
        return leaf.version == LEAF_VERSION && (leaf.parentNumber != 0 || leaf.parentHash == genesisHash);
    }

    // ------------------------------------------------------------------ encodings

    /// keccak256 of the SCALE encoding of the commitment (the BEEFY signing digest).
    function commitmentHash(Commitment calldata c) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes4(0x046d6880), c.mmrRoot, _le32(c.blockNumber), _le64(c.validatorSetId)));
    }

    /// keccak256 of the 113-byte SCALE encoding of an MMR leaf (its MMR leaf hash).
    function leafHash(MmrLeaf calldata leaf) public pure returns (bytes32) {
        return keccak256(
            abi.encodePacked(
                leaf.version,
                _le32(leaf.parentNumber),
                leaf.parentHash,
                _le64(leaf.nextAuthoritySetId),
                _le32(leaf.nextAuthoritySetLen),
                leaf.nextAuthoritySetRoot,
                leaf.leafExtra
            )
        );
    }

    /// Hash of a media leaf: keccak256 of its 77 packed bytes.
    function mediaLeafHash(uint64 mediaId, bytes32 contentHash, bytes32 owner, uint32 blockNumber)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encodePacked(MEDIA_LEAF_VERSION, mediaId, contentHash, owner, blockNumber));
    }

    /// binary_merkle_tree::merkle_root::<Keccak256> of 20-byte addresses.
    function keysetRoot(address[] calldata validators) public pure returns (bytes32 root) {
        assembly ("memory-safe") {
            let n := validators.length
            let buf := mload(0x40) // scratch past the free memory pointer, not allocated
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                mstore(0, shl(96, calldataload(add(validators.offset, shl(5, i)))))
                mstore(add(buf, shl(5, i)), keccak256(0, 20))
            }
            // Row by row, in place: node j of the next row overwrites node j ≤ 2j of this one.
            for { let width := n } gt(width, 1) {} {
                let next := 0
                let i := 0
                for {} lt(add(i, 1), width) { i := add(i, 2) } {
                    mstore(add(buf, shl(5, next)), keccak256(add(buf, shl(5, i)), 64))
                    next := add(next, 1)
                }
                if lt(i, width) {
                    // odd row: the last node goes up unchanged
                    mstore(add(buf, shl(5, next)), mload(add(buf, shl(5, i))))
                    next := add(next, 1)
                }
                width := next
            }
            if n { root := mload(buf) }
        }
    }

    /// Root of a binary-merkle-tree from a leaf hash and its bottom-up proof, walking the
    /// tree's exact geometry: false if `path` has not exactly the items it needs.
    function merkleRootFromPath(bytes32 leaf, bytes32[] calldata path, uint256 index, uint256 width)
        public
        pure
        returns (bool, bytes32)
    {
        if (index >= width) return (false, bytes32(0));
        uint256 k;
        bytes32 node = leaf;
        while (width > 1) {
            if (index & 1 == 1) {
                if (k == path.length) return (false, bytes32(0));
                node = _hashPair(path[k++], node);
            } else if (index + 1 < width) {
                if (k == path.length) return (false, bytes32(0));
                node = _hashPair(node, path[k++]);
            } // else: the last node of an odd row, promoted without a sibling
            index >>= 1;
            width = (width + 1) >> 1;
        }
        if (k != path.length) return (false, bytes32(0));
        return (true, node);
    }

    /// The MMR root that `proof` (ckb's one-leaf proof) gives for `leafHash_`; false if the
    /// proof is malformed (index out of range, wrong number of items).
    function mmrRootFromProof(bytes32 leafHash_, MmrProof calldata proof) public pure returns (bool, bytes32) {
        uint256 index = proof.leafIndex;
        uint256 count = proof.leafCount;
        if (index >= count) return (false, bytes32(0));
        // Height of the leaf's peak: the highest bit where index and count differ.
        uint256 h;
        for (uint256 d = (index ^ count) >> 1; d != 0; d >>= 1) ++h;
        uint256 left = _popcount(count >> (h + 1)); // peaks left of the leaf's peak
        bool right = count & ((1 << h) - 1) != 0; // any peak right of it
        bytes32[] calldata items = proof.items;
        if (items.length != left + h + (right ? 1 : 0)) return (false, bytes32(0));

        bytes32 node = leafHash_;
        for (uint256 j; j < h; ++j) {
            bytes32 sibling = items[left + j];
            node = (index >> j) & 1 == 1 ? _hashPair(sibling, node) : _hashPair(node, sibling);
        }
        // Bag right to left: keccak(bagged right ‖ peak), then each left peak.
        if (right) node = _hashPair(items[left + h], node);
        for (uint256 j = left; j != 0; --j) {
            node = _hashPair(node, items[j - 1]);
        }
        return (true, node);
    }

    // ------------------------------------------------------------------ helpers

    function _hashPair(bytes32 a, bytes32 b) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0, a)
            mstore(32, b)
            h := keccak256(0, 64)
        }
    }

    function _popcount(uint256 x) private pure returns (uint256 c) {
        for (; x != 0; x &= x - 1) ++c;
    }

    function _le32(uint32 x) private pure returns (bytes4) {
        x = ((x & 0xff00ff00) >> 8) | ((x & 0x00ff00ff) << 8);
        return bytes4((x >> 16) | (x << 16));
    }

    function _le64(uint64 x) private pure returns (bytes8) {
        x = ((x & 0xff00ff00ff00ff00) >> 8) | ((x & 0x00ff00ff00ff00ff) << 8);
        x = ((x & 0xffff0000ffff0000) >> 16) | ((x & 0x0000ffff0000ffff) << 16);
        return bytes8((x >> 32) | (x << 32));
    }
}
