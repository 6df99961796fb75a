//! The AWS backend: real accounts through aws-config and the SDK, mapped into `lab::model` at
//! the edge (one file per service), with the fewest calls per poll.

pub mod actions;
mod address;
pub mod as_account;
pub mod catalog;
pub mod check;
pub mod cleanup;
pub mod clients;
pub mod errors;
pub mod forwarders;
pub mod gates;
pub mod identity;
pub mod launch;
pub mod metrics;
pub mod organization;
pub mod pipelines;
pub mod poll;
mod poll_buckets;
pub mod profiles;
pub mod queue;
pub mod runtime;
pub mod s3;
pub mod sagemaker;
pub mod stacks;
pub mod targets;
mod time;

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, PoisonError};

use aws_config::SdkConfig;

use tokio::sync::OnceCell;

use super::{
    AccountKey, Action, ActionDone, ActionError, Backend, LaunchOptions, RecordState,
    read_only_refusal,
};
use crate::config::{AccountConfig, Config, CredentialSource};
use crate::lab::metrics::EndpointMetrics;
use crate::lab::smoke::Invocation;
use crate::lab::{AccountError, AccountSnapshot, ErrorKind, LabInfo, LabNames, Role, Timestamp};
use clients::{Clients, Settings};
use errors::CallError;
use poll::{Cache, Ctx};

/// One configured account: how to reach it, its clients once built, and its poll cache.
#[derive(Debug)]
struct Slot {
    account: AccountConfig,
    settings: Settings,
    clients: OnceCell<Clients>,
    cache: Mutex<Cache>,
    /// What the last poll saw that destructive actions are checked against (kept apart from
    /// the cache, which a poll under way holds).
    seen: Mutex<targets::Seen>,
}

/// Base SDK configurations are shared by every account with the same profile and settings
/// (a class of 300 labs assuming roles from one instructor profile loads it once).
type BaseKey = (Option<String>, Settings);

/// Reads real accounts; acts on them unless read-only.
#[derive(Debug)]
pub struct AwsBackend {
    labs: Vec<LabInfo>,
    names: LabNames,
    read_only: bool,
    slots: HashMap<AccountKey, Slot>,
    bases: Mutex<HashMap<BaseKey, Arc<OnceCell<Arc<clients::Base>>>>>,
    /// The shared config files, read once: role profiles are seen through to their source.
    profiles: OnceCell<Option<aws_config::profile::ProfileSet>>,
    /// Per lab, the Tools catalog stack's `SagemakerProductID` last seen: which provisioned
    /// products in DataScience are the lab's, for the check before a termination.
    product_ids: Mutex<HashMap<usize, String>>,
}

impl AwsBackend {
    pub fn new(config: &Config) -> Self {
        let base = Settings {
            region: config.region.clone(),
            endpoint_url: config.endpoint_url.clone(),
            max_attempts: config.max_attempts,
        };
        let mut slots = HashMap::new();
        for (lab, l) in config.labs.iter().enumerate() {
            for role in Role::ALL {
                if let Some(a) = &l.accounts[role] {
                    slots.insert(
                        AccountKey { lab, role },
                        Slot {
                            settings: clients::account_settings(&base, a),
                            account: a.clone(),
                            clients: OnceCell::new(),
                            cache: Mutex::new(Cache::default()),
                            seen: Mutex::new(targets::Seen::default()),
                        },
                    );
                }
            }
        }
        AwsBackend {
            labs: config.lab_infos(),
            names: config.names.clone(),
            read_only: config.read_only,
            slots,
            bases: Mutex::new(HashMap::new()),
            profiles: OnceCell::new(),
            product_ids: Mutex::new(HashMap::new()),
        }
    }

    pub fn labs(&self) -> &[LabInfo] {
        &self.labs
    }

    pub fn names(&self) -> &LabNames {
        &self.names
    }

    /// Every configured account, in lab then role order.
    pub fn keys(&self) -> Vec<AccountKey> {
        let mut keys: Vec<AccountKey> = self.slots.keys().copied().collect();
        keys.sort();
        keys
    }

