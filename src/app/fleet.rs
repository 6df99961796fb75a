//! The fleet view's state (sort, filter, marks, selection, the row order) and its rows: one
//! line per lab, built only for the rows on screen, and the class summary.

use std::cmp::Reverse;
use std::fmt::Write as _;

use crate::lab::cost;
use crate::lab::progress::Step;
use crate::lab::time::age;
use crate::lab::{AccountSnapshot, ActionKind, Category, Role, Timestamp, status};

use super::state::{App, LabState};

/// How the fleet's rows are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// Least advanced first (those who need help), then by name.
    Step,
    /// Blocked labs first, then least advanced, then by name.
    Blocked,
    #[default]
    Name,
    /// Most recently changed first; never-changed last.
    Change,
    /// Most dollars per hour first (estimated), then by name.
    Cost,
}

impl SortKey {
    pub const ALL: [SortKey; 5] = [
        SortKey::Step,
        SortKey::Blocked,
        SortKey::Name,
        SortKey::Change,
        SortKey::Cost,
    ];

    pub fn word(self) -> &'static str {
        match self {
            SortKey::Step => "step",
            SortKey::Blocked => "blocked",
            SortKey::Name => "name",
            SortKey::Change => "change",
            SortKey::Cost => "cost",
        }
    }

    pub fn parse(s: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.word() == s)
    }

    pub fn next(self) -> SortKey {
        let i = SortKey::ALL.iter().position(|k| *k == self).unwrap_or(0);
        SortKey::ALL[(i + 1) % SortKey::ALL.len()]
    }
}

/// What the fleet's bottom line is being used for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LineEdit {
    #[default]
    None,
    /// `/` typed: keys go into `Fleet::filter`.
    Filter,
    /// `:` typed: keys go into the command text.
    Command(String),
}

/// The fleet view.
#[derive(Clone, Debug, Default)]
pub struct Fleet {
    /// The fleet is on screen (otherwise the lab view is).
    pub active: bool,
    pub sort: SortKey,
    /// Rows shown contain this text (case-insensitive); empty shows all.
    pub filter: String,
    pub line: LineEdit,
    /// Marked for a bulk action, by lab index.
    pub marks: Vec<bool>,
    /// The selected lab (a lab index, so the selection stays on its lab when rows move).
    pub selected: usize,
    /// First row on screen.
    pub scroll: usize,
    /// Lab indices in display order, filtered; kept up to date by the reducer.
    pub order: Vec<usize>,
    /// A poll changed what the order depends on; the next tick or key reorders, unless the
    /// order is held (see [`held`]).
    pub stale: bool,
    /// When the last key or click reached the fleet (the app's clock).
    pub last_key: Option<Timestamp>,
}

impl Fleet {
    pub fn new(labs: usize) -> Self {
        Fleet {
            active: labs > 1,
            marks: vec![false; labs],
            order: (0..labs).collect(),
            ..Default::default()
        }
    }

    /// The selected lab's position in the order, if it is shown.
    pub fn position(&self) -> Option<usize> {
        self.order.iter().position(|i| *i == self.selected)
    }

    pub fn marked(&self) -> Vec<usize> {
        (0..self.marks.len()).filter(|i| self.marks[*i]).collect()
    }

    /// The labs a bulk action works on: the marked ones, else the selected one if shown.
    pub fn targets(&self) -> Vec<usize> {
        let marked = self.marked();
        if !marked.is_empty() {
            return marked;
        }
        self.position()
            .map(|_| vec![self.selected])
            .unwrap_or_default()
    }
}

/// How long after a key or click in the fleet its rows keep their order, in seconds of the
/// wall clock.
pub const HOLD_SECS: f64 = 5.0;

/// The rows keep their order while labs are marked (so `Space` marks the row under the cursor,
/// not one a poll moved there) and for [`HOLD_SECS`] after a key; a sort, filter or `Esc` still
/// reorders at once.
pub fn held(app: &App) -> bool {
    if app.fleet.marks.iter().any(|m| *m) {
        return true;
    }
    app.fleet.last_key.is_some_and(|t| {
        let secs = app.now.millis().saturating_sub(t.millis()) as f64 / 1000.0;
        let real = match app.simulated {
            Some(speed) if speed > 0.0 => secs / speed,
            _ => secs,
        };
        real < HOLD_SECS
    })
}

/// Reorder after polls changed the rows, unless the order is held.
pub fn reorder_if_due(app: &mut App) {
    if app.fleet.stale && !held(app) {
        reorder(app);
    }
}

/// The first row on screen for `visible` rows, starting from `scroll`, so that row `pos` of
/// `len` shows (drawing and mouse hit-testing share it).
pub fn window(scroll: usize, pos: usize, visible: usize, len: usize) -> usize {
    let visible = visible.max(1);
    let mut start = scroll.min(len.saturating_sub(visible));
    if pos < start {
        start = pos;
    } else if pos >= start + visible {
        start = pos + 1 - visible;
    }
    start
}

