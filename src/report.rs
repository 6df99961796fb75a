//! The `status --json` report: one poll of every account in a stable, documented schema.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::lab::progress::{self, LabSnapshots, Progress};
use crate::lab::{AccountSnapshot, LabInfo, LabNames};

#[derive(Debug, Serialize, PartialEq)]
pub struct Report {
    pub labs: Vec<LabReport>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct LabReport {
    pub name: String,
    pub unique_id: String,
    pub progress: ProgressReport,
    /// Keyed by `tools`, `datascience`, `stage`, `production`.
    pub accounts: BTreeMap<&'static str, AccountReport>,
    /// With `--events`: the newest events, newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<crate::report_events::EventReport>>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ProgressReport {
    /// The guide's section reached, e.g. `"1.3.3"`; null before the first step is done.
    pub step: Option<&'static str>,
    pub step_title: Option<&'static str>,
    /// The next section; null when the lab is complete.
    pub next: Option<&'static str>,
    /// What blocks the lab, one line; null when nothing does.
    pub blocked: Option<String>,
    pub hint: String,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct AccountReport {
    pub account_id: String,
    /// Why the account could not be read at all; null when it was.
    pub error: Option<String>,
    pub error_kind: Option<String>,
    pub warnings: Vec<String>,
    pub stacks: Vec<StackReport>,
    /// Portfolio shares from this account (Tools): the account shared with and acceptance.
    pub shares: Vec<ShareReport>,
    pub products: Vec<ProductReport>,
    pub pipelines: Vec<PipelineReport>,
    pub endpoints: Vec<EndpointReport>,
    pub notebooks: Vec<NotebookReport>,
    pub buckets: Vec<BucketReport>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct StackReport {
    pub name: String,
    pub status: String,
    pub reason: Option<String>,
    pub outputs: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ShareReport {
    pub portfolio_id: String,
    pub shared_with: String,
    pub accepted: bool,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ProductReport {
    pub name: String,
    pub status: String,
    pub outputs: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct PipelineReport {
    pub name: String,
    pub stages: Vec<StageReport>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct StageReport {
    pub name: String,
    pub status: Option<String>,
    pub actions: Vec<ActionReport>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ActionReport {
    pub name: String,
    pub status: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct EndpointReport {
    pub name: String,
    pub status: String,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct NotebookReport {
    pub name: String,
    pub status: String,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct BucketReport {
    pub name: String,
    pub objects: Vec<String>,
}

/// The report of one lab from its snapshots.
pub fn lab(info: &LabInfo, names: &LabNames, snaps: &LabSnapshots) -> LabReport {
    let p = progress::derive(info, names, snaps);
    LabReport {
        name: info.name.clone(),
        unique_id: info.unique_id.clone(),
        progress: progress_report(&p),
        accounts: info
            .roles()
            .filter_map(|r| snaps[r].as_ref().map(|s| (r.key(), account(s))))
            .collect(),
        events: None,
    }
}

fn progress_report(p: &Progress) -> ProgressReport {
    ProgressReport {
        step: p.reached.map(|s| s.number()),
        step_title: p.reached.map(|s| s.title()),
        next: p.next.map(|s| s.number()),
        blocked: p
            .blocked
            .as_ref()
            .map(|b| format!("{}: {}: {}", b.role, b.subject, b.reason)),
        hint: p.hint.clone(),
    }
}

fn account(s: &AccountSnapshot) -> AccountReport {
    AccountReport {
        account_id: s.account_id.clone(),
        error: s.error.as_ref().map(|e| e.message.clone()),
        error_kind: s.error.as_ref().map(|e| format!("{:?}", e.kind)),
        warnings: s.warnings.clone(),
        stacks: s
            .stacks
            .iter()
            .map(|x| StackReport {
                name: x.name.clone(),
                status: x.status.clone(),
                reason: x.reason.clone(),
                outputs: x.outputs.clone(),
            })
            .collect(),
        shares: s
            .portfolio_shares
            .iter()
            .map(|x| ShareReport {
                portfolio_id: x.portfolio_id.clone(),
                shared_with: x.shared_with.clone(),
                accepted: x.accepted,
            })
            .collect(),
        products: s
            .provisioned_products
            .iter()
            .map(|x| ProductReport {
                name: x.name.clone(),
                status: x.status.clone(),
                outputs: x.outputs.clone(),
            })
            .collect(),
        pipelines: s
            .pipelines
            .iter()
            .map(|p| PipelineReport {
                name: p.name.clone(),
                stages: p
                    .stages
                    .iter()
                    .map(|st| StageReport {
                        name: st.name.clone(),
                        status: st.status.clone(),
                        actions: st
                            .actions
                            .iter()
                            .map(|a| ActionReport {
                                name: a.name.clone(),
                                status: a.status.clone(),
                                message: a.error.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        endpoints: s
            .endpoints
            .iter()
            .map(|e| EndpointReport {
                name: e.name.clone(),
                status: e.status.clone(),
                reason: e.failure_reason.clone(),
            })
            .collect(),
        notebooks: s
            .notebooks
            .iter()
            .map(|n| NotebookReport {
                name: n.name.clone(),
                status: n.status.clone(),
            })
            .collect(),
        buckets: s
            .buckets
            .iter()
            .map(|b| BucketReport {
                name: b.name.clone(),
                objects: b.objects.clone(),
            })
            .collect(),
    }
}

/// One line per lab for `status` without `--json`.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for l in &report.labs {
        let step = l.progress.step.map_or("-".to_string(), |s| {
            format!("{s} {}", l.progress.step_title.unwrap_or_default())
        });
        let state = match (&l.progress.blocked, l.progress.next) {
            (Some(b), _) => format!("BLOCKED {b}"),
            (None, None) => "complete".to_string(),
            (None, Some(n)) => format!("next {n}"),
        };
        out.push_str(&format!("{:<16} {:<28} {state}\n", l.name, step));
        for (role, a) in &l.accounts {
            if let Some(e) = &a.error {
                out.push_str(&format!("  {role} {}: {e}\n", a.account_id));
            }
            for w in &a.warnings {
                out.push_str(&format!("  {role} {}: warning: {w}\n", a.account_id));
            }
        }
    }
    out
}