    fn slot(&self, key: AccountKey) -> Result<&Slot, CallError> {
        self.slots.get(&key).ok_or_else(|| {
            CallError::new(
                "config",
                ErrorKind::Other,
                format!("lab {} has no {} account configured", key.lab, key.role),
            )
        })
    }

    /// How the account is reached: a profile that only assumes a role from another profile is
    /// taken as that role from that source (so accounts reached from one source share its
    /// base configuration and STS client); anything else as configured.
    async fn reach(&self, slot: &Slot) -> (Option<String>, AccountConfig, Settings) {
        let mut account = slot.account.clone();
        let mut settings = slot.settings.clone();
        let profile = match &slot.account.credentials {
            CredentialSource::Profile(p) => {
                let set = self.profiles.get_or_init(profiles::load).await;
                match set.as_ref().and_then(|s| profiles::role_profile(s, p)) {
                    Some(r) => {
                        if settings.region.is_none() {
                            settings.region.clone_from(&r.region);
                        }
                        account.credentials = CredentialSource::AssumeRole {
                            role_arn: r.role_arn,
                            source_profile: Some(r.source_profile.clone()),
                            external_id: r.external_id,
                            session_name: r.session_name,
                        };
                        Some(r.source_profile)
                    }
                    None => Some(p.clone()),
                }
            }
            CredentialSource::AssumeRole { source_profile, .. } => source_profile.clone(),
            CredentialSource::Sso { .. } => None,
        };
        (profile, account, settings)
    }

    /// The account's base (shared by the accounts of one source), built on first use.
    async fn base(&self, profile: Option<String>, settings: Settings) -> Arc<clients::Base> {
        let cell = {
            let mut bases = self.bases.lock().unwrap_or_else(PoisonError::into_inner);
            bases
                .entry((profile.clone(), settings.clone()))
                .or_default()
                .clone()
        };
        cell.get_or_init(|| async {
            Arc::new(clients::Base::new(
                clients::load_base(profile.as_deref(), &settings).await,
            ))
        })
        .await
        .clone()
    }

    /// The account's SDK configuration: its base with its own credentials, and their fetch
    /// counter.
    async fn sdk_config(&self, slot: &Slot) -> Result<(SdkConfig, Arc<AtomicU64>), CallError> {
        let (profile, account, settings) = self.reach(slot).await;
        let base = self.base(profile, settings).await;
        clients::account_config(&base, &account).await
    }

    /// The account's clients, built on first use: its base's shared clients, each call made
    /// with the account's own credentials.
    async fn clients<'a>(&'a self, slot: &'a Slot) -> Result<&'a Clients, CallError> {
        slot.clients
            .get_or_try_init(|| async {
                let (profile, account, settings) = self.reach(slot).await;
                let base = self.base(profile, settings).await;
                let (credentials, fetches) = clients::account_credentials(&base, &account).await?;
                Ok(base.clients(
                    credentials,
                    fetches,
                    slot.account.credentials.describe(),
                    &slot.account.account_id,
                ))
            })
            .await
    }

    /// The account's SDK configuration, for a one-off client of a service the polls never
    /// use (`events check`'s EventBridge).
    pub async fn account_sdk_config(&self, key: AccountKey) -> Result<SdkConfig, AccountError> {
        let slot = self.slot(key).map_err(|e| explain(None, e))?;
        self.sdk_config(slot)
            .await
            .map(|(cfg, _)| cfg)
            .map_err(|e| explain(Some(&slot.account), e))
    }

    /// The account's clients, for `check`: its calls go inside [`Clients::run`].
    pub async fn account_clients(&self, key: AccountKey) -> Result<&Clients, AccountError> {
        let slot = self.slot(key).map_err(|e| explain(None, e))?;
        self.clients(slot)
            .await
            .map_err(|e| explain(Some(&slot.account), e))
    }

