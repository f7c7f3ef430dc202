//! Unit tests: every call's success, each of its errors, and no state change on error
//! (`assert_noop!` compares the storage root). Invariants are checked after every test.

use crate::{mock::*, *};
use frame::{
	deps::sp_runtime::{DispatchError, TokenError},
	testing_prelude::*,
};

const OPEN: LicenceFlags =
	LicenceFlags { commercial_use: true, derivatives: true, share_alike: false };
const SHARE_ALIKE: LicenceFlags =
	LicenceFlags { commercial_use: true, derivatives: true, share_alike: true };
const NO_DERIVATIVES: LicenceFlags =
	LicenceFlags { commercial_use: true, derivatives: false, share_alike: false };
const NON_COMMERCIAL: LicenceFlags =
	LicenceFlags { commercial_use: false, derivatives: true, share_alike: false };

fn hash(n: u8) -> ContentHash {
	H256::repeat_byte(n)
}

/// The arguments of a valid registration; tests change what they test.
struct Reg {
	hash: ContentHash,
	uri: Vec<u8>,
	licence: Vec<u8>,
	flags: LicenceFlags,
	parents: Vec<DatasetId>,
	derivation: Option<Derivation<Vec<u8>>>,
	permissions: UsagePermissions,
	royalty: Permill,
}

impl Reg {
	fn new(n: u8) -> Self {
		Reg {
			hash: hash(n),
			uri: b"ipfs://data".to_vec(),
			licence: b"CC-BY-4.0".to_vec(),
			flags: OPEN,
			parents: vec![],
			derivation: None,
			permissions: UsagePermissions::ALL_ALLOWED,
			royalty: Permill::zero(),
		}
	}
	fn permissions(mut self, permissions: UsagePermissions) -> Self {
		self.permissions = permissions;
		self
	}
	fn royalty(mut self, royalty: Permill) -> Self {
		self.royalty = royalty;
		self
	}
	fn registration(self) -> Registration {
		Registration {
			content_hash: self.hash,
			size_bytes: 1_000,
			record_count: Some(10),
			uri: self.uri,
			licence: self.licence,
			licence_flags: self.flags,
			schema_hash: None,
			parents: self.parents,
			derivation: self.derivation,
			permissions: self.permissions,
			royalty: self.royalty,
		}
	}
	fn derived_from(mut self, parents: Vec<DatasetId>) -> Self {
		self.parents = parents;
		self.derivation = Some(Derivation::Description(b"deduplicated".to_vec()));
		self
	}
	fn licence(mut self, spdx: &[u8], flags: LicenceFlags) -> Self {
		self.licence = spdx.to_vec();
		self.flags = flags;
		self
	}
	fn submit(self, who: u64) -> DispatchResultWithPostInfo {
		DatasetProvenance::register_dataset(RuntimeOrigin::signed(who), self.registration())
	}
}

/// Registers dataset `n` as `who` and returns its id.
fn register(who: u64, reg: Reg) -> DatasetId {
	let id = NextDatasetId::<Test>::get();
	assert_ok!(reg.submit(who));
	id
}

