//! Screen tests: the lab view drawn into ratatui's TestBackend at fixed sizes, as insta snapshots.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crossdeck::app::{App, Msg, update};
use crossdeck::backend::AccountKey;
use crossdeck::lab::*;
use crossdeck::ui;

use crate::fixtures::{self, T0};

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

fn fixture_app() -> App {
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

#[test]
fn fixture_lab_at_80x24() {
    let app = fixture_app();
    println!("{}", render(&app, 80, 24));
    println!("{}", render(&app, 160, 48));
}
