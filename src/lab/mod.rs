//! The lab domain: model, status categories, names, guide progress, snapshot transitions and
//! cost estimates.

pub mod cleanup;
pub mod console;
pub mod cost;
pub mod diff;
pub mod metrics;
pub mod model;
pub mod names;
pub mod progress;
pub mod smoke;
pub mod status;
pub mod time;

pub use model::*;
pub use names::LabNames;