fn held(reason: HoldReason, who: u64) -> u128 {
	<Balances as frame::traits::fungible::InspectHold<u64>>::balance_on_hold(&reason.into(), &who)
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

mod register_dataset {
	use super::*;

	#[test]
	fn registers_a_root_dataset_and_holds_its_deposit() {
		ExtBuilder::build_and_execute(|| {
			let id = register(ALICE, Reg::new(1));
			assert_eq!(id, 0);
			let record = Datasets::<Test>::get(0).unwrap();
			assert_eq!(record.owner, ALICE);
			assert_eq!(record.content_hash, hash(1));
			assert_eq!(record.size_bytes, 1_000);
			assert_eq!(record.record_count, Some(10));
			assert_eq!(record.licence.spdx.to_vec(), b"CC-BY-4.0".to_vec());
			assert_eq!(record.registered_at, 1);
			assert_eq!(DatasetIdByHash::<Test>::get(hash(1)), Some(0));
			assert_eq!(NextDatasetId::<Test>::get(), 1);
			assert!(Parents::<Test>::get(0).is_none());

			let expected = DEPOSIT_BASE + DEPOSIT_PER_BYTE * (record.encoded_size() as u128 + 1);
			assert_eq!(record.deposit.held(), expected);
			assert_eq!(held(HoldReason::DatasetStorage, ALICE), expected);
			assert_eq!(
				last_event(),
				Event::DatasetRegistered {
					dataset: 0,
					owner: ALICE,
					content_hash: hash(1),
					parents: Default::default(),
					deposit: expected,
					permissions: UsagePermissions::ALL_ALLOWED,
					royalty: Permill::zero(),
				}
				.into()
			);
		});
	}

	#[test]
	fn registers_a_derived_dataset_with_its_lineage() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			let b = register(BOB, Reg::new(2));
			let c = register(CHARLIE, Reg::new(3).derived_from(vec![a, b]));
			assert_eq!(Parents::<Test>::get(c).unwrap().to_vec(), vec![a, b]);
			assert!(Children::<Test>::contains_key(a, c));
			assert!(Children::<Test>::contains_key(b, c));
			assert_eq!(
				Datasets::<Test>::get(c).unwrap().derivation,
				Some(Derivation::Description(b"deduplicated".to_vec().try_into().unwrap()))
			);
			// The parent links are paid for too.
			let record = Datasets::<Test>::get(c).unwrap();
			let parents = Parents::<Test>::get(c).unwrap();
			assert_eq!(
				record.deposit.held(),
				DEPOSIT_BASE + (record.encoded_size() + parents.encoded_size()) as u128
			);
		});
	}

	#[test]
	fn accepts_a_code_hash_derivation() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			let mut reg = Reg::new(2).derived_from(vec![a]);
			reg.derivation = Some(Derivation::CodeHash(H256::repeat_byte(9)));
			let b = register(ALICE, reg);
			assert_eq!(
				Datasets::<Test>::get(b).unwrap().derivation,
				Some(Derivation::CodeHash(H256::repeat_byte(9)))
			);
		});
	}

	#[test]
	fn refuses_a_duplicate_hash() {
		ExtBuilder::build_and_execute(|| {
			register(ALICE, Reg::new(1));
			assert_noop!(Reg::new(1).submit(BOB), Error::<Test>::AlreadyRegistered);
		});
	}

	#[test]
	fn refuses_an_unknown_parent() {
		ExtBuilder::build_and_execute(|| {
			assert_noop!(
				Reg::new(1).derived_from(vec![7]).submit(ALICE),
				Error::<Test>::ParentNotFound
			);
		});
	}

	#[test]
	fn refuses_a_duplicate_parent() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			assert_noop!(
				Reg::new(2).derived_from(vec![a, a]).submit(ALICE),
				Error::<Test>::DuplicateParent
			);
		});
	}

	#[test]
	fn refuses_too_many_parents() {
		ExtBuilder::build_and_execute(|| {
			let parents: Vec<_> =
				(1..=MAX_PARENTS as u8 + 1).map(|n| register(ALICE, Reg::new(n))).collect();
			assert_noop!(
				Reg::new(50).derived_from(parents).submit(ALICE),
				Error::<Test>::TooManyParents
			);
		});
	}

	#[test]
	fn refuses_too_many_ancestors() {
		ExtBuilder::build_and_execute(|| {
			// A chain of MAX_ANCESTORS datasets: its tip has MAX_ANCESTORS - 1 ancestors.
			let mut tip = register(ALICE, Reg::new(1));
			for n in 2..=MAX_ANCESTORS as u8 {
				tip = register(ALICE, Reg::new(n).derived_from(vec![tip]));
			}
			// A child of the tip has exactly MAX_ANCESTORS ancestors: allowed...
			let child = register(ALICE, Reg::new(100).derived_from(vec![tip]));
			// ...but its own child would have one more.
			assert_noop!(
				Reg::new(101).derived_from(vec![child]).submit(ALICE),
				Error::<Test>::TooManyAncestors
			);
		});
	}

	#[test]
	fn counts_shared_ancestors_once() {
		ExtBuilder::build_and_execute(|| {
			// A diamond: root -> (l, r) -> child has 3 ancestors, not 4.
			let root = register(ALICE, Reg::new(1));
			let l = register(ALICE, Reg::new(2).derived_from(vec![root]));
			let r = register(ALICE, Reg::new(3).derived_from(vec![root]));
			let child = register(ALICE, Reg::new(4).derived_from(vec![l, r]));
			assert_eq!(DatasetProvenance::ancestors(child, 10).unwrap().datasets.len(), 3);
		});
	}

	#[test]
	fn refuses_oversized_fields() {
		ExtBuilder::build_and_execute(|| {
			let mut reg = Reg::new(1);
			reg.uri = vec![b'u'; MAX_URI_LEN as usize + 1];
			assert_noop!(reg.submit(ALICE), Error::<Test>::UriTooLong);

			let reg = Reg::new(1).licence(&[b'L'; MAX_LICENCE_LEN as usize + 1], OPEN);
			assert_noop!(reg.submit(ALICE), Error::<Test>::LicenceTooLong);

			let a = register(ALICE, Reg::new(2));
			let mut reg = Reg::new(3).derived_from(vec![a]);
			reg.derivation =
				Some(Derivation::Description(vec![b'd'; MAX_DESCRIPTION_LEN as usize + 1]));
			assert_noop!(reg.submit(ALICE), Error::<Test>::DescriptionTooLong);
		});
	}

	#[test]
	fn accepts_fields_at_their_bounds() {
		ExtBuilder::build_and_execute(|| {
			let mut reg = Reg::new(1).licence(&[b'L'; MAX_LICENCE_LEN as usize], OPEN);
			reg.uri = vec![b'u'; MAX_URI_LEN as usize];
			assert_ok!(reg.submit(ALICE));
		});
	}

	#[test]
	fn refuses_an_empty_licence() {
		ExtBuilder::build_and_execute(|| {
			assert_noop!(Reg::new(1).licence(b"", OPEN).submit(ALICE), Error::<Test>::EmptyLicence);
		});
	}

	#[test]
	fn refuses_a_derivation_without_parents() {
		ExtBuilder::build_and_execute(|| {
			let mut reg = Reg::new(1);
			reg.derivation = Some(Derivation::CodeHash(H256::zero()));
			assert_noop!(reg.submit(ALICE), Error::<Test>::DerivationWithoutParents);
		});
	}

	#[test]
	fn refuses_a_parent_that_forbids_derivatives() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1).licence(b"CC-BY-ND-4.0", NO_DERIVATIVES));
			assert_noop!(
				Reg::new(2).derived_from(vec![a]).submit(BOB),
				Error::<Test>::ParentForbidsDerivatives
			);
		});
	}

	#[test]
	fn share_alike_parents_pass_their_licence_on() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1).licence(b"CC-BY-SA-4.0", SHARE_ALIKE));
			// Another licence is refused...
			assert_noop!(
				Reg::new(2).derived_from(vec![a]).submit(BOB),
				Error::<Test>::ShareAlikeLicenceNotCarried
			);
			// ...so is the same identifier with other flags...
			assert_noop!(
				Reg::new(2).derived_from(vec![a]).licence(b"CC-BY-SA-4.0", OPEN).submit(BOB),
				Error::<Test>::ShareAlikeLicenceNotCarried
			);
			// ...the same licence is accepted.
			assert_ok!(Reg::new(2)
				.derived_from(vec![a])
				.licence(b"CC-BY-SA-4.0", SHARE_ALIKE)
				.submit(BOB));
		});
	}

	#[test]
	fn non_commercial_parents_forbid_commercial_children() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1).licence(b"CC-BY-NC-4.0", NON_COMMERCIAL));
			assert_noop!(
				Reg::new(2).derived_from(vec![a]).submit(BOB),
				Error::<Test>::CommercialUseForbiddenByParent
			);
			assert_ok!(Reg::new(2)
				.derived_from(vec![a])
				.licence(b"CC-BY-NC-4.0", NON_COMMERCIAL)
				.submit(BOB));
		});
	}

	#[test]
	fn refuses_to_derive_from_tainted_data() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			let b = register(ALICE, Reg::new(2).derived_from(vec![a]));
			assert_ok!(DatasetProvenance::retract(
				RuntimeOrigin::signed(ALICE),
				a,
				b"gone".to_vec()
			));
			// The parent itself is retracted...
			assert_noop!(
				Reg::new(3).derived_from(vec![a]).submit(BOB),
				Error::<Test>::AncestorRetracted
			);
			// ...or only tainted.
			assert_noop!(
				Reg::new(3).derived_from(vec![b]).submit(BOB),
				Error::<Test>::AncestorRetracted
			);
		});
	}

	#[test]
	fn refuses_when_the_deposit_cannot_be_held() {
		ExtBuilder::build_and_execute(|| {
			assert_noop!(Reg::new(1).submit(POOR), TokenError::FundsUnavailable);
		});
	}

	#[test]
	fn refuses_unsigned_origins() {
		ExtBuilder::build_and_execute(|| {
			assert_noop!(
				DatasetProvenance::register_dataset(
					RuntimeOrigin::none(),
					Reg::new(1).registration()
				),
				DispatchError::BadOrigin
			);
		});
	}

	#[test]
	fn refunds_weight_down_to_the_ancestors_walked() {
		ExtBuilder::build_and_execute(|| {
			let post = Reg::new(1).submit(ALICE).unwrap();
			assert_eq!(post.actual_weight, Some(<() as WeightInfo>::register_dataset(1, 0)));
			// Two parents, one of them with a grandparent: 3 ancestors, 2 parents.
			let a = register(ALICE, Reg::new(2));
			let b = register(ALICE, Reg::new(3).derived_from(vec![a]));
			let c = register(ALICE, Reg::new(4));
			let post = Reg::new(5).derived_from(vec![b, c]).submit(ALICE).unwrap();
			assert_eq!(post.actual_weight, Some(<() as WeightInfo>::register_dataset(2, 1)));
			// Charged up front for the worst case that many parents can bring.
			let call = crate::Call::<Test>::register_dataset {
				registration: Reg::new(6).derived_from(vec![b, c]).registration(),
			};
			assert_eq!(
				call.get_dispatch_info().call_weight,
				<() as WeightInfo>::register_dataset(2, MAX_ANCESTORS - 2)
			);
		});
	}
}

