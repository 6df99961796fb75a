//! A bulk action over several labs from the fleet: what it will touch (one confirmation typed
//! for all), then a progress row per lab while each lab's part runs.

use crate::backend::{AccountKey, Action, ActionDone, ActionError};
use crate::cleanup::{Event, Outcome, StepResult};
use crate::lab::cleanup::{self, Plan};
use crate::lab::{ActionKind, Role, status};

use super::state::App;

/// Which bulk action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkKind {
    Cleanup,
    Approve,
}

impl BulkKind {
    pub fn title(self) -> &'static str {
        match self {
            BulkKind::Cleanup => "Clean up",
            BulkKind::Approve => "Approve waiting approvals in",
        }
    }
}

/// Where one lab's part stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemState {
    /// Nothing to do for this lab (nothing planned, nothing waiting).
    Nothing,
    Waiting,
    Running,
    Done(String),
    Failed(String),
}

/// One lab in a bulk action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkItem {
    pub lab: usize,
    pub name: String,
    /// What it will touch, a line per account or approval, for the confirmation.
    pub touches: Vec<String>,
    /// The cleanup plan (cleanup).
    pub plan: Option<Plan>,
    /// The approvals to send (approve).
    pub approvals: Vec<(AccountKey, Action)>,
    pub total: usize,
    pub done: usize,
    pub failed: usize,
    /// Answers still outstanding (approve).
    pub pending: usize,
    /// The step running now.
    pub current: Option<String>,
    /// Failures with their reasons.
    pub failures: Vec<String>,
    pub state: ItemState,
}

impl BulkItem {
    fn new(lab: usize, name: String) -> Self {
        BulkItem {
            lab,
            name,
            touches: Vec::new(),
            plan: None,
            approvals: Vec::new(),
            total: 0,
            done: 0,
            failed: 0,
            pending: 0,
            current: None,
            failures: Vec::new(),
            state: ItemState::Nothing,
        }
    }

    pub fn finished(&self) -> bool {
        matches!(
            self.state,
            ItemState::Nothing | ItemState::Done(_) | ItemState::Failed(_)
        )
    }
}

/// Where the whole bulk action stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkState {
    /// Listed; nothing is sent until the confirmation is typed.
    Review,
    Running,
    Finished,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkView {
    pub kind: BulkKind,
    pub items: Vec<BulkItem>,
    pub typed: String,
    pub state: BulkState,
    pub scroll: usize,
}

impl BulkView {
    /// The labs that will actually get something sent.
    pub fn active(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.state != ItemState::Nothing)
            .count()
    }

    /// The word to type: the number of labs that will be touched.
    pub fn expected(&self) -> String {
        self.active().to_string()
    }

    pub fn confirmed(&self) -> bool {
        self.typed.trim() == self.expected()
    }

    fn item(&mut self, lab: usize) -> Option<&mut BulkItem> {
        self.items.iter_mut().find(|i| i.lab == lab)
    }

    /// Finished once every lab's part is.
    pub fn settle(&mut self) {
        if self.state == BulkState::Running && self.items.iter().all(BulkItem::finished) {
            self.state = BulkState::Finished;
        }
    }

    /// One line on how the run ended.
    pub fn summary(&self) -> String {
        let ok = self
            .items
            .iter()
            .filter(|i| matches!(i.state, ItemState::Done(_)))
            .count();
        let failed = self
            .items
            .iter()
            .filter(|i| matches!(i.state, ItemState::Failed(_)))
            .count();
        format!(
            "{}: {ok} lab(s) done, {failed} with failures",
            self.kind.title()
        )
    }
}

/// The cleanup of `labs`: each lab's plan from its snapshots, with the accounts it touches.
pub fn cleanup(app: &App, labs: &[usize]) -> BulkView {
    let items = labs
        .iter()
        .filter_map(|&i| {
            let lab = app.labs.get(i)?;
            let plan = cleanup::plan(&lab.info, &app.names, &lab.snaps);
            let mut item = BulkItem::new(i, lab.info.name.clone());
            for role in lab.info.roles() {
                let steps: Vec<&str> = plan
                    .steps
                    .iter()
                    .filter(|s| s.role == role)
                    .map(|s| s.title.as_str())
                    .collect();
                let id = lab.info.accounts[role].as_deref().unwrap_or("");
                if let Some((_, e)) = plan.unreadable.iter().find(|(r, _)| *r == role) {
                    item.touches
                        .push(format!("{role} {id}: cannot be read ({e}); not planned"));
                } else if !steps.is_empty() {
                    item.touches.push(format!(
                        "{role} {id}: {} step(s): {}",
                        steps.len(),
                        steps.join("; ")
                    ));
                }
                for w in plan.withheld.iter().filter(|w| w.role == role) {
                    item.touches
                        .push(format!("{role} {id}: withheld: {}: {}", w.title, w.cause));
                }
            }
            item.total = plan.steps.len();
            if item.total > 0 {
                item.state = ItemState::Waiting;
            } else if plan.withheld.is_empty() {
                item.touches.push("nothing to clean up".into());
            }
            item.plan = Some(plan);
            Some(item)
        })
        .collect();
    BulkView {
        kind: BulkKind::Cleanup,
        items,
        typed: String::new(),
        state: BulkState::Review,
        scroll: 0,
    }
}

