//! The detail overlay's content for a selected row: stack events and outputs, resource fields.

use crate::lab::{Category, Role, status};

use super::state::{App, LabState, Target};

/// One line of a detail view.
#[derive(Clone, Debug, PartialEq)]
pub enum Line {
    Heading(String),
    Field {
        key: String,
        value: String,
        category: Option<Category>,
    },
    Text(String),
    /// A metric over time: a label, one bar per period (`None` where there is no datapoint),
    /// and its figures.
    Spark {
        label: String,
        values: Vec<Option<u64>>,
        summary: String,
        category: Option<Category>,
    },
}

/// A titled list of lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Detail {
    pub title: String,
    pub lines: Vec<Line>,
}

pub(super) fn field(key: &str, value: impl Into<String>) -> Line {
    Line::Field {
        key: key.into(),
        value: value.into(),
        category: None,
    }
}

pub(super) fn status(key: &str, value: &str) -> Line {
    Line::Field {
        key: key.into(),
        value: value.into(),
        category: Some(Category::of(value)),
    }
}

/// The warning line of a status that has one (rolled back, tainted, in progress in error).
pub(super) fn warning(value: &str) -> Option<Line> {
    let what = status::warning(value)?;
    Some(field("Warning", format!("{} {what}", status::WARNING_MARK)))
}

/// Build the detail view for a target in the current lab; `None` when it has gone.
pub fn detail(app: &App, target: &Target) -> Option<Detail> {
    let lab = app.lab()?;
    match target {
        Target::Stack { role, name } => stack(lab, *role, name),
        Target::Share { role, portfolio_id } => {
            let snap = lab.snaps[*role].as_ref()?;
            let s = snap
                .portfolio_shares
                .iter()
                .find(|p| &p.portfolio_id == portfolio_id)?;
            Some(Detail {
                title: format!("Portfolio share · {}", s.portfolio_name),
                lines: vec![
                    field("Portfolio", &s.portfolio_id),
                    field("Shared with", &s.shared_with),
                    field("Accepted", if s.accepted { "yes" } else { "not yet" }),
                ],
            })
        }
        Target::Product { role, id } => {
            let snap = lab.snaps[*role].as_ref()?;
            let p = snap.provisioned_products.iter().find(|p| &p.id == id)?;
            let mut lines = vec![
                field("Product", &p.product_name),
                field("Id", &p.id),
                status("Status", &p.status),
                field("Launched", p.created.to_string()),
            ];
            lines.extend(warning(&p.status));
            if let Some(m) = &p.status_message {
                lines.push(field("Message", m));
            }
            lines.push(Line::Heading("Outputs".into()));
            lines.extend(p.outputs.iter().map(|(k, v)| field(k, v)));
            Some(Detail {
                title: format!("Provisioned product · {}", p.name),
                lines,
            })
        }
        Target::Notebook { role, name } => {
            let snap = lab.snaps[*role].as_ref()?;
            let n = snap.notebooks.iter().find(|n| &n.name == name)?;
            Some(Detail {
                title: format!("Notebook instance · {}", n.name),
                lines: vec![
                    status("Status", &n.status),
                    field("Instance type", &n.instance_type),
                    field("Created", n.created.to_string()),
                ],
            })
        }
        Target::Endpoint { role, name } => super::endpoint_detail::detail(app, *role, name),
        Target::Bucket { role, name } => {
            let snap = lab.snaps[*role].as_ref()?;
            let b = snap.buckets.iter().find(|b| &b.name == name)?;
            let mut lines = vec![field(
                "Versioning",
                if b.versioned { "enabled" } else { "off" },
            )];
            lines.push(Line::Heading("Objects of note".into()));
            if b.objects.is_empty() {
                lines.push(Line::Text("none yet".into()));
            }
            lines.extend(b.objects.iter().map(|o| Line::Text(o.clone())));
            Some(Detail {
                title: format!("Bucket · {name} ({role})"),
                lines,
            })
        }
        Target::Action { stage, action } => pipeline_action(app, lab, stage, action),
        Target::Account { role } => account(lab, *role),
    }
}

