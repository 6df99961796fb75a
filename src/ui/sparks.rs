//! Sparkline rows in a detail box: the row's text (label, room for the bars, figures) goes in
//! with the other lines, then a ratatui `Sparkline` is drawn over the room on each visible row.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::symbols::bar;
use ratatui::text::{Line, Span};
use ratatui::widgets::Sparkline;

use crate::app::detail::Line as DLine;
use crate::lab::Category;

use super::overlay::clamp_scroll;
use super::text;
use super::theme::Theme;

/// Fewest bars worth drawing.
const MIN_BARS: usize = 8;

/// Bars over a dotted baseline: a zero is a dot in the bars' colour, a period without a
/// datapoint a dim one.
const BARS: bar::Set = bar::Set {
    empty: "·",
    ..bar::NINE_LEVELS
};

/// One sparkline row of a box: its line index and its bars.
pub struct Bars<'a> {
    pub at: usize,
    pub values: &'a [Option<u64>],
    pub category: Option<Category>,
}

/// Where a row's parts go: the label's lead, the bars, the figures after them.
pub struct Layout {
    label_w: usize,
    bars_w: usize,
}

impl Layout {
    /// Room for the bars of every sparkline in `lines`: what is left of `inner_w` after the
    /// labels and the widest figures, at most one bar per value (the newest when fewer fit).
    pub fn new(lines: &[DLine], inner_w: usize) -> Self {
        let (mut most, mut label_w, mut summary_w) = (0, 0, 0);
        for l in lines {
            if let DLine::Spark {
                label,
                values,
                summary,
                ..
            } = l
            {
                most = most.max(values.len());
                label_w = label_w.max(text::width(label));
                summary_w = summary_w.max(text::width(summary));
            }
        }
        let room = inner_w.saturating_sub(label_w + 4 + 2 + summary_w);
        let bars_w = room.min(most);
        Layout {
            label_w,
            bars_w: if bars_w < MIN_BARS { 0 } else { bars_w },
        }
    }

    fn lead_w(&self) -> usize {
        self.label_w + 4
    }

    /// The row's text, with blank room where the bars go.
    pub fn row(
        &self,
        label: &str,
        summary: &str,
        category: Option<Category>,
        theme: &Theme,
    ) -> Line<'static> {
        let label_w = self.label_w;
        let style = category.map_or(ratatui::style::Style::new(), |c| theme.category(c));
        Line::from(vec![
            Span::styled(
                format!("  {:<label_w$}  ", text::end(label, label_w)),
                theme.dim(),
            ),
            Span::raw(" ".repeat(self.bars_w)),
            Span::raw(if self.bars_w > 0 { "  " } else { "" }),
            Span::styled(summary.to_string(), style),
        ])
    }

    /// Draw the bars of the rows in `bars` that show in the box `rect` holding `lines` lines
    /// scrolled by `scroll`; the newest values go rightmost.
    pub fn draw(
        &self,
        frame: &mut Frame,
        rect: Rect,
        lines: usize,
        scroll: usize,
        bars: &[Bars],
        theme: &Theme,
    ) {
        if self.bars_w == 0 {
            return;
        }
        let scroll = clamp_scroll(rect, lines, scroll);
        let inner_h = rect.height.saturating_sub(2) as usize;
        for Bars {
            at,
            values,
            category,
        } in bars
        {
            let Some(row) = at.checked_sub(scroll).filter(|r| *r < inner_h) else {
                continue;
            };
            let shown = &values[values.len().saturating_sub(self.bars_w)..];
            let area = Rect {
                x: rect.x + 1 + self.lead_w() as u16,
                y: rect.y + 1 + row as u16,
                width: shown.len() as u16,
                height: 1,
            };
            let style = category.map_or(theme.spark(), |c| theme.category(c));
            let spark = Sparkline::default()
                .data(shown.iter().copied())
                .style(style)
                .bar_set(BARS)
                .absent_value_symbol("·")
                .absent_value_style(theme.dim());
            frame.render_widget(spark, area);
        }
    }
}
