//! Waiting for the relay chain's RPC endpoints (`--relay-chain-rpc-url`) before the
//! collator starts.
//!
//! Cumulus' RPC relay-chain client tries its URLs for about 15 s and then gives up, which
//! stops the node. A collator started before its relay node (or while that node restarts)
//! should wait instead: this probes the URLs with capped exponential backoff, logging each
//! miss, until one answers or the process is told to stop.

use std::{fmt::Display, time::Duration};

use futures::{future::Either, pin_mut};
use jsonrpsee::{core::client::ClientT, rpc_params, ws_client::WsClientBuilder};

/// The log target of the relay-chain connection checks.
const LOG_TARGET: &str = "relay-rpc";

/// The first pause between two rounds of probes; doubled after each miss.
const FIRST_RETRY: Duration = Duration::from_secs(1);

/// The longest pause between two rounds of probes.
const MAX_RETRY: Duration = Duration::from_secs(30);

/// How long one probe may take: connecting and asking for the genesis hash.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// How [`wait_until_reachable`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
	/// One of the URLs answered.
	Reachable,
	/// SIGINT or SIGTERM arrived first: the node should exit.
	Interrupted,
}

/// Sleeps `pause`, then probes `urls` (in order) until one answers, logging every miss,
/// or until SIGINT/SIGTERM. The pause lets a restart back off even when the relay chain
/// answers at once.
pub async fn wait_until_reachable<U: AsRef<str> + Display>(urls: &[U], pause: Duration) -> Wait {
	let reachable = async {
		tokio::time::sleep(pause).await;
		let mut retry = FIRST_RETRY;
		let mut missed = false;
		loop {
			let mut misses = Vec::with_capacity(urls.len());
			for url in urls {
				match probe(url.as_ref()).await {
					Ok(()) => {
						if missed {
							log::info!(target: LOG_TARGET, "Relay chain RPC {url} is reachable");
						}
						return;
					}
					Err(e) => {
						missed = true;
						misses.push(format!("{url}: {e}"));
					}
				}
			}
			log::warn!(
				target: LOG_TARGET,
				"Relay chain RPC not reachable ({}); retrying in {} s",
				misses.join("; "),
				retry.as_secs(),
			);
			tokio::time::sleep(retry).await;
			retry = (retry * 2).min(MAX_RETRY);
		}
	};
	let stop = shutdown_signal();
	pin_mut!(reachable, stop);
	match futures::future::select(reachable, stop).await {
		Either::Left(_) => Wait::Reachable,
		Either::Right(_) => {
			log::info!(target: LOG_TARGET, "Stopped while waiting for the relay chain");
			Wait::Interrupted
		}
	}
}

/// Connects to `url` and asks for the genesis hash: an endpoint that answers that is a
/// node Cumulus can follow.
async fn probe(url: &str) -> Result<(), String> {
	let client = WsClientBuilder::default()
		.connection_timeout(PROBE_TIMEOUT)
		.request_timeout(PROBE_TIMEOUT)
		.build(url)
		.await
		.map_err(|e| e.to_string())?;
	let genesis: Option<String> =
		client.request("chain_getBlockHash", rpc_params![0]).await.map_err(|e| e.to_string())?;
	genesis.map(|_| ()).ok_or_else(|| "the node has no genesis block".into())
}

/// Resolves on SIGINT or SIGTERM (the signals that stop the node), or never if they
/// cannot be listened to.
async fn shutdown_signal() {
	#[cfg(unix)]
	{
		use tokio::signal::unix::{signal, SignalKind};
		match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
			(Ok(mut interrupt), Ok(mut terminate)) => {
				let interrupt = interrupt.recv();
				let terminate = terminate.recv();
				pin_mut!(interrupt, terminate);
				futures::future::select(interrupt, terminate).await;
			}
			_ => futures::future::pending().await,
		}
	}
	#[cfg(not(unix))]
	if tokio::signal::ctrl_c().await.is_err() {
		futures::future::pending::<()>().await
	}
}