/// An account that cannot be read: the kind of failure, its cause, and the whole error with
/// every cause in its chain.
fn account(lab: &LabState, role: Role) -> Option<Detail> {
    let snap = lab.snaps[role].as_ref()?;
    let e = snap.error.as_ref()?;
    let id = lab.info.accounts[role].clone().unwrap_or_default();
    let mut lines = vec![
        field("Account", format!("{role} {id}")),
        Line::Field {
            key: "Status".into(),
            value: e.kind.label().to_string(),
            category: Some(Category::Failed),
        },
        field("Cause", e.message.clone()),
    ];
    if !snap.region.is_empty() {
        lines.push(field("Region", snap.region.clone()));
    }
    if !e.detail.is_empty() {
        lines.push(Line::Heading("The whole error".into()));
        lines.push(Line::Text(e.detail.clone()));
    }
    Some(Detail {
        title: format!("Account · {role} {id}"),
        lines,
    })
}

fn stack(lab: &LabState, role: Role, name: &str) -> Option<Detail> {
    let s = lab.snaps[role].as_ref()?.stack(name)?;
    let mut lines = vec![
        status("Status", &s.status),
        field("Created", s.created.to_string()),
        field("Updated", s.updated.to_string()),
    ];
    lines.extend(warning(&s.status));
    if let Some(r) = &s.reason {
        lines.push(field("Reason", r));
    }
    if let Some(e) = crate::lab::progress::root_cause(s) {
        lines.push(Line::Heading(format!(
            "Root cause: {} {}",
            e.logical_id, e.status
        )));
        lines.push(Line::Text(format!(
            "{} ({})",
            e.reason.as_deref().unwrap_or_default(),
            e.resource_type
        )));
    }
    lines.push(Line::Heading("Parameters".into()));
    if s.parameters.is_empty() {
        lines.push(Line::Text("none".into()));
    }
    lines.extend(s.parameters.iter().map(|(k, v)| field(k, v)));
    lines.push(Line::Heading("Outputs".into()));
    if s.outputs.is_empty() {
        lines.push(Line::Text("none yet".into()));
    }
    lines.extend(s.outputs.iter().map(|(k, v)| field(k, v)));
    lines.push(Line::Heading(format!(
        "Events (newest first, {})",
        s.events.len()
    )));
    for e in &s.events {
        let mut text = format!("{} {} {}", e.at.hms(), e.logical_id, e.status);
        if let Some(r) = &e.reason {
            text.push_str(" — ");
            text.push_str(r);
        }
        lines.push(Line::Field {
            key: String::new(),
            value: text,
            category: Some(Category::of(&e.status)),
        });
    }
    Some(Detail {
        title: format!("Stack · {name} ({role})"),
        lines,
    })
}

fn pipeline_action(app: &App, lab: &LabState, stage: &str, action: &str) -> Option<Detail> {
    let p = lab.snaps[Role::Tools]
        .as_ref()?
        .pipelines
        .iter()
        .find(|p| p.name.starts_with(&app.names.pipeline_prefix))?;
    let st = p.stage(stage)?;
    let a = st.action(action)?;
    let mut lines = vec![
        field("Pipeline", &p.name),
        field("Stage", stage),
        status("Status", a.status.as_deref().unwrap_or("not run")),
    ];
    if let Some(t) = a.started {
        lines.push(field("Started", t.to_string()));
    }
    if let Some(t) = a.last_change {
        lines.push(field("Last change", t.to_string()));
    }
    if let Some(id) = &a.execution_id {
        lines.push(field("Execution", id));
    }
    if !st.inbound_enabled {
        lines.push(field(
            "Transition",
            format!(
                "disabled: {}",
                st.disabled_reason.as_deref().unwrap_or("no reason given")
            ),
        ));
    }
    if status::awaiting_approval(a.status.as_deref(), a.approval_token.as_deref()) {
        lines.push(field(
            "Approval",
            format!("{} {}", status::APPROVAL_MARK, status::APPROVAL_WORD),
        ));
    }
    if let Some(e) = &a.error {
        lines.push(Line::Heading("Error".into()));
        lines.push(Line::Text(e.clone()));
    }
    Some(Detail {
        title: format!("Action · {stage} / {action}"),
        lines,
    })
}
