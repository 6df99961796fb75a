//! The cost watch on screen and in the reducer: a poll updates the lab's cost, `$` opens the cost
//! list, the header's total, the fleet's cost column, summary and idle flag.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use insta::assert_snapshot;

use crossdeck::app::fleet;
use crossdeck::app::keymap::Mode;
use crossdeck::app::{App, Msg, Overlay, update};
use crossdeck::lab::*;

use crate::fixtures::{self, T0};
use crate::reducer::poll;
use crate::render::render;

const HOUR: i64 = 3600;

fn press(app: &mut App, keys: &[KeyCode]) {
    for k in keys {
        update(app, Msg::Key(KeyEvent::new(*k, KeyModifiers::NONE)));
    }
}

/// alice (finished, both endpoints and the notebook running) and bob (nothing polled), `at`
/// seconds after the fixture's T0.
fn class_at(at: i64) -> App {
    let mut bob = fixtures::info();
    bob.name = "bob".into();
    let mut app = App::new(
        vec![fixtures::info(), bob],
        LabNames::default(),
        T0.plus_secs(at),
    );
    let lab = fixtures::complete_lab();
    for role in Role::LAB {
        poll(&mut app, 0, role, 1, lab[role].clone().expect("snapshot"));
    }
    app
}

/// alice's lab view, `at` seconds after T0.
fn alice_at(at: i64) -> App {
    let mut app = class_at(at);
    press(&mut app, &[KeyCode::Enter]);
    assert_eq!((app.mode(), app.current), (Mode::Lab, 0));
    app
}

#[test]
fn a_poll_updates_the_labs_cost() {
    let mut app = class_at(HOUR);
    let c = &app.labs[0].cost;
    assert_eq!(c.items.len(), 3);
    assert!((c.hourly - 0.162).abs() < 1e-9, "{}", c.hourly);
    assert!(!app.labs[1].cost.billing(), "bob has not been polled");

    // The Stage endpoint is deleted: the next poll drops it from the cost.
    let mut stage = fixtures::complete_lab()[Role::Stage]
        .clone()
        .expect("stage");
    stage.endpoints.clear();
    poll(&mut app, 0, Role::Stage, 2, stage);
    let c = &app.labs[0].cost;
    assert_eq!(c.items.len(), 2);
    assert!((c.hourly - 0.106).abs() < 1e-9, "{}", c.hourly);

    // A stale generation changes nothing.
    let old = fixtures::complete_lab()[Role::Stage]
        .clone()
        .expect("stage");
    poll(&mut app, 0, Role::Stage, 1, old);
    assert_eq!(app.labs[0].cost.items.len(), 2);
}

#[test]
fn config_prices_and_threshold_reach_the_estimates() {
    let path = std::path::Path::new("/tmp/crossdeck.toml");
    let config = crossdeck::config::Config::parse(
        path,
        "[cost]\nendpoint_idle_after = \"3h\"\n[prices.endpoint]\n\"ml.t2.medium\" = 1\n\
         [[labs]]\nname = \"a\"\nunique_id = \"a\"\n\
         tools = { account_id = \"111111111111\", profile = \"t\" }\n\
         datascience = { account_id = \"222222222222\", profile = \"d\" }\n\
         stage = { account_id = \"333333333333\", profile = \"s\" }\n",
    )
    .expect("valid config");
    assert_eq!(config.costs.idle_after_secs, 3 * HOUR);
    let mut app = App::new(
        vec![fixtures::info()],
        LabNames::default(),
        T0.plus_secs(2 * HOUR),
    )
    .with_costs(config.costs.clone());
    let lab = fixtures::complete_lab();
    for role in Role::LAB {
        poll(&mut app, 0, role, 1, lab[role].clone().expect("snapshot"));
    }
    let c = &app.labs[0].cost;
    assert!((c.hourly - 2.05).abs() < 1e-9, "{}", c.hourly);
    assert!(!c.idle(app.now), "3h threshold not reached after 2h");
}

#[test]
fn dollar_opens_the_cost_list_and_closes_it() {
    let mut app = alice_at(HOUR);
    press(&mut app, &[KeyCode::Char('$')]);
    assert_eq!(app.overlays.last(), Some(&Overlay::Costs { scroll: 0 }));
    assert_eq!(app.mode(), Mode::Costs);
    press(&mut app, &[KeyCode::Char('j'), KeyCode::Char('j')]);
    assert_eq!(app.overlays.last(), Some(&Overlay::Costs { scroll: 2 }));
    press(&mut app, &[KeyCode::Char('$')]);
    assert_eq!(app.mode(), Mode::Lab);
    press(&mut app, &[KeyCode::Char('$'), KeyCode::Esc]);
    assert_eq!(app.mode(), Mode::Lab);
    assert!(app.overlays.is_empty());
}