mod update_uri {
	use super::*;

	#[test]
	fn updates_the_uri_and_adjusts_the_deposit() {
		ExtBuilder::build_and_execute(|| {
			let id = register(ALICE, Reg::new(1));
			let before = Datasets::<Test>::get(id).unwrap().deposit.held();
			let longer = b"https://example.org/data.tar".to_vec();
			assert_ok!(DatasetProvenance::update_uri(
				RuntimeOrigin::signed(ALICE),
				id,
				longer.clone()
			));
			let record = Datasets::<Test>::get(id).unwrap();
			assert_eq!(record.uri.to_vec(), longer);
			assert_eq!(record.content_hash, hash(1));
			let grown = (longer.len() - b"ipfs://data".len()) as u128 * DEPOSIT_PER_BYTE;
			assert_eq!(record.deposit.held(), before + grown);
			assert_eq!(held(HoldReason::DatasetStorage, ALICE), before + grown);
			assert_eq!(
				last_event(),
				Event::UriUpdated { dataset: id, uri: longer.try_into().unwrap() }.into()
			);
			// Shorter again: the difference is released.
			assert_ok!(DatasetProvenance::update_uri(
				RuntimeOrigin::signed(ALICE),
				id,
				b"x".to_vec()
			));
			assert!(held(HoldReason::DatasetStorage, ALICE) < before);
		});
	}

	#[test]
	fn errors() {
		ExtBuilder::build_and_execute(|| {
			let id = register(ALICE, Reg::new(1));
			assert_noop!(
				DatasetProvenance::update_uri(RuntimeOrigin::signed(BOB), id, b"x".to_vec()),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				DatasetProvenance::update_uri(RuntimeOrigin::signed(ALICE), 9, b"x".to_vec()),
				Error::<Test>::DatasetNotFound
			);
			assert_noop!(
				DatasetProvenance::update_uri(
					RuntimeOrigin::signed(ALICE),
					id,
					vec![0; MAX_URI_LEN as usize + 1]
				),
				Error::<Test>::UriTooLong
			);
		});
	}
}

/// Changing owner takes two steps, so that nobody is made to pay a deposit unasked.
mod ownership {
	use super::*;

	fn offer(from: u64, id: DatasetId, to: Option<u64>) -> DispatchResult {
		DatasetProvenance::offer_ownership(RuntimeOrigin::signed(from), id, to)
	}

	fn accept(who: u64, id: DatasetId) -> DispatchResult {
		DatasetProvenance::accept_ownership(RuntimeOrigin::signed(who), id)
	}

	#[test]
	fn an_offer_moves_nothing_until_accepted() {
		ExtBuilder::build_and_execute(|| {
			let id = register(ALICE, Reg::new(1));
			let deposit = held(HoldReason::DatasetStorage, ALICE);
			assert_ok!(offer(ALICE, id, Some(BOB)));
			assert_eq!(
				last_event(),
				Event::OwnershipOffered { dataset: id, from: ALICE, to: Some(BOB) }.into()
			);
			assert_eq!(OwnershipOffers::<Test>::get(id), Some(BOB));
			assert_eq!(Datasets::<Test>::get(id).unwrap().owner, ALICE);
			assert_eq!(held(HoldReason::DatasetStorage, ALICE), deposit);
			assert_eq!(held(HoldReason::DatasetStorage, BOB), 0);
			// The owner still controls it.
			assert_ok!(DatasetProvenance::update_uri(
				RuntimeOrigin::signed(ALICE),
				id,
				b"a".to_vec()
			));
		});
	}

