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
    /// `DSResources`' versioned data bucket, `<prefix><datascience account id>`.
    pub ds_data_bucket_prefix: String,
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
            ds_data_bucket_prefix: "datascience-project-".into(),
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

    /// `datascience-project-<datascience account id>`, the bucket of `DSResources`.
    pub fn ds_data_bucket(&self, ds_account: &str) -> String {
        format!("{}{ds_account}", self.ds_data_bucket_prefix)
    }

    /// The artifacts bucket's name when the pipeline cannot say it: exactly
    /// `<prefix><uid>-` and 8 lowercase hex characters (CloudFormation's suffix), so another
    /// lab's `<uid>-x-…` bucket in the same account never matches.
    pub fn is_artifacts_bucket(&self, unique_id: &str, name: &str) -> bool {
        let Some(rest) = name
            .strip_prefix(self.artifacts_bucket_prefix.as_str())
            .and_then(|r| r.strip_prefix(unique_id))
            .and_then(|r| r.strip_prefix('-'))
        else {
            return false;
        };
        !unique_id.is_empty()
            && rest.len() == 8
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    /// A bucket the lab's cleanup may empty or delete in `role`'s account `account`: the
    /// buckets the guide's stacks name (Lambda code, data model, `DSResources`' data), the
    /// pipeline's artifacts bucket (its artifact store when known, else the exact
    /// `<prefix><uid>-<8 hex>`), and in DataScience a bucket the product's stack made
    /// (`sc-<account>-pp-…`, CloudFormation's name for it).
    pub fn is_lab_bucket(
        &self,
        role: crate::lab::Role,
        account: &str,
        unique_id: &str,
        artifact_store: Option<&str>,
        bucket: &str,
    ) -> bool {
        use crate::lab::Role;
        match role {
            Role::Tools => {
                bucket == self.lambda_bucket(account)
                    || bucket == self.data_model_bucket(account)
                    || artifact_store == Some(bucket)
                    || self.is_artifacts_bucket(unique_id, bucket)
            }
            Role::DataScience => {
                bucket == self.ds_data_bucket(account)
                    || bucket.starts_with(&format!("sc-{account}-pp-"))
            }
            Role::Stage | Role::Production => bucket == self.data_model_bucket(account),
        }
    }

    /// The lab's own stacks, by the guide's names.
    pub fn stacks(&self) -> [&str; 6] {
        [
            &self.tools_catalog_stack,
            &self.prep_stack,
            &self.pipeline_stack,
            &self.ds_catalog_stack,
            &self.ds_resources_stack,
            &self.stage_stack,
        ]
    }

    /// A provisioned product is the lab's when its product is the configured one by name, or by
    /// id (the Tools catalog stack's `SagemakerProductID`). One without a product name is not.
    pub fn is_lab_product(
        &self,
        product_name: &str,
        product_id: &str,
        tools_product_id: Option<&str>,
    ) -> bool {
        !product_name.is_empty()
            && (product_name == self.product_name
                || tools_product_id.is_some_and(|id| !id.is_empty() && id == product_id))
    }
}

#[cfg(test)]
mod tests {
    use super::LabNames;

    #[test]
    fn artifacts_bucket_is_the_uid_and_eight_hex_characters() {
        let n = LabNames::default();
        assert!(n.is_artifacts_bucket("ali", "mlops-bia-codepipeline-artifacts-ali-0a1b2c3d"));
        assert!(!n.is_artifacts_bucket("ali", "mlops-bia-codepipeline-artifacts-ali-x-0a1b2c3d"));
        assert!(!n.is_artifacts_bucket("ali", "mlops-bia-codepipeline-artifacts-ali-0A1B2C3D"));
        assert!(!n.is_artifacts_bucket("ali", "mlops-bia-codepipeline-artifacts-ali-0a1b2c3"));
        assert!(!n.is_artifacts_bucket("ali", "mlops-bia-codepipeline-artifacts-ali-0a1b2c3d4"));
        assert!(!n.is_artifacts_bucket("", "mlops-bia-codepipeline-artifacts--0a1b2c3d"));
    }

    #[test]
    fn lab_buckets_are_named_per_account() {
        use crate::lab::Role;
        let n = LabNames::default();
        let ok = |role, b: &str| n.is_lab_bucket(role, "111111111111", "ali", None, b);
        assert!(ok(Role::Tools, "mlops-bia-lambda-functions-111111111111"));
        assert!(ok(Role::Tools, "mlops-bia-data-model-111111111111"));
        assert!(ok(
            Role::Tools,
            "mlops-bia-codepipeline-artifacts-ali-0a1b2c3d"
        ));
        assert!(!ok(
            Role::Tools,
            "mlops-bia-codepipeline-artifacts-ali-x-0a1b2c3d"
        ));
        assert!(!ok(Role::Tools, "mlops-bia-data-model-999999999999"));
        assert!(n.is_lab_bucket(Role::Tools, "1", "ali", Some("store"), "store"));
        assert!(ok(Role::DataScience, "datascience-project-111111111111"));
        assert!(ok(
            Role::DataScience,
            "sc-111111111111-pp-abc-sagemakerbucket-x1"
        ));
        assert!(!ok(
            Role::DataScience,
            "sc-999999999999-pp-abc-sagemakerbucket-x1"
        ));
        assert!(!ok(Role::DataScience, "mlops-bia-data-model-111111111111"));
        assert!(ok(Role::Stage, "mlops-bia-data-model-111111111111"));
        assert!(!ok(Role::Stage, "mlops-bia-lambda-functions-111111111111"));
    }

    #[test]
    fn a_lab_product_is_named_and_matches_by_name_or_id() {
        let n = LabNames::default();
        assert!(n.is_lab_product("Amazon Secure Sagemaker", "prod-x", None));
        assert!(n.is_lab_product("Renamed", "prod-abc", Some("prod-abc")));
        assert!(!n.is_lab_product("Other", "prod-x", Some("prod-abc")));
        assert!(!n.is_lab_product("", "prod-abc", Some("prod-abc")));
        assert!(!n.is_lab_product("Other", "", Some("")));
    }
}
