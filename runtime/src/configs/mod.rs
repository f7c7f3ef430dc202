//! One `impl Config` per pallet, grouped by concern, with each pallet's
//! `parameter_types!` beside it.

pub mod collators;
pub mod datasets;
pub mod governance;
pub mod models;
pub mod monetary;
pub mod oracle;
pub mod relay_token;
pub mod system;
pub mod xcm_config;
pub mod xcm_inference;

pub use system::RuntimeBlockWeights;
