//! The bulk action overlay: every lab and account it touches with the typed confirmation, then
//! a progress table per lab and the failures with their reasons.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::App;
use crate::app::bulk::{BulkKind, BulkState, BulkView, ItemState};
use crate::lab::Category;

use super::overlay::{boxed, centered};
use super::text;
use super::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(v) = &app.bulk else { return };
    let inner_w = centered(area, 120, area.height).width.saturating_sub(2) as usize;
    let (title, lines) = match v.state {
        BulkState::Review => review(v, inner_w, theme),
        BulkState::Running | BulkState::Finished => progress(v, inner_w, theme),
    };
    // As high as its lines, scrolled when they do not fit.
    let rect = centered(area, 120, fitted_height(lines.len()));
    boxed(frame, rect, title, lines, v.scroll, theme);
}

/// A box's height for `lines` lines and its borders.
pub(super) fn fitted_height(lines: usize) -> u16 {
    u16::try_from(lines.saturating_add(2)).unwrap_or(u16::MAX)
}

fn review(v: &BulkView, w: usize, theme: &Theme) -> (String, Vec<Line<'static>>) {
    let title = format!("{} {} lab(s)?", v.kind.title(), v.active());
    let mut lines = Vec::new();
    for item in &v.items {
        let style = if item.state == ItemState::Nothing {
            theme.dim()
        } else {
            theme.heading()
        };
        lines.push(Line::styled(format!("lab {}", item.name), style));
        for t in &item.touches {
            for (i, l) in text::wrap(t, w.saturating_sub(6)).into_iter().enumerate() {
                let lead = if i == 0 { "  " } else { "      " };
                lines.push(Line::raw(format!("{lead}{l}")));
            }
        }
    }
    lines.push(Line::raw(""));
    let sends = match v.kind {
        BulkKind::Cleanup => "runs each lab's cleanup plan (deletes what is listed)",
        BulkKind::Approve => "sends codepipeline:PutApprovalResult (Approved) for each approval",
    };
    lines.push(Line::styled(sends.to_string(), theme.dim()));
    lines.push(Line::from(vec![
        Span::raw(format!(
            "Type {} (the number of labs) and Enter to run it: ",
            v.expected()
        )),
        Span::styled(format!("{}▏", v.typed), theme.key()),
    ]));
    lines.push(Line::from(vec![
        Span::styled(" Enter ", theme.key()),
        Span::raw("run    "),
        Span::styled(" Esc ", theme.key()),
        Span::raw("cancel: nothing is sent"),
    ]));
    (title, lines)
}

fn progress(v: &BulkView, w: usize, theme: &Theme) -> (String, Vec<Line<'static>>) {
    let title = match v.state {
        BulkState::Finished => v.summary(),
        _ => format!("{} {} lab(s): running", v.kind.title(), v.active()),
    };
    let name_w = v
        .items
        .iter()
        .map(|i| text::width(&i.name))
        .max()
        .unwrap_or(3)
        .clamp(3, 16);
    let mut lines = vec![Line::styled(
        format!("{:<name_w$}  {:>7}  {:>6}  status", "lab", "done", "failed"),
        theme.dim(),
    )];
    let room = w.saturating_sub(name_w + 21);
    for item in &v.items {
        let (cat, status) = match &item.state {
            ItemState::Nothing => (Category::Pending, "nothing to do".to_string()),
            ItemState::Waiting => (Category::Pending, "queued".to_string()),
            ItemState::Running => (
                Category::InProgress,
                item.current.clone().unwrap_or_else(|| "starting".into()),
            ),
            ItemState::Done(s) => (Category::Complete, s.clone()),
            ItemState::Failed(s) => (Category::Failed, s.clone()),
        };
        let done = format!("{}/{}", item.done, item.total);
        lines.push(Line::from(vec![
            Span::raw(format!(
                "{:<name_w$}  {done:>7}  {:>6}  ",
                text::middle(&item.name, name_w),
                item.failed
            )),
            Span::styled(
                format!("{} {}", cat.symbol(), text::end(&status, room)),
                theme.category(cat),
            ),
        ]));
    }
    let failures: Vec<(&str, &String)> = v
        .items
        .iter()
        .flat_map(|i| i.failures.iter().map(move |f| (i.name.as_str(), f)))
        .collect();
    if !failures.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Failures".to_string(), theme.error()));
        for (name, f) in failures {
            for l in text::wrap(&format!("{name}: {f}"), w.saturating_sub(2)) {
                lines.push(Line::styled(
                    format!("  {l}"),
                    theme.category(Category::Failed),
                ));
            }
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Esc closes this view; the run goes on and the same key shows it again".to_string(),
        theme.dim(),
    ));
    (title, lines)
}
