//! SDK configuration per account: region, endpoint, retries, and credentials from a profile or
//! an assumed role, all through aws-config; one client per service. One HTTP client (connector,
//! TLS configuration, connection pool) serves the whole process, and one STS client per source
//! serves every role assumed from it.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use aws_config::identity::IdentityCache;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{self, ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder as HttpBuilder, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

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
    /// Attempts per call (adaptive retry); `None` leaves it to the environment or profile.
    pub max_attempts: Option<u32>,
}

/// A service client made the first time it is used: DataScience never calls CodePipeline,
/// Stage never calls Service Catalog, and most accounts never call CloudWatch or SageMaker
/// Runtime, so an account holds only the clients its polls need.
pub struct Lazy<T> {
    cell: OnceLock<T>,
    make: Box<dyn Fn() -> T + Send + Sync>,
}

impl<T> Lazy<T> {
    fn new(make: impl Fn() -> T + Send + Sync + 'static) -> Self {
        Lazy {
            cell: OnceLock::new(),
            make: Box::new(make),
        }
    }

    /// Whether the client has been made.
    pub fn is_made(&self) -> bool {
        self.cell.get().is_some()
    }

    /// A client for a call made seldom (STS's GetCallerIdentity, once per credential fetch):
    /// the one made already if any (a test's mock), else a new one that is dropped with the
    /// call instead of being held for the account's life. Its retry partition's quota and its
    /// credentials (the account's identity cache) outlive it.
    pub fn for_once(&self) -> T
    where
        T: Clone,
    {
        self.cell.get().cloned().unwrap_or_else(|| (self.make)())
    }
}

impl<T> std::ops::Deref for Lazy<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.cell.get_or_init(|| (self.make)())
    }
}

/// A client made already (tests hand in their mocks this way).
impl<T: Clone + Send + Sync + 'static> From<T> for Lazy<T> {
    fn from(v: T) -> Self {
        let copy = v.clone();
        Lazy {
            cell: OnceLock::from(v),
            make: Box::new(move || copy.clone()),
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.cell.get() {
            Some(c) => c.fmt(f),
            None => f.write_str("<not made yet>"),
        }
    }
}

/// The service clients of one account, each made on first use, and a count of credential
/// fetches.
#[derive(Debug)]
pub struct Clients {
    /// STS, for GetCallerIdentity: made per call (see [`Lazy::for_once`]).
    pub sts: Lazy<aws_sdk_sts::Client>,
    pub cfn: Lazy<aws_sdk_cloudformation::Client>,
    pub sc: Lazy<aws_sdk_servicecatalog::Client>,
    pub cp: Lazy<aws_sdk_codepipeline::Client>,
    pub sm: Lazy<aws_sdk_sagemaker::Client>,
    pub s3: Lazy<aws_sdk_s3::Client>,
    /// CloudWatch, for an endpoint's metrics.
    pub cw: Lazy<aws_sdk_cloudwatch::Client>,
    /// SageMaker Runtime, for the smoke test's InvokeEndpoint.
    pub smr: Lazy<aws_sdk_sagemakerruntime::Client>,
    /// How many times credentials were fetched (each refresh bumps it); the caller identity is
    /// checked again after each refresh.
    pub fetches: Arc<AtomicU64>,
    /// Where the credentials come from, in words.
    pub source: String,
    pub region: String,
}

