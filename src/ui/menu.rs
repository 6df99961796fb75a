//! The copy menu: the selected resource's values, one highlighted to copy.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::links::CopyItem;

use super::overlay::{boxed, centered};
use super::text;
use super::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, items: &[CopyItem], selected: usize, theme: &Theme) {
    let label_w = items
        .iter()
        .map(|i| text::width(&i.label))
        .max()
        .unwrap_or(0)
        .min(30);
    let rect = centered(area, 100, items.len() as u16 + 2);
    let inner_w = rect.width.saturating_sub(2) as usize;
    let room = inner_w.saturating_sub(label_w + 4);
    let lines: Vec<Line> = items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let style = if i == selected {
                theme.selected()
            } else {
                ratatui::style::Style::new()
            };
            Line::from(vec![
                Span::styled(
                    format!(" {:<label_w$}  ", text::end(&it.label, label_w)),
                    theme.dim(),
                ),
                Span::styled(text::middle(&it.value, room), style),
            ])
        })
        .collect();
    let inner_h = rect.height.saturating_sub(2) as usize;
    let scroll = (selected + 1).saturating_sub(inner_h);
    boxed(
        frame,
        rect,
        "Copy · Enter copies, Esc closes".into(),
        lines,
        scroll,
        theme,
    );
}
