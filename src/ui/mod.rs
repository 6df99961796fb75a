//! Pure rendering of `&App`: the fleet, or the lab view's header, account panes, pipeline strip,
//! event log and footer; then the overlays.

mod bulk;
mod costs;
mod dialog;
mod fleet;
mod header;
mod log;
mod menu;
mod overlay;
mod panes;
mod pipeline;
mod sparks;
pub mod text;
pub mod theme;
mod timeline;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::App;
use crate::app::layout;
use crate::app::view;
use theme::Theme;

pub use crate::app::layout::{MIN_HEIGHT, MIN_WIDTH};

/// Draw the whole screen for the app's state.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let theme = Theme::new(app.color);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, &theme);
        return;
    }
    if app.fleet.active {
        fleet::draw(frame, app, &theme);
        overlay::draw(frame, area, app, &theme);
        return;
    }
    let Some(lab) = app.lab() else {
        frame.render_widget(Paragraph::new("No labs configured."), area);
        return;
    };
    let pipe = view::pipeline_view(app, lab);
    let Some(a) = layout::areas(app, area) else {
        too_small(frame, area, &theme);
        return;
    };
    header::draw(frame, a.header, app, &theme);
    panes::draw(frame, &a.panes, app, lab, &theme);
    pipeline::draw(frame, a.strip, app, &pipe, &theme);
    log::draw(frame, a.events, lab, &theme);
    footer(frame, a.footer, app, &theme);
    overlay::draw(frame, area, app, &theme);
}

fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let msg = vec![
        Line::styled("Terminal too small", theme.error()),
        Line::from(format!(
            "crossdeck needs at least {MIN_WIDTH}x{MIN_HEIGHT}; this one is {}x{}.",
            area.width, area.height
        )),
        Line::from("Enlarge the window, or press q to quit."),
    ];
    frame.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
}

pub(crate) fn footer(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    // A notice (what an action did, why a key was refused) comes first; the hints fill the rest.
    let mut spans = Vec::new();
    if let Some(notice) = &app.notice {
        spans.push(Span::styled(
            text::end(notice, area.width as usize),
            theme.heading(),
        ));
        spans.push(Span::raw("   "));
    }
    // Whole hints only: one that would be cut at the edge is left out (`?` lists them all).
    let mut room = (area.width as usize).saturating_sub(spans.iter().map(|s| s.width()).sum());
    for (key, label) in app.keys.footer_hints(app.mode()) {
        let w = text::width(&key) + 1 + text::width(label);
        if w > room {
            break;
        }
        room = room.saturating_sub(w + 2);
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(format!(" {label}  ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