/// Recompute the row order after a sort, filter or poll; the selection stays on its lab when it
/// is still shown, else goes to the first row.
pub fn reorder(app: &mut App) {
    let mut order: Vec<usize> = (0..app.labs.len()).collect();
    let needle = app.fleet.filter.to_lowercase();
    if !needle.is_empty() {
        let mut buf = String::new();
        order.retain(|&i| {
            buf.clear();
            row_text(app, &app.labs[i], &mut buf);
            buf.to_lowercase().contains(&needle)
        });
    }
    let labs = &app.labs;
    let step = |i: usize| labs[i].progress.reached.map_or(0, |s| s.ordinal() + 1);
    let name = |i: usize| labs[i].info.name.as_str();
    match app.fleet.sort {
        SortKey::Name => order.sort_by(|a, b| name(*a).cmp(name(*b))),
        SortKey::Step => order.sort_by(|a, b| (step(*a), name(*a)).cmp(&(step(*b), name(*b)))),
        SortKey::Blocked => order.sort_by(|a, b| {
            let ka = (labs[*a].progress.blocked.is_none(), step(*a), name(*a));
            let kb = (labs[*b].progress.blocked.is_none(), step(*b), name(*b));
            ka.cmp(&kb)
        }),
        SortKey::Change => order.sort_by(|a, b| {
            (Reverse(labs[*a].last_change), name(*a))
                .cmp(&(Reverse(labs[*b].last_change), name(*b)))
        }),
        SortKey::Cost => order.sort_by(|a, b| {
            let (ca, cb) = (&labs[*a].cost, &labs[*b].cost);
            cb.hourly
                .total_cmp(&ca.hourly)
                .then(cb.unknown.cmp(&ca.unknown))
                .then(name(*a).cmp(name(*b)))
        }),
    }
    if !order.contains(&app.fleet.selected)
        && let Some(first) = order.first()
    {
        app.fleet.selected = *first;
    }
    app.fleet.marks.resize(app.labs.len(), false);
    app.fleet.order = order;
    app.fleet.stale = false;
}

/// Health of one account at a glance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// Not polled yet.
    Unknown,
    Ok,
    InProgress,
    /// Something in the account failed.
    Failed,
    /// The account could not be read.
    Unreachable,
}

impl Health {
    pub fn of(snap: Option<&AccountSnapshot>) -> Health {
        let Some(s) = snap else {
            return Health::Unknown;
        };
        if s.error.is_some() {
            return Health::Unreachable;
        }
        let failed = |st: &str| Category::of(st) == Category::Failed;
        let any_failed = s.stacks.iter().any(|x| failed(&x.status))
            || s.provisioned_products.iter().any(|x| failed(&x.status))
            || s.endpoints.iter().any(|x| failed(&x.status))
            || s.notebooks.iter().any(|x| failed(&x.status))
            || s.pipelines.iter().flat_map(|p| &p.stages).any(|st| {
                st.actions
                    .iter()
                    .any(|a| a.status.as_deref().is_some_and(failed))
            });
        if any_failed {
            Health::Failed
        } else if s.in_progress() {
            Health::InProgress
        } else {
            Health::Ok
        }
    }

    /// The status category it is drawn with (symbol and colour).
    pub fn category(self) -> Category {
        match self {
            Health::Unknown => Category::Pending,
            Health::Ok => Category::Complete,
            Health::InProgress => Category::InProgress,
            Health::Failed => Category::Failed,
            Health::Unreachable => Category::Cancelled,
        }
    }
}

/// Where a lab's pipeline stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PipelinePos<'a> {
    pub category: Category,
    pub stage: &'a str,
    /// The action running, failed or waiting; `None` when the stage is done.
    pub action: Option<&'a str>,
    /// A manual approval waits.
    pub waiting: bool,
}

impl PipelinePos<'_> {
    /// `DeployModel-Tools/GetDeployStatus`, `…/ApproveForStage waiting for approval`,
    /// `DeployModel-Stage done`.
    pub fn write(&self, out: &mut String, with_stage: bool) {
        match self.action {
            Some(a) => {
                if with_stage {
                    let _ = write!(out, "{}/", self.stage);
                }
                out.push_str(a);
                if self.waiting {
                    out.push(' ');
                    out.push_str(status::APPROVAL_WORD);
                }
            }
            None => {
                let _ = write!(out, "{} done", self.stage);
            }
        }
    }
}

