//! `crossdeck events check`: in each account, whether the forwarder rule that sends the lab's
//! events to the instructor's bus is on its default bus (EventBridge DescribeRule).

use super::AwsBackend;
use super::errors::CallError;
use crate::backend::AccountKey;
use crate::events::envelope::LAB_EVENTS;

/// The rule `assets/cfn/events-forwarder.yaml` makes in every student account.
pub const RULE: &str = "crossdeck-lab-events";

/// What one account's default bus holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Forwarder {
    /// The rule is there and enabled, and its pattern names every lab source.
    Ready,
    /// The rule is there but something is off (disabled, or a source missing from its pattern).
    Wrong(String),
    /// No such rule: the account's events never reach the queue.
    Missing,
    /// The account or the call failed.
    Unknown(String),
}

impl Forwarder {
    pub fn ready(&self) -> bool {
        *self == Forwarder::Ready
    }
}

/// Look for the forwarder rule in one account.
pub async fn check(backend: &AwsBackend, key: AccountKey) -> Forwarder {
    let client = match backend.account_sdk_config(key).await {
        Ok(cfg) => aws_sdk_eventbridge::Client::new(&cfg),
        Err(e) => return Forwarder::Unknown(e.message),
    };
    match client
        .describe_rule()
        .name(RULE)
        .event_bus_name("default")
        .send()
        .await
    {
        Ok(rule) => judge(
            rule.state().map(|s| s.as_str()),
            rule.event_pattern().unwrap_or_default(),
        ),
        Err(e) => {
            let e = CallError::from_sdk("DescribeRule", e);
            if e.is_not_found() {
                Forwarder::Missing
            } else {
                Forwarder::Unknown(e.warning())
            }
        }
    }
}

/// Whether a rule with this state and pattern forwards the lab's events.
pub fn judge(state: Option<&str>, pattern: &str) -> Forwarder {
    if state != Some("ENABLED") {
        return Forwarder::Wrong(format!(
            "the rule is {}",
            state.unwrap_or("in no state").to_ascii_lowercase()
        ));
    }
    let mut missing: Vec<&str> = LAB_EVENTS
        .iter()
        .map(|(source, _)| *source)
        .filter(|s| !pattern.contains(s))
        .collect();
    missing.dedup();
    if missing.is_empty() {
        Forwarder::Ready
    } else {
        Forwarder::Wrong(format!("its pattern does not match {}", missing.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_forwards_when_enabled_with_every_lab_source() {
        let full = r#"{"source":["aws.cloudformation","aws.codepipeline","aws.sagemaker"]}"#;
        assert_eq!(judge(Some("ENABLED"), full), Forwarder::Ready);
        assert_eq!(
            judge(Some("DISABLED"), full),
            Forwarder::Wrong("the rule is disabled".into())
        );
        assert_eq!(
            judge(Some("ENABLED"), r#"{"source":["aws.cloudformation"]}"#),
            Forwarder::Wrong("its pattern does not match aws.codepipeline, aws.sagemaker".into())
        );
    }
}
