//! Transitions between two snapshots of one account, for the event log.

use super::model::{AccountSnapshot, Category, Timestamp};

/// One change seen between two polls of an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub at: Timestamp,
    /// What changed, e.g. `stack MLOpsPipeline` or `action DeployModel-Tools/SmokeTest`.
    pub subject: String,
    /// The new status as the service names it, or what happened (`uploaded`, `unreachable`).
    pub status: String,
    pub category: Category,
    /// The reason or message that came with it, if any.
    pub detail: Option<String>,
}

/// On a first poll a resource's last-modified time dates its status; later, the poll does.
fn since(first: bool, modified: Timestamp) -> Option<Timestamp> {
    (first && modified.0 > 0).then_some(modified)
}

impl Transition {
    /// A step inside something else (a resource of a stack, a stage of a run) that did not
    /// fail: the timeline shows it, the compact event log leaves it out.
    pub fn minor(&self) -> bool {
        (self.subject.starts_with("resource ") || self.subject.starts_with("stage "))
            && self.category != Category::Failed
    }
}

/// Everything that changed from `old` to `new`, oldest first. With no `old` (first poll), the
/// history that carries its own time is reported, plus whatever is failing or moving.
pub fn transitions(old: Option<&AccountSnapshot>, new: &AccountSnapshot) -> Vec<Transition> {
    let mut out = Vec::new();
    let at = new.fetched_at;
    let first = old.is_none();
    let mut note = |subject: String,
                    status: &str,
                    category: Category,
                    detail: Option<String>,
                    when: Option<Timestamp>| {
        // A first poll reports what carries its own time (stack and action history) and
        // whatever is failing or moving now.
        if first && when.is_none() && !matches!(category, Category::Failed | Category::InProgress) {
            return;
        }
        out.push(Transition {
            at: when.unwrap_or(at),
            subject,
            status: status.to_string(),
            category,
            detail,
        });
    };

    match (old.and_then(|o| o.error.as_ref()), new.error.as_ref()) {
        (None, Some(e)) => note(
            "account".into(),
            "unreachable",
            Category::Failed,
            Some(e.message.clone()),
            None,
        ),
        (Some(_), None) => note(
            "account".into(),
            "reachable again",
            Category::Complete,
            None,
            None,
        ),
        _ => {}
    }

    for s in &new.stacks {
        let before = old.and_then(|o| o.stack(&s.name));
        if before.map(|b| &b.status) != Some(&s.status) {
            let detail = s.reason.clone().filter(|_| {
                Category::of(&s.status) == Category::Failed
                    || super::status::warning(&s.status).is_some()
            });
            note(
                format!("stack {}", s.name),
                &s.status,
                Category::of(&s.status),
                detail,
                Some(s.updated),
            );
        }
        // Each resource event once (failures carry the real reason); the stack's own events
        // are its status, noted above.
        let seen = before.and_then(|b| b.events.first()).map(|e| e.at);
        for e in s.events.iter().rev() {
            if seen.is_some_and(|t| e.at <= t) || e.logical_id == s.name {
                continue;
            }
            let category = if e.status.ends_with("_FAILED") {
                Category::Failed
            } else {
                Category::of(&e.status)
            };
            note(
                format!("resource {}/{}", s.name, e.logical_id),
                &e.status,
                category,
                e.reason.clone(),
                Some(e.at),
            );
        }
    }
    if let Some(o) = old {
        for s in &o.stacks {
            if new.stack(&s.name).is_none() {
                note(
                    format!("stack {}", s.name),
                    "DELETE_COMPLETE",
                    Category::Cancelled,
                    None,
                    None,
                );
            }
        }
    }

    for p in &new.provisioned_products {
        let before = old.and_then(|o| o.provisioned_products.iter().find(|x| x.id == p.id));
        if before.map(|b| &b.status) != Some(&p.status) {
            note(
                format!("product {}", p.name),
                &p.status,
                Category::of(&p.status),
                p.status_message.clone(),
                None,
            );
        }
    }
    for share in &new.portfolio_shares {
        let before = old.and_then(|o| {
            o.portfolio_shares.iter().find(|x| {
                x.portfolio_id == share.portfolio_id && x.shared_with == share.shared_with
            })
        });
        if before.map(|b| b.accepted) != Some(share.accepted) {
            let status = if share.accepted { "accepted" } else { "shared" };
            note(
                format!("share {} → {}", share.portfolio_name, share.shared_with),
                status,
                Category::Complete,
                None,
                None,
            );
        }
    }

    for p in &new.pipelines {
        let before = old.and_then(|o| o.pipelines.iter().find(|x| x.name == p.name));
        for stage in &p.stages {
            let bstage = before.and_then(|b| b.stage(&stage.name));
            if let Some(status) = &stage.status
                && (bstage.and_then(|b| b.status.as_ref()) != Some(status)
                    || bstage.is_some_and(|b| b.execution_id != stage.execution_id))
            {
                let when = stage.actions.iter().filter_map(|a| a.last_change).max();
                note(
                    format!("stage {}", stage.name),
                    status,
                    Category::of(status),
                    None,
                    when,
                );
            }
            for a in &stage.actions {
                let Some(status) = &a.status else { continue };
                let was = bstage
                    .and_then(|b| b.action(&a.name))
                    .and_then(|b| b.status.as_ref());
                let same_run = bstage
                    .and_then(|b| b.action(&a.name))
                    .is_some_and(|b| b.execution_id == a.execution_id);
                if was != Some(status) || !same_run {
                    let detail = a
                        .error
                        .clone()
                        .filter(|_| Category::of(status) == Category::Failed);
                    note(
                        format!("action {}/{}", stage.name, a.name),
                        status,
                        Category::of(status),
                        detail,
                        a.last_change,
                    );
                }
            }
        }
    }

    for e in &new.endpoints {
        let was = old.and_then(|o| o.endpoints.iter().find(|x| x.name == e.name));
        if was.map(|w| &w.status) != Some(&e.status) {
            note(
                format!("endpoint {}", e.name),
                &e.status,
                Category::of(&e.status),
                e.failure_reason.clone(),
                since(first, e.modified),
            );
        }
    }
    for nb in &new.notebooks {
        let was = old.and_then(|o| o.notebooks.iter().find(|x| x.name == nb.name));
        if was.map(|w| &w.status) != Some(&nb.status) {
            note(
                format!("notebook {}", nb.name),
                &nb.status,
                Category::of(&nb.status),
                None,
                since(first, nb.modified),
            );
        }
    }
    for b in &new.buckets {
        let was = old.and_then(|o| o.buckets.iter().find(|x| x.name == b.name));
        if old.is_some() && was.is_none() {
            note(
                format!("bucket {}", b.name),
                "created",
                Category::Complete,
                None,
                None,
            );
        }
        for key in &b.objects {
            if was.is_some_and(|w| !w.has(key)) {
                note(
                    format!("object {key}"),
                    "uploaded",
                    Category::Complete,
                    Some(format!("to {}", b.name)),
                    None,
                );
            }
        }
    }
    out.sort_by_key(|t| t.at);
    out
}