    /// The account's clients for an action, or the account's error.
    async fn action_clients(&self, key: AccountKey) -> Result<&Clients, ActionError> {
        let slot = self
            .slot(key)
            .map_err(|e| ActionError::Account(explain(None, e)))?;
        self.clients(slot)
            .await
            .map_err(|e| ActionError::Account(explain(Some(&slot.account), e)))
    }

    /// Refuse a destructive action whose target is not the lab's (by the lab's names and what
    /// the account's polls saw).
    fn check_target(&self, key: AccountKey, action: &Action) -> Result<(), ActionError> {
        let slot = self
            .slot(key)
            .map_err(|e| ActionError::Account(explain(None, e)))?;
        let Some(info) = self.labs.get(key.lab) else {
            return Err(ActionError::Refused(format!("no lab {}", key.lab)));
        };
        let seen = slot.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let ids = self
            .product_ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let target = targets::Target {
            info,
            names: &self.names,
            role: key.role,
            account_id: &slot.account.account_id,
            seen: &seen,
            product_id: ids.get(&key.lab).map(String::as_str),
        };
        targets::check(&target, action)
    }

    /// The configured account for a key.
    pub fn account(&self, key: AccountKey) -> Option<&AccountConfig> {
        self.slots.get(&key).map(|s| &s.account)
    }
}

/// An account-level error in words a participant can act on.
pub(crate) fn explain(account: Option<&AccountConfig>, e: CallError) -> AccountError {
    let credentials_failed = e.code.is_none() && e.message.contains("loading credentials");
    let mut err = e.into_account_error();
    if let (true, Some(a)) = (credentials_failed, account) {
        let cause = err
            .message
            .rsplit("loading credentials: ")
            .next()
            .unwrap_or_default()
            .trim_start_matches("dispatch failure: ")
            .trim_start_matches("other: ");
        err.message = format!(
            "cannot load credentials ({}): {cause}",
            a.credentials.describe()
        );
    }
    let profile = account.and_then(|a| match &a.credentials {
        CredentialSource::Profile(p) => Some(p.as_str()),
        CredentialSource::AssumeRole { source_profile, .. } => source_profile.as_deref(),
        CredentialSource::Sso { .. } => None,
    });
    let sso_session = account.and_then(|a| match &a.credentials {
        CredentialSource::Sso { session, .. } => Some(session.as_str()),
        _ => None,
    });
    if err.kind == ErrorKind::Expired {
        let fix = match profile {
            _ if let Some(s) = sso_session => format!("run `aws sso login --sso-session {s}`"),
            Some(p) if err.message.to_ascii_lowercase().contains("sso") => {
                format!("run `aws sso login --profile {p}`")
            }
            Some(p) => format!("refresh the credentials of profile {p}"),
            None => "refresh the credentials in the environment".to_string(),
        };
        err.message = format!("credentials expired ({}); {fix}", err.message);
    }
    err
}

