//! The simulator's side of operating the lab: pipeline gates (approve, promote, retry,
//! release), launching the notebook product and following its record, notebook instances.

use crate::backend::{
    Action, ActionDone, ActionError, LaunchOptions, LaunchParameter, LaunchRequest, RecordState,
};
use crate::lab::{Category, PipelineExecution, Role};

use super::templates::StackKind;
use super::world::{Event, Participant};

/// Record ids are the provisioned product's id with this prefix.
const RECORD_PREFIX: &str = "rec-";

impl Participant {
    /// A pipeline, product or notebook action in one account of this lab.
    pub(super) fn operate(
        &mut self,
        role: Role,
        action: Action,
    ) -> Result<ActionDone, ActionError> {
        let wanted = match &action {
            Action::LaunchProduct(_)
            | Action::StopNotebook { .. }
            | Action::StartNotebook { .. } => Role::DataScience,
            _ => Role::Tools,
        };
        if role != wanted {
            return Err(ActionError::NotFound(format!(
                "{action}: that lives in the {wanted} account, not {role}"
            )));
        }
        match action {
            Action::ApproveAction {
                pipeline,
                stage,
                action,
                token,
                approve,
                comment,
            } => self
                .approve(&pipeline, &stage, &action, &token, approve, &comment)
                .map(ActionDone::new),
            Action::EnableTransition { pipeline, stage } => {
                self.enable_transition(&pipeline, &stage)
            }
            Action::DisableTransition {
                pipeline,
                stage,
                reason,
            } => self.disable_transition(&pipeline, &stage, &reason),
            Action::RetryStage {
                pipeline,
                stage,
                execution_id,
            } => self.retry_stage(&pipeline, &stage, &execution_id),
            Action::StartPipeline { pipeline } => self.release(&pipeline),
            Action::LaunchProduct(req) => self.launch(req),
            Action::StopNotebook { name } => self.notebook_power(&name, false),
            Action::StartNotebook { name } => self.notebook_power(&name, true),
            other => Err(ActionError::Refused(format!(
                "{other}: not an operating action"
            ))),
        }
    }

    /// The index of a pipeline's stage, or what is missing.
    fn stage_index(&self, pipeline: &str, stage: &str) -> Result<usize, ActionError> {
        let p = self.accounts[Role::Tools]
            .pipelines
            .iter()
            .find(|p| p.name == pipeline)
            .ok_or_else(|| ActionError::NotFound(format!("pipeline {pipeline}")))?;
        p.stages
            .iter()
            .position(|s| s.name == stage)
            .ok_or_else(|| ActionError::NotFound(format!("stage {stage} of {pipeline}")))
    }

    /// EnableStageTransition: an execution held before the stage goes on.
    fn enable_transition(
        &mut self,
        pipeline: &str,
        stage: &str,
    ) -> Result<ActionDone, ActionError> {
        let s = self.stage_index(pipeline, stage)?;
        let run = self.run.as_ref().map(|r| r.id.clone());
        let Some(p) = self.accounts[Role::Tools].pipelines.first_mut() else {
            return Err(ActionError::NotFound(format!("pipeline {pipeline}")));
        };
        if p.stages[s].inbound_enabled {
            return Ok(ActionDone::new(format!(
                "the transition into {stage} was already enabled"
            )));
        }
        p.stages[s].inbound_enabled = true;
        p.stages[s].disabled_reason = None;
        // The previous stage succeeded in this run and this one has not started: it starts now.
        let held = s > 0
            && p.stages[s - 1].status.as_deref() == Some("Succeeded")
            && p.stages[s - 1].execution_id == run
            && p.stages[s].execution_id != run;
        if held {
            self.after(
                1,
                Event::ActionStart {
                    stage: s as u8,
                    action: 0,
                },
            );
        }
        Ok(ActionDone::new(format!(
            "enabled the transition into {stage}"
        )))
    }

    /// DisableStageTransition: executions stop before the stage until it is enabled again.
    fn disable_transition(
        &mut self,
        pipeline: &str,
        stage: &str,
        reason: &str,
    ) -> Result<ActionDone, ActionError> {
        let s = self.stage_index(pipeline, stage)?;
        let at = self.now;
        let Some(p) = self.accounts[Role::Tools].pipelines.first_mut() else {
            return Err(ActionError::NotFound(format!("pipeline {pipeline}")));
        };
        p.stages[s].inbound_enabled = false;
        p.stages[s].disabled_reason = Some(format!("{reason} (by crossdeck at {at})"));
        Ok(ActionDone::new(format!(
            "disabled the transition into {stage}"
        )))
    }

