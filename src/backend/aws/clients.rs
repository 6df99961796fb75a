//! SDK configuration per account: region, endpoint, retries, and credentials from a profile or
//! an assumed role, all through aws-config. One HTTP client (connector, TLS configuration,
//! connection pool) serves the whole process; per source, one STS client serves every role
//! assumed from it and one client per service serves all its accounts, each call made as its
//! account (credentials, identity cache, retry partition).

use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use aws_config::identity::IdentityCache;
use aws_config::retry::RetryConfig;
use aws_config::stalled_stream_protection::StalledStreamProtectionConfig;
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

use super::as_account::{AsAccount, CurrentIdentity, CurrentPartition, NoAccount, Service};

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
/// fetches. The clients are those every account of its source shares (see [`Shared`]); the
/// account's calls through them are made inside [`Clients::run`].
#[derive(Debug)]
pub struct Clients {
    /// STS, for GetCallerIdentity.
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
    /// The account the shared clients' calls are made as; `None` for clients that carry their
    /// own credentials (a test's mocks).
    pub account: Option<Arc<AsAccount>>,
}

impl Clients {
    /// An account's clients from one SDK configuration (its credentials, region and
    /// endpoint), with service clients of their own: for tests and one-off commands. The
    /// backend's accounts use [`Clients::shared`].
    pub fn new(
        cfg: &SdkConfig,
        path_style: bool,
        fetches: Arc<AtomicU64>,
        source: String,
        account_id: &str,
    ) -> Self {
        let region = cfg.region().map_or_else(String::new, |r| r.to_string());
        let account = cfg.credentials_provider().map(|creds| {
            let cache = cfg
                .identity_cache()
                .unwrap_or_else(|| IdentityCache::lazy().build());
            Arc::new(AsAccount::new(creds, cache, &region, account_id))
        });
        Self::shared(&Shared::new(cfg, path_style), account, fetches, source)
    }

    /// An account's clients: `shared`'s, each call made as `account`.
    pub fn shared(
        shared: &Arc<Shared>,
        account: Option<Arc<AsAccount>>,
        fetches: Arc<AtomicU64>,
        source: String,
    ) -> Self {
        macro_rules! from {
            ($field:ident) => {{
                let s = shared.clone();
                Lazy::new(move || s.$field.clone())
            }};
        }
        Clients {
            sts: from!(sts),
            cfn: from!(cfn),
            sc: from!(sc),
            cp: from!(cp),
            sm: from!(sm),
            s3: from!(s3),
            cw: from!(cw),
            smr: from!(smr),
            fetches,
            source,
            region: shared.region.clone(),
            account,
        }
    }

    /// Run `f`, the account's calls: through the shared clients each is signed with the
    /// account's credentials and retried in its own partition.
    pub async fn run<F: Future>(&self, f: F) -> F::Output {
        match &self.account {
            Some(a) => a.run(f).await,
            None => f.await,
        }
    }

    pub fn credential_fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }
}

/// Shared service clients built so far (one per service per credential source).
static SHARED_CLIENTS: AtomicUsize = AtomicUsize::new(0);

/// The service clients every account of one source shares, each made on first use
/// (DataScience never calls CodePipeline, Stage never calls Service Catalog, and most accounts
/// never call CloudWatch or SageMaker Runtime). They hold no credentials: each call is made as
/// the account whose [`Clients::run`] it is in, and one made outside any fails unsent.
#[derive(Debug)]
pub struct Shared {
    pub sts: Lazy<aws_sdk_sts::Client>,
    pub cfn: Lazy<aws_sdk_cloudformation::Client>,
    pub sc: Lazy<aws_sdk_servicecatalog::Client>,
    pub cp: Lazy<aws_sdk_codepipeline::Client>,
    pub sm: Lazy<aws_sdk_sagemaker::Client>,
    pub s3: Lazy<aws_sdk_s3::Client>,
    pub cw: Lazy<aws_sdk_cloudwatch::Client>,
    pub smr: Lazy<aws_sdk_sagemakerruntime::Client>,
    pub region: String,
}

