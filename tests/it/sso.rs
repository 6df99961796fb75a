//! Accounts reached through IAM Identity Center: `sso_session` and `sso_role_name` in the config,
//! the session's cached sign-in sent to the SSO portal (a local stub) for the account's role,
//! and the credentials it returns used for the account's calls (to moto).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::moto::{Moto, Scratch};

/// sha1("class"): the token cache file of the `class` SSO session.
const CACHE_FILE: &str = "8d767bf5b72373d12f0efd4406677e9ed076f592.json";

/// A stub SSO portal on 127.0.0.1: each GetRoleCredentials request's line and bearer token are
/// recorded and answered with fixed credentials.
fn portal() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let mut token = String::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                if let Some((k, v)) = h.split_once(':')
                    && k.eq_ignore_ascii_case("x-amz-sso_bearer_token")
                {
                    token = v.trim().to_string();
                }
            }
            log.lock()
                .expect("log")
                .push(format!("{} token={token}", line.trim()));
            let body = r#"{"roleCredentials":{"accessKeyId":"AKIASSOSTUB000000001","secretAccessKey":"s","sessionToken":"t","expiration":4102444800000}}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen)
}

#[test]
fn an_sso_account_gets_its_role_from_the_sessions_cached_sign_in() {
    let moto = Moto::start();
    let (portal_url, seen) = portal();
    let s = Scratch::new("sso");
    s.write(
        "aws_config",
        "[sso-session class]\nsso_start_url = https://class.awsapps.com/start\nsso_region = us-east-1\n",
    );
    s.write("aws_credentials", "");
    std::fs::create_dir_all(s.dir.join(".aws/sso/cache")).expect("cache dir");
    s.write(
        &format!(".aws/sso/cache/{CACHE_FILE}"),
        r#"{"accessToken": "signed-in", "expiresAt": "2099-01-01T00:00:00Z", "region": "us-east-1", "startUrl": "https://class.awsapps.com/start"}"#,
    );
    // moto takes an unknown access key for its default account.
    let sso = |role: &str| {
        format!(
            "{{ account_id = \"123456789012\", sso_session = \"class\", sso_role_name = \"{role}\" }}"
        )
    };
    s.write(
        "crossdeck.toml",
        &format!(
            "region = \"us-east-1\"\nendpoint_url = \"{}\"\nmax_attempts = 1\n\n\
             [[labs]]\nname = \"alice\"\nunique_id = \"ali\"\ntools = {}\ndatascience = {}\nstage = {}\n",
            moto.url,
            sso("LabTools"),
            sso("LabDS"),
            sso("LabStage"),
        ),
    );
    let o = s.crossdeck(&["config"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("role LabTools through SSO session class"),
        "{out}"
    );
    let o = s.crossdeck_with(
        &["status", "--json"],
        &[("AWS_ENDPOINT_URL_SSO", portal_url.as_str())],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    for role in ["tools", "datascience", "stage"] {
        let a = &report["labs"][0]["accounts"][role];
        assert!(a["error"].is_null(), "{role}: {a}");
    }
    let mut seen = seen.lock().expect("seen").clone();
    seen.sort();
    assert_eq!(seen.len(), 3, "{seen:?}");
    for (line, role) in seen.iter().zip(["LabDS", "LabStage", "LabTools"]) {
        assert!(
            line.starts_with("GET /federation/credentials?")
                && line.contains("account_id=123456789012")
                && line.contains(&format!("role_name={role}"))
                && line.ends_with("token=signed-in"),
            "{line}"
        );
    }
}
