//! The config file as written: serde structs that reject unknown keys and keep spans for checks.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub region: Option<Spanned<String>>,
    pub endpoint_url: Option<Spanned<String>>,
    pub read_only: Option<bool>,
    pub max_attempts: Option<Spanned<u32>>,
    pub cleanup_role_name: Option<Spanned<String>>,
    pub polling: Option<RawPolling>,
    pub events: Option<Spanned<RawEvents>>,
    pub names: Option<RawNames>,
    pub prices: Option<RawPrices>,
    pub cost: Option<RawCost>,
    /// Action names to a key or a list of keys.
    pub keys: Option<BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
    #[serde(default)]
    pub labs: Vec<Spanned<RawLab>>,
    pub roster: Option<Spanned<RawRoster>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolling {
    pub active_secs: Option<Spanned<u64>>,
    pub steady_secs: Option<Spanned<u64>>,
    pub max_steady_secs: Option<Spanned<u64>>,
    pub max_concurrency: Option<Spanned<u64>>,
}

/// `[events]`: the SQS queue the lab's EventBridge events arrive in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvents {
    pub queue_url: Spanned<String>,
    pub profile: Option<Spanned<String>>,
    pub role_arn: Option<Spanned<String>>,
    pub source_profile: Option<Spanned<String>>,
    pub external_id: Option<String>,
    pub session_name: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
    pub safety_poll_secs: Option<Spanned<u64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLab {
    pub name: Spanned<String>,
    /// Absent: read from the pipeline stack's `UniqueID` parameter.
    pub unique_id: Option<Spanned<String>>,
    pub tools: Option<Spanned<RawAccount>>,
    pub datascience: Option<Spanned<RawAccount>>,
    pub stage: Option<Spanned<RawAccount>>,
    pub production: Option<Spanned<RawAccount>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAccount {
    pub account_id: Spanned<String>,
    pub profile: Option<Spanned<String>>,
    pub role_arn: Option<Spanned<String>>,
    pub source_profile: Option<Spanned<String>>,
    pub external_id: Option<String>,
    pub session_name: Option<Spanned<String>>,
    pub sso_session: Option<Spanned<String>>,
    pub sso_role_name: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
    pub endpoint_url: Option<Spanned<String>>,
    pub cleanup_role_name: Option<Spanned<String>>,
    pub cleanup_role_arn: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRoster {
    pub file: Spanned<String>,
    pub role_name: Option<Spanned<String>>,
    pub source_profile: Option<String>,
}

/// Every lab resource name the guide fixes, each optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNames {
    pub tools_catalog_stack: Option<String>,
    pub prep_stack: Option<String>,
    pub pipeline_stack: Option<String>,
    pub ds_catalog_stack: Option<String>,
    pub ds_resources_stack: Option<String>,
    pub stage_stack: Option<String>,
    pub portfolio_name: Option<String>,
    pub product_name: Option<String>,
    pub lambda_bucket_prefix: Option<String>,
    pub data_model_bucket_prefix: Option<String>,
    pub artifacts_bucket_prefix: Option<String>,
    pub pipeline_prefix: Option<String>,
    pub endpoint_prefix: Option<String>,
    pub lambda_zips: Option<[String; 3]>,
    pub model_key: Option<String>,
    pub source_stage: Option<String>,
    pub tools_stage: Option<String>,
    pub stage_stage: Option<String>,
}

/// Price overrides: USD per instance-hour by instance type, for endpoints and notebooks.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrices {
    #[serde(default)]
    pub endpoint: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    pub notebook: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}

/// The cost watch's settings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCost {
    pub endpoint_idle_after: Option<Spanned<String>>,
}
