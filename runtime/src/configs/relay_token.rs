//! The relay chain's token, held here as a reserve asset (`RelayBalances`, a second
//! pallet-balances instance) so that XCM execution can be bought with it.
//!
//! ## Trust choices
//! - **Whose word counts.** The relay token is the asset `(1, Here)`, and only the relay
//!   chain itself is trusted as its reserve (`IsReserve`): a `ReserveAssetDeposited` of it
//!   from the relay chain mints it here; the same from a sibling is refused
//!   (`UntrustedReserveLocation`). A sibling that holds relay tokens here (in its sovereign
//!   account) withdraws them with `WithdrawAsset` as it would AIO.
//! - **What it buys.** Execution only (`BuyExecution`), at a fixed price,
//!   [`RelayTokenPerSecondOfWeight`]: 0.01 of the relay token's units (10^8 of 10^10) per
//!   second of weight, about 50 times AIO's rate at par. There is no price source yet; the
//!   price is a runtime constant, changed by a runtime upgrade. The oracle's fees, prices
//!   and deposits stay in AIO.
//! - **Where the fees go.** To the block's author, in the relay token; burnt when there is
//!   no author (tests) or the amount is below the existential deposit.
//! - **No way back yet.** Sending the relay token back to the relay chain is refused
//!   (`DenyReserveTransferToRelayChain`, and pallet-xcm's transfers are filtered): what is
//!   deposited here stays here until a later runtime opens the way.

use frame_support::{
	parameter_types,
	traits::{
		fungible::{Balanced, Credit},
		ConstU32, OnUnbalanced, StorageMapShim,
	},
	weights::{constants::WEIGHT_REF_TIME_PER_SECOND, Weight, WeightToFee},
};

use crate::{
	AccountId, Balance, RelayBalances, Runtime, RuntimeEvent, RuntimeFreezeReason,
	RuntimeHoldReason,
};

/// The instance of pallet-balances that holds the relay token.
pub type RelayTokenInstance = pallet_balances::Instance2;

/// The relay token's existential deposit: 10^6 of its smallest units (0.0001 of a unit
/// of a 10-decimal token).
pub const RELAY_EXISTENTIAL_DEPOSIT: Balance = 1_000_000;

parameter_types! {
	pub const RelayExistentialDeposit: Balance = RELAY_EXISTENTIAL_DEPOSIT;
	/// What a second of weight costs in the relay token's smallest units: 10^8 (0.01 of a
	/// unit of a 10-decimal token). A message that requests an inference (five
	/// instructions and the request, about 30 ms) costs about 3 * 10^6.
	pub const RelayTokenPerSecondOfWeight: Balance = 100_000_000;
}

impl pallet_balances::Config<RelayTokenInstance> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type DustRemoval = ();
	type ExistentialDeposit = RelayExistentialDeposit;
	/// Its own map of accounts: `System`'s account data holds AIO.
	type AccountStore = StorageMapShim<
		pallet_balances::Account<Runtime, RelayTokenInstance>,
		AccountId,
		pallet_balances::AccountData<Balance>,
	>;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	/// Nothing locks, reserves, holds or freezes the relay token.
	type MaxLocks = ConstU32<0>;
	type MaxReserves = ConstU32<0>;
	type ReserveIdentifier = [u8; 8];
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type FreezeIdentifier = ();
	type MaxFreezes = ConstU32<0>;
	type DoneSlashHandler = ();
}

/// Weight priced in the relay token at [`RelayTokenPerSecondOfWeight`], rounded up.
pub struct RelayWeightToFee;

impl WeightToFee for RelayWeightToFee {
	type Balance = Balance;

	fn weight_to_fee(weight: &Weight) -> Balance {
		Balance::from(weight.ref_time())
			.saturating_mul(RelayTokenPerSecondOfWeight::get())
			.div_ceil(Balance::from(WEIGHT_REF_TIME_PER_SECOND))
	}
}

/// Execution fees paid in the relay token go to the block's author (burnt without one).
pub struct RelayFeesToAuthor;

impl OnUnbalanced<Credit<AccountId, RelayBalances>> for RelayFeesToAuthor {
	fn on_nonzero_unbalanced(fees: Credit<AccountId, RelayBalances>) {
		if let Some(author) = pallet_authorship::Pallet::<Runtime>::author() {
			// Below the existential deposit on a new account: dropped, so burnt.
			let _ = <RelayBalances as Balanced<AccountId>>::resolve(&author, fees);
		}
	}
}
