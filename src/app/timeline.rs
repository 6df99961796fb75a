//! The lab's event timeline (`T`): every change seen across its accounts and every action
//! crossdeck ran, newest first, filtered by words typed after `/`.

use super::eventlog::LogEntry;
use super::keymap::KeyAction;
use super::msg::Command;
use super::state::{App, LabState, Overlay};

/// The timeline overlay's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TimelineView {
    /// Rows scrolled past the top.
    pub scroll: usize,
    /// Words every shown entry contains (any case), in its account, subject, status or detail.
    pub filter: String,
    /// The filter line has the keyboard.
    pub editing: bool,
}

/// The longest filter kept.
const MAX_FILTER: usize = 80;

/// Rows a page key moves.
const PAGE: usize = 10;

/// Whether an entry holds every word of the (lower-case) filter.
pub fn matches(entry: &LogEntry, words: &[String]) -> bool {
    if words.is_empty() {
        return true;
    }
    let c = &entry.change;
    let hay = format!(
        "{} {} {} {} {} {}",
        entry.role.label(),
        c.subject,
        c.status,
        c.category.word(),
        c.detail.as_deref().unwrap_or_default(),
        c.at.hms()
    )
    .to_lowercase();
    words.iter().all(|w| hay.contains(w.as_str()))
}

/// The filter's words, lower-cased.
pub fn words(filter: &str) -> Vec<String> {
    filter.split_whitespace().map(str::to_lowercase).collect()
}

/// The lab's entries the filter keeps, newest first by the time each happened (a first poll
/// brings history older than what was seen before it); the same instant keeps the newest seen
/// first.
pub fn rows<'a>(lab: &'a LabState, filter: &str) -> Vec<&'a LogEntry> {
    let words = words(filter);
    let mut rows: Vec<&LogEntry> = lab.log.newest().filter(|e| matches(e, &words)).collect();
    rows.sort_by_key(|e| std::cmp::Reverse(e.change.at));
    rows
}

/// `T` in the lab view.
pub fn open(app: &mut App) {
    if app.lab().is_some() {
        app.overlays
            .push(Overlay::Timeline(TimelineView::default()));
    }
}

fn view(app: &mut App) -> Option<&mut TimelineView> {
    match app.overlays.last_mut() {
        Some(Overlay::Timeline(v)) => Some(v),
        _ => None,
    }
}

/// A key while the timeline (or its filter line) has the keyboard.
pub fn on_key(app: &mut App, action: KeyAction) -> Vec<Command> {
    let total = app.lab().map_or(0, |l| l.log.len());
    let Some(v) = view(app) else {
        return Vec::new();
    };
    if v.editing {
        match action {
            KeyAction::Confirm => v.editing = false,
            KeyAction::Back => {
                v.editing = false;
                v.filter.clear();
                v.scroll = 0;
            }
            KeyAction::Erase => {
                v.filter.pop();
                v.scroll = 0;
            }
            _ => {}
        }
        return Vec::new();
    }
    let last = total.saturating_sub(1);
    match action {
        KeyAction::Back => {
            app.overlays.pop();
        }
        KeyAction::Filter => v.editing = true,
        KeyAction::Help => app.overlays.push(Overlay::Help { scroll: 0 }),
        KeyAction::Down => v.scroll = (v.scroll + 1).min(last),
        KeyAction::Up => v.scroll = v.scroll.saturating_sub(1),
        KeyAction::PageDown => v.scroll = (v.scroll + PAGE).min(last),
        KeyAction::PageUp => v.scroll = v.scroll.saturating_sub(PAGE),
        KeyAction::Top => v.scroll = 0,
        KeyAction::Bottom => v.scroll = last,
        _ => {}
    }
    Vec::new()
}

/// A typed character while the filter line has the keyboard; false when it is not editing.
pub fn on_text(app: &mut App, c: char) -> bool {
    match view(app) {
        Some(v) if v.editing => {
            if v.filter.chars().count() < MAX_FILTER {
                v.filter.push(c);
                v.scroll = 0;
            }
            true
        }
        _ => false,
    }
}
