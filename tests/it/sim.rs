//! The simulated lab: the healthy story, scripted faults, determinism, approvals, deletes and scale.

use std::sync::Arc;

use crossdeck::backend::sim::{Clock, Fault, ManualClock, SIM_EPOCH, SimBackend, SimOptions};
use crossdeck::backend::{AccountKey, Action, ActionError, Backend};
use crossdeck::lab::{
    AccountError, AccountSnapshot, ErrorKind, LabNames, Pipeline, Role, Timestamp,
};

const HOUR: i64 = 3600;

/// A named condition on one lab's accounts.
type Check<'a> = Box<dyn Fn(&World) -> bool + 'a>;

struct Sim {
    sim: SimBackend,
    clock: ManualClock,
}

/// The three accounts of one lab at one moment (Stage is `None` when it cannot be read).
struct World {
    tools: AccountSnapshot,
    ds: AccountSnapshot,
    stage: Option<AccountSnapshot>,
}

impl World {
    fn stack_status(&self, role: Role, name: &str) -> Option<&str> {
        let snap = match role {
            Role::Tools => Some(&self.tools),
            Role::DataScience => Some(&self.ds),
            _ => self.stage.as_ref(),
        };
        snap?.stack(name).map(|s| s.status.as_str())
    }

    fn pipeline(&self) -> Option<&Pipeline> {
        self.tools.pipelines.first()
    }

    fn action_status(&self, stage: &str, action: &str) -> Option<&str> {
        self.pipeline()?
            .stage(stage)?
            .action(action)?
            .status
            .as_deref()
    }

    fn execution_status(&self) -> Option<&str> {
        Some(self.pipeline()?.latest_execution.as_ref()?.status.as_str())
    }

    fn endpoint_status(&self, role: Role) -> Option<&str> {
        let snap = if role == Role::Tools {
            Some(&self.tools)
        } else {
            self.stage.as_ref()
        };
        snap?.endpoints.first().map(|e| e.status.as_str())
    }
}

impl Sim {
    fn new(opts: SimOptions) -> Self {
        let clock = ManualClock::new();
        let sim = SimBackend::new(opts, Arc::new(clock.clone()));
        Sim { sim, clock }
    }

    fn one(approval_gate: bool) -> Self {
        Sim::new(SimOptions {
            participants: 1,
            approval_gate,
            ..SimOptions::default()
        })
    }

    fn names(&self) -> LabNames {
        self.sim.names().clone()
    }

    async fn read(&self, lab: usize, role: Role) -> Result<AccountSnapshot, AccountError> {
        self.sim.snapshot(AccountKey { lab, role }).await
    }

    async fn world(&self, lab: usize) -> World {
        World {
            tools: self.read(lab, Role::Tools).await.expect("tools readable"),
            ds: self
                .read(lab, Role::DataScience)
                .await
                .expect("datascience readable"),
            stage: self.read(lab, Role::Stage).await.ok(),
        }
    }

    async fn act(&self, lab: usize, role: Role, action: Action) -> Result<String, ActionError> {
        self.sim
            .act(AccountKey { lab, role }, action)
            .await
            .map(|d| d.summary)
    }

    /// Step the clock until `done` holds for `lab`, within `limit` sim seconds.
    async fn until(
        &self,
        lab: usize,
        step: i64,
        limit: i64,
        done: impl Fn(&World) -> bool,
    ) -> World {
        let end = self.clock.now().plus_secs(limit);
        loop {
            let w = self.world(lab).await;
            if done(&w) {
                return w;
            }
            assert!(
                self.clock.now() < end,
                "condition not reached by {}",
                self.clock.now()
            );
            self.clock.advance_secs(step);
        }
    }
}

