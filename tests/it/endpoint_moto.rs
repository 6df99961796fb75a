//! The smoke test's InvokeEndpoint on the wire, against moto: the SDK client crossdeck builds
//! sends the lab's libsvm row with its content type and reads the answer moto was told to give;
//! then the dashboard on moto (the real AWS backend) does the same from the `i` key; under
//! `--read-only` the AWS backend refuses it before any call.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use serde_json::Value;

use crossdeck::backend::aws::clients::Clients;
use crossdeck::backend::aws::runtime;
use crossdeck::lab::smoke::{CONTENT_TYPE, SAMPLE_ROW};

use crate::aws_moto::{ALICE, aws_files, config};
use crate::cleanup_moto::start_recording;
use crate::e2e::Tmux;
use crate::moto::{Moto, Scratch};

/// The account moto files calls made with plain keys under.
const MOTO_DEFAULT_ACCOUNT: &str = "123456789012";
const ENDPOINT: &str = "datascience-project-2026-11-27-09-00-00-Tools";

/// Tell moto what its next InvokeEndpoint in `account` answers.
fn queue_answer(moto: &Moto, account: &str, body: &str) {
    let answer = moto.api_post(
        "/moto-api/static/sagemaker/endpoint-results",
        &format!(
            r#"{{"account_id": "{account}", "region": "us-east-1", "results": [
                {{"Body": "{body}", "ContentType": "text/csv; charset=utf-8",
                  "InvokedProductionVariant": "AllTraffic", "CustomAttributes": ""}}]}}"#
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
}

/// A scratch directory and a moto server recording its requests into a file there.
fn recording_moto(tag: &str) -> (Scratch, PathBuf, Moto) {
    let s = Scratch::new(tag);
    let recording = s.dir.join("moto_recording");
    let moto = Moto::start_with_env(&[(
        "MOTO_RECORDER_FILEPATH",
        recording.to_str().expect("utf-8 path"),
    )]);
    (s, recording, moto)
}

/// The recorded requests to an endpoint's `/invocations`: (content type, body as sent).
fn recorded_invocations(recording: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(recording).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| {
            e["method"] == "POST"
                && e["url"]
                    .as_str()
                    .is_some_and(|u| u.ends_with(&format!("/endpoints/{ENDPOINT}/invocations")))
        })
        .map(|e| {
            let headers = e["headers"].as_object().cloned().unwrap_or_default();
            let content_type = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .and_then(|(_, v)| v.as_str())
                .unwrap_or_default()
                .to_string();
            let body = e["body"].as_str().unwrap_or_default().to_string();
            let body = if e["body_encoded"] == true {
                body
            } else {
                base64(&body)
            };
            (content_type, body)
        })
        .collect()
}

#[test]
fn invoke_endpoint_sends_the_libsvm_row_and_reads_the_answer() {
    let (_scratch, recording, moto) = recording_moto("moto-invoke");
    queue_answer(&moto, MOTO_DEFAULT_ACCOUNT, "9.6412");
    start_recording(&moto);
    let cfg = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(moto.url.clone())
        .retry_config(RetryConfig::disabled())
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        )))
        .build();
    let clients = Clients::new(
        &cfg,
        true,
        Arc::new(AtomicU64::new(0)),
        "moto".into(),
        MOTO_DEFAULT_ACCOUNT,
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    let answer = rt
        .block_on(clients.run(runtime::invoke_endpoint(
            &clients,
            ENDPOINT,
            SAMPLE_ROW,
            CONTENT_TYPE,
        )))
        .expect("moto answers");
    assert_eq!(answer.answer, "9.6412");
    assert_eq!(answer.rings(), Some(9.6412));
    assert_eq!(answer.variant.as_deref(), Some("AllTraffic"));
    assert!(answer.latency_ms < 30_000, "{answer:?}");
    assert_eq!(
        recorded_invocations(&recording),
        [("text/libsvm".to_string(), base64(SAMPLE_ROW))],
        "one request with the row and its content type"
    );
}

#[test]
fn the_dashboard_on_moto_runs_the_smoke_test_from_the_i_key() {
    let (s, recording, moto) = recording_moto("moto-invoke-tui");
    let made = moto.seed_lab("ali", ALICE[0], ALICE[1], ALICE[2]);
    assert_eq!(made["tools_endpoint"], ENDPOINT);
    aws_files(&s, &moto);
    config(&s, &moto, false);
    // The Tools account is reached by AssumeRole: moto files its calls under that account.
    queue_answer(&moto, ALICE[0], "10.25");
    start_recording(&moto);

    let tmux = Tmux::start(120, 40, &s.dashboard_in_tmux(""));
    tmux.wait_for("the Tools endpoint", |s| s.contains("-Tools"));
    // Down the Tools pane until `i` finds the endpoint (other rows only say what to select).
    for _ in 0..12 {
        tmux.send("i");
        std::thread::sleep(std::time::Duration::from_millis(200));
        if tmux.capture().contains("smoke test") {
            break;
        }
        tmux.send("j");
    }
    let screen = tmux.wait_for("the prediction", |s| s.contains("predicted 10.25 rings"));
    tmux.send("Enter");
    let view = tmux.wait_for("the endpoint health view", |s| {
        s.contains("Endpoint · ")
            && s.contains("Metrics")
            && s.contains("Prediction")
            && s.contains("10.25 rings")
    });
    assert!(view.contains("10.25 rings"), "{view}");
    tmux.send_escape();
    tmux.send("q");
    tmux.wait_for("the process to exit", |s| s.contains("EXIT=0"));
    drop(tmux);

    assert_eq!(
        recorded_invocations(&recording),
        [("text/libsvm".to_string(), base64(SAMPLE_ROW))],
        "{screen}"
    );
}

#[tokio::test]
async fn read_only_refuses_the_smoke_test_before_any_call() {
    use crossdeck::backend::aws::AwsBackend;
    use crossdeck::backend::{AccountKey, Backend, read_only_refusal};
    use crossdeck::config::Config;
    use crossdeck::lab::Role;

    // Every call would go to this listener; it must never see a connection.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let text = format!(
        "read_only = true\nendpoint_url = \"http://127.0.0.1:{port}\"\nmax_attempts = 1\n\
         [[labs]]\nname = \"a\"\nunique_id = \"a\"\n\
         tools = {{ account_id = \"{}\", profile = \"crossdeck-test-no-such-profile\" }}\n\
         datascience = {{ account_id = \"{}\", profile = \"crossdeck-test-no-such-profile\" }}\n\
         stage = {{ account_id = \"{}\", profile = \"crossdeck-test-no-such-profile\" }}\n",
        ALICE[0], ALICE[1], ALICE[2]
    );
    let config = Config::parse(Path::new("ro.toml"), &text).expect("valid");
    let backend = AwsBackend::new(&config);
    for role in [Role::Tools, Role::Stage] {
        let result = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            backend.invoke_endpoint(
                AccountKey { lab: 0, role },
                ENDPOINT,
                SAMPLE_ROW,
                CONTENT_TYPE,
            ),
        )
        .await
        .expect("refused at once");
        assert_eq!(result, Err(read_only_refusal()), "{role:?}");
    }
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("read-only mode connected to the endpoint: {other:?}"),
    }
}

/// Standard base64 with padding, as moto records a request body.
fn base64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}
