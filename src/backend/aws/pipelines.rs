//! CodePipeline: the lab's pipelines, their stages and actions (kinds from the declared
//! structure, state from GetPipelineState) and the latest execution.

use aws_sdk_codepipeline::Client;
use aws_sdk_codepipeline::types::{self as cp, ActionCategory};

use super::errors::CallError;
use super::time::{opt_ts, ts};
use crate::lab::{ActionKind, Pipeline, PipelineAction, PipelineExecution, PipelineStage};

/// Executions read per poll: the latest few.
pub const EXECUTIONS_READ: i32 = 5;

/// The declared stages and actions of a pipeline at one version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Structure {
    pub version: i32,
    /// The artifact store's bucket (`artifactStore.location`), or the first of `artifactStores`.
    pub artifact_bucket: Option<String>,
    pub stages: Vec<(String, Vec<(String, ActionKind)>)>,
}

/// ListPipelines, every page, keeping names that start with `prefix`.
pub async fn list(client: &Client, prefix: &str) -> Result<Vec<String>, CallError> {
    let mut out = Vec::new();
    let mut pages = client.list_pipelines().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CallError::from_sdk("ListPipelines", e))?;
        out.extend(
            page.pipelines()
                .iter()
                .filter_map(|p| p.name())
                .filter(|n| n.starts_with(prefix))
                .map(str::to_string),
        );
    }
    Ok(out)
}

/// GetPipeline: the declared structure (read again only when the version changes).
pub async fn structure(client: &Client, name: &str) -> Result<Structure, CallError> {
    let out = client
        .get_pipeline()
        .name(name)
        .send()
        .await
        .map_err(|e| CallError::from_sdk("GetPipeline", e))?;
    let Some(decl) = out.pipeline() else {
        return Ok(Structure::default());
    };
    let artifact_bucket = decl
        .artifact_store()
        .map(|a| a.location().to_string())
        .or_else(|| {
            decl.artifact_stores()
                .and_then(|m| m.iter().min_by_key(|(region, _)| region.as_str()))
                .map(|(_, a)| a.location().to_string())
        })
        .filter(|l| !l.is_empty());
    Ok(Structure {
        version: decl.version().unwrap_or(0),
        artifact_bucket,
        stages: decl
            .stages()
            .iter()
            .map(|s| {
                let actions = s
                    .actions()
                    .iter()
                    .map(|a| {
                        let kind = match a.action_type_id().map(|t| t.category()) {
                            Some(ActionCategory::Source) => ActionKind::Source,
                            Some(ActionCategory::Approval) => ActionKind::Approval,
                            _ => ActionKind::Invoke,
                        };
                        (a.name().to_string(), kind)
                    })
                    .collect();
                (s.name().to_string(), actions)
            })
            .collect(),
    })
}

/// The stages and actions as declared, before anything ran (or when the state cannot be read).
pub fn declared(name: &str, structure: &Structure) -> Pipeline {
    Pipeline {
        name: name.to_string(),
        artifact_bucket: structure.artifact_bucket.clone(),
        stages: structure
            .stages
            .iter()
            .map(|(stage, actions)| PipelineStage {
                name: stage.clone(),
                inbound_enabled: true,
                actions: actions
                    .iter()
                    .map(|(a, kind)| PipelineAction {
                        name: a.clone(),
                        kind: *kind,
                        ..PipelineAction::default()
                    })
                    .collect(),
                ..PipelineStage::default()
            })
            .collect(),
        latest_execution: None,
    }
}

/// GetPipelineState; returns the pipeline and its version. Action kinds are guessed (a token
/// means an approval) until [`apply_structure`] sets them from the declaration.
pub async fn state(client: &Client, name: &str) -> Result<(Pipeline, i32), CallError> {
    let out = client
        .get_pipeline_state()
        .name(name)
        .send()
        .await
        .map_err(|e| CallError::from_sdk("GetPipelineState", e))?;
    let stages = out
        .stage_states()
        .iter()
        .map(|s| {
            let stage_name = s.stage_name().unwrap_or_default();
            let transition = s.inbound_transition_state();
            let latest = s.latest_execution();
            PipelineStage {
                name: stage_name.to_string(),
                inbound_enabled: transition.is_none_or(|t| t.enabled()),
                disabled_reason: transition.filter(|t| !t.enabled()).map(disabled_reason),
                status: latest.map(|l| l.status().as_str().to_string()),
                execution_id: latest.map(|l| l.pipeline_execution_id().to_string()),
                actions: s.action_states().iter().map(action).collect(),
            }
        })
        .collect();
    let pipeline = Pipeline {
        name: name.to_string(),
        artifact_bucket: None,
        stages,
        latest_execution: None,
    };
    Ok((pipeline, out.pipeline_version().unwrap_or(0)))
}

/// ListPipelineExecutions: the latest few; the newest is kept.
pub async fn latest_execution(
    client: &Client,
    name: &str,
) -> Result<Option<PipelineExecution>, CallError> {
    let out = client
        .list_pipeline_executions()
        .pipeline_name(name)
        .max_results(EXECUTIONS_READ)
        .send()
        .await
        .map_err(|e| CallError::from_sdk("ListPipelineExecutions", e))?;
    Ok(out
        .pipeline_execution_summaries()
        .first()
        .map(|e| PipelineExecution {
            id: e.pipeline_execution_id().unwrap_or_default().to_string(),
            status: e.status().map_or("", |s| s.as_str()).to_string(),
            started: ts(e.start_time()),
        }))
}

fn disabled_reason(t: &cp::TransitionState) -> String {
    let mut s = t.disabled_reason().unwrap_or("disabled").to_string();
    if let Some(by) = t.last_changed_by() {
        s.push_str(&format!(" (by {by}"));
        if let Some(at) = opt_ts(t.last_changed_at()) {
            s.push_str(&format!(" at {at}"));
        }
        s.push(')');
    }
    s
}

/// Set each action's kind from the declared structure.
pub fn apply_structure(pipeline: &mut Pipeline, structure: &Structure) {
    for stage in &mut pipeline.stages {
        let Some((_, declared)) = structure.stages.iter().find(|(n, _)| *n == stage.name) else {
            continue;
        };
        for action in &mut stage.actions {
            if let Some((_, kind)) = declared.iter().find(|(n, _)| *n == action.name) {
                action.kind = *kind;
            }
        }
    }
}

fn action(a: &cp::ActionState) -> PipelineAction {
    let name = a.action_name().unwrap_or_default();
    let exec = a.latest_execution();
    let status = exec
        .and_then(|e| e.status())
        .map(|s| s.as_str().to_string());
    let error = exec.and_then(|e| {
        e.error_details()
            .and_then(|d| d.message())
            .map(str::to_string)
            .or_else(|| {
                (status.as_deref() == Some("Failed"))
                    .then(|| e.summary().map(str::to_string))
                    .flatten()
            })
    });
    let changed = exec.and_then(|e| opt_ts(e.last_status_change()));
    PipelineAction {
        name: name.to_string(),
        kind: if exec.and_then(|e| e.token()).is_some() {
            ActionKind::Approval
        } else {
            ActionKind::Invoke
        },
        status,
        started: changed,
        last_change: changed,
        error,
        approval_token: exec.and_then(|e| e.token()).map(str::to_string),
        execution_id: exec
            .and_then(|e| e.action_execution_id())
            .map(str::to_string),
    }
}
