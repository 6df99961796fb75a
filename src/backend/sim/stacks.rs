//! CloudFormation as the participant sees it: stacks creating, failing, rolling back and deleting.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use crate::backend::ActionError;
use crate::lab::{Role, Stack, StackEvent, Timestamp};

use super::faults;
use super::templates::{S3_BUCKET, STACK_TYPE, StackKind};
use super::world::{Event, Participant};

/// How many events a stack keeps (newest first).
const MAX_EVENTS: usize = 50;

/// A bucket a stack creates, by its logical id.
#[derive(Clone, Debug)]
pub(super) struct OwnedBucket {
    pub logical: &'static str,
    pub name: String,
    pub versioned: bool,
    /// `DeletionPolicy: Retain`: the bucket outlives its stack.
    pub retain: bool,
}

/// A stack plus what the simulator needs to know about it.
#[derive(Debug)]
pub(super) struct SimStack {
    pub kind: StackKind,
    pub stack: Stack,
    /// Latest status of each template resource (`None` before it started).
    pub res: Vec<Option<ResStatus>>,
    pub buckets: Vec<OwnedBucket>,
}

impl SimStack {
    fn failed_ids(&self, status: ResStatus) -> Vec<&'static str> {
        self.kind
            .resources()
            .iter()
            .zip(&self.res)
            .filter(|(_, s)| **s == Some(status))
            .map(|(r, _)| r.logical)
            .collect()
    }
}

/// A resource status, as CloudFormation spells it in events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ResStatus {
    CreateInProgress,
    CreateComplete,
    CreateFailed,
    /// CREATE_FAILED because another resource failed first.
    CreateCancelled,
    DeleteInProgress,
    DeleteComplete,
    DeleteFailed,
    DeleteSkipped,
}

impl ResStatus {
    fn as_str(self) -> &'static str {
        match self {
            ResStatus::CreateInProgress => "CREATE_IN_PROGRESS",
            ResStatus::CreateComplete => "CREATE_COMPLETE",
            ResStatus::CreateFailed | ResStatus::CreateCancelled => "CREATE_FAILED",
            ResStatus::DeleteInProgress => "DELETE_IN_PROGRESS",
            ResStatus::DeleteComplete => "DELETE_COMPLETE",
            ResStatus::DeleteFailed => "DELETE_FAILED",
            ResStatus::DeleteSkipped => "DELETE_SKIPPED",
        }
    }

    /// The resource exists in the account.
    fn live(self) -> bool {
        matches!(self, ResStatus::CreateComplete | ResStatus::DeleteFailed)
    }
}

/// A stack-level status change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum StackPhase {
    CreateComplete,
    RollbackInProgress,
    RollbackComplete,
    DeleteFailed,
    /// DELETE_COMPLETE: the stack leaves DescribeStacks.
    Deleted,
}

fn push_event(stack: &mut Stack, event: StackEvent) {
    stack.events.insert(0, event);
    stack.events.truncate(MAX_EVENTS);
}

/// Record a stack-level status change (the stack itself as the event's resource).
fn set_status(stack: &mut Stack, at: Timestamp, status: &str, reason: Option<String>) {
    stack.status = status.to_string();
    stack.updated = at;
    let event = StackEvent {
        at,
        logical_id: stack.name.clone(),
        resource_type: STACK_TYPE.to_string(),
        status: status.to_string(),
        reason: reason.clone(),
    };
    stack.reason = reason;
    push_event(stack, event);
}

impl Participant {
    fn at_offset(&mut self, t0: Timestamp, secs: i64, kind: StackKind, idx: usize, s: ResStatus) {
        let event = Event::Resource {
            kind,
            idx: idx as u8,
            status: s,
        };
        self.schedule(t0.plus_secs(secs), event);
    }