	#[test]
	fn accepting_moves_the_record_and_its_deposit() {
		ExtBuilder::build_and_execute(|| {
			let parent = register(CHARLIE, Reg::new(9));
			let id = register(ALICE, Reg::new(1).derived_from(vec![parent]));
			let deposit = held(HoldReason::DatasetStorage, ALICE);
			let bob_free = Balances::free_balance(BOB);
			assert_ok!(offer(ALICE, id, Some(BOB)));
			assert_ok!(accept(BOB, id));
			assert_eq!(
				last_event(),
				Event::OwnershipTransferred { dataset: id, from: ALICE, to: BOB }.into()
			);
			let record = Datasets::<Test>::get(id).unwrap();
			assert_eq!(record.owner, BOB);
			assert_eq!(record.deposit.held(), deposit);
			assert_eq!(held(HoldReason::DatasetStorage, ALICE), 0);
			assert_eq!(held(HoldReason::DatasetStorage, BOB), deposit);
			assert_eq!(Balances::free_balance(ALICE), START_BALANCE);
			assert_eq!(Balances::free_balance(BOB), bob_free - deposit);
			assert!(!OwnershipOffers::<Test>::contains_key(id));
			// The new owner controls it, the old one no longer does.
			assert_ok!(DatasetProvenance::update_uri(
				RuntimeOrigin::signed(BOB),
				id,
				b"b".to_vec()
			));
			assert_noop!(
				DatasetProvenance::update_uri(RuntimeOrigin::signed(ALICE), id, b"c".to_vec()),
				Error::<Test>::NotOwner
			);
			// And may pass it on: the ticket it took is its own.
			assert_ok!(offer(BOB, id, Some(ALICE)));
			assert_ok!(accept(ALICE, id));
			assert_eq!(held(HoldReason::DatasetStorage, BOB), 0);
		});
	}

	#[test]
	fn a_new_offer_replaces_the_old_and_a_withdrawn_one_cannot_be_accepted() {
		ExtBuilder::build_and_execute(|| {
			let id = register(ALICE, Reg::new(1));
			assert_ok!(offer(ALICE, id, Some(BOB)));
			assert_ok!(offer(ALICE, id, Some(CHARLIE)));
			assert_noop!(accept(BOB, id), Error::<Test>::NoOwnershipOffer);
			assert_ok!(offer(ALICE, id, None));
			assert_eq!(
				last_event(),
				Event::OwnershipOffered { dataset: id, from: ALICE, to: None }.into()
			);
			assert_noop!(accept(CHARLIE, id), Error::<Test>::NoOwnershipOffer);
			assert_eq!(Datasets::<Test>::get(id).unwrap().owner, ALICE);
		});
	}

	#[test]
	fn offer_errors_leave_state_unchanged() {
		ExtBuilder::build_and_execute(|| {
			let id = register(ALICE, Reg::new(1));
			assert_noop!(offer(BOB, id, Some(CHARLIE)), Error::<Test>::NotOwner);
			assert_noop!(offer(ALICE, 9, Some(BOB)), Error::<Test>::DatasetNotFound);
			assert_noop!(offer(ALICE, id, Some(ALICE)), Error::<Test>::AlreadyOwner);
			assert_noop!(offer(ALICE, id, None), Error::<Test>::NoOwnershipOffer);
		});
	}

	#[test]
	fn accept_errors_leave_state_unchanged() {
		ExtBuilder::build_and_execute(|| {
			let id = register(ALICE, Reg::new(1));
			assert_noop!(accept(BOB, id), Error::<Test>::NoOwnershipOffer);
			assert_noop!(accept(BOB, 9), Error::<Test>::NoOwnershipOffer);
			assert_ok!(offer(ALICE, id, Some(POOR)));
			// The caller must be the account offered.
			assert_noop!(accept(BOB, id), Error::<Test>::NoOwnershipOffer);
			// An account that cannot pay the deposit cannot take the record over.
			assert_noop!(accept(POOR, id), TokenError::FundsUnavailable);
			assert_eq!(OwnershipOffers::<Test>::get(id), Some(POOR));
		});
	}
}

mod retract {
	use super::*;

	#[test]
	fn the_owner_retracts_and_descendants_are_tainted() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			let b = register(BOB, Reg::new(2).derived_from(vec![a]));
			let c = register(CHARLIE, Reg::new(3).derived_from(vec![b]));
			let other = register(CHARLIE, Reg::new(4));
			let deposit = held(HoldReason::DatasetStorage, ALICE);

			assert_ok!(DatasetProvenance::retract(
				RuntimeOrigin::signed(ALICE),
				a,
				b"no consent".to_vec()
			));
			let retraction = Retractions::<Test>::get(a).unwrap();
			assert_eq!(retraction.by, Retractor::Owner(ALICE));
			assert_eq!(retraction.reason.to_vec(), b"no consent".to_vec());
			assert_eq!(
				last_event(),
				Event::DatasetRetracted { dataset: a, by: Retractor::Owner(ALICE) }.into()
			);
			// Never deleted, deposit kept.
			assert!(Datasets::<Test>::contains_key(a));
			assert_eq!(held(HoldReason::DatasetStorage, ALICE), deposit);