impl Clients {
    /// Clients for every service from one SDK configuration, each made when first used. Each
    /// account gets its own retry partition per service, so throttling in one account never
    /// slows another's calls.
    pub fn new(
        cfg: &SdkConfig,
        path_style: bool,
        fetches: Arc<AtomicU64>,
        source: String,
        account_id: &str,
    ) -> Self {
        let region = cfg.region().map_or_else(String::new, |r| r.to_string());
        let cfg = Arc::new(cfg.clone());
        let partition = |name: &str| format!("{name}-{region}-{account_id}");
        macro_rules! client {
            ($svc:ident, $name:literal) => {{
                let (cfg, p) = (cfg.clone(), partition($name));
                Lazy::new(move || {
                    $svc::Client::from_conf(
                        $svc::config::Builder::from(&*cfg)
                            .retry_partition($svc::config::retry::RetryPartition::new(p.clone()))
                            .interceptor(RecordAddress)
                            .build(),
                    )
                })
            }};
        }
        let s3 = {
            let (cfg, p) = (cfg.clone(), partition("s3"));
            Lazy::new(move || {
                aws_sdk_s3::Client::from_conf(
                    aws_sdk_s3::config::Builder::from(&*cfg)
                        .force_path_style(path_style)
                        .retry_partition(aws_sdk_s3::config::retry::RetryPartition::new(p.clone()))
                        .interceptor(RecordAddress)
                        .build(),
                )
            })
        };
        let smr = {
            let (cfg, p) = (cfg.clone(), partition("sagemaker-runtime"));
            Lazy::new(move || smr_client(&cfg, &p))
        };
        Clients {
            sts: client!(aws_sdk_sts, "sts"),
            cfn: client!(aws_sdk_cloudformation, "cloudformation"),
            sc: client!(aws_sdk_servicecatalog, "servicecatalog"),
            cp: client!(aws_sdk_codepipeline, "codepipeline"),
            sm: client!(aws_sdk_sagemaker, "sagemaker"),
            s3,
            cw: client!(aws_sdk_cloudwatch, "cloudwatch"),
            smr,
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
fn smr_client(cfg: &SdkConfig, partition: &str) -> aws_sdk_sagemakerruntime::Client {
    use aws_sdk_sagemakerruntime::config;
    let partition = config::retry::RetryPartition::new(partition.to_string());
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

/// HTTPS connectors built so far (one per distinct timeout setting, for the whole process).
static CONNECTORS: AtomicUsize = AtomicUsize::new(0);
/// STS clients built for assuming roles (one per source).
static STS_CLIENTS: AtomicUsize = AtomicUsize::new(0);

/// The process's one HTTP client, as the SDK's default would build it (hyper 1, rustls with
/// aws-lc, the environment's proxy settings). Every SDK configuration gets it, so the TLS
/// configuration, root certificates and connection pool exist once, and connections to the same
/// endpoint are reused across accounts; a connector is made per distinct timeout setting.
pub fn shared_http_client() -> SharedHttpClient {
    static CLIENT: OnceLock<SharedHttpClient> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            HttpBuilder::new().build_with_connector_fn(|settings, components| {
                let Some(settings) = settings else {
                    // Each service client's construction asks for a connector only to load
                    // the root certificates early, and drops it: a plain one does, so the
                    // certificates load once, for the connector that is kept.
                    return ConnectorBuilder::default().build_http();
                };
                let n = CONNECTORS.fetch_add(1, Ordering::Relaxed) + 1;
                tracing::debug!(connectors = n, ?settings, "built an HTTPS connector");
                let mut b = ConnectorBuilder::default()
                    .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
                b.set_connector_settings(Some(settings.clone()));
                if let Some(c) = components {
                    b.set_sleep_impl(c.sleep_impl());
                }
                b.set_proxy_config(Some(ProxyConfig::from_env()));
                b.build()
            })
        })
        .clone()
}

/// A source's SDK configuration and the one STS client every role assumed from it uses.
#[derive(Clone, Debug)]
pub struct Base {
    pub cfg: SdkConfig,
    pub sts: aws_sdk_sts::Client,
}

impl Base {
    pub fn new(cfg: SdkConfig) -> Self {
        let n = STS_CLIENTS.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::debug!(
            sts_clients = n,
            "built an STS client for a credential source"
        );
        let sts = aws_sdk_sts::Client::new(&cfg);
        Base { cfg, sts }
    }
}

/// Load the SDK configuration for a profile (or the default chain), with crossdeck's retry and
/// timeout settings and the process's HTTP client. The region falls back to the guide's
/// us-east-1 when nothing sets one.
pub async fn load_base(profile: Option<&str>, settings: &Settings) -> SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .operation_attempt_timeout(Duration::from_secs(20))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .http_client(shared_http_client());
    // Without max_attempts in the config, AWS_MAX_ATTEMPTS, AWS_RETRY_MODE and the profile's
    // max_attempts / retry_mode decide.
    if let Some(m) = settings.max_attempts {
        loader = loader.retry_config(RetryConfig::adaptive().with_max_attempts(m.max(1)));
    }
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

/// The account's own configuration on top of its base: the assumed role, if any (through the
/// base's one STS client), and the credential-fetch counter.
pub async fn account_config(
    base: &Base,
    account: &AccountConfig,
) -> Result<(SdkConfig, Arc<AtomicU64>), CallError> {
    let source = match &account.credentials {
        CredentialSource::Profile(_) => base.cfg.credentials_provider(),
        CredentialSource::AssumeRole {
            role_arn,
            external_id,
            session_name,
            ..
        } => {
            if base.cfg.credentials_provider().is_none() {
                return Err(no_credentials());
            }
            Some(SharedCredentialsProvider::new(AssumeRole {
                sts: base.sts.clone(),
                role_arn: role_arn.clone(),
                session_name: session_name
                    .clone()
                    .unwrap_or_else(|| DEFAULT_SESSION_NAME.to_string()),
                external_id: external_id.clone(),
            }))
        }
        CredentialSource::Sso { session, role_name } => Some(SharedCredentialsProvider::new(
            sso_provider(base, session, role_name, &account.account_id).await?,
        )),
    };
    let Some(inner) = source else {
        return Err(no_credentials());
    };
    let fetches = Arc::new(AtomicU64::new(0));
    let counting = Counting {
        inner,
        fetches: fetches.clone(),
    };
    // The account's own identity cache: the base's one is shared by every account of the
    // source and holds 64 partitions, so a class of more accounts evicted one another's
    // credentials and fetched them again (AssumeRole, then GetCallerIdentity) at every poll.
    let cfg = base
        .cfg
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(counting))
        .identity_cache(IdentityCache::lazy().build())
        .build();
    Ok((cfg, fetches))
}

/// IAM Identity Center credentials for `role_name` in `account_id`, from the cached sign-in of
/// the `[sso-session NAME]` section of the AWS config file (its start URL and region).
async fn sso_provider(
    base: &Base,
    session: &str,
    role_name: &str,
    account_id: &str,
) -> Result<aws_config::sso::SsoCredentialsProvider, CallError> {
    let set = super::profiles::load().await;
    let section = set.as_ref().and_then(|s| s.sso_session(session));
    let start_url = section.and_then(|s| s.get("sso_start_url"));
    let region = section.and_then(|s| s.get("sso_region"));
    let (Some(start_url), Some(region)) = (start_url, region) else {
        return Err(CallError::new(
            "GetRoleCredentials",
            ErrorKind::Other,
            format!(
                "the AWS config file has no [sso-session {session}] with sso_start_url and \
                 sso_region"
            ),
        ));
    };
    let region = Region::new(region.to_string());
    let mut pc = aws_config::provider_config::ProviderConfig::without_region()
        .with_region(Some(region.clone()))
        .with_http_client(shared_http_client());
    if let Some(t) = base.cfg.timeout_config() {
        pc = pc.with_timeout_config(t.clone());
    }
    Ok(aws_config::sso::SsoCredentialsProvider::builder()
        .configure(&pc)
        .session_name(session)
        .start_url(start_url)
        .region(region)
        .account_id(account_id)
        .role_name(role_name)
        .build())
}

/// Credentials of a role, from AssumeRole through the source's STS client (shared by every
/// role assumed from that source). The SDK's identity cache asks again shortly before they
/// expire.
#[derive(Debug)]
struct AssumeRole {
    sts: aws_sdk_sts::Client,
    role_arn: String,
    session_name: String,
    external_id: Option<String>,
}

impl AssumeRole {
    async fn assume(&self) -> provider::Result {
        let out = self
            .sts
            .assume_role()
            .role_arn(&self.role_arn)
            .role_session_name(&self.session_name)
            .set_external_id(self.external_id.clone())
            .send()
            .await
            .map_err(|e| {
                let text = aws_smithy_types::error::display::DisplayErrorContext(&e).to_string();
                CredentialsError::provider_error(format!("AssumeRole {}: {text}", self.role_arn))
            })?;
        let Some(c) = out.credentials() else {
            return Err(CredentialsError::provider_error(format!(
                "AssumeRole {} returned no credentials",
                self.role_arn
            )));
        };
        let expires = SystemTime::try_from(c.expiration).ok();
        Ok(Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            expires,
            "AssumeRole",
        ))
    }
}

impl ProvideCredentials for AssumeRole {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(self.assume())
    }
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

    #[test]
    fn service_clients_are_made_when_first_used() {
        let cfg = SdkConfig::builder()
            .region(Region::new("us-east-1"))
            .behavior_version(BehaviorVersion::latest())
            .http_client(shared_http_client())
            .build();
        let c = Clients::new(&cfg, false, Arc::default(), "a".into(), "111111111111");
        let made = |c: &Clients| {
            [
                c.sts.is_made(),
                c.cfn.is_made(),
                c.sc.is_made(),
                c.cp.is_made(),
                c.sm.is_made(),
                c.s3.is_made(),
                c.cw.is_made(),
                c.smr.is_made(),
            ]
        };
        assert_eq!(made(&c), [false; 8]);
        // Using one makes that one only, in its account's retry partition, on the shared
        // HTTP client.
        assert_eq!(
            c.sm.config().retry_partition().map(|p| p.to_string()),
            Some("sagemaker-us-east-1-111111111111".to_string())
        );
        assert!(c.sm.config().http_client().is_some());
        assert_eq!(
            made(&c),
            [false, false, false, false, true, false, false, false]
        );
    }
}
