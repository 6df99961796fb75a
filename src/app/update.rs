//! The reducer: `update(&mut App, Msg) -> Vec<Command>`; the only place state changes.

use crossterm::event::{
    KeyCode, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use crate::backend::AccountKey;
use crate::lab::{AccountError, AccountSnapshot, Role};
use crate::lab::{cost, progress};

use super::eventlog::LogEntry;
use super::keymap::{KeyAction, Mode};
use super::layout;
use super::msg::{Command, Msg};
use super::state::{App, Focus, Overlay};
use super::view;
use super::{cleanup_flow, fleet, fleet_flow, health, links, operate, timeline};
use crate::events::FeedState;

/// Rows a page key moves.
const PAGE: usize = 10;

pub fn update(app: &mut App, msg: Msg) -> Vec<Command> {
    let mut cmds = dispatch(app, msg);
    cmds.extend(health::follow(app));
    cmds
}

fn dispatch(app: &mut App, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Key(ev) => {
            let typing = matches!(
                app.mode(),
                Mode::Input
                    | Mode::Launch
                    | Mode::Cleanup
                    | Mode::FleetFilter
                    | Mode::FleetCommand
                    | Mode::Bulk
                    | Mode::TimelineFilter
            ) && !ev.modifiers.contains(KeyModifiers::CONTROL);
            if let (true, KeyCode::Char(c)) = (typing, ev.code)
                && ev.kind != KeyEventKind::Release
                && (operate::on_text(app, c)
                    || cleanup_flow::on_text(app, c)
                    || fleet_flow::on_text(app, c)
                    || timeline::on_text(app, c))
            {
                return Vec::new();
            }
            match app.keys.lookup(app.mode(), &ev) {
                Some(action) => on_key(app, action),
                None => Vec::new(),
            }
        }
        Msg::Mouse(ev) => on_mouse(app, ev),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            app.dirty = true;
            Vec::new()
        }
        Msg::Tick(now) => {
            app.now = now;
            app.dirty = true;
            fleet::reorder_if_due(app);
            Vec::new()
        }
        Msg::Poll {
            key,
            generation,
            result,
        } => {
            on_poll(app, key, generation, result);
            Vec::new()
        }
        msg @ (Msg::Cleanup { .. } | Msg::CleanupDone { .. }) => {
            let mut cmds = cleanup_flow::on_msg(app, msg.clone());
            cmds.extend(fleet_flow::on_cleanup_msg(app, &msg));
            cmds
        }
        msg @ Msg::ActionResult { .. } => {
            let cmds = operate::on_msg(app, msg.clone());
            fleet_flow::on_action_msg(app, &msg);
            cmds
        }
        Msg::Events(status) => {
            if let Some(view) = app.events.as_mut() {
                let was = view.status.state.clone();
                view.update(status, app.now);
                // The footer says so when the feed goes off or comes back.
                match (&was, &view.status.state) {
                    (FeedState::Off { .. }, FeedState::Live) => {
                        app.notice = Some("events live again: steady polling relaxed".into());
                    }
                    (FeedState::Starting | FeedState::Live, FeedState::Off { reason }) => {
                        app.notice = Some(format!("events off, polling as usual: {reason}"));
                    }
                    _ => {}
                }
                app.dirty = true;
            }
            Vec::new()
        }
        msg @ (Msg::EndpointMetrics { .. } | Msg::Invoked { .. }) => {
            health::on_msg(app, msg);
            Vec::new()
        }
        other => operate::on_msg(app, other),
    }
}

