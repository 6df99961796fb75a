//! The pipeline strip: every stage side by side with its actions, status, elapsed time and failure.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::view::{PipelineView, StageView};
use crate::app::{App, Focus};
use crate::lab::status;

use super::text;
use super::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, view: &PipelineView, theme: &Theme) {
    let focused = app.focus == Focus::Pipeline;
    let inner_w = area.width.saturating_sub(2) as usize;
    let block = Block::bordered()
        .border_style(theme.border(focused))
        .title(Line::styled(
            text::end(&format!(" {} ", view.title), inner_w),
            theme.title(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if view.stages.is_empty() {
        return;
    }
    let n = view.stages.len() as u32;
    let cols = Layout::horizontal(view.stages.iter().map(|_| Constraint::Ratio(1, n))).split(inner);
    let selected = focused.then(|| app.selected[App::focus_slot(Focus::Pipeline)]);
    let mut first_index = 0;
    for (i, (stage, rect)) in view.stages.iter().zip(cols.iter()).enumerate() {
        let last = i + 1 == view.stages.len();
        let sel = selected
            .and_then(|s| s.checked_sub(first_index))
            .filter(|s| *s < stage.actions.len());
        column(frame, *rect, stage, sel, last, theme);
        first_index += stage.actions.len();
    }
}

fn column(
    frame: &mut Frame,
    area: Rect,
    stage: &StageView,
    sel: Option<usize>,
    last: bool,
    theme: &Theme,
) {
    let w = area.width.saturating_sub(if last { 0 } else { 2 }) as usize;
    let style = theme.category(stage.category);
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{} ", stage.category.symbol()), style),
        Span::styled(text::end(&stage.name, w.saturating_sub(2)), theme.title()),
    ])];
    if let Some(reason) = &stage.transition_disabled {
        let s = format!("⊘ transition disabled: {reason}");
        lines.push(Line::styled(
            text::end(&s, w),
            theme.category(crate::lab::Category::Cancelled),
        ));
    }
    if stage.actions.is_empty() {
        lines.push(Line::styled("  not created yet", theme.dim()));
    }
    for (i, a) in stage.actions.iter().enumerate() {
        let (mark, st) = if a.waiting {
            (status::APPROVAL_MARK, theme.approval())
        } else {
            (a.category.symbol(), theme.category(a.category))
        };
        let elapsed = a.elapsed.clone().unwrap_or_default();
        let name_w = w.saturating_sub(4 + text::width(&elapsed) + 1);
        let name = text::end(&a.name, name_w);
        let pad = name_w.saturating_sub(text::width(&name));
        let name_style = if sel == Some(i) {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {mark} "), st),
            Span::styled(format!("{name}{}", " ".repeat(pad)), name_style),
            Span::raw(" "),
            Span::styled(elapsed, theme.dim()),
        ]));
    }
    for a in stage.actions.iter().filter(|a| a.waiting) {
        if lines.len() < area.height as usize {
            let s = format!("  {}: {}", a.name, a.status);
            lines.push(Line::styled(text::end(&s, w), theme.approval()));
        }
    }
    let room = (area.height as usize).saturating_sub(lines.len());
    let errors: Vec<String> = stage
        .actions
        .iter()
        .filter_map(|a| a.error.as_ref().map(|e| format!("{}: {e}", a.name)))
        .collect();
    for e in errors {
        for l in text::wrap(&e, w.saturating_sub(2)).into_iter().take(room) {
            lines.push(Line::styled(format!("  {l}"), theme.error()));
        }
    }
    let text_area = Rect {
        width: w as u16,
        ..area
    };
    frame.render_widget(Paragraph::new(lines), text_area);
    if !last && area.width >= 2 {
        let arrow = Rect {
            x: area.x + area.width - 2,
            width: 2,
            height: 1,
            ..area
        };
        frame.render_widget(Paragraph::new(Span::styled("→", theme.dim())), arrow);
    }
}
