//! Unit tests of the cleanup plan: the guide's order, decoys left alone, nothing left says so.

use std::collections::BTreeMap;

use super::*;
use crate::lab::{AccountError, Bucket, Endpoint, ErrorKind, PerRole, ProvisionedProduct};

const TOOLS: &str = "111111111111";
const DS: &str = "222222222222";
const STAGE: &str = "333333333333";
const EP_TOOLS: &str = "datascience-project-2026-11-27-09-00-00-Tools";
const EP_STAGE: &str = "datascience-project-2026-11-27-09-00-00-Stage";
const ARTIFACTS: &str = "mlops-bia-codepipeline-artifacts-ali-x1y2z3";

fn info() -> LabInfo {
    LabInfo {
        name: "alice".into(),
        unique_id: "ali".into(),
        accounts: PerRole([
            Some(TOOLS.into()),
            Some(DS.into()),
            Some(STAGE.into()),
            None,
        ]),
        switch_roles: PerRole::default(),
    }
}

fn stack(name: &str, status: &str) -> Stack {
    Stack {
        name: name.into(),
        status: status.into(),
        ..Stack::default()
    }
}

fn bucket(name: &str) -> Bucket {
    Bucket {
        name: name.into(),
        versioned: true,
        objects: Vec::new(),
    }
}

fn endpoint(name: &str, status: &str) -> Endpoint {
    Endpoint {
        name: name.into(),
        status: status.into(),
        ..Endpoint::default()
    }
}

fn snap(id: &str) -> AccountSnapshot {
    AccountSnapshot {
        account_id: id.into(),
        ..AccountSnapshot::default()
    }
}

fn product(id: &str, name: &str, product_name: &str, bucket: &str) -> ProvisionedProduct {
    ProvisionedProduct {
        id: id.into(),
        name: name.into(),
        product_name: product_name.into(),
        status: "AVAILABLE".into(),
        outputs: BTreeMap::from([("BucketName".to_string(), bucket.to_string())]),
        ..ProvisionedProduct::default()
    }
}

/// A finished lab, every resource the guide made still there.
fn finished() -> LabSnapshots {
    let mut tools = snap(TOOLS);
    tools.stacks = [
        "LabSCToolsAccountSetup",
        "MLOpsPipelinePrep",
        "MLOpsPipeline",
    ]
    .map(|n| stack(n, "CREATE_COMPLETE"))
    .to_vec();
    tools.buckets = vec![
        bucket(&format!("mlops-bia-lambda-functions-{TOOLS}")),
        bucket(&format!("mlops-bia-data-model-{TOOLS}")),
        bucket(ARTIFACTS),
    ];
    tools.endpoints = vec![endpoint(EP_TOOLS, "InService")];
    let mut ds = snap(DS);
    ds.stacks = vec![
        stack("LabDSAccountSCSetup", "CREATE_COMPLETE"),
        stack("DSResources", "CREATE_COMPLETE"),
        stack(&format!("SC-{DS}-pp-abc"), "CREATE_COMPLETE"),
    ];
    ds.provisioned_products = vec![product(
        "pp-abc",
        "alice-notebook",
        "Amazon Secure Sagemaker",
        "mnist-notebook-data-xyz",
    )];
    ds.buckets = vec![bucket("mnist-notebook-data-xyz")];
    let mut stage = snap(STAGE);
    stage.stacks = vec![stack("StageResources", "CREATE_COMPLETE")];
    stage.buckets = vec![bucket(&format!("mlops-bia-data-model-{STAGE}"))];
    stage.endpoints = vec![endpoint(EP_STAGE, "InService")];
    PerRole([Some(tools), Some(ds), Some(stage), None])
}

fn titles(p: &Plan) -> Vec<String> {
    p.steps
        .iter()
        .map(|s| format!("{} {}", s.role, s.title))
        .collect()
}

fn index(p: &Plan, title: &str) -> usize {
    p.steps
        .iter()
        .position(|s| s.title == title)
        .unwrap_or_else(|| panic!("no step {title} in {:#?}", titles(p)))
}

