//! Overlays drawn over the lab view: help (from the key table), resource detail, the lab picker.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::detail::{self, Line as DLine};
use crate::app::keymap::Mode;
use crate::app::{App, Overlay, Target};
use crate::lab::Category;

use super::dialog;
use super::sparks;
use super::text;
use super::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    for (i, overlay) in app.overlays.iter().enumerate() {
        match overlay {
            Overlay::Help { scroll } => {
                let under = i
                    .checked_sub(1)
                    .and_then(|j| app.overlays.get(j))
                    .map_or(app.base_mode(), Overlay::mode);
                help(frame, area, app, under, *scroll, theme);
            }
            Overlay::Detail { target, scroll } => detail(frame, area, app, target, *scroll, theme),
            Overlay::Picker { selected } => picker(frame, area, app, *selected, theme),
            Overlay::Confirm(c) => dialog::confirm(frame, area, app, c, theme),
            Overlay::Input(i) => dialog::input(frame, area, i, theme),
            Overlay::Launch(f) => dialog::launch(frame, area, f, theme),
            Overlay::Cleanup { lab } => dialog::cleanup(frame, area, app, *lab, theme),
            Overlay::Bulk => super::bulk::draw(frame, area, app, theme),
            Overlay::CopyMenu { items, selected } => {
                super::menu::draw(frame, area, items, *selected, theme);
            }
            Overlay::Timeline(v) => super::timeline::draw(frame, area, app, v, theme),
            Overlay::Costs { scroll } => super::costs::draw(frame, area, app, *scroll, theme),
        }
    }
}

/// A box of at most `max_w` x `max_h` in the middle of `area`.
pub(super) fn centered(area: Rect, max_w: u16, max_h: u16) -> Rect {
    let w = max_w.min(area.width.saturating_sub(4));
    let h = max_h.min(area.height.saturating_sub(2));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// The first line shown when `lines` lines are scrolled by `scroll` in a box `rect` high.
pub(super) fn clamp_scroll(rect: Rect, lines: usize, scroll: usize) -> usize {
    let inner_h = rect.height.saturating_sub(2) as usize;
    scroll.min(lines.saturating_sub(inner_h))
}

/// Draw `lines` in a bordered box, scrolled so that at most the last page shows.
pub(super) fn boxed(
    frame: &mut Frame,
    rect: Rect,
    title: String,
    lines: Vec<Line>,
    scroll: usize,
    theme: &Theme,
) {
    let inner_h = rect.height.saturating_sub(2) as usize;
    let max_scroll = lines.len().saturating_sub(inner_h);
    let scroll = clamp_scroll(rect, lines.len(), scroll);
    let more = if max_scroll > 0 {
        format!(" {}/{} ", scroll + 1, max_scroll + 1)
    } else {
        String::new()
    };
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::styled(format!(" {title} "), theme.title()))
        .title_bottom(Line::styled(more, theme.dim()).right_aligned());
    frame.render_widget(Clear, rect);
    let shown: Vec<Line> = lines.into_iter().skip(scroll).collect();
    frame.render_widget(Paragraph::new(shown).block(block), rect);
}

