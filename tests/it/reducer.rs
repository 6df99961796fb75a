//! Reducer tests: key sequences and poll results produce the expected state and commands.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crossdeck::app::keymap::{self, Mode};
use crossdeck::app::{App, Command, Focus, Msg, Overlay, Target, update};
use crossdeck::backend::AccountKey;
use crossdeck::lab::*;

use crate::fixtures::{self, T0};

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn press(app: &mut App, keys: &[Msg]) -> Vec<Command> {
    keys.iter().flat_map(|k| update(app, k.clone())).collect()
}

/// Two labs open on the fleet; Enter on its first row (alice) opens her lab view.
fn two_labs() -> App {
    let mut bob = fixtures::info();
    bob.name = "bob".into();
    let mut app = App::new(vec![fixtures::info(), bob], LabNames::default(), T0);
    assert_eq!(app.mode(), Mode::Fleet, "several labs open on the fleet");
    press(&mut app, &[key(KeyCode::Enter)]);
    assert_eq!((app.mode(), app.current), (Mode::Lab, 0));
    app
}

pub(crate) fn poll(app: &mut App, lab: usize, role: Role, generation: u64, snap: AccountSnapshot) {
    update(
        app,
        Msg::Poll {
            key: AccountKey { lab, role },
            generation,
            result: Ok(Box::new(snap)),
        },
    );
}

/// App with lab 0 fully polled from the complete fixture.
fn polled() -> App {
    let mut app = two_labs();
    let lab = fixtures::complete_lab();
    for role in Role::LAB {
        poll(&mut app, 0, role, 1, lab[role].clone().expect("snapshot"));
    }
    app
}

#[test]
fn tab_and_vim_keys_cycle_focus_through_panes_and_pipeline() {
    let mut app = polled();
    assert_eq!(app.focus, Focus::Pane(Role::Tools));
    press(&mut app, &[key(KeyCode::Tab)]);
    assert_eq!(app.focus, Focus::Pane(Role::DataScience));
    press(&mut app, &[ch('l'), key(KeyCode::Right)]);
    assert_eq!(app.focus, Focus::Pipeline);
    press(&mut app, &[key(KeyCode::Tab)]);
    assert_eq!(app.focus, Focus::Pane(Role::Tools), "wraps around");
    press(&mut app, &[key(KeyCode::BackTab)]);
    assert_eq!(app.focus, Focus::Pipeline);
    press(&mut app, &[ch('h')]);
    assert_eq!(app.focus, Focus::Pane(Role::Stage));
}

#[test]
fn rows_move_within_bounds_and_enter_opens_the_selected_stack() {
    let mut app = polled();
    press(&mut app, &[ch('j'), key(KeyCode::Down)]);
    assert_eq!(app.selected[0], 2);
    press(&mut app, &[ch('G')]);
    // 3 stacks, 1 share, 1 endpoint, 2 buckets
    assert_eq!(app.selected[0], 6);
    press(&mut app, &[ch('j')]);
    assert_eq!(app.selected[0], 6, "clamped at the last row");
    press(&mut app, &[ch('g'), ch('j'), ch('j'), ch('k')]);
    assert_eq!(app.selected[0], 1);
    press(&mut app, &[key(KeyCode::Enter)]);
    assert_eq!(
        app.overlays,
        vec![Overlay::Detail {
            target: Target::Stack {
                role: Role::Tools,
                name: "MLOpsPipelinePrep".into()
            },
            scroll: 0
        }]
    );
    assert_eq!(app.mode(), Mode::Detail);
    press(&mut app, &[ch('q')]);
    assert!(app.overlays.is_empty());
    assert!(!app.quit, "q backs out of the detail first");
    press(&mut app, &[ch('q')]);
    assert!(app.quit, "q on the lab view quits");
}

#[test]
fn enter_on_the_pipeline_opens_the_selected_action() {
    let mut app = polled();
    press(
        &mut app,
        &[key(KeyCode::BackTab), ch('j'), ch('j'), key(KeyCode::Enter)],
    );
    assert_eq!(
        app.overlays.last(),
        Some(&Overlay::Detail {
            target: Target::Action {
                stage: "DeployModel-Tools".into(),
                action: "GetDeployStatus".into()
            },
            scroll: 0
        })
    );
    let Some(Overlay::Detail { target, .. }) = app.overlays.last() else {
        panic!("a detail overlay is open");
    };
    let d = crossdeck::app::detail::detail(&app, target).expect("detail");
    assert_eq!(d.title, "Action · DeployModel-Tools / GetDeployStatus");
}