			assert_eq!(
				DatasetProvenance::taint(a).unwrap(),
				Taint { retracted: true, retracted_ancestors: vec![] }
			);
			assert_eq!(
				DatasetProvenance::taint(c).unwrap(),
				Taint { retracted: false, retracted_ancestors: vec![a] }
			);
			assert!(DatasetProvenance::is_tainted(b));
			assert!(<DatasetProvenance as DatasetInspect>::is_tainted(c));
			assert!(!<DatasetProvenance as DatasetInspect>::is_tainted(other));
		});
	}

	#[test]
	fn governance_retracts_any_dataset() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			let b = register(ALICE, Reg::new(2));
			assert_ok!(DatasetProvenance::retract(RuntimeOrigin::root(), a, b"takedown".to_vec()));
			assert_eq!(Retractions::<Test>::get(a).unwrap().by, Retractor::Governance);
			// A signed account recognised by RetractOrigin acts as governance too.
			assert_ok!(DatasetProvenance::retract(RuntimeOrigin::signed(GOVERNANCE), b, vec![]));
			assert_eq!(Retractions::<Test>::get(b).unwrap().by, Retractor::Governance);
		});
	}

	#[test]
	fn errors() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			assert_noop!(
				DatasetProvenance::retract(RuntimeOrigin::signed(BOB), a, vec![]),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				DatasetProvenance::retract(RuntimeOrigin::signed(ALICE), 9, vec![]),
				Error::<Test>::DatasetNotFound
			);
			assert_noop!(
				DatasetProvenance::retract(
					RuntimeOrigin::signed(ALICE),
					a,
					vec![0; MAX_REASON_LEN as usize + 1]
				),
				Error::<Test>::ReasonTooLong
			);
			assert_noop!(
				DatasetProvenance::retract(RuntimeOrigin::none(), a, vec![]),
				DispatchError::BadOrigin
			);
			assert_ok!(DatasetProvenance::retract(RuntimeOrigin::signed(ALICE), a, vec![]));
			assert_noop!(
				DatasetProvenance::retract(RuntimeOrigin::root(), a, vec![]),
				Error::<Test>::AlreadyRetracted
			);
		});
	}
}

mod attestations {
	use super::*;

	#[test]
	fn anyone_attests_and_the_author_revokes() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			let statement = H256::repeat_byte(0xaa);
			assert_ok!(DatasetProvenance::attest(
				RuntimeOrigin::signed(BOB),
				a,
				AttestationKind::Quality,
				statement
			));
			assert_eq!(held(HoldReason::AttestationStorage, BOB), ATTESTATION_DEPOSIT);
			assert_eq!(
				last_event(),
				Event::Attested {
					dataset: a,
					author: BOB,
					kind: AttestationKind::Quality,
					statement_hash: statement
				}
				.into()
			);
			// The same author may attest another kind; another author the same kind.
			assert_ok!(DatasetProvenance::attest(
				RuntimeOrigin::signed(BOB),
				a,
				AttestationKind::Audit,
				statement
			));
			assert_ok!(DatasetProvenance::attest(
				RuntimeOrigin::signed(CHARLIE),
				a,
				AttestationKind::Quality,
				statement
			));
			let views = DatasetProvenance::attestation_views(a);
			assert_eq!(views.len(), 3);
			assert_eq!((views[0].author, views[0].kind), (BOB, AttestationKind::Quality));

			assert_ok!(DatasetProvenance::revoke_attestation(
				RuntimeOrigin::signed(BOB),
				a,
				AttestationKind::Quality
			));
			assert_eq!(held(HoldReason::AttestationStorage, BOB), ATTESTATION_DEPOSIT);
			assert_eq!(
				last_event(),
				Event::AttestationRevoked {
					dataset: a,
					author: BOB,
					kind: AttestationKind::Quality
				}
				.into()
			);
			assert_eq!(DatasetProvenance::attestation_views(a).len(), 2);
		});
	}

	#[test]
	fn revoking_the_last_attestation_clears_storage() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			assert_ok!(DatasetProvenance::attest(
				RuntimeOrigin::signed(BOB),
				a,
				AttestationKind::Consent,
				H256::zero()
			));
			assert_ok!(DatasetProvenance::revoke_attestation(
				RuntimeOrigin::signed(BOB),
				a,
				AttestationKind::Consent
			));
			assert!(!Attestations::<Test>::contains_key(a));
			assert_eq!(held(HoldReason::AttestationStorage, BOB), 0);
		});
	}

	#[test]
	fn a_retracted_dataset_can_still_be_attested() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			assert_ok!(DatasetProvenance::retract(RuntimeOrigin::root(), a, vec![]));
			assert_ok!(DatasetProvenance::attest(
				RuntimeOrigin::signed(BOB),
				a,
				AttestationKind::Other,
				H256::zero()
			));
		});
	}

	#[test]
	fn attest_errors() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			let attest = |who, kind| {
				DatasetProvenance::attest(RuntimeOrigin::signed(who), a, kind, H256::zero())
			};
			assert_noop!(
				DatasetProvenance::attest(
					RuntimeOrigin::signed(BOB),
					9,
					AttestationKind::Quality,
					H256::zero()
				),
				Error::<Test>::DatasetNotFound
			);
			assert_ok!(attest(BOB, AttestationKind::Quality));
			assert_noop!(attest(BOB, AttestationKind::Quality), Error::<Test>::AlreadyAttested);
			assert_ok!(attest(BOB, AttestationKind::Audit));
			assert_ok!(attest(CHARLIE, AttestationKind::Audit));
			assert_noop!(attest(ALICE, AttestationKind::Audit), Error::<Test>::TooManyAttestations);
			assert_noop!(
				DatasetProvenance::attest(
					RuntimeOrigin::signed(NOBODY),
					a,
					AttestationKind::Other,
					H256::zero()
				),
				Error::<Test>::TooManyAttestations
			);
		});
	}

	#[test]
	fn attest_needs_the_deposit() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			assert_noop!(
				DatasetProvenance::attest(
					RuntimeOrigin::signed(NOBODY),
					a,
					AttestationKind::Other,
					H256::zero()
				),
				TokenError::FundsUnavailable
			);
		});
	}

	#[test]
	fn revoke_errors() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			assert_ok!(DatasetProvenance::attest(
				RuntimeOrigin::signed(BOB),
				a,
				AttestationKind::Quality,
				H256::zero()
			));
			// Not the author, not the kind, not the dataset.
			assert_noop!(
				DatasetProvenance::revoke_attestation(
					RuntimeOrigin::signed(CHARLIE),
					a,
					AttestationKind::Quality
				),
				Error::<Test>::AttestationNotFound
			);
			assert_noop!(
				DatasetProvenance::revoke_attestation(
					RuntimeOrigin::signed(BOB),
					a,
					AttestationKind::Audit
				),
				Error::<Test>::AttestationNotFound
			);
			assert_noop!(
				DatasetProvenance::revoke_attestation(
					RuntimeOrigin::signed(BOB),
					9,
					AttestationKind::Quality
				),
				Error::<Test>::AttestationNotFound
			);
		});
	}
}