    /// Begin creating a stack now; resources in `failing` fail (the first to fail wins).
    pub(super) fn create_stack(
        &mut self,
        kind: StackKind,
        name: Option<String>,
        parameters: BTreeMap<String, String>,
        buckets: Vec<OwnedBucket>,
        failing: &[usize],
    ) {
        let t0 = self.now;
        let res = kind.resources();
        let n = res.len();
        let (mut start, mut end) = (vec![0i64; n], vec![0i64; n]);
        for (i, r) in res.iter().enumerate() {
            let s = match r.after {
                Some(j) if j < i => end[j] + self.rng.range(1, 3),
                _ => self.rng.range(1, 4),
            };
            start[i] = s;
            end[i] = s + self.rng.range(r.secs.0, r.secs.1);
        }
        let name = name.unwrap_or_else(|| kind.name(&self.names).to_string());
        let mut stack = Stack {
            name,
            parameters,
            created: t0,
            ..Stack::default()
        };
        set_status(
            &mut stack,
            t0,
            "CREATE_IN_PROGRESS",
            Some("User Initiated".into()),
        );
        let announced = stack.name.clone();
        self.accounts[kind.role()].stacks.push(SimStack {
            kind,
            stack,
            res: vec![None; n],
            buckets,
        });
        self.announce_stack(kind.role(), &announced, "CREATE_IN_PROGRESS");

        let fail = failing
            .iter()
            .copied()
            .filter(|&i| i < n)
            .min_by_key(|&i| end[i]);
        let Some(f) = fail else {
            for i in 0..n {
                self.at_offset(t0, start[i], kind, i, ResStatus::CreateInProgress);
                self.at_offset(t0, end[i], kind, i, ResStatus::CreateComplete);
            }
            let done = end.iter().copied().max().unwrap_or(0) + self.rng.range(1, 3);
            let phase = StackPhase::CreateComplete;
            self.schedule(t0.plus_secs(done), Event::Stack { kind, phase });
            return;
        };

        // The first failure cancels what is still creating; what never started never will.
        let tf = end[f];
        let mut started: Vec<usize> = (0..n).filter(|&i| start[i] <= tf).collect();
        for &i in &started {
            self.at_offset(t0, start[i], kind, i, ResStatus::CreateInProgress);
            let (at, status) = if i == f {
                (tf, ResStatus::CreateFailed)
            } else if end[i] < tf {
                (end[i], ResStatus::CreateComplete)
            } else {
                (tf + 1, ResStatus::CreateCancelled)
            };
            self.at_offset(t0, at, kind, i, status);
        }
        let mut t = tf + 2;
        let phase = StackPhase::RollbackInProgress;
        self.schedule(t0.plus_secs(t), Event::Stack { kind, phase });
        started.sort_by_key(|&i| Reverse(start[i]));
        for i in started {
            t += self.rng.range(1, 3);
            self.at_offset(t0, t, kind, i, ResStatus::DeleteInProgress);
            t += self.rng.range(3, 12);
            self.at_offset(t0, t, kind, i, ResStatus::DeleteComplete);
        }
        t += self.rng.range(1, 3);
        let phase = StackPhase::RollbackComplete;
        self.schedule(t0.plus_secs(t), Event::Stack { kind, phase });
    }

    /// DeleteStack: resources go in reverse order; a non-empty bucket makes the delete fail.
    pub(super) fn delete_stack(&mut self, role: Role, name: &str) -> Result<String, ActionError> {
        let t0 = self.now;
        let acct = &self.accounts[role];
        let Some(st) = acct.stacks.iter().find(|s| s.stack.name == name) else {
            return Err(ActionError::NotFound(format!(
                "stack {name} in account {}",
                acct.id
            )));
        };
        if st.stack.status.ends_with("_IN_PROGRESS") {
            return Err(ActionError::Refused(format!(
                "stack {name} is {}; wait until it settles",
                st.stack.status
            )));
        }
        let kind = st.kind;
        let res = kind.resources();
        let plan: Vec<(usize, ResStatus)> = (0..res.len())
            .rev()
            .filter(|&i| {
                st.res
                    .get(i)
                    .copied()
                    .flatten()
                    .is_some_and(ResStatus::live)
            })
            .map(|i| {
                let owned = st.buckets.iter().find(|b| b.logical == res[i].logical);
                let end = match owned {
                    Some(b) if res[i].rtype == S3_BUCKET && b.retain => ResStatus::DeleteSkipped,
                    Some(b)
                        if res[i].rtype == S3_BUCKET
                            && acct.bucket(&b.name).is_some_and(|x| !x.objects.is_empty()) =>
                    {
                        ResStatus::DeleteFailed
                    }
                    _ => ResStatus::DeleteComplete,
                };
                (i, end)
            })
            .collect();

        let total = if plan.is_empty() {
            self.rng.range(5, 15)
        } else {
            self.rng.range(30, 90)
        };
        let slot = (total / plan.len().max(1) as i64).max(2);
        if let Some(st) = self.stack_mut(kind) {
            set_status(
                &mut st.stack,
                t0,
                "DELETE_IN_PROGRESS",
                Some("User Initiated".into()),
            );
        }
        self.announce_stack(role, name, "DELETE_IN_PROGRESS");
        for (k, &(i, end)) in plan.iter().enumerate() {
            let s = 1 + k as i64 * slot;
            if end != ResStatus::DeleteSkipped {
                self.at_offset(t0, s, kind, i, ResStatus::DeleteInProgress);
            }
            self.at_offset(t0, s + slot - 1, kind, i, end);
        }
        let phase = if plan.iter().any(|(_, s)| *s == ResStatus::DeleteFailed) {
            StackPhase::DeleteFailed
        } else {
            StackPhase::Deleted
        };
        let done = (plan.len() as i64 * slot).max(total) + 1;
        self.schedule(t0.plus_secs(done), Event::Stack { kind, phase });
        Ok(format!("deleting stack {name}"))
    }

