//! crossdeck: a terminal dashboard for the cross-account MLOps lab on AWS.

pub mod app;
pub mod backend;
pub mod cleanup;
pub mod cli;
pub mod commands;
pub mod config;
pub mod effects;
pub mod events;
pub mod lab;
pub mod logging;
pub mod poller;
pub mod report;
pub mod report_events;
pub mod tui;
pub mod ui;
