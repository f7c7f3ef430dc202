//! Types shared by the aioracle runtime, its pallets and its node.
//!
//! Everything here is `no_std` so that the wasm runtime and the native node agree on
//! the exact same definitions: an account, a balance and a block number mean the same
//! thing on both sides of the host-function boundary.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod aggregation;
pub mod canary;
pub mod consumer;
pub mod dataset;
pub mod deposit;
pub mod input;
pub mod market;
pub mod metrics;
pub mod model;
pub mod onnx;
pub mod oracle;
pub mod training;

use sp_runtime::{
	generic,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiSignature,
};

/// The signature scheme of transactions: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;

/// An account: the public key of the transaction signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// A balance, in the smallest unit (see [`currency`]).
pub type Balance = u128;

/// The number of transactions an account has sent.
pub type Nonce = u32;

/// A block number.
pub type BlockNumber = u32;

/// A 256-bit hash: block hashes, dataset and model content hashes.
pub type Hash = sp_core::H256;

/// The block header, the same for the runtime and the node.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;

/// An opaque block: the node handles blocks without knowing the runtime's extrinsic type.
pub type OpaqueBlock = generic::Block<Header, sp_runtime::OpaqueExtrinsic>;

/// The native token, AIO, and its denominations.
pub mod currency {
	use super::Balance;

	/// Decimal places of one AIO.
	pub const DECIMALS: u8 = 12;
	/// The token symbol shown by wallets.
	pub const SYMBOL: &str = "AIO";
	/// One AIO.
	pub const UNIT: Balance = 1_000_000_000_000;
	/// A thousandth of an AIO.
	pub const MILLI_UNIT: Balance = 1_000_000_000;
	/// A millionth of an AIO.
	pub const MICRO_UNIT: Balance = 1_000_000;
	/// The smallest balance an account may hold and still exist.
	pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;
}

/// The SS58 address prefix: 42, the generic Substrate prefix, so dev tools show the
/// familiar `5...` addresses.
pub const SS58_PREFIX: u16 = 42;