fn on_poll(
    app: &mut App,
    key: AccountKey,
    generation: u64,
    result: Result<Box<AccountSnapshot>, AccountError>,
) {
    let now = app.now;
    let Some(lab) = app.labs.get_mut(key.lab) else {
        return;
    };
    if generation <= lab.gens[key.role] {
        return;
    }
    lab.gens[key.role] = generation;
    // Most polls of a class find nothing changed: then only the time of the poll moves (the
    // 1 Hz tick redraws its age), and neither the diff nor the lab's progress is derived again.
    if let Some(old) = lab.snaps[key.role].as_mut() {
        match &result {
            Ok(snap) if old.same_content(snap) => {
                old.fetched_at = snap.fetched_at;
                return;
            }
            Err(e) if old.error.as_ref() == Some(e) => return,
            _ => {}
        }
    }
    let old = lab.snaps[key.role].take();
    let new = match result {
        Ok(s) => {
            // A part that could not be read keeps what was last known of it, marked stale.
            let mut s = *s;
            if let Some(old) = &old {
                s.carry_unknown_from(old);
            }
            s
        }
        Err(e) => {
            let account = lab.info.accounts[key.role].clone().unwrap_or_default();
            let mut s = old
                .clone()
                .unwrap_or_else(|| AccountSnapshot::empty(account, now));
            s.error = Some(e);
            s
        }
    };
    let mut changes = crate::lab::diff::transitions(old.as_ref(), &new);
    if new.error.is_some() {
        // A failed poll keeps the last content and its time; the failure happened now.
        for c in changes.iter_mut().filter(|c| c.subject == "account") {
            c.at = c.at.max(now);
        }
    }
    if let Some(last) = changes.last() {
        lab.last_change = Some(last.at.max(lab.last_change.unwrap_or(last.at)));
    }
    for change in changes {
        lab.log.push(LogEntry {
            role: key.role,
            change,
        });
    }
    lab.health[key.role] = fleet::Health::of(Some(&new));
    lab.snaps[key.role] = Some(new);
    lab.cost = cost::lab_cost(&lab.snaps, &app.costs);
    lab.progress = progress::derive(&lab.info, &app.names, &lab.snaps);
    if app.fleet.active {
        // Only a sort or filter that reads the polled state can move rows.
        app.fleet.stale |= app.fleet.sort != fleet::SortKey::Name || !app.fleet.filter.is_empty();
        app.dirty = true;
    } else if key.lab == app.current || app.mode() == Mode::Picker {
        app.dirty = true;
    }
}

fn on_key(app: &mut App, action: KeyAction) -> Vec<Command> {
    app.dirty = true;
    app.notice = None;
    if action == KeyAction::Quit {
        app.quit = true;
        return Vec::new();
    }
    match app.mode() {
        Mode::Fleet => return fleet_flow::on_key(app, action),
        Mode::FleetFilter | Mode::FleetCommand => return fleet_flow::on_line_key(app, action),
        Mode::Bulk => return fleet_flow::on_bulk_key(app, action),
        Mode::Lab => return on_lab_key(app, action),
        Mode::Cleanup => return cleanup_flow::on_key(app, action),
        Mode::Confirm | Mode::Input | Mode::Launch => {
            return operate::on_dialog_key(app, action);
        }
        Mode::Detail
            if matches!(
                action,
                KeyAction::OpenUrl | KeyAction::Copy | KeyAction::SmokeTest
            ) =>
        {
            return operate::on_key(app, action);
        }
        Mode::Detail if action == KeyAction::Console => return links::console(app),
        Mode::Detail if action == KeyAction::CopyMenu => links::open_copy_menu(app),
        Mode::CopyMenu => return links::on_menu_key(app, action),
        Mode::Timeline | Mode::TimelineFilter => return timeline::on_key(app, action),
        Mode::Detail if action == KeyAction::Refresh => return health::refresh(app),
        Mode::Help | Mode::Detail | Mode::Costs => {
            let Some(
                Overlay::Help { scroll }
                | Overlay::Detail { scroll, .. }
                | Overlay::Costs { scroll },
            ) = app.overlays.last_mut()
            else {
                return Vec::new();
            };
            match action {
                KeyAction::Back => {
                    app.overlays.pop();
                }
                KeyAction::Help => app.overlays.push(Overlay::Help { scroll: 0 }),
                KeyAction::Down => *scroll += 1,
                KeyAction::Up => *scroll = scroll.saturating_sub(1),
                KeyAction::PageDown => *scroll += PAGE,
                KeyAction::PageUp => *scroll = scroll.saturating_sub(PAGE),
                KeyAction::Top => *scroll = 0,
                KeyAction::Bottom => *scroll = usize::MAX / 2,
                _ => {}
            }
        }
        Mode::Picker => {
            let count = app.labs.len();
            let Some(Overlay::Picker { selected }) = app.overlays.last_mut() else {
                return Vec::new();
            };
            match action {
                KeyAction::Back => {
                    app.overlays.pop();
                }
                KeyAction::Help => app.overlays.push(Overlay::Help { scroll: 0 }),
                KeyAction::Open => {
                    let chosen = *selected;
                    app.overlays.pop();
                    switch_lab(app, chosen);
                }
                other => *selected = moved(*selected, count, other),
            }
        }
    }
    Vec::new()
}

