//! The integration tests: one crate, one binary, every module below.

pub mod aws_actions;
mod aws_calls;
pub mod aws_mock;
mod aws_moto;
mod cleanup_cli;
mod cleanup_mock;
mod cleanup_moto;
mod cleanup_sim;
mod cleanup_tui;
mod cli;
mod configs;
pub mod e2e;
mod fixtures;
pub mod fleet;
mod fleet_bulk;
mod fleet_render;
mod iam;
mod moto;
mod operate;
mod poller;
mod progress;
mod reducer;
mod render;
mod render_dialogs;
mod sim;
mod simapp;
mod story;