impl Backend for AwsBackend {
    async fn snapshot(&self, key: AccountKey) -> Result<AccountSnapshot, AccountError> {
        let slot = self.slot(key).map_err(|e| explain(None, e))?;
        let clients = self
            .clients(slot)
            .await
            .map_err(|e| explain(Some(&slot.account), e))?;
        let Some(info) = self.labs.get(key.lab) else {
            return Err(explain(
                None,
                CallError::new("config", ErrorKind::Other, "no such lab"),
            ));
        };
        let mut cache =
            std::mem::take(&mut *slot.cache.lock().unwrap_or_else(PoisonError::into_inner));
        let ctx = Ctx {
            role: key.role,
            account_id: &slot.account.account_id,
            info,
            names: &self.names,
            now: self.now(),
        };
        let result = clients.run(poll::poll(clients, &mut cache, ctx)).await;
        if result.is_ok() {
            *slot.seen.lock().unwrap_or_else(PoisonError::into_inner) = targets::Seen::of(&cache);
        }
        *slot.cache.lock().unwrap_or_else(PoisonError::into_inner) = cache;
        if let Ok(snap) = &result
            && key.role == Role::Tools
            && let Some(id) = snap
                .stack(&self.names.tools_catalog_stack)
                .and_then(|s| s.outputs.get("SagemakerProductID"))
        {
            self.product_ids
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key.lab, id.clone());
        }
        result.map_err(|e| explain(Some(&slot.account), e))
    }

    async fn act(&self, key: AccountKey, action: Action) -> Result<ActionDone, ActionError> {
        if self.read_only {
            return Err(read_only_refusal());
        }
        self.check_target(key, &action)?;
        let clients = self.action_clients(key).await?;
        let cleanup_role = self
            .account(key)
            .and_then(|a| Some(a.cleanup_role.as_ref()?.arn(&a.account_id, &clients.region)));
        let act = actions::act_with(clients, &self.names, action, cleanup_role.as_deref());
        clients.run(act).await
    }

    async fn launch_options(
        &self,
        key: AccountKey,
        product_name: &str,
    ) -> Result<LaunchOptions, ActionError> {
        let clients = self.action_clients(key).await?;
        clients
            .run(actions::launch_options(clients, product_name))
            .await
    }

    async fn record(&self, key: AccountKey, record_id: &str) -> Result<RecordState, ActionError> {
        let clients = self.action_clients(key).await?;
        clients.run(actions::record(clients, record_id)).await
    }

    async fn notebook_url(&self, key: AccountKey, name: &str) -> Result<String, ActionError> {
        let clients = self.action_clients(key).await?;
        clients.run(actions::notebook_url(clients, name)).await
    }

    async fn endpoint_metrics(
        &self,
        key: AccountKey,
        endpoint: &str,
        variants: &[String],
        now: Timestamp,
    ) -> Result<EndpointMetrics, ActionError> {
        let clients = self.action_clients(key).await?;
        let read = metrics::endpoint_metrics(&clients.cw, endpoint, variants, now);
        clients.run(read).await
    }

    async fn invoke_endpoint(
        &self,
        key: AccountKey,
        endpoint: &str,
        body: &str,
        content_type: &str,
    ) -> Result<Invocation, ActionError> {
        if self.read_only {
            return Err(read_only_refusal());
        }
        let clients = self.action_clients(key).await?;
        let invoke = runtime::invoke_endpoint(clients, endpoint, body, content_type);
        clients.run(invoke).await
    }

    fn now(&self) -> Timestamp {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Timestamp(ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(credentials: CredentialSource) -> AccountConfig {
        AccountConfig {
            account_id: "111111111111".into(),
            credentials,
            region: None,
            endpoint_url: None,
            cleanup_role: None,
        }
    }

    #[test]
    fn an_expired_sso_session_says_which_login_fixes_it() {
        let a = account(CredentialSource::Profile("alice-sso".into()));
        let e = CallError::new(
            "GetCallerIdentity",
            ErrorKind::Expired,
            "the SSO session associated with this profile has expired or is otherwise invalid",
        );
        let err = explain(Some(&a), e);
        assert_eq!(err.kind, ErrorKind::Expired);
        assert!(
            err.message
                .ends_with("run `aws sso login --profile alice-sso`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn expired_keys_of_a_source_profile_name_that_profile() {
        let a = account(CredentialSource::AssumeRole {
            role_arn: "arn:aws:iam::111111111111:role/R".into(),
            source_profile: Some("instructor".into()),
            external_id: None,
            session_name: None,
        });
        let e = CallError::new(
            "DescribeStacks",
            ErrorKind::Expired,
            "ExpiredToken: expired",
        );
        let err = explain(Some(&a), e);
        assert!(
            err.message
                .ends_with("refresh the credentials of profile instructor"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_credential_chain_failure_names_the_source() {
        let a = account(CredentialSource::Profile("ghost".into()));
        let e = CallError::new(
            "GetCallerIdentity",
            ErrorKind::AccessDenied,
            "dispatch failure: other: an error occurred while loading credentials: \
             dispatch failure: other: the credential provider was not enabled",
        );
        let err = explain(Some(&a), e);
        assert_eq!(
            err.message,
            "cannot load credentials (profile ghost): the credential provider was not enabled"
        );
    }
}
