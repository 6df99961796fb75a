//! Accounts that assume their roles from one source, built through the backend's own path
//! (`Base`, `account_credentials`, `Base::clients`: every account on the source's shared service
//! clients) against an HTTP client in the test that tells the accounts apart by the keys that
//! signed each request:
//! - a throttled account backs off alone: once account A's retry quota is spent (its throttled
//!   calls are no longer retried), account B's throttled call is still retried and succeeds,
//!   because each account's clients draw on their own retry partition (standard and adaptive
//!   retry modes, counted in attempts, in paused time);
//! - a class of more accounts than an identity cache holds still fetches each account's
//!   credentials once, not at every poll, and each call is signed as its own account;
//! - a call through the shared clients outside any account fails unsent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use aws_types::sdk_config::TimeSource;

use crossdeck::backend::aws::clients::{Base, Clients, account_credentials};
use crossdeck::backend::aws::identity;
use crossdeck::config::{AccountConfig, CredentialSource};

/// Answers STS AssumeRole with keys that name the role's account (`ASIA<account>`), and each
/// CloudFormation call by the account whose keys signed it: always `Throttling` for the
/// throttled account; with `flaky`, every other call `Throttling` for the rest too (so a retried
/// call succeeds on its second attempt). Counts AssumeRole calls and CloudFormation attempts
/// per account.
#[derive(Clone, Debug, Default)]
struct Responder {
    throttled: String,
    flaky: bool,
    attempts: Arc<Mutex<HashMap<String, usize>>>,
    assumed: Arc<Mutex<HashMap<String, usize>>>,
}

fn count(counts: &Mutex<HashMap<String, usize>>, account: &str) -> usize {
    counts
        .lock()
        .expect("counts")
        .get(account)
        .copied()
        .unwrap_or(0)
}

impl Responder {
    fn attempts(&self, account: &str) -> usize {
        count(&self.attempts, account)
    }

    fn answer(&self, request: &HttpRequest) -> (u16, String) {
        let body = std::str::from_utf8(request.body().bytes().unwrap_or_default()).unwrap_or("");
        if body.contains("Action=AssumeRole") {
            let account = body
                .split("RoleArn=arn%3Aaws%3Aiam%3A%3A")
                .nth(1)
                .and_then(|rest| rest.get(..12))
                .expect("a role ARN with an account");
            *self
                .assumed
                .lock()
                .expect("assumed")
                .entry(account.to_string())
                .or_default() += 1;
            return (200, assumed(account));
        }
        let auth = request.headers().get("authorization").unwrap_or("");
        let account = auth
            .split("Credential=ASIA")
            .nth(1)
            .and_then(|rest| rest.get(..12))
            .expect("signed with an assumed role's keys")
            .to_string();
        if body.contains("Action=GetCallerIdentity") {
            return (200, caller(&account));
        }
        assert!(body.contains("Action=DescribeStacks"), "unexpected {body}");
        let n = {
            let mut attempts = self.attempts.lock().expect("attempts");
            let n = attempts.entry(account.clone()).or_default();
            *n += 1;
            *n
        };
        if account == self.throttled || (self.flaky && n % 2 == 1) {
            (400, throttling())
        } else {
            (200, no_stacks())
        }
    }
}

impl HttpConnector for Responder {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (status, body) = self.answer(&request);
        let status = StatusCode::try_from(status).expect("a status");
        HttpConnectorFuture::ready(Ok(Response::new(status, SdkBody::from(body))))
    }
}

impl HttpClient for Responder {
    fn http_connector(
        &self,
        _: &HttpConnectorSettings,
        _: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

fn assumed(account: &str) -> String {
    format!(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
         <Credentials><AccessKeyId>ASIA{account}</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>\
         <SessionToken>token</SessionToken><Expiration>2100-01-01T00:00:00Z</Expiration></Credentials>\
         <AssumedRoleUser><AssumedRoleId>AROA{account}:crossdeck</AssumedRoleId>\
         <Arn>arn:aws:sts::{account}:assumed-role/OrganizationAccountAccessRole/crossdeck</Arn>\
         </AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId>\
         </ResponseMetadata></AssumeRoleResponse>"
    )
}

fn caller(account: &str) -> String {
    format!(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <GetCallerIdentityResult><Arn>arn:aws:sts::{account}:assumed-role/R/crossdeck</Arn>\
         <UserId>AROA{account}:crossdeck</UserId><Account>{account}</Account>\
         </GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>\
         </GetCallerIdentityResponse>"
    )
}

fn throttling() -> String {
    "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error>\
     <Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>\
     <RequestId>r</RequestId></ErrorResponse>"
        .to_string()
}

fn no_stacks() -> String {
    "<DescribeStacksResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">\
     <DescribeStacksResult><Stacks/></DescribeStacksResult><ResponseMetadata><RequestId>r\
     </RequestId></ResponseMetadata></DescribeStacksResponse>"
        .to_string()
}

/// The SDK's clock on tokio's, which the tests pause: the adaptive rate limiter measures the
/// time between attempts on it.
#[derive(Debug)]
struct TokioClock {
    start: tokio::time::Instant,
    at: SystemTime,
}

impl TimeSource for TokioClock {
    fn now(&self) -> SystemTime {
        self.at + self.start.elapsed()
    }
}

/// A source's configuration as `load_base` makes it with `retry`, on the responder (and at
/// 127.0.0.1, were anything to connect).
fn source(responder: &Responder, retry: RetryConfig) -> SdkConfig {
    SdkConfig::builder()
        .time_source(TokioClock {
            start: tokio::time::Instant::now(),
            at: SystemTime::now(),
        })
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url("http://127.0.0.1:1")
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDINSTRUCTOR",
            "secret",
            None,
            None,
            "test",
        )))
        .retry_config(retry)
        .http_client(SharedHttpClient::new(responder.clone()))
        .build()
}

