//! Build an `App` from the simulated lab at a fixed simulated time, polling along the way so the
//! event log has history. Shared by render tests and benchmarks.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crossdeck::app::{App, Msg, update};
use crossdeck::backend::Backend;
use crossdeck::backend::sim::{Clock, ManualClock, SIM_EPOCH, SimBackend, SimOptions};

/// `fleet_at`, then Enter on the fleet's first row (alice, by name) opens her lab view, as the
/// lab view tests and benchmarks expect; with one lab the lab view is open already.
pub fn app_at(opts: SimOptions, from: i64, at: i64, step: i64) -> App {
    let mut app = fleet_at(opts, from, at, step);
    if app.fleet.active {
        update(
            &mut app,
            Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        );
        assert!(
            !app.fleet.active && app.current == 0,
            "Enter opens alice's lab"
        );
    }
    app
}

/// The app after polling every account each `step` simulated seconds from `from` to `at`
/// (seconds after the simulation's epoch), on its first screen (the fleet when several labs).
pub fn fleet_at(opts: SimOptions, from: i64, at: i64, step: i64) -> App {
    let clock = ManualClock::new();
    clock.set(SIM_EPOCH.plus_secs(from));
    let speed = opts.speed;
    let sim = SimBackend::new(opts, Arc::new(clock.clone()));
    let mut app = App::new(sim.labs(), sim.names().clone(), clock.now()).simulated(speed);
    let keys = app.account_keys();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let mut generation = 0;
    let mut t = from;
    loop {
        clock.set(SIM_EPOCH.plus_secs(t));
        generation += 1;
        for key in &keys {
            let result = rt.block_on(sim.snapshot(*key)).map(Box::new);
            update(
                &mut app,
                Msg::Poll {
                    key: *key,
                    generation,
                    result,
                },
            );
        }
        if t >= at {
            break;
        }
        t = (t + step).min(at);
    }
    update(&mut app, Msg::Tick(clock.now().plus_secs(2)));
    app
}