fn help(frame: &mut Frame, area: Rect, app: &App, mode: Mode, scroll: usize, theme: &Theme) {
    let rows = app.keys.help_rows(mode);
    let key_w = rows.iter().map(|(k, _)| text::width(k)).max().unwrap_or(0);
    let what_w = rows.iter().map(|(_, w)| text::width(w)).max().unwrap_or(0);
    // As wide as the longest line, within the terminal: a description that does not fit goes
    // on to further lines under itself, never cut.
    let indent = key_w + 4;
    let natural = (indent + what_w + 2).max(40);
    let rect_w = u16::try_from(natural).unwrap_or(u16::MAX);
    let inner_w = usize::from(rect_w.min(area.width.saturating_sub(4))).saturating_sub(2);
    let wrap_w = inner_w.saturating_sub(indent).max(12);
    let mut lines = vec![Line::styled(
        format!("Keys in the {}", mode.title()),
        theme.heading(),
    )];
    for (keys, what) in rows {
        for (i, part) in text::wrap(what, wrap_w).into_iter().enumerate() {
            let head = if i == 0 {
                format!("  {keys:<key_w$}  ")
            } else {
                " ".repeat(indent)
            };
            lines.push(Line::from(vec![
                Span::styled(head, theme.key()),
                Span::raw(part),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Status symbols", theme.heading()));
    for c in [
        Category::Complete,
        Category::InProgress,
        Category::Pending,
        Category::Failed,
        Category::Cancelled,
    ] {
        lines.push(Line::from(vec![
            Span::styled(format!("  {}  ", c.symbol()), theme.category(c)),
            Span::raw(c.word()),
        ]));
    }
    let h = lines.len() as u16 + 2;
    let rect = centered(area, rect_w, h);
    boxed(
        frame,
        rect,
        "Help · ? or Esc to close".into(),
        lines,
        scroll,
        theme,
    );
}

fn detail(frame: &mut Frame, area: Rect, app: &App, target: &Target, scroll: usize, theme: &Theme) {
    let rect = centered(area, 110, area.height.saturating_sub(4));
    let inner_w = rect.width.saturating_sub(2) as usize;
    let Some(d) = detail::detail(app, target) else {
        let lines = vec![Line::styled(
            "This resource is gone from the latest poll.",
            theme.dim(),
        )];
        boxed(frame, rect, "Detail".into(), lines, 0, theme);
        return;
    };
    let key_w = d
        .lines
        .iter()
        .filter_map(|l| match l {
            DLine::Field { key, .. } => Some(text::width(key)),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .min(28);
    let sparks = sparks::Layout::new(&d.lines, inner_w);
    let mut lines = Vec::new();
    let mut bars = Vec::new();
    for l in &d.lines {
        match l {
            DLine::Heading(h) => {
                lines.push(Line::raw(""));
                lines.push(Line::styled(h.clone(), theme.heading()));
            }
            DLine::Text(t) => {
                for w in text::wrap(t, inner_w.saturating_sub(2)) {
                    lines.push(Line::raw(format!("  {w}")));
                }
            }
            DLine::Field {
                key,
                value,
                category,
            } => {
                let style = category.map_or(ratatui::style::Style::new(), |c| theme.category(c));
                let lead = if key.is_empty() {
                    "  ".to_string()
                } else {
                    format!("  {:<key_w$}  ", text::end(key, key_w))
                };
                let room = inner_w.saturating_sub(text::width(&lead)).max(10);
                for (i, w) in text::wrap(value, room).into_iter().enumerate() {
                    let lead = if i == 0 {
                        lead.clone()
                    } else {
                        " ".repeat(text::width(&lead))
                    };
                    lines.push(Line::from(vec![
                        Span::styled(lead, theme.dim()),
                        Span::styled(w, style),
                    ]));
                }
            }
            DLine::Spark {
                label,
                values,
                summary,
                category,
            } => {
                bars.push(sparks::Bars {
                    at: lines.len(),
                    values,
                    category: *category,
                });
                lines.push(sparks.row(label, summary, *category, theme));
            }
        }
    }
    let shown = lines.len();
    boxed(frame, rect, d.title, lines, scroll, theme);
    sparks.draw(frame, rect, shown, scroll, &bars, theme);
}

fn picker(frame: &mut Frame, area: Rect, app: &App, selected: usize, theme: &Theme) {
    let name_w = app.name_width();
    let lines: Vec<Line> = app
        .labs
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let p = &l.progress;
            let step = p
                .reached
                .map_or("not started".to_string(), |s| format!("step {s}"));
            let (mark, style) = match (&p.blocked, p.complete()) {
                (Some(_), _) => ("✗ blocked", theme.category(Category::Failed)),
                (None, true) => ("✓ complete", theme.category(Category::Complete)),
                (None, false) => ("", theme.dim()),
            };
            let name_style = if i == selected {
                theme.selected()
            } else {
                ratatui::style::Style::new()
            };
            Line::from(vec![
                Span::styled(format!(" {:<name_w$} ", l.info.name), name_style),
                Span::raw(format!(" {step:<30} ")),
                Span::styled(mark, style),
            ])
        })
        .collect();
    let rect = centered(area, 70, lines.len() as u16 + 2);
    let inner_h = rect.height.saturating_sub(2) as usize;
    let scroll = (selected + 1).saturating_sub(inner_h);
    boxed(
        frame,
        rect,
        format!("Labs ({})", app.labs.len()),
        lines,
        scroll,
        theme,
    );
}
