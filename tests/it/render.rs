//! Screen tests: the lab view drawn into ratatui's TestBackend at fixed sizes, as insta snapshots.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use insta::assert_snapshot;

use crossdeck::app::{App, Msg, update};
use crossdeck::backend::AccountKey;
use crossdeck::backend::sim::SimOptions;
use crossdeck::lab::*;
use crossdeck::ui;

use crate::fixtures::{self, T0};
use crate::simapp;

/// Draw the app into a `w`x`h` buffer and return its text, with clock times masked.
pub fn render(app: &App, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| ui::draw(f, app)).expect("draw");
    mask_times(&terminal.backend().to_string())
}

/// Replace every `HH:MM:SS` with `hh:mm:ss`, so snapshots do not depend on clock times.
pub fn mask_times(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let digit = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_digit());
    while i < chars.len() {
        let is_time = (0..8).all(|k| {
            let c = chars.get(i + k);
            if k == 2 || k == 5 {
                c == Some(&':')
            } else {
                digit(c)
            }
        }) && !digit(chars.get(i + 8))
            && (i == 0 || !digit(chars.get(i - 1)));
        if is_time {
            out.push_str("hh:mm:ss");
            i += 8;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

pub fn fixture_app() -> App {
    let mut app = App::new(
        vec![fixtures::info()],
        LabNames::default(),
        T0.plus_secs(42),
    );
    let lab = fixtures::complete_lab();
    for role in Role::LAB {
        update(
            &mut app,
            Msg::Poll {
                key: AccountKey { lab: 0, role },
                generation: 1,
                result: Ok(Box::new(lab[role].clone().expect("snapshot"))),
            },
        );
    }
    app
}

#[test]
fn times_are_masked() {
    assert_eq!(
        mask_times("at 09:31:05 x 1:2:3 123:45:678"),
        "at hh:mm:ss x 1:2:3 123:45:678"
    );
}

fn opts() -> SimOptions {
    SimOptions::default()
}

/// The default demo class, polled every minute for the hour before `at`.
pub fn demo_at(at: i64) -> App {
    simapp::app_at(opts(), at - 3600, at, 60)
}

pub fn on_lab(mut app: App, lab: usize) -> App {
    app.current = lab;
    app
}

pub fn keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\t' => KeyCode::Tab,
            c => KeyCode::Char(c),
        };
        update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }
}

#[test]
fn lab_view_mid_deploy_at_80x24() {
    assert_snapshot!(render(&demo_at(2700), 80, 24));
}

#[test]
fn lab_view_mid_deploy_at_160x48() {
    assert_snapshot!(render(&demo_at(2700), 160, 48));
}

#[test]
fn lab_view_of_a_rolled_back_stack_at_80x24() {
    let app = on_lab(demo_at(1200), 1);
    let screen = render(&app, 80, 24);
    assert!(screen.contains("blocked · Tools: stack MLOpsPipeline ROLLBACK_COMPLETE"));
    assert_snapshot!(screen);
}

#[test]
fn lab_view_of_a_failed_endpoint_at_160x48() {
    let app = on_lab(demo_at(1800), 3);
    let screen = render(&app, 160, 48);
    assert!(screen.contains("ResourceLimitExceeded"));
    assert_snapshot!(screen);
}

#[test]
fn lab_view_of_denied_credentials_at_80x24() {
    let app = on_lab(demo_at(1200), 4);
    let screen = render(&app, 80, 24);
    assert!(screen.contains("✗ AccessDenied"));
    assert_snapshot!(screen);
}

#[test]
fn stack_detail_shows_events_and_outputs() {
    let mut app = on_lab(demo_at(1200), 1);
    keys(&mut app, "jj\n");
    let screen = render(&app, 110, 36);
    assert!(screen.contains("Stack · MLOpsPipeline (Tools)"));
    assert!(screen.contains("Root cause: EvaluateModelLambda CREATE_FAILED"));
    assert!(screen.contains("NoSuchKey"));
    assert_snapshot!(screen);
}

#[test]
fn help_overlay_lists_the_key_table() {
    let mut app = demo_at(2700);
    keys(&mut app, "?");
    assert_snapshot!(render(&app, 80, 30));
}