#[test]
fn a_finished_lab_is_cleaned_in_the_guides_order() {
    let p = plan(&info(), &LabNames::default(), &finished());
    assert!(p.complete() && !p.is_empty());
    assert_eq!(
        titles(&p),
        [
            format!("Stage empty bucket mlops-bia-data-model-{STAGE}"),
            "Stage delete stack StageResources".into(),
            format!("Stage delete endpoint {EP_STAGE}"),
            "DataScience empty and delete bucket mnist-notebook-data-xyz".into(),
            "DataScience terminate provisioned product alice-notebook".into(),
            "DataScience delete stack LabDSAccountSCSetup".into(),
            "DataScience delete stack DSResources".into(),
            format!("Tools delete endpoint {EP_TOOLS}"),
            "Tools delete stack LabSCToolsAccountSetup".into(),
            format!("Tools empty bucket mlops-bia-lambda-functions-{TOOLS}"),
            format!("Tools empty bucket mlops-bia-data-model-{TOOLS}"),
            format!("Tools empty bucket {ARTIFACTS}"),
            "Tools delete stack MLOpsPipeline".into(),
            "Tools delete stack MLOpsPipelinePrep".into(),
        ]
    );
    // Each step acts in its own account with the typed actions it names.
    for s in &p.steps {
        let id = info().accounts[s.role].clone().unwrap_or_default();
        assert_eq!(s.account_id, id, "{}", s.title);
        assert!(!s.actions.is_empty() && !s.resources.is_empty() && !s.why.is_empty());
    }
    let bucket_step = &p.steps[index(&p, "empty and delete bucket mnist-notebook-data-xyz")];
    assert_eq!(
        bucket_step.actions,
        [
            Action::EmptyBucket {
                bucket: "mnist-notebook-data-xyz".into()
            },
            Action::DeleteBucket {
                bucket: "mnist-notebook-data-xyz".into()
            }
        ]
    );
    let terminate = index(&p, "terminate provisioned product alice-notebook");
    assert_eq!(
        p.steps[terminate].actions,
        [Action::TerminateProduct {
            id: "pp-abc".into()
        }]
    );
    assert_eq!(
        p.steps[terminate].wait,
        Some(Wait::ProductGone {
            id: "pp-abc".into(),
            name: "alice-notebook".into()
        })
    );
    // Dependencies: stacks wait for their buckets to be emptied, the catalog stacks for the
    // product's termination, the prep stack for the pipeline stack.
    let pipeline = index(&p, "delete stack MLOpsPipeline");
    let data = index(&p, &format!("empty bucket mlops-bia-data-model-{TOOLS}"));
    let artifacts = index(&p, &format!("empty bucket {ARTIFACTS}"));
    let lambda = index(
        &p,
        &format!("empty bucket mlops-bia-lambda-functions-{TOOLS}"),
    );
    assert_eq!(p.steps[pipeline].after, [data, artifacts]);
    assert_eq!(
        p.steps[index(&p, "delete stack MLOpsPipelinePrep")].after,
        [lambda, pipeline]
    );
    assert_eq!(p.steps[index(&p, "delete stack StageResources")].after, [0]);
    // The retained bucket goes first: once the product is gone nothing names it any more.
    let bucket = index(&p, "empty and delete bucket mnist-notebook-data-xyz");
    assert!(bucket_step.after.is_empty());
    assert_eq!(p.steps[terminate].after, [bucket]);
    for catalog in ["LabDSAccountSCSetup", "LabSCToolsAccountSetup"] {
        assert_eq!(
            p.steps[index(&p, &format!("delete stack {catalog}"))].after,
            [terminate]
        );
    }
    for s in &p.steps {
        assert!(s.after.iter().all(|&a| a < index(&p, &s.title)));
        if let Some(Action::DeleteStack { stack }) = s.actions.first() {
            assert_eq!(s.wait, Some(Wait::StackGone(stack.clone())));
        }
    }
    let text = p.to_string();
    assert!(
        text.starts_with("Cleanup plan for lab alice: 14 steps\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            " 1. [Stage {STAGE}] empty bucket mlops-bia-data-model-{STAGE}\n      touches: bucket mlops-bia-data-model-{STAGE}: every object version and delete marker\n      sends:   delete every object version in mlops-bia-data-model-{STAGE} (s3:ListBucketVersions, s3:DeleteObjectVersion)\n"
        )),
        "{text}"
    );
    assert!(
        text.contains("waits:   stack MLOpsPipeline DELETE_COMPLETE"),
        "{text}"
    );
}

