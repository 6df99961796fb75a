//! The integration tests: one crate, one binary, every module below.

mod aws_calls;
mod aws_mock;
mod aws_moto;
mod cleanup_cli;
mod cleanup_mock;
mod cleanup_moto;
mod cleanup_sim;
mod cli;
mod configs;
pub mod e2e;
mod fixtures;
mod moto;
mod poller;
mod progress;
mod reducer;
mod render;
mod sim;
mod simapp;
mod story;