#[test]
fn help_opens_over_any_view_and_esc_closes_it() {
    let mut app = polled();
    press(&mut app, &[ch('?')]);
    assert_eq!(app.mode(), Mode::Help);
    press(&mut app, &[ch('j'), ch('j')]);
    assert_eq!(app.overlays, vec![Overlay::Help { scroll: 2 }]);
    press(&mut app, &[key(KeyCode::Esc)]);
    assert_eq!(app.mode(), Mode::Lab);
    assert!(!app.quit);
    press(&mut app, &[key(KeyCode::Enter), ch('?')]);
    assert_eq!(app.overlays.len(), 2, "help stacks over the detail");
    press(&mut app, &[ch('?')]);
    assert_eq!(app.mode(), Mode::Detail);
    press(&mut app, &[key(KeyCode::Esc), key(KeyCode::Esc)]);
    assert!(
        !app.quit,
        "Esc backs out of the detail, then out of the lab view"
    );
    assert_eq!(app.mode(), Mode::Fleet, "back on the fleet");
    press(&mut app, &[ch('q')]);
    assert!(app.quit, "q quits from the fleet");
}

#[test]
fn ctrl_c_quits_from_an_overlay() {
    let mut app = polled();
    press(&mut app, &[ch('?')]);
    update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(app.quit);
}

#[test]
fn brackets_and_the_picker_switch_participants() {
    let mut app = polled();
    press(&mut app, &[ch('j')]);
    press(&mut app, &[ch(']')]);
    assert_eq!(app.current, 1);
    assert_eq!(app.selected, [0; 5], "selection starts over in another lab");
    press(&mut app, &[ch(']')]);
    assert_eq!(app.current, 0, "wraps");
    press(&mut app, &[ch('[')]);
    assert_eq!(app.current, 1);
    press(&mut app, &[ch('p')]);
    assert_eq!(app.overlays, vec![Overlay::Picker { selected: 1 }]);
    press(&mut app, &[ch('k'), key(KeyCode::Enter)]);
    assert_eq!(app.current, 0);
    assert!(app.overlays.is_empty());
    press(&mut app, &[ch('p'), ch('j'), ch('q')]);
    assert_eq!(app.current, 0, "q cancels the picker");
}

#[test]
fn r_asks_to_poll_the_current_labs_accounts() {
    let mut app = polled();
    press(&mut app, &[ch(']')]);
    let cmds = press(&mut app, &[ch('r')]);
    let keys: Vec<AccountKey> = Role::LAB
        .iter()
        .map(|&role| AccountKey { lab: 1, role })
        .collect();
    assert_eq!(cmds, vec![Command::Refresh(keys)]);
    assert_eq!(app.notice.as_deref(), Some("refreshing bob"));
}

#[test]
fn stale_poll_results_are_dropped() {
    let mut app = polled();
    let mut old = fixtures::complete_lab()[Role::Stage]
        .clone()
        .expect("stage");
    old.stacks[0].status = "CREATE_IN_PROGRESS".into();
    poll(&mut app, 0, Role::Stage, 1, old.clone());
    let stage = app.labs[0].snaps[Role::Stage].as_ref().expect("stage");
    assert_eq!(
        stage.stacks[0].status, "CREATE_COMPLETE",
        "generation 1 again is stale"
    );
    poll(&mut app, 0, Role::Stage, 2, old);
    let stage = app.labs[0].snaps[Role::Stage].as_ref().expect("stage");
    assert_eq!(stage.stacks[0].status, "CREATE_IN_PROGRESS");
}

#[test]
fn a_failed_poll_keeps_the_last_content_and_shows_the_error() {
    let mut app = polled();
    // The poll fails an hour on, after everything the lab's history dates.
    update(&mut app, Msg::Tick(T0.plus_secs(3600)));
    let err = AccountError {
        kind: ErrorKind::AccessDenied,
        message: "AccessDenied: not authorized".into(),
        detail: String::new(),
    };
    update(
        &mut app,
        Msg::Poll {
            key: AccountKey {
                lab: 0,
                role: Role::Stage,
            },
            generation: 2,
            result: Err(err.clone()),
        },
    );
    let lab = &app.labs[0];
    let stage = lab.snaps[Role::Stage].as_ref().expect("kept");
    assert_eq!(stage.error, Some(err));
    assert_eq!(stage.stacks.len(), 1, "last good content kept");
    assert_eq!(
        lab.progress.blocked.as_ref().map(|b| b.role),
        Some(Role::Stage)
    );
    let newest = lab.log.newest().next().expect("logged");
    assert_eq!(newest.change.status, "unreachable");
    assert_eq!(newest.role, Role::Stage);
}

