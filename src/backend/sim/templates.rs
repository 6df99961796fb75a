//! What each of the lab's stacks is made of: resources, what each waits for, and how long each takes.

use crate::lab::{LabNames, Role};

pub(super) const STACK_TYPE: &str = "AWS::CloudFormation::Stack";
pub(super) const S3_BUCKET: &str = "AWS::S3::Bucket";
pub(super) const PIPELINE: &str = "AWS::CodePipeline::Pipeline";
pub(super) const SHARE: &str = "AWS::ServiceCatalog::PortfolioShare";
pub(super) const ACCEPTED_SHARE: &str = "AWS::ServiceCatalog::AcceptedPortfolioShare";
pub(super) const NOTEBOOK: &str = "AWS::SageMaker::NotebookInstance";
const ROLE: &str = "AWS::IAM::Role";
const LAMBDA: &str = "AWS::Lambda::Function";
const KMS_KEY: &str = "AWS::KMS::Key";
const SSM_PARAM: &str = "AWS::SSM::Parameter";
const SUBNET: &str = "AWS::EC2::Subnet";

/// The lab's stacks; each account holds at most one of each kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum StackKind {
    ToolsCatalog,
    Prep,
    Pipeline,
    DsCatalog,
    StageRes,
    /// The provisioned notebook product's underlying stack.
    Product,
}

impl StackKind {
    pub(super) fn role(self) -> Role {
        match self {
            StackKind::ToolsCatalog | StackKind::Prep | StackKind::Pipeline => Role::Tools,
            StackKind::DsCatalog | StackKind::Product => Role::DataScience,
            StackKind::StageRes => Role::Stage,
        }
    }

    /// The guide's stack name (the product's stack is named at launch instead).
    pub(super) fn name(self, names: &LabNames) -> &str {
        match self {
            StackKind::ToolsCatalog => &names.tools_catalog_stack,
            StackKind::Prep => &names.prep_stack,
            StackKind::Pipeline => &names.pipeline_stack,
            StackKind::DsCatalog => &names.ds_catalog_stack,
            StackKind::StageRes => &names.stage_stack,
            StackKind::Product => "",
        }
    }

    pub(super) fn resources(self) -> &'static [Res] {
        match self {
            StackKind::ToolsCatalog => TOOLS_CATALOG,
            StackKind::Prep => PREP,
            StackKind::Pipeline => PIPELINE_STACK,
            StackKind::DsCatalog => DS_CATALOG,
            StackKind::StageRes => STAGE_RES,
            StackKind::Product => PRODUCT,
        }
    }
}

/// One resource of a template: it starts when the one it waits for (if any) completes.
#[derive(Debug)]
pub(super) struct Res {
    pub logical: &'static str,
    pub rtype: &'static str,
    pub after: Option<usize>,
    /// Creation time range in seconds.
    pub secs: (i64, i64),
}

const fn res(
    logical: &'static str,
    rtype: &'static str,
    after: Option<usize>,
    lo: i64,
    hi: i64,
) -> Res {
    Res {
        logical,
        rtype,
        after,
        secs: (lo, hi),
    }
}

/// The pipeline stack's Lambda functions, in the order of `LabNames::lambda_zips`.
pub(super) const LAMBDA_RESOURCES: [usize; 3] = [8, 9, 10];

/// Bucket logical ids the lab's stacks own.
pub(super) const LAMBDA_BUCKET: &str = "LambdaFunctionsBucket";
pub(super) const DATA_MODEL_BUCKET: &str = "DataModelBucket";
pub(super) const ARTIFACTS_BUCKET: &str = "CodePipelineArtifactsBucket";
pub(super) const NOTEBOOK_BUCKET: &str = "NotebookDataBucket";

// About 1.5 minutes.
const TOOLS_CATALOG: &[Res] = &[
    res("Portfolio", "AWS::ServiceCatalog::Portfolio", None, 8, 15),
    res("SCLaunchRole", ROLE, None, 15, 25),
    res(
        "SagemakerProduct",
        "AWS::ServiceCatalog::CloudFormationProduct",
        None,
        30,
        45,
    ),
    res(
        "ProductAssociation",
        "AWS::ServiceCatalog::PortfolioProductAssociation",
        Some(2),
        8,
        15,
    ),
    res(
        "LaunchConstraint",
        "AWS::ServiceCatalog::LaunchRoleConstraint",
        Some(3),
        10,
        20,
    ),
    res("PortfolioShare", SHARE, Some(4), 15, 25),
];

// About 40 seconds.
const PREP: &[Res] = &[
    res(LAMBDA_BUCKET, S3_BUCKET, None, 22, 32),
    res(
        "LambdaFunctionsBucketPolicy",
        "AWS::S3::BucketPolicy",
        Some(0),
        3,
        6,
    ),
];

