//! The fleet view: the class summary and a row per lab, drawn only for the rows on screen.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::app::App;
use crate::app::fleet::{self, LineEdit};
use crate::app::layout::{self, FleetAreas};
use crate::lab::cost;
use crate::lab::progress::Step;
use crate::lab::{Category, Role, status};

use super::text;
use super::theme::Theme;

/// Widths of the fixed columns.
const MARK_W: usize = 2;
const STEP_W: usize = 9;
const CHANGED_W: usize = 7;
/// `!$0.112/h` (`!`: endpoints left running after the pipeline finished).
const COST_W: usize = 9;
const NAME_MAX: usize = 16;

/// Where each column starts, for one terminal width.
struct Columns {
    name: usize,
    name_w: usize,
    step: usize,
    health: usize,
    health_w: usize,
    pipeline: usize,
    pipeline_w: usize,
    endpoints: usize,
    endpoints_w: usize,
    cost: usize,
    blocked: usize,
    blocked_w: usize,
    changed: usize,
}

impl Columns {
    fn new(width: usize, name_w: usize, roles: usize) -> Columns {
        let name_w = name_w.clamp(4, NAME_MAX);
        let health_w = roles * 3;
        // Endpoints live in every account but DataScience: `T1 S0`.
        let endpoints_w = (roles.saturating_sub(1) * 3).max(6);
        let name = MARK_W;
        let step = name + name_w + 1;
        let health = step + STEP_W + 1;
        let pipeline = health + health_w + 1;
        let fixed = pipeline + endpoints_w + 1 + COST_W + 1 + CHANGED_W;
        let flex = width.saturating_sub(fixed + 2);
        let pipeline_w = (flex * 3 / 8).max(8);
        let endpoints = pipeline + pipeline_w + 1;
        let cost = endpoints + endpoints_w + 1;
        let blocked = cost + COST_W + 1;
        let changed = width.saturating_sub(CHANGED_W);
        let blocked_w = changed.saturating_sub(blocked + 1);
        Columns {
            name,
            name_w,
            step,
            health,
            health_w,
            pipeline,
            pipeline_w,
            endpoints,
            endpoints_w,
            cost,
            blocked,
            blocked_w,
            changed,
        }
    }
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let Some(a) = layout::fleet_areas(frame.area(), app.events.is_some()) else {
        return;
    };
    header(frame, &a, app, theme);
    let first = Rect {
        height: 1,
        ..a.summary
    };
    summary(frame.buffer_mut(), first, app, theme);
    if let Some(events) = &app.events
        && a.summary.height > 1
    {
        let line = Rect {
            y: a.summary.y + 1,
            height: 1,
            ..a.summary
        };
        let w = line.width as usize;
        let text = format!(" {}", events.line(app.now));
        put(
            frame.buffer_mut(),
            line,
            0,
            &text,
            super::header::events_style(events, theme),
            w,
        );
    }
    rows(frame.buffer_mut(), &a, app, theme);
    match &app.fleet.line {
        LineEdit::None => super::footer(frame, a.footer, app, theme),
        LineEdit::Filter => line(
            frame.buffer_mut(),
            a.footer,
            app,
            "/",
            &app.fleet.filter,
            theme,
        ),
        LineEdit::Command(t) => line(frame.buffer_mut(), a.footer, app, ":", t, theme),
    }
}

/// The filter or command being typed, then the keys that end it.
fn line(buf: &mut Buffer, area: Rect, app: &App, lead: &str, typed: &str, theme: &Theme) {
    let w = area.width as usize;
    let x = put(buf, area, 0, lead, theme.key(), w);
    let shown = text::end(typed, w.saturating_sub(2));
    let x = put(buf, area, x, &shown, Style::new(), w);
    let mut x = put(buf, area, x, "▏", theme.key(), w) + 3;
    for (key, label) in app.keys.footer_hints(app.mode()) {
        x = put(buf, area, x, &key, theme.key(), w) + 1;
        x = put(buf, area, x, label, theme.dim(), w) + 2;
    }
}

/// Write `s` at column `x` of a one-line `area`, at most `max` cells; returns the next column.
fn put(buf: &mut Buffer, area: Rect, x: usize, s: &str, style: Style, max: usize) -> usize {
    let room = (area.width as usize).saturating_sub(x).min(max);
    if room == 0 {
        return x;
    }
    let (next, _) = buf.set_stringn(area.x + x as u16, area.y, s, room, style);
    (next - area.x) as usize
}

