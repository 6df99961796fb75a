//! Row text prepared for the screen: pane items, the pipeline strip and the header, from `&App`.

use crate::lab::status::{self, APPROVAL_WORD};
use crate::lab::time::{age, short_duration};
use crate::lab::{AccountSnapshot, Category, Role, UidSource};

use super::state::{App, LabState, Target};

/// One selectable row of an account pane.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub category: Category,
    pub label: String,
    pub status: String,
    /// Set for a working resource that rolled back or carries an error (`UPDATE_ROLLBACK_COMPLETE`,
    /// `TAINTED`, ...): what happened and the service's reason, shown with the warning mark.
    pub warning: Option<String>,
    pub target: Target,
}

/// The warning a row carries for `status`: what it means, then the service's reason.
fn warning(status: &str, reason: Option<&str>) -> Option<String> {
    let what = status::warning(status)?;
    Some(match reason.filter(|r| !r.is_empty()) {
        Some(r) => format!("{what}: {r}"),
        None => what.to_string(),
    })
}

/// A titled group of rows (Stacks, Catalog, Notebooks, Endpoints, Buckets).
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub title: &'static str,
    pub items: Vec<Item>,
}

/// What an account pane says about its account as a whole.
#[derive(Clone, Debug, PartialEq)]
pub struct PaneHead {
    pub title: String,
    /// `updated 4s ago`, or `never polled`.
    pub freshness: String,
    pub error: Option<String>,
    pub warnings: Vec<String>,
}

pub fn pane_head(app: &App, lab: &LabState, role: Role) -> PaneHead {
    let account = lab.info.accounts[role].clone().unwrap_or_default();
    let title = format!("{role} {account}");
    match &lab.snaps[role] {
        None => PaneHead {
            title,
            freshness: "waiting for first poll".into(),
            error: None,
            warnings: Vec::new(),
        },
        Some(s) => PaneHead {
            title,
            freshness: format!("updated {} ago", age(real_secs(app, s.fetched_at))),
            error: s.error.as_ref().map(|e| e.message.clone()),
            warnings: s
                .unknown_lines()
                .chain(s.warnings.iter().cloned())
                .collect(),
        },
    }
}

/// Seconds since `t` as a person waiting for the next poll feels them: simulated time runs
/// `speed` times faster than the wall clock.
fn real_secs(app: &App, t: crate::lab::Timestamp) -> i64 {
    let secs = app.now.secs_since(t);
    match app.simulated {
        Some(speed) if speed > 0.0 => (secs as f64 / speed).round() as i64,
        _ => secs,
    }
}

/// The pane's rows, grouped; empty groups are left out.
pub fn pane_sections(app: &App, lab: &LabState, role: Role) -> Vec<Section> {
    let Some(snap) = &lab.snaps[role] else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut add = |title, items: Vec<Item>| {
        if !items.is_empty() {
            out.push(Section { title, items });
        }
    };
    add(
        "Stacks",
        snap.stacks
            .iter()
            .map(|s| Item {
                category: Category::of(&s.status),
                label: s.name.clone(),
                status: s.status.clone(),
                warning: warning(&s.status, s.reason.as_deref()),
                target: Target::Stack {
                    role,
                    name: s.name.clone(),
                },
            })
            .collect(),
    );
    let mut catalog: Vec<Item> = snap
        .portfolio_shares
        .iter()
        .map(|p| Item {
            category: Category::Complete,
            label: format!("share → {}", p.shared_with),
            status: if p.accepted { "accepted" } else { "shared" }.into(),
            warning: None,
            target: Target::Share {
                role,
                portfolio_id: p.portfolio_id.clone(),
            },
        })
        .collect();
    catalog.extend(snap.provisioned_products.iter().map(|p| Item {
        category: Category::of(&p.status),
        label: p.name.clone(),
        status: p.status.clone(),
        warning: warning(&p.status, p.status_message.as_deref()),
        target: Target::Product {
            role,
            id: p.id.clone(),
        },
    }));
    add("Catalog", catalog);
    add(
        "Notebooks",
        snap.notebooks
            .iter()
            .map(|n| Item {
                category: Category::of(&n.status),
                label: n.name.clone(),
                status: n.status.clone(),
                warning: warning(&n.status, None),
                target: Target::Notebook {
                    role,
                    name: n.name.clone(),
                },
            })
            .collect(),
    );
    add(
        "Endpoints",
        snap.endpoints
            .iter()
            .map(|e| Item {
                category: Category::of(&e.status),
                label: e.name.clone(),
                status: e.status.clone(),
                warning: warning(&e.status, e.failure_reason.as_deref()),
                target: Target::Endpoint {
                    role,
                    name: e.name.clone(),
                },
            })
            .collect(),
    );
    add("Buckets", bucket_items(app, snap, role));
    out
}

