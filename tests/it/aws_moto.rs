//! The AWS backend on the wire: a lab seeded into moto across three accounts reached by
//! AssumeRole (through a profile's role chain and through crossdeck's own `role_arn`), read by
//! `status --json` and `check`; an account whose role cannot be assumed fails alone.

use serde_json::Value;

use crate::e2e::Tmux;
use crate::moto::{Moto, Scratch};

pub(crate) const ALICE: [&str; 3] = ["111111111111", "222222222222", "333333333333"];
const BOB: [&str; 3] = ["444444444444", "555555555555", "666666666666"];

/// AWS config files: an instructor profile with static keys, and alice's Tools account as a
/// profile role chain. Both send their calls to moto.
pub(crate) fn aws_files(s: &Scratch, moto: &Moto) {
    s.write(
        "aws_config",
        &format!(
            "[profile instructor]\nregion = us-east-1\nendpoint_url = {url}\n\n\
             [profile alice-tools]\nrole_arn = arn:aws:iam::{t}:role/OrganizationAccountAccessRole\n\
             source_profile = instructor\nregion = us-east-1\nendpoint_url = {url}\n",
            url = moto.url,
            t = ALICE[0]
        ),
    );
    s.write(
        "aws_credentials",
        "[instructor]\naws_access_key_id = AKIAINSTRUCTOR000001\naws_secret_access_key = secret\n",
    );
}

fn role(id: &str, source: &str) -> String {
    format!(
        "{{ account_id = \"{id}\", role_arn = \"arn:aws:iam::{id}:role/OrganizationAccountAccessRole\", source_profile = \"{source}\" }}"
    )
}

/// alice: Tools through the profile chain, the others through crossdeck's AssumeRole.
/// bob (optional): Stage's source profile does not exist, so its role cannot be assumed.
pub(crate) fn config(s: &Scratch, moto: &Moto, with_bob: bool) {
    let mut text = format!(
        "region = \"us-east-1\"\nendpoint_url = \"{url}\"\nmax_attempts = 1\n\n\
         [[labs]]\nname = \"alice\"\nunique_id = \"ali\"\n\
         tools = {{ account_id = \"{t}\", profile = \"alice-tools\" }}\n\
         datascience = {ds}\nstage = {st}\n",
        url = moto.url,
        t = ALICE[0],
        ds = role(ALICE[1], "instructor"),
        st = role(ALICE[2], "instructor"),
    );
    if with_bob {
        text.push_str(&format!(
            "\n[[labs]]\nname = \"bob\"\nunique_id = \"bob\"\ntools = {}\ndatascience = {}\nstage = {}\n",
            role(BOB[0], "instructor"),
            role(BOB[1], "instructor"),
            role(BOB[2], "nobody"),
        ));
    }
    s.write("crossdeck.toml", &text);
}

fn json(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "status failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("status --json prints JSON")
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|x| x["name"].as_str().expect("a name"))
        .collect()
}