#[tokio::test]
async fn a_healthy_participant_walks_the_whole_guide() {
    let s = Sim::one(false);
    let n = s.names();
    let lab = &s.sim.labs()[0];
    let tools = lab.accounts[Role::Tools].clone().expect("tools id");
    let ds = lab.accounts[Role::DataScience].clone().expect("ds id");
    let stage = lab.accounts[Role::Stage].clone().expect("stage id");
    assert_eq!(lab.accounts[Role::Production], None);
    assert_eq!(
        (lab.name.as_str(), lab.unique_id.as_deref()),
        ("alice", Some("ali0"))
    );
    assert_eq!(tools, "111100000000");
    assert_eq!(s.sim.fault_of(0), None);

    // Watch from before the participant starts (6 minutes before the epoch).
    s.clock.set(SIM_EPOCH.plus_secs(-600));
    let empty = s.world(0).await;
    assert!(empty.tools.stacks.is_empty());

    let lambda_bucket = n.lambda_bucket(&tools);
    let tools_model = n.data_model_bucket(&tools);
    let zips = |w: &World| {
        w.tools
            .buckets
            .iter()
            .find(|b| b.name == lambda_bucket)
            .map_or(0, |b| b.objects.len())
    };
    let checks: Vec<(&str, Check)> = vec![
        (
            "catalog creating",
            Box::new(|w| {
                w.tools.stack(&n.tools_catalog_stack).is_some_and(|st| {
                    st.status == "CREATE_IN_PROGRESS"
                        && st
                            .events
                            .iter()
                            .any(|e| e.resource_type.starts_with("AWS::ServiceCatalog::"))
                })
            }),
        ),
        (
            "catalog complete",
            Box::new(|w| {
                w.tools.stack(&n.tools_catalog_stack).is_some_and(|st| {
                    st.status == "CREATE_COMPLETE"
                        && st.outputs["MasterPortfolioId"].starts_with("port-")
                        && st.outputs["SagemakerProductID"].starts_with("prod-")
                        && st.outputs["ToolsAccountID"] == tools
                })
            }),
        ),
        (
            "share",
            Box::new(|w| {
                w.tools
                    .portfolio_shares
                    .iter()
                    .any(|sh| sh.shared_with == ds && !sh.accepted)
            }),
        ),
        (
            "prep",
            Box::new(|w| {
                w.stack_status(Role::Tools, &n.prep_stack) == Some("CREATE_COMPLETE")
                    && w.tools
                        .buckets
                        .iter()
                        .any(|b| b.name == lambda_bucket && b.versioned)
            }),
        ),
        ("zip 1", Box::new(|w| zips(w) >= 1)),
        ("zip 2", Box::new(|w| zips(w) >= 2)),
        ("zip 3", Box::new(|w| zips(w) == 3)),
        (
            "pipeline creating",
            Box::new(|w| {
                w.stack_status(Role::Tools, &n.pipeline_stack) == Some("CREATE_IN_PROGRESS")
            }),
        ),
        (
            "pipeline complete",
            Box::new(|w| {
                w.stack_status(Role::Tools, &n.pipeline_stack) == Some("CREATE_COMPLETE")
                    && w.pipeline().is_some_and(|p| {
                        p.name.starts_with(&n.pipeline_prefix)
                            && p.stages
                                .iter()
                                .flat_map(|st| &st.actions)
                                .all(|a| a.status.is_none())
                    })
                    && w.tools
                        .bucket_with_prefix(&n.artifacts_bucket_prefix)
                        .is_some()
                    && w.tools.buckets.iter().any(|b| b.name == tools_model)
            }),
        ),
        (
            "ds and stage stacks",
            Box::new(|w| {
                w.stack_status(Role::DataScience, &n.ds_catalog_stack) == Some("CREATE_COMPLETE")
                    && w.stack_status(Role::Stage, &n.stage_stack) == Some("CREATE_COMPLETE")
                    && w.tools.portfolio_shares.iter().all(|sh| sh.accepted)
            }),
        ),
        (
            "product launching",
            Box::new(|w| {
                w.ds.provisioned_products
                    .iter()
                    .any(|p| p.status == "UNDER_CHANGE")
            }),
        ),
        (
            "notebook pending",
            Box::new(|w| w.ds.notebooks.iter().any(|nb| nb.status == "Pending")),
        ),
        (
            "product available",
            Box::new(|w| {
                w.ds.provisioned_products
                    .iter()
                    .any(|p| p.status == "AVAILABLE")
                    && w.ds.notebooks.iter().any(|nb| nb.status == "InService")
            }),
        ),
        (
            "model uploaded",
            Box::new(|w| {
                w.tools
                    .buckets
                    .iter()
                    .any(|b| b.name == tools_model && b.has(&n.model_key))
            }),
        ),
        (
            "source succeeded",
            Box::new(|w| w.action_status(&n.source_stage, "Data") == Some("Succeeded")),
        ),
        (
            "tools endpoint creating",
            Box::new(|w| w.endpoint_status(Role::Tools) == Some("Creating")),
        ),
        (
            "tools endpoint in service",
            Box::new(|w| w.endpoint_status(Role::Tools) == Some("InService")),
        ),
        (
            "tools stage succeeded",
            Box::new(|w| {
                w.pipeline()
                    .and_then(|p| p.stage(&n.tools_stage)?.status.as_deref())
                    == Some("Succeeded")
            }),
        ),
        (
            "stage endpoint in service",
            Box::new(|w| w.endpoint_status(Role::Stage) == Some("InService")),
        ),
        (
            "execution succeeded",
            Box::new(|w| w.execution_status() == Some("Succeeded")),
        ),
    ];

    let mut seen: Vec<Option<Timestamp>> = vec![None; checks.len()];
    let mut ds_done = None;
    let mut stage_done = None;
    let mut tools_endpoint = None;
    let end = SIM_EPOCH.plus_secs(4 * HOUR);
    while s.clock.now() < end && seen.iter().any(Option::is_none) {
        let w = s.world(0).await;
        for (i, (_, check)) in checks.iter().enumerate() {
            if seen[i].is_none() && check(&w) {
                seen[i] = Some(s.clock.now());
            }
        }
        if ds_done.is_none()
            && w.stack_status(Role::DataScience, &n.ds_catalog_stack) == Some("CREATE_COMPLETE")
        {
            ds_done = Some(s.clock.now());
        }
        if stage_done.is_none()
            && w.stack_status(Role::Stage, &n.stage_stack) == Some("CREATE_COMPLETE")
        {
            stage_done = Some(s.clock.now());
        }
        if let Some(e) = w.tools.endpoints.first() {
            tools_endpoint.get_or_insert(e.created);
        }
        s.clock.advance_secs(30);
    }
    for ((name, _), at) in checks.iter().zip(&seen) {
        assert!(at.is_some(), "never saw: {name}");
    }
    for i in 1..seen.len() {
        assert!(
            seen[i - 1] <= seen[i],
            "{} came after {}",
            checks[i - 1].0,
            checks[i].0
        );
    }
    // Steps 1.5 and 1.7 come after the pipeline stack, in either order, before the notebook.
    let pipeline_done = seen[8];
    assert!(ds_done > pipeline_done && stage_done > pipeline_done);
    assert!(ds_done < seen[10] && stage_done < seen[10]);

    // Endpoint creation takes 9 to 11 sim minutes (observed at 30-second steps).
    let created = tools_endpoint.expect("tools endpoint");
    let in_service = seen[16].expect("in service");
    let took = in_service.secs_since(created);
    assert!(
        (9 * 60..=11 * 60 + 30).contains(&took),
        "endpoint took {took}s"
    );

    // The final state, in detail.
    let w = s.world(0).await;
    let p = w.pipeline().expect("pipeline");
    let exec = p.latest_execution.as_ref().expect("execution");
    assert_eq!(exec.id.len(), 36);
    for st in &p.stages {
        assert_eq!(st.status.as_deref(), Some("Succeeded"), "{}", st.name);
        for a in &st.actions {
            assert_eq!(a.execution_id.as_deref(), Some(exec.id.as_str()));
            assert!(a.started.is_some() && a.last_change >= a.started);
        }
    }
    let tools_ep = &w.tools.endpoints[0];
    let stage_ep = &w.stage.as_ref().expect("stage").endpoints[0];
    assert!(tools_ep.name.starts_with(&n.endpoint_prefix) && tools_ep.name.ends_with("-Tools"));
    assert_eq!(tools_ep.name.replace("-Tools", "-Stage"), stage_ep.name);
    assert_eq!(
        (tools_ep.instance_type.as_str(), tools_ep.instance_count),
        ("ml.t2.medium", 1)
    );
    let pipeline_stack = w.tools.stack(&n.pipeline_stack).expect("pipeline stack");
    assert_eq!(pipeline_stack.outputs["CodePipeline"], p.name);
    assert_eq!(pipeline_stack.parameters["StageAccountID"], stage);
    let ds_stack = w.ds.stack(&n.ds_catalog_stack).expect("ds stack");
    assert!(
        ds_stack.outputs["SwitchRoleLink"]
            .contains(&format!("roleName=DataScientist&account={ds}"))
    );
    let product = &w.ds.provisioned_products[0];
    assert_eq!(product.product_name, n.product_name);
    assert!(product.outputs.contains_key("SageMakerNoteBookURL"));
    let nb = &w.ds.notebooks[0];
    assert!(nb.name.starts_with(&format!("SC-{ds}-pp-")) && nb.name.contains("-NotebookInstance-"));
    assert!(w.ds.stacks.iter().any(|st| nb.name.starts_with(&st.name)));
    assert!(w.tools.stacks.iter().all(|st| st.events.len() <= 50));
    assert!(!w.tools.in_progress() && !w.ds.in_progress());
}

