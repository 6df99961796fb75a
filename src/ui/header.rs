//! The header: lab name and position, guide step reached, the running cost estimate, what blocks
//! it, endpoints left running, or what comes next.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::app::view;
use crate::events::{EventsView, FeedState};
use crate::lab::Category;

use super::text;
use super::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(h) = view::header(app) else { return };
    let w = area.width as usize;
    let step_style = if h.complete {
        theme.category(Category::Complete)
    } else {
        theme.title()
    };
    let mut top = vec![
        Span::styled(" crossdeck ", theme.key()),
        Span::styled(format!(" {} ", h.lab), theme.title()),
        Span::styled(format!("({}) ", h.position), theme.dim()),
    ];
    if let Some(uid) = &h.uid {
        top.push(Span::styled(format!("{uid} "), theme.dim()));
    }
    top.extend([Span::raw(" "), Span::styled(h.step.clone(), step_style)]);
    let top = Line::from(top);
    let used = text::line_width(&top);
    frame.render_widget(Paragraph::new(top), area);
    let mut right = w;
    if let Some(badge) = &h.badge {
        let badge = Line::styled(format!(" {badge} "), theme.badge());
        let bw = text::line_width(&badge).min(w);
        right -= bw;
        frame.render_widget(Paragraph::new(badge), spot(area, 0, right, bw));
    }
    // The cost goes right-aligned before the badge when it fits beside the step (in full, else
    // short), else at the end of the last line below, which gives it room.
    let cost_style = theme.category(Category::InProgress);
    let mut below = None;
    if let (Some(full), Some(short)) = (&h.cost, &h.cost_short) {
        let full = format!(" {full} ");
        let short = format!(" {short} ");
        match [full, short.clone()]
            .into_iter()
            .find(|c| used + text::width(c) <= right)
        {
            Some(c) => {
                let cw = text::width(&c);
                let at = spot(area, 0, right - cw, cw);
                frame.render_widget(Paragraph::new(Line::styled(c, cost_style)), at);
            }
            None => below = Some(short),
        }
    }
    let mut lines = Vec::new();
    if let Some(b) = &h.blocked {
        lines.push((format!(" ✗ blocked · {b}"), theme.error()));
    }
    if let Some(idle) = &h.idle {
        lines.push((format!(" ! {idle}"), theme.error()));
    }
    if let Some(g) = h.gaps.first() {
        let more = match h.gaps.len() {
            1 => String::new(),
            n => format!(" (+{} more)", n - 1),
        };
        lines.push((
            format!(" ? gap · {g}{more}"),
            theme.category(Category::Pending),
        ));
    }
    let next_sym = if h.complete { " ✓ " } else { " → next · " };
    lines.push((format!("{next_sym}{}", h.hint), theme.dim()));
    // The event feed's line keeps the header's last row.
    let feed_row = app.events.as_ref().filter(|_| area.height >= 2);
    let room = area
        .height
        .saturating_sub(1 + u16::from(feed_row.is_some())) as usize;
    lines.truncate(room);
    let last = lines.len().saturating_sub(1);
    let bw = below.as_deref().map_or(0, text::width).min(w);
    let shown: Vec<Line> = lines
        .into_iter()
        .enumerate()
        .map(|(i, (s, style))| {
            let max = if i == last { w - bw } else { w };
            Line::styled(text::end(&s, max), style)
        })
        .collect();
    let rest = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    frame.render_widget(Paragraph::new(shown), rest);
    if let Some(c) = below
        && room > 0
    {
        let at = spot(area, last as u16 + 1, w - bw, bw);
        frame.render_widget(Paragraph::new(Line::styled(c, cost_style)), at);
    }
    if let Some(events) = feed_row {
        let line = Line::styled(
            text::end(&format!(" {}", events.line(app.now)), w),
            events_style(events, theme),
        );
        let at = spot(area, area.height - 1, 0, w);
        frame.render_widget(Paragraph::new(line), at);
    }
}

/// The event feed's line: quiet while live, a warning when off.
pub fn events_style(events: &EventsView, theme: &Theme) -> ratatui::style::Style {
    match events.status.state {
        FeedState::Live => theme.dim(),
        FeedState::Starting => theme.category(Category::Pending),
        FeedState::Off { .. } => theme.error(),
    }
}

/// One line of `width` cells at column `x` of row `row` of `area`.
fn spot(area: Rect, row: u16, x: usize, width: usize) -> Rect {
    Rect {
        x: area.x + x as u16,
        y: area.y + row,
        width: width as u16,
        height: 1,
    }
}
