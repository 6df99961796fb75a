//! Pure rendering of `&App`: header, account panes, pipeline strip, event log, footer, overlays.

mod header;
mod log;
mod overlay;
mod panes;
mod pipeline;
pub mod text;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::App;
use crate::app::keymap;
use crate::app::view;
use theme::Theme;

/// The smallest terminal the lab view is drawn in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Draw the whole screen for the app's state.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let theme = Theme::new(app.color);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, &theme);
        return;
    }
    let Some(lab) = app.lab() else {
        frame.render_widget(Paragraph::new("No labs configured."), area);
        return;
    };
    let pipe = view::pipeline_view(app, lab);
    let blocked = lab.progress.blocked.is_some();
    let header_h = if area.height >= 30 && blocked { 3 } else { 2 };
    let pipe_h = pipeline::height(&pipe, area.height);
    let most = (area.height - header_h - pipe_h - 1).saturating_sub(4);
    let panes_h = (panes::height(app, lab) as u16).clamp(8, most.max(8));
    let [head, body, strip, events, foot] = Layout::vertical([
        Constraint::Length(header_h),
        Constraint::Length(panes_h),
        Constraint::Length(pipe_h),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    header::draw(frame, head, app, &theme);
    panes::draw(frame, body, app, lab, &theme);
    pipeline::draw(frame, strip, app, &pipe, &theme);
    log::draw(frame, events, lab, &theme);
    footer(frame, foot, app, &theme);
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

fn footer(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = Vec::new();
    for (key, label) in keymap::footer_hints(app.mode()) {
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(format!(" {label}  ")));
    }
    let mut line = Line::from(spans);
    if let Some(notice) = &app.notice {
        let used = text::line_width(&line);
        let room = (area.width as usize).saturating_sub(used + 1);
        line.push_span(Span::styled(text::end(notice, room), theme.dim()));
    }
    frame.render_widget(Paragraph::new(line), area);
}
