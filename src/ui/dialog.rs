//! The action dialogs: confirm (what will be sent, where), a line of text, the launch form.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::app::App;
use crate::app::dialog::{Confirm, Input, LaunchForm};

use super::overlay::centered;
use super::theme::Theme;

fn render(frame: &mut Frame, rect: Rect, title: &str, lines: Vec<Line>, theme: &Theme) {
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::styled(format!(" {title} "), theme.title()));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

fn account(app: &App, c: &Confirm) -> String {
    let id = app
        .labs
        .get(c.key.lab)
        .and_then(|l| l.info.accounts[c.key.role].clone())
        .unwrap_or_default();
    let lab = app.labs.get(c.key.lab).map_or("", |l| l.info.name.as_str());
    format!("account   {} {id} (lab {lab})", c.key.role)
}

pub fn confirm(frame: &mut Frame, area: Rect, app: &App, c: &Confirm, theme: &Theme) {
    let mut lines = vec![Line::styled(account(app, c), theme.dim())];
    lines.extend(c.lines.iter().map(|l| Line::raw(l.clone())));
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(" y ", theme.key()),
        Span::raw("send it    "),
        Span::styled(" n ", theme.key()),
        Span::raw("cancel"),
    ]));
    let h = lines.len() as u16 + 2;
    render(frame, centered(area, 76, h), &c.title, lines, theme);
}

pub fn input(frame: &mut Frame, area: Rect, i: &Input, theme: &Theme) {
    let lines = vec![
        Line::raw(format!("{}▏", i.text)),
        Line::raw(""),
        Line::from(vec![
            Span::styled(" Enter ", theme.key()),
            Span::raw("continue    "),
            Span::styled(" Esc ", theme.key()),
            Span::raw("cancel"),
        ]),
    ];
    render(frame, centered(area, 76, 6), &i.prompt, lines, theme);
}

pub fn launch(frame: &mut Frame, area: Rect, f: &LaunchForm, theme: &Theme) {
    let o = &f.options;
    let mut lines = vec![
        Line::styled(
            format!("{} · {}", o.product_name, o.artifact_name),
            theme.dim(),
        ),
        Line::styled(format!("launch path: {}", o.path_name), theme.dim()),
        Line::raw(""),
    ];
    for (i, (label, value)) in f.rows().into_iter().enumerate() {
        let here = i == f.field;
        let shown = if i == 0 {
            format!("{value}{}", if here { "▏" } else { "" })
        } else {
            format!("‹ {value} ›")
        };
        let style = if here {
            theme.selected()
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} {label:<18} ", if here { "›" } else { " " }),
                style,
            ),
            Span::styled(shown, style),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(" ↑↓ ", theme.key()),
        Span::raw("field  "),
        Span::styled(" ←→ ", theme.key()),
        Span::raw("value  "),
        Span::styled(" Enter ", theme.key()),
        Span::raw("launch…  "),
        Span::styled(" Esc ", theme.key()),
        Span::raw("cancel"),
    ]));
    let h = lines.len() as u16 + 2;
    render(
        frame,
        centered(area, 76, h),
        "Launch the notebook product",
        lines,
        theme,
    );
}

/// The cleanup plan, the account ids typed to run it, then the run's progress.
pub fn cleanup(frame: &mut Frame, area: Rect, app: &App, lab: usize, theme: &Theme) {
    use crate::app::cleanup_view::{CleanupView, RunState};
    let Some(v) = app.cleanups.iter().find(|v| v.lab == lab) else {
        return;
    };
    let mut lines: Vec<Line> = v
        .plan
        .to_string()
        .lines()
        .map(|l| Line::raw(l.to_string()))
        .collect();
    lines.push(Line::raw(""));
    match &v.state {
        RunState::Review if v.plan.steps.is_empty() => {}
        RunState::Review => {
            let ids = app
                .labs
                .get(lab)
                .map(|l| CleanupView::expected(&l.info).join(","))
                .unwrap_or_default();
            lines.push(Line::styled(
                format!("Nothing changed yet. To run it, type the account ids {ids}:"),
                theme.heading(),
            ));
            lines.push(Line::raw(format!("> {}▏", v.typed)));
        }
        RunState::Running => lines.push(Line::styled("Running…", theme.heading())),
        RunState::Finished { ok, summary } => {
            let style = if *ok { theme.heading() } else { theme.error() };
            lines.push(Line::styled(format!("Finished: {summary}"), style));
        }
    }
    lines.extend(v.lines.iter().map(|l| Line::raw(l.clone())));
    let rect = centered(area, 110, super::bulk::fitted_height(lines.len()));
    // Follow the newest lines unless scrolled back.
    let inner = usize::from(rect.height.saturating_sub(2));
    let bottom = lines.len().saturating_sub(inner);
    let top = bottom.saturating_sub(v.scroll);
    let title = format!(
        "Cleanup of lab {} · Enter run · Esc close · ↑↓ scroll",
        v.plan.lab
    );
    let block = Block::bordered()
        .border_style(theme.border(true))
        .title(Line::styled(format!(" {title} "), theme.title()));
    frame.render_widget(Clear, rect);
    let shown: Vec<Line> = lines.into_iter().skip(top).collect();
    frame.render_widget(Paragraph::new(shown).block(block), rect);
}
