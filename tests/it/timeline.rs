//! The event timeline: what the diff records (resource events, stages, dated statuses), the `T`
//! overlay's filter and scrolling, its screen, and `status --json --events`.

use std::process::Command as Process;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use insta::assert_snapshot;

use crossdeck::app::state::LOG_CAPACITY;
use crossdeck::app::timeline;
use crossdeck::app::{App, Msg, Overlay, update};
use crossdeck::backend::{AccountKey, Action, ActionDone};
use crossdeck::lab::diff::transitions;
use crossdeck::lab::*;

use crate::fixtures::{self, T0, TOOLS};
use crate::render::{demo_at, fixture_app, on_lab, render};

fn event(secs: i64, logical: &str, status: &str) -> StackEvent {
    StackEvent {
        at: T0.plus_secs(secs),
        logical_id: logical.into(),
        resource_type: "AWS::Lambda::Function".into(),
        status: status.into(),
        reason: None,
    }
}

#[test]
fn every_new_resource_event_is_recorded_once_and_the_stack_s_own_are_left_to_its_status() {
    let mut stack = fixtures::stack("MLOpsPipeline", "CREATE_IN_PROGRESS");
    stack.events = vec![
        event(2, "EvaluateModel", "CREATE_IN_PROGRESS"),
        event(1, "MLOpsPipeline", "CREATE_IN_PROGRESS"),
    ];
    let mut old = AccountSnapshot::empty(TOOLS, T0.plus_secs(5));
    old.stacks = vec![stack.clone()];
    let mut new = old.clone();
    new.fetched_at = T0.plus_secs(10);
    new.stacks[0]
        .events
        .insert(0, event(8, "EvaluateModel", "CREATE_COMPLETE"));
    new.stacks[0]
        .events
        .insert(0, event(9, "Deploy", "CREATE_FAILED"));

    let first = transitions(None, &old);
    let subjects: Vec<(&str, &str)> = first
        .iter()
        .map(|t| (t.subject.as_str(), t.status.as_str()))
        .collect();
    assert_eq!(
        subjects,
        [
            ("stack MLOpsPipeline", "CREATE_IN_PROGRESS"),
            ("resource MLOpsPipeline/EvaluateModel", "CREATE_IN_PROGRESS")
        ]
    );
    let later = transitions(Some(&old), &new);
    let got: Vec<(&str, &str, Category, bool)> = later
        .iter()
        .map(|t| (t.subject.as_str(), t.status.as_str(), t.category, t.minor()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "resource MLOpsPipeline/EvaluateModel",
                "CREATE_COMPLETE",
                Category::Complete,
                true
            ),
            (
                "resource MLOpsPipeline/Deploy",
                "CREATE_FAILED",
                Category::Failed,
                false
            ),
        ]
    );
    assert_eq!(later[0].at, T0.plus_secs(8));
}

#[test]
fn stage_changes_are_recorded_and_a_first_poll_dates_endpoints_by_their_last_change() {
    let mut old = AccountSnapshot::empty(TOOLS, T0);
    old.pipelines = vec![fixtures::pipeline(["Succeeded"; 7])];
    let mut new = old.clone();
    new.fetched_at = T0.plus_secs(60);
    let stage = &mut new.pipelines[0].stages[1];
    stage.status = Some("InProgress".into());
    stage.actions[0].status = Some("InProgress".into());
    stage.actions[0].last_change = Some(T0.plus_secs(30));
    let name = stage.name.clone();
    let later = transitions(Some(&old), &new);
    let stage_change = later
        .iter()
        .find(|t| t.subject == format!("stage {name}"))
        .expect("the stage's change is recorded");
    assert_eq!(stage_change.status, "InProgress");
    assert_eq!(stage_change.at, T0.plus_secs(30));
    assert!(stage_change.minor());

    let mut ep = fixtures::endpoint("Tools", "InService");
    ep.modified = T0.plus_secs(-600);
    let mut snap = AccountSnapshot::empty(TOOLS, T0);
    snap.endpoints = vec![ep];
    let first = transitions(None, &snap);
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].at, T0.plus_secs(-600));
    // Without a last-change time an endpoint at rest is not history on a first poll.
    snap.endpoints[0].modified = Timestamp(0);
    assert!(transitions(None, &snap).is_empty());
}

