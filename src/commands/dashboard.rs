//! The live dashboard, on the configured accounts or on the simulated lab.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Failure;
use crate::app::App;
use crate::app::remap::KeyMap;
use crate::backend::Backend;
use crate::backend::aws::AwsBackend;
use crate::backend::aws::queue::SqsQueue;
use crate::backend::sim::{RealClock, SimBackend, SimOptions, SimQueue};
use crate::cli::DemoArgs;
use crate::config::Config;
use crate::events::{Router, Starter};
use crate::poller::PollConfig;
use crate::tui;

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `crossdeck demo`: the simulated class on a real clock at the chosen speed.
pub async fn demo(args: DemoArgs, read_only: bool, started: Instant) -> Result<(), Failure> {
    /// Steady polling while the simulated feed is live: 10 s of real time, 300 sim seconds at
    /// the default speed, as the live default (the demo's polls are set in real time too).
    const DEMO_SAFETY_POLL: Duration = Duration::from_secs(10);
    let backend = Arc::new(sim_backend(&args, read_only));
    let mut app =
        App::new(backend.labs(), backend.names().clone(), backend.now()).simulated(args.speed);
    app.color = color();
    app.read_only = read_only;
    let events = args.events.then(|| {
        let delay = SimQueue::DEFAULT_DELAY;
        SimQueue::starter(backend.clone(), delay, DEMO_SAFETY_POLL)
    });
    if events.is_some() {
        app = app.with_events("simulated");
    }
    tracing::info!(
        participants = args.participants,
        speed = args.speed,
        seed = args.seed,
        events = args.events,
        "demo"
    );
    Ok(tui::run(backend, app, demo_poll_config(), started, events).await?)
}

/// How the demo polls. Sim time runs `speed` times faster than real time (1 s is 30 s of sim
/// time at the default speed), so the demo polls more often in real time than a live class
/// would, but its 900 accounts at 300 participants must still cost little: steady accounts
/// every 5 s, slowing to 20 s once unchanged for 10 s (5 sim minutes, as live), the first polls
/// spread over 5 s.
pub fn demo_poll_config() -> PollConfig {
    PollConfig {
        active: Duration::from_millis(1000),
        steady: Duration::from_secs(5),
        max_steady: Duration::from_secs(20),
        quiet_after: Duration::from_secs(10),
        spread: Duration::from_secs(5),
        ..PollConfig::default()
    }
}

/// The simulator the demo options describe: its pipeline has a manual approval before
/// DeployModel-Stage, so the gates can be tried offline.
pub fn sim_backend(args: &DemoArgs, read_only: bool) -> SimBackend {
    let opts = SimOptions {
        participants: usize::from(args.participants),
        speed: args.speed,
        seed: args.seed,
        faults: !args.no_faults,
        approval_gate: true,
        read_only,
    };
    SimBackend::new(opts, Arc::new(RealClock::new(args.speed)))
}

/// `crossdeck`: the configured labs, live.
pub async fn live(config: Config, started: Instant) -> Result<(), Failure> {
    let backend = Arc::new(AwsBackend::new(&config));
    let mut app = App::new(config.lab_infos(), config.names.clone(), backend.now())
        .with_costs(config.costs.clone());
    let events = match &config.events {
        Some(e) => {
            let queue = SqsQueue::connect(&config, e).await.map_err(|err| Failure {
                code: 1,
                message: format!("[events] queue {}: {}", e.queue_url, err.message),
            })?;
            app = app.with_events(e.queue_name());
            Some(Starter::new(
                Arc::new(queue),
                e.queue_name().to_string(),
                router(&config),
                e.safety_poll,
            ))
        }
        None => None,
    };
    if !config.keys.is_empty() {
        app = app.with_keys(KeyMap::with_overrides(&config.keys));
    }
    app.color = color();
    app.read_only = config.read_only;
    tracing::info!(
        labs = config.labs.len(),
        config = %config.path.display(),
        read_only = config.read_only,
        "live"
    );
    let poll = PollConfig {
        active: config.polling.active,
        steady: config.polling.steady,
        max_steady: config.polling.max_steady,
        spread: config.polling.steady,
        max_concurrency: config.polling.max_concurrency,
        ..PollConfig::default()
    };
    Ok(tui::run(backend, app, poll, started, events).await?)
}

/// Every configured account by id, with its region when the config fixes one, for matching
/// events to accounts.
pub fn router(config: &Config) -> Router {
    Router::for_labs(&config.lab_infos(), |key| {
        let a = config.labs.get(key.lab)?.accounts[key.role].as_ref()?;
        a.region.clone().or_else(|| config.region.clone())
    })
}