#[tokio::test]
async fn faults_play_out_as_configured() {
    let s = Sim::new(SimOptions::default());
    let n = s.names();
    assert_eq!(s.sim.labs().len(), 6);
    let faults: Vec<_> = (0..7).map(|i| s.sim.fault_of(i)).collect();
    assert_eq!(
        faults,
        [
            None,
            Some(Fault::StackRollback),
            Some(Fault::ActionFails),
            Some(Fault::EndpointFails),
            Some(Fault::CredentialsDenied),
            None,
            None
        ]
    );
    s.clock.advance_secs(4 * HOUR);
    let labs = s.sim.labs();

    // 1: a forgotten zip rolls the pipeline stack back; the other accounts carry on.
    let w = s.world(1).await;
    let st = w.tools.stack(&n.pipeline_stack).expect("pipeline stack");
    assert_eq!(st.status, "ROLLBACK_COMPLETE");
    assert_eq!(
        st.reason.as_deref(),
        Some(
            "The following resource(s) failed to create: [EvaluateModelLambda]. Rollback requested by user."
        )
    );
    let failed = st
        .events
        .iter()
        .find(|e| e.logical_id == "EvaluateModelLambda" && e.status == "CREATE_FAILED")
        .expect("CREATE_FAILED event");
    assert_eq!(failed.resource_type, "AWS::Lambda::Function");
    let reason = failed.reason.as_deref().unwrap_or_default();
    assert!(reason.starts_with(
        "Resource handler returned message: \"Error occurred while GetObject. S3 Error Code: NoSuchKey."
    ));
    assert!(st.events.iter().any(|e| e.status == "ROLLBACK_IN_PROGRESS"));
    assert!(st.events.iter().any(|e| e.status == "DELETE_COMPLETE"));
    assert!(w.pipeline().is_none());
    let zips = w
        .tools
        .bucket_with_prefix(&n.lambda_bucket_prefix)
        .expect("lambda bucket");
    assert_eq!(zips.objects.len(), 2);
    assert!(!zips.has(&n.lambda_zips[2]));
    assert_eq!(
        w.stack_status(Role::DataScience, &n.ds_catalog_stack),
        Some("CREATE_COMPLETE")
    );
    assert_eq!(
        w.stack_status(Role::Stage, &n.stage_stack),
        Some("CREATE_COMPLETE")
    );
    assert_eq!(w.ds.notebooks[0].status, "InService");

    // 2: the Stage deployment cannot assume its role.
    let w = s.world(2).await;
    let (tools, stage, uid) = (
        labs[2].accounts[Role::Tools].clone().unwrap_or_default(),
        labs[2].accounts[Role::Stage].clone().unwrap_or_default(),
        labs[2].unique_id.clone().unwrap_or_default(),
    );
    let p = w.pipeline().expect("pipeline");
    let deploy = p
        .stage(&n.stage_stage)
        .and_then(|st| st.action("DeployToStageEnv"))
        .expect("action");
    assert_eq!(deploy.status.as_deref(), Some("Failed"));
    assert_eq!(
        deploy.error.as_deref(),
        Some(format!(
            "Unable to assume role arn:aws:iam::{stage}:role/AllowAccessToToolsAccountRole-{stage}: AccessDenied: User: arn:aws:sts::{tools}:assumed-role/MLOps-BIA-DeployModel-ServiceRole-{uid}/MLOps-BIA-DeployModel-{uid} is not authorized to perform: sts:AssumeRole"
        ).as_str())
    );
    assert_eq!(
        p.stage(&n.stage_stage).and_then(|st| st.status.as_deref()),
        Some("Failed")
    );
    assert_eq!(w.execution_status(), Some("Failed"));
    assert_eq!(w.endpoint_status(Role::Tools), Some("InService"));
    assert!(w.stage.as_ref().expect("stage").endpoints.is_empty());

    // 3: the Tools endpoint hits a service quota.
    let w = s.world(3).await;
    let ep = &w.tools.endpoints[0];
    assert_eq!(ep.status, "Failed");
    let limit = ep.failure_reason.as_deref().expect("failure reason");
    assert!(limit.starts_with("ResourceLimitExceeded: The account-level service limit 'ml.t2.medium for endpoint usage' is 0 Instances"));
    let get = w
        .pipeline()
        .and_then(|p| p.stage(&n.tools_stage)?.action("GetDeployStatus"))
        .expect("action");
    assert_eq!(get.status.as_deref(), Some("Failed"));
    assert_eq!(
        get.error.as_deref(),
        Some(format!("Endpoint {} failed: {limit}", ep.name).as_str())
    );
    assert_eq!(w.execution_status(), Some("Failed"));

    // 4: the Stage account refuses the instructor; the others read fine.
    let stage4 = labs[4].accounts[Role::Stage].clone().unwrap_or_default();
    let err = s.read(4, Role::Stage).await.expect_err("access denied");
    assert_eq!(err.kind, ErrorKind::AccessDenied);
    assert_eq!(
        err.message,
        format!(
            "AccessDenied: User: arn:aws:iam::999900000000:user/instructor is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{stage4}:role/OrganizationAccountAccessRole"
        )
    );
    assert!(s.read(4, Role::Tools).await.is_ok());
    let refused = s
        .act(
            4,
            Role::Stage,
            Action::DeleteStack {
                stack: n.stage_stack.clone(),
            },
        )
        .await;
    assert!(matches!(refused, Err(ActionError::Account(e)) if e.kind == ErrorKind::AccessDenied));

    // 0 and 5: healthy to the end.
    for lab in [0, 5] {
        let w = s.world(lab).await;
        assert_eq!(
            w.endpoint_status(Role::Tools),
            Some("InService"),
            "lab {lab}"
        );
        assert_eq!(
            w.endpoint_status(Role::Stage),
            Some("InService"),
            "lab {lab}"
        );
        assert_eq!(w.execution_status(), Some("Succeeded"), "lab {lab}");
    }

    // Unknown accounts.
    for key in [(6, Role::Tools), (0, Role::Production)] {
        let err = s.read(key.0, key.1).await.expect_err("no such account");
        assert_eq!(err.kind, ErrorKind::Other);
        assert!(err.message.starts_with("no such account"));
    }
}

