//! `crossdeck cleanup` against moto: a lab seeded across three accounts (versioned buckets with
//! thousands of versions and delete markers, stacks, endpoints with configs and models, a
//! notebook, decoys) is planned without change, refused on a wrong confirmation, interrupted
//! mid-bucket, resumed to the end with every decoy untouched, and a second run does nothing.
//! Under read-only, moto's request recording shows no mutating call.

use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};

use serde_json::Value;

use crate::aws_moto::{ALICE, aws_files, config};
use crate::moto::{Moto, Scratch, python_json};

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// What moto holds in alice's three accounts, read with boto3 (tests/moto/lab_state.py).
fn state(moto: &Moto) -> Value {
    let mut args = vec!["--endpoint", moto.url.as_str()];
    args.extend(ALICE);
    python_json("lab_state.py", &args)
}

fn names(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        Value::Object(o) => o.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

fn contains_all(text: &str, lines: &[String]) {
    for l in lines {
        assert!(text.contains(l.as_str()), "{l:?} not in:\n{text}");
    }
}

fn confirm() -> String {
    ALICE.join(",")
}

/// Every decoy the seed made is still there, each bucket with its objects.
fn decoys_untouched(after: &Value, before: &Value, made: &Value) {
    for (role, id) in ["tools", "datascience", "stage"].into_iter().zip(ALICE) {
        let d = &made["decoys"][role];
        for kind in ["stacks", "endpoints"] {
            for name in names(&d[kind]) {
                assert!(
                    names(&after[id][kind]).contains(&name),
                    "decoy {kind} {name} in {role} is gone: {}",
                    after[id]
                );
            }
        }
        for b in names(&d["buckets"]) {
            assert_eq!(
                after[id]["buckets"][&b], before[id]["buckets"][&b],
                "decoy bucket {b} in {role} changed"
            );
        }
    }
    // The decoy endpoints keep their configs and models.
    for (id, ep) in [
        (ALICE[0], "datascience-project-2026-11-27-09-00-00-Prod"),
        (ALICE[0], "unrelated-endpoint"),
        (ALICE[2], "other-project-2026-11-27-09-00-00-Stage"),
    ] {
        for kind in ["endpoint_configs", "models"] {
            assert!(
                names(&after[id][kind]).contains(&ep.to_string()),
                "{kind} {ep}"
            );
        }
    }
}

#[test]
fn cleanup_plans_then_deletes_the_labs_resources_resumes_and_leaves_decoys() {
    let moto = Moto::start();
    let made = moto.seed_lab_with("ali", ALICE, &["--cleanup-extras"]);
    let s = Scratch::new("moto-cleanup");
    aws_files(&s, &moto);
    config(&s, &moto, false);
    let before = state(&moto);
    let stage_bucket = format!("mlops-bia-data-model-{}", ALICE[2]);
    assert_eq!(before[ALICE[2]]["buckets"][&stage_bucket], 2510);

    // The plan alone changes nothing. moto cannot search provisioned products: the plan is
    // incomplete, and withholds the product's termination and the stacks that need it.
    let plan = s.crossdeck(&["cleanup", "--lab", "alice"]);
    let text = out(&plan);
    assert_eq!(plan.status.code(), Some(1), "{text}{}", err(&plan));
    contains_all(
        &text,
        &[
            "Cleanup plan for lab alice: 10 steps, incomplete: 3 withheld".into(),
            format!(" 1. [Stage {}] delete endpoint datascience-project-", ALICE[2]),
            format!(" 2. [Stage {}] empty bucket {stage_bucket}", ALICE[2]),
            "10. [Tools 111111111111] delete stack MLOpsPipelinePrep".into(),
            format!("  withheld: [DataScience {}] delete stack LabDSAccountSCSetup: ", ALICE[1]),
            format!("  withheld: [DataScience {}] delete stack DSResources: ", ALICE[1]),
            "DataScience provisioned products could not be read (SearchProvisionedProducts failed: HTTP 500".into(),
        ],
    );
    assert!(
        err(&plan).contains("incomplete: 3 step(s) withheld"),
        "{}",
        err(&plan)
    );
    for decoy in [
        "00-00-Prod",
        "backup",
        "bob-decoy1",
        "Copy",
        "SomeoneElses",
        "unrelated",
    ] {
        assert!(!text.contains(decoy), "{decoy} in the plan:\n{text}");
    }
    assert!(text.contains("Nothing was changed"), "{text}");
    assert_eq!(state(&moto), before);

    // A wrong or missing confirmation: exit 2, nothing done.
    let execute = ["cleanup", "--lab", "alice", "--execute"];
    for confirm in [
        &[][..],
        &["--confirm", "111111111111,222222222222"],
        &["--confirm", "111111111111,222222222222,333333333334"],
    ] {
        let args = [&execute[..], confirm].concat();
        let o = s.crossdeck(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        assert!(err(&o).contains("nothing done"), "{}", err(&o));
        assert!(!out(&o).contains("[1/"), "{}", out(&o));
    }
    assert_eq!(state(&moto), before);

    // Interrupted after the first batch of the Stage bucket (the process is killed).
    let ids = confirm();
    let mut child = s
        .command(&["cleanup", "--lab", "alice", "--execute", "--confirm", &ids])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn crossdeck");
    let stdout = child.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        let first_batch = line.contains("1000 versions and delete markers deleted, more to go");
        seen.push(line);
        if first_batch {
            break;
        }
    }
    child.kill().expect("kill crossdeck");
    let _ = child.wait();
    assert!(
        seen.last().is_some_and(|l| l.starts_with("[2] ")),
        "{seen:#?}"
    );
    let mid = state(&moto);
    let left = mid[ALICE[2]]["buckets"][&stage_bucket]
        .as_u64()
        .expect("the Stage bucket is still there");
    assert!(0 < left && left <= 1510, "{left} left");
    assert!(names(&mid[ALICE[2]]["stacks"]).contains(&"StageResources".to_string()));
    assert_eq!(mid[ALICE[0]], before[ALICE[0]]);
    // The -Stage endpoint went first, with its config and model.
    assert!(
        names(&mid[ALICE[2]]["endpoints"])
            .iter()
            .all(|e| !e.starts_with("datascience-project-"))
    );

    // Run again: the plan is read afresh and finishes what it can; the withheld steps make
    // the exit 1, each named.
    let run = s.crossdeck(&["cleanup", "--lab", "alice", "--execute", "--confirm", &ids]);
    let text = out(&run);
    assert_eq!(run.status.code(), Some(1), "{text}{}", err(&run));
    contains_all(
        &text,
        &[
            format!("[1] {stage_bucket}: {left} versions and delete markers deleted, empty"),
            "[9] done: deleting stack MLOpsPipelinePrep".into(),
            format!(
                "[6] mlops-bia-data-model-{}: 207 versions and delete markers deleted, empty",
                ALICE[0]
            ),
            "Cleanup of lab alice done: 9 steps.".into(),
        ],
    );
    contains_all(
        &err(&run),
        &[
            "cleanup of lab alice is incomplete: 3 step(s) withheld".into(),
            format!(
                "[DataScience {}] delete stack LabDSAccountSCSetup",
                ALICE[1]
            ),
        ],
    );

    // Left in each account: the decoys, and nothing of the lab's but what was withheld in
    // DataScience.
    let after = state(&moto);
    for (role, id) in ["tools", "datascience", "stage"].into_iter().zip(ALICE) {
        for kind in ["stacks", "buckets", "endpoints"] {
            let mut want = names(&made["decoys"][role][kind]);
            if role == "datascience" && kind == "stacks" {
                want.extend(["LabDSAccountSCSetup".into(), "DSResources".into()]);
            }
            if role == "datascience" && kind == "buckets" {
                want.push(format!("datascience-project-{}", ALICE[1]));
            }
            want.sort();
            let mut left = names(&after[id][kind]);
            left.sort();
            assert_eq!(left, want, "{kind} left in {role}: {}", after[id]);
        }
        for kind in ["endpoint_configs", "models"] {
            assert_eq!(names(&after[id][kind]), names(&after[id]["endpoints"]));
        }
    }
    decoys_untouched(&after, &before, &made);
    // moto has no Service Catalog provisioning: the notebook, which in AWS goes with its
    // product's termination, was seeded on its own and crossdeck never deletes it directly.
    assert_eq!(
        names(&after[ALICE[1]]["notebooks"]),
        [made["notebook"].as_str().expect("notebook")]
    );

    // A second full run does nothing, and says what it still cannot see.
    let again = s.crossdeck(&["cleanup", "--lab", "alice", "--execute", "--confirm", &ids]);
    let text = out(&again);
    assert_eq!(again.status.code(), Some(1), "{text}{}", err(&again));
    assert!(
        text.contains("alice: no step planned in what could be read"),
        "{text}"
    );
    assert!(text.contains("incomplete: 3 step(s) withheld"), "{text}");
    assert!(!text.contains("[1/"), "{text}");
    assert_eq!(state(&moto), after);
}

/// Clear moto's request recording and start a new one.
pub(crate) fn start_recording(moto: &Moto) {
    assert!(
        moto.api("/moto-api/recorder/reset-recording")
            .contains("200")
    );
    assert!(
        moto.api("/moto-api/recorder/start-recording")
            .contains("200")
    );
}

/// Whether a recorded request reads only (or gets credentials).
fn reads_only(call: &Value) -> bool {
    let op = call["op"].as_str().unwrap_or_default();
    let method = call["method"].as_str().unwrap_or_default();
    if call["service"] == "s3" {
        return matches!(method, "GET" | "HEAD");
    }
    ["Describe", "List", "Get", "Search", "Scan"]
        .iter()
        .any(|p| op.starts_with(p))
        || matches!(op, "AssumeRole" | "GetCallerIdentity")
}

#[test]
fn read_only_cleanup_execute_makes_no_call_and_planning_only_reads() {
    let s = Scratch::new("moto-cleanup-ro");
    let recording = s.dir.join("moto_recording");
    let recording = recording.to_str().expect("utf-8 path");
    let moto = Moto::start_with_env(&[("MOTO_RECORDER_FILEPATH", recording)]);
    moto.seed_lab("ali", ALICE[0], ALICE[1], ALICE[2]);
    aws_files(&s, &moto);
    config(&s, &moto, false);
    let ids = confirm();
    let recorded = || -> Vec<Value> {
        let v = python_json("recorded_ops.py", &[recording]);
        v.as_array().cloned().unwrap_or_default()
    };
    start_recording(&moto);

    // --read-only on the command line, then read_only = true in the file: refused before any call.
    let execute = ["cleanup", "--lab", "alice", "--execute", "--confirm", &ids];
    let flag = s.crossdeck(&[&["--read-only"][..], &execute].concat());
    assert_eq!(flag.status.code(), Some(2), "{}", err(&flag));
    assert!(err(&flag).contains("read-only"), "{}", err(&flag));
    let text = std::fs::read_to_string(s.dir.join("crossdeck.toml")).expect("config");
    s.write("crossdeck.toml", &format!("read_only = true\n{text}"));
    let file = s.crossdeck(&execute);
    assert_eq!(file.status.code(), Some(2), "{}", err(&file));
    assert!(err(&file).contains("nothing done"), "{}", err(&file));
    assert_eq!(recorded(), Vec::<Value>::new());

    // Planning under read-only reads the accounts (the recorder sees it) and changes nothing.
    let plan = s.crossdeck(&["cleanup", "--lab", "alice"]);
    // Incomplete on moto (it cannot search provisioned products): exit 1, still nothing done.
    assert_eq!(plan.status.code(), Some(1), "{}", err(&plan));
    assert!(out(&plan).contains("delete stack StageResources"));
    let calls = recorded();
    assert!(
        calls.iter().any(|c| c["op"] == "DescribeStacks"),
        "{calls:#?}"
    );
    let writes: Vec<&Value> = calls.iter().filter(|c| !reads_only(c)).collect();
    assert!(writes.is_empty(), "mutating calls: {writes:#?}");
}

#[test]
fn every_action_key_under_read_only_leaves_moto_with_reads_only() {
    let s = Scratch::new("moto-tui-ro");
    let recording = s.dir.join("moto_recording");
    let recording = recording.to_str().expect("utf-8 path");
    let moto = Moto::start_with_env(&[("MOTO_RECORDER_FILEPATH", recording)]);
    moto.seed_lab("ali", ALICE[0], ALICE[1], ALICE[2]);
    aws_files(&s, &moto);
    config(&s, &moto, false);
    start_recording(&moto);

    let cmd = s.dashboard_in_tmux("--read-only");
    let tmux = crate::e2e::Tmux::start(160, 48, &cmd);
    tmux.wait_for("the lab read from moto", |s| s.contains("StageResources"));
    // Every action key, in each pane and in the pipeline strip.
    for _pane in 0..4 {
        for key in ["a", "x", "e", "d", "R", "P", "L", "s", "i", "Enter"] {
            tmux.send(key);
        }
        // Enter opens a detail where there is a row; Esc closes it (with no detail open, Esc
        // would leave the one lab's view, i.e. quit).
        std::thread::sleep(std::time::Duration::from_millis(300));
        if tmux.capture().contains("q back") {
            tmux.send_escape();
        }
        tmux.send("Tab");
    }
    tmux.send("P");
    let screen = tmux.wait_for("the refusal", |s| s.contains("read-only"));
    // The cleanup plan shows; typing the ids and Enter is refused too.
    tmux.send("C");
    tmux.wait_for("the cleanup plan", |s| s.contains("Cleanup of lab alice"));
    tmux.send(&confirm());
    tmux.send("Enter");
    let refused = tmux.wait_for("the cleanup refusal", |s| {
        s.contains("read-only: the plan is shown, but crossdeck makes no change")
    });
    tmux.send_escape();
    tmux.send("q");
    tmux.wait_for("the process to exit", |s| s.contains("EXIT=0"));
    drop(tmux);

    let calls = python_json("recorded_ops.py", &[recording]);
    let calls = calls.as_array().cloned().unwrap_or_default();
    assert!(
        calls.iter().any(|c| c["op"] == "DescribeStacks"),
        "the dashboard polled: {calls:#?}\n{screen}\n{refused}"
    );
    let writes: Vec<&Value> = calls.iter().filter(|c| !reads_only(c)).collect();
    assert!(writes.is_empty(), "mutating calls: {writes:#?}");
}
