//! `crossdeck --demo cleanup`: the plan of a finished simulated lab, a confirmation that must
//! name exactly the lab's accounts, read-only refusing --execute, and a run to the end.

use std::process::{Command, Output, Stdio};

fn crossdeck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossdeck"))
        .args(args)
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("crossdeck-cleanup-cli-test"),
        )
        .stdin(Stdio::null())
        .output()
        .expect("run crossdeck")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const IDS: &str = "111100000000,222200000000,333300000000";

/// `crossdeck --demo cleanup --lab alice` and more.
fn alice<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--demo", "cleanup", "--lab", "alice"];
    args.extend(extra);
    args
}

#[test]
fn the_demo_plan_is_printed_and_nothing_changes() {
    let o = crossdeck(&alice(&[]));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    assert!(
        text.starts_with("Cleanup plan for lab alice: 13 steps\n"),
        "{text}"
    );
    for line in [
        " 1. [Stage 333300000000] delete endpoint datascience-project-",
        " 2. [Stage 333300000000] empty bucket mlops-bia-data-model-333300000000\n",
        " 3. [Stage 333300000000] delete stack StageResources\n",
        " 4. [DataScience 222200000000] empty and delete bucket ",
        " 5. [DataScience 222200000000] terminate provisioned product alice-notebook\n",
        "13. [Tools 111100000000] delete stack MLOpsPipelinePrep\n",
        "      why:     the pipeline's DeployModel-Tools made it; the guide forgets it",
        "Nothing was changed.",
    ] {
        assert!(text.contains(line), "{line:?} not in:\n{text}");
    }
    assert!(!text.contains("[1/13]"), "{text}");
}

#[test]
fn execute_needs_exactly_the_labs_account_ids_and_is_refused_when_read_only() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["--execute"],
            "needs --confirm with lab alice's account ids",
        ),
        (
            &["--execute", "--confirm", "111100000000"],
            "2 of its accounts missing",
        ),
        (
            &["--execute", "--confirm", &format!("{IDS},999999999999")],
            "not its accounts: 999999999999",
        ),
        (
            &["--read-only", "--execute", "--confirm", IDS],
            "crossdeck is read-only",
        ),
    ];
    for (extra, message) in cases {
        let args = alice(extra);
        let o = crossdeck(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        assert!(err(&o).contains(message), "{args:?}: {}", err(&o));
        assert!(out(&o).is_empty(), "{args:?} printed:\n{}", out(&o));
    }
    let o = crossdeck(&["--demo", "cleanup", "--lab", "nobody"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("no lab named 'nobody'"), "{}", err(&o));
    // --confirm without --execute is a usage error too.
    let o = crossdeck(&alice(&["--confirm", IDS]));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
}

#[test]
fn the_demo_cleanup_runs_to_the_end_with_a_line_per_step_and_batch() {
    let o = crossdeck(&[
        "--demo",
        "cleanup",
        "--lab",
        "alice",
        "--execute",
        "--confirm",
        // Order and spaces do not matter.
        "333300000000, 111100000000,222200000000",
    ]);
    let text = out(&o);
    assert_eq!(o.status.code(), Some(0), "{text}{}", err(&o));
    for n in 1..=13 {
        assert!(text.contains(&format!("[{n}/13] ")), "step {n}:\n{text}");
        assert!(text.contains(&format!("[{n}] done: ")), "step {n}:\n{text}");
    }
    assert!(
        text.contains(
            "[9] mlops-bia-lambda-functions-111100000000: 1000 versions and delete markers deleted, more to go"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("Cleanup of lab alice done: 13 steps.\n"),
        "{text}"
    );
}