#[tokio::test]
async fn the_demo_opens_with_something_moving() {
    let s = Sim::new(SimOptions::default());
    let mut moving = 0;
    for lab in 0..6 {
        for role in Role::LAB {
            if s.read(lab, role).await.is_ok_and(|snap| snap.in_progress()) {
                moving += 1;
            }
        }
    }
    assert!(moving > 0, "nothing in progress at the epoch");
    // Participant 0 began six minutes before the epoch.
    let w = s.world(0).await;
    let first = w.tools.stacks.first().map(|st| st.created);
    assert_eq!(first, Some(SIM_EPOCH.plus_secs(-360)));
}

async fn everything(s: &Sim, labs: usize) -> Vec<Result<AccountSnapshot, AccountError>> {
    let mut out = Vec::new();
    for lab in 0..labs {
        for role in Role::LAB {
            out.push(s.read(lab, role).await);
        }
    }
    out
}

#[tokio::test]
async fn the_same_seed_tells_the_same_story() {
    let a = Sim::new(SimOptions::default());
    let b = Sim::new(SimOptions::default());
    let c = Sim::new(SimOptions {
        seed: 8,
        ..SimOptions::default()
    });
    assert_eq!(a.sim.labs(), b.sim.labs());
    // b is read at fewer moments than a; lazy advancing must not change the story.
    for (i, step) in [600, 1200, 1800, 2400, 3600, 5400].into_iter().enumerate() {
        a.clock.advance_secs(step);
        b.clock.advance_secs(step);
        c.clock.advance_secs(step);
        let sa = everything(&a, 6).await;
        if i % 2 == 1 {
            assert_eq!(sa, everything(&b, 6).await, "at {}", a.clock.now());
        }
    }
    // Another seed: other ids, and another timeline (when the participants started).
    let started = |snaps: &[Result<AccountSnapshot, AccountError>]| -> Vec<Option<Timestamp>> {
        snaps
            .iter()
            .step_by(3)
            .map(|s| {
                s.as_ref()
                    .ok()
                    .and_then(|s| s.stacks.first())
                    .map(|st| st.created)
            })
            .collect()
    };
    let sa = everything(&a, 6).await;
    let sc = everything(&c, 6).await;
    assert_ne!(sa, sc);
    assert_ne!(started(&sa), started(&sc));
}

