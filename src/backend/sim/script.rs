//! The participant's plan: who they are, how fast they work, and the guide's steps in their order.

use std::collections::BTreeMap;

use crate::config::DEFAULT_ROSTER_ROLE;
use crate::lab::{LabInfo, PerRole, ProvisionedProduct, Timestamp};

use super::clock::SIM_EPOCH;
use super::faults::Fault;
use super::rng::Rng;
use super::stacks::OwnedBucket;
use super::templates::{
    ARTIFACTS_BUCKET, DATA_MODEL_BUCKET, LAMBDA_BUCKET, LAMBDA_RESOURCES, NOTEBOOK_BUCKET,
    StackKind,
};
use super::world::{Event, Participant};

const NAMES: [&str; 22] = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "xavier", "yvonne",
    "zoe",
];

const TEAMS: [&str; 3] = ["forecasting", "sentiment-analysis", "mnist"];

/// Participant `index`'s name: the classic cast, then `lab-023` and on.
pub(super) fn lab_name(index: usize) -> String {
    match NAMES.get(index) {
        Some(n) => (*n).to_string(),
        None => format!("lab-{:03}", index + 1),
    }
}

/// Who a participant is and how they work; fixed when the simulation starts.
#[derive(Clone, Debug)]
pub(super) struct Plan {
    pub name: String,
    pub uid: String,
    pub tools: String,
    pub ds: String,
    pub stage: String,
    /// Multiplies think time: 0.7 is brisk, 1.5 is slow.
    pub pace: f64,
    /// When the story begins.
    pub start: Timestamp,
    /// Sets up the Stage account before the DataScience one.
    pub stage_first: bool,
    pub team: &'static str,
    pub fault: Option<Fault>,
    pub approval_gate: bool,
}

impl Plan {
    pub(super) fn new(
        index: usize,
        rng: &mut Rng,
        fault: Option<Fault>,
        approval_gate: bool,
    ) -> Plan {
        let name = lab_name(index);
        let uid = format!("{}{index}", name.chars().take(3).collect::<String>());
        let n = index as u64;
        let pace = 0.7 + 0.8 * rng.unit();
        let head_start = if index == 0 {
            360
        } else {
            rng.range(0, 45 * 60)
        };
        let stage_first = rng.chance(0.5);
        let team = TEAMS[rng.below(TEAMS.len() as u64) as usize];
        Plan {
            name,
            uid,
            tools: format!("{:012}", 111_100_000_000 + n),
            ds: format!("{:012}", 222_200_000_000 + n),
            stage: format!("{:012}", 333_300_000_000 + n),
            pace,
            start: SIM_EPOCH.plus_secs(-head_start),
            stage_first,
            team,
            fault,
            approval_gate,
        }
    }

    pub(super) fn info(&self) -> LabInfo {
        LabInfo {
            name: self.name.clone(),
            unique_id: Some(self.uid.clone()),
            accounts: PerRole([
                Some(self.tools.clone()),
                Some(self.ds.clone()),
                Some(self.stage.clone()),
                None,
            ]),
            // The class is reached the way an instructor reaches it: the roster's role.
            switch_roles: PerRole([
                Some(DEFAULT_ROSTER_ROLE.into()),
                Some(DEFAULT_ROSTER_ROLE.into()),
                Some(DEFAULT_ROSTER_ROLE.into()),
                None,
            ]),
        }
    }
}

/// Ids and names made up along the way (as AWS would assign them).
#[derive(Clone, Debug, Default)]
pub(super) struct Ids {
    pub portfolio: String,
    pub product: String,
    pub pipeline: String,
    /// The pipeline's artifact store bucket.
    pub artifacts: String,
    pub provisioned: String,
}

/// A step of the guide the participant takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// 1.2.1
    ToolsCatalog,
    /// 1.3.1
    Prep,
    /// 1.3.2, one zip at a time
    Upload(u8),
    /// 1.3.3
    Pipeline,
    /// 1.5.1
    DsCatalog,
    /// 1.7.2
    StageRes,
    /// 2.4
    LaunchProduct,
    /// 3.1's last cell
    UploadModel,
}

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

fn owned(logical: &'static str, name: String, versioned: bool) -> OwnedBucket {
    OwnedBucket {
        logical,
        name,
        versioned,
        retain: false,
    }
}

impl Participant {
    fn next_step(&mut self, step: Step) {
        let secs = self.think_secs();
        self.after(secs, Event::Step(step));
    }

