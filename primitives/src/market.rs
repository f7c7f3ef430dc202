//! The marketplace: what a model version costs per inference beside the operators' fee,
//! who shares it (the model's owner and the owners of its training data, along their
//! lineage), and the trait the oracle pays through. Implemented by `pallet-model-registry`.
//!
//! A version's price is set by its model's owner. Its **shares** are fixed when it is
//! proposed: every dataset it was trained on, and every ancestor of those within
//! `MaxRoyaltyDepth` generations, that asks a royalty takes that royalty of the price;
//! the model's owner takes the rest. Each finalized request's price is credited to its
//! version's earnings, held in the marketplace's pot account; anyone may pay a payee out,
//! to whoever owns its dataset (or the model) at that time.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{traits::Saturating, Permill};

use crate::{
	dataset::DatasetId,
	model::{ModelId, VersionId},
};

/// Who a share of a version's price goes to.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum Payee {
	/// The model's owner: the price less every royalty.
	ModelOwner,
	/// The owner of a dataset in the version's lineage: its royalty of the price.
	Dataset(DatasetId),
}

/// A royalty: a dataset in a version's lineage and the share of the price it takes.
#[derive(
	Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct Royalty {
	/// The dataset, a training dataset or one of their ancestors.
	pub dataset: DatasetId,
	/// How far from the version: 1 for a training dataset, 2 for its parent...
	pub depth: u32,
	/// The share of the version's price its owner takes.
	pub share: Permill,
}

/// Whether `royalties` add up to at most the whole price (the model's owner then takes
/// what they leave).
pub fn within_whole(royalties: &[Royalty]) -> bool {
	let total: u64 = royalties.iter().map(|r| u64::from(r.share.deconstruct())).sum();
	total <= u64::from(Permill::one().deconstruct())
}

/// What `share` of `amount` is, rounded down: what a payee is credited.
pub fn share_of<Balance>(share: Permill, amount: Balance) -> Balance
where
	Balance: sp_runtime::traits::AtLeast32BitUnsigned + Copy,
{
	share.mul_floor(amount)
}

/// The shares of the model's owner and of each royalty in `amount`, each rounded down
/// (the dust, at most one unit per payee, stays unpaid): what each payee is credited.
pub fn split<Balance>(amount: Balance, royalties: &[Royalty]) -> Vec<(Payee, Balance)>
where
	Balance: sp_runtime::traits::AtLeast32BitUnsigned + Copy,
{
	let taken = royalties.iter().fold(Permill::zero(), |sum, r| sum.saturating_add(r.share));
	let owner = Permill::one().saturating_sub(taken);
	let mut parts = Vec::with_capacity(royalties.len() + 1);
	parts.push((Payee::ModelOwner, share_of(owner, amount)));
	parts.extend(royalties.iter().map(|r| (Payee::Dataset(r.dataset), share_of(r.share, amount))));
	parts
}

/// A version's place in the marketplace, as the registry's views return it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct VersionMarket<Balance> {
	/// Its price per inference (zero: free).
	pub price: Balance,
	/// The royalties of its lineage, fixed at proposal; the model's owner takes the rest.
	pub royalties: Vec<Royalty>,
	/// What it has earned so far: the prices of its finalized requests.
	pub earnings: Balance,
}

/// What a request to a model costs now, before a dApp commits to it
/// (`InferenceOracleApi::quote`).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Quote<Balance> {
	/// The version that would answer.
	pub version: VersionId,
	/// The operators' fee, shared by those who agree on the result.
	pub fee: Balance,
	/// The version's price, shared by its model's owner and its data's owners.
	pub price: Balance,
	/// What the request holds and the requester pays: `fee + price`. `max_fee` must be at
	/// least this. Refunded if the request closes without a result.
	pub total: Balance,
	/// The retention deposit held on top, returned when the request is pruned.
	pub deposit: Balance,
	/// How the price is split: the model's owner and each royalty, as credited.
	pub split: Vec<(Payee, Balance)>,
}

/// The marketplace as the oracle sees it: a version's price, and the pot the price of a
/// finalized request is credited to.
pub trait InferenceMarket<AccountId, Balance> {
	/// The price per inference of version `version` of `model` (zero if none is set).
	fn price(model: ModelId, version: VersionId) -> Balance;
	/// The royalties of version `version` of `model`, fixed at its proposal.
	fn royalties(model: ModelId, version: VersionId) -> Vec<Royalty>;
	/// The account that holds earnings until they are paid out. It holds at least the
	/// existential deposit beside them, so any credit lands.
	fn pot() -> AccountId;
	/// Credits `amount`, already moved to [`Self::pot`], to the version's earnings.
	fn credit(model: ModelId, version: VersionId, amount: Balance);
}

/// No marketplace: every version is free.
impl<AccountId: Default, Balance: Default> InferenceMarket<AccountId, Balance> for () {
	fn price(_: ModelId, _: VersionId) -> Balance {
		Balance::default()
	}
	fn royalties(_: ModelId, _: VersionId) -> Vec<Royalty> {
		Vec::new()
	}
	fn pot() -> AccountId {
		AccountId::default()
	}
	fn credit(_: ModelId, _: VersionId, _: Balance) {}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_owner_takes_what_the_royalties_leave_and_dust_is_unpaid() {
		let royalties = [
			Royalty { dataset: 3, depth: 1, share: Permill::from_percent(10) },
			Royalty { dataset: 1, depth: 2, share: Permill::from_percent(5) },
		];
		assert_eq!(
			split(1_000u128, &royalties),
			vec![(Payee::ModelOwner, 850), (Payee::Dataset(3), 100), (Payee::Dataset(1), 50)]
		);
		// 7 units: 10% is 0.7 and 5% 0.35, both rounded down; 85% is 5.95, so 5.
		let parts = split(7u128, &royalties);
		assert_eq!(parts, vec![(Payee::ModelOwner, 5), (Payee::Dataset(3), 0), (Payee::Dataset(1), 0)]);
		assert!(parts.iter().map(|(_, b)| b).sum::<u128>() <= 7);
		assert_eq!(split(500u128, &[]), vec![(Payee::ModelOwner, 500)]);
	}
}
