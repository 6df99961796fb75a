//! The `"events"` of `status --json --events`: what one poll shows happened, newest first.

use serde::Serialize;

use crate::lab::diff::{self, Transition};
use crate::lab::progress::LabSnapshots;
use crate::lab::{LabInfo, Role};

#[derive(Debug, Serialize, PartialEq)]
pub struct EventReport {
    /// RFC 3339, UTC.
    pub at: String,
    /// `tools`, `datascience`, `stage`, `production`.
    pub account: &'static str,
    /// What changed: `stack`, `resource`, `stage`, `action`, `endpoint`, `notebook`, `product`,
    /// `share`, `bucket`, `object` or `account`.
    pub kind: String,
    pub subject: String,
    pub status: String,
    /// `complete`, `in progress`, `failed`, … (the dashboard's colour).
    pub category: &'static str,
    pub detail: Option<String>,
}

impl EventReport {
    pub fn new(role: Role, t: &Transition) -> Self {
        let (kind, _) = t.subject.split_once(' ').unwrap_or((&t.subject, ""));
        EventReport {
            at: t.at.to_string(),
            account: role.key(),
            kind: kind.to_string(),
            subject: t.subject.clone(),
            status: t.status.clone(),
            category: t.category.word(),
            detail: t.detail.clone(),
        }
    }
}

/// The newest `limit` events one poll of a lab shows: the history that carries its own time
/// (stack and resource events, pipeline actions, endpoint and notebook status) and whatever is
/// failing or moving now.
pub fn events(info: &LabInfo, snaps: &LabSnapshots, limit: usize) -> Vec<EventReport> {
    let mut all: Vec<(Role, Transition)> = info
        .roles()
        .filter_map(|r| snaps[r].as_ref().map(|s| (r, s)))
        .flat_map(|(r, s)| diff::transitions(None, s).into_iter().map(move |t| (r, t)))
        .collect();
    // Newest first; the same instant keeps account order.
    all.sort_by(|a, b| b.1.at.cmp(&a.1.at).then(a.0.index().cmp(&b.0.index())));
    all.iter()
        .take(limit)
        .map(|(r, t)| EventReport::new(*r, t))
        .collect()
}
