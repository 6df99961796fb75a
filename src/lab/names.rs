//! The lab's resource names, defaulting to the guide's; later overridable from config.

/// Names the guide gives the lab's resources. Prefixes are matched with `starts_with`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabNames {
    pub tools_catalog_stack: String,
    pub prep_stack: String,
    pub pipeline_stack: String,
    pub ds_catalog_stack: String,
    pub ds_resources_stack: String,
    pub stage_stack: String,
    pub portfolio_name: String,
    pub product_name: String,
    pub lambda_bucket_prefix: String,
    pub data_model_bucket_prefix: String,
    pub artifacts_bucket_prefix: String,
    pub pipeline_prefix: String,
    pub endpoint_prefix: String,
    pub lambda_zips: [String; 3],
    pub model_key: String,
    pub source_stage: String,
    pub tools_stage: String,
    pub stage_stage: String,
}

impl Default for LabNames {
    fn default() -> Self {
        LabNames {
            tools_catalog_stack: "LabSCToolsAccountSetup".into(),
            prep_stack: "MLOpsPipelinePrep".into(),
            pipeline_stack: "MLOpsPipeline".into(),
            ds_catalog_stack: "LabDSAccountSCSetup".into(),
            ds_resources_stack: "DSResources".into(),
            stage_stack: "StageResources".into(),
            portfolio_name: "Data Scientists - Sample Portfolio".into(),
            product_name: "Amazon Secure Sagemaker".into(),
            lambda_bucket_prefix: "mlops-bia-lambda-functions-".into(),
            data_model_bucket_prefix: "mlops-bia-data-model-".into(),
            artifacts_bucket_prefix: "mlops-bia-codepipeline-artifacts-".into(),
            pipeline_prefix: "MLOpsPipeline-CodePipeline".into(),
            endpoint_prefix: "datascience-project-".into(),
            lambda_zips: [
                "MLOps-BIA-DeployModel.py.zip".into(),
                "MLOps-BIA-GetStatus.py.zip".into(),
                "MLOps-BIA-EvaluateModel.py.zip".into(),
            ],
            model_key: "models/model.tar.gz".into(),
            source_stage: "Source".into(),
            tools_stage: "DeployModel-Tools".into(),
            stage_stage: "DeployModel-Stage".into(),
        }
    }
}

impl LabNames {
    /// `mlops-bia-lambda-functions-<tools account id>`.
    pub fn lambda_bucket(&self, tools_account: &str) -> String {
        format!("{}{tools_account}", self.lambda_bucket_prefix)
    }

    /// `mlops-bia-data-model-<account id>` (Tools and Stage each have one).
    pub fn data_model_bucket(&self, account: &str) -> String {
        format!("{}{account}", self.data_model_bucket_prefix)
    }
}
