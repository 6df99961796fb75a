//! Hand-built lab snapshots: a finished lab, to be taken apart by each test.

use std::collections::BTreeMap;

use crossdeck::lab::progress::LabSnapshots;
use crossdeck::lab::*;

pub const TOOLS: &str = "111111111111";
pub const DS: &str = "222222222222";
pub const STAGE: &str = "333333333333";
pub const T0: Timestamp = Timestamp::from_secs(1_795_770_000);

pub fn info() -> LabInfo {
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

pub fn stack(name: &str, status: &str) -> Stack {
    Stack {
        name: name.into(),
        status: status.into(),
        created: T0,
        updated: T0,
        ..Stack::default()
    }
}

pub fn bucket(name: String, versioned: bool, objects: &[&str]) -> Bucket {
    Bucket {
        name,
        versioned,
        objects: objects.iter().map(|o| o.to_string()).collect(),
    }
}

pub fn action(name: &str, status: &str) -> PipelineAction {
    PipelineAction {
        name: name.into(),
        status: Some(status.into()),
        started: Some(T0),
        last_change: Some(T0.plus_secs(30)),
        execution_id: Some("0f1e2d3c-aaaa-bbbb-cccc-000000000001".into()),
        ..PipelineAction::default()
    }
}

pub fn pipeline(status: [&str; 7]) -> Pipeline {
    let stage = |name: &str, actions: Vec<PipelineAction>| PipelineStage {
        name: name.into(),
        inbound_enabled: true,
        status: Some(
            if actions
                .iter()
                .any(|a| a.status.as_deref() == Some("Failed"))
            {
                "Failed"
            } else if actions
                .iter()
                .all(|a| a.status.as_deref() == Some("Succeeded"))
            {
                "Succeeded"
            } else {
                "InProgress"
            }
            .into(),
        ),
        actions,
        ..PipelineStage::default()
    };
    Pipeline {
        name: "MLOpsPipeline-CodePipeline-ABCDEF123456".into(),
        artifact_bucket: None,
        stages: vec![
            stage("Source", vec![action("Data", status[0])]),
            stage(
                "DeployModel-Tools",
                vec![
                    action("DeployToToolsEnv", status[1]),
                    action("GetDeployStatus", status[2]),
                    action("SmokeTest", status[3]),
                ],
            ),
            stage(
                "DeployModel-Stage",
                vec![
                    action("DeployToStageEnv", status[4]),
                    action("GetStageDeployStatus", status[5]),
                    action("FullTest", status[6]),
                ],
            ),
        ],
        latest_execution: Some(PipelineExecution {
            id: "0f1e2d3c-aaaa-bbbb-cccc-000000000001".into(),
            status: "Succeeded".into(),
            started: T0,
        }),
    }
}

pub fn endpoint(suffix: &str, status: &str) -> Endpoint {
    Endpoint {
        name: format!("datascience-project-2026-11-27-09-00-00-{suffix}"),
        status: status.into(),
        instance_type: "ml.t2.medium".into(),
        instance_count: 1,
        created: T0,
        ..Endpoint::default()
    }
}

/// Every step of the guide done: both endpoints InService.
pub fn complete_lab() -> LabSnapshots {
    let n = LabNames::default();
    let zips: Vec<&str> = n.lambda_zips.iter().map(String::as_str).collect();
    let mut tools = AccountSnapshot::empty(TOOLS, T0);
    tools.stacks = vec![
        stack("LabSCToolsAccountSetup", "CREATE_COMPLETE"),
        stack("MLOpsPipelinePrep", "CREATE_COMPLETE"),
        stack("MLOpsPipeline", "CREATE_COMPLETE"),
    ];
    tools.portfolio_shares = vec![PortfolioShare {
        portfolio_id: "port-abc".into(),
        portfolio_name: n.portfolio_name.clone(),
        shared_with: DS.into(),
        accepted: true,
    }];
    tools.buckets = vec![
        bucket(n.lambda_bucket(TOOLS), true, &zips),
        bucket(n.data_model_bucket(TOOLS), true, &["models/model.tar.gz"]),
    ];
    tools.pipelines = vec![pipeline(["Succeeded"; 7])];
    tools.endpoints = vec![endpoint("Tools", "InService")];

    let mut ds = AccountSnapshot::empty(DS, T0);
    ds.stacks = vec![stack("LabDSAccountSCSetup", "CREATE_COMPLETE")];
    ds.provisioned_products = vec![ProvisionedProduct {
        name: "alice-notebook".into(),
        id: "pp-abc".into(),
        product_name: n.product_name.clone(),
        status: "AVAILABLE".into(),
        outputs: BTreeMap::from([("BucketName".into(), "nb-bucket".into())]),
        created: T0,
        ..ProvisionedProduct::default()
    }];
    ds.notebooks = vec![NotebookInstance {
        name: "SC-222222222222-pp-abc-NotebookInstance-mnist".into(),
        status: "InService".into(),
        instance_type: "ml.t3.medium".into(),
        created: T0,
        modified: T0,
    }];

    let mut stage = AccountSnapshot::empty(STAGE, T0);
    stage.stacks = vec![stack("StageResources", "CREATE_COMPLETE")];
    stage.buckets = vec![bucket(n.data_model_bucket(STAGE), true, &[])];
    stage.endpoints = vec![endpoint("Stage", "InService")];

    PerRole([Some(tools), Some(ds), Some(stage), None])
}

pub fn tools(lab: &mut LabSnapshots) -> &mut AccountSnapshot {
    lab[Role::Tools].as_mut().expect("tools snapshot")
}

pub fn ds(lab: &mut LabSnapshots) -> &mut AccountSnapshot {
    lab[Role::DataScience]
        .as_mut()
        .expect("datascience snapshot")
}

pub fn stage(lab: &mut LabSnapshots) -> &mut AccountSnapshot {
    lab[Role::Stage].as_mut().expect("stage snapshot")
}
