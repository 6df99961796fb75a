//! The integration tests: one crate, one binary, every module below.

mod fixtures;
mod progress;
mod reducer;
mod render;