/// The waiting manual approvals of `labs`, each as the `ApproveAction` that answers it.
pub fn approvals(app: &App, labs: &[usize]) -> BulkView {
    let items = labs
        .iter()
        .filter_map(|&i| {
            let lab = app.labs.get(i)?;
            let mut item = BulkItem::new(i, lab.info.name.clone());
            let key = AccountKey {
                lab: i,
                role: Role::Tools,
            };
            let id = lab.info.accounts[Role::Tools].as_deref().unwrap_or("");
            let pipelines = lab.snaps[Role::Tools].as_ref().map(|s| &s.pipelines);
            for p in pipelines.into_iter().flatten() {
                for st in &p.stages {
                    for a in &st.actions {
                        let Some(token) = a.approval_token.clone() else {
                            continue;
                        };
                        let waits = status::awaiting_approval(a.status.as_deref(), Some(&token));
                        if a.kind != ActionKind::Approval || !waits {
                            continue;
                        }
                        item.touches.push(format!(
                            "Tools {id}: approve {} / {} / {}",
                            p.name, st.name, a.name
                        ));
                        item.approvals.push((
                            key,
                            Action::ApproveAction {
                                pipeline: p.name.clone(),
                                stage: st.name.clone(),
                                action: a.name.clone(),
                                token,
                                approve: true,
                                comment: "approved from the crossdeck fleet view".into(),
                            },
                        ));
                    }
                }
            }
            item.total = item.approvals.len();
            if item.total > 0 {
                item.state = ItemState::Waiting;
            } else {
                item.touches.push("no approval waiting".into());
            }
            Some(item)
        })
        .collect();
    BulkView {
        kind: BulkKind::Approve,
        items,
        typed: String::new(),
        state: BulkState::Review,
        scroll: 0,
    }
}

/// A cleanup progress event of one lab.
pub fn on_cleanup_event(view: &mut BulkView, lab: usize, event: &Event) {
    if view.kind != BulkKind::Cleanup {
        return;
    }
    let Some(item) = view.item(lab) else { return };
    match event {
        Event::StepStarted { title, .. } => item.current = Some(title.clone()),
        Event::StepDone { .. } => item.done += 1,
        Event::StepFailed { step, reason } => {
            item.failed += 1;
            item.failures
                .push(format!("step {} failed: {reason}", step + 1));
        }
        Event::StepSkipped { step, reason } => {
            item.failed += 1;
            item.failures
                .push(format!("step {} skipped: {reason}", step + 1));
        }
        Event::BatchDone { .. } | Event::Waiting { .. } => {}
    }
}

/// The end of one lab's cleanup run.
pub fn on_cleanup_done(view: &mut BulkView, lab: usize, outcome: &Outcome) {
    if view.kind != BulkKind::Cleanup {
        return;
    }
    if let Some(item) = view.item(lab) {
        // The outcome is authoritative: progress events may have been dropped under load.
        item.current = None;
        item.done = outcome
            .results
            .iter()
            .filter(|(_, r)| matches!(r, StepResult::Done(_)))
            .count();
        item.failures = outcome
            .results
            .iter()
            .filter_map(|(i, r)| match r {
                StepResult::Failed(m) => Some(format!("step {} failed: {m}", i + 1)),
                StepResult::Skipped(m) => Some(format!("step {} skipped: {m}", i + 1)),
                StepResult::Done(_) => None,
            })
            .collect();
        item.failed = item.failures.len();
        let withheld = item.plan.as_ref().map_or(0, |p| p.withheld.len());
        item.state = if outcome.succeeded() && withheld > 0 {
            ItemState::Failed(format!(
                "{} step(s) done; incomplete: {withheld} withheld",
                item.done
            ))
        } else if outcome.succeeded() {
            ItemState::Done(format!("{} step(s) done", item.done))
        } else if outcome.interrupted {
            ItemState::Failed("interrupted: run it again to finish".into())
        } else {
            ItemState::Failed(format!(
                "{} step(s) did not succeed",
                outcome.problems().len()
            ))
        };
    }
    view.settle();
}

/// An action's answer; true when it belonged to this bulk approval.
pub fn on_action_result(
    view: &mut BulkView,
    key: AccountKey,
    action: &Action,
    result: &Result<ActionDone, ActionError>,
) -> bool {
    if view.kind != BulkKind::Approve || view.state != BulkState::Running {
        return false;
    }
    let Action::ApproveAction {
        stage, action: a, ..
    } = action
    else {
        return false;
    };
    let Some(item) = view.item(key.lab) else {
        return false;
    };
    if item.pending == 0 {
        return false;
    }
    item.pending -= 1;
    match result {
        Ok(_) => item.done += 1,
        Err(e) => {
            item.failed += 1;
            item.failures.push(format!("{stage} / {a}: {e}"));
        }
    }
    if item.pending == 0 {
        item.current = None;
        item.state = if item.failed == 0 {
            ItemState::Done(format!("{} approved", item.done))
        } else {
            ItemState::Failed(format!("{} of {} failed", item.failed, item.total))
        };
    }
    view.settle();
    true
}
