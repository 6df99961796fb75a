//! Logs go through `tracing` to a file, never to the screen the dashboard owns.

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// `$XDG_STATE_HOME/crossdeck/crossdeck.log`, else `~/.local/state/crossdeck/crossdeck.log`,
/// else the temp dir.
pub fn default_path() -> PathBuf {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/state"))
        })
        .unwrap_or_else(std::env::temp_dir);
    base.join("crossdeck").join("crossdeck.log")
}

/// crossdeck's own lines from INFO up, everything else (the SDK, whose INFO lines name access
/// key ids, hyper, rustls) only from WARN.
pub const DEFAULT_FILTER: &str = "warn,crossdeck=info";

/// The filter RUST_LOG asks for (`rust_log`), else [`DEFAULT_FILTER`].
pub fn filter(rust_log: Option<&str>) -> EnvFilter {
    rust_log
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| EnvFilter::new(DEFAULT_FILTER))
}

/// Start logging to `path` (appending), filtered by RUST_LOG, else [`DEFAULT_FILTER`].
pub fn init(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    let filter = filter(std::env::var("RUST_LOG").ok().as_deref());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .init();
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use super::filter;

    /// A writer the test reads back.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| io::Error::other("poisoned"))?
                .extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// What lands in the log under RUST_LOG `rust_log` for one INFO line of crossdeck, one of
    /// the SDK and one SDK warning.
    fn logged(rust_log: Option<&str>) -> String {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(filter(rust_log))
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(target: "crossdeck::poller", "crossdeck polled");
            tracing::info!(target: "aws_config::profile::credentials", "loaded AKIDEXAMPLE");
            tracing::warn!(target: "aws_smithy_runtime::client", "sdk warned");
        });
        let bytes = buffer.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn the_sdk_info_lines_stay_out_unless_asked_for() {
        for unset in [None, Some(""), Some("not a [valid filter")] {
            let log = logged(unset);
            assert!(log.contains("crossdeck polled"), "{log}");
            assert!(!log.contains("AKIDEXAMPLE"), "{log}");
            assert!(log.contains("sdk warned"), "{log}");
        }
        let log = logged(Some("info"));
        assert!(log.contains("AKIDEXAMPLE"), "{log}");
        let log = logged(Some("crossdeck=warn"));
        assert!(!log.contains("crossdeck polled"), "{log}");
    }
}