fn header(frame: &mut Frame, a: &FleetAreas, app: &App, theme: &Theme) {
    let buf = frame.buffer_mut();
    let area = a.header;
    let w = area.width as usize;
    let mut x = put(buf, area, 0, " crossdeck ", theme.key(), w);
    let mut s = String::with_capacity(64);
    let _ = write!(
        s,
        "  fleet · {} labs · sorted by {}",
        app.labs.len(),
        app.fleet.sort.word()
    );
    if !app.fleet.filter.is_empty() {
        let _ = write!(
            s,
            " · filter \"{}\" ({} shown)",
            app.fleet.filter,
            app.fleet.order.len()
        );
    }
    let marked = app.fleet.marks.iter().filter(|m| **m).count();
    if marked > 0 {
        let _ = write!(s, " · {marked} marked");
    }
    if fleet::held(app) {
        s.push_str(" · order held");
    }
    x = put(buf, area, x, &s, theme.title(), w);
    if let Some(speed) = app.simulated {
        let badge = if speed.fract() == 0.0 {
            format!(" SIMULATED ×{speed:.0} ")
        } else {
            format!(" SIMULATED ×{speed} ")
        };
        let bw = text::width(&badge);
        if x + bw < w {
            put(buf, area, w - bw, &badge, theme.badge(), bw);
        }
    }
}

/// `3.7 Tools` is `3.7T` in the summary, to keep it on one line.
fn short_step(step: Option<Step>) -> String {
    match step {
        None => "-".into(),
        Some(s) => s.number().replace(" Tools", "T").replace(" Stage", "S"),
    }
}

fn summary(buf: &mut Buffer, area: Rect, app: &App, theme: &Theme) {
    let s = fleet::summary(app);
    let w = area.width as usize;
    let mut x = put(buf, area, 0, " step ", theme.heading(), w);
    let mut part = String::with_capacity(16);
    for (i, n) in s.per_step.iter().enumerate() {
        if *n == 0 {
            continue;
        }
        let step = i.checked_sub(1).and_then(|j| Step::ALL.get(j).copied());
        part.clear();
        let _ = write!(part, "{}:{n} ", short_step(step));
        let style = if step == Some(Step::DeployStage) {
            theme.category(Category::Complete)
        } else {
            Style::new()
        };
        x = put(buf, area, x, &part, style, w);
    }
    let blocked_style = if s.blocked > 0 {
        theme.error()
    } else {
        theme.dim()
    };
    part.clear();
    let _ = write!(part, "│ {} blocked ", s.blocked);
    x = put(buf, area, x, &part, blocked_style, w);
    // The class's $/h and the idle count only when the line has room for them and the errors.
    let mut extra = String::new();
    if s.billable > 0 {
        let _ = write!(extra, " {}", cost::usd_per_hour(s.hourly));
        if s.unknown > 0 {
            extra.push_str("+?");
        }
    }
    let mut idle = String::new();
    if s.idle > 0 {
        let _ = write!(idle, "│ {} idle ", s.idle);
    }
    let rest = format!(
        "│ {} billable │ {} acct in error",
        s.billable, s.accounts_in_error
    );
    let room = w.saturating_sub(x + text::width(&rest) + 1);
    if text::width(&extra) + text::width(&idle) > room {
        extra.clear();
        if text::width(&idle) > room {
            idle.clear();
        }
    }
    part.clear();
    let _ = write!(part, "│ {} billable{extra} ", s.billable);
    let bill_style = if s.billable > 0 {
        theme.category(Category::InProgress)
    } else {
        theme.dim()
    };
    x = put(buf, area, x, &part, bill_style, w);
    x = put(buf, area, x, &idle, theme.error(), w);
    part.clear();
    let _ = write!(part, "│ {} acct in error", s.accounts_in_error);
    let err_style = if s.accounts_in_error > 0 {
        theme.category(Category::Cancelled)
    } else {
        theme.dim()
    };
    put(buf, area, x, &part, err_style, w);
}

/// The roles shown in the health and endpoint columns: those any lab uses.
fn roles(app: &App) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|r| app.labs.iter().any(|l| l.info.accounts[*r].is_some()))
        .collect()
}

