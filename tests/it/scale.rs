//! The AWS backend at class scale, counted rather than timed: 102 accounts reached through one
//! source profile (a roster of 34 labs) are read by one process with one HTTPS connector, one
//! STS client for their AssumeRole calls and one client per service they call, and a class with
//! a profile per account (each a plain role profile from the same source) shares them too.

use serde_json::Value;

use crate::aws_moto::aws_files;
use crate::moto::{Moto, Scratch};

const LABS: usize = 34;

fn ids(i: usize) -> [String; 3] {
    [1, 2, 3].map(|p| format!("{p}{i:011}"))
}

/// Read the whole class with `status --json`, logging at debug level; the report and the log.
fn read_class(s: &Scratch, name: &str) -> (Value, String) {
    let log = s.dir.join(name);
    let log_arg = log.to_str().expect("utf-8 path");
    let out = s.crossdeck_with(
        &["--log-file", log_arg, "status", "--json"],
        &[("RUST_LOG", "crossdeck=debug")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let labs = report["labs"].as_array().expect("labs");
    assert_eq!(labs.len(), LABS);
    for lab in labs {
        for (role, a) in lab["accounts"].as_object().expect("accounts") {
            assert!(
                a["error"].is_null(),
                "{} {role}: {}",
                lab["name"],
                a["error"]
            );
        }
    }
    (report, std::fs::read_to_string(&log).expect("log"))
}

fn count(log: &str, what: &str) -> usize {
    log.lines().filter(|l| l.contains(what)).count()
}

/// One HTTPS connector, one STS client for AssumeRole, and one client for each service the
/// polls of this class call (STS for GetCallerIdentity, CloudFormation, Service Catalog,
/// CodePipeline, SageMaker; no S3, as no lab has a stack that makes a bucket), none for those
/// they do not (CloudWatch, SageMaker Runtime).
fn assert_shared(log: &str) {
    assert_eq!(count(log, "built an HTTPS connector"), 1, "{log}");
    assert_eq!(
        count(log, "built an STS client for a credential source"),
        1,
        "{log}"
    );
    let built = |service: &str| {
        let field = format!("service=\"{service}\"");
        log.lines()
            .filter(|l| l.contains("built a shared service client") && l.contains(&field))
            .count()
    };
    for service in [
        "sts",
        "cloudformation",
        "servicecatalog",
        "codepipeline",
        "sagemaker",
    ] {
        assert_eq!(
            built(service),
            1,
            "{service} clients for 102 accounts:\n{log}"
        );
    }
    assert_eq!(count(log, "built a shared service client"), 5, "{log}");
}

#[test]
fn a_class_through_one_source_shares_one_http_connector_and_one_sts_client() {
    let moto = Moto::start();
    let s = Scratch::new("moto-scale");
    aws_files(&s, &moto);
    let mut csv = String::from("name,unique_id,tools,datascience,stage\n");
    let mut profiles = String::new();
    let mut labs = String::new();
    for i in 1..=LABS {
        let [t, d, st] = ids(i);
        csv.push_str(&format!("lab{i},u{i},{t},{d},{st}\n"));
        labs.push_str(&format!(
            "[[labs]]\nname = \"lab{i}\"\nunique_id = \"u{i}\"\n"
        ));
        for (role, id) in [("tools", &t), ("datascience", &d), ("stage", &st)] {
            profiles.push_str(&format!(
                "\n[profile lab{i}-{role}]\nrole_arn = arn:aws:iam::{id}:role/OrganizationAccountAccessRole\n\
                 source_profile = instructor\n"
            ));
            labs.push_str(&format!(
                "{role} = {{ account_id = \"{id}\", profile = \"lab{i}-{role}\" }}\n"
            ));
        }
    }
    s.write("class.csv", &csv);
    let head = format!(
        "region = \"us-east-1\"\nendpoint_url = \"{}\"\nmax_attempts = 1\n",
        moto.url
    );

    // A roster: every account through the instructor profile and OrganizationAccountAccessRole.
    s.write(
        "crossdeck.toml",
        &format!(
            "{head}[roster]\nfile = \"class.csv\"\nrole_name = \"OrganizationAccountAccessRole\"\n\
             source_profile = \"instructor\"\n"
        ),
    );
    let (_, log) = read_class(&s, "roster.log");
    assert_shared(&log);

    // A profile per account, each a plain role profile from the instructor: the same.
    let config = std::fs::read_to_string(s.dir.join("aws_config")).expect("aws_config");
    s.write("aws_config", &format!("{config}{profiles}"));
    s.write("crossdeck.toml", &format!("{head}{labs}"));
    let (_, log) = read_class(&s, "profiles.log");
    assert_shared(&log);
}