mod reading {
	use super::*;

	#[test]
	fn views_by_id_and_hash() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			let b = register(BOB, Reg::new(2).derived_from(vec![a]));
			let view = DatasetProvenance::dataset_view(b).unwrap();
			assert_eq!(view.id, b);
			assert_eq!(view.owner, BOB);
			assert_eq!(view.parents, vec![a]);
			assert_eq!(view.licence, b"CC-BY-4.0".to_vec());
			assert_eq!(view.retraction, None);
			assert_eq!(DatasetProvenance::dataset_view_by_hash(hash(2)), Some(view));
			assert_eq!(DatasetProvenance::dataset_view(9), None);
			assert_eq!(DatasetProvenance::dataset_view_by_hash(hash(9)), None);
			assert_eq!(DatasetProvenance::ancestors(9, 1), None);
			assert_eq!(DatasetProvenance::descendants(9, 1), None);
			assert_eq!(DatasetProvenance::taint(9), None);
		});
	}

	#[test]
	fn ancestors_and_descendants_by_depth() {
		ExtBuilder::build_and_execute(|| {
			// root -> mid -> leaf, and other -> leaf
			let root = register(ALICE, Reg::new(1));
			let mid = register(ALICE, Reg::new(2).derived_from(vec![root]));
			let other = register(ALICE, Reg::new(3));
			let leaf = register(ALICE, Reg::new(4).derived_from(vec![mid, other]));

			let up = DatasetProvenance::ancestors(leaf, 10).unwrap();
			assert!(!up.truncated);
			let depths: Vec<_> = up.datasets.iter().map(|e| (e.id, e.depth)).collect();
			assert_eq!(depths, vec![(mid, 1), (other, 1), (root, 2)]);
			assert_eq!(up.datasets[0].links, vec![root]);

			let one = DatasetProvenance::ancestors(leaf, 1).unwrap();
			assert_eq!(one.datasets.len(), 2);
			assert!(one.truncated);

			let down = DatasetProvenance::descendants(root, 10).unwrap();
			let depths: Vec<_> = down.datasets.iter().map(|e| (e.id, e.depth)).collect();
			assert_eq!(depths, vec![(mid, 1), (leaf, 2)]);
			assert!(!down.truncated);
		});
	}

	#[test]
	fn lineage_walks_stop_at_the_result_limit() {
		ExtBuilder::build_and_execute(|| {
			let root = register(ALICE, Reg::new(1));
			for n in 0..MAX_LINEAGE_RESULTS as u8 + 2 {
				register(ALICE, Reg::new(10 + n).derived_from(vec![root]));
			}
			let down = DatasetProvenance::descendants(root, 10).unwrap();
			assert_eq!(down.datasets.len(), MAX_LINEAGE_RESULTS as usize);
			assert!(down.truncated);
		});
	}

	#[test]
	fn lineage_entries_mark_retracted_datasets() {
		ExtBuilder::build_and_execute(|| {
			let root = register(ALICE, Reg::new(1));
			let child = register(ALICE, Reg::new(2).derived_from(vec![root]));
			assert_ok!(DatasetProvenance::retract(RuntimeOrigin::root(), root, vec![]));
			let up = DatasetProvenance::ancestors(child, 5).unwrap();
			assert!(up.datasets[0].retracted);
			assert_eq!(DatasetProvenance::licence_flags(child), Some(OPEN));
			assert!(DatasetProvenance::exists(child));
			assert!(!DatasetProvenance::exists(7));
		});
	}
}

mod invariants {
	use super::*;

	#[test]
	fn try_state_catches_a_broken_hash_index() {
		ExtBuilder::build().execute_with(|| {
			let a = register(ALICE, Reg::new(1));
			DatasetIdByHash::<Test>::remove(hash(1));
			assert!(DatasetProvenance::do_try_state().is_err());
			DatasetIdByHash::<Test>::insert(hash(1), a);
			assert_ok!(DatasetProvenance::do_try_state());
		});
	}

	#[test]
	fn try_state_catches_a_missing_child_link() {
		ExtBuilder::build().execute_with(|| {
			let a = register(ALICE, Reg::new(1));
			let b = register(ALICE, Reg::new(2).derived_from(vec![a]));
			Children::<Test>::remove(a, b);
			assert!(DatasetProvenance::do_try_state().is_err());
		});
	}

	#[test]
	fn try_state_catches_a_deposit_mismatch() {
		ExtBuilder::build().execute_with(|| {
			let a = register(ALICE, Reg::new(1));
			Datasets::<Test>::mutate(a, |d| {
				let d = d.as_mut().unwrap();
				d.deposit = Decode::decode(&mut &(d.deposit.held() + 1).encode()[..]).unwrap();
			});
			assert!(DatasetProvenance::do_try_state().is_err());
		});
	}
}

/// Usage permissions (C2PA/CAWG training and data mining) and royalties.
mod permissions_and_royalty {
	use super::*;