    /// RetryStageExecution (FAILED_ACTIONS): the failed action and those after it run again.
    fn retry_stage(
        &mut self,
        pipeline: &str,
        stage: &str,
        execution_id: &str,
    ) -> Result<ActionDone, ActionError> {
        let s = self.stage_index(pipeline, stage)?;
        let Some(p) = self.accounts[Role::Tools].pipelines.first_mut() else {
            return Err(ActionError::NotFound(format!("pipeline {pipeline}")));
        };
        let st = &mut p.stages[s];
        if st.status.as_deref() != Some("Failed") {
            return Err(ActionError::Refused(format!(
                "{stage} has not failed: nothing to retry"
            )));
        }
        if st.execution_id.as_deref() != Some(execution_id) {
            return Err(ActionError::Refused(format!(
                "{stage} failed in execution {}, not {execution_id}",
                st.execution_id.as_deref().unwrap_or("-")
            )));
        }
        let Some(a) = st.actions.iter().position(|a| {
            a.status
                .as_deref()
                .is_some_and(|x| Category::of(x) == Category::Failed)
        }) else {
            return Err(ActionError::Refused(format!(
                "{stage} has no failed action"
            )));
        };
        for act in &mut st.actions[a..] {
            act.status = None;
            act.error = None;
        }
        st.status = Some("InProgress".into());
        if let Some(e) = p.latest_execution.as_mut() {
            e.status = "InProgress".into();
        }
        self.announce_stage(stage, "RESUMED");
        self.announce_pipeline("RESUMED");
        self.after(
            1,
            Event::ActionStart {
                stage: s as u8,
                action: a as u8,
            },
        );
        Ok(ActionDone::new(format!(
            "retrying the failed actions of {stage}"
        )))
    }

    /// StartPipelineExecution: a new run from the Source stage.
    fn release(&mut self, pipeline: &str) -> Result<ActionDone, ActionError> {
        self.stage_index(pipeline, &self.names.source_stage.clone())?;
        let mut superseded = false;
        if let Some(p) = self.accounts[Role::Tools].pipelines.first_mut() {
            if let Some(PipelineExecution { status, .. }) = p.latest_execution.as_mut()
                && status == "InProgress"
            {
                *status = "Superseded".into();
                superseded = true;
            }
            for st in &mut p.stages {
                st.status = None;
                for a in &mut st.actions {
                    a.status = None;
                    a.error = None;
                    a.approval_token = None;
                }
            }
        }
        if superseded {
            self.announce_pipeline("SUPERSEDED");
        }
        self.start_execution();
        let id = self.run.as_ref().map(|r| r.id.clone());
        Ok(ActionDone {
            summary: format!("released a change in {pipeline}"),
            id,
            ..ActionDone::default()
        })
    }

    /// ProvisionProduct: the lab's notebook product, one per lab in the simulator.
    fn launch(&mut self, req: LaunchRequest) -> Result<ActionDone, ActionError> {
        self.launch_options(&req.product_name)?;
        if let Some(p) = self.accounts[Role::DataScience].products.first() {
            return Err(ActionError::Refused(format!(
                "{} is already provisioned in this lab ({}); the simulator runs one at a time",
                p.product_name, p.name
            )));
        }
        let param = |k: &str, d: &str| {
            req.parameters
                .iter()
                .find(|(key, _)| key == k)
                .map_or(d.to_string(), |(_, v)| v.clone())
        };
        let instance = param("SagemakerInstance", "Small");
        let team = param("TeamName", self.plan.team);
        let pp = self.launch_product_as(req.name.clone(), instance, team);
        Ok(ActionDone {
            summary: format!("launching {} as {}", req.product_name, req.name),
            id: Some(format!("{RECORD_PREFIX}{pp}")),
            ..ActionDone::default()
        })
    }

