//! One bordered pane per account: its error, then stacks, catalog, notebooks, endpoints, buckets.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::state::LabState;
use crate::app::view::{self, Item, Section};
use crate::app::{App, Focus};
use crate::lab::{Role, status};

use super::text;
use super::theme::Theme;

/// Below this inner width, rows show symbol and name only; the colour carries the status.
const STATUS_MIN_WIDTH: usize = 40;

pub fn draw(frame: &mut Frame, panes: &[(Role, Rect)], app: &App, lab: &LabState, theme: &Theme) {
    for (role, rect) in panes {
        pane(frame, *rect, app, lab, *role, theme);
    }
}

fn pane(frame: &mut Frame, area: Rect, app: &App, lab: &LabState, role: Role, theme: &Theme) {
    let focused = app.focus == Focus::Pane(role);
    let head = view::pane_head(app, lab, role);
    let inner_w = area.width.saturating_sub(2) as usize;
    let title = text::middle(&format!(" {} ", head.title), inner_w.saturating_sub(2));
    let block = Block::bordered()
        .border_style(theme.border(focused))
        .title(Line::styled(title, theme.title()))
        .title_bottom(Line::styled(format!(" {} ", head.freshness), theme.dim()).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let mut lines: Vec<Line> = Vec::new();
    let mut selected = focused.then(|| app.selected[App::focus_slot(app.focus)]);
    if let Some(err) = &head.error {
        // The error is the pane's first row: Enter on it shows the whole error.
        let style = match selected {
            Some(0) => theme.error().patch(theme.selected()),
            _ => theme.error(),
        };
        selected = selected.and_then(|s| s.checked_sub(1));
        for l in text::wrap(&format!("✗ {err}"), inner_w).into_iter().take(3) {
            lines.push(Line::styled(l, style));
        }
    }
    for w in &head.warnings {
        lines.push(Line::styled(
            text::end(&format!("! {w}"), inner_w),
            theme.dim(),
        ));
    }
    let sections = view::pane_sections(app, lab, role);
    if sections.is_empty() && head.error.is_none() {
        let msg = if lab.snaps[role].is_some() {
            "no lab resources yet"
        } else {
            "polling…"
        };
        lines.push(Line::styled(msg, theme.dim()));
    }
    let room = (inner.height as usize).saturating_sub(lines.len());
    lines.extend(rows(&sections, selected, room, inner_w, theme));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The item rows, with section headings when everything fits, scrolled to the selection.
fn rows<'a>(
    sections: &[Section],
    selected: Option<usize>,
    room: usize,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let items: usize = sections.iter().map(|s| s.items.len()).sum();
    let warned = sections
        .iter()
        .flat_map(|s| &s.items)
        .filter(|i| i.warning.is_some())
        .count();
    let selected = selected.map(|s| s.min(items.saturating_sub(1)));
    let with_headings = items + warned + sections.len() <= room;
    // A warning's reason gets a line of its own under its row when the rows all fit.
    let with_reasons = items + warned <= room;
    let mut out = Vec::new();
    let mut index = 0;
    for s in sections {
        if with_headings {
            out.push((None, Line::styled(s.title, theme.heading())));
        }
        for item in &s.items {
            let is_sel = selected == Some(index);
            out.push((Some(is_sel), item_line(item, width, is_sel, theme)));
            if let Some(w) = item.warning.as_ref().filter(|_| with_reasons) {
                let text = text::end(&format!("  {w}"), width);
                out.push((None, Line::styled(text, theme.warning())));
            }
            index += 1;
        }
    }
    let sel_pos = out.iter().position(|(s, _)| *s == Some(true)).unwrap_or(0);
    let skip = (sel_pos + 1).saturating_sub(room);
    out.into_iter()
        .skip(skip)
        .take(room)
        .map(|(_, l)| l)
        .collect()
}

fn item_line<'a>(item: &Item, width: usize, selected: bool, theme: &Theme) -> Line<'a> {
    let style = theme.category(item.category);
    let mark = match &item.warning {
        Some(_) => Span::styled(format!("{} ", status::WARNING_MARK), theme.warning()),
        None => Span::styled(format!("{} ", item.category.symbol()), style),
    };
    let avail = width.saturating_sub(2);
    let mut spans = vec![mark];
    let label_style = if selected {
        theme.selected()
    } else {
        Style::new()
    };
    if width >= STATUS_MIN_WIDTH {
        let status = text::end(&item.status, 22);
        let label_w = avail.saturating_sub(text::width(&status) + 1);
        let label = text::middle(&item.label, label_w);
        let pad = label_w.saturating_sub(text::width(&label));
        spans.push(Span::styled(
            format!("{label}{}", " ".repeat(pad)),
            label_style,
        ));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(status, style));
    } else {
        let label = text::middle(&item.label, avail);
        spans.push(Span::styled(label, label_style));
    }
    Line::from(spans)
}
