//! Which step of the guide a lab has reached, what blocks it, and what to do next.

use std::fmt;

use super::model::{AccountSnapshot, Category, LabInfo, Part, PerRole, Role, Stack, StackEvent};
use super::names::LabNames;

/// The guide's checkpoints, in the order a participant meets them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    ToolsCatalog,
    PortfolioShared,
    PipelinePrep,
    LambdaZips,
    PipelineStack,
    DataScienceCatalog,
    StageResources,
    Notebook,
    ModelUploaded,
    SourceStage,
    DeployTools,
    DeployStage,
}

impl Step {
    pub const ALL: [Step; 12] = [
        Step::ToolsCatalog,
        Step::PortfolioShared,
        Step::PipelinePrep,
        Step::LambdaZips,
        Step::PipelineStack,
        Step::DataScienceCatalog,
        Step::StageResources,
        Step::Notebook,
        Step::ModelUploaded,
        Step::SourceStage,
        Step::DeployTools,
        Step::DeployStage,
    ];

    /// The guide's section number.
    pub fn number(self) -> &'static str {
        match self {
            Step::ToolsCatalog => "1.2",
            Step::PortfolioShared => "1.2.2",
            Step::PipelinePrep => "1.3.1",
            Step::LambdaZips => "1.3.2",
            Step::PipelineStack => "1.3.3",
            Step::DataScienceCatalog => "1.5",
            Step::StageResources => "1.7",
            Step::Notebook => "2",
            Step::ModelUploaded => "3.1",
            Step::SourceStage => "3.6",
            Step::DeployTools => "3.7 Tools",
            Step::DeployStage => "3.7 Stage",
        }
    }

    /// A few words on what the step achieves.
    pub fn title(self) -> &'static str {
        match self {
            Step::ToolsCatalog => "Tools Service Catalog",
            Step::PortfolioShared => "portfolio shared",
            Step::PipelinePrep => "pipeline prep stack",
            Step::LambdaZips => "Lambda zips uploaded",
            Step::PipelineStack => "pipeline stack",
            Step::DataScienceCatalog => "DataScience catalog",
            Step::StageResources => "Stage resources",
            Step::Notebook => "notebook launched",
            Step::ModelUploaded => "model uploaded",
            Step::SourceStage => "Source stage",
            Step::DeployTools => "deployed to Tools",
            Step::DeployStage => "deployed to Stage",
        }
    }

    /// Position in the guide, 0-based.
    pub fn ordinal(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.number(), self.title())
    }
}

/// What stops a lab from moving on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocker {
    pub role: Role,
    /// What failed, e.g. `stack MLOpsPipeline ROLLBACK_COMPLETE`.
    pub subject: String,
    /// The cause as the service stated it.
    pub reason: String,
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.role, self.subject, self.reason)
    }
}

/// An earlier step without evidence while a later step has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    pub step: Step,
    /// True when the read that would tell failed (unknown), false when it was read and the
    /// step's evidence is not there (not seen).
    pub unknown: bool,
    /// What is missing, or the read that failed.
    pub why: String,
}

impl fmt::Display for Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.unknown { "unknown" } else { "not seen" };
        write!(f, "{} {what}: {}", self.step.number(), self.why)
    }
}

/// A lab's position in the guide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The furthest step with evidence that it is done.
    pub reached: Option<Step>,
    /// The first step after `reached` not done yet; `None` when the lab is complete.
    pub next: Option<Step>,
    /// Steps before `reached` without evidence: not seen, or unknown (their read failed).
    pub gaps: Vec<Gap>,
    pub blocked: Option<Blocker>,
    /// One line, in the guide's words, on what to do or wait for next.
    pub hint: String,
}

impl Progress {
    pub fn complete(&self) -> bool {
        self.next.is_none()
    }
}

/// The snapshots of one lab, by role.
pub type LabSnapshots = PerRole<Option<AccountSnapshot>>;

