//! The simulated accounts announcing their changes: each AWS-visible change is recorded as the
//! EventBridge event its account's default bus would forward (CloudFormation stack and resource
//! status, CodePipeline pipeline, stage and action state, SageMaker endpoint and notebook
//! state), in a bounded outbox kept only while something listens.

use std::collections::VecDeque;

use serde_json::{Value, json};

use crate::events::envelope::envelope_json;
use crate::lab::{Role, Timestamp};

use super::world::Participant;

/// The region every simulated account lives in.
pub const REGION: &str = "us-east-1";

/// One announced change: when it happened, in which lab and account, and the message body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    pub at: Timestamp,
    pub lab: usize,
    pub role: Role,
    pub body: String,
}

/// What one participant announced and nobody took yet; the oldest go when it is full.
#[derive(Debug)]
pub(super) struct Outbox {
    lab: usize,
    seq: u64,
    capacity: usize,
    items: VecDeque<Announcement>,
    /// Announcements dropped because the outbox was full, not yet counted by the queue.
    pub dropped: u64,
}

impl Outbox {
    pub(super) fn new(lab: usize, capacity: usize) -> Self {
        Outbox {
            lab,
            seq: 0,
            capacity: capacity.max(1),
            items: VecDeque::new(),
            dropped: 0,
        }
    }

    /// A unique event id in the shape EventBridge gives (a UUID), from the lab and a counter.
    fn next_id(&mut self) -> String {
        self.seq += 1;
        format!("{:08x}-0000-4000-8000-{:012x}", self.lab, self.seq)
    }

    fn push(&mut self, a: Announcement) {
        if self.items.len() >= self.capacity {
            self.items.pop_front();
            self.dropped += 1;
        }
        self.items.push_back(a);
    }

    /// Everything announced since the last call, oldest first.
    pub(super) fn drain(&mut self) -> impl Iterator<Item = Announcement> + '_ {
        self.items.drain(..)
    }

    pub(super) fn len(&self) -> usize {
        self.items.len()
    }
}