fn waiting_token(w: &World, stage: &str) -> Option<String> {
    let a = w.pipeline()?.stage(stage)?.action("ApproveForStage")?;
    (a.status.as_deref() == Some("InProgress")).then(|| a.approval_token.clone())?
}

fn approval(w: &World, n: &LabNames, token: &str, approve: bool, comment: &str) -> Action {
    Action::ApproveAction {
        pipeline: w.pipeline().map(|p| p.name.clone()).unwrap_or_default(),
        stage: n.stage_stage.clone(),
        action: "ApproveForStage".into(),
        token: token.into(),
        approve,
        comment: comment.into(),
    }
}

/// Run until the approval gate waits; the world then and the approval token.
async fn at_the_gate(s: &Sim, n: &LabNames) -> (World, String) {
    let w = s
        .until(0, 60, 4 * HOUR, |w| {
            waiting_token(w, &n.stage_stage).is_some()
        })
        .await;
    let token = waiting_token(&w, &n.stage_stage).expect("token");
    (w, token)
}

#[tokio::test]
async fn the_approval_gate_holds_until_approved() {
    let s = Sim::one(true);
    let n = s.names();
    let (w, token) = at_the_gate(&s, &n).await;
    let kinds: Vec<_> = w
        .pipeline()
        .and_then(|p| p.stage(&n.stage_stage))
        .expect("stage")
        .actions
        .iter()
        .map(|a| a.name.clone())
        .collect();
    assert_eq!(
        kinds,
        [
            "ApproveForStage",
            "DeployToStageEnv",
            "GetStageDeployStatus",
            "FullTest"
        ]
    );
    assert_eq!(w.endpoint_status(Role::Tools), Some("InService"));

    // It waits as long as nobody answers.
    s.clock.advance_secs(HOUR);
    let w = s.world(0).await;
    assert_eq!(
        waiting_token(&w, &n.stage_stage).as_deref(),
        Some(token.as_str())
    );
    assert_eq!(w.action_status(&n.stage_stage, "DeployToStageEnv"), None);

    let wrong = s
        .act(0, Role::Tools, approval(&w, &n, "not-the-token", true, ""))
        .await;
    assert!(matches!(wrong, Err(ActionError::Refused(_))), "{wrong:?}");
    let elsewhere = s
        .act(0, Role::Stage, approval(&w, &n, &token, true, ""))
        .await;
    assert!(
        matches!(elsewhere, Err(ActionError::NotFound(_))),
        "{elsewhere:?}"
    );
    let ok = s
        .act(0, Role::Tools, approval(&w, &n, &token, true, "looks good"))
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    let again = s
        .act(0, Role::Tools, approval(&w, &n, &token, true, ""))
        .await;
    assert!(matches!(again, Err(ActionError::Refused(_))), "{again:?}");

    let w = s
        .until(0, 30, HOUR, |w| w.execution_status() == Some("Succeeded"))
        .await;
    assert_eq!(
        w.action_status(&n.stage_stage, "ApproveForStage"),
        Some("Succeeded")
    );
    assert_eq!(w.endpoint_status(Role::Stage), Some("InService"));
}