    /// The product as DataScience sees it once the catalog stack shared it there.
    pub(super) fn launch_options(&self, product_name: &str) -> Result<LaunchOptions, ActionError> {
        let shared = self
            .stack(StackKind::DsCatalog)
            .is_some_and(|s| s.stack.status == "CREATE_COMPLETE");
        if !shared || product_name != self.names.product_name {
            return Err(ActionError::NotFound(format!(
                "product \"{product_name}\" is not available in this account yet (step 1.5 \
                 shares it)"
            )));
        }
        let picker =
            |key: &str, description: &str, default: &str, allowed: &[&str]| LaunchParameter {
                key: key.into(),
                description: description.into(),
                default: Some(default.into()),
                allowed: allowed.iter().map(|s| s.to_string()).collect(),
            };
        Ok(LaunchOptions {
            product_id: self.ids.product.clone(),
            product_name: product_name.to_string(),
            artifact_id: format!("pa-{}", &self.ids.product.trim_start_matches("prod-")),
            artifact_name: "Version - 1.0".into(),
            path_id: format!("lpv2-{}", &self.ids.portfolio.trim_start_matches("port-")),
            path_name: "Spoke Data Scientists Portfolio".into(),
            parameters: vec![
                picker(
                    "SagemakerInstance",
                    "Notebook instance size",
                    "Small",
                    &["Small", "Medium", "Large"],
                ),
                picker(
                    "TeamName",
                    "The data science team",
                    self.plan.team,
                    &["forecasting", "sentiment-analysis", "mnist"],
                ),
            ],
            tag_options: vec![("cost-center".into(), vec!["8457".into(), "6534".into()])],
        })
    }

    /// DescribeRecord for a launch.
    pub(super) fn record(&self, record_id: &str) -> Result<RecordState, ActionError> {
        let pp = record_id
            .strip_prefix(RECORD_PREFIX)
            .ok_or_else(|| ActionError::NotFound(format!("record {record_id}")))?;
        let product = self.accounts[Role::DataScience]
            .products
            .iter()
            .find(|p| p.id == pp)
            .ok_or_else(|| ActionError::NotFound(format!("record {record_id}")))?;
        let status = match product.status.as_str() {
            "AVAILABLE" => "SUCCEEDED",
            "ERROR" | "TAINTED" => "FAILED",
            _ => "IN_PROGRESS",
        };
        Ok(RecordState {
            status: status.into(),
            provisioned_product_id: product.id.clone(),
            errors: product.status_message.iter().cloned().collect(),
            outputs: product.outputs.clone(),
        })
    }

    /// CreatePresignedNotebookInstanceUrl.
    pub(super) fn notebook_url(&self, name: &str) -> Result<String, ActionError> {
        let nb = self.accounts[Role::DataScience]
            .notebooks
            .iter()
            .find(|n| n.name == name)
            .ok_or_else(|| ActionError::NotFound(format!("notebook instance {name}")))?;
        if nb.status != "InService" {
            return Err(ActionError::Refused(format!(
                "{name} is {}: it opens once InService",
                nb.status
            )));
        }
        Ok(format!(
            "https://{name}.notebook.us-east-1.sagemaker.aws/auth?token=simulated"
        ))
    }

    /// Stop/StartNotebookInstance: Stopping then Stopped, Pending then InService.
    fn notebook_power(&mut self, name: &str, start: bool) -> Result<ActionDone, ActionError> {
        let nb = self.accounts[Role::DataScience]
            .notebooks
            .iter_mut()
            .find(|n| n.name == name)
            .ok_or_else(|| ActionError::NotFound(format!("notebook instance {name}")))?;
        let (from, via, secs) = if start {
            ("Stopped", "Pending", 180)
        } else {
            ("InService", "Stopping", 45)
        };
        if nb.status != from {
            return Err(ActionError::Refused(format!(
                "{name} is {}; it can be {} only when {from}",
                nb.status,
                if start { "started" } else { "stopped" }
            )));
        }
        nb.status = via.into();
        nb.modified = self.now;
        self.announce_notebook(name, via);
        self.after(secs, Event::NotebookSettle { running: start });
        Ok(ActionDone::new(format!(
            "{} notebook instance {name}",
            if start { "starting" } else { "stopping" }
        )))
    }

    pub(super) fn notebook_settle(&mut self, running: bool) {
        let now = self.now;
        let mut settled = Vec::new();
        for nb in &mut self.accounts[Role::DataScience].notebooks {
            let to = match (nb.status.as_str(), running) {
                ("Pending", true) => "InService",
                ("Stopping", false) => "Stopped",
                _ => continue,
            };
            nb.status = to.into();
            nb.modified = now;
            settled.push((nb.name.clone(), to));
        }
        for (name, status) in settled {
            self.announce_notebook(&name, status);
        }
    }
}
