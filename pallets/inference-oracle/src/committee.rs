//! Committees: who answers a request.
//!
//! A request whose version asks for `m` agreeing operators (`min_agreement`) is served by a
//! committee of `k = 2m - 1` operators (at most `MaxCommittee`, at most the operator set),
//! drawn without replacement from the operator set with probability proportional to bond.
//! With `f = m - 1` dishonest members, the `m` honest ones are a majority: the median of
//! the committee's outputs lies within the honest outputs' range, and no output a minority
//! shares is accepted ([`aggregate`]). Only members may answer, so a registered operator
//! who was not drawn cannot race an answer in, and an operator's chance of a seat follows
//! the share of the total bond it risks.
//!
//! ## Randomness
//! The draw for request `id` is seeded by `blake2_256(T::Randomness::random(b"aioracle/committee"), id)`.
//! The runtime's randomness is the relay chain's BABE randomness of one epoch ago, read
//! from the relay state proof each block: no collator chooses it. It is known for an
//! epoch, so a committee can be predicted before its request is made; choosing one's own
//! committee would take making requests (each paying its fee) until the next id draws it,
//! and it decides nothing about requests of others. The dev chain's mocked relay chain
//! supplies a fixed, predictable value: a documented fallback for development only.

use frame::{deps::sp_io::hashing::blake2_256, traits::Randomness};

use super::*;

/// The subject the runtime's randomness is asked for.
pub const RANDOMNESS_SUBJECT: &[u8] = b"aioracle/committee";

impl<T: Config> Pallet<T> {
	/// The size of the committee a version asking for `min_agreement` agreeing operators
	/// is served by when the operator set has `available` operators: `2 * min_agreement -
	/// 1`, at most `MaxCommittee`, at most `available`.
	pub fn committee_size(min_agreement: u32, available: u32) -> u32 {
		min_agreement
			.max(1)
			.saturating_mul(2)
			.saturating_sub(1)
			.min(T::MaxCommittee::get())
			.min(available)
	}

	/// Draws the committee of request `id` for a version asking for `min_agreement`
	/// agreeing operators, from the operator set without `excluded`. Refused when those
	/// are fewer than `min_agreement`.
	pub(crate) fn draw_committee(
		id: RequestId,
		min_agreement: u32,
		excluded: &[T::AccountId],
	) -> Result<CommitteeOf<T>, Error<T>> {
		let mut candidates = OperatorSet::<T>::get().into_inner();
		candidates.retain(|(account, _)| !excluded.contains(account));
		let size = Self::committee_size(min_agreement, candidates.len() as u32);
		ensure!(size >= min_agreement.max(1), Error::<T>::TooFewOperators);
		let (random, _) = T::Randomness::random(RANDOMNESS_SUBJECT);
		let seed = blake2_256(&(random, id).encode());
		let mut committee = Vec::with_capacity(size as usize);
		for draw in 0..size {
			let at = pick_by_weight(&seed, draw, candidates.iter().map(|(_, bond)| bond));
			committee.push(candidates.remove(at).0);
		}
		// At most `MaxCommittee` members were drawn.
		Ok(BoundedVec::truncate_from(committee))
	}
}

/// The index of the entry picked by draw `draw` of `seed` among entries weighted by
/// `weights` (a non-empty list): entry `i` with probability `weights[i] / sum(weights)`,
/// or uniformly if every weight is zero.
pub fn pick_by_weight<'a, B>(
	seed: &[u8; 32],
	draw: u32,
	weights: impl Iterator<Item = &'a B> + Clone,
) -> usize
where
	B: 'a + Copy + UniqueSaturatedInto<u128>,
{
	let weights = weights.map(|w| (*w).unique_saturated_into());
	let total: u128 = weights.clone().fold(0u128, |sum, w| sum.saturating_add(w));
	let count = weights.clone().count();
	let random =
		u128::from_le_bytes(blake2_256(&(seed, draw).encode())[..16].try_into().unwrap_or([0; 16]));
	if total == 0 {
		return (random % count.max(1) as u128) as usize;
	}
	let mut point = random % total;
	for (i, weight) in weights.enumerate() {
		if point < weight {
			return i;
		}
		point -= weight;
	}
	count.saturating_sub(1)
}