/// Derive the lab's progress from its accounts' latest snapshots.
pub fn derive(info: &LabInfo, names: &LabNames, snaps: &LabSnapshots) -> Progress {
    let ctx = Ctx { info, names, snaps };
    let done: Vec<bool> = Step::ALL.iter().map(|s| ctx.done(*s)).collect();
    let furthest = done.iter().rposition(|d| *d);
    let reached = furthest.map(|i| Step::ALL[i]);
    let from = furthest.map_or(0, |i| i + 1);
    let next = (from..Step::ALL.len())
        .find(|&i| !done[i])
        .map(|i| Step::ALL[i]);
    let gaps = (0..from)
        .filter(|&i| !done[i])
        .map(|i| ctx.gap(Step::ALL[i]))
        .collect();
    let blocked = ctx.blocker();
    let hint = match next {
        Some(step) => match ctx.unknown(step) {
            Some(cause) => format!("{} cannot be told: {cause}", step.number()),
            None => ctx.gate().unwrap_or_else(|| ctx.hint(step)),
        },
        None => {
            "Lab complete: both endpoints are InService. Clean up when done: they bill by the hour."
                .to_string()
        }
    };
    Progress {
        reached,
        next,
        gaps,
        blocked,
        hint,
    }
}

struct Ctx<'a> {
    info: &'a LabInfo,
    names: &'a LabNames,
    snaps: &'a LabSnapshots,
}

