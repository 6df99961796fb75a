//! SDK configuration per account: region, endpoint, retries, and credentials from a profile or
//! an assumed role, all through aws-config; one client per service.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::{self, ProvideCredentials, SharedCredentialsProvider};

use crate::config::{AccountConfig, CredentialSource, DEFAULT_REGION};

use super::address::RecordAddress;
use super::errors::CallError;
use crate::lab::ErrorKind;

/// Session name for assumed roles unless the config gives one.
pub const DEFAULT_SESSION_NAME: &str = "crossdeck";

/// What every account's SDK configuration shares, from the config file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Settings {
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub max_attempts: u32,
}

/// The service clients of one account, and a count of credential fetches.
#[derive(Clone, Debug)]
pub struct Clients {
    pub sts: aws_sdk_sts::Client,
    pub cfn: aws_sdk_cloudformation::Client,
    pub sc: aws_sdk_servicecatalog::Client,
    pub cp: aws_sdk_codepipeline::Client,
    pub sm: aws_sdk_sagemaker::Client,
    pub s3: aws_sdk_s3::Client,
    /// CloudWatch, for an endpoint's metrics.
    pub cw: aws_sdk_cloudwatch::Client,
    /// SageMaker Runtime, for the smoke test's InvokeEndpoint.
    pub smr: aws_sdk_sagemakerruntime::Client,
    /// How many times credentials were fetched (each refresh bumps it); the caller identity is
    /// checked again after each refresh.
    pub fetches: Arc<AtomicU64>,
    /// Where the credentials come from, in words.
    pub source: String,
    pub region: String,
}

impl Clients {
    /// Clients for every service from one SDK configuration. Each account gets its own retry
    /// partition per service, so throttling in one account never slows another's calls.
    pub fn new(
        cfg: &SdkConfig,
        path_style: bool,
        fetches: Arc<AtomicU64>,
        source: String,
        account_id: &str,
    ) -> Self {
        let region = cfg.region().map_or_else(String::new, |r| r.to_string());
        macro_rules! client {
            ($svc:ident, $name:literal) => {{
                let partition = $svc::config::retry::RetryPartition::new(format!(
                    "{}-{region}-{account_id}",
                    $name
                ));
                $svc::Client::from_conf(
                    $svc::config::Builder::from(cfg)
                        .retry_partition(partition)
                        .interceptor(RecordAddress)
                        .build(),
                )
            }};
        }
        let s3 = {
            let partition =
                aws_sdk_s3::config::retry::RetryPartition::new(format!("s3-{region}-{account_id}"));
            aws_sdk_s3::config::Builder::from(cfg)
                .force_path_style(path_style)
                .retry_partition(partition)
                .interceptor(RecordAddress)
                .build()
        };
        Clients {
            sts: client!(aws_sdk_sts, "sts"),
            cfn: client!(aws_sdk_cloudformation, "cloudformation"),
            sc: client!(aws_sdk_servicecatalog, "servicecatalog"),
            cp: client!(aws_sdk_codepipeline, "codepipeline"),
            sm: client!(aws_sdk_sagemaker, "sagemaker"),
            s3: aws_sdk_s3::Client::from_conf(s3),
            cw: client!(aws_sdk_cloudwatch, "cloudwatch"),
            smr: smr_client(cfg, &region, account_id),
            fetches,
            source,
            region,
        }
    }

    pub fn credential_fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }
}

/// SageMaker Runtime for the smoke test: a model may take SageMaker's whole 60 s to answer, so
/// one attempt waits longer than that, and a call that timed out is never sent again (each
/// InvokeEndpoint is billed, and a slow model stays slow).
fn smr_client(cfg: &SdkConfig, region: &str, account_id: &str) -> aws_sdk_sagemakerruntime::Client {
    use aws_sdk_sagemakerruntime::config;
    let partition =
        config::retry::RetryPartition::new(format!("sagemaker-runtime-{region}-{account_id}"));
    let timeouts = TimeoutConfig::builder()
        .operation_attempt_timeout(super::runtime::INVOKE_ATTEMPT_TIMEOUT)
        .operation_timeout(super::runtime::INVOKE_TIMEOUT)
        .build();
    aws_sdk_sagemakerruntime::Client::from_conf(
        config::Builder::from(cfg)
            .retry_partition(partition)
            .interceptor(RecordAddress)
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .timeout_config(timeouts)
            .build(),
    )
}

