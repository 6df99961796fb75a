//! Guide progress derived from hand-built snapshots: every step, and every blocking case.

use crossdeck::lab::progress::{LabSnapshots, Step, derive};
use crossdeck::lab::*;

use crate::fixtures::{self, DS, TOOLS, ds, info, stage, tools};

fn progress(lab: &LabSnapshots) -> progress::Progress {
    derive(&info(), &LabNames::default(), lab)
}

use crossdeck::lab::progress;

fn set_action(lab: &mut LabSnapshots, stage_name: &str, action: &str, status: Option<&str>) {
    let p = &mut tools(lab).pipelines[0];
    let st = p
        .stages
        .iter_mut()
        .find(|s| s.name == stage_name)
        .expect("stage");
    st.status = status.map(|_| "InProgress".to_string());
    let a = st
        .actions
        .iter_mut()
        .find(|a| a.name == action)
        .expect("action");
    a.status = status.map(str::to_string);
}

#[test]
fn a_complete_lab_has_reached_the_last_step() {
    let p = progress(&fixtures::complete_lab());
    assert_eq!(p.reached, Some(Step::DeployStage));
    assert_eq!(p.next, None);
    assert!(p.complete());
    assert_eq!(p.blocked, None);
    assert!(p.hint.starts_with("Lab complete"), "{}", p.hint);
}

#[test]
fn undoing_the_guide_backwards_walks_every_step() {
    type Undo = fn(&mut LabSnapshots);
    let undo: [(Step, Undo); 12] = [
        (Step::DeployStage, |l| {
            stage(l).endpoints[0].status = "Creating".into();
            set_action(
                l,
                "DeployModel-Stage",
                "GetStageDeployStatus",
                Some("InProgress"),
            );
            set_action(l, "DeployModel-Stage", "FullTest", None);
        }),
        (Step::DeployTools, |l| {
            tools(l).endpoints[0].status = "Creating".into();
            set_action(
                l,
                "DeployModel-Tools",
                "GetDeployStatus",
                Some("InProgress"),
            );
            set_action(l, "DeployModel-Tools", "SmokeTest", None);
        }),
        (Step::SourceStage, |l| {
            set_action(l, "Source", "Data", Some("InProgress"));
        }),
        (Step::ModelUploaded, |l| {
            tools(l).buckets[1].objects.clear();
        }),
        (Step::Notebook, |l| {
            ds(l).notebooks[0].status = "Pending".into();
            ds(l).provisioned_products[0].status = "UNDER_CHANGE".into();
        }),
        (Step::StageResources, |l| {
            stage(l).stacks.clear();
        }),
        (Step::DataScienceCatalog, |l| {
            ds(l).stacks[0].status = "CREATE_IN_PROGRESS".into();
        }),
        (Step::PipelineStack, |l| {
            tools(l).stacks.retain(|s| s.name != "MLOpsPipeline");
        }),
        (Step::LambdaZips, |l| {
            tools(l).buckets[0].objects.pop();
        }),
        (Step::PipelinePrep, |l| {
            tools(l).stacks.retain(|s| s.name != "MLOpsPipelinePrep");
        }),
        (Step::PortfolioShared, |l| {
            tools(l).portfolio_shares.clear();
        }),
        (Step::ToolsCatalog, |l| {
            tools(l).stacks.clear();
        }),
    ];
    let mut lab = fixtures::complete_lab();
    for (step, f) in undo {
        f(&mut lab);
        let p = progress(&lab);
        assert_eq!(p.next, Some(step), "after undoing {step}");
        let before = Step::ALL.get(step.ordinal().wrapping_sub(1)).copied();
        assert_eq!(p.reached, before, "reached before {step}");
        assert_eq!(p.blocked, None, "{step} is not blocked");
        assert!(!p.hint.is_empty());
    }
}

#[test]
fn hints_speak_the_guides_words_with_the_labs_ids() {
    let mut lab = fixtures::complete_lab();
    tools(&mut lab).stacks.clear();
    tools(&mut lab).portfolio_shares.clear();
    let p = progress(&lab);
    assert_eq!(
        p.hint,
        format!(
            "1.2.1 In the Tools account, create stack LabSCToolsAccountSetup with SpokeAccountID = {DS}."
        )
    );

    let mut lab = fixtures::complete_lab();
    tools(&mut lab).buckets[0].objects.truncate(2);
    tools(&mut lab).stacks.retain(|s| s.name != "MLOpsPipeline");
    let p = progress(&lab);
    assert_eq!(
        p.hint,
        format!(
            "1.3.2 Upload the three Lambda zips to mlops-bia-lambda-functions-{TOOLS} (2/3 there)."
        )
    );

    let mut lab = fixtures::complete_lab();
    ds(&mut lab).stacks[0].status = "CREATE_IN_PROGRESS".into();
    stage(&mut lab).stacks.clear();
    let p = progress(&lab);
    assert_eq!(
        p.hint,
        "Wait for stack LabDSAccountSCSetup in DataScience to finish (CREATE_IN_PROGRESS)."
    );
}

