//! The cleanup on moto with the guide's own resource types (tests/moto/templates, deployed by
//! tests/moto/deploy_guide.py): the lab VPC in `LabDSAccountSCSetup`, the product's security
//! group inside it, the pipeline's roles, functions and key, and the -Tools / -Stage endpoints.
//! moto answers SearchProvisionedProducts with HTTP 500, as a real account would when the
//! caller may not read the products: the plan is incomplete, withholds the DataScience catalog
//! stack (whose VPC the product still uses), executes the rest and exits 1. Stage and Tools end
//! empty; another lab's look-alike artifacts bucket and a foreign endpoint survive.

use serde_json::Value;

use crate::aws_moto::{ALICE, aws_files, config};
use crate::moto::{Moto, Scratch, python_json};

fn out(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn state(moto: &Moto) -> Value {
    let mut args = vec!["--endpoint", moto.url.as_str()];
    args.extend(ALICE);
    python_json("lab_state.py", &args)
}

fn keys(v: &Value) -> Vec<String> {
    match v {
        Value::Object(o) => o.keys().cloned().collect(),
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn unreadable_products_withhold_the_datascience_stacks_and_the_rest_is_cleaned() {
    let moto = Moto::start();
    let s = Scratch::new("moto-guide-cleanup");
    aws_files(&s, &moto);
    let made = python_json(
        "deploy_guide.py",
        &[
            "--endpoint",
            &moto.url,
            "--uid",
            "ali",
            "--tools",
            ALICE[0],
            "--ds",
            ALICE[1],
            "--stage",
            ALICE[2],
            "--seed",
            "7",
            "--deployed",
        ],
    );
    config(&s, &moto, false);
    let before = state(&moto);
    let [tools, ds, stage] = ALICE;
    let lookalike = made["decoys"]["tools"]["buckets"][0]
        .as_str()
        .expect("look-alike bucket")
        .to_string();
    let foreign = made["decoys"]["stage"]["endpoints"][0]
        .as_str()
        .expect("foreign endpoint")
        .to_string();
    assert!(keys(&before[tools]["buckets"]).contains(&lookalike));
    assert_eq!(keys(&before[ds]["stacks"]).len(), 3, "{}", before[ds]);

    // The plan: incomplete, the DataScience catalog stack withheld with the read that failed.
    let plan = s.crossdeck(&["cleanup", "--lab", "alice"]);
    let text = out(&plan);
    assert_eq!(plan.status.code(), Some(1), "{text}{}", err(&plan));
    for line in [
        ", incomplete: 3 withheld\n".to_string(),
        format!(
            "  withheld: [DataScience {ds}] delete stack LabDSAccountSCSetup: the notebook product must be terminated first (its launch role and the VPC its security group lives in are in this stack)"
        ),
        format!("  withheld: [DataScience {ds}] delete stack DSResources: "),
        "SearchProvisionedProducts failed: HTTP 500".to_string(),
        format!(
            " 1. [Stage {stage}] delete endpoint datascience-project-2026-11-27-09-00-00-Stage"
        ),
    ] {
        assert!(text.contains(&line), "{line:?} not in:\n{text}");
    }
    for decoy in [lookalike.as_str(), foreign.as_str()] {
        assert!(!text.contains(decoy), "{decoy} planned:\n{text}");
    }
    assert!(
        err(&plan).contains("incomplete: 3 step(s) withheld"),
        "{}",
        err(&plan)
    );
    assert_eq!(state(&moto), before, "the plan alone changed something");

    // Executed: the rest runs, then exit 1 naming the withheld steps.
    let ids = ALICE.join(",");
    let run = s.crossdeck(&["cleanup", "--lab", "alice", "--execute", "--confirm", &ids]);
    let text = out(&run);
    assert_eq!(run.status.code(), Some(1), "{text}{}", err(&run));
    assert!(text.contains("Cleanup of lab alice done: "), "{text}");
    for line in [
        "cleanup of lab alice is incomplete: 3 step(s) withheld".to_string(),
        format!("[DataScience {ds}] delete stack LabDSAccountSCSetup"),
        format!("[DataScience {ds}] delete stack DSResources"),
    ] {
        assert!(err(&run).contains(&line), "{line:?} not in:\n{}", err(&run));
    }

    let after = state(&moto);
    // Stage and Tools end empty of the lab: no stack, bucket, endpoint, config or model.
    assert_eq!(
        keys(&after[stage]["stacks"]),
        Vec::<String>::new(),
        "{}",
        after[stage]
    );
    assert_eq!(
        keys(&after[tools]["stacks"]),
        Vec::<String>::new(),
        "{}",
        after[tools]
    );
    assert_eq!(keys(&after[stage]["buckets"]), Vec::<String>::new());
    assert_eq!(
        keys(&after[tools]["buckets"]),
        std::slice::from_ref(&lookalike)
    );
    assert_eq!(
        after[tools]["buckets"][&lookalike], before[tools]["buckets"][&lookalike],
        "the look-alike bucket's objects are untouched"
    );
    assert_eq!(keys(&after[tools]["endpoints"]), Vec::<String>::new());
    for kind in ["endpoints", "endpoint_configs", "models"] {
        assert_eq!(
            keys(&after[stage][kind]),
            std::slice::from_ref(&foreign),
            "{kind}"
        );
    }
    // DataScience is exactly as it was: its stacks (the VPC, the product's security group) and
    // buckets wait until the products can be read.
    assert_eq!(after[ds], before[ds]);
}