/// The lab's pipeline position: the first action waiting, failed or running, else the last
/// stage done.
pub fn pipeline_position(lab: &LabState) -> Option<PipelinePos<'_>> {
    let p = lab.snaps[Role::Tools].as_ref()?.pipelines.first()?;
    let mut last_done = None;
    for st in &p.stages {
        for a in &st.actions {
            let pos = |category, waiting| PipelinePos {
                category,
                stage: &st.name,
                action: Some(&a.name),
                waiting,
            };
            if a.kind == ActionKind::Approval
                && status::awaiting_approval(a.status.as_deref(), a.approval_token.as_deref())
            {
                return Some(pos(Category::InProgress, true));
            }
            match Category::of(a.status.as_deref().unwrap_or("")) {
                c @ (Category::Failed | Category::InProgress) => return Some(pos(c, false)),
                Category::Complete => last_done = Some(st.name.as_str()),
                _ => {}
            }
        }
    }
    last_done.map(|stage| PipelinePos {
        category: Category::Complete,
        stage,
        action: None,
        waiting: false,
    })
}

/// SageMaker endpoints InService in one account.
pub fn endpoints_in_service(snap: Option<&AccountSnapshot>) -> usize {
    snap.map_or(0, |s| {
        s.endpoints
            .iter()
            .filter(|e| e.status == "InService")
            .count()
    })
}

/// The short role letter used in the row (T, D, S, P).
pub fn role_letter(role: Role) -> char {
    role.label().chars().next().unwrap_or('?')
}

/// The guide step reached, as its number, or `-`.
pub fn step_label(lab: &LabState) -> &'static str {
    lab.progress.reached.map_or("-", Step::number)
}

/// Time since the lab last changed, compact, into `out`; `-` when nothing changed yet.
pub fn write_changed(app: &App, lab: &LabState, out: &mut String) {
    match lab.last_change {
        Some(t) => out.push_str(&age(app.now.secs_since(t))),
        None => out.push('-'),
    }
}

/// The lab's cost cell, into `out`: `$0.112/h`, `$0.05+?/h` with unknown prices, `-` when
/// nothing bills; a leading `!` when endpoints were left running after the pipeline finished.
pub fn write_cost(app: &App, lab: &LabState, out: &mut String) {
    let c = &lab.cost;
    if !c.billing() {
        out.push('-');
        return;
    }
    if c.idle(app.now) {
        out.push('!');
    }
    if c.unknown > 0 && c.hourly == 0.0 {
        out.push_str("$?/h");
    } else {
        let rate = cost::usd_per_hour(c.hourly);
        match (c.unknown, rate.strip_suffix("/h")) {
            (0, _) | (_, None) => out.push_str(&rate),
            (_, Some(amount)) => {
                let _ = write!(out, "{amount}+?/h");
            }
        }
    }
}

/// Everything a row says, as plain text, for the filter.
fn row_text(app: &App, lab: &LabState, out: &mut String) {
    let _ = write!(out, "{} {} ", lab.info.name, step_label(lab));
    if let Some(p) = pipeline_position(lab) {
        p.write(out, true);
        out.push(' ');
    }
    if let Some(b) = &lab.progress.blocked {
        let _ = write!(out, "blocked {b} ");
    }
    for g in &lab.progress.gaps {
        let _ = write!(out, "gap {g} ");
    }
    for role in lab.info.roles() {
        let h = lab.health[role];
        let _ = write!(out, "{role} {} ", h.category().word());
        if h == Health::Unreachable {
            out.push_str("unreachable ");
        }
    }
    write_cost(app, lab, out);
    if lab.cost.idle(app.now) {
        out.push_str(" idle");
    }
    out.push(' ');
    write_changed(app, lab, out);
}

/// The class at a glance.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Labs per step reached: index 0 is "not started", then `Step::ALL` in order.
    pub per_step: [usize; Step::ALL.len() + 1],
    pub blocked: usize,
    /// Labs running something that bills by the hour.
    pub billable: usize,
    /// Estimated USD per hour of the whole class (known prices only).
    pub hourly: f64,
    /// Labs running something whose price is unknown.
    pub unknown: usize,
    /// Labs whose endpoints were left running after the pipeline finished.
    pub idle: usize,
    /// Accounts whose latest poll failed as a whole.
    pub accounts_in_error: usize,
}

pub fn summary(app: &App) -> Summary {
    let mut s = Summary::default();
    for lab in &app.labs {
        let i = lab.progress.reached.map_or(0, |st| st.ordinal() + 1);
        s.per_step[i] += 1;
        s.blocked += usize::from(lab.progress.blocked.is_some());
        s.billable += usize::from(lab.cost.billing());
        s.hourly += lab.cost.hourly;
        s.unknown += usize::from(lab.cost.unknown > 0);
        s.idle += usize::from(lab.cost.idle(app.now));
        s.accounts_in_error += lab
            .snaps
            .iter()
            .filter(|(_, x)| x.as_ref().is_some_and(|x| x.error.is_some()))
            .count();
    }
    s
}
