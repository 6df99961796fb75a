//! The MLOps pipeline: its stages, one execution moving through them, endpoints and approvals.

use crate::backend::ActionError;
use crate::lab::{
    ActionKind, Endpoint, LabNames, Pipeline, PipelineAction, PipelineExecution, PipelineStage,
    Role, Timestamp, Variant,
};

use super::faults::{self, Fault};
use super::templates::StackKind;
use super::world::{Event, Participant};

const DATA: &str = "Data";
const DEPLOY_TOOLS: &str = "DeployToToolsEnv";
const GET_TOOLS: &str = "GetDeployStatus";
const SMOKE_TEST: &str = "SmokeTest";
const APPROVE: &str = "ApproveForStage";
const DEPLOY_STAGE: &str = "DeployToStageEnv";
const GET_STAGE: &str = "GetStageDeployStatus";
const FULL_TEST: &str = "FullTest";

const ENDPOINT_TYPE: &str = "ml.t2.medium";

/// The execution under way.
#[derive(Clone, Debug)]
pub(super) struct Run {
    pub id: String,
    /// When DeployToToolsEnv deployed: the `<ts>` in both endpoints' names.
    pub deploy_ts: Option<Timestamp>,
}

fn action(name: &str, kind: ActionKind) -> PipelineAction {
    PipelineAction {
        name: name.to_string(),
        kind,
        ..PipelineAction::default()
    }
}

fn stage(name: &str, actions: Vec<PipelineAction>) -> PipelineStage {
    PipelineStage {
        name: name.to_string(),
        inbound_enabled: true,
        actions,
        ..PipelineStage::default()
    }
}

/// The pipeline `MLOpsPipeline` creates, before it ever ran.
pub(super) fn new_pipeline(names: &LabNames, name: String, approval_gate: bool) -> Pipeline {
    let invoke = |n| action(n, ActionKind::Invoke);
    let mut to_stage = vec![invoke(DEPLOY_STAGE), invoke(GET_STAGE), invoke(FULL_TEST)];
    if approval_gate {
        to_stage.insert(0, action(APPROVE, ActionKind::Approval));
    }
    Pipeline {
        name,
        artifact_bucket: None,
        stages: vec![
            stage(&names.source_stage, vec![action(DATA, ActionKind::Source)]),
            stage(
                &names.tools_stage,
                vec![invoke(DEPLOY_TOOLS), invoke(GET_TOOLS), invoke(SMOKE_TEST)],
            ),
            stage(&names.stage_stage, to_stage),
        ],
        latest_execution: None,
    }
}

/// What finishing an action changed, to announce once the pipeline is let go.
#[derive(Default)]
struct Said {
    action: Option<String>,
    stage: bool,
    pipeline: bool,
}

fn ev(stage: usize, action: usize) -> (u8, u8) {
    (stage as u8, action as u8)
}

impl Participant {
    fn pipeline_mut(&mut self) -> Option<&mut Pipeline> {
        self.accounts[Role::Tools].pipelines.first_mut()
    }

    /// The action at (stage, action), when it is running.
    fn running(&mut self, s: usize, a: usize) -> Option<&mut PipelineAction> {
        let act = self.pipeline_mut()?.stages.get_mut(s)?.actions.get_mut(a)?;
        (act.status.as_deref() == Some("InProgress")).then_some(act)
    }

    fn endpoint_name(&self, role: Role) -> String {
        let ts = self
            .run
            .as_ref()
            .and_then(|r| r.deploy_ts)
            .unwrap_or(self.now);
        format!(
            "{}{}-{}",
            self.names.endpoint_prefix,
            ts.dashed(),
            role.label()
        )
    }

    /// The model landed in the Source bucket: a new execution begins.
    pub(super) fn start_execution(&mut self) {
        let id = self.rng.uuid();
        let now = self.now;
        let Some(p) = self.pipeline_mut() else {
            return;
        };
        p.latest_execution = Some(PipelineExecution {
            id: id.clone(),
            status: "InProgress".into(),
            started: now,
        });
        self.run = Some(Run {
            id,
            deploy_ts: None,
        });
        self.announce_pipeline("STARTED");
        self.after(
            1,
            Event::ActionStart {
                stage: 0,
                action: 0,
            },
        );
    }

