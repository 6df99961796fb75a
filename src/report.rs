//! The `status --json` report: one poll of every account in a stable, documented schema.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::lab::cost::{self, Billable, CostSettings};
use crate::lab::progress::{self, LabSnapshots, Progress};
use crate::lab::{AccountSnapshot, LabInfo, LabNames, Role, Timestamp};

#[derive(Debug, Serialize, PartialEq)]
pub struct Report {
    pub labs: Vec<LabReport>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct LabReport {
    pub name: String,
    /// The configured UniqueID, else the pipeline stack's; null when neither has one yet.
    pub unique_id: Option<String>,
    /// `config`, `stack`, or null.
    pub unique_id_source: Option<&'static str>,
    pub progress: ProgressReport,
    /// Keyed by `tools`, `datascience`, `stage`, `production`.
    pub accounts: BTreeMap<&'static str, AccountReport>,
    /// With `--events`: the newest events, newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<crate::report_events::EventReport>>,
    /// Estimated USD so far of everything billing with a known price (an estimate).
    pub billable_total_usd: f64,
    /// Estimated USD per hour of everything billing with a known price.
    pub billable_hourly_usd: f64,
    /// Billable resources whose price is unknown (not in the totals).
    pub billable_unknown_prices: usize,
    /// Endpoints still run longer than the configured time after the pipeline finished.
    pub endpoints_idle: bool,
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
    /// Steps before `step` without evidence: not seen, or unknown because their read failed.
    pub gaps: Vec<GapReport>,
    pub hint: String,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct GapReport {
    pub step: &'static str,
    /// `not_seen` (read, and not there) or `unknown` (its read failed).
    pub state: &'static str,
    pub why: String,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct UnknownReport {
    /// `stacks`, `portfolio shares`, `provisioned products`, `pipelines`, `endpoints`,
    /// `notebook instances`, `bucket list` or `bucket <name>`.
    pub part: String,
    /// The read that failed, and why.
    pub cause: String,
    /// True when the content shown for the part is the last known one (a dashboard keeps it);
    /// a single read shows nothing for it.
    pub stale: bool,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct AccountReport {
    pub account_id: String,
    /// Why the account could not be read at all; null when it was.
    pub error: Option<String>,
    pub error_kind: Option<String>,
    pub warnings: Vec<String>,
    /// Parts of the account whose read failed: their lists below are not known to be complete.
    pub unknown: Vec<UnknownReport>,
    pub stacks: Vec<StackReport>,
    /// Portfolio shares from this account (Tools): the account shared with and acceptance.
    pub shares: Vec<ShareReport>,
    pub products: Vec<ProductReport>,
    pub pipelines: Vec<PipelineReport>,
    pub endpoints: Vec<EndpointReport>,
    pub notebooks: Vec<NotebookReport>,
    pub buckets: Vec<BucketReport>,
    /// What bills by the hour, with estimated costs.
    pub billable: Vec<BillableReport>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct BillableReport {
    /// `endpoint` or `notebook`.
    pub kind: &'static str,
    pub name: String,
    pub instance_type: String,
    pub instance_count: u32,
    pub running_secs: i64,
    /// USD per hour for all its instances; null when the price is unknown.
    pub hourly_cost_usd: Option<f64>,
    /// USD so far; null when the price is unknown.
    pub estimated_cost_usd: Option<f64>,
    /// Left running longer than allowed after the pipeline finished.
    pub idle: bool,
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

/// The report of one lab from its snapshots, its costs estimated at `now`.
pub fn lab(
    info: &LabInfo,
    names: &LabNames,
    snaps: &LabSnapshots,
    costs: &CostSettings,
    now: Timestamp,
) -> LabReport {
    let p = progress::derive(info, names, snaps);
    let c = cost::lab_cost(snaps, costs);
    let uid = info.uid(snaps[Role::Tools].as_ref(), &names.pipeline_stack);
    LabReport {
        name: info.name.clone(),
        unique_id: uid.map(|u| u.0.to_string()),
        unique_id_source: uid.map(|u| u.1.key()),
        progress: progress_report(&p),
        accounts: info
            .roles()
            .filter_map(|r| {
                snaps[r].as_ref().map(|s| {
                    let mut a = account(s);
                    a.billable = c.of(r).map(|b| billable(b, now)).collect();
                    (r.key(), a)
                })
            })
            .collect(),
        events: None,
        billable_total_usd: cost::round_to(c.so_far(now), 4),
        billable_hourly_usd: cost::round_to(c.hourly, 4),
        billable_unknown_prices: c.unknown,
        endpoints_idle: c.idle(now),
    }
}

fn billable(b: &Billable, now: Timestamp) -> BillableReport {
    BillableReport {
        kind: b.kind.key(),
        name: b.name.clone(),
        instance_type: b.instance_type.clone(),
        instance_count: b.count,
        running_secs: b.running_secs(now),
        hourly_cost_usd: b.hourly.map(|h| cost::round_to(h, 4)),
        estimated_cost_usd: b.so_far(now).map(|x| cost::round_to(x, 4)),
        idle: b.idle(now),
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
        gaps: p
            .gaps
            .iter()
            .map(|g| GapReport {
                step: g.step.number(),
                state: if g.unknown { "unknown" } else { "not_seen" },
                why: g.why.clone(),
            })
            .collect(),
        hint: p.hint.clone(),
    }
}

fn account(s: &AccountSnapshot) -> AccountReport {
    AccountReport {
        account_id: s.account_id.clone(),
        error: s.error.as_ref().map(|e| e.message.clone()),
        error_kind: s.error.as_ref().map(|e| format!("{:?}", e.kind)),
        warnings: s.warnings.clone(),
        unknown: s
            .unknown
            .iter()
            .map(|u| UnknownReport {
                part: u.part.to_string(),
                cause: u.cause.clone(),
                stale: u.stale,
            })
            .collect(),
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
        billable: Vec::new(),
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
        for g in &l.progress.gaps {
            let what = if g.state == "unknown" {
                "unknown"
            } else {
                "not seen"
            };
            out.push_str(&format!("  gap: {} {what}: {}\n", g.step, g.why));
        }
        let billing = l.accounts.values().map(|a| a.billable.len()).sum::<usize>();
        if billing > 0 {
            out.push_str(&format!(
                "  cost: {billing} billing, ≈ {} so far, {}",
                cost::usd(l.billable_total_usd),
                cost::usd_per_hour(l.billable_hourly_usd)
            ));
            if l.billable_unknown_prices > 0 {
                out.push_str(&format!(
                    " + {} unknown price(s)",
                    l.billable_unknown_prices
                ));
            }
            if l.endpoints_idle {
                out.push_str("; endpoints still running after the pipeline finished");
            }
            out.push('\n');
        }
        for (role, a) in &l.accounts {
            if let Some(e) = &a.error {
                out.push_str(&format!("  {role} {}: {e}\n", a.account_id));
            }
            for u in &a.unknown {
                out.push_str(&format!(
                    "  {role} {}: {} unknown: {}\n",
                    a.account_id, u.part, u.cause
                ));
            }
            for w in &a.warnings {
                out.push_str(&format!("  {role} {}: warning: {w}\n", a.account_id));
            }
        }
    }
    out
}
