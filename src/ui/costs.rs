//! The `$` cost list: per account, each billable resource with its instance type, running time,
//! hourly price and estimated cost so far, then the lab's total.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::App;
use crate::app::costs::{self, CostRow};
use crate::lab::Category;

use super::overlay::{boxed, centered};
use super::text;
use super::theme::Theme;

const KIND_W: usize = 8;
const INSTANCE_W: usize = 17;
const RUNNING_W: usize = 7;
const RATE_W: usize = 8;
const SO_FAR_W: usize = 7;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, scroll: usize, theme: &Theme) {
    let rect = centered(area, 110, area.height.saturating_sub(2));
    let Some(list) = costs::cost_list(app) else {
        return;
    };
    let inner_w = rect.width.saturating_sub(2) as usize;
    // Marker, kind, name, instance, running, rate, so far: the name takes what is left.
    let fixed = 2 + KIND_W + 1 + 1 + INSTANCE_W + 1 + RUNNING_W + 1 + RATE_W + 1 + SO_FAR_W;
    let name_w = inner_w.saturating_sub(fixed).max(8);
    let heads = CostRow {
        kind: "kind",
        name: "name".into(),
        instance: "instance".into(),
        running: "running".into(),
        rate: "$/h".into(),
        so_far: "so far".into(),
        idle: false,
    };
    let mut lines = vec![Line::styled(cells(" ", &heads, name_w), theme.dim())];
    for s in &list.sections {
        lines.push(Line::styled(s.heading.clone(), theme.heading()));
        if s.rows.is_empty() {
            lines.push(Line::styled("  nothing billing", theme.dim()));
        }
        for r in &s.rows {
            lines.push(row(r, name_w, theme));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("Lab total ", theme.heading()),
        Span::styled(list.total.clone(), theme.title()),
    ]));
    if let Some(note) = &list.idle_note {
        lines.push(Line::styled(note.clone(), theme.error()));
    }
    for w in text::wrap(&list.source, inner_w) {
        lines.push(Line::styled(w, theme.dim()));
    }
    // As tall as the list, within the screen.
    let rect = centered(area, rect.width + 4, lines.len() as u16 + 2);
    boxed(
        frame,
        rect,
        format!("{} · $ or Esc to close", list.title),
        lines,
        scroll,
        theme,
    );
}

fn row<'a>(r: &CostRow, name_w: usize, theme: &Theme) -> Line<'a> {
    let mark = if r.idle { "!" } else { " " };
    let style = if r.idle {
        theme.error()
    } else if r.rate == "?" {
        theme.category(Category::Cancelled)
    } else {
        Style::new()
    };
    Line::styled(cells(mark, r, name_w), style)
}

/// One row of fixed-width cells; numbers to the right.
fn cells(mark: &str, r: &CostRow, name_w: usize) -> String {
    format!(
        "{mark} {:<KIND_W$} {:<name_w$} {:<INSTANCE_W$} {:>RUNNING_W$} {:>RATE_W$} {:>SO_FAR_W$}",
        text::end(r.kind, KIND_W),
        text::middle(&r.name, name_w),
        text::end(&r.instance, INSTANCE_W),
        r.running,
        r.rate,
        r.so_far,
    )
}