fn press(app: &mut App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn type_text(app: &mut App, s: &str) {
    for c in s.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn view(app: &App) -> timeline::TimelineView {
    match app.overlays.last() {
        Some(Overlay::Timeline(v)) => v.clone(),
        other => panic!("the timeline is open: {other:?}"),
    }
}

/// The fixture lab, plus an action crossdeck ran a minute later.
fn app_with_action() -> App {
    let mut app = fixture_app();
    app.now = T0.plus_secs(100);
    update(
        &mut app,
        Msg::ActionResult {
            key: AccountKey {
                lab: 0,
                role: Role::Tools,
            },
            action: Box::new(Action::StartPipeline {
                pipeline: "mlops-ali".into(),
            }),
            result: Ok(ActionDone::new("started a new run of mlops-ali")),
        },
    );
    app
}

#[test]
fn t_opens_the_timeline_newest_first_with_the_actions_crossdeck_ran() {
    let mut app = app_with_action();
    press(&mut app, KeyCode::Char('T'));
    assert_eq!(view(&app), timeline::TimelineView::default());
    let rows = timeline::rows(app.lab().expect("lab"), "");
    assert_eq!(rows.len(), app.labs[0].log.len());
    assert_eq!(rows[0].change.subject, "started a new run of mlops-ali");
    assert_eq!(rows[0].change.status, "crossdeck");
    assert!(
        rows.windows(2).all(|w| w[0].change.at >= w[1].change.at),
        "newest first"
    );
}

#[test]
fn the_filter_keeps_entries_holding_every_word_and_esc_clears_it() {
    let mut app = app_with_action();
    press(&mut app, KeyCode::Char('T'));
    press(&mut app, KeyCode::Char('/'));
    assert!(view(&app).editing);
    // Letters are text while the filter has the keyboard: `q` and `T` do not close it.
    type_text(&mut app, "Tools stack");
    assert_eq!(view(&app).filter, "Tools stack");
    let lab = app.lab().expect("lab");
    let rows = timeline::rows(lab, &view(&app).filter);
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|e| e.role == Role::Tools && e.change.subject.starts_with("stack "))
    );
    assert!(rows.len() < lab.log.len());
    press(&mut app, KeyCode::Enter);
    assert!(!view(&app).editing);
    assert_eq!(view(&app).filter, "Tools stack");
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Backspace);
    assert_eq!(view(&app).filter, "Tools stac");
    press(&mut app, KeyCode::Esc);
    assert_eq!(view(&app).filter, "");
    assert!(!view(&app).editing);
    press(&mut app, KeyCode::Char('q'));
    assert!(app.overlays.is_empty());
}

#[test]
fn the_timeline_scrolls_within_its_rows() {
    let mut app = demo_at(2700);
    press(&mut app, KeyCode::Char('T'));
    let total = app.labs[0].log.len();
    assert!(total > 20, "{total}");
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(view(&app).scroll, 2);
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(view(&app).scroll, total - 1);
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(view(&app).scroll, 0);
}

#[test]
fn the_timeline_is_bounded() {
    let mut app = fixture_app();
    let tools = fixtures::complete_lab()[Role::Tools]
        .clone()
        .expect("tools");
    // Every poll flips the endpoint's status: two entries per poll pair, forever.
    for g in 2..(LOG_CAPACITY as u64 + 50) {
        let mut snap = tools.clone();
        snap.fetched_at = T0.plus_secs(g as i64);
        snap.endpoints[0].status = if g % 2 == 0 { "Updating" } else { "InService" }.into();
        update(
            &mut app,
            Msg::Poll {
                key: AccountKey {
                    lab: 0,
                    role: Role::Tools,
                },
                generation: g,
                result: Ok(Box::new(snap)),
            },
        );
    }
    assert_eq!(app.labs[0].log.len(), LOG_CAPACITY);
    assert_eq!(timeline::rows(&app.labs[0], "").len(), LOG_CAPACITY);
}