    pub(super) fn on_resource(&mut self, kind: StackKind, idx: usize, status: ResStatus) {
        let Some(r) = kind.resources().get(idx) else {
            return;
        };
        let reason = match status {
            ResStatus::CreateFailed => Some(faults::missing_key_reason(&self.rng.uuid())),
            ResStatus::CreateCancelled => Some("Resource creation cancelled".to_string()),
            ResStatus::DeleteFailed => Some(faults::bucket_not_empty_reason(&self.rng.uuid())),
            _ => None,
        };
        let now = self.now;
        let announcing = self.announcing();
        let Some(st) = self.stack_mut(kind) else {
            return;
        };
        if let Some(slot) = st.res.get_mut(idx) {
            *slot = Some(status);
        }
        let event = StackEvent {
            at: now,
            logical_id: r.logical.to_string(),
            resource_type: r.rtype.to_string(),
            status: status.as_str().to_string(),
            reason,
        };
        push_event(&mut st.stack, event);
        if announcing {
            let stack = st.stack.name.clone();
            let role = kind.role();
            self.announce_resource(role, &stack, r.logical, r.rtype, status.as_str());
        }
        self.resource_effect(kind, r, status);
    }

    pub(super) fn on_stack_phase(&mut self, kind: StackKind, phase: StackPhase) {
        let now = self.now;
        let role = kind.role();
        let Some(st) = self.stack_mut(kind) else {
            return;
        };
        let name = st.stack.name.clone();
        let status = match phase {
            StackPhase::CreateComplete => "CREATE_COMPLETE",
            StackPhase::RollbackInProgress => "ROLLBACK_IN_PROGRESS",
            StackPhase::RollbackComplete => "ROLLBACK_COMPLETE",
            StackPhase::DeleteFailed => "DELETE_FAILED",
            StackPhase::Deleted => "DELETE_COMPLETE",
        };
        match phase {
            StackPhase::CreateComplete => {
                set_status(&mut st.stack, now, "CREATE_COMPLETE", None);
                self.stack_created(kind);
                self.stack_settled(kind);
            }
            StackPhase::RollbackInProgress => {
                let reason = faults::create_failed_reason(&st.failed_ids(ResStatus::CreateFailed));
                set_status(&mut st.stack, now, "ROLLBACK_IN_PROGRESS", Some(reason));
            }
            StackPhase::RollbackComplete => {
                let reason = st.stack.reason.take();
                set_status(&mut st.stack, now, "ROLLBACK_COMPLETE", None);
                st.stack.reason = reason;
                self.stack_settled(kind);
            }
            StackPhase::DeleteFailed => {
                let reason = faults::delete_failed_reason(&st.failed_ids(ResStatus::DeleteFailed));
                set_status(&mut st.stack, now, "DELETE_FAILED", Some(reason));
            }
            StackPhase::Deleted => {
                self.accounts[role].stacks.retain(|s| s.kind != kind);
                self.stack_deleted(kind);
            }
        }
        self.announce_stack(role, &name, status);
    }
}