/// An account's clients as the backend builds them: its role assumed through the source's STS
/// client, the source's shared service clients called in its own retry partitions.
async fn account(base: &Base, id: &str) -> Clients {
    let account = AccountConfig {
        account_id: id.to_string(),
        credentials: CredentialSource::AssumeRole {
            role_arn: format!("arn:aws:iam::{id}:role/OrganizationAccountAccessRole"),
            source_profile: None,
            external_id: None,
            session_name: None,
        },
        region: None,
        endpoint_url: None,
        cleanup_role: None,
    };
    let (credentials, fetches) = account_credentials(base, &account)
        .await
        .expect("configured");
    base.clients(credentials, fetches, "test".into(), id)
}

/// Attempts one DescribeStacks took, and whether it succeeded.
async fn describe(c: &Clients, responder: &Responder, id: &str) -> (usize, bool) {
    let before = responder.attempts(id);
    let ok = c.run(c.cfn.describe_stacks().send()).await.is_ok();
    (responder.attempts(id) - before, ok)
}

/// Spend A's retry quota, then see B's throttled call retried. Each mode uses accounts of its
/// own: the SDK keeps a retry partition's quota for the whole process.
async fn throttled_account_backs_off_alone(retry: RetryConfig, a: &str, b: &str) {
    let responder = Responder {
        throttled: a.to_string(),
        flaky: true,
        ..Responder::default()
    };
    let base = Base::new(source(&responder, retry));
    let (ca, cb) = (account(&base, a).await, account(&base, b).await);

    // A's calls are retried up to the limit until its quota runs out.
    assert_eq!(describe(&ca, &responder, a).await, (3, false));
    let mut calls = 1;
    while describe(&ca, &responder, a).await != (1, false) {
        calls += 1;
        assert!(calls < 500, "A's retry quota never ran out");
    }
    assert!(calls > 10, "A's quota ran out after {calls} calls");
    assert_eq!(
        describe(&ca, &responder, a).await,
        (1, false),
        "A stays out"
    );

    // B's throttled first attempt is still retried, and its calls succeed.
    for _ in 0..3 {
        assert_eq!(describe(&cb, &responder, b).await, (2, true), "B retried");
    }
    // And B's successes do not give A its retries back.
    assert_eq!(describe(&ca, &responder, a).await, (1, false));
}

#[tokio::test(start_paused = true)]
async fn a_throttled_account_spends_its_own_retry_quota_in_standard_mode() {
    throttled_account_backs_off_alone(
        RetryConfig::standard().with_max_attempts(3),
        "910000000001",
        "910000000002",
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_throttled_account_spends_its_own_retry_quota_in_adaptive_mode() {
    throttled_account_backs_off_alone(
        RetryConfig::adaptive().with_max_attempts(3),
        "920000000001",
        "920000000002",
    )
    .await;
}

#[tokio::test]
async fn each_of_100_accounts_from_one_source_fetches_its_credentials_once() {
    let responder = Responder::default();
    let base = Base::new(source(&responder, RetryConfig::standard()));
    let ids: Vec<String> = (1..=100).map(|i| format!("93{i:010}")).collect();
    let mut class = Vec::new();
    for id in &ids {
        class.push(account(&base, id).await);
    }
    // Three polls of the class, each account's calls through its CloudFormation client and an
    // STS client made for the call, as the poll's identity check makes it.
    for _ in 0..3 {
        for (c, id) in class.iter().zip(&ids) {
            assert_eq!(describe(c, &responder, id).await, (1, true));
            let who = c.run(identity::caller(&c.sts)).await.expect("caller");
            assert_eq!(&who.account, id);
        }
    }
    for (c, id) in class.iter().zip(&ids) {
        assert_eq!(
            count(&responder.assumed, id),
            1,
            "AssumeRole calls for {id}"
        );
        assert_eq!(c.credential_fetches(), 1, "credential fetches of {id}");
    }
}

#[tokio::test]
async fn a_call_outside_any_account_fails_before_it_is_sent() {
    let responder = Responder::default();
    let base = Base::new(source(&responder, RetryConfig::standard()));
    let c = account(&base, "940000000001").await;
    // Not inside `run`: the shared client has no credentials of its own, and the source's are
    // never used for an account's call.
    let err = c
        .cfn
        .describe_stacks()
        .send()
        .await
        .expect_err("no account, no call");
    let text = aws_smithy_types::error::display::DisplayErrorContext(&err).to_string();
    assert!(text.contains("outside any account"), "{text}");
    assert!(responder.assumed.lock().expect("assumed").is_empty());
    assert!(responder.attempts.lock().expect("attempts").is_empty());
    // The same call as the account goes through, signed with its role's keys.
    assert_eq!(describe(&c, &responder, "940000000001").await, (1, true));
}
