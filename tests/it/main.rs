//! The integration tests: one crate, one binary, every module below.

mod cli;
mod e2e;
mod fixtures;
mod poller;
mod progress;
mod reducer;
mod render;
mod sim;
mod simapp;
mod story;
