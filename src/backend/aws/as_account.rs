//! Calls made as one account through the service clients that every account of a source
//! shares: the task's current account (set by [`AsAccount::run`]) gives each call its
//! credentials, through the account's own identity cache, and its retry partition. A call made
//! outside any account has no credentials and fails before anything is sent.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{self, ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_sts::config::retry::RetryPartition;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::identity::{
    IdentityFuture, ResolveCachedIdentity, ResolveIdentity, SharedIdentityCache,
    SharedIdentityResolver,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextMut;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

tokio::task_local! {
    static CURRENT: Arc<AsAccount>;
}

/// The services crossdeck calls, for their retry partitions' names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Sts,
    CloudFormation,
    ServiceCatalog,
    CodePipeline,
    SageMaker,
    S3,
    CloudWatch,
    SageMakerRuntime,
}

impl Service {
    const COUNT: usize = 8;

    /// The name its retry partitions start with.
    pub fn name(self) -> &'static str {
        match self {
            Service::Sts => "sts",
            Service::CloudFormation => "cloudformation",
            Service::ServiceCatalog => "servicecatalog",
            Service::CodePipeline => "codepipeline",
            Service::SageMaker => "sagemaker",
            Service::S3 => "s3",
            Service::CloudWatch => "cloudwatch",
            Service::SageMakerRuntime => "sagemaker-runtime",
        }
    }
}

/// One account as its calls are made: its credentials with an identity cache of its own (so a
/// class of accounts never evicts one another's credentials), and per service a retry partition
/// of its own (`<service>-<region>-<account>`), so throttling in one account never spends
/// another's retry quota or slows its calls.
#[derive(Debug)]
pub struct AsAccount {
    credentials: SharedIdentityResolver,
    cache: SharedIdentityCache,
    region: String,
    account_id: String,
    partitions: [OnceLock<RetryPartition>; Service::COUNT],
}

impl AsAccount {
    pub fn new(
        credentials: SharedCredentialsProvider,
        cache: SharedIdentityCache,
        region: &str,
        account_id: &str,
    ) -> Self {
        AsAccount {
            // The provider's own cache partition: the same one at every call.
            credentials: SharedIdentityResolver::new(credentials),
            cache,
            region: region.to_string(),
            account_id: account_id.to_string(),
            partitions: Default::default(),
        }
    }

    /// The retry partition of the account's calls to `service`.
    pub fn partition(&self, service: Service) -> RetryPartition {
        self.partitions[service as usize]
            .get_or_init(|| {
                RetryPartition::new(format!(
                    "{}-{}-{}",
                    service.name(),
                    self.region,
                    self.account_id
                ))
            })
            .clone()
    }

    /// Run `f` as this account: every call it makes through the shared clients signs with the
    /// account's credentials and retries in the account's partitions.
    pub async fn run<F: Future>(self: &Arc<Self>, f: F) -> F::Output {
        CURRENT.scope(self.clone(), f).await
    }
}

/// The identity cache of a shared client: the current account's credentials through the
/// account's own cache. Outside any account, the client's own resolver ([`NoAccount`]).
#[derive(Debug)]
pub struct CurrentIdentity;

impl ResolveCachedIdentity for CurrentIdentity {
    fn resolve_cached_identity<'a>(
        &'a self,
        resolver: SharedIdentityResolver,
        runtime_components: &'a RuntimeComponents,
        config_bag: &'a ConfigBag,
    ) -> IdentityFuture<'a> {
        match CURRENT.try_with(Arc::clone) {
            Ok(a) => IdentityFuture::new(async move {
                a.cache
                    .resolve_cached_identity(a.credentials.clone(), runtime_components, config_bag)
                    .await
            }),
            Err(_) => IdentityFuture::new(async move {
                resolver
                    .resolve_identity(runtime_components, config_bag)
                    .await
            }),
        }
    }
}

/// The credentials of a shared client itself: none. A call made outside any account fails with
/// this before it is signed or sent.
#[derive(Debug)]
pub struct NoAccount;

impl ProvideCredentials for NoAccount {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::ready(Err(CredentialsError::not_loaded(
            "a call through the shared clients was made outside any account",
        )))
    }
}

/// The interceptor of a shared client: the current account's retry partition for `Service`,
/// put in place before the retry strategy looks for it.
#[derive(Debug)]
pub struct CurrentPartition(pub Service);

impl Intercept for CurrentPartition {
    fn name(&self) -> &'static str {
        "CurrentPartition"
    }

    fn modify_before_serialization(
        &self,
        _context: &mut BeforeSerializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Ok(partition) = CURRENT.try_with(|a| a.partition(self.0)) {
            cfg.interceptor_state().store_put(partition);
        }
        Ok(())
    }
}