fn warnings(acct: &Value) -> Vec<&str> {
    acct["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| w.as_str().expect("text"))
        .collect()
}

#[test]
fn status_json_reports_each_account_of_a_seeded_lab() {
    let moto = Moto::start();
    let made = moto.seed_lab("ali", ALICE[0], ALICE[1], ALICE[2]);
    moto.seed_lab("bob", BOB[0], BOB[1], BOB[2]);
    let s = Scratch::new("moto-status");
    aws_files(&s, &moto);
    config(&s, &moto, true);
    let report = json(&s.crossdeck(&["status", "--json", "--config", "crossdeck.toml"]));
    let labs = report["labs"].as_array().expect("labs");
    assert_eq!(names(&report["labs"]), ["alice", "bob"]);
    let alice = &labs[0];

    // Tools: the guide's three stacks (not the decoy), the share, buckets with the objects
    // of note, the pipeline's declared stages, the Tools endpoint (not the decoy).
    let tools = &alice["accounts"]["tools"];
    assert_eq!(tools["account_id"], ALICE[0]);
    assert!(tools["error"].is_null(), "{tools}");
    assert_eq!(
        names(&tools["stacks"]),
        [
            "LabSCToolsAccountSetup",
            "MLOpsPipelinePrep",
            "MLOpsPipeline"
        ]
    );
    assert!(
        tools["stacks"]
            .as_array()
            .expect("stacks")
            .iter()
            .all(|s| s["status"] == "CREATE_COMPLETE")
    );
    assert_eq!(
        tools["stacks"][0]["outputs"]["MasterPortfolioId"],
        made["portfolio"]
    );
    assert_eq!(tools["shares"][0]["shared_with"], ALICE[1]);
    assert_eq!(tools["shares"][0]["portfolio_id"], made["portfolio"]);
    let buckets = tools["buckets"].as_array().expect("buckets");
    assert_eq!(
        names(&tools["buckets"]),
        [
            "mlops-bia-lambda-functions-111111111111",
            "mlops-bia-data-model-111111111111",
            "mlops-bia-codepipeline-artifacts-ali-1f2e3d4c"
        ]
    );
    let mut zips: Vec<&str> = buckets[0]["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .map(|o| o.as_str().expect("key"))
        .collect();
    zips.sort_unstable();
    assert_eq!(
        zips,
        [
            "MLOps-BIA-DeployModel.py.zip",
            "MLOps-BIA-EvaluateModel.py.zip",
            "MLOps-BIA-GetStatus.py.zip"
        ]
    );
    // Only the objects of note: the other model file is not listed.
    assert_eq!(
        buckets[1]["objects"],
        serde_json::json!(["models/model.tar.gz"])
    );
    assert_eq!(
        names(&tools["endpoints"]),
        [made["tools_endpoint"].as_str().expect("name")]
    );
    assert_eq!(tools["endpoints"][0]["status"], "InService");
    // The pipeline is named by the pipeline stack's output. moto answers GetPipelineState
    // with HTTP 500 and GetPipeline with timestamps the SDK rejects: the pipeline still shows,
    // with a warning naming each call (the stages are proven with SDK mocks instead).
    assert_eq!(
        names(&tools["pipelines"]),
        [made["pipeline"].as_str().expect("name")]
    );
    // The pipeline's state is unknown (not "never ran"), with the call that failed.
    assert_eq!(
        tools["unknown"][0]["part"], "pipelines",
        "{}",
        tools["unknown"]
    );
    assert!(
        tools["unknown"][0]["cause"].as_str().is_some_and(|c| c
            .starts_with("GetPipelineState failed: HTTP 500, and the answer is not an AWS error")),
        "{}",
        tools["unknown"]
    );
    assert_eq!(tools["unknown"].as_array().map(Vec::len), Some(1));
    let w = warnings(tools);
    assert!(
        w.iter().any(|w| w.starts_with("GetPipeline failed")),
        "{w:?}"
    );
    // moto's GetBucketVersioning answer has the wrong XML root for the SDK: each bucket still
    // shows, with a warning, and nothing else fails.
    assert!(
        w.iter()
            .all(|w| w.starts_with("GetPipeline") || w.starts_with("GetBucketVersioning failed")),
        "{w:?}"
    );

    // DataScience: its stack and the notebook; moto cannot search provisioned products.
    let ds = &alice["accounts"]["datascience"];
    assert_eq!(ds["account_id"], ALICE[1]);
    assert!(ds["error"].is_null(), "{ds}");
    assert_eq!(names(&ds["stacks"]), ["LabDSAccountSCSetup"]);
    assert_eq!(
        names(&ds["notebooks"]),
        [made["notebook"].as_str().expect("name")]
    );
    assert_eq!(ds["notebooks"][0]["status"], "InService");
    assert!(warnings(ds).is_empty(), "{ds}");
    assert_eq!(
        ds["unknown"],
        serde_json::json!([{
            "part": "provisioned products",
            "cause": "SearchProvisionedProducts failed: HTTP 500, and the answer is not an AWS error \
                      (a proxy, or an emulator that lacks SearchProvisionedProducts?)",
            "stale": false
        }]),
        "{ds}"
    );
    // So step 2 cannot be told, and is not taken for "not launched".
    assert!(
        alice["progress"]["gaps"].is_array(),
        "{}",
        alice["progress"]
    );

    // Stage: its stack, bucket and endpoint, and nothing of the other accounts.
    let stage = &alice["accounts"]["stage"];
    assert_eq!(stage["account_id"], ALICE[2]);
    assert!(stage["error"].is_null(), "{stage}");
    assert!(
        warnings(stage)
            .iter()
            .all(|w| w.starts_with("GetBucketVersioning failed")),
        "{stage}"
    );
    assert_eq!(names(&stage["stacks"]), ["StageResources"]);
    assert_eq!(
        names(&stage["buckets"]),
        ["mlops-bia-data-model-333333333333"]
    );
    assert_eq!(
        names(&stage["endpoints"]),
        [made["stage_endpoint"].as_str().expect("name")]
    );

    // Cost watch: both InService endpoints and the InService notebook bill, priced from the
    // embedded table (ml.t2.medium endpoints, an ml.t3.medium notebook).
    let tools_bill = tools["billable"].as_array().expect("billable");
    assert_eq!(tools_bill.len(), 1, "{tools_bill:?}");
    assert_eq!(tools_bill[0]["kind"], "endpoint");
    assert_eq!(tools_bill[0]["name"], made["tools_endpoint"]);
    assert_eq!(tools_bill[0]["instance_type"], "ml.t2.medium");
    assert_eq!(tools_bill[0]["instance_count"], 1);
    assert_eq!(tools_bill[0]["hourly_cost_usd"], 0.056);
    assert_eq!(ds["billable"][0]["kind"], "notebook");
    assert_eq!(ds["billable"][0]["instance_type"], "ml.t3.medium");
    assert_eq!(ds["billable"][0]["hourly_cost_usd"], 0.05);
    assert_eq!(stage["billable"][0]["name"], made["stage_endpoint"]);
    let mut sum = 0.0;
    for acct in [tools, ds, stage] {
        for b in acct["billable"].as_array().expect("billable") {
            let secs = b["running_secs"].as_i64().expect("running_secs");
            let hourly = b["hourly_cost_usd"].as_f64().expect("a known price");
            let est = b["estimated_cost_usd"].as_f64().expect("an estimate");
            assert!((0..86_400).contains(&secs), "{b}");
            assert!((est - hourly * secs as f64 / 3600.0).abs() < 1e-4, "{b}");
            sum += est;
        }
    }
    assert_eq!(alice["billable_hourly_usd"], 0.162);
    assert_eq!(alice["billable_unknown_prices"], 0);
    let total = alice["billable_total_usd"].as_f64().expect("total");
    assert!((total - sum).abs() < 1e-3, "{total} vs {sum}");
    // moto cannot tell the pipeline's state, so it never counts as finished.
    assert_eq!(alice["endpoints_idle"], false);
    // bob's unreadable Stage account lists nothing billing.
    assert_eq!(
        labs[1]["accounts"]["stage"]["billable"],
        serde_json::json!([])
    );

    // The model is uploaded (3.1, the furthest step with evidence); step 2 is unknown, since
    // moto cannot search provisioned products, and is a gap, not a missing notebook.
    assert_eq!(alice["progress"]["step"], "3.1");
    assert_eq!(
        alice["progress"]["gaps"],
        serde_json::json!([{
            "step": "2",
            "state": "unknown",
            "why": "DataScience provisioned products: SearchProvisionedProducts failed: HTTP 500, \
                    and the answer is not an AWS error (a proxy, or an emulator that lacks \
                    SearchProvisionedProducts?)"
        }])
    );
    // The next step (3.6) reads the pipeline's state, which moto cannot give.
    assert!(
        alice["progress"]["hint"].as_str().is_some_and(
            |h| h.starts_with("3.6 cannot be told: Tools pipelines: GetPipelineState failed")
        ),
        "{}",
        alice["progress"]
    );
    assert!(
        alice["progress"]["blocked"].is_null(),
        "{}",
        alice["progress"]
    );

    // bob: Stage's role cannot be assumed; it alone shows the error, Tools and DataScience
    // are read in full.
    let bob = &labs[1];
    let bob_stage = &bob["accounts"]["stage"];
    assert_eq!(bob_stage["account_id"], BOB[2]);
    let err = bob_stage["error"].as_str().expect("stage error");
    assert!(err.contains("nobody"), "{err}");
    assert_eq!(bob_stage["stacks"], serde_json::json!([]));
    for (role, id) in [("tools", BOB[0]), ("datascience", BOB[1])] {
        let a = &bob["accounts"][role];
        assert_eq!(a["account_id"], id);
        assert!(a["error"].is_null(), "{a}");
        assert!(!a["stacks"].as_array().expect("stacks").is_empty(), "{a}");
    }
    assert!(
        bob["progress"]["blocked"]
            .as_str()
            .is_some_and(|b| b.starts_with("Stage")),
        "{}",
        bob["progress"]
    );

    // --lab picks one lab.
    let one = json(&s.crossdeck(&["status", "--json", "--lab", "bob"]));
    assert_eq!(names(&one["labs"]), ["bob"]);
    assert!(
        one["labs"][0].get("events").is_none(),
        "events only when asked"
    );

    // --events: bob's unreachable Stage account, and alice's endpoints and notebook dated by
    // their last change as SageMaker reports it.
    let ev = json(&s.crossdeck(&["status", "--json", "--events", "100"]));
    let bob_events = ev["labs"][1]["events"].as_array().expect("events");
    assert!(
        bob_events.iter().any(|e| e["account"] == "stage"
            && e["kind"] == "account"
            && e["status"] == "unreachable"),
        "{bob_events:?}"
    );
    let alice_events = ev["labs"][0]["events"].as_array().expect("events");
    for (account, kind, name) in [
        ("tools", "endpoint", &made["tools_endpoint"]),
        ("datascience", "notebook", &made["notebook"]),
    ] {
        let name = name.as_str().expect("name");
        let e = alice_events
            .iter()
            .find(|e| e["account"] == account && e["kind"] == kind)
            .unwrap_or_else(|| panic!("a {kind} event in {account}: {alice_events:?}"));
        assert_eq!(e["subject"], format!("{kind} {name}"));
        assert_eq!(e["status"], "InService");
        assert!(
            e["at"]
                .as_str()
                .is_some_and(|t| t.len() == 20 && t.ends_with('Z')),
            "{e}"
        );
    }

    // A config price overrides the table; an unpriced type would be null, never 0.
    let text = std::fs::read_to_string(s.dir.join("crossdeck.toml")).expect("config");
    s.write(
        "priced.toml",
        &format!("{text}\n[prices.endpoint]\n\"ml.t2.medium\" = 1.5\n"),
    );
    let priced = json(&s.crossdeck(&[
        "status",
        "--json",
        "--lab",
        "alice",
        "--config",
        "priced.toml",
    ]));
    let alice = &priced["labs"][0];
    assert_eq!(
        alice["accounts"]["tools"]["billable"][0]["hourly_cost_usd"],
        1.5
    );
    assert_eq!(alice["billable_hourly_usd"], 3.05);
    let text_out = s.crossdeck(&["status", "--lab", "alice", "--config", "priced.toml"]);
    let out = String::from_utf8_lossy(&text_out.stdout);
    assert!(out.contains("  cost: 3 billing, ≈ $"), "{out}");
    assert!(out.contains(", $3.05/h"), "{out}");
}

/// The probe lines of one account's block in `check`'s report: (permissions, outcome).
fn probes(text: &str, account: &str) -> Vec<(String, String)> {
    let mut lines = text
        .lines()
        .skip_while(|l| !l.ends_with(account))
        .skip(1)
        .take_while(|l| l.starts_with("     "));
    let mut out = Vec::new();
    for line in lines.by_ref() {
        let line = line.trim_start();
        if line.starts_with("credentials:") || line.starts_with("identity:") {
            continue;
        }
        let (label, outcome) = line.split_at(52.min(line.len()));
        out.push((label.trim_end().to_string(), outcome.trim().to_string()));
    }
    assert!(!out.is_empty(), "no probes for {account} in:\n{text}");
    out
}

/// Labels of one account's probes, and the outcome each line must start with: "ok", a
/// "not sent: no …" for a call that needs a lab resource there is none of yet, or "FAILED: "
/// where moto 5.2.5 lacks the operation (SearchProvisionedProducts, GetPipelineState) or
/// answers in a shape the SDK rejects (ListPipelines' and GetPipeline's dates as strings,
/// GetBucketVersioning's root element): a sent call either way.
fn expect_probes(text: &str, account: &str, expected: &[(&str, &str)]) {
    let got = probes(text, account);
    let labels: Vec<&str> = got.iter().map(|(l, _)| l.as_str()).collect();
    let wanted: Vec<&str> = expected.iter().map(|(l, _)| *l).collect();
    assert_eq!(labels, wanted, "{account}:\n{text}");
    for ((label, outcome), (_, start)) in got.iter().zip(expected) {
        assert!(
            outcome.starts_with(start),
            "{account} {label}: {outcome} (wanted {start}…)\n{text}"
        );
    }
}

#[test]
fn check_probes_each_call_the_poll_makes_and_fails_on_an_account_it_cannot_reach() {
    use crossdeck::backend::aws::check::*;
    const OK: &str = "ok";
    const NONE: &str = "not sent: no ";
    const LACKS: &str = "FAILED: HTTP 500";
    const GARBLED: &str = "FAILED: HTTP 200, but the answer does not match";
    let moto = Moto::start();
    let s = Scratch::new("moto-check");
    aws_files(&s, &moto);
    config(&s, &moto, false);
    let out = s.crossdeck(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    for id in ALICE {
        assert!(
            text.contains(&format!("(account {id} as configured)")),
            "{text}"
        );
    }
    assert!(text.contains("credentials: profile alice-tools"), "{text}");
    assert!(
        text.contains(&format!(
            "credentials: role arn:aws:iam::{}:role/OrganizationAccountAccessRole from profile instructor",
            ALICE[1]
        )),
        "{text}"
    );
    // An empty lab: the listing calls are sent, those that need a lab resource are not.
    let tools = format!("alice Tools {}", ALICE[0]);
    let ds = format!("alice DataScience {}", ALICE[1]);
    let stage = format!("alice Stage {}", ALICE[2]);
    expect_probes(
        &text,
        &tools,
        &[
            (LIST_STACKS, OK),
            (STACK_EVENTS, NONE),
            (SHARES, NONE),
            (LIST_PIPELINES, OK),
            (PIPELINE_STATE, NONE),
            (PIPELINE_EXECUTIONS, NONE),
            (PIPELINE, NONE),
            (LIST_ENDPOINTS, OK),
            (ENDPOINT, NONE),
            (LIST_BUCKETS, OK),
            (BUCKET, NONE),
            (VERSIONING, NONE),
        ],
    );
    let ds_probes = |products: &'static str| {
        [
            (LIST_STACKS, OK),
            (STACK_EVENTS, NONE),
            (PRODUCTS, products),
            (PRODUCT_OUTPUTS, NONE),
            (NOTEBOOKS, OK),
            (BUCKET, NONE),
            (VERSIONING, NONE),
        ]
    };
    expect_probes(&text, &ds, &ds_probes(LACKS));
    expect_probes(
        &text,
        &stage,
        &[
            (LIST_STACKS, OK),
            (STACK_EVENTS, NONE),
            (LIST_ENDPOINTS, OK),
            (ENDPOINT, NONE),
            (BUCKET, NONE),
            (VERSIONING, NONE),
        ],
    );
    assert!(text.contains("lacks SearchProvisionedProducts"), "{text}");
    assert!(text.contains(&format!("ok   {tools}")), "{text}");
    assert!(text.contains(&format!("FAIL {ds}")), "{text}");
    assert!(text.contains(&format!("ok   {stage}")), "{text}");
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("2 of 3 accounts passed"), "{text}");

    // The seeded lab: every probe goes to the lab's own stacks, portfolio, pipeline, endpoint
    // and buckets (the DataScience account has no provisioned product).
    moto.seed_lab("ali", ALICE[0], ALICE[1], ALICE[2]);
    let seeded = s.crossdeck(&["check"]);
    let text = String::from_utf8_lossy(&seeded.stdout).to_string();
    expect_probes(
        &text,
        &tools,
        &[
            (LIST_STACKS, OK),
            (STACK_EVENTS, OK),
            (SHARES, OK),
            (LIST_PIPELINES, GARBLED),
            (PIPELINE_STATE, LACKS),
            (PIPELINE_EXECUTIONS, OK),
            (PIPELINE, GARBLED),
            (LIST_ENDPOINTS, OK),
            (ENDPOINT, OK),
            (LIST_BUCKETS, OK),
            (BUCKET, OK),
            (VERSIONING, GARBLED),
        ],
    );
    let mut seeded_ds = ds_probes(LACKS);
    seeded_ds[1].1 = OK;
    expect_probes(&text, &ds, &seeded_ds);
    expect_probes(
        &text,
        &stage,
        &[
            (LIST_STACKS, OK),
            (STACK_EVENTS, OK),
            (LIST_ENDPOINTS, OK),
            (ENDPOINT, OK),
            (BUCKET, OK),
            (VERSIONING, GARBLED),
        ],
    );
    assert!(text.contains("0 of 3 accounts passed"), "{text}");

    config(&s, &moto, true);
    let bad = s.crossdeck(&["check"]);
    let text = String::from_utf8_lossy(&bad.stdout).to_string();
    assert_eq!(bad.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("FAIL bob Stage {}", BOB[2])),
        "{text}"
    );
    assert!(
        text.contains("identity:    cannot be read: cannot load credentials"),
        "{text}"
    );
    assert!(
        text.contains(&format!("ok   bob Tools {}", BOB[0])),
        "{text}"
    );
    assert!(text.contains("1 of 6 accounts passed"), "{text}");
}