#[test]
fn transitions_between_polls_reach_the_event_log() {
    let mut app = two_labs();
    let mut tools = AccountSnapshot::empty(fixtures::TOOLS, T0);
    tools.stacks = vec![fixtures::stack(
        "LabSCToolsAccountSetup",
        "CREATE_IN_PROGRESS",
    )];
    poll(&mut app, 0, Role::Tools, 1, tools.clone());
    tools.stacks[0].status = "CREATE_COMPLETE".into();
    tools.fetched_at = T0.plus_secs(60);
    poll(&mut app, 0, Role::Tools, 2, tools);
    let log: Vec<String> = app.labs[0]
        .log
        .newest()
        .map(|e| format!("{} {}", e.change.subject, e.change.status))
        .collect();
    assert_eq!(
        log,
        vec![
            "stack LabSCToolsAccountSetup CREATE_COMPLETE",
            "stack LabSCToolsAccountSetup CREATE_IN_PROGRESS"
        ]
    );
    assert_eq!(
        app.labs[0].progress.reached,
        Some(progress::Step::ToolsCatalog)
    );
}

use crossdeck::lab::progress;

#[test]
fn help_is_built_from_the_same_table_as_dispatch() {
    for mode in [Mode::Lab, Mode::Detail, Mode::Help, Mode::Picker] {
        let rows = keymap::help_rows(mode);
        for b in keymap::BINDINGS.iter().filter(|b| b.modes.contains(&mode)) {
            let k = b.keys[0];
            let ev = KeyEvent::new(
                k.code,
                if k.ctrl {
                    KeyModifiers::CONTROL
                } else {
                    KeyModifiers::NONE
                },
            );
            assert!(
                keymap::lookup(mode, &ev).is_some(),
                "{mode:?} {}",
                k.label()
            );
            assert!(
                rows.iter()
                    .any(|(keys, help)| keys.contains(&k.label()) && *help == b.help)
            );
        }
    }
    let footer = keymap::footer_hints(Mode::Lab);
    assert!(footer.contains(&("?".to_string(), "help")));
    assert!(footer.contains(&("q".to_string(), "quit")));
}

#[test]
fn a_click_focuses_the_pane_under_the_mouse_and_the_wheel_scrolls() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mouse = |kind, column, row| {
        Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let mut app = polled();
    update(&mut app, Msg::Resize(120, 40));
    let down = MouseEventKind::Down(MouseButton::Left);
    // Three panes side by side under a two-line header: 40 columns each.
    update(&mut app, mouse(down, 60, 5));
    assert_eq!(app.focus, Focus::Pane(Role::DataScience));
    update(&mut app, mouse(down, 110, 5));
    assert_eq!(app.focus, Focus::Pane(Role::Stage));
    update(&mut app, mouse(down, 5, 5));
    assert_eq!(app.focus, Focus::Pane(Role::Tools));
    update(&mut app, mouse(MouseEventKind::ScrollDown, 5, 5));
    update(&mut app, mouse(MouseEventKind::ScrollDown, 5, 5));
    assert_eq!(app.selected[0], 2);
    update(&mut app, mouse(MouseEventKind::ScrollUp, 5, 5));
    assert_eq!(app.selected[0], 1);
    let strip = crossdeck::app::layout::areas(&app, ratatui::layout::Rect::new(0, 0, 120, 40))
        .expect("layout")
        .strip;
    update(&mut app, mouse(down, 30, strip.y + 1));
    assert_eq!(app.focus, Focus::Pipeline);
}

