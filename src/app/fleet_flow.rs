//! The reducer's side of the fleet view: moving, marking, sorting, the `/` filter and `:`
//! commands, drilling into a lab and back, and the bulk actions with their typed confirmation.

use super::bulk::{self, BulkKind, BulkState, ItemState};
use super::cleanup_view::{CleanupView, RunState};
use super::command_line::{self, Cmd};
use super::fleet::{self, LineEdit};
use super::keymap::KeyAction;
use super::layout;
use super::msg::{Command, Msg};
use super::state::{App, Overlay};
use super::update::{moved, switch_lab};
use crate::backend::AccountKey;

/// Longest filter or command typed.
const MAX_LINE: usize = 80;

/// Cleanups a bulk run keeps going at once (each waits on stacks and products for minutes);
/// the next lab starts as one ends.
pub const BULK_PARALLEL: usize = 8;

/// Rows of the fleet on screen at the app's terminal size.
fn visible(app: &App) -> usize {
    layout::fleet_areas(
        ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1),
        app.events.is_some(),
    )
    .map_or(1, |a| a.rows.height as usize)
}

/// Keep the selected row on screen.
fn follow(app: &mut App) {
    let pos = app.fleet.position().unwrap_or(0);
    let n = app.fleet.order.len();
    app.fleet.scroll = fleet::window(app.fleet.scroll, pos, visible(app), n);
}

fn select_at(app: &mut App, pos: usize) {
    if let Some(lab) = app.fleet.order.get(pos) {
        app.fleet.selected = *lab;
    }
    follow(app);
}

/// Open a lab's view from the fleet; the fleet keeps it selected for the way back.
pub fn drill(app: &mut App, lab: usize) {
    if lab >= app.labs.len() {
        return;
    }
    switch_lab(app, lab);
    app.fleet.selected = lab;
    app.fleet.active = false;
}

/// Back from the lab view to the fleet, the lab on screen selected.
pub fn back(app: &mut App) {
    app.fleet.active = true;
    app.fleet.selected = app.current;
    fleet::reorder(app);
    follow(app);
}

/// A key in the fleet view.
pub fn on_key(app: &mut App, action: KeyAction) -> Vec<Command> {
    fleet::reorder_if_due(app);
    app.fleet.last_key = Some(app.now);
    match action {
        KeyAction::Help => app.overlays.push(Overlay::Help { scroll: 0 }),
        KeyAction::Up
        | KeyAction::Down
        | KeyAction::PageUp
        | KeyAction::PageDown
        | KeyAction::Top
        | KeyAction::Bottom => {
            let pos = app.fleet.position().unwrap_or(0);
            select_at(app, moved(pos, app.fleet.order.len(), action));
        }
        KeyAction::Open if app.fleet.position().is_some() => drill(app, app.fleet.selected),
        KeyAction::Mark => {
            if let Some(pos) = app.fleet.position() {
                let lab = app.fleet.selected;
                if let Some(m) = app.fleet.marks.get_mut(lab) {
                    *m = !*m;
                }
                select_at(app, moved(pos, app.fleet.order.len(), KeyAction::Down));
            }
        }
        KeyAction::SortCycle => sort(app, app.fleet.sort.next()),
        KeyAction::Filter => app.fleet.line = LineEdit::Filter,
        KeyAction::CommandLine => app.fleet.line = LineEdit::Command(String::new()),
        KeyAction::BulkCleanup => return open_bulk(app, BulkKind::Cleanup),
        KeyAction::BulkApprove => return open_bulk(app, BulkKind::Approve),
        KeyAction::Costs if app.fleet.position().is_some() => {
            super::update::switch_lab(app, app.fleet.selected);
            app.overlays.push(Overlay::Costs { scroll: 0 });
        }
        KeyAction::Timeline if app.fleet.position().is_some() => {
            super::update::switch_lab(app, app.fleet.selected);
            super::timeline::open(app);
        }
        KeyAction::Refresh => {
            let labs = app.fleet.targets();
            let keys: Vec<AccountKey> = labs
                .iter()
                .filter_map(|&lab| app.labs.get(lab).map(|l| (lab, l)))
                .flat_map(|(lab, l)| l.info.roles().map(move |role| AccountKey { lab, role }))
                .collect();
            app.notice = Some(format!("refreshing {} lab(s)", labs.len()));
            return vec![Command::Refresh(keys)];
        }
        KeyAction::Back => {
            app.fleet.filter.clear();
            app.fleet.marks.iter_mut().for_each(|m| *m = false);
            fleet::reorder(app);
            follow(app);
        }
        _ => {}
    }
    Vec::new()
}

fn sort(app: &mut App, key: fleet::SortKey) {
    app.fleet.sort = key;
    fleet::reorder(app);
    follow(app);
    app.notice = Some(format!("sorted by {}", key.word()));
}

