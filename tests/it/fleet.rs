//! Fleet reducer tests: the first screen, sort, filter, `:` commands, marks, drilling into a lab
//! and back, the mouse, and read-only refusing bulk actions at the key.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use crossdeck::app::fleet::SortKey;
use crossdeck::app::keymap::Mode;
use crossdeck::app::{App, Command, Msg, update};
use crossdeck::backend::sim::SimOptions;
use crossdeck::lab::LabNames;

use crate::fixtures::{self, T0};
use crate::simapp::fleet_at;

pub fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// Type `s`: `\n` is Enter, `\x1b` Esc, `\x08` Backspace.
pub fn typed(app: &mut App, s: &str) -> Vec<Command> {
    s.chars()
        .flat_map(|c| {
            let code = match c {
                '\n' => KeyCode::Enter,
                '\x1b' => KeyCode::Esc,
                '\x08' => KeyCode::Backspace,
                c => KeyCode::Char(c),
            };
            update(app, key(code))
        })
        .collect()
}

/// The default demo an hour and a half in (four labs blocked, each on its fault).
pub fn demo() -> App {
    fleet_at(SimOptions::default(), 0, 5400, 60)
}

fn names(app: &App) -> Vec<&str> {
    app.fleet
        .order
        .iter()
        .map(|i| app.labs[*i].info.name.as_str())
        .collect()
}

fn selected(app: &App) -> &str {
    &app.labs[app.fleet.selected].info.name
}

#[test]
fn several_labs_open_on_the_fleet_and_one_lab_on_its_view() {
    assert_eq!(demo().mode(), Mode::Fleet);
    let one = App::new(vec![fixtures::info()], LabNames::default(), T0);
    assert_eq!(one.mode(), Mode::Lab);
    let mut one = one;
    typed(&mut one, "\x1b");
    assert!(one.quit, "with one lab Esc still quits the lab view");
}

#[test]
fn sort_keys_cycle_and_order_the_rows() {
    let mut app = demo();
    assert_eq!(app.fleet.sort, SortKey::Name);
    assert_eq!(
        names(&app),
        ["alice", "bob", "carol", "dave", "erin", "frank"]
    );
    typed(&mut app, "o");
    assert_eq!(app.fleet.sort, SortKey::Change);
    let changes: Vec<_> = app
        .fleet
        .order
        .iter()
        .map(|i| app.labs[*i].last_change)
        .collect();
    assert!(
        changes.windows(2).all(|w| w[0] >= w[1]),
        "latest change first: {changes:?}"
    );
    typed(&mut app, "o");
    assert_eq!(app.fleet.sort, SortKey::Cost);
    let rates: Vec<f64> = app
        .fleet
        .order
        .iter()
        .map(|i| app.labs[*i].cost.hourly)
        .collect();
    assert!(
        rates.windows(2).all(|w| w[0] >= w[1]),
        "most dollars per hour first: {rates:?}"
    );
    assert!(rates[0] > rates[rates.len() - 1], "{rates:?}");
    typed(&mut app, "o");
    assert_eq!(app.fleet.sort, SortKey::Step);
    let steps: Vec<_> = app
        .fleet
        .order
        .iter()
        .map(|i| app.labs[*i].progress.reached)
        .collect();
    assert!(
        steps.windows(2).all(|w| w[0] <= w[1]),
        "least advanced first"
    );
    assert_eq!(names(&app)[0], "bob", "bob never got past 1.3.1");
    typed(&mut app, "o");
    assert_eq!(app.fleet.sort, SortKey::Blocked);
    let order = names(&app);
    let mut blocked = order[..4].to_vec();
    blocked.sort_unstable();
    assert_eq!(blocked, ["bob", "carol", "dave", "erin"], "{order:?}");
    let mut rest = order[4..].to_vec();
    rest.sort_unstable();
    assert_eq!(rest, ["alice", "frank"]);
    typed(&mut app, "o");
    assert_eq!(app.fleet.sort, SortKey::Name);
}

#[test]
fn the_selection_stays_on_its_lab_when_the_rows_move() {
    let mut app = demo();
    typed(&mut app, "jjj");
    assert_eq!(selected(&app), "dave");
    typed(&mut app, ":sort blocked\n");
    assert_eq!(selected(&app), "dave", "still dave, wherever his row went");
    assert_eq!(app.notice.as_deref(), Some("sorted by blocked"));
}

