//! The header: lab name and position, guide step reached, what blocks it or what comes next.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::app::view;
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
    let top = Line::from(vec![
        Span::styled(" crossdeck ", theme.key()),
        Span::styled(format!(" {} ", h.lab), theme.title()),
        Span::styled(format!("({}) ", h.position), theme.dim()),
        Span::raw(" "),
        Span::styled(h.step.clone(), step_style),
    ]);
    frame.render_widget(Paragraph::new(top), area);
    if let Some(badge) = &h.badge {
        let badge = Line::styled(format!(" {badge} "), theme.badge());
        let bw = (text::line_width(&badge) as u16).min(area.width);
        let spot = Rect {
            x: area.right() - bw,
            width: bw,
            height: 1,
            ..area
        };
        frame.render_widget(Paragraph::new(badge), spot);
    }
    let mut lines = Vec::new();
    if let Some(b) = &h.blocked {
        let s = format!(" ✗ blocked · {b}");
        lines.push(Line::styled(text::end(&s, w), theme.error()));
    }
    let next_sym = if h.complete { " ✓ " } else { " → next · " };
    let next = format!("{next_sym}{}", h.hint);
    lines.push(Line::styled(text::end(&next, w), theme.dim()));
    let room = area.height.saturating_sub(1) as usize;
    lines.truncate(room);
    let rest = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    frame.render_widget(Paragraph::new(lines), rest);
}
