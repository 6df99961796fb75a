//! Benchmarks: drawing the lab view at 80x24 and 160x48, the timeline over a full event log, and
//! applying one poll result.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crossdeck::app::state::LOG_CAPACITY;
use crossdeck::app::{Msg, update};
use crossdeck::backend::AccountKey;
use crossdeck::backend::sim::SimOptions;
use crossdeck::lab::Role;
use crossdeck::ui;

#[path = "../tests/it/simapp.rs"]
mod simapp;

fn render(c: &mut Criterion) {
    // The first participant mid-deploy, with an hour of event history.
    let app = simapp::app_at(SimOptions::default(), -900, 2700, 60);
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        c.bench_function(&format!("lab_view_draw_{w}x{h}"), |b| {
            b.iter(|| {
                terminal
                    .draw(|f| ui::draw(f, black_box(&app)))
                    .expect("draw");
            })
        });
    }
}

/// The timeline over a full event log (500 entries), unfiltered and filtered, at 160x48.
fn timeline(c: &mut Criterion) {
    let mut app = simapp::app_at(SimOptions::default(), -900, 2700, 60);
    let lab = &mut app.labs[0];
    let seen: Vec<_> = lab.log.newest().cloned().collect();
    for e in seen.iter().cycle().take(LOG_CAPACITY) {
        lab.log.push(e.clone());
    }
    assert_eq!(lab.log.len(), LOG_CAPACITY);
    update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('T'), KeyModifiers::NONE)),
    );
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    c.bench_function("timeline_draw_500_events_160x48", |b| {
        b.iter(|| {
            terminal
                .draw(|f| ui::draw(f, black_box(&app)))
                .expect("draw");
        })
    });
    for ch in "/tools failed".chars() {
        update(
            &mut app,
            Msg::Key(KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE)),
        );
    }
    c.bench_function("timeline_draw_500_events_filtered_160x48", |b| {
        b.iter(|| {
            terminal
                .draw(|f| ui::draw(f, black_box(&app)))
                .expect("draw");
        })
    });
}

fn apply_poll(c: &mut Criterion) {
    let app = simapp::app_at(SimOptions::default(), -900, 2700, 60);
    let key = AccountKey {
        lab: 0,
        role: Role::Tools,
    };
    let snap = app.labs[0].snaps[Role::Tools]
        .clone()
        .expect("tools snapshot");
    let mut generation = 1_000;
    let mut app = app;
    c.bench_function("apply_one_poll_result", |b| {
        b.iter(|| {
            generation += 1;
            update(
                &mut app,
                Msg::Poll {
                    key,
                    generation,
                    result: Ok(Box::new(snap.clone())),
                },
            )
        })
    });
}

// The fleet view of 300 labs at 200x60 is drawn in benches/fleet.rs.

criterion_group!(benches, render, timeline, apply_poll);
criterion_main!(benches);
