//! What stacks leave behind: outputs, buckets, the pipeline, the share, the notebook, and their removal.

use crate::lab::{Bucket, NotebookInstance, PortfolioShare, Role};

use super::pipeline::new_pipeline;
use super::stacks::ResStatus;
use super::templates::{ACCEPTED_SHARE, NOTEBOOK, PIPELINE, Res, S3_BUCKET, SHARE, StackKind};
use super::world::Participant;

const NOTEBOOK_TYPE: &str = "ml.t3.medium";

impl Participant {
    /// The notebook instance the product's stack creates.
    fn notebook_name(&self) -> String {
        let stack = self
            .stack(StackKind::Product)
            .map(|s| s.stack.name.as_str());
        format!(
            "{}-NotebookInstance-{}",
            stack.unwrap_or("SC"),
            self.plan.team
        )
    }

    fn outputs(&self, kind: StackKind) -> Vec<(&'static str, String)> {
        let (names, p) = (&self.names, &self.plan);
        match kind {
            StackKind::ToolsCatalog => vec![
                ("MasterPortfolioId", self.ids.portfolio.clone()),
                ("SagemakerProductID", self.ids.product.clone()),
                ("ToolsAccountID", p.tools.clone()),
            ],
            StackKind::Prep => vec![(
                "S3PipelineLambdaFunctionCode",
                names.lambda_bucket(&p.tools),
            )],
            StackKind::Pipeline => vec![
                ("S3DataModelBucket", names.data_model_bucket(&p.tools)),
                ("CodePipeline", self.ids.pipeline.clone()),
            ],
            StackKind::DsCatalog => vec![(
                "SwitchRoleLink",
                format!(
                    "https://signin.aws.amazon.com/switchrole?roleName=DataScientist&account={}&displayName=DataScientist",
                    p.ds
                ),
            )],
            StackKind::StageRes => vec![
                ("S3DataModelBucket", names.data_model_bucket(&p.stage)),
                (
                    "SageMakerExecutionRole",
                    format!("arn:aws:iam::{0}:role/SageMakerExecutionRole-{0}", p.stage),
                ),
                (
                    "AllowAccessToToolsAccountRole",
                    format!(
                        "arn:aws:iam::{0}:role/AllowAccessToToolsAccountRole-{0}",
                        p.stage
                    ),
                ),
            ],
            StackKind::Product => {
                let nb = self.notebook_name();
                let bucket = self
                    .stack(kind)
                    .and_then(|s| s.buckets.first())
                    .map(|b| b.name.clone())
                    .unwrap_or_default();
                vec![
                    (
                        "SageMakerNoteBookURL",
                        format!("https://{nb}.notebook.us-east-1.sagemaker.aws/tree"),
                    ),
                    (
                        "SageMakerNoteBookTerminalURL",
                        format!("https://{nb}.notebook.us-east-1.sagemaker.aws/terminals/1"),
                    ),
                    ("BucketName", bucket),
                ]
            }
        }
    }

    /// A stack reached CREATE_COMPLETE: its outputs and resources appear.
    pub(super) fn stack_created(&mut self, kind: StackKind) {
        let outputs = self.outputs(kind);
        let role = kind.role();
        let Some(st) = self.stack_mut(kind) else {
            return;
        };
        st.stack.outputs = outputs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let stack_outputs = st.stack.outputs.clone();
        let buckets: Vec<Bucket> = st
            .buckets
            .iter()
            .map(|b| Bucket {
                name: b.name.clone(),
                versioned: b.versioned,
                objects: Vec::new(),
            })
            .collect();
        let acct = &mut self.accounts[role];
        for b in buckets {
            if acct.bucket(&b.name).is_none() {
                acct.buckets.push(b);
            }
        }
        match kind {
            StackKind::ToolsCatalog => {
                let share = PortfolioShare {
                    portfolio_id: self.ids.portfolio.clone(),
                    portfolio_name: self.names.portfolio_name.clone(),
                    shared_with: self.plan.ds.clone(),
                    accepted: self
                        .stack(StackKind::DsCatalog)
                        .is_some_and(|s| s.stack.status == "CREATE_COMPLETE"),
                };
                self.accounts[role].shares.push(share);
            }
            StackKind::Pipeline => {
                let mut pipeline = new_pipeline(
                    &self.names,
                    self.ids.pipeline.clone(),
                    self.plan.approval_gate,
                );
                pipeline.artifact_bucket = Some(self.ids.artifacts.clone());
                self.accounts[role].pipelines.push(pipeline);
            }
            StackKind::DsCatalog => {
                for share in &mut self.accounts[Role::Tools].shares {
                    share.accepted = true;
                }
            }
            StackKind::Product => {
                let pp = self.ids.provisioned.clone();
                if let Some(product) = self.accounts[role].products.iter_mut().find(|p| p.id == pp)
                {
                    product.status = "AVAILABLE".into();
                    product.outputs = stack_outputs;
                }
            }
            StackKind::Prep | StackKind::StageRes => {}
        }
    }