impl Shared {
    /// Clients from a source's configuration (its credentials left out); S3 path-style when
    /// `path_style` (an emulator).
    pub fn new(cfg: &SdkConfig, path_style: bool) -> Arc<Self> {
        let region = cfg.region().map_or_else(String::new, |r| r.to_string());
        let mut b = cfg.to_builder();
        b.set_credentials_provider(None);
        let cfg = Arc::new(b.build());
        macro_rules! client {
            ($svc:ident, $service:expr) => {{
                let cfg = cfg.clone();
                Lazy::new(move || {
                    counted($service);
                    $svc::Client::from_conf(
                        $svc::config::Builder::from(&*cfg)
                            .credentials_provider(NoAccount)
                            .identity_cache(CurrentIdentity)
                            .interceptor(RecordAddress)
                            .interceptor(CurrentPartition($service))
                            .build(),
                    )
                })
            }};
        }
        let s3 = {
            let cfg = cfg.clone();
            Lazy::new(move || {
                counted(Service::S3);
                aws_sdk_s3::Client::from_conf(
                    aws_sdk_s3::config::Builder::from(&*cfg)
                        .force_path_style(path_style)
                        .credentials_provider(NoAccount)
                        .identity_cache(CurrentIdentity)
                        .interceptor(RecordAddress)
                        .interceptor(CurrentPartition(Service::S3))
                        .build(),
                )
            })
        };
        let smr = {
            let cfg = cfg.clone();
            Lazy::new(move || {
                counted(Service::SageMakerRuntime);
                smr_client(&cfg)
            })
        };
        Arc::new(Shared {
            sts: client!(aws_sdk_sts, Service::Sts),
            cfn: client!(aws_sdk_cloudformation, Service::CloudFormation),
            sc: client!(aws_sdk_servicecatalog, Service::ServiceCatalog),
            cp: client!(aws_sdk_codepipeline, Service::CodePipeline),
            sm: client!(aws_sdk_sagemaker, Service::SageMaker),
            s3,
            cw: client!(aws_sdk_cloudwatch, Service::CloudWatch),
            smr,
            region,
        })
    }
}

fn counted(service: Service) {
    let n = SHARED_CLIENTS.fetch_add(1, Ordering::Relaxed) + 1;
    tracing::debug!(
        service = service.name(),
        shared_clients = n,
        "built a shared service client"
    );
}