fn bucket_items(app: &App, snap: &AccountSnapshot, role: Role) -> Vec<Item> {
    let n = &app.names;
    snap.buckets
        .iter()
        .map(|b| {
            let (category, status) = if b.name.starts_with(&n.lambda_bucket_prefix) {
                let have = n.lambda_zips.iter().filter(|z| b.has(z)).count();
                let cat = if have == n.lambda_zips.len() {
                    Category::Complete
                } else {
                    Category::Pending
                };
                (cat, format!("{have}/{} zips", n.lambda_zips.len()))
            } else if b.name.starts_with(&n.data_model_bucket_prefix) && role == Role::Tools {
                if b.has(&n.model_key) {
                    (Category::Complete, "model.tar.gz".to_string())
                } else {
                    (Category::Pending, "no model yet".to_string())
                }
            } else {
                let v = if b.versioned { "versioned" } else { "bucket" };
                (Category::Complete, v.to_string())
            };
            Item {
                category,
                label: b.name.clone(),
                status,
                warning: None,
                target: Target::Bucket {
                    role,
                    name: b.name.clone(),
                },
            }
        })
        .collect()
}

/// The pane's rows in order, as selection counts them.
pub fn pane_items(app: &App, lab: &LabState, role: Role) -> Vec<Item> {
    // An account in error has its error as the first row, whose detail is the whole error.
    let error = lab.snaps[role].as_ref().and_then(|s| s.error.as_ref());
    let account = error.map(|e| Item {
        category: Category::Failed,
        label: "account".into(),
        status: e.kind.label().to_string(),
        warning: None,
        target: Target::Account { role },
    });
    account
        .into_iter()
        .chain(
            pane_sections(app, lab, role)
                .into_iter()
                .flat_map(|s| s.items),
        )
        .collect()
}

/// One action of the pipeline strip.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionView {
    pub name: String,
    pub category: Category,
    /// A manual approval waits for a reviewer: drawn with its own mark, not the category's.
    pub waiting: bool,
    /// `Succeeded`, `InProgress`, `waiting for approval`, or `not run`.
    pub status: String,
    pub elapsed: Option<String>,
    pub error: Option<String>,
}

/// One stage of the pipeline strip.
#[derive(Clone, Debug, PartialEq)]
pub struct StageView {
    pub name: String,
    pub category: Category,
    /// Set when the stage's inbound transition is disabled: the reason.
    pub transition_disabled: Option<String>,
    pub actions: Vec<ActionView>,
}

/// The pipeline strip: the Tools account's lab pipeline, or the guide's stages before it exists.
#[derive(Clone, Debug, PartialEq)]
pub struct PipelineView {
    pub title: String,
    pub stages: Vec<StageView>,
}

pub fn pipeline_view(app: &App, lab: &LabState) -> PipelineView {
    let n = &app.names;
    let pipeline = lab.snaps[Role::Tools].as_ref().and_then(|s| {
        s.pipelines
            .iter()
            .find(|p| p.name.starts_with(&n.pipeline_prefix))
    });
    // The guide's three stages, when the pipeline's own cannot be shown.
    let guide_stages = || {
        [&n.source_stage, &n.tools_stage, &n.stage_stage]
            .into_iter()
            .map(|name| StageView {
                name: name.clone(),
                category: Category::Pending,
                transition_disabled: None,
                actions: Vec::new(),
            })
            .collect()
    };
    let Some(p) = pipeline else {
        return PipelineView {
            title: format!(
                "Pipeline: not created yet (step 1.3.3, stack {})",
                n.pipeline_stack
            ),
            stages: guide_stages(),
        };
    };
    if p.stages.is_empty() {
        return PipelineView {
            title: format!(
                "Pipeline {} · its state cannot be read (see the Tools warnings)",
                p.name
            ),
            stages: guide_stages(),
        };
    }
    let title = match &p.latest_execution {
        Some(e) => format!(
            "Pipeline {} · run {} {} · {} ago",
            p.name,
            short_id(&e.id),
            e.status,
            age(app.now.secs_since(e.started))
        ),
        None => format!("Pipeline {} · no run yet", p.name),
    };
    let stages = p
        .stages
        .iter()
        .map(|s| StageView {
            name: s.name.clone(),
            category: s.status.as_deref().map_or(Category::Pending, Category::of),
            transition_disabled: (!s.inbound_enabled).then(|| {
                s.disabled_reason
                    .clone()
                    .unwrap_or_else(|| "disabled".into())
            }),
            actions: s
                .actions
                .iter()
                .map(|a| {
                    let waiting =
                        status::awaiting_approval(a.status.as_deref(), a.approval_token.as_deref());
                    let (category, status) = match (&a.status, waiting) {
                        (_, true) => (Category::InProgress, APPROVAL_WORD.to_string()),
                        (Some(st), false) => (Category::of(st), st.clone()),
                        (None, false) => (Category::Pending, "not run".to_string()),
                    };
                    let elapsed = a.started.map(|start| {
                        let end = if category == Category::InProgress {
                            app.now
                        } else {
                            a.last_change.unwrap_or(app.now)
                        };
                        short_duration(end.secs_since(start))
                    });
                    ActionView {
                        name: a.name.clone(),
                        category,
                        waiting,
                        status,
                        elapsed,
                        error: a.error.clone().filter(|_| category == Category::Failed),
                    }
                })
                .collect(),
        })
        .collect();
    PipelineView { title, stages }
}