#[test]
fn picker_lists_every_participant() {
    let mut app = demo_at(2700);
    keys(&mut app, "pj");
    assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn too_small_says_so() {
    let app = demo_at(0);
    let screen = render(&app, 60, 20);
    assert!(screen.contains("Terminal too small"));
    assert!(screen.contains("this one is 60x20"));
    assert_snapshot!(screen);
}

#[test]
fn fixture_lab_at_80x24() {
    assert_snapshot!(render(&fixture_app(), 80, 24));
}

#[test]
fn a_configured_production_account_gets_its_own_pane() {
    let mut info = fixtures::info();
    info.accounts[Role::Production] = Some("444444444444".into());
    let app = App::new(vec![info], LabNames::default(), T0);
    let screen = render(&app, 120, 30);
    for title in [
        "Tools 1111",
        "DataScience 2222",
        "Stage 3333",
        "Production 4444",
    ] {
        assert!(screen.contains(title), "{title} in\n{screen}");
    }
    assert_eq!(screen.matches("polling…").count(), 4, "{screen}");
}

#[test]
fn help_opened_over_a_detail_keeps_the_detail_underneath() {
    let mut app = on_lab(demo_at(1200), 1);
    keys(&mut app, "jj\n?");
    let screen = render(&app, 120, 40);
    assert!(screen.contains("Keys in the Detail"), "{screen}");
    assert!(screen.contains("Stack · MLOpsPipeline (Tools)"), "{screen}");
}

#[test]
fn help_at_120_columns_shows_whole_descriptions() {
    use crossdeck::app::keymap::{Mode, help_rows};
    let mut app = demo_at(2700);
    keys(&mut app, "?");
    let screen = render(&app, 120, 40);
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    // The help box's columns, from its top border.
    let (top, left, right) = rows
        .iter()
        .enumerate()
        .find_map(|(y, r)| {
            let s: String = r.iter().collect();
            let left = s.find("┌ Help").map(|b| s[..b].chars().count())?;
            let right = r.iter().skip(left).position(|c| *c == '┐')? + left;
            Some((y, left, right))
        })
        .expect("the help box");
    assert!(right - left > 80, "wider than the old 76 columns");
    let inside: Vec<String> = rows[top + 1..]
        .iter()
        .take_while(|r| r.get(left) == Some(&'│'))
        .map(|r| r[left + 1..right].iter().collect::<String>())
        .collect();
    let words = |lines: &[String]| {
        lines
            .iter()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let text = words(&inside);
    // A description that starts on the box's last line may go on below it, out of view.
    let above_last = words(&inside[..inside.len() - 1]);
    let mut shown = 0;
    for (_, what) in help_rows(Mode::Lab) {
        let start: String = what
            .split_whitespace()
            .take(4)
            .collect::<Vec<_>>()
            .join(" ");
        if above_last.contains(&start) {
            shown += 1;
            assert!(text.contains(what), "{what:?} is whole in\n{screen}");
        }
    }
    assert!(shown >= 25, "{shown} rows shown in\n{screen}");
    // At least one description did not fit on its line and went on to the next.
    assert!(
        help_rows(Mode::Lab)
            .iter()
            .any(|(_, w)| w.chars().count() > right - left - 14),
        "a long description"
    );
    assert_snapshot!(screen);
}

#[test]
fn remapped_keys_dispatch_and_show_in_the_help_and_footer() {
    use crossdeck::app::keymap::KeyAction;
    use crossdeck::app::remap::{KeyMap, parse_key};
    let key = |s: &str| parse_key(s).expect("a key");
    let map = KeyMap::with_overrides(&[
        (KeyAction::Help, vec![key("H")]),
        (KeyAction::Down, vec![key("J"), key("down")]),
        (KeyAction::Approve, vec![key("A")]),
    ]);
    let mut app = demo_at(2700).with_keys(map);
    let screen = render(&app, 120, 40);
    let footer = screen.lines().last().expect("footer");
    assert!(
        footer.contains("H help") && footer.contains("J move"),
        "{footer}"
    );
    keys(&mut app, "?");
    assert!(app.overlays.is_empty(), "? no longer opens the help");
    keys(&mut app, "H");
    let screen = render(&app, 120, 40);
    assert!(screen.contains("Keys in the Lab view"), "{screen}");
    let line_of = |what: &str| {
        screen
            .lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("{what} in\n{screen}"))
            .to_string()
    };
    assert!(line_of("show this help").contains(" H "));
    assert!(line_of("next row (scroll down)").contains(" J ↓ "));
    assert!(line_of("approve the selected waiting approval").contains(" A "));
}
