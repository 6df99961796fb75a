//! The event timeline overlay: the lab's changes and crossdeck's actions, newest first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::App;
use crate::app::state::LOG_CAPACITY;
use crate::app::timeline::{self, TimelineView};

use super::overlay::centered;
use super::text;
use super::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, v: &TimelineView, theme: &Theme) {
    let Some(lab) = app.lab() else { return };
    let rect = centered(area, 160, area.height.saturating_sub(2));
    let rows = timeline::rows(lab, &v.filter);
    let title = if v.filter.is_empty() {
        format!(
            " Timeline · {} · {} events (newest {LOG_CAPACITY} kept) · UTC ",
            lab.info.name,
            lab.log.len()
        )
    } else {
        format!(
            " Timeline · {} · {} of {} events · UTC ",
            lab.info.name,
            rows.len(),
            lab.log.len()
        )
    };
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::styled(title, theme.title()));
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let w = inner.width as usize;
    let mut lines = Vec::new();
    if v.editing || !v.filter.is_empty() {
        let cursor = if v.editing { "▏" } else { "" };
        lines.push(Line::from(vec![
            Span::styled("/ ", theme.key()),
            Span::raw(format!("{}{cursor}", v.filter)),
        ]));
    }
    let room = (inner.height as usize).saturating_sub(lines.len());
    let scroll = v.scroll.min(rows.len().saturating_sub(1));
    if rows.is_empty() {
        let why = if lab.log.is_empty() {
            "nothing seen yet"
        } else {
            "no event matches the filter (Esc then / to change it)"
        };
        lines.push(Line::styled(why, theme.dim()));
    }
    for e in rows.iter().skip(scroll).take(room) {
        let c = &e.change;
        let lead = format!("{} {:<11} ", c.at.month_day_hms(), e.role.label());
        let mut rest = format!("{} {}", c.subject, c.status);
        if let Some(d) = &c.detail {
            rest.push_str(" — ");
            rest.push_str(d);
        }
        let room = w.saturating_sub(text::width(&lead) + 2);
        lines.push(Line::from(vec![
            Span::styled(lead, theme.dim()),
            Span::styled(
                format!("{} ", c.category.symbol()),
                theme.category(c.category),
            ),
            Span::raw(text::end(&rest, room)),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
