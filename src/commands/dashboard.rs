//! The live dashboard, on the configured accounts or on the simulated lab.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Failure;
use crate::app::App;
use crate::backend::Backend;
use crate::backend::aws::AwsBackend;
use crate::backend::sim::{RealClock, SimBackend, SimOptions};
use crate::cli::DemoArgs;
use crate::config::Config;
use crate::poller::PollConfig;
use crate::tui;

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `crossdeck demo`: the simulated class on a real clock at the chosen speed.
pub async fn demo(args: DemoArgs, started: Instant) -> Result<(), Failure> {
    let backend = Arc::new(sim_backend(&args));
    let mut app =
        App::new(backend.labs(), backend.names().clone(), backend.now()).simulated(args.speed);
    app.color = color();
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
    Ok(tui::run(backend, app, poll, started).await?)
}

/// The simulator the demo options describe.
pub fn sim_backend(args: &DemoArgs) -> SimBackend {
    let opts = SimOptions {
        participants: usize::from(args.participants),
        speed: args.speed,
        seed: args.seed,
        faults: !args.no_faults,
        ..SimOptions::default()
    };
    SimBackend::new(opts, Arc::new(RealClock::new(args.speed)))
}

/// `crossdeck`: the configured labs, live.
pub async fn live(config: Config, started: Instant) -> Result<(), Failure> {
    let backend = Arc::new(AwsBackend::new(&config));
    let mut app = App::new(config.lab_infos(), config.names.clone(), backend.now());
    app.color = color();
    tracing::info!(
        labs = config.labs.len(),
        config = %config.path.display(),
        read_only = config.read_only,
        "live"
    );
    let poll = PollConfig {
        active: config.polling.active,
        steady: config.polling.steady,
        max_concurrency: config.polling.max_concurrency,
        ..PollConfig::default()
    };
    Ok(tui::run(backend, app, poll, started).await?)
}
