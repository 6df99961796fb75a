//! A closed port read through a real SDK client: the cause reads as a sentence with the address,
//! the whole error stays in `detail`.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;

use crossdeck::backend::aws::clients::Clients;
use crossdeck::backend::aws::errors::CallError;
use crossdeck::lab::ErrorKind;

/// A port on 127.0.0.1 that nothing listens on: bound for a free number, then closed.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn config(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        )))
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .build(),
        )
        .build()
}

#[tokio::test]
async fn a_refused_connection_names_the_address() {
    let port = closed_port();
    let cfg = config(&format!("http://127.0.0.1:{port}"));
    let clients = Clients::new(
        &cfg,
        true,
        Arc::new(AtomicU64::new(0)),
        "test".into(),
        "111111111111",
    );
    let err = clients
        .run(clients.cfn.describe_stacks().send())
        .await
        .map_err(|e| CallError::from_sdk("DescribeStacks", e))
        .expect_err("nothing listens there");
    assert_eq!(err.kind, ErrorKind::Unreachable);
    assert_eq!(
        err.message,
        format!("unreachable: connection refused by 127.0.0.1:{port}")
    );
    assert!(!err.message.contains('\n'));
    assert!(account_wide(&err));
    // The whole chain stays for the log and the account's detail.
    assert!(
        err.detail.contains("dispatch failure") && err.detail.contains("Connection refused"),
        "{}",
        err.detail
    );
    // The same through S3, whose client is built apart.
    let err = clients
        .run(clients.s3.list_buckets().send())
        .await
        .map_err(|e| CallError::from_sdk("ListBuckets", e))
        .expect_err("nothing listens there");
    assert_eq!(
        err.message,
        format!("unreachable: connection refused by 127.0.0.1:{port}")
    );
}

fn account_wide(e: &CallError) -> bool {
    e.account_wide()
}
