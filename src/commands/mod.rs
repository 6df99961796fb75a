//! The commands behind the CLI: the dashboard, `demo`, `check`, `status`, `config`, `cleanup`
//! and `init`.

pub mod check;
pub mod cleanup;
pub mod dashboard;
pub mod events;
pub mod init;
pub mod init_org;
pub mod show_config;
pub mod status;

use std::fmt;
use std::path::Path;

use crate::config::Config;

/// A command's failure: what to print and the exit status (2 for bad input, 1 otherwise).
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// Bad input: a config problem, an unknown lab, a bad flag combination.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<color_eyre::Report> for Failure {
    fn from(e: color_eyre::Report) -> Self {
        Failure {
            code: 1,
            message: format!("{e:#}"),
        }
    }
}

/// Find and load the config, with `--read-only` applied on top.
pub fn load_config(explicit: Option<&Path>, read_only: bool) -> Result<Config, Failure> {
    let path = Config::locate(explicit).map_err(Failure::usage)?;
    let mut config = Config::load(&path).map_err(|e| Failure::usage(e.to_string()))?;
    config.read_only |= read_only;
    Ok(config)
}

/// The async runtime, on one thread: the work is waiting on the network, and one thread spares
/// the wake-ups that pass tasks between threads (steady polling of 40 labs on moto took 0.73% of
/// a core on one thread against 0.92% on two workers, run one after the other).
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure {
            code: 1,
            message: format!("cannot start the async runtime: {e}"),
        })
}
