//! The fleet view on screen: insta snapshots of a simulated class at fixed times, each fault's
//! lab blocked with its reason in its own row only (the cost of drawing 300 labs is in
//! benches/fleet.rs).

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
