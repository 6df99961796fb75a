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

type Undo = fn(&mut LabSnapshots);

/// Each step's evidence taken away, from the last step back to the first.
fn undos() -> [(Step, Undo); 12] {
    [
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
    ]
}

/// The complete lab with the evidence of `step` and of every step after it taken away.
fn lab_before(step: Step) -> LabSnapshots {
    let mut lab = fixtures::complete_lab();
    for (s, f) in undos() {
        f(&mut lab);
        if s == step {
            break;
        }
    }
    lab
}

#[test]
fn undoing_the_guide_backwards_walks_every_step() {
    let mut lab = fixtures::complete_lab();
    for (step, f) in undos() {
        f(&mut lab);
        let p = progress(&lab);
        assert_eq!(p.next, Some(step), "after undoing {step}");
        let before = Step::ALL.get(step.ordinal().wrapping_sub(1)).copied();
        assert_eq!(p.reached, before, "reached before {step}");
        assert_eq!(p.blocked, None, "{step} is not blocked");
        assert!(p.gaps.is_empty(), "{step}: {:?}", p.gaps);
        assert!(!p.hint.is_empty());
    }
}

#[test]
fn hints_speak_the_guides_words_with_the_labs_ids() {
    let p = progress(&lab_before(Step::ToolsCatalog));
    assert_eq!(
        p.hint,
        format!(
            "1.2.1 In the Tools account, create stack LabSCToolsAccountSetup with SpokeAccountID = {DS}."
        )
    );

    let p = progress(&lab_before(Step::LambdaZips));
    assert_eq!(
        p.hint,
        format!(
            "1.3.2 Upload the three Lambda zips to mlops-bia-lambda-functions-{TOOLS} (2/3 there)."
        )
    );

    let p = progress(&lab_before(Step::DataScienceCatalog));
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
    // What came after it still counts; the stack is a gap, with its status.
    assert_eq!(p.reached, Some(Step::DeployStage));
    assert_eq!(p.gaps.len(), 1, "{:?}", p.gaps);
    assert_eq!(
        p.gaps[0].to_string(),
        "1.3.3 not seen: stack MLOpsPipeline in Tools is ROLLBACK_COMPLETE"
    );
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
        detail: String::new(),
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

#[test]
fn a_missing_share_with_everything_after_it_gives_the_later_step_and_a_gap() {
    let mut lab = fixtures::complete_lab();
    tools(&mut lab).portfolio_shares.clear();
    let p = progress(&lab);
    assert_eq!(p.reached, Some(Step::DeployStage));
    assert!(p.complete());
    assert_eq!(p.gaps.len(), 1, "{:?}", p.gaps);
    let gap = &p.gaps[0];
    assert_eq!(gap.step, Step::PortfolioShared);
    assert!(!gap.unknown);
    assert_eq!(
        gap.to_string(),
        format!(
            "1.2.2 not seen: \"Data Scientists - Sample Portfolio\" is not shared with the DataScience account {DS}"
        )
    );
}

#[test]
fn a_failed_read_is_an_unknown_gap_not_an_absent_step() {
    let mut lab = fixtures::complete_lab();
    let t = tools(&mut lab);
    let lambda = format!("mlops-bia-lambda-functions-{TOOLS}");
    t.buckets.retain(|b| b.name != lambda);
    t.mark_unknown(
        Part::Bucket(lambda.clone()),
        "ListObjectsV2 failed: AccessDenied: no",
    );
    let p = progress(&lab);
    assert_eq!(p.reached, Some(Step::DeployStage));
    assert_eq!(p.gaps.len(), 1, "{:?}", p.gaps);
    assert_eq!(p.gaps[0].step, Step::LambdaZips);
    assert!(p.gaps[0].unknown);
    assert_eq!(
        p.gaps[0].to_string(),
        format!("1.3.2 unknown: Tools bucket {lambda}: ListObjectsV2 failed: AccessDenied: no")
    );
    // The same bucket read and without the zips is a gap that was seen.
    tools(&mut lab).unknown.clear();
    let p = progress(&lab);
    assert!(!p.gaps[0].unknown, "{:?}", p.gaps);
    assert!(p.gaps[0].why.contains("0/3 Lambda zips"), "{:?}", p.gaps);
}

#[test]
fn an_unknown_next_step_says_it_cannot_be_told() {
    let mut lab = fixtures::complete_lab();
    let d = ds(&mut lab);
    d.provisioned_products.clear();
    d.notebooks.clear();
    d.mark_unknown(Part::Products, "SearchProvisionedProducts failed: HTTP 500");
    // Nothing after the notebook either: the next step is the notebook's, and unknown.
    let t = tools(&mut lab);
    t.buckets
        .retain(|b| !b.name.starts_with("mlops-bia-data-model-"));
    t.pipelines.clear();
    t.endpoints.clear();
    stage(&mut lab).endpoints.clear();
    let p = progress(&lab);
    assert_eq!(p.reached, Some(Step::StageResources));
    assert_eq!(p.next, Some(Step::Notebook));
    assert!(p.gaps.is_empty());
    assert_eq!(
        p.hint,
        "2 cannot be told: DataScience provisioned products: SearchProvisionedProducts failed: HTTP 500"
    );
}

#[test]
fn a_failed_part_keeps_the_last_known_content_marked_stale() {
    let lab = fixtures::complete_lab();
    let before = lab[Role::Tools].clone().expect("tools");
    let mut now = AccountSnapshot::empty(TOOLS, Timestamp::default());
    now.stacks = before.stacks.clone();
    // One bucket failed; the other buckets were read and stay as read.
    let lambda = format!("mlops-bia-lambda-functions-{TOOLS}");
    now.buckets = before
        .buckets
        .iter()
        .filter(|b| b.name != lambda)
        .cloned()
        .collect();
    now.mark_unknown(Part::Bucket(lambda.clone()), "HeadBucket failed: x");
    now.mark_unknown(Part::Endpoints, "ListEndpoints failed: y");
    assert!(now.endpoints.is_empty());
    now.carry_unknown_from(&before);
    assert_eq!(now.endpoints, before.endpoints);
    assert_eq!(now.buckets.len(), before.buckets.len());
    assert!(now.buckets.iter().any(|b| b.name == lambda));
    assert!(now.unknown.iter().all(|u| u.stale));
    assert!(!now.known(&Part::Endpoints) && now.known(&Part::Stacks));
    let lines: Vec<String> = now.unknown_lines().collect();
    assert_eq!(
        lines,
        [
            format!("bucket {lambda} unknown (showing the last read): HeadBucket failed: x"),
            "endpoints unknown (showing the last read): ListEndpoints failed: y".to_string(),
        ]
    );
    // Nothing earlier to keep: the part shows nothing, and says so.
    let mut first = AccountSnapshot::empty(TOOLS, Timestamp::default());
    first.mark_unknown(Part::Endpoints, "ListEndpoints failed: y");
    first.carry_unknown_from(&AccountSnapshot::empty(TOOLS, Timestamp::default()));
    assert!(!first.unknown[0].stale);
    assert!(
        first
            .unknown_lines()
            .next()
            .is_some_and(|l| l.contains("nothing known"))
    );
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