/// SageMaker Runtime for the smoke test: a model may take SageMaker's whole 60 s to answer, so
/// one attempt waits longer than that, and a call that timed out is never sent again (each
/// InvokeEndpoint is billed, and a slow model stays slow).
fn smr_client(cfg: &SdkConfig) -> aws_sdk_sagemakerruntime::Client {
    use aws_sdk_sagemakerruntime::config;
    let timeouts = TimeoutConfig::builder()
        .operation_attempt_timeout(super::runtime::INVOKE_ATTEMPT_TIMEOUT)
        .operation_timeout(super::runtime::INVOKE_TIMEOUT)
        .build();
    aws_sdk_sagemakerruntime::Client::from_conf(
        config::Builder::from(cfg)
            .credentials_provider(NoAccount)
            .identity_cache(CurrentIdentity)
            .interceptor(RecordAddress)
            .interceptor(CurrentPartition(Service::SageMakerRuntime))
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

/// A source's SDK configuration, the one STS client every role assumed from it uses, and the
/// service clients all its accounts share.
#[derive(Clone, Debug)]
pub struct Base {
    pub cfg: SdkConfig,
    pub sts: aws_sdk_sts::Client,
    pub shared: Arc<Shared>,
}

impl Base {
    pub fn new(cfg: SdkConfig) -> Self {
        let n = STS_CLIENTS.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::debug!(
            sts_clients = n,
            "built an STS client for a credential source"
        );
        let sts = aws_sdk_sts::Client::new(&cfg);
        // An emulator (from the config, AWS_ENDPOINT_URL or the profile) gets path-style S3
        // addressing.
        let shared = Shared::new(&cfg, cfg.endpoint_url().is_some());
        Base { cfg, sts, shared }
    }

    /// An account's clients: the shared ones, its calls made with `credentials` (from
    /// [`account_credentials`]) through an identity cache of its own.
    pub fn clients(
        &self,
        credentials: SharedCredentialsProvider,
        fetches: Arc<AtomicU64>,
        source: String,
        account_id: &str,
    ) -> Clients {
        let account = AsAccount::new(
            credentials,
            IdentityCache::lazy().build(),
            &self.shared.region,
            account_id,
        );
        Clients::shared(&self.shared, Some(Arc::new(account)), fetches, source)
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
    // Every answer crossdeck reads is small and each attempt is bounded by its timeout, so the
    // SDK's watch over stalled streams (a throughput check and its timer on every body) is
    // left off.
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
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

/// The account's own configuration on top of its base (for a one-off client): its
/// credentials from [`account_credentials`] through an identity cache of its own, and the
/// credential-fetch counter.
pub async fn account_config(
    base: &Base,
    account: &AccountConfig,
) -> Result<(SdkConfig, Arc<AtomicU64>), CallError> {
    let (credentials, fetches) = account_credentials(base, account).await?;
    // The account's own identity cache: the base's one is shared by every account of the
    // source and holds 64 partitions, so a class of more accounts evicted one another's
    // credentials and fetched them again (AssumeRole, then GetCallerIdentity) at every poll.
    let cfg = base
        .cfg
        .to_builder()
        .credentials_provider(credentials)
        .identity_cache(IdentityCache::lazy().build())
        .build();
    Ok((cfg, fetches))
}

/// The account's credentials: the base's own, or the role it assumes (through the base's one
/// STS client) or gets from IAM Identity Center, counted at each fetch.
pub async fn account_credentials(
    base: &Base,
    account: &AccountConfig,
) -> Result<(SharedCredentialsProvider, Arc<AtomicU64>), CallError> {
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
    Ok((SharedCredentialsProvider::new(counting), fetches))
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

    fn source() -> SdkConfig {
        SdkConfig::builder()
            .region(Region::new("us-east-1"))
            .behavior_version(BehaviorVersion::latest())
            .http_client(shared_http_client())
            .credentials_provider(SharedCredentialsProvider::new(Credentials::for_tests()))
            .build()
    }

    #[test]
    fn each_account_retries_in_partitions_of_its_own() {
        let base = Base::new(source());
        let creds = || SharedCredentialsProvider::new(Credentials::for_tests());
        let a = base.clients(creds(), Arc::default(), "a".into(), "111111111111");
        let b = base.clients(creds(), Arc::default(), "b".into(), "222222222222");
        let partition = |c: &Clients, s: Service| {
            c.account
                .as_ref()
                .map(|a| a.partition(s).to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            partition(&a, Service::CloudFormation),
            "cloudformation-us-east-1-111111111111"
        );
        assert_eq!(
            partition(&b, Service::CloudFormation),
            "cloudformation-us-east-1-222222222222"
        );
        assert_eq!(partition(&b, Service::S3), "s3-us-east-1-222222222222");
        assert_eq!(
            partition(&a, Service::SageMakerRuntime),
            "sagemaker-runtime-us-east-1-111111111111"
        );
    }

    #[test]
    fn service_clients_are_made_once_per_source_when_first_used() {
        let base = Base::new(source());
        let creds = || SharedCredentialsProvider::new(Credentials::for_tests());
        let a = base.clients(creds(), Arc::default(), "a".into(), "111111111111");
        let b = base.clients(creds(), Arc::default(), "b".into(), "222222222222");
        let made = |s: &Shared| {
            [
                s.sts.is_made(),
                s.cfn.is_made(),
                s.sc.is_made(),
                s.cp.is_made(),
                s.sm.is_made(),
                s.s3.is_made(),
                s.cw.is_made(),
                s.smr.is_made(),
            ]
        };
        assert_eq!(made(&base.shared), [false; 8]);
        // Using one makes that one only, on the shared HTTP client, and
        // the other account gets the same client.
        assert!(a.sm.config().http_client().is_some());
        assert_eq!(
            made(&base.shared),
            [false, false, false, false, true, false, false, false]
        );
        let _ = b.sm.config();
        assert_eq!(
            made(&base.shared),
            [false, false, false, false, true, false, false, false]
        );
    }

    #[tokio::test]
    async fn the_stalled_stream_watch_is_off() {
        let settings = Settings {
            region: Some("us-east-1".into()),
            endpoint_url: Some("http://127.0.0.1:1".into()),
            max_attempts: Some(1),
        };
        let cfg = load_base(None, &settings).await;
        let watch = cfg.stalled_stream_protection().expect("set");
        assert!(!watch.is_enabled());
    }
}
