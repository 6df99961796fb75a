//! Where each part of the lab view goes for a terminal size: shared by drawing and by mouse
//! hit-testing, so a click lands on what is drawn there.

use ratatui::layout::{Constraint, Layout, Position, Rect};

use crate::lab::Role;

use super::state::{App, Focus, LabState};
use super::view::{self, PipelineView};

/// The smallest terminal the lab view is drawn in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// The lab view's areas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub panes: Vec<(Role, Rect)>,
    pub strip: Rect,
    pub events: Rect,
    pub footer: Rect,
}

/// The lab view's layout in `area`; `None` when the terminal is too small or no lab is shown.
pub fn areas(app: &App, area: Rect) -> Option<Areas> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let lab = app.lab()?;
    let pipe = view::pipeline_view(app, lab);
    let warned =
        lab.progress.blocked.is_some() || !lab.progress.gaps.is_empty() || lab.cost.idle(app.now);
    // The event feed's line goes under the rest of the header.
    let header_h =
        if area.height >= 30 && warned { 3 } else { 2 } + u16::from(app.events.is_some());
    let pipe_h = strip_height(&pipe, area.height);
    let most = (area.height - header_h - pipe_h - 1).saturating_sub(4);
    let panes_h = (panes_height(app, lab) as u16).clamp(8, most.max(8));
    let [header, body, strip, events, footer] = Layout::vertical([
        Constraint::Length(header_h),
        Constraint::Length(panes_h),
        Constraint::Length(pipe_h),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let roles: Vec<Role> = lab.info.roles().collect();
    let cols = Layout::horizontal(
        roles
            .iter()
            .map(|_| Constraint::Ratio(1, roles.len() as u32)),
    )
    .split(body);
    let panes = roles.into_iter().zip(cols.iter().copied()).collect();
    Some(Areas {
        header,
        panes,
        strip,
        events,
        footer,
    })
}

/// What a click at (column, row) focuses.
pub fn focus_at(app: &App, column: u16, row: u16) -> Option<Focus> {
    let a = areas(app, Rect::new(0, 0, app.size.0, app.size.1))?;
    let at = Position::new(column, row);
    if let Some((role, _)) = a.panes.iter().find(|(_, r)| r.contains(at)) {
        return Some(Focus::Pane(*role));
    }
    a.strip.contains(at).then_some(Focus::Pipeline)
}

/// Rows the tallest pane wants: borders, an error, headings and items.
fn panes_height(app: &App, lab: &LabState) -> usize {
    lab.info
        .roles()
        .map(|role| {
            let sections = view::pane_sections(app, lab, role);
            // Each section's heading and rows, and a line per warning's reason.
            let items: usize = sections
                .iter()
                .flat_map(|s| &s.items)
                .map(|i| 1 + usize::from(i.warning.is_some()))
                .sum::<usize>()
                + sections.len();
            let error = lab.snaps[role].as_ref().map_or(0, |s| {
                usize::from(s.error.is_some()) * 3 + s.warnings.len() + s.unknown.len()
            });
            2 + error + items.max(1)
        })
        .max()
        .unwrap_or(3)
}

/// Rows the pipeline strip needs: borders, the stage line, the longest action list, and room
/// for a failure message on taller terminals.
fn strip_height(view: &PipelineView, term_height: u16) -> u16 {
    let actions = view
        .stages
        .iter()
        .map(|s| s.actions.len())
        .max()
        .unwrap_or(0);
    let actions = actions.max(3) as u16;
    let extra = if term_height >= 40 { 3 } else { 0 };
    2 + 1 + actions + extra
}

/// The fleet view's areas: a header line, the class summary, column headings, the rows, and
/// the footer (or the filter / command line being typed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FleetAreas {
    pub header: Rect,
    pub summary: Rect,
    pub columns: Rect,
    pub rows: Rect,
    pub footer: Rect,
}

/// The fleet's layout in `area`; `None` when the terminal is too small. With `events`, the
/// summary has a second line for the event feed.
pub fn fleet_areas(area: Rect, events: bool) -> Option<FleetAreas> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let [header, summary, columns, rows, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1 + u16::from(events)),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Some(FleetAreas {
        header,
        summary,
        columns,
        rows,
        footer,
    })
}
