//! Essential tasks that end quietly when the node shuts down.
//!
//! `sc-service` logs `Essential task '...' failed. Shutting down service.` whenever an
//! essential task's future completes, even when it completes because the service is being
//! dropped on a clean stop: every Ctrl-C of a node printed that line for the transaction
//! pool's background task, which reads as a crash to an operator. Tasks spawned through
//! [`QuietOnShutdown`] run as plain tasks; only a panic escalates, through the essential
//! handle, to the same "failed, shutting down" path as before.

use futures::{future::BoxFuture, FutureExt};
use sc_service::{SpawnEssentialTaskHandle, SpawnTaskHandle};

/// Spawns "essential" tasks that shut the node down only if they panic.
#[derive(Clone)]
pub struct QuietOnShutdown {
	plain: SpawnTaskHandle,
	essential: SpawnEssentialTaskHandle,
}

impl QuietOnShutdown {
	/// From the task manager's two handles.
	pub fn new(plain: SpawnTaskHandle, essential: SpawnEssentialTaskHandle) -> Self {
		Self { plain, essential }
	}

	fn wrap(
		&self,
		name: &'static str,
		group: Option<&'static str>,
		future: BoxFuture<'static, ()>,
	) -> BoxFuture<'static, ()> {
		let essential = self.essential.clone();
		async move {
			if std::panic::AssertUnwindSafe(future).catch_unwind().await.is_err() {
				// An essential task that ends at once: logged as failed, and the node stops.
				essential.spawn(name, group, async {});
			}
		}
		.boxed()
	}
}

impl sp_core::traits::SpawnEssentialNamed for QuietOnShutdown {
	fn spawn_essential_blocking(
		&self,
		name: &'static str,
		group: Option<&'static str>,
		future: BoxFuture<'static, ()>,
	) {
		self.plain.spawn_blocking(name, group, self.wrap(name, group, future));
	}

	fn spawn_essential(
		&self,
		name: &'static str,
		group: Option<&'static str>,
		future: BoxFuture<'static, ()>,
	) {
		self.plain.spawn(name, group, self.wrap(name, group, future));
	}
}
