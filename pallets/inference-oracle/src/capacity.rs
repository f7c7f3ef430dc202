//! [`CheckRequestCapacity`]: a transaction extension that keeps a request for a block
//! with room for it, instead of letting it fail in a full one.

use codec::DecodeWithMemTracking;
use frame::{
	deps::sp_runtime::{
		impl_tx_ext_default,
		traits::{DispatchInfoOf, DispatchOriginOf, TransactionExtension},
		transaction_validity::{InvalidTransaction, TransactionValidityError},
	},
	traits::IsSubType,
};

use super::*;

/// Refuses `request_inference` with `ExhaustsResources` while the block being built holds
/// `MaxRequestsPerBlock` requests already, as `CheckWeight` does for a full block: the
/// block author leaves the transaction in the pool for a later block, where it is
/// included and succeeds, rather than including it to fail `TooManyRequestsInBlock` and
/// pay for it. Other calls pass through. The pool's own check does nothing: it sees the
/// state of the best block, not of the block the transaction will be in.
///
/// No explicit or implicit data: it adds nothing to what a client signs.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckRequestCapacity<T>(core::marker::PhantomData<T>);

impl<T> CheckRequestCapacity<T> {
	/// The extension.
	pub fn new() -> Self {
		Self(core::marker::PhantomData)
	}
}

impl<T> core::fmt::Debug for CheckRequestCapacity<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckRequestCapacity")
	}
}

impl<T: Config> Pallet<T> {
	/// Whether the current block has room for another request: its requests share one
	/// `Expiries` entry, bounded by `MaxRequestsPerBlock`.
	pub fn has_request_capacity() -> bool {
		let due = Self::now().saturating_add(T::ResponseWindow::get()).saturating_add(One::one());
		(Expiries::<T>::decode_len(due).unwrap_or(0) as u32) < T::MaxRequestsPerBlock::get()
	}
}

impl<T: Config + Send + Sync> TransactionExtension<<T as frame_system::Config>::RuntimeCall>
	for CheckRequestCapacity<T>
where
	<T as frame_system::Config>::RuntimeCall: IsSubType<Call<T>>,
{
	const IDENTIFIER: &'static str = "CheckRequestCapacity";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	/// One read of the block's `Expiries` entry length for a request; nothing otherwise.
	fn weight(&self, call: &<T as frame_system::Config>::RuntimeCall) -> Weight {
		match call.is_sub_type() {
			Some(Call::request_inference { .. }) => T::DbWeight::get().reads(1),
			_ => Weight::zero(),
		}
	}

	fn prepare(
		self,
		_val: Self::Val,
		_origin: &DispatchOriginOf<<T as frame_system::Config>::RuntimeCall>,
		call: &<T as frame_system::Config>::RuntimeCall,
		_info: &DispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
		_len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		if matches!(call.is_sub_type(), Some(Call::request_inference { .. })) &&
			!Pallet::<T>::has_request_capacity()
		{
			log::debug!(target: LOG_TARGET, "block full of requests: one left for a later block");
			return Err(InvalidTransaction::ExhaustsResources.into());
		}
		Ok(())
	}

	impl_tx_ext_default!(<T as frame_system::Config>::RuntimeCall; validate);
}