/// A key while the filter or command line is being typed.
pub fn on_line_key(app: &mut App, action: KeyAction) -> Vec<Command> {
    match (&mut app.fleet.line, action) {
        (LineEdit::Filter, KeyAction::Confirm) => app.fleet.line = LineEdit::None,
        (LineEdit::Filter, KeyAction::Back) => {
            app.fleet.line = LineEdit::None;
            app.fleet.filter.clear();
            refilter(app);
        }
        (LineEdit::Filter, KeyAction::Erase) => {
            app.fleet.filter.pop();
            refilter(app);
        }
        (LineEdit::Command(_), KeyAction::Back) => app.fleet.line = LineEdit::None,
        (LineEdit::Command(text), KeyAction::Erase) => {
            text.pop();
        }
        (LineEdit::Command(text), KeyAction::Confirm) => {
            let text = std::mem::take(text);
            app.fleet.line = LineEdit::None;
            return run_command(app, &text);
        }
        _ => {}
    }
    Vec::new()
}

fn refilter(app: &mut App) {
    fleet::reorder(app);
    follow(app);
}

fn run_command(app: &mut App, text: &str) -> Vec<Command> {
    match command_line::parse(text) {
        Err(why) => app.notice = Some(why),
        Ok(Cmd::Quit) => app.quit = true,
        Ok(Cmd::Sort(key)) => sort(app, key),
        Ok(Cmd::Filter(f)) => {
            app.fleet.filter = f.chars().take(MAX_LINE).collect();
            refilter(app);
        }
        Ok(Cmd::Lab(name)) => match find_lab(app, &name) {
            Ok(lab) => drill(app, lab),
            Err(why) => app.notice = Some(why),
        },
    }
    Vec::new()
}

/// A lab by its exact name, else by the one name that starts with it (case-insensitive).
fn find_lab(app: &App, name: &str) -> Result<usize, String> {
    let want = name.to_lowercase();
    let lower = |i: usize| app.labs[i].info.name.to_lowercase();
    if let Some(i) = (0..app.labs.len()).find(|i| lower(*i) == want) {
        return Ok(i);
    }
    let starts: Vec<usize> = (0..app.labs.len())
        .filter(|i| lower(*i).starts_with(&want))
        .collect();
    match starts.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!("no lab named {name:?}")),
        many => Err(format!(
            "{} labs start with {name:?}; type more",
            many.len()
        )),
    }
}

/// A typed character in the filter, the command line or the bulk confirmation.
pub fn on_text(app: &mut App, c: char) -> bool {
    if c.is_control() {
        return false;
    }
    if let Some(Overlay::Bulk) = app.overlays.last() {
        if let Some(v) = app.bulk.as_mut()
            && v.state == BulkState::Review
            && v.typed.len() < 20
        {
            v.typed.push(c);
        }
        app.dirty = true;
        return true;
    }
    if !app.overlays.is_empty() || !app.fleet.active {
        return false;
    }
    match &mut app.fleet.line {
        LineEdit::None => return false,
        LineEdit::Filter => {
            if app.fleet.filter.chars().count() < MAX_LINE {
                app.fleet.filter.push(c);
            }
            refilter(app);
        }
        LineEdit::Command(text) => {
            if text.chars().count() < MAX_LINE {
                text.push(c);
            }
        }
    }
    app.dirty = true;
    true
}

/// A click on the fleet: the row under the mouse is selected.
pub fn on_click(app: &mut App, row: u16) {
    app.fleet.last_key = Some(app.now);
    let Some(a) = layout::fleet_areas(
        ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1),
        app.events.is_some(),
    ) else {
        return;
    };
    if row < a.rows.y || row >= a.rows.y + a.rows.height {
        return;
    }
    // The window as drawn (a resize may have moved it since the last key).
    let len = app.fleet.order.len();
    let selected = app.fleet.position().unwrap_or(0);
    let start = fleet::window(app.fleet.scroll, selected, a.rows.height as usize, len);
    let pos = start + (row - a.rows.y) as usize;
    if pos < len {
        app.fleet.scroll = start;
        select_at(app, pos);
        app.dirty = true;
    }
}

fn open_bulk(app: &mut App, kind: BulkKind) -> Vec<Command> {
    if app.read_only {
        app.notice = Some("read-only: crossdeck makes no change (started with --read-only)".into());
        return Vec::new();
    }
    if let Some(v) = &app.bulk
        && v.state == BulkState::Running
    {
        if v.kind == kind {
            app.overlays.push(Overlay::Bulk);
        } else {
            app.notice = Some(format!(
                "a bulk action is running ({}); it must finish first",
                v.kind.title()
            ));
        }
        return Vec::new();
    }
    let labs = app.fleet.targets();
    if labs.is_empty() {
        app.notice = Some("no lab selected".into());
        return Vec::new();
    }
    let view = match kind {
        BulkKind::Cleanup => bulk::cleanup(app, &labs),
        BulkKind::Approve => bulk::approvals(app, &labs),
    };
    if view.active() == 0 {
        app.notice = Some(match kind {
            BulkKind::Cleanup => format!("nothing to clean up in the {} lab(s)", labs.len()),
            BulkKind::Approve => format!("no approval waits in the {} lab(s)", labs.len()),
        });
        return Vec::new();
    }
    app.bulk = Some(view);
    app.overlays.push(Overlay::Bulk);
    Vec::new()
}