fn rows(buf: &mut Buffer, a: &FleetAreas, app: &App, theme: &Theme) {
    let width = a.rows.width as usize;
    let roles = roles(app);
    let name_w = app.name_width();
    let c = Columns::new(width, name_w, roles.len());
    let heads = a.columns;
    let dim = theme.dim();
    put(buf, heads, c.name, "lab", dim, c.name_w);
    put(buf, heads, c.step, "step", dim, STEP_W);
    put(buf, heads, c.health, "accounts", dim, c.health_w + 1);
    put(buf, heads, c.pipeline, "pipeline", dim, c.pipeline_w);
    put(buf, heads, c.endpoints, "endpts", dim, c.endpoints_w);
    put(buf, heads, c.cost, "cost", dim, COST_W);
    put(buf, heads, c.blocked, "blocked by", dim, c.blocked_w);
    put(buf, heads, c.changed, "changed", dim, CHANGED_W);

    let f = &app.fleet;
    if f.order.is_empty() {
        let msg = if f.filter.is_empty() {
            "No labs configured.".to_string()
        } else {
            format!("No lab matches \"{}\" (Esc clears the filter).", f.filter)
        };
        let r = Rect {
            height: 1,
            ..a.rows
        };
        put(buf, r, 1, &msg, dim, width);
        return;
    }
    let visible = a.rows.height as usize;
    let pos = f.position().unwrap_or(0);
    let start = fleet::window(f.scroll, pos, visible, f.order.len());
    let mut cell = String::with_capacity(64);
    for (k, &i) in f.order.iter().skip(start).take(visible).enumerate() {
        let Some(lab) = app.labs.get(i) else { continue };
        let r = Rect {
            y: a.rows.y + k as u16,
            height: 1,
            ..a.rows
        };
        let selected = i == f.selected;
        if f.marks.get(i).copied().unwrap_or(false) {
            put(buf, r, 0, "●", theme.key(), MARK_W);
        }
        let name = &lab.info.name;
        if text::width(name) <= c.name_w {
            put(buf, r, c.name, name, theme.title(), c.name_w);
        } else {
            let cut = text::middle(name, c.name_w);
            put(buf, r, c.name, &cut, theme.title(), c.name_w);
        }
        put(buf, r, c.step, fleet::step_label(lab), Style::new(), STEP_W);
        let mut x = c.health;
        for role in &roles {
            let h = lab.health[*role];
            cell.clear();
            let _ = write!(
                cell,
                "{}{} ",
                fleet::role_letter(*role),
                h.category().symbol()
            );
            x = put(buf, r, x, &cell, theme.category(h.category()), 3);
        }
        if let Some(p) = fleet::pipeline_position(lab) {
            let (mark, style) = if p.waiting {
                (status::APPROVAL_MARK, theme.approval())
            } else {
                (p.category.symbol(), theme.category(p.category))
            };
            let x = put(buf, r, c.pipeline, mark, style, 2) + 1;
            let room = c.pipeline_w.saturating_sub(2);
            cell.clear();
            p.write(&mut cell, true);
            if text::width(&cell) > room {
                // Narrow: the action says more than its stage.
                cell.clear();
                p.write(&mut cell, false);
            }
            fit_end(&mut cell, room);
            put(buf, r, x, &cell, style, room);
        }
        cell.clear();
        for role in roles.iter().filter(|r| **r != Role::DataScience) {
            let n = fleet::endpoints_in_service(lab.snaps[*role].as_ref());
            let _ = write!(cell, "{}{n} ", fleet::role_letter(*role));
        }
        put(buf, r, c.endpoints, &cell, Style::new(), c.endpoints_w);
        cell.clear();
        fleet::write_cost(app, lab, &mut cell);
        let cost_style = if lab.cost.idle(app.now) {
            theme.error()
        } else if lab.cost.billing() {
            theme.category(Category::InProgress)
        } else {
            dim
        };
        put(buf, r, c.cost, &cell, cost_style, COST_W);
        if let Some(b) = &lab.progress.blocked {
            cell.clear();
            let _ = write!(cell, "{b}");
            fit_end(&mut cell, c.blocked_w);
            put(buf, r, c.blocked, &cell, theme.error(), c.blocked_w);
        } else if let Some(g) = lab.progress.gaps.first() {
            // No blocker, but an earlier step has no evidence: say which, and why.
            cell.clear();
            let _ = write!(cell, "? {g}");
            fit_end(&mut cell, c.blocked_w);
            put(
                buf,
                r,
                c.blocked,
                &cell,
                theme.category(Category::Pending),
                c.blocked_w,
            );
        }
        cell.clear();
        fleet::write_changed(app, lab, &mut cell);
        let cx = c.changed + CHANGED_W.saturating_sub(text::width(&cell) + 1);
        put(buf, r, cx, &cell, dim, CHANGED_W);
        if selected {
            buf.set_style(r, theme.selected());
        }
    }
}

/// Cut `s` in place to `max` cells, ending in `…` when cut (no allocation).
fn fit_end(s: &mut String, max: usize) {
    if text::width(s) <= max {
        return;
    }
    let keep = max.saturating_sub(1);
    let at = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
    s.truncate(at);
    if max > 0 {
        s.push('…');
    }
}