#[test]
fn the_timeline_of_a_failed_endpoint_at_160x40() {
    let mut app = on_lab(demo_at(1800), 3);
    press(&mut app, KeyCode::Char('T'));
    let screen = render(&app, 160, 40);
    assert!(screen.contains("Timeline · dave"), "{screen}");
    assert!(screen.contains("ResourceLimitExceeded"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn the_timeline_filtered_to_failures_at_100x24() {
    let mut app = on_lab(demo_at(1800), 3);
    press(&mut app, KeyCode::Char('T'));
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "failed");
    let screen = render(&app, 100, 24);
    assert!(screen.contains("/ failed▏"), "{screen}");
    let shown = timeline::rows(&app.labs[3], "failed").len();
    assert!(
        screen.contains(&format!("{shown} of {} events", app.labs[3].log.len())),
        "{screen}"
    );
    assert_snapshot!(screen);
}

fn crossdeck(args: &[&str]) -> serde_json::Value {
    let o = Process::new(env!("CARGO_BIN_EXE_crossdeck"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run crossdeck");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("JSON")
}

#[test]
fn status_json_events_lists_the_newest_events_of_each_lab() {
    let plain = crossdeck(&["--demo", "status", "--json", "--lab", "erin"]);
    assert!(plain["labs"][0].get("events").is_none(), "only when asked");

    let r = crossdeck(&["--demo", "status", "--json", "--events", "4"]);
    for lab in r["labs"].as_array().expect("labs") {
        let events = lab["events"].as_array().expect("events");
        assert!(!events.is_empty() && events.len() <= 4, "{events:?}");
        let ats: Vec<&str> = events
            .iter()
            .map(|e| e["at"].as_str().expect("at"))
            .collect();
        let mut sorted = ats.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(ats, sorted, "newest first");
        for e in events {
            let kind = e["kind"].as_str().expect("kind");
            assert!(
                e["subject"].as_str().expect("subject").starts_with(kind),
                "{e}"
            );
            assert!(e["account"].is_string() && e["status"].is_string(), "{e}");
        }
    }
    // erin's Stage credentials are denied: her newest event says so.
    let erin = &r["labs"][4];
    assert_eq!(erin["name"], "erin");
    let e = &erin["events"][0];
    assert_eq!(
        (&e["account"], &e["kind"], &e["status"], &e["category"]),
        (
            &serde_json::json!("stage"),
            &serde_json::json!("account"),
            &serde_json::json!("unreachable"),
            &serde_json::json!("failed")
        )
    );
    assert!(
        e["detail"]
            .as_str()
            .is_some_and(|d| d.contains("AccessDenied"))
    );

    let all = crossdeck(&["--demo", "status", "--json", "--lab", "alice", "--events"]);
    let n = all["labs"][0]["events"].as_array().expect("events").len();
    assert!(n > 4 && n <= 50, "{n}");
}

#[test]
fn t_on_a_fleet_row_opens_that_lab_s_timeline_over_the_fleet() {
    let mut app = crate::simapp::fleet_at(
        crossdeck::backend::sim::SimOptions::default(),
        -900,
        1800,
        60,
    );
    assert!(app.fleet.active);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    let selected = app.fleet.selected;
    press(&mut app, KeyCode::Char('T'));
    assert_eq!(view(&app), timeline::TimelineView::default());
    assert_eq!(app.current, selected);
    let name = app.labs[selected].info.name.clone();
    let screen = render(&app, 120, 32);
    assert!(screen.contains(&format!("Timeline · {name}")), "{screen}");
    press(&mut app, KeyCode::Esc);
    assert!(app.overlays.is_empty());
    assert!(app.fleet.active, "Esc comes back to the fleet");
}