#[test]
fn a_rolled_back_stack_blocks_with_the_failed_resources_reason() {
    let mut lab = fixtures::complete_lab();
    let s = tools(&mut lab)
        .stacks
        .iter_mut()
        .find(|s| s.name == "MLOpsPipeline")
        .expect("stack");
    s.status = "ROLLBACK_COMPLETE".into();
    s.reason = Some("The following resource(s) failed to create: [EvaluateModelLambda].".into());
    s.events = vec![
        StackEvent {
            at: fixtures::T0.plus_secs(60),
            logical_id: "MLOpsPipeline".into(),
            resource_type: "AWS::CloudFormation::Stack".into(),
            status: "ROLLBACK_COMPLETE".into(),
            reason: None,
        },
        StackEvent {
            at: fixtures::T0.plus_secs(30),
            logical_id: "EvaluateModelLambda".into(),
            resource_type: "AWS::Lambda::Function".into(),
            status: "CREATE_FAILED".into(),
            reason: Some("S3 Error Code: NoSuchKey".into()),
        },
    ];
    let p = progress(&lab);
    let b = p.blocked.expect("blocked");
    assert_eq!(b.role, Role::Tools);
    assert_eq!(b.subject, "stack MLOpsPipeline ROLLBACK_COMPLETE");
    assert_eq!(b.reason, "S3 Error Code: NoSuchKey");
    assert_eq!(p.next, Some(Step::PipelineStack));
}

#[test]
fn a_failed_stack_without_events_blocks_with_the_stack_reason() {
    let mut lab = fixtures::complete_lab();
    let s = &mut stage(&mut lab).stacks[0];
    s.status = "CREATE_FAILED".into();
    s.reason = Some("mlops-bia-data-model-333333333333 already exists".into());
    let b = progress(&lab).blocked.expect("blocked");
    assert_eq!(b.role, Role::Stage);
    assert_eq!(b.reason, "mlops-bia-data-model-333333333333 already exists");
}

#[test]
fn a_failed_action_blocks_with_its_message() {
    let mut lab = fixtures::complete_lab();
    set_action(
        &mut lab,
        "DeployModel-Stage",
        "DeployToStageEnv",
        Some("Failed"),
    );
    tools(&mut lab).pipelines[0].stages[2].actions[0].error = Some("Unable to assume role".into());
    stage(&mut lab).endpoints.clear();
    let p = progress(&lab);
    let b = p.blocked.expect("blocked");
    assert_eq!(
        b.subject,
        "action DeployModel-Stage/DeployToStageEnv Failed"
    );
    assert_eq!(b.reason, "Unable to assume role");
    assert_eq!(p.next, Some(Step::DeployStage));
}

#[test]
fn a_failed_endpoint_blocks_with_its_failure_reason() {
    let mut lab = fixtures::complete_lab();
    let e = &mut stage(&mut lab).endpoints[0];
    e.status = "Failed".into();
    e.failure_reason = Some("ResourceLimitExceeded: quota is 0".into());
    let b = progress(&lab).blocked.expect("blocked");
    assert_eq!(b.role, Role::Stage);
    assert!(b.subject.starts_with("endpoint datascience-project-"));
    assert_eq!(b.reason, "ResourceLimitExceeded: quota is 0");
}

#[test]
fn a_failed_product_blocks_with_its_status_message() {
    let mut lab = fixtures::complete_lab();
    let p = &mut ds(&mut lab).provisioned_products[0];
    p.status = "ERROR".into();
    p.status_message = Some("SagemakerInstance: allowed values are Small, Medium, Large".into());
    let b = progress(&lab).blocked.expect("blocked");
    assert_eq!(b.role, Role::DataScience);
    assert_eq!(b.subject, "product alice-notebook ERROR");
}

#[test]
fn an_unreachable_account_blocks_first() {
    let mut lab = fixtures::complete_lab();
    stage(&mut lab).error = Some(AccountError {
        kind: ErrorKind::AccessDenied,
        message: "AccessDenied: not authorized to perform sts:AssumeRole".into(),
    });
    tools(&mut lab).endpoints[0].status = "Failed".into();
    let b = progress(&lab).blocked.expect("blocked");
    assert_eq!(b.role, Role::Stage);
    assert_eq!(b.subject, "account unreachable");
    assert!(b.reason.contains("sts:AssumeRole"));
}

#[test]
fn a_lab_with_no_snapshots_yet_starts_at_the_beginning() {
    let p = progress(&LabSnapshots::default());
    assert_eq!(p.reached, None);
    assert_eq!(p.next, Some(Step::ToolsCatalog));
    assert_eq!(p.blocked, None);
}

/// The complete lab whose Stage endpoint is gone, with the transition into DeployModel-Stage
/// disabled; DeployModel-Tools last ran in `tools_run`, DeployModel-Stage in `stage_run`.
fn held_at_the_stage_gate(tools_run: &str, stage_run: Option<&str>) -> LabSnapshots {
    let mut lab = fixtures::complete_lab();
    stage(&mut lab).endpoints.clear();
    let stages = &mut tools(&mut lab).pipelines[0].stages;
    stages[1].execution_id = Some(tools_run.into());
    let st = &mut stages[2];
    st.inbound_enabled = false;
    st.disabled_reason = Some("change freeze".into());
    st.execution_id = stage_run.map(str::to_string);
    if stage_run.is_none() {
        st.status = None;
        for a in &mut st.actions {
            a.status = None;
        }
    }
    lab
}

const PROMOTE: &str = "The transition into DeployModel-Stage is disabled (change freeze): select it and press e to promote.";

#[test]
fn a_disabled_transition_after_an_earlier_run_still_says_how_to_promote() {
    // DeployModel-Stage ran in an earlier execution; the latest one stops before it.
    let p = progress(&held_at_the_stage_gate("exec-2", Some("exec-1")));
    assert_eq!(p.next, Some(Step::DeployStage));
    assert_eq!(p.hint, PROMOTE);

    // It never ran at all.
    let p = progress(&held_at_the_stage_gate("exec-1", None));
    assert_eq!(p.hint, PROMOTE);

    // It ran in the same execution as DeployModel-Tools: nothing is held at the gate.
    let p = progress(&held_at_the_stage_gate("exec-2", Some("exec-2")));
    assert_eq!(p.next, Some(Step::DeployStage));
    assert!(!p.hint.contains("transition"), "{}", p.hint);
}
