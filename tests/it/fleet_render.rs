//! The fleet view on screen: insta snapshots of a simulated class at fixed times, each fault's
//! lab blocked with its reason in its own row only, and the cost of drawing 300 labs.

use std::time::Instant;

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crossdeck::app::App;
use crossdeck::app::keymap::Mode;
use crossdeck::backend::sim::SimOptions;
use crossdeck::ui;

use crate::render::render;
use crate::simapp::fleet_at;

fn class(participants: usize) -> SimOptions {
    SimOptions {
        participants,
        ..SimOptions::default()
    }
}

/// The row of `name` on screen (the line whose lab column is `name`).
fn row<'a>(screen: &'a str, name: &str) -> &'a str {
    screen
        .lines()
        .find(|l| {
            l.get(3..)
                .is_some_and(|r| r.starts_with(&format!("{name} ")))
        })
        .unwrap_or_else(|| panic!("no row for {name} in\n{screen}"))
}

#[test]
fn fleet_of_12_at_80x24() {
    let app = fleet_at(class(12), 0, 1800, 60);
    assert_eq!(app.mode(), Mode::Fleet);
    assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn fleet_of_30_at_200x60() {
    let app = fleet_at(class(30), 0, 2700, 60);
    let screen = render(&app, 200, 60);
    assert_snapshot!(screen);
}

/// The default demo an hour and a half in: bob's pipeline stack rolled back, carol's Stage
/// deployment cannot assume its role, dave's endpoint failed, erin's Stage credentials are
/// denied. Each shows as blocked, with its reason, in its own row and no other.
#[test]
fn each_fault_shows_as_blocked_in_its_own_row_only() {
    let app = fleet_at(class(6), 0, 5400, 60);
    let screen = render(&app, 200, 60);
    let faults = [
        ("bob", "Tools: stack MLOpsPipeline ROLLBACK_COMPLETE"),
        (
            "carol",
            "Tools: action DeployModel-Stage/DeployToStageEnv Failed: Unable to assume role",
        ),
        (
            "dave",
            "Tools: action DeployModel-Tools/GetDeployStatus Failed: Endpoint",
        ),
        ("erin", "Stage: account unreachable: AccessDenied"),
    ];
    for (name, reason) in faults {
        let r = row(&screen, name);
        assert!(r.contains(reason), "{name}'s row lacks {reason:?}:\n{r}");
        for (other, other_reason) in faults {
            if other != name {
                assert!(
                    !r.contains(other_reason),
                    "{other}'s reason in {name}'s row:\n{r}"
                );
            }
        }
    }
    for name in ["alice", "frank"] {
        let r = row(&screen, name);
        assert!(
            !r.contains("Tools:") && !r.contains("Stage:") && !r.contains('✗'),
            "{name} is healthy:\n{r}"
        );
    }
    // The health marks: bob's Tools failed, erin's Stage unreachable, alice all fine.
    assert!(row(&screen, "bob").contains("T✗ D✓ S✓"), "{screen}");
    assert!(row(&screen, "erin").contains("S⊘"), "{screen}");
    assert!(row(&screen, "alice").contains("T✓ D✓ S✓"), "{screen}");
    assert!(
        screen.contains("│ 4 blocked │") && screen.contains("│ 1 acct in error"),
        "{screen}"
    );
}

/// Colour comes from the theme: with NO_COLOR (`App::color` false) no cell has a colour.
#[test]
fn the_fleet_is_plain_without_colour() {
    let mut app = fleet_at(class(6), 0, 5400, 60);
    let colours = |app: &App| {
        let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("terminal");
        terminal.draw(|f| ui::draw(f, app)).expect("draw");
        let buf = terminal.backend().buffer().clone();
        buf.content()
            .iter()
            .filter(|c| {
                c.fg != ratatui::style::Color::Reset || c.bg != ratatui::style::Color::Reset
            })
            .count()
    };
    assert!(colours(&app) > 0, "coloured by default");
    app.color = false;
    assert_eq!(colours(&app), 0, "NO_COLOR draws no colour");
}

/// 300 labs at 200x60: a frame builds only the visible rows, so it costs no more than the lab
/// view of one lab (which the criterion benchmark keeps well under a millisecond). Release
/// builds must draw it in under a millisecond; debug builds get a looser bound. Drawing every
/// row would cost five times the visible ones and fail the comparison.
#[test]
fn three_hundred_labs_draw_quickly() {
    let app = fleet_at(class(300), 2400, 2400, 60);
    assert_eq!(app.labs.len(), 300);
    let lab = crate::simapp::app_at(class(6), 2400, 2400, 60);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    let frames = 200;
    let mut time = |app: &App| {
        terminal.draw(|f| ui::draw(f, app)).expect("draw");
        let start = Instant::now();
        for _ in 0..frames {
            terminal.draw(|f| ui::draw(f, app)).expect("draw");
        }
        start.elapsed() / frames
    };
    let fleet = time(&app);
    let lab_view = time(&lab);
    println!("at 200x60: fleet of 300 {fleet:?}, lab view {lab_view:?} per frame");
    assert!(
        fleet.as_secs_f64() < 1.5 * lab_view.as_secs_f64(),
        "fleet {fleet:?} against lab view {lab_view:?}"
    );
    let bound = if cfg!(debug_assertions) {
        20_000
    } else {
        1_000
    };
    assert!(fleet.as_micros() < bound, "{fleet:?} per frame");
}

/// The filter being typed shows in the footer with the keys that end it; the rows follow it.
#[test]
fn the_filter_line_shows_what_is_typed() {
    let mut app = fleet_at(class(6), 0, 5400, 60);
    crate::fleet::typed(&mut app, "/car");
    let screen = render(&app, 100, 24);
    let footer = screen.lines().nth(23).unwrap_or_default();
    assert!(
        footer.contains("/car▏") && footer.contains("Enter keep / run"),
        "{footer}"
    );
    assert!(row(&screen, "carol").contains("3.7 Tools"), "{screen}");
    assert!(!screen.contains("alice"), "{screen}");
    assert!(screen.contains("filter \"car\" (1 shown)"), "{screen}");
}