#[test]
fn the_cost_list_marks_endpoints_left_running() {
    let list = crossdeck::app::costs::cost_list(&alice_at(2 * HOUR)).expect("a lab");
    let rows: Vec<(&str, bool)> = list
        .sections
        .iter()
        .flat_map(|s| s.rows.iter().map(|r| (r.kind, r.idle)))
        .collect();
    assert_eq!(
        rows,
        [("endpoint", true), ("notebook", false), ("endpoint", true)]
    );
    assert_eq!(list.total, "≈ $0.32 so far · $0.162/h");
    assert!(list.idle_note.is_some());
    // Before the threshold nothing is marked.
    let early = crossdeck::app::costs::cost_list(&alice_at(HOUR)).expect("a lab");
    assert!(early.sections.iter().flat_map(|s| &s.rows).all(|r| !r.idle));
    assert_eq!(early.idle_note, None);
    assert_eq!(crossdeck::app::costs::threshold(45 * 60), "45m");
    assert_eq!(crossdeck::app::costs::threshold(HOUR), "1h");
    assert_eq!(crossdeck::app::costs::threshold(5400), "1h 30m");
}

#[test]
fn cost_list_at_100x30() {
    let mut app = alice_at(2 * HOUR);
    press(&mut app, &[KeyCode::Char('$')]);
    assert_snapshot!(render(&app, 100, 30));
}

#[test]
fn cost_list_at_80x24() {
    let mut app = alice_at(2 * HOUR);
    press(&mut app, &[KeyCode::Char('$')]);
    assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn header_total_and_idle_warning_at_100x30() {
    let screen = render(&alice_at(2 * HOUR), 100, 30);
    let head: Vec<&str> = screen.lines().take(4).collect();
    assert!(head[0].contains("≈ $0.32 so far · $0.162/h"), "{head:#?}");
    assert!(
        head[1].contains("pipeline done over 1h ago, 2 endpoints still billing"),
        "{head:#?}"
    );
    assert_snapshot!(screen);
}

#[test]
fn header_total_at_80x24_before_the_threshold() {
    let screen = render(&alice_at(HOUR), 80, 24);
    assert!(screen.contains("≈ $0.16 · $0.162/h"), "{screen}");
    assert!(!screen.contains("still running"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn the_fleet_shows_cost_and_flags_the_idle_lab() {
    let app = class_at(2 * HOUR);
    assert_eq!(app.mode(), Mode::Fleet);
    let s = fleet::summary(&app);
    assert_eq!((s.billable, s.idle, s.unknown), (1, 1, 0));
    assert!((s.hourly - 0.162).abs() < 1e-9);
    let mut cell = String::new();
    fleet::write_cost(&app, &app.labs[0], &mut cell);
    assert_eq!(cell, "!$0.162/h");
    cell.clear();
    fleet::write_cost(&app, &app.labs[1], &mut cell);
    assert_eq!(cell, "-");
    let screen = render(&app, 80, 24);
    assert!(screen.contains("│ 1 idle"), "{screen}");
    assert_snapshot!(screen);

    // An hour earlier nothing is flagged.
    let early = class_at(HOUR);
    assert_eq!(fleet::summary(&early).idle, 0);
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        let k = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        press(app, &[k]);
    }
}

#[test]
fn sort_cost_puts_the_dearest_lab_first_and_the_filter_finds_idle_ones() {
    let mut app = class_at(2 * HOUR);
    // bob runs three Tools instances from an hour later: dearer per hour, not yet idle.
    let mut tools = fixtures::complete_lab()[Role::Tools]
        .clone()
        .expect("tools");
    tools.endpoints[0].instance_count = 3;
    tools.endpoints[0].created = T0.plus_secs(HOUR);
    poll(&mut app, 1, Role::Tools, 1, tools);
    typed(&mut app, ":sort name\n");
    assert_eq!(app.fleet.order, [0, 1]);
    typed(&mut app, ":sort cost\n");
    assert_eq!(app.fleet.sort, fleet::SortKey::Cost);
    assert_eq!(app.fleet.order, [1, 0], "bob pays more per hour");
    typed(&mut app, "/idle\n");
    assert_eq!(
        app.fleet.order,
        [0],
        "only alice's endpoints were left running"
    );
}

#[test]
fn dollar_on_a_fleet_row_lists_that_labs_costs() {
    let mut app = class_at(HOUR);
    assert_eq!(app.mode(), Mode::Fleet);
    press(&mut app, &[KeyCode::Char('j'), KeyCode::Char('$')]);
    assert_eq!(app.mode(), Mode::Costs);
    assert_eq!(app.current, 1, "bob's row was selected");
    let list = crossdeck::app::costs::cost_list(&app).expect("a lab");
    assert_eq!(list.title, "Costs · bob");
    assert_eq!(list.total, "nothing bills by the hour");
    let screen = render(&app, 80, 24);
    assert!(screen.contains("Costs · bob"), "{screen}");
    assert!(
        screen.contains("fleet · 2 labs"),
        "drawn over the fleet:\n{screen}"
    );
    press(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.mode(), Mode::Fleet);
    // Back on alice's row, her costs.
    press(&mut app, &[KeyCode::Char('k'), KeyCode::Char('$')]);
    let list = crossdeck::app::costs::cost_list(&app).expect("a lab");
    assert_eq!(list.title, "Costs · alice");
    assert_eq!(list.total, "≈ $0.16 so far · $0.162/h");
}