    pub(super) fn action_start(&mut self, s: usize, a: usize) {
        let now = self.now;
        let Some(id) = self.run.as_ref().map(|r| r.id.clone()) else {
            return;
        };
        let token = self.rng.uuid();
        let Some(st) = self.pipeline_mut().and_then(|p| p.stages.get_mut(s)) else {
            return;
        };
        let stage_started = st.status.as_deref() != Some("InProgress");
        st.status = Some("InProgress".into());
        st.execution_id = Some(id.clone());
        let stage_name = st.name.clone();
        let Some(act) = st.actions.get_mut(a) else {
            return;
        };
        act.status = Some("InProgress".into());
        act.started = Some(now);
        act.last_change = Some(now);
        act.error = None;
        act.execution_id = Some(id);
        let (stage, action) = ev(s, a);
        let name = act.name.clone();
        if name == APPROVE {
            act.approval_token = Some(token);
        }
        if stage_started {
            self.announce_stage(&stage_name, "STARTED");
        }
        self.announce_action(&stage_name, &name, "STARTED");
        match name.as_str() {
            APPROVE => {}
            GET_TOOLS | GET_STAGE => {
                let secs = self.rng.range(20, 30);
                self.after(secs, Event::ActionCheck { stage, action });
            }
            _ => {
                let secs = match name.as_str() {
                    DATA => self.rng.range(15, 25),
                    DEPLOY_TOOLS | DEPLOY_STAGE => self.rng.range(25, 35),
                    SMOKE_TEST | FULL_TEST => self.rng.range(50, 70),
                    _ => self.rng.range(10, 20),
                };
                self.after(secs, Event::ActionFinish { stage, action });
            }
        }
    }

    pub(super) fn action_finish(&mut self, s: usize, a: usize) {
        let Some(name) = self.running(s, a).map(|act| act.name.clone()) else {
            return;
        };
        let result = match name.as_str() {
            DEPLOY_TOOLS => {
                if let Some(run) = self.run.as_mut() {
                    run.deploy_ts = Some(self.now);
                }
                self.create_endpoint(Role::Tools);
                Ok(())
            }
            DEPLOY_STAGE => {
                let role_ok = self
                    .stack(StackKind::StageRes)
                    .is_some_and(|st| st.stack.status == "CREATE_COMPLETE");
                if self.plan.fault == Some(Fault::ActionFails) || !role_ok {
                    let p = &self.plan;
                    Err(faults::assume_role_denied(&p.tools, &p.stage, &p.uid))
                } else {
                    let bucket = self.names.data_model_bucket(&self.plan.stage);
                    let key = self.names.model_key.clone();
                    self.accounts[Role::Stage].put_object(&bucket, &key);
                    self.create_endpoint(Role::Stage);
                    Ok(())
                }
            }
            _ => Ok(()),
        };
        self.complete_action(s, a, result);
    }

    /// GetStatus: done when the endpoint is InService, failed when it failed, else look again.
    pub(super) fn action_check(&mut self, s: usize, a: usize) {
        let Some(name) = self.running(s, a).map(|act| act.name.clone()) else {
            return;
        };
        let role = if name == GET_STAGE {
            Role::Stage
        } else {
            Role::Tools
        };
        let endpoint = self.endpoint_name(role);
        let found = self.accounts[role]
            .endpoints
            .iter()
            .find(|e| e.name == endpoint)
            .map(|e| (e.status.clone(), e.failure_reason.clone()));
        let result = match found {
            Some((status, _)) if status == "InService" => Ok(()),
            Some((status, reason)) if status == "Failed" => Err(format!(
                "Endpoint {endpoint} failed: {}",
                reason.unwrap_or_default()
            )),
            Some(_) => {
                let (stage, action) = ev(s, a);
                self.after(30, Event::ActionCheck { stage, action });
                return;
            }
            None => Err(format!("Could not find endpoint \"{endpoint}\".")),
        };
        self.complete_action(s, a, result);
    }