#[test]
fn slash_filters_by_name_or_any_text_in_the_row() {
    let mut app = demo();
    typed(&mut app, "/");
    assert_eq!(app.mode(), Mode::FleetFilter);
    typed(&mut app, "q");
    assert!(!app.quit, "typing goes into the filter, not to the keys");
    assert_eq!(app.fleet.filter, "q");
    typed(&mut app, "\x08unreachable");
    assert_eq!(
        names(&app),
        ["erin"],
        "text of the row: erin's Stage is unreachable"
    );
    typed(&mut app, "\n");
    assert_eq!(app.mode(), Mode::Fleet, "Enter keeps the filter");
    assert_eq!(names(&app), ["erin"]);
    assert_eq!(selected(&app), "erin");
    typed(&mut app, "/");
    for _ in 0.."unreachable".len() {
        typed(&mut app, "\x08");
    }
    typed(&mut app, "ROLLBACK\n");
    assert_eq!(
        names(&app),
        ["bob"],
        "case-insensitive, on the blocking reason"
    );
    typed(&mut app, "/\x1b");
    assert_eq!(app.fleet.filter, "", "Esc clears it");
    assert_eq!(names(&app).len(), 6);
    typed(&mut app, "/car\n\x1b");
    assert_eq!(
        names(&app).len(),
        6,
        "Esc on the fleet clears a kept filter too"
    );
}

#[test]
fn colon_commands_drill_sort_filter_quit_and_explain_mistakes() {
    let mut app = demo();
    typed(&mut app, ":");
    assert_eq!(app.mode(), Mode::FleetCommand);
    typed(&mut app, "frobnicate\n");
    assert_eq!(app.mode(), Mode::Fleet);
    let notice = app.notice.clone().unwrap_or_default();
    assert!(notice.contains("unknown command :frobnicate"), "{notice}");
    assert!(notice.contains(":lab NAME"), "{notice}");
    typed(&mut app, ":sort size\n");
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("unknown sort"))
    );
    assert_eq!(app.fleet.sort, SortKey::Name);
    typed(&mut app, ":sort step\n");
    assert_eq!(app.fleet.sort, SortKey::Step);
    typed(&mut app, ":filter Unable to assume\n");
    assert_eq!(names(&app), ["carol"]);
    typed(&mut app, ":filter\n");
    assert_eq!(names(&app).len(), 6, ":filter alone clears it");
    typed(&mut app, ":lab nobody\n");
    assert_eq!(app.mode(), Mode::Fleet);
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("no lab named"))
    );
    typed(&mut app, ":xyz\x1b");
    assert_eq!(app.mode(), Mode::Fleet, "Esc leaves the command line");
    assert!(!app.quit);
    typed(&mut app, ":lab dave\n");
    assert_eq!((app.mode(), app.current), (Mode::Lab, 3));
    typed(&mut app, "\x1b:q\n");
    assert!(app.quit, ":q quits");
}

#[test]
fn enter_drills_in_and_esc_comes_back_with_the_selection_kept() {
    let mut app = demo();
    typed(&mut app, "jjj");
    typed(&mut app, "\n");
    assert_eq!(app.mode(), Mode::Lab);
    assert_eq!(app.current, 3, "dave's lab view");
    typed(&mut app, "\x1b");
    assert_eq!(app.mode(), Mode::Fleet);
    assert_eq!(selected(&app), "dave");
    // Moving to another lab inside the lab view selects it back on the fleet.
    typed(&mut app, "\n]\x1b");
    assert_eq!(selected(&app), "erin");
    typed(&mut app, "q");
    assert!(app.quit, "q quits from the fleet");
}

#[test]
fn space_marks_rows_and_esc_clears_the_marks() {
    let mut app = demo();
    assert_eq!(app.fleet.targets(), [0], "none marked: the selected lab");
    typed(&mut app, " j ");
    assert_eq!(
        app.fleet.marked(),
        [0, 2],
        "alice and carol; Space moves down"
    );
    assert_eq!(selected(&app), "dave");
    assert_eq!(app.fleet.targets(), [0, 2]);
    typed(&mut app, "k ");
    assert_eq!(app.fleet.marked(), [0], "Space again unmarks");
    typed(&mut app, "\x1b");
    assert!(app.fleet.marked().is_empty());
}