/// The region and endpoint an account uses: its own, else the config's.
pub fn account_settings(base: &Settings, account: &AccountConfig) -> Settings {
    Settings {
        region: account.region.clone().or_else(|| base.region.clone()),
        endpoint_url: account
            .endpoint_url
            .clone()
            .or_else(|| base.endpoint_url.clone()),
        max_attempts: base.max_attempts,
    }
}

/// Load the SDK configuration for a profile (or the default chain), with crossdeck's retry and
/// timeout settings. The region falls back to the guide's us-east-1 when nothing sets one.
pub async fn load_base(profile: Option<&str>, settings: &Settings) -> SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .operation_attempt_timeout(Duration::from_secs(20))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(settings.max_attempts.max(1)))
        .timeout_config(timeouts);
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &settings.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(u) = &settings.endpoint_url {
        loader = loader.endpoint_url(u.clone());
    }
    let cfg = loader.load().await;
    if cfg.region().is_none() {
        cfg.to_builder().region(Region::new(DEFAULT_REGION)).build()
    } else {
        cfg
    }
}

/// The account's own configuration on top of its base: the assumed role, if any, and the
/// credential-fetch counter.
pub async fn account_config(
    base: &SdkConfig,
    account: &AccountConfig,
) -> Result<(SdkConfig, Arc<AtomicU64>), CallError> {
    let source = match &account.credentials {
        CredentialSource::Profile(_) => base.credentials_provider(),
        CredentialSource::AssumeRole {
            role_arn,
            external_id,
            session_name,
            ..
        } => {
            let Some(from) = base.credentials_provider() else {
                return Err(no_credentials());
            };
            let mut b = aws_config::sts::AssumeRoleProvider::builder(role_arn.clone())
                .session_name(session_name.as_deref().unwrap_or(DEFAULT_SESSION_NAME))
                .configure(base);
            if let Some(x) = external_id {
                b = b.external_id(x.clone());
            }
            Some(SharedCredentialsProvider::new(
                b.build_from_provider(from).await,
            ))
        }
    };
    let Some(inner) = source else {
        return Err(no_credentials());
    };
    let fetches = Arc::new(AtomicU64::new(0));
    let counting = Counting {
        inner,
        fetches: fetches.clone(),
    };
    let cfg = base
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(counting))
        .build();
    Ok((cfg, fetches))
}

fn no_credentials() -> CallError {
    CallError::new(
        "credentials",
        ErrorKind::AccessDenied,
        "no credentials provider: set a profile or AWS_* environment variables",
    )
}

/// Passes credentials through and counts how often they are fetched (the SDK's identity cache
/// asks only when they are missing or about to expire).
#[derive(Debug)]
struct Counting {
    inner: SharedCredentialsProvider,
    fetches: Arc<AtomicU64>,
}

impl ProvideCredentials for Counting {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        self.inner.provide_credentials()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_account_throttles_in_its_own_retry_partition() {
        let cfg = SdkConfig::builder()
            .region(Region::new("us-east-1"))
            .behavior_version(BehaviorVersion::latest())
            .build();
        let fetches = Arc::new(AtomicU64::new(0));
        let a = Clients::new(&cfg, false, fetches.clone(), "a".into(), "111111111111");
        let b = Clients::new(&cfg, false, fetches, "b".into(), "222222222222");
        let name = |p: Option<&aws_sdk_cloudformation::config::retry::RetryPartition>| {
            p.map(|p| p.to_string()).unwrap_or_default()
        };
        assert_eq!(
            name(a.cfn.config().retry_partition()),
            "cloudformation-us-east-1-111111111111"
        );
        assert_eq!(
            name(b.cfn.config().retry_partition()),
            "cloudformation-us-east-1-222222222222"
        );
        assert_eq!(
            b.s3.config().retry_partition().map(|p| p.to_string()),
            Some("s3-us-east-1-222222222222".to_string())
        );
        assert_eq!(
            b.cw.config().retry_partition().map(|p| p.to_string()),
            Some("cloudwatch-us-east-1-222222222222".to_string())
        );
        assert_eq!(
            a.smr.config().retry_partition().map(|p| p.to_string()),
            Some("sagemaker-runtime-us-east-1-111111111111".to_string())
        );
    }
}
