//! The XCM messages a sibling parachain sends aioracle, for the tests that execute them.

use aioracle_runtime::RuntimeCall;
use codec::Encode;
use xcm::latest::prelude::*;

/// What sibling `para` sends to have `call` dispatched on aioracle as `origin_kind`:
/// `fees` withdrawn from its sovereign account, execution bought with them, the call, and
/// what is left deposited back to the sovereign account.
pub fn paid_transact(
	para: u32,
	fees: Asset,
	origin_kind: OriginKind,
	call: &RuntimeCall,
) -> Xcm<RuntimeCall> {
	Xcm(vec![
		WithdrawAsset(fees.clone().into()),
		BuyExecution { fees, weight_limit: Unlimited },
		Transact { origin_kind, fallback_max_weight: None, call: call.encode().into() },
		RefundSurplus,
		DepositAsset {
			assets: AllCounted(1).into(),
			beneficiary: Location::new(1, [Parachain(para)]),
		},
	])
}
