//! The referenda tracks: which origin a passed referendum dispatches with, and how hard
//! and how long it is to pass one.
//!
//! | id | track | origin | decided at once | decision deposit | prepare | decision | confirm | min enactment | approval | support |
//! |---|---|---|---|---|---|---|---|---|---|---|
//! | 0 | `root` | root | 1 | 1,000 AIO | 2 h | 14 d | 1 d | 1 d | 100% -> 50% | 50% -> 0.5% |
//! | 1 | `whitelisted_caller` | `WhitelistedCaller` | 10 | 100 AIO | 30 min | 14 d | 10 min | 10 min | 100% -> 50% | 5% -> 0.5% |
//! | 10 | `model_upgrades` | `ModelUpgrades` | 10 | 100 AIO | 1 h | 7 d | 3 h | 10 min | 100% -> 50% | 20% -> 1% |
//!
//! Approval (conviction-weighted ayes over all conviction-weighted votes) and support
//! (ayes without conviction over the active issuance) must both stay above their curves
//! for the confirm period; both curves fall linearly over the decision period, from the
//! first figure to the second. The periods are in blocks of 6 seconds.
//!
//! With the `Dev` pace (the `development` genesis preset) every track keeps its deposits
//! and curves, but is prepared in 2 blocks, decided within 50, confirmed in 3 and enacted
//! 1 block later: a referendum voted in at once passes in about 8 blocks.

use alloc::borrow::Cow;
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::{str_array as name, Perbill};

use super::origins::pallet_governance_origins::{Origin, Pace, TrackPace};
use crate::{Balance, BlockNumber, OriginCaller, Runtime, DAYS, HOURS, MINUTES, UNIT};

/// The `root` track's id.
pub const ROOT: u16 = 0;
/// The `whitelisted_caller` track's id.
pub const WHITELISTED_CALLER: u16 = 1;
/// The `model_upgrades` track's id.
pub const MODEL_UPGRADES: u16 = 10;

/// A curve falling linearly over the whole decision period, from `ceil` to `floor`, both
/// in tenths of a percent (per mille).
const fn linear(ceil_per_mille: u32, floor_per_mille: u32) -> Curve {
	Curve::LinearDecreasing {
		length: Perbill::one(),
		floor: Perbill::from_parts(floor_per_mille * 1_000_000),
		ceil: Perbill::from_parts(ceil_per_mille * 1_000_000),
	}
}

static TRACKS: [Track<u16, Balance, BlockNumber>; 3] = [
	Track {
		id: ROOT,
		info: TrackInfo {
			name: name("root"),
			max_deciding: 1,
			decision_deposit: 1_000 * UNIT,
			prepare_period: 2 * HOURS,
			decision_period: 14 * DAYS,
			confirm_period: DAYS,
			min_enactment_period: DAYS,
			min_approval: linear(1_000, 500),
			min_support: linear(500, 5),
		},
	},
	Track {
		id: WHITELISTED_CALLER,
		info: TrackInfo {
			name: name("whitelisted_caller"),
			max_deciding: 10,
			decision_deposit: 100 * UNIT,
			prepare_period: 30 * MINUTES,
			decision_period: 14 * DAYS,
			confirm_period: 10 * MINUTES,
			min_enactment_period: 10 * MINUTES,
			min_approval: linear(1_000, 500),
			min_support: linear(50, 5),
		},
	},
	Track {
		id: MODEL_UPGRADES,
		info: TrackInfo {
			name: name("model_upgrades"),
			max_deciding: 10,
			decision_deposit: 100 * UNIT,
			prepare_period: HOURS,
			decision_period: 7 * DAYS,
			confirm_period: 3 * HOURS,
			min_enactment_period: 10 * MINUTES,
			min_approval: linear(1_000, 500),
			min_support: linear(200, 10),
		},
	},
];

/// `track` with the `Dev` pace's periods.
fn at_dev_pace(track: &Track<u16, Balance, BlockNumber>) -> Track<u16, Balance, BlockNumber> {
	let mut track = track.clone();
	track.info.prepare_period = 2;
	track.info.decision_period = 50;
	track.info.confirm_period = 3;
	track.info.min_enactment_period = 1;
	track
}

/// The runtime's tracks, at the pace chosen at genesis.
pub struct TracksInfo;

impl pallet_referenda::TracksInfo<Balance, BlockNumber> for TracksInfo {
	type Id = u16;
	type RuntimeOrigin = OriginCaller;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<u16, Balance, BlockNumber>>> {
		let pace = Pace::<Runtime>::get();
		TRACKS.iter().map(move |track| match pace {
			TrackPace::Production => Cow::Borrowed(track),
			TrackPace::Dev => Cow::Owned(at_dev_pace(track)),
		})
	}

	fn track_for(origin: &OriginCaller) -> Result<u16, ()> {
		match origin {
			OriginCaller::system(frame_system::RawOrigin::Root) => Ok(ROOT),
			OriginCaller::Origins(Origin::WhitelistedCaller) => Ok(WHITELISTED_CALLER),
			OriginCaller::Origins(Origin::ModelUpgrades) => Ok(MODEL_UPGRADES),
			_ => Err(()),
		}
	}
}