/// A key in the bulk overlay.
pub fn on_bulk_key(app: &mut App, action: KeyAction) -> Vec<Command> {
    let read_only = app.read_only;
    let Some(v) = app.bulk.as_mut() else {
        app.overlays.pop();
        return Vec::new();
    };
    match action {
        KeyAction::Back => {
            app.overlays.pop();
            if v.state == BulkState::Review {
                app.bulk = None;
                app.notice = Some("cancelled: nothing was sent".into());
            }
        }
        KeyAction::Erase => {
            v.typed.pop();
        }
        KeyAction::Up => v.scroll = v.scroll.saturating_sub(1),
        KeyAction::Down => v.scroll += 1,
        KeyAction::Confirm if v.state == BulkState::Review => {
            if read_only {
                app.notice = Some("read-only: crossdeck makes no change".into());
            } else if !v.confirmed() {
                app.notice = Some(format!(
                    "type {} (the number of labs it touches) and Enter to run it",
                    v.expected()
                ));
            } else {
                return run_bulk(app);
            }
        }
        KeyAction::Confirm if v.state == BulkState::Finished => {
            app.overlays.pop();
        }
        _ => {}
    }
    Vec::new()
}

fn run_bulk(app: &mut App) -> Vec<Command> {
    let Some(v) = app.bulk.as_mut() else {
        return Vec::new();
    };
    v.state = BulkState::Running;
    app.notice = Some(format!("{}: {} lab(s)…", v.kind.title(), v.active()));
    if v.kind == BulkKind::Cleanup {
        return start_cleanups(app);
    }
    let mut cmds = Vec::new();
    for item in v.items.iter_mut().filter(|i| i.state == ItemState::Waiting) {
        item.state = ItemState::Running;
        item.pending = item.approvals.len();
        item.current = Some("approving".into());
        cmds.extend(item.approvals.iter().map(|(key, action)| Command::Act {
            key: *key,
            action: action.clone(),
        }));
    }
    v.settle();
    cmds
}

/// Start queued cleanups of a running bulk cleanup, up to `BULK_PARALLEL` at once; each lab's
/// own cleanup view follows its run.
fn start_cleanups(app: &mut App) -> Vec<Command> {
    let App { bulk, cleanups, .. } = app;
    let Some(v) = bulk.as_mut() else {
        return Vec::new();
    };
    if v.kind != BulkKind::Cleanup || v.state != BulkState::Running {
        return Vec::new();
    }
    let mut running = v
        .items
        .iter()
        .filter(|i| i.state == ItemState::Running)
        .count();
    let mut cmds = Vec::new();
    for item in v.items.iter_mut().filter(|i| i.state == ItemState::Waiting) {
        if running >= BULK_PARALLEL {
            break;
        }
        let busy = cleanups
            .iter()
            .any(|c| c.lab == item.lab && c.state == RunState::Running);
        let Some(plan) = item.plan.clone().filter(|_| !busy) else {
            item.state = ItemState::Failed("a cleanup of this lab is running already".into());
            continue;
        };
        item.state = ItemState::Running;
        running += 1;
        cleanups.retain(|c| c.lab != item.lab);
        let mut view = CleanupView::new(item.lab, plan.clone());
        view.state = RunState::Running;
        cleanups.push(view);
        cmds.push(Command::RunCleanup {
            lab: item.lab,
            plan: Box::new(plan),
        });
    }
    v.settle();
    cmds
}

/// Cleanup progress and ends, for a bulk cleanup's table (the lab's own view gets them too);
/// an end starts the next queued lab.
pub fn on_cleanup_msg(app: &mut App, msg: &Msg) -> Vec<Command> {
    let Some(v) = app.bulk.as_mut() else {
        return Vec::new();
    };
    let was = v.state;
    match msg {
        Msg::Cleanup { lab, event } => bulk::on_cleanup_event(v, *lab, event),
        Msg::CleanupDone { lab, outcome } => bulk::on_cleanup_done(v, *lab, outcome),
        _ => {}
    }
    let cmds = start_cleanups(app);
    if let Some(v) = &app.bulk
        && was == BulkState::Running
        && v.state == BulkState::Finished
    {
        app.notice = Some(v.summary());
    }
    cmds
}

/// An action's answer, for a bulk approval's table.
pub fn on_action_msg(app: &mut App, msg: &Msg) {
    let Msg::ActionResult {
        key,
        action,
        result,
    } = msg
    else {
        return;
    };
    let Some(v) = app.bulk.as_mut() else { return };
    if bulk::on_action_result(v, *key, action, result) && v.state == BulkState::Finished {
        app.notice = Some(v.summary());
    }
}