#[test]
fn a_click_selects_the_row_and_the_wheel_scrolls() {
    let mut app = fleet_at(
        SimOptions {
            participants: 40,
            ..SimOptions::default()
        },
        600,
        600,
        60,
    );
    update(&mut app, Msg::Resize(100, 24));
    let mouse = |kind, row| {
        Msg::Mouse(MouseEvent {
            kind,
            column: 10,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // Rows start on the fourth line (header, summary, column headings).
    update(&mut app, mouse(MouseEventKind::Down(MouseButton::Left), 5));
    assert_eq!(app.fleet.selected, app.fleet.order[2]);
    update(&mut app, mouse(MouseEventKind::Down(MouseButton::Left), 1));
    assert_eq!(
        app.fleet.selected, app.fleet.order[2],
        "the summary is no row"
    );
    for _ in 0..30 {
        update(&mut app, mouse(MouseEventKind::ScrollDown, 5));
    }
    assert_eq!(app.fleet.selected, app.fleet.order[32]);
    assert!(app.fleet.scroll > 0, "the window followed");
    let top = app.fleet.scroll;
    update(&mut app, mouse(MouseEventKind::Down(MouseButton::Left), 3));
    assert_eq!(
        app.fleet.selected, app.fleet.order[top],
        "a click on the scrolled window"
    );
}

#[test]
fn read_only_refuses_bulk_actions_at_the_key() {
    let mut app = demo();
    app.read_only = true;
    for k in ["C", "A"] {
        let cmds = typed(&mut app, k);
        assert!(cmds.is_empty());
        assert!(app.overlays.is_empty(), "{k} opens nothing");
        assert!(app.bulk.is_none());
        assert!(
            app.notice
                .as_deref()
                .is_some_and(|n| n.starts_with("read-only"))
        );
    }
}

#[test]
fn every_fleet_key_is_in_the_table_and_the_help() {
    use crossdeck::app::keymap;
    let help = keymap::help_rows(Mode::Fleet);
    for k in ["Enter", "Space", "o", "/", ":", "C", "A", "q", "?"] {
        assert!(
            help.iter().any(|(keys, _)| keys.split(' ').any(|x| x == k)),
            "{k} in {help:?}"
        );
    }
    let footer = keymap::footer_hints(Mode::Fleet);
    assert!(
        footer.iter().any(|(k, l)| k == "/" && *l == "filter"),
        "{footer:?}"
    );
}

/// A poll moves `lab` to the top of the `change` sort: its last change is now.
fn changed_now(app: &mut App, lab: &str) {
    let i = app
        .labs
        .iter()
        .position(|l| l.info.name == lab)
        .expect("lab");
    app.labs[i].last_change = Some(app.now);
    app.fleet.stale = true;
}

#[test]
fn marking_holds_the_row_order_still() {
    let mut app = demo();
    typed(&mut app, ":sort change\ng");
    let before: Vec<String> = names(&app).iter().map(|s| s.to_string()).collect();
    let last = before.last().expect("rows").clone();
    // Mark the first row; a poll then makes the last lab the most recent change.
    typed(&mut app, " ");
    changed_now(&mut app, &last);
    let later = app.now.plus_secs(3600);
    update(&mut app, Msg::Tick(later));
    assert_eq!(names(&app), before, "held while a lab is marked");
    let header = crate::render::render(&app, 120, 30);
    assert!(header.contains("1 marked · order held"), "{header}");
    // Space marks the row under the cursor: the second row as it was shown.
    typed(&mut app, " ");
    let marked: Vec<&str> = app
        .fleet
        .marked()
        .iter()
        .map(|i| app.labs[*i].info.name.as_str())
        .collect();
    let mut expected = vec![before[0].as_str(), before[1].as_str()];
    expected.sort_by_key(|n| app.labs.iter().position(|l| l.info.name == *n));
    assert_eq!(marked, expected);
    // Esc clears the marks and the order follows the polls again.
    typed(&mut app, "\x1b");
    assert_eq!(names(&app)[0], last);
    // Once the few seconds after the key are over, the header no longer says it.
    update(&mut app, Msg::Tick(later.plus_secs(3600)));
    let screen = crate::render::render(&app, 120, 30);
    assert!(screen.contains("sorted by change"), "{screen}");
    assert!(!screen.contains("order held"), "{screen}");
}

#[test]
fn a_key_holds_the_order_for_a_few_seconds() {
    let mut app = demo();
    typed(&mut app, ":sort change\n");
    let before: Vec<String> = names(&app).iter().map(|s| s.to_string()).collect();
    let last = before.last().expect("rows").clone();
    let t = app.now;
    typed(&mut app, "j");
    changed_now(&mut app, &last);
    // The demo's clock runs `speed` simulated seconds a second: 1 s later, still held.
    let speed = app.simulated.expect("the demo") as i64;
    update(&mut app, Msg::Tick(t.plus_secs(speed)));
    assert_eq!(names(&app), before, "held just after a key");
    assert!(crate::render::render(&app, 120, 30).contains("order held"));
    // 6 s later the poll's order shows.
    update(&mut app, Msg::Tick(t.plus_secs(6 * speed)));
    assert_eq!(names(&app)[0], last, "reordered once the hold is over");
}
