//! The reducer's side of cleanup: `C` shows the plan derived from the lab's snapshots, typing
//! the lab's account ids and Enter runs it, and the run's events fill the view and the log.

use super::cleanup_view::{CleanupView, RunState};
use super::eventlog::LogEntry;
use super::keymap::KeyAction;
use super::msg::{Command, Msg};
use super::state::{App, Overlay};
use crate::backend::AccountKey;
use crate::cleanup::Event;
use crate::lab::diff::Transition;
use crate::lab::{Category, cleanup};

fn view(app: &mut App, lab: usize) -> Option<&mut CleanupView> {
    app.cleanups.iter_mut().find(|v| v.lab == lab)
}

fn open_lab(app: &App) -> Option<usize> {
    match app.overlays.last() {
        Some(Overlay::Cleanup { lab }) => Some(*lab),
        _ => None,
    }
}

/// `C`: the plan for the lab on screen (a running one is shown as it is).
pub fn open(app: &mut App) -> Vec<Command> {
    let lab = app.current;
    let running = app
        .cleanups
        .iter()
        .any(|v| v.lab == lab && v.state == RunState::Running);
    if !running {
        let Some(state) = app.labs.get(lab) else {
            return Vec::new();
        };
        let plan = cleanup::plan(&state.info, &app.names, &state.snaps);
        app.cleanups.retain(|v| v.lab != lab);
        app.cleanups.push(CleanupView::new(lab, plan));
    }
    app.overlays.push(Overlay::Cleanup { lab });
    Vec::new()
}

/// A key in the cleanup overlay.
pub fn on_key(app: &mut App, action: KeyAction) -> Vec<Command> {
    let Some(lab) = open_lab(app) else {
        return Vec::new();
    };
    let read_only = app.read_only;
    let info = app.labs.get(lab).map(|l| l.info.clone());
    let Some(v) = view(app, lab) else {
        return Vec::new();
    };
    match action {
        KeyAction::Back => {
            app.overlays.pop();
        }
        KeyAction::Erase => {
            v.typed.pop();
        }
        // The view follows the newest lines; Up looks back, Down comes forward again.
        KeyAction::Up => v.scroll += 1,
        KeyAction::Down => v.scroll = v.scroll.saturating_sub(1),
        KeyAction::Confirm if v.state == RunState::Review => {
            let Some(info) = info else {
                return Vec::new();
            };
            let notice = if read_only {
                Some("read-only: the plan is shown, but crossdeck makes no change".to_string())
            } else if v.plan.steps.is_empty() {
                Some(format!("{}: nothing to clean up", v.plan.lab))
            } else if !v.confirmed(&info) {
                Some(format!(
                    "type the lab's account ids to run it: {}",
                    CleanupView::expected(&info).join(",")
                ))
            } else {
                None
            };
            if let Some(n) = notice {
                app.notice = Some(n);
                return Vec::new();
            }
            v.state = RunState::Running;
            let plan = Box::new(v.plan.clone());
            app.notice = Some(format!("cleaning up {}…", info.name));
            return vec![Command::RunCleanup { lab, plan }];
        }
        _ => {}
    }
    Vec::new()
}

/// A typed character: the account ids, while the plan is under review.
pub fn on_text(app: &mut App, c: char) -> bool {
    let Some(lab) = open_lab(app) else {
        return false;
    };
    if let Some(v) = view(app, lab)
        && v.state == RunState::Review
        && (c.is_ascii_digit() || c == ',' || c == ' ')
        && v.typed.len() < 200
    {
        v.typed.push(c);
    }
    app.dirty = true;
    true
}

/// Progress and the end of a run.
pub fn on_msg(app: &mut App, msg: Msg) -> Vec<Command> {
    app.dirty = true;
    match msg {
        Msg::Cleanup { lab, event } => {
            let role = step_of(&event)
                .and_then(|i| view(app, lab).and_then(|v| v.plan.steps.get(i)))
                .map(|s| s.role);
            if let Some(v) = view(app, lab) {
                v.push(&event);
            }
            let category = match &event {
                Event::StepFailed { .. } => Some(Category::Failed),
                Event::StepDone { .. } => Some(Category::Complete),
                Event::StepSkipped { .. } => Some(Category::Cancelled),
                _ => None,
            };
            let at = app.now;
            if let (Some(role), Some(category), Some(state)) =
                (role, category, app.labs.get_mut(lab))
            {
                state.log.push(LogEntry {
                    role,
                    change: Transition {
                        at,
                        subject: format!("cleanup {event}"),
                        status: "crossdeck".into(),
                        category,
                        detail: None,
                    },
                });
            }
            Vec::new()
        }
        Msg::CleanupDone { lab, outcome } => {
            let keys: Vec<AccountKey> = app
                .labs
                .get(lab)
                .map(|l| {
                    l.info
                        .roles()
                        .map(|role| AccountKey { lab, role })
                        .collect()
                })
                .unwrap_or_default();
            if let Some(v) = view(app, lab) {
                v.finish(&outcome);
                if let RunState::Finished { summary, .. } = &v.state {
                    app.notice = Some(format!("cleanup of {}: {summary}", v.plan.lab));
                }
            }
            vec![Command::Refresh(keys)]
        }
        _ => Vec::new(),
    }
}

fn step_of(e: &Event) -> Option<usize> {
    match e {
        Event::StepStarted { step, .. }
        | Event::BatchDone { step, .. }
        | Event::Waiting { step, .. }
        | Event::StepDone { step, .. }
        | Event::StepFailed { step, .. }
        | Event::StepSkipped { step, .. } => Some(*step),
    }
}
