//! Entry point: error and panic hooks, logging to a file, then the chosen command.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, WrapErr};

use crossdeck::app::App;
use crossdeck::backend::Backend;
use crossdeck::backend::sim::{RealClock, SimBackend, SimOptions};
use crossdeck::cli::{self, Cmd, DemoArgs};
use crossdeck::poller::PollConfig;
use crossdeck::{logging, tui};

fn main() -> ExitCode {
    let started = Instant::now();
    let default_log = logging::default_path();
    let cli = cli::parse(&default_log);
    if let Err(e) = color_eyre::install() {
        eprintln!("crossdeck: {e}");
        return ExitCode::FAILURE;
    }
    let log_path = cli.log_file.clone().unwrap_or(default_log);
    if let Err(e) = logging::init(&log_path) {
        eprintln!(
            "crossdeck: cannot open log file {}: {e}",
            log_path.display()
        );
        return ExitCode::FAILURE;
    }
    let result = match cli.command {
        Some(Cmd::Demo(args)) => runtime().and_then(|rt| rt.block_on(demo(args, started))),
        None => {
            eprintln!(
                "crossdeck: no lab is configured yet.\n\
                 Run `crossdeck demo` to watch a simulated lab, or `crossdeck --help`."
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("crossdeck: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")
}

async fn demo(args: DemoArgs, started: Instant) -> Result<()> {
    let opts = SimOptions {
        participants: usize::from(args.participants),
        speed: args.speed,
        seed: args.seed,
        faults: !args.no_faults,
        ..SimOptions::default()
    };
    let clock = Arc::new(RealClock::new(args.speed));
    let backend = Arc::new(SimBackend::new(opts, clock));
    let mut app =
        App::new(backend.labs(), backend.names().clone(), backend.now()).simulated(args.speed);
    app.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    tracing::info!(
        participants = args.participants,
        speed = args.speed,
        seed = args.seed,
        "demo"
    );
    let poll = PollConfig {
        active: Duration::from_millis(1000),
        steady: Duration::from_secs(4),
        ..PollConfig::default()
    };
    tui::run(backend, app, poll, started).await
}
