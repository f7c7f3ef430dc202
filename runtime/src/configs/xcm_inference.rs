//! Inference for sibling parachains: a sibling's `Transact` of
//! `XcmInference::request_with_callback` (with `OriginKind::Native`) makes a request paid by
//! its sovereign account; the result goes back to the sibling over XCMP when the request
//! closes (see pallet-xcm-inference and docs/dapp-developers.md).

use core::marker::PhantomData;

use frame_support::{
	parameter_types,
	traits::{Contains, EnsureOrigin},
};
use polkadot_parachain_primitives::primitives::Sibling;
use sp_runtime::traits::{AccountIdConversion, Convert};
use xcm::latest::prelude::*;

use crate::{
	configs::{
		oracle::{RequestDepositBase, RequestDepositPerByte},
		xcm_config::XcmRouter,
	},
	AccountId, Balance, Balances, InferenceOracle, Runtime, RuntimeHoldReason, RuntimeOrigin,
};

/// The longest call prefix a sibling may name: pallet index, call index and 126 bytes of
/// leading arguments.
pub const MAX_CALLBACK_BYTES: u32 = 128;

/// The longest result call: the longest prefix, the request id (8 bytes), the outcome's
/// variant (1) and compact length (3), and the oracle's longest output (`MaxOutputLen`, 256
/// elements of 8 bytes), with room to spare.
pub const MAX_RESULT_BYTES: u32 = 2_304;

parameter_types! {
	/// A callback's deposit, as a request's retention deposit prices state: a hundredth of
	/// an AIO plus ten millionths of an AIO per byte of the largest outbox entry (about
	/// 0.034 AIO).
	pub const CallbackDeposit: Balance =
		RequestDepositBase::get() + RequestDepositPerByte::get() * (MAX_RESULT_BYTES as Balance + 96);
}

impl pallet_xcm_inference::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Oracle = InferenceOracle;
	type SiblingOrigin = EnsureSiblingParachain<RuntimeOrigin>;
	type SovereignAccount = SiblingSovereignAccount;
	/// Accounts of the form `b"sibl" ++ id ++ 0…`: the oracle's hook does nothing, and
	/// charges nothing, for every other requester.
	type SiblingAccounts = SiblingSovereignAccount;
	type XcmSender = ResultRouter;
	type CallbackDeposit = CallbackDeposit;
	type MaxCallbackBytes = frame_support::traits::ConstU32<MAX_CALLBACK_BYTES>;
	type MaxResultBytes = frame_support::traits::ConstU32<MAX_RESULT_BYTES>;
	/// Sixteen results a block: a few dozen KiB of XCMP pages at most.
	type MaxDeliveriesPerBlock = frame_support::traits::ConstU32<16>;
	type WeightInfo = pallet_xcm_inference::weights::SubstrateWeight<Runtime>;
}

/// A sibling parachain's origin, as `SiblingParachainAsNative` makes it of a `Transact` with
/// `OriginKind::Native` from `(1, Parachain(id))`; succeeds with the id. Generic over the
/// runtime's origin, so that a sibling's runtime (which needs the same check of aioracle's
/// result calls) can use it too.
pub struct EnsureSiblingParachain<Origin>(PhantomData<Origin>);

/// The sibling benchmarks act as.
#[cfg(feature = "runtime-benchmarks")]
const BENCHMARK_SIBLING: u32 = 2_000;

impl<Origin> EnsureOrigin<Origin> for EnsureSiblingParachain<Origin>
where
	Origin:
		Clone + Into<Result<cumulus_pallet_xcm::Origin, Origin>> + From<cumulus_pallet_xcm::Origin>,
{
	type Success = u32;

	fn try_origin(origin: Origin) -> Result<u32, Origin> {
		match origin.clone().into() {
			Ok(cumulus_pallet_xcm::Origin::SiblingParachain(id)) => Ok(id.into()),
			_ => Err(origin),
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<Origin, ()> {
		Ok(cumulus_pallet_xcm::Origin::SiblingParachain(BENCHMARK_SIBLING.into()).into())
	}
}

/// A sibling's sovereign account, as the XCM configuration's `LocationToAccountId` converts
/// `(1, Parachain(id))` (`SiblingParachainConvertsVia<Sibling, AccountId>`): `b"sibl" ++ id
/// ++ 0…`.
pub struct SiblingSovereignAccount;

impl Convert<u32, AccountId> for SiblingSovereignAccount {
	fn convert(para: u32) -> AccountId {
		Sibling::from(para).into_account_truncating()
	}
}

impl Contains<AccountId> for SiblingSovereignAccount {
	fn contains(account: &AccountId) -> bool {
		<Sibling as AccountIdConversion<AccountId>>::try_from_account(account).is_some()
	}
}

/// Results go out through the XCM router (XCMP to siblings). For benchmarks, making a
/// delivery succeed opens an outbound HRMP channel to the sibling, which the router itself
/// does not do.
pub struct ResultRouter;

impl SendXcm for ResultRouter {
	type Ticket = <XcmRouter as SendXcm>::Ticket;

	fn validate(
		destination: &mut Option<Location>,
		message: &mut Option<Xcm<()>>,
	) -> SendResult<Self::Ticket> {
		XcmRouter::validate(destination, message)
	}

	fn deliver(ticket: Self::Ticket) -> Result<XcmHash, SendError> {
		XcmRouter::deliver(ticket)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_successful_delivery(location: Option<Location>) {
		if let Some((1, [Parachain(id)])) = location.as_ref().map(|l| l.unpack()) {
			crate::ParachainSystem::open_outbound_hrmp_channel_for_benchmarks_or_tests(
				(*id).into(),
			);
		}
		XcmRouter::ensure_successful_delivery(location);
	}
}
