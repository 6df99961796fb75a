//! Unit tests of the cleanup plan: the guide's order, decoys left alone, nothing left says so.

use std::collections::BTreeMap;

use super::*;
use crate::lab::{AccountError, Bucket, Endpoint, ErrorKind, PerRole, ProvisionedProduct};

const TOOLS: &str = "111111111111";
const DS: &str = "222222222222";
const STAGE: &str = "333333333333";
const EP_TOOLS: &str = "datascience-project-2026-11-27-09-00-00-Tools";
const EP_STAGE: &str = "datascience-project-2026-11-27-09-00-00-Stage";
const ARTIFACTS: &str = "mlops-bia-codepipeline-artifacts-ali-0a1b2c3d";
const DS_DATA: &str = "datascience-project-222222222222";

fn info() -> LabInfo {
    LabInfo {
        name: "alice".into(),
        unique_id: Some("ali".into()),
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
    ds.buckets = vec![bucket("mnist-notebook-data-xyz"), bucket(DS_DATA)];
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
            format!("Stage delete endpoint {EP_STAGE}"),
            format!("Stage empty bucket mlops-bia-data-model-{STAGE}"),
            "Stage delete stack StageResources".into(),
            "DataScience empty and delete bucket mnist-notebook-data-xyz".into(),
            "DataScience terminate provisioned product alice-notebook".into(),
            "DataScience delete stack LabDSAccountSCSetup".into(),
            format!("DataScience empty bucket {DS_DATA}"),
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
    let tools_endpoint = index(&p, &format!("delete endpoint {EP_TOOLS}"));
    assert_eq!(p.steps[pipeline].after, [tools_endpoint, data, artifacts]);
    assert_eq!(
        p.steps[index(&p, "delete stack MLOpsPipelinePrep")].after,
        [lambda, pipeline]
    );
    // StageResources holds the role SageMaker deletes the -Stage endpoint with: it goes last.
    assert_eq!(
        p.steps[index(&p, "delete stack StageResources")].after,
        [0, 1]
    );
    assert_eq!(
        p.steps[index(&p, "delete stack DSResources")].after,
        [terminate, index(&p, &format!("empty bucket {DS_DATA}"))]
    );
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
        text.starts_with("Cleanup plan for lab alice: 15 steps\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            " 2. [Stage {STAGE}] empty bucket mlops-bia-data-model-{STAGE}\n      touches: bucket mlops-bia-data-model-{STAGE}: every object version and delete marker\n      sends:   delete every object version in mlops-bia-data-model-{STAGE} (s3:ListBucketVersions, s3:DeleteObjectVersion)\n"
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
        // Another lab whose UniqueID is `ali-x`, in the same account.
        "mlops-bia-codepipeline-artifacts-ali-x-0a1b2c3d".to_string(),
        "mlops-bia-codepipeline-artifacts-ali-0a1b2c3g".to_string(),
        format!("mlops-bia-data-model-{DS}"),
        format!("datascience-project-{TOOLS}"),
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
    // A provisioned product without a product name is never the lab's.
    ds.provisioned_products
        .push(product("pp-unnamed", "nameless", "", "nameless-bucket"));
    ds.buckets.push(bucket("nameless-bucket"));

    let p = plan(&info(), &LabNames::default(), &snaps);
    assert_eq!(p, plan(&info(), &LabNames::default(), &finished()));
    let text = p.to_string();
    for decoy in decoy_buckets
        .iter()
        .map(String::as_str)
        .chain(decoy_stacks)
        .chain(decoy_endpoints)
        .chain([
            "pp-other",
            "their-bucket",
            "artifacts-bob",
            "pp-unnamed",
            "nameless",
        ])
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
            detail: String::new(),
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

/// The snapshot of `role` in `snaps`.
fn account(snaps: &mut LabSnapshots, role: Role) -> &mut AccountSnapshot {
    snaps[role].as_mut().expect("snapshot")
}

fn withheld_titles(p: &Plan) -> Vec<String> {
    p.withheld
        .iter()
        .map(|w| format!("{} {}", w.role, w.title))
        .collect()
}

#[test]
fn unreadable_products_withhold_what_needs_them_and_the_rest_is_planned() {
    let mut snaps = finished();
    let cause = "SearchProvisionedProducts failed: HTTP 500";
    let ds = account(&mut snaps, Role::DataScience);
    ds.provisioned_products.clear();
    ds.mark_unknown(Part::Products, cause);
    let p = plan(&info(), &LabNames::default(), &snaps);
    assert!(!p.complete() && p.accounts_read() && !p.is_empty());
    assert_eq!(
        withheld_titles(&p),
        [
            "DataScience terminate the lab's provisioned products (and empty and delete their retained buckets)",
            "DataScience delete stack LabDSAccountSCSetup",
            "DataScience delete stack DSResources",
        ]
    );
    for w in &p.withheld {
        assert!(w.cause.contains(cause), "{w}");
        assert_eq!(w.account_id, DS);
    }
    // Nothing of DataScience is planned; Stage and Tools are, whole.
    assert!(p.steps.iter().all(|s| s.role != Role::DataScience));
    assert_eq!(p.steps.iter().filter(|s| s.role == Role::Stage).count(), 3);
    assert_eq!(p.steps.iter().filter(|s| s.role == Role::Tools).count(), 7);
    let text = p.to_string();
    assert!(
        text.starts_with("Cleanup plan for lab alice: 10 steps, incomplete: 3 withheld\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  withheld: [DataScience {DS}] delete stack LabDSAccountSCSetup: the notebook product must be terminated first"
        )),
        "{text}"
    );
    assert!(
        text.contains("DataScience provisioned products could not be read (SearchProvisionedProducts failed: HTTP 500)"),
        "{text}"
    );
}

#[test]
fn unreadable_stage_endpoints_withhold_stage_resources_but_not_its_bucket() {
    let mut snaps = finished();
    let stage = account(&mut snaps, Role::Stage);
    stage.endpoints.clear();
    stage.mark_unknown(
        Part::Endpoints,
        "ListEndpoints failed: AccessDeniedException: no",
    );
    let p = plan(&info(), &LabNames::default(), &snaps);
    assert_eq!(
        withheld_titles(&p),
        [
            "Stage delete the lab's datascience-project-*-Stage endpoints, configs and models",
            "Stage delete stack StageResources",
        ]
    );
    assert!(
        p.withheld[1].cause.contains("execution role"),
        "{}",
        p.withheld[1]
    );
    let stage_steps: Vec<String> = titles(&p)
        .into_iter()
        .filter(|t| t.starts_with("Stage"))
        .collect();
    assert_eq!(
        stage_steps,
        [format!("Stage empty bucket mlops-bia-data-model-{STAGE}")]
    );
}

#[test]
fn unreadable_stacks_withhold_every_stack_and_one_bucket_only_its_own_stack() {
    let mut snaps = finished();
    let tools = account(&mut snaps, Role::Tools);
    tools.stacks.clear();
    tools.mark_unknown(Part::Stacks, "DescribeStacks failed: AccessDenied");
    let stage = account(&mut snaps, Role::Stage);
    let stage_bucket = format!("mlops-bia-data-model-{STAGE}");
    stage.buckets.clear();
    stage.mark_unknown(
        Part::Bucket(stage_bucket.clone()),
        "HeadBucket failed: access denied",
    );
    let p = plan(&info(), &LabNames::default(), &snaps);
    let withheld = withheld_titles(&p);
    for t in [
        "Tools delete stack LabSCToolsAccountSetup (if present)",
        "Tools delete stack MLOpsPipeline (if present)",
        "Tools delete stack MLOpsPipelinePrep (if present)",
        &format!("Stage empty bucket {stage_bucket}"),
        "Stage delete stack StageResources",
    ] {
        assert!(withheld.iter().any(|w| w == t), "{t} not in {withheld:#?}");
    }
    // The Tools buckets and endpoint need no stack knowledge; the Stage endpoint neither.
    let planned = titles(&p);
    for t in [
        format!("Tools empty bucket mlops-bia-lambda-functions-{TOOLS}"),
        format!("Tools delete endpoint {EP_TOOLS}"),
        format!("Stage delete endpoint {EP_STAGE}"),
    ] {
        assert!(planned.contains(&t), "{t} not in {planned:#?}");
    }
    assert!(
        !planned
            .iter()
            .any(|t| t.contains("delete stack") && t.starts_with("Tools"))
    );
}

#[test]
fn the_artifacts_bucket_is_the_pipelines_store_or_exactly_the_uids() {
    let names = LabNames::default();
    // The pipeline names its store: that bucket, whatever it looks like; the look-alike stays.
    let mut snaps = finished();
    let tools = account(&mut snaps, Role::Tools);
    tools.buckets.retain(|b| b.name != ARTIFACTS);
    tools.buckets.push(bucket("store-of-the-pipeline"));
    tools
        .buckets
        .push(bucket("mlops-bia-codepipeline-artifacts-ali-x-0a1b2c3d"));
    tools.pipelines.push(crate::lab::Pipeline {
        name: "MLOpsPipeline-CodePipeline-ABC".into(),
        artifact_bucket: Some("store-of-the-pipeline".into()),
        ..Default::default()
    });
    let p = plan(&info(), &names, &snaps);
    let t = titles(&p);
    assert!(
        t.contains(&"Tools empty bucket store-of-the-pipeline".to_string()),
        "{t:#?}"
    );
    assert!(!p.to_string().contains("ali-x-"));
    // The pipeline unreadable: only the exact `<prefix><uid>-<8 hex>` name.
    let tools = account(&mut snaps, Role::Tools);
    tools.mark_unknown(Part::Pipelines, "GetPipelineState failed: denied");
    tools.buckets.push(bucket(ARTIFACTS));
    let p = plan(&info(), &names, &snaps);
    let t = titles(&p);
    assert!(
        t.contains(&format!("Tools empty bucket {ARTIFACTS}")),
        "{t:#?}"
    );
    assert!(
        !t.iter()
            .any(|x| x.contains("store-of-the-pipeline") || x.contains("ali-x-"))
    );
    // Neither the pipeline nor the bucket list: the artifacts bucket and its stack are withheld.
    let tools = account(&mut snaps, Role::Tools);
    tools.buckets.retain(|b| b.name != ARTIFACTS);
    tools.mark_unknown(Part::BucketList, "ListBuckets failed: denied");
    let p = plan(&info(), &names, &snaps);
    let w = withheld_titles(&p);
    assert!(
        w.contains(
            &"Tools empty the artifacts bucket mlops-bia-codepipeline-artifacts-ali-…".to_string()
        ),
        "{w:#?}"
    );
    assert!(
        w.contains(&"Tools delete stack MLOpsPipeline".to_string()),
        "{w:#?}"
    );
    assert!(
        w.contains(&"Tools delete stack MLOpsPipelinePrep".to_string()),
        "{w:#?}"
    );
}

#[test]
fn a_renamed_product_is_the_labs_by_the_tools_product_id() {
    let mut snaps = finished();
    let tools = account(&mut snaps, Role::Tools);
    tools.stacks[0]
        .outputs
        .insert("SagemakerProductID".into(), "prod-lab".into());
    let ds = account(&mut snaps, Role::DataScience);
    let mut renamed = product("pp-ren", "renamed-notebook", "Secure notebook v2", "b2");
    renamed.product_id = "prod-lab".into();
    let mut foreign = product("pp-for", "foreign", "Secure notebook v2", "b3");
    foreign.product_id = "prod-other".into();
    ds.provisioned_products.extend([renamed, foreign]);
    let p = plan(&info(), &LabNames::default(), &snaps);
    let t = titles(&p);
    assert!(t.contains(&"DataScience terminate provisioned product renamed-notebook".to_string()));
    assert!(!p.to_string().contains("pp-for"));
}

#[test]
fn without_a_configured_uid_the_artifacts_bucket_is_the_pipeline_stacks_uids() {
    let names = LabNames::default();
    let mut snaps = finished();
    let tools = account(&mut snaps, Role::Tools);
    tools.mark_unknown(Part::Pipelines, "GetPipelineState failed: denied");
    let lab = LabInfo {
        unique_id: None,
        ..info()
    };
    // No UniqueID anywhere: the bucket is not taken for the lab's.
    let t = titles(&plan(&lab, &names, &snaps));
    assert!(!t.iter().any(|x| x.contains(ARTIFACTS)), "{t:#?}");
    // The pipeline stack's parameter names it.
    let tools = account(&mut snaps, Role::Tools);
    for s in tools
        .stacks
        .iter_mut()
        .filter(|s| s.name == "MLOpsPipeline")
    {
        s.parameters.insert("UniqueID".into(), "ali".into());
    }
    let t = titles(&plan(&lab, &names, &snaps));
    assert!(
        t.contains(&format!("Tools empty bucket {ARTIFACTS}")),
        "{t:#?}"
    );
}

#[test]
fn a_product_whose_outputs_cannot_be_read_is_not_terminated() {
    let mut snaps = finished();
    let ds = account(&mut snaps, Role::DataScience);
    ds.provisioned_products[0].outputs.clear();
    ds.mark_unknown(
        Part::ProductOutputs,
        "GetProvisionedProductOutputs failed: HTTP 500",
    );
    let p = plan(&info(), &LabNames::default(), &snaps);
    // Its retained bucket is named only by an output: terminating now would lose it.
    assert!(p.steps.iter().all(|s| s.role != Role::DataScience), "{p}");
    let w = withheld_titles(&p);
    assert!(
        w.contains(&"DataScience delete stack LabDSAccountSCSetup".to_string()),
        "{w:#?}"
    );
    assert!(
        p.withheld[0]
            .cause
            .contains("provisioned product outputs could not be read"),
        "{}",
        p.withheld[0]
    );
}