#[test]
fn an_unchanged_poll_only_moves_its_time_and_a_later_change_still_shows() {
    let mut app = polled();
    let tools = || {
        fixtures::complete_lab()[Role::Tools]
            .clone()
            .expect("tools")
    };
    let logged = app.labs[0].log.len();
    let progress = app.labs[0].progress.clone();
    app.dirty = false;

    let mut same = tools();
    same.fetched_at = T0.plus_secs(90);
    poll(&mut app, 0, Role::Tools, 2, same);
    let lab = &app.labs[0];
    let held = lab.snaps[Role::Tools].as_ref().expect("held");
    assert_eq!(held.fetched_at, T0.plus_secs(90), "updated Ns ago moves");
    assert!(held.same_content(&tools()));
    assert_eq!(lab.log.len(), logged, "nothing new in the event log");
    assert_eq!(lab.progress, progress);
    assert_eq!(lab.gens[Role::Tools], 2);
    assert!(!app.dirty, "the 1 Hz tick redraws the age, not each poll");

    let err = AccountError {
        kind: ErrorKind::Expired,
        message: "ExpiredToken".into(),
        detail: String::new(),
    };
    for generation in [3, 4, 5] {
        update(
            &mut app,
            Msg::Poll {
                key: AccountKey {
                    lab: 0,
                    role: Role::Tools,
                },
                generation,
                result: Err(err.clone()),
            },
        );
    }
    let lab = &app.labs[0];
    assert_eq!(
        lab.log.len(),
        logged + 1,
        "a failure repeated is logged once"
    );
    assert_eq!(lab.gens[Role::Tools], 5);

    let mut moved = tools();
    moved.stacks[0].status = "UPDATE_IN_PROGRESS".into();
    // The update began after the failed polls, as it would have for real.
    moved.stacks[0].updated = T0.plus_secs(150);
    moved.fetched_at = T0.plus_secs(200);
    poll(&mut app, 0, Role::Tools, 6, moved);
    let lab = &app.labs[0];
    let newest: Vec<String> = lab
        .log
        .newest()
        .take(2)
        .map(|e| format!("{} {}", e.change.subject, e.change.status))
        .collect();
    assert!(
        newest.contains(&"account reachable again".to_string()),
        "{newest:?}"
    );
    assert!(
        newest.iter().any(|l| l.ends_with("UPDATE_IN_PROGRESS")),
        "{newest:?}"
    );
    assert!(app.dirty);
}

#[test]
fn content_equality_and_hash_ignore_only_the_poll_time() {
    let a = fixtures::complete_lab()[Role::Tools]
        .clone()
        .expect("tools");
    let mut later = a.clone();
    later.fetched_at = a.fetched_at.plus_secs(30);
    assert!(a.same_content(&later));
    assert_eq!(a.content_hash(), later.content_hash());
    let mut moved = later.clone();
    moved.stacks[0].reason = Some("Resource creation cancelled".into());
    assert!(!a.same_content(&moved));
    assert_ne!(a.content_hash(), moved.content_hash());
    let mut failed = later;
    failed.error = Some(AccountError {
        kind: ErrorKind::Throttled,
        message: "Rate exceeded".into(),
        detail: String::new(),
    });
    assert!(!a.same_content(&failed));
    assert_ne!(a.content_hash(), failed.content_hash());
}

#[test]
fn enter_on_an_account_in_error_shows_the_whole_error() {
    let mut app = polled();
    let whole = "dispatch failure: io error: client error (Connect): tcp connect error: \
                 Connection refused (os error 111) (DispatchFailure(DispatchFailure { .. }))";
    let err = AccountError {
        kind: ErrorKind::Unreachable,
        message: "unreachable: connection refused by 127.0.0.1:4566".into(),
        detail: whole.into(),
    };
    update(
        &mut app,
        Msg::Poll {
            key: AccountKey {
                lab: 0,
                role: Role::Stage,
            },
            generation: 2,
            result: Err(err),
        },
    );
    press(&mut app, &[key(KeyCode::Tab), key(KeyCode::Tab)]);
    assert_eq!(app.focus, Focus::Pane(Role::Stage));
    // The pane's first row is its error; the sentence is what the pane shows.
    let screen = crate::render::render(&app, 160, 48);
    assert!(
        screen.contains("✗ unreachable: connection refused by 127.0.0.1:4566"),
        "{screen}"
    );
    assert!(!screen.contains("DispatchFailure"), "{screen}");
    press(&mut app, &[key(KeyCode::Enter)]);
    assert!(
        matches!(
            app.overlays.last(),
            Some(Overlay::Detail {
                target: Target::Account { role: Role::Stage },
                ..
            })
        ),
        "{:?}",
        app.overlays
    );
    let screen = crate::render::render(&app, 160, 48);
    assert!(screen.contains("Account · Stage 3333"), "{screen}");
    assert!(screen.contains("The whole error"), "{screen}");
    assert!(
        screen.contains("Connection refused (os error 111)"),
        "{screen}"
    );
    // y copies the whole error.
    let cmds = press(&mut app, &[ch('y')]);
    assert_eq!(cmds, vec![Command::Copy(whole.to_string())]);
    // The kept rows follow it: j then Enter opens the first stack.
    press(&mut app, &[key(KeyCode::Esc), ch('j'), key(KeyCode::Enter)]);
    assert!(
        matches!(
            app.overlays.last(),
            Some(Overlay::Detail {
                target: Target::Stack { .. },
                ..
            })
        ),
        "{:?}",
        app.overlays
    );
}