impl Ctx<'_> {
    /// A promotion gate the pipeline is waiting at: a manual approval in progress with a
    /// token, or a disabled transition into a stage after the previous one succeeded in a run
    /// this stage has not seen (it never ran, or its latest execution is an older one).
    fn gate(&self) -> Option<String> {
        use super::status;
        let pipeline = self.snap(Role::Tools)?.pipelines.first()?;
        for (i, stage) in pipeline.stages.iter().enumerate() {
            if let Some(a) = stage.actions.iter().find(|a| {
                status::awaiting_approval(a.status.as_deref(), a.approval_token.as_deref())
            }) {
                return Some(format!(
                    "{} / {} is {}: select it in the pipeline strip and press a.",
                    stage.name,
                    a.name,
                    status::APPROVAL_WORD
                ));
            }
            let previous_done = i.checked_sub(1).is_some_and(|p| {
                let previous = &pipeline.stages[p];
                let newer_run =
                    previous.execution_id.is_some() && previous.execution_id != stage.execution_id;
                previous.status.as_deref() == Some("Succeeded")
                    && (stage.status.is_none() || newer_run)
            });
            if !stage.inbound_enabled && previous_done {
                return Some(format!(
                    "The transition into {} is disabled ({}): select it and press e to promote.",
                    stage.name,
                    stage
                        .disabled_reason
                        .as_deref()
                        .unwrap_or("no reason given")
                ));
            }
        }
        None
    }

    fn snap(&self, role: Role) -> Option<&AccountSnapshot> {
        self.snaps[role].as_ref()
    }

    fn account(&self, role: Role) -> String {
        self.info.accounts[role]
            .clone()
            .or_else(|| self.snap(role).map(|s| s.account_id.clone()))
            .unwrap_or_else(|| format!("<{}>", role.key()))
    }

    fn stack_status(&self, role: Role, name: &str) -> Option<&str> {
        self.snap(role)?.stack(name).map(|s| s.status.as_str())
    }

    fn stack_done(&self, role: Role, name: &str) -> bool {
        self.stack_status(role, name)
            .is_some_and(|s| Category::of(s) == Category::Complete)
    }

    fn zips_present(&self) -> usize {
        let tools = self.account(Role::Tools);
        let Some(bucket) = self.snap(Role::Tools).and_then(|s| {
            s.buckets
                .iter()
                .find(|b| b.name == self.names.lambda_bucket(&tools))
        }) else {
            return 0;
        };
        self.names
            .lambda_zips
            .iter()
            .filter(|z| bucket.has(z))
            .count()
    }

    fn pipeline_stage_status(&self, stage: &str) -> Option<&str> {
        let tools = self.snap(Role::Tools)?;
        let pipeline = tools
            .pipelines
            .iter()
            .find(|p| p.name.starts_with(&self.names.pipeline_prefix))?;
        pipeline.stage(stage)?.status.as_deref()
    }

    fn endpoint_in_service(&self, role: Role, suffix: &str) -> bool {
        self.snap(role).is_some_and(|s| {
            s.endpoints.iter().any(|e| {
                e.name.starts_with(&self.names.endpoint_prefix)
                    && e.name.ends_with(suffix)
                    && Category::of(&e.status) == Category::Complete
            })
        })
    }

    /// The parts of the accounts a step's evidence is read from.
    fn parts(&self, step: Step) -> Vec<(Role, Part)> {
        let n = self.names;
        let tools = self.account(Role::Tools);
        match step {
            Step::ToolsCatalog | Step::PipelinePrep | Step::PipelineStack => {
                vec![(Role::Tools, Part::Stacks)]
            }
            Step::PortfolioShared => vec![(Role::Tools, Part::Stacks), (Role::Tools, Part::Shares)],
            Step::LambdaZips => vec![
                (Role::Tools, Part::Stacks),
                (Role::Tools, Part::Bucket(n.lambda_bucket(&tools))),
            ],
            Step::DataScienceCatalog => vec![(Role::DataScience, Part::Stacks)],
            Step::StageResources => vec![(Role::Stage, Part::Stacks)],
            Step::Notebook => vec![
                (Role::DataScience, Part::Products),
                (Role::DataScience, Part::Notebooks),
            ],
            Step::ModelUploaded => vec![
                (Role::Tools, Part::Stacks),
                (Role::Tools, Part::Bucket(n.data_model_bucket(&tools))),
            ],
            Step::SourceStage => vec![(Role::Tools, Part::Pipelines)],
            Step::DeployTools => vec![
                (Role::Tools, Part::Pipelines),
                (Role::Tools, Part::Endpoints),
            ],
            Step::DeployStage => vec![
                (Role::Tools, Part::Pipelines),
                (Role::Stage, Part::Endpoints),
            ],
        }
    }

    /// Why a step cannot be told: an account not read yet or unreadable, or a part of it whose
    /// read failed.
    fn unknown(&self, step: Step) -> Option<String> {
        self.parts(step).into_iter().find_map(|(role, part)| {
            self.info.accounts[role].as_ref()?;
            match self.snap(role) {
                None => Some(format!("the {role} account has not been read yet")),
                Some(s) => s
                    .unknown(&part)
                    .map(|cause| format!("{role} {part}: {cause}")),
            }
        })
    }

    /// An earlier step without evidence: unknown when its read failed, else what is missing.
    fn gap(&self, step: Step) -> Gap {
        if let Some(why) = self.unknown(step) {
            return Gap {
                step,
                unknown: true,
                why,
            };
        }
        let n = self.names;
        let stack = |role: Role, name: &str| match self.stack_status(role, name) {
            Some(st) => format!("stack {name} in {role} is {st}"),
            None => format!("no stack {name} in {role}"),
        };
        let tools = self.account(Role::Tools);
        let why = match step {
            Step::ToolsCatalog => stack(Role::Tools, &n.tools_catalog_stack),
            Step::PortfolioShared => format!(
                "\"{}\" is not shared with the DataScience account {}",
                n.portfolio_name,
                self.account(Role::DataScience)
            ),
            Step::PipelinePrep => stack(Role::Tools, &n.prep_stack),
            Step::LambdaZips => format!(
                "{}/3 Lambda zips in {}",
                self.zips_present(),
                n.lambda_bucket(&tools)
            ),
            Step::PipelineStack => stack(Role::Tools, &n.pipeline_stack),
            Step::DataScienceCatalog => stack(Role::DataScience, &n.ds_catalog_stack),
            Step::StageResources => stack(Role::Stage, &n.stage_stack),
            Step::Notebook => format!(
                "no \"{}\" product with its notebook InService",
                n.product_name
            ),
            Step::ModelUploaded => {
                format!("{} not in {}", n.model_key, n.data_model_bucket(&tools))
            }
            Step::SourceStage => format!("stage {} has not succeeded", n.source_stage),
            Step::DeployTools => format!(
                "stage {} has not succeeded with a -Tools endpoint InService",
                n.tools_stage
            ),
            Step::DeployStage => format!(
                "stage {} has not succeeded with a -Stage endpoint InService",
                n.stage_stage
            ),
        };
        Gap {
            step,
            unknown: false,
            why,
        }
    }

    /// The Tools catalog stack's `SagemakerProductID` output, when read.
    fn tools_product_id(&self) -> Option<&str> {
        self.snap(Role::Tools)?
            .stack(&self.names.tools_catalog_stack)?
            .outputs
            .get("SagemakerProductID")
            .map(String::as_str)
    }

    fn done(&self, step: Step) -> bool {
        let n = self.names;
        match step {
            Step::ToolsCatalog => self.stack_done(Role::Tools, &n.tools_catalog_stack),
            Step::PortfolioShared => {
                let ds = self.account(Role::DataScience);
                self.snap(Role::Tools)
                    .is_some_and(|s| s.portfolio_shares.iter().any(|p| p.shared_with == ds))
            }
            Step::PipelinePrep => self.stack_done(Role::Tools, &n.prep_stack),
            Step::LambdaZips => self.zips_present() == n.lambda_zips.len(),
            Step::PipelineStack => self.stack_done(Role::Tools, &n.pipeline_stack),
            Step::DataScienceCatalog => self.stack_done(Role::DataScience, &n.ds_catalog_stack),
            Step::StageResources => self.stack_done(Role::Stage, &n.stage_stack),
            Step::Notebook => self.snap(Role::DataScience).is_some_and(|s| {
                let product_id = self.tools_product_id();
                let launched = s.provisioned_products.iter().any(|p| {
                    n.is_lab_product(&p.product_name, &p.product_id, product_id)
                        && Category::of(&p.status) == Category::Complete
                });
                let running = s
                    .notebooks
                    .iter()
                    .any(|nb| Category::of(&nb.status) == Category::Complete);
                launched && running
            }),
            Step::ModelUploaded => {
                let bucket = n.data_model_bucket(&self.account(Role::Tools));
                self.snap(Role::Tools).is_some_and(|s| {
                    s.buckets
                        .iter()
                        .any(|b| b.name == bucket && b.has(&n.model_key))
                })
            }
            Step::SourceStage => self.stage_succeeded(&n.source_stage),
            Step::DeployTools => {
                self.stage_succeeded(&n.tools_stage)
                    && self.endpoint_in_service(Role::Tools, "-Tools")
            }
            Step::DeployStage => {
                self.stage_succeeded(&n.stage_stage)
                    && self.endpoint_in_service(Role::Stage, "-Stage")
            }
        }
    }

    fn stage_succeeded(&self, stage: &str) -> bool {
        self.pipeline_stage_status(stage)
            .is_some_and(|s| Category::of(s) == Category::Complete)
    }

    /// The first thing that is failing, looking at accounts in the guide's order.
    fn blocker(&self) -> Option<Blocker> {
        for (role, snap) in self.snaps.iter() {
            let Some(snap) = snap else { continue };
            if let Some(err) = &snap.error {
                return Some(Blocker {
                    role,
                    subject: "account unreachable".into(),
                    reason: err.message.clone(),
                });
            }
        }
        for (role, snap) in self.snaps.iter() {
            let Some(snap) = snap else { continue };
            if let Some(b) = failure_in(role, snap) {
                return Some(b);
            }
        }
        None
    }

    fn hint(&self, step: Step) -> String {
        let n = self.names;
        let tools = self.account(Role::Tools);
        let ds = self.account(Role::DataScience);
        let stage = self.account(Role::Stage);
        let waiting = |role: Role, stack: &str| {
            self.stack_status(role, stack)
                .filter(|s| Category::of(s) == Category::InProgress)
                .map(|s| format!("Wait for stack {stack} in {role} to finish ({s})."))
        };
        match step {
            Step::ToolsCatalog => waiting(Role::Tools, &n.tools_catalog_stack).unwrap_or_else(|| {
                format!(
                    "1.2.1 In the Tools account, create stack {} with SpokeAccountID = {ds}.",
                    n.tools_catalog_stack
                )
            }),
            Step::PortfolioShared => format!(
                "1.2.2 Verify that \"{}\" is shared with the DataScience account {ds}.",
                n.portfolio_name
            ),
            Step::PipelinePrep => waiting(Role::Tools, &n.prep_stack).unwrap_or_else(|| {
                format!(
                    "1.3.1 Create stack {} from tools-account/pipeline/PrepPipeline.yml.",
                    n.prep_stack
                )
            }),
            Step::LambdaZips => format!(
                "1.3.2 Upload the three Lambda zips to {} ({}/3 there).",
                n.lambda_bucket(&tools),
                self.zips_present()
            ),
            Step::PipelineStack => waiting(Role::Tools, &n.pipeline_stack).unwrap_or_else(|| {
                format!(
                    "1.3.3 Create stack {} with DataScienceAccountID {ds}, StageAccountID {stage} and a UniqueID.",
                    n.pipeline_stack
                )
            }),
            Step::DataScienceCatalog => waiting(Role::DataScience, &n.ds_catalog_stack)
                .unwrap_or_else(|| {
                    format!(
                        "1.5.1 In the DataScience account, create stack {} with MasterPortfolioId, SagemakerProductID and ToolsAccountID.",
                        n.ds_catalog_stack
                    )
                }),
            Step::StageResources => waiting(Role::Stage, &n.stage_stack).unwrap_or_else(|| {
                format!(
                    "1.7.2 In the Stage account, create stack {} with ToolsAccountID = {tools}.",
                    n.stage_stack
                )
            }),
            Step::Notebook => {
                let launching = self.snap(Role::DataScience).is_some_and(|s| {
                    s.provisioned_products
                        .iter()
                        .any(|p| Category::of(&p.status) == Category::InProgress)
                        || s.notebooks
                            .iter()
                            .any(|nb| Category::of(&nb.status) == Category::InProgress)
                });
                if launching {
                    "2.4 The notebook product is launching; its outputs appear when it is AVAILABLE."
                        .to_string()
                } else {
                    format!(
                        "2.4 As DataScientist, launch \"{}\" from Service Catalog.",
                        n.product_name
                    )
                }
            }
            Step::ModelUploaded => format!(
                "3.1 Run xgboost_abalone.ipynb; its last cell uploads {} to {}.",
                n.model_key,
                n.data_model_bucket(&tools)
            ),
            Step::SourceStage => format!(
                "3.6 The {} stage starts when the model lands in the Tools bucket.",
                n.source_stage
            ),
            Step::DeployTools => format!(
                "3.7 {} deploys and smoke-tests the model in Tools (the endpoint takes ~10 min).",
                n.tools_stage
            ),
            Step::DeployStage => format!(
                "3.7 {} deploys and tests the model in Stage (the endpoint takes ~10 min).",
                n.stage_stage
            ),
        }
    }
}

