//! The origins OpenGov's tracks dispatch with, besides root, and the pace of the tracks.
//!
//! A referendum on the `model_upgrades` track that passes dispatches its call with the
//! origin [`pallet_governance_origins::Origin::ModelUpgrades`]: the model registry
//! accepts it for every decision on versions (see `configs::models`), and nothing else in
//! the runtime does. A referendum on `whitelisted_caller` dispatches with
//! `WhitelistedCaller`, which may only call `whitelist.dispatchWhitelistedCall*`: a call
//! the council whitelisted then runs as root.

#[frame_support::pallet]
pub mod pallet_governance_origins {
	use frame_support::pallet_prelude::*;

	#[pallet::config]
	pub trait Config: frame_system::Config {}

	/// The storage layout's version. 0: `TrackPace`.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The custom origins of the referenda tracks.
	#[derive(
		PartialEq,
		Eq,
		Clone,
		Copy,
		MaxEncodedLen,
		Encode,
		Decode,
		DecodeWithMemTracking,
		TypeInfo,
		Debug,
	)]
	#[pallet::origin]
	pub enum Origin {
		/// A referendum on the `model_upgrades` track passed: approve, activate, reject,
		/// deprecate and roll back model versions.
		ModelUpgrades,
		/// A referendum on the `whitelisted_caller` track passed: dispatch a call the
		/// council whitelisted.
		WhitelistedCaller,
	}

	/// How long the tracks' periods are.
	#[derive(
		PartialEq,
		Eq,
		Clone,
		Copy,
		Default,
		MaxEncodedLen,
		Encode,
		Decode,
		DecodeWithMemTracking,
		TypeInfo,
		Debug,
		frame_support::Serialize,
		frame_support::Deserialize,
	)]
	#[serde(crate = "frame_support::__private::serde")]
	pub enum TrackPace {
		/// The documented periods, in days and hours (`configs::governance::tracks`).
		#[default]
		Production,
		/// A few blocks each, so that a referendum passes within a minute on a dev chain.
		/// Only the `development` genesis preset chooses it.
		Dev,
	}

	/// The tracks' pace, fixed at genesis: no call changes it (a runtime upgrade could).
	#[pallet::storage]
	pub type Pace<T> = StorageValue<_, TrackPace, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The tracks' pace.
		pub pace: TrackPace,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pace::<T>::put(self.pace);
		}
	}

	macro_rules! ensure_custom_origin {
		($($name:ident),*) => {$(
			#[doc = concat!("Ensures the origin is [`Origin::", stringify!($name), "`].")]
			pub struct $name;
			impl<O: OriginTrait + From<Origin>> EnsureOrigin<O> for $name
			where
				for<'a> &'a O::PalletsOrigin: TryInto<&'a Origin>,
			{
				type Success = ();
				fn try_origin(o: O) -> Result<Self::Success, O> {
					let matched = matches!(o.caller().try_into(), Ok(Origin::$name));
					if matched {
						Ok(())
					} else {
						Err(o)
					}
				}
				#[cfg(feature = "runtime-benchmarks")]
				fn try_successful_origin() -> Result<O, ()> {
					Ok(O::from(Origin::$name))
				}
			}
		)*};
	}

	ensure_custom_origin!(ModelUpgrades, WhitelistedCaller);
}
