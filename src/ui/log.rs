//! The event log: transitions across the lab's accounts, newest first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::state::LabState;

use super::text;
use super::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, lab: &LabState, theme: &Theme) {
    let block = Block::bordered()
        .border_style(theme.border(false))
        .title(Line::styled(
            format!(
                " Events ({}) ",
                lab.log.newest().filter(|e| !e.change.minor()).count()
            ),
            theme.title(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let lines: Vec<Line> = if lab.log.newest().all(|e| e.change.minor()) {
        vec![Line::styled("no transitions seen yet", theme.dim())]
    } else {
        lab.log
            .newest()
            .filter(|e| !e.change.minor())
            .take(inner.height as usize)
            .map(|e| {
                let c = &e.change;
                let mut rest = format!("{} {}", c.subject, c.status);
                if let Some(d) = &c.detail {
                    rest.push_str(" — ");
                    rest.push_str(d);
                }
                let lead = format!("{} {:<11} ", c.at.hms(), e.role.label());
                let room = w.saturating_sub(text::width(&lead) + 2);
                Line::from(vec![
                    Span::styled(lead, theme.dim()),
                    Span::styled(
                        format!("{} ", c.category.symbol()),
                        theme.category(c.category),
                    ),
                    Span::raw(text::end(&rest, room)),
                ])
            })
            .collect()
    };
    frame.render_widget(Paragraph::new(lines), inner);
}
