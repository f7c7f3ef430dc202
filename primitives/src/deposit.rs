//! Deposits as `Consideration` tickets: what a record costs its owner, kept with the record.
//!
//! A pallet that stores something for a user asks its runtime for a ticket type
//! (`HoldConsideration<AccountId, Balances, HoldReason, LinearStoragePrice<..>>` in
//! aioracle's runtime) and stores the ticket beside the record, as pallet-recovery and
//! pallet-preimage do: creating the ticket holds the deposit, updating it to a new
//! footprint holds or releases the difference, dropping it releases it. The pallet never
//! tracks amounts by hand.
//!
//! [`DepositTicket`] adds what `Consideration` does not say and users ask: how much a
//! ticket holds (shown in events and views, summed by `try_state` against the held
//! balances) and what a footprint would cost (for quotes before a call).

use frame_support::traits::{
	fungible::{HoldConsideration, MutateHold},
	Consideration, Footprint, Get,
};
use sp_runtime::{traits::Convert, DispatchError};

/// A deposit ticket that says what it holds.
pub trait DepositTicket<AccountId, Balance>: Consideration<AccountId, Footprint> {
	/// The amount this ticket holds from the account it was created for.
	fn held(&self) -> Balance;

	/// The amount a new ticket for `footprint` would hold.
	fn price(footprint: Footprint) -> Balance;

	/// A ticket for `amount` already held from its account: what a storage migration from
	/// hand-tracked amounts to tickets makes, without moving funds. `None` if this kind of
	/// ticket cannot stand for an amount held.
	fn from_held(amount: Balance) -> Option<Self>;
}

/// `HoldConsideration` keeps exactly one field, the amount it holds, and encodes as that
/// amount alone (frame-support 49, `traits/tokens/fungible/mod.rs`); the field is private,
/// so the amount is read back through its encoding. The dataset pallet's tests pin that
/// layout (`a_ticket_encodes_as_the_amount_it_holds`).
impl<A, F, R, D> DepositTicket<A, F::Balance> for HoldConsideration<A, F, R, D>
where
	F: MutateHold<A>,
	R: Get<F::Reason>,
	D: Convert<Footprint, F::Balance>,
	Self: Consideration<A, Footprint>,
{
	fn held(&self) -> F::Balance {
		codec::Decode::decode(&mut &codec::Encode::encode(self)[..]).unwrap_or_default()
	}

	fn price(footprint: Footprint) -> F::Balance {
		D::convert(footprint)
	}

	fn from_held(amount: F::Balance) -> Option<Self> {
		codec::Decode::decode(&mut &codec::Encode::encode(&amount)[..]).ok()
	}
}

/// The deposit of a record that also keeps bytes outside state (a model's ONNX bytes,
/// indexed into every node's offchain DB): one ticket for the record in state and one for
/// the bytes, each priced on its own footprint (`LinearStoragePrice`s with different
/// rates per byte).
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	codec::Encode,
	codec::Decode,
	scale_info::TypeInfo,
	codec::MaxEncodedLen,
)]
pub struct RecordAndBytes<Record, Bytes> {
	/// The ticket for the record's footprint in state.
	pub record: Record,
	/// The ticket for the bytes kept outside state.
	pub bytes: Bytes,
}

impl<Record, Bytes> RecordAndBytes<Record, Bytes> {
	/// What the two tickets hold together.
	pub fn held<A, B: sp_runtime::Saturating>(&self) -> B
	where
		Record: DepositTicket<A, B>,
		Bytes: DepositTicket<A, B>,
	{
		self.record.held().saturating_add(self.bytes.held())
	}

	/// Takes both tickets from `who`: the record's for `record`, the bytes' for `bytes`.
	pub fn new<A>(who: &A, record: Footprint, bytes: Footprint) -> Result<Self, DispatchError>
	where
		Record: Consideration<A, Footprint>,
		Bytes: Consideration<A, Footprint>,
	{
		Ok(Self { record: Record::new(who, record)?, bytes: Bytes::new(who, bytes)? })
	}

	/// Drops both tickets, releasing what they hold from `who`.
	pub fn drop<A>(self, who: &A) -> Result<(), DispatchError>
	where
		Record: Consideration<A, Footprint>,
		Bytes: Consideration<A, Footprint>,
	{
		self.record.drop(who)?;
		self.bytes.drop(who)
	}
}

/// The footprint of one stored item of `bytes` bytes: what a `LinearStoragePrice`
/// prices as `base + per_byte * bytes`.
pub fn footprint_of_bytes(bytes: usize) -> Footprint {
	Footprint::from_parts(1, bytes)
}
