//! Cleanup from the dashboard, through the reducer: `C` shows the plan, nothing runs until the
//! lab's account ids are typed, the run's events fill the view and the log, and the lab ends
//! clean.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crossdeck::app::cleanup_view::RunState;
use crossdeck::app::keymap::Mode;
use crossdeck::app::{App, Command, Msg, update};
use crossdeck::backend::Backend;
use crossdeck::backend::sim::{ManualClock, SIM_EPOCH, SimBackend, SimOptions};
use crossdeck::cleanup::{self, RunOptions};

fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

async fn poll_all(sim: &SimBackend, app: &mut App, generation: u64) {
    for key in app.account_keys() {
        let result = sim.snapshot(key).await.map(Box::new);
        update(
            app,
            Msg::Poll {
                key,
                generation,
                result,
            },
        );
    }
}

fn finished(read_only: bool) -> (SimBackend, ManualClock, App) {
    let clock = ManualClock::new();
    clock.set(SIM_EPOCH.plus_secs(4 * 3600));
    let opts = SimOptions {
        participants: 1,
        read_only,
        ..SimOptions::default()
    };
    let sim = SimBackend::new(opts, Arc::new(clock.clone()));
    let mut app = App::new(
        sim.labs(),
        sim.names().clone(),
        SIM_EPOCH.plus_secs(4 * 3600),
    );
    app.read_only = read_only;
    (sim, clock, app)
}

#[tokio::test(start_paused = true)]
async fn the_plan_runs_only_with_the_labs_ids_and_leaves_the_lab_clean() {
    let (sim, clock, mut app) = finished(false);
    poll_all(&sim, &mut app, 1).await;
    assert!(press(&mut app, KeyCode::Char('C')).is_empty());
    assert_eq!(app.mode(), Mode::Cleanup);
    let steps = app.cleanups[0].plan.steps.len();
    assert!(steps >= 12, "a finished lab has a full plan: {steps}");

    // Wrong ids: nothing runs, the notice says what to type.
    typed(&mut app, "111100000000,222200000000");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.cleanups[0].state, RunState::Review);
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("333300000000")),
        "{:?}",
        app.notice
    );
    // Letters are not ids: they are not typed in.
    typed(&mut app, ",x333300000000");
    assert_eq!(
        app.cleanups[0].typed,
        "111100000000,222200000000,333300000000"
    );
    let cmds = press(&mut app, KeyCode::Enter);
    let [Command::RunCleanup { lab: 0, plan }] = cmds.as_slice() else {
        panic!("expected a run, got {cmds:?}");
    };
    assert_eq!(app.cleanups[0].state, RunState::Running);

    // Do what the loop does: run it, the events going to the reducer, the clock ticking.
    let ticker = ticker(&clock);
    let opts = RunOptions {
        poll: Duration::from_secs(1),
        timeout: Duration::from_secs(600),
    };
    let mut events = Vec::new();
    let outcome = cleanup::run(&sim, 0, plan, opts, |e| {
        events.push(e.clone());
        ControlFlow::Continue(())
    })
    .await;
    ticker.abort();
    for event in events {
        update(&mut app, Msg::Cleanup { lab: 0, event });
    }
    let cmds = update(&mut app, Msg::CleanupDone { lab: 0, outcome });
    assert!(matches!(cmds.as_slice(), [Command::Refresh(keys)] if keys.len() == 3));
    let RunState::Finished { ok, summary } = &app.cleanups[0].state else {
        panic!("{:?}", app.cleanups[0].state);
    };
    assert!(*ok, "{summary}: {:?}", app.cleanups[0].lines);
    assert!(
        app.cleanups[0]
            .lines
            .iter()
            .any(|l| l.contains("versions and delete markers deleted"))
    );
    assert!(
        app.labs[0].log.len() > steps,
        "each step is in the event log"
    );

    // Closed and opened again on fresh snapshots: nothing left.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Lab);
    poll_all(&sim, &mut app, 2).await;
    press(&mut app, KeyCode::Char('C'));
    assert!(app.cleanups[0].plan.is_empty(), "{}", app.cleanups[0].plan);
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.ends_with("nothing to clean up"))
    );
}

#[tokio::test]
async fn read_only_shows_the_plan_and_runs_nothing() {
    let (sim, _clock, mut app) = finished(true);
    poll_all(&sim, &mut app, 1).await;
    press(&mut app, KeyCode::Char('C'));
    assert!(!app.cleanups[0].plan.steps.is_empty());
    typed(&mut app, "111100000000,222200000000,333300000000");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.cleanups[0].state, RunState::Review);
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("read-only"))
    );
}

/// Advance `clock` by 5 simulated seconds each (paused-time) second, for cleanup waits; abort
/// the handle when done.
pub fn ticker(clock: &ManualClock) -> tokio::task::JoinHandle<()> {
    let clock = clock.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            clock.advance_secs(5);
        }
    })
}
