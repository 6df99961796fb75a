//! The event feed's line on screen: the lab header's last row and the fleet summary's second,
//! live with a count and the age of the last event, and off with its reason, as insta snapshots.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use insta::assert_snapshot;

use crossdeck::app::{App, Msg, update};
use crossdeck::backend::sim::SimOptions;
use crossdeck::events::{Counts, EventsStatus, FeedState};

use crate::render::render;
use crate::simapp::fleet_at;

/// Six simulated labs 30 minutes in, their feed live: 1,204 events taken, the last 4 s ago.
fn live_class() -> App {
    let opts = SimOptions {
        participants: 6,
        ..SimOptions::default()
    };
    let mut app = fleet_at(opts, 0, 1800, 60).with_events("simulated");
    let now = app.now;
    feed(&mut app, FeedState::Live, 1204);
    update(&mut app, Msg::Tick(now.plus_secs(4)));
    app
}

fn feed(app: &mut App, state: FeedState, taken: u64) {
    let status = EventsStatus {
        state,
        counts: Counts {
            taken,
            deleted: taken,
            reads: taken / 2,
            ..Counts::default()
        },
        queue: "simulated".into(),
    };
    update(app, Msg::Events(status));
}

#[test]
fn the_fleet_summary_shows_the_live_feed_at_100x24() {
    let app = live_class();
    let screen = render(&app, 100, 24);
    assert!(
        screen.contains("events: live · last 4s ago · 1,204 taken"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

#[test]
fn the_lab_header_shows_the_live_feed_at_100x30() {
    let mut app = live_class();
    update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert!(!app.fleet.active, "Enter opens a lab");
    let screen = render(&app, 100, 30);
    assert!(
        screen.contains("events: live · last 4s ago · 1,204 taken"),
        "{screen}"
    );
    assert_snapshot!(screen);
}

#[test]
fn a_feed_that_failed_says_so_in_the_fleet_summary() {
    let mut app = live_class();
    let reason = "cannot read the queue: access denied".to_string();
    feed(&mut app, FeedState::Off { reason }, 1204);
    let screen = render(&app, 100, 24);
    assert!(
        screen.contains("events: off (polling): cannot read the queue: access denied"),
        "{screen}"
    );
    assert_snapshot!(screen);
}