	const NO_TRAINING: UsagePermissions = UsagePermissions {
		ai_training: UsePermission::NotAllowed,
		ai_inference: UsePermission::Allowed,
		data_mining: UsePermission::Allowed,
	};

	fn constrained(n: u8) -> UsePermission {
		UsePermission::Constrained { constraint: H256::repeat_byte(n) }
	}

	#[test]
	fn a_registration_keeps_its_permissions_and_royalty() {
		ExtBuilder::build_and_execute(|| {
			let permissions = UsagePermissions {
				ai_training: constrained(7),
				ai_inference: UsePermission::NotAllowed,
				data_mining: UsePermission::Allowed,
			};
			let royalty = Permill::from_percent(12);
			let id = register(ALICE, Reg::new(1).permissions(permissions).royalty(royalty));
			let record = Datasets::<Test>::get(id).unwrap();
			assert_eq!((record.permissions, record.royalty), (permissions, royalty));
			let view = DatasetProvenance::dataset(id).unwrap();
			assert_eq!((view.permissions, view.royalty), (permissions, royalty));
			assert_eq!(DatasetProvenance::permissions(id), Some(permissions));
			assert_eq!(DatasetProvenance::permissions(9), None);
			assert!(matches!(
				last_event(),
				RuntimeEvent::DatasetProvenance(Event::DatasetRegistered { permissions: p, royalty: r, .. })
					if p == permissions && r == royalty
			));
		});
	}

	#[test]
	fn a_child_may_be_as_strict_as_its_parents_or_stricter() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			let b = register(BOB, Reg::new(2).permissions(NO_TRAINING));
			// Stricter than `a` in inference (constrained), as strict as `b` in training.
			let child = UsagePermissions { ai_inference: constrained(1), ..NO_TRAINING };
			let c = register(CHARLIE, Reg::new(3).derived_from(vec![a, b]).permissions(child));
			assert_eq!(DatasetProvenance::permissions(c), Some(child));
		});
	}

	#[test]
	fn refuses_a_child_that_permits_what_a_parent_does_not() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			let b = register(BOB, Reg::new(2).permissions(NO_TRAINING));
			// Laundering: a child of `b` that allows training again.
			assert_noop!(
				Reg::new(3).derived_from(vec![a, b]).submit(CHARLIE),
				Error::<Test>::PermissionWiderThanParent
			);
			// Constrained is wider than not allowed, too.
			let constrained_training = UsagePermissions { ai_training: constrained(1), ..NO_TRAINING };
			assert_noop!(
				Reg::new(3).derived_from(vec![b]).permissions(constrained_training).submit(CHARLIE),
				Error::<Test>::PermissionWiderThanParent
			);
			// And allowed is wider than constrained.
			let c = register(CHARLIE, Reg::new(4).permissions(UsagePermissions {
				data_mining: constrained(2),
				..UsagePermissions::ALL_ALLOWED
			}));
			assert_noop!(
				Reg::new(5).derived_from(vec![c]).submit(CHARLIE),
				Error::<Test>::PermissionWiderThanParent
			);
		});
	}

	#[test]
	fn a_constrained_use_keeps_its_terms_in_children() {
		ExtBuilder::build_and_execute(|| {
			let terms = |n| UsagePermissions { ai_training: constrained(n), ..UsagePermissions::ALL_ALLOWED };
			let a = register(ALICE, Reg::new(1).permissions(terms(1)));
			let b = register(BOB, Reg::new(2).permissions(terms(2)));
			// Other terms could be wider than the parent's.
			assert_noop!(
				Reg::new(3).derived_from(vec![a]).permissions(terms(2)).submit(CHARLIE),
				Error::<Test>::PermissionWiderThanParent
			);
			register(CHARLIE, Reg::new(3).derived_from(vec![a]).permissions(terms(1)));
			// Two parents under different terms: only "not allowed" satisfies both.
			assert_noop!(
				Reg::new(4).derived_from(vec![a, b]).permissions(terms(1)).submit(CHARLIE),
				Error::<Test>::PermissionWiderThanParent
			);
			let neither = UsagePermissions { ai_training: UsePermission::NotAllowed, ..UsagePermissions::ALL_ALLOWED };
			register(CHARLIE, Reg::new(4).derived_from(vec![a, b]).permissions(neither));
		});
	}

	#[test]
	fn refuses_a_royalty_above_the_bound() {
		ExtBuilder::build_and_execute(|| {
			assert_noop!(
				Reg::new(1).royalty(Permill::from_percent(31)).submit(ALICE),
				Error::<Test>::RoyaltyTooHigh
			);
			register(ALICE, Reg::new(1).royalty(MaxRoyalty::get()));
		});
	}

	#[test]
	fn a_permission_outside_the_enum_does_not_decode() {
		let mut bytes = UsagePermissions::ALL_ALLOWED.encode();
		bytes[1] = 3; // ai_inference: no fourth variant
		assert!(UsagePermissions::decode(&mut &bytes[..]).is_err());
		let call = crate::Call::<Test>::register_dataset { registration: Reg::new(1).registration() };
		let mut encoded = call.encode();
		// The permissions sit right before the royalty (4 bytes) at the end.
		let at = encoded.len() - 4 - 2;
		encoded[at] = 9;
		assert!(crate::Call::<Test>::decode(&mut &encoded[..]).is_err());
	}

	#[test]
	fn try_state_catches_a_child_wider_than_its_parent() {
		ExtBuilder::build().execute_with(|| {
			let a = register(ALICE, Reg::new(1).permissions(NO_TRAINING));
			let b = register(ALICE, Reg::new(2).derived_from(vec![a]).permissions(NO_TRAINING));
			assert_ok!(DatasetProvenance::do_try_state());
			Datasets::<Test>::mutate(b, |d| d.as_mut().unwrap().permissions.ai_training = UsePermission::Allowed);
			assert!(DatasetProvenance::do_try_state().is_err());
		});
	}
}