    fn complete_action(&mut self, s: usize, a: usize, result: Result<(), String>) {
        let now = self.now;
        let Some(p) = self.pipeline_mut() else {
            return;
        };
        let stages = p.stages.len();
        let Some(st) = p.stages.get_mut(s) else {
            return;
        };
        let actions = st.actions.len();
        let ok = result.is_ok();
        let state = if ok { "SUCCEEDED" } else { "FAILED" };
        let stage_name = st.name.clone();
        let mut said = Said::default();
        if let Some(act) = st.actions.get_mut(a) {
            act.status = Some(if ok { "Succeeded" } else { "Failed" }.into());
            act.last_change = Some(now);
            act.error = result.err();
            act.approval_token = None;
            said.action = Some(act.name.clone());
        }
        let next = if !ok {
            None
        } else if a + 1 < actions {
            Some((s, a + 1))
        } else {
            st.status = Some("Succeeded".into());
            said.stage = true;
            (s + 1 < stages).then_some((s + 1, 0))
        };
        if !ok {
            st.status = Some("Failed".into());
            said.stage = true;
        }
        let held = next
            .is_some_and(|(ns, _)| p.stages.get(ns).is_some_and(|n| !n.inbound_enabled) && ns != s);
        match next {
            Some((ns, na)) if !held => {
                let (stage, action) = ev(ns, na);
                self.after(2, Event::ActionStart { stage, action });
            }
            Some(_) => {}
            None => {
                if let Some(exec) = p.latest_execution.as_mut() {
                    exec.status = if ok { "Succeeded" } else { "Failed" }.into();
                    said.pipeline = true;
                }
            }
        }
        if let Some(action) = said.action {
            self.announce_action(&stage_name, &action, state);
        }
        if said.stage {
            self.announce_stage(&stage_name, state);
        }
        if said.pipeline {
            self.announce_pipeline(state);
        }
    }

    fn create_endpoint(&mut self, role: Role) {
        let endpoint = Endpoint {
            name: self.endpoint_name(role),
            status: "Creating".into(),
            failure_reason: None,
            instance_type: ENDPOINT_TYPE.into(),
            instance_count: 1,
            created: self.now,
            modified: self.now,
            variants: vec![Variant {
                name: "AllTraffic".into(),
                instance_type: ENDPOINT_TYPE.into(),
                instance_count: 1,
            }],
        };
        let name = endpoint.name.clone();
        self.accounts[role].endpoints.push(endpoint);
        self.announce_endpoint(role, &name, "Creating");
        let fails = self.plan.fault == Some(Fault::EndpointFails) && role == Role::Tools;
        let secs = if fails {
            self.rng.range(230, 260)
        } else {
            self.rng.range(540, 660)
        };
        self.after(secs, Event::EndpointSettle { role, ok: !fails });
    }

    pub(super) fn endpoint_settle(&mut self, role: Role, ok: bool) {
        let now = self.now;
        let creating = self.accounts[role]
            .endpoints
            .iter_mut()
            .filter(|e| e.status == "Creating");
        let mut settled = Vec::new();
        for e in creating {
            e.modified = now;
            if ok {
                e.status = "InService".into();
            } else {
                e.status = "Failed".into();
                e.failure_reason = Some(faults::ENDPOINT_LIMIT_REASON.into());
            }
            settled.push((e.name.clone(), e.status.clone()));
        }
        for (name, status) in settled {
            self.announce_endpoint(role, &name, &status);
        }
    }

    /// PutApprovalResult.
    pub(super) fn approve(
        &mut self,
        pipeline: &str,
        stage: &str,
        action: &str,
        token: &str,
        approve: bool,
        comment: &str,
    ) -> Result<String, ActionError> {
        let p = self.accounts[Role::Tools]
            .pipelines
            .iter()
            .find(|p| p.name == pipeline)
            .ok_or_else(|| ActionError::NotFound(format!("pipeline {pipeline}")))?;
        let s = p
            .stages
            .iter()
            .position(|st| st.name == stage)
            .ok_or_else(|| ActionError::NotFound(format!("stage {stage} of {pipeline}")))?;
        let (a, act) = p.stages[s]
            .actions
            .iter()
            .enumerate()
            .find(|(_, act)| act.name == action && act.kind == ActionKind::Approval)
            .ok_or_else(|| ActionError::NotFound(format!("approval {action} in {stage}")))?;
        match act.approval_token.as_deref() {
            Some(t) if act.status.as_deref() == Some("InProgress") && t == token => {}
            Some(_) if act.status.as_deref() == Some("InProgress") => {
                return Err(ActionError::Refused(format!(
                    "the approval token for {action} does not match"
                )));
            }
            _ => {
                return Err(ActionError::Refused(format!(
                    "{action} in {stage} is not waiting for approval"
                )));
            }
        }
        if approve {
            self.complete_action(s, a, Ok(()));
            Ok(format!("approved {action} in {stage} of {pipeline}"))
        } else {
            self.complete_action(s, a, Err(format!("Rejected: {comment}")));
            Ok(format!("rejected {action} in {stage} of {pipeline}"))
        }
    }
}