// About 3 minutes. Indices 8..=10 are `LAMBDA_RESOURCES`.
const PIPELINE_STACK: &[Res] = &[
    res("KMSMasterKey", KMS_KEY, None, 95, 125),
    res("KMSMasterKeyAlias", "AWS::KMS::Alias", Some(0), 3, 6),
    res(DATA_MODEL_BUCKET, S3_BUCKET, None, 22, 32),
    res(ARTIFACTS_BUCKET, S3_BUCKET, None, 22, 32),
    res("LambdaExecutionRole", ROLE, None, 15, 25),
    res("SageMakerRole", ROLE, None, 15, 25),
    res("CodePipelineRole", ROLE, None, 15, 25),
    res("AllowAccessToDataScienceAccountRole", ROLE, Some(2), 15, 22),
    res("DeployModelLambda", LAMBDA, Some(0), 8, 15),
    res("GetStatusLambda", LAMBDA, Some(0), 8, 15),
    res("EvaluateModelLambda", LAMBDA, Some(0), 8, 15),
    res("CodePipeline", PIPELINE, Some(10), 5, 10),
    res("PipelineTriggerRule", "AWS::Events::Rule", Some(11), 25, 40),
];

// About 2.5 minutes.
const DS_CATALOG: &[Res] = &[
    res("AcceptPortfolioShare", ACCEPTED_SHARE, None, 5, 10),
    res(
        "SpokePortfolio",
        "AWS::ServiceCatalog::Portfolio",
        None,
        8,
        15,
    ),
    res(
        "ProductAssociation",
        "AWS::ServiceCatalog::PortfolioProductAssociation",
        Some(0),
        8,
        15,
    ),
    res("DataScientistRole", ROLE, None, 15, 25),
    res("SCSMLaunchRole", ROLE, None, 15, 25),
    res(
        "LaunchConstraint",
        "AWS::ServiceCatalog::LaunchRoleConstraint",
        Some(2),
        10,
        20,
    ),
    res(
        "PrincipalAssociation",
        "AWS::ServiceCatalog::PortfolioPrincipalAssociation",
        Some(3),
        5,
        10,
    ),
    res(
        "CostCenterTagOption",
        "AWS::ServiceCatalog::TagOption",
        None,
        3,
        6,
    ),
    res("VPC", "AWS::EC2::VPC", None, 15, 25),
    res("Subnet1", SUBNET, Some(8), 5, 10),
    res("Subnet2", SUBNET, Some(8), 5, 10),
    res("Subnet3", SUBNET, Some(8), 5, 10),
    res(
        "SageMakerVPCEndpoint",
        "AWS::EC2::VPCEndpoint",
        Some(9),
        90,
        120,
    ),
    res("ToolsAccountIDParameter", SSM_PARAM, None, 3, 6),
    res("VpcIdParameter", SSM_PARAM, Some(8), 3, 6),
    res("SubnetIdParameter", SSM_PARAM, Some(9), 3, 6),
    res("SCSMLaunchRoleArnParameter", SSM_PARAM, Some(4), 3, 6),
];

// About a minute.
const STAGE_RES: &[Res] = &[
    res(DATA_MODEL_BUCKET, S3_BUCKET, None, 25, 35),
    res(
        "DataModelBucketPolicy",
        "AWS::S3::BucketPolicy",
        Some(0),
        3,
        6,
    ),
    res("SageMakerExecutionRole", ROLE, None, 15, 25),
    res("AllowAccessToToolsAccountRole", ROLE, None, 15, 25),
    res(
        "ToolsAccountAccessPolicy",
        "AWS::IAM::Policy",
        Some(3),
        25,
        40,
    ),
];

// Five to seven minutes, nearly all of it the notebook instance.
const PRODUCT: &[Res] = &[
    res("NotebookKMSKey", KMS_KEY, None, 60, 90),
    res("NotebookExecutionRole", ROLE, None, 15, 25),
    res(NOTEBOOK_BUCKET, S3_BUCKET, None, 20, 30),
    res(
        "NotebookLifecycleConfig",
        "AWS::SageMaker::NotebookInstanceLifecycleConfig",
        None,
        3,
        6,
    ),
    res("NotebookInstance", NOTEBOOK, Some(0), 240, 320),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_point_backwards() {
        for kind in [
            StackKind::ToolsCatalog,
            StackKind::Prep,
            StackKind::Pipeline,
            StackKind::DsCatalog,
            StackKind::StageRes,
            StackKind::Product,
        ] {
            for (i, r) in kind.resources().iter().enumerate() {
                assert!(r.after.is_none_or(|j| j < i), "{kind:?} {}", r.logical);
                assert!(r.secs.0 <= r.secs.1);
            }
        }
        for (zip, i) in LAMBDA_RESOURCES.into_iter().enumerate() {
            assert_eq!(PIPELINE_STACK[i].rtype, LAMBDA, "zip {zip}");
        }
    }
}
