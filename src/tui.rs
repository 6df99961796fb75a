//! The terminal loop: owns the terminal, turns keys, ticks and poll results into messages, runs
//! the reducer, draws only when something changed (at once after input; poll results are taken
//! in batches at most ten times a second), and restores the terminal however it ends. With an
//! event feed, its consumer wakes the poller's accounts and relaxes steady polling while live.

use std::io::{IsTerminal, stdout};
use std::sync::Arc;
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, bail};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::{mpsc, watch};
use tokio::time::MissedTickBehavior;

use crate::app::{App, Command, Msg, update};
use crate::backend::Backend;
use crate::effects;
use crate::events::Starter;
use crate::poller::{self, EventPolling, PollConfig};
use crate::ui;

/// Most messages applied between two draws.
const BATCH: usize = 512;

/// Least time between two batches of poll results: a class of 900 accounts wakes the loop, and
/// redraws the screen, at most ten times a second rather than at every poll.
const MIN_FRAME: Duration = Duration::from_millis(100);

/// Run the dashboard until the user quits. `started` is when the process started, for the
/// time-to-first-frame figure in the log.
pub async fn run<B: Backend>(
    backend: Arc<B>,
    mut app: App,
    poll: PollConfig,
    started: Instant,
    events: Option<Starter>,
) -> Result<()> {
    if !stdout().is_terminal() {
        bail!(
            "crossdeck draws a dashboard and needs an interactive terminal (stdout is not a TTY)"
        );
    }
    install_mouse_restoring_hook();
    let mut terminal = ratatui::try_init()?;
    let _ = crossterm::execute!(stdout(), EnableMouseCapture);
    let result = event_loop(&mut terminal, backend, &mut app, poll, started, events).await;
    let _ = crossterm::execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

/// Panics also turn mouse capture off (ratatui's own hook restores the rest).
fn install_mouse_restoring_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(stdout(), DisableMouseCapture);
        previous(info);
    }));
}

async fn event_loop<B: Backend>(
    terminal: &mut DefaultTerminal,
    backend: Arc<B>,
    app: &mut App,
    poll: PollConfig,
    started: Instant,
    events: Option<Starter>,
) -> Result<()> {
    let (tx, mut rx) = mpsc::channel::<Msg>(4096);
    let (live_tx, live_rx) = watch::channel(false);
    let polling = events.as_ref().map(|e| EventPolling {
        live: live_rx,
        safety: e.safety,
    });
    let poller = poller::spawn_with_events(
        backend.clone(),
        app.account_keys(),
        poll,
        tx.clone(),
        polling,
    );
    let _feed = events.map(|e| e.start(poller.waker(), live_tx, tx.clone()));
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let size = terminal.size()?;
    app.now = backend.now();
    update(app, Msg::Resize(size.width, size.height));
    let mut first_frame = true;
    // Poll results wait in the channel until then (input never waits).
    let mut polls_at = tokio::time::Instant::now();
    loop {
        if app.dirty {
            terminal.draw(|f| ui::draw(f, app))?;
            app.dirty = false;
            if first_frame {
                first_frame = false;
                tracing::info!(
                    elapsed_us = started.elapsed().as_micros() as u64,
                    "first frame"
                );
            }
        }
        if app.quit {
            break;
        }
        let polls_open = polls_at <= tokio::time::Instant::now();
        let first = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => to_msg(ev),
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            Some(m) = rx.recv(), if polls_open => {
                polls_at = tokio::time::Instant::now() + MIN_FRAME;
                Some(m)
            }
            _ = tick.tick() => Some(Msg::Tick(backend.now())),
            _ = tokio::time::sleep_until(polls_at), if !polls_open => None,
        };
        let mut batch: Vec<Msg> = first.into_iter().collect();
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        for msg in batch {
            for cmd in update(app, msg) {
                match cmd {
                    Command::Refresh(keys) => poller.refresh(&keys),
                    other => effects::spawn(&backend, other, &tx),
                }
            }
        }
    }
    Ok(())
}

fn to_msg(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Msg::Key(k)),
        Event::Mouse(m) => Some(Msg::Mouse(m)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}