fn on_lab_key(app: &mut App, action: KeyAction) -> Vec<Command> {
    match action {
        KeyAction::Back if app.labs.len() > 1 => fleet_flow::back(app),
        KeyAction::Back | KeyAction::Quit => app.quit = true,
        KeyAction::Help => app.overlays.push(Overlay::Help { scroll: 0 }),
        KeyAction::NextPane => cycle_focus(app, 1),
        KeyAction::PrevPane => cycle_focus(app, -1),
        KeyAction::Up
        | KeyAction::Down
        | KeyAction::PageUp
        | KeyAction::PageDown
        | KeyAction::Top
        | KeyAction::Bottom => {
            let count = row_count(app);
            let slot = App::focus_slot(app.focus);
            app.selected[slot] = moved(app.selected[slot], count, action);
        }
        KeyAction::Open => {
            if let Some(target) = selected_target(app) {
                app.overlays.push(Overlay::Detail { target, scroll: 0 });
            }
        }
        KeyAction::NextLab | KeyAction::PrevLab => {
            let n = app.labs.len().max(1);
            let next = if action == KeyAction::NextLab {
                (app.current + 1) % n
            } else {
                (app.current + n - 1) % n
            };
            switch_lab(app, next);
        }
        KeyAction::Picker => app.overlays.push(Overlay::Picker {
            selected: app.current,
        }),
        KeyAction::Console => return links::console(app),
        KeyAction::CopyMenu => links::open_copy_menu(app),
        KeyAction::Timeline => timeline::open(app),
        KeyAction::Refresh => {
            let keys: Vec<AccountKey> = app
                .roles()
                .into_iter()
                .map(|role| AccountKey {
                    lab: app.current,
                    role,
                })
                .collect();
            if let Some(lab) = app.lab() {
                app.notice = Some(format!("refreshing {}", lab.info.name));
            }
            return vec![Command::Refresh(keys)];
        }
        KeyAction::Cleanup => return cleanup_flow::open(app),
        KeyAction::Costs => app.overlays.push(Overlay::Costs { scroll: 0 }),
        other => return operate::on_key(app, other),
    }
    Vec::new()
}

/// A row index moved by a navigation key within `count` rows.
pub(super) fn moved(current: usize, count: usize, action: KeyAction) -> usize {
    let last = count.saturating_sub(1);
    let next = match action {
        KeyAction::Down => current + 1,
        KeyAction::Up => current.saturating_sub(1),
        KeyAction::PageDown => current + PAGE,
        KeyAction::PageUp => current.saturating_sub(PAGE),
        KeyAction::Top => 0,
        KeyAction::Bottom => last,
        _ => current,
    };
    next.min(last)
}

pub(super) fn switch_lab(app: &mut App, index: usize) {
    if index < app.labs.len() && index != app.current {
        app.current = index;
        app.selected = [0; 5];
        if let Focus::Pane(role) = app.focus
            && !app.roles().contains(&role)
        {
            app.focus = Focus::Pane(Role::Tools);
        }
    }
}

fn focus_order(app: &App) -> Vec<Focus> {
    let mut order: Vec<Focus> = app.roles().into_iter().map(Focus::Pane).collect();
    order.push(Focus::Pipeline);
    order
}

fn cycle_focus(app: &mut App, step: isize) {
    let order = focus_order(app);
    let at = order.iter().position(|f| *f == app.focus).unwrap_or(0) as isize;
    let n = order.len() as isize;
    app.focus = order[((at + step).rem_euclid(n)) as usize];
}

/// Rows in the focused pane.
pub fn row_count(app: &App) -> usize {
    let Some(lab) = app.lab() else { return 0 };
    match app.focus {
        Focus::Pane(role) => view::pane_items(app, lab, role).len(),
        Focus::Pipeline => view::pipeline_targets(&view::pipeline_view(app, lab)).len(),
    }
}

/// What the focused pane's selected row points at.
pub fn selected_target(app: &App) -> Option<crate::app::state::Target> {
    let lab = app.lab()?;
    let slot = App::focus_slot(app.focus);
    match app.focus {
        Focus::Pane(role) => {
            let items = view::pane_items(app, lab, role);
            let i = app.selected[slot].min(items.len().checked_sub(1)?);
            items.into_iter().nth(i).map(|it| it.target)
        }
        Focus::Pipeline => {
            let targets = view::pipeline_targets(&view::pipeline_view(app, lab));
            let i = app.selected[slot].min(targets.len().checked_sub(1)?);
            targets.into_iter().nth(i)
        }
    }
}

fn on_mouse(app: &mut App, ev: MouseEvent) -> Vec<Command> {
    let action = match ev.kind {
        MouseEventKind::ScrollDown => KeyAction::Down,
        MouseEventKind::ScrollUp => KeyAction::Up,
        MouseEventKind::Down(MouseButton::Left) if app.mode() == Mode::Fleet => {
            fleet_flow::on_click(app, ev.row);
            return Vec::new();
        }
        MouseEventKind::Down(MouseButton::Left) if app.mode() == Mode::Lab => {
            if let Some(focus) = layout::focus_at(app, ev.column, ev.row) {
                app.focus = focus;
                app.dirty = true;
            }
            return Vec::new();
        }
        _ => return Vec::new(),
    };
    on_key(app, action)
}
