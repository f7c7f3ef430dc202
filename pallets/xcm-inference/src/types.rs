//! The records the pallet stores, and what a sibling gives with its request.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame::prelude::*;
use scale_info::TypeInfo;
use xcm::latest::SendError;

/// Where a sibling wants a result: a call of its own, which aioracle completes with the
/// result and sends back as an XCM `Transact`.
///
/// The call sent back is `call_prefix ++ SCALE((request, outcome))`, where `request` is the
/// [`RequestId`](aioracle_primitives::oracle::RequestId) (a `u64`, 8 little-endian bytes)
/// and `outcome` an [`aioracle_primitives::consumer::RemoteOutcome`]. So `call_prefix` is
/// the sibling's pallet index, call index and any leading arguments it wants back (SCALE
/// encoded), and the call's last two arguments are `request: u64, outcome: RemoteOutcome`.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxBytes))]
pub struct Callback<MaxBytes: Get<u32>> {
	/// The sibling's encoded call up to the result: pallet index, call index, leading
	/// arguments.
	pub call_prefix: BoundedVec<u8, MaxBytes>,
	/// The most the completed call may weigh on the sibling: the `Transact`'s
	/// `fallback_max_weight` and the `UnpaidExecution`'s weight limit.
	pub weight_limit: Weight,
}

/// A callback waiting for its request to close.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxBytes))]
pub struct PendingCallback<AccountId, Balance, MaxBytes: Get<u32>>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The sibling parachain that asked.
	pub para: u32,
	/// Where it wants the result.
	pub callback: Callback<MaxBytes>,
	/// Who holds the deposit: the sibling's sovereign account.
	pub depositor: AccountId,
	/// The deposit held, until the result is delivered or discarded.
	pub deposit: Balance,
}

/// A result waiting to be sent to its sibling: the call is complete.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxBytes))]
pub struct QueuedResult<AccountId, Balance, MaxBytes: Get<u32>>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The sibling parachain it goes to.
	pub para: u32,
	/// The sibling's call with the result appended (see [`Callback`]); empty when the
	/// result did not fit (`failed` is then [`DeliveryError::ResultTooLarge`]).
	pub call: BoundedVec<u8, MaxBytes>,
	/// The most the call may weigh on the sibling.
	pub weight_limit: Weight,
	/// Who holds the deposit: the sibling's sovereign account.
	pub depositor: AccountId,
	/// The deposit held, until the result is delivered or discarded.
	pub deposit: Balance,
	/// Why it could not be sent, once it could not: `on_idle` no longer tries it;
	/// `retry_delivery` does.
	pub failed: Option<DeliveryError>,
}

/// Why a result was not sent: [`SendError`] as stored (without its transport's message),
/// or a result too large to send.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum DeliveryError {
	/// No router knows the destination (`SendError::NotApplicable`).
	#[codec(index = 0)]
	NotApplicable,
	/// The transport failed, e.g. no channel open to the sibling (`SendError::Transport`).
	#[codec(index = 1)]
	Transport,
	/// The destination is unroutable (`SendError::Unroutable`).
	#[codec(index = 2)]
	Unroutable,
	/// The destination does not support the message's version
	/// (`SendError::DestinationUnsupported`).
	#[codec(index = 3)]
	DestinationUnsupported,
	/// The message is larger than the transport takes (`SendError::ExceedsMaxMessageSize`).
	#[codec(index = 4)]
	ExceedsMaxMessageSize,
	/// The router missed an argument (`SendError::MissingArgument`).
	#[codec(index = 5)]
	MissingArgument,
	/// The router asked for fees that could not be paid (`SendError::Fees`).
	#[codec(index = 6)]
	Fees,
	/// The call with the result appended is longer than `MaxResultBytes`: it can never be
	/// sent; its sibling may discard it to get its deposit back.
	#[codec(index = 7)]
	ResultTooLarge,
}

impl From<SendError> for DeliveryError {
	fn from(error: SendError) -> Self {
		match error {
			SendError::NotApplicable => Self::NotApplicable,
			SendError::Transport(_) => Self::Transport,
			SendError::Unroutable => Self::Unroutable,
			SendError::DestinationUnsupported => Self::DestinationUnsupported,
			SendError::ExceedsMaxMessageSize => Self::ExceedsMaxMessageSize,
			SendError::MissingArgument => Self::MissingArgument,
			SendError::Fees => Self::Fees,
		}
	}
}
