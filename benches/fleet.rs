//! Benchmarks: drawing the fleet view of 300 labs at 200x60, against the lab view at the same
//! size (only the visible rows are built, so the fleet should cost about as much).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crossdeck::backend::sim::SimOptions;
use crossdeck::ui;

#[path = "../tests/it/simapp.rs"]
mod simapp;

fn class(participants: usize) -> SimOptions {
    SimOptions {
        participants,
        ..SimOptions::default()
    }
}

fn fleet(c: &mut Criterion) {
    // 40 simulated minutes in: the class spread over the guide's steps, faults showing.
    let fleet = simapp::fleet_at(class(300), 2400, 2400, 60);
    let lab = simapp::app_at(class(6), 2400, 2400, 60);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    c.bench_function("fleet_draw_300_labs_200x60", |b| {
        b.iter(|| {
            terminal
                .draw(|f| ui::draw(f, black_box(&fleet)))
                .expect("draw");
        })
    });
    c.bench_function("lab_view_draw_200x60", |b| {
        b.iter(|| {
            terminal
                .draw(|f| ui::draw(f, black_box(&lab)))
                .expect("draw");
        })
    });
}

criterion_group!(benches, fleet);
criterion_main!(benches);
