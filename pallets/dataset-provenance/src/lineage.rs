//! Lineage: walking the ancestors and descendants of a dataset, and taint.

use crate::*;
use aioracle_primitives::dataset::LineageEntry;

impl<T: Config> Pallet<T> {
	/// Visits every dataset reachable from `parents` through `Parents` (the parents
	/// included) once, passing how many have been visited so far; stops at the first
	/// error of `visit`. Returns the number visited.
	pub(crate) fn try_for_each_ancestor<E>(
		parents: &[DatasetId],
		mut visit: impl FnMut(DatasetId, u32) -> Result<(), E>,
	) -> Result<u32, E> {
		let mut visited = BTreeSet::new();
		let mut queue: Vec<DatasetId> = parents.to_vec();
		while let Some(id) = queue.pop() {
			if !visited.insert(id) {
				continue;
			}
			visit(id, visited.len() as u32)?;
			queue.extend(Parents::<T>::get(id).into_iter().flatten());
		}
		Ok(visited.len() as u32)
	}

	/// The ancestors of `id`, nearest first, up to `max_depth` generations.
	pub fn ancestor_lineage(id: DatasetId, max_depth: u32) -> Option<Lineage> {
		Datasets::<T>::contains_key(id).then(|| {
			Self::walk(id, max_depth, |n| {
				Parents::<T>::get(n).map(|p| p.into_inner()).unwrap_or_default()
			})
		})
	}

	/// The descendants of `id`, nearest first, up to `max_depth` generations.
	pub fn descendant_lineage(id: DatasetId, max_depth: u32) -> Option<Lineage> {
		let limit = T::MaxLineageResults::get() as usize;
		Datasets::<T>::contains_key(id).then(|| {
			// Bounded read of the children: one more than the result limit tells truncation.
			Self::walk(id, max_depth, |n| {
				Children::<T>::iter_key_prefix(n).take(limit + 1).collect()
			})
		})
	}

	/// A breadth-first walk from `start` along `links`, at most `max_depth` (capped at
	/// [`MAX_LINEAGE_QUERY_DEPTH`]) generations and `MaxLineageResults` datasets.
	fn walk(
		start: DatasetId,
		max_depth: u32,
		links: impl Fn(DatasetId) -> Vec<DatasetId>,
	) -> Lineage {
		let max_depth = max_depth.min(MAX_LINEAGE_QUERY_DEPTH);
		let limit = T::MaxLineageResults::get() as usize;
		let mut entries: Vec<LineageEntry> = Vec::new();
		let mut visited = BTreeSet::from([start]);
		let mut frontier = links(start);
		let mut truncated = false;
		let mut depth = 1;
		while !frontier.is_empty() {
			if depth > max_depth {
				truncated = true;
				break;
			}
			let mut next = Vec::new();
			for id in frontier {
				if !visited.insert(id) {
					continue;
				}
				if entries.len() >= limit {
					truncated = true;
					break;
				}
				let id_links = links(id);
				next.extend(id_links.iter().copied().filter(|l| !visited.contains(l)));
				entries.push(LineageEntry {
					id,
					depth,
					links: id_links,
					retracted: Retractions::<T>::contains_key(id),
				});
			}
			if truncated {
				break;
			}
			frontier = next;
			depth += 1;
		}
		Lineage { datasets: entries, truncated }
	}

	/// Whether `id` is retracted, and which of its ancestors are.
	pub fn taint_of(id: DatasetId) -> Option<Taint> {
		if !Datasets::<T>::contains_key(id) {
			return None;
		}
		// Ancestors are fixed at registration and were at most `MaxAncestors` then.
		let parents = Parents::<T>::get(id).map(|p| p.into_inner()).unwrap_or_default();
		let mut retracted_ancestors = Vec::new();
		let _ = Self::try_for_each_ancestor(&parents, |ancestor, _| {
			if Retractions::<T>::contains_key(ancestor) {
				retracted_ancestors.push(ancestor);
			}
			Ok::<(), core::convert::Infallible>(())
		});
		retracted_ancestors.sort();
		Some(Taint { retracted: Retractions::<T>::contains_key(id), retracted_ancestors })
	}
}

impl<T: Config> Pallet<T> {
	/// The datasets among `datasets` and their ancestors that ask a royalty, each once at
	/// its nearest depth (`datasets` at 1), nearest first; refused when one lies deeper than
	/// `max_depth` or there are more than `max_count`. Walks each dataset once: at most
	/// `datasets.len() * (1 + MaxAncestors)` records.
	pub fn royalty_lineage(
		datasets: &[DatasetId],
		max_depth: u32,
		max_count: u32,
	) -> Result<Vec<aioracle_primitives::market::Royalty>, aioracle_primitives::dataset::RoyaltyLineageError>
	{
		use aioracle_primitives::{dataset::RoyaltyLineageError, market::Royalty};
		let mut royalties = Vec::new();
		let mut visited = BTreeSet::new();
		let mut frontier: Vec<DatasetId> = datasets.to_vec();
		let mut depth = 1u32;
		while !frontier.is_empty() {
			let mut next = Vec::new();
			for id in frontier {
				if !visited.insert(id) {
					continue;
				}
				let Some(record) = Datasets::<T>::get(id) else { continue };
				if !record.royalty.is_zero() {
					if depth > max_depth {
						return Err(RoyaltyLineageError::TooDeep);
					}
					if royalties.len() as u32 >= max_count {
						return Err(RoyaltyLineageError::TooMany);
					}
					royalties.push(Royalty { dataset: id, depth, share: record.royalty });
				}
				next.extend(Parents::<T>::get(id).into_iter().flatten());
			}
			frontier = next;
			depth = depth.saturating_add(1);
		}
		Ok(royalties)
	}
}