#[test]
fn decoys_and_other_accounts_resources_are_never_planned() {
    let mut snaps = finished();
    let decoy_buckets = [
        format!("mlops-bia-data-model-{STAGE}-backup"),
        format!("mlops-bia-lambda-functions-{TOOLS}-copy"),
        "mlops-bia-codepipeline-artifacts-bob-zzz".to_string(),
        "mlops-bia-codepipeline-artifacts-alix-zzz".to_string(),
        format!("mlops-bia-data-model-{DS}"),
    ];
    let decoy_stacks = ["StageResourcesCopy", "SomeoneElsesStack", "MLOpsPipeline2"];
    let decoy_endpoints = [
        "datascience-project-2026-11-27-09-00-00-Prod",
        "other-project-2026-11-27-09-00-00-Stage",
        "unrelated-endpoint",
    ];
    for role in [Role::Tools, Role::Stage, Role::DataScience] {
        let s = snaps[role].as_mut().expect("snapshot");
        s.buckets.extend(decoy_buckets.iter().map(|b| bucket(b)));
        s.stacks
            .extend(decoy_stacks.map(|n| stack(n, "CREATE_COMPLETE")));
        s.endpoints
            .extend(decoy_endpoints.map(|n| endpoint(n, "InService")));
    }
    // A Stage endpoint seen in Tools and a Tools one in Stage belong to neither plan there.
    let tools = snaps[Role::Tools].as_mut().expect("tools");
    tools.endpoints.push(endpoint(EP_STAGE, "InService"));
    tools
        .buckets
        .insert(0, bucket("mlops-bia-codepipeline-artifacts-bob-aaa"));
    let stage = snaps[Role::Stage].as_mut().expect("stage");
    stage.endpoints.push(endpoint(EP_TOOLS, "InService"));
    // Another product's provisioned product, and a bucket no product of the lab names.
    let ds = snaps[Role::DataScience].as_mut().expect("ds");
    ds.provisioned_products.push(product(
        "pp-other",
        "theirs",
        "Other Product",
        "their-bucket",
    ));
    ds.buckets.push(bucket("their-bucket"));

    let p = plan(&info(), &LabNames::default(), &snaps);
    assert_eq!(p, plan(&info(), &LabNames::default(), &finished()));
    let text = p.to_string();
    for decoy in decoy_buckets
        .iter()
        .map(String::as_str)
        .chain(decoy_stacks)
        .chain(decoy_endpoints)
        .chain(["pp-other", "their-bucket", "artifacts-bob"])
    {
        assert!(!text.contains(decoy), "{decoy} planned:\n{text}");
    }
}

#[test]
fn a_snapshot_of_another_account_or_an_unreadable_one_is_not_planned() {
    let mut snaps = finished();
    snaps[Role::Stage] = Some(snap("999999999999"));
    if let Some(ds) = snaps[Role::DataScience].as_mut() {
        ds.error = Some(AccountError {
            kind: ErrorKind::AccessDenied,
            message: "AccessDenied: no".into(),
        });
    }
    let p = plan(&info(), &LabNames::default(), &snaps);
    assert!(!p.complete() && !p.is_empty());
    assert_eq!(
        p.unreadable,
        [
            (
                Role::Stage,
                format!("read account 999999999999, but {STAGE} is configured")
            ),
            (Role::DataScience, "AccessDenied: no".to_string())
        ]
    );
    assert!(p.steps.iter().all(|s| s.role == Role::Tools));
    assert!(
        p.to_string()
            .contains("cannot read the DataScience account: AccessDenied: no")
    );
}

#[test]
fn a_lab_with_everything_gone_plans_nothing_and_says_so() {
    let snaps = PerRole([Some(snap(TOOLS)), Some(snap(DS)), Some(snap(STAGE)), None]);
    let p = plan(&info(), &LabNames::default(), &snaps);
    assert!(p.is_empty() && p.complete());
    assert_eq!(p.to_string(), "alice: nothing to clean up\n");
    // Stacks already DELETE_COMPLETE are gone too.
    let mut snaps = snaps;
    if let Some(s) = snaps[Role::Stage].as_mut() {
        s.stacks.push(stack("StageResources", "DELETE_COMPLETE"));
    }
    assert!(plan(&info(), &LabNames::default(), &snaps).is_empty());
}

#[test]
fn a_resumed_cleanup_only_waits_for_what_is_already_going() {
    let mut snaps = finished();
    if let Some(t) = snaps[Role::Tools].as_mut() {
        t.stacks[2].status = "DELETE_IN_PROGRESS".into();
        t.endpoints[0].status = "Deleting".into();
        t.buckets.clear();
    }
    if let Some(d) = snaps[Role::DataScience].as_mut() {
        d.provisioned_products[0].status = "UNDER_CHANGE".into();
    }
    let p = plan(&info(), &LabNames::default(), &snaps);
    for title in [
        "wait for stack MLOpsPipeline to delete",
        &format!("wait for endpoint {EP_TOOLS} to go"),
        "wait for provisioned product alice-notebook to settle",
    ] {
        let s = &p.steps[index(&p, title)];
        assert!(s.actions.is_empty(), "{title}: {:?}", s.actions);
        assert!(s.wait.is_some());
    }
    // A stack that failed to delete is deleted again.
    if let Some(t) = snaps[Role::Tools].as_mut() {
        t.stacks[2].status = "DELETE_FAILED".into();
    }
    let p = plan(&info(), &LabNames::default(), &snaps);
    assert_eq!(
        p.steps[index(&p, "delete stack MLOpsPipeline")].actions,
        [Action::DeleteStack {
            stack: "MLOpsPipeline".into()
        }]
    );
}