#[test]
fn the_live_dashboard_shows_the_moto_lab_in_tmux() {
    let moto = Moto::start();
    moto.seed_lab("ali", ALICE[0], ALICE[1], ALICE[2]);
    let s = Scratch::new("moto-tmux");
    aws_files(&s, &moto);
    config(&s, &moto, false);
    let cmd = s.dashboard_in_tmux("--read-only");
    let tmux = Tmux::start(160, 48, &cmd);
    let screen = tmux.wait_for("the three accounts read from moto", |s| {
        [
            "LabSCToolsAccountSetup",
            "MLOpsPipeline",
            "LabDSAccountSCSetup",
            "StageResources",
            "-Stage",
            "its state cannot be read",
        ]
        .iter()
        .all(|w| s.contains(w))
    });
    assert!(
        !screen.contains("SIMULATED"),
        "real accounts, no demo badge:\n{screen}"
    );
    assert!(
        screen.contains(ALICE[0]) && screen.contains(ALICE[2]),
        "{screen}"
    );
    tmux.send("q");
    let after = tmux.wait_for("the process to exit", |s| s.contains("EXIT="));
    assert!(after.contains("EXIT=0"), "{after}");
}

#[tokio::test]
async fn read_only_refuses_every_action_before_any_call() {
    use crossdeck::backend::aws::AwsBackend;
    use crossdeck::backend::{AccountKey, Action, ActionError, Backend};
    use crossdeck::config::Config;
    use crossdeck::lab::Role;

    // The endpoint is a closed port: a call that went out would fail as unreachable, not
    // be refused.
    let text = format!(
        "read_only = true\nendpoint_url = \"http://127.0.0.1:9\"\n[[labs]]\nname = \"a\"\nunique_id = \"a\"\n\
         tools = {{ account_id = \"{}\", profile = \"t\" }}\ndatascience = {{ account_id = \"{}\", profile = \"d\" }}\n\
         stage = {{ account_id = \"{}\", profile = \"s\" }}\n",
        ALICE[0], ALICE[1], ALICE[2]
    );
    let config = Config::parse(std::path::Path::new("ro.toml"), &text).expect("valid");
    let backend = AwsBackend::new(&config);
    let key = AccountKey {
        lab: 0,
        role: Role::Stage,
    };
    for action in [
        Action::DeleteStack {
            stack: "StageResources".into(),
        },
        Action::ApproveAction {
            pipeline: "p".into(),
            stage: "s".into(),
            action: "a".into(),
            token: "t".into(),
            approve: true,
            comment: String::new(),
        },
    ] {
        match backend.act(key, action).await {
            Err(ActionError::Refused(m)) => assert!(m.contains("read-only"), "{m}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}

#[test]
fn aws_endpoint_url_from_the_environment_reaches_every_account() {
    let moto = Moto::start();
    moto.seed_lab("ali", ALICE[0], ALICE[1], ALICE[2]);
    let s = Scratch::new("moto-env");
    // No endpoint anywhere in the files: only AWS_ENDPOINT_URL says where AWS is.
    s.write("aws_config", "[profile instructor]\nregion = us-east-1\n");
    s.write(
        "aws_credentials",
        "[instructor]\naws_access_key_id = AKIAINSTRUCTOR000001\naws_secret_access_key = secret\n",
    );
    s.write(
        "crossdeck.toml",
        &format!(
            "max_attempts = 1\n[[labs]]\nname = \"alice\"\nunique_id = \"ali\"\ntools = {}\ndatascience = {}\nstage = {}\n",
            role(ALICE[0], "instructor"),
            role(ALICE[1], "instructor"),
            role(ALICE[2], "instructor"),
        ),
    );
    let report = json(&s.crossdeck_with(
        &["status", "--json"],
        &[("AWS_ENDPOINT_URL", moto.url.as_str())],
    ));
    let tools = &report["labs"][0]["accounts"]["tools"];
    assert!(tools["error"].is_null(), "{tools}");
    // S3 answered too: path-style addressing follows the endpoint from the environment.
    assert_eq!(
        names(&tools["buckets"]),
        [
            "mlops-bia-lambda-functions-111111111111",
            "mlops-bia-data-model-111111111111",
            "mlops-bia-codepipeline-artifacts-ali-1f2e3d4c"
        ]
    );
    let stage = &report["labs"][0]["accounts"]["stage"];
    assert_eq!(names(&stage["stacks"]), ["StageResources"]);
}

#[test]
fn per_service_endpoints_from_the_environment_reach_their_services() {
    let moto = Moto::start();
    moto.seed_lab("ali", ALICE[0], ALICE[1], ALICE[2]);
    let s = Scratch::new("moto-env-services");
    s.write("aws_config", "[profile instructor]\nregion = us-east-1\n");
    s.write(
        "aws_credentials",
        "[instructor]\naws_access_key_id = AKIAINSTRUCTOR000001\naws_secret_access_key = secret\n",
    );
    s.write(
        "crossdeck.toml",
        &format!(
            "max_attempts = 1\n[[labs]]\nname = \"alice\"\nunique_id = \"ali\"\ntools = {}\ndatascience = {}\nstage = {}\n",
            role(ALICE[0], "instructor"),
            role(ALICE[1], "instructor"),
            role(ALICE[2], "instructor"),
        ),
    );
    // Each service's own variable, as aws-config defines them; no global endpoint.
    let url = moto.url.as_str();
    let mut env = vec![
        ("AWS_ENDPOINT_URL_STS", url),
        ("AWS_ENDPOINT_URL_CLOUDFORMATION", url),
        ("AWS_ENDPOINT_URL_SERVICE_CATALOG", url),
        ("AWS_ENDPOINT_URL_CODEPIPELINE", url),
        ("AWS_ENDPOINT_URL_SAGEMAKER", url),
        ("AWS_ENDPOINT_URL_S3", url),
    ];
    let report = json(&s.crossdeck_with(&["status", "--json"], &env));
    let stage = &report["labs"][0]["accounts"]["stage"];
    assert!(stage["error"].is_null(), "{stage}");
    assert_eq!(names(&stage["stacks"]), ["StageResources"]);
    assert_eq!(names(&stage["endpoints"]).len(), 1, "{stage}");
    let tools = &report["labs"][0]["accounts"]["tools"];
    assert!(tools["error"].is_null(), "{tools}");
    assert_eq!(names(&tools["stacks"]).len(), 3, "{tools}");
    // S3 answered through its own variable.
    assert_eq!(
        names(&tools["buckets"]),
        [
            "mlops-bia-lambda-functions-111111111111",
            "mlops-bia-data-model-111111111111",
            "mlops-bia-codepipeline-artifacts-ali-1f2e3d4c"
        ],
        "{tools}"
    );
    // SageMaker's variable alone pointed at a closed port: SageMaker's calls, and only they,
    // go there.
    env[4].1 = "http://127.0.0.1:9";
    let report = json(&s.crossdeck_with(&["status", "--json"], &env));
    let stage = &report["labs"][0]["accounts"]["stage"];
    assert!(
        stage["error"]
            .as_str()
            .is_some_and(|e| e.contains("127.0.0.1:9")),
        "{stage}"
    );
}

#[test]
fn without_a_configured_unique_id_the_pipeline_stacks_is_used() {
    let moto = Moto::start();
    moto.seed_lab("ali", ALICE[0], ALICE[1], ALICE[2]);
    let s = Scratch::new("moto-stack-uid");
    aws_files(&s, &moto);
    config(&s, &moto, false);
    let text = std::fs::read_to_string(s.dir.join("crossdeck.toml")).expect("config");
    s.write("crossdeck.toml", &text.replace("unique_id = \"ali\"\n", ""));
    let report = json(&s.crossdeck(&["status", "--json", "--config", "crossdeck.toml"]));
    let alice = &report["labs"][0];
    assert_eq!(alice["unique_id"], "ali", "{alice}");
    assert_eq!(alice["unique_id_source"], "stack");
    // GetPipelineState fails on moto, so the artifacts bucket is found by the UniqueID.
    let tools = &alice["accounts"]["tools"];
    assert!(
        names(&tools["buckets"]).contains(&"mlops-bia-codepipeline-artifacts-ali-1f2e3d4c"),
        "{tools}"
    );
    // A configured one says so.
    config(&s, &moto, false);
    let report = json(&s.crossdeck(&["status", "--json", "--config", "crossdeck.toml"]));
    assert_eq!(report["labs"][0]["unique_id_source"], "config");
}

#[test]
fn retries_follow_aws_max_attempts_unless_the_config_sets_max_attempts() {
    let s = Scratch::new("moto-attempts");
    let recording = s.dir.join("moto_recording");
    let recording = recording.to_str().expect("utf-8 path");
    let moto = Moto::start_with_env(&[("MOTO_RECORDER_FILEPATH", recording)]);
    moto.seed_lab("ali", ALICE[0], ALICE[1], ALICE[2]);
    aws_files(&s, &moto);
    config(&s, &moto, false);
    let with_three = std::fs::read_to_string(s.dir.join("crossdeck.toml"))
        .expect("config")
        .replace("max_attempts = 1\n", "max_attempts = 3\n");
    // moto answers SearchProvisionedProducts with HTTP 500, which the SDK retries.
    let attempts = || {
        let calls = crate::moto::python_json("recorded_ops.py", &[recording]);
        calls
            .as_array()
            .expect("calls")
            .iter()
            .filter(|c| c["op"] == "SearchProvisionedProducts")
            .count()
    };
    let run = |text: &str, env: &[(&str, &str)]| {
        s.write("crossdeck.toml", text);
        crate::cleanup_moto::start_recording(&moto);
        json(&s.crossdeck_with(&["status", "--json"], env));
        attempts()
    };
    let unset = with_three.replace("max_attempts = 3\n", "");
    assert_eq!(run(&unset, &[("AWS_MAX_ATTEMPTS", "1")]), 1);
    assert_eq!(run(&unset, &[("AWS_MAX_ATTEMPTS", "2")]), 2);
    // The config's max_attempts wins over the environment.
    assert_eq!(run(&with_three, &[("AWS_MAX_ATTEMPTS", "1")]), 3);
}
