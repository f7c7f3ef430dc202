//! The relay chain's command line: the arguments after `--` on a collator, parsed as a
//! Polkadot node's, and the configuration of the relay chain node built from them.
//!
//! Whether the relay chain runs in-process or is reached through `--relay-chain-rpc-url`,
//! Cumulus wants a full `Configuration` for it; this is where it comes from.

use std::path::PathBuf;

use sc_cli::{
	clap::{CommandFactory, FromArgMatches},
	CliConfiguration, DefaultConfigurationValues, ImportParams, KeystoreParams, NetworkParams,
	RpcEndpoint, SharedParams, SubstrateCli,
};
use sc_service::{
	config::{PrometheusConfig, TelemetryEndpoints},
	BasePath, Configuration,
};

use crate::{chain_spec::Extensions, cli::Cli};

/// The relay chain's arguments, with what the parachain's configuration implies.
#[derive(Debug)]
pub struct RelayChainCli {
	/// The arguments after `--`, as a Polkadot node would parse them.
	pub base: polkadot_cli::RunCmd,
	/// The relay chain the parachain's chain spec names (`relayChain`), used when the
	/// arguments have no `--chain`.
	pub chain_id: Option<String>,
	/// `<parachain base path>/polkadot`, used when the arguments have no `--base-path`.
	pub base_path: Option<PathBuf>,
}

impl RelayChainCli {
	/// Parses `relay_chain_args` (clap prints the error and exits if they do not parse, as
	/// for the node's own arguments).
	pub fn new<'a>(
		para_config: &Configuration,
		relay_chain_args: impl Iterator<Item = &'a String>,
	) -> Self {
		let command = polkadot_cli::RunCmd::command().no_binary_name(true);
		let matches = command.get_matches_from(relay_chain_args);
		let base = polkadot_cli::RunCmd::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
		let chain_id = Extensions::try_get(&*para_config.chain_spec).map(|e| e.relay_chain.clone());
		let base_path = Some(para_config.base_path.path().join("polkadot"));
		Self { base, chain_id, base_path }
	}

	/// The relay chain node's configuration.
	pub fn configuration(&self, para_config: &Configuration) -> sc_cli::Result<Configuration> {
		let mut config = <Self as CliConfiguration<Self>>::create_configuration(
			self,
			self,
			para_config.tokio_handle.clone(),
		)
		.map_err(|e| {
			// The usual miss: no `--chain` after `--`, and a relay chain named in the
			// parachain's spec that only a relay runtime compiled in would know.
			let hint = match (&self.base.base.shared_params.chain, &self.chain_id) {
				(None, Some(relay)) => format!(
					" (no `--chain` after `--`, so the relay chain is the parachain spec's \
					 `{relay}`; give its chain spec file: `-- --chain {relay}.json`)"
				),
				_ => String::new(),
			};
			sc_cli::Error::Input(format!("relay chain (the arguments after `--`): {e}{hint}"))
		})?;
		crate::command::default_to_paritydb(self, &mut config)?;
		// A collator's relay node does not listen on WebRTC unless told to (as in
		// polkadot-omni-node): it is not a node browsers should dial.
		let network = &self.base.base.network_params;
		if para_config.role.is_authority() &&
			!network.force_enable_webrtc &&
			network.listen_addr.is_empty()
		{
			config.network.remove_webrtc_addresses();
		}
		Ok(config)
	}
}

impl SubstrateCli for RelayChainCli {
	fn impl_name() -> String {
		Cli::impl_name()
	}

	fn impl_version() -> String {
		Cli::impl_version()
	}

	fn description() -> String {
		Cli::description()
	}

	fn author() -> String {
		Cli::author()
	}

	fn support_url() -> String {
		Cli::support_url()
	}

	fn copyright_start_year() -> i32 {
		Cli::copyright_start_year()
	}

	/// Polkadot's chain names (`polkadot`, `kusama`, `paseo`, `rococo`, `westend`) or a
	/// relay chain spec file. Local relay chains (`rococo-local`, `westend-local`) are
	/// files: this node does not compile the relay runtimes in.
	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		polkadot_cli::Cli::from_iter([Self::executable_name()].iter()).load_spec(id)
	}
}

