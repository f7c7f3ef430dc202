//! What must hold after every block, whatever was sent.

use aioracle_runtime::{
	Balances, DatasetProvenance, InferenceOracle, ModelRegistry, Runtime, RuntimeHoldReason,
};
use frame_support::traits::fungible::InspectHold;

/// Checks every invariant after block `number`: our pallets' `try_state` (always compiled),
/// total issuance against the sum of every account's balance, and every account's holds
/// within its reserved balance; with the `try-runtime` feature, every pallet's `try_state`
/// too (balances, collective, session, ...).
pub fn check(number: u32) -> Result<(), String> {
	DatasetProvenance::do_try_state().map_err(|e| format!("dataset provenance: {e:?}"))?;
	ModelRegistry::do_try_state().map_err(|e| format!("model registry: {e:?}"))?;
	InferenceOracle::do_try_state().map_err(|e| format!("inference oracle: {e:?}"))?;
	aioracle_runtime::XcmInference::do_try_state().map_err(|e| format!("xcm inference: {e:?}"))?;
	let mut total: u128 = 0;
	for (account, info) in frame_system::Account::<Runtime>::iter() {
		total = total.saturating_add(info.data.free).saturating_add(info.data.reserved);
		let held: u128 =
			pallet_balances::Holds::<Runtime>::get(&account).iter().map(|hold| hold.amount).sum();
		if held > info.data.reserved {
			return Err(format!("{account}: {held} held but only {} reserved", info.data.reserved));
		}
		let oracle_bond = Balances::balance_on_hold(
			&RuntimeHoldReason::InferenceOracle(pallet_inference_oracle::HoldReason::OperatorBond),
			&account,
		);
		if oracle_bond > held {
			return Err(format!("{account}: a bond above its holds"));
		}
	}
	let issuance = pallet_balances::TotalIssuance::<Runtime>::get();
	if total != issuance {
		return Err(format!("total issuance {issuance} but the accounts hold {total}"));
	}
	#[cfg(feature = "try-runtime")]
	{
		use frame_support::traits::{TryState, TryStateSelect};
		<aioracle_runtime::AllPalletsWithSystem as TryState<u32>>::try_state(
			number,
			TryStateSelect::All,
		)
		.map_err(|e| format!("try_state: {e:?}"))?;
	}
	let _ = number;
	Ok(())
}