/// The resource failure that started a stack's trouble: the oldest `*_FAILED` event of a
/// resource, skipping the ones CloudFormation cancelled because of it.
pub fn root_cause(stack: &Stack) -> Option<&StackEvent> {
    stack.events.iter().rev().find(|e| {
        e.status.ends_with("_FAILED")
            && e.logical_id != stack.name
            && e.reason
                .as_deref()
                .is_some_and(|r| !r.contains("Resource creation cancelled"))
    })
}

/// The first failed resource in one account, with its reason.
fn failure_in(role: Role, snap: &AccountSnapshot) -> Option<Blocker> {
    let failed = |s: &str| Category::of(s) == Category::Failed;
    if let Some(stack) = snap.stacks.iter().find(|s| failed(&s.status)) {
        let reason = root_cause(stack)
            .and_then(|e| e.reason.clone())
            .or_else(|| stack.reason.clone())
            .unwrap_or_else(|| "no reason given".into());
        return Some(Blocker {
            role,
            subject: format!("stack {} {}", stack.name, stack.status),
            reason,
        });
    }
    if let Some(p) = snap.provisioned_products.iter().find(|p| failed(&p.status)) {
        return Some(Blocker {
            role,
            subject: format!("product {} {}", p.name, p.status),
            reason: p
                .status_message
                .clone()
                .unwrap_or_else(|| "no reason given".into()),
        });
    }
    for pipeline in &snap.pipelines {
        for stage in &pipeline.stages {
            if let Some(a) = stage
                .actions
                .iter()
                .find(|a| a.status.as_deref().is_some_and(failed))
            {
                return Some(Blocker {
                    role,
                    subject: format!("action {}/{} Failed", stage.name, a.name),
                    reason: a.error.clone().unwrap_or_else(|| "no message".into()),
                });
            }
        }
    }
    if let Some(e) = snap.endpoints.iter().find(|e| failed(&e.status)) {
        return Some(Blocker {
            role,
            subject: format!("endpoint {} {}", e.name, e.status),
            reason: e
                .failure_reason
                .clone()
                .unwrap_or_else(|| "no reason given".into()),
        });
    }
    if let Some(nb) = snap.notebooks.iter().find(|n| failed(&n.status)) {
        return Some(Blocker {
            role,
            subject: format!("notebook {} {}", nb.name, nb.status),
            reason: "the notebook instance failed".into(),
        });
    }
    None
}