#[tokio::test]
async fn a_rejected_approval_fails_the_stage() {
    let s = Sim::one(true);
    let n = s.names();
    let (w, token) = at_the_gate(&s, &n).await;
    let done = s
        .act(
            0,
            Role::Tools,
            approval(&w, &n, &token, false, "metrics too low"),
        )
        .await;
    assert!(done.is_ok(), "{done:?}");
    s.clock.advance_secs(HOUR);
    let w = s.world(0).await;
    let stage = w
        .pipeline()
        .and_then(|p| p.stage(&n.stage_stage))
        .expect("stage");
    let gate = stage.action("ApproveForStage").expect("gate");
    assert_eq!(gate.status.as_deref(), Some("Failed"));
    assert_eq!(gate.error.as_deref(), Some("Rejected: metrics too low"));
    assert_eq!(stage.status.as_deref(), Some("Failed"));
    assert_eq!(w.execution_status(), Some("Failed"));
    assert_eq!(w.endpoint_status(Role::Stage), None);
}

#[tokio::test]
async fn deleting_a_stack_takes_it_away() {
    let s = Sim::one(false);
    let n = s.names();
    let stage_bucket = n.data_model_bucket(
        &s.sim.labs()[0].accounts[Role::Stage]
            .clone()
            .unwrap_or_default(),
    );
    s.until(0, 30, 2 * HOUR, |w| {
        w.stack_status(Role::Stage, &n.stage_stack) == Some("CREATE_COMPLETE")
    })
    .await;

    let unknown = s
        .act(
            0,
            Role::Stage,
            Action::DeleteStack {
                stack: "NoSuchStack".into(),
            },
        )
        .await;
    assert!(
        matches!(unknown, Err(ActionError::NotFound(_))),
        "{unknown:?}"
    );

    let done = s
        .act(
            0,
            Role::Stage,
            Action::DeleteStack {
                stack: n.stage_stack.clone(),
            },
        )
        .await;
    assert_eq!(
        done.as_deref(),
        Ok(format!("deleting stack {}", n.stage_stack).as_str())
    );
    let w = s.world(0).await;
    assert_eq!(
        w.stack_status(Role::Stage, &n.stage_stack),
        Some("DELETE_IN_PROGRESS")
    );
    let busy = s
        .act(
            0,
            Role::Stage,
            Action::DeleteStack {
                stack: n.stage_stack.clone(),
            },
        )
        .await;
    assert!(matches!(busy, Err(ActionError::Refused(_))), "{busy:?}");

    let started = s.clock.now();
    let w = s
        .until(0, 10, 120, |w| {
            w.stack_status(Role::Stage, &n.stage_stack).is_none()
        })
        .await;
    assert!(s.clock.now().secs_since(started) >= 30);
    assert!(
        w.stage
            .as_ref()
            .expect("stage")
            .buckets
            .iter()
            .all(|b| b.name != stage_bucket)
    );
}

