//! An SQS message body read as an EventBridge event: only its envelope (id, source, detail
//! type, account, region) is looked at, to tell which account to read again; its detail is
//! never taken as state.

use serde::Deserialize;

/// The event sources and detail types the lab's forwarder rule sends, one of which makes an
/// event a hint.
pub const LAB_EVENTS: [(&str, &str); 7] = [
    ("aws.cloudformation", "CloudFormation Stack Status Change"),
    (
        "aws.cloudformation",
        "CloudFormation Resource Status Change",
    ),
    (
        "aws.codepipeline",
        "CodePipeline Pipeline Execution State Change",
    ),
    (
        "aws.codepipeline",
        "CodePipeline Stage Execution State Change",
    ),
    (
        "aws.codepipeline",
        "CodePipeline Action Execution State Change",
    ),
    ("aws.sagemaker", "SageMaker Endpoint State Change"),
    ("aws.sagemaker", "SageMaker Notebook Instance State Change"),
];

/// The envelope fields crossdeck reads.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Envelope {
    /// EventBridge's event id: a duplicate delivery carries the same one.
    pub id: String,
    pub source: String,
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    /// The account the event happened in.
    pub account: String,
    pub region: String,
}

/// What a message body turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// One of the lab's events: read its account again.
    Lab(Envelope),
    /// An EventBridge event, but of a source or type the lab does not watch.
    Unrelated(Envelope),
    /// Not an EventBridge event; the reason in words.
    Junk(String),
}

/// Read a message body.
pub fn classify(body: &str) -> Body {
    let value: serde_json::Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return Body::Junk(format!("not JSON ({e})")),
    };
    if !value.is_object() {
        return Body::Junk("not a JSON object".into());
    }
    let env: Envelope = match serde_json::from_value(value) {
        Ok(e) => e,
        Err(e) => return Body::Junk(format!("not an EventBridge event ({e})")),
    };
    if !is_account_id(&env.account) {
        return Body::Junk(format!(
            "not an EventBridge event (account {:?} is not 12 digits)",
            env.account
        ));
    }
    if LAB_EVENTS
        .iter()
        .any(|(s, d)| *s == env.source && *d == env.detail_type)
    {
        Body::Lab(env)
    } else {
        Body::Unrelated(env)
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A lab event's envelope in the documented shape, for the simulator and tests: `detail` is
/// the least that identifies the resource.
pub fn envelope_json(
    id: &str,
    source: &str,
    detail_type: &str,
    account: &str,
    region: &str,
    time: &str,
    detail: serde_json::Value,
) -> String {
    serde_json::json!({
        "version": "0",
        "id": id,
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": time,
        "region": region,
        "resources": [],
        "detail": detail,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stack_status_change_is_a_lab_event_of_its_account() {
        let body = r#"{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718",
            "detail-type":"CloudFormation Stack Status Change","source":"aws.cloudformation",
            "account":"333333333333","time":"2026-12-02T10:00:00Z","region":"us-east-1",
            "resources":["arn:aws:cloudformation:us-east-1:333333333333:stack/StageResources/1"],
            "detail":{"stack-id":"arn:aws:cloudformation:us-east-1:333333333333:stack/StageResources/1",
            "status-details":{"status":"CREATE_COMPLETE","status-reason":""}}}"#;
        match classify(body) {
            Body::Lab(e) => {
                assert_eq!(e.account, "333333333333");
                assert_eq!(e.region, "us-east-1");
                assert_eq!(e.id, "6a7e8feb-b491-4cf7-a9f1-bf3703467718");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn other_sources_and_types_are_unrelated() {
        let ec2 = envelope_json(
            "1",
            "aws.ec2",
            "EC2 Instance State-change Notification",
            "111111111111",
            "us-east-1",
            "t",
            serde_json::json!({}),
        );
        assert!(matches!(classify(&ec2), Body::Unrelated(_)));
        // A known source with a type the rule does not forward.
        let model = envelope_json(
            "2",
            "aws.sagemaker",
            "SageMaker Model State Change",
            "111111111111",
            "us-east-1",
            "t",
            serde_json::json!({}),
        );
        assert!(matches!(classify(&model), Body::Unrelated(_)));
    }

    #[test]
    fn bodies_that_are_not_events_are_junk() {
        for body in [
            "hello",
            "[1,2]",
            r#"{"Message":"an SNS notification"}"#,
            r#"{"id":"1","source":"aws.sagemaker","detail-type":"SageMaker Endpoint State Change","account":"12","region":"us-east-1"}"#,
        ] {
            assert!(matches!(classify(body), Body::Junk(_)), "{body}");
        }
    }
}
