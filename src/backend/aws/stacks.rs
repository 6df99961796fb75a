//! CloudFormation: the lab's stacks with outputs and parameters, and events for those that move
//! or failed.

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::types as cf;

use super::errors::CallError;
use super::time::ts;
use crate::lab::{Category, Stack, StackEvent, status};

/// Events kept per stack (the newest; a failure's root cause is among them).
pub const EVENTS_KEPT: usize = 50;

/// DescribeStacks over every page, keeping the stacks `keep` accepts.
pub async fn describe(
    client: &Client,
    keep: impl Fn(&str) -> bool,
) -> Result<Vec<Stack>, CallError> {
    let mut out = Vec::new();
    let mut pages = client.describe_stacks().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CallError::from_sdk("DescribeStacks", e))?;
        out.extend(
            page.stacks()
                .iter()
                .filter(|s| keep(s.stack_name().unwrap_or_default()))
                .map(stack),
        );
    }
    Ok(out)
}

/// A stack whose events are worth reading: in progress, or failed. A stack that rolled an
/// update or import back is a working stack: its status reason says why, and its events are not
/// read at every poll.
pub fn needs_events(stack: &Stack) -> bool {
    !status::is_rolled_back(&stack.status)
        && matches!(
            Category::of(&stack.status),
            Category::InProgress | Category::Failed
        )
}

/// DescribeStackEvents, first page: the newest events.
pub async fn events(client: &Client, stack: &str) -> Result<Vec<StackEvent>, CallError> {
    let out = client
        .describe_stack_events()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| CallError::from_sdk("DescribeStackEvents", e))?;
    Ok(out
        .stack_events()
        .iter()
        .take(EVENTS_KEPT)
        .map(event)
        .collect())
}

/// Pages read at most to find where a failed operation started.
pub const FAILURE_PAGES: usize = 5;

/// DescribeStackEvents of a failed stack: page back to the operation's start ("User
/// Initiated"), at most [`FAILURE_PAGES`] pages, keeping the newest [`EVENTS_KEPT`] events and
/// every failure before them, so a long rollback cannot push the root cause out.
pub async fn failure_events(client: &Client, stack: &str) -> Result<Vec<StackEvent>, CallError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..FAILURE_PAGES {
        let page = client
            .describe_stack_events()
            .stack_name(stack)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| CallError::from_sdk("DescribeStackEvents", e))?;
        for e in page.stack_events().iter().map(event) {
            let started = e.logical_id == stack
                && e.status.ends_with("_IN_PROGRESS")
                && e.reason.as_deref() == Some("User Initiated");
            if out.len() < EVENTS_KEPT || e.status.ends_with("_FAILED") || started {
                out.push(e);
            }
            if started {
                return Ok(out);
            }
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(out)
}

fn stack(s: &cf::Stack) -> Stack {
    Stack {
        name: s.stack_name().unwrap_or_default().to_string(),
        status: s.stack_status().map_or("", |x| x.as_str()).to_string(),
        reason: s.stack_status_reason().map(str::to_string),
        outputs: s
            .outputs()
            .iter()
            .filter_map(|o| {
                Some((
                    o.output_key()?.to_string(),
                    o.output_value().unwrap_or_default().to_string(),
                ))
            })
            .collect(),
        parameters: s
            .parameters()
            .iter()
            .filter_map(|p| {
                Some((
                    p.parameter_key()?.to_string(),
                    p.parameter_value().unwrap_or_default().to_string(),
                ))
            })
            .collect(),
        events: Vec::new(),
        created: ts(s.creation_time()),
        updated: ts(s.last_updated_time().or(s.creation_time())),
    }
}

fn event(e: &cf::StackEvent) -> StackEvent {
    StackEvent {
        at: ts(e.timestamp()),
        logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
        resource_type: e.resource_type().unwrap_or_default().to_string(),
        status: e.resource_status().map_or("", |x| x.as_str()).to_string(),
        reason: e.resource_status_reason().map(str::to_string),
    }
}

/// The `UniqueID` parameter of the stack named `stack` (DescribeStacks by name); `None` when
/// the stack does not exist or has no such parameter.
pub async fn stack_unique_id(client: &Client, stack: &str) -> Result<Option<String>, CallError> {
    match client.describe_stacks().stack_name(stack).send().await {
        Ok(out) => Ok(out
            .stacks()
            .iter()
            .flat_map(|s| s.parameters())
            .find(|p| p.parameter_key() == Some("UniqueID"))
            .and_then(|p| p.parameter_value())
            .filter(|v| !v.is_empty())
            .map(str::to_string)),
        Err(e) => {
            let e = CallError::from_sdk("DescribeStacks", e);
            if e.is_not_found() { Ok(None) } else { Err(e) }
        }
    }
}