    pub(super) fn begin(&mut self, step: Step) {
        let names = self.names.clone();
        let p = self.plan.clone();
        match step {
            Step::ToolsCatalog => {
                self.ids.portfolio = format!("port-{}", self.rng.lower(13));
                self.ids.product = format!("prod-{}", self.rng.lower(13));
                let params = params(&[("SpokeAccountID", &p.ds)]);
                self.create_stack(StackKind::ToolsCatalog, None, params, Vec::new(), &[]);
            }
            Step::Prep => {
                let bucket = owned(LAMBDA_BUCKET, names.lambda_bucket(&p.tools), true);
                self.create_stack(StackKind::Prep, None, BTreeMap::new(), vec![bucket], &[]);
            }
            Step::Upload(i) => {
                let bucket = names.lambda_bucket(&p.tools);
                if let Some(zip) = names.lambda_zips.get(usize::from(i)) {
                    self.accounts[StackKind::Prep.role()].put_object(&bucket, zip);
                }
                // A participant playing StackRollback forgets the last zip.
                let last = if p.fault == Some(Fault::StackRollback) {
                    1
                } else {
                    2
                };
                if i < last {
                    let secs = self.rng.range(20, 40);
                    self.after(secs, Event::Step(Step::Upload(i + 1)));
                } else {
                    self.next_step(Step::Pipeline);
                }
            }
            Step::Pipeline => self.begin_pipeline_stack(),
            Step::DsCatalog => {
                let params = params(&[
                    ("MasterPortfolioId", &self.ids.portfolio),
                    ("SagemakerProductID", &self.ids.product),
                    ("ToolsAccountID", &p.tools),
                ]);
                self.create_stack(StackKind::DsCatalog, None, params, Vec::new(), &[]);
            }
            Step::StageRes => {
                let params = params(&[("ToolsAccountID", &p.tools)]);
                let bucket = owned(DATA_MODEL_BUCKET, names.data_model_bucket(&p.stage), true);
                self.create_stack(StackKind::StageRes, None, params, vec![bucket], &[]);
            }
            Step::LaunchProduct => self.launch_product(),
            Step::UploadModel => {
                let bucket = names.data_model_bucket(&p.tools);
                let tools = &mut self.accounts[StackKind::Pipeline.role()];
                if tools.put_object(&bucket, &names.model_key) && !tools.pipelines.is_empty() {
                    self.start_execution();
                }
            }
        }
    }

    /// 1.3.3: the pipeline stack fails on any Lambda whose zip is not in the bucket.
    fn begin_pipeline_stack(&mut self) {
        let names = self.names.clone();
        let p = self.plan.clone();
        let lambda_bucket = names.lambda_bucket(&p.tools);
        let bucket = self.accounts[StackKind::Prep.role()].bucket(&lambda_bucket);
        let failing: Vec<usize> = names
            .lambda_zips
            .iter()
            .zip(LAMBDA_RESOURCES)
            .filter(|(zip, _)| !bucket.is_some_and(|b| b.has(zip)))
            .map(|(_, i)| i)
            .collect();
        self.ids.pipeline = format!("{}-{}", names.pipeline_prefix, self.rng.upper(12));
        let artifacts = format!(
            "{}{}-{}",
            names.artifacts_bucket_prefix,
            p.uid,
            self.rng.lower(12)
        );
        self.ids.artifacts.clone_from(&artifacts);
        let buckets = vec![
            owned(DATA_MODEL_BUCKET, names.data_model_bucket(&p.tools), true),
            owned(ARTIFACTS_BUCKET, artifacts, true),
        ];
        let params = params(&[
            ("UniqueID", &p.uid),
            ("DataScienceAccountID", &p.ds),
            ("StageAccountID", &p.stage),
        ]);
        self.create_stack(StackKind::Pipeline, None, params, buckets, &failing);
    }

    /// 2.4: launch "Amazon Secure Sagemaker" as the DataScientist (unless it was launched
    /// from crossdeck already).
    fn launch_product(&mut self) {
        if self.accounts[StackKind::Product.role()].products.is_empty() {
            let name = format!("{}-notebook", self.plan.name);
            let team = self.plan.team.to_string();
            self.launch_product_as(name, "Small".into(), team);
        }
    }

    /// ProvisionProduct with a name and parameters; returns the provisioned product's id.
    pub(super) fn launch_product_as(
        &mut self,
        name: String,
        instance: String,
        team: String,
    ) -> String {
        let pp = format!("pp-{}", self.rng.lower(13));
        let stack_name = format!("SC-{}-{pp}", self.plan.ds);
        let data_bucket = format!("{}-notebook-data-{}", self.plan.team, self.rng.lower(12));
        self.accounts[StackKind::Product.role()]
            .products
            .push(ProvisionedProduct {
                name,
                id: pp.clone(),
                product_name: self.names.product_name.clone(),
                product_id: self.ids.product.clone(),
                status: "UNDER_CHANGE".into(),
                status_message: None,
                outputs: BTreeMap::new(),
                created: self.now,
            });
        self.ids.provisioned = pp.clone();
        let params = params(&[("SagemakerInstance", &instance), ("TeamName", &team)]);
        let bucket = OwnedBucket {
            logical: NOTEBOOK_BUCKET,
            name: data_bucket,
            versioned: false,
            retain: true,
        };
        self.create_stack(
            StackKind::Product,
            Some(stack_name),
            params,
            vec![bucket],
            &[],
        );
        pp
    }

    /// The story moves on once a stack it created has settled (complete or rolled back).
    pub(super) fn stack_settled(&mut self, kind: StackKind) {
        let stage_first = self.plan.stage_first;
        match kind {
            StackKind::ToolsCatalog => self.next_step(Step::Prep),
            StackKind::Prep => self.next_step(Step::Upload(0)),
            StackKind::Pipeline if stage_first => self.next_step(Step::StageRes),
            StackKind::Pipeline => self.next_step(Step::DsCatalog),
            StackKind::DsCatalog if stage_first => self.next_step(Step::LaunchProduct),
            StackKind::DsCatalog => self.next_step(Step::StageRes),
            StackKind::StageRes if stage_first => self.next_step(Step::DsCatalog),
            StackKind::StageRes => self.next_step(Step::LaunchProduct),
            StackKind::Product => {
                // Training in the notebook, then the last cell uploads the model.
                let secs = self.rng.range(10 * 60, 25 * 60);
                self.after(secs, Event::Step(Step::UploadModel));
            }
        }
    }
}