/// The v0 -> v1 storage migration: records gain permissions (every use allowed) and a
/// royalty (none).
mod migration_v1 {
	use super::*;
	use crate::migrations::v1;
	use frame::traits::OnRuntimeUpgrade;

	#[test]
	fn records_permit_every_use_without_royalty_and_keep_everything_else() {
		ExtBuilder::build_and_execute(|| {
			let a = register(ALICE, Reg::new(1));
			let b = register(BOB, Reg::new(2).derived_from(vec![a]));
			let current: Vec<_> = [a, b].map(|id| Datasets::<Test>::get(id).unwrap()).to_vec();
			// The same records as storage version 0 kept them.
			for (id, record) in [a, b].into_iter().zip(current.iter()) {
				v1::Datasets::<Test>::insert(id, v1::DatasetV0Of::<Test> {
					owner: record.owner,
					content_hash: record.content_hash,
					size_bytes: record.size_bytes,
					record_count: record.record_count,
					uri: record.uri.clone(),
					licence: record.licence.clone(),
					schema_hash: record.schema_hash,
					derivation: record.derivation.clone(),
					registered_at: record.registered_at,
					deposit: record.deposit.held(),
				});
			}
			StorageVersion::new(0).put::<DatasetProvenance>();

			// Under try-runtime, with its checks before and after.
			#[cfg(feature = "try-runtime")]
			v1::MigrateV0ToV1::<Test>::try_on_runtime_upgrade(true).unwrap();
			#[cfg(not(feature = "try-runtime"))]
			v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();

			assert_eq!(StorageVersion::get::<DatasetProvenance>(), 1);
			for (id, record) in [a, b].into_iter().zip(current.iter()) {
				assert_eq!(Datasets::<Test>::get(id).as_ref(), Some(record));
			}
			// Run again: a no-op.
			v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
			assert_eq!(Datasets::<Test>::get(b).as_ref(), Some(&current[1]));
		});
	}
}

/// The v1 -> v2 storage migration: amounts become deposit tickets, byte for byte.
mod migration_v2 {
	use super::*;
	use crate::migrations::v2;
	use frame::traits::OnRuntimeUpgrade;

	/// What the migration rests on: a ticket encodes as the amount it holds, and says so.
	#[test]
	fn a_ticket_encodes_as_the_amount_it_holds() {
		ExtBuilder::build_and_execute(|| {
			let footprint = aioracle_primitives::deposit::footprint_of_bytes(40);
			let ticket =
				<Test as Config>::DatasetTicket::new(&CHARLIE, footprint).unwrap();
			let amount = DEPOSIT_BASE + 40 * DEPOSIT_PER_BYTE;
			assert_eq!(ticket.held(), amount);
			assert_eq!(<Test as Config>::DatasetTicket::price(footprint), amount);
			assert_eq!(ticket.encode(), amount.encode());
			assert_eq!(held(HoldReason::DatasetStorage, CHARLIE), amount);
			ticket.drop(&CHARLIE).unwrap();
			assert_eq!(held(HoldReason::DatasetStorage, CHARLIE), 0);
		});
	}

	#[test]
	fn version_1_amounts_are_read_as_the_tickets_holding_them() {
		ExtBuilder::build_and_execute(|| {
			// Version-1 state: records and attestations with amounts, held by hand.
			let a = register(ALICE, Reg::new(1));
			let b = register(BOB, Reg::new(2).derived_from(vec![a]));
			assert_ok!(DatasetProvenance::attest(
				RuntimeOrigin::signed(CHARLIE),
				b,
				AttestationKind::Audit,
				H256::repeat_byte(5)
			));
			let amounts: Vec<u128> =
				[a, b].map(|id| Datasets::<Test>::get(id).unwrap().deposit.held()).to_vec();
			for (id, amount) in [a, b].into_iter().zip(amounts.iter()) {
				let (v1_record, _ticket) = Datasets::<Test>::get(id).unwrap().replace_deposit(*amount);
				v2::Datasets::<Test>::insert(id, v1_record);
			}
			let v1_attestations: BoundedVec<_, _> = Attestations::<Test>::get(b)
				.into_iter()
				.map(|at| v2::AttestationV1Of::<Test> {
					author: at.author,
					kind: at.kind,
					statement_hash: at.statement_hash,
					at: at.at,
					deposit: at.deposit.held(),
				})
				.collect::<Vec<_>>()
				.try_into()
				.unwrap();
			v2::Attestations::<Test>::insert(b, v1_attestations);
			StorageVersion::new(1).put::<DatasetProvenance>();
			assert_eq!(v2::mismatches::<Test>(), (3, 0));

			#[cfg(feature = "try-runtime")]
			v2::MigrateV1ToV2::<Test>::try_on_runtime_upgrade(true).unwrap();
			#[cfg(not(feature = "try-runtime"))]
			v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
			assert_eq!(StorageVersion::get::<DatasetProvenance>(), 2);

			// The version-2 tickets hold exactly the version-1 amounts, and work as tickets:
			// revoking releases the attestation's, a new owner takes the record's over.
			for (id, amount) in [a, b].into_iter().zip(amounts.iter()) {
				assert_eq!(Datasets::<Test>::get(id).unwrap().deposit.held(), *amount);
			}
			assert_ok!(DatasetProvenance::revoke_attestation(
				RuntimeOrigin::signed(CHARLIE),
				b,
				AttestationKind::Audit
			));
			assert_eq!(held(HoldReason::AttestationStorage, CHARLIE), 0);
			assert_ok!(DatasetProvenance::offer_ownership(RuntimeOrigin::signed(BOB), b, Some(CHARLIE)));
			assert_ok!(DatasetProvenance::accept_ownership(RuntimeOrigin::signed(CHARLIE), b));
			assert_eq!(held(HoldReason::DatasetStorage, BOB), 0);
			assert_eq!(held(HoldReason::DatasetStorage, CHARLIE), amounts[1]);
		});
	}
}
