//! A fresh id for each start of the node, in its offchain DB.
//!
//! The oracle's off-chain worker stamps the answers it hands to the transaction pool with
//! this id (see `NODE_BOOT_ID_KEY`). After a crash the pool's transactions are gone but the
//! worker's "sent" markers are not; the new id tells the worker that those markers belong
//! to a dead pool, so it sends the answers again at once instead of waiting out its resend
//! delay (long enough for a commitment to miss its window).

use aioracle_primitives::oracle::NODE_BOOT_ID_KEY;
use sc_client_api::Backend as _;
use sp_core::offchain::{OffchainStorage, STORAGE_PREFIX};

use super::Components;

/// Writes a new random id under [`NODE_BOOT_ID_KEY`] in the offchain DB's persistent
/// storage (where the worker's `StorageKind::PERSISTENT` reads).
pub fn stamp(components: &Components) {
	let Some(mut storage) = components.backend.offchain_storage() else { return };
	let id: [u8; 16] = rand_id();
	storage.set(STORAGE_PREFIX, NODE_BOOT_ID_KEY, &id);
	log::debug!("offchain boot id {}", sp_core::hexdisplay::HexDisplay::from(&id));
}

/// 16 bytes from the OS's randomness, mixed with the time (so that two starts never share
/// an id even without OS randomness).
fn rand_id() -> [u8; 16] {
	let mut seed = [0u8; 32];
	let nanos = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_nanos())
		.unwrap_or_default();
	seed[..16].copy_from_slice(&nanos.to_le_bytes());
	seed[16..20].copy_from_slice(&std::process::id().to_le_bytes());
	if let Ok(bytes) = std::fs::read("/proc/sys/kernel/random/uuid") {
		let hashed = sp_io::hashing::blake2_128(&bytes);
		seed[20..32].copy_from_slice(&hashed[..12]);
	}
	sp_io::hashing::blake2_128(&seed)
}