/// `InService` → `IN_SERVICE`, as SageMaker's endpoint events spell a status.
pub fn upper_snake(status: &str) -> String {
    let mut out = String::with_capacity(status.len() + 4);
    for (i, ch) in status.chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

impl Participant {
    /// Whether anything listens: without an outbox nothing is recorded.
    pub(super) fn announcing(&self) -> bool {
        self.outbox.is_some()
    }

    /// Record one event of `role`'s account at the current sim time.
    fn announce(&mut self, role: Role, source: &str, detail_type: &str, detail: Value) {
        let at = self.now;
        let account = self.accounts[role].id.clone();
        let Some(outbox) = self.outbox.as_mut() else {
            return;
        };
        let id = outbox.next_id();
        let body = envelope_json(
            &id,
            source,
            detail_type,
            &account,
            REGION,
            &at.to_string(),
            detail,
        );
        let lab = outbox.lab;
        outbox.push(Announcement {
            at,
            lab,
            role,
            body,
        });
    }

    fn stack_arn(&self, role: Role, stack: &str) -> String {
        format!(
            "arn:aws:cloudformation:{REGION}:{}:stack/{stack}/sim",
            self.accounts[role].id
        )
    }

    /// "CloudFormation Stack Status Change".
    pub(super) fn announce_stack(&mut self, role: Role, stack: &str, status: &str) {
        if !self.announcing() {
            return;
        }
        let detail = json!({
            "stack-id": self.stack_arn(role, stack),
            "status-details": {"status": status, "status-reason": ""},
        });
        self.announce(
            role,
            "aws.cloudformation",
            "CloudFormation Stack Status Change",
            detail,
        );
    }

    /// "CloudFormation Resource Status Change".
    pub(super) fn announce_resource(
        &mut self,
        role: Role,
        stack: &str,
        logical: &str,
        rtype: &str,
        status: &str,
    ) {
        if !self.announcing() {
            return;
        }
        let detail = json!({
            "stack-id": self.stack_arn(role, stack),
            "logical-resource-id": logical,
            "resource-type": rtype,
            "status-details": {"status": status, "status-reason": ""},
        });
        self.announce(
            role,
            "aws.cloudformation",
            "CloudFormation Resource Status Change",
            detail,
        );
    }

    /// The pipeline's name and the execution under way, for its events.
    fn pipeline_ids(&self) -> (String, String) {
        let name = self.accounts[Role::Tools]
            .pipelines
            .first()
            .map(|p| p.name.clone())
            .unwrap_or_default();
        let run = self.run.as_ref().map(|r| r.id.clone()).unwrap_or_default();
        (name, run)
    }

    /// A CodePipeline execution state change in Tools: of the pipeline, or of one of its
    /// stages, or of an action in a stage.
    fn announce_codepipeline(&mut self, stage: Option<&str>, action: Option<&str>, state: &str) {
        if !self.announcing() {
            return;
        }
        let (pipeline, execution) = self.pipeline_ids();
        let mut detail = json!({"pipeline": pipeline, "execution-id": execution, "state": state});
        let of = match (stage, action) {
            (Some(s), Some(a)) => {
                detail["stage"] = json!(s);
                detail["action"] = json!(a);
                "Action"
            }
            (Some(s), None) => {
                detail["stage"] = json!(s);
                "Stage"
            }
            _ => "Pipeline",
        };
        let detail_type = format!("CodePipeline {of} Execution State Change");
        self.announce(Role::Tools, "aws.codepipeline", &detail_type, detail);
    }

    /// "CodePipeline Pipeline Execution State Change" (`STARTED`, `SUCCEEDED`, `FAILED`, ...).
    pub(super) fn announce_pipeline(&mut self, state: &str) {
        self.announce_codepipeline(None, None, state);
    }

    /// "CodePipeline Stage Execution State Change".
    pub(super) fn announce_stage(&mut self, stage: &str, state: &str) {
        self.announce_codepipeline(Some(stage), None, state);
    }

    /// "CodePipeline Action Execution State Change".
    pub(super) fn announce_action(&mut self, stage: &str, action: &str, state: &str) {
        self.announce_codepipeline(Some(stage), Some(action), state);
    }

    /// "SageMaker Endpoint State Change", the status as the API spells it (`InService`) turned
    /// into the event's upper snake case (`IN_SERVICE`).
    pub(super) fn announce_endpoint(&mut self, role: Role, endpoint: &str, status: &str) {
        if !self.announcing() {
            return;
        }
        let detail = json!({"EndpointName": endpoint, "EndpointStatus": upper_snake(status)});
        self.announce(
            role,
            "aws.sagemaker",
            "SageMaker Endpoint State Change",
            detail,
        );
    }

    /// "SageMaker Notebook Instance State Change" (DataScience).
    pub(super) fn announce_notebook(&mut self, notebook: &str, status: &str) {
        if !self.announcing() {
            return;
        }
        let detail = json!({"NotebookInstanceName": notebook, "NotebookInstanceStatus": status});
        self.announce(
            Role::DataScience,
            "aws.sagemaker",
            "SageMaker Notebook Instance State Change",
            detail,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_turn_upper_snake() {
        assert_eq!(upper_snake("InService"), "IN_SERVICE");
        assert_eq!(upper_snake("Creating"), "CREATING");
        assert_eq!(upper_snake("SystemUpdating"), "SYSTEM_UPDATING");
    }

    #[test]
    fn a_full_outbox_drops_its_oldest() {
        let mut o = Outbox::new(3, 2);
        for s in 0..5 {
            let a = Announcement {
                at: Timestamp::from_secs(s),
                lab: 3,
                role: Role::Stage,
                body: o.next_id(),
            };
            o.push(a);
        }
        assert_eq!(o.len(), 2);
        assert_eq!(o.dropped, 3);
        let left: Vec<String> = o.drain().map(|a| a.body).collect();
        assert_eq!(
            left,
            [
                "00000003-0000-4000-8000-000000000004",
                "00000003-0000-4000-8000-000000000005"
            ]
        );
    }
}
