// Hardhat is used only as a local Ethereum node for the tests (`npx hardhat node`):
// contracts are compiled by compile.mjs with solc-js, so nothing here downloads a compiler.
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      // The contract is compiled for cancun; run the node on the same fork so that the
      // measured gas is the cancun schedule (Prague's EIP-7623 calldata floor does not bind
      // for these transactions anyway: their execution gas is far above the floor).
      hardfork: 'cancun',
    },
  },
};