    /// Side effects of one resource changing state.
    pub(super) fn resource_effect(&mut self, kind: StackKind, r: &Res, status: ResStatus) {
        let now = self.now;
        let role = kind.role();
        match (r.rtype, status) {
            (NOTEBOOK, ResStatus::CreateInProgress) => {
                let notebook = NotebookInstance {
                    name: self.notebook_name(),
                    status: "Pending".into(),
                    instance_type: NOTEBOOK_TYPE.into(),
                    created: now,
                    modified: now,
                };
                let name = notebook.name.clone();
                self.accounts[role].notebooks.push(notebook);
                self.announce_notebook(&name, "Pending");
            }
            (NOTEBOOK, _) => {
                let to = match status {
                    ResStatus::CreateComplete => "InService",
                    ResStatus::DeleteInProgress => "Deleting",
                    ResStatus::CreateFailed | ResStatus::CreateCancelled => "Failed",
                    _ => "",
                };
                let notebooks = &mut self.accounts[role].notebooks;
                if status == ResStatus::DeleteComplete {
                    notebooks.clear();
                } else if !to.is_empty() {
                    let mut changed = Vec::new();
                    for nb in notebooks.iter_mut() {
                        nb.status = to.into();
                        nb.modified = now;
                        changed.push(nb.name.clone());
                    }
                    for name in changed {
                        self.announce_notebook(&name, to);
                    }
                }
            }
            (S3_BUCKET, ResStatus::DeleteComplete) => {
                let name = self.stack(kind).and_then(|s| {
                    s.buckets
                        .iter()
                        .find(|b| b.logical == r.logical && !b.retain)
                        .map(|b| b.name.clone())
                });
                if let Some(name) = name {
                    self.accounts[role].buckets.retain(|b| b.name != name);
                }
            }
            (PIPELINE, ResStatus::DeleteComplete) => {
                self.accounts[role].pipelines.clear();
                self.run = None;
            }
            (SHARE, ResStatus::DeleteComplete) => self.accounts[role].shares.clear(),
            (ACCEPTED_SHARE, ResStatus::DeleteComplete) => {
                for share in &mut self.accounts[Role::Tools].shares {
                    share.accepted = false;
                }
            }
            _ => {}
        }
    }

    /// A stack is gone. A product's stack deleted behind Service Catalog's back taints the product;
    /// one deleted by its termination takes the product with it.
    pub(super) fn stack_deleted(&mut self, kind: StackKind) {
        if kind != StackKind::Product {
            return;
        }
        let pp = self.ids.provisioned.clone();
        let products = &mut self.accounts[kind.role()].products;
        // Terminated through Service Catalog: the product goes with its stack.
        if products
            .iter()
            .any(|p| p.id == pp && p.status == "UNDER_CHANGE")
        {
            products.retain(|p| p.id != pp);
            return;
        }
        if let Some(product) = products.iter_mut().find(|p| p.id == pp) {
            product.status = "TAINTED".into();
            product.status_message =
                Some("The provisioned product's stack was deleted outside Service Catalog".into());
        }
    }
}