impl DefaultConfigurationValues for RelayChainCli {
	// One above the parachain's defaults, so the two nodes of a collator do not clash.
	fn p2p_listen_port() -> u16 {
		30334
	}

	fn rpc_listen_port() -> u16 {
		9945
	}

	fn prometheus_listen_port() -> u16 {
		9616
	}
}

impl CliConfiguration<Self> for RelayChainCli {
	fn shared_params(&self) -> &SharedParams {
		self.base.base.shared_params()
	}

	fn import_params(&self) -> Option<&ImportParams> {
		self.base.base.import_params()
	}

	fn network_params(&self) -> Option<&NetworkParams> {
		self.base.base.network_params()
	}

	fn keystore_params(&self) -> Option<&KeystoreParams> {
		self.base.base.keystore_params()
	}

	fn base_path(&self) -> sc_cli::Result<Option<BasePath>> {
		Ok(self.shared_params().base_path()?.or_else(|| self.base_path.clone().map(Into::into)))
	}

	fn rpc_addr(&self, default_listen_port: u16) -> sc_cli::Result<Option<Vec<RpcEndpoint>>> {
		self.base.base.rpc_addr(default_listen_port)
	}

	fn prometheus_config(
		&self,
		default_listen_port: u16,
		chain_spec: &Box<dyn sc_service::ChainSpec>,
	) -> sc_cli::Result<Option<PrometheusConfig>> {
		self.base.base.prometheus_config(default_listen_port, chain_spec)
	}

	fn init<F>(&self, _: &String, _: &String, _: F) -> sc_cli::Result<()>
	where
		F: FnOnce(&mut sc_cli::LoggerBuilder),
	{
		// The parachain's command line set the logger up; there is only one.
		Err(sc_cli::Error::Input("the relay chain's command line has no logger of its own".into()))
	}

	fn chain_id(&self, is_dev: bool) -> sc_cli::Result<String> {
		let chain_id = self.base.base.chain_id(is_dev)?;
		Ok(if chain_id.is_empty() { self.chain_id.clone().unwrap_or_default() } else { chain_id })
	}

	fn role(&self, is_dev: bool) -> sc_cli::Result<sc_service::Role> {
		self.base.base.role(is_dev)
	}

	fn transaction_pool(
		&self,
		is_dev: bool,
	) -> sc_cli::Result<sc_service::config::TransactionPoolOptions> {
		self.base.base.transaction_pool(is_dev)
	}

	fn trie_cache_maximum_size(&self) -> sc_cli::Result<Option<usize>> {
		self.base.base.trie_cache_maximum_size()
	}

	fn rpc_methods(&self) -> sc_cli::Result<sc_service::config::RpcMethods> {
		self.base.base.rpc_methods()
	}

	fn rpc_max_connections(&self) -> sc_cli::Result<u32> {
		self.base.base.rpc_max_connections()
	}

	fn rpc_cors(&self, is_dev: bool) -> sc_cli::Result<Option<Vec<String>>> {
		self.base.base.rpc_cors(is_dev)
	}

	fn default_heap_pages(&self) -> sc_cli::Result<Option<u64>> {
		self.base.base.default_heap_pages()
	}

	fn force_authoring(&self) -> sc_cli::Result<bool> {
		self.base.base.force_authoring()
	}

	fn disable_grandpa(&self) -> sc_cli::Result<bool> {
		self.base.base.disable_grandpa()
	}

	fn max_runtime_instances(&self) -> sc_cli::Result<Option<usize>> {
		self.base.base.max_runtime_instances()
	}

	fn announce_block(&self) -> sc_cli::Result<bool> {
		self.base.base.announce_block()
	}

	fn telemetry_endpoints(
		&self,
		chain_spec: &Box<dyn sc_service::ChainSpec>,
	) -> sc_cli::Result<Option<TelemetryEndpoints>> {
		self.base.base.telemetry_endpoints(chain_spec)
	}

	fn node_name(&self) -> sc_cli::Result<String> {
		self.base.base.node_name()
	}
}