#[tokio::test]
async fn deleting_a_stack_with_a_full_bucket_fails() {
    let s = Sim::one(false);
    let n = s.names();
    s.until(0, 60, 4 * HOUR, |w| {
        w.execution_status() == Some("Succeeded")
    })
    .await;
    let done = s
        .act(
            0,
            Role::Tools,
            Action::DeleteStack {
                stack: n.pipeline_stack.clone(),
            },
        )
        .await;
    assert!(done.is_ok(), "{done:?}");
    let w = s
        .until(0, 10, 300, |w| {
            w.stack_status(Role::Tools, &n.pipeline_stack) == Some("DELETE_FAILED")
        })
        .await;
    let st = w.tools.stack(&n.pipeline_stack).expect("stack");
    assert_eq!(
        st.reason.as_deref(),
        Some("The following resource(s) failed to delete: [DataModelBucket]. ")
    );
    assert!(
        st.events
            .iter()
            .any(|e| e.logical_id == "DataModelBucket" && e.status == "DELETE_FAILED")
    );
    // Everything else went: the pipeline and the (empty) artifacts bucket.
    assert!(w.pipeline().is_none());
    assert!(
        w.tools
            .bucket_with_prefix(&n.artifacts_bucket_prefix)
            .is_none()
    );
    assert!(w.tools.buckets.iter().any(|b| b.has(&n.model_key)));
}

#[tokio::test]
async fn three_hundred_participants_are_cheap_to_read() {
    let s = Sim::new(SimOptions {
        participants: 300,
        ..SimOptions::default()
    });
    assert_eq!(s.sim.labs().len(), 300);
    assert_eq!(s.sim.labs()[22].name, "lab-023");
    for _ in 0..3 {
        let all = everything(&s, 300).await;
        assert_eq!(all.len(), 900);
        assert_eq!(all.iter().filter(|r| r.is_err()).count(), 1);
        s.clock.advance_secs(HOUR);
    }
}
