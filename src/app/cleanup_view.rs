//! The cleanup overlay's state: the plan shown, the account ids typed to run it, and the
//! progress of a run.

use crate::cleanup::{Event, Outcome};
use crate::lab::LabInfo;
use crate::lab::cleanup::Plan;

/// Progress lines kept (a long bucket emptying reports a line per batch).
pub const MAX_LINES: usize = 300;

/// Where the cleanup of one lab stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunState {
    /// The plan is shown; nothing runs until the lab's account ids are typed.
    Review,
    Running,
    Finished {
        ok: bool,
        summary: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleanupView {
    pub lab: usize,
    pub plan: Plan,
    pub typed: String,
    pub state: RunState,
    pub lines: Vec<String>,
    pub scroll: usize,
}

impl CleanupView {
    pub fn new(lab: usize, plan: Plan) -> Self {
        CleanupView {
            lab,
            plan,
            typed: String::new(),
            state: RunState::Review,
            lines: Vec::new(),
            scroll: 0,
        }
    }

    /// The account ids that must be typed: the lab's, in role order.
    pub fn expected(info: &LabInfo) -> Vec<String> {
        info.roles()
            .filter_map(|r| info.accounts[r].clone())
            .collect()
    }

    /// Whether the typed ids are exactly the lab's (any order, commas or spaces between).
    pub fn confirmed(&self, info: &LabInfo) -> bool {
        let mut typed: Vec<&str> = self
            .typed
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let mut want = Self::expected(info);
        typed.sort_unstable();
        typed.dedup();
        want.sort_unstable();
        typed.len() == want.len() && typed.iter().zip(&want).all(|(a, b)| a == b)
    }

    pub fn push(&mut self, event: &Event) {
        if self.lines.len() == MAX_LINES {
            self.lines.remove(0);
        }
        self.lines.push(event.to_string());
    }

    pub fn finish(&mut self, outcome: &Outcome) {
        let problems = outcome.problems();
        let withheld = self.plan.withheld.len();
        let summary = if outcome.succeeded() && withheld > 0 {
            format!(
                "done: {} steps; incomplete: {withheld} withheld (see the plan above)",
                outcome.results.len()
            )
        } else if outcome.succeeded() {
            format!("done: {} steps", outcome.results.len())
        } else if outcome.interrupted {
            "interrupted: run it again to finish the rest".to_string()
        } else {
            let steps: Vec<String> = problems.iter().map(|(i, _)| (i + 1).to_string()).collect();
            format!(
                "{} step(s) did not succeed: {}",
                problems.len(),
                steps.join(", ")
            )
        };
        self.state = RunState::Finished {
            ok: outcome.succeeded() && withheld == 0,
            summary,
        };
    }
}