/// The pipeline strip's rows in selection order.
pub fn pipeline_targets(view: &PipelineView) -> Vec<Target> {
    view.stages
        .iter()
        .flat_map(|s| {
            s.actions.iter().map(|a| Target::Action {
                stage: s.name.clone(),
                action: a.name.clone(),
            })
        })
        .collect()
}

fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// The header's text.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub lab: String,
    /// `2/6`.
    pub position: String,
    /// `step 1.3.3 pipeline stack`, or `not started`.
    pub step: String,
    pub complete: bool,
    pub blocked: Option<String>,
    /// Earlier steps without evidence: `1.2.2 not seen: ...`, `1.3.2 unknown: ...`.
    pub gaps: Vec<String>,
    pub hint: String,
    /// `SIMULATED ×30`.
    pub badge: Option<String>,
    /// `≈ $0.42 so far · $0.112/h`, while anything bills.
    pub cost: Option<String>,
    /// `≈ $0.42 · $0.112/h`, for narrow screens.
    pub cost_short: Option<String>,
    /// Endpoints left running after the pipeline finished.
    pub idle: Option<String>,
    /// The UniqueID when the config does not give it: `uid ali (from MLOpsPipeline)`, or
    /// `no UniqueID yet` before the pipeline stack has one; `None` when configured.
    pub uid: Option<String>,
}

pub fn header(app: &App) -> Option<Header> {
    let lab = app.lab()?;
    let p = &lab.progress;
    let step = match p.reached {
        Some(s) => format!("step {s}"),
        None => "not started".into(),
    };
    Some(Header {
        lab: lab.info.name.clone(),
        position: format!("{}/{}", app.current + 1, app.labs.len()),
        step,
        complete: p.complete(),
        blocked: p.blocked.as_ref().map(ToString::to_string),
        gaps: p.gaps.iter().map(ToString::to_string).collect(),
        hint: p.hint.clone(),
        badge: app
            .simulated
            .map(|s| format!("SIMULATED ×{}", trim_float(s))),
        cost: super::costs::total(&lab.cost, app.now),
        cost_short: super::costs::total_short(&lab.cost, app.now),
        idle: super::costs::idle_warning(app, lab),
        uid: match lab
            .info
            .uid(lab.snaps[Role::Tools].as_ref(), &app.names.pipeline_stack)
        {
            Some((_, UidSource::Config)) => None,
            Some((u, UidSource::Stack)) => {
                Some(format!("uid {u} (from {})", app.names.pipeline_stack))
            }
            None => Some("no UniqueID yet".into()),
        },
    })
}

fn trim_float(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::{LabInfo, LabNames, PerRole, Stack, Timestamp};

    fn app(unique_id: Option<&str>) -> App {
        let info = LabInfo {
            name: "alice".into(),
            unique_id: unique_id.map(str::to_string),
            accounts: PerRole([
                Some("111111111111".into()),
                Some("222222222222".into()),
                Some("333333333333".into()),
                None,
            ]),
            switch_roles: PerRole::default(),
        };
        App::new(vec![info], LabNames::default(), Timestamp(0))
    }

    #[test]
    fn the_header_says_where_an_unconfigured_uid_comes_from() {
        let configured = app(Some("ali"));
        assert_eq!(header(&configured).and_then(|h| h.uid), None);
        let mut a = app(None);
        assert_eq!(
            header(&a).and_then(|h| h.uid).as_deref(),
            Some("no UniqueID yet")
        );
        let mut tools = AccountSnapshot::empty("111111111111", Timestamp(0));
        tools.stacks.push(Stack {
            name: "MLOpsPipeline".into(),
            status: "CREATE_COMPLETE".into(),
            parameters: [("UniqueID".to_string(), "ali".to_string())].into(),
            ..Stack::default()
        });
        a.labs[0].snaps[Role::Tools] = Some(tools);
        assert_eq!(
            header(&a).and_then(|h| h.uid).as_deref(),
            Some("uid ali (from MLOpsPipeline)")
        );
    }
}
